/* inline/policy_log.h - policy.log: one row per inline verdict (a flow decided, a DNS query answered). */
#ifndef PW_INLINE_POLICY_LOG_H
#define PW_INLINE_POLICY_LOG_H

#include <stdint.h>

#include "log/log_schema.h"

enum policy_log_f {
    POLICY_LOG_F_TS, POLICY_LOG_F_UID, POLICY_LOG_F_ORIG_H, POLICY_LOG_F_ORIG_P, POLICY_LOG_F_RESP_H,
    POLICY_LOG_F_RESP_P, POLICY_LOG_F_PROTO, POLICY_LOG_F_APP, POLICY_LOG_F_DOMAIN, POLICY_LOG_F_PROCESS,
    POLICY_LOG_F_USER, POLICY_LOG_F_RULE, POLICY_LOG_F_ACTION, POLICY_LOG_F_REASON, POLICY_LOG_F_DIRECTION,
    POLICY_LOG_F_COUNT
};

/* app is conn.log's service ("ssl", "unknown"), unset when the verdict came before identification;
 * domain, process and user are unset when not known; rule is a rule's name, "default",
 * "dns_firewall" or "dynamic_block"; action is allow, deny or alert; direction outbound or
 * inbound, as seen from this host. */
struct policy_log_record {
    uint64_t           log_set;
    pw_time            ts;
    struct log_str     uid;
    struct log_conn_id id;
    struct log_str     proto, app, domain, process, user, rule, action, reason, direction;
};

extern const struct log_schema policy_log_schema;

#endif
