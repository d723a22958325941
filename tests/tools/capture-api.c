/* capture-api: drives the live capture API the way a server would, for
 * tests/integration/test_capture_api.py. Public API only.
 *
 *   capture-api refusals IF
 *       every setter while running is refused (one line each), and
 *       accepted again once stopped
 *   capture-api refilter IF FILTER1 FILTER2 SWITCH_AT TOTAL [--bpf]
 *       captures with FILTER1; once SWITCH_AT packets are in, another
 *       thread replaces it (a bad filter first, then FILTER2); prints each
 *       packet's UDP payload sequence number and destination port
 *   capture-api two IF FILTER1 FILTER2 N
 *       two captures in one process, each driven by its own thread, each
 *       until N packets; prints what each captured
 *   capture-api buffer IF BYTES MAX_BYTES OUT
 *       a capture buffer with a byte limit, waited on through
 *       trawl_capture_fd(); prints the buffer, then writes it to OUT
 */
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trawl/trawl.h"

static char err[TRAWL_ERRBUF_SIZE];

static void die(const char *what) {
    fprintf(stderr, "capture-api: %s: %s\n", what, err);
    exit(1);
}

static trawl_capture *open_on(const char *iface) {
    trawl_capture *c;
    if (trawl_capture_new(&c, err, sizeof err) < 0)
        die("new");
    if (trawl_capture_add_iface(c, iface, err, sizeof err) < 0)
        die("add_iface");
    if (trawl_capture_set_timeout(c, 20, false, err, sizeof err) < 0)
        die("set_timeout");
    return c;
}

/* The first four bytes of the UDP payload, and the destination port. */
static void seq_port(const struct trawl_pkt *p, uint32_t *seq,
                     unsigned *port) {
    *seq = 0;
    *port = 0;
    if (p->caplen < 46)
        return;
    const uint8_t *d = p->data;
    *port = (unsigned)d[36] << 8 | d[37];
    *seq = (uint32_t)d[42] << 24 | (uint32_t)d[43] << 16 |
           (uint32_t)d[44] << 8 | d[45];
}

static void print_counters(const char *who, trawl_capture *c) {
    struct trawl_counters k;
    trawl_capture_counters(c, &k);
    printf("%scounters received %" PRIu64 " captured %" PRIu64
           " ignored %" PRIu64 " dropped %" PRIu64 "\n",
           who, k.received, k.captured, k.ignored, k.dropped);
}

/* ---- refusals ---------------------------------------------------------------- */

static void report(const char *name, int rc) {
    printf("%s %d %s\n", name, rc, rc < 0 ? err : "ok");
}

static void try_setters(trawl_capture *c) {
    struct trawl_trigger t = {0};
    struct trawl_keep k = {.stream = -1};
    report("interface", trawl_capture_add_iface(c, "lo", err, sizeof err));
    report("direction", trawl_capture_set_direction(c, TRAWL_DIRECTION_IN,
                                                    err, sizeof err));
    report("promisc", trawl_capture_set_promisc(c, false, err, sizeof err));
    report("snaplen", trawl_capture_set_snaplen(c, 100, err, sizeof err));
    report("buffer_kib",
           trawl_capture_set_buffer_kib(c, 1024, err, sizeof err));
    report("timeout", trawl_capture_set_timeout(c, 10, false, err, sizeof err));
    report("nanosecond", trawl_capture_set_nanosecond(c, true, err, sizeof err));
    report("fcs", trawl_capture_set_fcs(c, false, err, sizeof err));
    report("checksums",
           trawl_capture_set_verify_checksums(c, true, err, sizeof err));
    report("mode", trawl_capture_set_mode(c, TRAWL_CAPTURE_PACKETS, 0, err,
                                          sizeof err));
    report("trigger", trawl_capture_set_trigger(c, &t, err, sizeof err));
    report("keep", trawl_capture_set_keep(c, &k, err, sizeof err));
    report("buffer", trawl_capture_set_buffer(c, 1 << 20, err, sizeof err));
    report("filter", trawl_capture_set_filter(c, "udp", NULL, err, sizeof err));
}

static int refusals(const char *iface) {
    trawl_capture *c = open_on(iface);
    if (trawl_capture_start(c, err, sizeof err) < 0)
        die("start");
    printf("state %d\n", (int)trawl_capture_state(c));
    try_setters(c);
    report("start", trawl_capture_start(c, err, sizeof err));
    trawl_capture_stop(c);
    struct trawl_pkt p;
    int rc;
    while ((rc = trawl_capture_next(c, &p, 1000, err, sizeof err)) >= 0)
        ;
    printf("after stop %d %s state %d reason %s\n", rc, err,
           (int)trawl_capture_state(c),
           trawl_stop_reason_name(trawl_capture_stop_reason(c)));
    try_setters(c);
    /* Started again, it starts afresh. */
    rc = trawl_capture_start(c, err, sizeof err);
    struct trawl_counters k;
    trawl_capture_counters(c, &k);
    printf("restart %d state %d ifaces %zu received %llu reason %s\n", rc,
           (int)trawl_capture_state(c), trawl_capture_iface_count(c),
           (unsigned long long)k.received,
           trawl_stop_reason_name(trawl_capture_stop_reason(c)));
    trawl_capture_close(c);
    return 0;
}

/* ---- replacing the filter --------------------------------------------------------- */

struct refilter {
    trawl_capture *c;
    const char *next;
    struct trawl_expr_options opt;
    atomic_bool go;
    int bad_rc, good_rc;
    char bad_err[TRAWL_ERRBUF_SIZE], good_err[TRAWL_ERRBUF_SIZE];
};

static void *switcher(void *arg) {
    struct refilter *r = arg;
    while (!atomic_load(&r->go)) {
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    /* A bad filter changes nothing; the good one takes over. */
    r->bad_rc = trawl_capture_set_filter(r->c, "udp.dstport === = 1", &r->opt,
                                         r->bad_err, sizeof r->bad_err);
    r->good_rc = trawl_capture_set_filter(r->c, r->next, &r->opt, r->good_err,
                                          sizeof r->good_err);
    return NULL;
}

/* Reads the counters, state, buffer and stream statistics from another
 * thread as fast as it can while the capture runs: they only grow, and
 * never show more captured than received. */
struct monitor {
    trawl_capture *c;
    atomic_bool done;
    unsigned long reads, bad;
};

static void *watch(void *arg) {
    struct monitor *m = arg;
    struct trawl_counters last = {0};
    while (!atomic_load(&m->done)) {
        struct trawl_counters k;
        struct trawl_buffer_stats bs;
        struct trawl_stream_stats ss[4];
        trawl_capture_counters(m->c, &k);
        trawl_capture_buffer_stats(m->c, &bs);
        trawl_capture_streams(m->c, ss, 4);
        if (k.received < last.received || k.captured < last.captured ||
            k.captured > k.received || k.ignored < last.ignored)
            m->bad++;
        last = k;
        m->reads++;
    }
    return NULL;
}

static int refilter(char **argv, int argc) {
    struct refilter r = {.c = open_on(argv[2]), .next = argv[4]};
    r.opt.pcap_filter = argc > 7 && strcmp(argv[7], "--bpf") == 0;
    unsigned long at = strtoul(argv[5], NULL, 10);
    unsigned long total = strtoul(argv[6], NULL, 10);
    if (trawl_capture_set_filter(r.c, argv[3], &r.opt, err, sizeof err) < 0)
        die("set_filter");
    if (trawl_capture_start(r.c, err, sizeof err) < 0)
        die("start");
    printf("ready\n");
    fflush(stdout);
    pthread_t th, mon;
    struct monitor m = {.c = r.c};
    pthread_create(&th, NULL, switcher, &r);
    pthread_create(&mon, NULL, watch, &m);
    struct trawl_pkt p;
    unsigned long n = 0;
    int idle = 0;
    while (n < total && idle < 20) {
        int rc = trawl_capture_next(r.c, &p, 100, err, sizeof err);
        if (rc < 0)
            die("next");
        if (rc == 0) {
            idle++;
            continue;
        }
        idle = 0;
        uint32_t seq;
        unsigned port;
        seq_port(&p, &seq, &port);
        printf("%" PRIu32 " %u\n", seq, port);
        if (++n == at)
            atomic_store(&r.go, true);
    }
    atomic_store(&r.go, true);
    pthread_join(th, NULL);
    atomic_store(&m.done, true);
    pthread_join(mon, NULL);
    printf("monitor reads %lu bad %lu\n", m.reads, m.bad);
    printf("bad %d %s\n", r.bad_rc, r.bad_err);
    printf("good %d %s\n", r.good_rc, r.good_rc < 0 ? r.good_err : "ok");
    print_counters("", r.c);
    trawl_capture_close(r.c);
    return 0;
}

/* ---- two captures ----------------------------------------------------------------- */

struct driver {
    trawl_capture *c;
    unsigned long want, got;
    char e[TRAWL_ERRBUF_SIZE];
    char ports[4096];
};

static void *drive(void *arg) {
    struct driver *d = arg;
    struct trawl_pkt p;
    int idle = 0;
    size_t len = 0;
    while (d->got < d->want && idle < 30) {
        int rc = trawl_capture_next(d->c, &p, 100, d->e, sizeof d->e);
        if (rc < 0)
            break;
        if (rc == 0) {
            idle++;
            continue;
        }
        uint32_t seq;
        unsigned port;
        seq_port(&p, &seq, &port);
        if (len < sizeof d->ports - 16)
            len += (size_t)snprintf(d->ports + len, sizeof d->ports - len,
                                    " %u", port);
        d->got++;
    }
    return NULL;
}

static int two(char **argv) {
    struct driver d[2] = {{0}};
    unsigned long want = strtoul(argv[5], NULL, 10);
    for (int i = 0; i < 2; i++) {
        d[i].c = open_on(argv[2]);
        d[i].want = want;
        if (trawl_capture_set_filter(d[i].c, argv[3 + i], NULL, err,
                                     sizeof err) < 0 ||
            trawl_capture_start(d[i].c, err, sizeof err) < 0)
            die("start");
    }
    printf("ready\n");
    fflush(stdout);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, drive, &d[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++) {
        printf("%c got %lu ports%s\n", 'A' + i, d[i].got, d[i].ports);
        print_counters(i ? "B " : "A ", d[i].c);
        trawl_capture_close(d[i].c);
    }
    return 0;
}

/* ---- the buffer ------------------------------------------------------------------- */

static int buffer(char **argv) {
    trawl_capture *c = open_on(argv[2]);
    struct trawl_trigger t = {.stop = TRAWL_STOP_FULL,
                              .max_bytes = strtoull(argv[4], NULL, 10)};
    if (trawl_capture_set_buffer(c, strtoull(argv[3], NULL, 10), err,
                                 sizeof err) < 0 ||
        trawl_capture_set_trigger(c, &t, err, sizeof err) < 0)
        die("set");
    if (trawl_capture_start(c, err, sizeof err) < 0)
        die("start");
    printf("ready\n");
    fflush(stdout);
    /* Wait as a server would, on the descriptor, with no packet wanted:
     * the buffer holds them. */
    struct pollfd pfd = {.fd = trawl_capture_fd(c), .events = POLLIN};
    const struct trawl_capture_events ev = {0};
    int rc = 0;
    for (int rounds = 0; rounds < 100; rounds++) {
        poll(&pfd, 1, 100);
        rc = trawl_capture_pump(c, &ev, NULL, 0, err, sizeof err);
        if (rc == TRAWL_ESTOPPED)
            break;
        if (rc < 0)
            die("pump");
    }
    struct trawl_buffer_stats bs;
    trawl_capture_buffer_stats(c, &bs);
    printf("stats packets %" PRIu64 " bytes %" PRIu64 " discarded %" PRIu64
           " state %d reason %s started %d\n",
           bs.packets, bs.bytes, bs.discarded, (int)bs.state,
           trawl_stop_reason_name(bs.reason), bs.start_sec > 0);
    trawl_view *v = trawl_view_new();
    const trawl_field *port = trawl_field_lookup("udp.dstport");
    struct trawl_pkt p;
    for (uint64_t i = 0; trawl_capture_buffer_get(c, i, &p, err, sizeof err) == 0;
         i++) {
        trawl_view_set(v, &p);
        struct trawl_value val;
        bool has = trawl_view_field(v, port, &val);
        printf("pkt %" PRIu64 " index %" PRIu64 " caplen %" PRIu32
               " dport %" PRIu64 "\n",
               i, p.index, p.caplen, has ? val.u : 0);
    }
    printf("past %s\n", err);
    trawl_view_free(v);
    trawl_writer *w;
    struct trawl_writer_options wo = {.format = TRAWL_FORMAT_PCAPNG};
    if (trawl_writer_open(&w, argv[5], &wo, err, sizeof err) < 0 ||
        trawl_capture_buffer_write(c, w, err, sizeof err) < 0 ||
        trawl_writer_close(w, err, sizeof err) < 0)
        die("write");
    print_counters("", c);
    trawl_capture_close(c);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && strcmp(argv[1], "refusals") == 0)
        return refusals(argv[2]);
    if (argc >= 7 && strcmp(argv[1], "refilter") == 0)
        return refilter(argv, argc);
    if (argc >= 6 && strcmp(argv[1], "two") == 0)
        return two(argv);
    if (argc >= 6 && strcmp(argv[1], "buffer") == 0)
        return buffer(argv);
    fprintf(stderr, "usage: capture-api refusals|refilter|two|buffer ...\n");
    return 2;
}
