/* STUB: User Datagram Protocol — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_udp = {
    .id = PROTO_UDP,
    .name = "udp",
    .title = "User Datagram Protocol",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};

uint16_t decode_by_udpport(uint16_t sport, uint16_t dport) {
    (void)sport;
    (void)dport;
    return PROTO_DATA;
}
