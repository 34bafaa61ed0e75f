/* tests/unit/capture/capture_file_fixture.h - the capture readers' tests: bytes written to a temporary file, opened through capture_file_open, removed when done. */
#ifndef PW_TESTS_CAPTURE_FILE_FIXTURE_H
#define PW_TESTS_CAPTURE_FILE_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "capture/capture.h"

static char fixture_path[64];

/* Two frames the readers' tests put in their files. */
static const uint8_t pkt_a[] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee};
static const uint8_t pkt_b[] = {0x45, 0x00, 0x00, 0x14, 0x01, 0x02, 0x03};

static struct capture *fixture_open(const uint8_t *bytes, size_t len, char *err, size_t errlen)
{
    int fd;

    snprintf(fixture_path, sizeof(fixture_path), "/tmp/test_capture_XXXXXX");
    fd = mkstemp(fixture_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    close(fd);
    return capture_file_open(fixture_path, err, errlen);
}

static struct capture *fixture_open_ok(const uint8_t *bytes, size_t len)
{
    char err[256] = "";
    struct capture *c = fixture_open(bytes, len, err, sizeof(err));

    if (c == NULL)
        fail_msg("open failed: %s", err);
    return c;
}

static void fixture_done(struct capture *c)
{
    capture_close(c);
    unlink(fixture_path);
}

/* The bytes through a named pipe, for the readers that take what cannot be mapped or rewound.
 * A child writes them and exits; *child is its pid, for fixture_reap. */
static struct capture *fixture_open_pipe(const uint8_t *bytes, size_t len, pid_t *child)
{
    static char path[64];
    char err[256] = "";
    struct capture *c;

    snprintf(path, sizeof(path), "/tmp/test_capture_fifo_%d", (int)getpid());
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    *child = fork();
    assert_true(*child >= 0);
    if (*child == 0) {
        FILE *fp = fopen(path, "wb");

        if (fp != NULL) {
            (void)fwrite(bytes, 1, len, fp);
            fclose(fp);
        }
        _exit(0);
    }
    c = capture_file_open(path, err, sizeof(err));
    unlink(path);
    if (c == NULL)
        fail_msg("open through a pipe: %s", err);
    return c;
}

static void fixture_reap(pid_t child)
{
    int st;

    assert_int_equal(waitpid(child, &st, 0), child);
}

#endif
