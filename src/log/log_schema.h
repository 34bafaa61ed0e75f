/* log/log_schema.h - a log declared once: its record layout and Zeek column names and types.
 *
 * A log is a C record struct plus a static table of fields (Zeek name, Zeek type, offset,
 * flags). Both writers (Zeek TSV, Zeek JSON) are driven by the table, so header lines,
 * column order and value formatting can never disagree with the declaration.
 *
 * Every record struct starts with `uint64_t log_set;`: bit i set means field i (its index in
 * the table) has a value. Fields without LOG_OPTIONAL are always written; optional fields whose
 * bit is clear are written unset ('-' in TSV, omitted in JSON). Strings and lists in a record are
 * borrowed: they need to stay valid only until log_set_write() returns. */
#ifndef PW_LOG_LOG_SCHEMA_H
#define PW_LOG_LOG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/addr.h"
#include "util/pw_time.h"

enum log_type {
    LOG_TIME,          /* pw_time; TSV 6 decimals; JSON epoch number */
    LOG_INTERVAL,      /* pw_time (a span); TSV 6 decimals; JSON number */
    LOG_COUNT,         /* uint64_t */
    LOG_INT,           /* int64_t */
    LOG_DOUBLE,        /* double */
    LOG_BOOL,          /* bool */
    LOG_STRING,        /* struct log_str */
    LOG_ENUM,          /* struct log_str (Zeek's enum name, e.g. "tcp") */
    LOG_ADDR,          /* struct addr */
    LOG_SUBNET,        /* struct log_subnet */
    LOG_PORT,          /* uint16_t */
    LOG_SET_STRING,    /* struct log_str_list */
    LOG_SET_ENUM,      /* struct log_str_list */
    LOG_VEC_STRING,    /* struct log_str_list */
    LOG_VEC_ADDR,      /* struct log_addr_list */
    LOG_VEC_INTERVAL,  /* struct log_time_list */
    LOG_VEC_COUNT,     /* struct log_count_list */
};

struct log_str {
    const char *ptr;
    uint32_t    len;
};

struct log_subnet {
    struct addr prefix;
    uint8_t     bits;     /* on the address family's own scale: /24 for IPv4 */
};

struct log_str_list {
    const struct log_str *items;
    uint32_t              n;
};

struct log_addr_list {
    const struct addr *items;
    uint32_t           n;
};

struct log_time_list {
    const pw_time *items;
    uint32_t       n;
};

struct log_count_list {
    const uint64_t *items;
    uint32_t        n;
};

#define LOG_OPTIONAL 0x01u   /* may be unset: '-' in TSV, left out of JSON */

struct log_field {
    const char   *name;      /* Zeek's flattened column name, e.g. "id.orig_h" */
    enum log_type type;
    uint32_t      offset;    /* offsetof the member in the record */
    uint32_t      flags;     /* LOG_OPTIONAL */
};

struct log_schema {
    const char             *path;      /* "conn" -> conn.log */
    const struct log_field *fields;
    uint32_t                nfields;   /* at most 64 */
};

#define LOG_FIELD(rec, member, zname, ztype, zflags) \
    { .name = (zname), .type = (ztype), .offset = (uint32_t)offsetof(rec, member), .flags = (zflags) }

#define LOG_SCHEMA(zpath, table) \
    { .path = (zpath), .fields = (table), .nfields = (uint32_t)(sizeof(table) / sizeof((table)[0])) }

/* The connection columns most logs start with. */
struct log_conn_id {
    struct addr orig_h;
    uint16_t    orig_p;
    struct addr resp_h;
    uint16_t    resp_p;
};

#define LOG_COMMON_FIELDS(rec)                                                   \
    LOG_FIELD(rec, ts, "ts", LOG_TIME, 0),                                       \
    LOG_FIELD(rec, uid, "uid", LOG_STRING, 0),                                   \
    LOG_FIELD(rec, id.orig_h, "id.orig_h", LOG_ADDR, 0),                         \
    LOG_FIELD(rec, id.orig_p, "id.orig_p", LOG_PORT, 0),                         \
    LOG_FIELD(rec, id.resp_h, "id.resp_h", LOG_ADDR, 0),                         \
    LOG_FIELD(rec, id.resp_p, "id.resp_p", LOG_PORT, 0)

/* Marks field index i of a record as set. */
static inline void log_mark(uint64_t *log_set, unsigned i)
{
    *log_set |= (uint64_t)1 << i;
}

static inline struct log_str log_str_from(const char *s, size_t len)
{
    struct log_str r = { s, (uint32_t)len };
    return r;
}

#endif
