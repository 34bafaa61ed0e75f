/* capture/capture_file.c - opening capture files: pcap mapped and read in place, pcapng natively, other pcap variants through libpcap. */
#include "capture/capture.h"
#include "capture/capture_int.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages read are handed back (MADV_DONTNEED) in steps of this many bytes: they stay in the page
 * cache, but no longer count in the process's RSS, which would otherwise grow to the size of the
 * file. */
#define MAP_RELEASE_STEP   (8u * 1024 * 1024)
#define RECORD_BEFORE_DATA 16u   /* a pcap record header precedes its frame's bytes */

struct capture {
    pcap_t                *pcap;
    struct capture_pcapng *ng;     /* set instead of pcap for pcapng files */
    struct capture_pcap   *mem;    /* set instead of pcap for a mapped pcap 2.4 file */
    void                  *map;
    size_t                 map_len;
    size_t                 map_released;   /* bytes at the map's start handed back */
    int                    link_type;
    char                   err[PCAP_ERRBUF_SIZE];
};

/* A regular pcap 2.4 file is mapped and read in place: libpcap's read() copied every byte of it
 * (a quarter of a worker's time on bulk traffic), and a sniff -r worker, which looks at every
 * packet but keeps only its share, then pays for little more than the headers. NULL when the
 * file is not one (the caller goes on with the other readers) or cannot be mapped. */
static struct capture *open_mapped_pcap(const char *path, const struct stat *st)
{
    struct capture *c;
    char err[128];
    void *map;
    int fd;

    if (!S_ISREG(st->st_mode) || st->st_size < 24)
        return NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    map = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL || !capture_pcap_native(map, (size_t)st->st_size) ||
        (c->mem = capture_pcap_open(map, (size_t)st->st_size, err, sizeof(err))) == NULL) {
        free(c);
        munmap(map, (size_t)st->st_size);
        return NULL;
    }
    /* Read once, front to back: read-ahead may be aggressive. */
    madvise(map, (size_t)st->st_size, MADV_SEQUENTIAL);
    c->map = map;
    c->map_len = (size_t)st->st_size;
    return c;
}

/* Hands fp to the pcapng reader; fp is consumed either way. */
static struct capture *open_pcapng(FILE *fp, char *err, size_t errlen)
{
    struct capture *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        fclose(fp);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->ng = capture_pcapng_open(fp, err, errlen);
    if (c->ng == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

struct capture *capture_file_open(const char *path, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    struct capture *c;
    uint8_t magic[4];
    struct stat st;
    pcap_t *p;
    FILE *fp;

    /* libpcap's message for a directory or a missing file is obscure; say it plainly. */
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "is a directory");
        return NULL;
    }
    c = open_mapped_pcap(path, &st);
    if (c != NULL)
        return c;
    /* libpcap 1.10.3 refuses pcapng files whose interfaces differ in snaplen or link type;
     * Zeek's captures have those, so pcapng is read natively. */
    fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        return NULL;
    }
    if (fread(magic, 1, sizeof(magic), fp) == sizeof(magic) && memcmp(magic, "\x0a\x0d\x0d\x0a", 4) == 0) {
        rewind(fp);
        return open_pcapng(fp, err, errlen);
    }
    fclose(fp);
    p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (p == NULL) {
        if (strstr(pcap_err, "unknown file format") != NULL || strstr(pcap_err, "truncated") != NULL)
            snprintf(err, errlen, "not a pcap or pcapng capture (%s)", pcap_err);
        else
            snprintf(err, errlen, "%s", pcap_err);
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        pcap_close(p);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->pcap = p;
    c->link_type = pcap_datalink(p);
    return c;
}

/* Frames are borrowed only until the next capture_next, so everything before the current one is
 * done with; a page touched again would only fault back in from the page cache. */
static void release_read_pages(struct capture *c, const uint8_t *current)
{
    size_t upto = (size_t)(current - (const uint8_t *)c->map);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    if (upto - c->map_released < MAP_RELEASE_STEP)
        return;
    upto = (upto - RECORD_BEFORE_DATA) & ~(page - 1);
    if (madvise((uint8_t *)c->map + c->map_released, upto - c->map_released, MADV_DONTNEED) == 0)
        c->map_released = upto;
}

enum capture_status capture_next(struct capture *c, struct capture_frame *frame)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int r;

    if (c->mem != NULL) {
        enum capture_status st = capture_pcap_next(c->mem, frame);

        if (st == CAPTURE_FRAME)
            release_read_pages(c, frame->data);
        return st;
    }
    if (c->ng != NULL)
        return capture_pcapng_next(c->ng, frame);
    r = pcap_next_ex(c->pcap, &hdr, &data);
    if (r == 1) {
        /* Read at ns precision but kept to the µs, as Zeek (plain pcap_open_offline) sees it:
         * libpcap truncates, so a ns capture gives the same ts in both. */
        frame->ts = (pw_time)hdr->ts.tv_sec * PW_SEC + ((pw_time)hdr->ts.tv_usec / 1000) * 1000;
        frame->data = data;
        frame->caplen = hdr->caplen;
        frame->wirelen = hdr->len;
        frame->link_type = c->link_type;
        return CAPTURE_FRAME;
    }
    if (r == PCAP_ERROR_BREAK)
        return CAPTURE_END;
    snprintf(c->err, sizeof(c->err), "%s", pcap_geterr(c->pcap));
    if (strstr(c->err, "truncated") != NULL)
        return CAPTURE_TRUNCATED;
    return CAPTURE_ERROR;
}

const char *capture_error(const struct capture *c)
{
    if (c->mem != NULL)
        return capture_pcap_error(c->mem);
    if (c->ng != NULL)
        return capture_pcapng_error(c->ng);
    return c->err;
}

void capture_close(struct capture *c)
{
    if (c == NULL)
        return;
    if (c->mem != NULL) {
        capture_pcap_close(c->mem);
        munmap(c->map, c->map_len);
    } else if (c->ng != NULL) {
        capture_pcapng_close(c->ng);
    } else {
        pcap_close(c->pcap);
    }
    free(c);
}
