/* flow/flow.h - one bidirectional connection as the engine tracks it, and its table. */
#ifndef PW_FLOW_FLOW_H
#define PW_FLOW_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/packet.h"
#include "flow/tcp_reasm.h"
#include "util/addr.h"
#include "util/pw_time.h"

/* Zeek's TCP endpoint states (TCP_Endpoint.h), which conn_state is derived from. */
enum tcp_ep_state {
    TCP_EP_INACTIVE,
    TCP_EP_SYN_SENT,
    TCP_EP_SYN_ACK_SENT,
    TCP_EP_PARTIAL,
    TCP_EP_ESTABLISHED,
    TCP_EP_CLOSED,
    TCP_EP_RESET,
};

enum flow_dir {
    FLOW_DIR_ORIG = 0,
    FLOW_DIR_RESP = 1,
};

/* The 5-tuple (plus tunnel context) in the orientation of the connection's originator. */
struct flow_key {
    struct addr orig_h;
    struct addr resp_h;
    uint16_t    orig_p;
    uint16_t    resp_p;
    uint8_t     proto;
    uint8_t     pad[3];
    uint32_t    tunnel;     /* tunnel type << 24 | VNI; 0 when not tunnelled */
};

/* What one side sent. 32 bytes: flows must stay small (the union is packed to 12 bytes; its
 * 64-bit member still lands on an 8-byte boundary, 16 bytes into the endpoint). */
struct flow_endpoint {
    uint64_t pkts;
    uint64_t ip_bytes;
    union __attribute__((packed, aligned(4))) {
        uint64_t payload_bytes;     /* UDP/ICMP: sum of payload lengths */
        struct {
            uint32_t start_seq;     /* ISN (SYN), or one before the first seq seen */
            uint32_t last_seq;      /* one past the highest sequence number sent */
            uint32_t ack_seq;       /* highest sequence number the peer acknowledged */
        } tcp;
    } u;
    uint8_t  state;                 /* enum tcp_ep_state */
    uint8_t  prev_state;            /* the state before the last change */
    uint8_t  did_close : 1;         /* sent a FIN or RST that closed its side */
    uint8_t  fin_seen : 1;
    uint8_t  csum_bad_count;        /* for the logarithmic 'c' letter (saturates) */
};

/* Counters behind the logarithmic history letters g, t, w (1, 10, 100, ... times). */
enum flow_hist_counter {
    FLOW_HIST_GAP,
    FLOW_HIST_REXMIT,
    FLOW_HIST_ZERO_WINDOW,
    FLOW_HIST_COUNTERS,
};

/* TCP-only state, pool-allocated so UDP and ICMP flows stay small. */
struct flow_tcp {
    struct tcp_reasm reasm[2];
    uint64_t         missed_bytes;
    uint32_t         hist_count[2][FLOW_HIST_COUNTERS];
    uint32_t         hist_last[2][3];   /* relative seq of the last S, F, R letter per side */
};

#define FLOW_HISTORY_MAX 24

struct flow {
    struct flow     *hash_next;
    struct flow     *lru_prev;
    struct flow     *lru_next;
    struct flow_key  key;
    uint64_t         id;              /* creation counter; the uid is derived from it */
    uint64_t         tunnel_parent;   /* id of the outer flow + 1, 0 if none */
    uint64_t         tunnel_parent2;  /* a second outer flow its packets came through (+ 1), 0 if none:
                                         a mirror may wrap each direction in its own */
    uint64_t         weirds_seen;     /* bit per weird_id already logged for this flow */
    pw_time          start;
    pw_time          last;            /* last packet that counts for duration */
    pw_time          last_seen;       /* last packet of any kind: drives inactivity */
    pw_time          expire_at;       /* when its timer runs out (see flow_table.h) */
    struct flow_endpoint ep[2];
    struct flow_tcp *tcp;
    void            *app;             /* identification / analyzer state; engine-owned */
    char             history[FLOW_HISTORY_MAX];
    uint8_t          history_len;
    uint16_t         history_once;    /* bits for letters recorded once per direction */
    uint8_t          timeout_class;   /* which expiry list it is on */
    uint8_t          flipped : 1;
    uint8_t          close_complete : 1; /* both sides closed, or one reset, or closed alone */
    uint8_t          partial : 1;     /* TCP picked up without its start (no SYN seen first) */
    uint8_t          flip_pending : 1; /* roles found reversed: swap after this packet */
    uint8_t          syn_first : 1;   /* the first packet was a plain SYN: roles are certain */
    uint8_t          logged : 1;
    uint8_t          tunnel_outer : 1; /* carries a tunnel: logged with its service */
    uint8_t          tunnel_active : 1; /* tunnel.log has its DISCOVER row; CLOSE when it ends */
    uint8_t          tunnel_type;
    uint8_t          verdict;         /* inline mode: the flow's verdict once final (0: none yet) */
};

#endif
