/* tests/unit/inline/test_inline_hold.c - the held-packet pool's bounds and order, and the pending-flow table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "inline/inline_int.h"

static struct inline_held pkt(uint32_t id, uint32_t len, bool from_orig, uint32_t seq)
{
    struct inline_held h;

    memset(&h, 0, sizeof(h));
    h.id = id;
    h.len = len;
    h.from_orig = from_orig;
    h.seq = seq;
    return h;
}

static void test_hold_bounds(void **state)
{
    struct inline_hold *h = inline_hold_create(3);
    struct inline_hold_list a, b;
    struct inline_held x, got;

    (void)state;
    assert_non_null(h);
    assert_null(inline_hold_create(0));
    inline_hold_list_init(&a);
    inline_hold_list_init(&b);
    assert_false(inline_hold_pop(h, &a, &got));
    x = pkt(10, 100, true, 1000);
    assert_int_equal(inline_hold_push(h, &a, &x), 0);
    x = pkt(11, 50, false, 5000);
    assert_int_equal(inline_hold_push(h, &b, &x), 0);
    x = pkt(12, 200, true, 1100);
    assert_int_equal(inline_hold_push(h, &a, &x), 0);
    assert_int_equal(inline_hold_in_use(h), 3);
    /* Full: refused and counted, nothing lost. */
    x = pkt(13, 1, false, 0);
    assert_int_equal(inline_hold_push(h, &b, &x), -1);
    assert_int_equal(inline_hold_refused(h), 1);
    assert_int_equal(a.pkts, 2);
    assert_int_equal(a.bytes, 300);
    assert_int_equal(b.pkts, 1);
    /* The oldest of each direction. */
    assert_int_equal(inline_hold_first(h, &a, true)->seq, 1000);
    assert_null(inline_hold_first(h, &a, false));
    assert_int_equal(inline_hold_first(h, &b, false)->id, 11);
    /* Arrival order out. */
    assert_true(inline_hold_pop(h, &a, &got));
    assert_int_equal(got.id, 10);
    assert_int_equal(a.bytes, 200);
    /* The freed slot is taken again. */
    x = pkt(14, 7, true, 1300);
    assert_int_equal(inline_hold_push(h, &a, &x), 0);
    assert_true(inline_hold_pop(h, &a, &got));
    assert_int_equal(got.id, 12);
    assert_true(inline_hold_pop(h, &a, &got));
    assert_int_equal(got.id, 14);
    assert_false(inline_hold_pop(h, &a, &got));
    assert_int_equal(a.pkts, 0);
    assert_int_equal(a.bytes, 0);
    assert_true(inline_hold_pop(h, &b, &got));
    assert_int_equal(inline_hold_in_use(h), 0);
    assert_int_equal(inline_hold_capacity(h), 3);
    /* Empty again: all three slots can be had. */
    for (uint32_t i = 0; i < 3; i++) {
        x = pkt(20 + i, 1, true, i);
        assert_int_equal(inline_hold_push(h, &b, &x), 0);
    }
    assert_int_equal(inline_hold_refused(h), 1);
    inline_hold_free(h);
}

static void test_flows_evict(void **state)
{
    struct inline_flows *t = inline_flows_create(2);
    struct inline_hold *h = inline_hold_create(4);
    struct inline_flow *a, *b, *c, *d;
    struct inline_held x = pkt(1, 10, true, 0), got;

    (void)state;
    assert_non_null(t);
    a = inline_flows_add(t, "CA", 100);
    b = inline_flows_add(t, "CB", 200);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_equal(inline_flows_get(t, "CA"), a);
    assert_ptr_equal(inline_flows_get(t, "CB"), b);
    assert_null(inline_flows_get(t, "CC"));
    /* Full: the oldest entry holding nothing goes. */
    assert_int_equal(inline_hold_push(h, &a->held, &x), 0);
    c = inline_flows_add(t, "CC", 300);
    assert_non_null(c);
    assert_null(inline_flows_get(t, "CB"));
    assert_ptr_equal(inline_flows_get(t, "CA"), a);
    assert_string_equal(inline_flows_get(t, "CC")->uid, "CC");
    assert_int_equal(inline_flows_evicted(t), 1);
    /* Every entry holding: nothing can go. */
    assert_int_equal(inline_hold_push(h, &c->held, &x), 0);
    assert_null(inline_flows_add(t, "CD", 400));
    assert_true(inline_hold_pop(h, &c->held, &got));
    inline_flows_del(t, c);
    d = inline_flows_add(t, "CD", 500);
    assert_non_null(d);
    assert_int_equal(inline_flows_count(t), 2);
    assert_true(inline_hold_pop(h, &a->held, &got));
    inline_flows_free(t);
    inline_hold_free(h);
}

static void test_flows_holding_order(void **state)
{
    struct inline_flows *t = inline_flows_create(8);
    struct inline_flow *a = inline_flows_add(t, "C1", 1), *b = inline_flows_add(t, "C2", 2), *c = inline_flows_add(t, "C3", 3);

    (void)state;
    assert_null(inline_flows_oldest_holding(t));
    inline_flows_holding(t, b, 10);
    inline_flows_holding(t, a, 20);
    inline_flows_holding(t, c, 30);
    assert_ptr_equal(inline_flows_oldest_holding(t), b);
    inline_flows_unhold(t, b);
    assert_ptr_equal(inline_flows_oldest_holding(t), a);
    inline_flows_del(t, a);
    assert_ptr_equal(inline_flows_oldest_holding(t), c);
    inline_flows_unhold(t, c);
    assert_null(inline_flows_oldest_holding(t));
    inline_flows_free(t);
}

static void test_flows_many(void **state)
{
    struct inline_flows *t = inline_flows_create(512);
    char uid[24];

    (void)state;
    /* Adds and deletes in a pattern that leaves holes in probe runs: every entry stays findable. */
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 512; i++) {
            snprintf(uid, sizeof(uid), "C%d_%d", round, i);
            assert_non_null(inline_flows_add(t, uid, i + 1));
        }
        for (int i = 0; i < 512; i += 3) {
            snprintf(uid, sizeof(uid), "C%d_%d", round, i);
            inline_flows_del(t, inline_flows_get(t, uid));
        }
        for (int i = 0; i < 512; i++) {
            snprintf(uid, sizeof(uid), "C%d_%d", round, i);
            if (i % 3 == 0)
                assert_null(inline_flows_get(t, uid));
            else
                assert_non_null(inline_flows_get(t, uid));
        }
        for (int i = 0; i < 512; i++) {
            snprintf(uid, sizeof(uid), "C%d_%d", round, i);
            if (i % 3 != 0)
                inline_flows_del(t, inline_flows_get(t, uid));
        }
        assert_int_equal(inline_flows_count(t), 0);
    }
    inline_flows_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_bounds), cmocka_unit_test(test_flows_evict),
        cmocka_unit_test(test_flows_holding_order), cmocka_unit_test(test_flows_many),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
