/* The progress line on stderr while a large trace is read: percent, bytes,
 * packets, rates and the time left, redrawn in place with '\r'. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/print.h"

/* Below this a trace reads in well under a second: no line. */
#define PROGRESS_MIN_BYTES (64ull << 20)
#define PROGRESS_EVERY_NS 250000000ull /* four redraws a second at most */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void progress_init(struct progress *p, const trawl_reader *r, bool to_file) {
    uint64_t done, total;
    *p = (struct progress){0};
    if (!isatty(STDERR_FILENO))
        return;
    /* On a terminal that shows the packets, a progress line would only
     * get in their way. */
    if (!to_file && isatty(STDOUT_FILENO))
        return;
    trawl_reader_progress(r, &done, &total);
    if (total <= PROGRESS_MIN_BYTES)
        return;
    p->on = true;
    /* The first redraw comes at once, later ones at most four a second. */
    p->start_ns = now_ns();
    p->last_ns = 0;
}

static void human_bytes(char *buf, size_t len, double b) {
    static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
    unsigned u = 0;
    while (b >= 1000 && u < 4) {
        b /= 1000;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

void progress_redraw(struct progress *p, const trawl_reader *r,
                     uint64_t packets) {
    uint64_t t = now_ns();
    if (t - p->last_ns < PROGRESS_EVERY_NS)
        return;
    p->last_ns = t;
    uint64_t done, total;
    trawl_reader_progress(r, &done, &total);
    double secs = (double)(t - p->start_ns) / 1e9;
    double rate = secs > 0 ? (double)done / secs : 0;
    char d[32], tot[32], eta[32] = "";
    human_bytes(d, sizeof d, (double)done);
    human_bytes(tot, sizeof tot, (double)total);
    if (total > done && rate > 0) {
        uint64_t left = (uint64_t)((double)(total - done) / rate + 0.5);
        snprintf(eta, sizeof eta, "  ETA %" PRIu64 ":%02" PRIu64, left / 60,
                 left % 60);
    }
    fprintf(stderr,
            "\rtrawl: %5.1f%%  %s of %s  %" PRIu64
            " packets  %.2f Mpkt/s  %.0f MB/s%s\033[K",
            total ? 100.0 * (double)done / (double)total : 0.0, d, tot, packets,
            secs > 0 ? (double)packets / secs / 1e6 : 0.0, rate / 1e6, eta);
    fflush(stderr);
    p->shown = true;
}

void progress_clear(struct progress *p) {
    if (!p->shown)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = false;
}
