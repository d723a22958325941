/* The scheduler thread: planned captures and counter checkpoints. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/captures.h"
#include "server/disk.h"
#include "server/scheduler.h"
#include "server/server.h"
#include "server/util.h"

#define TICK_MS 500
#define CHECKPOINT_MS 5000
/* A run that starts this much after its time is reported as late. */
#define LATE_US 2000000

struct sched {
    struct srv *srv;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop, poked;
};

static void record(struct srv *srv, int64_t plan, int64_t when,
                   const char *status, int64_t capture, const char *detail) {
    catalog_plan_run(srv->cat, plan, when, status, capture, detail, NULL, 0);
    if (strcmp(status, "missed") == 0)
        srv_log(srv, "plan %lld: %s", (long long)plan, detail);
}

/* Starts one run of a plan, for `duration_us`; returns the capture's id or
 * 0 with the reason in err. */
static int64_t start_run(struct srv *srv, const json_t *plan,
                         int64_t duration_us, char *err, size_t errlen) {
    json_t *args = json_object();
    json_t *opt = json_object_get(plan, "options");
    if (json_is_object(opt))
        json_object_update(args, opt);
    json_object_set(args, "filter", json_object_get(plan, "filter"));
    json_object_set(args, "directory", json_object_get(plan, "directory"));
    json_object_set_new(args, "type", json_string("disk"));
    json_object_set_new(args, "duration_s",
                        json_real((double)duration_us / 1e6));
    struct session_spec spec = {0};
    int status;
    int rc =
        captures_spec(srv, args, SESSION_DISK, &spec, &status, err, errlen);
    json_decref(args);
    if (rc < 0) {
        session_spec_free(&spec);
        return 0;
    }
    spec.plan_id = json_integer_value(json_object_get(plan, "id"));
    spec.user = strdup(json_string_value(json_object_get(plan, "user")));
    spec.client = strdup("scheduler");
    struct session *s;
    if (captures_start(srv, &spec, &s, &status, err, errlen) < 0)
        return 0;
    int64_t id = s->id;
    if (disk_start(srv, s, err, errlen) < 0)
        return 0;
    return id;
}

static void run_plan(struct srv *srv, const json_t *plan, int64_t now) {
    int64_t id = json_integer_value(json_object_get(plan, "id"));
    int64_t at = json_integer_value(json_object_get(plan, "next_us"));
    int64_t dur =
        json_integer_value(json_object_get(plan, "duration_s")) * 1000000;
    int64_t rep =
        json_integer_value(json_object_get(plan, "repeat_s")) * 1000000;
    /* Whole windows that passed without a run. */
    if (at + dur <= now) {
        int64_t n = rep ? (now - (at + dur)) / rep + 1 : 1;
        int64_t last = at + (n - 1) * rep;
        char a[48], b[48], detail[256];
        util_iso_time(at, a, sizeof a);
        util_iso_time(last, b, sizeof b);
        if (n == 1)
            snprintf(detail, sizeof detail,
                     "the run due at %s was missed: the daemon was not "
                     "running during its %lld s",
                     a, (long long)(dur / 1000000));
        else
            snprintf(detail, sizeof detail,
                     "%lld runs due from %s to %s were missed: the daemon was "
                     "not running",
                     (long long)n, a, b);
        record(srv, id, at, "missed", 0, detail);
        atomic_fetch_add(&srv->metrics.plans_missed, (uint64_t)n);
        at = rep ? last + rep : 0;
    }
    if (at == 0 || at > now) {
        catalog_plan_set_next(srv->cat, id, at, NULL, 0);
        return;
    }
    char err[TRAWL_ERRBUF_SIZE], detail[TRAWL_ERRBUF_SIZE + 64];
    int64_t late = now - at;
    int64_t cap = start_run(srv, plan, at + dur - now, err, sizeof err);
    if (!cap) {
        record(srv, id, at, "failed", 0, err);
        atomic_fetch_add(&srv->metrics.plans_failed, 1);
        srv_log(srv, "plan %lld: the run due now failed: %s", (long long)id,
                err);
    } else if (late > LATE_US) {
        snprintf(detail, sizeof detail,
                 "started %.1f s late, for the rest of "
                 "its window",
                 (double)late / 1e6);
        record(srv, id, at, "late", cap, detail);
        atomic_fetch_add(&srv->metrics.plans_started, 1);
    } else {
        record(srv, id, at, "started", cap, NULL);
        atomic_fetch_add(&srv->metrics.plans_started, 1);
    }
    catalog_plan_set_next(srv->cat, id, rep ? at + rep : 0, NULL, 0);
}

static void *sched_main(void *arg) {
    struct sched *sc = arg;
    struct srv *srv = sc->srv;
    uint64_t last_checkpoint = util_mono_ms();
    pthread_mutex_lock(&sc->lock);
    while (!sc->stop) {
        pthread_mutex_unlock(&sc->lock);
        int64_t now = util_now_us();
        json_t *due = catalog_plan_due(srv->cat, now, NULL, 0);
        size_t i;
        json_t *plan;
        json_array_foreach(due, i, plan) run_plan(srv, plan, now);
        json_decref(due);
        uint64_t mono = util_mono_ms();
        if (mono - last_checkpoint >= CHECKPOINT_MS) {
            captures_checkpoint(srv);
            last_checkpoint = mono;
        }
        pthread_mutex_lock(&sc->lock);
        if (sc->stop)
            break;
        if (!sc->poked) {
            struct timespec ts;
            util_deadline(&ts, TICK_MS);
            pthread_cond_timedwait(&sc->cond, &sc->lock, &ts);
        }
        sc->poked = false;
    }
    pthread_mutex_unlock(&sc->lock);
    return NULL;
}

int sched_start(struct sched **out, struct srv *srv, char *err, size_t errlen) {
    struct sched *sc = calloc(1, sizeof *sc);
    if (!sc)
        return util_err(err, errlen, TRAWL_ENOMEM, "scheduler: out of memory");
    sc->srv = srv;
    pthread_mutex_init(&sc->lock, NULL);
    pthread_cond_init(&sc->cond, NULL);
    int rc = pthread_create(&sc->thread, NULL, sched_main, sc);
    if (rc != 0) {
        free(sc);
        return util_err(err, errlen, TRAWL_EIO, "scheduler: %s", strerror(rc));
    }
    *out = sc;
    return 0;
}

void sched_poke(struct sched *sc) {
    if (!sc)
        return;
    pthread_mutex_lock(&sc->lock);
    sc->poked = true;
    pthread_cond_signal(&sc->cond);
    pthread_mutex_unlock(&sc->lock);
}

void sched_stop(struct sched *sc) {
    if (!sc)
        return;
    pthread_mutex_lock(&sc->lock);
    sc->stop = true;
    pthread_cond_signal(&sc->cond);
    pthread_mutex_unlock(&sc->lock);
    pthread_join(sc->thread, NULL);
    pthread_mutex_destroy(&sc->lock);
    pthread_cond_destroy(&sc->cond);
    free(sc);
}
