/* TCP (RFC 9293). Options are parsed only by the extractors that need
 * them, never while decoding. */
#include "decode/decode.h"

static void decode_tcp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 20) {
        decode_truncated(v, PROTO_TCP, ANOM_TCP_TRUNCATED);
        return;
    }
    uint32_t hlen = (uint32_t)(p[12] >> 4) * 4;
    if (hlen < 20) {
        decode_anomaly(v, ANOM_TCP_HLEN_TOO_SMALL);
        return;
    }
    if (hlen > end - off) {
        decode_anomaly(v, ANOM_TCP_TRUNCATED);
        decode_push(v, PROTO_TCP, off, end - off, end);
        return;
    }
    if (!decode_push(v, PROTO_TCP, off, hlen, end))
        return;
    decode_next(v, PROTO_DATA, off + hlen, end);
}

static uint32_t hdr_len(const struct trawl_view *v,
                        const struct decode_layer *l) {
    return (uint32_t)(v->data[l->off + 12] >> 4) * 4;
}

/* A TCP header quoted in an ICMP error: tshark shows neither its raw
 * sequence number nor a segment length. */
static bool quoted(const struct trawl_view *v, const struct decode_layer *l) {
    return decode_below(v, l, PROTO_ICMP) || decode_below(v, l, PROTO_ICMPV6);
}

static bool get_seq(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    return !quoted(v, l) && decode_get_fixed(v, f, l, k, out);
}

static bool get_hdr_len(const struct trawl_view *v,
                        const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    if (k || l->len < 13)
        return false;
    out->u = hdr_len(v, l);
    return true;
}

/* Segment length as tshark computes it: from the IP lengths on the wire,
 * not from what was captured. */
static bool get_len(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    (void)f;
    if (k || l->len < 20 || l->len < hdr_len(v, l) || quoted(v, l))
        return false;
    const struct decode_layer *ip = l - 1;
    uint64_t wire_end;
    if (l == v->layers)
        return false;
    const struct decode_layer *v4 = decode_below(v, l, PROTO_IP);
    const struct decode_layer *v6 = decode_below(v, l, PROTO_IPV6);
    if (v4 && (!v6 || v4 > v6)) {
        uint32_t totlen = core_be16(v->data + v4->off + 2);
        wire_end = totlen ? (uint64_t)v4->off + totlen : ip->end;
    } else if (v6) {
        uint32_t plen = core_be16(v->data + v6->off + 4);
        wire_end = plen ? (uint64_t)v6->off + 40 + plen : ip->end;
    } else {
        wire_end = l->end;
    }
    uint64_t start = (uint64_t)l->off + hdr_len(v, l);
    out->u = wire_end > start ? wire_end - start : 0;
    return true;
}

/* Finds option `kind` (or, with kind < 0, the k-th option of any kind).
 * Returns its offset in the packet and length, or false. */
static bool find_option(const struct trawl_view *v,
                        const struct decode_layer *l, int kind, unsigned k,
                        uint32_t *at, uint32_t *len) {
    uint32_t pos = l->off + 20, end = l->off + l->len;
    unsigned n = 0;
    while (pos < end) {
        uint8_t kd = v->data[pos];
        uint32_t ol = 1;
        if ((kind < 0 && n++ == k)) {
            /* The kind is shown even when the option is cut short. */
            *at = pos;
            *len = 1;
            return true;
        }
        if (kd > 1) {
            if (pos + 1 >= end)
                return false;
            ol = v->data[pos + 1];
            if (ol < 2 || ol > end - pos)
                return false;
        }
        if (kd == kind) {
            *at = pos;
            *len = ol;
            return true;
        }
        if (kd == 0)
            return false;
        pos += ol;
    }
    return false;
}

static bool get_option_kind(const struct trawl_view *v,
                            const struct trawl_field *f,
                            const struct decode_layer *l, unsigned k,
                            struct trawl_value *out) {
    (void)f;
    uint32_t at, len;
    if (!find_option(v, l, -1, k, &at, &len))
        return false;
    out->u = v->data[at];
    return true;
}

/* Option values: `f->mask` holds the option kind, `f->at` the value's
 * offset in the option and `f->size` its size. */
static bool get_option_value(const struct trawl_view *v,
                             const struct trawl_field *f,
                             const struct decode_layer *l, unsigned k,
                             struct trawl_value *out) {
    uint32_t at, len;
    if (k || !find_option(v, l, (int)f->mask, 0, &at, &len) ||
        len < (uint32_t)f->at + f->size)
        return false;
    uint64_t x = 0;
    for (unsigned i = 0; i < f->size; i++)
        x = x << 8 | v->data[at + f->at + i];
    out->u = x;
    return true;
}

#define OPTION_FIELD(nm, lbl, kind, off, sz)                                \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = PROTO_TCP,   \
     .get = get_option_value, .mask = kind, .at = off, .size = sz}

static const char *const alias_sport[] = {"TCP.src_port", NULL};
static const char *const alias_dport[] = {"TCP.dst_port", NULL};
static const char *const alias_seq[] = {"TCP.seq_number", NULL};
static const char *const alias_ack[] = {"TCP.ack_number", NULL};
static const char *const alias_rst[] = {"TCP.flags.RST", NULL};
static const char *const alias_psh[] = {"TCP.flags.PSH", NULL};
static const char *const alias_ece[] = {"TCP.flags.ECE", NULL};
static const char *const alias_win[] = {"TCP.window_size", NULL};
static const char *const alias_hlen[] = {"TCP.hl", NULL};

#define FLAG(nm, lbl, bit, al)                                              \
    {.name = nm, .label = lbl, .type = TRAWL_FT_BOOL, .proto = PROTO_TCP,   \
     .at = 12, .size = 2, .mask = 1u << (bit), .shift = bit, .aliases = al}

static const struct trawl_field tcp_fields[] = {
    {.name = "tcp.srcport", .label = "Source Port", .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP, .at = 0, .size = 2, .aliases = alias_sport},
    {.name = "tcp.dstport", .label = "Destination Port",
     .type = TRAWL_FT_UINT, .proto = PROTO_TCP, .at = 2, .size = 2,
     .aliases = alias_dport},
    {.name = "tcp.port", .label = "Source or Destination Port",
     .type = TRAWL_FT_UINT, .proto = PROTO_TCP, .get = decode_get_port_pair},
    {.name = "tcp.seq_raw", .label = "Sequence Number (raw)",
     .type = TRAWL_FT_UINT, .proto = PROTO_TCP, .get = get_seq, .at = 4,
     .size = 4, .aliases = alias_seq},
    {.name = "tcp.ack_raw", .label = "Acknowledgment number (raw)",
     .type = TRAWL_FT_UINT, .proto = PROTO_TCP, .at = 8, .size = 4,
     .aliases = alias_ack},
    {.name = "tcp.hdr_len", .label = "Header Length", .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP, .get = get_hdr_len, .aliases = alias_hlen},
    FIELD_H("tcp.flags", "Flags", PROTO_TCP, 12, 2, 0x0fff, 0, 4),
    {.name = "tcp.flags.res", .label = "Reserved", .type = TRAWL_FT_BOOL,
     .proto = PROTO_TCP, .at = 12, .size = 2, .mask = 0x0e00, .shift = 9},
    FLAG("tcp.flags.ae", "Accurate ECN", 8, NULL),
    FLAG("tcp.flags.cwr", "Congestion Window Reduced", 7, NULL),
    FLAG("tcp.flags.ece", "ECN-Echo", 6, alias_ece),
    FLAG("tcp.flags.urg", "Urgent", 5, NULL),
    FLAG("tcp.flags.ack", "Acknowledgment", 4, NULL),
    FLAG("tcp.flags.push", "Push", 3, alias_psh),
    FLAG("tcp.flags.reset", "Reset", 2, alias_rst),
    FLAG("tcp.flags.syn", "Syn", 1, NULL),
    FLAG("tcp.flags.fin", "Fin", 0, NULL),
    {.name = "tcp.window_size_value", .label = "Window",
     .type = TRAWL_FT_UINT, .proto = PROTO_TCP, .at = 14, .size = 2,
     .aliases = alias_win},
    FIELD_H("tcp.checksum", "Checksum", PROTO_TCP, 16, 2, 0, 0, 4),
    FIELD_U("tcp.urgent_pointer", "Urgent Pointer", PROTO_TCP, 18, 2, 0, 0),
    {.name = "tcp.len", .label = "TCP Segment Len", .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP, .get = get_len},
    {.name = "tcp.option_kind", .label = "Option Kind",
     .type = TRAWL_FT_UINT, .proto = PROTO_TCP, .get = get_option_kind},
    OPTION_FIELD("tcp.options.mss_val", "MSS Value", 2, 2, 2),
    OPTION_FIELD("tcp.options.wscale.shift", "Shift count", 3, 2, 1),
    OPTION_FIELD("tcp.options.timestamp.tsval", "Timestamp value", 8, 2, 4),
    OPTION_FIELD("tcp.options.timestamp.tsecr", "Timestamp echo reply", 8, 6,
                 4),
};

const struct decode_proto decode_proto_tcp = {
    .id = PROTO_TCP,
    .name = "tcp",
    .title = "Transmission Control Protocol",
    .decode = decode_tcp,
    .fields = tcp_fields,
    .nfields = TRAWL_ARRAY_LEN(tcp_fields),
};
