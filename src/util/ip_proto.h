/* util/ip_proto.h - Zeek's name for a transport protocol (its transport_proto enum). */
#ifndef PW_UTIL_IP_PROTO_H
#define PW_UTIL_IP_PROTO_H

#include <stdint.h>

/* "tcp", "udp", "icmp" (ICMP and ICMPv6), or "unknown_transport". */
const char *ip_proto_name(uint8_t proto);

/* True for the transports connections are tracked on with ports (TCP, UDP). */
static inline int ip_proto_has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17;
}

/* True for the transports Zeek tracks as connections (TCP, UDP, ICMP, ICMPv6). */
static inline int ip_proto_tracked(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 1 || proto == 58;
}

#endif
