/* proto/rmi.c - the Java RMI (JRMP) analyzer: handshake, messages, the class names and registry
 * names inside their serialized streams, JNDI referrals, files.log for the streams, and rmi.log.
 *
 * Policies:
 * - A Call or ReturnData has no length: its Java serialization stream ends where the object graph
 *   does, and finding that needs a full deserializer. JRMP is strictly turn-based instead (the
 *   client waits for the return before its next message; DgcAck and Ping have fixed sizes), so a
 *   message runs until the other side speaks, or the connection ends.
 * - Inside a stream, a bounded scan (rmi_serial.c) takes class descriptors, proxy interfaces and
 *   strings; it holds back at most one token's bytes (a few KiB) while waiting for its end.
 * - Every stream is a file for files.log ("RMI" source), its first RMI_FILE_MAX bytes hashed.
 * - A ReturnData carrying objects is a referral for the detector: at once when a Reference's
 *   codebase URL has been read, otherwise when the message ends.
 * - One rmi.log row per connection, written when it ends; every list is capped (weird once). */
#include <string.h>

#include "files/files.h"
#include "proto/analyzer.h"
#include "proto/rmi_int.h"
#include "proto/session.h"

#define RMI_MAX_OPS     64
#define RMI_MAX_CALLS   32
#define RMI_MAX_CLASSES 32
#define RMI_CLASS_POOL  2048      /* bytes of class names kept for the log */
#define RMI_MAX_NAMES   8
#define RMI_NAME_MAX    96
#define RMI_RAW_MAX     512       /* bytes of a message handed to the detector */
#define RMI_EP_MAX      (RMI_HOST_MAX + 9)
#define RMI_FILE_MAX    (1u << 20)
#define RMI_METHOD_MAX  40

#define OPT LOG_OPTIONAL
#define R struct rmi_record
static const struct log_field rmi_log_fields[RMI_F_COUNT] = {
    LOG_COMMON_FIELDS(R),
    [RMI_F_VERSION]    = LOG_FIELD(R, version, "version", LOG_COUNT, OPT),
    [RMI_F_PROTOCOL]   = LOG_FIELD(R, protocol, "protocol", LOG_STRING, OPT),
    [RMI_F_ENDPOINT]   = LOG_FIELD(R, endpoint, "endpoint", LOG_STRING, OPT),
    [RMI_F_OPERATIONS] = LOG_FIELD(R, operations, "operations", LOG_VEC_STRING, OPT),
    [RMI_F_CLASSES]    = LOG_FIELD(R, classes, "classes", LOG_VEC_STRING, OPT),
    [RMI_F_NAMES]      = LOG_FIELD(R, names, "names", LOG_VEC_STRING, OPT),
    [RMI_F_METHODS]    = LOG_FIELD(R, methods, "methods", LOG_VEC_STRING, OPT),
};
#undef R
#undef OPT

_Static_assert(RMI_F_RESP_P == 5, "LOG_COMMON_FIELDS fills indexes 0-5");

const struct log_schema rmi_log_schema = LOG_SCHEMA("rmi", rmi_log_fields);

enum rmi_phase {
    PH_START,       /* the client's header, or the server's ProtocolAck */
    PH_CLIENT_EP,   /* StreamProtocol: the client's endpoint after the ack */
    PH_MSG,         /* at a message's first byte */
    PH_STREAM,      /* inside a Call's or ReturnData's serialized stream */
    PH_OPAQUE,      /* MultiplexProtocol: framing we do not follow */
};

/* The message being read in one direction. */
struct rmi_msg {
    uint8_t          kind;       /* RMI_CALL or RMI_RETURN_DATA */
    bool             cut;        /* past RMI_FILE_MAX */
    struct file_ctx *file;
    uint64_t         file_len, file_over;
    uint16_t         raw_len;
    uint8_t          raw[RMI_RAW_MAX];
    struct rmi_scan  sc;
};

struct rmi_dir {
    uint8_t        phase;     /* enum rmi_phase */
    bool           lost;      /* a gap where framing matters: nothing more from this side */
    bool           tail_fed;  /* those bytes went to the message's file already */
    uint32_t       tail;      /* bytes left unconsumed at the last call; handed back first */
    uint32_t       skip;      /* of those, bytes of a message that has since ended */
    struct rmi_msg m;
};

struct rmi_state {
    bool            started, confirmed, has_version, multiplex;
    bool            warned_ops, warned_classes, warned_names;
    uint8_t         protocol;
    uint16_t        version;
    pw_time         ts;
    uint8_t         n_ops, n_calls, n_classes, n_names;
    uint8_t         ops[RMI_MAX_OPS];
    struct rmi_call calls[RMI_MAX_CALLS];
    uint16_t        class_off[RMI_MAX_CLASSES], class_len[RMI_MAX_CLASSES], pool_used;
    char            class_pool[RMI_CLASS_POOL];
    uint8_t         name_len[RMI_MAX_NAMES];
    char            names[RMI_MAX_NAMES][RMI_NAME_MAX];
    char            endpoint[RMI_EP_MAX], client_ep[RMI_EP_MAX];
    struct rmi_dir  d[2];
};

_Static_assert(sizeof(struct rmi_state) <= 8192, "RMI state stays in the 8 KiB class");

static struct parse_result result(enum parse_status status, size_t consumed, size_t needed)
{
    struct parse_result r = {status, (uint32_t)consumed, (uint32_t)needed};

    return r;
}

static struct parse_result violation(struct session *s, enum weird_id id, size_t off)
{
    session_weird(s, id, NULL);
    return result(PARSE_VIOLATION, off, 0);
}

static void confirm(struct session *s, struct rmi_state *st)
{
    if (st->confirmed)
        return;
    st->confirmed = true;
    session_confirm(s);
}

/* ---- what the connection saw ---- */

static void add_op(struct session *s, struct rmi_state *st, uint8_t op)
{
    if (st->n_ops < RMI_MAX_OPS) {
        st->ops[st->n_ops++] = op;
    } else if (!st->warned_ops) {
        st->warned_ops = true;
        session_weird(s, WEIRD_RMI_MAX_OPERATIONS, NULL);
    }
}

static void add_class(struct session *s, struct rmi_state *st, const uint8_t *name, size_t len)
{
    for (unsigned i = 0; i < st->n_classes; i++)
        if (st->class_len[i] == len && memcmp(st->class_pool + st->class_off[i], name, len) == 0)
            return;
    if (st->n_classes == RMI_MAX_CLASSES || len > RMI_CLASS_POOL - st->pool_used) {
        if (!st->warned_classes) {
            st->warned_classes = true;
            session_weird(s, WEIRD_RMI_MAX_CLASSES, NULL);
        }
        return;
    }
    memcpy(st->class_pool + st->pool_used, name, len);
    st->class_off[st->n_classes] = st->pool_used;
    st->class_len[st->n_classes++] = (uint16_t)len;
    st->pool_used = (uint16_t)(st->pool_used + len);
}

static void add_name(struct session *s, struct rmi_state *st, const uint8_t *name, size_t len)
{
    if (st->n_names == RMI_MAX_NAMES) {
        if (!st->warned_names) {
            st->warned_names = true;
            session_weird(s, WEIRD_RMI_MAX_NAMES, NULL);
        }
        return;
    }
    if (len > RMI_NAME_MAX)
        len = RMI_NAME_MAX;
    memcpy(st->names[st->n_names], name, len);
    st->name_len[st->n_names++] = (uint8_t)len;
}

/* ---- messages ---- */

static void referral(struct session *s, struct rmi_msg *m, enum flow_dir dir)
{
    const struct rmi_scan *sc = &m->sc;
    struct java_referral r;

    memset(&r, 0, sizeof(r));
    r.proto = "rmi";
    r.raw = m->raw;
    r.raw_len = m->raw_len;
    r.class_name = sc->refclass[0] != '\0' ? sc->refclass : sc->first[0] != '\0' ? sc->first : NULL;
    r.codebase = sc->codebase[0] != '\0' ? sc->codebase : NULL;
    r.factory = sc->factory[0] != '\0' ? sc->factory : NULL;
    r.serialized = true;
    session_java_referral(s, dir, &r);
}

static void msg_open(struct session *s, struct rmi_dir *d, enum flow_dir dir, uint8_t kind)
{
    struct rmi_msg *m = &d->m;

    m->kind = kind;
    m->cut = false;
    m->file_len = m->file_over = 0;
    m->raw[0] = kind;
    m->raw_len = 1;
    rmi_scan_init(&m->sc, kind);
    m->file = session_file_open(s, dir, "RMI", 0, NULL, 0);
    d->phase = PH_STREAM;
}

/* Stream bytes seen for the first time: to the detector's copy and to file analysis. */
static void msg_feed(struct session *s, struct rmi_msg *m, const uint8_t *p, size_t n)
{
    size_t k = n < (size_t)(RMI_RAW_MAX - m->raw_len) ? n : (size_t)(RMI_RAW_MAX - m->raw_len);

    memcpy(m->raw + m->raw_len, p, k);
    m->raw_len = (uint16_t)(m->raw_len + k);
    if (m->file == NULL)
        return;
    k = n < RMI_FILE_MAX - m->file_len ? n : (size_t)(RMI_FILE_MAX - m->file_len);
    if (k > 0)
        file_data(m->file, session_now(s), p, k);
    m->file_len += k;
    m->file_over += n - k;
    if (m->file_over > 0 && !m->cut) {
        m->cut = true;
        session_weird(s, WEIRD_RMI_SERIALIZED_TOO_LARGE, NULL);
    }
}

static void msg_close(struct session *s, struct rmi_dir *d, enum flow_dir dir)
{
    struct rmi_msg *m = &d->m;

    if (rmi_scan_finish(&m->sc))
        referral(s, m, dir);
    if (m->file != NULL) {
        if (m->file_over > 0)
            file_gap(m->file, m->file_over);   /* not hashed: missing, so no partial hash is logged */
        file_close(m->file, session_now(s));
        m->file = NULL;
    }
    d->phase = PH_MSG;
}

/* The other side speaks: dir's message, if one is open, is complete. Bytes of it we held back are
 * handed to us again at dir's next call; they are skipped then. */
static void msg_end_by_turn(struct session *s, struct rmi_state *st, enum flow_dir dir)
{
    struct rmi_dir *d = &st->d[dir];

    if (d->phase != PH_STREAM)
        return;
    msg_close(s, d, dir);
    d->skip = d->tail;
}

static void add_call(struct session *s, struct rmi_state *st, const struct rmi_call *c)
{
    if (st->n_calls < RMI_MAX_CALLS) {
        st->calls[st->n_calls++] = *c;
    } else if (!st->warned_ops) {
        st->warned_ops = true;
        session_weird(s, WEIRD_RMI_MAX_OPERATIONS, NULL);
    }
}

/* Scans a stream from off; returns where it stopped (len, or a token still cut short). */
static size_t scan(struct session *s, struct rmi_state *st, enum flow_dir dir, const uint8_t *data, size_t off,
                   size_t len)
{
    struct rmi_msg *m = &st->d[dir].m;
    struct rmi_event ev;
    enum rmi_ev e;

    while ((e = rmi_scan_next(&m->sc, data, len, &off, &ev)) != RMI_EV_END) {
        switch (e) {
        case RMI_EV_CALL:
            add_call(s, st, &ev.call);
            break;
        case RMI_EV_CLASS:
            add_class(s, st, ev.name, ev.name_len);
            break;
        case RMI_EV_NAME:
            add_name(s, st, ev.name, ev.name_len);
            break;
        case RMI_EV_REFERRAL:
            referral(s, m, dir);
            break;
        default:
            break;
        }
    }
    return off;
}

/* ---- framing ---- */

static struct parse_result start_orig(struct session *s, struct rmi_state *st, struct rmi_dir *d, const uint8_t *p,
                                      size_t n, size_t off)
{
    uint16_t version;
    uint8_t protocol;
    enum rmi_read r = rmi_header_read(p, n, &version, &protocol);

    if (r == RMI_READ_NEED)
        return result(PARSE_OK, off, RMI_HEADER_LEN);
    if (r == RMI_READ_BAD) {
        if (p[0] == RMI_CALL || p[0] == RMI_PING || p[0] == RMI_DGC_ACK) {
            d->phase = PH_MSG;   /* picked up after the handshake */
            return result(PARSE_OK, off, 0);
        }
        if (n >= 4 && memcmp(p, "JRMI", 4) == 0)
            return violation(s, WEIRD_RMI_BAD_PROTOCOL, off);
        return violation(s, WEIRD_RMI_BAD_MAGIC, off);
    }
    st->version = version;
    st->has_version = true;
    st->protocol = protocol;
    confirm(s, st);
    if (protocol == RMI_STREAM_PROTOCOL) {
        d->phase = PH_CLIENT_EP;
    } else if (protocol == RMI_SINGLE_OP_PROTOCOL) {
        d->phase = PH_MSG;
    } else {
        st->multiplex = true;
        d->phase = PH_OPAQUE;
    }
    return result(PARSE_OK, off + RMI_HEADER_LEN, 0);
}

static struct parse_result start_resp(struct session *s, struct rmi_state *st, struct rmi_dir *d, const uint8_t *p,
                                      size_t n, size_t off)
{
    char host[RMI_HOST_MAX + 1];
    uint16_t port;
    size_t size;
    enum rmi_read r;

    switch (p[0]) {
    case RMI_PROTOCOL_ACK:
        r = rmi_endpoint_read(p + 1, n - 1, host, &port, &size);
        if (r == RMI_READ_NEED)
            return result(PARSE_OK, off, 0);
        if (r == RMI_READ_BAD)
            return violation(s, WEIRD_RMI_BAD_ENDPOINT, off);
        rmi_endpoint_text(host, port, st->endpoint, sizeof(st->endpoint));
        confirm(s, st);
        d->phase = st->multiplex ? PH_OPAQUE : PH_MSG;
        return result(PARSE_OK, off + 1 + size, 0);
    case RMI_PROTOCOL_NACK:
        session_weird(s, WEIRD_RMI_PROTOCOL_NOT_SUPPORTED, NULL);
        d->phase = PH_MSG;
        return result(PARSE_OK, off + 1, 0);
    case RMI_RETURN_DATA:
    case RMI_PING_ACK:
        d->phase = PH_MSG;   /* SingleOpProtocol, or picked up after the handshake */
        return result(PARSE_OK, off, 0);
    default:
        return violation(s, WEIRD_RMI_UNKNOWN_MESSAGE, off);
    }
}

static struct parse_result client_endpoint(struct session *s, struct rmi_state *st, struct rmi_dir *d,
                                           const uint8_t *p, size_t n, size_t off)
{
    char host[RMI_HOST_MAX + 1];
    uint16_t port;
    size_t size;
    enum rmi_read r = rmi_endpoint_read(p, n, host, &port, &size);

    if (r == RMI_READ_NEED)
        return result(PARSE_OK, off, 0);
    if (r == RMI_READ_BAD)
        return violation(s, WEIRD_RMI_BAD_ENDPOINT, off);
    rmi_endpoint_text(host, port, st->client_ep, sizeof(st->client_ep));
    d->phase = PH_MSG;
    return result(PARSE_OK, off + size, 0);
}

static struct parse_result message(struct session *s, struct rmi_state *st, struct rmi_dir *d, enum flow_dir dir,
                                   const uint8_t *p, size_t n, size_t off)
{
    static const uint8_t stream_magic[RMI_STREAM_MAGIC_LEN] = {0xac, 0xed, 0x00, 0x05};
    uint8_t b = p[0];
    bool orig = dir == FLOW_DIR_ORIG;

    if ((orig && b == RMI_CALL) || (!orig && b == RMI_RETURN_DATA)) {
        if (n < 1 + RMI_STREAM_MAGIC_LEN)
            return result(PARSE_OK, off, 1 + RMI_STREAM_MAGIC_LEN);
        if (memcmp(p + 1, stream_magic, RMI_STREAM_MAGIC_LEN) != 0)
            return violation(s, WEIRD_RMI_BAD_STREAM_MAGIC, off);
        confirm(s, st);
        add_op(s, st, b);
        msg_open(s, d, dir, b);
        return result(PARSE_OK, off + 1, 0);
    }
    if ((orig && b == RMI_PING) || (!orig && b == RMI_PING_ACK)) {
        add_op(s, st, b);
        return result(PARSE_OK, off + 1, 0);
    }
    if (orig && b == RMI_DGC_ACK) {
        if (n < RMI_DGC_ACK_LEN)
            return result(PARSE_OK, off, RMI_DGC_ACK_LEN);
        add_op(s, st, b);
        return result(PARSE_OK, off + RMI_DGC_ACK_LEN, 0);
    }
    return violation(s, WEIRD_RMI_UNKNOWN_MESSAGE, off);
}

/* fed: bytes at the start of data that went to the open message's file at an earlier call. */
static struct parse_result run(struct session *s, struct rmi_state *st, enum flow_dir dir, const uint8_t *data,
                               size_t len, size_t off, size_t fed)
{
    struct rmi_dir *d = &st->d[dir];

    while (off < len) {
        const uint8_t *p = data + off;
        size_t n = len - off;
        struct parse_result r;
        uint8_t before = d->phase;

        switch (d->phase) {
        case PH_START:
            r = dir == FLOW_DIR_ORIG ? start_orig(s, st, d, p, n, off) : start_resp(s, st, d, p, n, off);
            break;
        case PH_CLIENT_EP:
            r = client_endpoint(s, st, d, p, n, off);
            break;
        case PH_MSG:
            r = message(s, st, d, dir, p, n, off);
            break;
        case PH_STREAM: {
            size_t from = off > fed ? off : fed;

            /* The rest of what this side sent is this message's, until the other side speaks. */
            if (from < len)
                msg_feed(s, &d->m, data + from, len - from);
            return result(PARSE_OK, scan(s, st, dir, data, off, len), 0);
        }
        default:
            return result(PARSE_OK, len, 0);
        }
        /* Stop on a violation, when waiting for bytes, or when nothing moved. */
        if (r.status != PARSE_OK || r.needed > 0 || (r.consumed == off && d->phase == before))
            return r;
        off = r.consumed;
    }
    return result(PARSE_OK, off, 0);
}

static struct parse_result rmi_parse(struct session *s, void *state, enum flow_dir dir, const uint8_t *data,
                                     size_t len)
{
    struct rmi_state *st = state;
    struct rmi_dir *d = &st->d[dir];
    size_t held = d->tail < len ? d->tail : len, off = 0;
    struct parse_result r;

    if (!st->started) {
        st->started = true;
        st->ts = session_now(s);
    }
    if (len > held)
        msg_end_by_turn(s, st, dir == FLOW_DIR_ORIG ? FLOW_DIR_RESP : FLOW_DIR_ORIG);
    if (d->lost) {
        d->tail = 0;
        return result(PARSE_OK, len, 0);
    }
    if (d->skip > 0) {
        off = d->skip < len ? d->skip : len;
        d->skip -= (uint32_t)off;
    }
    r = run(s, st, dir, data, len, off, d->tail_fed ? held : 0);
    d->tail = r.status == PARSE_OK ? (uint32_t)(len - r.consumed) : 0;
    d->tail_fed = d->phase == PH_STREAM;   /* a stream feeds all it is given; nothing else does */
    return r;
}

static void rmi_gap(struct session *s, void *state, enum flow_dir dir, uint64_t len)
{
    struct rmi_state *st = state;
    struct rmi_dir *d = &st->d[dir];

    /* The session dropped what it held for us. */
    d->tail = 0;
    d->tail_fed = false;
    d->skip = 0;
    if (d->phase != PH_STREAM) {
        d->lost = true;
        return;
    }
    /* Inside a stream only bytes are lost: the message still ends when the other side speaks. */
    if (d->m.file != NULL)
        file_gap(d->m.file, len);
    rmi_scan_lost(&d->m.sc);
}

/* ---- rmi.log ---- */

static const char *op_name(uint8_t op)
{
    switch (op) {
    case RMI_CALL: return "Call";
    case RMI_RETURN_DATA: return "ReturnData";
    case RMI_PING: return "Ping";
    case RMI_PING_ACK: return "PingAck";
    default: return "DgcAck";
    }
}

static void write_row(struct session *s, struct rmi_state *st)
{
    struct rmi_record r;
    struct log_str ops[RMI_MAX_OPS], classes[RMI_MAX_CLASSES], names[RMI_MAX_NAMES], methods[RMI_MAX_CALLS];
    char mtext[RMI_MAX_CALLS][RMI_METHOD_MAX];
    const char *ep = st->endpoint[0] != '\0' ? st->endpoint : st->client_ep;

    memset(&r, 0, sizeof(r));
    r.ts = st->ts;
    session_conn_id(s, &r.uid, &r.id);
    if (st->has_version) {
        r.version = st->version;
        log_mark(&r.log_set, RMI_F_VERSION);
        r.protocol = log_str_from(rmi_protocol_name(st->protocol), strlen(rmi_protocol_name(st->protocol)));
        log_mark(&r.log_set, RMI_F_PROTOCOL);
    }
    if (ep[0] != '\0') {
        r.endpoint = log_str_from(ep, strlen(ep));
        log_mark(&r.log_set, RMI_F_ENDPOINT);
    }
    for (unsigned i = 0; i < st->n_ops; i++)
        ops[i] = log_str_from(op_name(st->ops[i]), strlen(op_name(st->ops[i])));
    for (unsigned i = 0; i < st->n_classes; i++)
        classes[i] = log_str_from(st->class_pool + st->class_off[i], st->class_len[i]);
    for (unsigned i = 0; i < st->n_names; i++)
        names[i] = log_str_from(st->names[i], st->name_len[i]);
    for (unsigned i = 0; i < st->n_calls; i++)
        methods[i] = log_str_from(mtext[i], rmi_method_text(&st->calls[i], mtext[i], sizeof(mtext[i])));
    r.operations = (struct log_str_list){ops, st->n_ops};
    r.classes = (struct log_str_list){classes, st->n_classes};
    r.names = (struct log_str_list){names, st->n_names};
    r.methods = (struct log_str_list){methods, st->n_calls};
    if (st->n_ops > 0)
        log_mark(&r.log_set, RMI_F_OPERATIONS);
    if (st->n_classes > 0)
        log_mark(&r.log_set, RMI_F_CLASSES);
    if (st->n_names > 0)
        log_mark(&r.log_set, RMI_F_NAMES);
    if (st->n_calls > 0)
        log_mark(&r.log_set, RMI_F_METHODS);
    (void)session_log(s, &rmi_log_schema, &r);
}

static void rmi_end(struct session *s, void *state)
{
    struct rmi_state *st = state;

    for (int dir = 0; dir < 2; dir++)
        if (st->d[dir].phase == PH_STREAM)
            msg_close(s, &st->d[dir], (enum flow_dir)dir);
    if (st->confirmed)
        write_row(s, st);
    st->confirmed = false;   /* one row, even if end were called twice */
}

/* ---- probe ---- */

static enum probe_result rmi_probe(const uint8_t *data, size_t len, enum flow_dir dir, unsigned transport)
{
    switch (rmi_probe_read(data, len, dir == FLOW_DIR_ORIG)) {
    case RMI_READ_OK: return PROBE_YES;
    case RMI_READ_NEED: return PROBE_NEED_MORE;
    default: return PROBE_NO;
    }
}

static const uint16_t rmi_ports[] = {1099, 0};

static const struct log_schema *const rmi_logs[] = {&rmi_log_schema, NULL};

const struct analyzer rmi_analyzer = {
    .name        = "rmi",
    .zeek_name   = "RMI",
    .transports  = TRANSPORT_TCP,
    .port_hints  = rmi_ports,
    .probe_limit = 2 + RMI_HOST_MAX + 4 + 1,
    .max_pending = 256u << 10,   /* we hold back a few KiB, but what follows comes with it */
    .state_size  = sizeof(struct rmi_state),
    .probe       = rmi_probe,
    .parse       = rmi_parse,
    .gap         = rmi_gap,
    .end         = rmi_end,
    .logs        = rmi_logs,
};
