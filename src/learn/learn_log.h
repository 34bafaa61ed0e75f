/* learn/learn_log.h - reads Zeek logs back: TSV with #fields headers or JSON lines, plain or gzip. */
#ifndef PW_LEARN_LEARN_LOG_H
#define PW_LEARN_LEARN_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A reader is made for the columns its caller wants, by Zeek name ("id.orig_h", "answers");
 * each row gives those columns in that order, whatever order the file has them in. Values come
 * back in TSV spelling whichever format the file is: booleans "T"/"F", numbers as written, a
 * vector as its items. Both formats may be mixed in one file (concatenated logs). */

#define LEARN_LOG_MAX_FIELDS 16
#define LEARN_LOG_MAX_LINE   (1u << 20)  /* longer lines are skipped and counted as bad */

struct learn_val {
    const char *s;   /* the items, each NUL-terminated, back to back (next: s + strlen(s) + 1) */
    size_t      len; /* length of the first item */
    unsigned    n;   /* number of items: 1 for a scalar, 0 for an empty vector */
    bool        set; /* false: unset ('-', null, or the column is absent) */
};

struct learn_row {
    struct learn_val v[LEARN_LOG_MAX_FIELDS];
};

struct learn_log;

/* fields: n (at most LEARN_LOG_MAX_FIELDS) column names, borrowed for the reader's life. */
struct learn_log *learn_log_create(const char *const *fields, unsigned n);
void learn_log_free(struct learn_log *l);

/* One line without its newline (line is modified). Returns 1 when row was filled, 0 for a
 * header, comment or blank line, -1 for a line that is not a row (counted as bad). Row values
 * point into the reader and stay valid until the next call. */
int learn_log_line(struct learn_log *l, char *line, size_t len, struct learn_row *row);

/* Opens path (gzip or plain) for learn_log_next; TSV header state starts afresh. 0 or -1. */
int learn_log_open(struct learn_log *l, const char *path, char *err, size_t errlen);

/* The next row of the open file: 1 row, 0 end of file, -1 read error (err filled). */
int learn_log_next(struct learn_log *l, struct learn_row *row, char *err, size_t errlen);

/* Lines that were not rows (malformed, too long, TSV rows before any #fields line). */
uint64_t learn_log_bad_lines(const struct learn_log *l);

#endif
