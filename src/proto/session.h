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

/* A protocol carried inside this analyzer's (a Kerberos or NTLM token in an LDAP bind), which
 * Zeek analyzes and lists in conn.log service: "krb", "gssapi", "ntlm". Others are ignored. */
void session_add_service(struct session *s, const char *name);

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

/* Whether certificates are to be files too (--x509-in-files, Zeek's X509::log_x509_in_files_log). */
bool session_certificate_files(const struct session *s);

/* A file several connections carry (HTTP range responses of one URL): the one open under key (a
 * protocol-made handle, e.g. host + URL), or a new one. Feed it with file_data_at and let go of it
 * with file_release. NULL when capped. */
struct file_ctx *session_file_open_shared(struct session *s, enum flow_dir dir, const char *source, const char *key,
                                          size_t key_len, uint64_t total_bytes);

/* A fact for detectors and policy (HTTP Host, TLS SNI, ...): kept on the session. */
void session_set_domain(struct session *s, const char *name, size_t len);


/* --- Detection (detect/): analyzers report what they saw; the engine's detector decides what
 * it means, raises notices and ties them into incidents. None of these fail or block. --- */

/* A Java naming referral or serialized payload came back to a lookup: an LDAP search entry with
 * javaClassName / javaCodeBase / javaSerializedData, or an RMI ReturnData carrying a Reference
 * or a serialized object. Strings may be NULL; they are copied before the call returns. */
struct java_referral {
    const char    *proto;        /* "ldap", "rmi" */
    const uint8_t *raw;          /* the message as sent (notice sub), may be NULL */
    size_t         raw_len;
    const char    *class_name;   /* javaClassName, or the class of the serialized object */
    const char    *codebase;     /* javaCodeBase / Reference factory location: a URL */
    const char    *factory;      /* javaFactory / Reference factory class */
    bool           serialized;   /* carries a serialized Java object (ac ed 00 05) */
};
void session_java_referral(struct session *s, enum flow_dir dir, const struct java_referral *r);


/* Where a lookup string was found. */
enum attempt_where {
    ATTEMPT_HEADER,    /* an HTTP header name or value, as sent */
    ATTEMPT_URI,       /* the request URI or query */
    ATTEMPT_METHOD,    /* the request method */
    ATTEMPT_BODY,      /* a message body: form, JSON, XML, text */
    ATTEMPT_AUTH,      /* decoded Authorization credentials (Basic, Bearer) */
    ATTEMPT_PAYLOAD,   /* another cleartext protocol's payload (LDAP, DNS names, ...) */
};

struct jndi_hit;

/* A JNDI lookup string in cleartext (detect/jndi.h finds them). HTTP context may be NULL. */
struct lookup_attempt {
    enum attempt_where     where;
    const char            *proto;          /* "http", "ldap", "dns" */
    const char            *name;           /* header name, or NULL */
    size_t                 name_len;
    const uint8_t         *value;          /* the text the lookup was found in, as sent */
    size_t                 value_len;
    const char            *uri, *method;   /* the request's, or NULL */
    size_t                 uri_len, method_len;
    bool                   corelight_name, corelight_value;  /* Corelight's header test matched */
    const struct jndi_hit *hit;            /* the decoded lookup */
};

/* Reports a lookup; returns true when it was reported as an attempt (HTTP tags the request). */
bool session_lookup_attempt(struct session *s, enum flow_dir dir, const struct lookup_attempt *a);

/* An HTTP response finished whose body or type may be Java (class, JAR, serialized object). */
struct java_download {
    const char *user_agent, *content_type, *mime, *host, *method, *fuid;  /* NULL when absent */
    size_t      user_agent_len, content_type_len, host_len, method_len;
    uint32_t    trans_depth;
};

/* Returns true when it was reported (HTTP tags the request). */
bool session_java_download(struct session *s, const struct java_download *d);

/* DNS: a question this flow's client asked, and one answer record (its text as dns.log writes
 * it: an address for A/AAAA) to a question. */
void session_dns_query(struct session *s, const char *name, size_t len);
void session_dns_answer(struct session *s, const char *name, size_t name_len, const char *answer,
                        size_t answer_len);

#endif
