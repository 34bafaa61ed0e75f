/* tests/unit/decode/frame_build.h - byte-level builders for test frames, with their own checksum code. */
#ifndef PW_TEST_FRAME_BUILD_H
#define PW_TEST_FRAME_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode/decode.h"

static const uint8_t A4[4] = {10, 0, 0, 1};
static const uint8_t B4[4] = {10, 0, 0, 2};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

static inline void wr16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v >> 16);
    wr16(p + 2, v & 0xffff);
}

/* RFC 1071, written independently of src/decode/checksum.c so each checks the other. */
static inline uint32_t fb_sum(uint32_t s, const uint8_t *p, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    return s;
}

static inline uint16_t fb_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static inline uint32_t fb_eth(uint8_t *b, uint16_t type)
{
    memset(b, 0x11, 6);
    memset(b + 6, 0x22, 6);
    wr16(b + 12, type);
    return 14;
}

/* IPv4 header with options; total length = header + payload_len; checksum filled. */
static inline uint32_t fb_ip4(uint8_t *b, uint8_t proto, uint16_t id, uint16_t frag, const uint8_t *opts,
                              uint32_t optlen, uint32_t payload_len)
{
    uint32_t hl = 20 + optlen;

    memset(b, 0, hl);
    b[0] = (uint8_t)(0x40 | (hl / 4));
    wr16(b + 2, hl + payload_len);
    wr16(b + 4, id);
    wr16(b + 6, frag);
    b[8] = 64;
    b[9] = proto;
    memcpy(b + 12, A4, 4);
    memcpy(b + 16, B4, 4);
    if (optlen)
        memcpy(b + 20, opts, optlen);
    wr16(b + 10, fb_fold(fb_sum(0, b, hl)));
    return hl;
}

static inline void fb_ip4_fix_csum(uint8_t *ip)
{
    uint32_t hl = (ip[0] & 15) * 4u;

    wr16(ip + 10, 0);
    wr16(ip + 10, fb_fold(fb_sum(0, ip, hl)));
}

static inline uint32_t fb_ip6(uint8_t *b, uint8_t nh, uint32_t plen)
{
    memset(b, 0, 40);
    b[0] = 0x60;
    wr16(b + 4, plen);
    b[6] = nh;
    b[7] = 64;
    memcpy(b + 8, A6, 16);
    memcpy(b + 24, B6, 16);
    return 40;
}

/* Transport checksum over len bytes at l4 (pseudo-header from ip); csum_off is where it goes. */
static inline void fb_l4_csum(const uint8_t *ip, uint8_t *l4, uint32_t len, uint8_t proto, uint32_t csum_off,
                              bool pseudo)
{
    uint32_t s = 0;
    uint8_t t[4];

    wr16(l4 + csum_off, 0);
    if (pseudo) {
        if ((ip[0] >> 4) == 4) {
            s = fb_sum(s, ip + 12, 8);
        } else {
            s = fb_sum(s, ip + 8, 32);
            wr16(t, len >> 16);
            s = fb_sum(s, t, 2);
        }
        t[0] = 0;
        t[1] = proto;
        wr16(t + 2, len);
        s = fb_sum(s, t, 4);
    }
    s = fb_sum(s, l4, len);
    wr16(l4 + csum_off, fb_fold(s));
}

static inline uint32_t fb_tcp(uint8_t *b, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
                              const char *payload)
{
    uint32_t n = payload ? (uint32_t)strlen(payload) : 0;

    memset(b, 0, 20);
    wr16(b, sport);
    wr16(b + 2, dport);
    wr32(b + 4, seq);
    wr32(b + 8, 0x01020304);
    b[12] = 5 << 4;
    b[13] = flags;
    wr16(b + 14, 65535);
    if (n)
        memcpy(b + 20, payload, n);
    return 20 + n;
}

static inline uint32_t fb_udp(uint8_t *b, uint16_t sport, uint16_t dport, const uint8_t *payload, uint32_t n)
{
    wr16(b, sport);
    wr16(b + 2, dport);
    wr16(b + 4, 8 + n);
    wr16(b + 6, 0);
    if (n)
        memcpy(b + 8, payload, n);
    return 8 + n;
}

/* Records every weird the decoder reports. */
struct weird_rec {
    int              n;
    enum weird_id    ids[32];
    struct addr      src[32];
    char             addl[64];
};

static inline void weird_cb(void *ctx, enum weird_id id, const struct packet *p, const char *addl)
{
    struct weird_rec *w = ctx;

    if (w->n < 32) {
        w->ids[w->n] = id;
        w->src[w->n] = p->src;
    }
    w->n++;
    if (addl != NULL)
        snprintf(w->addl, sizeof(w->addl), "%s", addl);
}

static inline bool weird_seen(const struct weird_rec *w, enum weird_id id)
{
    int i;

    for (i = 0; i < w->n && i < 32; i++)
        if (w->ids[i] == id)
            return true;
    return false;
}

static inline struct decoder *mk_decoder(struct weird_rec *w, bool csum, uint32_t max_dgrams, uint32_t max_bytes)
{
    struct decoder_config c;

    memset(&c, 0, sizeof(c));
    c.frag_max_datagrams = max_dgrams;
    c.frag_max_bytes = max_bytes;
    c.frag_timeout = 30 * PW_SEC;
    c.check_checksums = csum;
    c.on_weird = weird_cb;
    c.weird_ctx = w;
    return decoder_create(&c);
}

#endif
