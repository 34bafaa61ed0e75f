/* tests/unit/sniff/test_sniff_stats.c - stats.log and capture_loss.log rows: interval differences, unset fields, exact columns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log_set.h"
#include "sniff/sniff_stats.h"

static struct sniff_stats_sample sample(pw_time wall, uint64_t k)
{
    struct sniff_stats_sample s;

    memset(&s, 0, sizeof(s));
    s.wall = wall;
    s.frames = 1000 * k;
    s.bytes = 700000 * k;
    s.kernel_packets = 1010 * k;
    s.kernel_drops = 10 * k;
    s.kernel_freezes = k;
    s.user_drops = 2 * k;
    s.acks = 400 * k;
    s.gaps = 3 * k;
    s.last_packet = wall - 250 * PW_MSEC;
    s.mem_bytes = (uint64_t)(37 * 1024 + 512) * 1024;
    return s;
}

static void test_stats_live(void **state)
{
    struct sniff_stats_sample a = sample(1795433685 * PW_SEC, 1), b = sample(1795433745 * PW_SEC, 3);
    struct sniff_stats_record r;

    sniff_stats_fill(&r, "worker-2", &a, &b, true);
    assert_int_equal(r.ts, 1795433745 * PW_SEC);
    assert_int_equal(r.peer.len, 8);
    assert_memory_equal(r.peer.ptr, "worker-2", 8);
    assert_int_equal(r.mem, 37);            /* MiB, rounded down */
    assert_int_equal(r.pkts_proc, 2000);    /* the interval's, not the totals */
    assert_int_equal(r.bytes_recv, 1400000);
    assert_int_equal(r.pkts_dropped, 20);
    assert_int_equal(r.pkts_link, 2020);
    assert_int_equal(r.pkts_user_dropped, 4);
    assert_int_equal(r.ring_full, 2);
    assert_int_equal(r.pkt_lag, 250 * PW_MSEC);
    assert_true(r.log_set & (1u << SNIFF_STATS_F_PKTS_DROPPED));
    assert_true(r.log_set & (1u << SNIFF_STATS_F_PKT_LAG));
}

static void test_stats_file_and_idle(void **state)
{
    struct sniff_stats_sample a = sample(100 * PW_SEC, 2), b = sample(160 * PW_SEC, 2);
    struct sniff_stats_record r;

    /* Reading a file: no capture counters, as Zeek leaves them unset then. */
    sniff_stats_fill(&r, "worker-1", &a, &b, false);
    assert_int_equal(r.pkts_proc, 0);
    assert_int_equal(r.log_set, 0);
    /* Live without a packet yet: no lag. A counter that went backwards gives 0, not 2^64-x. */
    b.last_packet = 0;
    b.kernel_drops = 5;
    sniff_stats_fill(&r, "worker-1", &a, &b, true);
    assert_false(r.log_set & (1u << SNIFF_STATS_F_PKT_LAG));
    assert_int_equal(r.pkts_dropped, 0);
}

static void test_capture_loss(void **state)
{
    struct sniff_stats_sample a = sample(1795433685 * PW_SEC, 1), b = sample(1795433745 * PW_SEC + 5 * PW_MSEC, 5);
    struct sniff_capture_loss_record r;

    sniff_stats_fill_loss(&r, "worker-1", &a, &b);
    assert_int_equal(r.ts_delta, 60 * PW_SEC + 5 * PW_MSEC);
    assert_int_equal(r.acks, 1600);
    assert_int_equal(r.gaps, 12);
    assert_true(r.percent_lost == 0.75);
    b = a;
    sniff_stats_fill_loss(&r, "worker-1", &a, &b);
    assert_int_equal(r.acks, 0);
    assert_true(r.percent_lost == 0.0);
}

static char *slurp(const char *path)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* The columns as a Zeek reader sees them. */
static void test_columns(void **state)
{
    char dir[] = "/tmp/pw_test_sniff_stats.XXXXXX", path[128], err[64], cmd[160];
    struct log_set_config cfg = {.dir = dir, .format = LOG_FORMAT_TSV};
    struct sniff_stats_sample a = sample(1795433685 * PW_SEC, 1), b = sample(1795433745 * PW_SEC, 2);
    struct sniff_stats_record sr;
    struct sniff_capture_loss_record lr;
    struct log_set *set;
    char *t;

    assert_non_null(mkdtemp(dir));
    set = log_set_create(&cfg, err, sizeof(err));
    assert_non_null(set);
    sniff_stats_fill(&sr, "worker-1", &a, &b, true);
    assert_int_equal(log_set_write(set, &sniff_stats_schema, &sr), 0);
    sniff_stats_fill_loss(&lr, "worker-1", &a, &b);
    assert_int_equal(log_set_write(set, &sniff_capture_loss_schema, &lr), 0);
    log_set_free(set);

    snprintf(path, sizeof(path), "%s/stats.log", dir);
    t = slurp(path);
    assert_non_null(t);
    assert_non_null(strstr(t, "#fields\tts\tpeer\tmem\tpkts_proc\tbytes_recv\tpkts_dropped\tpkts_link\tpkt_lag"
                              "\tpkts_user_dropped\tring_full\n"
                              "#types\ttime\tstring\tcount\tcount\tcount\tcount\tcount\tinterval\tcount\tcount\n"
                              "1795433745.000000\tworker-1\t37\t1000\t700000\t10\t1010\t0.250000\t2\t1\n"));
    snprintf(path, sizeof(path), "%s/capture_loss.log", dir);
    t = slurp(path);
    assert_non_null(t);
    assert_non_null(strstr(t, "#fields\tts\tts_delta\tpeer\tgaps\tacks\tpercent_lost\n"
                              "#types\ttime\tinterval\tstring\tcount\tcount\tdouble\n"
                              "1795433745.000000\t60.000000\tworker-1\t3\t400\t0.75\n"));
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_live),
        cmocka_unit_test(test_stats_file_and_idle),
        cmocka_unit_test(test_capture_loss),
        cmocka_unit_test(test_columns),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
