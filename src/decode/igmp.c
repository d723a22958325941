/* IGMP v1, v2 (RFC 2236) and v3 (RFC 3376). */
#include "decode/decode.h"

static void decode_igmp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < 8) {
        decode_anomaly(v, ANOM_IGMP_TRUNCATED);
        return;
    }
    decode_push(v, PROTO_IGMP, off, 8, end);
}

/* The version follows from the type, and for queries from the length and
 * the maximum response time (RFC 3376, section 7.1). */
static bool get_version(const struct trawl_view *v,
                        const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    if (k)
        return false;
    const uint8_t *p = v->data + l->off;
    switch (p[0]) {
    case 0x11:
        out->u = l->end - l->off >= 12 ? 3 : p[1] ? 2 : 1;
        return true;
    case 0x12: out->u = 1; return true;
    case 0x16:
    case 0x17: out->u = 2; return true;
    case 0x22: out->u = 3; return true;
    default: return false;
    }
}

/* The group address of queries and v1/v2 reports; a v3 report has one
 * per group record (RFC 3376, section 4.2). */
static bool get_maddr(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    const uint8_t *p = v->data + l->off;
    if (p[0] != 0x22)
        return decode_get_fixed(v, f, l, k, out);
    uint32_t nrec = core_be16(p + 6), pos = 8, end = l->end - l->off;
    for (uint32_t i = 0; i < nrec && pos + 8 <= end; i++) {
        if (i == k) {
            memcpy(out->addr, p + pos + 4, 4);
            return true;
        }
        pos += 8 + 4u * core_be16(p + pos + 2) + 4u * p[pos + 1];
    }
    return false;
}

static bool get_max_resp(const struct trawl_view *v,
                         const struct trawl_field *f,
                         const struct decode_layer *l, unsigned k,
                         struct trawl_value *out) {
    /* Unused in version 1 and reserved in v3 reports. */
    struct trawl_value ver;
    if (!get_version(v, f, l, 0, &ver) || ver.u == 1 ||
        v->data[l->off] == 0x22)
        return false;
    return decode_get_fixed(v, f, l, k, out);
}

static const struct trawl_field igmp_fields[] = {
    {.name = "igmp.version", .label = "IGMP Version", .type = TRAWL_FT_UINT,
     .proto = PROTO_IGMP, .get = get_version},
    FIELD_H("igmp.type", "Type", PROTO_IGMP, 0, 1, 0, 0, 2),
    {.name = "igmp.max_resp", .label = "Max Resp Time",
     .type = TRAWL_FT_UINT, .proto = PROTO_IGMP, .get = get_max_resp, .at = 1,
     .size = 1},
    FIELD_H("igmp.checksum", "Checksum", PROTO_IGMP, 2, 2, 0, 0, 4),
    {.name = "igmp.maddr", .label = "Multicast Address",
     .type = TRAWL_FT_IPV4, .proto = PROTO_IGMP, .get = get_maddr, .at = 4,
     .size = 4},
};

const struct decode_proto decode_proto_igmp = {
    .id = PROTO_IGMP,
    .name = "igmp",
    .title = "Internet Group Management Protocol",
    .decode = decode_igmp,
    .fields = igmp_fields,
    .nfields = TRAWL_ARRAY_LEN(igmp_fields),
};
