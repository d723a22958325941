/* SCTP (RFC 9260): the common header and the type of every chunk. */
#include "decode/decode.h"

static void decode_sctp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < 12) {
        decode_anomaly(v, ANOM_SCTP_TRUNCATED);
        return;
    }
    /* The chunks are the header's own data: walked by the extractors. */
    decode_push(v, PROTO_SCTP, off, 12, end);
}

/* Chunk k's type; `f->at` 0 = type, 1 = flags, 2 = length. */
static bool get_chunk(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    uint32_t pos = l->off + 12;
    for (unsigned n = 0; pos + 4 <= l->end; n++) {
        uint32_t clen = core_be16(v->data + pos + 2);
        if (n == k) {
            out->u = f->at == 2 ? clen : v->data[pos + f->at];
            return true;
        }
        if (clen < 4)
            return false;
        pos += (clen + 3) & ~3u;
    }
    return false;
}

static const struct trawl_field sctp_fields[] = {
    FIELD_U("sctp.srcport", "Source port", PROTO_SCTP, 0, 2, 0, 0),
    FIELD_U("sctp.dstport", "Destination port", PROTO_SCTP, 2, 2, 0, 0),
    {.name = "sctp.port", .label = "Port", .type = TRAWL_FT_UINT,
     .proto = PROTO_SCTP, .get = decode_get_port_pair},
    FIELD_H("sctp.verification_tag", "Verification tag", PROTO_SCTP, 4, 4, 0,
            0, 8),
    FIELD_H("sctp.checksum", "Checksum", PROTO_SCTP, 8, 4, 0, 0, 8),
    {.name = "sctp.chunk_type", .label = "Chunk type", .type = TRAWL_FT_UINT,
     .proto = PROTO_SCTP, .get = get_chunk, .at = 0},
    {.name = "sctp.chunk_flags", .label = "Chunk flags",
     .type = TRAWL_FT_UINT, .display = DISP_HEX, .width = 2,
     .proto = PROTO_SCTP, .get = get_chunk, .at = 1},
    {.name = "sctp.chunk_length", .label = "Chunk length",
     .type = TRAWL_FT_UINT, .proto = PROTO_SCTP, .get = get_chunk, .at = 2},
};

const struct decode_proto decode_proto_sctp = {
    .id = PROTO_SCTP,
    .name = "sctp",
    .title = "Stream Control Transmission Protocol",
    .decode = decode_sctp,
    .fields = sctp_fields,
    .nfields = TRAWL_ARRAY_LEN(sctp_fields),
};
