/* flow/conn_track.c - Zeek's per-connection bookkeeping: roles, TCP endpoint states, history, sizes. */
#include "flow/conn_track.h"

#include <netinet/in.h>
#include <string.h>

#include "util/bytes.h"

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

        /* A plain SYN names its sender the originator. Anything else is a partial connection,
         * and only the ports can say who the server is; a SYN-ACK alone is not trusted
         * (stealth scans send them), as in Zeek's TCPAnalyzer::WantConnection. */
        if ((fl & TCP_SYN) && !(fl & TCP_ACK))
            return false;
        if (!src_srv)
            return false;
        if (dst_srv)
            return !(fl & TCP_SYN) && p->sport < p->dport;
        return true;
    }
    if (p->l4_proto == IPPROTO_UDP)
        return src_srv && !dst_srv;
    return false;
}

bool conn_track_is_reuse(const struct flow *f, enum flow_dir dir, const struct packet *p)
{
    const struct flow_endpoint *orig = &f->ep[FLOW_DIR_ORIG], *resp = &f->ep[FLOW_DIR_RESP];
    const struct flow_endpoint *conn_orig = orig;

    (void)dir;
    /* Zeek's TCPSessionAdapter::IsReuse: only an initial SYN (or, for a half connection, a
     * SYN-ACK) can start a new connection over an existing tuple. */
    if (p->l4_proto != IPPROTO_TCP || !(p->tcp_flags & TCP_SYN))
        return false;
    if (p->tcp_flags & TCP_ACK) {
        if (orig->state != TCP_EP_INACTIVE)
            return false;
        conn_orig = resp;
    }
    if (!orig->did_close && !resp->did_close) {
        if (p->tcp_seq == conn_orig->u.tcp.start_seq)
            return false;
        if (!(p->tcp_flags & TCP_ACK) && conn_orig->state == TCP_EP_SYN_ACK_SENT &&
            resp->state == TCP_EP_INACTIVE && p->tcp_seq == resp->u.tcp.start_seq)
            return false;
    }
    return true;
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
    case '^': return 7;
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

/* Zeek's update_history: S/H, F and R repeat when their relative sequence number changes. */
static void tcp_history(struct flow *f, enum flow_dir dir, const struct packet *p, uint32_t rel_seq)
{
    uint32_t *last = f->tcp != NULL ? f->tcp->hist_last[dir] : NULL;
    uint8_t fl = p->tcp_flags;
    int bits = !!(fl & TCP_SYN) + !!(fl & TCP_FIN) + !!(fl & TCP_RST);

    if (bits > 1) {
        history_check(f, dir, (fl & TCP_FIN) && (fl & TCP_RST) ? 'I' : 'Q');
    } else if (fl & TCP_SYN) {
        char c = (fl & TCP_ACK) ? 'H' : 'S';

        if (history_check(f, dir, c) && last != NULL && rel_seq != last[0])
            history_add(f, dir, c);
        if (last != NULL)
            last[0] = rel_seq;
    } else if (fl & TCP_FIN) {
        /* A FIN's sequence number follows its data, unlike a SYN's or an RST's. */
        uint32_t fin_seq = rel_seq + p->payload_wire_len;

        if (history_check(f, dir, 'F') && last != NULL && fin_seq != last[1])
            history_add(f, dir, 'F');
        if (last != NULL)
            last[1] = fin_seq;
    } else if (fl & TCP_RST) {
        if (history_check(f, dir, 'R') && last != NULL && rel_seq != last[2])
            history_add(f, dir, 'R');
        if (last != NULL)
            last[2] = rel_seq;
    } else if (p->payload_wire_len > 0) {
        history_check(f, dir, 'D');
    } else if (fl & TCP_ACK) {
        history_check(f, dir, 'A');
    }
}

static void weird_add(struct conn_track_weirds *w, enum weird_id id)
{
    if (w->n < CONN_TRACK_MAX_WEIRDS)
        w->id[w->n++] = id;
}

/* ---- TCP endpoint states (Zeek's UpdateStateMachine and its Update*State helpers) ---- */

static void ep_set_state(struct flow_endpoint *ep, enum tcp_ep_state s)
{
    if (ep->state != s) {
        ep->prev_state = ep->state;
        ep->state = (uint8_t)s;
    }
}

/* Returns true when the packet closes this side (Zeek's do_close). */
static bool tcp_state_update(struct flow *f, enum flow_dir dir, const struct packet *p, struct conn_track_weirds *w)
{
    struct flow_endpoint *ep = &f->ep[dir];
    struct flow_endpoint *peer = &f->ep[!dir];
    uint8_t fl = p->tcp_flags;
    bool syn = fl & TCP_SYN, ack = fl & TCP_ACK, fin = fl & TCP_FIN, rst = fl & TCP_RST;
    bool is_orig = dir == FLOW_DIR_ORIG, do_close = false;

    switch (ep->state) {
    case TCP_EP_INACTIVE:
        if (syn) {
            if (is_orig) {
                if (ack)
                    weird_add(w, WEIRD_ORIG_SYN_ACK);
                ep_set_state(ep, ack ? TCP_EP_SYN_ACK_SENT : TCP_EP_SYN_SENT);
            } else {
                if (!ack && !(peer->state == TCP_EP_SYN_ACK_SENT))
                    weird_add(w, WEIRD_SIMULTANEOUS_OPEN);
                if (peer->state == TCP_EP_SYN_SENT)
                    ep_set_state(peer, TCP_EP_ESTABLISHED);
                ep_set_state(ep, TCP_EP_ESTABLISHED);
            }
        }
        if (fin) {
            ep_set_state(ep, TCP_EP_CLOSED);
            do_close = true;
        }
        if (rst) {
            ep_set_state(ep, TCP_EP_RESET);
            do_close = true;
        }
        if (ep->state == TCP_EP_INACTIVE) {
            if (!is_orig && p->payload_wire_len == 0 && f->ep[FLOW_DIR_ORIG].state == TCP_EP_SYN_SENT)
                ; /* an ACK of the SYN before the SYN-ACK: not a partial connection */
            else if (ack && peer->state == TCP_EP_ESTABLISHED)
                ep_set_state(ep, TCP_EP_ESTABLISHED);   /* we missed this side's SYN */
            else
                ep_set_state(ep, TCP_EP_PARTIAL);
        }
        break;
    case TCP_EP_SYN_SENT:
    case TCP_EP_SYN_ACK_SENT:
        if (fin) {
            if (peer->state == TCP_EP_INACTIVE || peer->state == TCP_EP_SYN_SENT)
                weird_add(w, WEIRD_INAPPROPRIATE_FIN);
            ep_set_state(ep, TCP_EP_CLOSED);
            do_close = true;
        }
        if (rst) {
            ep_set_state(ep, TCP_EP_RESET);
            do_close = true;
        } else if (p->payload_wire_len > 0) {
            weird_add(w, WEIRD_DATA_BEFORE_ESTABLISHED);
        }
        break;
    case TCP_EP_ESTABLISHED:
    case TCP_EP_PARTIAL:
        if (syn && ep->state == TCP_EP_PARTIAL && peer->state == TCP_EP_INACTIVE && !ack)
            ep_set_state(ep, TCP_EP_SYN_SENT);
        if (fin && !rst) {
            ep_set_state(ep, TCP_EP_CLOSED);
            /* A FIN then an RST from the peer was a normal close after all. */
            if (peer->state == TCP_EP_RESET && peer->prev_state == TCP_EP_CLOSED)
                ep_set_state(peer, TCP_EP_CLOSED);
            do_close = true;
        }
        if (rst) {
            ep_set_state(ep, TCP_EP_RESET);
            do_close = true;
        }
        break;
    case TCP_EP_CLOSED:
        if (syn)
            weird_add(w, WEIRD_SYN_AFTER_CLOSE);
        if (rst && peer->state != TCP_EP_CLOSED) {
            ep_set_state(ep, TCP_EP_RESET);
            if (!ep->did_close)
                do_close = true;
        }
        break;
    case TCP_EP_RESET:
        if (syn)
            weird_add(w, WEIRD_SYN_AFTER_RESET);
        if (p->payload_wire_len > 0 && !rst)
            weird_add(w, WEIRD_DATA_AFTER_RESET);
        break;
    default:
        break;
    }
    return do_close;
}

static int32_t seq_delta(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

#define TOO_LARGE_SEQ_DELTA 1048576

/* Zeek's init_endpoint, init_peer, update_ack_seq and update_last_seq: the sequence numbers
 * orig_bytes/resp_bytes are computed from. Returns the packet's relative sequence number. */
static uint32_t tcp_seq_update(struct flow *f, enum flow_dir dir, const struct packet *p, bool *rexmit)
{
    struct flow_endpoint *ep = &f->ep[dir];
    struct flow_endpoint *peer = &f->ep[!dir];
    uint8_t fl = p->tcp_flags;
    uint32_t seq = p->tcp_seq, len = p->payload_wire_len;
    uint32_t seg_len = len + !!(fl & TCP_SYN) + !!(fl & TCP_FIN) - ((fl & TCP_RST) ? len : 0);
    uint32_t end = seq + seg_len, rel;
    int32_t delta_last;

    switch (ep->state) {
    case TCP_EP_INACTIVE:
        if (fl & TCP_SYN) {
            ep->u.tcp.start_seq = ep->u.tcp.ack_seq = seq;
            ep->u.tcp.last_seq = end;
        } else {
            /* A partial connection: number bytes as though a SYN had been seen. */
            ep->u.tcp.start_seq = ep->u.tcp.ack_seq = seq - 1;
            ep->u.tcp.last_seq = seq;
        }
        break;
    case TCP_EP_SYN_SENT:
    case TCP_EP_SYN_ACK_SENT:
    case TCP_EP_ESTABLISHED:
    case TCP_EP_PARTIAL:
        if ((fl & TCP_SYN) && seq != ep->u.tcp.start_seq) {
            ep->u.tcp.start_seq = ep->u.tcp.ack_seq = seq;
            ep->u.tcp.last_seq = end;
        } else if ((fl & TCP_SYN) && (ep->state == TCP_EP_ESTABLISHED || ep->state == TCP_EP_PARTIAL)) {
            ep->u.tcp.ack_seq = seq;
            ep->u.tcp.last_seq = end;
        }
        break;
    case TCP_EP_RESET:
        if ((fl & TCP_SYN) && ep->prev_state == TCP_EP_INACTIVE) {
            ep->u.tcp.start_seq = ep->u.tcp.ack_seq = seq;
            ep->u.tcp.last_seq = end;
        }
        break;
    default:
        break;
    }
    rel = seq - ep->u.tcp.start_seq;

    if (fl & TCP_ACK) {
        if (peer->state == TCP_EP_INACTIVE) {
            peer->u.tcp.start_seq = peer->u.tcp.ack_seq = peer->u.tcp.last_seq = p->tcp_ack - 1;
        } else if (!(fl & TCP_RST) && seq_delta(p->tcp_ack, peer->u.tcp.start_seq) >= 0) {
            int32_t d = seq_delta(p->tcp_ack, peer->u.tcp.ack_seq);

            if (!(p->tcp_ack == 0 && d > TOO_LARGE_SEQ_DELTA) && d > 0)
                peer->u.tcp.ack_seq = p->tcp_ack;
        }
    }

    delta_last = seq_delta(end, ep->u.tcp.last_seq);
    /* Zeek's update_last_seq: a SYN or RST far outside the window is not trusted; a FIN right
     * after the SYN is (a >2 GB transfer seen only at its ends); nothing after a reset is. */
    bool wild = (fl & (TCP_SYN | TCP_RST)) && (delta_last > TOO_LARGE_SEQ_DELTA || delta_last < -TOO_LARGE_SEQ_DELTA);
    bool fin_after_syn = (fl & TCP_FIN) && ep->u.tcp.last_seq == ep->u.tcp.start_seq + 1;

    if (!wild && (fin_after_syn || (ep->state != TCP_EP_RESET && delta_last > 0)))
        ep->u.tcp.last_seq = end;
    else if (!wild && ep->state != TCP_EP_RESET && len > 0)
        *rexmit = true;
    return rel;
}

bool conn_track_packet(struct flow *f, enum flow_dir dir, const struct packet *p, bool csum_bad,
                       struct conn_track_weirds *w)
{
    struct flow_endpoint *ep = &f->ep[dir];

    f->last_seen = p->ts;
    if (csum_bad) {
        /* As Zeek: marked in the history, then dropped before state or size accounting. */
        if (ep->csum_bad_count < UINT8_MAX) {
            uint32_t n = ++ep->csum_bad_count;

            while (n % 10 == 0)
                n /= 10;
            if (n == 1)
                history_add(f, dir, 'C');
        }
        return false;
    }
    ep->pkts++;
    ep->ip_bytes += p->ip_len;
    if (p->l4_proto == IPPROTO_TCP) {
        bool rexmit = false, closes;
        uint32_t rel_seq = tcp_seq_update(f, dir, p, &rexmit);

        tcp_history(f, dir, p, rel_seq);
        if (p->tcp_flags & TCP_SYN) {
            if (p->tcp_flags & TCP_RST)
                weird_add(w, WEIRD_TCP_CHRISTMAS);
            if (p->tcp_flags & TCP_URG)
                weird_add(w, WEIRD_BAROQUE_SYN);
            if (p->payload_wire_len > 0)
                weird_add(w, WEIRD_SYN_WITH_DATA);
        }
        if (p->tcp_win == 0 && !(p->tcp_flags & TCP_RST) && f->ep[!dir].state != TCP_EP_CLOSED &&
            ep->state != TCP_EP_RESET)
            conn_track_history_counted(f, dir, FLOW_HIST_ZERO_WINDOW, 'W');
        /* Zeek stops the duration clock once both sides have closed. */
        if (!f->ep[0].did_close || !f->ep[1].did_close)
            f->last = p->ts;
        if (p->tcp_flags & TCP_FIN)
            ep->fin_seen = 1;
        closes = tcp_state_update(f, dir, p, w);
        if (rexmit)
            conn_track_history_counted(f, dir, FLOW_HIST_REXMIT, 'T');
        if (closes && !ep->did_close) {
            const struct flow_endpoint *peer = &f->ep[!dir];

            ep->did_close = 1;
            /* Zeek's close_complete: the connection is done once this side reset, or both
             * closed, or the other side never said anything. */
            if (ep->state == TCP_EP_RESET || peer->did_close || peer->state == TCP_EP_INACTIVE)
                f->close_complete = 1;
        }
        return true;
    }
    f->last = p->ts;
    if (p->l4_proto == IPPROTO_UDP) {
        /* Zeek counts what the UDP length field claims, not what IP carried. */
        uint16_t ulen = p->l4_len >= 6 ? rd_be16(p->l4 + 4) : 0;

        ep->u.payload_bytes += ulen >= 8 ? ulen - 8u : 0u;
        history_check(f, dir, 'D');
    } else {
        ep->u.payload_bytes += p->payload_wire_len;
    }
    return true;
}

void conn_track_flip(struct flow *f)
{
    struct flow_endpoint ep = f->ep[0];
    char h[FLOW_HISTORY_MAX];
    size_t n = 0;

    f->ep[0] = f->ep[1];
    f->ep[1] = ep;
    if (f->tcp != NULL) {
        struct tcp_reasm r = f->tcp->reasm[0];
        uint32_t c[FLOW_HIST_COUNTERS], l[3];

        f->tcp->reasm[0] = f->tcp->reasm[1];
        f->tcp->reasm[1] = r;
        memcpy(c, f->tcp->hist_count[0], sizeof(c));
        memcpy(f->tcp->hist_count[0], f->tcp->hist_count[1], sizeof(c));
        memcpy(f->tcp->hist_count[1], c, sizeof(c));
        memcpy(l, f->tcp->hist_last[0], sizeof(l));
        memcpy(f->tcp->hist_last[0], f->tcp->hist_last[1], sizeof(l));
        memcpy(f->tcp->hist_last[1], l, sizeof(l));
    }
    f->history_once = (uint16_t)((f->history_once >> 8) | (f->history_once << 8));
    h[n++] = '^';
    for (size_t i = 0; i < f->history_len && n < FLOW_HISTORY_MAX; i++) {
        char c = f->history[i];

        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != '^')
            h[n++] = c;
    }
    memcpy(f->history, h, n);
    f->history_len = (uint8_t)n;
    f->flipped ^= 1;
}

static bool ep_is_clean(const struct flow_endpoint *ep)
{
    return ep->state == TCP_EP_ESTABLISHED ||
           (ep->state == TCP_EP_CLOSED && ep->prev_state == TCP_EP_ESTABLISHED);
}

bool conn_track_is_clean(const struct flow *f)
{
    return ep_is_clean(&f->ep[0]) && ep_is_clean(&f->ep[1]);
}

static bool in_handshake(const struct flow_endpoint *ep)
{
    return ep->state == TCP_EP_INACTIVE || ep->state == TCP_EP_SYN_SENT || ep->state == TCP_EP_SYN_ACK_SENT;
}

enum flow_timeout_class conn_track_timeout_class(const struct flow *f)
{
    const struct flow_endpoint *o = &f->ep[FLOW_DIR_ORIG], *r = &f->ep[FLOW_DIR_RESP];

    switch (f->key.proto) {
    case IPPROTO_TCP:
        if (f->close_complete)
            return FLOW_TIMEOUT_TCP_CLOSED;
        if ((o->state == TCP_EP_SYN_SENT || o->state == TCP_EP_SYN_ACK_SENT) && r->state == TCP_EP_INACTIVE)
            return FLOW_TIMEOUT_TCP_ATTEMPT;
        if (in_handshake(o) && in_handshake(r))
            return FLOW_TIMEOUT_TCP_HANDSHAKE;
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
    bool o_inactive = o == TCP_EP_INACTIVE || o == TCP_EP_PARTIAL;
    bool r_inactive = r == TCP_EP_INACTIVE || r == TCP_EP_PARTIAL;

    if (r == TCP_EP_RESET) {
        if (o == TCP_EP_SYN_SENT || o == TCP_EP_SYN_ACK_SENT ||
            (o == TCP_EP_RESET && conn_track_payload_bytes(f, FLOW_DIR_ORIG) == 0 &&
             conn_track_payload_bytes(f, FLOW_DIR_RESP) == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (o == TCP_EP_RESET) {
        if (r_inactive)
            return history_matches_rstos0(f) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (o == TCP_EP_CLOSED && r == TCP_EP_CLOSED)
        return "SF";
    if (o == TCP_EP_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (r == TCP_EP_CLOSED)
        return o_inactive ? "SHR" : "S3";
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
    if (ep->state == TCP_EP_INACTIVE)
        return 0;
    /* A half-open connection found and aborted: its sequence numbers say nothing of data. */
    if (ep->prev_state == TCP_EP_SYN_SENT && ep->state == TCP_EP_RESET &&
        f->ep[!dir].state == TCP_EP_INACTIVE && ep->u.tcp.ack_seq != ep->u.tcp.start_seq + 1)
        return 0;
    /* Zeek's TCP_Endpoint::Size: bytes up to the higher of what was sent and what the peer
     * acknowledged, less the SYN's octet and the FIN's. */
    if (seq_delta(ep->u.tcp.last_seq, ep->u.tcp.ack_seq) > 0)
        size = ep->u.tcp.last_seq - ep->u.tcp.start_seq;
    else
        size = ep->u.tcp.ack_seq - ep->u.tcp.start_seq;
    if (size != 0)
        size--;
    if (ep->fin_seen && size != 0)
        size--;
    return size;
}
