/* decode/decode_int.h - what the decode files share: the decoder struct and the per-layer entry points. */
#ifndef PW_DECODE_DECODE_INT_H
#define PW_DECODE_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"
#include "decode/packet.h"

#define IPPROTO_NUM_HOPOPTS  0
#define IPPROTO_NUM_ICMP     1
#define IPPROTO_NUM_TCP      6
#define IPPROTO_NUM_UDP      17
#define IPPROTO_NUM_ROUTING  43
#define IPPROTO_NUM_FRAGMENT 44
#define IPPROTO_NUM_ESP      50
#define IPPROTO_NUM_AH       51
#define IPPROTO_NUM_ICMPV6   58
#define IPPROTO_NUM_NONE     59
#define IPPROTO_NUM_DSTOPTS  60

#define IP_MAX_DATAGRAM      65535u

struct frag_table;

struct decoder {
    struct decoder_config cfg;
    struct decoder_stats  stats;
    struct frag_table    *frag;
};

/* One fragment as the IP layer hands it to the reassembler. */
struct frag_input {
    uint8_t        version;
    uint8_t        proto;         /* IPv4 protocol; IPv6 next header after the fragment header */
    bool           more;          /* MF */
    bool           df;            /* IPv4 DF */
    uint32_t       id;
    uint32_t       offset;        /* bytes */
    uint32_t       ip_len;        /* the fragment's own IP length (for excessively_small_fragment) */
    const uint8_t *hdr;           /* the unfragmentable part: IPv4 header, or IPv6 header + ext headers before the fragment header */
    uint32_t       hdr_len;
    uint32_t       nh_off;        /* IPv6: offset in hdr of the next-header byte that named the fragment header */
    const uint8_t *data;          /* fragmentable bytes carried by this fragment (fully captured) */
    uint32_t       len;
};

/* Reports a weird through the configured callback. */
void decode_weird(struct decoder *d, enum weird_id id, const struct packet *p, const char *addl);

/* Decodes an IP datagram at data (version from its first nibble). caplen: captured bytes from
 * data on; wirelen: bytes on the wire from data on. reassembled: data is a datagram the
 * reassembler rebuilt, so fragment fields are not looked at again. */
enum decode_result decode_ip(struct decoder *d, struct packet *p, const uint8_t *data, uint32_t caplen,
                             uint32_t wirelen, bool reassembled);

enum decode_result ip4_decode(struct decoder *d, struct packet *p, const uint8_t *data, uint32_t caplen,
                              uint32_t wirelen, bool reassembled);
enum decode_result ip6_decode(struct decoder *d, struct packet *p, const uint8_t *data, uint32_t caplen,
                              uint32_t wirelen, bool reassembled);

/* Transport layer. l4 points at the transport header; caplen is what was captured of the IP
 * payload, wirelen what the IP header says it is (caplen <= wirelen). pseudo_dst is the address
 * the transport checksum covers (IPv6 routing headers may change it). */
enum decode_result transport_decode(struct decoder *d, struct packet *p, uint8_t proto, const uint8_t *l4,
                                    uint32_t caplen, uint32_t wirelen, const struct addr *pseudo_dst);

/* Zeek's ICMP4_counterpart / ICMP6_counterpart: the counterpart type, or the code for one-way types. */
uint16_t transport_icmp_counterpart(bool v6, uint8_t type, uint8_t code, bool *one_way);

/* Internet checksum pieces (RFC 1071). Sums are folded late, so a partial sum can be continued. */
uint32_t checksum_add(uint32_t sum, const uint8_t *data, size_t len);
uint16_t checksum_finish(uint32_t sum);
/* The pseudo-header sum for a transport checksum over len bytes of proto. */
uint32_t checksum_pseudo(uint8_t ip_version, const struct addr *src, const struct addr *dst, uint8_t proto, uint32_t len);

/* Fragment reassembly (frag.c). */
struct frag_table *frag_create(const struct decoder_config *cfg);
void frag_free(struct frag_table *ft);
/* DECODE_HELD: buffered. DECODE_OK: complete; *dgram (decoder-owned) holds the whole IP datagram,
 * *dgram_len bytes. DECODE_BAD: dropped with a weird. */
enum decode_result frag_add(struct decoder *d, const struct packet *p, const struct frag_input *in,
                            const uint8_t **dgram, uint32_t *dgram_len);
void frag_expire(struct decoder *d, pw_time now);

#endif
