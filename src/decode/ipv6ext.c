/* STUB: IPv6 Extension Header — to be written. */
#include "decode/decode.h"

const struct decode_proto decode_proto_ipv6ext = {
    .id = PROTO_IPV6_EXT,
    .name = "ipv6ext",
    .title = "IPv6 Extension Header",
    .decode = NULL,
    .fields = NULL,
    .nfields = 0,
};
