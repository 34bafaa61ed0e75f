/* util/ip_proto.c - Zeek's transport protocol names, one table for every log. */
#include <netinet/in.h>

#include "util/ip_proto.h"

const char *ip_proto_name(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_TCP:
        return "tcp";
    case IPPROTO_UDP:
        return "udp";
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        return "icmp";
    default:
        return "unknown_transport";
    }
}
