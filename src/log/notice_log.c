/* log/notice_log.c - the notice.log and log4j.log schema tables. */
#include "log/notice_log.h"

#define R struct notice_record
#define OPT LOG_OPTIONAL

static const struct log_field notice_log_fields[NOTICE_F_COUNT] = {
    [NOTICE_F_TS]             = LOG_FIELD(R, ts, "ts", LOG_TIME, 0),
    [NOTICE_F_UID]            = LOG_FIELD(R, uid, "uid", LOG_STRING, OPT),
    [NOTICE_F_ORIG_H]         = LOG_FIELD(R, id.orig_h, "id.orig_h", LOG_ADDR, OPT),
    [NOTICE_F_ORIG_P]         = LOG_FIELD(R, id.orig_p, "id.orig_p", LOG_PORT, OPT),
    [NOTICE_F_RESP_H]         = LOG_FIELD(R, id.resp_h, "id.resp_h", LOG_ADDR, OPT),
    [NOTICE_F_RESP_P]         = LOG_FIELD(R, id.resp_p, "id.resp_p", LOG_PORT, OPT),
    [NOTICE_F_FUID]           = LOG_FIELD(R, fuid, "fuid", LOG_STRING, OPT),
    [NOTICE_F_FILE_MIME_TYPE] = LOG_FIELD(R, file_mime_type, "file_mime_type", LOG_STRING, OPT),
    [NOTICE_F_FILE_DESC]      = LOG_FIELD(R, file_desc, "file_desc", LOG_STRING, OPT),
    [NOTICE_F_PROTO]          = LOG_FIELD(R, proto, "proto", LOG_ENUM, OPT),
    [NOTICE_F_NOTE]           = LOG_FIELD(R, note, "note", LOG_ENUM, 0),
    [NOTICE_F_MSG]            = LOG_FIELD(R, msg, "msg", LOG_STRING, OPT),
    [NOTICE_F_SUB]            = LOG_FIELD(R, sub, "sub", LOG_STRING, OPT),
    [NOTICE_F_SRC]            = LOG_FIELD(R, src, "src", LOG_ADDR, OPT),
    [NOTICE_F_DST]            = LOG_FIELD(R, dst, "dst", LOG_ADDR, OPT),
    [NOTICE_F_P]              = LOG_FIELD(R, p, "p", LOG_PORT, OPT),
    [NOTICE_F_N]              = LOG_FIELD(R, n, "n", LOG_COUNT, OPT),
    [NOTICE_F_PEER_DESCR]     = LOG_FIELD(R, peer_descr, "peer_descr", LOG_STRING, OPT),
    [NOTICE_F_ACTIONS]        = LOG_FIELD(R, actions, "actions", LOG_SET_ENUM, 0),
    [NOTICE_F_EMAIL_DEST]     = LOG_FIELD(R, email_dest, "email_dest", LOG_SET_STRING, 0),
    [NOTICE_F_SUPPRESS_FOR]   = LOG_FIELD(R, suppress_for, "suppress_for", LOG_INTERVAL, 0),
    [NOTICE_F_CC]             = LOG_FIELD(R, cc, "remote_location.country_code", LOG_STRING, OPT),
    [NOTICE_F_REGION]         = LOG_FIELD(R, region, "remote_location.region", LOG_STRING, OPT),
    [NOTICE_F_CITY]           = LOG_FIELD(R, city, "remote_location.city", LOG_STRING, OPT),
    [NOTICE_F_LAT]            = LOG_FIELD(R, lat, "remote_location.latitude", LOG_DOUBLE, OPT),
    [NOTICE_F_LON]            = LOG_FIELD(R, lon, "remote_location.longitude", LOG_DOUBLE, OPT),
    [NOTICE_F_INCIDENT_ID]    = LOG_FIELD(R, incident_id, "incident_id", LOG_STRING, OPT),
};

const struct log_schema notice_log_schema = LOG_SCHEMA("notice", notice_log_fields);

#undef R
#define R struct log4j_record

static const struct log_field log4j_log_fields[LOG4J_F_COUNT] = {
    [LOG4J_F_TS]            = LOG_FIELD(R, ts, "ts", LOG_TIME, 0),
    [LOG4J_F_UID]           = LOG_FIELD(R, uid, "uid", LOG_STRING, 0),
    [LOG4J_F_HTTP_URI]      = LOG_FIELD(R, http_uri, "http_uri", LOG_STRING, OPT),
    [LOG4J_F_URI]           = LOG_FIELD(R, uri, "uri", LOG_STRING, OPT),
    [LOG4J_F_STEM]          = LOG_FIELD(R, stem, "stem", LOG_STRING, OPT),
    [LOG4J_F_TARGET_HOST]   = LOG_FIELD(R, target_host, "target_host", LOG_STRING, OPT),
    [LOG4J_F_TARGET_PORT]   = LOG_FIELD(R, target_port, "target_port", LOG_STRING, OPT),
    [LOG4J_F_METHOD]        = LOG_FIELD(R, method, "method", LOG_STRING, OPT),
    [LOG4J_F_IS_ORIG]       = LOG_FIELD(R, is_orig, "is_orig", LOG_BOOL, 0),
    [LOG4J_F_NAME]          = LOG_FIELD(R, name, "name", LOG_STRING, OPT),
    [LOG4J_F_VALUE]         = LOG_FIELD(R, value, "value", LOG_STRING, OPT),
    [LOG4J_F_MATCHED_NAME]  = LOG_FIELD(R, matched_name, "matched_name", LOG_BOOL, 0),
    [LOG4J_F_MATCHED_VALUE] = LOG_FIELD(R, matched_value, "matched_value", LOG_BOOL, 0),
};

const struct log_schema log4j_log_schema = LOG_SCHEMA("log4j", log4j_log_fields);
