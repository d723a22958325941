/* trawl — state across packets: RPC over TCP reassembled, replies paired
 * with their calls.
 *
 * A trawl_view decodes each packet on its own. Two things about RPC need
 * the packets before: a record (an NFS WRITE or READ of 64 KiB, say)
 * that spans several TCP segments can only be decoded from the segment
 * that completes it, and a reply says nothing of what it answers — only
 * its call does (program, version, procedure). A trawl_flows object is
 * fed every packet of a trace in order and remembers, per connection,
 * what it needs for both:
 *
 *     trawl_flows *fl;
 *     trawl_flows_new(&fl, NULL, err, sizeof err);
 *     while (trawl_reader_next(r, &pkt, err, sizeof err) > 0) {
 *         trawl_view_set(v, &pkt);
 *         trawl_flows_feed(fl, v);     // then ask v anything
 *         ...
 *     }
 *     trawl_flows_free(fl);
 *
 * After a feed, the view shows the RPC messages that completed in that
 * packet (reassembled ones included; segments that only carry part of a
 * record show TCP alone, as tshark shows them) and, for each reply whose
 * call was seen, the call's program, version and procedure (rpc.program,
 * rpc.procedure, rpc.reqframe, rpc.time) and the decoded results (NFS
 * replies need this to be decoded at all). A view that is never fed
 * decodes RPC from what each packet holds: UDP messages, TCP records that
 * start in the segment, replies without their results.
 *
 * Reassembly follows TCP sequence numbers: retransmitted and overlapping
 * bytes are taken once, segments out of order wait (a bounded number) for
 * the missing ones; bytes that never come — lost to the capture, which
 * shows as the receiver acknowledging them, or too many segments waiting
 * — are a gap: the record they belong to is dropped and the packet that
 * revealed it gets the anomaly rpc.gap. Where the next record starts is
 * then known from the record mark when the gap lies inside a record, and
 * otherwise found again at the start of a later segment whose bytes are a
 * record mark and an RPC header (a call of a known program, or a reply to
 * a call seen on that connection); nothing is guessed in between. A
 * record longer than `max_record` is skipped (rpc.record_too_long), its
 * end still known.
 *
 * Memory is bounded: `max_connections` connections (the least recently
 * used is forgotten first), `max_record` bytes per record, `max_bytes`
 * held in all (records being reassembled and segments waiting), and
 * `max_calls` calls remembered for pairing (the oldest forgotten first).
 * Nothing is allocated per packet except when a record spans segments or
 * a segment arrives out of order.
 *
 * Rewinding. The state after packet N depends on packets 0..N-1, in
 * order. A reader that goes back to packet K has two ways to see packet
 * K as it was first seen: trawl_flows_reset() and feed packets 0..K-1
 * again (cheap next to decoding them for output: a feed decodes only to
 * the transport header), or keep copies made with trawl_flows_copy() at
 * checkpoints and restore the last one before K, then feed from there.
 * Feeding packets again without either, after a rewind, takes their TCP
 * bytes for retransmissions (no record completes twice) and their calls
 * for retransmitted calls (pairing stays right).
 *
 * Two passes. A call is fed before its reply, so on the first pass it
 * cannot show where its reply is (rpc.reqframe, as tshark names the
 * reply's frame shown in a call; tshark too shows it only with -2). With
 * `max_replies` set, the flows remember the frame of every reply paired
 * (the first one, for a call answered twice) by its call's frame and xid,
 * up to that many; the memory survives trawl_flows_reset() and is not
 * copied by trawl_flows_copy(), so that a reader that resets and feeds the
 * packets again (trawl read -2, or the trace rewinding) sees rpc.reqframe
 * on every call whose reply was fed before. Frame numbers are the
 * packets' index + 1: feed the same packets with the same indexes.
 *
 * The flows also remember, for the last TCP handshakes they saw (a fixed
 * cache of 1,024 connections), which side is the server, so that every
 * packet of such a connection has tcp.serverport (the `serverport`
 * operand), and the RTP endpoints the SDP bodies of SIP messages
 * announced ("c=" address, "m=... RTP/..." port; the last 1,024), so that
 * the UDP datagrams to or from them with an RTP header are RTP whatever
 * their ports and payload type (the `rtpPayloadType` operand).
 *
 * A trawl_flows is used by one thread at a time. It does not keep the
 * views or the packets it is fed.
 */
#ifndef TRAWL_FLOWS_H
#define TRAWL_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "trawl/decode.h"
#include "trawl/error.h"
#include "trawl/expr.h"
#include "trawl/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_flows trawl_flows;

/* Limits; a zero field takes the default in brackets. */
struct trawl_flows_options {
    size_t max_connections; /* [4096] TCP connections and UDP peers */
    size_t max_record;      /* [4 MiB] an RPC record (1 MiB READ/WRITE fits) */
    size_t max_bytes;       /* [64 MiB] held in all */
    size_t max_calls;       /* [65536] calls remembered for their replies */
    /* [0: none] replies remembered for the second time their calls are
     * fed (see "Two passes" above); 16 bytes each at most 32. */
    size_t max_replies;
};

struct trawl_flows_stats {
    uint64_t packets;      /* fed */
    uint64_t messages;     /* RPC messages found (calls and replies) */
    uint64_t reassembled;  /* of them, records joined from several segments */
    uint64_t paired;       /* replies whose call was known */
    uint64_t unpaired;     /* replies whose call was not */
    uint64_t gaps;         /* holes in TCP streams (records lost) */
    uint64_t too_long;     /* records skipped for their length or memory */
    uint64_t retransmitted;/* TCP bytes seen a second time */
    uint64_t out_of_order; /* segments that arrived before earlier ones */
    size_t connections;    /* known now */
    size_t calls;          /* remembered now */
    size_t bytes_held;     /* held now */
};

/* Creates flows with the given limits (opt may be NULL). Returns 0, or
 * TRAWL_EINVAL for a limit out of range, TRAWL_ENOMEM. */
TRAWL_API int trawl_flows_new(trawl_flows **out,
                              const struct trawl_flows_options *opt,
                              char *errbuf, size_t errlen);

TRAWL_API void trawl_flows_free(trawl_flows *f);

/* Forgets every connection and call, as if nothing had been fed, except
 * the replies remembered for a second pass (max_replies): those stay, for
 * the same packets fed again. Feed another trace to new flows. */
TRAWL_API void trawl_flows_reset(trawl_flows *f);

/* Makes `dst` (created with the same options) a copy of `src`: feeding
 * both the same packets from now on gives the same views. Returns 0 or
 * TRAWL_ENOMEM (dst is then reset). */
TRAWL_API int trawl_flows_copy(trawl_flows *dst, const trawl_flows *src,
                               char *errbuf, size_t errlen);

/* Feeds the packet `v` is set to (trawl_view_set) and attaches what the
 * flows know of it to the view, which starts decoding the packet again
 * (what was asked of it before is found again). What the view shows of
 * RPC stays valid until the next feed, reset, copy into, or free of `f`,
 * or until the view is set to another packet. Returns the number of RPC
 * messages that completed in this packet. */
TRAWL_API size_t trawl_flows_feed(trawl_flows *f, trawl_view *v);

/* Feeds `pkt` from its bytes alone when it cannot show anything the
 * flows know: a TCP segment over IPv4 on Ethernet that carries bytes into
 * the middle of an RPC record being reassembled, or no bytes, and loses
 * none. Returns true when it did: the packet is then fed (feeding it
 * again is wrong) and a view of it shows the Ethernet, IPv4 and TCP
 * layers only, no RPC message, no anomaly of the flows. Returns false,
 * and changes nothing, for any other packet: feed that one with
 * trawl_flows_feed. A packet of a trace that is only matched against
 * expressions false on such views needs no decoding then (the trace API
 * does this). */
TRAWL_API bool trawl_flows_feed_bytes(trawl_flows *f,
                                      const struct trawl_pkt *pkt);

TRAWL_API void trawl_flows_stats(const trawl_flows *f,
                                 struct trawl_flows_stats *out);

/* Whether values of field f can depend on the flows: the fields of RPC
 * and its programs (PORTMAP, MOUNT, NFS, NLM), anomalies included, and
 * those that say where decoding stopped (data.*, frame.protocols: a
 * segment that is part of a record has no data). A reader that shows or
 * filters on no such field, and no such protocol (trawl_expr_uses_proto),
 * can leave the flows out: feeding costs about as much as decoding a
 * packet down to its transport header. */
TRAWL_API bool trawl_flows_field_matters(const trawl_field *f);

/* Whether expression e (NULL: none) can match differently with the flows:
 * it names a protocol of trawl_flows_protocols() or a field for which
 * trawl_flows_field_matters(). */
TRAWL_API bool trawl_flows_expr_matters(const trawl_expr *e);

/* The protocols whose decoding depends on the flows, NULL-terminated:
 * "rpc", "portmap", "mount", "nfs", "nlm", "rtp", "data". */
TRAWL_API const char *const *trawl_flows_protocols(void);

#ifdef __cplusplus
}
#endif
#endif
