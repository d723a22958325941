/* server/captures — starting and finishing capture sessions for the API,
 * the Allegro URL, favourites and the scheduler alike: what a request's
 * parameters mean (captures_spec), the checks and bookkeeping of a start
 * (captures_start), and the record a finished capture leaves
 * (captures_finish). */
#ifndef TRAWL_SERVER_CAPTURES_H
#define TRAWL_SERVER_CAPTURES_H

#include <jansson.h>

#include "server/server.h"
#include "server/session.h"

/* Reads capture parameters from `args` (the query of a request as an
 * object of strings, or a JSON body with numbers and booleans) into spec.
 * trawl's names and the Allegro capture URL's are both accepted:
 *   filter | expression, start_time_us | startTime, end_time_us | endTime,
 *   snaplen | snapPacketLength, single_interface | useSingleInterface,
 *   fromCaptureBuffer, captureToMedia (type "disk"), type, duration_s,
 *   max_packets, max_bytes, profile, format, compression, interface,
 *   directory, file_name, count, max_preview_bytes.
 * Unknown names are refused. Returns 0, or a negative code with the
 * message, and *status the HTTP status to answer (400, 501). */
int captures_spec(struct srv *srv, const json_t *args, enum session_type type,
                  struct session_spec *spec, int *status, char *err,
                  size_t errlen);
/* What captures_spec checks without the daemon: every parameter, and how
 * they go together; not the defaults from the settings nor the time
 * against the source's clock. *format_given tells whether a format was
 * asked for. The fuzz target tests/fuzz/fuzz_http.c calls it. */
int captures_parse(const json_t *args, enum session_type type,
                   struct session_spec *spec, bool *format_given, int *status,
                   char *err, size_t errlen);

/* Starts a capture: resolves its interface and profile, compiles it,
 * registers it with the hub and records it in the catalog (and its filter
 * among the user's recent ones). Takes ownership of spec. *out is a
 * reference for the caller, whose consumer must end with
 * captures_finish(). On failure *status is the HTTP status: 400 for an
 * invalid expression or parameter, 503 when too many captures run. */
int captures_start(struct srv *srv, struct session_spec *spec,
                   struct session **out, int *status, char *err, size_t errlen);

/* A consumer is done with s: its end is recorded in the catalog, it leaves
 * the registry, and the caller's reference is dropped. */
void captures_finish(struct srv *srv, struct session *s);

/* Saves the counters of every running capture in the catalog. */
void captures_checkpoint(struct srv *srv);

/* ---- consumers ------------------------------------------------------------ */

/* How a consumer declares an interface to what it writes: a writer
 * (captures_to_writer) or an output (captures_to_output). */
typedef int (*captures_add_fn)(void *dst, const struct trawl_iface *ifc,
                               uint32_t *id, char *err, size_t errlen);
int captures_to_writer(void *w, const struct trawl_iface *ifc, uint32_t *id,
                       char *err, size_t errlen);
int captures_to_output(void *o, const struct trawl_iface *ifc, uint32_t *id,
                       char *err, size_t errlen);

/* Declares to a new writer or output the interfaces its packets will
 * carry: one when the output holds a single interface (pcap, or
 * single_interface), else every interface the hub knows so far, in the
 * hub's order, so that their ids are hub ids. *ndeclared counts them. */
int captures_declare(struct srv *srv, struct session *s, captures_add_fn add,
                     void *dst, uint32_t *ndeclared, char *err, size_t errlen);

/* Gives pkt (from s's queue) its interface id there, declaring the
 * interfaces it did not know yet. */
int captures_map(struct srv *srv, struct session *s, captures_add_fn add,
                 void *dst, uint32_t *ndeclared, struct trawl_pkt *pkt,
                 char *err, size_t errlen);

/* Moves queued packets of s into the writer w while the records fit in
 * `budget` bytes (a packet's bytes and CAPTURES_RECORD_SLACK each; the
 * first goes in whatever its size) or the queue is empty. Returns how many
 * packets were written, or a negative code when the writer failed. A
 * packet the writer refuses (a time stamp its format cannot hold) counts
 * as dropped. */
#define CAPTURES_RECORD_SLACK 64u
int captures_drain(struct srv *srv, struct session *s, trawl_writer *w,
                   uint32_t *ndeclared, size_t budget, char *err,
                   size_t errlen);

/* Whether a write's result is the writer refusing one packet (it goes on)
 * rather than failing. */
static inline bool captures_refused(int rc) {
    return rc == TRAWL_EINVAL || rc == TRAWL_ERANGE ||
           rc == TRAWL_WRITER_DROPPED;
}

#endif
