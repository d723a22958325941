/* ICMPv6 (RFC 4443) and neighbour discovery targets (RFC 4861). Error
 * messages quote the offending IPv6 packet, decoded as its own layer. */
#include "decode/decode.h"

enum { ICMPV6_HLEN = 8, ICMPV6_ECHO_REQUEST = 128, ICMPV6_ECHO_REPLY = 129 };

static void decode_icmpv6(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < ICMPV6_HLEN) {
        decode_truncated(v, PROTO_ICMPV6, ANOM_ICMPV6_TRUNCATED);
        return;
    }
    if (!decode_push(v, PROTO_ICMPV6, off, ICMPV6_HLEN, end))
        return;
    /* Types below 128 are errors. */
    uint16_t next = p[0] < 128 ? PROTO_IPV6 : PROTO_DATA;
    decode_next(v, next, off + ICMPV6_HLEN, end);
}

static bool get_target(const struct trawl_view *v, const struct trawl_field *f,
                       const struct decode_layer *l, unsigned k,
                       struct trawl_value *out) {
    /* Neighbour solicitation (135) and advertisement (136): the message
     * type this field belongs to is kept in the field's `at`. */
    if (k || v->data[l->off] != f->at || l->end - l->off < 24)
        return false;
    memcpy(out->addr, v->data + l->off + 8, 16);
    return true;
}

static bool get_echo(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    uint8_t type = v->data[l->off];
    return (type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY) &&
           decode_get_fixed(v, f, l, k, out);
}

static const struct trawl_field icmpv6_fields[] = {
    FIELD_U("icmpv6.type", "Type", PROTO_ICMPV6, 0, 1, 0, 0),
    FIELD_U("icmpv6.code", "Code", PROTO_ICMPV6, 1, 1, 0, 0),
    FIELD_H("icmpv6.checksum", "Checksum", PROTO_ICMPV6, 2, 2, 0, 0, 4),
    {.name = "icmpv6.checksum.status",
     .bits = 8,
     .label = "Checksum Status",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_ICMPV6,
     .get = decode_get_msg_csum_status,
     .at = 2,
     .size = 2,
     .value_name = decode_csum_status_name},
    {.name = "icmpv6.echo.identifier",
     .label = "Identifier",
     .type = TRAWL_FT_UINT,
     .display = DISP_HEX,
     .width = 4,
     .proto = PROTO_ICMPV6,
     .get = get_echo,
     .at = 4,
     .size = 2},
    {.name = "icmpv6.echo.sequence_number",
     .label = "Sequence",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_ICMPV6,
     .get = get_echo,
     .at = 6,
     .size = 2},
    {.name = "icmpv6.nd.ns.target_address",
     .label = "Target Address",
     .type = TRAWL_FT_IPV6,
     .proto = PROTO_ICMPV6,
     .get = get_target,
     .at = 135},
    {.name = "icmpv6.nd.na.target_address",
     .label = "Target Address",
     .type = TRAWL_FT_IPV6,
     .proto = PROTO_ICMPV6,
     .get = get_target,
     .at = 136},
};

const struct decode_proto decode_proto_icmpv6 = {
    .id = PROTO_ICMPV6,
    .name = "icmpv6",
    .title = "Internet Control Message Protocol v6",
    .decode = decode_icmpv6,
    .fields = icmpv6_fields,
    .nfields = TRAWL_ARRAY_LEN(icmpv6_fields),
};
