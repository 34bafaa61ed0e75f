/* engine/engine_int.h - the engine's private state, shared by the files of engine/ only. */
#ifndef PW_ENGINE_ENGINE_INT_H
#define PW_ENGINE_ENGINE_INT_H

#include "decode/decode.h"
#include "detect/detect.h"
#include "files/files.h"
#include "engine/engine.h"
#include "flow/flow.h"
#include "flow/flow_table.h"
#include "flow/tcp_reasm.h"
#include "log/log_set.h"
#include "util/pool.h"
#include "util/uid.h"
#include "util/weird_list.h"

/* Zeek samples weirds: after this many of one name, only one in WEIRD_SAMPLING_RATE is logged. */
#define WEIRD_SAMPLING_THRESHOLD 25
#define WEIRD_SAMPLING_RATE      1000
#define ENGINE_MAX_TUNNEL_DEPTH  2

struct engine {
    struct engine_config   cfg;
    struct log_set        *logs;
    struct decoder        *decoder;
    struct flow_table     *flows;
    struct tcp_reasm_pool *reasm;
    struct pool           *tcp_states;
    struct session_pools  *sessions;
    struct files          *files;
    struct detect         *detect;         /* Log4Shell chain: notices, incidents */
    struct uid_gen         uids;
    uint64_t               next_flow_id;
    pw_time                now;            /* packet clock: the latest packet time seen */
    int                    tunnel_depth;   /* while decoding inside a tunnel */
    struct flow           *tunnel_outer[ENGINE_MAX_TUNNEL_DEPTH]; /* the flows carrying the packet at each depth */
    uint64_t               weird_counts[WEIRD_COUNT];
    struct engine_stats    stats;
    struct engine_packet_view *view;       /* inline mode: filled for the packet being analysed */
    char                   view_app[64];
    struct baseline       *baseline;       /* --baseline: learn/baseline.h, NULL without */
};

/* engine_conn_log.c: writes a flow's conn.log row. */
void engine_log_conn(struct engine *e, const struct flow *f);

/* engine_tunnel_log.c: tunnel.log, as Zeek's tunnels framework writes it. The outer flow is
 * discovered the first time it carries a new connection, or a packet of a connection that came
 * through another tunnel before; closed when it ends. */
void engine_tunnel_discover(struct engine *e, struct flow *outer);
void engine_tunnel_close(struct engine *e, struct flow *outer);

/* engine_weird.c: weird.log rows, sampled as Zeek does. f may be NULL; p may be NULL. */
void engine_weird(struct engine *e, enum weird_id id, struct flow *f, const struct packet *p,
                  const char *addl);

/* The same for an analyzer's weird: source is the analyzer's Zeek name or NULL. Not folded per
 * connection: analyzers raise a weird per message, as Zeek's do. */
void engine_weird_from(struct engine *e, enum weird_id id, struct flow *f, const char *addl, const char *source);

/* The uid text of flow id n. */
void engine_uid(const struct engine *e, uint64_t n, char *buf, size_t size);

#endif
