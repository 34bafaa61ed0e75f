/* tests/unit/files/test_file_extract.c - extraction: exact bytes on disk, names, holes for gaps, the size limit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files/files.h"
#include "log/log_set.h"

#define NFIELDS 27
#define T0      ((pw_time)1700000000000000000LL)

struct env {
    char            dir[64];
    char            exdir[96];
    struct log_set *logs;
    struct files   *fm;
    char           *text;
    char           *row[NFIELDS];
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static struct env *env_new(uint64_t limit)
{
    struct env *e = calloc(1, sizeof(*e));
    struct log_set_config lc = {.format = LOG_FORMAT_TSV};
    struct files_config fc = {.extract_limit = limit, .hashes = FILES_HASH_ALL};
    char err[256];

    assert_non_null(e);
    memcpy(e->dir, "/tmp/pw_extract_XXXXXX", 23);
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->exdir, sizeof(e->exdir), "%s/extract", e->dir);
    lc.dir = e->dir;
    fc.extract_dir = e->exdir;
    e->logs = log_set_create(&lc, err, sizeof(err));
    assert_non_null(e->logs);
    e->fm = files_create(&fc, e->logs, err, sizeof(err));
    assert_non_null(e->fm);
    return e;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf;
    long n;

    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* Closes everything and splits the single files.log row into e->row. */
static void env_finish(struct env *e)
{
    char path[160], *line, *save = NULL, *tok, *fsave = NULL;
    size_t len;
    int i = 0;

    files_free(e->fm);
    e->fm = NULL;
    log_set_free(e->logs);
    e->logs = NULL;
    snprintf(path, sizeof(path), "%s/files.log", e->dir);
    e->text = (char *)read_all(path, &len);
    for (line = strtok_r(e->text, "\n", &save); line != NULL && line[0] == '#'; line = strtok_r(NULL, "\n", &save))
        ;
    assert_non_null(line);
    for (tok = strtok_r(line, "\t", &fsave); tok != NULL && i < NFIELDS; tok = strtok_r(NULL, "\t", &fsave))
        e->row[i++] = tok;
    assert_int_equal(i, NFIELDS);
}

static void env_free(struct env *e)
{
    nftw(e->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(e->text);
    free(e);
}

static struct file_ctx *open_http(struct env *e)
{
    struct file_origin o = {.uid = "CHhAvVGS1DHFjwGM9", .orig_p = 1234, .resp_p = 80, .source = "HTTP"};
    struct file_ctx *f = files_open(e->fm, &o, T0, 0, NULL, 0);

    assert_non_null(f);
    return f;
}

/* A 10000-byte PNG in 700-byte chunks: the name takes the sniffed type, the bytes are exact. */
static void test_exact_bytes(void **state)
{
    static uint8_t png[10000];
    struct env *e = env_new(0);
    struct file_ctx *f;
    char path[256], name[64];
    uint8_t *got;
    size_t i, len;

    for (i = 0; i < sizeof(png); i++)
        png[i] = (uint8_t)(i * 7 + 3);
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    f = open_http(e);
    snprintf(name, sizeof(name), "HTTP-%s.png", file_fuid(f));
    for (i = 0; i < sizeof(png); i += 700)
        file_data(f, T0, png + i, sizeof(png) - i < 700 ? sizeof(png) - i : 700);
    file_close(f, T0);
    env_finish(e);

    snprintf(path, sizeof(path), "%s/%s", e->exdir, name);
    got = read_all(path, &len);
    assert_int_equal(len, sizeof(png));
    assert_memory_equal(got, png, sizeof(png));
    free(got);
    assert_string_equal(e->row[9], "SHA1,SHA256,MD5,EXTRACT");
    assert_string_equal(e->row[10], "image/png");
    assert_string_equal(e->row[24], name);
    assert_string_equal(e->row[25], "F");
    assert_string_equal(e->row[26], "-");
    env_free(e);
}

/* A gap is a hole of zeros; a trailing gap still sets the length. */
static void test_gaps_are_holes(void **state)
{
    static const uint8_t want[] = "0123456789\0\0\0\0\0abcde\0\0\0";
    struct env *e = env_new(0);
    struct file_ctx *f;
    char path[256], name[64];
    uint8_t *got;
    size_t len;

    f = open_http(e);
    /* "0123456789" alone is text/plain: Zeek types on the bytes before the first gap */
    snprintf(name, sizeof(name), "HTTP-%s.txt", file_fuid(f));
    file_data(f, T0, (const uint8_t *)"0123456789", 10);
    file_gap(f, 5);
    file_data(f, T0, (const uint8_t *)"abcde", 5);
    file_gap(f, 3);
    file_close(f, T0);
    env_finish(e);

    snprintf(path, sizeof(path), "%s/%s", e->exdir, name);
    got = read_all(path, &len);
    assert_int_equal(len, sizeof(want) - 1);
    assert_memory_equal(got, want, sizeof(want) - 1);
    free(got);
    assert_string_equal(e->row[15], "15");
    assert_string_equal(e->row[17], "8");
    assert_string_equal(e->row[21], "-");
    assert_string_equal(e->row[25], "F");
    env_free(e);
}

/* The limit cuts the file, sets extracted_cutoff and (as Zeek) extracted_size to the limit. */
static void test_limit(void **state)
{
    static uint8_t data[250];
    struct env *e = env_new(100);
    struct files_stats st;
    struct file_ctx *f;
    char path[256], name[64];
    uint8_t *got;
    size_t len;

    memset(data, 0, sizeof(data));
    memcpy(data, "\x1f\x8b\x08", 3);
    f = open_http(e);
    snprintf(name, sizeof(name), "HTTP-%s.gz", file_fuid(f));
    file_data(f, T0, data, 60);
    file_data(f, T0, data + 60, sizeof(data) - 60);   /* crosses the limit */
    file_data(f, T0, data, 10);                       /* after it: not written */
    file_close(f, T0);
    files_stats(e->fm, &st);
    assert_int_equal(st.extract_cutoff, 1);
    assert_int_equal(st.extract_errors, 0);
    env_finish(e);

    snprintf(path, sizeof(path), "%s/%s", e->exdir, name);
    got = read_all(path, &len);
    assert_int_equal(len, 100);
    assert_memory_equal(got, data, 100);
    free(got);
    assert_string_equal(e->row[10], "application/x-gzip");
    assert_string_equal(e->row[15], "260");
    assert_string_equal(e->row[25], "T");
    assert_string_equal(e->row[26], "100");
    /* hashes cover the whole file, not what was extracted */
    assert_int_equal(strlen(e->row[23]), 64);
    env_free(e);
}

/* Exactly the limit is not a cutoff (Zeek cuts only when a byte would exceed it). */
static void test_exact_limit_not_cut(void **state)
{
    struct env *e = env_new(10);
    struct file_ctx *f;

    f = open_http(e);
    file_data(f, T0, (const uint8_t *)"0123456789", 10);
    file_close(f, T0);
    env_finish(e);
    assert_string_equal(e->row[25], "F");
    assert_string_equal(e->row[26], "-");
    env_free(e);
}

/* No bytes at all: a file named with the fallback extension, empty. */
static void test_unknown_type_empty(void **state)
{
    struct env *e = env_new(0);
    struct file_ctx *f;
    char path[256];
    struct stat sb;

    f = open_http(e);
    snprintf(path, sizeof(path), "%s/HTTP-%s.dat", e->exdir, file_fuid(f));
    file_close(f, T0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 0);
    env_finish(e);
    assert_string_equal(e->row[10], "-");
    env_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_bytes),
        cmocka_unit_test(test_gaps_are_holes),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_exact_limit_not_cut),
        cmocka_unit_test(test_unknown_type_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
