/* files/file_extract.c - writes a file's bytes to <dir>/<source>-<fuid>.<ext>, holes for gaps, up to a limit. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "files/files_int.h"

/* The protocol name goes into a path: keep it to characters that cannot climb out of dir. */
static size_t safe_component(const char *s, char *out, size_t size)
{
    size_t n = 0;

    for (; s != NULL && *s != '\0' && n + 1 < size; s++) {
        char c = *s;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
            out[n++] = c;
    }
    if (n == 0 && size > 4) {
        memcpy(out, "FILE", 4);
        n = 4;
    }
    out[n] = '\0';
    return n;
}

int file_extract_open(struct file_extract *x, const char *dir, const char *source, const char *fuid,
                      const char *ext, uint64_t limit)
{
    char src[24], path[PATH_MAX];
    int n;

    x->fd = -1;
    x->size = 0;
    x->limit = limit;
    x->cutoff = false;
    x->failed = false;
    safe_component(source, src, sizeof(src));
    n = snprintf(x->name, sizeof(x->name), "%s-%s.%s", src, fuid, ext != NULL ? ext : "dat");
    if (n < 0 || (size_t)n >= sizeof(x->name)) {
        x->name[0] = '\0';
        return -1;
    }
    n = snprintf(path, sizeof(path), "%s/%s", dir, x->name);
    if (n < 0 || (size_t)n >= sizeof(path))
        return -1;
    x->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return x->fd >= 0 ? 0 : -1;
}

int file_extract_write(struct file_extract *x, const uint8_t *data, size_t len)
{
    uint64_t room;
    size_t done = 0;

    if (x->fd < 0 || x->failed || x->cutoff || len == 0)
        return 0;
    room = x->limit - x->size;
    if ((uint64_t)len > room) {
        len = (size_t)room;
        x->cutoff = true;
    }
    while (done < len) {
        ssize_t w = pwrite(x->fd, data + done, len - done, (off_t)(x->size + done));

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            x->failed = true;
            x->size += done;
            return -1;
        }
        done += (size_t)w;
    }
    x->size += len;
    return 0;
}

void file_extract_hole(struct file_extract *x, uint64_t len)
{
    if (x->fd < 0 || x->failed || x->cutoff)
        return;
    if (len > x->limit - x->size) {
        x->size = x->limit;
        x->cutoff = true;
        return;
    }
    x->size += len;
}

int file_extract_close(struct file_extract *x)
{
    int rc = 0;

    if (x->fd < 0)
        return 0;
    /* pwrite never extends the file over a trailing hole; ftruncate does. */
    if (!x->failed && ftruncate(x->fd, (off_t)x->size) != 0)
        rc = -1;
    if (close(x->fd) != 0)
        rc = -1;
    x->fd = -1;
    return rc;
}
