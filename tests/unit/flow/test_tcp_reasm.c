/* tests/unit/flow/test_tcp_reasm.c - ordering, overlaps, wraparound, ack gaps, flush, caps, a shuffle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "flow/tcp_reasm.h"

#define REC_BYTES  (256u * 1024u)
#define REC_EVENTS 4096

/* What the sink saw: the data bytes in one buffer, and every callback in order
 * (positive: data of that length, negative: gap of that length). */
struct rec {
    uint8_t  bytes[REC_BYTES];
    size_t   nbytes;
    int64_t  events[REC_EVENTS];
    size_t   nevents;
    uint64_t gap_total;
};

static void rec_data(void *ctx, const uint8_t *data, size_t len)
{
    struct rec *r = ctx;

    assert_true(len > 0);
    assert_true(r->nbytes + len <= REC_BYTES);
    memcpy(r->bytes + r->nbytes, data, len);
    r->nbytes += len;
    if (r->nevents > 0 && r->events[r->nevents - 1] > 0) {
        r->events[r->nevents - 1] += (int64_t)len;   /* adjacent data calls read as one run */
        return;
    }
    assert_true(r->nevents < REC_EVENTS);
    r->events[r->nevents++] = (int64_t)len;
}

static void rec_gap(void *ctx, uint64_t len)
{
    struct rec *r = ctx;

    assert_true(len > 0);
    assert_true(r->nevents < REC_EVENTS);
    r->events[r->nevents++] = -(int64_t)len;
    r->gap_total += len;
}

struct fixture {
    struct tcp_reasm_pool *pool;
    struct tcp_reasm_sink  sink;
    struct tcp_reasm       r;
    struct rec             rec;
    uint8_t                src[70000];   /* the "true" stream: src[i] is byte i */
};

static struct fixture fx;

static void fixture_setup(size_t memcap, uint32_t per_dir, uint32_t isn)
{
    struct tcp_reasm_pool_config cfg = { .memcap = memcap, .per_dir_cap = per_dir };

    memset(&fx, 0, sizeof(fx));
    fx.pool = tcp_reasm_pool_create(&cfg);
    assert_non_null(fx.pool);
    fx.sink.data = rec_data;
    fx.sink.gap = rec_gap;
    fx.sink.ctx = &fx.rec;
    for (size_t i = 0; i < sizeof(fx.src); i++)
        fx.src[i] = (uint8_t)(i * 7 + i / 251);
    tcp_reasm_init(&fx.r, isn);
}

static void fixture_teardown(void)
{
    tcp_reasm_fini(&fx.r, fx.pool);
    assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->bytes_in_use, 0);
    tcp_reasm_pool_free(fx.pool);
}

/* Feeds stream bytes [off, off+len) of the true stream starting at sequence isn. */
static unsigned feed(uint32_t isn, uint32_t off, uint32_t len)
{
    return tcp_reasm_feed(&fx.r, fx.pool, isn + off, fx.src + off, len, &fx.sink);
}

static void assert_events(const int64_t *want, size_t n)
{
    assert_int_equal(fx.rec.nevents, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(fx.rec.events[i], want[i]);
}

static void assert_stream(uint32_t off, size_t len)
{
    assert_int_equal(fx.rec.nbytes, len);
    assert_memory_equal(fx.rec.bytes, fx.src + off, len);
}

static void test_in_order(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 1000);
    assert_int_equal(feed(1000, 0, 100), TCP_REASM_NEW_DATA);
    assert_int_equal(feed(1000, 100, 50), TCP_REASM_NEW_DATA);
    assert_stream(0, 150);
    assert_int_equal(fx.r.next_seq, 1150);
    assert_int_equal(fx.r.delivered, 150);
    assert_int_equal(fx.r.buffered, 0);
    assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->segs_in_use, 0);
    fixture_teardown();
}

static const uint8_t *ptr_seen;

static void ptr_data(void *ctx, const uint8_t *data, size_t len)
{
    ptr_seen = data;
}

/* In-order bytes reach the sink straight from the caller's packet, not via the pool. */
static void test_in_order_pointer(void **state)
{
    uint8_t pkt[10] = "abcdefghij";
    struct tcp_reasm_sink s = { .data = ptr_data, .gap = rec_gap, .ctx = &fx.rec };

    fixture_setup(1 << 20, 1 << 16, 0);
    tcp_reasm_feed(&fx.r, fx.pool, 0, pkt, sizeof(pkt), &s);
    assert_ptr_equal(ptr_seen, pkt);
    fixture_teardown();
}

static void test_reverse_order(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 5000);
    for (int i = 4; i >= 1; i--) {
        assert_int_equal(feed(5000, (uint32_t)i * 100, 100), TCP_REASM_NEW_DATA);
        assert_int_equal(fx.rec.nbytes, 0);
    }
    assert_int_equal(fx.r.buffered, 400);
    /* Four 100-byte segments arriving high to low cannot share chunks. */
    assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->segs_in_use, 4);
    assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->bytes_in_use, 4 * TCP_REASM_CHUNK_SIZE);
    assert_int_equal(feed(5000, 0, 100), TCP_REASM_NEW_DATA);
    assert_stream(0, 500);
    {
        const int64_t want[] = { 500 };
        assert_events(want, 1);
    }
    assert_int_equal(fx.r.buffered, 0);
    assert_int_equal(fx.r.next_seq, 5500);
    assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->segs_in_use, 0);
    assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->bytes_peak, 4 * TCP_REASM_CHUNK_SIZE);
    fixture_teardown();
}

static void test_behind_hole_appends_share_chunks(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 0);
    /* 20 x 100 bytes in order behind a hole fill one chunk (2024 bytes of data). */
    for (uint32_t i = 0; i < 20; i++)
        feed(0, 100 + i * 100, 100);
    assert_int_equal(fx.r.buffered, 2000);
    assert_int_equal(fx.r.chunks, 1);
    feed(0, 2100, 100);   /* 24 bytes fit, 76 need a second chunk */
    assert_int_equal(fx.r.chunks, 2);
    feed(0, 0, 100);
    assert_stream(0, 2200);
    fixture_teardown();
}

static void test_identical_retransmit(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 0);
    feed(0, 0, 100);
    assert_int_equal(feed(0, 0, 100), TCP_REASM_RETRANSMIT);
    assert_int_equal(feed(0, 50, 20), TCP_REASM_RETRANSMIT);
    /* Buffered data retransmitted identically. */
    assert_int_equal(feed(0, 200, 100), TCP_REASM_NEW_DATA);
    assert_int_equal(feed(0, 200, 100), TCP_REASM_RETRANSMIT);
    assert_int_equal(feed(0, 100, 100), TCP_REASM_NEW_DATA);
    assert_stream(0, 300);
    assert_int_equal(fx.r.delivered, 300);
    fixture_teardown();
}

static void test_inconsistent_first_wins(void **state)
{
    uint8_t evil[100];

    fixture_setup(1 << 20, 1 << 16, 0);
    feed(0, 100, 100);                          /* buffered [100,200) */
    memcpy(evil, fx.src + 150, sizeof(evil));
    evil[10] ^= 0xff;                           /* differs at stream byte 160 */
    assert_int_equal(tcp_reasm_feed(&fx.r, fx.pool, 150, evil, 100, &fx.sink),
                     TCP_REASM_NEW_DATA | TCP_REASM_RETRANSMIT | TCP_REASM_INCONSISTENT);
    /* The tail [200,250) of the evil segment was new, so it is kept. */
    feed(0, 0, 100);
    assert_int_equal(fx.rec.nbytes, 250);
    assert_memory_equal(fx.rec.bytes, fx.src, 250);   /* byte 160 is the first copy's */

    /* A differing copy of delivered bytes cannot be judged. */
    memset(evil, 0, sizeof(evil));
    assert_int_equal(tcp_reasm_feed(&fx.r, fx.pool, 0, evil, 100, &fx.sink), TCP_REASM_RETRANSMIT);
    fixture_teardown();
}

static void test_inconsistent_over_hole_keeps_buffered(void **state)
{
    uint8_t evil[300];

    fixture_setup(1 << 20, 1 << 16, 0);
    feed(0, 100, 50);    /* buffered [100,150) */
    /* In-order segment [0,300) whose copy of [100,150) differs: delivered, but the first
     * copy of [100,150) wins. */
    memcpy(evil, fx.src, sizeof(evil));
    memset(evil + 100, 'X', 50);
    assert_int_equal(tcp_reasm_feed(&fx.r, fx.pool, 0, evil, 300, &fx.sink),
                     TCP_REASM_NEW_DATA | TCP_REASM_RETRANSMIT | TCP_REASM_INCONSISTENT);
    assert_stream(0, 300);
    assert_int_equal(fx.r.buffered, 0);
    fixture_teardown();
}

static void test_partial_overlaps(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 0);
    feed(0, 100, 100);   /* [100,200) */
    feed(0, 300, 100);   /* [300,400) */
    /* Overlaps the end of one and the start of the other, fills [200,300). */
    assert_int_equal(feed(0, 150, 200), TCP_REASM_NEW_DATA | TCP_REASM_RETRANSMIT);
    assert_int_equal(fx.r.buffered, 300);
    /* Overlaps the front of [100,400) and adds [50,100). */
    assert_int_equal(feed(0, 50, 100), TCP_REASM_NEW_DATA | TCP_REASM_RETRANSMIT);
    assert_int_equal(fx.r.buffered, 350);
    /* Overlaps delivered bytes at the front and buffered ones at the back. */
    assert_int_equal(feed(0, 0, 60), TCP_REASM_NEW_DATA | TCP_REASM_RETRANSMIT);
    assert_stream(0, 400);
    assert_int_equal(feed(0, 390, 20), TCP_REASM_NEW_DATA | TCP_REASM_RETRANSMIT);
    assert_stream(0, 410);
    {
        const int64_t want[] = { 410 };
        assert_events(want, 1);
    }
    assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->segs_in_use, 0);
    fixture_teardown();
}

static void test_covering_segment(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 0);
    feed(0, 200, 10);
    feed(0, 220, 10);
    feed(0, 240, 10);
    /* One segment spanning all three buffered pieces and the holes around them. */
    assert_int_equal(feed(0, 150, 150), TCP_REASM_NEW_DATA | TCP_REASM_RETRANSMIT);
    assert_int_equal(fx.r.buffered, 150);
    feed(0, 0, 150);
    assert_stream(0, 300);
    fixture_teardown();
}

static void test_wraparound(void **state)
{
    const uint32_t isn = 0xffffff00u;   /* the stream crosses 2^32 at byte 256 */

    fixture_setup(1 << 20, 1 << 16, isn);
    feed(isn, 300, 100);    /* after the wrap */
    feed(isn, 200, 100);    /* straddles it */
    assert_int_equal(fx.r.buffered, 200);
    assert_int_equal(feed(isn, 250, 100), TCP_REASM_RETRANSMIT);
    feed(isn, 0, 200);
    assert_stream(0, 400);
    assert_int_equal(fx.r.next_seq, 400 - 256);
    /* A retransmission from before the wrap is old, not far ahead. */
    assert_int_equal(feed(isn, 10, 10), TCP_REASM_RETRANSMIT);
    /* Ack gaps across the wrap too. */
    tcp_reasm_fini(&fx.r, fx.pool);
    memset(&fx.rec, 0, sizeof(fx.rec));
    tcp_reasm_init(&fx.r, 0xfffffff0u);
    feed(0xfffffff0u, 0x20, 0x10);   /* seq 0x10 */
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 0x18, &fx.sink), TCP_REASM_GAP);
    {
        const int64_t want[] = { -0x20, 0x10 };
        assert_events(want, 2);
    }
    assert_int_equal(fx.r.next_seq, 0x20);
    fixture_teardown();
}

static void test_ack_above_hole(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 1000);
    feed(1000, 0, 100);
    feed(1000, 300, 100);   /* hole [100,300) */
    feed(1000, 400, 50);    /* contiguous with it */
    feed(1000, 600, 100);   /* hole [450,600) */
    /* Acks behind or at next_seq change nothing. */
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 1050, &fx.sink), 0);
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 1100, &fx.sink), 0);
    /* Ack inside the first buffered run: gap of exactly 200, then the whole run (past ack). */
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 1350, &fx.sink), TCP_REASM_GAP);
    {
        const int64_t want[] = { 100, -200, 150 };
        assert_events(want, 3);
    }
    assert_int_equal(fx.r.gap_bytes, 200);
    assert_int_equal(fx.r.next_seq, 1450);
    assert_int_equal(fx.r.buffered, 100);
    /* Ack beyond everything buffered: gap, data, gap up to ack. */
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 1800, &fx.sink), TCP_REASM_GAP);
    {
        const int64_t want[] = { 100, -200, 150, -150, 100, -100 };
        assert_events(want, 6);
    }
    assert_int_equal(fx.r.gap_bytes, 450);
    assert_int_equal(fx.r.delivered, 350);
    assert_int_equal(fx.r.next_seq, 1800);
    assert_memory_equal(fx.rec.bytes + 100, fx.src + 300, 150);
    assert_memory_equal(fx.rec.bytes + 250, fx.src + 600, 100);
    /* Data that arrives for the hole after it was given up is old. */
    assert_int_equal(feed(1000, 450, 100), TCP_REASM_RETRANSMIT);
    assert_int_equal(fx.r.delivered, 350);
    fixture_teardown();
}

static void test_ack_bogus(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 0);
    feed(0, 0, 10);
    feed(0, 100, 10);
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 10 + (1u << 30) + 1, &fx.sink), 0);
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 0x90000000u, &fx.sink), 0);
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 0xfffffff0u, &fx.sink), 0);   /* behind */
    assert_int_equal(fx.r.gap_bytes, 0);
    assert_int_equal(fx.r.next_seq, 10);
    assert_int_equal(fx.r.buffered, 10);
    /* Exactly 1 GiB ahead is still believed. */
    assert_int_equal(tcp_reasm_ack(&fx.r, fx.pool, 10 + (1u << 30), &fx.sink), TCP_REASM_GAP);
    assert_int_equal(fx.r.gap_bytes, (1u << 30) - 10);
    /* Segments absurdly far ahead are ignored too. */
    assert_int_equal(tcp_reasm_feed(&fx.r, fx.pool, fx.r.next_seq + (1u << 30) + 1, fx.src, 10, &fx.sink), 0);
    assert_int_equal(fx.r.buffered, 0);
    fixture_teardown();
}

static void test_flush_multiple_holes(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 0);
    feed(0, 0, 10);
    feed(0, 40, 10);     /* hole [10,40) */
    feed(0, 50, 5);
    feed(0, 100, 20);    /* hole [55,100) */
    feed(0, 3000, 1);    /* hole [120,3000) */
    assert_int_equal(tcp_reasm_flush(&fx.r, fx.pool, &fx.sink), TCP_REASM_GAP);
    {
        const int64_t want[] = { 10, -30, 15, -45, 20, -2880, 1 };
        assert_events(want, 7);
    }
    assert_int_equal(fx.r.gap_bytes, 30 + 45 + 2880);
    assert_int_equal(fx.r.delivered, 46);
    assert_int_equal(fx.r.buffered, 0);
    assert_int_equal(fx.r.next_seq, 3001);
    assert_memory_equal(fx.rec.bytes + 10, fx.src + 40, 15);
    assert_memory_equal(fx.rec.bytes + 25, fx.src + 100, 20);
    assert_int_equal(fx.rec.bytes[45], fx.src[3000]);
    assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->segs_in_use, 0);
    /* Nothing buffered: flush does nothing. */
    assert_int_equal(tcp_reasm_flush(&fx.r, fx.pool, &fx.sink), 0);
    fixture_teardown();
}

static void test_per_dir_cap(void **state)
{
    const struct tcp_reasm_pool_stats *st;

    /* Three chunks per direction. */
    fixture_setup(1 << 20, 3 * TCP_REASM_CHUNK_SIZE + 100, 0);
    st = tcp_reasm_pool_get_stats(fx.pool);
    feed(0, 100, 10);
    feed(0, 200, 10);
    feed(0, 300, 10);
    assert_int_equal(fx.r.chunks, 3);
    /* A fourth chunk is refused: the oldest ([100,110) and the hole before it) is given up. */
    assert_int_equal(feed(0, 400, 10), TCP_REASM_NEW_DATA | TCP_REASM_CAP_HIT | TCP_REASM_GAP);
    {
        const int64_t want[] = { -110 };
        assert_events(want, 1);
    }
    assert_int_equal(st->cap_hits, 1);
    assert_int_equal(st->memcap_hits, 0);
    assert_int_equal(fx.r.chunks, 3);
    assert_int_equal(fx.r.next_seq, 110);
    /* The new data lowest in sequence is itself the oldest: given up, and what follows it
     * becomes contiguous. */
    assert_int_equal(feed(0, 150, 50), TCP_REASM_NEW_DATA | TCP_REASM_CAP_HIT | TCP_REASM_GAP);
    {
        const int64_t want[] = { -110, -90, 10 };
        assert_events(want, 3);
    }
    assert_int_equal(st->cap_hits, 2);
    assert_int_equal(fx.r.gap_bytes, 200);
    assert_int_equal(fx.rec.bytes[0], fx.src[200]);
    assert_int_equal(fx.r.chunks, 2);
    assert_int_equal(fx.r.buffered, 20);
    assert_int_equal(st->bytes_in_use, 2 * TCP_REASM_CHUNK_SIZE);
    fixture_teardown();
}

static void test_cap_inside_big_segment(void **state)
{
    /* Two chunks per direction, one 5000-byte segment after a 10-byte hole: the first chunk is
     * given up with the hole, the second is delivered, the rest goes straight through. */
    fixture_setup(1 << 20, 2 * TCP_REASM_CHUNK_SIZE, 0);
    assert_int_equal(feed(0, 10, 5000), TCP_REASM_NEW_DATA | TCP_REASM_CAP_HIT | TCP_REASM_GAP);
    {
        const int64_t want[] = { -(10 + (int64_t)TCP_REASM_CHUNK_DATA), 5000 - TCP_REASM_CHUNK_DATA };
        assert_events(want, 2);
    }
    assert_memory_equal(fx.rec.bytes, fx.src + 10 + TCP_REASM_CHUNK_DATA, 5000 - TCP_REASM_CHUNK_DATA);
    assert_int_equal(fx.r.next_seq, 5010);
    assert_int_equal(fx.r.chunks, 0);
    fixture_teardown();
}

static void test_memcap(void **state)
{
    const struct tcp_reasm_pool_stats *st;
    struct tcp_reasm other;
    struct tcp_reasm_sink quiet = { 0 };

    /* Room for two chunks in all; the other direction holds one of them. */
    fixture_setup(2 * TCP_REASM_CHUNK_SIZE, 1 << 20, 0);
    st = tcp_reasm_pool_get_stats(fx.pool);
    tcp_reasm_init(&other, 0);
    tcp_reasm_feed(&other, fx.pool, 500, fx.src, 10, &quiet);
    feed(0, 100, 10);
    assert_int_equal(st->segs_in_use, 2);
    /* Only this direction's own oldest data is given up. */
    assert_int_equal(feed(0, 200, 10), TCP_REASM_NEW_DATA | TCP_REASM_CAP_HIT | TCP_REASM_GAP);
    {
        const int64_t want[] = { -110 };
        assert_events(want, 1);
    }
    assert_int_equal(st->memcap_hits, 1);
    assert_int_equal(st->cap_hits, 0);
    assert_int_equal(fx.r.buffered, 10);
    /* Nothing of this direction lies before [150,160): the new bytes are the oldest. */
    assert_int_equal(feed(0, 150, 10), TCP_REASM_NEW_DATA | TCP_REASM_CAP_HIT | TCP_REASM_GAP);
    {
        const int64_t want[] = { -110, -50 };
        assert_events(want, 2);
    }
    assert_int_equal(st->memcap_hits, 2);
    assert_int_equal(fx.r.next_seq, 160);
    assert_int_equal(fx.r.buffered, 10);
    assert_int_equal(other.buffered, 10);
    assert_int_equal(other.gap_bytes, 0);
    assert_int_equal(st->segs_in_use, 2);
    assert_int_equal(st->bytes_peak, 2 * TCP_REASM_CHUNK_SIZE);
    tcp_reasm_fini(&other, fx.pool);
    assert_int_equal(st->segs_in_use, 1);
    fixture_teardown();
}

static void test_fini_returns_memory(void **state)
{
    const struct tcp_reasm_pool_stats *st;

    fixture_setup(1 << 20, 1 << 20, 0);
    st = tcp_reasm_pool_get_stats(fx.pool);
    for (uint32_t i = 1; i <= 20; i++)
        feed(0, i * 3000, 2500);   /* two chunks each */
    assert_int_equal(st->segs_in_use, 40);
    assert_int_equal(fx.r.buffered, 50000);
    tcp_reasm_fini(&fx.r, fx.pool);
    assert_int_equal(st->segs_in_use, 0);
    assert_int_equal(st->bytes_in_use, 0);
    assert_int_equal(st->bytes_peak, 40 * TCP_REASM_CHUNK_SIZE);
    assert_int_equal(fx.r.buffered, 0);
    assert_int_equal(fx.r.chunks, 0);
    assert_null(fx.r.segs);
    assert_int_equal(fx.rec.nevents, 0);   /* nothing delivered */
    /* Chunks are reused, not carved again. */
    for (uint32_t i = 1; i <= 20; i++)
        feed(0, i * 3000, 2500);
    assert_int_equal(st->bytes_peak, 40 * TCP_REASM_CHUNK_SIZE);
    fixture_teardown();
}

static void test_zero_length(void **state)
{
    fixture_setup(1 << 20, 1 << 16, 0);
    assert_int_equal(tcp_reasm_feed(&fx.r, fx.pool, 0, NULL, 0, &fx.sink), 0);
    assert_int_equal(tcp_reasm_feed(&fx.r, fx.pool, 500, NULL, 0, &fx.sink), 0);
    assert_int_equal(fx.rec.nevents, 0);
    assert_int_equal(fx.r.next_seq, 0);
    assert_null(fx.r.segs);
    fixture_teardown();
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

struct piece {
    uint32_t off, len;
};

static void test_random_shuffle(void **state)
{
    enum { TOTAL = 65536, MAXP = 2048 };
    static struct piece pieces[MAXP];
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    const uint32_t isn = 0xfffff000u;   /* crosses the wrap too */

    for (int round = 0; round < 20; round++) {
        size_t n = 0;
        uint32_t off = 0;

        fixture_setup(64 << 20, 1 << 20, isn);
        while (off < TOTAL) {
            uint32_t len = 1 + (uint32_t)(xorshift(&rng) % 3000);

            if (len > TOTAL - off)
                len = TOTAL - off;
            pieces[n].off = off;
            pieces[n].len = len;
            n++;
            /* Duplicates, and overlapping copies shifted by a few bytes. */
            if (xorshift(&rng) % 4 == 0 && n < MAXP) {
                pieces[n] = pieces[n - 1];
                n++;
            }
            if (xorshift(&rng) % 5 == 0 && n < MAXP && off >= 17) {
                pieces[n].off = off - 17;
                pieces[n].len = len + 17 > TOTAL - (off - 17) ? TOTAL - (off - 17) : len + 17;
                n++;
            }
            off += len;
        }
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)(xorshift(&rng) % (i + 1));
            struct piece t = pieces[i];

            pieces[i] = pieces[j];
            pieces[j] = t;
        }
        for (size_t i = 0; i < n; i++) {
            unsigned f = feed(isn, pieces[i].off, pieces[i].len);

            assert_int_equal(f & (TCP_REASM_INCONSISTENT | TCP_REASM_CAP_HIT | TCP_REASM_GAP), 0);
        }
        tcp_reasm_flush(&fx.r, fx.pool, &fx.sink);
        assert_int_equal(fx.rec.gap_total, 0);
        assert_stream(0, TOTAL);
        assert_int_equal(fx.r.next_seq, isn + TOTAL);
        assert_int_equal(fx.r.buffered, 0);
        assert_int_equal(tcp_reasm_pool_get_stats(fx.pool)->segs_in_use, 0);
        fixture_teardown();
    }
}

/* Walks the recorded callbacks: every data byte must be the true stream's byte at its
 * position, and data plus gaps must cover exactly [0, upto). */
static void assert_accounted(uint32_t upto)
{
    uint64_t pos = 0;
    size_t at = 0;

    for (size_t i = 0; i < fx.rec.nevents; i++) {
        int64_t e = fx.rec.events[i];

        if (e > 0) {
            assert_memory_equal(fx.rec.bytes + at, fx.src + pos, (size_t)e);
            at += (size_t)e;
            pos += (uint64_t)e;
        } else {
            pos += (uint64_t)-e;
        }
    }
    assert_int_equal(at, fx.rec.nbytes);
    assert_int_equal(pos, upto);
    assert_int_equal(fx.r.delivered + fx.r.gap_bytes, upto);
}

static void test_random_caps_and_acks(void **state)
{
    enum { TOTAL = 65536 };
    uint64_t rng = 0x2545f4914f6cdd1dull;
    const uint32_t isn = 0xffff8000u;
    uint64_t cap_hits = 0, memcap_hits = 0;

    for (int round = 0; round < 40; round++) {
        const struct tcp_reasm_pool_stats *st;
        uint32_t hi = 0;

        /* Small caps so they are hit often; odd rounds share a tiny global memcap. */
        fixture_setup(round % 2 ? 6 * TCP_REASM_CHUNK_SIZE : 1 << 20, 8 * TCP_REASM_CHUNK_SIZE, isn);
        st = tcp_reasm_pool_get_stats(fx.pool);
        for (int i = 0; i < 400; i++) {
            uint32_t off = (uint32_t)(xorshift(&rng) % TOTAL);
            uint32_t len = 1 + (uint32_t)(xorshift(&rng) % 1500);

            if (len > TOTAL - off)
                len = TOTAL - off;
            feed(isn, off, len);
            if (off + len > hi)
                hi = off + len;
            if (xorshift(&rng) % 16 == 0)
                tcp_reasm_ack(&fx.r, fx.pool, isn + (uint32_t)(xorshift(&rng) % (hi + 1)), &fx.sink);
            assert_int_equal(st->segs_in_use, fx.r.chunks);
            assert_true((uint64_t)fx.r.chunks * TCP_REASM_CHUNK_SIZE <= 8 * TCP_REASM_CHUNK_SIZE);
            assert_true(fx.r.buffered <= fx.r.chunks * TCP_REASM_CHUNK_DATA);
        }
        tcp_reasm_flush(&fx.r, fx.pool, &fx.sink);
        assert_int_equal(fx.r.buffered, 0);
        assert_accounted(fx.r.next_seq - isn);
        assert_true(fx.r.next_seq - isn <= hi);
        cap_hits += st->cap_hits;
        memcap_hits += st->memcap_hits;
        fixture_teardown();
    }
    /* The caps really were exercised. */
    assert_true(cap_hits > 100);
    assert_true(memcap_hits > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_in_order_pointer),
        cmocka_unit_test(test_reverse_order),
        cmocka_unit_test(test_behind_hole_appends_share_chunks),
        cmocka_unit_test(test_identical_retransmit),
        cmocka_unit_test(test_inconsistent_first_wins),
        cmocka_unit_test(test_inconsistent_over_hole_keeps_buffered),
        cmocka_unit_test(test_partial_overlaps),
        cmocka_unit_test(test_covering_segment),
        cmocka_unit_test(test_wraparound),
        cmocka_unit_test(test_ack_above_hole),
        cmocka_unit_test(test_ack_bogus),
        cmocka_unit_test(test_flush_multiple_holes),
        cmocka_unit_test(test_per_dir_cap),
        cmocka_unit_test(test_cap_inside_big_segment),
        cmocka_unit_test(test_memcap),
        cmocka_unit_test(test_fini_returns_memory),
        cmocka_unit_test(test_zero_length),
        cmocka_unit_test(test_random_shuffle),
        cmocka_unit_test(test_random_caps_and_acks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
