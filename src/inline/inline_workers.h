/* inline/inline_workers.h - `protowall inline --queues A-B`: one worker process per queue, supervised, their rows in one set of logs (it prints). */
#ifndef PW_INLINE_INLINE_WORKERS_H
#define PW_INLINE_INLINE_WORKERS_H

#include <stdbool.h>

#include "log/log_set.h"

/* A worker's line to the parent: its log rows and its "ready". */
struct inline_workers_link;

/* The worker's whole life, in the child: index is 0-based, logs is a set whose rows go to the
 * parent. It must call inline_workers_ready once its queue is bound, inline_workers_flush often
 * (rows wait in the worker until then), and return its exit status. */
typedef int (*inline_workers_fn)(void *arg, unsigned index, unsigned queue, struct log_set *logs,
                                 struct inline_workers_link *link);

struct inline_workers_config {
    unsigned          first_queue;
    unsigned          count;       /* workers, one per queue first_queue .. first_queue+count-1 */
    struct log_set   *logs;        /* the parent's files: every worker's rows are written here */
    enum log_format   format;      /* the format of logs; workers format rows in it */
    bool              fail_open;   /* what the kernel does with a dead worker's queue (for the report) */
    bool              quiet;
    const char       *banner;      /* printed when every worker is ready (NULL: none) */
    inline_workers_fn work;
    /* SIGHUP, in the parent, before the workers hear it (NULL: none): what a worker forked
     * later (a restart) inherits must be what the running ones reload. */
    void            (*reload)(void *arg);
    void             *arg;
};

/* Forks the workers, writes their rows into c->logs, forwards SIGHUP, SIGTERM and SIGINT to them.
 * A worker that dies after binding its queue is reported and started again (at once, or after a
 * growing pause, 250 ms up to a minute, while it keeps dying within 10 s of its start); until it
 * is back its queue is as the kernel's fail mode leaves it. Returns when every worker is gone: 0
 * all stopped on request, 1 one failed while stopping, 2 one could not start the first time (the
 * others are then stopped). Signals: the caller must not have handlers of its own for these
 * three; the workers' handlers are the work function's business (they start blocked). */
int inline_workers_run(const struct inline_workers_config *c);

/* Worker side. */
void inline_workers_ready(struct inline_workers_link *l);
/* Sends the rows gathered so far, at most every 100 ms unless now; false once the parent is gone. */
bool inline_workers_flush(struct inline_workers_link *l, bool now);

#endif
