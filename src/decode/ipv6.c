/* IPv6 (RFC 8200): the fixed header. Extension headers are ipv6ext.c. */
#include "decode/decode.h"

enum { IPV6_HLEN = 40 };

static void decode_ipv6(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off; /* at least 1 byte: see decode_next */
    if (p[0] >> 4 != 6) {
        decode_anomaly(v, ANOM_IPV6_BAD_VERSION);
        return;
    }
    if (end - off < IPV6_HLEN) {
        decode_truncated(v, PROTO_IPV6, ANOM_IPV6_TRUNCATED);
        return;
    }
    uint32_t plen = core_be16(p + 4);
    uint32_t dend = end;
    /* A zero payload length means a jumbogram (or offload): use it all. */
    if (plen && plen < end - off - IPV6_HLEN)
        dend = off + IPV6_HLEN + plen;
    if (!decode_push(v, PROTO_IPV6, off, IPV6_HLEN, dend))
        return;
    v->next_aux = p[6];
    /* tshark names the next header's protocol even when no byte of it is
     * there. */
    decode_next_listed(v, decode_by_ipproto(p[6]), off + IPV6_HLEN, dend);
}

/* tshark shows the payload length only with the next header after it. */
static bool get_plen(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    return l->len >= 7 && decode_get_fixed(v, f, l, k, out);
}

static bool get_addr(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)f;
    if (k > 1 || l->len < (k ? 40u : 24u))
        return false;
    memcpy(out->addr, v->data + l->off + (k ? 24 : 8), 16);
    return true;
}

static const struct trawl_field ipv6_fields[] = {
    FIELD_U("ipv6.version", "Version", PROTO_IPV6, 0, 1, 0xf0, 4),
    FIELD_H("ipv6.tclass", "Traffic Class", PROTO_IPV6, 0, 4, 0x0ff00000, 20,
            8),
    FIELD_U("ipv6.tclass.dscp", "Differentiated Services Codepoint", PROTO_IPV6,
            0, 4, 0x0fc00000, 22),
    FIELD_U("ipv6.tclass.ecn", "Explicit Congestion Notification", PROTO_IPV6,
            0, 4, 0x00300000, 20),
    FIELD_H("ipv6.flow", "Flow Label", PROTO_IPV6, 0, 4, 0x000fffff, 0, 6),
    {.name = "ipv6.plen",
     .label = "Payload Length",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IPV6,
     .get = get_plen,
     .at = 4,
     .size = 2},
    FIELD_U("ipv6.nxt", "Next Header", PROTO_IPV6, 6, 1, 0, 0),
    FIELD_U("ipv6.hlim", "Hop Limit", PROTO_IPV6, 7, 1, 0, 0),
    {.name = "ipv6.src",
     .label = "Source Address",
     .type = TRAWL_FT_IPV6,
     .proto = PROTO_IPV6,
     .at = 8,
     .size = 16},
    {.name = "ipv6.dst",
     .label = "Destination Address",
     .type = TRAWL_FT_IPV6,
     .proto = PROTO_IPV6,
     .at = 24,
     .size = 16},
    {.name = "ipv6.addr",
     .label = "Source or Destination Address",
     .type = TRAWL_FT_IPV6,
     .proto = PROTO_IPV6,
     .get = get_addr},
};

const struct decode_proto decode_proto_ipv6 = {
    .id = PROTO_IPV6,
    .name = "ipv6",
    .title = "Internet Protocol Version 6",
    .decode = decode_ipv6,
    .fields = ipv6_fields,
    .nfields = TRAWL_ARRAY_LEN(ipv6_fields),
};
