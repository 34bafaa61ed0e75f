/* detect/detect_java.c - the Java stages of the chain: the referral an LDAP or RMI server sends
 * back, and the class or serialized object the JVM then downloads. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect/detect_int.h"
#include "util/addr.h"

/* ---- stage 3: the referral ---- */

/* scheme://host[:port]/... → host and port (0 when none). */
static bool url_host(const char *url, char *host, size_t size, uint16_t *port)
{
    const char *p = strstr(url, "://"), *e;
    size_t n;

    *port = 0;
    if (p == NULL)
        return false;
    p += 3;
    e = p;
    if (*e == '[') {
        while (*e != '\0' && *e != ']')
            e++;
        if (*e == ']')
            e++;
    } else {
        while (*e != '\0' && *e != ':' && *e != '/')
            e++;
    }
    n = (size_t)(e - p);
    if (n == 0)
        return false;
    detect_lower_copy(host, size, p, n);
    if (*e == ':') {
        unsigned long v = strtoul(e + 1, NULL, 10);

        *port = v < 65536 ? (uint16_t)v : 0;
    } else {
        *port = strncasecmp(url, "https", 5) == 0 ? 443 : 80;
    }
    return true;
}

void detect_java_referral_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, const struct java_referral *j)
{
    bool ldap = strcmp(j->proto, "ldap") == 0;
    /* RMI replies always carry serialized objects (stubs, DGC leases): only a naming Reference,
     * which tells the JVM where to load a factory class from, is the referral. */
    bool reference = j->codebase != NULL || j->factory != NULL ||
                     (j->class_name != NULL && strcmp(j->class_name, "javax.naming.Reference") == 0);
    uint32_t inc = detect_flow_incident(d, c);
    struct raise r;
    char sub[SUB_MAX], host[JNDI_HOST_MAX];
    uint16_t port;

    if (!ldap && !reference)
        return;
    if (inc == 0)
        inc = detect_incident_new(d);
    detect_flow_join(c, inc);
    detect_watch_victim(d, &c->id.orig_h, inc, ts);
    if (j->codebase != NULL && url_host(j->codebase, host, sizeof(host), &port))
        detect_watch_host(d, TARGET_CODEBASE, "http", host, port, inc, ts, c->uid);
    memset(&r, 0, sizeof(r));
    r.type = ldap ? NOTICE_LOG4J_LDAP_JAVA : NOTICE_LOG4J_RMI_JAVA;
    if (ldap && j->raw != NULL) {
        /* Corelight's sub: the entry's bytes as sent. */
        r.sub = (const char *)j->raw;
        r.sub_len = j->raw_len > 1024 ? 1024 : j->raw_len;
    } else {
        r.sub = sub;
        r.sub_len = (size_t)snprintf(sub, sizeof(sub), "class=%s, codebase=%s, factory=%s, serialized=%s",
                                     j->class_name != NULL ? j->class_name : "-",
                                     j->codebase != NULL ? j->codebase : "-", j->factory != NULL ? j->factory : "-",
                                     j->serialized ? "T" : "F");
    }
    detect_conn_ident(c, false, r.ident, sizeof(r.ident));
    (void)detect_raise_notice(d, c, ts, inc, &r);
    if (j->serialized && ldap) {
        memset(&r, 0, sizeof(r));
        r.type = NOTICE_JAVA_SERIALIZED_DOWNLOAD;
        r.sub = sub;
        r.sub_len = (size_t)snprintf(sub, sizeof(sub), "proto=%s, class=%s", j->proto,
                                     j->class_name != NULL ? j->class_name : "-");
        detect_conn_ident(c, true, r.ident, sizeof(r.ident));
        (void)detect_raise_notice(d, c, ts, inc, &r);
    }
}

/* ---- stage 4: the download ---- */

static bool has_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; s != NULL && i + k <= n; i++) {
        if (strncasecmp(s + i, needle, k) == 0)
            return true;
    }
    return false;
}

bool detect_java_download_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, const struct java_download *j)
{
    bool java_ua = j->user_agent != NULL && j->user_agent_len >= 5 && memcmp(j->user_agent, "Java/", 5) == 0;
    bool get = j->method != NULL && j->method_len == 3 && memcmp(j->method, "GET", 3) == 0;
    bool ct_java = has_ci(j->content_type, j->content_type_len, "java-vm") ||
                   has_ci(j->content_type, j->content_type_len, "java-serialized-object");
    size_t ml = j->mime != NULL ? strlen(j->mime) : 0;
    bool class_mime = has_ci(j->mime, ml, "java-applet") || has_ci(j->mime, ml, "java-archive");
    bool serial_mime = has_ci(j->mime, ml, "java-serialized-object") ||
                       has_ci(j->content_type, j->content_type_len, "java-serialized-object");
    uint32_t inc = detect_flow_incident(d, c);
    struct raise r;
    char sub[SUB_MAX];
    bool raised = false;

    /* A Java client in an incident fetching Java: the referral may have been encrypted (ldaps). */
    if (inc == 0 && java_ua)
        inc = detect_victim_incident(d, &c->id.orig_h, ts);

    memset(&r, 0, sizeof(r));
    r.sub = sub;
    r.fuid = j->fuid;
    r.mime = j->mime;
    if (get && ct_java && java_ua) {
        r.sub_len = (size_t)snprintf(sub, sizeof(sub), "user_agent='%.*s', CONTENT-TYPE='%.*s', host='%.*s'",
                                     (int)j->user_agent_len, j->user_agent, (int)j->content_type_len, j->content_type,
                                     j->host != NULL ? (int)j->host_len : 1, j->host != NULL ? j->host : "-");
    } else if (class_mime && (j->user_agent == NULL || java_ua) && (j->trans_depth == 1 || inc != 0 || java_ua)) {
        r.sub_len = (size_t)snprintf(sub, sizeof(sub), "user_agent='%.*s', resp_mime_types='%s'",
                                     j->user_agent != NULL ? (int)j->user_agent_len : 1,
                                     j->user_agent != NULL ? j->user_agent : "-", j->mime);
    } else {
        r.sub_len = 0;
    }
    if (r.sub_len > 0 && !(serial_mime && !class_mime && !(get && ct_java && java_ua))) {
        r.type = NOTICE_LOG4J_JAVA_CLASS_DOWNLOAD;
        detect_conn_ident(c, true, r.ident, sizeof(r.ident));
        raised = detect_raise_notice(d, c, ts, inc, &r) || raised;
        if (inc != 0)
            detect_watch_victim(d, &c->id.orig_h, inc, ts);
    }
    if (serial_mime && (java_ua || inc != 0)) {
        r.type = NOTICE_JAVA_SERIALIZED_DOWNLOAD;
        r.sub_len = (size_t)snprintf(sub, sizeof(sub), "proto=http, user_agent='%.*s', mime='%s'",
                                     j->user_agent != NULL ? (int)j->user_agent_len : 1,
                                     j->user_agent != NULL ? j->user_agent : "-", j->mime != NULL ? j->mime : "-");
        detect_conn_ident(c, true, r.ident, sizeof(r.ident));
        raised = detect_raise_notice(d, c, ts, inc, &r) || raised;
    }
    return raised;
}

