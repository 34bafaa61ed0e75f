/* util/uid.c - uid generation (a keyed mix of a counter) and Zeek's base62 form. */
#include "util/uid.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void uid_gen_init(struct uid_gen *g, uint64_t seed, int seeded)
{
    uint64_t s = seed;

    memset(g, 0, sizeof(*g));
    if (!seeded) {
        /* Uniqueness across sensors matters more than secrecy; fall back to time and pid. */
        if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
            s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    }
    g->key[0] = splitmix64(&s);
    g->key[1] = splitmix64(&s);
}

void uid_gen_value(const struct uid_gen *g, uint64_t n, uint64_t v[2])
{
    uint64_t s0 = g->key[0] ^ (n * 0xd6e8feb86659fd93ULL);
    uint64_t s1 = g->key[1] + n;

    v[0] = splitmix64(&s0) >> 32;
    v[1] = splitmix64(&s1);
}

static size_t base62(uint64_t v, char *out)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char tmp[16];
    size_t n = 0, i;

    do {
        tmp[n++] = digits[v % 62];
        v /= 62;
    } while (v != 0);
    for (i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

size_t uid_format(char prefix, const uint64_t v[2], char *buf, size_t size)
{
    char tmp[UID_STRLEN];
    size_t n = 0;

    tmp[n++] = prefix;
    n += base62(v[0], tmp + n);
    n += base62(v[1], tmp + n);
    if (size == 0)
        return 0;
    if (n >= size)
        n = size - 1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return n;
}
