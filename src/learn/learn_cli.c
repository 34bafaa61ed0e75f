/* learn/learn_cli.c - `protowall learn [-o FILE] [--min-count N] [-i IFACE ...] [LOGDIR...]`: options, live capture first when asked, summary, exit status. */
#include "learn/learn_cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn/learn.h"
#include "sniff/sniff.h"

enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

static const char usage_text[] =
    "usage: protowall learn [-o FILE] [--min-count N] [-q] LOGDIR|LOGFILE...\n"
    "       protowall learn -i IFACE [-f BPF] [--duration S] [--workers N] [--logs DIR] [-o FILE]\n"
    "                       [--min-count N] [-q] [LOGDIR|LOGFILE...]\n"
    "\n"
    "Reads Zeek logs (TSV or JSON, plain or .gz) as protowall or Zeek wrote them: conn.log, and\n"
    "ssl.log, http.log, dns.log and policy.log where present. Writes a recommended egress policy\n"
    "(docs/policy.md) allowing the outbound traffic seen, with the evidence in comments.\n"
    "With -i, it first watches live traffic (as `protowall sniff` does) for --duration seconds, or\n"
    "until SIGINT or SIGTERM, and learns from what it logged as well.\n"
    "\n"
    "  -o, --output FILE   write the policy to FILE (default: standard output)\n"
    "      --min-count N   leave out tuples seen fewer than N times (default 1)\n"
    "  -q, --quiet         no summary on stderr\n"
    "  -i, --interface I   learn from live traffic on interface I\n"
    "  -f, --filter BPF    capture filter, tcpdump syntax\n"
    "      --duration S    stop watching after S seconds (default: at SIGINT or SIGTERM)\n"
    "  -w, --workers N     capture workers (default: online cores)\n"
    "      --logs DIR      keep the logs of the live capture in DIR (default: a temporary\n"
    "                      directory, removed once the policy is written)\n";

/* A temporary log directory: the files sniff wrote (no subdirectories), then itself. */
static void remove_log_dir(const char *dir)
{
    char path[4096];
    struct dirent *de;
    DIR *d = opendir(dir);

    if (d != NULL) {
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static void say_learn(void *arg, const char *msg)
{
    if (!*(const bool *)arg)
        fprintf(stderr, "protowall learn: %s\n", msg);
}

/* The live part: sniff into dir until the duration or a signal. Returns sniff_run's status (2
 * with err when nothing could run). */
static int watch_live(struct sniff_options *so, bool *quiet, char *err, size_t errlen)
{
    struct sniff_hooks hooks = {.say = say_learn, .arg = quiet};

    so->files = true;
    so->stats_interval = 0;
    so->quiet = *quiet;
    return sniff_run(so, &hooks, err, errlen);
}

static int learn_sources(const struct learn_policy_options *cpo, const char *output, bool quiet);

int learn_cli_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"min-count", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"interface", required_argument, NULL, 'i'},
        {"filter", required_argument, NULL, 'f'},
        {"duration", required_argument, NULL, 'D'},
        {"workers", required_argument, NULL, 'w'},
        {"logs", required_argument, NULL, 'L'},
        {NULL, 0, NULL, 0},
    };
    struct sniff_options so;
    const char *sources[64];
    char tmp_logs[64] = "", conn_log[4096];
    struct learn_policy_options po = {.min_count = 1};
    const char *output = NULL;
    char err[1024] = "", *end;
    bool quiet = false;
    unsigned long v;
    int c, status, st = 0;

    sniff_options_init(&so);
    so.dir = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qhi:f:w:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'm':
            errno = 0;
            v = strtoul(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' || v == 0 || v > 1000000000) {
                fprintf(stderr, "protowall learn: --min-count: expected a number from 1, got \"%s\"\n", optarg);
                return CLI_USAGE;
            }
            po.min_count = (unsigned)v;
            break;
        case 'q':
            quiet = true;
            break;
        case 'i':
            so.iface = optarg;
            break;
        case 'f':
            so.filter = optarg;
            break;
        case 'L':
            so.dir = optarg;
            break;
        case 'D':
        case 'w':
            errno = 0;
            v = strtoul(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' || v == 0 ||
                v > (c == 'w' ? SNIFF_MAX_WORKERS : 100000000ul)) {
                fprintf(stderr, "protowall learn: --%s: expected a number from 1 to %lu, got \"%s\"\n",
                        c == 'w' ? "workers" : "duration", c == 'w' ? (unsigned long)SNIFF_MAX_WORKERS : 100000000ul,
                        optarg);
                return CLI_USAGE;
            }
            if (c == 'w')
                so.workers = (unsigned)v;
            else
                so.duration = (uint32_t)v;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return CLI_OK;
        default:
            fputs(usage_text, stderr);
            return CLI_USAGE;
        }
    }
    if (optind >= argc && so.iface == NULL) {
        fprintf(stderr, "protowall learn: no log directory given\n%s", usage_text);
        return CLI_USAGE;
    }
    if (so.iface == NULL && (so.filter != NULL || so.duration > 0 || so.dir != NULL)) {
        fprintf(stderr, "protowall learn: -f, --duration and --logs go with -i\n");
        return CLI_USAGE;
    }
    if ((unsigned)(argc - optind) + 1 > sizeof(sources) / sizeof(sources[0])) {
        fprintf(stderr, "protowall learn: at most %zu log directories\n", sizeof(sources) / sizeof(sources[0]) - 1);
        return CLI_USAGE;
    }
    po.n_sources = 0;
    if (so.iface != NULL) {
        if (so.dir == NULL) {
            snprintf(tmp_logs, sizeof(tmp_logs), "/tmp/protowall-learn.XXXXXX");
            if (mkdtemp(tmp_logs) == NULL) {
                fprintf(stderr, "protowall learn: a temporary log directory: %s\n", strerror(errno));
                return CLI_USAGE;
            }
            so.dir = tmp_logs;
        }
        st = watch_live(&so, &quiet, err, sizeof(err));
        if (st == 2) {
            /* A worker that failed has said why itself; err is set when the start failed here. */
            if (err[0] != '\0')
                fprintf(stderr, "protowall learn: %s\n", err);
            if (tmp_logs[0] != '\0')
                remove_log_dir(tmp_logs);
            return CLI_USAGE;
        }
        if (st != 0)
            fprintf(stderr, "protowall learn: the capture stopped early; learning from what it logged\n");
        snprintf(conn_log, sizeof(conn_log), "%s/conn.log", so.dir);
        if (access(conn_log, F_OK) != 0 && optind >= argc) {
            fprintf(stderr, "protowall learn: no flow was seen on %s; no policy written\n", so.iface);
            if (tmp_logs[0] != '\0')
                remove_log_dir(tmp_logs);
            return CLI_FAILED;
        }
        sources[po.n_sources++] = so.dir;
    }
    for (int i = optind; i < argc; i++)
        sources[po.n_sources++] = argv[i];
    po.sources = sources;
    status = learn_sources(&po, output, quiet);
    if (tmp_logs[0] != '\0')
        remove_log_dir(tmp_logs);
    /* A policy from a capture that stopped early is written, but the exit says it is partial. */
    return status == CLI_OK && st != 0 ? CLI_FAILED : status;
}

/* Reads the logs, writes the policy, says what it did. */
static int learn_sources(const struct learn_policy_options *cpo, const char *output, bool quiet)
{
    struct learn_policy_options po = *cpo;
    struct learn *l;
    char err[1024];
    FILE *out = stdout;
    int rules;

    l = learn_create();
    if (l == NULL) {
        fprintf(stderr, "protowall learn: out of memory\n");
        return CLI_USAGE;
    }
    if (learn_read(l, po.sources, po.n_sources, err, sizeof(err)) != 0) {
        fprintf(stderr, "protowall learn: %s\n", err);
        learn_free(l);
        return CLI_USAGE;
    }
    /* The policy is read only once it is whole: written to FILE.tmp, then renamed over FILE. */
    char tmp[4096];

    if (output != NULL) {
        snprintf(tmp, sizeof(tmp), "%s.tmp", output);
        out = fopen(tmp, "w");
        if (out == NULL) {
            fprintf(stderr, "protowall learn: %s: %s\n", tmp, strerror(errno));
            learn_free(l);
            return CLI_USAGE;
        }
    }
    rules = learn_policy_write(l, &po, out, err, sizeof(err));
    if (output != NULL) {
        if (fclose(out) != 0 && rules >= 0) {
            snprintf(err, sizeof(err), "%s", strerror(errno));
            rules = -1;
        }
        if (rules >= 0 && rename(tmp, output) != 0) {
            snprintf(err, sizeof(err), "%s", strerror(errno));
            rules = -1;
        }
        if (rules < 0)
            remove(tmp);
    }
    if (rules < 0) {
        fprintf(stderr, "protowall learn: %s: %s\n", output != NULL ? output : "stdout", err);
        learn_free(l);
        return CLI_USAGE;
    }
    if (!quiet) {
        const struct learn_stats *st = learn_get_stats(l);

        fprintf(stderr, "protowall learn: %llu outbound flows (%llu inbound, %llu internal ignored), %d rule%s written to %s\n",
                (unsigned long long)st->outbound, (unsigned long long)st->inbound,
                (unsigned long long)st->internal, rules, rules == 1 ? "" : "s",
                output != NULL ? output : "stdout");
    }
    learn_free(l);
    return CLI_OK;
}
