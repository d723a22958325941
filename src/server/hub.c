/* The hub: the source's packets offered to every running session, the
 * session registry and the interface table. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/hub.h"
#include "server/util.h"

/* How long the source may keep the hub waiting, and how often time-based
 * limits are checked while packets flow. */
#define POLL_MS 100
#define TICK_MS 100
#define TICK_PACKETS 256

struct hub_iface {
    struct trawl_iface info; /* strings point at the copies below */
    char *name, *description, *filter, *os;
    _Atomic uint64_t packets, bytes;
};

struct hub {
    struct source *src;
    unsigned replay_clients;
    hub_log_fn log;
    void *log_ctx;
    pthread_t thread;
    bool thread_started;
    _Atomic bool stop;

    /* The registry. `gen` changes whenever it does, so the hub thread
     * knows to take a new snapshot. */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct session *sessions[HUB_MAX_SESSIONS];
    size_t nsessions;
    _Atomic unsigned gen;

    struct hub_iface ifaces[HUB_MAX_IFACES];
    _Atomic size_t nifaces;

    _Atomic uint64_t packets, bytes, passes;
    _Atomic bool pass_active;
    trawl_view *view;
};

static void hub_log(struct hub *h, const char *fmt, ...) UTIL_PRINTF(2, 3);
static void hub_log(struct hub *h, const char *fmt, ...) {
    char msg[TRAWL_ERRBUF_SIZE + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (h->log)
        h->log(h->log_ctx, msg);
}

static char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

/* Publishes the interfaces the source knows beyond those the table has. */
static void sync_ifaces(struct hub *h) {
    size_t have = atomic_load_explicit(&h->nifaces, memory_order_relaxed);
    size_t n = h->src->ops->iface_count(h->src);
    for (size_t id = have; id < n && id < HUB_MAX_IFACES; id++) {
        const struct trawl_iface *src =
            h->src->ops->iface(h->src, (uint32_t)id);
        struct hub_iface *hi = &h->ifaces[id];
        if (!src)
            break;
        hi->info = *src;
        hi->name = dup_or_null(src->name);
        hi->description = dup_or_null(src->description);
        hi->filter = dup_or_null(src->filter);
        hi->os = dup_or_null(src->os);
        hi->info.name = hi->name;
        hi->info.description = hi->description;
        hi->info.filter = hi->filter;
        hi->info.os = hi->os;
        atomic_store_explicit(&h->nifaces, id + 1, memory_order_release);
    }
}

int hub_new(struct hub **out, struct source *src, unsigned replay_clients,
            hub_log_fn log, void *log_ctx, char *err, size_t errlen) {
    struct hub *h = calloc(1, sizeof *h);
    if (!h || !(h->view = trawl_view_new())) {
        free(h);
        return util_err(err, errlen, TRAWL_ENOMEM, "hub: out of memory");
    }
    h->src = src;
    h->replay_clients = replay_clients ? replay_clients : 1;
    h->log = log;
    h->log_ctx = log_ctx;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->changed, NULL);
    sync_ifaces(h);
    atomic_store(&h->pass_active, !src->waits_for_captures);
    *out = h;
    return 0;
}

/* ---- the thread ---------------------------------------------------------- */

struct snapshot {
    struct session *s[HUB_MAX_SESSIONS];
    size_t n;
    unsigned gen;
    /* The sessions whose queue had no room for the current packet. */
    struct session *full[HUB_MAX_SESSIONS];
    uint32_t caplen[HUB_MAX_SESSIONS];
};

static void snapshot_release(struct snapshot *sn) {
    for (size_t i = 0; i < sn->n; i++)
        session_unref(sn->s[i]);
    sn->n = 0;
}

static void snapshot_take(struct hub *h, struct snapshot *sn) {
    snapshot_release(sn);
    pthread_mutex_lock(&h->lock);
    for (size_t i = 0; i < h->nsessions; i++) {
        session_ref(h->sessions[i]);
        sn->s[sn->n++] = h->sessions[i];
    }
    sn->gen = atomic_load(&h->gen);
    pthread_mutex_unlock(&h->lock);
}

static size_t snapshot_running(const struct snapshot *sn) {
    size_t n = 0;
    for (size_t i = 0; i < sn->n; i++)
        n += session_ended(sn->s[i]) == SESSION_RUNNING;
    return n;
}

static void tick(struct hub *h, struct snapshot *sn) {
    uint64_t now_ms = util_mono_ms();
    int64_t now_us = util_now_us();
    bool wall_end = !h->src->original_times;
    for (size_t i = 0; i < sn->n; i++) {
        struct session *s = sn->s[i];
        if (session_ended(s) != SESSION_RUNNING)
            atomic_store(&s->hub_seen_end, true);
        else
            session_tick(s, now_ms, now_us, wall_end);
    }
}

/* Waits (up to POLL_MS) for the registry to change: a replay pass waiting
 * for captures. */
static void wait_changed(struct hub *h, unsigned gen) {
    pthread_mutex_lock(&h->lock);
    if (atomic_load(&h->gen) == gen && !atomic_load(&h->stop)) {
        struct timespec ts;
        util_deadline(&ts, POLL_MS);
        pthread_cond_timedwait(&h->changed, &h->lock, &ts);
    }
    pthread_mutex_unlock(&h->lock);
}

static void end_snapshot(struct snapshot *sn, enum session_end why,
                         const char *detail) {
    for (size_t i = 0; i < sn->n; i++) {
        session_end(sn->s[i], why, detail);
        session_notify(sn->s[i], true);
    }
}

/* A replay at max speed waits for the sessions whose queues were full,
 * looking again every WAIT_ROOM_US, and gives up (they drop the packet)
 * after WAIT_ROOM_MS: a client that stopped reading without hanging up
 * must not hold everyone else's replay for long. */
#define WAIT_ROOM_US 200
#define WAIT_ROOM_MS 1000

static void wait_for_room(struct hub *h, struct snapshot *sn,
                          const struct trawl_pkt *pkt, int64_t ts_us,
                          size_t n) {
    uint64_t deadline = util_mono_ms() + WAIT_ROOM_MS;
    while (n) {
        struct timespec nap = {.tv_nsec = WAIT_ROOM_US * 1000L};
        nanosleep(&nap, NULL);
        bool give_up = atomic_load(&h->stop) || util_mono_ms() >= deadline;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (session_retry(sn->full[i], pkt, sn->caplen[i], ts_us, give_up))
                continue;
            sn->full[k] = sn->full[i];
            sn->caplen[k++] = sn->caplen[i];
        }
        n = k;
    }
}

/* The hub thread is the only writer of its counters: a plain load and
 * store, no locked instruction per packet. */
static inline void bump(_Atomic uint64_t *c, uint64_t n) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static void offer(struct hub *h, struct snapshot *sn, struct trawl_pkt *pkt) {
    if (pkt->iface >= atomic_load_explicit(&h->nifaces, memory_order_relaxed))
        sync_ifaces(h);
    bump(&h->packets, 1);
    bump(&h->bytes, pkt->len);
    if (pkt->iface < HUB_MAX_IFACES) {
        struct hub_iface *hi = &h->ifaces[pkt->iface];
        bump(&hi->packets, 1);
        bump(&hi->bytes, pkt->len);
    }
    trawl_view_set(h->view, pkt);
    int64_t ts_us = pkt->ts_sec * 1000000 + pkt->ts_nsec / 1000;
    bool wait = h->src->waits_for_room;
    size_t nfull = 0;
    for (size_t i = 0; i < sn->n; i++) {
        struct session *s = sn->s[i];
        if (session_ended(s) == SESSION_RUNNING) {
            if (!session_offer(s, h->view, pkt, ts_us, wait,
                               &sn->caplen[nfull]))
                sn->full[nfull++] = s;
        } else if (!atomic_load_explicit(&s->hub_seen_end,
                                         memory_order_relaxed)) {
            atomic_store(&s->hub_seen_end, true);
        }
    }
    if (nfull)
        wait_for_room(h, sn, pkt, ts_us, nfull);
}

/* The source ended: a replay's trace is over (or unreadable), or the live
 * capture stopped (an interface went away). The captures it fed end,
 * unless a looping replay just goes round again, and the source starts
 * again. */
static void end_pass(struct hub *h, struct snapshot *sn, int rc,
                     const char *msg) {
    bool live = !h->src->waits_for_captures;
    if (rc == TRAWL_ESTOPPED && !live) {
        if (!h->src->loops)
            end_snapshot(sn, SESSION_END_SOURCE, NULL);
        atomic_fetch_add(&h->passes, 1);
    } else {
        const char *why = rc == TRAWL_ESTOPPED ? "the live capture stopped"
                                               : msg;
        hub_log(h, "source: %s", why);
        end_snapshot(sn, SESSION_END_ERROR, why);
    }
    if (live) {
        /* Not in a tight loop while an interface stays away. */
        struct timespec ts = {.tv_sec = 1};
        nanosleep(&ts, NULL);
    }
    char err[TRAWL_ERRBUF_SIZE];
    if (h->src->ops->restart(h->src, err, sizeof err) < 0) {
        hub_log(h, "source: cannot start again: %s", err);
        struct timespec ts = {.tv_sec = 1};
        nanosleep(&ts, NULL);
    } else if (live) {
        hub_log(h, "source: capturing again");
    }
    if (!live && (!h->src->loops || rc != TRAWL_ESTOPPED))
        atomic_store(&h->pass_active, false);
}

static void *hub_main(void *arg) {
    struct hub *h = arg;
    struct snapshot sn = {.gen = ~0u};
    uint64_t last_tick = 0;
    unsigned since_tick = 0;
    char err[TRAWL_ERRBUF_SIZE];
    while (!atomic_load(&h->stop)) {
        if (sn.gen != atomic_load(&h->gen))
            snapshot_take(h, &sn);
        if (!atomic_load(&h->pass_active)) {
            tick(h, &sn);
            if (snapshot_running(&sn) >= h->replay_clients)
                atomic_store(&h->pass_active, true);
            else
                wait_changed(h, sn.gen);
            continue;
        }
        struct trawl_pkt pkt;
        int rc = h->src->ops->next(h->src, &pkt, POLL_MS, err, sizeof err);
        if (rc == 1) {
            offer(h, &sn, &pkt);
            if (++since_tick < TICK_PACKETS)
                continue;
        } else if (rc < 0) {
            end_pass(h, &sn, rc, err);
        }
        since_tick = 0;
        uint64_t now = util_mono_ms();
        if (now - last_tick >= TICK_MS) {
            last_tick = now;
            tick(h, &sn);
        }
    }
    snapshot_release(&sn);
    return NULL;
}

int hub_start(struct hub *h, char *err, size_t errlen) {
    int rc = pthread_create(&h->thread, NULL, hub_main, h);
    if (rc != 0)
        return util_err(err, errlen, TRAWL_EIO, "hub: cannot start: %s",
                        strerror(rc));
    h->thread_started = true;
    return 0;
}

void hub_stop(struct hub *h) {
    if (!h->thread_started)
        return;
    atomic_store(&h->stop, true);
    pthread_mutex_lock(&h->lock);
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    h->thread_started = false;
}

void hub_free(struct hub *h) {
    if (!h)
        return;
    hub_stop(h);
    for (size_t i = 0; i < h->nsessions; i++)
        session_unref(h->sessions[i]);
    size_t n = atomic_load(&h->nifaces);
    for (size_t i = 0; i < n; i++) {
        free(h->ifaces[i].name);
        free(h->ifaces[i].description);
        free(h->ifaces[i].filter);
        free(h->ifaces[i].os);
    }
    trawl_view_free(h->view);
    source_close(h->src);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->changed);
    free(h);
}

/* ---- the registry -------------------------------------------------------- */

int hub_add(struct hub *h, struct session *s, unsigned max, char *err,
            size_t errlen) {
    pthread_mutex_lock(&h->lock);
    int rc = 0;
    if (h->nsessions >= max || h->nsessions >= HUB_MAX_SESSIONS) {
        rc = util_err(err, errlen, TRAWL_EBUSY,
                      "too many captures: %zu running, the most allowed is "
                      "%u (setting max_concurrent_captures)",
                      h->nsessions, max);
    } else {
        session_ref(s);
        h->sessions[h->nsessions++] = s;
        atomic_fetch_add(&h->gen, 1);
        pthread_cond_broadcast(&h->changed);
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

void hub_remove(struct hub *h, struct session *s) {
    bool found = false;
    pthread_mutex_lock(&h->lock);
    for (size_t i = 0; i < h->nsessions; i++) {
        if (h->sessions[i] != s)
            continue;
        memmove(&h->sessions[i], &h->sessions[i + 1],
                (h->nsessions - i - 1) * sizeof h->sessions[0]);
        h->nsessions--;
        found = true;
        atomic_fetch_add(&h->gen, 1);
        break;
    }
    pthread_mutex_unlock(&h->lock);
    if (found)
        session_unref(s);
}

struct session *hub_find(struct hub *h, int64_t id) {
    struct session *found = NULL;
    pthread_mutex_lock(&h->lock);
    for (size_t i = 0; i < h->nsessions && !found; i++)
        if (h->sessions[i]->id == id) {
            found = h->sessions[i];
            session_ref(found);
        }
    pthread_mutex_unlock(&h->lock);
    return found;
}

size_t hub_sessions(struct hub *h, struct session **out, size_t max) {
    size_t n = 0;
    pthread_mutex_lock(&h->lock);
    for (size_t i = 0; i < h->nsessions && n < max; i++) {
        session_ref(h->sessions[i]);
        out[n++] = h->sessions[i];
    }
    pthread_mutex_unlock(&h->lock);
    return n;
}

size_t hub_count(struct hub *h) {
    pthread_mutex_lock(&h->lock);
    size_t n = h->nsessions;
    pthread_mutex_unlock(&h->lock);
    return n;
}

void hub_end_all(struct hub *h, enum session_end why, const char *detail) {
    pthread_mutex_lock(&h->lock);
    for (size_t i = 0; i < h->nsessions; i++) {
        session_end(h->sessions[i], why, detail);
        session_notify(h->sessions[i], true);
    }
    pthread_mutex_unlock(&h->lock);
}

/* ---- interfaces and statistics ------------------------------------------- */

size_t hub_iface_count(struct hub *h) {
    return atomic_load_explicit(&h->nifaces, memory_order_acquire);
}

const struct trawl_iface *hub_iface(struct hub *h, uint32_t id) {
    return id < hub_iface_count(h) ? &h->ifaces[id].info : NULL;
}

int64_t hub_iface_find(struct hub *h, const char *name) {
    size_t n = hub_iface_count(h);
    for (size_t i = 0; i < n; i++)
        if (h->ifaces[i].name && strcmp(h->ifaces[i].name, name) == 0)
            return (int64_t)i;
    uint64_t id;
    if (util_parse_u64(name, &id) && id < n)
        return (int64_t)id;
    return -1;
}

void hub_stats(struct hub *h, struct hub_stats *out) {
    memset(out, 0, sizeof *out);
    out->packets = atomic_load(&h->packets);
    out->bytes = atomic_load(&h->bytes);
    out->passes = atomic_load(&h->passes);
    out->running = atomic_load(&h->pass_active);
    h->src->ops->stats(h->src, &out->source);
}

void hub_iface_stats(struct hub *h, uint32_t id, uint64_t *packets,
                     uint64_t *bytes) {
    *packets = *bytes = 0;
    if (id >= hub_iface_count(h))
        return;
    *packets = atomic_load(&h->ifaces[id].packets);
    *bytes = atomic_load(&h->ifaces[id].bytes);
}

const struct source *hub_source(struct hub *h) {
    return h->src;
}
