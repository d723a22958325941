/* STUB: 802.1Q Virtual LAN — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_vlan = {
    .id = PROTO_VLAN,
    .name = "vlan",
    .title = "802.1Q Virtual LAN",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
