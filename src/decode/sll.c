/* Linux cooked captures ("any" device), versions 1 (LINKTYPE_LINUX_SLL)
 * and 2 (LINKTYPE_LINUX_SLL2). Both share tshark's sll.* field names, so
 * both push a PROTO_SLL layer whose aux says the version. */
#include "decode/decode.h"

/* Protocol values that are not ethertypes (linux/if_ether.h). */
enum { SLL_P_802_2 = 0x0004 };

static void decode_sll_common(struct trawl_view *v, unsigned version) {
    uint32_t off = v->next_off, end = v->next_end;
    uint32_t hlen = version == 1 ? 16 : 20;
    if (end - off < hlen) {
        decode_anomaly(v, ANOM_FRAME_TRUNCATED_LINK);
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_SLL, off, hlen, end);
    if (!l)
        return;
    l->aux = version;
    uint16_t proto = core_be16(v->data + off + (version == 1 ? 14 : 0));
    uint16_t next;
    if (proto == SLL_P_802_2)
        next = PROTO_LLC;
    else if (proto > 1500)
        next = decode_by_ethertype(proto);
    else
        next = PROTO_DATA;
    v->next_aux = proto;
    decode_next(v, next, off + hlen, end);
}

static void decode_sll(struct trawl_view *v) {
    decode_sll_common(v, 1);
}

static void decode_sll2(struct trawl_view *v) {
    decode_sll_common(v, 2);
}

/* Offsets differ between the versions: `f->at` is the version-1 offset
 * and `f->shift` the version-2 one (0xff: absent in that version). */
static bool get_sll(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    unsigned at = l->aux == 1 ? f->at : (unsigned)(f->shift);
    if (k || at == 0xff)
        return false;
    if (f->type == TRAWL_FT_MAC) {
        /* The address is link-layer: an Ethernet MAC only when 6 long. */
        unsigned halen_at = l->aux == 1 ? 4 : 11;
        unsigned halen = l->aux == 1 ? core_be16(v->data + l->off + halen_at)
                                     : v->data[l->off + halen_at];
        if (halen != 6)
            return false;
        memcpy(out->addr, v->data + l->off + at, 6);
        return true;
    }
    /* Version 2 narrows the packet type and address length to a byte. */
    unsigned size = (l->aux == 2 && (at == 10 || at == 11)) ? 1 : f->size;
    return decode_get_be(v, l, at, size, 0, 0, out);
}

#define SLL_FIELD(nm, lbl, ty, at1, at2, sz, disp, w)                       \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_SLL, .get = get_sll, \
     .at = at1, .shift = at2, .size = sz, .display = disp, .width = w}

static const struct trawl_field sll_fields[] = {
    SLL_FIELD("sll.pkttype", "Packet type", TRAWL_FT_UINT, 0, 10, 2,
              DISP_DEC, 0),
    SLL_FIELD("sll.hatype", "Link-layer address type", TRAWL_FT_UINT, 2, 8,
              2, DISP_DEC, 0),
    SLL_FIELD("sll.halen", "Link-layer address length", TRAWL_FT_UINT, 4,
              11, 2, DISP_DEC, 0),
    SLL_FIELD("sll.src.eth", "Source", TRAWL_FT_MAC, 6, 12, 6, DISP_DEC, 0),
    SLL_FIELD("sll.etype", "Protocol", TRAWL_FT_UINT, 14, 0, 2, DISP_HEX, 4),
    SLL_FIELD("sll.ifindex", "Interface index", TRAWL_FT_UINT, 0xff, 4, 4,
              DISP_DEC, 0),
};

const struct decode_proto decode_proto_sll = {
    .id = PROTO_SLL,
    .name = "sll",
    .title = "Linux cooked capture",
    .decode = decode_sll,
    .fields = sll_fields,
    .nfields = TRAWL_ARRAY_LEN(sll_fields),
};

/* Version 2 has its own dispatch entry but shares the layer and fields. */
const struct decode_proto decode_proto_sll2 = {
    .id = PROTO_SLL2,
    .name = "sll2",
    .title = "Linux cooked capture v2",
    .decode = decode_sll2,
    .fields = NULL,
    .nfields = 0,
};
