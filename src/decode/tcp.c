/* TCP (RFC 9293). Options are parsed only by the extractors and checks
 * that need them, never while decoding. */
#include "decode/decode.h"

enum {
    TCP_HLEN_MIN = 20,
    TCP_PORTS_LEN = 4,
    TCP_FIXED_LEN = 16, /* through the window */
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_MSS = 2,
    OPT_WSCALE = 3,
    OPT_SACK_PERM = 4,
    OPT_SACK = 5,      /* its edges are relative in tshark: not shown */
    SACK_MIN_LEN = 10, /* one block */
    OPT_TIMESTAMP = 8,
    OPT_MPTCP = 30,      /* Multipath TCP (RFC 8684) */
    OPT_RVBD_PROBE = 76, /* Riverbed's WAN optimizers' probe */
    /* Its subtypes whose fixed fields take more than the subtype byte,
     * and the flags of a DSS option that add fields (section 3.3). */
    MP_CAPABLE = 0,
    MP_DSS = 2,
    MP_ADD_ADDR = 3,
    MP_FAIL = 6,
    MP_FASTCLOSE = 7,
    MP_TCPRST = 8,
    DSS_ACK = 0x01,     /* a data ACK, */
    DSS_ACK8 = 0x02,    /* of 8 bytes */
    DSS_MAP = 0x04,     /* a mapping: sequence numbers and length, */
    DSS_MAP_SEQ8 = 0x08 /* its data sequence number of 8 bytes */
};

static void decode_tcp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    uint32_t avail = end - off;
    /* tshark reads the ports, then the 12 bytes after them, before it
     * shows any of them: of a header cut short, only what it shows is
     * pushed. Cut before the ports, no field shows (nor does its filter
     * 'tcp' match), but frame.protocols names TCP. */
    if (avail < TCP_PORTS_LEN) {
        decode_anomaly(v, ANOM_TCP_TRUNCATED);
        decode_listed(v, PROTO_TCP, 0);
        return;
    }
    if (avail < TCP_FIXED_LEN) {
        decode_malformed(v, PROTO_TCP, ANOM_TCP_TRUNCATED, TCP_PORTS_LEN);
        return;
    }
    uint32_t hlen = (uint32_t)(p[12] >> 4) * 4;
    if (hlen < TCP_HLEN_MIN) {
        /* As tshark: ports, sequence number and data offset show. */
        decode_malformed(v, PROTO_TCP, ANOM_TCP_HLEN_TOO_SMALL, 13);
        return;
    }
    if (avail < hlen) {
        decode_truncated(v, PROTO_TCP, ANOM_TCP_TRUNCATED);
        return;
    }
    if (!decode_push(v, PROTO_TCP, off, hlen, end))
        return;
    uint16_t next = decode_rpc_probe(v, off + hlen, end, core_be16(p),
                                     core_be16(p + 2), true);
    if (next == PROTO_DATA)
        next = decode_sip_probe(v, off + hlen, end, true);
    decode_next(v, next, off + hlen, end);
}

static uint32_t hdr_len(const struct trawl_view *v,
                        const struct decode_layer *l) {
    return (uint32_t)(v->data[l->off + 12] >> 4) * 4;
}

/* Whether the layer holds the whole header its data offset announces. */
static bool whole(const struct trawl_view *v, const struct decode_layer *l) {
    return l->len >= TCP_HLEN_MIN && l->len == hdr_len(v, l);
}

/* A TCP header quoted in an ICMP error: tshark shows neither its raw
 * sequence number nor a segment length. */
static bool quoted(const struct trawl_view *v, const struct decode_layer *l) {
    return decode_below(v, l, PROTO_ICMP) || decode_below(v, l, PROTO_ICMPV6);
}

/* ---- options ----------------------------------------------------------
 * Walked the way tshark lists them: EOL ends the list, but zero bytes of
 * padding after it show as more EOLs; an option whose length is below 2 or
 * runs past the header ends the walk unshown. In a header the capture cut
 * short, an option shows when its kind and length bytes were captured,
 * its value only when all of it was. */
struct opt_iter {
    const uint8_t *p; /* the TCP header */
    uint32_t pos;
    uint32_t end; /* the header's length */
    uint32_t cap; /* bytes of it captured */
    bool eol;     /* an EOL was seen */
    bool bad;     /* the walk ended at a malformed option */
};

struct tcp_opt {
    const uint8_t *p; /* the option's first byte */
    uint8_t kind;
    uint32_t len; /* 1 for EOL and NOP */
    uint32_t cap; /* bytes of it captured */
};

static void opt_begin(struct opt_iter *it, const struct trawl_view *v,
                      const struct decode_layer *l) {
    it->p = v->data + l->off;
    it->pos = TCP_HLEN_MIN;
    /* Layers of a bogus data offset or of ports only have no options. */
    it->end = l->len >= TCP_FIXED_LEN ? hdr_len(v, l) : 0;
    it->cap = l->len;
    it->eol = false;
    it->bad = false;
}

/* The shortest Multipath TCP option tshark reads without failing: the
 * subtype and what the subtype's fixed fields need. `q` is the option,
 * `cap` its bytes captured (past them nothing more is read anyway). */
static uint32_t mptcp_min_len(const uint8_t *q, uint32_t cap) {
    if (cap < 3)
        return 3;
    switch (q[2] >> 4) {
    case MP_CAPABLE:
    case MP_ADD_ADDR:
    case MP_TCPRST: return 4;
    case MP_FAIL:
    case MP_FASTCLOSE: return 12; /* an 8-byte sequence number or key */
    case MP_DSS: {
        if (cap < 4)
            return 4;
        uint32_t n = 4;
        if (q[3] & DSS_ACK)
            n += q[3] & DSS_ACK8 ? 8 : 4;
        if (q[3] & DSS_MAP) /* + subflow sequence number, length */
            n += (q[3] & DSS_MAP_SEQ8 ? 8 : 4) + 4 + 2;
        return n;
    }
    default: return 3;
    }
}

/* The same for Riverbed's probe option, by the type in its third byte's
 * high nibble and the version its low bit tells: tshark reads the fields
 * of each type (without the type, it reads nothing). */
static uint32_t rvbd_probe_min_len(const uint8_t *q, uint32_t cap) {
    static const uint8_t v1[16] = {10, 14, 0, 10, 10, 18, 8, 8, 8, 8, 8};
    if (cap < 3)
        return 0;
    unsigned type = q[2] >> 4;
    if (q[2] & 1)
        return v1[type];
    return type == 1 ? 8 : 0;
}

static bool opt_long_enough(const struct tcp_opt *o) {
    switch (o->kind) {
    case OPT_MPTCP: return o->len >= mptcp_min_len(o->p, o->cap);
    case OPT_RVBD_PROBE: return o->len >= rvbd_probe_min_len(o->p, o->cap);
    default: return true;
    }
}

static bool opt_next(struct opt_iter *it, struct tcp_opt *o) {
    if (it->pos >= it->end || it->pos >= it->cap)
        return false;
    const uint8_t *q = it->p + it->pos;
    if (it->eol && q[0] != OPT_EOL)
        return false;
    uint32_t len = 1;
    if (q[0] == OPT_EOL) {
        it->eol = true;
    } else if (q[0] != OPT_NOP) {
        if (it->cap - it->pos < 2)
            return false; /* the length byte was not captured */
        if (q[1] < 2 || q[1] > it->end - it->pos) {
            it->bad = true;
            return false;
        }
        len = q[1];
    }
    o->p = q;
    o->kind = q[0];
    o->len = len;
    o->cap = it->cap - it->pos < len ? it->cap - it->pos : len;
    it->pos += len;
    /* tshark fails after a SACK option without one whole block (looking
     * for a duplicate SACK in it) and lists no option after it; bytes
     * left over after whole blocks it only flags. */
    if (o->kind == OPT_SACK && len < SACK_MIN_LEN)
        it->end = it->pos;
    /* So with a Multipath TCP or Riverbed probe option too short for its
     * fields. */
    if (!opt_long_enough(o))
        it->end = it->pos;
    return true;
}

/* The value of size `size` at `at` in the k-th option of kind `kind`
 * whose length is `optlen` (tshark shows no value for a wrong length),
 * when the value was captured. */
static bool opt_value(const struct trawl_view *v, const struct decode_layer *l,
                      unsigned k, uint8_t kind, uint32_t optlen, uint32_t at,
                      unsigned size, struct trawl_value *out) {
    struct opt_iter it;
    struct tcp_opt o;
    opt_begin(&it, v, l);
    while (opt_next(&it, &o)) {
        if (o.kind != kind || o.len != optlen || o.cap < at + size || k--)
            continue;
        out->u = size == 1   ? o.p[at]
                 : size == 2 ? core_be16(o.p + at)
                             : core_be32(o.p + at);
        return true;
    }
    return false;
}

/* Which options nth_option() counts besides those of one kind. */
enum { ANY_OPTION = -1, OPTION_WITH_LENGTH = -2 };

/* The k-th option of kind `kind` (or of any kind, or of any kind with a
 * length byte) in the walk. */
static bool nth_option(const struct trawl_view *v, const struct decode_layer *l,
                       int kind, unsigned k, struct tcp_opt *o) {
    struct opt_iter it;
    opt_begin(&it, v, l);
    while (opt_next(&it, o)) {
        bool match = kind == ANY_OPTION           ? true
                     : kind == OPTION_WITH_LENGTH ? o->kind > OPT_NOP
                                                  : o->kind == kind;
        if (match && k-- == 0)
            return true;
    }
    return false;
}

static bool get_option_kind(const struct trawl_view *v,
                            const struct trawl_field *f,
                            const struct decode_layer *l, unsigned k,
                            struct trawl_value *out) {
    (void)f;
    struct tcp_opt o;
    if (!nth_option(v, l, ANY_OPTION, k, &o))
        return false;
    out->u = o.kind;
    return true;
}

/* The length of every option that has one (not EOL, not NOP). */
static bool get_option_len(const struct trawl_view *v,
                           const struct trawl_field *f,
                           const struct decode_layer *l, unsigned k,
                           struct trawl_value *out) {
    (void)f;
    struct tcp_opt o;
    if (!nth_option(v, l, OPTION_WITH_LENGTH, k, &o))
        return false;
    out->u = o.len;
    return true;
}

static bool get_mss(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    (void)f;
    return opt_value(v, l, k, OPT_MSS, 4, 2, 2, out);
}

static bool get_wscale(const struct trawl_view *v, const struct trawl_field *f,
                       const struct decode_layer *l, unsigned k,
                       struct trawl_value *out) {
    (void)f;
    return opt_value(v, l, k, OPT_WSCALE, 3, 2, 1, out);
}

static bool get_tsval(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    (void)f;
    return opt_value(v, l, k, OPT_TIMESTAMP, 10, 2, 4, out);
}

static bool get_tsecr(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out) {
    (void)f;
    return opt_value(v, l, k, OPT_TIMESTAMP, 10, 6, 4, out);
}

/* tshark shows "SACK permitted" as the option's own bytes, once they
 * were all captured. */
static bool get_sack_perm(const struct trawl_view *v,
                          const struct trawl_field *f,
                          const struct decode_layer *l, unsigned k,
                          struct trawl_value *out) {
    (void)f;
    struct tcp_opt o;
    if (!nth_option(v, l, OPT_SACK_PERM, k, &o) || o.cap != o.len)
        return false;
    out->bytes.p = o.p;
    out->bytes.len = o.len;
    return true;
}

/* ---- the fixed header -------------------------------------------------- */

static bool get_seq(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    return !quoted(v, l) && decode_get_fixed(v, f, l, k, out);
}

/* tshark reads the acknowledgment number after the data offset, and not
 * at all when the offset is bogus. */
static bool get_ack(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    return l->len >= 13 && hdr_len(v, l) >= TCP_HLEN_MIN &&
           decode_get_fixed(v, f, l, k, out);
}

static bool get_hdr_len(const struct trawl_view *v, const struct trawl_field *f,
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
    /* tshark shows no length for a segment in a fragment. */
    if (k || l->len < 13 || quoted(v, l) || decode_ip_fragment(v, l))
        return false;
    uint64_t start = (uint64_t)l->off + hdr_len(v, l);
    uint64_t wire_end = decode_ip_wire_end(v, l);
    if (wire_end < start)
        return false; /* the frame ends inside the header */
    out->u = wire_end - start;
    return true;
}

/* Options with a length the RFCs fix, SACK whose blocks are 8 bytes, and
 * those long enough for their fields. */
static bool opt_length_ok(const struct tcp_opt *o) {
    if (!opt_long_enough(o))
        return false;
    switch (o->kind) {
    case OPT_MSS: return o->len == 4;
    case OPT_WSCALE: return o->len == 3;
    case OPT_SACK_PERM: return o->len == 2;
    case OPT_TIMESTAMP: return o->len == 10;
    case OPT_SACK: return o->len >= SACK_MIN_LEN && (o->len - 2) % 8 == 0;
    default: return true;
    }
}

static uint64_t tcp_csum_status(const struct trawl_view *v,
                                const struct decode_layer *l) {
    uint64_t wire_end = decode_ip_wire_end(v, l);
    if (wire_end < (uint64_t)l->off + l->len)
        return CSUM_UNVERIFIED;
    return decode_l4_csum_status(v, l, 6, wire_end - l->off);
}

static uint64_t check_tcp(const struct trawl_view *v,
                          const struct decode_layer *l) {
    uint64_t found = 0;
    if (!whole(v, l))
        return 0;
    struct opt_iter it;
    struct tcp_opt o;
    bool ok = true;
    opt_begin(&it, v, l);
    while (opt_next(&it, &o))
        ok = ok && opt_length_ok(&o);
    if (!ok || it.bad)
        found |= ANOM_BIT(ANOM_TCP_OPT_MALFORMED);
    if (tcp_csum_status(v, l) == CSUM_BAD)
        found |= ANOM_BIT(ANOM_TCP_BAD_CHECKSUM);
    return found;
}

/* Good or bad when the view verifies checksums and it can be verified,
 * else unverified (tshark's default). */
static bool get_csum_status(const struct trawl_view *v,
                            const struct trawl_field *f,
                            const struct decode_layer *l, unsigned k,
                            struct trawl_value *out) {
    if (k || l->len < (uint32_t)f->at + f->size)
        return false;
    out->u = whole(v, l) ? tcp_csum_status(v, l) : CSUM_UNVERIFIED;
    return true;
}

/* tshark lists Multipath TCP after tcp once per option of it the walk
 * meets; 40 bytes of options hold at most 20. */
#define MP1 ":mptcp"
#define MP2 MP1 MP1
#define MP4 MP2 MP2
#define MP8 MP4 MP4
static const char *const tcp_names[] = {
    "tcp",               "tcp" MP1,           "tcp" MP2,
    "tcp" MP2 MP1,       "tcp" MP4,           "tcp" MP4 MP1,
    "tcp" MP4 MP2,       "tcp" MP4 MP2 MP1,   "tcp" MP8,
    "tcp" MP8 MP1,       "tcp" MP8 MP2,       "tcp" MP8 MP2 MP1,
    "tcp" MP8 MP4,       "tcp" MP8 MP4 MP1,   "tcp" MP8 MP4 MP2,
    "tcp" MP8 MP4 MP2 MP1, "tcp" MP8 MP8,     "tcp" MP8 MP8 MP1,
    "tcp" MP8 MP8 MP2,   "tcp" MP8 MP8 MP2 MP1, "tcp" MP8 MP8 MP4,
};

static const char *tcp_protocols(const struct trawl_view *v,
                                 const struct decode_layer *l,
                                 const struct decode_layer *below) {
    (void)below;
    struct opt_iter it;
    struct tcp_opt o;
    size_t n = 0;
    opt_begin(&it, v, l);
    while (opt_next(&it, &o))
        if (o.kind == OPT_MPTCP && n + 1 < TRAWL_ARRAY_LEN(tcp_names))
            n++;
    return tcp_names[n];
}

static const char *const alias_sport[] = {"TCP.src_port", NULL};
static const char *const alias_dport[] = {"TCP.dst_port", NULL};
static const char *const alias_seq[] = {"TCP.seq_number", NULL};
static const char *const alias_ack[] = {"TCP.ack_number", NULL};
static const char *const alias_hlen[] = {"TCP.header_size", NULL};
static const char *const alias_flags[] = {"TCP.flags_raw", NULL};
static const char *const alias_ns[] = {"TCP.flags.NS", NULL};
static const char *const alias_rst[] = {"TCP.flags.RST", NULL};
static const char *const alias_psh[] = {"TCP.flags.PSH", NULL};
static const char *const alias_win[] = {"TCP.window_size", NULL};
static const char *const alias_urg[] = {"TCP.urgent_ptr", NULL};

#define FLAG(nm, lbl, bit, al)                                                 \
    {                                                                          \
        .name = nm, .label = lbl, .type = TRAWL_FT_BOOL, .proto = PROTO_TCP,   \
        .at = 12, .size = 2, .mask = 1u << (bit), .shift = bit, .aliases = al  \
    }

static const struct trawl_field tcp_fields[] = {
    {.name = "tcp.srcport",
     .label = "Source Port",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .at = 0,
     .size = 2,
     .aliases = alias_sport},
    {.name = "tcp.dstport",
     .label = "Destination Port",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .at = 2,
     .size = 2,
     .aliases = alias_dport},
    {.name = "tcp.serverport",
     .bits = 16,
     .label = "Server Port (trawl)",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = decode_get_server_port},
    {.name = "tcp.port",
     .bits = 16,
     .label = "Source or Destination Port",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = decode_get_port_pair},
    {.name = "tcp.seq_raw",
     .label = "Sequence Number (raw)",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_seq,
     .at = 4,
     .size = 4,
     .aliases = alias_seq},
    {.name = "tcp.ack_raw",
     .label = "Acknowledgment number (raw)",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_ack,
     .at = 8,
     .size = 4,
     .aliases = alias_ack},
    {.name = "tcp.hdr_len",
     .bits = 8,
     .label = "Header Length",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_hdr_len,
     .aliases = alias_hlen},
    {.name = "tcp.flags",
     .label = "Flags",
     .type = TRAWL_FT_UINT,
     .display = DISP_HEX,
     .width = 4,
     .proto = PROTO_TCP,
     .at = 12,
     .size = 2,
     .mask = 0x0fff,
     .aliases = alias_flags},
    {.name = "tcp.flags.res",
     .label = "Reserved",
     .type = TRAWL_FT_BOOL,
     .proto = PROTO_TCP,
     .at = 12,
     .size = 2,
     .mask = 0x0e00,
     .shift = 9},
    FLAG("tcp.flags.ae", "Accurate ECN", 8, alias_ns),
    FLAG("tcp.flags.cwr", "Congestion Window Reduced", 7, NULL),
    FLAG("tcp.flags.ece", "ECN-Echo", 6, NULL),
    FLAG("tcp.flags.urg", "Urgent", 5, NULL),
    FLAG("tcp.flags.ack", "Acknowledgment", 4, NULL),
    FLAG("tcp.flags.push", "Push", 3, alias_psh),
    FLAG("tcp.flags.reset", "Reset", 2, alias_rst),
    FLAG("tcp.flags.syn", "Syn", 1, NULL),
    FLAG("tcp.flags.fin", "Fin", 0, NULL),
    {.name = "tcp.window_size_value",
     .label = "Window",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .at = 14,
     .size = 2,
     .aliases = alias_win},
    FIELD_H("tcp.checksum", "Checksum", PROTO_TCP, 16, 2, 0, 0, 4),
    {.name = "tcp.checksum.status",
     .bits = 8,
     .label = "Checksum Status",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_csum_status,
     .at = 16,
     .size = 2,
     .value_name = decode_csum_status_name},
    {.name = "tcp.urgent_pointer",
     .label = "Urgent Pointer",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .at = 18,
     .size = 2,
     .aliases = alias_urg},
    {.name = "tcp.len",
     .bits = 32,
     .label = "TCP Segment Len",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_len},
    {.name = "tcp.option_kind",
     .bits = 8,
     .label = "Kind",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_option_kind},
    {.name = "tcp.option_len",
     .bits = 8,
     .label = "Length",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_option_len},
    {.name = "tcp.options.mss_val",
     .bits = 16,
     .label = "MSS Value",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_mss},
    {.name = "tcp.options.wscale.shift",
     .bits = 8,
     .label = "Shift count",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_wscale},
    {.name = "tcp.options.sack_perm",
     .label = "TCP SACK Permitted Option",
     .type = TRAWL_FT_BYTES,
     .proto = PROTO_TCP,
     .get = get_sack_perm},
    {.name = "tcp.options.timestamp.tsval",
     .bits = 32,
     .label = "Timestamp value",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_tsval},
    {.name = "tcp.options.timestamp.tsecr",
     .bits = 32,
     .label = "Timestamp echo reply",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_TCP,
     .get = get_tsecr},
};

const struct decode_proto decode_proto_tcp = {
    .id = PROTO_TCP,
    .name = "tcp",
    .title = "Transmission Control Protocol",
    .decode = decode_tcp,
    .fields = tcp_fields,
    .nfields = TRAWL_ARRAY_LEN(tcp_fields),
    .protocols = tcp_protocols,
    .check = check_tcp,
};
