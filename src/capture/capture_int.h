/* capture/capture_int.h - private to capture/: the native pcapng reader behind capture_file_open. */
#ifndef PW_CAPTURE_CAPTURE_INT_H
#define PW_CAPTURE_CAPTURE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/capture.h"

/* The first 4 bytes of a pcapng file: the Section Header Block type, the same in both byte
 * orders. */
#define CAPTURE_PCAPNG_MAGIC   0x0A0D0D0Au

/* Hostile-input limits: a block longer than this is garbage, not a packet. */
#define CAPTURE_PCAPNG_MAX_BLOCK   (16u * 1024 * 1024)
#define CAPTURE_PCAPNG_MAX_IFACES  256

struct capture_pcapng;

/* Takes fp (positioned at the Section Header Block) and reads that block. fp is closed on
 * failure, with a message in err. */
struct capture_pcapng *capture_pcapng_open(FILE *fp, char *err, size_t errlen);

enum capture_status capture_pcapng_next(struct capture_pcapng *ng, struct capture_frame *frame);

const char *capture_pcapng_error(const struct capture_pcapng *ng);

void capture_pcapng_close(struct capture_pcapng *ng);

#endif
