/* proto/analyzers.c - the analyzer table, expanded from proto/proto_list.h. */
#include "proto/proto.h"

#define PROTO_DECL(id, file) extern const struct analyzer file##_analyzer;
PROTO_LIST(PROTO_DECL)
#undef PROTO_DECL

const struct analyzer *const analyzers[PROTO_COUNT] = {
    [PROTO_UNKNOWN] = 0,
#define PROTO_ROW(id, file) [PROTO_##id] = &file##_analyzer,
    PROTO_LIST(PROTO_ROW)
#undef PROTO_ROW
};
