/* fuzz/fuzz_engine.c - libFuzzer target: decode + flow table + conn tracking + reassembly.
 *
 * The input is a packet sequence shaped like a capture: each record is a 1-byte link type
 * selector, a 2-byte big-endian length and that many frame bytes. Timestamps advance by the
 * selector's high bits so timers (fragment timeouts, flow expiry) fire too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "files/files.h"
#include "log/log_set.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const int link_types[8] = {1, 1, 1, 113, 276, 101, 0, 108};
static char log_dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    memcpy(log_dir, "/dev/shm/pwfz-XXXXXX", 21);
    if (mkdtemp(log_dir) == NULL)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct log_set_config lc = {.dir = log_dir, .format = LOG_FORMAT_TSV};
    struct engine_config ec = {.seeded = true, .seed = 1, .max_flows = 64, .max_files = 8, .file_hashes = FILES_HASH_ALL,
                               .reasm_memcap = 1 << 20, .reasm_per_dir_cap = 64 << 10};
    char err[256];
    struct log_set *logs = log_set_create(&lc, err, sizeof(err));
    struct engine *e;
    pw_time ts = 1000 * PW_SEC;
    size_t off = 0;

    if (logs == NULL)
        abort();
    e = engine_create(&ec, logs, err, sizeof(err));
    if (e == NULL)
        abort();
    while (off + 3 <= size) {
        uint8_t sel = data[off];
        size_t len = ((size_t)data[off + 1] << 8) | data[off + 2];

        off += 3;
        if (len > size - off)
            len = size - off;
        ts += (pw_time)(sel >> 3) * (sel & 0x80 ? 10 * PW_SEC : PW_MSEC);
        engine_frame(e, link_types[sel & 7], ts, data + off, (uint32_t)len, (uint32_t)len);
        off += len;
    }
    engine_finish(e);
    engine_free(e);
    log_set_free(logs);
    return 0;
}
