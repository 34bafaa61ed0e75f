/* engine/session_int.h - the engine's side of sessions: created per flow with payload, fed
 * in-order bytes and datagrams, ended with the flow. Private to engine/. */
#ifndef PW_ENGINE_SESSION_INT_H
#define PW_ENGINE_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet.h"
#include "flow/flow.h"
#include "util/pw_time.h"

struct engine;
struct session;
struct session_pools;

struct session_pools *session_pools_create(uint32_t max_sessions);
void session_pools_free(struct session_pools *sp);

/* TCP: in-order bytes of one side. The session is created on first use. */
void session_stream_data(struct engine *e, struct flow *f, enum flow_dir dir, pw_time now, const uint8_t *data,
                         size_t len);
void session_stream_gap(struct engine *e, struct flow *f, enum flow_dir dir, uint64_t len);

/* UDP: one datagram's payload. */
void session_datagram(struct engine *e, struct flow *f, enum flow_dir dir, const struct packet *p);

/* The flow is over: analyzers flush what is pending (their services stay for conn.log). */
void session_end(struct engine *e, struct flow *f);

/* Releases the session. */
void session_free(struct engine *e, struct flow *f);

/* The engine swapped the flow's roles (after session_flip_roles): the session follows. */
void session_roles_flipped(struct engine *e, struct flow *f);

/* conn.log service for the flow: confirmed analyzers' names joined by ','; length, 0 if none. */
size_t session_service(const struct flow *f, char *buf, size_t size);

#endif
