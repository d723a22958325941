/* trawl — the trace API: NFStest pktt's Pktt in C.
 *
 * A trace is one file or a list of files read as one (pcap or pcapng, either
 * byte order, compressed or not), never loaded whole. Packets are numbered
 * from 0 in file order. The trace keeps an index (the reader's lazy offset
 * index) and a current position: trawl_trace_next() returns the packet at
 * the position and moves it on; trawl_trace_rewind() moves it back.
 *
 * Each packet comes decoded, with the trace's flows applied (TCP
 * reassembly, RPC call/reply pairing), so a reply knows its call and RPC
 * records that span segments decode whole. The flows are fed in order:
 * rewinding re-feeds them from the start (or from the nearest saved state),
 * so a packet decodes the same whichever way it was reached.
 *
 *     trawl_trace *t;
 *     if (trawl_trace_open(&t, paths, n, NULL, err, sizeof err) < 0) ...
 *     trawl_expr *e;  // trawl_expr_compile(&e, "NFS.argop == 42", ...)
 *     const struct trawl_trace_pkt *p;
 *     while (trawl_trace_match(t, e, NULL, &p, err, sizeof err) == 1)
 *         printf("%" PRIu64 "\n", p->index);
 *
 * Return values: 1 with a packet, 0 when there is none (end of trace, or
 * nothing matched), a negative trawl error code with errbuf filled.
 */
#ifndef TRAWL_TRACE_H
#define TRAWL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/decode.h"
#include "trawl/error.h"
#include "trawl/export.h"
#include "trawl/expr.h"
#include "trawl/packet.h"
#include "trawl/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_trace trawl_trace;

/* Called now and then during long scans (match, rewind, len): bytes of the
 * files read so far and their total (0 when unknown, as for stdin).
 * Returning false cancels the scan, which then fails with TRAWL_ECANCELED. */
typedef bool (*trawl_trace_progress_fn)(void *ctx, uint64_t done,
                                        uint64_t total);

struct trawl_trace_options {
    /* pktt's live mode: at the end of data wait for the file to grow, and
     * move on to the next file of a tcpdump -C/-G (or trawl) rotation.
     * With live set, next/match return 0 only after `live_timeout_ms`
     * with nothing new (0 = wait forever). */
    bool live;
    unsigned live_timeout_ms;
    /* Decode without flows (no reassembly, no pairing): faster when the
     * caller needs no RPC above TCP. */
    bool no_flows;
    /* The caller only moves forward (no rewind, no get of a packet before
     * the position): no checkpoints of the flows are kept (copies that
     * make going back cheap) and no replies are remembered for the calls
     * read again (rpc.reqframe). Going back still works, feeding the flows
     * again from the first packet. */
    bool forward_only;
    trawl_trace_progress_fn progress;
    void *progress_ctx;
    trawl_warn_fn warn;
    void *warn_ctx;
};

/* A packet of the trace. Valid until the next call on the trace that moves
 * the position (next, match, get, rewind) or until close. */
struct trawl_trace_pkt {
    uint64_t index;         /* 0-based number in the trace */
    struct trawl_pkt pkt;   /* bytes, lengths, time, interface, comment */
    trawl_view *view;       /* decoded, flows applied; owned by the trace */
};

TRAWL_API int trawl_trace_open(trawl_trace **out, const char *const *paths,
                               size_t npaths,
                               const struct trawl_trace_options *opt,
                               char *errbuf, size_t errlen);
TRAWL_API void trawl_trace_close(trawl_trace *t);

/* The packet at the current position; the position moves past it. */
TRAWL_API int trawl_trace_next(trawl_trace *t,
                               const struct trawl_trace_pkt **out,
                               char *errbuf, size_t errlen);

/* Packet `index` (pktt's pkt[N]); the position moves past it. 0 when the
 * trace has fewer packets. */
TRAWL_API int trawl_trace_get(trawl_trace *t, uint64_t index,
                              const struct trawl_trace_pkt **out,
                              char *errbuf, size_t errlen);

/* The index of the packet trawl_trace_next() returns next (pktt's
 * pkt.index after the last packet read). */
TRAWL_API uint64_t trawl_trace_index(const trawl_trace *t);

/* Moves the position to `index` (default use: 0). Fails with TRAWL_ERANGE
 * and a message naming the last index read when `index` is past the
 * packets read so far, as pktt's rewind() does. */
TRAWL_API int trawl_trace_rewind(trawl_trace *t, uint64_t index,
                                 char *errbuf, size_t errlen);

/* Number of packets, reading to the end if need be (position unchanged).
 * Fails in live mode, where the end is not known. */
TRAWL_API int trawl_trace_count(trawl_trace *t, uint64_t *count,
                                char *errbuf, size_t errlen);

struct trawl_trace_match_options {
    /* Stop the search before this index (pktt's maxindex); UINT64_MAX (or
     * no options) for no limit. */
    uint64_t max_index;
    /* When nothing matches, put the position back where the search
     * started (pktt's rewind=True, the default with no options); otherwise
     * leave it where the search stopped. */
    bool rewind_on_fail;
    /* pktt's reply=True: also match the replies of the RPC calls the
     * expression matched (paired by xid on their connection), whether or
     * not the reply itself matches. */
    bool reply;
};

/* The next packet from the position on that `e` matches; the position
 * moves past it. With a packet list set, searches only the listed
 * packets, in list order, from the list's position on. */
TRAWL_API int trawl_trace_match(trawl_trace *t, trawl_expr *e,
                                const struct trawl_trace_match_options *opt,
                                const struct trawl_trace_pkt **out,
                                char *errbuf, size_t errlen);

/* pktt's `expr in trace`: whether any packet from the position on matches;
 * the position does not move. Returns 1, 0 or an error. */
TRAWL_API int trawl_trace_contains(trawl_trace *t, trawl_expr *e,
                                   char *errbuf, size_t errlen);

/* pktt's set_pktlist(): restricts matching to these packet indexes (in
 * this order; copied), and starts at the first. NULL/0 clears the list and
 * matching goes back to the whole trace. */
TRAWL_API int trawl_trace_set_pktlist(trawl_trace *t, const uint64_t *indexes,
                                      size_t n, char *errbuf, size_t errlen);

/* The underlying reader (interfaces, section comment, format, stats). */
TRAWL_API trawl_reader *trawl_trace_reader(trawl_trace *t);

#ifdef __cplusplus
}
#endif

#endif
