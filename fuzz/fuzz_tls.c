/* fuzz/fuzz_tls.c - libFuzzer target: the TLS analyzer, from seeds of real TLS conversations. */
#define FUZZ_PORT 8443
#include "stream_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run(data, size, 0);
    return 0;
}
