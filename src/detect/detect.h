/* detect/detect.h - the Log4Shell chain detector: attempts, callbacks, referrals, downloads and
 * shells, correlated into incidents and written as notices (notice.log, log4j.log).
 *
 * The engine owns one detector. Analyzers report facts through proto/session.h; the session
 * layer forwards them here with the flow described by a struct detect_conn. Nothing here runs
 * per packet: only on those facts and at flow end. */
#ifndef PW_DETECT_DETECT_H
#define PW_DETECT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "detect/notice.h"
#include "log/log_schema.h"
#include "log/log_set.h"
#include "proto/session.h"
#include "util/pw_time.h"

struct detect_watch;

struct detect_config {
    struct detect_watch *shared;  /* watched hosts shared with other processes, or NULL */
    pw_time  callback_window;   /* how long a host named by an attempt is watched (0: default) */
    pw_time  suppress_for;      /* notice suppression per identifier (Zeek's default 3600 s) */
    bool     seeded;            /* repeatable incident ids, as uids under --seed */
    uint64_t seed;
};

#define DETECT_CALLBACK_WINDOW_DEFAULT 600   /* seconds */

/* What the detector keeps per flow: on the session, zeroed at its start. */
struct detect_flow {
    uint32_t incident;          /* 0: in no incident */
    uint8_t  flags;             /* DETECT_FLOW_* */
};

#define DETECT_FLOW_CALLBACK_DONE 0x01u  /* LOG4J_CALLBACK decided for this flow */
#define DETECT_FLOW_SHELL_DONE    0x02u

/* The flow a fact is about. */
struct detect_conn {
    const char         *uid;
    struct log_conn_id  id;
    const char         *proto;      /* "tcp", "udp" */
    const char         *service;    /* conn.log service so far ("" if none) */
    const char         *domain;     /* the name the client asked for (TLS SNI, HTTP Host), or "" */
    struct detect_flow *df;         /* NULL for flows without a session */
};

struct detect;

struct detect *detect_create(const struct detect_config *cfg, struct log_set *logs);

/* Watched hosts and incident numbers in memory shared by processes (sniff's workers): created
 * before they fork, given to each through detect_config.shared (engine_config.detect_shared), so
 * a chain whose flows land on different workers is one incident. */
struct detect_watch *detect_watch_create_shared(uint64_t seed, bool seeded);
void detect_watch_free_shared(struct detect_watch *w);

/* Notices raised beside the detector (Baseline::New_Egress) that share its suppression: with a
 * shared watch, the notices remember identifiers in the watch's table and each raise holds the
 * watch's lock, so a notice suppressed in one worker is in all. w NULL: a private notices object
 * and a plain raise. */
struct notices *detect_watch_notices_create(struct detect_watch *w, struct log_set *logs, pw_time suppress_for);
bool detect_watch_notice_raise(struct detect_watch *w, struct notices *n, const struct notice *x);
void detect_free(struct detect *d);

bool detect_lookup_attempt(struct detect *d, const struct detect_conn *c, pw_time ts, bool is_orig,
                           const struct lookup_attempt *a);
void detect_java_referral(struct detect *d, const struct detect_conn *c, pw_time ts,
                          const struct java_referral *r);
bool detect_java_download(struct detect *d, const struct detect_conn *c, pw_time ts,
                          const struct java_download *j);
void detect_dns_query(struct detect *d, const struct detect_conn *c, pw_time ts, const char *name, size_t len);
void detect_dns_answer(struct detect *d, const struct detect_conn *c, pw_time ts, const char *name,
                       size_t name_len, const char *answer, size_t answer_len);

/* How long hosts named from now on are watched (a reloaded policy's dynamic_block.ttl); hosts
 * already watched keep their time. 0: the default. */
void detect_set_callback_window(struct detect *d, pw_time window);

/* False while no host is watched: then no flow can be a callback, and callers skip describing
 * the flow at all (every flow ends through here). */
bool detect_watching(const struct detect *d);

/* An analyzer confirmed the flow's protocol (service set), or the flow ended: is it a callback? */
void detect_flow_service(struct detect *d, const struct detect_conn *c, pw_time ts);
void detect_flow_end(struct detect *d, const struct detect_conn *c, pw_time ts);

/* The flow carries an interactive shell; commander is the side that sends the commands. */
void detect_shell(struct detect *d, const struct detect_conn *c, pw_time ts, bool commander_is_resp);

/* True while a live lookup attempt names this address, or this host name, as its callback. */
bool detect_is_callback_target(struct detect *d, const struct addr *a, const char *domain, pw_time ts);

/* Notices written per type (for the run summary and tests). */
const struct notices *detect_notices(const struct detect *d);

#endif
