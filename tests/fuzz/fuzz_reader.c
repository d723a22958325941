/* libFuzzer target: arbitrary bytes as a trace file.
 *
 * The bytes go to a memfd opened through /proc/self/fd/N, so the reader
 * sees an ordinary, seekable file. Each input is read several ways, and
 * the ways must agree:
 *
 *   1. as given: every packet is read and summarised (times, lengths,
 *      link type, interface, flags, a hash of the bytes and the comment);
 *      then the reader seeks back to a few packets and must return the
 *      same ones, and a fresh reader seeking forward must too;
 *   2. gzip-compressed and 3. zstd-compressed: the same packets, and the
 *      same outcome (clean end or error), must come out;
 *   4. behind a gzip or a zstd magic number (the input as corrupt
 *      compressed data): anything but a crash, a leak or a hang.
 *
 * A disagreement is a bug: __builtin_trap() makes libFuzzer keep the
 * input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "trawl/trawl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Packets compared per input; later ones are read but not remembered. */
enum { MAX_SUMMARIES = 4096 };

/* Inputs above this are not compressed again: libFuzzer's inputs are
 * small, and the compressed passes would only slow large seeds down. */
enum { MAX_RECOMPRESS = 1u << 20 };

struct summary {
    uint64_t index, offset, hash;
    int64_t ts_sec;
    uint32_t ts_nsec, caplen, len, iface, flags, file_no;
    int linktype;
    uint8_t fcs_len, block;
    bool has_flags;
};

struct outcome {
    struct summary *pkts; /* the first MAX_SUMMARIES packets */
    size_t cap;
    uint64_t count; /* packets read (all, not only those remembered) */
    int end;        /* 0: clean end of trace; <0: the error code */
};

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static void summarise(const struct trawl_pkt *p, struct summary *s) {
    memset(s, 0, sizeof *s);
    s->index = p->index;
    s->offset = p->offset;
    s->ts_sec = p->ts_sec;
    s->ts_nsec = p->ts_nsec;
    s->caplen = p->caplen;
    s->len = p->len;
    s->iface = p->iface;
    s->flags = p->flags;
    s->has_flags = p->has_flags;
    s->file_no = p->file_no;
    s->linktype = p->linktype;
    s->fcs_len = p->fcs_len;
    s->block = (uint8_t)p->block;
    /* Every byte handed out must be readable: ASan checks the hash. */
    s->hash = fnv(0xcbf29ce484222325ull, p->data, p->caplen);
    if (p->comment)
        s->hash = fnv(s->hash, p->comment, strlen(p->comment) + 1);
}

/* Remembers one more packet, growing the array as needed: most inputs
 * hold a handful of packets, and big allocations are what slows a
 * sanitized fuzzer most. */
static void remember(struct outcome *out, const struct trawl_pkt *p) {
    if (out->count >= MAX_SUMMARIES)
        return;
    if (out->count == out->cap) {
        size_t cap = out->cap ? 2 * out->cap : 16;
        struct summary *n = realloc(out->pkts, cap * sizeof *n);
        if (!n)
            abort();
        out->pkts = n;
        out->cap = cap;
    }
    summarise(p, &out->pkts[out->count]);
}

/* The same packet, whichever way it was reached. The offset is in the
 * uncompressed file, so it holds across compression too. */
static bool same(const struct summary *a, const struct summary *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

static int memfd_with(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                      char *path, size_t pathlen) {
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return -1;
    if ((na && write(fd, a, na) != (ssize_t)na) ||
        (nb && write(fd, b, nb) != (ssize_t)nb)) {
        close(fd);
        return -1;
    }
    snprintf(path, pathlen, "/proc/self/fd/%d", fd);
    return fd;
}

/* Looks at everything the reader says about the trace besides packets, so
 * that sanitizers check those paths too. */
static void poke_metadata(trawl_reader *r) {
    size_t n = trawl_reader_iface_count(r);
    for (size_t i = 0; i < n + 1; i++) {
        const struct trawl_iface *ifc = trawl_reader_iface(r, (uint32_t)i);
        if (ifc && ifc->name)
            (void)strlen(ifc->name);
        if (ifc && ifc->description)
            (void)strlen(ifc->description);
        if (ifc && ifc->filter)
            (void)strlen(ifc->filter);
        if (ifc && ifc->os)
            (void)strlen(ifc->os);
    }
    const char *c = trawl_reader_section_comment(r);
    if (c)
        (void)strlen(c);
    if (!trawl_reader_format(r))
        __builtin_trap();
    uint64_t done, total;
    trawl_reader_progress(r, &done, &total);
    struct trawl_reader_stats st;
    trawl_reader_stats(r, &st);
}

/* How much seeking a pass does after reading everything. Each seek in a
 * compressed file may restart decompression with fresh multi-megabyte
 * buffers, which under ASan costs milliseconds, so the compressed passes
 * seek less. */
enum seeks {
    SEEK_NONE,
    SEEK_ENDS, /* back to the first and the last packet */
    SEEK_ALL,  /* back to six packets, and forward from a fresh reader */
};

/* Reads the whole trace at `path`, remembering the first MAX_SUMMARIES
 * packets in out->pkts (allocated here, freed by the caller), then seeks
 * as `seeks` says. Returns false when the file could not be opened. */
static bool read_all(const char *path, struct outcome *out, enum seeks seeks) {
    char err[TRAWL_ERRBUF_SIZE];
    const char *paths[] = {path};
    trawl_reader *r;
    memset(out, 0, sizeof *out);
    if (trawl_reader_open(&r, paths, 1, NULL, err, sizeof err) < 0) {
        if (!memchr(err, '\0', sizeof err) || err[0] == '\0')
            __builtin_trap(); /* a failure must say why */
        return false;
    }
    struct trawl_pkt p;
    int rc;
    while ((rc = trawl_reader_next(r, &p, err, sizeof err)) > 0) {
        if (p.index != out->count || trawl_reader_tell(r) != out->count + 1)
            __builtin_trap();
        remember(out, &p);
        out->count++;
    }
    out->end = rc;
    if (rc < 0 && err[0] == '\0')
        __builtin_trap();
    /* The end is sticky: asking again gives no packet. */
    if (rc == 0 && trawl_reader_next(r, &p, err, sizeof err) > 0)
        __builtin_trap();
    poke_metadata(r);

    /* Seeking back to packets already read returns the same packets. */
    uint64_t n = out->count < MAX_SUMMARIES ? out->count : MAX_SUMMARIES;
    if (n > 0 && seeks != SEEK_NONE) {
        uint64_t picks[] = {0, n - 1, n / 2, 3, n / 3, 1};
        size_t npicks = seeks == SEEK_ALL ? sizeof picks / sizeof picks[0] : 2;
        for (size_t i = 0; i < npicks; i++) {
            uint64_t k = picks[i];
            if (k >= n)
                continue;
            if (trawl_reader_seek(r, k, err, sizeof err) != 0 ||
                trawl_reader_tell(r) != k)
                __builtin_trap();
            if (trawl_reader_next(r, &p, err, sizeof err) != 1)
                __builtin_trap();
            struct summary s;
            summarise(&p, &s);
            if (!same(&s, &out->pkts[k]))
                __builtin_trap();
        }
    }
    /* Past the last packet of a trace that ended cleanly there is
     * nothing to seek to. */
    if (seeks == SEEK_ALL && rc == 0 &&
        trawl_reader_seek(r, out->count + 5, err, sizeof err) == 0)
        __builtin_trap();
    trawl_reader_close(r);

    /* A fresh reader seeking forward reads on to the same packet. */
    if (seeks == SEEK_ALL && n > 1 &&
        trawl_reader_open(&r, paths, 1, NULL, err, sizeof err) == 0) {
        if (trawl_reader_seek(r, n - 1, err, sizeof err) != 0 ||
            trawl_reader_next(r, &p, err, sizeof err) != 1)
            __builtin_trap();
        struct summary s;
        summarise(&p, &s);
        if (!same(&s, &out->pkts[n - 1]))
            __builtin_trap();
        trawl_reader_close(r);
    }
    return true;
}

static bool read_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                       struct outcome *out, enum seeks seeks) {
    char path[64];
    int fd = memfd_with(a, na, b, nb, path, sizeof path);
    if (fd < 0) {
        memset(out, 0, sizeof *out);
        return false;
    }
    bool ok = read_all(path, out, seeks);
    close(fd);
    return ok;
}

/* The compressed pass reads what the plain pass read. */
static void check_same(const struct outcome *plain, bool plain_ok,
                       const struct outcome *packed, bool packed_ok) {
    if (plain_ok != packed_ok || plain->count != packed->count ||
        (plain->end == 0) != (packed->end == 0))
        __builtin_trap();
    uint64_t n = plain->count < MAX_SUMMARIES ? plain->count : MAX_SUMMARIES;
    for (uint64_t i = 0; i < n; i++)
        if (!same(&plain->pkts[i], &packed->pkts[i]))
            __builtin_trap();
}

/* The compressors live as long as the process: setting one up costs
 * more than compressing a fuzz input. */
static size_t gzip_compress(const uint8_t *in, size_t n, uint8_t *out,
                            size_t cap) {
    static z_stream z;
    static bool ready;
    if (!ready) {
        /* 15 + 16: a gzip wrapper, as gzip(1) writes. */
        if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
            Z_OK)
            abort();
        ready = true;
    }
    deflateReset(&z);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    return rc == Z_STREAM_END ? cap - z.avail_out : 0;
}

static size_t zstd_compress(const uint8_t *in, size_t n, uint8_t *out,
                            size_t cap) {
    static ZSTD_CCtx *cx;
    if (!cx && !(cx = ZSTD_createCCtx()))
        abort();
    size_t got = ZSTD_compressCCtx(cx, out, cap, in, n, 1);
    return ZSTD_isError(got) ? 0 : got;
}

/* Whether the input is itself compressed: compressing it again would
 * hide the trace one level deeper than the reader looks. */
static bool looks_compressed(const uint8_t *d, size_t n) {
    return (n >= 2 && d[0] == 0x1f && d[1] == 0x8b) ||
           (n >= 4 && d[0] == 0x28 && d[1] == 0xb5 && d[2] == 0x2f &&
            d[3] == 0xfd);
}

/* Reads `data` again through a compressor and checks it against `plain`. */
static void compressed_pass(const uint8_t *data, size_t size, bool zstd,
                            const struct outcome *plain, bool plain_ok) {
    size_t cap =
        zstd ? ZSTD_compressBound(size) : compressBound((uLong)size) + 64;
    uint8_t *buf = malloc(cap);
    if (!buf)
        abort();
    size_t n = zstd ? zstd_compress(data, size, buf, cap)
                    : gzip_compress(data, size, buf, cap);
    if (n) {
        struct outcome packed;
        bool ok = read_bytes(buf, n, NULL, 0, &packed, SEEK_ENDS);
        check_same(plain, plain_ok, &packed, ok);
        free(packed.pkts);
    }
    free(buf);
}

/* The input as corrupt compressed data behind a magic number. */
static void junk_pass(const uint8_t *data, size_t size, bool zstd) {
    static const uint8_t gz_magic[] = {0x1f, 0x8b, 0x08, 0x00, 0,
                                       0,    0,    0,    0,    0xff};
    static const uint8_t zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};
    struct outcome out;
    if (zstd)
        read_bytes(zstd_magic, sizeof zstd_magic, data, size, &out, SEEK_NONE);
    else
        read_bytes(gz_magic, sizeof gz_magic, data, size, &out, SEEK_NONE);
    free(out.pkts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct outcome plain;
    bool plain_ok = read_bytes(data, size, NULL, 0, &plain, SEEK_ALL);
    /* Each extra pass opens a compressed stream, whose multi-megabyte
     * buffers cost milliseconds under ASan: one extra pass per input,
     * chosen by the input's hash, so that a crash replays the same way. */
    switch (fnv(0xcbf29ce484222325ull, data, size) % 4) {
    case 0:
    case 1:
        if (size <= MAX_RECOMPRESS && !looks_compressed(data, size))
            compressed_pass(data, size,
                            fnv(0xcbf29ce484222325ull, data, size) % 4 == 1,
                            &plain, plain_ok);
        break;
    case 2: junk_pass(data, size, false); break;
    default: junk_pass(data, size, true); break;
    }
    free(plain.pkts);
    return 0;
}
