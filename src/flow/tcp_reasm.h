/* flow/tcp_reasm.h - one direction of a TCP connection put back in order for its consumer.
 *
 * Overlap policy ("first wins", as Zeek and Suricata's default BSD-ish policy keep the bytes
 * already seen): bytes already delivered or buffered are never replaced; a retransmission
 * whose bytes differ from the ones kept is reported as TCP_REASM_INCONSISTENT (Zeek's
 * rexmit_inconsistency). Gaps are delivered to the consumer as gap(len) so analyzers can
 * resynchronise or give up, and counted for conn.log missed_bytes.
 *
 * Memory: out-of-order segments are copied into chunks from a tcp_reasm_pool shared by all
 * flows, bounded by a per-direction cap and a global memcap. When a cap is hit the oldest
 * buffered data of this direction is given up as a gap (counted, TCP_REASM_CAP_HIT). */
#ifndef PW_FLOW_TCP_REASM_H
#define PW_FLOW_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives the in-order byte stream of one direction. */
struct tcp_reasm_sink {
    void (*data)(void *ctx, const uint8_t *data, size_t len);
    void (*gap)(void *ctx, uint64_t len);
    void  *ctx;
};

enum tcp_reasm_flags {
    TCP_REASM_NEW_DATA     = 0x01,   /* some bytes of this segment were new */
    TCP_REASM_RETRANSMIT   = 0x02,   /* some bytes of this segment were seen before */
    TCP_REASM_INCONSISTENT = 0x04,   /* a retransmission carried different bytes */
    TCP_REASM_CAP_HIT      = 0x08,   /* a memory cap forced data to be dropped */
    TCP_REASM_GAP          = 0x10,   /* a gap was reported to the sink during this call */
};

struct tcp_reasm_seg;   /* private to tcp_reasm.c */

/* Per-direction state, embedded in the flow's TCP state. Keep it small. */
struct tcp_reasm {
    uint32_t              next_seq;     /* sequence number of the next byte to deliver */
    uint32_t              buffered;     /* bytes held out of order */
    uint64_t              delivered;    /* bytes handed to the sink */
    uint64_t              gap_bytes;    /* bytes reported as gaps */
    struct tcp_reasm_seg *segs;         /* out-of-order data, sorted by sequence */
    bool                  started;      /* next_seq is known */
    uint32_t              chunks;       /* pool chunks held: what per_dir_cap counts */
};

/* Out-of-order bytes live in fixed chunks of TCP_REASM_CHUNK_SIZE bytes, each holding up to
 * TCP_REASM_CHUNK_DATA bytes. Both caps count chunk memory, not payload, so a peer sending
 * one-byte segments cannot make a direction hold thousands of times its cap. */
#define TCP_REASM_CHUNK_SIZE 2048u
#define TCP_REASM_CHUNK_DATA 2024u

struct tcp_reasm_pool;

struct tcp_reasm_pool_config {
    size_t   memcap;          /* all buffered out-of-order bytes, every flow (chunk memory) */
    uint32_t per_dir_cap;     /* buffered bytes one direction may hold (chunk memory) */
};

/* bytes_* count chunk memory (segs_in_use * TCP_REASM_CHUNK_SIZE); cap_hits counts refusals by
 * per_dir_cap, memcap_hits refusals by memcap, each one giving up data as a gap. */
struct tcp_reasm_pool_stats {
    uint64_t bytes_in_use, bytes_peak, segs_in_use, cap_hits, memcap_hits;
};

/* Reserves memcap bytes of chunks at once; nothing is allocated afterwards. NULL on failure. */
struct tcp_reasm_pool *tcp_reasm_pool_create(const struct tcp_reasm_pool_config *cfg);
void tcp_reasm_pool_free(struct tcp_reasm_pool *pool);
const struct tcp_reasm_pool_stats *tcp_reasm_pool_get_stats(const struct tcp_reasm_pool *pool);

/* Starts a direction whose first data byte has sequence number next_seq (ISN + 1 after a SYN,
 * or the first segment's seq for a flow picked up mid-stream). */
void tcp_reasm_init(struct tcp_reasm *r, uint32_t next_seq);

/* Feeds one segment (seq, payload). In-order bytes go to sink->data at once, followed by any
 * buffered segments they make contiguous. Returns enum tcp_reasm_flags bits. Sink callbacks
 * must not call back into the same direction. */
unsigned tcp_reasm_feed(struct tcp_reasm *r, struct tcp_reasm_pool *pool, uint32_t seq,
                        const uint8_t *data, uint32_t len, const struct tcp_reasm_sink *sink);

/* The peer acknowledged up to ack: bytes before it that we never saw are lost for good. Reports
 * each hole below ack as a gap and delivers the buffered data after it (with whatever is
 * contiguous with that data, even past ack, as Zeek does). Acks behind next_seq or more than
 * 1 GiB ahead of it are ignored. Returns flags. */
unsigned tcp_reasm_ack(struct tcp_reasm *r, struct tcp_reasm_pool *pool, uint32_t ack,
                       const struct tcp_reasm_sink *sink);

/* End of the direction (FIN seen and acked, RST, flow removal): deliver everything buffered,
 * with a gap before each hole. Returns flags. */
unsigned tcp_reasm_flush(struct tcp_reasm *r, struct tcp_reasm_pool *pool,
                         const struct tcp_reasm_sink *sink);

/* Releases buffered segments without delivering them. */
void tcp_reasm_fini(struct tcp_reasm *r, struct tcp_reasm_pool *pool);

#endif
