/* inline/inline_nft.c - the netfilter rules that feed the queue: their text, and installing or removing them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "inline/inline.h"
#include "inline/inline_int.h"

#define TABLE "protowall"
#define CHAIN "PROTOWALL"

/* Appends to a text being built; the length keeps counting past size, as snprintf's does. */
struct text {
    char  *buf;
    size_t size, len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    char *dst = NULL;
    size_t room = 0;
    va_list ap;
    int n;

    if (t->len < t->size) {
        dst = t->buf + t->len;
        room = t->size - t->len;
    }
    va_start(ap, fmt);
    /* The analyzer misses the va_start above for calls with no variadic argument.
     * NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
    n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

/* nft's queue target: "num 3", or "num 2-5" (without the fanout flag the kernel picks the queue by
 * nfqueue_hash: jhash of the address pair in sorted order, so a flow's replies meet its requests). */
static const char *nft_target(char *buf, size_t size, const struct inline_nft_opts *o)
{
    if (o->queues > 1)
        snprintf(buf, size, "num %u-%u", o->queue, o->queue + o->queues - 1);
    else
        snprintf(buf, size, "num %u", o->queue);
    return buf;
}

/* The xtables form: --queue-balance uses the same hash, never --queue-cpu-fanout (by CPU, which
 * would split a flow whose packets are handled on both CPUs). */
static const char *xt_target(char *buf, size_t size, const struct inline_nft_opts *o)
{
    if (o->queues > 1)
        snprintf(buf, size, "--queue-balance %u:%u", o->queue, o->queue + o->queues - 1);
    else
        snprintf(buf, size, "--queue-num %u", o->queue);
    return buf;
}

/* The chains that copy the final mark into the ct mark run after the queue's (priority 10), on
 * the packets the queue accepted. */
static void final_chains(struct text *t)
{
    static const char *const hooks[] = {"output", "input", "forward"};

    for (int i = 0; i < 3; i++) {
        put(t, "\tchain %s_final {\n", hooks[i]);
        put(t, "\t\ttype filter hook %s priority 10; policy accept;\n", hooks[i]);
        put(t, "\t\tmeta mark & 0x%08x == 0x%08x ct mark set ct mark or 0x%08x\n", INLINE_MARK_FINAL,
            INLINE_MARK_FINAL, INLINE_MARK_FINAL);
        put(t, "\t}\n");
    }
}

size_t inline_nft_ruleset(char *buf, size_t size, const struct inline_nft_opts *o)
{
    static const char *const hooks[] = {"output", "input", "forward"};
    struct text t = {buf, size, 0};
    const char *bypass = o->fail_closed ? "" : " bypass";
    char q[32];

    if (size > 0)
        buf[0] = '\0';
    (void)nft_target(q, sizeof(q), o);
    if (o->queues > 1)
        put(&t, "# protowall inline: queues %u-%u, one flow's packets to one queue by address pair, %s\n", o->queue,
            o->queue + o->queues - 1,
            o->fail_closed ? "fail-closed (packets drop while protowall is down)"
                           : "fail-open (the kernel accepts while protowall is down)");
    else
        put(&t, "# protowall inline: queue %u, %s\n", o->queue,
        o->fail_closed ? "fail-closed (packets drop while protowall is down)"
                       : "fail-open (the kernel accepts while protowall is down)");
    /* Replacing the table in one transaction: add (so delete never fails), delete, define. */
    put(&t, "add table inet " TABLE "\ndelete table inet " TABLE "\ntable inet " TABLE " {\n");
    for (int i = 0; i < 3; i++) {
        put(&t, "\tchain %s {\n", hooks[i]);
        put(&t, "\t\ttype filter hook %s priority 0; policy accept;\n", hooks[i]);
        /* Loopback packets would be seen twice, leaving on output and arriving on input. */
        if (i == 0)
            put(&t, "\t\toifname \"lo\" accept\n");
        else if (i == 1)
            put(&t, "\t\tiifname \"lo\" accept\n");
        put(&t, "\t\tmeta mark & 0x%08x == 0x%08x accept\n", INLINE_MARK_INJECT, INLINE_MARK_INJECT);
        put(&t, "\t\tct mark & 0x%08x == 0x%08x accept\n", INLINE_MARK_FINAL, INLINE_MARK_FINAL);
        put(&t, "\t\tmeta l4proto { tcp, udp } queue %s%s\n", q, bypass);
        /* Only echo requests among ICMP: errors and neighbour discovery must never wait on us. */
        put(&t, "\t\ticmp type echo-request queue %s%s\n", q, bypass);
        put(&t, "\t\ticmpv6 type echo-request queue %s%s\n", q, bypass);
        put(&t, "\t}\n");
    }
    final_chains(&t);
    put(&t, "}\n");
    return t.len;
}

size_t inline_nft_xtables(char *buf, size_t size, const struct inline_nft_opts *o)
{
    struct text t = {buf, size, 0};
    const char *bypass = o->fail_closed ? "" : " --queue-bypass";
    char q[48];

    if (size > 0)
        buf[0] = '\0';
    (void)xt_target(q, sizeof(q), o);
    for (int v6 = 0; v6 < 2; v6++) {
        const char *ipt = v6 ? "ip6tables" : "iptables";

        put(&t, "%s -w -N " CHAIN "\n", ipt);
        put(&t, "%s -w -A " CHAIN " -m mark --mark 0x%08x/0x%08x -j ACCEPT\n", ipt, INLINE_MARK_INJECT,
            INLINE_MARK_INJECT);
        put(&t, "%s -w -A " CHAIN " -m connmark --mark 0x%08x/0x%08x -j ACCEPT\n", ipt, INLINE_MARK_FINAL,
            INLINE_MARK_FINAL);
        put(&t, "%s -w -A " CHAIN " -p tcp -j NFQUEUE %s%s\n", ipt, q, bypass);
        put(&t, "%s -w -A " CHAIN " -p udp -j NFQUEUE %s%s\n", ipt, q, bypass);
        if (v6)
            put(&t, "%s -w -A " CHAIN " -p ipv6-icmp --icmpv6-type echo-request -j NFQUEUE %s%s\n", ipt, q, bypass);
        else
            put(&t, "%s -w -A " CHAIN " -p icmp --icmp-type echo-request -j NFQUEUE %s%s\n", ipt, q, bypass);
        put(&t, "%s -w -I OUTPUT 1 ! -o lo -j " CHAIN "\n", ipt);
        put(&t, "%s -w -I INPUT 1 ! -i lo -j " CHAIN "\n", ipt);
        put(&t, "%s -w -I FORWARD 1 -j " CHAIN "\n", ipt);
    }
    put(&t, "nft -f - <<EOF\nadd table inet " TABLE "\ndelete table inet " TABLE "\ntable inet " TABLE " {\n");
    final_chains(&t);
    put(&t, "}\nEOF\n");
    return t.len;
}

/* ---- running nft and iptables ---- */

/* Runs argv with input on its stdin; its stderr lands in err. Returns the exit status, or -1. */
static int run(char *const argv[], const char *input, char *err, size_t errlen)
{
    int in[2], ep[2], status;
    size_t got = 0;
    pid_t pid;

    if (argv[0] == NULL)
        return -1;
    if (pipe(in) != 0)
        return -1;
    if (pipe(ep) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        close(in[0]);
        close(in[1]);
        close(ep[0]);
        close(ep[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(ep[1], 2);
        dup2(ep[1], 1);
        close(in[0]);
        close(in[1]);
        close(ep[0]);
        close(ep[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(ep[1]);
    if (input != NULL) {
        size_t n = strlen(input), off = 0;

        while (off < n) {
            ssize_t w = write(in[1], input + off, n - off);

            if (w <= 0)
                break;
            off += (size_t)w;
        }
    }
    close(in[1]);
    for (;;) {
        char tmp[512];
        ssize_t r = read(ep[0], tmp, sizeof(tmp));

        if (r <= 0)
            break;
        if (errlen > 0 && got + 1 < errlen) {
            size_t c = (size_t)r < errlen - 1 - got ? (size_t)r : errlen - 1 - got;

            memcpy(err + got, tmp, c);
            got += c;
        }
    }
    if (errlen > 0) {
        while (got > 0 && (err[got - 1] == '\n' || err[got - 1] == ' '))
            got--;
        err[got] = '\0';
    }
    close(ep[0]);
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs one iptables command line (words separated by single spaces, at most 24). */
static int run_line(const char *line, char *err, size_t errlen)
{
    char copy[512], *argv[25];
    int argc = 0;
    char *p = copy;

    if (snprintf(copy, sizeof(copy), "%s", line) >= (int)sizeof(copy))
        return -1;
    while (*p != '\0' && argc < 24) {
        argv[argc++] = p;
        p += strcspn(p, " ");
        if (*p == ' ')
            *p++ = '\0';
    }
    argv[argc] = NULL;
    return run(argv, NULL, err, errlen);
}

static void xtables_remove(void)
{
    static const char *const lines[] = {
        "-w -D OUTPUT ! -o lo -j " CHAIN, "-w -D INPUT ! -i lo -j " CHAIN, "-w -D FORWARD -j " CHAIN,
        "-w -F " CHAIN, "-w -X " CHAIN,
    };
    char line[256], err[256];

    for (int v6 = 0; v6 < 2; v6++) {
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
            /* A rule may have been inserted twice by hand; delete until it is gone. */
            snprintf(line, sizeof(line), "%s %s", v6 ? "ip6tables" : "iptables", lines[i]);
            for (int k = 0; k < 8 && run_line(line, err, sizeof(err)) == 0 && strstr(lines[i], " -D ") != NULL; k++)
                ;
        }
    }
}

static int install_xtables(const struct inline_nft_opts *o, char *err, size_t errlen)
{
    char text[8192], nft_text[2048];
    char *nft_argv[] = {"nft", "-f", "-", NULL};
    const char *heredoc;
    char *line, *next;

    (void)inline_nft_xtables(text, sizeof(text), o);
    heredoc = strstr(text, "nft -f - <<EOF\n");
    if (heredoc == NULL)
        return -1;
    snprintf(nft_text, sizeof(nft_text), "%.*s", (int)(strlen(heredoc + 15) - 4), heredoc + 15);
    text[heredoc - text] = '\0';
    xtables_remove();
    for (line = text; *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next == NULL)
            break;
        *next++ = '\0';
        if (run_line(line, err, errlen) != 0) {
            /* An IPv4-only host still gets its IPv4 rules. */
            if (strncmp(line, "ip6tables", 9) == 0)
                continue;
            xtables_remove();
            return -1;
        }
    }
    if (run(nft_argv, nft_text, err, errlen) != 0) {
        xtables_remove();
        return -1;
    }
    return 0;
}

int inline_nft_install(const struct inline_nft_opts *o, char *err, size_t errlen, const char **backend)
{
    char text[8192], first[512];
    char *argv[] = {"nft", "-f", "-", NULL};

    (void)inline_nft_ruleset(text, sizeof(text), o);
    xtables_remove();
    *backend = "nft";
    if (run(argv, text, first, sizeof(first)) == 0)
        return 0;
    /* Kernels built without nft's queue expression (CONFIG_NFT_QUEUE) still have the xtables
     * NFQUEUE target, which iptables-nft drives through nft_compat. */
    *backend = "xtables";
    if (install_xtables(o, err, errlen) == 0)
        return 0;
    if (errlen > 0 && first[0] != '\0') {
        char tail[256];

        snprintf(tail, sizeof(tail), "%s", err);
        snprintf(err, errlen, "nft: %s; iptables: %s", first, tail);
    }
    return -1;
}

int inline_nft_remove(char *err, size_t errlen)
{
    char *argv[] = {"nft", "-f", "-", NULL};
    int rc;

    xtables_remove();
    rc = run(argv, "add table inet " TABLE "\ndelete table inet " TABLE "\n", err, errlen);
    return rc == 0 ? 0 : -1;
}
