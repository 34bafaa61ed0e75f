/* log/log_set.c - the open log files of one run: lazy open, buffered writes, #close on free. */
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
};

struct log_set {
    char                     dir[PATH_MAX];
    const struct log_writer *writer;
    bool                     to_stdout;
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
    if (!cfg->to_stdout) {
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
    /* stdout carries several logs in one stream, which only JSON's "_path" can tell apart. */
    set->writer = cfg->to_stdout || cfg->format == LOG_FORMAT_JSON ? &log_json_writer
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

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes out a file's buffer; on failure the buffered rows are lost and counted. */
static int file_flush(struct log_set *set, struct log_file *f)
{
    int rc = 0;

    if (f->len > 0 && write_all(f->fd, f->buf, f->len) != 0) {
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
        if (write_all(f->fd, p, n) != 0) {
            set->stats.io_errors++;
            rc = -1;
        }
        return rc;
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
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
    fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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
    if (set->writer->header != NULL) {
        log_buf_reset(&set->lb);
        set->writer->header(&set->lb, s, time(NULL));
        if (!set->lb.overflow)
            file_put(set, f, set->lb.p, set->lb.len);
    }
    return f;
}

int log_set_write(struct log_set *set, const struct log_schema *s, const void *record)
{
    struct log_budget bg;
    struct log_file *f;
    size_t start = 0;

    if (s->nfields > 64) {
        set->stats.rows_dropped++;
        return -1;
    }
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
    return file_put(set, f, set->lb.p + start, set->lb.len - start);
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
