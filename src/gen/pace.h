/* gen/pace — the generator's rate control: a token bucket on the
 * monotonic clock, in frames or in bits. The clock is passed in, so unit
 * tests drive it with made-up times. Internal to libtrawl.
 *
 * Tokens accrue at `rate` per second up to `depth`; a frame costs one
 * token (frames per second) or its bits (bits per second) and may leave
 * when the bucket holds its cost. The depth lets a sender that woke late
 * catch up (so timer slack and scheduling do not lower the average rate)
 * while bounding the burst that follows a longer stall.
 */
#ifndef TRAWL_GEN_PACE_H
#define TRAWL_GEN_PACE_H

#include <stdbool.h>
#include <stdint.h>

/* How much lateness the bucket makes up for: tokens for this long, on top
 * of the largest frame's cost. */
#define GEN_PACE_CATCH_UP_NS 10000000ull

struct gen_pace {
    double rate;   /* tokens per second; 0 = no limit */
    double depth;  /* the most tokens the bucket holds */
    double tokens;
    uint64_t last_ns;
};

/* Starts a bucket at now_ns holding `initial` tokens (the first frame's
 * cost, so that it leaves at once). max_cost is the largest cost a frame
 * can have. */
void gen_pace_init(struct gen_pace *p, double rate, double max_cost,
                   double initial, uint64_t now_ns);

/* Takes `cost` tokens if the bucket holds them at now_ns. */
bool gen_pace_take(struct gen_pace *p, double cost, uint64_t now_ns);

/* Nanoseconds from the last gen_pace_take() until `cost` tokens are
 * there (at least 1; 0 for an unlimited bucket). */
uint64_t gen_pace_wait_ns(const struct gen_pace *p, double cost);

#endif
