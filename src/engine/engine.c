/* engine/engine.c - the packet path: decode, tunnel, flow lookup, connection tracking, reassembly. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "decode/tunnel.h"
#include "detect/notice.h"
#include "engine/engine_baseline_int.h"
#include "engine/engine_int.h"
#include "engine/session_int.h"
#include "flow/conn_track.h"

#define ENGINE_DEFAULT_MAX_FLOWS     (1u << 20)
#define ENGINE_DEFAULT_REASM_MEMCAP  ((size_t)256 << 20)
#define ENGINE_DEFAULT_REASM_PER_DIR (1u << 20)
#define FRAG_MAX_DATAGRAMS           4096
#define FRAG_MAX_BYTES               (16u << 20)
#define FRAG_TIMEOUT                 (60 * PW_SEC)

static void engine_decode_weird(void *ctx, enum weird_id id, const struct packet *p, const char *addl)
{
    engine_weird(ctx, id, NULL, p, addl);
}

struct engine *engine_create(const struct engine_config *cfg, struct log_set *logs, char *err, size_t errlen)
{
    struct engine *e = calloc(1, sizeof(*e));
    struct flow_table_config ft;
    struct tcp_reasm_pool_config rc;
    struct decoder_config dc;

    if (e == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->cfg = *cfg;
    e->logs = logs;
    uid_gen_init(&e->uids, cfg->seed, cfg->seeded);

    memset(&dc, 0, sizeof(dc));
    dc.frag_max_datagrams = FRAG_MAX_DATAGRAMS;
    dc.frag_max_bytes = FRAG_MAX_BYTES;
    dc.frag_timeout = FRAG_TIMEOUT;
    dc.check_checksums = !cfg->ignore_checksums;   /* -C: trust every checksum, IP's included */
    dc.on_weird = engine_decode_weird;
    dc.weird_ctx = e;

    flow_table_config_defaults(&ft);
    ft.max_flows = cfg->max_flows != 0 ? cfg->max_flows : ENGINE_DEFAULT_MAX_FLOWS;
    ft.hash_seed = e->uids.key[0];

    rc.memcap = cfg->reasm_memcap != 0 ? cfg->reasm_memcap : ENGINE_DEFAULT_REASM_MEMCAP;
    rc.per_dir_cap = cfg->reasm_per_dir_cap != 0 ? cfg->reasm_per_dir_cap : ENGINE_DEFAULT_REASM_PER_DIR;

    e->decoder = decoder_create(&dc);
    e->flows = flow_table_create(&ft);
    e->reasm = tcp_reasm_pool_create(&rc);
    e->tcp_states = pool_create("flow_tcp", sizeof(struct flow_tcp), ft.max_flows);
    e->sessions = session_pools_create(ft.max_flows);
    {
        struct files_config fc = {.extract_dir = cfg->extract_dir, .max_open = cfg->max_files,
                                  .hashes = cfg->file_hashes, .hash_thread = cfg->hash_thread};

        e->files = files_create(&fc, logs, err, errlen);
        if (e->files == NULL) {
            engine_free(e);
            return NULL;
        }
    }
    {
        struct detect_config dc2 = {.shared = cfg->detect_shared,
                                    .callback_window = (pw_time)(cfg->callback_window * (double)PW_SEC),
                                    .suppress_for = (pw_time)((cfg->notice_suppress < 0 ? NOTICE_SUPPRESS_DEFAULT
                                                                                        : cfg->notice_suppress) *
                                                              (double)PW_SEC),
                                    .seeded = cfg->seeded, .seed = cfg->seed};

        e->detect = detect_create(&dc2, logs);
    }
    if (e->decoder == NULL || e->flows == NULL || e->reasm == NULL || e->tcp_states == NULL ||
        e->sessions == NULL || e->detect == NULL) {
        snprintf(err, errlen, "out of memory creating the engine");
        engine_free(e);
        return NULL;
    }
    if (cfg->baseline_policy != NULL && (e->baseline = engine_baseline_create(cfg, logs, err, errlen)) == NULL) {
        engine_free(e);
        return NULL;
    }
    return e;
}

void engine_uid(const struct engine *e, uint64_t n, char *buf, size_t size)
{
    uint64_t v[2];

    uid_gen_value(&e->uids, n, v);
    uid_format('C', v, buf, size);
}

/* ---- TCP stream delivery: the consumer interface the analyzers plug into ---- */

struct stream_ctx {
    struct engine *e;
    struct flow   *f;
    enum flow_dir  dir;
    bool           at_end;   /* the flow is ending: holes nobody acked are not counted */
};

static void stream_data(void *ctx, const uint8_t *data, size_t len)
{
    struct stream_ctx *sc = ctx;

    if (!sc->e->cfg.conn_only)
        session_stream_data(sc->e, sc->f, sc->dir, sc->e->now, data, len);
}

static void stream_gap(void *ctx, uint64_t len)
{
    struct stream_ctx *sc = ctx;

    session_stream_gap(sc->e, sc->f, sc->dir, len);
    /* Zeek leaves data above a never-acknowledged hole undelivered and uncounted. */
    if (sc->at_end)
        return;
    /* As Zeek (report_gaps_for_partial=F): only a connection whose handshake both sides
     * completed counts its gaps; on a partial one the sequence numbers are guesses. */
    if (!conn_track_is_clean(sc->f))
        return;
    sc->f->tcp->missed_bytes += len;
    conn_track_history_counted(sc->f, sc->dir, FLOW_HIST_GAP, 'G');
}

static void stream_sink_init(struct tcp_reasm_sink *sink, struct stream_ctx *sc, struct engine *e, struct flow *f,
                             enum flow_dir dir)
{
    sc->e = e;
    sc->f = f;
    sc->dir = dir;
    sc->at_end = false;
    sink->data = stream_data;
    sink->gap = stream_gap;
    sink->ctx = sc;
}

/* ---- flow life cycle ---- */

static void engine_flow_release(struct engine *e, struct flow *f)
{
    session_free(e, f);
    if (f->tcp != NULL) {
        tcp_reasm_fini(&f->tcp->reasm[0], e->reasm);
        tcp_reasm_fini(&f->tcp->reasm[1], e->reasm);
        pool_put(e->tcp_states, f->tcp);
        f->tcp = NULL;
    }
    flow_table_remove(e->flows, f);
}

/* Ends a flow: what is still buffered is delivered (with its gaps), then conn.log is written. */
static void engine_flow_end(struct engine *e, struct flow *f)
{
    if (f->tcp != NULL) {
        for (int d = 0; d < 2; d++) {
            struct tcp_reasm_sink sink;
            struct stream_ctx sc;

            stream_sink_init(&sink, &sc, e, f, (enum flow_dir)d);
            sc.at_end = true;
            if (f->tcp->reasm[d].started)
                tcp_reasm_flush(&f->tcp->reasm[d], e->reasm, &sink);
        }
    }
    session_end(e, f);
    engine_detect_flow_end(e, f);
    engine_baseline_flow_end(e, f);
    engine_log_conn(e, f);
    engine_tunnel_close(e, f);
    e->stats.flows_logged++;
    engine_flow_release(e, f);
}

static void engine_expire(struct engine *e)
{
    struct flow *f;

    while ((f = flow_table_next_expired(e->flows, e->now)) != NULL) {
        e->stats.flows_expired++;
        engine_flow_end(e, f);
    }
    files_expire(e->files, e->now);
}

/* The handle (id + 1) of the flow that carried p, 0 if p came through no tunnel. */
static uint64_t engine_tunnel_parent(const struct engine *e, const struct packet *p)
{
    return p->tunnel.type != TUNNEL_NONE ? e->tunnel_outer[e->tunnel_depth - 1]->id + 1 : 0;
}

static struct flow *engine_flow_new(struct engine *e, const struct packet *p)
{
    /* Read before the insert, which may evict the oldest flow. */
    uint64_t parent = engine_tunnel_parent(e, p);
    struct flow_key k;
    struct flow *f;

    conn_track_key(p, &k);
    f = flow_table_insert(e->flows, &k, p->ts);
    while (f == NULL) {
        struct flow *victim = flow_table_oldest(e->flows);

        if (victim == NULL)
            return NULL;
        e->stats.flows_evicted++;
        engine_weird(e, WEIRD_FLOW_TABLE_FULL, victim, NULL, NULL);
        engine_flow_end(e, victim);
        f = flow_table_insert(e->flows, &k, p->ts);
    }
    f->id = e->next_flow_id++;
    f->tunnel_parent = parent;
    if (p->l4_proto == IPPROTO_TCP) {
        f->partial = !(p->tcp_flags & TCP_SYN);
        f->syn_first = (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
        f->tcp = pool_get(e->tcp_states);
        /* Without TCP state the flow is still logged; it just gets no reassembly. */
    }
    if (conn_track_should_flip(p)) {
        flow_table_flip(e->flows, f);
        f->flipped = 1;
        conn_track_history_once(f, FLOW_DIR_ORIG, '^');
    }
    e->stats.flows_created++;
    return f;
}

static void engine_tcp_stream(struct engine *e, struct flow *f, enum flow_dir dir, const struct packet *p,
                              uint32_t prev_ack)
{
    struct tcp_reasm *r = &f->tcp->reasm[dir];
    struct tcp_reasm *peer = &f->tcp->reasm[!dir];
    struct tcp_reasm_sink sink;
    struct stream_ctx sc;
    unsigned flags;

    if (!r->started) {
        if (p->tcp_flags & TCP_SYN)
            tcp_reasm_init(r, p->tcp_seq + 1);
        else if (p->payload_wire_len > 0 || (p->tcp_flags & TCP_FIN))
            tcp_reasm_init(r, p->tcp_seq);
    }
    if (r->started && p->payload_len > 0) {
        uint32_t seq = p->tcp_seq + ((p->tcp_flags & TCP_SYN) ? 1 : 0);

        stream_sink_init(&sink, &sc, e, f, dir);
        flags = tcp_reasm_feed(r, e->reasm, seq, p->payload, p->payload_len, &sink);
        if (flags & TCP_REASM_INCONSISTENT)
            engine_weird(e, WEIRD_INCONSISTENT_REXMIT, f, p, NULL);
        if (flags & TCP_REASM_CAP_HIT)
            engine_weird(e, WEIRD_TCP_REASM_BUFFER_FULL, f, p, NULL);
    }
    if ((p->tcp_flags & TCP_ACK) && !(p->tcp_flags & TCP_RST) && peer->started) {
        const struct flow_endpoint *pe = &f->ep[!dir];
        uint32_t ack = p->tcp_ack;

        /* The FIN takes a sequence number but carries no byte: acking it is not a gap. */
        if (pe->fin_seen && (int32_t)(ack - (pe->u.tcp.last_seq - 1)) > 0)
            ack = pe->u.tcp.last_seq - 1;
        stream_sink_init(&sink, &sc, e, f, (enum flow_dir)!dir);
        flags = tcp_reasm_ack(peer, e->reasm, ack, &sink);
        /* As Zeek's AckReceived: only established connections count, once per ack of new bytes. */
        if (f->ep[0].state == TCP_EP_ESTABLISHED && f->ep[1].state == TCP_EP_ESTABLISHED &&
            (int32_t)(p->tcp_ack - prev_ack) > 0 && (int32_t)(p->tcp_ack - (pe->u.tcp.start_seq + 1)) > 0) {
            e->stats.tcp_acks++;
            if (flags & TCP_REASM_GAP)
                e->stats.tcp_gaps++;
        }
    }
}

static void engine_transport(struct engine *e, const struct packet *p);

/* Inline mode: what a verdict needs to know of the packet's flow. */
static void engine_view_fill(struct engine *e, struct flow *f, enum flow_dir dir, const struct packet *p)
{
    struct engine_packet_view *v = e->view;
    size_t n;

    v->decoded = true;
    v->from_orig = dir == FLOW_DIR_ORIG;
    v->has_payload = p->payload_len > 0;
    v->l4_proto = p->l4_proto;
    v->tcp_flags = p->tcp_flags;
    v->tcp_seq = p->tcp_seq;
    v->tcp_ack = p->tcp_ack;
    /* Formatting a uid is the costly part of a view: a flow with a session has it already. */
    v->uid = session_flow_uid(f);
    if (v->uid == NULL) {
        engine_uid(e, f->id, v->uid_buf, sizeof(v->uid_buf));
        v->uid = v->uid_buf;
    }
    v->identified = session_is_identified(f);
    v->confirming = session_is_confirming(f);
    n = session_service(f, e->view_app, sizeof(e->view_app));
    v->app = n > 0 ? e->view_app : (v->identified ? "unknown" : "");
    v->domain = session_domain(f);
    v->orig_h = f->key.orig_h;
    v->resp_h = f->key.resp_h;
    v->orig_p = f->key.orig_p;
    v->resp_p = f->key.resp_p;
    v->pkts = f->ep[0].pkts + f->ep[1].pkts;
    v->payload_bytes = f->tcp != NULL ? conn_track_payload_bytes(f, FLOW_DIR_ORIG) + conn_track_payload_bytes(f, FLOW_DIR_RESP)
                                      : f->ep[0].u.payload_bytes + f->ep[1].u.payload_bytes;
    v->start = f->start;
    v->verdict = &f->verdict;
    v->payload = p->payload;
    v->payload_len = p->payload_len;
}

/* Re-arms the flow's timer after a packet: inactivity timers restart, deadlines stay put. */
static void engine_schedule(struct engine *e, struct flow *f)
{
    enum flow_timeout_class c = conn_track_timeout_class(f);

    if (c == f->timeout_class && flow_timeout_is_deadline(c))
        return;
    switch (c) {
    case FLOW_TIMEOUT_TCP_ATTEMPT:
        flow_table_schedule(e->flows, f, c, f->start);
        break;
    case FLOW_TIMEOUT_TCP_CLOSED:
        flow_table_schedule(e->flows, f, c, f->last);
        break;
    default:
        flow_table_schedule(e->flows, f, c, f->last_seen);
        break;
    }
}

/* A packet that came through a tunnel, before its flow (NULL: a new one) sees it: the tunnel is
 * discovered when it carries a new connection, or one that came through another tunnel before
 * (Zeek's new_connection and tunnel_changed), before the new flow may evict anything. */
static void engine_tunnelled_flow(struct engine *e, struct flow *f, const struct packet *p)
{
    struct flow *outer = e->tunnel_outer[e->tunnel_depth - 1];
    uint64_t parent = engine_tunnel_parent(e, p);

    if (f == NULL) {
        engine_tunnel_discover(e, outer);
        return;
    }
    if (parent == f->tunnel_parent || parent == f->tunnel_parent2)
        return;
    if (f->tunnel_parent2 == 0)
        f->tunnel_parent2 = parent;
    engine_tunnel_discover(e, outer);
}

/* An encapsulating UDP packet: its own flow is tracked as usual, then the inner frame is
 * decoded and analysed as if captured on the mirrored instance. */
static bool engine_tunnel(struct engine *e, struct flow *outer, const struct packet *p)
{
    struct tunnel_inner in;
    struct packet inner;

    if (!tunnel_decap(p, &in))
        return false;
    outer->tunnel_outer = 1;
    outer->tunnel_type = (uint8_t)in.type;
    if (e->tunnel_depth >= ENGINE_MAX_TUNNEL_DEPTH) {
        engine_weird(e, WEIRD_EXCEEDED_TUNNEL_MAX_DEPTH, outer, p, NULL);
        return true;
    }
    if (decoder_decode(e->decoder, in.link_type, p->ts, in.frame, in.caplen, in.wirelen, &inner) != DECODE_OK)
        return true;
    inner.tunnel.type = in.type;
    inner.tunnel.vni = in.vni;
    e->stats.tunnelled++;
    e->tunnel_outer[e->tunnel_depth] = outer;
    e->tunnel_depth++;
    engine_transport(e, &inner);
    e->tunnel_depth--;
    return true;
}

static void engine_transport(struct engine *e, const struct packet *p)
{
    struct flow_key k;
    enum flow_dir dir = FLOW_DIR_ORIG;
    struct flow *f;
    bool csum_bad = p->csum_bad && !e->cfg.ignore_checksums;
    struct conn_track_weirds w;
    uint32_t prev_ack;
    bool go_on;

    conn_track_key(p, &k);
    f = flow_table_lookup(e->flows, &k, &dir);
    if (f != NULL && conn_track_is_reuse(f, dir, p)) {
        if (!f->ep[FLOW_DIR_ORIG].did_close && !f->ep[FLOW_DIR_RESP].did_close)
            engine_weird(e, WEIRD_ACTIVE_CONNECTION_REUSE, f, p, NULL);
        engine_flow_end(e, f);
        f = NULL;
    }
    if (p->tunnel.type != TUNNEL_NONE)
        engine_tunnelled_flow(e, f, p);
    if (f == NULL) {
        f = engine_flow_new(e, p);
        if (f == NULL)
            return;
        dir = f->flipped ? FLOW_DIR_RESP : FLOW_DIR_ORIG;
    }
    w.n = 0;
    /* Before conn_track moves it: whether this packet acknowledged new bytes (capture loss). */
    prev_ack = f->tcp != NULL ? f->ep[!dir].u.tcp.ack_seq : 0;
    go_on = conn_track_packet(f, dir, p, csum_bad, &w);
    for (unsigned i = 0; i < w.n; i++)
        engine_weird(e, w.id[i], f, p, NULL);

    /* Schedule first: decoding a tunnelled packet may create flows and evict the oldest. */
    engine_schedule(e, f);
    if (!go_on)
        return;
    if (f->tcp != NULL)
        engine_tcp_stream(e, f, dir, p, prev_ack);
    else if (p->l4_proto == IPPROTO_UDP && !engine_tunnel(e, f, p) && !e->cfg.conn_only)
        session_datagram(e, f, dir, p);
    /* An analyzer found the roles reversed: swap them now that the packet is done. */
    if (f->flip_pending) {
        flow_table_flip(e->flows, f);
        conn_track_flip(f);
        session_roles_flipped(e, f);
        f->flip_pending = 0;
        dir = (enum flow_dir)!dir;
    }
    if (e->view != NULL && !e->view->decoded)
        engine_view_fill(e, f, dir, p);
}

void engine_frame(struct engine *e, int link_type, pw_time ts, const uint8_t *frame, uint32_t caplen,
                  uint32_t wirelen)
{
    struct packet p;

    e->stats.frames++;
    e->stats.bytes += wirelen;
    /* The clock never runs backwards: a reordered capture must not resurrect expired timers. */
    if (ts > e->now) {
        e->now = ts;
        engine_expire(e);
        decoder_expire(e->decoder, e->now);
    }
    switch (decoder_decode(e->decoder, link_type, ts, frame, caplen, wirelen, &p)) {
    case DECODE_OK:
        e->stats.decoded++;
        engine_transport(e, &p);
        break;
    case DECODE_HELD:
        break;
    case DECODE_SKIP:
        e->stats.skipped++;
        break;
    case DECODE_BAD:
        e->stats.bad++;
        break;
    }
}

void engine_finish(struct engine *e)
{
    struct flow *f;

    /* Zeek flushes what is left at the end of a trace; oldest activity first. */
    while ((f = flow_table_oldest(e->flows)) != NULL)
        engine_flow_end(e, f);
    log_set_flush(e->logs);
    e->stats.notices = 0;
    for (int t = 0; t < NOTICE_COUNT; t++)
        e->stats.notices += notices_count(detect_notices(e->detect), (enum notice_type)t);
    e->stats.notices += engine_baseline_notices(e);
}

void engine_frame_view(struct engine *e, int link_type, pw_time ts, const uint8_t *frame, uint32_t caplen,
                       uint32_t wirelen, struct engine_packet_view *v)
{
    memset(v, 0, sizeof(*v));
    v->app = "";
    v->domain = "";
    e->view = v;
    engine_frame(e, link_type, ts, frame, caplen, wirelen);
    e->view = NULL;
}

void engine_set_callback_window(struct engine *e, double seconds)
{
    if (e->detect != NULL)
        detect_set_callback_window(e->detect, (pw_time)(seconds * (double)PW_SEC));
}

bool engine_callback_target(struct engine *e, const struct addr *a, const char *domain)
{
    return detect_is_callback_target(e->detect, a, domain, e->now);
}

void engine_tick(struct engine *e, pw_time now)
{
    if (now > e->now) {
        e->now = now;
        engine_expire(e);
        decoder_expire(e->decoder, e->now);
    }
}

const struct engine_stats *engine_get_stats(const struct engine *e)
{
    return &e->stats;
}

void engine_free(struct engine *e)
{
    struct flow *f;

    if (e == NULL)
        return;
    if (e->flows != NULL)
        while ((f = flow_table_oldest(e->flows)) != NULL)
            engine_flow_release(e, f);
    flow_table_free(e->flows);
    tcp_reasm_pool_free(e->reasm);
    session_pools_free(e->sessions);
    files_free(e->files);
    detect_free(e->detect);
    engine_baseline_free(e->baseline);
    pool_free(e->tcp_states);
    decoder_free(e->decoder);
    free(e);
}
