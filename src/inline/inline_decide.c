/* inline/inline_decide.c - a flow's verdict: the policy and the dynamic block, its policy.log row and notice, the resets. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "inline/inline_dp_int.h"
#include "inline/policy_log.h"
#include "util/ip_proto.h"

void inline_decide_verdict(struct inline_dp *dp, uint32_t id, bool accept, bool set_mark, uint32_t mark)
{
    if (accept)
        dp->st.accepted++;
    else
        dp->st.dropped++;
    dp->sink.verdict(dp->sink.ctx, id, accept, set_mark, mark);
}

/* ---- policy.log ---- */

static struct log_str lstr(const char *s)
{
    return log_str_from(s, strlen(s));
}

static const char *user_name(struct inline_dp *dp, uint32_t uid)
{
    struct user_name *u;
    struct passwd pw, *res = NULL;
    char buf[1024];

    for (int i = 0; i < USER_CACHE; i++)
        if (dp->users[i].used && dp->users[i].uid == uid)
            return dp->users[i].name;
    /* Once per user, not per flow: the answers are kept. */
    u = &dp->users[dp->users_next];
    dp->users_next = (dp->users_next + 1) % USER_CACHE;
    u->used = true;
    u->uid = uid;
    if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
        snprintf(u->name, sizeof(u->name), "%s", pw.pw_name);
    else
        snprintf(u->name, sizeof(u->name), "%u", uid);
    return u->name;
}

void inline_decide_row(struct inline_dp *dp, const struct decision_ctx *c, const char *rule, enum policy_action a,
                       const char *reason)
{
    struct policy_log_record r;
    uint64_t *m = &r.log_set;

    memset(&r, 0, sizeof(r));
    r.ts = dp->now;
    r.uid = lstr(c->uid);
    r.id = c->id;
    r.proto = lstr(ip_proto_name(c->l4));
    if (c->app != NULL && c->app[0] != '\0') {
        r.app = lstr(c->app);
        log_mark(m, POLICY_LOG_F_APP);
    }
    if (c->domain != NULL && c->domain[0] != '\0') {
        r.domain = lstr(c->domain);
        log_mark(m, POLICY_LOG_F_DOMAIN);
    }
    if (c->process != NULL && c->process[0] != '\0') {
        r.process = lstr(c->process);
        log_mark(m, POLICY_LOG_F_PROCESS);
    }
    if (c->has_user) {
        r.user = lstr(user_name(dp, c->user));
        log_mark(m, POLICY_LOG_F_USER);
    }
    r.rule = lstr(rule);
    r.action = lstr(policy_action_name(a));
    r.reason = lstr(reason);
    r.direction = lstr(c->inbound ? "inbound" : "outbound");
    for (unsigned f = 0; f < POLICY_LOG_F_COUNT; f++)
        if (f != POLICY_LOG_F_APP && f != POLICY_LOG_F_DOMAIN && f != POLICY_LOG_F_PROCESS && f != POLICY_LOG_F_USER)
            log_mark(m, f);
    (void)log_set_write(dp->logs, &policy_log_schema, &r);
}

void inline_decide_notice(struct inline_dp *dp, const struct decision_ctx *c, const char *target)
{
    struct notice n;
    char sub[320];

    memset(&n, 0, sizeof(n));
    n.type = NOTICE_LOG4J_CALLBACK_BLOCKED;
    n.ts = dp->now;
    n.uid = c->uid;
    n.id = &c->id;
    n.proto = ip_proto_name(c->l4);
    n.sub_len = (size_t)snprintf(sub, sizeof(sub), "target=%s, app=%s, action=deny", target,
                                 c->app != NULL && c->app[0] != '\0' ? c->app : "-");
    if (n.sub_len >= sizeof(sub))
        n.sub_len = sizeof(sub) - 1;
    n.sub = sub;
    n.identifier = c->uid;
    n.identifier_len = strlen(c->uid);
    (void)notices_raise(dp->notices, &n);
    dp->st.dynamic_blocks++;
}

/* ---- the verdict ---- */

bool inline_decide_dynamic(struct inline_dp *dp, const struct decision_ctx *c, char *what, size_t size)
{
    if (!dp->set->block_from_attempts || c->inbound)
        return false;
    if (engine_callback_target(dp->engine, &c->id.resp_h, NULL)) {
        addr_format(&c->id.resp_h, what, size);
        return true;
    }
    if (c->domain != NULL && c->domain[0] != '\0' && engine_callback_target(dp->engine, NULL, c->domain)) {
        snprintf(what, size, "%s", c->domain);
        return true;
    }
    return false;
}

void inline_decide_flow(const struct decision_ctx *c, uint8_t app, struct policy_flow *f)
{
    memset(f, 0, sizeof(*f));
    f->src = c->id.orig_h;
    f->dst = c->id.resp_h;
    f->src_port = c->id.orig_p;
    f->dst_port = c->id.resp_p;
    f->ip_proto = c->l4 == IPPROTO_ICMPV6 ? IPPROTO_ICMP : c->l4;
    f->dir = c->inbound ? POLICY_DIR_INBOUND : POLICY_DIR_OUTBOUND;
    f->app = app;
    f->has_uid = c->has_user;
    f->uid = c->user;
    f->process = c->process != NULL && c->process[0] != '\0' ? c->process : NULL;
    if (c->domain != NULL && c->domain[0] != '\0') {
        f->domain = c->domain;
        f->domain_len = strlen(c->domain);
    }
}

/* The first service of a conn.log service list ("ssl,http" -> ssl) as a policy application id. */
static uint8_t app_id(const char *app)
{
    size_t n = strcspn(app, ",");
    uint8_t id = policy_app_lookup(app, n);

    return id != POLICY_APP_PENDING ? id : POLICY_APP_UNKNOWN;
}

/* The full match, once the application is known (or given up on); writes the row. Returns the
 * verdict state, VB_ALLOW or VB_DENY. */
uint8_t inline_decide(struct inline_dp *dp, struct decision_ctx *c, const char *stage)
{
    struct policy_flow f;
    struct policy_verdict v;
    char reason[512], target[256];
    const char *rule;

    dp->st.flows_decided++;
    if (inline_decide_dynamic(dp, c, target, sizeof(target))) {
        snprintf(reason, sizeof(reason), "%s; callback target of a JNDI lookup attempt: %s", stage, target);
        inline_decide_row(dp, c, "dynamic_block", POLICY_DENY, reason);
        inline_decide_notice(dp, c, target);
        dp->st.flows_denied++;
        return VB_DENY;
    }
    inline_decide_flow(c, c->app != NULL ? app_id(c->app) : POLICY_APP_UNKNOWN, &f);
    v = policy_match(dp->policy, &f);
    rule = v.rule >= 0 ? policy_rule_name(dp->policy, (unsigned)v.rule) : "default";
    if (v.rule >= 0)
        snprintf(reason, sizeof(reason), "%s; first matching rule (line %u)", stage,
                 policy_rule_line(dp->policy, (unsigned)v.rule));
    else
        snprintf(reason, sizeof(reason), "%s; no rule matched: default for %s", stage,
                 c->inbound ? "inbound" : "outbound");
    inline_decide_row(dp, c, rule, v.action, reason);
    if (v.action == POLICY_DENY) {
        dp->st.flows_denied++;
        return VB_DENY;
    }
    if (v.action == POLICY_ALERT)
        dp->st.flows_alerted++;
    else
        dp->st.flows_allowed++;
    return VB_ALLOW;
}

/* ---- resets ---- */

static void inject(struct inline_dp *dp, size_t len)
{
    if (len == 0)
        return;
    if (inline_reset_send(dp->raw, dp->out, len) == 0)
        dp->st.resets_sent++;
    else
        dp->st.inject_errors++;
}

/* RST to the side that is not `from` (the packet's receiver was never reached; its sender is told
 * by a RST that seems to come from the peer). */
static void rst_to(struct inline_dp *dp, const struct log_conn_id *id, bool to_orig, uint32_t seq, uint32_t ack,
                   bool with_ack)
{
    size_t n;

    if (to_orig)
        n = inline_reset_tcp(dp->out, sizeof(dp->out), &id->resp_h, id->resp_p, &id->orig_h, id->orig_p, seq, ack,
                             with_ack);
    else
        n = inline_reset_tcp(dp->out, sizeof(dp->out), &id->orig_h, id->orig_p, &id->resp_h, id->resp_p, seq, ack,
                             with_ack);
    inject(dp, n);
}

/* The packet being dropped, told to its sender: a RST for TCP, port unreachable for UDP. The
 * sequence numbers come from the decoder, which walked any IPv6 extension headers to the TCP one. */
void inline_decide_refuse(struct inline_dp *dp, const struct engine_packet_view *v, const struct inline_pkt *pkt)
{
    struct log_conn_id id = {v->orig_h, v->orig_p, v->resp_h, v->resp_p};
    uint32_t seq = v->tcp_seq, ack = v->tcp_ack;

    if (v->l4_proto == IPPROTO_UDP) {
        inject(dp, inline_reset_unreach(dp->out, sizeof(dp->out), pkt->data, pkt->len));
        return;
    }
    if (v->l4_proto != IPPROTO_TCP || (v->tcp_flags & TCP_F_RST) || !v->decoded)
        return;
    if (v->tcp_flags & TCP_F_SYN) {
        /* A connection attempt: RST|ACK acknowledging the SYN is "connection refused". */
        rst_to(dp, &id, v->from_orig, 0, seq + 1 + v->payload_len, true);
        return;
    }
    if (v->tcp_flags & TCP_F_ACK) {
        /* The sender expects `ack` next; the receiver still expects this segment's first byte. */
        rst_to(dp, &id, v->from_orig, ack, seq + v->payload_len, true);
        rst_to(dp, &id, !v->from_orig, seq, ack, true);
    }
}

/* A pending flow denied: both sides reset at the sequence numbers they expect next. */
void inline_decide_reset_pending(struct inline_dp *dp, const struct inline_flow *f)
{
    struct log_conn_id id = {f->orig_h, f->orig_p, f->resp_h, f->resp_p};

    if (f->l4 == IPPROTO_TCP) {
        for (int to_orig = 0; to_orig < 2; to_orig++) {
            /* The peer's first held byte is what this side has not received yet. */
            const struct inline_held *h = inline_hold_first(dp->hold, &f->held, !to_orig);

            if (h != NULL)
                rst_to(dp, &id, to_orig, h->seq, 0, false);
            else if (f->have_ack[to_orig])
                rst_to(dp, &id, to_orig, f->last_ack[to_orig], 0, false);
        }
        return;
    }
    if (f->l4 == IPPROTO_UDP) {
        size_t n = inline_reset_udp(dp->tmp, sizeof(dp->tmp), &f->orig_h, f->orig_p, &f->resp_h, f->resp_p, NULL, 0);

        /* The datagrams are in the kernel's hands; a header rebuilt from the flow is what the
         * client's stack needs to find its socket. */
        if (n > 0)
            inject(dp, inline_reset_unreach(dp->out, sizeof(dp->out), dp->tmp, n));
    }
}
