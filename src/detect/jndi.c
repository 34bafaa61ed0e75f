/* detect/jndi.c - finds JNDI lookups in text, undoing Log4j's own obfuscation layers (skeleton). */
#include "detect/jndi.h"

int
jndi_scan(const uint8_t *data, size_t len, struct jndi_hit *hits, int max)
{
    return 0;
}

int
jndi_scan_base64(const uint8_t *data, size_t len, struct jndi_hit *hits, int max)
{
    return 0;
}

bool
jndi_corelight_match(const uint8_t *data, size_t len)
{
    return false;
}

void
jndi_corelight_target(const uint8_t *data, size_t len, char *uri, char *stem, char *host,
                      char *port, size_t size)
{
    if (size == 0)
        return;
    uri[0] = stem[0] = host[0] = port[0] = '\0';
}
