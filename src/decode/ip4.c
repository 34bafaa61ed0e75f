/* decode/ip4.c - the IPv4 header: lengths, options, header checksum, fragments, then the transport. */
#include "decode/decode_int.h"

#include "util/bytes.h"

#define IP4_MIN_HDR     20
#define IP4_FLAG_DF     0x4000
#define IP4_FLAG_MF     0x2000
#define IP4_OFFSET_MASK 0x1fff

/* The checks run in the order of Zeek's IP analyzer, so the same malformed packet gets the same
 * weird name. Lengths are taken from the header, never from the capture: Ethernet padding after
 * the datagram is not payload. */
enum decode_result ip4_decode(struct decoder *d, struct packet *p, const uint8_t *data, uint32_t caplen,
                              uint32_t wirelen, bool reassembled)
{
    uint32_t hl, total, header_total, cap, frag;
    struct frag_input fi;
    enum decode_result r;
    const uint8_t *dgram;
    uint32_t dgram_len;

    p->ip_version = 4;
    addr_from_v4(&p->src, data + 12);
    addr_from_v4(&p->dst, data + 16);
    p->ip = data;

    hl = (uint32_t)(data[0] & 0x0f) * 4;
    total = rd_be16(data + 2);
    header_total = total;
    if (total == 0) {
        /* TCP segmentation offload zeroes it. With checksums checked Zeek gives up; with -C it
         * takes the frame's length and goes on, and so do we (ip_len stays what the header said). */
        decode_weird(d, WEIRD_IP_HDR_LEN_ZERO, p, NULL);
        if (d->cfg.check_checksums || wirelen > 65535)
            return DECODE_BAD;
        total = wirelen;
    }
    if (wirelen < total) {
        decode_weird(d, WEIRD_TRUNCATED_IP_LEN, p, NULL);
        return DECODE_BAD;
    }
    if (hl > total) {
        decode_weird(d, WEIRD_INVALID_IP_HEADER_SIZE, p, NULL);
        return DECODE_BAD;
    }
    if (hl > caplen) {
        decode_weird(d, WEIRD_INTERNALLY_TRUNCATED_HEADER, p, NULL);
        return DECODE_BAD;
    }
    if (hl < IP4_MIN_HDR) {
        decode_weird(d, WEIRD_IPV4_MIN_HEADER_SIZE, p, NULL);
        return DECODE_BAD;
    }
    if (d->cfg.check_checksums && !reassembled && checksum_finish(checksum_add(0, data, hl)) != 0) {
        decode_weird(d, WEIRD_BAD_IP_CHECKSUM, p, NULL);
        return DECODE_BAD;
    }
    p->ip_len = header_total;
    p->l4_proto = data[9];
    cap = caplen < total ? caplen : total;

    frag = rd_be16(data + 6);
    if (!reassembled && (frag & (IP4_FLAG_MF | IP4_OFFSET_MASK)) != 0) {
        if (cap < total) {
            decode_weird(d, WEIRD_INCOMPLETELY_CAPTURED_FRAGMENT, p, NULL);
            /* Reassembly is doomed; the first fragment still names the flow (header-only traces). */
            if ((frag & IP4_OFFSET_MASK) != 0)
                return DECODE_BAD;
            return transport_decode(d, p, data[9], data + hl, cap - hl, total - hl, &p->dst);
        }
        fi.version = 4;
        fi.proto = data[9];
        fi.more = (frag & IP4_FLAG_MF) != 0;
        fi.df = (frag & IP4_FLAG_DF) != 0;
        fi.id = rd_be16(data + 4);
        fi.offset = (frag & IP4_OFFSET_MASK) * 8u;
        fi.ip_len = total;
        fi.hdr = data;
        fi.hdr_len = hl;
        fi.nh_off = 0;
        fi.data = data + hl;
        fi.len = total - hl;
        r = frag_add(d, p, &fi, &dgram, &dgram_len);
        if (r != DECODE_OK)
            return r;
        p->reassembled = true;
        return ip4_decode(d, p, dgram, dgram_len, dgram_len, true);
    }
    return transport_decode(d, p, data[9], data + hl, cap - hl, total - hl, &p->dst);
}
