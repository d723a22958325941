/* write-test: drives the trace writer through the public API, for the
 * integration tests.
 *
 *   write-test [-f FORMAT] [-c COMMENT] [-a APPL] [-i MS] OUT < SCRIPT
 *   write-test gen [-f FORMAT] [-n N] [-B BYTES] [-s SIZE] [-i MS] [-r PPS]
 *                  [-A BUFFERS] [-m] [-b] OUT
 *   write-test out [gen options] [-P PACKETS] [-Z BYTES] [-G SEC] [-W N]
 *                  TEMPLATE
 *
 * FORMAT is pcap, pcap-ns or pcapng (the default); OUT may be "-".
 *
 * A script has one command a line, fields separated by tabs, each field
 * KEY=VALUE (values may hold spaces; "#" starts a comment line):
 *   iface   linktype= snaplen= name= description= filter= os= fcslen=
 *   pkt     iface= ts=SEC.NSEC len= caplen= hex=BYTES size=N comment= flags=
 *   stats   iface= recv= drop= accept= osdrop= deliv= start=SEC.NSEC end=
 *   flush
 * `iface` prints the id it got. `pkt` data is `hex` or `size` bytes of a
 * counting pattern; caplen defaults to the data length, len to caplen. A
 * failing command prints "error: MESSAGE" on stderr, and write-test closes
 * the file (keeping what was written before) and exits 1.
 *
 * `gen` writes N packets (0: until killed, or until BYTES are written, 1 GiB
 * by default, so that a stray generator cannot fill a disk) of SIZE bytes,
 * 1 µs apart from
 * 1700000000.000000000, each starting with its 0-based number as 8
 * big-endian bytes; with -m, every 10th packet has a comment and flags.
 * -r paces the packets to PPS a second (in bursts of 100).
 * With -b it prints "PACKETS BYTES SECONDS DROPPED" of the write loop on
 * stdout. -A writes asynchronously with that many buffers (of 16 MiB); a
 * packet the writer drops is counted and the next one written.
 *
 * `out` generates as `gen` does, through an output (trawl_output) that
 * splits every PACKETS packets, BYTES bytes or SEC seconds of packet time
 * and keeps the last N files; it prints "open NAME" and "close NAME
 * PACKETS" lines as its callbacks run. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trawl/trawl.h"

static char err[TRAWL_ERRBUF_SIZE];
static trawl_writer *open_writer; /* closed by die() */

/* Where `gen` and `out` write: a writer or an output. */
struct target {
    trawl_writer *w;
    trawl_output *o;
};

static int target_add(struct target *t, const struct trawl_iface *ifc,
                      uint32_t *id) {
    return t->o ? trawl_output_add_iface(t->o, ifc, id, err, sizeof err)
                : trawl_writer_add_iface(t->w, ifc, id, err, sizeof err);
}

static int target_write(struct target *t, const struct trawl_pkt *p) {
    return t->o ? trawl_output_write(t->o, p, err, sizeof err)
                : trawl_writer_write(t->w, p, err, sizeof err);
}

static uint64_t target_bytes(const struct target *t) {
    if (!t->o)
        return trawl_writer_bytes(t->w);
    struct trawl_output_stats st;
    trawl_output_get_stats(t->o, &st);
    return st.bytes;
}

static int target_flush(struct target *t) {
    return t->o ? trawl_output_flush(t->o, err, sizeof err)
                : trawl_writer_flush(t->w, err, sizeof err);
}

static _Noreturn void die(const char *what, const char *msg) {
    fprintf(stderr, "error: %s%s%s\n", what, *what ? ": " : "", msg);
    trawl_writer_close(open_writer, NULL, 0);
    exit(1);
}

static enum trawl_format parse_format(const char *s) {
    if (strcmp(s, "pcap") == 0)
        return TRAWL_FORMAT_PCAP;
    if (strcmp(s, "pcap-ns") == 0)
        return TRAWL_FORMAT_PCAP_NS;
    if (strcmp(s, "pcapng") == 0)
        return TRAWL_FORMAT_PCAPNG;
    die("format", s);
}

/* SEC.NSEC with up to 9 decimals (fewer are scaled). */
static void parse_time(const char *s, int64_t *sec, uint32_t *nsec) {
    char *end;
    *sec = strtoll(s, &end, 10);
    *nsec = 0;
    if (*end == '.') {
        const char *f = end + 1;
        uint32_t scale = 100000000;
        for (; *f >= '0' && *f <= '9' && scale; f++, scale /= 10)
            *nsec += (uint32_t)(*f - '0') * scale;
    }
}

/* ---- script mode --------------------------------------------------------- */

struct cmd {
    char *key[16], *val[16];
    int n;
};

static void split(char *line, struct cmd *c) {
    c->n = 0;
    for (char *tok = strtok(line, "\t\n"); tok && c->n < 16;
         tok = strtok(NULL, "\t\n")) {
        char *eq = strchr(tok, '=');
        c->key[c->n] = tok;
        c->val[c->n] = eq ? eq + 1 : tok + strlen(tok);
        if (eq)
            *eq = '\0';
        c->n++;
    }
}

static const char *get(const struct cmd *c, const char *key) {
    for (int i = 1; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0)
            return c->val[i];
    return NULL;
}

static uint64_t num(const struct cmd *c, const char *key, uint64_t dflt) {
    const char *v = get(c, key);
    return v ? strtoull(v, NULL, 0) : dflt;
}

static size_t packet_data(const struct cmd *c, uint8_t *buf, size_t cap) {
    const char *hex = get(c, "hex");
    size_t n = 0;
    if (hex) {
        for (; hex[0] && hex[1] && n < cap; hex += 2) {
            unsigned b;
            if (sscanf(hex, "%2x", &b) != 1)
                die("hex", hex);
            buf[n++] = (uint8_t)b;
        }
        return n;
    }
    n = (size_t)num(c, "size", 0);
    if (n > cap)
        die("size", "too large");
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)i;
    return n;
}

static void run_command(trawl_writer *w, struct cmd *c) {
    static uint8_t data[300000];
    const char *verb = c->key[0];
    if (strcmp(verb, "iface") == 0) {
        const char *fcs = get(c, "fcslen");
        struct trawl_iface ifc = {
            .linktype = (int)num(c, "linktype", 1),
            .snaplen = (uint32_t)num(c, "snaplen", 0),
            .name = get(c, "name"),
            .description = get(c, "description"),
            .filter = get(c, "filter"),
            .os = get(c, "os"),
            .fcslen = fcs ? atoi(fcs) : -1,
        };
        uint32_t id;
        if (trawl_writer_add_iface(w, &ifc, &id, err, sizeof err) < 0)
            die("", err);
        printf("%" PRIu32 "\n", id);
    } else if (strcmp(verb, "pkt") == 0) {
        struct trawl_pkt p = {.data = data};
        p.caplen = (uint32_t)packet_data(c, data, sizeof data);
        p.caplen = (uint32_t)num(c, "caplen", p.caplen);
        p.len = (uint32_t)num(c, "len", p.caplen);
        p.iface = (uint32_t)num(c, "iface", 0);
        p.comment = get(c, "comment");
        if (get(c, "flags")) {
            p.has_flags = true;
            p.flags = (uint32_t)num(c, "flags", 0);
        }
        const char *ts = get(c, "ts");
        if (ts)
            parse_time(ts, &p.ts_sec, &p.ts_nsec);
        if (trawl_writer_write(w, &p, err, sizeof err) < 0)
            die("", err);
    } else if (strcmp(verb, "stats") == 0) {
        struct trawl_iface_stats st = {
            .received = num(c, "recv", 0),
            .dropped = num(c, "drop", 0),
            .filter_accepted = num(c, "accept", 0),
            .os_dropped = num(c, "osdrop", 0),
            .delivered = num(c, "deliv", 0),
        };
        if (get(c, "start"))
            parse_time(get(c, "start"), &st.start_sec, &st.start_nsec);
        if (get(c, "end"))
            parse_time(get(c, "end"), &st.end_sec, &st.end_nsec);
        if (trawl_writer_set_stats(w, (uint32_t)num(c, "iface", 0), &st) < 0)
            die("stats", "refused");
    } else if (strcmp(verb, "flush") == 0) {
        if (trawl_writer_flush(w, err, sizeof err) < 0)
            die("", err);
    } else {
        die("unknown command", verb);
    }
}

static int run_script(trawl_writer *w) {
    char line[70000];
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        struct cmd c;
        split(line, &c);
        if (c.n)
            run_command(w, &c);
    }
    fflush(stdout);
    return 0;
}

/* ---- generator mode ------------------------------------------------------ */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void generate(struct target *w, uint64_t n, uint64_t max_bytes,
                     uint32_t size, double pps, bool mixed, bool bench) {
    static uint8_t data[65536];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    uint32_t id;
    struct trawl_iface ifc = {.linktype = 1, .name = "gen0", .fcslen = -1};
    if (target_add(w, &ifc, &id) < 0)
        die("", err);
    struct trawl_pkt p = {.ts_sec = 1700000000,
                          .caplen = size,
                          .len = size,
                          .iface = id,
                          .data = data};
    double t0 = now_s();
    uint64_t i, dropped = 0;
    for (i = 0; n ? i < n : target_bytes(w) < max_bytes; i++) {
        for (int b = 0; b < 8 && b < (int)size; b++)
            data[b] = (uint8_t)(i >> (56 - 8 * b));
        bool extra = mixed && i % 10 == 0;
        p.comment = extra ? "every tenth packet" : NULL;
        p.has_flags = extra;
        p.flags = TRAWL_PKT_DIR_IN;
        int rc = target_write(w, &p);
        if (rc < 0)
            die("", err);
        dropped += rc == TRAWL_WRITER_DROPPED;
        if (pps > 0 && i % 100 == 99) {
            double ahead = (double)(i + 1) / pps - (now_s() - t0);
            if (ahead > 0) {
                struct timespec nap = {
                    .tv_sec = (time_t)ahead,
                    .tv_nsec = (long)((ahead - (double)(time_t)ahead) * 1e9)};
                nanosleep(&nap, NULL);
            }
        }
        p.ts_nsec += 1000;
        if (p.ts_nsec == 1000000000u) {
            p.ts_nsec = 0;
            p.ts_sec++;
        }
    }
    if (target_flush(w) < 0)
        die("", err);
    double dt = now_s() - t0;
    if (bench)
        printf("%" PRIu64 " %" PRIu64 " %.6f %" PRIu64 "\n", i,
               target_bytes(w), dt, dropped);
}

static void on_open(void *ctx, const struct trawl_output_file *f) {
    (void)ctx;
    printf("open %s\n", f->path);
    fflush(stdout);
}

static void on_close(void *ctx, const struct trawl_output_file *f) {
    (void)ctx;
    printf("close %s %" PRIu64 "\n", f->path, f->packets);
    fflush(stdout);
}

int main(int argc, char **argv) {
    bool out = argc > 1 && strcmp(argv[1], "out") == 0;
    bool gen = out || (argc > 1 && strcmp(argv[1], "gen") == 0);
    struct trawl_output_options oo = {.on_open = on_open,
                                      .on_close = on_close};
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAPNG};
    uint64_t n = 1000, max_bytes = 1ull << 30;
    uint32_t size = 64;
    double pps = 0;
    bool mixed = false, bench = false;
    int c;
    optind = gen ? 2 : 1;
    while ((c = getopt(argc, argv, "f:c:a:i:n:B:s:r:A:P:Z:G:W:mb")) != -1) {
        switch (c) {
        case 'f': o.format = parse_format(optarg); break;
        case 'c': o.section_comment = optarg; break;
        case 'a': o.application = optarg; break;
        case 'i': o.flush_interval_ms = (unsigned)atoi(optarg); break;
        case 'n': n = strtoull(optarg, NULL, 10); break;
        case 'B': max_bytes = strtoull(optarg, NULL, 10); break;
        case 's': size = (uint32_t)atoi(optarg); break;
        case 'r': pps = atof(optarg); break;
        case 'A': o.async_buffers = (unsigned)atoi(optarg); break;
        case 'P': oo.split_packets = strtoull(optarg, NULL, 10); break;
        case 'Z': oo.split_bytes = strtoull(optarg, NULL, 10); break;
        case 'G': oo.split_seconds = strtoull(optarg, NULL, 10); break;
        case 'W': oo.max_files = (unsigned)atoi(optarg); break;
        case 'm': mixed = true; break;
        case 'b': bench = true; break;
        default: return 2;
        }
    }
    if (optind != argc - 1 || size > 65536) {
        fprintf(stderr, "usage: write-test [gen] [options] OUT\n");
        return 2;
    }
    struct target t = {0};
    if (out) {
        oo.path = argv[optind];
        oo.format = o.format;
        oo.section_comment = o.section_comment;
        oo.application = o.application;
        oo.flush_interval_ms = o.flush_interval_ms;
        oo.async_buffers = o.async_buffers;
        if (trawl_output_open(&t.o, &oo, err, sizeof err) < 0)
            die("", err);
        generate(&t, n, max_bytes, size, pps, mixed, bench);
        if (trawl_output_close(t.o, err, sizeof err) < 0)
            die("", err);
        return 0;
    }
    if (trawl_writer_open(&t.w, argv[optind], &o, err, sizeof err) < 0)
        die("", err);
    open_writer = t.w;
    if (gen)
        generate(&t, n, max_bytes, size, pps, mixed, bench);
    else
        run_script(t.w);
    open_writer = NULL;
    if (trawl_writer_close(t.w, err, sizeof err) < 0)
        die("", err);
    return 0;
}
