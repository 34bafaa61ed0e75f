/* log/log_set.c - the open log files of one run: lazy open, buffered writes, #close on free, rotation. */
#include "log/log_set.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log/log_buf.h"
#include "log/log_value.h"
#include "log/log_writer.h"
#include "util/io.h"

#define LOG_SET_MAX_FILES 32
#define LOG_SET_FILE_BUF  (64u * 1024u)
/* Fits a record at Zeek's per-record limits (256000 string bytes, each possibly escaped to
 * four) with room for the other columns. */
#define LOG_SET_LINE_CAP  (1280u * 1024u)

struct log_file {
    const struct log_schema *schema;
    int                      fd;
    char                    *buf;      /* LOG_SET_FILE_BUF bytes */
    size_t                   len;
    uint64_t                 bytes;    /* written since it opened, header included (size rotation) */
    time_t                   opened;   /* wall time of #open (the rotated name) */
};

struct log_set {
    char                     dir[PATH_MAX];
    const struct log_writer *writer;
    bool                     to_stdout;
    bool                     append;   /* O_APPEND, no O_TRUNC: configured, or after a reopen */
    log_set_sink_fn          sink;
    void                    *sink_arg;
    bool                     sink_json;
    log_set_sink_fn          tee;
    void                    *tee_arg;
    struct log_file          files[LOG_SET_MAX_FILES];
    unsigned                 nfiles;
    struct log_file          out;      /* stdout, when to_stdout */
    char                    *line;
    struct log_buf           lb;
    struct log_set_stats     stats;
};

/* mkdir -p: creates each missing component of path. */
static int make_dirs(const char *path)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path), i;

    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        if (i < n)
            tmp[i] = '/';
    }
    return 0;
}

struct log_set *log_set_create(const struct log_set_config *cfg, char *err, size_t errlen)
{
    const char *dir = cfg->dir != NULL && cfg->dir[0] != '\0' ? cfg->dir : ".";
    struct log_set *set;

    if (strlen(dir) >= sizeof(set->dir)) {
        snprintf(err, errlen, "log directory name too long: %s", dir);
        return NULL;
    }
    if (!cfg->to_stdout && cfg->sink == NULL) {
        if (make_dirs(dir) != 0) {
            snprintf(err, errlen, "cannot create log directory %s: %s", dir, strerror(errno));
            return NULL;
        }
        if (access(dir, W_OK | X_OK) != 0) {
            snprintf(err, errlen, "cannot write to log directory %s: %s", dir, strerror(errno));
            return NULL;
        }
    }
    set = calloc(1, sizeof(*set));
    if (set == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    set->line = malloc(LOG_SET_LINE_CAP);
    if (set->line == NULL) {
        free(set);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    log_buf_init(&set->lb, set->line, LOG_SET_LINE_CAP);
    memcpy(set->dir, dir, strlen(dir) + 1);
    set->to_stdout = cfg->to_stdout;
    set->append = cfg->append;
    set->sink = cfg->sink;
    set->sink_arg = cfg->sink_arg;
    set->sink_json = cfg->sink_json && cfg->format == LOG_FORMAT_TSV;
    set->tee = cfg->tee;
    set->tee_arg = cfg->tee_arg;
    /* stdout carries several logs in one stream, which only JSON's "_path" can tell apart. */
    set->writer = (cfg->to_stdout && cfg->sink == NULL) || cfg->format == LOG_FORMAT_JSON ? &log_json_writer
                                                                                          : &log_tsv_writer;
    if (cfg->to_stdout) {
        set->out.buf = malloc(LOG_SET_FILE_BUF);
        if (set->out.buf == NULL) {
            free(set->line);
            free(set);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        set->out.fd = STDOUT_FILENO;
    }
    return set;
}

/* Writes out a file's buffer; on failure the buffered rows are lost and counted. */
static int file_flush(struct log_set *set, struct log_file *f)
{
    int rc = 0;

    if (f->len > 0 && io_write_all(f->fd, f->buf, f->len) != 0) {
        set->stats.io_errors++;
        rc = -1;
    }
    f->len = 0;
    return rc;
}

static int file_put(struct log_set *set, struct log_file *f, const char *p, size_t n)
{
    int rc = 0;

    if (n > LOG_SET_FILE_BUF - f->len)
        rc = file_flush(set, f);
    if (n > LOG_SET_FILE_BUF) {
        if (io_write_all(f->fd, p, n) != 0) {
            set->stats.io_errors++;
            rc = -1;
        }
        f->bytes += n;
        return rc;
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
    f->bytes += n;
    return rc;
}

static struct log_file *file_find(struct log_set *set, const struct log_schema *s)
{
    unsigned i;

    for (i = 0; i < set->nfiles; i++)
        if (set->files[i].schema == s)
            return &set->files[i];
    /* Two schema objects for one path share the file. */
    for (i = 0; i < set->nfiles; i++)
        if (strcmp(set->files[i].schema->path, s->path) == 0)
            return &set->files[i];
    return NULL;
}

static struct log_file *file_open(struct log_set *set, const struct log_schema *s)
{
    struct log_file *f;
    char name[PATH_MAX];
    int n, fd;

    if (set->nfiles == LOG_SET_MAX_FILES)
        return NULL;
    n = snprintf(name, sizeof(name), "%s/%s.log", set->dir, s->path);
    if (n < 0 || (size_t)n >= sizeof(name))
        return NULL;
    fd = open(name, O_WRONLY | O_CREAT | O_CLOEXEC | (set->append ? O_APPEND : O_TRUNC), 0644);
    if (fd < 0) {
        set->stats.io_errors++;
        return NULL;
    }
    f = &set->files[set->nfiles];
    f->buf = malloc(LOG_SET_FILE_BUF);
    if (f->buf == NULL) {
        close(fd);
        return NULL;
    }
    set->nfiles++;
    f->schema = s;
    f->fd = fd;
    f->len = 0;
    f->bytes = 0;
    f->opened = time(NULL);
    if (set->writer->header != NULL) {
        log_buf_reset(&set->lb);
        set->writer->header(&set->lb, s, f->opened);
        if (!set->lb.overflow)
            file_put(set, f, set->lb.p, set->lb.len);
    }
    return f;
}

/* A sink set: the row formatted (twice with sink_json) and handed over. */
static int sink_write(struct log_set *set, const struct log_schema *s, const void *record)
{
    const struct log_writer *w = set->writer;
    struct log_budget bg;
    size_t start = 0;

    for (;;) {
        log_value_budget_init(&bg);
        log_buf_reset(&set->lb);
        w->row(&set->lb, &start, s, record, NULL, &bg);
        if (w == set->writer) {
            set->stats.strings_cut += bg.strings_cut;
            set->stats.containers_cut += bg.containers_cut;
        }
        if (set->lb.overflow) {
            set->stats.rows_dropped++;
            return -1;
        }
        set->sink(set->sink_arg, s, w == &log_json_writer ? LOG_FORMAT_JSON : LOG_FORMAT_TSV,
                  set->lb.p + start, set->lb.len - start);
        if (w == &log_json_writer || !set->sink_json)
            break;
        w = &log_json_writer;
    }
    set->stats.rows++;
    return 0;
}

/* The row log_set_write just wrote, handed to the tee as JSON: as it stands in a JSON file, else
 * formatted again (a TSV row, or a stdout row with its "_path"). */
static void tee_row(struct log_set *set, const struct log_schema *s, const void *record, size_t start)
{
    struct log_budget bg;

    if (set->writer != &log_json_writer || set->to_stdout) {
        log_value_budget_init(&bg);
        log_buf_reset(&set->lb);
        start = 0;
        log_json_writer.row(&set->lb, &start, s, record, NULL, &bg);
        if (set->lb.overflow)
            return;
    }
    set->tee(set->tee_arg, s, LOG_FORMAT_JSON, set->lb.p + start, set->lb.len - start);
}

int log_set_write(struct log_set *set, const struct log_schema *s, const void *record)
{
    struct log_budget bg;
    struct log_file *f;
    size_t start = 0;
    int rc;

    if (s->nfields > 64) {
        set->stats.rows_dropped++;
        return -1;
    }
    if (set->sink != NULL)
        return sink_write(set, s, record);
    if (set->to_stdout) {
        f = &set->out;
    } else {
        f = file_find(set, s);
        if (f == NULL)
            f = file_open(set, s);
        if (f == NULL) {
            set->stats.rows_dropped++;
            return -1;
        }
    }
    log_value_budget_init(&bg);
    log_buf_reset(&set->lb);
    set->writer->row(&set->lb, &start, s, record, set->to_stdout ? s->path : NULL, &bg);
    set->stats.strings_cut += bg.strings_cut;
    set->stats.containers_cut += bg.containers_cut;
    if (set->lb.overflow) {
        set->stats.rows_dropped++;
        return -1;
    }
    set->stats.rows++;
    rc = file_put(set, f, set->lb.p + start, set->lb.len - start);
    if (set->tee != NULL)
        tee_row(set, s, record, start);
    return rc;
}

int log_set_write_row(struct log_set *set, const struct log_schema *s, const char *row, size_t len)
{
    struct log_file *f;

    if (set->sink != NULL || len == 0)
        return -1;
    if (set->to_stdout) {
        /* The row came without "_path" (a file row): it goes in front of the first key. */
        if (row[0] != '{') {
            set->stats.rows_dropped++;
            return -1;
        }
        log_buf_reset(&set->lb);
        log_buf_add(&set->lb, "{\"_path\":", 9);
        log_value_str_json(&set->lb, s->path, strlen(s->path));
        if (len > 1 && row[1] != '}')
            log_buf_addc(&set->lb, ',');
        log_buf_add(&set->lb, row + 1, len - 1);
        if (set->lb.overflow) {
            set->stats.rows_dropped++;
            return -1;
        }
        set->stats.rows++;
        return file_put(set, &set->out, set->lb.p, set->lb.len);
    }
    f = file_find(set, s);
    if (f == NULL)
        f = file_open(set, s);
    if (f == NULL) {
        set->stats.rows_dropped++;
        return -1;
    }
    set->stats.rows++;
    return file_put(set, f, row, len);
}

/* Writes the footer, flushes and closes file i, and takes it out of the set. */
static void file_close(struct log_set *set, unsigned i, time_t now)
{
    struct log_file *f = &set->files[i];

    if (set->writer->footer != NULL) {
        log_buf_reset(&set->lb);
        set->writer->footer(&set->lb, now);
        if (!set->lb.overflow)
            file_put(set, f, set->lb.p, set->lb.len);
    }
    file_flush(set, f);
    close(f->fd);
    free(f->buf);
    set->nfiles--;
    if (i != set->nfiles)
        set->files[i] = set->files[set->nfiles];
}

void log_set_reopen(struct log_set *set, time_t now)
{
    if (set == NULL)
        return;
    while (set->nfiles > 0)
        file_close(set, set->nfiles - 1, now);
    /* Whoever sent us here may not have moved the files: never truncate what is there. */
    set->append = true;
}

int log_set_rotated_name(char *buf, size_t size, const char *path, time_t opened)
{
    char stamp[64];
    struct tm tm;
    int n;

    if (localtime_r(&opened, &tm) == NULL || strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H-%M-%S", &tm) == 0)
        return -1;
    n = snprintf(buf, size, "%s.%s.log", path, stamp);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

/* Renames from to the rotated name, with a "-N" suffix if a file of that name exists already
 * (two size rotations in one second). */
static int rotate_rename(const struct log_set *set, const char *from, const struct log_file *f)
{
    char base[PATH_MAX], to[PATH_MAX];
    int n = log_set_rotated_name(base, sizeof(base), f->schema->path, f->opened);

    if (n < 4)
        return -1;
    base[n - 4] = '\0';   /* without ".log" */
    for (unsigned k = 0; k < 1000; k++) {
        int m = k == 0 ? snprintf(to, sizeof(to), "%s/%s.log", set->dir, base)
                       : snprintf(to, sizeof(to), "%s/%s-%u.log", set->dir, base, k);

        if (m < 0 || (size_t)m >= sizeof(to))
            return -1;
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EEXIST)
            continue;
        /* A file system without RENAME_NOREPLACE: check, then rename. */
        if (errno == EINVAL) {
            if (access(to, F_OK) == 0)
                continue;
            return rename(from, to);
        }
        return -1;
    }
    return -1;
}

int log_set_rotate(struct log_set *set, time_t now, uint64_t min_bytes)
{
    int rotated = 0, rc = 0;
    unsigned i = 0;

    if (set == NULL || set->to_stdout || set->sink != NULL)
        return 0;
    /* A file whose rename failed is still there under its own name: reopening must not truncate it. */
    set->append = true;
    while (i < set->nfiles) {
        struct log_file f = set->files[i];
        char from[PATH_MAX];
        int n;

        if (f.bytes < min_bytes || f.bytes == 0) {
            i++;
            continue;
        }
        n = snprintf(from, sizeof(from), "%s/%s.log", set->dir, f.schema->path);
        file_close(set, i, now);
        if (n < 0 || (size_t)n >= sizeof(from) || rotate_rename(set, from, &f) != 0) {
            set->stats.io_errors++;
            rc = -1;
            continue;
        }
        rotated++;
    }
    return rc != 0 ? rc : rotated;
}

void log_set_stats(const struct log_set *set, struct log_set_stats *out)
{
    *out = set->stats;
}

void log_set_flush(struct log_set *set)
{
    unsigned i;

    if (set == NULL)
        return;
    for (i = 0; i < set->nfiles; i++)
        file_flush(set, &set->files[i]);
    if (set->to_stdout)
        file_flush(set, &set->out);
}

void log_set_free(struct log_set *set)
{
    unsigned i;

    if (set == NULL)
        return;
    for (i = 0; i < set->nfiles; i++) {
        struct log_file *f = &set->files[i];

        if (set->writer->footer != NULL) {
            log_buf_reset(&set->lb);
            set->writer->footer(&set->lb, time(NULL));
            if (!set->lb.overflow)
                file_put(set, f, set->lb.p, set->lb.len);
        }
        file_flush(set, f);
        close(f->fd);
        free(f->buf);
    }
    if (set->to_stdout) {
        file_flush(set, &set->out);
        free(set->out.buf);
    }
    free(set->line);
    free(set);
}

int log_format_parse(const char *text, enum log_format *out)
{
    if (strcmp(text, "tsv") == 0)
        *out = LOG_FORMAT_TSV;
    else if (strcmp(text, "json") == 0)
        *out = LOG_FORMAT_JSON;
    else
        return -1;
    return 0;
}
