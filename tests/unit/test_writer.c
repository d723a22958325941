/* Unit tests of the trace writer: exact bytes of pcap and pcapng output,
 * refusals, write errors, standard output, and that the file only ever
 * grows by whole records. */
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "trawl/reader.h"
#include "trawl/writer.h"

static char err[TRAWL_ERRBUF_SIZE];

/* Each test gets a fresh directory; *state is its path. */
static int make_dir(void **state) {
    char *d = strdup("/tmp/trawl-test-writer-XXXXXX");
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

static char *path_in(void **state, const char *name) {
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", (char *)*state, name);
    return p;
}

/* The whole file; the caller frees it. */
static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* The whole file, which must be `want` bytes long; the caller frees it. */
static uint8_t *slurp_sized(const char *path, size_t want) {
    size_t n;
    uint8_t *b = slurp(path, &n);
    assert_int_equal(n, want);
    return b;
}

static off_t file_size(const char *path) {
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static const uint8_t abcd[4] = {'a', 'b', 'c', 'd'};

static struct trawl_pkt sample_pkt(uint32_t iface) {
    return (struct trawl_pkt){.ts_sec = 1700000000,
                              .ts_nsec = 123456789,
                              .caplen = 4,
                              .len = 60,
                              .iface = iface,
                              .data = abcd};
}

static trawl_writer *open_fmt(const char *path, enum trawl_format fmt) {
    struct trawl_writer_options o = {.format = fmt, .application = "test"};
    trawl_writer *w = NULL;
    assert_int_equal(trawl_writer_open(&w, path, &o, err, sizeof err), 0);
    return w;
}

static uint32_t add(trawl_writer *w, int linktype, uint32_t snaplen) {
    struct trawl_iface ifc = {
        .linktype = linktype, .snaplen = snaplen, .fcslen = -1};
    uint32_t id = 99;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err), 0);
    return id;
}

/* ---- pcap ---------------------------------------------------------------- */

static void write_one_pcap(void **state, enum trawl_format fmt,
                           const uint8_t *want, size_t want_len) {
    const char *p = path_in(state, "one.pcap");
    trawl_writer *w = open_fmt(p, fmt);
    uint32_t id = add(w, 1, 65535);
    assert_int_equal(id, 0);
    struct trawl_pkt pkt = sample_pkt(id);
    pkt.comment = "dropped in pcap";
    pkt.has_flags = true;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_bytes(w), want_len);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    uint8_t *b = slurp_sized(p, want_len);
    assert_memory_equal(b, want, want_len);
    free(b);
}

static void pcap_us_bytes(void **state) {
    static const uint8_t want[] = {
        0xd4, 0xc3, 0xb2, 0xa1, 2,  0, 4, 0, /* magic, version 2.4 */
        0,    0,    0,    0,    0,  0, 0, 0, /* thiszone, sigfigs */
        0xff, 0xff, 0,    0,    1,  0, 0, 0, /* snaplen, LINKTYPE 1 */
        0x00, 0xf1, 0x53, 0x65,              /* 1700000000 s */
        0x40, 0xe2, 0x01, 0x00,              /* 123456 µs */
        4,    0,    0,    0,    60, 0, 0, 0, /* caplen, len */
        'a',  'b',  'c',  'd'};
    write_one_pcap(state, TRAWL_FORMAT_PCAP, want, sizeof want);
}

static void pcap_ns_bytes(void **state) {
    /* clang-format off */
    static const uint8_t want[] = {
        0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0,     /* magic, version 2.4 */
        0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0, 0, 1, 0, 0, 0,
        0x00, 0xf1, 0x53, 0x65,                 /* 1700000000 s */
        0x15, 0xcd, 0x5b, 0x07,                 /* 123456789 ns */
        4, 0, 0, 0, 60, 0, 0, 0, 'a', 'b', 'c', 'd'};
    /* clang-format on */
    write_one_pcap(state, TRAWL_FORMAT_PCAP_NS, want, sizeof want);
}

static void pcap_header_defaults(void **state) {
    const char *p = path_in(state, "fcs.pcap");
    trawl_writer *w = open_fmt(p, TRAWL_FORMAT_PCAP);
    struct trawl_iface ifc = {.linktype = 1, .snaplen = 0, .fcslen = 4};
    uint32_t id;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err), 0);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    uint8_t *b = slurp_sized(p, 24);
    /* Snap length 0 becomes 262144; an FCS of 2 words sets bit 26. */
    assert_int_equal(core_le32(b + 16), 262144);
    assert_int_equal(core_le32(b + 20), 0x24000001u);
    free(b);

    /* A pcap file given no interface is still a valid empty pcap. */
    p = path_in(state, "none.pcap");
    w = open_fmt(p, TRAWL_FORMAT_PCAP);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    b = slurp_sized(p, 24);
    assert_int_equal(core_le32(b), 0xa1b2c3d4u);
    assert_int_equal(core_le32(b + 20), 1);
    free(b);
}

static void pcap_refuses_second_linktype(void **state) {
    const char *p = path_in(state, "out.pcap");
    trawl_writer *w = open_fmt(p, TRAWL_FORMAT_PCAP);
    add(w, 1, 0);
    /* The same link type again is fine: both map to the one header. */
    assert_int_equal(add(w, 1, 0), 1);
    struct trawl_iface ifc = {.linktype = 113, .fcslen = -1};
    uint32_t id;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err),
                     TRAWL_EUNSUPPORTED);
    char want[512];
    snprintf(want, sizeof want,
             "%s: pcap holds one link type; interface 2 is LINKTYPE 113 but "
             "the file is 1: write pcapng instead",
             p);
    assert_string_equal(err, want);
    /* The writer is still usable. */
    struct trawl_pkt pkt = sample_pkt(1);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    assert_int_equal(file_size(p), 24 + 16 + 4);
}

/* ---- pcapng -------------------------------------------------------------- */

/* Walks the blocks of a pcapng file: each length is a multiple of 4, at
 * least 12, equal to its trailer; returns the number of blocks and fills
 * types[] and offsets[]. */
static size_t walk_blocks(const uint8_t *b, size_t n, uint32_t *types,
                          size_t *offsets, size_t max) {
    size_t off = 0, count = 0;
    while (off < n) {
        assert_true(n - off >= 12);
        uint32_t len = core_le32(b + off + 4);
        assert_int_equal(len % 4, 0);
        assert_true(len >= 12 && len <= n - off);
        assert_int_equal(core_le32(b + off + len - 4), len);
        assert_true(count < max);
        types[count] = core_le32(b + off);
        offsets[count++] = off;
        off += len;
    }
    assert_int_equal(off, n);
    return count;
}

/* The value of option `code` in the block at b (options from `first`), or
 * NULL; *len gets its length. */
static const uint8_t *find_opt(const uint8_t *b, size_t first, uint16_t code,
                               size_t *len) {
    size_t end = core_le32(b + 4) - 4, off = first;
    while (off + 4 <= end) {
        uint16_t c = core_le16(b + off), l = core_le16(b + off + 2);
        if (c == 0)
            return NULL;
        if (c == code) {
            *len = l;
            return b + off + 4;
        }
        off += 4 + ((l + 3u) & ~3u);
    }
    return NULL;
}

static void pcapng_blocks_bytes(void **state) {
    const char *p = path_in(state, "small.pcapng");
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAPNG,
                                     .section_comment = "section note"};
    trawl_writer *w;
    assert_int_equal(trawl_writer_open(&w, p, &o, err, sizeof err), 0);
    struct trawl_iface ifc = {.linktype = 1,
                              .snaplen = 65535,
                              .name = "eth0",
                              .description = "uplink",
                              .filter = "tcp",
                              .fcslen = 0};
    uint32_t id;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err), 0);
    struct trawl_pkt pkt = sample_pkt(id);
    pkt.comment = "hi";
    pkt.has_flags = true;
    pkt.flags = TRAWL_PKT_DIR_IN;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    pkt.comment = NULL;
    pkt.has_flags = false;
    pkt.caplen = 3;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    struct trawl_iface_stats st = {.received = 10,
                                   .dropped = 1,
                                   .filter_accepted = 9,
                                   .os_dropped = 2,
                                   .delivered = 7,
                                   .start_sec = 1700000000,
                                   .start_nsec = 100000000,
                                   .end_sec = 1700000002,
                                   .end_nsec = 250000000};
    assert_int_equal(trawl_writer_set_stats(w, id, &st), 0);
    assert_int_equal(trawl_writer_set_stats(w, 5, &st), TRAWL_EINVAL);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);

    size_t n;
    uint8_t *b = slurp(p, &n);
    uint32_t types[8];
    size_t at[8];
    assert_int_equal(walk_blocks(b, n, types, at, 8), 5);
    assert_int_equal(types[0], 0x0a0d0d0a);
    assert_int_equal(types[1], 1);
    assert_int_equal(types[2], 6);
    assert_int_equal(types[3], 6);
    assert_int_equal(types[4], 5);

    /* SHB: byte-order magic, version 1.0, unknown section length; its
     * operating-system option depends on the machine, so it is checked by
     * value rather than byte for byte. */
    const uint8_t *shb = b;
    assert_int_equal(core_le32(shb + 8), 0x1a2b3c4d);
    assert_int_equal(core_le16(shb + 12), 1);
    assert_int_equal(core_le16(shb + 14), 0);
    assert_int_equal(core_le64(shb + 16), UINT64_MAX);
    size_t l = 0;
    const uint8_t *v = find_opt(shb, 24, 1, &l);
    assert_non_null(v);
    assert_int_equal(l, 12);
    assert_memory_equal(v, "section note", 12);
    v = find_opt(shb, 24, 4, &l);
    assert_non_null(v);
    assert_true(l > 6 && memcmp(v, "trawl ", 6) == 0);
    assert_non_null(find_opt(shb, 24, 3, &l));

    /* clang-format off */
    static const uint8_t idb[] = {
        1, 0, 0, 0, 68, 0, 0, 0,                /* IDB, 68 bytes */
        1, 0, 0, 0, 0xff, 0xff, 0, 0,           /* LINKTYPE 1, snaplen */
        2, 0, 4, 0, 'e', 't', 'h', '0',         /* if_name */
        3, 0, 6, 0, 'u', 'p', 'l', 'i', 'n', 'k', 0, 0, /* if_description */
        9, 0, 1, 0, 9, 0, 0, 0,                 /* if_tsresol: ns */
        11, 0, 4, 0, 0, 't', 'c', 'p',          /* if_filter, libpcap text */
        13, 0, 1, 0, 0, 0, 0, 0,                /* if_fcslen 0 */
        0, 0, 0, 0, 68, 0, 0, 0};
    static const uint8_t epb1[] = {
        6, 0, 0, 0, 56, 0, 0, 0, 0, 0, 0, 0,    /* EPB, 56 bytes, iface 0 */
        0xfe, 0x9c, 0x97, 0x17, 0x15, 0xcd, 0x85, 0x3d, /* ns since 1970 */
        4, 0, 0, 0, 60, 0, 0, 0, 'a', 'b', 'c', 'd',
        2, 0, 4, 0, 1, 0, 0, 0,                 /* epb_flags: inbound */
        1, 0, 2, 0, 'h', 'i', 0, 0,             /* opt_comment */
        0, 0, 0, 0, 56, 0, 0, 0};
    static const uint8_t epb2[] = {
        6, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0,
        0xfe, 0x9c, 0x97, 0x17, 0x15, 0xcd, 0x85, 0x3d,
        3, 0, 0, 0, 60, 0, 0, 0, 'a', 'b', 'c', 0, /* padded to 4 */
        36, 0, 0, 0};
    static const uint8_t isb[] = {
        5, 0, 0, 0, 112, 0, 0, 0, 0, 0, 0, 0,   /* ISB, 112 bytes, iface 0 */
        0xfe, 0x9c, 0x97, 0x17, 0x80, 0x46, 0x46, 0xbc, /* = end time */
        2, 0, 8, 0, 0xfe, 0x9c, 0x97, 0x17, 0x00, 0xe1, 0x1f, 0x3c,
        3, 0, 8, 0, 0xfe, 0x9c, 0x97, 0x17, 0x80, 0x46, 0x46, 0xbc,
        4, 0, 8, 0, 10, 0, 0, 0, 0, 0, 0, 0,    /* isb_ifrecv */
        5, 0, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0,     /* isb_ifdrop */
        6, 0, 8, 0, 9, 0, 0, 0, 0, 0, 0, 0,     /* isb_filteraccept */
        7, 0, 8, 0, 2, 0, 0, 0, 0, 0, 0, 0,     /* isb_osdrop */
        8, 0, 8, 0, 7, 0, 0, 0, 0, 0, 0, 0,     /* isb_usrdeliv */
        0, 0, 0, 0, 112, 0, 0, 0};
    /* clang-format on */
    assert_int_equal(at[2] - at[1], sizeof idb);
    assert_memory_equal(b + at[1], idb, sizeof idb);
    assert_int_equal(at[3] - at[2], sizeof epb1);
    assert_memory_equal(b + at[2], epb1, sizeof epb1);
    assert_int_equal(at[4] - at[3], sizeof epb2);
    assert_memory_equal(b + at[3], epb2, sizeof epb2);
    assert_int_equal(n - at[4], sizeof isb);
    assert_memory_equal(b + at[4], isb, sizeof isb);
    free(b);
}

/* What the writer wrote, read back through trawl's reader: interfaces
 * added between packets, comments, flags and statistics survive. */
static void pcapng_round_trip(void **state) {
    const char *p = path_in(state, "rt.pcapng");
    trawl_writer *w = open_fmt(p, TRAWL_FORMAT_PCAPNG);
    struct trawl_iface a = {.linktype = 1, .name = "eth0", .fcslen = -1};
    struct trawl_iface c = {.linktype = 113,
                            .name = "any",
                            .description = "all of them",
                            .os = "Linux",
                            .fcslen = -1};
    uint32_t ia, ic;
    assert_int_equal(trawl_writer_add_iface(w, &a, &ia, err, sizeof err), 0);
    struct trawl_pkt pkt = sample_pkt(ia);
    pkt.comment = "first";
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_add_iface(w, &c, &ic, err, sizeof err), 0);
    assert_int_equal(ic, 1);
    pkt = sample_pkt(ic);
    pkt.ts_sec++;
    pkt.has_flags = true;
    pkt.flags = TRAWL_PKT_DIR_OUT | TRAWL_PKT_FLAG_CRC_ERROR;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    struct trawl_iface_stats st = {.received = 5, .dropped = 4};
    assert_int_equal(trawl_writer_set_stats(w, ic, &st), 0);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);

    trawl_reader *r;
    const char *files[] = {p};
    assert_int_equal(trawl_reader_open(&r, files, 1, NULL, err, sizeof err), 0);
    struct trawl_pkt got;
    assert_int_equal(trawl_reader_next(r, &got, err, sizeof err), 1);
    assert_int_equal(got.ts_sec, 1700000000);
    assert_int_equal(got.ts_nsec, 123456789);
    assert_string_equal(got.comment, "first");
    assert_false(got.has_flags);
    assert_int_equal(trawl_reader_next(r, &got, err, sizeof err), 1);
    assert_int_equal(got.ts_sec, 1700000001);
    assert_int_equal(got.linktype, 113);
    assert_true(got.has_flags);
    assert_int_equal(got.flags, TRAWL_PKT_DIR_OUT | TRAWL_PKT_FLAG_CRC_ERROR);
    assert_null(got.comment);
    assert_int_equal(trawl_reader_next(r, &got, err, sizeof err), 0);
    const struct trawl_iface *ri = trawl_reader_iface(r, got.iface);
    assert_non_null(ri);
    assert_string_equal(ri->name, "any");
    assert_string_equal(ri->description, "all of them");
    assert_string_equal(ri->os, "Linux");
    assert_int_equal(ri->tsresol, 9);
    assert_true(ri->has_stats);
    assert_int_equal(ri->isb_ifrecv, 5);
    assert_int_equal(ri->isb_ifdrop, 4);
    trawl_reader_close(r);
}

/* A comment longer than an option can hold is cut at a character
 * boundary; a packet of the largest size with it is one valid block. */
static void pcapng_long_comment(void **state) {
    const char *p = path_in(state, "long.pcapng");
    trawl_writer *w = open_fmt(p, TRAWL_FORMAT_PCAPNG);
    uint32_t id = add(w, 1, 0);
    size_t clen = 70000;
    char *comment = malloc(clen + 1);
    uint8_t *data = calloc(1, TRAWL_MAX_CAPLEN);
    assert_non_null(comment);
    assert_non_null(data);
    for (size_t i = 0; i < clen; i += 2)
        memcpy(comment + i, "\xc3\xa9", 2); /* é */
    comment[clen] = '\0';
    struct trawl_pkt pkt = sample_pkt(id);
    pkt.data = data;
    pkt.caplen = pkt.len = TRAWL_MAX_CAPLEN;
    pkt.comment = comment;
    for (int i = 0; i < 5; i++)
        assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    size_t n;
    uint8_t *b = slurp(p, &n);
    uint32_t types[8];
    size_t at[8];
    assert_int_equal(walk_blocks(b, n, types, at, 8), 7);
    size_t l = 0;
    const uint8_t *v = find_opt(b + at[2], 28 + TRAWL_MAX_CAPLEN, 1, &l);
    assert_non_null(v);
    assert_int_equal(l, 65534); /* 65535 would split the last é */
    assert_memory_equal(v + l - 2, "\xc3\xa9", 2);
    free(b);
    free(comment);
    free(data);
}

/* ---- refusals and errors ------------------------------------------------- */

static void bad_packets_refused(void **state) {
    const char *p = path_in(state, "bad.pcap");
    trawl_writer *w = open_fmt(p, TRAWL_FORMAT_PCAP);
    uint32_t id = add(w, 1, 0);
    struct trawl_pkt pkt = sample_pkt(id + 1);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "bad.pcap: packet 1: interface 1 was not"));
    pkt = sample_pkt(id);
    pkt.ts_sec = (int64_t)UINT32_MAX + 1;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err),
                     TRAWL_ERANGE);
    assert_non_null(strstr(err, "outside what pcap can hold"));
    pkt.ts_sec = -1;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err),
                     TRAWL_ERANGE);
    pkt.ts_sec = 0;
    pkt.ts_nsec = 1000000000;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err),
                     TRAWL_EINVAL);
    pkt.ts_nsec = 0;
    pkt.caplen = TRAWL_MAX_CAPLEN + 1;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err),
                     TRAWL_ERANGE);
    assert_non_null(strstr(err, "captured length 262145"));
    /* Refusals are not sticky. */
    pkt = sample_pkt(id);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    struct trawl_iface big = {.linktype = 70000, .fcslen = -1};
    assert_int_equal(trawl_writer_add_iface(w, &big, &id, err, sizeof err),
                     TRAWL_EINVAL);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    assert_int_equal(file_size(p), 24 + 16 + 4);
}

static void cannot_create(void **state) {
    trawl_writer *w = (trawl_writer *)1;
    const char *p = path_in(state, "no/such/dir.pcap");
    assert_int_equal(trawl_writer_open(&w, p, NULL, err, sizeof err),
                     TRAWL_EIO);
    assert_null(w);
    assert_non_null(strstr(err, "no/such/dir.pcap: cannot create: No such"));
}

static void full_device_reported(void **state) {
    (void)state;
    /* pcapng writes its section header at open, so the error comes then. */
    trawl_writer *w = (trawl_writer *)1;
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAPNG};
    assert_int_equal(trawl_writer_open(&w, "/dev/full", &o, err, sizeof err),
                     TRAWL_EIO);
    assert_null(w);
    assert_string_equal(err, "/dev/full: write failed at byte offset 0: No "
                             "space left on device");

    /* pcap: at the first interface; every later call repeats the error,
     * and close reports it too. */
    w = open_fmt("/dev/full", TRAWL_FORMAT_PCAP);
    struct trawl_iface ifc = {.linktype = 1, .fcslen = -1};
    uint32_t id;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err),
                     TRAWL_EIO);
    assert_non_null(strstr(err, "/dev/full: write failed"));
    struct trawl_pkt pkt = sample_pkt(0);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), TRAWL_EIO);
    assert_int_equal(trawl_writer_flush(w, err, sizeof err), TRAWL_EIO);
    err[0] = '\0';
    assert_int_equal(trawl_writer_close(w, err, sizeof err), TRAWL_EIO);
    assert_non_null(strstr(err, "No space left on device"));
}

/* A write error after data was written names the offset where the file
 * stopped: open_fd on a pipe whose reader went away (EPIPE). */
static void error_offset_is_where_the_file_stopped(void **state) {
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP};
    trawl_writer *w;
    assert_int_equal(
        trawl_writer_open_fd(&w, fds[1], "pipe", &o, err, sizeof err), 0);
    uint32_t id = add(w, 1, 0);
    char head[24];
    assert_int_equal(read(fds[0], head, sizeof head), 24);
    close(fds[0]);
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    struct trawl_pkt pkt = sample_pkt(id);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_flush(w, err, sizeof err), TRAWL_EIO);
    assert_string_equal(err, "pipe: write failed at byte offset 24: Broken "
                             "pipe");
    assert_int_equal(trawl_writer_close(w, err, sizeof err), TRAWL_EIO);
    signal(SIGPIPE, old);
}

static void writes_to_stdout(void **state) {
    const char *p = path_in(state, "stdout.pcap");
    int saved = dup(STDOUT_FILENO);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    fflush(stdout);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    trawl_writer *w = open_fmt("-", TRAWL_FORMAT_PCAP_NS);
    uint32_t id = add(w, 1, 65535);
    struct trawl_pkt pkt = sample_pkt(id);
    int wrc = trawl_writer_write(w, &pkt, err, sizeof err);
    int crc = trawl_writer_close(w, err, sizeof err);
    /* Closing the writer left descriptor 1 open. */
    int still_open = fcntl(STDOUT_FILENO, F_GETFD);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    assert_int_equal(wrc, 0);
    assert_int_equal(crc, 0);
    assert_true(still_open >= 0);
    uint8_t *b = slurp_sized(p, 24 + 16 + 4);
    assert_int_equal(core_le32(b), 0xa1b23c4du);
    assert_int_equal(core_le32(b + 28), 123456789);
    free(b);
}

/* ---- buffering ----------------------------------------------------------- */

/* Where the file may end after a flush: at the end of a record, or, when
 * pcapng goes out with O_DIRECT, in a padding block that runs from the end
 * of a record to a page boundary. Returns the end of the last record. */
static uint64_t records_end(const char *path, uint64_t size) {
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    uint8_t tail[4];
    uint64_t end = size;
    if (size >= 12 && size % 4096 == 0 &&
        pread(fd, tail, 4, (off_t)size - 4) == 4) {
        uint32_t len = core_le32(tail);
        uint8_t head[8];
        if (len >= 12 && len <= size &&
            pread(fd, head, 8, (off_t)(size - len)) == 8 &&
            core_le32(head) == 0x80007a70u && core_le32(head + 4) == len)
            end = size - len;
    }
    close(fd);
    return end;
}

/* Over several buffers of records of varied sizes, the file only ever ends
 * at a record boundary (or in padding after one): the writer hands the
 * kernel whole records. */
static void grow_by_whole_records(void **state, enum trawl_format fmt) {
    const char *p = path_in(state, "grow");
    trawl_writer *w = open_fmt(p, fmt);
    uint32_t id = add(w, 1, 0);
    static uint8_t data[9000];
    size_t nrec = 3000;
    uint64_t *ends = malloc((nrec + 1) * sizeof *ends);
    assert_non_null(ends);
    ends[0] = trawl_writer_bytes(w);
    /* Headers went out at once. */
    assert_int_equal(records_end(p, (uint64_t)file_size(p)), ends[0]);
    size_t seen = 0, flushes = 0;
    off_t last = file_size(p);
    for (size_t i = 0; i < nrec; i++) {
        struct trawl_pkt pkt = sample_pkt(id);
        pkt.data = data;
        pkt.caplen = pkt.len = (uint32_t)((i * 7919) % sizeof data);
        pkt.comment = i % 3 ? NULL : "c";
        assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
        ends[i + 1] = trawl_writer_bytes(w);
        off_t sz = file_size(p);
        if (sz == last)
            continue;
        flushes++;
        last = sz;
        uint64_t end = records_end(p, (uint64_t)sz);
        while (seen <= i + 1 && ends[seen] < end)
            seen++;
        assert_true(seen <= i + 1);
        assert_int_equal(ends[seen], end);
        /* Never more than one buffer is held back. */
        assert_true(ends[i + 1] - end <= 1u << 20);
    }
    assert_true(flushes >= 10);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    /* Closed normally, the file ends in its last record. */
    assert_int_equal(file_size(p), ends[nrec]);
    free(ends);
}

static void pcap_grows_by_whole_records(void **state) {
    grow_by_whole_records(state, TRAWL_FORMAT_PCAP);
}

static void pcapng_grows_by_whole_records(void **state) {
    grow_by_whole_records(state, TRAWL_FORMAT_PCAPNG);
}

/* pcapng to a regular file outside tmpfs goes out in whole pages: the
 * file ends in a padding block after every flush, and not after close. */
static void pcapng_direct_pages(void **state) {
    struct statfs sfs;
    assert_int_equal(statfs((char *)*state, &sfs), 0);
    if (sfs.f_type == TMPFS_MAGIC)
        skip(); /* tmpfs is written with plain write() */
    const char *p = path_in(state, "direct.pcapng");
    trawl_writer *w = open_fmt(p, TRAWL_FORMAT_PCAPNG);
    uint64_t shb = trawl_writer_bytes(w);
    assert_int_equal(file_size(p), 4096);
    assert_int_equal(records_end(p, 4096), shb);
    uint32_t id = add(w, 1, 0);
    struct trawl_pkt pkt = sample_pkt(id);
    static uint8_t data[5000];
    pkt.data = data;
    pkt.caplen = pkt.len = sizeof data;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_flush(w, err, sizeof err), 0);
    /* The second page was rewritten with the packet; padding after it. */
    assert_int_equal(file_size(p), 8192);
    assert_int_equal(records_end(p, 8192), trawl_writer_bytes(w));
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    size_t n;
    uint8_t *b = slurp(p, &n);
    uint32_t types[4];
    size_t at[4];
    assert_int_equal(walk_blocks(b, n, types, at, 4), 3);
    assert_int_equal(types[2], 6);
    free(b);
}

static void flush_interval(void **state) {
    const char *p = path_in(state, "timed.pcap");
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP,
                                     .flush_interval_ms = 300};
    trawl_writer *w;
    assert_int_equal(trawl_writer_open(&w, p, &o, err, sizeof err), 0);
    uint32_t id = add(w, 1, 0);
    struct trawl_pkt pkt = sample_pkt(id);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(file_size(p), 24); /* too soon: still buffered */
    /* Long enough that a loaded machine does not pass the interval
     * between two calls by itself. */
    struct timespec nap = {.tv_nsec = 600 * 1000000};
    nanosleep(&nap, NULL);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(file_size(p), 24 + 2 * 20);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(file_size(p), 24 + 2 * 20);
    assert_int_equal(trawl_writer_flush(w, err, sizeof err), 0);
    assert_int_equal(file_size(p), 24 + 3 * 20);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);

    /* Without an interval nothing goes out until the buffer fills. */
    o.flush_interval_ms = 0;
    assert_int_equal(trawl_writer_open(&w, p, &o, err, sizeof err), 0);
    id = add(w, 1, 0);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    nanosleep(&nap, NULL);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(file_size(p), 24);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
}

/* ---- stream output ------------------------------------------------------- */

/* What a stream writer handed its callback: every call's bytes appended,
 * the sizes of the calls, and an error to return from call `fail_at`. */
struct sink_log {
    uint8_t bytes[4096];
    size_t len;
    size_t calls[16];
    size_t ncalls;
    size_t fail_at; /* 1-based; 0 = never */
};

static int log_sink(void *ctx, const uint8_t *buf, size_t len, char *e,
                    size_t elen) {
    struct sink_log *l = ctx;
    if (l->fail_at && l->ncalls + 1 == l->fail_at) {
        snprintf(e, elen, "client went away");
        return TRAWL_EIO;
    }
    assert_true(l->len + len <= sizeof l->bytes);
    memcpy(l->bytes + l->len, buf, len);
    l->len += len;
    if (l->ncalls < 16)
        l->calls[l->ncalls] = len;
    l->ncalls++;
    return 0;
}

/* The stream gets exactly the bytes a file would: the pcap header when the
 * interface is added, whole records at each flush, nothing at close but
 * what was still buffered. */
static void stream_gets_the_file_bytes(void **state) {
    const char *p = path_in(state, "same.pcap");
    trawl_writer *f = open_fmt(p, TRAWL_FORMAT_PCAP);
    struct sink_log log = {0};
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP,
                                     .application = "test"};
    trawl_writer *w;
    assert_int_equal(
        trawl_writer_open_stream(&w, log_sink, &log, "stream", &o, err,
                                 sizeof err),
        0);
    assert_int_equal(log.ncalls, 0); /* pcap's header waits for the link type */
    uint32_t id = add(w, 1, 0), fid = add(f, 1, 0);
    assert_int_equal(log.ncalls, 1);
    assert_int_equal(log.calls[0], 24);
    struct trawl_pkt pkt = sample_pkt(id), fpkt = sample_pkt(fid);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
        assert_int_equal(trawl_writer_write(f, &fpkt, err, sizeof err), 0);
    }
    assert_int_equal(log.ncalls, 1);
    assert_int_equal(trawl_writer_flush(w, err, sizeof err), 0);
    assert_int_equal(log.ncalls, 2);
    assert_int_equal(log.calls[1], 3 * 20);
    assert_int_equal(trawl_writer_bytes(w), 24 + 3 * 20);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_write(f, &fpkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    assert_int_equal(trawl_writer_close(f, err, sizeof err), 0);
    assert_int_equal(log.ncalls, 3);
    uint8_t *b = slurp_sized(p, log.len);
    assert_memory_equal(b, log.bytes, log.len);
    free(b);
}

/* pcapng's section header goes out while the writer opens, and a failing
 * callback is a sticky error naming the stream and the offset. */
static void stream_errors_are_sticky(void **state) {
    (void)state;
    struct sink_log log = {.fail_at = 3};
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAPNG};
    trawl_writer *w;
    assert_int_equal(
        trawl_writer_open_stream(&w, log_sink, &log, "client 1", &o, err,
                                 sizeof err),
        0);
    assert_int_equal(log.ncalls, 1);
    assert_int_equal(core_le32(log.bytes), 0x0a0d0d0au);
    uint32_t id = add(w, 1, 0);
    assert_int_equal(log.ncalls, 2);
    size_t before = log.len;
    struct trawl_pkt pkt = sample_pkt(id);
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), 0);
    assert_int_equal(trawl_writer_flush(w, err, sizeof err), TRAWL_EIO);
    char want[128];
    snprintf(want, sizeof want,
             "client 1: write failed at byte offset %zu: client went away",
             before);
    assert_string_equal(err, want);
    log.fail_at = 0;
    assert_int_equal(trawl_writer_write(w, &pkt, err, sizeof err), TRAWL_EIO);
    assert_int_equal(trawl_writer_close(w, err, sizeof err), TRAWL_EIO);
    assert_int_equal(log.len, before);
    assert_int_equal(trawl_writer_open_stream(&w, NULL, NULL, "x", &o, err,
                                              sizeof err),
                     TRAWL_EINVAL);
    assert_null(w);
}

/* Records built straight into the caller's memory are the bytes the
 * buffered path would have written; nothing may be buffered meanwhile. */
static void stream_put_builds_in_place(void **state) {
    (void)state;
    for (int f = 0; f < 2; f++) {
        enum trawl_format fmt = f ? TRAWL_FORMAT_PCAPNG : TRAWL_FORMAT_PCAP;
        struct sink_log a = {0}, b = {0};
        struct trawl_writer_options o = {.format = fmt, .application = "t"};
        trawl_writer *wa, *wb;
        assert_int_equal(trawl_writer_open_stream(&wa, log_sink, &a, "a", &o,
                                                  err, sizeof err),
                         0);
        assert_int_equal(trawl_writer_open_stream(&wb, log_sink, &b, "b", &o,
                                                  err, sizeof err),
                         0);
        uint32_t ia = add(wa, 1, 0), ib = add(wb, 1, 0);
        struct trawl_pkt pa = sample_pkt(ia), pb = sample_pkt(ib);
        pa.has_flags = pb.has_flags = true;
        pa.flags = pb.flags = TRAWL_PKT_DIR_IN;
        assert_int_equal(trawl_writer_write(wa, &pa, err, sizeof err), 0);
        assert_int_equal(trawl_writer_flush(wa, err, sizeof err), 0);
        uint8_t out[256];
        memset(out, 0xee, sizeof out);
        long n = trawl_writer_put(wb, &pb, out, sizeof out, err, sizeof err);
        size_t want = a.len - b.len; /* the record alone */
        assert_int_equal(n, (long)want);
        assert_memory_equal(out, a.bytes + b.len, want);
        assert_int_equal(out[want], 0xee);
        assert_int_equal(trawl_writer_bytes(wb), trawl_writer_bytes(wa));
        /* Too little room: nothing written. */
        assert_int_equal(trawl_writer_put(wb, &pb, out, want - 1, err,
                                          sizeof err),
                         0);
        /* With a record buffered, put would overtake it. */
        assert_int_equal(trawl_writer_write(wb, &pb, err, sizeof err), 0);
        assert_int_equal(trawl_writer_put(wb, &pb, out, sizeof out, err,
                                          sizeof err),
                         TRAWL_EBUSY);
        pb.iface = 7;
        assert_int_equal(trawl_writer_flush(wb, err, sizeof err), 0);
        assert_int_equal(trawl_writer_put(wb, &pb, out, sizeof out, err,
                                          sizeof err),
                         TRAWL_EINVAL);
        trawl_writer_close(wa, NULL, 0);
        trawl_writer_close(wb, NULL, 0);
    }
}

static void put_needs_a_stream(void **state) {
    trawl_writer *w = open_fmt(path_in(state, "f.pcap"), TRAWL_FORMAT_PCAP);
    uint32_t id = add(w, 1, 0);
    struct trawl_pkt pkt = sample_pkt(id);
    uint8_t out[64];
    assert_int_equal(trawl_writer_put(w, &pkt, out, sizeof out, err,
                                      sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "stream writers"));
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, make_dir, remove_dir)
        T(pcap_us_bytes),
        T(pcap_ns_bytes),
        T(pcap_header_defaults),
        T(pcap_refuses_second_linktype),
        T(pcapng_blocks_bytes),
        T(pcapng_round_trip),
        T(pcapng_long_comment),
        T(bad_packets_refused),
        T(cannot_create),
        T(full_device_reported),
        T(error_offset_is_where_the_file_stopped),
        T(writes_to_stdout),
        T(pcap_grows_by_whole_records),
        T(pcapng_grows_by_whole_records),
        T(pcapng_direct_pages),
        T(flush_interval),
        T(stream_gets_the_file_bytes),
        T(stream_errors_are_sticky),
        T(stream_put_builds_in_place),
        T(put_needs_a_stream),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
