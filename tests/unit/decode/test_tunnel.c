/* tests/unit/decode/test_tunnel.c - VXLAN and GENEVE decapsulation down to the inner packet. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "decode/tunnel.h"
#include "frame_build.h"

#define TS (1700000000 * PW_SEC)

static const uint8_t C4[4] = {192, 168, 7, 1};
static const uint8_t D4[4] = {192, 168, 7, 2};

struct fx {
    struct weird_rec w;
    struct decoder  *d;
    struct packet    outer, inner;
    uint8_t          f[1024];
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

/* The inner packet: IPv4 192.168.7.1:33000 -> 192.168.7.2:443 TCP SYN, with or without Ethernet. */
static uint32_t inner_frame(uint8_t *b, bool eth)
{
    uint32_t off = eth ? fb_eth(b, 0x0800) : 0, hl;

    hl = fb_ip4(b + off, 6, 77, 0, NULL, 0, 20);
    memcpy(b + off + 12, C4, 4);
    memcpy(b + off + 16, D4, 4);
    fb_ip4_fix_csum(b + off);
    fb_tcp(b + off + hl, 33000, 443, 1, TCP_SYN, NULL);
    fb_l4_csum(b + off, b + off + hl, 20, 6, 16, true);
    return off + hl + 20;
}

/* Outer Ethernet/IPv4/UDP to dport carrying hdr (hlen bytes) then the inner frame. */
static uint32_t outer_frame(struct fx *fx, uint16_t sport, uint16_t dport, const uint8_t *hdr, uint32_t hlen,
                            bool inner_eth)
{
    uint8_t tun[512];
    uint32_t n, off, hl;

    memcpy(tun, hdr, hlen);
    n = hlen + inner_frame(tun + hlen, inner_eth);
    off = fb_eth(fx->f, 0x0800);
    hl = fb_ip4(fx->f + off, 17, 1, 0, NULL, 0, 8 + n);
    fb_udp(fx->f + off + hl, sport, dport, tun, n);
    fb_l4_csum(fx->f + off, fx->f + off + hl, 8 + n, 17, 6, true);
    return off + hl + 8 + n;
}

static void decode_inner(struct fx *fx, const struct tunnel_inner *in)
{
    struct addr a;

    assert_int_equal(decoder_decode(fx->d, in->link_type, TS, in->frame, in->caplen, in->wirelen, &fx->inner),
                     DECODE_OK);
    addr_from_v4(&a, C4);
    assert_memory_equal(&fx->inner.src, &a, sizeof(a));
    assert_int_equal(fx->inner.sport, 33000);
    assert_int_equal(fx->inner.dport, 443);
    assert_int_equal(fx->inner.tcp_flags, TCP_SYN);
    assert_false(fx->inner.csum_bad);
}

static void test_vxlan(void **state)
{
    struct fx *fx = *state;
    static const uint8_t vx[8] = {0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0};
    struct tunnel_inner in;
    uint32_t n = outer_frame(fx, 51000, 4789, vx, 8, true);

    assert_int_equal(decoder_decode(fx->d, LINK_ETHERNET, TS, fx->f, n, n, &fx->outer), DECODE_OK);
    assert_false(fx->outer.csum_bad);
    assert_true(tunnel_decap(&fx->outer, &in));
    assert_int_equal(in.type, TUNNEL_VXLAN);
    assert_int_equal(in.vni, 0x123456);
    assert_int_equal(in.link_type, LINK_ETHERNET);
    assert_ptr_equal(in.frame, fx->outer.payload + 8);
    assert_int_equal(in.caplen, 14 + 40);
    assert_int_equal(in.wirelen, 14 + 40);
    decode_inner(fx, &in);
    assert_int_equal(fx->w.n, 0);
}

static void test_vxlan_rejected(void **state)
{
    struct fx *fx = *state;
    static const uint8_t no_i[8] = {0x00, 0, 0, 0, 0, 0, 1, 0};
    static const uint8_t vx[8] = {0x08, 0, 0, 0, 0, 0, 1, 0};
    struct tunnel_inner in;
    uint32_t n;

    n = outer_frame(fx, 51000, 4789, no_i, 8, true);
    assert_int_equal(decoder_decode(fx->d, LINK_ETHERNET, TS, fx->f, n, n, &fx->outer), DECODE_OK);
    assert_false(tunnel_decap(&fx->outer, &in));

    /* The tunnel port as source only: Zeek dispatches on the responder's port. */
    n = outer_frame(fx, 4789, 51000, vx, 8, true);
    assert_int_equal(decoder_decode(fx->d, LINK_ETHERNET, TS, fx->f, n, n, &fx->outer), DECODE_OK);
    assert_false(tunnel_decap(&fx->outer, &in));

    /* A bare VXLAN header with nothing inside. */
    n = outer_frame(fx, 51000, 4789, vx, 8, true);
    fx->outer.payload_len = 8;
    assert_false(tunnel_decap(&fx->outer, &in));
    fx->outer.payload_len = 5;
    assert_false(tunnel_decap(&fx->outer, &in));

    /* Not UDP. */
    fx->outer.payload_len = n - 42;
    fx->outer.l4_proto = 6;
    assert_false(tunnel_decap(&fx->outer, &in));
}

static void test_geneve_ethernet_with_options(void **state)
{
    struct fx *fx = *state;
    /* version 0, 2 words of options, protocol 0x6558, VNI 0xabcdef; one 8-byte option. */
    static const uint8_t gv[16] = {0x02, 0, 0x65, 0x58, 0xab, 0xcd, 0xef, 0, 0x01, 0x02, 0x03, 0x01, 1, 2, 3, 4};
    struct tunnel_inner in;
    uint32_t n = outer_frame(fx, 51000, 6081, gv, 16, true);

    assert_int_equal(decoder_decode(fx->d, LINK_ETHERNET, TS, fx->f, n, n, &fx->outer), DECODE_OK);
    assert_true(tunnel_decap(&fx->outer, &in));
    assert_int_equal(in.type, TUNNEL_GENEVE);
    assert_int_equal(in.vni, 0xabcdef);
    assert_int_equal(in.link_type, LINK_ETHERNET);
    assert_ptr_equal(in.frame, fx->outer.payload + 16);
    decode_inner(fx, &in);
}

static void test_geneve_raw_ip(void **state)
{
    struct fx *fx = *state;
    static const uint8_t gv[8] = {0x00, 0, 0x08, 0x00, 0, 0, 9, 0};
    struct tunnel_inner in;
    uint32_t n = outer_frame(fx, 51000, 6081, gv, 8, false);

    assert_int_equal(decoder_decode(fx->d, LINK_ETHERNET, TS, fx->f, n, n, &fx->outer), DECODE_OK);
    assert_true(tunnel_decap(&fx->outer, &in));
    assert_int_equal(in.link_type, LINK_RAW);
    assert_int_equal(in.vni, 9);
    decode_inner(fx, &in);
}

static void test_geneve_rejected(void **state)
{
    struct fx *fx = *state;
    static const uint8_t v1[8] = {0x40, 0, 0x65, 0x58, 0, 0, 1, 0};           /* version 1 */
    static const uint8_t optlong[8] = {0x3f, 0, 0x65, 0x58, 0, 0, 1, 0};      /* 252 bytes of options */
    static const uint8_t proto[8] = {0x00, 0, 0x12, 0x34, 0, 0, 1, 0};        /* unknown protocol */
    struct tunnel_inner in;
    uint32_t n;

    n = outer_frame(fx, 51000, 6081, v1, 8, true);
    assert_int_equal(decoder_decode(fx->d, LINK_ETHERNET, TS, fx->f, n, n, &fx->outer), DECODE_OK);
    assert_false(tunnel_decap(&fx->outer, &in));
    n = outer_frame(fx, 51000, 6081, optlong, 8, true);
    assert_int_equal(decoder_decode(fx->d, LINK_ETHERNET, TS, fx->f, n, n, &fx->outer), DECODE_OK);
    assert_false(tunnel_decap(&fx->outer, &in));
    n = outer_frame(fx, 51000, 6081, proto, 8, true);
    assert_int_equal(decoder_decode(fx->d, LINK_ETHERNET, TS, fx->f, n, n, &fx->outer), DECODE_OK);
    assert_false(tunnel_decap(&fx->outer, &in));
}

static void test_vxlan_in_fragmented_outer(void **state)
{
    struct fx *fx = *state;
    static const uint8_t vx[8] = {0x08, 0, 0, 0, 0, 0, 5, 0};
    uint8_t frag[512];
    struct tunnel_inner in;
    uint32_t n = outer_frame(fx, 51000, 4789, vx, 8, true), ipn = n - 14, hl;

    /* Split the outer IPv4 datagram: the first 16 UDP bytes, then the rest. */
    hl = fb_ip4(frag, 17, 99, 0x2000, NULL, 0, 16);
    memcpy(frag + hl, fx->f + 14 + 20, 16);
    assert_int_equal(decoder_decode(fx->d, LINK_RAW, TS, frag, hl + 16, hl + 16, &fx->outer), DECODE_HELD);
    hl = fb_ip4(frag, 17, 99, 2, NULL, 0, ipn - 20 - 16);
    memcpy(frag + hl, fx->f + 14 + 20 + 16, ipn - 20 - 16);
    assert_int_equal(decoder_decode(fx->d, LINK_RAW, TS, frag, hl + ipn - 36, hl + ipn - 36, &fx->outer), DECODE_OK);
    assert_true(fx->outer.reassembled);
    assert_false(fx->outer.csum_bad);
    assert_true(tunnel_decap(&fx->outer, &in));
    assert_int_equal(in.vni, 5);
    decode_inner(fx, &in);
    /* Decoding the inner frame did not disturb the outer packet's reassembled bytes. */
    assert_int_equal(fx->outer.dport, 4789);
    assert_memory_equal(fx->outer.payload, vx, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_vxlan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vxlan_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_geneve_ethernet_with_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_geneve_raw_ip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_geneve_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vxlan_in_fragmented_outer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
