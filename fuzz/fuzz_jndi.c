/* fuzz/fuzz_jndi.c - libFuzzer target: the JNDI normaliser, its base64 entry and Corelight's test
 * and target parse on any bytes; aborts on a malformed hit or an unstable count. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "detect/jndi.h"

#define FUZZ_HITS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t size)
{
    if (memchr(s, '\0', size) == NULL)
        abort();
}

static void check_hits(const struct jndi_hit *h, int n)
{
    if (n < 0)
        abort();
    for (int i = 0; i < n && i < FUZZ_HITS; i++) {
        check_str(h[i].scheme, sizeof(h[i].scheme));
        check_str(h[i].host, sizeof(h[i].host));
        check_str(h[i].path, sizeof(h[i].path));
        check_str(h[i].raw, sizeof(h[i].raw));
        check_str(h[i].normalized, sizeof(h[i].normalized));
        if (strncmp(h[i].normalized, "${jndi:", 7) != 0 || h[i].raw[0] == '\0')
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jndi_hit hits[FUZZ_HITS];
    char uri[64], stem[64], host[64], port[64];
    size_t cut = size > 0 ? 1 + data[0] % sizeof(uri) : sizeof(uri);
    int n;

    n = jndi_scan(data, size, hits, FUZZ_HITS);
    check_hits(hits, n);
    if (jndi_scan(data, size, NULL, 0) != n)
        abort();
    n = jndi_scan_base64(data, size, hits, FUZZ_HITS);
    check_hits(hits, n);
    (void)jndi_corelight_match(data, size);
    jndi_corelight_target(data, size, uri, stem, host, port, cut);
    check_str(uri, cut);
    check_str(stem, cut);
    check_str(host, cut);
    check_str(port, cut);
    return 0;
}
