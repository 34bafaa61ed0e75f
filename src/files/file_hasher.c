/* files/file_hasher.c - the file digests computed on a thread of their own: the engine copies each file's bytes into a ring, the thread hashes them. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "files/files_int.h"

/* Why a thread: MD5, SHA1 and SHA256 of every file cost more than all the rest of `read`'s work
 * on bulk traffic (MD5 alone runs at about 750 MB/s), and a second core is usually idle while a
 * capture file is read. The engine's thread only copies the bytes (a memcpy, ten times cheaper
 * than the digests) and goes on. A file that ends is queued too: the thread leaves its digests
 * in the slot and counts it, and the engine writes its files.log row when it next looks (the
 * files end in order, so the count says which). Nothing waits for the digests of one file. */

#define RING_BYTES  (4u << 20)
#define CHUNK_MAX   (64u << 10)     /* larger updates are cut: a message never fills the ring */
#define MSG_ALIGN   16u

enum hasher_op { OP_PAD, OP_START, OP_DATA, OP_ABANDON, OP_FINISH };

struct hasher_msg {
    uint32_t          op;
    uint32_t          len;       /* OP_DATA: bytes after the header */
    struct file_hash *h;
};

struct file_hasher {
    pthread_t                     thread;
    pthread_mutex_t               mu;
    pthread_cond_t                has_data;    /* the thread waits on it when the ring is empty */
    pthread_cond_t                has_room;    /* the engine waits on it when the ring is full */
    pthread_cond_t                caught_up;   /* the engine waits on it for a file's digests */
    const struct file_hash_algos *algos;
    uint8_t                      *ring;
    uint64_t                      head;        /* bytes ever written (engine) */
    uint64_t                      tail;        /* bytes ever consumed (thread) */
    uint64_t                      finished;    /* OP_FINISH done, in order (read without the lock) */
    bool                          stop;
    bool                          thread_waits;
    bool                          engine_waits;
};

static size_t msg_size(uint32_t len)
{
    return (sizeof(struct hasher_msg) + len + MSG_ALIGN - 1) & ~(size_t)(MSG_ALIGN - 1);
}

static void apply(struct file_hasher *hs, const struct hasher_msg *m)
{
    switch (m->op) {
    case OP_START:
        (void)file_hash_start(m->h, hs->algos);
        break;
    case OP_DATA:
        file_hash_update(m->h, (const uint8_t *)(m + 1), m->len);
        break;
    case OP_ABANDON:
        file_hash_abandon(m->h);
        break;
    case OP_FINISH:
        m->h->hashed = file_hash_finish(m->h, m->h->hex);
        /* The digests before the count: whoever sees the count sees them. */
        __atomic_add_fetch((uint64_t *)&hs->finished, 1, __ATOMIC_RELEASE);
        break;
    default:
        break;
    }
}

static void *hasher_main(void *arg)
{
    struct file_hasher *hs = arg;

    pthread_mutex_lock(&hs->mu);
    for (;;) {
        uint64_t from, to;

        while (hs->tail == hs->head && !hs->stop) {
            hs->thread_waits = true;
            pthread_cond_wait(&hs->has_data, &hs->mu);
            hs->thread_waits = false;
        }
        if (hs->tail == hs->head)
            break;
        from = hs->tail;
        to = hs->head;
        /* The bytes between tail and head are the engine's to leave alone until tail moves. */
        pthread_mutex_unlock(&hs->mu);
        while (from < to) {
            const struct hasher_msg *m = (const struct hasher_msg *)(hs->ring + from % RING_BYTES);

            apply(hs, m);
            from += m->op == OP_PAD ? m->len : msg_size(m->len);
        }
        pthread_mutex_lock(&hs->mu);
        hs->tail = to;
        if (hs->tail == hs->head)
            pthread_cond_broadcast(&hs->caught_up);
        if (hs->engine_waits)
            pthread_cond_signal(&hs->has_room);
    }
    pthread_mutex_unlock(&hs->mu);
    return NULL;
}

/* What create made, once no thread runs. */
static void release(struct file_hasher *hs)
{
    pthread_cond_destroy(&hs->has_data);
    pthread_cond_destroy(&hs->has_room);
    pthread_cond_destroy(&hs->caught_up);
    pthread_mutex_destroy(&hs->mu);
    free(hs->ring);
    free(hs);
}

struct file_hasher *file_hasher_create(const struct file_hash_algos *algos)
{
    struct file_hasher *hs = calloc(1, sizeof(*hs));

    if (hs == NULL)
        return NULL;
    hs->algos = algos;
    hs->ring = malloc(RING_BYTES);
    if (hs->ring == NULL || pthread_mutex_init(&hs->mu, NULL) != 0) {
        free(hs->ring);
        free(hs);
        return NULL;
    }
    pthread_cond_init(&hs->has_data, NULL);
    pthread_cond_init(&hs->has_room, NULL);
    pthread_cond_init(&hs->caught_up, NULL);
    if (pthread_create(&hs->thread, NULL, hasher_main, hs) != 0) {
        release(hs);
        return NULL;
    }
    return hs;
}

void file_hasher_free(struct file_hasher *hs)
{
    if (hs == NULL)
        return;
    pthread_mutex_lock(&hs->mu);
    hs->stop = true;
    pthread_cond_signal(&hs->has_data);
    pthread_mutex_unlock(&hs->mu);
    pthread_join(hs->thread, NULL);
    release(hs);
}

/* Room for a message of len bytes, contiguous in the ring (a pad fills the end when it does not
 * fit there); waits while the thread is behind. Returns where to write it. */
static struct hasher_msg *reserve(struct file_hasher *hs, uint32_t len)
{
    size_t need = msg_size(len);

    pthread_mutex_lock(&hs->mu);
    for (;;) {
        size_t at = (size_t)(hs->head % RING_BYTES), to_end = RING_BYTES - at;
        size_t want = need <= to_end ? need : to_end + need;

        if (RING_BYTES - (size_t)(hs->head - hs->tail) >= want) {
            if (need > to_end) {
                struct hasher_msg *pad = (struct hasher_msg *)(hs->ring + at);

                pad->op = OP_PAD;
                pad->len = (uint32_t)to_end;
                pad->h = NULL;
                hs->head += to_end;
            }
            break;
        }
        hs->engine_waits = true;
        pthread_cond_wait(&hs->has_room, &hs->mu);
        hs->engine_waits = false;
    }
    pthread_mutex_unlock(&hs->mu);
    return (struct hasher_msg *)(hs->ring + hs->head % RING_BYTES);
}

static void commit(struct file_hasher *hs, const struct hasher_msg *m)
{
    pthread_mutex_lock(&hs->mu);
    hs->head += msg_size(m->len);
    if (hs->thread_waits)
        pthread_cond_signal(&hs->has_data);
    pthread_mutex_unlock(&hs->mu);
}

static void send_op(struct file_hasher *hs, enum hasher_op op, struct file_hash *h)
{
    struct hasher_msg *m = reserve(hs, 0);

    m->op = op;
    m->len = 0;
    m->h = h;
    commit(hs, m);
}

void file_hasher_start(struct file_hasher *hs, struct file_hash *h)
{
    send_op(hs, OP_START, h);
}

void file_hasher_update(struct file_hasher *hs, struct file_hash *h, const uint8_t *data, size_t len)
{
    while (len > 0) {
        uint32_t n = len > CHUNK_MAX ? CHUNK_MAX : (uint32_t)len;
        struct hasher_msg *m = reserve(hs, n);

        m->op = OP_DATA;
        m->len = n;
        m->h = h;
        memcpy(m + 1, data, n);
        commit(hs, m);
        data += n;
        len -= n;
    }
}

void file_hasher_abandon(struct file_hasher *hs, struct file_hash *h)
{
    send_op(hs, OP_ABANDON, h);
}

void file_hasher_finish(struct file_hasher *hs, struct file_hash *h)
{
    send_op(hs, OP_FINISH, h);
}

uint64_t file_hasher_finished(const struct file_hasher *hs)
{
    return __atomic_load_n(&hs->finished, __ATOMIC_ACQUIRE);
}

void file_hasher_drain(struct file_hasher *hs)
{
    pthread_mutex_lock(&hs->mu);
    while (hs->tail != hs->head)
        pthread_cond_wait(&hs->caught_up, &hs->mu);
    pthread_mutex_unlock(&hs->mu);
}
