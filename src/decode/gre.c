/* GRE (RFC 2784, 2890): optional checksum, key and sequence number, then
 * the payload by its ethertype (0x6558, transparent Ethernet bridging, is
 * Ethernet). */
#include "decode/decode.h"

enum { GRE_C = 0x8000, GRE_K = 0x2000, GRE_S = 0x1000, GRE_VERSION = 7 };

static uint32_t gre_hlen(uint16_t fv) {
    return 4 + ((fv & GRE_C) ? 4 : 0) + ((fv & GRE_K) ? 4 : 0) +
           ((fv & GRE_S) ? 4 : 0);
}

static void decode_gre(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    uint32_t avail = end - off;
    if (avail < 4) {
        /* tshark reads flags and protocol type before it shows either. */
        decode_anomaly(v, ANOM_GRE_TRUNCATED);
        return; /* the bytes become data */
    }
    if (avail < gre_hlen(core_be16(p))) {
        decode_truncated(v, PROTO_GRE, ANOM_GRE_TRUNCATED);
        return;
    }
    uint16_t fv = core_be16(p);
    uint32_t hlen = gre_hlen(fv);
    if (!decode_push(v, PROTO_GRE, off, hlen, end))
        return;
    /* Version 1 is PPTP's enhanced GRE, whose payload is PPP. */
    uint16_t next =
        (fv & GRE_VERSION) ? PROTO_DATA : decode_by_ethertype(core_be16(p + 2));
    decode_next(v, next, off + hlen, end);
}

/* The optional fields, each present when its flag is: the checksum
 * (`f->at` 0), the key (1), the sequence number (2). Each sits after the
 * ones before it that are present. */
static bool get_optional(const struct trawl_view *v,
                         const struct trawl_field *f,
                         const struct decode_layer *l, unsigned k,
                         struct trawl_value *out) {
    static const uint16_t flag[] = {GRE_C, GRE_K, GRE_S};
    if (k || l->len < 2)
        return false;
    uint16_t fv = core_be16(v->data + l->off);
    uint32_t at = 4;
    for (unsigned i = 0; i < f->at; i++)
        at += (fv & flag[i]) ? 4 : 0;
    /* In version 1 (PPTP) the key is a payload length and a call id. */
    if (!(fv & flag[f->at]) || (f->at == 1 && (fv & GRE_VERSION)))
        return false;
    /* The checksum is 16 bits, followed by 16 reserved ones. */
    return decode_get_be(v, l, at, f->at == 0 ? 2 : 4, 0, 0, out);
}

/* tshark verifies the checksum, over the header and the payload, when it
 * has them all. */
static bool get_csum_status(const struct trawl_view *v,
                            const struct trawl_field *f,
                            const struct decode_layer *l, unsigned k,
                            struct trawl_value *out) {
    (void)f;
    if (k || l->len < 6 || !(core_be16(v->data + l->off) & GRE_C))
        return false;
    out->u = decode_msg_csum_status(v, l, 0);
    return true;
}

static const struct trawl_field gre_fields[] = {
    FIELD_H("gre.flags_and_version", "Flags and Version", PROTO_GRE, 0, 2, 0, 0,
            4),
    FIELD_B("gre.flags.checksum", "Checksum Bit", PROTO_GRE, 0, 2, 0x8000, 15),
    FIELD_B("gre.flags.key", "Key Bit", PROTO_GRE, 0, 2, 0x2000, 13),
    FIELD_B("gre.flags.sequence_number", "Sequence Number Bit", PROTO_GRE, 0, 2,
            0x1000, 12),
    FIELD_U("gre.flags.version", "Version", PROTO_GRE, 0, 2, 0x0007, 0),
    FIELD_H("gre.proto", "Protocol Type", PROTO_GRE, 2, 2, 0, 0, 4),
    {.name = "gre.checksum", .bits = 16,
     .label = "Checksum",
     .type = TRAWL_FT_UINT,
     .display = DISP_HEX,
     .width = 4,
     .proto = PROTO_GRE,
     .get = get_optional,
     .at = 0},
    {.name = "gre.checksum.status", .bits = 8,
     .label = "Checksum Status",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_GRE,
     .get = get_csum_status,
     .value_name = decode_csum_status_name},
    {.name = "gre.key", .bits = 32,
     .label = "Key",
     .type = TRAWL_FT_UINT,
     .display = DISP_HEX,
     .width = 8,
     .proto = PROTO_GRE,
     .get = get_optional,
     .at = 1},
    {.name = "gre.sequence_number", .bits = 32,
     .label = "Sequence Number",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_GRE,
     .get = get_optional,
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
