/* tests/unit/policy/test_policy.c - policy loading, every error form with its position, and matching. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy.h"

static const char issue_example[] =
    "default: { outbound: deny, inbound: allow }\n"
    "rules:\n"
    "  - { name: no-jndi-callbacks, action: deny, direction: outbound, app: [ldap, rmi, iiop] }\n"
    "  - { name: dns-to-vpc-resolver, action: allow, app: dns, dst: 169.254.169.253 }\n"
    "  - { name: updates, action: allow, app: [tls, http], domain: [deb.debian.org, \"*.amazonaws.com\"] }\n"
    "  - { name: java-no-raw-tcp, action: deny, process: /usr/lib/jvm/*/bin/java, app: unknown }\n"
    "dns_firewall: { deny_domains: [\"*.dnslog.cn\", \"*.interact.sh\"], answer: nxdomain }\n"
    "dynamic_block: { from_attempts: true, ttl: 1h }\n";

#define DEFAULTS "default: {outbound: deny, inbound: allow}\n"

static struct policy *load(const char *yaml)
{
    struct policy_error err;
    struct policy *p = policy_load_buffer("t.yaml", yaml, strlen(yaml), &err);

    if (p == NULL)
        fail_msg("%s:%u:%u: field '%s': %s", err.file, err.line, err.col, err.field, err.msg);
    return p;
}

static uint8_t app(const char *name)
{
    return policy_app_lookup(name, strlen(name));
}

/* A TCP flow outbound from 10.0.0.5:43210; tests change what they need. */
static struct policy_flow flow(const char *dst, uint16_t dport)
{
    struct policy_flow f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(addr_parse(&f.src, "10.0.0.5"), 0);
    assert_int_equal(addr_parse(&f.dst, dst), 0);
    f.src_port = 43210;
    f.dst_port = dport;
    f.ip_proto = 6;
    f.dir = POLICY_DIR_OUTBOUND;
    f.app = POLICY_APP_UNKNOWN;
    return f;
}

static void set_domain(struct policy_flow *f, const char *d)
{
    f->domain = d;
    f->domain_len = d != NULL ? strlen(d) : 0;
}

/* rule index that decides f (-1: the default), and its action. */
static int decide(const struct policy *p, const struct policy_flow *f, enum policy_action *a)
{
    struct policy_verdict v = policy_match(p, f);

    if (a != NULL)
        *a = v.action;
    return v.rule;
}

/* ---- loading ---- */

static void test_load_issue_example(void **state)
{
    struct policy *p = load(issue_example);
    const struct policy_settings *st = policy_settings(p);

    (void)state;
    assert_int_equal(policy_rule_count(p), 4);
    assert_string_equal(policy_rule_name(p, 0), "no-jndi-callbacks");
    assert_string_equal(policy_rule_name(p, 3), "java-no-raw-tcp");
    assert_int_equal(policy_rule_line(p, 0), 3);
    assert_int_equal(policy_rule_line(p, 3), 6);
    assert_int_equal(policy_rule_action(p, 1), POLICY_ALLOW);
    assert_int_equal(policy_rule_action(p, 3), POLICY_DENY);
    assert_int_equal(policy_rule_direction(p, 0), POLICY_RULE_DIR_OUTBOUND);
    assert_int_equal(policy_rule_direction(p, 1), POLICY_RULE_DIR_ANY);
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_APP), "ldap, rmi, iiop");
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_DIRECTION), "outbound");
    assert_null(policy_rule_cond_text(p, 1, POLICY_COND_DIRECTION));
    assert_string_equal(policy_rule_cond_text(p, 2, POLICY_COND_DOMAIN), "deb.debian.org, *.amazonaws.com");
    assert_string_equal(policy_rule_cond_text(p, 1, POLICY_COND_DST), "169.254.169.253");
    assert_null(policy_rule_cond_text(p, 1, POLICY_COND_SRC));
    assert_int_equal(st->default_action[POLICY_DIR_OUTBOUND], POLICY_DENY);
    assert_int_equal(st->default_action[POLICY_DIR_INBOUND], POLICY_ALLOW);
    assert_int_equal(st->n_dns_deny, 2);
    assert_int_equal(st->dns_answer, POLICY_DNS_NXDOMAIN);
    assert_true(st->block_from_attempts);
    assert_int_equal(st->block_ttl_s, 3600);
    assert_int_equal(st->on_failure, POLICY_FAIL_OPEN);
    assert_int_equal(st->hold_bytes, POLICY_DEFAULT_HOLD_BYTES);
    assert_int_equal(st->hold_packets, POLICY_DEFAULT_HOLD_PACKETS);
    assert_int_equal(st->hold_ms, POLICY_DEFAULT_HOLD_MS);
    policy_free(p);
}

static void test_load_every_key(void **state)
{
    struct policy *p = load("# every rule key, block style\n"
                            "default:\n"
                            "  outbound: alert\n"
                            "  inbound: deny\n"
                            "rules:\n"
                            "  - name: r1\n"
                            "    action: allow\n"
                            "    direction: any\n"
                            "    transport: [tcp, udp]\n"
                            "    app: ssh\n"
                            "    domain: example.com.\n"
                            "    dst: [192.0.2.0/24, \"2001:db8::/32\"]\n"
                            "    src: 10.0.0.5\n"
                            "    dst_port: [22, 2200-2299]\n"
                            "    src_port: 1024-65535\n"
                            "    process: [/usr/bin/ssh, /opt/*/ssh]\n"
                            "    user: [root, 1000]\n"
                            "  - name: r2\n"
                            "    action: deny\n");
    struct policy_flow f = flow("2001:db8::22", 2222);

    (void)state;
    assert_int_equal(policy_rule_count(p), 2);
    assert_int_equal(policy_rule_line(p, 0), 6);
    assert_int_equal(policy_rule_line(p, 1), 18);
    assert_int_equal(policy_rule_direction(p, 0), POLICY_RULE_DIR_ANY);
    assert_null(policy_rule_cond_text(p, 0, POLICY_COND_DIRECTION));
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_TRANSPORT), "tcp, udp");
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_DST), "192.0.2.0/24, 2001:db8::/32");
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_DST_PORT), "22, 2200-2299");
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_SRC_PORT), "1024-65535");
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_PROCESS), "/usr/bin/ssh, /opt/*/ssh");
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_USER), "root, 1000");
    assert_string_equal(policy_rule_cond_text(p, 0, POLICY_COND_DOMAIN), "example.com.");
    assert_null(policy_rule_cond_text(p, 0, POLICY_COND_NONE));
    assert_null(policy_rule_cond_text(p, 0, POLICY_COND_COUNT));
    assert_null(policy_rule_cond_text(p, 1, POLICY_COND_APP));
    /* every condition holds */
    f.app = app("ssh");
    set_domain(&f, "EXAMPLE.com");
    f.process = "/opt/x/ssh";
    f.has_uid = true;
    f.uid = 1000;
    f.dir = POLICY_DIR_INBOUND;
    assert_int_equal(policy_match_rule(p, 0, &f), POLICY_COND_NONE);
    assert_int_equal(decide(p, &f, NULL), 0);
    /* and each one, broken alone, is the one reported */
    f.src_port = 1023;
    assert_int_equal(policy_match_rule(p, 0, &f), POLICY_COND_SRC_PORT);
    f.src_port = 43210;
    addr_parse(&f.src, "10.0.0.6");
    assert_int_equal(policy_match_rule(p, 0, &f), POLICY_COND_SRC);
    addr_parse(&f.src, "10.0.0.5");
    f.app = app("ssl");
    assert_int_equal(policy_match_rule(p, 0, &f), POLICY_COND_APP);
    assert_int_equal(decide(p, &f, NULL), 1);
    policy_free(p);
}

static void test_load_settings(void **state)
{
    struct policy *p = load(DEFAULTS "rules: []\n"
                                     "dns_firewall:\n"
                                     "  deny_domains: [evil.example, \"*.dnslog.cn.\"]\n"
                                     "  answer: sinkhole\n"
                                     "  sinkhole: [\"2001:db8::53\", 192.0.2.53]\n"
                                     "dynamic_block: {ttl: 10m}\n"
                                     "on_failure: fail-closed\n"
                                     "identification: {hold_bytes: 16384, hold_packets: 3, hold_ms: 100}\n");
    const struct policy_settings *st = policy_settings(p);
    struct addr a;

    (void)state;
    assert_int_equal(policy_rule_count(p), 0);
    assert_int_equal(st->dns_answer, POLICY_DNS_SINKHOLE);
    assert_true(st->has_sinkhole4 && st->has_sinkhole6);
    addr_parse(&a, "192.0.2.53");
    assert_int_equal(addr_cmp(&st->sinkhole4, &a), 0);
    addr_parse(&a, "2001:db8::53");
    assert_int_equal(addr_cmp(&st->sinkhole6, &a), 0);
    assert_false(st->block_from_attempts);
    assert_int_equal(st->block_ttl_s, 600);
    assert_int_equal(st->on_failure, POLICY_FAIL_CLOSED);
    assert_int_equal(st->hold_bytes, 16384);
    assert_int_equal(st->hold_packets, 3);
    assert_int_equal(st->hold_ms, 100);
    assert_int_equal(st->default_action[POLICY_DIR_INBOUND], POLICY_ALLOW);
    policy_free(p);

    p = load(DEFAULTS "dynamic_block: {ttl: 30s}\n");
    assert_int_equal(policy_settings(p)->block_ttl_s, 30);
    policy_free(p);
    p = load(DEFAULTS "dynamic_block: {ttl: 30d}\n");
    assert_int_equal(policy_settings(p)->block_ttl_s, 30 * 86400);
    policy_free(p);
}

static void test_load_file(void **state)
{
    char path[] = "/tmp/test_policy_XXXXXX";
    int fd = mkstemp(path);
    struct policy_error err;
    struct policy *p;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, issue_example, strlen(issue_example)), (ssize_t)strlen(issue_example));
    close(fd);
    p = policy_load_file(path, &err);
    assert_non_null(p);
    assert_int_equal(policy_rule_count(p), 4);
    policy_free(p);
    unlink(path);

    assert_null(policy_load_file(path, &err));
    assert_ptr_equal(err.file, path);
    assert_int_equal(err.line, 0);
    assert_string_equal(err.field, "");
    assert_string_equal(err.msg, "cannot open: No such file or directory");
    policy_free(NULL);
}

/* ---- every error form, with its exact position ---- */

struct bad {
    const char *yaml;
    unsigned    line, col;
    const char *field;
    const char *msg;
};

static const struct bad bad_files[] = {
    /* the file and its YAML */
    {"", 1, 1, "", "the file is empty: a policy needs at least 'default'"},
    {"# nothing but a comment\n", 1, 1, "", "the file is empty: a policy needs at least 'default'"},
    {"- a\n- b\n", 1, 1, "", "expected a mapping with keys default, rules, ... at the top level"},
    {"default: {outbound: deny, inbound: allow\n", 2, 1, "",
     "YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 1)"},
    {DEFAULTS "rules:\n  - name: a\n   action: deny\n", 4, 4, "",
     "YAML: did not find expected '-' indicator (while parsing a block collection at line 3)"},
    {DEFAULTS "rules: [\"\xff\"]\n", 2, 10, "", "YAML: invalid leading UTF-8 octet"},
    {"default: &d {outbound: deny, inbound: allow}\nrules: *d\n", 2, 8, "",
     "YAML aliases are not supported: write the value out"},
    {DEFAULTS "---\n" DEFAULTS, 2, 1, "", "a second YAML document: a policy file holds one"},
    /* keys */
    {"rules: []\n", 1, 1, "default", "required key is missing"},
    {DEFAULTS "rule: []\n", 2, 1, "rule",
     "unknown key; expected one of: default, rules, dns_firewall, dynamic_block, on_failure, identification"},
    {DEFAULTS DEFAULTS, 2, 1, "default", "duplicate key (first at line 1)"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, aap: ldap}\n", 3, 29, "rules[0].aap",
     "unknown key; expected one of: name, action, direction, transport, app, domain, dst, src, dst_port, "
     "src_port, process, user"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, \"x\\ty\": 1}\n", 3, 29, "rules[0].x?y",
     "unknown key; expected one of: name, action, direction, transport, app, domain, dst, src, dst_port, "
     "src_port, process, user"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, [x]: 1}\n", 3, 29, "rules[0]",
     "a key must be a plain name, not a list"},
    {DEFAULTS "rules:\n  - name: a\n    action: deny\n    app: ssh\n    app: dns\n", 6, 5, "rules[0].app",
     "duplicate key (first at line 5)"},
    {"default: {outbound: deny}\n", 1, 10, "default.inbound", "required key is missing"},
    {DEFAULTS "rules:\n  - action: deny\n", 3, 5, "rules[0].name", "required key is missing"},
    {DEFAULTS "rules:\n  - {name: a}\n", 3, 5, "rules[0].action", "required key is missing"},
    /* shapes */
    {"default: deny\n", 1, 10, "default", "expected a mapping with keys outbound and inbound"},
    {DEFAULTS "rules: deny\n", 2, 8, "rules", "expected a list of rules (write [] for none)"},
    {DEFAULTS "rules:\n", 2, 7, "rules", "missing value: expected a list of rules (write [] for none)"},
    {DEFAULTS "rules:\n  - deny\n", 3, 5, "rules[0]", "expected a rule: a mapping with name, action and conditions"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, app: []}\n", 3, 34, "rules[0].app",
     "empty list: list at least one, or leave the key out"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, app: }\n", 3, 34, "rules[0].app",
     "missing value: expected an application name or a list of them"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, app: {x: 1}}\n", 3, 34, "rules[0].app",
     "expected an application name or a list of them, got a mapping"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, app: [[ldap]]}\n", 3, 35, "rules[0].app[0]",
     "expected an application name, got a list"},
    {DEFAULTS "rules:\n  - {name: [a], action: deny}\n", 3, 12, "rules[0].name", "expected a rule name, got a list"},
    {DEFAULTS "rules:\n  - {name: \"a\\tb\", action: deny}\n", 3, 12, "rules[0].name", "control character in value"},
    /* values */
    {"default: {outbound: drop, inbound: allow}\n", 1, 21, "default.outbound",
     "expected allow, deny or alert, got 'drop'"},
    {DEFAULTS "rules:\n  - {name: \"a b\", action: deny}\n", 3, 12, "rules[0].name",
     "a rule name is 1 to 64 letters, digits, '-', '_' or '.'; got 'a b'"},
    {DEFAULTS "rules:\n  - {name: default, action: deny}\n", 3, 12, "rules[0].name",
     "'default' is reserved: policy.log names the default verdict so"},
    {DEFAULTS "rules:\n  - {name: a, action: deny}\n  - {name: b, action: deny}\n  - {name: a, action: allow}\n", 5,
     12, "rules[2].name", "duplicate rule name 'a' (first at line 3)"},
    {DEFAULTS "rules:\n  - {name: a, action: Deny}\n", 3, 23, "rules[0].action",
     "expected allow, deny or alert, got 'Deny'"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, direction: egress}\n", 3, 40, "rules[0].direction",
     "expected outbound, inbound or any, got 'egress'"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, transport: [tcp, sctp]}\n", 3, 46, "rules[0].transport[1]",
     "expected tcp, udp or icmp, got 'sctp'"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, app: [ldap, ldapp]}\n", 3, 41, "rules[0].app[1]",
     "unknown application 'ldapp' (see the list in docs/policy.md)"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, dst: [10.0.0.0/8, 10.0.0.1/33]}\n", 3, 47, "rules[0].dst[1]",
     "'10.0.0.1/33': the prefix length must be a number from 0 to 32"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, dst: \"2001:db8::/129\"}\n", 3, 34, "rules[0].dst",
     "'2001:db8::/129': the prefix length must be a number from 0 to 128"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, src: 10.0.0.5/8}\n", 3, 34, "rules[0].src",
     "host bits are set; did you mean 10.0.0.0/8?"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, dst: \"2001:db8::1/32\"}\n", 3, 34, "rules[0].dst",
     "host bits are set; did you mean 2001:db8::/32?"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, dst: 10.0.0.256}\n", 3, 34, "rules[0].dst",
     "'10.0.0.256' is not an IPv4 or IPv6 address"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, dst: /8}\n", 3, 34, "rules[0].dst",
     "expected an address or CIDR, like 10.0.0.0/8 or 2001:db8::/32"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, dst_port: 2000-1000}\n", 3, 39, "rules[0].dst_port",
     "port range 2000-1000 is reversed"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, src_port: [80, 70000]}\n", 3, 44, "rules[0].src_port[1]",
     "expected a port (0-65535) or a range LOW-HIGH, like 443 or 8000-8999"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, dst_port: \"80-\"}\n", 3, 39, "rules[0].dst_port",
     "expected a port (0-65535) or a range LOW-HIGH, like 443 or 8000-8999"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, domain: \"foo.*.com\"}\n", 3, 37, "rules[0].domain",
     "'*' may only be the whole first label, as in *.example.com"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, domain: \"*\"}\n", 3, 37, "rules[0].domain",
     "'*' may only be the whole first label, as in *.example.com"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, domain: a..com}\n", 3, 37, "rules[0].domain",
     "the domain name has an empty label (two dots in a row, or a leading dot)"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, domain: \"a b.com\"}\n", 3, 37, "rules[0].domain",
     "a domain name holds letters, digits, '-', '_' and dots"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, domain: "
              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com}\n",
     3, 37, "rules[0].domain", "a label of the domain name is longer than 63 characters"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, process: java}\n", 3, 38, "rules[0].process",
     "expected an absolute executable path or glob, like /usr/bin/curl or /usr/lib/jvm/*/bin/java; got 'java'"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, user: no-such-user-here}\n", 3, 35, "rules[0].user",
     "no user 'no-such-user-here' on this host (write the numeric uid to check a policy for another host)"},
    {DEFAULTS "rules:\n  - {name: a, action: deny, user: \"a/b\"}\n", 3, 35, "rules[0].user",
     "expected a user name or a numeric uid"},
    {DEFAULTS "dns_firewall: {answer: nxdomain}\n", 2, 15, "dns_firewall.deny_domains", "required key is missing"},
    {DEFAULTS "dns_firewall: {deny_domains: x.com, answer: refuse}\n", 2, 45, "dns_firewall.answer",
     "expected nxdomain, nodata or sinkhole, got 'refuse'"},
    {DEFAULTS "dns_firewall: {deny_domains: x.com, answer: sinkhole}\n", 2, 15, "dns_firewall.sinkhole",
     "required when answer is sinkhole"},
    {DEFAULTS "dns_firewall: {deny_domains: x.com, sinkhole: 192.0.2.1}\n", 2, 47, "dns_firewall.sinkhole",
     "only used with answer: sinkhole"},
    {DEFAULTS "dns_firewall: {deny_domains: x.com, answer: sinkhole, sinkhole: [192.0.2.1, 192.0.2.2]}\n", 2, 77,
     "dns_firewall.sinkhole[1]", "a second IPv4 address: give at most one IPv4 and one IPv6 address"},
    {DEFAULTS "dns_firewall: {deny_domains: x.com, answer: sinkhole, sinkhole: 192.0.2.0/24}\n", 2, 65,
     "dns_firewall.sinkhole", "expected an IPv4 or IPv6 address, got '192.0.2.0/24'"},
    {DEFAULTS "dns_firewall: {deny_domains: [ok.com, \"*.\"]}\n", 2, 39, "dns_firewall.deny_domains[1]",
     "'*' may only be the whole first label, as in *.example.com"},
    {DEFAULTS "dynamic_block: {from_attempts: yes}\n", 2, 32, "dynamic_block.from_attempts",
     "expected true or false, got 'yes'"},
    {DEFAULTS "dynamic_block: {ttl: 90}\n", 2, 22, "dynamic_block.ttl",
     "expected a duration from 1s to 30d, like 30s, 10m, 1h or 1d"},
    {DEFAULTS "dynamic_block: {ttl: 0s}\n", 2, 22, "dynamic_block.ttl",
     "expected a duration from 1s to 30d, like 30s, 10m, 1h or 1d"},
    {DEFAULTS "dynamic_block: {ttl: 31d}\n", 2, 22, "dynamic_block.ttl",
     "expected a duration from 1s to 30d, like 30s, 10m, 1h or 1d"},
    {DEFAULTS "on_failure: fail-safe\n", 2, 13, "on_failure", "expected fail-open or fail-closed, got 'fail-safe'"},
    {DEFAULTS "identification: {hold_bytes: 0}\n", 2, 30, "identification.hold_bytes",
     "expected a number from 1 to 1048576, got '0'"},
    {DEFAULTS "identification: {hold_packets: 1001}\n", 2, 32, "identification.hold_packets",
     "expected a number from 1 to 1000, got '1001'"},
    {DEFAULTS "identification: {hold_ms: 0x10}\n", 2, 27, "identification.hold_ms",
     "expected a number from 1 to 60000, got '0x10'"},
    {DEFAULTS "identification: {hold_time: 5}\n", 2, 18, "identification.hold_time",
     "unknown key; expected one of: hold_bytes, hold_packets, hold_ms"},
};

static void test_errors(void **state)
{
    unsigned wrong = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
        const struct bad *b = &bad_files[i];
        struct policy_error err;
        struct policy *p = policy_load_buffer("bad.yaml", b->yaml, strlen(b->yaml), &err);

        if (p != NULL) {
            print_message("case %zu loaded: %s\n", i, b->yaml);
            policy_free(p);
            wrong++;
            continue;
        }
        if (err.line != b->line || err.col != b->col || strcmp(err.field, b->field) != 0 ||
            strcmp(err.msg, b->msg) != 0) {
            print_message("case %zu: got %u:%u field '%s': %s\n          want %u:%u field '%s': %s\n", i, err.line,
                          err.col, err.field, err.msg, b->line, b->col, b->field, b->msg);
            wrong++;
        }
        assert_string_equal(err.file, "bad.yaml");
    }
    assert_int_equal(wrong, 0);
}

static void test_error_big_file(void **state)
{
    size_t len = (4u << 20) + 1;
    char *big = malloc(len);
    struct policy_error err;

    (void)state;
    assert_non_null(big);
    memset(big, '#', len);
    assert_null(policy_load_buffer("big.yaml", big, len, &err));
    assert_int_equal(err.line, 0);
    assert_string_equal(err.msg, "larger than 4 MiB: not a policy file");
    free(big);
}

/* ---- matching ---- */

static void test_first_match_and_defaults(void **state)
{
    struct policy *p = load("default: {outbound: deny, inbound: allow}\n"
                            "rules:\n"
                            "  - {name: web-alert, action: alert, dst_port: 80}\n"
                            "  - {name: web, action: allow, dst_port: [80, 443]}\n"
                            "  - {name: in-ssh, action: deny, direction: inbound, dst_port: 22}\n"
                            "  - {name: out-ssh, action: allow, direction: outbound, dst_port: 22}\n");
    struct policy_flow f = flow("203.0.113.9", 80);
    enum policy_action a;

    (void)state;
    assert_int_equal(decide(p, &f, &a), 0); /* alert is terminal too: first match wins */
    assert_int_equal(a, POLICY_ALERT);
    f.dst_port = 443;
    assert_int_equal(decide(p, &f, &a), 1);
    assert_int_equal(a, POLICY_ALLOW);
    f.dst_port = 22;
    assert_int_equal(decide(p, &f, &a), 3);
    assert_int_equal(a, POLICY_ALLOW);
    f.dir = POLICY_DIR_INBOUND;
    assert_int_equal(decide(p, &f, &a), 2);
    assert_int_equal(a, POLICY_DENY);
    f.dst_port = 23;
    assert_int_equal(decide(p, &f, &a), -1);
    assert_int_equal(a, POLICY_ALLOW);
    f.dir = POLICY_DIR_OUTBOUND;
    assert_int_equal(decide(p, &f, &a), -1);
    assert_int_equal(a, POLICY_DENY);
    policy_free(p);

    p = load("default: {outbound: alert, inbound: deny}\n");
    assert_int_equal(policy_rule_count(p), 0);
    assert_int_equal(decide(p, &f, &a), -1);
    assert_int_equal(a, POLICY_ALERT);
    f.dir = POLICY_DIR_INBOUND;
    assert_int_equal(decide(p, &f, &a), -1);
    assert_int_equal(a, POLICY_DENY);
    policy_free(p);
}

static void test_cidr_v4(void **state)
{
    struct policy *p = load(DEFAULTS "rules:\n"
                                     "  - {name: host, action: allow, dst: 192.0.2.7}\n"
                                     "  - {name: net8, action: allow, dst: 10.0.0.0/8}\n"
                                     "  - {name: half, action: allow, dst: 198.51.100.128/25}\n"
                                     "  - {name: all4, action: alert, dst: 0.0.0.0/0}\n");
    static const struct {
        const char *dst;
        int         rule;
    } cases[] = {
        {"192.0.2.7", 0},       {"192.0.2.6", 3},        {"192.0.2.8", 3},         {"10.0.0.0", 1},
        {"10.255.255.255", 1},  {"9.255.255.255", 3},    {"11.0.0.0", 3},          {"198.51.100.128", 2},
        {"198.51.100.255", 2},  {"198.51.100.127", 3},   {"255.255.255.255", 3},   {"0.0.0.0", 3},
        {"2001:db8::1", -1},    {"::ffff:10.1.2.3", 1},  {"::a01:203", -1},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct policy_flow f = flow(cases[i].dst, 443);

        if (decide(p, &f, NULL) != cases[i].rule)
            fail_msg("dst %s: rule %d, want %d", cases[i].dst, decide(p, &f, NULL), cases[i].rule);
    }
    policy_free(p);

    /* src works the same way */
    p = load(DEFAULTS "rules:\n  - {name: lan, action: deny, src: 10.0.0.0/24}\n");
    struct policy_flow f = flow("192.0.2.1", 443);
    assert_int_equal(decide(p, &f, NULL), 0);
    addr_parse(&f.src, "10.0.1.5");
    assert_int_equal(decide(p, &f, NULL), -1);
    assert_int_equal(policy_match_rule(p, 0, &f), POLICY_COND_SRC);
    policy_free(p);
}

static void test_cidr_v6(void **state)
{
    struct policy *p = load(DEFAULTS "rules:\n"
                                     "  - {name: host, action: allow, dst: \"2001:db8::1\"}\n"
                                     "  - {name: pair, action: allow, dst: \"2001:db8::10/127\"}\n"
                                     "  - {name: doc, action: allow, dst: \"2001:db8::/32\"}\n"
                                     "  - {name: mapped, action: allow, dst: \"::ffff:172.16.0.0/108\"}\n"
                                     "  - {name: all6, action: alert, dst: \"::/0\"}\n");
    static const struct {
        const char *dst;
        int         rule;
    } cases[] = {
        {"2001:db8::1", 0},   {"2001:db8::10", 1},  {"2001:db8::11", 1},
        {"2001:db8::12", 2},  {"2001:db8::f", 2},   {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 2},
        {"2001:db9::", 4},    {"2001:db7:ffff::", 4}, {"::", 4},
        {"172.16.0.1", 3},    {"172.31.255.255", 3}, {"172.32.0.0", -1},
        {"10.0.0.1", -1}, /* ::/0 is every IPv6 address, not IPv4 ones */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct policy_flow f = flow(cases[i].dst, 443);

        if (decide(p, &f, NULL) != cases[i].rule)
            fail_msg("dst %s: rule %d, want %d", cases[i].dst, decide(p, &f, NULL), cases[i].rule);
    }
    policy_free(p);
}

static void test_ports(void **state)
{
    struct policy *p = load(DEFAULTS "rules:\n"
                                     "  - {name: range, action: allow, dst_port: [1000-2000, 8443]}\n"
                                     "  - {name: edges, action: allow, dst_port: [0, 65535]}\n"
                                     "  - {name: eph, action: alert, transport: udp, src_port: 50000-50010}\n");
    static const struct {
        uint16_t port;
        int      rule;
    } cases[] = {{999, -1}, {1000, 0}, {1500, 0}, {2000, 0}, {2001, -1}, {8443, 0}, {8442, -1}, {0, 1}, {65535, 1}};
    struct policy_flow f = flow("192.0.2.1", 0);

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f.dst_port = cases[i].port;
        if (decide(p, &f, NULL) != cases[i].rule)
            fail_msg("port %u: rule %d, want %d", cases[i].port, decide(p, &f, NULL), cases[i].rule);
    }
    /* ports exist only for tcp and udp: an ICMP flow with zeroed ports is not port 0 */
    f.ip_proto = 1;
    f.dst_port = 0;
    assert_int_equal(decide(p, &f, NULL), -1);
    assert_int_equal(policy_match_rule(p, 1, &f), POLICY_COND_DST_PORT);
    f.ip_proto = 17;
    f.dst_port = 5;
    f.src_port = 50010;
    assert_int_equal(decide(p, &f, NULL), 2);
    f.src_port = 50011;
    assert_int_equal(policy_match_rule(p, 2, &f), POLICY_COND_SRC_PORT);
    f.src_port = 50000;
    f.ip_proto = 6;
    assert_int_equal(policy_match_rule(p, 2, &f), POLICY_COND_TRANSPORT);
    policy_free(p);
}

static void test_transport(void **state)
{
    struct policy *p = load(DEFAULTS "rules:\n"
                                     "  - {name: icmp, action: allow, transport: icmp}\n"
                                     "  - {name: tcpudp, action: alert, transport: [tcp, udp]}\n");
    struct policy_flow f = flow("192.0.2.1", 0);

    (void)state;
    assert_int_equal(decide(p, &f, NULL), 1);
    f.ip_proto = 17;
    assert_int_equal(decide(p, &f, NULL), 1);
    f.ip_proto = 1;
    assert_int_equal(decide(p, &f, NULL), 0);
    f.ip_proto = 58;
    assert_int_equal(decide(p, &f, NULL), 0);
    f.ip_proto = 132; /* sctp: no transport word names it */
    assert_int_equal(decide(p, &f, NULL), -1);
    policy_free(p);
}

static void test_domains(void **state)
{
    struct policy *p = load(DEFAULTS "rules:\n"
                                     "  - {name: exact, action: allow, domain: Deb.Debian.ORG.}\n"
                                     "  - {name: wild, action: alert, domain: \"*.amazonaws.com\"}\n");
    static const struct {
        const char *domain;
        int         rule;
    } cases[] = {
        {"deb.debian.org", 0},         {"DEB.DEBIAN.ORG", 0},      {"deb.debian.org.", 0},
        {"x.deb.debian.org", -1},      {"eb.debian.org", -1},      {"deb.debian.or", -1},
        {"s3.amazonaws.com", 1},       {"a.b.c.amazonaws.com", 1}, {"S3.AmazonAWS.com.", 1},
        {"amazonaws.com", -1},         {"amazonaws.com.", -1},     {"xamazonaws.com", -1},
        {"s3.amazonaws.com.evil", -1}, {".", -1},                  {"", -1},
    };
    struct policy_flow f = flow("192.0.2.1", 443);

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        set_domain(&f, cases[i].domain);
        if (decide(p, &f, NULL) != cases[i].rule)
            fail_msg("domain '%s': rule %d, want %d", cases[i].domain, decide(p, &f, NULL), cases[i].rule);
    }
    set_domain(&f, NULL);
    assert_int_equal(decide(p, &f, NULL), -1);
    assert_int_equal(policy_match_rule(p, 0, &f), POLICY_COND_DOMAIN);
    /* the length counts, not a NUL: a slice out of a packet */
    f.domain = "deb.debian.org.trailing-bytes";
    f.domain_len = 14;
    assert_int_equal(decide(p, &f, NULL), 0);
    policy_free(p);
}

static void test_process_and_user(void **state)
{
    struct policy *p = load(DEFAULTS "rules:\n"
                                     "  - {name: jvm, action: deny, process: /usr/lib/jvm/*/bin/java}\n"
                                     "  - {name: curl, action: allow, process: /usr/bin/curl, user: [root, 1000]}\n"
                                     "  - {name: pyth, action: alert, process: \"/usr/bin/python3.[0-9]*\"}\n"
                                     "  - {name: uid7, action: allow, user: 7}\n");
    struct policy_flow f = flow("192.0.2.1", 443);

    (void)state;
    f.process = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
    assert_int_equal(decide(p, &f, NULL), 0);
    f.process = "/usr/lib/jvm/a/b/bin/java"; /* '*' stays inside one path component */
    assert_int_equal(decide(p, &f, NULL), -1);
    f.process = "/usr/lib/jvm/x/bin/javac";
    assert_int_equal(decide(p, &f, NULL), -1);
    f.process = "/usr/bin/curl";
    assert_int_equal(decide(p, &f, NULL), -1); /* no uid known: a user condition cannot hold */
    assert_int_equal(policy_match_rule(p, 1, &f), POLICY_COND_USER);
    f.has_uid = true;
    f.uid = 0;
    assert_int_equal(decide(p, &f, NULL), 1);
    f.uid = 1000;
    assert_int_equal(decide(p, &f, NULL), 1);
    f.uid = 1001;
    assert_int_equal(decide(p, &f, NULL), -1);
    f.process = "/usr/bin/curl2";
    f.uid = 0;
    assert_int_equal(policy_match_rule(p, 1, &f), POLICY_COND_PROCESS);
    f.process = "/usr/bin/python3.11";
    assert_int_equal(decide(p, &f, NULL), 2);
    f.process = "/usr/bin/python3.x";
    assert_int_equal(decide(p, &f, NULL), -1);
    f.process = NULL;
    assert_int_equal(policy_match_rule(p, 0, &f), POLICY_COND_PROCESS);
    f.uid = 7;
    assert_int_equal(decide(p, &f, NULL), 3);
    policy_free(p);
}

static void test_apps(void **state)
{
    struct policy *p = load(DEFAULTS "rules:\n"
                                     "  - {name: tls, action: allow, app: tls}\n"
                                     "  - {name: ldap, action: deny, app: LDAP}\n"
                                     "  - {name: udp-only, action: alert, app: ldap_udp}\n"
                                     "  - {name: unk, action: deny, app: unknown}\n"
                                     "  - {name: any-web, action: allow, app: [http, ssh]}\n");
    struct policy_flow f = flow("192.0.2.1", 443);

    (void)state;
    assert_int_equal(app("ssl"), 3);
    assert_int_equal(app("unknown"), POLICY_APP_UNKNOWN);
    assert_int_equal(app("tls"), POLICY_APP_PENDING); /* a policy word, not a service name */
    assert_int_equal(app("nope"), POLICY_APP_PENDING);
    assert_string_equal(policy_app_name(app("ldap_tcp")), "ldap_tcp");
    assert_string_equal(policy_app_name(POLICY_APP_PENDING), "-");
    assert_string_equal(policy_app_name(200), "-");
    assert_true(policy_app_set("tls", 3) == policy_app_set("ssl", 3));
    assert_true(policy_app_set("ldap", 4) == ((UINT64_C(1) << app("ldap_tcp")) | (UINT64_C(1) << app("ldap_udp"))));
    assert_true(policy_app_set("ldapp", 5) == 0);

    f.app = app("ssl");
    assert_int_equal(decide(p, &f, NULL), 0);
    f.app = app("ldap_tcp");
    assert_int_equal(decide(p, &f, NULL), 1);
    f.app = app("ldap_udp");
    assert_int_equal(decide(p, &f, NULL), 1);
    assert_int_equal(policy_match_rule(p, 2, &f), POLICY_COND_NONE);
    f.app = POLICY_APP_UNKNOWN;
    assert_int_equal(decide(p, &f, NULL), 3);
    f.app = app("ssh");
    assert_int_equal(decide(p, &f, NULL), 4);
    f.app = app("dns");
    assert_int_equal(decide(p, &f, NULL), -1);
    /* not identified yet: no app condition holds */
    f.app = POLICY_APP_PENDING;
    assert_int_equal(decide(p, &f, NULL), -1);
    assert_int_equal(policy_match_rule(p, 3, &f), POLICY_COND_APP);
    policy_free(p);
}

static void test_early(void **state)
{
    struct policy *p = load(issue_example);
    struct policy_flow f = flow("169.254.169.253", 53);
    struct policy_verdict v;

    (void)state;
    f.app = POLICY_APP_PENDING;
    /* rule 0 (app ldap/rmi/iiop, outbound) could match anything outbound: hold */
    assert_int_equal(policy_match_early(p, &f, &v), POLICY_NEED_APP);
    assert_int_equal(v.rule, 0);
    /* inbound: rule 0 is out; rule 1 has an app, so it still needs the app */
    f.dir = POLICY_DIR_INBOUND;
    assert_int_equal(policy_match_early(p, &f, &v), POLICY_NEED_APP);
    assert_int_equal(v.rule, 1);
    policy_free(p);

    p = load(DEFAULTS "rules:\n"
                      "  - {name: vpc-dns, action: allow, dst: 169.254.169.253, dst_port: 53}\n"
                      "  - {name: no-smb, action: deny, dst_port: 445}\n"
                      "  - {name: web, action: allow, dst_port: 443, domain: \"*.example.com\"}\n"
                      "  - {name: curl, action: allow, process: /usr/bin/curl}\n"
                      "  - {name: ldap, action: deny, app: ldap}\n");
    f = flow("169.254.169.253", 53);
    f.app = POLICY_APP_PENDING;
    assert_int_equal(policy_match_early(p, &f, &v), POLICY_DECIDED);
    assert_int_equal(v.rule, 0);
    assert_int_equal(v.action, POLICY_ALLOW);
    f.dst_port = 445;
    assert_int_equal(policy_match_early(p, &f, &v), POLICY_DECIDED);
    assert_int_equal(v.rule, 1);
    assert_int_equal(v.action, POLICY_DENY);
    f.dst_port = 443; /* a domain rule needs the SNI / Host even with the port matching */
    assert_int_equal(policy_match_early(p, &f, &v), POLICY_NEED_APP);
    assert_int_equal(v.rule, 2);
    f.dst_port = 8080;
    f.process = "/usr/bin/curl"; /* process-only rule decides at the SYN */
    assert_int_equal(policy_match_early(p, &f, &v), POLICY_DECIDED);
    assert_int_equal(v.rule, 3);
    f.process = "/usr/bin/wget"; /* only the ldap rule is left, and it needs the app */
    assert_int_equal(policy_match_early(p, &f, &v), POLICY_NEED_APP);
    assert_int_equal(v.rule, 4);
    assert_int_equal(v.action, POLICY_DENY);
    policy_free(p);

    p = load(DEFAULTS "rules:\n  - {name: in, action: allow, direction: inbound, app: ssh}\n");
    assert_int_equal(policy_match_early(p, &f, &v), POLICY_DECIDED);
    assert_int_equal(v.rule, -1);
    assert_int_equal(v.action, POLICY_DENY);
    policy_free(p);
}

static void test_dns_firewall(void **state)
{
    struct policy *p = load(issue_example);

    (void)state;
    assert_int_equal(policy_match_dns(p, "abc.dnslog.cn", 13), 0);
    assert_int_equal(policy_match_dns(p, "X.Y.INTERACT.SH.", 16), 1);
    assert_int_equal(policy_match_dns(p, "dnslog.cn", 9), -1);
    assert_int_equal(policy_match_dns(p, "example.com", 11), -1);
    assert_int_equal(policy_match_dns(p, ".", 1), -1);
    assert_int_equal(policy_match_dns(p, "", 0), -1);
    policy_free(p);
    p = load(DEFAULTS);
    assert_int_equal(policy_match_dns(p, "abc.dnslog.cn", 13), -1);
    policy_free(p);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(policy_action_name(POLICY_ALLOW), "allow");
    assert_string_equal(policy_action_name(POLICY_DENY), "deny");
    assert_string_equal(policy_action_name(POLICY_ALERT), "alert");
    assert_string_equal(policy_cond_name(POLICY_COND_DST_PORT), "dst_port");
    assert_string_equal(policy_cond_name(POLICY_COND_DOMAIN), "domain");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_issue_example),
        cmocka_unit_test(test_load_every_key),
        cmocka_unit_test(test_load_settings),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_big_file),
        cmocka_unit_test(test_first_match_and_defaults),
        cmocka_unit_test(test_cidr_v4),
        cmocka_unit_test(test_cidr_v6),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_transport),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_process_and_user),
        cmocka_unit_test(test_apps),
        cmocka_unit_test(test_early),
        cmocka_unit_test(test_dns_firewall),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
