/* proto/proto_list.h - THE list of protocol analyzers, in probe-priority order.
 *
 * One row per protocol: PROTO(ID, file). Adding a protocol is adding its file
 * src/proto/<file>.c, which ends with `const struct analyzer <file>_analyzer = {...};`, and one
 * row here. proto/proto.h expands the list into enum proto_id, and proto/analyzers.c into the
 * table, so the enum, the declarations and the table cannot drift apart. */
#define PROTO_LIST(PROTO) \
    PROTO(HTTP, http) \
    PROTO(TLS, tls) \
    PROTO(SSH, ssh) \
    PROTO(DNS, dns) \
    PROTO(LDAP, ldap) \
    PROTO(LDAP_UDP, ldap_udp) \
    PROTO(RMI, rmi)
