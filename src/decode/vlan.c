/* IEEE 802.1Q VLAN tags and 802.1ad service tags, at any depth: each tag
 * is a layer whose aux keeps the TPID that announced it, since tshark
 * names the fields of an 802.1ad (0x88a8) tag ieee8021ad.* and those of
 * the others vlan.*. */
#include "decode/decode.h"

enum { TPID_8021AD = 0x88a8 };

static void decode_vlan(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 4) {
        decode_anomaly(v, ANOM_VLAN_TRUNCATED);
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_VLAN, off, 4, end);
    if (!l)
        return;
    l->aux = v->next_aux;
    uint16_t type = core_be16(p + 2);
    if (type <= 1500) {
        uint32_t dend = off + 4 + type;
        decode_next(v, PROTO_LLC, off + 4, dend < end ? dend : end);
        return;
    }
    v->next_aux = type;
    decode_next(v, decode_by_ethertype(type), off + 4, end);
}

static bool get_q(const struct trawl_view *v, const struct trawl_field *f,
                  const struct decode_layer *l, unsigned k,
                  struct trawl_value *out) {
    return l->aux != TPID_8021AD && decode_get_fixed(v, f, l, k, out);
}

static bool get_ad(const struct trawl_view *v, const struct trawl_field *f,
                   const struct decode_layer *l, unsigned k,
                   struct trawl_value *out) {
    return l->aux == TPID_8021AD && decode_get_fixed(v, f, l, k, out);
}

static bool get_etype(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    uint16_t t = core_be16(v->data + l->off + 2);
    bool want_len = f->width == 0;
    if (l->aux == TPID_8021AD || (t <= 1500) != want_len)
        return false;
    return decode_get_fixed(v, f, l, k, out);
}

#define TAG_FIELD(nm, lbl, ty, getter, msk, sh)                             \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_VLAN,             \
     .get = getter, .at = 0, .size = 2, .mask = msk, .shift = sh}

static const struct trawl_field vlan_fields[] = {
    TAG_FIELD("vlan.priority", "Priority", TRAWL_FT_UINT, get_q, 0xe000, 13),
    TAG_FIELD("vlan.dei", "DEI", TRAWL_FT_BOOL, get_q, 0x1000, 12),
    TAG_FIELD("vlan.id", "ID", TRAWL_FT_UINT, get_q, 0x0fff, 0),
    {.name = "vlan.etype", .label = "Type", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_VLAN, .get = get_etype,
     .at = 2, .size = 2},
    {.name = "vlan.len", .label = "Length", .type = TRAWL_FT_UINT,
     .proto = PROTO_VLAN, .get = get_etype, .at = 2, .size = 2},
    TAG_FIELD("ieee8021ad.priority", "Priority", TRAWL_FT_UINT, get_ad,
              0xe000, 13),
    TAG_FIELD("ieee8021ad.dei", "DEI", TRAWL_FT_BOOL, get_ad, 0x1000, 12),
    TAG_FIELD("ieee8021ad.id", "ID", TRAWL_FT_UINT, get_ad, 0x0fff, 0),
};

const struct decode_proto decode_proto_vlan = {
    .id = PROTO_VLAN,
    .name = "vlan",
    .title = "802.1Q Virtual LAN",
    .decode = decode_vlan,
    .fields = vlan_fields,
    .nfields = TRAWL_ARRAY_LEN(vlan_fields),
};
