/* UDP (RFC 768), and the dispatch on UDP ports for the protocols trawl
 * decodes above it. */
#include "decode/decode.h"

enum {
    UDP_HLEN = 8,
    PTP_EVENT = 319,
    PTP_GENERAL = 320,
    VXLAN_PORT = 4789,
    MPLS_UDP_PORT = 6635,
};

static uint16_t by_port(uint16_t port) {
    switch (port) {
    case VXLAN_PORT: return PROTO_VXLAN;
    case MPLS_UDP_PORT: return PROTO_MPLS; /* MPLS in UDP (RFC 7510) */
    case PTP_EVENT:
    case PTP_GENERAL: return PROTO_PTP;
    default: return PROTO_DATA;
    }
}

/* As tshark: the lower port first, then the other. */
uint16_t decode_by_udpport(uint16_t sport, uint16_t dport) {
    uint16_t lo = sport < dport ? sport : dport;
    uint16_t next = by_port(lo);
    return next != PROTO_DATA ? next : by_port(lo == sport ? dport : sport);
}

static void decode_udp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < UDP_HLEN) {
        /* tshark shows the ports together or not at all; with less than
         * both it still names UDP in frame.protocols. */
        decode_anomaly(v, ANOM_UDP_TRUNCATED);
        if (end - off >= 4)
            decode_push(v, PROTO_UDP, off, end - off, end);
        else
            decode_listed(v, PROTO_UDP, 0);
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_UDP, off, UDP_HLEN, end);
    if (!l)
        return;
    uint64_t ulen = core_be16(p + 4);
    if (ulen == 0) {
        /* Over IPv6 a zero length is a jumbogram's (RFC 2675): the
         * datagram runs to the end of the IPv6 payload. */
        const struct decode_layer *ip = decode_ip_below(v, l);
        if (ip && ip->proto == PROTO_IPV6)
            ulen = decode_ip_wire_end(v, l) - off;
    }
    if (ulen < UDP_HLEN) {
        /* As tshark: the ports and the length show, not the checksum, and
         * nothing after. */
        decode_anomaly(v, ANOM_UDP_BAD_LENGTH);
        l->len = 6;
        return;
    }
    /* A length past the IP payload is found by check_udp; tshark decodes
     * on with the payload there is. */
    if (ulen < end - off)
        l->end = off + (uint32_t)ulen;
    uint16_t next = decode_by_udpport(core_be16(p), core_be16(p + 2));
    if (next == PROTO_DATA)
        next = decode_rpc_probe(v, off + UDP_HLEN, l->end, core_be16(p),
                                core_be16(p + 2), false);
    if (next == PROTO_DATA)
        next = decode_sip_probe(v, off + UDP_HLEN, l->end, false);
    if (next == PROTO_DATA &&
        decode_dcerpc_probe(v, off + UDP_HLEN, l->end, core_be16(p),
                            core_be16(p + 2)))
        next = PROTO_DCERPC;
    if (next == PROTO_DATA)
        next = decode_rtp_probe(v, off + UDP_HLEN, l->end, core_be16(p),
                                core_be16(p + 2));
    decode_next(v, next, off + UDP_HLEN, l->end);
}

/* The status of a whole UDP header's checksum: tshark's, when the view
 * verifies checksums. A zero checksum is none (or, over IPv6, one tshark
 * calls illegal rather than wrong). */
static uint64_t udp_csum_status(const struct trawl_view *v,
                                const struct decode_layer *l) {
    const uint8_t *p = v->data + l->off;
    uint32_t ulen = core_be16(p + 4);
    if (core_be16(p + 6) == 0) {
        const struct decode_layer *ip = decode_ip_below(v, l);
        return ip && ip->proto == PROTO_IPV6 ? CSUM_ILLEGAL : CSUM_NOT_PRESENT;
    }
    if (ulen < UDP_HLEN || l->off + ulen > decode_ip_wire_end(v, l))
        return CSUM_UNVERIFIED;
    return decode_l4_csum_status(v, l, 17, ulen);
}

static uint64_t check_udp(const struct trawl_view *v,
                          const struct decode_layer *l) {
    const uint8_t *p = v->data + l->off;
    uint64_t found = 0;
    if (l->len < UDP_HLEN)
        return 0; /* cut short, or a bogus length (already recorded) */
    uint32_t ulen = core_be16(p + 4);
    if (ulen && l->off + ulen > decode_ip_wire_end(v, l))
        found |= ANOM_BIT(ANOM_UDP_BAD_LENGTH);
    if (udp_csum_status(v, l) == CSUM_BAD)
        found |= ANOM_BIT(ANOM_UDP_BAD_CHECKSUM);
    return found;
}

/* tshark does not verify UDP checksums by default (nor does a view), but
 * tells a missing one from an illegal one. */
static bool get_csum_status(const struct trawl_view *v,
                            const struct trawl_field *f,
                            const struct decode_layer *l, unsigned k,
                            struct trawl_value *out) {
    (void)f;
    if (k || l->len < UDP_HLEN)
        return false;
    out->u = udp_csum_status(v, l);
    return true;
}

static const char *const alias_sport[] = {"UDP.src_port", NULL};
static const char *const alias_dport[] = {"UDP.dst_port", NULL};

static const struct trawl_field udp_fields[] = {
    {.name = "udp.srcport",
     .label = "Source Port",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_UDP,
     .at = 0,
     .size = 2,
     .aliases = alias_sport},
    {.name = "udp.dstport",
     .label = "Destination Port",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_UDP,
     .at = 2,
     .size = 2,
     .aliases = alias_dport},
    {.name = "udp.serverport", .bits = 16,
     .label = "Server Port (trawl)",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_UDP,
     .get = decode_get_server_port},
    {.name = "udp.port", .bits = 16,
     .label = "Source or Destination Port",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_UDP,
     .get = decode_get_port_pair},
    FIELD_U("udp.length", "Length", PROTO_UDP, 4, 2, 0, 0),
    FIELD_H("udp.checksum", "Checksum", PROTO_UDP, 6, 2, 0, 0, 4),
    {.name = "udp.checksum.status", .bits = 8,
     .label = "Checksum Status",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_UDP,
     .get = get_csum_status,
     .value_name = decode_csum_status_name},
};

const struct decode_proto decode_proto_udp = {
    .id = PROTO_UDP,
    .name = "udp",
    .title = "User Datagram Protocol",
    .decode = decode_udp,
    .fields = udp_fields,
    .nfields = TRAWL_ARRAY_LEN(udp_fields),
    .check = check_udp,
};
