/* inline/inline.c - the packet path: per-flow state, holding until identified, the DNS firewall, time. */
#include "inline/inline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "decode/packet.h"
#include "inline/inline_dp_int.h"
#include "util/bytes.h"

#define DEFAULT_HOLD_POOL   4096
#define DEFAULT_MAX_PENDING 16384
#define DNS_CACHE_SIZE      8192
#define PROC_CACHE_SIZE     4096
#define DNS_GRACE           (120 * PW_SEC)   /* a name outlives its TTL this long: clients keep using addresses */
#define LOG_FLUSH_EVERY     PW_SEC

static void policy_adopt(struct inline_dp *dp, struct policy *p)
{
    unsigned n = policy_rule_count(p);

    dp->policy = p;
    dp->set = policy_settings(p);
    dp->want_owner = false;
    for (unsigned i = 0; i < n; i++)
        if (policy_rule_cond_text(p, i, POLICY_COND_PROCESS) != NULL ||
            policy_rule_cond_text(p, i, POLICY_COND_USER) != NULL)
            dp->want_owner = true;
}

/* dynamic_block.ttl: how long a host named by an inbound lookup attempt stays refused. */
static double block_ttl(const struct inline_dp *dp)
{
    return (double)(dp->set->block_ttl_s != 0 ? dp->set->block_ttl_s : POLICY_DEFAULT_BLOCK_TTL_S);
}

struct inline_dp *inline_dp_create(const struct inline_config *cfg, struct policy *p, struct log_set *logs,
                                   const struct inline_verdict_sink *sink, char *err, size_t errlen)
{
    struct inline_dp *dp = calloc(1, sizeof(*dp));
    struct engine_config ec;

    if (dp == NULL) {
        snprintf(err, errlen, "out of memory");
        policy_free(p);
        return NULL;
    }
    dp->cfg = *cfg;
    dp->logs = logs;
    dp->sink = *sink;
    policy_adopt(dp, p);
    memset(&ec, 0, sizeof(ec));
    /* Outgoing packets reach the queue before the NIC computes their checksums (offload). */
    ec.ignore_checksums = true;
    ec.notice_suppress = -1;
    ec.callback_window = block_ttl(dp);
    /* An attempt seen by one queue's worker blocks a callback that hashes to another's. */
    ec.detect_shared = cfg->detect_shared;
    ec.baseline_policy = cfg->baseline_policy;
    dp->engine = engine_create(&ec, logs, err, errlen);
    if (dp->engine == NULL) {
        inline_dp_free(dp);
        return NULL;
    }
    dp->raw = inline_reset_open(INLINE_MARK_INJECT, err, errlen);
    if (dp->raw == NULL) {
        inline_dp_free(dp);
        return NULL;
    }
    dp->notices = notices_create(logs, (pw_time)NOTICE_SUPPRESS_DEFAULT * PW_SEC);
    dp->hold = inline_hold_create(cfg->hold_pool != 0 ? cfg->hold_pool : DEFAULT_HOLD_POOL);
    dp->flows = inline_flows_create(cfg->max_pending != 0 ? cfg->max_pending : DEFAULT_MAX_PENDING);
    dp->proc = inline_proc_create(cfg->proc_root != NULL ? cfg->proc_root : "/proc", PROC_CACHE_SIZE);
    dp->dns = inline_dns_cache_create(DNS_CACHE_SIZE);
    if (dp->notices == NULL || dp->hold == NULL || dp->flows == NULL || dp->proc == NULL || dp->dns == NULL) {
        snprintf(err, errlen, "out of memory creating the inline datapath");
        inline_dp_free(dp);
        return NULL;
    }
    return dp;
}

void inline_dp_set_policy(struct inline_dp *dp, struct policy *p)
{
    struct policy *old = dp->policy;

    policy_adopt(dp, p);
    policy_free(old);
    /* Hosts named from now on get the new policy's time; those already refused keep theirs. */
    engine_set_callback_window(dp->engine, block_ttl(dp));
}

const struct policy_settings *inline_dp_settings(const struct inline_dp *dp)
{
    return dp->set;
}

const struct inline_stats *inline_dp_stats(const struct inline_dp *dp)
{
    return &dp->st;
}

bool inline_dp_nothing_held(const struct inline_dp *dp)
{
    return inline_hold_in_use(dp->hold) == 0;
}

/* ---- flow state ---- */

/* Which side of the flow is this host: the hook says who sent the packet (OUTPUT: we did; INPUT:
 * a peer did), from_orig whether that sender opened the flow. FORWARD flows are counted outbound:
 * the host routes for containers or namespaces behind it, which open them. */
static bool is_inbound(uint8_t hook, bool from_orig)
{
    switch (hook) {
    case INLINE_HOOK_INPUT:
    case INLINE_HOOK_PREROUTING:
        return from_orig;
    case INLINE_HOOK_OUTPUT:
    case INLINE_HOOK_POSTROUTING:
        return !from_orig;
    default:
        return false;
    }
}

static void ctx_from_view(struct decision_ctx *c, const struct engine_packet_view *v, bool inbound)
{
    memset(c, 0, sizeof(*c));
    c->uid = v->uid;
    c->id.orig_h = v->orig_h;
    c->id.orig_p = v->orig_p;
    c->id.resp_h = v->resp_h;
    c->id.resp_p = v->resp_p;
    c->l4 = v->l4_proto;
    c->inbound = inbound;
}

/* The local socket's owner: the kernel's uid for our own packets, and the process from /proc. */
static void find_owner(struct inline_dp *dp, const struct engine_packet_view *v, const struct inline_pkt *pkt,
                       struct decision_ctx *c, char *process, size_t size)
{
    bool local_orig = !c->inbound;
    uint32_t uid;

    process[0] = '\0';
    if (pkt->hook == INLINE_HOOK_FORWARD)
        return;
    if (pkt->has_uid && pkt->hook == INLINE_HOOK_OUTPUT) {
        c->has_user = true;
        c->user = pkt->uid;
    }
    if (!dp->want_owner && !dp->cfg.lookup_all_owners)
        return;
    if (local_orig ? inline_proc_lookup(dp->proc, v->l4_proto, &v->orig_h, v->orig_p, &v->resp_h, v->resp_p, &uid,
                                        process, size)
                   : inline_proc_lookup(dp->proc, v->l4_proto, &v->resp_h, v->resp_p, &v->orig_h, v->orig_p, &uid,
                                        process, size)) {
        c->has_user = true;
        c->user = uid;
        c->process = process;
    }
}

static bool tcp_seq_ack(const struct inline_pkt *pkt, uint32_t *seq, uint32_t *ack)
{
    size_t ihl;

    if (pkt->len < 40)
        return false;
    if ((pkt->data[0] >> 4) == 4)
        ihl = (size_t)(pkt->data[0] & 0x0f) * 4;
    else if ((pkt->data[0] >> 4) == 6 && pkt->data[6] == IPPROTO_TCP)
        ihl = 40;
    else
        return false;
    if (pkt->len < ihl + 20)
        return false;
    *seq = rd_be32(pkt->data + ihl + 4);
    *ack = rd_be32(pkt->data + ihl + 8);
    return true;
}

static bool wants_mark(const struct inline_dp *dp, uint8_t vb)
{
    return !dp->cfg.full_visibility && !(vb & VB_KEEP);
}

/* Applies a final verdict to the packet at hand. */
static void apply(struct inline_dp *dp, const struct engine_packet_view *v, const struct inline_pkt *pkt, uint8_t vb)
{
    if ((vb & VB_STATE) == VB_ALLOW) {
        inline_decide_verdict(dp, pkt->id, true, wants_mark(dp, vb), pkt->mark | INLINE_MARK_FINAL);
        return;
    }
    inline_decide_refuse(dp, v, pkt);
    inline_decide_verdict(dp, pkt->id, false, false, 0);
}

/* A pending flow's verdict: its held packets go (in order) or are dropped with the flow reset. */
static void settle(struct inline_dp *dp, struct inline_flow *f, uint8_t state, uint8_t vb)
{
    struct inline_held h;
    bool accept = state == VB_ALLOW;

    if (!accept)
        inline_decide_reset_pending(dp, f);
    while (inline_hold_pop(dp->hold, &f->held, &h)) {
        dp->st.released++;
        inline_decide_verdict(dp, h.id, accept, accept && wants_mark(dp, vb), h.mark | INLINE_MARK_FINAL);
    }
    inline_flows_unhold(dp->flows, f);
}

static void ctx_from_entry(struct decision_ctx *c, const struct inline_flow *f)
{
    memset(c, 0, sizeof(*c));
    c->uid = f->uid;
    c->id.orig_h = f->orig_h;
    c->id.orig_p = f->orig_p;
    c->id.resp_h = f->resp_h;
    c->id.resp_p = f->resp_p;
    c->l4 = f->l4;
    c->inbound = f->inbound;
    c->process = f->process;
    c->has_user = f->has_user;
    c->user = f->user;
    c->domain = f->domain;
}

/* The name a verdict goes by: the flow's own (SNI, Host), else what DNS answers said. */
static const char *flow_domain(struct inline_dp *dp, const struct inline_flow *f)
{
    const char *d;

    if (f->domain[0] != '\0' || f->inbound)
        return f->domain;
    d = inline_dns_cache_get(dp->dns, &f->resp_h, dp->now);
    return d != NULL ? d : "";
}

static uint8_t decide_entry(struct inline_dp *dp, struct inline_flow *f, const char *app, const char *stage)
{
    struct decision_ctx c;

    ctx_from_entry(&c, f);
    c.app = app;
    c.domain = flow_domain(dp, f);
    return inline_decide(dp, &c, stage);
}

static struct inline_flow *entry_new(struct inline_dp *dp, const struct engine_packet_view *v,
                                     const struct decision_ctx *c)
{
    struct inline_flow *f = inline_flows_add(dp->flows, v->uid, dp->now);

    if (f == NULL)
        return NULL;
    f->inbound = c->inbound;
    f->has_user = c->has_user;
    f->user = c->user;
    if (c->process != NULL)
        snprintf(f->process, sizeof(f->process), "%s", c->process);
    f->orig_h = v->orig_h;
    f->resp_h = v->resp_h;
    f->orig_p = v->orig_p;
    f->resp_p = v->resp_p;
    f->l4 = v->l4_proto;
    return f;
}

static const char *identified_stage(const char *app)
{
    return strcmp(app, "unknown") == 0 ? "identification named no protocol" : "identified";
}

/* The application is final: identification decided and the analyzer confirmed (or nobody claimed
 * the flow). An HTTP request whose headers have not all arrived has no Host yet: a rule on the
 * domain would be judged on nothing, so it waits for the rest (within the budget). */
static bool app_final(const struct engine_packet_view *v)
{
    if (!v->identified || v->confirming)
        return false;
    if (v->domain[0] == '\0' && v->from_orig && strncmp(v->app, "http", 4) == 0 && v->payload_len > 0 &&
        memmem(v->payload, v->payload_len, "\r\n\r\n", 4) == NULL)
        return false;
    return true;
}

/* A data packet of a flow waiting for identification. */
static void pending_data(struct inline_dp *dp, const struct engine_packet_view *v, const struct inline_pkt *pkt,
                         struct inline_flow *f, uint8_t vb)
{
    const struct policy_settings *s = dp->set;
    struct inline_held h;
    char stage[96];
    uint8_t state;

    memset(&h, 0, sizeof(h));
    if (v->l4_proto == IPPROTO_TCP && tcp_seq_ack(pkt, &h.seq, &h.ack) && (v->tcp_flags & TCP_F_ACK)) {
        f->have_ack[v->from_orig] = true;
        f->last_ack[v->from_orig] = h.ack;
    }
    if (v->domain[0] != '\0')
        snprintf(f->domain, sizeof(f->domain), "%s", v->domain);
    else if (f->domain[0] == '\0' && dp->query_name != NULL)
        snprintf(f->domain, sizeof(f->domain), "%s", dp->query_name);
    /* What a budget running out would decide with: the analyzer's word once it confirmed. */
    if (v->identified && !v->confirming)
        snprintf(f->app, sizeof(f->app), "%s", v->app);
    if (!v->has_payload) {
        inline_decide_verdict(dp, pkt->id, true, false, 0);
        return;
    }
    h.id = pkt->id;
    h.mark = pkt->mark;
    h.len = v->payload_len;
    h.from_orig = v->from_orig;
    if (app_final(v)) {
        snprintf(stage, sizeof(stage), "%s", identified_stage(v->app));
    } else if (!v->identified && !v->from_orig && f->held.pkts == 0 && v->payload_bytes == v->payload_len) {
        /* The server spoke first and no analyzer knows its greeting (SSH's would have been named
         * on it): no client-first protocol can follow, so waiting would only delay "unknown". */
        snprintf(stage, sizeof(stage), "the server spoke first, in no protocol identification knows");
    } else if (f->held.pkts + 1 > s->hold_packets) {
        snprintf(stage, sizeof(stage), "identification budget ran out (hold_packets %u)", s->hold_packets);
    } else if (f->held.bytes + v->payload_len > s->hold_bytes) {
        snprintf(stage, sizeof(stage), "identification budget ran out (hold_bytes %u)", s->hold_bytes);
    } else {
        if (inline_hold_push(dp->hold, &f->held, &h) != 0) {
            /* The pool is the cap on what waits: past it, the fail mode says what happens to
             * the packet (the flow still waits for identification). */
            dp->st.hold_pool_full++;
            inline_decide_verdict(dp, pkt->id, s->on_failure == POLICY_FAIL_OPEN, false, 0);
            return;
        }
        dp->st.held++;
        if (f->hold_start == 0)
            inline_flows_holding(dp->flows, f, dp->now);
        return;
    }
    /* The packet at hand is decided with the held ones: as the newest of them. */
    if (inline_hold_push(dp->hold, &f->held, &h) != 0) {
        dp->st.hold_pool_full++;
        h.id = UINT32_MAX;
    }
    state = decide_entry(dp, f, f->app[0] != '\0' ? f->app : "unknown", stage);
    vb = (uint8_t)((vb & ~VB_STATE) | state);
    settle(dp, f, state, vb);
    if (h.id == UINT32_MAX)
        apply(dp, v, pkt, vb);
    *v->verdict = vb;
    inline_flows_del(dp->flows, f);
}

/* A verdict policy_match_early() gave at the flow's first packet. */
static uint8_t decided_early(struct inline_dp *dp, const struct decision_ctx *c, const struct policy_verdict *pv)
{
    char reason[160];

    dp->st.flows_decided++;
    if (pv->rule >= 0)
        snprintf(reason, sizeof(reason), "before identification; the rule has no app or domain condition (line %u)",
                 policy_rule_line(dp->policy, (unsigned)pv->rule));
    else
        snprintf(reason, sizeof(reason), "before identification; no rule can match: default for %s",
                 c->inbound ? "inbound" : "outbound");
    inline_decide_row(dp, c, pv->rule >= 0 ? policy_rule_name(dp->policy, (unsigned)pv->rule) : "default",
                      pv->action, reason);
    if (pv->action == POLICY_DENY) {
        dp->st.flows_denied++;
        return VB_DENY;
    }
    if (pv->action == POLICY_ALERT)
        dp->st.flows_alerted++;
    else
        dp->st.flows_allowed++;
    return VB_ALLOW;
}

/* A TCP flow picked up mid-stream began while protowall was not deciding (not started yet, or
 * restarting), so the kernel's fail mode let it through; identification cannot be trusted on the
 * middle of a stream. on_failure says what such flows get: a restart does not cut established
 * sessions unless fail-closed asks for it. */
static uint8_t mid_stream(struct inline_dp *dp, const struct decision_ctx *c)
{
    bool open = dp->set->on_failure == POLICY_FAIL_OPEN;

    dp->st.flows_decided++;
    inline_decide_row(dp, c, "on_failure", open ? POLICY_ALLOW : POLICY_DENY,
                      open ? "picked up mid-stream, begun while protowall was not deciding; on_failure fail-open "
                             "lets it go on"
                           : "picked up mid-stream, begun while protowall was not deciding; on_failure fail-closed "
                             "ends it");
    if (open)
        dp->st.flows_allowed++;
    else
        dp->st.flows_denied++;
    return open ? VB_ALLOW : VB_DENY;
}

/* The first packet of a flow. */
static void flow_new(struct inline_dp *dp, const struct engine_packet_view *v, const struct inline_pkt *pkt,
                     uint8_t vb)
{
    struct decision_ctx c;
    struct policy_flow pf;
    struct policy_verdict pv;
    enum policy_decision early;
    struct inline_flow *f;
    char process[INLINE_PROCESS_MAX], reason[320], target[256];
    uint8_t state;

    ctx_from_view(&c, v, (vb & VB_INBOUND) != 0);
    find_owner(dp, v, pkt, &c, process, sizeof(process));
    if (v->l4_proto != IPPROTO_TCP && v->l4_proto != IPPROTO_UDP) {
        state = inline_decide(dp, &c, "never identified (icmp)");
        goto final;
    }
    if (inline_decide_dynamic(dp, &c, target, sizeof(target))) {
        snprintf(reason, sizeof(reason), "before identification; callback target of a JNDI lookup attempt: %s",
                 target);
        dp->st.flows_decided++;
        dp->st.flows_denied++;
        inline_decide_row(dp, &c, "dynamic_block", POLICY_DENY, reason);
        inline_decide_notice(dp, &c, target);
        state = VB_DENY;
        goto final;
    }
    inline_decide_flow(&c, POLICY_APP_PENDING, &pf);
    early = policy_match_early(dp->policy, &pf, &pv);
    if (early == POLICY_NEED_APP && v->l4_proto == IPPROTO_TCP && !(v->tcp_flags & TCP_F_SYN)) {
        state = mid_stream(dp, &c);
        goto final;
    }
    if (v->has_payload && app_final(v)) {
        c.app = v->app;
        /* A DNS flow goes by the name its first query asks for. */
        c.domain = v->domain[0] != '\0' || dp->query_name == NULL ? v->domain : dp->query_name;
        state = inline_decide(dp, &c, identified_stage(v->app));
        goto final;
    }
    if (early == POLICY_DECIDED) {
        state = decided_early(dp, &c, &pv);
        goto final;
    }
    f = entry_new(dp, v, &c);
    vb = (uint8_t)((vb & ~VB_STATE) | VB_PENDING);
    *v->verdict = vb;
    if (f == NULL) {
        /* Every entry holds packets: this flow cannot wait; the fail mode decides its packet. */
        dp->st.hold_pool_full++;
        inline_decide_verdict(dp, pkt->id, dp->set->on_failure == POLICY_FAIL_OPEN, false, 0);
        return;
    }
    pending_data(dp, v, pkt, f, vb);
    return;
final:
    vb = (uint8_t)((vb & ~VB_STATE) | state);
    *v->verdict = vb;
    apply(dp, v, pkt, vb);
}

/* ---- DNS ---- */

static bool is_dns(const struct engine_packet_view *v)
{
    return v->resp_p == 53 || strncmp(v->app, "dns", 3) == 0;
}

static void learn_addr(void *ctx, const char *qname, size_t qname_len, const struct addr *a, uint32_t ttl)
{
    struct inline_dp *dp = ctx;

    if (ttl > 7 * 86400)
        ttl = 7 * 86400;
    inline_dns_cache_put(dp->dns, a, qname, qname_len, dp->now + (pw_time)ttl * PW_SEC + DNS_GRACE);
}

/* Is the query in p a name the DNS firewall or the dynamic block refuses? q and *dyn say which. */
static bool dns_refused(struct inline_dp *dp, const uint8_t *p, size_t len, bool inbound, struct inline_dns_query *q,
                        bool *dyn)
{
    const struct policy_settings *s = dp->set;

    if (inline_dns_parse_query(p, len, q) != 0)
        return false;
    memcpy(dp->qname, q->name, q->name_len + 1);
    dp->query_name = dp->qname;
    *dyn = !inbound && s->block_from_attempts && q->name_len > 0 && engine_callback_target(dp->engine, NULL, q->name);
    return *dyn || (s->n_dns_deny > 0 && policy_match_dns(dp->policy, q->name, q->name_len) >= 0);
}

static void dns_row(struct inline_dp *dp, const struct engine_packet_view *v, bool inbound,
                    const struct inline_dns_query *q, bool dyn, const char *outcome)
{
    struct decision_ctx c;
    char reason[384];

    ctx_from_view(&c, v, inbound);
    c.app = "dns";
    c.domain = q->name;
    snprintf(reason, sizeof(reason), "DNS query for %s; %s",
             dyn ? "a callback target of a JNDI lookup attempt" : "a name in dns_firewall.deny_domains", outcome);
    inline_decide_row(dp, &c, dyn ? "dynamic_block" : "dns_firewall", POLICY_DENY, reason);
    if (dyn)
        inline_decide_notice(dp, &c, q->name);
}

/* A UDP query for a refused name is answered here and never leaves. True when it was. */
static bool dns_firewall(struct inline_dp *dp, const struct engine_packet_view *v, const struct inline_pkt *pkt,
                         bool inbound)
{
    const struct policy_settings *s = dp->set;
    struct inline_dns_query q;
    char outcome[32];
    bool dyn;
    size_t n;

    if (!dns_refused(dp, v->payload, v->payload_len, inbound, &q, &dyn))
        return false;
    n = inline_dns_answer(dp->tmp, sizeof(dp->tmp), v->payload, &q, s->dns_answer,
                          s->has_sinkhole4 ? &s->sinkhole4 : NULL, s->has_sinkhole6 ? &s->sinkhole6 : NULL);
    if (n > 0)
        n = inline_reset_udp(dp->out, sizeof(dp->out), &v->resp_h, v->resp_p, &v->orig_h, v->orig_p, dp->tmp, n);
    if (n > 0 && inline_reset_send(dp->raw, dp->out, n) == 0)
        dp->st.dns_answered++;
    else
        dp->st.inject_errors++;
    inline_decide_verdict(dp, pkt->id, false, false, 0);
    snprintf(outcome, sizeof(outcome), "answered %s",
             s->dns_answer == POLICY_DNS_NXDOMAIN ? "NXDOMAIN" : s->dns_answer == POLICY_DNS_NODATA ? "NODATA" : "sinkhole");
    dns_row(dp, v, inbound, &q, dyn, outcome);
    return true;
}

/* A query over TCP for a refused name: the connection is reset (answering would mean speaking
 * TCP in the resolver's place). Only a segment that starts with a whole question is read. */
static bool dns_tcp_firewall(struct inline_dp *dp, const struct engine_packet_view *v, const struct inline_pkt *pkt,
                             uint8_t vb)
{
    struct inline_dns_query q;
    struct inline_flow *f;
    size_t len;
    bool dyn;

    if (v->payload_len < 2 + 12)
        return false;
    len = rd_be16(v->payload);
    if (len > v->payload_len - 2)
        len = v->payload_len - 2;
    if (!dns_refused(dp, v->payload + 2, len, (vb & VB_INBOUND) != 0, &q, &dyn))
        return false;
    dns_row(dp, v, (vb & VB_INBOUND) != 0, &q, dyn, "the connection is reset");
    if ((vb & VB_STATE) == VB_PENDING && (f = inline_flows_get(dp->flows, v->uid)) != NULL) {
        settle(dp, f, VB_DENY, vb);
        inline_flows_del(dp->flows, f);
    }
    *v->verdict = (uint8_t)((vb & ~VB_STATE) | VB_DENY);
    apply(dp, v, pkt, *v->verdict);
    return true;
}

/* ---- the packet path ---- */

void inline_dp_packet(struct inline_dp *dp, pw_time now, const struct inline_pkt *pkt)
{
    struct engine_packet_view v;
    struct inline_flow *f;
    uint8_t vb;

    dp->now = now;
    dp->st.packets++;
    dp->query_name = NULL;
    if (pkt->mark & INLINE_MARK_INJECT) {
        inline_decide_verdict(dp, pkt->id, true, false, 0);
        return;
    }
    engine_frame_view(dp->engine, LINK_RAW, now, pkt->data, pkt->len, pkt->len, &v);
    if (!v.decoded || v.verdict == NULL) {
        /* Not a flow (a fragment being reassembled, a protocol we do not track): nothing to
         * decide on; the whole datagram is decided when it is complete. */
        dp->st.not_decoded++;
        inline_decide_verdict(dp, pkt->id, true, false, 0);
        return;
    }
    vb = *v.verdict;
    if (!(vb & VB_DIRSET)) {
        vb |= VB_DIRSET;
        /* DNS stays visible: every query meets the firewall, every answer teaches names. */
        if (v.resp_p == 53)
            vb |= VB_KEEP;
        if (is_inbound(pkt->hook, v.from_orig)) {
            vb |= VB_INBOUND;
            /* The detector must read inbound requests to learn the callbacks they name. */
            if (dp->set->block_from_attempts)
                vb |= VB_KEEP;
        }
    }
    if (v.has_payload && is_dns(&v)) {
        vb |= VB_KEEP;
        *v.verdict = vb;
        if (v.l4_proto == IPPROTO_UDP) {
            if (v.from_orig && dns_firewall(dp, &v, pkt, (vb & VB_INBOUND) != 0))
                return;
            if (!v.from_orig)
                (void)inline_dns_parse_response(v.payload, v.payload_len, learn_addr, dp);
        } else if (v.l4_proto == IPPROTO_TCP && v.from_orig && (vb & VB_STATE) != VB_DENY &&
                   dns_tcp_firewall(dp, &v, pkt, vb)) {
            return;
        }
    }
    *v.verdict = vb;
    switch (vb & VB_STATE) {
    case VB_ALLOW:
    case VB_DENY:
        apply(dp, &v, pkt, vb);
        return;
    case VB_NEW:
        flow_new(dp, &v, pkt, vb);
        return;
    default:
        break;
    }
    f = inline_flows_get(dp->flows, v.uid);
    if (f != NULL && f->decided != 0) {
        /* A hold budget ran out between packets; the verdict was kept here for this one. */
        vb = (uint8_t)((vb & ~VB_STATE) | f->decided);
        *v.verdict = vb;
        inline_flows_del(dp->flows, f);
        apply(dp, &v, pkt, vb);
        return;
    }
    if (f == NULL) {
        struct decision_ctx c;
        char process[INLINE_PROCESS_MAX];

        /* Forgotten while idle (the table was full): looked up again. */
        ctx_from_view(&c, &v, (vb & VB_INBOUND) != 0);
        find_owner(dp, &v, pkt, &c, process, sizeof(process));
        f = entry_new(dp, &v, &c);
        if (f == NULL) {
            dp->st.hold_pool_full++;
            inline_decide_verdict(dp, pkt->id, dp->set->on_failure == POLICY_FAIL_OPEN, false, 0);
            return;
        }
    }
    pending_data(dp, &v, pkt, f, vb);
}

/* ---- time ---- */

void inline_dp_timers(struct inline_dp *dp, pw_time now)
{
    struct inline_flow *f;
    char stage[96];

    if (now > dp->now)
        dp->now = now;
    while ((f = inline_flows_oldest_holding(dp->flows)) != NULL &&
           f->hold_start + (pw_time)dp->set->hold_ms * PW_MSEC <= dp->now) {
        snprintf(stage, sizeof(stage), "identification budget ran out (hold_ms %u)", dp->set->hold_ms);
        f->decided = decide_entry(dp, f, f->app[0] != '\0' ? f->app : "unknown", stage);
        settle(dp, f, f->decided, f->inbound && dp->set->block_from_attempts ? VB_KEEP : 0);
    }
    engine_tick(dp->engine, dp->now);
    if (dp->now - dp->last_flush >= LOG_FLUSH_EVERY) {
        dp->last_flush = dp->now;
        dp->st.pending_evicted = inline_flows_evicted(dp->flows);
        log_set_flush(dp->logs);
    }
}

pw_time inline_dp_next_deadline(const struct inline_dp *dp)
{
    struct inline_flow *f = inline_flows_oldest_holding(dp->flows);

    return f != NULL ? f->hold_start + (pw_time)dp->set->hold_ms * PW_MSEC : 0;
}

void inline_dp_finish(struct inline_dp *dp, pw_time now)
{
    struct inline_flow *f;
    struct inline_held h;
    bool open = dp->set->on_failure == POLICY_FAIL_OPEN;

    if (now > dp->now)
        dp->now = now;
    /* Nobody will decide these any more: the fail mode does. */
    while ((f = inline_flows_oldest_holding(dp->flows)) != NULL) {
        while (inline_hold_pop(dp->hold, &f->held, &h))
            inline_decide_verdict(dp, h.id, open, false, 0);
        inline_flows_unhold(dp->flows, f);
    }
    engine_finish(dp->engine);
    log_set_flush(dp->logs);
}

void inline_dp_free(struct inline_dp *dp)
{
    if (dp == NULL)
        return;
    engine_free(dp->engine);
    notices_free(dp->notices);
    inline_hold_free(dp->hold);
    inline_flows_free(dp->flows);
    inline_proc_free(dp->proc);
    inline_dns_cache_free(dp->dns);
    inline_reset_close(dp->raw);
    policy_free(dp->policy);
    free(dp);
}
