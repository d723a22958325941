/* GRE (RFC 2784, 2890): optional checksum, key and sequence number, then
 * the payload by its ethertype. */
#include "decode/decode.h"

enum { GRE_C = 0x8000, GRE_K = 0x2000, GRE_S = 0x1000 };

static void decode_gre(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 4) {
        decode_anomaly(v, ANOM_GRE_TRUNCATED);
        return;
    }
    uint16_t fv = core_be16(p);
    uint32_t hlen = 4 + ((fv & GRE_C) ? 4 : 0) + ((fv & GRE_K) ? 4 : 0) +
                    ((fv & GRE_S) ? 4 : 0);
    if (hlen > end - off) {
        decode_anomaly(v, ANOM_GRE_TRUNCATED);
        return;
    }
    if (!decode_push(v, PROTO_GRE, off, hlen, end))
        return;
    /* Version 1 is PPTP's enhanced GRE, whose payload is PPP. */
    uint16_t next = (fv & 7) ? PROTO_DATA : decode_by_ethertype(core_be16(p + 2));
    decode_next(v, next, off + hlen, end);
}

/* Key and sequence number sit after the optional checksum (and key). */
static bool get_optional(const struct trawl_view *v,
                         const struct trawl_field *f,
                         const struct decode_layer *l, unsigned k,
                         struct trawl_value *out) {
    uint16_t fv = core_be16(v->data + l->off);
    uint32_t at = 4 + ((fv & GRE_C) ? 4 : 0);
    if (f->at == 1) { /* key */
        if (!(fv & GRE_K))
            return false;
    } else { /* sequence number */
        if (!(fv & GRE_S))
            return false;
        at += (fv & GRE_K) ? 4 : 0;
    }
    return !k && decode_get_be(v, l, at, 4, 0, 0, out);
}

static const struct trawl_field gre_fields[] = {
    FIELD_H("gre.flags_and_version", "Flags and Version", PROTO_GRE, 0, 2, 0,
            0, 4),
    FIELD_B("gre.flags.checksum", "Checksum Bit", PROTO_GRE, 0, 2, 0x8000,
            15),
    FIELD_B("gre.flags.key", "Key Bit", PROTO_GRE, 0, 2, 0x2000, 13),
    FIELD_B("gre.flags.sequence_number", "Sequence Number Bit", PROTO_GRE, 0,
            2, 0x1000, 12),
    FIELD_U("gre.flags.version", "Version", PROTO_GRE, 0, 2, 0x0007, 0),
    FIELD_H("gre.proto", "Protocol Type", PROTO_GRE, 2, 2, 0, 0, 4),
    {.name = "gre.key", .label = "Key", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 8, .proto = PROTO_GRE,
     .get = get_optional, .at = 1},
    {.name = "gre.sequence_number", .label = "Sequence Number",
     .type = TRAWL_FT_UINT, .proto = PROTO_GRE, .get = get_optional,
     .at = 2},
};

const struct decode_proto decode_proto_gre = {
    .id = PROTO_GRE,
    .name = "gre",
    .title = "Generic Routing Encapsulation",
    .decode = decode_gre,
    .fields = gre_fields,
    .nfields = TRAWL_ARRAY_LEN(gre_fields),
};
