/* IEEE 802.1Q VLAN tags and 802.1ad service tags, at any depth: each tag
 * is a layer. tshark names the fields of a tag announced by TPID 0x88a8
 * ieee8021ad.* and those of 0x8100 and 0x9100 tags vlan.*, and reads an
 * 802.1ad S-tag directly followed by a second 0x88a8 tag as one S-VID /
 * C-VID pair; the layer flags record which of these a tag is. */
#include "decode/l2.h"

/* Layer flags (besides L2_LENGTH). */
#define VLAN_AD 0x2   /* announced by TPID 0x88a8 */
#define VLAN_AD_S 0x4 /* an 802.1ad S-tag with a C-tag right after it */
#define VLAN_AD_C 0x8 /* that C-tag */

static void decode_vlan(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    bool ad = v->next_aux == TPID_8021AD;
    uint32_t hlen = VLAN_HLEN;
    if (end - off < VLAN_HLEN) {
        /* The tag control fields still show when their 2 bytes are
         * there, as in tshark. */
        decode_anomaly(v, ANOM_VLAN_TRUNCATED);
        hlen = end - off;
    }
    struct decode_layer *l = decode_push(v, PROTO_VLAN, off, hlen, end);
    if (!l)
        return;
    if (ad) {
        l->flags |= VLAN_AD;
        if (l[-1].proto == PROTO_VLAN && (l[-1].flags & VLAN_AD_S))
            l->flags |= VLAN_AD_C;
    }
    if (hlen < VLAN_HLEN)
        return;
    uint16_t type = core_be16(p + 2);
    l->aux = type;
    /* An S-tag followed by another 0x88a8 tag knows it at once, so that
     * its fields are right before the next tag is decoded. */
    if (ad && !(l->flags & VLAN_AD_C) && type == TPID_8021AD)
        l->flags |= VLAN_AD_S;
    if (type <= ETH_MAX_LEN) {
        l->flags |= L2_LENGTH;
        uint32_t body = off + VLAN_HLEN;
        uint32_t dend = end - body > type ? body + type : end;
        /* Raw 802.3 IPX, as after an Ethernet length (eth.c). */
        if (dend - body >= 2 && core_be16(p + VLAN_HLEN) == 0xffff) {
            decode_next(v, PROTO_DATA, body, dend);
            return;
        }
        decode_next_listed(v, PROTO_LLC, body, dend);
        return;
    }
    v->next_aux = type;
    decode_next_listed(v, decode_by_ethertype(type), off + VLAN_HLEN, end);
}

/* The tag's part of frame.protocols: its protocol name, then "ethertype"
 * when its type field was dispatched on. An S-tag/C-tag pair reads
 * "ieee8021ad:ethertype": the name from the S-tag, the rest from the
 * C-tag. A tag handed no bytes at all (len 0) knows its TPID from aux. */
static const char *vlan_protocols(const struct trawl_view *v,
                                  const struct decode_layer *l,
                                  const struct decode_layer *below) {
    (void)v;
    /* The C-tag that an S-tag announced but the capture lost is part of
     * the S-tag's entry. */
    if (!l->len && (below->flags & VLAN_AD_S) && below->proto == PROTO_VLAN)
        return NULL;
    bool ad = l->len ? (l->flags & VLAN_AD) != 0 : l->aux == TPID_8021AD;
    bool typed = l->len >= VLAN_HLEN && !(l->flags & L2_LENGTH);
    if (l->flags & VLAN_AD_C)
        return typed ? "ethertype" : NULL;
    if (l->flags & VLAN_AD_S)
        return "ieee8021ad";
    if (ad)
        return typed ? "ieee8021ad:ethertype" : "ieee8021ad";
    return typed ? "vlan:ethertype" : "vlan";
}

/* vlan.* fields show on 0x8100/0x9100 tags, ieee8021ad.* on 0x88a8 tags
 * (`at`/`size`/`mask`/`shift` as for fixed fields). */
static bool get_q(const struct trawl_view *v, const struct trawl_field *f,
                  const struct decode_layer *l, unsigned k,
                  struct trawl_value *out) {
    return !(l->flags & VLAN_AD) && decode_get_fixed(v, f, l, k, out);
}

/* Unlike vlan.*, tshark shows no ieee8021ad.* field of a cut tag. */
static bool get_ad(const struct trawl_view *v, const struct trawl_field *f,
                   const struct decode_layer *l, unsigned k,
                   struct trawl_value *out) {
    return (l->flags & VLAN_AD) && l->len >= VLAN_HLEN &&
           decode_get_fixed(v, f, l, k, out);
}

/* ieee8021ad.id of a lone S-tag; .svid and .cvid of a pair. `at` holds
 * the role flag the field wants (0 for a lone tag). */
static bool get_ad_id(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    unsigned role = l->flags & (VLAN_AD_S | VLAN_AD_C);
    return k == 0 && (l->flags & VLAN_AD) && role == f->at &&
           l->len >= VLAN_HLEN && decode_get_be(v, l, 0, 2, 0x0fff, 0, out);
}

/* vlan.etype / vlan.len (`at` 0 / 1) of 0x8100 tags; ieee8021ah.etype
 * (`at` 2) of the last 0x88a8 tag of a group. */
static bool get_etype(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    (void)v;
    if (k || l->len < VLAN_HLEN)
        return false;
    bool is_len = (l->flags & L2_LENGTH) != 0;
    switch (f->at) {
    case 0:
        if ((l->flags & VLAN_AD) || is_len)
            return false;
        break;
    case 1:
        if ((l->flags & VLAN_AD) || !is_len)
            return false;
        break;
    default:
        if (!(l->flags & VLAN_AD) || (l->flags & VLAN_AD_S) || is_len)
            return false;
        break;
    }
    out->u = l->aux;
    return true;
}

/* vlan.trailer (`at` 0) or ieee8021ah.trailer (`at` 1): what follows the
 * payload when this tag carried it (eth.c splits it). */
static bool get_trailer(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    bool ad = (l->flags & VLAN_AD) != 0;
    return k == 0 && ad == (f->at == 1) && l2_trailer_of(v, l, out);
}

static const char *priority_name(uint64_t p) {
    static const char *const names[8] = {"Best Effort (default)",
                                         "Background",
                                         "Excellent Effort",
                                         "Critical Applications",
                                         "Video, < 100ms latency and jitter",
                                         "Voice, < 10ms latency and jitter",
                                         "Internetwork Control",
                                         "Network Control"};
    return p < 8 ? names[p] : NULL;
}

/* NFStest pktt's spellings (its VLAN.dei and VLAN.etype are ours). */
static const char *const alias_pcp[] = {"VLAN.pcp", NULL};
static const char *const alias_vid[] = {"VLAN.vid", NULL};

/* clang-format off */
#define TAG_FIELD(nm, lbl, ty, getter, msk, sh)                               \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_VLAN,               \
     .get = getter, .at = 0, .size = 2, .mask = msk, .shift = sh}
#define AD_ID(nm, lbl, role)                                                  \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = PROTO_VLAN,    \
     .get = get_ad_id, .at = role, .bits = 12}

static const struct trawl_field vlan_fields[] = {
    {.name = "vlan.priority", .label = "Priority", .type = TRAWL_FT_UINT,
     .proto = PROTO_VLAN, .get = get_q, .at = 0, .size = 2, .mask = 0xe000,
     .shift = 13, .value_name = priority_name, .aliases = alias_pcp},
    TAG_FIELD("vlan.dei", "DEI", TRAWL_FT_BOOL, get_q, 0x1000, 12),
    {.name = "vlan.id", .label = "ID", .type = TRAWL_FT_UINT,
     .proto = PROTO_VLAN, .get = get_q, .at = 0, .size = 2, .mask = 0x0fff,
     .aliases = alias_vid},
    {.name = "vlan.etype", .label = "Type", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_VLAN, .get = get_etype,
     .at = 0, .bits = 16},
    {.name = "vlan.len", .label = "Length", .type = TRAWL_FT_UINT,
     .proto = PROTO_VLAN, .get = get_etype, .at = 1, .bits = 16},
    {.name = "vlan.trailer", .label = "Trailer", .type = TRAWL_FT_BYTES,
     .proto = PROTO_VLAN, .get = get_trailer, .at = 0, .needs_full = true},
    TAG_FIELD("ieee8021ad.priority", "Priority", TRAWL_FT_UINT, get_ad,
              0xe000, 13),
    /* An integer in tshark 4.0, not a flag; it prints the same. */
    TAG_FIELD("ieee8021ad.dei", "DEI", TRAWL_FT_UINT, get_ad, 0x1000, 12),
    AD_ID("ieee8021ad.id", "ID", 0),
    AD_ID("ieee8021ad.svid", "S-VID", VLAN_AD_S),
    AD_ID("ieee8021ad.cvid", "C-VID", VLAN_AD_C),
    {.name = "ieee8021ah.etype", .label = "Type", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_VLAN, .get = get_etype,
     .at = 2, .bits = 16},
    {.name = "ieee8021ah.trailer", .label = "Trailer", .type = TRAWL_FT_BYTES,
     .proto = PROTO_VLAN, .get = get_trailer, .at = 1, .needs_full = true},
};
/* clang-format on */

const struct decode_proto decode_proto_vlan = {
    .id = PROTO_VLAN,
    .name = "vlan",
    .title = "802.1Q Virtual LAN",
    .decode = decode_vlan,
    .fields = vlan_fields,
    .nfields = TRAWL_ARRAY_LEN(vlan_fields),
    .protocols = vlan_protocols,
};
