/* flow/conn_track.c - Zeek's per-connection bookkeeping: roles, TCP endpoint states, history, sizes. */
#include "flow/conn_track.h"

#include <netinet/in.h>
#include <string.h>

/* Ports Zeek's default analyzers register for (Analyzer::register_for_ports), which make up
 * likely_server_ports: a first packet *from* one of these (to a port not in it) is a reply. */
static const uint16_t likely_server_ports_tcp[] = {
    21, 22, 23, 25, 53, 80, 88, 110, 111, 135, 139, 143, 389, 443, 445, 465, 502, 563, 585, 587,
    614, 636, 989, 990, 992, 993, 995, 1080, 1812, 1883, 2811, 3128, 3268, 3389, 5060, 5223, 5672,
    6379, 6667, 6668, 6669, 8000, 8080, 8888, 9042,
};
static const uint16_t likely_server_ports_udp[] = {
    53, 67, 68, 69, 88, 111, 123, 137, 138, 161, 162, 500, 514, 547, 1701, 1812, 1813, 2123, 2152,
    3478, 4500, 4789, 5060, 5353, 5355, 6081, 19302,
};

static bool port_in(uint16_t port, const uint16_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == port)
            return true;
    return false;
}

static bool likely_server_port(uint8_t proto, uint16_t port)
{
    if (proto == IPPROTO_TCP)
        return port_in(port, likely_server_ports_tcp, sizeof(likely_server_ports_tcp) / sizeof(uint16_t));
    if (proto == IPPROTO_UDP)
        return port_in(port, likely_server_ports_udp, sizeof(likely_server_ports_udp) / sizeof(uint16_t));
    return false;
}

void conn_track_key(const struct packet *p, struct flow_key *k)
{
    memset(k, 0, sizeof(*k));
    k->orig_h = p->src;
    k->resp_h = p->dst;
    k->orig_p = p->sport;
    k->resp_p = p->dport;
    k->proto = p->l4_proto;
    if (p->tunnel.type != TUNNEL_NONE)
        k->tunnel = ((uint32_t)p->tunnel.type << 24) | (p->tunnel.vni & 0xffffff);
}

bool conn_track_should_flip(const struct packet *p)
{
    bool src_srv = likely_server_port(p->l4_proto, p->sport);
    bool dst_srv = likely_server_port(p->l4_proto, p->dport);

    if (p->l4_proto == IPPROTO_TCP) {
        uint8_t fl = p->tcp_flags;

        if ((fl & (TCP_SYN | TCP_ACK)) == TCP_SYN)
            return false;            /* a plain SYN names its sender the originator */
        if ((fl & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK))
            return true;             /* a SYN-ACK first: its receiver sent the SYN we missed */
        if (src_srv && !dst_srv)
            return true;
        if (src_srv && dst_srv)
            return p->sport < p->dport;
        return false;
    }
    if (p->l4_proto == IPPROTO_UDP)
        return src_srv && !dst_srv;
    return false;
}

static bool ep_terminated(const struct flow_endpoint *ep)
{
    return ep->state == TCP_EP_CLOSED || ep->state == TCP_EP_RESET;
}

bool conn_track_is_reuse(const struct flow *f, enum flow_dir dir, const struct packet *p)
{
    const struct flow_endpoint *ep = &f->ep[dir];
    const struct flow_endpoint *peer = &f->ep[!dir];

    if (p->l4_proto != IPPROTO_TCP || (p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return false;
    /* A new SYN after the old connection ended (either side reset, or both closed). */
    if (ep->state == TCP_EP_RESET || peer->state == TCP_EP_RESET)
        return true;
    if (ep_terminated(ep) && ep_terminated(peer))
        return true;
    return false;
}

/* ---- history ---- */

static void history_add(struct flow *f, enum flow_dir dir, char letter)
{
    if (f->history_len >= FLOW_HISTORY_MAX)
        return;
    if (dir == FLOW_DIR_RESP && letter >= 'A' && letter <= 'Z')
        letter = (char)(letter - 'A' + 'a');
    f->history[f->history_len++] = letter;
}

/* The letters recorded at most once per direction, in one bit each per side. */
static int history_once_bit(char letter)
{
    switch (letter) {
    case 'S': case 'H': return 0;   /* SYN and SYN-ACK share Zeek's HIST_SYN_PKT */
    case 'F': return 1;
    case 'R': return 2;
    case 'D': return 3;
    case 'A': return 4;
    case 'I': return 5;
    case 'Q': return 6;
    default:  return -1;
    }
}

/* Zeek's CheckHistory: records the letter the first time; says whether it had been seen. */
static bool history_check(struct flow *f, enum flow_dir dir, char letter)
{
    int bit = history_once_bit(letter);
    uint16_t mask;

    if (bit < 0)
        return false;
    mask = (uint16_t)(1u << (bit + (dir == FLOW_DIR_RESP ? 8 : 0)));
    if (f->history_once & mask)
        return true;
    f->history_once |= mask;
    history_add(f, dir, letter);
    return false;
}

void conn_track_history_once(struct flow *f, enum flow_dir dir, char letter)
{
    (void)history_check(f, dir, letter);
}

/* Zeek's ScaledHistoryEntry: the 1st, 10th, 100th, ... occurrence is recorded. */
static void history_scaled(struct flow *f, enum flow_dir dir, uint32_t *count, char letter)
{
    uint32_t n = ++*count;

    while (n % 10 == 0)
        n /= 10;
    if (n == 1)
        history_add(f, dir, letter);
}

void conn_track_history_counted(struct flow *f, enum flow_dir dir, enum flow_hist_counter which, char letter)
{
    if (f->tcp == NULL)
        return;
    history_scaled(f, dir, &f->tcp->hist_count[dir][which], letter);
}

static void tcp_history(struct flow *f, enum flow_dir dir, const struct packet *p, uint32_t rel_seq)
{
    struct flow_endpoint *ep = &f->ep[dir];
    uint8_t fl = p->tcp_flags;
    int bits = !!(fl & TCP_SYN) + !!(fl & TCP_FIN) + !!(fl & TCP_RST);

    if (bits > 1) {
        history_check(f, dir, (fl & TCP_FIN) && (fl & TCP_RST) ? 'I' : 'Q');
    } else if (fl & TCP_SYN) {
        char c = (fl & TCP_ACK) ? 'H' : 'S';

        if (history_check(f, dir, c) && rel_seq != ep->u.tcp.hist_seq)
            history_add(f, dir, c);
        ep->u.tcp.hist_seq = rel_seq;
    } else if (fl & TCP_FIN) {
        /* A FIN's sequence number follows its data, unlike a SYN's or an RST's. */
        uint32_t fin_seq = rel_seq + p->payload_wire_len;

        if (history_check(f, dir, 'F') && fin_seq != ep->u.tcp.hist_seq)
            history_add(f, dir, 'F');
        ep->u.tcp.hist_seq = fin_seq;
    } else if (fl & TCP_RST) {
        if (history_check(f, dir, 'R') && rel_seq != ep->u.tcp.hist_seq)
            history_add(f, dir, 'R');
        ep->u.tcp.hist_seq = rel_seq;
    } else if (p->payload_wire_len > 0) {
        history_check(f, dir, 'D');
    } else if (fl & TCP_ACK) {
        history_check(f, dir, 'A');
    }
    if (p->tcp_win == 0 && !(fl & (TCP_SYN | TCP_RST)))
        conn_track_history_counted(f, dir, FLOW_HIST_ZERO_WINDOW, 'W');
}

/* ---- TCP endpoint states ---- */

static void tcp_state_update(struct flow *f, enum flow_dir dir, const struct packet *p)
{
    struct flow_endpoint *ep = &f->ep[dir];
    struct flow_endpoint *peer = &f->ep[!dir];
    uint8_t fl = p->tcp_flags;

    if (fl & TCP_RST) {
        ep->state = TCP_EP_RESET;
        ep->rst_seen = 1;
        return;
    }
    if (fl & TCP_SYN) {
        ep->saw_syn = 1;
        switch (ep->state) {
        case TCP_EP_INACTIVE:
            if (fl & TCP_ACK) {
                ep->state = TCP_EP_SYN_ACK_SENT;
            } else if (dir == FLOW_DIR_RESP && peer->state == TCP_EP_SYN_SENT) {
                /* simultaneous open */
                ep->state = TCP_EP_ESTABLISHED;
                peer->state = TCP_EP_ESTABLISHED;
            } else {
                ep->state = TCP_EP_SYN_SENT;
            }
            break;
        default:
            break;
        }
    }
    if (fl & TCP_FIN) {
        ep->fin_seen = 1;
        ep->state = TCP_EP_CLOSED;
        return;
    }
    if (fl & TCP_SYN)
        return;
    /* Plain data or ACK. */
    switch (ep->state) {
    case TCP_EP_INACTIVE:
        ep->state = TCP_EP_PARTIAL;
        break;
    case TCP_EP_SYN_SENT:
    case TCP_EP_SYN_ACK_SENT:
        if ((fl & TCP_ACK) && (peer->state == TCP_EP_SYN_ACK_SENT || peer->state == TCP_EP_SYN_SENT ||
                               peer->state == TCP_EP_ESTABLISHED)) {
            ep->state = TCP_EP_ESTABLISHED;
            if (peer->state == TCP_EP_SYN_ACK_SENT || peer->state == TCP_EP_SYN_SENT)
                peer->state = TCP_EP_ESTABLISHED;
        } else if (p->payload_wire_len > 0) {
            ep->state = TCP_EP_PARTIAL;
        }
        break;
    default:
        break;
    }
}

/* Sequence bookkeeping for orig_bytes/resp_bytes, which Zeek derives from sequence numbers. */
static uint32_t tcp_seq_update(struct flow_endpoint *ep, const struct packet *p)
{
    uint32_t seq = p->tcp_seq, end;

    if (!ep->seq_known) {
        /* start_seq is one before the first byte, as if a SYN had been seen. */
        ep->u.tcp.start_seq = (p->tcp_flags & TCP_SYN) ? seq : seq - 1;
        ep->u.tcp.last_seq = ep->u.tcp.start_seq + 1;
        ep->seq_known = 1;
    } else if ((p->tcp_flags & TCP_SYN) && ep->state == TCP_EP_INACTIVE) {
        ep->u.tcp.start_seq = seq;
        ep->u.tcp.last_seq = seq + 1;
    }
    end = seq + p->payload_wire_len + ((p->tcp_flags & (TCP_SYN)) ? 1 : 0) + ((p->tcp_flags & TCP_FIN) ? 1 : 0);
    if (!(p->tcp_flags & TCP_RST) && (int32_t)(end - ep->u.tcp.last_seq) > 0)
        ep->u.tcp.last_seq = end;
    return seq - ep->u.tcp.start_seq;
}

bool conn_track_packet(struct flow *f, enum flow_dir dir, const struct packet *p, bool csum_bad)
{
    struct flow_endpoint *ep = &f->ep[dir];

    ep->pkts++;
    ep->ip_bytes += p->ip_len;
    f->last_seen = p->ts;
    if (csum_bad) {
        uint32_t n = ++ep->csum_bad_count;

        while (n % 10 == 0)
            n /= 10;
        if (n == 1)
            history_add(f, dir, 'C');
        return false;
    }
    f->last = p->ts;
    if (p->l4_proto == IPPROTO_TCP) {
        uint32_t rel_seq;

        rel_seq = tcp_seq_update(ep, p);
        tcp_history(f, dir, p, rel_seq);
        tcp_state_update(f, dir, p);
        return true;
    }
    ep->u.payload_bytes += p->payload_wire_len;
    if (p->l4_proto == IPPROTO_UDP || p->l4_proto == IPPROTO_ICMP || p->l4_proto == IPPROTO_ICMPV6)
        history_check(f, dir, 'D');
    return true;
}

enum flow_timeout_class conn_track_timeout_class(const struct flow *f)
{
    const struct flow_endpoint *o = &f->ep[FLOW_DIR_ORIG], *r = &f->ep[FLOW_DIR_RESP];

    switch (f->key.proto) {
    case IPPROTO_TCP:
        if (o->state == TCP_EP_RESET || r->state == TCP_EP_RESET)
            return FLOW_TIMEOUT_TCP_RESET;
        if (o->state == TCP_EP_CLOSED && r->state == TCP_EP_CLOSED)
            return FLOW_TIMEOUT_TCP_CLOSED;
        if ((o->state == TCP_EP_CLOSED && r->state == TCP_EP_INACTIVE) ||
            (r->state == TCP_EP_CLOSED && o->state == TCP_EP_INACTIVE))
            return FLOW_TIMEOUT_TCP_PARTIAL;
        return FLOW_TIMEOUT_TCP;
    case IPPROTO_UDP:
        return FLOW_TIMEOUT_UDP;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        return FLOW_TIMEOUT_ICMP;
    default:
        return FLOW_TIMEOUT_OTHER;
    }
}

static bool history_matches_rstos0(const struct flow *f)
{
    /* Zeek: ^?S[^HAFGIQ]*R.* */
    size_t i = 0;

    if (i < f->history_len && f->history[i] == '^')
        i++;
    if (i >= f->history_len || f->history[i] != 'S')
        return false;
    for (i++; i < f->history_len; i++) {
        if (f->history[i] == 'R')
            return true;
        if (strchr("HAFGIQ", f->history[i]) != NULL)
            return false;
    }
    return false;
}

static const char *tcp_state_name(const struct flow *f)
{
    int o = f->ep[FLOW_DIR_ORIG].state, r = f->ep[FLOW_DIR_RESP].state;
    bool o_inactive_or_partial = o == TCP_EP_INACTIVE || o == TCP_EP_PARTIAL;

    if (r == TCP_EP_RESET) {
        if (o == TCP_EP_SYN_SENT || o == TCP_EP_SYN_ACK_SENT ||
            (o == TCP_EP_RESET && f->ep[0].u.tcp.last_seq - f->ep[0].u.tcp.start_seq <= 1 &&
             f->ep[1].u.tcp.last_seq - f->ep[1].u.tcp.start_seq <= 1))
            return "REJ";
        if (o_inactive_or_partial)
            return "RSTRH";
        return "RSTR";
    }
    if (o == TCP_EP_RESET) {
        if (r == TCP_EP_INACTIVE || r == TCP_EP_PARTIAL)
            return history_matches_rstos0(f) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (o == TCP_EP_CLOSED && r == TCP_EP_CLOSED)
        return "SF";
    if (o == TCP_EP_CLOSED)
        return r == TCP_EP_INACTIVE ? "SH" : "S2";
    if (r == TCP_EP_CLOSED)
        return o == TCP_EP_INACTIVE ? "SHR" : "S3";
    if (o == TCP_EP_SYN_SENT && r == TCP_EP_INACTIVE)
        return "S0";
    if (o == TCP_EP_ESTABLISHED && r == TCP_EP_ESTABLISHED)
        return "S1";
    return "OTH";
}

const char *conn_track_state_name(const struct flow *f)
{
    bool o = f->ep[FLOW_DIR_ORIG].pkts > 0, r = f->ep[FLOW_DIR_RESP].pkts > 0;

    switch (f->key.proto) {
    case IPPROTO_TCP:
        return tcp_state_name(f);
    case IPPROTO_UDP:
        return o && r ? "SF" : o ? "S0" : r ? "SHR" : "OTH";
    default:
        return "OTH";
    }
}

uint64_t conn_track_payload_bytes(const struct flow *f, enum flow_dir dir)
{
    const struct flow_endpoint *ep = &f->ep[dir];
    uint32_t size;

    if (f->key.proto != IPPROTO_TCP)
        return ep->u.payload_bytes;
    if (!ep->seq_known)
        return 0;
    size = ep->u.tcp.last_seq - ep->u.tcp.start_seq;
    if (size > 0)
        size--;          /* the SYN's (or the pretend SYN's) octet */
    if (size > 0 && ep->fin_seen)
        size--;          /* the FIN's octet */
    return size;
}
