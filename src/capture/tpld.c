/* The test payload: see include/trawl/tpld.h and docs/test-payload.md.
 *
 *   0  3  magic 7a 5d c3
 *   3  1  fill offset
 *   4  2  stream id          (big-endian)
 *   6  4  sequence number    (big-endian)
 *  10  4  transmit time, ns  (big-endian, mod 2^32)
 *  14  4  CRC-32 of frame[fill offset, 14 bytes into the payload)
 */
#include <zlib.h>

#include "core/core.h"
#include "trawl/tpld.h"

static const uint8_t tpld_magic[3] = {0x7a, 0x5d, 0xc3};

#define TPLD_CHECKED (TRAWL_TPLD_LEN - 4u)

static uint32_t tpld_check(const uint8_t *frame, size_t fill_off,
                           size_t end) {
    uLong crc = crc32(0L, Z_NULL, 0);
    return (uint32_t)crc32(crc, frame + fill_off, (uInt)(end - fill_off));
}

int trawl_tpld_stamp(uint8_t *frame, size_t len, const struct trawl_tpld *t) {
    if (len < TRAWL_TPLD_LEN || len - TRAWL_TPLD_LEN < t->fill_off)
        return TRAWL_EINVAL;
    uint8_t *p = frame + len - TRAWL_TPLD_LEN;
    memcpy(p, tpld_magic, sizeof tpld_magic);
    p[3] = t->fill_off;
    core_put_be16(p + 4, t->stream);
    core_put_be32(p + 6, t->seq);
    core_put_be32(p + 10, t->tx_ns);
    core_put_be32(p + 14, tpld_check(frame, t->fill_off,
                                     len - TRAWL_TPLD_LEN + TPLD_CHECKED));
    return 0;
}

enum trawl_tpld_status trawl_tpld_parse(const uint8_t *frame, size_t len,
                                        struct trawl_tpld *out) {
    if (len < TRAWL_TPLD_LEN)
        return TRAWL_TPLD_NONE;
    const uint8_t *p = frame + len - TRAWL_TPLD_LEN;
    if (memcmp(p, tpld_magic, sizeof tpld_magic) != 0 ||
        p[3] > len - TRAWL_TPLD_LEN)
        return TRAWL_TPLD_NONE;
    out->fill_off = p[3];
    out->stream = core_be16(p + 4);
    out->seq = core_be32(p + 6);
    out->tx_ns = core_be32(p + 10);
    uint32_t want = core_be32(p + 14);
    uint32_t got =
        tpld_check(frame, p[3], len - TRAWL_TPLD_LEN + TPLD_CHECKED);
    return want == got ? TRAWL_TPLD_OK : TRAWL_TPLD_BAD;
}
