/* server/scheduler — the scheduler: runs planned captures (disk captures at a
 * start time, for a duration, repeating), reports the runs it could not
 * make, and saves running captures' counters every few seconds.
 *
 * A run whose whole window passed while the daemon was down (or busy) is
 * recorded as missed, with the times, never dropped silently; a run whose
 * window is still open starts late for the rest of it. */
#ifndef TRAWL_SERVER_SCHEDULER_H
#define TRAWL_SERVER_SCHEDULER_H

#include <stddef.h>

struct srv;
struct sched;

int sched_start(struct sched **out, struct srv *srv, char *err, size_t errlen);
void sched_stop(struct sched *s);
/* Wakes the scheduler to look at the plans now (after a change). */
void sched_poke(struct sched *s);

#endif
