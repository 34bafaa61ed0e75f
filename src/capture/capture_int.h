/* capture/capture_int.h - private to capture/: the native pcap and pcapng readers behind capture_file_open. */
#ifndef PW_CAPTURE_CAPTURE_INT_H
#define PW_CAPTURE_CAPTURE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/capture.h"

/* The first 4 bytes of a pcapng file: the Section Header Block type, the same in both byte
 * orders. */
#define CAPTURE_PCAPNG_MAGIC   0x0A0D0D0Au

/* Whether the n bytes at buf start a pcapng section (its magic reads the same either way round). */
static inline bool capture_pcapng_magic(const uint8_t *buf, size_t n)
{
    return n >= 4 && buf[0] == 0x0A && buf[1] == 0x0D && buf[2] == 0x0D && buf[3] == 0x0A;
}

/* Hostile-input limits: a block longer than this is garbage, not a packet. */
#define CAPTURE_PCAPNG_MAX_BLOCK   (16u * 1024 * 1024)
#define CAPTURE_PCAPNG_MAX_IFACES  256

struct capture_pcapng;

/* Takes fp (positioned at the Section Header Block) and reads that block. fp is closed on
 * failure, with a message in err. */
struct capture_pcapng *capture_pcapng_open(FILE *fp, char *err, size_t errlen);

/* The same, read in place from buf (a mapped file), which must stay valid and unchanged until
 * capture_pcapng_close: no copy per block. */
struct capture_pcapng *capture_pcapng_open_mem(const uint8_t *buf, size_t len, char *err, size_t errlen);

enum capture_status capture_pcapng_next(struct capture_pcapng *ng, struct capture_frame *frame);

const char *capture_pcapng_error(const struct capture_pcapng *ng);

void capture_pcapng_close(struct capture_pcapng *ng);

/* Classic pcap (version 2.4, µs or ns stamps, either byte order) read in place from memory the
 * caller keeps mapped: no copy per packet, and a reader that skips most packets (a sniff -r
 * worker keeping its share of the flows) touches little more than their headers. */
struct capture_pcap;

/* Whether buf starts with a file header capture_pcap_open takes; other pcap variants (modified,
 * Navtel, version 2.3 and older) are left to libpcap. */
bool capture_pcap_native(const uint8_t *buf, size_t len);

/* buf must stay valid and unchanged until capture_pcap_close. */
struct capture_pcap *capture_pcap_open(const uint8_t *buf, size_t len, char *err, size_t errlen);

enum capture_status capture_pcap_next(struct capture_pcap *p, struct capture_frame *frame);

const char *capture_pcap_error(const struct capture_pcap *p);

void capture_pcap_close(struct capture_pcap *p);

#endif
