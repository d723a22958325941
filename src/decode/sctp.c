/* SCTP (RFC 9260): the common header and the type of every chunk. */
#include "decode/decode.h"

enum {
    SCTP_HLEN = 12,
    /* Each chunk field walks the chunks from the first, so listing all of
     * them costs the square of their number: a packet of tiny chunks
     * could cost seconds. No real packet bundles more than a few dozen. */
    SCTP_MAX_CHUNKS = 256,
};

static void decode_sctp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    if (end - off < SCTP_HLEN) {
        /* tshark shows nothing of a common header cut short. */
        decode_anomaly(v, ANOM_SCTP_TRUNCATED);
        return; /* the bytes become data */
    }
    /* The chunks are the header's own data: walked by the extractors. */
    decode_push(v, PROTO_SCTP, off, SCTP_HLEN, end);
}

/* Chunk k's type (`f->at` 0), flags (1) or length (2). tshark shows a
 * chunk once it has all of it, padding included, unless the capture
 * holds the whole packet; a chunk whose length is below 4 ends the walk
 * after it. */
static bool get_chunk(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    if (k >= SCTP_MAX_CHUNKS)
        return false;
    bool whole = l->end >= decode_ip_wire_end(v, l);
    uint32_t pos = l->off + SCTP_HLEN; /* never past l->end */
    for (unsigned n = 0; l->end - pos >= 4; n++) {
        uint32_t clen = core_be16(v->data + pos + 2);
        uint32_t step = (clen + 3) & ~3u; /* chunks are padded to 4 */
        if (!whole && step > l->end - pos)
            return false;
        if (n == k) {
            out->u = f->at == 2 ? clen : v->data[pos + f->at];
            return true;
        }
        if (clen < 4 || step > l->end - pos)
            return false;
        pos += step;
    }
    return false;
}

static const struct trawl_field sctp_fields[] = {
    FIELD_U("sctp.srcport", "Source port", PROTO_SCTP, 0, 2, 0, 0),
    FIELD_U("sctp.dstport", "Destination port", PROTO_SCTP, 2, 2, 0, 0),
    {.name = "sctp.port",
     .bits = 16,
     .label = "Port",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_SCTP,
     .get = decode_get_port_pair},
    FIELD_H("sctp.verification_tag", "Verification tag", PROTO_SCTP, 4, 4, 0, 0,
            8),
    FIELD_H("sctp.checksum", "Checksum", PROTO_SCTP, 8, 4, 0, 0, 8),
    {.name = "sctp.checksum.status",
     .bits = 8,
     .label = "Checksum Status",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_SCTP,
     .get = decode_get_csum_unverified,
     .at = 8,
     .size = 4,
     .value_name = decode_csum_status_name},
    {.name = "sctp.chunk_type",
     .bits = 8,
     .label = "Chunk type",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_SCTP,
     .get = get_chunk,
     .at = 0},
    {.name = "sctp.chunk_flags",
     .bits = 8,
     .label = "Chunk flags",
     .type = TRAWL_FT_UINT,
     .display = DISP_HEX,
     .width = 2,
     .proto = PROTO_SCTP,
     .get = get_chunk,
     .at = 1},
    {.name = "sctp.chunk_length",
     .bits = 16,
     .label = "Chunk length",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_SCTP,
     .get = get_chunk,
     .at = 2},
};

const struct decode_proto decode_proto_sctp = {
    .id = PROTO_SCTP,
    .name = "sctp",
    .title = "Stream Control Transmission Protocol",
    .decode = decode_sctp,
    .fields = sctp_fields,
    .nfields = TRAWL_ARRAY_LEN(sctp_fields),
};
