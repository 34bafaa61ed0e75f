/* output/redis_ring.c - a bounded FIFO of variable-length byte records in one buffer allocated up front. */
#include "output/redis_ring.h"

#include <stdlib.h>
#include <string.h>

int redis_ring_init(struct redis_ring *r, uint32_t max_rows, size_t max_bytes)
{
    memset(r, 0, sizeof(*r));
    if (max_rows == 0 || max_bytes == 0 || max_bytes > UINT32_MAX)
        return -1;
    r->buf = malloc(max_bytes);
    r->slots = calloc(max_rows, sizeof(*r->slots));
    if (r->buf == NULL || r->slots == NULL) {
        redis_ring_fini(r);
        return -1;
    }
    r->size = max_bytes;
    r->max_rows = max_rows;
    return 0;
}

void redis_ring_fini(struct redis_ring *r)
{
    free(r->buf);
    free(r->slots);
    memset(r, 0, sizeof(*r));
}

char *redis_ring_reserve(const struct redis_ring *r, size_t len)
{
    const struct redis_ring_slot *first, *last;
    size_t start, end;

    if (len == 0 || len > r->size || r->count == r->max_rows)
        return NULL;
    if (r->count == 0)
        return r->buf;
    first = &r->slots[r->head];
    last = &r->slots[(r->head + r->count - 1) % r->max_rows];
    start = first->off;
    end = (size_t)last->off + last->len;
    if (end > start) {
        /* One run [start, end): room after it, or else before it. */
        if (r->size - end >= len)
            return r->buf + end;
        return start >= len ? r->buf : NULL;
    }
    /* Wrapped: [start, old end) and [0, end); the gap is [end, start). */
    return start - end >= len ? r->buf + end : NULL;
}

void redis_ring_commit(struct redis_ring *r, char *at, size_t len)
{
    struct redis_ring_slot *s = &r->slots[(r->head + r->count) % r->max_rows];

    s->off = (uint32_t)(at - r->buf);
    s->len = (uint32_t)len;
    r->count++;
    r->used += len;
}

const char *redis_ring_peek(const struct redis_ring *r, uint32_t i, size_t *len)
{
    const struct redis_ring_slot *s = &r->slots[(r->head + i) % r->max_rows];

    *len = s->len;
    return r->buf + s->off;
}

void redis_ring_pop(struct redis_ring *r)
{
    r->used -= r->slots[r->head].len;
    r->head = (r->head + 1) % r->max_rows;
    r->count--;
    if (r->count == 0)
        r->head = 0;
}
