/* ICMP (RFC 792). Error messages quote the offending IP header, which is
 * decoded as a layer of its own, as tshark shows it. */
#include "decode/decode.h"

enum { ICMP_HLEN = 8 };

static bool icmp_is_error(uint8_t type) {
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* Echo, timestamp, information and address mask messages. */
static bool icmp_has_id(uint8_t type) {
    return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

static void decode_icmp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < ICMP_HLEN) {
        /* tshark shows nothing of fewer than 6 bytes (through the
         * identifier), the rest when there are more. */
        decode_anomaly(v, ANOM_ICMP_TRUNCATED);
        if (end - off >= 6)
            decode_push(v, PROTO_ICMP, off, end - off, end);
        return;
    }
    if (!decode_push(v, PROTO_ICMP, off, ICMP_HLEN, end))
        return;
    uint16_t next = icmp_is_error(p[0]) ? PROTO_IP : PROTO_DATA;
    decode_next(v, next, off + ICMP_HLEN, end);
}

/* Extended echo request and reply (RFC 8335): a 16-bit identifier, but
 * an 8-bit sequence number tshark shows under a name of its own. */
static bool icmp_is_ext_echo(uint8_t type) {
    return type == 42 || type == 43;
}

/* Identifier and sequence number exist in echo and information messages;
 * tshark shows them in both byte orders (`f->shift` 1: little endian). */
static bool get_idseq(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    uint8_t type = v->data[l->off];
    bool ident = f->at == 4;
    if (k || !(icmp_has_id(type) || (ident && icmp_is_ext_echo(type))) ||
        l->len < f->at + 2u)
        return false;
    const uint8_t *q = v->data + l->off + f->at;
    out->u = f->shift ? core_le16(q) : core_be16(q);
    return true;
}

static const char *type_name(uint64_t t) {
    switch (t) {
    case 0: return "Echo (ping) reply";
    case 3: return "Destination unreachable";
    case 4: return "Source quench (flow control)";
    case 5: return "Redirect";
    case 8: return "Echo (ping) request";
    case 9: return "Router advertisement";
    case 10: return "Router solicitation";
    case 11: return "Time-to-live exceeded";
    case 12: return "Parameter problem";
    case 13: return "Timestamp request";
    case 14: return "Timestamp reply";
    case 15: return "Information request";
    case 16: return "Information reply";
    case 17: return "Address mask request";
    case 18: return "Address mask reply";
    default: return NULL;
    }
}

#define IDSEQ(nm, lbl, pos, le)                                                \
    {                                                                          \
        .name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = PROTO_ICMP,  \
        .get = get_idseq, .at = pos, .shift = le, .bits = 16                   \
    }

static const struct trawl_field icmp_fields[] = {
    {.name = "icmp.type",
     .label = "Type",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_ICMP,
     .at = 0,
     .size = 1,
     .value_name = type_name},
    FIELD_U("icmp.code", "Code", PROTO_ICMP, 1, 1, 0, 0),
    FIELD_H("icmp.checksum", "Checksum", PROTO_ICMP, 2, 2, 0, 0, 4),
    {.name = "icmp.checksum.status",
     .bits = 8,
     .label = "Checksum Status",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_ICMP,
     .get = decode_get_msg_csum_status,
     .at = 2,
     .size = 2,
     .value_name = decode_csum_status_name},
    IDSEQ("icmp.ident", "Identifier (BE)", 4, 0),
    IDSEQ("icmp.ident_le", "Identifier (LE)", 4, 1),
    IDSEQ("icmp.seq", "Sequence Number (BE)", 6, 0),
    IDSEQ("icmp.seq_le", "Sequence Number (LE)", 6, 1),
};

const struct decode_proto decode_proto_icmp = {
    .id = PROTO_ICMP,
    .name = "icmp",
    .title = "Internet Control Message Protocol",
    .decode = decode_icmp,
    .fields = icmp_fields,
    .nfields = TRAWL_ARRAY_LEN(icmp_fields),
};
