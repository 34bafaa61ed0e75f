/* learn/baseline.c - the baseline check: the policy's verdict, then a capped table of the tuples
 * already reported (least recently seen forgotten first). */
#include "learn/baseline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "learn/learn_group.h"
#include "util/ip_proto.h"

/* A tuple. A flow with a name is keyed by the name's hash and no address; one without by its
 * destination. The name hash is keyed with a secret, so a chosen name cannot be made to collide
 * with one already reported and go unseen. */
struct tuple {
    struct addr src;
    struct addr dst;
    uint64_t    name;
    uint16_t    port;
    uint8_t     transport;
    uint8_t     app;
    uint32_t    pad;      /* zero: the key is hashed and compared as bytes */
};

#define NIL UINT32_MAX

struct slot {
    struct tuple t;
    uint32_t     chain;       /* next slot in the bucket */
    uint32_t     newer, older; /* recency list */
};

struct baseline {
    struct policy        *policy;
    struct slot          *slots;
    uint32_t             *buckets;
    uint32_t              cap, used, mask;
    uint32_t              newest, oldest;
    uint64_t              key[2];
    struct baseline_stats stats;
    void                 *ctx;
    void                (*release)(void *ctx);
};

/* ---- SipHash-2-4 ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                          \
    do {                                                                                                  \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                         \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                            \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                            \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                         \
    } while (0)

static uint64_t siphash(const uint64_t k[2], const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t v0 = 0x736f6d6570736575ull ^ k[0], v1 = 0x646f72616e646f6dull ^ k[1];
    uint64_t v2 = 0x6c7967656e657261ull ^ k[0], v3 = 0x7465646279746573ull ^ k[1];
    uint64_t m, b = (uint64_t)len << 56;
    size_t i;

    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&m, p + i, 8);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; i + j < len; j++)
        b |= (uint64_t)p[i + j] << (8 * j);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- life cycle ---- */

struct baseline *baseline_create(struct policy *p, uint32_t max_tuples)
{
    struct baseline *b = calloc(1, sizeof(*b));
    uint32_t nb = 1;

    if (max_tuples == 0)
        max_tuples = BASELINE_DEFAULT_TUPLES;
    while (nb < max_tuples && nb < (1u << 31))
        nb <<= 1;
    if (b == NULL || (b->slots = calloc(max_tuples, sizeof(*b->slots))) == NULL ||
        (b->buckets = malloc((size_t)nb * sizeof(*b->buckets))) == NULL) {
        if (b != NULL)
            free(b->slots);
        free(b);
        policy_free(p);
        return NULL;
    }
    memset(b->buckets, 0xff, (size_t)nb * sizeof(*b->buckets));
    b->policy = p;
    b->cap = max_tuples;
    b->mask = nb - 1;
    b->newest = b->oldest = NIL;
    if (getrandom(b->key, sizeof(b->key), GRND_NONBLOCK) != (ssize_t)sizeof(b->key)) {
        b->key[0] = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)b;
        b->key[1] = (uint64_t)clock() * 0x9e3779b97f4a7c15ull;
    }
    return b;
}

void baseline_free(struct baseline *b)
{
    if (b == NULL)
        return;
    if (b->release != NULL)
        b->release(b->ctx);
    policy_free(b->policy);
    free(b->slots);
    free(b->buckets);
    free(b);
}

void baseline_set_policy(struct baseline *b, struct policy *p)
{
    policy_free(b->policy);
    b->policy = p;
}

void baseline_set_ctx(struct baseline *b, void *ctx, void (*release)(void *ctx))
{
    b->ctx = ctx;
    b->release = release;
}

void *baseline_ctx(const struct baseline *b)
{
    return b->ctx;
}

const struct baseline_stats *baseline_stats(const struct baseline *b)
{
    return &b->stats;
}

uint32_t baseline_tuples(const struct baseline *b)
{
    return b->used;
}

/* ---- the recency list ---- */

static void unlink_recent(struct baseline *b, uint32_t i)
{
    struct slot *s = &b->slots[i];

    if (s->newer != NIL)
        b->slots[s->newer].older = s->older;
    else
        b->newest = s->older;
    if (s->older != NIL)
        b->slots[s->older].newer = s->newer;
    else
        b->oldest = s->newer;
}

static void push_newest(struct baseline *b, uint32_t i)
{
    struct slot *s = &b->slots[i];

    s->newer = NIL;
    s->older = b->newest;
    if (b->newest != NIL)
        b->slots[b->newest].newer = i;
    b->newest = i;
    if (b->oldest == NIL)
        b->oldest = i;
}

static uint32_t bucket_of(const struct baseline *b, const struct tuple *t)
{
    return (uint32_t)siphash(b->key, t, sizeof(*t)) & b->mask;
}

/* Forgets the least recently seen tuple; returns its slot. */
static uint32_t evict(struct baseline *b)
{
    uint32_t i = b->oldest, *link;

    unlink_recent(b, i);
    for (link = &b->buckets[bucket_of(b, &b->slots[i].t)]; *link != i; link = &b->slots[*link].chain)
        ;
    *link = b->slots[i].chain;
    b->stats.forgotten++;
    return i;
}

/* ---- the check ---- */

static void tuple_of(const struct baseline *b, const struct policy_flow *f, struct tuple *t)
{
    char name[LEARN_GROUP_NAME_MAX];
    size_t n = 0;

    memset(t, 0, sizeof(*t));
    t->src = f->src;
    t->transport = f->ip_proto;
    t->app = f->app;
    if (f->ip_proto == 6 || f->ip_proto == 17)
        t->port = f->dst_port;
    if (f->domain != NULL && f->domain_len > 0 && f->domain_len < sizeof(name))
        n = learn_group_domain_norm(f->domain, f->domain_len, name);
    if (n > 0)
        t->name = siphash(b->key, name, n) | 1;   /* never 0: 0 says "no name" */
    else
        t->dst = f->dst;
}

enum baseline_result baseline_check(struct baseline *b, const struct policy_flow *f)
{
    struct policy_verdict v;
    struct tuple t;
    uint32_t h, i;

    if (f->dir != POLICY_DIR_OUTBOUND)
        return BASELINE_ALLOWED;
    b->stats.checked++;
    v = policy_match(b->policy, f);
    if (v.action != POLICY_DENY)
        return BASELINE_ALLOWED;
    b->stats.outside++;
    tuple_of(b, f, &t);
    h = bucket_of(b, &t);
    for (i = b->buckets[h]; i != NIL; i = b->slots[i].chain) {
        if (memcmp(&b->slots[i].t, &t, sizeof(t)) == 0) {
            unlink_recent(b, i);
            push_newest(b, i);
            return BASELINE_REPEAT;
        }
    }
    i = b->used < b->cap ? b->used++ : evict(b);
    b->slots[i].t = t;
    b->slots[i].chain = b->buckets[h];
    b->buckets[h] = i;
    push_newest(b, i);
    b->stats.reported++;
    return BASELINE_NEW;
}

uint8_t baseline_app(const char *service, size_t len)
{
    size_t i = 0;

    if (len == 0 || (len == 1 && service[0] == '-'))
        return POLICY_APP_UNKNOWN;
    while (i < len) {
        size_t j = i;
        uint8_t id;

        while (j < len && service[j] != ',')
            j++;
        id = policy_app_lookup(service + i, j - i);
        if (id != POLICY_APP_PENDING)
            return id;
        i = j + 1;
    }
    return POLICY_APP_PENDING;
}

size_t baseline_tuple_text(const struct policy_flow *f, char *buf, size_t size)
{
    char src[ADDR_STRLEN], dst[LEARN_GROUP_NAME_MAX], port[8] = "";
    const char *app = f->app == POLICY_APP_PENDING ? "other" : policy_app_name(f->app);
    int n;

    (void)addr_format(&f->src, src, sizeof(src));
    if (f->domain == NULL || f->domain_len == 0 || f->domain_len >= sizeof(dst) ||
        learn_group_domain_norm(f->domain, f->domain_len, dst) == 0)
        (void)addr_format(&f->dst, dst, sizeof(dst));
    if (f->ip_proto == 6 || f->ip_proto == 17)
        snprintf(port, sizeof(port), "/%u", (unsigned)f->dst_port);
    n = snprintf(buf, size, "%s -> %s %s%s %s", src, dst, ip_proto_name(f->ip_proto), port, app);
    if (n < 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}
