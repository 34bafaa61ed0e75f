/* identify/identify.h - naming a flow's protocol from its first bytes, never from its port. */
#ifndef PW_IDENTIFY_IDENTIFY_H
#define PW_IDENTIFY_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"
#include "proto/proto.h"

/* Bytes of one side after which an undecided flow is unknown. */
#define IDENTIFY_MAX_BYTES 2048

/* What the probes have said so far on one flow. */
struct identify_state {
    uint32_t eliminated;     /* bit per proto_id: said NO on some side */
    uint8_t  sides_done;     /* bit per side: every probe decided on that side's bytes */
};

enum identify_verdict {
    IDENTIFY_UNDECIDED,      /* give me more bytes */
    IDENTIFY_FOUND,          /* *found names the protocol */
    IDENTIFY_UNKNOWN,        /* nothing can match any more */
};

/* Runs every still-possible probe over the first len bytes one side sent (all of them, from
 * the start of that side's stream, or one UDP datagram). Probes whose port_hints hold either
 * port run first; the port only orders, it never decides. With roles_uncertain (a flow picked
 * up mid-stream), a probe that accepts the bytes as the other side's also matches, and
 * *reversed says the roles are the other way round. */
enum identify_verdict identify_run(struct identify_state *st, enum flow_dir dir, const uint8_t *data, size_t len,
                                   unsigned transport, uint16_t orig_p, uint16_t resp_p, bool side_final,
                                   bool roles_uncertain, enum proto_id *found, bool *reversed);

/* Facts about a flow no probe claimed, for policy: who spoke first, what the bytes look like. */
enum identify_entropy {
    IDENTIFY_ENTROPY_NONE,     /* no payload */
    IDENTIFY_ENTROPY_TEXT,     /* mostly printable */
    IDENTIFY_ENTROPY_LOW,
    IDENTIFY_ENTROPY_HIGH,     /* looks encrypted or compressed */
};

enum identify_entropy identify_entropy_class(const uint8_t *data, size_t len);

#endif
