/* output/redis_out.c - log rows to Redis streams (XADD, capped), buffered and replayed across outages. */
#include "output/redis_out.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include "output/redis_ring.h"

#define REDIS_OUT_PREFIX_MAX   200
#define REDIS_OUT_IOV          64
#define REDIS_OUT_CONNECT_MS   2000     /* a connect not done by then is abandoned and retried */
#define REDIS_OUT_RECONNECT_MIN 100u
#define REDIS_OUT_RECONNECT_MAX 1000u

enum redis_out_state {
    REDIS_OUT_DOWN,
    REDIS_OUT_CONNECTING,
    REDIS_OUT_UP,
};

/* The buffer holds every row not yet acknowledged, as its XADD command, oldest first:
 *   [0, inflight)      sent whole, answer awaited;
 *   inflight           maybe `partial` bytes of it sent;
 *   (inflight, count)  not sent.
 * Redis answers in order, so each answer acknowledges the oldest row in flight. When the
 * connection breaks, rows in flight are sent again on the next one (Redis may have added some of
 * them before it went away: at-least-once). */
struct redis_out {
    struct redis_out_config cfg;
    char                    host[256];     /* numeric address, or the unix socket path */
    char                    prefix[REDIS_OUT_PREFIX_MAX + 1];
    bool                    is_unix;
    struct redis_ring       ring;
    enum redis_out_state    state;
    redisContext           *c;
    redisReader            *reader;
    uint32_t                inflight;
    size_t                  partial;
    uint64_t                evicted_inflight;  /* sent rows a full buffer evicted before their answer */
    uint64_t                pending_since;     /* ms: the oldest row not sent was queued */
    uint64_t                connect_started;
    uint64_t                next_try;
    uint32_t                backoff;
    bool                    ever_up;
    struct redis_out_stats  st;
};

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- RESP formatting ---- */

struct resp {
    char  *p;
    size_t size;
    size_t len;    /* what the whole command needs; may exceed size */
};

static void resp_put(struct resp *b, const char *s, size_t n)
{
    if (b->p != NULL && b->len < b->size)
        memcpy(b->p + b->len, s, n < b->size - b->len ? n : b->size - b->len);
    b->len += n;
}

static void resp_len(struct resp *b, char kind, uint64_t n)
{
    char num[32];
    int k = snprintf(num, sizeof(num), "%c%llu\r\n", kind, (unsigned long long)n);

    resp_put(b, num, (size_t)k);
}

static void resp_bulk(struct resp *b, const char *s, size_t n)
{
    resp_len(b, '$', n);
    resp_put(b, s, n);
    resp_put(b, "\r\n", 2);
}

size_t redis_out_format_xadd(char *buf, size_t size, const char *prefix, const char *path, const char *json,
                             size_t len, uint64_t maxlen)
{
    struct resp b = {.p = buf, .size = buf != NULL ? size : 0};
    size_t plen = strlen(prefix), klen = strlen(path);

    resp_len(&b, '*', maxlen > 0 ? 8 : 5);
    resp_bulk(&b, "XADD", 4);
    resp_len(&b, '$', plen + klen);
    resp_put(&b, prefix, plen);
    resp_put(&b, path, klen);
    resp_put(&b, "\r\n", 2);
    if (maxlen > 0) {
        char num[24];
        int k = snprintf(num, sizeof(num), "%llu", (unsigned long long)maxlen);

        /* "~": Redis trims whole macro nodes only, far cheaper than an exact cap. */
        resp_bulk(&b, "MAXLEN", 6);
        resp_bulk(&b, "~", 1);
        resp_bulk(&b, num, (size_t)k);
    }
    resp_bulk(&b, "*", 1);
    resp_bulk(&b, "json", 4);
    resp_bulk(&b, json, len);
    return b.len;
}

/* ---- configuration ---- */

void redis_out_config_init(struct redis_out_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->host = "127.0.0.1";
    cfg->port = REDIS_OUT_DEFAULT_PORT;
    cfg->key_prefix = REDIS_OUT_DEFAULT_PREFIX;
    cfg->maxlen = REDIS_OUT_DEFAULT_MAXLEN;
    cfg->buffer_rows = REDIS_OUT_DEFAULT_ROWS;
    cfg->buffer_bytes = REDIS_OUT_DEFAULT_BYTES;
    cfg->batch = REDIS_OUT_DEFAULT_BATCH;
    cfg->flush_ms = REDIS_OUT_DEFAULT_FLUSH;
    cfg->reconnect_min_ms = REDIS_OUT_RECONNECT_MIN;
    cfg->reconnect_max_ms = REDIS_OUT_RECONNECT_MAX;
    cfg->drain_ms = REDIS_OUT_DEFAULT_DRAIN;
}

static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
    unsigned long long v;
    char *end;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

/* HOST, [V6]:PORT, HOST:PORT or /unix/path. */
static int parse_address(char *a, struct redis_out_config *cfg, char *err, size_t errlen)
{
    char *port = NULL;
    uint64_t v;

    if (a[0] == '/') {
        cfg->host = a;
        return 0;
    }
    if (a[0] == '[') {
        char *close = strchr(a, ']');

        if (close == NULL || (close[1] != '\0' && close[1] != ':')) {
            snprintf(err, errlen, "--redis: bad address \"%s\" (expected [V6ADDR]:PORT)", a);
            return -1;
        }
        *close = '\0';
        if (close[1] == ':')
            port = close + 2;
        a++;
    } else {
        char *colon = strchr(a, ':');

        /* More than one ':' is a bare IPv6 address, no port. */
        if (colon != NULL && strchr(colon + 1, ':') == NULL) {
            *colon = '\0';
            port = colon + 1;
        }
    }
    if (a[0] == '\0') {
        snprintf(err, errlen, "--redis: no host given");
        return -1;
    }
    cfg->host = a;
    if (port != NULL) {
        if (parse_num(port, 65535, &v) != 0 || v == 0) {
            snprintf(err, errlen, "--redis: port: expected 1..65535, got \"%s\"", port);
            return -1;
        }
        cfg->port = (int)v;
    }
    return 0;
}

int redis_out_parse_spec(char *spec, struct redis_out_config *cfg, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        uint64_t    min, max;
    } opts[] = {
        {"maxlen", 0, UINT32_MAX},         {"buffer_rows", 1, UINT32_MAX / 2},
        {"buffer_bytes", 1024, UINT32_MAX}, {"batch", 1, 100000},
        {"flush_ms", 1, 3600000},           {"drain_ms", 0, 3600000},
    };
    char *rest = strchr(spec, ',');

    if (rest != NULL)
        *rest++ = '\0';
    if (parse_address(spec, cfg, err, errlen) != 0)
        return -1;
    while (rest != NULL && *rest != '\0') {
        char *item = rest, *eq;
        uint64_t v;
        size_t i;

        rest = strchr(item, ',');
        if (rest != NULL)
            *rest++ = '\0';
        eq = strchr(item, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "--redis: expected name=value, got \"%s\"", item);
            return -1;
        }
        *eq = '\0';
        if (strcmp(item, "key_prefix") == 0) {
            if (strlen(eq + 1) > REDIS_OUT_PREFIX_MAX) {
                snprintf(err, errlen, "--redis: key_prefix longer than %d bytes", REDIS_OUT_PREFIX_MAX);
                return -1;
            }
            cfg->key_prefix = eq + 1;
            continue;
        }
        for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
            if (strcmp(item, opts[i].name) == 0)
                break;
        if (i == sizeof(opts) / sizeof(opts[0])) {
            snprintf(err, errlen,
                     "--redis: unknown option \"%s\" (key_prefix, maxlen, buffer_rows, buffer_bytes, batch, "
                     "flush_ms, drain_ms)",
                     item);
            return -1;
        }
        if (parse_num(eq + 1, opts[i].max, &v) != 0 || v < opts[i].min) {
            snprintf(err, errlen, "--redis: %s: expected %llu..%llu, got \"%s\"", item,
                     (unsigned long long)opts[i].min, (unsigned long long)opts[i].max, eq + 1);
            return -1;
        }
        switch (i) {
        case 0: cfg->maxlen = v; break;
        case 1: cfg->buffer_rows = (uint32_t)v; break;
        case 2: cfg->buffer_bytes = (size_t)v; break;
        case 3: cfg->batch = (uint32_t)v; break;
        case 4: cfg->flush_ms = (uint32_t)v; break;
        default: cfg->drain_ms = (uint32_t)v; break;
        }
    }
    return 0;
}

/* ---- the connection ---- */

/* Answers are only counted, so the reader builds no reply objects: every value is one of two
 * markers, and an error's text is kept in the stats. */
static char answer_error, answer_other;

static void *answer_string(const redisReadTask *task, char *s, size_t len)
{
    struct redis_out *r = task->privdata;

    if (task->type != REDIS_REPLY_ERROR)
        return &answer_other;
    if (r != NULL) {
        if (len >= sizeof(r->st.last_error))
            len = sizeof(r->st.last_error) - 1;
        memcpy(r->st.last_error, s, len);
        r->st.last_error[len] = '\0';
    }
    return &answer_error;
}

static void *answer_array(const redisReadTask *task, int n)
{
    return &answer_other;
}

static void *answer_integer(const redisReadTask *task, long long v)
{
    return &answer_other;
}

static void *answer_nil(const redisReadTask *task)
{
    return &answer_other;
}

static redisReplyObjectFunctions answer_fns = {
    .createString = answer_string,
    .createArray = answer_array,
    .createInteger = answer_integer,
    .createNil = answer_nil,
    .freeObject = NULL,
};

static void set_error(struct redis_out *r, const char *what, const char *why)
{
    snprintf(r->st.last_error, sizeof(r->st.last_error), "%s: %s", what, why);
}

/* Closes the connection; rows in flight go back to waiting, to be sent on the next one. */
static void conn_lost(struct redis_out *r, uint64_t now)
{
    if (r->c != NULL)
        redisFree(r->c);
    if (r->reader != NULL)
        redisReaderFree(r->reader);
    r->c = NULL;
    r->reader = NULL;
    if (r->state == REDIS_OUT_UP) {
        r->st.retried += r->inflight;
        r->backoff = r->cfg.reconnect_min_ms;
    }
    r->next_try = now + r->backoff;
    /* A server that stays away is asked less often, up to once per reconnect_max_ms. */
    r->backoff = r->backoff * 2 > r->cfg.reconnect_max_ms ? r->cfg.reconnect_max_ms : r->backoff * 2;
    /* Evicted rows in flight cannot be sent again: lost unless their answer had come. */
    r->st.dropped += r->evicted_inflight;
    r->evicted_inflight = 0;
    r->inflight = 0;
    r->partial = 0;
    r->state = REDIS_OUT_DOWN;
    r->pending_since = now;
}

static void conn_up(struct redis_out *r, uint64_t now)
{
    r->reader = redisReaderCreateWithFunctions(&answer_fns);
    if (r->reader == NULL) {
        set_error(r, "redis", "out of memory");
        conn_lost(r, now);
        return;
    }
    r->reader->privdata = r;
    r->state = REDIS_OUT_UP;
    r->backoff = r->cfg.reconnect_min_ms;
    if (r->ever_up)
        r->st.reconnects++;
    r->ever_up = true;
}

/* Non-blocking connect: the address was resolved at create, so no lookup waits here. */
static void conn_start(struct redis_out *r, uint64_t now)
{
    r->c = r->is_unix ? redisConnectUnixNonBlock(r->host) : redisConnectNonBlock(r->host, r->cfg.port);
    if (r->c == NULL || r->c->err != 0) {
        set_error(r, "connect", r->c != NULL ? r->c->errstr : "out of memory");
        conn_lost(r, now);
        return;
    }
    r->state = REDIS_OUT_CONNECTING;
    r->connect_started = now;
}

static void conn_check(struct redis_out *r, uint64_t now)
{
    struct pollfd p = {.fd = r->c->fd, .events = POLLOUT};
    socklen_t sl = sizeof(int);
    int soerr = 0;

    if (poll(&p, 1, 0) <= 0) {
        if (now - r->connect_started >= REDIS_OUT_CONNECT_MS) {
            set_error(r, "connect", "timed out");
            conn_lost(r, now);
        }
        return;
    }
    if (getsockopt(r->c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
        soerr = errno;
    if (soerr != 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL))) {
        set_error(r, "connect", strerror(soerr != 0 ? soerr : ECONNREFUSED));
        conn_lost(r, now);
        return;
    }
    conn_up(r, now);
}

/* One answer: it belongs to the oldest row in flight. */
static int answer(struct redis_out *r, void *reply)
{
    if (r->evicted_inflight > 0)
        r->evicted_inflight--;
    else if (r->inflight > 0) {
        redis_ring_pop(&r->ring);
        r->inflight--;
    } else {
        set_error(r, "redis", "an answer to no command");
        return -1;
    }
    if (reply == &answer_error)
        r->st.rejected++;
    else
        r->st.sent++;
    return 0;
}

/* Reads the answers that have arrived, without waiting. Returns -1 when the connection is gone. */
static int read_answers(struct redis_out *r)
{
    char buf[16384];

    for (;;) {
        ssize_t n = recv(r->c->fd, buf, sizeof(buf), MSG_DONTWAIT);
        void *reply;

        if (n == 0) {
            set_error(r, "redis", "server closed the connection");
            return -1;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            set_error(r, "recv", strerror(errno));
            return -1;
        }
        if (redisReaderFeed(r->reader, buf, (size_t)n) != REDIS_OK)
            return -1;
        for (;;) {
            reply = NULL;
            if (redisReaderGetReply(r->reader, &reply) != REDIS_OK) {
                set_error(r, "redis", r->reader->errstr);
                return -1;
            }
            if (reply == NULL)
                break;
            if (answer(r, reply) != 0)
                return -1;
        }
        if ((size_t)n < sizeof(buf))
            return 0;
    }
}

/* Writes waiting rows, whole or in part, without waiting. Returns -1 when the connection is gone. */
static int send_rows(struct redis_out *r)
{
    while (r->inflight < r->ring.count) {
        struct iovec iov[REDIS_OUT_IOV];
        struct msghdr mh;
        unsigned niov = 0;
        uint32_t i;
        ssize_t n;

        /* Rows sit one after another in the buffer: neighbours share one iovec. */
        for (i = r->inflight; i < r->ring.count; i++) {
            size_t len;
            const char *p = redis_ring_peek(&r->ring, i, &len);

            if (i == r->inflight) {
                p += r->partial;
                len -= r->partial;
            }
            if (niov > 0 && (const char *)iov[niov - 1].iov_base + iov[niov - 1].iov_len == p) {
                iov[niov - 1].iov_len += len;
                continue;
            }
            if (niov == REDIS_OUT_IOV)
                break;
            iov[niov].iov_base = (void *)p;
            iov[niov].iov_len = len;
            niov++;
        }
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = iov;
        mh.msg_iovlen = niov;
        n = sendmsg(r->c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            set_error(r, "send", strerror(errno));
            return -1;
        }
        /* Move the line between sent and waiting by n bytes. */
        while (n > 0) {
            size_t len;

            redis_ring_peek(&r->ring, r->inflight, &len);
            if ((size_t)n < len - r->partial) {
                r->partial += (size_t)n;
                break;
            }
            n -= (ssize_t)(len - r->partial);
            r->partial = 0;
            r->inflight++;
        }
    }
    return 0;
}

/* Connects when due, reads answers, sends rows when a batch is full, the oldest has waited
 * flush_ms, or `force`. */
static void pump(struct redis_out *r, bool force)
{
    uint64_t now = now_ms();
    uint32_t waiting;

    if (r->state == REDIS_OUT_DOWN && r->ring.count > 0 && now >= r->next_try)
        conn_start(r, now);
    if (r->state == REDIS_OUT_CONNECTING)
        conn_check(r, now);
    if (r->state != REDIS_OUT_UP)
        return;
    waiting = r->ring.count - r->inflight;
    if (!force && r->partial == 0 && waiting < r->cfg.batch && now - r->pending_since < r->cfg.flush_ms)
        return;
    if ((r->inflight > 0 || r->evicted_inflight > 0 || force) && read_answers(r) != 0) {
        conn_lost(r, now);
        return;
    }
    if (send_rows(r) != 0) {
        conn_lost(r, now);
        return;
    }
    r->pending_since = now;
}

/* Makes room by letting the oldest row go. */
static void evict_oldest(struct redis_out *r)
{
    if (r->inflight > 0) {
        /* Sent already: its answer may still come, so it is counted then, or at a lost connection. */
        redis_ring_pop(&r->ring);
        r->inflight--;
        r->evicted_inflight++;
        return;
    }
    if (r->partial > 0)
        /* Half written: the rest cannot follow once its bytes are gone, and the server drops a
         * command cut by a closed connection. */
        conn_lost(r, now_ms());
    redis_ring_pop(&r->ring);
    r->st.dropped++;
}

void redis_out_row(struct redis_out *r, const char *log_path, const char *json, size_t len)
{
    bool drained = false;
    size_t need;
    char *at;

    r->st.rows++;
    if (len > 0 && json[len - 1] == '\n')
        len--;
    need = redis_out_format_xadd(NULL, 0, r->prefix, log_path, json, len, r->cfg.maxlen);
    if (need > r->ring.size) {
        r->st.dropped++;
        return;
    }
    while ((at = redis_ring_reserve(&r->ring, need)) == NULL) {
        /* Answers that came in free room before anything is given up. */
        if (!drained && r->state == REDIS_OUT_UP) {
            drained = true;
            if (read_answers(r) != 0)
                conn_lost(r, now_ms());
            continue;
        }
        evict_oldest(r);
    }
    redis_out_format_xadd(at, need, r->prefix, log_path, json, len, r->cfg.maxlen);
    redis_ring_commit(&r->ring, at, need);
    if (r->ring.count - r->inflight == 1)
        r->pending_since = now_ms();
    pump(r, false);
}

void redis_out_tee(void *arg, const struct log_schema *s, enum log_format format, const char *row, size_t len)
{
    if (format == LOG_FORMAT_JSON)
        redis_out_row(arg, s->path, row, len);
}

void redis_out_poll(struct redis_out *r)
{
    if (r == NULL)
        return;
    pump(r, false);
    if (r->state == REDIS_OUT_UP && (r->inflight > 0 || r->evicted_inflight > 0) && read_answers(r) != 0)
        conn_lost(r, now_ms());
}

int redis_out_drain(struct redis_out *r, int timeout_ms)
{
    uint64_t deadline = now_ms() + (uint64_t)(timeout_ms < 0 ? (int64_t)r->cfg.drain_ms : timeout_ms);

    for (;;) {
        uint64_t now;
        int wait;

        pump(r, true);
        if (r->ring.count == 0 && r->evicted_inflight == 0)
            return 0;
        now = now_ms();
        if (now >= deadline)
            return -1;
        wait = (int)(deadline - now);
        if (r->state == REDIS_OUT_DOWN) {
            struct timespec ts;
            uint64_t ms = r->next_try > now ? r->next_try - now : 0;

            if (ms > (uint64_t)wait)
                ms = (uint64_t)wait;
            ts.tv_sec = (time_t)(ms / 1000u);
            ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
            nanosleep(&ts, NULL);
        } else {
            struct pollfd p = {.fd = r->c->fd, .events = POLLOUT};

            if (r->state == REDIS_OUT_UP)
                p.events = (short)(POLLIN | (r->inflight < r->ring.count ? POLLOUT : 0));
            poll(&p, 1, wait < 50 ? wait : 50);
        }
    }
}

void redis_out_stats(const struct redis_out *r, struct redis_out_stats *out)
{
    *out = r->st;
    out->buffered = r->ring.count + r->evicted_inflight;
}

/* ---- lifetime ---- */

static int resolve(struct redis_out *r, const char *host, char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    int rc;

    if (host[0] == '/') {
        if (strlen(host) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
            snprintf(err, errlen, "redis: unix socket path too long: %s", host);
            return -1;
        }
        r->is_unix = true;
        memcpy(r->host, host, strlen(host) + 1);
        return 0;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || res == NULL) {
        snprintf(err, errlen, "redis: cannot resolve %s: %s", host, rc != 0 ? gai_strerror(rc) : "no address");
        return -1;
    }
    if (res->ai_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, r->host, sizeof(r->host));
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, r->host, sizeof(r->host));
    freeaddrinfo(res);
    return 0;
}

struct redis_out *redis_out_create(const struct redis_out_config *cfg, char *err, size_t errlen)
{
    struct redis_out_config dflt;
    struct redis_out *r;

    redis_out_config_init(&dflt);
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->cfg = *cfg;
    if (r->cfg.host == NULL || r->cfg.host[0] == '\0')
        r->cfg.host = dflt.host;
    if (r->cfg.port <= 0)
        r->cfg.port = dflt.port;
    if (r->cfg.key_prefix == NULL)
        r->cfg.key_prefix = dflt.key_prefix;
#define DEFAULT_IF_ZERO(f) \
    if (r->cfg.f == 0) \
        r->cfg.f = dflt.f
    DEFAULT_IF_ZERO(buffer_rows);
    DEFAULT_IF_ZERO(buffer_bytes);
    DEFAULT_IF_ZERO(batch);
    DEFAULT_IF_ZERO(flush_ms);
    DEFAULT_IF_ZERO(reconnect_min_ms);
    DEFAULT_IF_ZERO(reconnect_max_ms);
#undef DEFAULT_IF_ZERO
    if (strlen(r->cfg.key_prefix) > REDIS_OUT_PREFIX_MAX || r->cfg.buffer_bytes > UINT32_MAX) {
        snprintf(err, errlen, "redis: key prefix longer than %d bytes or buffer over 4 GiB", REDIS_OUT_PREFIX_MAX);
        free(r);
        return NULL;
    }
    memcpy(r->prefix, r->cfg.key_prefix, strlen(r->cfg.key_prefix) + 1);
    r->cfg.key_prefix = r->prefix;
    if (strlen(r->cfg.host) >= sizeof(r->host)) {
        snprintf(err, errlen, "redis: host name too long");
        free(r);
        return NULL;
    }
    if (resolve(r, r->cfg.host, err, errlen) != 0) {
        free(r);
        return NULL;
    }
    r->cfg.host = r->host;
    if (redis_ring_init(&r->ring, r->cfg.buffer_rows, r->cfg.buffer_bytes) != 0) {
        snprintf(err, errlen, "redis: out of memory for a buffer of %u rows, %zu bytes", r->cfg.buffer_rows,
                 r->cfg.buffer_bytes);
        free(r);
        return NULL;
    }
    r->backoff = r->cfg.reconnect_min_ms;
    /* Connecting early makes the first rows go out without waiting for a retry. */
    conn_start(r, now_ms());
    return r;
}

void redis_out_free(struct redis_out *r)
{
    if (r == NULL)
        return;
    if (r->ring.count > 0 || r->evicted_inflight > 0)
        redis_out_drain(r, (int)r->cfg.drain_ms);
    r->st.dropped += r->ring.count + r->evicted_inflight;
    if (r->c != NULL)
        redisFree(r->c);
    if (r->reader != NULL)
        redisReaderFree(r->reader);
    redis_ring_fini(&r->ring);
    free(r);
}
