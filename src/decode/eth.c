/* Ethernet II and IEEE 802.3 frames (the LLC that follows an 802.3 length
 * is decoded by llc.c), and the ethertype dispatch used by every layer that
 * carries an ethertype (VLAN tags, SLL, GRE). */
#include "decode/decode.h"

enum { ETH_HLEN = 14 };

uint16_t decode_by_ethertype(uint16_t ethertype) {
    switch (ethertype) {
    case 0x0800:
        return PROTO_IP;
    case 0x86dd:
        return PROTO_IPV6;
    case 0x0806:
    case 0x8035: /* RARP has ARP's layout */
        return PROTO_ARP;
    case 0x8100:
    case 0x88a8:
    case 0x9100:
        return PROTO_VLAN;
    case 0x8847:
    case 0x8848:
        return PROTO_MPLS;
    case 0x6558: /* transparent Ethernet bridging (GRE, NVGRE) */
        return PROTO_ETH;
    default:
        return PROTO_DATA;
    }
}

static void decode_eth(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < ETH_HLEN) {
        /* tshark shows no field of a cut Ethernet header: the bytes are
         * data. */
        decode_anomaly(v, ANOM_ETH_TRUNCATED);
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_ETH, off, ETH_HLEN, end);
    if (!l)
        return;
    uint16_t type = core_be16(v->data + off + 12);
    l->aux = type;
    if (type <= 1500) {
        /* 802.3: the field is a length; LLC follows, and bytes past the
         * length (padding) belong to no layer. */
        uint32_t data_end = off + ETH_HLEN + type;
        decode_next(v, PROTO_LLC, off + ETH_HLEN, data_end < end ? data_end : end);
        return;
    }
    v->next_aux = type; /* a VLAN tag needs to know its TPID */
    decode_next(v, decode_by_ethertype(type), off + ETH_HLEN, end);
}

static const char *ethertype_name(uint64_t t) {
    switch (t) {
    case 0x0800: return "IPv4";
    case 0x86dd: return "IPv6";
    case 0x0806: return "ARP";
    case 0x8035: return "RARP";
    case 0x8100: return "802.1Q Virtual LAN";
    case 0x88a8: return "802.1ad Provider Bridge (Q-in-Q)";
    case 0x8847: return "MPLS label switched packet";
    case 0x8848: return "MPLS multicast label switched packet";
    case 0x88cc: return "802.1 Link Layer Discovery Protocol (LLDP)";
    case 0x8809: return "Slow Protocols";
    case 0x88f7: return "PTPv2 over Ethernet (IEEE1588)";
    case 0x8892: return "PROFINET";
    default: return NULL;
    }
}

/* eth.type exists only for Ethernet II; eth.len only for 802.3. */
static bool get_type(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)v;
    (void)f;
    if (k || l->len < ETH_HLEN || l->aux <= 1500)
        return false;
    out->u = l->aux;
    return true;
}

static bool get_len(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    (void)v;
    (void)f;
    if (k || l->len < ETH_HLEN || l->aux > 1500)
        return false;
    out->u = l->aux;
    return true;
}

/* eth.addr: both addresses, destination first (as tshark lists them). */
static bool get_addr(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)f;
    if (k > 1 || l->len < (k ? 12u : 6u))
        return false;
    memcpy(out->addr, v->data + l->off + (k ? 6 : 0), 6);
    return true;
}

/* The individual/group and local/universal bits of the first octet. */
static const char *const alias_src[] = {"ETHERNET.src", NULL};
static const char *const alias_dst[] = {"ETHERNET.dst", NULL};
static const char *const alias_type[] = {"ETHERNET.type", NULL};

static const struct trawl_field eth_fields[] = {
    {.name = "eth.dst", .label = "Destination", .type = TRAWL_FT_MAC,
     .proto = PROTO_ETH, .at = 0, .size = 6, .aliases = alias_dst},
    {.name = "eth.src", .label = "Source", .type = TRAWL_FT_MAC,
     .proto = PROTO_ETH, .at = 6, .size = 6, .aliases = alias_src},
    {.name = "eth.addr", .label = "Address", .type = TRAWL_FT_MAC,
     .proto = PROTO_ETH, .get = get_addr},
    {.name = "eth.dst.ig", .label = "Destination IG bit", .type = TRAWL_FT_BOOL,
     .proto = PROTO_ETH, .at = 0, .size = 1, .mask = 0x01},
    {.name = "eth.dst.lg", .label = "Destination LG bit", .type = TRAWL_FT_BOOL,
     .proto = PROTO_ETH, .at = 0, .size = 1, .mask = 0x02, .shift = 1},
    {.name = "eth.src.ig", .label = "Source IG bit", .type = TRAWL_FT_BOOL,
     .proto = PROTO_ETH, .at = 6, .size = 1, .mask = 0x01},
    {.name = "eth.src.lg", .label = "Source LG bit", .type = TRAWL_FT_BOOL,
     .proto = PROTO_ETH, .at = 6, .size = 1, .mask = 0x02, .shift = 1},
    {.name = "eth.type", .label = "Type", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_ETH, .get = get_type,
     .aliases = alias_type, .value_name = ethertype_name},
    {.name = "eth.len", .label = "Length", .type = TRAWL_FT_UINT,
     .proto = PROTO_ETH, .get = get_len},
};

const struct decode_proto decode_proto_eth = {
    .id = PROTO_ETH,
    .name = "eth",
    .title = "Ethernet II",
    .decode = decode_eth,
    .fields = eth_fields,
    .nfields = TRAWL_ARRAY_LEN(eth_fields),
};
