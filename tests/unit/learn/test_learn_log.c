/* tests/unit/learn/test_learn_log.c - reading Zeek logs back: TSV headers and escapes, JSON lines, gzip. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "learn/learn_log.h"

static const char *const fields[] = {"uid", "id.resp_h", "answers", "local_orig", "missing"};

/* Feeds one line (copied: the reader writes into it). */
static int feed(struct learn_log *l, const char *line, struct learn_row *row)
{
    static char buf[4096];

    snprintf(buf, sizeof(buf), "%s", line);
    return learn_log_line(l, buf, strlen(buf), row);
}

/* Items of a value joined by '|'. */
static const char *items(const struct learn_val *v)
{
    static char buf[512];
    const char *it = v->s;
    size_t o = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < v->n; i++, it += strlen(it) + 1)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i > 0 ? "|" : "", it);
    return buf;
}

static const char tsv_header[] =
    "#separator \\x09\n"
    "#set_separator\t,\n"
    "#empty_field\t(empty)\n"
    "#unset_field\t-\n"
    "#path\tdns\n"
    "#fields\tts\tanswers\tuid\tlocal_orig\tid.resp_h\n"
    "#types\ttime\tvector[string]\tstring\tbool\taddr\n";

static void feed_lines(struct learn_log *l, const char *text)
{
    char buf[4096], *line = buf;
    struct learn_row row;

    snprintf(buf, sizeof(buf), "%s", text);
    while (*line != '\0') {
        size_t n = strcspn(line, "\n");

        assert_int_equal(learn_log_line(l, line, n, &row), 0);
        line += n + (line[n] == '\n');
    }
}

static void test_tsv(void **state)
{
    struct learn_log *l = learn_log_create(fields, 5);
    struct learn_row row;

    (void)state;
    /* A row before any #fields line is not a row. */
    assert_int_equal(feed(l, "1.0\tx\tCabc\tT\t9.9.9.9", &row), -1);
    feed_lines(l, tsv_header);
    assert_int_equal(feed(l, "1700000000.5\ta.example.com,93.184.216.10\tCabc\tT\t9.9.9.9", &row), 1);
    assert_true(row.v[0].set);
    assert_string_equal(row.v[0].s, "Cabc");
    assert_int_equal(row.v[0].len, 4);
    assert_string_equal(row.v[1].s, "9.9.9.9");
    assert_int_equal(row.v[2].n, 2);
    assert_string_equal(items(&row.v[2]), "a.example.com|93.184.216.10");
    assert_int_equal(row.v[2].len, 13);
    assert_string_equal(row.v[3].s, "T");
    assert_false(row.v[4].set);           /* not a column of this log */
    /* Unset, empty, escapes (a separator inside a value is written \x09, a comma \x2c). */
    assert_int_equal(feed(l, "1.0\t-\tC\\x09d\t-\t(empty)", &row), 1);
    assert_false(row.v[2].set);
    assert_string_equal(row.v[0].s, "C\td");
    assert_false(row.v[3].set);
    assert_true(row.v[1].set);
    assert_int_equal(row.v[1].n, 0);
    assert_int_equal(feed(l, "1.0\ta\\x2cb,c\tC1\tF\t1.2.3.4", &row), 1);
    assert_string_equal(items(&row.v[2]), "a,b|c");
    /* Columns past the end of a short line are unset; CR LF endings are fine. */
    assert_int_equal(feed(l, "1.0\tx\tC2\r\n", &row), 1);
    assert_string_equal(row.v[0].s, "C2");
    assert_false(row.v[3].set);
    /* Another header mid-file (concatenated logs) remaps the columns. */
    feed_lines(l, "#fields\tuid\tid.resp_h\n#types\tstring\taddr\n");
    assert_int_equal(feed(l, "C3\t10.0.0.1", &row), 1);
    assert_string_equal(row.v[0].s, "C3");
    assert_string_equal(row.v[1].s, "10.0.0.1");
    assert_false(row.v[2].set);
    assert_int_equal(learn_log_bad_lines(l), 1);
    learn_log_free(l);
}

static void test_tsv_other_separators(void **state)
{
    struct learn_log *l = learn_log_create(fields, 5);
    struct learn_row row;

    (void)state;
    feed_lines(l, "#separator |\n#set_separator|;\n#unset_field|NONE\n#fields|uid|answers\n"
                  "#types|string|set[string]\n");
    assert_int_equal(feed(l, "Cx|a;b;c", &row), 1);
    assert_string_equal(row.v[0].s, "Cx");
    assert_string_equal(items(&row.v[2]), "a|b|c");
    assert_int_equal(feed(l, "NONE|-", &row), 1);
    assert_false(row.v[0].set);
    assert_string_equal(items(&row.v[2]), "-");
    learn_log_free(l);
}

static void test_json(void **state)
{
    struct learn_log *l = learn_log_create(fields, 5);
    struct learn_row row;

    (void)state;
    assert_int_equal(feed(l, "{\"ts\":1700000000.5,\"uid\":\"Cabc\",\"id.orig_h\":\"10.0.0.5\","
                             "\"id.resp_h\":\"9.9.9.9\",\"answers\":[\"a.example.com\",\"93.184.216.10\"],"
                             "\"local_orig\":true,\"TTLs\":[300.0,60],\"nested\":{\"a\":[1,{\"b\":\"}\"}]}}",
                     &row), 1);
    assert_string_equal(row.v[0].s, "Cabc");
    assert_string_equal(row.v[1].s, "9.9.9.9");
    assert_string_equal(items(&row.v[2]), "a.example.com|93.184.216.10");
    assert_string_equal(row.v[3].s, "T");   /* booleans read as TSV writes them */
    assert_false(row.v[4].set);
    /* Escapes, null, false, an empty array, whitespace. */
    assert_int_equal(feed(l, " { \"uid\" : \"C\\\"q\\\\\\u00e9\\ud83d\\ude00\" , \"answers\" : [ ] ,"
                             " \"local_orig\" : false , \"id.resp_h\" : null } ",
                     &row), 1);
    assert_string_equal(row.v[0].s, "C\"q\\\xc3\xa9\xf0\x9f\x98\x80");
    assert_true(row.v[2].set);
    assert_int_equal(row.v[2].n, 0);
    assert_string_equal(row.v[3].s, "F");
    assert_false(row.v[1].set);
    /* Numbers come back as written. */
    assert_int_equal(feed(l, "{\"uid\":-1.5e3}", &row), 1);
    assert_string_equal(row.v[0].s, "-1.5e3");
    /* Not JSON objects: counted, not rows. */
    assert_int_equal(feed(l, "{\"uid\":\"C1\"", &row), -1);
    assert_int_equal(feed(l, "{\"uid\" \"C1\"}", &row), -1);
    assert_int_equal(feed(l, "{\"uid\":\"C1\",}", &row), -1);
    assert_int_equal(feed(l, "{\"uid\":tru}", &row), -1);
    assert_int_equal(feed(l, "{\"uid\":\"\\x41\"}", &row), -1);
    assert_int_equal(learn_log_bad_lines(l), 5);
    /* Blank lines and comments are neither. */
    assert_int_equal(feed(l, "", &row), 0);
    assert_int_equal(feed(l, "#close\t2024", &row), 0);
    learn_log_free(l);
}

static void test_files(void **state)
{
    char path[] = "/tmp/test_learn_log_XXXXXX";
    int fd = mkstemp(path);
    struct learn_log *l = learn_log_create(fields, 5);
    struct learn_row row;
    char err[256], *big;
    gzFile gz;
    int n = 0;

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    /* gzip, mixed formats, a line just past the cap and one far past the buffer, no newline at
     * the end. */
    big = malloc(3 * LEARN_LOG_MAX_LINE + 1);
    assert_non_null(big);
    memset(big, 'x', 3 * LEARN_LOG_MAX_LINE);
    big[3 * LEARN_LOG_MAX_LINE] = '\0';
    gz = gzopen(path, "wb");
    assert_non_null(gz);
    gzputs(gz, tsv_header);
    gzputs(gz, "1.0\t-\tC1\tT\t1.1.1.1\n");
    gzputs(gz, big + 2 * LEARN_LOG_MAX_LINE - 99);
    gzputs(gz, "\n{\"uid\":\"C2\"}\n");
    gzputs(gz, big);
    gzputs(gz, "\n");
    gzputs(gz, "1.0\t-\tC3\tT\t1.1.1.3");
    gzclose(gz);
    free(big);
    assert_int_equal(learn_log_open(l, path, err, sizeof(err)), 0);
    while (learn_log_next(l, &row, err, sizeof(err)) == 1) {
        n++;
        assert_string_equal(row.v[0].s, n == 1 ? "C1" : n == 2 ? "C2" : "C3");
    }
    assert_int_equal(n, 3);
    assert_int_equal(learn_log_bad_lines(l), 2);
    unlink(path);
    assert_int_equal(learn_log_open(l, path, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot open"));
    learn_log_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tsv),
        cmocka_unit_test(test_tsv_other_separators),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_files),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
