/* Linux cooked captures ("any" device), versions 1 (LINKTYPE_LINUX_SLL,
 * 16 bytes) and 2 (LINKTYPE_LINUX_SLL2, 20 bytes). tshark shows both
 * under the sll.* names, so both push a PROTO_SLL layer; the fields find
 * their bytes through the version's layout. */
#include "decode/l2.h"

enum {
    SLL_HLEN = 16,
    SLL2_HLEN = 20,
    SLL_ADDR_LEN = 8, /* room for the link-layer address */
    SLL_FIRST = 4,    /* what tshark reads before it shows a field */
    SLL2_FIRST = 12,
    ARPHRD_IPGRE = 778,
    ARPHRD_NETLINK = 824,
    /* Protocol values that are not ethertypes (linux/if_ether.h). */
    LINUX_P_802_3 = 0x0001, /* Novell raw 802.3: IPX */
    LINUX_P_ETHERNET = 0x0003,
    LINUX_P_802_2 = 0x0004,
};

/* Layer flags (0x1 is L2_LENGTH's, never set on sll layers). */
#define SLL_V2 0x2
#define SLL_NETLINK 0x4 /* tshark shows a netlink message, no sll field */

/* Where each header field sits in either version; size 0: absent. */
struct sll_layout {
    uint8_t pkttype, pkttype_size;
    uint8_t hatype;
    uint8_t halen, halen_size;
    uint8_t addr;
    uint8_t proto;
    uint8_t ifindex, ifindex_size;
};

static const struct sll_layout sll_v1 = {0, 2, 2, 4, 2, 6, 14, 0, 0};
static const struct sll_layout sll_v2 = {10, 1, 8, 11, 1, 12, 0, 4, 4};

static const struct sll_layout *layout(const struct decode_layer *l) {
    return (l->flags & SLL_V2) ? &sll_v2 : &sll_v1;
}

static void decode_sll_common(struct trawl_view *v, unsigned flags) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    uint32_t hlen = (flags & SLL_V2) ? SLL2_HLEN : SLL_HLEN;
    const struct sll_layout *lay = (flags & SLL_V2) ? &sll_v2 : &sll_v1;
    if (end - off < hlen) {
        /* The fields inside the captured bytes still show, as in tshark,
         * once the first ones tshark reads together are there: the packet
         * and address types of version 1, everything up to the address
         * length of version 2. */
        uint32_t first = (flags & SLL_V2) ? SLL2_FIRST : SLL_FIRST;
        decode_anomaly(v, ANOM_SLL_TRUNCATED);
        struct decode_layer *l = decode_push(
            v, PROTO_SLL, off, end - off < first ? 0 : end - off, end);
        if (l)
            l->flags = (uint16_t)flags;
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_SLL, off, hlen, end);
    if (!l)
        return;
    uint16_t hatype = core_be16(p + lay->hatype);
    uint16_t proto = core_be16(p + lay->proto);
    l->flags = (uint16_t)flags;
    l->aux = proto;
    uint16_t next = PROTO_DATA;
    if (hatype == ARPHRD_NETLINK) {
        l->flags |= SLL_NETLINK;
    } else if (proto <= ETH_MAX_LEN) {
        if (proto == LINUX_P_802_2)
            next = PROTO_LLC;
        else if (proto == LINUX_P_ETHERNET)
            next = PROTO_ETH;
    } else {
        /* An ethertype, also for GRE devices (their protocol field is
         * GRE's protocol type, which takes ethertypes). */
        v->next_aux = proto;
        next = decode_by_ethertype(proto);
    }
    decode_next_listed(v, next, off + hlen, end);
}

static void decode_sll(struct trawl_view *v) {
    decode_sll_common(v, 0);
}

static void decode_sll2(struct trawl_view *v) {
    decode_sll_common(v, SLL_V2);
}

static bool read_be(const struct trawl_view *v, const struct decode_layer *l,
                    uint32_t at, unsigned size, uint64_t *out) {
    struct trawl_value val;
    if (!size || !decode_get_be(v, l, at, size, 0, 0, &val))
        return false;
    *out = val.u;
    return true;
}

/* "sll:ethertype" when the protocol field went through the ethertype
 * table; tshark dispatches GRE devices through GRE's own table and the
 * small Linux protocol values through SLL's. */
static const char *sll_protocols(const struct trawl_view *v,
                                 const struct decode_layer *l,
                                 const struct decode_layer *below) {
    (void)below;
    uint64_t hatype;
    uint32_t hlen = (l->flags & SLL_V2) ? SLL2_HLEN : SLL_HLEN;
    if (l->len < hlen || (l->flags & SLL_NETLINK) || l->aux <= ETH_MAX_LEN ||
        !read_be(v, l, layout(l)->hatype, 2, &hatype) || hatype == ARPHRD_IPGRE)
        return "sll";
    return "sll:ethertype";
}

enum sll_part {
    SLL_PKTTYPE,
    SLL_HATYPE,
    SLL_HALEN,
    SLL_SRC_ETH,   /* the address when 6 bytes long */
    SLL_SRC_IPV4,  /* ... when 4 bytes long */
    SLL_SRC_OTHER, /* ... any other non-zero length */
    SLL_UNUSED,    /* the rest of the 8-byte address field */
    SLL_LTYPE,     /* the protocol when a Linux value (<= 1500) */
    SLL_GRETYPE,   /* ... when a GRE protocol type (GRE devices) */
    SLL_ETYPE,     /* ... otherwise: an ethertype */
    SLL_IFINDEX,   /* version 2 only */
};

/* All sll.* fields; `at` is the enum sll_part. Each shows only when its
 * bytes were captured. */
static bool get_sll(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    const struct sll_layout *lay = layout(l);
    uint64_t halen, hatype, proto;
    if (k || (l->flags & SLL_NETLINK))
        return false;
    switch (f->at) {
    case SLL_PKTTYPE:
        return read_be(v, l, lay->pkttype, lay->pkttype_size, &out->u);
    case SLL_HATYPE: return read_be(v, l, lay->hatype, 2, &out->u);
    case SLL_HALEN: return read_be(v, l, lay->halen, lay->halen_size, &out->u);
    case SLL_IFINDEX:
        return read_be(v, l, lay->ifindex, lay->ifindex_size, &out->u);
    case SLL_LTYPE:
    case SLL_GRETYPE:
    case SLL_ETYPE:
        if (!read_be(v, l, lay->proto, 2, &proto) ||
            !read_be(v, l, lay->hatype, 2, &hatype))
            return false;
        out->u = proto;
        if (proto <= ETH_MAX_LEN)
            return f->at == SLL_LTYPE;
        return f->at == (hatype == ARPHRD_IPGRE ? SLL_GRETYPE : SLL_ETYPE);
    default: break;
    }
    /* The address fields: the address shows once its bytes are there,
     * the unused rest of the 8-byte field once all of it is. */
    if (!read_be(v, l, lay->halen, lay->halen_size, &halen))
        return false;
    const uint8_t *addr = v->data + l->off + lay->addr;
    unsigned used = halen < SLL_ADDR_LEN ? (unsigned)halen : SLL_ADDR_LEN;
    if ((uint32_t)lay->addr + (f->at == SLL_UNUSED ? SLL_ADDR_LEN : used) >
        l->len)
        return false;
    switch (f->at) {
    case SLL_SRC_ETH:
        if (halen != 6)
            return false;
        memcpy(out->addr, addr, 6);
        return true;
    case SLL_SRC_IPV4:
        if (halen != 4)
            return false;
        memcpy(out->addr, addr, 4);
        return true;
    case SLL_SRC_OTHER:
        if (halen == 0 || halen == 4 || halen == 6)
            return false;
        out->bytes.p = addr;
        out->bytes.len = used;
        return true;
    case SLL_UNUSED:
        if (used == SLL_ADDR_LEN)
            return false;
        out->bytes.p = addr + used;
        out->bytes.len = SLL_ADDR_LEN - used;
        return true;
    default: return false;
    }
}

static bool get_trailer(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    return k == 0 && !(l->flags & SLL_NETLINK) && l2_trailer_of(v, l, out);
}

static const char *pkttype_name(uint64_t t) {
    switch (t) {
    case 0: return "Unicast to us";
    case 1: return "Broadcast";
    case 2: return "Multicast";
    case 3: return "Unicast to another host";
    case 4: return "Sent by us";
    default: return NULL;
    }
}

/* NFStest pktt's spellings (its SLLv2 layer is "sll"; SLL.etype is
 * ours). */
static const char *const alias_ptype[] = {"SLL.ptype", NULL};
static const char *const alias_dtype[] = {"SLL.dtype", NULL};
static const char *const alias_alen[] = {"SLL.alen", NULL};
static const char *const alias_saddr[] = {"SLL.saddr", NULL};
static const char *const alias_index[] = {"SLL.index", NULL};

/* clang-format off */
#define SLL_FIELD(nm, lbl, ty, part, disp, w, alias)                          \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_SLL,                \
     .get = get_sll, .at = part, .display = disp, .width = w,                 \
     .aliases = alias, .bits = 16}

static const struct trawl_field sll_fields[] = {
    {.name = "sll.pkttype", .label = "Packet type", .type = TRAWL_FT_UINT,
     .bits = 16, .proto = PROTO_SLL, .get = get_sll, .at = SLL_PKTTYPE,
     .value_name = pkttype_name, .aliases = alias_ptype},
    /* SLL_FIELD integers are 16 bits wide; sll.ifindex, 32, is spelt
     * out below. */
    SLL_FIELD("sll.hatype", "Link-layer address type", TRAWL_FT_UINT,
              SLL_HATYPE, DISP_DEC, 0, alias_dtype),
    SLL_FIELD("sll.halen", "Link-layer address length", TRAWL_FT_UINT,
              SLL_HALEN, DISP_DEC, 0, alias_alen),
    SLL_FIELD("sll.src.eth", "Source", TRAWL_FT_MAC, SLL_SRC_ETH, DISP_DEC,
              0, alias_saddr),
    SLL_FIELD("sll.src.ipv4", "Source", TRAWL_FT_IPV4, SLL_SRC_IPV4,
              DISP_DEC, 0, NULL),
    SLL_FIELD("sll.src.other", "Source", TRAWL_FT_BYTES, SLL_SRC_OTHER,
              DISP_DEC, 0, NULL),
    SLL_FIELD("sll.unused", "Unused", TRAWL_FT_BYTES, SLL_UNUSED, DISP_DEC,
              0, NULL),
    SLL_FIELD("sll.ltype", "Protocol", TRAWL_FT_UINT, SLL_LTYPE, DISP_HEX,
              4, NULL),
    SLL_FIELD("sll.gretype", "Protocol", TRAWL_FT_UINT, SLL_GRETYPE,
              DISP_HEX, 4, NULL),
    SLL_FIELD("sll.etype", "Protocol", TRAWL_FT_UINT, SLL_ETYPE, DISP_HEX, 4,
              NULL),
    {.name = "sll.ifindex", .label = "Interface index", .type = TRAWL_FT_UINT,
     .proto = PROTO_SLL, .get = get_sll, .at = SLL_IFINDEX, .bits = 32,
     .aliases = alias_index},
    {.name = "sll.trailer", .label = "Trailer", .type = TRAWL_FT_BYTES,
     .proto = PROTO_SLL, .get = get_trailer, .needs_full = true},
};
/* clang-format on */

const struct decode_proto decode_proto_sll = {
    .id = PROTO_SLL,
    .name = "sll",
    .title = "Linux cooked capture",
    .decode = decode_sll,
    .fields = sll_fields,
    .nfields = TRAWL_ARRAY_LEN(sll_fields),
    .protocols = sll_protocols,
};

/* Version 2 has its own dispatch entry (the link type) but makes PROTO_SLL
 * layers, so it has no fields of its own. */
const struct decode_proto decode_proto_sll2 = {
    .id = PROTO_SLL2,
    .name = "sll2",
    .title = "Linux cooked capture v2",
    .decode = decode_sll2,
    .fields = NULL,
    .nfields = 0,
};
