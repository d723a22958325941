/* server/source — where the daemon's packets come from: one source for
 * all its interfaces, behind a table of functions, so that a trace replay
 * (source_replay.c) and live capture (source_live.c) look alike to the
 * hub.
 *
 * Only the hub thread calls a source, except stats(), which any thread may
 * call at any time. A packet handed out by next() stays
 * valid until the next call, as with trawl_reader_next(). */
#ifndef TRAWL_SERVER_SOURCE_H
#define TRAWL_SERVER_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/trawl.h"

struct source;

struct source_stats {
    uint64_t kernel_dropped, interface_dropped;
};

struct source_ops {
    const char *kind; /* "replay" or "live": the mode of captures from it */
    /* 1 with a packet, 0 when none came within timeout_ms, TRAWL_ESTOPPED
     * at the end of the packets (a replay's trace), or another negative
     * code on failure. */
    int (*next)(struct source *s, struct trawl_pkt *pkt, int timeout_ms,
                char *err, size_t errlen);
    /* Starts again: a replay from its first packet, a live capture by
     * opening its interfaces again (after one failed). */
    int (*restart)(struct source *s, char *err, size_t errlen);
    /* Interfaces known so far; ids are those of trawl_pkt.iface. */
    size_t (*iface_count)(struct source *s);
    const struct trawl_iface *(*iface)(struct source *s, uint32_t id);
    void (*stats)(struct source *s, struct source_stats *out);
    /* Leaves out TCP traffic of this port (the daemon's own HTTP); NULL
     * when the source has nothing to leave out. Any thread may call it. */
    int (*exclude_port)(struct source *s, unsigned port, char *err,
                        size_t errlen);
    void (*close)(struct source *s);
};

struct source {
    const struct source_ops *ops;
    /* Packet times are the trace's own rather than when they were fed
     * (replay --original-times): end times then cannot be enforced by the
     * wall clock. */
    bool original_times;
    /* A replay pass waits for captures to run: with no one listening, a
     * trace would be played to nobody. */
    bool waits_for_captures;
    bool loops;
    /* A replay at max speed: it waits for a capture's queue to have room
     * rather than drop (for at most a second), since a file, unlike an
     * interface, can wait. At real time or a factor it keeps its clock
     * and drops what does not fit, as a live interface would. */
    bool waits_for_room;
    const char *describe; /* "replay of FILE at max speed", owned */
};

struct source_replay_options {
    const char *path;
    double speed; /* 0 = as fast as possible; 1 = real time; 2 = twice ... */
    bool loop;
    bool original_times;
};

int source_replay_open(struct source **out,
                       const struct source_replay_options *o, char *err,
                       size_t errlen);

/* Live capture on the named interfaces (all that can capture when n is
 * 0), with no filter. */
int source_live_open(struct source **out, const char *const *ifaces, size_t n,
                     char *err, size_t errlen);

static inline void source_close(struct source *s) {
    if (s)
        s->ops->close(s);
}

#endif
