/* capture/capture_live.c - AF_PACKET capture through a TPACKET_V3 ring, with BPF and flow fanout. */
#include "capture/capture_live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define LIVE_LINKTYPE_ETHERNET 1
#define LIVE_LINKTYPE_RAW      101
#define LIVE_BLOCK_SIZE        (1u << 20)       /* a block holds the largest GSO frame */
#define LIVE_DEFAULT_RING      (64u << 20)
#define LIVE_RETIRE_MS         10               /* a part-filled block is handed over after this */
#define LIVE_VLAN_BUF          (LIVE_BLOCK_SIZE + 8)
#define LIVE_FANOUT_MAX        512

struct capture_live {
    int                        fd;
    uint8_t                   *ring;
    size_t                     ring_size;
    unsigned                   nblocks;
    unsigned                   cur;            /* the block read next */
    struct tpacket_block_desc *bd;             /* the block being read, owned by us; or NULL */
    uint32_t                   left;           /* frames of bd not yet read */
    uint8_t                   *next;           /* the next frame header in bd */
    int                        link_type;
    int                        ifindex;
    bool                       loopback;       /* lo shows each packet twice: sent and received */
    struct sock_fprog          prog;           /* the compiled filter (len 0: none) */
    uint8_t                   *vlan_buf;       /* a frame with its VLAN tag put back */
    struct capture_live_stats  st;
};

/* Refuses every packet: the socket's filter until capture_live_start. */
static struct sock_filter drop_all_insn[] = {{BPF_RET | BPF_K, 0, 0, 0}};

static int compile_filter(struct capture_live *c, const char *expr, char *err, size_t errlen)
{
    struct bpf_program bp;
    pcap_t *dead;

    if (expr == NULL || expr[0] == '\0')
        return 0;
    dead = pcap_open_dead(c->link_type == LIVE_LINKTYPE_RAW ? DLT_RAW : DLT_EN10MB, 262144);
    if (dead == NULL) {
        snprintf(err, errlen, "cannot compile the filter: out of memory");
        return -1;
    }
    if (pcap_compile(dead, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad filter \"%s\": %s", expr, pcap_geterr(dead));
        pcap_close(dead);
        return -1;
    }
    pcap_close(dead);
    if (bp.bf_len == 0 || bp.bf_len > BPF_MAXINSNS) {
        snprintf(err, errlen, "filter \"%s\" compiles to %u instructions (1..%d)", expr, bp.bf_len, BPF_MAXINSNS);
        pcap_freecode(&bp);
        return -1;
    }
    /* struct bpf_insn and struct sock_filter have the same layout: code, jt, jf, k. */
    c->prog.filter = calloc(bp.bf_len, sizeof(struct sock_filter));
    if (c->prog.filter == NULL) {
        pcap_freecode(&bp);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (unsigned i = 0; i < bp.bf_len; i++) {
        c->prog.filter[i].code = bp.bf_insns[i].code;
        c->prog.filter[i].jt = bp.bf_insns[i].jt;
        c->prog.filter[i].jf = bp.bf_insns[i].jf;
        c->prog.filter[i].k = bp.bf_insns[i].k;
    }
    c->prog.len = (unsigned short)bp.bf_len;
    pcap_freecode(&bp);
    return 0;
}

/* The interface's index and how its frames begin. */
static int iface_info(struct capture_live *c, const char *iface, int *ifindex, char *err, size_t errlen)
{
    struct ifreq ifr;

    if (strlen(iface) >= sizeof(ifr.ifr_name)) {
        snprintf(err, errlen, "interface name too long: %s", iface);
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    memcpy(ifr.ifr_name, iface, strlen(iface));
    if (ioctl(c->fd, SIOCGIFINDEX, &ifr) != 0) {
        snprintf(err, errlen, "no interface %s: %s", iface, strerror(errno));
        return -1;
    }
    *ifindex = ifr.ifr_ifindex;
    if (ioctl(c->fd, SIOCGIFHWADDR, &ifr) != 0) {
        snprintf(err, errlen, "%s: cannot read the link type: %s", iface, strerror(errno));
        return -1;
    }
    switch (ifr.ifr_hwaddr.sa_family) {
    case ARPHRD_ETHER:
        c->link_type = LIVE_LINKTYPE_ETHERNET;
        break;
    case ARPHRD_LOOPBACK:
        c->link_type = LIVE_LINKTYPE_ETHERNET;
        c->loopback = true;
        break;
    case ARPHRD_NONE:       /* tun, wireguard: the frame is the IP packet */
    case ARPHRD_PPP:
    case ARPHRD_IPGRE:
    case ARPHRD_TUNNEL:
    case ARPHRD_TUNNEL6:
        c->link_type = LIVE_LINKTYPE_RAW;
        break;
    default:
        snprintf(err, errlen, "%s: link type %u is not supported (Ethernet and IP tunnels are)", iface,
                 ifr.ifr_hwaddr.sa_family);
        return -1;
    }
    return 0;
}

static int setup_ring(struct capture_live *c, uint32_t ring_bytes, char *err, size_t errlen)
{
    struct tpacket_req3 req;
    int v = TPACKET_V3;

    if (setsockopt(c->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) != 0) {
        snprintf(err, errlen, "TPACKET_V3: %s", strerror(errno));
        return -1;
    }
    if (ring_bytes == 0)
        ring_bytes = LIVE_DEFAULT_RING;
    memset(&req, 0, sizeof(req));
    req.tp_block_size = LIVE_BLOCK_SIZE;
    req.tp_block_nr = ring_bytes / LIVE_BLOCK_SIZE < 2 ? 2 : ring_bytes / LIVE_BLOCK_SIZE;
    req.tp_frame_size = TPACKET_ALIGNMENT << 7;   /* V3 packs frames; this only sets tp_frame_nr */
    req.tp_frame_nr = req.tp_block_size / req.tp_frame_size * req.tp_block_nr;
    req.tp_retire_blk_tov = LIVE_RETIRE_MS;
    req.tp_feature_req_word = 0;
    if (setsockopt(c->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0) {
        snprintf(err, errlen, "ring of %u MiB: %s", req.tp_block_nr, strerror(errno));
        return -1;
    }
    c->nblocks = req.tp_block_nr;
    c->ring_size = (size_t)req.tp_block_size * req.tp_block_nr;
    /* Writable: a frame whose checksum the NIC was to fill gets it in place. */
    c->ring = mmap(NULL, c->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
    if (c->ring == MAP_FAILED) {
        c->ring = NULL;
        snprintf(err, errlen, "mapping the ring: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* The group's program (every member sets the same one; the last write wins). */
static int set_fanout_program(struct capture_live *c, char *err, size_t errlen)
{
    struct sock_filter insns[LIVE_FANOUT_MAX];
    struct sock_fprog fp;
    int n = capture_live_fanout_program(insns, LIVE_FANOUT_MAX, false,
                                        c->link_type == LIVE_LINKTYPE_ETHERNET ? 14 : 0);

    if (n <= 0) {
        snprintf(err, errlen, "fanout program does not fit");
        return -1;
    }
    fp.len = (unsigned short)n;
    fp.filter = insns;
    if (setsockopt(c->fd, SOL_PACKET, PACKET_FANOUT_DATA, &fp, sizeof(fp)) != 0) {
        snprintf(err, errlen, "fanout program: %s", strerror(errno));
        return -1;
    }
    return 0;
}

struct capture_live *capture_live_open(const struct capture_live_config *cfg, char *err, size_t errlen)
{
    struct sock_fprog none = {.len = 1, .filter = drop_all_insn};
    struct sockaddr_ll sll;
    struct capture_live *c;
    uint32_t fanout;
    int ifindex;

    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->vlan_buf = malloc(LIVE_VLAN_BUF);
    c->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (c->vlan_buf == NULL || c->fd < 0) {
        snprintf(err, errlen, "%s", c->vlan_buf == NULL ? "out of memory"
                                   : errno == EPERM ? "opening a packet socket needs CAP_NET_RAW (run as root)"
                                                    : strerror(errno));
        goto fail;
    }
    if (iface_info(c, cfg->iface, &ifindex, err, errlen) != 0 || compile_filter(c, cfg->filter, err, errlen) != 0)
        goto fail;
    c->ifindex = ifindex;
    if (setsockopt(c->fd, SOL_SOCKET, SO_ATTACH_FILTER, &none, sizeof(none)) != 0) {
        snprintf(err, errlen, "SO_ATTACH_FILTER: %s", strerror(errno));
        goto fail;
    }
    if (setup_ring(c, cfg->ring_bytes, err, errlen) != 0)
        goto fail;
    memset(&sll, 0, sizeof(sll));
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = ifindex;
    if (bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
        snprintf(err, errlen, "bind to %s: %s", cfg->iface, strerror(errno));
        goto fail;
    }
    if (cfg->promisc) {
        struct packet_mreq mr = {.mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC};

        if (setsockopt(c->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
            snprintf(err, errlen, "promiscuous mode on %s: %s", cfg->iface, strerror(errno));
            goto fail;
        }
    }
    fanout = cfg->fanout_group | (uint32_t)(PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_DEFRAG) << 16;
    if (setsockopt(c->fd, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof(fanout)) != 0) {
        snprintf(err, errlen, "joining fanout group %u: %s", cfg->fanout_group, strerror(errno));
        goto fail;
    }
    if (set_fanout_program(c, err, errlen) != 0)
        goto fail;
    return c;
fail:
    capture_live_close(c);
    return NULL;
}

int capture_live_start(struct capture_live *c, char *err, size_t errlen)
{
    int rc, unused = 0;

    if (c->prog.len > 0)
        rc = setsockopt(c->fd, SOL_SOCKET, SO_ATTACH_FILTER, &c->prog, sizeof(c->prog));
    else   /* the kernel wants an int's worth of option, which it ignores */
        rc = setsockopt(c->fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused));
    if (rc != 0) {
        snprintf(err, errlen, "setting the filter: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int capture_live_fd(const struct capture_live *c)
{
    return c->fd;
}

int capture_live_link_type(const struct capture_live *c)
{
    return c->link_type;
}

static struct tpacket_block_desc *block_at(const struct capture_live *c, unsigned i)
{
    return (struct tpacket_block_desc *)(c->ring + (size_t)i * LIVE_BLOCK_SIZE);
}

/* Gives the block being read back to the kernel. */
static void block_release(struct capture_live *c)
{
    __atomic_store_n(&c->bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    c->bd = NULL;
    c->cur = (c->cur + 1) % c->nblocks;
}

/* The kernel strips the VLAN tag into the frame header (VLAN offload); put it back where the
 * wire had it, after the two MAC addresses. Returns false if there is no room. */
static bool vlan_restore(struct capture_live *c, const struct tpacket3_hdr *h, struct capture_frame *fr)
{
    uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) && h->hv1.tp_vlan_tpid != 0
                        ? h->hv1.tp_vlan_tpid : ETH_P_8021Q;
    uint8_t tag[4] = {(uint8_t)(tpid >> 8), (uint8_t)tpid, (uint8_t)(h->hv1.tp_vlan_tci >> 8),
                      (uint8_t)h->hv1.tp_vlan_tci};

    if (fr->caplen < 12 || fr->caplen + 4 > LIVE_VLAN_BUF)
        return false;
    memcpy(c->vlan_buf, fr->data, 12);
    memcpy(c->vlan_buf + 12, tag, 4);
    memcpy(c->vlan_buf + 16, fr->data + 12, fr->caplen - 12);
    fr->data = c->vlan_buf;
    fr->caplen += 4;
    fr->wirelen += 4;
    return true;
}

enum capture_status capture_live_next(struct capture_live *c, struct capture_frame *fr)
{
    for (;;) {
        const struct sockaddr_ll *sll;
        struct tpacket3_hdr *h;

        if (c->bd == NULL) {
            struct tpacket_block_desc *bd = block_at(c, c->cur);

            if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
                return CAPTURE_END;
            c->bd = bd;
            c->left = bd->hdr.bh1.num_pkts;
            c->next = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
        }
        if (c->left == 0) {
            block_release(c);
            continue;
        }
        h = (struct tpacket3_hdr *)c->next;
        c->left--;
        c->next += h->tp_next_offset;
        /* A header pointing outside its block is a kernel bug we refuse to follow. */
        if ((uint8_t *)h + h->tp_mac + h->tp_snaplen > (uint8_t *)c->bd + LIVE_BLOCK_SIZE ||
            (h->tp_next_offset == 0 && c->left > 0)) {
            c->st.user_drops += 1 + c->left;
            c->left = 0;
            continue;
        }
        sll = (const struct sockaddr_ll *)((uint8_t *)h + TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
        if (c->loopback && sll->sll_pkttype == PACKET_OUTGOING)
            continue;
        fr->ts = (pw_time)h->tp_sec * 1000000000 + h->tp_nsec;
        fr->data = (uint8_t *)h + h->tp_mac;
        fr->caplen = h->tp_snaplen;
        fr->wirelen = h->tp_len;
        fr->link_type = c->link_type;
        if (h->tp_status & TP_STATUS_CSUMNOTREADY) {
            if (capture_live_fill_checksum((uint8_t *)h + h->tp_mac, h->tp_snaplen, c->link_type))
                c->st.csum_filled++;
        }
        if (c->link_type == LIVE_LINKTYPE_ETHERNET &&
            ((h->tp_status & TP_STATUS_VLAN_VALID) || h->hv1.tp_vlan_tci != 0) && !vlan_restore(c, h, fr)) {
            c->st.user_drops++;
            continue;
        }
        c->st.frames++;
        c->st.bytes += fr->wirelen;
        return CAPTURE_FRAME;
    }
}

int capture_live_error(struct capture_live *c)
{
    int e = 0;
    socklen_t len = sizeof(e);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
        return errno;
    /* The kernel says ENETDOWN both when the interface goes down and when it is deleted. */
    if (e == ENETDOWN) {
        struct ifreq ifr;

        memset(&ifr, 0, sizeof(ifr));
        ifr.ifr_ifindex = c->ifindex;
        if (ioctl(c->fd, SIOCGIFNAME, &ifr) != 0 && errno == ENODEV)
            return ENODEV;
    }
    return e;
}

void capture_live_stats(struct capture_live *c, struct capture_live_stats *out)
{
    struct tpacket_stats_v3 ks;
    socklen_t len = sizeof(ks);

    memset(&ks, 0, sizeof(ks));
    if (getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) == 0) {
        c->st.kernel_packets += ks.tp_packets;
        c->st.kernel_drops += ks.tp_drops;
        c->st.kernel_freezes += ks.tp_freeze_q_cnt;
    }
    *out = c->st;
}

void capture_live_close(struct capture_live *c)
{
    if (c == NULL)
        return;
    if (c->ring != NULL)
        munmap(c->ring, c->ring_size);
    if (c->fd >= 0)
        close(c->fd);
    free(c->prog.filter);
    free(c->vlan_buf);
    free(c);
}

/* ---- checksums the NIC was to fill in ---- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    while (n > 1) {
        sum += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n == 1)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* Writes the checksum of the TCP or UDP segment at l4 (len bytes, pseudo-header sum ph). */
static bool l4_fill(uint8_t *l4, uint32_t len, uint8_t proto, uint32_t ph, bool ph_v4)
{
    unsigned off = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 0;
    uint16_t ck;

    if (off == 0 || len < off + 2u)
        return false;
    /* UDP over IPv4 without a checksum (a VXLAN sender's usual choice): the pending checksum
     * is an inner one, at an offset the ring does not tell. */
    if (proto == IPPROTO_UDP && ph_v4 && l4[off] == 0 && l4[off + 1] == 0)
        return false;
    l4[off] = l4[off + 1] = 0;
    ck = (uint16_t)~fold(sum16(l4, len, ph + proto + len));
    if (proto == IPPROTO_UDP && ck == 0)
        ck = 0xffff;
    l4[off] = (uint8_t)(ck >> 8);
    l4[off + 1] = (uint8_t)ck;
    return true;
}

bool capture_live_fill_checksum(uint8_t *frame, uint32_t caplen, int link_type)
{
    uint32_t off = 0, end;
    uint16_t type;

    if (link_type == LIVE_LINKTYPE_ETHERNET) {
        if (caplen < 14)
            return false;
        type = (uint16_t)(frame[12] << 8 | frame[13]);
        off = 14;
        while ((type == ETH_P_8021Q || type == ETH_P_8021AD) && caplen >= off + 4) {
            type = (uint16_t)(frame[off + 2] << 8 | frame[off + 3]);
            off += 4;
        }
    } else if (link_type == LIVE_LINKTYPE_RAW) {
        if (caplen < 1)
            return false;
        type = (frame[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
    } else {
        return false;
    }
    if (type == ETH_P_IP) {
        const uint8_t *ip = frame + off;
        uint32_t ihl, tot;

        if (caplen < off + 20 || (ip[0] >> 4) != 4)
            return false;
        ihl = (ip[0] & 0x0fu) * 4;
        tot = (uint32_t)(ip[2] << 8 | ip[3]);
        /* Only a whole datagram carries its whole segment. */
        if (ihl < 20 || tot < ihl || (ip[6] & 0x3f) != 0 || ip[7] != 0)
            return false;
        end = off + tot;
        if (end > caplen)
            return false;
        return l4_fill(frame + off + ihl, tot - ihl, ip[9], sum16(ip + 12, 8, 0), true);
    }
    if (type == ETH_P_IPV6) {
        const uint8_t *ip = frame + off;
        uint32_t plen, l4;
        uint8_t nh;

        if (caplen < off + 40 || (ip[0] >> 4) != 6)
            return false;
        plen = (uint32_t)(ip[4] << 8 | ip[5]);
        nh = ip[6];
        end = off + 40 + plen;
        if (end > caplen)
            return false;
        l4 = off + 40;
        /* Hop-by-hop, routing and destination options; a fragment header ends the attempt. */
        while ((nh == 0 || nh == 43 || nh == 60) && l4 + 8 <= end) {
            uint32_t hl = (frame[l4 + 1] + 1u) * 8;

            nh = frame[l4];
            l4 += hl;
        }
        if (l4 > end)
            return false;
        return l4_fill(frame + l4, end - l4, nh, sum16(ip + 8, 32, 0), false);
    }
    return false;
}
