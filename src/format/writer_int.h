/* The trawl_writer object, shared by writer.c (file, buffer, public API),
 * pcap_write.c and pcapng_write.c (the records). Internal. */
#ifndef TRAWL_WRITER_INT_H
#define TRAWL_WRITER_INT_H

#include <time.h>

#include "core/core.h"
#include "format/format.h"
#include "format/pcap_defs.h"
#include "trawl/writer.h"

/* The output buffer. Records are built in place in it and it is handed to
 * the kernel whole, so its size is the unit of a write() on the hot path. */
#define WRITER_BUF_SIZE (1u << 20)

/* O_DIRECT writes (pcapng to a regular file, see writer.c) cover whole
 * pages: buffer, file offset and length are multiples of this. After such
 * a flush the buffer still holds the last partial page, up to a page. */
#define WRITER_PAGE 4096u

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

struct writer_iface {
    int linktype;
    bool has_stats;
    struct trawl_iface_stats stats;
};

struct trawl_writer {
    char *name; /* for messages; owned */
    int fd;     /* owned, closed by trawl_writer_close(); -1 for a stream */
    /* A stream writer hands its whole records to sink(sink_ctx, ...)
     * instead of writing them to fd. */
    trawl_write_fn sink;
    void *sink_ctx;
    enum trawl_format format;
    /* WRITER_BUF_SIZE bytes (and room for a padding block after them),
     * page aligned; buf[0, len) are whole records, of which the first
     * `kept` are already in the file (O_DIRECT only, else 0). */
    uint8_t *buf;
    size_t len, kept;
    uint64_t written; /* file offset of buf[0] */
    bool direct;      /* pcapng on an O_DIRECT regular file */
    uint64_t packets; /* packets accepted, for messages */
    uint64_t max_sec; /* latest time stamp the format can hold */
    struct writer_iface *ifaces;
    size_t nifaces, cap_ifaces;
    /* Flushing by time: the clock is read on every packet when
     * flush_ms > 0, so it is the cheap coarse clock unless that ticks
     * more slowly than the interval asks. */
    unsigned flush_ms;
    clockid_t clock;
    uint64_t last_flush_ms;
    /* The first write error; once set, every later call reports it,
     * because the file no longer ends where the writer thinks it does. */
    int error;
    char errmsg[TRAWL_ERRBUF_SIZE];
};

/* Hands the records of buf[0, len) that are not in the file yet to the
 * kernel. */
int writer_flush(trawl_writer *w, char *err, size_t errlen);

/* Returns room for `n` bytes at the end of the buffer, flushing the whole
 * records before it first when they do not fit, or NULL after a write
 * error (reported in err). n must be at most WRITER_BUF_SIZE - WRITER_PAGE,
 * which every block the writer builds is. The bytes count once writer_commit()
 * says so; until then a failure leaves the buffer as it was. */
static inline uint8_t *writer_reserve(trawl_writer *w, size_t n, char *err,
                                      size_t errlen) {
    if (TRAWL_UNLIKELY(n > WRITER_BUF_SIZE - w->len) &&
        writer_flush(w, err, errlen) < 0)
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

/* ---- pcap_write.c ---- */
int pcap_put_header(trawl_writer *w, const struct trawl_iface *ifc, char *err,
                    size_t errlen);
int pcap_put_record(trawl_writer *w, const struct trawl_pkt *pkt, char *err,
                    size_t errlen);

/* ---- pcapng_write.c ---- */
int pcapng_put_shb(trawl_writer *w, const struct trawl_writer_options *opt,
                   char *err, size_t errlen);
int pcapng_put_idb(trawl_writer *w, const struct trawl_iface *ifc, char *err,
                   size_t errlen);
int pcapng_put_epb(trawl_writer *w, const struct trawl_pkt *pkt, char *err,
                   size_t errlen);
/* The bytes pcapng_put_epb() takes for pkt. */
size_t pcapng_epb_size(const struct trawl_pkt *pkt);
int pcapng_put_isb(trawl_writer *w, uint32_t id, char *err, size_t errlen);

#endif
