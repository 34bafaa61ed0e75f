/* proto/dns_int.h - the DNS analyzer's internals shared by its files and unit tests: dns.log
 * layout, the message parser (pure: no session, no allocation) and Zeek's name tables. */
#ifndef PW_PROTO_DNS_INT_H
#define PW_PROTO_DNS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_schema.h"
#include "proto/analyzer.h"
#include "util/weird_list.h"

/* dns.log: field indexes for log_mark(), in column order. */
enum dns_f {
    DNS_F_TS, DNS_F_UID, DNS_F_ORIG_H, DNS_F_ORIG_P, DNS_F_RESP_H, DNS_F_RESP_P,
    DNS_F_PROTO,
    DNS_F_TRANS_ID,
    DNS_F_RTT,
    DNS_F_QUERY,
    DNS_F_QCLASS,
    DNS_F_QCLASS_NAME,
    DNS_F_QTYPE,
    DNS_F_QTYPE_NAME,
    DNS_F_RCODE,
    DNS_F_RCODE_NAME,
    DNS_F_AA,
    DNS_F_TC,
    DNS_F_RD,
    DNS_F_RA,
    DNS_F_Z,
    DNS_F_ANSWERS,
    DNS_F_TTLS,
    DNS_F_REJECTED,
    DNS_F_OPCODE,
    DNS_F_OPCODE_NAME,
    DNS_F_COUNT
};

struct dns_record {
    uint64_t             log_set;
    pw_time              ts;
    struct log_str       uid;
    struct log_conn_id   id;
    struct log_str       proto;
    uint64_t             trans_id;
    pw_time              rtt;
    struct log_str       query;
    uint64_t             qclass;
    struct log_str       qclass_name;
    uint64_t             qtype;
    struct log_str       qtype_name;
    uint64_t             rcode;
    struct log_str       rcode_name;
    bool                 AA, TC, RD, RA;
    uint64_t             Z;
    struct log_str_list  answers;
    struct log_time_list TTLs;
    bool                 rejected;
    uint64_t             opcode;
    struct log_str       opcode_name;
};

extern const struct log_schema dns_log_schema;

#define DNS_HDR_LEN      12
#define DNS_NAME_BUF     513   /* Zeek's name buffer: 512 bytes of name */
#define DNS_NAME_HOPS    64    /* compression pointers followed per name */
#define DNS_MAX_QUERIES  25    /* Zeek's dns_max_queries */
#define DNS_MSG_ANSWERS  32    /* answer strings kept per message */
#define DNS_MSG_TEXT     4096  /* bytes of answer text kept per message */
#define DNS_MSG_WEIRDS   8     /* weirds reported per message */

enum { DNS_OP_QUERY = 0, DNS_OP_IQUERY = 1, DNS_OP_STATUS = 2, DNS_OP_NOTIFY = 4, DNS_OP_UPDATE = 5 };

struct dns_header {
    uint16_t id;
    uint8_t  opcode, rcode, z;
    bool     qr, aa, tc, rd, ra;
    uint16_t qdcount, ancount, nscount, arcount;
};

/* What Zeek's DNS events would hand its scripts for one message, reduced to what dns.log uses. */
struct dns_parsed {
    struct dns_header h;
    bool     count_too_large;      /* qdcount > 25: Zeek's violation */
    bool     confirmed;            /* questions and answers parsed */
    /* the last question parsed (Zeek raises one event per question; the last one wins) */
    bool     have_question;
    bool     rejected;             /* a question raised dns_rejected */
    uint16_t qtype, qclass;
    uint16_t qname_len;
    char     qname[DNS_NAME_BUF];  /* downcased, as Zeek's dns_request */
    /* answer-section records that reached Zeek's DNS::do_reply */
    bool     replied;              /* at least one: AA, RA, rtt come from this message */
    bool     first_owner_set;
    uint16_t first_owner_len;
    char     first_owner[DNS_NAME_BUF];
    uint32_t n_answers;
    bool     answers_capped;
    uint32_t ans_off[DNS_MSG_ANSWERS];
    uint32_t ans_len[DNS_MSG_ANSWERS];
    uint32_t ans_ttl[DNS_MSG_ANSWERS];
    uint32_t text_used;
    char     text[DNS_MSG_TEXT];
    /* weirds, in order */
    uint32_t n_weirds;
    enum weird_id weird[DNS_MSG_WEIRDS];
    char     weird_addl[DNS_MSG_WEIRDS][48];
};

struct dns_parse_opts {
    bool netbios;        /* the responder port is 137: long labels allowed, no SRV parsing */
    bool udp;            /* for EDNS_TCP_Keepalive_In_UDP */
    bool skip_all_auth;  /* Zeek's dns_skip_all_auth (default T) */
    bool skip_all_addl;  /* Zeek's dns_skip_all_addl (default T) */
};

/* Reads the 12-byte header; false when len < 12. */
bool dns_header_read(const uint8_t *msg, size_t len, struct dns_header *h);

/* Decodes the name at msg[*off] the way Zeek's ExtractName does: labels joined by '.', raw
 * bytes kept (the log writer escapes), compression pointers followed only backwards and at most
 * DNS_NAME_HOPS times, at most DNS_NAME_BUF-1 bytes. `end` bounds the first region (the message
 * length); *off moves past the name. downcase applies to the bytes not reached through a pointer
 * (those are always downcased, as in Zeek). Weirds go to p when p is not NULL. Returns the length. */
size_t dns_name_decode(const uint8_t *msg, size_t end, size_t *off, char *out, bool downcase, bool netbios,
                       struct dns_parsed *p);

/* Parses one whole DNS message. Never fails: what could not be parsed is reported as weirds and
 * simply ends the walk, as Zeek's interpreter does. */
void dns_parse_message(const uint8_t *msg, size_t len, const struct dns_parse_opts *o, struct dns_parsed *p);

/* Zeek's names; unknown values are formatted into buf ("query-N", "qclass-N", "rcode-N",
 * "opcode-N") and buf is returned. */
const char *dns_qtype_name(unsigned t, char *buf, size_t size);
const char *dns_qclass_name(unsigned c, char *buf, size_t size);
const char *dns_rcode_name(unsigned r, char *buf, size_t size);
const char *dns_opcode_name(unsigned op, bool netbios, char *buf, size_t size);

/* The probe over one message of which avail bytes are here and decl declared (UDP: the datagram;
 * TCP: the length prefix). Exposed for tests. */
enum probe_result dns_probe_message(const uint8_t *msg, size_t avail, size_t decl);

#endif
