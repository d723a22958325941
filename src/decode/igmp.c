/* IGMP v0 (RFC 988), v1, v2 (RFC 2236) and v3 (RFC 3376). */
#include "decode/decode.h"

enum {
    IGMP_HLEN = 8,
    IGMP_V3_QUERY_LEN = 12,
    /* Version 0 (RFC 988): type, code, checksum, identifier, group
     * address, access key; its types are those below 16. */
    IGMP_V0_LEN = 20,
    IGMP_V0_MAX_TYPE = 0x0f,
    IGMP_V0_GROUP = 8,
    IGMP_QUERY = 0x11,
    IGMP_V1_REPORT = 0x12,
    IGMP_V2_REPORT = 0x16,
    IGMP_V2_LEAVE = 0x17,
    IGMP_V3_REPORT = 0x22,
    IGMP_MTRACE_RESP = 0x1e,
    IGMP_MTRACE = 0x1f,
    VERSION_NONE = 0xff, /* a type that tells no version */
    /* Group records are walked from the first for each one asked for;
     * the cap bounds the square (see sctp.c). */
    IGMP_MAX_RECORDS = 256,
};

/* The message's length on the wire, as the IP header gives it. */
static uint64_t msg_len(const struct trawl_view *v,
                        const struct decode_layer *l) {
    uint64_t wire_end = decode_ip_wire_end(v, l);
    return wire_end > l->off ? wire_end - l->off : 0;
}

/* What tshark shows of a message of this type. DVMRP (0x13), PIM version
 * 1 (0x14) and IGAP (0x40 to 0x42) are other protocols, which trawl does
 * not decode: tshark with their dissectors off shows of them what it shows
 * of a type it does not know, the type and nothing after it (not even
 * data). */
enum igmp_kind { KIND_UNKNOWN, KIND_V0, KIND_MTRACE, KIND_GROUP };

static enum igmp_kind kind_of(uint8_t type) {
    if (type <= IGMP_V0_MAX_TYPE)
        return KIND_V0;
    switch (type) {
    case IGMP_QUERY:
    case IGMP_V1_REPORT:
    case IGMP_V2_REPORT:
    case IGMP_V2_LEAVE:
    case IGMP_V3_REPORT: return KIND_GROUP;
    case IGMP_MTRACE_RESP:
    case IGMP_MTRACE: return KIND_MTRACE;
    default: return KIND_UNKNOWN;
    }
}

static void decode_igmp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    uint32_t avail = end - off;
    if (kind_of(v->data[off]) == KIND_V0) {
        /* tshark reads the 20 bytes of the message and no more. */
        if (avail < IGMP_V0_LEN)
            decode_anomaly(v, ANOM_IGMP_TRUNCATED);
        decode_push(v, PROTO_IGMP, off,
                    avail < IGMP_V0_LEN ? avail : IGMP_V0_LEN, end);
        return;
    }
    if (avail >= IGMP_V3_QUERY_LEN || v->data[off] != IGMP_QUERY) {
        if (avail < IGMP_HLEN) {
            decode_truncated(v, PROTO_IGMP, ANOM_IGMP_TRUNCATED);
            return;
        }
        decode_push(v, PROTO_IGMP, off, IGMP_HLEN, end);
        return;
    }
    /* A query whose length makes it version 3 is read whole by tshark
     * before it shows more than the version: cut short, only the type
     * byte is pushed. */
    struct decode_layer *l = decode_push(v, PROTO_IGMP, off, avail, end);
    if (l && msg_len(v, l) >= IGMP_V3_QUERY_LEN) {
        decode_anomaly(v, ANOM_IGMP_TRUNCATED);
        l->len = 1;
    } else if (l && avail < IGMP_HLEN) {
        decode_anomaly(v, ANOM_IGMP_TRUNCATED);
    } else if (l) {
        l->len = IGMP_HLEN;
    }
}

/* The version follows from the type, and for queries from the length and
 * the maximum response time (RFC 3376, section 7.1); VERSION_NONE when
 * unknown. */
static unsigned version(const struct trawl_view *v,
                        const struct decode_layer *l) {
    const uint8_t *p = v->data + l->off;
    if (kind_of(p[0]) == KIND_V0)
        return 0;
    switch (p[0]) {
    case IGMP_QUERY:
        if (msg_len(v, l) >= IGMP_V3_QUERY_LEN)
            return 3;
        return l->len < 2 ? VERSION_NONE : p[1] ? 2 : 1;
    case IGMP_V1_REPORT: return 1;
    case IGMP_V2_REPORT:
    case IGMP_V2_LEAVE: return 2;
    case IGMP_V3_REPORT: return 3;
    default: return VERSION_NONE;
    }
}

static bool get_version(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    out->u = version(v, l);
    return !k && out->u != VERSION_NONE;
}

/* Fields of the types tshark knows (group messages of every version and
 * multicast traceroutes) only. */
static bool get_known(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    return kind_of(v->data[l->off]) >= KIND_V0 &&
           decode_get_fixed(v, f, l, k, out);
}

/* The group address of queries and v1/v2 reports, further on in v0
 * messages; a v3 report has one per group record (RFC 3376, section
 * 4.2). */
static bool get_maddr(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    const uint8_t *p = v->data + l->off;
    if (kind_of(p[0]) == KIND_V0) {
        if (k || l->len < IGMP_V0_GROUP + 4)
            return false;
        memcpy(out->addr, p + IGMP_V0_GROUP, 4);
        return true;
    }
    if (p[0] != IGMP_V3_REPORT)
        return get_known(v, f, l, k, out);
    if (l->len < IGMP_HLEN || k >= IGMP_MAX_RECORDS)
        return false;
    uint32_t nrec = core_be16(p + 6), pos = IGMP_HLEN, end = l->end - l->off;
    for (uint32_t i = 0; i < nrec && end - pos >= 8; i++) {
        if (i == k) {
            memcpy(out->addr, p + pos + 4, 4);
            return true;
        }
        /* Header, sources, auxiliary data; pos stays far below 2^32. */
        pos += 8 + 4u * core_be16(p + pos + 2) + 4u * p[pos + 1];
        if (pos > end)
            return false;
    }
    return false;
}

/* The type shows unless it is a query whose version tshark could not
 * tell (its maximum response time cut off). */
static bool get_type(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    if (v->data[l->off] == IGMP_QUERY && version(v, l) == VERSION_NONE)
        return false;
    return decode_get_fixed(v, f, l, k, out);
}

static bool get_max_resp(const struct trawl_view *v,
                         const struct trawl_field *f,
                         const struct decode_layer *l, unsigned k,
                         struct trawl_value *out) {
    /* Unused before version 2 and reserved in v3 reports. */
    unsigned ver = version(v, l);
    if ((ver != 2 && ver != 3) || v->data[l->off] == IGMP_V3_REPORT ||
        !decode_get_fixed(v, f, l, k, out))
        return false;
    /* A v3 code from 128 up is a floating-point value (RFC 3376, section
     * 4.1.1), which tshark shows decoded. */
    if (ver == 3 && out->u >= 128)
        out->u = (uint64_t)((out->u & 0x0f) | 0x10)
                 << (((out->u >> 4) & 7) + 3);
    return true;
}

/* The status of a checksum tshark verifies over the first `n` bytes of
 * the message, even in the quotation of an ICMP error: unverified unless
 * all were captured, or in a fragment. */
static uint64_t csum_status(const struct trawl_view *v,
                            const struct decode_layer *l, uint64_t n) {
    if ((uint64_t)l->off + n > l->end || decode_ip_fragment(v, l))
        return CSUM_UNVERIFIED;
    return decode_csum_fold(decode_csum_add(0, v->data + l->off, (size_t)n))
               ? CSUM_BAD
               : CSUM_GOOD;
}

/* tshark verifies a v0 message's checksum over its 20 bytes and a v1 or
 * v2 message's over its 8, whatever the IP length says; that of v3
 * messages and traceroutes over the whole message (however short), as
 * long as the IP header, or the quoted one, says. */
static bool get_csum_status(const struct trawl_view *v,
                            const struct trawl_field *f,
                            const struct decode_layer *l, unsigned k,
                            struct trawl_value *out) {
    (void)f;
    if (k || l->len < 4 || kind_of(v->data[l->off]) < KIND_V0)
        return false;
    unsigned ver = version(v, l);
    uint64_t n = ver == 0               ? IGMP_V0_LEN
                 : ver == 1 || ver == 2 ? IGMP_HLEN
                                        : msg_len(v, l);
    out->u = csum_status(v, l, n);
    return true;
}

static const struct trawl_field igmp_fields[] = {
    {.name = "igmp.version", .bits = 8,
     .label = "IGMP Version",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IGMP,
     .get = get_version},
    {.name = "igmp.type",
     .label = "Type",
     .type = TRAWL_FT_UINT,
     .display = DISP_HEX,
     .width = 2,
     .proto = PROTO_IGMP,
     .get = get_type,
     .at = 0,
     .size = 1},
    {.name = "igmp.max_resp",
     .label = "Max Resp Time",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IGMP,
     .get = get_max_resp,
     .at = 1,
     .size = 1},
    {.name = "igmp.checksum",
     .label = "Checksum",
     .type = TRAWL_FT_UINT,
     .display = DISP_HEX,
     .width = 4,
     .proto = PROTO_IGMP,
     .get = get_known,
     .at = 2,
     .size = 2},
    {.name = "igmp.checksum.status", .bits = 8,
     .label = "Checksum Status",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IGMP,
     .get = get_csum_status,
     .value_name = decode_csum_status_name},
    {.name = "igmp.maddr",
     .label = "Multicast Address",
     .type = TRAWL_FT_IPV4,
     .proto = PROTO_IGMP,
     .get = get_maddr,
     .at = 4,
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
