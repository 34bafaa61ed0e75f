/* files/files_int.h - the pieces of file analysis shared by the files of files/ only. */
#ifndef PW_FILES_FILES_INT_H
#define PW_FILES_FILES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* Zeek's default_file_bof_buffer_size: the bytes the MIME type is decided on. */
#define FILES_BOF_SIZE 4096u

/* ---- magic.c: MIME sniffing ---- */

struct magic_type {
    const char *mime;       /* Zeek's spelling, e.g. "application/x-dosexec" */
    const char *ext;        /* extension for extracted files, without the dot */
    int         strength;   /* the strongest match wins, as with Zeek's file-mime strength */
};

/* The strongest row of the table matching data, or NULL. Pure: no state, no allocation. */
const struct magic_type *magic_sniff(const uint8_t *data, size_t len);

/* ---- file_hash.c: streaming MD5, SHA1, SHA256 ---- */

enum file_hash_algo { FILE_HASH_MD5, FILE_HASH_SHA1, FILE_HASH_SHA256, FILE_HASH_COUNT };

#define FILE_HASH_HEXMAX 65   /* SHA256 in hex + NUL */

/* The digests, fetched once per manager (OpenSSL 3: explicit fetch avoids a lookup per init). */
struct file_hash_algos {
    EVP_MD  *md[FILE_HASH_COUNT];
    unsigned enabled;    /* bit per enum file_hash_algo (same bits as FILES_HASH_*) */
};

/* One file's contexts. They are created with the file slot at files_create and reused by every
 * file that takes the slot, so opening a file allocates nothing of ours. */
struct file_hash {
    EVP_MD_CTX *ctx[FILE_HASH_COUNT];
    unsigned    enabled;
    bool        live;    /* started, and no byte missing so far */
    bool        fed;     /* at least one byte hashed: Zeek logs no hash of an empty file */
    bool        hashed;  /* the hashing thread's file_hash_finish result, with its digests: */
    char        hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX];
};

int  file_hash_algos_init(struct file_hash_algos *a, unsigned enabled);
void file_hash_algos_fini(struct file_hash_algos *a);
int  file_hash_init(struct file_hash *h);
void file_hash_fini(struct file_hash *h);

/* Starts the three digests for a new file; 0, or -1 (the file is then logged without hashes). */
int  file_hash_start(struct file_hash *h, const struct file_hash_algos *a);
void file_hash_update(struct file_hash *h, const uint8_t *data, size_t len);
/* Bytes are missing: the hashes would be of something else, so they are dropped, as Zeek does. */
void file_hash_abandon(struct file_hash *h);
/* Writes lower-case hex digests into hex[i] for the enabled digests (others: empty string);
 * false (nothing written) when not live, not fed, or no digest is enabled. */
bool file_hash_finish(struct file_hash *h, char hex[FILE_HASH_COUNT][FILE_HASH_HEXMAX]);

/* ---- file_hasher.c: the same digests on a thread of their own ---- */

struct file_hasher;

/* NULL when the thread cannot be had (the caller then hashes inline). */
struct file_hasher *file_hasher_create(const struct file_hash_algos *algos);
/* Hashes what is still queued, then stops the thread. */
void file_hasher_free(struct file_hasher *hs);
/* The file_hash_* operations, queued in order; h belongs to the thread from start until its
 * finish is counted. finish leaves h->hashed and h->hex as file_hash_finish would. */
void file_hasher_start(struct file_hasher *hs, struct file_hash *h);
void file_hasher_update(struct file_hasher *hs, struct file_hash *h, const uint8_t *data, size_t len);
void file_hasher_abandon(struct file_hasher *hs, struct file_hash *h);
void file_hasher_finish(struct file_hasher *hs, struct file_hash *h);
/* How many finishes are done (they complete in the order they were queued). */
uint64_t file_hasher_finished(const struct file_hasher *hs);
/* Waits until everything queued is done. */
void file_hasher_drain(struct file_hasher *hs);

/* ---- file_extract.c: writing a file's bytes to disk ---- */

#define FILE_EXTRACT_NAME_MAX 96

struct file_extract {
    int      fd;          /* -1 when not extracting */
    uint64_t size;        /* bytes of the file accounted so far, holes included */
    uint64_t limit;
    bool     cutoff;      /* the limit was reached */
    bool     failed;      /* a write failed; nothing more is written */
    char     name[FILE_EXTRACT_NAME_MAX];   /* <source>-<fuid>.<ext>, relative to the directory */
};

/* Creates <dir>/<source>-<fuid>.<ext>. 0, or -1 with x->fd == -1 (counted by the caller). */
int  file_extract_open(struct file_extract *x, const char *dir, const char *source, const char *fuid,
                       const char *ext, uint64_t limit);
/* Appends at x->size, cutting at the limit. 0, or -1 on a write error. */
int  file_extract_write(struct file_extract *x, const uint8_t *data, size_t len);
/* Missing bytes: a hole (reads back as zeros), counted against the limit as Zeek does by default. */
void file_extract_hole(struct file_extract *x, uint64_t len);
/* Sets the file's final length (a trailing hole included) and closes it. 0, or -1. */
int  file_extract_close(struct file_extract *x);

#endif
