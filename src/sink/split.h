/* sink/split — when an output starts a new file: a size, a packet count
 * and a duration, the first reached wins, with durations optionally
 * aligned to the clock. A pure state machine fed packet times and record
 * sizes (and, for idle files, the wall clock), so it can be tested with
 * synthetic packets and a fake clock.
 *
 * Durations are measured in packet time: a file covers at most `period`
 * seconds from its first packet (tcpdump -G, but on the packets' clock, so
 * that cutting a recorded trace works the same as a live capture). With
 * `align`, periods start at local midnight and every `period` seconds
 * after it (rotation at :00, :05, ...); a day's last period ends at the
 * next midnight when the period does not divide the day. */
#ifndef TRAWL_SINK_SPLIT_H
#define TRAWL_SINK_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

enum sink_split_why {
    SPLIT_NO = 0,
    SPLIT_SIZE,     /* the record would take the file past max_bytes */
    SPLIT_PACKETS,  /* the file holds max_packets */
    SPLIT_DURATION, /* the record's time is past the file's period */
};

struct sink_split {
    /* Limits; 0 = none. */
    uint64_t max_bytes, max_packets;
    int64_t period; /* seconds */
    bool align;
    /* The current file. */
    bool open;
    uint64_t bytes, packets;
    int64_t start_sec, end_sec; /* its period; end_sec INT64_MAX = none */
    uint32_t start_nsec, end_nsec;
};

/* Whether a record of `rec_bytes` at time (sec, nsec) must start a new
 * file. A file with no packet yet takes any record, however large. */
enum sink_split_why sink_split_check(const struct sink_split *s, int64_t sec,
                                     uint32_t nsec, uint64_t rec_bytes);

/* A new file begins, with `header_bytes` of headers, for a first packet at
 * (sec, nsec): sets its period. */
void sink_split_begin(struct sink_split *s, int64_t sec, uint32_t nsec,
                      uint64_t header_bytes);

/* Whether any limit is set: without one, no record ever starts a new
 * file and the check can be skipped. */
static inline bool sink_split_limited(const struct sink_split *s) {
    return s->max_bytes || s->max_packets || s->period;
}

/* A record went into the current file. */
static inline void sink_split_add(struct sink_split *s, uint64_t rec_bytes) {
    s->bytes += rec_bytes;
    s->packets++;
}

/* Whether the current file's period is over at wall-clock time now: an
 * idle file can be closed on time. */
bool sink_split_expired(const struct sink_split *s, int64_t now_sec,
                        uint32_t now_nsec);

/* The aligned period that holds time t (seconds): local midnight plus a
 * multiple of `period`, and its end (the next multiple, or the next
 * midnight if that comes first). period is 1 to 86400. */
void sink_split_aligned(int64_t t, int64_t period, int64_t *start,
                        int64_t *end);

#endif
