/* decode/checksum.c - the Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers. */
#include "decode/decode_int.h"

#include "util/bytes.h"

uint32_t checksum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    uint64_t s = sum;
    size_t i;

    /* 64-bit accumulator: 65535-byte datagrams of 0xffff words cannot overflow it. */
    for (i = 0; i + 1 < len; i += 2)
        s += rd_be16(data + i);
    if (len & 1)
        s += (uint32_t)data[len - 1] << 8;
    while (s >> 32)
        s = (s & 0xffffffffu) + (s >> 32);
    return (uint32_t)s;
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
