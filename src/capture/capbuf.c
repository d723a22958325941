/* The capture buffer: packets held in memory, readable by index, with
 * Xena's overflow semantics — a ring that discards the earliest records
 * to make room, or a buffer that refuses the record that does not fit
 * (and the capture then stops, keeping the earliest).
 *
 * Records are contiguous in one block: [lo, wpos) when they have not
 * wrapped, [lo, end) and [0, wpos) when they have (a record that does not
 * fit before the end of the block starts again at 0, and the tail is left
 * unused). lo is the offset of the earliest record, kept in the index. */
#include <inttypes.h>
#include <stdlib.h>

#include "capture/capture_int.h"

/* The header of a record; the packet's bytes follow it. Records start at
 * multiples of 8 in memory trawl allocated, so the header is read in
 * place. */
struct cap_rec {
    uint64_t index;
    int64_t ts_sec;
    uint32_t ts_nsec, caplen, len, iface, flags;
    uint8_t has_flags, fcs_len;
    uint16_t linktype;
};

_Static_assert(sizeof(struct cap_rec) == CAP_REC_HDR, "record header size");

static uint64_t rec_size(uint32_t caplen) {
    return CAP_REC_HDR + (((uint64_t)caplen + 7u) & ~(uint64_t)7u);
}

int cap_buf_alloc(struct cap_buf *b, uint64_t bytes, char *errbuf,
                  size_t errlen) {
    if (bytes == b->size && (bytes == 0 || b->data))
        return 0;
    cap_buf_free(b);
    if (bytes == 0)
        return 0;
    if (bytes < CAP_REC_MIN || bytes > SIZE_MAX / 2)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "capture buffer: %" PRIu64
                        " bytes is not a usable size (at least %u)",
                        bytes, CAP_REC_MIN);
    /* Rounded down to whole 8-byte units, so every record stays aligned. */
    uint64_t size = bytes & ~(uint64_t)7u;
    uint64_t nidx = size / CAP_REC_MIN + 1;
    b->data = malloc((size_t)size);
    b->idx = core_calloc((size_t)nidx, sizeof *b->idx);
    if (!b->data || !b->idx) {
        cap_buf_free(b);
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "capture buffer: cannot allocate %" PRIu64 " bytes",
                        bytes);
    }
    b->size = size;
    b->idx_size = nidx;
    cap_buf_reset(b, b->ring);
    return 0;
}

void cap_buf_free(struct cap_buf *b) {
    free(b->data);
    free(b->idx);
    bool ring = b->ring;
    memset(b, 0, sizeof *b);
    b->ring = ring;
}

void cap_buf_reset(struct cap_buf *b, bool ring) {
    b->head = b->count = b->wpos = b->held = b->discarded = 0;
    b->ring = ring;
}

static const struct cap_rec *rec_at(const struct cap_buf *b, uint64_t i) {
    return (const struct cap_rec *)(const void *)(b->data +
                                                   b->idx[(b->head + i) %
                                                          b->idx_size]);
}

static void drop_earliest(struct cap_buf *b) {
    b->held -= rec_at(b, 0)->caplen;
    b->head = (b->head + 1) % b->idx_size;
    b->count--;
    b->discarded++;
    if (b->count == 0)
        b->wpos = 0;
}

/* Where a record of `need` bytes can go now, if anywhere. */
static bool place(const struct cap_buf *b, uint64_t need, uint64_t *at) {
    if (b->count == 0) {
        *at = 0;
        return need <= b->size;
    }
    if (b->count == b->idx_size)
        return false;
    uint64_t lo = b->idx[b->head];
    if (b->wpos > lo) { /* not wrapped: free are [wpos, size) and [0, lo) */
        if (b->size - b->wpos >= need) {
            *at = b->wpos;
            return true;
        }
        *at = 0;
        return lo >= need;
    }
    *at = b->wpos; /* wrapped: free is [wpos, lo) */
    return lo - b->wpos >= need;
}

bool cap_buf_add(struct cap_buf *b, const struct trawl_pkt *pkt) {
    uint64_t need = rec_size(pkt->caplen), at;
    if (!b->data || need > b->size)
        return false;
    while (!place(b, need, &at)) {
        if (!b->ring || b->count == 0)
            return false;
        drop_earliest(b);
    }
    struct cap_rec *r = (struct cap_rec *)(void *)(b->data + at);
    r->index = pkt->index;
    r->ts_sec = pkt->ts_sec;
    r->ts_nsec = pkt->ts_nsec;
    r->caplen = pkt->caplen;
    r->len = pkt->len;
    r->iface = pkt->iface;
    r->flags = pkt->flags;
    r->has_flags = pkt->has_flags;
    r->fcs_len = pkt->fcs_len;
    r->linktype = (uint16_t)pkt->linktype;
    memcpy(b->data + at + CAP_REC_HDR, pkt->data, pkt->caplen);
    b->idx[(b->head + b->count) % b->idx_size] = at;
    b->count++;
    b->wpos = at + need;
    b->held += pkt->caplen;
    return true;
}

bool cap_buf_get(const struct cap_buf *b, uint64_t i, struct trawl_pkt *pkt) {
    if (i >= b->count)
        return false;
    const struct cap_rec *r = rec_at(b, i);
    memset(pkt, 0, sizeof *pkt);
    pkt->index = r->index;
    pkt->ts_sec = r->ts_sec;
    pkt->ts_nsec = r->ts_nsec;
    pkt->caplen = r->caplen;
    pkt->len = r->len;
    pkt->iface = r->iface;
    pkt->flags = r->flags;
    pkt->has_flags = r->has_flags;
    pkt->fcs_len = r->fcs_len;
    pkt->linktype = r->linktype;
    pkt->block = TRAWL_BLOCK_EPB;
    pkt->data = (const uint8_t *)r + CAP_REC_HDR;
    return true;
}
