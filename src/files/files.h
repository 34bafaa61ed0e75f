/* files/files.h - file analysis: what a protocol hands over as "a file" (an HTTP body, ...) is
 * typed by its content, hashed (MD5, SHA1, SHA256, streaming), optionally extracted, and logged
 * to files.log when it ends. */
#ifndef PW_FILES_FILES_H
#define PW_FILES_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_set.h"
#include "util/addr.h"
#include "util/pw_time.h"

struct files;       /* the manager: one per engine */
struct file_ctx;    /* one file in transfer */

/* Which digests files.log carries. Hashing is most of the cost of file analysis (MD5 alone is
 * slower than everything else protowall does per byte), so operators may choose. */
#define FILES_HASH_MD5    0x1u
#define FILES_HASH_SHA1   0x2u
#define FILES_HASH_SHA256 0x4u
#define FILES_HASH_ALL    (FILES_HASH_MD5 | FILES_HASH_SHA1 | FILES_HASH_SHA256)

struct files_config {
    const char *extract_dir;      /* NULL: no extraction; else files are written there */
    unsigned    hashes;           /* FILES_HASH_* bits; 0 = none */
    uint64_t    extract_limit;    /* bytes per extracted file (0: default 100 MiB) */
    uint32_t    max_open;         /* files in transfer at once (0: default) */
    bool        hash_thread;      /* digests on a thread of their own (a spare core: `read`) */
};

/* Where a file travels: filled by the session (see proto/session.h session_file_open). */
struct file_origin {
    const char *uid;              /* connection uid (borrowed; must outlive the file) */
    struct addr orig_h, resp_h;
    uint16_t    orig_p, resp_p;
    bool        is_orig;          /* sent by the connection's originator */
    bool        sender_local;     /* for files.log local_orig */
    const char *source;           /* "HTTP", ... */
    uint32_t    depth;
};

struct files *files_create(const struct files_config *cfg, struct log_set *logs, char *err, size_t errlen);
void files_free(struct files *fm);   /* closes (and logs) every file still open */

/* Starts a file at packet time now. total_bytes 0 = unknown. filename may be NULL. NULL when the
 * open-file cap is reached (counted). */
struct file_ctx *files_open(struct files *fm, const struct file_origin *o, pw_time now, uint64_t total_bytes,
                            const char *filename, size_t filename_len);

/* In-order content. The first bytes decide the MIME type (see files/magic.c). */
void file_data(struct file_ctx *f, pw_time now, const uint8_t *data, size_t len);

/* Content lost (counted as missing_bytes; hashes are then left unset, as Zeek does). */
void file_gap(struct file_ctx *f, uint64_t len);

/* The file ended: files.log row written, resources released. NULL is a no-op. */
void file_close(struct file_ctx *f, pw_time now);

/* A handle kept while other connections may end the file (files_open_shared): the slot is reused
 * for another file once this one ends, so a holder keeps the generation it was given and asks
 * file_still before each use. */
uint32_t file_generation(const struct file_ctx *f);
bool file_still(const struct file_ctx *f, uint32_t gen);

const char *file_fuid(const struct file_ctx *f);
/* The sniffed MIME type, or NULL before any data / when nothing matched. */
const char *file_mime_type(const struct file_ctx *f);

/* Files several connections carry, as Zeek's HTTP range requests (one file per host and URL):
 * the file open under key, or a new one; this connection is added to the ones it is logged with
 * (at most FILES_SHARED_CONNS). NULL when capped. */
#define FILES_SHARED_CONNS   8
#define FILES_SHARED_TIMEOUT (120 * (pw_time)1000000000)   /* Zeek's Files default timeout_interval */
struct file_ctx *files_open_shared(struct files *fm, uint64_t key, const struct file_origin *o, pw_time now,
                                   uint64_t total_bytes);

/* Content at an offset of the file. Out of order content ends the digests (Zeek removes its hash
 * analyzers then) and gaps below the highest offset count as missing at the end. */
void file_data_at(struct file_ctx *f, pw_time now, uint64_t offset, const uint8_t *data, size_t len);

/* A connection is done with its part: a shared file stays open until whole or timed out; any other
 * file is closed (file_close). */
void file_release(struct file_ctx *f, pw_time now);

/* Writes the files.log rows of ended files whose digests the hashing thread has finished (it
 * is also done by files_open and files_expire; files_free writes every one). */
void files_poll(struct files *fm);

/* Times out shared files idle for FILES_SHARED_TIMEOUT (their rows say timedout T). */
void files_expire(struct files *fm, pw_time now);

/* The file is an X.509 certificate of a TLS chain: the host's (first) or a CA's. files.log then
 * types it as Zeek does and lists the X509 analyzer. */
void file_set_x509(struct file_ctx *f, bool host_cert);

/* MIME type of a buffer by content (the same table files use); NULL when nothing matches. */
const char *files_sniff_mime(const uint8_t *data, size_t len);

/* What the manager did, for stats and weirds; every cap hit is counted here. */
struct files_stats {
    uint64_t opened;           /* files started */
    uint64_t refused;          /* files_open calls refused at max_open */
    uint64_t in_use;           /* files in transfer now */
    uint64_t peak;             /* most files in transfer at once */
    uint64_t bof_full;         /* files whose type was decided on a full bof buffer (4096 bytes) */
    uint64_t timedout;         /* files still open at files_free (logged with timedout T) */
    uint64_t filename_cut;     /* filenames cut at 255 bytes */
    uint64_t extract_errors;   /* extracted files that could not be created or written */
    uint64_t extract_cutoff;   /* extractions stopped at extract_limit */
    uint64_t log_errors;       /* files.log rows the log set refused */
};

void files_stats(const struct files *fm, struct files_stats *out);

#endif
