/* The trawl_reader object, shared by reader.c (files, index, follow) and
 * pcapng.c (blocks). Internal. */
#ifndef TRAWL_READER_INT_H
#define TRAWL_READER_INT_H

#include "format/format.h"
#include "trawl/reader.h"

/* A trace with more interfaces than this is refused rather than letting a
 * malformed file allocate without bound. */
#define READER_MAX_IFACES 65536u

enum reader_format { READER_UNKNOWN = 0, READER_PCAP, READER_PCAPNG };

struct reader_file {
    char *path;
    uint64_t size; /* on disk, 0 when unknown (pipe) */
    enum reader_format format;
    bool big_endian, nanosecond; /* pcap */
    bool header_done;
    uint32_t iface; /* pcap: its one interface */
};

struct reader_section {
    uint32_t file_no;
    uint64_t offset;  /* of the SHB */
    bool big_endian;
    uint32_t *ifmap;  /* section-local IDB number → global interface id */
    size_t nif, cap_if;
    uint64_t last_idb_offset; /* IDBs at or before this are known */
    char *comment;    /* shb_comment */
};

struct reader_checkpoint {
    uint64_t offset;
    uint32_t file_no;
    uint32_t section;
};

struct trawl_reader {
    struct trawl_reader_options opt;
    struct reader_file *files;
    size_t nfiles, cap_files;
    uint32_t cur_file;
    struct fsrc src;
    bool src_open;
    uint64_t done_before; /* bytes consumed in files already closed */
    uint64_t block_no;    /* pcapng blocks read in the current file */

    struct trawl_iface *ifaces;
    size_t nifaces, cap_ifaces;
    struct reader_section *sections;
    size_t nsections, cap_sections;
    size_t cur_section;

    uint64_t next_index; /* index of the next packet returned */
    uint64_t indexed;    /* packets seen so far */
    struct reader_checkpoint *index;
    size_t nindex, cap_index;
    uint64_t index_step; /* packets between checkpoints; doubles as needed */
    size_t index_max;    /* checkpoints kept at most (tests lower it) */

    char *comment; /* the current packet's opt_comment */
    size_t cap_comment;
    uint8_t *copy;  /* spare buffer (unused while records are contiguous) */

    uint64_t wait_started; /* follow mode: when waiting began, ms */
    /* Follow mode: the current file was found released by its writer at
     * its end, with a newer file beside it; one more read to its end
     * decides the move. */
    bool released;
    bool at_end;
    int failed; /* sticky error code after a malformed file */
    char fail_msg[TRAWL_ERRBUF_SIZE];
    struct trawl_reader_stats stats;
};

/* reader.c services for pcapng.c */
int reader_need(trawl_reader *r, size_t want, const uint8_t **p, char *err,
                size_t errlen);
int reader_add_iface(trawl_reader *r, const struct trawl_iface *ifc,
                     uint32_t *id);
void reader_warn(trawl_reader *r, const char *fmt, ...)
    TRAWL_PRINTF(2, 3);
const char *reader_path(const trawl_reader *r);

/* Follow mode, at a point where more data will come: moves on to the next
 * file of the rotation if one appeared, else waits a little. Returns what
 * pcapng_read_block returns (3 new file, 2 try again, or an error). */
int reader_wait_more(trawl_reader *r, char *err, size_t errlen);

/* Reads one pcapng block. Returns 1 with a packet, 2 after a block that is
 * not a packet, 3 when the source moved to a new file, 0 at the end, or a
 * negative error. */
int pcapng_read_block(trawl_reader *r, struct trawl_pkt *pkt, char *err,
                      size_t errlen);

#endif
