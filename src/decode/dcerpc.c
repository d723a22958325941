/* Connectionless DCE/RPC (the datagram protocol of DCE 1.1, RPC version
 * 4) over UDP, as PROFINET IO's context manager uses it (port 34964): an
 * 80-byte header, then the stub data of a request or a response. The
 * header's integers and UUIDs are in the byte order its data
 * representation (drep) gives: little-endian when the high nibble of its
 * first byte is 1.
 *
 * Found by its header: at least 80 bytes, version 4, a packet type up to
 * 10 (cancel ack), as tshark finds it on any UDP port. Off PNIO's port
 * trawl asks more, as it does not know most protocols tshark tries first
 * by their ports (a DNS message can start with those bytes): a data
 * representation DCE defines and a fragment length that is the rest of
 * the datagram. The stub data is not decoded; dcerpc.pnio_cm (trawl's)
 * says the interface is one of PROFINET IO's (device, controller,
 * supervisor, parameter server), for which the operation numbers are PNIO
 * CM's: connect 0, release 1, read 2, write 3, control 4, read implicit
 * 5. */
#include "decode/decode.h"

enum {
    DG_HLEN = 80,
    DG_VERSION = 4,
    DG_MAX_PTYPE = 10,
    DG_IF_ID = 24,
    PNIO_CM_PORT = 34964,
};

/* Layer flags: the header is little-endian; the interface is PNIO's. */
#define DG_LE 0x1
#define DG_PNIO 0x2

static uint32_t drep32(const uint8_t *p, bool le) {
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                    (uint32_t)p[3] << 24
              : core_be32(p);
}

static uint16_t drep16(const uint8_t *p, bool le) {
    return le ? (uint16_t)(p[0] | p[1] << 8) : core_be16(p);
}

bool decode_dcerpc_probe(const struct trawl_view *v, uint32_t off, uint32_t end,
                         uint16_t sport, uint16_t dport) {
    const uint8_t *p = v->data + off;
    if (end <= off || end - off < DG_HLEN || p[0] != DG_VERSION ||
        p[1] > DG_MAX_PTYPE)
        return false;
    if (sport == PNIO_CM_PORT || dport == PNIO_CM_PORT)
        return true;
    bool le = (p[4] & 0xf0) == 0x10;
    return (p[4] & 0xe0) == 0 && (p[4] & 0x0e) == 0 && p[5] <= 3 && p[6] == 0 &&
           drep16(p + 74, le) == end - off - DG_HLEN;
}

/* The interfaces of PROFINET IO: DEA0000N-6C97-11D1-8271-00A02442DF7D,
 * N = 1 (device), 2 (controller), 3 (supervisor), 4 (parameter server). */
static bool pnio_interface(const uint8_t *u, bool le) {
    static const uint8_t tail[8] = {0x82, 0x71, 0x00, 0xa0,
                                    0x24, 0x42, 0xdf, 0x7d};
    uint32_t a = drep32(u, le);
    return a >= 0xdea00001 && a <= 0xdea00004 && drep16(u + 4, le) == 0x6c97 &&
           drep16(u + 6, le) == 0x11d1 && memcmp(u + 8, tail, 8) == 0;
}

static void decode_dcerpc(struct trawl_view *v) {
    uint32_t off = v->next_off, end = v->next_end;
    const uint8_t *p = v->data + off;
    if (end - off < DG_HLEN)
        return; /* left as data; the UDP decoder probed the header */
    bool le = (p[4] & 0xf0) == 0x10;
    uint32_t stub = drep16(p + 74, le);
    uint32_t dend = end - off - DG_HLEN > stub ? off + DG_HLEN + stub : end;
    struct decode_layer *l = decode_push(v, PROTO_DCERPC, off, DG_HLEN, dend);
    if (!l)
        return;
    if (le)
        l->flags |= DG_LE;
    if (pnio_interface(p + DG_IF_ID, le))
        l->flags |= DG_PNIO;
}

/* An integer of the header in the byte order of its drep. */
static bool get_int(const struct trawl_view *v, const struct trawl_field *f,
                    const struct decode_layer *l, unsigned k,
                    struct trawl_value *out) {
    if (k || l->len < DG_HLEN)
        return false;
    const uint8_t *p = v->data + l->off + f->at;
    bool le = l->flags & DG_LE;
    out->u = f->size == 4 ? drep32(p, le) : f->size == 2 ? drep16(p, le) : p[0];
    return true;
}

/* The stub data of a request (0) or a response (2). */
static bool get_stub(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)f;
    uint8_t ptype = v->data[l->off + 1];
    if (k || (ptype != 0 && ptype != 2) || l->end <= l->off + DG_HLEN)
        return false;
    out->bytes.p = v->data + l->off + DG_HLEN;
    out->bytes.len = l->end - l->off - DG_HLEN;
    return true;
}

static bool get_pnio(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    (void)v;
    (void)f;
    if (k || !(l->flags & DG_PNIO))
        return false;
    out->u = 1;
    return true;
}

static const char *ptype_name(uint64_t t) {
    static const char *const names[] = {
        "Request", "Ping", "Response",  "Fault", "Working",   "Nocall",
        "Reject",  "Ack",  "Cl_cancel", "Fack",  "Cancel_ack"};
    return t < TRAWL_ARRAY_LEN(names) ? names[t] : NULL;
}

/* clang-format off */
#define DG_INT(nm, lbl, off, sz, disp, w)                                     \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = PROTO_DCERPC,  \
     .get = get_int, .at = off, .size = sz, .display = disp, .width = w}

static const struct trawl_field dcerpc_fields[] = {
    DG_INT("dcerpc.ver", "Version", 0, 1, DISP_DEC, 0),
    {.name = "dcerpc.pkt_type", .label = "Packet type", .type = TRAWL_FT_UINT,
     .proto = PROTO_DCERPC, .get = get_int, .at = 1, .size = 1,
     .value_name = ptype_name},
    DG_INT("dcerpc.dg_flags1", "Flags1", 2, 1, DISP_HEX, 2),
    DG_INT("dcerpc.dg_flags2", "Flags2", 3, 1, DISP_HEX, 2),
    {.name = "dcerpc.drep", .label = "Data Representation",
     .type = TRAWL_FT_BYTES, .proto = PROTO_DCERPC, .at = 4, .size = 3},
    DG_INT("dcerpc.dg_serial_hi", "Serial High", 7, 1, DISP_HEX, 2),
    DG_INT("dcerpc.dg_if_ver", "Interface Ver", 60, 4, DISP_DEC, 0),
    DG_INT("dcerpc.dg_seqnum", "Sequence num", 64, 4, DISP_DEC, 0),
    DG_INT("dcerpc.opnum", "Opnum", 68, 2, DISP_DEC, 0),
    DG_INT("dcerpc.dg_ihint", "Interface Hint", 70, 2, DISP_HEX, 4),
    DG_INT("dcerpc.dg_ahint", "Activity Hint", 72, 2, DISP_HEX, 4),
    DG_INT("dcerpc.dg_frag_len", "Fragment len", 74, 2, DISP_DEC, 0),
    DG_INT("dcerpc.dg_frag_num", "Fragment num", 76, 2, DISP_DEC, 0),
    DG_INT("dcerpc.dg_auth_proto", "Auth proto", 78, 1, DISP_DEC, 0),
    DG_INT("dcerpc.dg_serial_lo", "Serial Low", 79, 1, DISP_HEX, 2),
    {.name = "dcerpc.stub_data", .label = "Stub data", .type = TRAWL_FT_BYTES,
     .proto = PROTO_DCERPC, .get = get_stub},
    {.name = "dcerpc.pnio_cm", .label = "PROFINET IO CM interface",
     .type = TRAWL_FT_BOOL, .proto = PROTO_DCERPC, .get = get_pnio},
};
/* clang-format on */

const struct decode_proto decode_proto_dcerpc = {
    .id = PROTO_DCERPC,
    .name = "dcerpc",
    .title = "Distributed Computing Environment / Remote Procedure Call "
             "(DCE/RPC)",
    .decode = decode_dcerpc,
    .fields = dcerpc_fields,
    .nfields = TRAWL_ARRAY_LEN(dcerpc_fields),
};
