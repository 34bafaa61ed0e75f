/* log/log_set.h - the open log files of one run: opened at first row, closed with #close. */
#ifndef PW_LOG_LOG_SET_H
#define PW_LOG_LOG_SET_H

#include <stddef.h>
#include <time.h>

#include "log/log_schema.h"

enum log_format {
    LOG_FORMAT_TSV,     /* Zeek ASCII with # header lines */
    LOG_FORMAT_JSON,    /* Zeek JSON lines (LogAscii::use_json=T), epoch timestamps */
};

/* A sink set formats rows but hands them to a function instead of files: a capture worker sends
 * them to the process that owns the files (sniff). */
typedef void (*log_set_sink_fn)(void *arg, const struct log_schema *s, enum log_format format,
                                const char *row, size_t len);

struct log_set_config {
    const char     *dir;        /* where <path>.log files go; "." by default */
    enum log_format format;
    bool            to_stdout;  /* JSON lines to stdout instead of files (each with "_path") */
    bool            append;     /* files opened for appending, never truncated (a service restarting) */
    log_set_sink_fn sink;       /* non-NULL: rows go to sink(sink_arg, ...) in `format`, no files */
    void           *sink_arg;
    bool            sink_json;  /* with sink and TSV: each row is also handed over as JSON (no _path) */
    log_set_sink_fn tee;        /* non-NULL: every row log_set_write puts in a file or on stdout is also
                                 * handed to tee(tee_arg, ...) as JSON (no _path): redis_out_tee */
    void           *tee_arg;
};

struct log_set;

/* "tsv" or "json" (the --format option of every command); -1 for anything else. */
int log_format_parse(const char *text, enum log_format *out);

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

/* Writes a row that a sink set formatted in this set's format (with its '\n'): to s's file, opened
 * as log_set_write would, or to stdout with "_path" added. Returns 0, or -1 (counted). */
int log_set_write_row(struct log_set *set, const struct log_schema *s, const char *row, size_t len);

/* Closes every open file with its #close line (wall time now); the next row of a log opens its
 * file again, appending: after logrotate moved the files away (SIGHUP). */
void log_set_reopen(struct log_set *set, time_t now);

/* Rotation: every open file holding at least min_bytes (0: every open file) is closed with its
 * #close line and renamed to its rotated name (log_set_rotated_name, from the time it was
 * opened; "-1", "-2" ... before ".log" if that name is taken); the log's next row opens a fresh
 * file. Returns the number of files rotated, or -1 if a rename failed (counted in io_errors). */
int log_set_rotate(struct log_set *set, time_t now, uint64_t min_bytes);

/* Zeek's rotated name, path.<open time>.log with Log::default_rotation_date_format
 * ("%Y-%m-%d-%H-%M-%S", local time, as #open): "conn.2026-11-23-11-00-00.log". Returns the
 * length, or -1 if it does not fit. */
int log_set_rotated_name(char *buf, size_t size, const char *path, time_t opened);

/* Flushes buffered rows to the files. */
void log_set_flush(struct log_set *set);

/* Writes #close lines, closes the files, frees the set. NULL is a no-op. */
void log_set_free(struct log_set *set);

#endif
