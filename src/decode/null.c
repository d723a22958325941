/* BSD loopback encapsulation: a 4-byte header before the packet.
 *
 * LINKTYPE_LOOP (108) holds an address family in network byte order.
 * LINKTYPE_NULL (0) holds it in the byte order of the host that captured,
 * which the file does not record, and some systems put other things
 * there. trawl reads it as tshark does on a little-endian machine (every
 * machine tshark 4.0 is commonly run on), so both agree on every file:
 *   - 0xff 0x03 first: a PPP frame in HDLC-like framing (shown as data);
 *   - the 4 bytes as a little-endian number; if its upper 16 bits are set,
 *     it was written big-endian: a value whose top byte is 0 and next byte
 *     below 6 is a 16-bit family in the upper half (IRIX and UNICOS put
 *     it there), anything else is byte-swapped; if the upper 16 bits are
 *     clear and the low byte is 0 with the next byte below 6, it is a
 *     16-bit family written big-endian, shifted down;
 *   - a result above 1500 is an ethertype (null.type, its low 16 bits),
 *     otherwise an address family (null.family).
 * Families 2 (AF_INET) and 24, 28, 30 (AF_INET6 on NetBSD/OpenBSD,
 * FreeBSD, Darwin) are decoded; Linux's AF_INET6 (10) and other families
 * are data, as in tshark. */
#include "decode/decode.h"

enum {
    NULL_HLEN = 4,
    LINKTYPE_LOOP = 108,
    NULL_MAX_FAMILY = 1500, /* above: an ethertype */
};

/* Layer flag: the header holds an ethertype (aux), not a family. */
#define NULL_ETHERTYPE 0x1

static uint32_t null_header_value(const uint8_t *p, bool network_order) {
    if (network_order)
        return core_be32(p);
    uint32_t h = core_le32(p);
    if (h & 0xffff0000u) {
        if (!(h & 0xff000000u) && (h & 0x00ff0000u) < 0x00060000u)
            return h >> 16;
        return core_be32(p);
    }
    if (!(h & 0xffu) && (h & 0xff00u) < 0x0600u)
        return h >> 8;
    return h;
}

static uint16_t by_family(uint32_t family) {
    switch (family) {
    case 2: return PROTO_IP;
    case 24: /* NetBSD, OpenBSD */
    case 28: /* FreeBSD */
    case 30: /* Darwin */ return PROTO_IPV6;
    default: return PROTO_DATA;
    }
}

static void decode_null(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < NULL_HLEN) {
        /* tshark shows no field of a cut header (both are 4 bytes). */
        decode_truncated(v, PROTO_NULLLINK, ANOM_NULL_TRUNCATED);
        return;
    }
    bool loop = v->pkt.linktype == LINKTYPE_LOOP;
    if (!loop && p[0] == 0xff && p[1] == 0x03) {
        /* PPP in HDLC-like framing, with no loopback header at all. */
        if (decode_push(v, PROTO_NULLLINK, off, 0, end))
            decode_next(v, PROTO_DATA, off, end);
        return;
    }
    struct decode_layer *l =
        decode_push(v, PROTO_NULLLINK, off, NULL_HLEN, end);
    if (!l)
        return;
    uint32_t h = null_header_value(p, loop);
    uint16_t next;
    if (!loop && h > NULL_MAX_FAMILY) {
        l->flags |= NULL_ETHERTYPE;
        l->aux = (uint16_t)h;
        v->next_aux = l->aux;
        next = decode_by_ethertype((uint16_t)h);
    } else {
        l->aux = h;
        next = by_family(h);
    }
    /* tshark names the next protocol of an empty LINKTYPE_NULL payload,
     * not of an empty LINKTYPE_LOOP one. */
    if (loop)
        decode_next(v, next, off + NULL_HLEN, end);
    else
        decode_next_listed(v, next, off + NULL_HLEN, end);
}

/* null.family (`at` 0) and null.type (`at` 1), from the decoded value. */
static bool get_value(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    (void)v;
    if (k || l->len < NULL_HLEN)
        return false;
    bool type = (l->flags & NULL_ETHERTYPE) != 0;
    if (type != (f->at == 1))
        return false;
    out->u = l->aux;
    return true;
}

static const char *family_name(uint64_t f) {
    switch (f) {
    case 2: return "IP";
    case 24:
    case 28:
    case 30: return "IPv6";
    default: return NULL;
    }
}

/* clang-format off */
static const struct trawl_field null_fields[] = {
    {.name = "null.type", .bits = 16, .label = "Type", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_NULLLINK,
     .get = get_value, .at = 1},
    {.name = "null.family", .label = "Family", .type = TRAWL_FT_UINT,
     .bits = 32, .proto = PROTO_NULLLINK, .get = get_value, .at = 0,
     .value_name = family_name},
};
/* clang-format on */

const struct decode_proto decode_proto_null = {
    .id = PROTO_NULLLINK,
    .name = "null",
    .title = "Null/Loopback",
    .decode = decode_null,
    .fields = null_fields,
    .nfields = TRAWL_ARRAY_LEN(null_fields),
};
