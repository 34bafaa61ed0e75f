/* log/conn_log.c - the conn.log schema table. */
#include "log/conn_log.h"

#define R struct conn_record
#define OPT LOG_OPTIONAL

/* Indexed by enum conn_f, so a field and its index cannot drift apart. */
static const struct log_field conn_log_fields[CONN_F_COUNT] = {
    LOG_COMMON_FIELDS(R),
    [CONN_F_PROTO]          = LOG_FIELD(R, proto, "proto", LOG_ENUM, 0),
    [CONN_F_SERVICE]        = LOG_FIELD(R, service, "service", LOG_STRING, OPT),
    [CONN_F_DURATION]       = LOG_FIELD(R, duration, "duration", LOG_INTERVAL, OPT),
    [CONN_F_ORIG_BYTES]     = LOG_FIELD(R, orig_bytes, "orig_bytes", LOG_COUNT, OPT),
    [CONN_F_RESP_BYTES]     = LOG_FIELD(R, resp_bytes, "resp_bytes", LOG_COUNT, OPT),
    [CONN_F_CONN_STATE]     = LOG_FIELD(R, conn_state, "conn_state", LOG_STRING, OPT),
    [CONN_F_LOCAL_ORIG]     = LOG_FIELD(R, local_orig, "local_orig", LOG_BOOL, OPT),
    [CONN_F_LOCAL_RESP]     = LOG_FIELD(R, local_resp, "local_resp", LOG_BOOL, OPT),
    [CONN_F_MISSED_BYTES]   = LOG_FIELD(R, missed_bytes, "missed_bytes", LOG_COUNT, 0),
    [CONN_F_HISTORY]        = LOG_FIELD(R, history, "history", LOG_STRING, OPT),
    [CONN_F_ORIG_PKTS]      = LOG_FIELD(R, orig_pkts, "orig_pkts", LOG_COUNT, OPT),
    [CONN_F_ORIG_IP_BYTES]  = LOG_FIELD(R, orig_ip_bytes, "orig_ip_bytes", LOG_COUNT, OPT),
    [CONN_F_RESP_PKTS]      = LOG_FIELD(R, resp_pkts, "resp_pkts", LOG_COUNT, OPT),
    [CONN_F_RESP_IP_BYTES]  = LOG_FIELD(R, resp_ip_bytes, "resp_ip_bytes", LOG_COUNT, OPT),
    [CONN_F_TUNNEL_PARENTS] = LOG_FIELD(R, tunnel_parents, "tunnel_parents", LOG_SET_STRING, OPT),
    [CONN_F_IP_PROTO]       = LOG_FIELD(R, ip_proto, "ip_proto", LOG_COUNT, OPT),
    [CONN_F_COMMUNITY_ID]   = LOG_FIELD(R, community_id, "community_id", LOG_STRING, OPT),
};

_Static_assert(CONN_F_RESP_P == 5 && CONN_F_PROTO == 6, "LOG_COMMON_FIELDS fills indexes 0-5");
_Static_assert(CONN_F_COUNT <= 64, "a record's presence bitmap has 64 bits");

const struct log_schema conn_log_schema = LOG_SCHEMA("conn", conn_log_fields);
