/* sniff/sniff.h - live capture as a service: workers that each own their flows, one process that owns the logs. */
#ifndef PW_SNIFF_SNIFF_H
#define PW_SNIFF_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "log/log_set.h"
#include "output/redis_out.h"

#define SNIFF_MAX_WORKERS 64

struct sniff_options {
    const char          *iface;            /* -i: capture live here */
    const char          *read_file;        /* -r: or split a capture file across the workers */
    const char          *filter;           /* -f: BPF expression, or NULL */
    unsigned             workers;          /* --workers (default: online cores) */
    const char          *dir;              /* -o (default ".") */
    enum log_format      format;           /* --format */
    bool                 files;            /* logs go to files in dir */
    bool                 to_stdout;        /* --stdout: JSON lines on stdout (as well, with -o) */
    uint32_t             rotate_interval;  /* --rotate-interval seconds (0: none) */
    uint64_t             rotate_size;      /* --rotate-size bytes (0: none) */
    const char          *user;             /* --user: privileges dropped to it once sockets are open */
    uint32_t             stats_interval;   /* --stats-interval seconds (default 60) */
    uint32_t             duration;         /* --duration: stop, as on SIGTERM, this many seconds after
                                            * every worker captures (0: run until a signal) */
    uint32_t             ring_mb;          /* --ring-mb per worker (default 64) */
    bool                 promisc;          /* off with --no-promisc */
    bool                 quiet;
    bool                 redis_on;         /* --redis: rows also to Redis streams */
    struct redis_out_config redis;
    struct engine_config engine;           /* -C, --conn-only, --max-flows, --seed */
};

/* The defaults of every option: files in ".", TSV, a worker per online core, 64 MiB rings,
 * promiscuous, stats every 60 s, every file hash. */
void sniff_options_init(struct sniff_options *o);

/* How sniff_run reports what happens while it runs (main's side of the printing rule). */
struct sniff_hooks {
    void (*say)(void *arg, const char *msg);
    void  *arg;
};

/* Exit statuses, as `read`: 0 done; 1 stopped early (a worker failed, a truncated file);
 * 2 nothing ran (bad option, interface, filter, user, directory), with the reason in err. */
int sniff_run(const struct sniff_options *o, const struct sniff_hooks *hooks, char *err, size_t errlen);

/* The next time (s, wall clock) a --rotate-interval of `interval` seconds rotates after now:
 * boundaries are aligned to local midnight, as Zeek's (hourly rotation happens at :00). */
int64_t sniff_next_rotation(int64_t now, uint32_t interval);

#endif
