/* tests/unit/learn/test_learn.c - logs in, policy out: what is learned, how it is grouped, that it loads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn/baseline.h"
#include "learn/learn.h"
#include "policy/policy.h"

#define CONN_HEAD                                                                                        \
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"         \
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tlocal_orig\tlocal_resp\n" \
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tbool\tbool\n"

static char dir[64];

static void put(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/test_learn_XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

/* Learns dir and returns the policy text (static), with *rules set. */
static const char *learn_dir(unsigned min_count, int *rules)
{
    static char *text;
    const char *paths[] = {dir};
    struct learn_policy_options o = {.min_count = min_count, .sources = paths, .n_sources = 1};
    struct learn *l = learn_create();
    char err[256];
    size_t len;
    FILE *out;

    free(text);
    text = NULL;
    out = open_memstream(&text, &len);
    assert_non_null(l);
    if (learn_read(l, paths, 1, err, sizeof(err)) != 0)
        fail_msg("learn_read: %s", err);
    *rules = learn_policy_write(l, &o, out, err, sizeof(err));
    fclose(out);
    if (*rules < 0)
        fail_msg("learn_policy_write: %s", err);
    learn_free(l);
    return text;
}

static struct policy *load(const char *text)
{
    struct policy_error e;
    struct policy *p = policy_load_buffer("learned.yaml", text, strlen(text), &e);

    if (p == NULL)
        fail_msg("%s:%u:%u: field '%s': %s\n%s", e.file, e.line, e.col, e.field, e.msg, text);
    return p;
}

static enum policy_action verdict(const struct policy *p, const char *src, const char *dst, uint16_t port,
                                  uint8_t proto, const char *svc, const char *domain, const char *process)
{
    struct policy_flow f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(addr_parse(&f.src, src), 0);
    assert_int_equal(addr_parse(&f.dst, dst), 0);
    f.dst_port = port;
    f.src_port = 40000;
    f.ip_proto = proto;
    f.dir = POLICY_DIR_OUTBOUND;
    f.app = baseline_app(svc, strlen(svc));
    f.domain = domain;
    f.domain_len = domain != NULL ? strlen(domain) : 0;
    f.process = process;
    f.has_uid = process != NULL;   /* as root */
    return policy_match(p, &f).action;
}

static const char conn_log[] = CONN_HEAD
    "100.0\tC1\t10.0.0.5\t40001\t93.184.216.10\t443\ttcp\tssl\tT\tF\n"
    "101.0\tC2\t10.0.0.5\t40002\t93.184.216.11\t443\ttcp\tssl\tT\tF\n"
    "102.0\tC3\t10.0.0.6\t40003\t93.184.216.12\t443\ttcp\tssl\tT\tF\n"
    "103.0\tC4\t10.0.0.6\t40004\t93.184.216.12\t8443\ttcp\tssl\tT\tF\n"
    "104.0\tC5\t10.0.0.5\t40005\t9.9.9.9\t53\tudp\tdns\tT\tF\n"
    "105.0\tC6\t10.0.0.6\t40006\t9.9.9.10\t53\tudp\tdns\tT\tF\n"
    "106.0\tC7\t10.0.9.9\t40007\t52.1.2.3\t9000\ttcp\t-\tT\tF\n"
    "107.0\tC8\t10.0.9.9\t40008\t52.1.2.3\t9001\ttcp\t-\tT\tF\n"
    "108.0\tC9\t10.0.9.9\t40009\t52.1.2.3\t9002\ttcp\t-\tT\tF\n"
    "109.0\tC10\t10.0.9.9\t0\t52.1.2.4\t0\ticmp\t-\tT\tF\n"
    "110.0\tC11\t10.0.0.5\t40011\t151.101.1.5\t443\ttcp\tssl\tT\tF\n"
    "111.0\tC12\t10.0.0.5\t40012\t140.82.112.3\t443\ttcp\tssl,http\tT\tF\n"
    "112.0\tC13\t52.1.2.3\t40013\t10.0.0.5\t22\ttcp\tssh\tF\tT\n"
    "113.0\tC14\t10.0.0.5\t40014\t10.0.0.6\t445\ttcp\t-\tT\tT\n"
    "114.0\tC15\t10.0.0.5\t40015\t34.1.1.1\t4789\tudp\tvxlan\tT\tF\n"
    "115.0\tC16\t10.0.7.7\t40016\t151.101.1.5\t443\ttcp\tssl\t-\t-\n";

/* ssl.log in JSON: formats may be mixed across a directory. */
static const char ssl_log[] =
    "{\"ts\":100.0,\"uid\":\"C1\",\"server_name\":\"A.Example.com.\"}\n"
    "{\"ts\":101.0,\"uid\":\"C2\",\"server_name\":\"b.example.com\"}\n"
    "{\"ts\":102.0,\"uid\":\"C3\",\"server_name\":\"c.example.com\"}\n"
    "{\"ts\":103.0,\"uid\":\"C4\",\"server_name\":\"c.example.com\"}\n"
    "{\"ts\":110.0,\"uid\":\"C11\",\"server_name\":\"151.101.1.5\"}\n"
    "{\"ts\":111.0,\"uid\":\"C12\",\"server_name\":\"github.com\"}\n"
    "{\"ts\":115.0,\"uid\":\"C16\",\"server_name\":\"x.y.fastly.net\"}\n";

static const char dns_log[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n"
    "#fields\tts\tuid\tquery\tanswers\n#types\ttime\tstring\tstring\tvector[string]\n"
    "99.0\tD1\tpartner.example.net\tcdn.partner.example.net,52.1.2.3\n";

static void test_learn_and_group(void **state)
{
    const char *text;
    struct policy *p;
    int rules;

    (void)state;
    put("conn.log", conn_log);
    put("ssl.log", ssl_log);
    put("dns.log", dns_log);
    text = learn_dir(1, &rules);
    p = load(text);
    assert_int_equal(rules, (int)policy_rule_count(p));
    /* 10.0.0.5 and .6 share a /24: ssl to three example.com names is a wildcard ("ssl,http" is
     * ssl); on 8443 only one name was seen. */
    assert_non_null(strstr(text, "    src: \"10.0.0.0/24\"\n    transport: tcp\n    app: ssl\n"
                                 "    domain: [\"*.example.com\", \"github.com\"]\n    dst_port: 443\n"));
    assert_non_null(strstr(text, "    app: ssl\n    domain: \"c.example.com\"\n    dst_port: 8443\n"));
    /* Local by the default private space when local_orig is unset; a name under a shared suffix
     * stays exact. */
    assert_non_null(strstr(text, "    src: \"10.0.7.7\"\n    transport: tcp\n    app: ssl\n"
                                 "    domain: \"x.y.fastly.net\"\n    dst_port: 443\n"));
    /* Two resolvers, one /24. */
    assert_non_null(strstr(text, "    app: dns\n    dst: \"9.9.9.0/24\"\n    dst_port: 53\n"));
    /* Unknown TCP on three consecutive ports: a range; the DNS name is evidence. */
    assert_non_null(strstr(text, "    src: \"10.0.9.9\"\n    transport: tcp\n    app: unknown\n"
                                 "    dst: \"52.1.2.3\"\n    dst_port: 9000-9002\n"));
    assert_non_null(strstr(text, "#   52.1.2.3: 3 flows, 1970-01-01T00:01:46Z to 1970-01-01T00:01:48Z "
                                 "(DNS: partner.example.net)\n"));
    /* icmp: no app, no port. */
    assert_non_null(strstr(text, "    transport: icmp\n    dst: \"52.1.2.4\"\n"));
    /* An SNI holding an address is no name: the rule is by address. */
    assert_non_null(strstr(text, "    dst: \"151.101.1.5\"\n    dst_port: 443\n"));
    /* A service the policy has no word for: no app condition. */
    assert_non_null(strstr(text, "    transport: udp\n    dst: \"34.1.1.1\"\n    dst_port: 4789\n"));
    assert_null(strstr(text, "inbound:  allow\n  - "));
    /* Inbound and internal flows are counted, not learned. */
    assert_non_null(strstr(text, "inbound 1, internal 1"));
    assert_null(strstr(text, "\"10.0.0.6\"\n    transport: tcp\n    app: unknown"));
    /* Every learned flow is allowed; near misses are not. */
    assert_int_equal(verdict(p, "10.0.0.5", "93.184.216.10", 443, 6, "ssl", "a.example.com", NULL), POLICY_ALLOW);
    assert_int_equal(verdict(p, "10.0.0.6", "1.2.3.4", 443, 6, "ssl", "new.example.com", NULL), POLICY_ALLOW);
    assert_int_equal(verdict(p, "10.0.0.6", "1.2.3.4", 8443, 6, "ssl", "c.example.com", NULL), POLICY_ALLOW);
    assert_int_equal(verdict(p, "10.0.0.6", "1.2.3.4", 8443, 6, "ssl", "a.example.com", NULL), POLICY_DENY);
    assert_int_equal(verdict(p, "10.0.0.5", "140.82.112.3", 443, 6, "ssl,http", "github.com", NULL), POLICY_ALLOW);
    assert_int_equal(verdict(p, "10.0.9.9", "52.1.2.3", 9001, 6, "", NULL, NULL), POLICY_ALLOW);
    assert_int_equal(verdict(p, "10.0.7.7", "151.101.1.5", 443, 6, "ssl", "x.y.fastly.net", NULL), POLICY_ALLOW);
    assert_int_equal(verdict(p, "10.0.0.5", "93.184.216.10", 443, 6, "ssl", "example.com", NULL), POLICY_DENY);
    assert_int_equal(verdict(p, "10.0.0.5", "93.184.216.10", 443, 6, "http", "a.example.com", NULL), POLICY_DENY);
    assert_int_equal(verdict(p, "10.0.1.5", "93.184.216.10", 443, 6, "ssl", "a.example.com", NULL), POLICY_DENY);
    assert_int_equal(verdict(p, "10.0.9.9", "52.1.2.3", 9003, 6, "", NULL, NULL), POLICY_DENY);
    assert_int_equal(verdict(p, "10.0.7.7", "151.101.1.5", 443, 6, "ssl", "z.y.fastly.net", NULL), POLICY_DENY);
    policy_free(p);
}

static void test_process(void **state)
{
    const char *text;
    struct policy *p;
    int rules;

    (void)state;
    put("conn.log", conn_log);
    put("ssl.log", ssl_log);
    put("policy.log",
        "#separator \\x09\n#fields\tts\tuid\tprocess\tuser\trule\taction\n"
        "#types\ttime\tstring\tstring\tstring\tstring\tenum\n"
        "100.0\tC1\t/usr/bin/curl\t0\tdefault\tallow\n"
        "101.0\tC2\t/usr/bin/curl\t0\tdefault\tallow\n"
        "102.0\tC3\t/opt/a*b/run\t-\tdefault\tallow\n"
        "103.0\tC4\t/opt/\\x01bad\t-\tdefault\tallow\n");
    text = learn_dir(1, &rules);
    p = load(text);
    /* The process rule: no source, the user as a uid; glob characters escaped. */
    assert_non_null(strstr(text, "    process: \"/usr/bin/curl\"\n    user: 0\n    transport: tcp\n    app: ssl\n"
                                 "    domain: [\"a.example.com\", \"b.example.com\"]\n"));
    assert_non_null(strstr(text, "    process: \"/opt/a\\\\*b/run\"\n    transport: tcp\n"));
    /* A process a policy cannot hold (a control character) counts as unknown: by source. */
    assert_non_null(strstr(text, "    src: \"10.0.0.0/24\"\n    transport: tcp\n    app: ssl\n"
                                 "    domain: \"c.example.com\"\n    dst_port: 8443\n"));
    assert_int_equal(verdict(p, "10.0.0.5", "1.1.1.1", 443, 6, "ssl", "b.example.com", "/usr/bin/curl"),
                     POLICY_ALLOW);
    assert_int_equal(verdict(p, "10.0.0.5", "1.1.1.1", 443, 6, "ssl", "b.example.com", "/usr/bin/wget"),
                     POLICY_DENY);
    assert_int_equal(verdict(p, "10.0.0.6", "1.1.1.1", 443, 6, "ssl", "c.example.com", "/opt/a*b/run"),
                     POLICY_ALLOW);
    assert_int_equal(verdict(p, "10.0.0.6", "1.1.1.1", 443, 6, "ssl", "c.example.com", "/opt/axb/run"),
                     POLICY_DENY);
    policy_free(p);
}

static void test_min_count(void **state)
{
    const char *text;
    struct policy *p;
    int rules;

    (void)state;
    put("conn.log", CONN_HEAD
        "100.0\tC1\t10.0.0.5\t40001\t9.9.9.9\t53\tudp\tdns\tT\tF\n"
        "101.0\tC2\t10.0.0.5\t40002\t9.9.9.9\t53\tudp\tdns\tT\tF\n"
        "102.0\tC3\t10.0.0.5\t40003\t9.9.9.9\t53\tudp\tdns\tT\tF\n"
        "103.0\tC4\t10.0.0.5\t40004\t1.1.1.1\t53\tudp\tdns\tT\tF\n"
        "104.0\tC5\t10.0.0.5\t0\t52.1.2.4\t0\ticmp\t-\tT\tF\n"
        "1970-01-01T00:01:45.5Z\tC6\t10.0.0.5\t40006\t9.9.9.9\t53\tudp\tdns\tT\tF\n"
        "yesterday\tC7\t10.0.0.5\t40007\t9.9.9.9\t53\tudp\tdns\tT\tF\n");
    text = learn_dir(3, &rules);
    p = load(text);
    assert_int_equal(rules, 1);
    assert_non_null(strstr(text, "    dst: \"9.9.9.9\"\n    dst_port: 53\n"));
    /* An ISO 8601 ts counts (4 flows, the last at 105.5); a ts that is neither is a bad row. */
    assert_non_null(strstr(text, "#   9.9.9.9: 4 flows, 1970-01-01T00:01:40Z to 1970-01-01T00:01:45Z\n"));
    assert_non_null(strstr(text, "lines not understood 1\n"));
    assert_non_null(strstr(text, "# Tuples seen fewer than 3 times are left out: 2 (listed at the end).\n"));
    assert_non_null(strstr(text, "# Left out, seen fewer times than --min-count:\n"
                                 "#   10.0.0.5 -> 1.1.1.1 udp/53 dns: 1 flow, first 1970-01-01T00:01:43Z\n"
                                 "#   10.0.0.5 -> 52.1.2.4 icmp/0 -: 1 flow, first 1970-01-01T00:01:44Z\n"));
    assert_int_equal(verdict(p, "10.0.0.5", "1.1.1.1", 53, 17, "dns", NULL, NULL), POLICY_DENY);
    policy_free(p);
}

static void test_errors(void **state)
{
    const char *paths[] = {dir};
    struct learn *l = learn_create();
    char err[256];

    (void)state;
    assert_int_equal(learn_read(l, paths, 1, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no conn.log in /tmp/test_learn_"));
    paths[0] = "/nonexistent/logs";
    assert_int_equal(learn_read(l, paths, 1, err, sizeof(err)), -1);
    assert_string_equal(err, "/nonexistent/logs: No such file or directory");
    learn_free(l);
}

static void test_empty(void **state)
{
    const char *text;
    int rules;

    (void)state;
    put("conn.log", CONN_HEAD);
    text = learn_dir(1, &rules);
    assert_int_equal(rules, 0);
    assert_non_null(strstr(text, "default: { outbound: deny, inbound: allow }\nrules: []\n"));
    policy_free(load(text));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_learn_and_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_min_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
