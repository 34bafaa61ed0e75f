/* decode/packet.h - one decoded packet: what the flow layer needs, pointing into the frame. */
#ifndef PW_DECODE_PACKET_H
#define PW_DECODE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "util/addr.h"
#include "util/pw_time.h"

/* Link types we read, by their pcap LINKTYPE_ numbers. */
enum link_type {
    LINK_NULL      = 0,    /* BSD loopback, host-order AF_ word */
    LINK_ETHERNET  = 1,
    LINK_RAW       = 101,  /* raw IPv4/IPv6, version from the first nibble */
    LINK_LOOP      = 108,  /* OpenBSD loopback, network-order AF_ word */
    LINK_LINUX_SLL = 113,
    LINK_IPV4      = 228,
    LINK_IPV6      = 229,
    LINK_LINUX_SLL2 = 276,
};

enum tunnel_type {
    TUNNEL_NONE = 0,
    TUNNEL_VXLAN,
    TUNNEL_GENEVE,
};

/* The encapsulation a packet arrived in; the engine keeps it to key and log the inner flow. */
struct tunnel_ctx {
    enum tunnel_type type;
    uint32_t         vni;          /* VXLAN VNI / GENEVE VNI, 24 bits */
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80

struct packet {
    pw_time        ts;
    const uint8_t *frame;          /* the captured frame */
    uint32_t       caplen;
    uint32_t       wirelen;

    uint8_t        ip_version;     /* 4 or 6 */
    uint8_t        l4_proto;       /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, other */
    uint8_t        vlan_count;
    bool           reassembled;    /* the IP datagram was rebuilt from fragments */
    uint16_t       vlan[2];        /* outer first */
    struct addr    src;
    struct addr    dst;
    uint32_t       ip_len;         /* IP total length per the header: IPv4 total length, IPv6 40 + payload length */
    const uint8_t *ip;             /* start of the (outermost-for-this-layer) IP header */

    uint16_t       sport;          /* TCP/UDP ports; ICMP: type in sport, see decode_icmp */
    uint16_t       dport;
    const uint8_t *l4;             /* transport header */
    uint32_t       l4_len;         /* captured bytes from l4 on (header + payload) */
    const uint8_t *payload;        /* transport payload, captured part */
    uint32_t       payload_len;    /* captured payload bytes */
    uint32_t       payload_wire_len; /* payload length the IP header implies (>= payload_len) */

    uint32_t       tcp_seq;
    uint32_t       tcp_ack;
    uint16_t       tcp_win;
    uint8_t        tcp_flags;
    uint8_t        icmp_type;
    uint8_t        icmp_code;
    bool           icmp_one_way;   /* ICMP message that has no counterpart (unreachable, …) */
    bool           csum_bad;       /* transport checksum verified and wrong (only when fully captured) */
    struct tunnel_ctx tunnel;      /* TUNNEL_NONE unless the engine decapsulated it */
};

#endif
