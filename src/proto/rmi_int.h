/* proto/rmi_int.h - the Java RMI (JRMP) analyzer's pure parts, shared by its files and unit tests:
 * the handshake readers, the Call/ReturnData header readers, the serialization token scanner,
 * the names of registry and DGC methods, and rmi.log's record. */
#ifndef PW_PROTO_RMI_INT_H
#define PW_PROTO_RMI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_schema.h"

/* ---- wire constants (java.rmi TransportConstants, java.io ObjectStreamConstants) ---- */

#define RMI_MAGIC              0x4a524d49u   /* "JRMI" */
#define RMI_STREAM_PROTOCOL    0x4b
#define RMI_SINGLE_OP_PROTOCOL 0x4c
#define RMI_MULTIPLEX_PROTOCOL 0x4d
#define RMI_PROTOCOL_ACK       0x4e
#define RMI_PROTOCOL_NACK      0x4f
#define RMI_CALL               0x50
#define RMI_RETURN_DATA        0x51
#define RMI_PING               0x52
#define RMI_PING_ACK           0x53
#define RMI_DGC_ACK            0x54

#define RMI_HEADER_LEN         7       /* magic, version, protocol */
#define RMI_DGC_ACK_LEN        15      /* the byte and a UID (int, long, short) */
#define RMI_STREAM_MAGIC_LEN   4       /* AC ED 00 05 */
#define RMI_CALL_BLOCK_LEN     36      /* TC_BLOCKDATA, 0x22, ObjID (22), op (4), hash (8) */
#define RMI_RETURN_BLOCK_LEN   17      /* TC_BLOCKDATA, 0x0f, return type, UID (14) */
#define RMI_HOST_MAX           255     /* endpoint host names longer than this are refused */

#define RMI_TC_CLASSDESC       0x72
#define RMI_TC_STRING          0x74
#define RMI_TC_BLOCKDATA       0x77
#define RMI_TC_PROXYCLASSDESC  0x7d

#define RMI_CLASS_NAME_MAX     256     /* class names longer than this are not taken for one */
#define RMI_STRING_MAX         1024    /* TC_STRING values longer than this are skipped unread */
#define RMI_PROXY_IFACES_MAX   8       /* interfaces of a proxy class descriptor */

/* The registry's and the DGC's well-known object numbers and interface hashes. */
#define RMI_OBJNUM_REGISTRY    0
#define RMI_OBJNUM_DGC         2
#define RMI_HASH_REGISTRY      0x44154dc9d4e63bdfull
#define RMI_HASH_DGC           0xf6b6898d8bf28643ull

enum rmi_read {
    RMI_READ_OK,
    RMI_READ_NEED,   /* cut short: *need (where given) says how many bytes in all */
    RMI_READ_BAD,
};

/* The probe's test of the first bytes one side sent: the client's header (or, picked up
 * mid-stream, a Call), the server's ProtocolAck with its endpoint (or a ReturnData). OK: RMI. */
enum rmi_read rmi_probe_read(const uint8_t *p, size_t len, bool from_orig);

/* The client's header: "JRMI", version, protocol byte. */
enum rmi_read rmi_header_read(const uint8_t *p, size_t len, uint16_t *version, uint8_t *protocol);

/* Stream, SingleOp, Multiplex as rmi.log writes them; NULL for another byte. */
const char *rmi_protocol_name(uint8_t protocol);

/* An EndpointIdentifier: writeUTF host, writeInt port. The host is copied (NUL-terminated) into
 * host[RMI_HOST_MAX + 1]; *size is the bytes it took. BAD: empty, too long, not host characters,
 * or a port outside 0..65535. */
enum rmi_read rmi_endpoint_read(const uint8_t *p, size_t len, char *host, uint16_t *port, size_t *size);

/* "host:port", "[v6]:port"; returns the length written (always NUL-terminated). */
size_t rmi_endpoint_text(const char *host, uint16_t port, char *out, size_t size);

/* What a Call's first block says: which object, which method. */
struct rmi_call {
    int64_t  objnum;
    int32_t  op;       /* a stub's operation number, or -1: hash is the method's own hash */
    uint64_t hash;     /* the interface hash (op >= 0) or the method hash (op == -1) */
};

/* Reads the TC_BLOCKDATA that opens a Call's serialized stream (just after AC ED 00 05). */
enum rmi_read rmi_call_read(const uint8_t *p, size_t len, struct rmi_call *c);

/* The same for a ReturnData: *type is 1 (normal return) or 2 (exception). */
enum rmi_read rmi_return_read(const uint8_t *p, size_t len, uint8_t *type);

/* A readable name for the method a Call invokes ("Registry.lookup", "DGC.dirty",
 * "RemoteReference.getReference", else "op=N" or "hash=0x..."). Returns the length. */
size_t rmi_method_text(const struct rmi_call *c, char *out, size_t size);

/* True when the call takes a name as its first argument (Registry bind, lookup, rebind, unbind). */
bool rmi_call_takes_name(const struct rmi_call *c);

/* ---- the serialization scan (not a deserializer) ---- */

enum rmi_tok {
    RMI_TOK_NONE,     /* not a token we take at this byte: move on by one */
    RMI_TOK_NEED,     /* could be one: t->size bytes are needed to tell */
    RMI_TOK_CLASS,    /* TC_CLASSDESC: name is the class name */
    RMI_TOK_PROXY,    /* TC_PROXYCLASSDESC: n_ifaces interface names */
    RMI_TOK_STRING,   /* TC_STRING: name is its text (modified UTF-8) */
};

struct rmi_token {
    enum rmi_tok   kind;
    uint32_t       size;                             /* bytes the token takes */
    const uint8_t *name;
    uint16_t       name_len;
    uint8_t        n_ifaces;
    uint16_t       iface_off[RMI_PROXY_IFACES_MAX];  /* from the token's start */
    uint16_t       iface_len[RMI_PROXY_IFACES_MAX];
};

/* Looks for a class descriptor, proxy class descriptor or string at p[0]. Everything is checked
 * that the bytes there allow (name characters, descriptor flags, field count), so random bytes
 * are rarely taken for a token. Never needs more than about RMI_STRING_MAX + 3 bytes. */
enum rmi_tok rmi_serial_token(const uint8_t *p, size_t len, struct rmi_token *t);

/* A field type signature written as a string ("Ljava/lang/String;", "[B"), not a value. */
bool rmi_is_type_signature(const uint8_t *p, size_t len);

/* A codebase: an http(s), ftp, file or jar URL. */
bool rmi_is_url(const uint8_t *p, size_t len);

/* ---- one message's stream: what the scan reports ---- */

#define RMI_TEXT_MAX 128    /* a class, factory or string kept for the detector */
#define RMI_URL_MAX  256

enum rmi_ev {
    RMI_EV_END,        /* scanned up to *off: the end, or a token cut short (wait for more) */
    RMI_EV_CALL,       /* a Call's header: ev->call */
    RMI_EV_CLASS,      /* a class descriptor's or proxy interface's name */
    RMI_EV_NAME,       /* the name a registry call binds, looks up or unbinds */
    RMI_EV_REFERRAL,   /* a ReturnData's Reference gave its codebase: the texts below are ready */
};

struct rmi_event {
    const uint8_t  *name;      /* CLASS, NAME: into the scanned buffer */
    uint16_t        name_len;
    struct rmi_call call;      /* CALL */
};

/* Where a message stands with respect to a javax.naming.Reference in it. */
enum rmi_ref { RMI_REF_NONE, RMI_REF_IN, RMI_REF_AFTER_URL, RMI_REF_DONE };

struct rmi_scan {
    uint8_t          kind;        /* RMI_CALL or RMI_RETURN_DATA */
    uint8_t          stage;       /* stream magic, first block, body */
    uint8_t          ref;         /* enum rmi_ref */
    bool             want_name;   /* a registry call: its first string is the name */
    bool             referred;    /* RMI_EV_REFERRAL was reported */
    uint8_t          iface_next;  /* proxy interfaces already reported */
    uint32_t         classes;     /* class descriptors seen */
    size_t           tok_at;      /* the proxy descriptor being reported */
    struct rmi_token tok;
    /* NUL-terminated texts for the detector */
    char             first[RMI_TEXT_MAX];                      /* the first class */
    char             prev[RMI_TEXT_MAX], prev2[RMI_TEXT_MAX];  /* last values after a Reference */
    char             factory[RMI_TEXT_MAX], refclass[RMI_TEXT_MAX];
    char             codebase[RMI_URL_MAX];
};

/* A message starts: kind is RMI_CALL or RMI_RETURN_DATA; the scan starts at AC ED 00 05. */
void rmi_scan_init(struct rmi_scan *sc, uint8_t kind);

/* Scans p[*off..len) until the next event, which it returns; *off is where to go on from. The
 * same buffer must be passed until RMI_EV_END. After a gap, rmi_scan_lost. */
enum rmi_ev rmi_scan_next(struct rmi_scan *sc, const uint8_t *p, size_t len, size_t *off, struct rmi_event *ev);

/* Bytes were lost: the scan goes on at whatever comes next, as body. */
void rmi_scan_lost(struct rmi_scan *sc);

/* The message ended. True when it is a ReturnData that carried objects and has not been
 * reported yet: factory/refclass are filled from a Reference without codebase, if any. */
bool rmi_scan_finish(struct rmi_scan *sc);

/* ---- rmi.log ---- */

enum rmi_f {
    RMI_F_TS, RMI_F_UID, RMI_F_ORIG_H, RMI_F_ORIG_P, RMI_F_RESP_H, RMI_F_RESP_P,
    RMI_F_VERSION, RMI_F_PROTOCOL, RMI_F_ENDPOINT, RMI_F_OPERATIONS, RMI_F_CLASSES, RMI_F_NAMES,
    RMI_F_METHODS, RMI_F_COUNT
};

struct rmi_record {
    uint64_t            log_set;
    pw_time             ts;
    struct log_str      uid;
    struct log_conn_id  id;
    uint64_t            version;
    struct log_str      protocol, endpoint;
    struct log_str_list operations, classes, names, methods;
};

extern const struct log_schema rmi_log_schema;

#endif
