/* IPv6 extension headers (RFC 8200): hop-by-hop options, routing,
 * fragment and destination options, and the authentication header (RFC
 * 4302, which IPv4 carries too). Each is a layer of its own; its type is
 * the next-header value of the layer below, kept in the layer's aux. */
#include "decode/decode.h"

enum {
    EXT_HOP = 0,
    EXT_ROUTING = 43,
    EXT_FRAGMENT = 44,
    EXT_AH = 51,
    EXT_DSTOPTS = 60,
    AH_SEQ_END = 12, /* the fixed part of an authentication header */
};

static void decode_ipv6ext(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    uint32_t type = v->next_aux;
    const uint8_t *p = v->data + off;
    uint32_t avail = end - off;
    /* tshark shows no field of a header with less than its next-header
     * and length bytes (a routing header's next header shows alone), or
     * of a fragment header cut at all, but names it in frame.protocols. */
    if ((avail < 2 && type != EXT_ROUTING) ||
        (type == EXT_FRAGMENT && avail < 8)) {
        decode_anomaly(v, ANOM_IPV6_EXT_TRUNCATED);
        decode_listed(v, PROTO_IPV6_EXT, type);
        return;
    }
    uint32_t hlen = 8;
    if (type != EXT_FRAGMENT && avail >= 2)
        hlen = type == EXT_AH ? ((uint32_t)p[1] + 2) * 4
                              : ((uint32_t)p[1] + 1) * 8;
    /* tshark reads an authentication header's sequence number even when
     * the length leaves it out (see get_ah_seq): without those 12 bytes
     * it stops there, whatever the length says. */
    if (avail < hlen || (type == EXT_AH && avail < AH_SEQ_END)) {
        /* Cut short: what there is shows, nothing follows. */
        decode_anomaly(v, ANOM_IPV6_EXT_TRUNCATED);
        struct decode_layer *l =
            decode_push(v, PROTO_IPV6_EXT, off, avail, end);
        if (l)
            l->aux = type;
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
    /* Hop-by-hop options come first or not at all (RFC 8200 4.1); tshark
     * flags them elsewhere and decodes them, and what follows, all the
     * same. */
    if (p[0] == EXT_HOP && next != PROTO_DATA)
        decode_anomaly(v, ANOM_IPV6_HOPOPTS_MISPLACED);
    v->next_aux = p[0];
    /* As after the fixed header, tshark names the next header even when
     * no byte of it is left. */
    decode_next_listed(v, next, off + hlen, end);
}

/* Fields of one kind of extension header only. */
#define EXT_GETTER(fn, kind)                                                   \
    static bool fn(const struct trawl_view *v, const struct trawl_field *f,    \
                   const struct decode_layer *l, unsigned k,                   \
                   struct trawl_value *out) {                                  \
        return l->aux == (kind) && decode_get_fixed(v, f, l, k, out);          \
    }
EXT_GETTER(get_hop, EXT_HOP)
EXT_GETTER(get_routing, EXT_ROUTING)
EXT_GETTER(get_frag, EXT_FRAGMENT)
EXT_GETTER(get_dst, EXT_DSTOPTS)
EXT_GETTER(get_ah, EXT_AH)

/* The header's length in octets, for the kind in `f->at`. */
static bool get_len_oct(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    if (k || l->aux != f->at || l->len < 2)
        return false;
    out->u = ((uint64_t)v->data[l->off + 1] + 1) * 8;
    return true;
}

/* tshark reads the sequence number even when the header's length says
 * it has none (below 12 bytes). */
static bool get_ah_seq(const struct trawl_view *v, const struct trawl_field *f,
                       const struct decode_layer *l, unsigned k,
                       struct trawl_value *out) {
    (void)f;
    if (k || l->aux != EXT_AH || l->end - l->off < AH_SEQ_END)
        return false;
    out->u = core_be32(v->data + l->off + 8);
    return true;
}

/* The integrity check value: the rest of the authentication header. */
static bool get_icv(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    (void)f;
    if (k || l->aux != EXT_AH || l->len <= AH_SEQ_END ||
        l->len < ((uint32_t)v->data[l->off + 1] + 2) * 4)
        return false; /* none, or cut short */
    out->bytes.p = v->data + l->off + AH_SEQ_END;
    out->bytes.len = l->len - AH_SEQ_END;
    return true;
}

/* frame.protocols names each kind of header as tshark does. */
static const char *ext_protocols(const struct trawl_view *v,
                                 const struct decode_layer *l,
                                 const struct decode_layer *below) {
    (void)v;
    (void)below;
    switch (l->aux) {
    case EXT_HOP: return "ipv6.hopopts";
    case EXT_ROUTING: return "ipv6.routing";
    case EXT_FRAGMENT: return "ipv6.fraghdr";
    case EXT_DSTOPTS: return "ipv6.dstopts";
    case EXT_AH: return "ah";
    default: return "ipv6ext";
    }
}

#define EXT_FIELD(nm, lbl, getter, off, sz, msk, sh, disp, w)                  \
    {                                                                          \
        .name = nm, .label = lbl, .type = TRAWL_FT_UINT,                       \
        .proto = PROTO_IPV6_EXT, .get = getter, .at = off, .size = sz,         \
        .mask = msk, .shift = sh, .display = disp, .width = w                  \
    }
#define EXT_LEN_OCT(nm, kind)                                                  \
    {                                                                          \
        .name = nm, .label = "Length", .type = TRAWL_FT_UINT,                  \
        .proto = PROTO_IPV6_EXT, .get = get_len_oct, .at = kind, .bits = 16    \
    }

static const struct trawl_field ext_fields[] = {
    EXT_FIELD("ipv6.hopopts.nxt", "Next Header", get_hop, 0, 1, 0, 0, DISP_DEC,
              0),
    EXT_FIELD("ipv6.hopopts.len", "Length", get_hop, 1, 1, 0, 0, DISP_DEC, 0),
    EXT_LEN_OCT("ipv6.hopopts.len_oct", EXT_HOP),
    EXT_FIELD("ipv6.routing.nxt", "Next Header", get_routing, 0, 1, 0, 0,
              DISP_DEC, 0),
    EXT_FIELD("ipv6.routing.len", "Length", get_routing, 1, 1, 0, 0, DISP_DEC,
              0),
    EXT_LEN_OCT("ipv6.routing.len_oct", EXT_ROUTING),
    EXT_FIELD("ipv6.routing.type", "Type", get_routing, 2, 1, 0, 0, DISP_DEC,
              0),
    EXT_FIELD("ipv6.routing.segleft", "Segments Left", get_routing, 3, 1, 0, 0,
              DISP_DEC, 0),
    EXT_FIELD("ipv6.fraghdr.nxt", "Next header", get_frag, 0, 1, 0, 0, DISP_DEC,
              0),
    EXT_FIELD("ipv6.fraghdr.offset", "Offset", get_frag, 2, 2, 0xfff8, 3,
              DISP_DEC, 0),
    {.name = "ipv6.fraghdr.more",
     .label = "More Fragments",
     .type = TRAWL_FT_BOOL,
     .proto = PROTO_IPV6_EXT,
     .get = get_frag,
     .at = 3,
     .size = 1,
     .mask = 1},
    EXT_FIELD("ipv6.fraghdr.ident", "Identification", get_frag, 4, 4, 0, 0,
              DISP_HEX, 8),
    EXT_FIELD("ipv6.dstopts.nxt", "Next Header", get_dst, 0, 1, 0, 0, DISP_DEC,
              0),
    EXT_FIELD("ipv6.dstopts.len", "Length", get_dst, 1, 1, 0, 0, DISP_DEC, 0),
    EXT_LEN_OCT("ipv6.dstopts.len_oct", EXT_DSTOPTS),
    EXT_FIELD("ah.next_header", "Next header", get_ah, 0, 1, 0, 0, DISP_DEC, 0),
    EXT_FIELD("ah.length", "Length", get_ah, 1, 1, 0, 0, DISP_DEC, 0),
    {.name = "ah.reserved",
     .label = "Reserved",
     .type = TRAWL_FT_BYTES,
     .proto = PROTO_IPV6_EXT,
     .get = get_ah,
     .at = 2,
     .size = 2},
    EXT_FIELD("ah.spi", "AH SPI", get_ah, 4, 4, 0, 0, DISP_HEX, 8),
    EXT_FIELD("ah.sequence", "AH Sequence", get_ah_seq, 8, 4, 0, 0, DISP_DEC,
              0),
    {.name = "ah.icv",
     .label = "AH ICV",
     .type = TRAWL_FT_BYTES,
     .proto = PROTO_IPV6_EXT,
     .get = get_icv},
};

const struct decode_proto decode_proto_ipv6ext = {
    .id = PROTO_IPV6_EXT,
    .name = "ipv6ext",
    .title = "IPv6 Extension Header",
    .decode = decode_ipv6ext,
    .fields = ext_fields,
    .nfields = TRAWL_ARRAY_LEN(ext_fields),
    .protocols = ext_protocols,
};
