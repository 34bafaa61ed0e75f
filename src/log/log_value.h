/* log/log_value.h - one typed value written as Zeek writes it, in TSV or JSON form. */
#ifndef PW_LOG_LOG_VALUE_H
#define PW_LOG_LOG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_buf.h"
#include "log/log_schema.h"
#include "util/pw_time.h"

/* Zeek's logging-manager limits (Log::default_max_field_string_bytes and friends). */
#define LOG_VALUE_MAX_STRING            4096u
#define LOG_VALUE_MAX_ELEMENTS          100u
#define LOG_VALUE_MAX_RECORD_STRING     256000u
#define LOG_VALUE_MAX_RECORD_ELEMENTS   500u

/* What one record may still spend, and what was cut from it (the engine turns the counts into
 * log_*_truncated weirds; log/ does not write weirds itself). */
struct log_budget {
    uint32_t string_left;
    uint32_t elements_left;
    uint32_t strings_cut;
    uint32_t containers_cut;
};

void log_value_budget_init(struct log_budget *bg);

/* Zeek's name for a type in #types, e.g. "set[string]". */
const char *log_value_type_name(enum log_type t);

/* Writes the value at v (laid out as enum log_type says) into b. The caller handles unset
 * optional fields; these always write a value. */
void log_value_tsv(struct log_buf *b, enum log_type t, const void *v, struct log_budget *bg);
void log_value_json(struct log_buf *b, enum log_type t, const void *v, struct log_budget *bg);

/* The pieces, exposed for tests and for writers with their own layouts. */
void log_value_time_tsv(struct log_buf *b, pw_time t);
void log_value_double_tsv(struct log_buf *b, double d);
void log_value_double_json(struct log_buf *b, double d);
void log_value_str_tsv(struct log_buf *b, const char *s, size_t n, bool in_container);
void log_value_str_json(struct log_buf *b, const char *s, size_t n);

/* Packet time as Zeek holds it: seconds plus the fraction, so microsecond input gives the
 * same double Zeek computes from a pcap timestamp. */
double log_value_time_to_double(pw_time t);

#endif
