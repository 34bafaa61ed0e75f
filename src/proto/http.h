/* proto/http.h - what the HTTP analyzer offers the rest of protowall: a hook that sees every
 * header of every message (for detectors) and its counters. */
#ifndef PW_PROTO_HTTP_H
#define PW_PROTO_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"

struct session;

/* Called for every header line of every request (FLOW_DIR_ORIG) and reply (FLOW_DIR_RESP),
 * chunked trailers included, with the name as sent and the value after the colon and leading
 * blanks (folded lines joined). The strings are not NUL-terminated and live only during the
 * call. NULL (the default): nobody listens. */
extern void (*http_header_hook)(struct session *s, enum flow_dir dir, const char *name, size_t nlen,
                                const char *value, size_t vlen);

/* HTTP::default_capture_password: log the Basic password too (default false). */
extern bool http_capture_password;

/* Every cap the analyzer can hit, counted since start. */
struct http_stats {
    uint64_t long_lines;        /* lines over HTTP_LINE_MAX, cut */
    uint64_t many_headers;      /* headers past HTTP_HEADERS_MAX in one message, not interpreted */
    uint64_t pipelining_flush;  /* HTTP_excessive_pipelining flushes */
    uint64_t slots_full;        /* transactions logged early because their slot was needed */
    uint64_t arena_full;        /* log strings cut for lack of room */
    uint64_t inflate_refused;   /* compressed bodies not decoded: too many decoders in use */
    uint64_t inflate_cut;       /* decoded bodies stopped at HTTP_INFLATE_MAX */
    uint64_t inflate_failed;    /* corrupt compressed bodies */
};

void http_stats_get(struct http_stats *out);

#endif
