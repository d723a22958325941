/* ICMP (RFC 792). Error messages quote the offending IP header, which is
 * decoded as a layer of its own, as tshark shows it. */
#include "decode/decode.h"

static bool icmp_is_error(uint8_t type) {
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool icmp_has_id(uint8_t type) {
    return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

static void decode_icmp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 4) {
        decode_truncated(v, PROTO_ICMP, ANOM_ICMP_TRUNCATED);
        return;
    }
    uint32_t hlen = end - off >= 8 ? 8 : 4;
    if (!decode_push(v, PROTO_ICMP, off, hlen, end))
        return;
    uint16_t next = icmp_is_error(p[0]) && hlen == 8 ? PROTO_IP : PROTO_DATA;
    decode_next(v, next, off + hlen, end);
}

/* Identifier and sequence number exist in echo and information messages. */
static bool get_idseq(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    if (!icmp_has_id(v->data[l->off]))
        return false;
    return decode_get_fixed(v, f, l, k, out);
}

static const char *type_name(uint64_t t) {
    switch (t) {
    case 0: return "Echo (ping) reply";
    case 3: return "Destination unreachable";
    case 5: return "Redirect";
    case 8: return "Echo (ping) request";
    case 11: return "Time-to-live exceeded";
    case 12: return "Parameter problem";
    case 13: return "Timestamp";
    case 14: return "Timestamp reply";
    default: return NULL;
    }
}

static const struct trawl_field icmp_fields[] = {
    {.name = "icmp.type", .label = "Type", .type = TRAWL_FT_UINT,
     .proto = PROTO_ICMP, .at = 0, .size = 1, .value_name = type_name},
    FIELD_U("icmp.code", "Code", PROTO_ICMP, 1, 1, 0, 0),
    FIELD_H("icmp.checksum", "Checksum", PROTO_ICMP, 2, 2, 0, 0, 4),
    {.name = "icmp.ident", .label = "Identifier (BE)", .type = TRAWL_FT_UINT,
     .proto = PROTO_ICMP, .get = get_idseq, .at = 4, .size = 2},
    {.name = "icmp.seq", .label = "Sequence Number (BE)",
     .type = TRAWL_FT_UINT, .proto = PROTO_ICMP, .get = get_idseq, .at = 6,
     .size = 2},
};

const struct decode_proto decode_proto_icmp = {
    .id = PROTO_ICMP,
    .name = "icmp",
    .title = "Internet Control Message Protocol",
    .decode = decode_icmp,
    .fields = icmp_fields,
    .nfields = TRAWL_ARRAY_LEN(icmp_fields),
};
