/* tests/unit/proto/test_dns.c - DNS names, record formatting, the probe against other protocols
 * and random bytes, and the analyzer's pairing and TCP framing through stubbed session calls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "proto/analyzer.h"
#include "proto/dns_int.h"
#include "proto/session.h"

extern const struct analyzer dns_analyzer;

/* ---- session stubs ---- */

#define MAX_ROWS 16

struct row {
    uint64_t set;
    uint64_t trans_id, qtype, rcode, opcode;
    int64_t  rtt, ts;
    char     query[128], answers[512], qtype_name[32], rcode_name[32], opcode_name[32];
    bool     aa, rd, ra, rejected;
};

static struct {
    int        n_rows, confirms, violations, weirds;
    enum weird_id last_weird;
    char       last_addl[64];
    struct row rows[MAX_ROWS];
} seen;

static pw_time  now_ns;
static unsigned transport = TRANSPORT_UDP;
static uint8_t  resp_v4[4] = { 10, 0, 0, 53 };
static uint16_t resp_port = 53;

pw_time session_now(const struct session *s) { return now_ns; }
unsigned session_transport(const struct session *s) { return transport; }
void session_confirm(struct session *s) { seen.confirms++; }
bool session_lookup_attempt(struct session *s, enum flow_dir dir, const struct lookup_attempt *a)
{
    return true;
}
void session_dns_query(struct session *s, const char *name, size_t len)
{
}
void session_dns_answer(struct session *s, const char *name, size_t name_len, const char *answer, size_t answer_len)
{
}
void session_set_domain(struct session *s, const char *name, size_t len) {}
static int flips;
void session_flip_roles(struct session *s) { flips++; }

void session_conn_id(const struct session *s, struct log_str *uid, struct log_conn_id *id)
{
    static const uint8_t orig[4] = { 10, 0, 0, 1 };

    *uid = log_str_from("Ctest", 5);
    memset(id, 0, sizeof(*id));
    addr_from_v4(&id->orig_h, orig);
    addr_from_v4(&id->resp_h, resp_v4);
    id->orig_p = 40000;
    id->resp_p = resp_port;
}

void session_violation(struct session *s, const char *reason, const uint8_t *data, size_t len)
{
    seen.violations++;
    dns_analyzer.end(s, (void *)s);   /* the engine writes leftovers through end() */
}

void session_weird(struct session *s, enum weird_id id, const char *addl)
{
    seen.weirds++;
    seen.last_weird = id;
    snprintf(seen.last_addl, sizeof(seen.last_addl), "%s", addl != NULL ? addl : "");
}

static void cp(char *dst, size_t size, struct log_str v)
{
    snprintf(dst, size, "%.*s", (int)v.len, v.ptr);
}

int session_log(struct session *s, const struct log_schema *schema, const void *record)
{
    const struct dns_record *r = record;
    struct row              *w;
    size_t                   n = 0;

    assert_ptr_equal(schema, &dns_log_schema);
    assert_true(seen.n_rows < MAX_ROWS);
    w = &seen.rows[seen.n_rows++];
    memset(w, 0, sizeof(*w));
    w->set = r->log_set;
    w->ts = r->ts;
    w->trans_id = r->trans_id;
    w->rtt = r->rtt;
    w->qtype = r->qtype;
    w->rcode = r->rcode;
    w->opcode = r->opcode;
    w->aa = r->AA;
    w->rd = r->RD;
    w->ra = r->RA;
    w->rejected = r->rejected;
    cp(w->query, sizeof(w->query), r->query);
    cp(w->qtype_name, sizeof(w->qtype_name), r->qtype_name);
    cp(w->rcode_name, sizeof(w->rcode_name), r->rcode_name);
    cp(w->opcode_name, sizeof(w->opcode_name), r->opcode_name);
    for (uint32_t i = 0; i < r->answers.n; i++)
        n += (size_t)snprintf(w->answers + n, sizeof(w->answers) - n, "%s%.*s/%lld", i ? "," : "",
                              (int)r->answers.items[i].len, r->answers.items[i].ptr,
                              (long long)(r->TTLs.items[i] / PW_SEC));
    return 0;
}

static bool has(const struct row *w, unsigned f)
{
    return (w->set >> f) & 1;
}

/* ---- message building ---- */

struct msg {
    uint8_t b[2048];
    size_t  n;
};

static void put(struct msg *m, const void *p, size_t n)
{
    memcpy(m->b + m->n, p, n);
    m->n += n;
}

static void put16(struct msg *m, unsigned v)
{
    uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

    put(m, b, 2);
}

static void put32(struct msg *m, uint32_t v)
{
    put16(m, v >> 16);
    put16(m, v & 0xffff);
}

static void hdr(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    m->n = 0;
    put16(m, id);
    put16(m, flags);
    put16(m, qd);
    put16(m, an);
    put16(m, ns);
    put16(m, ar);
}

/* "www.Example.com" -> labels */
static void name(struct msg *m, const char *dotted)
{
    while (*dotted != '\0') {
        const char *dot = strchr(dotted, '.');
        size_t      l = dot != NULL ? (size_t)(dot - dotted) : strlen(dotted);
        uint8_t     lb = (uint8_t)l;

        put(m, &lb, 1);
        put(m, dotted, l);
        dotted += l + (dot != NULL);
    }
    put(m, "", 1);
}

static void question(struct msg *m, const char *dotted, unsigned type)
{
    name(m, dotted);
    put16(m, type);
    put16(m, 1);
}

static void rr_head(struct msg *m, unsigned type, uint32_t ttl, unsigned rdlen)
{
    put16(m, 0xc00c);   /* the question's name */
    put16(m, type);
    put16(m, 1);
    put32(m, ttl);
    put16(m, rdlen);
}

static const struct dns_parse_opts opts = { false, true, true, true };

/* ---- names ---- */

static void test_name_plain_and_compressed(void **st)
{
    struct msg        m;
    char              out[DNS_NAME_BUF];
    size_t            off = 12, n;
    struct dns_parsed p;

    memset(&p, 0, sizeof(p));
    hdr(&m, 1, 0, 1, 0, 0, 0);
    question(&m, "www.Example.com", 1);
    /* a second name: "Mail" + pointer to "Example.com" (offset 16) */
    put(&m, "\x04Mail\xc0\x10", 7);
    n = dns_name_decode(m.b, m.n, &off, out, false, false, &p);
    assert_int_equal(n, 15);
    assert_string_equal(out, "www.Example.com");
    assert_int_equal(off, 12 + 17);
    off = m.n - 7;
    n = dns_name_decode(m.b, m.n, &off, out, false, false, &p);
    /* the bytes reached through the pointer are downcased, as Zeek's recursion does */
    assert_string_equal(out, "Mail.example.com");
    assert_int_equal(n, 16);
    assert_int_equal(off, m.n);
    off = 12;
    (void)dns_name_decode(m.b, m.n, &off, out, true, false, &p);
    assert_string_equal(out, "www.example.com");
    assert_int_equal(p.n_weirds, 0);
}

static void test_name_pointer_loops_and_limits(void **st)
{
    struct msg        m;
    char              out[DNS_NAME_BUF];
    size_t            off;
    struct dns_parsed p;

    /* a pointer to itself is not backwards: stopped with Zeek's weird */
    memset(&p, 0, sizeof(p));
    hdr(&m, 1, 0, 1, 0, 0, 0);
    put(&m, "\x03""abc\xc0\x0c", 6);   /* "abc" then a pointer back to its own start */
    put(&m, "\xc0\x12", 2);           /* at 18: a pointer to itself */
    off = 18;
    assert_int_equal(dns_name_decode(m.b, m.n, &off, out, true, false, &p), 0);
    assert_int_equal(p.n_weirds, 1);
    assert_int_equal(p.weird[0], WEIRD_DNS_LABEL_FORWARD_COMPRESS_OFFSET);
    assert_int_equal(off, 20);
    /* "abc" + pointer to 12 loops back onto "abc": each hop shrinks the region, so it ends */
    memset(&p, 0, sizeof(p));
    off = 12;
    (void)dns_name_decode(m.b, m.n, &off, out, true, false, &p);
    assert_string_equal(out, "abc.abc");
    assert_int_equal(off, 18);

    /* a chain of 100 pointers, each to the one before: capped at DNS_NAME_HOPS */
    memset(&p, 0, sizeof(p));
    hdr(&m, 1, 0, 1, 0, 0, 0);
    put(&m, "\x01x", 2);
    put(&m, "", 1);
    for (unsigned i = 0; i < 100; i++)
        put16(&m, 0xc000u | (unsigned)(i == 0 ? 12 : 15 + 2 * (i - 1)));
    off = m.n - 2;
    (void)dns_name_decode(m.b, m.n, &off, out, true, false, &p);
    assert_int_equal(p.n_weirds, 1);
    assert_int_equal(p.weird[0], WEIRD_DNS_NAME_TOO_MANY_POINTERS);

    /* a 64-byte label: too long, unless NetBIOS */
    memset(&p, 0, sizeof(p));
    hdr(&m, 1, 0, 1, 0, 0, 0);
    put(&m, "\x40", 1);
    for (int i = 0; i < 64; i++)
        put(&m, "a", 1);
    put(&m, "\0\0\1\0\1", 5);
    off = 12;
    assert_int_equal(dns_name_decode(m.b, m.n, &off, out, true, false, &p), 0);
    assert_int_equal(p.weird[0], WEIRD_DNS_LABEL_TOO_LONG);
    off = 12;
    assert_int_equal(dns_name_decode(m.b, m.n, &off, out, true, true, NULL), 64);

    /* a label running past the message */
    memset(&p, 0, sizeof(p));
    hdr(&m, 1, 0, 1, 0, 0, 0);
    put(&m, "\x20short", 6);
    off = 12;
    (void)dns_name_decode(m.b, m.n, &off, out, true, false, &p);
    assert_int_equal(p.weird[0], WEIRD_DNS_LABEL_LEN_GT_PKT);
    assert_int_equal(off, m.n);
}

static void test_name_too_long(void **st)
{
    struct msg        m;
    char              out[DNS_NAME_BUF];
    size_t            off = 12, n;
    struct dns_parsed p;

    memset(&p, 0, sizeof(p));
    hdr(&m, 1, 0, 1, 0, 0, 0);
    for (int l = 0; l < 9; l++) {   /* 9 labels of 63: 576 bytes, over Zeek's 512-byte buffer */
        put(&m, "\x3f", 1);
        for (int i = 0; i < 63; i++)
            put(&m, "b", 1);
    }
    put(&m, "", 1);
    n = dns_name_decode(m.b, m.n, &off, out, true, false, &p);
    assert_int_equal(n, 8 * 64 - 1);
    assert_int_equal(p.n_weirds, 2);
    assert_int_equal(p.weird[0], WEIRD_DNS_LABEL_LEN_GT_NAME_LEN);
    assert_int_equal(p.weird[1], WEIRD_DNS_NAME_TOO_LONG);
}

/* ---- records ---- */

static void test_parse_query(void **st)
{
    struct msg        m;
    struct dns_parsed p;

    hdr(&m, 0x4cd7, 0x0100, 1, 0, 0, 0);
    question(&m, "WWW.Example.COM", 28);
    dns_parse_message(m.b, m.n, &opts, &p);
    assert_true(p.confirmed);
    assert_true(p.have_question);
    assert_string_equal(p.qname, "www.example.com");
    assert_int_equal(p.qtype, 28);
    assert_int_equal(p.qclass, 1);
    assert_int_equal(p.h.id, 0x4cd7);
    assert_true(p.h.rd);
    assert_false(p.replied);
    assert_int_equal(p.n_weirds, 0);
}

static void answer_text(const struct dns_parsed *p, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    for (uint32_t i = 0; i < p->n_answers; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%.*s/%u", i ? "|" : "", (int)p->ans_len[i],
                              p->text + p->ans_off[i], p->ans_ttl[i]);
}

static void test_parse_reply_records(void **st)
{
    struct msg        m;
    struct dns_parsed p;
    char              t[1024];

    hdr(&m, 7, 0x8580, 1, 7, 0, 0);
    question(&m, "a.example", 1);   /* name at 12 */
    rr_head(&m, 5, 300, 4);         /* CNAME b.a.example */
    put(&m, "\x01" "B\xc0\x0c", 4);
    rr_head(&m, 1, 60, 4);
    put(&m, "\xc0\x00\x02\x01", 4);
    rr_head(&m, 28, 60, 16);
    put(&m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    rr_head(&m, 16, 10, 9);         /* TXT with two strings */
    put(&m, "\x03" "abc\x04" "de,f", 9);
    rr_head(&m, 15, 20, 4);         /* MX 10 -> a.example */
    put(&m, "\0\x0a\xc0\x0c", 4);
    rr_head(&m, 52, 30, 3);         /* TLSA: unknown to Zeek's analyzer */
    put(&m, "\1\2\3", 3);
    rr_head(&m, 46, 40, 19);        /* RRSIG over A, signer the root */
    put(&m, "\0\x01\x08\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 18);
    put(&m, "", 1);
    dns_parse_message(m.b, m.n, &opts, &p);
    assert_true(p.confirmed);
    assert_true(p.replied);
    assert_string_equal(p.first_owner, "a.example");
    answer_text(&p, t, sizeof(t));
    assert_string_equal(t, "b.a.example/300|192.0.2.1/60|2001:db8::1/60|TXT 3 abc TXT 4 de,f/10|"
                           "a.example/20|<unknown type=52>/30|RRSIG 1 <Root>/40");
    assert_int_equal(p.n_weirds, 1);
    assert_int_equal(p.weird[0], WEIRD_DNS_RR_UNKNOWN_TYPE);
    assert_string_equal(p.weird_addl[0], "52");
}

static void test_parse_truncations(void **st)
{
    struct msg        m;
    struct dns_parsed p;

    /* rdlength past the end */
    hdr(&m, 7, 0x8180, 1, 1, 0, 0);
    question(&m, "a.example", 1);
    rr_head(&m, 1, 60, 40);
    put(&m, "\1\2\3\4", 4);
    dns_parse_message(m.b, m.n, &opts, &p);
    assert_false(p.confirmed);
    assert_int_equal(p.weird[0], WEIRD_DNS_TRUNCATED_RR_RDLENGTH_LT_LEN);
    /* A with a bad length */
    hdr(&m, 7, 0x8180, 1, 1, 0, 0);
    question(&m, "a.example", 1);
    rr_head(&m, 1, 60, 3);
    put(&m, "\1\2\3", 3);
    dns_parse_message(m.b, m.n, &opts, &p);
    assert_false(p.confirmed);
    assert_int_equal(p.weird[0], WEIRD_DNS_RR_BAD_LENGTH);
    /* a question cut short */
    hdr(&m, 7, 0x0100, 1, 0, 0, 0);
    name(&m, "a.example");
    put(&m, "\0", 1);
    dns_parse_message(m.b, m.n, &opts, &p);
    assert_false(p.have_question);
    assert_int_equal(p.weird[0], WEIRD_DNS_TRUNCATED_QUEST_TOO_SHORT);
    /* a header cut short, and too many questions */
    dns_parse_message(m.b, 11, &opts, &p);
    assert_int_equal(p.weird[0], WEIRD_DNS_TRUNCATED_LEN_LT_HDR_LEN);
    hdr(&m, 7, 0x0100, 26, 0, 0, 0);
    dns_parse_message(m.b, m.n, &opts, &p);
    assert_true(p.count_too_large);
    assert_int_equal(p.weird[0], WEIRD_DNS_CONN_COUNT_TOO_LARGE);
}

static void test_names_tables(void **st)
{
    char b[32];

    assert_string_equal(dns_qtype_name(1, b, sizeof(b)), "A");
    assert_string_equal(dns_qtype_name(65, b, sizeof(b)), "HTTPS");
    assert_string_equal(dns_qtype_name(255, b, sizeof(b)), "*");
    assert_string_equal(dns_qtype_name(249, b, sizeof(b)), "TKEY");
    assert_string_equal(dns_qtype_name(65521, b, sizeof(b)), "INTEGRITY");
    assert_string_equal(dns_qtype_name(54, b, sizeof(b)), "query-54");
    assert_string_equal(dns_qclass_name(1, b, sizeof(b)), "C_INTERNET");
    assert_string_equal(dns_qclass_name(32769, b, sizeof(b)), "qclass-32769");
    assert_string_equal(dns_rcode_name(3, b, sizeof(b)), "NXDOMAIN");
    assert_string_equal(dns_rcode_name(8, b, sizeof(b)), "NXRRSet");
    assert_string_equal(dns_rcode_name(99, b, sizeof(b)), "rcode-99");
    assert_string_equal(dns_opcode_name(4, false, b, sizeof(b)), "notify");
    assert_string_equal(dns_opcode_name(3, false, b, sizeof(b)), "opcode-3");
    assert_string_equal(dns_opcode_name(0, true, b, sizeof(b)), "netbios-query");
}

/* ---- probe ---- */

static enum probe_result probe(const void *d, size_t n, unsigned tr)
{
    return dns_analyzer.probe(d, n, FLOW_DIR_ORIG, tr);
}

static void test_probe_dns(void **st)
{
    struct msg m, t;

    hdr(&m, 0x1234, 0x0100, 1, 0, 0, 1);
    question(&m, "example.org", 1);
    rr_head(&m, 41, 0, 0);   /* an OPT-like record, so the counts fit the length */
    assert_int_equal(probe(m.b, m.n, TRANSPORT_UDP), PROBE_YES);
    /* TCP: the length prefix must hold the message */
    t.n = 0;
    put16(&t, (unsigned)m.n);
    put(&t, m.b, m.n);
    assert_int_equal(probe(t.b, t.n, TRANSPORT_TCP), PROBE_YES);
    assert_int_equal(probe(t.b, 10, TRANSPORT_TCP), PROBE_NEED_MORE);
    t.b[0] = 0;
    t.b[1] = 20;   /* says 20 bytes: the question cannot fit */
    assert_int_equal(probe(t.b, t.n, TRANSPORT_TCP), PROBE_NO);
    /* a reply without question whose first record holds together (mDNS, the flip trace) */
    hdr(&m, 0, 0x8400, 0, 1, 0, 0);
    name(&m, "gemini.local");
    put16(&m, 1);
    put16(&m, 0x8001);
    put32(&m, 120);
    put16(&m, 4);
    put(&m, "\1\2\3\4", 4);
    assert_int_equal(probe(m.b, m.n, TRANSPORT_UDP), PROBE_YES);
    /* the same, one byte short */
    assert_int_equal(probe(m.b, m.n - 1, TRANSPORT_UDP), PROBE_NO);
}

static void test_probe_rejects_other_protocols(void **st)
{
    static const char *const texts[] = {
        "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
        "HEAD / HTTP/1.0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
        "SSH-1.99-Cisco-1.25\r\n",
    };
    static const uint8_t tls_ch[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
                                      0x5a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4,
                                      0xb5, 0xc6, 0xd7, 0xe8, 0xf9, 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f,
                                      0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0x20, 0x00 };
    static const uint8_t tls_sh[] = { 0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03,
                                      0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };
    static const uint8_t ldap_bind[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03,
                                         0x04, 0x00, 0x80, 0x00 };
    static const uint8_t ldap_long[] = { 0x30, 0x84, 0x00, 0x00, 0x00, 0x2d, 0x02, 0x01, 0x02, 0x63,
                                         0x84, 0x00, 0x00, 0x00, 0x24, 0x04, 0x00, 0x0a, 0x01, 0x00 };
    static const uint8_t ldap_search[] = { 0x30, 0x25, 0x02, 0x01, 0x02, 0x63, 0x20, 0x04, 0x00, 0x0a,
                                           0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01,
                                           0x00, 0x01, 0x01, 0x00, 0x87, 0x0b, 0x6f, 0x62, 0x6a, 0x65 };
    const struct { const uint8_t *d; size_t n; } bins[] = {
        { tls_ch, sizeof(tls_ch) }, { tls_sh, sizeof(tls_sh) }, { ldap_bind, sizeof(ldap_bind) },
        { ldap_long, sizeof(ldap_long) }, { ldap_search, sizeof(ldap_search) },
    };

    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        assert_int_equal(probe(texts[i], strlen(texts[i]), TRANSPORT_UDP), PROBE_NO);
        assert_int_equal(probe(texts[i], strlen(texts[i]), TRANSPORT_TCP), PROBE_NO);
    }
    for (size_t i = 0; i < sizeof(bins) / sizeof(bins[0]); i++) {
        assert_int_equal(probe(bins[i].d, bins[i].n, TRANSPORT_UDP), PROBE_NO);
        assert_int_equal(probe(bins[i].d, bins[i].n, TRANSPORT_TCP), PROBE_NO);
    }
}

static void test_probe_rejects_random_bytes(void **st)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    uint8_t  buf[600];
    unsigned yes = 0;

    for (unsigned round = 0; round < 200000; round++) {
        size_t n = 12 + round % 580;

        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (uint8_t)x;
        }
        yes += probe(buf, n, TRANSPORT_UDP) == PROBE_YES;
        yes += probe(buf, n, TRANSPORT_TCP) == PROBE_YES;
    }
    assert_int_equal(yes, 0);
}

/* ---- the analyzer ---- */

static union {
    uint8_t     b[16384];
    max_align_t align;
} state;

static void reset(unsigned tr)
{
    assert_true(dns_analyzer.state_size <= sizeof(state.b));
    memset(&state, 0, sizeof(state));
    memset(&seen, 0, sizeof(seen));
    transport = tr;
    resp_v4[0] = 10;
    resp_port = 53;
    now_ns = 1000 * PW_SEC;
}

static struct parse_result feed(enum flow_dir dir, const void *d, size_t n)
{
    return dns_analyzer.parse((struct session *)state.b, state.b, dir, d, n);
}

static void end_flow(void)
{
    dns_analyzer.end((struct session *)state.b, state.b);
}

static void build_query(struct msg *m, unsigned id, const char *q, unsigned type)
{
    hdr(m, id, 0x0100, 1, 0, 0, 0);
    question(m, q, type);
}

static void build_reply(struct msg *m, unsigned id, const char *q, const uint8_t ip[4])
{
    hdr(m, id, 0x8580, 1, 1, 0, 0);
    question(m, q, 1);
    rr_head(m, 1, 900, 4);
    put(m, ip, 4);
}

static void test_udp_pairing(void **st)
{
    struct msg q1, q2, r1, r2;

    reset(TRANSPORT_UDP);
    build_query(&q1, 100, "one.example", 1);
    build_query(&q2, 200, "two.example", 1);
    build_reply(&r2, 200, "two.example", (const uint8_t *)"\x01\x02\x03\x04");
    build_reply(&r1, 100, "one.example", (const uint8_t *)"\x05\x06\x07\x08");
    feed(FLOW_DIR_ORIG, q1.b, q1.n);
    now_ns += PW_MSEC;
    feed(FLOW_DIR_ORIG, q2.b, q2.n);
    now_ns += 2 * PW_MSEC;
    feed(FLOW_DIR_RESP, r2.b, r2.n);   /* replies out of order: paired by id */
    assert_int_equal(seen.n_rows, 1);
    assert_int_equal(seen.rows[0].trans_id, 200);
    assert_string_equal(seen.rows[0].query, "two.example");
    assert_int_equal(seen.rows[0].rtt, 2 * PW_MSEC);
    assert_string_equal(seen.rows[0].answers, "1.2.3.4/900");
    assert_true(seen.rows[0].aa && seen.rows[0].ra && seen.rows[0].rd);
    assert_string_equal(seen.rows[0].rcode_name, "NOERROR");
    assert_string_equal(seen.rows[0].qtype_name, "A");
    assert_string_equal(seen.rows[0].opcode_name, "query");
    now_ns += PW_MSEC;
    feed(FLOW_DIR_RESP, r1.b, r1.n);
    assert_int_equal(seen.n_rows, 2);
    assert_int_equal(seen.rows[1].trans_id, 100);
    assert_int_equal(seen.rows[1].ts, 1000 * PW_SEC);
    assert_int_equal(seen.rows[1].rtt, 4 * PW_MSEC);
    assert_int_equal(seen.confirms, 4);
    end_flow();
    assert_int_equal(seen.n_rows, 2);
}

static void test_reply_only_and_leftovers(void **st)
{
    struct msg q, r;

    reset(TRANSPORT_UDP);
    /* a reply with no question: the query comes from the answer, rtt stays unset */
    hdr(&r, 25701, 0x8480, 0, 1, 0, 0);
    name(&r, "us.v27.distributed.net");
    put16(&r, 1);
    put16(&r, 1);
    put32(&r, 900);
    put16(&r, 4);
    put(&r, "\xce\x6d\x40\xba", 4);
    build_query(&q, 9, "lost.example", 16);
    feed(FLOW_DIR_ORIG, r.b, r.n);
    now_ns += PW_SEC;
    feed(FLOW_DIR_ORIG, q.b, q.n);
    assert_int_equal(seen.n_rows, 0);
    end_flow();
    /* queries first, then replies */
    assert_int_equal(seen.n_rows, 2);
    assert_string_equal(seen.rows[0].query, "lost.example");
    assert_false(has(&seen.rows[0], DNS_F_RCODE));
    assert_false(has(&seen.rows[0], DNS_F_ANSWERS));
    assert_string_equal(seen.rows[0].qtype_name, "TXT");
    assert_string_equal(seen.rows[1].query, "us.v27.distributed.net");
    assert_false(has(&seen.rows[1], DNS_F_RTT));
    assert_false(has(&seen.rows[1], DNS_F_QTYPE));
    assert_string_equal(seen.rows[1].answers, "206.109.64.186/900");
    assert_true(seen.rows[1].aa);
    assert_false(seen.rows[1].rd);
}

static void test_rejected_and_multicast(void **st)
{
    struct msg q, r;

    reset(TRANSPORT_UDP);
    hdr(&q, 5, 0x2400, 1, 0, 0, 0);   /* NOTIFY */
    question(&q, "dhcp.lbnl.us", 6);
    hdr(&r, 5, 0xa405, 1, 0, 0, 0);   /* NOTIFY reply, REFUSED, nothing in it */
    question(&r, "dhcp.lbnl.us", 6);
    feed(FLOW_DIR_ORIG, q.b, q.n);
    feed(FLOW_DIR_RESP, r.b, r.n);
    assert_int_equal(seen.n_rows, 1);
    assert_true(seen.rows[0].rejected);
    assert_string_equal(seen.rows[0].rcode_name, "REFUSED");
    assert_int_equal(seen.rows[0].opcode, 4);
    assert_string_equal(seen.rows[0].opcode_name, "notify");
    assert_false(has(&seen.rows[0], DNS_F_RTT));

    /* to a multicast group every message is its own row, at once */
    reset(TRANSPORT_UDP);
    resp_v4[0] = 224;
    resp_port = 5353;
    build_query(&q, 0, "gemini._sftp-ssh._tcp.local", 33);
    feed(FLOW_DIR_ORIG, q.b, q.n);
    feed(FLOW_DIR_ORIG, q.b, q.n);
    assert_int_equal(seen.n_rows, 2);
    assert_string_equal(seen.rows[1].qtype_name, "SRV");
    assert_false(has(&seen.rows[1], DNS_F_RCODE));
    end_flow();
    assert_int_equal(seen.n_rows, 2);
}

static void test_tcp_framing(void **st)
{
    struct msg          q, r, seg;
    struct parse_result pr;
    size_t              cut;

    reset(TRANSPORT_TCP);
    build_query(&q, 1, "a.example", 1);
    build_reply(&r, 1, "a.example", (const uint8_t *)"\x0a\0\0\x01");
    /* two length-prefixed queries in one segment */
    seg.n = 0;
    put16(&seg, (unsigned)q.n);
    put(&seg, q.b, q.n);
    q.b[1] = 2;
    put16(&seg, (unsigned)q.n);
    put(&seg, q.b, q.n);
    pr = feed(FLOW_DIR_ORIG, seg.b, seg.n);
    assert_int_equal(pr.status, PARSE_OK);
    assert_int_equal(pr.consumed, seg.n);
    assert_int_equal(pr.needed, 0);
    /* a reply split in three: first the lone length byte, then part, then the rest */
    seg.n = 0;
    put16(&seg, (unsigned)r.n);
    put(&seg, r.b, r.n);
    pr = feed(FLOW_DIR_RESP, seg.b, 1);
    assert_int_equal(pr.consumed, 0);
    assert_int_equal(pr.needed, 2);
    cut = 20;
    pr = feed(FLOW_DIR_RESP, seg.b, cut);
    assert_int_equal(pr.consumed, 0);
    assert_int_equal(pr.needed, 2 + r.n);
    assert_int_equal(seen.n_rows, 0);
    pr = feed(FLOW_DIR_RESP, seg.b, seg.n);
    assert_int_equal(pr.consumed, seg.n);
    assert_int_equal(seen.n_rows, 1);
    assert_int_equal(seen.rows[0].trans_id, 1);
    assert_string_equal(seen.rows[0].answers, "10.0.0.1/900");
    end_flow();
    assert_int_equal(seen.n_rows, 2);
    assert_int_equal(seen.rows[1].trans_id, 2);
}

static void test_limits(void **st)
{
    struct msg q;

    /* more unmatched queries than the table holds: the oldest goes out, with a weird */
    reset(TRANSPORT_UDP);
    for (unsigned i = 0; i < 9; i++) {
        build_query(&q, 1000 + i, "x.example", 1);
        feed(FLOW_DIR_ORIG, q.b, q.n);
    }
    assert_int_equal(seen.n_rows, 1);
    assert_int_equal(seen.rows[0].trans_id, 1000);
    assert_int_equal(seen.last_weird, WEIRD_DNS_PENDING_LIMIT);
    end_flow();
    assert_int_equal(seen.n_rows, 9);

    /* too many questions: Zeek's violation; what was pending is written */
    reset(TRANSPORT_UDP);
    build_query(&q, 1, "x.example", 1);
    feed(FLOW_DIR_ORIG, q.b, q.n);
    hdr(&q, 2, 0x0100, 40, 0, 0, 0);
    feed(FLOW_DIR_ORIG, q.b, q.n);
    assert_int_equal(seen.violations, 1);
    assert_int_equal(seen.n_rows, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_plain_and_compressed),
        cmocka_unit_test(test_name_pointer_loops_and_limits),
        cmocka_unit_test(test_name_too_long),
        cmocka_unit_test(test_parse_query),
        cmocka_unit_test(test_parse_reply_records),
        cmocka_unit_test(test_parse_truncations),
        cmocka_unit_test(test_names_tables),
        cmocka_unit_test(test_probe_dns),
        cmocka_unit_test(test_probe_rejects_other_protocols),
        cmocka_unit_test(test_probe_rejects_random_bytes),
        cmocka_unit_test(test_udp_pairing),
        cmocka_unit_test(test_reply_only_and_leftovers),
        cmocka_unit_test(test_rejected_and_multicast),
        cmocka_unit_test(test_tcp_framing),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
