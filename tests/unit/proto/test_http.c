/* tests/unit/proto/test_http.c - HTTP line parsers, URI unescaping, probe, and the analyzer
 * driven through stubbed session calls: pipelining, bodies, gzip, 1xx, violations, the hook. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "detect/jndi.h"
#include "proto/analyzer.h"
#include "proto/http.h"
#include "proto/http_int.h"
#include "proto/session.h"

extern const struct analyzer http_analyzer;

/* ---- session stubs ---- */

#define MAX_ROWS 8
struct row {
    uint64_t depth, req_len, resp_len, status, info;
    char method[32], uri[128], host[64], version[8], msg[64], ua[64], user[64], pass[64];
    bool has_status, has_info, has_method, has_pass;
};

static struct {
    int confirms, violations, weirds, headers, nrows;
    char violation_reason[64];
    bool weird_seen[WEIRD_COUNT];
    char last_hdr_name[32], last_hdr_value[64], domain[64];
    struct row rows[MAX_ROWS];
    void *state;
    bool detached;
    int attempts, downloads;
    enum attempt_where attempt_where;
    char attempt_host[64];
    bool tagged;
} seen;

static void cp(char *dst, size_t size, struct log_str v)
{
    snprintf(dst, size, "%.*s", (int)v.len, v.ptr);
}

pw_time session_now(const struct session *s) { return 1000; }
void session_conn_id(const struct session *s, struct log_str *uid, struct log_conn_id *id)
{
    *uid = log_str_from("C1", 2);
    memset(id, 0, sizeof(*id));
}
const char *session_uid(const struct session *s) { return "C1"; }
unsigned session_transport(const struct session *s) { return TRANSPORT_TCP; }
void session_confirm(struct session *s) { seen.confirms++; }
void session_violation(struct session *s, const char *reason, const uint8_t *data, size_t len)
{
    seen.violations++;
    snprintf(seen.violation_reason, sizeof(seen.violation_reason), "%s", reason);
    http_analyzer.end(s, seen.state);
    seen.detached = true;
}
void session_weird(struct session *s, enum weird_id id, const char *addl)
{
    seen.weirds++;
    seen.weird_seen[id] = true;
}
void session_script_weird(struct session *s, enum weird_id id, const char *addl)
{
    session_weird(s, id, addl);
}
bool session_tcp_partial(const struct session *s)
{
    return false;
}
int session_log(struct session *s, const struct log_schema *schema, const void *record)
{
    const struct http_record *r = record;
    struct row *w;

    if (seen.nrows == MAX_ROWS)
        return 0;
    w = &seen.rows[seen.nrows++];
    memset(w, 0, sizeof(*w));
    w->depth = r->trans_depth;
    w->req_len = r->request_body_len;
    w->resp_len = r->response_body_len;
    w->status = r->status_code;
    w->info = r->info_code;
    w->has_status = (r->log_set >> HTTP_F_STATUS_CODE) & 1;
    w->has_info = (r->log_set >> HTTP_F_INFO_CODE) & 1;
    w->has_method = (r->log_set >> HTTP_F_METHOD) & 1;
    w->has_pass = (r->log_set >> HTTP_F_PASSWORD) & 1;
    cp(w->method, sizeof(w->method), r->method);
    cp(w->uri, sizeof(w->uri), r->uri);
    cp(w->host, sizeof(w->host), r->host);
    cp(w->version, sizeof(w->version), r->version);
    cp(w->msg, sizeof(w->msg), r->status_msg);
    cp(w->ua, sizeof(w->ua), r->user_agent);
    cp(w->user, sizeof(w->user), r->username);
    cp(w->pass, sizeof(w->pass), r->password);
    return 0;
}
struct file_ctx *session_file_open(struct session *s, enum flow_dir dir, const char *source, uint64_t total_bytes,
                                   const char *filename, size_t filename_len)
{
    return NULL;
}
struct file_ctx *session_file_open_shared(struct session *s, enum flow_dir dir, const char *source, const char *key,
                                          size_t key_len, uint64_t total_bytes)
{
    return NULL;
}
void session_set_domain(struct session *s, const char *name, size_t len)
{
    snprintf(seen.domain, sizeof(seen.domain), "%.*s", (int)len, name);
}

bool session_lookup_attempt(struct session *s, enum flow_dir dir, const struct lookup_attempt *a)
{
    seen.attempts++;
    seen.attempt_where = a->where;
    snprintf(seen.attempt_host, sizeof(seen.attempt_host), "%s", a->hit != NULL ? a->hit->host : "");
    return true;
}
bool session_java_download(struct session *s, const struct java_download *d)
{
    seen.downloads++;
    return true;
}

static void hook(struct session *s, enum flow_dir dir, const char *name, size_t nlen, const char *value, size_t vlen)
{
    seen.headers++;
    snprintf(seen.last_hdr_name, sizeof(seen.last_hdr_name), "%.*s", (int)nlen, name);
    snprintf(seen.last_hdr_value, sizeof(seen.last_hdr_value), "%.*s", (int)vlen, value);
}

/* Feeds like the session does: unconsumed bytes are kept and handed back with the next ones. */
struct feeder {
    uint8_t buf[2][65536];
    size_t  held[2];
};

static void feed(struct feeder *f, enum flow_dir dir, const void *data, size_t len, size_t chunk)
{
    const uint8_t *p = data;

    for (size_t off = 0; off < len && !seen.detached; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        struct parse_result r;

        memcpy(f->buf[dir] + f->held[dir], p + off, n);
        f->held[dir] += n;
        r = http_analyzer.parse(NULL, seen.state, dir, f->buf[dir], f->held[dir]);
        if (seen.detached)
            return;
        assert_int_equal(r.status, PARSE_OK);
        assert_true(r.consumed <= f->held[dir]);
        memmove(f->buf[dir], f->buf[dir] + r.consumed, f->held[dir] - r.consumed);
        f->held[dir] -= r.consumed;
    }
}

static struct feeder *start(void)
{
    static struct feeder f;

    memset(&seen, 0, sizeof(seen));
    memset(&f, 0, sizeof(f));
    seen.state = calloc(1, http_analyzer.state_size);
    http_header_hook = NULL;
    http_capture_password = false;
    return &f;
}

static void finish(void)
{
    if (!seen.detached)
        http_analyzer.end(NULL, seen.state);
    free(seen.state);
}

/* ---- pure parsers ---- */

static void test_request_line(void **st)
{
    struct http_request_line rl;
    const char *l1 = "GET /a%20b HTTP/1.1", *l2 = "OPTIONS HTTP/1.1", *l3 = "\xc3\x83/ HTTP/1.1", *l4 = "GET /x";

    assert_int_equal(http_parse_request_line(l1, strlen(l1), &rl), HTTP_REQ_OK);
    assert_int_equal(rl.method_len, 3);
    assert_int_equal(rl.uri_len, 6);
    assert_memory_equal(rl.uri, "/a%20b", 6);
    assert_true(rl.set_version);
    assert_int_equal(rl.version.major, 1);
    assert_int_equal(rl.version.minor, 1);

    assert_int_equal(http_parse_request_line(l2, strlen(l2), &rl), HTTP_REQ_OK);
    assert_true(rl.flags & HTTP_RL_MISSING_URI);
    assert_int_equal(rl.uri_len, 0);

    assert_int_equal(http_parse_request_line(l3, strlen(l3), &rl), HTTP_REQ_BAD_WITH_VERSION);
    assert_int_equal(http_parse_request_line("GET/ x", 6, &rl), HTTP_REQ_BAD);

    assert_int_equal(http_parse_request_line(l4, strlen(l4), &rl), HTTP_REQ_OK);
    assert_int_equal(rl.version.major, 0);
    assert_int_equal(rl.version.minor, 9);
}

static void test_reply_line(void **st)
{
    struct http_reply_line rp;

    assert_true(http_parse_reply_line("HTTP/1.1 404 Not Found", 22, &rp));
    assert_int_equal(rp.code, 404);
    assert_int_equal(rp.reason_len, 9);
    assert_memory_equal(rp.reason, "Not Found", 9);
    assert_true(http_parse_reply_line("HTTP/1.0 200", 12, &rp));
    assert_null(rp.reason);
    assert_false(http_parse_reply_line("HTTP/1.1", 8, &rp));
    assert_true(rp.prefix_ok);
    assert_false(http_parse_reply_line("SSH-2.0-x", 9, &rp));
    assert_false(rp.prefix_ok);
    assert_true(http_parse_reply_line("http/1.1 200 OK", 15, &rp));
    assert_true(rp.lowercase);
}

static void test_unescape(void **st)
{
    char out[64];
    unsigned flags = 0;
    const char *in = "%41%u0042%%43%zz";
    size_t n = http_unescape_uri(in, strlen(in), out, &flags);

    assert_int_equal(n, 6);
    assert_memory_equal(out, "ABC%zz", 6);
    assert_true(flags & HTTP_UNESC_DOUBLE);
    assert_true(flags & HTTP_UNESC_UNESCAPED);
    flags = 0;
    n = http_unescape_uri("/a%", 3, out, &flags);
    assert_int_equal(n, 3);
    assert_true(flags & HTTP_UNESC_ILLEGAL_END);
    flags = 0;
    n = http_unescape_uri("/a%4", 4, out, &flags);
    assert_int_equal(n, 4);
    assert_true(flags & HTTP_UNESC_PARTIAL_END);
}

static void test_helpers(void **st)
{
    int64_t v;
    char out[64];
    size_t n;
    const char *cd1 = "attachment; filename=\"a b.txt\"", *cd2 = "attachment; filename*=UTF-8''x%20y.bin";

    assert_true(http_atoi("1a;ext", 6, 16, &v));
    assert_int_equal(v, 26);
    assert_false(http_atoi("zz", 2, 16, &v));
    assert_true(http_atoi("", 0, 16, &v));
    assert_int_equal(v, 0);
    n = http_cd_filename(cd1, strlen(cd1), out, sizeof(out));
    assert_int_equal(n, 7);
    assert_memory_equal(out, "a b.txt", 7);
    n = http_cd_filename(cd2, strlen(cd2), out, sizeof(out));
    assert_int_equal(n, 7);
    assert_memory_equal(out, "x y.bin", 7);
    assert_true(http_basic_decode("Basic dXNlcjpwYXNz", 18, out, sizeof(out), &n));
    assert_int_equal(n, 9);
    assert_memory_equal(out, "user:pass", 9);
    assert_false(http_basic_decode("Bearer abc", 10, out, sizeof(out), &n));
    assert_true(http_known_method("PROPFIND", 8));
    assert_false(http_known_method("CCM_POST", 8));
}

static void test_probe(void **st)
{
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
    static const uint8_t dns[] = {0x00, 0x1d, 0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00};
    static const uint8_t ldap[] = {0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07, 0x02, 0x01, 0x03};
    uint8_t rnd[64];

    assert_int_equal(http_probe_bytes((const uint8_t *)"GET / HTTP/1.1\r\n", 16, FLOW_DIR_ORIG), PROBE_YES);
    assert_int_equal(http_probe_bytes((const uint8_t *)"GE", 2, FLOW_DIR_ORIG), PROBE_NEED_MORE);
    assert_int_equal(http_probe_bytes((const uint8_t *)"CCM_POST / HTTP/1.\n", 19, FLOW_DIR_ORIG), PROBE_YES);
    assert_int_equal(http_probe_bytes((const uint8_t *)"CCM_POST / x", 12, FLOW_DIR_ORIG), PROBE_NEED_MORE);
    assert_int_equal(http_probe_bytes((const uint8_t *)"HELO x\r\n", 8, FLOW_DIR_ORIG), PROBE_NO);
    assert_int_equal(http_probe_bytes((const uint8_t *)"SSH-2.0-OpenSSH_9\r\n", 19, FLOW_DIR_ORIG), PROBE_NO);
    assert_int_equal(http_probe_bytes(tls, sizeof(tls), FLOW_DIR_ORIG), PROBE_NO);
    assert_int_equal(http_probe_bytes(tls, sizeof(tls), FLOW_DIR_RESP), PROBE_NO);
    assert_int_equal(http_probe_bytes(dns, sizeof(dns), FLOW_DIR_ORIG), PROBE_NO);
    assert_int_equal(http_probe_bytes(ldap, sizeof(ldap), FLOW_DIR_ORIG), PROBE_NO);
    assert_int_equal(http_probe_bytes((const uint8_t *)"HTTP/1.1 200 OK", 15, FLOW_DIR_RESP), PROBE_YES);
    assert_int_equal(http_probe_bytes((const uint8_t *)"HTT", 3, FLOW_DIR_RESP), PROBE_NEED_MORE);
    assert_int_equal(http_probe_bytes((const uint8_t *)"SSH-2.0-x", 9, FLOW_DIR_RESP), PROBE_NO);
    srand(7);
    for (size_t i = 0; i < sizeof(rnd); i++)
        rnd[i] = (uint8_t)(rand() & 0xff);
    rnd[0] = 0x9c;
    assert_int_equal(http_probe_bytes(rnd, sizeof(rnd), FLOW_DIR_ORIG), PROBE_NO);
    assert_int_equal(http_analyzer.probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, FLOW_DIR_ORIG, TRANSPORT_UDP),
                     PROBE_NO);
}

/* ---- the analyzer ---- */

static void test_pipelining_and_bodies(void **st)
{
    struct feeder *f = start();
    const char *req = "GET /one HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: ua\r\n\r\n"
                      "GET /t%77o HTTP/1.1\r\nHost: example.com\r\n\r\n"
                      "HEAD /three HTTP/1.1\r\nHost: example.com\r\n\r\n";
    const char *rep = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                      "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n2\r\nde\r\n0\r\nX: y\r\n\r\n"
                      "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";

    http_header_hook = hook;
    feed(f, FLOW_DIR_ORIG, req, strlen(req), 7);
    feed(f, FLOW_DIR_RESP, rep, strlen(rep), 5);
    assert_int_equal(seen.nrows, 3);
    assert_int_equal(seen.rows[0].depth, 1);
    assert_string_equal(seen.rows[0].uri, "/one");
    assert_string_equal(seen.rows[0].host, "example.com");
    assert_string_equal(seen.rows[0].ua, "ua");
    assert_string_equal(seen.rows[0].version, "1.1");
    assert_int_equal(seen.rows[0].resp_len, 5);
    assert_int_equal(seen.rows[1].depth, 2);
    assert_string_equal(seen.rows[1].uri, "/two");
    assert_int_equal(seen.rows[1].status, 404);
    assert_string_equal(seen.rows[1].msg, "Not Found");
    assert_int_equal(seen.rows[1].resp_len, 5);
    assert_string_equal(seen.rows[2].method, "HEAD");
    assert_int_equal(seen.rows[2].resp_len, 0);   /* HEAD: no body despite Content-Length */
    assert_true(seen.confirms >= 1);
    assert_string_equal(seen.last_hdr_name, "Content-Length");
    assert_string_equal(seen.last_hdr_value, "1000");
    assert_string_equal(seen.domain, "example.com");
    assert_int_equal(seen.violations, 0);
    finish();
}

static void test_continue_and_auth(void **st)
{
    struct feeder *f = start();
    const char *req = "POST /up HTTP/1.1\r\nAuthorization: Basic dXNlcjpwYXNz\r\nContent-Length: 4\r\n"
                      "Expect: 100-continue\r\n\r\n";
    const char *rep1 = "HTTP/1.1 100 Continue\r\n\r\n";
    const char *rep2 = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";

    feed(f, FLOW_DIR_ORIG, req, strlen(req), 64);
    feed(f, FLOW_DIR_RESP, rep1, strlen(rep1), 64);
    feed(f, FLOW_DIR_ORIG, "data", 4, 64);
    assert_int_equal(seen.nrows, 0);
    feed(f, FLOW_DIR_RESP, rep2, strlen(rep2), 64);
    assert_int_equal(seen.nrows, 1);
    assert_int_equal(seen.rows[0].info, 100);
    assert_true(seen.rows[0].has_info);
    assert_int_equal(seen.rows[0].status, 201);
    assert_int_equal(seen.rows[0].req_len, 4);
    assert_int_equal(seen.rows[0].resp_len, 2);
    assert_string_equal(seen.rows[0].user, "user");
    assert_false(seen.rows[0].has_pass);   /* not captured by default */
    finish();
}

static void test_gzip_close_delimited(void **st)
{
    struct feeder *f = start();
    char plain[3000], hdr[128];
    uint8_t gz[4096];
    z_stream z;
    size_t glen;

    for (size_t i = 0; i < sizeof(plain); i++)
        plain[i] = (char)('a' + i % 7);
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)plain;
    z.avail_in = sizeof(plain);
    z.next_out = gz;
    z.avail_out = sizeof(gz);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    glen = sizeof(gz) - z.avail_out;
    deflateEnd(&z);
    feed(f, FLOW_DIR_ORIG, "GET /z HTTP/1.0\r\n\r\n", 19, 100);
    snprintf(hdr, sizeof(hdr), "HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n");
    feed(f, FLOW_DIR_RESP, hdr, strlen(hdr), 100);
    feed(f, FLOW_DIR_RESP, gz, glen, 50);
    assert_int_equal(seen.nrows, 0);   /* the body ends with the connection */
    finish();
    assert_int_equal(seen.nrows, 1);
    assert_int_equal(seen.rows[0].resp_len, sizeof(plain));
}

static void test_line_mode_body(void **st)
{
    struct feeder *f = start();
    const char *rep = "HTTP/1.1 200 OK\r\n\r\nHello\nWorld";

    feed(f, FLOW_DIR_ORIG, "GET / HTTP/1.1\r\n\r\n", 18, 100);
    feed(f, FLOW_DIR_RESP, rep, strlen(rep), 3);
    finish();
    assert_int_equal(seen.nrows, 1);
    /* each line counts two bytes of line end, the unterminated last one too (Zeek) */
    assert_int_equal(seen.rows[0].resp_len, 14);
}

static void test_violations(void **st)
{
    struct feeder *f = start();

    /* unconfirmed: a bad request line stops parsing the side but the reply is still logged */
    feed(f, FLOW_DIR_ORIG, "\x01junk / HTTP/1.1\r\n\r\n", 20, 100);
    assert_int_equal(seen.violations, 0);
    assert_true(seen.weird_seen[WEIRD_BAD_HTTP_REQUEST_WITH_VERSION]);
    feed(f, FLOW_DIR_RESP, "HTTP/1.0 400 Bad Request\r\nContent-Length: 1\r\n\r\nx", 48, 100);
    assert_int_equal(seen.nrows, 1);
    assert_false(seen.rows[0].has_method);
    assert_int_equal(seen.rows[0].status, 400);
    assert_int_equal(seen.confirms, 0);
    finish();

    /* confirmed, then cruft: the analyzer is removed */
    f = start();
    feed(f, FLOW_DIR_ORIG, "GET / HTTP/1.1\nHost: h\n\n", 24, 100);
    feed(f, FLOW_DIR_ORIG, "T / HTTP\n\n", 10, 100);
    assert_int_equal(seen.violations, 1);
    assert_string_equal(seen.violation_reason, "not a http request line");
    assert_true(seen.weird_seen[WEIRD_HTTP_VERSION_MISMATCH]);
    assert_int_equal(seen.nrows, 1);   /* the pending request was flushed on removal */
    finish();
}

static void test_unknown_method_and_09(void **st)
{
    struct feeder *f = start();

    feed(f, FLOW_DIR_ORIG, "CCM_POST /HTTP/1.1\n\n", 20, 100);
    assert_true(seen.weird_seen[WEIRD_UNKNOWN_HTTP_METHOD]);
    assert_true(seen.weird_seen[WEIRD_INVALID_HTTP09_METHOD]);
    feed(f, FLOW_DIR_RESP, "<html>raw</html>", 16, 4);
    finish();
    assert_int_equal(seen.nrows, 1);
    assert_string_equal(seen.rows[0].version, "0.9");
    assert_int_equal(seen.rows[0].status, 0);
    assert_string_equal(seen.rows[0].msg, "<empty>");
    assert_int_equal(seen.rows[0].resp_len, 16);
    assert_string_equal(seen.rows[0].uri, "/HTTP/1.1");
}

static void test_caps(void **st)
{
    struct feeder *f = start();
    static char big[HTTP_LINE_MAX + 100];
    char req[64];
    struct http_stats before, after;

    http_stats_get(&before);
    /* an over-long header line is cut, never held without bound */
    memcpy(big, "GET / HTTP/1.1\r\nX-Long: ", 24);
    memset(big + 24, 'a', sizeof(big) - 24 - 4);
    memcpy(big + sizeof(big) - 4, "\r\n\r\n", 4);
    feed(f, FLOW_DIR_ORIG, big, sizeof(big), 1000);
    assert_true(f->held[FLOW_DIR_ORIG] < http_analyzer.max_pending);
    http_stats_get(&after);
    assert_int_equal(after.long_lines, before.long_lines + 1);
    finish();

    /* more than 100 unanswered requests: flushed with HTTP_excessive_pipelining */
    f = start();
    for (int i = 0; i < 102; i++) {
        int n = snprintf(req, sizeof(req), "GET /%d HTTP/1.1\r\n\r\n", i);

        feed(f, FLOW_DIR_ORIG, req, (size_t)n, 100);
    }
    assert_true(seen.weird_seen[WEIRD_HTTP_EXCESSIVE_PIPELINING]);
    assert_int_equal(seen.nrows, MAX_ROWS);   /* rows were written (our stub keeps 8) */
    assert_int_equal(seen.rows[0].depth, 1);
    finish();
}

/* Random mixes of protocol fragments and noise: never a crash, never held past the cap. */
static void test_random_input(void **st)
{
    static const char *const frag[] = {
        "GET / HTTP/1.1\r\n", "HTTP/1.1 200 OK\r\n", "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n",
        "\r\n", "ffffffffffffffff\r\n", "0\r\n", " folded\r\n", "Content-Encoding: deflate\r\n",
        "HTTP/1.1 101 Switching\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n", "\x1f\x8b\x08\x00", "%u00", "\r",
        "Content-Range: bytes 5-1/3\r\n", "HTTP/1.1 206 P\r\n", "CONNECT h:443 HTTP/1.1\r\n",
    };
    uint8_t buf[4096];

    srand(11);
    for (int it = 0; it < 300; it++) {
        struct feeder *f = start();

        for (int k = 0; k < 2 && !seen.detached; k++) {
            size_t n = 0;

            while (n < sizeof(buf) - 128) {
                if (rand() % 3 == 0) {
                    buf[n++] = (uint8_t)(rand() & 0xff);
                } else {
                    const char *fr = frag[(size_t)rand() % (sizeof(frag) / sizeof(frag[0]))];
                    size_t l = strlen(fr);

                    memcpy(buf + n, fr, l);
                    n += l;
                }
            }
            feed(f, (enum flow_dir)(rand() % 2), buf, n, 1 + (size_t)(rand() % 700));
            assert_true(f->held[0] <= http_analyzer.max_pending && f->held[1] <= http_analyzer.max_pending);
            if (!seen.detached && rand() % 4 == 0)
                http_analyzer.gap(NULL, seen.state, (enum flow_dir)(rand() % 2), (uint64_t)(rand() % 5000));
        }
        finish();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_line),
        cmocka_unit_test(test_reply_line),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_pipelining_and_bodies),
        cmocka_unit_test(test_continue_and_auth),
        cmocka_unit_test(test_gzip_close_delimited),
        cmocka_unit_test(test_line_mode_body),
        cmocka_unit_test(test_violations),
        cmocka_unit_test(test_unknown_method_and_09),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_random_input),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
