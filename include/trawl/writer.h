/* trawl — writing trace files.
 *
 * A writer appends whole records only: it buffers complete records and
 * hands the kernel whole records, so a writer killed at any instant leaves
 * a regular file that reads back completely up to its last whole record,
 * pcap and pcapng alike (docs/architecture.md, "Crash safety"). While it
 * writes a regular file it holds flock(LOCK_EX) on it; `flock -s FILE`
 * returns once the file is final, after a kill -9 too.
 *
 * A writer is synchronous by default: when its buffer fills, the call that
 * filled it writes it. An asynchronous writer (async_buffers) has several
 * large buffers and a thread of its own that writes full ones, so that
 * trawl_writer_write() never waits for the disk: when every buffer is
 * still waiting to be written, the packet is dropped and counted instead,
 * and memory never grows past the buffers.
 */
#ifndef TRAWL_WRITER_H
#define TRAWL_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/error.h"
#include "trawl/export.h"
#include "trawl/packet.h"
#include "trawl/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_writer trawl_writer;

enum trawl_format {
    TRAWL_FORMAT_PCAP = 0, /* classic pcap, microsecond timestamps */
    TRAWL_FORMAT_PCAP_NS,  /* classic pcap, nanosecond timestamps */
    TRAWL_FORMAT_PCAPNG,
};

struct trawl_writer_options {
    enum trawl_format format;
    const char *section_comment; /* pcapng shb_comment, or NULL */
    const char *application;     /* shb_userappl; NULL = "trawl VERSION" */
    /* Flush to the kernel at least this often (ms) when packets arrive;
     * 0 = only when the buffer fills or at trawl_writer_flush(). */
    unsigned flush_interval_ms;
    /* Asynchronous writing: this many buffers (at least 2) of
     * async_buffer_size bytes (0 = 16 MiB; at least 1 MiB, in whole
     * pages), so at most their product of memory. 0 = synchronous. */
    unsigned async_buffers;
    size_t async_buffer_size;
};

/* What trawl_writer_write() returns, in asynchronous mode only, for a
 * packet it dropped because every buffer was waiting for the disk. Not an
 * error: the writer goes on, and counts it (trawl_writer_get_stats). */
#define TRAWL_WRITER_DROPPED 1

/* Creates `path` ("-" = standard output). For pcap, the link type and snap
 * length come from the first interface added. */
TRAWL_API int trawl_writer_open(trawl_writer **out, const char *path,
                                const struct trawl_writer_options *opt,
                                char *errbuf, size_t errlen);

/* Same, on a file descriptor the writer takes ownership of. */
TRAWL_API int trawl_writer_open_fd(trawl_writer **out, int fd,
                                   const char *name,
                                   const struct trawl_writer_options *opt,
                                   char *errbuf, size_t errlen);

/* Where a stream writer's bytes go. The writer calls it with whole records
 * only (never part of one), in file order: the file header as soon as the
 * writer is open (pcapng) or the first interface is added (pcap), then
 * buffered records when the buffer fills, at trawl_writer_flush(), every
 * flush_interval_ms, and at close. `buf` is valid during the call only.
 * Returns 0, or a negative TRAWL_E* code with a message in errbuf, which
 * becomes the writer's sticky error like a failed write(). */
typedef int (*trawl_write_fn)(void *ctx, const uint8_t *buf, size_t len,
                              char *errbuf, size_t errlen);

/* Same as trawl_writer_open_fd, but the output goes to fn(ctx, ...)
 * instead of a descriptor: an HTTP response, a compressor, memory. The
 * writer owns no descriptor; ctx is borrowed and must outlive the writer. */
TRAWL_API int trawl_writer_open_stream(trawl_writer **out, trawl_write_fn fn,
                                       void *ctx, const char *name,
                                       const struct trawl_writer_options *opt,
                                       char *errbuf, size_t errlen);

/* A stream writer's record of one packet, built straight into buf[0,
 * len) rather than in the writer's buffer, for a caller whose output must
 * end up in memory of its own (an HTTP library's send buffer): it saves
 * copying every record once more. Nothing may be buffered (flush first),
 * so that the stream stays in order. Returns the record's size, 0 when it
 * does not fit in len (nothing written), or a negative code: TRAWL_EBUSY
 * with records still buffered, TRAWL_EINVAL for a writer that is not a
 * stream, or the refusals of trawl_writer_write(). */
TRAWL_API long trawl_writer_put(trawl_writer *w, const struct trawl_pkt *pkt,
                                uint8_t *buf, size_t len, char *errbuf,
                                size_t errlen);

/* Declares an interface; *id receives the id to put in trawl_pkt.iface.
 * pcap holds one interface: a second one with another link type is refused
 * with TRAWL_EUNSUPPORTED. Strings are copied. */
TRAWL_API int trawl_writer_add_iface(trawl_writer *w,
                                     const struct trawl_iface *iface,
                                     uint32_t *id, char *errbuf,
                                     size_t errlen);

/* Appends one packet. pkt->iface must be an id from add_iface; comment and
 * flags are written in pcapng and dropped in pcap. Returns 0, or
 * TRAWL_WRITER_DROPPED (asynchronous mode), or a negative code. */
TRAWL_API int trawl_writer_write(trawl_writer *w, const struct trawl_pkt *pkt,
                                 char *errbuf, size_t errlen);

/* Statistics written as an ISB for interface `id` at close (pcapng). */
struct trawl_iface_stats {
    uint64_t received, dropped, filter_accepted, os_dropped, delivered;
    int64_t start_sec, end_sec;
    uint32_t start_nsec, end_nsec;
};
TRAWL_API int trawl_writer_set_stats(trawl_writer *w, uint32_t id,
                                     const struct trawl_iface_stats *st);

/* Hands buffered whole records to the kernel (asynchronous mode: to the
 * writer's thread, without waiting). */
TRAWL_API int trawl_writer_flush(trawl_writer *w, char *errbuf, size_t errlen);

/* Bytes written to the file so far (including buffered ones). */
TRAWL_API uint64_t trawl_writer_bytes(const trawl_writer *w);

struct trawl_writer_stats {
    uint64_t packets;       /* written */
    uint64_t bytes;         /* the file's length once flushed */
    uint64_t dropped;       /* packets dropped: every buffer was waiting */
    uint64_t dropped_bytes; /* their captured bytes */
    unsigned buffers;       /* buffers the writer has */
    unsigned buffers_busy_max; /* most of them in use at once (async) */
};
TRAWL_API void trawl_writer_get_stats(const trawl_writer *w,
                                      struct trawl_writer_stats *st);

/* Writes the ISBs (pcapng), flushes and closes; an asynchronous writer
 * waits for its thread to write everything. Always frees w. */
TRAWL_API int trawl_writer_close(trawl_writer *w, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
