/* tests/unit/sniff/test_sniff_pipe.c - the worker-to-logger stream, the file-splitting flow hash, the rotation schedule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log/log_schema.h"
#include "sniff/sniff.h"
#include "sniff/sniff_hash.h"
#include "sniff/sniff_pipe.h"

static const struct log_field f[] = {LOG_FIELD(struct log_conn_id, orig_p, "p", LOG_PORT, 0)};
static const struct log_schema schema = LOG_SCHEMA("x", f);

static void test_round_trip(void **state)
{
    struct sniff_pipe_out out;
    struct sniff_pipe_in in;
    struct sniff_msg m;
    const char *body;
    char *big = malloc(300000);
    int fds[2], rows = 0, big_seen = 0, ready = 0;

    assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
    fcntl(fds[1], F_SETFL, 0);
    fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    memset(big, 'b', 300000);
    assert_int_equal(sniff_pipe_out_init(&out, fds[1], 4096), 0);
    assert_int_equal(sniff_pipe_in_init(&in, fds[0]), 0);
    sniff_pipe_out_put(&out, SNIFF_MSG_READY, NULL, LOG_FORMAT_TSV, NULL, 0);
    for (int i = 0; i < 100; i++)
        sniff_pipe_out_put(&out, SNIFF_MSG_ROW, &schema, LOG_FORMAT_JSON, "{\"p\":1}\n", 8);
    /* Larger than the worker's buffer: it goes through whole, after what was gathered. */
    sniff_pipe_out_put(&out, SNIFF_MSG_ROW, &schema, LOG_FORMAT_TSV, big, 300000);
    /* Larger than any row may be: refused and counted. */
    sniff_pipe_out_put(&out, SNIFF_MSG_ROW, &schema, LOG_FORMAT_TSV, big, SNIFF_PIPE_MAX_BODY + 1);
    assert_int_equal(out.lost, 1);
    sniff_pipe_out_fini(&out);
    close(fds[1]);
    while (!in.eof) {
        assert_true(sniff_pipe_in_read(&in) >= 0);
        while (sniff_pipe_in_next(&in, &m, &body)) {
            if (m.kind == SNIFF_MSG_READY) {
                assert_int_equal(rows, 0);
                ready++;
            } else if (m.len == 300000) {
                assert_int_equal(rows, 100);       /* in order */
                assert_int_equal(body[299999], 'b');
                big_seen++;
            } else {
                assert_int_equal(m.kind, SNIFF_MSG_ROW);
                assert_ptr_equal((const void *)(uintptr_t)m.schema, &schema);
                assert_int_equal(m.format, LOG_FORMAT_JSON);
                assert_memory_equal(body, "{\"p\":1}\n", 8);
                rows++;
            }
        }
    }
    assert_int_equal(ready, 1);
    assert_int_equal(rows, 100);
    assert_int_equal(big_seen, 1);
    assert_false(in.broken);
    sniff_pipe_in_fini(&in);
    close(fds[0]);
    free(big);
}

static void test_broken_stream(void **state)
{
    struct sniff_pipe_in in;
    struct sniff_msg m = {.len = SNIFF_PIPE_MAX_BODY + 1, .kind = SNIFF_MSG_ROW};
    const char *body;
    int fds[2];

    assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
    assert_int_equal(sniff_pipe_in_init(&in, fds[0]), 0);
    assert_int_equal(write(fds[1], &m, sizeof(m)), (ssize_t)sizeof(m));
    assert_true(sniff_pipe_in_read(&in) > 0);
    assert_false(sniff_pipe_in_next(&in, &m, &body));
    assert_true(in.broken);
    sniff_pipe_in_fini(&in);
    close(fds[0]);
    close(fds[1]);
}

/* ---- the hash that splits a file ---- */

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Ethernet/IPv4/UDP-or-TCP, addresses a.x -> b.x. */
static size_t frame(uint8_t *b, uint8_t sa, uint8_t da, uint8_t proto, uint16_t sp, uint16_t dp, uint16_t frag,
                    uint16_t id)
{
    memset(b, 0, 14 + 20 + 20);
    put16(b + 12, 0x0800);
    b[14] = 0x45;
    put16(b + 16, 40);
    put16(b + 18, id);
    put16(b + 20, frag);
    b[23] = proto;
    b[26] = b[30] = 10;
    b[29] = sa;
    b[33] = da;
    put16(b + 34, sp);
    put16(b + 36, dp);
    return 54;
}

static void test_hash_symmetric_and_spread(void **state)
{
    static struct sniff_hash h;
    uint8_t a[64], b[64];
    unsigned odd = 0;

    sniff_hash_init(&h);
    frame(a, 1, 2, 6, 40000, 443, 0, 1);
    frame(b, 2, 1, 6, 443, 40000, 0, 2);
    assert_int_equal(sniff_hash_frame(&h, 1, a, 54), sniff_hash_frame(&h, 1, b, 54));
    /* Raw IP link type: the same flow, the same hash. */
    assert_int_equal(sniff_hash_frame(&h, 101, a + 14, 40), sniff_hash_frame(&h, 1, b, 54));
    for (uint16_t p = 1000; p < 1100; p++) {
        frame(a, 1, 2, 17, p, 53, 0, 1);
        odd += sniff_hash_frame(&h, 1, a, 54) & 1;
    }
    assert_true(odd > 30 && odd < 70);
    memset(a, 0, sizeof(a));
    put16(a + 12, 0x0806);
    assert_int_equal(sniff_hash_frame(&h, 1, a, 42), 0);
}

static void test_hash_fragments_follow_the_first(void **state)
{
    static struct sniff_hash h;
    uint8_t first[64], later[64], whole[64];

    sniff_hash_init(&h);
    frame(whole, 1, 2, 17, 5000, 53, 0, 7);
    frame(first, 1, 2, 17, 5000, 53, 0x2000, 77);      /* MF, offset 0: ports readable */
    frame(later, 1, 2, 17, 0x1234, 0x5678, 0x00b9, 77); /* offset 1480: bytes that are not ports */
    assert_int_equal(sniff_hash_frame(&h, 1, first, 54), sniff_hash_frame(&h, 1, whole, 54));
    assert_int_equal(sniff_hash_frame(&h, 1, later, 54), sniff_hash_frame(&h, 1, whole, 54));
}

static void test_hash_looks_inside_vxlan(void **state)
{
    static struct sniff_hash h;
    uint8_t in1[64], in2[64], o1[128], o2[128];

    sniff_hash_init(&h);
    frame(in1, 1, 2, 6, 40000, 80, 0, 1);
    frame(in2, 2, 1, 6, 80, 40000, 0, 2);
    /* Outer: 192.0.2.x, UDP from a different source port per direction to 4789. */
    for (int i = 0; i < 2; i++) {
        uint8_t *o = i ? o2 : o1;

        frame(o, 100, 200, 17, i ? 61000 : 52000, 4789, 0, 3);
        o[34 + 8] = 0x08;                       /* VXLAN flags: VNI present */
        memcpy(o + 34 + 16, i ? in2 : in1, 54);
    }
    assert_int_equal(sniff_hash_frame(&h, 1, o1, 34 + 16 + 54), sniff_hash_frame(&h, 1, in1, 54));
    assert_int_equal(sniff_hash_frame(&h, 1, o2, 34 + 16 + 54), sniff_hash_frame(&h, 1, in1, 54));
}

static void test_next_rotation(void **state)
{
    setenv("TZ", "UTC", 1);
    tzset();
    /* 2026-11-23 11:34:45 UTC: hourly at 12:00, daily at midnight, every 2 s on the even second. */
    assert_int_equal(sniff_next_rotation(1795433685, 3600), 1795435200);
    assert_int_equal(sniff_next_rotation(1795433685, 86400), 1795478400);
    assert_int_equal(sniff_next_rotation(1795433685, 2), 1795433686);
    assert_int_equal(sniff_next_rotation(1795435200, 3600), 1795438800);   /* at a boundary: the next */
    assert_true(sniff_next_rotation(1795433685, 0) > (int64_t)1 << 62);
    /* Local midnight, not UTC's. */
    setenv("TZ", "EST5", 1);
    tzset();
    assert_int_equal(sniff_next_rotation(1795433685, 86400), 1795496400);
    setenv("TZ", "UTC", 1);
    tzset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_broken_stream),
        cmocka_unit_test(test_hash_symmetric_and_spread),
        cmocka_unit_test(test_hash_fragments_follow_the_first),
        cmocka_unit_test(test_hash_looks_inside_vxlan),
        cmocka_unit_test(test_next_rotation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
