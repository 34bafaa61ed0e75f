/* log/log_tsv.c - the Zeek ASCII (TSV) writer: # meta lines, tab-separated rows, #close. */
#include "log/log_writer.h"

#include <stdio.h>

static void add_wall_time(struct log_buf *b, time_t t)
{
    struct tm tm;
    char tmp[64];
    size_t n;

    if (localtime_r(&t, &tm) == NULL)
        return;
    n = strftime(tmp, sizeof(tmp), "%Y-%m-%d-%H-%M-%S", &tm);
    log_buf_add(b, tmp, n);
}

static void tsv_header(struct log_buf *b, const struct log_schema *s, time_t opened)
{
    uint32_t i;

    log_buf_adds(b, "#separator \\x09\n"
                    "#set_separator\t,\n"
                    "#empty_field\t(empty)\n"
                    "#unset_field\t-\n"
                    "#path\t");
    log_buf_adds(b, s->path);
    log_buf_adds(b, "\n#open\t");
    add_wall_time(b, opened);
    log_buf_adds(b, "\n#fields");
    for (i = 0; i < s->nfields; i++) {
        log_buf_addc(b, '\t');
        log_buf_adds(b, s->fields[i].name);
    }
    log_buf_adds(b, "\n#types");
    for (i = 0; i < s->nfields; i++) {
        log_buf_addc(b, '\t');
        log_buf_adds(b, log_value_type_name(s->fields[i].type));
    }
    log_buf_addc(b, '\n');
}

static void tsv_row(struct log_buf *b, size_t *start, const struct log_schema *s,
                    const void *rec, const char *path, struct log_budget *bg)
{
    size_t first = b->len + LOG_WRITER_ROW_PREFIX;
    uint32_t i;

    /* Leave room to turn a leading '#' into "\x23" without moving the row. */
    log_buf_add(b, "   ", LOG_WRITER_ROW_PREFIX);
    for (i = 0; i < s->nfields; i++) {
        const struct log_field *f = &s->fields[i];

        if (i > 0)
            log_buf_addc(b, '\t');
        if (log_writer_is_unset(f, i, rec))
            log_buf_addc(b, '-');
        else
            log_value_tsv(b, f->type, (const char *)rec + f->offset, bg);
    }
    log_buf_addc(b, '\n');
    *start = first;
    if (!b->overflow && b->len > first && b->p[first] == '#') {
        /* A data line must never look like a meta line. */
        memcpy(b->p + first - LOG_WRITER_ROW_PREFIX, "\\x23", 4);
        *start = first - LOG_WRITER_ROW_PREFIX;
    }
}

static void tsv_footer(struct log_buf *b, time_t closed)
{
    log_buf_adds(b, "#close\t");
    add_wall_time(b, closed);
    log_buf_addc(b, '\n');
}

const struct log_writer log_tsv_writer = {
    .name = "tsv",
    .header = tsv_header,
    .row = tsv_row,
    .footer = tsv_footer,
};
