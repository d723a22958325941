/* The live source: the daemon's interfaces through one trawl_capture
 * (include/trawl/capture.h), which the hub thread drives.
 *
 * It captures whole packets with no filter of its own, but for one: the
 * daemon's own HTTP port (source_exclude_port), so that a download over
 * a captured interface does not capture itself. When the capture stops
 * (an interface went away), restart() opens the same interfaces again. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/source.h"
#include "server/util.h"

struct live {
    struct source base;
    /* Replaced by restart() on the hub thread; other threads (stats,
     * exclude_port) hold the lock to use it. */
    pthread_mutex_t lock;
    trawl_capture *c;
    char **names;
    size_t n;
    char filter[64];
    char describe[512];
};

static int open_capture(struct live *l, char *err, size_t errlen) {
    trawl_capture *c;
    int rc = trawl_capture_new(&c, err, errlen);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < l->n && rc == 0; i++)
        rc = trawl_capture_add_iface(c, l->names[i], err, errlen);
    char filter[sizeof l->filter];
    pthread_mutex_lock(&l->lock);
    memcpy(filter, l->filter, sizeof filter);
    pthread_mutex_unlock(&l->lock);
    if (rc == 0 && filter[0])
        rc = trawl_capture_set_filter(c, filter, NULL, err, errlen);
    if (rc == 0)
        rc = trawl_capture_start(c, err, errlen);
    if (rc < 0) {
        trawl_capture_close(c);
        return rc;
    }
    pthread_mutex_lock(&l->lock);
    l->c = c;
    pthread_mutex_unlock(&l->lock);
    return 0;
}

static int live_next(struct source *s, struct trawl_pkt *pkt, int timeout_ms,
                     char *err, size_t errlen) {
    struct live *l = (struct live *)s;
    if (!l->c)
        return util_err(err, errlen, TRAWL_ESTOPPED,
                        "live capture is not running");
    return trawl_capture_next(l->c, pkt, timeout_ms, err, errlen);
}

static int live_restart(struct source *s, char *err, size_t errlen) {
    struct live *l = (struct live *)s;
    pthread_mutex_lock(&l->lock);
    trawl_capture *old = l->c;
    l->c = NULL;
    pthread_mutex_unlock(&l->lock);
    trawl_capture_close(old);
    return open_capture(l, err, errlen);
}

static size_t live_iface_count(struct source *s) {
    struct live *l = (struct live *)s;
    return l->c ? trawl_capture_iface_count(l->c) : 0;
}

static const struct trawl_iface *live_iface(struct source *s, uint32_t id) {
    struct live *l = (struct live *)s;
    return l->c ? trawl_capture_iface(l->c, id) : NULL;
}

static void live_stats(struct source *s, struct source_stats *out) {
    struct live *l = (struct live *)s;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&l->lock);
    if (l->c) {
        struct trawl_counters k;
        trawl_capture_counters(l->c, &k);
        out->kernel_dropped = k.kernel_dropped;
        out->interface_dropped = k.interface_dropped;
    }
    pthread_mutex_unlock(&l->lock);
}

static int live_exclude_port(struct source *s, unsigned port, char *err,
                             size_t errlen) {
    struct live *l = (struct live *)s;
    pthread_mutex_lock(&l->lock);
    snprintf(l->filter, sizeof l->filter, "not tcp port %u", port);
    int rc = l->c ? trawl_capture_set_filter(l->c, l->filter, NULL, err, errlen)
                  : 0;
    pthread_mutex_unlock(&l->lock);
    return rc;
}

static void live_close(struct source *s) {
    struct live *l = (struct live *)s;
    trawl_capture_close(l->c);
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

static const struct source_ops live_ops = {
    .kind = "live",
    .next = live_next,
    .restart = live_restart,
    .iface_count = live_iface_count,
    .iface = live_iface,
    .stats = live_stats,
    .exclude_port = live_exclude_port,
    .close = live_close,
};

/* Every interface a capture can open now, but the "any" pseudo device
 * (which would see each packet again). */
static int all_ifaces(struct live *l, char *err, size_t errlen) {
    struct trawl_ifinfo *list;
    size_t n;
    int rc = trawl_iflist(&list, &n, err, errlen);
    if (rc < 0)
        return rc;
    l->names = calloc(n ? n : 1, sizeof *l->names);
    const char *why = NULL;
    for (size_t i = 0; l->names && i < n; i++) {
        if (strcmp(list[i].name, "any") == 0)
            continue;
        if (!list[i].can_capture) {
            if (!why)
                why = list[i].why_not;
            continue;
        }
        l->names[l->n++] = strdup(list[i].name);
    }
    if (!l->names)
        rc = util_err(err, errlen, TRAWL_ENOMEM, "live: out of memory");
    else if (l->n == 0)
        rc = util_err(err, errlen, TRAWL_EUNSUPPORTED,
                      "no interface can be captured on%s%s", why ? ": " : "",
                      why ? why : "");
    trawl_iflist_free(list, n);
    return rc;
}

int source_live_open(struct source **out, const char *const *ifaces, size_t n,
                     char *err, size_t errlen) {
    *out = NULL;
    struct live *l = calloc(1, sizeof *l);
    if (!l)
        return util_err(err, errlen, TRAWL_ENOMEM, "live: out of memory");
    l->base.ops = &live_ops;
    pthread_mutex_init(&l->lock, NULL);
    int rc = 0;
    if (n == 0) {
        rc = all_ifaces(l, err, errlen);
    } else if (!(l->names = calloc(n, sizeof *l->names))) {
        rc = util_err(err, errlen, TRAWL_ENOMEM, "live: out of memory");
    } else {
        for (size_t i = 0; i < n; i++)
            l->names[l->n++] = strdup(ifaces[i]);
    }
    if (rc == 0)
        rc = open_capture(l, err, errlen);
    if (rc < 0) {
        live_close(&l->base);
        return rc;
    }
    size_t used = (size_t)snprintf(l->describe, sizeof l->describe,
                                   "live capture on ");
    for (size_t i = 0; i < l->n && used < sizeof l->describe; i++)
        used += (size_t)snprintf(l->describe + used, sizeof l->describe - used,
                                 "%s%s", i ? ", " : "", l->names[i]);
    l->base.describe = l->describe;
    *out = &l->base;
    return 0;
}
