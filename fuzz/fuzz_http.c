/* fuzz/fuzz_http.c - libFuzzer target: the HTTP analyzer, from seeds of real HTTP conversations. */
#define FUZZ_PORT 8080
#include "stream_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run(data, size, 0);
    return 0;
}
