/* tests/unit/decode/test_frag.c - IPv4/IPv6 fragment reassembly: order, overlaps, limits, timeouts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "frame_build.h"

#define T0 (1700000000 * PW_SEC)
#define DGRAM_MAX 65536

struct fx {
    struct weird_rec w;
    struct decoder  *d;
    struct packet    p;
    uint8_t          udp[DGRAM_MAX];   /* the whole UDP datagram being fragmented */
    uint32_t         udp_len;
    uint8_t          f[2048];
};

static struct fx fxs;

static int setup(void **state)
{
    memset(&fxs, 0, sizeof(fxs));
    fxs.d = mk_decoder(&fxs.w, true, 16, 1 << 20);
    *state = &fxs;
    return fxs.d == NULL;
}

static int teardown(void **state)
{
    struct fx *fx = *state;

    decoder_free(fx->d);
    return 0;
}

/* A UDP datagram of n payload bytes (a counting pattern) with a valid IPv4 checksum. */
static void make_udp4(struct fx *fx, uint32_t n)
{
    uint8_t ph[20];
    uint32_t i;

    for (i = 0; i < n; i++)
        fx->udp[8 + i] = (uint8_t)(i * 7 + 1);
    fb_udp(fx->udp, 5000, 6000, NULL, 0);
    wr16(fx->udp + 4, 8 + n);
    fx->udp_len = 8 + n;
    fb_ip4(ph, 17, 0x4242, 0, NULL, 0, fx->udp_len);
    fb_l4_csum(ph, fx->udp, fx->udp_len, 17, 6, true);
}

/* Sends bytes [off, off+len) of fx->udp as an IPv4 fragment; returns the decode result. */
static enum decode_result send4(struct fx *fx, uint16_t id, uint32_t off, uint32_t len, bool more, pw_time ts)
{
    uint32_t hl = fb_ip4(fx->f, 17, id, (uint16_t)((more ? 0x2000 : 0) | (off / 8)), NULL, 0, len);

    memcpy(fx->f + hl, fx->udp + off, len);
    return decoder_decode(fx->d, LINK_RAW, ts, fx->f, hl + len, hl + len, &fx->p);
}

static void assert_whole_udp4(struct fx *fx)
{
    assert_true(fx->p.reassembled);
    assert_int_equal(fx->p.ip_version, 4);
    assert_int_equal(fx->p.ip_len, 20 + fx->udp_len);
    assert_int_equal(fx->p.l4_proto, 17);
    assert_int_equal(fx->p.sport, 5000);
    assert_int_equal(fx->p.dport, 6000);
    assert_int_equal(fx->p.payload_len, fx->udp_len - 8);
    assert_int_equal(fx->p.payload_wire_len, fx->udp_len - 8);
    assert_memory_equal(fx->p.payload, fx->udp + 8, fx->udp_len - 8);
    assert_false(fx->p.csum_bad);
}

static void test_in_order(void **state)
{
    struct fx *fx = *state;

    make_udp4(fx, 3000);
    assert_int_equal(send4(fx, 1, 0, 1480, true, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 1, 1480, 1480, true, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 1, 2960, 48, false, T0), DECODE_OK);
    assert_whole_udp4(fx);
    /* The rebuilt header is a clean datagram: no MF, no offset, a valid checksum. */
    assert_int_equal(fx->p.ip[6] & 0x3f, 0);
    assert_int_equal(fx->p.ip[7], 0);
    assert_int_equal(fb_fold(fb_sum(0, fx->p.ip, 20)), 0);
    assert_int_equal(decoder_get_stats(fx->d)->frags, 3);
    assert_int_equal(decoder_get_stats(fx->d)->frags_reassembled, 1);
    assert_int_equal(fx->w.n, 0);
}

static void test_reversed(void **state)
{
    struct fx *fx = *state;

    make_udp4(fx, 3000);
    assert_int_equal(send4(fx, 2, 2960, 48, false, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 2, 1480, 1480, true, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 2, 0, 1480, true, T0), DECODE_OK);
    assert_whole_udp4(fx);
    assert_int_equal(fx->w.n, 0);
}

static void test_overlap_same_content(void **state)
{
    struct fx *fx = *state;

    make_udp4(fx, 2000);
    assert_int_equal(send4(fx, 3, 0, 1000, true, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 3, 800, 800, true, T0), DECODE_HELD);
    assert_int_equal(fx->w.n, 1);
    assert_int_equal(fx->w.ids[0], WEIRD_FRAGMENT_OVERLAP);
    assert_int_equal(send4(fx, 3, 1600, 408, false, T0), DECODE_OK);
    assert_whole_udp4(fx);
    assert_int_equal(decoder_get_stats(fx->d)->frags_overlap, 1);
}

static void test_overlap_different_content_first_wins(void **state)
{
    struct fx *fx = *state;
    uint8_t orig[2008];

    make_udp4(fx, 2000);
    memcpy(orig, fx->udp, fx->udp_len);
    assert_int_equal(send4(fx, 4, 0, 1000, true, T0), DECODE_HELD);
    /* An attacker's second copy of bytes 800..1599 with other content. */
    memset(fx->udp + 800, 'X', 200);
    assert_int_equal(send4(fx, 4, 800, 800, true, T0), DECODE_HELD);
    assert_int_equal(fx->w.ids[0], WEIRD_FRAGMENT_INCONSISTENCY);
    memcpy(fx->udp, orig, sizeof(orig));
    assert_int_equal(send4(fx, 4, 1600, 408, false, T0), DECODE_OK);
    /* The bytes received first were kept, so the datagram is the original one. */
    assert_whole_udp4(fx);
    assert_int_equal(fx->w.n, 1);
}

static void test_duplicate(void **state)
{
    struct fx *fx = *state;

    make_udp4(fx, 2000);
    assert_int_equal(send4(fx, 5, 1000, 1008, false, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 5, 1000, 1008, false, T0), DECODE_HELD);
    assert_int_equal(fx->w.ids[0], WEIRD_FRAGMENT_OVERLAP);
    assert_int_equal(send4(fx, 5, 0, 1000, true, T0), DECODE_OK);
    assert_whole_udp4(fx);
    /* A late duplicate starts a new set, which never completes. */
    assert_int_equal(send4(fx, 5, 0, 1000, true, T0), DECODE_HELD);
    assert_int_equal(decoder_get_stats(fx->d)->frags_reassembled, 1);
}

static void test_size_inconsistency(void **state)
{
    struct fx *fx = *state;

    make_udp4(fx, 2000);
    assert_int_equal(send4(fx, 6, 1000, 1008, false, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 6, 1000, 504, false, T0), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_FRAGMENT_SIZE_INCONSISTENCY);
    assert_int_equal(send4(fx, 6, 1600, 800, true, T0), DECODE_BAD);   /* past the known end */
    assert_int_equal(fx->w.ids[1], WEIRD_FRAGMENT_SIZE_INCONSISTENCY);
    assert_int_equal(send4(fx, 6, 0, 1000, true, T0), DECODE_OK);
    assert_whole_udp4(fx);
    assert_int_equal(fx->w.n, 2);
}

static void test_timeout(void **state)
{
    struct fx *fx = *state;

    make_udp4(fx, 2000);
    assert_int_equal(send4(fx, 7, 0, 1000, true, T0), DECODE_HELD);
    decoder_expire(fx->d, T0 + 10 * PW_SEC);
    assert_int_equal(decoder_get_stats(fx->d)->frags_timed_out, 0);
    decoder_expire(fx->d, T0 + 31 * PW_SEC);
    assert_int_equal(decoder_get_stats(fx->d)->frags_timed_out, 1);
    assert_int_equal(send4(fx, 7, 1000, 1008, false, T0 + 31 * PW_SEC), DECODE_HELD);

    /* Lazily, on arrival, without decoder_expire. */
    assert_int_equal(send4(fx, 8, 0, 1000, true, T0 + 40 * PW_SEC), DECODE_HELD);
    assert_int_equal(send4(fx, 8, 1000, 1008, false, T0 + 100 * PW_SEC), DECODE_HELD);
    assert_int_equal(decoder_get_stats(fx->d)->frags_timed_out, 3);
    assert_int_equal(decoder_get_stats(fx->d)->frags_reassembled, 0);
    assert_int_equal(fx->w.n, 0);
}

static void test_datagram_cap_evicts_oldest(void **state)
{
    struct weird_rec w;
    struct fx *fx = *state;

    decoder_free(fx->d);
    memset(&w, 0, sizeof(w));
    fx->d = mk_decoder(&w, true, 2, 1 << 20);
    make_udp4(fx, 2000);
    assert_int_equal(send4(fx, 10, 0, 1000, true, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 11, 0, 1000, true, T0 + 1), DECODE_HELD);
    assert_int_equal(send4(fx, 12, 0, 1000, true, T0 + 2), DECODE_HELD);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.ids[0], WEIRD_FRAGMENT_MEMORY_EXHAUSTED);
    assert_int_equal(decoder_get_stats(fx->d)->frags_evicted, 1);
    /* id 10 was the oldest: its tail now starts over; 11 and 12 complete. */
    assert_int_equal(send4(fx, 11, 1000, 1008, false, T0 + 3), DECODE_OK);
    assert_whole_udp4(fx);
    assert_int_equal(send4(fx, 12, 1000, 1008, false, T0 + 3), DECODE_OK);
    assert_int_equal(send4(fx, 10, 1000, 1008, false, T0 + 3), DECODE_HELD);
}

static void test_byte_cap_evicts_oldest(void **state)
{
    struct weird_rec w;
    struct fx *fx = *state;
    uint32_t off;

    /* 64 KiB of chunks: room for one large datagram only. */
    decoder_free(fx->d);
    memset(&w, 0, sizeof(w));
    fx->d = mk_decoder(&w, true, 16, 64 * 1024);
    make_udp4(fx, 60000);
    for (off = 0; off < 40000; off += 1480)
        assert_int_equal(send4(fx, 20, off, 1480, true, T0), DECODE_HELD);
    assert_int_equal(w.n, 0);
    for (off = 0; off + 1480 < fx->udp_len; off += 1480)
        assert_int_equal(send4(fx, 21, off, 1480, true, T0 + 1), DECODE_HELD);
    assert_int_equal(send4(fx, 21, off, fx->udp_len - off, false, T0 + 1), DECODE_OK);
    assert_whole_udp4(fx);
    assert_true(w.n >= 1);
    assert_int_equal(w.ids[0], WEIRD_FRAGMENT_MEMORY_EXHAUSTED);
    assert_int_equal(decoder_get_stats(fx->d)->frags_evicted, 1);
}

static void test_max_datagram(void **state)
{
    struct fx *fx = *state;
    uint32_t off;

    /* Exactly 65535 bytes of IPv4 datagram reassemble. */
    make_udp4(fx, 65535 - 20 - 8);
    for (off = 0; off + 1480 < fx->udp_len; off += 1480)
        assert_int_equal(send4(fx, 30, off, 1480, true, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 30, off, fx->udp_len - off, false, T0), DECODE_OK);
    assert_int_equal(fx->p.ip_len, 65535);
    assert_memory_equal(fx->p.payload, fx->udp + 8, fx->udp_len - 8);
    assert_false(fx->p.csum_bad);
    assert_int_equal(fx->w.n, 0);

    /* One byte more is the ping of death. */
    assert_int_equal(send4(fx, 31, 65512, 4, false, T0), DECODE_BAD);
    assert_int_equal(fx->w.ids[0], WEIRD_EXCESSIVELY_LARGE_FRAGMENT);
}

static void test_advisory_weirds(void **state)
{
    struct fx *fx = *state;
    uint32_t hl;

    make_udp4(fx, 2000);
    hl = fb_ip4(fx->f, 17, 40, 0x4000 | 0x2000, NULL, 0, 1000);   /* DF and MF */
    memcpy(fx->f + hl, fx->udp, 1000);
    assert_int_equal(decoder_decode(fx->d, LINK_RAW, T0, fx->f, hl + 1000, hl + 1000, &fx->p), DECODE_HELD);
    assert_int_equal(fx->w.ids[0], WEIRD_FRAGMENT_WITH_DF);

    assert_int_equal(send4(fx, 41, 0, 16, true, T0), DECODE_HELD);
    assert_int_equal(fx->w.ids[1], WEIRD_EXCESSIVELY_SMALL_FRAGMENT);

    /* A non-first fragment the capture cut cannot be reassembled. */
    hl = fb_ip4(fx->f, 17, 42, 0x2000 | 125, NULL, 0, 1000);
    assert_int_equal(decoder_decode(fx->d, LINK_RAW, T0, fx->f, hl + 100, hl + 1000, &fx->p), DECODE_BAD);
    assert_int_equal(fx->w.ids[2], WEIRD_INCOMPLETELY_CAPTURED_FRAGMENT);
    assert_int_equal(fx->w.n, 3);
}

static void test_output_buffers_rotate(void **state)
{
    struct fx *fx = *state;
    const uint8_t *first;
    uint8_t copy[1008];

    make_udp4(fx, 2000);
    assert_int_equal(send4(fx, 50, 0, 1000, true, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 50, 1000, 1008, false, T0), DECODE_OK);
    first = fx->p.payload;
    memcpy(copy, first, sizeof(copy));

    make_udp4(fx, 1500);
    memset(fx->udp + 8, 0x5a, 1500);
    assert_int_equal(send4(fx, 51, 0, 1000, true, T0), DECODE_HELD);
    assert_int_equal(send4(fx, 51, 1000, 508, false, T0), DECODE_OK);
    /* The previous datagram is still intact: it lives in the other buffer. */
    assert_ptr_not_equal(first, fx->p.payload);
    assert_memory_equal(first, copy, sizeof(copy));
}

/* IPv6: header, optional hop-by-hop, fragment header, then bytes [off, off+len) of fx->udp. */
static enum decode_result send6(struct fx *fx, uint32_t id, uint32_t off, uint32_t len, bool more, bool hbh)
{
    uint8_t *f = fx->f;
    uint32_t p = 40;

    fb_ip6(f, hbh ? 0 : 44, (hbh ? 8 : 0) + 8 + len);
    if (hbh) {
        memset(f + 40, 0, 8);
        f[40] = 44;
        p = 48;
    }
    f[p] = 17;
    f[p + 1] = 0;
    wr16(f + p + 2, off | (more ? 1 : 0));
    wr32(f + p + 4, id);
    memcpy(f + p + 8, fx->udp + off, len);
    return decoder_decode(fx->d, LINK_RAW, T0, f, p + 8 + len, p + 8 + len, &fx->p);
}

static void make_udp6(struct fx *fx, uint32_t n)
{
    uint8_t ph[40];
    uint32_t i;

    for (i = 0; i < n; i++)
        fx->udp[8 + i] = (uint8_t)(i * 3 + 5);
    fb_udp(fx->udp, 7000, 53, NULL, 0);
    wr16(fx->udp + 4, 8 + n);
    fx->udp_len = 8 + n;
    fb_ip6(ph, 17, fx->udp_len);
    fb_l4_csum(ph, fx->udp, fx->udp_len, 17, 6, true);
}

static void test_ip6_fragments(void **state)
{
    struct fx *fx = *state;

    make_udp6(fx, 2500);
    assert_int_equal(send6(fx, 0xdeadbeef, 1232, 1276, false, false), DECODE_HELD);
    assert_int_equal(send6(fx, 0xdeadbeef, 0, 1232, true, false), DECODE_OK);
    assert_true(fx->p.reassembled);
    assert_int_equal(fx->p.ip_version, 6);
    assert_int_equal(fx->p.ip_len, 40 + fx->udp_len);
    assert_int_equal(fx->p.ip[6], 17);   /* the fragment header is gone */
    assert_int_equal(fx->p.l4_proto, 17);
    assert_int_equal(fx->p.sport, 7000);
    assert_int_equal(fx->p.payload_len, 2500);
    assert_memory_equal(fx->p.payload, fx->udp + 8, 2500);
    assert_false(fx->p.csum_bad);

    /* With a hop-by-hop header before the fragment header: kept, and counted in ip_len. */
    assert_int_equal(send6(fx, 7, 0, 1232, true, true), DECODE_HELD);
    assert_int_equal(send6(fx, 7, 1232, 1276, false, true), DECODE_OK);
    assert_int_equal(fx->p.ip_len, 48 + fx->udp_len);
    assert_int_equal(fx->p.ip[6], 0);
    assert_int_equal(fx->p.ip[40], 17);
    assert_int_equal(fx->p.dport, 53);
    assert_false(fx->p.csum_bad);

    /* Overlap with other content. */
    assert_int_equal(send6(fx, 8, 0, 1232, true, false), DECODE_HELD);
    fx->udp[100] ^= 0xff;
    assert_int_equal(send6(fx, 8, 0, 1232, true, false), DECODE_HELD);
    assert_int_equal(fx->w.ids[0], WEIRD_FRAGMENT_INCONSISTENCY);
    assert_int_equal(fx->w.n, 1);
    assert_int_equal(decoder_get_stats(fx->d)->frags_reassembled, 2);
}

static void test_ip6_atomic_fragment(void **state)
{
    struct fx *fx = *state;

    make_udp6(fx, 100);
    assert_int_equal(send6(fx, 9, 0, fx->udp_len, false, false), DECODE_OK);
    assert_false(fx->p.reassembled);
    assert_int_equal(fx->p.sport, 7000);
    assert_int_equal(decoder_get_stats(fx->d)->frags, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reversed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_same_content, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_different_content_first_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_inconsistency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_datagram_cap_evicts_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_byte_cap_evicts_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_datagram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_advisory_weirds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_buffers_rotate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip6_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip6_atomic_fragment, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
