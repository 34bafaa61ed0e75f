/* log/weird_log.h - weird.log: one row per protocol or packet anomaly. */
#ifndef PW_LOG_WEIRD_LOG_H
#define PW_LOG_WEIRD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "log/log_schema.h"

/* Field indexes for log_mark(); the order is the column order. */
enum weird_f {
    WEIRD_F_TS,
    WEIRD_F_UID,
    WEIRD_F_ORIG_H,
    WEIRD_F_ORIG_P,
    WEIRD_F_RESP_H,
    WEIRD_F_RESP_P,
    WEIRD_F_NAME,
    WEIRD_F_ADDL,
    WEIRD_F_NOTICE,
    WEIRD_F_PEER,
    WEIRD_F_SOURCE,
    WEIRD_F_COUNT
};

/* uid and id are optional here: network weirds (no connection) leave them unset. */
struct weird_record {
    uint64_t           log_set;
    pw_time            ts;
    struct log_str     uid;
    struct log_conn_id id;
    struct log_str     name;
    struct log_str     addl;
    bool               notice;   /* always written; F by default */
    struct log_str     peer;     /* always written; "zeek" by default */
    struct log_str     source;   /* the analyzer that raised it: "HTTP", "LDAP", ... */
};

extern const struct log_schema weird_log_schema;

/* Clears r and fills Zeek's defaults (notice F, peer "zeek"). */
static inline void weird_log_record_init(struct weird_record *r)
{
    memset(r, 0, sizeof(*r));
    r->peer = log_str_from("zeek", 4);
}

#endif
