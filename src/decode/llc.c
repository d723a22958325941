/* IEEE 802.2 LLC after an 802.3 length field, with SNAP (RFC 1042)
 * carrying an ethertype when the OUI is zero. */
#include "decode/decode.h"

static void decode_llc(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 3) {
        decode_anomaly(v, ANOM_FRAME_TRUNCATED_LINK);
        return;
    }
    /* U-format frames have a 1-byte control field, I and S 2 bytes. */
    uint32_t hlen = (p[2] & 3) == 3 ? 3 : 4;
    bool snap = p[0] == 0xaa && p[1] == 0xaa;
    if (snap)
        hlen += 5;
    if (hlen > end - off) {
        decode_anomaly(v, ANOM_FRAME_TRUNCATED_LINK);
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_LLC, off, hlen, end);
    if (!l)
        return;
    l->aux = snap ? hlen - 5 : 0; /* where the SNAP header starts */
    uint16_t next = PROTO_DATA;
    if (snap && core_be24(p + hlen - 5) == 0) {
        uint16_t type = core_be16(p + hlen - 2);
        v->next_aux = type;
        next = decode_by_ethertype(type);
    }
    decode_next(v, next, off + hlen, end);
}

static bool get_control(const struct trawl_view *v,
                        const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    if (k)
        return false;
    const uint8_t *p = v->data + l->off;
    out->u = (p[2] & 3) == 3 ? p[2] : core_le16(p + 2);
    return true;
}

/* SNAP fields; `f->at` is the offset within the SNAP header. With a zero
 * OUI the protocol id is an ethertype (llc.type), otherwise llc.pid. */
static bool snap_field(const struct trawl_view *v,
                       const struct trawl_field *f,
                       const struct decode_layer *l, unsigned k,
                       struct trawl_value *out, int want_zero_oui) {
    if (k || !l->aux)
        return false;
    uint32_t snap = l->aux;
    bool zero_oui = core_be24(v->data + l->off + snap) == 0;
    if (want_zero_oui >= 0 && zero_oui != (bool)want_zero_oui)
        return false;
    return decode_get_be(v, l, snap + f->at, f->size, 0, 0, out);
}

static bool get_oui(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    return snap_field(v, f, l, k, out, -1);
}

static bool get_type(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    return snap_field(v, f, l, k, out, 1);
}

static bool get_pid(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    return snap_field(v, f, l, k, out, 0);
}

static const struct trawl_field llc_fields[] = {
    FIELD_H("llc.dsap", "DSAP", PROTO_LLC, 0, 1, 0, 0, 2),
    FIELD_H("llc.ssap", "SSAP", PROTO_LLC, 1, 1, 0, 0, 2),
    {.name = "llc.control", .label = "Control field", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_LLC, .get = get_control},
    {.name = "llc.oui", .label = "Organization Code", .type = TRAWL_FT_UINT,
     .proto = PROTO_LLC, .get = get_oui, .at = 0, .size = 3},
    {.name = "llc.type", .label = "Type", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_LLC, .get = get_type,
     .at = 3, .size = 2},
    {.name = "llc.pid", .label = "Protocol ID", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_LLC, .get = get_pid,
     .at = 3, .size = 2},
};

const struct decode_proto decode_proto_llc = {
    .id = PROTO_LLC,
    .name = "llc",
    .title = "Logical-Link Control",
    .decode = decode_llc,
    .fields = llc_fields,
    .nfields = TRAWL_ARRAY_LEN(llc_fields),
};
