/* Unit tests of the output object (sink/output.c) and its files
 * (sink/dir.c, sink/ring.c): split files, their names and index
 * suffixes, the ring, confinement, one or several interfaces, rotation on
 * request, an empty output, the asynchronous mode, the wall-clock
 * tick and flushing by time, all read back with trawl's reader. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "core/core.h"
#include "sink/ring.h"
#include "trawl/output.h"
#include "trawl/reader.h"

#define T0 1700000000 /* 2023-11-14 22:13:20 UTC */

static char err[TRAWL_ERRBUF_SIZE];

static int make_dir(void **state) {
    setenv("TZ", "UTC0", 1);
    tzset();
    char *d = strdup("/tmp/trawl-test-output-XXXXXX");
    if (!d || !mkdtemp(d))
        return -1;
    *state = d;
    return 0;
}

static int remove_dir(void **state) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
    int rc = system(cmd);
    free(*state);
    return rc == 0 ? 0 : -1;
}

/* The directory's file names, sorted, joined with spaces. */
static const char *listing(const char *dir) {
    static char out[4096];
    char *names[256];
    size_t n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(out, i ? " " : "");
        strcat(out, names[i]);
        free(names[i]);
    }
    return out;
}

/* Packets and interfaces in a file, read back. */
struct contents {
    uint64_t packets;
    size_t ifaces;
    uint32_t iface_of_last;
    int64_t first_sec, last_sec;
};

static struct contents read_back(const char *path) {
    trawl_reader *r;
    const char *paths[] = {path};
    assert_int_equal(trawl_reader_open(&r, paths, 1, NULL, err, sizeof err),
                     0);
    struct contents c = {0};
    struct trawl_pkt p;
    int rc;
    while ((rc = trawl_reader_next(r, &p, err, sizeof err)) > 0) {
        if (!c.packets)
            c.first_sec = p.ts_sec;
        c.last_sec = p.ts_sec;
        c.iface_of_last = p.iface;
        c.packets++;
    }
    assert_int_equal(rc, 0);
    c.ifaces = trawl_reader_iface_count(r);
    trawl_reader_close(r);
    return c;
}

static const char *in(void **state, const char *name) {
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", (char *)*state, name);
    return p;
}

/* What the callbacks saw, one line per call. */
struct log {
    char lines[64][160];
    size_t n;
};

static void log_call(struct log *l, const char *what,
                     const struct trawl_output_file *f) {
    static const char *const reasons[] = {"open", "size", "packets",
                                          "duration", "requested", "end"};
    const char *base = strrchr(f->path, '/');
    if (l->n < 64)
        snprintf(l->lines[l->n++], sizeof l->lines[0],
                 "%s %s #%llu %llu pkts %lld-%lld %s", what,
                 base ? base + 1 : f->path, (unsigned long long)f->seq,
                 (unsigned long long)f->packets,
                 (long long)(f->first_sec - T0),
                 (long long)(f->last_sec - T0), reasons[f->reason]);
}
static void on_open(void *ctx, const struct trawl_output_file *f) {
    log_call(ctx, "open", f);
}
static void on_close(void *ctx, const struct trawl_output_file *f) {
    assert_int_equal(f->error, 0);
    log_call(ctx, "close", f);
}
static void on_remove(void *ctx, const struct trawl_output_file *f) {
    log_call(ctx, "remove", f);
}

static const uint8_t frame[64] = {1, 2, 3};

static void put(trawl_output *o, uint32_t iface, int64_t sec) {
    struct trawl_pkt p = {.ts_sec = sec,
                          .caplen = sizeof frame,
                          .len = sizeof frame,
                          .iface = iface,
                          .data = frame};
    /* An asynchronous output whose buffers are all still being written
     * drops the packet; these tests want every packet, so they wait. */
    int rc;
    while ((rc = trawl_output_write(o, &p, err, sizeof err)) ==
           TRAWL_WRITER_DROPPED)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    assert_int_equal(rc, 0);
}

static uint32_t eth(trawl_output *o, const char *name, int linktype) {
    struct trawl_iface ifc = {.linktype = linktype, .name = name,
                              .fcslen = -1};
    uint32_t id;
    assert_int_equal(trawl_output_add_iface(o, &ifc, &id, err, sizeof err),
                     0);
    return id;
}

static trawl_output *open_out(struct trawl_output_options *opt,
                              struct log *log) {
    opt->on_open = on_open;
    opt->on_close = on_close;
    opt->on_remove = on_remove;
    opt->ctx = log;
    trawl_output *o;
    assert_int_equal(trawl_output_open(&o, opt, err, sizeof err), 0);
    return o;
}

/* A plain name split by packet count: the first file has the name, the
 * others an index; the callbacks say what went where. */
static void split_by_packets(void **state, unsigned async) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "cut.pcap"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAP,
                                       .split_packets = 3,
                                       .async_buffers = async};
    trawl_output *o = open_out(&opt, &log);
    uint32_t id = eth(o, "eth0", 1);
    /* Lazily created: nothing on disk before the first packet. */
    assert_string_equal(listing(*state), "");
    for (int i = 0; i < 10; i++)
        put(o, id, T0 + i);
    struct trawl_output_stats st;
    trawl_output_get_stats(o, &st);
    assert_int_equal(st.files, 4);
    assert_int_equal(st.packets, 10);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    assert_string_equal(listing(*state),
                        "cut.pcap cut_1.pcap cut_2.pcap cut_3.pcap");
    static const char *const files[] = {"cut.pcap", "cut_1.pcap",
                                        "cut_2.pcap", "cut_3.pcap"};
    for (int i = 0; i < 4; i++) {
        struct contents c = read_back(in(state, files[i]));
        assert_int_equal(c.packets, i < 3 ? 3 : 1);
        assert_int_equal(c.first_sec, T0 + 3 * i);
    }
    if (async) {
        /* Closes are reported once the thread has done them, in order,
         * after the opens that came before. */
        assert_int_equal(log.n, 8);
        size_t closes = 0;
        for (size_t i = 0; i < log.n; i++)
            closes += strncmp(log.lines[i], "close", 5) == 0;
        assert_int_equal(closes, 4);
        assert_string_equal(log.lines[7],
                            "close cut_3.pcap #3 1 pkts 9-9 end");
        return;
    }
    static const char *const want[] = {
        "open cut.pcap #0 0 pkts 0-0 open",
        "close cut.pcap #0 3 pkts 0-2 packets",
        "open cut_1.pcap #1 0 pkts 3-3 open",
        "close cut_1.pcap #1 3 pkts 3-5 packets",
        "open cut_2.pcap #2 0 pkts 6-6 open",
        "close cut_2.pcap #2 3 pkts 6-8 packets",
        "open cut_3.pcap #3 0 pkts 9-9 open",
        "close cut_3.pcap #3 1 pkts 9-9 end",
    };
    assert_int_equal(log.n, TRAWL_ARRAY_LEN(want));
    for (size_t i = 0; i < log.n; i++)
        assert_string_equal(log.lines[i], want[i]);
}

static void split_sync(void **state) {
    split_by_packets(state, 0);
}

static void split_async(void **state) {
    split_by_packets(state, 2);
}

/* A name that exists is never overwritten by a split output; a single
 * file asked to overwrite replaces it, else takes an index. */
static void existing_names(void **state) {
    FILE *f = fopen(in(state, "old.pcap"), "w");
    assert_non_null(f);
    fputs("keep me", f);
    fclose(f);
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "old.pcap"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAP,
                                       .split_packets = 1};
    trawl_output *o = open_out(&opt, &log);
    uint32_t id = eth(o, "eth0", 1);
    put(o, id, T0);
    put(o, id, T0);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    assert_string_equal(listing(*state), "old.pcap old_1.pcap old_2.pcap");
    struct stat sb;
    assert_int_equal(stat(in(state, "old.pcap"), &sb), 0);
    assert_int_equal(sb.st_size, 7);

    /* One file, no overwrite: an index too. Created at once (a plain
     * name without splitting). */
    opt.split_packets = 0;
    o = open_out(&opt, &log);
    assert_string_equal(listing(*state),
                        "old.pcap old_1.pcap old_2.pcap old_3.pcap");
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    /* With overwrite, the name itself. */
    opt.overwrite = true;
    o = open_out(&opt, &log);
    eth(o, "eth0", 1);
    put(o, 0, T0);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    assert_int_equal(read_back(in(state, "old.pcap")).packets, 1);
}

/* strftime names at the time of each file's first packet, or, aligned,
 * of its period's start; a second file in the same second takes an
 * index; the ring keeps the last two and names still sort in order. */
static void names_by_time_and_ring(void **state) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "c-%H%M%S.pcapng"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAPNG,
                                       .split_seconds = 300,
                                       .align = true,
                                       .split_packets = 2,
                                       .max_files = 3};
    trawl_output *o = open_out(&opt, &log);
    uint32_t id = eth(o, "eth0", 1);
    /* T0 is 22:13:20: the period 22:10-22:15 gets three packets (two
     * files), the next period one, then 22:30 one. */
    put(o, id, T0);
    put(o, id, T0 + 60);
    put(o, id, T0 + 90);
    put(o, id, T0 + 100); /* 22:15:00 */
    put(o, id, T0 + 1100); /* 22:31:40 */
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    /* c-221000.pcapng (2 packets) was removed by the ring. */
    assert_string_equal(listing(*state),
                        "c-221000_1.pcapng c-221500.pcapng c-223000.pcapng");
    assert_int_equal(read_back(in(state, "c-221000_1.pcapng")).packets, 1);
    assert_int_equal(read_back(in(state, "c-223000.pcapng")).first_sec,
                     T0 + 1100);
    size_t removes = 0;
    for (size_t i = 0; i < log.n; i++)
        if (strncmp(log.lines[i], "remove", 6) == 0) {
            removes++;
            assert_string_equal(log.lines[i],
                                "remove c-221000.pcapng #0 2 pkts 0-60 "
                                "packets");
        }
    assert_int_equal(removes, 1);
}

/* The ring: with one file kept, each new file removes the previous one,
 * and an index keeps growing though its base name is free again. */
static void ring_of_one(void **state) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "r.pcap"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAP,
                                       .split_packets = 1,
                                       .max_files = 1};
    trawl_output *o = open_out(&opt, &log);
    eth(o, "eth0", 1);
    for (int i = 0; i < 5; i++)
        put(o, 0, T0 + i);
    struct trawl_output_stats st;
    trawl_output_get_stats(o, &st);
    assert_int_equal(st.removed, 4);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    assert_string_equal(listing(*state), "r_4.pcap");
    assert_int_equal(read_back(in(state, "r_4.pcap")).first_sec, T0 + 4);
}

static void ring_module(void **state) {
    (void)state;
    struct sink_ring r;
    assert_int_equal(sink_ring_init(&r, 3), 0);
    int v[6];
    for (int i = 0; i < 3; i++)
        assert_null(sink_ring_push(&r, &v[i]));
    assert_ptr_equal(sink_ring_push(&r, &v[3]), &v[0]);
    assert_ptr_equal(sink_ring_push(&r, &v[4]), &v[1]);
    assert_ptr_equal(sink_ring_pop(&r), &v[2]);
    assert_ptr_equal(sink_ring_push(&r, &v[5]), NULL);
    assert_ptr_equal(sink_ring_pop(&r), &v[3]);
    assert_ptr_equal(sink_ring_pop(&r), &v[4]);
    assert_ptr_equal(sink_ring_pop(&r), &v[5]);
    assert_null(sink_ring_pop(&r));
    sink_ring_free(&r);
}

/* Confined names: refused when they say to leave the directory, and
 * refused by the kernel when a link on the way leads out of it. */
static void confinement(void **state) {
    struct trawl_output_options opt = {.directory = *state,
                                       .format = TRAWL_FORMAT_PCAP};
    static const struct {
        const char *tmpl, *why;
    } bad[] = {
        {"../x.pcap", "'..' component"},
        {"/tmp/x.pcap", "absolute path"},
        {"a/%Y/../../../x.pcap", "'..' component"},
    };
    trawl_output *o;
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(bad); i++) {
        opt.path = bad[i].tmpl;
        assert_int_equal(trawl_output_open(&o, &opt, err, sizeof err),
                         TRAWL_EINVAL);
        assert_non_null(strstr(err, bad[i].why));
    }
    /* A link inside that points out. */
    char outside[512];
    snprintf(outside, sizeof outside, "%s-outside", (char *)*state);
    assert_int_equal(mkdir(outside, 0777), 0);
    assert_int_equal(symlink(outside, in(state, "out")), 0);
    opt.path = "out/x.pcap";
    assert_int_equal(trawl_output_open(&o, &opt, err, sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "leads out of"));
    assert_int_equal(rmdir(outside), 0); /* nothing was created there */
    /* Subdirectories from the template are made, inside. */
    opt.path = "sub/%Y/x.pcap";
    opt.split_packets = 1;
    assert_int_equal(trawl_output_open(&o, &opt, err, sizeof err), 0);
    eth(o, "eth0", 1);
    put(o, 0, T0);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    assert_int_equal(read_back(in(state, "sub/2023/x.pcap")).packets, 1);
}

/* pcapng keeps each interface; single-interface mode writes one. */
static void interfaces(void **state) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "multi.pcapng"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAPNG};
    trawl_output *o = open_out(&opt, &log);
    uint32_t a = eth(o, "eth0", 1), b = eth(o, "eth1", 1);
    put(o, a, T0);
    put(o, b, T0);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    struct contents c = read_back(tmpl);
    assert_int_equal(c.ifaces, 2);
    assert_int_equal(c.iface_of_last, 1);

    snprintf(tmpl, sizeof tmpl, "%s", in(state, "single.pcapng"));
    opt.single_interface = true;
    o = open_out(&opt, &log);
    a = eth(o, "eth0", 1);
    b = eth(o, "eth1", 1);
    put(o, a, T0);
    put(o, b, T0);
    struct trawl_iface other = {.linktype = 113, .name = "any", .fcslen = -1};
    uint32_t id;
    assert_int_equal(trawl_output_add_iface(o, &other, &id, err, sizeof err),
                     TRAWL_EUNSUPPORTED);
    assert_non_null(strstr(err, "interface 2 (any) is LINKTYPE 113 but the first is 1"));
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    c = read_back(tmpl);
    assert_int_equal(c.ifaces, 1);
    assert_int_equal(c.packets, 2);
    assert_int_equal(c.iface_of_last, 0);
}

/* trawl_output_rotate: the next packet starts a new file. */
static void rotate_on_request(void **state) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "h.pcap"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAP,
                                       .split_bytes = 1000000};
    trawl_output *o = open_out(&opt, &log);
    eth(o, "eth0", 1);
    put(o, 0, T0);
    put(o, 0, T0 + 1);
    trawl_output_rotate(o);
    put(o, 0, T0 + 2);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    assert_string_equal(listing(*state), "h.pcap h_1.pcap");
    assert_string_equal(log.lines[1], "close h.pcap #0 2 pkts 0-1 requested");
}

/* Size limits count the file's bytes exactly: no file passes the limit,
 * and each holds as many packets as fit. */
static void split_by_size(void **state) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "s.pcapng"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAPNG,
                                       .split_bytes = 4000};
    trawl_output *o = open_out(&opt, &log);
    eth(o, "eth0", 1);
    for (int i = 0; i < 100; i++)
        put(o, 0, T0 + i);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    uint64_t total = 0, files = 0, short_files = 0;
    DIR *d = opendir(*state);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        struct stat sb;
        assert_int_equal(stat(in(state, e->d_name), &sb), 0);
        assert_true(sb.st_size <= 4000);
        /* Another 96-byte packet would not have fitted, but in the last
         * file. */
        short_files += sb.st_size <= 4000 - 96;
        files++;
        total += read_back(in(state, e->d_name)).packets;
    }
    closedir(d);
    assert_int_equal(total, 100);
    assert_true(files >= 3);
    assert_true(short_files <= 1);
}

/* An output that never got a packet leaves one valid, empty file. */
static void empty_output(void **state) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "e-%Y.pcap"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAP,
                                       .split_seconds = 60};
    trawl_output *o = open_out(&opt, &log);
    eth(o, "eth0", 1);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    char want[32];
    time_t now = time(NULL);
    strftime(want, sizeof want, "e-%Y.pcap", gmtime(&now));
    assert_string_equal(listing(*state), want);
    assert_int_equal(read_back(in(state, want)).packets, 0);
}

/* Idle: the tick closes a file whose period ended by the wall clock. */
static void tick_closes_idle_file(void **state) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "t.pcap"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAP,
                                       .split_seconds = 1};
    trawl_output *o = open_out(&opt, &log);
    eth(o, "eth0", 1);
    put(o, 0, time(NULL));
    assert_int_equal(trawl_output_tick(o, err, sizeof err), 0);
    assert_int_equal(log.n, 1);
    nanosleep(&(struct timespec){.tv_sec = 1, .tv_nsec = 100000000}, NULL);
    assert_int_equal(trawl_output_tick(o, err, sizeof err), 0);
    assert_int_equal(log.n, 2);
    assert_non_null(strstr(log.lines[1], "duration"));
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    assert_int_equal(log.n, 2); /* nothing more to close */
}

static long long size_of(const char *path) {
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return (long long)sb.st_size;
}

/* Flushing by time: packets older than the interval reach the file with
 * the next packet, or at a tick; with TRAWL_OUTPUT_NO_TIMED_FLUSH they
 * wait for a full buffer, a flush or the close. */
static void timed_flush(void **state, unsigned interval, bool by_time) {
    struct log log = {0};
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s", in(state, "f.pcap"));
    struct trawl_output_options opt = {.path = tmpl,
                                       .format = TRAWL_FORMAT_PCAP,
                                       .flush_interval_ms = interval};
    trawl_output *o = open_out(&opt, &log);
    eth(o, "eth0", 1);
    const long long header = 24, rec = 16 + sizeof frame;
    assert_int_equal(size_of(tmpl), header); /* headers go out at once */
    struct timespec wait = {.tv_nsec = 50 * 1000000}; /* 5 intervals */
    put(o, 0, T0);
    nanosleep(&wait, NULL);
    put(o, 0, T0 + 1);
    assert_int_equal(size_of(tmpl), by_time ? header + 2 * rec : header);
    put(o, 0, T0 + 2);
    nanosleep(&wait, NULL);
    assert_int_equal(trawl_output_tick(o, err, sizeof err), 0);
    assert_int_equal(size_of(tmpl), by_time ? header + 3 * rec : header);
    assert_int_equal(trawl_output_flush(o, err, sizeof err), 0);
    assert_int_equal(size_of(tmpl), header + 3 * rec);
    put(o, 0, T0 + 3);
    assert_int_equal(trawl_output_close(o, err, sizeof err), 0);
    assert_int_equal(read_back(tmpl).packets, 4);
}
static void flush_by_time(void **state) {
    timed_flush(state, 10, true);
}
static void no_timed_flush(void **state) {
    timed_flush(state, TRAWL_OUTPUT_NO_TIMED_FLUSH, false);
}

static void refusals(void **state) {
    (void)state;
    trawl_output *o;
    struct trawl_output_options opt = {.path = "-", .split_packets = 3};
    assert_int_equal(trawl_output_open(&o, &opt, err, sizeof err),
                     TRAWL_EINVAL);
    assert_string_equal(err, "output: standard output cannot be split into "
                             "files");
    opt = (struct trawl_output_options){.path = "x", .align = true};
    assert_int_equal(trawl_output_open(&o, &opt, err, sizeof err),
                     TRAWL_EINVAL);
    opt.split_seconds = 86401;
    assert_int_equal(trawl_output_open(&o, &opt, err, sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "at most a day"));
    opt = (struct trawl_output_options){.path = "x.pcap",
                                        .directory = "/nonexistent-trawl"};
    assert_int_equal(trawl_output_open(&o, &opt, err, sizeof err),
                     TRAWL_ENOENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, make_dir, remove_dir)
        T(split_sync),
        T(split_async),
        T(existing_names),
        T(names_by_time_and_ring),
        T(ring_of_one),
        T(ring_module),
        T(confinement),
        T(interfaces),
        T(rotate_on_request),
        T(split_by_size),
        T(empty_output),
        T(tick_closes_idle_file),
        T(flush_by_time),
        T(no_timed_flush),
        T(refusals),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
