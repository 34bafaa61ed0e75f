/* detect/detect.c - the Log4Shell chain: every stage a notice, all stages of one chain one
 * incident. Hosts named by lookup attempts and Java codebases are watched for a while; flows
 * and DNS questions that reach them inherit the attempt's incident. */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/jndi.h"
#include "detect/notice.h"
#include "log/notice_log.h"
#include "util/addr.h"
#include "util/uid.h"


/* Incident ids come from their own key, so they never repeat a connection uid. */
static void watch_init_key(struct detect_watch *w, uint64_t seed, bool seeded)
{
    struct uid_gen g;

    uid_gen_init(&g, seed ^ 0x1c1d3e7a5b9f0d2full, seeded);
    w->id_key[0] = g.key[0];
    w->id_key[1] = g.key[1];
}

struct detect_watch *detect_watch_create_shared(uint64_t seed, bool seeded)
{
    struct detect_watch *w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_t ma;

    if (w == MAP_FAILED)
        return NULL;
    memset(w, 0, sizeof(*w));
    if (pthread_mutexattr_init(&ma) != 0 || pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED) != 0 ||
        pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST) != 0 || pthread_mutex_init(&w->lock, &ma) != 0) {
        munmap(w, sizeof(*w));
        return NULL;
    }
    pthread_mutexattr_destroy(&ma);
    w->shared = true;
    watch_init_key(w, seed, seeded);
    return w;
}

void detect_watch_free_shared(struct detect_watch *w)
{
    if (w == NULL)
        return;
    pthread_mutex_destroy(&w->lock);
    munmap(w, sizeof(*w));
}

struct detect *detect_create(const struct detect_config *cfg, struct log_set *logs)
{
    struct detect *d = calloc(1, sizeof(*d));

    if (d == NULL)
        return NULL;
    d->cfg = *cfg;
    if (d->cfg.callback_window <= 0)
        d->cfg.callback_window = (pw_time)(DETECT_CALLBACK_WINDOW_DEFAULT * PW_SEC);
    d->logs = logs;
    d->notices = notices_create_shared(logs, cfg->suppress_for,
                                       cfg->shared != NULL ? cfg->shared->suppressed : NULL);
    if (d->notices == NULL) {
        free(d);
        return NULL;
    }
    if (cfg->shared != NULL) {
        d->w = cfg->shared;
    } else {
        d->w = &d->own;
        watch_init_key(d->w, cfg->seed, cfg->seeded);
    }
    d->ids.key[0] = d->w->id_key[0];
    d->ids.key[1] = d->w->id_key[1];
    return d;
}

void detect_free(struct detect *d)
{
    if (d == NULL)
        return;
    notices_free(d->notices);
    free(d);
}

void detect_set_callback_window(struct detect *d, pw_time window)
{
    d->cfg.callback_window = window > 0 ? window : (pw_time)(DETECT_CALLBACK_WINDOW_DEFAULT * PW_SEC);
}

bool detect_watching(const struct detect *d)
{
    /* Read without the lock: a host watched a moment late is checked at the flow's end anyway. */
    return __atomic_load_n(&d->w->n_live, __ATOMIC_RELAXED) > 0;
}

/* ---- the watch lock: only a shared watch has one to take ---- */

static void lock_watch(struct detect_watch *w)
{
    /* A worker that died holding it left the table as it was: entries are written whole enough
     * (a torn one only misses a match), so the next owner goes on. */
    if (w->shared && pthread_mutex_lock(&w->lock) == EOWNERDEAD)
        pthread_mutex_consistent(&w->lock);
}

static void unlock_watch(struct detect_watch *w)
{
    if (w->shared)
        pthread_mutex_unlock(&w->lock);
}

struct notices *detect_watch_notices_create(struct detect_watch *w, struct log_set *logs, pw_time suppress_for)
{
    if (w == NULL || !w->shared)
        return notices_create(logs, suppress_for);
    return notices_create_shared(logs, suppress_for, w->suppressed);
}

bool detect_watch_notice_raise(struct detect_watch *w, struct notices *n, const struct notice *x)
{
    bool written;

    if (w == NULL || !w->shared)
        return notices_raise(n, x);
    lock_watch(w);
    written = notices_raise(n, x);
    unlock_watch(w);
    return written;
}

bool detect_lookup_attempt(struct detect *d, const struct detect_conn *c, pw_time ts, bool is_orig,
                           const struct lookup_attempt *a)
{
    bool r;

    lock_watch(d->w);
    r = detect_lookup_attempt_unlocked(d, c, ts, is_orig, a);
    unlock_watch(d->w);
    return r;
}

bool detect_is_callback_target(struct detect *d, const struct addr *a, const char *domain, pw_time ts)
{
    bool r;

    lock_watch(d->w);
    r = detect_is_callback_target_unlocked(d, a, domain, ts);
    unlock_watch(d->w);
    return r;
}

void detect_flow_service(struct detect *d, const struct detect_conn *c, pw_time ts)
{
    lock_watch(d->w);
    detect_flow_service_unlocked(d, c, ts);
    unlock_watch(d->w);
}

void detect_flow_end(struct detect *d, const struct detect_conn *c, pw_time ts)
{
    lock_watch(d->w);
    detect_flow_end_unlocked(d, c, ts);
    unlock_watch(d->w);
}

void detect_shell(struct detect *d, const struct detect_conn *c, pw_time ts, bool commander_is_resp)
{
    lock_watch(d->w);
    detect_shell_unlocked(d, c, ts, commander_is_resp);
    unlock_watch(d->w);
}

void detect_dns_query(struct detect *d, const struct detect_conn *c, pw_time ts, const char *name, size_t len)
{
    lock_watch(d->w);
    detect_dns_query_unlocked(d, c, ts, name, len);
    unlock_watch(d->w);
}

void detect_dns_answer(struct detect *d, const struct detect_conn *c, pw_time ts, const char *name, size_t name_len,
                       const char *answer, size_t answer_len)
{
    lock_watch(d->w);
    detect_dns_answer_unlocked(d, c, ts, name, name_len, answer, answer_len);
    unlock_watch(d->w);
}

void detect_java_referral(struct detect *d, const struct detect_conn *c, pw_time ts, const struct java_referral *r)
{
    lock_watch(d->w);
    detect_java_referral_unlocked(d, c, ts, r);
    unlock_watch(d->w);
}

bool detect_java_download(struct detect *d, const struct detect_conn *c, pw_time ts, const struct java_download *j)
{
    bool r;

    lock_watch(d->w);
    r = detect_java_download_unlocked(d, c, ts, j);
    unlock_watch(d->w);
    return r;
}

const struct notices *detect_notices(const struct detect *d)
{
    return d->notices;
}

/* ---- incidents and watched hosts ---- */

static void incident_text(const struct detect *d, uint32_t n, char *buf, size_t size)
{
    uint64_t v[2];

    uid_gen_value(&d->ids, n, v);
    (void)uid_format('I', v, buf, size);
}

uint32_t detect_incident_new(struct detect *d)
{
    return ++d->w->incidents;
}

void detect_lower_copy(char *dst, size_t size, const char *src, size_t len)
{
    size_t i;

    if (len >= size)
        len = size - 1;
    for (i = 0; i < len; i++)
        dst[i] = (char)((src[i] >= 'A' && src[i] <= 'Z') ? src[i] + 32 : src[i]);
    dst[i] = '\0';
}

bool detect_target_expired(const struct target *t, pw_time ts)
{
    return !t->live || ts > t->until;
}

/* Watches a host (refreshing an identical entry); returns NULL only for an empty host. */
struct target *detect_target_add(struct detect *d, enum target_kind kind, const char *scheme, const char *host,
                                 const struct addr *addr, uint16_t port, uint32_t incident, pw_time ts,
                                 const char *named_by)
{
    struct target *slot = NULL, *t;

    for (int i = 0; i < TARGETS_MAX; i++) {
        t = &d->w->targets[i];
        if (!t->live) {
            if (slot == NULL || slot->live)
                slot = t;
            continue;
        }
        if (t->kind == kind && t->port == port && t->incident == incident && strcmp(t->host, host) == 0 &&
            t->has_addr == (addr != NULL) && (addr == NULL || addr_cmp(&t->addr, addr) == 0)) {
            t->until = ts + d->cfg.callback_window;
            if (named_by != NULL)
                snprintf(t->named_by, sizeof(t->named_by), "%s", named_by);
            return t;
        }
        if (slot == NULL || (slot->live && t->until < slot->until))
            slot = t;
    }
    t = slot;
    if (!t->live)
        __atomic_add_fetch(&d->w->n_live, 1, __ATOMIC_RELAXED);
    memset(t, 0, sizeof(*t));
    t->live = true;
    t->kind = (uint8_t)kind;
    t->port = port;
    t->incident = incident;
    t->until = ts + d->cfg.callback_window;
    snprintf(t->scheme, sizeof(t->scheme), "%s", scheme);
    snprintf(t->host, sizeof(t->host), "%s", host);
    snprintf(t->named_by, sizeof(t->named_by), "%s", named_by != NULL ? named_by : "");
    if (addr != NULL) {
        t->addr = *addr;
        t->has_addr = true;
    }
    return t;
}

/* The host as an address, when it is one. */
static bool host_addr(const char *host, struct addr *a)
{
    char buf[JNDI_HOST_MAX];
    size_t n = strlen(host);

    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        snprintf(buf, sizeof(buf), "%.*s", (int)(n - 2), host + 1);
        return addr_parse(a, buf) == 0;
    }
    return addr_parse(a, host) == 0;
}

void detect_watch_host(struct detect *d, enum target_kind kind, const char *scheme, const char *host, uint16_t port,
                       uint32_t incident, pw_time ts, const char *named_by)
{
    struct addr a;

    if (host[0] == '\0')
        return;
    (void)detect_target_add(d, kind, scheme, host, host_addr(host, &a) ? &a : NULL, port, incident, ts, named_by);
}

void detect_watch_victim(struct detect *d, const struct addr *a, uint32_t incident, pw_time ts)
{
    (void)detect_target_add(d, TARGET_VICTIM, "", "", a, 0, incident, ts, NULL);
}

/* The live incident a victim host is in, 0 if none. */
uint32_t detect_victim_incident(struct detect *d, const struct addr *a, pw_time ts)
{
    for (int i = 0; i < TARGETS_MAX && d->w->n_live > 0; i++) {
        const struct target *t = &d->w->targets[i];

        if (t->kind == TARGET_VICTIM && !detect_target_expired(t, ts) && addr_cmp(&t->addr, a) == 0)
            return t->incident;
    }
    return 0;
}

/* ---- notices ---- */

bool detect_raise_notice(struct detect *d, const struct detect_conn *c, pw_time ts, uint32_t incident,
                         const struct raise *r)
{
    char inc[INCIDENT_ID_MAX];
    struct notice n;

    memset(&n, 0, sizeof(n));
    n.type = r->type;
    n.ts = ts;
    if (c != NULL) {
        n.uid = c->uid;
        n.id = &c->id;
        n.proto = c->proto;
    }
    n.sub = r->sub;
    n.sub_len = r->sub_len;
    n.identifier = r->ident;
    n.identifier_len = strlen(r->ident);
    n.fuid = r->fuid;
    n.file_mime_type = r->mime;
    if (incident != 0) {
        incident_text(d, incident, inc, sizeof(inc));
        n.incident = inc;
    }
    return notices_raise(d->notices, &n);
}

/* Zeek's cat() of a connection's hosts and port, the key Corelight's notices use. */
size_t detect_conn_ident(const struct detect_conn *c, bool with_orig_p, char *buf, size_t size)
{
    char o[64], r[64];

    addr_format(&c->id.orig_h, o, sizeof(o));
    addr_format(&c->id.resp_h, r, sizeof(r));
    if (with_orig_p)
        return (size_t)snprintf(buf, size, "%s%u/%s%s%u/%s", o, c->id.orig_p, c->proto, r, c->id.resp_p, c->proto);
    return (size_t)snprintf(buf, size, "%s%s%u/%s", o, r, c->id.resp_p, c->proto);
}

uint32_t detect_flow_incident(struct detect *d, const struct detect_conn *c)
{
    if (c->df != NULL && c->df->incident != 0)
        return c->df->incident;
    return 0;
}

void detect_flow_join(const struct detect_conn *c, uint32_t incident)
{
    if (c->df != NULL && c->df->incident == 0)
        c->df->incident = incident;
}

/* ---- stage 1: the lookup string ---- */

static const enum notice_type attempt_notes[] = {
    [ATTEMPT_HEADER] = NOTICE_LOG4J_ATTEMPT_HEADER, [ATTEMPT_URI] = NOTICE_LOG4J_ATTEMPT_URI,
    [ATTEMPT_METHOD] = NOTICE_LOG4J_ATTEMPT_METHOD, [ATTEMPT_BODY] = NOTICE_LOG4J_ATTEMPT_BODY,
    [ATTEMPT_AUTH] = NOTICE_LOG4J_ATTEMPT_AUTH,     [ATTEMPT_PAYLOAD] = NOTICE_LOG4J_ATTEMPT_PAYLOAD,
};

static const char *const where_names[] = {
    [ATTEMPT_HEADER] = "header", [ATTEMPT_URI] = "uri",   [ATTEMPT_METHOD] = "method",
    [ATTEMPT_BODY] = "body",     [ATTEMPT_AUTH] = "auth", [ATTEMPT_PAYLOAD] = "payload",
};

static void encodings_text(unsigned enc, char *buf, size_t size)
{
    static const char *const names[] = {"url", "url2", "unicode", "html", "base64", "lookups"};
    size_t o = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < 6; i++) {
        if (enc & (1u << i))
            o += (size_t)snprintf(buf + o, o < size ? size - o : 0, "%s%s", o > 0 ? "," : "", names[i]);
    }
    if (o == 0)
        snprintf(buf, size, "none");
}

static void header_name_upper(const struct lookup_attempt *a, char *buf, size_t size)
{
    size_t n = a->name != NULL ? a->name_len : 0, i;

    if (n >= size)
        n = size - 1;
    for (i = 0; i < n; i++)
        buf[i] = (char)((a->name[i] >= 'a' && a->name[i] <= 'z') ? a->name[i] - 32 : a->name[i]);
    buf[i] = '\0';
}

/* Corelight's header sub and log4j.log row; the target from their parser when their test
 * matched, else from ours (an obfuscation their regex does not see). */
static size_t header_sub(const struct lookup_attempt *a, const char *name, bool is_orig, char *sub, size_t size,
                         char tgt[4][JNDI_HOST_MAX])
{
    const struct jndi_hit *h = a->hit;

    if (a->corelight_name || a->corelight_value) {
        const uint8_t *v = a->corelight_value ? a->value : (const uint8_t *)a->name;
        size_t vl = a->corelight_value ? a->value_len : a->name_len;

        jndi_corelight_target(v, vl, tgt[0], tgt[1], tgt[2], tgt[3], JNDI_HOST_MAX);
    } else {
        if (h->port != 0) {
            snprintf(tgt[1], JNDI_HOST_MAX, "%.200s:%u", h->host, h->port);
            snprintf(tgt[3], JNDI_HOST_MAX, "%u", h->port);
        } else {
            snprintf(tgt[1], JNDI_HOST_MAX, "%s", h->host);
            snprintf(tgt[3], JNDI_HOST_MAX, "-");
        }
        snprintf(tgt[0], JNDI_HOST_MAX, "%.200s%s%.50s", tgt[1], h->path[0] != '\0' ? "/" : "", h->path);
        snprintf(tgt[2], JNDI_HOST_MAX, "%s", h->host);
    }
    return (size_t)snprintf(sub, size,
                            "uri='%.*s', payload_uri=%s, payload_stem=%s, payload_host=%s, payload_port=%s, "
                            "method=%.*s, is_orig=%s, header name='%s',  header value='%.*s' ",
                            a->uri != NULL ? (int)a->uri_len : 1, a->uri != NULL ? a->uri : "-", tgt[0], tgt[1],
                            tgt[2], tgt[3], a->method != NULL ? (int)a->method_len : 1,
                            a->method != NULL ? a->method : "-", is_orig ? "T" : "F", name,
                            (int)(a->value_len > 1024 ? 1024 : a->value_len), (const char *)a->value);
}

static void log4j_row(struct detect *d, const struct detect_conn *c, pw_time ts, bool is_orig,
                      const struct lookup_attempt *a, const char *name, char tgt[4][JNDI_HOST_MAX])
{
    struct log4j_record r;

    memset(&r, 0, sizeof(r));
    r.ts = ts;
    r.uid = log_str_from(c->uid, strlen(c->uid));
    if (a->uri != NULL) {
        r.http_uri = log_str_from(a->uri, a->uri_len);
        log_mark(&r.log_set, LOG4J_F_HTTP_URI);
    }
    r.uri = log_str_from(tgt[0], strlen(tgt[0]));
    r.stem = log_str_from(tgt[1], strlen(tgt[1]));
    r.target_host = log_str_from(tgt[2], strlen(tgt[2]));
    r.target_port = log_str_from(tgt[3], strlen(tgt[3]));
    for (unsigned f = LOG4J_F_URI; f <= LOG4J_F_TARGET_PORT; f++)
        log_mark(&r.log_set, f);
    if (a->method != NULL) {
        r.method = log_str_from(a->method, a->method_len);
        log_mark(&r.log_set, LOG4J_F_METHOD);
    }
    r.is_orig = is_orig;
    r.name = log_str_from(name, strlen(name));
    r.value = log_str_from((const char *)a->value, a->value_len);
    log_mark(&r.log_set, LOG4J_F_NAME);
    log_mark(&r.log_set, LOG4J_F_VALUE);
    r.matched_name = a->corelight_name;
    r.matched_value = a->corelight_value || !a->corelight_name;
    (void)log_set_write(d->logs, &log4j_log_schema, &r);
}

bool detect_lookup_attempt_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, bool is_orig,
                           const struct lookup_attempt *a)
{
    const struct jndi_hit *h = a->hit;
    struct raise r;
    char sub[SUB_MAX], enc[64], tgt[4][JNDI_HOST_MAX], host[JNDI_HOST_MAX], name[128];
    const struct addr *victim = is_orig ? &c->id.resp_h : &c->id.orig_h;
    uint32_t inc;
    size_t o;

    if (h == NULL || (unsigned)a->where >= sizeof(attempt_notes) / sizeof(attempt_notes[0]))
        return false;
    detect_lower_copy(host, sizeof(host), h->host, strlen(h->host));
    inc = detect_flow_incident(d, c);
    if (inc == 0) {
        /* The same victim told to call the same host again: the same incident. */
        for (int i = 0; i < TARGETS_MAX && inc == 0; i++) {
            const struct target *t = &d->w->targets[i];

            if (t->kind == TARGET_CALLBACK && !detect_target_expired(t, ts) && strcmp(t->host, host) == 0 &&
                detect_victim_incident(d, victim, ts) == t->incident)
                inc = t->incident;
        }
    }
    if (inc == 0)
        inc = detect_incident_new(d);
    detect_flow_join(c, inc);
    detect_watch_host(d, TARGET_CALLBACK, h->scheme, host, h->port, inc, ts, c->uid);
    detect_watch_victim(d, victim, inc, ts);

    memset(&r, 0, sizeof(r));
    r.type = attempt_notes[a->where];
    if (a->where == ATTEMPT_HEADER) {
        /* Zeek's http_header event hands scripts the name upper-cased. */
        header_name_upper(a, name, sizeof(name));
        o = header_sub(a, name, is_orig, sub, sizeof(sub), tgt);
        /* Ours after Corelight's text, which stays a prefix SIEM rules can keep matching. */
        if (o < sizeof(sub)) {
            encodings_text(h->encodings, enc, sizeof(enc));
            o += (size_t)snprintf(sub + o, sizeof(sub) - o, "scheme=%s, normalized='%s', encodings=%s", h->scheme,
                                  h->normalized, enc);
        }
        log4j_row(d, c, ts, is_orig, a, name, tgt);
        detect_conn_ident(c, false, r.ident, sizeof(r.ident));
        snprintf(r.ident + strlen(r.ident), sizeof(r.ident) - strlen(r.ident), "%.*s%.*s", (int)a->name_len,
                 a->name != NULL ? a->name : "", (int)(a->value_len > 512 ? 512 : a->value_len),
                 (const char *)a->value);
    } else {
        encodings_text(h->encodings, enc, sizeof(enc));
        o = (size_t)snprintf(sub, sizeof(sub),
                             "where=%s, proto=%s, scheme=%s, payload_host=%s, payload_port=%u, payload_path=%s, "
                             "uri='%.*s', method=%.*s, is_orig=%s, normalized='%s', encodings=%s, raw='%s'",
                             where_names[a->where], a->proto != NULL ? a->proto : "-", h->scheme, h->host, h->port,
                             h->path, a->uri != NULL ? (int)(a->uri_len > 512 ? 512 : a->uri_len) : 1,
                             a->uri != NULL ? a->uri : "-", a->method != NULL ? (int)a->method_len : 1,
                             a->method != NULL ? a->method : "-", is_orig ? "T" : "F", h->normalized, enc, h->raw);
        detect_conn_ident(c, false, r.ident, sizeof(r.ident));
        snprintf(r.ident + strlen(r.ident), sizeof(r.ident) - strlen(r.ident), "%s%s", where_names[a->where],
                 h->normalized);
    }
    r.sub = sub;
    r.sub_len = o < sizeof(sub) ? o : sizeof(sub) - 1;
    (void)detect_raise_notice(d, c, ts, inc, &r);
    return true;
}

/* ---- stage 2: the callback ---- */

static uint16_t scheme_port(const char *scheme)
{
    static const struct {
        const char *scheme;
        uint16_t    port;
    } ports[] = {
        {"ldap", 389}, {"ldaps", 636}, {"rmi", 1099}, {"dns", 53}, {"iiop", 900}, {"corba", 900},
        {"http", 80},  {"https", 443}, {"nis", 111},  {"nds", 524},
    };

    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        if (strcmp(ports[i].scheme, scheme) == 0)
            return ports[i].port;
    }
    return 0;
}

/* Does a flow's service speak the scheme's protocol? (ldaps may be LDAP over TLS from the start.) */
static bool service_fits(const char *scheme, const char *service)
{
    static const struct {
        const char *scheme;
        const char *service;
    } fits[] = {
        {"ldap", "ldap_tcp"}, {"ldap", "ldap_udp"}, {"ldaps", "ssl"}, {"ldaps", "ldap_tcp"}, {"rmi", "rmi"},  {"dns", "dns"},
        {"http", "http"}, {"https", "ssl"}, {"iiop", "iiop"},  {"corba", "iiop"},
    };
    char one[32];
    const char *p = service;

    /* service is a comma-joined list ("ldap,ssl"): any member fits. */
    while (p != NULL && *p != '\0') {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);

        snprintf(one, sizeof(one), "%.*s", (int)n, p);
        for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
            if (strcmp(fits[i].scheme, scheme) == 0 && strcmp(fits[i].service, one) == 0)
                return true;
        }
        p = comma != NULL ? comma + 1 : NULL;
    }
    return false;
}

/* The flow named the host itself (TLS SNI, HTTP Host): an encrypted ldaps:// callback shows here. */
static bool domain_is(const struct detect_conn *c, const char *host)
{
    size_t n = strlen(host);

    return c->domain != NULL && n > 0 && strncasecmp(c->domain, host, n) == 0 &&
           (c->domain[n] == '\0' || c->domain[n] == ':');
}

static void callback_check(struct detect *d, const struct detect_conn *c, pw_time ts, bool at_end)
{
    const char *svc = c->service != NULL ? c->service : "";

    if (d->w->n_live == 0 || c->proto == NULL || (c->df != NULL && (c->df->flags & DETECT_FLOW_CALLBACK_DONE)))
        return;
    for (int i = 0; i < TARGETS_MAX; i++) {
        const struct target *t = &d->w->targets[i];
        uint16_t want;
        struct raise r;
        char sub[SUB_MAX], victim[64];

        if (detect_target_expired(t, ts) || !(t->has_addr ? addr_cmp(&t->addr, &c->id.resp_h) == 0 : domain_is(c, t->host)))
            continue;
        if (t->kind == TARGET_CODEBASE) {
            detect_flow_join(c, t->incident);
            continue;
        }
        if (t->kind != TARGET_CALLBACK)
            continue;
        want = t->port != 0 ? t->port : scheme_port(t->scheme);
        if (!service_fits(t->scheme, svc) && !(svc[0] == '\0' && at_end && c->id.resp_p == want))
            continue;
        detect_flow_join(c, t->incident);
        if (c->df != NULL)
            c->df->flags |= DETECT_FLOW_CALLBACK_DONE;
        detect_watch_victim(d, &c->id.orig_h, t->incident, ts);
        addr_format(&c->id.orig_h, victim, sizeof(victim));
        memset(&r, 0, sizeof(r));
        r.type = NOTICE_LOG4J_CALLBACK;
        r.sub = sub;
        r.sub_len = (size_t)snprintf(sub, sizeof(sub), "scheme=%s, host=%s, port=%s%u, service=%s, victim=%s, named_by=%s",
                                     t->scheme, t->host, t->port != 0 ? "" : "default:", want,
                                     svc[0] != '\0' ? svc : "-", victim, t->named_by);
        /* One per callback connection: each is the victim acting on a lookup, and which attempt
         * a worker saw last is a race when several workers share the watch. */
        detect_conn_ident(c, true, r.ident, sizeof(r.ident));
        (void)detect_raise_notice(d, c, ts, t->incident, &r);
        return;
    }
}

bool detect_is_callback_target_unlocked(struct detect *d, const struct addr *a, const char *domain, pw_time ts)
{
    for (int i = 0; i < TARGETS_MAX && d->w->n_live > 0; i++) {
        const struct target *t = &d->w->targets[i];

        if (t->kind != TARGET_CALLBACK || detect_target_expired(t, ts))
            continue;
        if (a != NULL && t->has_addr && addr_cmp(&t->addr, a) == 0)
            return true;
        if (domain != NULL && domain[0] != '\0' && !t->has_addr && strcasecmp(t->host, domain) == 0)
            return true;
    }
    return false;
}

void detect_flow_service_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts)
{
    callback_check(d, c, ts, false);
}

void detect_flow_end_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts)
{
    callback_check(d, c, ts, true);
}

/* ---- stage 5: the shell ---- */

/* Ports where a shell means something else was expected: a shell there hides in plain sight. */
static bool port_expects_protocol(uint16_t p)
{
    static const uint16_t ports[] = {21,  22,   25,   53,   80,   110,  143,  389,  443,  465,  587, 636,
                                     853, 993,  995,  1099, 1389, 3306, 5432, 6379, 8000, 8080, 8443};

    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        if (ports[i] == p)
            return true;
    }
    return false;
}

void detect_shell_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, bool commander_is_resp)
{
    uint32_t inc = detect_flow_incident(d, c);
    struct raise r;
    char sub[SUB_MAX], victim[64];

    if (inc == 0 && commander_is_resp)
        inc = detect_victim_incident(d, &c->id.orig_h, ts);
    if (inc == 0 && !port_expects_protocol(c->id.resp_p))
        return;
    detect_flow_join(c, inc);
    addr_format(commander_is_resp ? &c->id.orig_h : &c->id.resp_h, victim, sizeof(victim));
    memset(&r, 0, sizeof(r));
    r.type = NOTICE_REVERSE_SHELL;
    r.sub = sub;
    r.sub_len = (size_t)snprintf(sub, sizeof(sub), "kind=%s, shell_host=%s, commands_from=%s, after_chain=%s, service=%s",
                                 commander_is_resp ? "reverse" : "bind", victim, commander_is_resp ? "resp" : "orig",
                                 inc != 0 ? "T" : "F", c->service != NULL && c->service[0] != '\0' ? c->service : "-");
    detect_conn_ident(c, true, r.ident, sizeof(r.ident));
    (void)detect_raise_notice(d, c, ts, inc, &r);
}
