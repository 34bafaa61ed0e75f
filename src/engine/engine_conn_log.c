/* engine/engine_conn_log.c - turns an ended flow into its conn.log row. */
#include <netinet/in.h>
#include <string.h>

#include "decode/tunnel.h"
#include "engine/engine_int.h"
#include "engine/session_int.h"
#include "flow/conn_track.h"
#include "log/conn_log.h"
#include "util/community_id.h"
#include "util/site.h"
#include "util/ip_proto.h"

void engine_log_conn(struct engine *e, const struct flow *f)
{
    char uid[UID_STRLEN], parent[2][UID_STRLEN], cid[COMMUNITY_ID_STRLEN], service[64];
    struct log_str parent_str[2];
    const char *state;
    struct conn_record r;
    uint64_t *m = &r.log_set;
    size_t n;

    memset(&r, 0, sizeof(r));
    r.ts = f->start;
    engine_uid(e, f->id, uid, sizeof(uid));
    r.uid = log_str_from(uid, strlen(uid));
    r.id.orig_h = f->key.orig_h;
    r.id.orig_p = f->key.orig_p;
    r.id.resp_h = f->key.resp_h;
    r.id.resp_p = f->key.resp_p;
    r.proto = log_str_from(ip_proto_name(f->key.proto), strlen(ip_proto_name(f->key.proto)));

    if (f->tunnel_outer) {
        const char *name = tunnel_names((enum tunnel_type)f->tunnel_type)->service;

        r.service = log_str_from(name, strlen(name));
        log_mark(m, CONN_F_SERVICE);
    } else if ((n = session_service(f, service, sizeof(service))) > 0) {
        r.service = log_str_from(service, n);
        log_mark(m, CONN_F_SERVICE);
    }
    /* Zeek sets duration and the byte counts only when the connection lasted. */
    if (f->last > f->start) {
        r.duration = f->last - f->start;
        r.orig_bytes = conn_track_payload_bytes(f, FLOW_DIR_ORIG);
        r.resp_bytes = conn_track_payload_bytes(f, FLOW_DIR_RESP);
        log_mark(m, CONN_F_DURATION);
        log_mark(m, CONN_F_ORIG_BYTES);
        log_mark(m, CONN_F_RESP_BYTES);
    }
    state = conn_track_state_name(f);
    r.conn_state = log_str_from(state, strlen(state));
    log_mark(m, CONN_F_CONN_STATE);
    r.local_orig = site_is_local(&f->key.orig_h);
    r.local_resp = site_is_local(&f->key.resp_h);
    log_mark(m, CONN_F_LOCAL_ORIG);
    log_mark(m, CONN_F_LOCAL_RESP);
    r.missed_bytes = f->tcp != NULL ? f->tcp->missed_bytes : 0;
    if (f->history_len > 0 || f->flipped) {
        r.history = log_str_from(f->history, f->history_len);
        log_mark(m, CONN_F_HISTORY);
    }
    r.orig_pkts = f->ep[FLOW_DIR_ORIG].pkts;
    r.orig_ip_bytes = f->ep[FLOW_DIR_ORIG].ip_bytes;
    r.resp_pkts = f->ep[FLOW_DIR_RESP].pkts;
    r.resp_ip_bytes = f->ep[FLOW_DIR_RESP].ip_bytes;
    log_mark(m, CONN_F_ORIG_PKTS);
    log_mark(m, CONN_F_ORIG_IP_BYTES);
    log_mark(m, CONN_F_RESP_PKTS);
    log_mark(m, CONN_F_RESP_IP_BYTES);
    if (f->tunnel_parent != 0) {
        engine_uid(e, f->tunnel_parent - 1, parent[0], sizeof(parent[0]));
        parent_str[0] = log_str_from(parent[0], strlen(parent[0]));
        r.tunnel_parents.items = parent_str;
        r.tunnel_parents.n = 1;
        if (f->tunnel_parent2 != 0) {
            engine_uid(e, f->tunnel_parent2 - 1, parent[1], sizeof(parent[1]));
            parent_str[1] = log_str_from(parent[1], strlen(parent[1]));
            r.tunnel_parents.n = 2;
        }
        log_mark(m, CONN_F_TUNNEL_PARENTS);
    }
    r.ip_proto = f->key.proto;
    log_mark(m, CONN_F_IP_PROTO);
    n = community_id_v1(0, &f->key.orig_h, &f->key.resp_h, f->key.proto, f->key.orig_p, f->key.resp_p, cid,
                        sizeof(cid));
    if (n > 0) {
        r.community_id = log_str_from(cid, n);
        log_mark(m, CONN_F_COMMUNITY_ID);
    }
    (void)log_set_write(e->logs, &conn_log_schema, &r);
}
