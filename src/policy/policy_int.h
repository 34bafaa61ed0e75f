/* policy/policy_int.h - the compiled policy the loader builds and the matcher walks (policy/ only). */
#ifndef PW_POLICY_POLICY_INT_H
#define PW_POLICY_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "util/addr.h"

/* Transport bits of a rule's `transport` key. */
#define POLICY_T_TCP  0x1
#define POLICY_T_UDP  0x2
#define POLICY_T_ICMP 0x4

struct policy_cidr {
    struct addr net;  /* host bits zero */
    uint8_t     bits; /* on the 128-bit form: an IPv4 /n is 96 + n */
    bool        v4;   /* matches IPv4 flows only; an IPv6 prefix matches IPv6 flows only */
};

struct policy_ports {
    uint16_t lo, hi; /* inclusive */
};

/* Lower case, no trailing dot. A wildcard "*.example.com" is kept as ".example.com": a name
 * matches it when it is longer and ends with it, so the bare "example.com" does not. */
struct policy_domain {
    const char *name;
    uint16_t    len;
    bool        wildcard;
};

struct policy_glob {
    const char *pat;
    bool        literal; /* no glob characters: a plain compare */
};

struct policy_rule {
    const char           *name;
    unsigned              line;
    uint8_t               action;    /* enum policy_action */
    uint8_t               direction; /* enum policy_rule_dir */
    uint8_t               transports; /* POLICY_T_* bits; 0 = any */
    uint64_t              apps;       /* bit per application id; 0 = any */
    struct policy_ports  *dst_ports, *src_ports;
    struct policy_cidr   *dst, *src;
    struct policy_domain *domains;
    struct policy_glob   *procs;
    uint32_t             *uids;
    uint32_t              n_dst_ports, n_src_ports, n_dst, n_src, n_domains, n_procs, n_uids;
    const char           *text[POLICY_COND_COUNT]; /* conditions as written, for explain */
};

struct policy_arena;

struct policy {
    struct policy_rule     *rules;
    unsigned                n_rules;
    struct policy_domain   *dns_deny;
    struct policy_settings  settings;
    struct policy_arena    *arena; /* every allocation above lives here */
};

/* The domain test shared by rules and the DNS firewall. name: any case, no trailing dot. */
bool policy_match_domain(const struct policy_domain *d, const char *name, size_t len);

/* ---- policy_value.c: value syntaxes; each returns 0, or -1 with why[] saying what is wrong ---- */
int policy_value_uint(const char *s, size_t len, uint32_t max, uint32_t *out);
int policy_value_cidr(const char *s, size_t len, struct policy_cidr *c, char *why, size_t size);
int policy_value_ports(const char *s, size_t len, struct policy_ports *pr, char *why, size_t size);
int policy_value_domain(const char *s, size_t len, char *out, struct policy_domain *d, char *why, size_t size);
int policy_value_duration(const char *s, size_t len, uint32_t *secs, char *why, size_t size);
int policy_value_user(const char *s, size_t len, uint32_t *uid, char *why, size_t size);

#endif
