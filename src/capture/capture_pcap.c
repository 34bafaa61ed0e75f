/* capture/capture_pcap.c - reading classic pcap files in place, from memory (a mapped file). */
#include "capture/capture_int.h"
#include "util/bytes.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_USEC         0xA1B2C3D4u
#define MAGIC_NSEC         0xA1B23C4Du
#define MAGIC_USEC_SWAPPED 0xD4C3B2A1u
#define MAGIC_NSEC_SWAPPED 0x4D3CB2A1u

#define FILE_HEADER_LEN    24u
#define RECORD_HEADER_LEN  16u

/* The link-type field's upper bits carry FCS flags; the type is the rest (libpcap's LT_LINKTYPE). */
#define LINKTYPE_MASK      0x03FFFFFFu

/* libpcap's largest believable captured length for the link types we decode (MAXIMUM_SNAPLEN):
 * a record claiming more is damage, not a packet. */
#define MAX_CAPLEN         262144u

struct capture_pcap {
    const uint8_t *base;
    size_t         len;
    size_t         offset;       /* of the next record */
    uint64_t       records;      /* records returned so far, for messages */
    bool           swapped;
    bool           nsec;
    uint32_t       snaplen;
    int            link_type;
    char           err[256];
};

static uint32_t get32(const struct capture_pcap *p, const uint8_t *b)
{
    return p->swapped ? rd_be32(b) : rd_le32(b);
}

static enum capture_status fail(struct capture_pcap *p, enum capture_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Every message names the record and its offset, so a damaged file can be looked at with a hex
 * dump. */
static enum capture_status fail(struct capture_pcap *p, enum capture_status status, const char *fmt, ...)
{
    char what[160];
    va_list ap;

    va_start(ap, fmt);
    /* A false positive of clang-tidy 14 when one run analyses several compile entries of the file;
     * va_start is the line above. NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(p->err, sizeof(p->err), "record %llu at offset %zu: %s", (unsigned long long)p->records + 1,
             p->offset, what);
    return status;
}

bool capture_pcap_native(const uint8_t *buf, size_t len)
{
    uint32_t magic;

    if (len < FILE_HEADER_LEN)
        return false;
    magic = rd_le32(buf);
    if (magic != MAGIC_USEC && magic != MAGIC_NSEC && magic != MAGIC_USEC_SWAPPED && magic != MAGIC_NSEC_SWAPPED)
        return false;
    /* Version 2.4 only: older files may have the two lengths swapped, which libpcap sorts out. */
    if (magic == MAGIC_USEC || magic == MAGIC_NSEC)
        return rd_le16(buf + 4) == 2 && rd_le16(buf + 6) >= 4;
    return rd_be16(buf + 4) == 2 && rd_be16(buf + 6) >= 4;
}

struct capture_pcap *capture_pcap_open(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    struct capture_pcap *p;
    uint32_t magic;

    if (!capture_pcap_native(buf, len)) {
        snprintf(err, errlen, "not a pcap 2.4 file header");
        return NULL;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    magic = rd_le32(buf);
    p->swapped = magic == MAGIC_USEC_SWAPPED || magic == MAGIC_NSEC_SWAPPED;
    p->nsec = magic == MAGIC_NSEC || magic == MAGIC_NSEC_SWAPPED;
    p->base = buf;
    p->len = len;
    p->offset = FILE_HEADER_LEN;
    p->snaplen = get32(p, buf + 16);
    /* As libpcap: a zero or oversized snaplen in the header means "no limit we believe". */
    if (p->snaplen == 0 || p->snaplen > MAX_CAPLEN)
        p->snaplen = MAX_CAPLEN;
    p->link_type = (int)(get32(p, buf + 20) & LINKTYPE_MASK);
    return p;
}

enum capture_status capture_pcap_next(struct capture_pcap *p, struct capture_frame *frame)
{
    const uint8_t *rec;
    uint32_t sec, frac, caplen, wirelen;
    size_t left = p->len - p->offset;

    if (left == 0)
        return CAPTURE_END;
    if (left < RECORD_HEADER_LEN)
        return fail(p, CAPTURE_TRUNCATED, "file ends inside the record header (%zu of %u bytes)", left,
                    RECORD_HEADER_LEN);
    rec = p->base + p->offset;
    sec = get32(p, rec);
    frac = get32(p, rec + 4);
    caplen = get32(p, rec + 8);
    wirelen = get32(p, rec + 12);
    if (caplen > MAX_CAPLEN)
        return fail(p, CAPTURE_ERROR, "captured length %u is over the %u-byte maximum", caplen, MAX_CAPLEN);
    if (caplen > left - RECORD_HEADER_LEN)
        return fail(p, CAPTURE_TRUNCATED, "file ends inside the packet (%zu of %u captured bytes)",
                    left - RECORD_HEADER_LEN, caplen);
    p->offset += RECORD_HEADER_LEN + caplen;
    p->records++;
    __builtin_prefetch(p->base + p->offset);
    __builtin_prefetch(p->base + p->offset + 64);
    /* Kept to the µs, as Zeek (plain pcap_open_offline) sees a ns file: libpcap truncates. */
    frame->ts = (pw_time)sec * PW_SEC + (p->nsec ? (pw_time)(frac / 1000) * 1000 : (pw_time)frac * 1000);
    frame->data = rec + RECORD_HEADER_LEN;
    /* A record longer than the header's snaplen is cut to it, as libpcap does (files written
     * with a wrong snaplen exist). */
    frame->caplen = caplen < p->snaplen ? caplen : p->snaplen;
    frame->wirelen = wirelen;
    frame->link_type = p->link_type;
    return CAPTURE_FRAME;
}

const char *capture_pcap_error(const struct capture_pcap *p)
{
    return p->err;
}

void capture_pcap_close(struct capture_pcap *p)
{
    free(p);
}
