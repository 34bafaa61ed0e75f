/* fuzz/fuzz_policy.c - libFuzzer target: the policy loader on any bytes, then the matcher on what loads. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A handful of flows that reach every kind of condition: both families, both directions, known
 * and unknown apps, with and without domain, process and uid. */
static void run_flows(const struct policy *p, const uint8_t *data, size_t size)
{
    static const char *const dsts[] = {"203.0.113.9", "10.1.2.3", "2001:db8::1", "::ffff:192.0.2.1"};
    static const char *const procs[] = {"/usr/bin/java", "/usr/lib/jvm/x/bin/java", NULL};
    static const char *const domains[] = {"deb.debian.org", "a.b.amazonaws.com.", "", NULL};
    uint8_t seed = size > 0 ? data[size / 2] : 0;

    for (unsigned i = 0; i < 8; i++) {
        struct policy_flow f;
        struct policy_verdict v;
        uint8_t k = (uint8_t)(seed + i * 37);

        memset(&f, 0, sizeof(f));
        addr_parse(&f.src, "10.0.0.5");
        addr_parse(&f.dst, dsts[k % 4]);
        f.src_port = (uint16_t)(40000 + k);
        f.dst_port = (uint16_t)(k % 3 == 0 ? 443 : k % 3 == 1 ? 53 : k * 131);
        f.ip_proto = k % 5 == 0 ? 17 : k % 7 == 0 ? 1 : 6;
        f.dir = k & 1 ? POLICY_DIR_INBOUND : POLICY_DIR_OUTBOUND;
        f.app = (uint8_t)(k % 45);
        f.has_uid = k & 2;
        f.uid = k % 3 == 0 ? 0 : 1000;
        f.process = procs[k % 3];
        f.domain = domains[k % 4];
        f.domain_len = f.domain != NULL ? strlen(f.domain) : 0;
        (void)policy_match_early(p, &f, &v);
        if (v.rule >= (int)policy_rule_count(p))
            __builtin_trap();
        v = policy_match(p, &f);
        if (v.rule >= 0 && policy_match_rule(p, (unsigned)v.rule, &f) != POLICY_COND_NONE)
            __builtin_trap();
        (void)policy_match_dns(p, f.domain != NULL ? f.domain : "x", f.domain != NULL ? f.domain_len : 1);
    }
    for (unsigned i = 0; i < policy_rule_count(p); i++)
        for (int c = POLICY_COND_NONE; c <= POLICY_COND_COUNT; c++)
            (void)policy_rule_cond_text(p, i, (enum policy_cond)c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct policy_error err;
    struct policy *p = policy_load_buffer("fuzz.yaml", data, size, &err);

    if (p == NULL) {
        /* An error always says where and what. */
        if (err.msg[0] == '\0' || strlen(err.msg) >= sizeof(err.msg) || strlen(err.field) >= sizeof(err.field))
            __builtin_trap();
        return 0;
    }
    run_flows(p, data, size);
    policy_free(p);
    return 0;
}
