/* How a writer's buffers reach its file, so that a writer killed at any
 * instant leaves a file of whole records.
 *
 * The kernel copies a buffered write() into the page cache a page (or
 * folio) at a time and gives up between two when SIGKILL is pending, so a
 * plain write can leave the file ending part way into a record. An
 * O_DIRECT write, in contrast, is waited for uninterruptibly and extends
 * the file only once complete. So a regular file (not on tmpfs, which
 * takes O_DIRECT but copies through the page cache all the same) is
 * written with O_DIRECT, in whole pages: the records, then padding up to
 * the next page boundary; the next write rewrites that last page with the
 * records that follow.
 *
 * - pcapng pads with a padding block (PCAPNG_TRAWL_PAD, a local-use block
 *   type every pcapng reader skips), so the file is whole records at every
 *   instant; close cuts the padding off.
 * - pcap has no block a reader skips, so its padding is a filler whose
 *   header claims more bytes than the page holds, and the file is cut back
 *   to the end of its records (ftruncate) right after each write. A kill
 *   between the two calls leaves the filler; the file's guard (guard.h),
 *   a process that outlives the writer, cuts it off then. Plain writes
 *   (tmpfs) are guarded the same way, for pcap and pcapng.
 *
 * Standard output, pipes and other descriptors are written plainly and
 * cannot be helped. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "format/writer_int.h"

#define PCAP_FILLER_HDR 16

/* Records the first error of the sink; returns it. */
static int sink_fail(struct writer_sink *s, uint64_t off, const char *what,
                     int e) {
    if (!atomic_load_explicit(&s->error, memory_order_acquire)) {
        snprintf(s->errmsg, sizeof s->errmsg,
                 "%s: %s failed at byte offset %" PRIu64 ": %s", s->name,
                 what, off, strerror(e));
        atomic_store_explicit(&s->error, TRAWL_EIO, memory_order_release);
    }
    return TRAWL_EIO;
}

/* A regular file written from its start and not in append mode (pwrite()
 * places the pages, and the guard walks from offset 0). */
static bool regular_from_start(int fd) {
    struct stat st;
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && !(fl & O_APPEND) && fstat(fd, &st) == 0 &&
           S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0;
}

static bool on_tmpfs(int fd) {
    struct statfs sfs;
    return fstatfs(fd, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
}

static bool set_direct(int fd, bool on) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT) < 0)
        return false;
    fl = fcntl(fd, F_GETFL);
    return fl >= 0 && !!(fl & O_DIRECT) == on;
}

int sink_open(struct writer_sink **out, int fd, const char *name,
              enum trawl_format format, char *err, size_t errlen) {
    *out = NULL;
    struct writer_sink *s = core_calloc(1, sizeof *s);
    if (!s || !(s->name = core_strdup(name))) {
        free(s);
        close(fd);
        return core_err(err, errlen, TRAWL_ENOMEM, "%s: out of memory", name);
    }
    s->fd = fd;
    s->pcapng = format == TRAWL_FORMAT_PCAPNG;
    s->guard.pipe_w = -1;
    bool regular = regular_from_start(fd);
    /* O_DIRECT wherever whole pages can be placed; a descriptor that came
     * with the flag and cannot be written so loses it, since it would
     * only make plain writes fail. */
    s->direct = regular && !on_tmpfs(fd) && set_direct(fd, true);
    if (!s->direct)
        set_direct(fd, false);
    if (regular) {
        /* Another trawl writing the same file is not stopped, only not
         * waited for: the lock says when the file is final. */
        flock(fd, LOCK_EX | LOCK_NB);
        /* pcapng in O_DIRECT pages is whole at every instant by itself;
         * everything else on a regular file has a guard. A guard that
         * cannot start costs the crash safety, not the file. */
        if (!(s->direct && s->pcapng))
            guard_start(&s->guard, fd,
                        s->pcapng ? GUARD_PCAPNG : GUARD_PCAP, NULL, 0);
    }
    *out = s;
    return 0;
}

int sink_open_stream(struct writer_sink **out, trawl_write_fn fn, void *ctx,
                     const char *name, char *err, size_t errlen) {
    *out = NULL;
    struct writer_sink *s = core_calloc(1, sizeof *s);
    if (!s || !(s->name = core_strdup(name))) {
        free(s);
        return core_err(err, errlen, TRAWL_ENOMEM, "%s: out of memory", name);
    }
    s->fd = -1;
    s->fn = fn;
    s->fn_ctx = ctx;
    s->guard.pipe_w = -1;
    *out = s;
    return 0;
}

/* A stream's write: the callback's failure is sticky, as a failed write()
 * is, since the stream no longer holds what the writer thinks it does. */
static int write_stream(struct writer_sink *s, const uint8_t *buf, size_t len,
                        uint64_t off) {
    char msg[TRAWL_ERRBUF_SIZE] = "";
    int rc = s->fn(s->fn_ctx, buf, len, msg, sizeof msg);
    if (rc >= 0)
        return 0;
    snprintf(s->errmsg, sizeof s->errmsg,
             "%s: write failed at byte offset %" PRIu64 ": %s", s->name, off,
             msg[0] ? msg : trawl_strerror(rc));
    atomic_store_explicit(&s->error, rc, memory_order_release);
    return rc;
}

/* Completes the last page of buf[0, len) (see the top of this file);
 * returns the length to write. */
static size_t pad_page(const struct writer_sink *s, uint8_t *buf, size_t len) {
    size_t pad = (WRITER_PAGE - len % WRITER_PAGE) % WRITER_PAGE;
    if (!pad)
        return len;
    uint8_t *p = buf + len;
    if (s->pcapng) {
        if (pad < 12)
            pad += WRITER_PAGE; /* a block has at least 12 bytes */
        core_put_le32(p, PCAPNG_TRAWL_PAD);
        core_put_le32(p + 4, (uint32_t)pad);
        memset(p + 8, 0, pad - 12);
        core_put_le32(p + pad - 4, (uint32_t)pad);
        return len + pad;
    }
    /* A record header whose captured length runs past the page: a reader
     * that meets it in the instant before the truncation waits for more
     * (or sees a torn record) instead of taking zeros for packets. */
    memset(p, 0, pad);
    if (pad >= PCAP_FILLER_HDR) {
        core_put_le32(p + 8, TRAWL_MAX_CAPLEN);
        core_put_le32(p + 12, TRAWL_MAX_CAPLEN);
    }
    return len + pad;
}

static int write_direct(struct writer_sink *s, uint8_t *buf, size_t len,
                        uint64_t off) {
    size_t total = pad_page(s, buf, len), done = 0;
    while (done < total) {
        ssize_t r = pwrite(s->fd, buf + done, total - done, (off_t)(off + done));
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        int e = r == 0 ? EIO : errno;
        if (e == EINTR)
            continue;
        /* A device that wants larger blocks refuses every aligned direct
         * write alike, so the first one tells. */
        if (e == EINVAL && off == 0 && done == 0 && set_direct(s->fd, false)) {
            s->direct = false;
            if (s->pcapng && s->guard.pid == 0)
                guard_start(&s->guard, s->fd, GUARD_PCAPNG, NULL, 0);
            return SINK_NOT_DIRECT;
        }
        return sink_fail(s, off + done, "write", e);
    }
    if (!s->pcapng && total > len && ftruncate(s->fd, (off_t)(off + len)) < 0)
        return sink_fail(s, off + len, "truncate", errno);
    guard_publish(&s->guard, off + len);
    return 0;
}

static int write_plain(struct writer_sink *s, const uint8_t *p, size_t n,
                       uint64_t off) {
    uint64_t at = off;
    /* A short write (a signal, a pipe, a full disk on the next call) is
     * continued where it stopped; a non-blocking descriptor is waited on. */
    while (n) {
        ssize_t r = write(s->fd, p, n);
        if (r > 0) {
            at += (uint64_t)r;
            p += r;
            n -= (size_t)r;
            continue;
        }
        int e = r == 0 ? EIO : errno;
        if (e == EINTR)
            continue;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            struct pollfd pfd = {.fd = s->fd, .events = POLLOUT};
            if (poll(&pfd, 1, -1) >= 0 || errno == EINTR)
                continue;
            e = errno;
        }
        return sink_fail(s, at, "write", e);
    }
    guard_publish(&s->guard, at);
    return 0;
}

int sink_write(struct writer_sink *s, uint8_t *buf, size_t len, uint64_t off) {
    int e = atomic_load_explicit(&s->error, memory_order_acquire);
    if (e)
        return e;
    if (s->fn)
        return write_stream(s, buf, len, off);
    return s->direct ? write_direct(s, buf, len, off)
                     : write_plain(s, buf, len, off);
}

int sink_finish(struct writer_sink *s, uint64_t end) {
    int rc = atomic_load_explicit(&s->error, memory_order_acquire);
    if (s->fd < 0)
        return rc; /* a stream: nothing to close */
    /* A file closed normally ends in its last record, not in padding. */
    if (!rc && s->direct && ftruncate(s->fd, (off_t)end) < 0)
        rc = sink_fail(s, end, "truncate", errno);
    /* After an error the guard still cuts the file to whole records. */
    guard_stop(&s->guard);
    if (close(s->fd) < 0 && !rc)
        rc = sink_fail(s, end, "close", errno);
    s->fd = -1;
    return rc;
}

void sink_free(struct writer_sink *s) {
    if (!s)
        return;
    if (s->fd >= 0) {
        guard_stop(&s->guard);
        close(s->fd);
    }
    free(s->name);
    free(s);
}

int writer_take_sink_error(trawl_writer *w, char *err, size_t errlen) {
    if (!w->error) {
        int e = atomic_load_explicit(&w->sink->error, memory_order_acquire);
        if (!e)
            return 0;
        w->error = e;
        snprintf(w->errmsg, sizeof w->errmsg, "%s", w->sink->errmsg);
    }
    return core_err(err, errlen, w->error, "%s", w->errmsg);
}
