/* engine/engine_session.c - sessions: identification, byte holding for analyzers, and the
 * session API analyzers call (proto/session.h). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "engine/session_int.h"
#include "identify/identify.h"
#include "log/analyzer_log.h"
#include "proto/proto.h"
#include "proto/session.h"
#include "util/site.h"

#define SESSION_BUF_CLASSES  3
#define SESSION_STATE_CLASSES 5

static const uint32_t buf_class_size[SESSION_BUF_CLASSES] = {IDENTIFY_MAX_BYTES, 64u << 10, 256u << 10};
static const uint32_t buf_class_cap[SESSION_BUF_CLASSES] = {1u << 16, 1u << 12, 1u << 9};
static const uint32_t state_class_size[SESSION_STATE_CLASSES] = {512, 2048, 8192, 32768, 131072};

struct session_pools {
    struct pool *sessions;
    struct pool *bufs[SESSION_BUF_CLASSES];
    struct pool *states[SESSION_STATE_CLASSES];
};

struct session_pools *session_pools_create(uint32_t max_sessions)
{
    struct session_pools *sp = calloc(1, sizeof(*sp));
    bool ok;

    if (sp == NULL)
        return NULL;
    sp->sessions = pool_create("session", sizeof(struct session), max_sessions);
    ok = sp->sessions != NULL;
    for (int i = 0; i < SESSION_BUF_CLASSES && ok; i++)
        ok = (sp->bufs[i] = pool_create("session_buf", buf_class_size[i], buf_class_cap[i])) != NULL;
    for (int i = 0; i < SESSION_STATE_CLASSES && ok; i++)
        ok = (sp->states[i] = pool_create("analyzer_state", state_class_size[i], max_sessions)) != NULL;
    if (!ok) {
        session_pools_free(sp);
        return NULL;
    }
    return sp;
}

void session_pools_free(struct session_pools *sp)
{
    if (sp == NULL)
        return;
    pool_free(sp->sessions);
    for (int i = 0; i < SESSION_BUF_CLASSES; i++)
        pool_free(sp->bufs[i]);
    for (int i = 0; i < SESSION_STATE_CLASSES; i++)
        pool_free(sp->states[i]);
    free(sp);
}

/* ---- held bytes ---- */

static void side_release(struct session_pools *sp, struct session_side *sd)
{
    if (sd->held != NULL)
        pool_put(sp->bufs[sd->held_class], sd->held);
    sd->held = NULL;
    sd->held_len = 0;
}

/* Makes room for want bytes in the side's buffer, moving to a larger class when needed. */
static bool side_reserve(struct session_pools *sp, struct session_side *sd, uint32_t want)
{
    int c = 0;
    uint8_t *nb;

    if (sd->held != NULL && buf_class_size[sd->held_class] >= want)
        return true;
    while (c < SESSION_BUF_CLASSES && buf_class_size[c] < want)
        c++;
    if (c == SESSION_BUF_CLASSES)
        return false;
    nb = pool_get(sp->bufs[c]);
    if (nb == NULL)
        return false;
    if (sd->held != NULL) {
        memcpy(nb, sd->held, sd->held_len);
        pool_put(sp->bufs[sd->held_class], sd->held);
    }
    sd->held = nb;
    sd->held_class = (uint8_t)c;
    return true;
}

static bool side_append(struct session_pools *sp, struct session_side *sd, const uint8_t *data, size_t len,
                        uint32_t cap)
{
    if (len > cap || sd->held_len > cap - len)
        return false;
    if (!side_reserve(sp, sd, sd->held_len + (uint32_t)len))
        return false;
    memcpy(sd->held + sd->held_len, data, len);
    sd->held_len += (uint32_t)len;
    return true;
}

/* ---- life cycle ---- */

static struct session *session_get(struct engine *e, struct flow *f)
{
    struct session *s = f->app;

    if (s != NULL)
        return s;
    s = pool_get(e->sessions->sessions);
    if (s == NULL)
        return NULL;   /* counted by the pool; the flow is still logged, just not analysed */
    s->e = e;
    s->f = f;
    s->first_talker = -1;
    engine_uid(e, f->id, s->uid, sizeof(s->uid));
    f->app = s;
    return s;
}

static void analyzer_detach(struct session *s)
{
    struct session_pools *sp = s->e->sessions;

    if (s->state != NULL)
        pool_put(sp->states[s->state_class], s->state);
    s->state = NULL;
    s->detached = true;
    side_release(sp, &s->side[0]);
    side_release(sp, &s->side[1]);
}

static bool analyzer_attach(struct session *s, enum proto_id id)
{
    const struct analyzer *an = analyzers[id];
    int c = 0;

    while (c < SESSION_STATE_CLASSES && state_class_size[c] < an->state_size)
        c++;
    if (c == SESSION_STATE_CLASSES)
        return false;
    s->state = pool_get(s->e->sessions->states[c]);
    if (s->state == NULL)
        return false;
    s->state_class = (uint8_t)c;
    s->proto = id;
    if (an->init != NULL)
        an->init(s, s->state);
    return true;
}

void session_end(struct engine *e, struct flow *f)
{
    struct session *s = f->app;

    if (s == NULL)
        return;
    s->now = e->now;
    if (s->state != NULL && !s->detached && analyzers[s->proto]->end != NULL)
        analyzers[s->proto]->end(s, s->state);
    analyzer_detach(s);
}

void session_free(struct engine *e, struct flow *f)
{
    struct session *s = f->app;

    if (s == NULL)
        return;
    analyzer_detach(s);
    pool_put(e->sessions->sessions, s);
    f->app = NULL;
}

/* Ends the current analyzer (its services stay) and attaches the one it handed over to. */
static bool analyzer_switch(struct session *s)
{
    const struct analyzer *old = analyzers[s->proto];
    enum proto_id next = s->handover;

    s->handover = PROTO_UNKNOWN;
    if (old->end != NULL)
        old->end(s, s->state);
    pool_put(s->e->sessions->states[s->state_class], s->state);
    s->state = NULL;
    s->confirmed = false;
    if (!analyzer_attach(s, next)) {
        analyzer_detach(s);
        return false;
    }
    return true;
}

/* ---- delivery to the analyzer ---- */

/* Hands bytes to the attached analyzer, holding what it leaves for later. */
static void analyzer_deliver(struct session *s, enum flow_dir dir, const uint8_t *data, size_t len)
{
    const struct analyzer *an = analyzers[s->proto];
    struct session_side *sd = &s->side[dir];
    const uint8_t *p = data;
    size_t n = len;

    if (sd->held_len > 0) {
        if (!side_append(s->e->sessions, sd, data, len, an->max_pending)) {
            session_weird(s, WEIRD_ANALYZER_BUFFER_FULL, an->zeek_name);
            session_violation(s, "message exceeds the analyzer's buffer", NULL, 0);
            return;
        }
        p = sd->held;
        n = sd->held_len;
    }
    if (sd->needed != 0 && n < sd->needed && sd->held_len > 0)
        return;
    while (n > 0 && !s->detached) {
        struct parse_result r = an->parse(s, s->state, (enum flow_dir)(dir ^ s->swap), p, n);

        if (s->detached)
            return;
        if (r.status == PARSE_VIOLATION) {
            session_violation(s, "protocol violation", p, n);
            return;
        }
        if (r.consumed > n)
            r.consumed = (uint32_t)n;
        p += r.consumed;
        n -= r.consumed;
        sd->needed = r.needed;
        if (s->handover != PROTO_UNKNOWN) {
            /* The protocol changed on the wire (StartTLS): the rest goes to the new analyzer. */
            if (!analyzer_switch(s))
                return;
            an = analyzers[s->proto];
            sd->needed = 0;
            continue;
        }
        if (r.consumed == 0 || (r.needed != 0 && n < r.needed))
            break;
    }
    if (s->detached)
        return;
    /* Keep what is left, at the front of the side's buffer. */
    if (n == 0) {
        side_release(s->e->sessions, sd);
    } else if (p >= sd->held && sd->held != NULL && p < sd->held + sd->held_len + 1) {
        memmove(sd->held, p, n);
        sd->held_len = (uint32_t)n;
    } else if (!side_append(s->e->sessions, sd, p, n, an->max_pending)) {
        session_weird(s, WEIRD_ANALYZER_BUFFER_FULL, an->zeek_name);
        session_violation(s, "message exceeds the analyzer's buffer", NULL, 0);
    }
}

static void identify_finish_unknown(struct session *s, const uint8_t *data, size_t len)
{
    s->identified = true;
    s->entropy = (uint8_t)identify_entropy_class(data, len);
    /* Nobody claims the stream: what each side sent so far goes to the shell watch. */
    for (int i = 0; i < 2; i++) {
        enum flow_dir d = (enum flow_dir)(s->first_talker == 1 ? !i : i);

        if (s->side[d].held_len > 0)
            session_detect_unclaimed(s, d, s->side[d].held, s->side[d].held_len);
    }
    side_release(s->e->sessions, &s->side[0]);
    side_release(s->e->sessions, &s->side[1]);
}

/* Runs identification over what a side has sent so far; attaches and replays on a match. */
static void identify_stream(struct session *s, enum flow_dir dir, bool side_final)
{
    struct session_side *sd = &s->side[dir];
    enum proto_id found = PROTO_UNKNOWN;
    enum identify_verdict v;
    const struct flow *f = s->f;
    bool reversed;

    v = identify_run(&s->ident, dir, sd->held, sd->held_len, TRANSPORT_TCP, f->key.orig_p, f->key.resp_p,
                     side_final || sd->held_len >= IDENTIFY_MAX_BYTES, !f->syn_first, &found, &reversed);
    if (v == IDENTIFY_UNKNOWN) {
        identify_finish_unknown(s, sd->held, sd->held_len);
        return;
    }
    if (v != IDENTIFY_FOUND)
        return;
    s->identified = true;
    if (!analyzer_attach(s, found)) {
        identify_finish_unknown(s, sd->held, sd->held_len);
        return;
    }
    if (reversed)
        session_flip_roles(s);
    /* Replay what each side sent while we were deciding, the side that spoke first first. */
    for (int i = 0; i < 2 && !s->detached; i++) {
        enum flow_dir d = (enum flow_dir)(s->first_talker == 1 ? !i : i);
        struct session_side *x = &s->side[d];

        if (x->held_len > 0) {
            uint32_t n = x->held_len;
            uint8_t *tmp = x->held;
            uint8_t cls = x->held_class;

            /* Detach the probe buffer first: the analyzer may need the side buffer itself. */
            x->held = NULL;
            x->held_len = 0;
            analyzer_deliver(s, d, tmp, n);
            pool_put(s->e->sessions->bufs[cls], tmp);
        }
    }
}

void session_stream_data(struct engine *e, struct flow *f, enum flow_dir dir, pw_time now, const uint8_t *data,
                         size_t len)
{
    struct session *s = session_get(e, f);
    struct session_side *sd;

    if (s == NULL || len == 0)
        return;
    s->now = now;
    sd = &s->side[dir];
    if (s->first_talker < 0)
        s->first_talker = (int8_t)dir;
    sd->delivered += len;
    if (s->identified && (s->detached || s->proto == PROTO_UNKNOWN)) {
        session_detect_unclaimed(s, dir, data, len);
        return;
    }
    if (s->detached)
        return;
    if (s->identified) {
        analyzer_deliver(s, dir, data, len);
        return;
    }
    if (sd->gap)
        return;
    /* Probe over the start of the side's stream, kept until a decision. */
    if (sd->held_len < IDENTIFY_MAX_BYTES) {
        size_t room = IDENTIFY_MAX_BYTES - sd->held_len;

        if (!side_append(e->sessions, sd, data, len < room ? len : room, IDENTIFY_MAX_BYTES))
            return;
        if (len > room) {
            /* The rest must not be lost if a probe matches: keep it too, within the cap. */
            if (!side_append(e->sessions, sd, data + room, len - room, buf_class_size[SESSION_BUF_CLASSES - 1]))
                sd->gap = true;
        }
    } else if (!side_append(e->sessions, sd, data, len, buf_class_size[SESSION_BUF_CLASSES - 1])) {
        sd->gap = true;
    }
    identify_stream(s, dir, false);
}

void session_stream_gap(struct engine *e, struct flow *f, enum flow_dir dir, uint64_t len)
{
    struct session *s = f->app;

    if (s == NULL || s->detached)
        return;
    if (!s->identified) {
        /* Bytes are missing from the start of this side: decide with what we have. */
        s->side[dir].gap = true;
        if (s->side[dir].held_len > 0)
            identify_stream(s, dir, true);
        return;
    }
    if (s->proto == PROTO_UNKNOWN)
        return;
    side_release(e->sessions, &s->side[dir]);
    s->side[dir].needed = 0;
    if (analyzers[s->proto]->gap != NULL)
        analyzers[s->proto]->gap(s, s->state, (enum flow_dir)(dir ^ s->swap), len);
}

void session_datagram(struct engine *e, struct flow *f, enum flow_dir dir, const struct packet *p)
{
    struct session *s;
    enum proto_id found = PROTO_UNKNOWN;

    if (p->payload_len == 0 || p->payload_len < p->payload_wire_len)
        return;
    s = session_get(e, f);
    if (s == NULL || s->detached)
        return;
    s->now = p->ts;
    if (s->first_talker < 0)
        s->first_talker = (int8_t)dir;
    if (!s->identified) {
        /* UDP roles are only a guess from the first datagram: a probe may accept it as the other
         * side's. Whether to turn the flow around is the analyzer's call (DNS: a reply to a
         * unicast address), so a reversed match just attaches. */
        bool reversed;
        enum identify_verdict v = identify_run(&s->ident, dir, p->payload, p->payload_len, TRANSPORT_UDP,
                                               f->key.orig_p, f->key.resp_p, true, true, &found, &reversed);

        if (v == IDENTIFY_UNKNOWN) {
            identify_finish_unknown(s, p->payload, p->payload_len);
            return;
        }
        if (v != IDENTIFY_FOUND)
            return;
        s->identified = true;
        if (!analyzer_attach(s, found)) {
            identify_finish_unknown(s, p->payload, p->payload_len);
            return;
        }
    }
    if (s->proto == PROTO_UNKNOWN)
        return;
    {
        struct parse_result r = analyzers[s->proto]->parse(s, s->state, (enum flow_dir)(dir ^ s->swap), p->payload,
                                                           p->payload_len);

        if (r.status == PARSE_VIOLATION && !s->detached)
            session_violation(s, "protocol violation", p->payload, p->payload_len);
    }
}

/* Protocols analyzed inside another's messages, in the order conn.log lists them after it. */
#define INNER_SERVICES     3
#define INNER_SERVICE_BASE 200   /* above every proto_id */
_Static_assert(PROTO_COUNT <= INNER_SERVICE_BASE, "inner service ids stay clear of analyzer ids");
static const char *const inner_service_names[INNER_SERVICES] = {"krb", "gssapi", "ntlm"};

size_t session_service(const struct flow *f, char *buf, size_t size)
{
    const struct session *s = f->app;
    size_t n = 0;

    if (size > 0)
        buf[0] = '\0';
    if (s == NULL)
        return 0;
    for (unsigned i = 0; i < s->n_services; i++) {
        uint8_t id = s->services[i];
        const char *name = id < PROTO_COUNT ? analyzers[id]->name
                                            : inner_service_names[(id - INNER_SERVICE_BASE) % INNER_SERVICES];
        int w = snprintf(buf + n, size - n, "%s%s", n > 0 ? "," : "", name);

        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
    }
    return n;
}

/* In the order they were found, with the analyzers' own: Zeek lists a service when its analyzer
 * confirms, and an inner protocol parsed from a first message confirms before the outer one. */
void session_add_service(struct session *s, const char *name)
{
    for (unsigned i = 0; i < INNER_SERVICES; i++) {
        uint8_t id = (uint8_t)(INNER_SERVICE_BASE + i);

        if (strcmp(inner_service_names[i], name) != 0)
            continue;
        for (unsigned k = 0; k < s->n_services; k++)
            if (s->services[k] == id)
                return;
        if (s->n_services < SESSION_MAX_SERVICES)
            s->services[s->n_services++] = id;
    }
}

/* ---- the API analyzers call (proto/session.h) ---- */

pw_time session_now(const struct session *s)
{
    return s->now;
}

void session_conn_id(const struct session *s, struct log_str *uid, struct log_conn_id *id)
{
    *uid = log_str_from(s->uid, strlen(s->uid));
    id->orig_h = s->f->key.orig_h;
    id->orig_p = s->f->key.orig_p;
    id->resp_h = s->f->key.resp_h;
    id->resp_p = s->f->key.resp_p;
}

const char *session_uid(const struct session *s)
{
    return s->uid;
}

unsigned session_transport(const struct session *s)
{
    return s->f->key.proto == IPPROTO_UDP ? TRANSPORT_UDP : TRANSPORT_TCP;
}

void session_confirm(struct session *s)
{
    if (s->confirmed || s->proto == PROTO_UNKNOWN)
        return;
    s->confirmed = true;
    if (s->n_services < SESSION_MAX_SERVICES)
        s->services[s->n_services++] = (uint8_t)s->proto;
    session_detect_confirmed(s);
}

void session_violation(struct session *s, const char *reason, const uint8_t *data, size_t len)
{
    const struct analyzer *an = analyzers[s->proto];

    if (s->detached || an == NULL)
        return;
    if (s->confirmed) {
        struct analyzer_record r;
        char dbuf[41];
        size_t dn = len < 40 ? len : 40;

        /* Zeek takes the service back out of conn.log and says why in analyzer.log. */
        for (unsigned i = 0; i < s->n_services; i++) {
            if (s->services[i] == s->proto) {
                memmove(&s->services[i], &s->services[i + 1], s->n_services - i - 1);
                s->n_services--;
                break;
            }
        }
        memset(&r, 0, sizeof(r));
        r.ts = s->now;
        r.analyzer_kind = log_str_from("protocol", 8);
        r.analyzer_name = log_str_from(an->zeek_name, strlen(an->zeek_name));
        session_conn_id(s, &r.uid, &r.id);
        r.proto = log_str_from(session_transport(s) == TRANSPORT_UDP ? "udp" : "tcp", 3);
        r.failure_reason = log_str_from(reason, strlen(reason));
        log_mark(&r.log_set, ANALYZER_F_UID);
        log_mark(&r.log_set, ANALYZER_F_ORIG_H);
        log_mark(&r.log_set, ANALYZER_F_ORIG_P);
        log_mark(&r.log_set, ANALYZER_F_RESP_H);
        log_mark(&r.log_set, ANALYZER_F_RESP_P);
        log_mark(&r.log_set, ANALYZER_F_PROTO);
        if (data != NULL && dn > 0) {
            memcpy(dbuf, data, dn);
            r.failure_data = log_str_from(dbuf, dn);
            log_mark(&r.log_set, ANALYZER_F_DATA);
        }
        (void)log_set_write(s->e->logs, &analyzer_log_schema, &r);
    }
    if (an->end != NULL)
        an->end(s, s->state);
    analyzer_detach(s);
}

void session_weird(struct session *s, enum weird_id id, const char *addl)
{
    const struct analyzer *an = analyzers[s->proto];

    engine_weird_from(s->e, id, s->f, addl, an != NULL ? an->zeek_name : NULL);
}

void session_script_weird(struct session *s, enum weird_id id, const char *addl)
{
    engine_weird_from(s->e, id, s->f, addl, NULL);
}

void session_hand_over(struct session *s, const char *service)
{
    for (int id = PROTO_UNKNOWN + 1; id < PROTO_COUNT; id++) {
        if (analyzers[id] != NULL && strcmp(analyzers[id]->name, service) == 0 &&
            (analyzers[id]->transports & session_transport(s))) {
            s->handover = (uint8_t)id;
            return;
        }
    }
}

void session_flip_roles(struct session *s)
{
    s->swap = !s->swap;
    s->f->flip_pending = !s->f->flip_pending;
}

void session_roles_flipped(struct engine *e, struct flow *f)
{
    struct session *s = f->app;
    struct session_side sd;

    (void)e;
    if (s == NULL)
        return;
    sd = s->side[0];
    s->side[0] = s->side[1];
    s->side[1] = sd;
    if (s->first_talker >= 0)
        s->first_talker = (int8_t)!s->first_talker;
    s->swap = false;
}

bool session_tcp_partial(const struct session *s)
{
    return s->f->key.proto == IPPROTO_TCP && s->f->partial;
}

int session_log(struct session *s, const struct log_schema *schema, const void *record)
{
    return log_set_write(s->e->logs, schema, record);
}

static void file_origin_fill(const struct session *s, enum flow_dir dir, const char *source, struct file_origin *o)
{
    const struct flow *f = s->f;

    memset(o, 0, sizeof(*o));
    o->uid = s->uid;
    o->orig_h = f->key.orig_h;
    o->resp_h = f->key.resp_h;
    o->orig_p = f->key.orig_p;
    o->resp_p = f->key.resp_p;
    o->is_orig = dir == FLOW_DIR_ORIG;
    o->sender_local = site_is_local(dir == FLOW_DIR_ORIG ? &f->key.orig_h : &f->key.resp_h);
    o->source = source;
}

struct file_ctx *session_file_open(struct session *s, enum flow_dir dir, const char *source, uint64_t total_bytes,
                                   const char *filename, size_t filename_len)
{
    struct file_origin o;

    file_origin_fill(s, dir, source, &o);
    return files_open(s->e->files, &o, s->now, total_bytes, filename, filename_len);
}

bool session_certificate_files(const struct session *s)
{
    return s->e->cfg.x509_in_files;
}

struct file_ctx *session_file_open_shared(struct session *s, enum flow_dir dir, const char *source, const char *key,
                                          size_t key_len, uint64_t total_bytes)
{
    struct file_origin o;
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < key_len; i++) {
        h ^= (uint8_t)key[i];
        h *= 0x100000001b3ull;
    }
    file_origin_fill(s, dir, source, &o);
    return files_open_shared(s->e->files, h, &o, s->now, total_bytes);
}

void session_set_domain(struct session *s, const char *name, size_t len)
{
    if (len >= sizeof(s->domain))
        len = sizeof(s->domain) - 1;
    memcpy(s->domain, name, len);
    s->domain[len] = '\0';
}

bool session_is_identified(const struct flow *f)
{
    const struct session *s = f->app;

    return s != NULL && (s->identified || s->detached);
}

bool session_is_confirming(const struct flow *f)
{
    const struct session *s = f->app;

    return s != NULL && s->identified && !s->detached && s->proto != PROTO_UNKNOWN && !s->confirmed;
}

const char *session_flow_uid(const struct flow *f)
{
    const struct session *s = f->app;

    return s != NULL ? s->uid : NULL;
}

const char *session_domain(const struct flow *f)
{
    const struct session *s = f->app;

    return s != NULL ? s->domain : "";
}
