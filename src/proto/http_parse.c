/* proto/http_parse.c - HTTP line parsing as Zeek's HTTP analyzer does it: request and status
 * lines, URI unescaping, header value tokens, Content-Disposition filenames, Basic auth, probe. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "proto/analyzer.h"
#include "proto/http_int.h"
#include "util/bytes.h"

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && is_ws(*p))
        p++;
    return p;
}

static bool is_token_char(unsigned char c)
{
    return c > 31 && c < 127 && c != ' ' && c != '\t' && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static bool is_uri_char(unsigned char c)
{
    return c != 0 && (isalnum(c) || strchr(":/?#[]@!$&'()*+,;=-_.~%", c) != NULL);
}

/* PrefixMatch: the text after prefix, or NULL. */
static const char *prefix_match(const char *p, const char *end, const char *prefix, bool icase)
{
    while (*prefix != '\0' && p < end &&
           (*prefix == *p || (icase && tolower((unsigned char)*prefix) == tolower((unsigned char)*p)))) {
        prefix++;
        p++;
    }
    return *prefix != '\0' ? NULL : p;
}

static struct http_version parse_version(const char *p, size_t len)
{
    struct http_version v = {0, 0};

    if (len >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] == '.' && p[2] >= '0' && p[2] <= '9') {
        v.major = (uint8_t)(p[0] - '0');
        v.minor = (uint8_t)(p[2] - '0');
    }
    return v;
}

/* ParseRequest over the text after the method and its blanks. */
static void parse_request(const char *line, const char *end, struct http_request_line *out)
{
    const char *end_of_uri = line, *vs, *match;

    while (end_of_uri < end && is_uri_char((unsigned char)*end_of_uri))
        end_of_uri++;
    match = prefix_match(line, end, "HTTP/", false);
    if (match == NULL && (match = prefix_match(line, end, "HTTP/", true)) != NULL)
        out->flags |= HTTP_RL_LOWERCASE;
    if (end_of_uri >= end && match != NULL) {
        out->flags |= HTTP_RL_MISSING_URI;
        end_of_uri = line;
    }
    for (vs = end_of_uri; vs < end; ++vs) {
        end_of_uri = vs;
        vs = skip_ws(vs, end);
        if (prefix_match(vs, end, "HTTP/", false) != NULL)
            break;
        if (prefix_match(vs, end, "HTTP/", true) != NULL) {
            out->flags |= HTTP_RL_LOWERCASE;
            break;
        }
    }
    if (vs >= end) {
        out->set_version = true;
        out->version.major = 0;
        out->version.minor = 9;
    } else if (vs + 8 <= end) {
        vs += 5;
        out->set_version = true;
        out->version = parse_version(vs, (size_t)(end - vs));
    }
    out->uri = line;
    out->uri_len = (size_t)(end_of_uri - line);
    out->parsed = true;
}

enum http_req_result http_parse_request_line(const char *line, size_t len, struct http_request_line *out)
{
    const char *end = line + len, *eom = line, *rest;

    memset(out, 0, sizeof(*out));
    while (eom < end && is_token_char((unsigned char)*eom))
        eom++;
    if (eom == line) {
        if (len >= 9 && strncasecmp(end - 9, " HTTP/", 6) == 0)
            return HTTP_REQ_BAD_WITH_VERSION;
        return HTTP_REQ_BAD;
    }
    rest = skip_ws(eom, end);
    if (rest == eom)
        return HTTP_REQ_BAD;
    parse_request(rest, end, out);
    /* The caller applies the version and then the HTTP/0.9 sanity rule (it depends on the
     * version the connection already had). */
    out->method = line;
    out->method_len = (size_t)(eom - line);
    return HTTP_REQ_OK;
}

bool http_parse_reply_line(const char *line, size_t len, struct http_reply_line *out)
{
    const char *end = line + len, *rest;

    memset(out, 0, sizeof(*out));
    rest = prefix_match(line, end, "HTTP/", false);
    if (rest == NULL && (rest = prefix_match(line, end, "HTTP/", true)) != NULL)
        out->lowercase = true;
    if (rest == NULL)
        return false;
    out->prefix_ok = true;
    out->version = parse_version(rest, (size_t)(end - rest));
    while (rest < end && !is_ws(*rest))
        rest++;
    if (rest >= end)
        return false;
    rest = skip_ws(rest, end);
    if (rest + 3 > end)
        return false;
    if (isdigit((unsigned char)rest[0]) && isdigit((unsigned char)rest[1]) && isdigit((unsigned char)rest[2]))
        out->code = (unsigned)((rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0'));
    for (rest += 3; rest < end && !is_ws(*rest); rest++)
        ;
    if (rest >= end)
        return true;   /* the reason phrase is tolerated missing */
    rest = skip_ws(rest, end);
    out->reason = rest;
    out->reason_len = (size_t)(end - rest);
    return true;
}

size_t http_unescape_uri(const char *in, size_t len, char *out, unsigned *flags)
{
    const unsigned char *p = (const unsigned char *)in, *end = p + len;
    size_t o = 0;

    while (p < end) {
        if (*p != '%') {
            out[o++] = (char)*p++;
            continue;
        }
        ++p;
        if (p == end) {
            out[o++] = '%';
            *flags |= HTTP_UNESC_ILLEGAL_END;
            break;
        }
        if (p + 1 == end) {
            out[o++] = '%';
            out[o++] = (char)*p;
            *flags |= HTTP_UNESC_PARTIAL_END;
            break;
        }
        if (*p == '%') {
            /* a doubled % is dropped and the second one read as the escape */
            *flags |= HTTP_UNESC_DOUBLE;
            continue;
        }
        if (isxdigit(p[0]) && isxdigit(p[1])) {
            out[o++] = (char)(hex_value((unsigned char)p[0]) * 16 + hex_value((unsigned char)p[1]));
            p += 2;
        } else if (end - p >= 5 && p[0] == 'u' && isxdigit(p[1]) && isxdigit(p[2]) && isxdigit(p[3]) &&
                   isxdigit(p[4])) {
            if (!(p[1] == '0' && p[2] == '0'))
                out[o++] = (char)(hex_value((unsigned char)p[1]) * 16 + hex_value((unsigned char)p[2]));
            out[o++] = (char)(hex_value((unsigned char)p[3]) * 16 + hex_value((unsigned char)p[4]));
            p += 5;
        } else {
            *flags |= HTTP_UNESC_UNESCAPED;
            out[o++] = '%';
            out[o++] = (char)*p++;
        }
    }
    return o;
}

static bool is_mime_token_char(unsigned char c)
{
    return c >= 33 && c <= 126 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

size_t http_value_token(const char *v, size_t len, const char **tok, const char **rest, size_t *rest_len)
{
    const char *end = v + len, *p = skip_ws(v, end), *t;

    t = p;
    while (p < end && is_mime_token_char((unsigned char)*p))
        p++;
    *tok = t;
    if (rest != NULL) {
        *rest = p;
        *rest_len = (size_t)(end - p);
    }
    return (size_t)(p - t);
}

bool http_atoi(const char *s, size_t len, unsigned base, int64_t *out)
{
    int64_t n = 0;
    bool neg = false;
    size_t i;

    if (len > 0 && *s == '-') {
        neg = true;
        s++;
        len--;
    }
    for (i = 0; i < len; i++) {
        unsigned d;
        char c = s[i];

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else if (i > 0)
            break;
        else
            return false;
        if (n > (INT64_MAX - (int64_t)d) / (int64_t)base)
            n = INT64_MAX;   /* saturate: a length no stream reaches */
        else
            n = n * (int64_t)base + (int64_t)d;
    }
    *out = neg ? -n : n;
    return true;
}

static bool cd_lang_char(unsigned char c)
{
    return isalnum(c) || strchr("!#$%&+-^_`{}~", c) != NULL;
}

size_t http_cd_filename(const char *v, size_t len, char *out, size_t size)
{
    const char *end = v + len, *start = NULL, *q;
    char tmp[HTTP_FILENAME_MAX];
    unsigned flags = 0;
    size_t n;

    /* the greedy ^.*name[blank]*\*?=[blank]* of Zeek: the last such match wins */
    for (const char *p = v; p + 4 <= end; p++) {
        if (strncasecmp(p, "name", 4) != 0)
            continue;
        q = p + 4;
        while (q < end && is_ws(*q))
            q++;
        if (q < end && *q == '*')
            q++;
        if (q < end && *q == '=') {
            q = skip_ws(q + 1, end);
            start = q;
        }
    }
    if (start == NULL)
        start = v;
    if (start < end && *start == '"') {
        start++;
        for (q = start; q < end && *q != '"'; q++)
            ;
        end = q;
    }
    /* RFC 2231 charset'language' prefix */
    for (q = start; q < end && cd_lang_char((unsigned char)*q); q++)
        ;
    if (q > start && q < end && *q == '\'') {
        const char *r = q + 1;

        while (r < end && cd_lang_char((unsigned char)*r))
            r++;
        if (r < end && *r == '\'')
            start = r + 1;
    }
    n = (size_t)(end - start);
    if (n > sizeof(tmp))
        n = sizeof(tmp);
    memcpy(tmp, start, n);
    n = http_unescape_uri(tmp, n, out, &flags);   /* never longer than its input */
    return n < size ? n : size;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

bool http_basic_decode(const char *v, size_t len, char *out, size_t size, size_t *out_len)
{
    const char *end = v + len, *p;
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;

    if (len < 6 || strncasecmp(v, "basic ", 6) != 0)
        return false;
    p = skip_ws(v + 5, end);
    for (; p < end; p++) {
        int d = b64val((unsigned char)*p);

        if (d < 0)
            continue;   /* padding and junk are skipped, as Zeek's decoder does */
        acc = (acc << 6) | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o < size)
                out[o++] = (char)((acc >> bits) & 0xffu);
        }
    }
    *out_len = o;
    return true;
}

static const char *const known_methods[] = {
    "GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "CONNECT", "PROPFIND", "PROPPATCH",
    "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "POLL", "REPORT", "SUBSCRIBE", "BMOVE", "SEARCH", "QUERY",
};

bool http_known_method(const char *m, size_t len)
{
    for (size_t i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]); i++)
        if (strlen(known_methods[i]) == len && memcmp(known_methods[i], m, len) == 0)
            return true;
    return false;
}

/* The verbs of Zeek's dpd_http_client signature. */
static const char *const sig_methods[] = {
    "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT", "PROPFIND", "PROPPATCH",
    "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "VERSION-CONTROL", "REPORT", "CHECKOUT", "CHECKIN",
    "UNCHECKOUT", "MKWORKSPACE", "UPDATE", "LABEL", "MERGE", "BASELINE-CONTROL", "MKACTIVITY",
    "ORDERPATCH", "ACL", "PATCH", "SEARCH", "BCOPY", "BDELETE", "BMOVE", "BPROPFIND", "BPROPPATCH",
    "NOTIFY", "POLL", "SUBSCRIBE", "UNSUBSCRIBE", "X-MS-ENUMATTS", "RPC_OUT_DATA", "RPC_IN_DATA", "QUERY",
};

static bool is_text(uint8_t c)
{
    return c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\r');
}

int http_probe_bytes(const uint8_t *data, size_t len, enum flow_dir dir)
{
    size_t i = 0, eol;
    bool prefix = false;

    if (dir == FLOW_DIR_RESP) {
        static const char sig[] = "http/";

        for (i = 0; i < 5; i++) {
            if (i == len)
                return PROBE_NEED_MORE;
            if (tolower(data[i]) != sig[i])
                return PROBE_NO;
        }
        if (i == len)
            return PROBE_NEED_MORE;
        return isdigit(data[i]) ? PROBE_YES : PROBE_NO;
    }
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == len)
        return PROBE_NEED_MORE;
    for (size_t m = 0; m < sizeof(sig_methods) / sizeof(sig_methods[0]); m++) {
        size_t ml = strlen(sig_methods[m]), have = len - i < ml ? len - i : ml;

        if (memcmp(data + i, sig_methods[m], have) == 0) {
            if (have == ml)
                return PROBE_YES;
            prefix = true;
        }
    }
    /* Any method: a text line carrying an HTTP version (unknown verbs, malformed lines). */
    for (eol = i; eol < len && data[eol] != '\n'; eol++)
        if (!is_text(data[eol]))
            return PROBE_NO;
    if (eol == len)
        return PROBE_NEED_MORE;
    for (size_t k = i; k + 6 <= eol; k++)
        if (memcmp(data + k, "HTTP/", 5) == 0 && isdigit(data[k + 5]))
            return PROBE_YES;
    return prefix ? PROBE_NEED_MORE : PROBE_NO;
}
