/* proto/proto.h - protocol ids and the analyzer table, expanded from proto/proto_list.h. */
#ifndef PW_PROTO_PROTO_H
#define PW_PROTO_PROTO_H

#include "proto/analyzer.h"
#include "proto/proto_list.h"

enum proto_id {
    PROTO_UNKNOWN = 0,
#define PROTO_ENUM(id, file) PROTO_##id,
    PROTO_LIST(PROTO_ENUM)
#undef PROTO_ENUM
    PROTO_COUNT
};

/* analyzers[PROTO_X] is that protocol's descriptor; analyzers[PROTO_UNKNOWN] is NULL. */
extern const struct analyzer *const analyzers[PROTO_COUNT];

#endif
