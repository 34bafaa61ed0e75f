/* detect/notice.c - notice.log rows with Zeek's suppression by identifier. */
#include <stdlib.h>
#include <string.h>

#include "detect/notice.h"
#include "log/notice_log.h"

static const char *const notice_names[NOTICE_COUNT] = {
#define NOTICE_NAME(id, name, msg) [NOTICE_##id] = (name),
    NOTICE_LIST(NOTICE_NAME)
#undef NOTICE_NAME
};

static const char *const notice_msgs[NOTICE_COUNT] = {
#define NOTICE_MSG(id, name, msg) [NOTICE_##id] = (msg),
    NOTICE_LIST(NOTICE_MSG)
#undef NOTICE_MSG
};

struct notices {
    struct log_set    *logs;
    pw_time            suppress_for;
    uint64_t           written[NOTICE_COUNT];
    uint64_t           suppressed;
    struct notice_slot *slots;        /* own_slots, or a table shared with other processes */
    struct notice_slot own_slots[NOTICE_SUPPRESS_SLOTS];
};

#define PROBE_WINDOW 16u

struct notices *notices_create(struct log_set *logs, pw_time suppress_for)
{
    return notices_create_shared(logs, suppress_for, NULL);
}

struct notices *notices_create_shared(struct log_set *logs, pw_time suppress_for, struct notice_slot *shared)
{
    struct notices *n = calloc(1, sizeof(*n));

    if (n == NULL)
        return NULL;
    n->slots = shared != NULL ? shared : n->own_slots;
    n->logs = logs;
    n->suppress_for = suppress_for;
    return n;
}

void notices_free(struct notices *n)
{
    free(n);
}

const char *notice_name(enum notice_type t)
{
    return t < NOTICE_COUNT ? notice_names[t] : "?";
}

uint64_t notices_count(const struct notices *n, enum notice_type t)
{
    return t < NOTICE_COUNT ? n->written[t] : 0;
}

uint64_t notices_suppressed(const struct notices *n)
{
    return n->suppressed;
}

/* FNV-1a, 64 bits: identifiers are short and this is off the packet path. */
static uint64_t identifier_hash(enum notice_type t, const char *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)t;

    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)p[i];
        h *= 0x100000001b3ull;
    }
    return h == 0 ? 1 : h;
}

/* True if the identifier is under suppression; otherwise starts its suppression. */
static bool suppressed(struct notices *n, const struct notice *x)
{
    uint64_t key = identifier_hash(x->type, x->identifier, x->identifier_len);
    struct notice_slot *victim = NULL;

    for (unsigned i = 0; i < PROBE_WINDOW; i++) {
        struct notice_slot *s = &n->slots[(key + i) & (NOTICE_SUPPRESS_SLOTS - 1)];

        if (s->key == key) {
            if (x->ts < s->until)
                return true;
            victim = s;
            break;
        }
        if (victim == NULL || s->key == 0 || s->until < victim->until)
            victim = s;
    }
    victim->key = key;
    victim->until = x->ts + n->suppress_for;
    return false;
}

bool notices_raise(struct notices *n, const struct notice *x)
{
    static const struct log_str action = {"Notice::ACTION_LOG", 18};
    struct notice_record r;
    uint64_t *m = &r.log_set;

    if (x->type >= NOTICE_COUNT)
        return false;
    if (x->identifier != NULL && n->suppress_for > 0 && suppressed(n, x)) {
        n->suppressed++;
        return false;
    }
    memset(&r, 0, sizeof(r));
    r.ts = x->ts;
    if (x->uid != NULL && x->id != NULL) {
        r.uid = log_str_from(x->uid, strlen(x->uid));
        r.id = *x->id;
        r.src = x->id->orig_h;
        r.dst = x->id->resp_h;
        r.p = x->id->resp_p;
        for (unsigned f = NOTICE_F_UID; f <= NOTICE_F_RESP_P; f++)
            log_mark(m, f);
        log_mark(m, NOTICE_F_SRC);
        log_mark(m, NOTICE_F_DST);
        log_mark(m, NOTICE_F_P);
    }
    if (x->proto != NULL) {
        r.proto = log_str_from(x->proto, strlen(x->proto));
        log_mark(m, NOTICE_F_PROTO);
    }
    if (x->fuid != NULL) {
        r.fuid = log_str_from(x->fuid, strlen(x->fuid));
        log_mark(m, NOTICE_F_FUID);
    }
    if (x->file_mime_type != NULL) {
        r.file_mime_type = log_str_from(x->file_mime_type, strlen(x->file_mime_type));
        log_mark(m, NOTICE_F_FILE_MIME_TYPE);
    }
    r.note = log_str_from(notice_names[x->type], strlen(notice_names[x->type]));
    r.msg = log_str_from(notice_msgs[x->type], strlen(notice_msgs[x->type]));
    log_mark(m, NOTICE_F_MSG);
    if (x->sub != NULL) {
        r.sub = log_str_from(x->sub, x->sub_len);
        log_mark(m, NOTICE_F_SUB);
    }
    r.actions.items = &action;
    r.actions.n = 1;
    r.suppress_for = n->suppress_for;
    if (x->incident != NULL) {
        r.incident_id = log_str_from(x->incident, strlen(x->incident));
        log_mark(m, NOTICE_F_INCIDENT_ID);
    }
    n->written[x->type]++;
    (void)log_set_write(n->logs, &notice_log_schema, &r);
    return true;
}
