/* decode/transport.c - TCP, UDP, ICMP and ICMPv6 headers: ports, flags, payload bounds, checksums.
 *
 * Truncation follows Zeek's IPBasedAnalyzer::CheckHeaderTrunc: a transport header the IP length
 * cannot hold is "truncated_header"; one the IP length holds but the capture cut is
 * "internally_truncated_header". A cut payload is not an error: payload_len is what was captured,
 * payload_wire_len what the IP header implies.
 *
 * ICMP flows are keyed as Zeek keys them (ICMPAnalyzer::InitConnKey): sport = type, dport = the
 * counterpart type for request/reply pairs (echo 8 <-> reply 0, so both directions meet in one
 * flow), or the code for one-way messages (unreachable, time exceeded, ...), with icmp_one_way set.
 *
 * Transport checksums are verified only when cfg.check_checksums is set and the segment was
 * captured whole; a bad one sets csum_bad and nothing else: the engine decides what it means. */
#include "decode/decode_int.h"

#include <stdio.h>

#include "util/bytes.h"

#define TCP_MIN_HDR   20
#define UDP_HDR_LEN   8
#define ICMP_MIN_HDR  8
#define VXLAN_HDR_LEN 8
#define ETH_HDR_LEN   14
#define VXLAN_PORT    4789

/* The request/reply pairs of Zeek's ICMP4_counterpart and ICMP6_counterpart (type, counterpart). */
static const uint8_t icmp4_pairs[][2] = {
    {8, 0}, {0, 8},      /* echo */
    {13, 14}, {14, 13},  /* timestamp */
    {15, 16}, {16, 15},  /* information */
    {10, 9}, {9, 10},    /* router solicitation / advertisement */
    {17, 18}, {18, 17},  /* address mask */
};

static const uint8_t icmp6_pairs[][2] = {
    {128, 129}, {129, 128},  /* echo */
    {133, 134}, {134, 133},  /* router solicitation / advertisement */
    {135, 136}, {136, 135},  /* neighbor solicitation / advertisement */
    {130, 131}, {131, 130},  /* MLD query / report */
    {139, 140}, {140, 139},  /* node information query / response */
    {144, 145}, {145, 144},  /* home agent address discovery */
};

uint16_t transport_icmp_counterpart(bool v6, uint8_t type, uint8_t code, bool *one_way)
{
    const uint8_t (*pairs)[2] = v6 ? icmp6_pairs : icmp4_pairs;
    size_t i, n = v6 ? sizeof(icmp6_pairs) / sizeof(icmp6_pairs[0]) : sizeof(icmp4_pairs) / sizeof(icmp4_pairs[0]);

    for (i = 0; i < n; i++) {
        if (pairs[i][0] == type) {
            *one_way = false;
            return pairs[i][1];
        }
    }
    *one_way = true;
    return code;
}

/* True when the transport header of min bytes fits; otherwise reports Zeek's weird. */
static bool header_fits(struct decoder *d, const struct packet *p, uint32_t min, uint32_t caplen, uint32_t wirelen)
{
    if (wirelen < min) {
        decode_weird(d, WEIRD_TRUNCATED_HEADER, p, NULL);
        return false;
    }
    if (caplen < min) {
        decode_weird(d, WEIRD_INTERNALLY_TRUNCATED_HEADER, p, NULL);
        return false;
    }
    return true;
}

static bool csum_bad(const struct packet *p, uint8_t proto, const uint8_t *l4, uint32_t len,
                     const struct addr *pseudo_dst, bool pseudo)
{
    uint32_t sum = pseudo ? checksum_pseudo(p->ip_version, &p->src, pseudo_dst, proto, len) : 0;

    return checksum_finish(checksum_add(sum, l4, len)) != 0;
}

static void set_payload(struct packet *p, const uint8_t *l4, uint32_t hl, uint32_t caplen, uint32_t wirelen)
{
    p->payload = l4 + hl;
    p->payload_len = caplen - hl;
    p->payload_wire_len = wirelen - hl;
}

static enum decode_result decode_tcp(struct decoder *d, struct packet *p, const uint8_t *l4, uint32_t caplen,
                                     uint32_t wirelen, const struct addr *pseudo_dst)
{
    uint32_t hl;

    if (!header_fits(d, p, TCP_MIN_HDR, caplen, wirelen))
        return DECODE_BAD;
    p->sport = rd_be16(l4);
    p->dport = rd_be16(l4 + 2);
    hl = (uint32_t)(l4[12] >> 4) * 4;
    if (hl < TCP_MIN_HDR) {
        decode_weird(d, WEIRD_BAD_TCP_HEADER_LEN, p, NULL);
        return DECODE_BAD;
    }
    if (hl > wirelen || hl > caplen) {
        decode_weird(d, WEIRD_TRUNCATED_HEADER, p, NULL);
        return DECODE_BAD;
    }
    p->tcp_seq = rd_be32(l4 + 4);
    p->tcp_ack = rd_be32(l4 + 8);
    p->tcp_flags = l4[13];
    p->tcp_win = rd_be16(l4 + 14);
    set_payload(p, l4, hl, caplen, wirelen);
    if (d->cfg.check_checksums && caplen == wirelen)
        p->csum_bad = csum_bad(p, IPPROTO_NUM_TCP, l4, wirelen, pseudo_dst, true);
    return DECODE_OK;
}

static enum decode_result decode_udp(struct decoder *d, struct packet *p, const uint8_t *l4, uint32_t caplen,
                                     uint32_t wirelen, const struct addr *pseudo_dst)
{
    uint16_t ulen, sum;
    char addl[32];

    if (!header_fits(d, p, UDP_HDR_LEN, caplen, wirelen))
        return DECODE_BAD;
    p->sport = rd_be16(l4);
    p->dport = rd_be16(l4 + 2);
    ulen = rd_be16(l4 + 4);
    sum = rd_be16(l4 + 6);
    set_payload(p, l4, UDP_HDR_LEN, caplen, wirelen);

    if (d->cfg.check_checksums && caplen == wirelen) {
        bool check = sum != 0 || p->ip_version == 6;

        /* Zeek: VXLAN senders may leave the checksum zero even over IPv6. */
        if (sum == 0 && p->dport == VXLAN_PORT && wirelen > UDP_HDR_LEN + VXLAN_HDR_LEN + ETH_HDR_LEN &&
            (l4[UDP_HDR_LEN] & 0x08) != 0)
            check = false;
        if (check)
            p->csum_bad = csum_bad(p, IPPROTO_NUM_UDP, l4, wirelen, pseudo_dst, true);
    }
    /* Zeek notes the mismatch and goes on with the IP length, and so do we. */
    if (ulen != wirelen) {
        snprintf(addl, sizeof(addl), "%u != %u", (unsigned)ulen, (unsigned)wirelen);
        decode_weird(d, WEIRD_TRUNCATED_UDP_LENGTH, p, addl);
    }
    return DECODE_OK;
}

static enum decode_result decode_icmp(struct decoder *d, struct packet *p, uint8_t proto, const uint8_t *l4,
                                      uint32_t caplen, uint32_t wirelen, const struct addr *pseudo_dst)
{
    bool v6 = proto == IPPROTO_NUM_ICMPV6;

    if (!header_fits(d, p, ICMP_MIN_HDR, caplen, wirelen))
        return DECODE_BAD;
    p->icmp_type = l4[0];
    p->icmp_code = l4[1];
    p->sport = l4[0];
    p->dport = transport_icmp_counterpart(v6, l4[0], l4[1], &p->icmp_one_way);
    set_payload(p, l4, ICMP_MIN_HDR, caplen, wirelen);
    if (d->cfg.check_checksums && caplen == wirelen)
        p->csum_bad = csum_bad(p, proto, l4, wirelen, pseudo_dst, v6);
    return DECODE_OK;
}

enum decode_result transport_decode(struct decoder *d, struct packet *p, uint8_t proto, const uint8_t *l4,
                                    uint32_t caplen, uint32_t wirelen, const struct addr *pseudo_dst)
{
    p->l4_proto = proto;
    p->l4 = l4;
    p->l4_len = caplen;
    switch (proto) {
    case IPPROTO_NUM_TCP:
        return decode_tcp(d, p, l4, caplen, wirelen, pseudo_dst);
    case IPPROTO_NUM_UDP:
        return decode_udp(d, p, l4, caplen, wirelen, pseudo_dst);
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        /* By protocol number, not IP version, as Zeek does. */
        return decode_icmp(d, p, proto, l4, caplen, wirelen, pseudo_dst);
    default:
        break;
    }
    /* Another IP protocol (GRE, SCTP, ...): a flow without ports. */
    set_payload(p, l4, 0, caplen, wirelen);
    return DECODE_OK;
}
