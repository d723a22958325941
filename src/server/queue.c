/* The session queue: a single-producer, single-consumer ring of packets.
 *
 * A record is a struct rec header and the packet bytes, padded to 8 bytes,
 * and never wraps: when it does not fit before the end of the ring, the
 * producer marks the rest of the ring as skipped (a header with caplen
 * SKIP, or nothing when even a header does not fit, which the consumer
 * recognises by the room left) and starts at offset 0. */
#include <stdlib.h>
#include <string.h>

#include "server/queue.h"
#include "server/util.h"

struct rec {
    int64_t ts_sec;
    uint32_t ts_nsec;
    uint32_t caplen;
    uint32_t len;
    uint32_t iface;
    uint32_t flags;
    int32_t linktype;
    uint8_t has_flags;
    uint8_t fcs_len;
    uint8_t pad[6];
};
_Static_assert(sizeof(struct rec) % 8 == 0, "records stay 8-byte aligned");

#define SKIP UINT32_MAX

static size_t rec_size(uint32_t caplen) {
    return sizeof(struct rec) + (((size_t)caplen + 7u) & ~(size_t)7u);
}

int queue_init(struct queue *q, size_t cap) {
    cap &= ~(size_t)7u;
    if (cap < QUEUE_MIN_BYTES)
        cap = QUEUE_MIN_BYTES;
    q->buf = malloc(cap);
    if (!q->buf)
        return TRAWL_ENOMEM;
    q->cap = cap;
    atomic_init(&q->head, 0);
    atomic_init(&q->tail, 0);
    return 0;
}

void queue_free(struct queue *q) {
    free(q->buf);
    q->buf = NULL;
}

bool queue_push(struct queue *q, const struct trawl_pkt *pkt, uint32_t caplen) {
    uint64_t tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    uint64_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    size_t pos = (size_t)(tail % q->cap);
    size_t need = rec_size(caplen), to_end = q->cap - pos;
    size_t skip = need > to_end ? to_end : 0;
    if (q->cap - (size_t)(tail - head) < skip + need)
        return false;
    if (skip) {
        if (to_end >= sizeof(struct rec)) {
            struct rec mark = {.caplen = SKIP};
            memcpy(q->buf + pos, &mark, sizeof mark);
        }
        pos = 0;
    }
    struct rec h = {
        .ts_sec = pkt->ts_sec,
        .ts_nsec = pkt->ts_nsec,
        .caplen = caplen,
        .len = pkt->len,
        .iface = pkt->iface,
        .flags = pkt->flags,
        .linktype = pkt->linktype,
        .has_flags = pkt->has_flags,
        .fcs_len = pkt->fcs_len,
    };
    memcpy(q->buf + pos, &h, sizeof h);
    memcpy(q->buf + pos + sizeof h, pkt->data, caplen);
    atomic_store_explicit(&q->tail, tail + skip + need, memory_order_release);
    return true;
}

size_t queue_peek(struct queue *q, struct trawl_pkt *pkt) {
    uint64_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    uint64_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    if (head == tail)
        return 0;
    size_t pos = (size_t)(head % q->cap), skip = 0;
    struct rec h;
    if (q->cap - pos < sizeof h) {
        skip = q->cap - pos;
        pos = 0;
    }
    memcpy(&h, q->buf + pos, sizeof h);
    if (h.caplen == SKIP) {
        skip = q->cap - pos;
        pos = 0;
        memcpy(&h, q->buf, sizeof h);
    }
    memset(pkt, 0, sizeof *pkt);
    pkt->ts_sec = h.ts_sec;
    pkt->ts_nsec = h.ts_nsec;
    pkt->caplen = h.caplen;
    pkt->len = h.len;
    pkt->iface = h.iface;
    pkt->flags = h.flags;
    pkt->linktype = h.linktype;
    pkt->has_flags = h.has_flags;
    pkt->fcs_len = h.fcs_len;
    pkt->data = q->buf + pos + sizeof h;
    return skip + rec_size(h.caplen);
}

void queue_pop(struct queue *q, size_t n) {
    uint64_t head = atomic_load_explicit(&q->head, memory_order_relaxed);
    atomic_store_explicit(&q->head, head + n, memory_order_release);
}

size_t queue_used(struct queue *q) {
    uint64_t head = atomic_load_explicit(&q->head, memory_order_acquire);
    uint64_t tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    return (size_t)(tail - head);
}
