/* STUB: Internet Control Message Protocol — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_icmp = {
    .id = PROTO_ICMP,
    .name = "icmp",
    .title = "Internet Control Message Protocol",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
