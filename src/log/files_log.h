/* log/files_log.h - files.log: one row per file per connection, Zeek's columns with hash and extract. */
#ifndef PW_LOG_FILES_LOG_H
#define PW_LOG_FILES_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "log/log_schema.h"

/* Field indexes for log_mark(); the order is the column order of a default Zeek install
 * (base/frameworks/files, then base/files/hash, then base/files/extract). */
enum files_f {
    FILES_F_TS,
    FILES_F_FUID,
    FILES_F_UID,
    FILES_F_ORIG_H,
    FILES_F_ORIG_P,
    FILES_F_RESP_H,
    FILES_F_RESP_P,
    FILES_F_SOURCE,
    FILES_F_DEPTH,
    FILES_F_ANALYZERS,
    FILES_F_MIME_TYPE,
    FILES_F_FILENAME,
    FILES_F_DURATION,
    FILES_F_LOCAL_ORIG,
    FILES_F_IS_ORIG,
    FILES_F_SEEN_BYTES,
    FILES_F_TOTAL_BYTES,
    FILES_F_MISSING_BYTES,
    FILES_F_OVERFLOW_BYTES,
    FILES_F_TIMEDOUT,
    FILES_F_PARENT_FUID,
    FILES_F_MD5,
    FILES_F_SHA1,
    FILES_F_SHA256,
    FILES_F_EXTRACTED,
    FILES_F_EXTRACTED_CUTOFF,
    FILES_F_EXTRACTED_SIZE,
    FILES_F_COUNT
};

struct files_record {
    uint64_t            log_set;
    pw_time             ts;
    struct log_str      fuid;
    struct log_str      uid;              /* these five only for files seen on a connection */
    struct log_conn_id  id;
    struct log_str      source;           /* "HTTP", "SSL", ... */
    uint64_t            depth;            /* always written; 0 by default */
    struct log_str_list analyzers;        /* always written; (empty) when none */
    struct log_str      mime_type;
    struct log_str      filename;
    pw_time             duration;         /* always written */
    bool                local_orig;
    bool                is_orig;
    uint64_t            seen_bytes;       /* always written */
    uint64_t            total_bytes;
    uint64_t            missing_bytes;    /* always written */
    uint64_t            overflow_bytes;   /* always written */
    bool                timedout;         /* always written */
    struct log_str      parent_fuid;
    struct log_str      md5;
    struct log_str      sha1;
    struct log_str      sha256;
    struct log_str      extracted;        /* file name inside the extract directory */
    bool                extracted_cutoff;
    uint64_t            extracted_size;
};

extern const struct log_schema files_log_schema;

#endif
