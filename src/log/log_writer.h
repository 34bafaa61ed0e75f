/* log/log_writer.h - the writer ops table: how a format lays out headers, rows and footers. */
#ifndef PW_LOG_LOG_WRITER_H
#define PW_LOG_LOG_WRITER_H

#include <time.h>

#include "log/log_buf.h"
#include "log/log_schema.h"
#include "log/log_value.h"

/* Room a writer may need before the row text: TSV's "\x23" replaces a leading '#'. */
#define LOG_WRITER_ROW_PREFIX 3

struct log_writer {
    const char *name;
    /* Lines written when a file opens (wall time `opened`); NULL for none. */
    void (*header)(struct log_buf *b, const struct log_schema *s, time_t opened);
    /* One row with its '\n'. `path` non-NULL asks for a leading "_path" key (stdout JSON).
     * The row text starts at b->p + *start, which the writer sets. */
    void (*row)(struct log_buf *b, size_t *start, const struct log_schema *s, const void *rec,
                const char *path, struct log_budget *bg);
    /* Lines written when the file closes (wall time `closed`); NULL for none. */
    void (*footer)(struct log_buf *b, time_t closed);
};

extern const struct log_writer log_tsv_writer;
extern const struct log_writer log_json_writer;

/* True when field i of a record must be written unset. */
static inline bool log_writer_is_unset(const struct log_field *f, unsigned i, const void *rec)
{
    return (f->flags & LOG_OPTIONAL) && !(*(const uint64_t *)rec & ((uint64_t)1 << i));
}

#endif
