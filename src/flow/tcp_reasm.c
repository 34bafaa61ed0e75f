/* flow/tcp_reasm.c - per-direction TCP reassembly: in-order delivery, first-wins overlaps, gaps, caps. */
#include "flow/tcp_reasm.h"

#include <stdlib.h>
#include <string.h>

/*
 * When is a hole a gap? The rule follows Zeek (TCP_Reassembler::Undelivered, Reassem.cc Trim):
 * a hole is only declared lost when the receiver acknowledges bytes beyond it ("ack above
 * hole"). For an ack A above next_seq, Zeek walks the buffered blocks below A: it reports a
 * content gap from the last delivered byte up to the block, delivers the block and everything
 * contiguous with it (even past A), and repeats; a final gap runs up to A. We do the same.
 * Zeek adds a gap to conn.log missed_bytes only while both endpoints are established or
 * closing cleanly; that filter belongs to the sink (the engine), not here.
 *
 * Deliberate differences:
 * - Zeek keeps delivered bytes until they are acked, so it can compare a retransmission with
 *   them. We hand in-order bytes to the sink straight from the packet without copying, so only
 *   retransmissions overlapping buffered (out-of-order) data are compared; overlaps of
 *   delivered data are flagged TCP_REASM_RETRANSMIT and cannot be judged.
 * - Zeek tracks 64-bit relative sequence numbers; we work modulo 2^32 around next_seq and
 *   ignore acks (and segments) more than TCP_REASM_MAX_AHEAD beyond it, which are garbage or a
 *   misread wraparound, rather than declaring a gigabyte missing.
 * - tcp_reasm_flush (flow end) reports a gap before each buffered block and delivers it. Zeek
 *   leaves data above a never-acked hole undelivered and counts nothing for it.
 * - Zeek gives up a whole direction when too much data piles up above a hole
 *   (tcp_max_above_hole_without_any_acks); we give up the oldest chunk and go on.
 *
 * Sequence numbers: every buffered byte lies within TCP_REASM_MAX_AHEAD + TCP_REASM_MAX_SEG
 * after next_seq, well inside 2^31, so signed 32-bit differences order them correctly across
 * the wrap.
 */
#define TCP_REASM_MAX_AHEAD (1u << 30)
#define TCP_REASM_MAX_SEG   (1u << 24)   /* larger "segments" are not TCP: ignored */

/* One pool chunk. The list head also carries the tail pointer, so data arriving in order
 * behind a hole (the usual case) is appended without walking the list. */
struct tcp_reasm_seg {
    struct tcp_reasm_seg *next;
    struct tcp_reasm_seg *tail;   /* valid in the list head only */
    uint32_t              seq;
    uint16_t              len;
    uint16_t              unused;
    uint8_t               data[];
};

_Static_assert(offsetof(struct tcp_reasm_seg, data) + TCP_REASM_CHUNK_DATA <= TCP_REASM_CHUNK_SIZE,
               "chunk header and data must fit in a chunk");
_Static_assert(TCP_REASM_CHUNK_DATA <= UINT16_MAX, "seg len is 16 bits");

struct tcp_reasm_pool {
    uint8_t                     *arena;        /* max_chunks chunks, reserved at create */
    size_t                       max_chunks;
    size_t                       carved;       /* chunks handed out from the arena so far */
    struct tcp_reasm_seg        *free_list;
    uint32_t                     per_dir_chunks;
    struct tcp_reasm_pool_stats  stats;
};

static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline bool seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}

static inline uint32_t seg_end(const struct tcp_reasm_seg *s)
{
    return s->seq + s->len;
}

/* ---- pool ---- */

struct tcp_reasm_pool *tcp_reasm_pool_create(const struct tcp_reasm_pool_config *cfg)
{
    struct tcp_reasm_pool *pool = calloc(1, sizeof(*pool));

    if (pool == NULL)
        return NULL;
    pool->max_chunks = cfg->memcap / TCP_REASM_CHUNK_SIZE;
    pool->per_dir_chunks = cfg->per_dir_cap / TCP_REASM_CHUNK_SIZE;
    if (pool->max_chunks > 0) {
        /* Untouched pages cost nothing until a chunk is first carved from them. */
        pool->arena = malloc(pool->max_chunks * TCP_REASM_CHUNK_SIZE);
        if (pool->arena == NULL) {
            free(pool);
            return NULL;
        }
    }
    return pool;
}

void tcp_reasm_pool_free(struct tcp_reasm_pool *pool)
{
    if (pool == NULL)
        return;
    free(pool->arena);
    free(pool);
}

const struct tcp_reasm_pool_stats *tcp_reasm_pool_get_stats(const struct tcp_reasm_pool *pool)
{
    return &pool->stats;
}

/* A chunk for direction r, or NULL when a cap refuses it (counted). */
static struct tcp_reasm_seg *chunk_get(struct tcp_reasm_pool *pool, struct tcp_reasm *r)
{
    struct tcp_reasm_seg *c;

    if (r->chunks >= pool->per_dir_chunks) {
        pool->stats.cap_hits++;
        return NULL;
    }
    if (pool->free_list != NULL) {
        c = pool->free_list;
        pool->free_list = c->next;
    } else if (pool->carved < pool->max_chunks) {
        c = (struct tcp_reasm_seg *)(void *)(pool->arena + pool->carved * TCP_REASM_CHUNK_SIZE);
        pool->carved++;
    } else {
        pool->stats.memcap_hits++;
        return NULL;
    }
    r->chunks++;
    pool->stats.segs_in_use++;
    pool->stats.bytes_in_use += TCP_REASM_CHUNK_SIZE;
    if (pool->stats.bytes_in_use > pool->stats.bytes_peak)
        pool->stats.bytes_peak = pool->stats.bytes_in_use;
    return c;
}

static void chunk_put(struct tcp_reasm_pool *pool, struct tcp_reasm *r, struct tcp_reasm_seg *c)
{
    r->chunks--;
    r->buffered -= c->len;
    pool->stats.segs_in_use--;
    pool->stats.bytes_in_use -= TCP_REASM_CHUNK_SIZE;
    c->next = pool->free_list;
    pool->free_list = c;
}

/* ---- list and sink helpers ---- */

/* Unlinks the head and frees it; the next chunk inherits the tail pointer. */
static void pop_head(struct tcp_reasm *r, struct tcp_reasm_pool *pool)
{
    struct tcp_reasm_seg *h = r->segs;

    r->segs = h->next;
    if (r->segs != NULL)
        r->segs->tail = h->tail;
    chunk_put(pool, r, h);
}

/* Links c in at *link, ahead of what is there. */
static void link_chunk(struct tcp_reasm *r, struct tcp_reasm_seg **link, struct tcp_reasm_seg *c)
{
    c->next = *link;
    if (link == &r->segs)
        c->tail = c->next != NULL ? c->next->tail : c;
    else if (c->next == NULL)
        r->segs->tail = c;
    *link = c;
}

static void emit_data(struct tcp_reasm *r, const struct tcp_reasm_sink *sink, const uint8_t *data,
                      uint32_t len)
{
    r->next_seq += len;
    r->delivered += len;
    if (sink->data != NULL)
        sink->data(sink->ctx, data, len);
}

/* Declares [next_seq, upto) lost. */
static unsigned emit_gap(struct tcp_reasm *r, const struct tcp_reasm_sink *sink, uint32_t upto)
{
    uint32_t len = upto - r->next_seq;

    if (!seq_lt(r->next_seq, upto))
        return 0;
    r->next_seq = upto;
    r->gap_bytes += len;
    if (sink->gap != NULL)
        sink->gap(sink->ctx, len);
    return TCP_REASM_GAP;
}

/* Delivers the buffered chunks that start at next_seq, in order. */
static void deliver_front(struct tcp_reasm *r, struct tcp_reasm_pool *pool,
                          const struct tcp_reasm_sink *sink)
{
    struct tcp_reasm_seg *h;

    while ((h = r->segs) != NULL && h->seq == r->next_seq) {
        /* The chunk stays ours until the sink returns. */
        emit_data(r, sink, h->data, h->len);
        pop_head(r, pool);
    }
}

/* A cap refused a chunk for bytes starting at cur (ending by pend): give up the oldest data of
 * this direction, the head chunk if it lies before cur, else the new bytes themselves. */
static unsigned give_up_oldest(struct tcp_reasm *r, struct tcp_reasm_pool *pool,
                               const struct tcp_reasm_sink *sink, uint32_t cur, uint32_t pend)
{
    unsigned flags = TCP_REASM_CAP_HIT;
    struct tcp_reasm_seg *h = r->segs;

    if (h != NULL && seq_lt(h->seq, cur)) {
        uint32_t upto = seg_end(h);

        pop_head(r, pool);
        flags |= emit_gap(r, sink, upto);
    } else {
        flags |= emit_gap(r, sink, pend);
    }
    deliver_front(r, pool, sink);
    return flags;
}

/* Where bytes at cur go: *linkp is the first chunk ending after cur, *prevp the one before. */
static void locate(struct tcp_reasm *r, uint32_t cur, struct tcp_reasm_seg ***linkp,
                   struct tcp_reasm_seg **prevp)
{
    struct tcp_reasm_seg **link = &r->segs;
    struct tcp_reasm_seg *prev = NULL;
    struct tcp_reasm_seg *s;

    if (r->segs != NULL && seq_le(seg_end(r->segs->tail), cur)) {
        prev = r->segs->tail;
        link = &prev->next;
    }
    while ((s = *link) != NULL && seq_le(seg_end(s), cur)) {
        prev = s;
        link = &s->next;
    }
    *linkp = link;
    *prevp = prev;
}

/* ---- the direction ---- */

void tcp_reasm_init(struct tcp_reasm *r, uint32_t next_seq)
{
    memset(r, 0, sizeof(*r));
    r->next_seq = next_seq;
    r->started = true;
}

unsigned tcp_reasm_feed(struct tcp_reasm *r, struct tcp_reasm_pool *pool, uint32_t seq,
                        const uint8_t *data, uint32_t len, const struct tcp_reasm_sink *sink)
{
    struct tcp_reasm_seg **link, *prev, *s, *c;
    uint32_t cur, end, pend, n;
    unsigned flags = 0;
    int32_t ahead;

    if (len == 0 || len > TCP_REASM_MAX_SEG)
        return 0;
    if (!r->started)
        tcp_reasm_init(r, seq);
    ahead = (int32_t)(seq - r->next_seq);
    if (ahead > (int32_t)TCP_REASM_MAX_AHEAD)
        return 0;
    end = seq + len;
    cur = seq;
    if (ahead < 0) {
        /* Already delivered or given up: nothing left to compare it with. */
        flags |= TCP_REASM_RETRANSMIT;
        if (seq_le(end, r->next_seq))
            return flags;
        cur = r->next_seq;
    }

    locate(r, cur, &link, &prev);
    while (seq_lt(cur, end)) {
        if (seq_lt(cur, r->next_seq)) {
            /* A cap just gave these bytes up as part of a gap. */
            cur = seq_min(r->next_seq, end);
            locate(r, cur, &link, &prev);
            continue;
        }
        s = *link;
        if (s != NULL && seq_le(s->seq, cur)) {
            /* First wins: the buffered bytes stay; a different copy is only reported. */
            n = seq_min(end, seg_end(s)) - cur;
            flags |= TCP_REASM_RETRANSMIT;
            if (memcmp(s->data + (cur - s->seq), data + (cur - seq), n) != 0)
                flags |= TCP_REASM_INCONSISTENT;
            cur += n;
            if (s->seq == r->next_seq) {
                deliver_front(r, pool, sink);
                locate(r, cur, &link, &prev);
            } else {
                prev = s;
                link = &s->next;
            }
            continue;
        }

        pend = s != NULL ? seq_min(end, s->seq) : end;
        flags |= TCP_REASM_NEW_DATA;
        if (cur == r->next_seq) {
            /* In order: straight from the packet, no copy. */
            emit_data(r, sink, data + (cur - seq), pend - cur);
            cur = pend;
            continue;
        }

        if (prev != NULL && seg_end(prev) == cur && prev->len < TCP_REASM_CHUNK_DATA) {
            /* Fill the previous chunk first so small segments do not each take a chunk. */
            n = seq_min(pend, cur + (TCP_REASM_CHUNK_DATA - prev->len)) - cur;
            memcpy(prev->data + prev->len, data + (cur - seq), n);
            prev->len = (uint16_t)(prev->len + n);
            r->buffered += n;
            cur += n;
            continue;
        }
        c = chunk_get(pool, r);
        if (c == NULL) {
            flags |= give_up_oldest(r, pool, sink, cur, pend);
            locate(r, cur, &link, &prev);
            continue;
        }
        n = seq_min(pend, cur + TCP_REASM_CHUNK_DATA) - cur;
        c->seq = cur;
        c->len = (uint16_t)n;
        memcpy(c->data, data + (cur - seq), n);
        link_chunk(r, link, c);
        r->buffered += n;
        prev = c;
        link = &c->next;
        cur += n;
    }
    deliver_front(r, pool, sink);
    return flags;
}

unsigned tcp_reasm_ack(struct tcp_reasm *r, struct tcp_reasm_pool *pool, uint32_t ack,
                       const struct tcp_reasm_sink *sink)
{
    int32_t ahead = (int32_t)(ack - r->next_seq);
    unsigned flags = 0;

    if (!r->started || ahead <= 0 || ahead > (int32_t)TCP_REASM_MAX_AHEAD)
        return 0;
    while (seq_lt(r->next_seq, ack)) {
        if (r->segs != NULL && seq_lt(r->segs->seq, ack)) {
            flags |= emit_gap(r, sink, r->segs->seq);
            deliver_front(r, pool, sink);
        } else {
            flags |= emit_gap(r, sink, ack);
        }
    }
    return flags;
}

unsigned tcp_reasm_flush(struct tcp_reasm *r, struct tcp_reasm_pool *pool,
                         const struct tcp_reasm_sink *sink)
{
    unsigned flags = 0;

    while (r->segs != NULL) {
        flags |= emit_gap(r, sink, r->segs->seq);
        deliver_front(r, pool, sink);
    }
    return flags;
}

void tcp_reasm_fini(struct tcp_reasm *r, struct tcp_reasm_pool *pool)
{
    while (r->segs != NULL)
        pop_head(r, pool);
}
