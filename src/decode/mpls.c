/* MPLS label stacks (RFC 3032): each label entry is a layer. After the
 * bottom of the stack the payload is guessed from its first nibble, as
 * tshark does by default: 4 is IPv4, 6 is IPv6, anything else is data. */
#include "decode/decode.h"

static void decode_mpls(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 4) {
        decode_anomaly(v, ANOM_MPLS_TRUNCATED);
        return;
    }
    if (!decode_push(v, PROTO_MPLS, off, 4, end))
        return;
    uint16_t next = PROTO_MPLS;
    if (p[2] & 1) {
        next = PROTO_DATA;
        if (end - off > 4) {
            unsigned nib = p[4] >> 4;
            next = nib == 4 ? PROTO_IP : nib == 6 ? PROTO_IPV6 : PROTO_DATA;
        }
    }
    decode_next(v, next, off + 4, end);
}

static const struct trawl_field mpls_fields[] = {
    FIELD_U("mpls.label", "MPLS Label", PROTO_MPLS, 0, 4, 0xfffff000, 12),
    FIELD_U("mpls.exp", "MPLS Experimental Bits", PROTO_MPLS, 0, 4, 0x0e00,
            9),
    FIELD_U("mpls.bottom", "MPLS Bottom Of Label Stack", PROTO_MPLS, 0, 4,
            0x0100, 8),
    FIELD_U("mpls.ttl", "MPLS TTL", PROTO_MPLS, 0, 4, 0xff, 0),
};

const struct decode_proto decode_proto_mpls = {
    .id = PROTO_MPLS,
    .name = "mpls",
    .title = "MultiProtocol Label Switching Header",
    .decode = decode_mpls,
    .fields = mpls_fields,
    .nfields = TRAWL_ARRAY_LEN(mpls_fields),
};
