/* decode/decode.c - the decoder object and the link layers: Ethernet/VLAN, Linux cooked, raw, BSD null/loop. */
#include "decode/decode.h"

#include <stdlib.h>
#include <string.h>

#include "decode/decode_int.h"
#include "util/bytes.h"

#define ETH_HDR_LEN      14
#define VLAN_TAG_LEN     4
#define SLL_HDR_LEN      16
#define SLL2_HDR_LEN     20
#define NULL_HDR_LEN     4

#define ETHERTYPE_IPV4   0x0800
#define ETHERTYPE_IPV6   0x86dd
#define ETHERTYPE_VLAN   0x8100
#define ETHERTYPE_QINQ   0x88a8
#define ETHERTYPE_QINQ2  0x9100

/* pcap's DLT_RAW as some platforms number it; libpcap maps both to LINKTYPE_RAW in files, but a
 * live handle may still report the DLT value. */
#define LINK_DLT_RAW_12  12
#define LINK_DLT_RAW_14  14

/* BSD AF_ values seen in null/loop headers: AF_INET is 2 everywhere, AF_INET6 differs by OS. */
#define BSD_AF_INET      2
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FBSD 28
#define BSD_AF_INET6_OSX 30

struct decoder *decoder_create(const struct decoder_config *cfg)
{
    struct decoder *d = calloc(1, sizeof(*d));

    if (d == NULL)
        return NULL;
    d->cfg = *cfg;
    d->frag = frag_create(cfg);
    if (d->frag == NULL) {
        free(d);
        return NULL;
    }
    return d;
}

void decoder_free(struct decoder *d)
{
    if (d == NULL)
        return;
    frag_free(d->frag);
    free(d);
}

void decode_weird(struct decoder *d, enum weird_id id, const struct packet *p, const char *addl)
{
    if (d->cfg.on_weird != NULL)
        d->cfg.on_weird(d->cfg.weird_ctx, id, p, addl);
}

enum decode_result decode_ip(struct decoder *d, struct packet *p, const uint8_t *data, uint32_t caplen,
                             uint32_t wirelen, bool reassembled)
{
    /* Zeek's IP analyzer reads 20 bytes before it looks at the version, whatever the version. */
    if (caplen < 20) {
        decode_weird(d, WEIRD_TRUNCATED_IP, p, NULL);
        return DECODE_BAD;
    }
    switch (data[0] >> 4) {
    case 4:
        return ip4_decode(d, p, data, caplen, wirelen, reassembled);
    case 6:
        return ip6_decode(d, p, data, caplen, wirelen, reassembled);
    default:
        decode_weird(d, WEIRD_UNKNOWN_IP_VERSION, p, NULL);
        return DECODE_BAD;
    }
}

/* After an ethertype: VLAN tags (any number, the first two recorded), then IP or not-for-us. */
static enum decode_result decode_ethertype(struct decoder *d, struct packet *p, uint16_t type, uint32_t off)
{
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ2) {
        if (p->caplen - off < VLAN_TAG_LEN) {
            decode_weird(d, WEIRD_TRUNCATED_VLAN_HEADER, p, NULL);
            return DECODE_BAD;
        }
        if (p->vlan_count < 2)
            p->vlan[p->vlan_count++] = rd_be16(p->frame + off) & 0x0fff;
        type = rd_be16(p->frame + off + 2);
        off += VLAN_TAG_LEN;
    }
    if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
        return DECODE_SKIP;
    return decode_ip(d, p, p->frame + off, p->caplen - off, p->wirelen > off ? p->wirelen - off : 0, false);
}

/* The 4-byte AF word of DLT_NULL is in the capturing host's byte order, which the file does not
 * record; both orders are tried, as the values cannot be confused (2/24/28/30 vs << 24). */
static int bsd_af_version(uint32_t af)
{
    switch (af) {
    case BSD_AF_INET:
        return 4;
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FBSD:
    case BSD_AF_INET6_OSX:
        return 6;
    default:
        return 0;
    }
}

static enum decode_result decode_bsd(struct decoder *d, struct packet *p, bool network_order)
{
    int v;

    if (p->caplen < NULL_HDR_LEN) {
        decode_weird(d, WEIRD_TRUNCATED_LINK_HEADER, p, NULL);
        return DECODE_BAD;
    }
    if (network_order) {
        v = bsd_af_version(rd_be32(p->frame));
    } else {
        v = bsd_af_version(rd_le32(p->frame));
        if (v == 0)
            v = bsd_af_version(rd_be32(p->frame));
    }
    if (v == 0)
        return DECODE_SKIP;
    return decode_ip(d, p, p->frame + NULL_HDR_LEN, p->caplen - NULL_HDR_LEN,
                     p->wirelen > NULL_HDR_LEN ? p->wirelen - NULL_HDR_LEN : 0, false);
}

static enum decode_result decode_link(struct decoder *d, struct packet *p, int link_type)
{
    const uint8_t *f = p->frame;

    switch (link_type) {
    case LINK_ETHERNET:
        if (p->caplen < ETH_HDR_LEN)
            break;
        return decode_ethertype(d, p, rd_be16(f + 12), ETH_HDR_LEN);
    case LINK_LINUX_SLL:
        if (p->caplen < SLL_HDR_LEN)
            break;
        return decode_ethertype(d, p, rd_be16(f + 14), SLL_HDR_LEN);
    case LINK_LINUX_SLL2:
        if (p->caplen < SLL2_HDR_LEN)
            break;
        return decode_ethertype(d, p, rd_be16(f), SLL2_HDR_LEN);
    case LINK_RAW:
    case LINK_DLT_RAW_12:
    case LINK_DLT_RAW_14:
        return decode_ip(d, p, f, p->caplen, p->wirelen, false);
    case LINK_IPV4:
    case LINK_IPV6:
        if (p->caplen >= 1 && (f[0] >> 4) != (link_type == LINK_IPV4 ? 4 : 6)) {
            decode_weird(d, WEIRD_UNKNOWN_IP_VERSION, p, NULL);
            return DECODE_BAD;
        }
        return decode_ip(d, p, f, p->caplen, p->wirelen, false);
    case LINK_NULL:
        return decode_bsd(d, p, false);
    case LINK_LOOP:
        return decode_bsd(d, p, true);
    default:
        decode_weird(d, WEIRD_UNKNOWN_LINK_TYPE, p, NULL);
        return DECODE_BAD;
    }
    decode_weird(d, WEIRD_TRUNCATED_LINK_HEADER, p, NULL);
    return DECODE_BAD;
}

enum decode_result decoder_decode(struct decoder *d, int link_type, pw_time ts, const uint8_t *frame,
                                  uint32_t caplen, uint32_t wirelen, struct packet *out)
{
    enum decode_result r;

    memset(out, 0, sizeof(*out));
    out->ts = ts;
    out->frame = frame;
    out->caplen = caplen;
    /* A wire length below the captured length is a broken capture header; trust what we hold. */
    out->wirelen = wirelen < caplen ? caplen : wirelen;
    d->stats.packets++;

    r = decode_link(d, out, link_type);
    if (r == DECODE_BAD)
        d->stats.bad++;
    else if (r == DECODE_SKIP)
        d->stats.skipped++;
    return r;
}

void decoder_expire(struct decoder *d, pw_time now)
{
    frag_expire(d, now);
}

const struct decoder_stats *decoder_get_stats(const struct decoder *d)
{
    return &d->stats;
}
