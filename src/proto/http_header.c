/* proto/http_header.c - what HTTP headers mean: body framing (Content-Length, Content-Range,
 * Transfer-Encoding, Content-Encoding), connection handling, filenames, and the http.log fields
 * the scripts take from request headers (host, referrer, user agent, origin, proxies, Basic auth). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/http.h"
#include "proto/http_int.h"
#include "proto/session.h"

static bool name_is(const char *n, size_t nlen, const char *want)
{
    return strlen(want) == nlen && strncasecmp(n, want, nlen) == 0;
}

static void content_range(struct session *s, struct http_dir *d, const char *v, size_t vlen)
{
    const char *tok, *rest, *slash, *dash;
    size_t tl, rl, n = 0;
    char buf[128];
    int64_t f, l, len;

    tl = http_value_token(v, vlen, &tok, &rest, &rl);
    if (!name_is(tok, tl, "bytes") || strncmp(tok, "bytes", 5) != 0) {
        session_weird(s, WEIRD_HTTP_CR_UNKNOWN_UNIT, NULL);
        return;
    }
    for (size_t i = 0; i < rl && n < sizeof(buf) - 1; i++)
        if (rest[i] != ' ')
            buf[n++] = rest[i];
    buf[n] = '\0';
    slash = memchr(buf, '/', n);
    dash = slash != NULL ? memchr(buf, '-', (size_t)(slash - buf)) : NULL;
    if (slash == NULL || dash == NULL) {
        session_weird(s, WEIRD_HTTP_CR_CANNOT_PARSE, NULL);
        return;
    }
    if (!http_atoi(buf, (size_t)(dash - buf), 10, &f) || !http_atoi(dash + 1, (size_t)(slash - dash - 1), 10, &l)) {
        session_weird(s, WEIRD_HTTP_CR_CANNOT_PARSE, buf);
        return;
    }
    if (f < 0 || l < 0) {
        session_weird(s, WEIRD_HTTP_CR_INVALID, buf);
        return;
    }
    if (l < f) {
        session_weird(s, WEIRD_HTTP_NON_POSITIVE_RANGE, buf);
        return;
    }
    len = l - f + 1;
    if (strcmp(slash + 1, "*") != 0 && !http_atoi(slash + 1, strlen(slash + 1), 10, &d->instance_length))
        d->instance_length = 0;
    d->is_partial = true;
    d->range_first = f;
    d->range_len = len;
    if (d->content_length > 0) {
        if (d->content_length != len) {
            session_weird(s, WEIRD_HTTP_RANGE_NOT_MATCHING_LEN, NULL);
            if (len > d->content_length)
                d->content_length = len;
        }
    } else {
        d->content_length = len;
    }
}

static void proxied_add(struct http_state *st, struct http_tx *t, const char *n, size_t nlen, const char *v,
                        size_t vlen)
{
    char buf[512];
    size_t o = 0;

    for (size_t i = 0; i < nlen && o < sizeof(buf); i++)
        buf[o++] = (char)((n[i] >= 'a' && n[i] <= 'z') ? n[i] - 32 : n[i]);
    for (const char *a = " -> "; *a != '\0' && o < sizeof(buf); a++)
        buf[o++] = *a;
    for (size_t i = 0; i < vlen && o < sizeof(buf); i++)
        buf[o++] = v[i];
    for (unsigned i = 0; i < t->n_proxied; i++)
        if ((t->has & (1u << (HTTP_S_PROXIED + i))) && t->s[HTTP_S_PROXIED + i].len == o &&
            memcmp(st->arena + t->s[HTTP_S_PROXIED + i].off, buf, o) == 0)
            return;   /* a set */
    if (t->n_proxied == HTTP_PROXIED_MAX)
        return;
    http_tx_set_str(st, t->key, HTTP_S_PROXIED + t->n_proxied, buf, o);
    t->n_proxied++;
}

static void basic_auth(struct http_state *st, struct http_tx *t, const char *v, size_t vlen)
{
    char up[512], buf[600];
    size_t n, colon;
    int w;

    if (vlen < 6 || strncasecmp(v, "basic ", 6) != 0 || !http_basic_decode(v, vlen, up, sizeof(up), &n))
        return;
    for (colon = 0; colon < n && up[colon] != ':'; colon++)
        ;
    if (colon < n) {
        http_tx_set_str(st, t->key, HTTP_S_USERNAME, up, colon);
        if (http_capture_password)
            http_tx_set_str(st, t->key, HTTP_S_PASSWORD, up + colon + 1, n - colon - 1);
        return;
    }
    w = snprintf(buf, sizeof(buf), "<problem-decoding> (%.*s)", (int)(vlen < 500 ? vlen : 500), v);
    http_tx_set_str(st, t->key, HTTP_S_USERNAME, buf, (size_t)w);
    if (http_capture_password)
        http_tx_set_str(st, t->key, HTTP_S_PASSWORD, up, n);
}

static void set_domain(struct session *s, const char *v, size_t vlen)
{
    size_t n = vlen;

    if (vlen > 0 && v[0] != '[') {
        const char *c = memchr(v, ':', vlen);

        if (c != NULL)
            n = (size_t)(c - v);
    }
    session_set_domain(s, v, n);
}

/* One header (HTTP_Entity::SubmitHeader, HTTP_Analyzer::HTTP_Header, the http_header event). */
static void header(struct session *s, struct http_state *st, enum flow_dir dir, const char *n, size_t nlen,
                   const char *v, size_t vlen)
{
    struct http_dir *d = &st->d[dir];
    struct http_tx *t;
    const char *tok, *rest;
    size_t tl, rl;
    int64_t cl;

    if (http_header_hook != NULL)
        http_header_hook(s, dir, n, nlen, v, vlen);
    if (++d->nheaders > HTTP_HEADERS_MAX) {
        if (d->nheaders == HTTP_HEADERS_MAX + 1)
            http_counters.many_headers++;
        return;
    }
    tl = http_value_token(v, vlen, &tok, &rest, &rl);
    if (name_is(n, nlen, "content-length")) {
        if (d->chunked)
            session_weird(s, WEIRD_HTTP_CL_AND_CHUNKED, NULL);
        if (tl > 0) {
            if (http_atoi(tok, tl, 10, &cl) && cl >= 0) {
                if (cl > 0 && tok[0] == '0')
                    http_weird_str(s, WEIRD_HTTP_CL_LEADING_ZEROS, tok, tl, false);
                d->content_length = cl;
                if (d->is_partial && d->range_len != cl) {
                    session_weird(s, WEIRD_HTTP_RANGE_NOT_MATCHING_LEN, NULL);
                    if (d->range_len > cl)
                        d->content_length = d->range_len;
                }
            } else {
                http_weird_str(s, WEIRD_HTTP_BAD_CONTENT_LENGTH, tok, tl, false);
                d->content_length = 0;
            }
        }
    } else if (name_is(n, nlen, "content-range") && dir == FLOW_DIR_RESP && st->reply_code == 206) {
        content_range(s, d, v, vlen);
    } else if (name_is(n, nlen, "transfer-encoding")) {
        struct http_version ver = st->d[FLOW_DIR_ORIG].ongoing ? st->req_ver : st->rep_ver;

        if (name_is(tok, tl, "chunked") && ver.major == 1 && ver.minor == 1) {
            d->chunked = true;
            if (rl > 0)
                http_weird_str(s, WEIRD_HTTP_CHUNKED_MULTI, rest, rl, false);
            if (d->content_length >= 0)
                session_weird(s, WEIRD_HTTP_CL_AND_CHUNKED, NULL);
        }
    } else if (name_is(n, nlen, "content-encoding")) {
        if (name_is(tok, tl, "gzip") || name_is(tok, tl, "x-gzip"))
            d->encoding = HTTP_ENC_GZIP;
        if (name_is(tok, tl, "deflate"))
            d->encoding = HTTP_ENC_DEFLATE;
    } else if (name_is(n, nlen, "expect")) {
        if (!name_is(tok, tl, "100-continue"))
            http_weird_str(s, WEIRD_HTTP_EXPECT_NOT_100, tok, tl, false);
    } else if (name_is(n, nlen, "content-disposition")) {
        bool has = false;

        for (size_t i = 0; i + 8 <= vlen && !has; i++)
            has = strncasecmp(v + i, "filename", 8) == 0;
        if (has) {
            d->filename_len = (uint16_t)http_cd_filename(v, vlen, d->filename, sizeof(d->filename));
            d->has_filename = true;
        }
    }
    if (name_is(n, nlen, "connection")) {
        if (dir == FLOW_DIR_ORIG && name_is(tok, tl, "keep-alive"))
            st->keep_alive = true;
        if (dir == FLOW_DIR_RESP && name_is(tok, tl, "close"))
            st->connection_close = true;
        else if (dir == FLOW_DIR_RESP && name_is(tok, tl, "upgrade"))
            st->upgrade_connection = true;
    }
    if (dir == FLOW_DIR_RESP && name_is(n, nlen, "upgrade"))
        st->upgrade_protocol = tl > 0;
    t = http_set_state(s, st, dir);
    http_detect_header(s, st, dir, t, n, nlen, v, vlen);
    if (dir != FLOW_DIR_ORIG)
        return;
    if (name_is(n, nlen, "referer")) {
        http_tx_set_str(st, t->key, HTTP_S_REFERRER, v, vlen);
    } else if (name_is(n, nlen, "host")) {
        /* Zeek keeps what precedes the first ':' (split_string1), dropping a port. */
        const char *colon = memchr(v, ':', vlen);

        http_tx_set_str(st, t->key, HTTP_S_HOST, v, colon != NULL ? (size_t)(colon - v) : vlen);
        set_domain(s, v, vlen);
    } else if (name_is(n, nlen, "range")) {
        t->range_request = true;   /* not logged; decides how the response's file is named */
    } else if (name_is(n, nlen, "origin")) {
        http_tx_set_str(st, t->key, HTTP_S_ORIGIN, v, vlen);
    } else if (name_is(n, nlen, "user-agent")) {
        http_tx_set_str(st, t->key, HTTP_S_USER_AGENT, v, vlen);
    } else if (name_is(n, nlen, "forwarded") || name_is(n, nlen, "x-forwarded-for") ||
               name_is(n, nlen, "x-forwarded-from") || name_is(n, nlen, "client-ip") || name_is(n, nlen, "via") ||
               name_is(n, nlen, "xroxy-connection") || name_is(n, nlen, "proxy-connection")) {
        proxied_add(st, t, n, nlen, v, vlen);
    } else if (name_is(n, nlen, "authorization") || name_is(n, nlen, "proxy-authorization")) {
        basic_auth(st, t, v, vlen);
    }
}

/* Splits a header line into name and value (MIME_Header); lines without a name are dropped. */
void http_header_line(struct session *s, struct http_state *st, enum flow_dir dir, const char *p, size_t len,
                        bool folded)
{
    const char *end = p + len, *n, *c;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    n = p;
    while (p < end && *p > 32 && *p < 127 && *p != ':')
        p++;
    c = p;
    while (c < end && (*c == ' ' || *c == '\t'))
        c++;
    if (p == n || c >= end || *c != ':')
        return;
    for (c++; c < end && (*c == ' ' || *c == '\t'); c++)
        ;
    if (folded)
        http_weird_str(s, WEIRD_HTTP_OBSOLETE_FOLDING, n, (size_t)(p - n), false);
    header(s, st, dir, n, (size_t)(p - n), c, (size_t)(end - c));
}


