/* files/magic.c - MIME type of a file from its first bytes: a table of rows, strongest match wins.
 *
 * Each row is a match function over the beginning of the file (at most FILES_BOF_SIZE bytes,
 * Zeek's default_file_bof_buffer_size), the MIME type in Zeek's spelling, an extension for
 * extracted files, and a strength. All rows are tried; the strongest match wins and, on a tie,
 * the earlier row. Strengths and names are those of Zeek's file-magic signatures (the .sig
 * files of base/frameworks/files/magic), so files.log mime_type agrees with Zeek's; the rows
 * Zeek has no signature for are marked "ours". Zeek's patterns are anchored at the first byte.
 *
 *   strength  mime type                            matches
 *   250       text/x-shellscript                   #! ... bin/[env ]{ba,tc,c,z,fa,ae,k}sh
 *   110       image/png                            89 'PNG'
 *   100       text/html                            [prolog] <!doctype html, <html, <meta http-equiv
 *   100       application/java-archive             a ZIP local header named META-INF/MANIFEST.MF
 *                                                  or *.class in the first bytes (ours: .class)
 *   100       application/x-gzip                   1F 8B
 *   100       application/x-mach-o-executable      FE ED FA CE/CF reversed; CA FE BA BE with a
 *                                                  plausible fat-arch count (1..20)
 *    90       application/x-xz                     FD '7zXZ' 00
 *    80       application/pdf                      '%PDF-'
 *    71       application/x-java-applet            CA FE BA BE, major version >= 45 and a fat-arch
 *                                                  count that cannot be Mach-O (> 20)
 *    70       application/x-java-serialized-object AC ED 00 05 (ours)
 *    70       image/gif                            'GIF8'
 *    70       application/x-rar                    'Rar!'
 *    60       text/x-python, text/x-perl           #! ... bin/[env ]python|perl
 *    60       application/x-bzip2                  'BZh'
 *    52       image/jpeg                           FF D8
 *    51       application/x-dosexec                'MZ'
 *    50       application/x-executable (ELF type 2), x-sharedlib (3), x-object (1), x-coredump (4)
 *    50       application/x-7z-compressed          '7z' BC AF 27 1C
 *    20       text/html                            [prolog] <head, <title, <body
 *    10       application/xml                      [comments] '<?xml '
 *    10       application/zip                      'PK' 03 04, or 'PK' 07 08 'PK' 03 04
 *     1       text/json                            { "key": value..., [ value, ..., [{, [[
 *     0       text/json                            {} or [] alone
 *   -20       text/plain                           (BOM) then 10 printable ASCII or space bytes
 *
 * Zeek writes JSON as text/json and shell scripts as text/x-shellscript; we keep its spellings. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "files/files_int.h"
#include "util/bytes.h"

typedef bool (*magic_match_fn)(const uint8_t *p, size_t n);

struct magic_row {
    magic_match_fn    match;
    struct magic_type type;
};

static bool starts(const uint8_t *p, size_t n, const char *lit, size_t litlen)
{
    return n >= litlen && memcmp(p, lit, litlen) == 0;
}

#define STARTS(p, n, lit) starts((p), (n), (lit), sizeof(lit) - 1)

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Case-insensitive prefix test against a lower-case literal. */
static bool starts_ci(const uint8_t *p, size_t n, const char *lit)
{
    size_t i, len = strlen(lit);

    if (n < len)
        return false;
    for (i = 0; i < len; i++)
        if (lower(p[i]) != (uint8_t)lit[i])
            return false;
    return true;
}

/* Zeek's [\x0d\x0a[:blank:]] */
static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_ws(const uint8_t *p, size_t n, size_t i)
{
    while (i < n && is_ws(p[i]))
        i++;
    return i;
}

static size_t skip_utf8_bom(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "\xef\xbb\xbf") ? 3 : 0;
}

/* Skips whitespace and <!-- comments --> (a comment does not span lines, as Zeek's '.' does not
 * match a newline). */
static size_t skip_ws_comments(const uint8_t *p, size_t n, size_t i)
{
    for (;;) {
        size_t j;

        i = skip_ws(p, n, i);
        if (!STARTS(p + i, n - i, "<!--"))
            return i;
        for (j = i + 4; j + 3 <= n && p[j] != '\n'; j++)
            if (memcmp(p + j, "-->", 3) == 0)
                break;
        if (j + 3 > n || p[j] == '\n')
            return i;
        i = j + 3;
    }
}

/* Where the first element of an HTML/XML document starts: after a BOM, comments and one
 * optional "<?xml ...?>" declaration (on one line). Returns the offset of its '<'. */
static size_t markup_start(const uint8_t *p, size_t n)
{
    size_t i = skip_ws_comments(p, n, skip_utf8_bom(p, n)), j;

    if (STARTS(p + i, n - i, "<?xml ")) {
        for (j = i + 6; j + 2 <= n && p[j] != '\n'; j++) {
            if (p[j] == '?' && p[j + 1] == '>') {
                i = skip_ws_comments(p, n, j + 2);
                break;
            }
        }
    }
    return i;
}

/* "<tag" followed by one or more spaces then "word", both case-insensitive. */
static bool tag_then_word(const uint8_t *p, size_t n, const char *tag, const char *word)
{
    size_t i = strlen(tag);

    if (!starts_ci(p, n, tag) || i >= n || p[i] != ' ')
        return false;
    while (i < n && p[i] == ' ')
        i++;
    return starts_ci(p + i, n - i, word);
}

static bool m_html_strong(const uint8_t *p, size_t n)
{
    size_t i = markup_start(p, n);

    p += i;
    n -= i;
    return tag_then_word(p, n, "<!doctype", "html") || starts_ci(p, n, "<html") ||
           tag_then_word(p, n, "<meta", "http-equiv");
}

static bool m_html_weak(const uint8_t *p, size_t n)
{
    size_t i = markup_start(p, n);

    p += i;
    n -= i;
    return starts_ci(p, n, "<head") || starts_ci(p, n, "<title") || starts_ci(p, n, "<body");
}

static bool m_xml(const uint8_t *p, size_t n)
{
    size_t i = skip_ws_comments(p, n, skip_utf8_bom(p, n));

    return STARTS(p + i, n - i, "<?xml ");
}

/* "string" with at least one character; returns the offset after it, or 0. */
static size_t json_string(const uint8_t *p, size_t n, size_t i)
{
    size_t j;

    if (i >= n || p[i] != '"')
        return 0;
    for (j = i + 1; j < n && p[j] != '"'; j++)
        ;
    return j < n && j > i + 1 ? j + 1 : 0;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* { key : value-start  where key is a string or a bare identifier. */
static bool json_object(const uint8_t *p, size_t n, size_t i)
{
    size_t j;

    i = skip_ws(p, n, i + 1);
    if ((j = json_string(p, n, i)) != 0) {
        i = j;
    } else if (i < n && is_alpha(p[i])) {
        while (i < n && (is_alpha(p[i]) || is_digit(p[i]) || p[i] == '\\' || p[i] == '_'))
            i++;
    } else {
        return false;
    }
    i = skip_ws(p, n, i);
    if (i >= n || p[i] != ':')
        return false;
    i = skip_ws(p, n, i + 1);
    if (i >= n)
        return false;
    return p[i] == '"' || p[i] == '[' || p[i] == '{' || is_digit(p[i]) || STARTS(p + i, n - i, "true") ||
           STARTS(p + i, n - i, "false");
}

/* [ { , [ [ , or [ scalar , */
static bool json_array(const uint8_t *p, size_t n, size_t i)
{
    size_t j;

    i = skip_ws(p, n, i + 1);
    if (i >= n)
        return false;
    if (p[i] == '{' || p[i] == '[')
        return true;
    if ((j = json_string(p, n, i)) != 0) {
        i = j;
    } else if (is_digit(p[i])) {
        while (i < n && is_digit(p[i]))
            i++;
        if (i + 1 < n && p[i] == '.' && is_digit(p[i + 1])) {
            i++;
            while (i < n && is_digit(p[i]))
                i++;
        }
    } else if (STARTS(p + i, n - i, "true")) {
        i += 4;
    } else if (STARTS(p + i, n - i, "false")) {
        i += 5;
    } else {
        return false;
    }
    i = skip_ws(p, n, i);
    return i < n && p[i] == ',';
}

static bool m_json(const uint8_t *p, size_t n)
{
    size_t i = skip_ws(p, n, skip_utf8_bom(p, n));

    if (i >= n)
        return false;
    if (p[i] == '{')
        return json_object(p, n, i);
    if (p[i] == '[')
        return json_array(p, n, i);
    return false;
}

/* {} or [] and nothing but whitespace around it: the whole (short) file is in the buffer. */
static bool m_json_empty(const uint8_t *p, size_t n)
{
    size_t i = skip_ws(p, n, skip_utf8_bom(p, n));

    if (!STARTS(p + i, n - i, "{}") && !STARTS(p + i, n - i, "[]"))
        return false;
    return skip_ws(p, n, i + 2) == n;
}

/* "#!" then 1 to 15 bytes other than newline, then "bin/", optionally "env" and whitespace, then
 * an interpreter name that `want` accepts. Every "bin/" in reach is tried, as Zeek's regex would. */
static bool hashbang(const uint8_t *p, size_t n, bool (*want)(const uint8_t *p, size_t n))
{
    size_t k, i;

    if (!STARTS(p, n, "#!"))
        return false;
    for (k = 3; k <= 17 && k + 4 <= n; k++) {
        if (p[k - 1] == '\n')
            return false;
        if (memcmp(p + k, "bin/", 4) != 0)
            continue;
        i = k + 4;
        if (STARTS(p + i, n - i, "env") && i + 3 < n && (is_ws(p[i + 3]) || p[i + 3] == '\v' || p[i + 3] == '\f')) {
            i += 3;
            while (i < n && (is_ws(p[i]) || p[i] == '\v' || p[i] == '\f'))
                i++;
        }
        if (want(p + i, n - i))
            return true;
    }
    return false;
}

static bool want_sh(const uint8_t *p, size_t n)
{
    static const char *const prefixes[] = {"ba", "tc", "c", "z", "fa", "ae", "k", ""};
    size_t i, len;

    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        len = strlen(prefixes[i]);
        if (starts(p, n, prefixes[i], len) && STARTS(p + len, n - len, "sh"))
            return true;
    }
    return false;
}

static bool want_python(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "python");
}

static bool want_perl(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "perl");
}

static bool m_shell(const uint8_t *p, size_t n)
{
    return hashbang(p, n, want_sh);
}

static bool m_python(const uint8_t *p, size_t n)
{
    return hashbang(p, n, want_python);
}

static bool m_perl(const uint8_t *p, size_t n)
{
    return hashbang(p, n, want_perl);
}

static bool m_png(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "\x89PNG");
}

static bool m_gif(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "GIF8");
}

static bool m_jpeg(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "\xff\xd8");
}

static bool m_pdf(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "%PDF-");
}

static bool m_zip(const uint8_t *p, size_t n)
{
    return (STARTS(p, n, "PK\x03\x04") && n >= 6) || STARTS(p, n, "PK\x07\x08PK\x03\x04");
}

static bool jar_entry_name(const uint8_t *name, size_t len)
{
    static const char manifest[] = "META-INF/MANIFEST.MF";

    if (len == sizeof(manifest) - 1 && memcmp(name, manifest, len) == 0)
        return true;
    return len > 6 && memcmp(name + len - 6, ".class", 6) == 0;
}

/* A ZIP whose local headers in the buffer name the manifest or a class file. Headers are found
 * by their signature rather than by walking sizes: entries written with a data descriptor have
 * no size in their header, and jar tools write those. */
static bool m_jar(const uint8_t *p, size_t n)
{
    size_t o;

    if (!m_zip(p, n))
        return false;
    for (o = 0; o + 30 <= n; o++) {
        uint16_t nlen;

        if (p[o] != 'P' || memcmp(p + o, "PK\x03\x04", 4) != 0)
            continue;
        nlen = rd_le16(p + o + 26);
        if (o + 30 + nlen <= n && jar_entry_name(p + o + 30, nlen))
            return true;
    }
    return false;
}

static bool m_gzip(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "\x1f\x8b");
}

static bool m_xz(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "\xfd" "7zXZ\x00");
}

static bool m_bzip2(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "BZh");
}

static bool m_rar(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "Rar!");
}

static bool m_7z(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "7z\xbc\xaf\x27\x1c");
}

static bool m_pe(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "MZ");
}

/* ELF with e_type t, read in the file's own byte order (EI_DATA at offset 5). */
static bool elf_type(const uint8_t *p, size_t n, uint16_t t)
{
    if (n < 18 || !STARTS(p, n, "\x7f" "ELF") || (p[4] != 1 && p[4] != 2))
        return false;
    if (p[5] == 1)
        return rd_le16(p + 16) == t;
    if (p[5] == 2)
        return rd_be16(p + 16) == t;
    return false;
}

static bool m_elf_obj(const uint8_t *p, size_t n)
{
    return elf_type(p, n, 1);
}

static bool m_elf_exec(const uint8_t *p, size_t n)
{
    return elf_type(p, n, 2);
}

static bool m_elf_so(const uint8_t *p, size_t n)
{
    return elf_type(p, n, 3);
}

static bool m_elf_core(const uint8_t *p, size_t n)
{
    return elf_type(p, n, 4);
}

/* CA FE BA BE starts both Java class files and Mach-O universal binaries. In a universal binary
 * the next 32 bits (big-endian) count the architectures: a handful. In a class file they are
 * minor and major version, and the major version is 45 (JDK 1.1) or more. */
static bool fat_count_plausible(const uint8_t *p, size_t n)
{
    uint32_t nfat = rd_be32(p + 4);

    return nfat >= 1 && nfat <= 20;
}

static bool m_macho(const uint8_t *p, size_t n)
{
    if (STARTS(p, n, "\xce\xfa\xed\xfe") || STARTS(p, n, "\xcf\xfa\xed\xfe"))
        return true;
    return n >= 8 && STARTS(p, n, "\xca\xfe\xba\xbe") && fat_count_plausible(p, n);
}

static bool m_java_class(const uint8_t *p, size_t n)
{
    if (n < 8 || !STARTS(p, n, "\xca\xfe\xba\xbe"))
        return false;
    return rd_be16(p + 6) >= 45 && !fat_count_plausible(p, n);
}

static bool m_java_serialized(const uint8_t *p, size_t n)
{
    return STARTS(p, n, "\xac\xed\x00\x05");
}

/* Zeek's file-plaintext: an optional UTF-8/16/32 byte-order mark, then ten bytes that are
 * printable ASCII or whitespace. */
static bool m_text(const uint8_t *p, size_t n)
{
    /* Longest first: FF FE 00 00 (UTF-32LE) also starts with FF FE (UTF-16LE). */
    static const struct {
        const char *bom;
        size_t      len;
    } boms[] = {
        {"\x00\x00\xfe\xff", 4}, {"\xff\xfe\x00\x00", 4}, {"\xef\xbb\xbf", 3}, {"\xfe\xff", 2}, {"\xff\xfe", 2},
    };
    size_t i = 0, b, end;

    for (b = 0; b < sizeof(boms) / sizeof(boms[0]); b++) {
        if (starts(p, n, boms[b].bom, boms[b].len)) {
            i = boms[b].len;
            break;
        }
    }
    end = i + 10;
    if (end > n)
        return false;
    for (; i < end; i++) {
        uint8_t c = p[i];

        if (!((c >= 0x20 && c <= 0x7e) || (c >= '\t' && c <= '\r')))
            return false;
    }
    return true;
}

static const struct magic_row magic_table[] = {
    {m_shell, {"text/x-shellscript", "sh", 250}},
    {m_png, {"image/png", "png", 110}},
    {m_html_strong, {"text/html", "html", 100}},
    {m_jar, {"application/java-archive", "jar", 100}},
    {m_gzip, {"application/x-gzip", "gz", 100}},
    {m_macho, {"application/x-mach-o-executable", "macho", 100}},
    {m_xz, {"application/x-xz", "xz", 90}},
    {m_pdf, {"application/pdf", "pdf", 80}},
    {m_java_class, {"application/x-java-applet", "class", 71}},
    {m_java_serialized, {"application/x-java-serialized-object", "ser", 70}},
    {m_gif, {"image/gif", "gif", 70}},
    {m_rar, {"application/x-rar", "rar", 70}},
    {m_python, {"text/x-python", "py", 60}},
    {m_perl, {"text/x-perl", "pl", 60}},
    {m_bzip2, {"application/x-bzip2", "bz2", 60}},
    {m_jpeg, {"image/jpeg", "jpg", 52}},
    {m_pe, {"application/x-dosexec", "exe", 51}},
    {m_elf_exec, {"application/x-executable", "elf", 50}},
    {m_elf_so, {"application/x-sharedlib", "so", 50}},
    {m_elf_obj, {"application/x-object", "o", 50}},
    {m_elf_core, {"application/x-coredump", "core", 50}},
    {m_7z, {"application/x-7z-compressed", "7z", 50}},
    {m_html_weak, {"text/html", "html", 20}},
    {m_xml, {"application/xml", "xml", 10}},
    {m_zip, {"application/zip", "zip", 10}},
    {m_json, {"text/json", "json", 1}},
    {m_json_empty, {"text/json", "json", 0}},
    {m_text, {"text/plain", "txt", -20}},
};

const struct magic_type *magic_sniff(const uint8_t *data, size_t len)
{
    const struct magic_type *best = NULL;
    size_t i;

    if (data == NULL || len == 0)
        return NULL;
    if (len > FILES_BOF_SIZE)
        len = FILES_BOF_SIZE;
    for (i = 0; i < sizeof(magic_table) / sizeof(magic_table[0]); i++) {
        const struct magic_row *r = &magic_table[i];

        if ((best == NULL || r->type.strength > best->strength) && r->match(data, len))
            best = &r->type;
    }
    return best;
}
