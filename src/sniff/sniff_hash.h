/* sniff/sniff_hash.h - which worker owns a frame when a capture file is split as the kernel's fanout splits live traffic. */
#ifndef PW_SNIFF_SNIFF_HASH_H
#define PW_SNIFF_SNIFF_HASH_H

#include <stdint.h>

/* Remembers, per fragmented datagram, the owner its first fragment chose: later fragments carry
 * no ports. Every worker reads every frame, so each one's table holds the same answers. */
#define SNIFF_HASH_FRAG_SLOTS 4096

struct sniff_hash_frag {
    uint64_t key;
    uint32_t hash;
};

struct sniff_hash {
    struct sniff_hash_frag frags[SNIFF_HASH_FRAG_SLOTS];
};

void sniff_hash_init(struct sniff_hash *h);

/* A hash of the frame's flow, the same for both directions: the IP addresses with the TCP, UDP
 * or SCTP ports (VLAN tags skipped); for VXLAN and GENEVE, those of the inner frame, as the live
 * fanout program does (capture_live_fanout_program), so a mirrored flow is not split by its
 * outer ports. Frames that are not IP hash to 0. */
uint32_t sniff_hash_frame(struct sniff_hash *h, int link_type, const uint8_t *frame, uint32_t caplen);

#endif
