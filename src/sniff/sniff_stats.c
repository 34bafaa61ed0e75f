/* sniff/sniff_stats.c - the stats.log and capture_loss.log schemas and how a row is computed. */
#include "sniff/sniff_stats.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define R struct sniff_stats_record
#define OPT LOG_OPTIONAL

static const struct log_field stats_fields[SNIFF_STATS_F_COUNT] = {
    [SNIFF_STATS_F_TS]                = LOG_FIELD(R, ts, "ts", LOG_TIME, 0),
    [SNIFF_STATS_F_PEER]              = LOG_FIELD(R, peer, "peer", LOG_STRING, 0),
    [SNIFF_STATS_F_MEM]               = LOG_FIELD(R, mem, "mem", LOG_COUNT, 0),
    [SNIFF_STATS_F_PKTS_PROC]         = LOG_FIELD(R, pkts_proc, "pkts_proc", LOG_COUNT, 0),
    [SNIFF_STATS_F_BYTES_RECV]        = LOG_FIELD(R, bytes_recv, "bytes_recv", LOG_COUNT, 0),
    [SNIFF_STATS_F_PKTS_DROPPED]      = LOG_FIELD(R, pkts_dropped, "pkts_dropped", LOG_COUNT, OPT),
    [SNIFF_STATS_F_PKTS_LINK]         = LOG_FIELD(R, pkts_link, "pkts_link", LOG_COUNT, OPT),
    [SNIFF_STATS_F_PKT_LAG]           = LOG_FIELD(R, pkt_lag, "pkt_lag", LOG_INTERVAL, OPT),
    [SNIFF_STATS_F_PKTS_USER_DROPPED] = LOG_FIELD(R, pkts_user_dropped, "pkts_user_dropped", LOG_COUNT, OPT),
    [SNIFF_STATS_F_RING_FULL]         = LOG_FIELD(R, ring_full, "ring_full", LOG_COUNT, OPT),
};

#undef R
#define R struct sniff_capture_loss_record

static const struct log_field loss_fields[SNIFF_CAPTURE_LOSS_F_COUNT] = {
    [SNIFF_CAPTURE_LOSS_F_TS]           = LOG_FIELD(R, ts, "ts", LOG_TIME, 0),
    [SNIFF_CAPTURE_LOSS_F_TS_DELTA]     = LOG_FIELD(R, ts_delta, "ts_delta", LOG_INTERVAL, 0),
    [SNIFF_CAPTURE_LOSS_F_PEER]         = LOG_FIELD(R, peer, "peer", LOG_STRING, 0),
    [SNIFF_CAPTURE_LOSS_F_GAPS]         = LOG_FIELD(R, gaps, "gaps", LOG_COUNT, 0),
    [SNIFF_CAPTURE_LOSS_F_ACKS]         = LOG_FIELD(R, acks, "acks", LOG_COUNT, 0),
    [SNIFF_CAPTURE_LOSS_F_PERCENT_LOST] = LOG_FIELD(R, percent_lost, "percent_lost", LOG_DOUBLE, 0),
};

const struct log_schema sniff_stats_schema = LOG_SCHEMA("stats", stats_fields);
const struct log_schema sniff_capture_loss_schema = LOG_SCHEMA("capture_loss", loss_fields);

/* Counters only grow; a difference that would be negative (a counter restarted) is 0. */
static uint64_t delta(uint64_t cur, uint64_t prev)
{
    return cur >= prev ? cur - prev : 0;
}

void sniff_stats_fill(struct sniff_stats_record *r, const char *peer, const struct sniff_stats_sample *prev,
                      const struct sniff_stats_sample *cur, bool live)
{
    memset(r, 0, sizeof(*r));
    r->ts = cur->wall;
    r->peer = log_str_from(peer, strlen(peer));
    r->mem = cur->mem_bytes / (1024 * 1024);
    r->pkts_proc = delta(cur->frames, prev->frames);
    r->bytes_recv = delta(cur->bytes, prev->bytes);
    if (!live)
        return;
    r->pkts_dropped = delta(cur->kernel_drops, prev->kernel_drops);
    r->pkts_link = delta(cur->kernel_packets, prev->kernel_packets);
    r->pkts_user_dropped = delta(cur->user_drops, prev->user_drops);
    r->ring_full = delta(cur->kernel_freezes, prev->kernel_freezes);
    log_mark(&r->log_set, SNIFF_STATS_F_PKTS_DROPPED);
    log_mark(&r->log_set, SNIFF_STATS_F_PKTS_LINK);
    log_mark(&r->log_set, SNIFF_STATS_F_PKTS_USER_DROPPED);
    log_mark(&r->log_set, SNIFF_STATS_F_RING_FULL);
    if (cur->last_packet != 0) {
        r->pkt_lag = cur->wall > cur->last_packet ? cur->wall - cur->last_packet : 0;
        log_mark(&r->log_set, SNIFF_STATS_F_PKT_LAG);
    }
}

void sniff_stats_fill_loss(struct sniff_capture_loss_record *r, const char *peer,
                           const struct sniff_stats_sample *prev, const struct sniff_stats_sample *cur)
{
    memset(r, 0, sizeof(*r));
    r->ts = cur->wall;
    r->ts_delta = cur->wall > prev->wall ? cur->wall - prev->wall : 0;
    r->peer = log_str_from(peer, strlen(peer));
    r->gaps = delta(cur->gaps, prev->gaps);
    r->acks = delta(cur->acks, prev->acks);
    /* As Zeek's CaptureLoss: 0.0 when nothing was acked. */
    r->percent_lost = r->acks == 0 ? 0.0 : 100.0 * (double)r->gaps / (double)r->acks;
}

uint64_t sniff_stats_rss(void)
{
    unsigned long size = 0, resident = 0;
    long page = sysconf(_SC_PAGESIZE);
    FILE *fp = fopen("/proc/self/statm", "re");

    if (fp == NULL)
        return 0;
    if (fscanf(fp, "%lu %lu", &size, &resident) != 2)
        resident = 0;
    fclose(fp);
    return page > 0 ? (uint64_t)resident * (uint64_t)page : 0;
}
