/* proto/ldap.c - the LDAP analyzer (TCP): framing, SASL wrapping, per-messageID state, and
 * ldap.log / ldap_search.log as Zeek's base/protocols/ldap/main.zeek writes them. */
#include <stdio.h>
#include <string.h>

#include "detect/jndi.h"
#include "files/files.h"
#include "proto/analyzer.h"
#include "proto/ldap_int.h"
#include "proto/session.h"
#include "util/bytes.h"

#define LDAP_PENDING    10    /* Zeek's LDAP::max_pending_messages / max_pending_searches */
#define PEND_TEXT       256   /* bytes kept of a pending row's DN, diagnostic, argument */
#define PEND_FILTER     512
#define SASL_MAX        (BER_MAX_MESSAGE + 4)
#define KRB5_WRAP_HDR   16
#define LDAP_LARGE      (64u << 10)   /* messages above this are not held whole if we can help it */    /* tok_id, flags, filler, ec, rrc, snd_seq */

#define STARTTLS_OID "1.3.6.1.4.1.1466.20037"
#define WHOAMI_OID   "1.3.6.1.4.1.4203.1.11.3"

#define OPT LOG_OPTIONAL

#define R struct ldap_record
static const struct log_field ldap_log_fields[LDAP_F_COUNT] = {
    LOG_COMMON_FIELDS(R),
    [LDAP_F_MESSAGE_ID] = LOG_FIELD(R, message_id, "message_id", LOG_INT, OPT),
    [LDAP_F_VERSION]    = LOG_FIELD(R, version, "version", LOG_INT, OPT),
    [LDAP_F_OPCODE]     = LOG_FIELD(R, opcode, "opcode", LOG_STRING, OPT),
    [LDAP_F_RESULT]     = LOG_FIELD(R, result, "result", LOG_STRING, OPT),
    [LDAP_F_DIAG]       = LOG_FIELD(R, diagnostic_message, "diagnostic_message", LOG_STRING, OPT),
    [LDAP_F_OBJECT]     = LOG_FIELD(R, object, "object", LOG_STRING, OPT),
    [LDAP_F_ARGUMENT]   = LOG_FIELD(R, argument, "argument", LOG_STRING, OPT),
};
#undef R

#define R struct ldap_search_record
static const struct log_field ldap_search_log_fields[LDAPS_F_COUNT] = {
    LOG_COMMON_FIELDS(R),
    [LDAPS_F_MESSAGE_ID]   = LOG_FIELD(R, message_id, "message_id", LOG_INT, OPT),
    [LDAPS_F_SCOPE]        = LOG_FIELD(R, scope, "scope", LOG_STRING, OPT),
    [LDAPS_F_DEREF]        = LOG_FIELD(R, deref_aliases, "deref_aliases", LOG_STRING, OPT),
    [LDAPS_F_BASE]         = LOG_FIELD(R, base_object, "base_object", LOG_STRING, OPT),
    [LDAPS_F_RESULT_COUNT] = LOG_FIELD(R, result_count, "result_count", LOG_COUNT, OPT),
    [LDAPS_F_RESULT]       = LOG_FIELD(R, result, "result", LOG_STRING, OPT),
    [LDAPS_F_DIAG]         = LOG_FIELD(R, diagnostic_message, "diagnostic_message", LOG_STRING, OPT),
    [LDAPS_F_FILTER]       = LOG_FIELD(R, filter, "filter", LOG_STRING, OPT),
    [LDAPS_F_ATTRIBUTES]   = LOG_FIELD(R, attributes, "attributes", LOG_VEC_STRING, OPT),
};
#undef R
#undef OPT

_Static_assert(LDAP_F_RESP_P == 5 && LDAPS_F_RESP_P == 5, "LOG_COMMON_FIELDS fills indexes 0-5");

const struct log_schema ldap_log_schema = LOG_SCHEMA("ldap", ldap_log_fields);
const struct log_schema ldap_search_log_schema = LOG_SCHEMA("ldap_search", ldap_search_log_fields);

/* How the bytes after a bind are framed (Zeek's MessageMode). */
enum ldap_mode {
    MODE_PLAIN,           /* LDAPMessages */
    MODE_MAYBE_ENCRYPTED, /* a SASL bind succeeded: the next message decides */
    MODE_KRB5,            /* 4-byte length, Kerberos WRAP token, LDAPMessages if only signed */
    MODE_ENCRYPTED,       /* 4-byte length, opaque */
    MODE_TLS,             /* StartTLS done: nothing more for us */
};

/* One LDAP::MessageInfo. */
/* What both pending tables keep of a record: its key and its age. First member of each record. */
struct pend_head {
    bool     in_use;
    uint32_t seq;        /* creation order: the oldest goes first */
    pw_time  ts;
    int64_t  id;
};

struct pend_msg {
    struct pend_head head;
    bool        has_version, has_result;
    int64_t     version, result;
    const char *opcode;   /* static text, NULL while unset */
    uint16_t    diag_len, object_len, arg_len;
    char        diag[PEND_TEXT], object[PEND_TEXT], arg[PEND_TEXT];
};

/* One LDAP::SearchInfo. */
struct pend_search {
    struct pend_head head;
    bool     has_filter, has_result;
    int64_t  scope, deref, result;
    uint64_t count;
    uint16_t base_len, diag_len, filter_len;
    char     base[PEND_TEXT], diag[PEND_TEXT], filter[PEND_FILTER];
};

struct ldap_state {
    enum ldap_mode     mode;
    bool               lost[2];      /* a gap: this side's framing is gone */
    bool               confirmed, starttls;
    uint32_t           skip[2];      /* bytes still to skip: an opaque SASL blob, a token trailer */
    uint32_t           krb_left[2];  /* MODE_KRB5: LDAP bytes left in the current signed token */
    uint32_t           krb_trail[2]; /* MODE_KRB5: its trailer, skipped after them */
    uint32_t           seq;
    uint16_t           mech_len;
    char               mech[LDAP_MECH_MAX];
    struct ldap_msg    msg;          /* scratch for the message being decoded */
    struct pend_msg    msgs[LDAP_PENDING];
    struct pend_search searches[LDAP_PENDING];
};

_Static_assert(sizeof(struct ldap_state) <= 32768, "LDAP state stays bounded");
_Static_assert(offsetof(struct pend_msg, head) == 0 && offsetof(struct pend_search, head) == 0,
               "a pending record starts with its pend_head");

/* ---- rows ---- */

static void write_msg(struct session *s, struct pend_msg *m)
{
    struct ldap_record r;

    memset(&r, 0, sizeof(r));
    r.ts = m->head.ts;
    session_conn_id(s, &r.uid, &r.id);
    r.message_id = m->head.id;
    log_mark(&r.log_set, LDAP_F_MESSAGE_ID);
    if (m->has_version) {
        r.version = m->version;
        log_mark(&r.log_set, LDAP_F_VERSION);
    }
    if (m->opcode != NULL) {
        r.opcode = log_str_from(m->opcode, strlen(m->opcode));
        log_mark(&r.log_set, LDAP_F_OPCODE);
    }
    if (m->has_result) {
        const char *t = ldap_result_name(m->result);

        r.result = log_str_from(t, strlen(t));
        log_mark(&r.log_set, LDAP_F_RESULT);
    }
    if (m->diag_len > 0) {
        r.diagnostic_message = log_str_from(m->diag, m->diag_len);
        log_mark(&r.log_set, LDAP_F_DIAG);
    }
    if (m->object_len > 0) {
        r.object = log_str_from(m->object, m->object_len);
        log_mark(&r.log_set, LDAP_F_OBJECT);
    }
    if (m->arg_len > 0) {
        r.argument = log_str_from(m->arg, m->arg_len);
        log_mark(&r.log_set, LDAP_F_ARGUMENT);
    }
    (void)session_log(s, &ldap_log_schema, &r);
    m->head.in_use = false;
}

static void write_search(struct session *s, struct pend_search *q)
{
    struct ldap_search_record r;

    memset(&r, 0, sizeof(r));
    r.ts = q->head.ts;
    session_conn_id(s, &r.uid, &r.id);
    r.message_id = q->head.id;
    log_mark(&r.log_set, LDAPS_F_MESSAGE_ID);
    if (q->scope >= 0) {
        const char *t = ldap_scope_name(q->scope);

        r.scope = log_str_from(t, strlen(t));
        log_mark(&r.log_set, LDAPS_F_SCOPE);
    }
    if (q->deref >= 0) {
        const char *t = ldap_deref_name(q->deref);

        r.deref_aliases = log_str_from(t, strlen(t));
        log_mark(&r.log_set, LDAPS_F_DEREF);
    }
    if (q->base_len > 0) {
        r.base_object = log_str_from(q->base, q->base_len);
        log_mark(&r.log_set, LDAPS_F_BASE);
    }
    r.result_count = q->count;
    log_mark(&r.log_set, LDAPS_F_RESULT_COUNT);
    if (q->has_result) {
        const char *t = ldap_result_name(q->result);

        r.result = log_str_from(t, strlen(t));
        log_mark(&r.log_set, LDAPS_F_RESULT);
    }
    if (q->diag_len > 0) {
        r.diagnostic_message = log_str_from(q->diag, q->diag_len);
        log_mark(&r.log_set, LDAPS_F_DIAG);
    }
    if (q->has_filter) {
        r.filter = log_str_from(q->filter, q->filter_len);
        log_mark(&r.log_set, LDAPS_F_FILTER);
    }
    (void)session_log(s, &ldap_search_log_schema, &r);
    q->head.in_use = false;
}

/* ---- pending tables (Zeek's c$ldap$messages and c$ldap$searches) ---- */

/* Both tables are arrays of LDAP_PENDING records of `stride` bytes, each led by a pend_head. */
static struct pend_head *pend_at(void *table, size_t stride, int i)
{
    return (struct pend_head *)((char *)table + (size_t)i * stride);
}

/* The live record of id, or NULL with *free_slot a free record (NULL when the table is full). */
static struct pend_head *pend_find(void *table, size_t stride, int64_t id, struct pend_head **free_slot)
{
    *free_slot = NULL;
    for (int i = 0; i < LDAP_PENDING; i++) {
        struct pend_head *h = pend_at(table, stride, i);

        if (h->in_use && h->id == id)
            return h;
        if (!h->in_use && *free_slot == NULL)
            *free_slot = h;
    }
    return NULL;
}

/* The live record created first, or NULL when none is live. */
static struct pend_head *pend_oldest(void *table, size_t stride)
{
    struct pend_head *oldest = NULL;

    for (int i = 0; i < LDAP_PENDING; i++) {
        struct pend_head *h = pend_at(table, stride, i);

        if (h->in_use && (oldest == NULL || h->seq < oldest->seq))
            oldest = h;
    }
    return oldest;
}

/* A fresh record: cleared up to `clear` bytes (its text buffers are rewritten before use). */
static void pend_start(struct session *s, struct ldap_state *st, struct pend_head *h, size_t clear, int64_t id)
{
    memset(h, 0, clear);
    h->in_use = true;
    h->seq = st->seq++;
    h->ts = session_now(s);
    h->id = id;
}

static struct pend_msg *get_msg(struct session *s, struct ldap_state *st, int64_t id)
{
    struct pend_head *free_slot, *h = pend_find(st->msgs, sizeof(st->msgs[0]), id, &free_slot);

    if (h != NULL)
        return (struct pend_msg *)h;
    if (free_slot == NULL) {
        session_weird(s, WEIRD_LDAP_MAX_PENDING_MESSAGES, NULL);
        free_slot = pend_oldest(st->msgs, sizeof(st->msgs[0]));
        write_msg(s, (struct pend_msg *)free_slot);
    }
    pend_start(s, st, free_slot, offsetof(struct pend_msg, diag), id);
    return (struct pend_msg *)free_slot;
}

static struct pend_search *get_search(struct session *s, struct ldap_state *st, int64_t id)
{
    struct pend_head *free_slot, *h = pend_find(st->searches, sizeof(st->searches[0]), id, &free_slot);
    struct pend_search *q;

    if (h != NULL)
        return (struct pend_search *)h;
    if (free_slot == NULL) {
        session_weird(s, WEIRD_LDAP_MAX_PENDING_SEARCHES, NULL);
        free_slot = pend_oldest(st->searches, sizeof(st->searches[0]));
        write_search(s, (struct pend_search *)free_slot);
    }
    pend_start(s, st, free_slot, offsetof(struct pend_search, base), id);
    q = (struct pend_search *)free_slot;
    q->scope = q->deref = -1;
    return q;
}

static uint16_t keep(char *dst, size_t size, const char *src, size_t len)
{
    if (len > size)
        len = size;
    memcpy(dst, src, len);
    return (uint16_t)len;
}

/* ---- one decoded message: main.zeek's event handlers ---- */

static void on_search(struct session *s, struct ldap_state *st, const struct ldap_msg *m)
{
    struct pend_search *q = get_search(s, st, m->id);

    if (m->op == LDAP_OP_SEARCH_REQ) {
        q->scope = m->scope;
        q->deref = m->deref;
        if (m->object_len > 0)
            q->base_len = keep(q->base, sizeof(q->base), m->object, m->object_len);
        q->has_filter = true;
        q->filter_len = keep(q->filter, sizeof(q->filter), m->filter, m->filter_len);
    } else if (m->op == LDAP_OP_SEARCH_ENTRY) {
        q->count++;
    } else {
        if (m->has_result) {
            q->has_result = true;
            q->result = m->result;
        }
        if (m->diag_len > 0)
            q->diag_len = keep(q->diag, sizeof(q->diag), m->diag, m->diag_len);
        write_search(s, q);
    }
}

static bool op_finishes(int op)
{
    switch (op) {
    case LDAP_OP_BIND_RESP: case LDAP_OP_UNBIND_REQ: case LDAP_OP_MODIFY_RESP: case LDAP_OP_ADD_RESP:
    case LDAP_OP_DEL_RESP: case LDAP_OP_MODDN_RESP: case LDAP_OP_COMPARE_RESP: case LDAP_OP_ABANDON_REQ:
    case LDAP_OP_EXT_RESP:
        return true;
    default:
        return false;
    }
}

static const char *cstr(char *buf, size_t size, const char *p, size_t n)
{
    if (n == 0)
        return NULL;
    snprintf(buf, size, "%.*s", (int)n, p);
    return buf;
}

/* For the Log4Shell detector: an entry that is a JNDI referral, or a lookup string in what a
 * client sent (a Java service may log a bind DN or a filter value). */
static void detect_message(struct session *s, struct ldap_state *st, enum flow_dir dir, const uint8_t *p, size_t n)
{
    const struct ldap_msg *m = &st->msg;

    if (m->op == LDAP_OP_SEARCH_ENTRY && m->java) {
        char cls[LDAP_JAVA_MAX + 1], base[LDAP_JAVA_MAX + 1], fac[LDAP_JAVA_MAX + 1];
        struct java_referral r = {
            .proto = "ldap", .raw = p, .raw_len = n,
            .class_name = cstr(cls, sizeof(cls), m->java_class, m->java_class_len),
            .codebase = cstr(base, sizeof(base), m->java_codebase, m->java_codebase_len),
            .factory = cstr(fac, sizeof(fac), m->java_factory, m->java_factory_len),
            .serialized = m->java_serialized,
        };

        session_java_referral(s, dir, &r);
        if (m->java_data_len > 0) {
            /* The serialized object a lookup would deserialize: a file, typed and hashed. */
            struct file_ctx *f = session_file_open(s, dir, "LDAP", m->java_data_len, NULL, 0);

            if (f != NULL) {
                file_data(f, session_now(s), m->java_data, m->java_data_len);
                file_close(f, session_now(s));
            }
        }
    } else if (m->request && memchr(p, '$', n) != NULL) {
        struct jndi_hit hits[2];
        int k = jndi_scan(p, n, hits, 2);

        for (int i = 0; i < k && i < 2; i++) {
            struct lookup_attempt a = {.where = ATTEMPT_PAYLOAD, .proto = "ldap", .value = p, .value_len = n,
                                       .hit = &hits[i]};

            (void)session_lookup_attempt(s, dir, &a);
        }
    }
}

/* The tokens a SASL or Sicily bind carries are other protocols, which Zeek analyzes and lists in
 * conn.log's service: NTLM (NTLMSSP), and Kerberos inside GSSAPI (the krb5 mechanism OID). */
static void auth_services(struct session *s, const struct ldap_msg *m)
{
    static const uint8_t ntlmssp[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    static const uint8_t krb5_oid[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02};

    if (m->auth_data == NULL || m->auth_data_len == 0)
        return;
    if (memmem(m->auth_data, m->auth_data_len, ntlmssp, sizeof(ntlmssp)) != NULL)
        session_add_service(s, "ntlm");
    if (memmem(m->auth_data, m->auth_data_len, krb5_oid, sizeof(krb5_oid)) != NULL) {
        session_add_service(s, "krb");
        session_add_service(s, "gssapi");
    }
}

static const char *ext_name(const char *oid, size_t len)
{
    if (len == sizeof(STARTTLS_OID) - 1 && memcmp(oid, STARTTLS_OID, len) == 0)
        return "StartTLS";
    if (len == sizeof(WHOAMI_OID) - 1 && memcmp(oid, WHOAMI_OID, len) == 0)
        return "whoami";
    return "unknown";
}

static void on_message(struct session *s, struct ldap_state *st, const struct ldap_msg *m)
{
    struct pend_msg *p;
    const char      *name;

    if (m->op == LDAP_OP_SEARCH_REQ || m->op == LDAP_OP_SEARCH_ENTRY || m->op == LDAP_OP_SEARCH_DONE) {
        on_search(s, st, m);
        return;
    }
    if (m->op == LDAP_OP_SEARCH_REF)
        return;
    p = get_msg(s, st, m->id);
    name = ldap_opcode_name(m->op);
    if (m->op == LDAP_OP_BIND_REQ) {
        if (!p->has_version) {
            p->version = m->version;
            p->has_version = true;
        }
        switch (m->auth) {
        case LDAP_AUTH_SIMPLE: p->opcode = "bind simple"; break;
        case LDAP_AUTH_SASL: p->opcode = "bind SASL"; break;
        case LDAP_AUTH_SICILY_NEGOTIATE: p->opcode = "sicily_negotiate"; break;
        case LDAP_AUTH_SICILY_RESPONSE: p->opcode = "sicily_response"; break;
        default: p->opcode = "unknown"; break;
        }
        if (m->auth == LDAP_AUTH_SASL && m->mech_len > 0)
            st->mech_len = keep(st->mech, sizeof(st->mech), m->mech, m->mech_len);
        auth_services(s, m);
    } else if (strcmp(name, "bind") != 0) {
        if (p->opcode != NULL && strcmp(p->opcode, name) != 0)
            session_weird(s, WEIRD_LDAP_MESSAGE_OPCODE_CHANGE, NULL);
        p->opcode = name;
    } else if (p->opcode == NULL) {
        session_weird(s, WEIRD_LDAP_BIND_WITHOUT_OPCODE, NULL);
        p->opcode = name;
    }
    if (m->has_result) {
        if (p->has_result && p->result != m->result)
            session_weird(s, WEIRD_LDAP_MESSAGE_RESULT_CHANGE, NULL);
        p->has_result = true;
        p->result = m->result;
    }
    if (m->diag_len > 0)
        p->diag_len = keep(p->diag, sizeof(p->diag), m->diag, m->diag_len);
    if (m->object_len > 0) {
        p->object_len = keep(p->object, sizeof(p->object), m->object, m->object_len);
        if (m->op == LDAP_OP_EXT_REQ) {
            int n = snprintf(p->object + p->object_len, sizeof(p->object) - p->object_len, " (%s)",
                             ext_name(m->object, m->object_len));

            if (n > 0)
                p->object_len = (uint16_t)(p->object_len + (size_t)n < sizeof(p->object)
                                               ? p->object_len + (size_t)n : sizeof(p->object) - 1);
        }
    }
    if (m->arg_len > 0) {
        if (p->opcode != NULL && strcmp(p->opcode, "bind simple") == 0)
            p->arg_len = keep(p->arg, sizeof(p->arg), "REDACTED", 8);
        else
            p->arg_len = keep(p->arg, sizeof(p->arg), m->arg, m->arg_len);
    }
    /* The framing of what follows (Zeek's MessageMode changes). */
    if (m->op == LDAP_OP_BIND_RESP && m->has_result && m->result == 0 && st->mech_len > 0) {
        st->mode = MODE_MAYBE_ENCRYPTED;
        if (m->has_serversaslcreds_krb5 && st->mech_len == 10 && memcmp(st->mech, "GSS-SPNEGO", 10) == 0)
            st->mode = MODE_KRB5;
    }
    if (m->op == LDAP_OP_EXT_REQ && m->object_len == sizeof(STARTTLS_OID) - 1 &&
        memcmp(m->object, STARTTLS_OID, m->object_len) == 0)
        st->starttls = true;
    if (m->op == LDAP_OP_EXT_RESP && st->starttls && m->has_result && m->result == 0)
        st->mode = MODE_TLS;
    if (op_finishes(m->op))
        write_msg(s, p);
}

/* ---- framing ---- */

#define KRB5_BAD  ((size_t)-1)
#define KRB5_NEED ((size_t)1 << 40)   /* KRB5_NEED + k: wait until k bytes are there */

/* The start of a SASL buffer holding a Kerberos WRAP token (RFC 4121 4.2.6.2). Returns the bytes
 * of framing consumed; what follows is skipped (sealed, other tokens) or parsed as LDAPMessages
 * (signed only), then the trailer is skipped. Large tokens are thus never held whole. */
static size_t krb5_token_start(struct session *s, struct ldap_state *st, enum flow_dir dir, const uint8_t *p,
                               size_t n)
{
    uint32_t blen;
    uint16_t ec, rrc;
    size_t   head_ec = 0, trail_ec = 0;
    bool     sealed;

    if (n < 6)
        return KRB5_NEED + 6;
    blen = rd_be32(p);
    if (blen > BER_MAX_MESSAGE) {
        session_weird(s, WEIRD_LDAP_MESSAGE_TOO_LARGE, NULL);
        return KRB5_BAD;
    }
    if (blen < 2 || rd_be16(p + 4) != 0x0504) {
        st->skip[dir] = blen;   /* some other token: skipped, as Zeek does */
        return 4;
    }
    if (blen < KRB5_WRAP_HDR)
        return KRB5_BAD;
    if (n < 4 + KRB5_WRAP_HDR)
        return KRB5_NEED + 4 + KRB5_WRAP_HDR;
    if (p[7] != 0xff)
        return KRB5_BAD;
    sealed = (p[6] & 0x02) != 0;
    ec = rd_be16(p + 8);
    rrc = rd_be16(p + 10);
    if (sealed) {
        st->skip[dir] = blen;
        return 4;
    }
    if (rrc == ec)
        head_ec = ec;
    else if (rrc == 0)
        trail_ec = ec;
    else
        return KRB5_BAD;
    if (KRB5_WRAP_HDR + head_ec + trail_ec > blen)
        return KRB5_BAD;
    if (n < 4 + KRB5_WRAP_HDR + head_ec)
        return KRB5_NEED + 4 + KRB5_WRAP_HDR + head_ec;
    st->krb_left[dir] = (uint32_t)(blen - KRB5_WRAP_HDR - head_ec - trail_ec);
    st->krb_trail[dir] = (uint32_t)trail_ec;
    if (st->krb_left[dir] == 0)
        st->skip[dir] = (uint32_t)trail_ec;
    return 4 + KRB5_WRAP_HDR + head_ec;
}

/* A message too large to hold whose content we do not log (a search entry with big values): its
 * start is counted, the rest skipped. */
static bool skip_large(struct session *s, struct ldap_state *st, enum flow_dir dir, const uint8_t *p, size_t n,
                       size_t total)
{
    int64_t id;
    int     op;

    if (!ldap_msg_peek(p, n, &id, &op) ||
        (op != LDAP_OP_SEARCH_ENTRY && op != LDAP_OP_SEARCH_REF && op != LDAP_OP_INTERMEDIATE))
        return false;
    memset(&st->msg, 0, offsetof(struct ldap_msg, diag));
    st->msg.id = id;
    st->msg.op = op;
    on_message(s, st, &st->msg);
    st->skip[dir] = (uint32_t)(total - n);
    return true;
}

static struct parse_result result(enum parse_status status, size_t consumed, size_t needed)
{
    struct parse_result r = { status, (uint32_t)consumed, (uint32_t)needed };

    return r;
}

static struct parse_result ldap_parse(struct session *s, void *state, enum flow_dir dir, const uint8_t *data,
                                      size_t len)
{
    struct ldap_state *st = state;
    size_t             off = 0;
    bool               udp = session_transport(s) == TRANSPORT_UDP;

    if (st->lost[dir])
        return result(PARSE_OK, len, 0);
    while (off < len) {
        const uint8_t *p = data + off;
        size_t         n = len - off;

        if (st->mode == MODE_TLS) {
            /* StartTLS succeeded: what follows is TLS, as Zeek hands it to its SSL analyzer. */
            if (!udp)
                session_hand_over(s, "ssl");
            return result(PARSE_OK, off, 0);
        }
        if (st->skip[dir] > 0) {
            size_t k = n < st->skip[dir] ? n : st->skip[dir];

            st->skip[dir] -= (uint32_t)k;
            off += k;
            continue;
        }
        switch (st->mode) {
        case MODE_TLS:
            return result(PARSE_OK, len, 0);
        case MODE_MAYBE_ENCRYPTED:
            /* A cleartext message starts with its SEQUENCE; a SASL buffer with a 4-byte length. */
            if (p[0] == 0x30) {
                st->mode = MODE_PLAIN;
            } else if (st->mech_len == 0 || (st->mech_len >= 3 && memcmp(st->mech, "GSS", 3) == 0)) {
                if (n < 6)
                    return result(PARSE_OK, off, udp ? 0 : 6);
                st->mode = rd_be32(p) >= 2 && rd_be16(p + 4) == 0x0504 ? MODE_KRB5 : MODE_ENCRYPTED;
            } else {
                st->mode = MODE_ENCRYPTED;
            }
            break;
        case MODE_ENCRYPTED:
            if (n < 4)
                return result(PARSE_OK, off, udp ? 0 : 4);
            st->skip[dir] = rd_be32(p);
            off += 4;
            break;
        case MODE_KRB5: {
            size_t k;

            if (st->krb_left[dir] > 0) {
                /* LDAPMessages inside a signed token: each must end within it. */
                size_t          used, lim = n < st->krb_left[dir] ? n : st->krb_left[dir];
                enum ldap_parse r = ldap_msg_parse(p, lim, &st->msg, &used);

                if (r == LDAP_PARSE_BAD || (r == LDAP_PARSE_NEED && (used > st->krb_left[dir] ||
                                                                     (used == 0 && lim == st->krb_left[dir]))))
                    return result(PARSE_VIOLATION, off, 0);
                if (r == LDAP_PARSE_NEED && used > LDAP_LARGE && lim == n && n >= 64 &&
                    skip_large(s, st, dir, p, n, used)) {
                    st->krb_left[dir] -= (uint32_t)used;
                    if (st->krb_left[dir] == 0)
                        st->skip[dir] += st->krb_trail[dir];
                    off = len;
                    break;
                }
                if (r == LDAP_PARSE_NEED)
                    return result(PARSE_OK, off, udp ? 0 : used);
                on_message(s, st, &st->msg);
                detect_message(s, st, dir, p, used);
                off += used;
                st->krb_left[dir] -= (uint32_t)used;
                if (st->krb_left[dir] == 0)
                    st->skip[dir] = st->krb_trail[dir];
                break;
            }
            k = krb5_token_start(s, st, dir, p, n);
            if (k == KRB5_BAD)
                return result(PARSE_VIOLATION, off, 0);
            if (k >= KRB5_NEED)
                return result(PARSE_OK, off, udp ? 0 : k - KRB5_NEED);
            off += k;
            break;
        }
        case MODE_PLAIN: {
            size_t          used;
            enum ldap_parse r = ldap_msg_parse(p, n, &st->msg, &used);

            if (r == LDAP_PARSE_NEED) {
                if (udp)
                    return result(PARSE_VIOLATION, off, 0);
                if (used > LDAP_LARGE && n >= 64 && skip_large(s, st, dir, p, n, used)) {
                    off = len;
                    break;
                }
                return result(PARSE_OK, off, used);
            }
            if (r == LDAP_PARSE_BAD) {
                struct ber_hdr h;

                if (ber_header(p, n, &h) == BER_OK && h.len > BER_MAX_MESSAGE)
                    session_weird(s, WEIRD_LDAP_MESSAGE_TOO_LARGE, NULL);
                return result(PARSE_VIOLATION, off, 0);
            }
            on_message(s, st, &st->msg);
            detect_message(s, st, dir, p, used);
            if (!st->confirmed) {
                st->confirmed = true;
                session_confirm(s);
            }
            off += used;
            break;
        }
        }
    }
    return result(PARSE_OK, off, 0);
}

static void ldap_gap(struct session *s, void *state, enum flow_dir dir, uint64_t len)
{
    struct ldap_state *st = state;

    st->lost[dir] = true;
}

/* Zeek's finalize_ldap: whatever is pending, messages first, then searches. */
static void ldap_end(struct session *s, void *state)
{
    struct ldap_state *st = state;
    struct pend_head *h;

    while ((h = pend_oldest(st->msgs, sizeof(st->msgs[0]))) != NULL) {
        if (h->id > 0)
            write_msg(s, (struct pend_msg *)h);
        h->in_use = false;
    }
    while ((h = pend_oldest(st->searches, sizeof(st->searches[0]))) != NULL) {
        if (h->id > 0)
            write_search(s, (struct pend_search *)h);
        h->in_use = false;
    }
}

/* ---- probe ---- */

static enum probe_result ldap_probe(const uint8_t *data, size_t len, enum flow_dir dir, unsigned transport)
{
    enum ldap_probe r = ldap_probe_message(data, len, dir == FLOW_DIR_ORIG, transport == TRANSPORT_UDP);

    return r == LDAP_PROBE_YES ? PROBE_YES : r == LDAP_PROBE_MORE ? PROBE_NEED_MORE : PROBE_NO;
}

static const uint16_t ldap_ports[] = { 389, 3268, 0 };

static const struct log_schema *const ldap_logs[] = { &ldap_log_schema, &ldap_search_log_schema, NULL };

const struct analyzer ldap_analyzer = {
    .name        = "ldap_tcp",
    .zeek_name   = "LDAP_TCP",
    .transports  = TRANSPORT_TCP,
    .port_hints  = ldap_ports,
    .probe_limit = 2048,
    .max_pending = SASL_MAX,
    .state_size  = sizeof(struct ldap_state),
    .probe       = ldap_probe,
    .parse       = ldap_parse,
    .gap         = ldap_gap,
    .end         = ldap_end,
    .logs        = ldap_logs,
};

/* CLDAP: the same parser over datagrams, with Zeek's UDP service name (its own row in
 * proto_list.h, PROTO(LDAP_UDP, ldap_udp)). */
static const uint16_t ldap_udp_ports[] = { 389, 0 };

const struct analyzer ldap_udp_analyzer = {
    .name        = "ldap_udp",
    .zeek_name   = "LDAP_UDP",
    .transports  = TRANSPORT_UDP,
    .port_hints  = ldap_udp_ports,
    .probe_limit = 2048,
    .max_pending = SASL_MAX,
    .state_size  = sizeof(struct ldap_state),
    .probe       = ldap_probe,
    .parse       = ldap_parse,
    .gap         = ldap_gap,
    .end         = ldap_end,
    .logs        = ldap_logs,
};
