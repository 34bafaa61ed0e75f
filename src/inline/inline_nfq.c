/* inline/inline_nfq.c - the NFQUEUE socket: bind a queue, read packets, send verdicts in batches. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <sys/socket.h>

#include "inline/inline.h"

#define QUEUE_MAXLEN    8192          /* packets the kernel keeps queued for us (held ones included) */
#define RCVBUF_BYTES    (16 << 20)
#define COPY_RANGE      0xffff
#define RECV_BUF        (COPY_RANGE + 4096)
#define ROUND_MAX       128           /* packets read before the verdicts go out */
#define VERDICT_BUF     65536
#define VERDICT_MSG_MAX 128           /* one verdict message, mark included, with room to spare */

struct inline_nfq {
    struct mnl_socket *nl;
    unsigned           num;
    uint32_t           portid;
    char              *rbuf;
    char              *vbuf;
    size_t             vlen;
    uint32_t           run_first, run_last, run_n;   /* consecutive plain accepts not sent yet */
    struct inline_dp  *dp;
    uint64_t           batches;
    uint64_t           enobufs;
};

static pw_time wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (pw_time)ts.tv_sec * PW_SEC + ts.tv_nsec;
}

/* Sends a config message and reads the kernel's answer: 0, or -1 with errno (EBUSY: another
 * process has the queue; EPERM: no CAP_NET_ADMIN). */
static int config_send(struct inline_nfq *q, struct nlmsghdr *nlh)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    ssize_t n;

    nlh->nlmsg_flags |= NLM_F_ACK;
    nlh->nlmsg_seq = (uint32_t)time(NULL);
    if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
        return -1;
    n = mnl_socket_recvfrom(q->nl, buf, sizeof(buf));
    if (n < 0)
        return -1;
    return mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, q->portid, NULL, NULL) < 0 ? -1 : 0;
}

struct inline_nfq *inline_nfq_open(unsigned num, bool fail_open, char *err, size_t errlen)
{
    struct inline_nfq *q = calloc(1, sizeof(*q));
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh;
    uint32_t flags;
    int one = 1, rcv = RCVBUF_BYTES;

    if (q == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    q->num = num;
    q->rbuf = malloc(RECV_BUF);
    q->vbuf = malloc(VERDICT_BUF);
    q->nl = mnl_socket_open(NETLINK_NETFILTER);
    if (q->rbuf == NULL || q->vbuf == NULL || q->nl == NULL) {
        snprintf(err, errlen, "netlink socket: %s", strerror(errno));
        inline_nfq_close(q);
        return NULL;
    }
    if (mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        snprintf(err, errlen, "netlink bind: %s", strerror(errno));
        inline_nfq_close(q);
        return NULL;
    }
    q->portid = mnl_socket_get_portid(q->nl);

    nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
    if (config_send(q, nlh) != 0) {
        snprintf(err, errlen, "cannot bind queue %u: %s%s", num, strerror(errno),
                 errno == EBUSY ? " (another program reads it)" : errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
        inline_nfq_close(q);
        return NULL;
    }
    nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, num);
    nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, COPY_RANGE);
    nfq_nlmsg_cfg_put_qmaxlen(nlh, QUEUE_MAXLEN);
    /* GSO: large segments come whole (no software segmentation for us); UID_GID: the socket's
     * owner; FAIL_OPEN: a full queue accepts instead of dropping. */
    flags = NFQA_CFG_F_GSO | NFQA_CFG_F_UID_GID | (fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
    mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
    mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_GSO | NFQA_CFG_F_UID_GID | NFQA_CFG_F_FAIL_OPEN));
    if (config_send(q, nlh) != 0) {
        snprintf(err, errlen, "cannot configure queue %u: %s", num, strerror(errno));
        inline_nfq_close(q);
        return NULL;
    }
    /* A burst beyond the socket's buffer must not become an error on every read. */
    (void)setsockopt(mnl_socket_get_fd(q->nl), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
    if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) != 0)
        (void)setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    return q;
}

int inline_nfq_set_fail_open(struct inline_nfq *q, bool fail_open)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, q->num);

    /* No ACK is awaited: packets share the socket, and config_send would read one of them as
     * the answer. A refusal comes back among the packets, where the run loop skips it. */
    mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(fail_open ? NFQA_CFG_F_FAIL_OPEN : 0));
    mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN));
    return mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

void inline_nfq_close(struct inline_nfq *q)
{
    if (q == NULL)
        return;
    if (q->nl != NULL)
        mnl_socket_close(q->nl);
    free(q->rbuf);
    free(q->vbuf);
    free(q);
}

/* ---- verdicts ---- */

static void send_verdicts(struct inline_nfq *q)
{
    if (q->vlen > 0)
        (void)mnl_socket_sendto(q->nl, q->vbuf, q->vlen);
    q->vlen = 0;
}

static void put_verdict(struct inline_nfq *q, int type, uint32_t id, bool accept, bool set_mark, uint32_t mark)
{
    struct nlmsghdr *nlh;

    if (q->vlen + VERDICT_MSG_MAX > VERDICT_BUF)
        send_verdicts(q);
    nlh = nfq_nlmsg_put(q->vbuf + q->vlen, type, q->num);
    nfq_nlmsg_verdict_put(nlh, (int)id, accept ? NF_ACCEPT : NF_DROP);
    if (set_mark)
        nfq_nlmsg_verdict_put_mark(nlh, mark);
    q->vlen += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* A run of plain accepts becomes one batch verdict ("every packet up to id") when nothing is held:
 * a held packet with a lower id would be accepted by it too. */
static void end_run(struct inline_nfq *q)
{
    if (q->run_n == 0)
        return;
    if (q->run_n > 1 && q->dp != NULL && inline_dp_nothing_held(q->dp)) {
        put_verdict(q, NFQNL_MSG_VERDICT_BATCH, q->run_last, true, false, 0);
        q->batches++;
    } else {
        for (uint32_t id = q->run_first;; id++) {
            put_verdict(q, NFQNL_MSG_VERDICT, id, true, false, 0);
            if (id == q->run_last)
                break;
        }
    }
    q->run_n = 0;
}

static void sink_verdict(void *ctx, uint32_t id, bool accept, bool set_mark, uint32_t mark)
{
    struct inline_nfq *q = ctx;

    if (accept && !set_mark) {
        if (q->run_n > 0 && id == q->run_last + 1) {
            q->run_last = id;
            q->run_n++;
            return;
        }
        end_run(q);
        q->run_first = q->run_last = id;
        q->run_n = 1;
        return;
    }
    end_run(q);
    put_verdict(q, NFQNL_MSG_VERDICT, id, accept, set_mark, mark);
}

struct inline_verdict_sink inline_nfq_sink(struct inline_nfq *q)
{
    struct inline_verdict_sink s = {sink_verdict, q};

    return s;
}

void inline_nfq_flush(struct inline_nfq *q)
{
    end_run(q);
    send_verdicts(q);
}

uint64_t inline_nfq_batches(const struct inline_nfq *q)
{
    return q->batches;
}

/* ---- packets ---- */

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
    struct inline_nfq *q = data;
    struct nlattr *attr[NFQA_MAX + 1];
    struct nfqnl_msg_packet_hdr *ph;
    struct inline_pkt pkt;

    memset(attr, 0, sizeof(attr));
    if (nfq_nlmsg_parse(nlh, attr) < 0 || attr[NFQA_PACKET_HDR] == NULL)
        return MNL_CB_OK;
    ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
    memset(&pkt, 0, sizeof(pkt));
    pkt.id = ntohl(ph->packet_id);
    pkt.hook = ph->hook;
    if (attr[NFQA_MARK] != NULL)
        pkt.mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
    if (attr[NFQA_UID] != NULL) {
        pkt.has_uid = true;
        pkt.uid = ntohl(mnl_attr_get_u32(attr[NFQA_UID]));
    }
    if (attr[NFQA_PAYLOAD] != NULL) {
        pkt.data = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
        pkt.len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
    }
    if (pkt.data == NULL || pkt.len == 0) {
        sink_verdict(q, pkt.id, true, false, 0);
        return MNL_CB_OK;
    }
    inline_dp_packet(q->dp, wall_now(), &pkt);
    return MNL_CB_OK;
}

int inline_nfq_run(struct inline_nfq *q, struct inline_dp *dp, int timeout_ms, char *err, size_t errlen)
{
    int fd = mnl_socket_get_fd(q->nl), n = 0;
    struct pollfd p = {fd, POLLIN, 0};

    q->dp = dp;
    if (poll(&p, 1, timeout_ms) <= 0)
        return 0;
    while (n < ROUND_MAX) {
        ssize_t r = recv(fd, q->rbuf, RECV_BUF, MSG_DONTWAIT);

        if (r < 0) {
            if (errno == ENOBUFS) {
                q->enobufs++;
                continue;
            }
            if (errno == EAGAIN || errno == EINTR)
                break;
            inline_nfq_flush(q);
            snprintf(err, errlen, "reading queue %u: %s", q->num, strerror(errno));
            return -1;
        }
        (void)mnl_cb_run(q->rbuf, (size_t)r, 0, q->portid, on_packet, q);
        n++;
    }
    inline_nfq_flush(q);
    return n;
}
