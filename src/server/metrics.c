/* /metrics: the daemon's counters in the Prometheus text exposition
 * format (version 0.0.4). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/metrics.h"
#include "server/server.h"
#include "server/util.h"

void metrics_http(struct metrics *m, unsigned status) {
    unsigned cls = status / 100;
    atomic_fetch_add(&m->http_requests[cls >= 1 && cls <= 5 ? cls : 0], 1);
}

void metrics_finished(struct metrics *m, struct session *s) {
    struct session_counters k;
    session_counters(s, &k);
    atomic_fetch_add(&m->captures_finished[s->spec.type], 1);
    atomic_fetch_add(&m->received, k.received);
    atomic_fetch_add(&m->captured, k.captured);
    atomic_fetch_add(&m->ignored, k.ignored);
    atomic_fetch_add(&m->dropped, k.dropped);
    atomic_fetch_add(&m->bytes, k.bytes);
    atomic_fetch_add(&m->captured_bytes, k.captured_bytes);
    atomic_fetch_add(&m->output_bytes, k.output_bytes);
}

struct page {
    struct util_bytes b;
    bool oom;
};

static void put(struct page *p, const char *fmt, ...) UTIL_PRINTF(2, 3);
static void put(struct page *p, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    if (!util_bytes_append(&p->b, line, (size_t)n, 64u << 20))
        p->oom = true;
}

static void family(struct page *p, const char *name, const char *type,
                   const char *help) {
    put(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newlines escaped as the format wants. */
static void label(char *out, size_t n, const char *v) {
    size_t j = 0;
    for (; v && *v && j + 3 < n; v++) {
        if (*v == '\\' || *v == '"') {
            out[j++] = '\\';
            out[j++] = *v;
        } else if (*v == '\n') {
            out[j++] = '\\';
            out[j++] = 'n';
        } else {
            out[j++] = *v;
        }
    }
    out[j] = '\0';
}

static const char *const counter_names[] = {"received", "captured", "ignored",
                                            "dropped"};

static void per_capture(struct srv *srv, struct page *p) {
    struct session *list[HUB_MAX_SESSIONS];
    size_t n = hub_sessions(srv->hub, list, HUB_MAX_SESSIONS);
    family(p, "trawl_capture_packets", "gauge",
           "Packets of each running capture, by counter.");
    for (size_t i = 0; i < n; i++) {
        struct session_counters k;
        session_counters(list[i], &k);
        uint64_t v[] = {k.received, k.captured, k.ignored, k.dropped};
        char user[128];
        label(user, sizeof user, list[i]->spec.user);
        for (size_t c = 0; c < UTIL_ARRAY_LEN(v); c++)
            put(p,
                "trawl_capture_packets{id=\"%lld\",type=\"%s\",user=\"%s\","
                "counter=\"%s\"} %llu\n",
                (long long)list[i]->id, session_type_name(list[i]->spec.type),
                user, counter_names[c], (unsigned long long)v[c]);
    }
    family(p, "trawl_capture_output_bytes", "gauge",
           "Bytes each running capture has sent or written.");
    for (size_t i = 0; i < n; i++) {
        struct session_counters k;
        session_counters(list[i], &k);
        put(p, "trawl_capture_output_bytes{id=\"%lld\"} %llu\n",
            (long long)list[i]->id, (unsigned long long)k.output_bytes);
        session_unref(list[i]);
    }
}

char *metrics_render(struct srv *srv, size_t *len) {
    struct metrics *m = &srv->metrics;
    struct page p = {0};
    static const char *const types[] = {"download", "disk", "preview"};

    family(&p, "trawl_captures_running", "gauge",
           "Captures registered now (running or finishing).");
    put(&p, "trawl_captures_running %zu\n", hub_count(srv->hub));
    family(&p, "trawl_captures_started_total", "counter",
           "Captures started since the daemon started, by type.");
    for (int t = 0; t < 3; t++)
        put(&p, "trawl_captures_started_total{type=\"%s\"} %llu\n", types[t],
            (unsigned long long)atomic_load(&m->captures_started[t]));
    family(&p, "trawl_captures_finished_total", "counter",
           "Captures finished since the daemon started, by type.");
    for (int t = 0; t < 3; t++)
        put(&p, "trawl_captures_finished_total{type=\"%s\"} %llu\n", types[t],
            (unsigned long long)atomic_load(&m->captures_finished[t]));
    family(&p, "trawl_finished_packets_total", "counter",
           "Packets of finished captures, by counter.");
    uint64_t fin[] = {atomic_load(&m->received), atomic_load(&m->captured),
                      atomic_load(&m->ignored), atomic_load(&m->dropped)};
    for (size_t c = 0; c < UTIL_ARRAY_LEN(fin); c++)
        put(&p, "trawl_finished_packets_total{counter=\"%s\"} %llu\n",
            counter_names[c], (unsigned long long)fin[c]);
    family(&p, "trawl_finished_output_bytes_total", "counter",
           "Bytes finished captures sent or wrote.");
    put(&p, "trawl_finished_output_bytes_total %llu\n",
        (unsigned long long)atomic_load(&m->output_bytes));
    per_capture(srv, &p);

    struct hub_stats hs;
    hub_stats(srv->hub, &hs);
    family(&p, "trawl_source_packets_total", "counter",
           "Packets the source delivered to the hub.");
    put(&p, "trawl_source_packets_total %llu\n",
        (unsigned long long)hs.packets);
    family(&p, "trawl_source_bytes_total", "counter",
           "Bytes (on the wire) of the packets the source delivered.");
    put(&p, "trawl_source_bytes_total %llu\n", (unsigned long long)hs.bytes);
    family(&p, "trawl_source_kernel_dropped_total", "counter",
           "Packets the kernel dropped before trawl saw them.");
    put(&p, "trawl_source_kernel_dropped_total %llu\n",
        (unsigned long long)hs.source.kernel_dropped);
    family(&p, "trawl_replay_passes_total", "counter",
           "Passes through the replayed trace completed.");
    put(&p, "trawl_replay_passes_total %llu\n", (unsigned long long)hs.passes);
    family(&p, "trawl_interface_packets_total", "counter",
           "Packets the source delivered, by interface.");
    size_t ni = hub_iface_count(srv->hub);
    for (size_t i = 0; i < ni; i++) {
        uint64_t pk, by;
        hub_iface_stats(srv->hub, (uint32_t)i, &pk, &by);
        char name[128];
        label(name, sizeof name, hub_iface(srv->hub, (uint32_t)i)->name);
        put(&p, "trawl_interface_packets_total{id=\"%zu\",name=\"%s\"} %llu\n",
            i, name, (unsigned long long)pk);
    }

    family(&p, "trawl_http_requests_total", "counter",
           "HTTP requests answered, by status class.");
    static const char *const classes[] = {"other", "1xx", "2xx",
                                          "3xx",   "4xx", "5xx"};
    for (int c = 0; c < 6; c++)
        put(&p, "trawl_http_requests_total{code=\"%s\"} %llu\n", classes[c],
            (unsigned long long)atomic_load(&m->http_requests[c]));
    family(&p, "trawl_http_clients", "gauge", "HTTP connections open now.");
    put(&p, "trawl_http_clients %llu\n",
        (unsigned long long)atomic_load(&m->http_clients));
    family(&p, "trawl_http_connections_total", "counter",
           "HTTP connections accepted.");
    put(&p, "trawl_http_connections_total %llu\n",
        (unsigned long long)atomic_load(&m->http_connections));
    family(&p, "trawl_auth_failures_total", "counter",
           "Requests refused for missing or wrong credentials.");
    put(&p, "trawl_auth_failures_total %llu\n",
        (unsigned long long)atomic_load(&m->auth_failures));
    family(&p, "trawl_plan_runs_total", "counter",
           "Runs of planned captures, by outcome.");
    put(&p, "trawl_plan_runs_total{status=\"started\"} %llu\n",
        (unsigned long long)atomic_load(&m->plans_started));
    put(&p, "trawl_plan_runs_total{status=\"missed\"} %llu\n",
        (unsigned long long)atomic_load(&m->plans_missed));
    put(&p, "trawl_plan_runs_total{status=\"failed\"} %llu\n",
        (unsigned long long)atomic_load(&m->plans_failed));
    if (p.oom) {
        util_bytes_free(&p.b);
        return NULL;
    }
    *len = p.b.len;
    return (char *)p.b.p;
}
