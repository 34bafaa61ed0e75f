/* proto/http.c - the HTTP analyzer: line and body framing per direction as Zeek's HTTP
 * analyzer does it, request/reply pairing as Zeek's http scripts do it, and http.log. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/analyzer.h"
#include "proto/http.h"
#include "proto/http_int.h"
#include "proto/session.h"

void (*http_header_hook)(struct session *s, enum flow_dir dir, const char *name, size_t nlen, const char *value,
                         size_t vlen) = NULL;
bool http_capture_password = false;
struct http_stats http_counters;

#define R struct http_record
#define OPT LOG_OPTIONAL

static const struct log_field http_log_fields[HTTP_F_COUNT] = {
    LOG_COMMON_FIELDS(R),
    [HTTP_F_TRANS_DEPTH]       = LOG_FIELD(R, trans_depth, "trans_depth", LOG_COUNT, 0),
    [HTTP_F_METHOD]            = LOG_FIELD(R, method, "method", LOG_STRING, OPT),
    [HTTP_F_HOST]              = LOG_FIELD(R, host, "host", LOG_STRING, OPT),
    [HTTP_F_URI]               = LOG_FIELD(R, uri, "uri", LOG_STRING, OPT),
    [HTTP_F_REFERRER]          = LOG_FIELD(R, referrer, "referrer", LOG_STRING, OPT),
    [HTTP_F_VERSION]           = LOG_FIELD(R, version, "version", LOG_STRING, OPT),
    [HTTP_F_USER_AGENT]        = LOG_FIELD(R, user_agent, "user_agent", LOG_STRING, OPT),
    [HTTP_F_ORIGIN]            = LOG_FIELD(R, origin, "origin", LOG_STRING, OPT),
    [HTTP_F_REQUEST_BODY_LEN]  = LOG_FIELD(R, request_body_len, "request_body_len", LOG_COUNT, 0),
    [HTTP_F_RESPONSE_BODY_LEN] = LOG_FIELD(R, response_body_len, "response_body_len", LOG_COUNT, 0),
    [HTTP_F_STATUS_CODE]       = LOG_FIELD(R, status_code, "status_code", LOG_COUNT, OPT),
    [HTTP_F_STATUS_MSG]        = LOG_FIELD(R, status_msg, "status_msg", LOG_STRING, OPT),
    [HTTP_F_INFO_CODE]         = LOG_FIELD(R, info_code, "info_code", LOG_COUNT, OPT),
    [HTTP_F_INFO_MSG]          = LOG_FIELD(R, info_msg, "info_msg", LOG_STRING, OPT),
    [HTTP_F_TAGS]              = LOG_FIELD(R, tags, "tags", LOG_SET_ENUM, 0),
    [HTTP_F_USERNAME]          = LOG_FIELD(R, username, "username", LOG_STRING, OPT),
    [HTTP_F_PASSWORD]          = LOG_FIELD(R, password, "password", LOG_STRING, OPT),
    [HTTP_F_PROXIED]           = LOG_FIELD(R, proxied, "proxied", LOG_SET_STRING, OPT),
    [HTTP_F_ORIG_FUIDS]        = LOG_FIELD(R, orig_fuids, "orig_fuids", LOG_VEC_STRING, OPT),
    [HTTP_F_ORIG_FILENAMES]    = LOG_FIELD(R, orig_filenames, "orig_filenames", LOG_VEC_STRING, OPT),
    [HTTP_F_ORIG_MIME_TYPES]   = LOG_FIELD(R, orig_mime_types, "orig_mime_types", LOG_VEC_STRING, OPT),
    [HTTP_F_RESP_FUIDS]        = LOG_FIELD(R, resp_fuids, "resp_fuids", LOG_VEC_STRING, OPT),
    [HTTP_F_RESP_FILENAMES]    = LOG_FIELD(R, resp_filenames, "resp_filenames", LOG_VEC_STRING, OPT),
    [HTTP_F_RESP_MIME_TYPES]   = LOG_FIELD(R, resp_mime_types, "resp_mime_types", LOG_VEC_STRING, OPT),
};

#undef R
#undef OPT

_Static_assert(HTTP_F_RESP_P == 5 && HTTP_F_TRANS_DEPTH == 6, "LOG_COMMON_FIELDS fills indexes 0-5");
_Static_assert(sizeof(struct http_state) <= 32768, "HTTP state fits the 32 KiB analyzer state class");
_Static_assert(HTTP_ARENA < 65536, "arena offsets are 16 bits");

const struct log_schema http_log_schema = LOG_SCHEMA("http", http_log_fields);

void http_stats_get(struct http_stats *out)
{
    *out = http_counters;
}

/* ---- pending transactions: Zeek's c$http_state$pending ---- */

static struct http_tx *tx_find(struct http_state *st, uint32_t key)
{
    struct http_tx *t = &st->tx[key % HTTP_TX_SLOTS];

    return t->live && t->key == key ? t : NULL;
}

/* Moves every live string to the front of the arena, dropping those of logged records. */
static void arena_compact(struct http_state *st)
{
    char tmp[HTTP_ARENA];
    uint16_t o = 0;

    for (unsigned i = 0; i < HTTP_TX_SLOTS; i++) {
        struct http_tx *t = &st->tx[i];

        if (!t->live)
            continue;
        for (unsigned k = 0; k < HTTP_S_COUNT; k++) {
            if (!(t->has & (1u << k)))
                continue;
            memcpy(tmp + o, st->arena + t->s[k].off, t->s[k].len);
            t->s[k].off = o;
            o = (uint16_t)(o + t->s[k].len);
        }
    }
    memcpy(st->arena, tmp, o);
    st->arena_tail = o;
}

void http_tx_set_str(struct http_state *st, uint32_t key, unsigned which, const char *p, size_t n)
{
    struct http_tx *t = tx_find(st, key);

    if (t == NULL || which >= HTTP_S_COUNT)
        return;
    t->has &= ~(1u << which);
    if (st->arena_tail + n > HTTP_ARENA)
        arena_compact(st);
    if (st->arena_tail + n > HTTP_ARENA) {
        http_counters.arena_full++;
        n = HTTP_ARENA - st->arena_tail;
    }
    memcpy(st->arena + st->arena_tail, p, n);
    t->s[which].off = st->arena_tail;
    t->s[which].len = (uint16_t)n;
    t->has |= 1u << which;
    st->arena_tail = (uint16_t)(st->arena_tail + n);
}

bool http_tx_str(const struct http_state *st, const struct http_tx *t, unsigned which, const char **p, size_t *n)
{
    if (which >= HTTP_S_COUNT || !(t->has & (1u << which)))
        return false;
    *p = st->arena + t->s[which].off;
    *n = t->s[which].len;
    return true;
}

static void tx_str(const struct http_state *st, const struct http_tx *t, unsigned which, struct log_str *dst,
                   uint64_t *set, unsigned field)
{
    if (!(t->has & (1u << which)))
        return;
    *dst = log_str_from(st->arena + t->s[which].off, t->s[which].len);
    log_mark(set, field);
}

static void tx_free(struct http_state *st, struct http_tx *t)
{
    t->live = false;
    if (--st->n_pending == 0)
        st->arena_tail = 0;
}

static void tx_log(struct session *s, struct http_state *st, struct http_tx *t)
{
    struct http_record r;
    struct log_str proxied[HTTP_PROXIED_MAX], files[2][3];
    struct log_str_list *lists[2][3];

    memset(&r, 0, sizeof(r));
    r.ts = t->ts;
    session_conn_id(s, &r.uid, &r.id);
    r.trans_depth = t->depth;
    tx_str(st, t, HTTP_S_METHOD, &r.method, &r.log_set, HTTP_F_METHOD);
    tx_str(st, t, HTTP_S_HOST, &r.host, &r.log_set, HTTP_F_HOST);
    tx_str(st, t, HTTP_S_URI, &r.uri, &r.log_set, HTTP_F_URI);
    tx_str(st, t, HTTP_S_REFERRER, &r.referrer, &r.log_set, HTTP_F_REFERRER);
    tx_str(st, t, HTTP_S_USER_AGENT, &r.user_agent, &r.log_set, HTTP_F_USER_AGENT);
    tx_str(st, t, HTTP_S_ORIGIN, &r.origin, &r.log_set, HTTP_F_ORIGIN);
    tx_str(st, t, HTTP_S_USERNAME, &r.username, &r.log_set, HTTP_F_USERNAME);
    tx_str(st, t, HTTP_S_PASSWORD, &r.password, &r.log_set, HTTP_F_PASSWORD);
    tx_str(st, t, HTTP_S_STATUS_MSG, &r.status_msg, &r.log_set, HTTP_F_STATUS_MSG);
    tx_str(st, t, HTTP_S_INFO_MSG, &r.info_msg, &r.log_set, HTTP_F_INFO_MSG);
    if (t->version_len > 0) {
        r.version = log_str_from(t->version, t->version_len);
        log_mark(&r.log_set, HTTP_F_VERSION);
    }
    r.request_body_len = t->body_len[FLOW_DIR_ORIG];
    r.response_body_len = t->body_len[FLOW_DIR_RESP];
    if (t->set & (1u << 0)) {
        r.status_code = t->status_code;
        log_mark(&r.log_set, HTTP_F_STATUS_CODE);
    }
    if (t->set & (1u << 1)) {
        r.info_code = t->info_code;
        log_mark(&r.log_set, HTTP_F_INFO_CODE);
    }
    if (t->n_proxied > 0) {
        for (unsigned i = 0; i < t->n_proxied; i++)
            tx_str(st, t, HTTP_S_PROXIED + i, &proxied[i], &r.log_set, HTTP_F_PROXIED);
        r.proxied.items = proxied;
        r.proxied.n = t->n_proxied;
    }
    if (t->log4j_tag) {
        static const struct log_str tag = {"CVE_2021_44228::LOG4J_RCE", 25};

        r.tags.items = &tag;
        r.tags.n = 1;
    }
    lists[0][0] = &r.orig_fuids;
    lists[0][1] = &r.orig_filenames;
    lists[0][2] = &r.orig_mime_types;
    lists[1][0] = &r.resp_fuids;
    lists[1][1] = &r.resp_filenames;
    lists[1][2] = &r.resp_mime_types;
    for (unsigned d = 0; d < 2; d++) {
        static const unsigned base[3] = {HTTP_S_FUID, HTTP_S_FNAME, HTTP_S_MIME};

        for (unsigned k = 0; k < 3; k++) {
            uint64_t dummy = 0;

            tx_str(st, t, base[k] + d, &files[d][k], &dummy, 0);
            if (dummy != 0) {
                lists[d][k]->items = &files[d][k];
                lists[d][k]->n = 1;
                log_mark(&r.log_set, (unsigned)(d == 0 ? HTTP_F_ORIG_FUIDS : HTTP_F_RESP_FUIDS) + k);
            }
        }
    }
    (void)session_log(s, &http_log_schema, &r);
    tx_free(st, t);
}

/* Zeek's set_state(): the record for this side's current index, created when missing. */
struct http_tx *http_set_state(struct session *s, struct http_state *st, enum flow_dir dir)
{
    uint32_t key = dir == FLOW_DIR_ORIG ? st->current_request : st->current_response;
    struct http_tx *t = tx_find(st, key);

    if (t == NULL) {
        t = &st->tx[key % HTTP_TX_SLOTS];
        if (t->live) {
            /* slot taken by a record far outside Zeek's window: write it now */
            http_counters.slots_full++;
            tx_log(s, st, t);
        }
        memset(t, 0, sizeof(*t));
        t->key = key;
        t->live = true;
        t->ts = session_now(s);
        t->depth = ++st->trans_depth;
        st->n_pending++;
    }
    st->c_http = key;
    st->c_http_set = true;
    return t;
}

/* ---- the core analyzer's bookkeeping ---- */

void http_weird_str(struct session *s, enum weird_id id, const char *p, size_t n, bool from_script)
{
    char buf[256];

    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (from_script)
        session_script_weird(s, id, buf);   /* Zeek raises it from http/main.zeek: no source */
    else
        session_weird(s, id, buf);
}

static void set_version(struct session *s, struct http_state *st, struct http_version *v, struct http_version nv)
{
    if (v->major == 0 && v->minor == 0) {
        *v = nv;
    } else if (v->major != nv.major || v->minor != nv.minor) {
        session_weird(s, WEIRD_HTTP_VERSION_MISMATCH, NULL);
        *v = nv;
    }
    if (v->major > 1 || (v->major == 1 && v->minor > 0))
        st->keep_alive = true;
}

static void confirm(struct session *s, struct http_state *st)
{
    if (!st->confirmed) {
        st->confirmed = true;
        session_confirm(s);
    }
}

/* DPD: a confirmed analyzer goes at its first violation, an unconfirmed one after
 * HTTP_MAX_VIOLATIONS; none after HTTP_IGNORE_VIOLATIONS_AFTER bytes. True: st is gone. */
static bool violation(struct session *s, struct http_state *st, const char *why)
{
    if (st->bytes_seen > HTTP_IGNORE_VIOLATIONS_AFTER)
        return false;
    if (!st->confirmed && ++st->violations <= HTTP_MAX_VIOLATIONS)
        return false;
    session_violation(s, why, NULL, 0);
    return true;
}

static void unanswered_push(struct http_state *st, bool is_head)
{
    unsigned i;

    if (st->unans_n == HTTP_UNANSWERED_MAX)
        return;   /* beyond the cap the HEAD rule is not known; bodies are then expected */
    i = (st->unans_head + st->unans_n) % HTTP_UNANSWERED_MAX;
    if (is_head)
        st->unans_is_head[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        st->unans_is_head[i / 8] &= (uint8_t)~(1u << (i % 8));
    st->unans_n++;
}

static void unanswered_pop(struct http_state *st)
{
    if (st->unans_n == 0)
        return;
    st->unans_head = (uint16_t)((st->unans_head + 1) % HTTP_UNANSWERED_MAX);
    st->unans_n--;
}

static int expect_reply_body(const struct http_state *st)
{
    unsigned h = st->unans_head;

    if (st->unans_n > 0 && (st->unans_is_head[h / 8] & (1u << (h % 8))))
        return HTTP_BODY_NOT_EXPECTED;
    if ((st->reply_code >= 100 && st->reply_code < 200) || st->reply_code == 204 || st->reply_code == 304)
        return HTTP_BODY_NOT_EXPECTED;
    return HTTP_BODY_EXPECTED;
}

static void msg_begin(struct http_state *st, enum flow_dir dir, int expect_body)
{
    struct http_dir *d = &st->d[dir];

    http_body_release(d);
    memset(d, 0, offsetof(struct http_dir, z));
    d->state = HTTP_P_HEADERS;
    d->ongoing = true;
    d->have_message = true;
    d->expect_body = (uint8_t)expect_body;
    d->content_length = -1;
    d->instance_length = -1;
}

/* HTTP_Message::Done, http_message_done in the scripts, then RequestMade / ReplyMade. */
static void msg_done(struct session *s, struct http_state *st, enum flow_dir dir, bool interrupted)
{
    struct http_dir *d = &st->d[dir];
    struct http_tx *t;

    if (!d->ongoing)
        return;
    d->ongoing = false;
    http_body_end(s, st, dir);
    t = http_set_state(s, st, dir);
    t->body_len[dir] = d->body_len;
    if (dir == FLOW_DIR_RESP && !((t->set & 1u) && t->status_code >= 100 && t->status_code <= 199)) {
        http_detect_response_done(s, st, t);
        tx_log(s, st, t);
    }
    if (dir == FLOW_DIR_ORIG) {
        d->state = interrupted ? HTTP_P_NOTHING : HTTP_P_FIRST;
        return;
    }
    if (st->reply_code < 100 || st->reply_code >= 200)
        unanswered_pop(st);
    if (st->reply_code == 101 && st->unans_n == 1 && st->upgrade_connection && st->upgrade_protocol)
        st->upgraded = true;
    st->reply_code = 0;
    st->upgrade_connection = false;
    st->upgrade_protocol = false;
    d->state = interrupted || st->upgraded ? HTTP_P_NOTHING : HTTP_P_FIRST;
}

/* The headers ended (HTTP_Entity::SubmitAllHeaders): how the body is framed. */
static void headers_done(struct session *s, struct http_state *st, enum flow_dir dir)
{
    struct http_dir *d = &st->d[dir];

    /* NOLINTNEXTLINE(bugprone-branch-clone): the last branch repeats this; the framings between outrank it */
    if (d->state == HTTP_P_TRAILER || d->expect_body == HTTP_BODY_NOT_EXPECTED) {
        msg_done(s, st, dir, false);
    } else if (d->chunked) {
        d->state = HTTP_P_CHUNK_SIZE;
    } else if (d->content_length >= 0) {
        d->remaining = d->content_length;
        d->state = HTTP_P_BODY_CL;
        if (d->content_length == 0)
            msg_done(s, st, dir, false);
    } else if (st->connection_close || d->encoding != HTTP_ENC_IDENTITY) {
        d->state = HTTP_P_BODY_EOF;
    } else if (d->expect_body != HTTP_BODY_EXPECTED) {
        msg_done(s, st, dir, false);
    } else {
        d->state = HTTP_P_BODY_LINES;
    }
}

/* ---- scripts: http_request / http_reply ---- */

static void script_request(struct session *s, struct http_state *st, const struct http_request_line *rl,
                           const char *uri, size_t uri_len)
{
    struct http_tx *t;

    if (st->current_request < st->current_response) {
        session_weird(s, WEIRD_HTTP_RESPONSE_BEFORE_REQUEST, NULL);
        st->current_request = st->current_response;
    }
    if (st->n_pending > HTTP_PENDING_MAX) {
        session_weird(s, WEIRD_HTTP_EXCESSIVE_PIPELINING, NULL);
        http_counters.pipelining_flush++;
        if (st->current_response == 0)
            ++st->current_response;
        while (st->current_response < st->current_request) {
            struct http_tx *old = tx_find(st, st->current_response);

            if (old != NULL)
                tx_log(s, st, old);
            ++st->current_response;
        }
    }
    ++st->current_request;
    t = http_set_state(s, st, FLOW_DIR_ORIG);
    http_tx_set_str(st, t->key, HTTP_S_METHOD, rl->method, rl->method_len);
    http_tx_set_str(st, t->key, HTTP_S_URI, uri, uri_len);
    http_detect_request(s, st, t);
    if (!http_known_method(rl->method, rl->method_len))
        http_weird_str(s, WEIRD_UNKNOWN_HTTP_METHOD, rl->method, rl->method_len, true);
}

static void script_reply(struct session *s, struct http_state *st, unsigned code, const char *reason,
                         size_t reason_len)
{
    struct http_tx *t = tx_find(st, st->current_response);

    if (t == NULL || ((t->set & 1u) && !(t->status_code >= 100 && t->status_code <= 199)))
        ++st->current_response;
    t = http_set_state(s, st, FLOW_DIR_RESP);
    t->status_code = (uint16_t)code;
    t->set |= 1u;
    http_tx_set_str(st, t->key, HTTP_S_STATUS_MSG, reason, reason_len);
    t->version_len = (uint8_t)snprintf(t->version, sizeof(t->version), "%u.%u", st->rep_ver.major % 10u,
                                       st->rep_ver.minor % 10u);
    if (code >= 100 && code <= 199) {
        t->info_code = (uint16_t)code;
        t->set |= 2u;
        http_tx_set_str(st, t->key, HTTP_S_INFO_MSG, reason, reason_len);
    }
}

/* ---- lines ---- */

enum step { STEP_OK, STEP_WAIT, STEP_GONE };

/* A request line. */
static enum step request_line(struct session *s, struct http_state *st, const char *line, size_t len)
{
    struct http_request_line rl;
    enum http_req_result r = http_parse_request_line(line, len, &rl);
    char uri[HTTP_LINE_MAX];
    size_t uri_len = 0;
    unsigned uflags = 0;

    if (rl.flags & HTTP_RL_LOWERCASE)
        session_weird(s, WEIRD_LOWERCASE_HTTP_KEYWORD, NULL);
    if (rl.flags & HTTP_RL_MISSING_URI)
        session_weird(s, WEIRD_MISSING_HTTP_URI, NULL);
    if (rl.set_version)
        set_version(s, st, &st->req_ver, rl.version);
    if (rl.parsed) {
        uri_len = http_unescape_uri(rl.uri, rl.uri_len < sizeof(uri) ? rl.uri_len : sizeof(uri), uri, &uflags);
        if (uflags & HTTP_UNESC_ILLEGAL_END)
            session_weird(s, WEIRD_ILLEGAL_PCT_AT_END_OF_URI, NULL);
        if (uflags & HTTP_UNESC_PARTIAL_END)
            session_weird(s, WEIRD_PARTIAL_ESCAPE_AT_END_OF_URI, NULL);
        if (uflags & HTTP_UNESC_DOUBLE)
            session_weird(s, WEIRD_DOUBLE_PCT_IN_URI, NULL);
        if (uflags & HTTP_UNESC_UNESCAPED)
            session_weird(s, WEIRD_UNESCAPED_PCT_IN_URI, NULL);
    }
    if (r == HTTP_REQ_OK && st->req_ver.major == 0 && st->req_ver.minor == 9 &&
        (rl.method_len < 3 || rl.uri_len == 0))
        r = HTTP_REQ_BAD;
    if (r != HTTP_REQ_OK) {
        session_weird(s, r == HTTP_REQ_BAD_WITH_VERSION ? WEIRD_BAD_HTTP_REQUEST_WITH_VERSION : WEIRD_BAD_HTTP_REQUEST,
                      NULL);
        http_detect_bad_request_line(s, st, line, len);
        if (!(st->num_requests == 0 || st->keep_alive))
            return STEP_OK;   /* crud after the request: Zeek only raises an event */
        if (len == 0) {
            session_weird(s, WEIRD_EMPTY_HTTP_REQUEST, NULL);
            return STEP_OK;
        }
        st->d[FLOW_DIR_ORIG].state = HTTP_P_NOTHING;
        return violation(s, st, "not a http request line") ? STEP_GONE : STEP_OK;
    }
    st->num_requests++;
    if (!st->keep_alive && st->num_requests > 1)
        session_weird(s, WEIRD_UNEXPECTED_MULTIPLE_HTTP_REQUESTS, NULL);
    unanswered_push(st, rl.method_len <= 4 && strncasecmp(rl.method, "HEAD", rl.method_len) == 0);
    confirm(s, st);
    if (rl.method_len <= 7 && strncasecmp(rl.method, "CONNECT", rl.method_len) == 0)
        st->connect_request = true;
    script_request(s, st, &rl, uri, uri_len);
    msg_begin(st, FLOW_DIR_ORIG, HTTP_BODY_MAYBE);
    if (st->req_ver.major == 0 && st->req_ver.minor == 9) {
        if (rl.method_len != 3 || memcmp(rl.method, "GET", 3) != 0)
            http_weird_str(s, WEIRD_INVALID_HTTP09_METHOD, rl.method, rl.method_len, false);
        if (st->d[FLOW_DIR_RESP].have_message) {
            session_weird(s, WEIRD_HTTP09_REPLY_BEFORE_REQUEST, NULL);
            msg_done(s, st, FLOW_DIR_RESP, false);
            st->d[FLOW_DIR_RESP].have_message = false;
        }
        st->d[FLOW_DIR_RESP].state = HTTP_P_HTTP09;
        st->http09_started = false;
    }
    return STEP_OK;
}

static enum step reply_line(struct session *s, struct http_state *st, const char *line, size_t len)
{
    struct http_reply_line rp;
    bool ok = http_parse_reply_line(line, len, &rp);

    if (rp.lowercase)
        session_weird(s, WEIRD_LOWERCASE_HTTP_KEYWORD, NULL);
    if (rp.prefix_ok)
        set_version(s, st, &st->rep_ver, rp.version);
    if (!ok) {
        if (len == 0)
            return STEP_OK;
        st->d[FLOW_DIR_RESP].state = HTTP_P_NOTHING;
        return violation(s, st, "not a http reply line") ? STEP_GONE : STEP_OK;
    }
    st->num_replies++;
    if (st->unans_n > 0)
        confirm(s, st);
    st->reply_code = (uint16_t)rp.code;
    if (rp.reason != NULL)
        script_reply(s, st, rp.code, rp.reason, rp.reason_len);
    else
        script_reply(s, st, rp.code, "<empty>", 7);
    if (st->connect_request && rp.code != 200)
        st->connect_request = false;
    msg_begin(st, FLOW_DIR_RESP, expect_reply_body(st));
    return STEP_OK;
}

/* ---- framing ---- */

/* The end of the first line: false when there is none yet, or a CR ends the data (its LF may
 * follow). A lone CR or LF ends a line too, as Zeek's ContentLine analyzer has it. */
static bool find_eol(const uint8_t *p, size_t n, size_t *ll, size_t *el)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            *ll = i;
            *el = 1;
            return true;
        }
        if (p[i] == '\r') {
            if (i + 1 == n)
                return false;
            *ll = i;
            *el = p[i + 1] == '\n' ? 2 : 1;
            return true;
        }
    }
    return false;
}

static void start_http09(struct session *s, struct http_state *st)
{
    struct http_version v09 = {0, 9};

    st->http09_started = true;
    set_version(s, st, &st->rep_ver, v09);
    if (st->unans_n > 0) {
        confirm(s, st);
        unanswered_pop(st);
    }
    st->connection_close = true;
    script_reply(s, st, st->reply_code, "<empty>", 7);
    msg_begin(st, FLOW_DIR_RESP, expect_reply_body(st));
    headers_done(s, st, FLOW_DIR_RESP);
}

/* Body delivered in line mode: each line counts its bytes and two for the line end. */
static enum step body_lines(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p,
                            size_t n, size_t *used)
{
    struct http_dir *d = &st->d[dir];
    size_t i = 0;

    while (i < n && p[i] != '\r' && p[i] != '\n')
        i++;
    http_body_data(s, st, dir, p, i);
    if (i == n || (p[i] == '\r' && i + 1 == n)) {
        d->line_open = i > 0 || d->line_open;
        *used = i;
        return i == n ? STEP_OK : STEP_WAIT;
    }
    http_body_data(s, st, dir, (const uint8_t *)"\r\n", 2);
    if (i == 0 && !d->line_open && dir == FLOW_DIR_RESP && st->connect_request)
        st->tunnel = true;
    d->line_open = false;
    *used = i + (p[i] == '\r' && p[i + 1] == '\n' ? 2 : 1);
    return STEP_OK;
}

/* A header line, joined with the lines folded under it; waits until the next line shows. */
static enum step headers_step(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p,
                              size_t n, size_t ll, size_t el, size_t *used)
{
    char buf[HTTP_LINE_MAX];
    size_t pos = ll + el, bl = ll < sizeof(buf) ? ll : sizeof(buf), l2, e2;
    bool folded = false;

    if (ll == 0) {
        *used = el;
        headers_done(s, st, dir);
        if (dir == FLOW_DIR_RESP && st->connect_request)
            st->tunnel = true;   /* the reply to CONNECT ended its headers: a tunnel now */
        return STEP_OK;
    }
    if (el != 0 && pos >= n && n < HTTP_LINE_MAX)
        return STEP_WAIT;
    memcpy(buf, p, bl);   /* a line over the cap is cut, as the line reader cuts it */
    while (el != 0 && pos < n && (p[pos] == ' ' || p[pos] == '\t')) {
        if (!find_eol(p + pos, n - pos, &l2, &e2)) {
            if (n < HTTP_LINE_MAX)
                return STEP_WAIT;
            break;
        }
        if (bl + l2 <= sizeof(buf)) {
            memcpy(buf + bl, p + pos, l2);
            bl += l2;
        }
        pos += l2 + e2;
        folded = true;
        if (pos >= n && n < HTTP_LINE_MAX)
            return STEP_WAIT;
    }
    *used = pos;
    if (st->d[dir].nheaders < HTTP_HEADERS_MAX + 1 || http_header_hook != NULL)
        http_header_line(s, st, dir, buf, bl, folded);
    return STEP_OK;
}

static enum step step(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p, size_t n,
                      size_t *used)
{
    struct http_dir *d = &st->d[dir];
    size_t k, ll = 0, el;
    int64_t sz;

    *used = 0;
    switch (d->state) {
    case HTTP_P_NOTHING:
        *used = n;
        return STEP_OK;
    case HTTP_P_BODY_CL:
    case HTTP_P_CHUNK_DATA:
        k = (uint64_t)d->remaining < n ? (size_t)d->remaining : n;
        http_body_data(s, st, dir, p, k);
        d->remaining -= (int64_t)k;
        *used = k;
        if (d->remaining <= 0) {
            if (d->state == HTTP_P_BODY_CL)
                msg_done(s, st, dir, false);
            else
                d->state = HTTP_P_CHUNK_CRLF;
        }
        return STEP_OK;
    case HTTP_P_HTTP09:
        if (!st->http09_started)
            start_http09(s, st);
        if (d->state == HTTP_P_HTTP09)
            *used = n;
        return STEP_OK;
    case HTTP_P_BODY_EOF:
        http_body_data(s, st, dir, p, n);
        *used = n;
        return STEP_OK;
    case HTTP_P_BODY_LINES:
        return body_lines(s, st, dir, p, n, used);
    default:
        break;
    }
    if (d->skip_line) {
        if (!find_eol(p, n, &ll, &el)) {
            *used = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
            return *used == 0 ? STEP_WAIT : STEP_OK;
        }
        d->skip_line = false;
        *used = ll + el;
        return STEP_OK;
    }
    if (!find_eol(p, n, &ll, &el) || ll > HTTP_LINE_MAX) {
        if (ll <= HTTP_LINE_MAX && n < HTTP_LINE_MAX)
            return STEP_WAIT;
        http_counters.long_lines++;
        ll = HTTP_LINE_MAX;
        el = 0;
        d->skip_line = true;
    }
    switch (d->state) {
    case HTTP_P_FIRST:
        *used = ll + el;
        return dir == FLOW_DIR_ORIG ? request_line(s, st, (const char *)p, ll) : reply_line(s, st, (const char *)p, ll);
    case HTTP_P_HEADERS:
    case HTTP_P_TRAILER:
        return headers_step(s, st, dir, p, n, ll, el, used);
    case HTTP_P_CHUNK_SIZE:
        *used = ll + el;
        if (!http_atoi((const char *)p, ll, 16, &sz)) {
            http_weird_str(s, WEIRD_HTTP_BAD_CHUNK_SIZE, (const char *)p, ll, false);
            sz = 0;
        }
        if (sz > 0) {
            d->remaining = sz;
            d->state = HTTP_P_CHUNK_DATA;
        } else {
            d->state = HTTP_P_TRAILER;
        }
        return STEP_OK;
    case HTTP_P_CHUNK_CRLF:
        *used = ll + el;
        d->state = HTTP_P_CHUNK_SIZE;
        return STEP_OK;
    default:
        *used = n;
        return STEP_OK;
    }
}

static struct parse_result http_parse(struct session *s, void *state, enum flow_dir dir, const uint8_t *data,
                                      size_t len)
{
    struct http_state *st = state;
    struct parse_result res = {PARSE_OK, 0, 0};
    size_t off = 0;

    /* As Zeek's HTTP analyzer: a connection picked up mid-stream is not parsed (its requests
     * and replies cannot be paired reliably). Before confirmation this is a quiet removal. */
    if (session_tcp_partial(s) && !st->confirmed_once) {
        res.status = PARSE_VIOLATION;
        return res;
    }
    st->confirmed_once = true;

    while (off < len) {
        size_t used = 0;
        uint8_t before = st->d[dir].state;
        enum step r;

        if (st->stopped || st->tunnel || st->upgraded) {
            off = len;
            break;
        }
        r = step(s, st, dir, data + off, len - off, &used);
        if (r == STEP_GONE) {
            res.consumed = (uint32_t)len;
            return res;
        }
        off += used;
        st->bytes_seen += used;
        if (r == STEP_WAIT) {
            res.needed = (uint32_t)(len - off + 1);
            break;
        }
        if (used == 0 && st->d[dir].state == before)
            break;
    }
    res.consumed = (uint32_t)off;
    return res;
}

static void http_gap(struct session *s, void *state, enum flow_dir dir, uint64_t len)
{
    struct http_state *st = state;
    struct http_dir *d = &st->d[dir];

    if (st->stopped || st->tunnel || st->upgraded)
        return;
    d->skip_line = false;
    if (d->ongoing && d->body_len > 0 && (d->state == HTTP_P_BODY_CL || d->state == HTTP_P_CHUNK_DATA) &&
        (uint64_t)d->remaining >= len) {
        /* the gap lies inside a body of known length: skip it and go on */
        http_body_gap(st, dir, len);
        d->remaining -= (int64_t)len;
        if (d->remaining == 0) {
            if (d->state == HTTP_P_BODY_CL)
                msg_done(s, st, dir, false);
            else
                d->state = HTTP_P_CHUNK_CRLF;
        }
        return;
    }
    if (dir == FLOW_DIR_ORIG)
        msg_done(s, st, FLOW_DIR_ORIG, true);
    msg_done(s, st, FLOW_DIR_RESP, true);
    st->d[dir].state = HTTP_P_NOTHING;
    if (dir == FLOW_DIR_ORIG)
        st->d[FLOW_DIR_RESP].state = HTTP_P_NOTHING;
}

static void http_end(struct session *s, void *state)
{
    struct http_state *st = state;

    if (st->stopped)
        return;
    /* ContentLine hands a line still open at EOF over as a line */
    for (int dir = 0; dir < 2; dir++)
        if (st->d[dir].ongoing && st->d[dir].state == HTTP_P_BODY_LINES && st->d[dir].line_open)
            http_body_data(s, st, (enum flow_dir)dir, (const uint8_t *)"\r\n", 2);
    msg_done(s, st, FLOW_DIR_ORIG, true);
    msg_done(s, st, FLOW_DIR_RESP, true);
    /* finalize_http: what is still pending, in index order; index 0 is never logged */
    for (;;) {
        struct http_tx *min = NULL;

        for (unsigned i = 0; i < HTTP_TX_SLOTS; i++)
            if (st->tx[i].live && (min == NULL || st->tx[i].key < min->key))
                min = &st->tx[i];
        if (min == NULL)
            break;
        if (min->key == 0)
            tx_free(st, min);
        else
            tx_log(s, st, min);
    }
    http_body_release(&st->d[0]);
    http_body_release(&st->d[1]);
    st->stopped = true;
}

static enum probe_result http_probe(const uint8_t *data, size_t len, enum flow_dir dir, unsigned transport)
{
    if (transport != TRANSPORT_TCP)
        return PROBE_NO;
    return (enum probe_result)http_probe_bytes(data, len, dir);
}

static const uint16_t http_ports[] = {80, 81, 631, 1080, 3128, 8000, 8080, 8888, 0};
static const struct log_schema *const http_logs[] = {&http_log_schema, NULL};

const struct analyzer http_analyzer = {
    .name        = "http",
    .zeek_name   = "HTTP",
    .transports  = TRANSPORT_TCP,
    .port_hints  = http_ports,
    .probe_limit = 1024,
    .max_pending = 2 * HTTP_LINE_MAX + 64,
    .state_size  = sizeof(struct http_state),
    .probe       = http_probe,
    .parse       = http_parse,
    .gap         = http_gap,
    .end         = http_end,
    .logs        = http_logs,
};
