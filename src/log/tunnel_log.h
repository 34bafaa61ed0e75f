/* log/tunnel_log.h - tunnel.log: a VXLAN or GENEVE tunnel seen carrying a new connection, and closed. */
#ifndef PW_LOG_TUNNEL_LOG_H
#define PW_LOG_TUNNEL_LOG_H

#include "log/log_schema.h"

enum tunnel_f {
    TUNNEL_F_TS,
    TUNNEL_F_UID,
    TUNNEL_F_ORIG_H,
    TUNNEL_F_ORIG_P,
    TUNNEL_F_RESP_H,
    TUNNEL_F_RESP_P,
    TUNNEL_F_TYPE,
    TUNNEL_F_ACTION,
    TUNNEL_F_COUNT
};

struct tunnel_record {
    uint64_t           log_set;
    pw_time            ts;
    struct log_str     uid;            /* the outer (encapsulating) connection's */
    struct log_conn_id id;             /* the outer connection's */
    struct log_str     tunnel_type;    /* enum: Tunnel::VXLAN, Tunnel::GENEVE */
    struct log_str     action;         /* enum: Tunnel::DISCOVER, Tunnel::CLOSE */
};

extern const struct log_schema tunnel_log_schema;

#endif
