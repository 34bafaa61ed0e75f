/* log/weird_log.c - the weird.log schema table. */
#include "log/weird_log.h"

#define R struct weird_record
#define OPT LOG_OPTIONAL

/* Indexed by enum weird_f, so a field and its index cannot drift apart. */
static const struct log_field weird_log_fields[WEIRD_F_COUNT] = {
    [WEIRD_F_TS]     = LOG_FIELD(R, ts, "ts", LOG_TIME, 0),
    [WEIRD_F_UID]    = LOG_FIELD(R, uid, "uid", LOG_STRING, OPT),
    [WEIRD_F_ORIG_H] = LOG_FIELD(R, id.orig_h, "id.orig_h", LOG_ADDR, OPT),
    [WEIRD_F_ORIG_P] = LOG_FIELD(R, id.orig_p, "id.orig_p", LOG_PORT, OPT),
    [WEIRD_F_RESP_H] = LOG_FIELD(R, id.resp_h, "id.resp_h", LOG_ADDR, OPT),
    [WEIRD_F_RESP_P] = LOG_FIELD(R, id.resp_p, "id.resp_p", LOG_PORT, OPT),
    [WEIRD_F_NAME]   = LOG_FIELD(R, name, "name", LOG_STRING, 0),
    [WEIRD_F_ADDL]   = LOG_FIELD(R, addl, "addl", LOG_STRING, OPT),
    [WEIRD_F_NOTICE] = LOG_FIELD(R, notice, "notice", LOG_BOOL, 0),
    [WEIRD_F_PEER]   = LOG_FIELD(R, peer, "peer", LOG_STRING, 0),
    [WEIRD_F_SOURCE] = LOG_FIELD(R, source, "source", LOG_STRING, OPT),
};

const struct log_schema weird_log_schema = LOG_SCHEMA("weird", weird_log_fields);
