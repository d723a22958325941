/* server/compress — zstd or gzip compression of an output stream, into a
 * growable buffer. */
#ifndef TRAWL_SERVER_COMPRESS_H
#define TRAWL_SERVER_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>
#include <zstd.h>

#include "server/session.h"
#include "server/util.h"

enum compress_mode {
    COMPRESS_CONTINUE, /* buffer as the compressor likes */
    COMPRESS_FLUSH,    /* everything so far decodable by the reader now */
    COMPRESS_END,      /* the end of the stream */
};

struct compressor {
    enum session_compression kind;
    ZSTD_CCtx *zc;
    z_stream gz;
    bool gz_ready;
    bool pending; /* input given since the last flush */
};

int compressor_init(struct compressor *c, enum session_compression kind,
                    char *err, size_t errlen);
/* Compresses in[0, n) and appends what comes out to out (which may not
 * grow past max bytes). */
int compressor_run(struct compressor *c, const uint8_t *in, size_t n,
                   enum compress_mode mode, struct util_bytes *out, size_t max,
                   char *err, size_t errlen);
void compressor_free(struct compressor *c);

#endif
