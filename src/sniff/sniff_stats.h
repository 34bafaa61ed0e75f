/* sniff/sniff_stats.h - stats.log and capture_loss.log: what each worker saw and lost per interval. */
#ifndef PW_SNIFF_SNIFF_STATS_H
#define PW_SNIFF_SNIFF_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "log/log_schema.h"

/* Zeek's stats.log columns as far as protowall has the counters (ts .. pkt_lag; events, timers
 * and per-protocol connection counts have no equivalent here), then ours. */
enum sniff_stats_f {
    SNIFF_STATS_F_TS,
    SNIFF_STATS_F_PEER,
    SNIFF_STATS_F_MEM,
    SNIFF_STATS_F_PKTS_PROC,
    SNIFF_STATS_F_BYTES_RECV,
    SNIFF_STATS_F_PKTS_DROPPED,
    SNIFF_STATS_F_PKTS_LINK,
    SNIFF_STATS_F_PKT_LAG,
    SNIFF_STATS_F_PKTS_USER_DROPPED,
    SNIFF_STATS_F_RING_FULL,
    SNIFF_STATS_F_COUNT
};

struct sniff_stats_record {
    uint64_t       log_set;
    pw_time        ts;
    struct log_str peer;               /* "worker-1", ... */
    uint64_t       mem;                /* resident memory, MiB */
    uint64_t       pkts_proc;          /* frames analysed in the interval */
    uint64_t       bytes_recv;         /* their wire bytes */
    uint64_t       pkts_dropped;       /* the kernel's ring drops (live only) */
    uint64_t       pkts_link;          /* packets that passed the filter, dropped ones included */
    pw_time        pkt_lag;            /* wall clock minus the latest packet's time */
    uint64_t       pkts_user_dropped;  /* taken off the ring but not analysed */
    uint64_t       ring_full;          /* times the ring filled up (tp_freeze_q_cnt) */
};

enum sniff_capture_loss_f {
    SNIFF_CAPTURE_LOSS_F_TS,
    SNIFF_CAPTURE_LOSS_F_TS_DELTA,
    SNIFF_CAPTURE_LOSS_F_PEER,
    SNIFF_CAPTURE_LOSS_F_GAPS,
    SNIFF_CAPTURE_LOSS_F_ACKS,
    SNIFF_CAPTURE_LOSS_F_PERCENT_LOST,
    SNIFF_CAPTURE_LOSS_F_COUNT
};

struct sniff_capture_loss_record {
    uint64_t       log_set;
    pw_time        ts;
    pw_time        ts_delta;       /* since the previous row of this peer */
    struct log_str peer;
    uint64_t       gaps;           /* acks above a hole */
    uint64_t       acks;           /* acks of new data on established connections */
    double         percent_lost;   /* gaps / acks * 100 (0 without acks) */
};

extern const struct log_schema sniff_stats_schema;
extern const struct log_schema sniff_capture_loss_schema;

/* Running totals of one worker at one moment; a row is the difference of two samples. */
struct sniff_stats_sample {
    pw_time  wall;
    uint64_t frames, bytes;                 /* analysed */
    uint64_t kernel_packets, kernel_drops, kernel_freezes, user_drops;
    uint64_t acks, gaps;
    pw_time  last_packet;                   /* 0: none yet */
    uint64_t mem_bytes;
};

/* The stats.log row for the interval prev..cur. live: the capture counters are meaningful
 * (otherwise pkts_dropped, pkts_link and pkt_lag are left unset, as Zeek leaves them reading a
 * file). The row borrows peer. */
void sniff_stats_fill(struct sniff_stats_record *r, const char *peer, const struct sniff_stats_sample *prev,
                      const struct sniff_stats_sample *cur, bool live);

/* The capture_loss.log row for the interval prev..cur. */
void sniff_stats_fill_loss(struct sniff_capture_loss_record *r, const char *peer,
                           const struct sniff_stats_sample *prev, const struct sniff_stats_sample *cur);

/* This process's resident memory in bytes (0 if unknown). */
uint64_t sniff_stats_rss(void);

#endif
