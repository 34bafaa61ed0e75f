/* inline/inline_dns.c - DNS for the firewall: read a query, answer it in the resolver's place, learn names from answers. */
#include <stdlib.h>
#include <string.h>

#include "inline/inline_int.h"
#include "util/bytes.h"

#define DNS_HDR       12
#define DNS_TYPE_A    1
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_ANY  255
#define DNS_CLASS_IN  1
#define DNS_QR        0x8000u
#define DNS_RD        0x0100u
#define DNS_RA        0x0080u
#define DNS_CD        0x0010u
#define DNS_RCODE_NXDOMAIN 3
#define NAME_TEXT_MAX 253          /* RFC 1035: 255 bytes on the wire, 253 as text */
#define MAX_POINTERS  16           /* compression hops before a name counts as a loop */
#define SINKHOLE_TTL  60           /* seconds; short, so lifting a block takes effect soon */
#define CACHE_PROBES  8

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static char lower(uint8_t c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* Reads the name at *off as dotted lower-case text, following compression pointers when allowed.
 * *off moves past the name as it sits at its place (a pointer counts two bytes). 0, or -1. */
static int read_name(const uint8_t *p, size_t len, size_t *off, bool pointers, char *out, size_t *out_len)
{
    size_t pos = *off, n = 0, end = 0;
    unsigned hops = 0;

    for (;;) {
        uint8_t l;

        if (pos >= len)
            return -1;
        l = p[pos];
        if (l == 0) {
            pos++;
            break;
        }
        if ((l & 0xc0) == 0xc0) {
            if (!pointers || pos + 1 >= len || ++hops > MAX_POINTERS)
                return -1;
            if (end == 0)
                end = pos + 2;
            pos = ((size_t)(l & 0x3f) << 8) | p[pos + 1];
            continue;
        }
        if ((l & 0xc0) != 0 || pos + 1 + l > len)
            return -1;
        if (n + (n > 0) + l > NAME_TEXT_MAX)
            return -1;
        if (n > 0)
            out[n++] = '.';
        for (size_t i = 0; i < l; i++) {
            uint8_t c = p[pos + 1 + i];

            /* A NUL would cut the text short of the name the resolver sees. */
            if (c == 0)
                return -1;
            out[n++] = lower(c);
        }
        pos += 1 + (size_t)l;
    }
    out[n] = '\0';
    *out_len = n;
    *off = end != 0 ? end : pos;
    return 0;
}

int inline_dns_parse_query(const uint8_t *p, size_t len, struct inline_dns_query *q)
{
    size_t off = DNS_HDR;

    if (len < DNS_HDR)
        return -1;
    memset(q, 0, sizeof(*q));
    q->id = rd_be16(p);
    q->flags = rd_be16(p + 2);
    if ((q->flags & DNS_QR) != 0 || ((q->flags >> 11) & 0xf) != 0 || rd_be16(p + 4) != 1 || rd_be16(p + 6) != 0)
        return -1;
    if (read_name(p, len, &off, false, q->name, &q->name_len) != 0 || off + 4 > len)
        return -1;
    q->qtype = rd_be16(p + off);
    q->qclass = rd_be16(p + off + 2);
    q->question_end = off + 4;
    return 0;
}

static size_t put_rr(uint8_t *out, size_t pos, size_t cap, uint16_t type, const uint8_t *rdata, uint16_t rdlen)
{
    if (pos + 12 + rdlen > cap)
        return 0;
    wr16(out + pos, 0xc000 | DNS_HDR);   /* the question's name */
    wr16(out + pos + 2, type);
    wr16(out + pos + 4, DNS_CLASS_IN);
    wr16(out + pos + 6, 0);
    wr16(out + pos + 8, SINKHOLE_TTL);
    wr16(out + pos + 10, rdlen);
    memcpy(out + pos + 12, rdata, rdlen);
    return pos + 12 + rdlen;
}

size_t inline_dns_answer(uint8_t *out, size_t cap, const uint8_t *query, const struct inline_dns_query *q,
                         enum policy_dns_answer kind, const struct addr *sink4, const struct addr *sink6)
{
    size_t pos = q->question_end;
    uint16_t flags, n = 0;

    if (q->question_end < DNS_HDR || cap < q->question_end)
        return 0;
    memmove(out, query, q->question_end);
    /* As a recursive resolver would say it: recursion available, the client's RD and CD echoed. */
    flags = (uint16_t)(DNS_QR | DNS_RA | (q->flags & (DNS_RD | DNS_CD)));
    if (kind == POLICY_DNS_NXDOMAIN)
        flags |= DNS_RCODE_NXDOMAIN;
    wr16(out + 2, flags);
    wr16(out + 4, 1);
    memset(out + 6, 0, 6);
    if (kind == POLICY_DNS_SINKHOLE && (q->qclass == DNS_CLASS_IN || q->qclass == DNS_TYPE_ANY)) {
        if (sink4 != NULL && (q->qtype == DNS_TYPE_A || q->qtype == DNS_TYPE_ANY)) {
            pos = put_rr(out, pos, cap, DNS_TYPE_A, sink4->b + 12, 4);
            n++;
        }
        if (pos != 0 && sink6 != NULL && (q->qtype == DNS_TYPE_AAAA || q->qtype == DNS_TYPE_ANY)) {
            pos = put_rr(out, pos, cap, DNS_TYPE_AAAA, sink6->b, 16);
            n++;
        }
        if (pos == 0)
            return 0;
    }
    wr16(out + 6, n);
    return pos;
}

int inline_dns_parse_response(const uint8_t *p, size_t len, inline_dns_addr_fn fn, void *ctx)
{
    char qname[NAME_TEXT_MAX + 1], skip[NAME_TEXT_MAX + 1];
    size_t off = DNS_HDR, qlen, slen;
    unsigned qd, an;

    if (len < DNS_HDR || (rd_be16(p + 2) & DNS_QR) == 0)
        return -1;
    qd = rd_be16(p + 4);
    an = rd_be16(p + 6);
    if (qd == 0)
        return -1;
    /* Every address of the answer counts for the name the client asked for, whatever CNAMEs led
     * there: that is the name a rule is written against. */
    if (read_name(p, len, &off, true, qname, &qlen) != 0 || off + 4 > len)
        return -1;
    off += 4;
    for (unsigned i = 1; i < qd; i++) {
        if (read_name(p, len, &off, true, skip, &slen) != 0 || off + 4 > len)
            return -1;
        off += 4;
    }
    for (unsigned i = 0; i < an; i++) {
        uint16_t type, class, rdlen;
        uint32_t ttl;
        struct addr a;

        if (read_name(p, len, &off, true, skip, &slen) != 0 || off + 10 > len)
            return -1;
        type = rd_be16(p + off);
        class = rd_be16(p + off + 2);
        ttl = rd_be32(p + off + 4);
        rdlen = rd_be16(p + off + 8);
        off += 10;
        if (off + rdlen > len)
            return -1;
        if (class == DNS_CLASS_IN && type == DNS_TYPE_A && rdlen == 4) {
            addr_from_v4(&a, p + off);
            fn(ctx, qname, qlen, &a, ttl);
        } else if (class == DNS_CLASS_IN && type == DNS_TYPE_AAAA && rdlen == 16) {
            addr_from_v6(&a, p + off);
            fn(ctx, qname, qlen, &a, ttl);
        }
        off += rdlen;
    }
    return 0;
}

/* ---- the name cache ---- */

struct dns_cache_entry {
    struct addr a;
    pw_time     expires;   /* 0: empty */
    char        name[NAME_TEXT_MAX + 1];
};

struct inline_dns_cache {
    struct dns_cache_entry *e;
    uint32_t                mask;
};

struct inline_dns_cache *inline_dns_cache_create(uint32_t cap)
{
    struct inline_dns_cache *c;
    uint32_t n = CACHE_PROBES;

    while (n < cap && n < (1u << 24))
        n <<= 1;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->e = calloc(n, sizeof(*c->e));
    if (c->e == NULL) {
        free(c);
        return NULL;
    }
    c->mask = n - 1;
    return c;
}

void inline_dns_cache_free(struct inline_dns_cache *c)
{
    if (c == NULL)
        return;
    free(c->e);
    free(c);
}

static uint32_t addr_hash(const struct addr *a)
{
    uint32_t h = 2166136261u;

    for (int i = 0; i < 16; i++) {
        h ^= a->b[i];
        h *= 16777619u;
    }
    return h;
}

void inline_dns_cache_put(struct inline_dns_cache *c, const struct addr *a, const char *name, size_t len,
                          pw_time expires)
{
    struct dns_cache_entry *victim = NULL;
    uint32_t h = addr_hash(a);

    if (len > NAME_TEXT_MAX)
        return;
    for (uint32_t i = 0; i < CACHE_PROBES; i++) {
        struct dns_cache_entry *e = &c->e[(h + i) & c->mask];

        if (e->expires != 0 && addr_cmp(&e->a, a) == 0) {
            victim = e;
            break;
        }
        /* A full window gives up the entry closest to expiring. */
        if (victim == NULL || e->expires < victim->expires)
            victim = e;
    }
    victim->a = *a;
    victim->expires = expires;
    memcpy(victim->name, name, len);
    victim->name[len] = '\0';
}

const char *inline_dns_cache_get(const struct inline_dns_cache *c, const struct addr *a, pw_time now)
{
    uint32_t h = addr_hash(a);

    for (uint32_t i = 0; i < CACHE_PROBES; i++) {
        const struct dns_cache_entry *e = &c->e[(h + i) & c->mask];

        if (e->expires != 0 && addr_cmp(&e->a, a) == 0)
            return e->expires > now ? e->name : NULL;
    }
    return NULL;
}
