/* decode/frag.c - IPv4 and IPv6 fragment reassembly in memory preallocated and capped at startup.
 *
 * Keys. IPv4: (src, dst, id, protocol), RFC 791. IPv6: (src, dst, id), RFC 8200, as Zeek keys
 * both; the IPv6 upper protocol is taken from the offset-0 fragment.
 *
 * Overlap policy: first wins. Bytes already received are kept; a later fragment only fills the
 * holes it covers. Any overlap (a duplicate included) is weird "fragment_overlap", or
 * "fragment_inconsistency" when the overlapping bytes differ (an evasion attempt: a host that
 * keeps the last copy would see other data than we analyse). One weird per fragment.
 *
 * Size: the first last-fragment (MF clear) fixes the datagram size. A second one with another
 * size, a non-last fragment reaching past it, or a last fragment ending before data already
 * held, is weird "fragment_size_inconsistency" and that fragment is dropped (first wins again).
 * A fragment that would make the datagram exceed 65535 bytes is "excessively_large_fragment" and
 * dropped (ping of death). Zeek's advisory weirds are raised too: "fragment_with_DF",
 * "excessively_small_fragment" (MF set, IP length < 64), "fragment_protocol_inconsistency".
 *
 * Memory: cfg.frag_max_datagrams slots and cfg.frag_max_bytes of 1 KiB chunks, all allocated by
 * frag_create. A new datagram when every slot is busy, or a fragment that needs chunks when none
 * are free, evicts the oldest datagram ("fragment_reassembly_memory_exhausted", frags_evicted).
 * Datagrams older than cfg.frag_timeout (packet time, from the first fragment) are dropped by
 * frag_expire and lazily on arrival; this is counted (frags_timed_out) but not a weird, because
 * Zeek logs none. A datagram whose byte ranges split into more than FRAG_MAX_RANGES pieces is
 * dropped as memory exhausted: no real sender produces that many holes.
 *
 * Output: a completed datagram is rebuilt (header of the offset-0 fragment, lengths fixed, the
 * IPv6 fragment header removed) in one of two output buffers used in turn, so it stays valid
 * until the second-next completion, hence the second-next decoder_decode call. */
#include "decode/decode_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define FRAG_CHUNK       1024u
#define FRAG_SPAN        65536u                      /* payload offsets a datagram can use */
#define FRAG_CHUNKS      (FRAG_SPAN / FRAG_CHUNK)
#define FRAG_MAX_RANGES  32
#define FRAG_HDR_MAX     128                         /* IPv4 header, or IPv6 + unfragmentable ext headers */
#define FRAG_OUT_SIZE    (FRAG_HDR_MAX + FRAG_SPAN)
#define FRAG_MIN_SIZE    64                          /* Zeek's MIN_ACCEPTABLE_FRAG_SIZE */
#define FRAG_MAX_SLOTS   (1u << 22)
#define FRAG_NONE        UINT32_MAX
#define IP6_HDR_LEN      40
#define IP4_FLAG_DF      0x40

struct frag_range {
    uint32_t lo, hi;
};

struct frag_slot {
    struct addr       src, dst;
    uint32_t          id;
    uint8_t           version;
    uint8_t           key_proto;     /* IPv4 protocol; 0 for IPv6 */
    uint8_t           next_proto;    /* protocol of the reassembled payload */
    bool              have_first;    /* the offset-0 fragment supplied hdr */
    bool              have_last;
    pw_time           first_seen;
    uint32_t          frag_size;     /* payload length, once have_last */
    uint32_t          hash_next, age_prev, age_next;
    uint32_t          unfrag_len;    /* the first fragment's unfragmentable length, for consistency */
    uint16_t          hdr_len, nh_off;
    uint16_t          nranges;
    uint8_t           hdr[FRAG_HDR_MAX];
    struct frag_range ranges[FRAG_MAX_RANGES];   /* received bytes, sorted, disjoint, not touching */
    uint32_t          chunk[FRAG_CHUNKS];        /* chunk index per 1 KiB of payload, or FRAG_NONE */
};

struct frag_table {
    struct frag_slot *slots;
    uint32_t          nslots;
    uint32_t         *free_slots;
    uint32_t          nfree_slots;
    uint32_t         *buckets;
    uint32_t          mask;
    uint32_t          age_head, age_tail;        /* oldest first */
    uint8_t          *chunks;
    uint32_t          nchunks;
    uint32_t         *free_chunks;
    uint32_t          nfree_chunks;
    uint8_t          *out[2];
    unsigned          out_next;
    uint64_t          seed;
    pw_time           timeout;
};

struct frag_table *frag_create(const struct decoder_config *cfg)
{
    struct frag_table *ft = calloc(1, sizeof(*ft));
    uint32_t i, nb;

    if (ft == NULL)
        return NULL;
    ft->nslots = cfg->frag_max_datagrams == 0 ? 1 : cfg->frag_max_datagrams;
    if (ft->nslots > FRAG_MAX_SLOTS)
        ft->nslots = FRAG_MAX_SLOTS;
    /* At least one whole datagram must fit, or reassembly could never finish. */
    ft->nchunks = cfg->frag_max_bytes / FRAG_CHUNK;
    if (ft->nchunks < FRAG_CHUNKS)
        ft->nchunks = FRAG_CHUNKS;
    for (nb = 16; nb < 2 * ft->nslots; nb <<= 1)
        ;
    ft->mask = nb - 1;
    ft->timeout = cfg->frag_timeout;
    ft->age_head = ft->age_tail = FRAG_NONE;
    /* Not a secret, but it keeps bucket positions from being the same on every run. */
    ft->seed = (uint64_t)(uintptr_t)ft * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&frag_create;

    ft->slots = calloc(ft->nslots, sizeof(*ft->slots));
    ft->free_slots = calloc(ft->nslots, sizeof(*ft->free_slots));
    ft->buckets = malloc((size_t)nb * sizeof(*ft->buckets));
    ft->chunks = malloc((size_t)ft->nchunks * FRAG_CHUNK);
    ft->free_chunks = calloc(ft->nchunks, sizeof(*ft->free_chunks));
    ft->out[0] = malloc(FRAG_OUT_SIZE);
    ft->out[1] = malloc(FRAG_OUT_SIZE);
    if (ft->slots == NULL || ft->free_slots == NULL || ft->buckets == NULL || ft->chunks == NULL ||
        ft->free_chunks == NULL || ft->out[0] == NULL || ft->out[1] == NULL) {
        frag_free(ft);
        return NULL;
    }
    for (i = 0; i < nb; i++)
        ft->buckets[i] = FRAG_NONE;
    for (i = 0; i < ft->nslots; i++)
        ft->free_slots[i] = ft->nslots - 1 - i;
    ft->nfree_slots = ft->nslots;
    for (i = 0; i < ft->nchunks; i++)
        ft->free_chunks[i] = ft->nchunks - 1 - i;
    ft->nfree_chunks = ft->nchunks;
    return ft;
}

void frag_free(struct frag_table *ft)
{
    if (ft == NULL)
        return;
    free(ft->slots);
    free(ft->free_slots);
    free(ft->buckets);
    free(ft->chunks);
    free(ft->free_chunks);
    free(ft->out[0]);
    free(ft->out[1]);
    free(ft);
}

static uint32_t frag_hash(const struct frag_table *ft, const struct addr *src, const struct addr *dst,
                          uint32_t id, uint8_t key_proto)
{
    uint64_t h = ft->seed ^ ((uint64_t)id << 8) ^ key_proto, w;
    int i;

    for (i = 0; i < 16; i += 8) {
        memcpy(&w, src->b + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
        memcpy(&w, dst->b + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    return (uint32_t)(h ^ (h >> 32)) & ft->mask;
}

static uint32_t slot_lookup(const struct frag_table *ft, const struct packet *p, uint32_t id, uint8_t key_proto)
{
    uint32_t i = ft->buckets[frag_hash(ft, &p->src, &p->dst, id, key_proto)];
    const struct frag_slot *s;

    for (; i != FRAG_NONE; i = s->hash_next) {
        s = &ft->slots[i];
        if (s->id == id && s->key_proto == key_proto && s->version == p->ip_version &&
            addr_cmp(&s->src, &p->src) == 0 && addr_cmp(&s->dst, &p->dst) == 0)
            return i;
    }
    return FRAG_NONE;
}

static void slot_release(struct frag_table *ft, uint32_t idx)
{
    struct frag_slot *s = &ft->slots[idx];
    uint32_t *pp = &ft->buckets[frag_hash(ft, &s->src, &s->dst, s->id, s->key_proto)];
    uint32_t c;

    while (*pp != idx)
        pp = &ft->slots[*pp].hash_next;
    *pp = s->hash_next;

    if (s->age_prev != FRAG_NONE)
        ft->slots[s->age_prev].age_next = s->age_next;
    else
        ft->age_head = s->age_next;
    if (s->age_next != FRAG_NONE)
        ft->slots[s->age_next].age_prev = s->age_prev;
    else
        ft->age_tail = s->age_prev;

    for (c = 0; c < FRAG_CHUNKS; c++)
        if (s->chunk[c] != FRAG_NONE)
            ft->free_chunks[ft->nfree_chunks++] = s->chunk[c];
    ft->free_slots[ft->nfree_slots++] = idx;
}

/* Drops a whole datagram; the weird names its addresses, as Zeek's FragReassembler::Weird does. */
static void slot_drop(struct decoder *d, uint32_t idx, enum weird_id id, const char *addl)
{
    struct frag_slot *s = &d->frag->slots[idx];
    struct packet wp;

    memset(&wp, 0, sizeof(wp));
    wp.ts = s->first_seen;
    wp.ip_version = s->version;
    wp.l4_proto = s->next_proto;
    wp.src = s->src;
    wp.dst = s->dst;
    decode_weird(d, id, &wp, addl);
    slot_release(d->frag, idx);
}

static void slot_evict_oldest(struct decoder *d, uint32_t keep)
{
    uint32_t victim = d->frag->age_head;

    if (victim == keep)
        victim = d->frag->slots[victim].age_next;
    if (victim == FRAG_NONE)
        return;
    d->stats.frags_evicted++;
    slot_drop(d, victim, WEIRD_FRAGMENT_MEMORY_EXHAUSTED, NULL);
}

static uint32_t slot_new(struct decoder *d, const struct packet *p, const struct frag_input *in, uint8_t key_proto)
{
    struct frag_table *ft = d->frag;
    struct frag_slot *s;
    uint32_t idx, b, c;

    if (ft->nfree_slots == 0)
        slot_evict_oldest(d, FRAG_NONE);
    idx = ft->free_slots[--ft->nfree_slots];
    s = &ft->slots[idx];
    memset(s, 0, offsetof(struct frag_slot, hdr));
    s->src = p->src;
    s->dst = p->dst;
    s->id = in->id;
    s->version = in->version;
    s->key_proto = key_proto;
    s->next_proto = in->proto;
    s->first_seen = p->ts;
    s->unfrag_len = in->hdr_len;
    for (c = 0; c < FRAG_CHUNKS; c++)
        s->chunk[c] = FRAG_NONE;

    b = frag_hash(ft, &s->src, &s->dst, s->id, key_proto);
    s->hash_next = ft->buckets[b];
    ft->buckets[b] = idx;
    s->age_next = FRAG_NONE;
    s->age_prev = ft->age_tail;
    if (ft->age_tail != FRAG_NONE)
        ft->slots[ft->age_tail].age_next = idx;
    else
        ft->age_head = idx;
    ft->age_tail = idx;
    return idx;
}

/* Keeps the unfragmentable part to put in front of the reassembled payload. */
static void slot_store_hdr(struct frag_slot *s, const struct frag_input *in)
{
    if (in->hdr_len <= FRAG_HDR_MAX) {
        memcpy(s->hdr, in->hdr, in->hdr_len);
        s->hdr_len = (uint16_t)in->hdr_len;
        s->nh_off = (uint16_t)in->nh_off;
    } else {
        /* IPv6 extension headers longer than we keep: the fixed header alone still carries
         * everything the flow layer uses. */
        memcpy(s->hdr, in->hdr, IP6_HDR_LEN);
        s->hdr_len = IP6_HDR_LEN;
        s->nh_off = 6;
    }
}

static void chunk_copy_in(struct frag_table *ft, const struct frag_slot *s, uint32_t off, const uint8_t *src,
                          uint32_t len)
{
    uint32_t o, n;

    while (len > 0) {
        o = off % FRAG_CHUNK;
        n = FRAG_CHUNK - o < len ? FRAG_CHUNK - o : len;
        memcpy(ft->chunks + (size_t)s->chunk[off / FRAG_CHUNK] * FRAG_CHUNK + o, src, n);
        off += n;
        src += n;
        len -= n;
    }
}

static bool chunk_equal(const struct frag_table *ft, const struct frag_slot *s, uint32_t off, const uint8_t *src,
                        uint32_t len)
{
    uint32_t o, n;

    while (len > 0) {
        o = off % FRAG_CHUNK;
        n = FRAG_CHUNK - o < len ? FRAG_CHUNK - o : len;
        if (memcmp(ft->chunks + (size_t)s->chunk[off / FRAG_CHUNK] * FRAG_CHUNK + o, src, n) != 0)
            return false;
        off += n;
        src += n;
        len -= n;
    }
    return true;
}

/* The slot's ranges with [lo, hi) merged in, into out; returns the count, or -1 past the cap. */
static int ranges_merge(const struct frag_slot *s, uint32_t lo, uint32_t hi, struct frag_range *out)
{
    int n = 0, i = 0;

    while (i < s->nranges && s->ranges[i].hi < lo)
        out[n++] = s->ranges[i++];
    while (i < s->nranges && s->ranges[i].lo <= hi) {
        if (s->ranges[i].lo < lo)
            lo = s->ranges[i].lo;
        if (s->ranges[i].hi > hi)
            hi = s->ranges[i].hi;
        i++;
    }
    out[n].lo = lo;
    out[n++].hi = hi;
    while (i < s->nranges)
        out[n++] = s->ranges[i++];
    return n > FRAG_MAX_RANGES ? -1 : n;
}

/* Copies the holes [lo, hi) fills and compares what it overlaps; returns whether it overlapped,
 * and in *differ whether any overlapping byte differed. */
static bool slot_fill(struct frag_table *ft, const struct frag_slot *s, uint32_t lo, uint32_t hi,
                      const uint8_t *data, bool *differ)
{
    uint32_t cur = lo, a, b;
    bool overlap = false;
    int i;

    *differ = false;
    for (i = 0; i < s->nranges && cur < hi; i++) {
        const struct frag_range *r = &s->ranges[i];

        if (r->hi <= cur || r->lo >= hi)
            continue;
        if (r->lo > cur)
            chunk_copy_in(ft, s, cur, data + (cur - lo), r->lo - cur);
        a = r->lo > cur ? r->lo : cur;
        b = r->hi < hi ? r->hi : hi;
        overlap = true;
        if (!chunk_equal(ft, s, a, data + (a - lo), b - a))
            *differ = true;
        cur = b;
    }
    if (cur < hi)
        chunk_copy_in(ft, s, cur, data + (cur - lo), hi - cur);
    return overlap;
}

/* Makes sure chunks back [lo, hi), evicting older datagrams for them; false if impossible. */
static bool slot_chunks(struct decoder *d, uint32_t idx, uint32_t lo, uint32_t hi)
{
    struct frag_table *ft = d->frag;
    struct frag_slot *s = &ft->slots[idx];
    uint32_t c, need = 0;

    for (c = lo / FRAG_CHUNK; c <= (hi - 1) / FRAG_CHUNK; c++)
        if (s->chunk[c] == FRAG_NONE)
            need++;
    while (ft->nfree_chunks < need) {
        if (ft->age_head == idx && ft->slots[idx].age_next == FRAG_NONE)
            return false;
        slot_evict_oldest(d, idx);
    }
    for (c = lo / FRAG_CHUNK; c <= (hi - 1) / FRAG_CHUNK; c++)
        if (s->chunk[c] == FRAG_NONE)
            s->chunk[c] = ft->free_chunks[--ft->nfree_chunks];
    return true;
}

/* Writes the complete datagram into the next output buffer and frees the slot. */
static enum decode_result slot_finish(struct decoder *d, uint32_t idx, const uint8_t **dgram, uint32_t *dgram_len)
{
    struct frag_table *ft = d->frag;
    struct frag_slot *s = &ft->slots[idx];
    uint32_t n = s->hdr_len + s->frag_size, off, step, max;
    uint8_t *out;
    uint16_t sum;

    max = s->version == 4 ? IP_MAX_DATAGRAM : IP6_HDR_LEN + IP_MAX_DATAGRAM;
    if (n > max || n > FRAG_OUT_SIZE) {
        slot_drop(d, idx, WEIRD_EXCESSIVELY_LARGE_FRAGMENT, NULL);
        return DECODE_BAD;
    }
    out = ft->out[ft->out_next];
    ft->out_next ^= 1;
    memcpy(out, s->hdr, s->hdr_len);
    for (off = 0; off < s->frag_size; off += step) {
        step = s->frag_size - off < FRAG_CHUNK ? s->frag_size - off : FRAG_CHUNK;
        memcpy(out + s->hdr_len + off, ft->chunks + (size_t)s->chunk[off / FRAG_CHUNK] * FRAG_CHUNK, step);
    }
    if (s->version == 4) {
        out[2] = (uint8_t)(n >> 8);
        out[3] = (uint8_t)n;
        out[6] &= IP4_FLAG_DF;
        out[7] = 0;
        out[10] = out[11] = 0;
        sum = checksum_finish(checksum_add(0, out, s->hdr_len));
        out[10] = (uint8_t)(sum >> 8);
        out[11] = (uint8_t)sum;
    } else {
        out[4] = (uint8_t)((n - IP6_HDR_LEN) >> 8);
        out[5] = (uint8_t)(n - IP6_HDR_LEN);
        out[s->nh_off] = s->next_proto;
    }
    slot_release(ft, idx);
    d->stats.frags_reassembled++;
    *dgram = out;
    *dgram_len = n;
    return DECODE_OK;
}

static bool slot_expired(const struct frag_table *ft, const struct frag_slot *s, pw_time now)
{
    return ft->timeout > 0 && now - s->first_seen > ft->timeout;
}

void frag_expire(struct decoder *d, pw_time now)
{
    struct frag_table *ft = d->frag;

    while (ft->age_head != FRAG_NONE && slot_expired(ft, &ft->slots[ft->age_head], now)) {
        d->stats.frags_timed_out++;
        slot_release(ft, ft->age_head);
    }
}

/* The size rules of the header comment; false (after a weird) drops the fragment. */
static bool slot_size_ok(struct decoder *d, const struct packet *p, struct frag_slot *s, const struct frag_input *in,
                         uint32_t end)
{
    if (in->more) {
        if (s->have_last && end > s->frag_size) {
            decode_weird(d, WEIRD_FRAGMENT_SIZE_INCONSISTENCY, p, NULL);
            return false;
        }
        return true;
    }
    if (s->have_last) {
        if (end != s->frag_size) {
            decode_weird(d, WEIRD_FRAGMENT_SIZE_INCONSISTENCY, p, NULL);
            return false;
        }
        return true;
    }
    if (s->nranges > 0 && s->ranges[s->nranges - 1].hi > end) {
        decode_weird(d, WEIRD_FRAGMENT_SIZE_INCONSISTENCY, p, NULL);
        return false;
    }
    s->have_last = true;
    s->frag_size = end;
    return true;
}

enum decode_result frag_add(struct decoder *d, const struct packet *p, const struct frag_input *in,
                            const uint8_t **dgram, uint32_t *dgram_len)
{
    struct frag_table *ft = d->frag;
    struct frag_range merged[FRAG_MAX_RANGES + 1];
    uint8_t key_proto = in->version == 4 ? in->proto : 0;
    uint32_t end = in->offset + in->len, limit, idx;
    struct frag_slot *s;
    bool differ;
    int n;

    d->stats.frags++;
    frag_expire(d, p->ts);

    if (in->df)
        decode_weird(d, WEIRD_FRAGMENT_WITH_DF, p, NULL);
    if (in->more && in->ip_len < FRAG_MIN_SIZE)
        decode_weird(d, WEIRD_EXCESSIVELY_SMALL_FRAGMENT, p, NULL);
    /* The rebuilt datagram's own length field must hold it. */
    limit = in->version == 4 ? IP_MAX_DATAGRAM - in->hdr_len : IP_MAX_DATAGRAM + IP6_HDR_LEN - in->hdr_len;
    if (in->hdr_len > IP_MAX_DATAGRAM || end > limit) {
        decode_weird(d, WEIRD_EXCESSIVELY_LARGE_FRAGMENT, p, NULL);
        return DECODE_BAD;
    }

    idx = slot_lookup(ft, p, in->id, key_proto);
    if (idx != FRAG_NONE && slot_expired(ft, &ft->slots[idx], p->ts)) {
        /* Reordered packet times can leave an expired set behind the age list's head. */
        d->stats.frags_timed_out++;
        slot_release(ft, idx);
        idx = FRAG_NONE;
    }
    if (idx == FRAG_NONE) {
        idx = slot_new(d, p, in, key_proto);
        slot_store_hdr(&ft->slots[idx], in);
    } else if (in->hdr_len != ft->slots[idx].unfrag_len ||
               (in->version == 6 && in->proto != ft->slots[idx].next_proto)) {
        decode_weird(d, WEIRD_FRAGMENT_PROTOCOL_INCONSISTENCY, p, NULL);
    }
    s = &ft->slots[idx];
    if (in->offset == 0 && !s->have_first) {
        slot_store_hdr(s, in);
        s->next_proto = in->proto;
        s->have_first = true;
    }
    if (!slot_size_ok(d, p, s, in, end))
        return DECODE_BAD;

    if (in->len > 0) {
        n = ranges_merge(s, in->offset, end, merged);
        if (n < 0) {
            slot_drop(d, idx, WEIRD_FRAGMENT_MEMORY_EXHAUSTED, "too many holes");
            return DECODE_BAD;
        }
        if (!slot_chunks(d, idx, in->offset, end)) {
            slot_drop(d, idx, WEIRD_FRAGMENT_MEMORY_EXHAUSTED, NULL);
            return DECODE_BAD;
        }
        if (slot_fill(ft, s, in->offset, end, in->data, &differ)) {
            d->stats.frags_overlap++;
            decode_weird(d, differ ? WEIRD_FRAGMENT_INCONSISTENCY : WEIRD_FRAGMENT_OVERLAP, p, NULL);
        }
        memcpy(s->ranges, merged, (size_t)n * sizeof(merged[0]));
        s->nranges = (uint16_t)n;
    }

    if (s->have_last && s->nranges == 1 && s->ranges[0].lo == 0 && s->ranges[0].hi == s->frag_size)
        return slot_finish(d, idx, dgram, dgram_len);
    return DECODE_HELD;
}
