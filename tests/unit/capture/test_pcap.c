/* tests/unit/capture/test_pcap.c - the mapped pcap reader, fed files built byte by byte, and libpcap's fallback for the variants it leaves alone. */
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

/* A classic pcap writer just big enough for the tests, in either byte order. */
struct pw {
    uint8_t b[1 << 19];
    size_t  len;
    bool    be;
};

static void put32(struct pw *w, uint32_t v)
{
    assert_true(w->len + 4 <= sizeof(w->b));
    for (int i = 0; i < 4; i++)
        w->b[w->len++] = (uint8_t)(w->be ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void put16(struct pw *w, uint16_t v)
{
    assert_true(w->len + 2 <= sizeof(w->b));
    w->b[w->len++] = (uint8_t)(w->be ? v >> 8 : v);
    w->b[w->len++] = (uint8_t)(w->be ? v : v >> 8);
}

static void file_header(struct pw *w, bool be, uint32_t magic, uint16_t minor, uint32_t snaplen, uint32_t link)
{
    memset(w, 0, sizeof(*w));
    w->be = be;
    put32(w, magic);
    put16(w, 2);
    put16(w, minor);
    put32(w, 0);        /* thiszone */
    put32(w, 0);        /* sigfigs */
    put32(w, snaplen);
    put32(w, link);
}

static void record(struct pw *w, uint32_t sec, uint32_t frac, const uint8_t *data, uint32_t caplen,
                   uint32_t wirelen)
{
    put32(w, sec);
    put32(w, frac);
    put32(w, caplen);
    put32(w, wirelen);
    assert_true(w->len + caplen <= sizeof(w->b));
    if (data != NULL)
        memcpy(w->b + w->len, data, caplen);
    w->len += caplen;
}

static struct capture *open_bytes(const struct pw *w, size_t len, char *err, size_t errlen)
{
    return fixture_open(w->b, len, err, errlen);
}

static struct capture *open_ok(const struct pw *w, size_t len)
{
    return fixture_open_ok(w->b, len);
}


static void test_microseconds_little_endian(void **state)
{
    static struct pw w;
    struct capture_frame f;
    struct capture *c;

    (void)state;
    file_header(&w, false, 0xA1B2C3D4u, 4, 65535, 1);
    record(&w, 1700000000, 123456, pkt_a, sizeof(pkt_a), 60);
    record(&w, 1700000001, 999999, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    c = open_ok(&w, w.len);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_true(f.ts == (pw_time)1700000000123456000ll);
    assert_int_equal(f.caplen, sizeof(pkt_a));
    assert_int_equal(f.wirelen, 60);
    assert_int_equal(f.link_type, 1);
    assert_memory_equal(f.data, pkt_a, sizeof(pkt_a));
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_true(f.ts == (pw_time)1700000001999999000ll);
    assert_memory_equal(f.data, pkt_b, sizeof(pkt_b));
    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    fixture_done(c);
}

static void test_nanoseconds_big_endian(void **state)
{
    static struct pw w;
    struct capture_frame f;
    struct capture *c;

    (void)state;
    /* The FCS flag bits above the link type (LT_FCS_LENGTH_PRESENT, 4 bytes) are not the type. */
    file_header(&w, true, 0xA1B23C4Du, 4, 262144, 0x04000000u | 0x10000000u | 101);
    record(&w, 7, 999999999, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    c = open_ok(&w, w.len);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_true(f.ts == (pw_time)7999999000ll);   /* ns kept to the µs, truncated, as libpcap */
    assert_int_equal(f.link_type, 101);
    assert_memory_equal(f.data, pkt_b, sizeof(pkt_b));
    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    fixture_done(c);
}

static void test_header_only(void **state)
{
    static struct pw w;
    struct capture_frame f;
    struct capture *c;

    (void)state;
    file_header(&w, false, 0xA1B2C3D4u, 4, 65535, 1);
    c = open_ok(&w, w.len);
    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    fixture_done(c);
}

/* libpcap keeps the first snaplen bytes of a record that claims more and goes on with the next. */
static void test_record_longer_than_snaplen(void **state)
{
    static struct pw w;
    static uint8_t big[300];
    struct capture_frame f;
    struct capture *c;

    (void)state;
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)i;
    file_header(&w, false, 0xA1B2C3D4u, 4, 64, 1);
    record(&w, 1, 0, big, sizeof(big), sizeof(big));
    record(&w, 2, 0, pkt_a, sizeof(pkt_a), sizeof(pkt_a));
    c = open_ok(&w, w.len);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(f.caplen, 64);
    assert_int_equal(f.wirelen, sizeof(big));
    assert_memory_equal(f.data, big, 64);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_true(f.ts == 2 * PW_SEC);
    assert_memory_equal(f.data, pkt_a, sizeof(pkt_a));
    fixture_done(c);
}

static void expect_status(struct pw *w, size_t len, int frames, enum capture_status want, const char *needle)
{
    struct capture_frame f;
    struct capture *c = open_ok(w, len);

    for (int i = 0; i < frames; i++)
        assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(capture_next(c, &f), want);
    if (strstr(capture_error(c), needle) == NULL)
        fail_msg("error \"%s\" does not say \"%s\"", capture_error(c), needle);
    fixture_done(c);
}

static void test_truncated(void **state)
{
    static struct pw w;

    (void)state;
    file_header(&w, false, 0xA1B2C3D4u, 4, 65535, 1);
    record(&w, 1, 0, pkt_a, sizeof(pkt_a), sizeof(pkt_a));
    record(&w, 2, 0, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    /* Cut inside the second record's header, then inside its data. */
    expect_status(&w, 24 + 16 + sizeof(pkt_a) + 5, 1, CAPTURE_TRUNCATED,
                  "record 2 at offset 45: file ends inside the record header (5 of 16 bytes)");
    expect_status(&w, w.len - 1, 1, CAPTURE_TRUNCATED,
                  "record 2 at offset 45: file ends inside the packet (6 of 7 captured bytes)");
}

/* The file cut shorter while it is read (a copytruncate rotation): the frames before the new end
 * arrive intact, the process is not killed by SIGBUS, no empty record is made up out of the
 * zeros past the new end, and the read stops as a truncated capture that says why. The frame
 * across the new end is stopped too when its end lies in a later page; when the new end falls
 * in that frame's last page the kernel shows it zeros without a fault, and it may come through
 * with them. */
static void cut_while_read(size_t cut)
{
    enum { DATA = 1000, RECORDS = 400 };
    static struct pw w;
    static uint8_t data[DATA];
    struct capture_frame f;
    struct capture *c;
    enum capture_status st;
    unsigned n = 0, whole = (unsigned)((cut - 24) / (DATA + 16));

    file_header(&w, false, 0xA1B2C3D4u, 4, 65535, 1);
    for (unsigned k = 0; k < RECORDS; k++) {
        memset(data, (int)(k & 0xff), sizeof(data));
        record(&w, k, 0, data, DATA, DATA);
    }
    c = open_ok(&w, w.len);
    for (; n < 100; n++)
        assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_int_equal(truncate(fixture_path, (off_t)cut), 0);
    while ((st = capture_next(c, &f)) == CAPTURE_FRAME) {
        size_t end = 24 + (size_t)(n + 1) * (DATA + 16);

        assert_int_equal(f.caplen, DATA);
        if (end <= cut) {
            for (unsigned i = 0; i < DATA; i++)
                assert_int_equal(f.data[i], n & 0xff);
        } else {
            /* Across the new end, and its end in the same page as the new end. */
            assert_int_equal(n, whole);
            assert_true((end - 1) / 4096 == cut / 4096);
            assert_int_equal(f.data[0], n & 0xff);
            assert_int_equal(f.data[DATA - 1], 0);
        }
        n++;
    }
    assert_int_equal(st, CAPTURE_TRUNCATED);
    assert_true(n == whole || n == whole + 1);
    if (strstr(capture_error(c), "the file was cut shorter while it was read") == NULL)
        fail_msg("error \"%s\"", capture_error(c));
    assert_int_equal(capture_next(c, &f), CAPTURE_TRUNCATED);
    fixture_done(c);
}

static void test_cut_on_a_page(void **state)
{
    (void)state;
    cut_while_read(50 * 4096);
}

static void test_cut_inside_a_page(void **state)
{
    (void)state;
    /* Record 201 (offset 204240-205256) crosses the page at 204800: cut before it, inside the
     * frame's first page; then inside a page where whole zero records would follow. */
    cut_while_read(50 * 4096 - 100);
    cut_while_read(50 * 4096 + 1000);
}

/* A captured length no link type we read can have is damage: libpcap stops there too. */
static void test_oversized_record(void **state)
{
    static struct pw w;

    (void)state;
    file_header(&w, false, 0xA1B2C3D4u, 4, 0, 1);
    record(&w, 1, 0, pkt_a, sizeof(pkt_a), sizeof(pkt_a));
    put32(&w, 2);
    put32(&w, 0);
    put32(&w, 0x7fffffffu);
    put32(&w, 60);
    expect_status(&w, w.len, 1, CAPTURE_ERROR, "captured length 2147483647 is over the 262144-byte maximum");
}

/* Version 2.3 files may hold the two lengths swapped; those stay with libpcap, which reads them. */
static void test_old_version_through_libpcap(void **state)
{
    static struct pw w;
    struct capture_frame f;
    struct capture *c;

    (void)state;
    file_header(&w, false, 0xA1B2C3D4u, 3, 65535, 1);
    record(&w, 5, 250000, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
    c = open_ok(&w, w.len);
    assert_int_equal(capture_next(c, &f), CAPTURE_FRAME);
    assert_true(f.ts == 5 * PW_SEC + 250 * PW_MSEC);
    assert_memory_equal(f.data, pkt_b, sizeof(pkt_b));
    assert_int_equal(capture_next(c, &f), CAPTURE_END);
    fixture_done(c);
}

/* Through a pipe (libpcap reads what cannot be mapped): the same frames as the mapped file, and
 * a cut file is still a truncated capture. */
static void test_pipe_reads_the_same(void **state)
{
    static struct pw w;
    struct capture_frame fm, fp;
    struct capture *m, *p;
    enum capture_status sm, sp;
    pid_t child;

    (void)state;
    for (int cut = 0; cut < 2; cut++) {
        size_t len;

        file_header(&w, false, 0xA1B2C3D4u, 4, 65535, 1);
        record(&w, 1, 250000, pkt_a, sizeof(pkt_a), sizeof(pkt_a));
        record(&w, 2, 500000, pkt_b, sizeof(pkt_b), sizeof(pkt_b));
        len = w.len - (cut ? 3 : 0);
        m = open_ok(&w, len);
        p = fixture_open_pipe(w.b, len, &child);
        do {
            sm = capture_next(m, &fm);
            sp = capture_next(p, &fp);
            assert_int_equal(sm, sp);
            if (sm == CAPTURE_FRAME) {
                assert_true(fm.ts == fp.ts);
                assert_int_equal(fm.caplen, fp.caplen);
                assert_memory_equal(fm.data, fp.data, fm.caplen);
            }
        } while (sm == CAPTURE_FRAME);
        assert_int_equal(sm, cut ? CAPTURE_TRUNCATED : CAPTURE_END);
        capture_close(p);
        fixture_reap(child);
        fixture_done(m);
    }
}

static void test_not_a_capture(void **state)
{
    static struct pw w;
    char err[256] = "";

    (void)state;
    memset(&w, 0, sizeof(w));
    memcpy(w.b, "GET / HTTP/1.1\r\nHost: example\r\n\r\n", 33);
    assert_null(open_bytes(&w, 33, err, sizeof(err)));
    assert_non_null(strstr(err, "not a pcap or pcapng capture"));
    unlink(fixture_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_microseconds_little_endian),
        cmocka_unit_test(test_nanoseconds_big_endian),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_record_longer_than_snaplen),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_cut_on_a_page),
        cmocka_unit_test(test_cut_inside_a_page),
        cmocka_unit_test(test_oversized_record),
        cmocka_unit_test(test_old_version_through_libpcap),
        cmocka_unit_test(test_not_a_capture),
        cmocka_unit_test(test_pipe_reads_the_same),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
