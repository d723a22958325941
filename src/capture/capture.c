/* The capture object: its interfaces, parameters, filter, triggers, keep
 * rule and buffer; its state and counters as other threads read them.
 * Starting, delivering and stopping are in run.c.
 *
 * Threads. The driving thread owns everything but what follows. `lock`
 * guards the interface array (which other threads walk to sum counters)
 * and the pending filter; counters, state and buffer statistics are
 * atomics with one writer; stream statistics are guarded by `slock`,
 * which the driving thread holds while it reads a batch of packets. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "capture/capture_int.h"

/* Xena's words for a parameter changed while the capture runs. */
#define BUSY_TEXT "while capture is on the capture parameters cannot be changed"

void cap_counters_reset(struct cap_counters *k) {
    cap_set(&k->received, 0);
    cap_set(&k->captured, 0);
    cap_set(&k->ignored, 0);
    cap_set(&k->dropped, 0);
    cap_set(&k->kernel_dropped, 0);
    cap_set(&k->interface_dropped, 0);
    cap_set(&k->bytes, 0);
    cap_set(&k->captured_bytes, 0);
}

void cap_counters_sum(const struct cap_counters *k, struct trawl_counters *out) {
    /* Read the later stages first, so that a reader racing the driving
     * thread never sees more captured than received. */
    out->captured_bytes += cap_get(&k->captured_bytes);
    out->bytes += cap_get(&k->bytes);
    out->captured += cap_get(&k->captured);
    out->ignored += cap_get(&k->ignored);
    out->dropped += cap_get(&k->dropped);
    out->received += cap_get(&k->received);
    out->kernel_dropped += cap_get(&k->kernel_dropped);
    out->interface_dropped += cap_get(&k->interface_dropped);
}

void cap_wake(trawl_capture *c) {
    uint64_t one = 1;
    /* A full counter already wakes the reader: nothing to do on EAGAIN. */
    ssize_t n = write(c->evfd, &one, sizeof one);
    (void)n;
}

/* ---- life ------------------------------------------------------------------ */

TRAWL_API int trawl_capture_new(trawl_capture **out, char *errbuf,
                                size_t errlen) {
    *out = NULL;
    trawl_capture *c = calloc(1, sizeof *c);
    if (!c)
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "capture: out of memory");
    c->epfd = c->evfd = c->tfd = -1;
    c->prm.promisc = true;
    cap_stage_init(&c->stage);
    cap_streams_init(&c->streams);
    atomic_init(&c->state, TRAWL_CAPTURE_OFF);
    atomic_init(&c->reason, TRAWL_STOPPED_NONE);
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "capture: cannot create a lock");
    }
    if (pthread_mutex_init(&c->slock, NULL) != 0) {
        pthread_mutex_destroy(&c->lock);
        free(c);
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "capture: cannot create a lock");
    }
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    c->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN};
    ev.data.u64 = CAP_EV_WAKE;
    bool ok = c->epfd >= 0 && c->evfd >= 0 && c->tfd >= 0 &&
              epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->evfd, &ev) == 0;
    ev.data.u64 = CAP_EV_TIMER;
    if (!ok || epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->tfd, &ev) != 0) {
        int e = errno;
        trawl_capture_close(c);
        return core_err(errbuf, errlen, TRAWL_EIO,
                        "capture: cannot set up polling: %s", strerror(e));
    }
    *out = c;
    return 0;
}

static void iface_free(struct cap_iface *ifc) {
    if (!ifc)
        return;
    cap_live_close(ifc);
    free(ifc->name);
    free(ifc->filter_text);
    free(ifc);
}

TRAWL_API void trawl_capture_close(trawl_capture *c) {
    if (!c)
        return;
    cap_halt_now(c, TRAWL_STOPPED_USER);
    for (size_t i = 0; i < c->nifaces; i++)
        iface_free(c->ifaces[i]);
    free(c->ifaces);
    cap_stage_free(&c->stage);
    cap_buf_free(&c->buf);
    cap_streams_free(&c->streams);
    trawl_expr_free(c->filter);
    trawl_expr_free(c->pending.expr);
    trawl_view_free(c->view);
    trawl_flows_free(c->flows);
    if (c->epfd >= 0)
        close(c->epfd);
    if (c->evfd >= 0)
        close(c->evfd);
    if (c->tfd >= 0)
        close(c->tfd);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->slock);
    free(c);
}

/* ---- interfaces -------------------------------------------------------------- */

static int busy(const trawl_capture *c, const char *what, char *errbuf,
                size_t errlen) {
    if (!cap_running(c))
        return 0;
    return core_err(errbuf, errlen, TRAWL_EBUSY, "%s: " BUSY_TEXT, what);
}

TRAWL_API int trawl_capture_add_iface(trawl_capture *c, const char *name,
                                      char *errbuf, size_t errlen) {
    int rc = busy(c, "interface", errbuf, errlen);
    if (rc < 0)
        return rc;
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len >= 256)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "interface: '%s' is not an interface name",
                        name ? name : "");
    struct cap_iface *ifc = calloc(1, sizeof *ifc);
    if (!ifc || !(ifc->name = core_strdup(name))) {
        free(ifc);
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "interface %s: out of memory", name);
    }
    ifc->fd = ifc->sys_fd[0] = ifc->sys_fd[1] = -1;
    ifc->c = c;
    ifc->desc.name = ifc->name;
    ifc->desc.fcslen = -1;
    ifc->desc.tsresol = 6;
    pthread_mutex_lock(&c->lock);
    if (c->nifaces == c->cap_ifaces) {
        size_t n = c->cap_ifaces ? c->cap_ifaces * 2 : 4;
        struct cap_iface **a = core_reallocarray(c->ifaces, n, sizeof *a);
        if (!a) {
            pthread_mutex_unlock(&c->lock);
            iface_free(ifc);
            return core_err(errbuf, errlen, TRAWL_ENOMEM,
                            "interface %s: out of memory", name);
        }
        c->ifaces = a;
        c->cap_ifaces = n;
    }
    ifc->id = (uint32_t)c->nifaces;
    c->ifaces[c->nifaces++] = ifc;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

TRAWL_API size_t trawl_capture_iface_count(const trawl_capture *c) {
    return c->nifaces;
}

TRAWL_API const struct trawl_iface *trawl_capture_iface(const trawl_capture *c,
                                                        uint32_t id) {
    return id < c->nifaces ? &c->ifaces[id]->desc : NULL;
}

/* ---- parameters ---------------------------------------------------------------- */

TRAWL_API int trawl_capture_set_direction(trawl_capture *c,
                                          enum trawl_direction d,
                                          char *errbuf, size_t errlen) {
    int rc = busy(c, "direction", errbuf, errlen);
    if (rc < 0)
        return rc;
    if ((unsigned)d > TRAWL_DIRECTION_OUT)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "direction: %d is not in, out or both", (int)d);
    c->prm.direction = d;
    return 0;
}

TRAWL_API int trawl_capture_set_promisc(trawl_capture *c, bool on,
                                        char *errbuf, size_t errlen) {
    int rc = busy(c, "promisc", errbuf, errlen);
    if (rc < 0)
        return rc;
    c->prm.promisc = on;
    return 0;
}

TRAWL_API int trawl_capture_set_snaplen(trawl_capture *c, uint32_t snaplen,
                                        char *errbuf, size_t errlen) {
    int rc = busy(c, "snaplen", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (snaplen > TRAWL_MAX_CAPLEN)
        return core_err(errbuf, errlen, TRAWL_ERANGE,
                        "snaplen: %" PRIu32 " is larger than %u", snaplen,
                        TRAWL_MAX_CAPLEN);
    c->prm.snaplen = snaplen;
    return 0;
}

TRAWL_API int trawl_capture_set_buffer_kib(trawl_capture *c, uint32_t kib,
                                           char *errbuf, size_t errlen) {
    int rc = busy(c, "kernel buffer", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (kib > INT32_MAX / 1024)
        return core_err(errbuf, errlen, TRAWL_ERANGE,
                        "kernel buffer: %" PRIu32 " KiB is more than %d KiB",
                        kib, INT32_MAX / 1024);
    c->prm.buffer_kib = kib;
    return 0;
}

TRAWL_API int trawl_capture_set_timeout(trawl_capture *c, int timeout_ms,
                                        bool immediate, char *errbuf,
                                        size_t errlen) {
    int rc = busy(c, "timeout", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (timeout_ms < 0)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "timeout: %d ms is negative", timeout_ms);
    c->prm.timeout_ms = timeout_ms;
    c->prm.immediate = immediate;
    return 0;
}

TRAWL_API int trawl_capture_set_nanosecond(trawl_capture *c, bool on,
                                           char *errbuf, size_t errlen) {
    int rc = busy(c, "nanosecond", errbuf, errlen);
    if (rc < 0)
        return rc;
    c->prm.nano = on;
    return 0;
}

TRAWL_API int trawl_capture_set_fcs(trawl_capture *c, bool frames_have_fcs,
                                    char *errbuf, size_t errlen) {
    int rc = busy(c, "fcs", errbuf, errlen);
    if (rc < 0)
        return rc;
    c->prm.fcs = frames_have_fcs;
    return 0;
}

TRAWL_API int trawl_capture_set_verify_checksums(trawl_capture *c, bool on,
                                                 char *errbuf, size_t errlen) {
    int rc = busy(c, "checksums", errbuf, errlen);
    if (rc < 0)
        return rc;
    c->prm.verify_checksums = on;
    return 0;
}

TRAWL_API int trawl_capture_set_flows(trawl_capture *c, bool on,
                                      char *errbuf, size_t errlen) {
    int rc = busy(c, "flows", errbuf, errlen);
    if (rc < 0)
        return rc;
    c->want_flows = on;
    return 0;
}

TRAWL_API int trawl_capture_set_mode(trawl_capture *c,
                                     enum trawl_capture_mode mode,
                                     unsigned interval_ms, char *errbuf,
                                     size_t errlen) {
    int rc = busy(c, "mode", errbuf, errlen);
    if (rc < 0)
        return rc;
    if ((unsigned)mode > TRAWL_CAPTURE_STATISTICS)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "mode: %d is not packets or statistics", (int)mode);
    if (mode == TRAWL_CAPTURE_STATISTICS && interval_ms == 0)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "mode: statistics mode needs an interval above 0 ms");
    c->prm.mode = mode;
    c->prm.interval_ms = interval_ms;
    return 0;
}

TRAWL_API int trawl_capture_set_trigger(trawl_capture *c,
                                        const struct trawl_trigger *t,
                                        char *errbuf, size_t errlen) {
    int rc = busy(c, "trigger", errbuf, errlen);
    if (rc < 0)
        return rc;
    return cap_stage_set_trigger(&c->stage, t, errbuf, errlen);
}

TRAWL_API int trawl_capture_set_keep(trawl_capture *c,
                                     const struct trawl_keep *k, char *errbuf,
                                     size_t errlen) {
    int rc = busy(c, "keep", errbuf, errlen);
    if (rc < 0)
        return rc;
    return cap_stage_set_keep(&c->stage, k, errbuf, errlen);
}

TRAWL_API int trawl_capture_set_buffer(trawl_capture *c, uint64_t bytes,
                                       char *errbuf, size_t errlen) {
    int rc = busy(c, "capture buffer", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (bytes && (bytes < CAP_REC_MIN || bytes > SIZE_MAX / 2))
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "capture buffer: %" PRIu64
                        " bytes is not a usable size (at least %u)",
                        bytes, CAP_REC_MIN);
    c->buf_bytes = bytes;
    return 0;
}

/* ---- the filter -------------------------------------------------------------- */

TRAWL_API int trawl_capture_set_filter(trawl_capture *c, const char *text,
                                       const struct trawl_expr_options *opt,
                                       char *errbuf, size_t errlen) {
    trawl_expr *e = NULL;
    if (text && *text) {
        int rc = trawl_expr_compile(&e, text, opt, errbuf, errlen);
        if (rc < 0)
            return rc;
    }
    pthread_mutex_lock(&c->lock);
    /* While running, a pcap-filter text must compile for every open
     * interface's link type, or nothing changes. */
    if (cap_running(c)) {
        for (size_t i = 0; i < c->nifaces; i++) {
            const struct cap_iface *ifc = c->ifaces[i];
            int rc = cap_live_check_filter(ifc->desc.linktype, ifc->dlt,
                                           ifc->desc.snaplen, e, errbuf,
                                           errlen);
            if (rc < 0) {
                pthread_mutex_unlock(&c->lock);
                core_err_prefix(errbuf, errlen, "%s", ifc->name);
                trawl_expr_free(e);
                return rc;
            }
        }
    }
    trawl_expr_free(c->pending.expr);
    c->pending.expr = e;
    c->pending.set = true;
    atomic_store(&c->filter_asked, true);
    pthread_mutex_unlock(&c->lock);
    cap_wake(c);
    return 0;
}

/* ---- state and counters -------------------------------------------------------- */

TRAWL_API void trawl_capture_stop(trawl_capture *c) {
    atomic_store(&c->stop_asked, true);
    cap_wake(c);
}

TRAWL_API int trawl_capture_fd(const trawl_capture *c) {
    return c->epfd;
}

TRAWL_API enum trawl_capture_state trawl_capture_state(const trawl_capture *c) {
    return (enum trawl_capture_state)atomic_load(&c->state);
}

TRAWL_API enum trawl_stop_reason
trawl_capture_stop_reason(const trawl_capture *c) {
    return (enum trawl_stop_reason)atomic_load(&c->reason);
}

TRAWL_API const char *trawl_stop_reason_name(enum trawl_stop_reason r) {
    static const char *const names[] = {
        [TRAWL_STOPPED_NONE] = "none",         [TRAWL_STOPPED_USER] = "user",
        [TRAWL_STOPPED_FULL] = "full",         [TRAWL_STOPPED_FILTER] = "filter",
        [TRAWL_STOPPED_FCSERR] = "fcserr",     [TRAWL_STOPPED_PLDERR] = "plderr",
        [TRAWL_STOPPED_PACKETS] = "packets",   [TRAWL_STOPPED_BYTES] = "bytes",
        [TRAWL_STOPPED_DURATION] = "duration", [TRAWL_STOPPED_ERROR] = "error",
    };
    return (unsigned)r < TRAWL_ARRAY_LEN(names) ? names[r] : "unknown";
}

TRAWL_API void trawl_capture_counters(const trawl_capture *c,
                                      struct trawl_counters *out) {
    memset(out, 0, sizeof *out);
    trawl_capture *mc = (trawl_capture *)c; /* the lock, not the capture */
    pthread_mutex_lock(&mc->lock);
    for (size_t i = 0; i < c->nifaces; i++)
        cap_counters_sum(&c->ifaces[i]->cnt, out);
    pthread_mutex_unlock(&mc->lock);
}

TRAWL_API void trawl_capture_iface_counters(const trawl_capture *c,
                                            uint32_t id,
                                            struct trawl_counters *out) {
    memset(out, 0, sizeof *out);
    trawl_capture *mc = (trawl_capture *)c;
    pthread_mutex_lock(&mc->lock);
    if (id < c->nifaces)
        cap_counters_sum(&c->ifaces[id]->cnt, out);
    pthread_mutex_unlock(&mc->lock);
}

/* ---- the capture buffer ---------------------------------------------------------- */

TRAWL_API void trawl_capture_buffer_stats(const trawl_capture *c,
                                          struct trawl_buffer_stats *out) {
    memset(out, 0, sizeof *out);
    out->packets = cap_get(&c->buf_packets);
    out->bytes = cap_get(&c->buf_held);
    out->discarded = cap_get(&c->buf_discarded);
    int64_t ns = atomic_load(&c->start_ns);
    out->start_sec = ns / 1000000000;
    out->start_nsec = (uint32_t)(ns % 1000000000);
    out->state = trawl_capture_state(c);
    out->reason = trawl_capture_stop_reason(c);
}

TRAWL_API int trawl_capture_buffer_get(trawl_capture *c, uint64_t i,
                                       struct trawl_pkt *pkt, char *errbuf,
                                       size_t errlen) {
    if (!cap_buf_get(&c->buf, i, pkt))
        return core_err(errbuf, errlen, TRAWL_ERANGE,
                        "capture buffer: packet %" PRIu64
                        " is past the last (%" PRIu64 " held)",
                        i, c->buf.count);
    return 0;
}

TRAWL_API int trawl_capture_buffer_write(trawl_capture *c, trawl_writer *w,
                                         char *errbuf, size_t errlen) {
    if (trawl_capture_state(c) == TRAWL_CAPTURE_OFF)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "capture buffer: the capture has not started, so its "
                        "interfaces are not known");
    uint32_t *ids = core_calloc(c->nifaces, sizeof *ids);
    if (!ids)
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "capture buffer: out of memory");
    int rc = 0;
    for (size_t i = 0; i < c->nifaces && rc == 0; i++)
        rc = trawl_writer_add_iface(w, &c->ifaces[i]->desc, &ids[i], errbuf,
                                    errlen);
    struct trawl_pkt pkt;
    for (uint64_t i = 0; rc == 0 && cap_buf_get(&c->buf, i, &pkt); i++) {
        pkt.iface = ids[pkt.iface];
        rc = trawl_writer_write(w, &pkt, errbuf, errlen);
    }
    free(ids);
    return rc;
}

/* ---- streams ------------------------------------------------------------------ */

TRAWL_API size_t trawl_capture_streams(const trawl_capture *c,
                                       struct trawl_stream_stats *out,
                                       size_t max) {
    trawl_capture *mc = (trawl_capture *)c;
    pthread_mutex_lock(&mc->slock);
    size_t n = cap_streams_get(&c->streams, out, max);
    pthread_mutex_unlock(&mc->slock);
    return n;
}
