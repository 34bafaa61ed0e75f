/* tests/unit/proto/test_ssh.c - SSH version rules, algorithm negotiation, fingerprint, auth
 * heuristic, probe, and the analyzer driven through stubbed session calls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "proto/analyzer.h"
#include "proto/session.h"
#include "proto/ssh_int.h"

extern const struct analyzer ssh_analyzer;

/* ---- session stubs: what the analyzer reported ---- */

static struct {
    int  logs, confirms, violations, weirds;
    enum weird_id last_weird;
    char client[80], server[80], cipher[128], mac[80], comp[80], kex[80], hka[80], fp[64], dir[16];
    char version[8], auth[4], attempts[8];
} seen;

static void copy_str(char *dst, size_t size, const struct ssh_record *r, unsigned f, struct log_str v)
{
    if (!(r->log_set & ((uint64_t)1 << f))) {
        snprintf(dst, size, "-");
        return;
    }
    snprintf(dst, size, "%.*s", (int)v.len, v.ptr);
}

pw_time session_now(const struct session *s) { return 0; }
void session_conn_id(const struct session *s, struct log_str *uid, struct log_conn_id *id)
{
    memset(id, 0, sizeof(*id));
    /* orig 10.0.0.1 (local), resp 8.8.8.8 (not local): OUTBOUND */
    addr_from_v4(&id->orig_h, (const uint8_t[4]){ 10, 0, 0, 1 });
    addr_from_v4(&id->resp_h, (const uint8_t[4]){ 8, 8, 8, 8 });
}
void session_confirm(struct session *s) { seen.confirms++; }
void session_violation(struct session *s, const char *reason, const uint8_t *data, size_t len)
{
    seen.violations++;
}
void session_weird(struct session *s, enum weird_id id, const char *addl)
{
    seen.weirds++;
    seen.last_weird = id;
}
void session_set_domain(struct session *s, const char *name, size_t len) {}

int session_log(struct session *s, const struct log_schema *schema, const void *record)
{
    const struct ssh_record *r = record;

    seen.logs++;
    copy_str(seen.client, sizeof(seen.client), r, SSH_F_CLIENT, r->client);
    copy_str(seen.server, sizeof(seen.server), r, SSH_F_SERVER, r->server);
    copy_str(seen.cipher, sizeof(seen.cipher), r, SSH_F_CIPHER_ALG, r->cipher_alg);
    copy_str(seen.mac, sizeof(seen.mac), r, SSH_F_MAC_ALG, r->mac_alg);
    copy_str(seen.comp, sizeof(seen.comp), r, SSH_F_COMPRESSION_ALG, r->compression_alg);
    copy_str(seen.kex, sizeof(seen.kex), r, SSH_F_KEX_ALG, r->kex_alg);
    copy_str(seen.hka, sizeof(seen.hka), r, SSH_F_HOST_KEY_ALG, r->host_key_alg);
    copy_str(seen.fp, sizeof(seen.fp), r, SSH_F_HOST_KEY_FINGERPRINT, r->host_key_fingerprint);
    copy_str(seen.dir, sizeof(seen.dir), r, SSH_F_DIRECTION, r->direction);
    if (r->log_set & ((uint64_t)1 << SSH_F_VERSION))
        snprintf(seen.version, sizeof(seen.version), "%llu", (unsigned long long)r->version);
    else
        snprintf(seen.version, sizeof(seen.version), "-");
    if (r->log_set & ((uint64_t)1 << SSH_F_AUTH_SUCCESS))
        snprintf(seen.auth, sizeof(seen.auth), "%s", r->auth_success ? "T" : "F");
    else
        snprintf(seen.auth, sizeof(seen.auth), "-");
    snprintf(seen.attempts, sizeof(seen.attempts), "%llu", (unsigned long long)r->auth_attempts);
    return 0;
}

struct file_ctx *session_file_open(struct session *s, enum flow_dir dir, const char *source,
                                   uint64_t total_bytes, const char *filename, size_t filename_len)
{
    return NULL;
}

/* ---- a tiny engine: holds what parse leaves, as engine_session.c does ---- */

static uint8_t state[16384];
static uint8_t held[2][65536];
static size_t  held_len[2];

static void reset(void)
{
    memset(&seen, 0, sizeof(seen));
    memset(state, 0, sizeof(state));
    held_len[0] = held_len[1] = 0;
    assert_true(ssh_analyzer.state_size <= sizeof(state));
    ssh_analyzer.init(NULL, state);
}

static void deliver(enum flow_dir dir, const void *data, size_t len)
{
    uint8_t *p;
    size_t n;

    assert_true(held_len[dir] + len <= sizeof(held[dir]));
    memcpy(held[dir] + held_len[dir], data, len);
    held_len[dir] += len;
    p = held[dir];
    n = held_len[dir];
    while (n > 0) {
        struct parse_result r = ssh_analyzer.parse(NULL, state, dir, p, n);

        assert_int_equal(r.status, PARSE_OK);
        assert_true(r.consumed <= n);
        p += r.consumed;
        n -= r.consumed;
        if (r.consumed == 0 || (r.needed != 0 && n < r.needed))
            break;
    }
    memmove(held[dir], p, n);
    held_len[dir] = n;
}

/* Builds an unencrypted SSH2 packet: length, padding length, type, payload, 4+ bytes padding. */
static size_t packet(uint8_t *out, uint8_t type, const uint8_t *payload, size_t plen)
{
    size_t body = 1 + 1 + plen, pad = 8 - (4 + body) % 8;

    if (pad < 4)
        pad += 8;
    out[0] = (uint8_t)((body + pad) >> 24);
    out[1] = (uint8_t)((body + pad) >> 16);
    out[2] = (uint8_t)((body + pad) >> 8);
    out[3] = (uint8_t)(body + pad);
    out[4] = (uint8_t)pad;
    out[5] = type;
    if (plen > 0)
        memcpy(out + 6, payload, plen);
    memset(out + 6 + plen, 0, pad);
    return 4 + body + pad;
}

static size_t put_string(uint8_t *out, const char *s, size_t len)
{
    out[0] = (uint8_t)(len >> 24);
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    memcpy(out + 4, s, len);
    return 4 + len;
}

static size_t kexinit(uint8_t *out, const char *const lists[10])
{
    uint8_t payload[2048];
    size_t n = 16;

    memset(payload, 0x11, 16);
    for (int i = 0; i < 10; i++)
        n += put_string(payload + n, lists[i], strlen(lists[i]));
    memset(payload + n, 0, 5);
    n += 5;
    return packet(out, 20, payload, n);
}

static const char *const client_lists[10] = {
    "curve25519-sha256,ecdh-sha2-nistp256,ext-info-c", "ssh-ed25519,ssh-rsa",
    "chacha20-poly1305@openssh.com,aes128-ctr", "chacha20-poly1305@openssh.com,aes128-ctr",
    "hmac-sha2-256,hmac-sha1", "hmac-sha2-256,hmac-sha1", "none,zlib@openssh.com", "none,zlib@openssh.com",
    "", "",
};

static const char *const server_lists[10] = {
    "ecdh-sha2-nistp256,curve25519-sha256", "ssh-rsa,ssh-ed25519",
    "aes128-ctr,chacha20-poly1305@openssh.com", "aes128-ctr,chacha20-poly1305@openssh.com",
    "hmac-sha1,hmac-sha2-256", "hmac-sha1,hmac-sha2-256", "none", "none", "", "",
};

/* Server banner, client banner, both KEXINITs, ECDH reply with key blob "abc", NEWKEYS each way. */
static void handshake(const char *const clists[10], const char *const slists[10])
{
    uint8_t buf[4096], payload[256];
    size_t n, p;

    deliver(FLOW_DIR_RESP, "SSH-2.0-OpenSSH_9.6\r\n", 21);
    deliver(FLOW_DIR_ORIG, "SSH-2.0-OpenSSH_9.7\r\n", 21);
    n = kexinit(buf, slists);
    deliver(FLOW_DIR_RESP, buf, n);
    n = kexinit(buf, clists);
    /* split mid-packet: the analyzer must wait for the rest */
    deliver(FLOW_DIR_ORIG, buf, 7);
    deliver(FLOW_DIR_ORIG, buf + 7, n - 7);
    p = put_string(payload, "abc", 3);
    p += put_string(payload + p, "QQQQ", 4);
    p += put_string(payload + p, "sig", 3);
    n = packet(buf, 31, payload, p);
    n += packet(buf + n, 21, NULL, 0);
    deliver(FLOW_DIR_RESP, buf, n);
}

/* ---- pure helpers ---- */

static void test_versions(void **unused)
{
    uint64_t v = 99;

    assert_int_equal(ssh_banner_version("SSH-2.0-x", 9), SSH_VER_2);
    assert_int_equal(ssh_banner_version("SSH-1.99-x", 10), SSH_VER_199);
    assert_int_equal(ssh_banner_version("SSH-1.5-x", 9), SSH_VER_1);
    assert_int_equal(ssh_banner_version("SSH-", 4), SSH_VER_UNK);
    assert_int_equal(ssh_conn_version(SSH_VER_2, SSH_VER_199), SSH_VER_2);
    assert_int_equal(ssh_conn_version(SSH_VER_1, SSH_VER_199), SSH_VER_1);
    assert_int_equal(ssh_conn_version(SSH_VER_199, SSH_VER_199), SSH_VER_2);
    assert_int_equal(ssh_conn_version(SSH_VER_1, SSH_VER_2), SSH_VER_UNK);
    assert_int_equal(ssh_conn_version(SSH_VER_2, SSH_VER_UNK), SSH_VER_UNK);

    assert_true(ssh_log_version("SSH-1.5-a", 9, "SSH-1.99-b", 10, &v));
    assert_int_equal(v, 1);
    assert_true(ssh_log_version("SSH-2.0-a", 9, "SSH-1.99-b", 10, &v));
    assert_int_equal(v, 2);
    assert_true(ssh_log_version("SSH-1.5-a", 9, "SSH-2.0-b", 9, &v));
    assert_int_equal(v, 0);
    assert_true(ssh_log_version("SSH-1.99-a", 10, "SSH-1.99-b", 10, &v));
    assert_int_equal(v, 2);
    assert_false(ssh_log_version("SSH-2.0-a", 9, NULL, 0, &v));
    assert_false(ssh_log_version("SSH-3.0-a", 9, "SSH-2.0-b", 9, &v));
}

static void test_find_alg(void **unused)
{
    char out[256];
    const char *name = NULL;
    size_t n;

    /* the client's order wins, not the server's */
    n = ssh_find_alg("a,b,c", 5, "c,b", 3, &name);
    assert_int_equal(n, 1);
    assert_memory_equal(name, "b", 1);
    /* empty names and leading commas are skipped; prefixes do not match */
    n = ssh_find_alg(",,aes,,aes128", 13, "aes128", 6, &name);
    assert_int_equal(n, 6);
    assert_memory_equal(name, "aes128", 6);
    assert_int_equal(ssh_find_alg("x", 1, "", 0, &name), 0);

    n = ssh_alg_text("x,y", 3, "z", 1, out, sizeof(out));
    assert_string_equal(out, "Algorithm negotiation failed");
    assert_int_equal(n, strlen("Algorithm negotiation failed"));
    ssh_bidir_alg_text("a,b", 3, "b", 1, "a,b", 3, "a,b", 3, out, sizeof(out));
    assert_string_equal(out, "To server: b, to client: a");
    ssh_bidir_alg_text("a,b", 3, "b", 1, "a,b", 3, "b", 1, out, sizeof(out));
    assert_string_equal(out, "b");
    ssh_bidir_alg_text("a", 1, "b", 1, "a", 1, "a", 1, out, 12);
    assert_string_equal(out, "To server: ");
}

static void test_fingerprint(void **unused)
{
    char fp[SSH_FP_LEN + 1];

    assert_true(ssh_fingerprint((const uint8_t *)"abc", 3, fp));
    assert_string_equal(fp, "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qc");
}

static void test_auth_heuristic(void **unused)
{
    struct ssh_auth a;

    memset(&a, 0, sizeof(a));
    /* server data before any client data is ignored */
    assert_int_equal(ssh_auth_segment(&a, false, 100), SSH_AUTH_NONE);
    assert_int_equal(a.service_accept_size, 0);
    assert_int_equal(ssh_auth_segment(&a, true, 60), SSH_AUTH_NONE);
    assert_int_equal(ssh_auth_segment(&a, false, 84), SSH_AUTH_NONE);   /* SERVICE_ACCEPT */
    assert_int_equal(ssh_auth_segment(&a, false, 500), SSH_AUTH_NONE);  /* banner, skipped */
    assert_int_equal(ssh_auth_segment(&a, false, 100), SSH_AUTH_NONE);  /* first FAILURE size */
    assert_int_equal(ssh_auth_segment(&a, false, 100), SSH_AUTH_FAILED);
    assert_int_equal(ssh_auth_segment(&a, false, 90), SSH_AUTH_NONE);
    assert_int_equal(ssh_auth_segment(&a, false, 68), SSH_AUTH_SUCCESS);
    assert_true(a.decided);
    assert_int_equal(ssh_auth_segment(&a, false, 100), SSH_AUTH_NONE);

    /* "none" auth: success 16 bytes below SERVICE_ACCEPT before any failure */
    memset(&a, 0, sizeof(a));
    ssh_auth_segment(&a, true, 60);
    ssh_auth_segment(&a, false, 52);
    assert_int_equal(ssh_auth_segment(&a, false, 36), SSH_AUTH_SUCCESS);
}

static void test_probe(void **unused)
{
    const uint8_t pre[] = "Welcome\r\nSSH-2.0-X\r\n";

    assert_int_equal(ssh_analyzer.probe((const uint8_t *)"SSH-2.0-OpenSSH", 15, FLOW_DIR_ORIG, TRANSPORT_TCP),
                     PROBE_YES);
    assert_int_equal(ssh_analyzer.probe((const uint8_t *)"ssh-1.99-x", 10, FLOW_DIR_RESP, TRANSPORT_TCP),
                     PROBE_YES);
    assert_int_equal(ssh_analyzer.probe((const uint8_t *)"SSH", 3, FLOW_DIR_ORIG, TRANSPORT_TCP),
                     PROBE_NEED_MORE);
    assert_int_equal(ssh_analyzer.probe((const uint8_t *)"SSH-3.0-", 8, FLOW_DIR_ORIG, TRANSPORT_TCP), PROBE_NO);
    assert_int_equal(ssh_analyzer.probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, FLOW_DIR_ORIG, TRANSPORT_TCP),
                     PROBE_NO);
    assert_int_equal(ssh_analyzer.probe((const uint8_t *)"SSH-2.0-", 8, FLOW_DIR_ORIG, TRANSPORT_UDP), PROBE_NO);
    /* a server may print lines first; a client may not */
    assert_int_equal(ssh_analyzer.probe(pre, sizeof(pre) - 1, FLOW_DIR_RESP, TRANSPORT_TCP), PROBE_YES);
    assert_int_equal(ssh_analyzer.probe(pre, sizeof(pre) - 1, FLOW_DIR_ORIG, TRANSPORT_TCP), PROBE_NO);
    assert_int_equal(ssh_analyzer.probe(pre, 9, FLOW_DIR_RESP, TRANSPORT_TCP), PROBE_NEED_MORE);
    assert_int_equal(ssh_analyzer.probe((const uint8_t *)"\x16\x03\x01", 3, FLOW_DIR_RESP, TRANSPORT_TCP),
                     PROBE_NO);
}

/* ---- the analyzer ---- */

static void test_session_success(void **unused)
{
    uint8_t seg[200];

    memset(seg, 0xAA, sizeof(seg));
    reset();
    handshake(client_lists, server_lists);
    assert_int_equal(seen.confirms, 1);
    {
        uint8_t nk[32];
        size_t n = packet(nk, 21, NULL, 0);

        memset(nk + n, 0xAA, 16);   /* encrypted SERVICE_REQUEST in the same segment */
        deliver(FLOW_DIR_ORIG, nk, n + 16);
    }
    deliver(FLOW_DIR_RESP, seg, 84);    /* SERVICE_ACCEPT */
    deliver(FLOW_DIR_ORIG, seg, 100);
    deliver(FLOW_DIR_RESP, seg, 100);   /* FAILURE size */
    deliver(FLOW_DIR_ORIG, seg, 100);
    deliver(FLOW_DIR_RESP, seg, 100);   /* a failed attempt */
    assert_int_equal(seen.logs, 0);
    deliver(FLOW_DIR_ORIG, seg, 100);
    deliver(FLOW_DIR_RESP, seg, 68);    /* success: the row goes out now */
    assert_int_equal(seen.logs, 1);
    assert_string_equal(seen.client, "SSH-2.0-OpenSSH_9.7");
    assert_string_equal(seen.server, "SSH-2.0-OpenSSH_9.6");
    assert_string_equal(seen.version, "2");
    assert_string_equal(seen.kex, "curve25519-sha256");
    assert_string_equal(seen.hka, "ssh-ed25519");
    assert_string_equal(seen.cipher, "chacha20-poly1305@openssh.com");
    assert_string_equal(seen.mac, "hmac-sha2-256");
    assert_string_equal(seen.comp, "none");
    assert_string_equal(seen.fp, "SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qc");
    assert_string_equal(seen.dir, "OUTBOUND");
    assert_string_equal(seen.auth, "T");
    assert_string_equal(seen.attempts, "2");
    /* after the login nothing more is looked at, and end does not log twice */
    deliver(FLOW_DIR_RESP, seg, 100);
    ssh_analyzer.end(NULL, state);
    assert_int_equal(seen.logs, 1);
    assert_int_equal(seen.violations, 0);
}

static void test_session_compressed_and_failed(void **unused)
{
    static const char *const zc[10] = {
        "curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes128-ctr", "hmac-sha1", "hmac-sha1",
        "zlib@openssh.com,none", "zlib@openssh.com,none", "", "",
    };
    static const char *const zs[10] = {
        "curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes256-ctr", "hmac-sha1", "hmac-sha1",
        "none,zlib@openssh.com", "none,zlib@openssh.com", "", "",
    };
    uint8_t seg[200], nk[16];
    size_t n;

    memset(seg, 0xAA, sizeof(seg));
    reset();
    handshake(zc, zs);
    n = packet(nk, 21, NULL, 0);
    deliver(FLOW_DIR_ORIG, nk, n);
    deliver(FLOW_DIR_ORIG, seg, 60);
    deliver(FLOW_DIR_RESP, seg, 84);
    deliver(FLOW_DIR_RESP, seg, 100);
    deliver(FLOW_DIR_RESP, seg, 100);   /* failed attempt, not recorded: compressed */
    ssh_analyzer.end(NULL, state);
    assert_int_equal(seen.logs, 1);
    assert_string_equal(seen.comp, "zlib@openssh.com");
    assert_string_equal(seen.cipher, "To server: aes128-ctr, to client: Algorithm negotiation failed");
    assert_string_equal(seen.auth, "-");
    assert_string_equal(seen.attempts, "0");

    /* uncompressed, only failures: F at the end */
    reset();
    handshake(client_lists, server_lists);
    deliver(FLOW_DIR_ORIG, nk, n);
    deliver(FLOW_DIR_ORIG, seg, 60);
    deliver(FLOW_DIR_RESP, seg, 84);
    deliver(FLOW_DIR_RESP, seg, 100);
    deliver(FLOW_DIR_RESP, seg, 100);
    deliver(FLOW_DIR_RESP, seg, 100);
    assert_int_equal(seen.logs, 0);
    ssh_analyzer.end(NULL, state);
    assert_int_equal(seen.logs, 1);
    assert_string_equal(seen.auth, "F");
    assert_string_equal(seen.attempts, "2");
}

static void test_ssh1_and_mismatch(void **unused)
{
    /* SSH1 PUBLIC_KEY-ish packet: length 5 -> 3 bytes padding, type 2, 4 bytes crc */
    const uint8_t pk[] = { 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 0 };
    const uint8_t sk[] = { 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 0 };

    reset();
    deliver(FLOW_DIR_RESP, "SSH-1.99-OpenSSH_6.6\n", 21);
    deliver(FLOW_DIR_ORIG, "SSH-1.5-OpenSSH_6.2\n", 20);
    deliver(FLOW_DIR_RESP, pk, sizeof(pk));
    deliver(FLOW_DIR_ORIG, sk, sizeof(sk));
    assert_int_equal(seen.confirms, 1);
    ssh_analyzer.end(NULL, state);
    assert_int_equal(seen.logs, 1);
    assert_string_equal(seen.version, "1");
    assert_string_equal(seen.server, "SSH-1.99-OpenSSH_6.6");
    assert_string_equal(seen.kex, "-");
    assert_string_equal(seen.fp, "-");
    assert_string_equal(seen.auth, "-");
}

static void test_malformed(void **unused)
{
    const uint8_t huge[] = { 0x7f, 0xff, 0xff, 0xff, 4, 20 };

    /* a client that is not SSH: violation, and no row (Zeek's c$ssh never existed) */
    reset();
    deliver(FLOW_DIR_ORIG, "GET / HTTP/1.1\r\n", 16);
    assert_int_equal(seen.violations, 1);
    assert_int_equal(seen.last_weird, WEIRD_SSH_MALFORMED_IDENTIFICATION);
    ssh_analyzer.end(NULL, state);
    assert_int_equal(seen.logs, 0);

    /* an absurd packet length: weird, violation, the row so far */
    reset();
    deliver(FLOW_DIR_RESP, "SSH-2.0-a\r\n", 11);
    deliver(FLOW_DIR_ORIG, "SSH-2.0-b\r\n", 11);
    deliver(FLOW_DIR_RESP, huge, sizeof(huge));
    assert_int_equal(seen.violations, 1);
    assert_int_equal(seen.last_weird, WEIRD_SSH_MALFORMED_PACKET);
    assert_int_equal(seen.logs, 1);
    assert_string_equal(seen.client, "SSH-2.0-b");

    /* a banner line that never ends */
    reset();
    {
        static uint8_t junk[2000];

        memset(junk, 'A', sizeof(junk));
        memcpy(junk, "SSH-2.0-", 8);
        deliver(FLOW_DIR_RESP, junk, sizeof(junk));
    }
    assert_int_equal(seen.violations, 1);

    /* a gap stops the analysis; the row is still written at the end */
    reset();
    deliver(FLOW_DIR_RESP, "SSH-2.0-a\r\n", 11);
    ssh_analyzer.gap(NULL, state, FLOW_DIR_ORIG, 100);
    deliver(FLOW_DIR_ORIG, "SSH-2.0-b\r\n", 11);
    ssh_analyzer.end(NULL, state);
    assert_int_equal(seen.logs, 1);
    assert_string_equal(seen.client, "-");
    assert_string_equal(seen.server, "SSH-2.0-a");
    assert_string_equal(seen.version, "-");
}

static void test_unknown_kex_and_prelines(void **unused)
{
    static const char *const uc[10] = { "weird-kex", "ssh-rsa", "a", "a", "m", "m", "none", "none", "", "" };

    reset();
    deliver(FLOW_DIR_RESP, "Hello there\r\nSSH-2.0-srv\r\n", 26);
    deliver(FLOW_DIR_ORIG, "SSH-2.0-cli\r\n", 13);
    {
        uint8_t buf[1024];
        size_t n = kexinit(buf, uc);

        deliver(FLOW_DIR_RESP, buf, n);
        deliver(FLOW_DIR_ORIG, buf, n);
    }
    assert_int_equal(seen.last_weird, WEIRD_SSH_UNKNOWN_KEX_ALGORITHM);
    ssh_analyzer.end(NULL, state);
    assert_string_equal(seen.server, "SSH-2.0-srv");
    assert_string_equal(seen.kex, "weird-kex");
    assert_string_equal(seen.fp, "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_find_alg),
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_auth_heuristic),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_session_success),
        cmocka_unit_test(test_session_compressed_and_failed),
        cmocka_unit_test(test_ssh1_and_mismatch),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_unknown_kex_and_prelines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
