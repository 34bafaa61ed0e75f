/* tests/unit/util/test_sd_notify.c - the sd_notify datagram reaches the socket $NOTIFY_SOCKET names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/sd_notify.h"

static void test_sends_state(void **unused)
{
    char path[64], buf[64];
    struct sockaddr_un sa;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/tmp/pw-notify-%d", (int)getpid());
    unlink(path);
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setenv("NOTIFY_SOCKET", path, 1);
    assert_int_equal(sd_notify_send("READY=1"), 1);
    n = recv(fd, buf, sizeof(buf) - 1, 0);
    assert_int_equal(n, 7);
    buf[n] = '\0';
    assert_string_equal(buf, "READY=1");
    close(fd);
    unlink(path);
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(sd_notify_send("READY=1"), 0);          /* not under systemd */
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    assert_int_equal(sd_notify_send("READY=1"), -1);         /* not a socket systemd would name */
    unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sends_state)};

    return cmocka_run_group_tests(tests, NULL, NULL);
}
