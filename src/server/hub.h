/* server/hub — the daemon's one packet source fanned out to every capture
 * session.
 *
 * The hub thread reads the source, points one trawl_view at each packet
 * and offers it to every running session, so a packet is decoded once
 * however many sessions judge it (each with its own expressions, which
 * only this thread evaluates). It also keeps the registry of sessions that
 * have not finished, and the table of the source's interfaces.
 *
 * A replay source plays its trace in passes: a pass begins when at least
 * `replay_clients` captures are running and, unless the source loops, ends
 * with the trace, ending the captures that ran during it ("end of the
 * replayed trace"); the next capture starts a new pass from the first
 * packet. */
#ifndef TRAWL_SERVER_HUB_H
#define TRAWL_SERVER_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/session.h"
#include "server/source.h"

struct hub;

/* Sessions registered at once, at the most (the max_concurrent_captures
 * setting is at most 64; previews count too). */
#define HUB_MAX_SESSIONS 128
#define HUB_MAX_IFACES 256

typedef void (*hub_log_fn)(void *ctx, const char *msg);

int hub_new(struct hub **out, struct source *src, unsigned replay_clients,
            hub_log_fn log, void *log_ctx, char *err, size_t errlen);
int hub_start(struct hub *h, char *err, size_t errlen);
/* Stops the thread (sessions are left as they are). */
void hub_stop(struct hub *h);
/* Frees the hub and closes its source. */
void hub_free(struct hub *h);

/* Registers a session (taking a reference) when fewer than `max` are
 * registered; TRAWL_EBUSY with a message otherwise. */
int hub_add(struct hub *h, struct session *s, unsigned max, char *err,
            size_t errlen);
/* Unregisters it (its consumer finished) and drops that reference. */
void hub_remove(struct hub *h, struct session *s);
/* A registered session by id, with a reference for the caller, or NULL. */
struct session *hub_find(struct hub *h, int64_t id);
/* References to up to max registered sessions, in the order they were
 * added; returns how many. The caller unrefs each. */
size_t hub_sessions(struct hub *h, struct session **out, size_t max);
size_t hub_count(struct hub *h);
/* Ends every registered session. */
void hub_end_all(struct hub *h, enum session_end why, const char *detail);

/* Interfaces of the source, as far as known; entries never change once
 * published, so the pointer stays valid until hub_free. */
size_t hub_iface_count(struct hub *h);
const struct trawl_iface *hub_iface(struct hub *h, uint32_t id);
/* An interface by name, or by its id written in decimal; -1 if none. */
int64_t hub_iface_find(struct hub *h, const char *name);

struct hub_stats {
    uint64_t packets, bytes; /* read from the source */
    uint64_t passes;         /* replay passes completed */
    bool running;            /* a pass is under way (or the source is live) */
    struct source_stats source;
};
void hub_stats(struct hub *h, struct hub_stats *out);
/* Packets and bytes the source delivered on interface id. */
void hub_iface_stats(struct hub *h, uint32_t id, uint64_t *packets,
                     uint64_t *bytes);
const struct source *hub_source(struct hub *h);

#endif
