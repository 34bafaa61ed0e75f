/* proto/tls.c - the TLS analyzer: probe, record layer, handshake state and ssl.log as Zeek 9
 * writes it, plus ja3/ja3s/ja4/ech after Zeek's columns. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "files/files.h"
#include "proto/analyzer.h"
#include "proto/session.h"
#include "proto/tls_int.h"
#include "util/bytes.h"

#define TLS_REC_HDR       5
#define TLS_REC_MAX       (16384 + 2048)   /* ciphertext expansion limit of RFC 5246 6.2.3 */
#define TLS_SCRATCH       5120             /* messages and certificates split across records */
#define TLS_MAX_CERTS     10               /* per side, as fingerprints */
#define TLS_HISTORY_MAX   100              /* SSL::max_ssl_history_length */
#define TLS_FP_HEX        64

#define R struct tls_record
#define OPT LOG_OPTIONAL

static const struct log_field tls_log_fields[TLS_F_COUNT] = {
    LOG_COMMON_FIELDS(R),
    [TLS_F_VERSION]     = LOG_FIELD(R, version, "version", LOG_STRING, OPT),
    [TLS_F_CIPHER]      = LOG_FIELD(R, cipher, "cipher", LOG_STRING, OPT),
    [TLS_F_CURVE]       = LOG_FIELD(R, curve, "curve", LOG_STRING, OPT),
    [TLS_F_SERVER_NAME] = LOG_FIELD(R, server_name, "server_name", LOG_STRING, OPT),
    [TLS_F_RESUMED]     = LOG_FIELD(R, resumed, "resumed", LOG_BOOL, 0),
    [TLS_F_LAST_ALERT]  = LOG_FIELD(R, last_alert, "last_alert", LOG_STRING, OPT),
    [TLS_F_NEXT_PROTOCOL] = LOG_FIELD(R, next_protocol, "next_protocol", LOG_STRING, OPT),
    [TLS_F_ESTABLISHED] = LOG_FIELD(R, established, "established", LOG_BOOL, 0),
    [TLS_F_SSL_HISTORY] = LOG_FIELD(R, ssl_history, "ssl_history", LOG_STRING, 0),
    [TLS_F_CERT_CHAIN_FPS] = LOG_FIELD(R, cert_chain_fps, "cert_chain_fps", LOG_VEC_STRING, OPT),
    [TLS_F_CLIENT_CERT_CHAIN_FPS] =
        LOG_FIELD(R, client_cert_chain_fps, "client_cert_chain_fps", LOG_VEC_STRING, OPT),
    [TLS_F_SNI_MATCHES_CERT] = LOG_FIELD(R, sni_matches_cert, "sni_matches_cert", LOG_BOOL, OPT),
    [TLS_F_JA3]         = LOG_FIELD(R, ja3, "ja3", LOG_STRING, OPT),
    [TLS_F_JA3S]        = LOG_FIELD(R, ja3s, "ja3s", LOG_STRING, OPT),
    [TLS_F_JA4]         = LOG_FIELD(R, ja4, "ja4", LOG_STRING, OPT),
    [TLS_F_ECH]         = LOG_FIELD(R, ech, "ech", LOG_BOOL, OPT),
};

#undef R
#undef OPT

_Static_assert(TLS_F_RESP_P == 5 && TLS_F_VERSION == 6, "LOG_COMMON_FIELDS fills indexes 0-5");

const struct log_schema tls_log_schema = LOG_SCHEMA("ssl", tls_log_fields);

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23, CT_HEARTBEAT = 24 };

enum {
    HS_HELLO_REQUEST = 0, HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_HELLO_VERIFY = 3,
    HS_SESSION_TICKET = 4, HS_END_OF_EARLY_DATA = 5, HS_HELLO_RETRY = 6, HS_ENCRYPTED_EXTS = 8,
    HS_CERTIFICATE = 11, HS_SERVER_KEY_EXCHANGE = 12, HS_CERT_REQUEST = 13, HS_SERVER_HELLO_DONE = 14,
    HS_CERT_VERIFY = 15, HS_CLIENT_KEY_EXCHANGE = 16, HS_FINISHED = 20, HS_CERT_URL = 21,
    HS_CERT_STATUS = 22, HS_SUPPLEMENTAL = 23, HS_KEY_UPDATE = 24, HS_MESSAGE_HASH = 254,
};

enum scratch_owner { SCRATCH_FREE, SCRATCH_MSG_ORIG, SCRATCH_MSG_RESP, SCRATCH_CERT_ORIG, SCRATCH_CERT_RESP };

/* One direction's handshake byte stream, which may run across records. */
struct tls_dir {
    bool     encrypted;
    uint32_t skip;            /* body bytes of the current record still to pass over */
    uint8_t  hdr[4];
    uint8_t  hdr_have;
    uint8_t  type;
    uint32_t body_len;
    uint32_t body_have;
    bool     buffering;       /* the message body goes to scratch */
    bool     lost;            /* a message too large to hold: logged once, skipped */
    /* inside a Certificate message */
    uint8_t  cstate;          /* 0: list length, 1: cert length, 2: cert body */
    uint8_t  clen[3];
    uint8_t  clen_have;
    uint32_t cert_len;
    uint32_t cert_have;
    bool     cert_buffering;
    uint8_t  n_fps;
    char     fps[TLS_MAX_CERTS][TLS_FP_HEX + 1];
};

struct tls_state {
    struct tls_dir dir[2];
    enum flow_dir  client;        /* the side that sent the ClientHello */
    bool     have_info;           /* some SSL event happened: c$ssl exists */
    bool     logged;
    bool     stopped;             /* after a gap, establishment or violation: ignore data */
    bool     first_record[2];
    bool     established;
    bool     certs_seen;          /* both fp vectors exist (Zeek's quirk) */
    bool     hrr_seen;
    bool     resumed;
    bool     client_psk, client_ticket_empty_sid, client_kex_seen;
    bool     ech, have_ch, have_sh, sni_checked, sni_matches;
    uint16_t version_num;         /* 0 = unset */
    uint16_t cipher;
    bool     have_curve;
    uint16_t curve;
    pw_time  ts;
    uint8_t  session_id_len;
    uint8_t  session_id[32];
    uint8_t  alert;
    bool     have_alert;
    uint16_t sni_len;
    char     sni[TLS_SNI_MAX + 1];
    uint8_t  alpn_len;
    char     alpn[TLS_ALPN_MAX];
    char     ja3[TLS_JA3_LEN], ja3s[TLS_JA3_LEN], ja4[TLS_JA4_LEN];
    uint8_t  hist_len;
    char     history[TLS_HISTORY_MAX];
    uint8_t  scratch_owner;
    uint8_t  scratch[TLS_SCRATCH];
};

_Static_assert(sizeof(struct tls_state) <= 8192, "TLS state fits the 8 KiB analyzer state class");

static void info(struct session *s, struct tls_state *st)
{
    if (!st->have_info) {
        st->have_info = true;
        st->ts = session_now(s);
    }
}

static bool is_client(const struct tls_state *st, enum flow_dir dir)
{
    return dir == st->client;
}

static void history(struct session *s, struct tls_state *st, enum flow_dir dir, char c)
{
    info(s, st);
    if (st->hist_len == TLS_HISTORY_MAX)
        return;
    st->history[st->hist_len++] = is_client(st, dir) && c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
    if (st->hist_len == TLS_HISTORY_MAX)
        session_weird(s, WEIRD_SSL_MAX_HISTORY, "100");
}

/* TLS 1.3 and its drafts: the versions Zeek does not list as older ones. */
static bool negotiated_13(const struct tls_state *st)
{
    uint16_t v = st->version_num;

    return st->have_sh && v != TLS_V_SSL2 && v != TLS_V_SSL3 && v != TLS_V_TLS10 &&
           v != TLS_V_TLS11 && v != TLS_V_TLS12;
}

/* ---- ssl.log ---- */

static void tls_write_log(struct session *s, struct tls_state *st)
{
    struct tls_record   r;
    struct log_str      fps[2][TLS_MAX_CERTS];
    char                vbuf[TLS_NAME_BUF], cbuf[TLS_NAME_BUF], gbuf[TLS_NAME_BUF], abuf[TLS_NAME_BUF];
    const char         *name;
    const struct tls_dir *srv = &st->dir[!st->client], *cli = &st->dir[st->client];

    if (!st->have_info || st->logged)
        return;
    st->logged = true;
    memset(&r, 0, sizeof(r));
    r.ts = st->ts;
    session_conn_id(s, &r.uid, &r.id);
    if (st->version_num != 0) {
        name = tls_names_version(st->version_num, vbuf, sizeof(vbuf));
        r.version = log_str_from(name, strlen(name));
        log_mark(&r.log_set, TLS_F_VERSION);
    }
    if (st->have_sh) {
        name = tls_names_cipher(st->cipher, cbuf, sizeof(cbuf));
        r.cipher = log_str_from(name, strlen(name));
        log_mark(&r.log_set, TLS_F_CIPHER);
    }
    if (st->have_curve) {
        name = tls_names_curve(st->curve, gbuf, sizeof(gbuf));
        r.curve = log_str_from(name, strlen(name));
        log_mark(&r.log_set, TLS_F_CURVE);
    }
    if (st->sni_len > 0) {
        r.server_name = log_str_from(st->sni, st->sni_len);
        log_mark(&r.log_set, TLS_F_SERVER_NAME);
    }
    r.resumed = st->resumed;
    if (st->have_alert) {
        name = tls_names_alert(st->alert, abuf, sizeof(abuf));
        r.last_alert = log_str_from(name, strlen(name));
        log_mark(&r.log_set, TLS_F_LAST_ALERT);
    }
    if (st->alpn_len > 0) {
        r.next_protocol = log_str_from(st->alpn, st->alpn_len);
        log_mark(&r.log_set, TLS_F_NEXT_PROTOCOL);
    }
    r.established = st->established;
    r.ssl_history = log_str_from(st->history, st->hist_len);
    if (st->certs_seen) {
        for (unsigned i = 0; i < srv->n_fps; i++)
            fps[0][i] = log_str_from(srv->fps[i], TLS_FP_HEX);
        for (unsigned i = 0; i < cli->n_fps; i++)
            fps[1][i] = log_str_from(cli->fps[i], TLS_FP_HEX);
        r.cert_chain_fps.items = fps[0];
        r.cert_chain_fps.n = srv->n_fps;
        r.client_cert_chain_fps.items = fps[1];
        r.client_cert_chain_fps.n = cli->n_fps;
        log_mark(&r.log_set, TLS_F_CERT_CHAIN_FPS);
        log_mark(&r.log_set, TLS_F_CLIENT_CERT_CHAIN_FPS);
    }
    if (st->sni_checked) {
        r.sni_matches_cert = st->sni_matches;
        log_mark(&r.log_set, TLS_F_SNI_MATCHES_CERT);
    }
    if (st->ja3[0] != '\0') {
        r.ja3 = log_str_from(st->ja3, strlen(st->ja3));
        log_mark(&r.log_set, TLS_F_JA3);
    }
    if (st->ja3s[0] != '\0') {
        r.ja3s = log_str_from(st->ja3s, strlen(st->ja3s));
        log_mark(&r.log_set, TLS_F_JA3S);
    }
    if (st->ja4[0] != '\0') {
        r.ja4 = log_str_from(st->ja4, strlen(st->ja4));
        log_mark(&r.log_set, TLS_F_JA4);
    }
    if (st->have_ch) {
        r.ech = st->ech;
        log_mark(&r.log_set, TLS_F_ECH);
    }
    session_log(s, &tls_log_schema, &r);
}

/* Writes the row, then gives the flow up as Zeek's DPD does. The state is gone afterwards. */
static struct parse_result tls_fail(struct session *s, struct tls_state *st, const char *why,
                                    const uint8_t *data, size_t len)
{
    struct parse_result r = { PARSE_OK, (uint32_t)len, 0 };

    tls_write_log(s, st);
    st->stopped = true;
    session_violation(s, why, data, len);
    return r;
}

/* ---- handshake messages ---- */

static void on_client_hello(struct session *s, struct tls_state *st, enum flow_dir dir,
                            const struct tls_client_hello *ch)
{
    info(s, st);
    if (dir != FLOW_DIR_ORIG && !st->have_ch) {
        /* Zeek's ssl_connection_flipped: the responder is the client */
        st->client = dir;
        if (st->hist_len < TLS_HISTORY_MAX)
            st->history[st->hist_len++] = '^';
    }
    st->have_ch = true;
    st->ech = ch->ech;
    st->client_psk = ch->psk;
    if (ch->has_sni && ch->sni_count > 0) {
        memcpy(st->sni, ch->sni, ch->sni_len);
        st->sni_len = ch->sni_len;
        st->sni[st->sni_len] = '\0';
        if (ch->sni_count > 1)
            session_weird(s, WEIRD_SSL_MANY_SERVER_NAMES, NULL);
        session_set_domain(s, st->sni, st->sni_len);
    }
    st->client_ticket_empty_sid = ch->ticket_nonempty;
    st->session_id_len = 0;
    if (ch->session_id_len > 0) {
        static const uint8_t zero[32];

        if (!(ch->session_id_len == 32 && memcmp(ch->session_id, zero, 32) == 0)) {
            st->session_id_len = ch->session_id_len;
            memcpy(st->session_id, ch->session_id, ch->session_id_len);
        }
        st->client_ticket_empty_sid = false;
    }
    if (!ch->v2) {
        tls_fingerprint_ja3(ch, st->ja3);
        tls_fingerprint_ja4(ch, 't', st->ja4);
    }
    session_confirm(s);
}

static void on_server_hello(struct session *s, struct tls_state *st, const struct tls_server_hello *sh)
{
    info(s, st);
    if (sh->selected_version != 0)
        st->version_num = sh->selected_version;
    else if (!st->have_sh || st->version_num == 0)
        st->version_num = sh->version;
    st->have_sh = true;
    st->cipher = sh->cipher;
    if (sh->hrr)
        st->hrr_seen = true;
    if (sh->has_key_share) {
        st->have_curve = true;
        st->curve = sh->key_share_group;
    }
    if (sh->has_alpn) {
        memcpy(st->alpn, sh->alpn, sh->alpn_len);
        st->alpn_len = sh->alpn_len;
    }
    if (sh->psk && st->client_psk)
        st->resumed = true;
    if (st->session_id_len > 0 && sh->session_id_len == st->session_id_len &&
        memcmp(sh->session_id, st->session_id, st->session_id_len) == 0 &&
        (st->version_num >> 8) != 0x7fu && st->version_num != TLS_V_TLS13)
        st->resumed = true;
    tls_fingerprint_ja3s(sh, st->ja3s);
    session_confirm(s);
}

static void on_certificate(struct session *s, struct tls_state *st, enum flow_dir dir,
                           const uint8_t *der, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    struct tls_dir   *d = &st->dir[dir];
    unsigned char     md[EVP_MAX_MD_SIZE];
    unsigned int      mdlen = 0;

    st->certs_seen = true;
    if (d->n_fps == TLS_MAX_CERTS) {
        session_weird(s, WEIRD_SSL_CERT_CHAIN_TOO_LONG, NULL);
        return;
    }
    if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return;
    for (unsigned i = 0; i < 32; i++) {
        d->fps[d->n_fps][2 * i] = hex[md[i] >> 4];
        d->fps[d->n_fps][2 * i + 1] = hex[md[i] & 0xf];
    }
    d->fps[d->n_fps][TLS_FP_HEX] = '\0';
    d->n_fps++;
    if (session_certificate_files(s)) {
        /* Each certificate is a file, as Zeek's X.509 file analysis has it. */
        struct file_ctx *f = session_file_open(s, dir, "SSL", 0, NULL, 0);

        if (f != NULL) {
            file_set_x509(f, d->n_fps == 1);
            file_data(f, session_now(s), der, len);
            file_close(f, session_now(s));
        }
    }
    /* the host certificate is the server's first */
    if (!is_client(st, dir) && d->n_fps == 1 && st->sni_len > 0) {
        const unsigned char *q = der;
        X509 *x = d2i_X509(NULL, &q, (long)len);

        if (x != NULL) {
            st->sni_checked = true;
            st->sni_matches = X509_check_host(x, st->sni, st->sni_len, 0, NULL) == 1;
            X509_free(x);
        }
    }
}

/* Bytes of a Certificate message body: a 3-byte list length, then length-prefixed DER. */
static void cert_feed(struct session *s, struct tls_state *st, enum flow_dir dir, const uint8_t *p, size_t n)
{
    struct tls_dir *d = &st->dir[dir];
    uint8_t         own = dir == FLOW_DIR_ORIG ? SCRATCH_CERT_ORIG : SCRATCH_CERT_RESP;

    while (n > 0) {
        if (d->cstate < 2) {
            d->clen[d->clen_have++] = *p++;
            n--;
            if (d->clen_have < 3)
                continue;
            d->clen_have = 0;
            if (d->cstate == 0) {
                d->cstate = 1;
                continue;
            }
            d->cert_len = rd_be24(d->clen);
            d->cert_have = 0;
            d->cstate = 2;
            d->cert_buffering = false;
            if (d->cert_len == 0)
                d->cstate = 1;
            continue;
        }
        size_t take = d->cert_len - d->cert_have < n ? d->cert_len - d->cert_have : n;

        if (d->cert_have == 0 && take == d->cert_len) {
            on_certificate(s, st, dir, p, take);
        } else {
            if (d->cert_have == 0 && d->cert_len <= TLS_SCRATCH && st->scratch_owner == SCRATCH_FREE) {
                st->scratch_owner = own;
                d->cert_buffering = true;
            } else if (d->cert_have == 0) {
                session_weird(s, WEIRD_SSL_MESSAGE_TOO_LARGE, "certificate");
            }
            if (d->cert_buffering)
                memcpy(st->scratch + d->cert_have, p, take);
            if (d->cert_buffering && d->cert_have + take == d->cert_len) {
                on_certificate(s, st, dir, st->scratch, d->cert_len);
                st->scratch_owner = SCRATCH_FREE;
                d->cert_buffering = false;
            }
        }
        d->cert_have += (uint32_t)take;
        p += take;
        n -= take;
        if (d->cert_have == d->cert_len)
            d->cstate = 1;
    }
}

static const char hs_letters[256] = {
    [HS_HELLO_REQUEST] = 'h', [HS_CLIENT_HELLO] = 'c', [HS_SERVER_HELLO] = 's',
    [HS_HELLO_VERIFY] = 'v', [HS_SESSION_TICKET] = 't', [HS_END_OF_EARLY_DATA] = 'e',
    [HS_HELLO_RETRY] = 'j', [HS_ENCRYPTED_EXTS] = 'o', [HS_CERTIFICATE] = 'x',
    [HS_SERVER_KEY_EXCHANGE] = 'k', [HS_CERT_REQUEST] = 'r', [HS_SERVER_HELLO_DONE] = 'n',
    [HS_CERT_VERIFY] = 'y', [HS_CLIENT_KEY_EXCHANGE] = 'g', [HS_FINISHED] = 'f',
    [HS_CERT_URL] = 'w', [HS_CERT_STATUS] = 'u', [HS_SUPPLEMENTAL] = 'a',
    [HS_KEY_UPDATE] = 'p', [HS_MESSAGE_HASH] = 'm',
};

/* A complete message (body may be NULL when it was not kept). false: a violation was raised. */
static bool on_message(struct session *s, struct tls_state *st, enum flow_dir dir, uint8_t type,
                       const uint8_t *body, size_t len)
{
    char letter = hs_letters[type] ? hs_letters[type] : 'z';

    if (body != NULL && type == HS_CLIENT_HELLO) {
        struct tls_client_hello ch;

        if (tls_handshake_client_hello(body, len, &ch) != 0)
            return false;
        if (!tls_names_version_ok(ch.version))
            return false;
        on_client_hello(s, st, dir, &ch);
    } else if (body != NULL && type == HS_SERVER_HELLO) {
        struct tls_server_hello sh;

        if (tls_handshake_server_hello(body, len, &sh) != 0 || !tls_names_version_ok(sh.version))
            return false;
        on_server_hello(s, st, &sh);
        if (st->hrr_seen) {
            letter = 'j';
            st->hrr_seen = false;
        }
    } else if (body != NULL && type == HS_SERVER_KEY_EXCHANGE && st->have_sh) {
        char        cbuf[TLS_NAME_BUF];
        const char *cn = tls_names_cipher(st->cipher, cbuf, sizeof(cbuf));
        int         curve = strstr(cn, "_ECDH") != NULL ? tls_handshake_ske_curve(body, len) : -1;

        if (curve >= 0) {
            st->have_curve = true;
            st->curve = (uint16_t)curve;
        }
    } else if (type == HS_CLIENT_KEY_EXCHANGE && is_client(st, dir)) {
        st->client_kex_seen = true;
    }
    history(s, st, dir, letter);
    return true;
}

static bool wants_body(uint8_t type)
{
    return type == HS_CLIENT_HELLO || type == HS_SERVER_HELLO || type == HS_SERVER_KEY_EXCHANGE;
}

/* Handshake record payload: messages may span records and records may hold several. */
static bool hs_feed(struct session *s, struct tls_state *st, enum flow_dir dir, const uint8_t *p, size_t n)
{
    struct tls_dir *d = &st->dir[dir];
    uint8_t         own = dir == FLOW_DIR_ORIG ? SCRATCH_MSG_ORIG : SCRATCH_MSG_RESP;

    while (n > 0) {
        if (d->hdr_have < 4) {
            d->hdr[d->hdr_have++] = *p++;
            n--;
            if (d->hdr_have < 4)
                continue;
            d->type = d->hdr[0];
            d->body_len = rd_be24(d->hdr + 1);
            d->body_have = 0;
            d->buffering = false;
            d->cstate = 0;
            d->clen_have = 0;
            if (d->body_len == 0) {
                d->hdr_have = 0;
                if (!on_message(s, st, dir, d->type, p, 0))
                    return false;
            }
            continue;
        }
        size_t take = d->body_len - d->body_have < n ? d->body_len - d->body_have : n;
        bool   done = d->body_have + take == d->body_len;

        if (d->type == HS_CERTIFICATE) {
            cert_feed(s, st, dir, p, take);
            if (done && !on_message(s, st, dir, d->type, NULL, 0))
                return false;
        } else if (!wants_body(d->type)) {
            if (done && !on_message(s, st, dir, d->type, NULL, 0))
                return false;
        } else if (d->body_have == 0 && done) {
            if (!on_message(s, st, dir, d->type, p, take))
                return false;
        } else {
            if (d->body_have == 0) {
                if (d->body_len <= TLS_SCRATCH && st->scratch_owner == SCRATCH_FREE) {
                    st->scratch_owner = own;
                    d->buffering = true;
                } else {
                    session_weird(s, WEIRD_SSL_MESSAGE_TOO_LARGE, "handshake");
                }
            }
            if (d->buffering)
                memcpy(st->scratch + d->body_have, p, take);
            if (done) {
                bool ok = on_message(s, st, dir, d->type, d->buffering ? st->scratch : NULL,
                                     d->buffering ? d->body_len : 0);

                if (d->buffering)
                    st->scratch_owner = SCRATCH_FREE;
                d->buffering = false;
                if (!ok)
                    return false;
            }
        }
        d->body_have += (uint32_t)take;
        p += take;
        n -= take;
        if (done)
            d->hdr_have = 0;
    }
    return true;
}

/* ---- record layer ---- */

static void ciphertext(struct session *s, struct tls_state *st)
{
    if (st->dir[0].encrypted && st->dir[1].encrypted && !st->established) {
        st->established = true;
        info(s, st);
        tls_write_log(s, st);
        /* SSL::disable_analyzer_after_detection: nothing later changes the row */
        st->stopped = true;
    }
}

static void on_ccs(struct session *s, struct tls_state *st, enum flow_dir dir)
{
    history(s, st, dir, 'i');
    if (is_client(st, dir) && st->client_ticket_empty_sid && !st->client_kex_seen)
        st->resumed = true;
    /* TLS 1.3 sends CCS only for middleboxes; its encryption starts with application data */
    if (!negotiated_13(st))
        st->dir[dir].encrypted = true;
}

/* One complete plaintext record. false: violation (the reason in *why). */
static bool record(struct session *s, struct tls_state *st, enum flow_dir dir, uint8_t type,
                   const uint8_t *body, size_t len, const char **why)
{
    switch (type) {
    case CT_CCS:
        on_ccs(s, st, dir);
        return true;
    case CT_ALERT:
        for (size_t i = 0; i + 2 <= len; i += 2) {
            history(s, st, dir, 'l');
            st->alert = body[i + 1];
            st->have_alert = true;
        }
        return true;
    case CT_HANDSHAKE:
        if (!hs_feed(s, st, dir, body, len)) {
            *why = "Invalid handshake message";
            return false;
        }
        return true;
    case CT_APPDATA:
        info(s, st);
        if (st->version_num != 0 && !st->established)
            session_weird(s, WEIRD_SSL_EARLY_APPLICATION_DATA, NULL);
        return true;
    case CT_HEARTBEAT:
        history(s, st, dir, 'b');
        return true;
    default:
        *why = "unknown SSL record type";
        return false;
    }
}

static bool record_version_ok(uint16_t v)
{
    return v == TLS_V_SSL3 || v == TLS_V_TLS10 || v == TLS_V_TLS11 || v == TLS_V_TLS12;
}

static struct parse_result tls_parse(struct session *s, void *state, enum flow_dir dir,
                                     const uint8_t *data, size_t len)
{
    struct tls_state   *st = state;
    struct tls_dir     *d = &st->dir[dir];
    struct parse_result r = { PARSE_OK, 0, 0 };
    size_t              off = 0;
    const char         *why = NULL;
    char                reason[96];

    if (st->stopped) {
        r.consumed = (uint32_t)len;
        return r;
    }
    while (off < len) {
        const uint8_t *h = data + off;
        size_t         avail = len - off;
        uint16_t       ver;
        uint32_t       rlen;
        uint8_t        type;

        if (d->skip > 0) {
            size_t take = d->skip < avail ? d->skip : avail;

            d->skip -= (uint32_t)take;
            off += take;
            continue;
        }
        /* An SSLv2-compatible CLIENT-HELLO can only open the client's stream. */
        if (!st->first_record[dir] && dir == FLOW_DIR_ORIG && (h[0] & 0x80u)) {
            struct tls_client_hello ch;

            if (avail < 2) {
                r.needed = 2;
                break;
            }
            rlen = ((uint32_t)(h[0] & 0x7fu) << 8) | h[1];
            if (avail < 2 + rlen) {
                r.needed = 2 + rlen;
                break;
            }
            st->first_record[dir] = true;
            if (tls_handshake_v2_client_hello(h + 2, rlen, &ch) != 0 || !tls_names_version_ok(ch.version))
                return tls_fail(s, st, "Invalid version in SSL client hello", h, avail);
            on_client_hello(s, st, dir, &ch);
            history(s, st, dir, 'c');
            off += 2 + rlen;
            continue;
        }
        if (avail < TLS_REC_HDR) {
            r.needed = TLS_REC_HDR;
            break;
        }
        type = h[0];
        ver = rd_be16(h + 1);
        rlen = rd_be16(h + 3);
        if (!record_version_ok(ver)) {
            snprintf(reason, sizeof(reason), st->first_record[dir] || st->first_record[!dir]
                         ? "Invalid version late in TLS connection. Packet reported version: %u"
                         : "Invalid version in TLS connection. Version: %u", (unsigned)ver);
            return tls_fail(s, st, reason, h, avail);
        }
        if (!st->first_record[dir] && (type < 20 || type > 30)) {
            snprintf(reason, sizeof(reason), "Invalid type in TLS connection. Version: %u, Type: %u",
                     (unsigned)ver, (unsigned)type);
            return tls_fail(s, st, reason, h, avail);
        }
        if (rlen > TLS_REC_MAX)
            return tls_fail(s, st, "TLS record too long", h, avail);
        st->first_record[dir] = true;

        if (!d->encrypted && type == CT_APPDATA && negotiated_13(st))
            d->encrypted = true;
        if (d->encrypted) {
            off += TLS_REC_HDR;
            d->skip = rlen;
            ciphertext(s, st);
            if (st->stopped) {
                r.consumed = (uint32_t)len;
                return r;
            }
            continue;
        }
        if (avail < TLS_REC_HDR + rlen) {
            r.needed = TLS_REC_HDR + rlen;
            break;
        }
        if (!record(s, st, dir, type, h + TLS_REC_HDR, rlen, &why))
            return tls_fail(s, st, why, h, avail);
        off += TLS_REC_HDR + rlen;
    }
    r.consumed = (uint32_t)off;
    return r;
}

static void tls_gap(struct session *s, void *state, enum flow_dir dir, uint64_t len)
{
    struct tls_state *st = state;

    /* Zeek's SSL analyzer stops delivering both sides after any content gap. */
    st->stopped = true;
}

static void tls_init(struct session *s, void *state)
{
    struct tls_state *st = state;

    st->client = FLOW_DIR_ORIG;
}

static void tls_end(struct session *s, void *state)
{
    tls_write_log(s, state);
}

/* ---- probe ---- */

static bool hello_version_ok(uint8_t hi, uint8_t lo, bool server)
{
    if (hi == 0x03)
        return lo <= (server ? 0x04 : 0x03);
    return server && hi == 0x7f;
}

/* A handshake record carrying a ClientHello (orig) or ServerHello (resp) starting at p. */
static enum probe_result probe_handshake(const uint8_t *p, size_t len, bool server)
{
    static const uint8_t min_len[2] = { 38, 36 };
    uint8_t              want = server ? 2 : 1;

    if (len >= 1 && p[0] != 0x16)
        return PROBE_NO;
    if (len >= 2 && p[1] != 0x03)
        return PROBE_NO;
    if (len >= 3 && p[2] > 0x04)
        return PROBE_NO;
    if (len >= 5 && (rd_be16(p + 3) < 4 + min_len[server] || rd_be16(p + 3) > TLS_REC_MAX))
        return PROBE_NO;
    if (len >= 6 && p[5] != want)
        return PROBE_NO;
    if (len >= 9 && (p[6] != 0 || rd_be24(p + 6) < min_len[server]))
        return PROBE_NO;
    if (len >= 11 && !hello_version_ok(p[9], p[10], server))
        return PROBE_NO;
    return len >= 11 ? PROBE_YES : PROBE_NEED_MORE;
}

static enum probe_result probe_v2(const uint8_t *p, size_t len)
{
    uint32_t rlen, cs, sid, chal;

    if (len < 11)
        return PROBE_NEED_MORE;
    rlen = ((uint32_t)(p[0] & 0x7fu) << 8) | p[1];
    cs = rd_be16(p + 5);
    sid = rd_be16(p + 7);
    chal = rd_be16(p + 9);
    if (p[2] != 1 || !(rd_be16(p + 3) == TLS_V_SSL2 || (p[3] == 0x03 && p[4] <= 0x03)))
        return PROBE_NO;
    if (cs == 0 || cs % 3 != 0 || (sid != 0 && sid != 16) || chal < 16 || chal > 32)
        return PROBE_NO;
    return rlen == 9 + cs + sid + chal ? PROBE_YES : PROBE_NO;
}

static enum probe_result tls_probe(const uint8_t *data, size_t len, enum flow_dir dir, unsigned transport)
{
    if (transport != TRANSPORT_TCP || len == 0)
        return len == 0 ? PROBE_NEED_MORE : PROBE_NO;
    if (dir == FLOW_DIR_ORIG)
        return (data[0] & 0x80u) ? probe_v2(data, len) : probe_handshake(data, len, false);
    /* the server may answer with an alert before its hello, as Zeek's signature allows */
    if (data[0] == 0x15) {
        if (len < 7)
            return len >= 2 && data[1] != 0x03 ? PROBE_NO : PROBE_NEED_MORE;
        if (data[1] != 0x03 || data[2] > 0x03 || rd_be16(data + 3) != 2)
            return PROBE_NO;
        return probe_handshake(data + 7, len - 7, true);
    }
    return probe_handshake(data, len, true);
}

static const uint16_t tls_ports[] = { 443, 465, 563, 585, 614, 636, 989, 990, 992, 993, 995, 5223, 8443, 0 };

static const struct log_schema *const tls_logs[] = { &tls_log_schema, NULL };

const struct analyzer tls_analyzer = {
    .name        = "ssl",
    .zeek_name   = "SSL",
    .transports  = TRANSPORT_TCP,
    .port_hints  = tls_ports,
    .probe_limit = 18,
    .max_pending = TLS_REC_HDR + TLS_REC_MAX,
    .state_size  = sizeof(struct tls_state),
    .probe       = tls_probe,
    .init        = tls_init,
    .parse       = tls_parse,
    .gap         = tls_gap,
    .end         = tls_end,
    .logs        = tls_logs,
};
