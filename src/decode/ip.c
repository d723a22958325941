/* IPv4 (RFC 791), and the dispatch on the IP protocol number that IPv4,
 * IPv6 and its extension headers share. */
#include "decode/decode.h"

enum {
    IP_HLEN_MIN = 20,
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_LSRR = 131, /* loose source route */
    OPT_SSRR = 137, /* strict source route */
    LINKTYPE_IPV4 = 228,
};

uint16_t decode_by_ipproto(uint8_t proto) {
    switch (proto) {
    case 1: return PROTO_ICMP;
    case 2: return PROTO_IGMP;
    case 4: return PROTO_IP; /* IPv4 in IP */
    case 6: return PROTO_TCP;
    case 17: return PROTO_UDP;
    case 41: return PROTO_IPV6; /* IPv6 in IP */
    case 47: return PROTO_GRE;
    case 58: return PROTO_ICMPV6;
    case 132: return PROTO_SCTP;
    case 0:  /* hop-by-hop options */
    case 43: /* routing */
    case 44: /* fragment */
    case 51: /* authentication header */
    case 60: /* destination options */ return PROTO_IPV6_EXT;
    default: return PROTO_DATA;
    }
}

/* ---- options (RFC 791, section 3.1) --------------------------------------
 * Walked as tshark walks them: EOL ends the list; a length byte missing,
 * below 2 or past the header ends the walk there (tshark notes it and
 * goes on with the payload); an option shorter than what its kind needs
 * before tshark shows any of it makes tshark give up on the datagram. */
struct opt_walk {
    const uint8_t *p; /* the options */
    uint32_t n, pos;
};

enum opt_step { STEP_OPTION, STEP_END, STEP_BAD };

static void opt_begin(struct opt_walk *w, const uint8_t *hdr, uint32_t hlen) {
    w->p = hdr + IP_HLEN_MIN;
    w->n = hlen > IP_HLEN_MIN ? hlen - IP_HLEN_MIN : 0;
    w->pos = 0;
}

/* The next option other than NOP: its first byte and its length. */
static enum opt_step opt_next(struct opt_walk *w, const uint8_t **opt,
                              uint32_t *len) {
    while (w->pos < w->n && w->p[w->pos] == OPT_NOP)
        w->pos++;
    if (w->pos >= w->n || w->p[w->pos] == OPT_EOL)
        return STEP_END;
    uint32_t left = w->n - w->pos;
    if (left < 2 || w->p[w->pos + 1] < 2 || w->p[w->pos + 1] > left)
        return STEP_BAD;
    *opt = w->p + w->pos;
    *len = w->p[w->pos + 1];
    w->pos += *len;
    return STEP_OPTION;
}

/* The length below which tshark cannot read an option of this kind: its
 * fields of fixed size. */
static uint32_t opt_min_len(uint8_t type) {
    switch (type) {
    case 7:   /* record route: the pointer */
    case 130: /* security */
    case 133: /* extended security */
    case OPT_LSRR:
    case OPT_SSRR: return 3;
    case 11:  /* MTU probe */
    case 12:  /* MTU reply */
    case 68:  /* timestamp: pointer, overflow and flags */
    case 136: /* stream id */
    case 148: /* router alert */ return 4;
    case 134: /* commercial security (CIPSO): the DOI */ return 6;
    case 25:  /* quick-start */ return 8;
    case 82:  /* traceroute */ return 12;
    default: return 2;
    }
}

/* Whether a source route still has addresses to visit: its pointer
 * (1-based) names the start of an address inside the option. */
static bool route_on_way(const uint8_t *opt, uint32_t len) {
    return (opt[0] == OPT_LSRR || opt[0] == OPT_SSRR) && len >= 3 &&
           opt[2] >= 4 && opt[2] % 4 == 0 && opt[2] <= len;
}

/* Whether tshark shows the header's destination address: not when the
 * first source route of the options is on its way, the final destination
 * being in the route then. */
static bool header_dst_shown(const uint8_t *hdr, uint32_t hlen) {
    struct opt_walk w;
    const uint8_t *opt;
    uint32_t len;
    opt_begin(&w, hdr, hlen);
    while (opt_next(&w, &opt, &len) == STEP_OPTION)
        if (opt[0] == OPT_LSRR || opt[0] == OPT_SSRR)
            return !route_on_way(opt, len);
    return true;
}

/* The k-th destination tshark shows for the whole header `hdr`: the
 * header's own (unless a route is on its way), then the last address of
 * each source route on its way that its addresses fill, up to where the
 * walk ends. NULL past the last. */
static const uint8_t *nth_dst(const uint8_t *hdr, uint32_t hlen, unsigned k) {
    if (hlen == IP_HLEN_MIN || header_dst_shown(hdr, hlen)) {
        if (k == 0)
            return hdr + 16;
        k--;
    }
    struct opt_walk w;
    const uint8_t *opt;
    uint32_t len;
    opt_begin(&w, hdr, hlen);
    while (opt_next(&w, &opt, &len) == STEP_OPTION &&
           len >= opt_min_len(opt[0]))
        if (route_on_way(opt, len) && len >= 7 && (len - 3) % 4 == 0 &&
            k-- == 0)
            return opt + len - 4;
    return NULL;
}

const uint8_t *decode_ipv4_final_dst(const uint8_t *hdr, uint32_t hlen) {
    const uint8_t *dst = nth_dst(hdr, hlen, 0);
    return dst ? dst : hdr + 16;
}

/* How the walk over the options ends: STEP_END when they are well formed,
 * STEP_BAD when a length ends it or an option is too short for its kind;
 * *unreadable in the second case (tshark then decodes nothing after the
 * header). */
static enum opt_step opt_check(const uint8_t *hdr, uint32_t hlen,
                               bool *unreadable) {
    struct opt_walk w;
    const uint8_t *opt;
    uint32_t len;
    enum opt_step step;
    *unreadable = false;
    opt_begin(&w, hdr, hlen);
    while ((step = opt_next(&w, &opt, &len)) == STEP_OPTION) {
        if (len < opt_min_len(opt[0])) {
            *unreadable = true;
            return STEP_BAD;
        }
    }
    return step;
}

static void decode_ip(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    uint32_t avail = end - off; /* at least 1: decode_next saw to it */
    unsigned version = p[0] >> 4;
    if (version != 4) {
        /* Raw-IP link types start here whatever the version. */
        if (version == 6) {
            decode_protos[PROTO_IPV6]->decode(v);
            return;
        }
        /* tshark shows the version alone and nothing after it, but where
         * a raw-IP link type's first nibble names neither version: that
         * is data. */
        if (v->nlayers == 1 && v->pkt.linktype != LINKTYPE_IPV4)
            decode_anomaly(v, ANOM_IPV4_BAD_VERSION);
        else
            decode_malformed(v, PROTO_IP, ANOM_IPV4_BAD_VERSION, 1);
        return;
    }
    uint32_t hlen = (uint32_t)(p[0] & 0x0f) * 4;
    if (hlen < IP_HLEN_MIN) {
        decode_malformed(v, PROTO_IP, ANOM_IPV4_HLEN_TOO_SMALL, 1);
        return;
    }
    if (avail < hlen) {
        decode_truncated(v, PROTO_IP, ANOM_IPV4_TRUNCATED);
        return;
    }
    uint32_t totlen = core_be16(p + 2);
    uint32_t dend = end;
    if (totlen) {
        if (totlen < hlen) {
            decode_malformed(v, PROTO_IP, ANOM_IPV4_TOTLEN_TOO_SMALL, 4);
            return;
        }
        if (totlen < avail)
            dend = off + totlen; /* link-layer padding belongs to no layer */
    }
    /* A total length of 0 is left for the NIC to fill in (segmentation
     * offload, BIG TCP): the datagram is the rest of the frame. */
    if (!decode_push(v, PROTO_IP, off, hlen, dend))
        return;
    bool unreadable = false;
    if (hlen > IP_HLEN_MIN)
        opt_check(p, hlen, &unreadable);
    if (unreadable) {
        decode_anomaly(v, ANOM_IPV4_OPT_MALFORMED);
        return; /* tshark gives up on the datagram */
    }
    /* Without reassembly only a first fragment carries the transport
     * header; later ones are data, as tshark shows them with
     * ip.defragment off. */
    uint16_t next =
        (core_be16(p + 6) & 0x1fff) ? PROTO_DATA : decode_by_ipproto(p[9]);
    v->next_aux = p[9];
    /* tshark names the next protocol even when the capture kept none of
     * its bytes, as long as the frame had some on the wire. */
    uint64_t wire = v->pkt.len > v->pkt.caplen ? v->pkt.len : v->caplen;
    uint64_t claimed = totlen ? (uint64_t)off + totlen : wire;
    if ((claimed < wire ? claimed : wire) > off + hlen)
        decode_next_listed(v, next, off + hlen, dend);
    else
        decode_next(v, next, off + hlen, dend);
}

/* The header checksum and the options are checked only when asked for:
 * most readers of ip.src never want them. */
static uint64_t check_ip(const struct trawl_view *v,
                         const struct decode_layer *l) {
    const uint8_t *p = v->data + l->off;
    uint32_t hlen = (uint32_t)(p[0] & 0x0f) * 4;
    uint64_t found = 0;
    bool unreadable;
    /* A header cut short or with a bogus length cannot be checked. */
    if (hlen < IP_HLEN_MIN || l->len != hlen)
        return 0;
    if (decode_csum_fold(decode_csum_add(0, p, hlen)) != 0)
        found |= ANOM_BIT(ANOM_IPV4_BAD_CHECKSUM);
    if (opt_check(p, hlen, &unreadable) == STEP_BAD)
        found |= ANOM_BIT(ANOM_IPV4_OPT_MALFORMED);
    return found;
}

static bool get_hdr_len(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    (void)f;
    if (k || l->len < 1 || v->data[l->off] >> 4 != 4)
        return false; /* a bogus version shows alone */
    out->u = (uint64_t)(v->data[l->off] & 0x0f) * 4;
    return true;
}

/* A total length of 0 (segmentation offload) shows, as tshark shows it,
 * as the length of the rest of the frame on the wire. */
static bool get_len(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    if (!decode_get_fixed(v, f, l, k, out))
        return false;
    if (out->u == 0 && l->len >= IP_HLEN_MIN) {
        uint64_t frame = v->pkt.len > v->pkt.caplen ? v->pkt.len : v->caplen;
        out->u = frame > l->off ? frame - l->off : 0;
    }
    return true;
}

/* ip.dst: the destination tshark shows, which a source route on its way
 * replaces with the route's last address (the final destination), once
 * per route. tshark looks for a source route in the options before it
 * shows a destination, so a header whose options were cut short has
 * none. */
static bool get_dst(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    (void)f;
    const uint8_t *p = v->data + l->off;
    uint32_t hlen = (uint32_t)(p[0] & 0x0f) * 4;
    if (l->len < IP_HLEN_MIN || l->len < hlen)
        return false;
    const uint8_t *dst = nth_dst(p, hlen, k);
    if (!dst)
        return false;
    memcpy(out->addr, dst, 4);
    return true;
}

/* ip.addr: the source, then the destinations of ip.dst. */
static bool get_addr(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    if (k)
        return get_dst(v, f, l, k - 1, out);
    if (l->len < 16)
        return false;
    memcpy(out->addr, v->data + l->off + 12, 4);
    return true;
}

static const char *proto_name(uint64_t p) {
    switch (p) {
    case 0: return "IPv6 Hop-by-Hop Option";
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IPIP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 43: return "IPv6 Routing";
    case 44: return "IPv6 Fragment";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 59: return "IPv6 No Next Header";
    case 60: return "IPv6 Destination Options";
    case 89: return "OSPF";
    case 103: return "PIM";
    case 112: return "VRRP";
    case 132: return "SCTP";
    default: return NULL;
    }
}

/* NFStest pktt spellings that differ from Wireshark's by more than case. */
static const char *const alias_hdr_len[] = {"IP.header_size", NULL};
static const char *const alias_dscp[] = {"IP.DSCP", NULL};
static const char *const alias_ecn[] = {"IP.ECN", NULL};
static const char *const alias_len[] = {"IP.total_size", NULL};
static const char *const alias_frag[] = {"IP.fragment_offset", NULL};
static const char *const alias_proto[] = {"IP.protocol", NULL};

static const struct trawl_field ip_fields[] = {
    /* tshark shows ip.version for IPv6 headers too. */
    {.name = "ip.version",
     .label = "Version",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IP,
     .proto_alt = PROTO_IPV6,
     .at = 0,
     .size = 1,
     .mask = 0xf0,
     .shift = 4},
    {.name = "ip.hdr_len",
     .bits = 8,
     .label = "Header Length",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IP,
     .get = get_hdr_len,
     .aliases = alias_hdr_len},
    FIELD_H("ip.dsfield", "Differentiated Services Field", PROTO_IP, 1, 1, 0, 0,
            2),
    {.name = "ip.dsfield.dscp",
     .label = "Differentiated Services Codepoint",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IP,
     .at = 1,
     .size = 1,
     .mask = 0xfc,
     .shift = 2,
     .aliases = alias_dscp},
    {.name = "ip.dsfield.ecn",
     .label = "Explicit Congestion Notification",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IP,
     .at = 1,
     .size = 1,
     .mask = 0x03,
     .aliases = alias_ecn},
    {.name = "ip.len",
     .label = "Total Length",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IP,
     .get = get_len,
     .at = 2,
     .size = 2,
     .aliases = alias_len},
    FIELD_H("ip.id", "Identification", PROTO_IP, 4, 2, 0, 0, 4),
    /* tshark reads flags and offset as one 16-bit word. */
    FIELD_H("ip.flags", "Flags", PROTO_IP, 6, 2, 0xe000, 13, 2),
    FIELD_B("ip.flags.rb", "Reserved bit", PROTO_IP, 6, 2, 0x8000, 15),
    FIELD_B("ip.flags.df", "Don't fragment", PROTO_IP, 6, 2, 0x4000, 14),
    FIELD_B("ip.flags.mf", "More fragments", PROTO_IP, 6, 2, 0x2000, 13),
    {.name = "ip.frag_offset",
     .label = "Fragment Offset",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IP,
     .at = 6,
     .size = 2,
     .mask = 0x1fff,
     .aliases = alias_frag},
    FIELD_U("ip.ttl", "Time to Live", PROTO_IP, 8, 1, 0, 0),
    {.name = "ip.proto",
     .label = "Protocol",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IP,
     .at = 9,
     .size = 1,
     .aliases = alias_proto,
     .value_name = proto_name},
    FIELD_H("ip.checksum", "Header Checksum", PROTO_IP, 10, 2, 0, 0, 4),
    {.name = "ip.checksum.status",
     .bits = 8,
     .label = "Header checksum status",
     .type = TRAWL_FT_UINT,
     .proto = PROTO_IP,
     .get = decode_get_csum_unverified,
     .at = 10,
     .size = 2,
     .value_name = decode_csum_status_name},
    {.name = "ip.src",
     .label = "Source Address",
     .type = TRAWL_FT_IPV4,
     .proto = PROTO_IP,
     .at = 12,
     .size = 4},
    {.name = "ip.dst",
     .label = "Destination Address",
     .type = TRAWL_FT_IPV4,
     .proto = PROTO_IP,
     .get = get_dst},
    {.name = "ip.addr",
     .label = "Source or Destination Address",
     .type = TRAWL_FT_IPV4,
     .proto = PROTO_IP,
     .get = get_addr},
};

const struct decode_proto decode_proto_ip = {
    .id = PROTO_IP,
    .name = "ip",
    .title = "Internet Protocol Version 4",
    .decode = decode_ip,
    .fields = ip_fields,
    .nfields = TRAWL_ARRAY_LEN(ip_fields),
    .check = check_ip,
};
