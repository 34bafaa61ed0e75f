/* engine/engine_detect.c - the session layer's side of detection: forwards what analyzers
 * report (proto/session.h) to the detector with the flow described, watches unclaimed streams
 * for shells, and asks at flow end whether the flow was a callback. */
#include <netinet/in.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/shell_watch.h"
#include "engine/engine_int.h"
#include "engine/session_int.h"
#include "proto/session.h"
#include "util/ip_proto.h"

static void flow_conn(struct flow *f, const char *uid, struct detect_flow *df, struct detect_conn *c,
                      char *service, size_t size)
{
    c->uid = uid;
    c->id.orig_h = f->key.orig_h;
    c->id.orig_p = f->key.orig_p;
    c->id.resp_h = f->key.resp_h;
    c->id.resp_p = f->key.resp_p;
    c->proto = ip_proto_has_ports(f->key.proto) ? ip_proto_name(f->key.proto) : NULL;
    service[0] = '\0';
    (void)session_service(f, service, size);
    c->service = service;
    c->domain = "";
    c->df = df;
}

void session_detect_conn(struct session *s, struct detect_conn *c, char *service, size_t size)
{
    flow_conn(s->f, s->uid, &s->det, c, service, size);
    c->domain = s->domain;
}

bool session_lookup_attempt(struct session *s, enum flow_dir dir, const struct lookup_attempt *a)
{
    struct detect_conn c;
    char svc[64];

    session_detect_conn(s, &c, svc, sizeof(svc));
    /* The analyzer's direction is the connection's unless the roles were found reversed. */
    return detect_lookup_attempt(s->e->detect, &c, s->now, (dir ^ s->swap) == FLOW_DIR_ORIG, a);
}

void session_java_referral(struct session *s, enum flow_dir dir, const struct java_referral *r)
{
    struct detect_conn c;
    char svc[64];

    (void)dir;
    session_detect_conn(s, &c, svc, sizeof(svc));
    detect_java_referral(s->e->detect, &c, s->now, r);
}

bool session_java_download(struct session *s, const struct java_download *d)
{
    struct detect_conn c;
    char svc[64];

    session_detect_conn(s, &c, svc, sizeof(svc));
    return detect_java_download(s->e->detect, &c, s->now, d);
}

void session_dns_query(struct session *s, const char *name, size_t len)
{
    struct detect_conn c;
    char svc[64];

    session_detect_conn(s, &c, svc, sizeof(svc));
    detect_dns_query(s->e->detect, &c, s->now, name, len);
}

void session_dns_answer(struct session *s, const char *name, size_t name_len, const char *answer, size_t answer_len)
{
    struct detect_conn c;
    char svc[64];

    session_detect_conn(s, &c, svc, sizeof(svc));
    detect_dns_answer(s->e->detect, &c, s->now, name, name_len, answer, answer_len);
}

void session_detect_confirmed(struct session *s)
{
    struct detect_conn c;
    char svc[64];

    if (!detect_watching(s->e->detect))
        return;
    session_detect_conn(s, &c, svc, sizeof(svc));
    detect_flow_service(s->e->detect, &c, s->now);
}

void session_detect_unclaimed(struct session *s, enum flow_dir dir, const uint8_t *data, size_t len)
{
    int commander;

    if (s->det.flags & DETECT_FLOW_SHELL_DONE)
        return;
    if (s->shell.side[dir].bytes >= SHELL_WATCH_BYTES)
        return;
    shell_watch_feed(&s->shell, (int)dir, data, len);
    commander = shell_watch_commander(&s->shell);
    if (commander >= 0) {
        struct detect_conn c;
        char svc[64];

        s->det.flags |= DETECT_FLOW_SHELL_DONE;
        session_detect_conn(s, &c, svc, sizeof(svc));
        detect_shell(s->e->detect, &c, s->now, commander == 1);
    }
}

void engine_detect_flow_end(struct engine *e, struct flow *f)
{
    struct session *s = f->app;
    struct detect_conn c;
    char uid[UID_STRLEN], svc[64];

    if (f->tunnel_outer || !ip_proto_has_ports(f->key.proto) || !detect_watching(e->detect))
        return;
    if (s != NULL) {
        flow_conn(f, s->uid, &s->det, &c, svc, sizeof(svc));
        c.domain = s->domain;
    } else {
        engine_uid(e, f->id, uid, sizeof(uid));
        flow_conn(f, uid, NULL, &c, svc, sizeof(svc));
    }
    detect_flow_end(e->detect, &c, e->now);
}
