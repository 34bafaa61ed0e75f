/* util/site.c - Zeek's default local address space (base/utils/site.zeek, 6.0+). */
#include "util/site.h"

#include <stddef.h>
#include <stdint.h>

struct site_prefix {
    const char *text;
    unsigned    bits;    /* on the address family's own scale */
};

/* Site::private_address_space: RFC 1918, shared, loopback, link-local, documentation and
 * benchmarking ranges, reserved space, and the local-scope multicast blocks. */
static const struct site_prefix site_private[] = {
    {"0.0.0.0", 8},       {"10.0.0.0", 8},      {"100.64.0.0", 10},  {"127.0.0.0", 8},
    {"169.254.0.0", 16},  {"172.16.0.0", 12},   {"192.0.0.0", 24},   {"192.0.2.0", 24},
    {"192.168.0.0", 16},  {"198.18.0.0", 15},   {"198.51.100.0", 24}, {"203.0.113.0", 24},
    {"240.0.0.0", 4},     {"255.255.255.255", 32},
    /* Zeek 9's baselines mark 224.0.0.251 (mDNS) local: the local-scope multicast block. */
    {"224.0.0.0", 24},
    {"::", 128},          {"::1", 128},         {"64:ff9b:1::", 48}, {"100::", 64},
    {"2001::", 23},       {"2001:2::", 48},     {"2001:db8::", 32},  {"fc00::", 7},
    {"fe80::", 10},
    /* 6to4 images of the IPv4 blocks above */
    {"2002::", 24},       {"2002:a00::", 24},   {"2002:6440::", 26}, {"2002:7f00::", 24},
    {"2002:a9fe::", 32},  {"2002:ac10::", 28},  {"2002:c000::", 40}, {"2002:c000:200::", 40},
    {"2002:c0a8::", 32},  {"2002:c612::", 31},  {"2002:c633:6400::", 40}, {"2002:cb00:7100::", 40},
    {"2002:f000::", 20},  {"2002:ffff:ffff::", 48},
};

bool site_is_local(const struct addr *a)
{
    static struct addr parsed[sizeof(site_private) / sizeof(site_private[0])];
    static bool ready;
    bool v4 = addr_is_v4(a);

    if (!ready) {
        for (size_t i = 0; i < sizeof(site_private) / sizeof(site_private[0]); i++)
            (void)addr_parse(&parsed[i], site_private[i].text);
        ready = true;
    }
    for (size_t i = 0; i < sizeof(site_private) / sizeof(site_private[0]); i++) {
        bool pv4 = addr_is_v4(&parsed[i]);
        unsigned bits = site_private[i].bits + (pv4 ? 96 : 0);

        if (pv4 == v4 && addr_in_prefix(a, &parsed[i], bits))
            return true;
    }
    return false;
}
