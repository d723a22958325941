/* xdr — reading XDR (RFC 4506) through the bounds-checked cursor, and
 * adding what is read as items of the layer being decoded (decode/item.c).
 *
 * Every getter checks what is left first; past the end (or given a length
 * longer than what is left, or than the protocol allows) it sets the
 * cursor's `bad`, returns 0 or NULL and adds nothing, so a decoder reads a
 * structure and tests `bad` once. Internal to the decoders of RPC and its
 * programs. */
#ifndef TRAWL_DECODE_XDR_H
#define TRAWL_DECODE_XDR_H

#include "decode/decode.h"

/* A cursor over XDR and the view its items go to. */
struct xdr {
    struct core_cursor c;
    struct trawl_view *v;
};

static inline void xdr_init(struct xdr *x, struct trawl_view *v,
                            const uint8_t *p, size_t len) {
    core_cursor_init(&x->c, p, len, false);
    x->v = v;
}

static inline bool xdr_bad(const struct xdr *x) {
    return x->c.bad;
}

static inline size_t xdr_left(const struct xdr *x) {
    return core_cursor_left(&x->c);
}

static inline uint32_t xdr_u32(struct xdr *x) {
    return core_cursor_u32(&x->c);
}

static inline uint64_t xdr_u64(struct xdr *x) {
    return core_cursor_u64(&x->c);
}

/* `n` bytes of fixed-length opaque data and the padding after them. */
static inline const uint8_t *xdr_fixed(struct xdr *x, uint32_t n) {
    uint32_t padded = n + (-n & 3u);
    if (padded < n || !core_cursor_need(&x->c, padded))
        return NULL;
    const uint8_t *p = core_cursor_ptr(&x->c, padded);
    return p;
}

/* Variable-length opaque data (or a string) of at most `max` bytes: its
 * length, then the bytes and their padding. */
static inline const uint8_t *xdr_opaque(struct xdr *x, uint32_t max,
                                        uint32_t *len) {
    uint32_t n = xdr_u32(x);
    *len = 0;
    if (x->c.bad)
        return NULL;
    if (n > max) {
        x->c.bad = true;
        return NULL;
    }
    const uint8_t *p = xdr_fixed(x, n);
    if (p)
        *len = n;
    return p;
}

/* The same, read and added as an item of f. */
static inline uint32_t xdr_item_u32(struct xdr *x, const struct trawl_field *f) {
    uint32_t u = xdr_u32(x);
    if (!x->c.bad)
        decode_item_u(x->v, f, u);
    return u;
}

static inline uint64_t xdr_item_u64(struct xdr *x, const struct trawl_field *f) {
    uint64_t u = xdr_u64(x);
    if (!x->c.bad)
        decode_item_u(x->v, f, u);
    return u;
}

/* A boolean: tshark shows any value other than 0 as true. */
static inline bool xdr_item_bool(struct xdr *x, const struct trawl_field *f) {
    uint32_t u = xdr_u32(x);
    if (!x->c.bad)
        decode_item_u(x->v, f, u != 0);
    return u != 0;
}

static inline const uint8_t *xdr_item_fixed(struct xdr *x,
                                            const struct trawl_field *f,
                                            uint32_t n) {
    const uint8_t *p = xdr_fixed(x, n);
    if (p)
        decode_item_bytes(x->v, f, p, n);
    return p;
}

static inline const uint8_t *xdr_item_opaque(struct xdr *x,
                                             const struct trawl_field *f,
                                             uint32_t max, uint32_t *len) {
    const uint8_t *p = xdr_opaque(x, max, len);
    if (p)
        decode_item_bytes(x->v, f, p, *len);
    return p;
}

/* An array's element count, refused (bad) past `max`: counts come from the
 * packet, and every element takes at least 4 bytes, so a count larger
 * than what is left over 4 cannot be right either. */
static inline uint32_t xdr_count(struct xdr *x, uint32_t max) {
    uint32_t n = xdr_u32(x);
    if (!x->c.bad && (n > max || n > xdr_left(x) / 4))
        x->c.bad = true;
    return x->c.bad ? 0 : n;
}

/* Skips `n` 4-byte words. */
static inline bool xdr_skip(struct xdr *x, uint32_t n) {
    return core_cursor_skip(&x->c, (size_t)n * 4);
}

/* Skips opaque data of at most `max` bytes. */
static inline void xdr_skip_opaque(struct xdr *x, uint32_t max) {
    uint32_t len;
    (void)xdr_opaque(x, max, &len);
}

/* ---- the layers of RPC programs (decode/rpc.c) ---------------------------
 * Every program decoder reads the same way: */

/* Pushes the layer of the program `proto` that carries the current RPC
 * message's arguments or results, with the program version tshark repeats
 * there (l->aux is the procedure), and points x at those bytes. NULL when
 * the layer stack is full. */
struct decode_layer *decode_rpc_program(struct trawl_view *v, uint16_t proto,
                                        struct xdr *x);

/* Ends it: the layer's header is what x read; a walk that ran out on a
 * message all of whose bytes are here gives the anomaly `malformed`;
 * decoding goes on with the packet's next message. */
void decode_rpc_program_end(struct trawl_view *v, struct decode_layer *l,
                            const struct xdr *x,
                            enum decode_anomaly_id malformed);

/* The `protocols` hook of the programs: a message without arguments or
 * results (a NULL call or reply, a DUMP call) is listed as rpc alone, as
 * tshark lists it. */
const char *decode_rpc_program_protocols(const struct trawl_view *v,
                                         const struct decode_layer *l,
                                         const struct decode_layer *below);

#endif
