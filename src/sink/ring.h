/* sink/ring — the files an output keeps when it keeps only the last N
 * (tcpdump -W): a first-in first-out list of at most N entries; adding
 * one more hands back the oldest, for the output to remove. */
#ifndef TRAWL_SINK_RING_H
#define TRAWL_SINK_RING_H

#include <stddef.h>

struct sink_ring {
    void **items; /* cap entries; owned */
    size_t cap, head, count;
};

/* A ring of `max` entries (max >= 1). Returns 0 or TRAWL_ENOMEM. */
int sink_ring_init(struct sink_ring *r, size_t max);

/* Adds `item`; when the ring already held `max` entries, the oldest leaves
 * it and is returned, else NULL. */
void *sink_ring_push(struct sink_ring *r, void *item);

/* Takes the oldest entry out, or NULL when empty (for freeing). */
void *sink_ring_pop(struct sink_ring *r);

void sink_ring_free(struct sink_ring *r);

#endif
