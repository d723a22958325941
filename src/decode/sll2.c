/* STUB: Linux cooked capture v2 — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_sll2 = {
    .id = PROTO_SLL2,
    .name = "sll2",
    .title = "Linux cooked capture v2",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
