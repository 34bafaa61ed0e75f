/* learn/learn_log.c - reads Zeek logs back: TSV with #fields headers or JSON lines, plain or gzip. */
#include "learn/learn_log.h"
#include "util/bytes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define READ_CHUNK (64u << 10)
#define MAX_COLS   128

struct learn_log {
    const char *const *fields;
    unsigned           n;

    /* TSV header state: what the last #separator, #fields, ... lines said. */
    char sep, set_sep;
    char empty[32], unset[32];
    bool have_fields;
    int  col[LEARN_LOG_MAX_FIELDS];       /* column of each wanted field, -1 when absent */
    bool col_vector[LEARN_LOG_MAX_FIELDS];

    char  *scratch;                       /* decoded values of the current row */
    size_t scratch_cap, scratch_len;

    gzFile gz;
    char  *buf;                           /* bytes read, not yet split into lines */
    size_t buf_len, buf_pos, buf_cap;
    bool   eof, skipping;                 /* skipping: inside a line longer than the cap */
    uint64_t bad;
};

static void tsv_reset(struct learn_log *l)
{
    l->sep = '\t';
    l->set_sep = ',';
    memcpy(l->empty, "(empty)", 8);
    memcpy(l->unset, "-", 2);
    l->have_fields = false;
    for (unsigned i = 0; i < LEARN_LOG_MAX_FIELDS; i++) {
        l->col[i] = -1;
        l->col_vector[i] = false;
    }
}

struct learn_log *learn_log_create(const char *const *fields, unsigned n)
{
    struct learn_log *l;

    if (n > LEARN_LOG_MAX_FIELDS)
        return NULL;
    l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->fields = fields;
    l->n = n;
    tsv_reset(l);
    return l;
}

static void close_file(struct learn_log *l)
{
    if (l->gz != NULL)
        gzclose(l->gz);
    l->gz = NULL;
}

void learn_log_free(struct learn_log *l)
{
    if (l == NULL)
        return;
    close_file(l);
    free(l->scratch);
    free(l->buf);
    free(l);
}

uint64_t learn_log_bad_lines(const struct learn_log *l)
{
    return l->bad;
}

/* Zeek's ASCII writer escapes separators and unprintable bytes as \xHH; other text is as is. */
static size_t unescape_x(const char *s, size_t len, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' && hex_value((unsigned char)s[i + 2]) >= 0 && hex_value((unsigned char)s[i + 3]) >= 0) {
            out[o++] = (char)(hex_value((unsigned char)s[i + 2]) << 4 | hex_value((unsigned char)s[i + 3]));
            i += 3;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

static bool scratch_reserve(struct learn_log *l, size_t need)
{
    char *p;
    size_t cap;

    if (need <= l->scratch_cap)
        return true;
    cap = need < 4096 ? 4096 : need;
    p = realloc(l->scratch, cap);
    if (p == NULL)
        return false;
    l->scratch = p;
    l->scratch_cap = cap;
    return true;
}

/* Splits s at sep into at most max pieces; returns how many. */
static unsigned split(char *s, size_t len, char sep, char **piece, size_t *plen, unsigned max)
{
    unsigned n = 0;
    size_t start = 0;

    for (size_t i = 0; i <= len && n < max; i++) {
        if (i == len || s[i] == sep) {
            piece[n] = s + start;
            plen[n] = i - start;
            n++;
            start = i + 1;
        }
    }
    return n;
}

/* ---- TSV ---- */

static void header_value(struct learn_log *l, const char *v, size_t vlen, char *dst, size_t size)
{
    char tmp[64];
    size_t n;

    if (vlen >= sizeof(tmp))
        vlen = sizeof(tmp) - 1;
    n = unescape_x(v, vlen, tmp);
    if (n >= size)
        n = size - 1;
    memcpy(dst, tmp, n);
    dst[n] = '\0';
}

static void tsv_header(struct learn_log *l, char *line, size_t len)
{
    char *piece[MAX_COLS];
    size_t plen[MAX_COLS];
    unsigned n;

    if (len > 11 && memcmp(line, "#separator ", 11) == 0) {
        char v[8];

        header_value(l, line + 11, len - 11, v, sizeof(v));
        l->sep = v[0] != '\0' ? v[0] : '\t';
        return;
    }
    n = split(line, len, l->sep, piece, plen, MAX_COLS);
    if (n < 2)
        return;
    if (plen[0] == 14 && memcmp(piece[0], "#set_separator", 14) == 0) {
        char v[8];

        header_value(l, piece[1], plen[1], v, sizeof(v));
        l->set_sep = v[0] != '\0' ? v[0] : ',';
    } else if (plen[0] == 12 && memcmp(piece[0], "#empty_field", 12) == 0) {
        header_value(l, piece[1], plen[1], l->empty, sizeof(l->empty));
    } else if (plen[0] == 12 && memcmp(piece[0], "#unset_field", 12) == 0) {
        header_value(l, piece[1], plen[1], l->unset, sizeof(l->unset));
    } else if (plen[0] == 7 && memcmp(piece[0], "#fields", 7) == 0) {
        for (unsigned f = 0; f < l->n; f++) {
            l->col[f] = -1;
            l->col_vector[f] = false;
            for (unsigned c = 1; c < n; c++)
                if (strlen(l->fields[f]) == plen[c] && memcmp(l->fields[f], piece[c], plen[c]) == 0)
                    l->col[f] = (int)c - 1;
        }
        l->have_fields = true;
    } else if (plen[0] == 6 && memcmp(piece[0], "#types", 6) == 0) {
        for (unsigned f = 0; f < l->n; f++) {
            unsigned c = (unsigned)(l->col[f] + 1);

            l->col_vector[f] = l->col[f] >= 0 && c < n &&
                               ((plen[c] > 4 && memcmp(piece[c], "set[", 4) == 0) ||
                                (plen[c] > 7 && memcmp(piece[c], "vector[", 7) == 0));
        }
    }
}

static int tsv_row(struct learn_log *l, char *line, size_t len, struct learn_row *row)
{
    char *col[MAX_COLS];
    size_t clen[MAX_COLS];
    unsigned ncol;

    if (!l->have_fields)
        return -1;
    ncol = split(line, len, l->sep, col, clen, MAX_COLS);
    /* Decoded text is never longer than the raw text; each item adds one NUL. */
    if (!scratch_reserve(l, len + (size_t)l->n + 64))
        return -1;
    l->scratch_len = 0;
    for (unsigned f = 0; f < l->n; f++) {
        struct learn_val *v = &row->v[f];
        char *raw, *out;
        size_t rlen;

        memset(v, 0, sizeof(*v));
        if (l->col[f] < 0 || (unsigned)l->col[f] >= ncol)
            continue;
        raw = col[l->col[f]];
        rlen = clen[l->col[f]];
        if (strlen(l->unset) == rlen && memcmp(raw, l->unset, rlen) == 0)
            continue;
        out = l->scratch + l->scratch_len;
        v->set = true;
        v->s = out;
        if (strlen(l->empty) == rlen && memcmp(raw, l->empty, rlen) == 0) {
            out[0] = '\0';
            l->scratch_len++;
            continue;
        }
        if (l->col_vector[f]) {
            char *item[MAX_COLS];
            size_t ilen[MAX_COLS];
            unsigned ni = split(raw, rlen, l->set_sep, item, ilen, MAX_COLS);

            for (unsigned i = 0; i < ni; i++) {
                size_t k = unescape_x(item[i], ilen[i], l->scratch + l->scratch_len);

                if (i == 0)
                    v->len = k;
                l->scratch[l->scratch_len + k] = '\0';
                l->scratch_len += k + 1;
            }
            v->n = ni;
        } else {
            v->len = unescape_x(raw, rlen, out);
            out[v->len] = '\0';
            l->scratch_len += v->len + 1;
            v->n = 1;
        }
    }
    return 1;
}

/* ---- JSON lines: one flat object per line, as Zeek's JSON writer makes ---- */

struct jp {
    const char *p, *end;
    int         depth;
};

static void ws(struct jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
        j->p++;
}

static size_t utf8_put(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3f));
    out[2] = (char)(0x80 | (c >> 6 & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
    *v = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        int h = hex_value((unsigned char)p[i]);

        if (h < 0)
            return -1;
        *v = *v << 4 | (uint32_t)h;
    }
    return 0;
}

/* A string at j->p (its opening quote); decoded into out when out is not NULL (room for the raw
 * length: no escape decodes longer than it is written). Returns the decoded length or -1. */
static long string(struct jp *j, char *out)
{
    size_t o = 0;
    uint32_t c, lo;

    if (j->p >= j->end || *j->p != '"')
        return -1;
    j->p++;
    while (j->p < j->end && *j->p != '"') {
        char ch = *j->p++;

        if (ch != '\\') {
            if (out != NULL)
                out[o] = ch;
            o++;
            continue;
        }
        if (j->p >= j->end)
            return -1;
        ch = *j->p++;
        switch (ch) {
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case '"': case '\\': case '/': break;
        case 'u':
            if (hex4(j->p, j->end, &c) < 0)
                return -1;
            j->p += 4;
            if (c >= 0xd800 && c < 0xdc00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
                hex4(j->p + 2, j->end, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                j->p += 6;
            } else if (c >= 0xd800 && c < 0xe000) {
                c = '?';
            }
            if (out != NULL) {
                o += utf8_put(c, out + o);
            } else {
                char tmp[4];

                o += utf8_put(c, tmp);
            }
            continue;
        default:
            return -1;
        }
        if (out != NULL)
            out[o] = ch;
        o++;
    }
    if (j->p >= j->end)
        return -1;
    j->p++;
    return (long)o;
}

static bool is_word(struct jp *j, const char *w, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
        return false;
    j->p += n;
    return true;
}

static size_t number_len(const struct jp *j)
{
    const char *q = j->p;

    while (q < j->end && (strchr("+-.eE", *q) != NULL || (*q >= '0' && *q <= '9')))
        q++;
    return (size_t)(q - j->p);
}

static int skip_value(struct jp *j);

static int skip_container(struct jp *j, char close)
{
    if (++j->depth > 64)
        return -1;
    j->p++;
    ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return 0;
    }
    for (;;) {
        ws(j);
        if (close == '}') {
            if (string(j, NULL) < 0)
                return -1;
            ws(j);
            if (j->p >= j->end || *j->p != ':')
                return -1;
            j->p++;
            ws(j);
        }
        if (skip_value(j) < 0)
            return -1;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == close) {
            j->p++;
            j->depth--;
            return 0;
        }
        return -1;
    }
}

static int skip_value(struct jp *j)
{
    size_t n;

    if (j->p >= j->end)
        return -1;
    switch (*j->p) {
    case '"':
        return string(j, NULL) < 0 ? -1 : 0;
    case '{':
        return skip_container(j, '}');
    case '[':
        return skip_container(j, ']');
    default:
        if (is_word(j, "true", 4) || is_word(j, "false", 5) || is_word(j, "null", 4))
            return 0;
        n = number_len(j);
        if (n == 0)
            return -1;
        j->p += n;
        return 0;
    }
}

/* One scalar (string, number, boolean) appended to the scratch as an item; null is "-" inside a
 * vector and unset outside one (*null set). */
static int scalar(struct learn_log *l, struct jp *j, size_t *len, bool *null)
{
    char *out = l->scratch + l->scratch_len;
    long k;
    size_t n;

    *null = false;
    if (j->p >= j->end)
        return -1;
    if (*j->p == '"') {
        k = string(j, out);
        if (k < 0)
            return -1;
        n = (size_t)k;
    } else if (is_word(j, "true", 4)) {
        out[0] = 'T';
        n = 1;
    } else if (is_word(j, "false", 5)) {
        out[0] = 'F';
        n = 1;
    } else if (is_word(j, "null", 4)) {
        *null = true;
        out[0] = '-';
        n = 1;
    } else {
        n = number_len(j);
        if (n == 0)
            return -1;
        memcpy(out, j->p, n);
        j->p += n;
    }
    out[n] = '\0';
    l->scratch_len += n + 1;
    *len = n;
    return 0;
}

static int json_value(struct learn_log *l, struct jp *j, struct learn_val *v)
{
    bool null;
    size_t len;

    memset(v, 0, sizeof(*v));
    if (j->p < j->end && *j->p == '{')
        return skip_value(j);   /* nested records are not columns we read */
    v->s = l->scratch + l->scratch_len;
    if (j->p < j->end && *j->p != '[') {
        if (scalar(l, j, &v->len, &null) < 0)
            return -1;
        v->set = !null;
        v->n = null ? 0 : 1;
        return 0;
    }
    j->p++;
    v->set = true;
    ws(j);
    if (j->p < j->end && *j->p == ']') {
        j->p++;
        return 0;
    }
    for (;;) {
        ws(j);
        if (j->p < j->end && (*j->p == '[' || *j->p == '{')) {
            if (skip_value(j) < 0)
                return -1;
        } else {
            if (scalar(l, j, &len, &null) < 0)
                return -1;
            if (v->n++ == 0)
                v->len = len;
        }
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == ']') {
            j->p++;
            return 0;
        }
        return -1;
    }
}

static int json_row(struct learn_log *l, const char *line, size_t len, struct learn_row *row)
{
    struct jp j = {line, line + len, 0};
    char key[128];

    /* Values are at most as long as written, plus a NUL per item (and "T" for "true"). */
    if (!scratch_reserve(l, 2 * len + 64))
        return -1;
    l->scratch_len = 0;
    memset(row, 0, sizeof(*row));
    ws(&j);
    if (j.p >= j.end || *j.p != '{')
        return -1;
    j.p++;
    ws(&j);
    if (j.p < j.end && *j.p == '}')
        return 1;
    for (;;) {
        struct jp kp;
        long klen;
        int want = -1;

        ws(&j);
        kp = j;
        klen = string(&kp, NULL);
        if (klen < 0)
            return -1;
        if ((size_t)klen < sizeof(key)) {
            (void)string(&j, key);
            key[klen] = '\0';
            for (unsigned f = 0; f < l->n; f++)
                if (strcmp(l->fields[f], key) == 0)
                    want = (int)f;
        } else {
            j = kp;
        }
        ws(&j);
        if (j.p >= j.end || *j.p != ':')
            return -1;
        j.p++;
        ws(&j);
        if (want >= 0 ? json_value(l, &j, &row->v[want]) < 0 : skip_value(&j) < 0)
            return -1;
        ws(&j);
        if (j.p < j.end && *j.p == ',') {
            j.p++;
            continue;
        }
        if (j.p < j.end && *j.p == '}')
            return 1;
        return -1;
    }
}

int learn_log_line(struct learn_log *l, char *line, size_t len, struct learn_row *row)
{
    int r;

    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    if (len == 0)
        return 0;
    if (line[0] == '#') {
        tsv_header(l, line, len);
        return 0;
    }
    {
        size_t i = 0;

        while (i < len && line[i] == ' ')
            i++;
        r = i < len && line[i] == '{' ? json_row(l, line, len, row) : tsv_row(l, line, len, row);
    }
    if (r < 0)
        l->bad++;
    return r;
}

/* ---- files ---- */

int learn_log_open(struct learn_log *l, const char *path, char *err, size_t errlen)
{
    close_file(l);
    tsv_reset(l);
    l->buf_len = l->buf_pos = 0;
    l->eof = false;
    l->skipping = false;
    if (l->buf == NULL) {
        l->buf = malloc(READ_CHUNK * 2);
        if (l->buf == NULL) {
            snprintf(err, errlen, "%s: out of memory", path);
            return -1;
        }
        l->buf_cap = READ_CHUNK * 2;
    }
    errno = 0;
    l->gz = gzopen(path, "rb");
    if (l->gz == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, errno != 0 ? strerror(errno) : "out of memory");
        return -1;
    }
    return 0;
}

/* Reads more bytes; false at end of file or on error (err filled when an error). */
static bool fill(struct learn_log *l, char *err, size_t errlen, bool *failed)
{
    int got, zerr;

    if (l->buf_pos > 0) {
        memmove(l->buf, l->buf + l->buf_pos, l->buf_len - l->buf_pos);
        l->buf_len -= l->buf_pos;
        l->buf_pos = 0;
    }
    if (l->buf_cap - l->buf_len < READ_CHUNK) {
        size_t cap = l->buf_cap * 2;
        char *p;

        if (cap > LEARN_LOG_MAX_LINE + READ_CHUNK * 2)
            cap = LEARN_LOG_MAX_LINE + READ_CHUNK * 2;
        if (cap <= l->buf_cap || (p = realloc(l->buf, cap)) == NULL) {
            /* Only a line past the cap fills the buffer: drop what we hold of it. */
            l->buf_len = 0;
            l->skipping = true;
        } else {
            l->buf = p;
            l->buf_cap = cap;
        }
    }
    got = gzread(l->gz, l->buf + l->buf_len, READ_CHUNK);
    if (got < 0) {
        snprintf(err, errlen, "read error: %s", gzerror(l->gz, &zerr));
        *failed = true;
        return false;
    }
    if (got == 0)
        return false;
    l->buf_len += (size_t)got;
    return true;
}

int learn_log_next(struct learn_log *l, struct learn_row *row, char *err, size_t errlen)
{
    bool failed = false;

    if (l->gz == NULL)
        return 0;
    for (;;) {
        char *start = l->buf + l->buf_pos;
        char *nl = memchr(start, '\n', l->buf_len - l->buf_pos);
        size_t len;
        int r;

        if (nl == NULL && !l->eof) {
            bool skipping = l->skipping;

            if (!fill(l, err, errlen, &failed)) {
                if (failed)
                    return -1;
                l->eof = true;
            }
            if (l->skipping && !skipping)
                l->bad++;
            continue;
        }
        if (nl == NULL) {
            len = l->buf_len - l->buf_pos;
            if (len == 0 || l->skipping)
                return 0;
            l->buf_pos = l->buf_len;
        } else {
            len = (size_t)(nl - start);
            l->buf_pos += len + 1;
        }
        if (l->skipping) {
            l->skipping = false;
            continue;
        }
        if (len > LEARN_LOG_MAX_LINE) {
            l->bad++;
            continue;
        }
        r = learn_log_line(l, start, len, row);
        if (r == 1)
            return 1;
    }
}
