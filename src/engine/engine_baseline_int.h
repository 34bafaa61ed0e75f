/* engine/engine_baseline_int.h - the engine's side of baseline notices (learn/baseline.h); engine/ only. */
#ifndef PW_ENGINE_ENGINE_BASELINE_INT_H
#define PW_ENGINE_ENGINE_BASELINE_INT_H

#include <stddef.h>
#include <stdint.h>

struct baseline;
struct engine;
struct engine_config;
struct flow;
struct log_set;

/* Loads cfg->baseline_policy. NULL with err filled ("FILE:LINE:COL: field 'F': message", as
 * `policy check` says it) when the policy does not load, or out of memory. */
struct baseline *engine_baseline_create(const struct engine_config *cfg, struct log_set *logs, char *err,
                                        size_t errlen);
void engine_baseline_free(struct baseline *b);

/* At flow end, before conn.log: an outbound flow the baseline policy does not allow raises
 * Baseline::New_Egress once per tuple. No-op without a baseline. */
void engine_baseline_flow_end(struct engine *e, const struct flow *f);

/* Baseline::New_Egress notices written (for the run summary). */
uint64_t engine_baseline_notices(const struct engine *e);

#endif
