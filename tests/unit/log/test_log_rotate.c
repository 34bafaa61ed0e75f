/* tests/unit/log/test_log_rotate.c - rotation (Zeek names, #close, size threshold), reopen after logrotate, sink sets, rows written as given. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log/log_set.h"

struct rec {
    uint64_t       log_set;
    pw_time        ts;
    struct log_str name;
};

static const struct log_field rec_fields[] = {
    LOG_FIELD(struct rec, ts, "ts", LOG_TIME, 0),
    LOG_FIELD(struct rec, name, "name", LOG_STRING, 0),
};
static const struct log_schema conn_schema = LOG_SCHEMA("conn", rec_fields);
static const struct log_schema dns_schema = LOG_SCHEMA("dns", rec_fields);

/* 2026-11-23 11:34:45 UTC */
#define T0 ((time_t)1795433685)

static char dir[256];

/* Each test gets its own directory. */
static int setup(void **state)
{
    setenv("TZ", "UTC", 1);
    tzset();
    snprintf(dir, sizeof(dir), "/tmp/pw_test_log_rotate.XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *name)
{
    static char buf[1 << 16];
    char path[400];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static bool exists(const char *name)
{
    char path[400];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static struct log_set *make(enum log_format fmt)
{
    struct log_set_config cfg = {.dir = dir, .format = fmt, .append = true};
    char err[256] = "";
    struct log_set *set = log_set_create(&cfg, err, sizeof(err));

    assert_non_null(set);
    return set;
}

static void put(struct log_set *set, const struct log_schema *s, const char *name)
{
    struct rec r = {.ts = 1300475167096535000LL, .name = log_str_from(name, strlen(name))};

    assert_int_equal(log_set_write(set, s, &r), 0);
}

/* The #open stamp of a log's file, as written in its header. */
static void open_stamp(struct log_set *set, const char *name, char *out)
{
    char *t, *p;

    log_set_flush(set);
    t = slurp(name);
    assert_non_null(t);
    p = strstr(t, "#open\t");
    assert_non_null(p);
    memcpy(out, p + 6, 19);
    out[19] = '\0';
}

static void test_rotated_name(void **state)
{
    char buf[64];

    assert_int_equal(log_set_rotated_name(buf, sizeof(buf), "conn", T0), 28);
    assert_string_equal(buf, "conn.2026-11-23-11-34-45.log");
    assert_int_equal(log_set_rotated_name(buf, sizeof(buf), "capture_loss", T0 + 3600 * 13), 36);
    assert_string_equal(buf, "capture_loss.2026-11-24-00-34-45.log");
    /* Too small a buffer is an error, not a cut name. */
    assert_int_equal(log_set_rotated_name(buf, 20, "conn", T0), -1);
}

static void test_rotate_all(void **state)
{
    const char *want = "\tone\n#close\t2026-11-23-11-34-45\n";
    struct log_set *set = make(LOG_FORMAT_TSV);
    char stamp[20], name[64], *t;

    put(set, &conn_schema, "one");
    put(set, &dns_schema, "q");
    open_stamp(set, "conn.log", stamp);
    assert_int_equal(log_set_rotate(set, T0, 0), 2);
    assert_false(exists("conn.log"));
    assert_false(exists("dns.log"));
    snprintf(name, sizeof(name), "conn.%s.log", stamp);
    t = slurp(name);
    assert_non_null(t);
    assert_non_null(strstr(t, "\tone\n"));
    /* The rows, then the #close line with the rotation time, last. */
    assert_true(strlen(t) > strlen(want));
    assert_string_equal(t + strlen(t) - strlen(want), want);
    /* The next row opens a fresh file with its header. */
    put(set, &conn_schema, "two");
    log_set_flush(set);
    t = slurp("conn.log");
    assert_non_null(t);
    assert_true(strncmp(t, "#separator \\x09\n", 16) == 0);
    assert_null(strstr(t, "one"));
    assert_non_null(strstr(t, "\ttwo\n"));
    log_set_free(set);
}

static void test_rotate_name_taken(void **state)
{
    struct log_set *set = make(LOG_FORMAT_TSV);
    char stamp[20], name[64], name1[64], *t;
    FILE *f;

    put(set, &conn_schema, "three");
    open_stamp(set, "conn.log", stamp);
    snprintf(name, sizeof(name), "%s/conn.%s.log", dir, stamp);
    unlink(name);
    f = fopen(name, "w");
    assert_non_null(f);
    fputs("already here\n", f);
    fclose(f);
    assert_int_equal(log_set_rotate(set, T0, 0), 1);
    /* The file that was there is left alone; ours takes the next free name. */
    snprintf(name, sizeof(name), "conn.%s.log", stamp);
    assert_string_equal(slurp(name), "already here\n");
    snprintf(name1, sizeof(name1), "conn.%s-1.log", stamp);
    t = slurp(name1);
    assert_non_null(t);
    assert_non_null(strstr(t, "\tthree\n"));
    log_set_free(set);
}

static void test_rotate_by_size(void **state)
{
    struct log_set *set = make(LOG_FORMAT_JSON);
    char *t;

    put(set, &conn_schema, "small");
    for (int i = 0; i < 40; i++)
        put(set, &dns_schema, "a-longer-row-to-pass-the-threshold");
    /* JSON rows here are 40 and 69 bytes: only dns.log holds 2000. */
    assert_int_equal(log_set_rotate(set, T0, 2000), 1);
    assert_true(exists("conn.log"));
    assert_false(exists("dns.log"));
    assert_int_equal(log_set_rotate(set, T0, 2000), 0);
    /* JSON files have no #close: the rotated one holds the 40 rows and nothing else. */
    log_set_free(set);
    t = slurp("conn.log");
    assert_non_null(t);
    assert_string_equal(t, "{\"ts\":1300475167.096535,\"name\":\"small\"}\n");
}

static void test_reopen(void **state)
{
    struct log_set *set = make(LOG_FORMAT_TSV);
    char from[400], to[400], *t;

    put(set, &conn_schema, "before");
    /* logrotate: move, then SIGHUP. */
    snprintf(from, sizeof(from), "%s/conn.log", dir);
    snprintf(to, sizeof(to), "%s/conn.log.1", dir);
    assert_int_equal(rename(from, to), 0);
    log_set_reopen(set, T0);
    t = slurp("conn.log.1");
    assert_non_null(strstr(t, "\tbefore\n#close\t2026-11-23-11-34-45\n"));
    put(set, &conn_schema, "after");
    log_set_flush(set);
    t = slurp("conn.log");
    assert_non_null(t);
    assert_null(strstr(t, "before"));
    assert_non_null(strstr(t, "\tafter\n"));
    /* A SIGHUP without a move: the file is appended to, never truncated. */
    log_set_reopen(set, T0);
    put(set, &conn_schema, "again");
    log_set_free(set);
    t = slurp("conn.log");
    assert_non_null(strstr(t, "\tafter\n#close\t2026-11-23-11-34-45\n#separator"));
    assert_non_null(strstr(t, "\tagain\n#close\t"));
    unlink(to);
    unlink(from);
}

struct captured {
    char   text[1024];
    size_t len;
    int    calls;
};

static void sink(void *arg, const struct log_schema *s, enum log_format format, const char *row, size_t len)
{
    struct captured *c = arg;
    int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s/%s:%.*s", s->path,
                     format == LOG_FORMAT_JSON ? "json" : "tsv", (int)len, row);

    c->len += (size_t)n;
    c->calls++;
}

static void test_sink_formats_twice(void **state)
{
    struct captured c = {.len = 0};
    struct log_set_config cfg = {.format = LOG_FORMAT_TSV, .sink = sink, .sink_arg = &c, .sink_json = true};
    char err[64] = "";
    struct log_set *set = log_set_create(&cfg, err, sizeof(err));
    struct log_set_stats st;

    assert_non_null(set);
    put(set, &conn_schema, "x\ty");
    assert_int_equal(c.calls, 2);
    assert_string_equal(c.text, "conn/tsv:1300475167.096535\tx\\x09y\n"
                                "conn/json:{\"ts\":1300475167.096535,\"name\":\"x\\ty\"}\n");
    log_set_stats(set, &st);
    assert_int_equal(st.rows, 1);
    /* A sink set has no files to write rows into or rotate. */
    assert_int_equal(log_set_write_row(set, &conn_schema, "x\n", 2), -1);
    assert_int_equal(log_set_rotate(set, T0, 0), 0);
    log_set_free(set);
}

static void test_write_row(void **state)
{
    struct log_set *files = make(LOG_FORMAT_TSV);
    struct log_set_config sc = {.format = LOG_FORMAT_JSON, .to_stdout = true};
    char err[64] = "", path[400], *t;
    struct log_set *out;
    int saved, fd;

    /* A row already formatted lands after the header the set writes itself. */
    assert_int_equal(log_set_write_row(files, &dns_schema, "1.000000\tq\n", 11), 0);
    log_set_free(files);
    t = slurp("dns.log");
    assert_non_null(strstr(t, "#types\ttime\tstring\n1.000000\tq\n#close\t"));
    /* To stdout, the row gets its _path in front. */
    snprintf(path, sizeof(path), "%s/stdout.txt", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    out = log_set_create(&sc, err, sizeof(err));
    assert_non_null(out);
    assert_int_equal(log_set_write_row(out, &conn_schema, "{\"ts\":1.0,\"name\":\"a\"}\n", 22), 0);
    assert_int_equal(log_set_write_row(out, &dns_schema, "{}\n", 3), 0);
    assert_int_equal(log_set_write_row(out, &dns_schema, "not json\n", 9), -1);
    log_set_free(out);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(fd);
    assert_string_equal(slurp("stdout.txt"), "{\"_path\":\"conn\",\"ts\":1.0,\"name\":\"a\"}\n{\"_path\":\"dns\"}\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rotated_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate_name_taken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate_by_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_formats_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_row, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
