/* VXLAN (RFC 7348): an 8-byte header, then an Ethernet frame. */
#include "decode/decode.h"

enum { VXLAN_HLEN = 8 };

static void decode_vxlan(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < VXLAN_HLEN) {
        decode_truncated(v, PROTO_VXLAN, ANOM_VXLAN_TRUNCATED);
        return;
    }
    if (!decode_push(v, PROTO_VXLAN, off, VXLAN_HLEN, end))
        return;
    decode_next(v, PROTO_ETH, off + VXLAN_HLEN, end);
}

static const struct trawl_field vxlan_fields[] = {
    FIELD_H("vxlan.flags", "Flags", PROTO_VXLAN, 0, 2, 0, 0, 4),
    FIELD_B("vxlan.flag_i", "VXLAN Network ID (VNI)", PROTO_VXLAN, 0, 2, 0x0800,
            11),
    FIELD_U("vxlan.vni", "VXLAN Network Identifier (VNI)", PROTO_VXLAN, 4, 3, 0,
            0),
};

const struct decode_proto decode_proto_vxlan = {
    .id = PROTO_VXLAN,
    .name = "vxlan",
    .title = "Virtual eXtensible Local Area Network",
    .decode = decode_vxlan,
    .fields = vxlan_fields,
    .nfields = TRAWL_ARRAY_LEN(vxlan_fields),
};
