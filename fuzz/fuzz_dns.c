/* fuzz/fuzz_dns.c - libFuzzer target: the DNS analyzer over UDP datagrams (each chunk one message). */
#define FUZZ_PORT 5300
#include "stream_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run(data, size, 1);
    return 0;
}
