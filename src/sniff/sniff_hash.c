/* sniff/sniff_hash.c - a symmetric flow hash of a frame (the inner flow of VXLAN and GENEVE), fragments following their first piece. */
#include "sniff/sniff_hash.h"

#include <string.h>

#define ETHERTYPE_IP4   0x0800
#define ETHERTYPE_IP6   0x86dd
#define ETHERTYPE_VLAN  0x8100
#define ETHERTYPE_QINQ  0x88a8
#define ETHERTYPE_QINQ1 0x9100

struct hash_tuple {
    uint8_t  a[16], b[16];   /* addresses, IPv4 in the first 4 bytes */
    uint16_t pa, pb;
    uint8_t  proto;
    uint8_t  alen;
};

void sniff_hash_init(struct sniff_hash *h)
{
    memset(h, 0, sizeof(*h));
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
    while (n-- > 0)
        h = (h ^ *p++) * 16777619u;
    return h;
}

/* murmur3's finaliser: every input bit reaches every output bit, so `% workers` is fair. */
static uint32_t mix(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* Endpoints in a fixed order, so both directions hash alike. */
static uint32_t tuple_hash(const struct hash_tuple *t, int with_ports)
{
    uint16_t pa = with_ports ? t->pa : 0, pb = with_ports ? t->pb : 0;
    int c = memcmp(t->a, t->b, t->alen);
    const uint8_t *lo = t->a, *hi = t->b;
    uint16_t plo = pa, phi = pb;
    uint8_t ports[4];
    uint32_t h = 2166136261u;

    if (c > 0 || (c == 0 && pa > pb)) {
        lo = t->b;
        hi = t->a;
        plo = pb;
        phi = pa;
    }
    ports[0] = (uint8_t)(plo >> 8);
    ports[1] = (uint8_t)plo;
    ports[2] = (uint8_t)(phi >> 8);
    ports[3] = (uint8_t)phi;
    h = fnv1a(h, lo, t->alen);
    h = fnv1a(h, hi, t->alen);
    h = fnv1a(h, ports, 4);
    h = fnv1a(h, &t->proto, 1);
    return mix(h);
}

static int has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

static void read_ports(struct hash_tuple *t, const uint8_t *l4, uint32_t len)
{
    if (has_ports(t->proto) && len >= 4) {
        t->pa = (uint16_t)(l4[0] << 8 | l4[1]);
        t->pb = (uint16_t)(l4[2] << 8 | l4[3]);
    }
}

static struct sniff_hash_frag *frag_slot(struct sniff_hash *h, uint64_t key)
{
    return &h->frags[(key ^ (key >> 29)) % SNIFF_HASH_FRAG_SLOTS];
}

static uint64_t frag_key(const struct hash_tuple *t, uint32_t id)
{
    uint32_t k = fnv1a(2166136261u, t->a, t->alen);

    k = fnv1a(k, t->b, t->alen);
    k = fnv1a(k, &t->proto, 1);
    return (uint64_t)k << 32 | id;
}

/* A fragment: the first one decides (and is remembered); a later one asks the table and, if
 * the first never came, falls back to the addresses alone. */
static uint32_t frag_hash(struct sniff_hash *h, struct hash_tuple *t, uint32_t id, int first, const uint8_t *l4,
                          uint32_t len)
{
    uint64_t key = frag_key(t, id);
    struct sniff_hash_frag *slot = frag_slot(h, key);

    if (first) {
        read_ports(t, l4, len);
        slot->key = key;
        slot->hash = tuple_hash(t, 1);
        return slot->hash;
    }
    if (slot->key == key)
        return slot->hash;
    return tuple_hash(t, 0);
}

static uint32_t hash_ethertype(struct sniff_hash *h, uint16_t type, const uint8_t *p, uint32_t len, int depth);

/* The inner frame of a VXLAN (UDP 4789) or GENEVE (UDP 6081) datagram, hashed on its own so
 * both directions of a mirrored flow agree whatever the outer ports; 0 if there is none. */
static uint32_t hash_tunnel(struct sniff_hash *h, const struct hash_tuple *t, const uint8_t *udp, uint32_t len,
                            int depth)
{
    uint32_t opt;
    uint16_t type;

    if (depth > 0 || t->proto != 17 || len < 16)
        return 0;
    if (t->pb == 4789 || t->pa == 4789) {
        if (len < 16 + 14)
            return 0;
        return hash_ethertype(h, (uint16_t)(udp[16 + 12] << 8 | udp[16 + 13]), udp + 30, len - 30, depth + 1);
    }
    if (t->pb == 6081 || t->pa == 6081) {
        opt = (udp[8] & 0x3fu) * 4;
        type = (uint16_t)(udp[10] << 8 | udp[11]);
        if (len < 16 + opt)
            return 0;
        if (type != 0x6558)
            return hash_ethertype(h, type, udp + 16 + opt, len - 16 - opt, depth + 1);
        if (len < 16 + opt + 14)
            return 0;
        return hash_ethertype(h, (uint16_t)(udp[16 + opt + 12] << 8 | udp[16 + opt + 13]), udp + 30 + opt,
                              len - 30 - opt, depth + 1);
    }
    return 0;
}

static uint32_t hash_ip4(struct sniff_hash *h, const uint8_t *ip, uint32_t len, int depth)
{
    uint32_t in;
    struct hash_tuple t;
    uint32_t ihl;
    uint16_t fo;

    if (len < 20 || (ip[0] >> 4) != 4)
        return 0;
    ihl = (ip[0] & 0x0fu) * 4;
    if (ihl < 20 || ihl > len)
        return 0;
    memset(&t, 0, sizeof(t));
    memcpy(t.a, ip + 12, 4);
    memcpy(t.b, ip + 16, 4);
    t.alen = 4;
    t.proto = ip[9];
    fo = (uint16_t)(ip[6] << 8 | ip[7]);
    if (fo & 0x3fff)
        return frag_hash(h, &t, (uint32_t)(ip[4] << 8 | ip[5]), (fo & 0x1fff) == 0, ip + ihl, len - ihl);
    read_ports(&t, ip + ihl, len - ihl);
    in = hash_tunnel(h, &t, ip + ihl, len - ihl, depth);
    return in != 0 ? in : tuple_hash(&t, 1);
}

static uint32_t hash_ip6(struct sniff_hash *h, const uint8_t *ip, uint32_t len, int depth)
{
    struct hash_tuple t;
    uint32_t off = 40, in;
    uint8_t nh;

    if (len < 40 || (ip[0] >> 4) != 6)
        return 0;
    memset(&t, 0, sizeof(t));
    memcpy(t.a, ip + 8, 16);
    memcpy(t.b, ip + 24, 16);
    t.alen = 16;
    nh = ip[6];
    for (;;) {
        if (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
            if (off + 8 > len)
                break;
            uint32_t hl = nh == 51 ? (ip[off + 1] + 2u) * 4 : (ip[off + 1] + 1u) * 8;

            nh = ip[off];
            off += hl;
            continue;
        }
        if (nh == 44) {
            if (off + 8 > len)
                break;
            uint16_t fo = (uint16_t)(ip[off + 2] << 8 | ip[off + 3]);
            uint32_t id = (uint32_t)ip[off + 4] << 24 | (uint32_t)ip[off + 5] << 16 | (uint32_t)ip[off + 6] << 8 |
                          ip[off + 7];

            t.proto = ip[off];
            off += 8;
            if ((fo & 0xfff9) != 0)   /* an offset, or more fragments: a fragment */
                return frag_hash(h, &t, id, (fo & 0xfff8) == 0, ip + off, off <= len ? len - off : 0);
            nh = t.proto;
            continue;
        }
        break;
    }
    t.proto = nh;
    if (off > len)
        return tuple_hash(&t, 1);
    read_ports(&t, ip + off, len - off);
    in = hash_tunnel(h, &t, ip + off, len - off, depth);
    return in != 0 ? in : tuple_hash(&t, 1);
}

static uint32_t hash_ethertype(struct sniff_hash *h, uint16_t type, const uint8_t *p, uint32_t len, int depth)
{
    if (type == ETHERTYPE_IP4)
        return hash_ip4(h, p, len, depth);
    if (type == ETHERTYPE_IP6)
        return hash_ip6(h, p, len, depth);
    return 0;
}

uint32_t sniff_hash_frame(struct sniff_hash *h, int link_type, const uint8_t *f, uint32_t caplen)
{
    uint32_t off;
    uint16_t type;

    switch (link_type) {
    case 1:     /* Ethernet */
        if (caplen < 14)
            return 0;
        type = (uint16_t)(f[12] << 8 | f[13]);
        off = 14;
        while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ1) && off + 4 <= caplen) {
            type = (uint16_t)(f[off + 2] << 8 | f[off + 3]);
            off += 4;
        }
        return hash_ethertype(h, type, f + off, caplen - off, 0);
    case 12:    /* raw IP, by version */
    case 14:
    case 101:
        if (caplen < 1)
            return 0;
        return (f[0] >> 4) == 6 ? hash_ip6(h, f, caplen, 0) : hash_ip4(h, f, caplen, 0);
    case 113:   /* Linux cooked */
        if (caplen < 16)
            return 0;
        return hash_ethertype(h, (uint16_t)(f[14] << 8 | f[15]), f + 16, caplen - 16, 0);
    case 276:   /* Linux cooked v2 */
        if (caplen < 20)
            return 0;
        return hash_ethertype(h, (uint16_t)(f[0] << 8 | f[1]), f + 20, caplen - 20, 0);
    case 0:     /* BSD loopback: a 4-byte family in either byte order */
    case 108:
        if (caplen < 5)
            return 0;
        return (f[4] >> 4) == 6 ? hash_ip6(h, f + 4, caplen - 4, 0) : hash_ip4(h, f + 4, caplen - 4, 0);
    default:
        return 0;
    }
}
