/* policy/policy_yaml.c - the YAML shapes a policy may take, checked, with errors at libyaml's marks. */
#include "policy/policy_yaml_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384

/* ---- memory ---- */

void *policy_yaml_alloc(struct policy *p, size_t n)
{
    const size_t al = sizeof(max_align_t);
    struct policy_arena *a = p->arena;
    unsigned char *r;

    if (n > POLICY_LOAD_MAX_BYTES * 64)
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

void *policy_yaml_array(struct policy *p, size_t count, size_t size)
{
    if (count != 0 && size > SIZE_MAX / count)
        return NULL;
    return policy_yaml_alloc(p, count * size);
}

char *policy_yaml_str(struct policy *p, const char *s, size_t len)
{
    char *d = policy_yaml_alloc(p, len + 1);

    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/* ---- errors ---- */

/* Up to 40 characters of user text, with anything unprintable shown as '?'. */
const char *policy_yaml_shown(const char *s, size_t len, char *buf, size_t size)
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

int policy_yaml_fail(struct loader *l, yaml_mark_t m, const char *field, const char *fmt, ...)
{
    struct policy_error *e = l->err;
    va_list ap;

    e->line = (unsigned)m.line + 1;
    e->col = (unsigned)m.column + 1;
    snprintf(e->field, sizeof(e->field), "%s", field);
    va_start(ap, fmt);
    /* A false positive of clang-tidy 14 when one run analyses the file's several compile entries;
     * va_start is the line above. NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return -1;
}

int policy_yaml_oom(struct loader *l, const yaml_node_t *n)
{
    return FAIL(l, n, "", "out of memory");
}

/* ---- YAML shapes ---- */

const yaml_node_t *policy_yaml_node(struct loader *l, int i)
{
    return yaml_document_get_node(l->doc, i);
}

bool policy_yaml_is_null(const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;

    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    return len == 0 || (len == 1 && v[0] == '~') ||
           (len == 4 && (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 || memcmp(v, "NULL", 4) == 0));
}

int policy_yaml_scalar(struct loader *l, const yaml_node_t *n, const char *field, const char *what, const char **s,
                  size_t *len)
{
    if (n->type == YAML_MAPPING_NODE)
        return FAIL(l, n, field, "expected %s, got a mapping", what);
    if (n->type == YAML_SEQUENCE_NODE)
        return FAIL(l, n, field, "expected %s, got a list", what);
    if (policy_yaml_is_null(n))
        return FAIL(l, n, field, "missing value: expected %s", what);
    *s = (const char *)n->data.scalar.value;
    *len = n->data.scalar.length;
    /* Names and values end up in policy.log, where a tab or a newline would break the line. */
    for (size_t i = 0; i < *len; i++)
        if ((unsigned char)(*s)[i] < 0x20 || (*s)[i] == 0x7f)
            return FAIL(l, n, field, "control character in value");
    return 0;
}

int policy_yaml_keyword(struct loader *l, const yaml_node_t *n, const char *field, const char *const *words,
                   size_t nwords, const char *what, int *out)
{
    const char *s;
    size_t len;
    char b[64];

    if (policy_yaml_scalar(l, n, field, what, &s, &len) < 0)
        return -1;
    for (size_t i = 0; i < nwords; i++) {
        if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return FAIL(l, n, field, "expected %s, got '%s'", what, policy_yaml_shown(s, len, b, sizeof(b)));
}


int policy_yaml_items(struct loader *l, const yaml_node_t *n, const char *field, const char *what, struct items *it)
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
    if (policy_yaml_is_null(n))
        return FAIL(l, n, field, "missing value: expected %s or a list of them", what);
    return 0;
}

/* Item i as a checked scalar; ifield gets its name ("rules[0].app[2]"). */
int policy_yaml_item(struct loader *l, const struct items *it, size_t i, const char *field, const char *what,
                char *ifield, size_t isize, const yaml_node_t **n, const char **s, size_t *len)
{
    if (it->seq) {
        snprintf(ifield, isize, "%s[%zu]", field, i);
        *n = policy_yaml_node(l, it->self->data.sequence.items.start[i]);
    } else {
        snprintf(ifield, isize, "%s", field);
        *n = it->self;
    }
    return policy_yaml_scalar(l, *n, ifield, what, s, len);
}

/* The items as written, joined by ", ", for explain; called once every item is a scalar. */
const char *policy_yaml_items_text(struct loader *l, const struct items *it)
{
    size_t total = 1, o = 0;
    char *t;

    for (size_t i = 0; i < it->n; i++) {
        const yaml_node_t *n = it->seq ? policy_yaml_node(l, it->self->data.sequence.items.start[i]) : it->self;
        total += n->data.scalar.length + 2;
    }
    t = policy_yaml_alloc(l->p, total);
    if (t == NULL)
        return NULL;
    for (size_t i = 0; i < it->n; i++) {
        const yaml_node_t *n = it->seq ? policy_yaml_node(l, it->self->data.sequence.items.start[i]) : it->self;

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
void policy_yaml_join(char *out, size_t size, const char *parent, const char *key, size_t klen)
{
    char b[64];

    snprintf(out, size, "%s%s%s", parent, parent[0] != '\0' ? "." : "", policy_yaml_shown(key, klen, b, sizeof(b)));
}

/* Walks a mapping in file order: each key must be one of keys[] and appear once; fn gets the
 * index of the key and its value. *seen gets a bit per key present. */
int policy_yaml_map(struct loader *l, const yaml_node_t *map, const char *field, const char *what,
                    const char *const *keys, unsigned nkeys, uint32_t *seen, key_fn fn, void *ctx)
{
    unsigned first[32];

    *seen = 0;
    if (map->type != YAML_MAPPING_NODE)
        return FAIL(l, map, field, "%sexpected %s", policy_yaml_is_null(map) ? "missing value: " : "", what);
    for (const yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
        const yaml_node_t *k = policy_yaml_node(l, pr->key), *v = policy_yaml_node(l, pr->value);
        char kfield[sizeof(l->err->field)];
        const char *ks;
        size_t klen;
        unsigned i;

        if (k->type != YAML_SCALAR_NODE)
            return FAIL(l, k, field, "a key must be a plain name, not a %s",
                        k->type == YAML_MAPPING_NODE ? "mapping" : "list");
        ks = (const char *)k->data.scalar.value;
        klen = k->data.scalar.length;
        policy_yaml_join(kfield, sizeof(kfield), field, ks, klen);
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

int policy_yaml_require(struct loader *l, const yaml_node_t *map, const char *field, uint32_t seen,
                   const char *const *keys, uint32_t required)
{
    for (unsigned i = 0; i < 32; i++) {
        if ((required & (1u << i)) && !(seen & (1u << i))) {
            char kfield[sizeof(l->err->field)];

            policy_yaml_join(kfield, sizeof(kfield), field, keys[i], strlen(keys[i]));
            return FAIL(l, map, kfield, "required key is missing");
        }
    }
    return 0;
}

/* ---- the whole input ---- */

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

int policy_yaml_syntax_error(const yaml_parser_t *ps, const unsigned char *buf, size_t len, struct policy_error *err)
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
int policy_yaml_prescan(const unsigned char *buf, size_t len, struct policy_error *err)
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
            rc = policy_yaml_syntax_error(&ps, buf, len, err);
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
