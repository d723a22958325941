/* STUB: Internet Control Message Protocol v6 — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_icmpv6 = {
    .id = PROTO_ICMPV6,
    .name = "icmpv6",
    .title = "Internet Control Message Protocol v6",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
