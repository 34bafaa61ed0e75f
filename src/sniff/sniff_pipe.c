/* sniff/sniff_pipe.c - framing of the worker-to-logger stream, both ends. */
#include "sniff/sniff_pipe.h"
#include "util/io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int sniff_pipe_out_init(struct sniff_pipe_out *o, int fd, size_t cap)
{
    memset(o, 0, sizeof(*o));
    o->fd = fd;
    o->cap = cap < 4096 ? 4096 : cap;
    o->buf = malloc(o->cap);
    return o->buf == NULL ? -1 : 0;
}

int sniff_pipe_out_flush(struct sniff_pipe_out *o)
{
    int rc = 0;

    if (o->len > 0 && io_write_all(o->fd, o->buf, o->len) != 0) {
        o->lost++;
        rc = -1;
    }
    o->len = 0;
    return rc;
}

void sniff_pipe_out_put(struct sniff_pipe_out *o, enum sniff_msg_kind kind, const struct log_schema *s,
                        enum log_format format, const void *body, size_t len)
{
    struct sniff_msg m = {.schema = (uint64_t)(uintptr_t)s, .len = (uint32_t)len, .kind = (uint8_t)kind,
                          .format = (uint8_t)format};

    if (len > SNIFF_PIPE_MAX_BODY) {
        o->lost++;
        return;
    }
    if (sizeof(m) + len > o->cap - o->len)
        sniff_pipe_out_flush(o);
    if (sizeof(m) + len > o->cap) {
        /* Larger than the whole buffer: straight through, header first. */
        if (io_write_all(o->fd, (const char *)&m, sizeof(m)) != 0 || io_write_all(o->fd, body, len) != 0)
            o->lost++;
        return;
    }
    memcpy(o->buf + o->len, &m, sizeof(m));
    if (len > 0)
        memcpy(o->buf + o->len + sizeof(m), body, len);
    o->len += sizeof(m) + len;
}

void sniff_pipe_out_fini(struct sniff_pipe_out *o)
{
    sniff_pipe_out_flush(o);
    free(o->buf);
    o->buf = NULL;
}

void sniff_pipe_sink(void *arg, const struct log_schema *s, enum log_format format, const char *row, size_t len)
{
    sniff_pipe_out_put(arg, SNIFF_MSG_ROW, s, format, row, len);
}

int sniff_pipe_in_init(struct sniff_pipe_in *in, int fd)
{
    memset(in, 0, sizeof(*in));
    in->fd = fd;
    in->cap = 2 * (sizeof(struct sniff_msg) + SNIFF_PIPE_MAX_BODY);
    in->buf = malloc(in->cap);
    return in->buf == NULL ? -1 : 0;
}

long sniff_pipe_in_read(struct sniff_pipe_in *in)
{
    ssize_t n;

    /* Whatever was consumed goes: the unread tail moves to the front. */
    if (in->off > 0) {
        memmove(in->buf, in->buf + in->off, in->len - in->off);
        in->len -= in->off;
        in->off = 0;
    }
    if (in->len == in->cap)
        return 0;
    n = read(in->fd, in->buf + in->len, in->cap - in->len);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    if (n == 0)
        in->eof = true;
    in->len += (size_t)n;
    return n;
}

bool sniff_pipe_in_next(struct sniff_pipe_in *in, struct sniff_msg *m, const char **body)
{
    size_t avail = in->len - in->off;

    if (in->broken || avail < sizeof(*m))
        return false;
    memcpy(m, in->buf + in->off, sizeof(*m));
    if (m->len > SNIFF_PIPE_MAX_BODY) {
        in->broken = true;
        return false;
    }
    if (avail < sizeof(*m) + m->len)
        return false;
    *body = in->buf + in->off + sizeof(*m);
    in->off += sizeof(*m) + m->len;
    return true;
}

void sniff_pipe_in_fini(struct sniff_pipe_in *in)
{
    free(in->buf);
    in->buf = NULL;
}
