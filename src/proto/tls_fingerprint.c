/* proto/tls_fingerprint.c - JA3, JA3S (Salesforce) and JA4 (FoxIO) fingerprints of parsed hellos;
 * GREASE values are left out everywhere, as both specs say. */
#include "proto/tls_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Big enough for the longest text any capped hello can produce: 128 ciphers, 64 extensions,
 * 48 groups of up to 6 characters each, plus separators. */
#define FP_TEXT_MAX 2048

struct fp_text {
    char   buf[FP_TEXT_MAX];
    size_t len;
};

static void fp_put(struct fp_text *t, const char *s)
{
    size_t n = strlen(s);

    if (n > sizeof(t->buf) - t->len)
        n = sizeof(t->buf) - t->len;
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

static void fp_dec(struct fp_text *t, unsigned v, bool *first, const char *sep)
{
    char num[8];

    snprintf(num, sizeof(num), "%u", v);
    if (!*first)
        fp_put(t, sep);
    *first = false;
    fp_put(t, num);
}

static void fp_dec_list16(struct fp_text *t, const uint16_t *v, size_t n)
{
    bool first = true;

    for (size_t i = 0; i < n; i++)
        if (!tls_is_grease(v[i]))
            fp_dec(t, v[i], &first, "-");
}

static void hex_digest(const EVP_MD *md, const struct fp_text *t, char *out, size_t hexlen)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char     d[EVP_MAX_MD_SIZE];
    unsigned int      dlen = 0;

    if (EVP_Digest(t->buf, t->len, d, &dlen, md, NULL) != 1)
        dlen = 0;
    for (size_t i = 0; i < hexlen / 2 && i < dlen; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 0xf];
    }
    out[dlen ? hexlen : 0] = '\0';
}

void tls_fingerprint_ja3(const struct tls_client_hello *ch, char out[TLS_JA3_LEN])
{
    struct fp_text t = { .len = 0 };
    bool           first = true;

    fp_dec(&t, ch->version, &first, ",");
    fp_put(&t, ",");
    fp_dec_list16(&t, ch->ciphers, ch->n_ciphers);
    fp_put(&t, ",");
    fp_dec_list16(&t, ch->exts, ch->n_exts);
    fp_put(&t, ",");
    fp_dec_list16(&t, ch->groups, ch->n_groups);
    fp_put(&t, ",");
    first = true;
    for (size_t i = 0; i < ch->n_point_fmts; i++)
        fp_dec(&t, ch->point_fmts[i], &first, "-");
    hex_digest(EVP_md5(), &t, out, 32);
}

void tls_fingerprint_ja3s(const struct tls_server_hello *sh, char out[TLS_JA3_LEN])
{
    struct fp_text t = { .len = 0 };
    bool           first = true;

    fp_dec(&t, sh->version, &first, ",");
    fp_put(&t, ",");
    first = true;
    fp_dec(&t, sh->cipher, &first, ",");
    fp_put(&t, ",");
    fp_dec_list16(&t, sh->exts, sh->n_exts);
    hex_digest(EVP_md5(), &t, out, 32);
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

    return (x > y) - (x < y);
}

/* Sorted (when asked), GREASE-free, 4-digit lower hex, comma separated. Returns items written. */
static size_t fp_hex_list(struct fp_text *t, const uint16_t *v, size_t n, bool sort, bool skip_sni_alpn)
{
    uint16_t tmp[TLS_MAX_CIPHERS > TLS_MAX_EXTS ? TLS_MAX_CIPHERS : TLS_MAX_EXTS];
    size_t   k = 0;
    char     hex[8];

    if (n > sizeof(tmp) / sizeof(tmp[0]))
        n = sizeof(tmp) / sizeof(tmp[0]);
    for (size_t i = 0; i < n; i++) {
        if (tls_is_grease(v[i]))
            continue;
        if (skip_sni_alpn && (v[i] == TLS_EXT_SERVER_NAME || v[i] == TLS_EXT_ALPN))
            continue;
        tmp[k++] = v[i];
    }
    if (sort)
        qsort(tmp, k, sizeof(tmp[0]), cmp_u16);
    for (size_t i = 0; i < k; i++) {
        snprintf(hex, sizeof(hex), "%s%04x", i ? "," : "", (unsigned)tmp[i]);
        fp_put(t, hex);
    }
    return k;
}

static size_t count_non_grease(const uint16_t *v, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += !tls_is_grease(v[i]);
    return k;
}

static const char *ja4_version(uint16_t v)
{
    switch (v) {
    case TLS_V_TLS13: return "13";
    case TLS_V_TLS12: return "12";
    case TLS_V_TLS11: return "11";
    case TLS_V_TLS10: return "10";
    case TLS_V_SSL3:  return "s3";
    case TLS_V_SSL2:  return "s2";
    case 0xfeffu:     return "d1";
    case 0xfefdu:     return "d2";
    case 0xfefcu:     return "d3";
    default:          return "00";
    }
}

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static void ja4_alpn(const struct tls_client_hello *ch, char out[3])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t           a, z;

    if (!ch->has_alpn || ch->alpn_len == 0) {
        out[0] = out[1] = '0';
    } else {
        a = ch->alpn[0];
        z = ch->alpn[ch->alpn_len - 1];
        if (is_alnum(a) && is_alnum(z)) {
            out[0] = (char)a;
            out[1] = (char)z;
        } else {
            /* the first and last characters of the value's hex form */
            out[0] = hex[a >> 4];
            out[1] = hex[z & 0xf];
        }
    }
    out[2] = '\0';
}

void tls_fingerprint_ja4(const struct tls_client_hello *ch, char transport, char out[TLS_JA4_LEN])
{
    struct fp_text t = { .len = 0 };
    size_t         nc = count_non_grease(ch->ciphers, ch->n_ciphers);
    size_t         ne = count_non_grease(ch->exts, ch->n_exts);
    uint16_t       ver = ch->max_supported_version ? ch->max_supported_version : ch->version;
    char           alpn[3];
    char           b[13], c[13];

    ja4_alpn(ch, alpn);
    if (fp_hex_list(&t, ch->ciphers, ch->n_ciphers, true, false) > 0)
        hex_digest(EVP_sha256(), &t, b, 12);
    else
        memcpy(b, "000000000000", 13);

    t.len = 0;
    if (fp_hex_list(&t, ch->exts, ch->n_exts, true, true) > 0 || ch->n_sigalgs > 0) {
        if (ch->n_sigalgs > 0) {
            fp_put(&t, "_");
            fp_hex_list(&t, ch->sigalgs, ch->n_sigalgs, false, false);
        }
        hex_digest(EVP_sha256(), &t, c, 12);
    } else {
        memcpy(c, "000000000000", 13);
    }
    snprintf(out, TLS_JA4_LEN, "%c%s%c%02u%02u%s_%s_%s", transport, ja4_version(ver),
             ch->has_sni ? 'd' : 'i', (unsigned)(nc > 99 ? 99 : nc), (unsigned)(ne > 99 ? 99 : ne),
             alpn, b, c);
}
