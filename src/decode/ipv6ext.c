/* IPv6 extension headers: hop-by-hop options, routing, fragment and
 * destination options, each its own layer. The header's type is the
 * next-header value of the layer below, kept in the layer's aux. */
#include "decode/decode.h"

enum { EXT_HOP = 0, EXT_ROUTING = 43, EXT_FRAGMENT = 44, EXT_DSTOPTS = 60 };

static void decode_ipv6ext(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    uint32_t type = v->next_aux;
    const uint8_t *p = v->data + off;
    if (end - off < 8) {
        decode_anomaly(v, ANOM_IPV6_EXT_TRUNCATED);
        return;
    }
    uint32_t hlen = type == EXT_FRAGMENT ? 8 : ((uint32_t)p[1] + 1) * 8;
    if (hlen > end - off) {
        decode_anomaly(v, ANOM_IPV6_EXT_TRUNCATED);
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_IPV6_EXT, off, hlen, end);
    if (!l)
        return;
    l->aux = type;
    uint16_t next = decode_by_ipproto(p[0]);
    /* Fragments are not reassembled: only the first carries the next
     * header; the others are data, as tshark shows them with reassembly
     * off. */
    if (type == EXT_FRAGMENT && (core_be16(p + 2) & 0xfff8))
        next = PROTO_DATA;
    v->next_aux = p[0];
    decode_next(v, next, off + hlen, end);
}

/* Fields of one kind of extension header only. */
#define EXT_GETTER(fn, kind)                                                \
    static bool fn(const struct trawl_view *v, const struct trawl_field *f, \
                   const struct decode_layer *l, unsigned k,                \
                   struct trawl_value *out) {                               \
        return l->aux == (kind) && decode_get_fixed(v, f, l, k, out);       \
    }
EXT_GETTER(get_hop, EXT_HOP)
EXT_GETTER(get_routing, EXT_ROUTING)
EXT_GETTER(get_frag, EXT_FRAGMENT)
EXT_GETTER(get_dst, EXT_DSTOPTS)


#define EXT_FIELD(nm, lbl, getter, off, sz, msk, sh, disp, w)              \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = PROTO_IPV6_EXT, \
     .get = getter, .at = off, .size = sz, .mask = msk, .shift = sh,        \
     .display = disp, .width = w}

static const struct trawl_field ext_fields[] = {
    EXT_FIELD("ipv6.hopopts.nxt", "Next Header", get_hop, 0, 1, 0, 0,
              DISP_DEC, 0),
    EXT_FIELD("ipv6.hopopts.len", "Length", get_hop, 1, 1, 0, 0, DISP_DEC,
              0),
    EXT_FIELD("ipv6.routing.nxt", "Next Header", get_routing, 0, 1, 0, 0,
              DISP_DEC, 0),
    EXT_FIELD("ipv6.routing.type", "Type", get_routing, 2, 1, 0, 0,
              DISP_DEC, 0),
    EXT_FIELD("ipv6.routing.segleft", "Segments Left", get_routing, 3, 1, 0,
              0, DISP_DEC, 0),
    EXT_FIELD("ipv6.fraghdr.nxt", "Next header", get_frag, 0, 1, 0, 0,
              DISP_DEC, 0),
    EXT_FIELD("ipv6.fraghdr.offset", "Offset", get_frag, 2, 2, 0xfff8, 3,
              DISP_DEC, 0),
    {.name = "ipv6.fraghdr.more", .label = "More Fragments",
     .type = TRAWL_FT_BOOL, .proto = PROTO_IPV6_EXT, .get = get_frag,
     .at = 3, .size = 1, .mask = 1},
    EXT_FIELD("ipv6.fraghdr.ident", "Identification", get_frag, 4, 4, 0, 0,
              DISP_HEX, 8),
    EXT_FIELD("ipv6.dstopts.nxt", "Next Header", get_dst, 0, 1, 0, 0,
              DISP_DEC, 0),
    EXT_FIELD("ipv6.dstopts.len", "Length", get_dst, 1, 1, 0, 0, DISP_DEC,
              0),
};

const struct decode_proto decode_proto_ipv6ext = {
    .id = PROTO_IPV6_EXT,
    .name = "ipv6ext",
    .title = "IPv6 Extension Header",
    .decode = decode_ipv6ext,
    .fields = ext_fields,
    .nfields = TRAWL_ARRAY_LEN(ext_fields),
};
