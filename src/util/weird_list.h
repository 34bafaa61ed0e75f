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
    /* DNS */                                                                     \
    WEIRD(DNS_CONN_COUNT_TOO_LARGE,          "DNS_Conn_count_too_large")          \
    WEIRD(DNS_LABEL_FORWARD_COMPRESS_OFFSET, "DNS_label_forward_compress_offset") \
    WEIRD(DNS_LABEL_LEN_GT_NAME_LEN,         "DNS_label_len_gt_name_len")         \
    WEIRD(DNS_LABEL_LEN_GT_PKT,              "DNS_label_len_gt_pkt")              \
    WEIRD(DNS_LABEL_TOO_LONG,                "DNS_label_too_long")                \
    WEIRD(DNS_LOC_VERSION_UNRECOGNIZED,      "DNS_LOC_version_unrecognized")      \
    WEIRD(DNS_NAME_TOO_LONG,                 "DNS_NAME_too_long")                 \
    WEIRD(DNS_NAME_TOO_MANY_POINTERS,        "DNS_NAME_too_many_pointers")        \
    WEIRD(DNS_PENDING_LIMIT,                 "DNS_max_pending_msgs")              \
    WEIRD(DNS_RR_BAD_LENGTH,                 "DNS_RR_bad_length")                 \
    WEIRD(DNS_RR_LENGTH_MISMATCH,            "DNS_RR_length_mismatch")            \
    WEIRD(DNS_RR_UNKNOWN_TYPE,               "DNS_RR_unknown_type")               \
    WEIRD(DNS_SVCB_WRONG_LENGTH,             "DNS_SVBC_wrong_length")             \
    WEIRD(DNS_TRUNCATED_ANS_TOO_SHORT,       "DNS_truncated_ans_too_short")       \
    WEIRD(DNS_TRUNCATED_LEN_LT_HDR_LEN,      "DNS_truncated_len_lt_hdr_len")      \
    WEIRD(DNS_TRUNCATED_QUEST_TOO_SHORT,     "DNS_truncated_quest_too_short")     \
    WEIRD(DNS_TRUNCATED_RR_RDLENGTH_LT_LEN,  "DNS_truncated_RR_rdlength_lt_len")  \
    WEIRD(DNS_TXT_CHAR_STR_PAST_RDLEN,       "DNS_TXT_char_str_past_rdlen")       \
    WEIRD(DNS_UNKNOWN_OPCODE,                "DNS_unknown_opcode")                \
    WEIRD(DNS_ZERO_RDLENGTH,                 "DNS_zero_rdlength")                 \
    WEIRD(DNSSEC_DNSKEY_INDIRECT_ALGO,       "DNSSEC_DNSKEY_Indirect_ZoneSignAlgo")\
    WEIRD(DNSSEC_DNSKEY_INVALID_FLAG,        "DNSSEC_DNSKEY_Invalid_Flag")        \
    WEIRD(DNSSEC_DNSKEY_INVALID_PROTOCOL,    "DNSSEC_DNSKEY_Invalid_Protocol")    \
    WEIRD(DNSSEC_DNSKEY_NOTREC_ALGO,         "DNSSEC_DNSKEY_NotRecommended_ZoneSignAlgo")\
    WEIRD(DNSSEC_DNSKEY_PRIVDNS_ALGO,        "DNSSEC_DNSKEY_PrivateDNS_ZoneSignAlgo")\
    WEIRD(DNSSEC_DNSKEY_PRIVOID_ALGO,        "DNSSEC_DNSKEY_PrivateOID_ZoneSignAlgo")\
    WEIRD(DNSSEC_DNSKEY_REVOKED_KSK,         "DNSSEC_DNSKEY_Revoked_KSK")         \
    WEIRD(DNSSEC_DNSKEY_UNKNOWN_ALGO,        "DNSSEC_DNSKEY_unknown_ZoneSignAlgo")\
    WEIRD(DNSSEC_DS_RESERVED_DIGEST,         "DNSSEC_DS_ReservedDigestType")      \
    WEIRD(DNSSEC_DS_UNKNOWN_DIGEST,          "DNSSEC_DS_unknown_DigestType")      \
    WEIRD(DNSSEC_NSEC_BITMAPLEN0,            "DNSSEC_NSEC_bitmapLen0")            \
    WEIRD(DNSSEC_NSEC3_BITMAPLEN0,           "DNSSEC_NSEC3_bitmapLen0")           \
    WEIRD(DNSSEC_RRSIG_INDIRECT_ALGO,        "DNSSEC_RRSIG_Indirect_ZoneSignAlgo")\
    WEIRD(DNSSEC_RRSIG_NOTREC_ALGO,          "DNSSEC_RRSIG_NotRecommended_ZoneSignAlgo")\
    WEIRD(DNSSEC_RRSIG_PRIVDNS_ALGO,         "DNSSEC_RRSIG_PrivateDNS_ZoneSignAlgo")\
    WEIRD(DNSSEC_RRSIG_PRIVOID_ALGO,         "DNSSEC_RRSIG_PrivateOID_ZoneSignAlgo")\
    WEIRD(DNSSEC_RRSIG_UNKNOWN_ALGO,         "DNSSEC_RRSIG_unknown_ZoneSignAlgo") \
    WEIRD(EDNS_ECS_INVALID_OPTION_LEN,       "EDNS_ECS_invalid_option_len")       \
    WEIRD(EDNS_ECS_INVALID_V4,               "EDNS_ECS_invalid_addr_v4")          \
    WEIRD(EDNS_ECS_INVALID_V4_PREFIX,        "EDNS_ECS_invalid_addr_v4_prefix")   \
    WEIRD(EDNS_ECS_INVALID_V6,               "EDNS_ECS_invalid_addr_v6")          \
    WEIRD(EDNS_ECS_INVALID_V6_PREFIX,        "EDNS_ECS_invalid_addr_v6_prefix")   \
    WEIRD(EDNS_TCP_KEEPALIVE_IN_UDP,         "EDNS_TCP_Keepalive_In_UDP")         \
    WEIRD(EDNS_TRUNCATED_OPTION,             "EDNS_truncated_option")             \
    /* HTTP */                                                                \
    WEIRD(BAD_HTTP_REQUEST,                  "bad_HTTP_request")              \
    WEIRD(BAD_HTTP_REQUEST_WITH_VERSION,     "bad_HTTP_request_with_version") \
    WEIRD(DOUBLE_PCT_IN_URI,                 "double_%_in_URI")               \
    WEIRD(EMPTY_HTTP_REQUEST,                "empty_http_request")            \
    WEIRD(HTTP_BAD_CHUNK_SIZE,               "HTTP_bad_chunk_size")           \
    WEIRD(HTTP_BAD_CONTENT_LENGTH,           "HTTP_bad_content_length")       \
    WEIRD(HTTP_CHUNKED_MULTI,                "HTTP_chunked_multi")            \
    WEIRD(HTTP_CL_AND_CHUNKED,               "HTTP_content_length_and_chunked")\
    WEIRD(HTTP_CL_LEADING_ZEROS,             "HTTP_content_length_leading_zeros")\
    WEIRD(HTTP_CR_CANNOT_PARSE,              "HTTP_content_range_cannot_parse")\
    WEIRD(HTTP_CR_INVALID,                   "HTTP_content_range_invalid")    \
    WEIRD(HTTP_CR_UNKNOWN_UNIT,              "HTTP_content_range_unknown_byte_unit")\
    WEIRD(HTTP_EXCESSIVE_PIPELINING,         "HTTP_excessive_pipelining")     \
    WEIRD(HTTP_EXPECT_NOT_100,               "HTTP_expect_not_100_continue")  \
    WEIRD(HTTP_NON_POSITIVE_RANGE,           "HTTP_non_positive_content_range")\
    WEIRD(HTTP_OBSOLETE_FOLDING,             "HTTP_obsolete_line_folding")    \
    WEIRD(HTTP_RANGE_NOT_MATCHING_LEN,       "HTTP_range_not_matching_len")   \
    WEIRD(HTTP_RESPONSE_BEFORE_REQUEST,      "HTTP_response_before_request")  \
    WEIRD(HTTP_VERSION_MISMATCH,             "HTTP_version_mismatch")         \
    WEIRD(HTTP09_REPLY_BEFORE_REQUEST,       "http_09_reply_before_request")  \
    WEIRD(ILLEGAL_PCT_AT_END_OF_URI,         "illegal_%_at_end_of_URI")       \
    WEIRD(INFLATE_FAILED,                    "inflate_failed")                \
    WEIRD(INVALID_HTTP09_METHOD,             "invalid_http_09_request_method")\
    WEIRD(LOWERCASE_HTTP_KEYWORD,            "lowercase_HTTP_keyword")        \
    WEIRD(MISSING_HTTP_URI,                  "missing_HTTP_uri")              \
    WEIRD(PARTIAL_ESCAPE_AT_END_OF_URI,      "partial_escape_at_end_of_URI")  \
    WEIRD(UNESCAPED_PCT_IN_URI,              "unescaped_%_in_URI")            \
    WEIRD(UNEXPECTED_MULTIPLE_HTTP_REQUESTS, "unexpected_multiple_HTTP_requests")\
    WEIRD(UNKNOWN_HTTP_METHOD,               "unknown_HTTP_method")           \
    /* LDAP */                                                                    \
    WEIRD(LDAP_BIND_WITHOUT_OPCODE,   "LDAP_bind_without_opcode")                 \
    WEIRD(LDAP_MAX_PENDING_MESSAGES,  "LDAP_max_pending_messages_exceeded")       \
    WEIRD(LDAP_MAX_PENDING_SEARCHES,  "LDAP_max_pending_searches_exceeded")       \
    WEIRD(LDAP_MESSAGE_OPCODE_CHANGE, "LDAP_message_opcode_change")               \
    WEIRD(LDAP_MESSAGE_RESULT_CHANGE, "LDAP_message_result_change")               \
    WEIRD(LDAP_MESSAGE_TOO_LARGE,     "LDAP_message_too_large")                   \
    /* RMI */                                                                     \
    WEIRD(RMI_BAD_ENDPOINT,           "rmi_bad_endpoint")                         \
    WEIRD(RMI_BAD_MAGIC,              "rmi_bad_magic")                            \
    WEIRD(RMI_BAD_PROTOCOL,           "rmi_bad_protocol")                         \
    WEIRD(RMI_BAD_STREAM_MAGIC,       "rmi_bad_stream_magic")                     \
    WEIRD(RMI_MAX_CLASSES,            "rmi_max_classes_exceeded")                 \
    WEIRD(RMI_MAX_NAMES,              "rmi_max_names_exceeded")                   \
    WEIRD(RMI_MAX_OPERATIONS,         "rmi_max_operations_exceeded")              \
    WEIRD(RMI_PROTOCOL_NOT_SUPPORTED, "rmi_protocol_not_supported")               \
    WEIRD(RMI_SERIALIZED_TOO_LARGE,   "rmi_serialized_object_too_large")          \
    WEIRD(RMI_UNKNOWN_MESSAGE,        "rmi_unknown_message")                      \
    /* SSH */                                                                     \
    WEIRD(SSH_MALFORMED_IDENTIFICATION, "malformed_ssh_identification")           \
    WEIRD(SSH_MALFORMED_PACKET,       "malformed_ssh_packet")                     \
    WEIRD(SSH_UNKNOWN_KEX_ALGORITHM,  "ssh_unknown_kex_algorithm")                \
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
