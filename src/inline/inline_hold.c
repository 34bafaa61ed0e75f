/* inline/inline_hold.c - held packets: a fixed pool of records, chained per flow in arrival order. */
#include <stdlib.h>

#include "inline/inline_int.h"

/* The kernel keeps a held packet's bytes in its queue until we give the verdict; this pool keeps
 * only what the verdict and a reset need, so holding costs no copy and no allocation. */
struct inline_hold {
    struct inline_held *slots;
    uint32_t            cap;
    uint32_t            in_use;
    int32_t             free_head;
    uint64_t            refused;
};

struct inline_hold *inline_hold_create(uint32_t cap)
{
    struct inline_hold *h;

    if (cap == 0 || cap > (uint32_t)INT32_MAX)
        return NULL;
    h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->slots = calloc(cap, sizeof(*h->slots));
    if (h->slots == NULL) {
        free(h);
        return NULL;
    }
    h->cap = cap;
    for (uint32_t i = 0; i < cap; i++)
        h->slots[i].next = i + 1 < cap ? (int32_t)(i + 1) : -1;
    h->free_head = 0;
    return h;
}

void inline_hold_free(struct inline_hold *h)
{
    if (h == NULL)
        return;
    free(h->slots);
    free(h);
}

void inline_hold_list_init(struct inline_hold_list *l)
{
    l->head = l->tail = -1;
    l->pkts = 0;
    l->bytes = 0;
}

int inline_hold_push(struct inline_hold *h, struct inline_hold_list *l, const struct inline_held *pkt)
{
    int32_t i = h->free_head;

    if (i < 0) {
        h->refused++;
        return -1;
    }
    h->free_head = h->slots[i].next;
    h->slots[i] = *pkt;
    h->slots[i].next = -1;
    if (l->tail >= 0)
        h->slots[l->tail].next = i;
    else
        l->head = i;
    l->tail = i;
    l->pkts++;
    l->bytes += pkt->len;
    h->in_use++;
    return 0;
}

bool inline_hold_pop(struct inline_hold *h, struct inline_hold_list *l, struct inline_held *out)
{
    int32_t i = l->head;

    if (i < 0 || l->pkts == 0)
        return false;
    *out = h->slots[i];
    l->head = h->slots[i].next;
    if (l->head < 0)
        l->tail = -1;
    l->pkts--;
    l->bytes -= out->len;
    h->slots[i].next = h->free_head;
    h->free_head = i;
    h->in_use--;
    out->next = -1;
    return true;
}

const struct inline_held *inline_hold_first(const struct inline_hold *h, const struct inline_hold_list *l,
                                            bool from_orig)
{
    for (int32_t i = l->pkts > 0 ? l->head : -1; i >= 0; i = h->slots[i].next)
        if ((bool)h->slots[i].from_orig == from_orig)
            return &h->slots[i];
    return NULL;
}

uint32_t inline_hold_in_use(const struct inline_hold *h)
{
    return h->in_use;
}

uint32_t inline_hold_capacity(const struct inline_hold *h)
{
    return h->cap;
}

uint64_t inline_hold_refused(const struct inline_hold *h)
{
    return h->refused;
}
