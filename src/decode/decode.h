/* decode/decode.h - frame to struct packet: link layers, VLAN, IPv4/IPv6, fragments, transports. */
#ifndef PW_DECODE_DECODE_H
#define PW_DECODE_DECODE_H

#include <stdint.h>

#include "decode/packet.h"
#include "util/weird_list.h"

enum decode_result {
    DECODE_OK,        /* *out is a packet for the flow layer */
    DECODE_HELD,      /* an IP fragment was buffered; nothing to do yet */
    DECODE_SKIP,      /* not for us (ARP, LLDP, non-IP ethertype, IP protocol we ignore entirely) */
    DECODE_BAD,       /* malformed; a weird was reported */
};

/* How the decoder reports anomalies; weirds are never printed by decode. p may be partially
 * filled (addresses set once the IP header was read, ports zero). addl may be NULL. */
typedef void (*decode_weird_fn)(void *ctx, enum weird_id id, const struct packet *p, const char *addl);

struct decoder_config {
    uint32_t        frag_max_datagrams;  /* datagrams being reassembled at once */
    uint32_t        frag_max_bytes;      /* memory for all of them */
    pw_time         frag_timeout;        /* drop an incomplete datagram after this much packet time */
    bool            check_checksums;     /* verify IP/TCP/UDP/ICMP checksums (off with -C) */
    decode_weird_fn on_weird;
    void           *weird_ctx;
};

struct decoder_stats {
    uint64_t packets, bad, skipped;
    uint64_t frags, frags_reassembled, frags_timed_out, frags_evicted, frags_overlap;
};

struct decoder;

struct decoder *decoder_create(const struct decoder_config *cfg);
void decoder_free(struct decoder *d);

/* Decodes one frame. On DECODE_OK, *out points into frame, or into a reassembly buffer owned by
 * the decoder that stays valid until the second-next decoder_decode call (so an outer packet and
 * the tunnelled packet inside it can both be alive). */
enum decode_result decoder_decode(struct decoder *d, int link_type, pw_time ts, const uint8_t *frame,
                                  uint32_t caplen, uint32_t wirelen, struct packet *out);

/* Ages out incomplete fragment sets by packet time. */
void decoder_expire(struct decoder *d, pw_time now);

const struct decoder_stats *decoder_get_stats(const struct decoder *d);

#endif
