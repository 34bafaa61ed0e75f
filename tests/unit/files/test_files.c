/* tests/unit/files/test_files.c - the file manager: whole files.log rows, header, caps, fuids, MIME timing, digests on a thread. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files/files.h"
#include "log/log_set.h"

#define MAX_ROWS   32
#define NFIELDS    27
#define T0         ((pw_time)1258535653087137000LL)

/* Zeek's files.log header with hash and extract loaded (big-bof-buffer baseline). */
static const char want_fields[] =
    "#fields\tts\tfuid\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tsource\tdepth\tanalyzers\t"
    "mime_type\tfilename\tduration\tlocal_orig\tis_orig\tseen_bytes\ttotal_bytes\tmissing_bytes\t"
    "overflow_bytes\ttimedout\tparent_fuid\tmd5\tsha1\tsha256\textracted\textracted_cutoff\textracted_size";
static const char want_types[] =
    "#types\ttime\tstring\tstring\taddr\tport\taddr\tport\tstring\tcount\tset[string]\tstring\tstring\t"
    "interval\tbool\tbool\tcount\tcount\tcount\tcount\tbool\tstring\tstring\tstring\tstring\tstring\t"
    "bool\tcount";

struct log_rows {
    char  *text;
    char  *fields_line, *types_line;
    int    n;
    char  *f[MAX_ROWS][NFIELDS];
};

struct env {
    char             dir[64];
    struct log_set  *logs;
    struct files    *fm;
    struct log_rows  rows;
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static struct env *env_new(const struct files_config *cfg)
{
    struct env *e = calloc(1, sizeof(*e));
    struct log_set_config lc = {.format = LOG_FORMAT_TSV};
    char err[256];

    assert_non_null(e);
    memcpy(e->dir, "/tmp/pw_files_XXXXXX", 21);
    assert_non_null(mkdtemp(e->dir));
    lc.dir = e->dir;
    e->logs = log_set_create(&lc, err, sizeof(err));
    assert_non_null(e->logs);
    e->fm = files_create(cfg, e->logs, err, sizeof(err));
    assert_non_null(e->fm);
    return e;
}

/* Frees the manager (logging what is still open), closes the logs, and splits files.log. */
static struct log_rows *env_finish(struct env *e)
{
    char path[128], *line, *save = NULL;
    FILE *fp;
    long len;
    int i;

    files_free(e->fm);
    e->fm = NULL;
    log_set_free(e->logs);
    e->logs = NULL;
    snprintf(path, sizeof(path), "%s/files.log", e->dir);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    e->rows.text = calloc(1, (size_t)len + 1);
    assert_int_equal(fread(e->rows.text, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    for (line = strtok_r(e->rows.text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *fsave = NULL, *tok;

        if (strncmp(line, "#fields", 7) == 0)
            e->rows.fields_line = line;
        if (strncmp(line, "#types", 6) == 0)
            e->rows.types_line = line;
        if (line[0] == '#')
            continue;
        assert_true(e->rows.n < MAX_ROWS);
        i = 0;
        for (tok = strtok_r(line, "\t", &fsave); tok != NULL; tok = strtok_r(NULL, "\t", &fsave)) {
            assert_true(i < NFIELDS);
            e->rows.f[e->rows.n][i++] = tok;
        }
        assert_int_equal(i, NFIELDS);
        e->rows.n++;
    }
    return &e->rows;
}

static void env_free(struct env *e)
{
    files_free(e->fm);
    log_set_free(e->logs);
    nftw(e->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(e->rows.text);
    free(e);
}

static void origin_http(struct file_origin *o, struct addr *orig, struct addr *resp)
{
    memset(o, 0, sizeof(*o));
    assert_int_equal(addr_parse(orig, "141.142.228.5"), 0);
    assert_int_equal(addr_parse(resp, "192.150.187.43"), 0);
    o->uid = "CHhAvVGS1DHFjwGM9";
    o->orig_h = *orig;
    o->resp_h = *resp;
    o->orig_p = 59856;
    o->resp_p = 80;
    o->is_orig = false;
    o->sender_local = false;
    o->source = "HTTP";
    o->depth = 0;
}

static void test_whole_row(void **state)
{
    struct env *e = env_new(NULL);
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *f;
    struct log_rows *r;
    char fuid[32];
    int i;

    origin_http(&o, &a, &b);
    f = files_open(e->fm, &o, T0, 3, "report.txt", 10);
    assert_non_null(f);
    snprintf(fuid, sizeof(fuid), "%s", file_fuid(f));
    file_data(f, T0, (const uint8_t *)"a", 1);
    file_data(f, T0 + 263 * PW_USEC, (const uint8_t *)"bc", 2);
    file_close(f, T0 + 300 * PW_USEC);
    r = env_finish(e);

    assert_non_null(r->fields_line);
    assert_string_equal(r->fields_line, want_fields);
    assert_string_equal(r->types_line, want_types);
    assert_int_equal(r->n, 1);
    {
        const char *want[NFIELDS] = {
            "1258535653.087137", fuid, "CHhAvVGS1DHFjwGM9", "141.142.228.5", "59856", "192.150.187.43",
            "80", "HTTP", "0", "SHA1,SHA256,MD5", "-", "report.txt", "0.000263", "F", "F", "3", "3", "0",
            "0", "F", "-", "900150983cd24fb0d6963f7d28e17f72", "a9993e364706816aba3e25717850c26c9cd0d89d",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "-", "-", "-",
        };

        for (i = 0; i < NFIELDS; i++)
            assert_string_equal(r->f[0][i], want[i]);
    }
    env_free(e);
}

/* A text body from the responder, a local sender, then a gap: typed on the bytes before it,
 * no hashes; and a file no protocol closed, logged by files_free as timed out. */
static void test_gap_and_timeout_rows(void **state)
{
    static const char body[] = "hello world, this is a text body\n";
    struct env *e = env_new(NULL);
    struct files_stats st;
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *f, *g;
    struct log_rows *r;

    origin_http(&o, &a, &b);
    o.is_orig = true;
    o.sender_local = true;
    o.depth = 2;
    f = files_open(e->fm, &o, T0, 0, NULL, 0);
    g = files_open(e->fm, &o, T0 + PW_SEC, 0, NULL, 0);
    assert_non_null(f);
    assert_non_null(g);
    assert_string_not_equal(file_fuid(f), file_fuid(g));
    file_data(f, T0 + PW_MSEC, (const uint8_t *)body, sizeof(body) - 1);
    file_gap(f, 100);
    file_data(f, T0 + 2 * PW_MSEC, (const uint8_t *)"\x00\x01", 2);
    file_close(f, T0 + 3 * PW_MSEC);
    file_data(g, T0 + 2 * PW_SEC, (const uint8_t *)"\xac\xed\x00\x05sr", 6);
    files_stats(e->fm, &st);
    assert_int_equal(st.in_use, 1);
    assert_int_equal(st.peak, 2);
    r = env_finish(e);

    assert_int_equal(r->n, 2);
    /* row 0: f */
    assert_string_equal(r->f[0][9], "SHA1,SHA256,MD5");
    assert_string_equal(r->f[0][8], "2");
    assert_string_equal(r->f[0][10], "text/plain");
    assert_string_equal(r->f[0][11], "-");
    assert_string_equal(r->f[0][12], "0.002000");
    assert_string_equal(r->f[0][13], "T");
    assert_string_equal(r->f[0][14], "T");
    assert_string_equal(r->f[0][15], "35");
    assert_string_equal(r->f[0][16], "-");
    assert_string_equal(r->f[0][17], "100");
    assert_string_equal(r->f[0][19], "F");
    assert_string_equal(r->f[0][21], "-");
    assert_string_equal(r->f[0][22], "-");
    assert_string_equal(r->f[0][23], "-");
    /* row 1: g, never closed */
    assert_string_equal(r->f[1][0], "1258535654.087137");
    assert_string_equal(r->f[1][10], "application/x-java-serialized-object");
    assert_string_equal(r->f[1][12], "1.000000");
    assert_string_equal(r->f[1][15], "6");
    assert_string_equal(r->f[1][19], "T");
    assert_int_equal(strlen(r->f[1][21]), 32);
    env_free(e);
}

/* A file that came over no connection: the id columns and is_orig/local_orig are unset. */
static void test_no_connection(void **state)
{
    struct env *e = env_new(NULL);
    struct file_origin o = {.source = "SMTP", .depth = 1};
    struct file_ctx *f;
    struct log_rows *r;
    int i;

    f = files_open(e->fm, &o, T0, 0, "a\tb", 3);
    file_close(f, T0);
    r = env_finish(e);
    assert_int_equal(r->n, 1);
    for (i = 2; i <= 6; i++)
        assert_string_equal(r->f[0][i], "-");
    assert_string_equal(r->f[0][7], "SMTP");
    assert_string_equal(r->f[0][11], "a\\x09b");
    assert_string_equal(r->f[0][12], "0.000000");
    assert_string_equal(r->f[0][13], "-");
    assert_string_equal(r->f[0][14], "-");
    assert_string_equal(r->f[0][15], "0");
    assert_string_equal(r->f[0][21], "-");   /* empty file: no hash, as Zeek */
    env_free(e);
}

static void test_open_cap(void **state)
{
    struct files_config cfg = {.max_open = 2};
    struct env *e = env_new(&cfg);
    struct files_stats st;
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *f1, *f2, *f3;

    origin_http(&o, &a, &b);
    f1 = files_open(e->fm, &o, T0, 0, NULL, 0);
    f2 = files_open(e->fm, &o, T0, 0, NULL, 0);
    f3 = files_open(e->fm, &o, T0, 0, NULL, 0);
    assert_non_null(f1);
    assert_non_null(f2);
    assert_null(f3);
    /* The API takes NULL everywhere a capped open can leave it. */
    file_data(f3, T0, (const uint8_t *)"x", 1);
    file_gap(f3, 5);
    file_close(f3, T0);
    assert_null(file_fuid(f3));
    assert_null(file_mime_type(f3));
    files_stats(e->fm, &st);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.opened, 2);
    file_close(f1, T0);
    f3 = files_open(e->fm, &o, T0, 0, NULL, 0);
    assert_ptr_equal(f3, f1);   /* the freed slot, digest contexts and all, is the one reused */
    files_stats(e->fm, &st);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.opened, 3);
    assert_int_equal(st.in_use, 2);
    assert_int_equal(st.peak, 2);
    env_free(e);
}

/* The same files through a manager that hashes inline and one that hashes on its thread: the
 * files.log text is the same byte for byte. Sizes and chunkings that go through the thread's
 * ring every way: one byte, a segment, a chunk cut in pieces (over 64 KiB), ten MiB (more than
 * the ring holds: the engine waits for room), a gap (no digests), content out of order (no
 * digests), and an empty file. */
static void feed_files(struct files *fm)
{
    static uint8_t big[10u << 20];
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *f;
    size_t off;

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 2654435761u >> 13);
    origin_http(&o, &a, &b);
    f = files_open(fm, &o, T0, 0, NULL, 0);
    file_data(f, T0, big, 1);
    file_close(f, T0 + PW_USEC);
    f = files_open(fm, &o, T0, 0, NULL, 0);
    file_data(f, T0, big, 1448);
    file_close(f, T0 + PW_USEC);
    f = files_open(fm, &o, T0, 0, NULL, 0);
    file_data(f, T0, big, 200000);
    file_close(f, T0 + PW_USEC);
    f = files_open(fm, &o, T0, sizeof(big), "big.bin", 7);
    for (off = 0; off < sizeof(big); off += 1448)
        file_data(f, T0, big + off, sizeof(big) - off < 1448 ? sizeof(big) - off : 1448);
    file_close(f, T0 + PW_SEC);
    f = files_open(fm, &o, T0, 0, NULL, 0);
    file_data(f, T0, big, 5000);
    file_gap(f, 100);
    file_data(f, T0, big + 5100, 5000);
    file_close(f, T0 + PW_USEC);
    f = files_open(fm, &o, T0, 0, NULL, 0);
    file_data_at(f, T0, 3000, big + 3000, 3000);
    file_data_at(f, T0, 0, big, 3000);
    file_close(f, T0 + PW_USEC);
    f = files_open(fm, &o, T0, 0, NULL, 0);
    file_close(f, T0 + PW_USEC);
}

/* The same calls through a manager that hashes inline and one that hashes on its thread: n rows
 * each, equal field by field. The thread's rows are returned; both_paths_free ends both. */
struct both_paths {
    struct env *inl, *thr;
};

static struct log_rows *both_paths(struct both_paths *t, struct files_config cfg, void (*feed)(struct files *),
                                   int n)
{
    struct files_config thread_cfg = cfg;
    struct log_rows *ra, *rb;

    cfg.hash_thread = false;
    thread_cfg.hash_thread = true;
    t->inl = env_new(&cfg);
    t->thr = env_new(&thread_cfg);
    feed(t->inl->fm);
    feed(t->thr->fm);
    ra = env_finish(t->inl);
    rb = env_finish(t->thr);
    assert_int_equal(ra->n, n);
    assert_int_equal(rb->n, n);
    for (int r = 0; r < n; r++)
        for (int i = 0; i < NFIELDS; i++)
            assert_string_equal(ra->f[r][i], rb->f[r][i]);
    return rb;
}

static void both_paths_free(struct both_paths *t)
{
    env_free(t->inl);
    env_free(t->thr);
}

static void test_hash_thread_same_rows(void **state)
{
    struct files_config cfg = {.hashes = FILES_HASH_ALL};
    struct both_paths t;
    struct log_rows *rb = both_paths(&t, cfg, feed_files, 7);
    int hashed = 0;

    for (int r = 0; r < rb->n; r++)
        hashed += strcmp(rb->f[r][21], "-") != 0;
    /* Four whole files hashed; the gap, the out-of-order one and the empty one are not. */
    assert_int_equal(hashed, 4);
    assert_string_equal(rb->f[0][21], "93b885adfe0da089cdf634904fd59f71");   /* MD5 of one byte 0x00 */
    both_paths_free(&t);
}

/* Slots of files that ended wait for their digests before they are free again: with two slots
 * and twenty files in a row nothing is refused, and every row is written, in order. */
static void test_hash_thread_slots_wait(void **state)
{
    static uint8_t body[100000];
    struct files_config cfg = {.hashes = FILES_HASH_ALL, .hash_thread = true, .max_open = 2};
    struct env *e = env_new(&cfg);
    struct files_stats st;
    struct file_origin o;
    struct addr a, b;
    struct log_rows *r;

    origin_http(&o, &a, &b);
    for (int i = 0; i < 20; i++) {
        struct file_ctx *f = files_open(e->fm, &o, T0 + i * PW_SEC, 0, NULL, 0);

        assert_non_null(f);
        memset(body, 'a' + i, sizeof(body));
        file_data(f, T0 + i * PW_SEC, body, sizeof(body));
        file_close(f, T0 + i * PW_SEC + PW_USEC);
    }
    files_stats(e->fm, &st);
    assert_int_equal(st.refused, 0);
    assert_int_equal(st.opened, 20);
    r = env_finish(e);
    assert_int_equal(r->n, 20);
    for (int i = 1; i < 20; i++) {
        assert_true(strcmp(r->f[i - 1][0], r->f[i][0]) < 0);   /* ts: in the order they ended */
        assert_string_not_equal(r->f[i - 1][21], r->f[i][21]);
        assert_int_equal(strlen(r->f[i][23]), 64);
    }
    env_free(e);
}

/* A shared file one connection completed takes nothing from another's later bytes: its row is
 * the one it had when it ended (the thread writes it later, from the same fields). */
static void ended_shared_file(struct files *fm)
{
    static uint8_t chunk[1000];
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *fa, *fb;

    memset(chunk, 'z', sizeof(chunk));
    origin_http(&o, &a, &b);
    fa = files_open_shared(fm, 9, &o, T0, 1000);
    o.uid = "ClEkJM2Vm5giqnMf4h";
    fb = files_open_shared(fm, 9, &o, T0, 1000);
    assert_ptr_equal(fa, fb);
    file_data_at(fa, T0, 0, chunk, sizeof(chunk));
    file_release(fa, T0 + PW_MSEC);                     /* whole: ended */
    file_data_at(fb, T0 + 900 * PW_MSEC, 500, chunk, 500);
    file_gap(fb, 10);
    file_release(fb, T0 + 900 * PW_MSEC);
}

/* A holder of a shared file learns that another connection ended it, even once its slot holds
 * another file. */
static void test_stale_handle(void **state)
{
    static uint8_t chunk[100];
    struct files_config cfg = {.max_open = 1};
    struct env *e = env_new(&cfg);
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *f, *g;
    uint32_t fgen;

    origin_http(&o, &a, &b);
    f = files_open_shared(e->fm, 5, &o, T0, sizeof(chunk));
    fgen = file_generation(f);
    assert_true(file_still(f, fgen));
    file_data_at(f, T0, 0, chunk, sizeof(chunk));
    file_release(f, T0);                         /* whole: ended by this connection */
    assert_false(file_still(f, fgen));
    g = files_open(e->fm, &o, T0, 0, NULL, 0);
    assert_ptr_equal(g, f);                      /* the one slot, another file */
    assert_false(file_still(f, fgen));
    assert_true(file_still(g, file_generation(g)));
    assert_false(file_still(NULL, 0));
    env_free(e);
}

static void test_ended_file_takes_nothing(void **state)
{
    struct files_config cfg = {.hashes = FILES_HASH_ALL};
    struct both_paths t;
    struct log_rows *rb = both_paths(&t, cfg, ended_shared_file, 2);

    for (int r = 0; r < 2; r++) {
        assert_string_equal(rb->f[r][12], "0.000000");   /* duration: A's last byte, not B's */
        assert_string_equal(rb->f[r][15], "1000");       /* seen_bytes */
        assert_string_equal(rb->f[r][17], "0");          /* missing_bytes: B's gap came after */
        assert_int_equal(strlen(rb->f[r][21]), 32);      /* MD5 kept */
    }
    both_paths_free(&t);
}

/* Files still open at the end are logged in the order they were opened, whichever slots they
 * took (slots come back in whatever order files end): the same with the thread as without. */
static void open_and_leave(struct files *fm)
{
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *f[6];
    char name[8];

    origin_http(&o, &a, &b);
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        f[i] = files_open(fm, &o, T0 + i * PW_MSEC, 0, name, strlen(name));
        file_data(f[i], T0 + i * PW_MSEC, (const uint8_t *)name, strlen(name));
    }
    /* Free slots 4, 1 and 2, then open three more: they take slots in reverse. */
    file_close(f[4], T0 + 10 * PW_MSEC);
    file_close(f[1], T0 + 11 * PW_MSEC);
    file_close(f[2], T0 + 12 * PW_MSEC);
    for (int i = 6; i < 9; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        f[0] = files_open(fm, &o, T0 + i * 10 * PW_MSEC, 0, name, strlen(name));
        file_data(f[0], T0 + i * 10 * PW_MSEC, (const uint8_t *)name, strlen(name));
    }
}

static void test_open_files_end_in_open_order(void **state)
{
    struct files_config cfg = {.hashes = FILES_HASH_ALL, .max_open = 6};
    static const char *const want[] = {"f4", "f1", "f2", "f0", "f3", "f5", "f6", "f7", "f8"};
    struct both_paths t;
    struct log_rows *rb = both_paths(&t, cfg, open_and_leave, 9);

    for (int r = 0; r < 9; r++)
        assert_string_equal(rb->f[r][11], want[r]);
    both_paths_free(&t);
}

static void test_mime_timing_and_bof(void **state)
{
    static uint8_t big[4096 + 10];   /* past Zeek's 4096-byte bof buffer */
    struct env *e = env_new(NULL);
    struct files_stats st;
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *f;

    origin_http(&o, &a, &b);
    f = files_open(e->fm, &o, T0, 0, NULL, 0);
    assert_null(file_mime_type(f));
    file_data(f, T0, (const uint8_t *)"<html>", 6);
    /* tentative, on what is buffered: "<html>" alone is already the strong HTML row */
    assert_string_equal(file_mime_type(f), "text/html");
    file_close(f, T0);

    /* A PE whose first 4096 bytes fill the bof buffer in two chunks: decided there, counted. */
    memset(big, 0, sizeof(big));
    memcpy(big, "MZ", 2);
    f = files_open(e->fm, &o, T0, 0, NULL, 0);
    file_data(f, T0, big, 100);
    files_stats(e->fm, &st);
    assert_int_equal(st.bof_full, 0);
    file_data(f, T0, big + 100, sizeof(big) - 100);
    files_stats(e->fm, &st);
    assert_int_equal(st.bof_full, 1);
    assert_string_equal(file_mime_type(f), "application/x-dosexec");
    /* later bytes do not change a decided type */
    file_data(f, T0, (const uint8_t *)"\x89PNG", 4);
    assert_string_equal(file_mime_type(f), "application/x-dosexec");
    file_close(f, T0);
    env_free(e);
}

/* fuids: Zeek's form, and the same sequence from the same opens (repeatable runs). */
static void test_fuid_form_and_repeatable(void **state)
{
    struct env *e1 = env_new(NULL), *e2 = env_new(NULL);
    struct file_origin o;
    struct addr a, b;
    char first[4][32];
    int i;
    size_t j, n;

    origin_http(&o, &a, &b);
    for (i = 0; i < 4; i++) {
        struct file_ctx *f = files_open(e1->fm, &o, T0, 0, NULL, 0);
        const char *id = file_fuid(f);

        n = strlen(id);
        assert_true(n >= 8 && n <= 18);
        assert_int_equal(id[0], 'F');
        for (j = 1; j < n; j++)
            assert_true((id[j] >= '0' && id[j] <= '9') || (id[j] >= 'a' && id[j] <= 'z') ||
                        (id[j] >= 'A' && id[j] <= 'Z'));
        snprintf(first[i], sizeof(first[i]), "%s", id);
        if (i > 0)
            assert_string_not_equal(first[i], first[i - 1]);
        file_close(f, T0);
    }
    for (i = 0; i < 4; i++) {
        struct file_ctx *f = files_open(e2->fm, &o, T0, 0, NULL, 0);

        assert_string_equal(file_fuid(f), first[i]);
        file_close(f, T0);
    }
    /* another connection uid gives other fuids */
    o.uid = "ClEkJM2Vm5giqnMf4h";
    {
        struct files *fm3;
        char err[128];
        struct file_ctx *f;

        fm3 = files_create(NULL, NULL, err, sizeof(err));
        assert_non_null(fm3);
        f = files_open(fm3, &o, T0, 0, NULL, 0);
        assert_string_not_equal(file_fuid(f), first[0]);
        files_free(fm3);   /* no log set: nothing written, nothing leaked */
    }
    env_free(e1);
    env_free(e2);
}


/* Range responses of one URL over three connections: one file, one row per connection, the gaps
 * between the ranges missing, no digests (content out of order), timed out at the end; a range
 * that makes the file whole closes it. */
static void test_shared_ranges(void **state)
{
    static uint8_t chunk[1000];
    static const char *const uids[3] = {"CHhAvVGS1DHFjwGM9", "ClEkJM2Vm5giqnMf4h", "C4J4Th3PJpwUYZZ6gc"};
    struct env *e = env_new(NULL);
    struct file_origin o;
    struct addr a, b;
    struct file_ctx *f[3], *whole;
    struct log_rows *r;

    origin_http(&o, &a, &b);
    for (int i = 0; i < 3; i++) {
        o.uid = uids[i];
        o.orig_p = (uint16_t)(58716 + 2 * i);
        f[i] = files_open_shared(e->fm, 42, &o, T0 + i * PW_MSEC, 1000000);
        assert_non_null(f[i]);
    }
    assert_ptr_equal(f[0], f[1]);
    assert_ptr_equal(f[0], f[2]);
    file_data_at(f[0], T0, 0, chunk, sizeof(chunk));
    file_release(f[0], T0 + PW_MSEC);                      /* not whole: stays open */
    file_data_at(f[1], T0 + 5 * PW_MSEC, 200000, chunk, sizeof(chunk));
    file_data_at(f[2], T0 + 9 * PW_MSEC, 100000, chunk, sizeof(chunk));
    o.uid = "CnotWhole";
    whole = files_open_shared(e->fm, 7, &o, T0, 1000);
    file_data_at(whole, T0, 0, chunk, 600);
    file_data_at(whole, T0 + PW_MSEC, 600, chunk, 400);
    file_release(whole, T0 + PW_MSEC);                     /* whole: closed, row written now */
    r = env_finish(e);
    assert_int_equal(r->n, 4);
    assert_string_equal(r->f[0][2], "CnotWhole");
    assert_string_equal(r->f[0][9], "SHA1,SHA256,MD5");
    assert_string_equal(r->f[0][19], "F");
    for (int i = 1; i < 4; i++) {
        assert_string_equal(r->f[i][1], r->f[1][1]);      /* one fuid */
        assert_string_equal(r->f[i][2], uids[i - 1]);
        assert_string_equal(r->f[i][9], "(empty)");
        assert_string_equal(r->f[i][15], "3000");
        assert_string_equal(r->f[i][16], "1000000");
        assert_string_equal(r->f[i][17], "198000");
        assert_string_equal(r->f[i][19], "T");
        assert_string_equal(r->f[i][21], "-");
    }
    env_free(e);
}

static void test_bad_extract_dir(void **state)
{
    struct files_config cfg = {.extract_dir = "/proc/pw-no-such/x"};
    char err[256] = "";

    assert_null(files_create(&cfg, NULL, err, sizeof(err)));
    assert_non_null(strstr(err, "extract directory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_row),
        cmocka_unit_test(test_gap_and_timeout_rows),
        cmocka_unit_test(test_no_connection),
        cmocka_unit_test(test_open_cap),
        cmocka_unit_test(test_mime_timing_and_bof),
        cmocka_unit_test(test_fuid_form_and_repeatable),
        cmocka_unit_test(test_bad_extract_dir),
        cmocka_unit_test(test_shared_ranges),
        cmocka_unit_test(test_hash_thread_same_rows),
        cmocka_unit_test(test_hash_thread_slots_wait),
        cmocka_unit_test(test_ended_file_takes_nothing),
        cmocka_unit_test(test_stale_handle),
        cmocka_unit_test(test_open_files_end_in_open_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
