/* tests/unit/inline/test_inline_reset.c - crafted TCP resets, ICMP unreachables and UDP answers: fields and checksums. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "inline/inline_int.h"

/* An independent RFC 1071 sum, so the module's own is not what checks it. */
static uint32_t ref_sum(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    return s;
}

static uint16_t ref_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A valid transport checksum sums, with its pseudo-header, to all ones. */
static uint16_t l4_sum(const uint8_t *ip, size_t len)
{
    uint8_t tail[8] = {0};
    uint32_t s;

    if ((ip[0] >> 4) == 4) {
        size_t ihl = (size_t)(ip[0] & 15) * 4;

        s = ref_sum(0, ip + 12, 8);
        tail[1] = ip[9];
        tail[2] = (uint8_t)((len - ihl) >> 8);
        tail[3] = (uint8_t)(len - ihl);
        s = ref_sum(s, tail, 4);
        return ref_fold(ref_sum(s, ip + ihl, len - ihl));
    }
    s = ref_sum(0, ip + 8, 32);
    tail[2] = (uint8_t)((len - 40) >> 8);
    tail[3] = (uint8_t)(len - 40);
    tail[7] = ip[6];
    s = ref_sum(s, tail, 8);
    return ref_fold(ref_sum(s, ip + 40, len - 40));
}

static struct addr v4(const char *s)
{
    struct addr a;

    assert_int_equal(addr_parse(&a, s), 0);
    return a;
}

static void test_rst_v4(void **state)
{
    struct addr s = v4("198.51.100.20"), d = v4("10.77.0.2");
    uint8_t out[INLINE_PKT_MAX];
    size_t n = inline_reset_tcp(out, sizeof(out), &s, 443, &d, 40000, 0x11223344u, 0x55667788u, true);

    (void)state;
    assert_int_equal(n, 40);
    assert_int_equal(out[0], 0x45);
    assert_int_equal(be16(out + 2), 40);
    assert_int_equal(out[9], 6);
    assert_int_equal(be16(out + 6), 0x4000);
    assert_memory_equal(out + 12, s.b + 12, 4);
    assert_memory_equal(out + 16, d.b + 12, 4);
    assert_int_equal(ref_fold(ref_sum(0, out, 20)), 0xffff);
    assert_int_equal(be16(out + 20), 443);
    assert_int_equal(be16(out + 22), 40000);
    assert_int_equal(be32(out + 24), 0x11223344u);
    assert_int_equal(be32(out + 28), 0x55667788u);
    assert_int_equal(out[32], 0x50);
    assert_int_equal(out[33], 0x14);   /* RST|ACK */
    assert_int_equal(l4_sum(out, n), 0xffff);

    n = inline_reset_tcp(out, sizeof(out), &s, 443, &d, 40000, 7, 99, false);
    assert_int_equal(n, 40);
    assert_int_equal(out[33], 0x04);
    assert_int_equal(be32(out + 28), 0);
    assert_int_equal(l4_sum(out, n), 0xffff);
}

static void test_rst_v6(void **state)
{
    struct addr s = v4("2001:db8::1"), d = v4("2001:db8::2");
    uint8_t out[INLINE_PKT_MAX];
    size_t n = inline_reset_tcp(out, sizeof(out), &s, 80, &d, 1234, 1, 2, true);

    (void)state;
    assert_int_equal(n, 60);
    assert_int_equal(out[0] >> 4, 6);
    assert_int_equal(be16(out + 4), 20);
    assert_int_equal(out[6], 6);
    assert_int_equal(out[7], 64);
    assert_memory_equal(out + 8, s.b, 16);
    assert_memory_equal(out + 24, d.b, 16);
    assert_int_equal(out[53], 0x14);
    assert_int_equal(l4_sum(out, n), 0xffff);
}

static void test_rst_refused(void **state)
{
    struct addr a = v4("10.0.0.1"), b = v4("2001:db8::2");
    uint8_t out[INLINE_PKT_MAX];

    (void)state;
    assert_int_equal(inline_reset_tcp(out, sizeof(out), &a, 1, &b, 2, 0, 0, false), 0);
    assert_int_equal(inline_reset_tcp(out, 59, &a, 1, &a, 2, 0, 0, false), 0);
}

static void test_udp(void **state)
{
    struct addr s = v4("198.51.100.53"), d = v4("10.77.0.2");
    uint8_t out[INLINE_PKT_MAX], payload[33];
    size_t n;

    (void)state;
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i * 7 + 1);
    n = inline_reset_udp(out, sizeof(out), &s, 53, &d, 5353, payload, sizeof(payload));
    assert_int_equal(n, 20 + 8 + 33);
    assert_int_equal(be16(out + 2), n);
    assert_int_equal(out[9], 17);
    assert_int_equal(ref_fold(ref_sum(0, out, 20)), 0xffff);
    assert_int_equal(be16(out + 20), 53);
    assert_int_equal(be16(out + 22), 5353);
    assert_int_equal(be16(out + 24), 41);
    assert_memory_equal(out + 28, payload, sizeof(payload));
    assert_int_not_equal(be16(out + 26), 0);
    assert_int_equal(l4_sum(out, n), 0xffff);
    assert_int_equal(inline_reset_udp(out, 100, &s, 53, &d, 5353, payload, 80), 0);
}

static void test_unreach_v4(void **state)
{
    struct addr c = v4("10.77.0.2"), r = v4("198.51.100.53");
    uint8_t q[INLINE_PKT_MAX], out[INLINE_PKT_MAX], big[1400] = {0};
    size_t qn = inline_reset_udp(q, sizeof(q), &c, 40001, &r, 53, (const uint8_t *)"hello", 5), n;

    (void)state;
    n = inline_reset_unreach(out, sizeof(out), q, qn);
    assert_int_equal(n, 20 + 8 + qn);
    assert_int_equal(out[9], 1);
    assert_memory_equal(out + 12, r.b + 12, 4);   /* from the datagram's destination */
    assert_memory_equal(out + 16, c.b + 12, 4);   /* back to its source */
    assert_int_equal(ref_fold(ref_sum(0, out, 20)), 0xffff);
    assert_int_equal(out[20], 3);
    assert_int_equal(out[21], 3);
    assert_int_equal(ref_fold(ref_sum(0, out + 20, n - 20)), 0xffff);
    assert_memory_equal(out + 28, q, qn);

    /* A long datagram is quoted up to 576 bytes in all. */
    memcpy(big, q, 28);
    big[2] = 1400 >> 8;
    big[3] = 1400 & 0xff;
    n = inline_reset_unreach(out, sizeof(out), big, sizeof(big));
    assert_int_equal(n, 576);
    assert_int_equal(be16(out + 2), 576);
    assert_int_equal(ref_fold(ref_sum(0, out + 20, n - 20)), 0xffff);

    assert_int_equal(inline_reset_unreach(out, sizeof(out), q, 19), 0);
    q[0] = 0x55;
    assert_int_equal(inline_reset_unreach(out, sizeof(out), q, qn), 0);
}

static void test_unreach_v6(void **state)
{
    struct addr c = v4("2001:db8::2"), r = v4("2001:db8::53");
    uint8_t q[INLINE_PKT_MAX], out[INLINE_PKT_MAX];
    size_t qn = inline_reset_udp(q, sizeof(q), &c, 40001, &r, 53, (const uint8_t *)"hi", 2), n;

    (void)state;
    assert_int_equal(qn, 40 + 8 + 2);
    assert_int_equal(l4_sum(q, qn), 0xffff);
    n = inline_reset_unreach(out, sizeof(out), q, qn);
    assert_int_equal(n, 40 + 8 + qn);
    assert_int_equal(out[6], 58);
    assert_memory_equal(out + 8, r.b, 16);
    assert_memory_equal(out + 24, c.b, 16);
    assert_int_equal(out[40], 1);
    assert_int_equal(out[41], 4);
    assert_int_equal(l4_sum(out, n), 0xffff);
    assert_memory_equal(out + 48, q, qn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rst_v4),    cmocka_unit_test(test_rst_v6),      cmocka_unit_test(test_rst_refused),
        cmocka_unit_test(test_udp),       cmocka_unit_test(test_unreach_v4), cmocka_unit_test(test_unreach_v6),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
