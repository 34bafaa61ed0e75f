/* identify/identify.c - runs the analyzer table's probes, ports ordering them, bytes deciding. */
#include "identify/identify.h"

#include <math.h>

static bool port_hinted(const struct analyzer *an, uint16_t a, uint16_t b)
{
    if (an->port_hints == NULL)
        return false;
    for (const uint16_t *p = an->port_hints; *p != 0; p++)
        if (*p == a || *p == b)
            return true;
    return false;
}

/* Probes one analyzer; returns true when it claimed the flow. */
static bool probe_one(struct identify_state *st, enum proto_id id, enum flow_dir dir, const uint8_t *data,
                      size_t len, unsigned transport, bool side_final, bool roles_uncertain, bool *undecided,
                      bool *reversed)
{
    const struct analyzer *an = analyzers[id];
    enum probe_result r;

    if (an == NULL || (st->eliminated & (1u << id)) || !(an->transports & transport))
        return false;
    r = an->probe(data, len, dir, transport);
    if (r == PROBE_YES)
        return true;
    if (roles_uncertain && an->probe(data, len, dir == FLOW_DIR_ORIG ? FLOW_DIR_RESP : FLOW_DIR_ORIG,
                                     transport) == PROBE_YES) {
        *reversed = true;
        return true;
    }
    if (r == PROBE_NEED_MORE && !side_final && len < an->probe_limit && len < IDENTIFY_MAX_BYTES) {
        *undecided = true;
        return false;
    }
    st->eliminated |= 1u << id;
    return false;
}

enum identify_verdict identify_run(struct identify_state *st, enum flow_dir dir, const uint8_t *data, size_t len,
                                   unsigned transport, uint16_t orig_p, uint16_t resp_p, bool side_final,
                                   bool roles_uncertain, enum proto_id *found, bool *reversed)
{
    bool undecided = false;
    uint32_t all = 0;

    *reversed = false;
    if (len == 0)
        return IDENTIFY_UNDECIDED;
    /* Two passes: the protocols the ports suggest, then every other one, in table order. */
    for (int pass = 0; pass < 2; pass++) {
        for (int id = PROTO_UNKNOWN + 1; id < PROTO_COUNT; id++) {
            const struct analyzer *an = analyzers[id];

            if (an == NULL || port_hinted(an, orig_p, resp_p) != (pass == 0))
                continue;
            if (probe_one(st, (enum proto_id)id, dir, data, len, transport, side_final, roles_uncertain,
                          &undecided, reversed)) {
                *found = (enum proto_id)id;
                return IDENTIFY_FOUND;
            }
        }
    }
    if (!undecided)
        st->sides_done |= (uint8_t)(1u << dir);
    for (int id = PROTO_UNKNOWN + 1; id < PROTO_COUNT; id++)
        if (analyzers[id] != NULL && (analyzers[id]->transports & transport))
            all |= 1u << id;
    if ((st->eliminated & all) == all)
        return IDENTIFY_UNKNOWN;
    return IDENTIFY_UNDECIDED;
}

enum identify_entropy identify_entropy_class(const uint8_t *data, size_t len)
{
    unsigned counts[256] = {0};
    size_t printable = 0;
    double h = 0;

    if (len == 0)
        return IDENTIFY_ENTROPY_NONE;
    for (size_t i = 0; i < len; i++) {
        counts[data[i]]++;
        if ((data[i] >= 0x20 && data[i] < 0x7f) || data[i] == '\r' || data[i] == '\n' || data[i] == '\t')
            printable++;
    }
    if (printable * 10 >= len * 9)
        return IDENTIFY_ENTROPY_TEXT;
    for (int i = 0; i < 256; i++) {
        if (counts[i] != 0) {
            double p = (double)counts[i] / (double)len;

            h -= p * log2(p);
        }
    }
    /* Short samples cannot reach 8 bits per byte; compare with what they could reach. */
    return h >= 0.85 * log2((double)(len < 256 ? len : 256)) ? IDENTIFY_ENTROPY_HIGH : IDENTIFY_ENTROPY_LOW;
}
