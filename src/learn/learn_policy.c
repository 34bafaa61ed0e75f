/* learn/learn_policy.c - writes the rules learned as a policy file (docs/policy.md), with the
 * evidence for each rule in YAML comments. */
#include "learn/learn.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "learn/learn_group.h"
#include "learn/learn_int.h"
#include "policy/policy.h"

#define EVIDENCE_MAX  8    /* hosts and destinations listed per rule */
#define LEFT_OUT_MAX  50   /* tuples under --min-count listed at the end */
#define FLOW_LIST_MAX 72   /* a list longer than this is written one item a line */

/* ---- text helpers ---- */

static void iso_time(double ts, char *buf, size_t size)
{
    time_t t = (time_t)ts;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "%.6f", ts);
}

/* Comments carry text from the logs: anything but printable ASCII becomes '?'. */
static void clean(const char *s, char *out, size_t size)
{
    size_t i;

    for (i = 0; s[i] != '\0' && i + 1 < size; i++)
        out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    out[i] = '\0';
}

/* A YAML double-quoted scalar; glob: also escape fnmatch's special characters. */
static void quoted(const char *s, bool glob, char *out, size_t size)
{
    size_t o = 0;

    out[o++] = '"';
    for (; *s != '\0' && o + 6 < size; s++) {
        if (glob && strchr("*?[\\", *s) != NULL) {
            out[o++] = '\\';
            out[o++] = '\\';
        }
        if (*s == '"' || *s == '\\')
            out[o++] = '\\';
        out[o++] = *s;
    }
    out[o++] = '"';
    out[o] = '\0';
}

static const char *transport_name(uint8_t t)
{
    return t == 6 ? "tcp" : t == 17 ? "udp" : "icmp";
}

static const char *app_name(int app)
{
    return app == LEARN_NO_APP ? "any" : policy_app_name((uint8_t)app);
}

/* ---- writing ---- */

/* key: one item, a flow list, or a block list when long. items: '\n'-joined; quote: written as
 * YAML double-quoted strings (names and addresses: "*" would start an alias, ":" a mapping). */
static void write_list(FILE *out, const char *key, const char *items, bool quote)
{
    char item[LEARN_GROUP_NAME_MAX * 2 + 8];
    size_t n = 1, len = strlen(items);
    const char *p = items;

    for (const char *q = items; *q != '\0'; q++)
        n += *q == '\n';
    len += quote ? 2 * n : 0;
    if (n == 1)
        fprintf(out, "    %s: ", key);
    else if (len + 2 * n <= FLOW_LIST_MAX)
        fprintf(out, "    %s: [", key);
    else
        fprintf(out, "    %s:\n", key);
    for (size_t i = 0; i < n; i++) {
        size_t il = strcspn(p, "\n");
        char raw[LEARN_GROUP_NAME_MAX];

        snprintf(raw, sizeof(raw), "%.*s", (int)il, p);
        if (quote)
            quoted(raw, false, item, sizeof(item));
        else
            snprintf(item, sizeof(item), "%s", raw);
        if (n == 1)
            fprintf(out, "%s\n", item);
        else if (len + 2 * n <= FLOW_LIST_MAX)
            fprintf(out, "%s%s", i > 0 ? ", " : "", item);
        else
            fprintf(out, "      - %s\n", item);
        p += il + (p[il] == '\n');
    }
    if (n > 1 && len + 2 * n <= FLOW_LIST_MAX)
        fputs("]\n", out);
}

/* What the writer works from. */
struct ctx {
    const struct learn       *l;
    const struct learn_rules *rs;
    FILE                     *out;
};

static void subject_text(const struct ctx *c, const struct learn_subject *s, char *buf, size_t size)
{
    char who[128];

    if (!s->proc) {
        (void)learn_group_net_format(&s->net, buf, size);
        return;
    }
    clean(learn_str(c->l, s->process), buf, size);
    if (s->user != 0) {
        size_t n = strlen(buf);

        clean(learn_str(c->l, s->user), who, sizeof(who));
        snprintf(buf + n, size - n, " as %s", who);
    }
}

/* learn-N-TAG-APP: letters, digits, '-', '_', '.' only, at most 64. */
static void rule_name(const struct ctx *c, const struct learn_rule *r, unsigned n, char *buf, size_t size)
{
    const struct learn_subject *s = &c->rs->subj[r->subj];
    char tag[128];
    const char *base;
    size_t i;

    if (s->proc) {
        base = strrchr(learn_str(c->l, s->process), '/');
        snprintf(tag, sizeof(tag), "%s", base != NULL ? base + 1 : "process");
    } else {
        (void)learn_group_net_format(&s->net, tag, sizeof(tag));
    }
    tag[32] = '\0';
    snprintf(buf, size < 65 ? size : 65, "learn-%u-%s-%s", n, tag, r->app == LEARN_NO_APP ? transport_name(r->transport)
                                                                                 : app_name(r->app));
    for (i = 0; buf[i] != '\0'; i++) {
        char ch = buf[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '_' || ch == '.'))
            buf[i] = '-';
    }
}

static const struct learn *sort_l;   /* qsort has no context argument */

struct tally {
    struct addr a;      /* host, or destination address */
    uint32_t    name;   /* destination name, or 0 */
    uint64_t    count;
    double      first, last;
};

static int tally_cmp(const void *x, const void *y)
{
    const struct tally *a = x, *b = y;
    int c;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if ((c = addr_cmp(&a->a, &b->a)) != 0)
        return c;
    return strcmp(learn_str(sort_l, a->name), learn_str(sort_l, b->name));
}

/* Adds an entry's flows to the tally of its host (dest false) or its destination. */
static size_t tally_add(struct tally *t, size_t n, const struct learn_entry *e, bool dest)
{
    struct tally key = {.a = dest ? e->k.dst : e->k.src, .name = dest ? e->k.domain : 0};

    for (size_t i = 0; i < n; i++) {
        if (addr_cmp(&t[i].a, &key.a) == 0 && t[i].name == key.name) {
            t[i].count += e->count;
            if (e->first < t[i].first)
                t[i].first = e->first;
            if (e->last > t[i].last)
                t[i].last = e->last;
            return n;
        }
    }
    key.count = e->count;
    key.first = e->first;
    key.last = e->last;
    t[n] = key;
    return n + 1;
}

static void write_evidence(const struct ctx *c, const struct learn_rule *r, struct tally *hosts, struct tally *dests)
{
    const struct learn_subject *s = &c->rs->subj[r->subj];
    size_t nh = 0, nd = 0;
    uint64_t flows = 0;
    double first = 0, last = 0;
    char a[LEARN_GROUP_NAME_MAX + 64], t1[32], t2[32];

    for (size_t i = 0; i < r->n_ents; i++) {
        const struct learn_entry *e = &c->rs->e[r->ents[i]];

        flows += e->count;
        if (i == 0 || e->first < first)
            first = e->first;
        if (i == 0 || e->last > last)
            last = e->last;
        nh = tally_add(hosts, nh, e, false);
        nd = tally_add(dests, nd, e, true);
    }
    sort_l = c->l;
    if (nh > 1)
        qsort(hosts, nh, sizeof(*hosts), tally_cmp);
    if (nd > 1)
        qsort(dests, nd, sizeof(*dests), tally_cmp);
    subject_text(c, s, a, sizeof(a));
    iso_time(first, t1, sizeof(t1));
    iso_time(last, t2, sizeof(t2));
    fprintf(c->out, "\n  # %s: %s over %s, %llu flow%s from %zu host%s to %zu %s, %s to %s\n", a, app_name(r->app),
            transport_name(r->transport), (unsigned long long)flows, flows == 1 ? "" : "s", nh, nh == 1 ? "" : "s",
            nd, r->named ? (nd == 1 ? "name" : "names") : (nd == 1 ? "address" : "addresses"), t1, t2);
    if (r->app == LEARN_NO_APP && r->transport != 1) {
        fputs("  # services seen:", c->out);
        for (size_t i = 0; i < r->n_ents && i < EVIDENCE_MAX; i++) {
            const char *svc = learn_str(c->l, c->rs->e[r->ents[i]].k.service);

            clean(svc, a, sizeof(a));
            fprintf(c->out, " %s", a[0] != '\0' ? a : "-");
        }
        fputc('\n', c->out);
    }
    if (nh > 1 || s->proc) {
        fputs("  #   hosts:", c->out);
        for (size_t i = 0; i < nh && i < EVIDENCE_MAX; i++) {
            addr_format(&hosts[i].a, a, sizeof(a));
            fprintf(c->out, "%s %s (%llu)", i > 0 ? "," : "", a, (unsigned long long)hosts[i].count);
        }
        if (nh > EVIDENCE_MAX)
            fprintf(c->out, ", and %zu more", nh - EVIDENCE_MAX);
        fputc('\n', c->out);
    }
    for (size_t i = 0; i < nd && i < EVIDENCE_MAX; i++) {
        uint32_t ids[LEARN_DNS_NAMES];
        unsigned nn = 0;

        if (dests[i].name != 0)
            snprintf(a, sizeof(a), "%s", learn_str(c->l, dests[i].name));
        else
            addr_format(&dests[i].a, a, sizeof(a));
        iso_time(dests[i].first, t1, sizeof(t1));
        iso_time(dests[i].last, t2, sizeof(t2));
        fprintf(c->out, "  #   %s: %llu flow%s, %s to %s", a, (unsigned long long)dests[i].count,
                dests[i].count == 1 ? "" : "s", t1, t2);
        if (dests[i].name == 0)
            nn = learn_dns_names(c->l, &dests[i].a, ids, LEARN_DNS_NAMES);
        for (unsigned k = 0; k < nn; k++)
            fprintf(c->out, "%s%s", k == 0 ? " (DNS: " : ", ", learn_str(c->l, ids[k]));
        fputs(nn > 0 ? ")\n" : "\n", c->out);
    }
    if (nd > EVIDENCE_MAX)
        fprintf(c->out, "  #   and %zu more\n", nd - EVIDENCE_MAX);
}

/* uid for a user column: digits as they are, a name through this host's user database. */
static bool user_uid(const char *u, unsigned long *uid)
{
    char *end;
    struct passwd *pw;

    if (*u >= '0' && *u <= '9') {
        *uid = strtoul(u, &end, 10);
        return *end == '\0' && *uid <= UINT32_MAX;
    }
    pw = getpwnam(u);
    if (pw == NULL)
        return false;
    *uid = pw->pw_uid;
    return true;
}

static int write_rule(struct ctx *c, const struct learn_rule *r, unsigned n, struct tally *hosts, struct tally *dests)
{
    const struct learn_subject *s = &c->rs->subj[r->subj];
    char name[80], buf[LEARN_GROUP_NAME_MAX * 4 + 8];

    write_evidence(c, r, hosts, dests);
    rule_name(c, r, n, name, sizeof(name));
    fprintf(c->out, "  - name: %s\n    action: allow\n    direction: outbound\n", name);
    if (s->proc) {
        unsigned long uid;

        quoted(learn_str(c->l, s->process), true, buf, sizeof(buf));
        fprintf(c->out, "    process: %s\n", buf);
        if (s->user != 0 && user_uid(learn_str(c->l, s->user), &uid))
            fprintf(c->out, "    user: %lu\n", uid);
    } else {
        (void)learn_group_net_format(&s->net, name, sizeof(name));
        fprintf(c->out, "    src: \"%s\"\n", name);
    }
    fprintf(c->out, "    transport: %s\n", transport_name(r->transport));
    if (r->app != LEARN_NO_APP)
        fprintf(c->out, "    app: %s\n", app_name(r->app));
    write_list(c->out, r->named ? "domain" : "dst", r->targets, true);
    if (r->n_ports > 0)
        write_list(c->out, "dst_port", r->ports, false);
    return 0;
}

static void write_header(const struct ctx *c, const struct learn_policy_options *o, size_t left_out)
{
    const struct learn_stats *st = learn_get_stats(c->l);
    char t1[32], t2[32], p[512];

    fputs("# Recommended egress policy, learned by protowall learn from the traffic below.\n"
          "# Review it before enforcing it: every outbound flow no rule allows is denied.\n",
          c->out);
    for (unsigned i = 0; i < o->n_sources; i++) {
        clean(o->sources[i], p, sizeof(p));
        fprintf(c->out, "# source: %s\n", p);
    }
    fprintf(c->out,
            "# %u log files; conn.log rows %llu: outbound %llu (learned), inbound %llu, internal %llu,\n"
            "#   transit %llu (counted only); names from ssl.log %llu and http.log %llu rows, dns.log %llu,\n"
            "#   policy.log %llu; lines not understood %llu\n",
            st->files, (unsigned long long)st->conn_rows, (unsigned long long)st->outbound,
            (unsigned long long)st->inbound, (unsigned long long)st->internal, (unsigned long long)st->transit,
            (unsigned long long)st->ssl_rows, (unsigned long long)st->http_rows, (unsigned long long)st->dns_rows,
            (unsigned long long)st->policy_rows, (unsigned long long)st->bad_rows);
    if (st->outbound > 0) {
        iso_time(st->first, t1, sizeof(t1));
        iso_time(st->last, t2, sizeof(t2));
        fprintf(c->out, "# outbound flows from %s to %s\n", t1, t2);
    }
    fprintf(c->out,
            "# Rules are per process where policy.log names it, else per source network (a /24 or /64\n"
            "# where %d or more hosts share one). Names are the TLS SNI or HTTP Host; \"*.S\" stands for\n"
            "# %d or more names seen under S (never a public suffix). Addresses share a /24 (/64) network\n"
            "# when %d or more of them fall in it.\n",
            LEARN_GROUP_NET_MIN, LEARN_GROUP_WILDCARD_MIN, LEARN_GROUP_NET_MIN);
    if (o->min_count > 1)
        fprintf(c->out, "# Tuples seen fewer than %u times are left out: %zu (listed at the end).\n", o->min_count,
                left_out);
    fputs("default: { outbound: deny, inbound: allow }\n", c->out);
}

static void write_left_out(const struct ctx *c, size_t left_out)
{
    size_t shown = 0;
    char a[ADDR_STRLEN], d[LEARN_GROUP_NAME_MAX], t1[32], svc[64];

    if (left_out == 0)
        return;
    fputs("\n# Left out, seen fewer times than --min-count:\n", c->out);
    for (size_t i = 0; i < c->rs->n_e && shown < LEFT_OUT_MAX; i++) {
        const struct learn_entry *e = &c->rs->e[i];

        if (c->rs->subj_of[i] != UINT32_MAX)
            continue;
        addr_format(&e->k.src, a, sizeof(a));
        if (e->k.domain != 0)
            snprintf(d, sizeof(d), "%s", learn_str(c->l, e->k.domain));
        else
            addr_format(&e->k.dst, d, sizeof(d));
        iso_time(e->first, t1, sizeof(t1));
        clean(learn_str(c->l, e->k.service), svc, sizeof(svc));
        fprintf(c->out, "#   %s -> %s %s/%u %s: %llu flow%s, first %s\n", a, d, transport_name(e->k.transport),
                (unsigned)e->k.port, svc[0] != '\0' ? svc : "-", (unsigned long long)e->count,
                e->count == 1 ? "" : "s", t1);
        shown++;
    }
    if (left_out > shown)
        fprintf(c->out, "#   and %zu more\n", left_out - shown);
}

int learn_policy_write(const struct learn *l, const struct learn_policy_options *o, FILE *out, char *err,
                       size_t errlen)
{
    struct learn_rules rs;
    struct ctx c = {.l = l, .rs = &rs, .out = out};
    struct tally *hosts = NULL, *dests = NULL;
    int rc = -1;

    if (learn_rules_build(&rs, l, o->min_count) != 0)
        goto oom;
    hosts = calloc(rs.n_e + 1, sizeof(*hosts));
    dests = calloc(rs.n_e + 1, sizeof(*dests));
    if (hosts == NULL || dests == NULL)
        goto oom;
    write_header(&c, o, rs.left_out);
    fputs(rs.n_rules == 0 ? "rules: []\n" : "\nrules:", out);
    for (size_t i = 0; i < rs.n_rules; i++)
        if (write_rule(&c, &rs.rules[i], (unsigned)i + 1, hosts, dests) != 0)
            goto oom;
    write_left_out(&c, rs.left_out);
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(err, errlen, "write error");
        goto out;
    }
    rc = (int)rs.n_rules;
    goto out;
oom:
    snprintf(err, errlen, "out of memory");
out:
    learn_rules_fini(&rs);
    free(hosts);
    free(dests);
    return rc;
}
