/* proto/session.h - what an analyzer may ask of the connection it runs on. Implemented by the
 * engine (engine/engine_session.c); analyzers never see the flow table or the log files. */
#ifndef PW_PROTO_SESSION_H
#define PW_PROTO_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"
#include "log/log_schema.h"
#include "util/pw_time.h"
#include "util/weird_list.h"

struct session;

/* Packet time of the data being parsed now (the ts of Zeek's events). */
pw_time session_now(const struct session *s);

/* Fills the common log columns (uid, id.*) of a record; ts is the caller's. uid points into the
 * session and stays valid until the flow ends. */
void session_conn_id(const struct session *s, struct log_str *uid, struct log_conn_id *id);

/* The uid text alone. */
const char *session_uid(const struct session *s);

/* TRANSPORT_TCP or TRANSPORT_UDP. */
unsigned session_transport(const struct session *s);

/* The analyzer recognised its protocol: its name goes into conn.log service (once). */
void session_confirm(struct session *s);

/* The analyzer gives up on this flow: removed, no more data. If it had confirmed, its service
 * is taken back out of conn.log and an analyzer.log row written, as Zeek's DPD does. reason is
 * Zeek-style text ("not a http reply line"); data (at most 40 bytes kept) may be NULL. */
void session_violation(struct session *s, const char *reason, const uint8_t *data, size_t len);

/* A weird about this flow, with the analyzer as its source. addl may be NULL. */
void session_weird(struct session *s, enum weird_id id, const char *addl);

/* A weird Zeek raises from its scripts rather than from the analyzer: logged without a source. */
void session_script_weird(struct session *s, enum weird_id id, const char *addl);

/* The protocol changes on the wire after the bytes consumed so far (StartTLS): the analyzer
 * named by its conn.log service ("ssl") takes over the rest of the stream and this one ends.
 * The analyzer must return right away, consuming only what was its own. */
void session_hand_over(struct session *s, const char *service);

/* The analyzer found the roles reversed (e.g. DNS: the first message is a reply). From now on
 * the analyzer sees directions the other way round; the connection's originator and responder
 * are swapped once the current packet is done, as Zeek's Connection::FlipRoles. */
void session_flip_roles(struct session *s);

/* True for a TCP connection picked up without its start: no SYN or SYN-ACK was seen before
 * data. Some analyzers, as Zeek's HTTP, ignore those. */
bool session_tcp_partial(const struct session *s);

/* Writes one record of one of the analyzer's logs. */
int session_log(struct session *s, const struct log_schema *schema, const void *record);

struct file_ctx;

/* Starts a file carried by this flow in direction dir (files/files.h has the rest of the file
 * API: file_data, file_gap, file_close). source is Zeek's ("HTTP"). NULL when capped. */
struct file_ctx *session_file_open(struct session *s, enum flow_dir dir, const char *source,
                                   uint64_t total_bytes, const char *filename, size_t filename_len);

/* A fact for detectors and policy (HTTP Host, TLS SNI, ...): kept on the session. */
void session_set_domain(struct session *s, const char *name, size_t len);

#endif
