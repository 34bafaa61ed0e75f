/* policy/policy_value.c - the policy's value syntaxes (CIDR, ports, domain, duration, user) to binary. */
#include "policy/policy_int.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Each parser takes the text with its length (YAML scalars may hold anything), fills its
 * result and returns 0, or returns -1 with one sentence in why[] saying what is wrong. The
 * loader adds the position and the field. */

static void say(char *why, size_t size, const char *msg)
{
    snprintf(why, size, "%s", msg);
}

/* Digits only, no sign, no leading "0x"; a YAML 1.1 reader would take "0777" as octal, we do not. */
int policy_value_uint(const char *s, size_t len, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 10)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int policy_value_cidr(const char *s, size_t len, struct policy_cidr *c, char *why, size_t size)
{
    char host[64];
    const char *slash = memchr(s, '/', len);
    size_t hlen = slash != NULL ? (size_t)(slash - s) : len;
    bool v4text;
    unsigned max;
    uint32_t bits;
    struct addr a;

    if (hlen == 0 || hlen >= sizeof(host)) {
        say(why, size, "expected an address or CIDR, like 10.0.0.0/8 or 2001:db8::/32");
        return -1;
    }
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    if (addr_parse(&a, host) != 0) {
        snprintf(why, size, "'%s' is not an IPv4 or IPv6 address", host);
        return -1;
    }
    v4text = strchr(host, ':') == NULL;
    max = v4text ? 32 : 128;
    bits = max;
    if (slash != NULL && policy_value_uint(slash + 1, len - hlen - 1, max, &bits) != 0) {
        snprintf(why, size, "'%.*s': the prefix length must be a number from 0 to %u", (int)(len < 64 ? len : 64), s,
                 max);
        return -1;
    }
    if (v4text)
        bits += 96;
    c->net = a;
    for (unsigned i = bits; i < 128; i++)
        c->net.b[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
    if (addr_cmp(&c->net, &a) != 0) {
        char net[ADDR_STRLEN];

        addr_format(&c->net, net, sizeof(net));
        snprintf(why, size, "host bits are set; did you mean %s/%u?", net, v4text ? bits - 96 : bits);
        return -1;
    }
    c->bits = (uint8_t)bits;
    /* An IPv6 prefix inside ::ffff:0:0/96 is an IPv4 prefix written the long way. */
    c->v4 = addr_is_v4(&c->net) && bits >= 96;
    return 0;
}

int policy_value_ports(const char *s, size_t len, struct policy_ports *pr, char *why, size_t size)
{
    const char *dash = memchr(s, '-', len);
    uint32_t lo, hi;

    if (dash == NULL) {
        if (policy_value_uint(s, len, 65535, &lo) != 0)
            goto bad;
        hi = lo;
    } else {
        size_t n = (size_t)(dash - s);

        if (policy_value_uint(s, n, 65535, &lo) != 0 || policy_value_uint(dash + 1, len - n - 1, 65535, &hi) != 0)
            goto bad;
        if (lo > hi) {
            snprintf(why, size, "port range %u-%u is reversed", (unsigned)lo, (unsigned)hi);
            return -1;
        }
    }
    pr->lo = (uint16_t)lo;
    pr->hi = (uint16_t)hi;
    return 0;
bad:
    say(why, size, "expected a port (0-65535) or a range LOW-HIGH, like 443 or 8000-8999");
    return -1;
}

static bool label_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '_';
}

/* Writes the lower-case form into out (at least 256 bytes): ".example.com" for "*.example.com". */
int policy_value_domain(const char *s, size_t len, char *out, struct policy_domain *d, char *why, size_t size)
{
    size_t i, label = 0, o = 0;

    d->wildcard = false;
    if (len > 1 && s[len - 1] == '.')
        len--;
    if (len >= 2 && s[0] == '*' && s[1] == '.') {
        d->wildcard = true;
        out[o++] = '.';
        s += 2;
        len -= 2;
    }
    if (len == 0 || len > 253) {
        say(why, size, len == 0 ? "expected a domain name, like example.com or *.example.com"
                                : "domain name is longer than 253 characters");
        return -1;
    }
    for (i = 0; i < len; i++) {
        char ch = s[i];

        if (ch == '.') {
            if (label == 0)
                goto empty;
            label = 0;
        } else if (ch == '*') {
            say(why, size, "'*' may only be the whole first label, as in *.example.com");
            return -1;
        } else if (!label_char(ch)) {
            say(why, size, "a domain name holds letters, digits, '-', '_' and dots");
            return -1;
        } else if (++label > 63) {
            say(why, size, "a label of the domain name is longer than 63 characters");
            return -1;
        }
        out[o++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    if (label == 0)
        goto empty;
    out[o] = '\0';
    d->name = out;
    d->len = (uint16_t)o;
    return 0;
empty:
    say(why, size, "the domain name has an empty label (two dots in a row, or a leading dot)");
    return -1;
}

/* 30s, 10m, 1h, 1d; up to 30 days. */
int policy_value_duration(const char *s, size_t len, uint32_t *secs, char *why, size_t size)
{
    static const struct {
        char     unit;
        uint32_t mult;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    uint32_t n;

    if (len >= 2 && policy_value_uint(s, len - 1, 30u * 86400, &n) == 0) {
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            if (s[len - 1] != units[i].unit)
                continue;
            if (n == 0 || (uint64_t)n * units[i].mult > 30u * 86400)
                break;
            *secs = n * units[i].mult;
            return 0;
        }
    }
    say(why, size, "expected a duration from 1s to 30d, like 30s, 10m, 1h or 1d");
    return -1;
}

/* A uid, or a user name looked up on this host now, so the datapath compares numbers. */
int policy_value_user(const char *s, size_t len, uint32_t *uid, char *why, size_t size)
{
    char name[64], buf[16384];
    struct passwd pw, *res = NULL;

    if (policy_value_uint(s, len, UINT32_MAX - 1, uid) == 0)
        return 0;
    if (len == 0 || len >= sizeof(name)) {
        say(why, size, "expected a user name or a numeric uid");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (!label_char(s[i]) && s[i] != '.' && !(s[i] == '$' && i == len - 1)) {
            say(why, size, "expected a user name or a numeric uid");
            return -1;
        }
    }
    memcpy(name, s, len);
    name[len] = '\0';
    errno = 0;
    if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL) {
        snprintf(why, size, "no user '%s' on this host (write the numeric uid to check a policy for another host)",
                 name);
        return -1;
    }
    *uid = (uint32_t)res->pw_uid;
    return 0;
}
