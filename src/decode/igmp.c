/* STUB: Internet Group Management Protocol — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_igmp = {
    .id = PROTO_IGMP,
    .name = "igmp",
    .title = "Internet Group Management Protocol",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
