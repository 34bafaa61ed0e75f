/* sniff/sniff_pipe.h - the worker-to-logger stream: formatted log rows and a few control messages. */
#ifndef PW_SNIFF_SNIFF_PIPE_H
#define PW_SNIFF_SNIFF_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_set.h"

enum sniff_msg_kind {
    SNIFF_MSG_ROW = 1,      /* a formatted row of schema, in format */
    SNIFF_MSG_READY = 2,    /* the worker's capture is running */
    SNIFF_MSG_SUMMARY = 3,  /* struct sniff_summary, sent once before the worker exits */
    SNIFF_MSG_ERROR = 4,    /* why the worker could not go on (text) */
    SNIFF_MSG_NOTE = 5,     /* something to say that does not stop the worker (text) */
};

/* Each message is this header and len bytes. The schema travels as its address: workers are
 * forked from the logger without exec, so the tables sit at the same addresses in both. */
struct sniff_msg {
    uint64_t schema;
    uint32_t len;
    uint8_t  kind;
    uint8_t  format;
    uint16_t pad;
};

struct sniff_summary {
    uint64_t frames, flows_logged, weirds, notices;
    uint64_t kernel_drops, user_drops;
};

/* Largest message body: a row at the log set's line cap. */
#define SNIFF_PIPE_MAX_BODY (1280u * 1024u)

/* Worker side: messages are gathered and written in large pieces (the worker blocks when the
 * logger falls behind, and the kernel's ring absorbs the burst). */
struct sniff_pipe_out {
    int      fd;
    char    *buf;
    size_t   len, cap;
    uint64_t lost;    /* messages a failed write lost */
};

int sniff_pipe_out_init(struct sniff_pipe_out *o, int fd, size_t cap);
void sniff_pipe_out_put(struct sniff_pipe_out *o, enum sniff_msg_kind kind, const struct log_schema *s,
                        enum log_format format, const void *body, size_t len);
/* Writes out what is gathered; 0, or -1 if the logger is gone. */
int sniff_pipe_out_flush(struct sniff_pipe_out *o);
void sniff_pipe_out_fini(struct sniff_pipe_out *o);

/* The log set sink that sends rows (arg: a struct sniff_pipe_out). */
void sniff_pipe_sink(void *arg, const struct log_schema *s, enum log_format format, const char *row, size_t len);

/* Logger side: bytes read from a non-blocking pipe, cut into messages. */
struct sniff_pipe_in {
    int    fd;
    char  *buf;
    size_t len, off, cap;
    bool   eof;
    bool   broken;    /* a header announced more than SNIFF_PIPE_MAX_BODY: the stream is lost */
};

int sniff_pipe_in_init(struct sniff_pipe_in *in, int fd);
/* Reads what the pipe holds (up to the buffer's room). Returns bytes read, 0 at end of stream or
 * when nothing is there, -1 on error. */
long sniff_pipe_in_read(struct sniff_pipe_in *in);
/* The next whole message: true with *m and *body (valid until the next read), false if none. */
bool sniff_pipe_in_next(struct sniff_pipe_in *in, struct sniff_msg *m, const char **body);
void sniff_pipe_in_fini(struct sniff_pipe_in *in);

#endif
