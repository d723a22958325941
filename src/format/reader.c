/* The trace reader: pcap and pcapng files, one after another, read as one
 * trace through a byte source (source.c), with a sparse packet index for
 * seeking and a follow mode for files still being written.
 *
 * Index: every index_step-th packet records where its record starts (file,
 * offset, pcapng section). Seeking to packet N restores the checkpoint at or
 * before N and reads forward at most index_step - 1 records. The step starts
 * at INDEX_STEP; when the index reaches INDEX_MAX checkpoints, every other
 * one is dropped and the step doubles, so the index never passes INDEX_MAX *
 * 16 bytes (1 MiB) whatever the trace size: a 50 GB trace of small packets
 * seeks by reading at most a few thousand records. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "format/format.h"
#include "format/reader_int.h"
#include "trawl/reader.h"

enum { INDEX_STEP = 64, INDEX_MAX = 65536 };

/* Reports a problem the reader steps over (also used by pcapng.c). */
void reader_warn(trawl_reader *r, const char *fmt, ...) {
    r->stats.warnings++;
    if (!r->opt.warn)
        return;
    char msg[TRAWL_ERRBUF_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->opt.warn(r->opt.warn_ctx, msg);
}

/* ---- interfaces and sections ------------------------------------------ */

static int add_iface(trawl_reader *r, const struct trawl_iface *ifc,
                     uint32_t *id) {
    if (r->nifaces == r->cap_ifaces) {
        size_t ncap = r->cap_ifaces ? r->cap_ifaces * 2 : 8;
        if (ncap > READER_MAX_IFACES)
            return TRAWL_ERANGE;
        struct trawl_iface *n =
            core_reallocarray(r->ifaces, ncap, sizeof *n);
        if (!n)
            return TRAWL_ENOMEM;
        r->ifaces = n;
        r->cap_ifaces = ncap;
    }
    r->ifaces[r->nifaces] = *ifc;
    *id = (uint32_t)r->nifaces++;
    return 0;
}

static void free_iface_strings(struct trawl_iface *ifc) {
    free((char *)ifc->name);
    free((char *)ifc->description);
    free((char *)ifc->filter);
    free((char *)ifc->os);
}

/* ---- files --------------------------------------------------------------- */

static const char *cur_path(const trawl_reader *r) {
    return r->files[r->cur_file].path;
}

static int open_file(trawl_reader *r, uint32_t file_no, char *err,
                     size_t errlen);

static void close_source(trawl_reader *r) {
    if (r->src_open) {
        r->done_before += r->src.raw_done;
        fsrc_close(&r->src);
        r->src_open = false;
    }
}

/* Reads the file header (pcap) or checks the first block (pcapng) of the
 * file just opened. */
static bool follow_wait(trawl_reader *r);

static int read_file_header(trawl_reader *r, char *err, size_t errlen) {
    struct reader_file *f = &r->files[r->cur_file];
    const uint8_t *p;
    long n;
    /* A followed file may not have its header yet: wait for it. */
    while ((n = fsrc_peek(&r->src, 24, &p, err, errlen)) >= 0 && n < 24 &&
           r->opt.follow) {
        if (n >= 4 && core_le32(p) == PCAPNG_SHB)
            break;
        if (!follow_wait(r))
            return core_err(err, errlen, TRAWL_EAGAIN,
                            "%s: waiting for the file header (%ld bytes so "
                            "far)",
                            f->path, n);
    }
    r->wait_started = 0;
    if (n < 0)
        return (int)n;
    if (n < 4)
        return core_err(err, errlen, TRAWL_EFORMAT,
                        "%s: not a pcap or pcapng file (%ld bytes long)",
                        f->path, n);
    uint32_t magic_le = core_le32(p), magic_be = core_be32(p);
    if (magic_le == PCAPNG_SHB) {
        f->format = READER_PCAPNG;
        return 0; /* the SHB is read as a block */
    }
    if (magic_le == PCAP_MAGIC_US || magic_le == PCAP_MAGIC_NS) {
        f->big_endian = false;
        f->nanosecond = magic_le == PCAP_MAGIC_NS;
    } else if (magic_be == PCAP_MAGIC_US || magic_be == PCAP_MAGIC_NS) {
        f->big_endian = true;
        f->nanosecond = magic_be == PCAP_MAGIC_NS;
    } else {
        return core_err(err, errlen, TRAWL_EFORMAT,
                        "%s: not a pcap or pcapng file (magic 0x%08" PRIx32
                        " at offset 0)",
                        f->path, magic_be);
    }
    if (n < 24)
        return core_err(err, errlen, TRAWL_ETRUNC,
                        "%s: pcap file header is truncated (%ld of 24 bytes)",
                        f->path, n);
    f->format = READER_PCAP;
    struct core_cursor c;
    core_cursor_init(&c, p, 24, !f->big_endian);
    core_cursor_skip(&c, 4);
    uint16_t vmaj = core_cursor_u16(&c);
    uint16_t vmin = core_cursor_u16(&c);
    core_cursor_skip(&c, 8); /* thiszone, sigfigs */
    uint32_t snaplen = core_cursor_u32(&c);
    uint32_t lt = core_cursor_u32(&c);
    if (vmaj != 2)
        return core_err(err, errlen, TRAWL_EUNSUPPORTED,
                        "%s: pcap version %u.%u is not supported (only 2.x)",
                        f->path, vmaj, vmin);
    fsrc_consume(&r->src, 24);
    if (!f->header_done) {
        struct trawl_iface ifc = {0};
        /* The upper bits of the link type may say that frames end in an
         * FCS of a given length (the "FCS present" bit and a 4-bit count
         * of 16-bit words). */
        ifc.linktype = (int)(lt & 0x03ffffff);
        ifc.fcslen = (lt & 0x04000000) ? (int)((lt >> 28) * 2) : -1;
        ifc.snaplen = snaplen;
        ifc.tsresol = f->nanosecond ? 9 : 6;
        ifc.file_no = r->cur_file;
        int rc = add_iface(r, &ifc, &f->iface);
        if (rc < 0)
            return core_err(err, errlen, rc, "%s: too many interfaces",
                            f->path);
        f->header_done = true;
    }
    return 0;
}

static int open_file(trawl_reader *r, uint32_t file_no, char *err,
                     size_t errlen) {
    close_source(r);
    r->cur_file = file_no;
    r->block_no = 0;
    int rc = fsrc_open(&r->src, r->files[file_no].path, err, errlen);
    if (rc < 0)
        return rc;
    r->src_open = true;
    struct stat st;
    r->files[file_no].size =
        (fstat(r->src.fd, &st) == 0 && S_ISREG(st.st_mode))
            ? (uint64_t)st.st_size
            : 0;
    rc = read_file_header(r, err, errlen);
    if (rc < 0 || r->files[file_no].format != READER_PCAPNG)
        return rc;
    /* Read the section header now, so that the section comment is known
     * before the first packet. */
    struct trawl_pkt unused;
    rc = pcapng_read_block(r, &unused, err, errlen);
    return rc < 0 ? rc : 0;
}

/* ---- rotation sets (follow mode) --------------------------------------- */

/* Orders names as people do: digit runs compare as numbers. */
static int natural_cmp(const char *a, const char *b) {
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = 0, lb = 0;
            while (isdigit((unsigned char)a[la]))
                la++;
            while (isdigit((unsigned char)b[lb]))
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c;
            a += la;
            b += lb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

/* The length of `name` without trawl's index suffix ("_DIGITS" just
 * before the extension, or at the end: cut_2.pcap is cut.pcap's third
 * file), written to out with the extension kept. */
static void strip_index(const char *name, char *out, size_t len) {
    snprintf(out, len, "%s", name);
    char *dot = strrchr(out, '.');
    if (!dot || dot == out)
        dot = out + strlen(out);
    char *p = dot;
    while (p > out && isdigit((unsigned char)p[-1]))
        p--;
    if (p < dot && p > out + 1 && p[-1] == '_')
        memmove(p - 1, dot, strlen(dot) + 1);
}

/* Equal after every run of digits is folded into one placeholder. */
static bool same_folded(const char *a, const char *b) {
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (isdigit((unsigned char)*a))
                a++;
            while (isdigit((unsigned char)*b))
                b++;
            continue;
        }
        if (*a != *b)
            return false;
        a++;
        b++;
    }
    return !*a && !*b;
}

/* True when `cand` belongs to the same rotation set as `cur`: equal after
 * every run of digits is folded into one placeholder (tcpdump -G strftime
 * names, trawl's numbered names), or after trawl's index suffixes are
 * dropped (cut.pcap, cut_1.pcap; cap-1200.pcap, cap-1200_1.pcap), or
 * `cur` followed by digits (tcpdump -C: "cap", "cap1", "cap2"...). */
static bool same_set(const char *cur, const char *cand) {
    size_t lc = strlen(cur);
    if (strncmp(cand, cur, lc) == 0 && cand[lc]) {
        const char *q = cand + lc;
        while (isdigit((unsigned char)*q))
            q++;
        if (!*q)
            return true;
    }
    if (same_folded(cur, cand))
        return true;
    char a[NAME_MAX + 1], b[NAME_MAX + 1];
    strip_index(cur, a, sizeof a);
    strip_index(cand, b, sizeof b);
    return same_folded(a, b);
}

/* Finds the file that follows `path` in its rotation set, or NULL. The
 * result is malloc'ed. */
static char *next_in_rotation(const char *path) {
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX];
    const char *base;
    if (slash) {
        size_t dl = (size_t)(slash - path);
        if (dl >= sizeof dir)
            return NULL;
        memcpy(dir, path, dl);
        dir[dl ? dl : 1] = '\0';
        if (!dl)
            dir[0] = '/';
        base = slash + 1;
    } else {
        strcpy(dir, ".");
        base = path;
    }
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char best[NAME_MAX + 1] = "";
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, base) == 0 || !same_set(base, e->d_name))
            continue;
        if (natural_cmp(e->d_name, base) <= 0)
            continue;
        if (!best[0] || natural_cmp(e->d_name, best) < 0)
            snprintf(best, sizeof best, "%s", e->d_name);
    }
    closedir(d);
    if (!best[0])
        return NULL;
    size_t n = strlen(dir) + strlen(best) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", slash ? dir : ".", best);
    if (out && !slash)
        memmove(out, out + 2, strlen(out + 2) + 1);
    return out;
}

static int add_file(trawl_reader *r, const char *path) {
    if (r->nfiles == r->cap_files) {
        size_t ncap = r->cap_files ? r->cap_files * 2 : 4;
        struct reader_file *n = core_reallocarray(r->files, ncap, sizeof *n);
        if (!n)
            return TRAWL_ENOMEM;
        r->files = n;
        r->cap_files = ncap;
    }
    struct reader_file *f = &r->files[r->nfiles];
    memset(f, 0, sizeof *f);
    f->path = core_strdup(path);
    if (!f->path)
        return TRAWL_ENOMEM;
    r->nfiles++;
    return 0;
}

/* ---- public: open / close ------------------------------------------------ */

TRAWL_API int trawl_reader_open(trawl_reader **out, const char *const *paths,
                                size_t npaths,
                                const struct trawl_reader_options *opt,
                                char *errbuf, size_t errlen) {
    *out = NULL;
    if (!paths || npaths == 0)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "reader: no trace file given");
    trawl_reader *r = core_calloc(1, sizeof *r);
    if (!r)
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "reader: out of memory");
    if (opt)
        r->opt = *opt;
    r->index_step = INDEX_STEP;
    r->index_max = INDEX_MAX;
    int rc = 0;
    for (size_t i = 0; i < npaths; i++) {
        if ((rc = add_file(r, paths[i])) < 0) {
            core_err(errbuf, errlen, rc, "reader: out of memory");
            goto fail;
        }
    }
    if ((rc = open_file(r, 0, errbuf, errlen)) < 0)
        goto fail;
    *out = r;
    return 0;
fail:
    trawl_reader_close(r);
    return rc;
}

TRAWL_API void trawl_reader_close(trawl_reader *r) {
    if (!r)
        return;
    close_source(r);
    for (size_t i = 0; i < r->nfiles; i++)
        free(r->files[i].path);
    free(r->files);
    for (size_t i = 0; i < r->nifaces; i++)
        free_iface_strings(&r->ifaces[i]);
    free(r->ifaces);
    for (size_t i = 0; i < r->nsections; i++) {
        free(r->sections[i].ifmap);
        free(r->sections[i].comment);
    }
    free(r->sections);
    free(r->index);
    free(r->comment);
    free(r->copy);
    free(r);
}

/* ---- the record loop ----------------------------------------------------- */

/* Keeps every other checkpoint and doubles the step. */
static void index_thin(trawl_reader *r) {
    size_t k = 0;
    for (size_t i = 0; i < r->nindex; i += 2)
        r->index[k++] = r->index[i];
    r->nindex = k;
    r->index_step *= 2;
}

/* Records packet idx's offset as a checkpoint, when it is one. */
static TRAWL_NOINLINE int index_add(trawl_reader *r, uint64_t idx,
                                    uint64_t offset) {
    if (idx / r->index_step >= r->index_max) {
        index_thin(r);
        if (idx & (r->index_step - 1))
            return 0;
    }
    size_t k = (size_t)(idx / r->index_step);
    if (k >= r->cap_index) {
        size_t ncap = r->cap_index ? r->cap_index * 2 : 1024;
        struct reader_checkpoint *n =
            core_reallocarray(r->index, ncap, sizeof *n);
        if (!n)
            return TRAWL_ENOMEM;
        r->index = n;
        r->cap_index = ncap;
    }
    r->index[k].offset = offset;
    r->index[k].file_no = r->cur_file;
    r->index[k].section = (uint32_t)r->cur_section;
    r->nindex = k + 1;
    return 0;
}

static inline int index_note(trawl_reader *r, uint64_t offset) {
    uint64_t idx = r->next_index;
    if (idx < r->indexed)
        return 0;
    r->indexed = idx + 1;
    /* The step is a power of two (INDEX_STEP, doubled): a mask, not a
     * division, on every packet. */
    if (TRAWL_LIKELY(idx & (r->index_step - 1)))
        return 0;
    return index_add(r, idx, offset);
}

/* Sleeps a little in follow mode; returns false when the follow timeout
 * has passed. */
static bool follow_wait(trawl_reader *r) {
    uint64_t now = core_now_ms();
    if (!r->wait_started)
        r->wait_started = now;
    if (r->opt.follow_timeout_ms &&
        now - r->wait_started >= r->opt.follow_timeout_ms) {
        /* Control goes back to the caller; its next call waits a whole
         * timeout again and reads the file afresh, rather than failing at
         * once forever without looking at the file. */
        r->wait_started = 0;
        fsrc_retry(&r->src);
        return false;
    }
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    fsrc_retry(&r->src);
    return true;
}

/* Whether a writer still holds the file: trawl's writers keep an exclusive
 * flock on a file (shared with its guard) until it is final, so a newer
 * file of the rotation appearing does not mean that this one has all its
 * records yet — an asynchronous writer may still be writing its last
 * buffers. Files of other writers are never locked and read as released. */
static bool held_by_writer(int fd) {
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return false;
    if (flock(fd, LOCK_SH | LOCK_NB) < 0)
        return errno == EWOULDBLOCK;
    flock(fd, LOCK_UN);
    return false;
}

/* At the end of the current file: move to the next file of the list or of
 * the rotation set. Returns 1 when a new file is open, 0 when the trace
 * ended, TRAWL_EAGAIN when following and nothing came, or an error. */
static int end_of_file(trawl_reader *r, long have, size_t want, char *err,
                       size_t errlen) {
    if (r->opt.follow) {
        /* A rotation moves on only once the current file is complete and
         * a newer file exists; otherwise wait for more data. */
        char *next = have == 0 && r->cur_file + 1 == r->nfiles
                         ? next_in_rotation(cur_path(r))
                         : NULL;
        if (next && !r->released) {
            /* Not yet: wait while the writer holds the file, then read to
             * its end once more, since records may have come between the
             * last read and the release. */
            free(next);
            next = NULL;
            if (!held_by_writer(r->src.fd)) {
                r->released = true;
                fsrc_retry(&r->src);
                return 2;
            }
        }
        if (next) {
            r->released = false;
            int rc = add_file(r, next);
            free(next);
            if (rc < 0)
                return core_err(err, errlen, rc, "reader: out of memory");
        } else if (r->cur_file + 1 >= r->nfiles || have) {
            /* The bytes of a partial record may not stay: a pcap writer
             * fills the rest of its last page and cuts it off again, and
             * its next write puts the records there. Read them anew. */
            if (have)
                fsrc_reread(&r->src);
            if (!follow_wait(r))
                return core_err(err, errlen, TRAWL_EAGAIN,
                                "%s: no new data for %u ms", cur_path(r),
                                r->opt.follow_timeout_ms);
            return 2; /* try the same file again */
        }
    }
    if (have) {
        /* A torn final record: what a writer killed mid-write leaves. */
        reader_warn(r,
                    "%s: %s %" PRIu64 " at offset %" PRIu64
                    ": truncated record (file ends after %ld of %zu bytes)",
                    cur_path(r),
                    r->files[r->cur_file].format == READER_PCAP ? "packet"
                                                                 : "block",
                    r->files[r->cur_file].format == READER_PCAP
                        ? r->next_index + 1
                        : r->block_no + 1,
                    fsrc_tell(&r->src), have, want);
        fsrc_consume(&r->src, (size_t)have);
    }
    if (r->cur_file + 1 >= r->nfiles)
        return 0;
    int rc = open_file(r, r->cur_file + 1, err, errlen);
    return rc < 0 ? rc : 1;
}

/* need() when the window does not hold the bytes yet. */
static int need_more(trawl_reader *r, size_t want, const uint8_t **p,
                     char *err, size_t errlen) {
    for (;;) {
        long n = fsrc_peek(&r->src, want, p, err, errlen);
        if (n < 0)
            return (int)n;
        if ((size_t)n == want) {
            r->wait_started = 0;
            return 1;
        }
        int rc = end_of_file(r, n, want, err, errlen);
        if (rc == 2)
            continue;
        return rc == 1 ? 3 : rc;
    }
}

/* Makes `want` bytes available, crossing to the next file when the current
 * one ends cleanly at a record boundary. Returns 1 with *p set, 0 at the
 * end of the trace, 3 when a new file was opened (the caller restarts its
 * record), or a negative error. Nearly always the window has them: that
 * case costs a comparison, not a call. */
static inline int need(trawl_reader *r, size_t want, const uint8_t **p,
                       char *err, size_t errlen) {
    if (TRAWL_LIKELY(r->src.end - r->src.pos >= want)) {
        *p = r->src.buf + r->src.pos;
        r->wait_started = 0;
        return 1;
    }
    return need_more(r, want, p, err, errlen);
}

/* The captured length in the pcap record header at p. */
static inline uint32_t pcap_caplen(const struct reader_file *f,
                                   const uint8_t *p) {
    return TRAWL_LIKELY(!f->big_endian) ? core_le32(p + 8) : core_be32(p + 8);
}

/* The packet of the whole pcap record at p, at stream offset off, which
 * holds caplen bytes. What the file says is read before pkt is written,
 * which may be anywhere. */
static inline void pcap_fill(const trawl_reader *r,
                             const struct reader_file *f, const uint8_t *p,
                             uint32_t caplen, uint64_t off,
                             struct trawl_pkt *pkt) {
    const struct trawl_iface *ifc = &r->ifaces[f->iface];
    uint32_t iface = f->iface;
    int linktype = ifc->linktype;
    uint8_t fcs_len = ifc->fcslen > 0 ? (uint8_t)ifc->fcslen : 0;
    bool nanosecond = f->nanosecond;
    uint32_t sec, frac, len;
    if (TRAWL_LIKELY(!f->big_endian)) {
        sec = core_le32(p);
        frac = core_le32(p + 4);
        len = core_le32(p + 12);
    } else {
        sec = core_be32(p);
        frac = core_be32(p + 4);
        len = core_be32(p + 12);
    }
    pkt->ts_sec = sec;
    if (nanosecond) {
        pkt->ts_nsec = frac;
        /* Some writers store a fraction past one second; carry it. */
        if (TRAWL_UNLIKELY(frac >= 1000000000u)) {
            pkt->ts_sec += frac / 1000000000u;
            pkt->ts_nsec = frac % 1000000000u;
        }
    } else if (TRAWL_LIKELY(frac < 1000000u)) {
        pkt->ts_nsec = frac * 1000u;
    } else {
        pkt->ts_sec += frac / 1000000u;
        pkt->ts_nsec = (frac % 1000000u) * 1000u;
    }
    pkt->caplen = caplen;
    pkt->len = len;
    pkt->linktype = linktype;
    pkt->iface = iface;
    pkt->flags = 0;
    pkt->has_flags = false;
    pkt->fcs_len = fcs_len;
    pkt->block = TRAWL_BLOCK_PCAP_RECORD;
    pkt->offset = off;
    pkt->data = p + 16;
    pkt->comment = NULL;
}

static int read_pcap_record(trawl_reader *r, struct trawl_pkt *pkt,
                            char *err, size_t errlen) {
    struct reader_file *f = &r->files[r->cur_file];
    const uint8_t *p;
    uint64_t off = fsrc_tell(&r->src);
    int rc = need(r, 16, &p, err, errlen);
    if (rc != 1)
        return rc;
    uint32_t caplen = pcap_caplen(f, p);
    if (TRAWL_UNLIKELY(caplen > TRAWL_MAX_CAPLEN))
        return core_err(err, errlen, TRAWL_EFORMAT,
                        "%s: packet %" PRIu64 " at offset %" PRIu64
                        ": captured length %" PRIu32
                        " is larger than the maximum of %u",
                        f->path, r->next_index + 1, off, caplen,
                        TRAWL_MAX_CAPLEN);
    rc = need(r, 16 + (size_t)caplen, &p, err, errlen);
    if (rc != 1)
        return rc;
    fsrc_consume(&r->src, 16 + (size_t)caplen);
    pcap_fill(r, f, p, caplen, off, pkt);
    return 1;
}

/* read_pcap_record() for a record wholly in the window (most of them):
 * true with pkt set, else false with nothing read. */
static inline bool pcap_record_at_hand(trawl_reader *r,
                                       struct trawl_pkt *pkt) {
    const struct reader_file *f = &r->files[r->cur_file];
    struct fsrc *s = &r->src;
    size_t have = s->end - s->pos;
    if (f->format != READER_PCAP || have < 16)
        return false;
    const uint8_t *p = s->buf + s->pos;
    uint32_t caplen = pcap_caplen(f, p);
    if (caplen > TRAWL_MAX_CAPLEN || have - 16 < caplen)
        return false;
    uint64_t off = fsrc_tell(s);
    fsrc_consume(s, 16 + (size_t)caplen);
    r->wait_started = 0;
    pcap_fill(r, f, p, caplen, off, pkt);
    return true;
}

static int read_one(trawl_reader *r, struct trawl_pkt *pkt, char *err,
                    size_t errlen) {
    for (;;) {
        int rc;
        if (r->files[r->cur_file].format == READER_PCAP)
            rc = read_pcap_record(r, pkt, err, errlen);
        else
            rc = pcapng_read_block(r, pkt, err, errlen);
        if (rc == 3)
            continue; /* a new file: read its first record */
        if (rc == 2)
            continue; /* a block that was not a packet */
        return rc;
    }
}

/* The packet read is returned: numbered, and indexed. */
static inline int packet_out(trawl_reader *r, struct trawl_pkt *pkt,
                             char *errbuf, size_t errlen) {
    pkt->index = r->next_index;
    pkt->file_no = r->cur_file;
    int irc = index_note(r, pkt->offset);
    if (TRAWL_UNLIKELY(irc < 0))
        return core_err(errbuf, errlen, irc, "reader: out of memory");
    r->next_index++;
    r->stats.packets++;
    return 1;
}

/* trawl_reader_next() in every case: errors, pcapng, records that are
 * not in the window yet, the next file, following. */
static TRAWL_NOINLINE int next_checked(trawl_reader *r, struct trawl_pkt *pkt,
                                       char *errbuf, size_t errlen) {
    if (r->failed)
        return core_err(errbuf, errlen, r->failed, "%s", r->fail_msg);
    int rc = read_one(r, pkt, errbuf, errlen);
    if (rc == 1)
        return packet_out(r, pkt, errbuf, errlen);
    if (rc < 0 && rc != TRAWL_EAGAIN) {
        /* A broken file stays broken: remember the message so that the
         * caller gets it again rather than garbage after it. */
        r->failed = rc;
        snprintf(r->fail_msg, sizeof r->fail_msg, "%s", errbuf ? errbuf : "");
    }
    if (rc == 0)
        r->at_end = true;
    return rc;
}

TRAWL_API int trawl_reader_next(trawl_reader *r, struct trawl_pkt *pkt,
                                char *errbuf, size_t errlen) {
    if (TRAWL_LIKELY(!r->failed) && pcap_record_at_hand(r, pkt))
        return packet_out(r, pkt, errbuf, errlen);
    return next_checked(r, pkt, errbuf, errlen);
}

TRAWL_API int trawl_reader_seek(trawl_reader *r, uint64_t index,
                                char *errbuf, size_t errlen) {
    if (r->failed && index >= r->indexed)
        return core_err(errbuf, errlen, r->failed, "%s", r->fail_msg);
    if (index != r->next_index &&
        (index < r->next_index || index >= r->indexed) && r->nindex) {
        /* Restore the nearest checkpoint at or before the target. */
        uint64_t k = index / r->index_step;
        if (k >= r->nindex)
            k = r->nindex - 1;
        if (k * r->index_step > r->next_index || index < r->next_index) {
            const struct reader_checkpoint *cp = &r->index[k];
            int rc;
            if (cp->file_no != r->cur_file || !r->src_open) {
                if ((rc = open_file(r, cp->file_no, errbuf, errlen)) < 0)
                    return rc;
            }
            if ((rc = fsrc_seek(&r->src, cp->offset, errbuf, errlen)) < 0)
                return rc;
            r->cur_section = cp->section;
            r->next_index = k * r->index_step;
            r->failed = 0;
            r->at_end = false;
        }
    }
    struct trawl_pkt pkt;
    while (r->next_index < index) {
        int rc = trawl_reader_next(r, &pkt, errbuf, errlen);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return core_err(errbuf, errlen, TRAWL_ERANGE,
                            "%s: cannot seek to packet %" PRIu64
                            ": the trace has %" PRIu64 " packets",
                            cur_path(r), index + 1, r->indexed);
    }
    return 0;
}

TRAWL_API uint64_t trawl_reader_tell(const trawl_reader *r) {
    return r->next_index;
}

TRAWL_API uint64_t trawl_reader_indexed(const trawl_reader *r) {
    return r->indexed;
}

TRAWL_API size_t trawl_reader_iface_count(const trawl_reader *r) {
    return r->nifaces;
}

TRAWL_API const struct trawl_iface *trawl_reader_iface(const trawl_reader *r,
                                                       uint32_t id) {
    return id < r->nifaces ? &r->ifaces[id] : NULL;
}

TRAWL_API const char *trawl_reader_section_comment(const trawl_reader *r) {
    const struct reader_section *s =
        r->nsections ? &r->sections[r->cur_section] : NULL;
    return s ? s->comment : NULL;
}

TRAWL_API const char *trawl_reader_format(const trawl_reader *r) {
    const struct reader_file *f = &r->files[0];
    if (f->format == READER_PCAPNG)
        return "pcapng";
    return f->nanosecond ? "pcap-ns" : "pcap";
}

TRAWL_API void trawl_reader_progress(const trawl_reader *r, uint64_t *done,
                                     uint64_t *total) {
    uint64_t t = 0, d = r->done_before;
    for (size_t i = 0; i < r->nfiles; i++) {
        if (!r->files[i].size && i <= r->cur_file) {
            t = 0;
            break;
        }
        t += r->files[i].size;
    }
    if (r->src_open)
        d += r->src.raw_done;
    /* raw_done counts bytes read ahead; report what was consumed when the
     * data is not compressed. */
    if (r->src_open && r->src.kind == FSRC_PLAIN)
        d = r->done_before + fsrc_tell(&r->src);
    *done = d;
    *total = t;
}

TRAWL_API void trawl_reader_stats(const trawl_reader *r,
                                  struct trawl_reader_stats *st) {
    *st = r->stats;
    st->sections = r->nsections;
}

int reader_wait_more(trawl_reader *r, char *err, size_t errlen) {
    int rc = end_of_file(r, 0, 0, err, errlen);
    return rc == 1 ? 3 : rc;
}

int reader_add_iface(trawl_reader *r, const struct trawl_iface *ifc,
                     uint32_t *id) {
    return add_iface(r, ifc, id);
}

int reader_need(trawl_reader *r, size_t want, const uint8_t **p, char *err,
                size_t errlen) {
    return need(r, want, p, err, errlen);
}

const char *reader_path(const trawl_reader *r) {
    return cur_path(r);
}
