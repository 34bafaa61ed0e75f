/* util/pool.h - fixed-size object pools with a hard cap: the only allocator the packet path uses. */
#ifndef PW_UTIL_POOL_H
#define PW_UTIL_POOL_H

#include <stddef.h>
#include <stdint.h>

struct pool_stats {
    uint64_t in_use;
    uint64_t peak;
    uint64_t failed;     /* pool_get calls refused at the cap */
    uint64_t capacity;   /* objects the cap allows */
};

struct pool;

/* Objects are carved from slabs of `slab_objs` objects, allocated on demand (rarely: one
 * malloc per slab) until `cap` objects exist; freed objects go to a free list and are reused. */
struct pool *pool_create(const char *name, size_t obj_size, uint64_t cap);
void pool_free(struct pool *p);

/* A zeroed object, or NULL when the cap is reached (counted in failed). */
void *pool_get(struct pool *p);

/* Returns an object to its pool. NULL is a no-op. */
void pool_put(struct pool *p, void *obj);

const struct pool_stats *pool_get_stats(const struct pool *p);
const char *pool_name(const struct pool *p);

#endif
