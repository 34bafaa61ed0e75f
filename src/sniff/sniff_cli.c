/* sniff/sniff_cli.c - `protowall sniff`: option parsing, usage, and the printing of what the service reports. */
#include "sniff/sniff_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files/files.h"

static void usage(FILE *out)
{
    fputs("usage: protowall sniff -i IFACE [options]     capture live (AF_PACKET), write Zeek-format logs\n"
          "       protowall sniff -r FILE [options]      split a capture file across the workers the same way\n"
          "\n"
          "  -i, --interface IFACE     interface to capture on (promiscuous unless --no-promisc)\n"
          "  -r, --read FILE           read a pcap/pcapng file instead (throughput, tests)\n"
          "  -f, --filter BPF          capture filter, tcpdump syntax\n"
          "  -w, --workers N           worker processes, each owning its flows (default: online cores)\n"
          "  -o, --output DIR          one merged set of log files in DIR (default: current directory)\n"
          "      --format tsv|json     Zeek TSV (default) or Zeek JSON lines in the files\n"
          "      --stdout              JSON lines with \"_path\" on stdout (as well as files if -o is given)\n"
          "      --rotate-interval S   rotate the files every S seconds, aligned to local midnight\n"
          "      --rotate-size SIZE    rotate a file once it holds SIZE (MB, or with K, M, G suffix)\n"
          "      --user USER           drop privileges to USER once the capture is open\n"
          "      --stats-interval S    stats.log and capture_loss.log rows every S seconds (default 60, 0: off)\n"
          "      --ring-mb MB          kernel ring per worker (default 64)\n"
          "      --duration S          stop after S seconds of capture, as on SIGTERM\n"
          "      --no-promisc          leave the interface's promiscuous mode alone\n"
          "  -C, --no-checksums        ignore bad checksums (as zeek -C)\n"
          "      --conn-only           flows only: no protocol identification or analyzers\n"
          "      --baseline POLICY     a learned policy: outbound flows it would not allow raise\n"
          "                            Baseline::New_Egress, once per tuple (SIGHUP reloads it)\n"
          "      --max-flows N         flow table cap per worker\n"
          "      --seed N              repeatable uids (for tests)\n"
          "  -q, --quiet               no messages on stderr but errors\n"
          "\n"
          "signals: SIGHUP reopens the log files and reloads --baseline; SIGTERM and SIGINT log every open\n"
          "flow, then exit.\n",
          out);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* "10" is 10 MB; "512K", "10M", "2G" (powers of 1000, as the unit says). */
static int parse_size(const char *s, uint64_t *out)
{
    char num[32];
    size_t n = strlen(s);
    uint64_t v, mul = 1000000;

    if (n == 0 || n >= sizeof(num))
        return -1;
    memcpy(num, s, n + 1);
    switch (num[n - 1]) {
    case 'K': case 'k': mul = 1000; num[n - 1] = '\0'; break;
    case 'M': case 'm': mul = 1000000; num[n - 1] = '\0'; break;
    case 'G': case 'g': mul = 1000000000; num[n - 1] = '\0'; break;
    default: break;
    }
    if (parse_u64(num, &v) != 0 || v == 0 || v > UINT64_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}

int sniff_cli_parse(int argc, char **argv, struct sniff_options *o, char *err, size_t errlen)
{
    enum { O_FORMAT = 256, O_STDOUT, O_REDIS, O_ROT_INT, O_ROT_SIZE, O_USER, O_STATS, O_RING, O_NOPROMISC, O_CONN,
           O_BASELINE, O_MAXFLOWS, O_SEED, O_DURATION };
    static const struct option longopts[] = {
        {"interface", required_argument, NULL, 'i'},
        {"read", required_argument, NULL, 'r'},
        {"filter", required_argument, NULL, 'f'},
        {"workers", required_argument, NULL, 'w'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, O_FORMAT},
        {"stdout", no_argument, NULL, O_STDOUT},
        {"redis", required_argument, NULL, O_REDIS},
        {"rotate-interval", required_argument, NULL, O_ROT_INT},
        {"rotate-size", required_argument, NULL, O_ROT_SIZE},
        {"user", required_argument, NULL, O_USER},
        {"stats-interval", required_argument, NULL, O_STATS},
        {"duration", required_argument, NULL, O_DURATION},
        {"ring-mb", required_argument, NULL, O_RING},
        {"no-promisc", no_argument, NULL, O_NOPROMISC},
        {"no-checksums", no_argument, NULL, 'C'},
        {"conn-only", no_argument, NULL, O_CONN},
        {"baseline", required_argument, NULL, O_BASELINE},
        {"max-flows", required_argument, NULL, O_MAXFLOWS},
        {"seed", required_argument, NULL, O_SEED},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool dir_given = false;
    uint64_t v;
    int c;

    sniff_options_init(o);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:r:f:w:o:Cqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            o->iface = optarg;
            break;
        case 'r':
            o->read_file = optarg;
            break;
        case 'f':
            o->filter = optarg;
            break;
        case 'w':
            if (parse_u64(optarg, &v) != 0 || v == 0 || v > SNIFF_MAX_WORKERS) {
                snprintf(err, errlen, "--workers: expected 1..%d, got \"%s\"", SNIFF_MAX_WORKERS, optarg);
                return -1;
            }
            o->workers = (unsigned)v;
            break;
        case 'o':
            o->dir = optarg;
            dir_given = true;
            break;
        case O_FORMAT:
            if (log_format_parse(optarg, &o->format) != 0) {
                snprintf(err, errlen, "--format: expected tsv or json, got \"%s\"", optarg);
                return -1;
            }
            break;
        case O_STDOUT:
            o->to_stdout = true;
            break;
        case O_REDIS:
            redis_out_config_init(&o->redis);
            if (redis_out_parse_spec(optarg, &o->redis, err, errlen) != 0)
                return -1;
            o->redis_on = true;
            break;
        case O_ROT_INT:
            if (parse_u64(optarg, &v) != 0 || v == 0 || v > 31u * 86400u) {
                snprintf(err, errlen, "--rotate-interval: expected seconds (1..2678400), got \"%s\"", optarg);
                return -1;
            }
            o->rotate_interval = (uint32_t)v;
            break;
        case O_ROT_SIZE:
            if (parse_size(optarg, &o->rotate_size) != 0) {
                snprintf(err, errlen, "--rotate-size: expected MB, or a number with K, M or G, got \"%s\"", optarg);
                return -1;
            }
            break;
        case O_USER:
            o->user = optarg;
            break;
        case O_STATS:
            if (parse_u64(optarg, &v) != 0 || v > 86400) {
                snprintf(err, errlen, "--stats-interval: expected seconds (0..86400), got \"%s\"", optarg);
                return -1;
            }
            o->stats_interval = (uint32_t)v;
            break;
        case O_DURATION:
            if (parse_u64(optarg, &v) != 0 || v == 0 || v > UINT32_MAX) {
                snprintf(err, errlen, "--duration: expected seconds (1..%u), got \"%s\"", UINT32_MAX, optarg);
                return -1;
            }
            o->duration = (uint32_t)v;
            break;
        case O_RING:
            if (parse_u64(optarg, &v) != 0 || v < 2 || v > 4096) {
                snprintf(err, errlen, "--ring-mb: expected 2..4096, got \"%s\"", optarg);
                return -1;
            }
            o->ring_mb = (uint32_t)v;
            break;
        case O_NOPROMISC:
            o->promisc = false;
            break;
        case 'C':
            o->engine.ignore_checksums = true;
            break;
        case O_CONN:
            o->engine.conn_only = true;
            break;
        case O_BASELINE:
            o->engine.baseline_policy = optarg;
            break;
        case O_MAXFLOWS:
            if (parse_u64(optarg, &v) != 0 || v == 0 || v > UINT32_MAX) {
                snprintf(err, errlen, "--max-flows: expected 1..%u, got \"%s\"", UINT32_MAX, optarg);
                return -1;
            }
            o->engine.max_flows = (uint32_t)v;
            break;
        case O_SEED:
            if (parse_u64(optarg, &v) != 0) {
                snprintf(err, errlen, "--seed: not a number: \"%s\"", optarg);
                return -1;
            }
            o->engine.seeded = true;
            o->engine.seed = v;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            return 1;
        case ':':
            snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument \"%s\"", argv[optind]);
        return -1;
    }
    if ((o->iface == NULL) == (o->read_file == NULL)) {
        snprintf(err, errlen, "give one of -i IFACE (live) or -r FILE");
        return -1;
    }
    if (o->read_file != NULL && o->filter != NULL) {
        snprintf(err, errlen, "-f applies to live capture only");
        return -1;
    }
    /* --stdout alone: stdout only. With -o: both. */
    o->files = dir_given || !o->to_stdout;
    if (!o->files && (o->rotate_interval > 0 || o->rotate_size > 0)) {
        snprintf(err, errlen, "rotation applies to files: give -o DIR");
        return -1;
    }
    return 0;
}

static void print_msg(void *arg, const char *msg)
{
    fprintf(stderr, "protowall: %s\n", msg);
}

int sniff_cli_main(int argc, char **argv)
{
    struct sniff_hooks hooks = {.say = print_msg};
    struct sniff_options o;
    char err[512] = "";
    int rc;

    rc = sniff_cli_parse(argc, argv, &o, err, sizeof(err));
    if (rc == 1) {
        usage(stdout);
        return 0;
    }
    if (rc != 0) {
        fprintf(stderr, "protowall sniff: %s\n", err);
        usage(stderr);
        return 2;
    }
    rc = sniff_run(&o, &hooks, err, sizeof(err));
    if (rc == 2 && err[0] != '\0')
        fprintf(stderr, "protowall sniff: %s\n", err);
    return rc;
}
