/* STUB: Internet Protocol Version 6 — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_ipv6 = {
    .id = PROTO_IPV6,
    .name = "ipv6",
    .title = "Internet Protocol Version 6",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
