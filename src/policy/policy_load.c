/* policy/policy_load.c - reads a policy file (YAML, via libyaml) and compiles it; every key is checked. */
#include "policy/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"
#include "policy/policy_yaml_int.h"

static const char *const action_words[] = {"allow", "deny", "alert"};
static const char *const direction_words[] = {"outbound", "inbound", "any"};

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

    if (policy_yaml_scalar(l, v, field, "a rule name", &s, &len) < 0)
        return -1;
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            break;
    }
    if (len > 64 || i < len)
        return FAIL(l, v, field, "a rule name is 1 to 64 letters, digits, '-', '_' or '.'; got '%s'",
                    policy_yaml_shown(s, len, b, sizeof(b)));
    if (len == 7 && memcmp(s, "default", 7) == 0)
        return FAIL(l, v, field, "'default' is reserved: policy.log names the default verdict so");
    for (size_t h = name_hash(s, len) & l->names_mask;; h = (h + 1) & l->names_mask) {
        struct name_slot *slot = &l->names[h];

        if (slot->name == NULL) {
            r->name = policy_yaml_str(l->p, s, len);
            if (r->name == NULL)
                return policy_yaml_oom(l, v);
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

    if (policy_yaml_items(l, v, field, what[key], &it) < 0)
        return -1;
    switch (key) {
    case RK_DOMAIN:
        arr = r->domains = policy_yaml_array(p, it.n, sizeof(*r->domains));
        r->n_domains = (uint32_t)it.n;
        break;
    case RK_DST:
    case RK_SRC:
        arr = policy_yaml_array(p, it.n, sizeof(struct policy_cidr));
        *(key == RK_DST ? &r->dst : &r->src) = arr;
        *(key == RK_DST ? &r->n_dst : &r->n_src) = (uint32_t)it.n;
        break;
    case RK_DST_PORT:
    case RK_SRC_PORT:
        arr = policy_yaml_array(p, it.n, sizeof(struct policy_ports));
        *(key == RK_DST_PORT ? &r->dst_ports : &r->src_ports) = arr;
        *(key == RK_DST_PORT ? &r->n_dst_ports : &r->n_src_ports) = (uint32_t)it.n;
        break;
    case RK_PROCESS:
        arr = r->procs = policy_yaml_array(p, it.n, sizeof(*r->procs));
        r->n_procs = (uint32_t)it.n;
        break;
    case RK_USER:
        arr = r->uids = policy_yaml_array(p, it.n, sizeof(*r->uids));
        r->n_uids = (uint32_t)it.n;
        break;
    default:
        arr = r; /* transport and app are bit sets in the rule itself */
        break;
    }
    if (arr == NULL)
        return policy_yaml_oom(l, v);
    for (size_t i = 0; i < it.n; i++) {
        char ifield[sizeof(l->err->field)], why[192], b[64];
        const yaml_node_t *n;
        const char *s;
        size_t len;
        int w;

        if (policy_yaml_item(l, &it, i, field, what[key], ifield, sizeof(ifield), &n, &s, &len) < 0)
            return -1;
        switch (key) {
        case RK_TRANSPORT:
            if (policy_yaml_keyword(l, n, ifield, transports, 3, "tcp, udp or icmp", &w) < 0)
                return -1;
            r->transports |= (uint8_t)(1u << w);
            break;
        case RK_APP: {
            uint64_t set = policy_app_set(s, len);

            if (set == 0)
                return FAIL(l, n, ifield, "unknown application '%s' (see the list in docs/policy.md)",
                            policy_yaml_shown(s, len, b, sizeof(b)));
            r->apps |= set;
            break;
        }
        case RK_DOMAIN: {
            char name[256];

            if (policy_value_domain(s, len, name, &r->domains[i], why, sizeof(why)) < 0)
                return FAIL(l, n, ifield, "%s", why);
            r->domains[i].name = policy_yaml_str(p, name, r->domains[i].len);
            if (r->domains[i].name == NULL)
                return policy_yaml_oom(l, n);
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
                            policy_yaml_shown(s, len, b, sizeof(b)));
            r->procs[i].pat = policy_yaml_str(p, s, len);
            if (r->procs[i].pat == NULL)
                return policy_yaml_oom(l, n);
            r->procs[i].literal = strpbrk(r->procs[i].pat, "*?[\\") == NULL;
            break;
        case RK_USER:
            if (policy_value_user(s, len, &r->uids[i], why, sizeof(why)) < 0)
                return FAIL(l, n, ifield, "%s", why);
            break;
        }
    }
    r->text[cond[key]] = policy_yaml_items_text(l, &it);
    return r->text[cond[key]] == NULL ? policy_yaml_oom(l, v) : 0;
}

static int rule_key(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field)
{
    struct policy_rule *r = ctx;
    int w;

    switch (key) {
    case RK_NAME:
        return rule_name(l, r, v, field);
    case RK_ACTION:
        if (policy_yaml_keyword(l, v, field, action_words, 3, "allow, deny or alert", &w) < 0)
            return -1;
        r->action = (uint8_t)w;
        return 0;
    case RK_DIRECTION:
        if (policy_yaml_keyword(l, v, field, direction_words, 3, "outbound, inbound or any", &w) < 0)
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
                    policy_yaml_is_null(v) ? "missing value: " : "");
    n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    while (cap < 2 * n)
        cap *= 2;
    p->rules = policy_yaml_array(p, n, sizeof(*p->rules));
    l->names = policy_yaml_array(p, cap, sizeof(*l->names));
    if (p->rules == NULL || l->names == NULL)
        return policy_yaml_oom(l, v);
    l->names_mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        const yaml_node_t *rn = policy_yaml_node(l, v->data.sequence.items.start[i]);
        struct policy_rule *r = &p->rules[i];
        char rfield[32];
        uint32_t seen;

        snprintf(rfield, sizeof(rfield), "%s[%zu]", field, i);
        r->direction = POLICY_RULE_DIR_ANY;
        r->line = (unsigned)rn->start_mark.line + 1;
        if (policy_yaml_map(l, rn, rfield, "a rule: a mapping with name, action and conditions", rule_keys, RK_COUNT,
                     &seen, rule_key, r) < 0 ||
            policy_yaml_require(l, rn, rfield, seen, rule_keys, 1u << RK_NAME | 1u << RK_ACTION) < 0)
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

    if (policy_yaml_keyword(l, v, field, action_words, 3, "allow, deny or alert", &w) < 0)
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
        if (policy_yaml_keyword(l, v, field, answers, 3, "nxdomain, nodata or sinkhole", &w) < 0)
            return -1;
        st->dns_answer = (enum policy_dns_answer)w;
        return 0;
    }
    if (policy_yaml_items(l, v, field, key == DK_DENY ? "a domain name" : "an address", &it) < 0)
        return -1;
    if (key == DK_DENY) {
        l->p->dns_deny = policy_yaml_array(l->p, it.n, sizeof(*l->p->dns_deny));
        if (l->p->dns_deny == NULL)
            return policy_yaml_oom(l, v);
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

        if (policy_yaml_item(l, &it, i, field, key == DK_DENY ? "a domain name" : "an address", ifield, sizeof(ifield), &n,
                 &s, &len) < 0)
            return -1;
        if (key == DK_DENY) {
            struct policy_domain *d = &l->p->dns_deny[i];

            if (policy_value_domain(s, len, text, d, why, sizeof(why)) < 0)
                return FAIL(l, n, ifield, "%s", why);
            d->name = policy_yaml_str(l->p, text, d->len);
            if (d->name == NULL)
                return policy_yaml_oom(l, n);
            continue;
        }
        if (len >= sizeof(text) || (memcpy(text, s, len), text[len] = '\0', addr_parse(&a, text) != 0))
            return FAIL(l, n, ifield, "expected an IPv4 or IPv6 address, got '%s'", policy_yaml_shown(s, len, why, 64));
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
        if (policy_yaml_keyword(l, v, field, bools, 2, "true or false", &w) < 0)
            return -1;
        st->block_from_attempts = w == 1;
        return 0;
    }
    if (policy_yaml_scalar(l, v, field, "a duration, like 30s, 10m, 1h or 1d", &s, &len) < 0)
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
    if (policy_yaml_scalar(l, v, field, what, &s, &len) < 0)
        return -1;
    if (policy_value_uint(s, len, max[key], out[key]) < 0 || *out[key] == 0) {
        char b[64];
        return FAIL(l, v, field, "expected %s, got '%s'", what, policy_yaml_shown(s, len, b, sizeof(b)));
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
        return policy_yaml_map(l, v, field, "a mapping with keys outbound and inbound", default_keys, 2, &seen,
                        default_key, NULL) < 0 ||
                       policy_yaml_require(l, v, field, seen, default_keys, 0x3) < 0
                   ? -1
                   : 0;
    case TK_RULES:
        return load_rules(l, v, field);
    case TK_DNS: {
        const struct policy_settings *st = &l->p->settings;

        if (policy_yaml_map(l, v, field, "a mapping with keys deny_domains, answer and sinkhole", dns_keys, 3, &seen,
                     dns_key, NULL) < 0 ||
            policy_yaml_require(l, v, field, seen, dns_keys, 1u << DK_DENY) < 0)
            return -1;
        if (st->dns_answer == POLICY_DNS_SINKHOLE && l->sinkhole == NULL)
            return FAIL(l, v, "dns_firewall.sinkhole", "required when answer is sinkhole");
        if (st->dns_answer != POLICY_DNS_SINKHOLE && l->sinkhole != NULL)
            return FAIL(l, l->sinkhole, "dns_firewall.sinkhole", "only used with answer: sinkhole");
        return 0;
    }
    case TK_BLOCK:
        return policy_yaml_map(l, v, field, "a mapping with keys from_attempts and ttl", block_keys, 2, &seen, block_key,
                        NULL);
    case TK_FAILURE:
        if (policy_yaml_keyword(l, v, field, failures, 2, "fail-open or fail-closed", &w) < 0)
            return -1;
        l->p->settings.on_failure = (enum policy_on_failure)w;
        return 0;
    default:
        return policy_yaml_map(l, v, field, "a mapping with keys hold_bytes, hold_packets and hold_ms", ident_keys, 3,
                        &seen, ident_key, NULL);
    }
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
    if (len > POLICY_LOAD_MAX_BYTES) {
        snprintf(err->msg, sizeof(err->msg), "larger than %u MiB: not a policy file", POLICY_LOAD_MAX_BYTES >> 20);
        return NULL;
    }
    if (policy_yaml_prescan(buf, len, err) < 0)
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
        policy_yaml_syntax_error(&ps, buf, len, err);
        yaml_parser_delete(&ps);
        policy_free(p);
        return NULL;
    }
    memset(&l, 0, sizeof(l));
    l.doc = &doc;
    l.p = p;
    l.err = err;
    root = yaml_document_get_root_node(&doc);
    if (root == NULL || policy_yaml_is_null(root)) {
        err->line = 1;
        err->col = 1;
        snprintf(err->msg, sizeof(err->msg), "the file is empty: a policy needs at least 'default'");
        rc = -1;
    } else {
        rc = policy_yaml_map(&l, root, "", "a mapping with keys default, rules, ... at the top level", top_keys, 6, &seen,
                      top_key, NULL);
        if (rc == 0)
            rc = policy_yaml_require(&l, root, "", seen, top_keys, 1u << TK_DEFAULT);
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
    buf = malloc(POLICY_LOAD_MAX_BYTES + 1);
    if (f == NULL || buf == NULL) {
        snprintf(err->msg, sizeof(err->msg), "cannot open: %s", f == NULL ? strerror(errno) : "out of memory");
        if (f != NULL)
            fclose(f);
        free(buf);
        return NULL;
    }
    len = fread(buf, 1, POLICY_LOAD_MAX_BYTES + 1, f);
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

void policy_error_text(const struct policy_error *e, char *buf, size_t size)
{
    if (e->line == 0)
        snprintf(buf, size, "%s: %s", e->file, e->msg);
    else if (e->field[0] != '\0')
        snprintf(buf, size, "%s:%u:%u: field '%s': %s", e->file, e->line, e->col, e->field, e->msg);
    else
        snprintf(buf, size, "%s:%u:%u: %s", e->file, e->line, e->col, e->msg);
}

struct policy *policy_load_file_msg(const char *path, char *msg, size_t size)
{
    struct policy_error pe;
    struct policy *p = policy_load_file(path, &pe);

    if (p == NULL)
        policy_error_text(&pe, msg, size);
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
