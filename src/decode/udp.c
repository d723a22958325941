/* UDP (RFC 768), and the dispatch on UDP ports for the protocols trawl
 * decodes above it. */
#include "decode/decode.h"

uint16_t decode_by_udpport(uint16_t sport, uint16_t dport) {
    if (dport == 4789 || sport == 4789)
        return PROTO_VXLAN;
    return PROTO_DATA;
}

static void decode_udp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 8) {
        decode_truncated(v, PROTO_UDP, ANOM_UDP_TRUNCATED);
        return;
    }
    uint32_t ulen = core_be16(p + 4);
    uint32_t dend = end;
    if (ulen < 8)
        decode_anomaly(v, ANOM_UDP_BAD_LENGTH);
    else if (off + ulen < end)
        dend = off + ulen;
    if (!decode_push(v, PROTO_UDP, off, 8, dend))
        return;
    decode_next(v, decode_by_udpport(core_be16(p), core_be16(p + 2)),
                off + 8, dend);
}

static const char *const alias_sport[] = {"UDP.src_port", NULL};
static const char *const alias_dport[] = {"UDP.dst_port", NULL};

static const struct trawl_field udp_fields[] = {
    {.name = "udp.srcport", .label = "Source Port", .type = TRAWL_FT_UINT,
     .proto = PROTO_UDP, .at = 0, .size = 2, .aliases = alias_sport},
    {.name = "udp.dstport", .label = "Destination Port",
     .type = TRAWL_FT_UINT, .proto = PROTO_UDP, .at = 2, .size = 2,
     .aliases = alias_dport},
    {.name = "udp.port", .label = "Source or Destination Port",
     .type = TRAWL_FT_UINT, .proto = PROTO_UDP, .get = decode_get_port_pair},
    FIELD_U("udp.length", "Length", PROTO_UDP, 4, 2, 0, 0),
    FIELD_H("udp.checksum", "Checksum", PROTO_UDP, 6, 2, 0, 0, 4),
};

const struct decode_proto decode_proto_udp = {
    .id = PROTO_UDP,
    .name = "udp",
    .title = "User Datagram Protocol",
    .decode = decode_udp,
    .fields = udp_fields,
    .nfields = TRAWL_ARRAY_LEN(udp_fields),
};
