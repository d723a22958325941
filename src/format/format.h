/* format — internal interfaces of the trace reader and writer. */
#ifndef TRAWL_FORMAT_H
#define TRAWL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "core/core.h"

/* File magic numbers and block types (pcap and pcapng specifications). */
#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_BOM 0x1a2b3c4du
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_OPB 0x00000002u
#define PCAPNG_SPB 0x00000003u
#define PCAPNG_NRB 0x00000004u
#define PCAPNG_ISB 0x00000005u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_DSB 0x0000000au
#define PCAPNG_CB_COPY 0x00000badu
#define PCAPNG_CB_NOCOPY 0x40000badu
/* trawl's padding block: a local-use block type (bit 31 set), skipped by
 * every pcapng reader, that the writer puts at the end of an O_DIRECT
 * flush to fill the last page (writer.c). */
#define PCAPNG_TRAWL_PAD 0x80007a70u

/* Largest pcapng block the reader accepts: a maximal packet plus generous
 * room for options. Anything larger is refused, never allocated. */
#define FORMAT_MAX_BLOCK (TRAWL_MAX_CAPLEN + 64u * 1024u)

/* ---- byte source ---------------------------------------------------------
 * A file (or standard input) read through one growing window, with gzip and
 * zstd decompressed on the fly. Offsets are positions in the uncompressed
 * stream. */
enum fsrc_kind { FSRC_PLAIN, FSRC_GZIP, FSRC_ZSTD };

struct fsrc {
    const char *path; /* borrowed from the reader */
    int fd;
    enum fsrc_kind kind;
    bool eof;        /* the last read of the underlying file hit its end */
    uint8_t *buf;    /* window over the uncompressed stream */
    size_t cap;      /* allocated size of buf */
    size_t pos, end; /* unread bytes are buf[pos, end) */
    uint64_t base;   /* stream offset of buf[0] */
    /* compressed input */
    uint8_t *zin;
    size_t zin_pos, zin_end;
    bool zin_eof;
    bool z_done; /* the compressed stream ended cleanly */
    z_stream gz;
    ZSTD_DStream *zs;
    uint64_t raw_done; /* bytes of the file on disk consumed */
    struct fsrc_ra *ra; /* read-ahead thread of a plain file, or NULL */
};

int fsrc_open(struct fsrc *s, const char *path, char *err, size_t errlen);
void fsrc_close(struct fsrc *s);
/* Makes up to `want` bytes available at the current position. Returns the
 * number available (less than want only at the end of the data), with *p
 * pointing at them until the next call, or a negative error. */
long fsrc_peek(struct fsrc *s, size_t want, const uint8_t **p, char *err,
               size_t errlen);
static inline void fsrc_consume(struct fsrc *s, size_t n) {
    s->pos += n;
}
static inline uint64_t fsrc_tell(const struct fsrc *s) {
    return s->base + s->pos;
}
/* Moves to stream offset `off` (compressed streams restart from the
 * beginning and decompress up to it). */
int fsrc_seek(struct fsrc *s, uint64_t off, char *err, size_t errlen);
/* Drops what the window holds from the current position on, so that the
 * next peek reads those bytes from the file again (a writer may have
 * rewritten them). Plain files only; others are left alone. */
void fsrc_reread(struct fsrc *s);
/* Forgets that the end was reached, so the next peek reads again (follow
 * mode: the file may have grown). */
void fsrc_retry(struct fsrc *s);

#endif
