/* When an output starts a new file; see split.h. */
#include <time.h>

#include "sink/split.h"

/* Whether (a_sec, a_nsec) is at or after (b_sec, b_nsec). */
static bool at_or_after(int64_t a_sec, uint32_t a_nsec, int64_t b_sec,
                        uint32_t b_nsec) {
    return a_sec > b_sec || (a_sec == b_sec && a_nsec >= b_nsec);
}

enum sink_split_why sink_split_check(const struct sink_split *s, int64_t sec,
                                     uint32_t nsec, uint64_t rec_bytes) {
    if (!s->open || s->packets == 0)
        return SPLIT_NO;
    if (s->max_packets && s->packets >= s->max_packets)
        return SPLIT_PACKETS;
    if (s->max_bytes && s->bytes + rec_bytes > s->max_bytes)
        return SPLIT_SIZE;
    if (s->period && at_or_after(sec, nsec, s->end_sec, s->end_nsec))
        return SPLIT_DURATION;
    return SPLIT_NO;
}

/* Local midnight of the day that holds t. mktime() finds it whatever the
 * day's length (a daylight-saving change makes it 23 or 25 hours). */
static int64_t midnight(int64_t t, int day_offset) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return t;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_mday += day_offset;
    tm.tm_isdst = -1;
    time_t m = mktime(&tm);
    return m == (time_t)-1 ? t : (int64_t)m;
}

void sink_split_aligned(int64_t t, int64_t period, int64_t *start,
                        int64_t *end) {
    int64_t day = midnight(t, 0);
    int64_t next = midnight(t, 1);
    int64_t k = (t - day) / period;
    *start = day + k * period;
    *end = *start + period;
    if (*end > next)
        *end = next;
}

void sink_split_begin(struct sink_split *s, int64_t sec, uint32_t nsec,
                      uint64_t header_bytes) {
    s->open = true;
    s->bytes = header_bytes;
    s->packets = 0;
    s->start_sec = sec;
    s->start_nsec = nsec;
    s->end_sec = INT64_MAX;
    s->end_nsec = 0;
    if (!s->period)
        return;
    if (s->align) {
        sink_split_aligned(sec, s->period, &s->start_sec, &s->end_sec);
        s->start_nsec = 0;
    } else {
        s->end_sec = sec + s->period;
        s->end_nsec = nsec;
    }
}

bool sink_split_expired(const struct sink_split *s, int64_t now_sec,
                        uint32_t now_nsec) {
    return s->open && s->period &&
           at_or_after(now_sec, now_nsec, s->end_sec, s->end_nsec);
}
