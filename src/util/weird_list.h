/* util/weird_list.h - every weird name protowall raises, spelled as Zeek spells it.
 *
 * An X-macro list: WEIRD(ID, "zeek_name"). Include it after defining WEIRD to expand it; the
 * enum weird_id below and the name table in util/weird_names.c come from it, so the two cannot
 * drift. Add a row here (keep groups sorted) and nothing else. */
#ifndef PW_UTIL_WEIRD_LIST_H
#define PW_UTIL_WEIRD_LIST_H

#define WEIRD_LIST(WEIRD)                                                         \
    /* link layer */                                                              \
    WEIRD(TRUNCATED_LINK_HEADER,      "truncated_link_header")                    \
    WEIRD(UNKNOWN_LINK_TYPE,          "unknown_link_type")                        \
    WEIRD(TRUNCATED_VLAN_HEADER,      "truncated_VLAN_header")                    \
    /* IPv4 / IPv6 */                                                             \
    WEIRD(TRUNCATED_IP,               "truncated_IP")                             \
    WEIRD(TRUNCATED_HEADER,           "truncated_header")                         \
    WEIRD(INTERNALLY_TRUNCATED_HEADER, "internally_truncated_header")             \
    WEIRD(BAD_IP_CHECKSUM,            "bad_IP_checksum")                          \
    WEIRD(IP_HDR_LEN_TOO_SMALL,       "IP_hdr_len_too_small")                     \
    WEIRD(BOGUS_IP_HEADER_LENGTHS,    "bogus_IP_header_lengths")                  \
    WEIRD(UNKNOWN_IP_VERSION,         "unknown_ip_version")                       \
    WEIRD(IP_HDR_LEN_ZERO,            "ip_hdr_len_zero")                          \
    WEIRD(TRUNCATED_IP_LEN,           "truncated_IP_len")                         \
    WEIRD(INVALID_IP_HEADER_SIZE,     "invalid_IP_header_size")                   \
    WEIRD(IPV4_MIN_HEADER_SIZE,       "IPv4_min_header_size")                     \
    WEIRD(IPV6_NO_NEXT,               "ipv6_no_next")                             \
    WEIRD(IPV6_EXT_TRUNCATED,         "ipv6_ext_header_truncated")                \
    WEIRD(EXCESSIVE_IPV6_EXT,         "excessive_IPv6_extension_headers")         \
    /* fragments */                                                               \
    WEIRD(FRAGMENT_OVERLAP,           "fragment_overlap")                         \
    WEIRD(FRAGMENT_INCONSISTENCY,     "fragment_inconsistency")                   \
    WEIRD(FRAGMENT_SIZE_INCONSISTENCY, "fragment_size_inconsistency")             \
    WEIRD(EXCESSIVELY_LARGE_FRAGMENT, "excessively_large_fragment")               \
    WEIRD(EXCESSIVELY_SMALL_FRAGMENT, "excessively_small_fragment")               \
    WEIRD(FRAGMENT_WITH_DF,           "fragment_with_DF")                         \
    WEIRD(FRAGMENT_TIMEOUT,           "fragment_reassembly_timeout")              \
    WEIRD(FRAGMENT_MEMORY_EXHAUSTED,  "fragment_reassembly_memory_exhausted")     \
    WEIRD(FRAGMENT_PROTOCOL_INCONSISTENCY, "fragment_protocol_inconsistency")     \
    WEIRD(INCOMPLETELY_CAPTURED_FRAGMENT, "incompletely_captured_fragment")       \
    /* transports */                                                              \
    WEIRD(TRUNCATED_TCP_HEADER,       "truncated_tcp_header")                     \
    WEIRD(BAD_TCP_HEADER_LEN,         "bad_TCP_header_len")                       \
    WEIRD(TRUNCATED_UDP,              "truncated_UDP")                            \
    WEIRD(TRUNCATED_UDP_LENGTH,       "UDP_datagram_length_mismatch")             \
    WEIRD(TRUNCATED_ICMP,             "truncated_ICMP")                           \
    WEIRD(BAD_TCP_CHECKSUM,           "bad_TCP_checksum")                         \
    WEIRD(BAD_UDP_CHECKSUM,           "bad_UDP_checksum")                         \
    WEIRD(BAD_ICMP_CHECKSUM,          "bad_ICMP_checksum")                        \
    /* TCP state and reassembly */                                                \
    WEIRD(SYN_WITH_DATA,              "SYN_with_data")                            \
    WEIRD(BAROQUE_SYN,                "baroque_SYN")                              \
    WEIRD(SYN_AFTER_CLOSE,            "SYN_after_close")                          \
    WEIRD(SYN_AFTER_RESET,            "SYN_after_reset")                          \
    WEIRD(DATA_AFTER_RESET,           "data_after_reset")                         \
    WEIRD(INAPPROPRIATE_FIN,          "inappropriate_FIN")                        \
    WEIRD(SIMULTANEOUS_OPEN,          "simultaneous_open")                        \
    WEIRD(ACTIVE_CONNECTION_REUSE,    "active_connection_reuse")                  \
    WEIRD(SYN_INSIDE_CONNECTION,      "SYN_inside_connection")                    \
    WEIRD(SYN_SEQ_JUMP,               "SYN_seq_jump")                             \
    WEIRD(TCP_CHRISTMAS,              "TCP_christmas")                            \
    WEIRD(DATA_BEFORE_ESTABLISHED,    "data_before_established")                  \
    WEIRD(ORIG_SYN_ACK,              "connection_originator_SYN_ack")            \
    WEIRD(RST_WITH_DATA,              "RST_with_data")                            \
    WEIRD(SPONTANEOUS_FIN,            "spontaneous_FIN")                          \
    WEIRD(SPONTANEOUS_RST,            "spontaneous_RST")                          \
    WEIRD(INCONSISTENT_REXMIT,        "rexmit_inconsistency")                     \
    WEIRD(TCP_ACK_UNDERFLOW,          "TCP_ack_underflow_or_misorder")            \
    WEIRD(TCP_REASM_BUFFER_FULL,      "TCP_reassembler_buffer_limit")             \
    WEIRD(TCP_REASM_MEMCAP,           "TCP_reassembler_memcap")                   \
    /* tunnels */                                                                 \
    WEIRD(VXLAN_TRUNCATED,            "vxlan_truncated")                          \
    WEIRD(GENEVE_TRUNCATED,           "geneve_truncated")                         \
    WEIRD(EXCEEDED_TUNNEL_MAX_DEPTH,  "exceeded_tunnel_max_depth")                \
    /* TLS */                                                                     \
    WEIRD(SSL_MANY_SERVER_NAMES,      "SSL_many_server_names")                    \
    WEIRD(SSL_MAX_HISTORY,            "SSL_max_ssl_history_length_reached")       \
    WEIRD(SSL_EARLY_APPLICATION_DATA, "ssl_early_application_data")               \
    WEIRD(SSL_MESSAGE_TOO_LARGE,      "SSL_handshake_message_too_large")          \
    WEIRD(SSL_CERT_CHAIN_TOO_LONG,    "SSL_cert_chain_too_long")                  \
    /* engine */                                                                  \
    WEIRD(ANALYZER_BUFFER_FULL,       "analyzer_buffer_limit")                    \
    WEIRD(FLOW_TABLE_FULL,            "flow_table_full_evicted")                  \
    WEIRD(CAPTURE_TRUNCATED,          "capture_file_truncated")

enum weird_id {
#define WEIRD_ENUM(id, name) WEIRD_##id,
    WEIRD_LIST(WEIRD_ENUM)
#undef WEIRD_ENUM
    WEIRD_COUNT
};

/* Zeek's spelling of a weird, e.g. "bad_TCP_checksum". */
const char *weird_name(enum weird_id id);

#endif
