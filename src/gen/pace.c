/* The generator's token bucket: see pace.h. */
#include "gen/pace.h"

void gen_pace_init(struct gen_pace *p, double rate, double max_cost,
                   double initial, uint64_t now_ns) {
    p->rate = rate;
    p->depth = max_cost + rate * (double)GEN_PACE_CATCH_UP_NS / 1e9;
    p->tokens = initial < p->depth ? initial : p->depth;
    p->last_ns = now_ns;
}

bool gen_pace_take(struct gen_pace *p, double cost, uint64_t now_ns) {
    if (p->rate <= 0)
        return true;
    if (now_ns > p->last_ns) {
        p->tokens += p->rate * (double)(now_ns - p->last_ns) / 1e9;
        if (p->tokens > p->depth)
            p->tokens = p->depth;
        p->last_ns = now_ns;
    }
    if (p->tokens < cost)
        return false;
    p->tokens -= cost;
    return true;
}

uint64_t gen_pace_wait_ns(const struct gen_pace *p, double cost) {
    if (p->rate <= 0)
        return 0;
    if (p->tokens >= cost)
        return 1;
    /* Rounded up, so that the tokens are there when the wait is over. */
    return (uint64_t)((cost - p->tokens) / p->rate * 1e9) + 1;
}
