/* tests/unit/log/test_log_value.c - Zeek value formatting: numbers, times, strings, escapes, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_value.h"

static char mem[1 << 16];
static struct log_buf b;

static const char *text(void)
{
    assert_false(b.overflow);
    b.p[b.len] = '\0';
    return b.p;
}

static void fresh(void)
{
    log_buf_init(&b, mem, sizeof(mem) - 1);
}

static const char *tsv(enum log_type t, const void *v)
{
    fresh();
    log_value_tsv(&b, t, v, NULL);
    return text();
}

static const char *json(enum log_type t, const void *v)
{
    fresh();
    log_value_json(&b, t, v, NULL);
    return text();
}

static const char *tsv_str(const char *s, size_t n)
{
    struct log_str v = { s, (uint32_t)n };
    return tsv(LOG_STRING, &v);
}

static const char *json_str(const char *s, size_t n)
{
    struct log_str v = { s, (uint32_t)n };
    return json(LOG_STRING, &v);
}

static const char *time_tsv(pw_time t)
{
    return tsv(LOG_TIME, &t);
}

static const char *dbl_tsv(double d)
{
    return tsv(LOG_DOUBLE, &d);
}

static const char *dbl_json(double d)
{
    return json(LOG_DOUBLE, &d);
}

static void test_time_tsv(void **state)
{
    assert_string_equal(time_tsv(1258535653087137000LL), "1258535653.087137");
    assert_string_equal(time_tsv(435000), "0.000435");
    assert_string_equal(time_tsv(900 * PW_SEC), "900.000000");
    assert_string_equal(time_tsv(0), "0.000000");
    /* Rounded to the nearest microsecond, halves away from zero. */
    assert_string_equal(time_tsv(1499), "0.000001");
    assert_string_equal(time_tsv(1500), "0.000002");
    assert_string_equal(time_tsv(999999500), "1.000000");
    assert_string_equal(time_tsv(-1500000), "-0.001500");
    assert_string_equal(time_tsv(-2 * PW_SEC - 250 * PW_USEC), "-2.000250");
    assert_string_equal(time_tsv(-1501), "-0.000002");
    assert_string_equal(time_tsv(INT64_MIN), "-9223372036.854776");
    pw_time iv = 12 * PW_MSEC;
    assert_string_equal(tsv(LOG_INTERVAL, &iv), "0.012000");
}

static void test_double_tsv(void **state)
{
    assert_string_equal(dbl_tsv(1.1), "1.1");
    assert_string_equal(dbl_tsv(0.000012), "0.000012");
    assert_string_equal(dbl_tsv(50000.0), "50000.0");
    assert_string_equal(dbl_tsv(0.0), "0.0");
    assert_string_equal(dbl_tsv(-3.25), "-3.25");
    assert_string_equal(dbl_tsv(2.0000000001), "2.0");
    assert_string_equal(dbl_tsv(1.23456789), "1.234568");
    assert_string_equal(dbl_tsv(1e20), "100000000000000000000.0");
}

static void test_double_json(void **state)
{
    assert_string_equal(dbl_json(100.0), "100.0");
    assert_string_equal(dbl_json(3.14), "3.14");
    assert_string_equal(dbl_json(0.0000123456789), "0.0000123456789");
    assert_string_equal(dbl_json(1.79e308), "1.79e308");
    assert_string_equal(dbl_json(1e-7), "1e-7");
    assert_string_equal(dbl_json(1.5e-10), "1.5e-10");
    assert_string_equal(dbl_json(1e21), "1e21");
    assert_string_equal(dbl_json(1e20), "100000000000000000000.0");
    assert_string_equal(dbl_json(0.0), "0.0");
    assert_string_equal(dbl_json(-0.5), "-0.5");
    assert_string_equal(dbl_json(0.1 + 0.2), "0.30000000000000004");
    assert_string_equal(dbl_json(NAN), "null");
    assert_string_equal(dbl_json(INFINITY), "null");
}

static void test_time_json(void **state)
{
    pw_time t = 1300475167096535000LL;
    assert_string_equal(json(LOG_TIME, &t), "1300475167.096535");
    t = 1300475168850000000LL;
    assert_string_equal(json(LOG_TIME, &t), "1300475168.85");
    t = 1300475168 * PW_SEC;
    assert_string_equal(json(LOG_TIME, &t), "1300475168.0");
    /* Same double Zeek builds from a pcap timestamp: sec + usec / 1e6. */
    t = 1258535653087137000LL;
    assert_true(log_value_time_to_double(t) == 1258535653.0 + 87137 / 1e6);
    pw_time iv = 435 * PW_USEC;
    assert_string_equal(json(LOG_INTERVAL, &iv), "0.000435");
    iv = -1500 * PW_MSEC;
    assert_string_equal(json(LOG_INTERVAL, &iv), "-1.5");
}

static void test_scalars(void **state)
{
    uint64_t c = UINT64_MAX;
    int64_t i = -42;
    bool t = true, f = false;
    uint16_t port = 65535;

    assert_string_equal(tsv(LOG_COUNT, &c), "18446744073709551615");
    assert_string_equal(json(LOG_COUNT, &c), "18446744073709551615");
    assert_string_equal(tsv(LOG_INT, &i), "-42");
    assert_string_equal(json(LOG_INT, &i), "-42");
    assert_string_equal(tsv(LOG_BOOL, &t), "T");
    assert_string_equal(tsv(LOG_BOOL, &f), "F");
    assert_string_equal(json(LOG_BOOL, &t), "true");
    assert_string_equal(json(LOG_BOOL, &f), "false");
    assert_string_equal(tsv(LOG_PORT, &port), "65535");
    assert_string_equal(json(LOG_PORT, &port), "65535");
}

static void test_addr_subnet(void **state)
{
    struct addr a;
    struct log_subnet sn;

    assert_int_equal(addr_parse(&a, "141.142.220.202"), 0);
    assert_string_equal(tsv(LOG_ADDR, &a), "141.142.220.202");
    assert_string_equal(json(LOG_ADDR, &a), "\"141.142.220.202\"");
    assert_int_equal(addr_parse(&a, "fe80:0:0:0:217:f2ff:fed7:cf65"), 0);
    assert_string_equal(tsv(LOG_ADDR, &a), "fe80::217:f2ff:fed7:cf65");
    assert_int_equal(addr_parse(&sn.prefix, "10.0.0.0"), 0);
    sn.bits = 8;
    assert_string_equal(tsv(LOG_SUBNET, &sn), "10.0.0.0/8");
    assert_string_equal(json(LOG_SUBNET, &sn), "\"10.0.0.0/8\"");
    assert_int_equal(addr_parse(&sn.prefix, "2001:db8::"), 0);
    sn.bits = 32;
    assert_string_equal(tsv(LOG_SUBNET, &sn), "2001:db8::/32");
}

static void test_string_tsv_escapes(void **state)
{
    assert_string_equal(tsv_str("GET", 3), "GET");
    assert_string_equal(tsv_str("", 0), "(empty)");
    assert_string_equal(tsv_str(NULL, 0), "(empty)");
    assert_string_equal(tsv_str("-", 1), "\\x2d");
    assert_string_equal(tsv_str("(empty)", 7), "\\x28empty)");
    assert_string_equal(tsv_str("--", 2), "--");
    assert_string_equal(tsv_str("(empty)x", 8), "(empty)x");
    assert_string_equal(tsv_str("a\\b", 3), "a\\\\b");
    assert_string_equal(tsv_str("a\tb", 3), "a\\x09b");
    assert_string_equal(tsv_str("a,b", 3), "a,b");   /* commas only escaped in containers */
    assert_string_equal(tsv_str("x\ny\r\x01\x7f", 6), "x\\x0ay\\x0d\\x01\\x7f");
    assert_string_equal(tsv_str("a\0b", 3), "a\\x00b");
    /* Valid multi-byte UTF-8 raw; invalid bytes one by one. */
    assert_string_equal(tsv_str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14),
                        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_string_equal(tsv_str("\xff\xfe", 2), "\\xff\\xfe");
    assert_string_equal(tsv_str("a\xc3", 2), "a\\xc3");           /* truncated sequence */
    assert_string_equal(tsv_str("\xc0\xaf", 2), "\\xc0\\xaf");     /* overlong */
    assert_string_equal(tsv_str("\xed\xa0\x80", 3), "\\xed\\xa0\\x80"); /* surrogate */
    assert_string_equal(tsv_str("\xf4\x90\x80\x80", 4), "\\xf4\\x90\\x80\\x80");
    assert_string_equal(tsv_str("\xe2\x82x", 3), "\\xe2\\x82x");
}

static void test_string_json_escapes(void **state)
{
    assert_string_equal(json_str("", 0), "\"\"");
    assert_string_equal(json_str("-", 1), "\"-\"");
    assert_string_equal(json_str("(empty)", 7), "\"(empty)\"");
    assert_string_equal(json_str("say \"hi\"\\", 9), "\"say \\\"hi\\\"\\\\\"");
    assert_string_equal(json_str("\b\f\n\r\t", 5), "\"\\b\\f\\n\\r\\t\"");
    assert_string_equal(json_str("a\0b\x1f\x7f", 5), "\"a\\\\x00b\\\\x1f\\\\x7f\"");
    assert_string_equal(json_str("caf\xc3\xa9/", 6), "\"caf\xc3\xa9/\"");
    assert_string_equal(json_str("\xff" "a\xc3", 3), "\"\\\\xffa\\\\xc3\"");
    assert_string_equal(json_str("a,b", 3), "\"a,b\"");
}

static void test_containers(void **state)
{
    struct log_str items[3] = { { "a,b", 3 }, { "", 0 }, { "-", 1 } };
    struct log_str_list l = { items, 3 };
    struct log_str_list empty = { NULL, 0 };
    struct addr addrs[2];
    struct log_addr_list al = { addrs, 2 };
    pw_time ivs[2] = { 1500 * PW_MSEC, 2 * PW_SEC };
    struct log_time_list tl = { ivs, 2 };
    uint64_t cs[3] = { 1, 20, 300 };
    struct log_count_list cl = { cs, 3 };

    assert_string_equal(tsv(LOG_SET_STRING, &l), "a\\x2cb,(empty),\\x2d");
    assert_string_equal(json(LOG_SET_STRING, &l), "[\"a,b\",\"\",\"-\"]");
    assert_string_equal(tsv(LOG_VEC_STRING, &empty), "(empty)");
    assert_string_equal(json(LOG_SET_ENUM, &empty), "[]");
    addr_parse(&addrs[0], "1.2.3.4");
    addr_parse(&addrs[1], "::1");
    assert_string_equal(tsv(LOG_VEC_ADDR, &al), "1.2.3.4,::1");
    assert_string_equal(json(LOG_VEC_ADDR, &al), "[\"1.2.3.4\",\"::1\"]");
    assert_string_equal(tsv(LOG_VEC_INTERVAL, &tl), "1.500000,2.000000");
    assert_string_equal(json(LOG_VEC_INTERVAL, &tl), "[1.5,2.0]");
    assert_string_equal(tsv(LOG_VEC_COUNT, &cl), "1,20,300");
    assert_string_equal(json(LOG_VEC_COUNT, &cl), "[1,20,300]");
}

static void test_limits(void **state)
{
    static char big[5000];
    static struct log_str many[150];
    struct log_str s = { big, sizeof(big) };
    struct log_str_list l = { many, 150 };
    struct log_budget bg;
    unsigned i;

    memset(big, 'x', sizeof(big));
    log_value_budget_init(&bg);
    fresh();
    log_value_tsv(&b, LOG_STRING, &s, &bg);
    assert_int_equal(strlen(text()), 4096);
    assert_int_equal(bg.strings_cut, 1);
    fresh();
    log_value_json(&b, LOG_STRING, &s, &bg);
    assert_int_equal(strlen(text()), 4096 + 2);
    assert_int_equal(bg.strings_cut, 2);

    for (i = 0; i < 150; i++)
        many[i] = log_str_from("y", 1);
    log_value_budget_init(&bg);
    fresh();
    log_value_tsv(&b, LOG_VEC_STRING, &l, &bg);
    assert_int_equal(strlen(text()), 100 * 2 - 1);
    assert_int_equal(bg.containers_cut, 1);
    assert_int_equal(bg.elements_left, LOG_VALUE_MAX_RECORD_ELEMENTS - 100);
    fresh();
    log_value_json(&b, LOG_VEC_STRING, &l, &bg);
    assert_int_equal(strlen(text()), 2 + 100 * 4 - 1);

    /* The per-record total cuts what the per-field cap would have let through. */
    log_value_budget_init(&bg);
    bg.string_left = 10;
    fresh();
    log_value_tsv(&b, LOG_STRING, &s, &bg);
    assert_string_equal(text(), "xxxxxxxxxx");
    assert_int_equal(bg.string_left, 0);
}

static void test_overflow_flag(void **state)
{
    char small[4];
    struct log_buf sb;

    log_buf_init(&sb, small, sizeof(small));
    log_value_str_tsv(&sb, "abcd", 4, false);
    assert_false(sb.overflow);
    log_value_str_tsv(&sb, "e", 1, false);
    assert_true(sb.overflow);
    assert_int_equal(sb.len, 4);
}

static void test_type_names(void **state)
{
    assert_string_equal(log_value_type_name(LOG_TIME), "time");
    assert_string_equal(log_value_type_name(LOG_INTERVAL), "interval");
    assert_string_equal(log_value_type_name(LOG_ENUM), "enum");
    assert_string_equal(log_value_type_name(LOG_SUBNET), "subnet");
    assert_string_equal(log_value_type_name(LOG_SET_STRING), "set[string]");
    assert_string_equal(log_value_type_name(LOG_SET_ENUM), "set[enum]");
    assert_string_equal(log_value_type_name(LOG_VEC_STRING), "vector[string]");
    assert_string_equal(log_value_type_name(LOG_VEC_ADDR), "vector[addr]");
    assert_string_equal(log_value_type_name(LOG_VEC_INTERVAL), "vector[interval]");
    assert_string_equal(log_value_type_name(LOG_VEC_COUNT), "vector[count]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_tsv),
        cmocka_unit_test(test_double_tsv),
        cmocka_unit_test(test_double_json),
        cmocka_unit_test(test_time_json),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_addr_subnet),
        cmocka_unit_test(test_string_tsv_escapes),
        cmocka_unit_test(test_string_json_escapes),
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_overflow_flag),
        cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
