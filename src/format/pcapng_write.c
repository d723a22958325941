/* pcapng output, little-endian: one section header, an interface
 * description per interface (anywhere in the section, as the specification
 * allows), enhanced packet blocks with comments and flags, and interface
 * statistics at the end. Time stamps are in nanoseconds (if_tsresol 9).
 *
 * Every block is built in place in the writer's buffer: its length is
 * computed first, the room reserved, then the bytes stored once. */
#include <stdio.h>
#include <sys/utsname.h>

#include "format/writer_int.h"
#include "trawl_config.h"

/* if_tsresol: time stamps count 10^-9 seconds. */
#define TSRESOL_NS 9

static size_t pad4(size_t n) {
    return (n + 3) & ~(size_t)3;
}

/* Bytes an option with a `len`-byte value takes, header and padding in. */
static size_t opt_size(size_t len) {
    return 4 + pad4(len);
}

/* An optional text option: nothing when len is 0. */
static size_t text_opt_size(size_t len) {
    return len ? opt_size(len) : 0;
}

static uint8_t *put_opt(uint8_t *p, uint16_t code, const void *v, size_t len) {
    core_put_le16(p, code);
    core_put_le16(p + 2, (uint16_t)len);
    memcpy(p + 4, v, len);
    memset(p + 4 + len, 0, pad4(len) - len);
    return p + opt_size(len);
}

static uint8_t *put_text_opt(uint8_t *p, uint16_t code, const char *s,
                             size_t len) {
    return len ? put_opt(p, code, s, len) : p;
}

/* A pcapng time stamp: nanoseconds since the epoch as two 32-bit words,
 * the high one first. The caller has checked that it fits. */
static uint8_t *put_ts(uint8_t *p, int64_t sec, uint32_t nsec) {
    uint64_t ts = (uint64_t)sec * 1000000000u + nsec;
    core_put_le32(p, (uint32_t)(ts >> 32));
    core_put_le32(p + 4, (uint32_t)ts);
    return p + 8;
}

static uint8_t *put_u64_opt(uint8_t *p, uint16_t code, uint64_t v) {
    core_put_le16(p, code);
    core_put_le16(p + 2, 8);
    core_put_le64(p + 4, v);
    return p + 12;
}

static uint8_t *put_ts_opt(uint8_t *p, uint16_t code, int64_t sec,
                           uint32_t nsec) {
    core_put_le16(p, code);
    core_put_le16(p + 2, 8);
    return put_ts(p + 4, sec, nsec);
}

/* Closes a block that began at `b` and whose options end at `p`: the
 * end-of-options marker (when there were options), then the trailing
 * length, which is also stored in the header. Returns the block length. */
static size_t finish_block(uint8_t *b, uint8_t *p, bool had_options) {
    if (had_options) {
        core_put_le32(p, PCAPNG_OPT_ENDOFOPT);
        p += 4;
    }
    uint32_t total = (uint32_t)(p - b) + 4;
    core_put_le32(p, total);
    core_put_le32(b + 4, total);
    return total;
}

int pcapng_put_shb(trawl_writer *w, const struct trawl_writer_options *opt,
                   char *err, size_t errlen) {
    const char *appl =
        opt->application ? opt->application : "trawl " TRAWL_VERSION;
    struct utsname u;
    char os[2 * sizeof u.release] = "";
    const char *hw = "";
    if (uname(&u) == 0) {
        snprintf(os, sizeof os, "%s %s", u.sysname, u.release);
        hw = u.machine;
    }
    size_t lc = writer_text_len(opt->section_comment, PCAPNG_OPT_MAX);
    size_t lh = writer_text_len(hw, PCAPNG_OPT_MAX);
    size_t lo = writer_text_len(os, PCAPNG_OPT_MAX);
    size_t la = writer_text_len(appl, PCAPNG_OPT_MAX);
    size_t total = PCAPNG_SHB_FIXED + text_opt_size(lc) + text_opt_size(lh) +
                   text_opt_size(lo) + text_opt_size(la) + 4;
    uint8_t *b = writer_reserve(w, total, err, errlen);
    if (!b)
        return w->refused;
    core_put_le32(b, PCAPNG_SHB);
    core_put_le32(b + 8, PCAPNG_BOM);
    core_put_le16(b + 12, 1); /* version 1.0 */
    core_put_le16(b + 14, 0);
    /* The section length is not known while writing: -1 says so. */
    core_put_le64(b + 16, UINT64_MAX);
    uint8_t *p = b + 24;
    p = put_text_opt(p, PCAPNG_OPT_COMMENT, opt->section_comment, lc);
    p = put_text_opt(p, PCAPNG_SHB_HARDWARE, hw, lh);
    p = put_text_opt(p, PCAPNG_SHB_OS, os, lo);
    p = put_text_opt(p, PCAPNG_SHB_USERAPPL, appl, la);
    writer_commit(w, finish_block(b, p, true));
    return 0;
}

int pcapng_put_idb(trawl_writer *w, const struct trawl_iface *ifc, char *err,
                   size_t errlen) {
    size_t ln = writer_text_len(ifc->name, PCAPNG_OPT_MAX);
    size_t ld = writer_text_len(ifc->description, PCAPNG_OPT_MAX);
    size_t lo = writer_text_len(ifc->os, PCAPNG_OPT_MAX);
    /* if_filter is a type byte (0: libpcap filter text), then the text. */
    size_t lf = writer_text_len(ifc->filter, PCAPNG_OPT_MAX - 1);
    bool has_fcs = ifc->fcslen >= 0 && ifc->fcslen <= UINT8_MAX;
    size_t total = PCAPNG_IDB_FIXED + text_opt_size(ln) + text_opt_size(ld) +
                   opt_size(1) + (lf ? opt_size(1 + lf) : 0) +
                   text_opt_size(lo) + (has_fcs ? opt_size(1) : 0) + 4;
    uint8_t *b = writer_reserve(w, total, err, errlen);
    if (!b)
        return w->refused;
    core_put_le32(b, PCAPNG_IDB);
    core_put_le16(b + 8, (uint16_t)ifc->linktype);
    core_put_le16(b + 10, 0);
    core_put_le32(b + 12, ifc->snaplen);
    uint8_t *p = b + 16;
    p = put_text_opt(p, PCAPNG_IF_NAME, ifc->name, ln);
    p = put_text_opt(p, PCAPNG_IF_DESCRIPTION, ifc->description, ld);
    p = put_opt(p, PCAPNG_IF_TSRESOL, &(uint8_t){TSRESOL_NS}, 1);
    if (lf) {
        core_put_le16(p, PCAPNG_IF_FILTER);
        core_put_le16(p + 2, (uint16_t)(1 + lf));
        p[4] = 0;
        memcpy(p + 5, ifc->filter, lf);
        memset(p + 5 + lf, 0, pad4(1 + lf) - (1 + lf));
        p += opt_size(1 + lf);
    }
    p = put_text_opt(p, PCAPNG_IF_OS, ifc->os, lo);
    if (has_fcs)
        p = put_opt(p, PCAPNG_IF_FCSLEN, &(uint8_t){(uint8_t)ifc->fcslen}, 1);
    writer_commit(w, finish_block(b, p, true));
    return 0;
}

size_t pcapng_epb_size(const struct trawl_pkt *pkt, size_t *comment_len) {
    size_t lc =
        pkt->comment ? writer_text_len(pkt->comment, PCAPNG_OPT_MAX) : 0;
    size_t opts = 0;
    if (lc || pkt->has_flags)
        opts = text_opt_size(lc) + (pkt->has_flags ? opt_size(4) : 0) + 4;
    if (comment_len)
        *comment_len = lc;
    return PCAPNG_EPB_FIXED + pad4(pkt->caplen) + opts;
}

int pcapng_put_epb(trawl_writer *w, const struct trawl_pkt *pkt, char *err,
                   size_t errlen) {
    uint32_t caplen = pkt->caplen;
    size_t lc;
    size_t total = pcapng_epb_size(pkt, &lc);
    bool has_opts = lc || pkt->has_flags;
    size_t data = pad4(caplen);
    uint8_t *b = writer_reserve(w, total, err, errlen);
    if (!b)
        return w->refused;
    core_put_le32(b, PCAPNG_EPB);
    core_put_le32(b + 4, (uint32_t)total);
    core_put_le32(b + 8, pkt->iface);
    put_ts(b + 12, pkt->ts_sec, pkt->ts_nsec);
    core_put_le32(b + 20, caplen);
    core_put_le32(b + 24, pkt->len);
    uint8_t *d = b + 28;
    /* Zero the last word of the padded data, then copy the data over its
     * head: no byte-wise padding loop. */
    if (data)
        core_put_le32(d + data - 4, 0);
    if (caplen)
        memcpy(d, pkt->data, caplen);
    uint8_t *p = d + data;
    if (TRAWL_UNLIKELY(has_opts)) {
        if (pkt->has_flags) {
            core_put_le16(p, PCAPNG_EPB_FLAGS);
            core_put_le16(p + 2, 4);
            core_put_le32(p + 4, pkt->flags);
            p += 8;
        }
        p = put_text_opt(p, PCAPNG_OPT_COMMENT, pkt->comment, lc);
        core_put_le32(p, PCAPNG_OPT_ENDOFOPT);
        p += 4;
    }
    core_put_le32(p, (uint32_t)total);
    writer_commit(w, total);
    return 0;
}

int pcapng_put_isb(trawl_writer *w, uint32_t id, char *err, size_t errlen) {
    const struct trawl_iface_stats *st = &w->ifaces[id].stats;
    bool has_start = st->start_sec || st->start_nsec;
    bool has_end = st->end_sec || st->end_nsec;
    size_t total = PCAPNG_ISB_FIXED + (has_start ? 12 : 0) +
                   (has_end ? 12 : 0) + 5 * 12 + 4;
    uint8_t *b = writer_reserve(w, total, err, errlen);
    if (!b)
        return w->refused;
    core_put_le32(b, PCAPNG_ISB);
    core_put_le32(b + 8, id);
    /* The block's own time stamp says when the counters were read: the
     * end of the capture when known, else now. */
    struct timespec now = {.tv_sec = st->end_sec, .tv_nsec = st->end_nsec};
    if (!has_end)
        clock_gettime(CLOCK_REALTIME, &now);
    uint8_t *p = put_ts(b + 12, now.tv_sec, (uint32_t)now.tv_nsec);
    if (has_start)
        p = put_ts_opt(p, PCAPNG_ISB_STARTTIME, st->start_sec, st->start_nsec);
    if (has_end)
        p = put_ts_opt(p, PCAPNG_ISB_ENDTIME, st->end_sec, st->end_nsec);
    p = put_u64_opt(p, PCAPNG_ISB_IFRECV, st->received);
    p = put_u64_opt(p, PCAPNG_ISB_IFDROP, st->dropped);
    p = put_u64_opt(p, PCAPNG_ISB_FILTERACCEPT, st->filter_accepted);
    p = put_u64_opt(p, PCAPNG_ISB_OSDROP, st->os_dropped);
    p = put_u64_opt(p, PCAPNG_ISB_USRDELIV, st->delivered);
    writer_commit(w, finish_block(b, p, true));
    return 0;
}
