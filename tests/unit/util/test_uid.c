/* tests/unit/util/test_uid.c - uid form (C + base62 of 32 + 64 bits) and repeatability under a seed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/uid.h"

static void test_format_known(void **state)
{
    uint64_t v[2] = {0, 0};
    char buf[UID_STRLEN];

    (void)state;
    assert_int_equal(uid_format('C', v, buf, sizeof(buf)), 3);
    assert_string_equal(buf, "C00");
    v[0] = 61;
    v[1] = 62;
    uid_format('C', v, buf, sizeof(buf));
    assert_string_equal(buf, "Cz10");
    v[0] = UINT32_MAX;
    v[1] = UINT64_MAX;
    assert_int_equal(uid_format('F', v, buf, sizeof(buf)), 18);
    assert_string_equal(buf, "F4gfFC3LygHa16AHYF");
}

static void test_seeded_repeatable(void **state)
{
    struct uid_gen a, b, c;
    uint64_t va[2], vb[2], vc[2];

    (void)state;
    uid_gen_init(&a, 1, 1);
    uid_gen_init(&b, 1, 1);
    uid_gen_init(&c, 2, 1);
    for (uint64_t n = 0; n < 100; n++) {
        uid_gen_value(&a, n, va);
        uid_gen_value(&b, n, vb);
        uid_gen_value(&c, n, vc);
        assert_memory_equal(va, vb, sizeof(va));
        assert_true(memcmp(va, vc, sizeof(va)) != 0);
        assert_true(va[0] <= UINT32_MAX);
    }
    uid_gen_value(&a, 0, va);
    uid_gen_value(&a, 1, vb);
    assert_true(memcmp(va, vb, sizeof(va)) != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_known),
        cmocka_unit_test(test_seeded_repeatable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
