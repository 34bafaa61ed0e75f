/* log/log_value.c - Zeek's value formatting (TSV and JSON), escaping and field size limits. */
#include "log/log_value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/addr.h"

static const char hexdig[] = "0123456789abcdef";

void log_value_budget_init(struct log_budget *bg)
{
    bg->string_left = LOG_VALUE_MAX_RECORD_STRING;
    bg->elements_left = LOG_VALUE_MAX_RECORD_ELEMENTS;
    bg->strings_cut = 0;
    bg->containers_cut = 0;
}

const char *log_value_type_name(enum log_type t)
{
    switch (t) {
    case LOG_TIME:         return "time";
    case LOG_INTERVAL:     return "interval";
    case LOG_COUNT:        return "count";
    case LOG_INT:          return "int";
    case LOG_DOUBLE:       return "double";
    case LOG_BOOL:         return "bool";
    case LOG_STRING:       return "string";
    case LOG_ENUM:         return "enum";
    case LOG_ADDR:         return "addr";
    case LOG_SUBNET:       return "subnet";
    case LOG_PORT:         return "port";
    case LOG_SET_STRING:   return "set[string]";
    case LOG_SET_ENUM:     return "set[enum]";
    case LOG_VEC_STRING:   return "vector[string]";
    case LOG_VEC_ADDR:     return "vector[addr]";
    case LOG_VEC_INTERVAL: return "vector[interval]";
    case LOG_VEC_COUNT:    return "vector[count]";
    }
    return "string";
}

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7: no overlongs, no
 * surrogates, nothing past U+10FFFF), or 0 if the bytes there are not one. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len, i;
    unsigned char lo = 0x80, hi = 0xbf;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4;
    else
        return 0;
    if (n < len)
        return 0;
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

static void add_hex_escape(struct log_buf *b, unsigned char c)
{
    char e[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 0x0f] };
    log_buf_add(b, e, 4);
}

/* Cuts a string to the per-field and per-record limits, counting cuts. */
static size_t budget_string(struct log_budget *bg, size_t n)
{
    size_t allowed = n;

    if (bg == NULL)
        return n;
    if (allowed > LOG_VALUE_MAX_STRING)
        allowed = LOG_VALUE_MAX_STRING;
    if (allowed > bg->string_left)
        allowed = bg->string_left;
    if (allowed < n)
        bg->strings_cut++;
    bg->string_left -= (uint32_t)allowed;
    return allowed;
}

static uint32_t budget_elements(struct log_budget *bg, uint32_t n)
{
    uint32_t allowed = n;

    if (bg == NULL)
        return n;
    if (allowed > LOG_VALUE_MAX_ELEMENTS)
        allowed = LOG_VALUE_MAX_ELEMENTS;
    if (allowed > bg->elements_left)
        allowed = bg->elements_left;
    if (allowed < n)
        bg->containers_cut++;
    bg->elements_left -= allowed;
    return allowed;
}

/* The ODesc escaping path with UTF-8 enabled: the markers and separators must stay
 * unambiguous, everything else valid UTF-8 passes raw. */
static void tsv_escape(struct log_buf *b, const unsigned char *s, size_t n, bool in_container)
{
    size_t i = 0, run = 0, k;

    while (i < n) {
        unsigned char c = s[i];

        if (c >= 0x20 && c < 0x7f && c != '\\' && !(in_container && c == ',')) {
            i++;
            continue;
        }
        if (c >= 0x80 && (k = utf8_seq_len(s + i, n - i)) != 0) {
            i += k;
            continue;
        }
        log_buf_add(b, s + run, i - run);
        if (c == '\\')
            log_buf_add(b, "\\\\", 2);
        else
            add_hex_escape(b, c);
        run = ++i;
    }
    log_buf_add(b, s + run, n - run);
}

void log_value_str_tsv(struct log_buf *b, const char *s, size_t n, bool in_container)
{
    const unsigned char *u = (const unsigned char *)s;

    if (n == 0) {
        log_buf_add(b, "(empty)", 7);
        return;
    }
    /* A value equal to a marker gets its first byte escaped so it cannot be read as one. */
    if ((n == 1 && s[0] == '-') || (n == 7 && memcmp(s, "(empty)", 7) == 0)) {
        add_hex_escape(b, u[0]);
        tsv_escape(b, u + 1, n - 1, in_container);
        return;
    }
    tsv_escape(b, u, n, in_container);
}

void log_value_str_json(struct log_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0, k;

    log_buf_addc(b, '"');
    while (i < n) {
        unsigned char c = u[i];
        const char *esc = NULL;

        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c >= 0x80 && (k = utf8_seq_len(u + i, n - i)) != 0) {
            i += k;
            continue;
        }
        log_buf_add(b, u + run, i - run);
        switch (c) {
        case '"':  esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        }
        if (esc != NULL) {
            log_buf_add(b, esc, 2);
        } else {
            /* STRING_ESCAPE_POLICY_HEX: the text \xNN, whose backslash JSON then escapes. */
            char e[5] = { '\\', '\\', 'x', hexdig[c >> 4], hexdig[c & 0x0f] };
            log_buf_add(b, e, 5);
        }
        run = ++i;
    }
    log_buf_add(b, u + run, n - run);
    log_buf_addc(b, '"');
}

void log_value_time_tsv(struct log_buf *b, pw_time t)
{
    char tmp[32];
    uint64_t u, us;
    int n;

    /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
    u = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    us = u / 1000 + (u % 1000 >= 500);
    n = snprintf(tmp, sizeof(tmp), "%s%" PRIu64 ".%06" PRIu64, t < 0 ? "-" : "",
                 us / 1000000, us % 1000000);
    log_buf_add(b, tmp, (size_t)n);
}

double log_value_time_to_double(pw_time t)
{
    int64_t sec = t / PW_SEC, frac = t % PW_SEC;

    if (frac < 0) {
        sec--;
        frac += PW_SEC;
    }
    return (double)sec + (double)frac / 1e9;
}

void log_value_double_tsv(struct log_buf *b, double d)
{
    char tmp[400];
    int n;

    if (isnan(d)) {
        log_buf_add(b, "nan", 3);
        return;
    }
    if (isinf(d)) {
        log_buf_adds(b, d < 0 ? "-inf" : "inf");
        return;
    }
    n = snprintf(tmp, sizeof(tmp), "%.6f", d);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return;
    while (n > 0 && tmp[n - 1] == '0')
        n--;
    if (n > 0 && tmp[n - 1] == '.')
        n--;
    log_buf_add(b, tmp, (size_t)n);
    /* Zeek adds ".0" to tell an integral double from a count. */
    if (fabs(d - nearbyint(d)) < 1e-9)
        log_buf_add(b, ".0", 2);
}

/* RapidJSON's layout for a shortest round-trip digit string `dig` (len digits) with value
 * dig * 10^k. */
static void json_prettify(struct log_buf *b, const char *dig, int len, int k)
{
    int kk = len + k, i;
    char tmp[8];

    if (k >= 0 && kk <= 21) {
        log_buf_add(b, dig, (size_t)len);
        for (i = 0; i < k; i++)
            log_buf_addc(b, '0');
        log_buf_add(b, ".0", 2);
    } else if (kk > 0 && kk <= 21) {
        log_buf_add(b, dig, (size_t)kk);
        log_buf_addc(b, '.');
        log_buf_add(b, dig + kk, (size_t)(len - kk));
    } else if (kk > -6 && kk <= 0) {
        log_buf_add(b, "0.", 2);
        for (i = 0; i < -kk; i++)
            log_buf_addc(b, '0');
        log_buf_add(b, dig, (size_t)len);
    } else {
        log_buf_addc(b, dig[0]); /* NOLINT(clang-analyzer-core.CallAndMessage): len >= 1 digits */
        if (len > 1) {
            log_buf_addc(b, '.');
            log_buf_add(b, dig + 1, (size_t)(len - 1));
        }
        i = snprintf(tmp, sizeof(tmp), "e%d", kk - 1);
        log_buf_add(b, tmp, (size_t)i);
    }
}

void log_value_double_json(struct log_buf *b, double d)
{
    char tmp[40], dig[24];
    int prec, n, len = 0, exp;
    char *e, *p;

    if (!isfinite(d)) {
        log_buf_add(b, "null", 4);
        return;
    }
    if (signbit(d))
        log_buf_addc(b, '-');
    d = fabs(d);
    if (d == 0) {
        log_buf_add(b, "0.0", 3);
        return;
    }
    /* The fewest significant digits that read back as the same double. */
    for (prec = 1; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (n > 0 && strtod(tmp, NULL) == d)
            break;
    }
    e = strchr(tmp, 'e');
    if (e == NULL)
        return;
    for (p = tmp; p < e; p++)
        if (*p >= '0' && *p <= '9')
            dig[len++] = *p;
    while (len > 1 && dig[len - 1] == '0')
        len--;
    exp = (int)strtol(e + 1, NULL, 10);
    json_prettify(b, dig, len, exp - (len - 1));
}

static void add_u64(struct log_buf *b, uint64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
    log_buf_add(b, tmp, (size_t)n);
}

static void add_i64(struct log_buf *b, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);
    log_buf_add(b, tmp, (size_t)n);
}

static void add_addr(struct log_buf *b, const struct addr *a)
{
    char tmp[ADDR_STRLEN];
    log_buf_add(b, tmp, addr_format(a, tmp, sizeof(tmp)));
}

static void add_subnet(struct log_buf *b, const struct log_subnet *s)
{
    add_addr(b, &s->prefix);
    log_buf_addc(b, '/');
    add_u64(b, s->bits);
}

static void tsv_string(struct log_buf *b, const struct log_str *s, bool in_container,
                       struct log_budget *bg)
{
    if (s->ptr == NULL || s->len == 0)
        log_value_str_tsv(b, "", 0, in_container);
    else
        log_value_str_tsv(b, s->ptr, budget_string(bg, s->len), in_container);
}

static void json_string(struct log_buf *b, const struct log_str *s, struct log_budget *bg)
{
    if (s->ptr == NULL || s->len == 0)
        log_value_str_json(b, "", 0);
    else
        log_value_str_json(b, s->ptr, budget_string(bg, s->len));
}

/* All list types share the layout { const T *items; uint32_t n; }. */
static uint32_t list_count(enum log_type t, const void *v)
{
    switch (t) {
    case LOG_SET_STRING:
    case LOG_SET_ENUM:
    case LOG_VEC_STRING:   return ((const struct log_str_list *)v)->n;
    case LOG_VEC_ADDR:     return ((const struct log_addr_list *)v)->n;
    case LOG_VEC_INTERVAL: return ((const struct log_time_list *)v)->n;
    case LOG_VEC_COUNT:    return ((const struct log_count_list *)v)->n;
    default:               return 0;
    }
}

static void tsv_list(struct log_buf *b, enum log_type t, const void *v, struct log_budget *bg)
{
    uint32_t i, n = budget_elements(bg, list_count(t, v));

    if (n == 0) {
        log_buf_add(b, "(empty)", 7);
        return;
    }
    for (i = 0; i < n; i++) {
        if (i > 0)
            log_buf_addc(b, ',');
        switch (t) {
        case LOG_SET_STRING:
        case LOG_SET_ENUM:
        case LOG_VEC_STRING:
            tsv_string(b, &((const struct log_str_list *)v)->items[i], true, bg);
            break;
        case LOG_VEC_ADDR:
            add_addr(b, &((const struct log_addr_list *)v)->items[i]);
            break;
        case LOG_VEC_INTERVAL:
            log_value_time_tsv(b, ((const struct log_time_list *)v)->items[i]);
            break;
        case LOG_VEC_COUNT:
            add_u64(b, ((const struct log_count_list *)v)->items[i]);
            break;
        default:
            break;
        }
    }
}

static void json_list(struct log_buf *b, enum log_type t, const void *v, struct log_budget *bg)
{
    uint32_t i, n = budget_elements(bg, list_count(t, v));

    log_buf_addc(b, '[');
    for (i = 0; i < n; i++) {
        if (i > 0)
            log_buf_addc(b, ',');
        switch (t) {
        case LOG_SET_STRING:
        case LOG_SET_ENUM:
        case LOG_VEC_STRING:
            json_string(b, &((const struct log_str_list *)v)->items[i], bg);
            break;
        case LOG_VEC_ADDR:
            log_buf_addc(b, '"');
            add_addr(b, &((const struct log_addr_list *)v)->items[i]);
            log_buf_addc(b, '"');
            break;
        case LOG_VEC_INTERVAL:
            log_value_double_json(b, (double)((const struct log_time_list *)v)->items[i] / 1e9);
            break;
        case LOG_VEC_COUNT:
            add_u64(b, ((const struct log_count_list *)v)->items[i]);
            break;
        default:
            break;
        }
    }
    log_buf_addc(b, ']');
}

void log_value_tsv(struct log_buf *b, enum log_type t, const void *v, struct log_budget *bg)
{
    switch (t) {
    case LOG_TIME:
    case LOG_INTERVAL:
        log_value_time_tsv(b, *(const pw_time *)v);
        break;
    case LOG_COUNT:
        add_u64(b, *(const uint64_t *)v);
        break;
    case LOG_INT:
        add_i64(b, *(const int64_t *)v);
        break;
    case LOG_DOUBLE:
        log_value_double_tsv(b, *(const double *)v);
        break;
    case LOG_BOOL:
        log_buf_addc(b, *(const bool *)v ? 'T' : 'F');
        break;
    case LOG_STRING:
    case LOG_ENUM:
        tsv_string(b, v, false, bg);
        break;
    case LOG_ADDR:
        add_addr(b, v);
        break;
    case LOG_SUBNET:
        add_subnet(b, v);
        break;
    case LOG_PORT:
        add_u64(b, *(const uint16_t *)v);
        break;
    case LOG_SET_STRING:
    case LOG_SET_ENUM:
    case LOG_VEC_STRING:
    case LOG_VEC_ADDR:
    case LOG_VEC_INTERVAL:
    case LOG_VEC_COUNT:
        tsv_list(b, t, v, bg);
        break;
    }
}

void log_value_json(struct log_buf *b, enum log_type t, const void *v, struct log_budget *bg)
{
    switch (t) {
    case LOG_TIME:
        log_value_double_json(b, log_value_time_to_double(*(const pw_time *)v));
        break;
    case LOG_INTERVAL:
        log_value_double_json(b, (double)*(const pw_time *)v / 1e9);
        break;
    case LOG_COUNT:
        add_u64(b, *(const uint64_t *)v);
        break;
    case LOG_INT:
        add_i64(b, *(const int64_t *)v);
        break;
    case LOG_DOUBLE:
        log_value_double_json(b, *(const double *)v);
        break;
    case LOG_BOOL:
        log_buf_adds(b, *(const bool *)v ? "true" : "false");
        break;
    case LOG_STRING:
    case LOG_ENUM:
        json_string(b, v, bg);
        break;
    case LOG_ADDR:
        log_buf_addc(b, '"');
        add_addr(b, v);
        log_buf_addc(b, '"');
        break;
    case LOG_SUBNET:
        log_buf_addc(b, '"');
        add_subnet(b, v);
        log_buf_addc(b, '"');
        break;
    case LOG_PORT:
        add_u64(b, *(const uint16_t *)v);
        break;
    case LOG_SET_STRING:
    case LOG_SET_ENUM:
    case LOG_VEC_STRING:
    case LOG_VEC_ADDR:
    case LOG_VEC_INTERVAL:
    case LOG_VEC_COUNT:
        json_list(b, t, v, bg);
        break;
    }
}
