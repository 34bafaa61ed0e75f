/* tests/unit/files/test_file_hash.c - streaming MD5/SHA1/SHA256: known vectors, chunking, gaps, empty input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "files/files.h"
#include "files/files_int.h"

struct fixture {
    struct file_hash_algos algos;
    struct file_hash       h;
};

static int setup(void **state)
{
    static struct fixture fx;

    memset(&fx, 0, sizeof(fx));
    if (file_hash_algos_init(&fx.algos, FILES_HASH_ALL) != 0 || file_hash_init(&fx.h) != 0)
        return -1;
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    file_hash_fini(&fx->h);
    file_hash_algos_fini(&fx->algos);
    return 0;
}

static void test_abc(void **state)
{
    struct fixture *fx = *state;
    char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX];

    assert_int_equal(file_hash_start(&fx->h, &fx->algos), 0);
    file_hash_update(&fx->h, (const uint8_t *)"abc", 3);
    assert_true(file_hash_finish(&fx->h, hex));
    assert_string_equal(hex[FILE_HASH_MD5], "900150983cd24fb0d6963f7d28e17f72");
    assert_string_equal(hex[FILE_HASH_SHA1], "a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_string_equal(hex[FILE_HASH_SHA256], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* A million 'a' fed in uneven chunks, twice through the same contexts (slot reuse). */
static void test_million_a_chunked_and_reused(void **state)
{
    struct fixture *fx = *state;
    char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX];
    static uint8_t a[7919];
    size_t left, n;
    int round;

    memset(a, 'a', sizeof(a));
    for (round = 0; round < 2; round++) {
        assert_int_equal(file_hash_start(&fx->h, &fx->algos), 0);
        for (left = 1000000; left > 0; left -= n) {
            n = left < sizeof(a) ? left : sizeof(a);
            file_hash_update(&fx->h, a, n);
        }
        assert_true(file_hash_finish(&fx->h, hex));
        assert_string_equal(hex[FILE_HASH_MD5], "7707d6ae4e027c70eea2a935c2296f21");
        assert_string_equal(hex[FILE_HASH_SHA1], "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        assert_string_equal(hex[FILE_HASH_SHA256],
                            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
}

static void test_gap_drops_hashes(void **state)
{
    struct fixture *fx = *state;
    char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX];

    assert_int_equal(file_hash_start(&fx->h, &fx->algos), 0);
    file_hash_update(&fx->h, (const uint8_t *)"ab", 2);
    file_hash_abandon(&fx->h);
    file_hash_update(&fx->h, (const uint8_t *)"c", 1);
    assert_false(file_hash_finish(&fx->h, hex));

    /* The next file on the same contexts is hashed from scratch. */
    assert_int_equal(file_hash_start(&fx->h, &fx->algos), 0);
    file_hash_update(&fx->h, (const uint8_t *)"a", 1);
    file_hash_update(&fx->h, (const uint8_t *)"bc", 2);
    assert_true(file_hash_finish(&fx->h, hex));
    assert_string_equal(hex[FILE_HASH_MD5], "900150983cd24fb0d6963f7d28e17f72");
}

static void test_empty_file_has_no_hash(void **state)
{
    struct fixture *fx = *state;
    char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX];

    assert_int_equal(file_hash_start(&fx->h, &fx->algos), 0);
    file_hash_update(&fx->h, (const uint8_t *)"", 0);
    assert_false(file_hash_finish(&fx->h, hex));
    /* finish twice: the second is refused rather than reading a finalized context */
    assert_false(file_hash_finish(&fx->h, hex));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_million_a_chunked_and_reused),
        cmocka_unit_test(test_gap_drops_hashes),
        cmocka_unit_test(test_empty_file_has_no_hash),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
