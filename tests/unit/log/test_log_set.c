/* tests/unit/log/test_log_set.c - whole log files: TSV headers and rows, JSON lines, lazy open. */
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
#include <unistd.h>

#include "log/log_set.h"

struct test_record {
    uint64_t            log_set;
    pw_time             ts;
    struct log_str      name;
    uint64_t            n;
    struct log_str_list tags;
    double              d;
    bool                ok;
};

enum { T_TS, T_NAME, T_N, T_TAGS, T_D, T_OK };

static const struct log_field test_fields[] = {
    LOG_FIELD(struct test_record, ts, "ts", LOG_TIME, 0),
    LOG_FIELD(struct test_record, name, "name", LOG_STRING, 0),
    LOG_FIELD(struct test_record, n, "n", LOG_COUNT, LOG_OPTIONAL),
    LOG_FIELD(struct test_record, tags, "tags", LOG_SET_STRING, LOG_OPTIONAL),
    LOG_FIELD(struct test_record, d, "d", LOG_DOUBLE, 0),
    LOG_FIELD(struct test_record, ok, "x.ok", LOG_BOOL, LOG_OPTIONAL),
};
static const struct log_schema test_schema = LOG_SCHEMA("test", test_fields);

/* A log whose first column is a string, for the leading-'#' rule. */
struct note_record {
    uint64_t       log_set;
    struct log_str text;
};
static const struct log_field note_fields[] = {
    LOG_FIELD(struct note_record, text, "text", LOG_STRING, 0),
};
static const struct log_schema note_schema = LOG_SCHEMA("note", note_fields);

static char dir[256];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/pw_test_log_set.XXXXXX");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Reads a whole file into a static buffer; NULL if it does not exist. */
static char *slurp(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Replaces the wall-clock value of a "#open\t" or "#close\t" line with X after checking
 * its %Y-%m-%d-%H-%M-%S shape. */
static void mask_time(char *text, const char *key)
{
    char *p = strstr(text, key), *e;
    size_t klen = strlen(key), i;

    assert_non_null(p);
    p += klen;
    e = strchr(p, '\n');
    assert_non_null(e);
    assert_int_equal(e - p, 19);
    for (i = 0; i < 19; i++) {
        if (i == 4 || i == 7 || i == 10 || i == 13 || i == 16)
            assert_int_equal(p[i], '-');
        else
            assert_true(p[i] >= '0' && p[i] <= '9');
    }
    *p = 'X';
    memmove(p + 1, e, strlen(e) + 1);
}

static struct log_set *make(enum log_format fmt, const char *subdir, bool to_stdout)
{
    struct log_set_config cfg = { .format = fmt, .to_stdout = to_stdout };
    char path[300], err[256] = "";
    struct log_set *set;

    snprintf(path, sizeof(path), "%s%s", dir, subdir);
    cfg.dir = path;
    set = log_set_create(&cfg, err, sizeof(err));
    assert_non_null(set);
    assert_string_equal(err, "");
    return set;
}

static void fill(struct test_record *r, struct log_str *tags)
{
    memset(r, 0, sizeof(*r));
    r->ts = 1300475167096535000LL;
    r->name = log_str_from("a\tb", 3);
    r->n = 7;
    log_mark(&r->log_set, T_N);
    tags[0] = log_str_from("x,y", 3);
    tags[1] = log_str_from("z", 1);
    r->tags.items = tags;
    r->tags.n = 2;
    log_mark(&r->log_set, T_TAGS);
    r->d = 0.5;
    r->ok = true;
    log_mark(&r->log_set, T_OK);
}

static void test_tsv_file(void **state)
{
    struct log_set *set = make(LOG_FORMAT_TSV, "/a/b", false);
    struct test_record r;
    struct log_str tags[2];
    struct log_set_stats st;
    char path[300], *text;

    fill(&r, tags);
    assert_int_equal(log_set_write(set, &test_schema, &r), 0);
    /* Second row: optionals unset, empty name, a name equal to the unset marker. */
    memset(&r, 0, sizeof(r));
    r.ts = 1 * PW_SEC;
    r.d = 3.0;
    assert_int_equal(log_set_write(set, &test_schema, &r), 0);
    r.name = log_str_from("-", 1);
    r.tags.n = 0;
    log_mark(&r.log_set, T_TAGS);
    assert_int_equal(log_set_write(set, &test_schema, &r), 0);
    log_set_stats(set, &st);
    assert_int_equal(st.rows, 3);
    assert_int_equal(st.io_errors, 0);
    log_set_free(set);

    snprintf(path, sizeof(path), "%s/a/b/test.log", dir);
    text = slurp(path);
    assert_non_null(text);
    mask_time(text, "#open\t");
    mask_time(text, "#close\t");
    assert_string_equal(text,
        "#separator \\x09\n"
        "#set_separator\t,\n"
        "#empty_field\t(empty)\n"
        "#unset_field\t-\n"
        "#path\ttest\n"
        "#open\tX\n"
        "#fields\tts\tname\tn\ttags\td\tx.ok\n"
        "#types\ttime\tstring\tcount\tset[string]\tdouble\tbool\n"
        "1300475167.096535\ta\\x09b\t7\tx\\x2cy,z\t0.5\tT\n"
        "1.000000\t(empty)\t-\t-\t3.0\t-\n"
        "1.000000\t\\x2d\t-\t(empty)\t3.0\t-\n"
        "#close\tX\n");
}

static void test_json_file(void **state)
{
    struct log_set *set = make(LOG_FORMAT_JSON, "", false);
    struct test_record r;
    struct log_str tags[2];
    char path[300], *text;

    fill(&r, tags);
    r.name = log_str_from("q\"\x01", 3);
    assert_int_equal(log_set_write(set, &test_schema, &r), 0);
    memset(&r, 0, sizeof(r));
    r.ts = 1300475168 * PW_SEC;
    r.d = 100;
    assert_int_equal(log_set_write(set, &test_schema, &r), 0);
    log_set_flush(set);

    /* Flushed rows are on disk before the set is closed, and JSON has no meta lines. */
    snprintf(path, sizeof(path), "%s/test.log", dir);
    text = slurp(path);
    assert_non_null(text);
    assert_string_equal(text,
        "{\"ts\":1300475167.096535,\"name\":\"q\\\"\\\\x01\",\"n\":7,\"tags\":[\"x,y\",\"z\"],"
        "\"d\":0.5,\"x.ok\":true}\n"
        "{\"ts\":1300475168.0,\"name\":\"\",\"d\":100.0}\n");
    log_set_free(set);
    text = slurp(path);
    assert_non_null(strstr(text, "\"d\":100.0}\n"));
    assert_null(strstr(text, "#close"));
}

static void test_no_rows_no_file(void **state)
{
    struct log_set *set = make(LOG_FORMAT_TSV, "/empty", false);
    struct note_record n = { 0, { "x", 1 } };
    char path[300];
    struct stat sb;

    log_set_write(set, &note_schema, &n);
    log_set_free(set);
    snprintf(path, sizeof(path), "%s/empty/test.log", dir);
    assert_int_equal(stat(path, &sb), -1);
    snprintf(path, sizeof(path), "%s/empty/note.log", dir);
    assert_int_equal(stat(path, &sb), 0);
}

static void test_leading_hash(void **state)
{
    struct log_set *set = make(LOG_FORMAT_TSV, "/hash", false);
    struct note_record n = { 0, { "#not meta", 9 } };
    char path[300], *text;

    assert_int_equal(log_set_write(set, &note_schema, &n), 0);
    n.text = log_str_from("a#b", 3);
    assert_int_equal(log_set_write(set, &note_schema, &n), 0);
    log_set_free(set);
    snprintf(path, sizeof(path), "%s/hash/note.log", dir);
    text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "#types\tstring\n\\x23not meta\na#b\n#close\t"));
}

static void test_stdout_json(void **state)
{
    struct log_set *set = make(LOG_FORMAT_TSV, "/unused", true);
    struct note_record n = { 0, { "hi", 2 } };
    char path[300], *text;
    int saved, fd;

    snprintf(path, sizeof(path), "%s/stdout.txt", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    assert_int_equal(log_set_write(set, &note_schema, &n), 0);
    log_set_free(set);
    dup2(saved, STDOUT_FILENO);
    close(saved);

    text = slurp(path);
    assert_non_null(text);
    assert_string_equal(text, "{\"_path\":\"note\",\"text\":\"hi\"}\n");
    /* Nothing went to a directory. */
    snprintf(path, sizeof(path), "%s/unused", dir);
    assert_int_equal(access(path, F_OK), -1);
}

static void test_create_errors(void **state)
{
    struct log_set_config cfg = { .format = LOG_FORMAT_TSV };
    char path[300], err[256] = "";
    FILE *f;

    /* A path through a regular file cannot be created. */
    snprintf(path, sizeof(path), "%s/plain", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/plain/sub", dir);
    cfg.dir = path;
    assert_null(log_set_create(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "plain/sub"));
    log_set_free(NULL);
}

static void test_record_string_budget(void **state)
{
    static char big[4096];
    static struct log_str items[100];
    struct test_record r;
    struct log_set_stats st;
    struct log_set *set = make(LOG_FORMAT_TSV, "/big", false);
    unsigned i;

    /* 100 strings of 4096 control bytes: capped at 256000 record bytes, each escaped to 4. */
    memset(big, 1, sizeof(big));
    for (i = 0; i < 100; i++)
        items[i] = log_str_from(big, sizeof(big));
    memset(&r, 0, sizeof(r));
    r.tags.items = items;
    r.tags.n = 100;
    log_mark(&r.log_set, T_TAGS);
    assert_int_equal(log_set_write(set, &test_schema, &r), 0);
    log_set_stats(set, &st);
    assert_int_equal(st.rows, 1);
    assert_int_equal(st.rows_dropped, 0);
    assert_int_equal(st.strings_cut, 100 - 62);
    log_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tsv_file),
        cmocka_unit_test(test_json_file),
        cmocka_unit_test(test_no_rows_no_file),
        cmocka_unit_test(test_leading_hash),
        cmocka_unit_test(test_stdout_json),
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_record_string_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
