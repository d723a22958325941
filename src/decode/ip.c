/* STUB: Internet Protocol Version 4 — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_ip = {
    .id = PROTO_IP,
    .name = "ip",
    .title = "Internet Protocol Version 4",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};

uint16_t decode_by_ipproto(uint8_t proto) {
    (void)proto;
    return PROTO_DATA;
}
