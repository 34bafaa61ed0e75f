/* capture/capture_pcapng.c - reading pcapng files natively: per-interface link types, snaplens and clocks. */
#include "capture/capture_int.h"
#include "util/bytes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BT_PB    0x00000002u   /* obsolete Packet Block */
#define BT_IDB   0x00000001u
#define BT_SPB   0x00000003u
#define BT_EPB   0x00000006u
#define BT_SHB   CAPTURE_PCAPNG_MAGIC

#define BYTE_ORDER_MAGIC  0x1A2B3C4Du

#define OPT_ENDOFOPT   0
#define OPT_TSRESOL    9
#define OPT_TSOFFSET   14

#define TSRESOL_BINARY 0x80

/* Room for a full-size Ethernet frame and then some; anything bigger grows the buffer once. */
#define BUF_INITIAL    (64u * 1024)

struct pcapng_iface {
    int      link_type;
    uint32_t snaplen;    /* 0: no limit */
    uint64_t units;      /* timestamp ticks per second */
    uint8_t  exp;        /* units is 10^exp, or 2^exp when binary */
    bool     binary;
    int64_t  tsoffset;   /* seconds added to every timestamp */
};

struct capture_pcapng {
    FILE               *fp;           /* read through stdio (a pipe, a device) ... */
    const uint8_t      *mem;          /* ... or in place from memory the caller keeps mapped */
    size_t              mem_len;
    const uint8_t      *blk;          /* the current block: in buf, or in mem */
    uint8_t            *buf;
    uint32_t            bufsize;
    bool                big_endian;   /* the current section's byte order */
    uint64_t            offset;       /* file offset of the next block */
    uint64_t            block_off;    /* file offset of the block being parsed */
    uint32_t            niface;
    struct pcapng_iface iface[CAPTURE_PCAPNG_MAX_IFACES];
    char                err[256];
};

/* What read_block found, beside the errors of enum capture_status. */
enum block_result {
    BLOCK_OK = 1,
    BLOCK_EOF = 0,
};

static uint16_t get16(const struct capture_pcapng *ng, const uint8_t *p)
{
    return ng->big_endian ? rd_be16(p) : rd_le16(p);
}

static uint32_t get32(const struct capture_pcapng *ng, const uint8_t *p)
{
    return ng->big_endian ? rd_be32(p) : rd_le32(p);
}

static uint64_t get64(const struct capture_pcapng *ng, const uint8_t *p)
{
    if (ng->big_endian)
        return (uint64_t)get32(ng, p) << 32 | get32(ng, p + 4);
    return (uint64_t)get32(ng, p + 4) << 32 | get32(ng, p);
}

static const char *block_name(uint32_t type)
{
    switch (type) {
    case BT_SHB: return "section header";
    case BT_IDB: return "interface description";
    case BT_EPB: return "enhanced packet";
    case BT_SPB: return "simple packet";
    case BT_PB:  return "packet";
    default:     return "other";
    }
}

static int fail(struct capture_pcapng *ng, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Every message names the block's offset, so a damaged file can be looked at with a hex dump. */
static int fail(struct capture_pcapng *ng, int status, const char *fmt, ...)
{
    char what[160];
    va_list ap;

    va_start(ap, fmt);
    /* A false positive of clang-tidy 14 that shows only when one run analyses this file's several
     * compile entries in turn; va_start is just above. NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(ng->err, sizeof(ng->err), "pcapng block at offset %llu: %s",
             (unsigned long long)ng->block_off, what);
    return status;
}

/* Reads exactly len bytes; a short read is a cut file unless the stream reports an error. */
static int read_exact(struct capture_pcapng *ng, uint8_t *dst, size_t len, const char *what)
{
    size_t n = fread(dst, 1, len, ng->fp);

    ng->offset += n;
    if (n == len)
        return BLOCK_OK;
    if (ferror(ng->fp))
        return fail(ng, CAPTURE_ERROR, "%s", strerror(errno));
    return fail(ng, CAPTURE_TRUNCATED, "file ends inside the %s block (%zu bytes missing)", what, len - n);
}

/* need is at most CAPTURE_PCAPNG_MAX_BLOCK (check_length), and so is the buffer. */
static int grow_buffer(struct capture_pcapng *ng, uint32_t need)
{
    uint32_t size = ng->bufsize;
    uint8_t *p;

    while (size < need)
        size = size > CAPTURE_PCAPNG_MAX_BLOCK / 2 ? CAPTURE_PCAPNG_MAX_BLOCK : size * 2;
    p = realloc(ng->buf, size);
    if (p == NULL)
        return fail(ng, CAPTURE_ERROR, "out of memory for a block of %u bytes", need);
    ng->buf = p;
    ng->bufsize = size;
    return BLOCK_OK;
}

/* An SHB's byte-order magic sets the section's order: its length is written in it. */
static int section_order(struct capture_pcapng *ng, const uint8_t *bom_bytes)
{
    uint32_t bom = rd_be32(bom_bytes);

    if (bom == BYTE_ORDER_MAGIC)
        ng->big_endian = true;
    else if (bom == __builtin_bswap32(BYTE_ORDER_MAGIC))
        ng->big_endian = false;
    else
        return fail(ng, CAPTURE_ERROR, "bad byte-order magic 0x%08x in a section header", bom);
    return BLOCK_OK;
}

/* The checks every block's framing gets, read from stdio or from memory alike. */
static int check_length(struct capture_pcapng *ng, uint32_t type, uint32_t total)
{
    if (total % 4 != 0 || total < 12 || (type == BT_SHB && total < 28))
        return fail(ng, CAPTURE_ERROR, "bad length %u for a %s block", total, block_name(type));
    if (total > CAPTURE_PCAPNG_MAX_BLOCK)
        return fail(ng, CAPTURE_ERROR, "block length %u is over the %u-byte cap", total, CAPTURE_PCAPNG_MAX_BLOCK);
    return BLOCK_OK;
}

static int check_trailer(struct capture_pcapng *ng, uint32_t total)
{
    if (get32(ng, ng->blk + total - 4) != total)
        return fail(ng, CAPTURE_ERROR, "trailing length %u differs from the leading %u", get32(ng, ng->blk + total - 4),
                    total);
    return BLOCK_OK;
}

/* The next block in place, with the same messages as the stdio path for a file cut short. */
static int read_block_mem(struct capture_pcapng *ng, uint32_t *type, uint32_t *total)
{
    size_t left = ng->mem_len - ng->offset;
    const uint8_t *p = ng->mem + ng->offset;
    int r;

    ng->block_off = ng->offset;
    if (left == 0)
        return BLOCK_EOF;
    if (left < 8) {
        ng->offset = ng->mem_len;
        return fail(ng, CAPTURE_TRUNCATED, "file ends inside a block header (%zu of 8 bytes)", left);
    }
    if (capture_pcapng_magic(p, left)) {
        if (left < 12) {
            ng->offset = ng->mem_len;
            return fail(ng, CAPTURE_TRUNCATED, "file ends inside the section header block (%zu bytes missing)",
                        12 - left);
        }
        if ((r = section_order(ng, p + 8)) != BLOCK_OK)
            return r;
    }
    *type = get32(ng, p);
    *total = get32(ng, p + 4);
    if ((r = check_length(ng, *type, *total)) != BLOCK_OK)
        return r;
    if (*total > left) {
        ng->offset = ng->mem_len;
        return fail(ng, CAPTURE_TRUNCATED, "file ends inside the %s block (%zu bytes missing)", block_name(*type),
                    *total - left);
    }
    ng->blk = p;
    ng->offset += *total;
    return check_trailer(ng, *total);
}

/* Reads one whole block into ng->buf and checks its framing. An SHB switches the byte order
 * before its length is read, since the length is written in the new section's order. */
static int read_block(struct capture_pcapng *ng, uint32_t *type, uint32_t *total)
{
    uint8_t hdr[12];
    uint32_t have = 8;
    size_t n;
    int r;

    if (ng->mem != NULL)
        return read_block_mem(ng, type, total);
    ng->block_off = ng->offset;
    n = fread(hdr, 1, 8, ng->fp);
    ng->offset += n;
    if (n == 0 && !ferror(ng->fp))
        return BLOCK_EOF;
    if (n < 8) {
        if (ferror(ng->fp))
            return fail(ng, CAPTURE_ERROR, "%s", strerror(errno));
        return fail(ng, CAPTURE_TRUNCATED, "file ends inside a block header (%zu of 8 bytes)", n);
    }
    if (capture_pcapng_magic(hdr, n)) {
        r = read_exact(ng, hdr + 8, 4, "section header");
        if (r != BLOCK_OK)
            return r;
        have = 12;
        if ((r = section_order(ng, hdr + 8)) != BLOCK_OK)
            return r;
    }
    *type = get32(ng, hdr);
    *total = get32(ng, hdr + 4);
    if ((r = check_length(ng, *type, *total)) != BLOCK_OK)
        return r;
    if (*total > ng->bufsize && (r = grow_buffer(ng, *total)) != BLOCK_OK)
        return r;
    memcpy(ng->buf, hdr, have);
    r = read_exact(ng, ng->buf + have, *total - have, block_name(*type));
    if (r != BLOCK_OK)
        return r;
    ng->blk = ng->buf;
    return check_trailer(ng, *total);
}

static int parse_shb(struct capture_pcapng *ng, const uint8_t *body, uint32_t len)
{
    uint16_t major = get16(ng, body + 4);

    if (major != 1)
        return fail(ng, CAPTURE_ERROR, "unsupported pcapng version %u.%u", major, get16(ng, body + 6));
    /* Interface ids are per section: the next section's IDBs start again at 0. */
    ng->niface = 0;
    return BLOCK_OK;
}

static int parse_tsresol(struct capture_pcapng *ng, struct pcapng_iface *ifc, uint8_t v)
{
    unsigned i;

    ifc->binary = (v & TSRESOL_BINARY) != 0;
    ifc->exp = v & ~TSRESOL_BINARY;
    /* The unit count must fit in 64 bits: 2^63 and 10^19 are the largest. */
    if ((ifc->binary && ifc->exp > 63) || (!ifc->binary && ifc->exp > 19))
        return fail(ng, CAPTURE_ERROR, "if_tsresol 0x%02x is too fine to represent", v);
    ifc->units = 1;
    for (i = 0; i < ifc->exp; i++)
        ifc->units *= ifc->binary ? 2 : 10;
    return BLOCK_OK;
}

static int parse_idb(struct capture_pcapng *ng, const uint8_t *body, uint32_t len)
{
    struct pcapng_iface *ifc;
    uint32_t off = 8, olen, padded;
    uint16_t code;
    int r;

    if (len < 8)
        return fail(ng, CAPTURE_ERROR, "interface description body of %u bytes is too short", len);
    if (ng->niface >= CAPTURE_PCAPNG_MAX_IFACES)
        return fail(ng, CAPTURE_ERROR, "more than %u interfaces in one section",
                    CAPTURE_PCAPNG_MAX_IFACES);
    ifc = &ng->iface[ng->niface];
    memset(ifc, 0, sizeof(*ifc));
    ifc->link_type = get16(ng, body);
    ifc->snaplen = get32(ng, body + 4);
    ifc->units = 1000000;
    ifc->exp = 6;
    while (len - off >= 4) {
        code = get16(ng, body + off);
        olen = get16(ng, body + off + 2);
        off += 4;
        if (code == OPT_ENDOFOPT)
            break;
        padded = (olen + 3) & ~3u;
        if (padded > len - off)
            return fail(ng, CAPTURE_ERROR, "option %u of %u bytes runs past the block", code, olen);
        if (code == OPT_TSRESOL) {
            if (olen != 1)
                return fail(ng, CAPTURE_ERROR, "if_tsresol of %u bytes, expected 1", olen);
            if ((r = parse_tsresol(ng, ifc, body[off])) != BLOCK_OK)
                return r;
        } else if (code == OPT_TSOFFSET) {
            if (olen != 8)
                return fail(ng, CAPTURE_ERROR, "if_tsoffset of %u bytes, expected 8", olen);
            ifc->tsoffset = (int64_t)get64(ng, body + off);
        }
        off += padded;
    }
    ng->niface++;
    return BLOCK_OK;
}

/* The fraction of a second, in ticks of the interface clock, as whole nanoseconds (truncated,
 * as libpcap truncates when it scales down). */
static uint64_t frac_to_ns(const struct pcapng_iface *ifc, uint64_t frac)
{
    uint64_t a, b, div = 1;
    unsigned i;

    if (!ifc->binary) {
        if (ifc->exp <= 9) {
            for (i = ifc->exp; i < 9; i++)
                frac *= 10;
            return frac;
        }
        for (i = 9; i < ifc->exp; i++)
            div *= 10;
        return frac / div;
    }
    /* frac < 2^exp, so frac * 10^9 fits 64 bits below 2^32; above, split frac into 32-bit
     * halves so each product fits, and carry the low half's share into the high one. */
    if (ifc->exp < 32)
        return (frac * (uint64_t)PW_SEC) >> ifc->exp;
    a = (frac >> 32) * (uint64_t)PW_SEC;
    b = (frac & 0xffffffffu) * (uint64_t)PW_SEC;
    return (a + (b >> 32)) >> (ifc->exp - 32);
}

/* Ticks since the epoch to pw_time, kept to the microsecond as capture_file.c keeps libpcap's
 * stamps: Zeek reads pcapng through libpcap at µs precision, which truncates. */
static int to_time(struct capture_pcapng *ng, const struct pcapng_iface *ifc, uint64_t t, pw_time *ts)
{
    uint64_t usec = frac_to_ns(ifc, t % ifc->units) / 1000;
    uint64_t secs = t / ifc->units;
    int64_t s, r;

    if (secs > (uint64_t)INT64_MAX || __builtin_add_overflow((int64_t)secs, ifc->tsoffset, &s) ||
        __builtin_mul_overflow(s, PW_SEC, &r) ||
        __builtin_add_overflow(r, (int64_t)usec * PW_USEC, &r))
        return fail(ng, CAPTURE_ERROR, "timestamp %llu is out of range", (unsigned long long)t);
    *ts = r;
    return BLOCK_OK;
}

/* EPB and the obsolete PB share a layout after the interface id: ts high, ts low, caplen, len. */
static int parse_packet(struct capture_pcapng *ng, uint32_t type, const uint8_t *body, uint32_t len,
                        struct capture_frame *frame)
{
    const struct pcapng_iface *ifc;
    uint32_t ifid, caplen;
    uint64_t t;
    int r;

    if (len < 20)
        return fail(ng, CAPTURE_ERROR, "packet body of %u bytes is too short", len);
    ifid = type == BT_PB ? get16(ng, body) : get32(ng, body);
    if (ifid >= ng->niface)
        return fail(ng, CAPTURE_ERROR, "packet on interface %u, but the section describes %u",
                    ifid, ng->niface);
    ifc = &ng->iface[ifid];
    caplen = get32(ng, body + 12);
    if (caplen > len - 20)
        return fail(ng, CAPTURE_ERROR, "captured length %u is more than the %u bytes in the block",
                    caplen, len - 20);
    t = (uint64_t)get32(ng, body + 4) << 32 | get32(ng, body + 8);
    if ((r = to_time(ng, ifc, t, &frame->ts)) != BLOCK_OK)
        return r;
    frame->data = body + 20;
    frame->caplen = caplen;
    frame->wirelen = get32(ng, body + 16);
    frame->link_type = ifc->link_type;
    return CAPTURE_FRAME;
}

/* An SPB has no interface id, no timestamp and no captured length: interface 0, time 0, and
 * as much of the packet as the snaplen and the block hold. */
static int parse_spb(struct capture_pcapng *ng, const uint8_t *body, uint32_t len,
                     struct capture_frame *frame)
{
    uint32_t wirelen, caplen;

    if (len < 4)
        return fail(ng, CAPTURE_ERROR, "simple packet body of %u bytes is too short", len);
    if (ng->niface == 0)
        return fail(ng, CAPTURE_ERROR, "simple packet before any interface description");
    wirelen = get32(ng, body);
    caplen = wirelen;
    if (ng->iface[0].snaplen != 0 && caplen > ng->iface[0].snaplen)
        caplen = ng->iface[0].snaplen;
    if (caplen > len - 4)
        return fail(ng, CAPTURE_ERROR, "packet length %u is more than the %u bytes in the block",
                    caplen, len - 4);
    frame->ts = 0;
    frame->data = body + 4;
    frame->caplen = caplen;
    frame->wirelen = wirelen;
    frame->link_type = ng->iface[0].link_type;
    return CAPTURE_FRAME;
}

/* Reads the first block, which must be a section header. */
static struct capture_pcapng *open_section(struct capture_pcapng *ng, char *err, size_t errlen)
{
    uint32_t type, total;
    int r;

    r = read_block(ng, &type, &total);
    if (r == BLOCK_OK && type != BT_SHB)
        r = fail(ng, CAPTURE_ERROR, "the file does not start with a section header");
    if (r == BLOCK_OK)
        r = parse_shb(ng, ng->blk + 8, total - 12);
    if (r != BLOCK_OK) {
        snprintf(err, errlen, "not a readable pcapng capture (%s)",
                 r == BLOCK_EOF ? "empty file" : ng->err);
        capture_pcapng_close(ng);
        return NULL;
    }
    return ng;
}

struct capture_pcapng *capture_pcapng_open(FILE *fp, char *err, size_t errlen)
{
    struct capture_pcapng *ng = calloc(1, sizeof(*ng));

    if (ng == NULL || (ng->buf = malloc(BUF_INITIAL)) == NULL) {
        free(ng);
        fclose(fp);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ng->fp = fp;
    ng->bufsize = BUF_INITIAL;
    return open_section(ng, err, errlen);
}

struct capture_pcapng *capture_pcapng_open_mem(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    struct capture_pcapng *ng = calloc(1, sizeof(*ng));

    if (ng == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ng->mem = buf;
    ng->mem_len = len;
    return open_section(ng, err, errlen);
}

enum capture_status capture_pcapng_next(struct capture_pcapng *ng, struct capture_frame *frame)
{
    uint32_t type, total;
    int r;

    for (;;) {
        r = read_block(ng, &type, &total);
        if (r == BLOCK_EOF)
            return CAPTURE_END;
        if (r != BLOCK_OK)
            return (enum capture_status)r;
        switch (type) {
        case BT_SHB:
            r = parse_shb(ng, ng->blk + 8, total - 12);
            break;
        case BT_IDB:
            r = parse_idb(ng, ng->blk + 8, total - 12);
            break;
        case BT_EPB:
        case BT_PB:
            return (enum capture_status)parse_packet(ng, type, ng->blk + 8, total - 12, frame);
        case BT_SPB:
            return (enum capture_status)parse_spb(ng, ng->blk + 8, total - 12, frame);
        default:
            /* NRB, ISB, DSB (TLS keys), custom and unknown blocks carry nothing we log. */
            r = BLOCK_OK;
            break;
        }
        if (r != BLOCK_OK)
            return (enum capture_status)r;
    }
}

const char *capture_pcapng_error(const struct capture_pcapng *ng)
{
    return ng->err;
}

void capture_pcapng_close(struct capture_pcapng *ng)
{
    if (ng == NULL)
        return;
    if (ng->fp != NULL)
        fclose(ng->fp);
    free(ng->buf);
    free(ng);
}
