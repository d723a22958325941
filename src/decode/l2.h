/* decode/l2 — what the link-layer decoders (eth.c, vlan.c, sll.c, llc.c)
 * share: the header sizes, the 802.3 length/type rule, and where the
 * bytes after a frame's payload go (padding, trailer, FCS), as tshark
 * splits them. Internal to decode/. */
#ifndef TRAWL_DECODE_L2_H
#define TRAWL_DECODE_L2_H

#include "decode/decode.h"

enum {
    ETH_HLEN = 14,
    VLAN_HLEN = 4,
    /* A type/length field up to this is an 802.3 length. */
    ETH_MAX_LEN = 1500,
    /* From this on it is an ethertype; between the two it is invalid. */
    ETH_MIN_TYPE = 1536,
    /* The shortest Ethernet frame without its FCS: shorter frames are
     * padded up to it on the wire. */
    ETH_MIN_FRAME = 60,
    ETH_FCS_LEN = 4,
    TPID_8021Q = 0x8100,
    TPID_8021AD = 0x88a8,
    TPID_QINQ_OLD = 0x9100,
};

/* Layer flag of eth and vlan layers whose type field is an 802.3 length
 * (the layer's aux then holds the length). The bit is reserved in eth,
 * vlan and sll layers, which l2_trailer() walks. */
#define L2_LENGTH 0x1

/* Whether the n bytes at p are all zero (padding). */
static inline bool l2_all_zero(const uint8_t *p, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* The bytes between the end of a frame's payload and the end of the frame,
 * split the way tshark splits them: zero padding up to the 60-byte
 * minimum, then a trailer, then (only when an Ethernet header carries the
 * payload and the frame is at least 64 bytes) a 4-byte FCS. Offsets are
 * into the packet; a length of 0 means "none". */
struct l2_trailer {
    const struct decode_layer *carrier; /* the layer whose type field led to
                                           the payload (eth, vlan or sll) */
    uint32_t pad_off, pad_len;
    uint32_t trl_off, trl_len;
    uint32_t fcs_off, fcs_len;
};

/* Fills *t for the frame that starts with layer `start` (an eth or sll
 * layer): the carrier is the last of the VLAN tags right above it, or
 * `start` itself. Needs the whole packet decoded. Returns false when there
 * is no payload layer to bound the frame. */
bool l2_trailer(const struct trawl_view *v, const struct decode_layer *start,
                struct l2_trailer *t);

/* The trailer of the frame whose carrier is `l` (for vlan.trailer and
 * sll.trailer): false when `l` is not the carrier of its frame or there is
 * no trailer. */
bool l2_trailer_of(const struct trawl_view *v, const struct decode_layer *l,
                   struct trawl_value *out);

#endif
