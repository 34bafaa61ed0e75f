/* learn/learn_int.h - the baseline's tuples, as learn.c gathers them and learn_policy.c reads them. */
#ifndef PW_LEARN_LEARN_INT_H
#define PW_LEARN_LEARN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learn/learn.h"
#include "learn/learn_group.h"
#include "util/addr.h"

#define LEARN_DNS_NAMES 4   /* names kept per address from DNS answers */

/* One tuple; hashed and compared as bytes, so it has no padding and is zeroed before filling.
 * Strings are ids of learn_str (0 is ""). */
struct learn_key {
    struct addr src;
    struct addr dst;       /* for a flow without a name; zero when domain is set */
    uint32_t    process;   /* 0: not known */
    uint32_t    user;      /* 0: not known */
    uint32_t    domain;    /* SNI or Host, normalised; 0: none */
    uint32_t    service;   /* conn.log service as written; 0: empty */
    uint16_t    port;      /* destination port; 0 for icmp */
    uint8_t     transport; /* 6, 17, 1 (icmp and icmp6 alike) */
    uint8_t     pad;
};

struct learn_entry {
    struct learn_key k;
    uint64_t         count;
    double           first, last;
};

const struct learn_entry *learn_entries(const struct learn *l, size_t *n);
const char *learn_str(const struct learn *l, uint32_t id);

/* Names DNS answers gave for a (up to max); returns how many (ids of learn_str). */
unsigned learn_dns_names(const struct learn *l, const struct addr *a, uint32_t *ids, unsigned max);

/* ---- learn_rules.c: the baseline grouped into rules, before they are written ---- */

#define LEARN_NO_APP (-1)  /* a rule without an app condition */

/* Whom a rule is for: a process (and user) where policy.log named it, else a source network. */
struct learn_subject {
    bool             proc;
    uint32_t         process, user;   /* proc: ids of learn_str */
    struct learn_net net;             /* !proc */
};

/* One rule: its conditions, and the tuples that are its evidence. */
struct learn_rule {
    uint32_t  subj;        /* index into subj */
    uint8_t   transport;   /* 6, 17, 1 */
    int       app;         /* policy app id, or LEARN_NO_APP */
    bool      named;       /* targets are names (domain), else networks (dst) */
    char     *targets;     /* items joined by '\n', unquoted: "*.example.com", "10.0.0.0/24" */
    char     *ports;       /* items joined by '\n': "443", "9000-9002"; "" for icmp */
    uint16_t *port_list;
    size_t    n_ports;
    uint32_t *ents;        /* indexes into the entries */
    size_t    n_ents;
};

struct learn_rules {
    const struct learn       *l;
    const struct learn_entry *e;
    size_t                    n_e;
    uint32_t                 *subj_of;   /* per entry: its subject; UINT32_MAX when left out */
    struct learn_subject     *subj;
    size_t                    n_subj;
    struct learn_rule        *rules;     /* in the order they are written */
    size_t                    n_rules, cap_rules;
    size_t                    left_out;  /* entries under min_count */
};

/* Groups the baseline of l into rules; 0, or -1 when out of memory (fini still needed). */
int learn_rules_build(struct learn_rules *r, const struct learn *l, unsigned min_count);
void learn_rules_fini(struct learn_rules *r);

/* The app condition for an entry's service (baseline_app), LEARN_NO_APP for icmp and services
 * the policy has no word for. */
int learn_rules_app(const struct learn_entry *e, const struct learn *l);

#endif
