/* trawl — writing trace files.
 *
 * A writer appends whole records only: it buffers complete records and
 * hands the kernel whole records, so a writer killed at any instant leaves
 * a file that reads back completely up to its last whole record (a torn
 * tail, if the kernel cut a write short, is stepped over by the reader with
 * a warning).
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
};

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

/* Declares an interface; *id receives the id to put in trawl_pkt.iface.
 * pcap holds one interface: a second one with another link type is refused
 * with TRAWL_EUNSUPPORTED. Strings are copied. */
TRAWL_API int trawl_writer_add_iface(trawl_writer *w,
                                     const struct trawl_iface *iface,
                                     uint32_t *id, char *errbuf,
                                     size_t errlen);

/* Appends one packet. pkt->iface must be an id from add_iface; comment and
 * flags are written in pcapng and dropped in pcap. */
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

/* Hands buffered whole records to the kernel. */
TRAWL_API int trawl_writer_flush(trawl_writer *w, char *errbuf, size_t errlen);

/* Bytes written to the file so far (including buffered ones). */
TRAWL_API uint64_t trawl_writer_bytes(const trawl_writer *w);

/* Writes the ISBs (pcapng), flushes and closes. Always frees w. */
TRAWL_API int trawl_writer_close(trawl_writer *w, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
