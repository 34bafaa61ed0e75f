/* tests/unit/learn/test_baseline.c - the baseline check: verdicts, one report per tuple, the table's cap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "learn/baseline.h"

static const char policy_text[] =
    "default: { outbound: deny, inbound: allow }\n"
    "rules:\n"
    "  - { name: web, action: allow, direction: outbound, src: 10.0.0.0/24, transport: tcp, app: ssl,\n"
    "      domain: [\"*.example.com\"], dst_port: 443 }\n"
    "  - { name: dns, action: allow, direction: outbound, transport: udp, app: dns, dst: 9.9.9.9, dst_port: 53 }\n"
    "  - { name: no-rmi, action: deny, direction: outbound, app: rmi }\n";

static struct baseline *make(uint32_t cap)
{
    struct policy_error err;
    struct policy *p = policy_load_buffer("b.yaml", policy_text, strlen(policy_text), &err);
    struct baseline *b;

    if (p == NULL)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    b = baseline_create(p, cap);
    assert_non_null(b);
    return b;
}

/* tcp SRC:40000 -> DST:PORT with app and domain (NULL: none). */
static struct policy_flow flow(const char *src, const char *dst, uint16_t port, const char *app, const char *domain)
{
    struct policy_flow f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(addr_parse(&f.src, src), 0);
    assert_int_equal(addr_parse(&f.dst, dst), 0);
    f.src_port = 40000;
    f.dst_port = port;
    f.ip_proto = 6;
    f.dir = POLICY_DIR_OUTBOUND;
    f.app = baseline_app(app, strlen(app));
    f.domain = domain;
    f.domain_len = domain != NULL ? strlen(domain) : 0;
    return f;
}

static void test_app(void **state)
{
    (void)state;
    assert_int_equal(baseline_app("ssl", 3), policy_app_lookup("ssl", 3));
    assert_int_equal(baseline_app("", 0), POLICY_APP_UNKNOWN);
    assert_int_equal(baseline_app("-", 1), POLICY_APP_UNKNOWN);
    assert_int_equal(baseline_app("vxlan", 5), POLICY_APP_PENDING);
    assert_int_equal(baseline_app("gtpv1,http", 10), policy_app_lookup("http", 4));
}

static void test_verdicts_and_dedupe(void **state)
{
    struct baseline *b = make(0);
    struct policy_flow f;

    (void)state;
    f = flow("10.0.0.5", "93.184.216.10", 443, "ssl", "a.example.com");
    assert_int_equal(baseline_check(b, &f), BASELINE_ALLOWED);
    f = flow("10.0.0.5", "45.33.32.156", 443, "ssl", "update.evil-cdn.net");
    assert_int_equal(baseline_check(b, &f), BASELINE_NEW);
    /* Another connection to the same name, from another port or to another address: the same tuple. */
    f.src_port = 40001;
    assert_int_equal(baseline_check(b, &f), BASELINE_REPEAT);
    assert_int_equal(addr_parse(&f.dst, "45.33.32.157"), 0);
    assert_int_equal(baseline_check(b, &f), BASELINE_REPEAT);
    /* Names compare without case or a trailing dot. */
    f.domain = "UPDATE.evil-cdn.net.";
    f.domain_len = strlen(f.domain);
    assert_int_equal(baseline_check(b, &f), BASELINE_REPEAT);
    /* Another port, another app, another source host: new tuples. */
    f = flow("10.0.0.5", "45.33.32.156", 8443, "ssl", "update.evil-cdn.net");
    assert_int_equal(baseline_check(b, &f), BASELINE_NEW);
    f = flow("10.0.0.5", "45.33.32.156", 443, "http", "update.evil-cdn.net");
    assert_int_equal(baseline_check(b, &f), BASELINE_NEW);
    f = flow("10.0.0.6", "45.33.32.156", 443, "ssl", "update.evil-cdn.net");
    assert_int_equal(baseline_check(b, &f), BASELINE_NEW);
    /* Without a name, the destination address is the tuple's. */
    f = flow("10.0.0.5", "52.1.2.3", 9000, "", NULL);
    assert_int_equal(baseline_check(b, &f), BASELINE_NEW);
    f = flow("10.0.0.5", "52.1.2.3", 9000, "", "52.1.2.3");   /* a Host header holding an address */
    assert_int_equal(baseline_check(b, &f), BASELINE_REPEAT);
    f = flow("10.0.0.5", "52.1.2.4", 9000, "", NULL);
    assert_int_equal(baseline_check(b, &f), BASELINE_NEW);
    /* A deny rule is outside the baseline as much as the default is. */
    f = flow("10.0.0.5", "9.9.9.9", 53, "rmi", NULL);
    assert_int_equal(baseline_check(b, &f), BASELINE_NEW);
    /* Inbound flows are not checked. */
    f = flow("52.1.2.3", "10.0.0.5", 22, "ssh", NULL);
    f.dir = POLICY_DIR_INBOUND;
    assert_int_equal(baseline_check(b, &f), BASELINE_ALLOWED);
    assert_int_equal(baseline_stats(b)->checked, 12);
    assert_int_equal(baseline_stats(b)->outside, 11);
    assert_int_equal(baseline_stats(b)->reported, 7);
    assert_int_equal(baseline_tuples(b), 7);
    assert_int_equal(baseline_stats(b)->forgotten, 0);
    baseline_free(b);
}

/* A reloaded policy decides from the next flow on; tuples reported under the old one stay reported. */
static void test_set_policy(void **state)
{
    static const char narrower[] = "default: { outbound: deny, inbound: allow }\nrules: []\n";
    struct baseline *b = make(0);
    struct policy_error err;
    struct policy *p;
    struct policy_flow web, evil;

    (void)state;
    web = flow("10.0.0.5", "93.184.216.10", 443, "ssl", "a.example.com");
    evil = flow("10.0.0.5", "45.33.32.156", 443, "ssl", "update.evil-cdn.net");
    assert_int_equal(baseline_check(b, &web), BASELINE_ALLOWED);
    assert_int_equal(baseline_check(b, &evil), BASELINE_NEW);
    p = policy_load_buffer("narrow.yaml", narrower, strlen(narrower), &err);
    if (p == NULL)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    baseline_set_policy(b, p);
    assert_int_equal(baseline_check(b, &web), BASELINE_NEW);
    assert_int_equal(baseline_check(b, &web), BASELINE_REPEAT);
    assert_int_equal(baseline_check(b, &evil), BASELINE_REPEAT);
    assert_int_equal(baseline_tuples(b), 2);
    baseline_free(b);
}

static void test_cap(void **state)
{
    struct baseline *b = make(2);
    struct policy_flow t1 = flow("10.0.0.5", "1.1.1.1", 1, "", NULL);
    struct policy_flow t2 = flow("10.0.0.5", "1.1.1.2", 1, "", NULL);
    struct policy_flow t3 = flow("10.0.0.5", "1.1.1.3", 1, "", NULL);

    (void)state;
    assert_int_equal(baseline_check(b, &t1), BASELINE_NEW);
    assert_int_equal(baseline_check(b, &t2), BASELINE_NEW);
    assert_int_equal(baseline_check(b, &t1), BASELINE_REPEAT);   /* t2 is now the least recent */
    assert_int_equal(baseline_check(b, &t3), BASELINE_NEW);      /* full: t2 is forgotten */
    assert_int_equal(baseline_tuples(b), 2);
    assert_int_equal(baseline_stats(b)->forgotten, 1);
    assert_int_equal(baseline_check(b, &t1), BASELINE_REPEAT);
    assert_int_equal(baseline_check(b, &t3), BASELINE_REPEAT);
    assert_int_equal(baseline_check(b, &t2), BASELINE_NEW);      /* reported again; t1 forgotten */
    assert_int_equal(baseline_check(b, &t3), BASELINE_REPEAT);
    assert_int_equal(baseline_check(b, &t1), BASELINE_NEW);
    assert_int_equal(baseline_stats(b)->forgotten, 3);
    assert_int_equal(baseline_tuples(b), 2);
    baseline_free(b);
}

/* Many tuples through a small table: the bucket chains and the recency list stay consistent. */
static void test_cap_churn(void **state)
{
    struct baseline *b = make(64);
    struct policy_flow f = flow("10.0.0.5", "1.1.1.1", 1, "", NULL);
    unsigned news = 0;

    (void)state;
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 1000; i++) {
            f.dst.b[14] = (uint8_t)(i >> 8);
            f.dst.b[15] = (uint8_t)i;
            news += baseline_check(b, &f) == BASELINE_NEW;
        }
    }
    /* Every tuple was forgotten before its next turn came. */
    assert_int_equal(news, 3000);
    for (unsigned i = 936; i < 1000; i++) {
        f.dst.b[14] = (uint8_t)(i >> 8);
        f.dst.b[15] = (uint8_t)i;
        assert_int_equal(baseline_check(b, &f), BASELINE_REPEAT);
    }
    assert_int_equal(baseline_stats(b)->forgotten, 3000 - 64);
    baseline_free(b);
}

static void test_tuple_text(void **state)
{
    struct policy_flow f = flow("10.0.0.6", "45.33.32.156", 443, "ssl", "Update.Evil-CDN.net");
    char buf[256];

    (void)state;
    assert_int_equal(baseline_tuple_text(&f, buf, sizeof(buf)), strlen("10.0.0.6 -> update.evil-cdn.net tcp/443 ssl"));
    assert_string_equal(buf, "10.0.0.6 -> update.evil-cdn.net tcp/443 ssl");
    f = flow("10.0.0.6", "45.33.32.156", 0, "", NULL);
    f.ip_proto = 1;
    baseline_tuple_text(&f, buf, sizeof(buf));
    assert_string_equal(buf, "10.0.0.6 -> 45.33.32.156 icmp unknown");
    f = flow("10.0.0.6", "45.33.32.156", 4789, "vxlan", NULL);
    f.ip_proto = 17;
    baseline_tuple_text(&f, buf, sizeof(buf));
    assert_string_equal(buf, "10.0.0.6 -> 45.33.32.156 udp/4789 other");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app),
        cmocka_unit_test(test_verdicts_and_dedupe),
        cmocka_unit_test(test_set_policy),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_cap_churn),
        cmocka_unit_test(test_tuple_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
