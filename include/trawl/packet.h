/* trawl — a captured packet as read from a trace or a live source.
 *
 * A trawl_pkt is a view, not a container: `data` and `comment` point into
 * memory owned by whoever handed the record out (a reader, a capture), and
 * stay valid only until the next call on that object, as with
 * pcap_next_ex(3). Copy what must live longer.
 */
#ifndef TRAWL_PACKET_H
#define TRAWL_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "trawl/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest captured length trawl accepts for one record (as libpcap). */
#define TRAWL_MAX_CAPLEN (256u * 1024u)

/* pcapng epb_flags bits (pcapng spec, "Enhanced Packet Block Flags Word"). */
#define TRAWL_PKT_DIR_MASK 0x3u         /* 0 unknown, 1 inbound, 2 outbound */
#define TRAWL_PKT_DIR_IN 0x1u
#define TRAWL_PKT_DIR_OUT 0x2u
#define TRAWL_PKT_FLAG_CRC_ERROR (1u << 24) /* link-layer error bits 24..31 */

/* Where a record came from in its file, for messages and for the index. */
enum trawl_block_kind {
    TRAWL_BLOCK_PCAP_RECORD = 0, /* classic pcap record */
    TRAWL_BLOCK_EPB,             /* pcapng enhanced packet block */
    TRAWL_BLOCK_SPB,             /* pcapng simple packet block */
    TRAWL_BLOCK_OPB,             /* pcapng obsolete packet block */
};

struct trawl_pkt {
    uint64_t index;      /* 0-based position in the trace (all files) */
    int64_t ts_sec;      /* seconds since the epoch (UTC) */
    uint32_t ts_nsec;    /* nanoseconds, 0..999999999 */
    uint32_t caplen;     /* bytes at `data` */
    uint32_t len;        /* length on the wire */
    int linktype;        /* LINKTYPE_* of the interface */
    uint32_t iface;      /* interface id, unique over the whole trace */
    uint32_t flags;      /* epb_flags when has_flags */
    bool has_flags;
    uint8_t fcs_len;     /* bytes of FCS at the end of data, when known */
    enum trawl_block_kind block;
    uint32_t file_no;    /* which file of a multi-file trace, 0-based */
    uint64_t offset;     /* byte offset of the record in its (uncompressed) file */
    const uint8_t *data; /* captured bytes; see the lifetime note above */
    const char *comment; /* first opt_comment, NUL-terminated, or NULL */
};

/* libpcap's name of a LINKTYPE_* value ("EN10MB", as tcpdump prints it)
 * and, in *description when not NULL, its description ("Ethernet");
 * NULL (and *description NULL) for a link type libpcap does not know. */
TRAWL_API const char *trawl_linktype_name(int linktype,
                                          const char **description);

#ifdef __cplusplus
}
#endif
#endif
