/* log/conn_log.h - conn.log: one row per connection, Zeek 9's columns plus community_id. */
#ifndef PW_LOG_CONN_LOG_H
#define PW_LOG_CONN_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "log/log_schema.h"

/* Field indexes for log_mark(); the order is the column order. */
enum conn_f {
    CONN_F_TS,
    CONN_F_UID,
    CONN_F_ORIG_H,
    CONN_F_ORIG_P,
    CONN_F_RESP_H,
    CONN_F_RESP_P,
    CONN_F_PROTO,
    CONN_F_SERVICE,
    CONN_F_DURATION,
    CONN_F_ORIG_BYTES,
    CONN_F_RESP_BYTES,
    CONN_F_CONN_STATE,
    CONN_F_LOCAL_ORIG,
    CONN_F_LOCAL_RESP,
    CONN_F_MISSED_BYTES,
    CONN_F_HISTORY,
    CONN_F_ORIG_PKTS,
    CONN_F_ORIG_IP_BYTES,
    CONN_F_RESP_PKTS,
    CONN_F_RESP_IP_BYTES,
    CONN_F_TUNNEL_PARENTS,
    CONN_F_IP_PROTO,
    CONN_F_COMMUNITY_ID,   /* ours, after Zeek's columns */
    CONN_F_COUNT
};

struct conn_record {
    uint64_t            log_set;
    pw_time             ts;
    struct log_str      uid;
    struct log_conn_id  id;
    struct log_str      proto;            /* enum: "tcp", "udp", "icmp" */
    struct log_str      service;          /* "http", "ntlm,ldap_tcp", ... */
    pw_time             duration;
    uint64_t            orig_bytes;
    uint64_t            resp_bytes;
    struct log_str      conn_state;
    bool                local_orig;
    bool                local_resp;
    uint64_t            missed_bytes;     /* always written; 0 by default */
    struct log_str      history;
    uint64_t            orig_pkts;
    uint64_t            orig_ip_bytes;
    uint64_t            resp_pkts;
    uint64_t            resp_ip_bytes;
    struct log_str_list tunnel_parents;
    uint64_t            ip_proto;
    struct log_str      community_id;
};

extern const struct log_schema conn_log_schema;

#endif
