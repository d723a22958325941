/* Running a capture: start, the per-packet pipeline, pull (next) and
 * callback (pump) delivery, statistics intervals, and stopping.
 *
 * Everything here runs on the driving thread, inside its calls: the
 * library starts no thread of its own. A call first services what other
 * threads asked for (a new filter, a stop) and the deadlines (statistics
 * intervals, the duration limit, refreshing drop counts), then reads every
 * interface's ring without blocking, and waits on the capture's epoll
 * descriptor only when nothing is there.
 *
 * Stopping. A stop asked for (trawl_capture_stop, or the duration limit)
 * first makes the kernel pass nothing more to the sockets, then reads what
 * the rings still hold — with TPACKET_V3 a partly filled block reaches
 * user space only when the kernel retires it, after the timeout — until
 * the kernel's count of accepted packets is all handed up, or a deadline
 * passes. A stop criterion met by a packet (stop filter, FCS or payload
 * error, a limit, the buffer full) stops at that packet: packets read
 * after it are counted as dropped. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture_int.h"

/* Packets read from one interface before the others get their turn and
 * the loop looks at stops and filters again. */
#define CAP_BATCH 4096
/* Kernel and interface drop counts are refreshed this often. */
#define CAP_STATS_MS 500
/* The longest single wait, so that drop counts stay fresh when idle. */
#define CAP_WAIT_MAX_MS 500
/* How long a stop waits, beyond the kernel's block timeout, for the last
 * packets the kernel accepted. */
#define CAP_DRAIN_SLACK_MS 100

static int64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void publish_buffer(trawl_capture *c) {
    cap_set(&c->buf_packets, c->buf.count);
    cap_set(&c->buf_held, c->buf.held);
    cap_set(&c->buf_discarded, c->buf.discarded);
}

/* The timer fires at the earliest deadline: the end of a statistics
 * interval, the duration limit, the end of a drain. */
static void arm_timer(trawl_capture *c) {
    uint64_t at = 0;
    uint64_t cand[3] = {
        c->prm.mode == TRAWL_CAPTURE_STATISTICS ? c->iv_end_ms : 0,
        c->draining ? 0 : c->duration_end_ms,
        c->draining ? c->drain_until_ms : 0,
    };
    for (int i = 0; i < 3; i++)
        if (cand[i] && (!at || cand[i] < at))
            at = cand[i];
    struct itimerspec its = {0};
    if (at) {
        its.it_value.tv_sec = (time_t)(at / 1000);
        its.it_value.tv_nsec = (long)(at % 1000) * 1000000;
    }
    timerfd_settime(c->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* ---- statistics mode ---------------------------------------------------------- */

static void emit_interval(trawl_capture *c, int64_t end_ns) {
    struct trawl_capture_interval total = {
        .start_sec = c->iv_start_ns / 1000000000,
        .start_nsec = (uint32_t)(c->iv_start_ns % 1000000000),
        .end_sec = end_ns / 1000000000,
        .end_nsec = (uint32_t)(end_ns % 1000000000),
        .iface = UINT32_MAX,
    };
    const struct trawl_capture_events *ev = c->ev;
    for (size_t i = 0; i < c->nifaces; i++) {
        struct cap_iface *ifc = c->ifaces[i];
        struct trawl_capture_interval iv = total;
        iv.iface = ifc->id;
        iv.packets = ifc->iv_packets;
        iv.bytes = ifc->iv_bytes;
        total.packets += iv.packets;
        total.bytes += iv.bytes;
        ifc->iv_packets = ifc->iv_bytes = 0;
        if (ev && ev->on_statistics)
            ev->on_statistics(c->ev_ctx, &iv);
    }
    if (ev && ev->on_statistics)
        ev->on_statistics(c->ev_ctx, &total);
    c->events += (int)c->nifaces + 1;
    c->iv_start_ns = end_ns;
}

static void emit_due_intervals(trawl_capture *c, uint64_t now) {
    uint64_t step = c->prm.interval_ms;
    bool any = false;
    while (now >= c->iv_end_ms) {
        emit_interval(c, c->iv_start_ns + (int64_t)step * 1000000);
        c->iv_end_ms += step;
        any = true;
    }
    if (any)
        arm_timer(c);
}

/* ---- stopping ------------------------------------------------------------------- */

static void finish_stop(trawl_capture *c, enum trawl_stop_reason reason) {
    for (size_t i = 0; i < c->nifaces; i++) {
        struct cap_iface *ifc = c->ifaces[i];
        if (ifc->p)
            epoll_ctl(c->epfd, EPOLL_CTL_DEL, ifc->fd, NULL);
        cap_live_close(ifc);
    }
    c->draining = false;
    c->halted = false;
    c->duration_end_ms = 0;
    publish_buffer(c);
    /* The last, partial interval is reported when a pump sees the end. */
    if (c->prm.mode == TRAWL_CAPTURE_STATISTICS && c->ev)
        emit_interval(c, wall_ns());
    c->iv_end_ms = 0;
    arm_timer(c);
    atomic_store(&c->reason, reason);
    atomic_store(&c->state, TRAWL_CAPTURE_STOPPED);
}

void cap_halt_now(trawl_capture *c, enum trawl_stop_reason reason) {
    if (cap_running(c))
        finish_stop(c, reason);
}

static void begin_drain(trawl_capture *c, enum trawl_stop_reason reason,
                        uint64_t now) {
    c->draining = true;
    c->drain_reason = reason;
    int wait = c->prm.immediate ? 0
               : c->prm.timeout_ms ? c->prm.timeout_ms
                                   : CAP_DEFAULT_TIMEOUT_MS;
    c->drain_until_ms = now + (uint64_t)wait + CAP_DRAIN_SLACK_MS;
    for (size_t i = 0; i < c->nifaces; i++)
        cap_live_shut(c->ifaces[i]);
    arm_timer(c);
}

/* A criterion met by a packet: the rest of the batch is dropped and the
 * loop stops the capture before it reads again. */
static void halt(trawl_capture *c, enum trawl_stop_reason reason) {
    if (c->halted)
        return;
    c->halted = true;
    c->halt_reason = reason;
    for (size_t i = 0; i < c->nifaces; i++)
        if (c->ifaces[i]->p)
            pcap_breakloop(c->ifaces[i]->p);
}

static int stopped_error(const trawl_capture *c, char *errbuf, size_t errlen) {
    return core_err(errbuf, errlen, TRAWL_ESTOPPED, "capture stopped (%s)",
                    trawl_stop_reason_name(trawl_capture_stop_reason(c)));
}

/* ---- the filter ----------------------------------------------------------------- */

/* Creates the flows when an expression the capture judges by asks of RPC
 * (and frees them when none does any more). Returns 0 or TRAWL_ENOMEM. */
static int settle_flows(trawl_capture *c, char *errbuf, size_t errlen) {
    bool need = c->want_flows || trawl_flows_expr_matters(c->filter) ||
                trawl_flows_expr_matters(c->stage.start_e) ||
                trawl_flows_expr_matters(c->stage.stop_e) ||
                trawl_flows_expr_matters(c->stage.keep_e);
    if (!need) {
        trawl_flows_free(c->flows);
        c->flows = NULL;
        return 0;
    }
    return c->flows ? 0 : trawl_flows_new(&c->flows, NULL, errbuf, errlen);
}

/* Installs the filter another thread (or the caller before start) set:
 * the kernel part on every handle, then the user-space part, with no
 * packet read in between. */
static int adopt_filter(trawl_capture *c, char *errbuf, size_t errlen) {
    pthread_mutex_lock(&c->lock);
    atomic_store(&c->filter_asked, false);
    if (!c->pending.set) {
        pthread_mutex_unlock(&c->lock);
        return 0;
    }
    trawl_expr *e = c->pending.expr;
    c->pending.expr = NULL;
    c->pending.set = false;
    pthread_mutex_unlock(&c->lock);
    trawl_expr_free(c->filter);
    c->filter = e;
    int rc = settle_flows(c, errbuf, errlen);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < c->nifaces; i++) {
        struct cap_iface *ifc = c->ifaces[i];
        if (!ifc->p)
            continue;
        rc = cap_live_set_filter(ifc, e, c->flows != NULL, errbuf, errlen);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- the pipeline ---------------------------------------------------------------- */

static void begin_capturing(trawl_capture *c, int64_t at_ns) {
    atomic_store(&c->start_ns, at_ns);
    atomic_store(&c->state, TRAWL_CAPTURE_CAPTURING);
}

/* One packet libpcap handed up. Returns true when it is to be delivered
 * (it is then in c->cur). */
static bool handle_packet(trawl_capture *c, struct cap_iface *ifc,
                          const struct pcap_pkthdr *h, const u_char *bytes) {
    cap_add(&ifc->cnt.received, 1);
    if (c->halted) {
        cap_add(&ifc->cnt.dropped, 1);
        return false;
    }
    struct cap_pkt cp;
    cap_pkt_init(&cp, c->view);
    struct trawl_pkt *p = &cp.pkt;
    uint32_t frac = (uint32_t)h->ts.tv_usec;
    p->index = c->index;
    p->ts_sec = h->ts.tv_sec;
    p->ts_nsec = c->prm.nano ? frac % 1000000000u : frac % 1000000u * 1000u;
    p->caplen = h->caplen;
    p->len = h->len;
    p->linktype = ifc->desc.linktype;
    p->iface = ifc->id;
    p->flags = ifc->dir_flags;
    /* The Linux cooked header says which way the packet went. */
    if (ifc->sll && h->caplen >= 2)
        p->flags = core_be16(bytes) == 4 ? TRAWL_PKT_DIR_OUT : TRAWL_PKT_DIR_IN;
    p->fcs_len = 0;
    p->block = TRAWL_BLOCK_EPB;
    p->file_no = 0;
    p->offset = 0;
    p->data = bytes;
    p->comment = NULL;
    if (ifc->fcs && h->caplen == h->len) {
        p->fcs_len = CAP_FCS_LEN;
        if (!cap_fcs_ok(bytes, h->caplen)) {
            cp.fcs_bad = true;
            p->flags |= TRAWL_PKT_FLAG_CRC_ERROR;
        }
    }
    p->has_flags = p->flags != 0;
    if (c->flows) {
        /* Every packet, in order, whatever the expressions say of it: the
         * flows reassemble and pair across them. */
        trawl_flows_feed(c->flows, cap_pkt_view(&cp));
    }

    if (c->filter && !ifc->exact && !cap_pkt_match(&cp, c->filter)) {
        cap_add(&ifc->cnt.ignored, 1);
        return false;
    }
    bool started;
    enum trawl_stop_reason stop;
    enum cap_verdict v = cap_stage_judge(&c->stage, &cp, &started, &stop);
    if (started)
        begin_capturing(c, p->ts_sec * 1000000000 + p->ts_nsec);
    if (v == CAP_WAIT) {
        cap_add(&ifc->cnt.ignored, 1);
        return false;
    }
    enum trawl_tpld_status ts = cap_pkt_tpld(&cp);
    if (ts != TRAWL_TPLD_NONE) {
        pthread_mutex_lock(&c->slock);
        cap_streams_add(&c->streams, ts, &cp.tp,
                        (uint64_t)p->ts_sec * 1000000000u + p->ts_nsec, p->len);
        pthread_mutex_unlock(&c->slock);
    }
    if (v == CAP_SKIP) {
        cap_add(&ifc->cnt.ignored, 1);
        if (stop != TRAWL_STOPPED_NONE)
            halt(c, stop);
        return false;
    }
    uint32_t keep = cap_stage_caplen(&c->stage, p->caplen);
    if (keep < p->caplen) {
        p->caplen = keep;
        p->fcs_len = 0; /* cut off with the end of the frame */
    }
    if (c->buf.data) {
        if (!cap_buf_add(&c->buf, p)) {
            cap_add(&ifc->cnt.dropped, 1);
            /* Stop-when-full keeps the earliest; a ring refuses only a
             * packet larger than the whole buffer. */
            if (!c->buf.ring)
                halt(c, TRAWL_STOPPED_FULL);
            else if (stop != TRAWL_STOPPED_NONE)
                halt(c, stop);
            return false;
        }
        publish_buffer(c);
    }
    c->index++;
    c->captured_bytes += p->caplen;
    cap_add(&ifc->cnt.captured, 1);
    cap_add(&ifc->cnt.bytes, p->len);
    cap_add(&ifc->cnt.captured_bytes, p->caplen);
    ifc->iv_packets++;
    ifc->iv_bytes += p->len;
    if (stop == TRAWL_STOPPED_NONE)
        stop = cap_stage_limits(&c->stage, c->index, c->captured_bytes);
    if (stop != TRAWL_STOPPED_NONE)
        halt(c, stop);
    if (c->prm.mode != TRAWL_CAPTURE_PACKETS)
        return false;
    c->cur = *p;
    /* What trawl_capture_view() gives: already set when an expression or
     * the flows looked at it, else on demand. */
    c->cur_viewed = cp.view_set;
    return true;
}

TRAWL_API trawl_view *trawl_capture_view(trawl_capture *c) {
    if (!c->view || !c->index)
        return NULL;
    if (!c->cur_viewed) {
        trawl_view_set(c->view, &c->cur);
        c->cur_viewed = true;
    }
    return c->view;
}

static void on_pcap(u_char *user, const struct pcap_pkthdr *h,
                    const u_char *bytes) {
    struct cap_iface *ifc = (struct cap_iface *)(void *)user;
    trawl_capture *c = ifc->c;
    ifc->delivered++;
    if (!handle_packet(c, ifc, h, bytes))
        return;
    c->events++;
    if (c->ev && c->ev->on_packet)
        c->ev->on_packet(c->ev_ctx, &c->cur);
}

static int read_failed(trawl_capture *c, struct cap_iface *ifc, char *errbuf,
                       size_t errlen) {
    int rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: capture failed: %s",
                      ifc->name, pcap_geterr(ifc->p));
    finish_stop(c, TRAWL_STOPPED_ERROR);
    return rc;
}

/* ---- start ----------------------------------------------------------------------- */

static void close_all(trawl_capture *c) {
    for (size_t i = 0; i < c->nifaces; i++) {
        struct cap_iface *ifc = c->ifaces[i];
        if (ifc->p)
            epoll_ctl(c->epfd, EPOLL_CTL_DEL, ifc->fd, NULL);
        cap_live_close(ifc);
    }
}

static int set_filter_text(struct cap_iface *ifc, const trawl_expr *e) {
    free(ifc->filter_text);
    ifc->filter_text = NULL;
    ifc->desc.filter = NULL;
    if (!e)
        return 0;
    ifc->filter_text = core_strdup(trawl_expr_text(e));
    ifc->desc.filter = ifc->filter_text;
    return ifc->filter_text ? 0 : TRAWL_ENOMEM;
}

/* Opens every handle and installs the filter; on failure none stays open. */
static int open_all(trawl_capture *c, char *errbuf, size_t errlen) {
    int rc = adopt_filter(c, errbuf, errlen); /* no handle is open yet */
    if (rc == 0)
        rc = settle_flows(c, errbuf, errlen); /* triggers and keep rules */
    if (rc < 0)
        return rc;
    if (c->flows)
        trawl_flows_reset(c->flows); /* nothing of an earlier run */
    for (size_t i = 0; i < c->nifaces; i++) {
        struct cap_iface *ifc = c->ifaces[i];
        cap_counters_reset(&ifc->cnt);
        ifc->iv_packets = ifc->iv_bytes = 0;
        /* Handles are opened with the lock held so that a filter set from
         * another thread sees either none or all of the link types. */
        pthread_mutex_lock(&c->lock);
        rc = cap_live_open(ifc, &c->prm, errbuf, errlen);
        pthread_mutex_unlock(&c->lock);
        if (rc == 0)
            rc = cap_live_set_filter(ifc, c->filter, c->flows != NULL, errbuf,
                                     errlen);
        if (rc == 0 && set_filter_text(ifc, c->filter) < 0)
            rc = core_err(errbuf, errlen, TRAWL_ENOMEM, "%s: out of memory",
                          ifc->name);
        struct epoll_event ev = {.events = EPOLLIN,
                                 .data.u64 = CAP_EV_IFACE + i};
        if (rc == 0 && epoll_ctl(c->epfd, EPOLL_CTL_ADD, ifc->fd, &ev) < 0)
            rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: cannot poll: %s",
                          ifc->name, strerror(errno));
        if (rc < 0) {
            close_all(c);
            return rc;
        }
    }
    return 0;
}

TRAWL_API int trawl_capture_start(trawl_capture *c, char *errbuf,
                                  size_t errlen) {
    if (cap_running(c))
        return core_err(errbuf, errlen, TRAWL_EBUSY,
                        "capture: already running");
    if (c->nifaces == 0)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "capture: no interface to capture on");
    if (!c->view && !(c->view = trawl_view_new()))
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "capture: out of memory");
    trawl_view_verify_checksums(c->view, c->prm.verify_checksums);
    int rc = cap_buf_alloc(&c->buf, c->buf_bytes, errbuf, errlen);
    if (rc < 0)
        return rc;
    cap_buf_reset(&c->buf, cap_stage_ring(&c->stage));
    publish_buffer(c);
    pthread_mutex_lock(&c->slock);
    cap_streams_reset(&c->streams);
    pthread_mutex_unlock(&c->slock);
    cap_stage_reset(&c->stage);
    c->index = c->captured_bytes = 0;
    c->halted = c->draining = false;
    c->rr = 0;
    atomic_store(&c->stop_asked, false);
    atomic_store(&c->start_ns, 0);
    if ((rc = open_all(c, errbuf, errlen)) < 0)
        return rc;

    uint64_t now = core_now_ms();
    int64_t wall = wall_ns();
    c->duration_end_ms =
        c->stage.max_duration_ms ? now + c->stage.max_duration_ms : 0;
    c->stats_due_ms = now + CAP_STATS_MS;
    c->iv_end_ms = now + c->prm.interval_ms;
    c->iv_start_ns = wall;
    atomic_store(&c->reason, TRAWL_STOPPED_NONE);
    if (c->stage.started)
        begin_capturing(c, wall);
    else
        atomic_store(&c->state, TRAWL_CAPTURE_WAITING);
    arm_timer(c);
    return 0;
}

/* ---- the loop ------------------------------------------------------------------------ */

/* Takes in what other threads asked for and what time it is. */
static int service(trawl_capture *c, char *errbuf, size_t errlen) {
    if (atomic_load_explicit(&c->filter_asked, memory_order_acquire)) {
        int rc = adopt_filter(c, errbuf, errlen);
        if (rc < 0) {
            finish_stop(c, TRAWL_STOPPED_ERROR);
            return rc;
        }
    }
    uint64_t now = core_now_ms();
    if (!c->draining && atomic_load(&c->stop_asked))
        begin_drain(c, TRAWL_STOPPED_USER, now);
    if (!c->draining && c->duration_end_ms && now >= c->duration_end_ms)
        begin_drain(c, TRAWL_STOPPED_DURATION, now);
    if (now >= c->stats_due_ms) {
        for (size_t i = 0; i < c->nifaces; i++)
            cap_live_stats(c->ifaces[i]);
        c->stats_due_ms = now + CAP_STATS_MS;
    }
    if (c->prm.mode == TRAWL_CAPTURE_STATISTICS)
        emit_due_intervals(c, now);
    if (c->draining) {
        uint64_t pending = 0;
        for (size_t i = 0; i < c->nifaces; i++)
            pending += cap_live_pending(c->ifaces[i]);
        if (pending == 0 || now >= c->drain_until_ms)
            finish_stop(c, c->drain_reason);
    }
    return 0;
}

/* wait_events() result for a signal: below every -errno. */
enum { WAIT_INTR = -100000 };

/* Waits for a ring, a wake-up or the timer; clears the wake-up and timer
 * descriptors that fired. Returns the number of descriptors ready,
 * WAIT_INTR for a signal, or -errno. */
static int wait_events(trawl_capture *c, int ms) {
    struct epoll_event evs[16];
    int n = epoll_wait(c->epfd, evs, 16, ms);
    if (n < 0)
        return errno == EINTR ? WAIT_INTR : -errno;
    for (int i = 0; i < n; i++) {
        uint64_t v;
        ssize_t r = 0;
        if (evs[i].data.u64 == CAP_EV_WAKE)
            r = read(c->evfd, &v, sizeof v);
        else if (evs[i].data.u64 == CAP_EV_TIMER)
            r = read(c->tfd, &v, sizeof v);
        (void)r;
    }
    return n;
}

/* The wait before the deadline, in ms, capped; 0 when it has passed. */
static int wait_ms(uint64_t deadline) {
    uint64_t now = core_now_ms();
    if (now >= deadline)
        return 0;
    uint64_t left = deadline - now;
    return left > CAP_WAIT_MAX_MS ? CAP_WAIT_MAX_MS : (int)left;
}

static int check_running(const trawl_capture *c, char *errbuf,
                         size_t errlen) {
    switch (trawl_capture_state(c)) {
    case TRAWL_CAPTURE_OFF:
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "capture: not started");
    case TRAWL_CAPTURE_STOPPED: return stopped_error(c, errbuf, errlen);
    default: return 0;
    }
}

/* Reads interfaces in turn until one packet is to be delivered. */
static int next_pass(trawl_capture *c, bool *read_any, char *errbuf,
                     size_t errlen) {
    for (size_t k = 0; k < c->nifaces && !c->halted; k++) {
        size_t i = (c->rr + k) % c->nifaces;
        struct cap_iface *ifc = c->ifaces[i];
        for (int n = 0; ifc->p && n < CAP_BATCH && !c->halted; n++) {
            struct pcap_pkthdr *h;
            const u_char *bytes;
            int r = pcap_next_ex(ifc->p, &h, &bytes);
            if (r == 0)
                break;
            if (r < 0)
                return read_failed(c, ifc, errbuf, errlen);
            *read_any = true;
            ifc->delivered++;
            if (handle_packet(c, ifc, h, bytes)) {
                c->rr = i + 1;
                return 1;
            }
        }
    }
    return 0;
}

TRAWL_API int trawl_capture_next(trawl_capture *c, struct trawl_pkt *pkt,
                                 int timeout_ms, char *errbuf, size_t errlen) {
    int rc = check_running(c, errbuf, errlen);
    if (rc < 0)
        return rc;
    if (c->prm.mode != TRAWL_CAPTURE_PACKETS)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "capture: statistics mode counts packets instead of "
                        "delivering them (use trawl_capture_pump)");
    uint64_t deadline =
        timeout_ms < 0 ? UINT64_MAX : core_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        if (c->halted)
            finish_stop(c, c->halt_reason);
        else if ((rc = service(c, errbuf, errlen)) < 0)
            return rc;
        if (trawl_capture_state(c) == TRAWL_CAPTURE_STOPPED)
            return stopped_error(c, errbuf, errlen);
        bool any = false;
        rc = next_pass(c, &any, errbuf, errlen);
        if (rc > 0) {
            *pkt = c->cur;
            return 1;
        }
        if (rc < 0)
            return rc;
        if (c->halted)
            continue;
        int ms = wait_ms(deadline);
        if (ms == 0)
            return 0;
        if (any)
            continue;
        rc = wait_events(c, ms);
        if (rc == WAIT_INTR)
            return 0;
        if (rc < 0)
            return core_err(errbuf, errlen, TRAWL_EIO,
                            "capture: cannot wait for packets: %s",
                            strerror(-rc));
    }
}

/* Reads a batch from every interface through the callback. Returns the
 * number of packets read, or a negative code. */
static int pump_pass(trawl_capture *c, char *errbuf, size_t errlen) {
    int total = 0;
    for (size_t i = 0; i < c->nifaces && !c->halted; i++) {
        struct cap_iface *ifc = c->ifaces[i];
        if (!ifc->p)
            continue;
        int n = pcap_dispatch(ifc->p, CAP_BATCH, on_pcap, (u_char *)ifc);
        if (n == PCAP_ERROR_BREAK)
            continue;
        if (n < 0)
            return read_failed(c, ifc, errbuf, errlen);
        total += n;
    }
    return total;
}

TRAWL_API int trawl_capture_pump(trawl_capture *c,
                                 const struct trawl_capture_events *ev,
                                 void *ctx, int timeout_ms, char *errbuf,
                                 size_t errlen) {
    int rc = check_running(c, errbuf, errlen);
    if (rc < 0)
        return rc;
    c->ev = ev;
    c->ev_ctx = ctx;
    c->events = 0;
    uint64_t deadline =
        timeout_ms < 0 ? UINT64_MAX : core_now_ms() + (uint64_t)timeout_ms;
    rc = 0;
    for (;;) {
        if (c->halted)
            finish_stop(c, c->halt_reason);
        else if ((rc = service(c, errbuf, errlen)) < 0)
            break;
        if (trawl_capture_state(c) == TRAWL_CAPTURE_STOPPED)
            break;
        int n = pump_pass(c, errbuf, errlen);
        if (n < 0) {
            rc = n;
            break;
        }
        if (c->halted)
            continue;
        if (c->events > 0)
            break;
        int ms = wait_ms(deadline);
        if (ms == 0)
            break;
        if (n > 0)
            continue;
        int w = wait_events(c, ms);
        if (w == WAIT_INTR)
            break;
        if (w < 0) {
            rc = core_err(errbuf, errlen, TRAWL_EIO,
                          "capture: cannot wait for packets: %s",
                          strerror(-w));
            break;
        }
    }
    int events = c->events;
    c->ev = NULL;
    c->ev_ctx = NULL;
    if (rc < 0)
        return rc;
    if (events == 0 && trawl_capture_state(c) == TRAWL_CAPTURE_STOPPED)
        return stopped_error(c, errbuf, errlen);
    return events;
}
