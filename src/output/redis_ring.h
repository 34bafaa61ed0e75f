/* output/redis_ring.h - a bounded FIFO of variable-length byte records in one buffer allocated up front. */
#ifndef PW_OUTPUT_REDIS_RING_H
#define PW_OUTPUT_REDIS_RING_H

#include <stddef.h>
#include <stdint.h>

/* Records never straddle the end of the buffer: one that does not fit in the space left at the
 * end goes to the start, and the end stays unused until the oldest record there leaves. So every
 * record is contiguous and can be written to a socket as it stands. */
struct redis_ring_slot {
    uint32_t off;
    uint32_t len;
};

struct redis_ring {
    char                   *buf;
    size_t                  size;      /* bytes in buf */
    struct redis_ring_slot *slots;     /* max_rows of them */
    uint32_t                max_rows;
    uint32_t                head;      /* slot of the oldest record */
    uint32_t                count;     /* records held */
    size_t                  used;      /* bytes the records hold (the unused end not counted) */
};

/* Allocates room for max_rows records holding at most max_bytes together (both >= 1,
 * max_bytes < 4 GiB). Returns 0, or -1 out of memory. */
int redis_ring_init(struct redis_ring *r, uint32_t max_rows, size_t max_bytes);

void redis_ring_fini(struct redis_ring *r);

/* Where a record of len bytes would go now, or NULL when it does not fit until older records
 * leave (or ever: len > size). Nothing changes until redis_ring_commit. */
char *redis_ring_reserve(const struct redis_ring *r, size_t len);

/* Appends the record of len bytes that the caller wrote at `at`, the last redis_ring_reserve
 * answer for that len. */
void redis_ring_commit(struct redis_ring *r, char *at, size_t len);

/* Record i, counted from the oldest (i < count); borrowed until it is popped. */
const char *redis_ring_peek(const struct redis_ring *r, uint32_t i, size_t *len);

/* Removes the oldest record (count > 0). */
void redis_ring_pop(struct redis_ring *r);

#endif
