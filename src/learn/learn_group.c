/* learn/learn_group.c - generalising what was seen: names into safe wildcards, addresses into networks. */
#include "learn/learn_group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small Public Suffix List: the second-level suffixes under which registries sell names, and
 * the shared ones. Every top-level label is a public suffix without being listed. Shared:
 * everyone's names live under them (cloud storage and hosting, CDNs fronting any customer,
 * dynamic DNS, out-of-band test services an attacker uses for callbacks), so a wildcard
 * anywhere below would let through names that belong to strangers. */
struct suffix {
    const char *name;
    bool        shared;
};

static const struct suffix suffixes[] = {
    {"co.uk", false}, {"org.uk", false}, {"me.uk", false}, {"ltd.uk", false}, {"plc.uk", false},
    {"net.uk", false}, {"ac.uk", false}, {"gov.uk", false}, {"nhs.uk", false}, {"sch.uk", false},
    {"com.au", false}, {"net.au", false}, {"org.au", false}, {"edu.au", false}, {"gov.au", false},
    {"asn.au", false}, {"id.au", false}, {"co.nz", false}, {"net.nz", false}, {"org.nz", false},
    {"govt.nz", false}, {"ac.nz", false}, {"co.jp", false}, {"ne.jp", false}, {"or.jp", false},
    {"ac.jp", false}, {"go.jp", false}, {"ad.jp", false}, {"ed.jp", false}, {"gr.jp", false},
    {"lg.jp", false}, {"co.kr", false}, {"or.kr", false}, {"ne.kr", false}, {"go.kr", false},
    {"ac.kr", false}, {"com.cn", false}, {"net.cn", false}, {"org.cn", false}, {"gov.cn", false},
    {"edu.cn", false}, {"ac.cn", false}, {"com.hk", false}, {"net.hk", false}, {"org.hk", false},
    {"edu.hk", false}, {"gov.hk", false}, {"com.tw", false}, {"net.tw", false}, {"org.tw", false},
    {"edu.tw", false}, {"gov.tw", false}, {"co.in", false}, {"net.in", false}, {"org.in", false},
    {"firm.in", false}, {"gen.in", false}, {"ind.in", false}, {"ac.in", false}, {"edu.in", false},
    {"gov.in", false}, {"res.in", false}, {"com.br", false}, {"net.br", false}, {"org.br", false},
    {"gov.br", false}, {"edu.br", false}, {"com.mx", false}, {"org.mx", false}, {"gob.mx", false},
    {"edu.mx", false}, {"net.mx", false}, {"com.ar", false}, {"net.ar", false}, {"org.ar", false},
    {"gob.ar", false}, {"co.za", false}, {"org.za", false}, {"net.za", false}, {"gov.za", false},
    {"ac.za", false}, {"web.za", false}, {"com.sg", false}, {"net.sg", false}, {"org.sg", false},
    {"edu.sg", false}, {"gov.sg", false}, {"com.my", false}, {"net.my", false}, {"org.my", false},
    {"gov.my", false}, {"edu.my", false}, {"co.id", false}, {"or.id", false}, {"ac.id", false},
    {"go.id", false}, {"web.id", false}, {"net.id", false}, {"co.th", false}, {"in.th", false},
    {"ac.th", false}, {"go.th", false}, {"or.th", false}, {"com.ph", false}, {"net.ph", false},
    {"org.ph", false}, {"gov.ph", false}, {"edu.ph", false}, {"com.vn", false}, {"net.vn", false},
    {"org.vn", false}, {"gov.vn", false}, {"edu.vn", false}, {"com.tr", false}, {"net.tr", false},
    {"org.tr", false}, {"gov.tr", false}, {"edu.tr", false}, {"co.il", false}, {"org.il", false},
    {"net.il", false}, {"ac.il", false}, {"gov.il", false}, {"com.ua", false}, {"net.ua", false},
    {"org.ua", false}, {"gov.ua", false}, {"com.pl", false}, {"net.pl", false}, {"org.pl", false},
    {"com.es", false}, {"org.es", false}, {"nom.es", false}, {"edu.es", false}, {"gob.es", false},
    {"com.ru", false}, {"org.ru", false}, {"net.ru", false}, {"com.sa", false}, {"com.eg", false},
    {"com.pk", false}, {"com.ng", false}, {"com.co", false}, {"com.pe", false}, {"com.ve", false},
    /* shared */
    {"amazonaws.com", true}, {"cloudfront.net", true}, {"elasticbeanstalk.com", true},
    {"awsglobalaccelerator.com", true}, {"on.aws", true}, {"azurewebsites.net", true},
    {"cloudapp.net", true}, {"cloudapp.azure.com", true}, {"azureedge.net", true},
    {"azurefd.net", true}, {"azure-api.net", true}, {"windows.net", true},
    {"trafficmanager.net", true}, {"appspot.com", true}, {"googleusercontent.com", true},
    {"googleapis.com", true}, {"run.app", true}, {"cloudfunctions.net", true},
    {"firebaseapp.com", true}, {"firebaseio.com", true}, {"web.app", true},
    {"herokuapp.com", true}, {"herokudns.com", true}, {"github.io", true},
    {"githubusercontent.com", true}, {"gitlab.io", true}, {"netlify.app", true},
    {"vercel.app", true}, {"now.sh", true}, {"pages.dev", true}, {"workers.dev", true},
    {"r2.dev", true}, {"trycloudflare.com", true}, {"fastly.net", true}, {"fastlylb.net", true},
    {"akamaihd.net", true}, {"akamaized.net", true}, {"edgekey.net", true},
    {"edgesuite.net", true}, {"blogspot.com", true}, {"wordpress.com", true},
    {"wixsite.com", true}, {"myshopify.com", true}, {"digitaloceanspaces.com", true},
    {"ondigitalocean.app", true}, {"linodeobjects.com", true}, {"oraclecloud.com", true},
    {"ngrok.io", true}, {"ngrok.app", true}, {"ngrok-free.app", true}, {"loca.lt", true},
    {"serveo.net", true}, {"duckdns.org", true}, {"no-ip.org", true}, {"ddns.net", true},
    {"hopto.org", true}, {"zapto.org", true}, {"sytes.net", true}, {"dyndns.org", true},
    {"dynu.net", true}, {"afraid.org", true}, {"interact.sh", true}, {"oast.fun", true},
    {"oast.pro", true}, {"oast.live", true}, {"oast.site", true}, {"oast.online", true},
    {"oast.me", true}, {"burpcollaborator.net", true}, {"oastify.com", true},
    {"dnslog.cn", true}, {"ceye.io", true}, {"requestbin.net", true}, {"pipedream.net", true},
    {"webhook.site", true}, {"canarytokens.com", true},
};

static bool ends_with_label(const char *name, size_t len, const char *suf, size_t slen)
{
    if (slen > len || memcmp(name + len - slen, suf, slen) != 0)
        return false;
    return slen == len || name[len - slen - 1] == '.';
}

size_t learn_group_public_suffix(const char *name, size_t len, bool *shared)
{
    size_t best = 0;
    const char *dot;

    *shared = false;
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        size_t slen = strlen(suffixes[i].name);

        if (ends_with_label(name, len, suffixes[i].name, slen) && slen > best) {
            best = slen;
            *shared = suffixes[i].shared;
        }
    }
    if (best > 0)
        return len - best;
    dot = memrchr(name, '.', len);
    return dot != NULL ? (size_t)(dot - name) + 1 : 0;
}

static bool is_ip_literal(const char *s, size_t len)
{
    struct addr a;
    char tmp[64];

    if (len == 0 || len >= sizeof(tmp))
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return addr_parse(&a, tmp) == 0;
}

size_t learn_group_domain_norm(const char *name, size_t len, char *out)
{
    size_t label = 0;

    if (len > 1 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > 253 || is_ip_literal(name, len))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];

        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            label++;
        } else if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
            label++;
        } else {
            return 0;
        }
        if (label > 63)
            return 0;
        out[i] = c;
    }
    if (label == 0)
        return 0;
    out[len] = '\0';
    return len;
}

bool learn_group_pattern_match(const char *pattern, const char *name)
{
    size_t pl = strlen(pattern), nl = strlen(name);

    if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.')
        return nl > pl - 1 && memcmp(name + nl - (pl - 1), pattern + 1, pl - 1) == 0;
    return pl == nl && memcmp(pattern, name, nl) == 0;
}

/* ---- wildcards: a walk over the names' label tree, deepest first ---- */

#define MAX_LABELS 128

/* A name cut into labels counted from the right: label 0 is the top-level one. */
struct dname {
    const char *s;
    size_t      len;
    unsigned    nlab;
    uint16_t    start[MAX_LABELS]; /* label i begins at s + start[i] */
    uint16_t    end[MAX_LABELS];
    unsigned    reg;               /* labels of the registrable domain, 0 when there is none */
    bool        shared;
};

static void dname_cut(struct dname *d, const char *s)
{
    size_t e;

    d->s = s;
    d->len = strlen(s);
    d->nlab = 0;
    e = d->len;
    for (size_t i = d->len; i-- > 0;) {
        if (s[i] == '.') {
            if (d->nlab < MAX_LABELS) {
                d->start[d->nlab] = (uint16_t)(i + 1);
                d->end[d->nlab] = (uint16_t)e;
                d->nlab++;
            }
            e = i;
        }
    }
    if (d->nlab < MAX_LABELS) {
        d->start[d->nlab] = 0;
        d->end[d->nlab] = (uint16_t)e;
        d->nlab++;
    }
}

static int label_cmp(const struct dname *a, const struct dname *b, unsigned i)
{
    size_t la = (size_t)(a->end[i] - a->start[i]), lb = (size_t)(b->end[i] - b->start[i]);
    int c = memcmp(a->s + a->start[i], b->s + b->start[i], la < lb ? la : lb);

    if (c != 0)
        return c;
    return la < lb ? -1 : la > lb;
}

/* Tree order: parents before their children, siblings by label. */
static int dname_cmp(const void *x, const void *y)
{
    const struct dname *a = *(const struct dname *const *)x, *b = *(const struct dname *const *)y;
    unsigned n = a->nlab < b->nlab ? a->nlab : b->nlab;

    for (unsigned i = 0; i < n; i++) {
        int c = label_cmp(a, b, i);

        if (c != 0)
            return c;
    }
    return a->nlab < b->nlab ? -1 : a->nlab > b->nlab;
}

struct walk {
    struct learn_pattern *out;
    unsigned              n_out;
    const struct dname  **left;   /* names not yet covered by a wildcard */
    unsigned              n_left;
};

static void emit(struct walk *w, const char *text, size_t len, bool wildcard, unsigned names)
{
    struct learn_pattern *p = &w->out[w->n_out++];
    size_t o = 0;

    if (wildcard) {
        p->text[o++] = '*';
        p->text[o++] = '.';
    }
    memcpy(p->text + o, text, len);
    p->text[o + len] = '\0';
    p->wildcard = wildcard;
    p->names = names;
}

/* names[0..n) all lie strictly under the node of depth labels they share; returns with the
 * names not covered appended to w->left, and the wildcards found under the node emitted. */
static void walk_node(struct walk *w, const struct dname **names, unsigned n, unsigned depth)
{
    unsigned left0 = w->n_left, out0 = w->n_out, i = 0;

    while (i < n) {
        unsigned j = i + 1, k = i;

        while (j < n && label_cmp(names[i], names[j], depth) == 0)
            j++;
        /* names[i..j) share the child at depth + 1; the child itself sorts first. */
        if (names[i]->nlab == depth + 1) {
            w->left[w->n_left++] = names[i];
            k = i + 1;
        }
        if (k < j)
            walk_node(w, names + k, j - k, depth + 1);
        i = j;
    }
    if (depth >= names[0]->reg && names[0]->reg > 0 && !names[0]->shared &&
        w->n_left - left0 >= LEARN_GROUP_WILDCARD_MIN) {
        const struct dname *d = names[0];
        unsigned covered = n;

        /* Every name under the node, wildcards below included, is one "*.node" now. */
        w->n_out = out0;
        w->n_left = left0;
        emit(w, d->s + d->start[depth - 1], d->len - d->start[depth - 1], true, covered);
    }
}

static int pattern_cmp(const void *x, const void *y)
{
    return strcmp(((const struct learn_pattern *)x)->text, ((const struct learn_pattern *)y)->text);
}

int learn_group_domains(const char *const *names, unsigned n, struct learn_pattern *out)
{
    struct dname *d;
    const struct dname **order, **left;
    struct walk w = {out, 0, NULL, 0};
    unsigned i = 0;

    if (n == 0)
        return 0;
    d = calloc(n, sizeof(*d));
    order = calloc(n, sizeof(const struct dname *));
    left = calloc(n, sizeof(const struct dname *));
    if (d == NULL || order == NULL || left == NULL) {
        free(d);
        free(order);
        free(left);
        return -1;
    }
    w.left = left;
    for (unsigned k = 0; k < n; k++) {
        size_t ps = learn_group_public_suffix(names[k], strlen(names[k]), &d[k].shared);
        unsigned suffix_labels = 1;

        dname_cut(&d[k], names[k]);
        for (size_t c = ps; c < d[k].len; c++)
            suffix_labels += names[k][c] == '.';
        d[k].reg = ps > 0 && suffix_labels < d[k].nlab ? suffix_labels + 1 : 0;
        order[k] = &d[k];
    }
    if (n > 1)
        qsort(order, n, sizeof(const struct dname *), dname_cmp);
    /* Each registrable domain is a tree of its own; names without one stay exact. */
    while (i < n) {
        unsigned j = i + 1, reg = order[i]->reg;

        if (reg == 0 || order[i]->nlab < reg) {
            left[w.n_left++] = order[i++];
            continue;
        }
        while (j < n && order[j]->reg == reg && order[j]->nlab >= reg) {
            unsigned l;

            for (l = 0; l < reg && label_cmp(order[i], order[j], l) == 0; l++)
                ;
            if (l < reg)
                break;
            j++;
        }
        if (order[i]->nlab == reg)
            left[w.n_left++] = order[i++];
        if (i < j)
            walk_node(&w, order + i, j - i, reg);
        i = j;
    }
    for (unsigned k = 0; k < w.n_left; k++)
        emit(&w, w.left[k]->s, w.left[k]->len, false, 1);
    if (w.n_out > 1)
        qsort(out, w.n_out, sizeof(*out), pattern_cmp);
    free(d);
    free(order);
    free(left);
    return (int)w.n_out;
}

/* ---- networks ---- */

static int addr_qcmp(const void *x, const void *y)
{
    return addr_cmp(x, y);
}

static void mask(struct addr *a, unsigned bits)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? bits - i * 8 : 0;

        a->b[i] &= (uint8_t)(0xff00u >> keep);
    }
}

unsigned learn_group_nets(struct addr *addrs, unsigned n, struct learn_net *out)
{
    unsigned n_out = 0, i = 0;

    if (n > 1)
        qsort(addrs, n, sizeof(*addrs), addr_qcmp);
    while (i < n) {
        unsigned bits = addr_is_v4(&addrs[i]) ? 96 + 24 : 64, j = i + 1;
        struct addr net = addrs[i];

        mask(&net, bits);
        while (j < n && addr_is_v4(&addrs[j]) == addr_is_v4(&addrs[i]) && addr_in_prefix(&addrs[j], &net, bits))
            j++;
        if (j - i >= LEARN_GROUP_NET_MIN) {
            out[n_out].net = net;
            out[n_out].bits = (uint8_t)bits;
            out[n_out].addrs = j - i;
            n_out++;
        } else {
            for (unsigned k = i; k < j; k++) {
                out[n_out].net = addrs[k];
                out[n_out].bits = 128;
                out[n_out].addrs = 1;
                n_out++;
            }
        }
        i = j;
    }
    return n_out;
}

size_t learn_group_net_format(const struct learn_net *net, char *buf, size_t size)
{
    size_t n = addr_format(&net->net, buf, size);
    unsigned bits = addr_is_v4(&net->net) ? net->bits - 96u : net->bits;
    int k;

    if (net->bits == 128)
        return n;
    k = snprintf(buf + n, size - n, "/%u", bits);
    return k < 0 || (size_t)k >= size - n ? n : n + (size_t)k;
}

bool learn_group_net_match(const struct learn_net *net, const struct addr *a)
{
    return addr_is_v4(a) == addr_is_v4(&net->net) && addr_in_prefix(a, &net->net, net->bits);
}
