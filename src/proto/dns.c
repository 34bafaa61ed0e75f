/* proto/dns.c - the DNS analyzer: probe, UDP and TCP framing, query/reply pairing and dns.log as
 * Zeek 9's base/protocols/dns/main.zeek writes it. */
#include <stdio.h>
#include <string.h>

#include "detect/jndi.h"
#include "proto/analyzer.h"
#include "proto/dns_int.h"
#include "proto/session.h"
#include "util/bytes.h"

#define DNS_PENDING      8     /* unmatched queries and replies kept per flow */
#define DNS_QUERY_MAX    256   /* bytes of a pending transaction's query name */
#define DNS_SLOTS        2     /* pending replies that can keep their answers */
#define DNS_SLOT_ANSWERS 12
#define DNS_SLOT_TEXT    512
#define DNS_TCP_MAX      (2 + 65535)

#define R struct dns_record
#define OPT LOG_OPTIONAL

static const struct log_field dns_log_fields[DNS_F_COUNT] = {
    LOG_COMMON_FIELDS(R),
    [DNS_F_PROTO]       = LOG_FIELD(R, proto, "proto", LOG_ENUM, 0),
    [DNS_F_TRANS_ID]    = LOG_FIELD(R, trans_id, "trans_id", LOG_COUNT, OPT),
    [DNS_F_RTT]         = LOG_FIELD(R, rtt, "rtt", LOG_INTERVAL, OPT),
    [DNS_F_QUERY]       = LOG_FIELD(R, query, "query", LOG_STRING, OPT),
    [DNS_F_QCLASS]      = LOG_FIELD(R, qclass, "qclass", LOG_COUNT, OPT),
    [DNS_F_QCLASS_NAME] = LOG_FIELD(R, qclass_name, "qclass_name", LOG_STRING, OPT),
    [DNS_F_QTYPE]       = LOG_FIELD(R, qtype, "qtype", LOG_COUNT, OPT),
    [DNS_F_QTYPE_NAME]  = LOG_FIELD(R, qtype_name, "qtype_name", LOG_STRING, OPT),
    [DNS_F_RCODE]       = LOG_FIELD(R, rcode, "rcode", LOG_COUNT, OPT),
    [DNS_F_RCODE_NAME]  = LOG_FIELD(R, rcode_name, "rcode_name", LOG_STRING, OPT),
    [DNS_F_AA]          = LOG_FIELD(R, AA, "AA", LOG_BOOL, 0),
    [DNS_F_TC]          = LOG_FIELD(R, TC, "TC", LOG_BOOL, 0),
    [DNS_F_RD]          = LOG_FIELD(R, RD, "RD", LOG_BOOL, 0),
    [DNS_F_RA]          = LOG_FIELD(R, RA, "RA", LOG_BOOL, 0),
    [DNS_F_Z]           = LOG_FIELD(R, Z, "Z", LOG_COUNT, 0),
    [DNS_F_ANSWERS]     = LOG_FIELD(R, answers, "answers", LOG_VEC_STRING, OPT),
    [DNS_F_TTLS]        = LOG_FIELD(R, TTLs, "TTLs", LOG_VEC_INTERVAL, OPT),
    [DNS_F_REJECTED]    = LOG_FIELD(R, rejected, "rejected", LOG_BOOL, 0),
    [DNS_F_OPCODE]      = LOG_FIELD(R, opcode, "opcode", LOG_COUNT, OPT),
    [DNS_F_OPCODE_NAME] = LOG_FIELD(R, opcode_name, "opcode_name", LOG_STRING, OPT),
};

#undef R
#undef OPT

_Static_assert(DNS_F_RESP_P == 5 && DNS_F_PROTO == 6, "LOG_COMMON_FIELDS fills indexes 0-5");

const struct log_schema dns_log_schema = LOG_SCHEMA("dns", dns_log_fields);

/* One DNS::Info of Zeek's: a query, a reply, or both. */
struct dns_txn {
    pw_time  ts, rtt;
    uint32_t seq;
    uint16_t trans_id, qtype, qclass, query_len;
    uint8_t  rcode, opcode, z;
    int8_t   slot;   /* answers kept in state->slots, or -1 */
    bool     in_use, has_rtt, has_q, has_rcode, query_set, aa, tc, rd, ra, rejected, saw_query, saw_reply;
    char     query[DNS_QUERY_MAX];
};

struct dns_slot {
    bool     in_use;
    uint8_t  n;
    uint16_t used;
    uint16_t off[DNS_SLOT_ANSWERS], len[DNS_SLOT_ANSWERS];
    uint32_t ttl[DNS_SLOT_ANSWERS];
    char     text[DNS_SLOT_TEXT];
};

struct dns_state {
    uint32_t        seq;
    bool            lost[2];   /* TCP bytes lost: the length framing cannot be trusted again */
    bool            stopped;   /* a violation removed the analyzer */
    bool            seen_any;  /* a message was seen: the role check is done */
    struct dns_txn  pending[DNS_PENDING];
    struct dns_slot slots[DNS_SLOTS];
};

_Static_assert(sizeof(struct dns_state) <= 4096, "DNS state stays within a few KiB");

/* Answer strings of one row, wherever they live. */
struct dns_answers {
    uint32_t    n;
    const char *text;
    const uint32_t *off32, *len32, *ttl;
    const uint16_t *off16, *len16;
};

/* ---- dns.log rows ---- */

static bool resp_is_multicast(const struct log_conn_id *id)
{
    if (addr_is_v4(&id->resp_h))
        return (id->resp_h.b[12] & 0xf0u) == 0xe0u;
    return id->resp_h.b[0] == 0xffu;
}

static void dns_write(struct session *s, const struct dns_txn *t, const struct dns_answers *a)
{
    struct dns_record r;
    struct log_str    ans[DNS_MSG_ANSWERS];
    pw_time           ttls[DNS_MSG_ANSWERS];
    char              b1[24], b2[24], b3[24], b4[32];
    uint32_t          n = a != NULL ? a->n : 0;

    memset(&r, 0, sizeof(r));
    r.ts = t->ts;
    session_conn_id(s, &r.uid, &r.id);
    r.proto = log_str_from(session_transport(s) == TRANSPORT_UDP ? "udp" : "tcp", 3);
    r.trans_id = t->trans_id;
    log_mark(&r.log_set, DNS_F_TRANS_ID);
    if (t->has_rtt) {
        r.rtt = t->rtt;
        log_mark(&r.log_set, DNS_F_RTT);
    }
    if (t->query_set) {
        r.query = log_str_from(t->query, t->query_len);
        log_mark(&r.log_set, DNS_F_QUERY);
    }
    if (t->has_q) {
        const char *qn = dns_qtype_name(t->qtype, b2, sizeof(b2));
        const char *cn = dns_qclass_name(t->qclass, b1, sizeof(b1));

        /* NetBIOS reused the SRV number for NBSTAT */
        if (r.id.resp_p == 137 && t->qtype == 33)
            qn = "NBSTAT";
        r.qclass = t->qclass;
        r.qclass_name = log_str_from(cn, strlen(cn));
        r.qtype = t->qtype;
        r.qtype_name = log_str_from(qn, strlen(qn));
        log_mark(&r.log_set, DNS_F_QCLASS);
        log_mark(&r.log_set, DNS_F_QCLASS_NAME);
        log_mark(&r.log_set, DNS_F_QTYPE);
        log_mark(&r.log_set, DNS_F_QTYPE_NAME);
    }
    if (t->has_rcode) {
        const char *rn = dns_rcode_name(t->rcode, b3, sizeof(b3));

        r.rcode = t->rcode;
        r.rcode_name = log_str_from(rn, strlen(rn));
        log_mark(&r.log_set, DNS_F_RCODE);
        log_mark(&r.log_set, DNS_F_RCODE_NAME);
    }
    r.AA = t->aa;
    r.TC = t->tc;
    r.RD = t->rd;
    r.RA = t->ra;
    r.Z = t->z;
    r.rejected = t->rejected;
    if (n > DNS_MSG_ANSWERS)
        n = DNS_MSG_ANSWERS;
    for (uint32_t i = 0; a != NULL && i < n; i++) {
        uint32_t off = a->off32 != NULL ? a->off32[i] : a->off16[i];
        uint32_t len = a->len32 != NULL ? a->len32[i] : a->len16[i];

        ans[i] = log_str_from(a->text + off, len);
        ttls[i] = (pw_time)a->ttl[i] * PW_SEC;
    }
    if (n > 0) {
        r.answers.items = ans;
        r.answers.n = n;
        r.TTLs.items = ttls;
        r.TTLs.n = n;
        log_mark(&r.log_set, DNS_F_ANSWERS);
        log_mark(&r.log_set, DNS_F_TTLS);
    }
    {
        const char *on = dns_opcode_name(t->opcode, r.id.resp_p == 137, b4, sizeof(b4));

        r.opcode = t->opcode;
        r.opcode_name = log_str_from(on, strlen(on));
        log_mark(&r.log_set, DNS_F_OPCODE);
        log_mark(&r.log_set, DNS_F_OPCODE_NAME);
    }
    (void)session_log(s, &dns_log_schema, &r);
}

static void slot_answers(const struct dns_slot *sl, struct dns_answers *a)
{
    memset(a, 0, sizeof(*a));
    a->n = sl->n;
    a->text = sl->text;
    a->off16 = sl->off;
    a->len16 = sl->len;
    a->ttl = sl->ttl;
}

/* Writes a transaction that leaves the pending table, with the answers it kept. */
static void write_pending(struct session *s, struct dns_state *st, struct dns_txn *t)
{
    struct dns_answers a;

    if (t->slot >= 0) {
        slot_answers(&st->slots[t->slot], &a);
        dns_write(s, t, &a);
        st->slots[t->slot].in_use = false;
    } else {
        dns_write(s, t, NULL);
    }
    t->in_use = false;
}

static struct dns_txn *oldest(struct dns_state *st, bool want_slot)
{
    struct dns_txn *best = NULL;

    for (int i = 0; i < DNS_PENDING; i++) {
        struct dns_txn *t = &st->pending[i];

        if (t->in_use && (!want_slot || t->slot >= 0) && (best == NULL || t->seq < best->seq))
            best = t;
    }
    return best;
}

/* Zeek's queues, FIFO per transaction id: the oldest pending message of the other kind. */
static struct dns_txn *find_match(struct dns_state *st, uint16_t id, bool want_reply)
{
    struct dns_txn *best = NULL;

    for (int i = 0; i < DNS_PENDING; i++) {
        struct dns_txn *t = &st->pending[i];

        if (t->in_use && t->trans_id == id && t->saw_reply == want_reply && (best == NULL || t->seq < best->seq))
            best = t;
    }
    return best;
}

/* Keeps an unmatched message; when the table is full the oldest is written unmatched, as Zeek
 * does when its pending queues overflow. */
static void keep_pending(struct session *s, struct dns_state *st, const struct dns_txn *t,
                         const struct dns_parsed *p)
{
    struct dns_txn *dst = NULL;

    for (int i = 0; i < DNS_PENDING && dst == NULL; i++)
        if (!st->pending[i].in_use)
            dst = &st->pending[i];
    if (dst == NULL) {
        dst = oldest(st, false);
        session_weird(s, WEIRD_DNS_PENDING_LIMIT, NULL);
        write_pending(s, st, dst);
    }
    *dst = *t;
    dst->slot = -1;
    if (p != NULL && p->n_answers > 0) {
        struct dns_slot *sl = NULL;

        for (int i = 0; i < DNS_SLOTS && sl == NULL; i++)
            if (!st->slots[i].in_use)
                sl = &st->slots[i];
        if (sl == NULL) {
            struct dns_txn *victim = oldest(st, true);

            session_weird(s, WEIRD_DNS_PENDING_LIMIT, NULL);
            sl = &st->slots[victim->slot];
            write_pending(s, st, victim);
        }
        memset(sl, 0, offsetof(struct dns_slot, text));
        sl->in_use = true;
        for (uint32_t i = 0; i < p->n_answers && sl->n < DNS_SLOT_ANSWERS; i++) {
            if (p->ans_len[i] > DNS_SLOT_TEXT - sl->used)
                break;
            memcpy(sl->text + sl->used, p->text + p->ans_off[i], p->ans_len[i]);
            sl->off[sl->n] = sl->used;
            sl->len[sl->n] = (uint16_t)p->ans_len[i];
            sl->ttl[sl->n] = p->ans_ttl[i];
            sl->used = (uint16_t)(sl->used + p->ans_len[i]);
            sl->n++;
        }
        dst->slot = (int8_t)(sl - st->slots);
    }
}

static void set_query(struct dns_txn *t, const char *name, size_t len)
{
    if (len > DNS_QUERY_MAX)
        len = DNS_QUERY_MAX;
    memcpy(t->query, name, len);
    t->query_len = (uint16_t)len;
    t->query_set = true;
}

/* Zeek's decode_netbios_name: 32 half-byte letters to 15 characters, cut at the first one that is
 * not a letter, digit, punctuation or \x01/\x02. Returns 0 when the name is not of that form. */
static size_t netbios_decode(const char *in, size_t len, char out[15])
{
    size_t i;

    if (len != 32)
        return 0;
    for (i = 0; i < 15; i++) {
        unsigned char c = (unsigned char)((((in[2 * i] - 'A') & 0xf) << 4) | ((in[2 * i + 1] - 'A') & 0xf));

        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c > 0x20 && c < 0x7f) || c == 0x01 || c == 0x02))
            break;
        out[i] = (char)c;
    }
    return i;
}

/* What Zeek's dns_message, dns_request, dns_rejected, do_reply and dns_end handlers do with one
 * message of a tracked opcode. */
static void on_message(struct session *s, struct dns_state *st, const struct dns_parsed *p, bool multicast,
                       bool netbios)
{
    const struct dns_header *h = &p->h;
    struct dns_txn           t, *m = NULL;
    pw_time                  now = session_now(s);

    if (!multicast)
        m = find_match(st, h->id, !h->qr);
    if (m != NULL) {
        t = *m;
        m->in_use = false;
    } else {
        memset(&t, 0, sizeof(t));
        t.ts = now;
        t.trans_id = h->id;
        t.slot = -1;
        t.in_use = true;
        t.seq = st->seq++;
        t.saw_query = t.saw_reply = multicast;
    }
    if (h->qr) {
        t.rcode = h->rcode;
        t.has_rcode = true;
        if (h->rcode != 0 && h->qdcount == 0)
            t.rejected = true;
    }
    t.opcode = h->opcode;
    if (p->have_question) {
        t.rd = h->rd;
        t.tc = h->tc;
        t.qclass = p->qclass;
        t.qtype = p->qtype;
        t.has_q = true;
        t.z = h->z;
        set_query(&t, p->qname, p->qname_len);
        if (netbios) {
            char   nb[15];
            size_t n = netbios_decode(p->qname, p->qname_len, nb);

            if (n > 0)
                set_query(&t, nb, n);
        }
    }
    if (p->rejected)
        t.rejected = true;
    if (p->replied) {
        if (!t.query_set)
            set_query(&t, p->first_owner, p->first_owner_len);
        t.aa = h->aa;
        t.ra = h->ra;
        if (!t.has_rtt && now != t.ts) {
            t.rtt = now - t.ts;
            t.has_rtt = true;
        }
    }
    if (h->qr)
        t.saw_reply = true;
    else
        t.saw_query = true;
    if (t.saw_query && t.saw_reply) {
        struct dns_answers a;

        if (t.slot >= 0) {
            slot_answers(&st->slots[t.slot], &a);
            st->slots[t.slot].in_use = false;
        } else {
            memset(&a, 0, sizeof(a));
            a.n = h->qr ? p->n_answers : 0;
            a.text = p->text;
            a.off32 = p->ans_off;
            a.len32 = p->ans_len;
            a.ttl = p->ans_ttl;
        }
        dns_write(s, &t, &a);
        return;
    }
    keep_pending(s, st, &t, h->qr ? p : NULL);
}

/* For the Log4Shell detector: questions (a callback host's lookup, data in labels) and the
 * addresses answers give names (so a callback to a named host is recognised by address). */
static void detect_message(struct session *s, const struct dns_parsed *p)
{
    if (!p->h.qr && p->have_question) {
        session_dns_query(s, p->qname, p->qname_len);
        /* A name is text a resolver or a Java service may log: lookups hide there too. */
        if (memchr(p->qname, '$', p->qname_len) != NULL || memchr(p->qname, '%', p->qname_len) != NULL) {
            struct jndi_hit hit;

            if (jndi_scan((const uint8_t *)p->qname, p->qname_len, &hit, 1) > 0) {
                struct lookup_attempt a = {.where = ATTEMPT_PAYLOAD, .proto = "dns",
                                           .value = (const uint8_t *)p->qname, .value_len = p->qname_len,
                                           .hit = &hit};

                (void)session_lookup_attempt(s, FLOW_DIR_ORIG, &a);
            }
        }
        return;
    }
    if (!p->h.qr || !p->replied)
        return;
    for (uint32_t i = 0; i < p->n_answers && i < DNS_MSG_ANSWERS; i++) {
        if (p->ans_off[i] + p->ans_len[i] <= sizeof(p->text))
            session_dns_answer(s, p->qname, p->qname_len, p->text + p->ans_off[i], p->ans_len[i]);
    }
}

/* One whole message, from a datagram or a length-prefixed TCP record. */
static void dns_message(struct session *s, struct dns_state *st, const uint8_t *msg, size_t len)
{
    struct dns_parsed     p;
    struct dns_parse_opts o;
    struct log_str        uid;
    struct log_conn_id    id;
    bool                  tracked;

    session_conn_id(s, &uid, &id);
    o.netbios = id.resp_p == 137;
    o.udp = session_transport(s) == TRANSPORT_UDP;
    o.skip_all_auth = true;
    o.skip_all_addl = true;
    dns_parse_message(msg, len, &o, &p);
    for (uint32_t i = 0; i < p.n_weirds; i++)
        session_weird(s, p.weird[i], p.weird_addl[i][0] != '\0' ? p.weird_addl[i] : NULL);
    if (len < DNS_HDR_LEN)
        return;
    if (p.confirmed)
        session_confirm(s);
    tracked = p.h.opcode == DNS_OP_QUERY || p.h.opcode == DNS_OP_NOTIFY || p.h.opcode == DNS_OP_UPDATE;
    if (p.h.opcode == DNS_OP_QUERY && !o.netbios)
        detect_message(s, &p);
    if (tracked)
        on_message(s, st, &p, resp_is_multicast(&id), o.netbios);
    else if (!o.netbios)
        session_weird(s, WEIRD_DNS_UNKNOWN_OPCODE, NULL);
    if (p.count_too_large) {
        st->stopped = true;
        session_violation(s, "DNS_Conn_count_too_large", msg, len);
    }
}

/* Zeek's DNS analyzer turns a connection around when its first message is a reply sent by the
 * originator to a unicast address: the side that answered is the server. */
static void check_roles(struct session *s, struct dns_state *st, enum flow_dir dir, const uint8_t *msg, size_t len)
{
    struct log_str uid;
    struct log_conn_id id;

    if (st->seen_any || len < DNS_HDR_LEN)
        return;
    st->seen_any = true;
    session_conn_id(s, &uid, &id);
    if (dir == FLOW_DIR_ORIG && (msg[2] & 0x80) != 0 && !resp_is_multicast(&id))
        session_flip_roles(s);
}

/* ---- the analyzer interface ---- */

static struct parse_result dns_parse(struct session *s, void *state, enum flow_dir dir, const uint8_t *data,
                                     size_t len)
{
    struct dns_state   *st = state;
    struct parse_result r = { PARSE_OK, (uint32_t)len, 0 };
    size_t              off = 0;

    if (session_transport(s) == TRANSPORT_UDP) {
        check_roles(s, st, dir, data, len);
        dns_message(s, st, data, len);
        return r;
    }
    if (st->lost[dir] || st->stopped)
        return r;
    while (len - off >= 2 && !st->stopped) {
        size_t mlen = rd_be16(data + off);

        if (len - off - 2 < mlen) {
            r.needed = (uint32_t)(2 + mlen);
            break;
        }
        check_roles(s, st, dir, data + off + 2, mlen);
        dns_message(s, st, data + off + 2, mlen);
        off += 2 + mlen;
    }
    if (st->stopped)
        return r;
    if (r.needed == 0 && len - off == 1)
        r.needed = 2;
    r.consumed = (uint32_t)off;
    return r;
}

static void dns_gap(struct session *s, void *state, enum flow_dir dir, uint64_t len)
{
    struct dns_state *st = state;

    st->lost[dir] = true;
}

/* Zeek's finalize_dns: what never paired is written when the connection goes, queries first. */
static void dns_end(struct session *s, void *state)
{
    struct dns_state *st = state;

    for (int pass = 0; pass < 2; pass++) {
        struct dns_txn *t;

        for (;;) {
            struct dns_txn *best = NULL;

            for (int i = 0; i < DNS_PENDING; i++) {
                t = &st->pending[i];
                if (t->in_use && t->saw_reply == (pass == 1) && (best == NULL || t->seq < best->seq))
                    best = t;
            }
            if (best == NULL)
                break;
            write_pending(s, st, best);
        }
    }
}

/* ---- probe ---- */

static bool class_ok(uint16_t c)
{
    c &= 0x7fffu;   /* mDNS: unicast-response / cache-flush bit */
    return c == 1 || c == 3 || c == 4 || c == 254 || c == 255;
}

/* A plain name (no compression: nothing precedes it) of sane labels at m[*off]. */
static enum probe_result probe_name(const uint8_t *m, size_t avail, size_t decl, size_t *off)
{
    size_t total = 0;

    for (;;) {
        uint8_t l;

        if (*off >= decl)
            return PROBE_NO;
        if (*off >= avail)
            return PROBE_NEED_MORE;
        l = m[(*off)++];
        if (l == 0)
            return PROBE_YES;
        if (l > 63)
            return PROBE_NO;
        total += (size_t)l + 1;
        if (total > 255)
            return PROBE_NO;
        *off += l;
    }
}

enum probe_result dns_probe_message(const uint8_t *m, size_t avail, size_t decl)
{
    struct dns_header h;
    bool              complete = avail >= decl;
    size_t            off = DNS_HDR_LEN, rrs;
    enum probe_result nr;

    if (avail < DNS_HDR_LEN)
        return complete ? PROBE_NO : PROBE_NEED_MORE;
    (void)dns_header_read(m, avail, &h);
    if ((rd_be16(m + 2) & 0x0040u) != 0)   /* the Z bit proper, never set by real resolvers */
        return PROBE_NO;
    if (h.opcode == 3 || h.opcode > 5)
        return PROBE_NO;
    rrs = (size_t)h.ancount + h.nscount + h.arcount;
    if (h.qdcount > 16 || rrs > 1024)
        return PROBE_NO;
    if (!h.qr && (h.rcode != 0 || h.qdcount == 0))
        return PROBE_NO;
    if (h.qr && (h.rcode > 10 || (h.qdcount == 0 && rrs == 0)))
        return PROBE_NO;
    if (DNS_HDR_LEN + (size_t)h.qdcount * 5 + rrs * 11 > decl)
        return PROBE_NO;
    nr = probe_name(m, avail, decl, &off);
    if (nr != PROBE_YES)
        return complete && nr == PROBE_NEED_MORE ? PROBE_NO : nr;
    if (off + 4 > avail)
        return complete ? PROBE_NO : PROBE_NEED_MORE;
    if (rd_be16(m + off) == 0 || !class_ok(rd_be16(m + off + 2)))
        return PROBE_NO;
    if (h.qdcount > 0)
        return PROBE_YES;
    /* A reply without a question (mDNS, NOTIFY answers): its first record must hold together. */
    if (off + 10 > avail)
        return complete ? PROBE_NO : PROBE_NEED_MORE;
    if (off + 10 + rd_be16(m + off + 8) > decl)
        return PROBE_NO;
    return PROBE_YES;
}

static enum probe_result dns_probe(const uint8_t *data, size_t len, enum flow_dir dir, unsigned transport)
{
    size_t mlen;

    if (transport == TRANSPORT_UDP)
        return dns_probe_message(data, len, len);
    if (len < 2)
        return PROBE_NEED_MORE;
    mlen = rd_be16(data);
    if (mlen < DNS_HDR_LEN + 5)
        return PROBE_NO;
    return dns_probe_message(data + 2, len - 2 < mlen ? len - 2 : mlen, mlen);
}

static const uint16_t dns_ports[] = { 53, 137, 5353, 5355, 0 };

static const struct log_schema *const dns_logs[] = { &dns_log_schema, NULL };

const struct analyzer dns_analyzer = {
    .name        = "dns",
    .zeek_name   = "DNS",
    .transports  = TRANSPORT_TCP | TRANSPORT_UDP,
    .port_hints  = dns_ports,
    .probe_limit = 2 + DNS_HDR_LEN + 256 + 14,
    .max_pending = DNS_TCP_MAX,
    .state_size  = sizeof(struct dns_state),
    .probe       = dns_probe,
    .parse       = dns_parse,
    .gap         = dns_gap,
    .end         = dns_end,
    .logs        = dns_logs,
};
