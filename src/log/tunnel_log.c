/* log/tunnel_log.c - the tunnel.log schema. */
#include "log/tunnel_log.h"

static const struct log_field tunnel_fields[TUNNEL_F_COUNT] = {
    [TUNNEL_F_TS] = LOG_FIELD(struct tunnel_record, ts, "ts", LOG_TIME, 0),
    [TUNNEL_F_UID] = LOG_FIELD(struct tunnel_record, uid, "uid", LOG_STRING, LOG_OPTIONAL),
    [TUNNEL_F_ORIG_H] = LOG_FIELD(struct tunnel_record, id.orig_h, "id.orig_h", LOG_ADDR, 0),
    [TUNNEL_F_ORIG_P] = LOG_FIELD(struct tunnel_record, id.orig_p, "id.orig_p", LOG_PORT, 0),
    [TUNNEL_F_RESP_H] = LOG_FIELD(struct tunnel_record, id.resp_h, "id.resp_h", LOG_ADDR, 0),
    [TUNNEL_F_RESP_P] = LOG_FIELD(struct tunnel_record, id.resp_p, "id.resp_p", LOG_PORT, 0),
    [TUNNEL_F_TYPE] = LOG_FIELD(struct tunnel_record, tunnel_type, "tunnel_type", LOG_ENUM, 0),
    [TUNNEL_F_ACTION] = LOG_FIELD(struct tunnel_record, action, "action", LOG_ENUM, 0),
};

const struct log_schema tunnel_log_schema = LOG_SCHEMA("tunnel", tunnel_fields);
