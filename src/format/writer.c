/* The trace writer: pcap (µs or ns) and pcapng, little-endian.
 *
 * Records are built directly in one large buffer, and the buffer is handed
 * to the kernel only in whole records.
 *
 * A process killed inside write() can still leave a torn record: the
 * kernel copies a buffered write page by page and gives up between pages
 * when a fatal signal is pending. So pcapng files on file systems that
 * support it are written with O_DIRECT, whose writes complete whole or not
 * at all: each flush writes whole pages — the records, then a padding
 * block (a local-use block type that every pcapng reader skips) up to the
 * next page boundary — and the next flush rewrites that last page with the
 * records that follow. A file killed at any instant therefore ends in
 * whole records (and perhaps a padding block); a file closed normally is
 * truncated to its records. pcap has no block a reader would skip, so it
 * is written through the page cache and may show a torn final record after
 * kill -9 (trawl's reader steps over it with a warning). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "format/format.h"
#include "trawl/writer.h"
#include "trawl_config.h"

enum {
    WRITER_BUF = 1u << 20,
    PAGE = 4096, /* O_DIRECT alignment of buffers, offsets and lengths */
    /* Check the flush clock once per this many packets. */
    CLOCK_EVERY = 64,
};

struct writer_iface {
    int linktype;
    bool has_stats;
    struct trawl_iface_stats stats;
};

struct trawl_writer {
    char *name;
    int fd;
    enum trawl_format format;
    struct trawl_writer_options opt;
    uint8_t *buf;
    size_t len;
    uint64_t written; /* bytes handed to the kernel */
    bool direct;      /* fd is O_DIRECT: flush whole pages with pwrite */
    uint64_t page_off; /* direct: file offset of buf[0], page aligned */
    size_t kept;       /* direct: bytes at buf[0] already on disk */
    struct writer_iface *ifaces;
    size_t nifaces, cap_ifaces;
    bool header_done; /* pcap: file header written */
    int error;        /* first write error, sticky */
    char errmsg[TRAWL_ERRBUF_SIZE];
    unsigned since_clock;
    uint64_t last_flush_ms;
};

/* ---- low-level output ---------------------------------------------------- */

static int write_all(trawl_writer *w, const struct iovec *iov, int n,
                     char *err, size_t errlen) {
    struct iovec v[3];
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        v[i] = iov[i];
        total += iov[i].iov_len;
    }
    struct iovec *cur = v;
    while (total) {
        ssize_t r = writev(w->fd, cur, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            w->error = TRAWL_EIO;
            snprintf(w->errmsg, sizeof w->errmsg,
                     "%s: write failed at offset %" PRIu64 ": %s", w->name,
                     w->written, strerror(errno));
            return core_err(err, errlen, TRAWL_EIO, "%s", w->errmsg);
        }
        w->written += (uint64_t)r;
        total -= (size_t)r;
        while (n && (size_t)r >= cur->iov_len) {
            r -= (ssize_t)cur->iov_len;
            cur++;
            n--;
        }
        if (n) {
            cur->iov_base = (uint8_t *)cur->iov_base + r;
            cur->iov_len -= (size_t)r;
        }
    }
    return 0;
}

/* O_DIRECT flush: the records in buf, a padding block to the next page
 * boundary, one pwrite from the page-aligned offset; then the last
 * partial page moves to the front of the buffer to be rewritten with the
 * records that follow it. */
static int flush_direct(trawl_writer *w, char *err, size_t errlen) {
    size_t len = w->len;
    size_t pad = (PAGE - len % PAGE) % PAGE;
    if (pad < 12)
        pad += PAGE; /* a block is at least 12 bytes */
    uint8_t *p = w->buf + len;
    core_put_le32(p, PCAPNG_TRAWL_PAD);
    core_put_le32(p + 4, (uint32_t)pad);
    memset(p + 8, 0, pad - 12);
    core_put_le32(p + pad - 4, (uint32_t)pad);
    size_t total = len + pad;
    size_t done = 0;
    while (done < total) {
        ssize_t r = pwrite(w->fd, w->buf + done, total - done,
                           (off_t)(w->page_off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            w->error = TRAWL_EIO;
            snprintf(w->errmsg, sizeof w->errmsg,
                     "%s: write failed at offset %" PRIu64 ": %s", w->name,
                     w->page_off + done, r < 0 ? strerror(errno) : "no progress");
            return core_err(err, errlen, TRAWL_EIO, "%s", w->errmsg);
        }
        done += (size_t)r;
    }
    size_t keep = len % PAGE;
    memmove(w->buf, w->buf + len - keep, keep);
    w->page_off += len - keep;
    w->written = w->page_off;
    w->len = w->kept = keep;
    return 0;
}

TRAWL_API int trawl_writer_flush(trawl_writer *w, char *errbuf,
                                 size_t errlen) {
    if (w->error)
        return core_err(errbuf, errlen, w->error, "%s", w->errmsg);
    if (w->direct) {
        if (w->len == w->kept)
            return 0; /* nothing new since the last flush */
        w->last_flush_ms = core_now_ms();
        return flush_direct(w, errbuf, errlen);
    }
    if (!w->len)
        return 0;
    struct iovec v = {w->buf, w->len};
    w->len = 0;
    w->last_flush_ms = core_now_ms();
    return write_all(w, &v, 1, errbuf, errlen);
}

/* Room for `n` more bytes in the buffer (flushing whole records first).
 * Returns NULL when even an empty buffer is too small. */
static uint8_t *reserve(trawl_writer *w, size_t n, char *err, size_t errlen,
                        int *rc) {
    *rc = 0;
    if (w->len + n > WRITER_BUF) {
        *rc = trawl_writer_flush(w, err, errlen);
        if (*rc < 0)
            return NULL;
    }
    /* A direct writer keeps up to a page after a flush, so its records
     * always fit (they are far smaller than the buffer). */
    if (w->len + n > WRITER_BUF)
        return NULL;
    uint8_t *p = w->buf + w->len;
    return p;
}

/* ---- pcapng building blocks ---------------------------------------------- */

static size_t pad4(size_t n) {
    return (n + 3) & ~(size_t)3;
}

static size_t opt_size(size_t len) {
    return 4 + pad4(len);
}

static uint8_t *put_opt(uint8_t *p, uint16_t code, const void *v,
                        size_t len) {
    core_put_le16(p, code);
    core_put_le16(p + 2, (uint16_t)len);
    memcpy(p + 4, v, len);
    memset(p + 4 + len, 0, pad4(len) - len);
    return p + opt_size(len);
}

static size_t text_len(const char *s) {
    size_t n = s ? strlen(s) : 0;
    return n > 65000 ? 65000 : n;
}

static int put_block(trawl_writer *w, const uint8_t *blk, size_t len,
                     char *err, size_t errlen) {
    int rc;
    uint8_t *p = reserve(w, len, err, errlen, &rc);
    if (!p) {
        if (rc < 0)
            return rc;
        struct iovec v = {(void *)blk, len};
        rc = trawl_writer_flush(w, err, errlen);
        return rc < 0 ? rc : write_all(w, &v, 1, err, errlen);
    }
    memcpy(p, blk, len);
    w->len += len;
    return 0;
}

static int write_shb(trawl_writer *w, char *err, size_t errlen) {
    char app[64];
    snprintf(app, sizeof app, "trawl %s", TRAWL_VERSION);
    const char *appl = w->opt.application ? w->opt.application : app;
    struct utsname u;
    char os[200] = "";
    if (uname(&u) == 0)
        snprintf(os, sizeof os, "%s %s", u.sysname, u.release);
    size_t lc = text_len(w->opt.section_comment), la = text_len(appl),
           lo = text_len(os);
    size_t total = 28 + (lc ? opt_size(lc) : 0) + opt_size(la) +
                   (lo ? opt_size(lo) : 0) + 4;
    uint8_t *b = malloc(total);
    if (!b)
        return core_err(err, errlen, TRAWL_ENOMEM, "%s: out of memory",
                        w->name);
    core_put_le32(b, PCAPNG_SHB);
    core_put_le32(b + 4, (uint32_t)total);
    core_put_le32(b + 8, PCAPNG_BOM);
    core_put_le16(b + 12, 1);
    core_put_le16(b + 14, 0);
    core_put_le64(b + 16, UINT64_MAX); /* section length unknown */
    uint8_t *p = b + 24;
    if (lc)
        p = put_opt(p, 1, w->opt.section_comment, lc);
    p = put_opt(p, 3, os, lo); /* shb_os */
    p = put_opt(p, 4, appl, la); /* shb_userappl */
    core_put_le32(p, 0); /* opt_endofopt */
    core_put_le32(p + 4, (uint32_t)total);
    int rc = put_block(w, b, total, err, errlen);
    free(b);
    return rc;
}

static int write_idb(trawl_writer *w, const struct trawl_iface *ifc,
                     char *err, size_t errlen) {
    size_t ln = text_len(ifc->name), ld = text_len(ifc->description),
           lf = text_len(ifc->filter);
    size_t total = 16 + (ln ? opt_size(ln) : 0) + (ld ? opt_size(ld) : 0) +
                   (lf ? opt_size(lf + 1) : 0) + opt_size(1) +
                   (ifc->fcslen >= 0 ? opt_size(1) : 0) + 4 + 4;
    uint8_t *b = malloc(total);
    if (!b)
        return core_err(err, errlen, TRAWL_ENOMEM, "%s: out of memory",
                        w->name);
    core_put_le32(b, PCAPNG_IDB);
    core_put_le32(b + 4, (uint32_t)total);
    core_put_le16(b + 8, (uint16_t)ifc->linktype);
    core_put_le16(b + 10, 0);
    core_put_le32(b + 12, ifc->snaplen);
    uint8_t *p = b + 16;
    if (ln)
        p = put_opt(p, 2, ifc->name, ln);
    if (ld)
        p = put_opt(p, 3, ifc->description, ld);
    uint8_t resol = 9; /* nanoseconds */
    p = put_opt(p, 9, &resol, 1);
    if (lf) {
        uint8_t fb[65001];
        fb[0] = 0; /* filter as text */
        memcpy(fb + 1, ifc->filter, lf);
        p = put_opt(p, 11, fb, lf + 1);
    }
    if (ifc->fcslen >= 0) {
        uint8_t fl = (uint8_t)ifc->fcslen;
        p = put_opt(p, 13, &fl, 1);
    }
    core_put_le32(p, 0);
    core_put_le32(p + 4, (uint32_t)total);
    int rc = put_block(w, b, total, err, errlen);
    free(b);
    return rc;
}

static int write_pcap_header(trawl_writer *w, const struct trawl_iface *ifc,
                             char *err, size_t errlen) {
    uint8_t h[24];
    core_put_le32(h, w->format == TRAWL_FORMAT_PCAP_NS ? 0xa1b23c4du
                                                       : 0xa1b2c3d4u);
    core_put_le16(h + 4, 2);
    core_put_le16(h + 6, 4);
    core_put_le32(h + 8, 0);
    core_put_le32(h + 12, 0);
    core_put_le32(h + 16, ifc->snaplen ? ifc->snaplen : TRAWL_MAX_CAPLEN);
    uint32_t lt = (uint32_t)ifc->linktype & 0x03ffffff;
    if (ifc->fcslen > 0)
        lt |= 0x04000000u | ((uint32_t)(ifc->fcslen / 2) & 0xf) << 28;
    core_put_le32(h + 20, lt);
    return put_block(w, h, sizeof h, err, errlen);
}

/* ---- public API ------------------------------------------------------------ */

TRAWL_API int trawl_writer_open_fd(trawl_writer **out, int fd,
                                   const char *name,
                                   const struct trawl_writer_options *opt,
                                   char *errbuf, size_t errlen) {
    *out = NULL;
    trawl_writer *w = core_calloc(1, sizeof *w);
    if (w) {
        w->name = core_strdup(name ? name : "(output)");
        /* Aligned, with room for a padding block of up to two pages. */
        if (posix_memalign((void **)&w->buf, PAGE, WRITER_BUF + 2 * PAGE))
            w->buf = NULL;
    }
    if (!w || !w->name || !w->buf) {
        if (w) {
            free(w->name);
            free(w->buf);
            free(w);
        }
        close(fd);
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "writer: out of memory");
    }
    w->fd = fd;
    if (opt)
        w->opt = *opt;
    w->format = w->opt.format;
    /* fcntl(F_GETFL) tells whether the caller's fd is O_DIRECT. */
    int fl = fcntl(fd, F_GETFL);
    w->direct = fl >= 0 && (fl & O_DIRECT) && w->format == TRAWL_FORMAT_PCAPNG;
    w->last_flush_ms = core_now_ms();
    int rc = 0;
    if (w->format == TRAWL_FORMAT_PCAPNG)
        rc = write_shb(w, errbuf, errlen);
    if (rc < 0) {
        trawl_writer_close(w, NULL, 0);
        return rc;
    }
    *out = w;
    return 0;
}

TRAWL_API int trawl_writer_open(trawl_writer **out, const char *path,
                                const struct trawl_writer_options *opt,
                                char *errbuf, size_t errlen) {
    int fd;
    bool ng = opt && opt->format == TRAWL_FORMAT_PCAPNG;
    if (strcmp(path, "-") == 0) {
        fd = dup(STDOUT_FILENO);
    } else {
        int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
        /* pcapng to a regular file: O_DIRECT where the file system has it
         * (tmpfs does not), so that a killed writer leaves no torn record
         * (see the top of this file). */
        fd = ng ? open(path, flags | O_DIRECT, 0644) : -1;
        if (fd < 0)
            fd = open(path, flags, 0644);
    }
    if (fd < 0)
        return core_err(errbuf, errlen, TRAWL_EIO, "%s: cannot create: %s",
                        path, strerror(errno));
    return trawl_writer_open_fd(out, fd, strcmp(path, "-") ? path : "(stdout)",
                                opt, errbuf, errlen);
}

TRAWL_API int trawl_writer_add_iface(trawl_writer *w,
                                     const struct trawl_iface *iface,
                                     uint32_t *id, char *errbuf,
                                     size_t errlen) {
    if (w->format != TRAWL_FORMAT_PCAPNG && w->nifaces > 0) {
        if (iface->linktype != w->ifaces[0].linktype)
            return core_err(errbuf, errlen, TRAWL_EUNSUPPORTED,
                            "%s: pcap holds one link type; interface %zu is "
                            "link type %d but the file is %d: write pcapng "
                            "instead",
                            w->name, w->nifaces, iface->linktype,
                            w->ifaces[0].linktype);
    }
    if (w->nifaces == w->cap_ifaces) {
        size_t ncap = w->cap_ifaces ? w->cap_ifaces * 2 : 4;
        struct writer_iface *n = core_reallocarray(w->ifaces, ncap, sizeof *n);
        if (!n)
            return core_err(errbuf, errlen, TRAWL_ENOMEM,
                            "writer: out of memory");
        w->ifaces = n;
        w->cap_ifaces = ncap;
    }
    int rc = 0;
    if (w->format == TRAWL_FORMAT_PCAPNG)
        rc = write_idb(w, iface, errbuf, errlen);
    else if (!w->header_done) {
        rc = write_pcap_header(w, iface, errbuf, errlen);
        w->header_done = rc == 0;
    }
    if (rc < 0)
        return rc;
    struct writer_iface *wi = &w->ifaces[w->nifaces];
    memset(wi, 0, sizeof *wi);
    wi->linktype = iface->linktype;
    *id = (uint32_t)w->nifaces++;
    return 0;
}

TRAWL_API int trawl_writer_write(trawl_writer *w, const struct trawl_pkt *pkt,
                                 char *errbuf, size_t errlen) {
    if (w->error)
        return core_err(errbuf, errlen, w->error, "%s", w->errmsg);
    if (pkt->iface >= w->nifaces)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: packet %" PRIu64 " names interface %" PRIu32
                        " but %zu were declared",
                        w->name, pkt->index + 1, pkt->iface, w->nifaces);
    uint32_t caplen = pkt->caplen;
    size_t hlen, tlen;
    size_t lc = 0;
    if (w->format == TRAWL_FORMAT_PCAPNG) {
        lc = text_len(pkt->comment);
        tlen = pad4(caplen) - caplen + (lc ? opt_size(lc) : 0) +
               (pkt->has_flags ? opt_size(4) : 0) +
               ((lc || pkt->has_flags) ? 4 : 0) + 4;
        hlen = 28;
    } else {
        hlen = 16;
        tlen = 0;
    }
    size_t total = hlen + caplen + tlen;
    uint8_t head[32], tail[65536 + 64];
    int rc;
    uint8_t *p = reserve(w, total, errbuf, errlen, &rc);
    if (rc < 0)
        return rc;
    uint8_t *h = p ? p : head;
    if (w->format == TRAWL_FORMAT_PCAPNG) {
        uint64_t ts = (uint64_t)pkt->ts_sec * 1000000000u + pkt->ts_nsec;
        core_put_le32(h, PCAPNG_EPB);
        core_put_le32(h + 4, (uint32_t)total);
        core_put_le32(h + 8, pkt->iface);
        core_put_le32(h + 12, (uint32_t)(ts >> 32));
        core_put_le32(h + 16, (uint32_t)ts);
        core_put_le32(h + 20, caplen);
        core_put_le32(h + 24, pkt->len);
    } else {
        uint32_t frac = w->format == TRAWL_FORMAT_PCAP_NS
                            ? pkt->ts_nsec
                            : pkt->ts_nsec / 1000u;
        core_put_le32(h, (uint32_t)pkt->ts_sec);
        core_put_le32(h + 4, frac);
        core_put_le32(h + 8, caplen);
        core_put_le32(h + 12, pkt->len);
    }
    uint8_t *t = p ? p + hlen + caplen : tail;
    if (w->format == TRAWL_FORMAT_PCAPNG) {
        uint8_t *q = t;
        size_t pad = pad4(caplen) - caplen;
        memset(q, 0, pad);
        q += pad;
        if (pkt->has_flags) {
            uint8_t f[4];
            core_put_le32(f, pkt->flags);
            q = put_opt(q, 2, f, 4);
        }
        if (lc)
            q = put_opt(q, 1, pkt->comment, lc);
        if (lc || pkt->has_flags) {
            core_put_le32(q, 0);
            q += 4;
        }
        core_put_le32(q, (uint32_t)total);
    }
    if (p) {
        memcpy(p + hlen, pkt->data, caplen);
        w->len += total;
    } else {
        /* Larger than the whole buffer: one writev of the record. */
        struct iovec v[3] = {{head, hlen},
                             {(void *)pkt->data, caplen},
                             {tail, tlen}};
        rc = trawl_writer_flush(w, errbuf, errlen);
        if (rc == 0)
            rc = write_all(w, v, tlen ? 3 : 2, errbuf, errlen);
        if (rc < 0)
            return rc;
    }
    if (w->opt.flush_interval_ms && ++w->since_clock >= CLOCK_EVERY) {
        w->since_clock = 0;
        if (core_now_ms() - w->last_flush_ms >= w->opt.flush_interval_ms)
            return trawl_writer_flush(w, errbuf, errlen);
    }
    return 0;
}

TRAWL_API int trawl_writer_set_stats(trawl_writer *w, uint32_t id,
                                     const struct trawl_iface_stats *st) {
    if (id >= w->nifaces)
        return TRAWL_EINVAL;
    w->ifaces[id].stats = *st;
    w->ifaces[id].has_stats = true;
    return 0;
}

TRAWL_API uint64_t trawl_writer_bytes(const trawl_writer *w) {
    return w->direct ? w->page_off + w->len : w->written + w->len;
}

static int write_isb(trawl_writer *w, uint32_t id, char *err,
                     size_t errlen) {
    const struct trawl_iface_stats *st = &w->ifaces[id].stats;
    uint8_t b[24 + 7 * 12 + 4 + 4];
    uint64_t now = (uint64_t)st->end_sec * 1000000000u + st->end_nsec;
    core_put_le32(b, PCAPNG_ISB);
    core_put_le32(b + 8, id);
    core_put_le32(b + 12, (uint32_t)(now >> 32));
    core_put_le32(b + 16, (uint32_t)now);
    uint8_t *p = b + 20;
    uint8_t v[8];
    uint64_t start = (uint64_t)st->start_sec * 1000000000u + st->start_nsec;
    core_put_le32(v, (uint32_t)(start >> 32));
    core_put_le32(v + 4, (uint32_t)start);
    p = put_opt(p, 2, v, 8);
    core_put_le32(v, (uint32_t)(now >> 32));
    core_put_le32(v + 4, (uint32_t)now);
    p = put_opt(p, 3, v, 8);
    const uint64_t vals[5] = {st->received, st->dropped, st->filter_accepted,
                              st->os_dropped, st->delivered};
    for (int i = 0; i < 5; i++) {
        core_put_le64(v, vals[i]);
        p = put_opt(p, (uint16_t)(4 + i), v, 8);
    }
    core_put_le32(p, 0);
    p += 4;
    size_t total = (size_t)(p - b) + 4;
    core_put_le32(p, (uint32_t)total);
    core_put_le32(b + 4, (uint32_t)total);
    return put_block(w, b, total, err, errlen);
}

TRAWL_API int trawl_writer_close(trawl_writer *w, char *errbuf,
                                 size_t errlen) {
    if (!w)
        return 0;
    int rc = 0;
    if (w->format == TRAWL_FORMAT_PCAPNG)
        for (uint32_t i = 0; i < w->nifaces && rc == 0; i++)
            if (w->ifaces[i].has_stats)
                rc = write_isb(w, i, errbuf, errlen);
    int frc = trawl_writer_flush(w, errbuf, errlen);
    if (rc == 0)
        rc = frc;
    /* A file closed normally ends in its last record, not in padding. */
    if (w->direct && rc == 0 &&
        ftruncate(w->fd, (off_t)(w->page_off + w->len)) < 0)
        rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: cannot truncate: %s",
                      w->name, strerror(errno));
    if (close(w->fd) < 0 && rc == 0)
        rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: close failed: %s",
                      w->name, strerror(errno));
    free(w->ifaces);
    free(w->buf);
    free(w->name);
    free(w);
    return rc;
}
