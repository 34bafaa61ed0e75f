/* proto/ldap_msg.c - decodes one LDAPMessage into what ldap.log and ldap_search.log need, renders
 * search filters as Zeek does, and judges a first message for the probe. Pure: no session. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/ldap_int.h"

#define FILTER_DEPTH 32
#define KRB5_MS_OID  "1.2.840.48018.1.2.2"

/* ---- text ---- */

/* Zeek decodes OCTET STRINGs as ASCII: anything outside 0x20-0x7e becomes '?'. */
static uint16_t ascii_copy(char *dst, size_t size, const uint8_t *p, size_t len)
{
    size_t n = len < size ? len : size;

    for (size_t i = 0; i < n; i++)
        dst[i] = (p[i] >= 0x20 && p[i] <= 0x7e) ? (char)p[i] : '?';
    return (uint16_t)n;
}

struct out {
    char  *buf;
    size_t size, len;
    bool   full;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len + n > o->size) {
        o->full = true;
        n = o->size - o->len;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at p, 0 if invalid. */
static size_t utf8_len(const uint8_t *p, size_t len)
{
    size_t n;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4;
    else
        return 0;
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* A filter value: UTF-8 kept, the RFC 4515 specials escaped, bad bytes as U+FFFD. */
static void put_value(struct out *o, const uint8_t *p, size_t len, bool escape)
{
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len(p + i, len - i);

        if (n == 0) {
            puts_(o, "\xef\xbf\xbd");
            i++;
            continue;
        }
        if (escape && n == 1 && (p[i] == '(' || p[i] == ')' || p[i] == '*' || p[i] == '\\' || p[i] == 0)) {
            char esc[4];

            (void)snprintf(esc, sizeof(esc), "\\%02x", p[i]);
            put(o, esc, 3);
        } else {
            put(o, (const char *)p + i, n);
        }
        i += n;
    }
}

static void put_hex(struct out *o, uint8_t b)
{
    char t[3];

    (void)snprintf(t, sizeof(t), "%02x", b);
    put(o, t, 2);
}

/* The CLDAP attributes Zeek decodes specially (MS-ADTS 6.3.3.2). */
static void put_assertion(struct out *o, const uint8_t *attr, size_t alen, const uint8_t *v, size_t vlen)
{
#define IS(name) (alen == sizeof(name) - 1 && memcmp(attr, name, alen) == 0)
    if (IS("DomainGuid")) {
        static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };

        if (vlen != 16) {
            puts_(o, "GUID_FORMAT_FAILED");
            return;
        }
        for (int i = 0; i < 16; i++) {
            put_hex(o, v[order[i]]);
            if (order[i] == 0 || order[i] == 4 || order[i] == 6 || order[i] == 9)
                put(o, "-", 1);
        }
    } else if (IS("objectSid") || IS("AAC")) {
        for (size_t i = 0; i < vlen; i++) {
            put_hex(o, v[i]);
            if (i + 1 < vlen)
                put(o, ":", 1);
        }
    } else if (IS("DomainSid")) {
        char t[24];
        uint64_t a = 0;

        if (vlen != 24) {
            puts_(o, "SID_FORMAT_FAILED");
            return;
        }
        (void)snprintf(t, sizeof(t), "S-%u-", v[0]);
        puts_(o, t);
        for (int i = 2; i < 8; i++)
            a = (a << 8) | v[i];
        (void)snprintf(t, sizeof(t), "%llu", (unsigned long long)a);
        puts_(o, t);
        for (int k = 0; k < 4; k++) {
            const uint8_t *q = v + 8 + 4 * k;

            (void)snprintf(t, sizeof(t), "-%u", (unsigned)q[0] | (unsigned)q[1] << 8 | (unsigned)q[2] << 16 |
                                                   (unsigned)q[3] << 24);
            puts_(o, t);
        }
    } else if (IS("NtVer")) {
        if (vlen != 4) {
            puts_(o, "HEX_FORMAT_FAILED");
            return;
        }
        puts_(o, "0x");
        for (int i = 3; i >= 0; i--)
            put_hex(o, v[i]);
    } else {
        put_value(o, v, vlen, true);
    }
#undef IS
}

/* ---- filters ---- */

static bool render(struct out *o, const uint8_t *p, size_t len, int depth);

/* Two or three consecutive elements' contents (AttributeValueAssertion, MatchingRuleAssertion). */
static bool children(const uint8_t *p, size_t len, const uint8_t **c, size_t *clen, int want)
{
    int n = 0;

    while (len > 0 && n < want) {
        struct ber_hdr h;
        const uint8_t *ct;

        if (ber_element(p, len, &h, &ct) != BER_OK)
            return false;
        c[n] = ct;
        clen[n] = h.len;
        n++;
        p += h.hdr_len + h.len;
        len -= h.hdr_len + h.len;
    }
    return n == want;
}

static bool render_substr(struct out *o, const uint8_t *p, size_t len)
{
    const uint8_t *c[1], *s;
    size_t         cl[1], slen;
    struct ber_hdr h;
    const uint8_t *init = NULL, *fin = NULL;
    size_t         ilen = 0, flen = 0;

    if (ber_element(p, len, &h, &c[0]) != BER_OK)
        return false;
    cl[0] = h.len;
    s = c[0] + cl[0];
    slen = len - (h.hdr_len + h.len);
    if (ber_element(s, slen, &h, &s) != BER_OK)
        return false;
    slen = h.len;
    put_value(o, c[0], cl[0], false);
    put(o, "=", 1);
    /* Zeek prints initial, then '*', then every any followed by '*', then final. */
    {
        const uint8_t *q = s;
        size_t         ql = slen;

        while (ql > 0) {
            const uint8_t *v;

            if (ber_element(q, ql, &h, &v) != BER_OK || h.cls != BER_CONTEXT || h.tag > 2)
                return false;
            if (h.tag == 0) {
                init = v;
                ilen = h.len;
            } else if (h.tag == 2) {
                fin = v;
                flen = h.len;
            }
            q += h.hdr_len + h.len;
            ql -= h.hdr_len + h.len;
        }
        if (init != NULL)
            put_value(o, init, ilen, true);
        put(o, "*", 1);
        q = s;
        ql = slen;
        while (ql > 0) {
            const uint8_t *v;

            (void)ber_element(q, ql, &h, &v);
            if (h.tag == 1) {
                put_value(o, v, h.len, true);
                put(o, "*", 1);
            }
            q += h.hdr_len + h.len;
            ql -= h.hdr_len + h.len;
        }
        if (fin != NULL)
            put_value(o, fin, flen, true);
    }
    return true;
}

static bool render(struct out *o, const uint8_t *p, size_t len, int depth)
{
    struct ber_hdr h;
    const uint8_t *c;

    if (depth > FILTER_DEPTH || ber_element(p, len, &h, &c) != BER_OK || h.cls != BER_CONTEXT)
        return false;
    switch (h.tag) {
    case 0:
    case 1: {
        const char    *op = h.tag == 0 ? "(&" : "(|";
        const uint8_t *q = c;
        size_t         ql = h.len, n = 0, i = 0;

        while (ql > 0) {
            struct ber_hdr k;
            const uint8_t *kc;

            if (ber_element(q, ql, &k, &kc) != BER_OK)
                return false;
            n++;
            q += k.hdr_len + k.len;
            ql -= k.hdr_len + k.len;
        }
        /* Zeek nests more than two terms by pairs: (&(&(a)(b))(c)). */
        for (size_t k = 0; k < (n > 1 ? n - 1 : n); k++)
            puts_(o, op);
        q = c;
        ql = h.len;
        while (ql > 0) {
            struct ber_hdr k;
            const uint8_t *kc;

            (void)ber_element(q, ql, &k, &kc);
            if (!render(o, q, k.hdr_len + k.len, depth + 1))
                return false;
            if (i > 0 || n == 1)
                put(o, ")", 1);
            i++;
            q += k.hdr_len + k.len;
            ql -= k.hdr_len + k.len;
        }
        return true;
    }
    case 2:
        puts_(o, "(!");
        if (!render(o, c, h.len, depth + 1))
            return false;
        put(o, ")", 1);
        return true;
    case 3:
    case 5:
    case 6:
    case 8: {
        const uint8_t *v[2];
        size_t         vl[2];
        const char    *rel = h.tag == 3 ? "=" : h.tag == 5 ? ">=" : h.tag == 6 ? "<=" : "~=";

        if (!children(c, h.len, v, vl, 2))
            return false;
        put(o, "(", 1);
        put_value(o, v[0], vl[0], false);
        puts_(o, rel);
        put_assertion(o, v[0], vl[0], v[1], vl[1]);
        put(o, ")", 1);
        return true;
    }
    case 4:
        put(o, "(", 1);
        if (!render_substr(o, c, h.len))
            return false;
        put(o, ")", 1);
        return true;
    case 7: {
        char   t[LDAP_TEXT_MAX];
        size_t n = ascii_copy(t, sizeof(t), c, h.len);

        put(o, "(", 1);
        put(o, t, n);
        puts_(o, "=*)");
        return true;
    }
    case 9: {
        const uint8_t *v[3];
        size_t         vl[3];

        /* Zeek reads the assertion's first three elements in order: rule, type, value. */
        if (!children(c, h.len, v, vl, 3))
            return false;
        put(o, "(", 1);
        put_value(o, v[1], vl[1], true);
        put(o, ":", 1);
        put_value(o, v[0], vl[0], false);
        puts_(o, ":=");
        put_value(o, v[2], vl[2], true);
        put(o, ")", 1);
        return true;
    }
    default:
        return false;
    }
}

size_t ldap_filter_render(const uint8_t *p, size_t len, char *out, size_t size)
{
    struct out o = { out, size, 0, false };

    if (!render(&o, p, len, 0)) {
        o.len = 0;
        o.full = false;
        puts_(&o, "FILTER_PARSING_ERROR");
    }
    return o.len;
}

/* ---- message fields ---- */

struct cursor {
    const uint8_t *p;
    size_t         len;
};

/* The next element of a constructed content. */
static bool next(struct cursor *k, struct ber_hdr *h, const uint8_t **c)
{
    if (k->len == 0 || ber_element(k->p, k->len, h, c) != BER_OK)
        return false;
    k->p += h->hdr_len + h->len;
    k->len -= h->hdr_len + h->len;
    return true;
}

static bool next_int(struct cursor *k, int64_t *v)
{
    struct ber_hdr h;
    const uint8_t *c;

    return next(k, &h, &c) && ber_int(c, h.len, v);
}

static bool type_is(const uint8_t *p, size_t len, const char *name)
{
    return len == strlen(name) && strncasecmp((const char *)p, name, len) == 0;
}

/* The attributes of a search entry that make it a JNDI referral (RFC 2713's Java schema): what
 * a lookup will load, from where, and whether a serialized object comes with it. */
static void parse_java_attributes(struct cursor *k, struct ldap_msg *m)
{
    struct ber_hdr h, ah, th, sh, vh;
    const uint8_t *v, *av, *tv, *sv, *vv;
    struct cursor attrs, one, vals;

    if (!next(k, &h, &v))
        return;
    attrs.p = v;
    attrs.len = h.len;
    while (next(&attrs, &ah, &av)) {
        one.p = av;
        one.len = ah.len;
        if (!next(&one, &th, &tv) || !next(&one, &sh, &sv))
            continue;
        vals.p = sv;
        vals.len = sh.len;
        if (!next(&vals, &vh, &vv))
            continue;
        if (type_is(tv, th.len, "javaClassName")) {
            m->java = true;
            m->java_class_len = ascii_copy(m->java_class, sizeof(m->java_class), vv, vh.len);
        } else if (type_is(tv, th.len, "javaCodeBase")) {
            m->java = true;
            m->java_codebase_len = ascii_copy(m->java_codebase, sizeof(m->java_codebase), vv, vh.len);
        } else if (type_is(tv, th.len, "javaFactory")) {
            m->java = true;
            m->java_factory_len = ascii_copy(m->java_factory, sizeof(m->java_factory), vv, vh.len);
        } else if (type_is(tv, th.len, "javaSerializedData")) {
            m->java = true;
            m->java_serialized = vh.len >= 2 && vv[0] == 0xac && vv[1] == 0xed;
            m->java_data = vv;
            m->java_data_len = (uint32_t)vh.len;
        } else if (type_is(tv, th.len, "javaReferenceAddress") || type_is(tv, th.len, "javaRemoteLocation")) {
            m->java = true;
        } else if (type_is(tv, th.len, "objectClass")) {
            do {
                if (type_is(vv, vh.len, "javaNamingReference") || type_is(vv, vh.len, "javaSerializedObject") ||
                    type_is(vv, vh.len, "javaMarshalledObject"))
                    m->java = true;
            } while (next(&vals, &vh, &vv));
        }
    }
}

static bool parse_result(struct cursor *k, struct ldap_msg *m)
{
    struct ber_hdr h;
    const uint8_t *c;

    if (!next_int(k, &m->result))
        return false;
    m->has_result = true;
    if (!next(k, &h, &c))   /* matchedDN */
        return false;
    if (!next(k, &h, &c))
        return false;
    m->diag_len = ascii_copy(m->diag, sizeof(m->diag), c, h.len);
    return true;
}

/* BindResponse serverSaslCreds [7]: an SPNEGO negTokenResp accepting MS KRB5 means the traffic
 * after the bind is wrapped in Kerberos tokens. */
static void parse_sasl_creds(struct cursor *k, struct ldap_msg *m)
{
    struct ber_hdr h;
    const uint8_t *c;
    struct cursor  t;
    bool           accepted = false, krb5 = false;

    if (!next(k, &h, &c) || h.cls != BER_CONTEXT || h.tag != 7)
        return;
    t.p = c;
    t.len = h.len;
    if (!next(&t, &h, &c) || h.cls != BER_CONTEXT || h.tag != 1)
        return;
    t.p = c;
    t.len = h.len;
    if (!next(&t, &h, &c) || h.cls != BER_UNIVERSAL || h.tag != 16)
        return;
    t.p = c;
    t.len = h.len;
    while (next(&t, &h, &c)) {
        if (h.cls != BER_CONTEXT)
            continue;
        if (h.tag == 0) {
            accepted = h.len == 3 && memcmp(c, "\x0a\x01\x00", 3) == 0;
        } else if (h.tag == 1) {
            struct ber_hdr o;
            const uint8_t *oc;
            char           oid[64];

            if (ber_element(c, h.len, &o, &oc) == BER_OK && o.tag == 6 &&
                ber_oid_text(oc, o.len, oid, sizeof(oid)))
                krb5 = strcmp(oid, KRB5_MS_OID) == 0;
        }
    }
    m->has_serversaslcreds_krb5 = accepted && krb5;
}

static void append_arg(struct ldap_msg *m, const char *s, size_t n)
{
    if (m->arg_len + n > sizeof(m->arg))
        n = sizeof(m->arg) - m->arg_len;
    memcpy(m->arg + m->arg_len, s, n);
    m->arg_len = (uint16_t)(m->arg_len + n);
}

/* ModifyRequest changes as `op(attr=v1,v2)`, joined by ','. */
static void parse_changes(struct cursor *k, struct ldap_msg *m)
{
    static const char *const ops[] = { "add", "delete", "replace" };
    struct ber_hdr h;
    const uint8_t *c;
    struct cursor  list;
    bool           first = true;

    if (!next(k, &h, &c))
        return;
    list.p = c;
    list.len = h.len;
    while (next(&list, &h, &c)) {
        struct cursor  ch = { c, h.len }, pa, vals;
        int64_t        op;
        char           t[LDAP_TEXT_MAX];
        size_t         n;
        bool           vfirst = true;

        if (!next_int(&ch, &op) || !next(&ch, &h, &c))
            return;
        pa.p = c;
        pa.len = h.len;
        if (!next(&pa, &h, &c))
            return;
        if (!first)
            append_arg(m, ",", 1);
        first = false;
        append_arg(m, op >= 0 && op <= 2 ? ops[op] : "unknown", op >= 0 && op <= 2 ? strlen(ops[op]) : 7);
        append_arg(m, "(", 1);
        n = ascii_copy(t, sizeof(t), c, h.len);
        append_arg(m, t, n);
        append_arg(m, "=", 1);
        if (next(&pa, &h, &c)) {
            vals.p = c;
            vals.len = h.len;
            while (next(&vals, &h, &c)) {
                if (!vfirst)
                    append_arg(m, ",", 1);
                vfirst = false;
                n = ascii_copy(t, sizeof(t), c, h.len);
                append_arg(m, t, n);
            }
        }
        append_arg(m, ")", 1);
    }
}

static bool parse_op(struct ldap_msg *m, const struct ber_hdr *oh, const uint8_t *c)
{
    struct cursor  k = { c, oh->len };
    struct ber_hdr h;
    const uint8_t *v;

    switch (m->op) {
    case LDAP_OP_BIND_REQ:
        if (!next_int(&k, &m->version) || !next(&k, &h, &v))
            return false;
        m->has_version = true;
        m->object_len = ascii_copy(m->object, sizeof(m->object), v, h.len);
        if (!next(&k, &h, &v) || h.cls != BER_CONTEXT)
            return false;
        m->auth = (int)h.tag;
        if (h.tag != LDAP_AUTH_SIMPLE) {
            m->auth_data = v;
            m->auth_data_len = (uint32_t)h.len;
        }
        if (h.tag == LDAP_AUTH_SIMPLE) {
            m->arg_len = ascii_copy(m->arg, sizeof(m->arg), v, h.len);
        } else if (h.tag == LDAP_AUTH_SASL && h.len > 0) {
            struct cursor s = { v, h.len };

            if (!next(&s, &h, &v))
                return false;
            m->mech_len = ascii_copy(m->mech, sizeof(m->mech), v, h.len);
            memcpy(m->arg, m->mech, m->mech_len);
            m->arg_len = m->mech_len;
        }
        return true;
    case LDAP_OP_BIND_RESP:
        if (!parse_result(&k, m))
            return false;
        parse_sasl_creds(&k, m);
        return true;
    case LDAP_OP_SEARCH_DONE:
    case LDAP_OP_MODIFY_RESP:
    case LDAP_OP_ADD_RESP:
    case LDAP_OP_DEL_RESP:
    case LDAP_OP_MODDN_RESP:
    case LDAP_OP_COMPARE_RESP:
    case LDAP_OP_EXT_RESP:
        return parse_result(&k, m);
    case LDAP_OP_SEARCH_REQ: {
        int64_t skip;

        if (!next(&k, &h, &v))
            return false;
        m->object_len = ascii_copy(m->object, sizeof(m->object), v, h.len);
        if (!next_int(&k, &m->scope) || !next_int(&k, &m->deref) || !next_int(&k, &skip) ||
            !next_int(&k, &skip) || !next(&k, &h, &v))
            return false;
        if (k.len == 0)
            return false;
        m->filter_len = (uint16_t)ldap_filter_render(k.p, k.len, m->filter, sizeof(m->filter));
        return next(&k, &h, &v);   /* the filter itself must be whole */
    }
    case LDAP_OP_SEARCH_ENTRY:
        if (!next(&k, &h, &v))
            return false;
        m->object_len = ascii_copy(m->object, sizeof(m->object), v, h.len);
        parse_java_attributes(&k, m);
        return true;
    case LDAP_OP_MODIFY_REQ:
        if (!next(&k, &h, &v))
            return false;
        m->object_len = ascii_copy(m->object, sizeof(m->object), v, h.len);
        parse_changes(&k, m);
        return true;
    case LDAP_OP_DEL_REQ:
        m->object_len = ascii_copy(m->object, sizeof(m->object), c, oh->len);
        return true;
    case LDAP_OP_ABANDON_REQ: {
        int64_t id;

        if (!ber_int(c, oh->len, &id))
            return false;
        m->object_len = (uint16_t)snprintf(m->object, sizeof(m->object), "%lld", (long long)id);
        return true;
    }
    case LDAP_OP_EXT_REQ:
        if (!next(&k, &h, &v) || h.cls != BER_CONTEXT)
            return false;
        m->object_len = ascii_copy(m->object, sizeof(m->object), v, h.len);
        return true;
    default:
        return true;   /* unbind, add, compare, moddn, reference, intermediate: nothing logged */
    }
}

static bool op_is_request(int op)
{
    switch (op) {
    case LDAP_OP_BIND_REQ: case LDAP_OP_UNBIND_REQ: case LDAP_OP_SEARCH_REQ: case LDAP_OP_MODIFY_REQ:
    case LDAP_OP_ADD_REQ: case LDAP_OP_DEL_REQ: case LDAP_OP_MODDN_REQ: case LDAP_OP_COMPARE_REQ:
    case LDAP_OP_ABANDON_REQ: case LDAP_OP_EXT_REQ:
        return true;
    default:
        return false;
    }
}

static bool op_is_response(int op)
{
    switch (op) {
    case LDAP_OP_BIND_RESP: case LDAP_OP_SEARCH_ENTRY: case LDAP_OP_SEARCH_DONE: case LDAP_OP_MODIFY_RESP:
    case LDAP_OP_ADD_RESP: case LDAP_OP_DEL_RESP: case LDAP_OP_MODDN_RESP: case LDAP_OP_COMPARE_RESP:
    case LDAP_OP_SEARCH_REF: case LDAP_OP_EXT_RESP: case LDAP_OP_INTERMEDIATE:
        return true;
    default:
        return false;
    }
}

enum ldap_parse ldap_msg_parse(const uint8_t *p, size_t len, struct ldap_msg *m, size_t *consumed)
{
    struct ber_hdr  h, oh;
    enum ber_status st = ber_header(p, len, &h);
    struct cursor   k;
    const uint8_t  *c;
    size_t          total;

    *consumed = 0;
    if (st == BER_NEED)
        return LDAP_PARSE_NEED;
    if (st != BER_OK || p[0] != 0x30 || h.len > BER_MAX_MESSAGE)
        return LDAP_PARSE_BAD;
    total = (size_t)h.hdr_len + h.len;
    if (total > len) {
        *consumed = total;
        return LDAP_PARSE_NEED;
    }
    memset(m, 0, offsetof(struct ldap_msg, diag));
    m->auth = LDAP_AUTH_NONE;
    m->scope = m->deref = -1;
    k.p = p + h.hdr_len;
    k.len = h.len;
    if (!next(&k, &h, &c) || h.cls != BER_UNIVERSAL || h.tag != 2 || !ber_int(c, h.len, &m->id))
        return LDAP_PARSE_BAD;
    if (!next(&k, &oh, &c) || oh.cls != BER_APPLICATION)
        return LDAP_PARSE_BAD;
    m->op = (int)oh.tag;
    m->request = op_is_request(m->op);
    if (!parse_op(m, &oh, c))
        return LDAP_PARSE_BAD;
    *consumed = total;   /* controls, if any, are skipped */
    return LDAP_PARSE_OK;
}

bool ldap_msg_peek(const uint8_t *p, size_t len, int64_t *id, int *op)
{
    struct ber_hdr h;
    size_t         off;

    if (ber_header(p, len, &h) != BER_OK || p[0] != 0x30)
        return false;
    off = h.hdr_len;
    if (ber_header(p + off, len - off, &h) != BER_OK || p[off] != 0x02 || h.len > len - off - h.hdr_len ||
        !ber_int(p + off + h.hdr_len, h.len, id))
        return false;
    off += h.hdr_len + h.len;
    if (off >= len || ber_header(p + off, len - off, &h) != BER_OK || h.cls != BER_APPLICATION)
        return false;
    *op = (int)h.tag;
    return true;
}

/* ---- probe ---- */

enum ldap_probe ldap_probe_message(const uint8_t *p, size_t len, bool from_orig, bool complete)
{
    struct ldap_msg m;
    size_t          used;
    enum ldap_parse r;

    if (len > 0 && p[0] != 0x30)
        return LDAP_PROBE_NO;
    r = ldap_msg_parse(p, len, &m, &used);
    if (r == LDAP_PARSE_BAD)
        return LDAP_PROBE_NO;
    if (r == LDAP_PARSE_NEED) {
        struct ber_hdr h, ih, oh;
        size_t         off;

        if (complete || used == 0)
            return complete ? LDAP_PROBE_NO : LDAP_PROBE_MORE;
        /* Only a message too large for the probe window is judged on its start: id and operation. */
        (void)ber_header(p, len, &h);
        off = h.hdr_len;
        if (ber_header(p + off, len - off, &ih) != BER_OK || p[off] != 0x02 || ih.len == 0 || ih.len > 4)
            return len < 1024 ? LDAP_PROBE_MORE : LDAP_PROBE_NO;
        off += ih.hdr_len + ih.len;
        if (off >= len || ber_header(p + off, len - off, &oh) != BER_OK || oh.cls != BER_APPLICATION)
            return len < 1024 ? LDAP_PROBE_MORE : LDAP_PROBE_NO;
        if (from_orig ? !op_is_request((int)oh.tag) : !op_is_response((int)oh.tag))
            return LDAP_PROBE_NO;
        if (off + oh.hdr_len + oh.len > used)
            return LDAP_PROBE_NO;
        return len < 1024 ? LDAP_PROBE_MORE : LDAP_PROBE_YES;
    }
    if (m.id < 0 || m.id > 0x7fffffff)
        return LDAP_PROBE_NO;
    if (from_orig ? !m.request : !op_is_response(m.op))
        return LDAP_PROBE_NO;
    if (m.op == LDAP_OP_BIND_REQ && (m.version < 1 || m.version > 3))
        return LDAP_PROBE_NO;
    return LDAP_PROBE_YES;
}

/* ---- names ---- */

const char *ldap_opcode_name(int op)
{
    switch (op) {
    case LDAP_OP_BIND_REQ: case LDAP_OP_BIND_RESP: return "bind";
    case LDAP_OP_UNBIND_REQ: return "unbind";
    case LDAP_OP_SEARCH_REQ: case LDAP_OP_SEARCH_ENTRY: case LDAP_OP_SEARCH_DONE: case LDAP_OP_SEARCH_REF:
        return "search";
    case LDAP_OP_MODIFY_REQ: case LDAP_OP_MODIFY_RESP: case LDAP_OP_MODDN_REQ: case LDAP_OP_MODDN_RESP:
        return "modify";
    case LDAP_OP_ADD_REQ: case LDAP_OP_ADD_RESP: return "add";
    case LDAP_OP_DEL_REQ: case LDAP_OP_DEL_RESP: return "delete";
    case LDAP_OP_COMPARE_REQ: case LDAP_OP_COMPARE_RESP: return "compare";
    case LDAP_OP_ABANDON_REQ: return "abandon";
    case LDAP_OP_EXT_REQ: case LDAP_OP_EXT_RESP: return "extended";
    case LDAP_OP_INTERMEDIATE: return "intermediate";
    default: return "unknown";
    }
}

const char *ldap_result_name(int64_t code)
{
    static const struct { int16_t code; const char *name; } t[] = {
        { 0, "success" }, { 1, "operations error" }, { 2, "protocol error" }, { 3, "time limit exceeded" },
        { 4, "size limit exceeded" }, { 5, "compare false" }, { 6, "compare true" },
        { 7, "auth method not supported" }, { 8, "stronger auth required" }, { 9, "partial results" },
        { 10, "referral" }, { 11, "admin limit exceeded" }, { 12, "unavailable critical extension" },
        { 13, "confidentiality required" }, { 14, "SASL bind in progress" }, { 16, "no such attribute" },
        { 17, "undefined attribute type" }, { 18, "inappropriate matching" }, { 19, "constraint violation" },
        { 20, "attribute or value exists" }, { 21, "invalid attribute syntax" }, { 32, "no such object" },
        { 33, "alias problem" }, { 34, "invalid DN syntax" }, { 36, "alias dereferencing problem" },
        { 48, "inappropriate authentication" }, { 49, "invalid credentials" },
        { 50, "insufficient access rights" }, { 51, "busy" }, { 52, "unavailable" },
        { 53, "unwilling to perform" }, { 54, "loop detect" }, { 60, "sort control missing" },
        { 61, "offset range error" }, { 64, "naming violation" }, { 65, "object class violation" },
        { 66, "not allowed on non-leaf" }, { 67, "not allowed on RDN" }, { 68, "entry already exists" },
        { 69, "object class mods prohibited" }, { 70, "results too large" }, { 71, "affects multiple DSAs" },
        { 76, "control error" }, { 80, "other" }, { 81, "server down" }, { 82, "local error" },
        { 83, "encoding error" }, { 84, "decoding error" }, { 85, "timeout" }, { 86, "auth unknown" },
        { 87, "filter error" }, { 88, "user canceled" }, { 89, "param error" }, { 90, "no memory" },
        { 91, "connect error" }, { 92, "not supported" }, { 93, "control not found" },
        { 94, "no results returned" }, { 95, "more results to return" }, { 96, "client loop" },
        { 97, "referral limit exceeded" }, { 100, "invalid response" }, { 101, "ambiguous response" },
        { 112, "TLS not supported" }, { 113, "intermediate response" }, { 114, "unknown type" },
        { 115, "LCUP invalid data" }, { 116, "LCUP unsupported scheme" }, { 117, "LCUP reload required" },
        { 118, "canceled" }, { 119, "no such operation" }, { 120, "too late" }, { 121, "cannot cancel" },
        { 122, "assertion failed" }, { 123, "authorization denied" },
    };

    /* Zeek casts the code to uint8 before the lookup. */
    code &= 0xff;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].code == code)
            return t[i].name;
    return "unknown";
}

const char *ldap_scope_name(int64_t scope)
{
    static const char *const n[] = { "base", "single", "tree" };

    scope &= 0xff;
    return scope <= 2 ? n[scope] : "unknown";
}

const char *ldap_deref_name(int64_t deref)
{
    static const char *const n[] = { "never", "searching", "finding", "always" };

    deref &= 0xff;
    return deref <= 3 ? n[deref] : "unknown";
}
