/* tests/unit/capture/test_pcapng.c - the native pcapng reader, fed files built byte by byte (mapped), and through a pipe (stdio). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "capture_file_fixture.h"

/* A pcapng writer just big enough for the tests: blocks in either byte order. */
struct ng {
    uint8_t  b[1 << 18];
    size_t   len;
    bool     be;
    size_t   block;   /* offset of the open block */
};

static void put8(struct ng *w, uint8_t v)
{
    assert_true(w->len < sizeof(w->b));
    w->b[w->len++] = v;
}

static void put16(struct ng *w, uint16_t v)
{
    put8(w, w->be ? v >> 8 : v & 0xff);
    put8(w, w->be ? v & 0xff : v >> 8);
}

static void put32(struct ng *w, uint32_t v)
{
    put16(w, w->be ? v >> 16 : v & 0xffff);
    put16(w, w->be ? v & 0xffff : v >> 16);
}

static void put64(struct ng *w, uint64_t v)
{
    put32(w, w->be ? (uint32_t)(v >> 32) : (uint32_t)v);
    put32(w, w->be ? (uint32_t)v : (uint32_t)(v >> 32));
}

static void put_bytes(struct ng *w, const void *p, size_t n)
{
    assert_true(w->len + n <= sizeof(w->b));
    memcpy(w->b + w->len, p, n);
    w->len += n;
}

static void pad4(struct ng *w)
{
    while (w->len % 4 != 0)
        put8(w, 0);
}

static void begin(struct ng *w, uint32_t type)
{
    w->block = w->len;
    put32(w, type);
    put32(w, 0);
}

/* Pads, writes the trailing length and patches the leading one. */
static void end(struct ng *w)
{
    size_t save;
    uint32_t total;

    pad4(w);
    total = (uint32_t)(w->len - w->block + 4);
    put32(w, total);
    save = w->len;
    w->len = w->block + 4;
    put32(w, total);
    w->len = save;
}

static void shb(struct ng *w, bool be)
{
    w->be = be;
    begin(w, 0x0A0D0D0A);
    put32(w, 0x1A2B3C4D);
    put16(w, 1);
    put16(w, 0);
    put64(w, UINT64_MAX);  /* section length unknown */
    end(w);
}

/* tsresol < 0 leaves the option out (µs); tsoffset 0 leaves it out. */
static void idb(struct ng *w, uint16_t link, uint32_t snaplen, int tsresol, int64_t tsoffset)
{
    begin(w, 1);
    put16(w, link);
    put16(w, 0);
    put32(w, snaplen);
    put16(w, 2);             /* if_name, to be skipped */
    put16(w, 3);
    put_bytes(w, "et0", 3);
    pad4(w);
    if (tsresol >= 0) {
        put16(w, 9);
        put16(w, 1);
        put8(w, (uint8_t)tsresol);
        pad4(w);
    }
    if (tsoffset != 0) {
        put16(w, 14);
        put16(w, 8);
        put64(w, (uint64_t)tsoffset);
    }
    put16(w, 0);
    put16(w, 0);
    end(w);
}

static void epb(struct ng *w, uint32_t ifid, uint64_t t, const void *data, uint32_t caplen, uint32_t wirelen)
{
    begin(w, 6);
    put32(w, ifid);
    put32(w, (uint32_t)(t >> 32));
    put32(w, (uint32_t)t);
    put32(w, caplen);
    put32(w, wirelen);
    put_bytes(w, data, caplen);
    end(w);
}

static void other_block(struct ng *w, uint32_t type, const char *body)
{
    begin(w, type);
    put_bytes(w, body, strlen(body));
    end(w);
}

static struct capture *open_bytes(const struct ng *w, size_t len, char *err, size_t errlen)
{
    return fixture_open(w->b, len, err, errlen);
}

static struct capture *open_ok(const struct ng *w)
{
    return fixture_open_ok(w->b, w->len);
}


static void test_two_interfaces(void **state)
{
    static struct ng w;
    struct capture_frame f;
    struct capture *c;

    memset(&w, 0, sizeof(w));
    shb(&w, false);
    idb(&w, 1, 65535, 9, 0);          /* Ethernet, ns */
    other_block(&w, 4, "names");      /* NRB */
    idb(&w, 101, 8192, -1, 0);        /* raw IP, default µs */
    epb(&w, 0, 1700000000123456789ull, pkt_a, sizeof(pkt_a), 60);
    other_block(&w, 5, "stats!");     /* ISB */
    other_block(&w, 10, "TLSK keys"); /* DSB */
    other_block(&w, 0xBAD, "custom");
    epb(&w, 1, 1700000001654321ull, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    c = open_ok(&w);

    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.link_type, 1);
    assert_true(f.ts == (pw_time)1700000000123456000ll);   /* ns kept to the µs, truncated */
    assert_int_equal(f.caplen, sizeof(pkt_a));
    assert_int_equal(f.wirelen, 60);
    assert_memory_equal(f.data, pkt_a, sizeof(pkt_a));

    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.link_type, 101);
    assert_true(f.ts == (pw_time)1700000001654321000ll);
    assert_int_equal(f.caplen, sizeof(pkt_b));
    assert_memory_equal(f.data, pkt_b, sizeof(pkt_b));

    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    fixture_done(c);
}

static void test_resolutions_and_offset(void **state)
{
    static struct ng w;
    struct capture_frame f;
    struct capture *c;

    memset(&w, 0, sizeof(w));
    shb(&w, false);
    idb(&w, 1, 0, 0x80 | 20, 100);    /* 2^-20 s, +100 s */
    idb(&w, 1, 0, 0x80 | 40, 0);      /* 2^-40 s: the split multiply */
    idb(&w, 1, 0, 12, -10);           /* ps, -10 s */
    idb(&w, 1, 0, 0, 0);              /* whole seconds */
    epb(&w, 0, (5ull << 20) | (1ull << 19), pkt_a, 1, 1);
    epb(&w, 1, (7ull << 40) | ((1ull << 40) - 1), pkt_a, 1, 1);
    epb(&w, 2, 5123456789012ull, pkt_a, 1, 1);
    epb(&w, 3, 1700000000ull, pkt_a, 1, 1);
    c = open_ok(&w);

    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_true(f.ts == (pw_time)105500000000ll);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_true(f.ts == (pw_time)7999999000ll);             /* 0.999999999... truncated to µs */
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    /* 5 s - 10 s, then the fraction: as libpcap adds the offset to the seconds alone. */
    assert_true(f.ts == (pw_time)-5000000000ll + 123456000);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_true(f.ts == (pw_time)1700000000 * 1000000000);
    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    fixture_done(c);
}

/* A big-endian section, then a little-endian one whose interface list starts afresh. */
static void test_big_endian_and_sections(void **state)
{
    static struct ng w;
    struct capture_frame f;
    struct capture *c;
    char *msg;

    memset(&w, 0, sizeof(w));
    shb(&w, true);
    idb(&w, 1, 1514, 6, 0);
    idb(&w, 113, 1514, 6, 0);
    epb(&w, 1, 1700000002000001ull, pkt_a, sizeof(pkt_a), 100);
    shb(&w, false);
    idb(&w, 101, 65535, 6, 0);
    epb(&w, 0, 1700000003000002ull, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    epb(&w, 1, 1700000003000003ull, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    c = open_ok(&w);

    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.link_type, 113);
    assert_true(f.ts == (pw_time)1700000002000001000ll);
    assert_int_equal(f.caplen, sizeof(pkt_a));
    assert_int_equal(f.wirelen, 100);
    assert_memory_equal(f.data, pkt_a, sizeof(pkt_a));

    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.link_type, 101);
    assert_true(f.ts == (pw_time)1700000003000002000ll);

    /* Interface 1 belonged to the first section. */
    assert_int_equal(capture_next(c, &f), CAPTURE_ERROR);
    msg = strstr(capture_error(c), "interface 1");
    assert_non_null(msg);
    fixture_done(c);
}

static void test_simple_and_obsolete_packet(void **state)
{
    static struct ng w;
    static uint8_t big[100];
    struct capture_frame f;
    struct capture *c;

    memset(&w, 0, sizeof(w));
    memset(big, 0x5a, sizeof(big));
    shb(&w, false);
    idb(&w, 101, 64, -1, 0);
    idb(&w, 1, 0, -1, 0);
    begin(&w, 3);                  /* SPB cut at the snaplen */
    put32(&w, 100);
    put_bytes(&w, big, 64);
    end(&w);
    begin(&w, 3);                  /* SPB shorter than the snaplen */
    put32(&w, 7);
    put_bytes(&w, pkt_b, 7);
    end(&w);
    begin(&w, 2);                  /* PB: 16-bit interface id, drops count */
    put16(&w, 1);
    put16(&w, 0);
    put32(&w, 0);
    put32(&w, 1700000004);
    put32(&w, sizeof(pkt_a));
    put32(&w, 80);
    put_bytes(&w, pkt_a, sizeof(pkt_a));
    end(&w);
    c = open_ok(&w);

    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.link_type, 101);
    assert_int_equal(f.caplen, 64);
    assert_int_equal(f.wirelen, 100);
    assert_true(f.ts == 0);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.caplen, 7);
    assert_int_equal(f.wirelen, 7);
    assert_memory_equal(f.data, pkt_b, 7);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.link_type, 1);
    assert_true(f.ts == (pw_time)1700000004 * 1000);
    assert_int_equal(f.caplen, sizeof(pkt_a));
    assert_int_equal(f.wirelen, 80);
    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    fixture_done(c);
}

/* A packet bigger than the initial buffer makes it grow once. */
static void test_large_block(void **state)
{
    static struct ng w;
    static uint8_t big[150000];
    struct capture_frame f;
    struct capture *c;

    memset(&w, 0, sizeof(w));
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)i;
    shb(&w, false);
    idb(&w, 1, 262144, -1, 0);
    epb(&w, 0, 1, big, sizeof(big), sizeof(big));
    epb(&w, 0, 2, pkt_a, sizeof(pkt_a), sizeof(pkt_a));
    c = open_ok(&w);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.caplen, sizeof(big));
    assert_memory_equal(f.data, big, sizeof(big));
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_memory_equal(f.data, pkt_a, sizeof(pkt_a));
    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    fixture_done(c);
}

static void build_two_packets(struct ng *w)
{
    memset(w, 0, sizeof(*w));
    shb(w, false);
    idb(w, 1, 65535, -1, 0);
    epb(w, 0, 1, pkt_a, sizeof(pkt_a), sizeof(pkt_a));
    epb(w, 0, 2, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
}

static void test_truncated(void **state)
{
    static struct ng w;
    struct capture_frame f;
    struct capture *c;
    char err[256];

    build_two_packets(&w);
    /* Cut inside the second EPB's body, then inside its header. */
    c = open_bytes(&w, w.len - 6, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(capture_next(c, &f), CAPTURE_TRUNCATED);
    assert_non_null(strstr(capture_error(c), "file ends inside the enhanced packet block"));
    fixture_done(c);

    c = open_bytes(&w, w.len - 40 + 3, err, sizeof(err));
    assert_non_null(c);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(capture_next(c, &f), CAPTURE_TRUNCATED);
    assert_non_null(strstr(capture_error(c), "block header"));
    fixture_done(c);

    /* Only the magic: the section header itself is cut, so open fails. */
    c = open_bytes(&w, 4, err, sizeof(err));
    assert_null(c);
    assert_non_null(strstr(err, "not a readable pcapng capture"));
    unlink(fixture_path);
}

static void expect_error(struct ng *w, const char *needle)
{
    struct capture_frame f;
    struct capture *c = open_ok(w);

    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(capture_next(c, &f), CAPTURE_ERROR);
    if (strstr(capture_error(c), needle) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", capture_error(c), needle);
    fixture_done(c);
}

static void set32(struct ng *w, size_t off, uint32_t v)
{
    size_t save = w->len;

    w->len = off;
    put32(w, v);
    w->len = save;
}

static void test_bad_block_length(void **state)
{
    static struct ng w;
    size_t second;

    build_two_packets(&w);
    second = w.len - 40;            /* the last EPB: 20 bytes of fields, 7 of data padded to 8 */
    set32(&w, second + 4, 41);      /* not a multiple of 4 */
    expect_error(&w, "bad length 41");

    build_two_packets(&w);
    set32(&w, second + 4, 8);       /* shorter than a block can be */
    expect_error(&w, "bad length 8");

    build_two_packets(&w);
    set32(&w, second + 4, 0x7ffffff0);   /* over the cap */
    expect_error(&w, "over the");

    build_two_packets(&w);
    set32(&w, w.len - 4, 44);       /* trailing length disagrees */
    expect_error(&w, "trailing length 44");

    build_two_packets(&w);
    set32(&w, second + 20, 200);    /* caplen past the block */
    expect_error(&w, "captured length 200");

    build_two_packets(&w);
    set32(&w, second + 20, 0xffffffff);
    expect_error(&w, "captured length 4294967295");
}

/* A mapped pcapng file cut shorter at a block boundary inside a page: the next block header is
 * the kernel's zeros, not a fault; the reader calls that damage, and the file's size says it
 * was a cut. The frames before it arrive whole. */
static void test_cut_while_read(void **state)
{
    static struct ng w;
    static uint8_t data[1000];
    struct capture_frame f;
    struct capture *c;
    enum capture_status st;
    size_t cut;
    unsigned n = 0;

    (void)state;
    memset(&w, 0, sizeof(w));
    shb(&w, false);
    idb(&w, 1, 65535, -1, 0);
    cut = w.len + 150 * (28 + sizeof(data) + 4);
    assert_true(cut % 4096 != 0);
    for (unsigned k = 0; k < 200; k++) {
        memset(data, (int)k, sizeof(data));
        epb(&w, 0, k, data, sizeof(data), sizeof(data));
    }
    c = open_ok(&w);
    for (; n < 100; n++)
        assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(truncate(fixture_path, (off_t)cut), 0);
    while ((st = capture_next(c, &f)) == CAPTURE_FRAME) {
        assert_int_equal(f.caplen, sizeof(data));
        assert_int_equal(f.data[0], n & 0xff);
        assert_int_equal(f.data[sizeof(data) - 1], n & 0xff);
        n++;
    }
    assert_int_equal(n, 150);
    assert_int_equal(st, CAPTURE_TRUNCATED);
    if (strstr(capture_error(c), "the file was cut shorter while it was read") == NULL)
        fail_msg("error \"%s\"", capture_error(c));
    fixture_done(c);
}

/* Mapped and through stdio, the same frames, and the same words for the same damage. */
static void test_pipe_reads_the_same(void **state)
{
    static struct ng w;
    static const size_t cuts[] = {0, 6, 40 - 3};
    struct capture_frame fm, fp;
    struct capture *m, *p;
    enum capture_status sm, sp;
    pid_t child;

    (void)state;
    for (unsigned k = 0; k < 4; k++) {
        size_t len;

        build_two_packets(&w);
        if (k == 3)
            set32(&w, w.len - 40 + 4, 0x7ffffff0);   /* a block length over the cap */
        len = w.len - (k < 3 ? cuts[k] : 0);
        m = open_bytes(&w, len, NULL, 0);
        assert_non_null(m);
        p = fixture_open_pipe(w.b, len, &child);
        do {
            sm = capture_next(m, &fm);
            sp = capture_next(p, &fp);
            assert_int_equal(sm, sp);
            if (sm == CAPTURE_FRAME) {
                assert_true(fm.ts == fp.ts);
                assert_int_equal(fm.caplen, fp.caplen);
                assert_int_equal(fm.link_type, fp.link_type);
                assert_memory_equal(fm.data, fp.data, fm.caplen);
            }
        } while (sm == CAPTURE_FRAME);
        assert_int_equal(sm, k == 0 ? CAPTURE_END : k < 3 ? CAPTURE_TRUNCATED : CAPTURE_ERROR);
        if (sm != CAPTURE_END)
            assert_string_equal(capture_error(m), capture_error(p));
        capture_close(p);
        fixture_reap(child);
        fixture_done(m);
    }
}

static void test_hostile_headers(void **state)
{
    static struct ng w;
    struct capture_frame f;
    struct capture *c;
    char err[256];
    int i;

    /* Bad byte-order magic in the first section: open fails. */
    build_two_packets(&w);
    set32(&w, 8, 0x11223344);
    c = open_bytes(&w, w.len, err, sizeof(err));
    assert_null(c);
    assert_non_null(strstr(err, "byte-order magic"));
    unlink(fixture_path);

    /* Too many interfaces in a section. */
    memset(&w, 0, sizeof(w));
    shb(&w, false);
    for (i = 0; i < 257; i++)
        idb(&w, 1, 0, -1, 0);
    c = open_ok(&w);
    assert_int_equal(capture_next(c, &f), CAPTURE_ERROR);
    assert_non_null(strstr(capture_error(c), "more than 256 interfaces"));
    fixture_done(c);

    /* An option running past its block. */
    memset(&w, 0, sizeof(w));
    shb(&w, false);
    begin(&w, 1);
    put16(&w, 1);
    put16(&w, 0);
    put32(&w, 0);
    put16(&w, 2);
    put16(&w, 64);
    put32(&w, 0);
    end(&w);
    c = open_ok(&w);
    assert_int_equal(capture_next(c, &f), CAPTURE_ERROR);
    assert_non_null(strstr(capture_error(c), "runs past the block"));
    fixture_done(c);

    /* A timestamp that cannot be held in signed nanoseconds. */
    memset(&w, 0, sizeof(w));
    shb(&w, false);
    idb(&w, 1, 0, 0, 0);
    epb(&w, 0, 1, pkt_a, 1, 1);
    epb(&w, 0, UINT64_MAX, pkt_a, 1, 1);
    expect_error(&w, "out of range");

    /* A packet before any interface. */
    memset(&w, 0, sizeof(w));
    shb(&w, false);
    epb(&w, 0, 1, pkt_a, 1, 1);
    c = open_ok(&w);
    assert_int_equal(capture_next(c, &f), CAPTURE_ERROR);
    assert_non_null(strstr(capture_error(c), "interface 0"));
    fixture_done(c);

    /* Garbage after the section header. */
    memset(&w, 0, sizeof(w));
    shb(&w, false);
    put_bytes(&w, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 28);
    c = open_ok(&w);
    assert_int_equal(capture_next(c, &f), CAPTURE_ERROR);
    fixture_done(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_interfaces),
        cmocka_unit_test(test_resolutions_and_offset),
        cmocka_unit_test(test_big_endian_and_sections),
        cmocka_unit_test(test_simple_and_obsolete_packet),
        cmocka_unit_test(test_large_block),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bad_block_length),
        cmocka_unit_test(test_hostile_headers),
        cmocka_unit_test(test_pipe_reads_the_same),
        cmocka_unit_test(test_cut_while_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
