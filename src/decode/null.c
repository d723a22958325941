/* BSD loopback encapsulation: a 4-byte address family in the byte order
 * of the capturing host (LINKTYPE_NULL) or in network order
 * (LINKTYPE_LOOP). Either way the value is small, so its byte order is
 * recognisable. */
#include "decode/decode.h"

static uint32_t family(const uint8_t *p) {
    uint32_t be = core_be32(p);
    return be > 0xffff ? core_le32(p) : be;
}

static void decode_null(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < 4) {
        decode_anomaly(v, ANOM_FRAME_TRUNCATED_LINK);
        return;
    }
    if (!decode_push(v, PROTO_NULLLINK, off, 4, end))
        return;
    uint16_t next;
    switch (family(v->data + off)) {
    case 2: next = PROTO_IP; break;
    case 24: /* NetBSD, OpenBSD */
    case 28: /* FreeBSD */
    case 30: /* Darwin */
        next = PROTO_IPV6;
        break;
    default: next = PROTO_DATA; break;
    }
    decode_next(v, next, off + 4, end);
}

static bool get_family(const struct trawl_view *v,
                       const struct trawl_field *f,
                       const struct decode_layer *l, unsigned k,
                       struct trawl_value *out) {
    (void)f;
    if (k)
        return false;
    out->u = family(v->data + l->off);
    return true;
}

static const struct trawl_field null_fields[] = {
    {.name = "null.family", .label = "Family", .type = TRAWL_FT_UINT,
     .proto = PROTO_NULLLINK, .get = get_family},
};

const struct decode_proto decode_proto_null = {
    .id = PROTO_NULLLINK,
    .name = "null",
    .title = "Null/Loopback",
    .decode = decode_null,
    .fields = null_fields,
    .nfields = TRAWL_ARRAY_LEN(null_fields),
};
