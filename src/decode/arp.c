/* ARP and RARP (RFC 826, RFC 903): a fixed 8-byte header, then sender and
 * target hardware and protocol addresses as long as the header says. As
 * tshark does, a hardware address is a MAC (arp.*.hw_mac) only for
 * Ethernet and IEEE 802 hardware with 6-byte addresses, a protocol address
 * IPv4 (arp.*.proto_ipv4) only for type 0x0800 (or AX.25's 0xcc) with
 * 4-byte addresses; other addresses show as bytes (arp.*.hw, arp.*.proto).
 * ATM ARP (hardware type 19) has a layout of its own; trawl shows only the
 * fields it shares with ARP. */
#include "decode/l2.h"

enum {
    ARP_HLEN = 8,
    ARPHRD_ETHER = 1,
    ARPHRD_IEEE802 = 6,
    ARPHRD_ATM = 19,
    ARPOP_REQUEST = 1,
    ARPOP_REPLY = 2,
};

/* Layer flag: ATM ARP. */
#define ARP_ATM 0x1

static void decode_arp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    uint32_t avail = end - off;
    if (avail < ARP_HLEN) {
        /* The fixed fields inside the captured bytes still show. */
        decode_truncated(v, PROTO_ARP, ANOM_ARP_TRUNCATED);
        return;
    }
    if (core_be16(p) == ARPHRD_ATM) {
        struct decode_layer *l = decode_push(v, PROTO_ARP, off, ARP_HLEN, end);
        if (l)
            l->flags |= ARP_ATM;
        return;
    }
    uint32_t hlen = ARP_HLEN + 2u * p[4] + 2u * p[5];
    if (hlen > avail) {
        decode_anomaly(v, ANOM_ARP_TRUNCATED);
        hlen = avail;
    }
    /* The layer's data ends with the addresses: what follows in the frame
     * is padding or trailer (eth.c). */
    decode_push(v, PROTO_ARP, off, hlen, off + hlen);
}

static const char *arp_protocols(const struct trawl_view *v,
                                 const struct decode_layer *l,
                                 const struct decode_layer *below) {
    (void)v;
    (void)below;
    return (l->flags & ARP_ATM) ? "arp:atmarp" : "arp";
}

/* The header's view of its addresses, or false when they were not all
 * captured (tshark then shows none of them). */
struct arp_addrs {
    uint16_t op;
    bool mac;  /* hardware addresses are MACs */
    bool ipv4; /* protocol addresses are IPv4 */
    uint32_t hs, ps;
    const uint8_t *sha, *spa, *tha, *tpa;
};

static bool arp_addrs(const struct trawl_view *v, const struct decode_layer *l,
                      struct arp_addrs *a) {
    const uint8_t *p = v->data + l->off;
    if ((l->flags & ARP_ATM) || l->len < ARP_HLEN)
        return false;
    uint16_t hrd = core_be16(p), pro = core_be16(p + 2);
    a->hs = p[4];
    a->ps = p[5];
    if (ARP_HLEN + 2 * (a->hs + a->ps) > l->len)
        return false;
    a->op = core_be16(p + 6);
    a->mac = (hrd == ARPHRD_ETHER || hrd == ARPHRD_IEEE802) && a->hs == 6;
    a->ipv4 = (pro == 0x0800 || pro == 0x00cc) && a->ps == 4;
    a->sha = p + ARP_HLEN;
    a->spa = a->sha + a->hs;
    a->tha = a->spa + a->ps;
    a->tpa = a->tha + a->hs;
    return true;
}

/* `at` numbers the address: 0 sender hardware, 1 sender protocol, 2
 * target hardware, 3 target protocol; `size` is 1 for the typed fields
 * (MAC, IPv4), 0 for the byte fields of other kinds of address. */
static bool get_addr(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    struct arp_addrs a;
    if (k || !arp_addrs(v, l, &a))
        return false;
    bool hw = f->at == 0 || f->at == 2;
    const uint8_t *at = f->at == 0   ? a.sha
                        : f->at == 1 ? a.spa
                        : f->at == 2 ? a.tha
                                     : a.tpa;
    bool typed = hw ? a.mac : a.ipv4;
    uint32_t n = hw ? a.hs : a.ps;
    if (f->size) {
        if (!typed)
            return false;
        memcpy(out->addr, at, n);
        return true;
    }
    if (typed || n == 0)
        return false;
    out->bytes.p = at;
    out->bytes.len = n;
    return true;
}

/* arp.isgratuitous (`at` 0): a request or reply about its own IPv4
 * address; arp.isannouncement (1): such a request with no target MAC;
 * arp.isprobe (2): a request from 0.0.0.0 with no target MAC (RFC 5227).
 * Shown only when true, as in tshark. */
static bool get_kind(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    struct arp_addrs a;
    if (k || !arp_addrs(v, l, &a) || !a.ipv4)
        return false;
    bool same = memcmp(a.spa, a.tpa, 4) == 0;
    bool no_tha = l2_all_zero(a.tha, a.hs);
    bool yes;
    switch (f->at) {
    case 0: yes = same && (a.op == ARPOP_REQUEST || a.op == ARPOP_REPLY); break;
    case 1: yes = same && a.op == ARPOP_REQUEST && no_tha; break;
    default:
        yes = !same && a.op == ARPOP_REQUEST && no_tha && l2_all_zero(a.spa, 4);
        break;
    }
    out->u = 1;
    return yes;
}

/* The address sizes mean something else in ATM ARP. */
static bool get_size(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    return !(l->flags & ARP_ATM) && decode_get_fixed(v, f, l, k, out);
}

static const char *opcode_name(uint64_t op) {
    switch (op) {
    case 1: return "request";
    case 2: return "reply";
    case 3: return "reverse request";
    case 4: return "reverse reply";
    case 8: return "inverse request";
    case 9: return "inverse reply";
    default: return NULL;
    }
}

static const char *hw_name(uint64_t t) {
    switch (t) {
    case 1: return "Ethernet";
    case 6: return "IEEE 802";
    case 15: return "Frame Relay";
    case 19: return "ATM";
    default: return NULL;
    }
}

/* NFStest pktt's spellings. */
static const char *const alias_htype[] = {"ARP.htype", NULL};
static const char *const alias_ptype[] = {"ARP.ptype", NULL};
static const char *const alias_hlen[] = {"ARP.hlen", NULL};
static const char *const alias_plen[] = {"ARP.plen", NULL};
static const char *const alias_oper[] = {"ARP.oper", NULL};
static const char *const alias_sha[] = {"ARP.sha", NULL};
static const char *const alias_spa[] = {"ARP.spa", NULL};
static const char *const alias_tha[] = {"ARP.tha", NULL};
static const char *const alias_tpa[] = {"ARP.tpa", NULL};

/* clang-format off */
#define ARP_FIXED(nm, lbl, getter, off, sz, disp, w, names, alias)           \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = PROTO_ARP,     \
     .get = getter, .at = off, .size = sz, .display = disp, .width = w,       \
     .value_name = names, .aliases = alias}
#define ARP_ADDR(nm, lbl, ty, which, typed, alias)                            \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_ARP,                \
     .get = get_addr, .at = which, .size = typed, .aliases = alias}
#define ARP_KIND(nm, lbl, which)                                              \
    {.name = nm, .label = lbl, .type = TRAWL_FT_BOOL, .proto = PROTO_ARP,     \
     .get = get_kind, .at = which}

static const struct trawl_field arp_fields[] = {
    ARP_FIXED("arp.hw.type", "Hardware type", NULL, 0, 2, DISP_DEC, 0,
              hw_name, alias_htype),
    ARP_FIXED("arp.proto.type", "Protocol type", NULL, 2, 2, DISP_HEX, 4,
              NULL, alias_ptype),
    ARP_FIXED("arp.hw.size", "Hardware size", get_size, 4, 1, DISP_DEC, 0,
              NULL, alias_hlen),
    ARP_FIXED("arp.proto.size", "Protocol size", get_size, 5, 1, DISP_DEC, 0,
              NULL, alias_plen),
    ARP_FIXED("arp.opcode", "Opcode", NULL, 6, 2, DISP_DEC, 0, opcode_name,
              alias_oper),
    ARP_KIND("arp.isgratuitous", "Is gratuitous", 0),
    ARP_KIND("arp.isannouncement", "Is announcement", 1),
    ARP_KIND("arp.isprobe", "Is probe", 2),
    ARP_ADDR("arp.src.hw_mac", "Sender MAC address", TRAWL_FT_MAC, 0, 1,
             alias_sha),
    ARP_ADDR("arp.src.hw", "Sender hardware address", TRAWL_FT_BYTES, 0, 0,
             NULL),
    ARP_ADDR("arp.src.proto_ipv4", "Sender IP address", TRAWL_FT_IPV4, 1, 1,
             alias_spa),
    ARP_ADDR("arp.src.proto", "Sender protocol address", TRAWL_FT_BYTES, 1,
             0, NULL),
    ARP_ADDR("arp.dst.hw_mac", "Target MAC address", TRAWL_FT_MAC, 2, 1,
             alias_tha),
    ARP_ADDR("arp.dst.hw", "Target hardware address", TRAWL_FT_BYTES, 2, 0,
             NULL),
    ARP_ADDR("arp.dst.proto_ipv4", "Target IP address", TRAWL_FT_IPV4, 3, 1,
             alias_tpa),
    ARP_ADDR("arp.dst.proto", "Target protocol address", TRAWL_FT_BYTES, 3,
             0, NULL),
};
/* clang-format on */

const struct decode_proto decode_proto_arp = {
    .id = PROTO_ARP,
    .name = "arp",
    .title = "Address Resolution Protocol",
    .decode = decode_arp,
    .fields = arp_fields,
    .nfields = TRAWL_ARRAY_LEN(arp_fields),
    .protocols = arp_protocols,
};
