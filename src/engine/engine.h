/* engine/engine.h - the pipeline: frames in, flows tracked, logs out, driven by packet time. */
#ifndef PW_ENGINE_ENGINE_H
#define PW_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_set.h"
#include "util/pw_time.h"

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
    double   callback_window;   /* seconds a host named by a lookup attempt is watched (0: default) */
    double   notice_suppress;   /* seconds a notice identifier stays suppressed (<0: default 3600) */
    bool     conn_only;         /* --conn-only: no identification or analyzers (conn and weird logs) */
};

struct engine_stats {
    uint64_t frames, bytes, decoded, skipped, bad;
    uint64_t flows_created, flows_expired, flows_evicted, flows_logged;
    uint64_t tunnelled;
    uint64_t weirds;
    uint64_t notices;            /* notice.log rows written (after suppression) */
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

void engine_free(struct engine *e);

#endif
