/* detect/detect_int.h - the detector's private state and helpers, shared by detect.c (attempts,
 * callbacks, shells), detect_dns.c and detect_java.c. */
#ifndef PW_DETECT_DETECT_INT_H
#define PW_DETECT_DETECT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include "detect/detect.h"
#include "detect/jndi.h"
#include "detect/notice.h"
#include "util/addr.h"
#include "util/uid.h"

#define TARGETS_MAX      256   /* watched hosts; the one closest to expiry makes room */
#define SUB_MAX          2048
#define IDENT_MAX        768

enum target_kind {
    TARGET_CALLBACK,   /* named by an attempt: the victim may call it */
    TARGET_CODEBASE,   /* named by a referral: the victim may fetch a class from it */
    TARGET_VICTIM,     /* a host an attempt reached or that called back: it may open a shell */
};

struct target {
    uint8_t     kind;
    bool        live;
    bool        has_addr;
    uint16_t    port;                    /* 0: none named */
    uint32_t    incident;
    pw_time     until;
    struct addr addr;
    char        scheme[JNDI_SCHEME_MAX];
    char        host[JNDI_HOST_MAX];     /* lower case; "" for TARGET_VICTIM */
    char        named_by[UID_STRLEN];    /* uid of the flow that named it */
};

/* The hosts watched and the incident counter: private to one engine, or in memory shared by the
 * capture workers (detect_watch_create_shared) so a chain whose flows land on different workers is
 * still one incident. */
struct detect_watch {
    pthread_mutex_t lock;          /* process-shared and robust when shared */
    bool            shared;
    uint64_t        id_key[2];     /* incident ids: the same key in every worker */
    uint32_t        incidents;
    uint32_t        n_live;
    struct target   targets[TARGETS_MAX];
    struct notice_slot suppressed[NOTICE_SUPPRESS_SLOTS];   /* used when shared */
};

struct detect {
    struct detect_config cfg;
    struct log_set      *logs;
    struct notices      *notices;
    struct uid_gen       ids;
    struct detect_watch *w;
    struct detect_watch  own;      /* used when no shared one was given */
};

struct raise {
    enum notice_type type;
    const char      *sub;
    size_t           sub_len;
    char             ident[IDENT_MAX];
    const char      *fuid, *mime;
};

uint32_t detect_incident_new(struct detect *d);
void detect_lower_copy(char *dst, size_t size, const char *src, size_t len);
bool detect_target_expired(const struct target *t, pw_time ts);
struct target *detect_target_add(struct detect *d, enum target_kind kind, const char *scheme, const char *host,
                                 const struct addr *addr, uint16_t port, uint32_t incident, pw_time ts,
                                 const char *named_by);
void detect_watch_host(struct detect *d, enum target_kind kind, const char *scheme, const char *host, uint16_t port,
                       uint32_t incident, pw_time ts, const char *named_by);
void detect_watch_victim(struct detect *d, const struct addr *a, uint32_t incident, pw_time ts);
uint32_t detect_victim_incident(struct detect *d, const struct addr *a, pw_time ts);
bool detect_raise_notice(struct detect *d, const struct detect_conn *c, pw_time ts, uint32_t incident,
                         const struct raise *r);
size_t detect_conn_ident(const struct detect_conn *c, bool with_orig_p, char *buf, size_t size);
uint32_t detect_flow_incident(struct detect *d, const struct detect_conn *c);
void detect_flow_join(const struct detect_conn *c, uint32_t incident);

/* The entry points proper; detect.c's public functions take the watch lock around them. */
bool detect_lookup_attempt_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, bool is_orig,
                                    const struct lookup_attempt *a);
bool detect_is_callback_target_unlocked(struct detect *d, const struct addr *a, const char *domain, pw_time ts);
void detect_flow_service_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts);
void detect_flow_end_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts);
void detect_shell_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, bool commander_is_resp);
void detect_dns_query_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, const char *name,
                               size_t len);
void detect_dns_answer_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts, const char *name,
                                size_t name_len, const char *answer, size_t answer_len);
void detect_java_referral_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts,
                                   const struct java_referral *r);
bool detect_java_download_unlocked(struct detect *d, const struct detect_conn *c, pw_time ts,
                                   const struct java_download *j);

#endif
