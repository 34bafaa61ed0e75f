/* sniff/sniff_worker.c - a worker's loop: ring to engine, clock ticks when idle, stats rows, clean stop. */
#include "sniff/sniff_worker.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sniff/sniff_hash.h"
#include "sniff/sniff_pipe.h"
#include "sniff/sniff_stats.h"

#define WORKER_BATCH       1024                /* frames between looks at the clock */
#define WORKER_POLL_MS     100
#define WORKER_FLUSH_NS    (100 * PW_MSEC)     /* rows wait at most this long for the logger */
/* Ticks stay behind the wall clock by more than a ring block's retire timeout, so a tick never
 * runs ahead of frames still in a block the kernel is filling. */
#define WORKER_TICK_LAG    PW_SEC
#define WORKER_PIPE_BUF    (256u * 1024u)

static volatile sig_atomic_t worker_stop, worker_reload;

static void on_stop(int sig)
{
    worker_stop = 1;
}

/* The logger checked the file before passing SIGHUP on; the reload happens between batches. */
static void on_reload(int sig)
{
    worker_reload = 1;
}

struct worker {
    const struct sniff_worker_config *cfg;
    struct engine                    *e;
    struct log_set                   *logs;
    struct sniff_pipe_out             out;
    char                              peer[32];
    struct sniff_stats_sample         prev;
    pw_time                           last_packet;
};

static pw_time wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (pw_time)ts.tv_sec * PW_SEC + ts.tv_nsec;
}

static void signals_init(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a stop request cuts poll short. */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_reload;
    sigaction(SIGHUP, &sa, NULL);   /* sent on by the logger: reload the --baseline policy */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);  /* a write to a vanished logger fails with EPIPE instead */
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
}

static void take_sample(struct worker *w, struct sniff_stats_sample *s)
{
    const struct engine_stats *es = engine_get_stats(w->e);

    memset(s, 0, sizeof(*s));
    s->wall = wall_now();
    s->frames = es->frames;
    s->bytes = es->bytes;
    s->acks = es->tcp_acks;
    s->gaps = es->tcp_gaps;
    s->last_packet = w->last_packet;
    s->mem_bytes = sniff_stats_rss();
    if (w->cfg->live != NULL) {
        struct capture_live_stats ls;

        capture_live_stats(w->cfg->live, &ls);
        s->kernel_packets = ls.kernel_packets;
        s->kernel_drops = ls.kernel_drops;
        s->kernel_freezes = ls.kernel_freezes;
        s->user_drops = ls.user_drops;
    }
}

static void write_stats(struct worker *w)
{
    struct sniff_capture_loss_record lr;
    struct sniff_stats_record sr;
    struct sniff_stats_sample cur;

    take_sample(w, &cur);
    sniff_stats_fill(&sr, w->peer, &w->prev, &cur, w->cfg->live != NULL);
    log_set_write(w->logs, &sniff_stats_schema, &sr);
    sniff_stats_fill_loss(&lr, w->peer, &w->prev, &cur);
    log_set_write(w->logs, &sniff_capture_loss_schema, &lr);
    w->prev = cur;
}

static void send_error(struct worker *w, const char *what, const char *why)
{
    char msg[512];
    int n = snprintf(msg, sizeof(msg), "%s: %s: %s", w->peer, what, why);

    if (n > 0)
        sniff_pipe_out_put(&w->out, SNIFF_MSG_ERROR, NULL, LOG_FORMAT_TSV, msg,
                           (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

/* The file changed again between the logger's check and ours: the old policy stays. */
static void reload_baseline(struct worker *w)
{
    char err[512], msg[640];
    int n;

    worker_reload = 0;
    if (engine_baseline_reload(w->e, err, sizeof(err)) == 0)
        return;
    n = snprintf(msg, sizeof(msg), "%s: SIGHUP: the new baseline is refused, the old one stays: %s", w->peer, err);
    if (n > 0)
        sniff_pipe_out_put(&w->out, SNIFF_MSG_NOTE, NULL, LOG_FORMAT_TSV, msg,
                           (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

static void send_summary(struct worker *w)
{
    const struct engine_stats *es = engine_get_stats(w->e);
    struct sniff_summary sum;

    memset(&sum, 0, sizeof(sum));
    sum.frames = es->frames;
    sum.flows_logged = es->flows_logged;
    sum.weirds = es->weirds;
    sum.notices = es->notices;
    if (w->cfg->live != NULL) {
        struct capture_live_stats ls;

        capture_live_stats(w->cfg->live, &ls);
        sum.kernel_drops = ls.kernel_drops;
        sum.user_drops = ls.user_drops;
    }
    sniff_pipe_out_put(&w->out, SNIFF_MSG_SUMMARY, NULL, LOG_FORMAT_TSV, &sum, sizeof(sum));
}

static int run_live(struct worker *w)
{
    struct capture_live *live = w->cfg->live;
    const uint32_t interval = w->cfg->o->stats_interval;
    pw_time now = wall_now(), next_stats = now + (pw_time)interval * PW_SEC, last_flush = now;
    struct pollfd pfd = {.fd = capture_live_fd(live), .events = POLLIN};
    struct capture_frame fr;
    uint64_t drained = 0;
    int status = 0;
    char err[256];

    if (capture_live_start(live, err, sizeof(err)) != 0) {
        send_error(w, "capture", err);
        return 2;
    }
    sniff_pipe_out_put(&w->out, SNIFF_MSG_READY, NULL, LOG_FORMAT_TSV, NULL, 0);
    sniff_pipe_out_flush(&w->out);
    take_sample(w, &w->prev);
    while (!worker_stop) {
        unsigned n = 0;

        if (worker_reload)
            reload_baseline(w);
        while (n < WORKER_BATCH && capture_live_next(live, &fr) == CAPTURE_FRAME) {
            engine_frame(w->e, fr.link_type, fr.ts, fr.data, fr.caplen, fr.wirelen);
            w->last_packet = fr.ts;
            n++;
        }
        now = wall_now();
        if (n == 0) {
            long ms = WORKER_POLL_MS;

            /* Idle: timers run on the wall clock, rows go out now. */
            engine_tick(w->e, now - WORKER_TICK_LAG);
            if (sniff_pipe_out_flush(&w->out) != 0)
                return 1;
            last_flush = now;
            if (interval > 0 && (next_stats - now) / PW_MSEC < ms)
                ms = (long)((next_stats - now) / PW_MSEC);
            if (ms > 0 && poll(&pfd, 1, (int)ms) > 0 && (pfd.revents & (POLLERR | POLLNVAL))) {
                int e = capture_live_error(live);

                /* Down is temporary; gone is not. */
                if (e != 0 && e != ENETDOWN && e != EAGAIN && e != EINTR) {
                    send_error(w, "capture", strerror(e));
                    status = 1;
                    break;
                }
                if (e == ENETDOWN)
                    poll(NULL, 0, WORKER_POLL_MS);   /* no spinning while it stays down */
            }
            now = wall_now();
        } else if (now - last_flush >= WORKER_FLUSH_NS) {
            if (sniff_pipe_out_flush(&w->out) != 0)
                return 1;
            last_flush = now;
        }
        if (interval > 0 && now >= next_stats) {
            write_stats(w);
            while (next_stats <= now)
                next_stats += (pw_time)interval * PW_SEC;
        }
    }
    /* What the ring already holds is analysed; a sender that never stops cannot keep us here. */
    while (drained < 1000000 && capture_live_next(live, &fr) == CAPTURE_FRAME) {
        engine_frame(w->e, fr.link_type, fr.ts, fr.data, fr.caplen, fr.wirelen);
        w->last_packet = fr.ts;
        drained++;
    }
    engine_finish(w->e);
    write_stats(w);
    return status;
}

static int run_file(struct worker *w)
{
    static struct sniff_hash hash;   /* 48 KiB: one per process */
    const struct sniff_worker_config *cfg = w->cfg;
    struct capture_frame fr;
    enum capture_status st = CAPTURE_END;
    struct capture *cap;
    char err[256];

    cap = capture_file_open(cfg->o->read_file, err, sizeof(err));
    if (cap == NULL) {
        send_error(w, cfg->o->read_file, err);
        return 2;
    }
    sniff_hash_init(&hash);
    sniff_pipe_out_put(&w->out, SNIFF_MSG_READY, NULL, LOG_FORMAT_TSV, NULL, 0);
    while (!worker_stop && (st = capture_next(cap, &fr)) == CAPTURE_FRAME) {
        if (worker_reload)
            reload_baseline(w);
        if (cfg->nworkers > 1 &&
            sniff_hash_frame(&hash, fr.link_type, fr.data, fr.caplen) % cfg->nworkers != cfg->index)
            continue;
        engine_frame(w->e, fr.link_type, fr.ts, fr.data, fr.caplen, fr.wirelen);
    }
    if (st == CAPTURE_TRUNCATED || st == CAPTURE_ERROR)
        send_error(w, cfg->o->read_file, capture_error(cap));
    capture_close(cap);
    engine_finish(w->e);
    return st == CAPTURE_END || worker_stop ? 0 : 1;
}

int sniff_worker_run(const struct sniff_worker_config *cfg)
{
    const struct sniff_options *o = cfg->o;
    struct log_set_config lc;
    struct engine_config ec = o->engine;
    struct worker w;
    char err[256];
    int status;

    signals_init();
    memset(&w, 0, sizeof(w));
    w.cfg = cfg;
    snprintf(w.peer, sizeof(w.peer), "worker-%u", cfg->index + 1);
    if (sniff_pipe_out_init(&w.out, cfg->out_fd, WORKER_PIPE_BUF) != 0)
        return 2;
    /* Rows are formatted here, in parallel; the logger only writes them. */
    memset(&lc, 0, sizeof(lc));
    lc.format = o->files ? o->format : LOG_FORMAT_JSON;
    lc.sink = sniff_pipe_sink;
    lc.sink_arg = &w.out;
    lc.sink_json = o->files && (o->to_stdout || o->redis_on);
    w.logs = log_set_create(&lc, err, sizeof(err));
    /* Repeatable uids (--seed) must still differ between workers. */
    if (ec.seeded)
        ec.seed += (uint64_t)cfg->index * 0x9e3779b97f4a7c15ull;
    w.e = w.logs != NULL ? engine_create(&ec, w.logs, err, sizeof(err)) : NULL;
    if (w.e == NULL) {
        send_error(&w, "engine", err);
        log_set_free(w.logs);
        sniff_pipe_out_fini(&w.out);
        return 2;
    }
    status = cfg->live != NULL ? run_live(&w) : run_file(&w);
    send_summary(&w);
    engine_free(w.e);
    log_set_free(w.logs);
    if (sniff_pipe_out_flush(&w.out) != 0 && status == 0)
        status = 1;
    sniff_pipe_out_fini(&w.out);
    close(cfg->out_fd);
    return status;
}
