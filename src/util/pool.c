/* util/pool.c - slab-backed fixed-size object pools with a cap and use/peak/failed counters. */
#include "util/pool.h"

#include <stdlib.h>
#include <string.h>

#define POOL_SLAB_BYTES (256u * 1024u)

struct pool_slab {
    struct pool_slab *next;
    /* objects follow, suitably aligned */
};

struct pool_free_obj {
    struct pool_free_obj *next;
};

struct pool {
    const char           *name;
    size_t                obj_size;
    size_t                slab_objs;
    uint64_t              allocated;   /* objects carved from slabs so far */
    struct pool_slab     *slabs;
    struct pool_free_obj *free_list;
    char                 *carve;       /* next uncarved object in the newest slab */
    size_t                carve_left;
    struct pool_stats     stats;
};

static size_t pool_slab_header(void)
{
    return (sizeof(struct pool_slab) + 63) & ~(size_t)63;
}

struct pool *pool_create(const char *name, size_t obj_size, uint64_t cap)
{
    struct pool *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return NULL;
    if (obj_size < sizeof(struct pool_free_obj))
        obj_size = sizeof(struct pool_free_obj);
    p->name = name;
    p->obj_size = (obj_size + 15) & ~(size_t)15;
    p->slab_objs = POOL_SLAB_BYTES / p->obj_size;
    if (p->slab_objs == 0)
        p->slab_objs = 1;
    p->stats.capacity = cap;
    return p;
}

void pool_free(struct pool *p)
{
    struct pool_slab *s, *next;

    if (p == NULL)
        return;
    for (s = p->slabs; s != NULL; s = next) {
        next = s->next;
        free(s);
    }
    free(p);
}

static int pool_grow(struct pool *p)
{
    uint64_t n = p->slab_objs;
    struct pool_slab *s;

    if (p->stats.capacity - p->allocated < n)
        n = p->stats.capacity - p->allocated;
    if (n == 0)
        return -1;
    s = malloc(pool_slab_header() + (size_t)n * p->obj_size);
    if (s == NULL)
        return -1;
    s->next = p->slabs;
    p->slabs = s;
    p->carve = (char *)s + pool_slab_header();
    p->carve_left = (size_t)n;
    return 0;
}

void *pool_get(struct pool *p)
{
    void *obj;

    if (p->free_list != NULL) {
        obj = p->free_list;
        p->free_list = p->free_list->next;
    } else {
        if (p->carve_left == 0 && pool_grow(p) != 0) {
            p->stats.failed++;
            return NULL;
        }
        obj = p->carve;
        p->carve += p->obj_size;
        p->carve_left--;
        p->allocated++;
    }
    memset(obj, 0, p->obj_size);
    if (++p->stats.in_use > p->stats.peak)
        p->stats.peak = p->stats.in_use;
    return obj;
}

void pool_put(struct pool *p, void *obj)
{
    struct pool_free_obj *f = obj;

    if (obj == NULL)
        return;
    f->next = p->free_list;
    p->free_list = f;
    p->stats.in_use--;
}

const struct pool_stats *pool_get_stats(const struct pool *p)
{
    return &p->stats;
}

const char *pool_name(const struct pool *p)
{
    return p->name;
}
