/* decode/tunnel.c - VXLAN and GENEVE: recognise the encapsulating UDP packet and find the inner frame.
 *
 * Zeek's UDP analyzer hands the payload to the packet analyzer registered for the connection's
 * responder port (PacketAnalyzer::VXLAN::vxlan_ports = 4789/udp, Geneve 6081/udp); for the
 * packets the encapsulating endpoint sends (AWS traffic mirroring, a VTEP) that is the
 * destination port, which is what we match. The header checks are Zeek's: VXLAN needs its 8
 * bytes and the I flag; GENEVE needs version 0 and room for its options. An empty inner frame
 * is not a tunnel packet. */
#include "decode/tunnel.h"

#include <stddef.h>

#include "decode/decode_int.h"
#include "util/bytes.h"

#define VXLAN_HDR_LEN     8
#define VXLAN_FLAG_I      0x08
#define GENEVE_HDR_LEN    8
#define GENEVE_PROTO_ETH  0x6558
#define GENEVE_PROTO_IPV4 0x0800
#define GENEVE_PROTO_IPV6 0x86dd

/* The tunnel port table: add a row to decapsulate on another port. */
static const struct {
    uint16_t         port;
    enum tunnel_type type;
} tunnel_ports[] = {
    {4789, TUNNEL_VXLAN},
    {6081, TUNNEL_GENEVE},
};

const struct tunnel_names *tunnel_names(enum tunnel_type type)
{
    static const struct tunnel_names names[] = {
        [TUNNEL_NONE] = {"", ""},
        [TUNNEL_VXLAN] = {"vxlan", "Tunnel::VXLAN"},
        [TUNNEL_GENEVE] = {"geneve", "Tunnel::GENEVE"},
    };

    return (unsigned)type < sizeof(names) / sizeof(names[0]) ? &names[type] : &names[TUNNEL_NONE];
}

static bool tunnel_vxlan(const struct packet *p, struct tunnel_inner *in)
{
    const uint8_t *h = p->payload;

    if (p->payload_len <= VXLAN_HDR_LEN || (h[0] & VXLAN_FLAG_I) == 0)
        return false;
    in->vni = rd_be24(h + 4);
    in->link_type = LINK_ETHERNET;
    in->frame = h + VXLAN_HDR_LEN;
    in->caplen = p->payload_len - VXLAN_HDR_LEN;
    in->wirelen = p->payload_wire_len - VXLAN_HDR_LEN;
    return true;
}

static bool tunnel_geneve(const struct packet *p, struct tunnel_inner *in)
{
    const uint8_t *h = p->payload;
    uint32_t hl;

    if (p->payload_len < GENEVE_HDR_LEN || (h[0] >> 6) != 0)
        return false;
    hl = GENEVE_HDR_LEN + (uint32_t)(h[0] & 0x3f) * 4;
    if (p->payload_len <= hl)
        return false;
    switch (rd_be16(h + 2)) {
    case GENEVE_PROTO_ETH:
        in->link_type = LINK_ETHERNET;
        break;
    case GENEVE_PROTO_IPV4:
    case GENEVE_PROTO_IPV6:
        in->link_type = LINK_RAW;
        break;
    default:
        return false;
    }
    in->vni = rd_be24(h + 4);
    in->frame = h + hl;
    in->caplen = p->payload_len - hl;
    in->wirelen = p->payload_wire_len - hl;
    return true;
}

bool tunnel_decap(const struct packet *p, struct tunnel_inner *in)
{
    size_t i;

    if (p->l4_proto != IPPROTO_NUM_UDP || p->payload == NULL)
        return false;
    for (i = 0; i < sizeof(tunnel_ports) / sizeof(tunnel_ports[0]); i++) {
        if (tunnel_ports[i].port != p->dport)
            continue;
        in->type = tunnel_ports[i].type;
        switch (in->type) {
        case TUNNEL_VXLAN:
            return tunnel_vxlan(p, in);
        case TUNNEL_GENEVE:
            return tunnel_geneve(p, in);
        default:
            return false;
        }
    }
    return false;
}
