/* fuzz/fuzz_ldap.c - libFuzzer target: the LDAP analyzer (BER), from seeds of real LDAP conversations. */
#define FUZZ_PORT 389
#include "stream_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run(data, size, 0);
    return 0;
}
