/* The byte source under the reader: one window over a file or standard
 * input, decompressing gzip and zstd on the fly. Compression is recognised
 * by its magic bytes, not by the file name. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/format.h"

enum {
    FSRC_CHUNK = 1u << 20, /* bytes asked of read() at a time */
    FSRC_INITIAL = 4u << 20,
    /* Bytes of a plain file read at a time: few enough that the decoders
     * find them still in the CPU's cache (a core's L2 is 0.5 to 2 MiB)
     * after the kernel copied them, rather than in memory; enough that
     * the reads themselves cost little (at 256 KiB, copying a 4 GB trace
     * to /dev/null spent 0.40-0.48 s in the kernel against 0.31-0.35 s
     * at 1 MiB and 0.26-0.33 s at 4 MiB). */
    FSRC_PLAIN_READ = 1u << 20,
};

static ssize_t read_fd(int fd, uint8_t *p, size_t n) {
    for (;;) {
        ssize_t r = read(fd, p, n);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

static ssize_t pread_fd(int fd, uint8_t *p, size_t n, uint64_t off) {
    for (;;) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

/* Read-ahead of a plain regular file: while the decoders parse the window
 * up to `end`, a second thread reads the next bytes of the file into the
 * window's free room after `end` (bytes nobody looks at until the read is
 * taken), so the kernel's copy overlaps the parsing. Reads are positioned
 * (pread) at base + end, so a read-ahead that is dropped (seek, slide,
 * retry) leaves nothing to undo. One job at a time; the main thread waits
 * on a condition variable, never spins. */
struct fsrc_ra {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int fd;
    bool busy, quit, have; /* a job runs / stop / a result waits */
    uint8_t *dst;
    size_t len;
    uint64_t off;
    ssize_t got;
    int err; /* errno of a failed read */
};

static void *ra_main(void *arg) {
    struct fsrc_ra *ra = arg;
    pthread_mutex_lock(&ra->mu);
    for (;;) {
        while (!ra->busy && !ra->quit)
            pthread_cond_wait(&ra->cv, &ra->mu);
        if (ra->quit)
            break;
        uint8_t *dst = ra->dst;
        size_t len = ra->len;
        uint64_t off = ra->off;
        pthread_mutex_unlock(&ra->mu);
        ssize_t got = pread_fd(ra->fd, dst, len, off);
        int e = got < 0 ? errno : 0;
        pthread_mutex_lock(&ra->mu);
        ra->got = got;
        ra->err = e;
        ra->busy = false;
        ra->have = true;
        pthread_cond_broadcast(&ra->cv);
    }
    pthread_mutex_unlock(&ra->mu);
    return NULL;
}

/* Waits for the job in flight, if any; leaves its result in ra. */
static void ra_wait(struct fsrc_ra *ra) {
    pthread_mutex_lock(&ra->mu);
    while (ra->busy)
        pthread_cond_wait(&ra->cv, &ra->mu);
    pthread_mutex_unlock(&ra->mu);
}

/* Drops any read-ahead: after it the window may be moved or rewritten. */
static void ra_drop(struct fsrc *s) {
    if (!s->ra)
        return;
    ra_wait(s->ra);
    s->ra->have = false;
}

/* Off unless TRAWL_READAHEAD=1: measured on the 2-core machine it did
 * not win wall time (the bytes land in the other core's cache, and the
 * parser's misses cost about what the overlapped copy saved; see the
 * commit that made it opt-in). TRAWL_NO_READAHEAD=1 forces it off. */
static void ra_start(struct fsrc *s) {
    const char *on = getenv("TRAWL_READAHEAD");
    const char *off = getenv("TRAWL_NO_READAHEAD");
    if (!on || strcmp(on, "1") != 0 || (off && *off && strcmp(off, "0") != 0))
        return;
    struct fsrc_ra *ra = calloc(1, sizeof *ra);
    if (!ra)
        return;
    ra->fd = s->fd;
    if (pthread_mutex_init(&ra->mu, NULL) != 0) {
        free(ra);
        return;
    }
    if (pthread_cond_init(&ra->cv, NULL) != 0) {
        pthread_mutex_destroy(&ra->mu);
        free(ra);
        return;
    }
    if (pthread_create(&ra->thread, NULL, ra_main, ra) != 0) {
        /* No thread: today's synchronous reads. */
        pthread_cond_destroy(&ra->cv);
        pthread_mutex_destroy(&ra->mu);
        free(ra);
        return;
    }
    s->ra = ra;
}

static void ra_stop(struct fsrc *s) {
    struct fsrc_ra *ra = s->ra;
    if (!ra)
        return;
    pthread_mutex_lock(&ra->mu);
    ra->quit = true;
    pthread_cond_broadcast(&ra->cv);
    pthread_mutex_unlock(&ra->mu);
    pthread_join(ra->thread, NULL);
    pthread_cond_destroy(&ra->cv);
    pthread_mutex_destroy(&ra->mu);
    free(ra);
    s->ra = NULL;
}

/* Asks the thread for the next bytes after the window's end, when the
 * window has a full read's room left. */
static void ra_kick(struct fsrc *s) {
    struct fsrc_ra *ra = s->ra;
    if (!ra || s->eof || s->cap - s->end < FSRC_PLAIN_READ)
        return;
    pthread_mutex_lock(&ra->mu);
    ra->dst = s->buf + s->end;
    ra->len = FSRC_PLAIN_READ;
    ra->off = s->base + s->end;
    ra->have = false;
    ra->busy = true;
    pthread_cond_broadcast(&ra->cv);
    pthread_mutex_unlock(&ra->mu);
}

/* Fills the compressed-input buffer when it is empty. */
static int zin_fill(struct fsrc *s, char *err, size_t errlen) {
    if (s->zin_pos < s->zin_end || s->zin_eof)
        return 0;
    ssize_t r = read_fd(s->fd, s->zin, FSRC_CHUNK);
    if (r < 0)
        return core_err(err, errlen, TRAWL_EIO, "%s: read failed: %s",
                        s->path, strerror(errno));
    s->zin_pos = 0;
    s->zin_end = (size_t)r;
    s->raw_done += (uint64_t)r;
    if (r == 0)
        s->zin_eof = true;
    return 0;
}

static int codec_init(struct fsrc *s, char *err, size_t errlen) {
    if (s->kind == FSRC_GZIP) {
        memset(&s->gz, 0, sizeof s->gz);
        /* 15 + 32: zlib or gzip header, detected automatically. */
        if (inflateInit2(&s->gz, 15 + 32) != Z_OK)
            return core_err(err, errlen, TRAWL_ENOMEM,
                            "%s: cannot start gzip decompression", s->path);
    } else if (s->kind == FSRC_ZSTD) {
        s->zs = ZSTD_createDStream();
        if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs)))
            return core_err(err, errlen, TRAWL_ENOMEM,
                            "%s: cannot start zstd decompression", s->path);
    }
    return 0;
}

static void codec_end(struct fsrc *s) {
    if (s->kind == FSRC_GZIP)
        inflateEnd(&s->gz);
    else if (s->kind == FSRC_ZSTD && s->zs) {
        ZSTD_freeDStream(s->zs);
        s->zs = NULL;
    }
}

int fsrc_open(struct fsrc *s, const char *path, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    s->path = path;
    s->fd = -1;
    if (strcmp(path, "-") == 0) {
        s->fd = dup(STDIN_FILENO);
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (s->fd < 0)
        return core_err(err, errlen,
                        errno == ENOENT ? TRAWL_ENOENT : TRAWL_EIO,
                        "%s: cannot open: %s", path, strerror(errno));
    /* A small file gets a small window: a reader is cheap to open. */
    struct stat st;
    s->cap = FSRC_INITIAL;
    if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size + 4096 < s->cap)
        s->cap = (size_t)st.st_size + 4096;
    s->buf = malloc(s->cap);
    if (!s->buf) {
        fsrc_close(s);
        return core_err(err, errlen, TRAWL_ENOMEM, "%s: out of memory", path);
    }
    /* Read the first bytes into the window and sniff them for a
     * compression magic; compressed data then moves to its own buffer. */
    ssize_t n = read_fd(s->fd, s->buf, s->cap < FSRC_CHUNK ? s->cap : FSRC_CHUNK);
    if (n < 0) {
        int e = errno;
        fsrc_close(s);
        return core_err(err, errlen, TRAWL_EIO, "%s: read failed: %s", path,
                        strerror(e));
    }
    s->raw_done = (uint64_t)n;
    const uint8_t *m = s->buf;
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        s->kind = FSRC_GZIP;
    else if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f &&
             m[3] == 0xfd)
        s->kind = FSRC_ZSTD;
    else
        s->kind = FSRC_PLAIN;
    if (s->kind == FSRC_PLAIN) {
        s->end = (size_t)n;
        s->eof = n == 0;
        /* Big regular files only: a small one is read in one go. */
        if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > s->cap)
            ra_start(s);
        return 0;
    }
    /* Decompressed data can be much larger than the file: full window. */
    uint8_t *nb = realloc(s->buf, FSRC_INITIAL);
    s->zin = malloc(FSRC_CHUNK);
    if (nb)
        s->buf = nb;
    if (!nb || !s->zin) {
        fsrc_close(s);
        return core_err(err, errlen, TRAWL_ENOMEM, "%s: out of memory", path);
    }
    s->cap = FSRC_INITIAL;
    memcpy(s->zin, s->buf, (size_t)n);
    s->zin_end = (size_t)n;
    int rc = codec_init(s, err, errlen);
    if (rc < 0) {
        fsrc_close(s);
        return rc;
    }
    return 0;
}

void fsrc_close(struct fsrc *s) {
    ra_stop(s);
    codec_end(s);
    if (s->fd >= 0)
        close(s->fd);
    free(s->buf);
    free(s->zin);
    s->buf = s->zin = NULL;
    s->fd = -1;
}

/* Appends decompressed or plain bytes to the window; returns bytes added,
 * 0 at the end of data, or a negative error. */
static long fill(struct fsrc *s, char *err, size_t errlen) {
    size_t room = s->cap - s->end;
    if (s->kind == FSRC_PLAIN) {
        if (room > FSRC_PLAIN_READ)
            room = FSRC_PLAIN_READ;
        ssize_t r;
        struct fsrc_ra *ra = s->ra;
        if (ra) {
            ra_wait(ra);
            if (ra->have && ra->off == s->base + s->end &&
                ra->dst == s->buf + s->end && ra->len <= room) {
                r = ra->got;
                errno = ra->err;
            } else {
                r = pread_fd(s->fd, s->buf + s->end, room,
                             s->base + s->end);
            }
            ra->have = false;
        } else {
            r = read_fd(s->fd, s->buf + s->end, room);
        }
        if (r < 0)
            return core_err(err, errlen, TRAWL_EIO,
                            "%s: read failed at offset %llu: %s", s->path,
                            (unsigned long long)(s->base + s->end),
                            strerror(errno));
        s->raw_done += (uint64_t)r;
        s->end += (size_t)r;
        if (r == 0)
            s->eof = true;
        ra_kick(s);
        return r;
    }
    for (;;) {
        if (s->z_done && s->zin_pos == s->zin_end && s->zin_eof)
            break;
        int rc = zin_fill(s, err, errlen);
        if (rc < 0)
            return rc;
        if (s->zin_pos == s->zin_end && s->zin_eof) {
            if (!s->z_done)
                return core_err(err, errlen, TRAWL_ETRUNC,
                                "%s: compressed stream ends early (after "
                                "%llu uncompressed bytes)",
                                s->path,
                                (unsigned long long)(s->base + s->end));
            break;
        }
        size_t produced;
        if (s->kind == FSRC_GZIP) {
            if (s->z_done) {
                /* Another gzip member follows (concatenated files). */
                inflateReset(&s->gz);
                s->z_done = false;
            }
            s->gz.next_in = s->zin + s->zin_pos;
            s->gz.avail_in = (uInt)(s->zin_end - s->zin_pos);
            s->gz.next_out = s->buf + s->end;
            s->gz.avail_out = (uInt)room;
            int zr = inflate(&s->gz, Z_NO_FLUSH);
            s->zin_pos = s->zin_end - s->gz.avail_in;
            produced = room - s->gz.avail_out;
            if (zr == Z_STREAM_END)
                s->z_done = true;
            else if (zr != Z_OK && zr != Z_BUF_ERROR)
                return core_err(err, errlen, TRAWL_EFORMAT,
                                "%s: gzip data is corrupt near uncompressed "
                                "offset %llu: %s",
                                s->path,
                                (unsigned long long)(s->base + s->end),
                                s->gz.msg ? s->gz.msg : "inflate failed");
        } else {
            ZSTD_inBuffer in = {s->zin, s->zin_end, s->zin_pos};
            ZSTD_outBuffer out = {s->buf + s->end, room, 0};
            size_t zr = ZSTD_decompressStream(s->zs, &out, &in);
            if (ZSTD_isError(zr))
                return core_err(err, errlen, TRAWL_EFORMAT,
                                "%s: zstd data is corrupt near uncompressed "
                                "offset %llu: %s",
                                s->path,
                                (unsigned long long)(s->base + s->end),
                                ZSTD_getErrorName(zr));
            s->zin_pos = in.pos;
            produced = out.pos;
            s->z_done = zr == 0;
        }
        s->end += produced;
        if (produced)
            return (long)produced;
    }
    s->eof = true;
    return 0;
}

long fsrc_peek(struct fsrc *s, size_t want, const uint8_t **p, char *err,
               size_t errlen) {
    while (s->end - s->pos < want) {
        if (s->eof)
            break;
        if (s->cap - s->pos < want || s->cap - s->end < FSRC_CHUNK / 4) {
            /* Slide the unread bytes to the front; grow only when one
             * record needs more than the window holds (bounded by the
             * caller's `want`, which never exceeds FORMAT_MAX_BLOCK). */
            size_t unread = s->end - s->pos;
            ra_drop(s);
            memmove(s->buf, s->buf + s->pos, unread);
            s->base += s->pos;
            s->pos = 0;
            s->end = unread;
            if (s->cap < want) {
                uint8_t *nb = realloc(s->buf, want + FSRC_CHUNK);
                if (!nb)
                    return core_err(err, errlen, TRAWL_ENOMEM,
                                    "%s: out of memory", s->path);
                s->buf = nb;
                s->cap = want + FSRC_CHUNK;
            }
        }
        long r = fill(s, err, errlen);
        if (r < 0)
            return r;
    }
    *p = s->buf + s->pos;
    size_t have = s->end - s->pos;
    return (long)(have < want ? have : want);
}

int fsrc_seek(struct fsrc *s, uint64_t off, char *err, size_t errlen) {
    if (off >= s->base && off <= s->base + s->end) {
        s->pos = (size_t)(off - s->base);
        return 0;
    }
    if (s->kind == FSRC_PLAIN) {
        ra_drop(s);
        if (lseek(s->fd, (off_t)off, SEEK_SET) < 0)
            return core_err(err, errlen, TRAWL_EIO,
                            "%s: cannot seek to offset %llu: %s", s->path,
                            (unsigned long long)off, strerror(errno));
        s->base = off;
        s->pos = s->end = 0;
        s->eof = false;
        return 0;
    }
    /* Compressed: start over and decompress up to the offset. */
    if (off < s->base) {
        if (lseek(s->fd, 0, SEEK_SET) < 0)
            return core_err(err, errlen, TRAWL_EIO,
                            "%s: cannot rewind compressed input: %s",
                            s->path, strerror(errno));
        codec_end(s);
        int rc = codec_init(s, err, errlen);
        if (rc < 0)
            return rc;
        s->base = 0;
        s->pos = s->end = 0;
        s->zin_pos = s->zin_end = 0;
        s->zin_eof = s->z_done = s->eof = false;
        s->raw_done = 0;
    }
    while (s->base + s->end < off) {
        s->base += s->end;
        s->pos = s->end = 0;
        long r = fill(s, err, errlen);
        if (r < 0)
            return r;
        if (r == 0)
            return core_err(err, errlen, TRAWL_ERANGE,
                            "%s: offset %llu is past the end", s->path,
                            (unsigned long long)off);
    }
    s->pos = (size_t)(off - s->base);
    return 0;
}

void fsrc_reread(struct fsrc *s) {
    if (s->kind != FSRC_PLAIN)
        return;
    if (lseek(s->fd, (off_t)(s->base + s->pos), SEEK_SET) < 0)
        return; /* a pipe: keep what we have */
    ra_drop(s);
    s->end = s->pos;
    s->eof = false;
}

void fsrc_retry(struct fsrc *s) {
    ra_drop(s);
    s->eof = false;
    s->zin_eof = false;
}
