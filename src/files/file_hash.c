/* files/file_hash.c - streaming MD5, SHA1 and SHA256 of a file's bytes with OpenSSL's EVP API. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "files/files_int.h"

static const char *const algo_names[FILE_HASH_COUNT] = {
    [FILE_HASH_MD5] = "MD5",
    [FILE_HASH_SHA1] = "SHA1",
    [FILE_HASH_SHA256] = "SHA256",
};

int file_hash_algos_init(struct file_hash_algos *a, unsigned enabled)
{
    int i;

    a->enabled = enabled;
    for (i = 0; i < FILE_HASH_COUNT; i++) {
        a->md[i] = EVP_MD_fetch(NULL, algo_names[i], NULL);
        if (a->md[i] == NULL) {
            file_hash_algos_fini(a);
            return -1;
        }
    }
    return 0;
}

void file_hash_algos_fini(struct file_hash_algos *a)
{
    int i;

    for (i = 0; i < FILE_HASH_COUNT; i++) {
        EVP_MD_free(a->md[i]);
        a->md[i] = NULL;
    }
}

int file_hash_init(struct file_hash *h)
{
    int i;

    h->live = false;
    h->fed = false;
    for (i = 0; i < FILE_HASH_COUNT; i++) {
        h->ctx[i] = EVP_MD_CTX_new();
        if (h->ctx[i] == NULL) {
            file_hash_fini(h);
            return -1;
        }
    }
    return 0;
}

void file_hash_fini(struct file_hash *h)
{
    int i;

    for (i = 0; i < FILE_HASH_COUNT; i++) {
        EVP_MD_CTX_free(h->ctx[i]);
        h->ctx[i] = NULL;
    }
    h->live = false;
}

int file_hash_start(struct file_hash *h, const struct file_hash_algos *a)
{
    int i;

    h->live = false;
    h->fed = false;
    h->enabled = a->enabled;
    if (h->enabled == 0)
        return 0;
    for (i = 0; i < FILE_HASH_COUNT; i++)
        if ((h->enabled & (1u << i)) &&
            (h->ctx[i] == NULL || EVP_DigestInit_ex(h->ctx[i], a->md[i], NULL) != 1))
            return -1;
    h->live = true;
    return 0;
}

void file_hash_update(struct file_hash *h, const uint8_t *data, size_t len)
{
    int i;

    if (!h->live || len == 0)
        return;
    for (i = 0; i < FILE_HASH_COUNT; i++) {
        if ((h->enabled & (1u << i)) && EVP_DigestUpdate(h->ctx[i], data, len) != 1) {
            h->live = false;
            return;
        }
    }
    h->fed = true;
}

void file_hash_abandon(struct file_hash *h)
{
    h->live = false;
}

static void hex(const unsigned char *d, unsigned len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    unsigned i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 0xf];
    }
    out[2 * len] = '\0';
}

bool file_hash_finish(struct file_hash *h, char out[FILE_HASH_COUNT][FILE_HASH_HEXMAX])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned len;
    int i;

    if (!h->live || !h->fed) {
        h->live = false;
        return false;
    }
    h->live = false;
    for (i = 0; i < FILE_HASH_COUNT; i++) {
        out[i][0] = '\0';
        if (!(h->enabled & (1u << i)))
            continue;
        if (EVP_DigestFinal_ex(h->ctx[i], d, &len) != 1 || 2 * len + 1 > FILE_HASH_HEXMAX)
            return false;
        hex(d, len, out[i]);
    }
    return true;
}
