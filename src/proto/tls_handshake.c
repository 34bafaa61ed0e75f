/* proto/tls_handshake.c - TLS handshake message bodies (ClientHello, SSLv2 CLIENT-HELLO,
 * ServerHello, ServerKeyExchange) parsed into fixed-size structs; every length checked. */
#include "proto/tls_int.h"

#include <string.h>

#include "util/bytes.h"

/* A bounds-checked reader: any short read sets `bad` and yields zeroes. */
struct rd {
    const uint8_t *p;
    size_t         len;
    size_t         off;
    bool           bad;
};

static bool rd_has(struct rd *r, size_t n)
{
    if (r->bad || r->len - r->off < n) {
        r->bad = true;
        return false;
    }
    return true;
}

static uint8_t rd_u8(struct rd *r)
{
    return rd_has(r, 1) ? r->p[r->off++] : 0;
}

static uint16_t rd_u16(struct rd *r)
{
    uint16_t v;

    if (!rd_has(r, 2))
        return 0;
    v = rd_be16(r->p + r->off);
    r->off += 2;
    return v;
}

/* A sub-reader over the next n bytes, which the parent skips. */
static struct rd rd_sub(struct rd *r, size_t n)
{
    struct rd s = { .p = r->p, .len = 0, .off = 0, .bad = true };

    if (!rd_has(r, n))
        return s;
    s.p = r->p + r->off;
    s.len = n;
    s.bad = false;
    r->off += n;
    return s;
}

static size_t rd_left(const struct rd *r)
{
    return r->bad ? 0 : r->len - r->off;
}

/* The first protocol of an ALPN extension body. */
static bool alpn_first(struct rd e, uint8_t *out, uint8_t *out_len)
{
    struct rd list = rd_sub(&e, rd_u16(&e));
    uint8_t   n = rd_u8(&list);
    size_t    keep;

    if (list.bad || n == 0 || !rd_has(&list, n))
        return false;
    keep = n < TLS_ALPN_MAX ? n : TLS_ALPN_MAX;
    memcpy(out, list.p + list.off, keep);
    *out_len = (uint8_t)keep;
    return true;
}

static void client_sni(struct tls_client_hello *ch, struct rd e)
{
    struct rd list = rd_sub(&e, rd_u16(&e));

    ch->has_sni = true;
    while (rd_left(&list) >= 3) {
        uint8_t   type = rd_u8(&list);
        struct rd name = rd_sub(&list, rd_u16(&list));

        if (name.bad)
            break;
        (void)type;
        if (ch->sni_count == 0) {
            size_t n = name.len < TLS_SNI_MAX ? name.len : TLS_SNI_MAX;

            memcpy(ch->sni, name.p, n);
            ch->sni[n] = '\0';
            ch->sni_len = (uint16_t)n;
        }
        if (ch->sni_count < UINT8_MAX)
            ch->sni_count++;
    }
}

/* Reads a list of 1- or 2-byte values into out16 or out8, keeping at most max; *capped when
 * there were more. */
static void read_list(struct rd *list, unsigned width, uint16_t *out16, uint8_t *out8, uint16_t *n, unsigned max,
                      bool *capped)
{
    while (rd_left(list) >= width) {
        uint16_t v = width == 2 ? rd_u16(list) : rd_u8(list);

        if (*n >= max) {
            *capped = true;
            continue;
        }
        if (out16 != NULL)
            out16[(*n)++] = v;
        else
            out8[(*n)++] = (uint8_t)v;
    }
}

/* An extensions block (a 2-byte length, then type, length, body records): every type is kept in
 * types (at most TLS_MAX_EXTS, the rest flag capped) and each body goes to fn. -1 when malformed. */
static int extensions_walk(struct rd *r, uint16_t *types, uint16_t *n, bool *capped,
                           void (*fn)(void *hello, uint16_t type, struct rd body), void *hello)
{
    struct rd exts = rd_sub(r, rd_u16(r));

    if (exts.bad)
        return -1;
    while (rd_left(&exts) >= 4) {
        uint16_t  type = rd_u16(&exts);
        struct rd body = rd_sub(&exts, rd_u16(&exts));

        if (body.bad)
            return -1;
        if (*n < TLS_MAX_EXTS)
            types[(*n)++] = type;
        else
            *capped = true;
        fn(hello, type, body);
    }
    return 0;
}

static void client_extension(void *hello, uint16_t type, struct rd e)
{
    struct tls_client_hello *ch = hello;
    struct rd list;

    switch (type) {
    case TLS_EXT_SERVER_NAME:
        client_sni(ch, e);
        break;
    case TLS_EXT_SUPPORTED_GROUPS:
        list = rd_sub(&e, rd_u16(&e));
        read_list(&list, 2, ch->groups, NULL, &ch->n_groups, TLS_MAX_GROUPS, &ch->capped);
        break;
    case TLS_EXT_EC_POINT_FORMATS:
        list = rd_sub(&e, rd_u8(&e));
        read_list(&list, 1, NULL, ch->point_fmts, &ch->n_point_fmts, TLS_MAX_POINT_FMTS, &ch->capped);
        break;
    case TLS_EXT_SIGNATURE_ALGS:
        list = rd_sub(&e, rd_u16(&e));
        read_list(&list, 2, ch->sigalgs, NULL, &ch->n_sigalgs, TLS_MAX_SIGALGS, &ch->capped);
        break;
    case TLS_EXT_ALPN:
        ch->has_alpn = alpn_first(e, ch->alpn, &ch->alpn_len);
        break;
    case TLS_EXT_SESSION_TICKET:
        ch->ticket_nonempty = e.len > 0;
        break;
    case TLS_EXT_PRE_SHARED_KEY:
        ch->psk = true;
        break;
    case TLS_EXT_SUPPORTED_VERSIONS:
        list = rd_sub(&e, rd_u8(&e));
        while (rd_left(&list) >= 2) {
            uint16_t v = rd_u16(&list);

            if (!tls_is_grease(v) && v > ch->max_supported_version)
                ch->max_supported_version = v;
        }
        break;
    case TLS_EXT_ECH:
        ch->ech = true;
        break;
    default:
        break;
    }
}


int tls_handshake_client_hello(const uint8_t *p, size_t len, struct tls_client_hello *ch)
{
    struct rd r = { .p = p, .len = len };
    struct rd list;
    uint8_t   sid_len;

    memset(ch, 0, sizeof(*ch));
    ch->version = rd_u16(&r);
    (void)rd_sub(&r, 32);            /* random */
    sid_len = rd_u8(&r);
    list = rd_sub(&r, sid_len);
    if (r.bad || sid_len > 32)
        return -1;
    ch->session_id_len = sid_len;
    memcpy(ch->session_id, list.p, sid_len);

    list = rd_sub(&r, rd_u16(&r));
    if (list.bad || list.len < 2 || list.len % 2 != 0)
        return -1;
    while (rd_left(&list) >= 2) {
        uint16_t c = rd_u16(&list);

        if (ch->n_ciphers < TLS_MAX_CIPHERS)
            ch->ciphers[ch->n_ciphers++] = c;
        else
            ch->capped = true;
    }
    list = rd_sub(&r, rd_u8(&r));    /* compression methods */
    if (list.bad || list.len == 0)
        return -1;
    if (rd_left(&r) < 2)
        return 0;                    /* no extensions: allowed */

    return extensions_walk(&r, ch->exts, &ch->n_exts, &ch->capped, client_extension, ch);
}

int tls_handshake_v2_client_hello(const uint8_t *p, size_t len, struct tls_client_hello *ch)
{
    struct rd r = { .p = p, .len = len };
    uint16_t  cs_len, sid_len, chal_len;
    struct rd list;

    memset(ch, 0, sizeof(*ch));
    ch->v2 = true;
    if (rd_u8(&r) != 1)
        return -1;
    ch->version = rd_u16(&r);
    cs_len = rd_u16(&r);
    sid_len = rd_u16(&r);
    chal_len = rd_u16(&r);
    if (r.bad || cs_len == 0 || cs_len % 3 != 0 || sid_len > 32)
        return -1;
    list = rd_sub(&r, cs_len);
    while (rd_left(&list) >= 3) {
        uint8_t  hi = rd_u8(&list);
        uint16_t lo = rd_u16(&list);

        /* SSLv2-only kinds have no 16-bit code point */
        if (hi != 0)
            continue;
        if (ch->n_ciphers < TLS_MAX_CIPHERS)
            ch->ciphers[ch->n_ciphers++] = lo;
        else
            ch->capped = true;
    }
    list = rd_sub(&r, sid_len);
    if (list.bad || !rd_has(&r, chal_len))
        return -1;
    ch->session_id_len = (uint8_t)sid_len;
    memcpy(ch->session_id, list.p, sid_len);
    return 0;
}

static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static void server_extension(void *hello, uint16_t type, struct rd e)
{
    struct tls_server_hello *sh = hello;
    switch (type) {
    case TLS_EXT_SUPPORTED_VERSIONS:
        /* the server names exactly one version */
        if (e.len == 2)
            sh->selected_version = rd_u16(&e);
        break;
    case TLS_EXT_KEY_SHARE:
    case TLS_EXT_KEY_SHARE_OLD:
        /* a KeyShareEntry, or in a HelloRetryRequest just the selected group */
        if (e.len >= 2) {
            sh->key_share_group = rd_u16(&e);
            sh->has_key_share = true;
        }
        break;
    case TLS_EXT_ALPN:
        sh->has_alpn = alpn_first(e, sh->alpn, &sh->alpn_len);
        break;
    case TLS_EXT_PRE_SHARED_KEY:
        sh->psk = true;
        break;
    default:
        break;
    }
}


int tls_handshake_server_hello(const uint8_t *p, size_t len, struct tls_server_hello *sh)
{
    struct rd r = { .p = p, .len = len };
    struct rd rnd, sid;
    uint8_t   sid_len;
    bool      draft;

    memset(sh, 0, sizeof(*sh));
    sh->version = rd_u16(&r);
    rnd = rd_sub(&r, 32);
    if (r.bad)
        return -1;
    sh->hrr = memcmp(rnd.p, hrr_random, 32) == 0;
    /* early TLS 1.3 drafts dropped the session id and compression fields */
    draft = (sh->version >> 8) == 0x7fu && (sh->version & 0xffu) < 22;
    if (!draft) {
        sid_len = rd_u8(&r);
        sid = rd_sub(&r, sid_len);
        if (r.bad || sid_len > 32)
            return -1;
        sh->session_id_len = sid_len;
        memcpy(sh->session_id, sid.p, sid_len);
    }
    sh->cipher = rd_u16(&r);
    if (!draft)
        sh->compression = rd_u8(&r);
    if (r.bad)
        return -1;
    if (rd_left(&r) < 2)
        return 0;

    return extensions_walk(&r, sh->exts, &sh->n_exts, &sh->capped, server_extension, sh);
}

int tls_handshake_ske_curve(const uint8_t *p, size_t len)
{
    /* ECParameters: curve_type named_curve(3), then the group */
    if (len < 3 || p[0] != 3)
        return -1;
    return rd_be16(p + 1);
}
