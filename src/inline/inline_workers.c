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

#define PIPE_OUT_BUF   (256u * 1024u)
#define PIPE_KERNEL    (1u << 20)          /* the pipe's own buffer: bursts never block a worker */
#define FLUSH_EVERY_NS (100 * 1000000LL)
#define POLL_MS        200
#define STOP_GRACE_S   10                  /* then SIGKILL: a worker stuck in a verdict loop */

struct inline_workers_link {
    struct sniff_pipe_out out;
    long long             last_flush;
    bool                  gone;
};

struct worker {
    pid_t                pid;
    unsigned             queue;
    struct sniff_pipe_in in;
    bool                 open;      /* its pipe is still being read */
    bool                 reaped;
    bool                 ready;
    int                  status;    /* waitpid's */
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
                   const char *body, unsigned *ready)
{
    if (m->kind == SNIFF_MSG_ROW && m->schema != 0 && m->format == (uint8_t)c->format) {
        /* The worker's own pointer: forked without exec, the tables sit at the same addresses.
         * NOLINTNEXTLINE(performance-no-int-to-ptr) */
        const struct log_schema *s = (const struct log_schema *)(uintptr_t)m->schema;

        log_set_write_row(c->logs, s, body, m->len);
    } else if (m->kind == SNIFF_MSG_READY && !w->ready) {
        w->ready = true;
        (*ready)++;
    }
}

static void drain(const struct inline_workers_config *c, struct worker *w, unsigned *ready)
{
    for (int r = 0; r < 64 && w->open; r++) {
        struct sniff_msg m;
        const char *body;
        long got = sniff_pipe_in_read(&w->in);

        while (sniff_pipe_in_next(&w->in, &m, &body))
            handle(c, w, &m, body, ready);
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

static int spawn(const struct inline_workers_config *c, struct worker *ws)
{
    for (unsigned i = 0; i < c->count; i++) {
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) != 0) {
            fprintf(stderr, "protowall inline: pipe: %s\n", strerror(errno));
            return -1;
        }
        (void)fcntl(fds[1], F_SETPIPE_SZ, (int)PIPE_KERNEL);
        fflush(stdout);
        fflush(stderr);
        ws[i].queue = c->first_queue + i;
        ws[i].pid = fork();
        if (ws[i].pid < 0) {
            fprintf(stderr, "protowall inline: fork: %s\n", strerror(errno));
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
        if (ws[i].pid == 0) {
            /* Only its own write end: the parent must see EOF the moment a worker dies. */
            for (unsigned k = 0; k < i; k++)
                if (ws[k].open)
                    close(ws[k].in.fd);
            close(fds[0]);
            child(c, i, fds[1]);
        }
        close(fds[1]);
        (void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
        if (sniff_pipe_in_init(&ws[i].in, fds[0]) != 0) {
            fprintf(stderr, "protowall inline: out of memory\n");
            close(fds[0]);
            return -1;
        }
        ws[i].open = true;
    }
    return 0;
}

int inline_workers_run(const struct inline_workers_config *c)
{
    struct worker *ws = calloc(c->count, sizeof(*ws));
    struct pollfd *pfd = calloc(c->count, sizeof(*pfd));
    unsigned *which = calloc(c->count, sizeof(*which));
    sigset_t block, old;
    struct sigaction sa;
    unsigned ready = 0, alive;
    bool stopping = false, announced = false;
    int status = 0;
    long long stop_deadline = 0, last_flush = mono_ns();

    if (ws == NULL || pfd == NULL || which == NULL) {
        fprintf(stderr, "protowall inline: out of memory\n");
        free(ws);
        free(pfd);
        free(which);
        return 2;
    }
    /* Signals wait until each side has its handlers: a worker installs its own before it unblocks. */
    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &old);
    if (spawn(c, ws) != 0) {
        status = 2;
        stopping = true;
        stop_deadline = mono_ns() + STOP_GRACE_S * 1000000000LL;
        signal_all(ws, c->count, SIGTERM);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a signal ends poll's wait at once. */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    for (;;) {
        unsigned np = 0;
        pid_t pid;
        int st;

        alive = 0;
        for (unsigned i = 0; i < c->count; i++)
            if (ws[i].pid > 0 && (!ws[i].reaped || ws[i].open))
                alive++;
        if (alive == 0)
            break;
        if (got_stop && !stopping) {
            stopping = true;
            stop_deadline = mono_ns() + STOP_GRACE_S * 1000000000LL;
            signal_all(ws, c->count, SIGTERM);
        }
        if (got_hup) {
            got_hup = 0;
            signal_all(ws, c->count, SIGHUP);
        }
        if (stopping && mono_ns() > stop_deadline)
            signal_all(ws, c->count, SIGKILL);
        for (unsigned i = 0; i < c->count; i++) {
            if (!ws[i].open)
                continue;
            pfd[np].fd = ws[i].in.fd;
            pfd[np].events = POLLIN;
            which[np++] = i;
        }
        if (poll(pfd, np, POLL_MS) > 0)
            for (unsigned k = 0; k < np; k++)
                if (pfd[k].revents != 0)
                    drain(c, &ws[which[k]], &ready);
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
            for (unsigned i = 0; i < c->count; i++) {
                struct worker *w = &ws[i];
                char how[96];

                if (w->pid != pid)
                    continue;
                w->reaped = true;
                w->status = st;
                if (w->open)
                    drain(c, w, &ready);
                if (stopping && WIFEXITED(st) && WEXITSTATUS(st) == 0)
                    break;
                describe(st, how, sizeof(how));
                if (!w->ready) {
                    /* It never bound its queue: nothing can run as asked. */
                    fprintf(stderr, "protowall inline: worker %u (queue %u) could not start (%s)\n", i + 1,
                            w->queue, how);
                    if (status == 0)
                        status = 2;
                    if (!stopping) {
                        stopping = true;
                        stop_deadline = mono_ns() + STOP_GRACE_S * 1000000000LL;
                        signal_all(ws, c->count, SIGTERM);
                    }
                } else {
                    fprintf(stderr,
                            "protowall inline: worker %u (queue %u, pid %d) %s; queue %u is %s until protowall "
                            "restarts\n",
                            i + 1, w->queue, (int)pid, how, w->queue,
                            c->fail_open ? "fail-open: the kernel accepts its packets unseen"
                                         : "fail-closed: the kernel drops its packets");
                    if (status == 0)
                        status = 1;
                }
                break;
            }
        }
        if (!announced && ready == c->count && !stopping) {
            announced = true;
            if (!c->quiet && c->banner != NULL) {
                char pids[1024];
                size_t len = 0;

                pids[0] = '\0';
                for (unsigned i = 0; i < c->count && len < sizeof(pids); i++) {
                    int n = snprintf(pids + len, sizeof(pids) - len, "%s%d (queue %u)", i > 0 ? ", " : "",
                                     (int)ws[i].pid, ws[i].queue);

                    if (n > 0)
                        len += (size_t)n;
                }
                fprintf(stderr, "%s\nprotowall inline: worker pids %s\n", c->banner, pids);
            }
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
    return status;
}
