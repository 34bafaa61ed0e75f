/* proto/ldap_int.h - the LDAP analyzer's pure parts, shared by its files and unit tests: the BER
 * reader, the LDAPMessage decoder, the filter renderer and the two logs' records. */
#ifndef PW_PROTO_LDAP_INT_H
#define PW_PROTO_LDAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_schema.h"

/* ---- BER (ber.c) ---- */

#define BER_MAX_LEN_OCTETS 4          /* long-form lengths of more than 4 octets are refused */
#define BER_MAX_MESSAGE    (1u << 20) /* an LDAP message larger than 1 MiB is refused */

enum ber_status {
    BER_OK,
    BER_NEED,   /* the header is cut short: more bytes needed */
    BER_BAD,    /* not BER we accept: indefinite length, too long a length, high tag numbers */
};

enum { BER_UNIVERSAL = 0, BER_APPLICATION = 1, BER_CONTEXT = 2, BER_PRIVATE = 3 };

struct ber_hdr {
    uint8_t  cls;         /* BER_UNIVERSAL ... */
    bool     constructed;
    uint32_t tag;         /* tag number */
    uint32_t hdr_len;     /* identifier and length octets */
    uint32_t len;         /* content length */
};

/* Reads the identifier and (definite) length octets at p. Does not check that the content fits. */
enum ber_status ber_header(const uint8_t *p, size_t len, struct ber_hdr *h);

/* One whole element at p[0..len): header plus content must fit. *content points at the content. */
enum ber_status ber_element(const uint8_t *p, size_t len, struct ber_hdr *h, const uint8_t **content);

/* A two's-complement INTEGER/ENUMERATED content of 1..8 bytes. */
bool ber_int(const uint8_t *p, size_t len, int64_t *out);

/* OID content to dotted text. Returns false when it does not decode or does not fit. */
bool ber_oid_text(const uint8_t *p, size_t len, char *out, size_t size);

/* ---- LDAP messages (ldap_msg.c) ---- */

enum ldap_op {
    LDAP_OP_BIND_REQ = 0, LDAP_OP_BIND_RESP = 1, LDAP_OP_UNBIND_REQ = 2, LDAP_OP_SEARCH_REQ = 3,
    LDAP_OP_SEARCH_ENTRY = 4, LDAP_OP_SEARCH_DONE = 5, LDAP_OP_MODIFY_REQ = 6, LDAP_OP_MODIFY_RESP = 7,
    LDAP_OP_ADD_REQ = 8, LDAP_OP_ADD_RESP = 9, LDAP_OP_DEL_REQ = 10, LDAP_OP_DEL_RESP = 11,
    LDAP_OP_MODDN_REQ = 12, LDAP_OP_MODDN_RESP = 13, LDAP_OP_COMPARE_REQ = 14, LDAP_OP_COMPARE_RESP = 15,
    LDAP_OP_ABANDON_REQ = 16, LDAP_OP_SEARCH_REF = 19, LDAP_OP_EXT_REQ = 23, LDAP_OP_EXT_RESP = 24,
    LDAP_OP_INTERMEDIATE = 25,
};

enum ldap_auth { LDAP_AUTH_NONE = -1, LDAP_AUTH_SIMPLE = 0, LDAP_AUTH_SASL = 3,
                 LDAP_AUTH_SICILY_NEGOTIATE = 9, LDAP_AUTH_SICILY_RESPONSE = 10 };

#define LDAP_TEXT_MAX   512    /* bytes kept of a DN, diagnostic, argument */
#define LDAP_FILTER_MAX 1024   /* bytes kept of a rendered filter */
#define LDAP_JAVA_MAX   256    /* bytes kept of a javaClassName, javaCodeBase, javaFactory */
#define LDAP_MECH_MAX   64

/* What one LDAPMessage says, as far as the logs care. Strings are already rendered as Zeek
 * writes them (ASCII with '?' for anything else). */
struct ldap_msg {
    int64_t  id;
    int      op;                    /* enum ldap_op, or another application tag number */
    bool     request;               /* a client operation (for the probe) */
    bool     has_result;
    int64_t  result;
    int64_t  version;
    bool     has_version;
    int      auth;                  /* enum ldap_auth for binds */
    int64_t  scope, deref;          /* search request; -1 when absent */
    bool     has_serversaslcreds_krb5;   /* bind response: SPNEGO accepted MS KRB5 */
    bool     java;                  /* search entry: Java naming attributes (a JNDI referral) */
    bool     java_serialized;       /* ... with javaSerializedData */
    const uint8_t *java_data;       /* that value, in the parsed buffer (valid until it moves) */
    const uint8_t *auth_data;       /* bind request: the SASL / Sicily authentication element */
    uint32_t auth_data_len;
    uint32_t java_data_len;
    uint16_t java_class_len, java_codebase_len, java_factory_len;
    uint16_t diag_len, object_len, arg_len, filter_len, mech_len;
    char     diag[LDAP_TEXT_MAX];
    char     object[LDAP_TEXT_MAX];
    char     arg[LDAP_TEXT_MAX];
    char     filter[LDAP_FILTER_MAX];
    char     mech[LDAP_MECH_MAX];   /* SASL mechanism (also in arg) */
    char     java_class[LDAP_JAVA_MAX];
    char     java_codebase[LDAP_JAVA_MAX];
    char     java_factory[LDAP_JAVA_MAX];
};

enum ldap_parse {
    LDAP_PARSE_OK,
    LDAP_PARSE_NEED,   /* the message is not all there yet: *consumed is how much is needed */
    LDAP_PARSE_BAD,
};

/* Decodes the LDAPMessage at p. On OK *consumed is its total size; on NEED it is the size the
 * message will have once complete (0 when even the header is cut). */
enum ldap_parse ldap_msg_parse(const uint8_t *p, size_t len, struct ldap_msg *m, size_t *consumed);

/* The messageID and operation tag of a message whose start only is at hand. */
bool ldap_msg_peek(const uint8_t *p, size_t len, int64_t *id, int *op);

/* Renders a Filter element (its whole TLV) RFC 4515 style as Zeek does; returns the length, or
 * writes FILTER_PARSING_ERROR. */
size_t ldap_filter_render(const uint8_t *p, size_t len, char *out, size_t size);

/* Zeek's texts for result codes, opcodes, scopes and deref settings. */
const char *ldap_result_name(int64_t code);
const char *ldap_opcode_name(int op);
const char *ldap_scope_name(int64_t scope);
const char *ldap_deref_name(int64_t deref);

/* The probe's test for one message from one side (orig: a request; resp: a response). */
enum ldap_probe { LDAP_PROBE_NO, LDAP_PROBE_MORE, LDAP_PROBE_YES };
enum ldap_probe ldap_probe_message(const uint8_t *p, size_t len, bool from_orig, bool complete);

/* ---- logs ---- */

enum ldap_f {
    LDAP_F_TS, LDAP_F_UID, LDAP_F_ORIG_H, LDAP_F_ORIG_P, LDAP_F_RESP_H, LDAP_F_RESP_P,
    LDAP_F_MESSAGE_ID, LDAP_F_VERSION, LDAP_F_OPCODE, LDAP_F_RESULT, LDAP_F_DIAG, LDAP_F_OBJECT,
    LDAP_F_ARGUMENT, LDAP_F_COUNT
};

struct ldap_record {
    uint64_t           log_set;
    pw_time            ts;
    struct log_str     uid;
    struct log_conn_id id;
    int64_t            message_id;
    int64_t            version;
    struct log_str     opcode, result, diagnostic_message, object, argument;
};

enum ldap_search_f {
    LDAPS_F_TS, LDAPS_F_UID, LDAPS_F_ORIG_H, LDAPS_F_ORIG_P, LDAPS_F_RESP_H, LDAPS_F_RESP_P,
    LDAPS_F_MESSAGE_ID, LDAPS_F_SCOPE, LDAPS_F_DEREF, LDAPS_F_BASE, LDAPS_F_RESULT_COUNT, LDAPS_F_RESULT,
    LDAPS_F_DIAG, LDAPS_F_FILTER, LDAPS_F_ATTRIBUTES, LDAPS_F_COUNT
};

struct ldap_search_record {
    uint64_t            log_set;
    pw_time             ts;
    struct log_str      uid;
    struct log_conn_id  id;
    int64_t             message_id;
    struct log_str      scope, deref_aliases, base_object;
    uint64_t            result_count;
    struct log_str      result, diagnostic_message, filter;
    struct log_str_list attributes;
};

extern const struct log_schema ldap_log_schema;
extern const struct log_schema ldap_search_log_schema;

#endif
