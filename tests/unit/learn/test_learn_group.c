/* tests/unit/learn/test_learn_group.c - wildcards only where safe, networks where addresses share one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "learn/learn_group.h"

/* Groups names and returns the patterns joined by spaces. */
static const char *group(const char *const *names, unsigned n)
{
    static char buf[4096];
    struct learn_pattern out[64];
    int k = learn_group_domains(names, n, out);
    size_t o = 0;

    assert_true(k >= 0 && k <= (int)n);
    buf[0] = '\0';
    for (int i = 0; i < k; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i > 0 ? " " : "", out[i].text);
    /* Whatever the grouping, every name is still matched. */
    for (unsigned j = 0; j < n; j++) {
        bool hit = false;

        for (int i = 0; i < k; i++)
            hit |= learn_group_pattern_match(out[i].text, names[j]);
        assert_true(hit);
    }
    return buf;
}

static void test_public_suffix(void **state)
{
    bool shared;
    const char *n;

    (void)state;
    n = "a.example.com";
    assert_int_equal(learn_group_public_suffix(n, strlen(n), &shared), 10);   /* "com" */
    assert_false(shared);
    n = "www.bbc.co.uk";
    assert_string_equal(n + learn_group_public_suffix(n, strlen(n), &shared), "co.uk");
    n = "bucket.s3.amazonaws.com";
    assert_string_equal(n + learn_group_public_suffix(n, strlen(n), &shared), "amazonaws.com");
    assert_true(shared);
    n = "localhost";
    assert_int_equal(learn_group_public_suffix(n, strlen(n), &shared), 0);
    /* Label boundaries: "notco.uk" is not under "co.uk". */
    n = "x.notco.uk";
    assert_string_equal(n + learn_group_public_suffix(n, strlen(n), &shared), "uk");
}

static void test_domain_norm(void **state)
{
    char out[LEARN_GROUP_NAME_MAX];

    (void)state;
    assert_int_equal(learn_group_domain_norm("WWW.Example.COM.", 16, out), 15);
    assert_string_equal(out, "www.example.com");
    assert_int_equal(learn_group_domain_norm("93.184.216.34", 13, out), 0);    /* an address */
    assert_int_equal(learn_group_domain_norm("2001:db8::1", 11, out), 0);
    assert_int_equal(learn_group_domain_norm("a..b", 4, out), 0);
    assert_int_equal(learn_group_domain_norm("a b.com", 7, out), 0);
    assert_int_equal(learn_group_domain_norm("", 0, out), 0);
    assert_int_equal(learn_group_domain_norm("_dmarc.x.org", 12, out), 12);
}

static void test_wildcard_safe(void **state)
{
    static const char *const three[] = {"a.example.com", "b.example.com", "c.example.com"};
    static const char *const two[] = {"a.example.com", "b.example.com"};
    static const char *const with_apex[] = {"example.com", "a.example.com", "b.example.com", "c.example.com",
                                            "other.org"};
    static const char *const deep[] = {"a.cdn.example.com", "b.cdn.example.com", "c.cdn.example.com",
                                       "www.example.com"};
    static const char *const deep_and_wide[] = {"a.cdn.example.com", "b.cdn.example.com", "c.cdn.example.com",
                                                "www.example.com", "mail.example.com", "api.example.com"};
    static const char *const co_uk[] = {"a.shop.co.uk", "b.shop.co.uk", "c.shop.co.uk"};
    static const char *const chain[] = {"api.example.com", "x.api.example.com", "y.api.example.com"};

    (void)state;
    assert_string_equal(group(three, 3), "*.example.com");
    assert_string_equal(group(two, 2), "a.example.com b.example.com");
    /* The wildcard does not match the apex: it stays listed. */
    assert_string_equal(group(with_apex, 5), "*.example.com example.com other.org");
    /* As deep as the names allow. */
    assert_string_equal(group(deep, 4), "*.cdn.example.com www.example.com");
    /* Three names left over under example.com: one wildcard covers all six. */
    assert_string_equal(group(deep_and_wide, 6), "*.example.com");
    assert_string_equal(group(co_uk, 3), "*.shop.co.uk");
    /* Two under api.example.com plus api itself: three under example.com. */
    assert_string_equal(group(chain, 3), "*.example.com");
}

static void test_wildcard_unsafe(void **state)
{
    static const char *const tld[] = {"a.com", "b.com", "c.com", "d.com"};
    static const char *const sld[] = {"x.co.uk", "y.co.uk", "z.co.uk"};
    static const char *const aws[] = {"a.s3.amazonaws.com", "b.s3.amazonaws.com", "c.s3.amazonaws.com",
                                      "ec2.us-east-1.amazonaws.com"};
    static const char *const oast[] = {"k1.oast.fun", "k2.oast.fun", "k3.oast.fun"};
    static const char *const gh[] = {"alice.github.io", "bob.github.io", "carol.github.io"};
    static const char *const single[] = {"localhost", "intranet", "wpad"};

    (void)state;
    /* Never a public suffix: *.com, *.co.uk. */
    assert_string_equal(group(tld, 4), "a.com b.com c.com d.com");
    assert_string_equal(group(sld, 3), "x.co.uk y.co.uk z.co.uk");
    /* Nothing under a shared suffix: every bucket or page belongs to someone else. */
    assert_string_equal(group(aws, 4),
                        "a.s3.amazonaws.com b.s3.amazonaws.com c.s3.amazonaws.com ec2.us-east-1.amazonaws.com");
    assert_string_equal(group(oast, 3), "k1.oast.fun k2.oast.fun k3.oast.fun");
    assert_string_equal(group(gh, 3), "alice.github.io bob.github.io carol.github.io");
    assert_string_equal(group(single, 3), "intranet localhost wpad");
}

static void test_pattern_match(void **state)
{
    (void)state;
    assert_true(learn_group_pattern_match("*.example.com", "a.example.com"));
    assert_true(learn_group_pattern_match("*.example.com", "a.b.example.com"));
    assert_false(learn_group_pattern_match("*.example.com", "example.com"));
    assert_false(learn_group_pattern_match("*.example.com", "badexample.com"));
    assert_true(learn_group_pattern_match("example.com", "example.com"));
}

static struct addr A(const char *s)
{
    struct addr a;

    assert_int_equal(addr_parse(&a, s), 0);
    return a;
}

static const char *nets(const char *const *in, unsigned n)
{
    static char buf[1024];
    struct addr a[16];
    struct learn_net out[16];
    unsigned k;
    size_t o = 0;

    for (unsigned i = 0; i < n; i++)
        a[i] = A(in[i]);
    k = learn_group_nets(a, n, out);
    buf[0] = '\0';
    for (unsigned i = 0; i < k; i++) {
        char t[64];

        learn_group_net_format(&out[i], t, sizeof(t));
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s(%u)", i > 0 ? " " : "", t, out[i].addrs);
    }
    for (unsigned j = 0; j < n; j++) {
        struct addr x = A(in[j]);
        bool hit = false;

        for (unsigned i = 0; i < k; i++)
            hit |= learn_group_net_match(&out[i], &x);
        assert_true(hit);
    }
    return buf;
}

static void test_networks(void **state)
{
    static const char *const v4[] = {"93.184.216.12", "93.184.216.10", "151.101.1.5", "93.184.217.1"};
    static const char *const v6[] = {"2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:3::1"};
    static const char *const mixed[] = {"::1", "10.0.0.1", "::2"};
    struct learn_net n;
    struct addr x;

    (void)state;
    assert_string_equal(nets(v4, 4), "93.184.216.0/24(2) 93.184.217.1(1) 151.101.1.5(1)");
    assert_string_equal(nets(v6, 3), "2001:db8:1:2::/64(2) 2001:db8:1:3::1(1)");
    /* IPv4 is kept as ::ffff:a.b.c.d, inside ::/64 byte-wise; it still never joins an IPv6 network. */
    assert_string_equal(nets(mixed, 3), "::/64(2) 10.0.0.1(1)");
    n.net = A("10.0.0.0");
    n.bits = 96 + 24;
    x = A("10.0.0.200");
    assert_true(learn_group_net_match(&n, &x));
    x = A("10.0.1.1");
    assert_false(learn_group_net_match(&n, &x));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_suffix),
        cmocka_unit_test(test_domain_norm),
        cmocka_unit_test(test_wildcard_safe),
        cmocka_unit_test(test_wildcard_unsafe),
        cmocka_unit_test(test_pattern_match),
        cmocka_unit_test(test_networks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
