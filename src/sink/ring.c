/* The files an output keeps; see ring.h. */
#include <stdlib.h>

#include "core/core.h"
#include "sink/ring.h"

int sink_ring_init(struct sink_ring *r, size_t max) {
    r->items = core_calloc(max ? max : 1, sizeof *r->items);
    r->cap = max ? max : 1;
    r->head = r->count = 0;
    return r->items ? 0 : TRAWL_ENOMEM;
}

void *sink_ring_push(struct sink_ring *r, void *item) {
    void *out = NULL;
    if (r->count == r->cap) {
        out = r->items[r->head];
        r->head = (r->head + 1) % r->cap;
        r->count--;
    }
    r->items[(r->head + r->count) % r->cap] = item;
    r->count++;
    return out;
}

void *sink_ring_pop(struct sink_ring *r) {
    if (!r->count)
        return NULL;
    void *out = r->items[r->head];
    r->head = (r->head + 1) % r->cap;
    r->count--;
    return out;
}

void sink_ring_free(struct sink_ring *r) {
    free(r->items);
    r->items = NULL;
    r->cap = r->head = r->count = 0;
}
