/* Field values of XDR layers (RPC and the programs above it).
 *
 * A fixed-layout header can leave its fields where they are and let each
 * extractor read its offset; in XDR every field's offset depends on the
 * lengths of those before it, and an NFS v4 COMPOUND can only be walked
 * from its first operation. So those layers find all their fields once,
 * when the layer is decoded, and keep them as items: the field, its value
 * or a pointer to its bytes (in the packet or in the record the flows
 * reassembled, never copied), and its nesting for -V. Items are kept in
 * the view in the order tshark shows the fields, which is the order
 * occurrences of a field are listed in. */
#include <assert.h>

#include "decode/decode.h"

struct decode_layer *decode_push_msg(struct trawl_view *v, uint16_t proto,
                                     uint32_t off, uint32_t len,
                                     uint32_t end) {
    assert(DECODE_ITEM_PROTOS >> proto & 1);
    const struct decode_rpc_state *r = &v->rpc;
    if (end > r->len)
        end = r->len;
    if (off > end)
        off = end;
    if (len > end - off)
        len = end - off;
    struct decode_layer *l;
    if (r->ref == 0) {
        /* In the packet: offsets of the packet, as every other layer. */
        l = decode_push(v, proto, r->base + off, len, r->base + end);
    } else {
        l = decode_push(v, proto, 0, 0, 0);
        if (l) {
            l->off = off;
            l->len = len;
            l->end = end;
            l->msg = r->ref;
        }
    }
    if (l) {
        v->item_layer = (uint8_t)(l - v->layers);
        v->item_depth = 0;
    }
    return l;
}

static struct decode_item *new_item(struct trawl_view *v,
                                    const struct trawl_field *f) {
    if (v->nlayers == 0 || v->item_layer != v->nlayers - 1)
        return NULL; /* the stack was full: the layer was not pushed */
    if (v->nitems >= DECODE_MAX_ITEMS) {
        decode_anomaly(v, ANOM_RPC_FIELDS_EXCEEDED);
        return NULL;
    }
    struct decode_layer *l = &v->layers[v->item_layer];
    struct decode_item *it = &v->items[v->nitems++];
    l->item_n++;
    v->item_fields |= decode_item_bit(f);
    it->f = f;
    it->len = 0;
    it->depth = v->item_depth;
    it->flags = 0;
    return it;
}

void decode_item_u(struct trawl_view *v, const struct trawl_field *f,
                   uint64_t u) {
    struct decode_item *it = new_item(v, f);
    if (it)
        it->u = u;
}

void decode_item_hidden(struct trawl_view *v, const struct trawl_field *f,
                        uint64_t u) {
    struct decode_item *it = new_item(v, f);
    if (it) {
        it->u = u;
        it->flags = DECODE_ITEM_HIDDEN;
    }
}

void decode_item_bytes(struct trawl_view *v, const struct trawl_field *f,
                       const uint8_t *p, uint32_t len) {
    struct decode_item *it = new_item(v, f);
    if (it) {
        it->p = p;
        it->len = len;
    }
}

static void item_value(const struct decode_item *it, struct trawl_value *out) {
    switch (it->f->type) {
    case TRAWL_FT_BYTES:
    case TRAWL_FT_STRING:
        out->bytes.p = it->p;
        out->bytes.len = it->len;
        break;
    case TRAWL_FT_IPV4:
        out->addr[0] = (uint8_t)(it->u >> 24);
        out->addr[1] = (uint8_t)(it->u >> 16);
        out->addr[2] = (uint8_t)(it->u >> 8);
        out->addr[3] = (uint8_t)it->u;
        break;
    case TRAWL_FT_TIME:
    case TRAWL_FT_RELTIME: {
        int64_t ns = (int64_t)it->u;
        int64_t sec = ns / 1000000000;
        int64_t rem = ns % 1000000000;
        if (rem < 0) {
            rem += 1000000000;
            sec--;
        }
        out->time.sec = sec;
        out->time.nsec = (uint32_t)rem;
        break;
    }
    case TRAWL_FT_INT: out->i = (int64_t)it->u; break;
    default: out->u = it->u; break;
    }
}

bool decode_get_item(const struct trawl_view *v, const struct trawl_field *f,
                     const struct decode_layer *l, unsigned k,
                     struct trawl_value *out) {
    if (!decode_item_maybe(v, f))
        return false;
    struct decode_item_cursor *cur = v->icur;
    uint32_t at = l->item_lo, end = (uint32_t)l->item_lo + l->item_n;
    unsigned seen = 0;
    /* Occurrences are asked for in turn (0, 1, 2, ...): resume after the
     * previous one. */
    if (k && cur->f == f && cur->l == l && cur->k == k - 1) {
        at = cur->at + 1;
        seen = k;
    }
    for (; at < end; at++) {
        const struct decode_item *it = &v->items[at];
        if (it->f != f)
            continue;
        if (seen++ < k)
            continue;
        cur->f = f;
        cur->l = l;
        cur->k = k;
        cur->at = at;
        item_value(it, out);
        return true;
    }
    return false;
}

struct tree_adapter {
    trawl_tree_fn fn;
    void *ctx;
};

static bool tree_adapt(void *ctx, const trawl_field *f,
                       const struct trawl_value *val) {
    struct tree_adapter *a = ctx;
    return !a->fn || a->fn(a->ctx, f, val, 0);
}

TRAWL_API size_t trawl_view_layer_tree(trawl_view *v, size_t layer,
                                       trawl_tree_fn fn, void *ctx) {
    while (layer >= v->nlayers && decode_more(v))
        ;
    if (layer >= v->nlayers)
        return 0;
    const struct decode_layer *l = &v->layers[layer];
    if (l->item_n == 0) {
        /* A fixed-layout layer: its fields in registry order. */
        struct tree_adapter a = {fn, ctx};
        return trawl_view_layer_fields(v, layer, tree_adapt, &a);
    }
    size_t n = 0;
    for (uint32_t i = l->item_lo; i < (uint32_t)l->item_lo + l->item_n; i++) {
        const struct decode_item *it = &v->items[i];
        if (it->flags & DECODE_ITEM_HIDDEN)
            continue;
        struct trawl_value val;
        val.type = it->f->type;
        item_value(it, &val);
        n++;
        if (fn && !fn(ctx, it->f, &val, it->depth))
            return n;
    }
    return n;
}
