/* Unit tests of the trace reader and writer: byte orders, resolutions,
 * pcapng sections and options, seeking, multi-file traces, compression,
 * and malformed files refused with the exact message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "core/core.h"
#include "format/reader_int.h"
#include "trawl/trawl.h"

static char dir[] = "/tmp/trawl-test-reader-XXXXXX";

static const char *path_of(const char *name) {
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_file(const char *name, const void *data, size_t len) {
    FILE *f = fopen(path_of(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int open_one(trawl_reader **r, const char *name, char *err) {
    const char *p = path_of(name);
    return trawl_reader_open(r, &p, 1, NULL, err, TRAWL_ERRBUF_SIZE);
}

/* Big-endian, nanosecond pcap with two records. */
static void test_pcap_big_endian_ns(void **state) {
    (void)state;
    uint8_t f[24 + 2 * (16 + 4)] = {
        0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0xff, 0xff, 0, 0, 0, 101,
        /* record 1 */ 0x65, 0x53, 0xf1, 0x00, 0x07, 0x5b, 0xcd, 0x15, 0, 0, 0,
        4, 0, 0, 0, 60, 1, 2, 3, 4,
        /* record 2 */ 0x65, 0x53, 0xf1, 0x01, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0,
        4, 5, 6, 7, 8};
    write_file("be.pcap", f, sizeof f);
    trawl_reader *r;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(open_one(&r, "be.pcap", err), 0);
    assert_string_equal(trawl_reader_format(r), "pcap-ns");
    struct trawl_pkt p;
    assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
    assert_int_equal(p.ts_sec, 0x6553f100);
    assert_int_equal(p.ts_nsec, 123456789);
    assert_int_equal(p.caplen, 4);
    assert_int_equal(p.len, 60);
    assert_int_equal(p.linktype, 101);
    assert_memory_equal(p.data, "\1\2\3\4", 4);
    assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
    assert_int_equal(p.ts_nsec, 1);
    assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 0);
    trawl_reader_close(r);
}

/* A pcapng file of two sections, the second big-endian with a 2^-10
 * resolution and a time offset, a comment and flags. */
static void test_pcapng_two_sections(void **state) {
    (void)state;
    static const uint8_t f[] = {
        /* SHB, little-endian, comment "hi" */
        0x0a, 0x0d, 0x0d, 0x0a, 36, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 2, 0, 'h', 'i', 0,
        0, 36, 0, 0, 0,
        /* IDB linktype 1, if_name "e0" */
        1, 0, 0, 0, 28, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 'e', '0',
        0, 0, 28, 0, 0, 0,
        /* EPB iface 0, ts 1 µs units = 1500000 → 1.5 s, caplen 2, flags 2 */
        6, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x60, 0xe3, 0x16, 0,
        2, 0, 0, 0, 2, 0, 0, 0, 0xaa, 0xbb, 0, 0, 2, 0, 4, 0, 2, 0, 0, 0, 44, 0,
        0, 0,
        /* SHB, big-endian */
        0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28,
        /* IDB linktype 101, tsresol 2^-10, tsoffset 100 s */
        0, 0, 0, 1, 0, 0, 0, 40, 0, 101, 0, 0, 0, 0, 0, 0, 0, 9, 0, 1, 0x8a, 0,
        0, 0, 0, 14, 0, 8, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 40,
        /* EPB iface 0, ts 1536 units = 1.5 s, caplen 1, comment "c" */
        0, 0, 0, 6, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 1,
        0, 0, 0, 1, 0x45, 0, 0, 0, 0, 1, 0, 1, 'c', 0, 0, 0, 0, 0, 0, 44,
    };
    write_file("two.pcapng", f, sizeof f);
    trawl_reader *r;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(open_one(&r, "two.pcapng", err), 0);
    assert_string_equal(trawl_reader_section_comment(r), "hi");
    struct trawl_pkt p;
    assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
    assert_int_equal(p.ts_sec, 1);
    assert_int_equal(p.ts_nsec, 500000000);
    assert_true(p.has_flags);
    assert_int_equal(p.flags & TRAWL_PKT_DIR_MASK, TRAWL_PKT_DIR_OUT);
    assert_string_equal(trawl_reader_iface(r, p.iface)->name, "e0");
    assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
    assert_int_equal(p.iface, 1); /* global ids across sections */
    assert_int_equal(p.linktype, 101);
    assert_int_equal(p.ts_sec, 101);
    assert_int_equal(p.ts_nsec, 500000000);
    assert_string_equal(p.comment, "c");
    assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 0);
    /* Back to the first packet, in the first section. */
    assert_int_equal(trawl_reader_seek(r, 0, err, sizeof err), 0);
    assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
    assert_int_equal(p.linktype, 1);
    trawl_reader_close(r);
}

/* Writes n packets with the writer; packet i has i as its first byte. */
static void write_packets(const char *name, enum trawl_format fmt, int n,
                          int first) {
    trawl_writer *w;
    char err[TRAWL_ERRBUF_SIZE];
    struct trawl_writer_options o = {.format = fmt};
    assert_int_equal(trawl_writer_open(&w, path_of(name), &o, err, sizeof err),
                     0);
    struct trawl_iface ifc = {.linktype = 1, .fcslen = -1, .name = "x"};
    uint32_t id;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err), 0);
    for (int i = 0; i < n; i++) {
        uint8_t data[64] = {(uint8_t)(first + i)};
        struct trawl_pkt p = {.ts_sec = first + i, .caplen = 64, .len = 64,
                              .data = data, .iface = id};
        assert_int_equal(trawl_writer_write(w, &p, err, sizeof err), 0);
    }
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
}

static void test_seek_and_multi_file(void **state) {
    (void)state;
    write_packets("a.pcapng", TRAWL_FORMAT_PCAPNG, 200, 0);
    write_packets("b.pcap", TRAWL_FORMAT_PCAP, 100, 200);
    const char *paths[] = {path_of("a.pcapng"), path_of("b.pcap")};
    trawl_reader *r;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(trawl_reader_open(&r, paths, 2, NULL, err, sizeof err), 0);
    struct trawl_pkt p;
    int n = 0;
    while (trawl_reader_next(r, &p, err, sizeof err) == 1) {
        assert_int_equal(p.index, n);
        assert_int_equal(p.data[0], (uint8_t)n);
        n++;
    }
    assert_int_equal(n, 300);
    uint64_t targets[] = {0, 299, 63, 64, 65, 199, 200, 150, 250, 1};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        assert_int_equal(trawl_reader_seek(r, targets[i], err, sizeof err), 0);
        assert_int_equal(trawl_reader_tell(r), targets[i]);
        assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
        assert_int_equal(p.index, targets[i]);
        assert_int_equal(p.data[0], (uint8_t)targets[i]);
        assert_int_equal(p.file_no, targets[i] >= 200);
    }
    /* The end itself is a position; past it is an error. */
    assert_int_equal(trawl_reader_seek(r, 300, err, sizeof err), 0);
    assert_int_equal(trawl_reader_seek(r, 301, err, sizeof err), TRAWL_ERANGE);
    assert_non_null(strstr(err, "the trace has 300 packets"));
    trawl_reader_close(r);
}

/* A long trace thins its index instead of growing it: with room for 4
 * checkpoints, 3000 packets leave 4 or fewer, and seeks still land. */
static void test_index_stays_bounded(void **state) {
    (void)state;
    write_packets("long1.pcap", TRAWL_FORMAT_PCAP, 1500, 0);
    write_packets("long2.pcapng", TRAWL_FORMAT_PCAPNG, 1500, 1500);
    const char *paths[] = {path_of("long1.pcap"), path_of("long2.pcapng")};
    trawl_reader *r;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(trawl_reader_open(&r, paths, 2, NULL, err, sizeof err), 0);
    r->index_max = 4;
    struct trawl_pkt p;
    while (trawl_reader_next(r, &p, err, sizeof err) == 1)
        ;
    assert_int_equal(trawl_reader_indexed(r), 3000);
    assert_true(r->nindex <= 4);
    assert_true(r->index_step >= 3000 / 4);
    uint64_t targets[] = {2999, 0, 1499, 1500, 777, 2048, 1};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        assert_int_equal(trawl_reader_seek(r, targets[i], err, sizeof err), 0);
        assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
        assert_int_equal(p.index, targets[i]);
        assert_int_equal(p.data[0], (uint8_t)targets[i]);
        assert_int_equal(p.file_no, targets[i] >= 1500);
    }
    trawl_reader_close(r);
}

static void test_gzip(void **state) {
    (void)state;
    write_packets("plain.pcap", TRAWL_FORMAT_PCAP, 1000, 0);
    FILE *in = fopen(path_of("plain.pcap"), "rb");
    gzFile gz = gzopen(path_of("c.pcap.gz"), "wb");
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0)
        gzwrite(gz, buf, (unsigned)k);
    fclose(in);
    gzclose(gz);
    trawl_reader *r;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(open_one(&r, "c.pcap.gz", err), 0);
    struct trawl_pkt p;
    int n = 0;
    while (trawl_reader_next(r, &p, err, sizeof err) == 1)
        n++;
    assert_int_equal(n, 1000);
    assert_int_equal(trawl_reader_seek(r, 10, err, sizeof err), 0);
    assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
    assert_int_equal(p.data[0], 10);
    trawl_reader_close(r);
}

/* Malformed files and the exact messages they get. */
struct bad_case {
    const char *name;
    const uint8_t *bytes;
    size_t len;
    int at_open;      /* the error comes from trawl_reader_open */
    const char *want; /* message after "PATH: " */
};

static const uint8_t shb[28] = {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d,
                                0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0};

static void test_malformed(void **state) {
    (void)state;
    uint8_t short_block[28 + 12];
    memcpy(short_block, shb, 28);
    memcpy(short_block + 28, "\6\0\0\0\14\0\0\0\14\0\0\0", 12);
    uint8_t odd[28 + 36];
    memcpy(odd, shb, 28);
    memcpy(odd + 28, "\1\0\0\0\42\0\0\0", 8);
    memset(odd + 36, 0, 28);
    uint8_t trailer[28 + 20];
    memcpy(trailer, shb, 28);
    memcpy(trailer + 28, "\1\0\0\0\24\0\0\0\1\0\0\0\0\0\0\0\30\0\0\0", 20);
    uint8_t noif[28 + 32];
    memcpy(noif, shb, 28);
    memset(noif + 28, 0, 32);
    memcpy(noif + 28, "\6\0\0\0\40\0\0\0\3\0\0\0", 12);
    memcpy(noif + 56, "\40\0\0\0", 4);
    uint8_t bigcap[24 + 16] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, [20] = 1,
                               [32] = 0, [33] = 0, [34] = 0x10};
    const struct bad_case cases[] = {
        {"magic.bin", (const uint8_t *)"GIF89a-not-a-capture", 20, 1,
         "not a pcap or pcapng file (magic 0x47494638 at offset 0)"},
        {"tiny.bin", (const uint8_t *)"ab", 2, 1,
         "not a pcap or pcapng file (2 bytes long)"},
        {"short.pcapng", short_block, sizeof short_block, 0,
         "block 2 at offset 28: total length 12 is smaller than 32"},
        {"odd.pcapng", odd, sizeof odd, 0,
         "block 2 at offset 28: total length 34 is not a multiple of 4"},
        {"trailer.pcapng", trailer, sizeof trailer, 0,
         "block 2 at offset 28: trailing length 24 disagrees with total "
         "length 20"},
        {"noif.pcapng", noif, sizeof noif, 0,
         "block 2 at offset 28: interface 3 is not defined (the section has "
         "0)"},
        {"bigcap.pcap", bigcap, sizeof bigcap, 0,
         "packet 1 at offset 24: captured length 1048576 is larger than the "
         "maximum of 262144"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_case *c = &cases[i];
        write_file(c->name, c->bytes, c->len);
        char err[TRAWL_ERRBUF_SIZE], want[TRAWL_ERRBUF_SIZE];
        snprintf(want, sizeof want, "%s: %s", path_of(c->name), c->want);
        trawl_reader *r = NULL;
        int rc = open_one(&r, c->name, err);
        if (c->at_open) {
            assert_true(rc < 0);
        } else {
            assert_int_equal(rc, 0);
            struct trawl_pkt p;
            assert_true(trawl_reader_next(r, &p, err, sizeof err) < 0);
            trawl_reader_close(r);
        }
        assert_string_equal(err, want);
    }
}

/* A record cut by the end of the file is stepped over with a warning. */
static int warnings;
static void count_warning(void *ctx, const char *msg) {
    (void)ctx;
    assert_non_null(strstr(msg, "truncated record (file ends after 10 of 16 "
                                "bytes)"));
    warnings++;
}

static void test_torn_tail(void **state) {
    (void)state;
    write_packets("torn.pcap", TRAWL_FORMAT_PCAP, 3, 0);
    FILE *f = fopen(path_of("torn.pcap"), "rb");
    uint8_t buf[24 + 3 * 80];
    assert_int_equal(fread(buf, 1, sizeof buf, f), sizeof buf);
    fclose(f);
    write_file("torn.pcap", buf, 24 + 2 * 80 + 10);
    const char *p = path_of("torn.pcap");
    struct trawl_reader_options o = {.warn = count_warning};
    trawl_reader *r;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(trawl_reader_open(&r, &p, 1, &o, err, sizeof err), 0);
    struct trawl_pkt pk;
    assert_int_equal(trawl_reader_next(r, &pk, err, sizeof err), 1);
    assert_int_equal(trawl_reader_next(r, &pk, err, sizeof err), 1);
    assert_int_equal(trawl_reader_next(r, &pk, err, sizeof err), 0);
    assert_int_equal(warnings, 1);
    trawl_reader_close(r);
}

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Packet i of the read-ahead trace: its length and byte j. */
static uint32_t ra_len(uint64_t i) {
    return 60 + (uint32_t)((i * 2654435761u) % 1440);
}
static uint8_t ra_byte(uint64_t i, uint32_t j) {
    return (uint8_t)(i * 31 + j * 7 + (j >> 8));
}

static void ra_check(const struct trawl_pkt *p, uint64_t i) {
    assert_int_equal(p->index, i);
    assert_int_equal(p->ts_sec, (int64_t)i);
    assert_int_equal(p->caplen, ra_len(i));
    for (uint32_t j = 0; j < p->caplen; j++)
        if (p->data[j] != ra_byte(i, j))
            fail_msg("packet %llu byte %u differs",
                     (unsigned long long)i, (unsigned)j);
}

/* Reads a file of many windows (about 12 MiB) through, then seeks back
 * and forth (to packets in the current window, before it, far ahead) and
 * reads on a little each time: every packet must be the one written, in
 * order, with read-ahead on (TRAWL_READAHEAD=1), forced off, and by
 * default (off). */
static void ra_pass(const char *name, uint64_t n, bool want_thread) {
    trawl_reader *r;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(open_one(&r, name, err), 0);
    assert_int_equal(r->src.ra != NULL, want_thread);
    struct trawl_pkt p;
    uint64_t i = 0;
    uint64_t prev_off = 0;
    while (trawl_reader_next(r, &p, err, sizeof err) == 1) {
        ra_check(&p, i);
        if (i > 0)
            assert_true(p.offset > prev_off);
        prev_off = p.offset;
        i++;
    }
    assert_int_equal(i, n);
    uint64_t targets[] = {0, n - 1, n / 2, n / 2 + 1, 17, n - 3000, 5000,
                          5001, 4990, n / 3, 2 * n / 3, 1};
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        assert_int_equal(trawl_reader_seek(r, targets[t], err, sizeof err),
                         0);
        for (uint64_t k = targets[t]; k < n && k < targets[t] + 2500; k++) {
            assert_int_equal(trawl_reader_next(r, &p, err, sizeof err), 1);
            ra_check(&p, k);
        }
    }
    trawl_reader_close(r);
}

static void test_readahead_seek_order(void **state) {
    (void)state;
    const uint64_t n = 16000;
    trawl_writer *w;
    char err[TRAWL_ERRBUF_SIZE];
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP};
    assert_int_equal(
        trawl_writer_open(&w, path_of("ra.pcap"), &o, err, sizeof err), 0);
    struct trawl_iface ifc = {.linktype = 1, .fcslen = -1, .name = "x"};
    uint32_t id;
    assert_int_equal(trawl_writer_add_iface(w, &ifc, &id, err, sizeof err), 0);
    uint8_t data[1500];
    for (uint64_t i = 0; i < n; i++) {
        uint32_t len = ra_len(i);
        for (uint32_t j = 0; j < len; j++)
            data[j] = ra_byte(i, j);
        struct trawl_pkt p = {.ts_sec = (int64_t)i, .caplen = len,
                              .len = len, .data = data, .iface = id};
        assert_int_equal(trawl_writer_write(w, &p, err, sizeof err), 0);
    }
    assert_int_equal(trawl_writer_close(w, err, sizeof err), 0);
    setenv("TRAWL_READAHEAD", "1", 1);
    ra_pass("ra.pcap", n, true);
    setenv("TRAWL_NO_READAHEAD", "1", 1);
    ra_pass("ra.pcap", n, false);
    unsetenv("TRAWL_NO_READAHEAD");
    unsetenv("TRAWL_READAHEAD");
    ra_pass("ra.pcap", n, false);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_big_endian_ns),
        cmocka_unit_test(test_pcapng_two_sections),
        cmocka_unit_test(test_seek_and_multi_file),
        cmocka_unit_test(test_index_stays_bounded),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_torn_tail),
        cmocka_unit_test(test_readahead_seek_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
