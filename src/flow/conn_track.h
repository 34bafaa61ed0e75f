/* flow/conn_track.h - what Zeek's connection layer records per packet: roles, states, history, sizes. */
#ifndef PW_FLOW_CONN_TRACK_H
#define PW_FLOW_CONN_TRACK_H

#include <stdbool.h>

#include "decode/packet.h"
#include "flow/flow.h"
#include "flow/flow_table.h"
#include "util/weird_list.h"

/* Anomalies one packet raised, for the engine to log against the flow. */
#define CONN_TRACK_MAX_WEIRDS 4
struct conn_track_weirds {
    unsigned      n;
    enum weird_id id[CONN_TRACK_MAX_WEIRDS];
};

/* The key of the flow a packet belongs to, in the packet's own orientation. */
void conn_track_key(const struct packet *p, struct flow_key *k);

/* For a packet that starts a new flow: true when Zeek would make the packet's receiver the
 * originator (the sender looks like a server: well-known source port, or a SYN-ACK first). */
bool conn_track_should_flip(const struct packet *p);

/* True when this packet, on an existing flow, starts a new connection over the old tuple
 * (a fresh SYN after the old connection closed or reset). The caller ends the old flow first. */
bool conn_track_is_reuse(const struct flow *f, enum flow_dir dir, const struct packet *p);

/* Records one packet from side dir: counters, endpoint states, history letters, duration. A
 * packet with a bad checksum (csum_bad and not ignored) is counted and marked 'C'/'c' but
 * changes nothing else; the function then returns false and the packet goes no further. */
bool conn_track_packet(struct flow *f, enum flow_dir dir, const struct packet *p, bool csum_bad,
                       struct conn_track_weirds *w);

/* Appends a history letter per Zeek's rules for it (once per direction, or logarithmic). The
 * letter is given for the originator; the responder's is its lower-case form. */
void conn_track_history_once(struct flow *f, enum flow_dir dir, char letter);
void conn_track_history_counted(struct flow *f, enum flow_dir dir, enum flow_hist_counter which, char letter);

/* True when both sides are established (or closed after being established): Zeek only
 * trusts gaps, and so missed_bytes, on such connections. */
bool conn_track_is_clean(const struct flow *f);

/* Swaps originator and responder in everything conn_track keeps (endpoints, TCP counters,
 * history: letters change case and '^' is put in front, as Zeek's Connection::FlipRoles).
 * The flow table's key is swapped by flow_table_flip. */
void conn_track_flip(struct flow *f);

/* Which expiry list the flow belongs on after its latest packet. */
enum flow_timeout_class conn_track_timeout_class(const struct flow *f);

/* conn.log conn_state ("SF", "S0", "REJ", ...). */
const char *conn_track_state_name(const struct flow *f);

/* conn.log orig_bytes/resp_bytes for side dir. */
uint64_t conn_track_payload_bytes(const struct flow *f, enum flow_dir dir);

#endif
