/* tests/unit/output/test_redis_out.c - the Redis output against a scripted fake server: XADD bytes, replay, caps, the log_set tee. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/log_set.h"
#include "output/redis_out.h"

/* ---- a fake Redis: accepts connections one after another, each following a script ---- */

#define FAKE_CONNS 4
#define FAKE_ROWS  64

struct fake_script {
    unsigned take;      /* >0: after this many commands, answer `answer` of them and close */
    unsigned answer;
    int      err_at;    /* index of the command answered with an error, or -1 */
};

struct fake {
    int                listen_fd;
    int                port;
    struct fake_script script[FAKE_CONNS];
    unsigned           nscript;
    /* What each connection received: key and json value of each XADD, and its argument count. */
    char               key[FAKE_CONNS][FAKE_ROWS][64];
    char               json[FAKE_CONNS][FAKE_ROWS][64];
    unsigned           argc[FAKE_CONNS][FAKE_ROWS];
    unsigned           nseen[FAKE_CONNS];
    pthread_t          thread;
};

/* One command of bulk strings at the start of buf: its length, or 0 if incomplete. */
static size_t resp_command(const char *buf, size_t len, unsigned *argc, const char **argv, size_t *argl,
                           unsigned max)
{
    const char *p = buf, *end = buf + len, *nl;
    unsigned n, i;

    if (len < 4 || *p != '*' || (nl = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
        return 0;
    n = (unsigned)strtoul(p + 1, NULL, 10);
    p = nl + 2;
    for (i = 0; i < n; i++) {
        size_t bl;

        if (p >= end || *p != '$' || (nl = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
            return 0;
        bl = strtoul(p + 1, NULL, 10);
        p = nl + 2;
        if ((size_t)(end - p) < bl + 2)
            return 0;
        if (i < max) {
            argv[i] = p;
            argl[i] = bl;
        }
        p += bl + 2;
    }
    *argc = n;
    return (size_t)(p - buf);
}

static void fake_answer(int fd, bool error)
{
    static const char ok[] = "$15\r\n1700000000000-0\r\n", bad[] = "-ERR wrong\r\n";

    if (error)
        assert_int_equal(write(fd, bad, sizeof(bad) - 1), (ssize_t)sizeof(bad) - 1);
    else
        assert_int_equal(write(fd, ok, sizeof(ok) - 1), (ssize_t)sizeof(ok) - 1);
}

static void copy_arg(char *dst, const char *s, size_t n)
{
    if (n > 63)
        n = 63;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;

    for (unsigned c = 0; c < f->nscript; c++) {
        const struct fake_script *sc = &f->script[c];
        struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
        static char buf[1 << 16];
        size_t have = 0;
        int fd;

        if (poll(&p, 1, 5000) != 1)
            return NULL;
        fd = accept(f->listen_fd, NULL, NULL);
        if (fd < 0)
            return NULL;
        for (;;) {
            ssize_t n = read(fd, buf + have, sizeof(buf) - have);
            const char *argv[8] = {NULL};
            size_t argl[8] = {0}, used;
            unsigned argc;

            if (n <= 0)
                break;
            have += (size_t)n;
            while ((used = resp_command(buf, have, &argc, argv, argl, 8)) > 0) {
                unsigned k = f->nseen[c];

                if (k < FAKE_ROWS && argc >= 2 && argc <= 8) {
                    f->argc[c][k] = argc;
                    copy_arg(f->key[c][k], argv[1], argl[1]);
                    copy_arg(f->json[c][k], argv[argc - 1], argl[argc - 1]);
                    f->nseen[c]++;
                }
                memmove(buf, buf + used, have - used);
                have -= used;
                if (sc->take == 0)
                    fake_answer(fd, (int)k == sc->err_at);
                else if (f->nseen[c] == sc->take)
                    goto script_done;
            }
        }
        close(fd);
        continue;
script_done:
        for (unsigned k = 0; k < sc->answer; k++)
            fake_answer(fd, (int)k == sc->err_at);
        close(fd);
    }
    return NULL;
}

static void fake_start(struct fake *f)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);

    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(f->listen_fd >= 0);
    assert_int_equal(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f->listen_fd, 4), 0);
    assert_int_equal(getsockname(f->listen_fd, (struct sockaddr *)&sa, &sl), 0);
    f->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
    pthread_join(f->thread, NULL);
    close(f->listen_fd);
}

/* A loopback port with nothing listening. */
static int closed_port(void)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static struct redis_out *make(int port, uint32_t rows, size_t bytes)
{
    struct redis_out_config cfg;
    char err[256] = "";
    struct redis_out *r;

    redis_out_config_init(&cfg);
    cfg.port = port;
    cfg.key_prefix = "pw:";
    cfg.buffer_rows = rows;
    cfg.buffer_bytes = bytes;
    cfg.batch = 1000;          /* nothing leaves before a drain: the tests decide when */
    cfg.flush_ms = 60000;
    cfg.reconnect_min_ms = 20;
    cfg.drain_ms = 100;
    r = redis_out_create(&cfg, err, sizeof(err));
    assert_non_null(r);
    assert_string_equal(err, "");
    return r;
}

static void row(struct redis_out *r, const char *path, unsigned seq)
{
    char j[64];
    int n = snprintf(j, sizeof(j), "{\"seq\":%u}\n", seq);

    redis_out_row(r, path, j, (size_t)n);
}

/* ---- tests ---- */

static void test_format_xadd(void **state)
{
    static const char capped[] = "*8\r\n$4\r\nXADD\r\n$14\r\nprotowall:conn\r\n$6\r\nMAXLEN\r\n$1\r\n~\r\n"
                                 "$6\r\n100000\r\n$1\r\n*\r\n$4\r\njson\r\n$10\r\n{\"a\":\"\r\n\"}\r\n";
    static const char uncapped[] = "*5\r\n$4\r\nXADD\r\n$7\r\nx:dns.1\r\n$1\r\n*\r\n$4\r\njson\r\n$2\r\n{}\r\n";
    char buf[256];
    size_t n;

    /* The value is binary-safe: a CR LF inside it is counted, not parsed. */
    n = redis_out_format_xadd(buf, sizeof(buf), "protowall:", "conn", "{\"a\":\"\r\n\"}", 10, 100000);
    assert_int_equal(n, sizeof(capped) - 1);
    assert_memory_equal(buf, capped, n);
    n = redis_out_format_xadd(buf, sizeof(buf), "x:", "dns.1", "{}", 2, 0);
    assert_int_equal(n, sizeof(uncapped) - 1);
    assert_memory_equal(buf, uncapped, n);
    /* Measuring, and a buffer too small: the full length, and only size bytes touched. */
    assert_int_equal(redis_out_format_xadd(NULL, 0, "x:", "dns.1", "{}", 2, 0), sizeof(uncapped) - 1);
    memset(buf, '#', sizeof(buf));
    assert_int_equal(redis_out_format_xadd(buf, 10, "x:", "dns.1", "{}", 2, 0), sizeof(uncapped) - 1);
    assert_memory_equal(buf, uncapped, 10);
    assert_int_equal(buf[10], '#');
}

static void test_parse_spec(void **state)
{
    struct redis_out_config cfg;
    char err[256], s1[] = "10.0.0.5:7000,key_prefix=site1:,maxlen=0,buffer_rows=50,batch=8,drain_ms=0";
    char s2[] = "[::1]:6380", s3[] = "/run/redis.sock,maxlen=5", s4[] = "redis.example", s5[] = "::1";
    char b1[] = "h:0", b2[] = "h:7000,color=red", b3[] = "h,maxlen=-1", b4[] = "h,batch", b5[] = ":6379";
    char b6[] = "h,buffer_bytes=100";

    redis_out_config_init(&cfg);
    assert_int_equal(cfg.port, 6379);
    assert_string_equal(cfg.key_prefix, "protowall:");
    assert_int_equal(cfg.maxlen, 100000);
    assert_int_equal(redis_out_parse_spec(s1, &cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg.host, "10.0.0.5");
    assert_int_equal(cfg.port, 7000);
    assert_string_equal(cfg.key_prefix, "site1:");
    assert_int_equal(cfg.maxlen, 0);
    assert_int_equal(cfg.buffer_rows, 50);
    assert_int_equal(cfg.batch, 8);
    assert_int_equal(cfg.drain_ms, 0);
    assert_int_equal(cfg.flush_ms, REDIS_OUT_DEFAULT_FLUSH);

    redis_out_config_init(&cfg);
    assert_int_equal(redis_out_parse_spec(s2, &cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg.host, "::1");
    assert_int_equal(cfg.port, 6380);
    redis_out_config_init(&cfg);
    assert_int_equal(redis_out_parse_spec(s3, &cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg.host, "/run/redis.sock");
    assert_int_equal(cfg.maxlen, 5);
    redis_out_config_init(&cfg);
    assert_int_equal(redis_out_parse_spec(s4, &cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg.host, "redis.example");
    assert_int_equal(cfg.port, 6379);
    redis_out_config_init(&cfg);
    assert_int_equal(redis_out_parse_spec(s5, &cfg, err, sizeof(err)), 0);
    assert_string_equal(cfg.host, "::1");

    assert_int_equal(redis_out_parse_spec(b1, &cfg, err, sizeof(err)), -1);
    assert_string_equal(err, "--redis: port: expected 1..65535, got \"0\"");
    assert_int_equal(redis_out_parse_spec(b2, &cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "unknown option \"color\""));
    assert_int_equal(redis_out_parse_spec(b3, &cfg, err, sizeof(err)), -1);
    assert_string_equal(err, "--redis: maxlen: expected 0..4294967295, got \"-1\"");
    assert_int_equal(redis_out_parse_spec(b4, &cfg, err, sizeof(err)), -1);
    assert_string_equal(err, "--redis: expected name=value, got \"batch\"");
    assert_int_equal(redis_out_parse_spec(b5, &cfg, err, sizeof(err)), -1);
    assert_string_equal(err, "--redis: no host given");
    assert_int_equal(redis_out_parse_spec(b6, &cfg, err, sizeof(err)), -1);
    assert_string_equal(err, "--redis: buffer_bytes: expected 1024..4294967295, got \"100\"");
}

static void test_create_errors(void **state)
{
    struct redis_out_config cfg;
    char err[256] = "";

    redis_out_config_init(&cfg);
    cfg.host = "no-such-host.invalid";
    assert_null(redis_out_create(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "redis: cannot resolve no-such-host.invalid"));
}

/* The server goes away after answering 3 of 5 rows: the 7 unanswered come again, in order, on the
 * next connection, and each row is acknowledged once. */
static void test_replay_after_lost_connection(void **state)
{
    struct fake f = {.nscript = 2, .script = {{.take = 5, .answer = 3, .err_at = -1}, {.err_at = -1}}};
    struct redis_out_stats st;
    struct redis_out *r;

    fake_start(&f);
    r = make(f.port, 100, 1 << 20);
    for (unsigned i = 0; i < 10; i++)
        row(r, "conn", i);
    assert_int_equal(redis_out_drain(r, 5000), 0);
    redis_out_stats(r, &st);
    assert_int_equal(st.rows, 10);
    assert_int_equal(st.sent, 10);
    assert_int_equal(st.dropped, 0);
    assert_int_equal(st.rejected, 0);
    assert_int_equal(st.buffered, 0);
    assert_int_equal(st.reconnects, 1);
    assert_true(st.retried >= 2 && st.retried <= 7);
    redis_out_free(r);
    fake_stop(&f);

    assert_int_equal(f.nseen[0], 5);
    for (unsigned i = 0; i < 5; i++) {
        char want[32];

        snprintf(want, sizeof(want), "{\"seq\":%u}", i);
        assert_string_equal(f.json[0][i], want);
        assert_string_equal(f.key[0][i], "pw:conn");
        assert_int_equal(f.argc[0][i], 8);
    }
    assert_int_equal(f.nseen[1], 7);
    for (unsigned i = 0; i < 7; i++) {
        char want[32];

        snprintf(want, sizeof(want), "{\"seq\":%u}", i + 3);
        assert_string_equal(f.json[1][i], want);
    }
}

static void test_rejected_row(void **state)
{
    struct fake f = {.nscript = 1, .script = {{.err_at = 1}}};
    struct redis_out_stats st;
    struct redis_out *r;

    fake_start(&f);
    r = make(f.port, 100, 1 << 20);
    row(r, "dns", 0);
    row(r, "http", 1);
    row(r, "dns", 2);
    assert_int_equal(redis_out_drain(r, 5000), 0);
    redis_out_stats(r, &st);
    assert_int_equal(st.sent, 2);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.dropped, 0);
    assert_string_equal(st.last_error, "ERR wrong");
    redis_out_free(r);
    fake_stop(&f);
    assert_int_equal(f.nseen[0], 3);
    assert_string_equal(f.key[0][1], "pw:http");
    assert_string_equal(f.json[0][2], "{\"seq\":2}");
}

/* Nobody listens: the buffer keeps the newest rows up to its caps, the rest are counted dropped. */
static void test_caps_while_down(void **state)
{
    char big[2048];
    struct redis_out_stats st;
    struct redis_out *r;
    size_t one;

    r = make(closed_port(), 10, 1 << 20);
    for (unsigned i = 0; i < 25; i++)
        row(r, "conn", i);
    redis_out_stats(r, &st);
    assert_int_equal(st.rows, 25);
    assert_int_equal(st.dropped, 15);
    assert_int_equal(st.buffered, 10);
    assert_int_equal(st.sent, 0);
    assert_int_equal(redis_out_drain(r, 0), -1);
    redis_out_free(r);

    /* Byte cap: rows of one size, as many as fit in 1024 bytes. */
    one = redis_out_format_xadd(NULL, 0, "pw:", "conn", "{\"seq\":10}", 10, 100000);
    r = make(closed_port(), 1000, 1024);
    for (unsigned i = 10; i < 60; i++)
        row(r, "conn", i);
    redis_out_stats(r, &st);
    assert_int_equal(st.buffered, 1024 / one);
    assert_int_equal(st.dropped, 50 - 1024 / one);
    /* A row bigger than the whole buffer is dropped alone. */
    memset(big, 'x', sizeof(big));
    redis_out_row(r, "conn", big, sizeof(big));
    redis_out_stats(r, &st);
    assert_int_equal(st.buffered, 1024 / one);
    assert_int_equal(st.dropped, 50 - 1024 / one + 1);
    redis_out_free(r);
}

/* The newest rows survive eviction: after the cap, the server gets exactly the last ones, in order. */
static void test_cap_then_server(void **state)
{
    struct fake f = {.nscript = 1, .script = {{.err_at = -1}}};
    struct redis_out_stats st;
    struct redis_out *r;

    fake_start(&f);
    /* Connected, but nothing is sent before the drain (batch 1000): 9 rows meet a cap of 4. */
    r = make(f.port, 4, 1 << 20);
    for (unsigned i = 0; i < 9; i++)
        row(r, "conn", i);
    redis_out_stats(r, &st);
    assert_int_equal(st.dropped, 5);
    assert_int_equal(redis_out_drain(r, 5000), 0);
    redis_out_stats(r, &st);
    assert_int_equal(st.sent, 4);
    redis_out_free(r);
    fake_stop(&f);
    assert_int_equal(f.nseen[0], 4);
    assert_string_equal(f.json[0][0], "{\"seq\":5}");
    assert_string_equal(f.json[0][3], "{\"seq\":8}");
}

/* ---- the log_set tee: the JSON rows it hands over equal a JSON file's lines ---- */

struct tee_record {
    uint64_t       log_set;
    pw_time        ts;
    struct log_str name;
    uint64_t       n;
};
static const struct log_field tee_fields[] = {
    LOG_FIELD(struct tee_record, ts, "ts", LOG_TIME, 0),
    LOG_FIELD(struct tee_record, name, "name", LOG_STRING, 0),
    LOG_FIELD(struct tee_record, n, "n", LOG_COUNT, LOG_OPTIONAL),
};
static const struct log_schema tee_schema = LOG_SCHEMA("teetest", tee_fields);

static char tee_seen[4096];
static size_t tee_len;

static void tee_capture(void *arg, const struct log_schema *s, enum log_format format, const char *row_text,
                        size_t len)
{
    assert_ptr_equal(arg, &tee_len);
    assert_ptr_equal(s, &tee_schema);
    assert_int_equal(format, LOG_FORMAT_JSON);
    assert_true(tee_len + len < sizeof(tee_seen));
    memcpy(tee_seen + tee_len, row_text, len);
    tee_len += len;
}

static void write_rows(struct log_set *set)
{
    struct tee_record rec;

    for (unsigned i = 0; i < 3; i++) {
        memset(&rec, 0, sizeof(rec));
        rec.ts = 1300475167096535000LL + (pw_time)i * 1000;
        rec.name = log_str_from("a\tb\"c", 5);
        rec.n = i;
        if (i != 1)
            rec.log_set = 1u << 2;
        assert_int_equal(log_set_write(set, &tee_schema, &rec), 0);
    }
}

static void test_log_set_tee(void **state)
{
    char dir[] = "/tmp/pw_test_redis_tee.XXXXXX", path[300], file[4096], cmd[300];
    struct log_set_config cfg = {.format = LOG_FORMAT_JSON};
    char err[256] = "";
    struct log_set *set;
    FILE *fp;
    size_t n;

    assert_non_null(mkdtemp(dir));
    /* The reference: a JSON file. */
    cfg.dir = dir;
    set = log_set_create(&cfg, err, sizeof(err));
    assert_non_null(set);
    write_rows(set);
    log_set_free(set);
    snprintf(path, sizeof(path), "%s/teetest.log", dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    n = fread(file, 1, sizeof(file), fp);
    fclose(fp);
    assert_true(n > 0);

    /* TSV files, and JSON teed: the same rows as the JSON file. */
    for (int fmt = 0; fmt < 2; fmt++) {
        tee_len = 0;
        cfg.format = fmt == 0 ? LOG_FORMAT_TSV : LOG_FORMAT_JSON;
        cfg.tee = tee_capture;
        cfg.tee_arg = &tee_len;
        set = log_set_create(&cfg, err, sizeof(err));
        assert_non_null(set);
        write_rows(set);
        log_set_free(set);
        assert_int_equal(tee_len, n);
        assert_memory_equal(tee_seen, file, n);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_xadd),
        cmocka_unit_test(test_parse_spec),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_replay_after_lost_connection),
        cmocka_unit_test(test_rejected_row),
        cmocka_unit_test(test_caps_while_down),
        cmocka_unit_test(test_cap_then_server),
        cmocka_unit_test(test_log_set_tee),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
