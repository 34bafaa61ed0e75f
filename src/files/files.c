/* files/files.c - the file manager: a capped pool of files in transfer, and their files.log rows.
 *
 * Policies:
 * - max_open slots; a slot gets its three EVP digest contexts the first time it is used and keeps
 *   them, so opening a file allocates nothing once as many files have been open at once before.
 *   files_open returns NULL at the cap (counted).
 * - fuid: "F" + base62 of 96 bits, a keyed mix of the connection uid, the source, the direction and
 *   the manager's file sequence number. Unique within a run, and repeatable whenever connection
 *   uids are (the engine's seeded mode), since pcap order fixes the sequence.
 * - The MIME type is decided, as Zeek does, when the bof buffer (4096 bytes) is full, at the first
 *   gap, or at close, over the bytes buffered so far; before that file_mime_type answers from the
 *   buffer as it stands.
 * - MD5, SHA1 and SHA256 of every file (Zeek's hash-all-files); left unset after any gap and for
 *   empty files, as Zeek does.
 * - Extraction starts once the type is known (the extension comes from it); the bof buffer holds
 *   the bytes seen until then.
 * - ts is the open time; duration runs to the last data.
 * - files_free logs the files still open with timedout T: in Zeek a file its protocol never ended
 *   is removed by its inactivity timer, which fires at the end of a trace (the concurrent range
 *   requests baseline shows T). The engine is expected to end its sessions before files_free. */
#include "files/files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files/files_int.h"
#include "log/files_log.h"
#include "util/uid.h"

#define FILES_DEFAULT_MAX_OPEN      4096u
#define FILES_DEFAULT_EXTRACT_LIMIT (100ull * 1024 * 1024)
#define FILES_NAME_MAX              255u
#define FILES_SOURCE_MAX            16u

/* One connection that carried part of a shared file: files.log has a row for each. */
struct file_conn {
    char        uid[UID_STRLEN];
    struct addr orig_h, resp_h;
    uint16_t    orig_p, resp_p;
    bool        is_orig, sender_local;
};

struct file_ctx {
    struct files           *fm;
    struct file_ctx        *next_free;
    struct file_hash        hash;          /* kept by the slot across files */
    uint32_t                gen;           /* files the slot has held: tells a stale handle */

    /* From here to bof: reset when the slot is taken. */
    bool                    in_use;
    bool                    timedout;
    bool                    hash_dead;     /* bytes went missing: no digest will be written */
    uint64_t                open_seq;      /* opening order: files ended together end in it */
    bool                    has_conn;
    bool                    is_orig;
    bool                    sender_local;
    bool                    mime_done;
    bool                    extracting;
    const struct magic_type *mime;
    char                    uid[UID_STRLEN]; /* copied: the connection may end before the file */
    struct addr             orig_h, resp_h;
    uint16_t                orig_p, resp_p;
    uint32_t                depth;
    pw_time                 ts, last;
    uint64_t                seen, total, missing;
    struct file_extract     ext;
    uint32_t                filename_len;
    bool                    has_filename;
    char                    fuid[UID_STRLEN];
    struct log_str          analyzer_list[5];  /* files.log analyzers, filled at close */
    const char             *mime_override;     /* a type the protocol knows (X.509 certificates) */
    uint64_t                share_key;         /* several connections carry it (HTTP ranges); 0: one */
    uint64_t                next_off;          /* where linear content continues */
    uint64_t                max_end;           /* one past the highest byte seen */
    bool                    nonlinear;         /* content came out of order: no digests */
    uint8_t                 n_conns;
    struct file_conn        conns[FILES_SHARED_CONNS];
    bool                    x509;              /* the X509 analyzer "ran": the protocol parsed it */
    char                    source[FILES_SOURCE_MAX];
    char                    filename[FILES_NAME_MAX];
    uint32_t                bof_len;
    uint8_t                 bof[FILES_BOF_SIZE];
};

struct files {
    struct log_set        *logs;
    char                  *extract_dir;     /* NULL: no extraction */
    uint64_t               extract_limit;
    uint32_t               max_open;
    uint32_t               n_ready;         /* slots[0..n_ready) have their digest contexts */
    uint32_t               shared_open;     /* shared files in transfer (expiry scans only then) */
    struct file_ctx       *slots;
    struct file_ctx       *free_head;
    struct file_hash_algos algos;
    struct file_hasher    *hasher;          /* NULL: digests computed inline */
    struct file_ctx      **ending;          /* with the thread: files ended, rows not yet written, */
    struct file_ctx      **batch;           /* files ended together (expiry, shutdown), in open order */
    uint64_t               opened;
    uint64_t               ends_queued;     /* in order (a ring of max_open) */
    uint64_t               ends_written;
    uint64_t               seq;
    uint64_t               fuid_key;
    struct files_stats     stats;
};

/* The analyzers column: Zeek's hash order from its baselines, then EXTRACT when on. */
static const struct log_str analyzer_names[] = {
    {"SHA1", 4},
    {"SHA256", 6},
    {"MD5", 3},
    {"EXTRACT", 7},
    {"X509", 4},
};

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; s != NULL && *s != '\0'; s++) {
        h ^= (uint8_t)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void make_fuid(struct files *fm, const struct file_origin *o, char *out, size_t size)
{
    uint64_t h = fnv1a(o->source, fnv1a(o->uid, fm->fuid_key)), n = fm->seq++, v[2], s0, s1;

    h ^= o->is_orig ? 0x5bd1e995ULL : 0;
    s0 = h ^ (n * 0xd6e8feb86659fd93ULL);
    s1 = (h * 0xff51afd7ed558ccdULL) + n;
    v[0] = splitmix64(&s0) >> 32;
    v[1] = splitmix64(&s1);
    uid_format('F', v, out, size);
}

static int make_extract_dir(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create extract directory %s: %s", dir, strerror(errno));
        return -1;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "cannot write to extract directory %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

struct files *files_create(const struct files_config *cfg, struct log_set *logs, char *err, size_t errlen)
{
    static const struct files_config defaults = {.hashes = FILES_HASH_ALL};
    struct files *fm;

    if (cfg == NULL)
        cfg = &defaults;
    fm = calloc(1, sizeof(*fm));
    if (fm == NULL) {
        snprintf(err, errlen, "out of memory creating the file manager");
        return NULL;
    }
    fm->logs = logs;
    fm->max_open = cfg->max_open != 0 ? cfg->max_open : FILES_DEFAULT_MAX_OPEN;
    fm->extract_limit = cfg->extract_limit != 0 ? cfg->extract_limit : FILES_DEFAULT_EXTRACT_LIMIT;
    fm->fuid_key = 0x6a09e667f3bcc908ULL;
    if (cfg->extract_dir != NULL && cfg->extract_dir[0] != '\0') {
        size_t n = strlen(cfg->extract_dir);

        if (make_extract_dir(cfg->extract_dir, err, errlen) != 0)
            goto fail;
        fm->extract_dir = malloc(n + 1);
        if (fm->extract_dir == NULL) {
            snprintf(err, errlen, "out of memory creating the file manager");
            goto fail;
        }
        memcpy(fm->extract_dir, cfg->extract_dir, n + 1);
    }
    if (file_hash_algos_init(&fm->algos, cfg->hashes & FILES_HASH_ALL) != 0) {
        snprintf(err, errlen, "OpenSSL has no MD5, SHA1 or SHA256 digest");
        goto fail;
    }
    fm->slots = calloc(fm->max_open, sizeof(*fm->slots));
    if (fm->slots == NULL) {
        snprintf(err, errlen, "out of memory for %u open files", fm->max_open);
        goto fail;
    }
    /* Without the thread the same digests are computed inline: slower, never different. */
    fm->batch = calloc(fm->max_open, sizeof(struct file_ctx *));
    if (fm->batch == NULL) {
        snprintf(err, errlen, "out of memory for %u open files", fm->max_open);
        goto fail;
    }
    if (cfg->hash_thread && fm->algos.enabled != 0) {
        fm->ending = calloc(fm->max_open, sizeof(struct file_ctx *));
        if (fm->ending != NULL)
            fm->hasher = file_hasher_create(&fm->algos);
    }
    return fm;

fail:
    files_free(fm);
    return NULL;
}

/* The digest operations, on the hashing thread when there is one. */
static void hash_start(struct file_ctx *f)
{
    if (f->fm->hasher != NULL)
        file_hasher_start(f->fm->hasher, &f->hash);
    else
        (void)file_hash_start(&f->hash, &f->fm->algos);
}

static void hash_update(struct file_ctx *f, const uint8_t *data, size_t len)
{
    /* Bytes no digest will use are not copied for the thread either. */
    if (f->fm->algos.enabled == 0 || f->hash_dead)
        return;
    if (f->fm->hasher != NULL)
        file_hasher_update(f->fm->hasher, &f->hash, data, len);
    else
        file_hash_update(&f->hash, data, len);
}

static void hash_abandon(struct file_ctx *f)
{
    if (f->hash_dead)
        return;
    f->hash_dead = true;
    if (f->fm->hasher != NULL)
        file_hasher_abandon(f->fm->hasher, &f->hash);
    else
        file_hash_abandon(&f->hash);
}

static void files_settle(struct files *fm);

/* Readies the next never-used slot. Slots are readied on first use rather than all at start-up:
 * the default 4096 would cost 12288 digest contexts and every page of the slot array in each
 * engine (a sniff worker, a test run) before its first packet, while a run seldom has more than a
 * few dozen files in transfer at once. A readied slot keeps its contexts for life, so once the
 * busiest moment has been seen nothing more is allocated. */
static struct file_ctx *slot_ready_next(struct files *fm)
{
    struct file_ctx *f;

    if (fm->n_ready == fm->max_open)
        return NULL;
    f = &fm->slots[fm->n_ready];
    f->fm = fm;
    f->ext.fd = -1;
    if (file_hash_init(&f->hash) != 0)
        return NULL;
    fm->n_ready++;
    return f;
}

/* Decides the MIME type on what the bof buffer holds, and starts extraction with it. */
static void decide(struct file_ctx *f)
{
    struct files *fm = f->fm;

    f->mime = magic_sniff(f->bof, f->bof_len);
    f->mime_done = true;
    if (fm->extract_dir == NULL)
        return;
    if (file_extract_open(&f->ext, fm->extract_dir, f->source, f->fuid, f->mime != NULL ? f->mime->ext : "dat",
                          fm->extract_limit) != 0) {
        fm->stats.extract_errors++;
        (void)file_extract_close(&f->ext);
        return;
    }
    f->extracting = true;
    if (file_extract_write(&f->ext, f->bof, f->bof_len) != 0)
        fm->stats.extract_errors++;
}

struct file_ctx *files_open(struct files *fm, const struct file_origin *o, pw_time now, uint64_t total_bytes,
                            const char *filename, size_t filename_len)
{
    struct file_ctx *f;
    size_t n;

    if (fm == NULL || o == NULL)
        return NULL;
    files_poll(fm);
    f = fm->free_head != NULL ? fm->free_head : slot_ready_next(fm);
    if (f == NULL && fm->ends_written != fm->ends_queued) {
        /* Every slot is taken, some by files whose rows wait for their digests: wait for them. */
        files_settle(fm);
        f = fm->free_head;
    }
    if (f == NULL) {
        fm->stats.refused++;
        return NULL;
    }
    if (f == fm->free_head)
        fm->free_head = f->next_free;
    f->next_free = NULL;
    memset(&f->in_use, 0, offsetof(struct file_ctx, bof) - offsetof(struct file_ctx, in_use));
    f->ext.fd = -1;
    f->in_use = true;
    f->gen++;
    f->open_seq = fm->opened++;

    if (o->uid != NULL) {
        f->has_conn = true;
        snprintf(f->uid, sizeof(f->uid), "%s", o->uid);
        f->orig_h = o->orig_h;
        f->resp_h = o->resp_h;
        f->orig_p = o->orig_p;
        f->resp_p = o->resp_p;
        f->is_orig = o->is_orig;
        f->sender_local = o->sender_local;
    }
    if (o->source != NULL) {
        n = strlen(o->source);
        if (n >= sizeof(f->source))
            n = sizeof(f->source) - 1;
        memcpy(f->source, o->source, n);
        f->source[n] = '\0';
    }
    f->depth = o->depth;
    if (filename != NULL) {
        if (filename_len > FILES_NAME_MAX) {
            filename_len = FILES_NAME_MAX;
            fm->stats.filename_cut++;
        }
        memcpy(f->filename, filename, filename_len);
        f->filename_len = (uint32_t)filename_len;
        f->has_filename = true;
    }
    f->total = total_bytes;
    f->ts = f->last = now;
    make_fuid(fm, o, f->fuid, sizeof(f->fuid));
    /* A digest that fails to start leaves the file unhashed; it is still typed and logged. */
    hash_start(f);

    fm->stats.opened++;
    if (++fm->stats.in_use > fm->stats.peak)
        fm->stats.peak = fm->stats.in_use;
    return f;
}

void file_data(struct file_ctx *f, pw_time now, const uint8_t *data, size_t len)
{
    size_t off = 0;

    /* A file that ended (a shared one another connection finished) takes nothing more: its row
     * is what it was when it ended. */
    if (f == NULL || len == 0 || !f->in_use)
        return;
    f->last = now;
    f->seen += len;
    hash_update(f, data, len);
    if (!f->mime_done) {
        off = FILES_BOF_SIZE - f->bof_len;
        if (off > len)
            off = len;
        memcpy(f->bof + f->bof_len, data, off);
        f->bof_len += (uint32_t)off;
        if (f->bof_len == FILES_BOF_SIZE) {
            f->fm->stats.bof_full++;
            decide(f);
        }
    }
    if (f->extracting && off < len && file_extract_write(&f->ext, data + off, len - off) != 0)
        f->fm->stats.extract_errors++;
}

void file_gap(struct file_ctx *f, uint64_t len)
{
    if (f == NULL || len == 0 || !f->in_use)
        return;
    /* What came before the gap is all the beginning there will be: type the file on it. */
    if (!f->mime_done)
        decide(f);
    hash_abandon(f);
    f->missing += len;
    if (f->extracting)
        file_extract_hole(&f->ext, len);
}

static void write_row(struct file_ctx *f, char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX], bool hashed,
                      bool timedout);

/* A shared file: one row per connection that carried it, as Zeek logs a file of several. */
static void write_rows(struct file_ctx *f, char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX], bool hashed, bool timedout)
{
    if (f->share_key == 0) {
        write_row(f, hex, hashed, timedout);
        return;
    }
    if (f->max_end > f->seen)
        f->missing = f->max_end - f->seen;
    for (unsigned i = 0; i < f->n_conns; i++) {
        const struct file_conn *c = &f->conns[i];

        snprintf(f->uid, sizeof(f->uid), "%s", c->uid);
        f->orig_h = c->orig_h;
        f->resp_h = c->resp_h;
        f->orig_p = c->orig_p;
        f->resp_p = c->resp_p;
        f->is_orig = c->is_orig;
        f->sender_local = c->sender_local;
        write_row(f, hex, hashed, timedout);
    }
}

static void write_row(struct file_ctx *f, char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX], bool hashed,
                      bool timedout)
{
    struct files *fm = f->fm;
    struct files_record r;
    uint64_t *m = &r.log_set;

    memset(&r, 0, sizeof(r));
    r.ts = f->ts;
    r.fuid = log_str_from(f->fuid, strlen(f->fuid));
    if (f->has_conn) {
        r.uid = log_str_from(f->uid, strlen(f->uid));
        r.id.orig_h = f->orig_h;
        r.id.orig_p = f->orig_p;
        r.id.resp_h = f->resp_h;
        r.id.resp_p = f->resp_p;
        r.local_orig = f->sender_local;
        r.is_orig = f->is_orig;
        log_mark(m, FILES_F_UID);
        log_mark(m, FILES_F_ORIG_H);
        log_mark(m, FILES_F_ORIG_P);
        log_mark(m, FILES_F_RESP_H);
        log_mark(m, FILES_F_RESP_P);
        log_mark(m, FILES_F_LOCAL_ORIG);
        log_mark(m, FILES_F_IS_ORIG);
    }
    if (f->source[0] != '\0') {
        r.source = log_str_from(f->source, strlen(f->source));
        log_mark(m, FILES_F_SOURCE);
    }
    r.depth = f->depth;
    {
        /* Zeek's order from its baselines: SHA1, SHA256, MD5, then EXTRACT. */
        static const unsigned order_bit[3] = {FILES_HASH_SHA1, FILES_HASH_SHA256, FILES_HASH_MD5};
        uint32_t n = 0;

        /* Content out of order removes the digest analyzers, as Zeek's file analysis does. */
        for (int i = 0; i < 3 && !f->nonlinear; i++)
            if (fm->algos.enabled & order_bit[i])
                f->analyzer_list[n++] = analyzer_names[i];
        if (fm->extract_dir != NULL)
            f->analyzer_list[n++] = analyzer_names[3];
        if (f->x509)
            f->analyzer_list[n++] = analyzer_names[4];
        r.analyzers.items = f->analyzer_list;
        r.analyzers.n = n;
    }
    if (f->mime_override != NULL) {
        r.mime_type = log_str_from(f->mime_override, strlen(f->mime_override));
        log_mark(m, FILES_F_MIME_TYPE);
    } else if (f->mime != NULL) {
        r.mime_type = log_str_from(f->mime->mime, strlen(f->mime->mime));
        log_mark(m, FILES_F_MIME_TYPE);
    }
    if (f->has_filename) {
        r.filename = log_str_from(f->filename, f->filename_len);
        log_mark(m, FILES_F_FILENAME);
    }
    r.duration = f->last > f->ts ? f->last - f->ts : 0;
    r.seen_bytes = f->seen;
    if (f->total != 0) {
        r.total_bytes = f->total;
        log_mark(m, FILES_F_TOTAL_BYTES);
    }
    r.missing_bytes = f->missing;
    r.timedout = timedout;
    if (hashed && hex[FILE_HASH_MD5][0] != '\0') {
        r.md5 = log_str_from(hex[FILE_HASH_MD5], strlen(hex[FILE_HASH_MD5]));
        log_mark(m, FILES_F_MD5);
    }
    if (hashed && hex[FILE_HASH_SHA1][0] != '\0') {
        r.sha1 = log_str_from(hex[FILE_HASH_SHA1], strlen(hex[FILE_HASH_SHA1]));
        log_mark(m, FILES_F_SHA1);
    }
    if (hashed && hex[FILE_HASH_SHA256][0] != '\0') {
        r.sha256 = log_str_from(hex[FILE_HASH_SHA256], strlen(hex[FILE_HASH_SHA256]));
        log_mark(m, FILES_F_SHA256);
    }
    if (f->extracting) {
        r.extracted = log_str_from(f->ext.name, strlen(f->ext.name));
        r.extracted_cutoff = f->ext.cutoff;
        log_mark(m, FILES_F_EXTRACTED);
        log_mark(m, FILES_F_EXTRACTED_CUTOFF);
        /* Zeek sets extracted_size only when the limit cut the file, to the limit. */
        if (f->ext.cutoff) {
            r.extracted_size = f->ext.limit;
            log_mark(m, FILES_F_EXTRACTED_SIZE);
        }
    }
    if (fm->logs != NULL && log_set_write(fm->logs, &files_log_schema, &r) != 0)
        fm->stats.log_errors++;
}

/* The files.log rows of an ended file, and its slot back on the free list. */
static void finish_rows(struct file_ctx *f, char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX], bool hashed)
{
    struct files *fm = f->fm;

    write_rows(f, hex, hashed && !f->nonlinear, f->timedout);
    f->next_free = fm->free_head;
    fm->free_head = f;
    fm->stats.in_use--;
}

static void finish(struct file_ctx *f, bool timedout)
{
    struct files *fm = f->fm;
    char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX];
    bool hashed;

    if (!f->mime_done)
        decide(f);
    if (f->extracting) {
        if (file_extract_close(&f->ext) != 0)
            fm->stats.extract_errors++;
        if (f->ext.cutoff)
            fm->stats.extract_cutoff++;
    }
    if (timedout)
        fm->stats.timedout++;
    if (f->share_key != 0)
        fm->shared_open--;
    /* Ended: no lookup finds it, no byte reaches it, but the slot stays taken until the row. */
    f->in_use = false;
    f->timedout = timedout;
    if (fm->hasher != NULL) {
        file_hasher_finish(fm->hasher, &f->hash);
        fm->ending[fm->ends_queued++ % fm->max_open] = f;
        return;
    }
    hashed = file_hash_finish(&f->hash, hex);
    finish_rows(f, hex, hashed);
}

void files_poll(struct files *fm)
{
    uint64_t done;

    if (fm == NULL || fm->hasher == NULL || fm->ends_written == fm->ends_queued)
        return;
    done = file_hasher_finished(fm->hasher);
    while (fm->ends_written < done) {
        struct file_ctx *f = fm->ending[fm->ends_written++ % fm->max_open];

        finish_rows(f, f->hash.hex, f->hash.hashed);
    }
}

/* Every ended file's row written: the thread has caught up. */
static void files_settle(struct files *fm)
{
    if (fm->hasher == NULL)
        return;
    file_hasher_drain(fm->hasher);
    files_poll(fm);
}

void file_close(struct file_ctx *f, pw_time now)
{
    if (f == NULL || !f->in_use)
        return;
    finish(f, false);
}

static int by_open_seq(const void *a, const void *b)
{
    const struct file_ctx *x = *(struct file_ctx *const *)a, *y = *(struct file_ctx *const *)b;

    return x->open_seq < y->open_seq ? -1 : x->open_seq > y->open_seq;
}

/* Ends the files in batch[0..n) in the order they were opened: which slot a file took depends
 * on when others gave theirs back, the order of its row must not. */
static void finish_batch(struct files *fm, uint32_t n)
{
    qsort(fm->batch, n, sizeof(struct file_ctx *), by_open_seq);
    for (uint32_t i = 0; i < n; i++)
        finish(fm->batch[i], true);
}

void files_free(struct files *fm)
{
    uint32_t i;

    if (fm == NULL)
        return;
    if (fm->slots != NULL && fm->batch != NULL) {
        uint32_t n = 0;

        for (i = 0; i < fm->n_ready; i++)
            if (fm->slots[i].in_use)
                fm->batch[n++] = &fm->slots[i];
        finish_batch(fm, n);
        files_settle(fm);
    }
    /* The thread is done with every context before they go. */
    file_hasher_free(fm->hasher);
    free(fm->ending);
    free(fm->batch);
    if (fm->slots != NULL) {
        for (i = 0; i < fm->n_ready; i++)
            file_hash_fini(&fm->slots[i].hash);
        free(fm->slots);
    }
    file_hash_algos_fini(&fm->algos);
    free(fm->extract_dir);
    free(fm);
}

uint32_t file_generation(const struct file_ctx *f)
{
    return f != NULL ? f->gen : 0;
}

bool file_still(const struct file_ctx *f, uint32_t gen)
{
    return f != NULL && f->in_use && f->gen == gen;
}

const char *file_fuid(const struct file_ctx *f)
{
    return f != NULL ? f->fuid : NULL;
}

const char *file_mime_type(const struct file_ctx *f)
{
    const struct magic_type *t;

    if (f == NULL)
        return NULL;
    t = f->mime_done ? f->mime : magic_sniff(f->bof, f->bof_len);
    return t != NULL ? t->mime : NULL;
}

static void add_conn(struct file_ctx *f, const struct file_origin *o)
{
    struct file_conn *c;

    for (unsigned i = 0; i < f->n_conns; i++)
        if (strcmp(f->conns[i].uid, o->uid) == 0)
            return;
    if (f->n_conns == FILES_SHARED_CONNS)
        return;
    c = &f->conns[f->n_conns++];
    snprintf(c->uid, sizeof(c->uid), "%s", o->uid);
    c->orig_h = o->orig_h;
    c->resp_h = o->resp_h;
    c->orig_p = o->orig_p;
    c->resp_p = o->resp_p;
    c->is_orig = o->is_orig;
    c->sender_local = o->sender_local;
}

struct file_ctx *files_open_shared(struct files *fm, uint64_t key, const struct file_origin *o, pw_time now,
                                   uint64_t total_bytes)
{
    struct file_ctx *f;

    if (fm == NULL || o == NULL || o->uid == NULL)
        return NULL;
    key |= 1;   /* 0 means "not shared" */
    for (uint32_t i = 0; i < fm->n_ready && fm->shared_open > 0; i++) {
        f = &fm->slots[i];
        if (f->in_use && f->share_key == key) {
            add_conn(f, o);
            return f;
        }
    }
    f = files_open(fm, o, now, total_bytes, NULL, 0);
    if (f == NULL)
        return NULL;
    f->share_key = key;
    fm->shared_open++;
    add_conn(f, o);
    return f;
}

void file_data_at(struct file_ctx *f, pw_time now, uint64_t offset, const uint8_t *data, size_t len)
{
    if (f == NULL || len == 0 || !f->in_use)
        return;
    if (offset != f->next_off && !f->nonlinear) {
        f->nonlinear = true;
        hash_abandon(f);
    }
    if (!f->nonlinear) {
        file_data(f, now, data, len);
    } else {
        f->last = now;
        f->seen += len;
    }
    f->next_off = offset + len;
    if (f->next_off > f->max_end)
        f->max_end = f->next_off;
}

void file_release(struct file_ctx *f, pw_time now)
{
    if (f == NULL || !f->in_use)
        return;
    /* A shared file ends when it is whole, or when it times out (files_expire, files_free). */
    if (f->share_key == 0 || (f->total != 0 && f->seen >= f->total))
        finish(f, false);
}

void files_expire(struct files *fm, pw_time now)
{
    uint32_t n = 0;

    files_poll(fm);
    for (uint32_t i = 0; fm != NULL && i < fm->n_ready && fm->shared_open > 0; i++) {
        struct file_ctx *f = &fm->slots[i];

        if (f->in_use && f->share_key != 0 && now - f->last > FILES_SHARED_TIMEOUT)
            fm->batch[n++] = f;
    }
    if (n > 0)
        finish_batch(fm, n);
}

void file_set_x509(struct file_ctx *f, bool host_cert)
{
    /* Zeek's X.509 file analysis types the chain by position, not by content. */
    f->mime_override = host_cert ? "application/x-x509-user-cert" : "application/x-x509-ca-cert";
    f->x509 = true;
}

const char *files_sniff_mime(const uint8_t *data, size_t len)
{
    const struct magic_type *t = magic_sniff(data, len);

    return t != NULL ? t->mime : NULL;
}

void files_stats(const struct files *fm, struct files_stats *out)
{
    if (fm == NULL) {
        memset(out, 0, sizeof(*out));
        return;
    }
    *out = fm->stats;
}
