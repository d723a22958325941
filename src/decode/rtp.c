/* RTP (RFC 3550) over UDP. tshark decodes RTP only where it was told to
 * (SDP it saw, or decode-as); trawl, which decodes each packet on its own,
 * finds it by a conservative heuristic instead:
 *
 *   - both UDP ports even and at least 1024 (RTP's convention: RTCP takes
 *     the odd port above, and the well-known ports belong to others);
 *   - version 2, a header (12 bytes, the CSRCs, the extension header and
 *     its words) within the datagram, a padding count that fits;
 *   - a payload type of RFC 3551's static table (0 to 34, those with a
 *     name), which excludes RTCP and the dynamic types 96 to 127.
 *
 * Only a datagram no other decoder took is tried (see udp.c). Where the
 * flows saw SIP announce a session in SDP, its datagrams are RTP whatever
 * their ports and payload type (flows.c). The fields are tshark's; the
 * payload is not decoded. */
#include "decode/decode.h"

enum { RTP_HLEN = 12, RTP_PORT_MIN = 1024 };

/* Static payload types with a name (RFC 3551 tables 4 and 5). */
static const char *pt_name(uint64_t pt) {
    static const char *const names[35] = {
        [0] = "ITU-T G.711 PCMU",
        [3] = "GSM 06.10",
        [4] = "ITU-T G.723",
        [5] = "DVI4 8000Hz",
        [6] = "DVI4 16000Hz",
        [7] = "Experimental linear predictive encoding from Xerox PARC",
        [8] = "ITU-T G.711 PCMA",
        [9] = "ITU-T G.722",
        [10] = "16-bit uncomp. linear PCM audio 44100Hz stereo",
        [11] = "16-bit uncomp. linear PCM audio 44100Hz mono",
        [12] = "Qualcomm Code Excited Linear Predictive coding",
        [13] = "Comfort noise",
        [14] = "MPEG-I/II Audio",
        [15] = "ITU-T G.728",
        [16] = "DVI4 11025Hz",
        [17] = "DVI4 22050Hz",
        [18] = "ITU-T G.729",
        [25] = "Sun CellB video encoding",
        [26] = "JPEG-compressed video",
        [28] = "'nv' program",
        [31] = "ITU-T H.261",
        [32] = "MPEG-I/II Video",
        [33] = "MPEG-II transport streams",
        [34] = "ITU-T H.263"};
    return pt < TRAWL_ARRAY_LEN(names) ? names[pt] : NULL;
}

/* The header's length (fixed part, CSRCs, extension), or 0 when it does
 * not fit in n bytes. */
static uint32_t header_len(const uint8_t *p, uint32_t n) {
    uint32_t h = RTP_HLEN + 4u * (p[0] & 0x0f);
    if (h > n)
        return 0;
    if (p[0] & 0x10) {
        if (h + 4 > n)
            return 0;
        h += 4 + 4u * core_be16(p + h + 2);
        if (h > n)
            return 0;
    }
    return h;
}

bool decode_rtp_check(const struct trawl_view *v, uint32_t off, uint32_t end) {
    if (end <= off || end - off < RTP_HLEN)
        return false;
    const uint8_t *p = v->data + off;
    uint32_t n = end - off, h = header_len(p, n);
    /* RTCP's packet types 200 to 204 read as marker + types 72 to 76. */
    uint8_t pt = p[1] & 0x7f;
    if ((p[0] >> 6) != 2 || !h || (pt >= 72 && pt <= 76))
        return false;
    return !(p[0] & 0x20) || (p[n - 1] != 0 && p[n - 1] <= n - h);
}

uint16_t decode_rtp_probe(const struct trawl_view *v, uint32_t off,
                          uint32_t end, uint16_t sport, uint16_t dport) {
    if ((sport & 1) || (dport & 1) || sport < RTP_PORT_MIN ||
        dport < RTP_PORT_MIN || !decode_rtp_check(v, off, end) ||
        !pt_name(v->data[off + 1] & 0x7f))
        return PROTO_DATA;
    return PROTO_RTP;
}

static void decode_rtp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    uint32_t h = end - off >= RTP_HLEN ? header_len(p, end - off) : 0;
    if (!h)
        return; /* left as data */
    struct decode_layer *l = decode_push(v, PROTO_RTP, off, end - off, end);
    if (l)
        l->aux = h;
}

/* The CSRC list: occurrence k of the CC identifiers. */
static bool get_csrc(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)f;
    const uint8_t *p = v->data + l->off;
    if (k >= (p[0] & 0x0fu))
        return false;
    out->u = core_be32(p + RTP_HLEN + 4 * k);
    return true;
}

/* The extension header's profile (`at` 0) and length in words (2). */
static bool get_ext(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    const uint8_t *p = v->data + l->off;
    if (k || !(p[0] & 0x10))
        return false;
    out->u = core_be16(p + RTP_HLEN + 4 * (p[0] & 0x0f) + f->at);
    return true;
}

static uint32_t pad_count(const struct trawl_view *v,
                          const struct decode_layer *l) {
    const uint8_t *p = v->data + l->off;
    return (p[0] & 0x20) ? p[l->len - 1] : 0;
}

/* The payload (`at` 0), the padding count (1) and the padding before it
 * (2). */
static bool get_payload(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    uint32_t pad = pad_count(v, l), h = l->aux;
    if (k || h + pad > l->len)
        return false;
    switch (f->at) {
    case 0:
        if (l->len - pad == h)
            return false;
        out->bytes.p = v->data + l->off + h;
        out->bytes.len = l->len - pad - h;
        return true;
    case 1: out->u = pad; return pad > 0;
    default:
        if (pad < 2)
            return false;
        out->bytes.p = v->data + l->off + l->len - pad;
        out->bytes.len = pad - 1;
        return true;
    }
}

/* clang-format off */
static const struct trawl_field rtp_fields[] = {
    FIELD_U("rtp.version", "Version", PROTO_RTP, 0, 1, 0xc0, 6),
    FIELD_B("rtp.padding", "Padding", PROTO_RTP, 0, 1, 0x20, 5),
    FIELD_B("rtp.ext", "Extension", PROTO_RTP, 0, 1, 0x10, 4),
    FIELD_U("rtp.cc", "Contributing source identifiers count", PROTO_RTP, 0,
            1, 0x0f, 0),
    FIELD_B("rtp.marker", "Marker", PROTO_RTP, 1, 1, 0x80, 7),
    {.name = "rtp.p_type", .label = "Payload type", .type = TRAWL_FT_UINT,
     .proto = PROTO_RTP, .at = 1, .size = 1, .mask = 0x7f,
     .value_name = pt_name},
    FIELD_U("rtp.seq", "Sequence number", PROTO_RTP, 2, 2, 0, 0),
    FIELD_U("rtp.timestamp", "Timestamp", PROTO_RTP, 4, 4, 0, 0),
    FIELD_H("rtp.ssrc", "Synchronization Source identifier", PROTO_RTP, 8, 4,
            0, 0, 8),
    {.name = "rtp.csrc.item", .label = "CSRC item", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 8, .proto = PROTO_RTP, .get = get_csrc,
     .bits = 32},
    {.name = "rtp.ext.profile", .label = "Defined by profile",
     .type = TRAWL_FT_UINT, .display = DISP_HEX, .width = 4,
     .proto = PROTO_RTP, .get = get_ext, .at = 0, .bits = 16},
    {.name = "rtp.ext.len", .label = "Extension length", .type = TRAWL_FT_UINT,
     .proto = PROTO_RTP, .get = get_ext, .at = 2, .bits = 16},
    {.name = "rtp.payload", .label = "Payload", .type = TRAWL_FT_BYTES,
     .proto = PROTO_RTP, .get = get_payload, .at = 0},
    {.name = "rtp.padding.count", .label = "Padding count",
     .type = TRAWL_FT_UINT, .proto = PROTO_RTP, .get = get_payload, .at = 1,
     .bits = 8},
    {.name = "rtp.padding.data", .label = "Padding data",
     .type = TRAWL_FT_BYTES, .proto = PROTO_RTP, .get = get_payload, .at = 2},
};
/* clang-format on */

const struct decode_proto decode_proto_rtp = {
    .id = PROTO_RTP,
    .name = "rtp",
    .title = "Real-Time Transport Protocol",
    .decode = decode_rtp,
    .fields = rtp_fields,
    .nfields = TRAWL_ARRAY_LEN(rtp_fields),
};
