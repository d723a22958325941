/* What the transport decoders (TCP, UDP, ICMP, ICMPv6, IGMP, GRE) ask of
 * the IP header below them: the datagram's length on the wire, whether it
 * is a fragment, and the pseudo-header of their checksums. All of it is
 * computed on demand, by extractors and checks, never while decoding. */
#include "decode/decode.h"

enum { IPPROTO_ROUTING_HDR = 43, IPPROTO_FRAGMENT_HDR = 44 };

const char *decode_csum_status_name(uint64_t status) {
    switch (status) {
    case CSUM_BAD: return "Bad";
    case CSUM_GOOD: return "Good";
    case CSUM_UNVERIFIED: return "Unverified";
    case CSUM_NOT_PRESENT: return "Not present";
    case CSUM_ILLEGAL: return "Illegal";
    default: return NULL;
    }
}

const struct decode_layer *decode_ip_below(const struct trawl_view *v,
                                           const struct decode_layer *l) {
    while (l > v->layers) {
        l--;
        if (l->proto == PROTO_IP || l->proto == PROTO_IPV6)
            return l;
        if (l->proto != PROTO_IPV6_EXT)
            return NULL;
    }
    return NULL;
}

/* The end the IP length field claims for the datagram carrying `l`, or
 * 0 when it claims nothing (no IP header below, a length of 0). */
static uint64_t ip_claimed_end(const struct trawl_view *v,
                               const struct decode_layer *l) {
    const struct decode_layer *ip = decode_ip_below(v, l);
    if (!ip)
        return 0;
    /* A layer above an IP header exists only when the header was whole. */
    const uint8_t *p = v->data + ip->off;
    if (ip->proto == PROTO_IP) {
        uint32_t totlen = core_be16(p + 2);
        return totlen ? (uint64_t)ip->off + totlen : 0;
    }
    uint32_t plen = core_be16(p + 4);
    return plen ? (uint64_t)ip->off + 40 + plen : 0;
}

/* Where the frame ends on the wire: past the captured bytes when the
 * capture cut it short (snap length). */
static uint64_t frame_wire_end(const struct trawl_view *v) {
    return v->pkt.len > v->pkt.caplen ? v->pkt.len : v->caplen;
}

uint64_t decode_ip_wire_end(const struct trawl_view *v,
                            const struct decode_layer *l) {
    uint64_t claimed = ip_claimed_end(v, l);
    uint64_t frame = frame_wire_end(v);
    if (!claimed)
        return l->end == v->caplen ? frame : l->end;
    return claimed < frame ? claimed : frame;
}

bool decode_ip_overrun(const struct trawl_view *v,
                       const struct decode_layer *l) {
    return ip_claimed_end(v, l) > frame_wire_end(v);
}

bool decode_ip_fragment(const struct trawl_view *v,
                        const struct decode_layer *l) {
    for (const struct decode_layer *b = l; b > v->layers;) {
        b--;
        if (b->proto == PROTO_IP)
            return (core_be16(v->data + b->off + 6) & 0x3fff) != 0;
        if (b->proto != PROTO_IPV6_EXT)
            return false;
        /* An atomic fragment (offset 0, no more fragments: RFC 6946) is
         * the whole datagram. */
        if (b->aux == IPPROTO_FRAGMENT_HDR &&
            (core_be16(v->data + b->off + 2) & 0xfff9) != 0)
            return true;
    }
    return false;
}

bool decode_csum_possible(const struct trawl_view *v,
                          const struct decode_layer *l, uint64_t len) {
    /* A header inside an ICMP error is a quotation, cut where the sender
     * chose; tshark does not verify it. */
    return l->off + len <= v->caplen && decode_ip_below(v, l) &&
           !decode_ip_fragment(v, l) && !decode_below(v, l, PROTO_ICMP) &&
           !decode_below(v, l, PROTO_ICMPV6);
}

/* The destination the sender of a packet with an IPv6 routing header
 * summed: the last of the route (RFC 8200, section 8.1). `p` is the
 * routing header, `len` its length. NULL when trawl does not know the
 * routing type. */
static const uint8_t *route_final(const uint8_t *p, uint32_t len) {
    switch (p[2]) {
    case 0: { /* source route (deprecated): the addresses in order */
        uint32_t n = p[1] / 2;
        return n && 8 + 16 * n <= len ? p + 8 + 16 * (n - 1) : NULL;
    }
    case 2: /* mobile IPv6: the home address */
    case 4: /* segment routing: segment list[0] is the last segment */
        return len >= 24 ? p + 8 : NULL;
    default: return NULL;
    }
}

bool decode_pseudo_sum(const struct trawl_view *v, const struct decode_layer *l,
                       uint8_t proto, uint32_t len, uint32_t *sum) {
    const uint8_t *dst = NULL;
    for (const struct decode_layer *b = l; b > v->layers;) {
        b--;
        const uint8_t *p = v->data + b->off;
        if (b->proto == PROTO_IP) {
            /* The sender sums the final destination (RFC 791, 3.1; RFC
             * 9293, 3.1), as tshark does. */
            *sum = decode_csum_add(0, p + 12, 4) +
                   decode_csum_add(0, decode_ipv4_final_dst(p, b->len), 4) +
                   proto + len;
            return true;
        }
        if (b->proto == PROTO_IPV6) {
            *sum = decode_csum_add(0, p + 8, 16) +
                   decode_csum_add(0, dst ? dst : p + 24, 16) + (len >> 16) +
                   (len & 0xffff) + proto;
            return true;
        }
        if (b->proto != PROTO_IPV6_EXT)
            return false;
        /* With segments left, the destination in the IPv6 header is not
         * the one the sender summed. */
        if (b->aux == IPPROTO_ROUTING_HDR && b->len >= 4 && p[3] != 0 &&
            !(dst = route_final(p, b->len)))
            return false;
    }
    return false;
}

uint64_t decode_l4_csum_status(const struct trawl_view *v,
                               const struct decode_layer *l, uint8_t proto,
                               uint64_t len) {
    uint32_t sum;
    /* A length left to the NIC (0) means the capture was taken before
     * the NIC summed: the checksum is not yet there to check. */
    if (!v->verify_l4_csum || !ip_claimed_end(v, l) ||
        decode_ip_overrun(v, l) || !decode_csum_possible(v, l, len) ||
        !decode_pseudo_sum(v, l, proto, (uint32_t)len, &sum))
        return CSUM_UNVERIFIED;
    return decode_csum_fold(decode_csum_add(sum, v->data + l->off, len))
               ? CSUM_BAD
               : CSUM_GOOD;
}

uint64_t decode_msg_csum_status(const struct trawl_view *v,
                                const struct decode_layer *l, uint8_t proto) {
    uint64_t wire_end = decode_ip_wire_end(v, l);
    uint64_t len = wire_end > l->off ? wire_end - l->off : 0;
    uint32_t sum = 0;
    if (len < l->len || !decode_csum_possible(v, l, len) ||
        (proto && !decode_pseudo_sum(v, l, proto, (uint32_t)len, &sum)))
        return CSUM_UNVERIFIED;
    return decode_csum_fold(decode_csum_add(sum, v->data + l->off, len))
               ? CSUM_BAD
               : CSUM_GOOD;
}

bool decode_get_csum_unverified(const struct trawl_view *v,
                                const struct trawl_field *f,
                                const struct decode_layer *l, unsigned k,
                                struct trawl_value *out) {
    (void)v;
    if (k || l->len < (uint32_t)f->at + f->size)
        return false;
    out->u = CSUM_UNVERIFIED;
    return true;
}

bool decode_get_msg_csum_status(const struct trawl_view *v,
                                const struct trawl_field *f,
                                const struct decode_layer *l, unsigned k,
                                struct trawl_value *out) {
    if (k || l->len < (uint32_t)f->at + f->size)
        return false;
    out->u = decode_msg_csum_status(v, l, l->proto == PROTO_ICMPV6 ? 58 : 0);
    return true;
}

enum { WELL_KNOWN_END = 1024, TH_SYN = 0x02, TH_ACK = 0x10 };

bool decode_get_server_port(const struct trawl_view *v,
                            const struct trawl_field *f,
                            const struct decode_layer *l, unsigned k,
                            struct trawl_value *out) {
    (void)f;
    if (k || l->len < 4)
        return false;
    const uint8_t *p = v->data + l->off;
    uint16_t sport = core_be16(p), dport = core_be16(p + 2);
    if (l->proto == PROTO_TCP && l->len >= 14) {
        uint8_t flags = p[13] & (TH_SYN | TH_ACK);
        if (flags == TH_SYN || flags == (TH_SYN | TH_ACK)) {
            out->u = flags == TH_SYN ? dport : sport;
            return true;
        }
        if (v->flow_server >= 0) {
            out->u = (uint64_t)v->flow_server;
            return true;
        }
    }
    if ((sport < WELL_KNOWN_END) == (dport < WELL_KNOWN_END))
        return false;
    out->u = sport < dport ? sport : dport;
    return true;
}
