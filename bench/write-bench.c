/* write-bench: how fast trace files can be written, by each write path.
 *
 *   write-bench [-d DIR] [-m MB] [-r PPS] [-s SIZE] [-n RUNS] [-A BUFFERS]
 *               [-S MIB] [MODE...]
 *
 * Writes MB megabytes (default 2000) of SIZE-byte records (default 1514,
 * a full Ethernet frame) to DIR (default /var/tmp) through each MODE, RUNS
 * times interleaved, and prints one markdown row per run: records and
 * megabytes written per second, packets dropped, CPU time (user and
 * system, all threads) and the producer thread's own CPU time per record.
 *
 * Modes: sync-pcap, sync-pcapng (trawl's writer: the caller writes each
 * full 1 MiB buffer itself with O_DIRECT), async-pcap, async-pcapng (the
 * writer's thread does, from BUFFERS buffers of MIB MiB, default 8 x 16
 * as in trawl capture),
 * and stdio-pcap (records fwrite()n into a 1 MiB stdio buffer and written
 * through the page cache, as libpcap's pcap_dump does). Default: all.
 *
 * Without -r the producer offers records as fast as it can: a synchronous
 * path then runs at the speed of its writes, an asynchronous one drops
 * what its thread cannot write in time (the records/s column counts only
 * what reached the file). With -r PPS records are offered at that rate
 * (checked against the clock every 64 records), as a capture would, and
 * the question is whether any is dropped (asynchronous) or the rate held
 * (synchronous: the "offered/s" column falls short when writes block).
 * The file is removed after each run. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "trawl/trawl.h"

struct cfg {
    const char *dir;
    uint64_t bytes;
    double pps;
    uint32_t size;
    unsigned buffers;
    size_t buffer_size;
};

struct result {
    uint64_t written, dropped;
    double wall, user, sys, producer;
};

static double mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double thread_cpu(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cpu(double *user, double *sys) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Sleeps until record i is due at `pps` records a second from t0. */
static void pace(double t0, uint64_t i, double pps) {
    if (pps <= 0 || i % 64)
        return;
    double ahead = (double)i / pps - (mono() - t0);
    if (ahead > 0.0002) {
        struct timespec nap = {.tv_sec = (time_t)ahead,
                               .tv_nsec = (long)((ahead - (double)(time_t)ahead) *
                                                 1e9)};
        nanosleep(&nap, NULL);
    }
}

static int run_trawl(const struct cfg *c, const char *path,
                     enum trawl_format fmt, bool async, struct result *res) {
    char err[TRAWL_ERRBUF_SIZE];
    struct trawl_writer_options o = {
        .format = fmt,
        .flush_interval_ms = 500,
        .async_buffers = async ? c->buffers : 0,
        .async_buffer_size = c->buffer_size,
    };
    trawl_writer *w;
    if (trawl_writer_open(&w, path, &o, err, sizeof err) < 0) {
        fprintf(stderr, "write-bench: %s\n", err);
        return -1;
    }
    struct trawl_iface ifc = {.linktype = 1, .snaplen = 65535, .fcslen = -1};
    uint32_t id;
    if (trawl_writer_add_iface(w, &ifc, &id, err, sizeof err) < 0) {
        fprintf(stderr, "write-bench: %s\n", err);
        trawl_writer_close(w, NULL, 0);
        return -1;
    }
    static uint8_t frame[65536];
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 13);
    struct trawl_pkt p = {.ts_sec = 1700000000,
                          .caplen = c->size,
                          .len = c->size,
                          .iface = id,
                          .data = frame};
    uint64_t n = c->bytes / (c->size + 16u), i;
    double t0 = mono(), p0 = thread_cpu();
    for (i = 0; i < n; i++) {
        pace(t0, i, c->pps);
        memcpy(frame, &i, sizeof i);
        p.ts_nsec = (uint32_t)(i % 1000000u) * 1000u;
        p.ts_sec = 1700000000 + (int64_t)(i / 1000000u);
        int rc = trawl_writer_write(w, &p, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "write-bench: %s\n", err);
            trawl_writer_close(w, NULL, 0);
            return -1;
        }
    }
    res->producer = thread_cpu() - p0;
    struct trawl_writer_stats st;
    trawl_writer_get_stats(w, &st);
    if (trawl_writer_close(w, err, sizeof err) < 0) {
        fprintf(stderr, "write-bench: %s\n", err);
        return -1;
    }
    res->wall = mono() - t0;
    res->written = st.packets;
    res->dropped = st.dropped;
    return 0;
}

/* The libpcap way: a stdio stream over the page cache. */
static int run_stdio(const struct cfg *c, const char *path,
                     struct result *res) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "write-bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    static char sbuf[1 << 20];
    setvbuf(f, sbuf, _IOFBF, sizeof sbuf);
    uint8_t hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    hdr[16] = 0xff;
    hdr[17] = 0xff;
    hdr[20] = 1;
    fwrite(hdr, 1, sizeof hdr, f);
    static uint8_t frame[65536];
    uint64_t n = c->bytes / (c->size + 16u), i;
    double t0 = mono(), p0 = thread_cpu();
    for (i = 0; i < n; i++) {
        pace(t0, i, c->pps);
        uint32_t rec[4] = {1700000000u + (uint32_t)(i / 1000000u),
                           (uint32_t)(i % 1000000u), c->size, c->size};
        memcpy(frame, &i, sizeof i);
        fwrite(rec, 1, sizeof rec, f);
        fwrite(frame, 1, c->size, f);
    }
    int rc = fclose(f);
    res->producer = thread_cpu() - p0;
    res->wall = mono() - t0;
    res->written = i;
    res->dropped = 0;
    return rc == 0 ? 0 : -1;
}

static const char *const modes[] = {"sync-pcap", "sync-pcapng", "async-pcap",
                                    "async-pcapng", "stdio-pcap"};

static int run_mode(const struct cfg *c, const char *mode, struct result *res) {
    char path[4096];
    snprintf(path, sizeof path, "%s/write-bench-%d.%s", c->dir, (int)getpid(),
             strstr(mode, "pcapng") ? "pcapng" : "pcap");
    double u0, s0, u1, s1;
    cpu(&u0, &s0);
    int rc;
    if (strcmp(mode, "stdio-pcap") == 0)
        rc = run_stdio(c, path, res);
    else
        rc = run_trawl(c, path,
                       strstr(mode, "pcapng") ? TRAWL_FORMAT_PCAPNG
                                              : TRAWL_FORMAT_PCAP,
                       strncmp(mode, "async", 5) == 0, res);
    cpu(&u1, &s1);
    res->user = u1 - u0;
    res->sys = s1 - s0;
    unlink(path);
    return rc;
}

int main(int argc, char **argv) {
    struct cfg c = {.dir = "/var/tmp",
                    .bytes = 2000ull * 1000000u,
                    .size = 1514,
                    .buffers = 8,
                    .buffer_size = 16u << 20};
    unsigned runs = 1;
    int opt;
    while ((opt = getopt(argc, argv, "d:m:r:s:n:A:S:")) != -1) {
        switch (opt) {
        case 'd': c.dir = optarg; break;
        case 'm': c.bytes = strtoull(optarg, NULL, 10) * 1000000u; break;
        case 'r': c.pps = atof(optarg); break;
        case 's': c.size = (uint32_t)atoi(optarg); break;
        case 'n': runs = (unsigned)atoi(optarg); break;
        case 'A': c.buffers = (unsigned)atoi(optarg); break;
        case 'S': c.buffer_size = strtoull(optarg, NULL, 10) << 20; break;
        default:
            fprintf(stderr, "usage: write-bench [-d DIR] [-m MB] [-r PPS] "
                            "[-s SIZE] [-n RUNS] [-A BUFFERS] [-S MIB] "
                            "[MODE...]\n");
            return 2;
        }
    }
    if (c.size == 0 || c.size > 65536) {
        fprintf(stderr, "write-bench: -s wants 1 to 65536\n");
        return 2;
    }
    const char *const *list = modes;
    size_t nlist = sizeof modes / sizeof modes[0];
    if (optind < argc) {
        list = (const char *const *)argv + optind;
        nlist = (size_t)(argc - optind);
    }
    printf("%u-byte records, %.0f MB per run, %s, to %s; async: %u x %zu "
           "MiB\n\n",
           c.size, (double)c.bytes / 1e6,
           c.pps > 0 ? "offered at a fixed rate" : "offered flat out", c.dir,
           c.buffers, c.buffer_size >> 20);
    if (c.pps > 0)
        printf("offered rate: %.0f records/s (%.0f MB/s)\n\n", c.pps,
               c.pps * (c.size + 16) / 1e6);
    printf("| mode | run | written | dropped | wall s | offered/s | "
           "written/s | MB/s | user s | sys s | producer ns/record |\n"
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
           "---: | ---: |\n");
    for (unsigned r = 0; r < runs; r++) {
        for (size_t m = 0; m < nlist; m++) {
            struct result res;
            if (run_mode(&c, list[m], &res) < 0)
                return 1;
            uint64_t offered = res.written + res.dropped;
            printf("| %s | %u | %" PRIu64 " | %" PRIu64 " | %.3f | %.0f | "
                   "%.0f | %.0f | %.2f | %.2f | %.0f |\n",
                   list[m], r + 1, res.written, res.dropped, res.wall,
                   (double)offered / res.wall, (double)res.written / res.wall,
                   (double)res.written * (c.size + 16) / res.wall / 1e6,
                   res.user, res.sys, res.producer * 1e9 / (double)offered);
            fflush(stdout);
        }
    }
    return 0;
}
