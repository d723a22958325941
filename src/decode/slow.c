/* Slow Protocols (IEEE 802.3 Annex 57A, ethertype 0x8809): one subtype
 * byte (1 LACP, 2 Marker, 3 OAM, 10 OSSP) before the PDU of that
 * protocol, which trawl does not decode: it is data, as tshark shows it
 * with those dissectors off. */
#include "decode/decode.h"

static void decode_slow(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (off >= end || !decode_push(v, PROTO_SLOW, off, 1, end))
        return;
    decode_next(v, PROTO_DATA, off + 1, end);
}

static const char *subtype_name(uint64_t t) {
    switch (t) {
    case 1: return "LACP";
    case 2: return "Marker Protocol";
    case 3: return "OAMPDU";
    case 10: return "Organization Specific Slow Protocol (OSSP)";
    default: return NULL;
    }
}

/* clang-format off */
static const struct trawl_field slow_fields[] = {
    {.name = "slow.subtype", .label = "Slow Protocols subtype",
     .type = TRAWL_FT_UINT, .display = DISP_HEX, .width = 2,
     .proto = PROTO_SLOW, .at = 0, .size = 1, .value_name = subtype_name},
};
/* clang-format on */

const struct decode_proto decode_proto_slow = {
    .id = PROTO_SLOW,
    .name = "slow",
    .title = "Slow Protocols",
    .decode = decode_slow,
    .fields = slow_fields,
    .nfields = TRAWL_ARRAY_LEN(slow_fields),
};
