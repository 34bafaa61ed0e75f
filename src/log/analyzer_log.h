/* log/analyzer_log.h - analyzer.log (Zeek 8+): a confirmed analyzer removed for a violation. */
#ifndef PW_LOG_ANALYZER_LOG_H
#define PW_LOG_ANALYZER_LOG_H

#include "log/log_schema.h"

enum analyzer_f {
    ANALYZER_F_TS,
    ANALYZER_F_KIND,
    ANALYZER_F_NAME,
    ANALYZER_F_UID,
    ANALYZER_F_FUID,
    ANALYZER_F_ORIG_H,
    ANALYZER_F_ORIG_P,
    ANALYZER_F_RESP_H,
    ANALYZER_F_RESP_P,
    ANALYZER_F_PROTO,
    ANALYZER_F_REASON,
    ANALYZER_F_DATA,
    ANALYZER_F_COUNT
};

struct analyzer_record {
    uint64_t           log_set;
    pw_time            ts;
    struct log_str     analyzer_kind;    /* "protocol" */
    struct log_str     analyzer_name;    /* "HTTP" */
    struct log_str     uid;
    struct log_str     fuid;
    struct log_conn_id id;
    struct log_str     proto;            /* enum: tcp/udp */
    struct log_str     failure_reason;
    struct log_str     failure_data;     /* at most 40 bytes */
};

extern const struct log_schema analyzer_log_schema;

#endif
