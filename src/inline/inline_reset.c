/* inline/inline_reset.c - TCP resets, ICMP unreachables and UDP answers, built and sent on raw sockets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "inline/inline_int.h"
#include "util/bytes.h"

#define IP4_HDR 20
#define IP6_HDR 40
#define TCP_HDR 20
#define UDP_HDR 8
#define ICMP_HDR 8

#define PROTO_ICMP   1
#define PROTO_TCP    6
#define PROTO_UDP    17
#define PROTO_ICMPV6 58

/* RFC 1812 4.3.2.3: an ICMP error quotes as much as fits in 576 bytes; RFC 4443 2.4(c): as much as
 * fits in the IPv6 minimum MTU. */
#define ICMP4_ERROR_MAX 576
#define ICMP6_ERROR_MAX 1280

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint32_t inline_reset_sum(uint32_t sum, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (i < len)
        sum += (uint32_t)(p[i] << 8);
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return sum;
}

uint16_t inline_reset_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t pseudo_sum(bool v4, const struct addr *src, const struct addr *dst, uint8_t proto, uint32_t len)
{
    uint8_t tail[8] = {0};
    uint32_t sum;

    if (v4) {
        sum = inline_reset_sum(0, src->b + 12, 4);
        sum = inline_reset_sum(sum, dst->b + 12, 4);
        tail[1] = proto;
        wr16(tail + 2, (uint16_t)len);
        return inline_reset_sum(sum, tail, 4);
    }
    sum = inline_reset_sum(0, src->b, 16);
    sum = inline_reset_sum(sum, dst->b, 16);
    wr32(tail, len);
    tail[7] = proto;
    return inline_reset_sum(sum, tail, 8);
}

/* Writes the IP header for a packet of `l4len` transport bytes; returns its length, 0 if the two
 * addresses are of different families. */
static size_t ip_header(uint8_t *out, const struct addr *src, const struct addr *dst, uint8_t proto, size_t l4len)
{
    static uint16_t ip_id;
    bool v4 = addr_is_v4(src);

    if (v4 != addr_is_v4(dst))
        return 0;
    if (v4) {
        memset(out, 0, IP4_HDR);
        out[0] = 0x45;
        wr16(out + 2, (uint16_t)(IP4_HDR + l4len));
        wr16(out + 4, ++ip_id);
        wr16(out + 6, 0x4000);   /* DF */
        out[8] = 64;
        out[9] = proto;
        memcpy(out + 12, src->b + 12, 4);
        memcpy(out + 16, dst->b + 12, 4);
        wr16(out + 10, inline_reset_fold(inline_reset_sum(0, out, IP4_HDR)));
        return IP4_HDR;
    }
    memset(out, 0, IP6_HDR);
    out[0] = 0x60;
    wr16(out + 4, (uint16_t)l4len);
    out[6] = proto;
    out[7] = 64;
    memcpy(out + 8, src->b, 16);
    memcpy(out + 24, dst->b, 16);
    return IP6_HDR;
}

size_t inline_reset_tcp(uint8_t *out, size_t cap, const struct addr *src, uint16_t sport, const struct addr *dst,
                        uint16_t dport, uint32_t seq, uint32_t ack, bool with_ack)
{
    size_t h;
    uint8_t *t;

    if (cap < IP6_HDR + TCP_HDR)
        return 0;
    h = ip_header(out, src, dst, PROTO_TCP, TCP_HDR);
    if (h == 0)
        return 0;
    t = out + h;
    memset(t, 0, TCP_HDR);
    wr16(t, sport);
    wr16(t + 2, dport);
    wr32(t + 4, seq);
    wr32(t + 8, with_ack ? ack : 0);
    t[12] = (TCP_HDR / 4) << 4;
    t[13] = with_ack ? 0x14 : 0x04;   /* RST|ACK or RST */
    wr16(t + 16, inline_reset_fold(inline_reset_sum(pseudo_sum(h == IP4_HDR, src, dst, PROTO_TCP, TCP_HDR), t,
                                                    TCP_HDR)));
    return h + TCP_HDR;
}

size_t inline_reset_udp(uint8_t *out, size_t cap, const struct addr *src, uint16_t sport, const struct addr *dst,
                        uint16_t dport, const uint8_t *payload, size_t len)
{
    size_t h;
    uint8_t *u;
    uint16_t c;

    if (cap < IP6_HDR + UDP_HDR || len > cap - IP6_HDR - UDP_HDR)
        return 0;
    h = ip_header(out, src, dst, PROTO_UDP, UDP_HDR + len);
    if (h == 0)
        return 0;
    u = out + h;
    wr16(u, sport);
    wr16(u + 2, dport);
    wr16(u + 4, (uint16_t)(UDP_HDR + len));
    wr16(u + 6, 0);
    if (len > 0)
        memmove(u + UDP_HDR, payload, len);
    c = inline_reset_fold(
        inline_reset_sum(pseudo_sum(h == IP4_HDR, src, dst, PROTO_UDP, (uint32_t)(UDP_HDR + len)), u, UDP_HDR + len));
    wr16(u + 6, c == 0 ? 0xffff : c);   /* RFC 768: a computed 0 is sent as all ones */
    return h + UDP_HDR + len;
}

size_t inline_reset_unreach(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len)
{
    struct addr src, dst;
    size_t h, quote;
    uint8_t *m;
    bool v4;

    if (len < IP4_HDR)
        return 0;
    v4 = (pkt[0] >> 4) == 4;
    if (v4) {
        size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;

        if (ihl < IP4_HDR || len < ihl)
            return 0;
        addr_from_v4(&src, pkt + 12);
        addr_from_v4(&dst, pkt + 16);
        /* RFC 792: the header and the first 8 bytes are required; Linux quotes more and so do we. */
        quote = ICMP4_ERROR_MAX - IP4_HDR - ICMP_HDR;
    } else if ((pkt[0] >> 4) == 6 && len >= IP6_HDR) {
        addr_from_v6(&src, pkt + 8);
        addr_from_v6(&dst, pkt + 24);
        quote = ICMP6_ERROR_MAX - IP6_HDR - ICMP_HDR;
    } else {
        return 0;
    }
    if (quote > len)
        quote = len;
    if (cap < IP6_HDR + ICMP_HDR + quote)
        return 0;
    h = ip_header(out, &dst, &src, v4 ? PROTO_ICMP : PROTO_ICMPV6, ICMP_HDR + quote);
    if (h == 0)
        return 0;
    m = out + h;
    memset(m, 0, ICMP_HDR);
    m[0] = v4 ? 3 : 1;   /* destination unreachable */
    m[1] = v4 ? 3 : 4;   /* port unreachable */
    memcpy(m + ICMP_HDR, pkt, quote);
    if (v4)
        wr16(m + 2, inline_reset_fold(inline_reset_sum(0, m, ICMP_HDR + quote)));
    else
        wr16(m + 2, inline_reset_fold(inline_reset_sum(
                        pseudo_sum(false, &dst, &src, PROTO_ICMPV6, (uint32_t)(ICMP_HDR + quote)), m, ICMP_HDR + quote)));
    return h + ICMP_HDR + quote;
}

/* ---- raw sockets ---- */

struct inline_raw {
    int fd4, fd6;
};

static int raw_socket(int family, uint32_t mark)
{
    int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);

    if (fd < 0)
        return -1;
    /* The mark keeps our own packets out of the queue (the nft rules accept it first). */
    if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) != 0) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

struct inline_raw *inline_reset_open(uint32_t mark, char *err, size_t errlen)
{
    struct inline_raw *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* IPPROTO_RAW means we write the IP header ourselves, for IPv6 too (Linux 4.5 and later). */
    r->fd4 = raw_socket(AF_INET, mark);
    if (r->fd4 < 0) {
        snprintf(err, errlen, "raw IPv4 socket: %s", strerror(errno));
        free(r);
        return NULL;
    }
    r->fd6 = raw_socket(AF_INET6, mark);   /* a host without IPv6 still resets IPv4 flows */
    return r;
}

int inline_reset_send(struct inline_raw *r, const uint8_t *pkt, size_t len)
{
    if (len < IP4_HDR)
        return -1;
    if ((pkt[0] >> 4) == 4) {
        struct sockaddr_in sa;

        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        memcpy(&sa.sin_addr, pkt + 16, 4);
        return sendto(r->fd4, pkt, len, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)len ? 0 : -1;
    }
    if (len >= IP6_HDR && r->fd6 >= 0) {
        struct sockaddr_in6 sa;

        memset(&sa, 0, sizeof(sa));
        sa.sin6_family = AF_INET6;
        memcpy(&sa.sin6_addr, pkt + 24, 16);
        return sendto(r->fd6, pkt, len, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)len ? 0 : -1;
    }
    errno = EAFNOSUPPORT;
    return -1;
}

void inline_reset_close(struct inline_raw *r)
{
    if (r == NULL)
        return;
    close(r->fd4);
    if (r->fd6 >= 0)
        close(r->fd6);
    free(r);
}
