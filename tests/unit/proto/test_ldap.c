/* tests/unit/proto/test_ldap.c - the LDAP analyzer's pure parts: BER lengths and integers, message
 * decoding, filter rendering as Zeek writes it, Zeek's names, and the probe against other protocols. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "proto/ldap_int.h"

static const uint8_t bind_simple[] = {0x30, 0x2c, 0x02, 0x01, 0x01, 0x60, 0x27, 0x02, 0x01, 0x03, 0x04, 0x1a, 0x63, 0x6e, 0x3d, 0x61, 0x64, 0x6d, 0x69, 0x6e, 0x2c, 0x64, 0x63, 0x3d, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2c, 0x64, 0x63, 0x3d, 0x63, 0x6f, 0x6d, 0x80, 0x06, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74};
static const uint8_t bind_sasl[] = {0x30, 0x1e, 0x02, 0x02, 0x01, 0x2c, 0x60, 0x18, 0x02, 0x01, 0x03, 0x04, 0x00, 0xa3, 0x11, 0x04, 0x0a, 0x47, 0x53, 0x53, 0x2d, 0x53, 0x50, 0x4e, 0x45, 0x47, 0x4f, 0x04, 0x03, 0x60, 0x01, 0x00};
static const uint8_t bind_resp[] = {0x30, 0x12, 0x02, 0x02, 0x01, 0x2c, 0x61, 0x0c, 0x0a, 0x01, 0x0e, 0x04, 0x00, 0x04, 0x05, 0x62, 0x61, 0x64, 0xe9, 0x00};
static const uint8_t search_req[] = {0x30, 0x60, 0x02, 0x03, 0x01, 0x11, 0x70, 0x63, 0x59, 0x04, 0x11, 0x64, 0x63, 0x3d, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2c, 0x64, 0x63, 0x3d, 0x63, 0x6f, 0x6d, 0x0a, 0x01, 0x02, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, 0xa0, 0x2f, 0xa3, 0x0d, 0x04, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x04, 0x05, 0x54, 0x65, 0x73, 0x74, 0x28, 0x87, 0x04, 0x6d, 0x61, 0x69, 0x6c, 0xa1, 0x18, 0xa3, 0x0a, 0x04, 0x04, 0x64, 0x65, 0x70, 0x74, 0x04, 0x02, 0x61, 0x2a, 0xa3, 0x0a, 0x04, 0x04, 0x64, 0x65, 0x70, 0x74, 0x04, 0x02, 0x62, 0x5c, 0x30, 0x04, 0x04, 0x02, 0x63, 0x6e};
static const uint8_t flt_substr[] = {0xa4, 0x14, 0x04, 0x02, 0x63, 0x6e, 0x30, 0x0e, 0x80, 0x02, 0x61, 0x62, 0x81, 0x01, 0x63, 0x81, 0x02, 0x64, 0x29, 0x82, 0x01, 0x7a};
static const uint8_t flt_not_ext[] = {0xa2, 0x13, 0xa9, 0x11, 0x81, 0x05, 0x31, 0x2e, 0x32, 0x2e, 0x33, 0x82, 0x03, 0x75, 0x69, 0x64, 0x83, 0x03, 0x62, 0x6f, 0x62};
static const uint8_t flt_bad[] = {0xa3, 0x06, 0x04, 0x04, 0x6e, 0x61, 0x6d, 0x65};
static const uint8_t ext_starttls[] = {0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16, 0x31, 0x2e, 0x33, 0x2e, 0x36, 0x2e, 0x31, 0x2e, 0x34, 0x2e, 0x31, 0x2e, 0x31, 0x34, 0x36, 0x36, 0x2e, 0x32, 0x30, 0x30, 0x33, 0x37};
static const uint8_t del_req[] = {0x30, 0x0b, 0x02, 0x01, 0x05, 0x4a, 0x06, 0x63, 0x6e, 0x3d, 0x78, 0xc3, 0xa4};
static const uint8_t abandon[] = {0x30, 0x06, 0x02, 0x01, 0x06, 0x50, 0x01, 0x05};
static const uint8_t search_done_long[] = {0x30, 0x84, 0x00, 0x00, 0x00, 0x0c, 0x02, 0x01, 0x07, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00};
static const uint8_t modify_req[] = {0x30, 0x40, 0x02, 0x01, 0x08, 0x66, 0x3b, 0x04, 0x0b, 0x43, 0x4e, 0x3d, 0x50, 0x43, 0x2c, 0x44, 0x43, 0x3d, 0x61, 0x64, 0x30, 0x2c, 0x30, 0x2a, 0x0a, 0x01, 0x02, 0x30, 0x25, 0x04, 0x1d, 0x6d, 0x73, 0x44, 0x53, 0x2d, 0x53, 0x75, 0x70, 0x70, 0x6f, 0x72, 0x74, 0x65, 0x64, 0x45, 0x6e, 0x63, 0x72, 0x79, 0x70, 0x74, 0x69, 0x6f, 0x6e, 0x54, 0x79, 0x70, 0x65, 0x73, 0x31, 0x04, 0x04, 0x02, 0x32, 0x38};

static struct ldap_msg m;

static void assert_text(const char *want, const char *got, size_t len)
{
    assert_int_equal(strlen(want), len);
    assert_memory_equal(want, got, len);
}

static void test_ber_header(void **unused)
{
    static const uint8_t short_form[] = { 0x30, 0x05 };
    static const uint8_t long1[] = { 0x04, 0x81, 0xc8 };
    static const uint8_t long4[] = { 0x04, 0x84, 0x00, 0x01, 0x00, 0x00 };
    static const uint8_t long5[] = { 0x04, 0x85, 0x00, 0x00, 0x01, 0x00, 0x00 };
    static const uint8_t indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
    static const uint8_t cut[] = { 0x04, 0x82, 0x01 };
    struct ber_hdr h;

    assert_int_equal(BER_OK, ber_header(short_form, sizeof(short_form), &h));
    assert_int_equal(BER_UNIVERSAL, h.cls);
    assert_true(h.constructed);
    assert_int_equal(16, h.tag);
    assert_int_equal(2, h.hdr_len);
    assert_int_equal(5, h.len);
    assert_int_equal(BER_OK, ber_header(long1, sizeof(long1), &h));
    assert_int_equal(200, h.len);
    assert_int_equal(3, h.hdr_len);
    assert_int_equal(BER_OK, ber_header(long4, sizeof(long4), &h));
    assert_int_equal(65536, h.len);
    assert_int_equal(6, h.hdr_len);
    assert_int_equal(BER_BAD, ber_header(long5, sizeof(long5), &h));
    assert_int_equal(BER_BAD, ber_header(indefinite, sizeof(indefinite), &h));
    assert_int_equal(BER_NEED, ber_header(cut, sizeof(cut), &h));
    assert_int_equal(BER_NEED, ber_header(cut, 1, &h));
}

static void test_ber_int_oid(void **unused)
{
    static const uint8_t neg[] = { 0xff, 0x7f };
    static const uint8_t big[] = { 0x00, 0x80, 0x00, 0x00, 0x00 };
    static const uint8_t eight[] = { 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t nine[9] = { 0 };
    static const uint8_t krb5[] = { 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02 };
    int64_t v;
    char    oid[64];

    assert_true(ber_int(neg, sizeof(neg), &v));
    assert_int_equal(-129, v);
    assert_true(ber_int(big, sizeof(big), &v));
    assert_int_equal(0x80000000LL, v);
    assert_true(ber_int(eight, sizeof(eight), &v));
    assert_int_equal(INT64_MAX, v);
    assert_false(ber_int(nine, sizeof(nine), &v));
    assert_false(ber_int(neg, 0, &v));
    assert_true(ber_oid_text(krb5, sizeof(krb5), oid, sizeof(oid)));
    assert_string_equal("1.2.840.48018.1.2.2", oid);
    assert_false(ber_oid_text(krb5, 2, oid, sizeof(oid)));   /* ends inside a sub-identifier */
    assert_false(ber_oid_text(krb5, sizeof(krb5), oid, 8));  /* does not fit */
}

static void test_bind(void **unused)
{
    size_t used;

    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(bind_simple, sizeof(bind_simple), &m, &used));
    assert_int_equal(sizeof(bind_simple), used);
    assert_int_equal(1, m.id);
    assert_int_equal(LDAP_OP_BIND_REQ, m.op);
    assert_true(m.request);
    assert_int_equal(3, m.version);
    assert_int_equal(LDAP_AUTH_SIMPLE, m.auth);
    assert_text("cn=admin,dc=example,dc=com", m.object, m.object_len);
    assert_text("secret", m.arg, m.arg_len);

    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(bind_sasl, sizeof(bind_sasl), &m, &used));
    assert_int_equal(300, m.id);
    assert_int_equal(LDAP_AUTH_SASL, m.auth);
    assert_int_equal(0, m.object_len);
    assert_text("GSS-SPNEGO", m.mech, m.mech_len);
    assert_text("GSS-SPNEGO", m.arg, m.arg_len);

    /* Zeek decodes the diagnostic as ASCII: 0xe9 and the trailing NUL become '?' */
    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(bind_resp, sizeof(bind_resp), &m, &used));
    assert_int_equal(LDAP_OP_BIND_RESP, m.op);
    assert_false(m.request);
    assert_true(m.has_result);
    assert_int_equal(14, m.result);
    assert_text("bad??", m.diag, m.diag_len);
    assert_false(m.has_serversaslcreds_krb5);
}

static void test_framing(void **unused)
{
    uint8_t two[sizeof(bind_simple) + sizeof(abandon)];
    size_t  used;
    int64_t id;
    int     op;

    /* one message cut short: NEED with its full size; header cut: NEED with 0 */
    assert_int_equal(LDAP_PARSE_NEED, ldap_msg_parse(bind_simple, 10, &m, &used));
    assert_int_equal(sizeof(bind_simple), used);
    assert_int_equal(LDAP_PARSE_NEED, ldap_msg_parse(bind_simple, 1, &m, &used));
    assert_int_equal(0, used);
    assert_true(ldap_msg_peek(bind_simple, 10, &id, &op));
    assert_int_equal(1, id);
    assert_int_equal(LDAP_OP_BIND_REQ, op);
    /* two messages in one segment: the first is consumed alone */
    memcpy(two, bind_simple, sizeof(bind_simple));
    memcpy(two + sizeof(bind_simple), abandon, sizeof(abandon));
    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(two, sizeof(two), &m, &used));
    assert_int_equal(sizeof(bind_simple), used);
    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(two + used, sizeof(two) - used, &m, &used));
    assert_int_equal(LDAP_OP_ABANDON_REQ, m.op);
    assert_text("5", m.object, m.object_len);
    /* a long-form (4-octet) message length */
    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(search_done_long, sizeof(search_done_long), &m, &used));
    assert_int_equal(sizeof(search_done_long), used);
    assert_int_equal(7, m.id);
    assert_int_equal(LDAP_OP_SEARCH_DONE, m.op);
    assert_int_equal(0, m.result);
    /* not a SEQUENCE, and an indefinite length: refused */
    assert_int_equal(LDAP_PARSE_BAD, ldap_msg_parse((const uint8_t *)"\x31\x03\x02\x01\x01", 5, &m, &used));
    assert_int_equal(LDAP_PARSE_BAD, ldap_msg_parse((const uint8_t *)"\x30\x80\x02\x01\x01\x00\x00", 7, &m, &used));
}

static void test_large_refused(void **unused)
{
    static const uint8_t huge[] = { 0x30, 0x84, 0x00, 0x20, 0x00, 0x00, 0x02, 0x01, 0x01 };
    size_t used;

    assert_int_equal(LDAP_PARSE_BAD, ldap_msg_parse(huge, sizeof(huge), &m, &used));
}

static void test_other_ops(void **unused)
{
    size_t used;

    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(search_req, sizeof(search_req), &m, &used));
    assert_int_equal(70000, m.id);
    assert_int_equal(LDAP_OP_SEARCH_REQ, m.op);
    assert_int_equal(2, m.scope);
    assert_int_equal(0, m.deref);
    assert_text("dc=example,dc=com", m.object, m.object_len);
    assert_text("(&(&(name=Test\\28)(mail=*))(|(dept=a\\2a)(dept=b\\5c)))", m.filter, m.filter_len);

    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(ext_starttls, sizeof(ext_starttls), &m, &used));
    assert_int_equal(LDAP_OP_EXT_REQ, m.op);
    assert_text("1.3.6.1.4.1.1466.20037", m.object, m.object_len);

    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(del_req, sizeof(del_req), &m, &used));
    assert_int_equal(LDAP_OP_DEL_REQ, m.op);
    assert_text("cn=x??", m.object, m.object_len);

    assert_int_equal(LDAP_PARSE_OK, ldap_msg_parse(modify_req, sizeof(modify_req), &m, &used));
    assert_text("CN=PC,DC=ad", m.object, m.object_len);
    assert_text("replace(msDS-SupportedEncryptionTypes=28)", m.arg, m.arg_len);
}

static void test_filters(void **unused)
{
    char   out[LDAP_FILTER_MAX];
    size_t n;

    n = ldap_filter_render(flt_substr, sizeof(flt_substr), out, sizeof(out));
    assert_text("(cn=ab*c*d\\29*z)", out, n);
    n = ldap_filter_render(flt_not_ext, sizeof(flt_not_ext), out, sizeof(out));
    assert_text("(!(uid:1.2.3:=bob))", out, n);
    n = ldap_filter_render(flt_bad, sizeof(flt_bad), out, sizeof(out));
    assert_text("FILTER_PARSING_ERROR", out, n);
    n = ldap_filter_render(flt_substr, 5, out, sizeof(out));
    assert_text("FILTER_PARSING_ERROR", out, n);
    /* output is bounded */
    n = ldap_filter_render(flt_substr, sizeof(flt_substr), out, 6);
    assert_int_equal(6, n);
    assert_memory_equal("(cn=ab", out, 6);
}

static void test_names(void **unused)
{
    assert_string_equal("success", ldap_result_name(0));
    assert_string_equal("SASL bind in progress", ldap_result_name(14));
    assert_string_equal("invalid credentials", ldap_result_name(49));
    assert_string_equal("unknown", ldap_result_name(15));
    assert_string_equal("bind", ldap_opcode_name(LDAP_OP_BIND_RESP));
    assert_string_equal("modify", ldap_opcode_name(LDAP_OP_MODDN_RESP));
    assert_string_equal("extended", ldap_opcode_name(LDAP_OP_EXT_REQ));
    assert_string_equal("unknown", ldap_opcode_name(30));
    assert_string_equal("tree", ldap_scope_name(2));
    assert_string_equal("unknown", ldap_scope_name(3));
    assert_string_equal("always", ldap_deref_name(3));
}

static void test_probe(void **unused)
{
    static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c, 0x03, 0x03 };
    static const char    http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char    ssh[] = "SSH-2.0-OpenSSH_9.0\r\n";
    /* DNS over TCP whose length byte happens to be 0x30 */
    static const uint8_t dns[] = { 0x30, 0x1d, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm',
                                   0x00, 0x00, 0x01, 0x00, 0x01 };
    /* SEQUENCE, INTEGER, but a response tag from the client */
    static const uint8_t wrong_dir[] = { 0x30, 0x07, 0x02, 0x01, 0x01, 0x61, 0x02, 0x0a, 0x00 };
    uint8_t rnd[512];
    uint32_t x = 12345;

    assert_int_equal(LDAP_PROBE_YES, ldap_probe_message(bind_simple, sizeof(bind_simple), true, false));
    assert_int_equal(LDAP_PROBE_YES, ldap_probe_message(search_req, sizeof(search_req), true, false));
    assert_int_equal(LDAP_PROBE_YES, ldap_probe_message(bind_resp, sizeof(bind_resp), false, false));
    assert_int_equal(LDAP_PROBE_NO, ldap_probe_message(bind_resp, sizeof(bind_resp), true, false));
    assert_int_equal(LDAP_PROBE_NO, ldap_probe_message(bind_simple, sizeof(bind_simple), false, false));
    assert_int_equal(LDAP_PROBE_MORE, ldap_probe_message(bind_simple, 8, true, false));
    assert_int_equal(LDAP_PROBE_NO, ldap_probe_message(bind_simple, 8, true, true));
    assert_int_equal(LDAP_PROBE_NO, ldap_probe_message(tls, sizeof(tls), true, false));
    assert_int_equal(LDAP_PROBE_NO, ldap_probe_message((const uint8_t *)http, sizeof(http) - 1, true, false));
    assert_int_equal(LDAP_PROBE_NO, ldap_probe_message((const uint8_t *)ssh, sizeof(ssh) - 1, true, false));
    assert_int_equal(LDAP_PROBE_NO, ldap_probe_message(dns, sizeof(dns), true, false));
    assert_int_equal(LDAP_PROBE_NO, ldap_probe_message(wrong_dir, sizeof(wrong_dir), true, false));
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof(rnd); i++) {
            x = x * 1103515245u + 12345u;
            rnd[i] = (uint8_t)(x >> 16);
        }
        rnd[0] = 0x30;   /* even starting like a SEQUENCE */
        assert_int_not_equal(LDAP_PROBE_YES, ldap_probe_message(rnd, sizeof(rnd), true, true));
    }
}

/* Every truncation and many byte flips of real messages: decoded or refused, never read past. */
static void test_mutations(void **unused)
{
    static const struct { const uint8_t *p; size_t n; } seeds[] = {
        { bind_simple, sizeof(bind_simple) }, { bind_sasl, sizeof(bind_sasl) },
        { search_req, sizeof(search_req) }, { modify_req, sizeof(modify_req) },
    };
    uint32_t x = 99;
    int      ok = 0;

    for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
        uint8_t buf[128];
        size_t  used;

        for (size_t cut = 0; cut < seeds[k].n; cut++) {
            uint8_t *exact = test_malloc(cut + 1);   /* ASan sees any read past the cut */

            memcpy(exact, seeds[k].p, cut);
            assert_int_not_equal(LDAP_PARSE_OK, ldap_msg_parse(exact, cut, &m, &used));
            test_free(exact);
        }
        for (int round = 0; round < 2000; round++) {
            memcpy(buf, seeds[k].p, seeds[k].n);
            for (int f = 0; f < 3; f++) {
                x = x * 1103515245u + 12345u;
                buf[(x >> 8) % seeds[k].n] = (uint8_t)(x >> 20);
            }
            if (ldap_msg_parse(buf, seeds[k].n, &m, &used) == LDAP_PARSE_OK) {
                assert_true(used <= seeds[k].n);
                ok++;
            }
        }
    }
    assert_true(ok > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ber_header),
        cmocka_unit_test(test_ber_int_oid),
        cmocka_unit_test(test_bind),
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_large_refused),
        cmocka_unit_test(test_other_ops),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_mutations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
