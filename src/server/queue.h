/* server/queue — the bounded packet queue of one capture session.
 *
 * One producer (the hub thread) and one consumer (the thread sending a
 * download or writing a disk capture) share a fixed ring of bytes holding
 * whole packets: a header, then the captured bytes. Neither side locks:
 * head and tail are byte counters that only grow, published with
 * release/acquire ordering. A packet that does not fit is refused, never
 * waited for, so a slow consumer costs drops, not memory: the ring is the
 * bound. */
#ifndef TRAWL_SERVER_QUEUE_H
#define TRAWL_SERVER_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/packet.h"

struct queue {
    uint8_t *buf;
    size_t cap;            /* bytes; a multiple of 8 */
    _Atomic uint64_t head; /* bytes consumed; written by the consumer */
    _Atomic uint64_t tail; /* bytes produced; written by the producer */
};

/* The smallest ring: it must hold the largest packet trawl accepts. */
#define QUEUE_MIN_BYTES (TRAWL_MAX_CAPLEN + 4096u)

int queue_init(struct queue *q, size_t cap);
void queue_free(struct queue *q);

/* Producer: copies pkt's first `caplen` bytes in. False when there is no
 * room (the caller counts a drop). */
bool queue_push(struct queue *q, const struct trawl_pkt *pkt, uint32_t caplen);

/* Consumer: fills *pkt with the oldest packet (its data points into the
 * ring and stays valid until queue_pop) and returns the bytes to pop, or 0
 * when the queue is empty. */
size_t queue_peek(struct queue *q, struct trawl_pkt *pkt);
void queue_pop(struct queue *q, size_t n);

/* Bytes in use (either side; a snapshot). */
size_t queue_used(struct queue *q);

#endif
