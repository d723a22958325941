/* The trace writer: the buffer, and the public API over the pcap
 * (pcap_write.c) and pcapng (pcapng_write.c) record builders. How buffers
 * reach the file so that a killed writer leaves whole records is
 * writer_io.c; the asynchronous mode's buffers and thread are
 * writer_pool.c.
 *
 * Records are built directly in one large buffer, which only ever holds
 * whole records and is handed to the kernel whole; every block the writer
 * builds fits in it (see WRITER_MAX_EPB), so no record is ever split over
 * two writes by the writer itself.
 *
 * A synchronous writer has one buffer and writes it itself when it fills.
 * An asynchronous one takes its buffers from a pool and hands full ones to
 * the pool's thread; when the thread has every buffer, packets are dropped
 * (and counted) rather than waited for, while headers wait. A new file's
 * headers, up to its first packet, are written at once by the caller even
 * then, so that every file is a valid trace from the moment it exists. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "format/writer_int.h"
#include "format/writer_pool.h"

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

/* ---- handing buffers on --------------------------------------------------- */

/* After buf[0, len) went to the file: an O_DIRECT write covered the last
 * partial page with padding, so that page stays at the front of the
 * buffer, to be written again with the records that follow it. */
static void after_write(trawl_writer *w) {
    size_t keep = w->direct ? w->len % WRITER_PAGE : 0;
    memmove(w->buf, w->buf + w->len - keep, keep);
    w->written += w->len - keep;
    w->len = w->kept = keep;
}

/* Writes the buffer in the calling thread. */
static int flush_here(trawl_writer *w, char *err, size_t errlen) {
    int rc = sink_write(w->sink, w->buf, w->len, w->written);
    if (rc == SINK_NOT_DIRECT) {
        w->direct = false; /* nothing was written: write it all plainly */
        rc = sink_write(w->sink, w->buf, w->len, w->written);
    }
    if (rc < 0) {
        w->len = w->kept;
        return writer_take_sink_error(w, err, errlen);
    }
    after_write(w);
    return 0;
}

/* Takes a buffer from the pool for the records that follow, with the
 * partial page they continue at its front. */
static bool take_buffer(trawl_writer *w, bool wait) {
    struct pool_buf *b = pool_acquire(w->pool, wait);
    if (!b)
        return false;
    w->pb = b;
    w->buf = b->data;
    w->cap = w->pool->bufsize;
    memcpy(w->buf, w->tail, w->tail_len);
    w->len = w->kept = w->tail_len;
    return true;
}

/* Queues the current buffer for the pool's thread; the writer is then
 * without a buffer. */
static void submit_buffer(trawl_writer *w) {
    size_t keep = w->direct ? w->len % WRITER_PAGE : 0;
    memcpy(w->tail, w->buf + w->len - keep, keep);
    pool_submit_buf(w->pb, w->sink, w->len, w->written);
    w->queued = true;
    w->written += w->len - keep;
    w->tail_len = keep;
    w->pb = NULL;
    w->buf = NULL;
    w->cap = w->len = w->kept = 0;
}

int writer_flush(trawl_writer *w, char *err, size_t errlen) {
    if (w->error)
        return core_err(err, errlen, w->error, "%s", w->errmsg);
    if (w->len == w->kept)
        return 0; /* nothing new */
    if (w->flush_ms)
        w->last_flush_ms = clock_ms(w->clock);
    /* A new file's headers go out at once, also in asynchronous mode;
     * the pool's thread has nothing of this file yet, so order holds. */
    if (!w->pool || (!w->queued && w->packets == 0))
        return flush_here(w, err, errlen);
    int rc = writer_take_sink_error(w, err, errlen);
    if (rc < 0)
        return rc;
    submit_buffer(w);
    take_buffer(w, false);
    return 0;
}

/* The flush an interval asks for. An asynchronous writer whose thread is
 * still busy keeps filling its buffer instead: the records could not be
 * written sooner anyway, and a buffer handed on for every interval would
 * leave none to fill when the intervals are short. */
static int timed_flush(trawl_writer *w, char *err, size_t errlen) {
    if (w->pool && !pool_idle(w->pool))
        return 0;
    return writer_flush(w, err, errlen);
}

int writer_make_room(trawl_writer *w, size_t n, char *err, size_t errlen) {
    (void)n; /* every block fits in an empty buffer (WRITER_MAX_EPB) */
    if (w->buf && writer_flush(w, err, errlen) < 0) {
        w->refused = w->error;
        return -1;
    }
    if (!w->buf && !take_buffer(w, w->may_wait)) {
        w->refused = TRAWL_WRITER_DROPPED;
        return -1;
    }
    return 0;
}
/* ---- opening ------------------------------------------------------------- */

static void writer_free(trawl_writer *w) {
    if (w->pb)
        pool_put_back(w->pool, w->pb);
    else if (!w->pool)
        free(w->buf);
    sink_free(w->sink);
    if (w->own_pool)
        pool_free(w->pool);
    free(w->ifaces);
    free(w);
}

/* The writer of `fd` (taken: closed on failure too), with its buffers from
 * `pool` (owned when own_pool) or its own. */
static int writer_new(trawl_writer **out, int fd, const char *name,
                      const struct trawl_writer_options *opt,
                      struct writer_pool *pool, bool own_pool,
                      trawl_write_fn fn, void *fn_ctx, char *errbuf,
                      size_t errlen) {
    *out = NULL;
    trawl_writer *w = core_calloc(1, sizeof *w);
    if (!w) {
        if (fd >= 0)
            close(fd);
        if (own_pool)
            pool_free(pool);
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "%s: out of memory",
                        name);
    }
    w->pool = pool;
    w->own_pool = own_pool;
    int rc = fn ? sink_open_stream(&w->sink, fn, fn_ctx, name, errbuf, errlen)
                : sink_open(&w->sink, fd, name, opt->format, errbuf, errlen);
    if (rc < 0) {
        writer_free(w);
        return rc;
    }
    w->name = w->sink->name;
    w->direct = w->sink->direct;
    w->format = opt->format;
    if (pool) {
        take_buffer(w, true);
    } else {
        /* Page aligned for O_DIRECT, with room for padding after a full
         * buffer. */
        if (posix_memalign((void **)&w->buf, WRITER_PAGE,
                           WRITER_BUF_SIZE + WRITER_PAD_ROOM) != 0) {
            w->buf = NULL;
            writer_free(w);
            return core_err(errbuf, errlen, TRAWL_ENOMEM, "%s: out of memory",
                            name);
        }
        w->cap = WRITER_BUF_SIZE;
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
        w->may_wait = true;
        rc = pcapng_put_shb(w, opt, errbuf, errlen);
        w->may_wait = false;
        if (rc == 0)
            rc = writer_flush(w, errbuf, errlen);
        if (rc < 0) {
            trawl_writer_close(w, NULL, 0);
            return rc;
        }
    }
    *out = w;
    return 0;
}

size_t writer_async_buffer_size(size_t asked) {
    size_t size = asked ? asked : WRITER_ASYNC_BUF_SIZE;
    /* Whole pages, and never smaller than a synchronous buffer, which
     * every block fits in. */
    size = (size + WRITER_PAGE - 1) / WRITER_PAGE * WRITER_PAGE;
    return size < WRITER_BUF_SIZE ? WRITER_BUF_SIZE : size;
}

static const struct trawl_writer_options default_options = {0};

static int check_format(const struct trawl_writer_options *opt,
                        const char *name, char *errbuf, size_t errlen) {
    if ((unsigned)opt->format > TRAWL_FORMAT_PCAPNG)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: unknown output format %d", name, (int)opt->format);
    return 0;
}

TRAWL_API int trawl_writer_open_fd(trawl_writer **out, int fd, const char *name,
                                   const struct trawl_writer_options *opt,
                                   char *errbuf, size_t errlen) {
    *out = NULL;
    if (!opt)
        opt = &default_options;
    if (!name)
        name = "(output)";
    int rc = check_format(opt, name, errbuf, errlen);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    struct writer_pool *pool = NULL;
    if (opt->async_buffers) {
        rc = pool_new(&pool, opt->async_buffers,
                      writer_async_buffer_size(opt->async_buffer_size),
                      errbuf, errlen);
        if (rc < 0) {
            core_err_prefix(errbuf, errlen, "%s", name);
            close(fd);
            return rc;
        }
    }
    return writer_new(out, fd, name, opt, pool, pool != NULL, NULL, NULL,
                      errbuf, errlen);
}

TRAWL_API int trawl_writer_open_stream(trawl_writer **out, trawl_write_fn fn,
                                       void *ctx, const char *name,
                                       const struct trawl_writer_options *opt,
                                       char *errbuf, size_t errlen) {
    *out = NULL;
    if (!opt)
        opt = &default_options;
    if (!name)
        name = "(output)";
    if (!fn)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: stream writer without a callback", name);
    /* The callback decides how to wait; a thread of the writer's own in
     * between would only add a copy. */
    if (opt->async_buffers)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: stream writers are synchronous", name);
    int rc = check_format(opt, name, errbuf, errlen);
    if (rc < 0)
        return rc;
    return writer_new(out, -1, name, opt, NULL, false, fn, ctx, errbuf,
                      errlen);
}

int writer_open_pooled(trawl_writer **out, int fd, const char *name,
                       const struct trawl_writer_options *opt,
                       struct writer_pool *pool, char *errbuf, size_t errlen) {
    *out = NULL;
    int rc = check_format(opt, name, errbuf, errlen);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return writer_new(out, fd, name, opt, pool, false, NULL, NULL, errbuf,
                      errlen);
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
    return trawl_writer_open_fd(out, fd, is_stdout ? "standard output" : path,
                                opt, errbuf, errlen);
}

/* ---- interfaces and packets ---------------------------------------------- */

int writer_add_iface(trawl_writer *w, const struct trawl_iface *iface,
                     uint32_t *id, char *errbuf, size_t errlen) {
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
    w->may_wait = true;
    if (pcapng)
        rc = pcapng_put_idb(w, iface, errbuf, errlen);
    else if (w->nifaces == 0)
        rc = pcap_put_header(w, iface, errbuf, errlen);
    w->may_wait = false;
    if (rc < 0)
        return rc;
    w->ifaces[w->nifaces] = (struct writer_iface){.linktype = iface->linktype};
    *id = (uint32_t)w->nifaces++;
    return 0;
}

TRAWL_API int trawl_writer_add_iface(trawl_writer *w,
                                     const struct trawl_iface *iface,
                                     uint32_t *id, char *errbuf,
                                     size_t errlen) {
    int rc = writer_add_iface(w, iface, id, errbuf, errlen);
    /* Headers go to the kernel at once: a reader following the file sees
     * the interface before its first packet arrives. */
    return rc < 0 ? rc : writer_flush(w, errbuf, errlen);
}

/* Why a packet cannot be written; kept out of the hot path. */
static TRAWL_NOINLINE int refuse(trawl_writer *w, const struct trawl_pkt *pkt,
                                 char *err, size_t errlen) {
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

static TRAWL_NOINLINE int not_written(trawl_writer *w,
                                      const struct trawl_pkt *pkt, int rc) {
    if (rc == TRAWL_WRITER_DROPPED) {
        w->dropped++;
        w->dropped_bytes += pkt->caplen;
    }
    return rc;
}

/* Out of line, with its clock read: writers that flush by time are the
 * live ones, not copies. */
static TRAWL_NOINLINE int flush_if_due(trawl_writer *w, char *errbuf,
                                       size_t errlen) {
    if (clock_ms(w->clock) - w->last_flush_ms >= w->flush_ms)
        return timed_flush(w, errbuf, errlen);
    return 0;
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
    if (TRAWL_UNLIKELY(rc != 0))
        return not_written(w, pkt, rc);
    w->packets++;
    if (w->flush_ms)
        return flush_if_due(w, errbuf, errlen);
    return 0;
}

TRAWL_API long trawl_writer_put(trawl_writer *w, const struct trawl_pkt *pkt,
                                uint8_t *buf, size_t len, char *errbuf,
                                size_t errlen) {
    if (TRAWL_UNLIKELY(w->error))
        return core_err(errbuf, errlen, w->error, "%s", w->errmsg);
    if (!w->sink->fn)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: trawl_writer_put is for stream writers", w->name);
    if (w->len != w->kept)
        return core_err(errbuf, errlen, TRAWL_EBUSY,
                        "%s: %zu bytes are still buffered: flush first",
                        w->name, w->len - w->kept);
    if (TRAWL_UNLIKELY(
            pkt->iface >= w->nifaces || pkt->caplen > TRAWL_MAX_CAPLEN ||
            pkt->ts_nsec >= 1000000000u || (uint64_t)pkt->ts_sec > w->max_sec))
        return refuse(w, pkt, errbuf, errlen);
    uint64_t need = writer_record_size(w, pkt);
    if (need > len)
        return 0;
    /* The record builders write at the end of the buffer: for this one
     * record, the buffer is the caller's. */
    uint8_t *own = w->buf;
    size_t own_cap = w->cap, own_len = w->len;
    w->buf = buf;
    w->cap = len;
    w->len = 0;
    int rc = w->format == TRAWL_FORMAT_PCAPNG
                 ? pcapng_put_epb(w, pkt, errbuf, errlen)
                 : pcap_put_record(w, pkt, errbuf, errlen);
    w->buf = own;
    w->cap = own_cap;
    w->len = own_len;
    if (rc < 0)
        return rc;
    w->written += need;
    w->packets++;
    return (long)need;
}

uint64_t writer_record_size(const trawl_writer *w,
                            const struct trawl_pkt *pkt) {
    return w->format == TRAWL_FORMAT_PCAPNG
               ? pcapng_epb_size(pkt, NULL)
               : PCAP_REC_HDR + (uint64_t)pkt->caplen;
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
    return w->written + (w->buf ? w->len : w->tail_len);
}

TRAWL_API void trawl_writer_get_stats(const trawl_writer *w,
                                      struct trawl_writer_stats *st) {
    *st = (struct trawl_writer_stats){
        .packets = w->packets,
        .bytes = trawl_writer_bytes(w),
        .dropped = w->dropped,
        .dropped_bytes = w->dropped_bytes,
        .buffers = w->pool ? w->pool->nbufs : 1,
        .buffers_busy_max = w->pool ? w->pool->busy_max : 0,
    };
}

/* ---- closing ------------------------------------------------------------- */

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

/* The trailer, and everything still buffered handed on: written here
 * (synchronous), or queued for the pool's thread. Returns 0 or the first
 * error. */
static int finish_records(trawl_writer *w, char *err, size_t errlen) {
    if (w->error)
        return core_err(err, errlen, w->error, "%s", w->errmsg);
    w->may_wait = true;
    int rc = put_trailer(w, err, errlen);
    w->may_wait = false;
    if (rc < 0)
        return rc;
    if (!w->pool || (!w->queued && w->packets == 0))
        return writer_flush(w, err, errlen);
    rc = writer_take_sink_error(w, err, errlen);
    if (rc == 0 && w->buf && w->len > w->kept)
        submit_buffer(w);
    return rc;
}

static void close_job_run(struct pool_job *job) {
    struct writer_sink *s =
        (struct writer_sink *)((char *)job -
                               offsetof(struct writer_sink, close_job));
    int rc = sink_finish(s, s->close_end);
    if (s->closed)
        s->closed(s->closed_ctx, rc, rc ? s->errmsg : NULL);
    sink_free(s);
}

void writer_close_async(trawl_writer *w,
                        void (*closed)(void *ctx, int rc, const char *msg),
                        void *ctx) {
    char err[TRAWL_ERRBUF_SIZE];
    int rc = finish_records(w, err, sizeof err);
    struct writer_sink *s = w->sink;
    if (rc < 0 && !atomic_load(&s->error)) {
        /* Not a write error (those are the sink's already): say it at
         * close all the same. */
        snprintf(s->errmsg, sizeof s->errmsg, "%s", err);
        atomic_store_explicit(&s->error, rc, memory_order_release);
    }
    s->close_end = trawl_writer_bytes(w);
    s->closed = closed;
    s->closed_ctx = ctx;
    s->close_job.run = close_job_run;
    w->sink = NULL;
    struct writer_pool *pool = w->pool;
    bool own = w->own_pool;
    w->own_pool = false;
    writer_free(w);
    pool_submit(pool, &s->close_job);
    if (own)
        pool_free(pool);
}

struct close_result {
    int rc;
    char msg[TRAWL_ERRBUF_SIZE];
};

static void note_closed(void *ctx, int rc, const char *msg) {
    struct close_result *r = ctx;
    r->rc = rc;
    if (msg)
        snprintf(r->msg, sizeof r->msg, "%s", msg);
}

TRAWL_API int trawl_writer_close(trawl_writer *w, char *errbuf, size_t errlen) {
    if (!w)
        return 0;
    if (w->pool) {
        /* Queued behind the file's last buffers; a pool of the writer's
         * own is drained when it is freed, a shared one here. */
        struct close_result r = {0};
        struct writer_pool *pool = w->pool;
        bool own = w->own_pool;
        writer_close_async(w, note_closed, &r);
        if (!own)
            pool_drain(pool);
        return r.rc ? core_err(errbuf, errlen, r.rc, "%s", r.msg) : 0;
    }
    int rc = finish_records(w, errbuf, errlen);
    int frc = sink_finish(w->sink, trawl_writer_bytes(w));
    if (frc < 0 && rc == 0)
        rc = core_err(errbuf, errlen, frc, "%s", w->sink->errmsg);
    writer_free(w);
    return rc;
}
