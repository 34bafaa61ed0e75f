/* learn/learn_cli.c - `protowall learn [-o FILE] [--min-count N] LOGDIR...`: options, summary, exit status. */
#include "learn/learn_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/learn.h"

enum { CLI_OK = 0, CLI_USAGE = 2 };

static const char usage_text[] =
    "usage: protowall learn [-o FILE] [--min-count N] [-q] LOGDIR|LOGFILE...\n"
    "\n"
    "Reads Zeek logs (TSV or JSON, plain or .gz) as protowall or Zeek wrote them: conn.log, and\n"
    "ssl.log, http.log, dns.log and policy.log where present. Writes a recommended egress policy\n"
    "(docs/policy.md) allowing the outbound traffic seen, with the evidence in comments.\n"
    "\n"
    "  -o, --output FILE   write the policy to FILE (default: standard output)\n"
    "      --min-count N   leave out tuples seen fewer than N times (default 1)\n"
    "  -q, --quiet         no summary on stderr\n";

int learn_cli_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"min-count", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct learn_policy_options po = {.min_count = 1};
    const char *output = NULL;
    struct learn *l;
    char err[1024], *end;
    bool quiet = false;
    FILE *out = stdout;
    unsigned long v;
    int c, rules;

    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
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
        case 'h':
            fputs(usage_text, stdout);
            return CLI_OK;
        default:
            fputs(usage_text, stderr);
            return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "protowall learn: no log directory given\n%s", usage_text);
        return CLI_USAGE;
    }
    po.sources = (const char *const *)(argv + optind);
    po.n_sources = (unsigned)(argc - optind);
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
