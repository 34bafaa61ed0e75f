/* engine/engine_tunnel_log.c - tunnel.log rows: a tunnel discovered when it first carries a connection, closed when its flow ends. */
#include <string.h>

#include "decode/tunnel.h"
#include "engine/engine_int.h"
#include "log/tunnel_log.h"

static void tunnel_row(struct engine *e, const struct flow *outer, const char *action)
{
    char uid[UID_STRLEN];
    struct tunnel_record r;
    const char *name;

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
    name = tunnel_names((enum tunnel_type)outer->tunnel_type)->zeek_enum;
    r.tunnel_type = log_str_from(name, strlen(name));
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
