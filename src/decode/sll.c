/* STUB: Linux cooked capture v1 — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_sll = {
    .id = PROTO_SLL,
    .name = "sll",
    .title = "Linux cooked capture v1",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
