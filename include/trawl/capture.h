/* trawl — live capture.
 *
 * A trawl_capture is one capture on one or more interfaces: its parameters
 * (direction, promiscuous mode, snap length, kernel buffer, timeouts, time
 * stamp precision, mode, triggers, keep rule, capture buffer), its filter,
 * its counters and, while it runs, its kernel sockets. It is a library
 * object first: the daemon runs many at once, and two captures in one
 * process share nothing.
 *
 *     trawl_capture *c;
 *     char err[TRAWL_ERRBUF_SIZE];
 *     if (trawl_capture_new(&c, err, sizeof err) < 0 ||
 *         trawl_capture_add_iface(c, "eth0", err, sizeof err) < 0 ||
 *         trawl_capture_set_filter(c, "tcp port 80", NULL, err, sizeof err) < 0 ||
 *         trawl_capture_start(c, err, sizeof err) < 0)
 *         fprintf(stderr, "trawl: %s\n", err);
 *     struct trawl_pkt pkt;
 *     while (trawl_capture_next(c, &pkt, 1000, err, sizeof err) >= 0)
 *         ...;          // 1 = a packet, 0 = nothing within the timeout
 *     trawl_capture_close(c);
 *
 * Threads. One thread drives a capture (start, next/pump, stop, the
 * setters, close). Any thread may at any time read its counters, state and
 * buffer statistics, replace its filter, and ask it to stop; those calls
 * are safe against the driving thread and wake it if it is waiting.
 *
 * Parameters. Every setter except trawl_capture_set_filter() works only
 * while the capture is not running; on a running capture it changes
 * nothing and returns TRAWL_EBUSY with a message naming the parameter:
 *   "snaplen: while capture is on the capture parameters cannot be changed"
 *
 * Counters use one vocabulary everywhere (CLI, API, UI): see
 * struct trawl_counters.
 */
#ifndef TRAWL_CAPTURE_H
#define TRAWL_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/error.h"
#include "trawl/export.h"
#include "trawl/expr.h"
#include "trawl/packet.h"
#include "trawl/reader.h"
#include "trawl/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_capture trawl_capture;

/* ---- interfaces ---------------------------------------------------------- */

#define TRAWL_IF_UP (1u << 0)
#define TRAWL_IF_RUNNING (1u << 1)
#define TRAWL_IF_LOOPBACK (1u << 2)
#define TRAWL_IF_WIRELESS (1u << 3)
#define TRAWL_IF_PROMISC (1u << 4)

struct trawl_ifaddr {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* 4 or 16 bytes used */
    uint8_t prefix;   /* netmask length */
};

/* One network interface as `trawl interfaces` shows it. Strings are
 * NUL-terminated and owned by the list. */
struct trawl_ifinfo {
    const char *name;
    const char *description; /* driver or libpcap description, or "" */
    unsigned index;          /* kernel ifindex */
    bool has_mac;
    uint8_t mac[6];
    unsigned iftype;    /* IANA ifType (6 ethernetCsmacd, 24 softwareLoopback, 71 ieee80211, ...) */
    int linktype;       /* LINKTYPE_* a capture on it delivers */
    unsigned mtu;
    int64_t speed_mbps; /* -1 when unknown */
    unsigned flags;     /* TRAWL_IF_* */
    const struct trawl_ifaddr *addrs;
    size_t naddrs;
    bool can_capture;   /* trawl could open a capture on it right now */
    const char *why_not; /* when !can_capture: "needs CAP_NET_RAW (run as root)", "interface is down", ... */
};

/* Lists every interface. *out is an array of *n entries owned by the
 * caller; free it with trawl_iflist_free(). */
TRAWL_API int trawl_iflist(struct trawl_ifinfo **out, size_t *n, char *errbuf,
                           size_t errlen);
TRAWL_API void trawl_iflist_free(struct trawl_ifinfo *list, size_t n);

/* ---- counters ------------------------------------------------------------ */

/* received: packets that reached trawl (the kernel filter let them through);
 *   packets the kernel filtered out are counted nowhere, as in tcpdump.
 * captured: packets delivered (to the caller, the capture buffer, a sink).
 * ignored: received but not captured because they did not match: the
 *   user-space part of the filter, the keep rule, or (before the start
 *   trigger fired) the start criterion.
 * dropped: received but lost because trawl could not keep up (a queue or
 *   the capture buffer was full under "stop when full" semantics, after the
 *   stop).
 * kernel_dropped: lost in the kernel before trawl saw them (the socket's
 *   ring was full: tp_drops).
 * interface_dropped: dropped by the interface or its driver while the
 *   capture ran (rx_dropped + rx_missed_errors deltas).
 * bytes: wire length of the captured packets.
 * captured_bytes: bytes of the captured packets as kept (after snap length
 *   and keep byte count).
 */
struct trawl_counters {
    uint64_t received, captured, ignored, dropped, kernel_dropped,
        interface_dropped, bytes, captured_bytes;
};

/* ---- parameters ---------------------------------------------------------- */

enum trawl_direction {
    TRAWL_DIRECTION_BOTH = 0, /* Polycube "bidirectional", tcpdump -Q inout */
    TRAWL_DIRECTION_IN,       /* "ingress", -Q in */
    TRAWL_DIRECTION_OUT,      /* "egress", -Q out */
};

enum trawl_capture_mode {
    TRAWL_CAPTURE_PACKETS = 0, /* per-packet delivery (IPMonitor omCapture) */
    TRAWL_CAPTURE_STATISTICS,  /* packets and bytes per interval (omStat) */
};

TRAWL_API int trawl_capture_new(trawl_capture **out, char *errbuf,
                                size_t errlen);

/* Adds an interface by name; ids (trawl_pkt.iface) follow the order of the
 * calls, from 0. "any" is Linux's all-interfaces pseudo device. */
TRAWL_API int trawl_capture_add_iface(trawl_capture *c, const char *name,
                                      char *errbuf, size_t errlen);
TRAWL_API size_t trawl_capture_iface_count(const trawl_capture *c);
/* Interface `id` as a writer wants it (name, description, link type, snap
 * length, time resolution, fcslen). Valid until close; the link type is
 * known once the capture has started. */
TRAWL_API const struct trawl_iface *trawl_capture_iface(const trawl_capture *c,
                                                        uint32_t id);

TRAWL_API int trawl_capture_set_direction(trawl_capture *c,
                                          enum trawl_direction d,
                                          char *errbuf, size_t errlen);
TRAWL_API int trawl_capture_set_promisc(trawl_capture *c, bool on,
                                        char *errbuf, size_t errlen);
/* 0 = the largest (TRAWL_MAX_CAPLEN). */
TRAWL_API int trawl_capture_set_snaplen(trawl_capture *c, uint32_t snaplen,
                                        char *errbuf, size_t errlen);
/* Kernel buffer per interface, KiB; 0 = trawl's default (32 MiB). */
TRAWL_API int trawl_capture_set_buffer_kib(trawl_capture *c, uint32_t kib,
                                           char *errbuf, size_t errlen);
/* How long the kernel may hold packets before handing them up (ms; 0 =
 * trawl's default, 100 ms), or immediate delivery of every packet
 * (timeout ignored). */
TRAWL_API int trawl_capture_set_timeout(trawl_capture *c, int timeout_ms,
                                        bool immediate, char *errbuf,
                                        size_t errlen);
TRAWL_API int trawl_capture_set_nanosecond(trawl_capture *c, bool on,
                                           char *errbuf, size_t errlen);
/* Frames end in their FCS (a NIC with rx-fcs on, or `--fcs`): trawl checks
 * the CRC and sets TRAWL_PKT_FLAG_CRC_ERROR on bad frames. */
TRAWL_API int trawl_capture_set_fcs(trawl_capture *c, bool frames_have_fcs,
                                    char *errbuf, size_t errlen);
/* Whether the expressions (the filter's user-space part, the start, stop
 * and keep filters) see TCP and UDP checksums verified, as
 * trawl_view_verify_checksums() does for a view: off by default, so that
 * tcp.checksum.status is Unverified, as in tshark; on, it is Good or Bad.
 * A filter that tests a checksum status is never run in the kernel. */
TRAWL_API int trawl_capture_set_verify_checksums(trawl_capture *c, bool on,
                                                 char *errbuf, size_t errlen);
/* Whether the capture feeds flows (trawl/flows.h) every packet handed up,
 * in order, even when no expression asks of RPC (one that does turns
 * them on by itself), so that trawl_capture_view() shows the packets it
 * delivers with RPC records reassembled and replies paired, as `trawl
 * read` shows them. Off by default. */
TRAWL_API int trawl_capture_set_flows(trawl_capture *c, bool on,
                                      char *errbuf, size_t errlen);
TRAWL_API int trawl_capture_set_mode(trawl_capture *c,
                                     enum trawl_capture_mode mode,
                                     unsigned interval_ms, char *errbuf,
                                     size_t errlen);

/* The filter: an expression in trawl's language (or pcap-filter when
 * opt->pcap_filter, tcpdump's `--bpf`). Its BPF-expressible part runs in
 * the kernel; the rest in user space. NULL or "" captures everything.
 * Allowed while running: the new filter is compiled first (a bad one
 * changes nothing and returns TRAWL_EEXPR with the compiler's message),
 * then installed atomically, so every packet is judged wholly by the old
 * filter or wholly by the new one. Called from another thread, it returns
 * once the new filter is compiled; the driving thread installs it before
 * it judges its next packet. */
TRAWL_API int trawl_capture_set_filter(trawl_capture *c, const char *text,
                                       const struct trawl_expr_options *opt,
                                       char *errbuf, size_t errlen);

/* ---- triggers, keep rule, capture buffer (Xena's port capturer) ---------- */

enum trawl_start_criterion {
    TRAWL_START_ON = 0,  /* at once */
    TRAWL_START_FILTER,  /* at the first packet matching the start filter */
    TRAWL_START_FCSERR,  /* at the first frame with a bad FCS */
    TRAWL_START_PLDERR,  /* at the first frame whose test payload is corrupt */
};

enum trawl_stop_criterion {
    TRAWL_STOP_FULL = 0, /* when the capture buffer is full (no explicit stop) */
    TRAWL_STOP_USERSTOP, /* only when asked */
    TRAWL_STOP_FILTER,   /* at the first packet matching the stop filter */
    TRAWL_STOP_FCSERR,
    TRAWL_STOP_PLDERR,
};

struct trawl_trigger {
    enum trawl_start_criterion start;
    const char *start_filter; /* expression, for TRAWL_START_FILTER */
    enum trawl_stop_criterion stop;
    const char *stop_filter;  /* expression, for TRAWL_STOP_FILTER */
    /* Limits, any of which also stops the capture; 0 = none. Packets and
     * bytes count what is captured (bytes as kept: captured_bytes); the
     * duration runs from trawl_capture_start(). */
    uint64_t max_packets, max_bytes;
    uint64_t max_duration_ms;
};

enum trawl_keep_kind {
    TRAWL_KEEP_ALL = 0,
    TRAWL_KEEP_FILTER, /* packets matching keep.filter */
    TRAWL_KEEP_NOTPLD, /* frames without a test payload */
    TRAWL_KEEP_TPLD,   /* frames with a test payload (of one stream when
                          stream >= 0) */
    TRAWL_KEEP_PLDERR, /* frames whose test payload is corrupt */
    TRAWL_KEEP_FCSERR, /* frames with a bad FCS */
};

struct trawl_keep {
    enum trawl_keep_kind kind;
    const char *filter; /* expression, for TRAWL_KEEP_FILTER */
    int32_t stream;     /* for TRAWL_KEEP_TPLD: stream id, or -1 for any */
    uint32_t byte_count; /* bytes kept of each frame; 0 = the whole frame */
};

/* Strings are compiled and copied; a bad expression returns TRAWL_EEXPR. */
TRAWL_API int trawl_capture_set_trigger(trawl_capture *c,
                                        const struct trawl_trigger *t,
                                        char *errbuf, size_t errlen);
TRAWL_API int trawl_capture_set_keep(trawl_capture *c,
                                     const struct trawl_keep *k,
                                     char *errbuf, size_t errlen);

/* An in-memory capture buffer of `bytes` (0 = none: packets are only
 * delivered). With a buffer, captured packets are also held in it, with
 * Xena's overflow semantics: under an explicit stop criterion (anything but
 * TRAWL_STOP_FULL) the latest packets are retained and the earliest
 * discarded (a ring); otherwise the capture stops when the buffer is full
 * and the earliest are retained. */
TRAWL_API int trawl_capture_set_buffer(trawl_capture *c, uint64_t bytes,
                                       char *errbuf, size_t errlen);

/* ---- running ------------------------------------------------------------- */

enum trawl_capture_state {
    TRAWL_CAPTURE_OFF = 0,     /* never started */
    TRAWL_CAPTURE_WAITING,     /* running, start criterion not met yet */
    TRAWL_CAPTURE_CAPTURING,   /* running and keeping packets */
    TRAWL_CAPTURE_STOPPED,     /* ended; see the stop reason */
};

enum trawl_stop_reason {
    TRAWL_STOPPED_NONE = 0,
    TRAWL_STOPPED_USER,     /* trawl_capture_stop() */
    TRAWL_STOPPED_FULL,     /* the capture buffer filled */
    TRAWL_STOPPED_FILTER,   /* the stop filter matched */
    TRAWL_STOPPED_FCSERR,
    TRAWL_STOPPED_PLDERR,
    TRAWL_STOPPED_PACKETS,  /* max_packets reached */
    TRAWL_STOPPED_BYTES,    /* max_bytes reached */
    TRAWL_STOPPED_DURATION, /* max_duration_ms passed */
    TRAWL_STOPPED_ERROR,    /* an interface failed (went away, ...) */
};

/* Opens the kernel sockets of every interface and starts capturing (or
 * waiting for the start criterion). Counters and the capture buffer are
 * reset. Fails with the interface and the cause ("eth9: no such device",
 * "eth0: you don't have permission to capture on that device"). */
TRAWL_API int trawl_capture_start(trawl_capture *c, char *errbuf,
                                  size_t errlen);

/* Pull delivery (packet mode). Waits up to timeout_ms (-1 = forever) and
 * returns 1 with a packet, 0 when nothing came in time (or the wait was
 * woken), TRAWL_ESTOPPED once the capture has stopped (by any criterion)
 * and every packet it received has been handed out, or another negative
 * code on failure (TRAWL_EINVAL in statistics mode, which delivers through
 * trawl_capture_pump() only). pkt->data stays valid until the next call on
 * the capture. */
TRAWL_API int trawl_capture_next(trawl_capture *c, struct trawl_pkt *pkt,
                                 int timeout_ms, char *errbuf, size_t errlen);

/* Callback delivery (IPMonitor's do_events): waits up to timeout_ms for
 * packets (or, in statistics mode, for the end of an interval) and calls
 * the handlers for what arrived. Returns the number of events handled, or
 * TRAWL_ESTOPPED / a negative code as trawl_capture_next(). */
struct trawl_capture_interval {
    int64_t start_sec, end_sec; /* the interval, wall clock */
    uint32_t start_nsec, end_nsec;
    uint32_t iface;             /* interface id, or UINT32_MAX for the total */
    uint64_t packets, bytes;    /* captured in the interval */
};
struct trawl_capture_events {
    /* pkt->data valid during the call only. */
    void (*on_packet)(void *ctx, const struct trawl_pkt *pkt);
    /* Statistics mode: once per interval per interface, then the total. */
    void (*on_statistics)(void *ctx, const struct trawl_capture_interval *iv);
};
/* The packet last delivered (during on_packet, or after trawl_capture_next
 * returned it, until the next call on the capture), decoded: with the
 * flows when the capture has them, its checksums verified as
 * trawl_capture_set_verify_checksums says. It shows the packet as
 * received, before a keep rule's byte count cut it. Owned by the capture;
 * NULL before the first packet is delivered. */
TRAWL_API trawl_view *trawl_capture_view(trawl_capture *c);

TRAWL_API int trawl_capture_pump(trawl_capture *c,
                                 const struct trawl_capture_events *ev,
                                 void *ctx, int timeout_ms, char *errbuf,
                                 size_t errlen);

/* A descriptor that becomes readable when trawl_capture_next() or _pump()
 * has something to do, for callers that poll many captures. */
TRAWL_API int trawl_capture_fd(const trawl_capture *c);

/* Asks the capture to stop (any thread; safe in a signal handler). The
 * driving thread's next call closes the sockets; packets already received
 * are still delivered. */
TRAWL_API void trawl_capture_stop(trawl_capture *c);

TRAWL_API enum trawl_capture_state trawl_capture_state(const trawl_capture *c);
TRAWL_API enum trawl_stop_reason trawl_capture_stop_reason(const trawl_capture *c);
TRAWL_API const char *trawl_stop_reason_name(enum trawl_stop_reason r);

/* Counters of the whole capture, or of interface `id` (any thread). */
TRAWL_API void trawl_capture_counters(const trawl_capture *c,
                                      struct trawl_counters *out);
TRAWL_API void trawl_capture_iface_counters(const trawl_capture *c,
                                            uint32_t id,
                                            struct trawl_counters *out);

/* ---- the capture buffer -------------------------------------------------- */

struct trawl_buffer_stats {
    uint64_t packets;          /* packets held now */
    uint64_t bytes;            /* bytes held now */
    uint64_t discarded;        /* earliest packets discarded by the ring */
    int64_t start_sec;         /* when capture turned on (wall clock) */
    uint32_t start_nsec;
    enum trawl_capture_state state;
    enum trawl_stop_reason reason;
};
TRAWL_API void trawl_capture_buffer_stats(const trawl_capture *c,
                                          struct trawl_buffer_stats *out);

/* Packet `i` (0 = the earliest held). pkt->data stays valid until the
 * next call on the capture that changes the buffer (start, or a packet
 * received while it runs); copy what must live longer. TRAWL_ERANGE past
 * the last. */
TRAWL_API int trawl_capture_buffer_get(trawl_capture *c, uint64_t i,
                                       struct trawl_pkt *pkt, char *errbuf,
                                       size_t errlen);

/* Writes every packet held to w (interfaces are added to it). */
TRAWL_API int trawl_capture_buffer_write(trawl_capture *c, trawl_writer *w,
                                         char *errbuf, size_t errlen);

/* ---- test payload streams ------------------------------------------------ */

/* Per-stream statistics of frames carrying trawl's test payload (see
 * docs/test-payload.md), as `trawl gen --tpld` sends them: every frame that
 * passed the filter once the capture started counts, whatever the keep
 * rule keeps; up to 256 streams are tracked. Any thread may read them. */
struct trawl_stream_stats {
    uint32_t stream;
    uint64_t packets, bytes;
    uint64_t lost;        /* sequence numbers never seen (so far) */
    uint64_t duplicates;
    uint64_t reordered;   /* arrived after a later sequence number */
    uint64_t payload_errors;
    int64_t latency_min_ns, latency_avg_ns, latency_max_ns; /* -1 unknown */
};
/* Fills up to `max` entries, in stream order; returns how many streams
 * there are. */
TRAWL_API size_t trawl_capture_streams(const trawl_capture *c,
                                       struct trawl_stream_stats *out,
                                       size_t max);

/* Stops if running, closes the sockets and frees everything. */
TRAWL_API void trawl_capture_close(trawl_capture *c);

#ifdef __cplusplus
}
#endif
#endif
