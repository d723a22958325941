/* PROFINET Real-Time (IEC 61158, ethertype 0x8892): a frame id, the
 * payload of that frame (cyclic IO data, alarms, DCP), and for the
 * cyclic frames (ids 0x0100 to 0xfbff) an APDU status in the frame's last
 * four bytes: cycle counter, data status, transfer status. The payload
 * is not decoded; it belongs to pn_rt, as tshark shows it with PROFINET
 * IO and DCP off, and none of it is Ethernet padding. As tshark, a frame
 * of fewer than six bytes after the ethertype shows no fields. */
#include "decode/decode.h"

enum { PNRT_MIN = 6, PNRT_STATUS_LEN = 4 };

static void decode_pn_rt(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    decode_push(v, PROTO_PNRT, off, end - off, end);
}

static bool get_frame_id(const struct trawl_view *v,
                         const struct trawl_field *f,
                         const struct decode_layer *l, unsigned k,
                         struct trawl_value *out) {
    return l->len >= PNRT_MIN && decode_get_fixed(v, f, l, k, out);
}

/* The APDU status of a cyclic frame: `at` bytes from the start of the
 * last four. */
static bool get_status(const struct trawl_view *v, const struct trawl_field *f,
                       const struct decode_layer *l, unsigned k,
                       struct trawl_value *out) {
    if (k || l->len < PNRT_MIN)
        return false;
    uint16_t id = core_be16(v->data + l->off);
    if (id < 0x0100 || id >= 0xfc00)
        return false;
    return decode_get_be(v, l, l->len - PNRT_STATUS_LEN + f->at, f->size, 0,
                         0, out);
}

/* clang-format off */
static const struct trawl_field pn_rt_fields[] = {
    {.name = "pn_rt.frame_id", .label = "FrameID", .type = TRAWL_FT_UINT,
     .proto = PROTO_PNRT, .get = get_frame_id, .at = 0, .size = 2},
    {.name = "pn_rt.cycle_counter", .label = "CycleCounter",
     .type = TRAWL_FT_UINT, .proto = PROTO_PNRT, .get = get_status, .at = 0,
     .size = 2},
    {.name = "pn_rt.ds", .label = "DataStatus", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 2, .proto = PROTO_PNRT, .get = get_status,
     .at = 2, .size = 1},
    {.name = "pn_rt.transfer_status", .label = "TransferStatus",
     .type = TRAWL_FT_UINT, .proto = PROTO_PNRT, .get = get_status, .at = 3,
     .size = 1},
};
/* clang-format on */

const struct decode_proto decode_proto_pn_rt = {
    .id = PROTO_PNRT,
    .name = "pn_rt",
    .title = "PROFINET Real-Time Protocol",
    .decode = decode_pn_rt,
    .fields = pn_rt_fields,
    .nfields = TRAWL_ARRAY_LEN(pn_rt_fields),
};
