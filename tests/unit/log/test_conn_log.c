/* tests/unit/log/test_conn_log.c - conn and weird schemas against Zeek's own log headers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/conn_log.h"
#include "log/log_set.h"
#include "log/weird_log.h"

static char dir[256];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/pw_test_conn_log.XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The line of `text` that starts with `key`, without its '\n', in a static buffer. */
static const char *line_of(const char *text, const char *key)
{
    static char out[2][4096];
    static int which;
    const char *p = text, *e;
    char *o = out[which ^= 1];

    while (p != NULL && *p != '\0') {
        e = strchr(p, '\n');
        if (e == NULL)
            e = p + strlen(p);
        if (strncmp(p, key, strlen(key)) == 0 && (size_t)(e - p) < sizeof(out[0])) {
            memcpy(o, p, (size_t)(e - p));
            o[e - p] = '\0';
            return o;
        }
        p = *e != '\0' ? e + 1 : NULL;
    }
    return NULL;
}

static char *slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL)
        return NULL;
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* ../shared/testdata/zeek-parity, from PW_SHARED or from this file's place in the tree. */
static const char *reference(const char *test, const char *log, char *path, size_t size)
{
    const char *shared = getenv("PW_SHARED");
    char src[1024], *root;
    int i;

    if (shared != NULL && shared[0] != '\0') {
        snprintf(path, size, "%s/testdata/zeek-parity/%s/%s", shared, test, log);
        return path;
    }
    /* __FILE__ is <repo>/tests/unit/log/test_conn_log.c under CMake. */
    snprintf(src, sizeof(src), "%s", __FILE__);
    root = src;
    for (i = 0; i < 4; i++)
        root = dirname(root);
    snprintf(path, size, "%s/../shared/testdata/zeek-parity/%s/%s", root, test, log);
    return path;
}

static char *our_log(const struct log_schema *s, const void *rec, const char *name)
{
    static char buf[1 << 14];
    struct log_set_config cfg = { .dir = dir, .format = LOG_FORMAT_TSV };
    char err[256], path[300];
    struct log_set *set = log_set_create(&cfg, err, sizeof(err));

    assert_non_null(set);
    assert_int_equal(log_set_write(set, s, rec), 0);
    log_set_free(set);
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return slurp(path, buf, sizeof(buf));
}

static void test_conn_header_matches_zeek(void **state)
{
    static char refbuf[1 << 16];
    char path[1200], want[4096];
    struct conn_record r;
    char *ours, *ref;

    reference("opt.basic", "conn.log", path, sizeof(path));
    ref = slurp(path, refbuf, sizeof(refbuf));
    if (ref == NULL) {
        print_message("reference %s not found; set PW_SHARED to the shared dir\n", path);
        skip();
    }
    memset(&r, 0, sizeof(r));
    ours = our_log(&conn_log_schema, &r, "conn.log");
    assert_non_null(ours);
    snprintf(want, sizeof(want), "%s\tcommunity_id", line_of(ref, "#fields\t"));
    assert_string_equal(line_of(ours, "#fields\t"), want);
    snprintf(want, sizeof(want), "%s\tstring", line_of(ref, "#types\t"));
    assert_string_equal(line_of(ours, "#types\t"), want);
    assert_string_equal(line_of(ours, "#path"), line_of(ref, "#path"));
    assert_string_equal(line_of(ours, "#separator"), line_of(ref, "#separator"));
}

static void test_weird_header_matches_zeek(void **state)
{
    static char refbuf[1 << 16];
    char path[1200];
    struct weird_record r;
    char *ours, *ref;

    reference("scripts.base.protocols.http.http-methods", "weird.log", path, sizeof(path));
    ref = slurp(path, refbuf, sizeof(refbuf));
    if (ref == NULL) {
        print_message("reference %s not found; set PW_SHARED to the shared dir\n", path);
        skip();
    }
    weird_log_record_init(&r);
    ours = our_log(&weird_log_schema, &r, "weird.log");
    assert_non_null(ours);
    assert_string_equal(line_of(ours, "#fields\t"), line_of(ref, "#fields\t"));
    assert_string_equal(line_of(ours, "#types\t"), line_of(ref, "#types\t"));
}

/* The first row of Zeek's opt.basic conn.log, ts masked as the baseline masks it. */
static void test_conn_row(void **state)
{
    struct conn_record r;
    char *ours;
    const char *row;

    memset(&r, 0, sizeof(r));
    r.ts = 1300475167096535000LL;
    r.uid = log_str_from("CHhAvVGS1DHFjwGM9", 17);
    addr_parse(&r.id.orig_h, "141.142.220.202");
    r.id.orig_p = 5353;
    addr_parse(&r.id.resp_h, "224.0.0.251");
    r.id.resp_p = 5353;
    r.proto = log_str_from("udp", 3);
    r.service = log_str_from("dns", 3);
    log_mark(&r.log_set, CONN_F_SERVICE);
    r.conn_state = log_str_from("S0", 2);
    log_mark(&r.log_set, CONN_F_CONN_STATE);
    r.local_orig = false;
    log_mark(&r.log_set, CONN_F_LOCAL_ORIG);
    r.local_resp = true;
    log_mark(&r.log_set, CONN_F_LOCAL_RESP);
    r.history = log_str_from("D", 1);
    log_mark(&r.log_set, CONN_F_HISTORY);
    r.orig_pkts = 1;
    log_mark(&r.log_set, CONN_F_ORIG_PKTS);
    r.orig_ip_bytes = 73;
    log_mark(&r.log_set, CONN_F_ORIG_IP_BYTES);
    log_mark(&r.log_set, CONN_F_RESP_PKTS);
    log_mark(&r.log_set, CONN_F_RESP_IP_BYTES);
    r.ip_proto = 17;
    log_mark(&r.log_set, CONN_F_IP_PROTO);
    ours = our_log(&conn_log_schema, &r, "conn.log");
    row = line_of(ours, "1300475167.096535\t");
    assert_non_null(row);
    assert_string_equal(row, "1300475167.096535\tCHhAvVGS1DHFjwGM9\t141.142.220.202\t5353\t"
                             "224.0.0.251\t5353\tudp\tdns\t-\t-\t-\tS0\tF\tT\t0\tD\t1\t73\t0\t0\t"
                             "-\t17\t-");
}

/* A network weird: no uid, no id, default notice and peer. */
static void test_weird_row(void **state)
{
    struct weird_record r;
    char *ours;
    const char *row;

    weird_log_record_init(&r);
    r.ts = 2 * PW_SEC;
    r.name = log_str_from("truncated_IP", 12);
    ours = our_log(&weird_log_schema, &r, "weird.log");
    row = line_of(ours, "2.000000\t");
    assert_non_null(row);
    assert_string_equal(row, "2.000000\t-\t-\t-\t-\t-\ttruncated_IP\t-\tF\tzeek\t-");
    assert_int_equal(weird_log_schema.nfields, WEIRD_F_COUNT);
    assert_int_equal(conn_log_schema.nfields, CONN_F_COUNT);
    assert_string_equal(conn_log_schema.fields[CONN_F_DURATION].name, "duration");
    assert_string_equal(conn_log_schema.fields[CONN_F_COMMUNITY_ID].name, "community_id");
    assert_string_equal(weird_log_schema.fields[WEIRD_F_SOURCE].name, "source");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_header_matches_zeek),
        cmocka_unit_test(test_weird_header_matches_zeek),
        cmocka_unit_test(test_conn_row),
        cmocka_unit_test(test_weird_row),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
