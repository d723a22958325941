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
    /* ATM ARP (hardware type 19) has a layout of its own. */
    if (core_be16(p) == 19)
        return;
    uint32_t hlen = 8 + 2u * p[4] + 2u * p[5];
    if (hlen > end - off) {
        decode_anomaly(v, ANOM_ARP_TRUNCATED);
        hlen = end - off;
    }
    decode_push(v, PROTO_ARP, off, hlen, end);
}

/* Sender and target addresses follow the fixed header in the order
 * sender hardware, sender protocol, target hardware, target protocol, each
 * as long as the header says. As tshark does, a hardware address is a MAC
 * only for Ethernet/IEEE 802 hardware with 6-byte addresses, and a
 * protocol address IPv4 only for type 0x0800 with 4-byte addresses.
 * `f->at` numbers the address 0..3. */
static bool get_addr(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    const uint8_t *p = v->data + l->off;
    uint16_t hrd = core_be16(p), pro = core_be16(p + 2);
    uint32_t hs = p[4], ps = p[5];
    bool hw = f->at == 0 || f->at == 2;
    /* A truncated body shows no addresses at all, as in tshark. */
    if (8 + 2 * (hs + ps) > l->end - l->off)
        return false;
    if (k || (hw && !((hrd == 1 || hrd == 6) && hs == 6)) ||
        (!hw && !(pro == 0x0800 && ps == 4)))
        return false;
    uint32_t at = 8 + (f->at >= 1 ? hs : 0) + (f->at >= 2 ? ps : 0) +
                  (f->at >= 3 ? hs : 0);
    if (at + (hw ? 6u : 4u) > l->len)
        return false;
    memcpy(out->addr, p + at, hw ? 6 : 4);
    return true;
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

#define ARP_ADDR(nm, lbl, ty, which)                                        \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_ARP,              \
     .get = get_addr, .at = which}

static const struct trawl_field arp_fields[] = {
    FIELD_U("arp.hw.type", "Hardware type", PROTO_ARP, 0, 2, 0, 0),
    FIELD_H("arp.proto.type", "Protocol type", PROTO_ARP, 2, 2, 0, 0, 4),
    FIELD_U("arp.hw.size", "Hardware size", PROTO_ARP, 4, 1, 0, 0),
    FIELD_U("arp.proto.size", "Protocol size", PROTO_ARP, 5, 1, 0, 0),
    {.name = "arp.opcode", .label = "Opcode", .type = TRAWL_FT_UINT,
     .proto = PROTO_ARP, .at = 6, .size = 2, .value_name = opcode_name},
    ARP_ADDR("arp.src.hw_mac", "Sender MAC address", TRAWL_FT_MAC, 0),
    ARP_ADDR("arp.src.proto_ipv4", "Sender IP address", TRAWL_FT_IPV4, 1),
    ARP_ADDR("arp.dst.hw_mac", "Target MAC address", TRAWL_FT_MAC, 2),
    ARP_ADDR("arp.dst.proto_ipv4", "Target IP address", TRAWL_FT_IPV4, 3),
};

const struct decode_proto decode_proto_arp = {
    .id = PROTO_ARP,
    .name = "arp",
    .title = "Address Resolution Protocol",
    .decode = decode_arp,
    .fields = arp_fields,
    .nfields = TRAWL_ARRAY_LEN(arp_fields),
};
