/* tests/unit/proto/test_tls.c - TLS probe, hello parsing, JA3/JA4, name tables, and the analyzer
 * driven through stubbed session calls across split segments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "proto/analyzer.h"
#include "proto/session.h"
#include "proto/tls_int.h"

extern const struct analyzer tls_analyzer;

/* ---- session stubs: what the analyzer reported ---- */

static struct {
    int  logs, confirms, violations, weirds, cert_files;
    enum weird_id last_weird;
    char version[32], cipher[64], curve[32], sni[64], history[128], alert[32], alpn[32];
    char ja3[40], ja4[40], fps0[80];
    unsigned n_fps, n_cfps;
    bool established, resumed, ech, fps_set, sni_match_set, sni_match;
} seen;

static void copy_str(char *dst, size_t size, const struct tls_record *r, unsigned f, struct log_str v)
{
    if (!(r->log_set & ((uint64_t)1 << f))) {
        snprintf(dst, size, "-");
        return;
    }
    snprintf(dst, size, "%.*s", (int)v.len, v.ptr);
}

pw_time session_now(const struct session *s) { return 0; }
void session_conn_id(const struct session *s, struct log_str *uid, struct log_conn_id *id) {}
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
bool session_certificate_files(const struct session *s)
{
    return true;
}
struct file_ctx *session_file_open(struct session *s, enum flow_dir dir, const char *source, uint64_t total_bytes,
                                   const char *filename, size_t filename_len)
{
    seen.cert_files++;
    return NULL;
}

int session_log(struct session *s, const struct log_schema *schema, const void *record)
{
    const struct tls_record *r = record;

    seen.logs++;
    copy_str(seen.version, sizeof(seen.version), r, TLS_F_VERSION, r->version);
    copy_str(seen.cipher, sizeof(seen.cipher), r, TLS_F_CIPHER, r->cipher);
    copy_str(seen.curve, sizeof(seen.curve), r, TLS_F_CURVE, r->curve);
    copy_str(seen.sni, sizeof(seen.sni), r, TLS_F_SERVER_NAME, r->server_name);
    copy_str(seen.alert, sizeof(seen.alert), r, TLS_F_LAST_ALERT, r->last_alert);
    copy_str(seen.alpn, sizeof(seen.alpn), r, TLS_F_NEXT_PROTOCOL, r->next_protocol);
    /* ssl_history is always written, so it has no presence bit */
    snprintf(seen.history, sizeof(seen.history), "%.*s", (int)r->ssl_history.len, r->ssl_history.ptr);
    copy_str(seen.ja3, sizeof(seen.ja3), r, TLS_F_JA3, r->ja3);
    copy_str(seen.ja4, sizeof(seen.ja4), r, TLS_F_JA4, r->ja4);
    seen.established = r->established;
    seen.resumed = r->resumed;
    seen.ech = r->ech;
    seen.fps_set = (r->log_set >> TLS_F_CERT_CHAIN_FPS) & 1;
    seen.n_fps = r->cert_chain_fps.n;
    seen.n_cfps = r->client_cert_chain_fps.n;
    if (seen.n_fps > 0)
        snprintf(seen.fps0, sizeof(seen.fps0), "%.*s", (int)r->cert_chain_fps.items[0].len,
                 r->cert_chain_fps.items[0].ptr);
    seen.sni_match_set = (r->log_set >> TLS_F_SNI_MATCHES_CERT) & 1;
    seen.sni_match = r->sni_matches_cert;
    return 0;
}

/* ---- a byte builder ---- */

struct buf {
    uint8_t b[4096];
    size_t  n;
};

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put24(struct buf *b, unsigned v) { put8(b, v >> 16); put16(b, v & 0xffff); }
static void putn(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static size_t mark16(struct buf *b) { b->n += 2; return b->n; }
static void end16(struct buf *b, size_t m) { b->b[m - 2] = (uint8_t)((b->n - m) >> 8); b->b[m - 1] = (uint8_t)(b->n - m); }

/* The browserleaks Chrome 143 hello (ja3_text/ja4_r published with it), plus GREASE values. */
static const uint16_t chrome_ciphers[] = { 0x5a5a, 4865, 4866, 4867, 49195, 49199, 49196, 49200,
                                           52393, 52392, 49171, 49172, 156, 157, 47, 53 };
static const uint16_t chrome_exts[] = { 0x2a2a, 45, 51, 16, 65037, 23, 17613, 0, 11, 10, 43, 65281,
                                        35, 18, 5, 13, 27 };
static const uint16_t chrome_sigalgs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601 };

static void chrome_hello_body(struct buf *b, const char *sni)
{
    size_t exts, e, l;

    put16(b, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(b, i);
    put8(b, 0);                               /* session id */
    put16(b, sizeof(chrome_ciphers));
    for (size_t i = 0; i < sizeof(chrome_ciphers) / 2; i++)
        put16(b, chrome_ciphers[i]);
    put8(b, 1);
    put8(b, 0);
    exts = mark16(b);
    for (size_t i = 0; i < sizeof(chrome_exts) / 2; i++) {
        uint16_t t = chrome_exts[i];

        put16(b, t);
        e = mark16(b);
        switch (t) {
        case 0:
            l = mark16(b);
            put8(b, 0);
            put16(b, strlen(sni));
            putn(b, sni, strlen(sni));
            end16(b, l);
            break;
        case 10:
            l = mark16(b);
            put16(b, 0x3a3a); put16(b, 4588); put16(b, 29); put16(b, 23); put16(b, 24);
            end16(b, l);
            break;
        case 11:
            put8(b, 1);
            put8(b, 0);
            break;
        case 13:
            l = mark16(b);
            for (size_t k = 0; k < sizeof(chrome_sigalgs) / 2; k++)
                put16(b, chrome_sigalgs[k]);
            end16(b, l);
            break;
        case 16:
            l = mark16(b);
            put8(b, 2); putn(b, "h2", 2);
            put8(b, 8); putn(b, "http/1.1", 8);
            end16(b, l);
            break;
        case 43:
            put8(b, 6);
            put16(b, 0x4a4a); put16(b, 0x0304); put16(b, 0x0303);
            break;
        default:
            break;
        }
        end16(b, e);
    }
    end16(b, exts);
}

static void handshake(struct buf *out, unsigned type, const struct buf *body)
{
    put8(out, type);
    put24(out, (unsigned)body->n);
    putn(out, body->b, body->n);
}

static void record(struct buf *out, unsigned ct, const uint8_t *p, size_t n)
{
    put8(out, ct);
    put16(out, 0x0303);
    put16(out, (unsigned)n);
    putn(out, p, n);
}

/* ---- tests ---- */

static void test_names(void **unused)
{
    char buf[TLS_NAME_BUF];

    assert_string_equal(tls_names_version(0x0303, buf, sizeof(buf)), "TLSv12");
    assert_string_equal(tls_names_version(0x7f0e, buf, sizeof(buf)), "TLSv13-draft14");
    assert_string_equal(tls_names_version(0x1234, buf, sizeof(buf)), "unknown-4660");
    assert_string_equal(tls_names_cipher(0xc011, buf, sizeof(buf)), "TLS_ECDHE_RSA_WITH_RC4_128_SHA");
    assert_string_equal(tls_names_cipher(0x1301, buf, sizeof(buf)), "TLS_AES_128_GCM_SHA256");
    assert_string_equal(tls_names_cipher(0xeeee, buf, sizeof(buf)), "unknown-61166");
    assert_string_equal(tls_names_curve(0x1d, buf, sizeof(buf)), "x25519");
    assert_string_equal(tls_names_curve(0x11ec, buf, sizeof(buf)), "X25519MLKEM768");
    assert_string_equal(tls_names_curve(0x6399, buf, sizeof(buf)), "X25519Kyber768Draft00");
    assert_string_equal(tls_names_alert(48, buf, sizeof(buf)), "unknown_ca");
    assert_string_equal(tls_names_alert(200, buf, sizeof(buf)), "unknown-200");
    assert_true(tls_is_grease(0x5a5a));
    assert_false(tls_is_grease(0x5a5b));
}

static void test_client_hello_fingerprints(void **unused)
{
    struct buf              b = { .n = 0 };
    struct tls_client_hello ch;
    char                    ja3[TLS_JA3_LEN], ja4[TLS_JA4_LEN];

    chrome_hello_body(&b, "tls.browserleaks.com");
    assert_int_equal(tls_handshake_client_hello(b.b, b.n, &ch), 0);
    assert_int_equal(ch.n_ciphers, 16);
    assert_int_equal(ch.n_exts, 17);
    assert_string_equal(ch.sni, "tls.browserleaks.com");
    assert_int_equal(ch.max_supported_version, 0x0304);
    assert_true(ch.ech);
    tls_fingerprint_ja3(&ch, ja3);
    assert_string_equal(ja3, "98487aa16281980e7d1120d399efb6a4");
    tls_fingerprint_ja4(&ch, 't', ja4);
    assert_string_equal(ja4, "t13d1516h2_8daaf6152771_d8a2da3f94cd");
    /* truncated body: malformed */
    assert_int_equal(tls_handshake_client_hello(b.b, 40, &ch), -1);
}

static void test_probe(void **unused)
{
    struct buf b = { .n = 0 }, body = { .n = 0 }, hs = { .n = 0 };
    static const uint8_t ssh[] = "SSH-2.0-OpenSSH_9.2\r\n";
    static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const uint8_t rnd[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x99, 0x99, 0x00 };

    chrome_hello_body(&body, "a.example");
    handshake(&hs, 1, &body);
    record(&b, 22, hs.b, hs.n);
    assert_int_equal(tls_analyzer.probe(b.b, b.n, FLOW_DIR_ORIG, TRANSPORT_TCP), PROBE_YES);
    assert_int_equal(tls_analyzer.probe(b.b, 4, FLOW_DIR_ORIG, TRANSPORT_TCP), PROBE_NEED_MORE);
    /* a ClientHello coming from the server is not a server speaking TLS */
    assert_int_equal(tls_analyzer.probe(b.b, b.n, FLOW_DIR_RESP, TRANSPORT_TCP), PROBE_NO);
    assert_int_equal(tls_analyzer.probe(b.b, b.n, FLOW_DIR_ORIG, TRANSPORT_UDP), PROBE_NO);
    assert_int_equal(tls_analyzer.probe(ssh, sizeof(ssh) - 1, FLOW_DIR_RESP, TRANSPORT_TCP), PROBE_NO);
    assert_int_equal(tls_analyzer.probe(http, sizeof(http) - 1, FLOW_DIR_ORIG, TRANSPORT_TCP), PROBE_NO);
    assert_int_equal(tls_analyzer.probe(rnd, sizeof(rnd), FLOW_DIR_ORIG, TRANSPORT_TCP), PROBE_NO);
}

/* Feeds bytes in chunks of `step`, honouring consumed/needed as the session does. */
static int feed(void *st, enum flow_dir dir, const uint8_t *p, size_t n, size_t step)
{
    static uint8_t held[2][70000];
    static size_t  held_len[2];
    size_t         off = 0;

    while (off < n) {
        size_t take = n - off < step ? n - off : step;

        memcpy(held[dir] + held_len[dir], p + off, take);
        held_len[dir] += take;
        off += take;
        for (;;) {
            struct parse_result r = tls_analyzer.parse(NULL, st, dir, held[dir], held_len[dir]);

            if (r.status != PARSE_OK)
                return -1;
            memmove(held[dir], held[dir] + r.consumed, held_len[dir] - r.consumed);
            held_len[dir] -= r.consumed;
            if (r.consumed == 0 || held_len[dir] == 0 || (r.needed && held_len[dir] < r.needed))
                break;
        }
    }
    return 0;
}

static void test_tls12_across_segments(void **unused)
{
    static uint8_t state[8192];
    struct buf     c = { .n = 0 }, sv = { .n = 0 }, body = { .n = 0 }, hs = { .n = 0 };
    static const uint8_t ccs = 1, fake_cert[300] = { 0x30, 0x82 };
    struct buf     certs = { .n = 0 };

    memset(&seen, 0, sizeof(seen));
    memset(state, 0, sizeof(state));
    assert_true(tls_analyzer.state_size <= sizeof(state));
    tls_analyzer.init(NULL, state);

    chrome_hello_body(&body, "www.example.com");
    handshake(&hs, 1, &body);
    record(&c, 22, hs.b, hs.n);

    /* ServerHello(ECDHE-RSA-AES128-GCM, ALPN h2) + Certificate + SKE + ServerHelloDone in one
     * handshake stream split over two records */
    body.n = hs.n = 0;
    put16(&body, 0x0303);
    for (int i = 0; i < 32; i++)
        put8(&body, 0x40 + i);
    put8(&body, 0);
    put16(&body, 0xc02f);
    put8(&body, 0);
    {
        size_t e = mark16(&body), a, l;

        put16(&body, 16);
        a = mark16(&body);
        l = mark16(&body);
        put8(&body, 2);
        putn(&body, "h2", 2);
        end16(&body, l);
        end16(&body, a);
        end16(&body, e);
    }
    handshake(&hs, 2, &body);
    put24(&certs, 2 * (3 + sizeof(fake_cert)));
    put24(&certs, sizeof(fake_cert));
    putn(&certs, fake_cert, sizeof(fake_cert));
    put24(&certs, sizeof(fake_cert));
    putn(&certs, fake_cert, sizeof(fake_cert));
    handshake(&hs, 11, &certs);
    body.n = 0;
    put8(&body, 3);
    put16(&body, 0x17);
    put8(&body, 0);
    handshake(&hs, 12, &body);
    body.n = 0;
    handshake(&hs, 14, &body);
    record(&sv, 22, hs.b, 500);
    record(&sv, 22, hs.b + 500, hs.n - 500);

    assert_int_equal(feed(state, FLOW_DIR_ORIG, c.b, c.n, 7), 0);
    assert_int_equal(feed(state, FLOW_DIR_RESP, sv.b, sv.n, 100), 0);
    c.n = 0;
    body.n = 0;
    put16(&body, 0x0100);
    body.n = 0x102;
    memset(body.b + 2, 0x55, 0x100);
    hs.n = 0;
    handshake(&hs, 16, &body);
    record(&c, 22, hs.b, hs.n);
    record(&c, 20, &ccs, 1);
    record(&c, 22, fake_cert, 40);              /* encrypted Finished */
    assert_int_equal(feed(state, FLOW_DIR_ORIG, c.b, c.n, 3), 0);
    assert_int_equal(seen.logs, 0);
    sv.n = 0;
    record(&sv, 20, &ccs, 1);
    record(&sv, 22, fake_cert, 40);
    assert_int_equal(feed(state, FLOW_DIR_RESP, sv.b, sv.n, 1000), 0);

    assert_int_equal(seen.logs, 1);
    assert_true(seen.established);
    assert_string_equal(seen.version, "TLSv12");
    assert_string_equal(seen.cipher, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(seen.curve, "secp256r1");
    assert_string_equal(seen.sni, "www.example.com");
    assert_string_equal(seen.alpn, "h2");
    assert_string_equal(seen.history, "CsxknGIi");
    assert_string_equal(seen.ja3, "98487aa16281980e7d1120d399efb6a4");
    assert_true(seen.fps_set);
    assert_int_equal(seen.n_fps, 2);
    assert_int_equal(seen.cert_files, 2);   /* each certificate is a file (X.509 file analysis) */
    assert_int_equal(seen.n_cfps, 0);
    assert_int_equal(strlen(seen.fps0), 64);
    /* the fake certificate does not parse, so there is no SNI verdict */
    assert_false(seen.sni_match_set);
    assert_true(seen.ech);
    assert_int_equal(seen.violations, 0);
    tls_analyzer.end(NULL, state);
    assert_int_equal(seen.logs, 1);
}

static void test_bad_record_version_violates(void **unused)
{
    static uint8_t state[8192];
    struct buf     c = { .n = 0 }, body = { .n = 0 }, hs = { .n = 0 };
    static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0x01, 0x01, 0x16 };

    memset(&seen, 0, sizeof(seen));
    memset(state, 0, sizeof(state));
    tls_analyzer.init(NULL, state);
    chrome_hello_body(&body, "x.test");
    handshake(&hs, 1, &body);
    record(&c, 22, hs.b, hs.n);
    putn(&c, junk, sizeof(junk));
    assert_int_equal(feed(state, FLOW_DIR_ORIG, c.b, c.n, 4096), 0);
    assert_int_equal(seen.violations, 1);
    assert_int_equal(seen.logs, 1);
    assert_false(seen.established);
    assert_string_equal(seen.history, "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_client_hello_fingerprints),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_tls12_across_segments),
        cmocka_unit_test(test_bad_record_version_violates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
