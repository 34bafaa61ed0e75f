/* sniff/sniff.c - the sniff service: opens the capture, drops privileges, forks the workers, owns the merged logs. */
#include "sniff/sniff.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture_live.h"
#include "detect/detect.h"
#include "files/files.h"
#include "policy/policy.h"
#include "sniff/sniff_pipe.h"
#include "sniff/sniff_worker.h"
#include "util/sd_notify.h"

#define LOGGER_POLL_MS   200
#define LOGGER_READS     16        /* reads of one pipe per wake-up, so one worker cannot starve the rest */
#define STOP_GRACE_S     30        /* workers get this long to log their open flows */
#define PIPE_SIZE        (1 << 20)

static volatile sig_atomic_t got_stop, got_hup;

static void on_stop(int sig)
{
    got_stop = 1;
}

static void on_hup(int sig)
{
    got_hup = 1;
}

struct child {
    pid_t                pid;
    struct sniff_pipe_in in;
    bool                 done;     /* its pipe reached end of stream */
};

struct sniff {
    const struct sniff_options *o;
    const struct sniff_hooks   *hooks;
    struct child               *kids;
    unsigned                    n;
    struct log_set             *files;   /* NULL without files */
    struct log_set             *out;     /* NULL without --stdout */
    struct redis_out           *redis;   /* NULL without --redis */
    struct sniff_summary        total;
    unsigned                    ready;
    bool                        stopping;
    bool                        failed;  /* a worker stopped on its own, or reported an error */
    time_t                      stop_deadline;
    time_t                      run_until;   /* --duration: when to stop (0: never by itself) */
};

static void say(const struct sniff *s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    /* A false positive of clang-tidy 14 when one run analyses the file's several compile entries;
     * va_start is the line above. NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (s->hooks != NULL && s->hooks->say != NULL)
        s->hooks->say(s->hooks->arg, msg);
}

void sniff_options_init(struct sniff_options *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    memset(o, 0, sizeof(*o));
    o->workers = cores < 1 ? 1 : cores > SNIFF_MAX_WORKERS ? SNIFF_MAX_WORKERS : (unsigned)cores;
    o->dir = ".";
    o->format = LOG_FORMAT_TSV;
    o->stats_interval = 60;
    o->ring_mb = 64;
    o->promisc = true;
    o->engine.file_hashes = FILES_HASH_ALL;
    o->engine.notice_suppress = -1;
}

int64_t sniff_next_rotation(int64_t now, uint32_t interval)
{
    time_t t = (time_t)now;
    struct tm tm;
    int64_t off = 0, local;

    if (interval == 0)
        return INT64_MAX;
    if (localtime_r(&t, &tm) != NULL)
        off = tm.tm_gmtoff;
    local = now + off;
    return (local / interval + 1) * (int64_t)interval - off;
}

static void signals_init(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);  /* a closed stdout is an I/O error, counted */
}

/* ---- before the workers: directory, privileges ---- */

/* mkdir -p; the last component, if made here, is given to the user the service will run as. */
static int prepare_dir(const char *dir, bool give, uid_t uid, gid_t gid, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    size_t n = strlen(dir);
    struct stat st;

    if (stat(dir, &st) == 0)
        return 0;
    if (n == 0 || n >= sizeof(tmp)) {
        snprintf(err, errlen, "bad log directory name");
        return -1;
    }
    memcpy(tmp, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create log directory %s: %s", tmp, strerror(errno));
            return -1;
        }
        if (i < n)
            tmp[i] = '/';
    }
    if (give && chown(dir, uid, gid) != 0) {
        snprintf(err, errlen, "cannot give %s to the service user: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static int lookup_user(const char *name, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
    struct passwd *pw;

    errno = 0;
    pw = getpwnam(name);
    if (pw == NULL) {
        snprintf(err, errlen, "--user: no user \"%s\"", name);
        return -1;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return 0;
}

/* Sockets and rings stay usable: only new opens need CAP_NET_RAW, and none follow. */
static int drop_privileges(const char *name, uid_t uid, gid_t gid, char *err, size_t errlen)
{
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        snprintf(err, errlen, "--user %s: cannot switch to it: %s", name, strerror(errno));
        return -1;
    }
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(err, errlen, "--user %s: root could be regained after switching", name);
        return -1;
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return 0;
}

/* ---- the logger ---- */

static void handle(struct sniff *s, const struct sniff_msg *m, const char *body)
{
    switch (m->kind) {
    case SNIFF_MSG_ROW: {
        /* The worker's own pointer: the same tables at the same addresses after fork.
         * NOLINTNEXTLINE(performance-no-int-to-ptr) */
        const struct log_schema *schema = (const struct log_schema *)(uintptr_t)m->schema;

        if (schema == NULL)
            return;
        if (s->files != NULL && m->format == (uint8_t)s->o->format)
            log_set_write_row(s->files, schema, body, m->len);
        if (s->out != NULL && m->format == LOG_FORMAT_JSON)
            log_set_write_row(s->out, schema, body, m->len);
        if (s->redis != NULL && m->format == LOG_FORMAT_JSON)
            redis_out_row(s->redis, schema->path, body, m->len);
        break;
    }
    case SNIFF_MSG_READY:
        if (s->ready + 1 == s->n) {
            (void)sd_notify_send("READY=1");
            if (s->o->duration > 0)
                s->run_until = time(NULL) + (time_t)s->o->duration;
        }
        if (++s->ready == s->n && !s->o->quiet) {
            if (s->o->iface != NULL)
                say(s, "capturing on %s with %u worker%s; logs in %s", s->o->iface, s->n, s->n == 1 ? "" : "s",
                    s->files != NULL ? s->o->dir : "stdout");
        }
        break;
    case SNIFF_MSG_SUMMARY:
        if (m->len == sizeof(struct sniff_summary)) {
            struct sniff_summary sum;

            memcpy(&sum, body, sizeof(sum));
            s->total.frames += sum.frames;
            s->total.flows_logged += sum.flows_logged;
            s->total.weirds += sum.weirds;
            s->total.notices += sum.notices;
            s->total.kernel_drops += sum.kernel_drops;
            s->total.user_drops += sum.user_drops;
        }
        break;
    case SNIFF_MSG_ERROR:
        say(s, "%.*s", (int)m->len, body);
        s->failed = true;
        break;
    case SNIFF_MSG_NOTE:
        say(s, "%.*s", (int)m->len, body);
        break;
    default:
        break;
    }
}

static void begin_stop(struct sniff *s)
{
    if (s->stopping)
        return;
    (void)sd_notify_send("STOPPING=1");
    s->stopping = true;
    s->stop_deadline = time(NULL) + STOP_GRACE_S;
    for (unsigned i = 0; i < s->n; i++)
        if (!s->kids[i].done)
            kill(s->kids[i].pid, SIGTERM);
}

/* Reads and handles what one worker sent; notices the end of its stream. */
static void drain(struct sniff *s, struct child *k)
{
    for (int r = 0; r < LOGGER_READS && !k->done; r++) {
        struct sniff_msg m;
        const char *body;
        long got = sniff_pipe_in_read(&k->in);

        while (sniff_pipe_in_next(&k->in, &m, &body))
            handle(s, &m, body);
        if (k->in.eof || got < 0 || k->in.broken) {
            k->done = true;
            if (!s->stopping && s->o->iface != NULL) {
                /* Live, nobody asked it to stop: it failed, and the others go too. (Reading a
                 * file, a worker is done at the file's end; its exit status tells the rest.) */
                s->failed = true;
                begin_stop(s);
            }
        }
        if (got <= 0)
            break;
    }
}

/* --baseline: the file is checked here, once, so a bad edit is refused with one message naming
 * its line; the workers reload it only when it loads. */
static void reload_baseline(struct sniff *s)
{
    const char *path = s->o->engine.baseline_policy;
    struct policy *p;
    char msg[1024];

    if (path == NULL)
        return;
    p = policy_load_file_msg(path, msg, sizeof(msg));
    if (p == NULL) {
        say(s, "SIGHUP: the new baseline is refused, the old one stays: %s", msg);
        return;
    }
    say(s, "SIGHUP: baseline %s reloaded, %u rules", path, policy_rule_count(p));
    policy_free(p);
    for (unsigned i = 0; i < s->n; i++)
        if (!s->kids[i].done && s->kids[i].pid > 0)
            kill(s->kids[i].pid, SIGHUP);
}

static int logger_loop(struct sniff *s)
{
    const struct sniff_options *o = s->o;
    struct pollfd *pfd = s->n > 0 ? calloc(s->n, sizeof(*pfd)) : NULL;
    unsigned *which = s->n > 0 ? calloc(s->n, sizeof(*which)) : NULL;
    time_t next_rot = (time_t)sniff_next_rotation(time(NULL), o->rotate_interval);

    if (pfd == NULL || which == NULL) {
        free(pfd);
        free(which);
        return -1;
    }
    for (;;) {
        unsigned np = 0;
        time_t now;

        if (got_stop || (s->run_until != 0 && time(NULL) >= s->run_until))
            begin_stop(s);
        if (got_hup) {
            got_hup = 0;
            /* Before READY=1 (workers still starting) or while stopping, systemd must not be told
             * the start is over. */
            if (s->ready == s->n && !s->stopping)
                (void)sd_notify_reloading();
            log_set_reopen(s->files, time(NULL));
            reload_baseline(s);
            if (s->ready == s->n && !s->stopping)
                (void)sd_notify_send("READY=1");
        }
        for (unsigned i = 0; i < s->n; i++) {
            if (s->kids[i].done)
                continue;
            pfd[np].fd = s->kids[i].in.fd;
            pfd[np].events = POLLIN;
            pfd[np].revents = 0;
            which[np++] = i;
        }
        if (np == 0)
            break;
        poll(pfd, np, LOGGER_POLL_MS);
        for (unsigned j = 0; j < np; j++)
            if (pfd[j].revents != 0)
                drain(s, &s->kids[which[j]]);
        log_set_flush(s->files);
        log_set_flush(s->out);
        if (s->redis != NULL)
            redis_out_poll(s->redis);
        now = time(NULL);
        if (o->rotate_size > 0)
            log_set_rotate(s->files, now, o->rotate_size);
        if (now >= next_rot) {
            log_set_rotate(s->files, now, 0);
            next_rot = (time_t)sniff_next_rotation(now, o->rotate_interval);
        }
        if (s->stopping && now > s->stop_deadline) {
            for (unsigned i = 0; i < s->n; i++)
                if (!s->kids[i].done)
                    kill(s->kids[i].pid, SIGKILL);
        }
    }
    free(pfd);
    free(which);
    return 0;
}

/* ---- workers ---- */

static int spawn(struct sniff *s, struct capture_live **live, char *err, size_t errlen)
{
    pid_t parent = getpid();

    for (unsigned i = 0; i < s->n; i++) {
        int fds[2];
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) != 0) {
            snprintf(err, errlen, "pipe: %s", strerror(errno));
            return -1;
        }
        fcntl(fds[0], F_SETPIPE_SZ, PIPE_SIZE);   /* a wish; the default 64 KiB works too */
        pid = fork();
        if (pid < 0) {
            snprintf(err, errlen, "fork: %s", strerror(errno));
            close(fds[0]);
            close(fds[1]);
            return -1;
        }
        if (pid == 0) {
            struct sniff_worker_config wc = {.index = i, .nworkers = s->n, .out_fd = fds[1], .o = s->o};

            /* A worker does not outlive the logger that owns its rows. */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent)
                _exit(1);
            close(fds[0]);
            for (unsigned k = 0; k < i; k++)
                close(s->kids[k].in.fd);
            if (live != NULL) {
                for (unsigned k = 0; k < s->n; k++)
                    if (k != i)
                        capture_live_close(live[k]);
                wc.live = live[i];
            }
            _exit(sniff_worker_run(&wc));
        }
        close(fds[1]);
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        s->kids[i].pid = pid;
        if (sniff_pipe_in_init(&s->kids[i].in, fds[0]) != 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* Waits for every worker; the worst exit status wins. */
static int reap(struct sniff *s)
{
    int worst = 0;

    for (unsigned i = 0; i < s->n; i++) {
        int st = 0, code;

        if (s->kids[i].pid <= 0)
            continue;
        while (waitpid(s->kids[i].pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (WIFEXITED(st)) {
            code = WEXITSTATUS(st);
        } else {
            say(s, "worker-%u killed by signal %d", i + 1, WTERMSIG(st));
            code = 1;
        }
        if (code > worst)
            worst = code;
    }
    return worst > 2 ? 1 : worst;
}

static int open_live(const struct sniff_options *o, unsigned n, struct capture_live **live, char *err, size_t errlen)
{
    struct capture_live_config lc = {.iface = o->iface, .filter = o->filter,
                                     .fanout_group = (uint16_t)(getpid() & 0xffff),
                                     .ring_bytes = o->ring_mb * 1024u * 1024u, .promisc = o->promisc};

    for (unsigned i = 0; i < n; i++) {
        live[i] = capture_live_open(&lc, err, errlen);
        if (live[i] == NULL)
            return -1;
    }
    return 0;
}

static int check_policy_file(const char *path, char *err, size_t errlen)
{
    struct policy *p = policy_load_file_msg(path, err, errlen);

    if (p == NULL)
        return -1;
    policy_free(p);
    return 0;
}

int sniff_run(const struct sniff_options *o, const struct sniff_hooks *hooks, char *err, size_t errlen)
{
    struct sniff_options opts;
    struct detect_watch *watch = NULL;
    struct capture_live **live = NULL;
    struct sniff s;
    uid_t uid = 0;
    gid_t gid = 0;
    int status = 2, worst;

    memset(&s, 0, sizeof(s));
    /* The workers share the detector's watched hosts: a Log4Shell chain whose flows the fanout
     * spreads over several workers is still noticed as one incident. */
    opts = *o;
    if (o->workers > 1) {
        watch = detect_watch_create_shared(o->engine.seed, o->engine.seeded);
        if (watch == NULL) {
            snprintf(err, errlen, "shared memory for the detector: %s", strerror(errno));
            return 2;
        }
        opts.engine.detect_shared = watch;
    }
    o = &opts;
    s.o = o;
    s.hooks = hooks;
    s.n = o->workers;
    if (s.n == 0) {
        snprintf(err, errlen, "no workers");
        return 2;
    }
    s.kids = calloc(s.n, sizeof(*s.kids));
    live = calloc(s.n, sizeof(struct capture_live *));
    if (s.kids == NULL || live == NULL) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (o->user != NULL && lookup_user(o->user, &uid, &gid, err, errlen) != 0)
        goto out;
    if (o->iface != NULL) {
        if (open_live(o, s.n, live, err, errlen) != 0)
            goto out;
    } else {
        struct capture *c;
        struct stat st;

        /* Every worker opens the file for itself: a pipe would be read once, split at random. */
        if (stat(o->read_file, &st) == 0 && !S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "%s: not a regular file: each worker reads the file itself (for a pipe, use "
                     "protowall read)", o->read_file);
            goto out;
        }
        c = capture_file_open(o->read_file, err, errlen);
        if (c == NULL)
            goto out;
        capture_close(c);
    }
    if (o->files && prepare_dir(o->dir, o->user != NULL, uid, gid, err, errlen) != 0)
        goto out;
    if (o->user != NULL && drop_privileges(o->user, uid, gid, err, errlen) != 0)
        goto out;
    /* Checked as the user the workers load it as (and reload it as, on SIGHUP). */
    if (o->engine.baseline_policy != NULL && check_policy_file(o->engine.baseline_policy, err, errlen) != 0)
        goto out;
    if (o->files) {
        struct log_set_config fc = {.dir = o->dir, .format = o->format, .append = true};
        char why[256];

        s.files = log_set_create(&fc, why, sizeof(why));
        if (s.files == NULL) {
            snprintf(err, errlen, "%s", why);
            goto out;
        }
    }
    if (o->to_stdout) {
        struct log_set_config sc = {.format = LOG_FORMAT_JSON, .to_stdout = true};

        s.out = log_set_create(&sc, err, errlen);
        if (s.out == NULL)
            goto out;
    }
    if (o->redis_on && (s.redis = redis_out_create(&o->redis, err, errlen)) == NULL)
        goto out;
    signals_init();
    if (spawn(&s, o->iface != NULL ? live : NULL, err, errlen) != 0) {
        begin_stop(&s);
        reap(&s);
        goto out;
    }
    /* The workers hold their own sockets and rings now. */
    for (unsigned i = 0; i < s.n; i++) {
        capture_live_close(live[i]);
        live[i] = NULL;
    }
    logger_loop(&s);
    worst = reap(&s);
    status = worst != 0 ? worst : s.failed ? 1 : 0;
    if (!o->quiet)
        say(&s, "%llu packets, %llu flows logged, %llu weirds, %llu notices, %llu dropped by the kernel%s%s",
            (unsigned long long)s.total.frames, (unsigned long long)s.total.flows_logged,
            (unsigned long long)s.total.weirds, (unsigned long long)s.total.notices,
            (unsigned long long)s.total.kernel_drops, s.files != NULL ? "; logs in " : "",
            s.files != NULL ? o->dir : "");
    /* Zeek rotates at shutdown too: every file a shipper sees under a rotated name is complete. */
    if (o->rotate_interval > 0 || o->rotate_size > 0)
        log_set_rotate(s.files, time(NULL), 0);
    if (s.files != NULL) {
        struct log_set_stats ls;

        log_set_stats(s.files, &ls);
        if (ls.io_errors > 0)
            say(&s, "%llu log write errors in %s", (unsigned long long)ls.io_errors, o->dir);
    }
out:
    if (s.redis != NULL) {
        struct redis_out_stats rs;

        redis_out_drain(s.redis, -1);
        redis_out_stats(s.redis, &rs);
        if (!o->quiet || rs.dropped > 0 || rs.rejected > 0)
            say(&s, "redis: %llu rows sent, %llu dropped, %llu rejected, %llu reconnects",
                (unsigned long long)rs.sent, (unsigned long long)rs.dropped, (unsigned long long)rs.rejected,
                (unsigned long long)rs.reconnects);
        redis_out_free(s.redis);
    }
    for (unsigned i = 0; live != NULL && i < s.n; i++)
        capture_live_close(live[i]);
    for (unsigned i = 0; s.kids != NULL && i < s.n; i++)
        if (s.kids[i].in.buf != NULL) {
            close(s.kids[i].in.fd);
            sniff_pipe_in_fini(&s.kids[i].in);
        }
    log_set_free(s.files);
    log_set_free(s.out);
    free(live);
    free(s.kids);
    detect_watch_free_shared(watch);
    return status;
}
