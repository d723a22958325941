/* A capture as an HTTP download.
 *
 * Bytes flow: session queue → stream writer (pcap/pcapng records) →
 * [compressor →] MHD's buffer. The writer is flushed at the end of every
 * batch, and a batch is sized to what MHD's buffer can take, so records
 * usually go from the writer straight into MHD's buffer; what does not fit
 * (a header, a record larger than the room, compressed output) waits in a
 * small staging buffer and goes first next time. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/captures.h"
#include "server/compress.h"
#include "server/download.h"
#include "server/util.h"

/* MHD's buffer for a response whose length is unknown. */
#define BLOCK_SIZE (256u << 10)
/* Staging never holds more than this; a stream that needs more has gone
 * wrong. */
#define STAGE_MAX (16u << 20)
/* How long the reader waits for packets before looking at the socket and
 * the clock again. */
#define WAIT_MS 200

struct download {
    struct srv *srv;
    struct session *s;
    trawl_writer *w;
    uint32_t ndeclared;
    int sock;
    /* MHD's buffer during a read. */
    uint8_t *dst;
    size_t dst_cap, dst_len;
    struct util_bytes stage;
    struct compressor comp;
    bool closed; /* the writer is closed and every byte is staged or sent */
    char err[TRAWL_ERRBUF_SIZE];
};

const char *download_content_type(const struct session_spec *spec) {
    switch (spec->compression) {
    case COMPRESS_GZIP: return "application/gzip";
    case COMPRESS_ZSTD: return "application/zstd";
    case COMPRESS_NONE: break;
    }
    return spec->format == TRAWL_FORMAT_PCAPNG ? "application/x-pcapng"
                                               : "application/vnd.tcpdump.pcap";
}

const char *download_extension(const struct session_spec *spec) {
    bool ng = spec->format == TRAWL_FORMAT_PCAPNG;
    switch (spec->compression) {
    case COMPRESS_GZIP: return ng ? ".pcapng.gz" : ".pcap.gz";
    case COMPRESS_ZSTD: return ng ? ".pcapng.zst" : ".pcap.zst";
    case COMPRESS_NONE: break;
    }
    return ng ? ".pcapng" : ".pcap";
}

/* Stage → MHD's buffer. */
static void drain(struct download *d) {
    if (!d->dst)
        return;
    size_t n = d->stage.len - d->stage.pos;
    if (n > d->dst_cap - d->dst_len)
        n = d->dst_cap - d->dst_len;
    memcpy(d->dst + d->dst_len, d->stage.p + d->stage.pos, n);
    d->dst_len += n;
    d->stage.pos += n;
}

/* The writer's sink: whole records, straight into MHD's buffer when
 * nothing is staged before them and they fit. */
static int on_records(void *ctx, const uint8_t *buf, size_t len, char *err,
                      size_t errlen) {
    struct download *d = ctx;
    if (d->comp.kind != COMPRESS_NONE)
        return compressor_run(&d->comp, buf, len, COMPRESS_CONTINUE, &d->stage,
                              STAGE_MAX, err, errlen);
    if (d->dst && d->stage.pos == d->stage.len &&
        d->dst_cap - d->dst_len >= len) {
        memcpy(d->dst + d->dst_len, buf, len);
        d->dst_len += len;
        return 0;
    }
    if (!util_bytes_append(&d->stage, buf, len, STAGE_MAX))
        return util_err(err, errlen, TRAWL_ENOMEM,
                        "download staging buffer full");
    return 0;
}

static bool client_gone(const struct download *d) {
    if (d->sock < 0)
        return false;
    struct pollfd p = {.fd = d->sock, .events = POLLRDHUP};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* The end of the stream: the writer's trailer, the compressor's end. */
static int finish(struct download *d) {
    int rc = trawl_writer_close(d->w, d->err, sizeof d->err);
    d->w = NULL;
    if (rc == 0 && d->comp.kind != COMPRESS_NONE)
        rc = compressor_run(&d->comp, NULL, 0, COMPRESS_END, &d->stage,
                            STAGE_MAX, d->err, sizeof d->err);
    d->closed = true;
    return rc;
}

static ssize_t fail(struct download *d) {
    session_end(d->s, SESSION_END_ERROR, d->err);
    srv_log(d->srv, "capture %lld: %s", (long long)d->s->id, d->err);
    d->dst = NULL;
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* Uncompressed, with nothing staged: records are built straight into
 * MHD's buffer (trawl_writer_put) rather than in the writer's and copied.
 * Returns the packets written, or a negative code. */
static int fill_direct(struct download *d) {
    struct session *s = d->s;
    struct trawl_pkt pkt;
    size_t size;
    int n = 0;
    while (d->stage.pos == d->stage.len &&
           (size = queue_peek(&s->q, &pkt)) != 0) {
        /* A new interface's description goes through the writer's buffer
         * (and into MHD's, or the stage when it does not fit). */
        int rc = captures_map(d->srv, s, captures_to_writer, d->w,
                              &d->ndeclared, &pkt, d->err, sizeof d->err);
        if (rc == 0)
            rc = trawl_writer_flush(d->w, d->err, sizeof d->err);
        if (rc < 0)
            return rc;
        if (d->stage.pos != d->stage.len)
            break;
        long k = trawl_writer_put(d->w, &pkt, d->dst + d->dst_len,
                                  d->dst_cap - d->dst_len, d->err,
                                  sizeof d->err);
        if (k == 0 && d->dst_len == 0) {
            /* A record larger than all of MHD's buffer goes through the
             * stage, a piece at a time. */
            k = trawl_writer_write(d->w, &pkt, d->err, sizeof d->err);
            if (k == 0)
                k = trawl_writer_flush(d->w, d->err, sizeof d->err);
            queue_pop(&s->q, size);
            if (k < 0 && !captures_refused((int)k))
                return (int)k;
            return n + 1;
        }
        if (k == 0)
            break; /* MHD's buffer is full */
        queue_pop(&s->q, size);
        if (k > 0)
            d->dst_len += (size_t)k;
        else if (captures_refused((int)k))
            session_add_refused(s);
        else
            return (int)k;
        n++;
    }
    return n;
}

static ssize_t on_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    struct download *d = cls;
    struct session *s = d->s;
    d->dst = (uint8_t *)buf;
    d->dst_cap = max;
    d->dst_len = 0;
    for (;;) {
        drain(d);
        if (d->dst_len == d->dst_cap)
            break;
        if (d->closed) {
            if (d->dst_len)
                break;
            d->dst = NULL;
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        int n;
        if (d->comp.kind == COMPRESS_NONE) {
            n = fill_direct(d);
            if (n < 0)
                return fail(d);
        } else {
            /* Compressed output is of unknown size, so a batch is sized by
             * what the compressor is given. */
            n = captures_drain(d->srv, s, d->w, &d->ndeclared, max, d->err,
                               sizeof d->err);
            if (n < 0 ||
                (n > 0 && trawl_writer_flush(d->w, d->err, sizeof d->err) < 0))
                return fail(d);
        }
        if (n > 0)
            continue;
        /* The queue is empty: what the compressor holds goes out now. */
        if (d->comp.pending) {
            if (compressor_run(&d->comp, NULL, 0, COMPRESS_FLUSH, &d->stage,
                               STAGE_MAX, d->err, sizeof d->err) < 0)
                return fail(d);
            continue;
        }
        if (d->dst_len)
            break;
        if (session_drained(s, util_mono_ms())) {
            if (finish(d) < 0)
                return fail(d);
            continue;
        }
        if (client_gone(d)) {
            session_end(s, SESSION_END_CLIENT, NULL);
            d->dst = NULL;
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        session_wait(s, WAIT_MS);
    }
    session_add_output(s, d->dst_len);
    d->dst = NULL;
    return (ssize_t)d->dst_len;
}

static void download_free(struct download *d) {
    if (d->w) {
        d->dst = NULL;
        trawl_writer_close(d->w, NULL, 0);
    }
    compressor_free(&d->comp);
    util_bytes_free(&d->stage);
    free(d);
}

/* MHD is done with the response: the stream ended, or the client went
 * away while it was being sent. */
static void on_free(void *cls) {
    struct download *d = cls;
    if (!d->closed)
        session_end(d->s, SESSION_END_CLIENT, NULL);
    struct srv *srv = d->srv;
    struct session *s = d->s;
    download_free(d);
    captures_finish(srv, s);
}

struct MHD_Response *download_response(struct srv *srv, struct session *s,
                                       struct MHD_Connection *conn, char *err,
                                       size_t errlen) {
    struct download *d = calloc(1, sizeof *d);
    if (!d) {
        util_err(err, errlen, TRAWL_ENOMEM, "download: out of memory");
        session_end(s, SESSION_END_ERROR, "out of memory");
        captures_finish(srv, s);
        return NULL;
    }
    d->srv = srv;
    d->s = s;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    d->sock = ci ? ci->connect_fd : -1;
    char name[64];
    snprintf(name, sizeof name, "capture %lld", (long long)s->id);
    struct trawl_writer_options wo = {.format = s->spec.format};
    int rc = compressor_init(&d->comp, s->spec.compression, err, errlen);
    if (rc == 0)
        rc = trawl_writer_open_stream(&d->w, on_records, d, name, &wo, err,
                                      errlen);
    if (rc == 0)
        rc = captures_declare(srv, s, captures_to_writer, d->w,
                              &d->ndeclared, err, errlen);
    if (rc == 0)
        rc = trawl_writer_flush(d->w, err, errlen);
    struct MHD_Response *resp =
        rc < 0 ? NULL
               : MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK_SIZE,
                                                   on_read, d, on_free);
    if (!resp) {
        if (rc == 0)
            util_err(err, errlen, TRAWL_ENOMEM, "download: out of memory");
        session_end(s, SESSION_END_ERROR, err);
        download_free(d);
        captures_finish(srv, s);
        return NULL;
    }
    char disp[512], id[32];
    const char *fname = s->spec.file_name;
    char dflt[96];
    if (!fname || !fname[0]) {
        time_t now = time(NULL);
        struct tm tm;
        char stamp[32];
        localtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        snprintf(dflt, sizeof dflt, "trawl-%s%s", stamp,
                 download_extension(&s->spec));
        fname = dflt;
    }
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", fname);
    snprintf(id, sizeof id, "%lld", (long long)s->id);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            download_content_type(&s->spec));
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
    MHD_add_response_header(resp, "X-Trawl-Capture-Id", id);
    /* A download may be quiet for a long time (a filter nothing matches
     * yet); the idle timeout is for idle keep-alive connections. */
    MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 0);
    return resp;
}
