/* log/log_json.c - the Zeek JSON writer: one object per line, keys in column order. */
#include "log/log_writer.h"

static void json_row(struct log_buf *b, size_t *start, const struct log_schema *s,
                     const void *rec, const char *path, struct log_budget *bg)
{
    bool first = true;
    uint32_t i;

    *start = b->len;
    log_buf_addc(b, '{');
    if (path != NULL) {
        log_buf_add(b, "\"_path\":", 8);
        log_value_str_json(b, path, strlen(path));
        first = false;
    }
    for (i = 0; i < s->nfields; i++) {
        const struct log_field *f = &s->fields[i];

        /* Zeek leaves unset optional fields out (json_include_unset_fields=F). */
        if (log_writer_is_unset(f, i, rec))
            continue;
        if (!first)
            log_buf_addc(b, ',');
        first = false;
        log_buf_addc(b, '"');
        log_buf_adds(b, f->name);
        log_buf_add(b, "\":", 2);
        log_value_json(b, f->type, (const char *)rec + f->offset, bg);
    }
    log_buf_add(b, "}\n", 2);
}

const struct log_writer log_json_writer = {
    .name = "json",
    .header = NULL,
    .row = json_row,
    .footer = NULL,
};
