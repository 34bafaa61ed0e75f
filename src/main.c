/* main.c - the protowall command line: subcommands, options, exit statuses; the only printer. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "capture/capture.h"
#include "detect/jndi_cli.h"
#include "engine/engine.h"
#include "files/files.h"
#include "inline/inline_cli.h"
#include "learn/learn_cli.h"
#include "log/log_set.h"
#include "output/redis_out.h"
#include "policy/policy_cli.h"
#include "sniff/sniff_cli.h"

/* Exit statuses: 0 all read; 1 input ended early (a truncated capture), logs hold what was read;
 * 2 usage, a missing or unreadable file, bad configuration: nothing was analysed. */
enum {
    EXIT_OK = 0,
    EXIT_PARTIAL = 1,
    EXIT_USAGE = 2,
};

static void usage(FILE *out)
{
    fputs("usage: protowall <command> [options]\n"
          "\n"
          "commands:\n"
          "  read [options] FILE...   analyse pcap/pcapng files, write Zeek-format logs\n"
          "  jndi-scan [--base64] [STRING...]\n"
          "                           find JNDI lookups (Log4Shell) in strings or stdin lines, as JSON\n"
          "  policy check FILE        validate an egress policy (docs/policy.md)\n"
          "  policy explain FILE --flow \"tcp A:P -> B:P app=X ...\"\n"
          "                           which rule decides a flow, and why\n"
          "  sniff -i IFACE [-f BPF] [--workers N] -o DIR\n"
          "                           live capture (AF_PACKET, fanout workers); `sniff --help`\n"
          "  inline --queue N --policy FILE -o DIR\n"
          "                           the egress firewall on an NFQUEUE; `inline --help`\n"
          "  nft print|install|remove --queue N\n"
          "                           the nftables rules that feed the queue (fail-open bypass)\n"
          "  learn [-o FILE] [--min-count N] LOGDIR...\n"
          "  learn -i IFACE [--duration S] [-o FILE]\n"
          "                           a recommended egress policy from the outbound traffic in logs,\n"
          "                           or live traffic first; `learn --help`\n"
          "  version                  print the version\n"
          "  help                     this text\n"
          "\n"
          "read options:\n"
          "  -o, --output DIR         directory for the logs (default: current directory)\n"
          "  -f, --format tsv|json    Zeek TSV (default) or Zeek JSON lines\n"
          "  -C, --no-checksums       ignore bad checksums (as zeek -C)\n"
          "      --seed N             repeatable uids (for tests and diffs)\n"
          "      --max-flows N        flow table cap (oldest idle flows are evicted beyond it)\n"
          "      --extract-files DIR  write the contents of files seen (HTTP bodies, ...) into DIR\n"
          "      --conn-only          flows only: no protocol identification or analyzers\n"
          "      --file-hashes LIST   digests in files.log: md5,sha1,sha256 (default all) or none\n"
          "      --x509-in-files      TLS certificates in files.log too (Zeek's X509::log_x509_in_files_log)\n"
          "      --callback-window S  seconds a host named by a JNDI lookup attempt is watched for the\n"
          "                           victim's callback (default 600)\n"
          "      --notice-suppress S  seconds a notice with the same identifier stays suppressed\n"
          "                           (default 3600, as Zeek; 0 writes every one)\n"
          "      --baseline POLICY    a learned policy: outbound flows it does not allow raise\n"
          "                           Baseline::New_Egress in notice.log, once per new tuple\n"
          "      --redis HOST:PORT[,key_prefix=P][,maxlen=N]\n"
          "                           also append every row as JSON to the Redis stream P<log> (default\n"
          "                           protowall:conn ..., XADD MAXLEN ~ 100000); see docs/outputs.md\n"
          "  -q, --quiet              no summary on stderr\n",
          out);
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;

    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* "none", or a comma-separated list of md5, sha1, sha256. */
static int parse_hashes(const char *s, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned    bit;
    } names[] = {{"md5", FILES_HASH_MD5}, {"sha1", FILES_HASH_SHA1}, {"sha256", FILES_HASH_SHA256}};
    unsigned bits = 0;

    if (strcmp(s, "none") == 0) {
        *out = 0;
        return 0;
    }
    while (*s != '\0') {
        size_t n = strcspn(s, ",");
        unsigned found = 0;

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (strlen(names[i].name) == n && strncmp(s, names[i].name, n) == 0)
                found = names[i].bit;
        if (found == 0)
            return -1;
        bits |= found;
        s += n;
        if (*s == ',')
            s++;
    }
    if (bits == 0)
        return -1;
    *out = bits;
    return 0;
}

struct read_options {
    struct engine_config    engine;
    struct log_set_config   logs;
    bool                    quiet;
    bool                    redis_on;
    struct redis_out_config redis;
};

/* CPUs this process may run on (its affinity: taskset, a container's cpuset), at least 1. */
static int usable_cpus(void)
{
    cpu_set_t set;

    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 1;
    return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

static int read_parse_args(int argc, char **argv, struct read_options *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"no-checksums", no_argument, NULL, 'C'},
        {"seed", required_argument, NULL, 's'},
        {"max-flows", required_argument, NULL, 'm'},
        {"extract-files", required_argument, NULL, 'x'},
        {"conn-only", no_argument, NULL, 'c'},
        {"file-hashes", required_argument, NULL, 'H'},
        {"callback-window", required_argument, NULL, 'W'},
        {"x509-in-files", no_argument, NULL, 'X'},
        {"notice-suppress", required_argument, NULL, 'S'},
        {"baseline", required_argument, NULL, 'B'},
        {"redis", required_argument, NULL, 'R'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint64_t v;
    int c;

    memset(o, 0, sizeof(*o));
    o->engine.file_hashes = FILES_HASH_ALL;
    /* One engine reads the files: a second core this process may run on, when there is one,
     * computes the digests. */
    o->engine.hash_thread = usable_cpus() > 1;
    o->engine.notice_suppress = -1;
    o->logs.dir = ".";
    o->logs.format = LOG_FORMAT_TSV;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:f:Cqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->logs.dir = optarg;
            break;
        case 'f':
            if (log_format_parse(optarg, &o->logs.format) != 0) {
                fprintf(stderr, "protowall: --format: expected tsv or json, got \"%s\"\n", optarg);
                return -1;
            }
            break;
        case 'C':
            o->engine.ignore_checksums = true;
            break;
        case 's':
            if (parse_u64(optarg, &v) != 0) {
                fprintf(stderr, "protowall: --seed: not a number: \"%s\"\n", optarg);
                return -1;
            }
            o->engine.seeded = true;
            o->engine.seed = v;
            break;
        case 'm':
            if (parse_u64(optarg, &v) != 0 || v == 0 || v > UINT32_MAX) {
                fprintf(stderr, "protowall: --max-flows: expected 1..%u, got \"%s\"\n", UINT32_MAX, optarg);
                return -1;
            }
            o->engine.max_flows = (uint32_t)v;
            break;
        case 'x':
            o->engine.extract_dir = optarg;
            break;
        case 'c':
            o->engine.conn_only = true;
            break;
        case 'H':
            if (parse_hashes(optarg, &o->engine.file_hashes) != 0) {
                fprintf(stderr, "protowall: --file-hashes: expected none or a list of md5,sha1,sha256, got \"%s\"\n",
                        optarg);
                return -1;
            }
            break;
        case 'X':
            o->engine.x509_in_files = true;
            break;
        case 'W':
        case 'S':
            if (parse_u64(optarg, &v) != 0 || v > 31u * 86400u || (c == 'W' && v == 0)) {
                fprintf(stderr, "protowall: --%s: expected seconds (%s..2678400), got \"%s\"\n",
                        c == 'W' ? "callback-window" : "notice-suppress", c == 'W' ? "1" : "0", optarg);
                return -1;
            }
            if (c == 'W')
                o->engine.callback_window = (double)v;
            else
                o->engine.notice_suppress = (double)v;
            break;
        case 'B':
            o->engine.baseline_policy = optarg;
            break;
        case 'R': {
            char why[256];

            redis_out_config_init(&o->redis);
            if (redis_out_parse_spec(optarg, &o->redis, why, sizeof(why)) != 0) {
                fprintf(stderr, "protowall: %s\n", why);
                return -1;
            }
            o->redis_on = true;
            break;
        }
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "protowall read: no capture file given\n");
        return -1;
    }
    return 0;
}

/* Feeds one file to the engine. Returns EXIT_OK, or EXIT_PARTIAL when the file ended mid-packet
 * or a read error stopped it (what was read is kept). */
static int read_one_file(struct engine *e, const char *path, struct capture *cap)
{
    struct capture_frame fr;
    enum capture_status st;

    while ((st = capture_next(cap, &fr)) == CAPTURE_FRAME)
        engine_frame(e, fr.link_type, fr.ts, fr.data, fr.caplen, fr.wirelen);
    if (st == CAPTURE_TRUNCATED) {
        fprintf(stderr, "protowall: %s: capture truncated mid-packet (%s); logs hold what was read\n", path,
                capture_error(cap));
        return EXIT_PARTIAL;
    }
    if (st == CAPTURE_ERROR) {
        fprintf(stderr, "protowall: %s: read error: %s; logs hold what was read\n", path, capture_error(cap));
        return EXIT_PARTIAL;
    }
    return EXIT_OK;
}

static void print_summary(const struct engine_stats *s, const struct read_options *o)
{
    fprintf(stderr,
            "protowall: %" PRIu64 " packets, %" PRIu64 " flows logged, %" PRIu64 " weirds, %" PRIu64
            " notices; logs in %s\n",
            s->frames, s->flows_logged, s->weirds, s->notices, o->logs.to_stdout ? "stdout" : o->logs.dir);
}

/* Waits (drain_ms at most) for Redis to take what is buffered, says where every row went, frees. */
static void redis_finish(struct redis_out *r, const struct read_options *o)
{
    struct redis_out_stats st;
    uint64_t lost;

    if (r == NULL)
        return;
    redis_out_drain(r, -1);
    redis_out_stats(r, &st);
    lost = st.dropped + st.buffered;
    if (!o->quiet || lost > 0 || st.rejected > 0)
        fprintf(stderr,
                "protowall: redis %s: %" PRIu64 " of %" PRIu64 " rows sent, %" PRIu64 " lost, %" PRIu64
                " rejected, %" PRIu64 " sent again after a reconnect, %" PRIu64 " reconnects%s%s\n",
                o->redis.host, st.sent, st.rows, lost, st.rejected, st.retried, st.reconnects,
                lost > 0 || st.rejected > 0 ? "; last error: " : "", lost > 0 || st.rejected > 0 ? st.last_error : "");
    redis_out_free(r);
}

static int cmd_read(int argc, char **argv)
{
    struct redis_out *redis = NULL;
    struct capture **caps;
    struct read_options o;
    struct log_set *logs;
    struct engine *e;
    char err[512];
    int status = EXIT_OK, nfiles, i;

    if (read_parse_args(argc, argv, &o) != 0)
        return EXIT_USAGE;
    nfiles = argc - optind;
    caps = calloc((size_t)nfiles, sizeof(struct capture *));
    if (caps == NULL)
        return EXIT_USAGE;
    /* Every file is opened before any packet is read, so a typo in the third name fails fast. */
    for (i = 0; i < nfiles; i++) {
        caps[i] = capture_file_open(argv[optind + i], err, sizeof(err));
        if (caps[i] == NULL) {
            fprintf(stderr, "protowall: %s: %s\n", argv[optind + i], err);
            while (i-- > 0)
                capture_close(caps[i]);
            free(caps);
            return EXIT_USAGE;
        }
    }
    if (o.redis_on) {
        redis = redis_out_create(&o.redis, err, sizeof(err));
        if (redis == NULL) {
            fprintf(stderr, "protowall: %s\n", err);
            status = EXIT_USAGE;
            goto out;
        }
        o.logs.tee = redis_out_tee;
        o.logs.tee_arg = redis;
    }
    logs = log_set_create(&o.logs, err, sizeof(err));
    if (logs == NULL) {
        fprintf(stderr, "protowall: %s: %s\n", o.logs.dir, err);
        status = EXIT_USAGE;
        goto out;
    }
    e = engine_create(&o.engine, logs, err, sizeof(err));
    if (e == NULL) {
        fprintf(stderr, "protowall: %s\n", err);
        log_set_free(logs);
        status = EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < nfiles; i++)
        if (read_one_file(e, argv[optind + i], caps[i]) != EXIT_OK)
            status = EXIT_PARTIAL;
    engine_finish(e);
    if (!o.quiet)
        print_summary(engine_get_stats(e), &o);
    engine_free(e);
    log_set_free(logs);
out:
    redis_finish(redis, &o);
    for (i = 0; i < nfiles; i++)
        capture_close(caps[i]);
    free(caps);
    return status;
}

int main(int argc, char **argv)
{
    const char *cmd;

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "read") == 0)
        return cmd_read(argc - 1, argv + 1);
    if (strcmp(cmd, "jndi-scan") == 0)
        return jndi_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "policy") == 0)
        return policy_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "inline") == 0)
        return inline_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "nft") == 0)
        return nft_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "sniff") == 0)
        return sniff_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "learn") == 0)
        return learn_cli_main(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("protowall %s\n", PW_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "protowall: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
