/* inline/inline_dp_int.h - the inline datapath's state, shared by inline.c (the packet path) and
 * inline_decide.c (verdicts, policy.log rows, resets). Inline files only. */
#ifndef PW_INLINE_INLINE_DP_INT_H
#define PW_INLINE_INLINE_DP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/notice.h"
#include "engine/engine.h"
#include "inline/inline.h"
#include "inline/inline_int.h"
#include "log/log_schema.h"

#define USER_CACHE 32

/* The engine keeps one byte per flow for us. */
#define VB_STATE   0x03u
#define VB_NEW     0x00u
#define VB_PENDING 0x01u   /* handshake passed, waiting for identification */
#define VB_ALLOW   0x02u
#define VB_DENY    0x03u
#define VB_INBOUND 0x04u
#define VB_KEEP    0x08u   /* keep queueing after the verdict (DNS; inbound flows the detector reads) */
#define VB_DIRSET  0x10u   /* direction known */

#define TCP_F_SYN 0x02u
#define TCP_F_RST 0x04u
#define TCP_F_ACK 0x10u

struct user_name {
    uint32_t uid;
    bool     used;
    char     name[64];
};

struct inline_dp {
    struct inline_config       cfg;
    struct policy             *policy;
    const struct policy_settings *set;
    bool                       want_owner;   /* the policy has a process or user condition */
    struct log_set            *logs;
    struct engine             *engine;
    struct notices            *notices;
    struct inline_verdict_sink sink;
    struct inline_hold        *hold;
    struct inline_flows       *flows;
    struct inline_proc        *proc;
    struct inline_dns_cache   *dns;
    struct inline_raw         *raw;
    struct inline_stats        st;
    const char                *query_name;   /* the packet at hand is a DNS query for this name */
    char                       qname[INLINE_DNS_NAME_MAX];
    pw_time                    now, last_flush;
    struct user_name           users[USER_CACHE];
    unsigned                   users_next;
    uint8_t                    out[INLINE_PKT_MAX];
    uint8_t                    tmp[INLINE_PKT_MAX];
};

/* What a verdict is about, whether a packet is at hand (view) or a hold budget ran out (entry). */
struct decision_ctx {
    const char        *uid;
    struct log_conn_id id;
    uint8_t            l4;
    bool               inbound;
    const char        *app;        /* NULL: before identification */
    const char        *domain;     /* NULL or "" when none */
    const char        *process;    /* NULL or "" when not known */
    bool               has_user;
    uint32_t           user;
};

/* ---- inline_decide.c ---- */

/* A verdict for one packet, counted, to the sink. */
void inline_decide_verdict(struct inline_dp *dp, uint32_t id, bool accept, bool set_mark, uint32_t mark);
void inline_decide_row(struct inline_dp *dp, const struct decision_ctx *c, const char *rule, enum policy_action a,
                       const char *reason);
/* LOG4J_CALLBACK_BLOCKED for the flow, naming the target. */
void inline_decide_notice(struct inline_dp *dp, const struct decision_ctx *c, const char *target);
/* True when the flow goes to a host a lookup attempt named (dynamic_block); what names it. */
bool inline_decide_dynamic(struct inline_dp *dp, const struct decision_ctx *c, char *what, size_t size);
void inline_decide_flow(const struct decision_ctx *c, uint8_t app, struct policy_flow *f);
/* The full match once the application is known (or given up on), the row written: VB_ALLOW or
 * VB_DENY. */
uint8_t inline_decide(struct inline_dp *dp, struct decision_ctx *c, const char *stage);
/* The packet being dropped, told to its sender (and, for TCP, the receiver). */
void inline_decide_refuse(struct inline_dp *dp, const struct engine_packet_view *v, const struct inline_pkt *pkt);
/* A pending flow denied: both sides reset at the sequence numbers they expect next. */
void inline_decide_reset_pending(struct inline_dp *dp, const struct inline_flow *f);

#endif
