/* tests/unit/output/test_redis_ring.c - the Redis output's buffer: FIFO order, row and byte caps, wrap-around. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "output/redis_ring.h"

/* Appends a record holding "<tag>" padded with '.' to len bytes; returns 0, or -1 if no room. */
static int push(struct redis_ring *r, unsigned tag, size_t len)
{
    char rec[256];
    char *at = redis_ring_reserve(r, len);

    if (at == NULL)
        return -1;
    memset(rec, '.', sizeof(rec));
    snprintf(rec, sizeof(rec), "%u", tag);
    rec[strlen(rec)] = '.';
    memcpy(at, rec, len);
    redis_ring_commit(r, at, len);
    return 0;
}

static unsigned tag_of(const struct redis_ring *r, uint32_t i, size_t *len)
{
    const char *p = redis_ring_peek(r, i, len);
    unsigned v = 0;

    while (*p >= '0' && *p <= '9')
        v = v * 10 + (unsigned)(*p++ - '0');
    return v;
}

static void test_fifo_order(void **state)
{
    struct redis_ring r;
    size_t len;

    assert_int_equal(redis_ring_init(&r, 8, 1000), 0);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(push(&r, i, 10 + i), 0);
    assert_int_equal(r.count, 5);
    assert_int_equal(r.used, 10 + 11 + 12 + 13 + 14);
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(tag_of(&r, i, &len), i);
        assert_int_equal(len, 10 + i);
    }
    redis_ring_pop(&r);
    redis_ring_pop(&r);
    assert_int_equal(r.count, 3);
    assert_int_equal(tag_of(&r, 0, &len), 2);
    assert_int_equal(r.used, 12 + 13 + 14);
    redis_ring_fini(&r);
}

static void test_row_cap(void **state)
{
    struct redis_ring r;
    size_t len;

    assert_int_equal(redis_ring_init(&r, 3, 1000), 0);
    assert_int_equal(push(&r, 0, 10), 0);
    assert_int_equal(push(&r, 1, 10), 0);
    assert_int_equal(push(&r, 2, 10), 0);
    assert_int_equal(push(&r, 3, 10), -1);   /* three rows is the cap, bytes to spare */
    redis_ring_pop(&r);
    assert_int_equal(push(&r, 3, 10), 0);
    assert_int_equal(tag_of(&r, 0, &len), 1);
    assert_int_equal(tag_of(&r, 2, &len), 3);
    redis_ring_fini(&r);
}

static void test_byte_cap_and_wrap(void **state)
{
    struct redis_ring r;
    size_t len;

    assert_int_equal(redis_ring_init(&r, 100, 100), 0);
    assert_int_equal(push(&r, 0, 40), 0);    /* [0,40) */
    assert_int_equal(push(&r, 1, 40), 0);    /* [40,80) */
    assert_int_equal(push(&r, 2, 30), -1);   /* 20 left at the end, nothing before the head */
    redis_ring_pop(&r);                      /* head at 40: [0,40) free */
    assert_int_equal(push(&r, 2, 30), 0);    /* wraps to [0,30); [80,100) unused */
    assert_ptr_equal(redis_ring_peek(&r, 1, &len), r.buf);
    assert_int_equal(push(&r, 3, 11), -1);   /* the gap [30,40) holds 10 */
    assert_int_equal(push(&r, 3, 10), 0);    /* exactly fills it */
    assert_int_equal(r.used, 80);
    redis_ring_pop(&r);                      /* record 1 leaves: head at 0 */
    assert_int_equal(tag_of(&r, 0, &len), 2);
    assert_int_equal(push(&r, 4, 60), 0);    /* [40,100) */
    assert_ptr_equal(redis_ring_peek(&r, 2, &len), r.buf + 40);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(tag_of(&r, i, &len), i + 2);
    assert_int_equal(push(&r, 5, 1), -1);    /* 100 of 100 bytes */
    redis_ring_fini(&r);
}

static void test_too_big_and_empty_reset(void **state)
{
    struct redis_ring r;

    assert_int_equal(redis_ring_init(&r, 4, 64), 0);
    assert_null(redis_ring_reserve(&r, 65));
    assert_null(redis_ring_reserve(&r, 0));
    assert_int_equal(push(&r, 7, 64), 0);
    redis_ring_pop(&r);
    assert_int_equal(r.count, 0);
    assert_int_equal(r.used, 0);
    /* Empty again: the whole buffer is one run from the start. */
    assert_ptr_equal(redis_ring_reserve(&r, 64), r.buf);
    redis_ring_fini(&r);
    assert_int_equal(redis_ring_init(&r, 0, 64), -1);
    assert_int_equal(redis_ring_init(&r, 4, 0), -1);
}

/* Many rounds of uneven records against a model queue: order and contents survive every wrap. */
static void test_model(void **state)
{
    unsigned model_tag[64] = {0}, model_len[64] = {0}, head = 0, n = 0, next = 0;
    struct redis_ring r;
    size_t len;

    assert_int_equal(redis_ring_init(&r, 16, 500), 0);
    for (unsigned round = 0; round < 5000; round++) {
        size_t want = 5 + (round * 37) % 120;

        while (push(&r, next, want) != 0) {
            assert_true(n > 0);
            redis_ring_pop(&r);
            head = (head + 1) % 64;
            n--;
        }
        model_tag[(head + n) % 64] = next++;
        model_len[(head + n) % 64] = (unsigned)want;
        n++;
        assert_int_equal(r.count, n);
        assert_true(r.count <= 16 && r.used <= 500);
        for (unsigned i = 0; i < n; i++) {
            assert_int_equal(tag_of(&r, i, &len), model_tag[(head + i) % 64]);
            assert_int_equal(len, model_len[(head + i) % 64]);
        }
        if (round % 3 == 0) {
            redis_ring_pop(&r);
            head = (head + 1) % 64;
            n--;
        }
    }
    redis_ring_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_row_cap),
        cmocka_unit_test(test_byte_cap_and_wrap),
        cmocka_unit_test(test_too_big_and_empty_reset),
        cmocka_unit_test(test_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
