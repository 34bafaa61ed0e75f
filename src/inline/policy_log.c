/* inline/policy_log.c - the policy.log schema table. */
#include "inline/policy_log.h"

#define R struct policy_log_record
#define OPT LOG_OPTIONAL

static const struct log_field policy_log_fields[POLICY_LOG_F_COUNT] = {
    [POLICY_LOG_F_TS]        = LOG_FIELD(R, ts, "ts", LOG_TIME, 0),
    [POLICY_LOG_F_UID]       = LOG_FIELD(R, uid, "uid", LOG_STRING, 0),
    [POLICY_LOG_F_ORIG_H]    = LOG_FIELD(R, id.orig_h, "id.orig_h", LOG_ADDR, 0),
    [POLICY_LOG_F_ORIG_P]    = LOG_FIELD(R, id.orig_p, "id.orig_p", LOG_PORT, 0),
    [POLICY_LOG_F_RESP_H]    = LOG_FIELD(R, id.resp_h, "id.resp_h", LOG_ADDR, 0),
    [POLICY_LOG_F_RESP_P]    = LOG_FIELD(R, id.resp_p, "id.resp_p", LOG_PORT, 0),
    [POLICY_LOG_F_PROTO]     = LOG_FIELD(R, proto, "proto", LOG_ENUM, 0),
    [POLICY_LOG_F_APP]       = LOG_FIELD(R, app, "app", LOG_STRING, OPT),
    [POLICY_LOG_F_DOMAIN]    = LOG_FIELD(R, domain, "domain", LOG_STRING, OPT),
    [POLICY_LOG_F_PROCESS]   = LOG_FIELD(R, process, "process", LOG_STRING, OPT),
    [POLICY_LOG_F_USER]      = LOG_FIELD(R, user, "user", LOG_STRING, OPT),
    [POLICY_LOG_F_RULE]      = LOG_FIELD(R, rule, "rule", LOG_STRING, 0),
    [POLICY_LOG_F_ACTION]    = LOG_FIELD(R, action, "action", LOG_ENUM, 0),
    [POLICY_LOG_F_REASON]    = LOG_FIELD(R, reason, "reason", LOG_STRING, 0),
    [POLICY_LOG_F_DIRECTION] = LOG_FIELD(R, direction, "direction", LOG_ENUM, 0),
};

const struct log_schema policy_log_schema = LOG_SCHEMA("policy", policy_log_fields);
