/* policy/policy.h - the egress policy: a YAML file compiled into ordered rules, and the matcher. */
#ifndef PW_POLICY_POLICY_H
#define PW_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/addr.h"

/* The format is described in docs/policy.md. Loading does every check and every conversion
 * (CIDRs to binary, port ranges, names to application ids, user names to uids, domains to
 * lower case with wildcards split off), so matching is a walk over plain data: no allocation,
 * no parsing, no locks. A loaded policy is immutable; a reload builds a new one. */

struct policy;

enum policy_action {
    POLICY_ALLOW = 0,
    POLICY_DENY,
    POLICY_ALERT, /* allow, and say so in policy.log; first match wins as for the others */
};

/* A flow's direction, seen from this host. */
enum policy_dir {
    POLICY_DIR_OUTBOUND = 0,
    POLICY_DIR_INBOUND,
};

/* A rule's direction key. */
enum policy_rule_dir {
    POLICY_RULE_DIR_OUTBOUND = POLICY_DIR_OUTBOUND,
    POLICY_RULE_DIR_INBOUND = POLICY_DIR_INBOUND,
    POLICY_RULE_DIR_ANY,
};

enum policy_dns_answer {
    POLICY_DNS_NXDOMAIN = 0,
    POLICY_DNS_NODATA,
    POLICY_DNS_SINKHOLE,
};

enum policy_on_failure {
    POLICY_FAIL_OPEN = 0,
    POLICY_FAIL_CLOSED,
};

/* A rule's conditions, in the order the matcher tests them (cheapest first). */
enum policy_cond {
    POLICY_COND_NONE = 0, /* "no condition failed": the rule matches */
    POLICY_COND_DIRECTION,
    POLICY_COND_TRANSPORT,
    POLICY_COND_DST_PORT,
    POLICY_COND_SRC_PORT,
    POLICY_COND_DST,
    POLICY_COND_SRC,
    POLICY_COND_USER,
    POLICY_COND_PROCESS,
    POLICY_COND_APP,
    POLICY_COND_DOMAIN,
    POLICY_COND_COUNT
};

/* Application ids: what identification named the flow (conn.log's service). */
#define POLICY_APP_PENDING 0 /* identification has not decided yet */
#define POLICY_APP_UNKNOWN 1 /* identification gave up: no analyzer claimed the flow */
#define POLICY_APP_MAX     64

/* One flow as the datapath sees it. Every pointer is borrowed for the duration of the call. */
struct policy_flow {
    struct addr src;      /* originator (conn.log id.orig_h) */
    struct addr dst;      /* responder (id.resp_h) */
    uint16_t    src_port;
    uint16_t    dst_port;
    uint8_t     ip_proto; /* 6 tcp, 17 udp, 1 / 58 icmp; ports count only for tcp and udp */
    uint8_t     dir;      /* enum policy_dir */
    uint8_t     app;      /* POLICY_APP_PENDING, POLICY_APP_UNKNOWN or policy_app_lookup() */
    bool        has_uid;  /* the local socket's owner is known */
    uint32_t    uid;
    const char *process;  /* NUL-terminated executable path, or NULL when not known */
    const char *domain;   /* SNI, Host or DNS-learnt name, any case, trailing dot allowed; or NULL */
    size_t      domain_len;
    bool        owner_unseen; /* the vantage point cannot see sockets (a capture, not this host's
                                 queue): process and user conditions are not evaluated */
};

struct policy_verdict {
    enum policy_action action;
    int                rule; /* index of the deciding rule, or -1: the default of the flow's direction */
};

enum policy_decision {
    POLICY_DECIDED = 0, /* the verdict holds */
    POLICY_NEED_APP,    /* verdict.rule may match once the app / domain is known: hold the flow */
};

/* Set by the loader, filled from YAML marks; the CLI prints it, nothing below it does. */
struct policy_error {
    const char *file;      /* borrowed: the name the loader was given */
    unsigned    line, col; /* 1-based; 0 when the error has no position (cannot open the file) */
    char        field[128]; /* "rules[2].app[1]"; empty for YAML syntax and file errors */
    char        msg[256];
};

/* Everything but the rules, with defaults applied. */
struct policy_settings {
    enum policy_action     default_action[2]; /* by enum policy_dir */
    enum policy_dns_answer dns_answer;
    bool                   has_sinkhole4, has_sinkhole6;
    struct addr            sinkhole4, sinkhole6;
    unsigned               n_dns_deny;
    bool                   block_from_attempts;
    uint32_t               block_ttl_s;
    enum policy_on_failure on_failure;
    uint32_t               hold_bytes, hold_packets, hold_ms;
};

#define POLICY_DEFAULT_BLOCK_TTL_S  3600
#define POLICY_DEFAULT_HOLD_BYTES   8192
#define POLICY_DEFAULT_HOLD_PACKETS 8
#define POLICY_DEFAULT_HOLD_MS      250

/* ---- policy_load.c ---- */

/* Owned result (free with policy_free), or NULL with *err filled. */
struct policy *policy_load_file(const char *path, struct policy_error *err);
/* name labels errors (err->file); buf need not be NUL-terminated. */
struct policy *policy_load_buffer(const char *name, const void *buf, size_t len, struct policy_error *err);
void policy_free(struct policy *p);

/* The error as every command says it: "FILE:LINE:COL: field 'F': message", or "FILE: message"
 * when it has no position. */
void policy_error_text(const struct policy_error *e, char *buf, size_t size);

/* policy_load_file for a caller that only says what went wrong: NULL with the error in that text. */
struct policy *policy_load_file_msg(const char *path, char *msg, size_t size);

const struct policy_settings *policy_settings(const struct policy *p);
unsigned policy_rule_count(const struct policy *p);
/* Borrowed until policy_free. */
const char *policy_rule_name(const struct policy *p, unsigned i);
unsigned policy_rule_line(const struct policy *p, unsigned i);
enum policy_action policy_rule_action(const struct policy *p, unsigned i);
enum policy_rule_dir policy_rule_direction(const struct policy *p, unsigned i);
/* The condition as written in the file, list items joined by ", "; NULL when the rule has none. */
const char *policy_rule_cond_text(const struct policy *p, unsigned i, enum policy_cond c);

/* ---- policy_match.c ---- */

/* Once identification has decided (app != POLICY_APP_PENDING): first match wins, else the
 * default for f->dir. With app still pending, app conditions never match. */
struct policy_verdict policy_match(const struct policy *p, const struct policy_flow *f);

/* Before identification: only direction, transport, addresses, ports, user and process are
 * looked at. The first rule those allow decides if it has no app or domain condition; if it
 * has one, the answer is POLICY_NEED_APP with v->rule naming it. No candidate: the default. */
enum policy_decision policy_match_early(const struct policy *p, const struct policy_flow *f,
                                        struct policy_verdict *v);

/* The first condition of rule i that f fails, or POLICY_COND_NONE when the rule matches. */
enum policy_cond policy_match_rule(const struct policy *p, unsigned i, const struct policy_flow *f);

/* DNS firewall: index of the first dns_firewall.deny_domains entry that qname matches, or -1. */
int policy_match_dns(const struct policy *p, const char *qname, size_t len);

const char *policy_action_name(enum policy_action a);
const char *policy_cond_name(enum policy_cond c);

/* ---- policy_app.c: the one table of application names ---- */

/* Id of a conn.log service name ("ssl", "ldap_tcp", "unknown"), or POLICY_APP_PENDING when the
 * name is not a known service. For the datapath: call once per flow when identification decides. */
uint8_t policy_app_lookup(const char *name, size_t len);
/* Set of ids a policy word stands for ("tls" = {ssl}, "ldap" = {ldap_tcp, ldap_udp}); 0 if unknown. */
uint64_t policy_app_set(const char *name, size_t len);
/* The service name of an id; "-" for POLICY_APP_PENDING or an out-of-range id. */
const char *policy_app_name(uint8_t id);

#endif
