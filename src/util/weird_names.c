/* util/weird_names.c - the weird name table, expanded from util/weird_list.h. */
#include "util/weird_list.h"

#include <stddef.h>

static const char *const weird_names[WEIRD_COUNT] = {
#define WEIRD_NAME(id, name) [WEIRD_##id] = (name),
    WEIRD_LIST(WEIRD_NAME)
#undef WEIRD_NAME
};

const char *weird_name(enum weird_id id)
{
    if ((unsigned)id >= WEIRD_COUNT)
        return "unknown_weird";
    return weird_names[id];
}
