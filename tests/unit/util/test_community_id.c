/* tests/unit/util/test_community_id.c - Community ID v1 against values tshark 4.0 computes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util/community_id.h"

static void check(const char *src, const char *dst, uint8_t proto, uint16_t sp, uint16_t dp, const char *want)
{
    struct addr s, d;
    char buf[COMMUNITY_ID_STRLEN];

    assert_int_equal(addr_parse(&s, src), 0);
    assert_int_equal(addr_parse(&d, dst), 0);
    assert_int_equal(community_id_v1(0, &s, &d, proto, sp, dp, buf, sizeof(buf)), strlen(want));
    assert_string_equal(buf, want);
    /* The same flow seen from the other side has the same id (two-way ICMP included). */
    if (proto != 1 || sp == 8 || sp == 0) {
        uint16_t rsp = proto == 1 ? (sp == 8 ? 0 : 8) : dp, rdp = proto == 1 ? 0 : sp;

        assert_int_equal(community_id_v1(0, &d, &s, proto, rsp, rdp, buf, sizeof(buf)), strlen(want));
        assert_string_equal(buf, want);
    }
}

static void test_tcp(void **state)
{
    (void)state;
    check("128.232.110.120", "66.35.250.204", 6, 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
}

static void test_icmp_echo(void **state)
{
    (void)state;
    check("10.0.0.1", "10.0.0.2", 1, 8, 0, "1:YcMyyWJfhc95EW1GfXt6jlZ3DiQ=");
}

static void test_udp6(void **state)
{
    (void)state;
    check("fe80::1", "fe80::2", 17, 5353, 53, "1:QKJ9dugjhBapst4s3+b/y+MxoCg=");
}

static void test_small_buffer(void **state)
{
    struct addr s, d;
    char buf[8];

    (void)state;
    addr_parse(&s, "10.0.0.1");
    addr_parse(&d, "10.0.0.2");
    assert_int_equal(community_id_v1(0, &s, &d, 6, 1, 2, buf, sizeof(buf)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_icmp_echo),
        cmocka_unit_test(test_udp6),
        cmocka_unit_test(test_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
