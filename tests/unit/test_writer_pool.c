/* Unit tests of the asynchronous writer (writer_pool.c): what it writes is
 * what a synchronous writer writes, a sink slower than the producer makes
 * it drop and count packets instead of waiting or growing, and buffers
 * flushed by time reach the file. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "trawl/reader.h"
#include "trawl/writer.h"

static char err[TRAWL_ERRBUF_SIZE];

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *temp_path(const char *suffix) {
    static char p[128];
    snprintf(p, sizeof p, "/tmp/trawl-test-pool-%d-%s", (int)getpid(),
             suffix);
    return p;
}

static uint32_t add_eth(trawl_writer *w) {
    struct trawl_iface ifc = {.linktype = 1, .name = "eth0", .fcslen = -1};
    uint32_t id;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err), 0);
    return id;
}

/* Packet i: a length that varies over the buffer boundaries, bytes that
 * say which packet they belong to. */
static struct trawl_pkt nth(uint32_t iface, uint64_t i, uint8_t *data) {
    uint32_t len = (uint32_t)(60 + (i * 7919) % 1455);
    memset(data, (int)(i & 0xff), len);
    memcpy(data, &i, sizeof i);
    return (struct trawl_pkt){.ts_sec = 1700000000 + (int64_t)(i / 1000),
                              .ts_nsec = (uint32_t)(i % 1000) * 1000000u,
                              .caplen = len,
                              .len = len,
                              .iface = iface,
                              .data = data};
}

/* Reads `path` back and checks it holds packets 0 .. n-1 of nth(). */
static void check_file(const char *path, uint64_t n) {
    trawl_reader *r;
    const char *paths[] = {path};
    assert_int_equal(trawl_reader_open(&r, paths, 1, NULL, err, sizeof err),
                     0);
    static uint8_t want[2000];
    struct trawl_pkt got;
    uint64_t i = 0;
    int rc;
    while ((rc = trawl_reader_next(r, &got, err, sizeof err)) > 0) {
        struct trawl_pkt w = nth(0, i, want);
        assert_int_equal(got.caplen, w.caplen);
        assert_int_equal(got.ts_sec, w.ts_sec);
        assert_memory_equal(got.data, w.data, w.caplen);
        i++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(i, n);
    struct trawl_reader_stats st;
    trawl_reader_stats(r, &st);
    assert_int_equal(st.warnings, 0);
    trawl_reader_close(r);
}

/* Many buffers' worth through two buffers: everything arrives, in order,
 * in both formats; a producer this slow drops nothing. */
static void round_trip(enum trawl_format fmt) {
    const char *p = temp_path(fmt == TRAWL_FORMAT_PCAPNG ? "rt.pcapng"
                                                          : "rt.pcap");
    struct trawl_writer_options o = {.format = fmt,
                                     .async_buffers = 2,
                                     .async_buffer_size = 1 << 20};
    trawl_writer *w;
    assert_int_equal(trawl_writer_open(&w, p, &o, err, sizeof err), 0);
    uint32_t id = add_eth(w);
    static uint8_t data[2000];
    uint64_t n = 12000, dropped = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct trawl_pkt pkt = nth(id, i, data);
        int rc;
        /* The thread may still hold both buffers: wait and retry, so
         * that the file is complete for the check. */
        while ((rc = trawl_writer_write(w, &pkt, err, sizeof err)) ==
               TRAWL_WRITER_DROPPED) {
            dropped++;
            struct timespec nap = {.tv_nsec = 1000000};
            nanosleep(&nap, NULL);
        }
        assert_int_equal(rc, 0);
    }
    struct trawl_writer_stats st;
    trawl_writer_get_stats(w, &st);
    assert_int_equal(st.packets, n);
    assert_int_equal(st.dropped, dropped);
    assert_int_equal(st.buffers, 2);
    assert_true(st.buffers_busy_max >= 1 && st.buffers_busy_max <= 2);
    uint64_t bytes = st.bytes;
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal((uint64_t)sb.st_size, bytes);
    check_file(p, n);
    unlink(p);
}

static void pcap_round_trip(void **state) {
    (void)state;
    round_trip(TRAWL_FORMAT_PCAP);
}

static void pcapng_round_trip(void **state) {
    (void)state;
    round_trip(TRAWL_FORMAT_PCAPNG);
}

/* Drains a pipe into a file once told to. */
struct drain {
    int rfd;
    const char *path;
};

static void *drain_pipe(void *arg) {
    struct drain *d = arg;
    FILE *f = fopen(d->path, "wb");
    assert_non_null(f);
    static uint8_t buf[65536];
    ssize_t n;
    while ((n = read(d->rfd, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, f);
    fclose(f);
    return NULL;
}

/* A sink that takes nothing: the thread blocks on its first write, the
 * producer fills the other buffer and then drops every packet at once,
 * without waiting, counting each. Once the sink drains, what was not
 * dropped arrives whole. */
static void slow_sink_drops(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP,
                                     .async_buffers = 2,
                                     .async_buffer_size = 1 << 20};
    trawl_writer *w;
    assert_int_equal(trawl_writer_open_fd(&w, p[1], "pipe", &o, err,
                                          sizeof err),
                     0);
    uint32_t id = add_eth(w);
    static uint8_t data[2000];
    uint64_t n = 20000, dropped = 0;
    double t0 = now_s();
    for (uint64_t i = 0; i < n; i++) {
        struct trawl_pkt pkt = nth(id, i, data);
        int rc = trawl_writer_write(w, &pkt, err, sizeof err);
        assert_true(rc == 0 || rc == TRAWL_WRITER_DROPPED);
        dropped += rc == TRAWL_WRITER_DROPPED;
    }
    /* Not one write waited for the pipe. */
    assert_true(now_s() - t0 < 2.0);
    struct trawl_writer_stats st;
    trawl_writer_get_stats(w, &st);
    assert_int_equal(st.dropped, dropped);
    assert_int_equal(st.packets + st.dropped, n);
    /* About two buffers of packets of 800 bytes on average were kept,
     * the rest dropped. */
    assert_true(st.packets > 2000 && st.packets < 3000);
    assert_true(st.dropped_bytes > 10000000);
    assert_int_equal(st.buffers_busy_max, 2);
    struct drain d = {.rfd = p[0], .path = temp_path("drained.pcap")};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, drain_pipe, &d), 0);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    pthread_join(t, NULL);
    close(p[0]);
    check_file(d.path, st.packets);
    unlink(d.path);
}

/* With a flush interval, a partly filled buffer goes to the thread when
 * the interval has passed, and reaches the file without a close. */
static void timed_flush(void **state) {
    (void)state;
    const char *p = temp_path("timed.pcap");
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP,
                                     .flush_interval_ms = 20,
                                     .async_buffers = 4};
    trawl_writer *w;
    assert_int_equal(trawl_writer_open(&w, p, &o, err, sizeof err), 0);
    uint32_t id = add_eth(w);
    static uint8_t data[2000];
    struct trawl_pkt pkt = nth(id, 0, data);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_int_equal(sb.st_size, 24); /* the header went out at once */
    struct timespec nap = {.tv_nsec = 40 * 1000000};
    nanosleep(&nap, NULL);
    pkt = nth(id, 1, data);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    off_t want = 24 + 2 * 16 + nth(id, 0, data).caplen + pkt.caplen;
    double t0 = now_s();
    while (stat(p, &sb) == 0 && sb.st_size != want && now_s() - t0 < 5)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    assert_int_equal(sb.st_size, want);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    check_file(p, 2);
    unlink(p);
}

/* A write error on the thread (a full device) reaches the producer at
 * its next hand-over, with the file and the offset, and stays. */
static void thread_error_reported(void **state) {
    (void)state;
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP,
                                     .async_buffers = 2,
                                     .async_buffer_size = 1 << 20};
    trawl_writer *w;
    /* The header goes out at once, in the caller: /dev/full refuses it
     * there already. */
    assert_int_equal(trawl_writer_open(&w, "/dev/full", &o, err, sizeof err),
                     0);
    struct trawl_iface ifc = {.linktype = 1, .fcslen = -1};
    uint32_t id;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err),
                     TRAWL_EIO);
    assert_string_equal(err, "/dev/full: write failed at byte offset 0: No "
                             "space left on device");
    assert_int_equal(trawl_writer_close(w, err, sizeof err), TRAWL_EIO);

    /* A pipe whose reader has gone: the header is written (the pipe takes
     * it), the thread's first buffer fails. */
    int p[2];
    assert_int_equal(pipe(p), 0);
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(trawl_writer_open_fd(&w, p[1], "pipe", &o, err,
                                          sizeof err),
                     0);
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err),
                     0);
    close(p[0]);
    static uint8_t data[2000];
    int rc = 0;
    for (uint64_t i = 0; i < 100000 && rc >= 0; i++) {
        struct trawl_pkt pkt = nth(id, i, data);
        rc = trawl_writer_write(w, &pkt, err, sizeof err);
        if (rc == TRAWL_WRITER_DROPPED)
            nanosleep(&(struct timespec){.tv_nsec = 100000}, NULL);
    }
    assert_int_equal(rc, TRAWL_EIO);
    assert_non_null(strstr(err, "pipe: write failed at byte offset 24: "
                                "Broken pipe"));
    struct trawl_pkt pkt = nth(id, 0, data);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), TRAWL_EIO);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), TRAWL_EIO);
}

/* Bad pool shapes are refused with the numbers. */
static void bad_shapes(void **state) {
    (void)state;
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP,
                                     .async_buffers = 1};
    trawl_writer *w;
    assert_int_equal(trawl_writer_open(&w, temp_path("bad.pcap"), &o, err,
                                       sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "want at least 2"));
    assert_null(w);
    unlink(temp_path("bad.pcap"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pcap_round_trip),
        cmocka_unit_test(pcapng_round_trip),
        cmocka_unit_test(slow_sink_drops),
        cmocka_unit_test(timed_flush),
        cmocka_unit_test(thread_error_reported),
        cmocka_unit_test(bad_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
