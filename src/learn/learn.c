/* learn/learn.c - reads Zeek logs into the baseline: names and processes by uid, then conn.log's
 * outbound flows as tuples with counts and first/last seen. */
#include "learn/learn.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "learn/learn_group.h"
#include "learn/learn_int.h"
#include "learn/learn_log.h"
#include "util/site.h"

#define LEARN_MAX_UIDS   (1u << 24)  /* uids with a name or a process kept; beyond, counted */
#define LEARN_UID_NAMES  4           /* names kept per uid (HTTP may carry several hosts) */

/* ---- a hash map from byte strings to dense indexes (the caller keeps values alongside) ---- */

struct lmap_key {
    uint64_t hash;
    size_t   off;
    uint32_t len;
};

struct lmap {
    uint32_t        *slots;  /* index + 1; 0 empty */
    size_t           cap;    /* power of two */
    struct lmap_key *keys;
    size_t           n, keys_cap;
    char            *arena;
    size_t           arena_len, arena_cap;
};

static uint64_t fnv(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < len; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h ^ (h >> 29);
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap == 0 ? 64 : *cap;
    void *q;

    if (need <= *cap)
        return true;
    while (c < need)
        c *= 2;
    q = realloc(*p, c * elem);
    if (q == NULL)
        return false;
    *p = q;
    *cap = c;
    return true;
}

static bool lmap_rehash(struct lmap *m)
{
    size_t cap = m->cap == 0 ? 1024 : m->cap * 2;
    uint32_t *s = calloc(cap, sizeof(*s));

    if (s == NULL)
        return false;
    for (size_t i = 0; i < m->n; i++) {
        size_t j = m->keys[i].hash & (cap - 1);

        while (s[j] != 0)
            j = (j + 1) & (cap - 1);
        s[j] = (uint32_t)i + 1;
    }
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    return true;
}

/* Index of key; when absent and add, a new index (*added set). -1: absent, or out of memory. */
static long lmap_get(struct lmap *m, const void *key, size_t len, bool add, bool *added)
{
    uint64_t h = fnv(key, len);
    size_t j;

    if (added != NULL)
        *added = false;
    if (m->cap != 0) {
        for (j = h & (m->cap - 1); m->slots[j] != 0; j = (j + 1) & (m->cap - 1)) {
            const struct lmap_key *k = &m->keys[m->slots[j] - 1];

            if (k->hash == h && k->len == len && memcmp(m->arena + k->off, key, len) == 0)
                return (long)m->slots[j] - 1;
        }
    }
    if (!add || m->n >= UINT32_MAX - 1)
        return -1;
    if ((m->n + 1) * 2 > m->cap && !lmap_rehash(m))
        return -1;
    if (!grow((void **)&m->keys, &m->keys_cap, m->n + 1, sizeof(*m->keys)) ||
        !grow((void **)&m->arena, &m->arena_cap, m->arena_len + len + 1, 1))
        return -1;
    memcpy(m->arena + m->arena_len, key, len);
    m->arena[m->arena_len + len] = '\0';
    m->keys[m->n] = (struct lmap_key){h, m->arena_len, (uint32_t)len};
    m->arena_len += len + 1;
    for (j = h & (m->cap - 1); m->slots[j] != 0; j = (j + 1) & (m->cap - 1))
        ;
    m->slots[j] = (uint32_t)m->n + 1;
    if (added != NULL)
        *added = true;
    return (long)m->n++;
}

static void lmap_fini(struct lmap *m)
{
    free(m->slots);
    free(m->keys);
    free(m->arena);
}

/* ---- the baseline ---- */

struct uid_info {
    uint32_t names[LEARN_UID_NAMES];
    uint8_t  n_names;
    uint32_t process, user;
};

struct dns_info {
    uint32_t names[LEARN_DNS_NAMES];
    uint8_t  n;
};

struct learn {
    struct lmap         strs;     /* interned strings: id = index + 1 */
    struct lmap         uids;
    struct uid_info    *uid_info;
    size_t              uid_cap;
    struct lmap         dns;      /* 16-byte addresses */
    struct dns_info    *dns_info;
    size_t              dns_cap;
    struct lmap         tuples;   /* struct learn_key */
    struct learn_entry *entries;
    size_t              entries_cap;
    struct learn_stats  stats;
};

struct learn *learn_create(void)
{
    return calloc(1, sizeof(struct learn));
}

void learn_free(struct learn *l)
{
    if (l == NULL)
        return;
    lmap_fini(&l->strs);
    lmap_fini(&l->uids);
    lmap_fini(&l->dns);
    lmap_fini(&l->tuples);
    free(l->uid_info);
    free(l->dns_info);
    free(l->entries);
    free(l);
}

const struct learn_stats *learn_get_stats(const struct learn *l)
{
    return &l->stats;
}

const struct learn_entry *learn_entries(const struct learn *l, size_t *n)
{
    *n = l->tuples.n;
    return l->entries;
}

const char *learn_str(const struct learn *l, uint32_t id)
{
    if (id == 0 || id > l->strs.n)
        return "";
    return l->strs.arena + l->strs.keys[id - 1].off;
}

/* 0 for "", else the string's id; UINT32_MAX when out of memory. */
static uint32_t intern(struct learn *l, const char *s, size_t len)
{
    long i;

    if (len == 0)
        return 0;
    i = lmap_get(&l->strs, s, len, true, NULL);
    return i < 0 ? UINT32_MAX : (uint32_t)i + 1;
}

unsigned learn_dns_names(const struct learn *l, const struct addr *a, uint32_t *ids, unsigned max)
{
    long i = lmap_get((struct lmap *)&l->dns, a->b, sizeof(a->b), false, NULL);
    unsigned n = 0;

    if (i < 0)
        return 0;
    for (; n < l->dns_info[i].n && n < max; n++)
        ids[n] = l->dns_info[i].names[n];
    return n;
}

static struct uid_info *uid_get(struct learn *l, const struct learn_val *uid)
{
    bool added;
    long i;

    if (!uid->set || uid->len == 0)
        return NULL;
    if (l->uids.n >= LEARN_MAX_UIDS) {
        i = lmap_get(&l->uids, uid->s, uid->len, false, NULL);
        if (i < 0)
            l->stats.uids_dropped++;
        return i < 0 ? NULL : &l->uid_info[i];
    }
    i = lmap_get(&l->uids, uid->s, uid->len, true, &added);
    if (i < 0 || !grow((void **)&l->uid_info, &l->uid_cap, (size_t)i + 1, sizeof(*l->uid_info)))
        return NULL;
    if (added)
        memset(&l->uid_info[i], 0, sizeof(l->uid_info[i]));
    return &l->uid_info[i];
}

/* ---- the logs ---- */

enum log_kind { LOG_SSL, LOG_HTTP, LOG_DNS, LOG_POLICY, LOG_CONN, LOG_KINDS };

static const char *const kind_names[LOG_KINDS] = {"ssl", "http", "dns", "policy", "conn"};

static const char *const ssl_fields[] = {"uid", "server_name"};
static const char *const http_fields[] = {"uid", "host"};
static const char *const dns_fields[] = {"query", "answers"};
static const char *const policy_fields[] = {"uid", "process", "user"};
enum { C_TS, C_UID, C_ORIG_H, C_RESP_H, C_RESP_P, C_PROTO, C_SERVICE, C_LOCAL_ORIG, C_LOCAL_RESP, C_N };
static const char *const conn_fields[C_N] = {"ts", "uid", "id.orig_h", "id.resp_h", "id.resp_p", "proto",
                                             "service", "local_orig", "local_resp"};

static void add_name(struct learn *l, const struct learn_val *uid, const struct learn_val *name)
{
    char norm[LEARN_GROUP_NAME_MAX];
    struct uid_info *u;
    uint32_t id;
    size_t n;

    if (!name->set || name->len == 0 || name->len >= sizeof(norm))
        return;
    n = learn_group_domain_norm(name->s, name->len, norm);
    if (n == 0 || (u = uid_get(l, uid)) == NULL)
        return;
    id = intern(l, norm, n);
    if (id == UINT32_MAX)
        return;
    for (unsigned i = 0; i < u->n_names; i++)
        if (u->names[i] == id)
            return;
    if (u->n_names < LEARN_UID_NAMES)
        u->names[u->n_names++] = id;
}

static void add_dns(struct learn *l, const struct learn_val *query, const struct learn_val *answers)
{
    char norm[LEARN_GROUP_NAME_MAX];
    const char *it = answers->s;
    uint32_t id;
    size_t n;

    if (!query->set || !answers->set || query->len >= sizeof(norm) ||
        (n = learn_group_domain_norm(query->s, query->len, norm)) == 0 || (id = intern(l, norm, n)) == UINT32_MAX)
        return;
    for (unsigned k = 0; k < answers->n; k++, it += strlen(it) + 1) {
        struct addr a;
        struct dns_info *d;
        bool added, dup = false;
        long i;

        if (addr_parse(&a, it) != 0)
            continue;   /* a CNAME, TXT, ... */
        i = lmap_get(&l->dns, a.b, sizeof(a.b), true, &added);
        if (i < 0 || !grow((void **)&l->dns_info, &l->dns_cap, (size_t)i + 1, sizeof(*l->dns_info)))
            return;
        d = &l->dns_info[i];
        if (added)
            memset(d, 0, sizeof(*d));
        for (unsigned j = 0; j < d->n; j++)
            dup |= d->names[j] == id;
        if (!dup && d->n < LEARN_DNS_NAMES)
            d->names[d->n++] = id;
    }
}

/* A process path or user name a policy can hold: printable ASCII (the loader refuses control
 * characters); anything else is treated as not known. */
static bool holdable(const struct learn_val *v)
{
    if (!v->set || v->len == 0 || v->len > 1024)
        return false;
    for (size_t i = 0; i < v->len; i++)
        if (v->s[i] < 0x20 || v->s[i] >= 0x7f)
            return false;
    return true;
}

static void add_policy(struct learn *l, const struct learn_row *r)
{
    struct uid_info *u;
    uint32_t p = 0, who = 0;

    if (holdable(&r->v[1]) && r->v[1].s[0] == '/')
        p = intern(l, r->v[1].s, r->v[1].len);
    if (holdable(&r->v[2]))
        who = intern(l, r->v[2].s, r->v[2].len);
    if (p == 0 || p == UINT32_MAX || who == UINT32_MAX || (u = uid_get(l, &r->v[0])) == NULL)
        return;
    u->process = p;
    u->user = who;
}

static bool is_true(const struct learn_val *v, bool *out)
{
    if (!v->set || v->len != 1 || (v->s[0] != 'T' && v->s[0] != 'F'))
        return false;
    *out = v->s[0] == 'T';
    return true;
}

/* Zeek's ts: epoch seconds, or ISO 8601 in UTC when its JSON writer was told to
 * (JSON::TS_ISO8601: "2024-05-01T12:00:00.123456Z"). -1 when neither. */
static double parse_ts(const char *s)
{
    struct tm tm;
    char *end;
    double v = strtod(s, &end);

    if (end != s && *end == '\0')
        return v;
    memset(&tm, 0, sizeof(tm));
    end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL)
        return -1;
    v = (double)timegm(&tm);
    if (*end == '.') {
        char *frac_end;
        double frac = strtod(end, &frac_end);

        v += frac;
        end = frac_end;
    }
    return *end == 'Z' && end[1] == '\0' ? v : -1;
}

static void count_tuple(struct learn *l, const struct learn_key *k, double ts)
{
    bool added;
    long i = lmap_get(&l->tuples, k, sizeof(*k), true, &added);
    struct learn_entry *e;

    if (i < 0 || !grow((void **)&l->entries, &l->entries_cap, (size_t)i + 1, sizeof(*l->entries)))
        return;
    e = &l->entries[i];
    if (added) {
        e->k = *k;
        e->count = 0;
        e->first = e->last = ts;
    }
    e->count++;
    if (ts < e->first)
        e->first = ts;
    if (ts > e->last)
        e->last = ts;
}

static void add_conn(struct learn *l, const struct learn_row *r)
{
    const struct learn_val *v = r->v;
    struct learn_key k;
    struct addr orig, resp;
    struct uid_info *u;
    bool lo, lr;
    char *end;
    double ts;
    unsigned long port;
    uint8_t transport;

    if (!v[C_TS].set || !v[C_ORIG_H].set || !v[C_RESP_H].set || !v[C_PROTO].set ||
        addr_parse(&orig, v[C_ORIG_H].s) != 0 || addr_parse(&resp, v[C_RESP_H].s) != 0) {
        l->stats.bad_rows++;
        return;
    }
    ts = parse_ts(v[C_TS].s);
    if (ts < 0) {
        l->stats.bad_rows++;
        return;
    }
    /* Zeek leaves local_orig unset without Site::local_nets; its default private space then. */
    if (!is_true(&v[C_LOCAL_ORIG], &lo))
        lo = site_is_local(&orig);
    if (!is_true(&v[C_LOCAL_RESP], &lr))
        lr = site_is_local(&resp);
    if (!lo || lr) {
        if (!lo && lr)
            l->stats.inbound++;
        else if (lo)
            l->stats.internal++;
        else
            l->stats.transit++;
        return;
    }
    l->stats.outbound++;
    if (strcmp(v[C_PROTO].s, "tcp") == 0) {
        transport = 6;
    } else if (strcmp(v[C_PROTO].s, "udp") == 0) {
        transport = 17;
    } else if (strcmp(v[C_PROTO].s, "icmp") == 0) {
        transport = 1;
    } else {
        l->stats.other_transport++;
        return;
    }
    if (l->stats.first == 0 || ts < l->stats.first)
        l->stats.first = ts;
    if (ts > l->stats.last)
        l->stats.last = ts;
    memset(&k, 0, sizeof(k));
    k.src = orig;
    k.transport = transport;
    if (transport != 1 && v[C_RESP_P].set) {
        port = strtoul(v[C_RESP_P].s, &end, 10);
        k.port = port <= 65535 ? (uint16_t)port : 0;
    }
    if (v[C_SERVICE].set && v[C_SERVICE].n > 0) {
        /* A set column comes back as items; the service is their comma-joined form. */
        char svc[256];
        size_t n = 0;
        const char *it = v[C_SERVICE].s;

        for (unsigned i = 0; i < v[C_SERVICE].n; i++, it += strlen(it) + 1) {
            size_t il = strlen(it);

            if (n + il + 1 >= sizeof(svc))
                break;
            if (n > 0)
                svc[n++] = ',';
            memcpy(svc + n, it, il + 1);
            n += il;
        }
        k.service = intern(l, svc, n);
        if (k.service == UINT32_MAX)
            return;
    }
    u = v[C_UID].set ? uid_get(l, &v[C_UID]) : NULL;
    if (u != NULL) {
        k.process = u->process;
        k.user = u->user;
    }
    if (u == NULL || u->n_names == 0) {
        k.dst = resp;
        count_tuple(l, &k, ts);
        return;
    }
    for (unsigned i = 0; i < u->n_names; i++) {
        k.domain = u->names[i];
        count_tuple(l, &k, ts);
    }
}

static int read_file(struct learn *l, enum log_kind kind, const char *path, char *err, size_t errlen)
{
    static const struct {
        const char *const *fields;
        unsigned           n;
    } cols[LOG_KINDS] = {
        [LOG_SSL] = {ssl_fields, 2}, [LOG_HTTP] = {http_fields, 2}, [LOG_DNS] = {dns_fields, 2},
        [LOG_POLICY] = {policy_fields, 3}, [LOG_CONN] = {conn_fields, C_N},
    };
    struct learn_log *lg = learn_log_create(cols[kind].fields, cols[kind].n);
    struct learn_row row;
    char why[256];
    int r;

    if (lg == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (learn_log_open(lg, path, err, errlen) != 0) {
        learn_log_free(lg);
        return -1;
    }
    l->stats.files++;
    while ((r = learn_log_next(lg, &row, why, sizeof(why))) == 1) {
        switch (kind) {
        case LOG_SSL:
            l->stats.ssl_rows++;
            add_name(l, &row.v[0], &row.v[1]);
            break;
        case LOG_HTTP:
            l->stats.http_rows++;
            add_name(l, &row.v[0], &row.v[1]);
            break;
        case LOG_DNS:
            l->stats.dns_rows++;
            add_dns(l, &row.v[0], &row.v[1]);
            break;
        case LOG_POLICY:
            l->stats.policy_rows++;
            add_policy(l, &row);
            break;
        default:
            l->stats.conn_rows++;
            add_conn(l, &row);
            break;
        }
    }
    l->stats.bad_rows += learn_log_bad_lines(lg);
    learn_log_free(lg);
    if (r < 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

/* "conn.log", "conn.log.gz", "conn.2024-01-01-00-00-00.log.gz": which log, or -1. */
static int kind_of(const char *base)
{
    size_t len = strlen(base);

    if (len > 3 && strcmp(base + len - 3, ".gz") == 0)
        len -= 3;
    if (len < 4 || memcmp(base + len - 4, ".log", 4) != 0)
        return -1;
    for (int k = 0; k < LOG_KINDS; k++) {
        size_t kl = strlen(kind_names[k]);

        if (len >= kl + 4 && memcmp(base, kind_names[k], kl) == 0 && base[kl] == '.')
            return k;
    }
    return -1;
}

static int str_qcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the logs of one kind from path (a directory, or a file of that kind). *found counts them. */
static int read_path(struct learn *l, const char *path, enum log_kind kind, unsigned *found, char *err,
                     size_t errlen)
{
    struct stat st;
    struct dirent *de;
    char **names = NULL, full[4096];
    size_t n = 0, cap = 0;
    DIR *d;
    int rc = 0;

    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        const char *base = strrchr(path, '/');
        int k = kind_of(base != NULL ? base + 1 : path);

        if (k < 0) {
            snprintf(err, errlen, "%s: not a log learn reads (conn, ssl, http, dns or policy .log, or .log.gz)",
                     path);
            return -1;
        }
        if (k != (int)kind)
            return 0;
        (*found)++;
        return read_file(l, kind, path, err, errlen);
    }
    d = opendir(path);
    if (d == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        if (kind_of(de->d_name) != (int)kind)
            continue;
        if (!grow((void **)&names, &cap, n + 1, sizeof(*names)) || (names[n] = strdup(de->d_name)) == NULL) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    /* In name order: Zeek's rotated names sort by time. */
    if (n > 0)
        qsort(names, n, sizeof(*names), str_qcmp);
    for (size_t i = 0; i < n && rc == 0; i++) {
        snprintf(full, sizeof(full), "%s/%s", path, names[i]);
        (*found)++;
        rc = read_file(l, kind, full, err, errlen);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int learn_read(struct learn *l, const char *const *paths, unsigned n, char *err, size_t errlen)
{
    /* Names and processes are kept by uid, so their logs come first; then conn.log uses them. */
    static const enum log_kind order[] = {LOG_SSL, LOG_HTTP, LOG_DNS, LOG_POLICY, LOG_CONN};
    unsigned found[LOG_KINDS] = {0};

    for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++)
        for (unsigned i = 0; i < n; i++)
            if (read_path(l, paths[i], order[o], &found[order[o]], err, errlen) != 0)
                return -1;
    if (found[LOG_CONN] == 0) {
        snprintf(err, errlen, "no conn.log in %s%s", paths[0], n > 1 ? " or the other paths" : "");
        return -1;
    }
    return 0;
}
