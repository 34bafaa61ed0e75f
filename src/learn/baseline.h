/* learn/baseline.h - after learning: does the baseline policy allow an outbound flow, and if not,
 * is its tuple new? */
#ifndef PW_LEARN_BASELINE_H
#define PW_LEARN_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* A flow outside the baseline is reported once per tuple: (source host, transport, app, domain
 * or, for a flow without one, destination address, destination port). The tuples reported are
 * kept in a table with a cap, allocated whole at creation; when it is full the tuple seen least
 * recently is forgotten (and counted), so it may be reported again later. */

#define BASELINE_DEFAULT_TUPLES 65536u

enum baseline_result {
    BASELINE_ALLOWED = 0, /* the policy lets it out (or it is not an outbound flow) */
    BASELINE_REPEAT,      /* outside the baseline, and its tuple was reported already */
    BASELINE_NEW,         /* outside the baseline, a tuple not seen before: report it */
};

struct baseline_stats {
    uint64_t checked;   /* outbound flows checked */
    uint64_t outside;   /* of which the policy did not allow */
    uint64_t reported;  /* new tuples */
    uint64_t forgotten; /* tuples dropped from a full table */
};

struct baseline;

/* Takes ownership of p. max_tuples 0: BASELINE_DEFAULT_TUPLES. NULL when out of memory (p is
 * freed then too). */
struct baseline *baseline_create(struct policy *p, uint32_t max_tuples);
void baseline_free(struct baseline *b);

/* A reloaded policy (SIGHUP): takes ownership of p and frees the old one. The tuples reported so
 * far stay reported, so a reload does not repeat notices for what the new policy still leaves
 * out. */
void baseline_set_policy(struct baseline *b, struct policy *p);

/* f->dir must say whether the flow is outbound; inbound flows are BASELINE_ALLOWED unchecked.
 * f->app is the policy id of the flow's service (baseline_app). No allocation. */
enum baseline_result baseline_check(struct baseline *b, const struct policy_flow *f);

/* The policy's application id for a conn.log service column ("ssl", "http,websocket", "" or
 * "-"): the first name the policy knows; POLICY_APP_UNKNOWN when the column is empty;
 * POLICY_APP_PENDING when it names only services the policy has no word for. learn uses the
 * same function, so a learned rule and the check agree on every flow. */
uint8_t baseline_app(const char *service, size_t len);

/* The tuple as text, "10.0.0.5 -> evil.example.net tcp/443 ssl": a notice's sub and
 * identifier. Returns the length (truncated to size - 1). */
size_t baseline_tuple_text(const struct policy_flow *f, char *buf, size_t size);

/* A caller's object that lives and dies with the baseline (the engine hangs its notices here). */
void baseline_set_ctx(struct baseline *b, void *ctx, void (*release)(void *ctx));
void *baseline_ctx(const struct baseline *b);

const struct baseline_stats *baseline_stats(const struct baseline *b);
uint32_t baseline_tuples(const struct baseline *b);

#endif
