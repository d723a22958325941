/* STUB: Stream Control Transmission Protocol — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_sctp = {
    .id = PROTO_SCTP,
    .name = "sctp",
    .title = "Stream Control Transmission Protocol",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
