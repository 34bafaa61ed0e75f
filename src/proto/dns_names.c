/* proto/dns_names.c - Zeek's DNS name tables (base/protocols/dns/consts.zeek): query types,
 * classes, response codes and opcodes, with Zeek's spelling of values it does not know. */
#include <stdio.h>

#include "proto/dns_int.h"

struct dns_name {
    unsigned    v;
    const char *name;
};

/* Sorted by value, for the binary search. */
static const struct dns_name qtypes[] = {
    { 1, "A" },
    { 2, "NS" },
    { 3, "MD" },
    { 4, "MF" },
    { 5, "CNAME" },
    { 6, "SOA" },
    { 7, "MB" },
    { 8, "MG" },
    { 9, "MR" },
    { 10, "NULL" },
    { 11, "WKS" },
    { 12, "PTR" },
    { 13, "HINFO" },
    { 14, "MINFO" },
    { 15, "MX" },
    { 16, "TXT" },
    { 17, "RP" },
    { 18, "AFSDB" },
    { 19, "X25" },
    { 20, "ISDN" },
    { 21, "RT" },
    { 22, "NSAP" },
    { 23, "NSAP-PTR" },
    { 24, "SIG" },
    { 25, "KEY" },
    { 26, "PX" },
    { 27, "GPOS" },
    { 28, "AAAA" },
    { 29, "LOC" },
    { 30, "NXT" },
    { 31, "EID" },
    { 32, "NIMLOC" },
    { 33, "SRV" },
    { 34, "ATMA" },
    { 35, "NAPTR" },
    { 36, "KX" },
    { 37, "CERT" },
    { 38, "A6" },
    { 39, "DNAME" },
    { 40, "SINK" },
    { 41, "OPT" },
    { 42, "APL" },
    { 43, "DS" },
    { 44, "SSHFP" },
    { 45, "IPSECKEY" },
    { 46, "RRSIG" },
    { 47, "NSEC" },
    { 48, "DNSKEY" },
    { 49, "DHCID" },
    { 50, "NSEC3" },
    { 51, "NSEC3PARAM" },
    { 52, "TLSA" },
    { 53, "SMIMEA" },
    { 55, "HIP" },
    { 56, "NINFO" },
    { 57, "RKEY" },
    { 58, "TALINK" },
    { 59, "CDS" },
    { 60, "CDNSKEY" },
    { 61, "OPENPGPKEY" },
    { 62, "CSYNC" },
    { 63, "ZONEMD" },
    { 64, "SVCB" },
    { 65, "HTTPS" },
    { 99, "SPF" },
    { 100, "UINFO" },
    { 101, "UID" },
    { 102, "GID" },
    { 103, "UNSPEC" },
    { 104, "NID" },
    { 105, "L32" },
    { 106, "L64" },
    { 107, "LP" },
    { 108, "EUI48" },
    { 109, "EUI64" },
    { 249, "TKEY" },
    { 250, "TSIG" },
    { 251, "IXFR" },
    { 252, "AXFR" },
    { 253, "MAILB" },
    { 254, "MAILA" },
    { 255, "*" },
    { 256, "URI" },
    { 257, "CAA" },
    { 32768, "TA" },
    { 32769, "DLV" },
    { 65281, "WINS" },
    { 65282, "WINS-R" },
    { 65422, "XPF" },
    { 65521, "INTEGRITY" },
};

static const char *const rcodes[] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSet", "NOTAUTH", "NOTZONE", "unassigned-11", "unassigned-12", "unassigned-13",
    "unassigned-14", "unassigned-15", "BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME",
    "BADALG", "BADTRUNC", "BADCOOKIE",
};

static const char *const opcodes[] = {
    "query", "iquery", "server-status", NULL, "notify", "dynamic-update", "dso",
};

static const char *const netbios_opcodes[] = {
    "netbios-query", NULL, NULL, NULL, NULL, "netbios-registration", "netbios-release",
    "netbios-wack", "netbios-refresh",
};

const char *dns_qtype_name(unsigned t, char *buf, size_t size)
{
    size_t lo = 0, hi = sizeof(qtypes) / sizeof(qtypes[0]);

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (qtypes[mid].v == t)
            return qtypes[mid].name;
        if (qtypes[mid].v < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    snprintf(buf, size, "query-%u", t);
    return buf;
}

const char *dns_qclass_name(unsigned c, char *buf, size_t size)
{
    switch (c) {
    case 1:   return "C_INTERNET";
    case 2:   return "C_CSNET";
    case 3:   return "C_CHAOS";
    case 4:   return "C_HESIOD";
    case 254: return "C_NONE";
    case 255: return "C_ANY";
    default:
        snprintf(buf, size, "qclass-%u", c);
        return buf;
    }
}

const char *dns_rcode_name(unsigned r, char *buf, size_t size)
{
    if (r < sizeof(rcodes) / sizeof(rcodes[0]))
        return rcodes[r];
    if (r == 3842)
        return "BADSIG";
    snprintf(buf, size, "rcode-%u", r);
    return buf;
}

const char *dns_opcode_name(unsigned op, bool netbios, char *buf, size_t size)
{
    if (netbios) {
        if (op < sizeof(netbios_opcodes) / sizeof(netbios_opcodes[0]) && netbios_opcodes[op] != NULL)
            return netbios_opcodes[op];
        snprintf(buf, size, "netbios-opcode-%u", op);
        return buf;
    }
    if (op < sizeof(opcodes) / sizeof(opcodes[0]) && opcodes[op] != NULL)
        return opcodes[op];
    snprintf(buf, size, "opcode-%u", op);
    return buf;
}
