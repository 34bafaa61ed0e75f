/* sniff/sniff_worker.h - one worker process: its own engine fed from its own ring (or its share of a file). */
#ifndef PW_SNIFF_SNIFF_WORKER_H
#define PW_SNIFF_SNIFF_WORKER_H

#include "capture/capture_live.h"
#include "sniff/sniff.h"

struct sniff_worker_config {
    unsigned                    index;      /* 0-based; its peer name is worker-(index+1) */
    unsigned                    nworkers;
    struct capture_live        *live;       /* live capture, or NULL with o->read_file */
    int                         out_fd;     /* the pipe to the logger */
    const struct sniff_options *o;
};

/* Runs until SIGTERM or SIGINT (live) or the end of its file; then every open flow is logged, the
 * last stats rows and a summary are sent, and the pipe is closed. Returns the process's exit
 * status: 0, 1 (the file ended mid-frame, or the logger went away), 2 (could not start). */
int sniff_worker_run(const struct sniff_worker_config *cfg);

#endif
