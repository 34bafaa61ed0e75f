/* detect/jndi.c - finds JNDI lookups in text: evaluates Log4j's ${...} lookups over the decoded
 * stream as Log4j would, in bounded time and stack; and Corelight's header test and target parse. */
#include "detect/jndi.h"

#include <string.h>

#include "detect/jndi_int.h"

#define EVAL_DEPTH_MAX  32                          /* real frames; deeper ${ are only counted */
#define EVAL_FRAME_MAX  512                         /* content bytes kept per frame */
#define EVAL_ARENA      (EVAL_FRAME_MAX * (EVAL_DEPTH_MAX + 8))
#define EVAL_VALUE_MAX  (EVAL_FRAME_MAX * 3 / 2 + 8) /* lower() turns the 2 bytes of İ into 3 */
#define EVAL_REREAD_MAX 2                           /* base64 values holding ${ are re-read so deep */
#define WORK_PER_BYTE   80                          /* budget: steps per input byte, plus a floor */
#define WORK_FLOOR      65536
#define B64_IN_MAX      16384
#define B64_OUT_MAX     (B64_IN_MAX / 4 * 3)

/* One open ${...}: its content so far, in the arena right after its parent's. */
struct frame {
    uint32_t start;       /* input offset of the '$' that opened it */
    uint32_t base, len;   /* content kept in the arena */
    uint32_t last_start;  /* input offset of the last byte appended */
    uint8_t  last;        /* that byte: a '$' then a '{' opens a lookup, even across a value */
    uint8_t  last_enc;
    bool     last_kept;   /* it is stored at the end of the content */
    unsigned enc;         /* encodings undone anywhere inside */
};

/* What an input's evaluation and the values it re-reads share. */
struct scan {
    struct jndi_hit  cand;        /* the lookup kept for the open top-level span */
    int              cand_depth;  /* its nesting depth: the outermost lookup wins */
    bool             have;
    uint64_t         work, work_max;
    const uint8_t   *data;
    struct jndi_hit *hits;
    int              max, count;
    unsigned         extra_enc;
};

struct eval {
    struct scan  *sc;
    uint8_t      *arena;
    uint32_t      arena_size;
    int           depth;
    uint32_t      phantom;     /* ${ opened past EVAL_DEPTH_MAX and not closed yet */
    int           level;       /* 0: the input itself; n: a base64 value re-read n deep */
    int           depth_base;  /* depth of the lookup whose value is re-read */
    bool          keep_top;    /* keep top-level text: it is a re-read value's result */
    struct frame  fr[EVAL_DEPTH_MAX + 1];
};

static void eval_item(struct eval *ev, const struct jndi_item *it);
static void eval_finish(struct eval *ev, uint32_t end);

static void eval_init(struct eval *ev, struct scan *sc, uint8_t *arena, uint32_t size, int level,
                      int depth_base, bool keep_top)
{
    ev->sc = sc;
    ev->arena = arena;
    ev->arena_size = size;
    ev->depth = 0;
    ev->phantom = 0;
    ev->level = level;
    ev->depth_base = depth_base;
    ev->keep_top = keep_top;
    memset(&ev->fr[0], 0, sizeof(ev->fr[0]));
}

/* Copies text into a C string, cut to size; a NUL inside would end it early, so it shows as '?'. */
static void copy_text(char *dst, size_t size, const uint8_t *src, size_t n)
{
    if (n > size - 1)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] == 0 ? '?' : (char)src[i];
    dst[n] = '\0';
}

static size_t find_byte(const uint8_t *s, size_t from, size_t n, uint8_t c)
{
    while (from < n && s[from] != c)
        from++;
    return from;
}

/* Splits a JNDI name the way the JDK's URL contexts do: scheme before a ':' that precedes any
 * '/'; with "//", host up to ':' or '/', port, and the path after the next '/'. */
static void parse_target(struct jndi_hit *h, const uint8_t *key, size_t n)
{
    size_t colon = find_byte(key, 0, n, ':'), slash = find_byte(key, 0, n, '/');
    const uint8_t *r = key;
    size_t rn = n, sl = 0, o;
    char *p;

    memset(h, 0, sizeof(*h));
    if (colon > 0 && colon < n && colon < slash) {
        sl = colon < JNDI_SCHEME_MAX - 1 ? colon : JNDI_SCHEME_MAX - 1;
        for (size_t i = 0; i < sl; i++) {
            uint8_t c = key[i];

            h->scheme[i] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : (c == 0 ? '?' : c));
        }
        r = key + colon + 1;
        rn = n - colon - 1;
    }
    /* No scheme, no URL context: the JDK hands the name to the default context, no callback. */
    if (sl > 0 && rn >= 2 && r[0] == '/' && r[1] == '/') {
        size_t aend = find_byte(r, 2, rn, '/'), hend, after;

        if (2 < aend && r[2] == '[') {
            hend = find_byte(r, 3, aend, ']');
            copy_text(h->host, sizeof(h->host), r + 3, hend - 3);
            after = hend < aend ? hend + 1 : aend;
        } else {
            hend = find_byte(r, 2, aend, ':');
            copy_text(h->host, sizeof(h->host), r + 2, hend - 2);
            after = hend;
        }
        if (after < aend && r[after] == ':') {
            uint32_t port = 0;
            size_t i = after + 1;

            while (i < aend && r[i] >= '0' && r[i] <= '9' && port <= 65535)
                port = port * 10 + (r[i++] - '0');
            h->port = i == aend && i > after + 1 && port <= 65535 ? (uint16_t)port : 0;
        }
        if (aend < rn)
            copy_text(h->path, sizeof(h->path), r + aend + 1, rn - aend - 1);
    } else {
        o = rn > 0 && r[0] == '/' ? 1 : 0;
        copy_text(h->path, sizeof(h->path), r + o, rn - o);
    }
    /* "${jndi:" scheme ":" rest "}", cut to fit. */
    p = h->normalized;
    memcpy(p, "${jndi:", 7);
    o = 7;
    if (sl > 0) {
        memcpy(p + o, h->scheme, sl);
        o += sl;
        p[o++] = ':';
    }
    copy_text(p + o, sizeof(h->normalized) - o - 1, r, rn);
    o += strlen(p + o);
    p[o++] = '}';
    p[o] = '\0';
}

static void note_jndi(struct eval *ev, int fdepth, const uint8_t *key, size_t n)
{
    struct scan *sc = ev->sc;
    int depth = ev->depth_base + fdepth;

    if (sc->have && depth >= sc->cand_depth)
        return;
    sc->have = true;
    sc->cand_depth = depth;
    parse_target(&sc->cand, key, n);
}

/* A top-level span closed: its lookup, if one, becomes a hit. */
static void emit_span(struct scan *sc, uint32_t start, uint32_t end, unsigned enc)
{
    if (!sc->have)
        return;
    if (sc->count < sc->max) {
        struct jndi_hit *h = &sc->hits[sc->count];

        *h = sc->cand;
        copy_text(h->raw, sizeof(h->raw), sc->data + start, end - start);
        h->encodings = enc | sc->extra_enc;
    }
    sc->count++;
    sc->have = false;
}

static bool prefix_is(const uint8_t *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n && word[i] != '\0'; i++) {
        uint8_t c = s[i] >= 'A' && s[i] <= 'Z' ? s[i] | 0x20 : s[i];

        if (c != (uint8_t)word[i])
            return false;
    }
    return i == n && word[i] == '\0';
}

/* Java's toLowerCase/toUpperCase on what matters here: ASCII, and the letters whose case
 * mapping lands on ASCII (dotless ı to I, long ſ to S, Kelvin K to k; İ to i + U+0307). */
static size_t change_case(const uint8_t *s, size_t n, uint8_t *out, bool upper)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];

        if (upper && c == 0xc4 && i + 1 < n && s[i + 1] == 0xb1) {
            out[o++] = 'I';
            i++;
        } else if (upper && c == 0xc5 && i + 1 < n && s[i + 1] == 0xbf) {
            out[o++] = 'S';
            i++;
        } else if (!upper && c == 0xe2 && i + 2 < n && s[i + 1] == 0x84 && s[i + 2] == 0xaa) {
            out[o++] = 'k';
            i += 2;
        } else if (!upper && c == 0xc4 && i + 1 < n && s[i + 1] == 0xb0) {
            out[o++] = 'i';
            out[o++] = 0xcc;
            out[o++] = 0x87;
            i++;
        } else if (upper && c >= 'a' && c <= 'z') {
            out[o++] = c & 0xdf;
        } else if (!upper && c >= 'A' && c <= 'Z') {
            out[o++] = c | 0x20;
        } else {
            out[o++] = c;
        }
    }
    return o;
}

/* ${date:fmt}: SimpleDateFormat prints quoted text as is and fields as digits we cannot know;
 * ${date:'j'} is how "j" gets spelt. */
static size_t date_text(const uint8_t *s, size_t n, uint8_t *out)
{
    bool quoted = false;
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];

        if (c == '\'') {
            if (i + 1 < n && s[i + 1] == '\'') {
                out[o++] = '\'';
                i++;
            } else {
                quoted = !quoted;
            }
        } else if (quoted || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            out[o++] = c;
        }
    }
    return o;
}

/* ${base64:...}: Log4j substitutes the decoded text again, so a value holding ${ is re-read. */
static size_t base64_value(struct eval *ev, int fdepth, const struct frame *f, uint32_t end,
                           const uint8_t *key, size_t n, uint8_t *val)
{
    uint8_t dec[EVAL_FRAME_MAX];
    size_t m = jndi_decode_base64(key, n, dec, sizeof(dec), false);
    struct jndi_item it = {.start = f->start, .end = end, .enc = 0};
    struct eval sub;

    if (memmem(dec, m, "${", 2) == NULL || ev->level >= EVAL_REREAD_MAX) {
        memcpy(val, dec, m);
        return m;
    }
    /* The frame's content is no longer needed: the re-read uses the arena from there on. */
    eval_init(&sub, ev->sc, ev->arena + f->base, ev->arena_size - f->base, ev->level + 1,
              ev->depth_base + fdepth, true);
    for (size_t i = 0; i < m; i++) {
        it.c = dec[i];
        eval_item(&sub, &it);
    }
    eval_finish(&sub, end);
    memcpy(val, sub.arena, sub.fr[0].len);
    return sub.fr[0].len;
}

/* Log4j's StrSubstitutor on one closed ${content}: split at the first ":-" into name and
 * default, the name at its first ':' into prefix and key; a known lookup gives its value, an
 * unknown one (env, sys, k8s, any random name) the default, or "" with none. */
static size_t lookup_value(struct eval *ev, int fdepth, const struct frame *f, uint32_t end,
                           uint8_t *val, unsigned *own)
{
    const uint8_t *c = ev->arena + f->base, *def = c, *key;
    size_t n = f->len, name = n, def_len = 0, p, key_len;

    ev->sc->work += n;
    for (size_t i = 0; i + 1 < n; i++) {
        if (c[i] == ':' && c[i + 1] == '-') {
            name = i;
            def = c + i + 2;
            def_len = n - i - 2;
            break;
        }
    }
    *own = JNDI_ENC_LOOKUPS;
    p = find_byte(c, 0, name, ':');
    if (p < name) {
        key = c + p + 1;
        key_len = name - p - 1;
        if (prefix_is(c, p, "jndi")) {
            *own = 0;
            note_jndi(ev, fdepth, key, key_len);
        } else if (prefix_is(c, p, "lower")) {
            return change_case(key, key_len, val, false);
        } else if (prefix_is(c, p, "upper")) {
            return change_case(key, key_len, val, true);
        } else if (prefix_is(c, p, "date")) {
            return date_text(key, key_len, val);
        } else if (prefix_is(c, p, "base64")) {
            *own |= JNDI_ENC_BASE64;
            return base64_value(ev, fdepth, f, end, key, key_len, val);
        }
    }
    memmove(val, def, def_len);
    return def_len;
}

static void append(struct eval *ev, uint8_t c, uint32_t start, uint8_t enc)
{
    struct frame *f = &ev->fr[ev->depth];

    f->enc |= enc;
    f->last = c;
    f->last_start = start;
    f->last_enc = enc;
    f->last_kept = false;
    if ((ev->depth > 0 || ev->keep_top) && f->len < EVAL_FRAME_MAX && f->base + f->len < ev->arena_size) {
        ev->arena[f->base + f->len++] = c;
        f->last_kept = true;
    }
}

static void open_frame(struct eval *ev, const struct jndi_item *it)
{
    struct frame *cur = &ev->fr[ev->depth], *f;
    unsigned enc = cur->last_enc | it->enc;
    uint32_t start = cur->last_start;

    if (cur->last_kept)
        cur->len--;
    cur->last = 0;
    cur->last_kept = false;
    if (ev->depth == EVAL_DEPTH_MAX) {
        ev->phantom++;
        cur->enc |= enc;
        return;
    }
    if (ev->depth == 0 && ev->level == 0)
        ev->sc->have = false;
    f = &ev->fr[++ev->depth];
    f->start = start;
    f->base = cur->base + cur->len < ev->arena_size ? cur->base + cur->len : ev->arena_size;
    f->len = 0;
    f->last = 0;
    f->last_kept = false;
    f->enc = enc;
}

static void close_frame(struct eval *ev, uint32_t end)
{
    int d = ev->depth;
    struct frame *f = &ev->fr[d];
    uint8_t val[EVAL_VALUE_MAX];
    unsigned own = 0, enc;
    size_t n = lookup_value(ev, d, f, end, val, &own);

    enc = f->enc | own;
    ev->depth--;
    ev->fr[ev->depth].enc |= enc;
    if (ev->level == 0 && ev->depth == 0)
        emit_span(ev->sc, f->start, end, enc);
    ev->sc->work += n;
    for (size_t i = 0; i < n; i++)
        append(ev, val[i], f->start, (uint8_t)enc);
}

static void eval_item(struct eval *ev, const struct jndi_item *it)
{
    struct frame *cur = &ev->fr[ev->depth];

    ev->sc->work++;
    switch (it->c) {
    case '{':
        if (cur->last == '$') {
            open_frame(ev, it);
            return;
        }
        break;
    case '}':
        if (ev->phantom > 0) {
            ev->phantom--;
            cur->enc |= it->enc;
            cur->last = 0;
            return;
        }
        if (ev->depth > 0) {
            cur->enc |= it->enc;
            close_frame(ev, it->end);
            return;
        }
        break;
    case '\n':
        /* A lookup does not run across lines of a header block or a log: close what is open. */
        eval_finish(ev, it->start);
        break;
    default:
        break;
    }
    append(ev, it->c, it->start, it->enc);
}

static void eval_finish(struct eval *ev, uint32_t end)
{
    ev->phantom = 0;
    while (ev->depth > 0)
        close_frame(ev, end);
}

static int scan_text(const uint8_t *data, size_t len, struct jndi_hit *hits, int max, unsigned extra)
{
    uint8_t arena[EVAL_ARENA];
    struct jndi_decoder dec;
    struct jndi_item it;
    struct scan sc;
    struct eval ev;
    size_t first = 0;

    if (data == NULL)
        return 0;
    if (len > JNDI_INPUT_MAX)
        len = JNDI_INPUT_MAX;
    /* Every spelling of '$' starts with one of these; most text holds none. */
    while (first < len && data[first] != '$' && data[first] != '%' && data[first] != '\\' && data[first] != '&')
        first++;
    if (first == len)
        return 0;
    memset(&sc, 0, sizeof(sc));
    sc.data = data;
    sc.hits = hits;
    sc.max = hits == NULL || max < 0 ? 0 : max;
    sc.extra_enc = extra;
    sc.work_max = (uint64_t)len * WORK_PER_BYTE + WORK_FLOOR;
    eval_init(&ev, &sc, arena, sizeof(arena), 0, 0, false);
    jndi_decode_init(&dec, data, len, first);
    while (sc.work < sc.work_max && jndi_decode_next(&dec, &it))
        eval_item(&ev, &it);
    eval_finish(&ev, (uint32_t)len);
    return sc.count;
}

int jndi_scan(const uint8_t *data, size_t len, struct jndi_hit *hits, int max)
{
    return scan_text(data, len, hits, max, 0);
}

int jndi_scan_base64(const uint8_t *data, size_t len, struct jndi_hit *hits, int max)
{
    uint8_t out[B64_OUT_MAX];
    size_t n = 0, i = 0;

    if (data == NULL)
        return 0;
    if (len > B64_IN_MAX)
        len = B64_IN_MAX;
    /* A JWT is base64url segments joined by '.': each is decoded, one per line. */
    while (i < len) {
        size_t j = find_byte(data, i, len, '.'), m;

        m = jndi_decode_base64(data + i, j - i, out + n, sizeof(out) - n, true);
        if (m == SIZE_MAX || (m == 0 && j - i > 0))
            return 0;
        n += m;
        if (j < len && n < sizeof(out))
            out[n++] = '\n';
        i = j + 1;
    }
    if (n == 0)
        return 0;
    return scan_text(out, n, hits, max, JNDI_ENC_BASE64);
}

bool jndi_corelight_match(const uint8_t *s, size_t n)
{
    size_t e = 0, lc = SIZE_MAX, lc_prev = SIZE_MAX, best;
    bool have_e = false;

    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 0x80)
            return false;
    }
    /* /\$\{[^@][^}]+:[^}]+\}/ at each "${": the first '}' after the [^@] must have a ':' at
     * least two bytes after the "${" and one before the '}'. The '}' found for one "${" serves
     * every later "${" that starts before it, so the whole test is one pass. */
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] != '$' || s[i + 1] != '{' || s[i + 2] == '@')
            continue;
        if (!have_e || e < i + 3) {
            lc = lc_prev = SIZE_MAX;
            for (e = i + 3; e < n && s[e] != '}'; e++) {
                if (s[e] == ':') {
                    lc_prev = lc;
                    lc = e;
                }
            }
            if (e >= n)
                return false;
            have_e = true;
        }
        best = lc != SIZE_MAX && lc + 1 == e ? lc_prev : lc;
        if (best != SIZE_MAX && best >= i + 4)
            return true;
    }
    return false;
}

/* Corelight's normalize() input: their gsub of every "::-" to ":". */
struct cl_gsub {
    const uint8_t *s;
    size_t         n, i;
};

static int gsub_next(struct cl_gsub *g)
{
    if (g->i >= g->n)
        return -1;
    if (g->i + 2 < g->n && g->s[g->i] == ':' && g->s[g->i + 1] == ':' && g->s[g->i + 2] == '-') {
        g->i += 3;
        return ':';
    }
    return g->s[g->i++];
}

/* Their parse_payload(): the piece after the last "//" (split left to right), cut at '}'. */
struct cl_piece {
    char  *buf;
    size_t size, n;
    bool   cut, slash;
};

static void piece_add(struct cl_piece *p, int c)
{
    if (c == '/' && p->slash) {
        p->n = 0;
        p->cut = false;
        p->slash = false;
        return;
    }
    p->slash = c == '/';
    if (p->cut)
        return;
    if (c == '}') {
        p->cut = true;
        return;
    }
    if (p->n + 1 < p->size)
        p->buf[p->n++] = c == 0 ? '?' : (char)c;
}

void jndi_corelight_target(const uint8_t *data, size_t len, char *uri, char *stem, char *host,
                           char *port, size_t size)
{
    struct cl_gsub g = {.s = data, .n = data == NULL ? 0 : len, .i = 0};
    struct cl_piece pc = {.buf = uri, .size = size, .n = 0, .cut = false, .slash = false};
    bool first_kept = false, skipping = false;
    size_t depth = 0, k;
    int c, nx;

    if (size == 0)
        return;
    /* normalize(): the first "${" stays; every later "${name:" is dropped with the '}' closing
     * it when nested, a top-level one keeps its '}'. Reconstructed from their unit tests, which
     * pin the output down to stray braces. */
    c = gsub_next(&g);
    while (c >= 0) {
        nx = gsub_next(&g);
        if (c == '$' && nx == '{') {
            depth++;
            if (!first_kept) {
                first_kept = true;
                piece_add(&pc, '$');
                piece_add(&pc, '{');
            } else {
                skipping = true;
            }
            c = gsub_next(&g);
            continue;
        }
        if (skipping && c != '}') {
            if (c == ':')
                skipping = false;
            c = nx;
            continue;
        }
        skipping = false;
        if (c == '}' && depth > 0) {
            if (depth-- == 1)
                piece_add(&pc, '}');
            c = nx;
            continue;
        }
        piece_add(&pc, c);
        c = nx;
    }
    uri[pc.n] = '\0';
    k = strcspn(uri, "/");
    if (k >= size)
        k = size - 1;
    memcpy(stem, uri, k);
    stem[k] = '\0';
    k = strcspn(stem, ":");
    memcpy(host, stem, k);
    host[k] = '\0';
    if (stem[k] == ':') {
        memmove(port, stem + k + 1, strlen(stem + k + 1) + 1);
    } else if (size >= 2) {
        port[0] = '-';
        port[1] = '\0';
    } else {
        port[0] = '\0';
    }
}
