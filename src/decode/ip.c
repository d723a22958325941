/* IPv4 (RFC 791), and the dispatch on the IP protocol number that IPv4,
 * IPv6 and its extension headers share. */
#include "decode/decode.h"

uint16_t decode_by_ipproto(uint8_t proto) {
    switch (proto) {
    case 1: return PROTO_ICMP;
    case 2: return PROTO_IGMP;
    case 4: return PROTO_IP;   /* IPv4 in IP */
    case 6: return PROTO_TCP;
    case 17: return PROTO_UDP;
    case 41: return PROTO_IPV6; /* IPv6 in IP */
    case 47: return PROTO_GRE;
    case 58: return PROTO_ICMPV6;
    case 132: return PROTO_SCTP;
    case 0:   /* hop-by-hop options */
    case 43:  /* routing */
    case 44:  /* fragment */
    case 60:  /* destination options */
        return PROTO_IPV6_EXT;
    default: return PROTO_DATA;
    }
}

/* Layer flag: the datagram is a fragment (MF set or offset non-zero). */
#define IP_FRAGMENT 0x1

static void decode_ip(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    uint32_t avail = end - off;
    if (avail < 1) {
        decode_anomaly(v, ANOM_IPV4_TRUNCATED);
        return;
    }
    unsigned version = p[0] >> 4;
    if (version == 6) {
        /* Raw-IP link types start here whatever the version. */
        decode_protos[PROTO_IPV6]->decode(v);
        return;
    }
    if (version != 4) {
        decode_anomaly(v, ANOM_IPV4_BAD_VERSION);
        return;
    }
    if (avail < 20) {
        decode_truncated(v, PROTO_IP, ANOM_IPV4_TRUNCATED);
        return;
    }
    uint32_t hlen = (uint32_t)(p[0] & 0x0f) * 4;
    if (hlen < 20) {
        decode_anomaly(v, ANOM_IPV4_HLEN_TOO_SMALL);
        return;
    }
    if (hlen > avail) {
        decode_truncated(v, PROTO_IP, ANOM_IPV4_TRUNCATED);
        return;
    }
    uint32_t totlen = core_be16(p + 2);
    uint32_t dend = end;
    if (totlen == 0) {
        /* Segmentation offload: the length is left to the NIC. */
    } else if (totlen < hlen) {
        decode_anomaly(v, ANOM_IPV4_TOTLEN_TOO_SMALL);
    } else if (off + totlen < end) {
        dend = off + totlen; /* link-layer padding belongs to no layer */
    }
    struct decode_layer *l = decode_push(v, PROTO_IP, off, hlen, dend);
    if (!l)
        return;
    /* The header checksum is verified by decode_finish(), only when
     * anomalies are asked for. */
    uint16_t frag = core_be16(p + 6);
    if (frag & 0x3fff)
        l->flags |= IP_FRAGMENT;
    /* Only a first fragment carries the transport header; later ones are
     * data (trawl decodes each frame on its own, without reassembly). */
    uint16_t next = (frag & 0x1fff) ? PROTO_DATA : decode_by_ipproto(p[9]);
    v->next_aux = p[9];
    decode_next(v, next, off + hlen, dend);
}

static bool get_hdr_len(const struct trawl_view *v,
                        const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    if (k)
        return false;
    out->u = (uint64_t)(v->data[l->off] & 0x0f) * 4;
    return true;
}

/* ip.addr: source then destination, as tshark lists them. */
static bool get_addr(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)f;
    if (k > 1 || l->len < (k ? 20u : 16u))
        return false;
    memcpy(out->addr, v->data + l->off + (k ? 16 : 12), 4);
    return true;
}

static const char *proto_name(uint64_t p) {
    switch (p) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IPIP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 89: return "OSPF";
    case 132: return "SCTP";
    default: return NULL;
    }
}

static const char *const alias_src[] = {"IP.src", NULL};
static const char *const alias_ttl[] = {"IP.ttl", NULL};

static const struct trawl_field ip_fields[] = {
    {.name = "ip.version", .label = "Version", .type = TRAWL_FT_UINT,
     .proto = PROTO_IP, .proto_alt = PROTO_IPV6, .at = 0, .size = 1,
     .mask = 0xf0, .shift = 4},
    {.name = "ip.hdr_len", .label = "Header Length", .type = TRAWL_FT_UINT,
     .proto = PROTO_IP, .get = get_hdr_len},
    FIELD_H("ip.dsfield", "Differentiated Services Field", PROTO_IP, 1, 1, 0,
            0, 2),
    FIELD_U("ip.dsfield.dscp", "Differentiated Services Codepoint", PROTO_IP,
            1, 1, 0xfc, 2),
    FIELD_U("ip.dsfield.ecn", "Explicit Congestion Notification", PROTO_IP,
            1, 1, 0x03, 0),
    FIELD_U("ip.len", "Total Length", PROTO_IP, 2, 2, 0, 0),
    FIELD_H("ip.id", "Identification", PROTO_IP, 4, 2, 0, 0, 4),
    FIELD_H("ip.flags", "Flags", PROTO_IP, 6, 1, 0xe0, 5, 2),
    FIELD_B("ip.flags.rb", "Reserved bit", PROTO_IP, 6, 1, 0x80, 7),
    FIELD_B("ip.flags.df", "Don't fragment", PROTO_IP, 6, 1, 0x40, 6),
    FIELD_B("ip.flags.mf", "More fragments", PROTO_IP, 6, 1, 0x20, 5),
    FIELD_U("ip.frag_offset", "Fragment Offset", PROTO_IP, 6, 2, 0x1fff, 0),
    {.name = "ip.ttl", .label = "Time to Live", .type = TRAWL_FT_UINT,
     .proto = PROTO_IP, .at = 8, .size = 1, .aliases = alias_ttl},
    {.name = "ip.proto", .label = "Protocol", .type = TRAWL_FT_UINT,
     .proto = PROTO_IP, .at = 9, .size = 1, .value_name = proto_name},
    FIELD_H("ip.checksum", "Header Checksum", PROTO_IP, 10, 2, 0, 0, 4),
    {.name = "ip.src", .label = "Source Address", .type = TRAWL_FT_IPV4,
     .proto = PROTO_IP, .at = 12, .size = 4, .aliases = alias_src},
    {.name = "ip.dst", .label = "Destination Address", .type = TRAWL_FT_IPV4,
     .proto = PROTO_IP, .at = 16, .size = 4},
    {.name = "ip.addr", .label = "Source or Destination Address",
     .type = TRAWL_FT_IPV4, .proto = PROTO_IP, .get = get_addr},
};

const struct decode_proto decode_proto_ip = {
    .id = PROTO_IP,
    .name = "ip",
    .title = "Internet Protocol Version 4",
    .decode = decode_ip,
    .fields = ip_fields,
    .nfields = TRAWL_ARRAY_LEN(ip_fields),
};
