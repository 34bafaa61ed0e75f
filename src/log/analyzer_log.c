/* log/analyzer_log.c - the analyzer.log schema. */
#include "log/analyzer_log.h"

static const struct log_field analyzer_fields[ANALYZER_F_COUNT] = {
    [ANALYZER_F_TS] = LOG_FIELD(struct analyzer_record, ts, "ts", LOG_TIME, 0),
    [ANALYZER_F_KIND] = LOG_FIELD(struct analyzer_record, analyzer_kind, "analyzer_kind", LOG_STRING, 0),
    [ANALYZER_F_NAME] = LOG_FIELD(struct analyzer_record, analyzer_name, "analyzer_name", LOG_STRING, 0),
    [ANALYZER_F_UID] = LOG_FIELD(struct analyzer_record, uid, "uid", LOG_STRING, LOG_OPTIONAL),
    [ANALYZER_F_FUID] = LOG_FIELD(struct analyzer_record, fuid, "fuid", LOG_STRING, LOG_OPTIONAL),
    [ANALYZER_F_ORIG_H] = LOG_FIELD(struct analyzer_record, id.orig_h, "id.orig_h", LOG_ADDR, LOG_OPTIONAL),
    [ANALYZER_F_ORIG_P] = LOG_FIELD(struct analyzer_record, id.orig_p, "id.orig_p", LOG_PORT, LOG_OPTIONAL),
    [ANALYZER_F_RESP_H] = LOG_FIELD(struct analyzer_record, id.resp_h, "id.resp_h", LOG_ADDR, LOG_OPTIONAL),
    [ANALYZER_F_RESP_P] = LOG_FIELD(struct analyzer_record, id.resp_p, "id.resp_p", LOG_PORT, LOG_OPTIONAL),
    [ANALYZER_F_PROTO] = LOG_FIELD(struct analyzer_record, proto, "proto", LOG_ENUM, LOG_OPTIONAL),
    [ANALYZER_F_REASON] = LOG_FIELD(struct analyzer_record, failure_reason, "failure_reason", LOG_STRING, 0),
    [ANALYZER_F_DATA] = LOG_FIELD(struct analyzer_record, failure_data, "failure_data", LOG_STRING, LOG_OPTIONAL),
};

const struct log_schema analyzer_log_schema = LOG_SCHEMA("analyzer", analyzer_fields);
