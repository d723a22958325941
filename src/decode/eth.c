/* Ethernet II and IEEE 802.3 frames (the LLC that follows an 802.3 length
 * is decoded by llc.c), the ethertype dispatch used by every layer that
 * carries an ethertype (VLAN tags, SLL, GRE, SNAP), and the split of the
 * bytes after a frame's payload into padding, trailer and FCS. */
#include "decode/l2.h"

uint16_t decode_by_ethertype(uint16_t ethertype) {
    switch (ethertype) {
    case 0x0800: return PROTO_IP;
    case 0x86dd: return PROTO_IPV6;
    case 0x0806:
    case 0x8035: /* RARP has ARP's layout */ return PROTO_ARP;
    case TPID_8021Q:
    case TPID_8021AD:
    case TPID_QINQ_OLD: return PROTO_VLAN;
    case 0x8847:
    case 0x8848: return PROTO_MPLS;
    case 0x8809: return PROTO_SLOW;
    case 0x88f7: return PROTO_PTP;
    case 0x8892: return PROTO_PNRT;
    case 0x6558: /* transparent Ethernet bridging (GRE, NVGRE) */
        return PROTO_ETH;
    default: return PROTO_DATA;
    }
}

/* Cisco ISL frames (destination 01:00:0c:00:00:xx) are decoded as plain
 * 802.3 frames: tshark shows them as ISL with the encapsulated frame
 * inside, which trawl does not decode. */
static void decode_eth(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < ETH_HLEN) {
        /* tshark names the protocol but shows none of its fields: the
         * layer is kept, and its fields need a whole header. */
        decode_truncated(v, PROTO_ETH, ANOM_ETH_TRUNCATED);
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_ETH, off, ETH_HLEN, end);
    if (!l)
        return;
    const uint8_t *p = v->data + off;
    uint16_t type = core_be16(p + 12);
    uint32_t body = off + ETH_HLEN;
    l->aux = type;
    /* Type 0 is not a length: Cisco MDS switches use it as an ethertype,
     * and tshark reads it so. */
    if (type != 0 && type <= ETH_MAX_LEN) {
        /* 802.3: the field is a length; what follows it is the trailer. */
        l->flags |= L2_LENGTH;
        uint32_t dend = end - body > type ? body + type : end;
        /* Novell's "raw 802.3" carries IPX with no LLC header; an IPX
         * header starts with a checksum of 0xffff, never an LLC SAP pair
         * tshark would accept. */
        if (dend - body >= 2 && core_be16(p + ETH_HLEN) == 0xffff) {
            decode_next(v, PROTO_DATA, body, dend);
            return;
        }
        decode_next_listed(v, PROTO_LLC, body, dend);
        return;
    }
    if (type != 0 && type < ETH_MIN_TYPE) {
        /* Neither a length nor a type: tshark shows the rest as data. */
        decode_anomaly(v, ANOM_ETH_BAD_LENTYPE);
        decode_next(v, PROTO_DATA, body, end);
        return;
    }
    v->next_aux = type; /* a VLAN tag needs to know its TPID */
    decode_next_listed(v, decode_by_ethertype(type), body, end);
}

/* "eth:ethertype" when the type field was dispatched on, as tshark lists
 * the ethertype table it goes through; "eth" for 802.3 (LLC follows),
 * invalid types and cut headers. */
static const char *eth_protocols(const struct trawl_view *v,
                                 const struct decode_layer *l,
                                 const struct decode_layer *below) {
    (void)v;
    (void)below;
    if (l->len < ETH_HLEN || (l->flags & L2_LENGTH) ||
        (l->aux != 0 && l->aux < ETH_MIN_TYPE))
        return "eth";
    return "eth:ethertype";
}

/* ---- padding, trailer and FCS ------------------------------------------ */

bool l2_trailer(const struct trawl_view *v, const struct decode_layer *start,
                struct l2_trailer *t) {
    memset(t, 0, sizeof *t);
    if (start->proto == PROTO_ETH && start->len < ETH_HLEN)
        return false;
    const struct decode_layer *top = v->layers + v->nlayers;
    const struct decode_layer *c = start;
    while (c + 1 < top && c[1].proto == PROTO_VLAN && c[1].len >= VLAN_HLEN &&
           !(c->flags & L2_LENGTH))
        c++;
    t->carrier = c;
    uint32_t base = start->off, frame_end = c->end, payload_end;
    if (c->flags & L2_LENGTH) {
        payload_end = c->off + c->len + c->aux;
    } else if (c + 1 < top && c[1].proto != PROTO_DATA) {
        /* The payload's own length (IPv4 total length, ARP's addresses)
         * ends it. */
        payload_end = c[1].end;
    } else {
        return false;
    }
    if (payload_end >= frame_end)
        return false;
    /* The frame's length on the wire: a frame cut by the snapshot length
     * was longer than its captured bytes. */
    bool cut = v->pkt.caplen < v->pkt.len;
    uint32_t wire_len = cut ? v->pkt.len - base : frame_end - base;
    uint32_t pos = payload_end;
    /* A frame that reaches the minimum length and whose payload ends
     * before it was padded with zeros; tshark shows other bytes there as
     * a trailer, and nothing at all when the padding was not captured. */
    if (wire_len >= ETH_MIN_FRAME && payload_end < base + ETH_MIN_FRAME) {
        if (base + ETH_MIN_FRAME > frame_end)
            return false;
        if (l2_all_zero(v->data + payload_end,
                        base + ETH_MIN_FRAME - payload_end)) {
            t->pad_off = payload_end;
            t->pad_len = base + ETH_MIN_FRAME - payload_end;
            pos = base + ETH_MIN_FRAME;
        }
    }
    uint32_t rest = frame_end - pos;
    /* tshark guesses an FCS when an Ethernet header carries the payload,
     * the frame is at least 64 bytes, 4 bytes are left over and the end of
     * the frame was captured. */
    if (c->proto == PROTO_ETH && !cut &&
        wire_len >= ETH_MIN_FRAME + ETH_FCS_LEN && rest >= ETH_FCS_LEN) {
        t->fcs_off = frame_end - ETH_FCS_LEN;
        t->fcs_len = ETH_FCS_LEN;
        rest -= ETH_FCS_LEN;
    }
    t->trl_off = pos;
    t->trl_len = rest;
    return true;
}

bool l2_trailer_of(const struct trawl_view *v, const struct decode_layer *l,
                   struct trawl_value *out) {
    const struct decode_layer *start = l;
    while (start > v->layers && start->proto == PROTO_VLAN)
        start--;
    if (start->proto != PROTO_ETH && start->proto != PROTO_SLL)
        return false;
    struct l2_trailer t;
    if (!l2_trailer(v, start, &t) || t.carrier != l || !t.trl_len)
        return false;
    out->bytes.p = v->data + t.trl_off;
    out->bytes.len = t.trl_len;
    return true;
}

/* eth.padding is shown for the frame that starts with layer `l` (an eth or
 * sll layer), whichever layer carries the payload. */
static bool get_padding(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    struct l2_trailer t;
    if (k || !l2_trailer(v, l, &t) || !t.pad_len)
        return false;
    out->bytes.p = v->data + t.pad_off;
    out->bytes.len = t.pad_len;
    return true;
}

static bool get_trailer(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    return k == 0 && l2_trailer_of(v, l, out);
}

/* eth.fcs (`at` 0) and eth.fcs.status (`at` 1: always "unverified", 2,
 * as tshark does not check FCSs by default). */
static bool get_fcs(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    struct l2_trailer t;
    if (k || !l2_trailer(v, l, &t) || t.carrier != l || !t.fcs_len)
        return false;
    out->u = f->at ? 2 : core_be32(v->data + t.fcs_off);
    return true;
}

/* ---- header fields ----------------------------------------------------- */

/* Fields of a whole header only, as tshark shows none of a cut one. */
static bool get_hdr(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    return l->len >= ETH_HLEN && decode_get_fixed(v, f, l, k, out);
}

/* eth.addr, eth.addr.oui, eth.lg, eth.ig: the destination's, then the
 * source's, as tshark lists them; `at` is the offset within the address,
 * `size`/`mask`/`shift` as for fixed fields. */
static bool get_both(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    if (k > 1 || l->len < ETH_HLEN)
        return false;
    uint32_t at = (k ? 6u : 0u) + f->at;
    if (f->type == TRAWL_FT_MAC) {
        memcpy(out->addr, v->data + l->off + at, 6);
        return true;
    }
    return decode_get_be(v, l, at, f->size, f->mask, f->shift, out);
}

/* eth.type exists only for Ethernet II; eth.len only for 802.3;
 * eth.invalid_lentype for the values between. */
static bool get_type(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)v;
    if (k || l->len < ETH_HLEN)
        return false;
    unsigned kind = (l->flags & L2_LENGTH)                   ? 1
                    : (l->aux != 0 && l->aux < ETH_MIN_TYPE) ? 2
                                                             : 0;
    if (kind != f->at)
        return false;
    out->u = l->aux;
    return true;
}

static const char *ethertype_name(uint64_t t) {
    switch (t) {
    case 0x0800: return "IPv4";
    case 0x86dd: return "IPv6";
    case 0x0806: return "ARP";
    case 0x8035: return "RARP";
    case 0x8100: return "802.1Q Virtual LAN";
    case 0x88a8: return "802.1ad Provider Bridge (Q-in-Q)";
    case 0x9100: return "VLAN-tagged frame (Q-in-Q)";
    case 0x8847: return "MPLS label switched packet";
    case 0x8848: return "MPLS multicast label switched packet";
    case 0x88cc: return "802.1 Link Layer Discovery Protocol (LLDP)";
    case 0x8809: return "Slow Protocols";
    case 0x88f7: return "PTPv2 over Ethernet (IEEE1588)";
    case 0x8892: return "PROFINET";
    case 0x6558: return "Transparent Ethernet bridging";
    default: return NULL;
    }
}

static const char *fcs_status_name(uint64_t s) {
    return s == 2 ? "Unverified" : NULL;
}

static const char *const alias_src[] = {"ETHERNET.src", NULL};
static const char *const alias_dst[] = {"ETHERNET.dst", NULL};
static const char *const alias_type[] = {"ETHERNET.type", NULL};

/* clang-format off */
#define ETH_HDR(nm, lbl, ty, off, sz, msk, sh)                                \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_ETH,                \
     .get = get_hdr, .at = off, .size = sz, .mask = msk, .shift = sh}
#define ETH_BOTH(nm, lbl, ty, off, sz, msk, sh)                               \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_ETH,                \
     .get = get_both, .at = off, .size = sz, .mask = msk, .shift = sh}

static const struct trawl_field eth_fields[] = {
    {.name = "eth.dst", .label = "Destination", .type = TRAWL_FT_MAC,
     .proto = PROTO_ETH, .get = get_hdr, .at = 0, .size = 6,
     .aliases = alias_dst},
    ETH_HDR("eth.dst.oui", "Destination OUI", TRAWL_FT_UINT, 0, 3, 0, 0),
    /* The individual/group and local/universal bits of the first octet. */
    ETH_HDR("eth.dst.lg", "Destination LG bit", TRAWL_FT_BOOL, 0, 1, 0x02,
            1),
    ETH_HDR("eth.dst.ig", "Destination IG bit", TRAWL_FT_BOOL, 0, 1, 0x01,
            0),
    {.name = "eth.src", .label = "Source", .type = TRAWL_FT_MAC,
     .proto = PROTO_ETH, .get = get_hdr, .at = 6, .size = 6,
     .aliases = alias_src},
    ETH_HDR("eth.src.oui", "Source OUI", TRAWL_FT_UINT, 6, 3, 0, 0),
    ETH_HDR("eth.src.lg", "Source LG bit", TRAWL_FT_BOOL, 6, 1, 0x02, 1),
    ETH_HDR("eth.src.ig", "Source IG bit", TRAWL_FT_BOOL, 6, 1, 0x01, 0),
    ETH_BOTH("eth.addr", "Address", TRAWL_FT_MAC, 0, 6, 0, 0),
    ETH_BOTH("eth.addr.oui", "Address OUI", TRAWL_FT_UINT, 0, 3, 0, 0),
    ETH_BOTH("eth.lg", "LG bit", TRAWL_FT_BOOL, 0, 1, 0x02, 1),
    ETH_BOTH("eth.ig", "IG bit", TRAWL_FT_BOOL, 0, 1, 0x01, 0),
    {.name = "eth.type", .bits = 16, .label = "Type", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_ETH, .get = get_type,
     .at = 0, .aliases = alias_type, .value_name = ethertype_name},
    {.name = "eth.len", .bits = 16, .label = "Length", .type = TRAWL_FT_UINT,
     .proto = PROTO_ETH, .get = get_type, .at = 1},
    {.name = "eth.invalid_lentype", .bits = 16, .label = "Invalid length/type",
     .type = TRAWL_FT_UINT, .display = DISP_HEX, .width = 4,
     .proto = PROTO_ETH, .get = get_type, .at = 2},
    {.name = "eth.padding", .label = "Padding", .type = TRAWL_FT_BYTES,
     .proto = PROTO_ETH, .proto_alt = PROTO_SLL, .get = get_padding,
     .needs_full = true},
    {.name = "eth.trailer", .label = "Trailer", .type = TRAWL_FT_BYTES,
     .proto = PROTO_ETH, .get = get_trailer, .needs_full = true},
    {.name = "eth.fcs", .bits = 32, .label = "Frame check sequence",
     .type = TRAWL_FT_UINT, .display = DISP_HEX, .width = 8,
     .proto = PROTO_ETH, .get = get_fcs, .at = 0, .needs_full = true},
    {.name = "eth.fcs.status", .label = "FCS Status", .type = TRAWL_FT_UINT,
     .bits = 8, .proto = PROTO_ETH, .get = get_fcs, .at = 1, .needs_full = true,
     .value_name = fcs_status_name},
};
/* clang-format on */

const struct decode_proto decode_proto_eth = {
    .id = PROTO_ETH,
    .name = "eth",
    .title = "Ethernet II",
    .decode = decode_eth,
    .fields = eth_fields,
    .nfields = TRAWL_ARRAY_LEN(eth_fields),
    .protocols = eth_protocols,
};
