/* The trawl_writer object, shared by writer.c (the buffer and the public
 * API), writer_io.c (the file: how buffers reach it), writer_pool.c (the
 * asynchronous mode's buffers and thread), pcap_write.c and pcapng_write.c
 * (the records). Internal. */
#ifndef TRAWL_WRITER_INT_H
#define TRAWL_WRITER_INT_H

#include <stdatomic.h>
#include <time.h>

#include "core/core.h"
#include "format/format.h"
#include "format/guard.h"
#include "format/pcap_defs.h"
#include "trawl/writer.h"

/* The buffer of a synchronous writer. Records are built in place in it and
 * it is handed to the kernel whole, so its size is the unit of a write()
 * on the hot path. Asynchronous writers use buffers of their own size, at
 * least this large. */
#define WRITER_BUF_SIZE (1u << 20)
#define WRITER_ASYNC_BUF_SIZE (16u << 20)

/* O_DIRECT writes (to a regular file, see writer_io.c) cover whole pages:
 * buffer, file offset and length are multiples of this. After such a
 * write the buffer still holds the last partial page, up to a page. */
#define WRITER_PAGE 4096u

/* Room every buffer has past its size for the padding that completes the
 * last page of an O_DIRECT write (a pcapng block has at least 12 bytes, so
 * its padding can reach into a second page). */
#define WRITER_PAD_ROOM (2u * WRITER_PAGE)

/* The largest block the writer builds: an interface description with four
 * text options of the longest length an option can have (and two small
 * ones), or a packet of TRAWL_MAX_CAPLEN with a longest comment. Because
 * the buffer is larger, every block is built whole in the buffer and no
 * block is ever split over two write() calls by the writer itself. */
#define WRITER_TEXT_OPT (4u + PCAPNG_OPT_MAX + 1u)
#define WRITER_MAX_IDB (PCAPNG_IDB_FIXED + 4u * WRITER_TEXT_OPT + 2u * 8u + 4u)
#define WRITER_MAX_EPB                                                         \
    (PCAPNG_EPB_FIXED + TRAWL_MAX_CAPLEN + 8u + WRITER_TEXT_OPT + 4u)
_Static_assert(WRITER_BUF_SIZE - WRITER_PAGE >= WRITER_MAX_IDB &&
                   WRITER_BUF_SIZE - WRITER_PAGE >= WRITER_MAX_EPB,
               "the writer buffer must hold the largest block after a page");

struct writer_pool;
struct pool_buf;

/* A job for the asynchronous mode's thread (writer_pool.c). */
struct pool_job {
    struct pool_job *next;
    void (*run)(struct pool_job *job);
};

/* The file a writer writes, and how: everything a write needs, so that
 * either the writer itself or the pool's thread can do it. */
struct writer_sink {
    char *name; /* for messages; owned */
    int fd;     /* owned; -1 for a stream */
    /* A stream writer's records go to fn(fn_ctx, ...) instead of fd. */
    trawl_write_fn fn;
    void *fn_ctx;
    bool direct; /* O_DIRECT whole pages (see writer_io.c) */
    bool pcapng; /* pad the last page with a padding block, else with a
                    pcap filler that the file is then truncated before */
    struct format_guard guard;
    /* The first write error; once set, every later write is skipped and
     * the writer reports it, because the file no longer ends where the
     * writer thinks it does. Set with release by whichever thread wrote,
     * after errmsg. */
    _Atomic int error;
    char errmsg[TRAWL_ERRBUF_SIZE];
    /* Closing on the pool's thread (writer_close_async). */
    struct pool_job close_job;
    uint64_t close_end;
    void (*closed)(void *ctx, int rc, const char *msg);
    void *closed_ctx;
};

struct writer_iface {
    int linktype;
    bool has_stats;
    struct trawl_iface_stats stats;
};

struct trawl_writer {
    struct writer_sink *sink; /* owned until close hands it on */
    const char *name;         /* sink->name */
    enum trawl_format format;
    /* The buffer records are built in: page aligned, `cap` bytes plus
     * WRITER_PAD_ROOM. buf[0, len) are whole records, of which the first
     * `kept` are already in the file (O_DIRECT only, else 0). NULL (and
     * cap, len and kept 0) while an asynchronous writer has no buffer. */
    uint8_t *buf;
    size_t cap, len, kept;
    uint64_t written; /* file offset of buf[0] */
    bool direct;      /* sink->direct, as the builder side last saw it */
    /* Asynchronous mode: the pool the buffers come from and go back to,
     * the buffer being filled, and, while there is none, the last partial
     * page of the previous one (to be written again at the start of the
     * next). `queued` is set once a buffer went to the pool's thread:
     * from then on every write goes there, in order. */
    struct writer_pool *pool;
    bool own_pool;
    struct pool_buf *pb;
    bool queued;
    uint8_t tail[WRITER_PAGE];
    size_t tail_len;
    /* What a failed writer_reserve() means: an error, or, while building
     * a packet in asynchronous mode, TRAWL_WRITER_DROPPED. Headers are
     * built with may_wait set: they wait for a buffer, packets never do. */
    int refused;
    bool may_wait;
    uint64_t packets; /* packets accepted */
    uint64_t dropped, dropped_bytes;
    uint64_t max_sec; /* latest time stamp the format can hold */
    struct writer_iface *ifaces;
    size_t nifaces, cap_ifaces;
    /* Flushing by time: the clock is read on every packet when
     * flush_ms > 0, so it is the cheap coarse clock unless that ticks
     * more slowly than the interval asks. */
    unsigned flush_ms;
    clockid_t clock;
    uint64_t last_flush_ms;
    /* The first error, sticky (see writer_sink.error). */
    int error;
    char errmsg[TRAWL_ERRBUF_SIZE];
};

/* Hands the records of buf[0, len) that are not in the file yet to the
 * kernel (or, asynchronously, to the pool's thread). */
int writer_flush(trawl_writer *w, char *err, size_t errlen);

/* Makes room for `n` bytes at the end of the buffer (see writer_reserve).
 * Returns 0, or -1 with w->refused set and, for an error, the message in
 * err. */
int writer_make_room(trawl_writer *w, size_t n, char *err, size_t errlen);

/* Returns room for `n` bytes at the end of the buffer, flushing the whole
 * records before it first when they do not fit, or NULL when there is no
 * room: the caller returns w->refused. n must be at most
 * WRITER_BUF_SIZE - WRITER_PAGE, which every block the writer builds is.
 * The bytes count once writer_commit() says so; until then a failure
 * leaves the buffer as it was. */
static inline uint8_t *writer_reserve(trawl_writer *w, size_t n, char *err,
                                      size_t errlen) {
    if (TRAWL_UNLIKELY(n > w->cap - w->len) &&
        writer_make_room(w, n, err, errlen) < 0)
        return NULL;
    return w->buf + w->len;
}
static inline void writer_commit(trawl_writer *w, size_t n) {
    w->len += n;
}

/* Message for a packet that cannot be written: "NAME: packet N: ...". */
int writer_pkt_err(const trawl_writer *w, char *err, size_t errlen, int code,
                   const char *fmt, ...) TRAWL_PRINTF(5, 6);

/* Length of an optional text option, cut to what an option can hold at a
 * UTF-8 character boundary; 0 for NULL or "". */
size_t writer_text_len(const char *s, size_t max);

/* The size of an asynchronous writer's buffers for a size asked (0 for
 * the default). */
size_t writer_async_buffer_size(size_t asked);

/* Opens a writer whose buffers come from `pool` (shared with other
 * writers, in the sink module's outputs). */
int writer_open_pooled(trawl_writer **out, int fd, const char *name,
                       const struct trawl_writer_options *opt,
                       struct writer_pool *pool, char *errbuf, size_t errlen);

/* Bytes trawl_writer_write() would add to the file for pkt. */
uint64_t writer_record_size(const trawl_writer *w, const struct trawl_pkt *pkt);

/* Declares an interface without flushing: the caller flushes once after
 * declaring several. */
int writer_add_iface(trawl_writer *w, const struct trawl_iface *iface,
                     uint32_t *id, char *errbuf, size_t errlen);

/* Closes a pooled writer without waiting: its last records and the
 * closing of its file are queued behind its other buffers, and
 * closed(ctx, rc, message) runs on the pool's thread once the file is
 * complete (rc 0, or the first error with its message). Always frees w. */
void writer_close_async(trawl_writer *w,
                        void (*closed)(void *ctx, int rc, const char *msg),
                        void *ctx);

/* ---- writer_io.c: the file ---- */

/* Takes fd (closed on failure too) and decides how it is written. */
int sink_open(struct writer_sink **out, int fd, const char *name,
              enum trawl_format format, char *err, size_t errlen);
/* A sink that hands whole records to fn (trawl_writer_open_stream). */
int sink_open_stream(struct writer_sink **out, trawl_write_fn fn, void *ctx,
                     const char *name, char *err, size_t errlen);

/* Writes the whole records buf[0, len) whose first byte belongs at file
 * offset `off` (page aligned when direct; plain writes just append).
 * Direct writes are completed to a page in buf's room. Returns 0,
 * SINK_NOT_DIRECT when the kernel refused the first direct write (the sink
 * now writes plainly and nothing was written), or the sticky error. */
enum { SINK_NOT_DIRECT = 1 };
int sink_write(struct writer_sink *s, uint8_t *buf, size_t len, uint64_t off);

/* The file is complete at `end` bytes: cuts any padding, ends the guard,
 * closes. Returns 0 or the first error (message in s->errmsg). */
int sink_finish(struct writer_sink *s, uint64_t end);
void sink_free(struct writer_sink *s);

/* Copies the sink's sticky error into the writer; returns it. */
int writer_take_sink_error(trawl_writer *w, char *err, size_t errlen);

/* ---- pcap_write.c ---- */
int pcap_put_header(trawl_writer *w, const struct trawl_iface *ifc, char *err,
                    size_t errlen);
/* Inline: it is the whole of a pcap copy's work per packet, a call is a
 * measurable part of it. */
static inline int pcap_put_record(trawl_writer *w, const struct trawl_pkt *pkt,
                                  char *err, size_t errlen) {
    uint32_t caplen = pkt->caplen;
    size_t total = PCAP_REC_HDR + caplen;
    uint8_t *p = writer_reserve(w, total, err, errlen);
    if (!p)
        return w->refused;
    uint32_t frac =
        w->format == TRAWL_FORMAT_PCAP_NS ? pkt->ts_nsec : pkt->ts_nsec / 1000u;
    core_put_le32(p, (uint32_t)pkt->ts_sec);
    core_put_le32(p + 4, frac);
    core_put_le32(p + 8, caplen);
    core_put_le32(p + 12, pkt->len);
    /* memcpy from NULL is undefined even for 0 bytes. */
    if (caplen)
        memcpy(p + PCAP_REC_HDR, pkt->data, caplen);
    writer_commit(w, total);
    return 0;
}

/* ---- pcapng_write.c ---- */
int pcapng_put_shb(trawl_writer *w, const struct trawl_writer_options *opt,
                   char *err, size_t errlen);
int pcapng_put_idb(trawl_writer *w, const struct trawl_iface *ifc, char *err,
                   size_t errlen);
int pcapng_put_epb(trawl_writer *w, const struct trawl_pkt *pkt, char *err,
                   size_t errlen);
/* Bytes the packet's EPB takes; *comment_len (if not NULL) receives the
 * length of its comment option's text. */
size_t pcapng_epb_size(const struct trawl_pkt *pkt, size_t *comment_len);
int pcapng_put_isb(trawl_writer *w, uint32_t id, char *err, size_t errlen);

#endif
