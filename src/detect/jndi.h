/* detect/jndi.h - finds JNDI lookup strings (${jndi:ldap://host:port/x}) in text, undoing the
 * obfuscations Log4j itself would undo, with bounded work on hostile input.
 *
 * Pure functions: no allocation, no global state; callers own every buffer. */
#ifndef PW_DETECT_JNDI_H
#define PW_DETECT_JNDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JNDI_SCHEME_MAX 16
#define JNDI_HOST_MAX   256
#define JNDI_PATH_MAX   256
#define JNDI_TEXT_MAX   512    /* raw and normalised strings are cut (not rejected) at this */
#define JNDI_INPUT_MAX  65536  /* bytes of one input scanned; the rest is ignored */

/* Which layers had to be undone to see the lookup (bits, for the notice and docs). */
enum jndi_encoding {
    JNDI_ENC_URL         = 1u << 0,  /* %24%7B, once */
    JNDI_ENC_URL_DOUBLE  = 1u << 1,  /* %2524 */
    JNDI_ENC_UNICODE     = 1u << 2,  /* \\u0024, \\x24 */
    JNDI_ENC_HTML        = 1u << 3,  /* &#36; &dollar; &lbrace; */
    JNDI_ENC_BASE64      = 1u << 4,  /* ${base64:...} or a base64 input (Basic auth) */
    JNDI_ENC_LOOKUPS     = 1u << 5,  /* nested ${lower:} ${::-x} ${env:X:-y} ... */
};

struct jndi_hit {
    char     scheme[JNDI_SCHEME_MAX];   /* "ldap", "rmi", "dns", "ldaps", "iiop", "http", ... lower case */
    char     host[JNDI_HOST_MAX];       /* callback host as the JVM would use it; "" if none */
    uint16_t port;                      /* 0: none given */
    char     path[JNDI_PATH_MAX];       /* after the first '/' following host[:port]; "" if none */
    char     raw[JNDI_TEXT_MAX];        /* the input span that held the lookup, as found */
    char     normalized[JNDI_TEXT_MAX]; /* "${jndi:ldap://host:port/path}" after normalisation */
    unsigned encodings;                 /* enum jndi_encoding bits */
};

/* Scans len bytes of text for lookups. Writes at most max hits (distinct raw spans), returns how
 * many were found (may exceed max: only max are written). Work is O(len) with a cap on nesting
 * depth and on expansions, so hostile input cannot make it slow. */
int jndi_scan(const uint8_t *data, size_t len, struct jndi_hit *hits, int max);

/* The same, for a value that may be base64 (HTTP Basic credentials, ${base64:}): decodes it
 * first and scans the result; a non-base64 input gives 0. */
int jndi_scan_base64(const uint8_t *data, size_t len, struct jndi_hit *hits, int max);

/* Corelight's header test, kept for their notice semantics: /\$\{[^@][^}]+:[^}]+\}/ on ASCII text. */
bool jndi_corelight_match(const uint8_t *data, size_t len);

/* Corelight's target extraction from a raw matched value (their normalize(), split on the last
 * "//", cut at '}'): uri, stem (before the first '/'), host and port text; "-" for missing parts.
 * Each out buffer has size bytes. */
void jndi_corelight_target(const uint8_t *data, size_t len, char *uri, char *stem, char *host,
                           char *port, size_t size);

#endif
