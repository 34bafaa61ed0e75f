/* fuzz/fuzz_inline_dns.c - libFuzzer target: the DNS firewall reads any bytes as a query, answers it, reads the answer back. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "inline/inline_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct count {
    unsigned n;
};

static void on_addr(void *ctx, const char *qname, size_t len, const struct addr *a, uint32_t ttl)
{
    struct count *c = ctx;

    if (strlen(qname) != len || len > 253)
        __builtin_trap();
    (void)a;
    (void)ttl;
    c->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum policy_dns_answer kinds[] = {POLICY_DNS_NXDOMAIN, POLICY_DNS_NODATA, POLICY_DNS_SINKHOLE};
    struct inline_dns_query q;
    struct addr s4, s6;
    uint8_t out[INLINE_PKT_MAX], pkt[INLINE_PKT_MAX];
    struct count c = {0};

    /* Any bytes are a response too: the name cache learns from those. */
    (void)inline_dns_parse_response(data, size, on_addr, &c);
    if (inline_dns_parse_query(data, size, &q) != 0)
        return 0;
    if (q.name_len != strlen(q.name) || q.name_len > 253 || q.question_end > size)
        __builtin_trap();
    addr_parse(&s4, "192.0.2.1");
    addr_parse(&s6, "2001:db8::1");
    for (size_t k = 0; k < 3; k++) {
        size_t n = inline_dns_answer(out, sizeof(out), data, &q, kinds[k], &s4, size & 1 ? &s6 : NULL);
        struct inline_dns_query again;
        struct addr a, b;

        if (n == 0)
            continue;
        /* The answer is a response to the same question with at most an A and an AAAA... */
        memset(&c, 0, sizeof(c));
        if (inline_dns_parse_response(out, n, on_addr, &c) != 0 || c.n > 2 || (kinds[k] != POLICY_DNS_SINKHOLE && c.n != 0))
            __builtin_trap();
        if (memcmp(out, data, 2) != 0 || (out[2] & 0x80) == 0)
            __builtin_trap();
        /* ...whose question, turned back into a query, reads as the original did. */
        out[2] &= 0x7f;
        out[6] = out[7] = 0;
        if (inline_dns_parse_query(out, q.question_end, &again) != 0 || strcmp(again.name, q.name) != 0 ||
            again.qtype != q.qtype)
            __builtin_trap();
        /* ...and fits in a UDP datagram from the resolver. */
        addr_parse(&a, "10.0.0.53");
        addr_parse(&b, "10.0.0.2");
        if (inline_reset_udp(pkt, sizeof(pkt), &a, 53, &b, 40000, out, n) == 0 && n <= sizeof(pkt) - 48)
            __builtin_trap();
    }
    return 0;
}
