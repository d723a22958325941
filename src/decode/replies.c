/* The frames of replies, by their calls: what rpc.reqframe shows on a
 * call once its reply has been seen (decode.h, struct decode_replies).
 *
 * An open-addressing table of (call frame, xid) -> reply frame, grown by
 * doubling while at most half full and never past its cap: the entries
 * are knowledge of a trace, kept across trawl_flows_reset() for when its
 * packets are fed again (a second pass, a rewind), not state at a packet,
 * so nothing evicts them; once full, later replies are not remembered. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"

enum { SLOTS_MIN = 1024 };

static uint64_t reply_hash(uint64_t frame, uint32_t xid) {
    uint64_t h = frame * 0x9e3779b97f4a7c15ull ^ xid;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ h >> 29;
}

static struct decode_reply *reply_slot(struct decode_reply *t, size_t mask,
                                       uint64_t frame, uint32_t xid) {
    for (size_t i = reply_hash(frame, xid) & mask;; i = (i + 1) & mask)
        if (t[i].call_frame == 0 ||
            (t[i].call_frame == frame && t[i].xid == xid))
            return &t[i];
}

/* Twice the slots, the entries moved over. False when out of memory (the
 * table stays as it was). */
static bool replies_grow(struct decode_replies *r) {
    size_t n = r->nslots ? r->nslots * 2 : SLOTS_MIN;
    struct decode_reply *t = core_calloc(n, sizeof *t);
    if (!t)
        return false;
    for (size_t i = 0; i < r->nslots; i++)
        if (r->slots[i].call_frame)
            *reply_slot(t, n - 1, r->slots[i].call_frame, r->slots[i].xid) =
                r->slots[i];
    free(r->slots);
    r->slots = t;
    r->nslots = n;
    return true;
}

void decode_replies_put(struct decode_replies *r, uint64_t call_frame,
                        uint32_t xid, uint64_t reply_frame) {
    if (!r->max || !call_frame || reply_frame <= call_frame ||
        reply_frame - call_frame > UINT32_MAX)
        return;
    if (r->nslots) {
        struct decode_reply *s =
            reply_slot(r->slots, r->nslots - 1, call_frame, xid);
        if (s->call_frame)
            return; /* the first reply is the one shown (a retransmission's
                       too is a reply to the same call) */
    }
    if (r->n >= r->max)
        return;
    if ((r->n + 1) * 2 > r->nslots && !replies_grow(r))
        return;
    struct decode_reply *s =
        reply_slot(r->slots, r->nslots - 1, call_frame, xid);
    *s = (struct decode_reply){.call_frame = call_frame,
                               .xid = xid,
                               .after = (uint32_t)(reply_frame - call_frame)};
    r->n++;
}

uint64_t decode_replies_get(const struct decode_replies *r,
                            uint64_t call_frame, uint32_t xid) {
    if (!r->n)
        return 0;
    const struct decode_reply *s =
        reply_slot(r->slots, r->nslots - 1, call_frame, xid);
    return s->call_frame ? s->call_frame + s->after : 0;
}

void decode_replies_free(struct decode_replies *r) {
    free(r->slots);
    r->slots = NULL;
    r->nslots = r->n = 0;
}
