/* inline/inline_proc.c - a local socket's owner: /proc/net/{tcp,udp}[6] to its inode, /proc/PID/fd to its process, cached. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "inline/inline_int.h"
#include "util/bytes.h"

#define READ_CHUNK   65536
#define MAX_PIDS     65536
#define RECENT_PIDS  16
#define CACHE_PROBES 8
#define LINK_MAX_LEN 64          /* "socket:[18446744073709551615]" fits */

/* What getdents64 writes; glibc only declares the syscall's result type from 2.30 on. */
struct dirent64_raw {
    uint64_t       d_ino;
    int64_t        d_off;
    unsigned short d_reclen;
    unsigned char  d_type;
    char           d_name[];
};

struct proc_cache_entry {
    uint64_t inode;            /* 0: empty */
    char     exe[INLINE_PROCESS_MAX];
};

/* Every buffer is allocated here, once: a lookup reads files and directories through raw
 * syscalls into them, so it never allocates. */
struct inline_proc {
    char                     root[128];
    char                    *buf;            /* READ_CHUNK bytes of a /proc/net file, plus a NUL */
    int32_t                 *pids;
    char                     dents[32768];
    struct proc_cache_entry *cache;
    uint32_t                 cache_mask;
    int32_t                  recent[RECENT_PIDS];   /* pids that owned the last sockets found */
    unsigned                 recent_next;
};

/* ---- one /proc/net line ---- */

/* n hex digits at p; -1 if one is not. */
static int hex_n(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        int d = hex_value((unsigned char)p[i]);

        if (d < 0)
            return -1;
        v = (v << 4) | (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* "0100007F:0277": the kernel prints each 32-bit word of the address as the CPU holds it
 * (%08X of the raw word), so copying the parsed word back in CPU order restores the bytes. */
static int parse_endpoint(const char *p, size_t n, bool v6, struct addr *a, uint16_t *port)
{
    size_t alen = v6 ? 32 : 8;
    uint8_t raw[16];
    uint64_t v;

    if (n != alen + 5 || p[alen] != ':')
        return -1;
    for (size_t w = 0; w < alen / 8; w++) {
        uint32_t word;

        if (hex_n(p + w * 8, 8, &v) != 0)
            return -1;
        word = (uint32_t)v;
        memcpy(raw + w * 4, &word, 4);
    }
    if (hex_n(p + alen + 1, 4, &v) != 0)
        return -1;
    *port = (uint16_t)v;
    if (v6)
        addr_from_v6(a, raw);
    else
        addr_from_v4(a, raw);
    return 0;
}

static int parse_dec(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    *out = v;
    return 0;
}

int inline_proc_parse_line(const char *line, size_t len, bool v6, struct inline_sock *s)
{
    const char *tok[10];
    size_t tlen[10], i = 0, nt = 0;
    uint64_t v;

    /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode ... */
    while (nt < 10) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i >= len)
            break;
        tok[nt] = line + i;
        while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\n')
            i++;
        tlen[nt] = (size_t)(line + i - tok[nt]);
        nt++;
    }
    if (nt < 10 || tlen[0] < 2 || tok[0][tlen[0] - 1] != ':' || parse_dec(tok[0], tlen[0] - 1, &v) != 0)
        return -1;
    memset(s, 0, sizeof(*s));
    if (parse_endpoint(tok[1], tlen[1], v6, &s->local, &s->lport) != 0 ||
        parse_endpoint(tok[2], tlen[2], v6, &s->remote, &s->rport) != 0 || tlen[3] != 2 || hex_n(tok[3], 2, &v) != 0)
        return -1;
    s->state = (uint8_t)v;
    if (parse_dec(tok[7], tlen[7], &v) != 0 || v > UINT32_MAX)
        return -1;
    s->uid = (uint32_t)v;
    if (parse_dec(tok[9], tlen[9], &v) != 0)
        return -1;
    s->inode = v;
    return 0;
}

static bool addr_unspecified(const struct addr *a)
{
    static const uint8_t zero[16];

    return memcmp(a->b, zero, 16) == 0 || (addr_is_v4(a) && memcmp(a->b + 12, zero, 4) == 0);
}

int inline_proc_match(const struct inline_sock *s, const struct addr *laddr, uint16_t lport,
                      const struct addr *raddr, uint16_t rport)
{
    if (s->lport != lport || s->inode == 0)
        return 0;
    if (addr_cmp(&s->local, laddr) != 0 && !addr_unspecified(&s->local))
        return 0;
    if (s->rport == rport && addr_cmp(&s->remote, raddr) == 0)
        return 2;
    if (s->rport == 0 && addr_unspecified(&s->remote))
        return 1;
    return 0;
}

bool inline_proc_find_text(const char *text, size_t len, bool v6, const struct addr *laddr, uint16_t lport,
                           const struct addr *raddr, uint16_t rport, struct inline_sock *out)
{
    int best = 0;
    size_t i = 0;

    while (i < len && best < 2) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl != NULL ? (size_t)(nl - (text + i)) : len - i;
        struct inline_sock s;
        int m;

        if (inline_proc_parse_line(text + i, n, v6, &s) == 0 &&
            (m = inline_proc_match(&s, laddr, lport, raddr, rport)) > best) {
            best = m;
            *out = s;
        }
        i += n + 1;
    }
    return best > 0;
}

/* ---- reading /proc ---- */

struct inline_proc *inline_proc_create(const char *root, uint32_t cache_cap)
{
    struct inline_proc *p = calloc(1, sizeof(*p));
    uint32_t n = CACHE_PROBES;

    if (p == NULL)
        return NULL;
    while (n < cache_cap && n < (1u << 20))
        n <<= 1;
    snprintf(p->root, sizeof(p->root), "%s", root);
    p->buf = malloc(READ_CHUNK + 1);
    p->pids = malloc(MAX_PIDS * sizeof(*p->pids));
    p->cache = calloc(n, sizeof(*p->cache));
    if (p->buf == NULL || p->pids == NULL || p->cache == NULL) {
        inline_proc_free(p);
        return NULL;
    }
    p->cache_mask = n - 1;
    for (int i = 0; i < RECENT_PIDS; i++)
        p->recent[i] = -1;
    return p;
}

void inline_proc_free(struct inline_proc *p)
{
    if (p == NULL)
        return;
    free(p->buf);
    free(p->pids);
    free(p->cache);
    free(p);
}

/* Streams a /proc/net file through the chunk buffer, line by line; a line cut by the chunk's end
 * is carried over to the next read. */
static bool find_in_file(struct inline_proc *p, const char *name, bool v6, const struct addr *laddr, uint16_t lport,
                         const struct addr *raddr, uint16_t rport, struct inline_sock *out, int *best)
{
    char path[192];
    size_t have = 0;
    int fd;

    snprintf(path, sizeof(path), "%s/net/%s", p->root, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    for (;;) {
        ssize_t r = read(fd, p->buf + have, READ_CHUNK - have);
        size_t end, i = 0;

        if (r < 0 || (r == 0 && have == 0))
            break;
        have += (size_t)r;
        end = have;
        if (r > 0) {
            const char *last = memrchr(p->buf, '\n', have);

            if (last == NULL) {
                if (have == READ_CHUNK)
                    have = 0;   /* a line longer than a chunk is no socket line */
                continue;
            }
            end = (size_t)(last - p->buf) + 1;
        }
        while (i < end && *best < 2) {
            const char *nl = memchr(p->buf + i, '\n', end - i);
            size_t n = nl != NULL ? (size_t)(nl - (p->buf + i)) : end - i;
            struct inline_sock s;
            int m;

            if (inline_proc_parse_line(p->buf + i, n, v6, &s) == 0 &&
                (m = inline_proc_match(&s, laddr, lport, raddr, rport)) > *best) {
                *best = m;
                *out = s;
            }
            i += n + 1;
        }
        if (r == 0 || *best == 2)
            break;
        memmove(p->buf, p->buf + end, have - end);
        have -= end;
    }
    close(fd);
    return *best > 0;
}

static struct proc_cache_entry *cache_slot(struct inline_proc *p, uint64_t inode, bool for_insert)
{
    uint32_t h = (uint32_t)(inode * 0x9e3779b97f4a7c15ull >> 32);
    struct proc_cache_entry *empty = NULL;

    for (uint32_t i = 0; i < CACHE_PROBES; i++) {
        struct proc_cache_entry *e = &p->cache[(h + i) & p->cache_mask];

        if (e->inode == inode)
            return e;
        if (empty == NULL && e->inode == 0)
            empty = e;
    }
    if (!for_insert)
        return NULL;
    /* A full window: any of its entries will do, the inode's low bits pick one. */
    return empty != NULL ? empty : &p->cache[(h + (uint32_t)(inode % CACHE_PROBES)) & p->cache_mask];
}

static int read_exe(const struct inline_proc *p, int32_t pid, char *exe, size_t size)
{
    char path[192];
    ssize_t n;

    snprintf(path, sizeof(path), "%s/%d/exe", p->root, pid);
    n = readlink(path, exe, size - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    /* A replaced binary still runs; its link says so, the policy names the path. */
    if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
        exe[n - 10] = '\0';
    return 0;
}

/* Looks through one process's descriptors for socket:[inode]. Every socket met on the way is
 * cached with the process's executable, so the sockets of a busy process cost one scan. */
static bool scan_pid(struct inline_proc *p, int32_t pid, uint64_t inode, char *exe, size_t exe_size)
{
    char path[192], link[LINK_MAX_LEN], pexe[INLINE_PROCESS_MAX];
    bool found = false, have_exe = false;
    int dfd;

    snprintf(path, sizeof(path), "%s/%d/fd", p->root, pid);
    dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return false;
    for (;;) {
        long n = syscall(SYS_getdents64, dfd, p->dents, sizeof(p->dents));

        if (n <= 0)
            break;
        for (long off = 0; off < n;) {
            const struct dirent64_raw *d = (const struct dirent64_raw *)(p->dents + off);
            ssize_t l;
            uint64_t ino = 0;

            off += d->d_reclen;
            if (d->d_name[0] == '.')
                continue;
            l = readlinkat(dfd, d->d_name, link, sizeof(link) - 1);
            if (l < 10 || memcmp(link, "socket:[", 8) != 0 || link[l - 1] != ']')
                continue;
            if (parse_dec(link + 8, (size_t)l - 9, &ino) != 0)
                continue;
            if (!have_exe) {
                if (read_exe(p, pid, pexe, sizeof(pexe)) != 0)
                    pexe[0] = '\0';
                have_exe = true;
            }
            {
                struct proc_cache_entry *e = cache_slot(p, ino, true);

                e->inode = ino;
                snprintf(e->exe, sizeof(e->exe), "%s", pexe);
            }
            if (ino == inode) {
                snprintf(exe, exe_size, "%s", pexe);
                found = true;
            }
        }
    }
    close(dfd);
    return found;
}

static bool find_owner(struct inline_proc *p, uint64_t inode, char *exe, size_t exe_size)
{
    size_t npids = 0;
    int dfd;

    /* First the processes that owned the last sockets (a daemon opening many), then every
     * process, newest first: a connection is most often opened by a program just started. */
    for (int i = 0; i < RECENT_PIDS; i++)
        if (p->recent[i] > 0 && scan_pid(p, p->recent[i], inode, exe, exe_size))
            return true;
    dfd = open(p->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return false;
    for (;;) {
        long n = syscall(SYS_getdents64, dfd, p->dents, sizeof(p->dents));

        if (n <= 0)
            break;
        for (long off = 0; off < n && npids < MAX_PIDS;) {
            const struct dirent64_raw *d = (const struct dirent64_raw *)(p->dents + off);
            uint64_t v;

            off += d->d_reclen;
            if (parse_dec(d->d_name, strlen(d->d_name), &v) == 0 && v > 0 && v <= INT32_MAX)
                p->pids[npids++] = (int32_t)v;
        }
    }
    close(dfd);
    /* /proc lists processes by ascending pid: walking the list backwards is newest first. */
    for (size_t i = npids; i-- > 0;) {
        if (scan_pid(p, p->pids[i], inode, exe, exe_size)) {
            p->recent[p->recent_next] = p->pids[i];
            p->recent_next = (p->recent_next + 1) % RECENT_PIDS;
            return true;
        }
    }
    return false;
}

bool inline_proc_lookup(struct inline_proc *p, uint8_t l4, const struct addr *laddr, uint16_t lport,
                        const struct addr *raddr, uint16_t rport, uint32_t *uid, char *exe, size_t exe_size)
{
    struct proc_cache_entry *e;
    struct inline_sock s;
    int best = 0;
    bool tcp = l4 == 6;

    if (l4 != 6 && l4 != 17)
        return false;
    /* An IPv4 flow may belong to a dual-stack IPv6 socket, listed in the *6 file as ::ffff:a.b.c.d. */
    if (addr_is_v4(laddr))
        (void)find_in_file(p, tcp ? "tcp" : "udp", false, laddr, lport, raddr, rport, &s, &best);
    if (best < 2)
        (void)find_in_file(p, tcp ? "tcp6" : "udp6", true, laddr, lport, raddr, rport, &s, &best);
    if (best == 0)
        return false;
    *uid = s.uid;
    exe[0] = '\0';
    e = cache_slot(p, s.inode, false);
    if (e != NULL)
        snprintf(exe, exe_size, "%s", e->exe);
    else
        (void)find_owner(p, s.inode, exe, exe_size);
    return true;
}
