/* policy/policy_yaml_int.h - the loader's YAML layer: arena, checked shapes, errors (policy/ only). */
#ifndef PW_POLICY_POLICY_YAML_INT_H
#define PW_POLICY_POLICY_YAML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "policy/policy.h"
#include "policy/policy_int.h"

/* A policy is a few kilobytes; the cap keeps a wrong path (a log, a core file) from eating memory. */
#define POLICY_LOAD_MAX_BYTES (4u << 20)

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

/* One load in progress. */
struct loader {
    yaml_document_t     *doc;
    struct policy       *p;
    struct policy_error *err;
    struct name_slot    *names; /* rule names seen so far: open addressing, power-of-two size */
    size_t               names_mask;
    const yaml_node_t   *sinkhole; /* dns_firewall.sinkhole, checked against answer at the end */
};

/* Called by policy_yaml_map for each key: its index in keys[], its value, its field path. */
typedef int (*key_fn)(struct loader *l, void *ctx, unsigned key, const yaml_node_t *v, const char *field);

/* A value that may be written as one item or as a list of them. */
struct items {
    const yaml_node_t *self;
    size_t             n;
    bool               seq;
};

/* Zeroed memory owned by p (freed by policy_free), or NULL. */
void *policy_yaml_alloc(struct policy *p, size_t n);
void *policy_yaml_array(struct policy *p, size_t count, size_t size);
char *policy_yaml_str(struct policy *p, const char *s, size_t len);

/* Fills l->err at mark m and returns -1. */
__attribute__((format(printf, 4, 5))) int policy_yaml_fail(struct loader *l, yaml_mark_t m, const char *field,
                                                           const char *fmt, ...);
#define FAIL(l, node, field, ...) policy_yaml_fail((l), (node)->start_mark, (field), __VA_ARGS__)
int policy_yaml_oom(struct loader *l, const yaml_node_t *n);
/* Up to 40 characters of user text, unprintable ones as '?', in buf. */
const char *policy_yaml_shown(const char *s, size_t len, char *buf, size_t size);

const yaml_node_t *policy_yaml_node(struct loader *l, int i);
bool policy_yaml_is_null(const yaml_node_t *n);
int policy_yaml_scalar(struct loader *l, const yaml_node_t *n, const char *field, const char *what, const char **s,
                       size_t *len);
int policy_yaml_keyword(struct loader *l, const yaml_node_t *n, const char *field, const char *const *words,
                        size_t nwords, const char *what, int *out);
int policy_yaml_items(struct loader *l, const yaml_node_t *n, const char *field, const char *what,
                      struct items *it);
int policy_yaml_item(struct loader *l, const struct items *it, size_t i, const char *field, const char *what,
                     char *ifield, size_t isize, const yaml_node_t **n, const char **s, size_t *len);
const char *policy_yaml_items_text(struct loader *l, const struct items *it);
void policy_yaml_join(char *out, size_t size, const char *parent, const char *key, size_t klen);
int policy_yaml_map(struct loader *l, const yaml_node_t *map, const char *field, const char *what,
                    const char *const *keys, unsigned nkeys, uint32_t *seen, key_fn fn, void *ctx);
int policy_yaml_require(struct loader *l, const yaml_node_t *map, const char *field, uint32_t seen,
                        const char *const *keys, uint32_t required);

/* The whole input's events: syntax errors, aliases and a second document are refused here. */
int policy_yaml_prescan(const unsigned char *buf, size_t len, struct policy_error *err);
int policy_yaml_syntax_error(const yaml_parser_t *ps, const unsigned char *buf, size_t len, struct policy_error *err);

#endif
