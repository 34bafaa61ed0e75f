/* tests/unit/sniff/test_sniff_cli.c - `protowall sniff` options: defaults, values, refusals with their reasons. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "sniff/sniff_cli.h"

static char err[256];

/* parse(&o, "-i", "eth0", ..., NULL): argv is "sniff" and the arguments. */
static int parse(struct sniff_options *o, ...)
{
    char *argv[48] = {"sniff"};
    int argc = 1;
    va_list ap;

    va_start(ap, o);
    while (argc < 47 && (argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    err[0] = '\0';
    return sniff_cli_parse(argc, argv, o, err, sizeof(err));
}

#define PARSE(o, ...) parse((o), __VA_ARGS__, (char *)NULL)

static void test_defaults(void **state)
{
    struct sniff_options o;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    assert_int_equal(PARSE(&o, "-i", "eth0"), 0);
    assert_string_equal(o.iface, "eth0");
    assert_null(o.read_file);
    assert_null(o.filter);
    assert_int_equal(o.workers, cores > SNIFF_MAX_WORKERS ? SNIFF_MAX_WORKERS : cores);
    assert_string_equal(o.dir, ".");
    assert_true(o.files);
    assert_false(o.to_stdout);
    assert_int_equal(o.format, LOG_FORMAT_TSV);
    assert_int_equal(o.stats_interval, 60);
    assert_int_equal(o.ring_mb, 64);
    assert_true(o.promisc);
    assert_int_equal(o.rotate_interval, 0);
    assert_int_equal(o.rotate_size, 0);
    assert_null(o.user);
    assert_false(o.engine.ignore_checksums);
    assert_true(o.engine.notice_suppress < 0);
}

static void test_everything(void **state)
{
    struct sniff_options o;

    assert_int_equal(PARSE(&o, "-i", "ens5", "-f", "not port 22", "--workers", "3", "-o", "/var/log/pw",
                           "--format", "json", "--stdout", "--rotate-interval", "3600", "--rotate-size", "250",
                           "--user", "protowall", "--stats-interval", "10", "--ring-mb", "128", "--no-promisc",
                           "-C", "--conn-only", "--max-flows", "5000", "--seed", "9", "-q"), 0);
    assert_string_equal(o.filter, "not port 22");
    assert_int_equal(o.workers, 3);
    assert_string_equal(o.dir, "/var/log/pw");
    assert_true(o.files);
    assert_true(o.to_stdout);
    assert_int_equal(o.format, LOG_FORMAT_JSON);
    assert_int_equal(o.rotate_interval, 3600);
    assert_int_equal(o.rotate_size, 250000000u);
    assert_string_equal(o.user, "protowall");
    assert_int_equal(o.stats_interval, 10);
    assert_int_equal(o.ring_mb, 128);
    assert_false(o.promisc);
    assert_true(o.engine.ignore_checksums);
    assert_true(o.engine.conn_only);
    assert_int_equal(o.engine.max_flows, 5000);
    assert_true(o.engine.seeded);
    assert_int_equal(o.engine.seed, 9);
    assert_true(o.quiet);
}

static void test_sizes_and_outputs(void **state)
{
    struct sniff_options o;

    assert_int_equal(PARSE(&o, "-i", "lo", "-o", "d", "--rotate-size", "512K"), 0);
    assert_int_equal(o.rotate_size, 512000);
    assert_int_equal(PARSE(&o, "-i", "lo", "-o", "d", "--rotate-size", "2g"), 0);
    assert_int_equal(o.rotate_size, 2000000000ull);
    /* --stdout alone: stdout only, no files. */
    assert_int_equal(PARSE(&o, "-i", "lo", "--stdout"), 0);
    assert_false(o.files);
    assert_true(o.to_stdout);
    /* A file instead of an interface. */
    assert_int_equal(PARSE(&o, "-r", "x.pcap", "-w", "2"), 0);
    assert_string_equal(o.read_file, "x.pcap");
    assert_null(o.iface);
    assert_int_equal(PARSE(&o, "--help"), 1);
}

static void test_refusals(void **state)
{
    struct sniff_options o;

    assert_int_equal(PARSE(&o, "-o", "d"), -1);
    assert_string_equal(err, "give one of -i IFACE (live) or -r FILE");
    assert_int_equal(PARSE(&o, "-i", "a", "-r", "b"), -1);
    assert_string_equal(err, "give one of -i IFACE (live) or -r FILE");
    assert_int_equal(PARSE(&o, "-i", "a", "--workers", "0"), -1);
    assert_string_equal(err, "--workers: expected 1..64, got \"0\"");
    assert_int_equal(PARSE(&o, "-i", "a", "--workers", "65"), -1);
    assert_int_equal(PARSE(&o, "-i", "a", "--workers", "-1"), -1);
    assert_int_equal(PARSE(&o, "-i", "a", "--format", "xml"), -1);
    assert_string_equal(err, "--format: expected tsv or json, got \"xml\"");
    assert_int_equal(PARSE(&o, "-i", "a", "--rotate-size", "0"), -1);
    assert_int_equal(PARSE(&o, "-i", "a", "--rotate-size", "10X"), -1);
    assert_int_equal(PARSE(&o, "-i", "a", "--rotate-interval", "0"), -1);
    assert_int_equal(PARSE(&o, "-i", "a", "--stdout", "--rotate-interval", "60"), -1);
    assert_string_equal(err, "rotation applies to files: give -o DIR");
    assert_int_equal(PARSE(&o, "-r", "f.pcap", "-f", "tcp"), -1);
    assert_string_equal(err, "-f applies to live capture only");
    assert_int_equal(PARSE(&o, "-i", "a", "--ring-mb", "1"), -1);
    assert_int_equal(PARSE(&o, "-i", "a", "--bogus"), -1);
    assert_string_equal(err, "unknown option --bogus");
    assert_int_equal(PARSE(&o, "-i"), -1);
    assert_string_equal(err, "option -i needs a value");
    assert_int_equal(PARSE(&o, "-i", "a", "extra"), -1);
    assert_string_equal(err, "unexpected argument \"extra\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_everything),
        cmocka_unit_test(test_sizes_and_outputs),
        cmocka_unit_test(test_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
