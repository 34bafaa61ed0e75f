/* engine/session_int.h - the engine's side of sessions: created per flow with payload, fed
 * in-order bytes and datagrams, ended with the flow. Private to engine/. */
#ifndef PW_ENGINE_SESSION_INT_H
#define PW_ENGINE_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/packet.h"
#include "detect/detect.h"
#include "detect/shell_watch.h"
#include "flow/flow.h"
#include "identify/identify.h"
#include "proto/proto.h"
#include "util/pw_time.h"
#include "util/uid.h"

#define SESSION_MAX_SERVICES 6
#define SESSION_DOMAIN_MAX   256

struct engine;
struct session;
struct session_pools;

/* Bytes one side sent that nobody has finished with: probe input, or what parse left. */
struct session_side {
    uint8_t *held;
    uint32_t held_len;
    uint8_t  held_class;     /* index into buf pools, valid when held != NULL */
    uint32_t needed;
    uint64_t delivered;
    bool     gap;            /* lost bytes: this side can no longer be probed */
};

struct session {
    struct engine        *e;
    struct flow          *f;
    enum proto_id         proto;         /* the attached analyzer, PROTO_UNKNOWN before or without */
    void                 *state;
    uint8_t               state_class;
    bool                  identified;    /* identification finished (found or unknown) */
    bool                  detached;      /* the analyzer was removed after a violation */
    bool                  confirmed;
    bool                  swap;          /* roles found reversed: the analyzer sees dir ^ swap */
    uint8_t               handover;      /* proto_id the analyzer handed the stream to, or 0 */
    uint8_t               n_services;
    uint8_t               services[SESSION_MAX_SERVICES];
    int8_t                first_talker;  /* -1 until someone sends payload */
    uint8_t               entropy;       /* enum identify_entropy of the first bytes (unknown flows) */
    struct identify_state ident;
    struct session_side   side[2];
    pw_time               now;
    char                  uid[UID_STRLEN];
    char                  domain[SESSION_DOMAIN_MAX];
    struct detect_flow    det;           /* the Log4Shell detector's view of this flow */
    struct shell_watch    shell;         /* unclaimed streams: is it a shell? */
};

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

/* For the inline view: identification decided (found or unknown), and the flow's domain fact. */
bool session_is_identified(const struct flow *f);
/* The flow's uid text, formatted once when its session began; NULL for a flow without one yet. */
const char *session_flow_uid(const struct flow *f);
bool session_is_confirming(const struct flow *f);
const char *session_domain(const struct flow *f);

/* engine_detect.c: what the detector needs of a session, and the hooks the session layer calls. */
void session_detect_conn(struct session *s, struct detect_conn *c, char *service, size_t size);
void session_detect_confirmed(struct session *s);
void session_detect_unclaimed(struct session *s, enum flow_dir dir, const uint8_t *data, size_t len);
void engine_detect_flow_end(struct engine *e, struct flow *f);

#endif
