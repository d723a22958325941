/* STUB: Virtual eXtensible Local Area Network — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_vxlan = {
    .id = PROTO_VXLAN,
    .name = "vxlan",
    .title = "Virtual eXtensible Local Area Network",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
