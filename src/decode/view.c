/* The packet view: lazy layer-by-layer decoding of one packet. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

TRAWL_API trawl_view *trawl_view_new(void) {
    struct trawl_view *v = core_calloc(1, sizeof(struct trawl_view));
    if (v)
        v->icur = &v->icur_store;
    return v;
}

TRAWL_API void trawl_view_free(trawl_view *v) {
    free(v);
}

TRAWL_API void trawl_view_verify_checksums(trawl_view *v, bool verify) {
    v->verify_l4_csum = verify;
}

TRAWL_API void trawl_view_set(trawl_view *v, const struct trawl_pkt *pkt) {
    v->pkt = *pkt;
    v->data = pkt->data;
    v->caplen = pkt->caplen;
    /* A trailing FCS is not part of any layer's data. */
    if (pkt->fcs_len && pkt->fcs_len <= v->caplen &&
        pkt->caplen == pkt->len)
        v->caplen -= pkt->fcs_len;
    v->ext = NULL;
    decode_restart(v);
}

void decode_restart(struct trawl_view *v) {
    v->nlayers = 0;
    v->nitems = 0;
    v->item_fields = 0;
    v->item_depth = 0;
    v->icur->f = NULL;
    memset(&v->rpc, 0, sizeof v->rpc);
    v->anomalies = 0;
    v->protos_seen = 0;
    v->flow_server = -1;
    v->done = false;
    v->checked = false;
    v->tail_proto = PROTO_NONE;
    v->next_aux = 0;
    v->protocols_len = -1;
    decode_push(v, PROTO_FRAME, 0, 0, v->caplen);
    decode_next_listed(v, decode_by_linktype(v->pkt.linktype), 0, v->caplen);
}

TRAWL_API const struct trawl_pkt *trawl_view_pkt(const trawl_view *v) {
    return &v->pkt;
}

struct decode_layer *decode_push(struct trawl_view *v, uint16_t proto,
                                 uint32_t off, uint32_t len, uint32_t end) {
    if (v->nlayers >= DECODE_MAX_LAYERS) {
        decode_anomaly(v, ANOM_DEPTH_EXCEEDED);
        v->done = true;
        return NULL;
    }
    if (end > v->caplen)
        end = v->caplen;
    if (off > end)
        off = end;
    if (len > end - off)
        len = end - off;
    struct decode_layer *l = &v->layers[v->nlayers++];
    l->proto = proto;
    l->flags = 0;
    l->off = off;
    l->len = len;
    l->end = end;
    l->aux = 0;
    l->item_lo = v->nitems;
    l->item_n = 0;
    l->msg = 0;
    v->protos_seen |= (uint64_t)1 << proto;
    /* Until the decoder says otherwise, nothing follows. */
    v->done = true;
    v->tail_proto = PROTO_NONE;
    return l;
}

void decode_next(struct trawl_view *v, uint16_t proto, uint32_t off,
                 uint32_t end) {
    if (end > v->caplen)
        end = v->caplen;
    if (proto == PROTO_NONE || off >= end) {
        v->done = true;
        return;
    }
    v->next_proto = proto;
    v->next_off = off;
    v->next_end = end;
    v->done = false;
}

void decode_continue(struct trawl_view *v, uint16_t proto) {
    if (proto == PROTO_NONE) {
        v->done = true;
        return;
    }
    v->next_proto = proto;
    v->done = false;
}

void decode_next_listed(struct trawl_view *v, uint16_t proto, uint32_t off,
                        uint32_t end) {
    decode_next(v, proto, off, end);
    if (v->done && proto != PROTO_NONE && proto != PROTO_DATA) {
        v->tail_proto = proto;
        v->tail_aux = v->next_aux;
    }
}

void decode_listed(struct trawl_view *v, uint16_t proto, uint32_t aux) {
    v->tail_proto = proto;
    v->tail_aux = aux;
    v->done = true;
}

bool decode_more(struct trawl_view *v) {
    if (v->done)
        return false;
    uint16_t proto = v->next_proto;
    v->done = true; /* a decoder that pushes nothing ends decoding */
    if (proto >= PROTO_COUNT || !decode_protos[proto] ||
        !decode_protos[proto]->decode)
        proto = PROTO_DATA;
    uint8_t before = v->nlayers;
    decode_protos[proto]->decode(v);
    /* A decoder that refused its header leaves the bytes as data (but
     * for one that had them listed, decode_listed). */
    if (v->nlayers == before && proto != PROTO_DATA &&
        v->tail_proto == PROTO_NONE) {
        v->next_proto = PROTO_DATA;
        v->done = false;
        decode_protos[PROTO_DATA]->decode(v);
    }
    return true;
}

bool decode_has_proto(struct trawl_view *v, uint16_t proto) {
    uint64_t bit = (uint64_t)1 << proto;
    while (!(v->protos_seen & bit))
        if (!decode_more(v))
            return false;
    return true;
}

static void decode_all(struct trawl_view *v) {
    while (decode_more(v))
        ;
}

TRAWL_API size_t trawl_view_layer_count(trawl_view *v) {
    decode_all(v);
    return v->nlayers;
}

TRAWL_API bool trawl_view_layer(trawl_view *v, size_t i,
                                struct trawl_layer_info *out) {
    while (i >= v->nlayers && decode_more(v))
        ;
    if (i >= v->nlayers)
        return false;
    const struct decode_layer *l = &v->layers[i];
    const struct decode_proto *p = decode_protos[l->proto];
    out->name = p->name;
    out->title = p->title;
    out->offset = l->off;
    out->length = l->len;
    out->reassembled = l->msg != 0;
    return true;
}

TRAWL_API uint32_t trawl_view_payload_offset(trawl_view *v) {
    decode_all(v);
    const struct decode_layer *last = &v->layers[v->nlayers - 1];
    /* A layer of a reassembled record ends nothing in this packet: its
     * segment's bytes were all taken by the record. */
    if (last->msg)
        return v->caplen;
    if (last->proto == PROTO_DATA)
        return last->off;
    return last->off + last->len;
}

static const char *const anomaly_names[ANOM_COUNT] = {
#define DECODE_X_NAME(id, name) [ANOM_##id] = name,
    DECODE_ANOMALY_LIST(DECODE_X_NAME)
#undef DECODE_X_NAME
};

void decode_finish(struct trawl_view *v) {
    decode_all(v);
    if (v->checked)
        return;
    v->checked = true;
    for (unsigned i = 0; i < v->nlayers; i++) {
        const struct decode_layer *l = &v->layers[i];
        const struct decode_proto *p = decode_protos[l->proto];
        if (p->check)
            v->anomalies |= p->check(v, l);
    }
    decode_frame_protocols(v);
}

TRAWL_API size_t trawl_view_anomalies(trawl_view *v, const char **names,
                                      size_t max) {
    decode_finish(v);
    size_t n = 0;
    for (unsigned a = 0; a < ANOM_COUNT; a++) {
        if (!(v->anomalies & ((uint64_t)1 << a)))
            continue;
        if (n < max)
            names[n] = anomaly_names[a];
        n++;
    }
    return n;
}

uint32_t decode_csum_add(uint32_t sum, const uint8_t *p, size_t n) {
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += core_be16(p + i);
    if (i < n)
        sum += (uint32_t)p[i] << 8;
    return sum;
}

uint16_t decode_csum_fold(uint32_t sum) {
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}
