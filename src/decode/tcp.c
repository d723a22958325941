/* STUB: Transmission Control Protocol — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_tcp = {
    .id = PROTO_TCP,
    .name = "tcp",
    .title = "Transmission Control Protocol",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
