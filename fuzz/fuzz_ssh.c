/* fuzz/fuzz_ssh.c - libFuzzer target: the SSH analyzer, from seeds of real SSH conversations. */
#define FUZZ_PORT 2222
#include "stream_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run(data, size, 0);
    return 0;
}
