/* learn/learn.h - the baseline of normal egress, built from Zeek logs, and the policy it suggests. */
#ifndef PW_LEARN_LEARN_H
#define PW_LEARN_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A baseline is what each source host (and, where policy.log names it, each process) did
 * outbound: per transport, application, destination port and destination (the name from the
 * TLS SNI or the HTTP Host, else the address), the flows seen with first and last time.
 * Outbound is conn.log's local_orig T and local_resp F; the other flows are only counted. */

struct learn_stats {
    uint64_t conn_rows, ssl_rows, http_rows, dns_rows, policy_rows;
    uint64_t outbound, inbound, internal, transit;
    uint64_t other_transport;    /* outbound flows that are not tcp, udp or icmp: not learned */
    uint64_t bad_rows;           /* lines that were not rows, rows without the columns we need */
    uint64_t uids_dropped;       /* name or process facts not kept: the uid table was full */
    unsigned files;
    double   first, last;        /* outbound flows' first and last ts (0 when none) */
};

struct learn;

struct learn *learn_create(void);
void learn_free(struct learn *l);

/* paths: directories (their conn, ssl, http, dns and policy logs, Zeek's rotated names and .gz
 * included) or single log files, named as Zeek names them. Every name-giving log is read before
 * any conn.log. Returns 0, or -1 with err filled (a path that cannot be read, no conn.log). */
int learn_read(struct learn *l, const char *const *paths, unsigned n, char *err, size_t errlen);

const struct learn_stats *learn_get_stats(const struct learn *l);

/* ---- learn_policy.c ---- */

struct learn_policy_options {
    unsigned           min_count;  /* tuples seen fewer times are left out (listed in comments) */
    const char *const *sources;    /* the paths read, for the header comment */
    unsigned           n_sources;
};

/* Writes the recommended policy (docs/policy.md's format, evidence in comments). Returns the
 * number of rules, or -1 when out of memory or out cannot be written (err filled). */
int learn_policy_write(const struct learn *l, const struct learn_policy_options *o, FILE *out, char *err,
                       size_t errlen);

#endif
