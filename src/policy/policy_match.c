/* policy/policy_match.c - first-match evaluation of a flow against the compiled rules; no allocation. */
#include "policy/policy.h"

#include <fnmatch.h>
#include <string.h>

#include "policy/policy_int.h"

static inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool policy_match_domain(const struct policy_domain *d, const char *name, size_t len)
{
    const char *tail;

    if (d->wildcard ? len <= d->len : len != d->len)
        return false;
    tail = name + len - d->len;
    for (size_t i = 0; i < d->len; i++)
        if (lower(tail[i]) != d->name[i])
            return false;
    return true;
}

static bool in_ports(const struct policy_ports *pr, uint32_t n, uint16_t port)
{
    for (uint32_t i = 0; i < n; i++)
        if (port >= pr[i].lo && port <= pr[i].hi)
            return true;
    return false;
}

static bool in_cidrs(const struct policy_cidr *c, uint32_t n, const struct addr *a)
{
    bool v4 = addr_is_v4(a);

    for (uint32_t i = 0; i < n; i++)
        if (c[i].v4 == v4 && addr_in_prefix(a, &c[i].net, c[i].bits))
            return true;
    return false;
}

static bool has_ports(uint8_t ip_proto)
{
    return ip_proto == 6 || ip_proto == 17;
}

static uint8_t transport_bit(uint8_t ip_proto)
{
    switch (ip_proto) {
    case 6:
        return POLICY_T_TCP;
    case 17:
        return POLICY_T_UDP;
    case 1:
    case 58:
        return POLICY_T_ICMP;
    default:
        return 0;
    }
}

/* The conditions that do not wait for identification. */
static enum policy_cond check_early(const struct policy_rule *r, const struct policy_flow *f)
{
    if (r->direction != POLICY_RULE_DIR_ANY && r->direction != f->dir)
        return POLICY_COND_DIRECTION;
    if (r->transports != 0 && !(r->transports & transport_bit(f->ip_proto)))
        return POLICY_COND_TRANSPORT;
    if (r->n_dst_ports != 0 && (!has_ports(f->ip_proto) || !in_ports(r->dst_ports, r->n_dst_ports, f->dst_port)))
        return POLICY_COND_DST_PORT;
    if (r->n_src_ports != 0 && (!has_ports(f->ip_proto) || !in_ports(r->src_ports, r->n_src_ports, f->src_port)))
        return POLICY_COND_SRC_PORT;
    if (r->n_dst != 0 && !in_cidrs(r->dst, r->n_dst, &f->dst))
        return POLICY_COND_DST;
    if (r->n_src != 0 && !in_cidrs(r->src, r->n_src, &f->src))
        return POLICY_COND_SRC;
    if (r->n_uids != 0 && !f->owner_unseen) {
        uint32_t i;

        for (i = 0; f->has_uid && i < r->n_uids; i++)
            if (r->uids[i] == f->uid)
                break;
        if (!f->has_uid || i == r->n_uids)
            return POLICY_COND_USER;
    }
    if (r->n_procs != 0 && !f->owner_unseen) {
        uint32_t i;

        for (i = 0; f->process != NULL && i < r->n_procs; i++) {
            const struct policy_glob *g = &r->procs[i];

            if (g->literal ? strcmp(g->pat, f->process) == 0 : fnmatch(g->pat, f->process, FNM_PATHNAME) == 0)
                break;
        }
        if (f->process == NULL || i == r->n_procs)
            return POLICY_COND_PROCESS;
    }
    return POLICY_COND_NONE;
}

static bool needs_app(const struct policy_rule *r)
{
    return r->apps != 0 || r->n_domains != 0;
}

static enum policy_cond check(const struct policy_rule *r, const struct policy_flow *f)
{
    enum policy_cond c = check_early(r, f);

    if (c != POLICY_COND_NONE)
        return c;
    if (r->apps != 0 && (f->app == POLICY_APP_PENDING || f->app >= POLICY_APP_MAX ||
                         !(r->apps & (UINT64_C(1) << f->app))))
        return POLICY_COND_APP;
    if (r->n_domains != 0) {
        size_t len = f->domain != NULL ? f->domain_len : 0;
        uint32_t i;

        if (len > 0 && f->domain[len - 1] == '.')
            len--;
        for (i = 0; len > 0 && i < r->n_domains; i++)
            if (policy_match_domain(&r->domains[i], f->domain, len))
                break;
        if (len == 0 || i == r->n_domains)
            return POLICY_COND_DOMAIN;
    }
    return POLICY_COND_NONE;
}

static struct policy_verdict by_default(const struct policy *p, const struct policy_flow *f)
{
    struct policy_verdict v = {.action = p->settings.default_action[f->dir == POLICY_DIR_INBOUND], .rule = -1};

    return v;
}

struct policy_verdict policy_match(const struct policy *p, const struct policy_flow *f)
{
    for (unsigned i = 0; i < p->n_rules; i++) {
        if (check(&p->rules[i], f) == POLICY_COND_NONE) {
            struct policy_verdict v = {.action = (enum policy_action)p->rules[i].action, .rule = (int)i};

            return v;
        }
    }
    return by_default(p, f);
}

enum policy_decision policy_match_early(const struct policy *p, const struct policy_flow *f,
                                        struct policy_verdict *v)
{
    for (unsigned i = 0; i < p->n_rules; i++) {
        const struct policy_rule *r = &p->rules[i];

        if (check_early(r, f) != POLICY_COND_NONE)
            continue;
        v->action = (enum policy_action)r->action;
        v->rule = (int)i;
        return needs_app(r) ? POLICY_NEED_APP : POLICY_DECIDED;
    }
    *v = by_default(p, f);
    return POLICY_DECIDED;
}

enum policy_cond policy_match_rule(const struct policy *p, unsigned i, const struct policy_flow *f)
{
    return check(&p->rules[i], f);
}

int policy_match_dns(const struct policy *p, const char *qname, size_t len)
{
    if (len > 0 && qname[len - 1] == '.')
        len--;
    if (len == 0)
        return -1;
    for (unsigned i = 0; i < p->settings.n_dns_deny; i++)
        if (policy_match_domain(&p->dns_deny[i], qname, len))
            return (int)i;
    return -1;
}

/* ---- read-only views for the CLI and the datapath's logging ---- */

const struct policy_settings *policy_settings(const struct policy *p)
{
    return &p->settings;
}

unsigned policy_rule_count(const struct policy *p)
{
    return p->n_rules;
}

const char *policy_rule_name(const struct policy *p, unsigned i)
{
    return p->rules[i].name;
}

unsigned policy_rule_line(const struct policy *p, unsigned i)
{
    return p->rules[i].line;
}

enum policy_action policy_rule_action(const struct policy *p, unsigned i)
{
    return (enum policy_action)p->rules[i].action;
}

enum policy_rule_dir policy_rule_direction(const struct policy *p, unsigned i)
{
    return (enum policy_rule_dir)p->rules[i].direction;
}

const char *policy_rule_cond_text(const struct policy *p, unsigned i, enum policy_cond c)
{
    return c > POLICY_COND_NONE && c < POLICY_COND_COUNT ? p->rules[i].text[c] : NULL;
}

const char *policy_action_name(enum policy_action a)
{
    static const char *const names[] = {"allow", "deny", "alert"};

    return (unsigned)a < 3 ? names[a] : "?";
}

const char *policy_cond_name(enum policy_cond c)
{
    static const char *const names[POLICY_COND_COUNT] = {
        [POLICY_COND_NONE] = "none",         [POLICY_COND_DIRECTION] = "direction",
        [POLICY_COND_TRANSPORT] = "transport", [POLICY_COND_DST_PORT] = "dst_port",
        [POLICY_COND_SRC_PORT] = "src_port", [POLICY_COND_DST] = "dst",
        [POLICY_COND_SRC] = "src",           [POLICY_COND_USER] = "user",
        [POLICY_COND_PROCESS] = "process",   [POLICY_COND_APP] = "app",
        [POLICY_COND_DOMAIN] = "domain",
    };

    return (unsigned)c < POLICY_COND_COUNT ? names[c] : "?";
}
