/* inline/inline.h - the inline datapath: packets from NFQUEUE in, verdicts out, policy.log rows written. */
#ifndef PW_INLINE_INLINE_H
#define PW_INLINE_INLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_set.h"
#include "policy/policy.h"
#include "util/pw_time.h"

struct detect_watch;

struct inline_config {
    bool     full_visibility;   /* never ask the kernel to stop queueing a flow */
    uint32_t hold_pool;         /* packets held at once, all flows (0: default 4096) */
    uint32_t max_pending;       /* flows waiting for identification (0: default 16384) */
    bool     lookup_all_owners; /* find the process of every local flow for policy.log, not only when
                                   a rule has a process or user condition */
    const char *proc_root;      /* "/proc" unless a test says otherwise (NULL: "/proc") */
    const char *baseline_policy; /* --baseline: Baseline::New_Egress for flows a learned policy
                                    would not allow (NULL: none) */
    struct detect_watch *detect_shared; /* queue workers share the Log4Shell watched hosts */
};

/* One queued packet. data is the IP packet (NFQUEUE hands layer 3). */
struct inline_pkt {
    uint32_t       id;
    uint8_t        hook;       /* enum inline_hook */
    uint32_t       mark;
    bool           has_uid;    /* the local socket's owner, when the kernel says */
    uint32_t       uid;
    const uint8_t *data;
    uint32_t       len;
};

/* Where verdicts go. mark is the packet's mark to set when set_mark. */
struct inline_verdict_sink {
    void (*verdict)(void *ctx, uint32_t id, bool accept, bool set_mark, uint32_t mark);
    void *ctx;
};

struct inline_stats {
    uint64_t packets, accepted, dropped, held, released;
    uint64_t flows_decided, flows_allowed, flows_denied, flows_alerted;
    uint64_t dns_answered, dynamic_blocks, resets_sent, inject_errors;
    uint64_t hold_pool_full, not_decoded, pending_evicted;
};

struct inline_dp;

/* The datapath takes the policy (it frees it, on failure too) and writes into logs (borrowed; it
 * must outlive the datapath). NULL with err on failure (raw sockets need CAP_NET_RAW). */
struct inline_dp *inline_dp_create(const struct inline_config *cfg, struct policy *p, struct log_set *logs,
                                   const struct inline_verdict_sink *sink, char *err, size_t errlen);

/* One packet: analysed by the engine, then accepted, dropped or held; verdicts go to the sink,
 * perhaps for earlier held packets too. */
void inline_dp_packet(struct inline_dp *dp, pw_time now, const struct inline_pkt *pkt);

/* Runs out hold budgets whose time is up, and advances the engine's clock. */
void inline_dp_timers(struct inline_dp *dp, pw_time now);

/* When inline_dp_timers next has work (0: nothing held). */
pw_time inline_dp_next_deadline(const struct inline_dp *dp);

/* True when no packet is held: verdicts may then be given in batches (NFQUEUE's batch verdict
 * covers every earlier packet). */
bool inline_dp_nothing_held(const struct inline_dp *dp);

/* Swaps in a new policy (taken, like at create); flows already decided keep their verdicts. */
void inline_dp_set_policy(struct inline_dp *dp, struct policy *p);

/* The end: held packets are released (fail-open) or dropped (fail-closed), every open flow is
 * logged, logs are flushed. */
void inline_dp_finish(struct inline_dp *dp, pw_time now);

void inline_dp_free(struct inline_dp *dp);

const struct inline_stats *inline_dp_stats(const struct inline_dp *dp);
/* The settings of the policy in force (on_failure, dynamic_block, ...). */
const struct policy_settings *inline_dp_settings(const struct inline_dp *dp);

/* ---- inline_nfq.c: the queue ---- */

struct inline_nfq;

/* Binds queue num (fail_open: the kernel accepts when the queue is full). NULL with err. */
struct inline_nfq *inline_nfq_open(unsigned num, bool fail_open, char *err, size_t errlen);
void inline_nfq_close(struct inline_nfq *q);
/* What a full queue does from now on (a reloaded policy's on_failure): accept or drop. */
int inline_nfq_set_fail_open(struct inline_nfq *q, bool fail_open);
/* The sink that queues verdicts on q; they are sent at the end of each inline_nfq_run round. */
struct inline_verdict_sink inline_nfq_sink(struct inline_nfq *q);
/* Waits up to timeout_ms for packets, hands every one to dp, sends the verdicts. Returns the
 * number of packets, 0 on timeout or a signal, -1 on a fatal socket error (err filled). */
int inline_nfq_run(struct inline_nfq *q, struct inline_dp *dp, int timeout_ms, char *err, size_t errlen);
/* Verdicts given since the last flush are sent. */
void inline_nfq_flush(struct inline_nfq *q);
uint64_t inline_nfq_batches(const struct inline_nfq *q);

/* ---- inline_nft.c ---- */

struct inline_nft_opts;

/* Installs the rules (replacing an earlier install): nft's queue expression, or the xtables
 * NFQUEUE target where the kernel lacks it. *backend says which. 0, or -1 with err. */
int inline_nft_install(const struct inline_nft_opts *o, char *err, size_t errlen, const char **backend);
int inline_nft_remove(char *err, size_t errlen);

#endif
