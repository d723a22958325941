/* The trace writer: the file, the buffer, and the public API over the pcap
 * (pcap_write.c) and pcapng (pcapng_write.c) record builders.
 *
 * Records are built directly in one large buffer, which only ever holds
 * whole records and is handed to the kernel whole; every block the writer
 * builds fits in it (see WRITER_MAX_EPB), so no record is ever split over
 * two writes by the writer itself.
 *
 * That alone does not make a killed writer leave whole records: the kernel
 * copies a buffered write() into the page cache a page (or folio) at a
 * time and gives up between two when SIGKILL is pending, so the file can
 * end part way into a record. An O_DIRECT write, in contrast, is waited
 * for uninterruptibly and extends the file only once complete. So pcapng
 * going to a regular file is written with O_DIRECT, in whole pages: the
 * records, then a padding block (PCAPNG_TRAWL_PAD, a local-use block type
 * every pcapng reader skips) up to the next page boundary; the next flush
 * rewrites that last page with the records that follow, and close cuts the
 * padding off. pcap has no block a reader would skip, and tmpfs takes
 * O_DIRECT but writes through the page cache all the same, so those are
 * written with plain write() and may end in a torn record after kill -9
 * (the reader steps over it with a warning). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "format/writer_int.h"

/* Latest second each format can stamp: pcap has 32 unsigned bits of
 * seconds, pcapng 64 bits of nanoseconds. */
#define PCAP_MAX_SEC UINT32_MAX
#define PCAPNG_MAX_SEC ((UINT64_MAX - 999999999u) / 1000000000u)

/* The link type used for a pcap file to which no interface was added, so
 * that it is still a valid (empty) pcap file rather than zero bytes, which
 * readers take for some other format. */
#define PCAP_EMPTY_LINKTYPE 1 /* LINKTYPE_ETHERNET */

static uint64_t clock_ms(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The clock read on every packet when flushing by time: the coarse one
 * costs a few nanoseconds but ticks only every jiffy (1 to 10 ms), so it is
 * used only when it ticks at least as often as the interval asks. */
static clockid_t flush_clock(unsigned interval_ms) {
    struct timespec res;
    if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0 && res.tv_sec == 0 &&
        (uint64_t)res.tv_nsec <= (uint64_t)interval_ms * 1000000u)
        return CLOCK_MONOTONIC_COARSE;
    return CLOCK_MONOTONIC;
}

size_t writer_text_len(const char *s, size_t max) {
    if (!s)
        return 0;
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return n;
    /* Cut before the character that would straddle the limit: step back
     * while the first byte left out continues a UTF-8 sequence. */
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

int writer_pkt_err(const trawl_writer *w, char *err, size_t errlen, int code,
                   const char *fmt, ...) {
    if (!err || !errlen)
        return code;
    va_list ap;
    va_start(ap, fmt);
    core_verr(err, errlen, code, fmt, ap);
    va_end(ap);
    core_err_prefix(err, errlen, "%s: packet %" PRIu64, w->name,
                    w->packets + 1);
    return code;
}

/* Records the first I/O error; the file's end is then unknown, so it
 * stays the answer to every later call. */
static int io_fail(trawl_writer *w, char *err, size_t errlen, uint64_t off,
                   int e) {
    if (!w->error) {
        w->error = TRAWL_EIO;
        snprintf(w->errmsg, sizeof w->errmsg,
                 "%s: write failed at byte offset %" PRIu64 ": %s", w->name,
                 off, strerror(e));
    }
    return core_err(err, errlen, w->error, "%s", w->errmsg);
}

/* Whether pcapng to this descriptor can be written with O_DIRECT in whole
 * pages (see the top of this file): a regular file, not on tmpfs, written
 * from its start and not in append mode (pwrite() places the pages). */
static bool direct_ok(int fd) {
    struct stat st;
    struct statfs sfs;
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && !(fl & O_APPEND) && fstat(fd, &st) == 0 &&
           S_ISREG(st.st_mode) && fstatfs(fd, &sfs) == 0 &&
           sfs.f_type != TMPFS_MAGIC && lseek(fd, 0, SEEK_CUR) == 0;
}

static void set_direct(int fd, bool on) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT);
}

/* Gives up O_DIRECT for plain writes, which continue where the file ends:
 * the kernel refused an aligned direct write (a device wanting larger
 * blocks), which can only happen on the first, as all are alike. */
static void stop_direct(trawl_writer *w) {
    set_direct(w->fd, false);
    w->direct = false;
}

/* The O_DIRECT flush: the records, a padding block to the next page
 * boundary, one pwrite() of whole pages at the page-aligned offset of
 * buf[0]; then the last partial page moves to the front of the buffer, to
 * be written again with the records that follow it. */
static int flush_direct(trawl_writer *w, char *err, size_t errlen) {
    size_t len = w->len;
    size_t pad = (WRITER_PAGE - len % WRITER_PAGE) % WRITER_PAGE;
    if (pad && pad < 12)
        pad += WRITER_PAGE; /* a block has at least 12 bytes */
    if (pad) {
        uint8_t *p = w->buf + len;
        core_put_le32(p, PCAPNG_TRAWL_PAD);
        core_put_le32(p + 4, (uint32_t)pad);
        memset(p + 8, 0, pad - 12);
        core_put_le32(p + pad - 4, (uint32_t)pad);
    }
    size_t total = len + pad, done = 0;
    while (done < total) {
        ssize_t r = pwrite(w->fd, w->buf + done, total - done,
                           (off_t)(w->written + done));
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        int e = r == 0 ? EIO : errno;
        if (e == EINTR)
            continue;
        if (e == EINVAL && w->written == 0 && done == 0) {
            stop_direct(w);
            return writer_flush(w, err, errlen);
        }
        w->len = w->kept;
        return io_fail(w, err, errlen, w->written + done, e);
    }
    size_t keep = len % WRITER_PAGE;
    memmove(w->buf, w->buf + len - keep, keep);
    w->written += len - keep;
    w->len = w->kept = keep;
    return 0;
}

/* A stream writer's flush: the whole records go to the callback in one
 * call. Its failure is sticky, as a failed write() is, because the stream
 * no longer holds what the writer thinks it does. */
static int flush_sink(trawl_writer *w, char *err, size_t errlen) {
    char msg[TRAWL_ERRBUF_SIZE] = "";
    int rc = w->sink(w->sink_ctx, w->buf, w->len, msg, sizeof msg);
    if (rc < 0) {
        w->len = 0;
        w->error = rc;
        snprintf(w->errmsg, sizeof w->errmsg,
                 "%s: write failed at byte offset %" PRIu64 ": %s", w->name,
                 w->written, msg[0] ? msg : trawl_strerror(rc));
        return core_err(err, errlen, w->error, "%s", w->errmsg);
    }
    w->written += w->len;
    w->len = 0;
    return 0;
}

int writer_flush(trawl_writer *w, char *err, size_t errlen) {
    if (w->error)
        return core_err(err, errlen, w->error, "%s", w->errmsg);
    if (w->len == w->kept)
        return 0; /* nothing new */
    if (w->flush_ms)
        w->last_flush_ms = clock_ms(w->clock);
    if (w->direct)
        return flush_direct(w, err, errlen);
    if (w->sink)
        return flush_sink(w, err, errlen);
    const uint8_t *p = w->buf;
    size_t n = w->len;
    /* A short write (a signal, a pipe, a full disk on the next call) is
     * continued where it stopped; a non-blocking descriptor is waited on. */
    while (n) {
        ssize_t r = write(w->fd, p, n);
        if (r > 0) {
            w->written += (uint64_t)r;
            p += r;
            n -= (size_t)r;
            continue;
        }
        int e = r == 0 ? EIO : errno;
        if (e == EINTR)
            continue;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            struct pollfd pfd = {.fd = w->fd, .events = POLLOUT};
            if (poll(&pfd, 1, -1) >= 0 || errno == EINTR)
                continue;
            e = errno;
        }
        w->len = 0;
        return io_fail(w, err, errlen, w->written, e);
    }
    w->len = 0;
    return 0;
}

/* ---- public API ---------------------------------------------------------- */

/* The constructor behind both public ones: output to fd (owned, closed on
 * failure too) or, when sink is set, to the callback (fd is -1). */
static int writer_new(trawl_writer **out, int fd, trawl_write_fn sink,
                      void *sink_ctx, const char *name,
                      const struct trawl_writer_options *opt, char *errbuf,
                      size_t errlen) {
    static const struct trawl_writer_options defaults = {0};
    *out = NULL;
    if (!opt)
        opt = &defaults;
    if (!name)
        name = "(output)";
    if ((unsigned)opt->format > TRAWL_FORMAT_PCAPNG) {
        if (fd >= 0)
            close(fd);
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: unknown output format %d", name, (int)opt->format);
    }
    trawl_writer *w = core_calloc(1, sizeof *w);
    if (!w)
        goto nomem;
    w->fd = fd;
    w->sink = sink;
    w->sink_ctx = sink_ctx;
    w->name = core_strdup(name);
    /* Page aligned for O_DIRECT, with room for a padding block after a
     * full buffer. */
    if (posix_memalign((void **)&w->buf, WRITER_PAGE,
                       WRITER_BUF_SIZE + 2 * WRITER_PAGE) != 0)
        w->buf = NULL;
    if (!w->name || !w->buf)
        goto nomem;
    w->format = opt->format;
    /* O_DIRECT is the caller's choice (trawl_writer_open makes it for
     * the files it creates); where whole pages cannot be written, the
     * flag would only make plain writes fail, so it goes. */
    int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
    if (fl >= 0 && (fl & O_DIRECT)) {
        w->direct = w->format == TRAWL_FORMAT_PCAPNG && direct_ok(fd);
        if (!w->direct)
            set_direct(fd, false);
    }
    w->max_sec =
        w->format == TRAWL_FORMAT_PCAPNG ? PCAPNG_MAX_SEC : PCAP_MAX_SEC;
    w->flush_ms = opt->flush_interval_ms;
    if (w->flush_ms) {
        w->clock = flush_clock(w->flush_ms);
        w->last_flush_ms = clock_ms(w->clock);
    }
    /* The section header goes to the kernel at once, so that the file is
     * a valid pcapng file from the start and a bad descriptor or a full
     * disk is reported here. pcap's header waits for the link type. */
    if (w->format == TRAWL_FORMAT_PCAPNG) {
        int rc = pcapng_put_shb(w, opt, errbuf, errlen);
        if (rc == 0)
            rc = writer_flush(w, errbuf, errlen);
        if (rc < 0) {
            trawl_writer_close(w, NULL, 0);
            return rc;
        }
    }
    *out = w;
    return 0;
nomem:
    if (w) {
        free(w->name);
        free(w->buf);
        free(w);
    }
    if (fd >= 0)
        close(fd);
    return core_err(errbuf, errlen, TRAWL_ENOMEM, "%s: out of memory", name);
}

TRAWL_API int trawl_writer_open_fd(trawl_writer **out, int fd, const char *name,
                                   const struct trawl_writer_options *opt,
                                   char *errbuf, size_t errlen) {
    if (fd < 0) {
        *out = NULL;
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: invalid file descriptor %d",
                        name ? name : "(output)", fd);
    }
    return writer_new(out, fd, NULL, NULL, name, opt, errbuf, errlen);
}

TRAWL_API int trawl_writer_open_stream(trawl_writer **out, trawl_write_fn fn,
                                       void *ctx, const char *name,
                                       const struct trawl_writer_options *opt,
                                       char *errbuf, size_t errlen) {
    if (!fn) {
        *out = NULL;
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: stream writer without a callback",
                        name ? name : "(output)");
    }
    return writer_new(out, -1, fn, ctx, name, opt, errbuf, errlen);
}

TRAWL_API int trawl_writer_open(trawl_writer **out, const char *path,
                                const struct trawl_writer_options *opt,
                                char *errbuf, size_t errlen) {
    *out = NULL;
    bool is_stdout = strcmp(path, "-") == 0;
    /* Standard output is duplicated so that closing the writer leaves the
     * process's descriptor 1 alone. */
    int fd = is_stdout
                 ? fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0)
                 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return core_err(errbuf, errlen, TRAWL_EIO, "%s: cannot create: %s",
                        is_stdout ? "standard output" : path, strerror(errno));
    if (!is_stdout && opt && opt->format == TRAWL_FORMAT_PCAPNG &&
        direct_ok(fd))
        set_direct(fd, true);
    return trawl_writer_open_fd(out, fd, is_stdout ? "standard output" : path,
                                opt, errbuf, errlen);
}

TRAWL_API int trawl_writer_add_iface(trawl_writer *w,
                                     const struct trawl_iface *iface,
                                     uint32_t *id, char *errbuf,
                                     size_t errlen) {
    if (w->error)
        return core_err(errbuf, errlen, w->error, "%s", w->errmsg);
    /* Both formats carry link types in 16 bits (pcap's upper bits are
     * flags, pcapng's field is 16 bits wide). */
    if (iface->linktype < 0 || iface->linktype > UINT16_MAX)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: interface %zu: link type %d is out of range",
                        w->name, w->nifaces, iface->linktype);
    bool pcapng = w->format == TRAWL_FORMAT_PCAPNG;
    if (!pcapng && w->nifaces > 0 && iface->linktype != w->ifaces[0].linktype)
        return core_err(errbuf, errlen, TRAWL_EUNSUPPORTED,
                        "%s: pcap holds one link type; interface %zu is "
                        "LINKTYPE %d but the file is %d: write pcapng "
                        "instead",
                        w->name, w->nifaces, iface->linktype,
                        w->ifaces[0].linktype);
    if (w->nifaces == UINT32_MAX)
        return core_err(errbuf, errlen, TRAWL_ERANGE, "%s: too many interfaces",
                        w->name);
    if (w->nifaces == w->cap_ifaces) {
        size_t ncap = w->cap_ifaces ? w->cap_ifaces * 2 : 4;
        struct writer_iface *n = core_reallocarray(w->ifaces, ncap, sizeof *n);
        if (!n)
            return core_err(errbuf, errlen, TRAWL_ENOMEM, "%s: out of memory",
                            w->name);
        w->ifaces = n;
        w->cap_ifaces = ncap;
    }
    int rc = 0;
    if (pcapng)
        rc = pcapng_put_idb(w, iface, errbuf, errlen);
    else if (w->nifaces == 0)
        rc = pcap_put_header(w, iface, errbuf, errlen);
    /* Headers go to the kernel at once: a reader following the file sees
     * the interface before its first packet arrives. */
    if (rc == 0)
        rc = writer_flush(w, errbuf, errlen);
    if (rc < 0)
        return rc;
    w->ifaces[w->nifaces] = (struct writer_iface){.linktype = iface->linktype};
    *id = (uint32_t)w->nifaces++;
    return 0;
}

/* Why a packet cannot be written; kept out of the hot path. */
static int refuse(trawl_writer *w, const struct trawl_pkt *pkt, char *err,
                  size_t errlen) {
    if (pkt->iface >= w->nifaces)
        return writer_pkt_err(w, err, errlen, TRAWL_EINVAL,
                              "interface %" PRIu32
                              " was not added (the file has %zu)",
                              pkt->iface, w->nifaces);
    if (pkt->caplen > TRAWL_MAX_CAPLEN)
        return writer_pkt_err(w, err, errlen, TRAWL_ERANGE,
                              "captured length %" PRIu32
                              " is larger than %u, the most readers accept",
                              pkt->caplen, TRAWL_MAX_CAPLEN);
    if (pkt->ts_nsec >= 1000000000u)
        return writer_pkt_err(w, err, errlen, TRAWL_EINVAL,
                              "time stamp has %" PRIu32 " nanoseconds",
                              pkt->ts_nsec);
    return writer_pkt_err(w, err, errlen, TRAWL_ERANGE,
                          "time stamp %" PRId64 " s is outside what %s can "
                          "hold (0 to %" PRIu64 " s)",
                          pkt->ts_sec,
                          w->format == TRAWL_FORMAT_PCAPNG ? "pcapng" : "pcap",
                          w->max_sec);
}

TRAWL_API int trawl_writer_write(trawl_writer *w, const struct trawl_pkt *pkt,
                                 char *errbuf, size_t errlen) {
    if (TRAWL_UNLIKELY(w->error))
        return core_err(errbuf, errlen, w->error, "%s", w->errmsg);
    /* A negative second becomes a huge unsigned one and is refused too. */
    if (TRAWL_UNLIKELY(
            pkt->iface >= w->nifaces || pkt->caplen > TRAWL_MAX_CAPLEN ||
            pkt->ts_nsec >= 1000000000u || (uint64_t)pkt->ts_sec > w->max_sec))
        return refuse(w, pkt, errbuf, errlen);
    int rc = w->format == TRAWL_FORMAT_PCAPNG
                 ? pcapng_put_epb(w, pkt, errbuf, errlen)
                 : pcap_put_record(w, pkt, errbuf, errlen);
    if (rc < 0)
        return rc;
    w->packets++;
    if (w->flush_ms && clock_ms(w->clock) - w->last_flush_ms >= w->flush_ms)
        return writer_flush(w, errbuf, errlen);
    return 0;
}

TRAWL_API long trawl_writer_put(trawl_writer *w, const struct trawl_pkt *pkt,
                                uint8_t *buf, size_t len, char *errbuf,
                                size_t errlen) {
    if (TRAWL_UNLIKELY(w->error))
        return core_err(errbuf, errlen, w->error, "%s", w->errmsg);
    if (!w->sink)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: trawl_writer_put is for stream writers", w->name);
    if (w->len)
        return core_err(errbuf, errlen, TRAWL_EBUSY,
                        "%s: %zu bytes are still buffered: flush first",
                        w->name, w->len);
    if (TRAWL_UNLIKELY(
            pkt->iface >= w->nifaces || pkt->caplen > TRAWL_MAX_CAPLEN ||
            pkt->ts_nsec >= 1000000000u || (uint64_t)pkt->ts_sec > w->max_sec))
        return refuse(w, pkt, errbuf, errlen);
    bool ng = w->format == TRAWL_FORMAT_PCAPNG;
    size_t need = ng ? pcapng_epb_size(pkt) : PCAP_REC_HDR + pkt->caplen;
    if (need > len)
        return 0;
    /* The record builders write at the end of the buffer: for this one
     * record, the buffer is the caller's. */
    uint8_t *own = w->buf;
    w->buf = buf;
    int rc = ng ? pcapng_put_epb(w, pkt, errbuf, errlen)
                : pcap_put_record(w, pkt, errbuf, errlen);
    w->buf = own;
    w->len = 0;
    if (rc < 0)
        return rc;
    w->written += need;
    w->packets++;
    return (long)need;
}

TRAWL_API int trawl_writer_set_stats(trawl_writer *w, uint32_t id,
                                     const struct trawl_iface_stats *st) {
    if (id >= w->nifaces || st->start_sec < 0 || st->end_sec < 0 ||
        (uint64_t)st->start_sec > PCAPNG_MAX_SEC ||
        (uint64_t)st->end_sec > PCAPNG_MAX_SEC ||
        st->start_nsec >= 1000000000u || st->end_nsec >= 1000000000u)
        return TRAWL_EINVAL;
    w->ifaces[id].stats = *st;
    w->ifaces[id].has_stats = true;
    return 0;
}

TRAWL_API int trawl_writer_flush(trawl_writer *w, char *errbuf, size_t errlen) {
    return writer_flush(w, errbuf, errlen);
}

TRAWL_API uint64_t trawl_writer_bytes(const trawl_writer *w) {
    /* Padding is not counted: close cuts it off. */
    return w->written + w->len;
}

/* What close appends: the pcap header of a file that never got an
 * interface, or the pcapng statistics blocks. */
static int put_trailer(trawl_writer *w, char *err, size_t errlen) {
    if (w->format != TRAWL_FORMAT_PCAPNG) {
        if (w->nifaces > 0)
            return 0;
        struct trawl_iface none = {.linktype = PCAP_EMPTY_LINKTYPE,
                                   .fcslen = -1};
        return pcap_put_header(w, &none, err, errlen);
    }
    for (uint32_t id = 0; id < w->nifaces; id++) {
        if (!w->ifaces[id].has_stats)
            continue;
        int rc = pcapng_put_isb(w, id, err, errlen);
        if (rc < 0)
            return rc;
    }
    return 0;
}

TRAWL_API int trawl_writer_close(trawl_writer *w, char *errbuf, size_t errlen) {
    if (!w)
        return 0;
    int rc = w->error ? core_err(errbuf, errlen, w->error, "%s", w->errmsg)
                      : put_trailer(w, errbuf, errlen);
    if (rc == 0)
        rc = writer_flush(w, errbuf, errlen);
    /* A file closed normally ends in its last record, not in padding. */
    if (rc == 0 && w->direct &&
        ftruncate(w->fd, (off_t)(w->written + w->len)) < 0)
        rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: cannot truncate: %s",
                      w->name, strerror(errno));
    if (w->fd >= 0 && close(w->fd) < 0 && rc == 0)
        rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: close failed: %s",
                      w->name, strerror(errno));
    free(w->ifaces);
    free(w->buf);
    free(w->name);
    free(w);
    return rc;
}
