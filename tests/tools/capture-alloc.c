/* capture-alloc: counts the allocations libtrawl makes while a capture
 * judges and delivers packets — a filter evaluated in user space, a keep
 * filter, test-payload streams, the capture buffer — for
 * tests/integration/test_capture_api.py. It links the static library with
 * --wrap=malloc,calloc,realloc, so every allocation of trawl's own code
 * passes through the counter (libpcap's do not: it is not trawl's).
 *
 *   capture-alloc IF N    prints "allocations A" for the packets after the
 *                         first 10, pumped then pulled, N in all */
#include <stdio.h>
#include <stdlib.h>

#include "trawl/trawl.h"

#include "tests/alloc_count.h"

static char err[TRAWL_ERRBUF_SIZE];
static unsigned long seen;
static size_t at_ten;

static void on_packet(void *ctx, const struct trawl_pkt *pkt) {
    (void)ctx;
    (void)pkt;
    if (++seen == 10)
        at_ten = allocations;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: capture-alloc IF N\n");
        return 2;
    }
    unsigned long n = strtoul(argv[2], NULL, 10);
    trawl_capture *c;
    struct trawl_trigger t = {.stop = TRAWL_STOP_USERSTOP};
    struct trawl_keep k = {.kind = TRAWL_KEEP_FILTER, .filter = "udp",
                           .stream = -1};
    if (trawl_capture_new(&c, err, sizeof err) < 0 ||
        trawl_capture_add_iface(c, argv[1], err, sizeof err) < 0 ||
        trawl_capture_set_timeout(c, 10, false, err, sizeof err) < 0 ||
        trawl_capture_set_filter(c, "udp.dstport == 2000 and frame.len > 50",
                                 NULL, err, sizeof err) < 0 ||
        trawl_capture_set_trigger(c, &t, err, sizeof err) < 0 ||
        trawl_capture_set_keep(c, &k, err, sizeof err) < 0 ||
        trawl_capture_set_buffer(c, 20000, err, sizeof err) < 0 ||
        trawl_capture_start(c, err, sizeof err) < 0) {
        fprintf(stderr, "capture-alloc: %s\n", err);
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    const struct trawl_capture_events ev = {.on_packet = on_packet};
    int idle = 0;
    while (seen < n / 2 && idle < 50) {
        int rc = trawl_capture_pump(c, &ev, NULL, 100, err, sizeof err);
        if (rc < 0)
            break;
        idle = rc == 0 ? idle + 1 : 0;
    }
    struct trawl_pkt p;
    while (seen < n && idle < 50) {
        int rc = trawl_capture_next(c, &p, 100, err, sizeof err);
        if (rc < 0)
            break;
        idle = rc == 0 ? idle + 1 : 0;
        if (rc > 0)
            on_packet(NULL, &p);
    }
    size_t during = allocations - at_ten;
    struct trawl_counters cnt;
    trawl_capture_counters(c, &cnt);
    /* Starting allocates (the buffer, the view, stream windows): the
     * count before the tenth packet shows the counter counts. */
    printf("packets %lu allocations %zu captured %llu before %zu\n", seen,
           during, (unsigned long long)cnt.captured, at_ten);
    trawl_capture_close(c);
    return 0;
}
