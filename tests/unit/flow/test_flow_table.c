/* tests/unit/flow/test_flow_table.c - lookup in both directions, flips, expiry order, the cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "flow/flow_table.h"

static struct flow_key key(const char *a, uint16_t pa, const char *b, uint16_t pb)
{
    struct flow_key k;

    memset(&k, 0, sizeof(k));
    addr_parse(&k.orig_h, a);
    addr_parse(&k.resp_h, b);
    k.orig_p = pa;
    k.resp_p = pb;
    k.proto = 6;
    return k;
}

static struct flow_table *table(uint32_t max)
{
    struct flow_table_config cfg;

    flow_table_config_defaults(&cfg);
    cfg.max_flows = max;
    cfg.hash_seed = 42;
    return flow_table_create(&cfg);
}

static void test_lookup_both_directions(void **state)
{
    struct flow_table *t = table(16);
    struct flow_key k = key("10.0.0.1", 40000, "10.0.0.2", 80);
    struct flow_key rev = key("10.0.0.2", 80, "10.0.0.1", 40000);
    struct flow_key other = key("10.0.0.1", 40001, "10.0.0.2", 80);
    enum flow_dir dir;
    struct flow *f;

    (void)state;
    f = flow_table_insert(t, &k, PW_SEC);
    assert_non_null(f);
    assert_ptr_equal(flow_table_lookup(t, &k, &dir), f);
    assert_int_equal(dir, FLOW_DIR_ORIG);
    assert_ptr_equal(flow_table_lookup(t, &rev, &dir), f);
    assert_int_equal(dir, FLOW_DIR_RESP);
    assert_null(flow_table_lookup(t, &other, &dir));
    /* A tunnelled flow with the same 5-tuple in another VNI is another flow. */
    k.tunnel = (1u << 24) | 7;
    assert_null(flow_table_lookup(t, &k, &dir));

    flow_table_flip(t, f);
    assert_ptr_equal(flow_table_lookup(t, &rev, &dir), f);
    assert_int_equal(dir, FLOW_DIR_ORIG);
    flow_table_free(t);
}

static void test_expiry_order_and_deadlines(void **state)
{
    struct flow_table *t = table(16);
    struct flow_key a = key("10.0.0.1", 1, "10.0.0.2", 2), b = key("10.0.0.1", 3, "10.0.0.2", 4);
    struct flow *fa, *fb;

    (void)state;
    fa = flow_table_insert(t, &a, 0);
    fb = flow_table_insert(t, &b, 0);
    flow_table_schedule(t, fa, FLOW_TIMEOUT_UDP, 0);
    flow_table_schedule(t, fb, FLOW_TIMEOUT_TCP_ATTEMPT, 0);
    assert_null(flow_table_next_expired(t, 4 * PW_SEC));
    assert_ptr_equal(flow_table_next_expired(t, 5 * PW_SEC), fb);   /* attempt: 5 s */
    flow_table_remove(t, fb);
    assert_null(flow_table_next_expired(t, 59 * PW_SEC));
    /* Activity moves the inactivity timer. */
    fa->last_seen = 50 * PW_SEC;
    flow_table_schedule(t, fa, FLOW_TIMEOUT_UDP, fa->last_seen);
    assert_null(flow_table_next_expired(t, 109 * PW_SEC));
    assert_ptr_equal(flow_table_next_expired(t, 110 * PW_SEC), fa);
    assert_true(flow_timeout_is_deadline(FLOW_TIMEOUT_TCP_CLOSED));
    assert_false(flow_timeout_is_deadline(FLOW_TIMEOUT_TCP));
    flow_table_free(t);
}

static void test_cap_and_oldest(void **state)
{
    struct flow_table *t = table(3);
    struct flow *f[3];

    (void)state;
    for (int i = 0; i < 3; i++) {
        struct flow_key k = key("192.0.2.1", (uint16_t)(1000 + i), "192.0.2.2", 53);

        f[i] = flow_table_insert(t, &k, (pw_time)i * PW_SEC);
        assert_non_null(f[i]);
        f[i]->last_seen = (pw_time)i * PW_SEC;
        flow_table_schedule(t, f[i], i == 1 ? FLOW_TIMEOUT_UDP : FLOW_TIMEOUT_TCP, f[i]->last_seen);
    }
    assert_true(flow_table_full(t));
    {
        struct flow_key k = key("192.0.2.1", 2000, "192.0.2.2", 53);

        assert_null(flow_table_insert(t, &k, 3 * PW_SEC));
    }
    assert_ptr_equal(flow_table_oldest(t), f[0]);
    flow_table_remove(t, f[0]);
    assert_false(flow_table_full(t));
    assert_ptr_equal(flow_table_oldest(t), f[1]);
    assert_int_equal(flow_table_get_stats(t)->active, 2);
    assert_int_equal(flow_table_get_stats(t)->peak, 3);
    flow_table_free(t);
}

static void test_flow_is_small(void **state)
{
    (void)state;
    assert_true(sizeof(struct flow) <= 256);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_both_directions),
        cmocka_unit_test(test_expiry_order_and_deadlines),
        cmocka_unit_test(test_cap_and_oldest),
        cmocka_unit_test(test_flow_is_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
