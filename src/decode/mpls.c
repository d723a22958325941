/* MPLS label stacks (RFC 3032): each label stack entry is a layer. After
 * the bottom of the stack the payload is guessed from its first nibble,
 * as tshark 4.0 does by default (BCP 128, RFC 4385, RFC 5586):
 *   4 IPv4, 6 IPv6,
 *   1 a pseudowire Associated Channel Header (pwach), then its channel
 *     type says what follows (IPv4 0x0021, IPv6 0x0057, else data),
 *   0 an Ethernet pseudowire. tshark's "pwethheuristic" then takes the
 *     first 4 bytes as a control word unless the two MAC addresses that
 *     would follow without one both have registered OUIs; trawl keeps no
 *     OUI registry and always reads a control word (pwethcw), which is
 *     what tshark concludes for nearly every real frame,
 *   anything else is data.
 * The two pseudowire headers are layers of their own (pwethcw, pwach). */
#include "decode/decode.h"

enum { MPLS_HLEN = 4, PW_HLEN = 4 };

/* A pwethcw layer of length 0: too few bytes for a control word, so
 * tshark's heuristic gave up and the bytes are data. */
#define PW_NO_CW 0x1

static void decode_mpls(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < MPLS_HLEN) {
        /* A cut label entry shows no field in tshark: the fields below
         * are 4 bytes wide and so absent from the shorter layer. */
        decode_truncated(v, PROTO_MPLS, ANOM_MPLS_TRUNCATED);
        return;
    }
    if (!decode_push(v, PROTO_MPLS, off, MPLS_HLEN, end))
        return;
    uint32_t body = off + MPLS_HLEN;
    if (!(p[2] & 1)) {
        if (body == end)
            decode_anomaly(v, ANOM_MPLS_NO_BOTTOM);
        decode_next(v, PROTO_MPLS, body, end);
        return;
    }
    uint16_t next = PROTO_DATA;
    if (body < end) {
        switch (p[MPLS_HLEN] >> 4) {
        case 4: next = PROTO_IP; break;
        case 6: next = PROTO_IPV6; break;
        case 1: next = PROTO_PWACH; break;
        case 0: next = PROTO_PWETH; break;
        default: break;
        }
    }
    decode_next(v, next, body, end);
}

/* tshark dissects a whole label stack as one "mpls". */
static const char *mpls_protocols(const struct trawl_view *v,
                                  const struct decode_layer *l,
                                  const struct decode_layer *below) {
    (void)v;
    (void)l;
    return below && below->proto == PROTO_MPLS ? NULL : "mpls";
}

static void decode_pweth(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < PW_HLEN) {
        decode_anomaly(v, ANOM_PW_TRUNCATED);
        struct decode_layer *l = decode_push(v, PROTO_PWETH, off, 0, end);
        if (l) {
            l->flags |= PW_NO_CW;
            decode_next(v, PROTO_DATA, off, end);
        }
        return;
    }
    if (!decode_push(v, PROTO_PWETH, off, PW_HLEN, end))
        return;
    decode_next_listed(v, PROTO_ETH, off + PW_HLEN, end);
}

static const char *pweth_protocols(const struct trawl_view *v,
                                   const struct decode_layer *l,
                                   const struct decode_layer *below) {
    (void)v;
    (void)below;
    return (l->flags & PW_NO_CW) ? "pwethheuristic" : "pwethheuristic:pwethcw";
}

static void decode_pwach(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < PW_HLEN) {
        decode_truncated(v, PROTO_PWACH, ANOM_PW_TRUNCATED);
        return;
    }
    if (!decode_push(v, PROTO_PWACH, off, PW_HLEN, end))
        return;
    uint16_t next;
    switch (core_be16(v->data + off + 2)) {
    case 0x0021: next = PROTO_IP; break; /* the PPP DLL numbers */
    case 0x0057: next = PROTO_IPV6; break;
    default: next = PROTO_DATA; break;
    }
    decode_next(v, next, off + PW_HLEN, end);
}

/* Control word and channel header fields of a whole 4-byte header only,
 * as tshark shows none of a cut one. */
static bool get_pw(const struct trawl_view *v, const struct trawl_field *f,
                   const struct decode_layer *l, unsigned k,
                   struct trawl_value *out) {
    return l->len >= PW_HLEN && decode_get_fixed(v, f, l, k, out);
}

/* pweth.cw: a flag with no bits of its own, set on every control word. */
static bool get_cw(const struct trawl_view *v, const struct trawl_field *f,
                   const struct decode_layer *l, unsigned k,
                   struct trawl_value *out) {
    (void)v;
    (void)f;
    if (k || l->len < PW_HLEN)
        return false;
    out->u = 1;
    return true;
}

/* clang-format off */
#define PW_FIELD(nm, lbl, pr, off, sz, msk, disp, w)                          \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = pr,            \
     .get = get_pw, .at = off, .size = sz, .mask = msk, .display = disp,      \
     .width = w}

static const struct trawl_field mpls_fields[] = {
    FIELD_U("mpls.label", "MPLS Label", PROTO_MPLS, 0, 4, 0xfffff000, 12),
    FIELD_U("mpls.exp", "MPLS Experimental Bits", PROTO_MPLS, 0, 4, 0x0e00,
            9),
    FIELD_U("mpls.bottom", "MPLS Bottom Of Label Stack", PROTO_MPLS, 0, 4,
            0x0100, 8),
    FIELD_U("mpls.ttl", "MPLS TTL", PROTO_MPLS, 0, 4, 0xff, 0),
};
/* clang-format on */

/* clang-format off */
static const struct trawl_field pweth_fields[] = {
    {.name = "pweth.cw", .label = "PW Control Word (ethernet)",
     .type = TRAWL_FT_BOOL, .proto = PROTO_PWETH, .get = get_cw},
    PW_FIELD("pweth.cw.sequence_number", "PW sequence number (ethernet)",
             PROTO_PWETH, 2, 2, 0, DISP_DEC, 0),
};
/* clang-format on */

/* clang-format off */
static const struct trawl_field pwach_fields[] = {
    PW_FIELD("pwach.ver", "Channel Version", PROTO_PWACH, 0, 1, 0x0f, DISP_DEC,
             0),
    PW_FIELD("pwach.res", "Reserved", PROTO_PWACH, 1, 1, 0, DISP_HEX, 2),
    PW_FIELD("pwach.channel_type", "Channel Type", PROTO_PWACH, 2, 2, 0,
             DISP_HEX, 4),
};
/* clang-format on */

const struct decode_proto decode_proto_mpls = {
    .id = PROTO_MPLS,
    .name = "mpls",
    .title = "MultiProtocol Label Switching Header",
    .decode = decode_mpls,
    .fields = mpls_fields,
    .nfields = TRAWL_ARRAY_LEN(mpls_fields),
    .protocols = mpls_protocols,
};

const struct decode_proto decode_proto_pwethcw = {
    .id = PROTO_PWETH,
    .name = "pwethcw",
    .title = "PW Ethernet Control Word",
    .decode = decode_pweth,
    .fields = pweth_fields,
    .nfields = TRAWL_ARRAY_LEN(pweth_fields),
    .protocols = pweth_protocols,
};

const struct decode_proto decode_proto_pwach = {
    .id = PROTO_PWACH,
    .name = "pwach",
    .title = "PW Associated Channel Header",
    .decode = decode_pwach,
    .fields = pwach_fields,
    .nfields = TRAWL_ARRAY_LEN(pwach_fields),
};
