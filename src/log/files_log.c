/* log/files_log.c - the files.log schema table. */
#include "log/files_log.h"

#define R struct files_record
#define OPT LOG_OPTIONAL

/* Indexed by enum files_f. The id columns are optional here, unlike LOG_COMMON_FIELDS: since
 * Zeek 5.1 a file has one row per connection, and none for a file that came over no connection. */
static const struct log_field files_log_fields[FILES_F_COUNT] = {
    [FILES_F_TS]               = LOG_FIELD(R, ts, "ts", LOG_TIME, 0),
    [FILES_F_FUID]             = LOG_FIELD(R, fuid, "fuid", LOG_STRING, 0),
    [FILES_F_UID]              = LOG_FIELD(R, uid, "uid", LOG_STRING, OPT),
    [FILES_F_ORIG_H]           = LOG_FIELD(R, id.orig_h, "id.orig_h", LOG_ADDR, OPT),
    [FILES_F_ORIG_P]           = LOG_FIELD(R, id.orig_p, "id.orig_p", LOG_PORT, OPT),
    [FILES_F_RESP_H]           = LOG_FIELD(R, id.resp_h, "id.resp_h", LOG_ADDR, OPT),
    [FILES_F_RESP_P]           = LOG_FIELD(R, id.resp_p, "id.resp_p", LOG_PORT, OPT),
    [FILES_F_SOURCE]           = LOG_FIELD(R, source, "source", LOG_STRING, OPT),
    [FILES_F_DEPTH]            = LOG_FIELD(R, depth, "depth", LOG_COUNT, 0),
    [FILES_F_ANALYZERS]        = LOG_FIELD(R, analyzers, "analyzers", LOG_SET_STRING, 0),
    [FILES_F_MIME_TYPE]        = LOG_FIELD(R, mime_type, "mime_type", LOG_STRING, OPT),
    [FILES_F_FILENAME]         = LOG_FIELD(R, filename, "filename", LOG_STRING, OPT),
    [FILES_F_DURATION]         = LOG_FIELD(R, duration, "duration", LOG_INTERVAL, 0),
    [FILES_F_LOCAL_ORIG]       = LOG_FIELD(R, local_orig, "local_orig", LOG_BOOL, OPT),
    [FILES_F_IS_ORIG]          = LOG_FIELD(R, is_orig, "is_orig", LOG_BOOL, OPT),
    [FILES_F_SEEN_BYTES]       = LOG_FIELD(R, seen_bytes, "seen_bytes", LOG_COUNT, 0),
    [FILES_F_TOTAL_BYTES]      = LOG_FIELD(R, total_bytes, "total_bytes", LOG_COUNT, OPT),
    [FILES_F_MISSING_BYTES]    = LOG_FIELD(R, missing_bytes, "missing_bytes", LOG_COUNT, 0),
    [FILES_F_OVERFLOW_BYTES]   = LOG_FIELD(R, overflow_bytes, "overflow_bytes", LOG_COUNT, 0),
    [FILES_F_TIMEDOUT]         = LOG_FIELD(R, timedout, "timedout", LOG_BOOL, 0),
    [FILES_F_PARENT_FUID]      = LOG_FIELD(R, parent_fuid, "parent_fuid", LOG_STRING, OPT),
    [FILES_F_MD5]              = LOG_FIELD(R, md5, "md5", LOG_STRING, OPT),
    [FILES_F_SHA1]             = LOG_FIELD(R, sha1, "sha1", LOG_STRING, OPT),
    [FILES_F_SHA256]           = LOG_FIELD(R, sha256, "sha256", LOG_STRING, OPT),
    [FILES_F_EXTRACTED]        = LOG_FIELD(R, extracted, "extracted", LOG_STRING, OPT),
    [FILES_F_EXTRACTED_CUTOFF] = LOG_FIELD(R, extracted_cutoff, "extracted_cutoff", LOG_BOOL, OPT),
    [FILES_F_EXTRACTED_SIZE]   = LOG_FIELD(R, extracted_size, "extracted_size", LOG_COUNT, OPT),
};

_Static_assert(FILES_F_COUNT <= 64, "a record's presence bitmap has 64 bits");

const struct log_schema files_log_schema = LOG_SCHEMA("files", files_log_fields);
