/* util/site.h - which addresses are local (Zeek's Site::local_nets, private space by default). */
#ifndef PW_UTIL_SITE_H
#define PW_UTIL_SITE_H

#include <stdbool.h>

#include "util/addr.h"

/* True when a is in the private, special-purpose address space Zeek treats as local by default
 * (Site::private_address_space with private_address_space_is_local=T). */
bool site_is_local(const struct addr *a);

#endif
