/* learn/learn_rules.c - the baseline grouped into rules: one subject (process or source network)
 * per rule, names into safe wildcards, addresses into networks, ports merged where all else agrees. */
#include <stdlib.h>
#include <string.h>

#include "learn/baseline.h"
#include "learn/learn_group.h"
#include "learn/learn_int.h"
#include "policy/policy.h"

/* ---- a growing string ---- */

/* A growing string; oom sticks, so callers check once at the end. */
struct sbuf {
    char  *s;
    size_t len, cap;
    bool   oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap == 0 ? 128 : b->cap;
        char *p;

        while (cap < b->len + n + 1)
            cap *= 2;
        p = realloc(b->s, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* Appends item to a '\n'-joined list. */
static void sb_item(struct sbuf *b, const char *item)
{
    if (b->len > 0)
        sb_add(b, "\n", 1);
    sb_add(b, item, strlen(item));
}


static const char *app_word(int app)
{
    return app == LEARN_NO_APP ? "any" : policy_app_name((uint8_t)app);
}

int learn_rules_app(const struct learn_entry *e, const struct learn *l)
{
    const char *svc = learn_str(l, e->k.service);
    uint8_t id;

    if (e->k.transport == 1)
        return LEARN_NO_APP;   /* never identified: an icmp rule names no application */
    id = baseline_app(svc, strlen(svc));
    return id == POLICY_APP_PENDING ? LEARN_NO_APP : id;
}


/* ---- subjects: processes, then source networks ---- */

static int u32_cmp(uint32_t a, uint32_t b)
{
    return a < b ? -1 : a > b;
}

static int addr_qcmp(const void *a, const void *b)
{
    return addr_cmp(a, b);
}

static const struct learn *sort_l;   /* qsort has no context argument */

static int subj_cmp(const void *x, const void *y)
{
    const struct learn_subject *a = x, *b = y;
    int c;

    if (a->proc != b->proc)
        return a->proc ? -1 : 1;
    if (!a->proc) {
        c = addr_cmp(&a->net.net, &b->net.net);
        return c != 0 ? c : u32_cmp(a->net.bits, b->net.bits);
    }
    c = strcmp(learn_str(sort_l, a->process), learn_str(sort_l, b->process));
    return c != 0 ? c : strcmp(learn_str(sort_l, a->user), learn_str(sort_l, b->user));
}

static int build_subjects(struct learn_rules *c)
{
    struct addr *srcs = calloc(c->n_e + 1, sizeof(*srcs));
    struct learn_net *nets = calloc(c->n_e + 1, sizeof(*nets));
    size_t n_src = 0;
    unsigned n_nets;

    c->subj = calloc(2 * c->n_e + 1, sizeof(*c->subj));
    if (srcs == NULL || nets == NULL || c->subj == NULL) {
        free(srcs);
        free(nets);
        return -1;
    }
    for (size_t i = 0; i < c->n_e; i++) {
        const struct learn_key *k = &c->e[i].k;
        bool dup = false;

        if (c->subj_of[i] == UINT32_MAX)
            continue;
        if (k->process != 0) {
            for (size_t s = 0; s < c->n_subj && !dup; s++)
                dup = c->subj[s].proc && c->subj[s].process == k->process && c->subj[s].user == k->user;
            if (!dup)
                c->subj[c->n_subj++] = (struct learn_subject){.proc = true, .process = k->process, .user = k->user};
        } else {
            srcs[n_src++] = k->src;
        }
    }
    /* Distinct sources, then networks where several share one. */
    if (n_src > 1)
        qsort(srcs, n_src, sizeof(*srcs), addr_qcmp);
    {
        size_t w = 0;

        for (size_t i = 0; i < n_src; i++)
            if (w == 0 || addr_cmp(&srcs[w - 1], &srcs[i]) != 0)
                srcs[w++] = srcs[i];
        n_src = w;
    }
    n_nets = learn_group_nets(srcs, (unsigned)n_src, nets);
    for (unsigned i = 0; i < n_nets; i++)
        c->subj[c->n_subj++] = (struct learn_subject){.proc = false, .net = nets[i]};
    sort_l = c->l;
    if (c->n_subj > 1)
        qsort(c->subj, c->n_subj, sizeof(*c->subj), subj_cmp);
    for (size_t i = 0; i < c->n_e; i++) {
        const struct learn_key *k = &c->e[i].k;

        if (c->subj_of[i] == UINT32_MAX)
            continue;
        for (size_t s = 0; s < c->n_subj; s++) {
            const struct learn_subject *sj = &c->subj[s];

            if (k->process != 0 ? sj->proc && sj->process == k->process && sj->user == k->user
                                : !sj->proc && learn_group_net_match(&sj->net, &k->src)) {
                c->subj_of[i] = (uint32_t)s;
                break;
            }
        }
    }
    free(srcs);
    free(nets);
    return 0;
}

/* ---- rules: one per (subject, transport, app, named or not, port), then merged on ports ---- */

static struct learn_rules *sort_c;

static int ent_cmp(const void *x, const void *y)
{
    const struct learn_entry *a = &sort_c->e[*(const uint32_t *)x], *b = &sort_c->e[*(const uint32_t *)y];
    uint32_t ia = *(const uint32_t *)x, ib = *(const uint32_t *)y;
    int c;

    if ((c = u32_cmp(sort_c->subj_of[ia], sort_c->subj_of[ib])) != 0 ||
        (c = u32_cmp(a->k.transport, b->k.transport)) != 0 ||
        (c = learn_rules_app(a, sort_c->l) - learn_rules_app(b, sort_c->l)) != 0 ||
        (c = (a->k.domain != 0) - (b->k.domain != 0)) != 0 || (c = u32_cmp(a->k.port, b->k.port)) != 0)
        return c;
    return u32_cmp(ia, ib);
}

static bool same_group(const struct learn_rules *c, uint32_t ia, uint32_t ib)
{
    const struct learn_entry *a = &c->e[ia], *b = &c->e[ib];

    return c->subj_of[ia] == c->subj_of[ib] && a->k.transport == b->k.transport &&
           learn_rules_app(a, c->l) == learn_rules_app(b, c->l) && (a->k.domain != 0) == (b->k.domain != 0) &&
           a->k.port == b->k.port;
}


static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The targets of entries idx[0..n) as YAML items joined by '\n'; NULL when out of memory. */
static char *targets_text(struct learn_rules *c, const uint32_t *idx, size_t n, bool named)
{
    struct sbuf b = {0};
    size_t w = 0;

    if (named) {
        const char **names = calloc(n, sizeof(*names));
        struct learn_pattern *pat = calloc(n, sizeof(*pat));
        int count = -1;

        if (names != NULL && pat != NULL) {
            for (size_t i = 0; i < n; i++)
                names[i] = learn_str(c->l, c->e[idx[i]].k.domain);
            if (n > 1)
                qsort(names, n, sizeof(*names), str_cmp);
            for (size_t i = 0; i < n; i++)
                if (w == 0 || strcmp(names[w - 1], names[i]) != 0)
                    names[w++] = names[i];
            count = learn_group_domains(names, (unsigned)w, pat);
        }
        for (int i = 0; i < count; i++) {
            sb_item(&b, pat[i].text);
        }
        free(names);
        free(pat);
        if (count < 0)
            b.oom = true;
    } else {
        struct addr *a = calloc(n, sizeof(*a));
        struct learn_net *nets = calloc(n, sizeof(*nets));
        unsigned nn = 0;

        if (a != NULL && nets != NULL) {
            for (size_t i = 0; i < n; i++)
                a[i] = c->e[idx[i]].k.dst;
            if (n > 1)
                qsort(a, n, sizeof(*a), addr_qcmp);
            for (size_t i = 0; i < n; i++)
                if (w == 0 || addr_cmp(&a[w - 1], &a[i]) != 0)
                    a[w++] = a[i];
            nn = learn_group_nets(a, (unsigned)w, nets);
        } else {
            b.oom = true;
        }
        for (unsigned i = 0; i < nn; i++) {
            char txt[64];

            (void)learn_group_net_format(&nets[i], txt, sizeof(txt));
            sb_item(&b, txt);
        }
        free(a);
        free(nets);
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s != NULL ? b.s : strdup("");
}

static int add_rule(struct learn_rules *c, const uint32_t *idx, size_t n)
{
    const struct learn_entry *e = &c->e[idx[0]];
    struct learn_rule *r;

    if (c->n_rules == c->cap_rules) {
        size_t cap = c->cap_rules == 0 ? 16 : c->cap_rules * 2;
        struct learn_rule *p = realloc(c->rules, cap * sizeof(*p));

        if (p == NULL)
            return -1;
        c->rules = p;
        c->cap_rules = cap;
    }
    r = &c->rules[c->n_rules];
    memset(r, 0, sizeof(*r));
    r->subj = c->subj_of[idx[0]];
    r->transport = e->k.transport;
    r->app = learn_rules_app(e, c->l);
    r->named = e->k.domain != 0;
    r->targets = targets_text(c, idx, n, r->named);
    r->ents = malloc(n * sizeof(*r->ents));
    r->port_list = malloc(sizeof(*r->port_list));
    if (r->targets == NULL || r->ents == NULL || r->port_list == NULL) {
        free(r->targets);
        free(r->ents);
        free(r->port_list);
        return -1;
    }
    memcpy(r->ents, idx, n * sizeof(*idx));
    r->n_ents = n;
    if (r->transport != 1) {
        r->port_list[0] = e->k.port;
        r->n_ports = 1;
    }
    c->n_rules++;
    return 0;
}

static int rule_key_cmp(const struct learn_rule *a, const struct learn_rule *b)
{
    int c;

    if ((c = u32_cmp(a->subj, b->subj)) != 0 || (c = u32_cmp(a->transport, b->transport)) != 0 ||
        (c = strcmp(app_word(a->app), app_word(b->app))) != 0 || (c = (int)a->named - (int)b->named) != 0)
        return c;
    return 0;
}

static int rule_merge_cmp(const void *x, const void *y)
{
    const struct learn_rule *a = x, *b = y;
    int c = rule_key_cmp(a, b);

    if (c != 0 || (c = strcmp(a->targets, b->targets)) != 0)
        return c;
    return u32_cmp(a->n_ports > 0 ? a->port_list[0] : 0, b->n_ports > 0 ? b->port_list[0] : 0);
}

static int rule_out_cmp(const void *x, const void *y)
{
    const struct learn_rule *a = x, *b = y;
    int c = rule_key_cmp(a, b);

    if (c != 0)
        return c;
    if ((c = u32_cmp(a->n_ports > 0 ? a->port_list[0] : 0, b->n_ports > 0 ? b->port_list[0] : 0)) != 0)
        return c;
    return strcmp(a->targets, b->targets);
}

static int u16_qcmp(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Ports as items: runs of three or more become a range. */
static char *ports_text(const struct learn_rule *r)
{
    struct sbuf b = {0};
    char item[16];
    size_t i = 0;

    while (i < r->n_ports) {
        size_t j = i;

        while (j + 1 < r->n_ports && r->port_list[j + 1] <= r->port_list[j] + 1)
            j++;
        if (j - i >= 2)
            snprintf(item, sizeof(item), "%u-%u", (unsigned)r->port_list[i], (unsigned)r->port_list[j]);
        else
            snprintf(item, sizeof(item), "%u", (unsigned)r->port_list[i]);
        sb_item(&b, item);
        if (j - i == 1 && r->port_list[j] != r->port_list[i]) {
            snprintf(item, sizeof(item), "%u", (unsigned)r->port_list[j]);
            sb_item(&b, item);
        }
        i = j + 1;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s != NULL ? b.s : strdup("");
}


/* Rules that differ only in their port become one rule with a list of ports. */
static int merge_rules(struct learn_rules *c)
{
    struct learn_rule *rules = c->rules;
    size_t w = 0;

    if (rules == NULL || c->n_rules == 0)
        return 0;
    if (c->n_rules > 1)
        qsort(rules, c->n_rules, sizeof(*rules), rule_merge_cmp);
    for (size_t i = 0; i < c->n_rules; i++) {
        struct learn_rule *r = &rules[i], *d = w > 0 ? &rules[w - 1] : NULL;

        if (d != NULL && rule_key_cmp(d, r) == 0 && strcmp(d->targets, r->targets) == 0) {
            uint16_t *p = realloc(d->port_list, (d->n_ports + r->n_ports) * sizeof(*p) + 1);
            uint32_t *e = realloc(d->ents, (d->n_ents + r->n_ents) * sizeof(*e));

            if (p != NULL)
                d->port_list = p;
            if (e != NULL)
                d->ents = e;
            if (p == NULL || e == NULL) {
                /* Rules from w on are stale copies or not yet moved: free the unmoved ones. */
                for (size_t k = i; k < c->n_rules; k++) {
                    free(rules[k].targets);
                    free(rules[k].port_list);
                    free(rules[k].ents);
                }
                c->n_rules = w;
                return -1;
            }
            memcpy(d->port_list + d->n_ports, r->port_list, r->n_ports * sizeof(*p));
            d->n_ports += r->n_ports;
            memcpy(d->ents + d->n_ents, r->ents, r->n_ents * sizeof(*e));
            d->n_ents += r->n_ents;
            free(r->targets);
            free(r->port_list);
            free(r->ents);
            continue;
        }
        if (w != i)
            rules[w] = rules[i];
        w++;
    }
    c->n_rules = w;
    for (size_t i = 0; i < c->n_rules; i++) {
        struct learn_rule *r = &rules[i];

        if (r->n_ports > 1)
            qsort(r->port_list, r->n_ports, sizeof(uint16_t), u16_qcmp);
        r->ports = ports_text(r);
        if (r->ports == NULL)
            return -1;
    }
    if (c->n_rules > 1)
        qsort(rules, c->n_rules, sizeof(*rules), rule_out_cmp);
    return 0;
}

static int build_rules(struct learn_rules *c)
{
    uint32_t *idx = malloc((c->n_e + 1) * sizeof(*idx));
    size_t n = 0, i = 0;

    if (idx == NULL)
        return -1;
    for (size_t k = 0; k < c->n_e; k++)
        if (c->subj_of[k] != UINT32_MAX)
            idx[n++] = (uint32_t)k;
    sort_c = c;
    if (n > 1)
        qsort(idx, n, sizeof(*idx), ent_cmp);
    while (i < n) {
        size_t j = i + 1;

        while (j < n && same_group(c, idx[i], idx[j]))
            j++;
        if (add_rule(c, idx + i, j - i) != 0) {
            free(idx);
            return -1;
        }
        i = j;
    }
    free(idx);
    return merge_rules(c);
}

int learn_rules_build(struct learn_rules *c, const struct learn *l, unsigned min_count)
{
    memset(c, 0, sizeof(*c));
    c->l = l;
    c->e = learn_entries(l, &c->n_e);
    c->subj_of = calloc(c->n_e + 1, sizeof(*c->subj_of));
    if (c->subj_of == NULL)
        return -1;
    for (size_t i = 0; i < c->n_e; i++) {
        if (c->e[i].count < min_count) {
            c->subj_of[i] = UINT32_MAX;
            c->left_out++;
        }
    }
    if (build_subjects(c) != 0 || build_rules(c) != 0)
        return -1;
    return 0;
}

void learn_rules_fini(struct learn_rules *c)
{
    for (size_t i = 0; i < c->n_rules; i++) {
        free(c->rules[i].targets);
        free(c->rules[i].ports);
        free(c->rules[i].port_list);
        free(c->rules[i].ents);
    }
    free(c->rules);
    free(c->subj);
    free(c->subj_of);
    memset(c, 0, sizeof(*c));
}
