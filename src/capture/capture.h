/* capture/capture.h - where packets come from: one ops table, rows for files and live sources. */
#ifndef PW_CAPTURE_CAPTURE_H
#define PW_CAPTURE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "util/pw_time.h"

struct capture_frame {
    pw_time        ts;
    const uint8_t *data;      /* borrowed until the next capture_next */
    uint32_t       caplen;
    uint32_t       wirelen;
    int            link_type; /* LINKTYPE_ number of the source */
};

enum capture_status {
    CAPTURE_FRAME = 1,    /* *frame is filled */
    CAPTURE_END = 0,      /* no more frames */
    CAPTURE_TRUNCATED = -1, /* the source ended mid-frame (a cut capture file) */
    CAPTURE_ERROR = -2,   /* read error; message available */
};

struct capture;

/* Opens a capture file (pcap with µs or ns stamps, or pcapng). NULL on failure, with a
 * message naming the problem in err (the caller adds the file name). */
struct capture *capture_file_open(const char *path, char *err, size_t errlen);

enum capture_status capture_next(struct capture *c, struct capture_frame *frame);

/* The last error text of a CAPTURE_TRUNCATED or CAPTURE_ERROR. */
const char *capture_error(const struct capture *c);

void capture_close(struct capture *c);

#endif
