/* flow/flow_table.c - chained hash of flows keyed on the unordered 5-tuple, with expiry lists. */
#include "flow/flow_table.h"

#include <stdlib.h>
#include <string.h>

#include "util/pool.h"

struct flow_list {
    struct flow *head;   /* most recently active */
    struct flow *tail;   /* least recently active */
};

struct flow_table {
    struct flow           **buckets;
    uint32_t                mask;
    struct pool            *flows;
    struct flow_list        lists[FLOW_TIMEOUT_CLASSES];
    struct flow_table_config cfg;
    struct flow_table_stats stats;
};

void flow_table_config_defaults(struct flow_table_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_flows = 1u << 20;
    cfg->timeout[FLOW_TIMEOUT_TCP] = 300 * PW_SEC;
    cfg->timeout[FLOW_TIMEOUT_TCP_HANDSHAKE] = 60 * PW_SEC;
    cfg->timeout[FLOW_TIMEOUT_TCP_ATTEMPT] = 5 * PW_SEC;
    cfg->timeout[FLOW_TIMEOUT_TCP_CLOSED] = 5 * PW_SEC;
    cfg->timeout[FLOW_TIMEOUT_UDP] = 60 * PW_SEC;
    cfg->timeout[FLOW_TIMEOUT_ICMP] = 60 * PW_SEC;
    cfg->timeout[FLOW_TIMEOUT_OTHER] = 60 * PW_SEC;
}

struct flow_table *flow_table_create(const struct flow_table_config *cfg)
{
    struct flow_table *t = calloc(1, sizeof(*t));
    uint32_t n = 1024;

    if (t == NULL)
        return NULL;
    t->cfg = *cfg;
    /* About two buckets per flow at the cap, a power of two, at most 2^22 up front. */
    while (n < cfg->max_flows * 2u && n < (1u << 22))
        n <<= 1;
    t->buckets = calloc(n, sizeof(struct flow *));
    t->mask = n - 1;
    t->flows = pool_create("flow", sizeof(struct flow), cfg->max_flows);
    if (t->buckets == NULL || t->flows == NULL) {
        flow_table_free(t);
        return NULL;
    }
    return t;
}

void flow_table_free(struct flow_table *t)
{
    if (t == NULL)
        return;
    pool_free(t->flows);
    free(t->buckets);
    free(t);
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t addr_hash(const struct addr *a)
{
    uint64_t hi, lo;

    memcpy(&hi, a->b, 8);
    memcpy(&lo, a->b + 8, 8);
    return mix64(hi ^ mix64(lo));
}

/* Symmetric in the two endpoints, so both directions land in one bucket; seeded, so a remote
 * sender cannot aim many flows at one chain. */
static uint32_t flow_key_hash(const struct flow_table *t, const struct flow_key *k)
{
    uint64_t a = addr_hash(&k->orig_h) + ((uint64_t)k->orig_p << 17);
    uint64_t b = addr_hash(&k->resp_h) + ((uint64_t)k->resp_p << 17);
    uint64_t h = mix64((a ^ b) + (a & b) * 3 + t->cfg.hash_seed + k->proto + ((uint64_t)k->tunnel << 8));

    return (uint32_t)h & t->mask;
}

static bool flow_key_match(const struct flow_key *fk, const struct flow_key *k, enum flow_dir *dir)
{
    if (fk->proto != k->proto || fk->tunnel != k->tunnel)
        return false;
    if (fk->orig_p == k->orig_p && fk->resp_p == k->resp_p &&
        addr_cmp(&fk->orig_h, &k->orig_h) == 0 && addr_cmp(&fk->resp_h, &k->resp_h) == 0) {
        *dir = FLOW_DIR_ORIG;
        return true;
    }
    if (fk->orig_p == k->resp_p && fk->resp_p == k->orig_p &&
        addr_cmp(&fk->orig_h, &k->resp_h) == 0 && addr_cmp(&fk->resp_h, &k->orig_h) == 0) {
        *dir = FLOW_DIR_RESP;
        return true;
    }
    return false;
}

struct flow *flow_table_lookup(struct flow_table *t, const struct flow_key *seen, enum flow_dir *dir)
{
    struct flow *f;

    for (f = t->buckets[flow_key_hash(t, seen)]; f != NULL; f = f->hash_next)
        if (flow_key_match(&f->key, seen, dir))
            return f;
    return NULL;
}

static void list_unlink(struct flow_list *l, struct flow *f)
{
    if (f->lru_prev != NULL)
        f->lru_prev->lru_next = f->lru_next;
    else
        l->head = f->lru_next;
    if (f->lru_next != NULL)
        f->lru_next->lru_prev = f->lru_prev;
    else
        l->tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void list_push_head(struct flow_list *l, struct flow *f)
{
    f->lru_prev = NULL;
    f->lru_next = l->head;
    if (l->head != NULL)
        l->head->lru_prev = f;
    else
        l->tail = f;
    l->head = f;
}

struct flow *flow_table_insert(struct flow_table *t, const struct flow_key *k, pw_time now)
{
    struct flow *f;
    uint32_t h;

    f = pool_get(t->flows);
    if (f == NULL)
        return NULL;
    f->key = *k;
    f->start = f->last = f->last_seen = now;
    h = flow_key_hash(t, k);
    f->hash_next = t->buckets[h];
    t->buckets[h] = f;
    f->timeout_class = FLOW_TIMEOUT_OTHER;
    f->expire_at = now + t->cfg.timeout[FLOW_TIMEOUT_OTHER];
    list_push_head(&t->lists[FLOW_TIMEOUT_OTHER], f);
    t->stats.created++;
    if (++t->stats.active > t->stats.peak)
        t->stats.peak = t->stats.active;
    return f;
}

void flow_table_flip(struct flow_table *t, struct flow *f)
{
    struct addr a = f->key.orig_h;
    uint16_t p = f->key.orig_p;

    /* The bucket depends only on the unordered pair, so the flow stays where it is. */
    (void)t;
    f->key.orig_h = f->key.resp_h;
    f->key.orig_p = f->key.resp_p;
    f->key.resp_h = a;
    f->key.resp_p = p;
}

bool flow_timeout_is_deadline(enum flow_timeout_class c)
{
    return c == FLOW_TIMEOUT_TCP_ATTEMPT || c == FLOW_TIMEOUT_TCP_CLOSED;
}

void flow_table_schedule(struct flow_table *t, struct flow *f, enum flow_timeout_class c, pw_time base)
{
    list_unlink(&t->lists[f->timeout_class], f);
    f->timeout_class = (uint8_t)c;
    f->expire_at = base + t->cfg.timeout[c];
    list_push_head(&t->lists[c], f);
}

struct flow *flow_table_next_expired(struct flow_table *t, pw_time now)
{
    for (int c = 0; c < FLOW_TIMEOUT_CLASSES; c++) {
        struct flow *f = t->lists[c].tail;

        if (f != NULL && f->expire_at <= now)
            return f;
    }
    return NULL;
}

struct flow *flow_table_oldest(struct flow_table *t)
{
    struct flow *best = NULL;

    for (int c = 0; c < FLOW_TIMEOUT_CLASSES; c++) {
        struct flow *f = t->lists[c].tail;

        if (f != NULL && (best == NULL || f->last_seen < best->last_seen ||
                          (f->last_seen == best->last_seen && f->id < best->id)))
            best = f;
    }
    return best;
}

void flow_table_remove(struct flow_table *t, struct flow *f)
{
    struct flow **pp = &t->buckets[flow_key_hash(t, &f->key)];

    while (*pp != NULL && *pp != f)
        pp = &(*pp)->hash_next;
    if (*pp == f)
        *pp = f->hash_next;
    list_unlink(&t->lists[f->timeout_class], f);
    t->stats.active--;
    pool_put(t->flows, f);
}

bool flow_table_full(const struct flow_table *t)
{
    const struct pool_stats *ps = pool_get_stats(t->flows);

    return ps->in_use >= ps->capacity;
}

const struct flow_table_stats *flow_table_get_stats(const struct flow_table *t)
{
    return &t->stats;
}
