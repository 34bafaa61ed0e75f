/* proto/tls_int.h - the TLS analyzer's internals shared by its files and unit tests: parsed hello
 * messages, the handshake parsers, fingerprints and name tables. */
#ifndef PW_PROTO_TLS_INT_H
#define PW_PROTO_TLS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_schema.h"

/* ssl.log: field indexes for log_mark(), in column order. */
enum tls_f {
    TLS_F_TS, TLS_F_UID, TLS_F_ORIG_H, TLS_F_ORIG_P, TLS_F_RESP_H, TLS_F_RESP_P,
    TLS_F_VERSION,
    TLS_F_CIPHER,
    TLS_F_CURVE,
    TLS_F_SERVER_NAME,
    TLS_F_RESUMED,
    TLS_F_LAST_ALERT,
    TLS_F_NEXT_PROTOCOL,
    TLS_F_ESTABLISHED,
    TLS_F_SSL_HISTORY,
    TLS_F_CERT_CHAIN_FPS,
    TLS_F_CLIENT_CERT_CHAIN_FPS,
    TLS_F_SNI_MATCHES_CERT,
    TLS_F_JA3,                 /* ours, after Zeek's columns */
    TLS_F_JA3S,
    TLS_F_JA4,
    TLS_F_ECH,
    TLS_F_COUNT
};

struct tls_record {
    uint64_t            log_set;
    pw_time             ts;
    struct log_str      uid;
    struct log_conn_id  id;
    struct log_str      version;
    struct log_str      cipher;
    struct log_str      curve;
    struct log_str      server_name;
    struct log_str      last_alert;
    struct log_str      next_protocol;
    struct log_str      ssl_history;
    struct log_str_list cert_chain_fps;
    struct log_str_list client_cert_chain_fps;
    struct log_str      ja3;
    struct log_str      ja3s;
    struct log_str      ja4;
    /* The flags sit together to pack the record; tls_log_fields, not this order, sets the columns. */
    bool                resumed;
    bool                established;
    bool                sni_matches_cert;
    bool                ech;
};

extern const struct log_schema tls_log_schema;

/* Caps: a hello carrying more than this keeps the first ones and sets `capped`. */
#define TLS_MAX_CIPHERS    128
#define TLS_MAX_EXTS       64
#define TLS_MAX_GROUPS     48
#define TLS_MAX_POINT_FMTS 8
#define TLS_MAX_SIGALGS    48
#define TLS_SNI_MAX        255
#define TLS_ALPN_MAX       64

/* Versions as they appear on the wire. */
#define TLS_V_SSL2   0x0002u
#define TLS_V_SSL3   0x0300u
#define TLS_V_TLS10  0x0301u
#define TLS_V_TLS11  0x0302u
#define TLS_V_TLS12  0x0303u
#define TLS_V_TLS13  0x0304u

/* Extension code points we look inside. */
#define TLS_EXT_SERVER_NAME        0x0000u
#define TLS_EXT_SUPPORTED_GROUPS   0x000au
#define TLS_EXT_EC_POINT_FORMATS   0x000bu
#define TLS_EXT_SIGNATURE_ALGS     0x000du
#define TLS_EXT_ALPN               0x0010u
#define TLS_EXT_SESSION_TICKET     0x0023u
#define TLS_EXT_PRE_SHARED_KEY     0x0029u
#define TLS_EXT_SUPPORTED_VERSIONS 0x002bu
#define TLS_EXT_KEY_SHARE          0x0033u
#define TLS_EXT_KEY_SHARE_OLD      0x0028u   /* TLS 1.3 drafts before 23 */
#define TLS_EXT_ECH                0xfe0du

struct tls_client_hello {
    uint16_t version;             /* legacy_version; for SSLv2 the record's version */
    bool     v2;                  /* came as an SSLv2-compatible CLIENT-HELLO */
    bool     capped;              /* some list was longer than its cap */
    uint8_t  session_id_len;
    uint8_t  session_id[32];
    uint16_t n_ciphers;
    uint16_t ciphers[TLS_MAX_CIPHERS];   /* SSLv2: only the 0x00XXXX ones, as 16 bits */
    uint16_t n_exts;
    uint16_t exts[TLS_MAX_EXTS];
    uint16_t n_groups;
    uint16_t groups[TLS_MAX_GROUPS];
    uint16_t n_point_fmts;
    uint8_t  point_fmts[TLS_MAX_POINT_FMTS];
    uint16_t n_sigalgs;
    uint16_t sigalgs[TLS_MAX_SIGALGS];
    uint16_t max_supported_version;      /* highest non-GREASE in supported_versions, or 0 */
    bool     has_sni;                    /* the extension was present */
    uint8_t  sni_count;                  /* names in it */
    uint16_t sni_len;
    char     sni[TLS_SNI_MAX + 1];
    uint8_t  alpn_len;                   /* first ALPN protocol */
    bool     has_alpn;
    uint8_t  alpn[TLS_ALPN_MAX];
    bool     ech;
    bool     psk;
    bool     ticket_nonempty;
};

struct tls_server_hello {
    uint16_t version;             /* legacy_version */
    uint16_t selected_version;    /* supported_versions with exactly one value, else 0 */
    uint16_t cipher;
    uint8_t  compression;
    uint8_t  session_id_len;
    uint8_t  session_id[32];
    bool     hrr;                 /* the HelloRetryRequest random */
    bool     capped;
    uint16_t n_exts;
    uint16_t exts[TLS_MAX_EXTS];
    bool     has_key_share;
    uint16_t key_share_group;
    bool     has_alpn;
    uint8_t  alpn_len;
    uint8_t  alpn[TLS_ALPN_MAX];
    bool     psk;
};

/* Parses a ClientHello body (after the 4-byte handshake header). 0, or -1 when malformed. */
int tls_handshake_client_hello(const uint8_t *p, size_t len, struct tls_client_hello *ch);

/* Parses an SSLv2 CLIENT-HELLO record body starting at its msg type byte. 0 or -1. */
int tls_handshake_v2_client_hello(const uint8_t *p, size_t len, struct tls_client_hello *ch);

/* Parses a ServerHello body. `draft` versions (0x7fXX) are accepted. 0 or -1. */
int tls_handshake_server_hello(const uint8_t *p, size_t len, struct tls_server_hello *sh);

/* The named curve of an ECDHE ServerKeyExchange, or -1 when it names none. */
int tls_handshake_ske_curve(const uint8_t *p, size_t len);

/* GREASE values (RFC 8701): 0x?A?A with both bytes equal. */
static inline bool tls_is_grease(uint16_t v)
{
    return (v & 0x0f0fu) == 0x0a0au && (v >> 8) == (v & 0xffu);
}

/* Fingerprints, written NUL-terminated into out. ja3/ja3s need 33 bytes, ja4 37. */
#define TLS_JA3_LEN 33
#define TLS_JA4_LEN 37
void tls_fingerprint_ja3(const struct tls_client_hello *ch, char out[TLS_JA3_LEN]);
void tls_fingerprint_ja3s(const struct tls_server_hello *sh, char out[TLS_JA3_LEN]);
void tls_fingerprint_ja4(const struct tls_client_hello *ch, char transport, char out[TLS_JA4_LEN]);

/* Names as Zeek's SSL consts spell them. Each writes into buf (at least 24 bytes) only when the
 * value has no name ("unknown-N") and returns the name. */
#define TLS_NAME_BUF 24
const char *tls_names_version(uint16_t v, char *buf, size_t size);
const char *tls_names_cipher(uint16_t c, char *buf, size_t size);
const char *tls_names_curve(uint16_t g, char *buf, size_t size);
const char *tls_names_alert(uint8_t desc, char *buf, size_t size);

/* Whether Zeek's SSL analyzer accepts this hello version. */
bool tls_names_version_ok(uint16_t v);

#endif
