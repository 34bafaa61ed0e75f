/* fuzz/stream_harness.h - drives a whole TCP or UDP conversation through the engine from fuzz input.
 *
 * Each target sets FUZZ_PORT and starts from seeds of real conversations of its protocol
 * (fuzz/make_stream_seeds.py), so identification attaches that analyzer and mutations reach its
 * parser; the port only orders probes, as in production. The input is a series of records: a control byte (bit 0: direction, bit 1: drop this chunk to make a
 * gap, bits 2-7: length/4 of the next chunk, 0 = the rest) and the chunk. Frames are built into one
 * static buffer; the engine copies what it keeps. */
#ifndef PW_FUZZ_STREAM_HARNESS_H
#define PW_FUZZ_STREAM_HARNESS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "files/files.h"
#include "log/log_set.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char harness_log_dir[64];
static uint8_t harness_frame[1600];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memcpy(harness_log_dir, "/dev/shm/pwfz-XXXXXX", 21);
    if (mkdtemp(harness_log_dir) == NULL)
        abort();
    return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* Ethernet + IPv4 + TCP/UDP around payload; returns the frame length. Checksums are left zero
 * (the engine runs with checksums ignored, as -C). */
static uint32_t harness_build(int dir, int udp, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *pl,
                              uint32_t len)
{
    static const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    uint8_t *f = harness_frame, *ip = f + 14, *l4 = ip + 20;
    uint32_t l4len = udp ? 8 : 20;

    if (len > sizeof(harness_frame) - 14 - 20 - l4len)
        len = sizeof(harness_frame) - 14 - 20 - l4len;
    memset(f, 0, 14 + 20 + l4len);
    f[12] = 0x08;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + l4len + len));
    ip[8] = 64;
    ip[9] = udp ? 17 : 6;
    memcpy(ip + 12, dir ? b : a, 4);
    memcpy(ip + 16, dir ? a : b, 4);
    put16(l4, dir ? FUZZ_PORT : 40000);
    put16(l4 + 2, dir ? 40000 : FUZZ_PORT);
    if (udp) {
        put16(l4 + 4, (uint16_t)(8 + len));
    } else {
        put32(l4 + 4, seq);
        put32(l4 + 8, ack);
        l4[12] = 0x50;
        l4[13] = flags;
        put16(l4 + 14, 65535);
    }
    if (len > 0)
        memcpy(l4 + l4len, pl, len);
    return 14 + 20 + l4len + len;
}

static void harness_run(const uint8_t *data, size_t size, int udp)
{
    struct log_set_config lc = {.dir = harness_log_dir, .format = LOG_FORMAT_TSV};
    struct engine_config ec = {.ignore_checksums = true, .seeded = true, .seed = 1, .max_flows = 16, .max_files = 8, .file_hashes = FILES_HASH_ALL,
                               .reasm_memcap = 1 << 20, .reasm_per_dir_cap = 256 << 10};
    uint32_t seq[2] = {1000, 5000};
    char err[256];
    struct log_set *logs = log_set_create(&lc, err, sizeof(err));
    struct engine *e;
    pw_time ts = 1000 * PW_SEC;
    size_t off = 0;
    uint32_t n;

    if (logs == NULL || (e = engine_create(&ec, logs, err, sizeof(err))) == NULL)
        abort();
    if (!udp) {
        n = harness_build(0, 0, seq[0]++, 0, 0x02, NULL, 0);
        engine_frame(e, 1, ts, harness_frame, n, n);
        n = harness_build(1, 0, seq[1]++, seq[0], 0x12, NULL, 0);
        engine_frame(e, 1, ts, harness_frame, n, n);
    }
    while (off < size) {
        uint8_t ctl = data[off++];
        int d = ctl & 1;
        size_t len = (size_t)(ctl >> 2) * 4;

        if (len == 0 || len > size - off)
            len = size - off;
        if (!(ctl & 2)) {
            n = harness_build(d, udp, seq[d], seq[!d], 0x18, data + off, (uint32_t)len);
            engine_frame(e, 1, ts += PW_MSEC, harness_frame, n, n);
        }
        seq[d] += (uint32_t)len;
        off += len;
    }
    if (!udp) {
        n = harness_build(0, 0, seq[0], seq[1], 0x11, NULL, 0);
        engine_frame(e, 1, ts += PW_MSEC, harness_frame, n, n);
        n = harness_build(1, 0, seq[1], seq[0] + 1, 0x11, NULL, 0);
        engine_frame(e, 1, ts += PW_MSEC, harness_frame, n, n);
    }
    engine_finish(e);
    engine_free(e);
    log_set_free(logs);
}

#endif
