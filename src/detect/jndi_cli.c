/* detect/jndi_cli.c - `protowall jndi-scan [--base64] [STRING...]`: the lookup detector on
 * arguments or stdin lines, one JSON object per hit. */
#include "detect/jndi_cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/jndi.h"

#define CLI_HITS_MAX 256

static const struct {
    unsigned    bit;
    const char *name;
} enc_names[] = {
    {JNDI_ENC_URL, "url"},   {JNDI_ENC_URL_DOUBLE, "url_double"}, {JNDI_ENC_UNICODE, "unicode"},
    {JNDI_ENC_HTML, "html"}, {JNDI_ENC_BASE64, "base64"},         {JNDI_ENC_LOOKUPS, "lookups"},
};

static void usage(FILE *f)
{
    fputs("usage: protowall jndi-scan [--base64] [STRING...]\n"
          "  Scans each STRING, or each line of stdin when none is given, for JNDI lookups\n"
          "  (${jndi:...} after undoing Log4j's own lookups and URL, \\u, HTML and base64\n"
          "  encodings) and prints one JSON object per hit. --base64 decodes each input first.\n"
          "  Exit status: 0 a lookup was found, 1 none, 2 usage or read error.\n",
          f);
}

/* Length of the well-formed UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
    size_t n;
    unsigned min;

    if (p[0] >= 0xc2 && p[0] <= 0xdf)
        n = 2, min = 0x80;
    else if (p[0] >= 0xe0 && p[0] <= 0xef)
        n = 3, min = 0x800;
    else if (p[0] >= 0xf0 && p[0] <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = p[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* A JSON string; bytes that are not UTF-8 are written as the Latin-1 code point they would be,
 * so the output stays valid JSON whatever the input held. */
static void json_string(FILE *out, const char *s)
{
    putc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        size_t n;

        if (*p == '"' || *p == '\\') {
            putc('\\', out);
            putc(*p, out);
        } else if (*p == '\n') {
            fputs("\\n", out);
        } else if (*p == '\r') {
            fputs("\\r", out);
        } else if (*p == '\t') {
            fputs("\\t", out);
        } else if (*p >= 0x20 && *p < 0x7f) {
            putc(*p, out);
        } else if (*p >= 0x80 && (n = utf8_len(p)) > 0) {
            fwrite(p, 1, n, out);
            p += n - 1;
        } else {
            fprintf(out, "\\u%04x", *p);
        }
    }
    putc('"', out);
}

static void print_hit(FILE *out, unsigned long line, const struct jndi_hit *h)
{
    bool first = true;

    fprintf(out, "{\"input_line\":%lu,\"scheme\":", line);
    json_string(out, h->scheme);
    fputs(",\"host\":", out);
    json_string(out, h->host);
    if (h->port != 0)
        fprintf(out, ",\"port\":%u", (unsigned)h->port);
    else
        fputs(",\"port\":null", out);
    fputs(",\"path\":", out);
    json_string(out, h->path);
    fputs(",\"raw\":", out);
    json_string(out, h->raw);
    fputs(",\"normalized\":", out);
    json_string(out, h->normalized);
    fputs(",\"encodings\":[", out);
    for (size_t i = 0; i < sizeof(enc_names) / sizeof(enc_names[0]); i++) {
        if (!(h->encodings & enc_names[i].bit))
            continue;
        fprintf(out, "%s\"%s\"", first ? "" : ",", enc_names[i].name);
        first = false;
    }
    fputs("]}\n", out);
}

/* Scans one input and prints its hits; returns how many were found. */
static int scan_one(unsigned long line, const char *s, size_t len, bool base64)
{
    static struct jndi_hit hits[CLI_HITS_MAX];
    int n = base64 ? jndi_scan_base64((const uint8_t *)s, len, hits, CLI_HITS_MAX)
                   : jndi_scan((const uint8_t *)s, len, hits, CLI_HITS_MAX);

    for (int i = 0; i < n && i < CLI_HITS_MAX; i++)
        print_hit(stdout, line, &hits[i]);
    return n;
}

int jndi_cli_main(int argc, char **argv)
{
    bool base64 = false, found = false;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long n = 0;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "--base64") == 0) {
            base64 = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "protowall jndi-scan: unknown option \"%s\"\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            break;
        }
    }
    if (i < argc) {
        for (; i < argc; i++) {
            if (scan_one(++n, argv[i], strlen(argv[i]), base64) > 0)
                found = true;
        }
    } else {
        while ((got = getline(&line, &cap, stdin)) >= 0) {
            while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
                got--;
            if (scan_one(++n, line, (size_t)got, base64) > 0)
                found = true;
        }
        free(line);
        if (ferror(stdin)) {
            fprintf(stderr, "protowall jndi-scan: reading stdin failed\n");
            return 2;
        }
    }
    if (fflush(stdout) != 0)
        return 2;
    return found ? 0 : 1;
}
