/* engine/engine_baseline.c - after learning: flows outside the baseline policy become
 * Baseline::New_Egress notices, once per tuple. */
#include "engine/engine_baseline_int.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/notice.h"
#include "engine/engine_int.h"
#include "engine/session_int.h"
#include "learn/baseline.h"
#include "policy/policy.h"
#include "util/site.h"
#include "util/ip_proto.h"

/* What the baseline's context holds: its notices, and the watch whose suppression they share
 * (sniff's workers) or NULL. */
struct baseline_notices {
    struct notices      *n;
    struct detect_watch *w;
};

static void baseline_notices_free(void *ctx)
{
    struct baseline_notices *bn = ctx;

    notices_free(bn->n);
    free(bn);
}

struct baseline *engine_baseline_create(const struct engine_config *cfg, struct log_set *logs, char *err,
                                        size_t errlen)
{
    double suppress = cfg->notice_suppress < 0 ? NOTICE_SUPPRESS_DEFAULT : cfg->notice_suppress;
    struct policy *p = policy_load_file_msg(cfg->baseline_policy, err, errlen);
    struct baseline_notices *bn;
    struct baseline *b;

    if (p == NULL)
        return NULL;
    b = baseline_create(p, 0);
    bn = b != NULL ? calloc(1, sizeof(*bn)) : NULL;
    if (bn != NULL) {
        bn->w = cfg->detect_shared;
        bn->n = detect_watch_notices_create(bn->w, logs, (pw_time)(suppress * (double)PW_SEC));
    }
    if (bn == NULL || bn->n == NULL) {
        free(bn);
        baseline_free(b);
        snprintf(err, errlen, "out of memory loading the baseline policy");
        return NULL;
    }
    baseline_set_ctx(b, bn, baseline_notices_free);
    return b;
}

int engine_baseline_reload(struct engine *e, char *err, size_t errlen)
{
    struct policy *p;

    if (e->baseline == NULL)
        return 0;
    p = policy_load_file_msg(e->cfg.baseline_policy, err, errlen);
    if (p == NULL)
        return -1;
    baseline_set_policy(e->baseline, p);
    return 0;
}

void engine_baseline_free(struct baseline *b)
{
    baseline_free(b);
}

uint64_t engine_baseline_notices(const struct engine *e)
{
    const struct baseline_notices *bn = e->baseline != NULL ? baseline_ctx(e->baseline) : NULL;

    return bn != NULL ? notices_count(bn->n, NOTICE_BASELINE_NEW_EGRESS) : 0;
}

void engine_baseline_flow_end(struct engine *e, const struct flow *f)
{
    struct baseline_notices *bn;
    struct policy_flow pf;
    struct log_conn_id id;
    struct notice x;
    char service[64], uid[UID_STRLEN], tuple[512];
    const char *domain;
    size_t n;

    /* Outbound as conn.log says it: local originator, remote responder. A tunnel's outer flow is
     * the mirror session, not the host's traffic. */
    if (e->baseline == NULL || f->tunnel_outer || !ip_proto_tracked(f->key.proto) ||
        !site_is_local(&f->key.orig_h) || site_is_local(&f->key.resp_h))
        return;
    memset(&pf, 0, sizeof(pf));
    pf.src = f->key.orig_h;
    pf.dst = f->key.resp_h;
    pf.src_port = f->key.orig_p;
    pf.dst_port = f->key.resp_p;
    pf.ip_proto = f->key.proto;
    pf.dir = POLICY_DIR_OUTBOUND;
    /* The engine sees packets, not sockets: a rule learned per process holds for its traffic. */
    pf.owner_unseen = true;
    n = session_service(f, service, sizeof(service));
    pf.app = baseline_app(service, n);
    domain = session_domain(f);
    if (domain != NULL && domain[0] != '\0') {
        pf.domain = domain;
        pf.domain_len = strlen(domain);
    }
    if (baseline_check(e->baseline, &pf) != BASELINE_NEW)
        return;
    n = baseline_tuple_text(&pf, tuple, sizeof(tuple));
    engine_uid(e, f->id, uid, sizeof(uid));
    id.orig_h = f->key.orig_h;
    id.orig_p = f->key.orig_p;
    id.resp_h = f->key.resp_h;
    id.resp_p = f->key.resp_p;
    memset(&x, 0, sizeof(x));
    x.type = NOTICE_BASELINE_NEW_EGRESS;
    x.ts = e->now;
    x.uid = uid;
    x.id = &id;
    x.proto = ip_proto_name(f->key.proto);
    x.sub = tuple;
    x.sub_len = n;
    x.identifier = tuple;
    x.identifier_len = n;
    bn = baseline_ctx(e->baseline);
    (void)detect_watch_notice_raise(bn->w, bn->n, &x);
}
