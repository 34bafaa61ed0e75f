/* tests/unit/files/test_magic.c - the MIME sniffing table: each type, the strongest-match rule, the Mach-O/Java split. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "files/files.h"
#include "files/files_int.h"

/* Sniffs a literal (embedded NULs included). */
#define SNIFF(lit) files_sniff_mime((const uint8_t *)(lit), sizeof(lit) - 1)

static void assert_mime(const char *got, const char *want)
{
    if (want == NULL) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
}

static void test_markup(void **state)
{
    assert_mime(SNIFF("<!DOCTYPE html>\n<html><head></head></html>"), "text/html");
    assert_mime(SNIFF("  \r\n<HTML lang=en>"), "text/html");
    assert_mime(SNIFF("<!-- generated -->\n<!doctype  HTML>"), "text/html");
    assert_mime(SNIFF("<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"), "text/html");
    assert_mime(SNIFF("<meta http-equiv=\"refresh\" content=\"0\">"), "text/html");
    assert_mime(SNIFF("\xef\xbb\xbf<title>x</title>"), "text/html");   /* the weak row, after a BOM */
    assert_mime(SNIFF("<body>hello</body>"), "text/html");
    assert_mime(SNIFF("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root/>"), "application/xml");
    assert_mime(SNIFF("<!-- c -->  <?xml version=\"1.0\"?><a/>"), "application/xml");
    /* Not markup Zeek knows: plain text. */
    assert_mime(SNIFF("<div>some text here</div>"), "text/plain");
}

static void test_json(void **state)
{
    assert_mime(SNIFF("{\"user\": \"alice\", \"id\": 3}"), "text/json");
    assert_mime(SNIFF("\n  {\n  \"a\" :\t[1, 2]}"), "text/json");
    assert_mime(SNIFF("{key: true}"), "text/json");
    assert_mime(SNIFF("[1.5, 2]"), "text/json");
    assert_mime(SNIFF("[\"a\", \"b\"]"), "text/json");
    assert_mime(SNIFF("[{\"a\":1}]"), "text/json");
    assert_mime(SNIFF("{}"), "text/json");
    assert_mime(SNIFF("  [ ]          "), "text/plain");   /* "[ ]" is not Zeek's empty form */
    assert_mime(SNIFF("[]\n"), "text/json");
    assert_mime(SNIFF("{\"\": 1} and more text"), "text/plain");  /* an empty key does not count */
    assert_mime(SNIFF("[1., 2] is not json"), "text/plain");
}

static void test_images_and_documents(void **state)
{
    assert_mime(SNIFF("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image/png");
    assert_mime(SNIFF("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg");
    assert_mime(SNIFF("GIF89a\x01\x00\x01\x00"), "image/gif");
    assert_mime(SNIFF("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "application/pdf");
}

/* A ZIP local file header (no data) named name, followed by tail. */
static size_t zip_entry(uint8_t *out, const char *name, uint32_t csize)
{
    size_t n = strlen(name);

    memset(out, 0, 30);
    memcpy(out, "PK\x03\x04", 4);
    out[4] = 0x14;
    out[18] = (uint8_t)csize;
    out[26] = (uint8_t)n;
    memcpy(out + 30, name, n);
    memset(out + 30 + n, 'x', csize);
    return 30 + n + csize;
}

static void test_archives(void **state)
{
    uint8_t buf[512];
    size_t n;

    n = zip_entry(buf, "readme.txt", 40);
    assert_mime(files_sniff_mime(buf, n), "application/zip");

    n = zip_entry(buf, "META-INF/", 0);
    n += zip_entry(buf + n, "META-INF/MANIFEST.MF", 20);
    assert_mime(files_sniff_mime(buf, n), "application/java-archive");

    /* A jar without a manifest: the class entry names it (Log4Shell payload jars look so). */
    n = zip_entry(buf, "Exploit.class", 100);
    assert_mime(files_sniff_mime(buf, n), "application/java-archive");

    n = zip_entry(buf, "notes.classic", 10);   /* ".class" must end the name */
    assert_mime(files_sniff_mime(buf, n), "application/zip");

    assert_mime(SNIFF("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"), "application/x-gzip");
    assert_mime(SNIFF("BZh91AY&SY"), "application/x-bzip2");
    assert_mime(SNIFF("\xfd" "7zXZ\x00\x00\x04"), "application/x-xz");
    assert_mime(SNIFF("7z\xbc\xaf\x27\x1c\x00\x04"), "application/x-7z-compressed");
    assert_mime(SNIFF("Rar!\x1a\x07\x00"), "application/x-rar");
}

static void test_executables(void **state)
{
    uint8_t elf[64];

    assert_mime(SNIFF("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), "application/x-dosexec");

    memset(elf, 0, sizeof(elf));
    memcpy(elf, "\x7f" "ELF\x02\x01\x01", 7);   /* 64-bit little-endian */
    elf[16] = 2;
    assert_mime(files_sniff_mime(elf, sizeof(elf)), "application/x-executable");
    elf[16] = 3;
    assert_mime(files_sniff_mime(elf, sizeof(elf)), "application/x-sharedlib");
    elf[16] = 1;
    assert_mime(files_sniff_mime(elf, sizeof(elf)), "application/x-object");
    elf[16] = 4;
    assert_mime(files_sniff_mime(elf, sizeof(elf)), "application/x-coredump");
    elf[5] = 2;   /* big-endian: e_type 2 is 00 02 */
    elf[16] = 0;
    elf[17] = 2;
    assert_mime(files_sniff_mime(elf, sizeof(elf)), "application/x-executable");
    elf[5] = 3;   /* no such byte order */
    assert_mime(files_sniff_mime(elf, sizeof(elf)), NULL);

    assert_mime(SNIFF("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), "application/x-mach-o-executable");
}

static void test_java_class_vs_mach_o(void **state)
{
    /* Java 8 (52), Java 17 (61), JDK 1.1 (45.3): class files. */
    assert_mime(SNIFF("\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x1d\x0a"), "application/x-java-applet");
    assert_mime(SNIFF("\xca\xfe\xba\xbe\x00\x00\x00\x3d\x00\x1d\x0a"), "application/x-java-applet");
    assert_mime(SNIFF("\xca\xfe\xba\xbe\x00\x03\x00\x2d\x00\x1d\x0a"), "application/x-java-applet");
    /* A universal binary with 2 architectures: same magic, never a Java class. */
    assert_mime(SNIFF("\xca\xfe\xba\xbe\x00\x00\x00\x02\x01\x00\x00\x07"), "application/x-mach-o-executable");
    assert_mime(SNIFF("\xca\xfe\xba\xbe\x00\x00\x00\x14"), "application/x-mach-o-executable");
    /* Major version 44 (no such class file) with an implausible arch count: neither. */
    assert_mime(SNIFF("\xca\xfe\xba\xbe\x00\x01\x00\x2c"), NULL);
    /* Too short to read the version. */
    assert_mime(SNIFF("\xca\xfe\xba\xbe\x00\x00"), NULL);
}

static void test_java_serialized(void **state)
{
    assert_mime(SNIFF("\xac\xed\x00\x05sr\x00\x11java.util.HashMap"), "application/x-java-serialized-object");
    assert_mime(SNIFF("\xac\xed\x00\x04sr\x00"), NULL);   /* another stream version */
}

static void test_scripts(void **state)
{
    assert_mime(SNIFF("#!/bin/sh\necho hi\n"), "text/x-shellscript");
    assert_mime(SNIFF("#!/usr/bin/env bash\nset -e\n"), "text/x-shellscript");
    assert_mime(SNIFF("#! /bin/zsh -f\n"), "text/x-shellscript");
    assert_mime(SNIFF("#!/usr/bin/python3\nimport os\n"), "text/x-python");
    assert_mime(SNIFF("#!/usr/bin/perl -w\nuse strict;\n"), "text/x-perl");
    /* Zeek's list has no dash, and "bin/" must come within 15 bytes on the first line. */
    assert_mime(SNIFF("#!/bin/dash\necho hi\n"), "text/plain");
    assert_mime(SNIFF("#!/opt/very/long/path/bin/sh\n"), "text/plain");
    assert_mime(SNIFF("#!\n/bin/sh and more\n"), "text/plain");
}

static void test_text_and_nothing(void **state)
{
    uint8_t bin[32];

    assert_mime(SNIFF("hello world, plain text"), "text/plain");
    assert_mime(SNIFF("\xef\xbb\xbfUTF-8 with BOM"), "text/plain");
    assert_mime(SNIFF("line one\r\n\tline two"), "text/plain");
    assert_mime(SNIFF("short"), NULL);                      /* fewer than 10 bytes */
    assert_mime(SNIFF("h\xc3\xa9llo world"), NULL);           /* Zeek's rule is ASCII only */
    memset(bin, 0x01, sizeof(bin));
    assert_mime(files_sniff_mime(bin, sizeof(bin)), NULL);
    assert_mime(files_sniff_mime(NULL, 0), NULL);
}

static void test_strongest_wins(void **state)
{
    const struct magic_type *t;
    uint8_t buf[128];
    size_t n;

    /* "#!/bin/sh..." is also printable text (-20): the shell row (250) wins. */
    t = magic_sniff((const uint8_t *)"#!/bin/sh\nexit 0\n", 17);
    assert_non_null(t);
    assert_string_equal(t->mime, "text/x-shellscript");
    assert_int_equal(t->strength, 250);
    assert_string_equal(t->ext, "sh");
    /* A manifest jar is a ZIP too (10): the jar row (100) wins. */
    n = zip_entry(buf, "META-INF/MANIFEST.MF", 8);
    t = magic_sniff(buf, n);
    assert_non_null(t);
    assert_int_equal(t->strength, 100);
    assert_string_equal(t->mime, "application/java-archive");
}

static void test_only_bof_counts(void **state)
{
    static uint8_t buf[FILES_BOF_SIZE + 64];

    /* The jar's class entry lies past the bof buffer: only the ZIP is seen, as with Zeek. */
    memset(buf, 'x', sizeof(buf));
    zip_entry(buf, "big.bin", 0);
    zip_entry(buf + FILES_BOF_SIZE, "A.class", 0);
    assert_mime(files_sniff_mime(buf, sizeof(buf)), "application/zip");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_images_and_documents),
        cmocka_unit_test(test_archives),
        cmocka_unit_test(test_executables),
        cmocka_unit_test(test_java_class_vs_mach_o),
        cmocka_unit_test(test_java_serialized),
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_text_and_nothing),
        cmocka_unit_test(test_strongest_wins),
        cmocka_unit_test(test_only_bof_counts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
