/* policy/policy_app.c - the one table of application names a policy may use, and their ids. */
#include "policy/policy.h"

#include <string.h>
#include <strings.h>

/* conn.log service names, as Zeek spells them and protowall's analyzers report them (an
 * analyzer descriptor's .name); "unknown" is what a flow becomes when no analyzer claims it.
 * Names for protocols protowall does not identify yet are here so that a policy written today
 * keeps its meaning when they arrive. The id of services[i] is i + 1. Append only: ids are
 * not stored anywhere, but keeping the order keeps test expectations stable. */
static const char *const services[] = {
    "unknown", "http", "ssl", "ssh", "dns", "ldap_tcp", "ldap_udp", "rmi", "iiop", "smtp",
    "ftp", "ftp-data", "imap", "pop3", "irc", "krb", "krb_tcp", "dce_rpc", "smb", "ntlm",
    "gssapi", "rdp", "rfb", "sip", "snmp", "socks", "mysql", "postgresql", "redis", "dhcp",
    "ntp", "radius", "syslog", "modbus", "dnp3", "mqtt", "quic", "xmpp", "websocket", "dtls",
};

#define N_SERVICES (sizeof(services) / sizeof(services[0]))

_Static_assert(N_SERVICES < POLICY_APP_MAX, "application ids must fit a 64-bit set");

/* Policy words that stand for other names: "tls" is what people call Zeek's "ssl", and
 * "ldap" covers LDAP over both transports, as the example writes it. */
static const struct {
    const char *word;
    const char *members[2];
} aliases[] = {
    {"tls", {"ssl", NULL}},
    {"ldap", {"ldap_tcp", "ldap_udp"}},
};

static bool same(const char *name, const char *s, size_t len)
{
    return strlen(name) == len && strncasecmp(name, s, len) == 0;
}

uint8_t policy_app_lookup(const char *name, size_t len)
{
    for (size_t i = 0; i < N_SERVICES; i++)
        if (same(services[i], name, len))
            return (uint8_t)(i + 1);
    return POLICY_APP_PENDING;
}

uint64_t policy_app_set(const char *name, size_t len)
{
    uint8_t id = policy_app_lookup(name, len);

    if (id != POLICY_APP_PENDING)
        return UINT64_C(1) << id;
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (!same(aliases[i].word, name, len))
            continue;
        uint64_t set = 0;
        for (size_t m = 0; m < 2 && aliases[i].members[m] != NULL; m++) {
            const char *mn = aliases[i].members[m];
            set |= UINT64_C(1) << policy_app_lookup(mn, strlen(mn));
        }
        return set;
    }
    return 0;
}

const char *policy_app_name(uint8_t id)
{
    if (id == POLICY_APP_PENDING || id > N_SERVICES)
        return "-";
    return services[id - 1];
}
