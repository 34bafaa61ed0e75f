/* decode/checksum.c - the Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers. */
#include <string.h>

#include "decode/decode_int.h"

#include "util/bytes.h"

uint32_t checksum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    uint64_t s = 0;
    size_t i = 0;
    uint16_t r;

    /* RFC 1071: the ones' complement sum does not depend on byte order, so add 64-bit words in
     * the machine's order and swap the folded result once; 8 bytes a step, not 2. A 64-bit
     * accumulator cannot overflow for datagrams up to 64 KiB. */
    for (; i + 8 <= len; i += 8) {
        uint64_t x;

        memcpy(&x, data + i, 8);
        s += (x & 0xffffffffu) + (x >> 32);
    }
    for (; i + 2 <= len; i += 2) {
        uint16_t w;

        memcpy(&w, data + i, 2);
        s += w;
    }
    if (i < len) {
        uint16_t w = 0;

        memcpy(&w, data + i, 1);   /* the odd byte is the first of a zero-padded word */
        s += w;
    }
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    r = (uint16_t)s;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    r = (uint16_t)((r >> 8) | (r << 8));
#endif
    return sum + r;
}

uint16_t checksum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t checksum_pseudo(uint8_t ip_version, const struct addr *src, const struct addr *dst, uint8_t proto, uint32_t len)
{
    uint8_t tail[8];
    uint32_t sum = 0;

    if (ip_version == 4) {
        sum = checksum_add(sum, src->b + 12, 4);
        sum = checksum_add(sum, dst->b + 12, 4);
        tail[0] = 0;
        tail[1] = proto;
        tail[2] = (uint8_t)(len >> 8);
        tail[3] = (uint8_t)len;
        return checksum_add(sum, tail, 4);
    }
    sum = checksum_add(sum, src->b, 16);
    sum = checksum_add(sum, dst->b, 16);
    tail[0] = (uint8_t)(len >> 24);
    tail[1] = (uint8_t)(len >> 16);
    tail[2] = (uint8_t)(len >> 8);
    tail[3] = (uint8_t)len;
    tail[4] = tail[5] = tail[6] = 0;
    tail[7] = proto;
    return checksum_add(sum, tail, 8);
}
