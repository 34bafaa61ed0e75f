/* detect/detect_dns.c - DNS in the chain: the lookup of a host an attempt named, the addresses
 * answers give it, and data carried in labels. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect/detect_int.h"
#include "util/addr.h"

static bool name_under(const char *name, size_t len, const char *host, size_t *prefix)
{
    size_t hl = strlen(host);

    if (hl == 0 || len < hl)
        return false;
    if (len == hl && strncasecmp(name, host, hl) == 0) {
        *prefix = 0;
        return true;
    }
    /* A host given as ".x.dnslog.cn" (its first label was an unknown lookup) or any subdomain. */
    if (strncasecmp(name + len - hl, host, hl) != 0)
        return false;
    if (host[0] != '.' && (len == hl || name[len - hl - 1] != '.'))
        return false;
    *prefix = host[0] == '.' ? len - hl : len - hl - 1;
    return true;
}

/* Shannon entropy of a label, bits per character. */
static double label_entropy(const char *p, size_t n)
{
    unsigned counts[256] = {0};
    double e = 0;

    for (size_t i = 0; i < n; i++)
        counts[(uint8_t)p[i]]++;
    for (int i = 0; i < 256; i++) {
        if (counts[i] > 0) {
            double f = (double)counts[i] / (double)n;

            e -= f * log2(f);
        }
    }
    return e;
}

/* A label that is encoded data rather than a name: long, from an encoding alphabet, random, and
 * not made of words (base32, hex and base64 hold vowels at 12-16%, words at 35-40%). */
static bool label_carries_data(const char *p, size_t n)
{
    size_t vowels = 0;

    if (n < 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i], l = (char)(c | 0x20);

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
        vowels += l == 'a' || l == 'e' || l == 'i' || l == 'o' || l == 'u';
    }
    return vowels * 100 < n * 25 && label_entropy(p, n) >= 3.5;
}

static void dns_exfil(struct detect *d, const struct detect_conn *c, pw_time ts, uint32_t inc, const char *name,
                      size_t len, const char *why, size_t data_len)
{
    struct raise r;
    char sub[SUB_MAX];

    memset(&r, 0, sizeof(r));
    r.type = NOTICE_DNS_EXFIL;
    r.sub = sub;
    r.sub_len = (size_t)snprintf(sub, sizeof(sub), "query=%.*s, data='%.*s', reason=%s", (int)len, name,
                                 (int)data_len, name, why);
    detect_conn_ident(c, false, r.ident, sizeof(r.ident));
    snprintf(r.ident + strlen(r.ident), sizeof(r.ident) - strlen(r.ident), "%.*s", (int)len, name);
    (void)detect_raise_notice(d, c, ts, inc, &r);
}

void detect_dns_query_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, const char *name, size_t len)
{
    size_t prefix, start = 0;

    for (int i = 0; i < TARGETS_MAX && d->w->n_live > 0; i++) {
        const struct target *t = &d->w->targets[i];
        struct raise r;
        char sub[SUB_MAX], victim[64];

        if (detect_target_expired(t, ts) || t->kind != TARGET_CALLBACK)
            continue;
        /* A lookup sent to the dns:// server an attempt named: the question itself is the data. */
        if (t->has_addr && addr_cmp(&t->addr, &c->id.resp_h) == 0 && strcmp(t->scheme, "dns") == 0) {
            detect_flow_join(c, t->incident);
            dns_exfil(d, c, ts, t->incident, name, len, "query_to_attempt_server", len);
            return;
        }
        if (t->has_addr || !name_under(name, len, t->host, &prefix))
            continue;
        detect_flow_join(c, t->incident);
        detect_watch_victim(d, &c->id.orig_h, t->incident, ts);
        addr_format(&c->id.orig_h, victim, sizeof(victim));
        memset(&r, 0, sizeof(r));
        r.type = NOTICE_LOG4J_CALLBACK;
        r.sub = sub;
        r.sub_len = (size_t)snprintf(sub, sizeof(sub), "scheme=%s, host=%s, query=%.*s, service=dns, victim=%s, named_by=%s",
                                     t->scheme, t->host, (int)len, name, victim, t->named_by);
        snprintf(r.ident, sizeof(r.ident), "%s%.*s", victim, (int)len, name);
        (void)detect_raise_notice(d, c, ts, t->incident, &r);
        if (prefix > 0)
            dns_exfil(d, c, ts, t->incident, name, len, "labels_before_attempt_host", prefix);
        return;
    }
    for (size_t i = 0; i <= len; i++) {
        if (i == len || name[i] == '.') {
            if (label_carries_data(name + start, i - start)) {
                dns_exfil(d, c, ts, detect_flow_incident(d, c), name, len, "encoded_label", i);
                return;
            }
            start = i + 1;
        }
    }
}

void detect_dns_answer_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, const char *name,
                       size_t name_len, const char *answer, size_t answer_len)
{
    char host[JNDI_HOST_MAX], text[64];
    struct addr a;

    if (d->w->n_live == 0 || answer_len >= sizeof(text))
        return;
    memcpy(text, answer, answer_len);
    text[answer_len] = '\0';
    if (addr_parse(&a, text) != 0)
        return;
    detect_lower_copy(host, sizeof(host), name, name_len);
    for (int i = 0; i < TARGETS_MAX; i++) {
        struct target *t = &d->w->targets[i];

        if (detect_target_expired(t, ts) || t->has_addr || t->kind == TARGET_VICTIM || strcmp(t->host, host) != 0)
            continue;
        /* The name now stands for this address too: flows to it are checked like the name. */
        (void)detect_target_add(d, (enum target_kind)t->kind, t->scheme, t->host, &a, t->port, t->incident, ts,
                         t->named_by);
        detect_flow_join(c, t->incident);
    }
}

