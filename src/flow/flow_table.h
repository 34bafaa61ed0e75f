/* flow/flow_table.h - the bidirectional flow table: lookup by 5-tuple, expiry lists, a hard cap. */
#ifndef PW_FLOW_FLOW_TABLE_H
#define PW_FLOW_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"

/* Each flow sits on exactly one expiry list, chosen by what Zeek would wait for before
 * removing it. A flow joins a list at its head with an expiry time that is never earlier than
 * those already there (same timeout, later start), so each list stays sorted and expiry pops
 * tails without scanning. Inactivity classes re-join on every packet; deadline classes
 * (attempt, closed) keep the time they joined with. */
enum flow_timeout_class {
    FLOW_TIMEOUT_TCP,          /* tcp_inactivity_timeout, after the handshake */
    FLOW_TIMEOUT_TCP_HANDSHAKE,/* still in the handshake: Zeek uses the UDP inactivity timeout */
    FLOW_TIMEOUT_TCP_ATTEMPT,  /* deadline: a SYN with no answer, tcp_attempt_delay */
    FLOW_TIMEOUT_TCP_CLOSED,   /* deadline: closed or reset, tcp_close_delay after the last packet */
    FLOW_TIMEOUT_UDP,          /* udp_inactivity_timeout */
    FLOW_TIMEOUT_ICMP,         /* icmp_inactivity_timeout */
    FLOW_TIMEOUT_OTHER,        /* other IP protocols: as UDP */
    FLOW_TIMEOUT_CLASSES,
};

struct flow_table_config {
    uint32_t max_flows;                       /* hard cap; the oldest idle flow is evicted beyond it */
    pw_time  timeout[FLOW_TIMEOUT_CLASSES];
    uint64_t hash_seed;
};

struct flow_table_stats {
    uint64_t active, peak, created, expired, evicted;
};

struct flow_table;

/* Fills cfg with Zeek's defaults (5 min TCP, 1 min UDP/ICMP, 5 s close and reset delays). */
void flow_table_config_defaults(struct flow_table_config *cfg);

struct flow_table *flow_table_create(const struct flow_table_config *cfg);

/* Frees the table and every flow still in it (without logging them: drain first). */
void flow_table_free(struct flow_table *t);

/* Finds the flow the key belongs to, in either orientation; *dir tells which side sent it. */
struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *seen, enum flow_dir *dir);

/* Adds a flow with key k (already oriented orig -> resp). NULL when the table is full: the
 * caller evicts (flow_table_oldest) and retries, so eviction is logged like any removal. */
struct flow *flow_table_insert(struct flow_table *t, const struct flow_key *k, pw_time now);

/* Re-keys a flow whose roles were flipped (the originator was the other side). */
void flow_table_flip(struct flow_table *t, struct flow *f);

/* Puts a flow at the head of expiry list c, to expire at base + that class's timeout. */
void flow_table_schedule(struct flow_table *t, struct flow *f, enum flow_timeout_class c, pw_time base);

/* True for the classes whose timer is a deadline set once, not renewed by activity. */
bool flow_timeout_is_deadline(enum flow_timeout_class c);

/* A flow whose timer ran out at packet time now, or NULL. It stays in the table until removed. */
struct flow *flow_table_next_expired(struct flow_table *t, pw_time now);

/* The least recently active flow of any list, or NULL when empty (for eviction and draining). */
struct flow *flow_table_oldest(struct flow_table *t);

/* Unlinks the flow and returns it to the pool. */
void flow_table_remove(struct flow_table *t, struct flow *f);

bool flow_table_full(const struct flow_table *t);
const struct flow_table_stats *flow_table_get_stats(const struct flow_table *t);

#endif
