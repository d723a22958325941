/* The Ethernet frame check sequence: CRC-32 (the polynomial zlib uses)
 * over the frame, sent least significant byte first, so it reads back as
 * a little-endian word at the frame's end. */
#include <zlib.h>

#include "capture/capture_int.h"

uint32_t cap_fcs(const uint8_t *frame, size_t len) {
    uLong crc = crc32(0L, Z_NULL, 0);
    /* zlib takes lengths as uInt; frames are far below 4 GiB, but a
     * long run is fed in pieces all the same. */
    while (len > 0) {
        uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;
        crc = crc32(crc, frame, n);
        frame += n;
        len -= n;
    }
    return (uint32_t)crc;
}

bool cap_fcs_ok(const uint8_t *frame, size_t len) {
    if (len < CAP_FCS_LEN)
        return false;
    size_t body = len - CAP_FCS_LEN;
    return cap_fcs(frame, body) == core_le32(frame + body);
}
