/* proto/ber.c - a strict BER reader for LDAP: definite lengths only, bounded integers and OIDs. */
#include <stdio.h>
#include <string.h>

#include "proto/ldap_int.h"

enum ber_status ber_header(const uint8_t *p, size_t len, struct ber_hdr *h)
{
    size_t  off = 1;
    uint8_t l;

    if (len < 2)
        return BER_NEED;
    h->cls = (uint8_t)(p[0] >> 6);
    h->constructed = (p[0] & 0x20u) != 0;
    h->tag = p[0] & 0x1fu;
    if (h->tag == 0x1f) {
        /* High tag numbers: LDAP never uses them, one continuation octet is plenty. */
        if (p[1] & 0x80u)
            return BER_BAD;
        h->tag = p[1];
        off = 2;
        if (len < 3)
            return BER_NEED;
    }
    l = p[off++];
    if (l < 0x80u) {
        h->len = l;
    } else {
        size_t n = l & 0x7fu;

        if (n == 0 || n > BER_MAX_LEN_OCTETS)   /* indefinite, or more than we allow */
            return BER_BAD;
        if (len < off + n)
            return BER_NEED;
        h->len = 0;
        for (size_t i = 0; i < n; i++)
            h->len = (h->len << 8) | p[off + i];
        off += n;
    }
    h->hdr_len = (uint32_t)off;
    return BER_OK;
}

enum ber_status ber_element(const uint8_t *p, size_t len, struct ber_hdr *h, const uint8_t **content)
{
    enum ber_status st = ber_header(p, len, h);

    if (st != BER_OK)
        return st == BER_NEED ? BER_BAD : st;   /* inside a complete message, short is broken */
    if ((size_t)h->len > len - h->hdr_len)
        return BER_BAD;
    *content = p + h->hdr_len;
    return BER_OK;
}

bool ber_int(const uint8_t *p, size_t len, int64_t *out)
{
    uint64_t v;

    if (len == 0 || len > 8)
        return false;
    v = (p[0] & 0x80u) ? ~(uint64_t)0 : 0;
    for (size_t i = 0; i < len; i++)
        v = (v << 8) | p[i];
    *out = (int64_t)v;
    return true;
}

bool ber_oid_text(const uint8_t *p, size_t len, char *out, size_t size)
{
    size_t   used = 0;
    uint64_t v = 0;
    bool     first = true;

    if (len == 0 || size == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        int n;

        if (v > (UINT64_MAX >> 7))
            return false;
        v = (v << 7) | (p[i] & 0x7fu);
        if (p[i] & 0x80u) {
            if (i + 1 == len)
                return false;
            continue;
        }
        if (first) {
            uint64_t a = v < 40 ? 0 : v < 80 ? 1 : 2;

            n = snprintf(out + used, size - used, "%llu.%llu", (unsigned long long)a,
                         (unsigned long long)(v - a * 40));
            first = false;
        } else {
            n = snprintf(out + used, size - used, ".%llu", (unsigned long long)v);
        }
        if (n < 0 || (size_t)n >= size - used)
            return false;
        used += (size_t)n;
        v = 0;
    }
    return true;
}
