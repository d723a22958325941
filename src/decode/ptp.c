/* PTP, the Precision Time Protocol (IEEE 1588), over Ethernet (ethertype
 * 0x88f7) and UDP (event port 319, general port 320). Only the common
 * header of version 2 is decoded (34 bytes: message type, version,
 * length, domain, flags, source port identity, sequence id); a version-1
 * message shows its version only. The message is as long as its length
 * field says, so that what follows in the frame is padding or trailer. */
#include "decode/decode.h"

enum { PTP_V2_HLEN = 34 };

/* Layer flag: a version-2 message. */
#define PTP_V2 0x1

static void decode_ptp(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < 2) {
        decode_push(v, PROTO_PTP, off, end - off, end);
        return;
    }
    bool v2 = (p[1] & 0x0f) == 2;
    uint32_t mend = end;
    if (v2 && end - off >= 4) {
        uint32_t mlen = core_be16(p + 2);
        if (mlen >= PTP_V2_HLEN && mlen < end - off)
            mend = off + mlen;
    }
    struct decode_layer *l = decode_push(v, PROTO_PTP, off, mend - off, mend);
    if (l && v2)
        l->flags |= PTP_V2;
}

/* Fixed fields of the version-2 header, or of a version-1 message (whose
 * version is its first 16 bits), as tshark shows each only for its own
 * version. */
static bool get_v2(const struct trawl_view *v, const struct trawl_field *f,
                   const struct decode_layer *l, unsigned k,
                   struct trawl_value *out) {
    return (l->flags & PTP_V2) && decode_get_fixed(v, f, l, k, out);
}

static bool get_v1(const struct trawl_view *v, const struct trawl_field *f,
                   const struct decode_layer *l, unsigned k,
                   struct trawl_value *out) {
    return !(l->flags & PTP_V2) && l->len >= 2 &&
           core_be16(v->data + l->off) == 1 &&
           decode_get_fixed(v, f, l, k, out);
}

static const char *msgtype_name(uint64_t t) {
    switch (t) {
    case 0x0: return "Sync Message";
    case 0x1: return "Delay_Req Message";
    case 0x2: return "Peer_Delay_Req Message";
    case 0x3: return "Peer_Delay_Resp Message";
    case 0x8: return "Follow_Up Message";
    case 0x9: return "Delay_Resp Message";
    case 0xa: return "Peer_Delay_Resp_Follow_Up Message";
    case 0xb: return "Announce Message";
    case 0xc: return "Signaling Message";
    case 0xd: return "Management Message";
    default: return NULL;
    }
}

/* clang-format off */
#define PTP2(nm, lbl, off, sz, msk, disp, w)                                  \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = PROTO_PTP,     \
     .get = get_v2, .at = off, .size = sz, .mask = msk, .display = disp,      \
     .width = w}

static const struct trawl_field ptp_fields[] = {
    {.name = "ptp.versionptp", .label = "versionPTP", .type = TRAWL_FT_UINT,
     .proto = PROTO_PTP, .get = get_v1, .at = 0, .size = 2},
    {.name = "ptp.v2.messagetype", .label = "messageType",
     .type = TRAWL_FT_UINT, .display = DISP_HEX, .width = 2,
     .proto = PROTO_PTP, .get = get_v2, .at = 0, .size = 1, .mask = 0x0f,
     .value_name = msgtype_name},
    {.name = "ptp.v2.minorversionptp", .label = "minorVersionPTP",
     .type = TRAWL_FT_UINT, .proto = PROTO_PTP, .get = get_v2, .at = 1,
     .size = 1, .mask = 0xf0, .shift = 4},
    PTP2("ptp.v2.versionptp", "versionPTP", 1, 1, 0x0f, DISP_DEC, 0),
    PTP2("ptp.v2.messagelength", "messageLength", 2, 2, 0, DISP_DEC, 0),
    PTP2("ptp.v2.domainnumber", "domainNumber", 4, 1, 0, DISP_DEC, 0),
    PTP2("ptp.v2.flags", "flags", 6, 2, 0, DISP_HEX, 4),
    PTP2("ptp.v2.clockidentity", "ClockIdentity", 20, 8, 0, DISP_HEX, 16),
    PTP2("ptp.v2.sourceportid", "SourcePortID", 28, 2, 0, DISP_DEC, 0),
    PTP2("ptp.v2.sequenceid", "sequenceId", 30, 2, 0, DISP_DEC, 0),
    PTP2("ptp.v2.controlfield", "controlField", 32, 1, 0, DISP_DEC, 0),
};
/* clang-format on */

const struct decode_proto decode_proto_ptp = {
    .id = PROTO_PTP,
    .name = "ptp",
    .title = "Precision Time Protocol (IEEE1588)",
    .decode = decode_ptp,
    .fields = ptp_fields,
    .nfields = TRAWL_ARRAY_LEN(ptp_fields),
};
