/* inline/inline_flow.c - flows waiting for identification: a fixed table keyed by uid, in age order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inline/inline_int.h"

/* Entries live in one array; an open-addressing index (linear probing, backward-shift deletion)
 * finds them by uid. Two intrusive lists order them: every entry by creation, so a full table
 * forgets its oldest idle one, and the entries holding packets by when they began, which is also
 * the order their hold budgets run out. */
struct inline_flows {
    struct inline_flow *e;
    uint32_t            cap;
    uint32_t            count;
    int32_t            *index;
    uint32_t            index_mask;
    int32_t             free_head;
    int32_t             age_head, age_tail;
    int32_t             hold_head, hold_tail;
    uint64_t            evicted;
};

static uint32_t uid_hash(const char *uid)
{
    uint32_t h = 2166136261u;

    for (; *uid != '\0'; uid++) {
        h ^= (uint8_t)*uid;
        h *= 16777619u;
    }
    return h;
}

struct inline_flows *inline_flows_create(uint32_t cap)
{
    struct inline_flows *t;
    uint32_t n = 2;

    if (cap == 0 || cap > (1u << 24))
        return NULL;
    while (n < cap * 2)
        n <<= 1;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->e = calloc(cap, sizeof(*t->e));
    t->index = malloc(n * sizeof(*t->index));
    if (t->e == NULL || t->index == NULL) {
        inline_flows_free(t);
        return NULL;
    }
    memset(t->index, 0xff, n * sizeof(*t->index));
    t->index_mask = n - 1;
    t->cap = cap;
    for (uint32_t i = 0; i < cap; i++)
        t->e[i].age_next = i + 1 < cap ? (int32_t)(i + 1) : -1;
    t->free_head = 0;
    t->age_head = t->age_tail = t->hold_head = t->hold_tail = -1;
    return t;
}

void inline_flows_free(struct inline_flows *t)
{
    if (t == NULL)
        return;
    free(t->e);
    free(t->index);
    free(t);
}

struct inline_flow *inline_flows_get(struct inline_flows *t, const char *uid)
{
    for (uint32_t s = uid_hash(uid) & t->index_mask;; s = (s + 1) & t->index_mask) {
        int32_t i = t->index[s];

        if (i < 0)
            return NULL;
        if (strcmp(t->e[i].uid, uid) == 0)
            return &t->e[i];
    }
}

static void hold_unlink(struct inline_flows *t, struct inline_flow *f)
{
    if (f->hold_start == 0)
        return;
    if (f->hold_prev >= 0)
        t->e[f->hold_prev].hold_next = f->hold_next;
    else
        t->hold_head = f->hold_next;
    if (f->hold_next >= 0)
        t->e[f->hold_next].hold_prev = f->hold_prev;
    else
        t->hold_tail = f->hold_prev;
    f->hold_start = 0;
}

static void index_remove(struct inline_flows *t, uint32_t s)
{
    /* Backward shift: pull later members of the probe run into the hole so lookups never stop
     * early at it. */
    uint32_t hole = s;

    t->index[hole] = -1;
    for (uint32_t j = (hole + 1) & t->index_mask; t->index[j] >= 0; j = (j + 1) & t->index_mask) {
        int32_t i = t->index[j];
        uint32_t home = uid_hash(t->e[i].uid) & t->index_mask;

        /* Move i into the hole unless its home lies cyclically in (hole, j]. */
        if (((j - home) & t->index_mask) >= ((j - hole) & t->index_mask)) {
            t->index[hole] = i;
            t->e[i].slot = (int32_t)hole;
            t->index[j] = -1;
            hole = j;
        }
    }
}

void inline_flows_del(struct inline_flows *t, struct inline_flow *f)
{
    int32_t i = (int32_t)(f - t->e);

    hold_unlink(t, f);
    index_remove(t, (uint32_t)f->slot);
    if (f->age_prev >= 0)
        t->e[f->age_prev].age_next = f->age_next;
    else
        t->age_head = f->age_next;
    if (f->age_next >= 0)
        t->e[f->age_next].age_prev = f->age_prev;
    else
        t->age_tail = f->age_prev;
    f->uid[0] = '\0';
    f->age_next = t->free_head;
    t->free_head = i;
    t->count--;
}

struct inline_flow *inline_flows_add(struct inline_flows *t, const char *uid, pw_time now)
{
    struct inline_flow *f;
    uint32_t s;
    int32_t i;

    if (t->free_head < 0) {
        /* Forgetting an idle entry costs one more /proc lookup if its flow ever sends data;
         * an entry holding packets is never forgotten. */
        for (i = t->age_head; i >= 0 && t->e[i].held.pkts > 0; i = t->e[i].age_next)
            ;
        if (i < 0)
            return NULL;
        inline_flows_del(t, &t->e[i]);
        t->evicted++;
    }
    i = t->free_head;
    f = &t->e[i];
    t->free_head = f->age_next;
    memset(f, 0, sizeof(*f));
    snprintf(f->uid, sizeof(f->uid), "%s", uid);
    f->created = now;
    inline_hold_list_init(&f->held);
    f->hold_prev = f->hold_next = -1;
    for (s = uid_hash(f->uid) & t->index_mask; t->index[s] >= 0; s = (s + 1) & t->index_mask)
        ;
    t->index[s] = i;
    f->slot = (int32_t)s;
    f->age_next = -1;
    f->age_prev = t->age_tail;
    if (t->age_tail >= 0)
        t->e[t->age_tail].age_next = i;
    else
        t->age_head = i;
    t->age_tail = i;
    t->count++;
    return f;
}

void inline_flows_holding(struct inline_flows *t, struct inline_flow *f, pw_time now)
{
    int32_t i = (int32_t)(f - t->e);

    hold_unlink(t, f);
    f->hold_start = now != 0 ? now : 1;
    f->hold_next = -1;
    f->hold_prev = t->hold_tail;
    if (t->hold_tail >= 0)
        t->e[t->hold_tail].hold_next = i;
    else
        t->hold_head = i;
    t->hold_tail = i;
}

void inline_flows_unhold(struct inline_flows *t, struct inline_flow *f)
{
    hold_unlink(t, f);
}

struct inline_flow *inline_flows_oldest_holding(struct inline_flows *t)
{
    return t->hold_head >= 0 ? &t->e[t->hold_head] : NULL;
}

uint32_t inline_flows_count(const struct inline_flows *t)
{
    return t->count;
}

uint64_t inline_flows_evicted(const struct inline_flows *t)
{
    return t->evicted;
}
