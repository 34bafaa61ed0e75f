/* util/addr.c - address formatting, parsing and prefix tests. */
#include "util/addr.h"

#include <arpa/inet.h>
#include <stdio.h>

size_t addr_format(const struct addr *a, char *buf, size_t size)
{
    const char *r;

    if (addr_is_v4(a))
        r = inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)size);
    else
        r = inet_ntop(AF_INET6, a->b, buf, (socklen_t)size);
    if (r == NULL) {
        if (size > 0)
            buf[0] = '\0';
        return 0;
    }
    return strlen(buf);
}

int addr_parse(struct addr *a, const char *text)
{
    uint8_t tmp[16];

    if (inet_pton(AF_INET, text, tmp) == 1) {
        addr_from_v4(a, tmp);
        return 0;
    }
    if (inet_pton(AF_INET6, text, tmp) == 1) {
        addr_from_v6(a, tmp);
        return 0;
    }
    return -1;
}

bool addr_in_prefix(const struct addr *a, const struct addr *prefix, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;

    if (bits > 128)
        return false;
    if (memcmp(a->b, prefix->b, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a->b[full] & mask) == (prefix->b[full] & mask);
}
