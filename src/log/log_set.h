/* log/log_set.h - the open log files of one run: opened at first row, closed with #close. */
#ifndef PW_LOG_LOG_SET_H
#define PW_LOG_LOG_SET_H

#include <stddef.h>

#include "log/log_schema.h"

enum log_format {
    LOG_FORMAT_TSV,     /* Zeek ASCII with # header lines */
    LOG_FORMAT_JSON,    /* Zeek JSON lines (LogAscii::use_json=T), epoch timestamps */
};

struct log_set_config {
    const char     *dir;        /* where <path>.log files go; "." by default */
    enum log_format format;
    bool            to_stdout;  /* JSON lines to stdout instead of files (each with "_path") */
};

struct log_set;

/* Creates the set; fails (NULL, message in err) if dir cannot be created or written. */
struct log_set *log_set_create(const struct log_set_config *cfg, char *err, size_t errlen);

/* Writes one record of schema s. The first record of a schema opens its file (a log with no
 * rows has no file, as with Zeek). Returns 0, or -1 on an I/O error (counted; the run goes on). */
int log_set_write(struct log_set *set, const struct log_schema *s, const void *record);

/* What the set did; the engine turns the *_cut counts into log_*_truncated weirds. */
struct log_set_stats {
    uint64_t rows;            /* rows accepted into a file's buffer */
    uint64_t rows_dropped;    /* rows over the line cap, or past the open-file limit */
    uint64_t io_errors;       /* failed opens and writes */
    uint64_t strings_cut;     /* strings cut at 4096 bytes or the per-record total */
    uint64_t containers_cut;  /* sets/vectors cut at 100 elements or the per-record total */
};

void log_set_stats(const struct log_set *set, struct log_set_stats *out);

/* Flushes buffered rows to the files. */
void log_set_flush(struct log_set *set);

/* Writes #close lines, closes the files, frees the set. NULL is a no-op. */
void log_set_free(struct log_set *set);

#endif
