/* format — pcapng option codes and record sizes the writer builds with.
 *
 * The file magic numbers and block types live in format/format.h (the
 * reader's header); this header adds what the specification says about the
 * inside of blocks, so that a reader and a writer spell them the same way.
 * Numbers are from the pcapng specification (draft-ietf-opsawg-pcapng) and
 * the pcap one (draft-ietf-opsawg-pcap). */
#ifndef TRAWL_PCAP_DEFS_H
#define TRAWL_PCAP_DEFS_H

/* Options valid in every block. */
#define PCAPNG_OPT_ENDOFOPT 0
#define PCAPNG_OPT_COMMENT 1

/* Section header block. */
#define PCAPNG_SHB_HARDWARE 2
#define PCAPNG_SHB_OS 3
#define PCAPNG_SHB_USERAPPL 4

/* Interface description block. */
#define PCAPNG_IF_NAME 2
#define PCAPNG_IF_DESCRIPTION 3
#define PCAPNG_IF_TSRESOL 9
#define PCAPNG_IF_FILTER 11
#define PCAPNG_IF_OS 12
#define PCAPNG_IF_FCSLEN 13
#define PCAPNG_IF_TSOFFSET 14

/* Enhanced packet block. */
#define PCAPNG_EPB_FLAGS 2

/* Interface statistics block. */
#define PCAPNG_ISB_STARTTIME 2
#define PCAPNG_ISB_ENDTIME 3
#define PCAPNG_ISB_IFRECV 4
#define PCAPNG_ISB_IFDROP 5
#define PCAPNG_ISB_FILTERACCEPT 6
#define PCAPNG_ISB_OSDROP 7
#define PCAPNG_ISB_USRDELIV 8

/* An option value is at most this long: its length field has 16 bits. */
#define PCAPNG_OPT_MAX 65535u

/* Fixed parts of the records, trailing length included where there is one:
 * the pcap file header and record header, and the pcapng blocks as far as
 * their first option. */
#define PCAP_FILE_HDR 24u
#define PCAP_REC_HDR 16u
#define PCAPNG_SHB_FIXED 28u /* type, length, BOM, version, section length */
#define PCAPNG_IDB_FIXED 20u /* type, length, link type, snaplen, trailer */
#define PCAPNG_EPB_FIXED 32u /* + iface, ts, caplen, len, trailer */
#define PCAPNG_ISB_FIXED 24u /* + iface, ts, trailer */

/* The pcap link-type word: the low 26 bits are the LINKTYPE_ value; bit 26
 * says the frames end in an FCS whose length, in 16-bit words, is in the
 * top 4 bits. */
#define PCAP_LINKTYPE_MASK 0x03ffffffu
#define PCAP_FCS_PRESENT 0x04000000u
#define PCAP_FCS_SHIFT 28

#endif
