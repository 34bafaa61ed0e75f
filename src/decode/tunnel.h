/* decode/tunnel.h - VXLAN and GENEVE: recognise an encapsulating UDP packet and find the inner frame. */
#ifndef PW_DECODE_TUNNEL_H
#define PW_DECODE_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/packet.h"

struct tunnel_inner {
    enum tunnel_type type;
    uint32_t         vni;
    int              link_type;   /* LINK_ETHERNET for VXLAN; for GENEVE from its protocol type */
    const uint8_t   *frame;
    uint32_t         caplen;
    uint32_t         wirelen;
};

/* True when p is a well-formed VXLAN (UDP 4789) or GENEVE (UDP 6081) packet; fills *in.
 * Ports are from the tunnel port table, not if-chains, so a deployment can add one. */
bool tunnel_decap(const struct packet *p, struct tunnel_inner *in);

/* How the logs name a tunnel type: conn.log's service ("vxlan") and tunnel.log's Zeek enum
 * ("Tunnel::VXLAN"). Both "" for TUNNEL_NONE. */
struct tunnel_names {
    const char *service;
    const char *zeek_enum;
};
const struct tunnel_names *tunnel_names(enum tunnel_type type);

#endif
