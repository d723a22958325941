/* The frame pseudo-layer: what the capture record says about the packet
 * (number, lengths, time, interface), the decoder anomalies as boolean
 * fields, and the dispatch from link type to the first real protocol. */
#include "decode/decode.h"

/* LINKTYPE_* values (tcpdump.org/linktypes.html). */
enum {
    LINKTYPE_NULL = 0,
    LINKTYPE_ETHERNET = 1,
    LINKTYPE_RAW = 101,
    LINKTYPE_LOOP = 108,
    LINKTYPE_LINUX_SLL = 113,
    LINKTYPE_IPV4 = 228,
    LINKTYPE_IPV6 = 229,
    LINKTYPE_LINUX_SLL2 = 276,
    DLT_RAW_BSD = 12, /* DLT_RAW on some BSDs, as libpcap maps it */
    DLT_RAW_OPENBSD = 14,
};

uint16_t decode_by_linktype(int linktype) {
    switch (linktype) {
    case LINKTYPE_ETHERNET: return PROTO_ETH;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: return PROTO_NULLLINK;
    case LINKTYPE_LINUX_SLL: return PROTO_SLL;
    case LINKTYPE_LINUX_SLL2: return PROTO_SLL2;
    case LINKTYPE_IPV4: return PROTO_IP;
    case LINKTYPE_IPV6: return PROTO_IPV6;
    case LINKTYPE_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD:
        /* Raw IP: the version nibble says which; PROTO_IP's decoder hands
         * a version-6 header to the IPv6 decoder. */
        return PROTO_IP;
    default: return PROTO_DATA;
    }
}

static bool get_number(const struct trawl_view *v, const struct trawl_field *f,
                       const struct decode_layer *l, unsigned k,
                       struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k)
        return false;
    out->u = v->pkt.index + 1;
    return true;
}

static bool get_len(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k)
        return false;
    out->u = v->pkt.len;
    return true;
}

static bool get_cap_len(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k)
        return false;
    out->u = v->pkt.caplen;
    return true;
}

static bool get_time(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k)
        return false;
    out->time.sec = v->pkt.ts_sec;
    out->time.nsec = v->pkt.ts_nsec;
    return true;
}

static bool get_iface(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    (void)f;
    (void)l;
    /* Only pcapng names interfaces; tshark shows no id for pcap records. */
    if (k || v->pkt.block == TRAWL_BLOCK_PCAP_RECORD)
        return false;
    out->u = v->pkt.iface;
    return true;
}

static bool get_comment(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k || !v->pkt.comment)
        return false;
    out->bytes.p = (const uint8_t *)v->pkt.comment;
    out->bytes.len = strlen(v->pkt.comment);
    return true;
}

static bool get_direction(const struct trawl_view *v,
                          const struct trawl_field *f,
                          const struct decode_layer *l, unsigned k,
                          struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k || !v->pkt.has_flags || !(v->pkt.flags & TRAWL_PKT_DIR_MASK))
        return false;
    out->u = v->pkt.flags & TRAWL_PKT_DIR_MASK;
    return true;
}

static bool get_flags(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k || !v->pkt.has_flags)
        return false;
    out->u = v->pkt.flags;
    return true;
}

static bool get_crc_error(const struct trawl_view *v,
                          const struct trawl_field *f,
                          const struct decode_layer *l, unsigned k,
                          struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k || !v->pkt.has_flags)
        return false;
    out->u = (v->pkt.flags & TRAWL_PKT_FLAG_CRC_ERROR) != 0;
    return true;
}

/* Anomaly fields: `at` holds the anomaly id. Present only when set, so a
 * bare `ipv4.hlen_too_small` is a presence test. */
static bool get_anomaly(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out);

/* frame.protocols: the string decode_frame_protocols() built. */
static bool get_protocols(const struct trawl_view *v,
                          const struct trawl_field *f,
                          const struct decode_layer *l, unsigned k,
                          struct trawl_value *out) {
    (void)f;
    (void)l;
    if (k || v->protocols_len < 0)
        return false;
    out->bytes.p = (const uint8_t *)v->protocols;
    out->bytes.len = (size_t)v->protocols_len;
    return true;
}

/* Fields tshark always shows with the same value for a frame read from a
 * file: frame.marked and frame.ignored (no user marks frames here) and
 * frame.offset_shift (trawl never shifts time stamps). */
static bool get_zero(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)v;
    (void)l;
    if (k)
        return false;
    if (f->type == TRAWL_FT_RELTIME) {
        out->time.sec = 0;
        out->time.nsec = 0;
    } else {
        out->u = 0;
    }
    return true;
}

static const char *direction_name(uint64_t d) {
    return d == 1 ? "inbound" : d == 2 ? "outbound" : NULL;
}

static const char *const alias_number[] = {"frame.num", NULL};

/* clang-format off */
#define ANOMALY_FIELD(id, aname)                                            \
    {.name = aname, .label = "Anomaly: " aname, .type = TRAWL_FT_BOOL,        \
     .proto = PROTO_FRAME, .get = get_anomaly, .at = ANOM_##id,             \
     .needs_full = true},

static const struct trawl_field frame_fields[] = {
    {.name = "frame.number", .label = "Frame Number", .type = TRAWL_FT_UINT,
     .proto = PROTO_FRAME, .get = get_number, .aliases = alias_number,
     .bits = 32},
    {.name = "frame.time_epoch", .label = "Epoch Time", .type = TRAWL_FT_TIME,
     .proto = PROTO_FRAME, .get = get_time},
    {.name = "frame.len", .label = "Frame Length", .type = TRAWL_FT_UINT,
     .proto = PROTO_FRAME, .get = get_len, .bits = 32},
    {.name = "frame.cap_len", .label = "Capture Length",
     .type = TRAWL_FT_UINT, .proto = PROTO_FRAME, .get = get_cap_len,
     .bits = 32},
    {.name = "frame.interface_id", .label = "Interface id",
     .type = TRAWL_FT_UINT, .proto = PROTO_FRAME, .get = get_iface,
     .bits = 32},
    {.name = "frame.comment", .label = "Comment", .type = TRAWL_FT_STRING,
     .proto = PROTO_FRAME, .get = get_comment},
    {.name = "frame.packet_flags", .label = "Packet flags",
     .type = TRAWL_FT_UINT, .display = DISP_HEX, .width = 8,
     .proto = PROTO_FRAME, .get = get_flags, .bits = 32},
    {.name = "frame.packet_flags_direction", .label = "Direction",
     .type = TRAWL_FT_UINT, .display = DISP_HEX, .width = 8,
     .proto = PROTO_FRAME, .get = get_direction,
     .value_name = direction_name, .bits = 32},
    {.name = "frame.packet_flags_crc_error", .label = "CRC error",
     .type = TRAWL_FT_BOOL, .proto = PROTO_FRAME, .get = get_crc_error},
    {.name = "frame.offset_shift", .label = "Time shift for this packet",
     .type = TRAWL_FT_RELTIME, .proto = PROTO_FRAME, .get = get_zero},
    {.name = "frame.marked", .label = "Frame is marked",
     .type = TRAWL_FT_BOOL, .proto = PROTO_FRAME, .get = get_zero},
    {.name = "frame.ignored", .label = "Frame is ignored",
     .type = TRAWL_FT_BOOL, .proto = PROTO_FRAME, .get = get_zero},
    {.name = "frame.protocols", .label = "Protocols in frame",
     .type = TRAWL_FT_STRING, .proto = PROTO_FRAME, .get = get_protocols,
     .needs_full = true},
    DECODE_ANOMALY_LIST(ANOMALY_FIELD)
};
/* clang-format on */

static bool get_anomaly(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)l;
    if (k || !(v->anomalies & ((uint64_t)1 << f->at)))
        return false;
    out->u = 1;
    return true;
}

static void decode_frame(struct trawl_view *v) {
    (void)v; /* the frame layer is pushed by trawl_view_set() */
}

/* tshark starts the list of a raw-IP frame with "raw" (its name for the
 * link type); other link types start with their first protocol. */
static const char *frame_protocols(const struct trawl_view *v,
                                   const struct decode_layer *l,
                                   const struct decode_layer *below) {
    (void)l;
    (void)below;
    switch (v->pkt.linktype) {
    case LINKTYPE_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD: return "raw";
    default: return NULL;
    }
}

/* Appends one name and its ':' separator; a name that does not fit ends
 * the list there, so the string never ends in half a name. */
static void append_protocol(struct trawl_view *v, const char *name) {
    size_t have = (size_t)v->protocols_len;
    size_t n = strlen(name);
    size_t sep = have ? 1 : 0;
    if (have + sep + n >= sizeof v->protocols)
        return;
    if (sep)
        v->protocols[have] = ':';
    memcpy(v->protocols + have + sep, name, n + 1);
    v->protocols_len = (int)(have + sep + n);
}

static const char *layer_protocols(const struct trawl_view *v,
                                   const struct decode_layer *l,
                                   const struct decode_layer *below) {
    const struct decode_proto *p = decode_protos[l->proto];
    return p->protocols ? p->protocols(v, l, below) : p->name;
}

void decode_frame_protocols(struct trawl_view *v) {
    v->protocols_len = 0;
    v->protocols[0] = '\0';
    const struct decode_layer *below = NULL;
    for (unsigned i = 0; i < v->nlayers; i++) {
        const char *name = layer_protocols(v, &v->layers[i], below);
        if (name)
            append_protocol(v, name);
        below = &v->layers[i];
    }
    if (v->tail_proto < PROTO_COUNT && below) {
        /* The protocol that was handed zero bytes, as a layer of length
         * 0 after the last one. */
        struct decode_layer tail = {.proto = v->tail_proto,
                                    .off = below->end,
                                    .end = below->end,
                                    .aux = v->tail_aux};
        const char *name = layer_protocols(v, &tail, below);
        if (name)
            append_protocol(v, name);
    }
}

const struct decode_proto decode_proto_frame = {
    .id = PROTO_FRAME,
    .name = "frame",
    .title = "Frame",
    .decode = decode_frame,
    .fields = frame_fields,
    .nfields = TRAWL_ARRAY_LEN(frame_fields),
    .protocols = frame_protocols,
};
