/* server/metrics — counters for /metrics (Prometheus text format): HTTP
 * requests and clients, captures started and finished, the packets of
 * finished captures (running ones are read from their sessions). */
#ifndef TRAWL_SERVER_METRICS_H
#define TRAWL_SERVER_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

struct srv;
struct session;

struct metrics {
    _Atomic uint64_t
        http_requests[6];          /* by status class: 1xx..5xx, [0] other */
    _Atomic uint64_t http_clients; /* connections open now */
    _Atomic uint64_t http_connections; /* ever accepted */
    _Atomic uint64_t auth_failures;
    _Atomic uint64_t captures_started[3]; /* by session type */
    _Atomic uint64_t captures_finished[3];
    /* Summed over finished captures. */
    _Atomic uint64_t received, captured, ignored, dropped, bytes,
        captured_bytes, output_bytes;
    _Atomic uint64_t plans_started, plans_missed, plans_failed;
};

void metrics_http(struct metrics *m, unsigned status);
void metrics_finished(struct metrics *m, struct session *s);
/* The whole /metrics page; the caller frees it. */
char *metrics_render(struct srv *srv, size_t *len);

#endif
