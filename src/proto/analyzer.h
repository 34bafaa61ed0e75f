/* proto/analyzer.h - the one face every protocol analyzer has, and how it is registered.
 *
 * Contract (Zeek's DeliverStream/Undelivered/Done, Suricata's probing parser, HAProxy's
 * tri-state results):
 *  - probe is pure: no state, no allocation. It looks at the first bytes one side sent
 *    (TCP: the start of the in-order stream; UDP: one datagram) and says YES, NO or NEED_MORE.
 *    A port only orders which probes run first; it never decides.
 *  - parse gets one direction's in-order bytes. It returns how many it consumed; bytes it did not
 *    consume are held by the session (up to max_pending) and handed back, followed by new ones,
 *    at the next call, once at least `needed` more bytes are there (0: call again on any data).
 *    Analyzers never keep their own reassembly buffer.
 *  - gap is always delivered (TCP bytes lost). An analyzer that cannot resynchronise says so by
 *    returning a violation at its next parse, or simply ignores data until it can.
 *  - end: the flow is over; write what is still pending (Zeek writes leftovers at removal).
 *  - Identity is reported only through session_confirm() (fills conn.log service) and a
 *    PARSE_VIOLATION result or session_violation() (removes the analyzer, as Zeek's DPD does).
 *
 * The per-protocol state is opaque, state_size bytes, zeroed, allocated by the session only for
 * flows the analyzer was attached to. */
#ifndef PW_PROTO_ANALYZER_H
#define PW_PROTO_ANALYZER_H

#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"
#include "log/log_schema.h"

enum probe_result {
    PROBE_NO,
    PROBE_NEED_MORE,
    PROBE_YES,
};

enum parse_status {
    PARSE_OK,
    PARSE_VIOLATION,   /* not this protocol after all, or unrecoverably broken */
};

struct parse_result {
    enum parse_status status;
    uint32_t          consumed;   /* bytes the analyzer is finished with */
    uint32_t          needed;     /* 0, or how many more bytes to wait for before the next call */
};

#define TRANSPORT_TCP 0x01u
#define TRANSPORT_UDP 0x02u

struct session;

struct analyzer {
    const char *name;        /* conn.log service, Zeek's spelling: "http", "ssl", "dns", "ssh" */
    const char *zeek_name;   /* analyzer.log analyzer_name and weird source: "HTTP", "SSL", ... */
    unsigned    transports;  /* TRANSPORT_TCP | TRANSPORT_UDP */
    const uint16_t *port_hints;  /* 0-terminated; orders probes, never decides */
    uint32_t    probe_limit; /* bytes of one side after which NEED_MORE counts as NO */
    uint32_t    max_pending; /* cap on bytes the session holds per direction for `needed` */
    size_t      state_size;
    enum probe_result (*probe)(const uint8_t *data, size_t len, enum flow_dir dir, unsigned transport);
    void (*init)(struct session *s, void *state);     /* optional: state is already zeroed */
    struct parse_result (*parse)(struct session *s, void *state, enum flow_dir dir,
                                 const uint8_t *data, size_t len);
    void (*gap)(struct session *s, void *state, enum flow_dir dir, uint64_t len);   /* optional */
    void (*end)(struct session *s, void *state);      /* optional */
    const struct log_schema *const *logs;             /* NULL-terminated: the logs it writes */
};

#endif
