/* server/session — one capture session: a download, a disk capture or a
 * preview.
 *
 * A session is what a user asked for (struct session_spec: filter, times,
 * limits, truncation, output), its compiled expressions, its counters, and
 * the bounded queue between the hub thread, which judges every packet for
 * it (session_offer), and its consumer, which sends or writes what was
 * kept. Counters are written by the hub only and read by anyone.
 *
 * A session ends once, for the first reason given (session_end); the hub
 * then offers it nothing more and the consumer drains its queue and
 * finishes. It is reference counted: the registry, the hub's snapshot and
 * the consumer each hold a reference. */
#ifndef TRAWL_SERVER_SESSION_H
#define TRAWL_SERVER_SESSION_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "server/queue.h"
#include "trawl/trawl.h"

enum session_type { SESSION_DOWNLOAD = 0, SESSION_DISK, SESSION_PREVIEW };

enum session_compression { COMPRESS_NONE = 0, COMPRESS_GZIP, COMPRESS_ZSTD };

/* Why a session ended; the names are what the API and the catalog show. */
#define SESSION_END_LIST(X)                                                    \
    X(SESSION_RUNNING, "running")                                              \
    X(SESSION_END_USER, "stopped by user")                                     \
    X(SESSION_END_CLIENT, "client disconnected")                               \
    X(SESSION_END_DURATION, "duration limit reached")                          \
    X(SESSION_END_BYTES, "byte limit reached")                                 \
    X(SESSION_END_PACKETS, "packet limit reached")                             \
    X(SESSION_END_TIME, "end time reached")                                    \
    X(SESSION_END_SOURCE, "end of the replayed trace")                         \
    X(SESSION_END_SHUTDOWN, "daemon shut down")                                \
    X(SESSION_END_ERROR, "error")                                              \
    X(SESSION_END_PREVIEW, "preview complete")

enum session_end {
#define SESSION_X_ENUM(name, text) name,
    SESSION_END_LIST(SESSION_X_ENUM)
#undef SESSION_X_ENUM
};

const char *session_end_text(enum session_end e);

/* At most this many truncation rules in a profile. */
#define SESSION_MAX_RULES 10

/* What a capture was asked to do. Strings are owned by the spec. */
struct session_spec {
    enum session_type type;
    char *filter;                                     /* "" = every packet */
    int64_t start_us, end_us;                         /* 0 = now / no end */
    uint64_t max_packets, max_bytes, max_duration_ms; /* 0 = none */
    uint32_t snaplen;                                 /* 0 = whole packets */
    char *profile;         /* truncation profile's name, or NULL */
    json_t *profile_rules; /* its rules [{expression, snaplen}], owned */
    enum trawl_format format;
    enum session_compression compression;
    char *iface;         /* only this interface (by name), or NULL */
    bool single_iface;   /* one interface in the output */
    char *directory;     /* disk: under the storage dir, "" = its top */
    char *name_template; /* disk: strftime template, or NULL = settings' */
    char *file_name;     /* download: the name offered to the browser */
    int64_t plan_id;     /* the plan that started it, or 0 */
    char *user, *client;
    uint64_t preview_packets, preview_bytes; /* preview limits */
};

void session_spec_free(struct session_spec *spec);

struct session_rule {
    trawl_expr *expr;
    uint32_t snaplen; /* 0 = whole packet */
};

struct session {
    _Atomic int refs;
    int64_t id;
    struct session_spec spec;
    const char *mode; /* the source's kind: "replay", "live" */
    trawl_expr *expr; /* NULL when the filter is empty */
    struct session_rule rules[SESSION_MAX_RULES];
    size_t nrules;
    int64_t iface_only;   /* hub interface id, or -1 for all */
    int linktype_only;    /* single-interface output: only this link type,
                             or -1 */
    uint32_t max_snaplen; /* the longest a packet can be kept (0 = whole) */

    int64_t created_us;  /* when it was asked for (wall clock) */
    uint64_t created_ms; /* the same, monotonic */
    /* Hub-owned: whether the start time has been reached, and when. */
    bool started;
    _Atomic uint64_t started_ms;
    _Atomic int64_t first_us, last_us; /* first and last packet kept */

    _Atomic uint64_t received, captured, ignored, dropped, bytes,
        captured_bytes;
    _Atomic uint64_t output_bytes; /* written by the consumer */
    /* Packets the consumer's writer refused (a time stamp its format
     * cannot hold): shown as dropped, not captured. */
    _Atomic uint64_t refused;

    _Atomic int end;      /* enum session_end; SESSION_RUNNING until it ends */
    char end_detail[256]; /* set before `end`, read after it */
    _Atomic int64_t end_us;
    _Atomic uint64_t end_ms;
    /* The hub has seen the end: it will queue nothing more, so what the
     * queue holds is all there is. */
    _Atomic bool hub_seen_end;

    struct queue q;
    pthread_mutex_t lock; /* the wait below, files, throughput */
    pthread_cond_t cond;
    _Atomic bool consumer_waiting;

    /* Throughput over the last sampling interval (session_json). */
    uint64_t tp_ms, tp_bytes;
    double tp_rate;
    json_t *files; /* disk: the files written, relative to the storage dir */
};

/* Compiles the filter and the profile's rules and allocates a queue of
 * queue_bytes. Takes ownership of spec's contents (also on failure). An
 * invalid expression returns TRAWL_EEXPR with the compiler's message,
 * prefixed by where it was ("profile 'x' rule 2: "). */
int session_new(struct session **out, struct session_spec *spec,
                size_t queue_bytes, char *err, size_t errlen);
void session_ref(struct session *s);
void session_unref(struct session *s);

/* Ends the session for `why` unless it has ended already; returns whether
 * this call ended it. detail (may be NULL) adds to the reason. */
bool session_end(struct session *s, enum session_end why, const char *detail);
static inline enum session_end session_ended(struct session *s) {
    return (enum session_end)atomic_load_explicit(&s->end,
                                                  memory_order_acquire);
}

/* ---- the hub's side ------------------------------------------------------ */

/* Judges one packet, already set in `view` (shared by every session, so
 * it is decoded once), and queues it when it is kept. A kept packet the
 * queue has no room for is dropped, unless `wait`: then nothing is
 * counted yet, the result is false, and *caplen is the length to queue it
 * with through session_retry(). */
bool session_offer(struct session *s, trawl_view *view,
                   const struct trawl_pkt *pkt, int64_t ts_us, bool wait,
                   uint32_t *caplen);
/* Queues a packet session_offer() found no room for. Returns true when it
 * is done with: queued, dropped because `give_up` and there is still no
 * room, or discarded because the session ended meanwhile. */
bool session_retry(struct session *s, const struct trawl_pkt *pkt,
                   uint32_t caplen, int64_t ts_us, bool give_up);
/* Time-based limits, checked by the hub even when no packet comes:
 * duration, and an end time the wall clock has passed by a second
 * (`wall_end`: the source's times are wall clock times). */
void session_tick(struct session *s, uint64_t now_ms, int64_t now_us,
                  bool wall_end);
/* Wakes a waiting consumer when there is enough to do or it ended. */
void session_notify(struct session *s, bool force);

/* ---- the consumer's side
 * ------------------------------------------------------ */

/* Whether the session ended and every packet it will ever queue is
 * queued (the hub has seen the end, or a second has passed since it, for
 * a hub that has stopped). */
bool session_drained(struct session *s, uint64_t now_ms);

/* Waits up to timeout_ms for packets or the end. */
void session_wait(struct session *s, int timeout_ms);
void session_add_output(struct session *s, uint64_t n);
void session_add_refused(struct session *s);

/* ---- views --------------------------------------------------------------- */

/* A consistent reading of the counters. */
struct session_counters {
    uint64_t received, captured, ignored, dropped, bytes, captured_bytes,
        output_bytes;
};
void session_counters(struct session *s, struct session_counters *out);
json_t *session_counters_json(const struct session_counters *k);
const char *session_type_name(enum session_type t);
const char *session_format_name(enum trawl_format f);
const char *session_compression_name(enum session_compression c);

/* The session as the API shows it: parameters, live counters, throughput. */
json_t *session_json(struct session *s, uint64_t now_ms);

#endif
