/* ARP and RARP (RFC 826). Addresses are fields only for the common
 * Ethernet/IPv4 sizes (6 and 4 bytes). */
#include "decode/decode.h"

static void decode_arp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 8) {
        decode_anomaly(v, ANOM_ARP_TRUNCATED);
        return;
    }
    uint32_t hlen = 8 + 2u * p[4] + 2u * p[5];
    if (hlen > end - off) {
        decode_anomaly(v, ANOM_ARP_TRUNCATED);
        hlen = end - off;
    }
    decode_push(v, PROTO_ARP, off, hlen, end);
}

static bool get_addr(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    const uint8_t *p = v->data + l->off;
    if (p[4] != 6 || p[5] != 4)
        return false;
    return decode_get_fixed(v, f, l, k, out);
}

static const char *opcode_name(uint64_t op) {
    switch (op) {
    case 1: return "request";
    case 2: return "reply";
    case 3: return "reverse request";
    case 4: return "reverse reply";
    default: return NULL;
    }
}

#define ARP_ADDR(nm, lbl, ty, off, sz)                                      \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_ARP,              \
     .get = get_addr, .at = off, .size = sz}

static const struct trawl_field arp_fields[] = {
    FIELD_U("arp.hw.type", "Hardware type", PROTO_ARP, 0, 2, 0, 0),
    FIELD_H("arp.proto.type", "Protocol type", PROTO_ARP, 2, 2, 0, 0, 4),
    FIELD_U("arp.hw.size", "Hardware size", PROTO_ARP, 4, 1, 0, 0),
    FIELD_U("arp.proto.size", "Protocol size", PROTO_ARP, 5, 1, 0, 0),
    {.name = "arp.opcode", .label = "Opcode", .type = TRAWL_FT_UINT,
     .proto = PROTO_ARP, .at = 6, .size = 2, .value_name = opcode_name},
    ARP_ADDR("arp.src.hw_mac", "Sender MAC address", TRAWL_FT_MAC, 8, 6),
    ARP_ADDR("arp.src.proto_ipv4", "Sender IP address", TRAWL_FT_IPV4, 14, 4),
    ARP_ADDR("arp.dst.hw_mac", "Target MAC address", TRAWL_FT_MAC, 18, 6),
    ARP_ADDR("arp.dst.proto_ipv4", "Target IP address", TRAWL_FT_IPV4, 24, 4),
};

const struct decode_proto decode_proto_arp = {
    .id = PROTO_ARP,
    .name = "arp",
    .title = "Address Resolution Protocol",
    .decode = decode_arp,
    .fields = arp_fields,
    .nfields = TRAWL_ARRAY_LEN(arp_fields),
};
