/* output/redis_out.h - log rows to Redis streams (XADD, capped), buffered and replayed across outages. */
#ifndef PW_OUTPUT_REDIS_OUT_H
#define PW_OUTPUT_REDIS_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_set.h"

#define REDIS_OUT_DEFAULT_PORT    6379
#define REDIS_OUT_DEFAULT_PREFIX  "protowall:"
#define REDIS_OUT_DEFAULT_MAXLEN  100000u            /* Suricata's stream-maxlen default */
#define REDIS_OUT_DEFAULT_ROWS    100000u
#define REDIS_OUT_DEFAULT_BYTES   (64u * 1024u * 1024u)
#define REDIS_OUT_DEFAULT_BATCH   64u
#define REDIS_OUT_DEFAULT_FLUSH   100u               /* ms */
#define REDIS_OUT_DEFAULT_DRAIN   2000u              /* ms */

/* redis_out_config_init fills in the defaults; redis_out_create also takes a zero field (but
 * maxlen) as its default. */
struct redis_out_config {
    const char *host;            /* name or address, resolved once at create; "/path": a unix socket */
    int         port;
    const char *key_prefix;      /* stream key = key_prefix + log path: "protowall:conn" */
    uint64_t    maxlen;          /* XADD MAXLEN ~ maxlen; 0: no cap (config_init sets 100000) */
    uint32_t    buffer_rows;     /* rows held while unacknowledged (Redis down or slow) */
    size_t      buffer_bytes;    /* and their bytes, as XADD commands */
    uint32_t    batch;           /* rows gathered before a write to the socket */
    uint32_t    flush_ms;        /* or the oldest waiting row this old */
    uint32_t    reconnect_min_ms; /* first retry after a failed or lost connection (default 100) */
    uint32_t    reconnect_max_ms; /* retries back off, doubling, to this (default 1000) */
    uint32_t    drain_ms;        /* redis_out_drain's wait (default 2000) */
};

/* Every row handed over ends as exactly one of sent, dropped or rejected, or is still buffered. */
struct redis_out_stats {
    uint64_t rows;        /* handed to redis_out_row */
    uint64_t sent;        /* acknowledged: XADD answered with an entry id */
    uint64_t buffered;    /* not yet acknowledged */
    uint64_t dropped;     /* lost here: evicted from a full buffer (oldest first), bigger than the
                           * buffer, or still buffered when redis_out_free gave up */
    uint64_t rejected;    /* Redis answered with an error (the last one in last_error) */
    uint64_t retried;     /* rows sent again after a connection broke before their answer came:
                           * Redis may have added them already (at-least-once) */
    uint64_t reconnects;  /* connections made after the first */
    char     last_error[128];
};

void redis_out_config_init(struct redis_out_config *cfg);

/* "HOST[:PORT][,key_prefix=P][,maxlen=N][,buffer_rows=N][,buffer_bytes=N][,batch=N][,flush_ms=N]
 * [,drain_ms=N]" (maxlen=0: no cap) over cfg's current values; a HOST starting with '/' is a unix
 * socket. host and key_prefix point into spec. Returns 0, or -1 with the reason in err. */
int redis_out_parse_spec(char *spec, struct redis_out_config *cfg, char *err, size_t errlen);

/* Resolves the host, allocates the buffer, starts connecting (a server not up yet is no error:
 * rows wait in the buffer). Returns NULL with the reason in err on a bad config or no memory. */
struct redis_out *redis_out_create(const struct redis_out_config *cfg, char *err, size_t errlen);

/* Queues one row (a Zeek JSON line; a trailing '\n' is left out) for stream key_prefix+log_path,
 * then sends what is due without waiting: never blocks on the network. */
void redis_out_row(struct redis_out *r, const char *log_path, const char *json, size_t len);

/* A log_set tee (log_set_config.tee): arg is a struct redis_out, rows are JSON. */
void redis_out_tee(void *arg, const struct log_schema *s, enum log_format format, const char *row, size_t len);

/* Sends rows older than flush_ms, reads answers, reconnects when due; for an idle timer. */
void redis_out_poll(struct redis_out *r);

/* Sends everything buffered and waits up to timeout_ms (negative: the configured drain_ms) for
 * the answers, reconnecting as needed. Returns 0 when nothing is left, -1 otherwise. */
int redis_out_drain(struct redis_out *r, int timeout_ms);

void redis_out_stats(const struct redis_out *r, struct redis_out_stats *out);

/* Drains (drain_ms), counts what is left as dropped, closes, frees. NULL is a no-op. */
void redis_out_free(struct redis_out *r);

/* The XADD command for one row, in Redis protocol (RESP): XADD key [MAXLEN ~ maxlen] * json row.
 * Writes at most size bytes; returns the full length (as snprintf: larger than size means cut). */
size_t redis_out_format_xadd(char *buf, size_t size, const char *prefix, const char *path, const char *json,
                             size_t len, uint64_t maxlen);

#endif
