/* tests/unit/capture/test_capture_live.c - the fanout program (run in libpcap's BPF interpreter) and checksum filling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/filter.h>
#include <pcap/pcap.h>
#include <string.h>

#include "capture/capture_live.h"

static struct sock_filter prog[512];
static int prog_len;

static const uint8_t IP_A[4] = {10, 1, 0, 1}, IP_B[4] = {10, 1, 0, 2};
static const uint8_t IP_C[4] = {192, 0, 2, 1}, IP_D[4] = {192, 0, 2, 2};

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i < n; i++)
        s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static size_t eth(uint8_t *b, uint16_t type)
{
    memset(b, 0x02, 12);
    put16(b + 12, type);
    return 14;
}

/* Ethernet + IPv4 + TCP/UDP header + payload bytes, checksums right. */
static size_t frame4(uint8_t *b, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint16_t sp,
                     uint16_t dp, size_t payload, uint16_t frag)
{
    size_t l4len = (proto == 6 ? 20 : 8) + payload, o = eth(b, 0x0800);
    uint8_t *ip = b + o, *l4 = ip + 20;
    uint8_t ph[12];

    memset(ip, 0, 20 + l4len);
    ip[0] = 0x45;
    put16(ip + 2, (uint32_t)(20 + l4len));
    put16(ip + 6, frag);
    ip[8] = 64;
    ip[9] = proto;
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    put16(ip + 10, csum(ip, 20, 0));
    put16(l4, sp);
    put16(l4 + 2, dp);
    if (proto == 6)
        l4[12] = 0x50;
    else
        put16(l4 + 4, (uint32_t)l4len);
    for (size_t i = 0; i < payload; i++)
        l4[l4len - payload + i] = (uint8_t)(i * 7);
    memcpy(ph, src, 4);
    memcpy(ph + 4, dst, 4);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, (uint32_t)l4len);
    uint32_t s = 0;
    for (int i = 0; i < 12; i += 2)
        s += (uint32_t)ph[i] << 8 | ph[i + 1];
    put16(l4 + (proto == 6 ? 16 : 6), csum(l4, l4len, s));
    return o + 20 + l4len;
}

/* An inner frame wrapped in IPv4/UDP to port dport, with `hdr` (the tunnel header) first. */
static size_t wrap(uint8_t *b, uint16_t sport, uint16_t dport, const uint8_t *hdr, size_t hlen, const uint8_t *inner,
                   size_t ilen)
{
    size_t o = eth(b, 0x0800);
    uint8_t *ip = b + o, *udp = ip + 20;

    memset(ip, 0, 28);
    ip[0] = 0x45;
    put16(ip + 2, (uint32_t)(28 + hlen + ilen));
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, IP_C, 4);
    memcpy(ip + 16, IP_D, 4);
    put16(udp, sport);
    put16(udp + 2, dport);
    put16(udp + 4, (uint32_t)(8 + hlen + ilen));
    memcpy(udp + 8, hdr, hlen);
    memcpy(udp + 8 + hlen, inner, ilen);
    return o + 28 + hlen + ilen;
}

static unsigned run(const uint8_t *f, size_t n)
{
    return bpf_filter((const struct bpf_insn *)prog, f, (u_int)n, (u_int)n);
}

static int setup(void **state)
{
    prog_len = capture_live_fanout_program(prog, 512, true, 14);
    return prog_len > 0 ? 0 : -1;
}

static void test_program_fits(void **state)
{
    struct sock_filter small[32];

    assert_true(prog_len > 50 && prog_len < 512);
    assert_int_equal(capture_live_fanout_program(small, 32, true, 14), -1);
    /* The kernel form, a few instructions longer (the packet-type prologue), does not fit either. */
    assert_int_equal(capture_live_fanout_program(small, 0, false, 14), -1);
}

static void test_symmetric_v4(void **state)
{
    uint8_t a[128], b[128];
    unsigned seen_odd = 0, seen_even = 0;

    size_t na = frame4(a, IP_A, IP_B, 6, 40000, 80, 0, 0);
    size_t nb = frame4(b, IP_B, IP_A, 6, 80, 40000, 0, 0);
    assert_int_equal(run(a, na), run(b, nb));
    na = frame4(a, IP_A, IP_B, 17, 5353, 53, 10, 0);
    nb = frame4(b, IP_B, IP_A, 17, 53, 5353, 10, 0);
    assert_int_equal(run(a, na), run(b, nb));
    /* Different flows spread over two workers (the kernel takes the hash modulo 2). */
    for (uint16_t p = 40000; p < 40064; p++) {
        na = frame4(a, IP_A, IP_B, 6, p, 443, 0, 0);
        if (run(a, na) % 2)
            seen_odd++;
        else
            seen_even++;
    }
    assert_true(seen_odd > 16 && seen_even > 16);
}

static void test_symmetric_v6(void **state)
{
    uint8_t a[128], b[128];
    size_t o;

    for (int dir = 0; dir < 2; dir++) {
        uint8_t *f = dir ? b : a, *ip;

        o = eth(f, 0x86dd);
        ip = f + o;
        memset(ip, 0, 60);
        ip[0] = 0x60;
        put16(ip + 4, 20);
        ip[6] = 6;
        ip[7] = 64;
        ip[8 + (dir ? 31 : 15)] = 1;    /* ::1 and ::2 swapped by direction */
        ip[8 + (dir ? 15 : 31)] = 2;
        ip[8] = ip[24] = 0x20;
        put16(ip + 40, dir ? 443 : 50000);
        put16(ip + 42, dir ? 50000 : 443);
    }
    assert_int_equal(run(a, 14 + 60), run(b, 14 + 60));
    put16(b + 14 + 40, 444);
    assert_int_not_equal(run(a, 14 + 60), run(b, 14 + 60));
}

/* An IPv6 frame from ::X to ::Y (both under 2000::/8) whose extension headers are exts (each
 * {type, length in bytes, 0}), then 8 bytes of TCP: the ports, then four bytes of sequence. */
struct ext {
    uint8_t  type;
    uint8_t  len;
    uint16_t frag;   /* for 44: the offset-and-flags word */
};

static size_t frame6x(uint8_t *f, uint8_t x, uint8_t y, const struct ext *exts, int n, uint16_t sp, uint16_t dp)
{
    size_t o = eth(f, 0x86dd), at;
    uint8_t *ip = f + o;

    memset(ip, 0, 40);
    ip[0] = 0x60;
    ip[7] = 64;
    ip[8] = ip[24] = 0x20;
    ip[23] = x;
    ip[39] = y;
    at = o + 40;
    ip[6] = n > 0 ? exts[0].type : 6;
    for (int i = 0; i < n; i++) {
        uint8_t *h = f + at;

        memset(h, 0, exts[i].len);
        h[0] = i + 1 < n ? exts[i + 1].type : 6;
        if (exts[i].type == 44)
            put16(h + 2, exts[i].frag);
        else if (exts[i].type == 51)
            h[1] = (uint8_t)(exts[i].len / 4 - 2);
        else
            h[1] = (uint8_t)(exts[i].len / 8 - 1);
        at += exts[i].len;
    }
    put16(f + at, sp);
    put16(f + at + 2, dp);
    memset(f + at + 4, 0x5a, 4);
    put16(ip + 4, (uint32_t)(at + 8 - o - 40));
    return at + 8;
}

/* Ports are found behind hop-by-hop, routing, destination options and AH headers. */
static void test_v6_extension_headers(void **state)
{
    static const struct ext chain[] = {{0, 8, 0}, {43, 24, 0}, {51, 16, 0}};
    static const struct ext dstopt[] = {{60, 16, 0}};
    uint8_t a[256], b[256];
    size_t na, nb;
    unsigned seen[2] = {0, 0};

    na = frame6x(a, 1, 2, chain, 3, 50000, 443);
    nb = frame6x(b, 2, 1, chain, 3, 443, 50000);
    assert_int_equal(run(a, na), run(b, nb));
    /* The ports count: over many client ports the hash takes both parities. */
    for (uint16_t p = 40000; p < 40032; p++) {
        na = frame6x(a, 1, 2, dstopt, 1, p, 443);
        seen[run(a, na) & 1]++;
    }
    assert_true(seen[0] > 4 && seen[1] > 4);
    /* An atomic fragment (offset 0, no more to come) is a whole packet: ports count too. */
    {
        static const struct ext atomic[] = {{44, 8, 0x0000}};

        na = frame6x(a, 1, 2, atomic, 1, 50000, 443);
        nb = frame6x(b, 1, 2, atomic, 1, 50001, 443);
        assert_int_not_equal(run(a, na), run(b, nb));
    }
}

/* Every fragment of a datagram hashes alike, whatever follows the fragment header in it. */
static void test_v6_fragments_agree(void **state)
{
    static const struct ext first[] = {{44, 8, 0x0001}, {60, 8, 0}};   /* offset 0, more to come */
    static const struct ext later[] = {{44, 8, 0x00a8}};               /* offset 168, the last */
    uint8_t a[256], b[256], c[256];
    size_t na = frame6x(a, 1, 2, first, 2, 50000, 443);
    size_t nb = frame6x(b, 1, 2, later, 1, 0x3c08, 0x9999);   /* payload where ports would be */
    size_t nc = frame6x(c, 2, 1, later, 1, 7, 9);

    /* The later fragment's next header names the first one's (destination options, 60). */
    b[14 + 40] = 60;
    c[14 + 40] = 60;
    assert_int_equal(run(a, na), run(b, nb));
    assert_int_equal(run(a, na), run(c, nc));
}

static void test_not_ip_goes_first(void **state)
{
    uint8_t f[64];

    memset(f, 0, sizeof(f));
    eth(f, 0x0806);
    assert_int_equal(run(f, sizeof(f)), 0);
}

static void test_vxlan_hashes_the_inner_flow(void **state)
{
    uint8_t in1[128], in2[128], o1[256], o2[256], vx[8] = {0x08, 0, 0, 0, 0, 0, 42, 0};
    size_t n1 = frame4(in1, IP_A, IP_B, 6, 40000, 80, 5, 0);
    size_t n2 = frame4(in2, IP_B, IP_A, 6, 80, 40000, 5, 0);
    /* The two directions arrive with different outer source ports, as from Linux's vxlan. */
    size_t m1 = wrap(o1, 51000, 4789, vx, 8, in1, n1);
    size_t m2 = wrap(o2, 62000, 4789, vx, 8, in2, n2);

    assert_int_equal(run(o1, m1), run(o2, m2));
    assert_int_equal(run(o1, m1), run(in1, n1));
    /* Another inner flow in the same outer flow is hashed on its own. */
    n2 = frame4(in2, IP_A, IP_B, 6, 40001, 80, 5, 0);
    m2 = wrap(o2, 51000, 4789, vx, 8, in2, n2);
    assert_int_equal(run(o2, m2), run(in2, n2));
    assert_int_not_equal(run(o1, m1), run(o2, m2));
}

static void test_geneve_hashes_the_inner_flow(void **state)
{
    uint8_t in1[128], in2[128], o1[256], o2[256];
    /* Version 0, 2 words of options, protocol 0x6558 (Ethernet), VNI 7, then the option. */
    uint8_t gn[16] = {0x02, 0, 0x65, 0x58, 0, 0, 7, 0, 0x01, 0x02, 0x03, 0x01, 0xaa, 0xbb, 0xcc, 0xdd};
    uint8_t gip[8] = {0x00, 0, 0x08, 0x00, 0, 0, 7, 0};
    size_t n1 = frame4(in1, IP_A, IP_B, 17, 33333, 53, 20, 0);
    size_t n2 = frame4(in2, IP_B, IP_A, 17, 53, 33333, 20, 0);
    size_t m1 = wrap(o1, 1000, 6081, gn, 16, in1, n1);
    size_t m2 = wrap(o2, 2000, 6081, gn, 16, in2, n2);

    assert_int_equal(run(o1, m1), run(o2, m2));
    assert_int_equal(run(o1, m1), run(in1, n1));
    /* GENEVE carrying IP without an Ethernet header. */
    m2 = wrap(o2, 3000, 6081, gip, 8, in2 + 14, n2 - 14);
    assert_int_equal(run(o2, m2), run(in1, n1));
}

static void test_fragments_follow_addresses(void **state)
{
    uint8_t a[128], b[128];
    size_t na = frame4(a, IP_A, IP_B, 17, 1, 2, 8, 0x0005);   /* offset 40: no ports to read */
    size_t nb = frame4(b, IP_B, IP_A, 17, 3, 4, 8, 0x2000);   /* first fragment (MF) */

    assert_int_equal(run(a, na), run(b, nb));
}

/* ---- checksum filling ---- */

static void test_fill_tcp4(void **state)
{
    uint8_t f[256], want[256];
    size_t n = frame4(f, IP_A, IP_B, 6, 40000, 80, 33, 0);

    memcpy(want, f, n);
    /* What a sender with checksum offload hands over: the pseudo-header sum, not the checksum. */
    put16(f + 14 + 20 + 16, 0x1234);
    assert_true(capture_live_fill_checksum(f, (uint32_t)n, 1));
    assert_memory_equal(f, want, n);
    /* Raw IP (a tun device) too. */
    put16(f + 14 + 20 + 16, 0);
    assert_true(capture_live_fill_checksum(f + 14, (uint32_t)n - 14, 101));
    assert_memory_equal(f, want, n);
}

static void test_fill_refuses(void **state)
{
    uint8_t f[256];
    size_t n = frame4(f, IP_A, IP_B, 17, 4000, 4789, 30, 0);

    /* UDP/IPv4 without a checksum: the pending one is inside (a VXLAN sender). */
    put16(f + 14 + 20 + 6, 0);
    assert_false(capture_live_fill_checksum(f, (uint32_t)n, 1));
    assert_int_equal(f[14 + 20 + 6] | f[14 + 20 + 7], 0);
    /* A fragment does not carry its whole segment; a cut frame neither. */
    n = frame4(f, IP_A, IP_B, 6, 1, 2, 40, 0x2000);
    assert_false(capture_live_fill_checksum(f, (uint32_t)n, 1));
    n = frame4(f, IP_A, IP_B, 6, 1, 2, 40, 0);
    assert_false(capture_live_fill_checksum(f, (uint32_t)n - 1, 1));
    assert_false(capture_live_fill_checksum(f, (uint32_t)n, 113));
}

static void test_fill_udp6(void **state)
{
    uint8_t f[128], want[128], *ip = f + 14, *udp = f + 54;
    uint32_t s = 0;

    memset(f, 0, sizeof(f));
    eth(f, 0x86dd);
    ip[0] = 0x60;
    put16(ip + 4, 12);
    ip[6] = 17;
    ip[7] = 64;
    ip[8] = ip[24] = 0xfd;
    ip[23] = 1;
    ip[39] = 2;
    put16(udp, 5000);
    put16(udp + 2, 53);
    put16(udp + 4, 12);
    memcpy(udp + 8, "abcd", 4);
    for (int i = 8; i < 40; i += 2)
        s += (uint32_t)ip[i] << 8 | ip[i + 1];
    s += 17 + 12;
    put16(udp + 6, csum(udp, 12, s));
    memcpy(want, f, sizeof(f));
    put16(udp + 6, 0xbeef);
    assert_true(capture_live_fill_checksum(f, 14 + 40 + 12, 1));
    assert_memory_equal(f, want, sizeof(f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_program_fits),
        cmocka_unit_test(test_symmetric_v4),
        cmocka_unit_test(test_symmetric_v6),
        cmocka_unit_test(test_v6_extension_headers),
        cmocka_unit_test(test_v6_fragments_agree),
        cmocka_unit_test(test_not_ip_goes_first),
        cmocka_unit_test(test_vxlan_hashes_the_inner_flow),
        cmocka_unit_test(test_geneve_hashes_the_inner_flow),
        cmocka_unit_test(test_fragments_follow_addresses),
        cmocka_unit_test(test_fill_tcp4),
        cmocka_unit_test(test_fill_refuses),
        cmocka_unit_test(test_fill_udp6),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
