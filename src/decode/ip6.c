/* decode/ip6.c - the IPv6 header and its extension-header chain, fragments, then the transport. */
#include "decode/decode_int.h"

#include "util/bytes.h"

#define IP6_HDR_LEN      40
#define IP6_FRAG_HDR_LEN 8
/* Longer legitimate chains do not exist; a long one is an evasion attempt or garbage. */
#define IP6_MAX_EXT      16

/* Routing types whose last address is the final destination, which the transport checksum covers
 * while segments are left (type 0, deprecated, and type 2, Mobile IPv6). */
#define IP6_RT_TYPE0     0
#define IP6_RT_TYPE2     2

enum decode_result ip6_decode(struct decoder *d, struct packet *p, const uint8_t *data, uint32_t caplen,
                              uint32_t wirelen, bool reassembled)
{
    uint32_t total, cap, off, len, nh_off, n;
    uint8_t nh;
    struct addr final_dst;
    struct frag_input fi;
    enum decode_result r;
    const uint8_t *dgram;
    uint32_t dgram_len;
    uint16_t fragw;

    if (caplen < IP6_HDR_LEN) {
        decode_weird(d, WEIRD_TRUNCATED_IP, p, NULL);
        return DECODE_BAD;
    }
    p->ip_version = 6;
    addr_from_v6(&p->src, data + 8);
    addr_from_v6(&p->dst, data + 24);
    p->ip = data;
    final_dst = p->dst;

    total = IP6_HDR_LEN + rd_be16(data + 4);
    if (wirelen < total) {
        decode_weird(d, WEIRD_TRUNCATED_IP_LEN, p, NULL);
        return DECODE_BAD;
    }
    p->ip_len = total;
    cap = caplen < total ? caplen : total;

    nh = data[6];
    nh_off = 6;
    off = IP6_HDR_LEN;
    for (n = 0;; n++) {
        if (nh != IPPROTO_NUM_HOPOPTS && nh != IPPROTO_NUM_ROUTING && nh != IPPROTO_NUM_DSTOPTS &&
            nh != IPPROTO_NUM_AH && nh != IPPROTO_NUM_FRAGMENT)
            break;
        if (n >= IP6_MAX_EXT) {
            decode_weird(d, WEIRD_EXCESSIVE_IPV6_EXT, p, NULL);
            return DECODE_BAD;
        }
        /* Every extension header starts with next-header and a length byte. */
        if (total - off < 2 || (nh == IPPROTO_NUM_FRAGMENT && total - off < IP6_FRAG_HDR_LEN)) {
            decode_weird(d, WEIRD_IPV6_EXT_TRUNCATED, p, NULL);
            return DECODE_BAD;
        }
        if (cap - off < 2) {
            decode_weird(d, WEIRD_INTERNALLY_TRUNCATED_HEADER, p, NULL);
            return DECODE_BAD;
        }
        if (nh == IPPROTO_NUM_FRAGMENT)
            len = IP6_FRAG_HDR_LEN;
        else if (nh == IPPROTO_NUM_AH)
            len = ((uint32_t)data[off + 1] + 2) * 4;
        else
            len = ((uint32_t)data[off + 1] + 1) * 8;
        if (total - off < len) {
            decode_weird(d, WEIRD_IPV6_EXT_TRUNCATED, p, NULL);
            return DECODE_BAD;
        }
        if (cap - off < len) {
            decode_weird(d, WEIRD_INTERNALLY_TRUNCATED_HEADER, p, NULL);
            return DECODE_BAD;
        }
        if (nh == IPPROTO_NUM_ROUTING && len >= 24 && data[off + 3] > 0 &&
            (data[off + 2] == IP6_RT_TYPE0 || data[off + 2] == IP6_RT_TYPE2))
            addr_from_v6(&final_dst, data + off + len - 16);

        if (nh == IPPROTO_NUM_FRAGMENT) {
            fragw = rd_be16(data + off + 2);
            /* An atomic fragment (offset 0, no M) is a whole datagram (RFC 6946): walk on. */
            if ((fragw & 0xfff9) != 0) {
                if (reassembled) {
                    /* A fragment header inside a reassembled payload: nested fragmentation. */
                    decode_weird(d, WEIRD_FRAGMENT_PROTOCOL_INCONSISTENCY, p, NULL);
                    return DECODE_BAD;
                }
                p->l4_proto = data[off];
                if (cap < total) {
                    decode_weird(d, WEIRD_INCOMPLETELY_CAPTURED_FRAGMENT, p, NULL);
                    return DECODE_BAD;
                }
                fi.version = 6;
                fi.proto = data[off];
                fi.more = (fragw & 1) != 0;
                fi.df = false;
                fi.id = rd_be32(data + off + 4);
                fi.offset = fragw & 0xfff8;
                fi.ip_len = total;
                fi.hdr = data;
                fi.hdr_len = off;
                fi.nh_off = nh_off;
                fi.data = data + off + IP6_FRAG_HDR_LEN;
                fi.len = total - off - IP6_FRAG_HDR_LEN;
                r = frag_add(d, p, &fi, &dgram, &dgram_len);
                if (r != DECODE_OK)
                    return r;
                p->reassembled = true;
                return ip6_decode(d, p, dgram, dgram_len, dgram_len, true);
            }
        }
        nh_off = off;
        nh = data[off];
        off += len;
    }

    p->l4_proto = nh;
    if (nh == IPPROTO_NUM_ESP) {
        /* Encrypted from here: a flow without ports. */
        p->l4 = data + off;
        p->l4_len = cap - off;
        return DECODE_OK;
    }
    if (nh == IPPROTO_NUM_NONE) {
        decode_weird(d, WEIRD_IPV6_NO_NEXT, p, NULL);
        p->l4 = data + off;
        p->l4_len = cap - off;
        return DECODE_OK;
    }
    return transport_decode(d, p, nh, data + off, cap - off, total - off, &final_dst);
}
