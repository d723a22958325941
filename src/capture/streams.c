/* Per-stream statistics of frames carrying the test payload
 * (docs/test-payload.md): packets, bytes, loss, duplicates, reordering,
 * payload errors, latency.
 *
 * Sequence numbers are 32 bits and wrap; each stream extends them to 64
 * bits relative to the highest seen (serial-number arithmetic), so the
 * counts stay right across a wrap. Which numbers have been seen is a
 * bitmap over the last CAP_STREAM_WINDOW numbers up to the highest: bit
 * (seq mod window). When the highest moves on, the bits of the numbers it
 * passes are cleared, as they now stand for numbers one window later. */
#include <stdlib.h>

#include "capture/capture_int.h"

#define WORDS (CAP_STREAM_WINDOW / 64u)

void cap_streams_init(struct cap_streams *ss) {
    memset(ss, 0, sizeof *ss);
}

void cap_streams_free(struct cap_streams *ss) {
    for (size_t i = 0; i < ss->n; i++)
        free(ss->s[i].bits);
    free(ss->s);
    free(ss->slot);
    cap_streams_init(ss);
}

/* Forgets every stream but keeps the memory for the next run. */
void cap_streams_reset(struct cap_streams *ss) {
    for (size_t i = 0; i < ss->n; i++)
        free(ss->s[i].bits);
    ss->n = 0;
    ss->untracked = 0;
    if (ss->slot)
        memset(ss->slot, 0, 65536u * sizeof *ss->slot);
}

/* The stream's entry, created on its first frame (the only allocation,
 * once per stream); NULL past CAP_MAX_STREAMS or without memory. */
static struct cap_stream *stream_of(struct cap_streams *ss, uint16_t id) {
    if (!ss->slot) {
        ss->slot = calloc(65536u, sizeof *ss->slot);
        ss->s = calloc(CAP_MAX_STREAMS, sizeof *ss->s);
        if (!ss->slot || !ss->s) {
            free(ss->slot);
            free(ss->s);
            ss->slot = NULL;
            ss->s = NULL;
            return NULL;
        }
    }
    if (ss->slot[id])
        return &ss->s[ss->slot[id] - 1];
    if (ss->n == CAP_MAX_STREAMS)
        return NULL;
    struct cap_stream *s = &ss->s[ss->n];
    memset(s, 0, sizeof *s);
    s->bits = calloc(WORDS, sizeof *s->bits);
    if (!s->bits)
        return NULL;
    s->st.stream = id;
    s->st.latency_min_ns = s->st.latency_max_ns = -1;
    /* Keep the n streams in stream order, so that reading them needs no
     * sort: shift the later ones up and renumber their slots. */
    size_t at = ss->n;
    while (at > 0 && ss->s[at - 1].st.stream > id)
        at--;
    struct cap_stream fresh = *s;
    memmove(&ss->s[at + 1], &ss->s[at], (ss->n - at) * sizeof *ss->s);
    ss->s[at] = fresh;
    ss->n++;
    for (size_t i = at; i < ss->n; i++)
        ss->slot[ss->s[i].st.stream] = (uint16_t)(i + 1);
    return &ss->s[at];
}

static bool bit_test(const struct cap_stream *s, uint64_t seq) {
    uint64_t b = seq % CAP_STREAM_WINDOW;
    return s->bits[b / 64] >> (b % 64) & 1u;
}

static void bit_set(struct cap_stream *s, uint64_t seq) {
    uint64_t b = seq % CAP_STREAM_WINDOW;
    s->bits[b / 64] |= (uint64_t)1 << (b % 64);
}

static void bit_clear(struct cap_stream *s, uint64_t seq) {
    uint64_t b = seq % CAP_STREAM_WINDOW;
    s->bits[b / 64] &= ~((uint64_t)1 << (b % 64));
}

/* Moves the highest number seen up to `to`, clearing the bits of the
 * numbers passed on the way. */
static void advance(struct cap_stream *s, uint64_t to) {
    if (to - s->highest >= CAP_STREAM_WINDOW) {
        memset(s->bits, 0, WORDS * sizeof *s->bits);
    } else {
        for (uint64_t q = s->highest + 1; q <= to; q++)
            bit_clear(s, q);
    }
    s->highest = to;
}

static void sequence(struct cap_stream *s, uint32_t seq) {
    if (s->unique == 0) {
        /* Extended numbers start one wrap up, so that frames from before
         * the first one seen stay above zero. */
        s->lowest = s->highest = ((uint64_t)1 << 32) + seq;
        bit_set(s, s->highest);
        s->unique = 1;
        return;
    }
    int32_t d = (int32_t)(seq - (uint32_t)s->highest);
    uint64_t ext = s->highest + (uint64_t)(int64_t)d;
    if (d > 0) {
        advance(s, ext);
        bit_set(s, ext);
        s->unique++;
        return;
    }
    uint64_t behind = s->highest - ext;
    if (behind < CAP_STREAM_WINDOW && bit_test(s, ext)) {
        s->st.duplicates++;
        return;
    }
    /* Missing until now, and later than a higher number: reordered. Past
     * the window it cannot be told from a duplicate and is taken as
     * late. */
    if (behind < CAP_STREAM_WINDOW)
        bit_set(s, ext);
    s->st.reordered++;
    s->unique++;
    if (ext < s->lowest)
        s->lowest = ext;
}

void cap_streams_add(struct cap_streams *ss, enum trawl_tpld_status st,
                     const struct trawl_tpld *tp, uint64_t rx_ns,
                     uint32_t len) {
    struct cap_stream *s = stream_of(ss, tp->stream);
    if (!s) {
        ss->untracked++;
        return;
    }
    if (st == TRAWL_TPLD_BAD) {
        /* Its fields cannot be trusted: counted, not sequenced. */
        s->st.payload_errors++;
        return;
    }
    s->st.packets++;
    s->st.bytes += len;
    sequence(s, tp->seq);
    /* Both clocks modulo 2^32 ns: the difference is right up to 4.29 s. */
    uint32_t lat = (uint32_t)rx_ns - tp->tx_ns;
    int64_t l = (int64_t)lat;
    if (s->st.latency_min_ns < 0 || l < s->st.latency_min_ns)
        s->st.latency_min_ns = l;
    if (l > s->st.latency_max_ns)
        s->st.latency_max_ns = l;
    s->lat_sum += lat;
    s->lat_n++;
}

size_t cap_streams_get(const struct cap_streams *ss,
                       struct trawl_stream_stats *out, size_t max) {
    for (size_t i = 0; i < ss->n && i < max; i++) {
        const struct cap_stream *s = &ss->s[i];
        out[i] = s->st;
        uint64_t span = s->unique ? s->highest - s->lowest + 1 : 0;
        out[i].lost = span > s->unique ? span - s->unique : 0;
        out[i].latency_avg_ns =
            s->lat_n ? (int64_t)(s->lat_sum / s->lat_n) : -1;
    }
    return ss->n;
}
