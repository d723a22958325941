/* STUB: Address Resolution Protocol — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_arp = {
    .id = PROTO_ARP,
    .name = "arp",
    .title = "Address Resolution Protocol",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
