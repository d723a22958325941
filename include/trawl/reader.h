/* trawl — reading trace files.
 *
 * A reader streams one or several pcap/pcapng files (optionally gzip or
 * zstd compressed) as one trace, in constant memory: it never loads a
 * whole file. As it reads it records the offset of every packet it has
 * passed in a compact index, so trawl_reader_seek() back to any packet
 * already seen is cheap, and a seek forward reads on up to that packet.
 *
 *     trawl_reader *r;
 *     char err[TRAWL_ERRBUF_SIZE];
 *     const char *files[] = { "a.pcapng" };
 *     if (trawl_reader_open(&r, files, 1, NULL, err, sizeof err) < 0) ...
 *     struct trawl_pkt pkt;
 *     int rc;
 *     while ((rc = trawl_reader_next(r, &pkt, err, sizeof err)) > 0) ...
 *     if (rc < 0) fprintf(stderr, "%s\n", err);
 *     trawl_reader_close(r);
 */
#ifndef TRAWL_READER_H
#define TRAWL_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trawl/error.h"
#include "trawl/export.h"
#include "trawl/packet.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_reader trawl_reader;

/* One capture interface (a pcap file has exactly one; a pcapng section one
 * per IDB). Strings are NUL-terminated, or NULL when absent; they are owned
 * by the reader and live until it is closed. */
struct trawl_iface {
    int linktype;
    uint32_t snaplen;
    const char *name;        /* if_name */
    const char *description; /* if_description */
    const char *filter;      /* if_filter (text form), or NULL */
    const char *os;          /* if_os */
    uint8_t tsresol;         /* raw if_tsresol byte (6 = µs, 9 = ns, 0x80|n = 2^-n) */
    int64_t tsoffset;        /* if_tsoffset, seconds */
    int fcslen;              /* if_fcslen, or -1 when unknown */
    uint32_t file_no;        /* file this interface was declared in */
    /* From the last interface statistics block seen, when has_stats. */
    bool has_stats;
    uint64_t isb_ifrecv, isb_ifdrop, isb_filteraccept, isb_osdrop, isb_usrdeliv;
};

/* Called for problems the reader steps over (an unknown block skipped, a
 * torn final record). `msg` names file, offset and block like an error. */
typedef void (*trawl_warn_fn)(void *ctx, const char *msg);

struct trawl_reader_options {
    /* Keep waiting at end of data for the file to grow, and move on to the
     * next file of a rotation set (name0 → name1, name.pcap0 …, trawl's own
     * names) when one appears, like `tail -F`. trawl_reader_next() then
     * returns TRAWL_EAGAIN only if `follow_timeout_ms` passes with nothing
     * new (0 = wait forever). */
    bool follow;
    unsigned follow_timeout_ms;
    trawl_warn_fn warn;
    void *warn_ctx;
};

/* Opens `npaths` files as one trace ("-" is standard input, which cannot be
 * seeked back). Nothing is read beyond the first file's header.
 * On success *out owns the reader; close it with trawl_reader_close(). */
TRAWL_API int trawl_reader_open(trawl_reader **out, const char *const *paths,
                                size_t npaths,
                                const struct trawl_reader_options *opt,
                                char *errbuf, size_t errlen);

/* Reads the next packet into *pkt. Returns 1 with a packet, 0 at the end of
 * the trace, or a negative code with a message naming file, offset, block or
 * packet number and cause. pkt->data and pkt->comment stay valid until the
 * next call on this reader. */
TRAWL_API int trawl_reader_next(trawl_reader *r, struct trawl_pkt *pkt,
                                char *errbuf, size_t errlen);

/* Positions the reader so that the next trawl_reader_next() returns packet
 * `index` (0-based). Seeking back is an index lookup; seeking forward reads
 * on. Returns 0, or TRAWL_ERANGE when the trace has fewer packets. */
TRAWL_API int trawl_reader_seek(trawl_reader *r, uint64_t index,
                                char *errbuf, size_t errlen);

/* Index of the packet the next trawl_reader_next() will return. */
TRAWL_API uint64_t trawl_reader_tell(const trawl_reader *r);

/* Packets indexed so far (all of them once the end has been reached). */
TRAWL_API uint64_t trawl_reader_indexed(const trawl_reader *r);

/* Interfaces seen so far; ids are those of trawl_pkt.iface. NULL if id is
 * not (yet) known. */
TRAWL_API size_t trawl_reader_iface_count(const trawl_reader *r);
TRAWL_API const struct trawl_iface *trawl_reader_iface(const trawl_reader *r,
                                                       uint32_t id);

/* The comment of the current section (shb_comment), or NULL. */
TRAWL_API const char *trawl_reader_section_comment(const trawl_reader *r);

/* Kind of the first file: "pcap", "pcap-ns", "pcapng". */
TRAWL_API const char *trawl_reader_format(const trawl_reader *r);

/* Progress through the trace, in bytes of the (compressed) files on disk:
 * *done of *total (total is 0 when unknown, e.g. standard input). */
TRAWL_API void trawl_reader_progress(const trawl_reader *r, uint64_t *done,
                                     uint64_t *total);

/* Counts of blocks the reader stepped over: unknown, custom, NRB, DSB, ISB,
 * and trawl's own padding blocks (written by O_DIRECT pcapng writers). */
struct trawl_reader_stats {
    uint64_t packets, sections, unknown_blocks, custom_blocks, nrb_blocks,
        dsb_blocks, isb_blocks, padding_blocks, warnings;
};
TRAWL_API void trawl_reader_stats(const trawl_reader *r,
                                  struct trawl_reader_stats *st);

TRAWL_API void trawl_reader_close(trawl_reader *r);

#ifdef __cplusplus
}
#endif
#endif
