/* inline/inline_int.h - the inline datapath's parts: held packets, pending flows, crafted replies,
 * the DNS firewall's wire format, sockets' owners and the netfilter rules. Inline files and their
 * tests only. */
#ifndef PW_INLINE_INLINE_INT_H
#define PW_INLINE_INLINE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"
#include "util/addr.h"
#include "util/pw_time.h"

/* Packet mark bits (docs/policy.md, "Inline mode"). FINAL on an accepted packet makes the nft rules
 * copy it into the flow's ct mark, and a flow whose ct mark has it is no longer queued. INJECT is on
 * protowall's own packets (resets, ICMP errors, DNS answers), which the rules never queue. */
#define INLINE_MARK_FINAL  0x40000000u
#define INLINE_MARK_INJECT 0x20000000u

/* The netfilter hooks, numbered as NFQUEUE reports them (NF_INET_*). */
enum inline_hook {
    INLINE_HOOK_PREROUTING = 0,
    INLINE_HOOK_INPUT = 1,
    INLINE_HOOK_FORWARD = 2,
    INLINE_HOOK_OUTPUT = 3,
    INLINE_HOOK_POSTROUTING = 4,
};

#define INLINE_PROCESS_MAX 256   /* an executable path, NUL included; longer ones are cut */
#define INLINE_DOMAIN_MAX  256   /* a host name, NUL included */

/* ---- inline_hold.c: held packets, from one preallocated pool ---- */

/* A packet whose verdict waits: the kernel keeps the bytes, we keep what a verdict and a reset
 * need. */
struct inline_held {
    uint32_t id;          /* NFQUEUE packet id */
    uint32_t mark;        /* its mark when queued */
    uint32_t len;         /* transport payload bytes */
    uint32_t seq, ack;    /* TCP */
    uint8_t  from_orig;
    int32_t  next;        /* pool index, -1 ends the list */
};

/* One flow's held packets, in arrival order. Zeroed, or set by inline_hold_list_init. */
struct inline_hold_list {
    int32_t  head, tail;
    uint32_t pkts;
    uint32_t bytes;
};

struct inline_hold;

struct inline_hold *inline_hold_create(uint32_t cap);
void inline_hold_free(struct inline_hold *h);
void inline_hold_list_init(struct inline_hold_list *l);
/* Appends a copy of pkt; -1 when the pool is full (counted), 0 otherwise. */
int inline_hold_push(struct inline_hold *h, struct inline_hold_list *l, const struct inline_held *pkt);
/* Takes the oldest packet of the list; false when it is empty. */
bool inline_hold_pop(struct inline_hold *h, struct inline_hold_list *l, struct inline_held *out);
/* The oldest held packet of one direction, without taking it; NULL if none. */
const struct inline_held *inline_hold_first(const struct inline_hold *h, const struct inline_hold_list *l,
                                            bool from_orig);
uint32_t inline_hold_in_use(const struct inline_hold *h);
uint32_t inline_hold_capacity(const struct inline_hold *h);
uint64_t inline_hold_refused(const struct inline_hold *h);

/* ---- inline_flow.c: flows waiting for identification ---- */

/* A flow between "the handshake passed" and "identification decided". Everything a verdict needs
 * that the engine does not keep: the socket's owner, the direction, the held packets. */
struct inline_flow {
    char                    uid[24];
    bool                    inbound;
    bool                    has_user;
    uint32_t                user;
    char                    process[INLINE_PROCESS_MAX];   /* "" when not known */
    pw_time                 created;
    pw_time                 hold_start;                    /* 0: nothing held */
    struct inline_hold_list held;
    struct addr             orig_h, resp_h;
    uint16_t                orig_p, resp_p;
    uint8_t                 l4;
    uint8_t                 decided;        /* a verdict given while no packet of the flow was at hand */
    bool                    have_ack[2];    /* by from_orig: the last ACK each side sent */
    uint32_t                last_ack[2];
    char                    domain[INLINE_DOMAIN_MAX];     /* the engine's name for the flow so far */
    char                    app[24];        /* the confirmed application, "" while none */
    int32_t                 slot;                          /* internal */
    int32_t                 age_prev, age_next;            /* internal: all entries, oldest first */
    int32_t                 hold_prev, hold_next;          /* internal: entries holding, oldest first */
};

struct inline_flows;

struct inline_flows *inline_flows_create(uint32_t cap);
void inline_flows_free(struct inline_flows *t);
struct inline_flow *inline_flows_get(struct inline_flows *t, const char *uid);
/* A new zeroed entry (uid set, lists empty). When the table is full the oldest entry holding no
 * packet is forgotten; NULL if every entry holds packets. */
struct inline_flow *inline_flows_add(struct inline_flows *t, const char *uid, pw_time now);
void inline_flows_del(struct inline_flows *t, struct inline_flow *f);
/* The entry started holding at `now` (hold_start set, put last in the holding order). */
void inline_flows_holding(struct inline_flows *t, struct inline_flow *f, pw_time now);
/* The entry holds no more packets (its place in the holding order is given up). */
void inline_flows_unhold(struct inline_flows *t, struct inline_flow *f);
/* The entry that started holding first, or NULL. */
struct inline_flow *inline_flows_oldest_holding(struct inline_flows *t);
uint32_t inline_flows_count(const struct inline_flows *t);
uint64_t inline_flows_evicted(const struct inline_flows *t);

/* ---- inline_reset.c: crafted packets, and the raw sockets that send them ---- */

#define INLINE_PKT_MAX 1500   /* every packet protowall crafts fits in one */

/* The Internet checksum over len bytes, starting from a partial sum. */
uint32_t inline_reset_sum(uint32_t sum, const uint8_t *p, size_t len);
uint16_t inline_reset_fold(uint32_t sum);

/* A TCP RST from src to dst (IPv4 when both are IPv4-mapped, else IPv6), with the ACK flag and
 * ack when with_ack. Returns the packet's length, 0 if cap is too small or the families differ. */
size_t inline_reset_tcp(uint8_t *out, size_t cap, const struct addr *src, uint16_t sport, const struct addr *dst,
                        uint16_t dport, uint32_t seq, uint32_t ack, bool with_ack);
/* A UDP datagram from src to dst carrying payload. */
size_t inline_reset_udp(uint8_t *out, size_t cap, const struct addr *src, uint16_t sport, const struct addr *dst,
                        uint16_t dport, const uint8_t *payload, size_t len);
/* ICMP port unreachable (ICMPv6 code 4) for the IP packet pkt, sent back to its source from its
 * destination and quoting it as RFC 792 / RFC 4443 say. 0 if pkt is not a usable IP packet. */
size_t inline_reset_unreach(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len);

struct inline_raw;

/* Raw IPv4 and IPv6 sockets whose packets carry mark. NULL with err when neither opens. */
struct inline_raw *inline_reset_open(uint32_t mark, char *err, size_t errlen);
/* Sends a packet built above; its first nibble says the family. 0, or -1 (errno). */
int inline_reset_send(struct inline_raw *r, const uint8_t *pkt, size_t len);
void inline_reset_close(struct inline_raw *r);

/* ---- inline_dns.c: the DNS firewall's queries and answers, and the names answers taught ---- */

#define INLINE_DNS_NAME_MAX 256

struct inline_dns_query {
    uint16_t id;
    uint16_t qtype, qclass;
    uint16_t flags;            /* the query's flags word */
    size_t   question_end;     /* offset just past the question */
    char     name[INLINE_DNS_NAME_MAX];   /* lower case, dotted, no trailing dot; "" for the root */
    size_t   name_len;
};

/* A standard query (QR 0, opcode QUERY, one question, no compression in it). 0, or -1. */
int inline_dns_parse_query(const uint8_t *p, size_t len, struct inline_dns_query *q);
/* The answer protowall gives in the resolver's place: NXDOMAIN, NODATA, or the sinkhole address
 * when the question asks for its family (A for sink4, AAAA for sink6; else NODATA). Returns the
 * length, 0 if cap is too small. */
size_t inline_dns_answer(uint8_t *out, size_t cap, const uint8_t *query, const struct inline_dns_query *q,
                         enum policy_dns_answer kind, const struct addr *sink4, const struct addr *sink6);

/* One A or AAAA answer of a response, under the name the client asked for. */
typedef void (*inline_dns_addr_fn)(void *ctx, const char *qname, size_t qname_len, const struct addr *a,
                                   uint32_t ttl);
/* Walks a response's answers; -1 when it is not a well-formed response. */
int inline_dns_parse_response(const uint8_t *p, size_t len, inline_dns_addr_fn fn, void *ctx);

/* Address -> name, learnt from answers, kept for the TTL plus a grace period. */
struct inline_dns_cache;

struct inline_dns_cache *inline_dns_cache_create(uint32_t cap);
void inline_dns_cache_free(struct inline_dns_cache *c);
void inline_dns_cache_put(struct inline_dns_cache *c, const struct addr *a, const char *name, size_t len,
                          pw_time expires);
/* The name a was an answer for, or NULL. */
const char *inline_dns_cache_get(const struct inline_dns_cache *c, const struct addr *a, pw_time now);

/* ---- inline_proc.c: who owns a local socket ---- */

/* One line of /proc/net/{tcp,udp,tcp6,udp6}. */
struct inline_sock {
    struct addr local, remote;
    uint16_t    lport, rport;
    uint8_t     state;        /* TCP_* numbering: 1 established, 2 syn-sent, 10 listen */
    uint32_t    uid;
    uint64_t    inode;
};

/* 0 when the line is a socket line (not the header). v6: the tcp6/udp6 format. */
int inline_proc_parse_line(const char *line, size_t len, bool v6, struct inline_sock *s);

/* How well a socket line fits a packet's local and remote ends: 0 not at all, 1 a listener or an
 * unconnected UDP socket on the local port, 2 the connected socket itself. */
int inline_proc_match(const struct inline_sock *s, const struct addr *laddr, uint16_t lport,
                      const struct addr *raddr, uint16_t rport);

/* The best socket in a whole /proc/net file's text, or false. */
bool inline_proc_find_text(const char *text, size_t len, bool v6, const struct addr *laddr, uint16_t lport,
                           const struct addr *raddr, uint16_t rport, struct inline_sock *out);

struct inline_proc;

/* root is "/proc" except in tests. */
struct inline_proc *inline_proc_create(const char *root, uint32_t cache_cap);
void inline_proc_free(struct inline_proc *p);
/* The local socket of a flow: its owner's uid and executable. l4 is 6 or 17. exe gets "" when the
 * socket is found but not its process. False when no socket matches. */
bool inline_proc_lookup(struct inline_proc *p, uint8_t l4, const struct addr *laddr, uint16_t lport,
                        const struct addr *raddr, uint16_t rport, uint32_t *uid, char *exe, size_t exe_size);

/* ---- inline_nft.c: the rules that feed the queue ---- */

struct inline_nft_opts {
    unsigned queue;
    unsigned queues;        /* 0 or 1: queue alone; more: queue .. queue+queues-1, balanced by the
                               kernel's symmetric hash of the address pair (both directions of a
                               flow reach the same queue) */
    bool     fail_closed;   /* no bypass: packets drop while nobody reads the queue */
};

/* The nft ruleset, as `nft -f` reads it. Returns its length (like snprintf). */
size_t inline_nft_ruleset(char *buf, size_t size, const struct inline_nft_opts *o);
/* The same rules for kernels without nft's queue expression: iptables/ip6tables commands, one per
 * line, and the nft table that copies the final mark into the ct mark. */
size_t inline_nft_xtables(char *buf, size_t size, const struct inline_nft_opts *o);

#endif
