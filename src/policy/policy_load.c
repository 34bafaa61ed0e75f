/* policy/policy_load.c - reads a policy file (YAML, via libyaml) and compiles it; every key is checked. */
#include "policy/policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy/policy_int.h"

/* A policy is a few kilobytes; the cap keeps a wrong path (a log, a core file) from eating memory. */
#define LOAD_MAX_BYTES (4u << 20)
#define ARENA_BLOCK    16384

/* Everything a policy owns comes from one arena: building is many small pieces, freeing is one
 * walk, and an error halfway through leaks nothing. */
struct policy_arena {
    struct policy_arena *next;
    size_t               used, size;
    max_align_t          data[];
};

struct name_slot {
    const char *name;
    unsigned    line;
};

struct loader {
    yaml_document_t     *doc;
    struct policy       *p;
    struct policy_error *err;
    struct name_slot    *names; /* rule names seen so far: open addressing, power-of-two size */
    size_t               names_mask;
    const yaml_node_t   *sinkhole; /* dns_firewall.sinkhole, checked against answer at the end */
};

typedef int (*key_fn)(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field);

static const char *const action_words[] = {"allow", "deny", "alert"};
static const char *const direction_words[] = {"outbound", "inbound", "any"};

/* ---- memory ---- */

static void *arena_alloc(struct policy *p, size_t n)
{
    const size_t al = sizeof(max_align_t);
    struct policy_arena *a = p->arena;
    unsigned char *r;

    if (n > LOAD_MAX_BYTES * 64)
        return NULL;
    n = (n + al - 1) / al * al;
    if (n == 0)
        n = al;
    if (a == NULL || a->size - a->used < n) {
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        struct policy_arena *b = malloc(sizeof(*b) + size);

        if (b == NULL)
            return NULL;
        b->used = 0;
        b->size = size;
        /* A big piece gets a block of its own behind the current one, which stays in use. */
        if (a != NULL && size == n) {
            b->next = a->next;
            a->next = b;
        } else {
            b->next = a;
            p->arena = b;
        }
        a = b;
    }
    r = (unsigned char *)a->data + a->used;
    a->used += n;
    memset(r, 0, n);
    return r;
}

static void *arena_array(struct policy *p, size_t count, size_t size)
{
    if (count != 0 && size > SIZE_MAX / count)
        return NULL;
    return arena_alloc(p, count * size);
}

static char *arena_str(struct policy *p, const char *s, size_t len)
{
    char *d = arena_alloc(p, len + 1);

    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/* ---- errors ---- */

/* Up to 40 characters of user text, with anything unprintable shown as '?'. */
static const char *shown(const char *s, size_t len, char *buf, size_t size)
{
    size_t n = len < 40 ? len : 40, o = 0;

    for (size_t i = 0; i < n && o + 4 < size; i++)
        buf[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (n < len && o + 4 < size) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

__attribute__((format(printf, 4, 5))) static int fail_at(struct loader *l, yaml_mark_t m, const char *field,
                                                         const char *fmt, ...)
{
    struct policy_error *e = l->err;
    va_list ap;

    e->line = (unsigned)m.line + 1;
    e->col = (unsigned)m.column + 1;
    snprintf(e->field, sizeof(e->field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

#define FAIL(l, node, field, ...) fail_at((l), (node)->start_mark, (field), __VA_ARGS__)

static int oom(struct loader *l, const yaml_node_t *n)
{
    return FAIL(l, n, "", "out of memory");
}

/* ---- YAML shapes ---- */

static const yaml_node_t *node_at(struct loader *l, int i)
{
    return yaml_document_get_node(l->doc, i);
}

static bool is_null(const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;

    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return len == 0 || (len == 1 && v[0] == '~') ||
           (len == 4 && (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 || memcmp(v, "NULL", 4) == 0));
}

static int scalar(struct loader *l, const yaml_node_t *n, const char *field, const char *what, const char **s,
                  size_t *len)
{
    if (n->type == YAML_MAPPING_NODE)
        return FAIL(l, n, field, "expected %s, got a mapping", what);
    if (n->type == YAML_SEQUENCE_NODE)
        return FAIL(l, n, field, "expected %s, got a list", what);
    if (is_null(n))
        return FAIL(l, n, field, "missing value: expected %s", what);
    *s = (const char *)n->data.scalar.value;
    *len = n->data.scalar.length;
    /* Names and values end up in policy.log, where a tab or a newline would break the line. */
    for (size_t i = 0; i < *len; i++)
        if ((unsigned char)(*s)[i] < 0x20 || (*s)[i] == 0x7f)
            return FAIL(l, n, field, "control character in value");
    return 0;
}

static int keyword(struct loader *l, const yaml_node_t *n, const char *field, const char *const *words,
                   size_t nwords, const char *what, int *out)
{
    const char *s;
    size_t len;
    char b[64];

    if (scalar(l, n, field, what, &s, &len) < 0)
        return -1;
    for (size_t i = 0; i < nwords; i++) {
        if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return FAIL(l, n, field, "expected %s, got '%s'", what, shown(s, len, b, sizeof(b)));
}

/* A value that may be written as one item or as a list of them. */
struct items {
    const yaml_node_t *self;
    size_t             n;
    bool               seq;
};

static int items_of(struct loader *l, const yaml_node_t *n, const char *field, const char *what, struct items *it)
{
    it->self = n;
    it->seq = n->type == YAML_SEQUENCE_NODE;
    it->n = 1;
    if (it->seq) {
        it->n = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
        if (it->n == 0)
            return FAIL(l, n, field, "empty list: list at least one, or leave the key out");
        return 0;
    }
    if (n->type == YAML_MAPPING_NODE)
        return FAIL(l, n, field, "expected %s or a list of them, got a mapping", what);
    if (is_null(n))
        return FAIL(l, n, field, "missing value: expected %s or a list of them", what);
    return 0;
}

/* Item i as a checked scalar; ifield gets its name ("rules[0].app[2]"). */
static int item(struct loader *l, const struct items *it, size_t i, const char *field, const char *what,
                char *ifield, size_t isize, const yaml_node_t **n, const char **s, size_t *len)
{
    if (it->seq) {
        snprintf(ifield, isize, "%s[%zu]", field, i);
        *n = node_at(l, it->self->data.sequence.items.start[i]);
    } else {
        snprintf(ifield, isize, "%s", field);
        *n = it->self;
    }
    return scalar(l, *n, ifield, what, s, len);
}

/* The items as written, joined by ", ", for explain; called once every item is a scalar. */
static const char *items_text(struct loader *l, const struct items *it)
{
    size_t total = 1, o = 0;
    char *t;

    for (size_t i = 0; i < it->n; i++) {
        const yaml_node_t *n = it->seq ? node_at(l, it->self->data.sequence.items.start[i]) : it->self;
        total += n->data.scalar.length + 2;
    }
    t = arena_alloc(l->p, total);
    if (t == NULL)
        return NULL;
    for (size_t i = 0; i < it->n; i++) {
        const yaml_node_t *n = it->seq ? node_at(l, it->self->data.sequence.items.start[i]) : it->self;

        if (i > 0) {
            memcpy(t + o, ", ", 2);
            o += 2;
        }
        memcpy(t + o, n->data.scalar.value, n->data.scalar.length);
        o += n->data.scalar.length;
    }
    t[o] = '\0';
    return t;
}

/* parent + "." + key, the key cut short and made printable. */
static void join(char *out, size_t size, const char *parent, const char *key, size_t klen)
{
    char b[64];

    snprintf(out, size, "%s%s%s", parent, parent[0] != '\0' ? "." : "", shown(key, klen, b, sizeof(b)));
}

/* Walks a mapping in file order: each key must be one of keys[] and appear once; fn gets the
 * index of the key and its value. *seen gets a bit per key present. */
static int map_walk(struct loader *l, const yaml_node_t *map, const char *field, const char *what,
                    const char *const *keys, unsigned nkeys, uint32_t *seen, key_fn fn, void *ctx)
{
    unsigned first[32];

    *seen = 0;
    if (map->type != YAML_MAPPING_NODE)
        return FAIL(l, map, field, "%sexpected %s", is_null(map) ? "missing value: " : "", what);
    for (const yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k = node_at(l, pr->key), *v = node_at(l, pr->value);
        char kfield[sizeof(l->err->field)];
        const char *ks;
        size_t klen;
        unsigned i;

        if (k->type != YAML_SCALAR_NODE)
            return FAIL(l, k, field, "a key must be a plain name, not a %s",
                        k->type == YAML_MAPPING_NODE ? "mapping" : "list");
        ks = (const char *)k->data.scalar.value;
        klen = k->data.scalar.length;
        join(kfield, sizeof(kfield), field, ks, klen);
        for (i = 0; i < nkeys; i++)
            if (strlen(keys[i]) == klen && memcmp(keys[i], ks, klen) == 0)
                break;
        if (i == nkeys) {
            char list[256];
            size_t o = 0;

            for (unsigned j = 0; j < nkeys && o < sizeof(list); j++)
                o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", j > 0 ? ", " : "", keys[j]);
            return FAIL(l, k, kfield, "unknown key; expected one of: %s", list);
        }
        if (*seen & (1u << i))
            return FAIL(l, k, kfield, "duplicate key (first at line %u)", first[i]);
        *seen |= 1u << i;
        first[i] = (unsigned)k->start_mark.line + 1;
        if (fn(l, ctx, i, v, kfield) < 0)
            return -1;
    }
    return 0;
}

static int require(struct loader *l, const yaml_node_t *map, const char *field, uint32_t seen,
                   const char *const *keys, uint32_t required)
{
    for (unsigned i = 0; i < 32; i++) {
        if ((required & (1u << i)) && !(seen & (1u << i))) {
            char kfield[sizeof(l->err->field)];

            join(kfield, sizeof(kfield), field, keys[i], strlen(keys[i]));
            return FAIL(l, map, kfield, "required key is missing");
        }
    }
    return 0;
}

/* ---- rules ---- */

enum {
    RK_NAME, RK_ACTION, RK_DIRECTION, RK_TRANSPORT, RK_APP, RK_DOMAIN, RK_DST, RK_SRC,
    RK_DST_PORT, RK_SRC_PORT, RK_PROCESS, RK_USER, RK_COUNT
};

static const char *const rule_keys[RK_COUNT] = {
    "name", "action", "direction", "transport", "app", "domain", "dst", "src",
    "dst_port", "src_port", "process", "user",
};

static uint64_t name_hash(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037u;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static int rule_name(struct loader *l, struct policy_rule *r, const yaml_node_t *v, const char *field)
{
    const char *s;
    size_t len, i;
    char b[64];

    if (scalar(l, v, field, "a rule name", &s, &len) < 0)
        return -1;
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            break;
    }
    if (len > 64 || i < len)
        return FAIL(l, v, field, "a rule name is 1 to 64 letters, digits, '-', '_' or '.'; got '%s'",
                    shown(s, len, b, sizeof(b)));
    if (len == 7 && memcmp(s, "default", 7) == 0)
        return FAIL(l, v, field, "'default' is reserved: policy.log names the default verdict so");
    for (size_t h = name_hash(s, len) & l->names_mask;; h = (h + 1) & l->names_mask) {
        struct name_slot *slot = &l->names[h];

        if (slot->name == NULL) {
            r->name = arena_str(l->p, s, len);
            if (r->name == NULL)
                return oom(l, v);
            slot->name = r->name;
            slot->line = (unsigned)v->start_mark.line + 1;
            return 0;
        }
        if (strlen(slot->name) == len && memcmp(slot->name, s, len) == 0)
            return FAIL(l, v, field, "duplicate rule name '%s' (first at line %u)", slot->name, slot->line);
    }
}

/* The list-valued conditions: parse every item into its binary form. */
static int rule_list(struct loader *l, struct policy_rule *r, unsigned key, const yaml_node_t *v, const char *field)
{
    static const char *const what[RK_COUNT] = {
        [RK_TRANSPORT] = "a transport (tcp, udp or icmp)",
        [RK_APP] = "an application name",
        [RK_DOMAIN] = "a domain name",
        [RK_DST] = "an address or CIDR",
        [RK_SRC] = "an address or CIDR",
        [RK_DST_PORT] = "a port or port range",
        [RK_SRC_PORT] = "a port or port range",
        [RK_PROCESS] = "an executable path or glob",
        [RK_USER] = "a user name or uid",
    };
    static const enum policy_cond cond[RK_COUNT] = {
        [RK_TRANSPORT] = POLICY_COND_TRANSPORT, [RK_APP] = POLICY_COND_APP,
        [RK_DOMAIN] = POLICY_COND_DOMAIN,       [RK_DST] = POLICY_COND_DST,
        [RK_SRC] = POLICY_COND_SRC,             [RK_DST_PORT] = POLICY_COND_DST_PORT,
        [RK_SRC_PORT] = POLICY_COND_SRC_PORT,   [RK_PROCESS] = POLICY_COND_PROCESS,
        [RK_USER] = POLICY_COND_USER,
    };
    static const char *const transports[] = {"tcp", "udp", "icmp"};
    struct policy *p = l->p;
    struct items it;
    void *arr = NULL;

    if (items_of(l, v, field, what[key], &it) < 0)
        return -1;
    switch (key) {
    case RK_DOMAIN:
        arr = r->domains = arena_array(p, it.n, sizeof(*r->domains));
        r->n_domains = (uint32_t)it.n;
        break;
    case RK_DST:
    case RK_SRC:
        arr = arena_array(p, it.n, sizeof(struct policy_cidr));
        *(key == RK_DST ? &r->dst : &r->src) = arr;
        *(key == RK_DST ? &r->n_dst : &r->n_src) = (uint32_t)it.n;
        break;
    case RK_DST_PORT:
    case RK_SRC_PORT:
        arr = arena_array(p, it.n, sizeof(struct policy_ports));
        *(key == RK_DST_PORT ? &r->dst_ports : &r->src_ports) = arr;
        *(key == RK_DST_PORT ? &r->n_dst_ports : &r->n_src_ports) = (uint32_t)it.n;
        break;
    case RK_PROCESS:
        arr = r->procs = arena_array(p, it.n, sizeof(*r->procs));
        r->n_procs = (uint32_t)it.n;
        break;
    case RK_USER:
        arr = r->uids = arena_array(p, it.n, sizeof(*r->uids));
        r->n_uids = (uint32_t)it.n;
        break;
    default:
        arr = r; /* transport and app are bit sets in the rule itself */
        break;
    }
    if (arr == NULL)
        return oom(l, v);
    for (size_t i = 0; i < it.n; i++) {
        char ifield[sizeof(l->err->field)], why[192], b[64];
        const yaml_node_t *n;
        const char *s;
        size_t len;
        int w;

        if (item(l, &it, i, field, what[key], ifield, sizeof(ifield), &n, &s, &len) < 0)
            return -1;
        switch (key) {
        case RK_TRANSPORT:
            if (keyword(l, n, ifield, transports, 3, "tcp, udp or icmp", &w) < 0)
                return -1;
            r->transports |= (uint8_t)(1u << w);
            break;
        case RK_APP: {
            uint64_t set = policy_app_set(s, len);

            if (set == 0)
                return FAIL(l, n, ifield, "unknown application '%s' (see the list in docs/policy.md)",
                            shown(s, len, b, sizeof(b)));
            r->apps |= set;
            break;
        }
        case RK_DOMAIN: {
            char name[256];

            if (policy_value_domain(s, len, name, &r->domains[i], why, sizeof(why)) < 0)
                return FAIL(l, n, ifield, "%s", why);
            r->domains[i].name = arena_str(p, name, r->domains[i].len);
            if (r->domains[i].name == NULL)
                return oom(l, n);
            break;
        }
        case RK_DST:
        case RK_SRC:
            if (policy_value_cidr(s, len, &(key == RK_DST ? r->dst : r->src)[i], why, sizeof(why)) < 0)
                return FAIL(l, n, ifield, "%s", why);
            break;
        case RK_DST_PORT:
        case RK_SRC_PORT:
            if (policy_value_ports(s, len, &(key == RK_DST_PORT ? r->dst_ports : r->src_ports)[i], why,
                                   sizeof(why)) < 0)
                return FAIL(l, n, ifield, "%s", why);
            break;
        case RK_PROCESS:
            if (s[0] != '/')
                return FAIL(l, n, ifield,
                            "expected an absolute executable path or glob, like /usr/bin/curl or "
                            "/usr/lib/jvm/*/bin/java; got '%s'",
                            shown(s, len, b, sizeof(b)));
            r->procs[i].pat = arena_str(p, s, len);
            if (r->procs[i].pat == NULL)
                return oom(l, n);
            r->procs[i].literal = strpbrk(r->procs[i].pat, "*?[\\") == NULL;
            break;
        case RK_USER:
            if (policy_value_user(s, len, &r->uids[i], why, sizeof(why)) < 0)
                return FAIL(l, n, ifield, "%s", why);
            break;
        }
    }
    r->text[cond[key]] = items_text(l, &it);
    return r->text[cond[key]] == NULL ? oom(l, v) : 0;
}

static int rule_key(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field)
{
    struct policy_rule *r = ctx;
    int w;

    switch (key) {
    case RK_NAME:
        return rule_name(l, r, v, field);
    case RK_ACTION:
        if (keyword(l, v, field, action_words, 3, "allow, deny or alert", &w) < 0)
            return -1;
        r->action = (uint8_t)w;
        return 0;
    case RK_DIRECTION:
        if (keyword(l, v, field, direction_words, 3, "outbound, inbound or any", &w) < 0)
            return -1;
        r->direction = (uint8_t)w;
        r->text[POLICY_COND_DIRECTION] = w == POLICY_RULE_DIR_ANY ? NULL : direction_words[w];
        return 0;
    default:
        return rule_list(l, r, key, v, field);
    }
}

static int load_rules(struct loader *l, const yaml_node_t *v, const char *field)
{
    struct policy *p = l->p;
    size_t n, cap = 16;

    if (v->type != YAML_SEQUENCE_NODE)
        return FAIL(l, v, field, "%sexpected a list of rules (write [] for none)",
                    is_null(v) ? "missing value: " : "");
    n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    while (cap < 2 * n)
        cap *= 2;
    p->rules = arena_array(p, n, sizeof(*p->rules));
    l->names = arena_array(p, cap, sizeof(*l->names));
    if (p->rules == NULL || l->names == NULL)
        return oom(l, v);
    l->names_mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *rn = node_at(l, v->data.sequence.items.start[i]);
        struct policy_rule *r = &p->rules[i];
        char rfield[32];
        uint32_t seen;

        snprintf(rfield, sizeof(rfield), "%s[%zu]", field, i);
        r->direction = POLICY_RULE_DIR_ANY;
        r->line = (unsigned)rn->start_mark.line + 1;
        if (map_walk(l, rn, rfield, "a rule: a mapping with name, action and conditions", rule_keys, RK_COUNT,
                     &seen, rule_key, r) < 0 ||
            require(l, rn, rfield, seen, rule_keys, 1u << RK_NAME | 1u << RK_ACTION) < 0)
            return -1;
        p->n_rules = (unsigned)i + 1;
    }
    return 0;
}

/* ---- the other sections ---- */

static const char *const default_keys[] = {"outbound", "inbound"};

static int default_key(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field)
{
    int w;

    if (keyword(l, v, field, action_words, 3, "allow, deny or alert", &w) < 0)
        return -1;
    l->p->settings.default_action[key] = (enum policy_action)w; /* key order is enum policy_dir's */
    return 0;
}

enum { DK_DENY, DK_ANSWER, DK_SINKHOLE };
static const char *const dns_keys[] = {"deny_domains", "answer", "sinkhole"};

static int dns_key(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field)
{
    static const char *const answers[] = {"nxdomain", "nodata", "sinkhole"};
    struct policy_settings *st = &l->p->settings;
    struct items it;
    int w;

    if (key == DK_ANSWER) {
        if (keyword(l, v, field, answers, 3, "nxdomain, nodata or sinkhole", &w) < 0)
            return -1;
        st->dns_answer = (enum policy_dns_answer)w;
        return 0;
    }
    if (items_of(l, v, field, key == DK_DENY ? "a domain name" : "an address", &it) < 0)
        return -1;
    if (key == DK_DENY) {
        l->p->dns_deny = arena_array(l->p, it.n, sizeof(*l->p->dns_deny));
        if (l->p->dns_deny == NULL)
            return oom(l, v);
        st->n_dns_deny = (unsigned)it.n;
    } else {
        l->sinkhole = v;
    }
    for (size_t i = 0; i < it.n; i++) {
        char ifield[sizeof(l->err->field)], why[192], text[256];
        const yaml_node_t *n;
        const char *s;
        size_t len;
        struct addr a;

        if (item(l, &it, i, field, key == DK_DENY ? "a domain name" : "an address", ifield, sizeof(ifield), &n,
                 &s, &len) < 0)
            return -1;
        if (key == DK_DENY) {
            struct policy_domain *d = &l->p->dns_deny[i];

            if (policy_value_domain(s, len, text, d, why, sizeof(why)) < 0)
                return FAIL(l, n, ifield, "%s", why);
            d->name = arena_str(l->p, text, d->len);
            if (d->name == NULL)
                return oom(l, n);
            continue;
        }
        if (len >= sizeof(text) || (memcpy(text, s, len), text[len] = '\0', addr_parse(&a, text) != 0))
            return FAIL(l, n, ifield, "expected an IPv4 or IPv6 address, got '%s'", shown(s, len, why, 64));
        if (addr_is_v4(&a) ? st->has_sinkhole4 : st->has_sinkhole6)
            return FAIL(l, n, ifield, "a second IPv%c address: give at most one IPv4 and one IPv6 address",
                        addr_is_v4(&a) ? '4' : '6');
        if (addr_is_v4(&a)) {
            st->has_sinkhole4 = true;
            st->sinkhole4 = a;
        } else {
            st->has_sinkhole6 = true;
            st->sinkhole6 = a;
        }
    }
    return 0;
}

static const char *const block_keys[] = {"from_attempts", "ttl"};

static int block_key(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field)
{
    static const char *const bools[] = {"false", "true"};
    struct policy_settings *st = &l->p->settings;
    const char *s;
    size_t len;
    char why[128];
    int w;

    if (key == 0) {
        if (keyword(l, v, field, bools, 2, "true or false", &w) < 0)
            return -1;
        st->block_from_attempts = w == 1;
        return 0;
    }
    if (scalar(l, v, field, "a duration, like 30s, 10m, 1h or 1d", &s, &len) < 0)
        return -1;
    if (policy_value_duration(s, len, &st->block_ttl_s, why, sizeof(why)) < 0)
        return FAIL(l, v, field, "%s", why);
    return 0;
}

static const char *const ident_keys[] = {"hold_bytes", "hold_packets", "hold_ms"};

static int ident_key(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field)
{
    static const uint32_t max[] = {1048576, 1000, 60000};
    struct policy_settings *st = &l->p->settings;
    uint32_t *out[] = {&st->hold_bytes, &st->hold_packets, &st->hold_ms};
    const char *s;
    size_t len;
    char what[48];

    snprintf(what, sizeof(what), "a number from 1 to %u", (unsigned)max[key]);
    if (scalar(l, v, field, what, &s, &len) < 0)
        return -1;
    if (policy_value_uint(s, len, max[key], out[key]) < 0 || *out[key] == 0) {
        char b[64];
        return FAIL(l, v, field, "expected %s, got '%s'", what, shown(s, len, b, sizeof(b)));
    }
    return 0;
}

enum { TK_DEFAULT, TK_RULES, TK_DNS, TK_BLOCK, TK_FAILURE, TK_IDENT };
static const char *const top_keys[] = {"default",       "rules",      "dns_firewall",
                                       "dynamic_block", "on_failure", "identification"};

static int top_key(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field)
{
    static const char *const failures[] = {"fail-open", "fail-closed"};
    uint32_t seen;
    int w;

    switch (key) {
    case TK_DEFAULT:
        return map_walk(l, v, field, "a mapping with keys outbound and inbound", default_keys, 2, &seen,
                        default_key, NULL) < 0 ||
                       require(l, v, field, seen, default_keys, 0x3) < 0
                   ? -1
                   : 0;
    case TK_RULES:
        return load_rules(l, v, field);
    case TK_DNS: {
        const struct policy_settings *st = &l->p->settings;

        if (map_walk(l, v, field, "a mapping with keys deny_domains, answer and sinkhole", dns_keys, 3, &seen,
                     dns_key, NULL) < 0 ||
            require(l, v, field, seen, dns_keys, 1u << DK_DENY) < 0)
            return -1;
        if (st->dns_answer == POLICY_DNS_SINKHOLE && l->sinkhole == NULL)
            return FAIL(l, v, "dns_firewall.sinkhole", "required when answer is sinkhole");
        if (st->dns_answer != POLICY_DNS_SINKHOLE && l->sinkhole != NULL)
            return FAIL(l, l->sinkhole, "dns_firewall.sinkhole", "only used with answer: sinkhole");
        return 0;
    }
    case TK_BLOCK:
        return map_walk(l, v, field, "a mapping with keys from_attempts and ttl", block_keys, 2, &seen, block_key,
                        NULL);
    case TK_FAILURE:
        if (keyword(l, v, field, failures, 2, "fail-open or fail-closed", &w) < 0)
            return -1;
        l->p->settings.on_failure = (enum policy_on_failure)w;
        return 0;
    default:
        return map_walk(l, v, field, "a mapping with keys hold_bytes, hold_packets and hold_ms", ident_keys, 3,
                        &seen, ident_key, NULL);
    }
}

/* ---- the file ---- */

static void position(struct policy_error *err, const unsigned char *buf, size_t len, size_t offset)
{
    err->line = 1;
    err->col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (buf[i] == '\n') {
            err->line++;
            err->col = 1;
        } else {
            err->col++;
        }
    }
}

static int syntax_error(const yaml_parser_t *ps, const unsigned char *buf, size_t len, struct policy_error *err)
{
    const char *problem = ps->problem != NULL ? ps->problem : "syntax error";

    if (ps->error == YAML_MEMORY_ERROR) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
    } else if (ps->error == YAML_READER_ERROR) {
        position(err, buf, len, ps->problem_offset);
        snprintf(err->msg, sizeof(err->msg), "YAML: %s", problem);
    } else {
        err->line = (unsigned)ps->problem_mark.line + 1;
        err->col = (unsigned)ps->problem_mark.column + 1;
        if (ps->context != NULL)
            snprintf(err->msg, sizeof(err->msg), "YAML: %s (%s at line %u)", problem, ps->context,
                     (unsigned)ps->context_mark.line + 1);
        else
            snprintf(err->msg, sizeof(err->msg), "YAML: %s", problem);
    }
    return -1;
}

/* One pass over the events before building the tree: aliases would let a small file name one
 * node many times over (and a rule walk would then expand it each time), so they are refused
 * where they are written; a second document is refused rather than ignored. */
static int prescan(const unsigned char *buf, size_t len, struct policy_error *err)
{
    yaml_parser_t ps;
    yaml_event_t ev;
    int docs = 0, rc = 0;

    if (!yaml_parser_initialize(&ps)) {
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&ps, buf, len);
    for (;;) {
        bool end;

        if (!yaml_parser_parse(&ps, &ev)) {
            rc = syntax_error(&ps, buf, len, err);
            break;
        }
        end = ev.type == YAML_STREAM_END_EVENT;
        if (ev.type == YAML_ALIAS_EVENT || (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1)) {
            err->line = (unsigned)ev.start_mark.line + 1;
            err->col = (unsigned)ev.start_mark.column + 1;
            snprintf(err->msg, sizeof(err->msg), "%s",
                     ev.type == YAML_ALIAS_EVENT ? "YAML aliases are not supported: write the value out"
                                                 : "a second YAML document: a policy file holds one");
            rc = -1;
        }
        yaml_event_delete(&ev);
        if (rc < 0 || end)
            break;
    }
    yaml_parser_delete(&ps);
    return rc;
}

static void settings_init(struct policy_settings *st)
{
    memset(st, 0, sizeof(*st));
    st->default_action[POLICY_DIR_OUTBOUND] = POLICY_DENY;
    st->default_action[POLICY_DIR_INBOUND] = POLICY_ALLOW;
    st->dns_answer = POLICY_DNS_NXDOMAIN;
    st->block_ttl_s = POLICY_DEFAULT_BLOCK_TTL_S;
    st->on_failure = POLICY_FAIL_OPEN;
    st->hold_bytes = POLICY_DEFAULT_HOLD_BYTES;
    st->hold_packets = POLICY_DEFAULT_HOLD_PACKETS;
    st->hold_ms = POLICY_DEFAULT_HOLD_MS;
}

struct policy *policy_load_buffer(const char *name, const void *buf, size_t len, struct policy_error *err)
{
    yaml_parser_t ps;
    yaml_document_t doc;
    const yaml_node_t *root;
    struct policy *p;
    struct loader l;
    uint32_t seen;
    int rc;

    memset(err, 0, sizeof(*err));
    err->file = name;
    if (len > LOAD_MAX_BYTES) {
        snprintf(err->msg, sizeof(err->msg), "larger than %u MiB: not a policy file", LOAD_MAX_BYTES >> 20);
        return NULL;
    }
    if (prescan(buf, len, err) < 0)
        return NULL;
    p = calloc(1, sizeof(*p));
    if (p == NULL || !yaml_parser_initialize(&ps)) {
        free(p);
        snprintf(err->msg, sizeof(err->msg), "out of memory");
        return NULL;
    }
    settings_init(&p->settings);
    yaml_parser_set_input_string(&ps, buf, len);
    if (!yaml_parser_load(&ps, &doc)) {
        syntax_error(&ps, buf, len, err);
        yaml_parser_delete(&ps);
        policy_free(p);
        return NULL;
    }
    memset(&l, 0, sizeof(l));
    l.doc = &doc;
    l.p = p;
    l.err = err;
    root = yaml_document_get_root_node(&doc);
    if (root == NULL || is_null(root)) {
        err->line = 1;
        err->col = 1;
        snprintf(err->msg, sizeof(err->msg), "the file is empty: a policy needs at least 'default'");
        rc = -1;
    } else {
        rc = map_walk(&l, root, "", "a mapping with keys default, rules, ... at the top level", top_keys, 6, &seen,
                      top_key, NULL);
        if (rc == 0)
            rc = require(&l, root, "", seen, top_keys, 1u << TK_DEFAULT);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&ps);
    if (rc < 0) {
        policy_free(p);
        return NULL;
    }
    return p;
}

struct policy *policy_load_file(const char *path, struct policy_error *err)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    size_t len;
    struct policy *p;

    memset(err, 0, sizeof(*err));
    err->file = path;
    buf = malloc(LOAD_MAX_BYTES + 1);
    if (f == NULL || buf == NULL) {
        snprintf(err->msg, sizeof(err->msg), "cannot open: %s", f == NULL ? strerror(errno) : "out of memory");
        if (f != NULL)
            fclose(f);
        free(buf);
        return NULL;
    }
    len = fread(buf, 1, LOAD_MAX_BYTES + 1, f);
    if (ferror(f)) {
        snprintf(err->msg, sizeof(err->msg), "cannot read: %s", strerror(errno));
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    p = policy_load_buffer(path, buf, len, err);
    free(buf);
    return p;
}

void policy_free(struct policy *p)
{
    if (p == NULL)
        return;
    while (p->arena != NULL) {
        struct policy_arena *a = p->arena;

        p->arena = a->next;
        free(a);
    }
    free(p);
}
