/* proto/rmi_serial.c - JRMP's fixed parts (header, endpoints, Call and ReturnData headers) and a
 * bounded scanner for the class descriptors and strings inside Java serialization streams. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/rmi_int.h"
#include "util/bytes.h"

enum rmi_read rmi_header_read(const uint8_t *p, size_t len, uint16_t *version, uint8_t *protocol)
{
    static const uint8_t magic[4] = {'J', 'R', 'M', 'I'};
    size_t n = len < 4 ? len : 4;

    if (memcmp(p, magic, n) != 0)
        return RMI_READ_BAD;
    if (len < RMI_HEADER_LEN)
        return RMI_READ_NEED;
    if (rmi_protocol_name(p[6]) == NULL)
        return RMI_READ_BAD;
    *version = rd_be16(p + 4);
    *protocol = p[6];
    return RMI_READ_OK;
}

const char *rmi_protocol_name(uint8_t protocol)
{
    switch (protocol) {
    case RMI_STREAM_PROTOCOL: return "StreamProtocol";
    case RMI_SINGLE_OP_PROTOCOL: return "SingleOpProtocol";
    case RMI_MULTIPLEX_PROTOCOL: return "MultiplexProtocol";
    default: return NULL;
    }
}

/* What Java's InetAddress text and host names are made of (v6 scopes included). */
static bool host_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == ':' || c == '%' || c == '[' || c == ']';
}

enum rmi_read rmi_endpoint_read(const uint8_t *p, size_t len, char *host, uint16_t *port, size_t *size)
{
    size_t hl, i;

    if (len < 2)
        return RMI_READ_NEED;
    hl = rd_be16(p);
    if (hl == 0 || hl > RMI_HOST_MAX)
        return RMI_READ_BAD;
    for (i = 0; i < hl && 2 + i < len; i++)
        if (!host_char(p[2 + i]))
            return RMI_READ_BAD;
    if (len < 2 + hl + 4)
        return RMI_READ_NEED;
    if (p[2 + hl] != 0 || p[3 + hl] != 0)
        return RMI_READ_BAD;   /* a port is an int on the wire, but 16 bits in truth */
    memcpy(host, p + 2, hl);
    host[hl] = '\0';
    *port = rd_be16(p + 4 + hl);
    *size = 2 + hl + 4;
    return RMI_READ_OK;
}

size_t rmi_endpoint_text(const char *host, uint16_t port, char *out, size_t size)
{
    bool v6 = strchr(host, ':') != NULL && host[0] != '[';
    int n = snprintf(out, size, v6 ? "[%s]:%u" : "%s:%u", host, (unsigned)port);

    if (n < 0 || size == 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}

static uint64_t rd_be64(const uint8_t *p)
{
    return ((uint64_t)rd_be32(p) << 32) | rd_be32(p + 4);
}

enum rmi_read rmi_call_read(const uint8_t *p, size_t len, struct rmi_call *c)
{
    if (len >= 1 && p[0] != RMI_TC_BLOCKDATA)
        return RMI_READ_BAD;
    if (len >= 2 && p[1] != RMI_CALL_BLOCK_LEN - 2)
        return RMI_READ_BAD;
    if (len < RMI_CALL_BLOCK_LEN)
        return RMI_READ_NEED;
    /* ObjID: long objNum, UID (int unique, long time, short count); then int op, long hash. */
    c->objnum = (int64_t)rd_be64(p + 2);
    c->op = (int32_t)rd_be32(p + 24);
    c->hash = rd_be64(p + 28);
    return RMI_READ_OK;
}

enum rmi_read rmi_return_read(const uint8_t *p, size_t len, uint8_t *type)
{
    if (len >= 1 && p[0] != RMI_TC_BLOCKDATA)
        return RMI_READ_BAD;
    if (len >= 2 && p[1] != RMI_RETURN_BLOCK_LEN - 2)
        return RMI_READ_BAD;
    if (len >= 3 && p[2] != 1 && p[2] != 2)
        return RMI_READ_BAD;
    if (len < RMI_RETURN_BLOCK_LEN)
        return RMI_READ_NEED;
    *type = p[2];
    return RMI_READ_OK;
}

/* Method hashes (SHA-1 of the method's name and descriptor, as RMI computes them) of the calls
 * a JNDI referral makes, for callers that use hashes rather than stub operation numbers. */
static const struct {
    uint64_t    hash;
    const char *name;
} known_methods[] = {
    {0x30fca27d8812dfdcull, "RemoteReference.getReference"},
    {0x693fb79bbb53cefeull, "Registry.bind"},
    {0x23af58bbe96d7c34ull, "Registry.list"},
    {0x97614f3f477a89c7ull, "Registry.lookup"},
    {0x8badb4ae7c9fed0eull, "Registry.rebind"},
    {0x6560a7a458d70a7aull, "Registry.unbind"},
    {0xaf74bf7d412cc86dull, "DGC.clean"},
    {0x8f0b40013a2e9a7aull, "DGC.dirty"},
};

/* Operation numbers of the JDK's pregenerated RegistryImpl_Stub and DGCImpl_Stub. */
static const char *const registry_ops[] = {"Registry.bind", "Registry.list", "Registry.lookup", "Registry.rebind",
                                           "Registry.unbind"};
static const char *const dgc_ops[] = {"DGC.clean", "DGC.dirty"};

static const char *method_name(const struct rmi_call *c)
{
    if (c->op >= 0) {
        if (c->objnum == RMI_OBJNUM_REGISTRY && c->hash == RMI_HASH_REGISTRY && c->op < 5)
            return registry_ops[c->op];
        if (c->objnum == RMI_OBJNUM_DGC && c->hash == RMI_HASH_DGC && c->op < 2)
            return dgc_ops[c->op];
        return NULL;
    }
    if (c->op != -1)
        return NULL;
    for (size_t i = 0; i < sizeof(known_methods) / sizeof(known_methods[0]); i++)
        if (known_methods[i].hash == c->hash)
            return known_methods[i].name;
    return NULL;
}

size_t rmi_method_text(const struct rmi_call *c, char *out, size_t size)
{
    const char *name = method_name(c);
    int n;

    if (name != NULL)
        n = snprintf(out, size, "%s", name);
    else if (c->op == -1)
        n = snprintf(out, size, "hash=0x%016llx", (unsigned long long)c->hash);
    else
        n = snprintf(out, size, "op=%d", (int)c->op);
    if (n < 0 || size == 0)
        return 0;
    return (size_t)n < size ? (size_t)n : size - 1;
}

bool rmi_call_takes_name(const struct rmi_call *c)
{
    const char *name = method_name(c);

    return name != NULL && strncmp(name, "Registry.", 9) == 0 && strcmp(name, "Registry.list") != 0;
}

/* ---- serialization tokens ---- */

/* Java binary class names (and array descriptors) as they appear in class descriptors. */
static bool class_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
           c == '.' || c == ';' || c == '[' || c == '/';
}

static bool class_first(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c == '[';
}

/* Checks the name bytes that are there; false as soon as one cannot belong to a class name. */
static bool class_name_ok(const uint8_t *name, size_t name_len, size_t avail)
{
    size_t n = avail < name_len ? avail : name_len;

    if (n > 0 && !class_first(name[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!class_char(name[i]))
            return false;
    return true;
}

static enum rmi_tok need(struct rmi_token *t, size_t size)
{
    t->kind = RMI_TOK_NEED;
    t->size = (uint32_t)size;
    return RMI_TOK_NEED;
}

static enum rmi_tok none(struct rmi_token *t)
{
    t->kind = RMI_TOK_NONE;
    t->size = 1;
    return RMI_TOK_NONE;
}

/* ObjectStreamClass flags: serializable (with or without writeObject, possibly an enum) or
 * externalizable (with or without block data), never both. */
static bool flags_ok(uint8_t f)
{
    if (f & 0xe0)
        return false;
    if (f & 0x02)
        return (f & 0x0c) == 0;
    if (f & 0x04)
        return (f & 0x11) == 0;
    return false;
}

static bool typecode_ok(uint8_t c)
{
    return c != 0 && strchr("BCDFIJSZL[", c) != NULL;
}

/* TC_CLASSDESC: UTF name, long serialVersionUID, byte flags, short field count, fields... */
static enum rmi_tok class_desc(const uint8_t *p, size_t len, struct rmi_token *t)
{
    size_t nl, at;
    uint16_t fields;

    if (len < 3)
        return len >= 2 && p[1] > 0x01 ? none(t) : need(t, 3);
    nl = rd_be16(p + 1);
    if (nl == 0 || nl > RMI_CLASS_NAME_MAX || !class_name_ok(p + 3, nl, len - 3))
        return none(t);
    at = 3 + nl + 8;   /* flags */
    if (len <= at)
        return need(t, at + 3);
    if (!flags_ok(p[at]))
        return none(t);
    if (len < at + 3)
        return need(t, at + 3);
    fields = rd_be16(p + at + 1);
    if (fields > 1024 || ((p[at] & 0x04) && fields != 0))
        return none(t);
    if (fields > 0) {
        if (len < at + 4)
            return need(t, at + 4);
        if (!typecode_ok(p[at + 3]))
            return none(t);
    }
    t->kind = RMI_TOK_CLASS;
    t->size = (uint32_t)(at + 3);
    t->name = p + 3;
    t->name_len = (uint16_t)nl;
    return RMI_TOK_CLASS;
}

/* TC_PROXYCLASSDESC: int count, count UTF interface names, then annotation and superclass. */
static enum rmi_tok proxy_desc(const uint8_t *p, size_t len, struct rmi_token *t)
{
    uint32_t count;
    size_t off = 5;

    if (len < 5)
        return len >= 2 && p[1] != 0 ? none(t) : need(t, 5);
    count = rd_be32(p + 1);
    if (count == 0 || count > RMI_PROXY_IFACES_MAX)
        return none(t);
    for (uint32_t i = 0; i < count; i++) {
        size_t nl;

        if (len < off + 2)
            return need(t, off + 2);
        nl = rd_be16(p + off);
        if (nl == 0 || nl > RMI_CLASS_NAME_MAX || !class_name_ok(p + off + 2, nl, len - off - 2))
            return none(t);
        if (len < off + 2 + nl)
            return need(t, off + 2 + nl);
        t->iface_off[i] = (uint16_t)(off + 2);
        t->iface_len[i] = (uint16_t)nl;
        off += 2 + nl;
    }
    t->kind = RMI_TOK_PROXY;
    t->size = (uint32_t)off;
    t->n_ifaces = (uint8_t)count;
    t->name = p + t->iface_off[0];
    t->name_len = t->iface_len[0];
    return RMI_TOK_PROXY;
}

/* TC_STRING: UTF (modified UTF-8 never has NUL; we also refuse other control characters). */
static enum rmi_tok string(const uint8_t *p, size_t len, struct rmi_token *t)
{
    size_t sl, n;

    if (len < 3)
        return len >= 2 && p[1] > (RMI_STRING_MAX >> 8) ? none(t) : need(t, 3);
    sl = rd_be16(p + 1);
    if (sl > RMI_STRING_MAX)
        return none(t);
    n = len - 3 < sl ? len - 3 : sl;
    for (size_t i = 0; i < n; i++)
        if (p[3 + i] < 0x20 || p[3 + i] == 0x7f)
            return none(t);
    if (len < 3 + sl)
        return need(t, 3 + sl);
    t->kind = RMI_TOK_STRING;
    t->size = (uint32_t)(3 + sl);
    t->name = p + 3;
    t->name_len = (uint16_t)sl;
    return RMI_TOK_STRING;
}

enum rmi_tok rmi_serial_token(const uint8_t *p, size_t len, struct rmi_token *t)
{
    t->n_ifaces = 0;
    t->name = NULL;
    t->name_len = 0;
    if (len == 0)
        return need(t, 1);
    switch (p[0]) {
    case RMI_TC_CLASSDESC: return class_desc(p, len, t);
    case RMI_TC_PROXYCLASSDESC: return proxy_desc(p, len, t);
    case RMI_TC_STRING: return string(p, len, t);
    default: return none(t);
    }
}

bool rmi_is_type_signature(const uint8_t *p, size_t len)
{
    if (len >= 2 && p[0] == '[')
        return true;
    return len >= 3 && p[0] == 'L' && p[len - 1] == ';';
}

bool rmi_is_url(const uint8_t *p, size_t len)
{
    static const char *const schemes[] = {"http://", "https://", "ftp://", "file:", "jar:"};

    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        size_t n = strlen(schemes[i]);

        if (len > n && strncasecmp((const char *)p, schemes[i], n) == 0)
            return true;
    }
    return false;
}

/* A Call or ReturnData opening: the byte, AC ED 00 05, and the first block's header. */
static enum rmi_read message_start(const uint8_t *p, size_t len, uint8_t block_len)
{
    const uint8_t want[7] = {p[0], 0xac, 0xed, 0x00, 0x05, RMI_TC_BLOCKDATA, block_len};
    size_t n = len < sizeof(want) ? len : sizeof(want);

    if (memcmp(p, want, n) != 0)
        return RMI_READ_BAD;
    return len < sizeof(want) ? RMI_READ_NEED : RMI_READ_OK;
}

enum rmi_read rmi_probe_read(const uint8_t *p, size_t len, bool from_orig)
{
    uint16_t version, port;
    uint8_t protocol;
    char host[RMI_HOST_MAX + 1];
    size_t size;

    if (len == 0)
        return RMI_READ_NEED;
    if (from_orig) {
        if (p[0] == 'J')
            return rmi_header_read(p, len, &version, &protocol);
        if (p[0] == RMI_CALL)
            return message_start(p, len, RMI_CALL_BLOCK_LEN - 2);
        return RMI_READ_BAD;
    }
    if (p[0] == RMI_PROTOCOL_ACK)
        return rmi_endpoint_read(p + 1, len - 1, host, &port, &size);
    if (p[0] == RMI_RETURN_DATA)
        return message_start(p, len, RMI_RETURN_BLOCK_LEN - 2);
    return RMI_READ_BAD;
}

/* ---- one message's stream ---- */

enum { SCAN_MAGIC, SCAN_BLOCK, SCAN_BODY };

#define REFERENCE_CLASS "javax.naming.Reference"

static void keep_text(char *dst, size_t size, const uint8_t *src, size_t len)
{
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

void rmi_scan_init(struct rmi_scan *sc, uint8_t kind)
{
    memset(sc, 0, offsetof(struct rmi_scan, first));
    sc->first[0] = sc->prev[0] = sc->prev2[0] = sc->factory[0] = sc->refclass[0] = sc->codebase[0] = '\0';
    sc->kind = kind;
    sc->stage = SCAN_MAGIC;
}

void rmi_scan_lost(struct rmi_scan *sc)
{
    sc->stage = SCAN_BODY;
    sc->iface_next = sc->tok.n_ifaces = 0;
}

/* Reported once per ReturnData, and never for a Call (a bind carries a Reference the other way). */
static enum rmi_ev referral(struct rmi_scan *sc)
{
    sc->ref = RMI_REF_DONE;
    if (sc->kind != RMI_RETURN_DATA || sc->referred)
        return RMI_EV_END;
    sc->referred = true;
    return RMI_EV_REFERRAL;
}

static enum rmi_ev on_class(struct rmi_scan *sc, const uint8_t *name, size_t len, struct rmi_event *ev)
{
    if (sc->classes++ == 0)
        keep_text(sc->first, sizeof(sc->first), name, len);
    if (sc->ref == RMI_REF_NONE && len == sizeof(REFERENCE_CLASS) - 1 && memcmp(name, REFERENCE_CLASS, len) == 0)
        sc->ref = RMI_REF_IN;
    ev->name = name;
    ev->name_len = (uint16_t)len;
    return RMI_EV_CLASS;
}

/* A Reference serializes addrs, classFactory, classFactoryLocation, className in that order; the
 * location is the URL, so the value before it is the factory and the one after it the class
 * name. Strings inside addrs come earlier and are pushed out of prev/prev2. */
static enum rmi_ev on_string(struct rmi_scan *sc, const uint8_t *p, size_t len, struct rmi_event *ev)
{
    if (sc->ref == RMI_REF_IN || sc->ref == RMI_REF_AFTER_URL) {
        if (len > 0 && !rmi_is_type_signature(p, len)) {
            if (sc->ref == RMI_REF_AFTER_URL) {
                keep_text(sc->refclass, sizeof(sc->refclass), p, len);
                if (referral(sc) == RMI_EV_REFERRAL)
                    return RMI_EV_REFERRAL;   /* a ReturnData: no name wanted */
            } else if (rmi_is_url(p, len)) {
                keep_text(sc->codebase, sizeof(sc->codebase), p, len);
                memcpy(sc->factory, sc->prev, sizeof(sc->factory));
                sc->ref = RMI_REF_AFTER_URL;
            } else {
                memcpy(sc->prev2, sc->prev, sizeof(sc->prev2));
                keep_text(sc->prev, sizeof(sc->prev), p, len);
            }
        }
    }
    if (sc->want_name) {
        sc->want_name = false;
        ev->name = p;
        ev->name_len = (uint16_t)len;
        return RMI_EV_NAME;
    }
    return RMI_EV_END;
}

enum rmi_ev rmi_scan_next(struct rmi_scan *sc, const uint8_t *p, size_t len, size_t *off, struct rmi_event *ev)
{
    while (*off < len) {
        const uint8_t *q = p + *off;
        size_t n = len - *off;
        enum rmi_ev e = RMI_EV_END;

        if (sc->iface_next < sc->tok.n_ifaces) {
            unsigned i = sc->iface_next++;

            if (sc->iface_next == sc->tok.n_ifaces) {
                *off = sc->tok_at + sc->tok.size;
                sc->iface_next = sc->tok.n_ifaces = 0;
            }
            return on_class(sc, p + sc->tok_at + sc->tok.iface_off[i], sc->tok.iface_len[i], ev);
        }
        if (sc->stage == SCAN_MAGIC) {
            if (n < RMI_STREAM_MAGIC_LEN)
                break;
            *off += RMI_STREAM_MAGIC_LEN;   /* checked when the message began */
            sc->stage = SCAN_BLOCK;
            continue;
        }
        if (sc->stage == SCAN_BLOCK) {
            uint8_t type;
            enum rmi_read r = sc->kind == RMI_CALL ? rmi_call_read(q, n, &ev->call) : rmi_return_read(q, n, &type);

            if (r == RMI_READ_NEED)
                break;
            sc->stage = SCAN_BODY;
            if (r != RMI_READ_OK)
                continue;   /* not the usual header: the body scan will do */
            if (sc->kind == RMI_RETURN_DATA) {
                *off += RMI_RETURN_BLOCK_LEN;
                continue;
            }
            *off += RMI_CALL_BLOCK_LEN;
            sc->want_name = rmi_call_takes_name(&ev->call);
            return RMI_EV_CALL;
        }
        if (sc->ref == RMI_REF_AFTER_URL && q[0] != RMI_TC_STRING && referral(sc) == RMI_EV_REFERRAL)
            return RMI_EV_REFERRAL;   /* className is a back reference (or null): no more to learn */
        if (q[0] != RMI_TC_CLASSDESC && q[0] != RMI_TC_PROXYCLASSDESC && q[0] != RMI_TC_STRING) {
            (*off)++;
            continue;
        }
        switch (rmi_serial_token(q, n, &sc->tok)) {
        case RMI_TOK_NEED:
            sc->tok.n_ifaces = 0;
            return RMI_EV_END;
        case RMI_TOK_NONE:
            sc->tok.n_ifaces = 0;
            (*off)++;
            continue;
        case RMI_TOK_PROXY:
            sc->tok_at = *off;
            continue;   /* its interfaces are reported one by one, above */
        case RMI_TOK_CLASS:
            *off += sc->tok.size;
            e = on_class(sc, sc->tok.name, sc->tok.name_len, ev);
            break;
        case RMI_TOK_STRING:
            *off += sc->tok.size;
            e = on_string(sc, sc->tok.name, sc->tok.name_len, ev);
            break;
        }
        sc->tok.n_ifaces = 0;
        if (e != RMI_EV_END)
            return e;
    }
    return RMI_EV_END;
}

bool rmi_scan_finish(struct rmi_scan *sc)
{
    if (sc->kind != RMI_RETURN_DATA || sc->referred || sc->classes == 0)
        return false;
    if (sc->ref == RMI_REF_IN) {
        /* No codebase: classFactory and className are the Reference's last two strings. */
        if (sc->prev2[0] != '\0') {
            memcpy(sc->factory, sc->prev2, sizeof(sc->factory));
            memcpy(sc->refclass, sc->prev, sizeof(sc->refclass));
        } else {
            memcpy(sc->factory, sc->prev, sizeof(sc->factory));
        }
    }
    sc->referred = true;
    return true;
}
