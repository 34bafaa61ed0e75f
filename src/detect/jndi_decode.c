/* detect/jndi_decode.c - the layers under the JNDI normaliser: %XX (once or stacked), %uXXXX,
 * \uXXXX, \xXX and HTML entities undone as a stream that keeps input offsets; and base64. */
#include "detect/jndi_int.h"

#include <string.h>

#include "detect/jndi.h"
#include "util/bytes.h"

/* Past this a numeric entity's value only saturates: leading zeros cost time, not state. */
#define CP_INVALID 0x110000u

struct entity {
    const char *name;
    uint8_t     len;
    uint8_t     c;
};

/* Named entities a lookup can be spelt with; HTML5 lets most of them go without ';'. */
static const struct entity entities[] = {
    {"dollar", 6, '$'}, {"lbrace", 6, '{'}, {"lcub", 4, '{'}, {"rbrace", 6, '}'},
    {"rcub", 4, '}'},   {"colon", 5, ':'},  {"sol", 3, '/'},  {"period", 6, '.'},
    {"hyphen", 6, '-'}, {"dash", 4, '-'},   {"amp", 3, '&'},  {"num", 3, '#'},
    {"percnt", 6, '%'}, {"bsol", 4, '\\'},  {"lowbar", 6, '_'}, {"commat", 6, '@'},
    {"quest", 5, '?'},  {"equals", 6, '='},
};
#define ENTITY_NAME_MAX 6

static bool pull(struct jndi_decoder *d, int k, struct jndi_item *it);

size_t jndi_decode_utf8(uint32_t cp, uint8_t out[4])
{
    if (cp >= 0xd800 && cp <= 0xdfff)
        cp = 0xfffd;
    if (cp >= CP_INVALID)
        cp = 0xfffd;
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xc0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xe0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

static bool source_next(struct jndi_decoder *d, struct jndi_item *it)
{
    if (d->pos >= d->len)
        return false;
    it->start = d->pos;
    it->end = d->pos + 1;
    it->c = d->data[d->pos++];
    it->enc = 0;
    return true;
}

/* The i-th unused item of layer k's input, pulled from below on demand; NULL past the end. */
static const struct jndi_item *peek(struct jndi_decoder *d, int k, int i)
{
    struct jndi_layer *l = &d->layer[k];

    while (l->nlook <= i) {
        bool ok = k == 0 ? source_next(d, &l->look[l->nlook]) : pull(d, k - 1, &l->look[l->nlook]);

        if (!ok)
            return NULL;
        l->nlook++;
    }
    return &l->look[i];
}

static void consume(struct jndi_layer *l, int n)
{
    l->nlook = (uint8_t)(l->nlook - n);
    if (l->nlook > 0)
        memmove(l->look, l->look + n, l->nlook * sizeof(l->look[0]));
}

/* Replaces the first n lookahead items by the UTF-8 of cp, tagged with their encodings. */
static void emit(struct jndi_layer *l, int n, uint32_t cp, unsigned bit)
{
    uint8_t u[4];
    size_t len = jndi_decode_utf8(cp, u);
    unsigned enc = bit;
    uint32_t start = l->look[0].start, end = l->look[n - 1].end;

    for (int i = 0; i < n; i++)
        enc |= l->look[i].enc;
    for (size_t i = 0; i < len; i++) {
        l->out[i].c = u[i];
        l->out[i].start = start;
        l->out[i].end = end;
        l->out[i].enc = (uint8_t)enc;
    }
    l->nout = (uint8_t)len;
    l->iout = 0;
    consume(l, n);
}

/* n hex digits at lookahead positions from..from+n-1; -1 if any is missing or not hex. */
static long hex_at(struct jndi_decoder *d, int k, int from, int n)
{
    long v = 0;

    for (int i = from; i < from + n; i++) {
        const struct jndi_item *x = peek(d, k, i);
        int h = x != NULL ? hex_value((unsigned char)x->c) : -1;

        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static bool decode_percent(struct jndi_decoder *d, int k)
{
    struct jndi_layer *l = &d->layer[k];
    const struct jndi_item *x = peek(d, k, 1);
    unsigned prior = 0;
    long v;

    if (x != NULL && (x->c == 'u' || x->c == 'U') && (v = hex_at(d, k, 2, 4)) >= 0) {
        emit(l, 6, (uint32_t)v, JNDI_ENC_UNICODE);
        return true;
    }
    if ((v = hex_at(d, k, 1, 2)) < 0)
        return false;
    for (int i = 0; i < 3; i++)
        prior |= l->look[i].enc;
    /* A '%' or digit that itself came out of %XX means the text was encoded twice or more. */
    emit(l, 3, (uint32_t)v, (prior & (JNDI_ENC_URL | JNDI_ENC_URL_DOUBLE)) ? JNDI_ENC_URL_DOUBLE : JNDI_ENC_URL);
    return true;
}

static bool decode_backslash(struct jndi_decoder *d, int k)
{
    struct jndi_layer *l = &d->layer[k];
    const struct jndi_item *x = peek(d, k, 1);
    long v;

    if (x == NULL)
        return false;
    if ((x->c == 'u' || x->c == 'U') && (v = hex_at(d, k, 2, 4)) >= 0) {
        emit(l, 6, (uint32_t)v, JNDI_ENC_UNICODE);
        return true;
    }
    if ((x->c == 'x' || x->c == 'X') && (v = hex_at(d, k, 2, 2)) >= 0) {
        emit(l, 4, (uint32_t)v, JNDI_ENC_UNICODE);
        return true;
    }
    if (x->c == '/') {    /* JSON's escaped slash: plain syntax, not an evasion */
        emit(l, 2, '/', 0);
        return true;
    }
    return false;
}

/* &#NNN; or &#xHH; with any number of leading zeros and an optional ';'. The digits are read
 * one at a time so the lookahead stays small whatever their number. */
static bool decode_numeric(struct jndi_decoder *d, int k, bool hex)
{
    struct jndi_layer *l = &d->layer[k];
    int pre = hex ? 3 : 2, base = hex ? 16 : 10;
    const struct jndi_item *x = peek(d, k, pre);
    struct jndi_item first;
    unsigned enc = JNDI_ENC_HTML;
    uint32_t v = 0;
    int dv;

    if (x == NULL || (dv = hex_value((unsigned char)x->c)) < 0 || dv >= base)
        return false;
    first = l->look[0];
    for (int i = 0; i < pre; i++)
        enc |= l->look[i].enc;
    consume(l, pre);
    while ((x = peek(d, k, 0)) != NULL && (dv = hex_value((unsigned char)x->c)) >= 0 && dv < base) {
        v = v * (uint32_t)base + (uint32_t)dv;
        if (v > CP_INVALID)
            v = CP_INVALID;
        enc |= x->enc;
        first.end = x->end;
        consume(l, 1);
    }
    if (x != NULL && x->c == ';') {
        enc |= x->enc;
        first.end = x->end;
        consume(l, 1);
    }
    /* Re-seat the span on the lookahead so emit() sees one item covering the whole entity. */
    memmove(l->look + 1, l->look, l->nlook * sizeof(l->look[0]));
    l->nlook++;
    first.enc = (uint8_t)enc;
    l->look[0] = first;
    emit(l, 1, v == 0 ? 0xfffd : v, 0);
    return true;
}

static bool decode_entity(struct jndi_decoder *d, int k)
{
    const struct jndi_item *x = peek(d, k, 1);
    char name[ENTITY_NAME_MAX + 1];
    int n = 0;

    if (x == NULL)
        return false;
    if (x->c == '#') {
        x = peek(d, k, 2);
        if (x != NULL && (x->c == 'x' || x->c == 'X'))
            return decode_numeric(d, k, true);
        return decode_numeric(d, k, false);
    }
    while (n < ENTITY_NAME_MAX && (x = peek(d, k, n + 1)) != NULL &&
           ((x->c >= 'a' && x->c <= 'z') || (x->c >= 'A' && x->c <= 'Z'))) {
        name[n++] = (char)(x->c | 0x20);
    }
    for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
        const struct entity *e = &entities[i];
        int used;

        if (e->len > n || memcmp(e->name, name, e->len) != 0)
            continue;
        used = 1 + e->len;
        x = peek(d, k, used);
        if (x != NULL && x->c == ';')
            used++;
        emit(&d->layer[k], used, e->c, JNDI_ENC_HTML);
        return true;
    }
    return false;
}

static bool pull(struct jndi_decoder *d, int k, struct jndi_item *it)
{
    struct jndi_layer *l = &d->layer[k];
    const struct jndi_item *x;
    bool decoded = false;

    if (l->iout < l->nout) {
        *it = l->out[l->iout++];
        return true;
    }
    /* Most bytes start no escape: hand them up without going through the lookahead. */
    if (l->nlook == 0) {
        if (!(k == 0 ? source_next(d, it) : pull(d, k - 1, it)))
            return false;
        if (it->c != '%' && it->c != '\\' && it->c != '&')
            return true;
        l->look[0] = *it;
        l->nlook = 1;
    }
    if ((x = peek(d, k, 0)) == NULL)
        return false;
    switch (x->c) {
    case '%':
        decoded = decode_percent(d, k);
        break;
    case '\\':
        decoded = decode_backslash(d, k);
        break;
    case '&':
        decoded = decode_entity(d, k);
        break;
    default:
        break;
    }
    if (decoded) {
        *it = l->out[l->iout++];
        return true;
    }
    *it = l->look[0];
    consume(l, 1);
    return true;
}

void jndi_decode_init(struct jndi_decoder *d, const uint8_t *data, size_t len, size_t start)
{
    memset(d, 0, sizeof(*d));
    d->data = data;
    d->len = (uint32_t)len;
    d->pos = (uint32_t)start;
}

bool jndi_decode_next(struct jndi_decoder *d, struct jndi_item *it)
{
    return pull(d, JNDI_DECODE_LAYERS - 1, it);
}

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

size_t jndi_decode_base64(const uint8_t *in, size_t len, uint8_t *out, size_t size, bool strict)
{
    uint32_t acc = 0;
    size_t n = 0, chars = 0, pads = 0;
    int bits = 0;

    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t' || in[len - 1] == '\r' || in[len - 1] == '\n'))
        len--;
    while (len > 0 && (*in == ' ' || *in == '\t')) {
        in++;
        len--;
    }
    for (size_t i = 0; i < len; i++) {
        int v = b64val(in[i]);

        if (in[i] == '=') {
            pads++;
            continue;
        }
        if (v < 0 || (pads > 0 && strict)) {
            if (strict)
                return SIZE_MAX;
            continue;
        }
        chars++;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n < size)
                out[n++] = (uint8_t)(acc >> bits);
        }
    }
    /* One leftover character cannot hold a byte: not base64, whatever the alphabet says. */
    if (strict && (chars % 4 == 1 || pads > 2))
        return SIZE_MAX;
    return n;
}
