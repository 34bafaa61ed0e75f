/* util/uid.h - Zeek-form connection uids: "C" + base62 of a 96-bit value, repeatable under a seed. */
#ifndef PW_UTIL_UID_H
#define PW_UTIL_UID_H

#include <stddef.h>
#include <stdint.h>

#define UID_STRLEN 24   /* 'C' + up to 6 + 11 base62 digits + NUL, rounded up */

struct uid_gen {
    uint64_t key[2];
};

/* seeded: uids depend only on seed and creation order (for tests); otherwise on getrandom(). */
void uid_gen_init(struct uid_gen *g, uint64_t seed, int seeded);

/* The 96-bit value of the n-th uid, as Zeek keeps it: v[0] holds 32 bits, v[1] 64. A pure
 * function of the key and n, so a flow stores only its creation number. */
void uid_gen_value(const struct uid_gen *g, uint64_t n, uint64_t v[2]);

/* Writes prefix + base62(v[0]) + base62(v[1]); returns the length. */
size_t uid_format(char prefix, const uint64_t v[2], char *buf, size_t size);

#endif
