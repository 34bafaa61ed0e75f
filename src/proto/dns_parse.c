/* proto/dns_parse.c - DNS message parsing as Zeek's DNS interpreter does it: header, names with
 * compression, questions and resource records, reduced to the facts dns.log is built from. */
#include <stdio.h>
#include <string.h>

#include "proto/dns_int.h"
#include "util/addr.h"
#include "util/bytes.h"

enum dns_section { SEC_ANSWER, SEC_AUTHORITY, SEC_ADDITIONAL };

enum {
    T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_WKS = 11, T_PTR = 12, T_HINFO = 13, T_MX = 15,
    T_TXT = 16, T_AAAA = 28, T_LOC = 29, T_NBS = 32, T_SRV = 33, T_NAPTR = 35, T_A6 = 38,
    T_EDNS = 41, T_DS = 43, T_SSHFP = 44, T_RRSIG = 46, T_NSEC = 47, T_DNSKEY = 48, T_NSEC3 = 50,
    T_NSEC3PARAM = 51, T_SVCB = 64, T_HTTPS = 65, T_SPF = 99, T_TKEY = 249, T_TSIG = 250,
    T_CAA = 257, T_BINDS = 65534,
};

/* One walk over a message. len is always end - pos, as Zeek's data/len pair. */
struct cur {
    const uint8_t *msg;
    size_t         pos, end;
};

static size_t left(const struct cur *c)
{
    return c->end - c->pos;
}

static void weird(struct dns_parsed *p, enum weird_id id, const char *addl)
{
    if (p == NULL || p->n_weirds >= DNS_MSG_WEIRDS)
        return;
    snprintf(p->weird_addl[p->n_weirds], sizeof(p->weird_addl[0]), "%s", addl != NULL ? addl : "");
    p->weird[p->n_weirds++] = id;
}

static void weird_num(struct dns_parsed *p, enum weird_id id, unsigned v)
{
    char b[16];

    snprintf(b, sizeof(b), "%u", v);
    weird(p, id, b);
}

/* Zeek's ExtractShort/ExtractLong: 0 and no movement when the bytes are not there. */
static uint16_t get16(struct cur *c)
{
    uint16_t v;

    if (left(c) < 2)
        return 0;
    v = rd_be16(c->msg + c->pos);
    c->pos += 2;
    return v;
}

static uint32_t get32(struct cur *c)
{
    uint32_t v;

    if (left(c) < 4)
        return 0;
    v = rd_be32(c->msg + c->pos);
    c->pos += 4;
    return v;
}

static void skip(struct cur *c, size_t n)
{
    c->pos += n < left(c) ? n : left(c);
}

bool dns_header_read(const uint8_t *msg, size_t len, struct dns_header *h)
{
    uint16_t fl;

    if (len < DNS_HDR_LEN)
        return false;
    fl = rd_be16(msg + 2);
    h->id = rd_be16(msg);
    h->qr = (fl & 0x8000u) != 0;
    h->opcode = (uint8_t)((fl & 0x7800u) >> 11);
    h->aa = (fl & 0x0400u) != 0;
    h->tc = (fl & 0x0200u) != 0;
    h->rd = (fl & 0x0100u) != 0;
    h->ra = (fl & 0x0080u) != 0;
    h->z = (uint8_t)((fl & 0x0070u) >> 4);   /* AD and CD included, as Zeek's Z */
    h->rcode = (uint8_t)(fl & 0x000fu);
    h->qdcount = rd_be16(msg + 4);
    h->ancount = rd_be16(msg + 6);
    h->nscount = rd_be16(msg + 8);
    h->arcount = rd_be16(msg + 10);
    return true;
}

size_t dns_name_decode(const uint8_t *msg, size_t end, size_t *off, char *out, bool downcase, bool netbios,
                       struct dns_parsed *p)
{
    const size_t cap = DNS_NAME_BUF - 1;
    size_t       level_start[DNS_NAME_HOPS + 1];
    unsigned     depth = 0;
    size_t       n = 0, pos = *off, lim = end, outer_pos = 0;
    bool         jumped = false;

    level_start[0] = 0;
    for (;;) {
        size_t  at = pos;
        uint8_t l;

        if (pos >= lim)
            break;
        l = msg[pos++];
        if (pos >= lim || l == 0)
            break;
        if ((l & 0xc0u) == 0xc0u) {
            size_t target = ((size_t)(l & 0x3fu) << 8) | msg[pos++];

            if (!jumped) {
                outer_pos = pos;
                jumped = true;
            }
            /* Only backwards, so every hop shrinks the region: no loop can last. */
            if (target >= at) {
                weird(p, WEIRD_DNS_LABEL_FORWARD_COMPRESS_OFFSET, NULL);
                break;
            }
            if (depth == DNS_NAME_HOPS) {
                weird(p, WEIRD_DNS_NAME_TOO_MANY_POINTERS, NULL);
                break;
            }
            level_start[++depth] = n;
            lim = at;
            pos = target;
            continue;
        }
        if (l > lim - pos) {
            weird(p, WEIRD_DNS_LABEL_LEN_GT_PKT, NULL);
            pos = lim;
            break;
        }
        if (l > 63 && !netbios) {
            weird(p, WEIRD_DNS_LABEL_TOO_LONG, NULL);
            break;
        }
        if (l >= cap - n) {
            weird(p, WEIRD_DNS_LABEL_LEN_GT_NAME_LEN, NULL);
            break;
        }
        for (size_t i = 0; i < l; i++) {
            uint8_t ch = msg[pos + i];

            if ((depth > 0 || downcase) && ch >= 'A' && ch <= 'Z')
                ch = (uint8_t)(ch - 'A' + 'a');
            out[n + i] = (char)ch;
        }
        out[n + l] = '.';
        n += (size_t)l + 1;
        pos += l;
    }
    *off = jumped ? outer_pos : pos;
    /* Each nesting level of Zeek's recursion checks its length and drops one trailing dot. */
    for (unsigned d = depth + 1; d-- > 0;) {
        size_t ln = n - level_start[d];

        if (ln >= 255)
            weird(p, WEIRD_DNS_NAME_TOO_LONG, NULL);
        if (ln >= 2 && out[n - 1] == '.')
            n--;
    }
    out[n] = '\0';
    return n;
}

static size_t get_name(struct cur *c, char *out, bool downcase, const struct dns_parse_opts *o,
                       struct dns_parsed *p)
{
    return dns_name_decode(c->msg, c->end, &c->pos, out, downcase, o->netbios, p);
}

/* ---- answer strings ---- */

struct ans {
    struct dns_parsed *p;
    uint32_t           start;
    bool               over;
};

static void ans_begin(struct ans *a, struct dns_parsed *p)
{
    a->p = p;
    a->start = p->text_used;
    a->over = p->n_answers >= DNS_MSG_ANSWERS;
}

static void ans_put(struct ans *a, const void *b, size_t n)
{
    struct dns_parsed *p = a->p;

    if (a->over || n > DNS_MSG_TEXT - p->text_used) {
        a->over = true;
        return;
    }
    memcpy(p->text + p->text_used, b, n);
    p->text_used += (uint32_t)n;
}

static void ans_fmt(struct ans *a, const char *fmt, unsigned v1, unsigned v2, unsigned v3)
{
    char b[64];
    int  n = snprintf(b, sizeof(b), fmt, v1, v2, v3);

    if (n > 0)
        ans_put(a, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

static void ans_str(struct ans *a, const char *s)
{
    ans_put(a, s, strlen(s));
}

/* Zeek's DNS::do_reply: only answer-section records of replies reach dns.log. */
static void ans_commit(struct ans *a, bool section_ok, const char *owner, size_t owner_len, uint32_t ttl)
{
    struct dns_parsed *p = a->p;
    uint32_t           n = p->text_used - a->start;

    if (!section_ok || !p->h.qr) {
        p->text_used = a->start;
        return;
    }
    p->replied = true;
    if (!p->first_owner_set) {
        p->first_owner_set = true;
        memcpy(p->first_owner, owner, owner_len + 1);
        p->first_owner_len = (uint16_t)owner_len;
    }
    if (a->over) {
        p->answers_capped = true;
        p->text_used = a->start;
        return;
    }
    if (n == 0)
        return;   /* an empty reply string adds nothing, as in Zeek */
    p->ans_off[p->n_answers] = a->start;
    p->ans_len[p->n_answers] = n;
    p->ans_ttl[p->n_answers] = ttl;
    p->n_answers++;
}

/* ---- resource records ---- */

struct rr {
    enum dns_section sec;
    bool             skip_event;
    uint16_t         type, klass;
    uint32_t         ttl;
    size_t           rdlength;
    char             owner[DNS_NAME_BUF];
    size_t           owner_len;
};

static bool char_string(struct cur *c, size_t *rdlen, const uint8_t **s, size_t *n, struct dns_parsed *p)
{
    uint8_t sz;

    if (*rdlen == 0 || left(c) == 0)
        return false;
    sz = c->msg[c->pos++];
    (*rdlen)--;
    if (sz > *rdlen) {
        weird(p, WEIRD_DNS_TXT_CHAR_STR_PAST_RDLEN, NULL);
        return false;
    }
    *s = c->msg + c->pos;
    *n = sz;
    c->pos += sz;
    *rdlen -= sz;
    return true;
}

static bool rr_txt(struct cur *c, struct rr *r, struct ans *a, const char *tag, struct dns_parsed *p)
{
    size_t         rdlen = r->rdlength, n;
    const uint8_t *s;
    unsigned       i = 0;

    while (char_string(c, &rdlen, &s, &n, p)) {
        if (i++ > 0)
            ans_put(a, " ", 1);
        ans_str(a, tag);
        ans_fmt(a, " %u ", (unsigned)n, 0, 0);
        ans_put(a, s, n);
    }
    return rdlen == 0;
}

static void ans_addr6(struct ans *a, const uint8_t b[16])
{
    struct addr ad;
    char        t[ADDR_STRLEN];

    addr_from_v6(&ad, b);
    ans_put(a, t, addr_format(&ad, t, sizeof(t)));
}

static void rr_algo_weird(struct dns_parsed *p, unsigned algo, bool key)
{
    enum weird_id id;

    switch (algo) {
    case 1:   id = key ? WEIRD_DNSSEC_DNSKEY_NOTREC_ALGO : WEIRD_DNSSEC_RRSIG_NOTREC_ALGO; break;
    case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 10: case 12: case 13: case 14:
    case 15: case 16:
        return;
    case 252: id = key ? WEIRD_DNSSEC_DNSKEY_INDIRECT_ALGO : WEIRD_DNSSEC_RRSIG_INDIRECT_ALGO; break;
    case 253: id = key ? WEIRD_DNSSEC_DNSKEY_PRIVDNS_ALGO : WEIRD_DNSSEC_RRSIG_PRIVDNS_ALGO; break;
    case 254: id = key ? WEIRD_DNSSEC_DNSKEY_PRIVOID_ALGO : WEIRD_DNSSEC_RRSIG_PRIVOID_ALGO; break;
    default:  id = key ? WEIRD_DNSSEC_DNSKEY_UNKNOWN_ALGO : WEIRD_DNSSEC_RRSIG_UNKNOWN_ALGO; break;
    }
    weird_num(p, id, algo);
}

static void nsec_bitmaps(struct cur *c, long tb_len, enum weird_id zero, struct dns_parsed *p)
{
    while (tb_len > 0 && left(c) > 0) {
        uint16_t bl = get16(c);

        if ((bl & 0xffu) == 0) {
            weird_num(p, zero, bl >> 8);
            break;
        }
        skip(c, bl & 0xffu);
        tb_len -= 2 + (long)(bl & 0xffu);
    }
}

static bool rr_edns(struct cur *c, const struct dns_parse_opts *o, struct dns_parsed *p)
{
    /* Zeek walks the options to the end of the message, not of the record. */
    while (left(c) >= 4) {
        uint16_t code = get16(c);
        size_t   olen = get16(c);

        if (olen > left(c))
            break;
        if (code == 8 && olen > 4) {   /* client subnet */
            uint16_t fam = rd_be16(c->msg + c->pos);
            unsigned src = c->msg[c->pos + 2];
            char     b[48];

            if ((fam == 1 && src > 32) || (fam == 2 && src > 128)) {
                snprintf(b, sizeof(b), "%u bits", src);
                weird(p, fam == 1 ? WEIRD_EDNS_ECS_INVALID_V4_PREFIX : WEIRD_EDNS_ECS_INVALID_V6_PREFIX, b);
            } else if ((fam == 1 || fam == 2) && src > (olen - 4) * 8) {
                snprintf(b, sizeof(b), "need %u bits, have %u bits", src, (unsigned)(olen - 4) * 8);
                weird(p, fam == 1 ? WEIRD_EDNS_ECS_INVALID_V4 : WEIRD_EDNS_ECS_INVALID_V6, b);
            }
        } else if (code == 8) {
            weird(p, WEIRD_EDNS_ECS_INVALID_OPTION_LEN, NULL);
        } else if (code == 11 && (olen == 0 || olen == 2) && o->udp) {
            weird(p, WEIRD_EDNS_TCP_KEEPALIVE_IN_UDP, NULL);
        }
        c->pos += olen;
    }
    if (left(c) > 0) {
        weird(p, WEIRD_EDNS_TRUNCATED_OPTION, NULL);
        return false;
    }
    return true;
}

/* Name-bearing RDATA: NS, CNAME, PTR, MX (after the preference), SRV (after three shorts). */
static bool rr_target(struct cur *c, struct rr *r, struct ans *a, size_t before, const struct dns_parse_opts *o,
                      struct dns_parsed *p)
{
    size_t start = c->pos;
    char   name[DNS_NAME_BUF];
    size_t n;

    for (size_t i = 0; i < before; i += 2)
        (void)get16(c);
    n = get_name(c, name, true, o, p);
    if (c->pos - start != r->rdlength)
        weird(p, WEIRD_DNS_RR_LENGTH_MISMATCH, NULL);
    ans_put(a, name, n);
    return true;
}

static bool rr_body(struct cur *c, struct rr *r, struct ans *a, bool *reply, const struct dns_parse_opts *o,
                    struct dns_parsed *p)
{
    size_t start = c->pos;
    char   name[DNS_NAME_BUF];
    size_t n;

    /* Types whose Zeek events have no handler in the base scripts are skipped unparsed. */
    switch (r->type) {
    case T_A:
        if (r->rdlength != 4) {
            weird(p, WEIRD_DNS_RR_BAD_LENGTH, NULL);
            return false;
        }
        if (p->h.opcode == DNS_OP_UPDATE && !o->netbios) {
            ans_str(a, "A ");
            ans_put(a, r->owner, r->owner_len);
            ans_put(a, " ", 1);
        }
        ans_fmt(a, "%u.%u.%u", c->msg[c->pos], c->msg[c->pos + 1], c->msg[c->pos + 2]);
        ans_fmt(a, ".%u", c->msg[c->pos + 3], 0, 0);
        c->pos += 4;
        return true;
    case T_AAAA:
    case T_A6: {
        uint8_t b[16] = {0};

        for (int i = 0; i < 4; i++) {
            uint32_t v = get32(c);

            b[i * 4] = (uint8_t)(v >> 24);
            b[i * 4 + 1] = (uint8_t)(v >> 16);
            b[i * 4 + 2] = (uint8_t)(v >> 8);
            b[i * 4 + 3] = (uint8_t)v;
        }
        if (p->h.opcode == DNS_OP_UPDATE && !o->netbios) {
            ans_str(a, r->type == T_AAAA ? "AAAA " : "A6 ");
            ans_put(a, r->owner, r->owner_len);
            ans_put(a, " ", 1);
        }
        ans_addr6(a, b);
        return true;
    }
    case T_NS: case T_CNAME: case T_PTR:
        return rr_target(c, r, a, 0, o, p);
    case T_MX:
        return rr_target(c, r, a, 2, o, p);
    case T_SRV:
        if (o->netbios) {   /* NBSTAT: Zeek neither parses nor skips it */
            *reply = false;
            return true;
        }
        return rr_target(c, r, a, 6, o, p);
    case T_SOA: {
        char rname[DNS_NAME_BUF];

        n = get_name(c, name, true, o, p);
        (void)get_name(c, rname, true, o, p);
        if (left(c) < 20)
            return false;
        c->pos += 20;
        if (c->pos - start != r->rdlength)
            weird(p, WEIRD_DNS_RR_LENGTH_MISMATCH, NULL);
        ans_put(a, name, n);
        return true;
    }
    case T_WKS:
        skip(c, r->rdlength);
        return true;   /* reaches do_reply with an empty string */
    case T_TXT:
    case T_SPF:
        if (r->skip_event) {
            skip(c, r->rdlength);
            *reply = false;
            return true;
        }
        return rr_txt(c, r, a, r->type == T_TXT ? "TXT" : "SPF", p);
    case T_NAPTR: {
        size_t         rdlen = r->rdlength >= 4 ? r->rdlength - 4 : 0;
        const uint8_t *s[3] = {NULL, NULL, NULL};
        size_t         sl[3] = {0, 0, 0};
        unsigned       order = get16(c), pref = get16(c);

        for (int i = 0; i < 3; i++)
            if (!char_string(c, &rdlen, &s[i], &sl[i], p))
                return false;
        n = get_name(c, name, true, o, p);
        ans_fmt(a, "NAPTR %u %u ", order, pref, 0);
        ans_put(a, s[0], sl[0]);
        ans_put(a, " ", 1);
        ans_put(a, s[1], sl[1]);
        ans_put(a, " ", 1);
        ans_put(a, s[2], sl[2]);
        if (sl[2] > 0 && n > 0)
            ans_put(a, " ", 1);
        ans_put(a, name, n);
        return true;
    }
    case T_EDNS:
        *reply = false;
        return rr_edns(c, o, p);
    case T_TSIG:
        *reply = false;
        (void)get_name(c, name, true, o, p);
        (void)get32(c);
        (void)get16(c);
        (void)get16(c);
        skip(c, get16(c));   /* MAC */
        (void)get16(c);
        (void)get16(c);
        skip(c, get16(c));   /* other data */
        return true;
    case T_TKEY:
        *reply = false;
        (void)get_name(c, name, true, o, p);
        (void)get32(c);
        (void)get32(c);
        (void)get16(c);
        (void)get16(c);
        skip(c, get16(c));   /* key */
        skip(c, get16(c));   /* other data */
        return true;
    case T_RRSIG: {
        unsigned covered, algo;
        long     sig_len;

        if (r->skip_event) {
            skip(c, r->rdlength);
            *reply = false;
            return true;
        }
        if (left(c) < 18)
            return false;
        covered = get16(c);
        algo = get16(c) >> 8;
        c->pos += 14;
        start = c->pos;
        n = get_name(c, name, true, o, p);
        sig_len = (long)r->rdlength - (long)((c->pos - start) + 18);
        skip(c, sig_len > 0 ? (size_t)sig_len : 0);
        rr_algo_weird(p, algo, false);
        ans_fmt(a, "RRSIG %u ", covered, 0, 0);
        if (n == 0)
            ans_str(a, "<Root>");
        else
            ans_put(a, name, n);
        return true;
    }
    case T_DNSKEY: {
        unsigned fl, pa;

        if (r->skip_event) {
            skip(c, r->rdlength);
            *reply = false;
            return true;
        }
        if (left(c) < 4)
            return false;
        fl = get16(c);
        pa = get16(c);
        skip(c, r->rdlength >= 4 ? r->rdlength - 4 : 0);
        if ((fl & 0xfe7eu) != 0)
            weird_num(p, WEIRD_DNSSEC_DNSKEY_INVALID_FLAG, fl);
        if ((fl & 0x0181u) == 0x0181u)
            weird_num(p, WEIRD_DNSSEC_DNSKEY_REVOKED_KSK, fl);
        if ((pa >> 8) != 3)
            weird_num(p, WEIRD_DNSSEC_DNSKEY_INVALID_PROTOCOL, pa >> 8);
        rr_algo_weird(p, pa & 0xffu, true);
        ans_fmt(a, "DNSKEY %u", pa & 0xffu, 0, 0);
        return true;
    }
    case T_NSEC:
        if (r->skip_event) {
            skip(c, r->rdlength);
            *reply = false;
            return true;
        }
        n = get_name(c, name, true, o, p);
        nsec_bitmaps(c, (long)r->rdlength - (long)(c->pos - start), WEIRD_DNSSEC_NSEC_BITMAPLEN0, p);
        ans_str(a, "NSEC ");
        ans_put(a, r->owner, r->owner_len);
        ans_put(a, " ", 1);
        ans_put(a, name, n);
        return true;
    case T_NSEC3:
    case T_NSEC3PARAM:
        if (r->skip_event) {
            skip(c, r->rdlength);
            *reply = false;
            return true;
        }
        if (left(c) < (r->type == T_NSEC3 ? 6u : 5u))
            return false;
        c->pos += 4;
        skip(c, c->msg[c->pos++]);   /* salt */
        if (r->type == T_NSEC3) {
            if (left(c) > 0)
                skip(c, c->msg[c->pos++]);   /* next hashed owner */
            nsec_bitmaps(c, (long)r->rdlength - (long)(c->pos - start), WEIRD_DNSSEC_NSEC3_BITMAPLEN0, p);
        }
        ans_str(a, r->type == T_NSEC3 ? "NSEC3" : "NSEC3PARAM");
        return true;
    case T_DS: {
        unsigned ad;

        if (r->skip_event) {
            skip(c, r->rdlength);
            *reply = false;
            return true;
        }
        if (left(c) < 4)
            return false;
        (void)get16(c);
        ad = get16(c);
        skip(c, r->rdlength >= 4 ? r->rdlength - 4 : 0);
        if ((ad & 0xffu) == 0)
            weird_num(p, WEIRD_DNSSEC_DS_RESERVED_DIGEST, 0);
        else if ((ad & 0xffu) > 4)
            weird_num(p, WEIRD_DNSSEC_DS_UNKNOWN_DIGEST, ad & 0xffu);
        ans_fmt(a, "DS %u %u", ad >> 8, ad & 0xffu, 0);
        return true;
    }
    case T_BINDS:
    case T_SSHFP:
    case T_LOC: {
        static const char hex[] = "0123456789abcdef";
        unsigned          w;

        if (r->skip_event) {
            skip(c, r->rdlength);
            *reply = false;
            return true;
        }
        if (left(c) < (r->type == T_BINDS ? 5u : r->type == T_SSHFP ? 2u : 15u))
            return false;
        if (r->type == T_BINDS) {
            (void)get32(c);
            skip(c, r->rdlength >= 4 ? r->rdlength - 4 : 0);
            ans_str(a, "BIND9 signing signal");
            return true;
        }
        if (r->type == T_SSHFP) {
            (void)get16(c);
            ans_str(a, "SSHFP: ");
            for (size_t i = 2; i < r->rdlength && left(c) > 0; i++) {
                uint8_t ch = c->msg[c->pos++];

                ans_put(a, &hex[ch >> 4], 1);
                ans_put(a, &hex[ch & 15], 1);
            }
            return true;
        }
        w = get16(c);
        if ((w >> 8) != 0)
            weird_num(p, WEIRD_DNS_LOC_VERSION_UNRECOGNIZED, w >> 8);
        n = get16(c);
        c->pos += 8;
        (void)get32(c);
        ans_fmt(a, "LOC:  %u %u %u", w & 0xffu, (unsigned)(n >> 8), (unsigned)(n & 0xffu));
        return true;
    }
    case T_SVCB:
    case T_HTTPS:
        *reply = false;
        if (left(c) < 3) {
            weird(p, WEIRD_DNS_SVCB_WRONG_LENGTH, NULL);
            return false;
        }
        (void)get16(c);
        (void)get_name(c, name, false, o, p);
        if (c->pos - start < r->rdlength)
            skip(c, r->rdlength - (c->pos - start));
        return true;
    case T_HINFO:
    case T_CAA:
    case T_NBS:
        *reply = false;
        skip(c, r->rdlength);
        return true;
    default:
        ans_fmt(a, "<unknown type=%u>", r->type, 0, 0);
        weird_num(p, WEIRD_DNS_RR_UNKNOWN_TYPE, r->type);
        skip(c, r->rdlength);
        return true;
    }
}

static bool parse_rr(struct cur *c, enum dns_section sec, bool skip_event, const struct dns_parse_opts *o,
                     struct dns_parsed *p)
{
    struct rr  r;
    struct ans a;
    bool       reply = true, ok;

    r.sec = sec;
    r.skip_event = skip_event;
    r.owner_len = get_name(c, r.owner, true, o, p);
    if (left(c) < 4) {
        weird(p, WEIRD_DNS_TRUNCATED_ANS_TOO_SHORT, NULL);
        return false;
    }
    r.type = get16(c);
    r.klass = get16(c);
    r.ttl = get32(c);
    r.rdlength = get16(c);
    if (r.rdlength > left(c)) {
        weird(p, WEIRD_DNS_TRUNCATED_RR_RDLENGTH_LT_LEN, NULL);
        return false;
    }
    if (r.rdlength == 0 && left(c) > 0) {
        weird(p, WEIRD_DNS_ZERO_RDLENGTH, NULL);
        return false;
    }
    ans_begin(&a, p);
    ok = rr_body(c, &r, &a, &reply, o, p);
    if (ok && reply)
        ans_commit(&a, sec == SEC_ANSWER, r.owner, r.owner_len, r.ttl);
    else
        p->text_used = a.start;
    return ok;
}

static bool parse_question(struct cur *c, const struct dns_parse_opts *o, struct dns_parsed *p)
{
    char   name[DNS_NAME_BUF];
    size_t n = get_name(c, name, false, o, p);

    if (left(c) < 4) {
        weird(p, WEIRD_DNS_TRUNCATED_QUEST_TOO_SHORT, NULL);
        return false;
    }
    if (!p->h.qr) {
        for (size_t i = 0; i < n; i++)
            if (name[i] >= 'A' && name[i] <= 'Z')
                name[i] = (char)(name[i] - 'A' + 'a');
        memcpy(p->qname, name, n + 1);
        p->qname_len = (uint16_t)n;
        p->qtype = get16(c);
        p->qclass = get16(c);
        p->have_question = true;
        return true;
    }
    if (p->h.ancount == 0 && p->h.nscount == 0 && p->h.arcount == 0)
        p->rejected = true;
    c->pos += 4;
    return true;
}

static bool parse_section(struct cur *c, unsigned n, enum dns_section sec, bool skip_event,
                          const struct dns_parse_opts *o, struct dns_parsed *p)
{
    while (n > 0 && parse_rr(c, sec, skip_event, o, p))
        n--;
    return n == 0;
}

void dns_parse_message(const uint8_t *msg, size_t len, const struct dns_parse_opts *o, struct dns_parsed *p)
{
    struct cur c = { msg, DNS_HDR_LEN, len };
    bool       skip_auth = o->skip_all_auth, skip_addl = o->skip_all_addl;
    unsigned   n;

    memset(&p->h, 0, sizeof(p->h));
    p->count_too_large = p->confirmed = p->have_question = p->rejected = false;
    p->qtype = p->qclass = p->qname_len = 0;
    p->qname[0] = '\0';
    p->replied = p->first_owner_set = false;
    p->first_owner_len = 0;
    p->n_answers = 0;
    p->answers_capped = false;
    p->text_used = 0;
    p->n_weirds = 0;
    if (!dns_header_read(msg, len, &p->h)) {
        weird(p, WEIRD_DNS_TRUNCATED_LEN_LT_HDR_LEN, NULL);
        return;
    }
    if (p->h.qdcount > DNS_MAX_QUERIES) {
        p->count_too_large = true;
        weird(p, WEIRD_DNS_CONN_COUNT_TOO_LARGE, NULL);
        return;
    }
    for (n = p->h.qdcount; n > 0 && parse_question(&c, o, p); n--)
        ;
    if (n > 0 || !parse_section(&c, p->h.ancount, SEC_ANSWER, false, o, p))
        return;
    p->confirmed = true;
    if (p->h.ancount > 0) {
        skip_auth = skip_auth || p->h.nscount == 0;
        skip_addl = skip_addl || p->h.arcount == 0;
    }
    if (skip_auth && skip_addl)
        return;
    if (!parse_section(&c, p->h.nscount, SEC_AUTHORITY, skip_auth, o, p) || skip_addl)
        return;
    (void)parse_section(&c, p->h.arcount, SEC_ADDITIONAL, skip_addl, o, p);
}
