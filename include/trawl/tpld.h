/* trawl — the test payload.
 *
 * `trawl gen --tpld` ends every frame it sends with an 18-byte test payload
 * (stream id, sequence number, transmit time, integrity check); a capture
 * recognises it, so keep rules and triggers can select frames with, without
 * or with a corrupt test payload, and statistics count loss, duplicates,
 * reordering and latency per stream. docs/test-payload.md describes the
 * bytes. The payload sits at the very end of the frame's data (before the
 * FCS, when the frame carries one) so that a receiver finds it without
 * decoding any header, and it fits in a minimum-size (64-byte) Ethernet
 * frame after the Ethernet, IPv4 and UDP headers.
 */
#ifndef TRAWL_TPLD_H
#define TRAWL_TPLD_H

#include <stddef.h>
#include <stdint.h>

#include "trawl/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TRAWL_TPLD_LEN 18u

struct trawl_tpld {
    uint16_t stream;   /* stream id */
    uint32_t seq;      /* sequence number within the stream, from 0 */
    uint32_t tx_ns;    /* transmit time, nanoseconds since the epoch mod 2^32 */
    /* Offset in the frame where the bytes the check covers begin (the
     * start of the L4 payload, so that a router rewriting addresses, TTL or
     * checksums does not make a good frame look corrupt); the check covers
     * frame[fill_off, end of frame) except its own four bytes. */
    uint8_t fill_off;
};

enum trawl_tpld_status {
    TRAWL_TPLD_NONE = 0, /* no test payload at the end of the frame */
    TRAWL_TPLD_OK,       /* a test payload whose check holds */
    TRAWL_TPLD_BAD,      /* a test payload whose check fails (plderr) */
};

/* Writes the test payload into the last TRAWL_TPLD_LEN bytes of
 * frame[0, len). Returns 0, or TRAWL_EINVAL when the frame is shorter than
 * t->fill_off plus the payload. */
TRAWL_API int trawl_tpld_stamp(uint8_t *frame, size_t len,
                               const struct trawl_tpld *t);

/* Looks for a test payload at the end of frame[0, len) (len excluding any
 * FCS). On TRAWL_TPLD_OK and TRAWL_TPLD_BAD, *out holds the fields as
 * read. A frame is recognised by its 24-bit magic and a fill offset that
 * lies inside the frame; the check then tells a good payload from a
 * corrupt one. */
TRAWL_API enum trawl_tpld_status trawl_tpld_parse(const uint8_t *frame,
                                                  size_t len,
                                                  struct trawl_tpld *out);

#ifdef __cplusplus
}
#endif
#endif
