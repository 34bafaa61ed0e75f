/* tests/unit/capture/capture_file_fixture.h - the capture readers' tests: bytes written to a temporary file, opened through capture_file_open, removed when done. */
#ifndef PW_TESTS_CAPTURE_FILE_FIXTURE_H
#define PW_TESTS_CAPTURE_FILE_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture/capture.h"

static char fixture_path[64];

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

#endif
