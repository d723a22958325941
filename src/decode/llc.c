/* STUB: Logical-Link Control — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_llc = {
    .id = PROTO_LLC,
    .name = "llc",
    .title = "Logical-Link Control",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
