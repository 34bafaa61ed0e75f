/* engine/engine_tunnel_log.c - tunnel.log rows: a tunnel discovered when it first carries a connection, closed when its flow ends. */
#include <string.h>

#include "engine/engine_int.h"
#include "log/tunnel_log.h"

static struct log_str tunnel_type_name(const struct flow *outer)
{
    switch (outer->tunnel_type) {
    case TUNNEL_VXLAN:
        return log_str_from("Tunnel::VXLAN", 13);
    case TUNNEL_GENEVE:
        return log_str_from("Tunnel::GENEVE", 14);
    default:
        return log_str_from("Tunnel::NONE", 12);
    }
}

static void tunnel_row(struct engine *e, const struct flow *outer, const char *action)
{
    char uid[UID_STRLEN];
    struct tunnel_record r;

    memset(&r, 0, sizeof(r));
    /* Zeek's network time: the packet that made it happen, or the clock at the flow's end. */
    r.ts = e->now;
    engine_uid(e, outer->id, uid, sizeof(uid));
    r.uid = log_str_from(uid, strlen(uid));
    log_mark(&r.log_set, TUNNEL_F_UID);
    r.id.orig_h = outer->key.orig_h;
    r.id.orig_p = outer->key.orig_p;
    r.id.resp_h = outer->key.resp_h;
    r.id.resp_p = outer->key.resp_p;
    r.tunnel_type = tunnel_type_name(outer);
    r.action = log_str_from(action, strlen(action));
    (void)log_set_write(e->logs, &tunnel_log_schema, &r);
}

void engine_tunnel_discover(struct engine *e, struct flow *outer)
{
    if (outer->tunnel_active)
        return;
    outer->tunnel_active = 1;
    tunnel_row(e, outer, "Tunnel::DISCOVER");
}

void engine_tunnel_close(struct engine *e, struct flow *outer)
{
    if (!outer->tunnel_active)
        return;
    outer->tunnel_active = 0;
    tunnel_row(e, outer, "Tunnel::CLOSE");
}
