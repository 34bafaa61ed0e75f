/* inline/inline_cli.c - `protowall inline --queue N|--queues A-B --policy FILE` and `protowall nft print|install|remove`. */
#include "inline/inline_cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/detect.h"
#include "inline/inline.h"
#include "inline/inline_int.h"
#include "inline/inline_workers.h"
#include "log/log_set.h"
#include "policy/policy.h"
#include "util/sd_notify.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

#define IDLE_WAIT_MS 200   /* longest sleep: timers and log flushes run at least this often */
#define QUEUES_MAX   64    /* workers of one --queues range */

static const char inline_usage[] =
    "usage: protowall inline --queue N|--queues A-B --policy FILE [-o DIR] [--format tsv|json]\n"
    "                        [--full-visibility] [--owners policy|all] [--hold-pool N] [--max-pending N] [-q]\n"
    "\n"
    "  Reads NFQUEUE queue N (install its rules with `protowall nft install --queue N`), gives each\n"
    "  packet a verdict by the policy (docs/policy.md), writes policy.log and the usual logs in DIR.\n"
    "  SIGHUP reloads FILE (a bad file is refused and the old policy kept); SIGTERM/SIGINT stop.\n"
    "\n"
    "  --queues A-B         one worker process per queue A..B (at most 64), each with its own engine;\n"
    "                       `protowall nft install --queues A-B` spreads flows over them by address\n"
    "                       pair. One set of logs in DIR; --hold-pool and --max-pending are per worker\n"
    "  --full-visibility    keep queueing flows whose verdict is final (every packet analysed)\n"
    "  --baseline POLICY    a learned policy: flows it would not allow raise Baseline::New_Egress\n"
    "  --owners all         find the process of every local flow for policy.log (default: only\n"
    "                       when a rule has a process or user condition)\n"
    "  --hold-pool N        packets held at once, all flows (default 4096)\n"
    "  --max-pending N      flows waiting for identification (default 16384)\n";

static const char nft_usage[] =
    "usage: protowall nft print|install|remove [--queue N|--queues A-B] [--fail-closed] [--xtables]\n"
    "\n"
    "  print     the nft ruleset that feeds queue N, or balances flows over queues A..B by address\n"
    "            pair, both directions of a flow to the same queue (--xtables: the iptables form, for kernels\n"
    "            without nft's queue expression)\n"
    "  install   load it, replacing an earlier install (falls back to iptables-nft's NFQUEUE\n"
    "            target when the kernel lacks nft's queue expression)\n"
    "  remove    take protowall's rules away\n"
    "  --fail-closed  without `bypass`: packets drop while protowall is not reading the queue\n"
    "                 (default: fail-open, the kernel accepts them)\n";

static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_stop = 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max)
        return -1;
    *out = v;
    return 0;
}

/* "A-B" (A <= B, at most QUEUES_MAX queues) or "N". */
static int parse_queues(const char *s, unsigned long *first, unsigned long *n)
{
    const char *dash = strchr(s, '-');
    char a[16];
    unsigned long lo, hi;

    if (dash == NULL) {
        if (parse_uint(s, 65535, &lo) != 0)
            return -1;
        *first = lo;
        *n = 1;
        return 0;
    }
    if (dash == s || (size_t)(dash - s) >= sizeof(a))
        return -1;
    memcpy(a, s, (size_t)(dash - s));
    a[dash - s] = '\0';
    if (parse_uint(a, 65535, &lo) != 0 || parse_uint(dash + 1, 65535, &hi) != 0 || hi < lo ||
        hi - lo + 1 > QUEUES_MAX)
        return -1;
    *first = lo;
    *n = hi - lo + 1;
    return 0;
}

static void print_policy_error(const struct policy_error *e)
{
    char msg[1024];

    policy_error_text(e, msg, sizeof(msg));
    fprintf(stderr, "%s\n", msg);
}

static pw_time wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (pw_time)ts.tv_sec * PW_SEC + ts.tv_nsec;
}

struct inline_opts {
    unsigned long         queue;
    unsigned long         nqueues;     /* 1, or the size of a --queues range */
    bool                  have_queue;
    const char           *policy_path;
    struct log_set_config logs;
    struct inline_config  cfg;
    bool                  quiet;
};

static int inline_parse(int argc, char **argv, struct inline_opts *o)
{
    static const struct option longopts[] = {
        {"queue", required_argument, NULL, 'Q'},
        {"queues", required_argument, NULL, 'R'},
        {"policy", required_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"full-visibility", no_argument, NULL, 'F'},
        {"owners", required_argument, NULL, 'O'},
        {"baseline", required_argument, NULL, 'B'},
        {"hold-pool", required_argument, NULL, 'H'},
        {"max-pending", required_argument, NULL, 'P'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    unsigned long v;
    int c;

    memset(o, 0, sizeof(*o));
    o->nqueues = 1;
    o->logs.dir = ".";
    o->logs.format = LOG_FORMAT_TSV;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:f:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'Q':
        case 'R':
            if (o->have_queue) {
                fputs("protowall inline: one --queue or --queues only\n", stderr);
                return -1;
            }
            if (c == 'Q' ? parse_uint(optarg, 65535, &o->queue) != 0
                         : parse_queues(optarg, &o->queue, &o->nqueues) != 0 || o->queue + o->nqueues > 65536) {
                fprintf(stderr, "protowall inline: --%s: expected %s, got \"%s\"\n", c == 'Q' ? "queue" : "queues",
                        c == 'Q' ? "0..65535" : "A-B (0 <= A <= B <= 65535, at most 64 queues)", optarg);
                return -1;
            }
            o->have_queue = true;
            break;
        case 'p':
            o->policy_path = optarg;
            break;
        case 'o':
            o->logs.dir = optarg;
            break;
        case 'f':
            if (log_format_parse(optarg, &o->logs.format) != 0) {
                fprintf(stderr, "protowall inline: --format: expected tsv or json, got \"%s\"\n", optarg);
                return -1;
            }
            break;
        case 'F':
            o->cfg.full_visibility = true;
            break;
        case 'B':
            o->cfg.baseline_policy = optarg;
            break;
        case 'O':
            if (strcmp(optarg, "all") != 0 && strcmp(optarg, "policy") != 0) {
                fprintf(stderr, "protowall inline: --owners: expected policy or all, got \"%s\"\n", optarg);
                return -1;
            }
            o->cfg.lookup_all_owners = strcmp(optarg, "all") == 0;
            break;
        case 'H':
        case 'P':
            if (parse_uint(optarg, 1u << 24, &v) != 0 || v == 0) {
                fprintf(stderr, "protowall inline: --%s: expected 1..16777216, got \"%s\"\n",
                        c == 'H' ? "hold-pool" : "max-pending", optarg);
                return -1;
            }
            if (c == 'H')
                o->cfg.hold_pool = (uint32_t)v;
            else
                o->cfg.max_pending = (uint32_t)v;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            fputs(inline_usage, stdout);
            exit(CLI_OK);
        default:
            fputs(inline_usage, stderr);
            return -1;
        }
    }
    if (!o->have_queue || o->policy_path == NULL || optind != argc) {
        fputs(!o->have_queue ? "protowall inline: --queue or --queues is required\n"
              : o->policy_path == NULL ? "protowall inline: --policy is required\n"
                                      : "protowall inline: unexpected argument\n",
              stderr);
        fputs(inline_usage, stderr);
        return -1;
    }
    return 0;
}

/* Each message is one write: workers share stderr. The whole policy takes effect, the settings
 * too: on_failure reaches the kernel's queue, dynamic_block.ttl the hosts named from now on. */
static void reload(struct inline_dp *dp, struct inline_nfq *q, const char *path, const char *who)
{
    char msg[1024], changed[256] = "";
    struct policy *p = policy_load_file_msg(path, msg, sizeof(msg));
    const struct policy_settings *was = inline_dp_settings(dp);
    bool open_was = was->on_failure == POLICY_FAIL_OPEN, open_now;
    uint32_t ttl_was = was->block_ttl_s;

    if (p == NULL) {
        fprintf(stderr, "protowall inline: %sSIGHUP: the new policy is refused, the old one stays: %s\n", who, msg);
        return;
    }
    open_now = policy_settings(p)->on_failure == POLICY_FAIL_OPEN;
    if (open_now != open_was) {
        bool told = inline_nfq_set_fail_open(q, open_now) == 0;

        snprintf(changed, sizeof(changed), "; on_failure now %s%s", open_now ? "fail-open" : "fail-closed",
                 told ? "" : " (the queue could not be told: a full queue still does as before)");
    }
    if (policy_settings(p)->block_ttl_s != ttl_was) {
        size_t n = strlen(changed);

        snprintf(changed + n, sizeof(changed) - n, "; dynamic_block.ttl now %u s for hosts named from now on",
                 (unsigned)policy_settings(p)->block_ttl_s);
    }
    fprintf(stderr, "protowall inline: %sSIGHUP: %s reloaded, %u rules; decided flows keep their verdicts%s\n", who,
            path, policy_rule_count(p), changed);
    inline_dp_set_policy(dp, p);
}

static void print_stats(const struct inline_dp *dp, const struct inline_nfq *q, const char *who)
{
    const struct inline_stats *s = inline_dp_stats(dp);

    fprintf(stderr,
            "protowall inline: %s%" PRIu64 " packets (%" PRIu64 " accepted, %" PRIu64 " dropped, %" PRIu64
            " held), %" PRIu64 " flows decided (%" PRIu64 " allowed, %" PRIu64 " denied, %" PRIu64
            " alerts), %" PRIu64 " DNS answers, %" PRIu64 " dynamic blocks, %" PRIu64 " resets, %" PRIu64
            " batch verdicts, %" PRIu64 " hold-pool refusals\n",
            who, s->packets, s->accepted, s->dropped, s->held, s->flows_decided, s->flows_allowed, s->flows_denied,
            s->flows_alerted, s->dns_answered, s->dynamic_blocks, s->resets_sent, inline_nfq_batches(q),
            s->hold_pool_full);
}

/* One queue's life: bind it, decide its packets until asked to stop. who prefixes messages ("" for
 * the only queue, "worker 1 (queue 0): " for a worker), link is NULL for the only queue. Takes p. */
static int serve(const struct inline_opts *o, unsigned queue, struct policy *p, struct log_set *logs,
                 struct inline_workers_link *link, const char *who)
{
    struct inline_nfq *q;
    struct inline_dp *dp;
    struct inline_verdict_sink sink;
    struct sigaction sa;
    sigset_t none;
    char err[512];
    int status = CLI_OK;
    bool fail_open = policy_settings(p)->on_failure == POLICY_FAIL_OPEN;
    unsigned rules = policy_rule_count(p);

    q = inline_nfq_open(queue, fail_open, err, sizeof(err));
    if (q == NULL) {
        fprintf(stderr, "protowall inline: %s%s\n", who, err);
        policy_free(p);
        return CLI_USAGE;
    }
    sink = inline_nfq_sink(q);
    dp = inline_dp_create(&o->cfg, p, logs, &sink, err, sizeof(err));
    if (dp == NULL) {
        fprintf(stderr, "protowall inline: %s%s\n", who, err);
        inline_nfq_close(q);
        return CLI_USAGE;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a signal must end the wait for packets at once. */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* A worker is forked with these signals blocked, until its handlers are in place. */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (link != NULL) {
        inline_workers_ready(link);
    } else {
        if (!o->quiet)
            fprintf(stderr, "protowall inline: queue %u, policy %s (%u rules, %s), logs in %s\n", queue,
                    o->policy_path, rules, fail_open ? "fail-open" : "fail-closed", o->logs.dir);
        /* The only queue is bound: packets are judged from here on (systemd's Type=notify). */
        (void)sd_notify_send("READY=1");
    }
    while (!got_stop) {
        pw_time now = wall_now(), deadline = inline_dp_next_deadline(dp);
        int wait = IDLE_WAIT_MS;

        if (deadline != 0) {
            pw_time ms = (deadline - now + PW_MSEC - 1) / PW_MSEC;

            wait = ms <= 0 ? 0 : ms < IDLE_WAIT_MS ? (int)ms : IDLE_WAIT_MS;
        }
        if (inline_nfq_run(q, dp, wait, err, sizeof(err)) < 0) {
            fprintf(stderr, "protowall inline: %s%s\n", who, err);
            status = CLI_FAILED;
            break;
        }
        inline_dp_timers(dp, wall_now());
        inline_nfq_flush(q);
        if (link != NULL && !inline_workers_flush(link, false)) {
            fprintf(stderr, "protowall inline: %sthe parent process is gone\n", who);
            status = CLI_FAILED;
            break;
        }
        if (got_hup) {
            got_hup = 0;
            if (link == NULL)
                (void)sd_notify_reloading();
            reload(dp, q, o->policy_path, who);
            if (link == NULL)
                (void)sd_notify_send("READY=1");
        }
    }
    if (link == NULL)
        (void)sd_notify_send("STOPPING=1");
    inline_dp_finish(dp, wall_now());
    inline_nfq_flush(q);
    if (!o->quiet)
        print_stats(dp, q, who);
    inline_dp_free(dp);
    inline_nfq_close(q);
    return status;
}

struct workers_arg {
    const struct inline_opts *o;
    struct policy            *p;
};

static int worker_main(void *arg, unsigned index, unsigned queue, struct log_set *logs,
                       struct inline_workers_link *link)
{
    const struct workers_arg *a = arg;
    char who[64];

    snprintf(who, sizeof(who), "worker %u (queue %u): ", index + 1, queue);
    /* The parent's copy of the policy, inherited by fork: this worker's own from here. */
    return serve(a->o, queue, a->p, logs, link, who);
}

/* The parent keeps the newest policy that loaded, for a worker it starts again. Silent: each
 * worker reloads the file itself and says what it found. */
static void workers_reload(void *arg)
{
    struct workers_arg *a = arg;
    char msg[1024];
    struct policy *p = policy_load_file_msg(a->o->policy_path, msg, sizeof(msg));

    if (p == NULL)
        return;
    policy_free(a->p);
    a->p = p;
}

int inline_cli_main(int argc, char **argv)
{
    struct inline_opts o;
    struct policy_error perr;
    struct policy *p;
    struct log_set *logs;
    char err[512], banner[1024];
    int status;
    bool fail_open;

    if (inline_parse(argc, argv, &o) != 0)
        return CLI_USAGE;
    p = policy_load_file(o.policy_path, &perr);
    if (p == NULL) {
        print_policy_error(&perr);
        return CLI_USAGE;
    }
    fail_open = policy_settings(p)->on_failure == POLICY_FAIL_OPEN;
    logs = log_set_create(&o.logs, err, sizeof(err));
    if (logs == NULL) {
        fprintf(stderr, "protowall inline: %s: %s\n", o.logs.dir, err);
        policy_free(p);
        return CLI_USAGE;
    }
    if (o.nqueues == 1) {
        status = serve(&o, (unsigned)o.queue, p, logs, NULL, "");
    } else {
        struct workers_arg a = {&o, p};
        struct inline_workers_config wc;

        snprintf(banner, sizeof(banner), "protowall inline: queues %lu-%lu, %lu workers, policy %s (%u rules, %s), logs in %s",
                 o.queue, o.queue + o.nqueues - 1, o.nqueues, o.policy_path, policy_rule_count(p),
                 fail_open ? "fail-open" : "fail-closed", o.logs.dir);
        memset(&wc, 0, sizeof(wc));
        wc.first_queue = (unsigned)o.queue;
        wc.count = (unsigned)o.nqueues;
        wc.logs = logs;
        wc.format = o.logs.format;
        wc.fail_open = fail_open;
        wc.quiet = o.quiet;
        wc.banner = banner;
        wc.work = worker_main;
        wc.reload = workers_reload;
        wc.arg = &a;
        o.cfg.detect_shared = detect_watch_create_shared(0, false);
        if (o.cfg.detect_shared == NULL)
            fprintf(stderr, "protowall inline: no shared memory for the detector; each worker keeps its own\n");
        status = inline_workers_run(&wc);
        detect_watch_free_shared(o.cfg.detect_shared);
        policy_free(a.p);
    }
    log_set_free(logs);
    return status;
}

/* ---- nft ---- */

int nft_cli_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"queue", required_argument, NULL, 'Q'},
        {"queues", required_argument, NULL, 'R'},
        {"fail-closed", no_argument, NULL, 'c'},
        {"xtables", no_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct inline_nft_opts o = {0, 1, false};
    const char *cmd, *backend = "";
    bool xtables = false;
    unsigned long v, n;
    char text[8192], err[1024], which[48];
    int c;

    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            fputs(nft_usage, stdout);
            return CLI_OK;
        }
        fputs(nft_usage, stderr);
        return CLI_USAGE;
    }
    cmd = argv[1];
    optind = 2;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'Q':
            if (parse_uint(optarg, 65535, &v) != 0) {
                fprintf(stderr, "protowall nft: --queue: expected 0..65535, got \"%s\"\n", optarg);
                return CLI_USAGE;
            }
            o.queue = (unsigned)v;
            o.queues = 1;
            break;
        case 'R':
            if (parse_queues(optarg, &v, &n) != 0 || v + n > 65536) {
                fprintf(stderr, "protowall nft: --queues: expected A-B (0 <= A <= B <= 65535, at most 64 queues), "
                        "got \"%s\"\n", optarg);
                return CLI_USAGE;
            }
            o.queue = (unsigned)v;
            o.queues = (unsigned)n;
            break;
        case 'c':
            o.fail_closed = true;
            break;
        case 'x':
            xtables = true;
            break;
        case 'h':
            fputs(nft_usage, stdout);
            return CLI_OK;
        default:
            fputs(nft_usage, stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fputs(nft_usage, stderr);
        return CLI_USAGE;
    }
    if (strcmp(cmd, "print") == 0) {
        if (xtables)
            (void)inline_nft_xtables(text, sizeof(text), &o);
        else
            (void)inline_nft_ruleset(text, sizeof(text), &o);
        fputs(text, stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "install") == 0) {
        if (inline_nft_install(&o, err, sizeof(err), &backend) != 0) {
            fprintf(stderr, "protowall nft install: %s\n", err);
            return CLI_FAILED;
        }
        if (o.queues > 1)
            snprintf(which, sizeof(which), "queues %u-%u", o.queue, o.queue + o.queues - 1);
        else
            snprintf(which, sizeof(which), "queue %u", o.queue);
        printf("protowall nft: rules for %s installed (%s, %s)\n", which, backend,
               o.fail_closed ? "fail-closed" : "fail-open");
        return CLI_OK;
    }
    if (strcmp(cmd, "remove") == 0) {
        if (inline_nft_remove(err, sizeof(err)) != 0) {
            fprintf(stderr, "protowall nft remove: %s\n", err);
            return CLI_FAILED;
        }
        printf("protowall nft: rules removed\n");
        return CLI_OK;
    }
    fprintf(stderr, "protowall nft: unknown subcommand \"%s\"\n", cmd);
    fputs(nft_usage, stderr);
    return CLI_USAGE;
}
