/* capture/capture_live.h - live frames from an interface: AF_PACKET, a TPACKET_V3 ring, fanout by flow. */
#ifndef PW_CAPTURE_CAPTURE_LIVE_H
#define PW_CAPTURE_CAPTURE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"

/* One socket per worker. Every socket of one run joins the same fanout group, which picks a
 * socket with capture_live_fanout_program (PACKET_FANOUT_CBPF: a symmetric flow hash, looking
 * inside VXLAN and GENEVE, so both directions of a flow reach one socket) after
 * PACKET_FANOUT_FLAG_DEFRAG (fragments are reassembled first, so they follow their flow). */
struct capture_live_config {
    const char *iface;
    const char *filter;        /* BPF expression (tcpdump syntax), or NULL */
    uint16_t    fanout_group;  /* the same for every socket of a run */
    uint32_t    ring_bytes;    /* ring size per socket (0: 64 MiB) */
    bool        promisc;
};

/* Counters since the socket opened. kernel_* come from PACKET_STATISTICS, which the kernel
 * resets on each read; capture_live_stats accumulates them. */
struct capture_live_stats {
    uint64_t frames;         /* handed to the caller */
    uint64_t bytes;          /* their wire length */
    uint64_t kernel_packets; /* tp_packets: passed the filter, including the dropped */
    uint64_t kernel_drops;   /* tp_drops: lost because the ring was full */
    uint64_t kernel_freezes; /* tp_freeze_q_cnt: times the ring filled up */
    uint64_t user_drops;     /* taken off the ring but not handed over (malformed ring entry,
                                no room to put a VLAN tag back) */
    uint64_t csum_filled;    /* frames sent by this host whose checksum the NIC was to fill */
};

struct capture_live;

/* Opens the socket, maps the ring, binds it to the interface and joins the fanout group. No
 * frame arrives until capture_live_start: a socket that is already bound gets every packet until
 * it joins the group, so it starts with a filter that refuses everything. Needs CAP_NET_RAW;
 * nothing afterwards does. NULL on failure, with the reason in err. */
struct capture_live *capture_live_open(const struct capture_live_config *cfg, char *err, size_t errlen);

/* Puts the real filter (or none) in place: frames start to arrive. */
int capture_live_start(struct capture_live *c, char *err, size_t errlen);

/* The descriptor to poll (POLLIN: a block of frames is ready). */
int capture_live_fd(const struct capture_live *c);

/* LINKTYPE_ of the frames: Ethernet, or raw IP for tunnel devices. */
int capture_live_link_type(const struct capture_live *c);

/* The next frame, borrowed until the next call: CAPTURE_FRAME, or CAPTURE_END when the ring holds
 * nothing more for now (never blocks). */
enum capture_status capture_live_next(struct capture_live *c, struct capture_frame *frame);

/* The socket's pending error, cleared (poll said POLLERR): ENETDOWN while the interface is down
 * (capture resumes when it comes back up), ENODEV and the like once it is gone. 0 if none. */
int capture_live_error(struct capture_live *c);

/* Reads the kernel's counters (adding them to the totals) and fills out. */
void capture_live_stats(struct capture_live *c, struct capture_live_stats *out);

/* Unmaps the ring and closes the socket. NULL is a no-op. */
void capture_live_close(struct capture_live *c);

/* The fanout program (capture_fanout.c): a symmetric hash of the flow, of the inner flow for
 * VXLAN (UDP 4789) and GENEVE (UDP 6081), so both directions of a mirrored flow reach one worker
 * whatever the outer ports. Writes at most max instructions; returns their number, or -1.
 * link_len: the link header's length where the kernel's skb->data is the frame's start (a frame
 * the host sends: 14 on Ethernet, 0 on a raw IP device); a received frame's skb->data is already
 * its network header. userspace: frames from their start, no kernel extensions (for libpcap's
 * bpf_filter in tests), and link_len is then where every frame's network header starts. */
struct sock_filter;
int capture_live_fanout_program(struct sock_filter *prog, unsigned max, bool userspace, uint32_t link_len);

/* A frame this host sent before its checksum was filled in (TP_STATUS_CSUMNOTREADY: the NIC
 * computes it, or the receiver's GRO left it partial): writes the TCP or UDP checksum the wire
 * carries into the frame. Ethernet (VLAN tags allowed) or raw IP; returns true if it wrote one. */
bool capture_live_fill_checksum(uint8_t *frame, uint32_t caplen, int link_type);

#endif
