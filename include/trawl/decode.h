/* trawl — decoded packets and the field registry.
 *
 * A trawl_view decodes one packet lazily: setting a packet decodes nothing;
 * asking for a layer or a field decodes only as deep as needed. Layers are
 * (protocol, offset, length) into the packet's own bytes, never copies, so
 * a view is valid only while the trawl_pkt it was set with (and its data)
 * is.
 *
 * The field registry names every decoded field once, with Wireshark's
 * display-filter names (case-insensitive) and NFStest pktt's spellings as
 * aliases; expressions, `-T fields`, JSON, the web UI and indexes all use it.
 */
#ifndef TRAWL_DECODE_H
#define TRAWL_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/error.h"
#include "trawl/export.h"
#include "trawl/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_view trawl_view;
typedef struct trawl_field trawl_field;

/* ---- views ------------------------------------------------------------ */

TRAWL_API trawl_view *trawl_view_new(void);
TRAWL_API void trawl_view_free(trawl_view *v);

/* Points the view at a packet. The view keeps a copy of *pkt (not of its
 * bytes); pkt->data must stay valid while the view is used. */
TRAWL_API void trawl_view_set(trawl_view *v, const struct trawl_pkt *pkt);

/* Whether the view verifies TCP and UDP checksums (false by default, as
 * tshark). Captured on the sending host, or on a veth, these checksums are
 * often left to the NIC (offload) and not yet filled in, so verifying them
 * by default would flag nearly every locally sent packet. When false,
 * tcp.bad_checksum and udp.bad_checksum are never found and the
 * checksum.status fields say Unverified; when true they say Good or Bad.
 * Takes effect from the next trawl_view_set(), and survives it. */
TRAWL_API void trawl_view_verify_checksums(trawl_view *v, bool verify);

/* The packet the view was last set with. */
TRAWL_API const struct trawl_pkt *trawl_view_pkt(const trawl_view *v);

struct trawl_layer_info {
    const char *name;  /* short protocol name, as in field names: "ip" */
    const char *title; /* "Internet Protocol Version 4" */
    uint32_t offset;   /* first byte of the header in pkt->data */
    uint32_t length;   /* header length (payload not included) */
    /* The layer lies in an RPC record reassembled from several TCP
     * segments (see trawl/flows.h), not in this packet's bytes: offset
     * and length are then positions in that record. */
    bool reassembled;
};

/* Decodes the whole packet and returns the number of layers (the frame
 * pseudo-layer is layer 0). */
TRAWL_API size_t trawl_view_layer_count(trawl_view *v);
/* Layer i (0-based), after trawl_view_layer_count(). Returns false past
 * the end. */
TRAWL_API bool trawl_view_layer(trawl_view *v, size_t i,
                                struct trawl_layer_info *out);

/* Offset in pkt->data where the innermost decoded payload starts (after the
 * last header trawl understood), after full decoding. */
TRAWL_API uint32_t trawl_view_payload_offset(trawl_view *v);

/* Anomalies found while decoding the whole packet: writes up to `max`
 * names ("ipv4.hlen_too_small") and returns how many there are. */
TRAWL_API size_t trawl_view_anomalies(trawl_view *v, const char **names,
                                      size_t max);

/* ---- values ----------------------------------------------------------- */

enum trawl_ftype {
    TRAWL_FT_NONE = 0, /* a protocol or a flag with no value: presence only */
    TRAWL_FT_BOOL,     /* u = 0 or 1 */
    TRAWL_FT_UINT,     /* u */
    TRAWL_FT_INT,      /* i */
    TRAWL_FT_DOUBLE,   /* d */
    TRAWL_FT_IPV4,     /* addr[0..3] */
    TRAWL_FT_IPV6,     /* addr[0..15] */
    TRAWL_FT_MAC,      /* addr[0..5] */
    TRAWL_FT_BYTES,    /* bytes.p, bytes.len into the packet */
    TRAWL_FT_STRING,   /* bytes.p, bytes.len: text, not NUL-terminated */
    TRAWL_FT_TIME,     /* time: absolute, since the epoch */
    TRAWL_FT_RELTIME,  /* time: relative */
};

struct trawl_value {
    enum trawl_ftype type;
    union {
        uint64_t u;
        int64_t i;
        double d;
        uint8_t addr[16];
        struct {
            const uint8_t *p;
            size_t len;
        } bytes;
        struct {
            int64_t sec;
            uint32_t nsec;
        } time;
    };
};

/* ---- fields ----------------------------------------------------------- */

/* Looks a field up by name or alias, ignoring case ("ip.src", "IP.src",
 * "TCP.src_port"). NULL when unknown. */
TRAWL_API const trawl_field *trawl_field_lookup(const char *name);

/* All fields, in registry order (protocols in stack order, fields in
 * header order), for listings and completion. */
TRAWL_API size_t trawl_field_count(void);
TRAWL_API const trawl_field *trawl_field_at(size_t i);

TRAWL_API const char *trawl_field_name(const trawl_field *f);  /* "ip.src" */
TRAWL_API const char *trawl_field_label(const trawl_field *f); /* "Source Address" */
TRAWL_API const char *trawl_field_proto(const trawl_field *f); /* "ip" */
TRAWL_API enum trawl_ftype trawl_field_type(const trawl_field *f);
/* The i-th other spelling of f (pktt's "IP.src" style names), or NULL past
 * the last. */
TRAWL_API const char *trawl_field_alias(const trawl_field *f, size_t i);
/* The type's name for people: "unsigned", "IPv4 address", ... */
TRAWL_API const char *trawl_ftype_name(enum trawl_ftype t);

/* Calls fn for each occurrence of field f in the packet, outermost first
 * (QinQ tags, tunnelled headers, both ports of tcp.port), decoding only as
 * far as needed; fn returns false to stop early. Returns the number of
 * occurrences visited. */
typedef bool (*trawl_value_fn)(void *ctx, const trawl_field *f,
                               const struct trawl_value *val);
TRAWL_API size_t trawl_view_field_each(trawl_view *v, const trawl_field *f,
                                       trawl_value_fn fn, void *ctx);

/* The first occurrence of f: returns true and fills *out, or false when the
 * packet has no such field. */
TRAWL_API bool trawl_view_field(trawl_view *v, const trawl_field *f,
                                struct trawl_value *out);

/* Calls fn for every field of layer `layer`'s protocol that is present in
 * that layer (not in other layers of the same protocol), in registry
 * order, each occurrence in turn. Returns the number of values visited. */
TRAWL_API size_t trawl_view_layer_fields(trawl_view *v, size_t layer,
                                         trawl_value_fn fn, void *ctx);

/* As trawl_view_layer_fields, in the order the packet holds the values
 * and with their nesting (0 for the layer's own fields, 1 for those of a
 * structure inside it, ...), for trees like -V. Layers of fixed layout
 * give their fields in registry order at depth 0; the layers of RPC and
 * the programs above it (NFS, MOUNT, PORTMAP, NLM), whose values sit in
 * nested XDR structures, in wire order. */
typedef bool (*trawl_tree_fn)(void *ctx, const trawl_field *f,
                              const struct trawl_value *val, unsigned depth);
TRAWL_API size_t trawl_view_layer_tree(trawl_view *v, size_t layer,
                                       trawl_tree_fn fn, void *ctx);

/* Formats a value the way `tshark -T fields` prints the field (dotted IPv4,
 * compressed IPv6, colon MACs, decimal or 0x-hex per field, 9-decimal epoch
 * times). Always NUL-terminates; returns the length it wanted, as snprintf. */
TRAWL_API size_t trawl_value_format(const trawl_field *f,
                                    const struct trawl_value *val, char *buf,
                                    size_t len);

/* Formats a value for people (`-V`): may add names ("0x0800 (IPv4)"). */
TRAWL_API size_t trawl_value_describe(const trawl_field *f,
                                      const struct trawl_value *val,
                                      char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
