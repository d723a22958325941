/* IEEE 802.2 LLC after an 802.3 length (Ethernet, VLAN tags) or SLL's
 * protocol 0x0004, with SNAP (RFC 1042): an OUI and a protocol id, which
 * for the "encapsulated Ethernet" OUIs is an ethertype. */
#include "decode/decode.h"

enum {
    SAP_IP = 0x06,
    SAP_SNAP = 0xaa,
    SNAP_LEN = 5,
    LLC_UI = 0x03, /* the control field of an unnumbered information frame */
    OUI_ENCAP_ETHER = 0x000000,
    OUI_CISCO_90 = 0x0000f8,   /* Cisco's ethertype OUI (RFC 1042 style) */
    OUI_IEEE_802_1 = 0x0080c2, /* bridged 802 frames (RFC 2684) */
};

/* Layer flag: the control field is the 1-byte U format. */
#define LLC_U 0x1

static bool u_format(uint8_t c) {
    return (c & 3) == 3;
}

static void decode_llc(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    uint32_t avail = end - off;
    uint32_t hlen = 3;
    if (avail >= 3 && !u_format(p[2]))
        hlen = 4; /* I and S frames have a 2-byte control field */
    bool snap =
        avail >= 2 && (p[0] & 0xfe) == SAP_SNAP && (p[1] & 0xfe) == SAP_SNAP;
    if (snap)
        hlen += SNAP_LEN;
    if (hlen > avail) {
        /* The fields inside the captured bytes still show (tshark shows
         * a lone DSAP). */
        decode_anomaly(v, ANOM_LLC_TRUNCATED);
        struct decode_layer *l = decode_push(v, PROTO_LLC, off, avail, end);
        if (l && avail >= 3 && u_format(p[2]))
            l->flags |= LLC_U;
        return;
    }
    struct decode_layer *l = decode_push(v, PROTO_LLC, off, hlen, end);
    if (!l)
        return;
    if (u_format(p[2]))
        l->flags |= LLC_U;
    uint16_t next = PROTO_DATA;
    if (snap) {
        uint32_t at = hlen - SNAP_LEN;
        l->aux = at;
        uint32_t oui = core_be24(p + at);
        uint16_t pid = core_be16(p + at + 3);
        if (oui == OUI_ENCAP_ETHER || oui == OUI_CISCO_90) {
            v->next_aux = pid;
            next = decode_by_ethertype(pid);
        } else if (oui == OUI_IEEE_802_1 && (pid == 0x0001 || pid == 0x0007)) {
            next = PROTO_ETH; /* bridged Ethernet, with or without FCS */
        }
    } else if (p[0] == SAP_IP && (hlen == 4 ? !(p[2] & 1) : p[2] == LLC_UI)) {
        /* tshark hands the information of I and UI frames to the
         * protocol of the DSAP, whatever the SSAP; IPv4 is named in
         * frame.protocols only when bytes of it were on the wire. */
        if (off + hlen < end ||
            (end == v->caplen && v->pkt.len > v->pkt.caplen))
            decode_next_listed(v, PROTO_IP, off + hlen, end);
        else
            decode_next(v, PROTO_IP, off + hlen, end);
        return;
    }
    decode_next_listed(v, next, off + hlen, end);
}

/* ---- control field ----------------------------------------------------- */

enum ctl_part {
    CTL_WHOLE,   /* llc.control: 1 byte (U) or 2 little-endian bytes */
    CTL_NR,      /* N(R) of I and S frames */
    CTL_NS,      /* N(S) of I frames */
    CTL_P,       /* poll bit of commands */
    CTL_F,       /* final bit of responses */
    CTL_S_FTYPE, /* the supervisory function of S frames */
    CTL_U_CMD,   /* the modifier of U commands */
    CTL_U_RESP,  /* the modifier of U responses */
    CTL_FTYPE,   /* I (0), S (1) or U (3) */
};

/* The parts of the control field tshark shows; `at` is the enum ctl_part.
 * A frame is a response when the SSAP's C/R bit is set. */
static bool get_control(const struct trawl_view *v, const struct trawl_field *f,
                        const struct decode_layer *l, unsigned k,
                        struct trawl_value *out) {
    const uint8_t *p = v->data + l->off;
    bool u = (l->flags & LLC_U) != 0;
    if (k || l->len < (u ? 3u : 4u))
        return false;
    bool is_i = !u && !(p[2] & 1);
    bool resp = p[1] & 1;
    uint8_t pf = u ? (p[2] & 0x10) != 0 : p[3] & 1;
    /* Each part is read only where it exists: a U frame's control field
     * is 1 byte long. */
    bool have;
    switch (f->at) {
    case CTL_WHOLE: have = true; break;
    case CTL_NR: have = !u; break;
    case CTL_NS: have = is_i; break;
    case CTL_P: have = !resp && pf; break;
    case CTL_F: have = resp && pf; break;
    case CTL_S_FTYPE: have = !u && !is_i; break;
    case CTL_U_CMD: have = u && !resp; break;
    case CTL_U_RESP: have = u && resp; break;
    case CTL_FTYPE: have = true; break;
    default: have = false; break;
    }
    if (!have)
        return false;
    switch (f->at) {
    case CTL_WHOLE: out->u = u ? p[2] : core_le16(p + 2); break;
    case CTL_NR: out->u = p[3] >> 1; break;
    case CTL_NS: out->u = p[2] >> 1; break;
    case CTL_P:
    case CTL_F: out->u = pf; break;
    case CTL_S_FTYPE: out->u = (p[2] & 0x0c) >> 2; break;
    case CTL_FTYPE: out->u = is_i ? 0 : p[2] & 3; break;
    default: out->u = (p[2] & 0xec) >> 2; break; /* U modifiers */
    }
    return true;
}

/* ---- SNAP --------------------------------------------------------------- */

static uint32_t snap_oui(const struct trawl_view *v,
                         const struct decode_layer *l) {
    return core_be24(v->data + l->off + l->aux);
}

/* The OUIs whose protocol ids tshark shows under a field of their own
 * (llc.cisco_pid, ...); llc.pid is for the others. */
static const uint32_t own_pid_ouis[] = {
    0x00000c, 0x080007, 0x000081, 0x00e052, 0x00005e, 0x004096,
    0x001958, 0x0001e8, 0x00805f, 0x001090, 0x0017f2, 0x00e02b,
};

static bool get_oui(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    (void)f;
    if (k || !l->aux)
        return false;
    out->u = snap_oui(v, l);
    return true;
}

/* The protocol id, under llc.type for the ethertype OUIs, under the field
 * whose `mask` holds the OUI for the OUIs in own_pid_ouis, else under
 * llc.pid (`mask` 0, `at` 1). */
static bool get_pid(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    if (k || !l->aux)
        return false;
    uint32_t oui = snap_oui(v, l);
    bool encap = oui == OUI_ENCAP_ETHER || oui == OUI_CISCO_90;
    if (f->at == 0) {
        if (!encap)
            return false;
    } else if (f->mask) {
        if (oui != f->mask)
            return false;
    } else {
        if (encap)
            return false;
        for (size_t i = 0; i < TRAWL_ARRAY_LEN(own_pid_ouis); i++)
            if (oui == own_pid_ouis[i])
                return false;
    }
    out->u = core_be16(v->data + l->off + l->aux + 3);
    return true;
}

static const char *sap_name(uint64_t s) {
    switch (s) {
    case 0x06: return "TCP/IP";
    case 0x42: return "Spanning Tree BPDU";
    case 0xaa: return "SNAP";
    case 0xe0: return "NetWare";
    case 0xf0: return "NetBIOS";
    case 0xfe: return "ISO Network Layer";
    default: return NULL;
    }
}

/* tshark has two fields named llc.control.ftype: one of 16 bits for the
 * 2-byte control field of I and S frames (0x0000, 0x0001), one of 8 for
 * the 1-byte field of U frames (0x03); the value tells which. */
static unsigned ftype_width(uint64_t ftype) {
    return ftype == 3 ? 2 : 4;
}

/* clang-format off */
#define CTL(nm, lbl, ty, part, disp, w)                                       \
    {.name = nm, .label = lbl, .type = ty, .proto = PROTO_LLC,                \
     .get = get_control, .at = part, .display = disp, .width = w,    \
     .bits = 16}
#define PID(nm, oui)                                                          \
    {.name = nm, .label = "PID", .type = TRAWL_FT_UINT, .display = DISP_HEX,  \
     .width = 4, .proto = PROTO_LLC, .get = get_pid, .at = 1, .mask = oui,  \
     .bits = 16}

static const struct trawl_field llc_fields[] = {
    {.name = "llc.dsap", .label = "DSAP", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 2, .proto = PROTO_LLC, .at = 0, .size = 1,
     .value_name = sap_name},
    FIELD_U("llc.dsap.sap", "SAP", PROTO_LLC, 0, 1, 0xfe, 1),
    FIELD_B("llc.dsap.ig", "IG Bit", PROTO_LLC, 0, 1, 0x01, 0),
    {.name = "llc.ssap", .label = "SSAP", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 2, .proto = PROTO_LLC, .at = 1, .size = 1,
     .value_name = sap_name},
    FIELD_U("llc.ssap.sap", "SAP", PROTO_LLC, 1, 1, 0xfe, 1),
    FIELD_B("llc.ssap.cr", "CR Bit", PROTO_LLC, 1, 1, 0x01, 0),
    CTL("llc.control", "Control field", TRAWL_FT_UINT, CTL_WHOLE, DISP_HEX,
        4),
    CTL("llc.control.n_r", "N(R)", TRAWL_FT_UINT, CTL_NR, DISP_DEC, 0),
    CTL("llc.control.n_s", "N(S)", TRAWL_FT_UINT, CTL_NS, DISP_DEC, 0),
    CTL("llc.control.p", "Poll", TRAWL_FT_BOOL, CTL_P, DISP_DEC, 0),
    CTL("llc.control.f", "Final", TRAWL_FT_BOOL, CTL_F, DISP_DEC, 0),
    CTL("llc.control.s_ftype", "Supervisory frame type", TRAWL_FT_UINT,
        CTL_S_FTYPE, DISP_HEX, 4),
    CTL("llc.control.u_modifier_cmd", "Command", TRAWL_FT_UINT, CTL_U_CMD,
        DISP_HEX, 2),
    CTL("llc.control.u_modifier_resp", "Response", TRAWL_FT_UINT,
        CTL_U_RESP, DISP_HEX, 2),
    {.name = "llc.control.ftype", .label = "Frame type",
     .type = TRAWL_FT_UINT, .proto = PROTO_LLC, .get = get_control,
     .at = CTL_FTYPE, .display = DISP_HEX, .hex_width = ftype_width,
     .bits = 16},
    {.name = "llc.oui", .label = "Organization Code", .type = TRAWL_FT_UINT,
     .bits = 24, .proto = PROTO_LLC, .get = get_oui},
    {.name = "llc.type", .bits = 16, .label = "Type", .type = TRAWL_FT_UINT,
     .display = DISP_HEX, .width = 4, .proto = PROTO_LLC, .get = get_pid,
     .at = 0},
    PID("llc.pid", 0),
    PID("llc.cisco_pid", 0x00000c),
    PID("llc.apple_atalk_pid", 0x080007),
    PID("llc.nortel_pid", 0x000081),
    PID("llc.foundry_pid", 0x00e052),
    PID("llc.iana_pid", 0x00005e),
    PID("llc.wlccp_pid", 0x004096),
    PID("llc.bluetooth_pid", 0x001958),
    PID("llc.force10_pid", 0x0001e8),
    PID("llc.hpteam_pid", 0x00805f),
    PID("llc.cimetrics_pid", 0x001090),
    PID("llc.apple_awdl_pid", 0x0017f2),
    PID("llc.extreme_pid", 0x00e02b),
};
/* clang-format on */

const struct decode_proto decode_proto_llc = {
    .id = PROTO_LLC,
    .name = "llc",
    .title = "Logical-Link Control",
    .decode = decode_llc,
    .fields = llc_fields,
    .nfields = TRAWL_ARRAY_LEN(llc_fields),
};
