/* capture/capture_fanout.c - the classic BPF program that picks a worker: a symmetric flow hash that looks inside VXLAN and GENEVE. */
#include "capture/capture_live.h"

#include <linux/filter.h>
#include <linux/if_packet.h>
#include <string.h>

/* Why not the kernel's PACKET_FANOUT_HASH: it hashes the outer headers, and a tunnel endpoint
 * (Linux's vxlan device, a mirroring source) may give the two directions of one inner flow
 * different outer source ports, which would split the flow between workers.
 *
 * The program returns a hash; the kernel takes it modulo the number of sockets. Loads are plain
 * offsets from skb->data, which the kernel serves from paged data as well. Offsets from the
 * network header (SKF_NET_OFF) would have spared finding it, but before Linux 6.15 they reach
 * only the linear part, and a NIC driver that keeps little of a large frame linear (ENA's 256-byte copybreak leaves the
 * outer headers there and the VXLAN payload in pages) would have sent every large mirrored frame
 * to the first worker while the small frames of the same flow went elsewhere. The fanout runs
 * before the packet socket moves skb->data back to the link header, so a received packet's data
 * starts at its network header and a sent one's at its link header. A load outside the packet
 * ends the program with 0: such frames go to the first worker. */

#define M_L3    1   /* scratch slots: offset of the IP header being read */
#define M_L4    2   /* its payload's offset */
#define M_PROTO 3
#define M_ADDR  4   /* xor of the addresses */
#define M_TMP   5
#define M_FRAG  6   /* non-zero: a fragment, no ports */

#define MAX_LABELS 16
#define MAX_FIXUPS 64

enum label { L_SENT, L_BASE, L_OUT4, L_OUT6, L_TUN, L_VXLAN, L_GENEVE, L_GEN_ETH, L_IN_ETYPE, L_IN4, L_IN6, L_PORTS, L_PORTLOAD,
             L_NOPORTS };

struct bpf_asm {
    struct sock_filter *p;
    unsigned            n, max;
    int                 at[MAX_LABELS];
    struct {
        unsigned insn;
        int      lt, lf;          /* labels, or -1 for the next instruction */
    } fix[MAX_FIXUPS];
    unsigned            nfix;
    bool                overflow;
};

static void op(struct bpf_asm *a, uint16_t code, uint32_t k)
{
    if (a->n == a->max) {
        a->overflow = true;
        return;
    }
    a->p[a->n++] = (struct sock_filter){code, 0, 0, k};
}

/* A conditional jump to labels (or -1: fall through). */
static void jmp(struct bpf_asm *a, uint16_t code, uint32_t k, int lt, int lf)
{
    if (a->nfix == MAX_FIXUPS) {
        a->overflow = true;
        return;
    }
    a->fix[a->nfix].insn = a->n;
    a->fix[a->nfix].lt = lt;
    a->fix[a->nfix].lf = lf;
    a->nfix++;
    op(a, code, k);
}

/* A = A <op> k (BPF_K is 0, which static checkers take for a repeated operand when written out). */
static void alu_k(struct bpf_asm *a, uint16_t alu_op, uint32_t k)
{
    op(a, (uint16_t)(BPF_ALU | alu_op | BPF_K), k);
}

static void label(struct bpf_asm *a, enum label l)
{
    a->at[l] = (int)a->n;
}

static void ld_ind(struct bpf_asm *a, uint16_t size, uint32_t k)
{
    op(a, BPF_LD | size | BPF_IND, k);
}

/* IPv4 at X = M[M_L3]: fills M_L4, M_PROTO, M_ADDR, M_FRAG. */
static void gen_ip4(struct bpf_asm *a)
{
    op(a, BPF_LDX | BPF_MEM, M_L3);
    ld_ind(a, BPF_H, 6);
    alu_k(a, BPF_AND, 0x3fff);   /* MF or an offset: a fragment */
    op(a, BPF_ST, M_FRAG);
    ld_ind(a, BPF_B, 9);
    op(a, BPF_ST, M_PROTO);
    ld_ind(a, BPF_W, 12);
    op(a, BPF_ST, M_TMP);
    ld_ind(a, BPF_W, 16);
    op(a, BPF_LDX | BPF_MEM, M_TMP);
    op(a, BPF_ALU | BPF_XOR | BPF_X, 0);
    op(a, BPF_ST, M_ADDR);
    op(a, BPF_LDX | BPF_MEM, M_L3);
    ld_ind(a, BPF_B, 0);
    alu_k(a, BPF_AND, 0x0f);
    alu_k(a, BPF_LSH, 2);
    op(a, BPF_ALU | BPF_ADD | BPF_X, 0);
    op(a, BPF_ST, M_L4);
}

/* A conditional jump by a fixed count (within a block whose layout is fixed). */
static void jmp_rel(struct bpf_asm *a, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
    if (a->n == a->max) {
        a->overflow = true;
        return;
    }
    a->p[a->n++] = (struct sock_filter){code, jt, jf, k};
}

#define IP6_EXT_STEPS 3   /* extension headers walked: hop-by-hop, routing and destination options fit */

/* One IPv6 extension header at M[M_L4], named by M[M_PROTO]: hop-by-hop (0), routing (43) and
 * destination options (60) are skipped by their length in 8-byte units, AH (51) in 4-byte units;
 * a fragment header (44) sets M_FRAG when the packet is a real fragment (an offset, or more to
 * come), and then no later step reads on, since a later fragment's bytes there are payload. Any
 * other next header ends the walk. The block's layout is fixed: its jumps are counted, not
 * labelled, because it is emitted several times.
 *
 *   0 ld M[FRAG]      1 jeq #0, 0, END  2 ld M[PROTO]     3 jeq #0, EXT     4 jeq #43, EXT
 *   5 jeq #60, EXT    6 jeq #51, AH     7 jeq #44, FRAG, END
 *   8 EXT (11)        19 AH (11)        30 FRAG (10)      40 END */
static void gen_ip6_ext_step(struct bpf_asm *a)
{
    op(a, BPF_LD | BPF_MEM, M_FRAG);
    jmp_rel(a, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 38);
    op(a, BPF_LD | BPF_MEM, M_PROTO);
    jmp_rel(a, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, 0);
    jmp_rel(a, BPF_JMP | BPF_JEQ | BPF_K, 43, 3, 0);
    jmp_rel(a, BPF_JMP | BPF_JEQ | BPF_K, 60, 2, 0);
    jmp_rel(a, BPF_JMP | BPF_JEQ | BPF_K, 51, 12, 0);
    jmp_rel(a, BPF_JMP | BPF_JEQ | BPF_K, 44, 22, 32);
    for (int ah = 0; ah < 2; ah++) {   /* EXT, then AH: the same but for the length's unit */
        op(a, BPF_LDX | BPF_MEM, M_L4);
        ld_ind(a, BPF_B, 0);
        op(a, BPF_ST, M_TMP);
        ld_ind(a, BPF_B, 1);
        alu_k(a, BPF_ADD, ah ? 2 : 1);
        alu_k(a, BPF_LSH, ah ? 2 : 3);
        op(a, BPF_ALU | BPF_ADD | BPF_X, 0);
        op(a, BPF_ST, M_L4);
        op(a, BPF_LD | BPF_MEM, M_TMP);
        op(a, BPF_ST, M_PROTO);
        op(a, BPF_JMP | BPF_JA, ah ? 10 : 21);
    }
    op(a, BPF_LDX | BPF_MEM, M_L4);    /* FRAG */
    ld_ind(a, BPF_H, 2);
    alu_k(a, BPF_AND, 0xfff9);         /* the offset and the M flag */
    jmp_rel(a, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
    op(a, BPF_ST, M_FRAG);
    ld_ind(a, BPF_B, 0);
    op(a, BPF_ST, M_PROTO);
    op(a, BPF_LD | BPF_MEM, M_L4);
    alu_k(a, BPF_ADD, 8);
    op(a, BPF_ST, M_L4);
}

/* IPv6 at X = M[M_L3]: the fixed header, then up to IP6_EXT_STEPS extension headers. */
static void gen_ip6(struct bpf_asm *a)
{
    op(a, BPF_LDX | BPF_MEM, M_L3);
    op(a, BPF_LD | BPF_IMM, 0);
    op(a, BPF_ST, M_FRAG);
    ld_ind(a, BPF_B, 6);
    op(a, BPF_ST, M_PROTO);
    op(a, BPF_LD | BPF_IMM, 0);
    op(a, BPF_ST, M_ADDR);
    for (uint32_t off = 8; off < 40; off += 4) {
        op(a, BPF_LDX | BPF_MEM, M_L3);
        ld_ind(a, BPF_W, off);
        op(a, BPF_LDX | BPF_MEM, M_ADDR);
        op(a, BPF_ALU | BPF_XOR | BPF_X, 0);
        op(a, BPF_ST, M_ADDR);
    }
    op(a, BPF_LDX | BPF_MEM, M_L3);
    op(a, BPF_MISC | BPF_TXA, 0);
    alu_k(a, BPF_ADD, 40);
    op(a, BPF_ST, M_L4);
    for (int i = 0; i < IP6_EXT_STEPS; i++)
        gen_ip6_ext_step(a);
}

/* M_L3 = M_L4 + k, A = the inner EtherType loaded at M_L4 + et. */
static void set_inner(struct bpf_asm *a, uint32_t l3, uint32_t et)
{
    op(a, BPF_LD | BPF_MEM, M_L4);
    alu_k(a, BPF_ADD, l3);
    op(a, BPF_ST, M_L3);
    op(a, BPF_LDX | BPF_MEM, M_L4);
    ld_ind(a, BPF_H, et);
}

int capture_live_fanout_program(struct sock_filter *prog, unsigned max, bool userspace, uint32_t link_len)
{
    struct bpf_asm a;

    memset(&a, 0, sizeof(a));
    a.p = prog;
    a.max = max;
    for (int i = 0; i < MAX_LABELS; i++)
        a.at[i] = -1;

    /* Where the network header starts: after the link header in a frame as libpcap sees it and in
     * one this host sends, at skb->data in one it receives. */
    if (!userspace) {
        op(&a, BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_AD_OFF + SKF_AD_PKTTYPE);
        jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, L_SENT, -1);
        op(&a, BPF_LD | BPF_IMM, 0);
        jmp(&a, BPF_JMP | BPF_JA, 0, L_BASE, -1);
    }
    label(&a, L_SENT);
    op(&a, BPF_LD | BPF_IMM, link_len);
    label(&a, L_BASE);
    op(&a, BPF_ST, M_L3);

    /* Outer header. */
    if (userspace)
        op(&a, BPF_LD | BPF_H | BPF_ABS, 12);
    else
        op(&a, BPF_LD | BPF_H | BPF_ABS, (uint32_t)SKF_AD_OFF + SKF_AD_PROTOCOL);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 0x0800, L_OUT4, -1);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, L_OUT6, -1);
    op(&a, BPF_RET | BPF_K, 0);   /* not IP: the first worker */
    label(&a, L_OUT4);
    gen_ip4(&a);
    jmp(&a, BPF_JMP | BPF_JA, 0, L_TUN, -1);
    label(&a, L_OUT6);
    gen_ip6(&a);

    /* A UDP datagram to VXLAN's or GENEVE's port (not a fragment) carries a frame to hash instead. */
    label(&a, L_TUN);
    op(&a, BPF_LD | BPF_MEM, M_FRAG);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 0, -1, L_NOPORTS);
    op(&a, BPF_LD | BPF_MEM, M_PROTO);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 17, -1, L_PORTS);
    op(&a, BPF_LDX | BPF_MEM, M_L4);
    ld_ind(&a, BPF_H, 2);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 4789, L_VXLAN, -1);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 6081, L_GENEVE, L_PORTS);

    label(&a, L_VXLAN);          /* UDP 8 + VXLAN 8, then Ethernet */
    set_inner(&a, 8 + 8 + 14, 8 + 8 + 12);
    jmp(&a, BPF_JMP | BPF_JA, 0, L_IN_ETYPE, -1);

    label(&a, L_GENEVE);         /* UDP 8 + GENEVE 8 + options (4 * low 6 bits of byte 0) */
    ld_ind(&a, BPF_B, 8);
    alu_k(&a, BPF_AND, 0x3f);
    alu_k(&a, BPF_LSH, 2);
    op(&a, BPF_ALU | BPF_ADD | BPF_X, 0);
    op(&a, BPF_ST, M_TMP);       /* M_L4 + options */
    ld_ind(&a, BPF_H, 10);       /* protocol type */
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 0x6558, L_GEN_ETH, -1);
    op(&a, BPF_ST, M_FRAG);      /* IP right after the header: keep the type a moment */
    op(&a, BPF_LD | BPF_MEM, M_TMP);
    alu_k(&a, BPF_ADD, 16);
    op(&a, BPF_ST, M_L3);
    op(&a, BPF_LD | BPF_MEM, M_FRAG);
    jmp(&a, BPF_JMP | BPF_JA, 0, L_IN_ETYPE, -1);
    label(&a, L_GEN_ETH);
    op(&a, BPF_LD | BPF_MEM, M_TMP);
    alu_k(&a, BPF_ADD, 16 + 14);
    op(&a, BPF_ST, M_L3);
    op(&a, BPF_LDX | BPF_MEM, M_TMP);
    ld_ind(&a, BPF_H, 16 + 12);

    /* A: the inner EtherType. Anything but IP keeps the outer hash. */
    label(&a, L_IN_ETYPE);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 0x0800, L_IN4, -1);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, L_IN6, L_PORTS);
    label(&a, L_IN4);
    gen_ip4(&a);
    jmp(&a, BPF_JMP | BPF_JA, 0, L_PORTS, -1);
    label(&a, L_IN6);
    gen_ip6(&a);

    /* Ports of TCP, UDP and SCTP, in either order: sport ^ dport. */
    label(&a, L_PORTS);
    op(&a, BPF_LD | BPF_MEM, M_FRAG);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 0, -1, L_NOPORTS);
    op(&a, BPF_LD | BPF_MEM, M_PROTO);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 6, L_PORTLOAD, -1);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 17, L_PORTLOAD, -1);
    jmp(&a, BPF_JMP | BPF_JEQ | BPF_K, 132, -1, L_NOPORTS);
    label(&a, L_PORTLOAD);
    op(&a, BPF_LDX | BPF_MEM, M_L4);
    ld_ind(&a, BPF_W, 0);
    op(&a, BPF_ST, M_TMP);
    alu_k(&a, BPF_RSH, 16);
    op(&a, BPF_LDX | BPF_MEM, M_TMP);
    op(&a, BPF_ALU | BPF_XOR | BPF_X, 0);
    alu_k(&a, BPF_AND, 0xffff);
    op(&a, BPF_LDX | BPF_MEM, M_ADDR);
    op(&a, BPF_ALU | BPF_XOR | BPF_X, 0);
    op(&a, BPF_ST, M_ADDR);

    /* addresses ^ ports ^ protocol, then mixed so that the low bits (the modulo) depend on all. */
    label(&a, L_NOPORTS);
    op(&a, BPF_LD | BPF_MEM, M_PROTO);
    op(&a, BPF_LDX | BPF_MEM, M_ADDR);
    op(&a, BPF_ALU | BPF_XOR | BPF_X, 0);
    alu_k(&a, BPF_MUL, 0x9e3779b1u);
    op(&a, BPF_MISC | BPF_TAX, 0);
    alu_k(&a, BPF_RSH, 15);
    op(&a, BPF_ALU | BPF_XOR | BPF_X, 0);
    op(&a, BPF_RET | BPF_A, 0);

    if (a.overflow)
        return -1;
    for (unsigned i = 0; i < a.nfix; i++) {
        unsigned at = a.fix[i].insn;
        int t[2] = {a.fix[i].lt, a.fix[i].lf};
        unsigned d[2];

        for (int j = 0; j < 2; j++) {
            if (t[j] == -1) {
                d[j] = 0;
            } else {
                if (a.at[t[j]] < 0 || (unsigned)a.at[t[j]] <= at)
                    return -1;
                d[j] = (unsigned)a.at[t[j]] - at - 1;
            }
        }
        if (BPF_OP(a.p[at].code) == BPF_JA) {
            a.p[at].k = d[0];
        } else {
            if (d[0] > 255 || d[1] > 255)
                return -1;
            a.p[at].jt = (uint8_t)d[0];
            a.p[at].jf = (uint8_t)d[1];
        }
    }
    return (int)a.n;
}
