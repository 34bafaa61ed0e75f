/* tests/unit/decode/test_decode.c - link layers, IPv4/IPv6 headers, transports, checksums, malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "frame_build.h"

#define TS (1700000000 * PW_SEC)

struct fx {
    struct weird_rec w;
    struct decoder  *d;
    struct packet    p;
    uint8_t          f[2048];
};

static int setup(void **state)
{
    static struct fx fx;

    memset(&fx, 0, sizeof(fx));
    fx.d = mk_decoder(&fx.w, true, 16, 1 << 20);
    *state = &fx;
    return fx.d == NULL;
}

static int teardown(void **state)
{
    struct fx *fx = *state;

    decoder_free(fx->d);
    return 0;
}

static enum decode_result dec(struct fx *fx, int link, uint32_t caplen, uint32_t wirelen)
{
    return decoder_decode(fx->d, link, TS, fx->f, caplen, wirelen, &fx->p);
}

/* Ethernet + IPv4 (+opts) + TCP "hello"; returns the frame length. */
static uint32_t eth_ip4_tcp(uint8_t *f, const uint8_t *opts, uint32_t optlen, const char *payload)
{
    uint32_t off = fb_eth(f, 0x0800);
    uint32_t n = (uint32_t)strlen(payload);
    uint32_t hl = fb_ip4(f + off, 6, 1, 0, opts, optlen, 20 + n);

    fb_tcp(f + off + hl, 40000, 80, 1000, TCP_PSH | TCP_ACK, payload);
    fb_l4_csum(f + off, f + off + hl, 20 + n, 6, 16, true);
    return off + hl + 20 + n;
}

static void test_eth_ip4_tcp(void **state)
{
    struct fx *fx = *state;
    uint32_t n = eth_ip4_tcp(fx->f, NULL, 0, "hello");
    struct addr a;

    assert_int_equal(dec(fx, LINK_ETHERNET, n, n), DECODE_OK);
    assert_int_equal(fx->p.ip_version, 4);
    assert_int_equal(fx->p.l4_proto, 6);
    addr_from_v4(&a, A4);
    assert_memory_equal(&fx->p.src, &a, sizeof(a));
    assert_int_equal(fx->p.ip_len, 45);
    assert_int_equal(fx->p.sport, 40000);
    assert_int_equal(fx->p.dport, 80);
    assert_int_equal(fx->p.tcp_seq, 1000);
    assert_int_equal(fx->p.tcp_ack, 0x01020304);
    assert_int_equal(fx->p.tcp_win, 65535);
    assert_int_equal(fx->p.tcp_flags, TCP_PSH | TCP_ACK);
    assert_int_equal(fx->p.payload_len, 5);
    assert_int_equal(fx->p.payload_wire_len, 5);
    assert_memory_equal(fx->p.payload, "hello", 5);
    assert_int_equal(fx->p.l4_len, 25);
    assert_false(fx->p.csum_bad);
    assert_false(fx->p.reassembled);
    assert_int_equal(fx->p.vlan_count, 0);
    assert_int_equal(fx->w.n, 0);
    assert_int_equal(decoder_get_stats(fx->d)->packets, 1);
}

static void test_ip4_options(void **state)
{
    struct fx *fx = *state;
    static const uint8_t opts[8] = {1, 1, 1, 1, 1, 1, 1, 0};   /* NOPs, EOL */
    uint32_t n = eth_ip4_tcp(fx->f, opts, 8, "xy");

    assert_int_equal(dec(fx, LINK_ETHERNET, n, n), DECODE_OK);
    assert_int_equal(fx->p.ip_len, 28 + 22);
    assert_ptr_equal(fx->p.l4, fx->f + 14 + 28);
    assert_int_equal(fx->p.sport, 40000);
    assert_memory_equal(fx->p.payload, "xy", 2);
    assert_false(fx->p.csum_bad);
}

static void test_eth_padding_ignored(void **state)
{
    struct fx *fx = *state;
    uint32_t off = fb_eth(fx->f, 0x0800), hl;

    hl = fb_ip4(fx->f + off, 17, 7, 0, NULL, 0, 10);
    fb_udp(fx->f + off + hl, 5353, 53, (const uint8_t *)"ab", 2);
    fb_l4_csum(fx->f + off, fx->f + off + hl, 10, 17, 6, true);
    memset(fx->f + off + hl + 10, 0xee, 60 - (off + hl + 10));   /* pad to the 60-byte minimum */
    assert_int_equal(dec(fx, LINK_ETHERNET, 60, 60), DECODE_OK);
    assert_int_equal(fx->p.ip_len, 30);
    assert_int_equal(fx->p.payload_len, 2);
    assert_int_equal(fx->p.payload_wire_len, 2);
    assert_int_equal(fx->p.l4_len, 10);
    assert_false(fx->p.csum_bad);
    assert_int_equal(fx->w.n, 0);   /* no UDP length mismatch from the padding */
}

static uint32_t vlan_frame(uint8_t *f, const uint16_t *tpids, const uint16_t *vids, int ntags)
{
    uint32_t off = 12, hl;
    int i;

    memset(f, 0x11, 12);
    for (i = 0; i < ntags; i++) {
        wr16(f + off, tpids[i]);
        wr16(f + off + 2, 0x2000 | vids[i]);   /* priority bits must be masked off */
        off += 4;
    }
    wr16(f + off, 0x0800);
    off += 2;
    hl = fb_ip4(f + off, 17, 1, 0, NULL, 0, 8);
    fb_udp(f + off + hl, 1, 2, NULL, 0);
    return off + hl + 8;
}

static void test_vlan_and_qinq(void **state)
{
    struct fx *fx = *state;
    static const uint16_t t1[] = {0x8100}, v1[] = {100};
    static const uint16_t t2[] = {0x88a8, 0x8100}, v2[] = {200, 300};
    static const uint16_t t3[] = {0x9100, 0x88a8, 0x8100}, v3[] = {7, 8, 9};
    uint32_t n;

    n = vlan_frame(fx->f, t1, v1, 1);
    assert_int_equal(dec(fx, LINK_ETHERNET, n, n), DECODE_OK);
    assert_int_equal(fx->p.vlan_count, 1);
    assert_int_equal(fx->p.vlan[0], 100);
    assert_int_equal(fx->p.dport, 2);

    n = vlan_frame(fx->f, t2, v2, 2);
    assert_int_equal(dec(fx, LINK_ETHERNET, n, n), DECODE_OK);
    assert_int_equal(fx->p.vlan_count, 2);
    assert_int_equal(fx->p.vlan[0], 200);
    assert_int_equal(fx->p.vlan[1], 300);

    n = vlan_frame(fx->f, t3, v3, 3);
    assert_int_equal(dec(fx, LINK_ETHERNET, n, n), DECODE_OK);
    assert_int_equal(fx->p.vlan_count, 2);
    assert_int_equal(fx->p.vlan[0], 7);
    assert_int_equal(fx->p.vlan[1], 8);
    assert_int_equal(fx->p.ip_version, 4);
    assert_int_equal(fx->w.n, 0);

    /* A tag cut by the capture. */
    memset(fx->f, 0, 16);
    wr16(fx->f + 12, 0x8100);
    assert_int_equal(dec(fx, LINK_ETHERNET, 16, 16), DECODE_BAD);
    assert_true(weird_seen(&fx->w, WEIRD_TRUNCATED_VLAN_HEADER));
}

static void test_non_ip_skipped(void **state)
{
    struct fx *fx = *state;

    fb_eth(fx->f, 0x0806);   /* ARP */
    memset(fx->f + 14, 0, 28);
    assert_int_equal(dec(fx, LINK_ETHERNET, 42, 42), DECODE_SKIP);
    fb_eth(fx->f, 0x88cc);   /* LLDP */
    assert_int_equal(dec(fx, LINK_ETHERNET, 42, 42), DECODE_SKIP);
    assert_int_equal(decoder_get_stats(fx->d)->skipped, 2);
    assert_int_equal(decoder_get_stats(fx->d)->bad, 0);
    assert_int_equal(fx->w.n, 0);
}

static void test_link_header_errors(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(dec(fx, LINK_ETHERNET, 10, 10), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_TRUNCATED_LINK_HEADER);
    assert_int_equal(dec(fx, 147, 10, 10), DECODE_BAD);
    assert_int_equal(fx->w.ids[1], WEIRD_UNKNOWN_LINK_TYPE);
    assert_int_equal(dec(fx, LINK_LINUX_SLL, 15, 15), DECODE_BAD);
    assert_int_equal(fx->w.ids[2], WEIRD_TRUNCATED_LINK_HEADER);
    assert_int_equal(decoder_get_stats(fx->d)->bad, 3);
}

/* Puts an IPv4 UDP datagram at f + off; returns the total frame length. */
static uint32_t put_ip4_udp(uint8_t *f, uint32_t off)
{
    uint32_t hl = fb_ip4(f + off, 17, 9, 0, NULL, 0, 12);

    fb_udp(f + off + hl, 1111, 2222, (const uint8_t *)"abcd", 4);
    fb_l4_csum(f + off, f + off + hl, 12, 17, 6, true);
    return off + hl + 12;
}

static uint32_t put_ip6_udp(uint8_t *f, uint32_t off)
{
    uint32_t hl = fb_ip6(f + off, 17, 12);

    fb_udp(f + off + hl, 1111, 2222, (const uint8_t *)"abcd", 4);
    fb_l4_csum(f + off, f + off + hl, 12, 17, 6, true);
    return off + hl + 12;
}

static void test_linux_cooked(void **state)
{
    struct fx *fx = *state;
    uint32_t n;

    memset(fx->f, 0, 20);
    wr16(fx->f + 14, 0x0800);
    n = put_ip4_udp(fx->f, 16);
    assert_int_equal(dec(fx, LINK_LINUX_SLL, n, n), DECODE_OK);
    assert_int_equal(fx->p.sport, 1111);
    assert_false(fx->p.csum_bad);

    memset(fx->f, 0, 20);
    wr16(fx->f, 0x86dd);
    n = put_ip6_udp(fx->f, 20);
    assert_int_equal(dec(fx, LINK_LINUX_SLL2, n, n), DECODE_OK);
    assert_int_equal(fx->p.ip_version, 6);
    assert_int_equal(fx->p.ip_len, 52);
    assert_int_equal(fx->p.dport, 2222);
    assert_false(fx->p.csum_bad);
    assert_int_equal(fx->w.n, 0);
}

static void test_raw_links(void **state)
{
    struct fx *fx = *state;
    uint32_t n;

    n = put_ip4_udp(fx->f, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.ip_version, 4);
    assert_int_equal(dec(fx, 12, n, n), DECODE_OK);
    assert_int_equal(dec(fx, 14, n, n), DECODE_OK);
    assert_int_equal(dec(fx, LINK_IPV4, n, n), DECODE_OK);
    /* LINKTYPE_IPV6 holding IPv4. */
    assert_int_equal(dec(fx, LINK_IPV6, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_UNKNOWN_IP_VERSION);

    n = put_ip6_udp(fx->f, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.ip_version, 6);
    assert_int_equal(dec(fx, LINK_IPV6, n, n), DECODE_OK);
    assert_int_equal(fx->p.sport, 1111);

    fx->f[0] = 0x50;   /* IP version 5 */
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[1], WEIRD_UNKNOWN_IP_VERSION);
}

static void test_bsd_null_and_loop(void **state)
{
    struct fx *fx = *state;
    uint32_t n;

    /* Little-endian host: AF_INET = 02 00 00 00. */
    fx->f[0] = 2, fx->f[1] = 0, fx->f[2] = 0, fx->f[3] = 0;
    n = put_ip4_udp(fx->f, 4);
    assert_int_equal(dec(fx, LINK_NULL, n, n), DECODE_OK);
    assert_int_equal(fx->p.ip_version, 4);

    /* macOS AF_INET6 = 30, little-endian; then FreeBSD 28 and BSD 24 written big-endian. */
    n = put_ip6_udp(fx->f, 4);
    fx->f[0] = 30, fx->f[1] = 0, fx->f[2] = 0, fx->f[3] = 0;
    assert_int_equal(dec(fx, LINK_NULL, n, n), DECODE_OK);
    assert_int_equal(fx->p.ip_version, 6);
    wr32(fx->f, 28);
    assert_int_equal(dec(fx, LINK_NULL, n, n), DECODE_OK);
    wr32(fx->f, 24);
    assert_int_equal(dec(fx, LINK_NULL, n, n), DECODE_OK);
    assert_int_equal(fx->p.dport, 2222);

    /* OpenBSD loop: network order only. */
    wr32(fx->f, 24);
    assert_int_equal(dec(fx, LINK_LOOP, n, n), DECODE_OK);
    fx->f[0] = 24, fx->f[1] = 0, fx->f[2] = 0, fx->f[3] = 0;
    assert_int_equal(dec(fx, LINK_LOOP, n, n), DECODE_SKIP);

    wr32(fx->f, 7);   /* some other address family */
    assert_int_equal(dec(fx, LINK_NULL, n, n), DECODE_SKIP);
    assert_int_equal(dec(fx, LINK_NULL, 3, 3), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_TRUNCATED_LINK_HEADER);
    assert_int_equal(fx->w.n, 1);
}

static void test_ip4_malformed(void **state)
{
    struct fx *fx = *state;
    uint8_t *ip = fx->f;
    uint32_t n = put_ip4_udp(fx->f, 0);
    struct addr a;

    assert_int_equal(dec(fx, LINK_RAW, 19, 19), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_TRUNCATED_IP);

    ip[0] = 0x44;   /* IHL 4 */
    fb_ip4_fix_csum(ip);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[1], WEIRD_IPV4_MIN_HEADER_SIZE);
    addr_from_v4(&a, A4);
    assert_memory_equal(&fx->w.src[1], &a, sizeof(a));   /* the weird knows the addresses */

    n = put_ip4_udp(fx->f, 0);
    wr16(ip + 2, 16);   /* total length shorter than the header */
    fb_ip4_fix_csum(ip);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[2], WEIRD_INVALID_IP_HEADER_SIZE);

    wr16(ip + 2, 200);  /* total length longer than the frame on the wire */
    fb_ip4_fix_csum(ip);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[3], WEIRD_TRUNCATED_IP_LEN);

    wr16(ip + 2, 0);
    fb_ip4_fix_csum(ip);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[4], WEIRD_IP_HDR_LEN_ZERO);

    /* IHL 15 (60 bytes) inside a 100-byte datagram of which 30 were captured. */
    memset(ip, 0, 100);
    fb_ip4(ip, 17, 1, 0, NULL, 0, 80);
    ip[0] = 0x4f;
    assert_int_equal(dec(fx, LINK_RAW, 30, 100), DECODE_BAD);
    assert_int_equal(fx->w.ids[5], WEIRD_INTERNALLY_TRUNCATED_HEADER);

    n = put_ip4_udp(fx->f, 0);
    ip[8] ^= 1;   /* TTL changed, checksum not */
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[6], WEIRD_BAD_IP_CHECKSUM);
    assert_memory_equal(&fx->w.src[6], &a, sizeof(a));
    assert_int_equal(fx->w.n, 7);
    assert_int_equal(decoder_get_stats(fx->d)->bad, 7);
}

static void test_ip4_checksum_off(void **state)
{
    struct weird_rec w;
    struct decoder *d;
    struct packet p;
    uint8_t f[64];
    uint32_t n;

    memset(&w, 0, sizeof(w));
    d = mk_decoder(&w, false, 4, 1 << 16);
    n = put_ip4_udp(f, 0);
    f[8] ^= 1;        /* bad IP checksum */
    f[20 + 8] ^= 1;   /* bad UDP checksum */
    assert_int_equal(decoder_decode(d, LINK_RAW, TS, f, n, n, &p), DECODE_OK);
    assert_false(p.csum_bad);
    assert_int_equal(w.n, 0);
    decoder_free(d);
}

static void test_tcp_malformed(void **state)
{
    struct fx *fx = *state;
    uint8_t *tcp = fx->f + 14 + 20;
    uint32_t n = eth_ip4_tcp(fx->f, NULL, 0, "hello");

    tcp[12] = 4 << 4;
    assert_int_equal(dec(fx, LINK_ETHERNET, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_BAD_TCP_HEADER_LEN);
    assert_int_equal(fx->p.sport, 40000);   /* ports are known by then */

    tcp[12] = 15 << 4;   /* 60-byte header in a 25-byte segment */
    assert_int_equal(dec(fx, LINK_ETHERNET, n, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[1], WEIRD_TRUNCATED_HEADER);

    /* The IP length leaves 10 bytes for TCP. */
    n = fb_eth(fx->f, 0x0800);
    n += fb_ip4(fx->f + n, 6, 1, 0, NULL, 0, 10);
    assert_int_equal(dec(fx, LINK_ETHERNET, n + 10, n + 10), DECODE_BAD);
    assert_int_equal(fx->w.ids[2], WEIRD_TRUNCATED_HEADER);

    /* The IP length holds the header but the capture (snaplen 44) cut it. */
    n = eth_ip4_tcp(fx->f, NULL, 0, "hello");
    assert_int_equal(dec(fx, LINK_ETHERNET, 44, n), DECODE_BAD);
    assert_int_equal(fx->w.ids[3], WEIRD_INTERNALLY_TRUNCATED_HEADER);
    assert_int_equal(fx->w.n, 4);
}

static void test_capture_truncated_payload(void **state)
{
    struct fx *fx = *state;
    char body[101];
    uint32_t n;

    memset(body, 'z', 100);
    body[100] = 0;
    n = eth_ip4_tcp(fx->f, NULL, 0, body);
    fx->f[n - 1] ^= 0xff;   /* would break the checksum, but it is not checked on a cut segment */
    assert_int_equal(dec(fx, LINK_ETHERNET, n - 50, n), DECODE_OK);
    assert_int_equal(fx->p.ip_len, 140);
    assert_int_equal(fx->p.payload_len, 50);
    assert_int_equal(fx->p.payload_wire_len, 100);
    assert_int_equal(fx->p.l4_len, 70);
    assert_false(fx->p.csum_bad);
    assert_int_equal(fx->w.n, 0);
}

static void test_transport_checksums(void **state)
{
    struct fx *fx = *state;
    uint32_t n = eth_ip4_tcp(fx->f, NULL, 0, "hello");

    fx->f[n - 1] ^= 1;
    assert_int_equal(dec(fx, LINK_ETHERNET, n, n), DECODE_OK);
    assert_true(fx->p.csum_bad);
    assert_int_equal(fx->w.n, 0);   /* the engine decides; decode raises nothing */

    n = put_ip4_udp(fx->f, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_false(fx->p.csum_bad);
    fx->f[n - 1] ^= 1;
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_true(fx->p.csum_bad);
    wr16(fx->f + 26, 0);   /* IPv4 UDP: zero means no checksum */
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_false(fx->p.csum_bad);

    n = put_ip6_udp(fx->f, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_false(fx->p.csum_bad);
    wr16(fx->f + 46, 0);   /* IPv6 UDP: mandatory */
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_true(fx->p.csum_bad);
    assert_int_equal(fx->w.n, 0);
}

static void test_udp_length_mismatch(void **state)
{
    struct fx *fx = *state;
    uint32_t n = put_ip4_udp(fx->f, 0);

    wr16(fx->f + 24, 20);
    fb_l4_csum(fx->f, fx->f + 20, 12, 17, 6, true);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->w.n, 1);
    assert_int_equal(fx->w.ids[0], WEIRD_TRUNCATED_UDP_LENGTH);
    assert_string_equal(fx->w.addl, "20 != 12");
    assert_string_equal(weird_name(WEIRD_TRUNCATED_UDP_LENGTH), "UDP_datagram_length_mismatch");
    assert_int_equal(fx->p.payload_len, 4);   /* the IP length bounds the payload, as in Zeek */
    assert_false(fx->p.csum_bad);

    n = fb_ip4(fx->f, 17, 1, 0, NULL, 0, 6);
    assert_int_equal(dec(fx, LINK_RAW, n + 6, n + 6), DECODE_BAD);
    assert_int_equal(fx->w.ids[1], WEIRD_TRUNCATED_HEADER);
}

static uint32_t put_icmp(uint8_t *f, bool v6, uint8_t type, uint8_t code)
{
    uint32_t hl = v6 ? fb_ip6(f, 58, 16) : fb_ip4(f, 1, 3, 0, NULL, 0, 16);
    uint8_t *m = f + hl;

    m[0] = type;
    m[1] = code;
    wr16(m + 4, 0x1234);
    wr16(m + 6, 1);
    memcpy(m + 8, "pingpong", 8);
    fb_l4_csum(f, m, 16, v6 ? 58 : 1, 2, v6);
    return hl + 16;
}

static void test_icmp_ports(void **state)
{
    struct fx *fx = *state;
    uint32_t n;

    n = put_icmp(fx->f, false, 8, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.l4_proto, 1);
    assert_int_equal(fx->p.icmp_type, 8);
    assert_int_equal(fx->p.sport, 8);
    assert_int_equal(fx->p.dport, 0);
    assert_false(fx->p.icmp_one_way);
    assert_false(fx->p.csum_bad);
    assert_int_equal(fx->p.payload_len, 8);

    n = put_icmp(fx->f, false, 0, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.sport, 0);
    assert_int_equal(fx->p.dport, 8);

    n = put_icmp(fx->f, false, 13, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.dport, 14);

    n = put_icmp(fx->f, false, 3, 1);   /* host unreachable: one-way, code as resp port */
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.sport, 3);
    assert_int_equal(fx->p.dport, 1);
    assert_int_equal(fx->p.icmp_code, 1);
    assert_true(fx->p.icmp_one_way);

    fx->f[n - 1] ^= 1;
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_true(fx->p.csum_bad);

    n = put_icmp(fx->f, true, 128, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.l4_proto, 58);
    assert_int_equal(fx->p.sport, 128);
    assert_int_equal(fx->p.dport, 129);
    assert_false(fx->p.icmp_one_way);
    assert_false(fx->p.csum_bad);

    n = put_icmp(fx->f, true, 135, 0);
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.dport, 136);

    n = put_icmp(fx->f, true, 1, 4);   /* port unreachable */
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_int_equal(fx->p.dport, 4);
    assert_true(fx->p.icmp_one_way);
    fx->f[20] ^= 1;    /* a source-address byte: only the pseudo-header sees it */
    assert_int_equal(dec(fx, LINK_RAW, n, n), DECODE_OK);
    assert_true(fx->p.csum_bad);

    n = fb_ip4(fx->f, 1, 3, 0, NULL, 0, 4);
    assert_int_equal(dec(fx, LINK_RAW, n + 4, n + 4), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_TRUNCATED_HEADER);
    assert_int_equal(fx->w.n, 1);
}

/* IPv6 + the given extension headers (each 8 bytes unless AH) + UDP. */
static void test_ip6_ext_chain(void **state)
{
    struct fx *fx = *state;
    uint8_t *f = fx->f;
    uint32_t off;

    /* hop-by-hop (8) -> destination options (16) -> AH (12 + 4 ICV = 16) -> UDP */
    fb_ip6(f, 0, 8 + 16 + 16 + 12);
    memset(f + 40, 0, 40);
    f[40] = 60, f[41] = 0;
    f[48] = 51, f[49] = 1;
    f[64] = 17, f[65] = 2;   /* AH length: (2 + 2) * 4 = 16 */
    off = 80;
    fb_udp(f + off, 53, 9999, (const uint8_t *)"dnsq", 4);
    fb_l4_csum(f, f + off, 12, 17, 6, true);
    assert_int_equal(dec(fx, LINK_RAW, off + 12, off + 12), DECODE_OK);
    assert_int_equal(fx->p.l4_proto, 17);
    assert_ptr_equal(fx->p.l4, f + 80);
    assert_int_equal(fx->p.sport, 53);
    assert_int_equal(fx->p.ip_len, 92);
    assert_false(fx->p.csum_bad);

    /* The same chain cut one byte into the AH header by the IPv6 payload length. */
    wr16(f + 4, 25);
    assert_int_equal(dec(fx, LINK_RAW, 65, 65), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_IPV6_EXT_TRUNCATED);

    /* ... and by the capture. */
    wr16(f + 4, 52);
    assert_int_equal(dec(fx, LINK_RAW, 70, 92), DECODE_BAD);
    assert_int_equal(fx->w.ids[1], WEIRD_INTERNALLY_TRUNCATED_HEADER);
    assert_int_equal(fx->w.n, 2);
}

static void test_ip6_esp_none_other(void **state)
{
    struct fx *fx = *state;
    uint8_t *f = fx->f;
    int i;

    fb_ip6(f, 50, 24);
    memset(f + 40, 0xab, 24);
    assert_int_equal(dec(fx, LINK_RAW, 64, 64), DECODE_OK);
    assert_int_equal(fx->p.l4_proto, 50);
    assert_int_equal(fx->p.sport, 0);
    assert_int_equal(fx->p.dport, 0);
    assert_int_equal(fx->w.n, 0);

    fb_ip6(f, 0, 8);
    f[40] = 59, f[41] = 0;
    assert_int_equal(dec(fx, LINK_RAW, 48, 48), DECODE_OK);
    assert_int_equal(fx->p.l4_proto, 59);
    assert_int_equal(fx->w.ids[0], WEIRD_IPV6_NO_NEXT);

    fb_ip6(f, 47, 4);   /* GRE: a flow without ports */
    assert_int_equal(dec(fx, LINK_RAW, 44, 44), DECODE_OK);
    assert_int_equal(fx->p.l4_proto, 47);
    assert_int_equal(fx->p.payload_len, 4);
    assert_int_equal(fx->p.sport, 0);

    /* 17 destination-options headers. */
    fb_ip6(f, 60, 17 * 8);
    for (i = 0; i < 17; i++) {
        f[40 + i * 8] = 60;
        f[41 + i * 8] = 0;
    }
    assert_int_equal(dec(fx, LINK_RAW, 40 + 17 * 8, 40 + 17 * 8), DECODE_BAD);
    assert_int_equal(fx->w.ids[1], WEIRD_EXCESSIVE_IPV6_EXT);

    assert_int_equal(dec(fx, LINK_RAW, 30, 30), DECODE_BAD);
    assert_int_equal(fx->w.ids[2], WEIRD_TRUNCATED_IP);

    fb_ip6(f, 17, 100);
    assert_int_equal(dec(fx, LINK_RAW, 60, 60), DECODE_BAD);
    assert_int_equal(fx->w.ids[3], WEIRD_TRUNCATED_IP_LEN);
}

static void test_ip6_routing_checksum(void **state)
{
    struct fx *fx = *state;
    uint8_t *f = fx->f;
    uint8_t final[16];
    uint32_t s = 0;
    uint8_t t[8] = {0, 0, 0, 12, 0, 0, 0, 17};

    /* Type-0 routing header with one segment left: the UDP checksum covers the final address. */
    fb_ip6(f, 43, 24 + 12);
    memset(f + 40, 0, 24);
    f[40] = 17, f[41] = 2, f[42] = 0, f[43] = 1;
    memset(final, 0x77, 16);
    memcpy(f + 48, final, 16);
    fb_udp(f + 64, 1, 2, (const uint8_t *)"abcd", 4);
    s = fb_sum(s, f + 8, 16);
    s = fb_sum(s, final, 16);
    s = fb_sum(s, t, 8);
    s = fb_sum(s, f + 64, 12);
    wr16(f + 70, fb_fold(s));
    assert_int_equal(dec(fx, LINK_RAW, 76, 76), DECODE_OK);
    assert_false(fx->p.csum_bad);
}

static void test_other_ip_protocol(void **state)
{
    struct fx *fx = *state;
    uint32_t n = fb_ip4(fx->f, 132, 1, 0, NULL, 0, 12);   /* SCTP */

    memset(fx->f + n, 1, 12);
    assert_int_equal(dec(fx, LINK_RAW, n + 12, n + 12), DECODE_OK);
    assert_int_equal(fx->p.l4_proto, 132);
    assert_int_equal(fx->p.sport, 0);
    assert_int_equal(fx->p.dport, 0);
    assert_int_equal(fx->p.l4_len, 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_eth_ip4_tcp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip4_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eth_padding_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vlan_and_qinq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_ip_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_header_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_cooked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bsd_null_and_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip4_malformed, setup, teardown),
        cmocka_unit_test(test_ip4_checksum_off),
        cmocka_unit_test_setup_teardown(test_tcp_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capture_truncated_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_checksums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_length_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icmp_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip6_ext_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip6_esp_none_other, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip6_routing_checksum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_ip_protocol, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
