/* proto/http_int.h - the HTTP analyzer's internals shared by its files and unit tests: the
 * http.log record, the per-connection state, the pure line parsers and the body decoder. */
#ifndef PW_PROTO_HTTP_INT_H
#define PW_PROTO_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* next_in as a const pointer: input bytes are handed to inflate without a cast. */
#define ZLIB_CONST
#include <zlib.h>

#include "flow/flow.h"
#include "log/log_schema.h"
#include "proto/http.h"
#include "util/weird_list.h"

/* ---- caps ---- */
#define HTTP_LINE_MAX       8192   /* request, status and header lines; longer ones are cut */
#define HTTP_HEADERS_MAX    256    /* headers interpreted per message */
#define HTTP_PENDING_MAX    100    /* HTTP::max_pending_requests */
#define HTTP_TX_SLOTS       104    /* pending transactions held (Zeek's limit plus room) */
#define HTTP_ARENA          12288  /* bytes of logged strings of all pending transactions */
#define HTTP_UNANSWERED_MAX 128    /* requests awaiting a reply, for the HEAD rule */
#define HTTP_PROXIED_MAX    4
#define HTTP_FILENAME_MAX   255
#define HTTP_INFLATE_MAX    (64u << 20)  /* decoded bytes per message */
#define HTTP_INFLATE_ACTIVE 512          /* decoders alive at once, process-wide */
#define HTTP_MAX_VIOLATIONS 5            /* DPD::max_violations before an unconfirmed analyzer goes */
#define HTTP_IGNORE_VIOLATIONS_AFTER 10240
#define HTTP_SCAN_WINDOW    1024         /* request body bytes scanned for lookups at once */
#define HTTP_SCAN_CARRY     256          /* kept from one window to the next: a lookup may straddle */
#define HTTP_SCAN_BODY_MAX  (64u << 10)  /* request body bytes scanned per message */

/* ---- http.log ---- */
enum http_f {
    HTTP_F_TS, HTTP_F_UID, HTTP_F_ORIG_H, HTTP_F_ORIG_P, HTTP_F_RESP_H, HTTP_F_RESP_P,
    HTTP_F_TRANS_DEPTH, HTTP_F_METHOD, HTTP_F_HOST, HTTP_F_URI, HTTP_F_REFERRER, HTTP_F_VERSION,
    HTTP_F_USER_AGENT, HTTP_F_ORIGIN, HTTP_F_REQUEST_BODY_LEN, HTTP_F_RESPONSE_BODY_LEN,
    HTTP_F_STATUS_CODE, HTTP_F_STATUS_MSG, HTTP_F_INFO_CODE, HTTP_F_INFO_MSG, HTTP_F_TAGS,
    HTTP_F_USERNAME, HTTP_F_PASSWORD, HTTP_F_PROXIED, HTTP_F_ORIG_FUIDS, HTTP_F_ORIG_FILENAMES,
    HTTP_F_ORIG_MIME_TYPES, HTTP_F_RESP_FUIDS, HTTP_F_RESP_FILENAMES, HTTP_F_RESP_MIME_TYPES,
    HTTP_F_COUNT
};

struct http_record {
    uint64_t            log_set;
    pw_time             ts;
    struct log_str      uid;
    struct log_conn_id  id;
    uint64_t            trans_depth;
    struct log_str      method, host, uri, referrer, version, user_agent, origin;
    uint64_t            request_body_len, response_body_len;
    uint64_t            status_code;
    struct log_str      status_msg;
    uint64_t            info_code;
    struct log_str      info_msg;
    struct log_str_list tags;
    struct log_str      username, password;
    struct log_str_list proxied;
    struct log_str_list orig_fuids, orig_filenames, orig_mime_types;
    struct log_str_list resp_fuids, resp_filenames, resp_mime_types;
};

extern const struct log_schema http_log_schema;

/* ---- one pending transaction (Zeek's HTTP::Info in c$http_state$pending) ---- */
enum http_s {
    HTTP_S_METHOD, HTTP_S_HOST, HTTP_S_URI, HTTP_S_REFERRER, HTTP_S_USER_AGENT, HTTP_S_ORIGIN,
    HTTP_S_USERNAME, HTTP_S_PASSWORD, HTTP_S_STATUS_MSG, HTTP_S_INFO_MSG,
    HTTP_S_PROXIED,                                   /* HTTP_PROXIED_MAX of them */
    HTTP_S_FUID = HTTP_S_PROXIED + HTTP_PROXIED_MAX,  /* [orig, resp] */
    HTTP_S_FNAME = HTTP_S_FUID + 2,
    HTTP_S_MIME = HTTP_S_FNAME + 2,
    HTTP_S_CTYPE = HTTP_S_MIME + 2,                   /* the response's Content-Type (detection) */
    HTTP_S_COUNT = HTTP_S_CTYPE + 1
};

struct http_str {
    uint16_t off;
    uint16_t len;
};

struct http_tx {
    uint32_t        key;          /* index in Zeek's pending table */
    bool            live;
    uint8_t         n_proxied;
    uint16_t        status_code, info_code;
    uint32_t        depth;
    bool            log4j_tag;    /* http.log tags CVE_2021_44228::LOG4J_RCE */
    bool            range_request; /* the request had a Range header (Zeek's c$http$range_request) */
    uint32_t        has;          /* bit per enum http_s: the string is set */
    uint64_t        set;          /* non-string optional log fields that are set */
    pw_time         ts;
    uint64_t        body_len[2];
    char            version[4];
    uint8_t         version_len;
    struct http_str s[HTTP_S_COUNT];
};

/* ---- one direction's message parser (Zeek's ContentLine + HTTP_Message/Entity) ---- */
enum http_pstate {
    HTTP_P_FIRST,       /* request or status line */
    HTTP_P_HEADERS,
    HTTP_P_BODY_CL,     /* content-length bytes */
    HTTP_P_CHUNK_SIZE,
    HTTP_P_CHUNK_DATA,
    HTTP_P_CHUNK_CRLF,
    HTTP_P_TRAILER,     /* headers after the last chunk */
    HTTP_P_BODY_EOF,    /* everything until the connection closes */
    HTTP_P_BODY_LINES,  /* body in line mode until close: each line counts two EOL bytes */
    HTTP_P_HTTP09,      /* raw HTTP/0.9 reply */
    HTTP_P_NOTHING,     /* stopped after an error */
};

enum http_body_expect { HTTP_BODY_NOT_EXPECTED, HTTP_BODY_EXPECTED, HTTP_BODY_MAYBE };
enum http_encoding { HTTP_ENC_IDENTITY, HTTP_ENC_GZIP, HTTP_ENC_DEFLATE };

struct http_dir {
    uint8_t  state;              /* enum http_pstate */
    bool     ongoing;            /* request_ongoing / reply_ongoing */
    bool     have_message;       /* a message was ever started on this side */
    bool     skip_line;          /* discarding the rest of an over-long line */
    bool     line_open;          /* line-mode body: a line has begun and not ended */
    bool     chunked;
    uint8_t  expect_body;
    uint8_t  encoding;
    bool     is_partial;
    bool     has_filename;
    bool     z_active, z_failed, z_done, z_raw;
    uint16_t nheaders;
    uint16_t filename_len;
    int64_t  content_length;     /* -1: none */
    int64_t  instance_length;    /* from Content-Range, -1: none */
    int64_t  range_first, range_len;
    int64_t  remaining;          /* of the content-length body or the current chunk */
    uint64_t body_len;           /* after transfer and content decoding */
    uint64_t z_out;
    uint32_t file_key;           /* pending transaction the file is listed on */
    bool     file_listed;
    struct file_ctx *file;
    uint32_t file_gen;           /* file_generation(file): a shared file may end under us */
    bool     shared_file;        /* file is a range of a file several connections carry */
    uint16_t scan_len;           /* request body bytes in scan[] */
    uint16_t scan_new;           /* of them, not scanned yet */
    uint32_t scan_total;         /* body bytes fed to the scan this message */
    z_stream z;                  /* msg_begin clears everything before this member */
    char     scan[HTTP_SCAN_WINDOW];
    char     filename[HTTP_FILENAME_MAX];
};

struct http_version {
    uint8_t major, minor;
};

struct http_state {
    bool confirmed_once;     /* the partial-connection check has passed */
    struct http_dir     d[2];
    struct http_version req_ver, rep_ver;
    uint32_t num_requests, num_replies;
    bool     keep_alive, connection_close;
    bool     connect_request, tunnel, upgrade_connection, upgrade_protocol, upgraded;
    bool     confirmed, stopped, http09_started;
    uint8_t  violations;
    uint16_t reply_code;
    uint16_t unans_n, unans_head;
    uint8_t  unans_is_head[HTTP_UNANSWERED_MAX / 8];
    uint64_t bytes_seen;
    /* the script side: c$http_state */
    uint32_t current_request, current_response, trans_depth;
    uint32_t c_http;             /* key of the record c$http points at */
    bool     c_http_set;
    uint16_t n_pending;
    uint16_t arena_tail;
    struct http_tx tx[HTTP_TX_SLOTS];
    char     arena[HTTP_ARENA];
};

/* A pending transaction's string; false when unset. */
bool http_tx_str(const struct http_state *st, const struct http_tx *t, unsigned which, const char **p, size_t *n);

/* ---- Log4Shell detection (http_detect.c) ---- */
void http_detect_request(struct session *s, struct http_state *st, struct http_tx *t);
void http_detect_bad_request_line(struct session *s, struct http_state *st, const char *line, size_t len);
void http_detect_header(struct session *s, struct http_state *st, enum flow_dir dir, struct http_tx *t,
                        const char *n, size_t nlen, const char *v, size_t vlen);
void http_detect_body(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p, size_t n);
void http_detect_body_end(struct session *s, struct http_state *st, enum flow_dir dir);
void http_detect_response_done(struct session *s, struct http_state *st, struct http_tx *t);

/* ---- pure parsers (http_parse.c) ---- */

enum http_req_result { HTTP_REQ_OK, HTTP_REQ_BAD, HTTP_REQ_BAD_WITH_VERSION };

#define HTTP_RL_MISSING_URI 0x01u   /* weird missing_HTTP_uri */
#define HTTP_RL_LOWERCASE   0x02u   /* weird lowercase_HTTP_keyword */

struct http_request_line {
    const char *method;
    size_t      method_len;
    const char *uri;             /* as sent */
    size_t      uri_len;
    bool        set_version;     /* ParseRequest reached SetVersion */
    bool        parsed;          /* ParseRequest ran (the URI was cut out) */
    struct http_version version; /* {0,0} when the version text was malformed */
    unsigned    flags;
};

/* Zeek's HTTP_RequestLine + ParseRequest over one line without its EOL. */
enum http_req_result http_parse_request_line(const char *line, size_t len, struct http_request_line *out);

struct http_reply_line {
    bool        prefix_ok;       /* began with HTTP/ (SetVersion applies) */
    bool        lowercase;
    struct http_version version;
    unsigned    code;
    const char *reason;          /* NULL: missing */
    size_t      reason_len;
};

/* Zeek's HTTP_ReplyLine: true when the line is a status line. */
bool http_parse_reply_line(const char *line, size_t len, struct http_reply_line *out);

#define HTTP_UNESC_ILLEGAL_END  0x01u   /* illegal_%_at_end_of_URI */
#define HTTP_UNESC_PARTIAL_END  0x02u   /* partial_escape_at_end_of_URI */
#define HTTP_UNESC_DOUBLE       0x04u   /* double_%_in_URI */
#define HTTP_UNESC_UNESCAPED    0x08u   /* unescaped_%_in_URI */

/* Zeek's unescape_URI: out needs len bytes; returns the decoded length, weirds in *flags. */
size_t http_unescape_uri(const char *in, size_t len, char *out, unsigned *flags);

/* First MIME token of a header value (Zeek's get_value_token); *rest gets what follows. */
size_t http_value_token(const char *v, size_t len, const char **tok, const char **rest, size_t *rest_len);

/* util::atoi_n: digits in base until the first non-digit; false when the first is not one. */
bool http_atoi(const char *s, size_t len, unsigned base, int64_t *out);

/* Filename from a Content-Disposition value (extract_filename_from_content_disposition). */
size_t http_cd_filename(const char *v, size_t len, char *out, size_t size);

/* Basic credentials: decodes base64 after "Basic " into out; false when the value is not Basic. */
bool http_basic_decode(const char *v, size_t len, char *out, size_t size, size_t *out_len);

/* Whether Zeek's HTTP::http_methods holds the method. */
bool http_known_method(const char *m, size_t len);

/* The probe, exposed for tests. */
int http_probe_bytes(const uint8_t *data, size_t len, enum flow_dir dir);

/* ---- body framing and decoding (http_body.c) ---- */
struct session;

/* Body bytes as they came off the wire (after transfer decoding): content-decodes them, counts
 * them and hands them to file analysis. key is the record the file would be listed on. */
void http_body_data(struct session *s, struct http_state *st, enum flow_dir dir, const uint8_t *p, size_t n);

/* The message body ended: flushes the decoder and closes the file, listing fuid/mime/filename. */
void http_body_end(struct session *s, struct http_state *st, enum flow_dir dir);

/* Lost body bytes. */
void http_body_gap(struct http_state *st, enum flow_dir dir, uint64_t len);

/* Frees the decoder of a direction (also used when the flow ends mid-body). */
void http_body_release(struct http_dir *d);

/* ---- shared between http.c and http_header.c ---- */
struct http_tx;

/* Zeek's set_state(): the pending record this side's current index names, created if missing;
 * c$http then points at it. */
struct http_tx *http_set_state(struct session *s, struct http_state *st, enum flow_dir dir);

/* A weird whose addl is a byte range (cut at 255). */
void http_weird_str(struct session *s, enum weird_id id, const char *p, size_t n, bool from_script);

/* One header line, folded lines already joined (weird when folded): the hook, then its meaning. */
void http_header_line(struct session *s, struct http_state *st, enum flow_dir dir, const char *p, size_t len,
                      bool folded);

/* Records a string on the pending transaction with key; defined in http.c. */
void http_tx_set_str(struct http_state *st, uint32_t key, unsigned which, const char *p, size_t n);

extern struct http_stats http_counters;

#endif
