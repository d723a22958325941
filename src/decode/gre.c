/* STUB: Generic Routing Encapsulation — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_gre = {
    .id = PROTO_GRE,
    .name = "gre",
    .title = "Generic Routing Encapsulation",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
