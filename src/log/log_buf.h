/* log/log_buf.h - a fixed-capacity text buffer that rows are formatted into, never grown. */
#ifndef PW_LOG_LOG_BUF_H
#define PW_LOG_LOG_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Appends past cap set `overflow` and are dropped: the caller checks once per row, so the
 * formatting code needs no error path at every byte. */
struct log_buf {
    char  *p;
    size_t len;
    size_t cap;
    bool   overflow;
};

static inline void log_buf_init(struct log_buf *b, char *mem, size_t cap)
{
    b->p = mem;
    b->len = 0;
    b->cap = cap;
    b->overflow = false;
}

static inline void log_buf_reset(struct log_buf *b)
{
    b->len = 0;
    b->overflow = false;
}

static inline void log_buf_add(struct log_buf *b, const void *s, size_t n)
{
    if (n == 0)
        return;
    if (n > b->cap - b->len) {
        b->overflow = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static inline void log_buf_addc(struct log_buf *b, char c)
{
    if (b->len == b->cap) {
        b->overflow = true;
        return;
    }
    b->p[b->len++] = c;
}

static inline void log_buf_adds(struct log_buf *b, const char *s)
{
    log_buf_add(b, s, strlen(s));
}

#endif
