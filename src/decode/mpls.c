/* STUB: MultiProtocol Label Switching Header — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_mpls = {
    .id = PROTO_MPLS,
    .name = "mpls",
    .title = "MultiProtocol Label Switching Header",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
