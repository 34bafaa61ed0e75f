/* proto/http_detect.c - HTTP's part in the Log4Shell detector: every place a request can carry
 * a lookup string (method, URI, header names and values, decoded credentials, bodies) is
 * scanned, and a response that delivers Java to a Java client is reported. */
#include <string.h>
#include <strings.h>

#include "detect/jndi.h"
#include "proto/http_int.h"
#include "proto/session.h"

#define HTTP_HITS_MAX 4

/* Quick reject: a lookup needs a '$' in some form (raw, %24, \u0024, &#36;, &dollar;, base64). */
static bool may_hold_lookup(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];

        if (c == '$' || c == '%' || c == '\\' || c == '&')
            return true;
    }
    return false;
}

static void report(struct session *s, struct http_state *st, enum flow_dir dir, struct http_tx *t,
                   struct lookup_attempt *a, const struct jndi_hit *hits, int n)
{
    const char *uri = NULL, *method = NULL;
    size_t ul = 0, ml = 0;

    if (t != NULL && http_tx_str(st, t, HTTP_S_URI, &uri, &ul))
        a->uri = uri, a->uri_len = ul;
    if (t != NULL && http_tx_str(st, t, HTTP_S_METHOD, &method, &ml))
        a->method = method, a->method_len = ml;
    a->proto = "http";
    for (int i = 0; i < n && i < HTTP_HITS_MAX; i++) {
        a->hit = &hits[i];
        if (session_lookup_attempt(s, dir, a) && t != NULL)
            t->log4j_tag = true;
    }
}

void http_detect_request(struct session *s, struct http_state *st, struct http_tx *t)
{
    struct jndi_hit hits[HTTP_HITS_MAX];
    struct lookup_attempt a;
    const char *p;
    size_t n;
    int k;

    if (http_tx_str(st, t, HTTP_S_METHOD, &p, &n) && may_hold_lookup(p, n) &&
        (k = jndi_scan((const uint8_t *)p, n, hits, HTTP_HITS_MAX)) > 0) {
        memset(&a, 0, sizeof(a));
        a.where = ATTEMPT_METHOD;
        a.value = (const uint8_t *)p;
        a.value_len = n;
        report(s, st, FLOW_DIR_ORIG, t, &a, hits, k);
    }
    if (http_tx_str(st, t, HTTP_S_URI, &p, &n) && may_hold_lookup(p, n) &&
        (k = jndi_scan((const uint8_t *)p, n, hits, HTTP_HITS_MAX)) > 0) {
        memset(&a, 0, sizeof(a));
        a.where = ATTEMPT_URI;
        a.value = (const uint8_t *)p;
        a.value_len = n;
        report(s, st, FLOW_DIR_ORIG, t, &a, hits, k);
    }
}

/* A request line HTTP cannot parse (a lookup as the method makes it one): the server may still
 * log it, so it is scanned whole. */
void http_detect_bad_request_line(struct session *s, struct http_state *st, const char *line, size_t len)
{
    struct jndi_hit hits[HTTP_HITS_MAX];
    struct lookup_attempt a;
    int k;

    if (!may_hold_lookup(line, len) || (k = jndi_scan((const uint8_t *)line, len, hits, HTTP_HITS_MAX)) <= 0)
        return;
    memset(&a, 0, sizeof(a));
    a.where = ATTEMPT_METHOD;
    a.value = (const uint8_t *)line;
    a.value_len = len;
    report(s, st, FLOW_DIR_ORIG, NULL, &a, hits, k);
}

/* "Basic xxx", "Bearer xxx": the credentials after the scheme word, decoded. */
static int scan_credentials(const char *v, size_t vlen, struct jndi_hit *hits)
{
    size_t i = 0;

    while (i < vlen && v[i] != ' ')
        i++;
    while (i < vlen && v[i] == ' ')
        i++;
    if (i >= vlen)
        return 0;
    return jndi_scan_base64((const uint8_t *)v + i, vlen - i, hits, HTTP_HITS_MAX);
}

void http_detect_header(struct session *s, struct http_state *st, enum flow_dir dir, struct http_tx *t,
                        const char *n, size_t nlen, const char *v, size_t vlen)
{
    struct jndi_hit hits[HTTP_HITS_MAX];
    struct lookup_attempt a;
    int k = 0;

    if (dir == FLOW_DIR_RESP && nlen == 12 && strncasecmp(n, "content-type", 12) == 0)
        http_tx_set_str(st, t->key, HTTP_S_CTYPE, v, vlen);
    memset(&a, 0, sizeof(a));
    a.where = ATTEMPT_HEADER;
    a.name = n;
    a.name_len = nlen;
    a.value = (const uint8_t *)v;
    a.value_len = vlen;
    if (may_hold_lookup(v, vlen)) {
        a.corelight_value = jndi_corelight_match((const uint8_t *)v, vlen);
        k = jndi_scan((const uint8_t *)v, vlen, hits, HTTP_HITS_MAX);
    }
    if (k == 0 && may_hold_lookup(n, nlen)) {
        a.corelight_name = jndi_corelight_match((const uint8_t *)n, nlen);
        k = jndi_scan((const uint8_t *)n, nlen, hits, HTTP_HITS_MAX);
    }
    if (k > 0) {
        report(s, st, dir, t, &a, hits, k);
        return;
    }
    if (dir == FLOW_DIR_ORIG && ((nlen == 13 && strncasecmp(n, "authorization", 13) == 0) ||
                                 (nlen == 19 && strncasecmp(n, "proxy-authorization", 19) == 0))) {
        k = scan_credentials(v, vlen, hits);
        if (k > 0) {
            a.where = ATTEMPT_AUTH;
            report(s, st, dir, t, &a, hits, k);
        }
    }
}

static void scan_window(struct session *s, struct http_state *st, enum flow_dir dir)
{
    struct http_dir *d = &st->d[dir];
    struct jndi_hit hits[HTTP_HITS_MAX];
    struct lookup_attempt a;
    int k;

    if (d->scan_new == 0)
        return;
    d->scan_new = 0;
    if (!may_hold_lookup(d->scan, d->scan_len))
        return;
    k = jndi_scan((const uint8_t *)d->scan, d->scan_len, hits, HTTP_HITS_MAX);
    if (k <= 0)
        return;
    memset(&a, 0, sizeof(a));
    a.where = ATTEMPT_BODY;
    a.value = (const uint8_t *)d->scan;
    a.value_len = d->scan_len;
    /* The identifier carries the normalised lookup: one seen again in the carried-over tail is
     * suppressed rather than reported twice. */
    report(s, st, dir, http_set_state(s, st, dir), &a, hits, k);
}

void http_detect_body(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p, size_t n)
{
    struct http_dir *d = &st->d[dir];

    while (n > 0 && d->scan_total < HTTP_SCAN_BODY_MAX) {
        size_t room = HTTP_SCAN_WINDOW - d->scan_len, take = n < room ? n : room;

        memcpy(d->scan + d->scan_len, p, take);
        d->scan_len = (uint16_t)(d->scan_len + take);
        d->scan_new = (uint16_t)(d->scan_new + take);
        d->scan_total += (uint32_t)take;
        p += take;
        n -= take;
        if (d->scan_len == HTTP_SCAN_WINDOW) {
            scan_window(s, st, dir);
            memmove(d->scan, d->scan + HTTP_SCAN_WINDOW - HTTP_SCAN_CARRY, HTTP_SCAN_CARRY);
            d->scan_len = HTTP_SCAN_CARRY;
        }
    }
}

void http_detect_body_end(struct session *s, struct http_state *st, enum flow_dir dir)
{
    scan_window(s, st, dir);
    st->d[dir].scan_len = 0;
}

void http_detect_response_done(struct session *s, struct http_state *st, struct http_tx *t)
{
    struct java_download j;
    const char *ct = NULL, *mime = NULL, *p;
    size_t ctl = 0, ml = 0, n;
    char mime_buf[64], fuid_buf[32];

    (void)http_tx_str(st, t, HTTP_S_CTYPE, &ct, &ctl);
    if (http_tx_str(st, t, HTTP_S_MIME + FLOW_DIR_RESP, &mime, &ml)) {
        if (ml >= sizeof(mime_buf))
            ml = sizeof(mime_buf) - 1;
        memcpy(mime_buf, mime, ml);
        mime_buf[ml] = '\0';
        mime = mime_buf;
    }
    /* Only responses that could be Java are worth the detector's time. */
    if (!(ct != NULL && memmem(ct, ctl, "java", 4) != NULL) && !(mime != NULL && strstr(mime, "java") != NULL))
        return;
    memset(&j, 0, sizeof(j));
    j.content_type = ct;
    j.content_type_len = ctl;
    j.mime = mime;
    if (http_tx_str(st, t, HTTP_S_USER_AGENT, &p, &n))
        j.user_agent = p, j.user_agent_len = n;
    if (http_tx_str(st, t, HTTP_S_HOST, &p, &n))
        j.host = p, j.host_len = n;
    if (http_tx_str(st, t, HTTP_S_METHOD, &p, &n))
        j.method = p, j.method_len = n;
    if (http_tx_str(st, t, HTTP_S_FUID + FLOW_DIR_RESP, &p, &n) && n < sizeof(fuid_buf)) {
        memcpy(fuid_buf, p, n);
        fuid_buf[n] = '\0';
        j.fuid = fuid_buf;
    }
    j.trans_depth = t->depth;
    if (session_java_download(s, &j))
        t->log4j_tag = true;
}
