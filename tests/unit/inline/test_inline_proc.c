/* tests/unit/inline/test_inline_proc.c - /proc/net/{tcp,udp}[6] lines: parsing, and which socket owns a flow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "inline/inline_int.h"

/* The kernel prints each 32-bit word of an address as the CPU holds it; so does this, so the
 * samples are right on either byte order. */
static void hex_addr(char *out, size_t size, const char *text)
{
    struct addr a;
    size_t n = 0;

    assert_int_equal(addr_parse(&a, text), 0);
    if (addr_is_v4(&a) && strchr(text, ':') == NULL) {
        uint32_t w;

        memcpy(&w, a.b + 12, 4);
        snprintf(out, size, "%08X", w);
        return;
    }
    for (int i = 0; i < 4; i++) {
        uint32_t w;

        memcpy(&w, a.b + 4 * i, 4);
        n += (size_t)snprintf(out + n, size - n, "%08X", w);
    }
}

static size_t line(char *out, size_t size, int sl, const char *local, unsigned lport, const char *remote,
                   unsigned rport, unsigned st, unsigned uid, unsigned long inode)
{
    char l[40], r[40];

    hex_addr(l, sizeof(l), local);
    hex_addr(r, sizeof(r), remote);
    return (size_t)snprintf(out, size,
                            "%4d: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 00000000 %5u        0 %lu 1 "
                            "0000000000000000 100 0 0 10 0\n",
                            sl, l, lport, r, rport, st, uid, inode);
}

static const char header[] = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
                             "timeout inode\n";

static struct addr A(const char *s)
{
    struct addr a;

    assert_int_equal(addr_parse(&a, s), 0);
    return a;
}

static void test_parse_line(void **state)
{
    char buf[512];
    struct inline_sock s;
    struct addr want;
    size_t n = line(buf, sizeof(buf), 3, "10.77.0.2", 53924, "198.51.100.10", 443, 1, 1000, 99887);

    (void)state;
    assert_int_equal(inline_proc_parse_line(buf, n, false, &s), 0);
    want = A("10.77.0.2");
    assert_memory_equal(s.local.b, want.b, 16);
    want = A("198.51.100.10");
    assert_memory_equal(s.remote.b, want.b, 16);
    assert_int_equal(s.lport, 53924);
    assert_int_equal(s.rport, 443);
    assert_int_equal(s.state, 1);
    assert_int_equal(s.uid, 1000);
    assert_int_equal(s.inode, 99887);

    assert_int_equal(inline_proc_parse_line(header, sizeof(header) - 1, false, &s), -1);
    /* The v4 line is no v6 line. */
    assert_int_equal(inline_proc_parse_line(buf, n, true, &s), -1);
    /* Cut before the inode. */
    assert_int_equal(inline_proc_parse_line(buf, 70, false, &s), -1);
    /* A letter in the address. */
    buf[6] = 'G';
    assert_int_equal(inline_proc_parse_line(buf, n, false, &s), -1);
    assert_int_equal(inline_proc_parse_line("", 0, false, &s), -1);
}

static void test_parse_v6(void **state)
{
    char buf[512];
    struct inline_sock s;
    struct addr want;
    size_t n = line(buf, sizeof(buf), 0, "::ffff:10.77.0.2", 8080, "::ffff:10.77.0.1", 41000, 1, 0, 5);

    (void)state;
    assert_int_equal(inline_proc_parse_line(buf, n, true, &s), 0);
    /* An IPv4-mapped IPv6 socket is the IPv4 address in protowall's form. */
    want = A("10.77.0.2");
    assert_memory_equal(s.local.b, want.b, 16);
    assert_int_equal(s.lport, 8080);
    n = line(buf, sizeof(buf), 1, "2001:db8::5", 443, "2001:db8::9", 50000, 1, 33, 6);
    assert_int_equal(inline_proc_parse_line(buf, n, true, &s), 0);
    want = A("2001:db8::5");
    assert_memory_equal(s.local.b, want.b, 16);
    want = A("2001:db8::9");
    assert_memory_equal(s.remote.b, want.b, 16);
    assert_int_equal(s.uid, 33);
}

static void test_find(void **state)
{
    char text[4096];
    size_t n = 0;
    struct inline_sock s;
    struct addr me = A("10.77.0.2"), peer = A("198.51.100.10"), other = A("198.51.100.11"), gw = A("10.77.0.1");

    (void)state;
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", header);
    n += line(text + n, sizeof(text) - n, 0, "0.0.0.0", 8080, "0.0.0.0", 0, 10, 0, 100);            /* listener */
    n += line(text + n, sizeof(text) - n, 1, "10.77.0.2", 8080, "10.77.0.1", 41000, 1, 0, 101);     /* accepted */
    n += line(text + n, sizeof(text) - n, 2, "10.77.0.2", 53924, "198.51.100.10", 443, 2, 1000, 102); /* connecting */
    n += line(text + n, sizeof(text) - n, 3, "10.77.0.2", 53924, "198.51.100.11", 443, 1, 1001, 103); /* same port, other peer */
    n += line(text + n, sizeof(text) - n, 4, "127.0.0.1", 9000, "0.0.0.0", 0, 10, 0, 104);           /* loopback only */

    assert_true(inline_proc_find_text(text, n, false, &me, 53924, &peer, 443, &s));
    assert_int_equal(s.inode, 102);
    assert_int_equal(s.uid, 1000);
    assert_true(inline_proc_find_text(text, n, false, &me, 53924, &other, 443, &s));
    assert_int_equal(s.inode, 103);
    /* The connected socket beats the listener on the same port. */
    assert_true(inline_proc_find_text(text, n, false, &me, 8080, &gw, 41000, &s));
    assert_int_equal(s.inode, 101);
    /* A new inbound connection: only the listener exists yet. */
    assert_true(inline_proc_find_text(text, n, false, &me, 8080, &peer, 5000, &s));
    assert_int_equal(s.inode, 100);
    /* Bound to loopback: not ours for a flow on another address. */
    assert_false(inline_proc_find_text(text, n, false, &me, 9000, &peer, 5000, &s));
    assert_false(inline_proc_find_text(text, n, false, &me, 1, &peer, 443, &s));
    /* The last line without its newline still counts. */
    assert_true(inline_proc_find_text(text, n - 1, false, &me, 8080, &peer, 5000, &s));
}

static void test_match(void **state)
{
    struct inline_sock s;
    struct addr me = A("10.0.0.1"), peer = A("10.0.0.2"), any6 = A("::");

    (void)state;
    memset(&s, 0, sizeof(s));
    s.local = any6;   /* a dual-stack socket bound to :: */
    s.lport = 53;
    s.inode = 7;
    assert_int_equal(inline_proc_match(&s, &me, 53, &peer, 4000), 1);
    s.remote = peer;
    s.rport = 4000;
    assert_int_equal(inline_proc_match(&s, &me, 53, &peer, 4000), 2);
    assert_int_equal(inline_proc_match(&s, &me, 53, &peer, 4001), 0);
    s.inode = 0;   /* a socket in TIME_WAIT has no inode: nobody owns it */
    assert_int_equal(inline_proc_match(&s, &me, 53, &peer, 4000), 0);
}

static void test_lookup_self(void **state)
{
    /* The real /proc: a socket this test opens is found, with this program as its owner. */
    struct inline_proc *p = inline_proc_create("/proc", 64);
    char exe[INLINE_PROCESS_MAX], self[INLINE_PROCESS_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    struct addr lo = A("127.0.0.1"), none = A("0.0.0.0");
    uint32_t uid = 12345;
    int fd;

    (void)state;
    assert_non_null(p);
    assert_true(n > 0);
    self[n] = '\0';
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(0x7f000001)};
        socklen_t sl = sizeof(sa);

        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
        assert_true(inline_proc_lookup(p, 17, &lo, ntohs(sa.sin_port), &none, 0, &uid, exe, sizeof(exe)));
        assert_int_equal(uid, getuid());
        assert_string_equal(exe, self);
        /* Twice: the second answer comes from the cache. */
        assert_true(inline_proc_lookup(p, 17, &lo, ntohs(sa.sin_port), &none, 0, &uid, exe, sizeof(exe)));
        assert_string_equal(exe, self);
    }
    close(fd);
    inline_proc_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_line), cmocka_unit_test(test_parse_v6), cmocka_unit_test(test_find),
        cmocka_unit_test(test_match),      cmocka_unit_test(test_lookup_self),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
