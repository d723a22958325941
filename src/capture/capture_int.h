/* capture — internal contracts of live capture: the capture object
 * (capture.c), its run loop (run.c), the libpcap source (live.c), triggers
 * and keep rules (stage.c), the capture buffer (capbuf.c), FCS checks
 * (fcs.c), test-payload streams (streams.c) and interface listing
 * (iflist.c).
 *
 * The data path of one received packet, all on the driving thread:
 *
 *   libpcap ring ─► cap_iface (live.c) ─► cap_pkt: FCS, test payload
 *   ─► user-space filter (only when the kernel part is not exact)
 *   ─► stage: start trigger, keep rule, stop trigger (stage.c)
 *   ─► capture buffer (capbuf.c) ─► delivery (next / pump) or interval
 *      counts (statistics mode)
 *
 * Nothing on that path allocates or makes a system call beyond what
 * libpcap does; decoding (the view) happens only when an expression needs
 * it, and the test payload is looked for with a three-byte compare.
 */
#ifndef TRAWL_CAPTURE_INT_H
#define TRAWL_CAPTURE_INT_H

#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>

#include "core/core.h"
#include "trawl/flows.h"
#include "trawl/capture.h"
#include "trawl/decode.h"
#include "trawl/tpld.h"

/* ---- counters ------------------------------------------------------------
 * Each counter has one writer, the driving thread, and any number of
 * readers: the writer adds with a relaxed load and store (no locked
 * instruction on the hot path) and readers load relaxed. */
struct cap_counters {
    _Atomic uint64_t received, captured, ignored, dropped, kernel_dropped,
        interface_dropped, bytes, captured_bytes;
};

static inline void cap_add(_Atomic uint64_t *c, uint64_t n) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}
static inline void cap_set(_Atomic uint64_t *c, uint64_t v) {
    atomic_store_explicit(c, v, memory_order_relaxed);
}
static inline uint64_t cap_get(const _Atomic uint64_t *c) {
    return atomic_load_explicit(c, memory_order_relaxed);
}
void cap_counters_reset(struct cap_counters *k);
/* Adds k's values to out (for totals over interfaces). */
void cap_counters_sum(const struct cap_counters *k, struct trawl_counters *out);

/* ---- FCS (fcs.c) ----------------------------------------------------------- */

#define CAP_FCS_LEN 4u

/* The Ethernet FCS of frame[0, len): CRC-32, sent least significant byte
 * first. */
uint32_t cap_fcs(const uint8_t *frame, size_t len);
/* Whether frame[0, len), which ends in its FCS, carries the right one.
 * A frame too short to hold an FCS is bad. */
bool cap_fcs_ok(const uint8_t *frame, size_t len);

/* ---- one packet on its way through (run.c, stage.c) ---------------------- */

/* What the pipeline knows of a packet. The view is set and the test
 * payload looked for only when something asks (cap_pkt_view,
 * cap_pkt_tpld). */
struct cap_pkt {
    struct trawl_pkt pkt;
    trawl_view *view; /* borrowed from the capture */
    bool view_set;
    bool fcs_bad;     /* the frame ends in an FCS that is wrong */
    int tpld;         /* -1: not looked for yet; else enum trawl_tpld_status */
    struct trawl_tpld tp;
};

static inline void cap_pkt_init(struct cap_pkt *cp, trawl_view *view) {
    cp->view = view;
    cp->view_set = false;
    cp->fcs_bad = false;
    cp->tpld = -1;
}
trawl_view *cap_pkt_view(struct cap_pkt *cp);
/* The test payload of a frame captured whole (before its FCS, if any);
 * TRAWL_TPLD_NONE for a frame cut by the snap length. */
enum trawl_tpld_status cap_pkt_tpld(struct cap_pkt *cp);
/* Whether expression e matches (NULL matches everything). */
bool cap_pkt_match(struct cap_pkt *cp, trawl_expr *e);

/* ---- triggers and keep rules (stage.c) ----------------------------------- */

struct cap_stage {
    enum trawl_start_criterion start;
    enum trawl_stop_criterion stop;
    trawl_expr *start_e, *stop_e; /* owned */
    uint64_t max_packets, max_bytes, max_duration_ms;
    enum trawl_keep_kind keep;
    trawl_expr *keep_e; /* owned */
    int32_t keep_stream;
    uint32_t byte_count;
    /* Running state: the start criterion has been met. */
    bool started;
};

enum cap_verdict {
    CAP_WAIT, /* before the start criterion: ignored */
    CAP_SKIP, /* the keep rule leaves it out: ignored */
    CAP_KEEP,
};

void cap_stage_init(struct cap_stage *s);
void cap_stage_free(struct cap_stage *s);
/* Compile and copy; on failure s is unchanged. */
int cap_stage_set_trigger(struct cap_stage *s, const struct trawl_trigger *t,
                          char *errbuf, size_t errlen);
int cap_stage_set_keep(struct cap_stage *s, const struct trawl_keep *k,
                       char *errbuf, size_t errlen);
/* Whether the ring keeps the latest packets (an explicit stop criterion)
 * rather than the capture stopping when the buffer is full. */
static inline bool cap_stage_ring(const struct cap_stage *s) {
    return s->stop != TRAWL_STOP_FULL;
}
/* At start: waiting unless the start criterion is "at once". */
void cap_stage_reset(struct cap_stage *s);
/* Judges one packet that passed the filter. *stop becomes the reason to
 * stop after this packet (TRAWL_STOPPED_NONE if none). *started tells that
 * this packet met the start criterion. The packet that fires the start
 * trigger is judged by the keep rule like any other; the stop criterion
 * is looked at only from the packet after it, so that "start on fcserr,
 * stop on fcserr" captures from one bad frame to the next. */
enum cap_verdict cap_stage_judge(struct cap_stage *s, struct cap_pkt *cp,
                                 bool *started, enum trawl_stop_reason *stop);
/* Bytes of a packet kept under the keep rule's byte count. */
static inline uint32_t cap_stage_caplen(const struct cap_stage *s,
                                        uint32_t caplen) {
    return s->byte_count && s->byte_count < caplen ? s->byte_count : caplen;
}
/* The limit reached by `packets` captured holding `bytes` (captured
 * bytes), or TRAWL_STOPPED_NONE. */
enum trawl_stop_reason cap_stage_limits(const struct cap_stage *s,
                                        uint64_t packets, uint64_t bytes);

/* ---- the capture buffer (capbuf.c) --------------------------------------- */

/* Records are kept whole and contiguous in one block of memory of the
 * configured size: a 40-byte header (struct cap_rec) and the bytes, padded
 * to 8. An index of record offsets, in arrival order, gives packet i in
 * constant time. Both blocks are allocated at start and touched only as
 * records arrive, so an unused buffer costs address space, not memory. */
#define CAP_REC_HDR 40u
#define CAP_REC_MIN (CAP_REC_HDR + 8u)

struct cap_buf {
    uint8_t *data;
    uint64_t size;     /* bytes of data */
    uint64_t *idx;     /* ring of record offsets */
    uint64_t idx_size; /* entries */
    uint64_t head;     /* index slot of the earliest record */
    uint64_t count;    /* records held */
    uint64_t wpos;     /* where the next record goes */
    uint64_t held;     /* captured bytes held (sum of caplen) */
    uint64_t discarded;
    bool ring;         /* discard the earliest to make room */
};

/* Allocates a buffer of `bytes` (0 frees it). */
int cap_buf_alloc(struct cap_buf *b, uint64_t bytes, char *errbuf,
                  size_t errlen);
void cap_buf_free(struct cap_buf *b);
/* Empties the buffer and chooses its overflow semantics. */
void cap_buf_reset(struct cap_buf *b, bool ring);
/* Holds a copy of pkt (with `index` as its capture index). False when it
 * does not fit: the buffer is full (stop-when-full semantics) or the record
 * is larger than the whole buffer. */
bool cap_buf_add(struct cap_buf *b, const struct trawl_pkt *pkt);
/* Record i (0 = the earliest held); data points into the buffer. */
bool cap_buf_get(const struct cap_buf *b, uint64_t i, struct trawl_pkt *pkt);

/* ---- test-payload streams (streams.c) ------------------------------------ */

/* Sequence numbers are tracked in a window of this many behind the
 * highest seen, per stream: a frame later than that is counted as
 * reordered and never as a duplicate. */
#define CAP_STREAM_WINDOW 65536u
/* Streams tracked per capture; frames of further streams are not counted
 * (a bound on memory: a window costs 8 KiB). */
#define CAP_MAX_STREAMS 256u

struct cap_stream {
    struct trawl_stream_stats st; /* lost and latency_avg_ns filled on read */
    uint64_t lowest, highest;     /* extended (64-bit) sequence numbers */
    uint64_t unique;              /* distinct sequence numbers seen */
    uint64_t lat_sum, lat_n;
    uint64_t *bits;               /* CAP_STREAM_WINDOW bits */
};

struct cap_streams {
    uint16_t *slot; /* stream id -> 1 + index into s, 0 = not seen */
    struct cap_stream *s;
    size_t n;
    uint64_t untracked; /* frames of streams past CAP_MAX_STREAMS */
};

void cap_streams_init(struct cap_streams *ss);
void cap_streams_reset(struct cap_streams *ss);
void cap_streams_free(struct cap_streams *ss);
/* Counts one frame with a test payload (OK or BAD) received at rx_ns
 * (nanoseconds since the epoch) with wire length `len`. */
void cap_streams_add(struct cap_streams *ss, enum trawl_tpld_status st,
                     const struct trawl_tpld *tp, uint64_t rx_ns,
                     uint32_t len);
/* Fills up to max entries in stream order; returns the number of streams. */
size_t cap_streams_get(const struct cap_streams *ss,
                       struct trawl_stream_stats *out, size_t max);

/* ---- parameters ------------------------------------------------------------ */

struct cap_params {
    enum trawl_direction direction;
    bool promisc;
    uint32_t snaplen;    /* 0 = TRAWL_MAX_CAPLEN */
    uint32_t buffer_kib; /* 0 = CAP_DEFAULT_BUFFER_KIB */
    int timeout_ms;      /* 0 = CAP_DEFAULT_TIMEOUT_MS */
    bool immediate;
    bool nano;
    bool fcs;
    bool verify_checksums; /* TCP and UDP, for every expression */
    enum trawl_capture_mode mode;
    unsigned interval_ms;
};

#define CAP_DEFAULT_BUFFER_KIB (32u * 1024u)
#define CAP_DEFAULT_TIMEOUT_MS 100

/* ---- one interface: the libpcap source (live.c) -------------------------- */

struct cap_iface {
    uint32_t id;
    char *name;
    struct trawl_iface desc; /* what writers are told; strings owned here */
    char *filter_text;       /* desc.filter */
    pcap_t *p;               /* NULL while not running */
    int fd;                  /* pcap_get_selectable_fd */
    bool fcs;                /* frames end in their FCS (--fcs, or rx-fcs) */
    bool exact;              /* the kernel program is the whole filter */
    bool sll;                /* Linux cooked header: direction is in it */
    uint32_t dir_flags;      /* epb direction bits every packet gets */
    /* /sys/class/net/NAME/statistics/{rx_dropped,rx_missed_errors}. */
    int sys_fd[2];
    uint64_t sys_base;
    int dlt;                 /* libpcap's DLT_ of the handle */
    uint64_t delivered;      /* packets libpcap handed up since opening */
    /* The kernel's counts since opening (recv includes drop), and
     * libpcap's 32-bit totals they are taken from. */
    uint64_t recv, drop;
    unsigned ps_recv, ps_drop;
    struct cap_counters cnt;
    /* Statistics mode: captured in the current interval. */
    uint64_t iv_packets, iv_bytes;
    struct trawl_capture *c; /* back pointer for libpcap callbacks */
};

/* Opens and activates the interface's handle with the parameters, non-
 * blocking, and fills desc (link type, snap length, time resolution, FCS
 * length). On failure nothing stays open. */
int cap_live_open(struct cap_iface *ifc, const struct cap_params *prm,
                  char *errbuf, size_t errlen);
/* Compiles the kernel part of e (NULL: everything) on this handle and
 * installs it; sets ifc->exact. With `user_only` the kernel passes every
 * packet (the flows need them all: a segment in the middle of a record
 * says nothing a kernel filter could keep it for). A pcap-filter reading
 * that libpcap cannot compile for this link type is TRAWL_EEXPR; a trawl
 * expression whose superset libpcap refuses is judged in user space
 * alone. */
int cap_live_set_filter(struct cap_iface *ifc, trawl_expr *e, bool user_only,
                        char *errbuf, size_t errlen);
/* Checks, away from any handle, that a pcap-filter reading compiles for a
 * link type (so that a filter replaced while running is refused by the
 * caller's thread, before anything changes). */
int cap_live_check_filter(int linktype, int dlt, uint32_t snaplen,
                          trawl_expr *e, char *errbuf, size_t errlen);
/* Refreshes kernel_dropped and interface_dropped. */
void cap_live_stats(struct cap_iface *ifc);
/* Makes the kernel pass nothing more to the socket, leaving what is
 * already in the ring to be read, and returns how many packets the kernel
 * accepted that libpcap has not handed up yet (an upper bound). */
uint64_t cap_live_shut(struct cap_iface *ifc);
uint64_t cap_live_pending(struct cap_iface *ifc);
void cap_live_close(struct cap_iface *ifc);

/* ---- the capture ------------------------------------------------------------ */

struct cap_pending {
    trawl_expr *expr; /* NULL = everything */
    bool set;
};

struct trawl_capture {
    struct cap_params prm;
    struct cap_iface **ifaces;
    size_t nifaces, cap_ifaces;
    struct cap_stage stage;
    uint64_t buf_bytes; /* configured capture buffer size */

    /* The filter. `filter` is the one packets are judged by, owned by the
     * driving thread; a new one from any thread waits in `pending` (under
     * lock) until the driving thread installs it between two packets. */
    trawl_expr *filter;
    pthread_mutex_t lock; /* the interface array and the pending filter */
    struct cap_pending pending;
    atomic_bool filter_asked;

    /* State, readable from any thread. */
    _Atomic int state;  /* enum trawl_capture_state */
    _Atomic int reason; /* enum trawl_stop_reason */
    atomic_bool stop_asked;
    _Atomic int64_t start_ns; /* when capturing began, wall clock */

    /* Wake-ups: epfd holds every handle's descriptor, the eventfd (stop,
     * new filter) and the timerfd (intervals, duration, drain). */
    int epfd, evfd, tfd;

    /* Running, driving thread only. */
    trawl_view *view;
    /* Fed every packet handed up, in order, when an expression (filter,
     * trigger or keep rule) asks of RPC or its programs: they decode then
     * as trawl read decodes them (records reassembled, replies paired).
     * NULL otherwise. */
    trawl_flows *flows;
    bool want_flows;          /* trawl_capture_set_flows: even without one */
    uint64_t index;           /* captured so far: the next packet's index */
    uint64_t captured_bytes;  /* for the byte limit */
    bool halted;              /* a criterion fired: the rest is dropped */
    enum trawl_stop_reason halt_reason;
    bool draining;            /* stop asked: reading what the ring holds */
    enum trawl_stop_reason drain_reason;
    uint64_t drain_until_ms;
    uint64_t duration_end_ms; /* 0 = none */
    uint64_t stats_due_ms;    /* next kernel/interface drop refresh */
    uint64_t iv_end_ms;       /* statistics mode: end of this interval */
    int64_t iv_start_ns;      /* wall clock start of this interval */
    size_t rr;                /* next interface next() looks at */
    struct trawl_pkt cur;     /* what next() hands out */
    bool cur_viewed;          /* view is set to cur (trawl_capture_view) */
    /* pump(): the handlers and the events handled so far. */
    const struct trawl_capture_events *ev;
    void *ev_ctx;
    int events;

    /* The capture buffer and its statistics (readable from any thread). */
    struct cap_buf buf;
    _Atomic uint64_t buf_packets, buf_held, buf_discarded;
    /* Test-payload streams, updated under slock (held per batch). */
    pthread_mutex_t slock;
    struct cap_streams streams;
};

static inline bool cap_running(const trawl_capture *c) {
    int s = atomic_load(&c->state);
    return s == TRAWL_CAPTURE_WAITING || s == TRAWL_CAPTURE_CAPTURING;
}

/* epoll tags of the wake-up descriptors; interface i is CAP_EV_IFACE + i. */
enum { CAP_EV_WAKE = 0, CAP_EV_TIMER = 1, CAP_EV_IFACE = 2 };

/* Wakes the driving thread (async-signal-safe). */
void cap_wake(trawl_capture *c);
/* Ends a running capture at once with `reason`: closes every handle and
 * marks the capture stopped (run.c; used by close). */
void cap_halt_now(trawl_capture *c, enum trawl_stop_reason reason);

#endif
