/* util/community_id.c - Community ID v1: SHA-1 over the ordered tuple, base64-encoded. */
#include "util/community_id.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <string.h>

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMP6  58
#define PROTO_SCTP   132

/* The spec's pairs of ICMP types that form one two-way exchange (request, reply). */
static const uint8_t icmp4_pairs[][2] = { {8, 0}, {13, 14}, {15, 16}, {10, 9}, {17, 18} };
static const uint8_t icmp6_pairs[][2] = { {128, 129}, {133, 134}, {135, 136}, {130, 131}, {139, 140}, {144, 145} };

/* Maps (type, code) to the port pair; returns true when the message is one-way. */
static bool icmp_ports(uint8_t proto, uint16_t *sport, uint16_t *dport)
{
    const uint8_t (*pairs)[2] = proto == PROTO_ICMP ? icmp4_pairs : icmp6_pairs;
    size_t n = proto == PROTO_ICMP ? sizeof(icmp4_pairs) / sizeof(icmp4_pairs[0])
                                   : sizeof(icmp6_pairs) / sizeof(icmp6_pairs[0]);

    for (size_t i = 0; i < n; i++) {
        if (*sport == pairs[i][0]) {
            *dport = pairs[i][1];
            return false;
        }
        if (*sport == pairs[i][1]) {
            *dport = pairs[i][0];
            return false;
        }
    }
    return true;
}

size_t community_id_v1(uint16_t seed, const struct addr *saddr, const struct addr *daddr, uint8_t proto,
                       uint16_t sport, uint16_t dport, char *buf, size_t size)
{
    uint8_t in[2 + 16 + 16 + 2 + 4], digest[EVP_MAX_MD_SIZE];
    const struct addr *a = saddr, *b = daddr;
    bool v4 = addr_is_v4(saddr), one_way = false, ports;
    size_t alen = v4 ? 4 : 16, off = v4 ? 12 : 0, n = 0;
    unsigned dlen = 0;
    uint16_t pa = sport, pb = dport;

    if (size < COMMUNITY_ID_STRLEN)
        return 0;
    ports = proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP || proto == PROTO_ICMP ||
            proto == PROTO_ICMP6;
    if (proto == PROTO_ICMP || proto == PROTO_ICMP6)
        one_way = icmp_ports(proto, &pa, &pb);
    if (!one_way) {
        int c = memcmp(a->b + off, b->b + off, alen);

        if (c > 0 || (c == 0 && ports && pa > pb)) {
            const struct addr *t = a;
            uint16_t tp = pa;

            a = b;
            b = t;
            pa = pb;
            pb = tp;
        }
    }
    in[n++] = (uint8_t)(seed >> 8);
    in[n++] = (uint8_t)seed;
    memcpy(in + n, a->b + off, alen);
    n += alen;
    memcpy(in + n, b->b + off, alen);
    n += alen;
    in[n++] = proto;
    in[n++] = 0;
    if (ports) {
        in[n++] = (uint8_t)(pa >> 8);
        in[n++] = (uint8_t)pa;
        in[n++] = (uint8_t)(pb >> 8);
        in[n++] = (uint8_t)pb;
    }
    if (EVP_Digest(in, n, digest, &dlen, EVP_sha1(), NULL) != 1 || dlen != 20)
        return 0;
    buf[0] = '1';
    buf[1] = ':';
    return 2 + (size_t)EVP_EncodeBlock((unsigned char *)buf + 2, digest, (int)dlen);
}
