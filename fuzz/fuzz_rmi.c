/* fuzz/fuzz_rmi.c - libFuzzer target: the Java RMI analyzer (JRMP framing, serialization scan), from seeds of a real JNDI lookup over RMI. */
#define FUZZ_PORT 1099
#include "stream_harness.h"

/* Seeds (fuzz/corpus/fuzz_rmi/) are the TCP payloads of examples/rmi-demo.pcap and ReturnData streams
 * written by OpenJDK 17 (tests/unit/proto/test_rmi.c has the same bytes), grouped into the harness's
 * 4-byte chunks: fixed-size messages ride with the next stream, streams end in TC_NULL padding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness_run(data, size, 0);
    return 0;
}
