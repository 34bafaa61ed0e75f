/* engine/engine.h - the pipeline: frames in, flows tracked, logs out, driven by packet time. */
#ifndef PW_ENGINE_ENGINE_H
#define PW_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_set.h"
#include "util/addr.h"
#include "util/pw_time.h"

struct detect_watch;

struct engine_config {
    bool     ignore_checksums;  /* -C: analyse packets with bad checksums as if good */
    bool     seeded;            /* --seed given: repeatable uids */
    uint64_t seed;
    uint32_t max_flows;         /* flow table cap (0: default) */
    size_t   reasm_memcap;      /* TCP out-of-order bytes, all flows (0: default) */
    uint32_t reasm_per_dir_cap; /* TCP out-of-order bytes one direction may hold (0: default) */
    const char *extract_dir;    /* --extract-files: where file contents go (NULL: not kept) */
    uint32_t max_files;         /* files in transfer at once (0: default) */
    unsigned file_hashes;       /* FILES_HASH_* bits for files.log (0: none) */
    bool     hash_thread;       /* file digests on a thread of their own (a spare core) */
    double   callback_window;   /* seconds a host named by a lookup attempt is watched (0: default) */
    double   notice_suppress;   /* seconds a notice identifier stays suppressed (<0: default 3600) */
    struct detect_watch *detect_shared; /* live workers: the detector's watched hosts, shared */
    bool     x509_in_files;     /* --x509-in-files: TLS certificates in files.log (Zeek's option) */
    bool     conn_only;         /* --conn-only: no identification or analyzers (conn and weird logs) */
    const char *baseline_policy; /* --baseline: outbound flows it does not allow raise Baseline::New_Egress */
};

struct engine_stats {
    uint64_t frames, bytes, decoded, skipped, bad;
    uint64_t flows_created, flows_expired, flows_evicted, flows_logged;
    uint64_t tunnelled;
    uint64_t weirds;
    uint64_t notices;            /* notice.log rows written (after suppression) */
    /* Zeek's capture-loss counters: acks of new bytes on established connections, and those of
     * them that acknowledged bytes never seen (a gap). */
    uint64_t tcp_acks, tcp_gaps;
};

struct engine;

/* The engine writes its logs into logs (borrowed; it must outlive the engine). */
struct engine *engine_create(const struct engine_config *cfg, struct log_set *logs, char *err, size_t errlen);

/* One captured frame. Never fails: bad input becomes weird.log rows and counters. */
void engine_frame(struct engine *e, int link_type, pw_time ts, const uint8_t *frame, uint32_t caplen,
                  uint32_t wirelen);

/* End of input: every open flow is logged, in the order Zeek's end-of-trace flush would. */
void engine_finish(struct engine *e);

const struct engine_stats *engine_get_stats(const struct engine *e);

/* ---- inline mode (NFQUEUE) ---- */

/* What the engine knows of the flow a packet belongs to, right after analysing the packet. All
 * pointers point into the engine and stay valid until the next engine call. */
struct engine_packet_view {
    bool           decoded;        /* false: not IP/TCP/UDP/ICMP we could decode (no flow) */
    bool           from_orig;      /* the packet was sent by the connection's originator */
    bool           has_payload;    /* it carried transport payload */
    bool           identified;     /* identification has decided (found or unknown) */
    bool           confirming;     /* identified, but the analyzer has not confirmed the protocol yet (a
                                      ClientHello still arriving): app reads "unknown" until it does */
    uint8_t        l4_proto;       /* IPPROTO_TCP, ... */
    uint8_t        tcp_flags;
    uint32_t       tcp_seq;        /* this TCP segment's sequence and acknowledgement numbers */
    uint32_t       tcp_ack;
    const char    *uid;            /* points at uid_buf */
    char           uid_buf[24];
    const char    *app;            /* conn.log service once identified ("unknown" if none matched),
                                      "" before */
    const char    *domain;         /* TLS SNI, HTTP Host of the flow, or "" */
    struct addr    orig_h, resp_h;
    uint16_t       orig_p, resp_p;
    uint64_t       payload_bytes;  /* payload seen so far, both sides */
    uint64_t       pkts;           /* packets so far, both sides */
    pw_time        start;          /* the flow's first packet */
    uint8_t       *verdict;        /* the flow's verdict byte: the caller's to set (0: none yet) */
    const uint8_t *payload;        /* this packet's transport payload */
    uint32_t       payload_len;
};

/* engine_frame, and a view of the packet's flow for a verdict. */
void engine_frame_view(struct engine *e, int link_type, pw_time ts, const uint8_t *frame, uint32_t caplen,
                       uint32_t wirelen, struct engine_packet_view *v);

/* True while a lookup attempt names this address or host name as its callback (Log4Shell), so an
 * inline policy can refuse it before the victim connects. domain may be NULL or "". */
bool engine_callback_target(struct engine *e, const struct addr *a, const char *domain);

/* Advances the packet clock without a packet (timers, flow expiry) in live modes. */
void engine_tick(struct engine *e, pw_time now);

/* How long a host named by a lookup attempt from now on is watched, in seconds (0: default). */
void engine_set_callback_window(struct engine *e, double seconds);

/* Loads the --baseline policy file again (SIGHUP). On failure the old policy stays and err says
 * where the file is wrong ("FILE:LINE:COL: field 'F': message"); returns -1. No baseline: 0. */
int engine_baseline_reload(struct engine *e, char *err, size_t errlen);

void engine_free(struct engine *e);

#endif
