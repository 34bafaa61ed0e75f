/* detect/notice.h - Zeek's notice framework, the part a sensor needs: named notices written to
 * notice.log, suppressed per identifier for an interval, each tied to an incident. */
#ifndef PW_DETECT_NOTICE_H
#define PW_DETECT_NOTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log_schema.h"
#include "log/log_set.h"
#include "util/pw_time.h"

/* One row per notice we raise: the name notice.log prints and its fixed msg. The Corelight
 * names keep their msg text word for word, so SIEM rules written for their package match. */
#define NOTICE_LIST(X)                                                                                    \
    X(LOG4J_ATTEMPT_HEADER, "CVE_2021_44228::LOG4J_ATTEMPT_HEADER",                                       \
      "Possible Log4j exploit CVE-2021-44228 exploit in header. Refer to sub field for sample of payload, " \
      "original_URI and list of server headers")                                                          \
    X(LOG4J_ATTEMPT_URI, "CVE_2021_44228::LOG4J_ATTEMPT_URI",                                             \
      "Possible Log4j exploit CVE-2021-44228 exploit in the request URI or query")                        \
    X(LOG4J_ATTEMPT_BODY, "CVE_2021_44228::LOG4J_ATTEMPT_BODY",                                           \
      "Possible Log4j exploit CVE-2021-44228 exploit in a message body (form, JSON, XML)")                \
    X(LOG4J_ATTEMPT_AUTH, "CVE_2021_44228::LOG4J_ATTEMPT_AUTH",                                           \
      "Possible Log4j exploit CVE-2021-44228 exploit in decoded Authorization credentials")               \
    X(LOG4J_ATTEMPT_METHOD, "CVE_2021_44228::LOG4J_ATTEMPT_METHOD",                                       \
      "Possible Log4j exploit CVE-2021-44228 exploit in the request method")                              \
    X(LOG4J_ATTEMPT_PAYLOAD, "CVE_2021_44228::LOG4J_ATTEMPT_PAYLOAD",                                     \
      "Possible Log4j exploit CVE-2021-44228 exploit in a cleartext protocol payload")                    \
    X(LOG4J_CALLBACK, "CVE_2021_44228::LOG4J_CALLBACK",                                                   \
      "Outbound callback to a host named by an earlier Log4j lookup attempt")                             \
    X(LOG4J_CALLBACK_BLOCKED, "CVE_2021_44228::LOG4J_CALLBACK_BLOCKED",                                   \
      "Inline policy refused a callback to a host named by an earlier Log4j lookup attempt")             \
    X(LOG4J_LDAP_JAVA, "CVE_2021_44228::LOG4J_LDAP_JAVA",                                                 \
      "Possible Log4j exploit CVE-2021-44228 exploit, JAVA over LDAP. Refer to sub field for sample of "   \
      "payload.")                                                                                         \
    X(LOG4J_RMI_JAVA, "CVE_2021_44228::LOG4J_RMI_JAVA",                                                   \
      "Possible Log4j exploit CVE-2021-44228 exploit, a Java naming Reference over RMI")                  \
    X(LOG4J_JAVA_CLASS_DOWNLOAD, "CVE_2021_44228::LOG4J_JAVA_CLASS_DOWNLOAD",                             \
      "Possible Log4j CVE-2021-44228 exploit, Java has downloaded a Java class over HTTP indicating a "    \
      "potential second stage, after the primary LDAP request. Refer to sub field for user_agent and "    \
      "mime-type")                                                                                        \
    X(JAVA_SERIALIZED_DOWNLOAD, "CVE_2021_44228::JAVA_SERIALIZED_DOWNLOAD",                               \
      "A serialized Java object was delivered to a Java client")                                          \
    X(REVERSE_SHELL, "CVE_2021_44228::REVERSE_SHELL",                                                     \
      "Interactive shell traffic: one side sends command lines, the other answers with their output")     \
    X(DNS_EXFIL, "CVE_2021_44228::DNS_EXFIL", "DNS lookup labels carry data")                             \
    X(BASELINE_NEW_EGRESS, "Baseline::New_Egress", "Outbound flow the learned baseline policy does not allow")

enum notice_type {
#define NOTICE_ENUM(id, name, msg) NOTICE_##id,
    NOTICE_LIST(NOTICE_ENUM)
#undef NOTICE_ENUM
    NOTICE_COUNT
};

#define NOTICE_SUPPRESS_DEFAULT 3600     /* seconds: Zeek's Notice::default_suppression_interval */
#define NOTICE_SUPPRESS_SLOTS   65536u   /* identifiers remembered; the oldest are forgotten first */
#define INCIDENT_ID_MAX         24

/* One notice to raise. Strings are borrowed for the call. */
struct notice {
    enum notice_type    type;
    pw_time             ts;
    const char         *uid;          /* NULL: not about one connection */
    const struct log_conn_id *id;     /* with uid */
    const char         *proto;        /* "tcp", "udp", or NULL */
    const char         *sub;          /* may hold any bytes: the writer escapes them */
    size_t              sub_len;
    const char         *identifier;   /* suppression key (with the type); NULL: never suppressed */
    size_t              identifier_len;
    const char         *fuid, *file_mime_type;
    const char         *incident;     /* incident id text or NULL */
};

struct notices;

/* A remembered identifier: its hash (type folded in) and when its suppression ends. The hash
 * stands for the string: two identifiers would have to collide on 64 bits to hide a notice. */
struct notice_slot {
    uint64_t key;
    pw_time  until;
};

struct notices *notices_create(struct log_set *logs, pw_time suppress_for);

/* The same, remembering identifiers in a table of NOTICE_SUPPRESS_SLOTS that other processes
 * share (the caller serialises the calls), so a notice suppressed in one worker is in all. */
struct notices *notices_create_shared(struct log_set *logs, pw_time suppress_for, struct notice_slot *shared);
void notices_free(struct notices *n);

/* Writes the notice unless one of the same type and identifier was written less than
 * suppress_for ago. Returns true when written. */
bool notices_raise(struct notices *n, const struct notice *x);

/* How many were written and suppressed, per type. */
uint64_t notices_count(const struct notices *n, enum notice_type t);
uint64_t notices_suppressed(const struct notices *n);

/* The notice.log name of a type. */
const char *notice_name(enum notice_type t);

#endif
