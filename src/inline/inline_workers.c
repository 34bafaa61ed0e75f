/* inline/inline_workers.c - one process per queue: fork, pipes of log rows to the parent, supervision, signals forwarded. */
#include "inline/inline_workers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "sniff/sniff_pipe.h"
#include "util/sd_notify.h"

#define PIPE_OUT_BUF   (256u * 1024u)
#define PIPE_KERNEL    (1u << 20)          /* the pipe's own buffer: bursts never block a worker */
#define FLUSH_EVERY_NS (100 * 1000000LL)
#define POLL_MS        200
#define STOP_GRACE_S   10                  /* then SIGKILL: a worker stuck in a verdict loop */
#define STABLE_NS      (10 * 1000000000LL) /* a worker that lived this long is restarted at once */
#define RESTART_FIRST_MS 250u
#define RESTART_MAX_MS   60000u

struct inline_workers_link {
    struct sniff_pipe_out out;
    long long             last_flush;
    bool                  gone;
};

struct worker {
    pid_t                pid;
    unsigned             index;
    unsigned             queue;
    struct sniff_pipe_in in;
    bool                 open;        /* its pipe is still being read */
    bool                 reaped;
    bool                 ready;       /* this instance bound its queue (kept until the next starts) */
    long long            started;     /* CLOCK_MONOTONIC ns */
    long long            restart_at;  /* 0: none due */
    unsigned             restarts;
    unsigned             backoff_ms;
};

struct supervisor {
    bool      stopping;
    long long stop_deadline;
    int       status;
};

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_stop = 1;
}

static long long mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- worker side ---- */

void inline_workers_ready(struct inline_workers_link *l)
{
    sniff_pipe_out_put(&l->out, SNIFF_MSG_READY, NULL, LOG_FORMAT_TSV, NULL, 0);
    inline_workers_flush(l, true);
}

bool inline_workers_flush(struct inline_workers_link *l, bool now)
{
    long long t;

    if (l->out.len == 0 || l->gone)
        return !l->gone;
    t = mono_ns();
    if (!now && t - l->last_flush < FLUSH_EVERY_NS)
        return true;
    l->last_flush = t;
    if (sniff_pipe_out_flush(&l->out) != 0)
        l->gone = true;
    return !l->gone;
}

static void child(const struct inline_workers_config *c, unsigned index, int fd)
{
    struct inline_workers_link link;
    struct log_set_config lc;
    struct log_set *logs;
    struct sigaction sa;
    char err[256];
    int status;

    /* The parent going away (even by SIGKILL) stops the worker: nobody would write its rows. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1)
        _exit(1);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);   /* a vanished parent is a failed write, not a death */
    memset(&link, 0, sizeof(link));
    if (sniff_pipe_out_init(&link.out, fd, PIPE_OUT_BUF) != 0)
        _exit(2);
    memset(&lc, 0, sizeof(lc));
    lc.format = c->format;
    lc.sink = sniff_pipe_sink;
    lc.sink_arg = &link.out;
    logs = log_set_create(&lc, err, sizeof(err));
    if (logs == NULL) {
        fprintf(stderr, "protowall inline: worker %u: %s\n", index + 1, err);
        _exit(2);
    }
    status = c->work(c->arg, index, c->first_queue + index, logs, &link);
    log_set_free(logs);
    if (sniff_pipe_out_flush(&link.out) != 0 && status == 0)
        status = 1;
    sniff_pipe_out_fini(&link.out);
    close(fd);
    fflush(stderr);
    _exit(status);
}

/* ---- parent side ---- */

static void describe(int status, char *buf, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
}

static void handle(const struct inline_workers_config *c, struct worker *w, const struct sniff_msg *m,
                   const char *body)
{
    if (m->kind == SNIFF_MSG_ROW && m->schema != 0 && m->format == (uint8_t)c->format) {
        /* The worker's own pointer: forked without exec, the tables sit at the same addresses.
         * NOLINTNEXTLINE(performance-no-int-to-ptr) */
        const struct log_schema *s = (const struct log_schema *)(uintptr_t)m->schema;

        log_set_write_row(c->logs, s, body, m->len);
    } else if (m->kind == SNIFF_MSG_READY && !w->ready) {
        w->ready = true;
        if (w->restarts > 0)
            fprintf(stderr, "protowall inline: worker %u (queue %u) is back, pid %d (restart %u)\n", w->index + 1,
                    w->queue, (int)w->pid, w->restarts);
    }
}

static void drain(const struct inline_workers_config *c, struct worker *w)
{
    for (int r = 0; r < 64 && w->open; r++) {
        struct sniff_msg m;
        const char *body;
        long got = sniff_pipe_in_read(&w->in);

        while (sniff_pipe_in_next(&w->in, &m, &body))
            handle(c, w, &m, body);
        if (w->in.eof || got < 0 || w->in.broken) {
            w->open = false;
            close(w->in.fd);
        }
        if (got <= 0)
            break;
    }
}

static void signal_all(struct worker *ws, unsigned n, int sig)
{
    for (unsigned i = 0; i < n; i++)
        if (!ws[i].reaped && ws[i].pid > 0)
            kill(ws[i].pid, sig);
}

static void begin_stop(const struct inline_workers_config *c, struct worker *ws, struct supervisor *sv)
{
    (void)sd_notify_send("STOPPING=1");
    sv->stopping = true;
    sv->stop_deadline = mono_ns() + STOP_GRACE_S * 1000000000LL;
    for (unsigned i = 0; i < c->count; i++)
        ws[i].restart_at = 0;
    signal_all(ws, c->count, SIGTERM);
}

/* Forks worker i with a fresh pipe. The stop signals stay blocked across the fork: the child
 * keeps them blocked until the work function has its own handlers (ours would only set the
 * parent's flags in the child's memory). */
static int spawn_one(const struct inline_workers_config *c, struct worker *ws, unsigned i)
{
    struct worker *w = &ws[i];
    sigset_t block, old;
    int fds[2];

    if (pipe2(fds, O_CLOEXEC) != 0) {
        fprintf(stderr, "protowall inline: pipe: %s\n", strerror(errno));
        return -1;
    }
    (void)fcntl(fds[1], F_SETPIPE_SZ, (int)PIPE_KERNEL);
    fflush(stdout);
    fflush(stderr);
    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &old);
    w->pid = fork();
    if (w->pid == 0) {
        /* Only its own write end: the parent must see EOF the moment a worker dies. */
        for (unsigned k = 0; k < c->count; k++)
            if (k != i && ws[k].open)
                close(ws[k].in.fd);
        close(fds[0]);
        child(c, i, fds[1]);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    if (w->pid < 0) {
        fprintf(stderr, "protowall inline: fork: %s\n", strerror(errno));
        close(fds[0]);
        return -1;
    }
    (void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
    /* The new instance's state first: whatever happens next, its exit is reaped as its own. */
    w->reaped = false;
    w->ready = false;
    w->started = mono_ns();
    if (w->open) {
        close(w->in.fd);
        w->open = false;
    }
    sniff_pipe_in_fini(&w->in);
    if (sniff_pipe_in_init(&w->in, fds[0]) != 0) {
        fprintf(stderr, "protowall inline: out of memory\n");
        close(fds[0]);
        kill(w->pid, SIGKILL);
        return 0;           /* reaped as a failed start */
    }
    w->open = true;
    return 0;
}

/* A worker that dies is started again, nginx-style, so its queue is enforced again within a
 * moment; one that keeps dying soon after its start waits longer each time (up to a minute), so
 * a crash loop does not take the machine. */
static void schedule_restart(struct worker *w, long long now)
{
    if (now - w->started >= STABLE_NS)
        w->backoff_ms = 0;
    else
        w->backoff_ms = w->backoff_ms == 0 ? RESTART_FIRST_MS
                        : w->backoff_ms * 2 > RESTART_MAX_MS ? RESTART_MAX_MS
                                                            : w->backoff_ms * 2;
    w->restart_at = now + (long long)w->backoff_ms * 1000000LL + 1;
}

/* What a worker's exit means: the end of a stop, a failure to start (everything stops: nothing
 * can run as asked), or a death while running (it is started again). */
static void on_exit_status(const struct inline_workers_config *c, struct worker *ws, struct worker *w, int st,
                           struct supervisor *sv)
{
    long long now = mono_ns();
    char how[96], when[96];

    w->reaped = true;
    if (w->open)
        drain(c, w);
    if (sv->stopping) {
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            describe(st, how, sizeof(how));
            fprintf(stderr, "protowall inline: worker %u (queue %u) %s while stopping\n", w->index + 1, w->queue,
                    how);
            if (sv->status == 0)
                sv->status = 1;
        }
        return;
    }
    describe(st, how, sizeof(how));
    /* The first instance never bound its queue (a later one that died is restarted: some did). */
    if (!w->ready && w->restarts == 0) {
        fprintf(stderr, "protowall inline: worker %u (queue %u) could not start (%s)\n", w->index + 1, w->queue,
                how);
        if (sv->status == 0)
            sv->status = 2;
        begin_stop(c, ws, sv);
        return;
    }
    schedule_restart(w, now);
    w->restarts++;
    if (w->backoff_ms == 0)
        snprintf(when, sizeof(when), "restarting it now");
    else
        snprintf(when, sizeof(when), "it lived %lld ms: restarting it in %u ms", (now - w->started) / 1000000LL,
                 w->backoff_ms);
    fprintf(stderr, "protowall inline: worker %u (queue %u, pid %d) %s; queue %u is %s until it is back; %s\n",
            w->index + 1, w->queue, (int)w->pid, how, w->queue,
            c->fail_open ? "fail-open: the kernel accepts its packets unseen"
                         : "fail-closed: the kernel drops its packets",
            when);
}

static void restart_due(const struct inline_workers_config *c, struct worker *ws, long long now)
{
    for (unsigned i = 0; i < c->count; i++) {
        struct worker *w = &ws[i];

        if (w->restart_at == 0 || now < w->restart_at)
            continue;
        w->restart_at = 0;
        if (spawn_one(c, ws, i) != 0) {
            /* A start that failed is not a run that lasted: the pause grows. */
            w->started = now;
            schedule_restart(w, now);
        }
    }
}

/* The poll's wait: its usual beat, or less when a restart is due sooner. */
static int poll_wait(const struct worker *ws, unsigned n, long long now)
{
    long long ms = POLL_MS;

    for (unsigned i = 0; i < n; i++)
        if (ws[i].restart_at != 0 && (ws[i].restart_at - now) / 1000000LL < ms)
            ms = (ws[i].restart_at - now) / 1000000LL;
    return ms < 0 ? 0 : (int)ms + 1;
}

static void announce(const struct inline_workers_config *c, const struct worker *ws)
{
    char pids[1024];
    size_t len = 0;

    if (c->quiet || c->banner == NULL)
        return;
    pids[0] = '\0';
    for (unsigned i = 0; i < c->count && len < sizeof(pids); i++) {
        int n = snprintf(pids + len, sizeof(pids) - len, "%s%d (queue %u)", i > 0 ? ", " : "", (int)ws[i].pid,
                         ws[i].queue);

        if (n > 0)
            len += (size_t)n;
    }
    fprintf(stderr, "%s\nprotowall inline: worker pids %s\n", c->banner, pids);
}

int inline_workers_run(const struct inline_workers_config *c)
{
    struct worker *ws = calloc(c->count, sizeof(*ws));
    struct pollfd *pfd = calloc(c->count, sizeof(*pfd));
    unsigned *which = calloc(c->count, sizeof(*which));
    struct supervisor sv = {0};
    struct sigaction sa;
    bool announced = false;
    long long last_flush = mono_ns();

    if (ws == NULL || pfd == NULL || which == NULL) {
        fprintf(stderr, "protowall inline: out of memory\n");
        free(ws);
        free(pfd);
        free(which);
        return 2;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a signal ends poll's wait at once. */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    for (unsigned i = 0; i < c->count; i++) {
        ws[i].index = i;
        ws[i].queue = c->first_queue + i;
        ws[i].in.fd = -1;
        if (spawn_one(c, ws, i) != 0) {
            sv.status = 2;
            begin_stop(c, ws, &sv);
            break;
        }
    }
    for (;;) {
        unsigned np = 0, alive = 0, ready = 0;
        long long now = mono_ns();
        pid_t pid;
        int st;

        for (unsigned i = 0; i < c->count; i++) {
            /* Running, its pipe not yet drained, or due to be started again. */
            if ((ws[i].pid > 0 && (!ws[i].reaped || ws[i].open)) || ws[i].restart_at != 0)
                alive++;
            if (ws[i].ready && !ws[i].reaped)
                ready++;
        }
        if (alive == 0)
            break;
        if (got_stop && !sv.stopping)
            begin_stop(c, ws, &sv);
        if (got_hup) {
            got_hup = 0;
            /* The parent's copy first: a worker started after this must run what the others reload. */
            /* Only a running service reloads: before READY=1 or while stopping, saying READY=1
             * would tell systemd the start is over. */
            if (announced && !sv.stopping)
                (void)sd_notify_reloading();
            if (c->reload != NULL)
                c->reload(c->arg);
            signal_all(ws, c->count, SIGHUP);
            if (announced && !sv.stopping)
                (void)sd_notify_send("READY=1");
        }
        if (sv.stopping && now > sv.stop_deadline)
            signal_all(ws, c->count, SIGKILL);
        if (!sv.stopping)
            restart_due(c, ws, now);
        if (!announced && ready == c->count && !sv.stopping) {
            announced = true;
            announce(c, ws);
            /* Every queue is bound: systemd's Type=notify start is over. */
            (void)sd_notify_send("READY=1");
        }
        for (unsigned i = 0; i < c->count; i++) {
            if (!ws[i].open)
                continue;
            pfd[np].fd = ws[i].in.fd;
            pfd[np].events = POLLIN;
            which[np++] = i;
        }
        if (poll(pfd, np, poll_wait(ws, c->count, now)) > 0)
            for (unsigned k = 0; k < np; k++)
                if (pfd[k].revents != 0)
                    drain(c, &ws[which[k]]);
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
            for (unsigned i = 0; i < c->count; i++)
                if (ws[i].pid == pid && !ws[i].reaped) {
                    on_exit_status(c, ws, &ws[i], st, &sv);
                    break;
                }
        if (mono_ns() - last_flush >= 1000000000LL) {
            last_flush = mono_ns();
            log_set_flush(c->logs);
        }
    }
    for (unsigned i = 0; i < c->count; i++)
        sniff_pipe_in_fini(&ws[i].in);
    log_set_flush(c->logs);
    free(ws);
    free(pfd);
    free(which);
    return sv.status;
}
