/* util/community_id.h - Community ID v1 flow hashes ("1:" + base64 of a SHA-1), for SIEM joins. */
#ifndef PW_UTIL_COMMUNITY_ID_H
#define PW_UTIL_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

#include "util/addr.h"

#define COMMUNITY_ID_STRLEN 32   /* "1:" + 28 base64 characters + NUL */

/* For ICMP/ICMPv6, sport/dport are the message type and code as received; the function applies
 * the spec's type mapping itself. Returns the length written, 0 on failure. */
size_t community_id_v1(uint16_t seed, const struct addr *saddr, const struct addr *daddr, uint8_t proto,
                       uint16_t sport, uint16_t dport, char *buf, size_t size);

#endif
