/* decode — internal contracts between the packet view, the per-protocol
 * decoders (one file each) and the field registry.
 *
 * How a packet is decoded: trawl_view_set() records the link type and
 * pushes the frame pseudo-layer. decode_more() then calls the decoder of
 * `next_proto` at `next_off`; each decoder checks its header through the
 * bounds it is given, pushes one layer (decode_push) and says what follows
 * (decode_next), or records an anomaly and stops. Decoding stops at the
 * first protocol trawl does not know, at the end of the captured bytes, or
 * at DECODE_MAX_LAYERS.
 *
 * Adding a protocol: add it to DECODE_PROTO_LIST, write decode/NAME.c with
 * its decoder, its field table and `const struct decode_proto
 * decode_proto_NAME`, list it in meson.build, and hook it into the dispatch
 * function of the layer below (decode_by_ethertype, decode_by_ipproto,
 * decode_by_udpport). Its fields then appear in expressions, -T fields,
 * JSON and -V at once.
 */
#ifndef TRAWL_DECODE_INTERNAL_H
#define TRAWL_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "trawl/decode.h"
#include "trawl/packet.h"

/* X(ID, short name) — stack order, which is also registry order. */
#define DECODE_PROTO_LIST(X) \
    X(FRAME, frame)          \
    X(NULLLINK, null)        \
    X(SLL, sll)              \
    X(SLL2, sll2)            \
    X(ETH, eth)              \
    X(LLC, llc)              \
    X(VLAN, vlan)            \
    X(MPLS, mpls)            \
    X(PWETH, pwethcw)        \
    X(PWACH, pwach)          \
    X(ARP, arp)              \
    X(SLOW, slow)            \
    X(PNRT, pn_rt)           \
    X(IP, ip)                \
    X(IPV6, ipv6)            \
    X(IPV6_EXT, ipv6ext)     \
    X(TCP, tcp)              \
    X(UDP, udp)              \
    X(ICMP, icmp)            \
    X(ICMPV6, icmpv6)        \
    X(SCTP, sctp)            \
    X(IGMP, igmp)            \
    X(GRE, gre)              \
    X(VXLAN, vxlan)          \
    X(PTP, ptp)              \
    X(DCERPC, dcerpc)        \
    X(SIP, sip)              \
    X(RTP, rtp)              \
    X(RPC, rpc)              \
    X(PORTMAP, portmap)      \
    X(MOUNT, mount)          \
    X(NFS, nfs)              \
    X(NLM, nlm)              \
    X(DATA, data)

enum decode_proto_id {
#define DECODE_X_ENUM(id, name) PROTO_##id,
    DECODE_PROTO_LIST(DECODE_X_ENUM)
#undef DECODE_X_ENUM
        PROTO_COUNT,
    PROTO_NONE = 0xffff, /* "nothing follows" */
};

/* X(ID, name shown to users) — anomalies found while decoding. Each is
 * also a boolean field of the same name, so `ipv4.hlen_too_small` can be
 * filtered on. Those that cost work to find (checksums, option walks) are
 * looked for only when asked for: see `check` in struct decode_proto and
 * decode_finish(). */
#define DECODE_ANOMALY_LIST(X)                        \
    X(DEPTH_EXCEEDED, "frame.depth_exceeded")         \
    X(NULL_TRUNCATED, "null.truncated")               \
    X(SLL_TRUNCATED, "sll.truncated")                 \
    X(ETH_TRUNCATED, "eth.truncated")                 \
    X(ETH_BAD_LENTYPE, "eth.bad_lentype")             \
    X(LLC_TRUNCATED, "llc.truncated")                 \
    X(VLAN_TRUNCATED, "vlan.truncated")               \
    X(MPLS_TRUNCATED, "mpls.truncated")               \
    X(MPLS_NO_BOTTOM, "mpls.no_bottom")               \
    X(PW_TRUNCATED, "pw.truncated")                   \
    X(ARP_TRUNCATED, "arp.truncated")                 \
    X(IPV4_TRUNCATED, "ipv4.truncated")               \
    X(IPV4_HLEN_TOO_SMALL, "ipv4.hlen_too_small")     \
    X(IPV4_BAD_VERSION, "ipv4.bad_version")           \
    X(IPV4_TOTLEN_TOO_SMALL, "ipv4.totlen_too_small") \
    X(IPV4_BAD_CHECKSUM, "ipv4.bad_checksum")         \
    X(IPV4_OPT_MALFORMED, "ipv4.opt_malformed")       \
    X(IPV6_TRUNCATED, "ipv6.truncated")               \
    X(IPV6_BAD_VERSION, "ipv6.bad_version")           \
    X(IPV6_EXT_TRUNCATED, "ipv6.ext_truncated")       \
    X(IPV6_HOPOPTS_MISPLACED, "ipv6.hopopts_misplaced") \
    X(TCP_TRUNCATED, "tcp.truncated")                 \
    X(TCP_HLEN_TOO_SMALL, "tcp.hlen_too_small")       \
    X(TCP_OPT_MALFORMED, "tcp.opt_malformed")         \
    X(TCP_BAD_CHECKSUM, "tcp.bad_checksum")           \
    X(UDP_TRUNCATED, "udp.truncated")                 \
    X(UDP_BAD_LENGTH, "udp.bad_length")               \
    X(UDP_BAD_CHECKSUM, "udp.bad_checksum")           \
    X(ICMP_TRUNCATED, "icmp.truncated")               \
    X(ICMPV6_TRUNCATED, "icmpv6.truncated")           \
    X(SCTP_TRUNCATED, "sctp.truncated")               \
    X(IGMP_TRUNCATED, "igmp.truncated")               \
    X(GRE_TRUNCATED, "gre.truncated")                 \
    X(VXLAN_TRUNCATED, "vxlan.truncated")             \
    X(RPC_TRUNCATED, "rpc.truncated")                 \
    X(RPC_BAD_VERSION, "rpc.bad_version")             \
    X(RPC_AUTH_TOO_LONG, "rpc.auth_too_long")         \
    X(RPC_GAP, "rpc.gap")                             \
    X(RPC_RECORD_TOO_LONG, "rpc.record_too_long")     \
    X(RPC_TOO_MANY_RECORDS, "rpc.too_many_records")   \
    X(RPC_FIELDS_EXCEEDED, "rpc.fields_exceeded")     \
    X(PORTMAP_MALFORMED, "portmap.malformed")         \
    X(MOUNT_MALFORMED, "mount.malformed")             \
    X(NFS_MALFORMED, "nfs.malformed")                 \
    X(NFS_UNKNOWN_OP, "nfs.unknown_op")               \
    X(NFS_TOO_MANY, "nfs.too_many")                   \
    X(NLM_MALFORMED, "nlm.malformed")

enum decode_anomaly_id {
#define DECODE_X_ENUM(id, name) ANOM_##id,
    DECODE_ANOMALY_LIST(DECODE_X_ENUM)
#undef DECODE_X_ENUM
        ANOM_COUNT,
};

/* Deep enough for QinQinQ over MPLS stacks over GRE/VXLAN tunnels; a packet
 * nested deeper stops decoding with frame.depth_exceeded. */
#define DECODE_MAX_LAYERS 32

/* Room for frame.protocols: DECODE_MAX_LAYERS entries of at most 22
 * characters ("pwethheuristic:pwethcw") and their separators, plus a
 * zero-byte protocol after them. A TCP header with many Multipath TCP
 * options makes a longer entry ("tcp:mptcp:mptcp..."), which fits unless
 * the stack is deep as well. A protocol whose entry would not fit is left
 * out rather than cut. */
#define DECODE_PROTOCOLS_MAX ((DECODE_MAX_LAYERS + 1) * 24)

/* One decoded header: a window into the packet's bytes plus a few values
 * the decoder computed that extractors should not recompute. */
struct decode_layer {
    uint16_t proto;  /* enum decode_proto_id */
    uint16_t flags;  /* protocol-specific bits */
    uint32_t off;    /* header start in the packet */
    uint32_t len;    /* header length, within the captured bytes */
    uint32_t end;    /* end of this layer's data (header + payload),
                        clamped to the captured bytes */
    uint32_t aux;    /* protocol-specific (e.g. ipv6: next-header value) */
    /* Layers decoded from XDR (RPC and the programs above it) find all
     * their fields while they are decoded, since XDR puts every field at
     * an offset that depends on those before it: they are the items
     * [item_lo, item_lo + item_n) of v->items (decode/item.c). */
    uint16_t item_lo, item_n;
    /* 0 when the layer lies in the packet's bytes; otherwise 1 + the index
     * of the RPC message of v->ext it lies in (a record reassembled from
     * several segments), and off, len and end are offsets into that
     * message. */
    uint8_t msg;
};

/* ---- RPC messages the flows hand to a view ------------------------------
 * trawl_flows_feed (decode/flows.c) reassembles RPC records over TCP and
 * pairs replies with calls; what it found in one packet is attached to
 * the view as a struct decode_ext, owned by the flows and valid until the
 * next feed. A view without one decodes each packet on its own. */

/* Messages of one packet shown as layers; a segment that completes more
 * (a burst of small replies) shows the first ones and rpc.too_many_records. */
#define DECODE_MAX_RPC_MSGS 14
#define DECODE_RPC_MARKS 8

struct decode_rpc_msg {
    /* The message: the record's fragments joined, without record marks;
     * in the packet's bytes or in memory of the flows. */
    const uint8_t *p;
    uint32_t len;
    uint32_t mark;      /* the record mark of its last fragment */
    uint16_t nfrags;    /* fragments of the record */
    /* The marks of its fragments, the first DECODE_RPC_MARKS of them,
     * when there are several. */
    uint8_t nmarks;
    uint32_t marks[DECODE_RPC_MARKS];
    bool in_packet;     /* a one-fragment record inside this segment */
    uint32_t pkt_off;   /* then: where it starts in the packet (after
                           its record mark over TCP) */
    uint32_t segments;  /* segments the record was reassembled from */
    uint64_t first_frame; /* frame number of its first segment */
    /* A reply whose call the flows saw: the call's program, version,
     * procedure, frame number and the time between them. */
    bool has_call;
    uint32_t prog, vers, proc;
    uint64_t call_frame;
    int64_t call_delta_ns;
    /* A reply in the packet whose call the flows did not see: shown as
     * data from there on. */
    bool unpaired;
    /* A call whose reply the flows saw when these packets were fed
     * before (decode_replies): the reply's frame number, else 0. */
    uint64_t reply_frame;
};

/* Reply frames by (call frame, xid), remembered by the flows for calls
 * fed again (replies.c). Entries live until decode_replies_free. */
struct decode_reply {
    uint64_t call_frame; /* 0: an empty slot */
    uint32_t xid;
    uint32_t after;      /* the reply's frame number less the call's */
};

struct decode_replies {
    struct decode_reply *slots;
    size_t nslots, n;
    size_t max;          /* entries at most; 0 remembers none */
};

void decode_replies_put(struct decode_replies *r, uint64_t call_frame,
                        uint32_t xid, uint64_t reply_frame);
uint64_t decode_replies_get(const struct decode_replies *r,
                            uint64_t call_frame, uint32_t xid);
void decode_replies_free(struct decode_replies *r);

struct decode_ext {
    uint8_t transport;   /* index of the TCP or UDP layer carrying them */
    uint8_t nmsgs;
    bool rpc;            /* the payload belongs to an RPC stream: what is
                            not a message here was held or lost */
    uint64_t anomalies;  /* found by the flows (gaps, records too long) */
    struct decode_rpc_msg msgs[DECODE_MAX_RPC_MSGS];
};

/* The RPC message being decoded, as rpc.c hands it to the decoder of its
 * program (portmap.c, mount.c, nfs.c, nlm.c). */
struct decode_rpc_state {
    const uint8_t *msg;  /* the message */
    uint32_t len;        /* its bytes that are here */
    bool partial;        /* more of it is in later segments (a view
                            without flows), or the capture cut it */
    uint8_t ref;         /* decode_layer.msg of its layers */
    uint8_t layer;       /* index of its rpc layer */
    uint32_t base;       /* offset of msg in the packet when ref == 0 */
    uint32_t body;       /* where the arguments or results start in msg */
    bool call;           /* a call, else an accepted reply */
    bool known;          /* prog/vers/proc known (a call, or a paired reply) */
    uint32_t xid, prog, vers, proc;
    /* A view without flows decodes the records of a TCP segment in turn:
     * the next record mark is at next_mark, the payload ends at
     * payload_end (offsets in the packet). */
    uint32_t next_mark, payload_end;
    uint8_t next_msg;    /* the next message of v->ext to decode */
    bool started;        /* a message of this packet was decoded */
    bool tcp;            /* carried by TCP (record marking) */
};

/* One field value of an XDR layer. */
struct decode_item {
    const struct trawl_field *f;
    union {
        uint64_t u;       /* integers, booleans, IPv4 (host order),
                             times (nanoseconds) */
        const uint8_t *p; /* bytes and strings */
    };
    uint32_t len;         /* bytes at p */
    uint8_t depth;        /* nesting in -V */
    uint8_t flags;        /* DECODE_ITEM_* */
};
#define DECODE_ITEM_HIDDEN 1 /* a repetition -V does not show */

/* Values found per packet; past them, rpc.fields_exceeded. A READDIR reply
 * of a few hundred entries fits. */
#define DECODE_MAX_ITEMS 4096

/* Where the last item lookup stopped, so that asking for occurrence k + 1
 * resumes there instead of scanning the layer again. */
struct decode_item_cursor {
    const struct trawl_field *f;
    const struct decode_layer *l;
    unsigned k;
    uint32_t at;
};

struct trawl_view {
    struct trawl_pkt pkt;
    const uint8_t *data; /* pkt.data */
    uint32_t caplen;     /* usable bytes (FCS excluded) */

    struct decode_layer layers[DECODE_MAX_LAYERS];
    uint8_t nlayers;

    /* Continuation of the lazy decode: what to decode next and where. */
    uint16_t next_proto;
    uint32_t next_off;
    uint32_t next_end; /* where the next layer's data ends */
    uint32_t next_aux; /* what the layer below said of the next one (the
                          IPv6 next-header value, ...) */
    bool done;

    /* A protocol the last layer handed zero bytes to (decode_next_listed):
     * no layer, but tshark names it in frame.protocols. PROTO_NONE when
     * there is none. */
    uint16_t tail_proto;
    uint32_t tail_aux; /* next_aux at that moment */

    bool verify_l4_csum;         /* trawl_view_verify_checksums() */
    uint64_t anomalies;          /* bit per enum decode_anomaly_id */
    bool checked;                /* decode_finish() has run */
    uint64_t protos_seen;        /* bit per enum decode_proto_id */

    /* frame.protocols, built by decode_finish(); `protocols_len` is -1
     * until then. */
    int protocols_len;
    char protocols[DECODE_PROTOCOLS_MAX];

    /* RPC: the messages the flows found in this packet (NULL without
     * flows), the one being decoded, and the XDR layers' field values. */
    const struct decode_ext *ext;
    /* The server's port of this packet's TCP connection when the flows saw
     * its handshake (trawl_flows_feed), else -1. */
    int32_t flow_server;
    struct decode_rpc_state rpc;
    uint16_t nitems;
    /* decode_item_bit() of the field of every item: a field whose bit is
     * clear has no item in the packet. */
    uint64_t item_fields;
    uint8_t item_layer; /* the layer items are added to */
    uint8_t item_depth;
    /* Points at icur_store: extractors, which see the view const, move
     * it. */
    struct decode_item_cursor *icur;
    struct decode_item_cursor icur_store;
    struct decode_item items[DECODE_MAX_ITEMS];
};

_Static_assert(ANOM_COUNT <= 64, "anomaly bitmap is 64 bits");
#define ANOM_BIT(a) ((uint64_t)1 << (a))
_Static_assert(PROTO_COUNT <= 64, "protos_seen is 64 bits");

/* A decoder decodes the header of its protocol at v->next_off (bounded by
 * v->next_end), then calls decode_push() once and decode_next() (or
 * nothing: decoding then ends). It must not read outside
 * [next_off, next_end). */
typedef void (*decode_fn)(struct trawl_view *v);

/* Display of a value in -T fields output (tshark's conventions). */
enum decode_display {
    DISP_DEC = 0,
    DISP_HEX,    /* 0x + hex, zero-padded to `width` digits */
    DISP_DEC_HEX,/* reserved */
    DISP_OCT,
};

/* Extracts occurrence `k` (0, 1, ...) of field `f` from layer `l`; `f`
 * lets one extractor serve several fields through their at/size/mask.
 * Returns true and fills *out, or false when there is no occurrence k
 * (field absent, truncated, k past the last). Most fields have one
 * occurrence per layer; tcp.port has two (source, destination). */
struct trawl_field;
typedef bool (*decode_get_fn)(const struct trawl_view *v,
                              const struct trawl_field *f,
                              const struct decode_layer *l, unsigned k,
                              struct trawl_value *out);

struct trawl_field {
    const char *name;  /* Wireshark display-filter name, lower case */
    const char *label; /* for -V: "Source Address" */
    enum trawl_ftype type;
    uint8_t display;   /* enum decode_display */
    uint8_t width;     /* hex digits for DISP_HEX, 0 = minimal */
    uint16_t proto;    /* enum decode_proto_id of the layer it comes from */
    /* A second protocol whose layers carry the field too (tshark shows
     * ip.version for IPv6 headers as well); 0 when none. */
    uint16_t proto_alt;
    /* Either an extractor, or (get == NULL) a fixed-position value: `size`
     * bytes (1, 2, 3, 4, 6, 8 or 16) at `at` bytes into the layer, big
     * endian; integers are masked with `mask` (0 = all bits) and shifted
     * right by `shift`. */
    decode_get_fn get;
    uint16_t at;
    uint8_t size;
    uint8_t shift;
    uint64_t mask;
    /* Width of an integer in bits, for extractor fields that have no
     * `size` (tcp.port: 16), so that an expression comparing the field
     * with a value it cannot hold is refused; 0 = from size, mask and
     * shift, or 64 when there are none. See decode_field_max(). */
    uint8_t bits;
    /* Needs the whole packet decoded first (anomaly flags). */
    bool needs_full;
    /* pktt spellings and other aliases, NULL-terminated, or NULL. */
    const char *const *aliases;
    /* Value names for -V ("0x0800 (IPv4)"), or NULL. */
    const char *(*value_name)(uint64_t v);
    /* For DISP_HEX fields whose width follows from the value (tshark has
     * two fields of one name and different sizes), or NULL: `width`. */
    unsigned (*hex_width)(uint64_t v);
};

/* How tshark lists a layer in frame.protocols, for the protocols whose
 * entry is not just their name: tshark adds "ethertype" after the layers
 * whose type field it dispatches on ("eth:ethertype:ip"), calls an 802.1ad
 * tag "ieee8021ad", and lists an MPLS stack once. `below` is the layer
 * under `l` (the frame layer at least). A protocol that was handed zero
 * bytes (decode_next_listed) comes as a layer of length 0. Returns the
 * text (static), or NULL to leave the layer out. */
typedef const char *(*decode_protocols_fn)(const struct trawl_view *v,
                                           const struct decode_layer *l,
                                           const struct decode_layer *below);

struct decode_proto {
    uint16_t id;
    const char *name;  /* "ip" */
    const char *title; /* "Internet Protocol Version 4" */
    decode_fn decode;
    const struct trawl_field *fields;
    size_t nfields;
    decode_protocols_fn protocols; /* NULL: listed as `name` */
    /* Anomalies that take work to find (checksums, option walks) are not
     * looked for while decoding but when someone asks for anomalies
     * (decode_finish): `check`, when there is one, returns the bits of
     * those it finds in layer `l`. */
    uint64_t (*check)(const struct trawl_view *v,
                      const struct decode_layer *l);
};

/* Shorthands for field tables: a fixed-position unsigned field shown in
 * decimal (FIELD_U), in 0x-hex of `w` digits (FIELD_H), or a flag bit
 * (FIELD_B). */
#define FIELD_U(nm, lbl, pr, off, sz, msk, sh)                              \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = pr,          \
     .at = off, .size = sz, .mask = msk, .shift = sh}
#define FIELD_H(nm, lbl, pr, off, sz, msk, sh, w)                           \
    {.name = nm, .label = lbl, .type = TRAWL_FT_UINT, .proto = pr,          \
     .at = off, .size = sz, .mask = msk, .shift = sh, .display = DISP_HEX,  \
     .width = w}
#define FIELD_B(nm, lbl, pr, off, sz, msk, sh)                              \
    {.name = nm, .label = lbl, .type = TRAWL_FT_BOOL, .proto = pr,          \
     .at = off, .size = sz, .mask = msk, .shift = sh}

/* One per protocol, defined in decode/NAME.c. */
#define DECODE_X_DECL(id, name) extern const struct decode_proto decode_proto_##name;
DECODE_PROTO_LIST(DECODE_X_DECL)
#undef DECODE_X_DECL

/* All protocols, indexed by enum decode_proto_id (decode/registry.c). */
extern const struct decode_proto *const decode_protos[PROTO_COUNT];

/* ---- helpers for decoders (decode/view.c) ------------------------------ */

/* Appends a layer [off, off+len) whose data runs to `end`. Returns it, or
 * NULL (and records DEPTH_EXCEEDED, ends decoding) when the stack is full. */
struct decode_layer *decode_push(struct trawl_view *v, uint16_t proto,
                                 uint32_t off, uint32_t len, uint32_t end);

/* Says what comes after the current layer: protocol `proto` at `off`, its
 * data ending at `end` (clamped to the captured bytes). PROTO_NONE or an
 * empty remainder ends decoding (a non-empty remainder becomes `data`). */
void decode_next(struct trawl_view *v, uint16_t proto, uint32_t off,
                 uint32_t end);

/* As decode_next(), for the layers after which tshark calls the next
 * dissector even when no byte is left for it, and so still names it in
 * frame.protocols: an Ethernet frame cut right after its header is
 * "eth:ethertype:ip". */
void decode_next_listed(struct trawl_view *v, uint16_t proto, uint32_t off,
                        uint32_t end);

/* For a decoder handed too few bytes for tshark to show any field of its
 * header, though tshark names the protocol in frame.protocols (its
 * dissector ran, and stopped before adding anything to the tree): the
 * protocol is listed as one handed zero bytes is (decode_next_listed,
 * with `aux` as its next_aux), no layer is pushed, so that a protocol test
 * does not find it either (tshark's filter does not), the bytes do not
 * become data, and decoding ends. */
void decode_listed(struct trawl_view *v, uint16_t proto, uint32_t aux);

static inline void decode_anomaly(struct trawl_view *v,
                                  enum decode_anomaly_id a) {
    v->anomalies |= (uint64_t)1 << a;
}

/* A header cut short by the capture is pushed with the bytes there are
 * (and an anomaly), so that the fields inside them still show, as tshark
 * shows them; nothing is decoded after it. */
static inline void decode_truncated(struct trawl_view *v, uint16_t proto,
                                    enum decode_anomaly_id a) {
    decode_anomaly(v, a);
    decode_push(v, proto, v->next_off, v->next_end - v->next_off,
                v->next_end);
}

/* A header whose length field cannot be right is pushed only up to the
 * end of the first `len` bytes (through the bad field), with an anomaly:
 * the fields after it do not show, as tshark does not show them, and
 * nothing is decoded after it. */
static inline void decode_malformed(struct trawl_view *v, uint16_t proto,
                                    enum decode_anomaly_id a, uint32_t len) {
    decode_anomaly(v, a);
    decode_push(v, proto, v->next_off, len, v->next_end);
}


/* Dispatch tables of the layers that carry others. Each returns the
 * protocol for the value, or PROTO_DATA when trawl does not decode it. */
uint16_t decode_by_ethertype(uint16_t ethertype);
uint16_t decode_by_ipproto(uint8_t proto);
uint16_t decode_by_udpport(uint16_t sport, uint16_t dport);
uint16_t decode_by_linktype(int linktype);

/* Decodes one more layer; false when decoding is finished. */
bool decode_more(struct trawl_view *v);

/* Decodes the whole packet, runs the checks that cost work (each
 * protocol's `check`: checksums, option walks) so that every anomaly is in
 * v->anomalies, and builds frame.protocols. Only callers that ask for such
 * fields pay for it. */
void decode_finish(struct trawl_view *v);

/* Writes frame.protocols for the fully decoded view into v->protocols
 * (decode/frame.c). */
void decode_frame_protocols(struct trawl_view *v);

/* Internet checksum over [p, p+n) added to `sum` (not folded). */
uint32_t decode_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t decode_csum_fold(uint32_t sum);

/* The extractor of fields declared by position, for wrappers that add a
 * condition (e.g. only on one kind of IPv6 extension header). */
bool decode_get_fixed(const struct trawl_view *v, const struct trawl_field *f,
                      const struct decode_layer *l, unsigned k,
                      struct trawl_value *out);

/* The nearest layer below `l` with protocol `proto`, or NULL. */
const struct decode_layer *decode_below(const struct trawl_view *v,
                                        const struct decode_layer *l,
                                        uint16_t proto);

/* Walks the values of several fields at once in packet order (layer by
 * layer, outermost first; within a layer, in the order of `fs`), decoding
 * only as far as needed, as trawl_view_field_each does for one field: the
 * expression language reads `vlan.id` and `ieee8021ad.id` as one list of
 * tags so that "the outer tag" means the same whatever its TPID. fn
 * returns false to stop. Returns the number of values visited. */
size_t decode_fields_each(struct trawl_view *v,
                          const struct trawl_field *const *fs, size_t n,
                          trawl_value_fn fn, void *ctx);

/* True when the packet has a layer of protocol `proto`; decodes only until
 * one is found. */
bool decode_has_proto(struct trawl_view *v, uint16_t proto);

/* The protocol whose short name is `name` (ignoring case), or PROTO_NONE. */
uint16_t decode_proto_by_name(const char *name, size_t len);

/* The largest value an integer field can hold: 65535 for tcp.port, 4095
 * for vlan.id (12 bits of a 16-bit word), 255 for ip.ttl; for a signed
 * field, the largest positive one (its least is -max - 1). UINT64_MAX
 * (INT64_MAX) when the field says nothing narrower. */
uint64_t decode_field_max(const struct trawl_field *f);

/* Source then destination port: the 16-bit words at offsets 0 and 2 of
 * the layer (tcp.port, udp.port, sctp.port). */
bool decode_get_port_pair(const struct trawl_view *v,
                          const struct trawl_field *f,
                          const struct decode_layer *l, unsigned k,
                          struct trawl_value *out);

/* ---- what transport decoders ask of the IP layer below (decode/inet.c) */

/* Checksum status as tshark shows `*.checksum.status`. */
enum decode_csum_status {
    CSUM_BAD = 0,
    CSUM_GOOD = 1,
    CSUM_UNVERIFIED = 2,
    CSUM_NOT_PRESENT = 3,
    CSUM_ILLEGAL = 4,
};
const char *decode_csum_status_name(uint64_t status);

/* The IPv4 or IPv6 header that carries `l`, past the extension headers
 * (and AH) between them; NULL when the layer below is something else. */
const struct decode_layer *decode_ip_below(const struct trawl_view *v,
                                           const struct decode_layer *l);

/* Where the IP datagram carrying layer `l` ends by its length field, but
 * not past the end of the frame on the wire (what tshark calls the
 * reported length); it may lie past the captured bytes. When no IP header
 * is below or its length says nothing (0: segmentation offload,
 * jumbogram), the end of `l`'s data, or of the frame on the wire when the
 * data runs to the end of the capture. */
uint64_t decode_ip_wire_end(const struct trawl_view *v,
                            const struct decode_layer *l);

/* Whether the IP length field claims more bytes than the frame had on the
 * wire (a frame cut short before capture, not by it). */
bool decode_ip_overrun(const struct trawl_view *v,
                       const struct decode_layer *l);

/* tcp.serverport, udp.serverport: the port of the server of the TCP or
 * UDP layer `l` (docs/expressions.md, serverport). For TCP, from the
 * handshake: a SYN goes to the server's port, a SYN+ACK comes from it,
 * and the flows remember which side it was for the connection's other
 * packets. Otherwise, when one port is below 1024 and the other is not,
 * the lower one; else there is none. */
bool decode_get_server_port(const struct trawl_view *v,
                            const struct trawl_field *f,
                            const struct decode_layer *l, unsigned k,
                            struct trawl_value *out);

/* Whether the IP datagram carrying `l` is a fragment (IPv4 MF or offset,
 * or an IPv6 fragment header with M or an offset: an atomic fragment is
 * the whole datagram). */
bool decode_ip_fragment(const struct trawl_view *v,
                        const struct decode_layer *l);

/* Whether the message of `len` bytes at `l->off` can be checksummed as
 * tshark would: every byte captured, carried by IP, not part of a
 * fragment, not quoted in an ICMP error. */
bool decode_csum_possible(const struct trawl_view *v,
                          const struct decode_layer *l, uint64_t len);

/* The final destination of the whole IPv4 header of `hlen` bytes at
 * `hdr`: the last address of a source route still on its way (tshark's
 * ip.dst then), else the header's destination. 4 bytes inside the
 * header. */
const uint8_t *decode_ipv4_final_dst(const uint8_t *hdr, uint32_t hlen);

/* The IPv4 or IPv6 pseudo-header sum for a message of `len` bytes of
 * protocol `proto` in `l` (not folded). False when it cannot be known: no
 * IP header below, or an IPv6 routing header hides the final
 * destination. */
bool decode_pseudo_sum(const struct trawl_view *v,
                       const struct decode_layer *l, uint8_t proto,
                       uint32_t len, uint32_t *sum);

/* The status of the TCP or UDP (`proto`) checksum over `len` bytes at
 * `l->off`: unverified unless the view verifies them
 * (trawl_view_verify_checksums) and it can be checked (see
 * decode_csum_possible; not with an IP length left to offload, or a frame
 * cut short before capture), else good or bad. */
uint64_t decode_l4_csum_status(const struct trawl_view *v,
                               const struct decode_layer *l, uint8_t proto,
                               uint64_t len);

/* The status tshark gives a checksum over a whole message at `l->off`
 * whose length the IP header below gives (ICMP, ICMPv6, IGMP, GRE): good
 * or bad when it can verify it (decode_csum_possible), else unverified.
 * A non-zero `proto` adds the pseudo-header for that protocol (ICMPv6). */
uint64_t decode_msg_csum_status(const struct trawl_view *v,
                                const struct decode_layer *l, uint8_t proto);

/* Extractor of decode_msg_csum_status() for ICMP and ICMPv6 (with the
 * pseudo-header), when the layer holds the checksum (`f->at`, `f->size`). */
bool decode_get_msg_csum_status(const struct trawl_view *v,
                                const struct trawl_field *f,
                                const struct decode_layer *l, unsigned k,
                                struct trawl_value *out);

/* Extractor of a checksum status tshark does not verify by default (IPv4
 * header, SCTP): "unverified" when the layer holds the checksum,
 * `f->size` bytes at `f->at`. */
bool decode_get_csum_unverified(const struct trawl_view *v,
                                const struct trawl_field *f,
                                const struct decode_layer *l, unsigned k,
                                struct trawl_value *out);

/* Common extractor helpers: big-endian integer of `size` bytes at `at`
 * bytes into the layer, masked and shifted. */
bool decode_get_be(const struct trawl_view *v, const struct decode_layer *l,
                   uint32_t at, unsigned size, uint64_t mask, unsigned shift,
                   struct trawl_value *out);

/* ---- XDR layers: RPC and its programs (decode/item.c, decode/rpc.c) -----
 * An RPC message lies in the packet or, reassembled by the flows, in
 * their memory (v->rpc.msg). Its decoders push their layers with
 * decode_push_msg() and add every field value they meet, in the order
 * tshark shows them, with decode_item_*(); the fields of those layers
 * read them back through decode_get_item(). */

/* Pushes a layer at [off, off + len) of the current RPC message, its data
 * running to `end`; later items belong to it. NULL when the stack is
 * full. */
/* The protocols whose layers decode_push_msg pushes: only their layers
 * hold items. */
#define DECODE_ITEM_PROTOS                                              \
    ((uint64_t)1 << PROTO_RPC | (uint64_t)1 << PROTO_PORTMAP |          \
     (uint64_t)1 << PROTO_MOUNT | (uint64_t)1 << PROTO_NFS |            \
     (uint64_t)1 << PROTO_NLM)

struct decode_layer *decode_push_msg(struct trawl_view *v, uint16_t proto,
                                     uint32_t off, uint32_t len,
                                     uint32_t end);

/* Adds a value of field f to the layer last pushed with decode_push_msg
 * (a no-op, and rpc.fields_exceeded, past DECODE_MAX_ITEMS). */
void decode_item_u(struct trawl_view *v, const struct trawl_field *f,
                   uint64_t u);
void decode_item_bytes(struct trawl_view *v, const struct trawl_field *f,
                       const uint8_t *p, uint32_t len);
/* As decode_item_u, for a repetition -V leaves out. */
void decode_item_hidden(struct trawl_view *v, const struct trawl_field *f,
                        uint64_t u);

/* Nesting of the values that follow, for -V. */
static inline void decode_item_enter(struct trawl_view *v) {
    if (v->item_depth < 255)
        v->item_depth++;
}
static inline void decode_item_leave(struct trawl_view *v) {
    if (v->item_depth)
        v->item_depth--;
}

/* The bit of v->item_fields standing for field f (and for others: a
 * field's place in memory, counted in fields, modulo 64). */
static inline uint64_t decode_item_bit(const struct trawl_field *f) {
    return (uint64_t)1 << ((uintptr_t)f / sizeof *f % 64);
}

/* False when the packet has no item of field f. */
static inline bool decode_item_maybe(const struct trawl_view *v,
                                     const struct trawl_field *f) {
    return v->item_fields & decode_item_bit(f);
}

/* The extractor of every field of an XDR layer: occurrence k of f's items
 * in layer l. */
bool decode_get_item(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out);

/* Whether a TCP or UDP payload at [off, end) looks like the start of an
 * RPC message (record-marked over TCP) that trawl decodes without help:
 * a call of a program trawl knows, or any message on a port RPC is known
 * to use (111, 2049). Returns PROTO_RPC or PROTO_DATA. */
/* Whether a UDP payload at [off, end) between those ports looks like a
 * connectionless DCE/RPC header (decode/dcerpc.c). */
bool decode_dcerpc_probe(const struct trawl_view *v, uint32_t off,
                         uint32_t end, uint16_t sport, uint16_t dport);

/* Whether a TCP or UDP payload at [off, end) starts with a SIP request
 * or status line (over TCP: and holds the whole message): PROTO_SIP or
 * PROTO_DATA (decode/sip.c). */
uint16_t decode_sip_probe(const struct trawl_view *v, uint32_t off,
                          uint32_t end, bool tcp);
/* The same for the `n` (> 0) bytes at p. */
uint16_t decode_sip_probe_bytes(const uint8_t *p, uint32_t n, bool tcp);

/* The body of the SIP message of layer `l` (as long as its Content-Length
 * says, when the bytes are there): false when it has none. */
bool decode_sip_body(const struct trawl_view *v, const struct decode_layer *l,
                     const uint8_t **body, uint32_t *len);

/* Whether a UDP payload at [off, end) between those ports passes the RTP
 * heuristic (decode/rtp.c): PROTO_RTP or PROTO_DATA. */
uint16_t decode_rtp_probe(const struct trawl_view *v, uint32_t off,
                          uint32_t end, uint16_t sport, uint16_t dport);

/* Whether the UDP payload at [off, end) is a well-formed RTP header
 * (version 2, the header and the padding within it, not RTCP), whatever
 * its ports and payload type: for the sessions SDP announced. */
bool decode_rtp_check(const struct trawl_view *v, uint32_t off, uint32_t end);

/* An RTP endpoint an SDP body announced ("c=" address, "m=" port). */
struct decode_media {
    uint8_t af; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;
};

/* The RTP endpoints the SDP body of SIP layer `l` announces, at most
 * `max` of them, in *out; returns their number. */
size_t decode_sdp_media(const struct trawl_view *v,
                        const struct decode_layer *l,
                        struct decode_media *out, size_t max);

uint16_t decode_rpc_probe(const struct trawl_view *v, uint32_t off,
                          uint32_t end, uint16_t sport, uint16_t dport,
                          bool tcp);

/* Called by a program's decoder when it is done with the current
 * message: decoding goes on with the next message of the packet, if any
 * (the records of a TCP segment, the messages of v->ext). */
void decode_rpc_next(struct trawl_view *v);

/* Restarts decoding of the packet the view is set to, forgetting the
 * layers decoded so far (the flows do this before they attach what they
 * found). */
void decode_restart(struct trawl_view *v);

/* Says what comes next without offsets in the packet: for the layers
 * of an RPC message, whose decoders find their bytes in v->rpc. */
void decode_continue(struct trawl_view *v, uint16_t proto);

#endif
