/* proto/http_body.c - HTTP message bodies after transfer decoding: gzip/deflate content decoding
 * with zlib, body length as Zeek counts it, and the body handed to file analysis.
 *
 * Decoder memory: a z_stream lives in each direction's state, but zlib's own inflate state
 * (~7 KiB) and window (32 KiB) are allocated only when a message actually declares a
 * compressed Content-Encoding, once per such message, and freed when it ends. Keeping a 40 KiB
 * arena in every HTTP flow's state would cost that much on every flow for the few that compress;
 * the number of decoders alive at once is capped process-wide (HTTP_INFLATE_ACTIVE) and decoded
 * output per message is capped (HTTP_INFLATE_MAX), both counted when hit. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "files/files.h"
#include "proto/http_int.h"
#include "proto/session.h"

/* Decoders alive now; the engine runs analyzers on one thread. */
static unsigned inflate_active;

static voidpf zalloc_counted(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return calloc(items, size);
}

static void zfree_counted(voidpf opaque, voidpf p)
{
    (void)opaque;
    free(p);
}

void http_body_release(struct http_dir *d)
{
    if (!d->z_active)
        return;
    inflateEnd(&d->z);
    d->z_active = false;
    inflate_active--;
}

static bool z_start(struct http_dir *d)
{
    if (inflate_active >= HTTP_INFLATE_ACTIVE) {
        http_counters.inflate_refused++;
        return false;
    }
    memset(&d->z, 0, sizeof(d->z));
    d->z.zalloc = zalloc_counted;
    d->z.zfree = zfree_counted;
    /* 15 + 32: zlib or gzip header, detected; raw deflate is the fallback for "deflate" */
    if (inflateInit2(&d->z, d->z_raw ? -MAX_WBITS : MAX_WBITS + 32) != Z_OK)
        return false;
    d->z_active = true;
    inflate_active++;
    return true;
}

/* total bytes the entity would announce to file analysis (Zeek's SetSize), 0 = unknown */
static uint64_t file_total(const struct http_dir *d)
{
    if (d->encoding != HTTP_ENC_IDENTITY)
        return 0;   /* decoding invalidates header sizes */
    if (d->is_partial)
        return d->instance_length > 0 ? (uint64_t)d->instance_length : 0;
    return d->content_length > 0 ? (uint64_t)d->content_length : 0;
}

/* The message's file. A range answering a Range request is part of one file per host and URL,
 * whichever connection carries it (Zeek's HTTP get_file_handle). */
static struct file_ctx *open_file(struct session *s, struct http_state *st, enum flow_dir dir)
{
    struct http_dir *d = &st->d[dir];
    struct http_tx *t;
    const char *host = "", *uri = "";
    size_t hl = 0, ul = 0;
    char key[HTTP_LINE_MAX + 300];
    int n;

    if (dir == FLOW_DIR_RESP && d->is_partial && d->encoding == HTTP_ENC_IDENTITY &&
        (t = http_set_state(s, st, dir)) != NULL && t->range_request) {
        (void)http_tx_str(st, t, HTTP_S_HOST, &host, &hl);
        (void)http_tx_str(st, t, HTTP_S_URI, &uri, &ul);
        n = snprintf(key, sizeof(key), "HTTP F %.*s http://%.*s%.*s", (int)hl, host, (int)hl, host, (int)ul, uri);
        d->shared_file = true;
        return session_file_open_shared(s, dir, "HTTP", key, n > 0 ? (size_t)n : 0, file_total(d));
    }
    return session_file_open(s, dir, "HTTP", file_total(d), d->has_filename ? d->filename : NULL,
                             d->has_filename ? d->filename_len : 0);
}

/* The message's file, or NULL: a shared file another connection finished is no longer ours (its
 * slot may already hold another file). */
static struct file_ctx *dir_file(struct http_dir *d)
{
    if (d->file != NULL && d->shared_file && !file_still(d->file, d->file_gen))
        d->file = NULL;
    return d->file;
}

/* Decoded bytes: counted, and the first opens the message's file. */
static void body_clear(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p, size_t n)
{
    struct http_dir *d = &st->d[dir];

    if (n == 0)
        return;
    d->body_len += n;
    if (d->file == NULL && !d->file_listed) {
        d->file_listed = true;
        d->file = open_file(s, st, dir);
        d->file_gen = file_generation(d->file);
        if (d->file != NULL && st->c_http_set) {
            const char *fuid = file_fuid(d->file);

            /* file_over_new_connection lists the file on whatever c$http is now */
            d->file_key = st->c_http;
            http_tx_set_str(st, d->file_key, (unsigned)(HTTP_S_FUID + dir), fuid, strlen(fuid));
            if (d->has_filename)
                http_tx_set_str(st, d->file_key, (unsigned)(HTTP_S_FNAME + dir), d->filename, d->filename_len);
        }
    }
    if (dir_file(d) != NULL && d->shared_file)
        file_data_at(d->file, session_now(s), (uint64_t)d->range_first + d->body_len - n, p, n);
    else if (d->file != NULL)
        file_data(d->file, session_now(s), p, n);
    if (dir == FLOW_DIR_ORIG)
        http_detect_body(s, st, dir, p, n);
}

static void body_inflate(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p, size_t n)
{
    struct http_dir *d = &st->d[dir];
    uint8_t out[8192];
    bool first = d->z_out == 0 && (!d->z_active || d->z.total_in == 0);

    if (!d->z_active && !z_start(d)) {
        d->z_failed = true;
        body_clear(s, st, dir, p, n);
        return;
    }
    d->z.next_in = p;
    d->z.avail_in = (uInt)n;
    while (d->z_active) {
        int r;
        size_t got;

        d->z.next_out = out;
        d->z.avail_out = sizeof(out);
        r = inflate(&d->z, Z_SYNC_FLUSH);
        got = sizeof(out) - d->z.avail_out;
        if (r == Z_DATA_ERROR && first && d->encoding == HTTP_ENC_DEFLATE && !d->z_raw && got == 0) {
            /* "deflate" without its zlib header, as many servers send it */
            http_body_release(d);
            d->z_raw = true;
            body_inflate(s, st, dir, p, n);
            return;
        }
        if (got > 0) {
            if (d->z_out + got > HTTP_INFLATE_MAX) {
                http_counters.inflate_cut++;
                got = (size_t)(HTTP_INFLATE_MAX - d->z_out);
                d->z_failed = true;
            }
            d->z_out += got;
            body_clear(s, st, dir, out, got);
            if (d->z_failed) {
                http_body_release(d);
                break;
            }
        }
        if (r == Z_STREAM_END) {
            d->z_done = true;
            http_body_release(d);
            break;
        }
        if (r != Z_OK && r != Z_BUF_ERROR) {
            http_counters.inflate_failed++;
            session_weird(s, WEIRD_INFLATE_FAILED, NULL);
            d->z_failed = true;
            http_body_release(d);
            break;
        }
        if (d->z.avail_in == 0 && d->z.avail_out != 0)
            break;
        if (r == Z_BUF_ERROR && got == 0)
            break;
    }
}

void http_body_data(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p, size_t n)
{
    struct http_dir *d = &st->d[dir];

    if (n == 0)
        return;
    if (d->encoding == HTTP_ENC_IDENTITY)
        body_clear(s, st, dir, p, n);
    else if (!d->z_failed && !d->z_done)
        body_inflate(s, st, dir, p, n);
}

void http_body_gap(struct http_state *st, enum flow_dir dir, uint64_t len)
{
    struct http_dir *d = &st->d[dir];

    d->body_len += len;
    if (dir_file(d) != NULL)
        file_gap(d->file, len);
}

void http_body_end(struct session *s, struct http_state *st, enum flow_dir dir)
{
    struct http_dir *d = &st->d[dir];
    const char *mime;

    http_body_release(d);
    if (dir == FLOW_DIR_ORIG)
        http_detect_body_end(s, st, dir);
    if (dir_file(d) == NULL)
        return;
    mime = file_mime_type(d->file);
    /* A range that does not start the file never fills the bof buffer: no type (Zeek). */
    if (mime != NULL && !(d->is_partial && d->range_first != 0))
        http_tx_set_str(st, d->file_key, (unsigned)(HTTP_S_MIME + dir), mime, strlen(mime));
    if (d->shared_file)
        file_release(d->file, session_now(s));
    else
        file_close(d->file, session_now(s));
    d->file = NULL;
}
