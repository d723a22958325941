/* The replay source: a trace file fed to the hub as if it were the
 * daemon's interfaces.
 *
 * Packets are stamped with the time they are fed, as a live interface
 * would stamp them (with --original-times they keep the trace's). At real
 * time or a speed factor, packet i is fed when (its trace time - the first
 * packet's) / speed has passed since the pass began, and stamped with that
 * instant exactly, so the spacing of the stamps is the trace's divided by
 * the factor; at max speed each is fed at once and stamped with the wall
 * clock (read every 32 packets). The first packet is read when the source opens, so that the
 * trace's interfaces are known before any capture starts. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/source.h"
#include "server/util.h"

struct replay {
    struct source base;
    trawl_reader *r;
    char *path;
    char describe[512];
    double speed;
    bool have_pending; /* `pending` was read and not handed out yet */
    struct trawl_pkt pending;
    /* The pass: trace time of its first packet, and when it was fed. */
    bool pass_started;
    int64_t first_ns, start_mono_ns, start_wall_ns;
    /* At max speed: the wall clock as last read, and packets since. */
    int64_t clock_now;
    unsigned since_clock;
};

static int64_t clock_ns(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t pkt_ns(const struct trawl_pkt *p) {
    return p->ts_sec * 1000000000 + p->ts_nsec;
}

static void sleep_ns(int64_t ns) {
    struct timespec ts = {.tv_sec = ns / 1000000000,
                          .tv_nsec = ns % 1000000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int fill_pending(struct replay *p, char *err, size_t errlen) {
    if (p->have_pending)
        return 1;
    int rc = trawl_reader_next(p->r, &p->pending, err, errlen);
    if (rc == 0)
        return TRAWL_ESTOPPED;
    if (rc < 0)
        return rc;
    p->have_pending = true;
    return 1;
}

static int replay_next(struct source *s, struct trawl_pkt *pkt, int timeout_ms,
                       char *err, size_t errlen) {
    struct replay *p = (struct replay *)s;
    int rc = fill_pending(p, err, errlen);
    if (rc <= 0)
        return rc;
    int64_t ts = pkt_ns(&p->pending);
    int64_t stamp;
    if (p->speed > 0) {
        if (!p->pass_started) {
            p->pass_started = true;
            p->first_ns = ts;
            p->start_mono_ns = clock_ns(CLOCK_MONOTONIC);
            p->start_wall_ns = clock_ns(CLOCK_REALTIME);
        }
        /* A packet earlier than the first (traces are not always in order)
         * goes at once. */
        int64_t offset = ts > p->first_ns
                             ? (int64_t)((double)(ts - p->first_ns) / p->speed)
                             : 0;
        int64_t wait = p->start_mono_ns + offset - clock_ns(CLOCK_MONOTONIC);
        if (wait > 0) {
            int64_t budget =
                (int64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000;
            if (wait > budget) {
                sleep_ns(budget);
                return 0;
            }
            sleep_ns(wait);
        }
        stamp = p->start_wall_ns + offset;
    } else {
        /* As fast as it goes, packets come several per microsecond: the
         * clock is read for every 32nd, and those in between share its
         * time, which costs a few percent of the replay less. */
        if (p->since_clock++ % 32 == 0)
            p->clock_now = clock_ns(CLOCK_REALTIME);
        stamp = p->clock_now;
    }
    *pkt = p->pending;
    p->have_pending = false;
    if (!s->original_times) {
        pkt->ts_sec = stamp / 1000000000;
        pkt->ts_nsec = (uint32_t)(stamp % 1000000000);
    }
    return 1;
}

static int replay_restart(struct source *s, char *err, size_t errlen) {
    struct replay *p = (struct replay *)s;
    p->have_pending = false;
    p->pass_started = false;
    int rc = trawl_reader_seek(p->r, 0, err, errlen);
    return rc < 0 ? rc : 0;
}

static size_t replay_iface_count(struct source *s) {
    return trawl_reader_iface_count(((struct replay *)s)->r);
}

static const struct trawl_iface *replay_iface(struct source *s, uint32_t id) {
    return trawl_reader_iface(((struct replay *)s)->r, id);
}

static void replay_stats(struct source *s, struct source_stats *out) {
    (void)s;
    memset(out, 0, sizeof *out);
}

static void replay_close(struct source *s) {
    struct replay *p = (struct replay *)s;
    trawl_reader_close(p->r);
    free(p->path);
    free(p);
}

static const struct source_ops replay_ops = {
    .kind = "replay",
    .next = replay_next,
    .restart = replay_restart,
    .iface_count = replay_iface_count,
    .iface = replay_iface,
    .stats = replay_stats,
    .close = replay_close,
};

int source_replay_open(struct source **out,
                       const struct source_replay_options *o, char *err,
                       size_t errlen) {
    *out = NULL;
    if (o->speed < 0)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "replay speed %g: must be positive", o->speed);
    if (strcmp(o->path, "-") == 0)
        return util_err(err, errlen, TRAWL_EINVAL,
                        "replay: standard input cannot be replayed (a pass "
                        "starts again from the first packet)");
    struct replay *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(o->path))) {
        free(p);
        return util_err(err, errlen, TRAWL_ENOMEM, "replay: out of memory");
    }
    const char *paths[] = {p->path};
    int rc = trawl_reader_open(&p->r, paths, 1, NULL, err, errlen);
    if (rc < 0) {
        free(p->path);
        free(p);
        return rc;
    }
    p->base.ops = &replay_ops;
    p->base.original_times = o->original_times;
    p->base.waits_for_captures = true;
    p->base.loops = o->loop;
    p->base.waits_for_room = o->speed == 0;
    p->speed = o->speed;
    if (o->speed > 0)
        snprintf(p->describe, sizeof p->describe, "replay of %s at %gx speed%s",
                 o->path, o->speed, o->loop ? ", looping" : "");
    else
        snprintf(p->describe, sizeof p->describe, "replay of %s at max speed%s",
                 o->path, o->loop ? ", looping" : "");
    p->base.describe = p->describe;
    /* The first packet, so that its interfaces are known now. */
    rc = fill_pending(p, err, errlen);
    if (rc == TRAWL_ESTOPPED) {
        replay_close(&p->base);
        return util_err(err, errlen, TRAWL_EFORMAT,
                        "replay: %s holds no packets", o->path);
    }
    if (rc < 0) {
        replay_close(&p->base);
        return rc;
    }
    *out = &p->base;
    return 0;
}
