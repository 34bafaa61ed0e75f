/* learn/learn_group.h - generalising what was seen: names into safe wildcards, addresses into networks. */
#ifndef PW_LEARN_LEARN_GROUP_H
#define PW_LEARN_LEARN_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/addr.h"

#define LEARN_GROUP_WILDCARD_MIN 3   /* distinct names under S before "*.S" stands for them */
#define LEARN_GROUP_NET_MIN      2   /* addresses in one /24 (/64) before the network stands for them */
#define LEARN_GROUP_NAME_MAX     256 /* a pattern's text, NUL included */

/* ---- domain names ---- */

/* Where the public suffix of name starts (name lower case, no trailing dot): the longest entry of
 * the built-in list the name ends with at a label boundary, else its last label (the implicit
 * "*" rule of the Public Suffix List). *shared is set when the suffix is one under which every
 * name may belong to someone else (cloud hosting, dynamic DNS, out-of-band test services), so no
 * wildcard below it is ever safe. */
size_t learn_group_public_suffix(const char *name, size_t len, bool *shared);

/* Lower-cases name into out (LEARN_GROUP_NAME_MAX bytes) without a trailing dot. Returns the
 * length, or 0 when it is not a name a policy can hold (policy.md's rules: letters, digits, '-',
 * '_', labels of 1 to 63, at most 253) or is an IPv4 or IPv6 literal. */
size_t learn_group_domain_norm(const char *name, size_t len, char *out);

struct learn_pattern {
    char     text[LEARN_GROUP_NAME_MAX + 2]; /* "a.example.com" or "*.example.com" */
    bool     wildcard;
    unsigned names;                          /* input names it stands for */
};

/* names: n distinct normalised names. Writes into out (room for n) patterns that together
 * match every name: "*.S" only where at least LEARN_GROUP_WILDCARD_MIN of the names lie under S,
 * S is the registrable domain or below it, and S is not under a shared suffix; as deep as the
 * names allow; other names exact. Sorted. Returns the count, or -1 when out of memory. */
int learn_group_domains(const char *const *names, unsigned n, struct learn_pattern *out);

/* True when name (normalised) is matched by pattern, as policy.md's domain condition reads it. */
bool learn_group_pattern_match(const char *pattern, const char *name);

/* ---- addresses ---- */

struct learn_net {
    struct addr net;   /* host bits zero */
    uint8_t     bits;  /* on the 128-bit form: IPv4 /24 is 120, a single address 128 */
    unsigned    addrs; /* input addresses it stands for */
};

/* addrs: n distinct addresses (sorted in place). Addresses sharing an IPv4 /24 or IPv6 /64
 * LEARN_GROUP_NET_MIN or more at a time become that network; the others stay single. out has
 * room for n. Returns the count, sorted by address. */
unsigned learn_group_nets(struct addr *addrs, unsigned n, struct learn_net *out);

/* "10.0.0.0/24", "2001:db8::/64", or a single address without a prefix length. */
size_t learn_group_net_format(const struct learn_net *net, char *buf, size_t size);

bool learn_group_net_match(const struct learn_net *net, const struct addr *a);

#endif
