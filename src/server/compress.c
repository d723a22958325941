/* Stream compression for downloads: zstd at level 1 and gzip at level 1,
 * the fastest settings, because a capture that cannot keep up drops
 * packets, and a packet trace shrinks well even so. */
#include <string.h>

#include "server/compress.h"

int compressor_init(struct compressor *c, enum session_compression kind,
                    char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    c->kind = kind;
    if (kind == COMPRESS_ZSTD) {
        c->zc = ZSTD_createCCtx();
        if (!c->zc || ZSTD_isError(ZSTD_CCtx_setParameter(
                          c->zc, ZSTD_c_compressionLevel, 1)))
            return util_err(err, errlen, TRAWL_ENOMEM,
                            "zstd: cannot set up a compressor");
    } else if (kind == COMPRESS_GZIP) {
        /* 15 + 16: a gzip header and trailer rather than zlib's. */
        if (deflateInit2(&c->gz, 1, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK)
            return util_err(err, errlen, TRAWL_ENOMEM,
                            "gzip: cannot set up a compressor");
        c->gz_ready = true;
    }
    return 0;
}

static int run_zstd(struct compressor *c, const uint8_t *in, size_t n,
                    enum compress_mode mode, struct util_bytes *out, size_t max,
                    char *err, size_t errlen) {
    ZSTD_EndDirective end = mode == COMPRESS_END     ? ZSTD_e_end
                            : mode == COMPRESS_FLUSH ? ZSTD_e_flush
                                                     : ZSTD_e_continue;
    ZSTD_inBuffer ib = {in, n, 0};
    for (;;) {
        size_t room = ZSTD_CStreamOutSize();
        if (!util_bytes_reserve(out, room, max))
            return util_err(err, errlen, TRAWL_ENOMEM,
                            "zstd: output buffer full");
        ZSTD_outBuffer ob = {out->p + out->len, room, 0};
        size_t left = ZSTD_compressStream2(c->zc, &ob, &ib, end);
        if (ZSTD_isError(left))
            return util_err(err, errlen, TRAWL_EIO, "zstd: %s",
                            ZSTD_getErrorName(left));
        out->len += ob.pos;
        if (ib.pos == ib.size && (end == ZSTD_e_continue || left == 0))
            return 0;
    }
}

static int run_gzip(struct compressor *c, const uint8_t *in, size_t n,
                    enum compress_mode mode, struct util_bytes *out, size_t max,
                    char *err, size_t errlen) {
    int flush = mode == COMPRESS_END     ? Z_FINISH
                : mode == COMPRESS_FLUSH ? Z_SYNC_FLUSH
                                         : Z_NO_FLUSH;
    c->gz.next_in = (Bytef *)(uintptr_t)in;
    c->gz.avail_in = (uInt)n;
    for (;;) {
        size_t room = 64 * 1024;
        if (!util_bytes_reserve(out, room, max))
            return util_err(err, errlen, TRAWL_ENOMEM,
                            "gzip: output buffer full");
        c->gz.next_out = out->p + out->len;
        c->gz.avail_out = (uInt)room;
        int rc = deflate(&c->gz, flush);
        out->len += room - c->gz.avail_out;
        if (rc == Z_STREAM_ERROR)
            return util_err(err, errlen, TRAWL_EIO, "gzip: stream error");
        if (rc == Z_STREAM_END)
            return 0;
        /* Done when the input is in and deflate did not fill the output
         * (so nothing it owes is left for this flush mode). */
        if (c->gz.avail_in == 0 && c->gz.avail_out != 0 && flush != Z_FINISH)
            return 0;
    }
}

int compressor_run(struct compressor *c, const uint8_t *in, size_t n,
                   enum compress_mode mode, struct util_bytes *out, size_t max,
                   char *err, size_t errlen) {
    int rc = c->kind == COMPRESS_ZSTD
                 ? run_zstd(c, in, n, mode, out, max, err, errlen)
                 : run_gzip(c, in, n, mode, out, max, err, errlen);
    c->pending = mode == COMPRESS_CONTINUE && (c->pending || n > 0);
    return rc;
}

void compressor_free(struct compressor *c) {
    if (c->zc)
        ZSTD_freeCCtx(c->zc);
    if (c->gz_ready)
        deflateEnd(&c->gz);
    memset(c, 0, sizeof *c);
}
