/* Capture sessions: compiling what was asked, judging packets for the hub,
 * the handshake between the hub and a session's consumer, and the JSON a
 * session shows while it runs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/session.h"
#include "server/util.h"

/* A waiting consumer is woken once this much is queued (or a quarter of
 * the queue, when smaller); otherwise it looks again every WAIT_MS, which
 * bounds the delay of a trickle of packets and saves a wake-up per packet
 * of a fast one. */
#define WAKE_BYTES (256u << 10)
#define WAIT_MS 50

static const char *const end_names[] = {
#define SESSION_X_NAME(name, text) text,
    SESSION_END_LIST(SESSION_X_NAME)
#undef SESSION_X_NAME
};

const char *session_end_text(enum session_end e) {
    return (unsigned)e < UTIL_ARRAY_LEN(end_names) ? end_names[e] : "?";
}

void session_spec_free(struct session_spec *spec) {
    free(spec->filter);
    free(spec->profile);
    json_decref(spec->profile_rules);
    free(spec->iface);
    free(spec->directory);
    free(spec->name_template);
    free(spec->file_name);
    free(spec->user);
    free(spec->client);
    memset(spec, 0, sizeof *spec);
}

static void session_free(struct session *s) {
    trawl_expr_free(s->expr);
    for (size_t i = 0; i < s->nrules; i++)
        trawl_expr_free(s->rules[i].expr);
    queue_free(&s->q);
    json_decref(s->files);
    session_spec_free(&s->spec);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    free(s);
}

/* The profile's rules, each compiled on its own: the first that matches a
 * packet gives its snap length. */
static int compile_rules(struct session *s, char *err, size_t errlen) {
    json_t *rules = s->spec.profile_rules;
    if (!rules)
        return 0;
    size_t i;
    json_t *rule;
    json_array_foreach(rules, i, rule) {
        if (i >= SESSION_MAX_RULES)
            return util_err(err, errlen, TRAWL_EINVAL,
                            "profile '%s' has more than %d rules",
                            s->spec.profile, SESSION_MAX_RULES);
        const char *text =
            json_string_value(json_object_get(rule, "expression"));
        char msg[TRAWL_ERRBUF_SIZE];
        int rc = trawl_expr_compile(&s->rules[i].expr, text ? text : "", NULL,
                                    msg, sizeof msg);
        if (rc < 0)
            return util_err(err, errlen, rc, "profile '%s' rule %zu: %s",
                            s->spec.profile, i + 1, msg);
        s->rules[i].snaplen =
            (uint32_t)json_integer_value(json_object_get(rule, "snaplen"));
        s->nrules = i + 1;
    }
    return 0;
}

int session_new(struct session **out, struct session_spec *spec,
                size_t queue_bytes, char *err, size_t errlen) {
    *out = NULL;
    struct session *s = calloc(1, sizeof *s);
    if (!s) {
        session_spec_free(spec);
        return util_err(err, errlen, TRAWL_ENOMEM, "capture: out of memory");
    }
    s->spec = *spec;
    memset(spec, 0, sizeof *spec);
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    s->iface_only = -1;
    s->linktype_only = -1;
    s->created_us = util_now_us();
    s->created_ms = util_mono_ms();
    s->max_snaplen = s->spec.profile_rules ? 0 : s->spec.snaplen;
    /* Without a start time the capture runs from now, packets or not (its
     * duration counts from now); with one it waits for the first packet
     * at or after it. */
    if (!s->spec.start_us) {
        s->started = true;
        atomic_store(&s->started_ms, s->created_ms);
    }
    int rc = 0;
    if (s->spec.filter && s->spec.filter[0])
        rc = trawl_expr_compile(&s->expr, s->spec.filter, NULL, err, errlen);
    if (rc == 0)
        rc = compile_rules(s, err, errlen);
    if (rc == 0 && queue_init(&s->q, queue_bytes) < 0)
        rc = util_err(err, errlen, TRAWL_ENOMEM,
                      "capture: cannot allocate a queue of %zu bytes",
                      queue_bytes);
    if (rc < 0) {
        session_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void session_ref(struct session *s) {
    atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

void session_unref(struct session *s) {
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        session_free(s);
}

bool session_end(struct session *s, enum session_end why, const char *detail) {
    /* The detail is written under the lock before the reason is
     * published, so whoever reads the reason sees its detail. */
    pthread_mutex_lock(&s->lock);
    bool first =
        atomic_load_explicit(&s->end, memory_order_relaxed) == SESSION_RUNNING;
    if (first) {
        if (detail)
            snprintf(s->end_detail, sizeof s->end_detail, "%s", detail);
        atomic_store_explicit(&s->end_us, util_now_us(), memory_order_relaxed);
        atomic_store_explicit(&s->end_ms, util_mono_ms(), memory_order_relaxed);
        atomic_store_explicit(&s->end, why, memory_order_release);
        pthread_cond_broadcast(&s->cond);
    }
    pthread_mutex_unlock(&s->lock);
    return first;
}

/* Counters have one writer, so an increment is a plain load and store
 * (no locked instruction on the hot path); the atomics keep readers on
 * other threads well defined. */
static inline void bump(_Atomic uint64_t *c, uint64_t n) {
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static inline uint64_t get(_Atomic uint64_t *c) {
    return atomic_load_explicit(c, memory_order_relaxed);
}

static uint32_t snap_for(struct session *s, trawl_view *view) {
    for (size_t i = 0; i < s->nrules; i++)
        if (trawl_expr_match(s->rules[i].expr, view))
            return s->rules[i].snaplen;
    return s->nrules ? 0 : s->spec.snaplen;
}

/* A kept packet into the queue, counted as captured; the limits it
 * reaches end the session. */
static void push(struct session *s, const struct trawl_pkt *pkt,
                 uint32_t caplen, int64_t ts_us) {
    bump(&s->captured, 1);
    bump(&s->bytes, pkt->len);
    bump(&s->captured_bytes, caplen);
    if (!atomic_load_explicit(&s->first_us, memory_order_relaxed))
        atomic_store_explicit(&s->first_us, ts_us, memory_order_relaxed);
    atomic_store_explicit(&s->last_us, ts_us, memory_order_relaxed);
    if (s->spec.max_packets && get(&s->captured) >= s->spec.max_packets) {
        session_end(s, SESSION_END_PACKETS, NULL);
        session_notify(s, true);
        return;
    }
    session_notify(s, false);
}

bool session_offer(struct session *s, trawl_view *view,
                   const struct trawl_pkt *pkt, int64_t ts_us, bool wait,
                   uint32_t *caplen_out) {
    bump(&s->received, 1);
    if ((s->iface_only >= 0 && pkt->iface != (uint64_t)s->iface_only) ||
        (s->linktype_only >= 0 && pkt->linktype != s->linktype_only)) {
        bump(&s->ignored, 1);
        return true;
    }
    if (!s->started) {
        /* A start time in the future: the first packet at or after it
         * starts the capture. */
        if (ts_us < s->spec.start_us) {
            bump(&s->ignored, 1);
            return true;
        }
        s->started = true;
        atomic_store_explicit(&s->started_ms, util_mono_ms(),
                              memory_order_relaxed);
    }
    if (s->spec.end_us && ts_us >= s->spec.end_us) {
        session_end(s, SESSION_END_TIME, NULL);
        session_notify(s, true);
        return true;
    }
    if (s->expr && !trawl_expr_match(s->expr, view)) {
        bump(&s->ignored, 1);
        return true;
    }
    uint32_t caplen = pkt->caplen, snap = snap_for(s, view);
    if (snap && caplen > snap)
        caplen = snap;
    if (s->spec.max_bytes &&
        get(&s->captured_bytes) + caplen > s->spec.max_bytes) {
        session_end(s, SESSION_END_BYTES, NULL);
        session_notify(s, true);
        return true;
    }
    if (queue_push(&s->q, pkt, caplen)) {
        push(s, pkt, caplen, ts_us);
        return true;
    }
    session_notify(s, true);
    if (wait) {
        *caplen_out = caplen;
        return false;
    }
    bump(&s->dropped, 1);
    return true;
}

bool session_retry(struct session *s, const struct trawl_pkt *pkt,
                   uint32_t caplen, int64_t ts_us, bool give_up) {
    if (session_ended(s) != SESSION_RUNNING)
        return true;
    if (queue_push(&s->q, pkt, caplen)) {
        push(s, pkt, caplen, ts_us);
        return true;
    }
    if (give_up) {
        bump(&s->dropped, 1);
        return true;
    }
    session_notify(s, true);
    return false;
}

void session_tick(struct session *s, uint64_t now_ms, int64_t now_us,
                  bool wall_end) {
    uint64_t started =
        atomic_load_explicit(&s->started_ms, memory_order_relaxed);
    if (s->spec.max_duration_ms && started &&
        now_ms - started >= s->spec.max_duration_ms)
        session_end(s, SESSION_END_DURATION, NULL);
    /* The end is the first packet at or after the end time; on a quiet
     * link none may come, so a second past it the wall clock ends it. */
    if (wall_end && s->spec.end_us && now_us >= s->spec.end_us + 1000000)
        session_end(s, SESSION_END_TIME, NULL);
    pthread_mutex_lock(&s->lock);
    if (now_ms - s->tp_ms >= 1000) {
        uint64_t out = get(&s->output_bytes);
        if (s->tp_ms)
            s->tp_rate = (double)(out - s->tp_bytes) * 1000.0 /
                         (double)(now_ms - s->tp_ms);
        s->tp_ms = now_ms;
        s->tp_bytes = out;
    }
    pthread_mutex_unlock(&s->lock);
    if (session_ended(s))
        session_notify(s, true);
}

void session_notify(struct session *s, bool force) {
    /* Sequentially consistent on both sides: either the consumer sees the
     * packet just queued, or this sees it waiting (session_wait). */
    if (!atomic_load(&s->consumer_waiting))
        return;
    size_t wake = s->q.cap / 4 < WAKE_BYTES ? s->q.cap / 4 : WAKE_BYTES;
    if (!force && queue_used(&s->q) < wake)
        return;
    pthread_mutex_lock(&s->lock);
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

void session_wait(struct session *s, int timeout_ms) {
    if (timeout_ms > WAIT_MS)
        timeout_ms = WAIT_MS;
    size_t wake = s->q.cap / 4 < WAKE_BYTES ? s->q.cap / 4 : WAKE_BYTES;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->consumer_waiting, true);
    if (queue_used(&s->q) < wake && session_ended(s) == SESSION_RUNNING) {
        struct timespec ts;
        util_deadline(&ts, timeout_ms);
        pthread_cond_timedwait(&s->cond, &s->lock, &ts);
    }
    atomic_store(&s->consumer_waiting, false);
    pthread_mutex_unlock(&s->lock);
}

bool session_drained(struct session *s, uint64_t now_ms) {
    if (session_ended(s) == SESSION_RUNNING)
        return false;
    return atomic_load(&s->hub_seen_end) ||
           now_ms - atomic_load(&s->end_ms) >= 1000;
}

void session_add_output(struct session *s, uint64_t n) {
    bump(&s->output_bytes, n);
}

void session_add_refused(struct session *s) {
    bump(&s->refused, 1);
}

/* ---- JSON ---------------------------------------------------------------- */

void session_counters(struct session *s, struct session_counters *out) {
    uint64_t refused = get(&s->refused), captured = get(&s->captured);
    out->received = get(&s->received);
    out->captured = captured > refused ? captured - refused : 0;
    out->ignored = get(&s->ignored);
    out->dropped = get(&s->dropped) + refused;
    out->bytes = get(&s->bytes);
    out->captured_bytes = get(&s->captured_bytes);
    out->output_bytes = get(&s->output_bytes);
}

json_t *session_counters_json(const struct session_counters *k) {
    return json_pack("{sIsIsIsIsIsIsI}", "received", (json_int_t)k->received,
                     "captured", (json_int_t)k->captured, "dropped",
                     (json_int_t)k->dropped, "ignored", (json_int_t)k->ignored,
                     "bytes", (json_int_t)k->bytes, "captured_bytes",
                     (json_int_t)k->captured_bytes, "output_bytes",
                     (json_int_t)k->output_bytes);
}

static const char *const type_names[] = {"download", "disk", "preview"};
static const char *const compression_names[] = {"none", "gzip", "zstd"};

const char *session_type_name(enum session_type t) {
    return (unsigned)t < UTIL_ARRAY_LEN(type_names) ? type_names[t] : "?";
}

const char *session_compression_name(enum session_compression c) {
    return (unsigned)c < UTIL_ARRAY_LEN(compression_names)
               ? compression_names[c]
               : "?";
}

const char *session_format_name(enum trawl_format f) {
    switch (f) {
    case TRAWL_FORMAT_PCAP: return "pcap";
    case TRAWL_FORMAT_PCAP_NS: return "pcap-ns";
    case TRAWL_FORMAT_PCAPNG: return "pcapng";
    }
    return "?";
}

static void set_time(json_t *o, const char *key, int64_t us) {
    char name[64], iso[48];
    snprintf(name, sizeof name, "%s_us", key);
    json_object_set_new(o, name, us ? json_integer(us) : json_null());
    if (us) {
        util_iso_time(us, iso, sizeof iso);
        json_object_set_new(o, key, json_string(iso));
    } else {
        json_object_set_new(o, key, json_null());
    }
}

static json_t *str_or_null(const char *s) {
    return s ? json_string(s) : json_null();
}

json_t *session_json(struct session *s, uint64_t now_ms) {
    const struct session_spec *p = &s->spec;
    enum session_end end = session_ended(s);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(s->id));
    json_object_set_new(o, "type", json_string(session_type_name(p->type)));
    json_object_set_new(o, "mode", json_string(s->mode ? s->mode : "?"));
    json_object_set_new(o, "user", str_or_null(p->user));
    json_object_set_new(o, "client", str_or_null(p->client));
    json_object_set_new(o, "filter", json_string(p->filter ? p->filter : ""));
    const char *state = end != SESSION_RUNNING ? "finishing"
                        : s->started           ? "capturing"
                                               : "waiting";
    json_object_set_new(o, "state", json_string(state));
    set_time(o, "created", s->created_us);
    set_time(o, "start_time", p->start_us);
    set_time(o, "end_time", p->end_us);
    set_time(o, "first_packet",
             atomic_load_explicit(&s->first_us, memory_order_relaxed));
    set_time(o, "last_packet",
             atomic_load_explicit(&s->last_us, memory_order_relaxed));
    json_t *lim = json_object();
    json_object_set_new(lim, "packets",
                        json_integer((json_int_t)p->max_packets));
    json_object_set_new(lim, "bytes", json_integer((json_int_t)p->max_bytes));
    json_object_set_new(lim, "duration_s",
                        json_real((double)p->max_duration_ms / 1000.0));
    json_object_set_new(o, "limits", lim);
    json_object_set_new(o, "snaplen", json_integer(p->snaplen));
    json_object_set_new(o, "profile", str_or_null(p->profile));
    json_object_set_new(o, "format",
                        json_string(session_format_name(p->format)));
    json_object_set_new(o, "compression",
                        json_string(session_compression_name(p->compression)));
    json_object_set_new(o, "interface", str_or_null(p->iface));
    json_object_set_new(o, "single_interface", json_boolean(p->single_iface));
    if (p->plan_id)
        json_object_set_new(o, "plan_id", json_integer(p->plan_id));
    struct session_counters k;
    session_counters(s, &k);
    json_object_set_new(o, "counters", session_counters_json(&k));
    json_object_set_new(o, "queued_bytes",
                        json_integer((json_int_t)queue_used(&s->q)));
    json_object_set_new(o, "queue_bytes", json_integer((json_int_t)s->q.cap));
    uint64_t elapsed = now_ms > s->created_ms ? now_ms - s->created_ms : 0;
    json_object_set_new(o, "elapsed_s", json_real((double)elapsed / 1000.0));
    pthread_mutex_lock(&s->lock);
    double rate = s->tp_rate;
    json_t *files = s->files ? json_deep_copy(s->files) : NULL;
    pthread_mutex_unlock(&s->lock);
    json_object_set_new(o, "throughput_bps", json_real(rate * 8.0));
    json_object_set_new(o, "average_throughput_bps",
                        json_real(elapsed ? (double)get(&s->output_bytes) *
                                                8000.0 / (double)elapsed
                                          : 0.0));
    if (files)
        json_object_set_new(o, "files", files);
    if (end != SESSION_RUNNING)
        json_object_set_new(o, "end_reason",
                            json_string(session_end_text(end)));
    return o;
}
