/* trawl — the traffic generator.
 *
 * A trawl_gen sends test traffic on one interface through an AF_PACKET
 * socket that bypasses the queueing discipline, with a TX ring or
 * sendmmsg(2): Ethernet frames carrying IPv4 or IPv6 and UDP or TCP, with
 * valid checksums, of a fixed size, a random size in a range or the
 * classic IMIX, over one or many flows, paced by a token bucket in frames
 * or bits per second, optionally stamped with trawl's test payload
 * (include/trawl/tpld.h) so that a capture counts loss, reordering,
 * corruption and latency per stream. It is a library object first (the
 * capture server may drive several); `trawl gen` is its command.
 *
 *     trawl_gen *g;
 *     char err[TRAWL_ERRBUF_SIZE];
 *     if (trawl_gen_new(&g, err, sizeof err) < 0 ||
 *         trawl_gen_set_iface(g, "veth0", err, sizeof err) < 0 ||
 *         trawl_gen_set_rate(g, TRAWL_GEN_PPS, 1000, err, sizeof err) < 0 ||
 *         trawl_gen_set_limits(g, 10000, 0, err, sizeof err) < 0 ||
 *         trawl_gen_start(g, err, sizeof err) < 0)
 *         fprintf(stderr, "trawl: %s\n", err);
 *     int rc;
 *     while ((rc = trawl_gen_pump(g, 1000, err, sizeof err)) == 0)
 *         ...;      // a second has passed: show trawl_gen_counters()
 *     if (rc != TRAWL_ESTOPPED)
 *         fprintf(stderr, "trawl: %s\n", err);
 *     trawl_gen_close(g);
 *
 * Addresses. Unless told otherwise, frames go from the interface's own MAC
 * to 00:00:5e:00:53:01 and from 192.0.2.1 to 192.0.2.2 (2001:db8::1 to
 * 2001:db8::2 when either end is IPv6), UDP port 49152 to port 9
 * (discard): addresses reserved for documentation (RFC 7042, RFC 5737,
 * RFC 3849), which no host owns and no router forwards, so a generator
 * started on the wrong interface reaches nobody. The generator never
 * guesses a real destination: to reach a host, give its MAC and its IP.
 *
 * Sizes are frame lengths without the FCS, as a capture shows them: 60 is
 * the Ethernet minimum (64 bytes on the wire), 1514 the largest frame of a
 * 1500-byte MTU. Bit rates count those bytes too (no FCS, preamble or
 * inter-frame gap).
 *
 * Threads. One thread drives a generator (setters, start, pump, close).
 * trawl_gen_counters() and trawl_gen_stop() may be called from any thread
 * at any time, and trawl_gen_stop() from a signal handler.
 *
 * Parameters can be changed only while the generator is not running: on a
 * running one a setter changes nothing and returns TRAWL_EBUSY. Most
 * combinations are checked by trawl_gen_start(), which knows the
 * interface (its MTU, its link type) and every other parameter.
 */
#ifndef TRAWL_GEN_H
#define TRAWL_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/error.h"
#include "trawl/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_gen trawl_gen;

enum trawl_gen_rate_unit {
    TRAWL_GEN_PPS = 0, /* frames per second */
    TRAWL_GEN_BPS,     /* bits per second of frame bytes */
};

enum trawl_gen_proto {
    TRAWL_GEN_UDP = 0,
    TRAWL_GEN_TCP, /* PSH+ACK segments, sequence numbers advancing per flow */
};

enum trawl_gen_end {
    TRAWL_GEN_SRC = 0,
    TRAWL_GEN_DST,
};

/* What differs between the flows of trawl_gen_set_flows(). */
enum trawl_gen_vary {
    TRAWL_GEN_VARY_SPORT = 0, /* the source port: sport, sport+1, ... */
    TRAWL_GEN_VARY_SRC_ADDR,  /* the source address: its last byte (IPv4)
                                 or last 16 bits (IPv6) counts up */
};

/* How frames reach the kernel. AUTO is sendmmsg, measured faster on veth
 * pairs (bench/RESULTS.md), which copy the TX ring's pages once more. */
enum trawl_gen_tx {
    TRAWL_GEN_TX_AUTO = 0,
    TRAWL_GEN_TX_RING,     /* PACKET_TX_RING, TPACKET_V2 */
    TRAWL_GEN_TX_SENDMMSG, /* sendmmsg(2) of batches */
};

/* Counters of the current (or last) run. Rates are over the time from the
 * first frame to the last, so that N frames paced at R frames/s show R. */
struct trawl_gen_counters {
    uint64_t sent;   /* frames the kernel took */
    uint64_t bytes;  /* their bytes, without the FCS */
    uint64_t errors; /* frames the kernel refused; their sequence numbers
                        are not reused, so a capture sees them as lost */
    uint64_t interface_dropped; /* the interface's tx_dropped during the run */
    uint64_t elapsed_ns;        /* from the start to now, or to the end */
    double pps, bps;            /* achieved frames and bits per second */
    bool running;
};

/* Creates a generator with the defaults above; nothing is opened until
 * trawl_gen_start(). */
TRAWL_API int trawl_gen_new(trawl_gen **out, char *errbuf, size_t errlen);

/* The interface to send on (required). Fails when there is no such
 * interface. */
TRAWL_API int trawl_gen_set_iface(trawl_gen *g, const char *name,
                                  char *errbuf, size_t errlen);

/* Frames or bits per second; 0 = as fast as the kernel takes them (the
 * default). Fractions are allowed (0.5 frames/s: one every two seconds). */
TRAWL_API int trawl_gen_set_rate(trawl_gen *g, enum trawl_gen_rate_unit unit,
                                 double rate, char *errbuf, size_t errlen);

/* The run ends after `count` frames or `duration_ms`, whichever comes
 * first; 0 = no limit (the run then ends at trawl_gen_stop()). */
TRAWL_API int trawl_gen_set_limits(trawl_gen *g, uint64_t count,
                                   uint64_t duration_ms, char *errbuf,
                                   size_t errlen);

/* "N" (every frame N bytes), "MIN-MAX" (uniformly random, reproducible
 * from run to run) or "imix" (60, 566 and 1514 bytes — 64, 570 and 1518
 * with the FCS — in the proportions 7:4:1, in a fixed cycle of 12
 * frames). Default: the smallest frame that holds the headers and the
 * test payload, 60 bytes for IPv4 and UDP. Sizes below 60 are refused; trawl_gen_start()
 * also refuses sizes the headers (and the test payload) do not fit in or
 * the interface's MTU does not allow, except that IMIX's smallest frames
 * grow to the smallest size that holds the headers. */
TRAWL_API int trawl_gen_set_size(trawl_gen *g, const char *spec,
                                 char *errbuf, size_t errlen);

/* A MAC ("02:00:00:00:00:01"), an IPv4 or an IPv6 address for one end;
 * call twice to set both the MAC and the IP of an end. A source MAC must
 * not be a group address. */
TRAWL_API int trawl_gen_set_addr(trawl_gen *g, enum trawl_gen_end end,
                                 const char *addr, char *errbuf,
                                 size_t errlen);

TRAWL_API int trawl_gen_set_port(trawl_gen *g, enum trawl_gen_end end,
                                 uint16_t port, char *errbuf, size_t errlen);

TRAWL_API int trawl_gen_set_proto(trawl_gen *g, enum trawl_gen_proto proto,
                                  char *errbuf, size_t errlen);

/* Frames go round-robin over n flows (default 1), which differ by what
 * `vary` says. trawl_gen_start() refuses flows that would run past port
 * 65535 or out of the source address's last byte (IPv4) or 16 bits
 * (IPv6). */
TRAWL_API int trawl_gen_set_flows(trawl_gen *g, uint32_t n,
                                  enum trawl_gen_vary vary, char *errbuf,
                                  size_t errlen);

/* Ends every frame with the test payload (docs/test-payload.md): this
 * stream id, sequence numbers from 0 in each run, the transmit time from
 * CLOCK_REALTIME and the check from the start of the L4 payload. */
TRAWL_API int trawl_gen_set_tpld(trawl_gen *g, bool on, uint16_t stream,
                                 char *errbuf, size_t errlen);

/* Every `every`-th frame (counting from 1; 0 = none) gets one byte the
 * test payload's check covers flipped after stamping, so a capture sees a
 * payload error (plderr) there and nowhere else. The IP and L4 checksums
 * are computed after the flip and stay valid. Needs the test payload. */
TRAWL_API int trawl_gen_set_corrupt(trawl_gen *g, uint64_t every,
                                    char *errbuf, size_t errlen);

TRAWL_API int trawl_gen_set_tx(trawl_gen *g, enum trawl_gen_tx tx,
                               char *errbuf, size_t errlen);

/* Checks the parameters against each other and the interface, opens the
 * socket and starts a run (counters reset). Fails with what is wrong:
 * "tg0: no such interface", "size 1600: larger than tg0's MTU of 1500
 * allows (1514 bytes)", "src 192.0.2.1 and dst 2001:db8::2 are of
 * different address families", "tg0: sending needs CAP_NET_RAW (run as
 * root)". Nothing is sent before trawl_gen_pump(), and the run's clock
 * (pacing, duration, elapsed time) starts at the first pump. */
TRAWL_API int trawl_gen_start(trawl_gen *g, char *errbuf, size_t errlen);

/* One line saying what the started run sends: interface, addresses,
 * protocol, ports, sizes, rate and limits, with the defaults filled in.
 * Returns the length it wanted (as snprintf). */
TRAWL_API int trawl_gen_describe(const trawl_gen *g, char *buf, size_t len);

/* Sends for up to timeout_ms (-1 = until the run ends). Returns 0 when the
 * time is up and the run goes on, TRAWL_ESTOPPED once it has ended (count
 * or duration reached, or trawl_gen_stop()) and every frame has left, or
 * another negative code when sending failed for good (the interface went
 * away or down; the run is then over). Sleeps, not spins, between frames
 * at low rates. */
TRAWL_API int trawl_gen_pump(trawl_gen *g, int timeout_ms, char *errbuf,
                             size_t errlen);

/* Ends the run (any thread, async-signal-safe): the driving thread's
 * pump wakes, lets the frames already handed over leave and returns
 * TRAWL_ESTOPPED. */
TRAWL_API void trawl_gen_stop(trawl_gen *g);

TRAWL_API void trawl_gen_counters(const trawl_gen *g,
                                  struct trawl_gen_counters *out);

/* Ends a run still going, closes the socket and frees everything. */
TRAWL_API void trawl_gen_close(trawl_gen *g);

#ifdef __cplusplus
}
#endif
#endif
