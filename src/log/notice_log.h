/* log/notice_log.h - notice.log: Zeek's columns, then incident_id, which ties the notices of
 * one attack chain together. */
#ifndef PW_LOG_NOTICE_LOG_H
#define PW_LOG_NOTICE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "log/log_schema.h"

enum notice_f {
    NOTICE_F_TS, NOTICE_F_UID, NOTICE_F_ORIG_H, NOTICE_F_ORIG_P, NOTICE_F_RESP_H, NOTICE_F_RESP_P,
    NOTICE_F_FUID, NOTICE_F_FILE_MIME_TYPE, NOTICE_F_FILE_DESC, NOTICE_F_PROTO, NOTICE_F_NOTE,
    NOTICE_F_MSG, NOTICE_F_SUB, NOTICE_F_SRC, NOTICE_F_DST, NOTICE_F_P, NOTICE_F_N, NOTICE_F_PEER_DESCR,
    NOTICE_F_ACTIONS, NOTICE_F_EMAIL_DEST, NOTICE_F_SUPPRESS_FOR, NOTICE_F_CC, NOTICE_F_REGION,
    NOTICE_F_CITY, NOTICE_F_LAT, NOTICE_F_LON, NOTICE_F_INCIDENT_ID,
    NOTICE_F_COUNT
};

struct notice_record {
    uint64_t            log_set;
    pw_time             ts;
    struct log_str      uid;
    struct log_conn_id  id;
    struct log_str      fuid, file_mime_type, file_desc;
    struct log_str      proto;
    struct log_str      note, msg, sub;
    struct addr         src, dst;
    uint16_t            p;
    uint64_t            n;
    struct log_str      peer_descr;
    struct log_str_list actions, email_dest;
    pw_time             suppress_for;
    struct log_str      cc, region, city;
    double              lat, lon;
    struct log_str      incident_id;
};

extern const struct log_schema notice_log_schema;

/* log4j.log: Corelight's CVE_2021_44228::LOG columns, one row per matched HTTP header. */
enum log4j_f {
    LOG4J_F_TS, LOG4J_F_UID, LOG4J_F_HTTP_URI, LOG4J_F_URI, LOG4J_F_STEM, LOG4J_F_TARGET_HOST,
    LOG4J_F_TARGET_PORT, LOG4J_F_METHOD, LOG4J_F_IS_ORIG, LOG4J_F_NAME, LOG4J_F_VALUE,
    LOG4J_F_MATCHED_NAME, LOG4J_F_MATCHED_VALUE,
    LOG4J_F_COUNT
};

struct log4j_record {
    uint64_t       log_set;
    pw_time        ts;
    struct log_str uid, http_uri, uri, stem, target_host, target_port, method;
    bool           is_orig;
    struct log_str name, value;
    bool           matched_name, matched_value;
};

extern const struct log_schema log4j_log_schema;

#endif
