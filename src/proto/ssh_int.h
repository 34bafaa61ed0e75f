/* proto/ssh_int.h - the SSH analyzer's pure parts, shared with its unit tests: ssh.log's record,
 * Zeek's version rules, algorithm negotiation, the host key fingerprint and the auth heuristic. */
#ifndef PW_PROTO_SSH_INT_H
#define PW_PROTO_SSH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_schema.h"

/* ssh.log: field indexes for log_mark(), in column order. */
enum ssh_f {
    SSH_F_TS, SSH_F_UID, SSH_F_ORIG_H, SSH_F_ORIG_P, SSH_F_RESP_H, SSH_F_RESP_P,
    SSH_F_VERSION,
    SSH_F_AUTH_SUCCESS,
    SSH_F_AUTH_ATTEMPTS,
    SSH_F_DIRECTION,
    SSH_F_CLIENT,
    SSH_F_SERVER,
    SSH_F_CIPHER_ALG,
    SSH_F_MAC_ALG,
    SSH_F_COMPRESSION_ALG,
    SSH_F_KEX_ALG,
    SSH_F_HOST_KEY_ALG,
    SSH_F_HOST_KEY_FINGERPRINT,
    SSH_F_COUNT
};

struct ssh_record {
    uint64_t           log_set;
    pw_time            ts;
    struct log_str     uid;
    struct log_conn_id id;
    uint64_t           version;
    bool               auth_success;
    uint64_t           auth_attempts;
    struct log_str     direction;
    struct log_str     client;
    struct log_str     server;
    struct log_str     cipher_alg;
    struct log_str     mac_alg;
    struct log_str     compression_alg;
    struct log_str     kex_alg;
    struct log_str     host_key_alg;
    struct log_str     host_key_fingerprint;
};

extern const struct log_schema ssh_log_schema;

/* Protocol versions as the analyzer tracks them (Zeek's binpac SSH1 / SSH2 / SSH199 / UNK). */
enum ssh_version {
    SSH_VER_UNK = 0,
    SSH_VER_1,
    SSH_VER_199,
    SSH_VER_2,
};

/* One banner's own version: '2' at [4] is SSH2, '1' is SSH1 unless [6..7] is "99". */
enum ssh_version ssh_banner_version(const char *banner, size_t len);

/* The version the packets are parsed with, from both sides' banner versions (either may be
 * UNK while a banner is missing): equal sides win, 1.99 bends to the other, 1 vs 2 is UNK. */
enum ssh_version ssh_conn_version(enum ssh_version client, enum ssh_version server);

/* ssh.log's version column as Zeek's script computes it from both banners: 1 or 2, 0 for a
 * 1-vs-2 mismatch; false when it stays unset (a banner missing or too short, odd digits). */
bool ssh_log_version(const char *client, size_t clen, const char *server, size_t slen, uint64_t *out);

/* The first name of the client's comma-separated list the server's list also holds (Zeek's
 * find_alg: empty names skipped, exact byte match). Sets *name and returns its length, or
 * returns 0 when nothing matches. */
size_t ssh_find_alg(const char *client, size_t clen, const char *server, size_t slen, const char **name);

#define SSH_NEGOTIATION_FAILED "Algorithm negotiation failed"

/* Writes Zeek's negotiated-algorithm text into out (NUL-terminated, truncated to size):
 * the common name, or SSH_NEGOTIATION_FAILED. Returns the length written. */
size_t ssh_alg_text(const char *client, size_t clen, const char *server, size_t slen, char *out, size_t size);

/* Both directions at once: the shared name when they agree, else
 * "To server: X, to client: Y" (each X/Y as ssh_alg_text). */
size_t ssh_bidir_alg_text(const char *c_c2s, size_t c_c2s_len, const char *s_c2s, size_t s_c2s_len,
                          const char *c_s2c, size_t c_s2c_len, const char *s_s2c, size_t s_s2c_len,
                          char *out, size_t size);

/* "SHA256:" + the first 32 base64 characters of SHA-256(key blob): Zeek 9's host_key_fingerprint
 * (24 of the digest's bytes, no padding). out needs SSH_FP_LEN + 1 bytes. false on a digest error. */
#define SSH_FP_LEN (7 + 32)
bool ssh_fingerprint(const uint8_t *blob, size_t len, char *out);

/* Zeek's authentication guess from encrypted segment sizes (SSH_Analyzer::ProcessEncrypted):
 * the first server segment after client data is SERVICE_ACCEPT, one 16 bytes smaller is
 * USERAUTH_SUCCESS, repeats of the first other size are USERAUTH_FAILUREs. */
struct ssh_auth {
    bool    saw_client_data;
    bool    skipped_banner;
    bool    decided;
    int64_t service_accept_size;
    int64_t userauth_failure_size;
};

enum ssh_auth_event {
    SSH_AUTH_NONE,
    SSH_AUTH_FAILED,    /* ssh_auth_attempted(F) */
    SSH_AUTH_SUCCESS,   /* ssh_auth_attempted(T): decided, nothing follows */
};

/* One encrypted segment of len bytes from the client (orig) or the server. */
enum ssh_auth_event ssh_auth_segment(struct ssh_auth *a, bool orig, uint32_t len);

#endif
