/* tests/unit/inline/test_inline_dns.c - the DNS firewall's query reading, crafted answers read back, names learnt from answers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "inline/inline_int.h"

/* Builds a query for name (dotted) of qtype, RD set, with an EDNS OPT record as resolvers send. */
static size_t query(uint8_t *out, const char *name, uint16_t qtype)
{
    static const uint8_t hdr[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    static const uint8_t opt[11] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};
    size_t n = 12;
    const char *p = name;

    memcpy(out, hdr, 12);
    while (*p != '\0') {
        size_t l = strcspn(p, ".");

        out[n++] = (uint8_t)l;
        memcpy(out + n, p, l);
        n += l;
        p += l;
        if (*p == '.')
            p++;
    }
    out[n++] = 0;
    out[n++] = (uint8_t)(qtype >> 8);
    out[n++] = (uint8_t)qtype;
    out[n++] = 0;
    out[n++] = 1;
    memcpy(out + n, opt, sizeof(opt));
    return n + sizeof(opt);
}

struct seen {
    int         n;
    char        name[64];
    struct addr a[4];
    uint32_t    ttl[4];
};

static void on_addr(void *ctx, const char *qname, size_t len, const struct addr *a, uint32_t ttl)
{
    struct seen *s = ctx;

    assert_true(len < sizeof(s->name));
    memcpy(s->name, qname, len);
    s->name[len] = '\0';
    if (s->n < 4) {
        s->a[s->n] = *a;
        s->ttl[s->n] = ttl;
    }
    s->n++;
}

static void test_parse_query(void **state)
{
    uint8_t q[512];
    size_t n = query(q, "Evil.DNSLog.cn", 1);
    struct inline_dns_query dq;

    (void)state;
    assert_int_equal(inline_dns_parse_query(q, n, &dq), 0);
    assert_string_equal(dq.name, "evil.dnslog.cn");
    assert_int_equal(dq.name_len, 14);
    assert_int_equal(dq.id, 0x1234);
    assert_int_equal(dq.qtype, 1);
    assert_int_equal(dq.qclass, 1);
    assert_int_equal(dq.question_end, 12 + 16 + 4);

    n = query(q, "", 2);   /* the root */
    assert_int_equal(inline_dns_parse_query(q, n, &dq), 0);
    assert_string_equal(dq.name, "");
}

static void test_parse_query_refused(void **state)
{
    uint8_t q[600], long_name[300];
    struct inline_dns_query dq;
    size_t n = query(q, "a.example", 1);

    (void)state;
    q[2] |= 0x80;   /* a response */
    assert_int_equal(inline_dns_parse_query(q, n, &dq), -1);
    q[2] &= 0x7f;
    q[2] |= 0x28;   /* opcode 5, UPDATE */
    assert_int_equal(inline_dns_parse_query(q, n, &dq), -1);
    q[2] = 0x01;
    q[5] = 2;       /* two questions */
    assert_int_equal(inline_dns_parse_query(q, n, &dq), -1);
    q[5] = 1;
    assert_int_equal(inline_dns_parse_query(q, 12 + 11 + 3, &dq), -1);   /* cut in the qclass */
    q[12] = 0xc0;   /* a compression pointer in the question */
    assert_int_equal(inline_dns_parse_query(q, n, &dq), -1);
    n = query(q, "a.example", 1);
    q[13] = 0;      /* a NUL inside a label */
    assert_int_equal(inline_dns_parse_query(q, n, &dq), -1);
    /* 254 characters of name: one too many. */
    memset(long_name, 'a', sizeof(long_name));
    for (int i = 63; i < 254; i += 64)
        long_name[i] = '.';
    long_name[254] = '\0';
    n = query(q, (const char *)long_name, 1);
    assert_int_equal(inline_dns_parse_query(q, n, &dq), -1);
    long_name[253] = '\0';
    n = query(q, (const char *)long_name, 1);
    assert_int_equal(inline_dns_parse_query(q, n, &dq), 0);
    assert_int_equal(dq.name_len, 253);
}

static void test_answers(void **state)
{
    uint8_t q[512], a[INLINE_PKT_MAX];
    struct inline_dns_query dq;
    struct addr s4, s6;
    struct seen seen;
    size_t qn = query(q, "X.Dnslog.CN", 1), n;

    (void)state;
    assert_int_equal(addr_parse(&s4, "192.0.2.1"), 0);
    assert_int_equal(addr_parse(&s6, "2001:db8::1"), 0);
    assert_int_equal(inline_dns_parse_query(q, qn, &dq), 0);

    n = inline_dns_answer(a, sizeof(a), q, &dq, POLICY_DNS_NXDOMAIN, NULL, NULL);
    assert_int_equal(n, dq.question_end);
    assert_int_equal(a[0], 0x12);
    assert_int_equal(a[1], 0x34);
    assert_int_equal(a[2], 0x81);   /* QR, RD */
    assert_int_equal(a[3], 0x83);   /* RA, NXDOMAIN */
    assert_int_equal(a[5], 1);
    assert_int_equal(a[7] | a[9] | a[11], 0);
    assert_memory_equal(a + 12, q + 12, dq.question_end - 12);   /* the client's spelling kept */
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(inline_dns_parse_response(a, n, on_addr, &seen), 0);
    assert_int_equal(seen.n, 0);

    n = inline_dns_answer(a, sizeof(a), q, &dq, POLICY_DNS_NODATA, &s4, &s6);
    assert_int_equal(n, dq.question_end);
    assert_int_equal(a[3], 0x80);
    assert_int_equal(a[7], 0);

    n = inline_dns_answer(a, sizeof(a), q, &dq, POLICY_DNS_SINKHOLE, &s4, &s6);
    assert_int_equal(n, dq.question_end + 16);
    assert_int_equal(a[3], 0x80);
    assert_int_equal(a[7], 1);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(inline_dns_parse_response(a, n, on_addr, &seen), 0);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.name, "x.dnslog.cn");
    assert_memory_equal(seen.a[0].b, s4.b, 16);
    assert_int_equal(seen.ttl[0], 60);

    qn = query(q, "x.dnslog.cn", 28);
    assert_int_equal(inline_dns_parse_query(q, qn, &dq), 0);
    n = inline_dns_answer(a, sizeof(a), q, &dq, POLICY_DNS_SINKHOLE, &s4, &s6);
    assert_int_equal(n, dq.question_end + 28);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(inline_dns_parse_response(a, n, on_addr, &seen), 0);
    assert_int_equal(seen.n, 1);
    assert_memory_equal(seen.a[0].b, s6.b, 16);
    /* AAAA asked, no IPv6 sinkhole: NODATA. */
    n = inline_dns_answer(a, sizeof(a), q, &dq, POLICY_DNS_SINKHOLE, &s4, NULL);
    assert_int_equal(n, dq.question_end);
    assert_int_equal(a[7], 0);
    assert_int_equal(a[3], 0x80);
    /* No room. */
    assert_int_equal(inline_dns_answer(a, dq.question_end + 10, q, &dq, POLICY_DNS_SINKHOLE, &s4, &s6), 0);
}

static void test_response_cname(void **state)
{
    /* www.example.com A -> CNAME cdn.example.com (compressed) -> A 203.0.113.5, TTL 300. */
    uint8_t buf[] = {
        0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
        3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
        /* 33: the CNAME, its target at 45 points into the question's "example" (16) */
        0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'c', 'd', 'n', 0xc0, 16,
        /* 51: the address, owned by the CNAME's target */
        0xc0, 45, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 203, 0, 113, 5,
    };
    size_t n = sizeof(buf);
    struct seen seen;

    (void)state;
    assert_int_equal(n, 67);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(inline_dns_parse_response(buf, n, on_addr, &seen), 0);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.name, "www.example.com");
    assert_int_equal(seen.a[0].b[12], 203);
    assert_int_equal(seen.a[0].b[15], 5);
    assert_int_equal(seen.ttl[0], 300);
    /* Cut short, or a pointer to itself: refused. */
    assert_int_equal(inline_dns_parse_response(buf, n - 1, on_addr, &seen), -1);
    buf[52] = 51;
    assert_int_equal(inline_dns_parse_response(buf, n, on_addr, &seen), -1);
    buf[52] = 45;
    /* A query is no response. */
    buf[2] = 0x01;
    assert_int_equal(inline_dns_parse_response(buf, n, on_addr, &seen), -1);
}

static void test_cache(void **state)
{
    struct inline_dns_cache *c = inline_dns_cache_create(16);
    struct addr a, b;

    (void)state;
    assert_non_null(c);
    assert_int_equal(addr_parse(&a, "203.0.113.5"), 0);
    assert_int_equal(addr_parse(&b, "203.0.113.6"), 0);
    assert_null(inline_dns_cache_get(c, &a, 100));
    inline_dns_cache_put(c, &a, "www.example.com", 15, 1000);
    assert_string_equal(inline_dns_cache_get(c, &a, 999), "www.example.com");
    assert_null(inline_dns_cache_get(c, &a, 1000));
    assert_null(inline_dns_cache_get(c, &b, 999));
    inline_dns_cache_put(c, &a, "other.example", 13, 2000);
    assert_string_equal(inline_dns_cache_get(c, &a, 1500), "other.example");
    /* Many more addresses than slots: the table stays bounded and the latest are found. */
    for (int i = 0; i < 1000; i++) {
        struct addr x = a;

        x.b[14] = (uint8_t)(i >> 8);
        x.b[15] = (uint8_t)i;
        inline_dns_cache_put(c, &x, "n.example", 9, 5000 + i);
        assert_string_equal(inline_dns_cache_get(c, &x, 10), "n.example");
    }
    inline_dns_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_query), cmocka_unit_test(test_parse_query_refused),
        cmocka_unit_test(test_answers),     cmocka_unit_test(test_response_cname),
        cmocka_unit_test(test_cache),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
