/* util/addr.h - IPv4/IPv6 addresses in one 16-byte form, and their text forms. */
#ifndef PW_UTIL_ADDR_H
#define PW_UTIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* IPv4 is stored IPv4-mapped (::ffff:a.b.c.d), as Zeek does, so one compare serves both. */
struct addr {
    uint8_t b[16];
};

#define ADDR_STRLEN 46  /* INET6_ADDRSTRLEN */

static inline bool addr_is_v4(const struct addr *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a->b, prefix, 12) == 0;
}

static inline void addr_from_v4(struct addr *a, const uint8_t v4[4])
{
    memset(a->b, 0, 10);
    a->b[10] = 0xff;
    a->b[11] = 0xff;
    memcpy(a->b + 12, v4, 4);
}

static inline void addr_from_v6(struct addr *a, const uint8_t v6[16])
{
    memcpy(a->b, v6, 16);
}

static inline int addr_cmp(const struct addr *x, const struct addr *y)
{
    return memcmp(x->b, y->b, 16);
}

/* Writes the Zeek text form (dotted IPv4, compressed IPv6) into buf; returns its length. */
size_t addr_format(const struct addr *a, char *buf, size_t size);

/* Parses dotted IPv4 or IPv6 text; returns 0 on success. */
int addr_parse(struct addr *a, const char *text);

/* True when a lies in prefix/bits (bits counted on the 128-bit form; IPv4 /n is 96+n). */
bool addr_in_prefix(const struct addr *a, const struct addr *prefix, unsigned bits);

#endif
