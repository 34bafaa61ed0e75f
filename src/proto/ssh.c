/* proto/ssh.c - the SSH analyzer: probe, banners, cleartext key exchange, Zeek's auth guess from
 * encrypted segment sizes, and ssh.log as Zeek 9 writes it. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "proto/analyzer.h"
#include "proto/session.h"
#include "proto/ssh_int.h"
#include "util/bytes.h"
#include "util/site.h"

#define SSH_BANNER_MAX  255     /* RFC 4253 4.2: the identification line, CR LF included */
#define SSH_LINE_MAX    1024    /* a longer line without LF is not SSH */
#define SSH_PRE_LINES   16      /* lines a server may send before its banner (RFC 4253 4.2) */
#define SSH_PACKET_MAX  35000   /* RFC 4253 6.1: what every implementation must accept */
#define SSH_LISTS_MAX   3072    /* the first KEXINIT's name-lists, kept until the peer's arrives */
#define SSH_ALG_MAX     256     /* "To server: X, to client: Y" with long names */
#define SSH_NLISTS      8       /* kex, host key, then cipher/mac/compression in each direction */

enum { MSG_KEXINIT = 20, MSG_NEWKEYS = 21, SSH1_CMSG_SESSION_KEY = 3 };

#define R struct ssh_record
#define OPT LOG_OPTIONAL

static const struct log_field ssh_log_fields[SSH_F_COUNT] = {
    LOG_COMMON_FIELDS(R),
    [SSH_F_VERSION]         = LOG_FIELD(R, version, "version", LOG_COUNT, OPT),
    [SSH_F_AUTH_SUCCESS]    = LOG_FIELD(R, auth_success, "auth_success", LOG_BOOL, OPT),
    [SSH_F_AUTH_ATTEMPTS]   = LOG_FIELD(R, auth_attempts, "auth_attempts", LOG_COUNT, 0),
    [SSH_F_DIRECTION]       = LOG_FIELD(R, direction, "direction", LOG_ENUM, OPT),
    [SSH_F_CLIENT]          = LOG_FIELD(R, client, "client", LOG_STRING, OPT),
    [SSH_F_SERVER]          = LOG_FIELD(R, server, "server", LOG_STRING, OPT),
    [SSH_F_CIPHER_ALG]      = LOG_FIELD(R, cipher_alg, "cipher_alg", LOG_STRING, OPT),
    [SSH_F_MAC_ALG]         = LOG_FIELD(R, mac_alg, "mac_alg", LOG_STRING, OPT),
    [SSH_F_COMPRESSION_ALG] = LOG_FIELD(R, compression_alg, "compression_alg", LOG_STRING, OPT),
    [SSH_F_KEX_ALG]         = LOG_FIELD(R, kex_alg, "kex_alg", LOG_STRING, OPT),
    [SSH_F_HOST_KEY_ALG]    = LOG_FIELD(R, host_key_alg, "host_key_alg", LOG_STRING, OPT),
    [SSH_F_HOST_KEY_FINGERPRINT] =
        LOG_FIELD(R, host_key_fingerprint, "host_key_fingerprint", LOG_STRING, OPT),
};

#undef R
#undef OPT

_Static_assert(SSH_F_RESP_P == 5 && SSH_F_VERSION == 6, "LOG_COMMON_FIELDS fills indexes 0-5");

const struct log_schema ssh_log_schema = LOG_SCHEMA("ssh", ssh_log_fields);

/* ---- pure helpers (ssh_int.h) ---- */

enum ssh_version ssh_banner_version(const char *b, size_t len)
{
    if (len < 5)
        return SSH_VER_UNK;
    if (b[4] == '2')
        return SSH_VER_2;
    if (b[4] == '1')
        return len >= 8 && b[6] == '9' && b[7] == '9' ? SSH_VER_199 : SSH_VER_1;
    return SSH_VER_UNK;
}

enum ssh_version ssh_conn_version(enum ssh_version c, enum ssh_version s)
{
    if (c == s)
        return s == SSH_VER_199 ? SSH_VER_2 : s;
    if (c == SSH_VER_199 && (s == SSH_VER_2 || s == SSH_VER_1))
        return s;
    if (s == SSH_VER_199 && (c == SSH_VER_2 || c == SSH_VER_1))
        return c;
    return SSH_VER_UNK;   /* 1 against 2, or a side still unknown */
}

static bool is_199(const char *b, size_t len)
{
    return len > 7 && b[6] == '9' && b[7] == '9';
}

bool ssh_log_version(const char *c, size_t clen, const char *s, size_t slen, uint64_t *out)
{
    if (c == NULL || s == NULL || clen <= 4 || slen <= 4)
        return false;
    if (c[4] == '1' && s[4] == '2')
        *out = is_199(c, clen) ? 2 : 0;
    else if (c[4] == '2' && s[4] == '1')
        *out = is_199(s, slen) ? 2 : 0;
    else if (c[4] == '1' && s[4] == '1')
        *out = is_199(s, slen) && is_199(c, clen) ? 2 : 1;
    else if (c[4] == '2' && s[4] == '2')
        *out = 2;
    else
        return false;
    return true;
}

/* The next non-empty name of a list from *pos on; false at the end. */
static bool next_name(const char *l, size_t len, size_t *pos, const char **name, size_t *nlen)
{
    while (*pos < len) {
        size_t start = *pos, end = start;

        while (end < len && l[end] != ',')
            end++;
        *pos = end + 1;
        if (end > start) {
            *name = l + start;
            *nlen = end - start;
            return true;
        }
    }
    return false;
}

size_t ssh_find_alg(const char *client, size_t clen, const char *server, size_t slen, const char **name)
{
    const char *cn, *sn;
    size_t cl, sl, ci = 0;

    while (next_name(client, clen, &ci, &cn, &cl)) {
        size_t si = 0;

        while (next_name(server, slen, &si, &sn, &sl))
            if (sl == cl && memcmp(cn, sn, cl) == 0) {
                *name = cn;
                return cl;
            }
    }
    return 0;
}

static size_t put(char *out, size_t size, const char *s, size_t len)
{
    if (size == 0)
        return 0;
    if (len > size - 1)
        len = size - 1;
    memcpy(out, s, len);
    out[len] = '\0';
    return len;
}

size_t ssh_alg_text(const char *client, size_t clen, const char *server, size_t slen, char *out, size_t size)
{
    const char *name = NULL;
    size_t n = ssh_find_alg(client, clen, server, slen, &name);

    if (n == 0)
        return put(out, size, SSH_NEGOTIATION_FAILED, strlen(SSH_NEGOTIATION_FAILED));
    return put(out, size, name, n);
}

size_t ssh_bidir_alg_text(const char *c_c2s, size_t c_c2s_len, const char *s_c2s, size_t s_c2s_len,
                          const char *c_s2c, size_t c_s2c_len, const char *s_s2c, size_t s_s2c_len,
                          char *out, size_t size)
{
    char a[SSH_ALG_MAX], b[SSH_ALG_MAX];
    size_t na = ssh_alg_text(c_c2s, c_c2s_len, s_c2s, s_c2s_len, a, sizeof(a));
    size_t nb = ssh_alg_text(c_s2c, c_s2c_len, s_s2c, s_s2c_len, b, sizeof(b));
    int w;

    if (na == nb && memcmp(a, b, na) == 0)
        return put(out, size, a, na);
    w = snprintf(out, size, "To server: %s, to client: %s", a, b);
    if (w < 0)
        return put(out, size, "", 0);
    return (size_t)w < size ? (size_t)w : size - 1;
}

bool ssh_fingerprint(const uint8_t *blob, size_t len, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    char *o = out;

    if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return false;
    memcpy(o, "SHA256:", 7);
    o += 7;
    /* Zeek 9 encodes 24 of the 32 bytes: exactly 32 characters, no padding. */
    for (int i = 0; i < 24; i += 3) {
        uint32_t v = ((uint32_t)md[i] << 16) | ((uint32_t)md[i + 1] << 8) | md[i + 2];

        *o++ = b64[(v >> 18) & 63];
        *o++ = b64[(v >> 12) & 63];
        *o++ = b64[(v >> 6) & 63];
        *o++ = b64[v & 63];
    }
    *o = '\0';
    return true;
}

enum ssh_auth_event ssh_auth_segment(struct ssh_auth *a, bool orig, uint32_t len)
{
    int64_t n = len;

    if (a->decided)
        return SSH_AUTH_NONE;
    if (orig) {
        a->saw_client_data = true;
        return SSH_AUTH_NONE;
    }
    /* The server may talk first (e.g. a rekey); only count what answers the client. */
    if (!a->saw_client_data)
        return SSH_AUTH_NONE;
    if (a->service_accept_size == 0) {
        a->service_accept_size = n;
        return SSH_AUTH_NONE;
    }
    /* "none" authentication: USERAUTH_SUCCESS is 16 bytes shorter than SERVICE_ACCEPT. */
    if (a->userauth_failure_size == 0 && n + 16 == a->service_accept_size) {
        a->decided = true;
        return SSH_AUTH_SUCCESS;
    }
    if (a->userauth_failure_size == 0) {
        /* Far bigger than SERVICE_ACCEPT: a pre-auth banner, once. */
        if (!a->skipped_banner && n - a->service_accept_size > 256) {
            a->skipped_banner = true;
            return SSH_AUTH_NONE;
        }
        a->userauth_failure_size = n;
        return SSH_AUTH_NONE;
    }
    if (n == a->userauth_failure_size)
        return SSH_AUTH_FAILED;
    if (n - a->service_accept_size == -16) {
        a->decided = true;
        return SSH_AUTH_SUCCESS;
    }
    return SSH_AUTH_NONE;
}

/* ---- analyzer state ---- */

enum side_state { SIDE_BANNER, SIDE_KEX, SIDE_ENCRYPTED };

/* The key exchange families Zeek's parser knows; they say which message carries K_S. */
enum kex_kind { KEX_NONE, KEX_DH, KEX_GEX, KEX_ECC, KEX_GSS, KEX_RSA, KEX_UNKNOWN };

struct ssh_side {
    uint8_t  state;            /* enum side_state */
    uint8_t  version;          /* enum ssh_version of this side's banner */
    uint8_t  pre_lines;
    bool     have_banner;
    bool     kexinit_seen;
    uint16_t banner_len;
    char     banner[SSH_BANNER_MAX + 1];
};

/* Name-lists of a KEXINIT, in wire order: kex, host key, enc c2s, enc s2c, mac c2s, mac s2c,
 * comp c2s, comp s2c. Views into a message or into struct ssh_state's copy. */
struct ssh_lists {
    const char *p[SSH_NLISTS];
    uint32_t    len[SSH_NLISTS];
};

struct ssh_state {
    struct ssh_side side[2];
    struct ssh_auth auth;
    int8_t   first_kex_dir;     /* the side whose KEXINIT is stored, -1 before any */
    uint16_t first_off[SSH_NLISTS], first_len[SSH_NLISTS];
    char     first_buf[SSH_LISTS_MAX];
    uint8_t  kex;               /* enum kex_kind, once both KEXINITs are in */
    bool     have_info;         /* Zeek's c$ssh exists: a banner or a confirmation was seen */
    bool     logged;
    bool     stopped;           /* after a gap or a successful login: ignore the rest */
    bool     confirmed;
    bool     have_algs;
    bool     have_fp;
    bool     have_auth;
    bool     auth_success;
    uint64_t auth_attempts;
    pw_time  ts;
    char     cipher[SSH_ALG_MAX], mac[SSH_ALG_MAX], comp[SSH_ALG_MAX];
    char     kex_alg[SSH_ALG_MAX], host_key_alg[SSH_ALG_MAX];
    char     fp[SSH_FP_LEN + 1];
};

static const struct ssh_side *client_side(const struct ssh_state *st)
{
    return &st->side[FLOW_DIR_ORIG];
}

static const struct ssh_side *server_side(const struct ssh_state *st)
{
    return &st->side[FLOW_DIR_RESP];
}

static enum ssh_version conn_version(const struct ssh_state *st)
{
    return ssh_conn_version((enum ssh_version)client_side(st)->version,
                            (enum ssh_version)server_side(st)->version);
}

/* Zeek's set_session: the row starts to exist at the first SSH event. */
static void set_info(struct session *s, struct ssh_state *st)
{
    if (st->have_info)
        return;
    st->have_info = true;
    st->ts = session_now(s);
}

static bool compressed(const struct ssh_state *st)
{
    return st->have_algs && (strcmp(st->comp, "zlib") == 0 || strcmp(st->comp, "zlib@openssh.com") == 0);
}

static void mark_str(struct ssh_record *r, struct log_str *f, unsigned i, const char *s, size_t len)
{
    *f = log_str_from(s, len);
    log_mark(&r->log_set, i);
}

static void ssh_write_log(struct session *s, struct ssh_state *st)
{
    struct ssh_record r;
    const struct ssh_side *c = client_side(st), *sv = server_side(st);
    bool lo, ro;

    if (!st->have_info || st->logged)
        return;
    st->logged = true;
    memset(&r, 0, sizeof(r));
    r.ts = st->ts;
    session_conn_id(s, &r.uid, &r.id);
    if (ssh_log_version(c->have_banner ? c->banner : NULL, c->banner_len,
                        sv->have_banner ? sv->banner : NULL, sv->banner_len, &r.version))
        log_mark(&r.log_set, SSH_F_VERSION);
    if (st->have_auth) {
        r.auth_success = st->auth_success;
        log_mark(&r.log_set, SSH_F_AUTH_SUCCESS);
    }
    r.auth_attempts = st->auth_attempts;
    lo = site_is_local(&r.id.orig_h);
    ro = site_is_local(&r.id.resp_h);
    if (lo != ro)
        mark_str(&r, &r.direction, SSH_F_DIRECTION, lo ? "OUTBOUND" : "INBOUND", lo ? 8 : 7);
    if (c->have_banner)
        mark_str(&r, &r.client, SSH_F_CLIENT, c->banner, c->banner_len);
    if (sv->have_banner)
        mark_str(&r, &r.server, SSH_F_SERVER, sv->banner, sv->banner_len);
    if (st->have_algs) {
        mark_str(&r, &r.cipher_alg, SSH_F_CIPHER_ALG, st->cipher, strlen(st->cipher));
        mark_str(&r, &r.mac_alg, SSH_F_MAC_ALG, st->mac, strlen(st->mac));
        mark_str(&r, &r.compression_alg, SSH_F_COMPRESSION_ALG, st->comp, strlen(st->comp));
        mark_str(&r, &r.kex_alg, SSH_F_KEX_ALG, st->kex_alg, strlen(st->kex_alg));
        mark_str(&r, &r.host_key_alg, SSH_F_HOST_KEY_ALG, st->host_key_alg, strlen(st->host_key_alg));
    }
    if (st->have_fp)
        mark_str(&r, &r.host_key_fingerprint, SSH_F_HOST_KEY_FINGERPRINT, st->fp, SSH_FP_LEN);
    session_log(s, &ssh_log_schema, &r);
}

/* Gives the flow up: the row is written first, as Zeek's finalize hook still would. */
static struct parse_result ssh_fail(struct session *s, struct ssh_state *st, enum weird_id w,
                                    const char *why, const uint8_t *data, size_t len)
{
    struct parse_result r = { PARSE_OK, (uint32_t)len, 0 };

    session_weird(s, w, NULL);
    ssh_write_log(s, st);
    st->stopped = true;
    session_violation(s, why, data, len < 40 ? len : 40);
    return r;
}

/* ---- banners ---- */

static bool has_ssh_prefix(const uint8_t *p, size_t len)
{
    return len >= 4 && (p[0] | 0x20) == 's' && (p[1] | 0x20) == 's' && (p[2] | 0x20) == 'h' && p[3] == '-';
}

static struct parse_result banner(struct session *s, struct ssh_state *st, enum flow_dir dir,
                                  const uint8_t *data, size_t len)
{
    struct ssh_side *sd = &st->side[dir];
    struct parse_result r = { PARSE_OK, 0, 0 };
    const uint8_t *nl = memchr(data, '\n', len < SSH_LINE_MAX ? len : SSH_LINE_MAX);
    size_t n;

    if (nl == NULL) {
        if (len >= SSH_LINE_MAX)
            return ssh_fail(s, st, WEIRD_SSH_MALFORMED_IDENTIFICATION, "malformed ssh identification",
                            data, len);
        return r;
    }
    n = (size_t)(nl - data);
    r.consumed = (uint32_t)n + 1;
    if (n > 0 && data[n - 1] == '\r')
        n--;
    if (!has_ssh_prefix(data, n)) {
        /* RFC 4253 4.2 lets a server print lines before its identification. */
        if (dir == FLOW_DIR_RESP && sd->pre_lines < SSH_PRE_LINES) {
            sd->pre_lines++;
            return r;
        }
        return ssh_fail(s, st, WEIRD_SSH_MALFORMED_IDENTIFICATION, "malformed ssh identification", data, n);
    }
    set_info(s, st);
    sd->banner_len = (uint16_t)(n < SSH_BANNER_MAX ? n : SSH_BANNER_MAX);
    memcpy(sd->banner, data, sd->banner_len);
    sd->banner[sd->banner_len] = '\0';
    sd->have_banner = true;
    sd->version = (uint8_t)ssh_banner_version(sd->banner, sd->banner_len);
    sd->state = SIDE_KEX;
    return r;
}

/* ---- SSH2 key exchange ---- */

/* Reads one SSH string at *off within [0, len); false when it runs past the end. */
static bool read_string(const uint8_t *p, size_t len, size_t *off, const uint8_t **s, uint32_t *slen)
{
    uint32_t n;

    if (len - *off < 4)
        return false;
    n = rd_be32(p + *off);
    if (n > len - *off - 4)
        return false;
    *s = p + *off + 4;
    *slen = n;
    *off += 4 + (size_t)n;
    return true;
}

static bool parse_kexinit(const uint8_t *body, size_t len, struct ssh_lists *l)
{
    size_t off = 16;   /* cookie */
    const uint8_t *s;
    uint32_t n;

    if (len < off)
        return false;
    for (int i = 0; i < 10; i++) {
        if (!read_string(body, len, &off, &s, &n))
            return false;
        if (i < SSH_NLISTS) {
            l->p[i] = (const char *)s;
            l->len[i] = n;
        }
    }
    return true;
}

/* Keeps the first KEXINIT's lists; a list that does not fit keeps its leading whole names. */
static void store_first(struct ssh_state *st, enum flow_dir dir, const struct ssh_lists *l)
{
    size_t used = 0;

    st->first_kex_dir = (int8_t)dir;
    for (int i = 0; i < SSH_NLISTS; i++) {
        size_t room = sizeof(st->first_buf) - used, n = l->len[i];

        if (n > room) {
            n = room;
            while (n > 0 && l->p[i][n] != ',')
                n--;
        }
        memcpy(st->first_buf + used, l->p[i], n);
        st->first_off[i] = (uint16_t)used;
        st->first_len[i] = (uint16_t)n;
        used += n;
    }
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static enum kex_kind kex_kind_of(const char *k)
{
    if (strcmp(k, "rsa1024-sha1") == 0 || strcmp(k, "rsa2048-sha256") == 0)
        return KEX_RSA;
    if (strcmp(k, "diffie-hellman-group-exchange-sha1") == 0 ||
        strcmp(k, "diffie-hellman-group-exchange-sha256") == 0)
        return KEX_GEX;
    if (starts(k, "diffie-hellman-group"))
        return KEX_DH;
    if (starts(k, "gss-"))
        return KEX_GSS;
    if (starts(k, "ecdh-sha2-") || strcmp(k, "ecmqv-sha2") == 0 || starts(k, "curve25519-sha256") ||
        starts(k, "curve448-sha512") || starts(k, "sntrup761x25519-sha512") || starts(k, "mlkem"))
        return KEX_ECC;
    return KEX_UNKNOWN;
}

/* Both KEXINITs are in: Zeek's ssh_capabilities handler and the parser's kex state. */
static void negotiate(struct session *s, struct ssh_state *st, const struct ssh_lists *cur, enum flow_dir dir)
{
    struct ssh_lists first, cl, sl;
    const char *name = NULL;
    size_t n;

    for (int i = 0; i < SSH_NLISTS; i++) {
        first.p[i] = st->first_buf + st->first_off[i];
        first.len[i] = st->first_len[i];
    }
    cl = dir == FLOW_DIR_ORIG ? *cur : first;
    sl = dir == FLOW_DIR_ORIG ? first : *cur;
    ssh_bidir_alg_text(cl.p[2], cl.len[2], sl.p[2], sl.len[2], cl.p[3], cl.len[3], sl.p[3], sl.len[3],
                       st->cipher, sizeof(st->cipher));
    ssh_bidir_alg_text(cl.p[4], cl.len[4], sl.p[4], sl.len[4], cl.p[5], cl.len[5], sl.p[5], sl.len[5],
                       st->mac, sizeof(st->mac));
    ssh_bidir_alg_text(cl.p[6], cl.len[6], sl.p[6], sl.len[6], cl.p[7], cl.len[7], sl.p[7], sl.len[7],
                       st->comp, sizeof(st->comp));
    ssh_alg_text(cl.p[0], cl.len[0], sl.p[0], sl.len[0], st->kex_alg, sizeof(st->kex_alg));
    ssh_alg_text(cl.p[1], cl.len[1], sl.p[1], sl.len[1], st->host_key_alg, sizeof(st->host_key_alg));
    st->have_algs = true;

    n = ssh_find_alg(cl.p[0], cl.len[0], sl.p[0], sl.len[0], &name);
    if (n == 0)
        return;   /* no common kex: Zeek's parser stays in KEX_INIT */
    st->kex = (uint8_t)kex_kind_of(st->kex_alg);
    if (st->kex == KEX_UNKNOWN)
        session_weird(s, WEIRD_SSH_UNKNOWN_KEX_ALGORITHM, st->kex_alg);
}

static void on_kexinit(struct session *s, struct ssh_state *st, enum flow_dir dir, const uint8_t *body,
                       size_t len)
{
    struct ssh_side *sd = &st->side[dir];
    struct ssh_lists l;

    if (sd->kexinit_seen)
        return;   /* rekeying happens encrypted; a repeat in cleartext changes nothing in Zeek */
    if (!parse_kexinit(body, len, &l)) {
        session_weird(s, WEIRD_SSH_MALFORMED_PACKET, "KEXINIT");
        return;
    }
    sd->kexinit_seen = true;
    if (st->first_kex_dir < 0)
        store_first(st, dir, &l);
    else if (st->first_kex_dir != (int8_t)dir)
        negotiate(s, st, &l, dir);
}

/* The message that opens with the server's host key blob K_S, for the negotiated kex. */
static bool carries_host_key(const struct ssh_state *st, uint8_t type)
{
    switch (st->kex) {
    case KEX_DH:
    case KEX_ECC:
        return type == 31;   /* KEXDH_REPLY, KEX_ECDH_REPLY */
    case KEX_GEX:
    case KEX_GSS:
        return type == 33;   /* KEX_DH_GEX_REPLY, KEXGSS_HOSTKEY */
    default:
        return false;
    }
}

static void on_host_key(struct ssh_state *st, const uint8_t *body, size_t len)
{
    size_t off = 0;
    const uint8_t *k;
    uint32_t klen;

    if (read_string(body, len, &off, &k, &klen) && ssh_fingerprint(k, klen, st->fp))
        st->have_fp = true;
}

static void confirm(struct session *s, struct ssh_state *st)
{
    set_info(s, st);
    if (!st->confirmed) {
        st->confirmed = true;
        session_confirm(s);
    }
}

static struct parse_result packet2(struct session *s, struct ssh_state *st, enum flow_dir dir,
                                   const uint8_t *data, size_t len)
{
    struct parse_result r = { PARSE_OK, 0, 0 };
    uint32_t plen;
    uint8_t pad, type;
    const uint8_t *body;
    size_t blen;

    if (len < 6) {
        r.needed = 6;
        return r;
    }
    plen = rd_be32(data);
    pad = data[4];
    if (plen > SSH_PACKET_MAX || (uint32_t)pad + 2 > plen)
        return ssh_fail(s, st, WEIRD_SSH_MALFORMED_PACKET, "malformed ssh packet", data, len);
    if (len < 4 + (size_t)plen) {
        r.needed = 4 + plen;
        return r;
    }
    r.consumed = 4 + plen;
    type = data[5];
    body = data + 6;
    blen = plen - pad - 2;
    if (type == MSG_KEXINIT)
        on_kexinit(s, st, dir, body, blen);
    else if (type == MSG_NEWKEYS) {
        st->side[dir].state = SIDE_ENCRYPTED;
        confirm(s, st);
    } else if (carries_host_key(st, type))
        on_host_key(st, body, blen);
    return r;
}

/* SSH1: length, 1-8 bytes of padding, type. Zeek goes encrypted after each side's first one. */
static struct parse_result packet1(struct session *s, struct ssh_state *st, enum flow_dir dir,
                                   const uint8_t *data, size_t len)
{
    struct parse_result r = { PARSE_OK, 0, 0 };
    uint32_t plen, total;

    if (len < 4) {
        r.needed = 4;
        return r;
    }
    plen = rd_be32(data);
    if (plen < 5 || plen > SSH_PACKET_MAX)
        return ssh_fail(s, st, WEIRD_SSH_MALFORMED_PACKET, "malformed ssh packet", data, len);
    total = 4 + plen + (8 - plen % 8);
    if (len < total) {
        r.needed = total;
        return r;
    }
    r.consumed = total;
    st->side[dir].state = SIDE_ENCRYPTED;
    if (dir == FLOW_DIR_ORIG && data[4 + (8 - plen % 8)] == SSH1_CMSG_SESSION_KEY)
        confirm(s, st);
    return r;
}

/* ---- encrypted traffic: Zeek's size heuristic ---- */

static void encrypted(struct session *s, struct ssh_state *st, enum flow_dir dir, size_t len)
{
    enum ssh_auth_event ev;

    if (st->auth.decided || conn_version(st) != SSH_VER_2)
        return;
    ev = ssh_auth_segment(&st->auth, dir == FLOW_DIR_ORIG, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
    if (ev == SSH_AUTH_NONE)
        return;
    /* ssh_auth_attempted: compression hides the sizes, so the guess is not recorded then. */
    if (!(st->have_auth && st->auth_success) && !compressed(st)) {
        st->have_auth = true;
        st->auth_success = ev == SSH_AUTH_SUCCESS;
        st->auth_attempts++;
    }
    if (ev == SSH_AUTH_SUCCESS) {
        ssh_write_log(s, st);
        st->stopped = true;   /* Zeek detaches the analyzer after a login */
    }
}

/* ---- analyzer entry points ---- */

static struct parse_result ssh_parse(struct session *s, void *state, enum flow_dir dir,
                                     const uint8_t *data, size_t len)
{
    struct ssh_state *st = state;
    struct ssh_side *sd = &st->side[dir];
    struct parse_result all = { PARSE_OK, (uint32_t)len, 0 };
    enum ssh_version v;

    if (st->stopped)
        return all;
    switch (sd->state) {
    case SIDE_BANNER:
        return banner(s, st, dir, data, len);
    case SIDE_KEX:
        v = conn_version(st);
        /* Before the peer's banner, this side's own version says how it frames packets. */
        if (v == SSH_VER_UNK && !st->side[!dir].have_banner)
            v = sd->version == SSH_VER_199 ? SSH_VER_2 : (enum ssh_version)sd->version;
        if (v == SSH_VER_2)
            return packet2(s, st, dir, data, len);
        if (v == SSH_VER_1)
            return packet1(s, st, dir, data, len);
        return all;   /* 1 against 2: Zeek's parser cannot frame it either */
    default:
        encrypted(s, st, dir, len);
        return all;
    }
}

static void ssh_gap(struct session *s, void *state, enum flow_dir dir, uint64_t len)
{
    struct ssh_state *st = state;

    /* Zeek stops parsing both sides after any content gap. */
    st->stopped = true;
}

static void ssh_init(struct session *s, void *state)
{
    struct ssh_state *st = state;

    st->first_kex_dir = -1;
}

static void ssh_end(struct session *s, void *state)
{
    ssh_write_log(s, state);
}

/* "SSH-" then a major version 1 or 2 and a dot, as Zeek's DPD signature (case-insensitive name). */
static enum probe_result banner_prefix(const uint8_t *p, size_t len)
{
    static const char want[] = "ssh-";

    for (size_t i = 0; i < 6; i++) {
        if (i >= len)
            return PROBE_NEED_MORE;
        if (i < 3 && (p[i] | 0x20) != want[i])
            return PROBE_NO;
        if (i == 3 && p[i] != '-')
            return PROBE_NO;
        if (i == 4 && p[i] != '1' && p[i] != '2')
            return PROBE_NO;
        if (i == 5 && p[i] != '.')
            return PROBE_NO;
    }
    return PROBE_YES;
}

static bool printable_line(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((p[i] < 0x20 || p[i] > 0x7e) && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

static enum probe_result ssh_probe(const uint8_t *data, size_t len, enum flow_dir dir, unsigned transport)
{
    size_t off = 0;

    if (transport != TRANSPORT_TCP)
        return PROBE_NO;
    for (unsigned lines = 0;; lines++) {
        enum probe_result r = banner_prefix(data + off, len - off);
        const uint8_t *nl;

        if (r != PROBE_NO || dir == FLOW_DIR_ORIG)
            return r;
        /* A server's text lines before its banner. */
        nl = memchr(data + off, '\n', len - off);
        if (lines >= SSH_PRE_LINES || !printable_line(data + off, nl ? (size_t)(nl - data) - off : len - off))
            return PROBE_NO;
        if (nl == NULL || (size_t)(nl - data) + 1 == len)
            return PROBE_NEED_MORE;
        off = (size_t)(nl - data) + 1;
    }
}

static const uint16_t ssh_ports[] = { 22, 0 };

static const struct log_schema *const ssh_logs[] = { &ssh_log_schema, NULL };

const struct analyzer ssh_analyzer = {
    .name        = "ssh",
    .zeek_name   = "SSH",
    .transports  = TRANSPORT_TCP,
    .port_hints  = ssh_ports,
    .probe_limit = 512,
    .max_pending = 4 + SSH_PACKET_MAX + 8,
    .state_size  = sizeof(struct ssh_state),
    .probe       = ssh_probe,
    .init        = ssh_init,
    .parse       = ssh_parse,
    .gap         = ssh_gap,
    .end         = ssh_end,
    .logs        = ssh_logs,
};
