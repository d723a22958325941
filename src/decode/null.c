/* STUB: Null/Loopback — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_null = {
    .id = PROTO_NULLLINK,
    .name = "null",
    .title = "Null/Loopback",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
