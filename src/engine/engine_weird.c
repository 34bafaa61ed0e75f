/* engine/engine_weird.c - weird.log rows for anomalies, sampled as Zeek's core samples them. */
#include <stdbool.h>
#include <string.h>

#include "engine/engine_int.h"
#include "log/weird_log.h"

static void weird_write(struct engine *e, enum weird_id id, struct flow *f, const struct packet *p,
                        const char *addl, const char *source, bool once_per_flow)
{
    char uid[UID_STRLEN];
    struct weird_record r;
    const char *name = weird_name(id);
    uint64_t n;

    if ((unsigned)id >= WEIRD_COUNT)
        return;
    e->stats.weirds++;
    /* A connection-layer weird is logged once per connection and name (Weird::LOG_PER_CONN). */
    if (once_per_flow && f != NULL && id < 64) {
        uint64_t bit = (uint64_t)1 << id;

        if (f->weirds_seen & bit)
            return;
        f->weirds_seen |= bit;
    }
    /* cppcheck-suppress arrayIndexOutOfBoundsCond ; id < WEIRD_COUNT was checked above */
    n = ++e->weird_counts[id];
    if (n > WEIRD_SAMPLING_THRESHOLD && (n - WEIRD_SAMPLING_THRESHOLD) % WEIRD_SAMPLING_RATE != 0)
        return;

    weird_log_record_init(&r);
    r.ts = e->now != 0 ? e->now : (p != NULL ? p->ts : 0);
    if (p != NULL && p->ts > r.ts)
        r.ts = p->ts;
    r.name = log_str_from(name, strlen(name));
    if (f != NULL) {
        engine_uid(e, f->id, uid, sizeof(uid));
        r.uid = log_str_from(uid, strlen(uid));
        r.id.orig_h = f->key.orig_h;
        r.id.orig_p = f->key.orig_p;
        r.id.resp_h = f->key.resp_h;
        r.id.resp_p = f->key.resp_p;
        log_mark(&r.log_set, WEIRD_F_UID);
        log_mark(&r.log_set, WEIRD_F_ORIG_H);
        log_mark(&r.log_set, WEIRD_F_ORIG_P);
        log_mark(&r.log_set, WEIRD_F_RESP_H);
        log_mark(&r.log_set, WEIRD_F_RESP_P);
    } else if (p != NULL && p->ip_version != 0) {
        /* A flow weird: addresses known, no connection (ports as far as they were read). */
        r.id.orig_h = p->src;
        r.id.resp_h = p->dst;
        r.id.orig_p = p->sport;
        r.id.resp_p = p->dport;
        log_mark(&r.log_set, WEIRD_F_ORIG_H);
        log_mark(&r.log_set, WEIRD_F_ORIG_P);
        log_mark(&r.log_set, WEIRD_F_RESP_H);
        log_mark(&r.log_set, WEIRD_F_RESP_P);
    }
    if (addl != NULL) {
        r.addl = log_str_from(addl, strlen(addl));
        log_mark(&r.log_set, WEIRD_F_ADDL);
    }
    if (source != NULL) {
        r.source = log_str_from(source, strlen(source));
        log_mark(&r.log_set, WEIRD_F_SOURCE);
    }
    (void)log_set_write(e->logs, &weird_log_schema, &r);
}

void engine_weird(struct engine *e, enum weird_id id, struct flow *f, const struct packet *p, const char *addl)
{
    weird_write(e, id, f, p, addl, NULL, true);
}

void engine_weird_from(struct engine *e, enum weird_id id, struct flow *f, const char *addl, const char *source)
{
    weird_write(e, id, f, NULL, addl, source, false);
}
