/* capture/capture_file.c - opening capture files: pcap and pcapng mapped and read in place, pipes through stdio (pcapng) or libpcap, other pcap variants through libpcap. */
#include "capture/capture.h"
#include "capture/capture_int.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
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
#define RECORD_BEFORE_DATA 28u   /* a pcap record header (16) or pcapng EPB header (28) precedes a frame */
#define MAP_GUARDS         8u    /* files mapped at once in one process; more are read by copy */

/* A mapped file cut shorter underneath us (a copytruncate rotation, tcpdump -w over the same
 * name) turns every access past its new end into SIGBUS. The guard catches the fault, maps
 * zeros over the rest of the file's range so the access completes, and marks the file cut:
 * capture_next then stops it as a truncated capture instead of the process dying. */
struct map_guard {
    uint8_t *volatile     lo;     /* NULL: a free slot */
    volatile size_t       len;
    volatile sig_atomic_t cut;
};

static struct map_guard map_guards[MAP_GUARDS];
static struct sigaction bus_previous;
static long             guard_page_size;

struct capture {
    pcap_t                *pcap;
    struct capture_pcapng *ng;     /* set instead of pcap for pcapng files (mapped when map is set) */
    struct capture_pcap   *mem;    /* set instead of pcap for a mapped pcap 2.4 file */
    void                  *map;    /* a regular file, read in place */
    size_t                 map_len;
    int                    map_fd;         /* kept open to ask the file's size when it may have shrunk */
    struct map_guard      *guard;
    size_t                 map_released;   /* bytes at the map's start handed back */
    int                    link_type;
    char                   err[PCAP_ERRBUF_SIZE];
};

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    uintptr_t at = (uintptr_t)si->si_addr;
    int saved = errno;

    (void)sig;
    (void)ctx;
    /* kill -BUS or raise(): not a fault of ours to patch; it goes where it went before. */
    if (si->si_code <= 0) {
        sigaction(SIGBUS, &bus_previous, NULL);
        raise(SIGBUS);
        errno = saved;
        return;
    }
    for (unsigned i = 0; i < MAP_GUARDS; i++) {
        uint8_t *lo = map_guards[i].lo, *page;
        size_t len = map_guards[i].len, off;

        if (lo == NULL || at < (uintptr_t)lo || at - (uintptr_t)lo >= len)
            continue;
        /* The mapping starts on a page: rounding the offset down rounds the address down. */
        off = (at - (uintptr_t)lo) & ~((size_t)guard_page_size - 1);
        page = lo + off;
        if (mmap(page, len - off, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            map_guards[i].cut = 1;
            errno = saved;
            return;
        }
        break;
    }
    /* Not ours (or no memory to patch it): the access faults again under what was there before. */
    sigaction(SIGBUS, &bus_previous, NULL);
    errno = saved;
}

/* A slot for a new mapping; NULL when every slot is taken or the handler cannot be installed.
 * The handler is put back at every open if something replaced it since (a test harness, a
 * library): what it found there is where foreign faults go. */
static struct map_guard *guard_take(uint8_t *map, size_t len)
{
    struct sigaction now;

    if (sigaction(SIGBUS, NULL, &now) != 0)
        return NULL;
    if ((now.sa_flags & SA_SIGINFO) == 0 || now.sa_sigaction != on_sigbus) {
        struct sigaction sa;

        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        guard_page_size = sysconf(_SC_PAGESIZE);
        if (guard_page_size <= 0 || sigaction(SIGBUS, &sa, &bus_previous) != 0)
            return NULL;
    }
    for (unsigned i = 0; i < MAP_GUARDS; i++) {
        if (map_guards[i].lo != NULL)
            continue;
        map_guards[i].cut = 0;
        map_guards[i].len = len;
        map_guards[i].lo = map;
        return &map_guards[i];
    }
    return NULL;
}

static void guard_give_back(struct map_guard *g)
{
    if (g != NULL)
        g->lo = NULL;
}

/* A regular pcap 2.4 or pcapng file is mapped and read in place: libpcap's read() copied every
 * byte of it (a quarter of a worker's time on bulk traffic), and a sniff -r worker, which looks at
 * every packet but keeps only its share, then pays for little more than the headers. NULL when
 * the file is neither (the caller goes on with the other readers) or cannot be mapped. */
static struct capture *open_mapped(const char *path)
{
    struct capture *c;
    struct stat st;
    char err[128];
    void *map;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    /* The size of what was opened, not of what the name meant a moment before. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24) {
        close(fd);
        return NULL;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        close(fd);
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (c != NULL && (c->guard = guard_take(map, (size_t)st.st_size)) != NULL) {
        if (capture_pcapng_magic(map, (size_t)st.st_size))
            c->ng = capture_pcapng_open_mem(map, (size_t)st.st_size, err, sizeof(err));
        else if (capture_pcap_native(map, (size_t)st.st_size))
            c->mem = capture_pcap_open(map, (size_t)st.st_size, err, sizeof(err));
    }
    /* Not one we read in place, or damaged at its start: the stdio and libpcap readers say why. */
    if (c == NULL || (c->mem == NULL && c->ng == NULL)) {
        if (c != NULL)
            guard_give_back(c->guard);
        free(c);
        munmap(map, (size_t)st.st_size);
        close(fd);
        return NULL;
    }
    /* Read once, front to back: read-ahead may be aggressive. */
    madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
    c->map = map;
    c->map_len = (size_t)st.st_size;
    c->map_fd = fd;
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

/* A stream that gives back the bytes already read to tell the format, then the rest of the file:
 * a pipe cannot be rewound, and the reader (ours for pcapng, libpcap's for pcap) wants the file
 * from its first byte. */
struct replayed {
    int      fd;
    uint8_t  head[4];
    size_t   n, used;
};

static ssize_t replayed_read(void *cookie, char *buf, size_t size)
{
    struct replayed *r = cookie;
    size_t k = 0;
    ssize_t got;

    while (r->used < r->n && k < size)
        buf[k++] = (char)r->head[r->used++];
    if (k == size)
        return (ssize_t)k;
    do
        got = read(r->fd, buf + k, size - k);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return k > 0 ? (ssize_t)k : -1;
    return (ssize_t)k + got;
}

static int replayed_close(void *cookie)
{
    struct replayed *r = cookie;
    int rc = close(r->fd);

    free(r);
    return rc;
}

/* Opens path, reads its first bytes into magic, and returns a stream of the whole file (a
 * regular file rewound, anything else replayed). *n is how many bytes magic holds. */
static FILE *open_stream(const char *path, bool regular, uint8_t magic[4], size_t *n, char *err, size_t errlen)
{
    static const cookie_io_functions_t io = {.read = replayed_read, .close = replayed_close};
    struct replayed *r;
    ssize_t got;
    FILE *fp;

    if (regular) {
        fp = fopen(path, "rb");
        if (fp == NULL) {
            snprintf(err, errlen, "%s", strerror(errno));
            return NULL;
        }
        *n = fread(magic, 1, 4, fp);
        rewind(fp);
        return fp;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* /dev/stdin by its descriptor: a socket (socat, socket activation) cannot be opened by name. */
    r->fd = strcmp(path, "/dev/stdin") == 0 ? fcntl(0, F_DUPFD_CLOEXEC, 0) : open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        free(r);
        return NULL;
    }
    if (isatty(r->fd)) {
        snprintf(err, errlen, "is a terminal: pipe a capture into it");
        replayed_close(r);
        return NULL;
    }
    while (r->n < sizeof(r->head)) {
        got = read(r->fd, r->head + r->n, sizeof(r->head) - r->n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        r->n += (size_t)got;
    }
    memcpy(magic, r->head, r->n);
    *n = r->n;
    fp = fopencookie(r, "rb", io);
    if (fp == NULL) {
        snprintf(err, errlen, "%s", strerror(errno));
        replayed_close(r);
    }
    return fp;
}

struct capture *capture_file_open(const char *path, char *err, size_t errlen)
{
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    struct capture *c;
    uint8_t magic[4];
    struct stat st;
    size_t n = 0;
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
    /* Only a regular file: opening a pipe here would take the writer's first bytes. */
    c = S_ISREG(st.st_mode) ? open_mapped(path) : NULL;
    if (c != NULL)
        return c;
    /* libpcap 1.10.3 refuses pcapng files whose interfaces differ in snaplen or link type;
     * Zeek's captures have those, so pcapng is read natively. */
    fp = open_stream(path, S_ISREG(st.st_mode), magic, &n, err, errlen);
    if (fp == NULL)
        return NULL;
    if (capture_pcapng_magic(magic, n))
        return open_pcapng(fp, err, errlen);
    /* libpcap takes the stream (pcap_close closes it; on failure it is ours to close). */
    p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
    if (p == NULL) {
        fclose(fp);
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
    size_t page = (size_t)guard_page_size;   /* read when the file was mapped: not per frame */

    if (upto - c->map_released < MAP_RELEASE_STEP)
        return;
    upto = (upto - RECORD_BEFORE_DATA) & ~(page - 1);
    if (madvise((uint8_t *)c->map + c->map_released, upto - c->map_released, MADV_DONTNEED) == 0)
        c->map_released = upto;
}

/* Past a cut's new end but within its last page the kernel shows zeros, not a fault: a record
 * read there looks empty (caplen 0) or damaged (a pcapng block length of 0). Either makes the
 * reader ask whether the file is shorter than when it was opened. */
static void check_not_shrunk(struct capture *c)
{
    struct stat st;

    if (fstat(c->map_fd, &st) == 0 && (size_t)st.st_size < c->map_len)
        c->guard->cut = 1;
}

/* A frame of a file cut shorter is caught here rather than in an analyzer: its last byte is read
 * now, so a page past the new end faults (and the guard marks the file cut) before anyone looks. */
static void check_still_there(struct capture *c, const struct capture_frame *frame)
{
    if (frame->caplen > 0)
        (void)*(const volatile uint8_t *)(frame->data + frame->caplen - 1);
    else
        check_not_shrunk(c);
}

enum capture_status capture_next(struct capture *c, struct capture_frame *frame)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int r;

    if (c->map != NULL) {
        enum capture_status st = c->guard->cut       ? CAPTURE_TRUNCATED
                                 : c->mem != NULL    ? capture_pcap_next(c->mem, frame)
                                                     : capture_pcapng_next(c->ng, frame);

        if (st == CAPTURE_FRAME && !c->guard->cut)
            check_still_there(c, frame);
        else if ((st == CAPTURE_ERROR || st == CAPTURE_TRUNCATED) && !c->guard->cut)
            check_not_shrunk(c);
        /* Checked after the read too: the record just read may be what lay past the new end. */
        if (c->guard->cut) {
            if (c->err[0] == '\0')
                snprintf(c->err, sizeof(c->err),
                         "the file was cut shorter while it was read (it had %zu bytes when opened)", c->map_len);
            return CAPTURE_TRUNCATED;
        }
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
    if (c->map != NULL && c->err[0] != '\0')
        return c->err;
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
    capture_pcap_close(c->mem);
    capture_pcapng_close(c->ng);
    if (c->pcap != NULL)
        pcap_close(c->pcap);
    if (c->map != NULL) {
        guard_give_back(c->guard);
        munmap(c->map, c->map_len);
        close(c->map_fd);
    }
    free(c);
}
