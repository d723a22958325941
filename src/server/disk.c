/* Disk captures: the session's queue into a writer on a file, a new file
 * when the current one would pass the split size or has run for the split
 * duration. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/captures.h"
#include "server/disk.h"
#include "server/storage.h"
#include "server/util.h"

/* Written records reach the file at least this often. */
#define FLUSH_MS 1000
#define BATCH_BYTES (1u << 20)

struct disk {
    struct srv *srv;
    struct session *s;
    struct settings_values set;
    trawl_writer *w;
    uint32_t ndeclared;
    char rel[STORAGE_PATH_MAX + 1];
    uint64_t file_ms;      /* when the current file was opened */
    uint64_t flushed_at;   /* writer bytes at the last flush */
    uint64_t closed_bytes; /* bytes of the files already closed */
    uint64_t file_packets; /* packets in the current file */
    char err[TRAWL_ERRBUF_SIZE];
};

static int open_file(struct disk *d) {
    struct session *s = d->s;
    const char *tmpl = s->spec.name_template && s->spec.name_template[0]
                           ? s->spec.name_template
                           : d->set.file_name_template;
    bool ng = s->spec.format == TRAWL_FORMAT_PCAPNG;
    int fd = storage_create(d->srv, s->spec.directory ? s->spec.directory : "",
                            tmpl, ng ? ".pcapng" : ".pcap", time(NULL), ng,
                            d->rel, sizeof d->rel, d->err, sizeof d->err);
    if (fd < 0)
        return fd;
    struct trawl_writer_options wo = {.format = s->spec.format,
                                      .flush_interval_ms = FLUSH_MS};
    int rc =
        trawl_writer_open_fd(&d->w, fd, d->rel, &wo, d->err, sizeof d->err);
    if (rc == 0) {
        d->ndeclared = 0;
        rc = captures_declare(d->srv, s, d->w, &d->ndeclared, d->err,
                              sizeof d->err);
    }
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&s->lock);
    if (!s->files)
        s->files = json_array();
    json_array_append_new(s->files, json_string(d->rel));
    pthread_mutex_unlock(&s->lock);
    catalog_file_add(d->srv->cat, d->rel, s->id, s->spec.user, NULL, 0);
    d->file_ms = util_mono_ms();
    d->file_packets = 0;
    d->flushed_at = trawl_writer_bytes(d->w);
    srv_log(d->srv, "capture %lld: writing %s", (long long)s->id, d->rel);
    return 0;
}

static int close_file(struct disk *d) {
    if (!d->w)
        return 0;
    uint64_t n = trawl_writer_bytes(d->w);
    int rc = trawl_writer_close(d->w, d->err, sizeof d->err);
    d->w = NULL;
    d->closed_bytes += n;
    return rc;
}

static uint64_t total_bytes(const struct disk *d) {
    return d->closed_bytes + (d->w ? trawl_writer_bytes(d->w) : 0);
}

/* Whether the next batch belongs in a new file. */
static bool should_split(const struct disk *d, uint64_t now_ms) {
    uint64_t size = trawl_writer_bytes(d->w);
    if (d->file_packets == 0)
        return false;
    if (d->set.split_size_bytes && size >= d->set.split_size_bytes)
        return true;
    return d->set.split_duration_s &&
           now_ms - d->file_ms >= d->set.split_duration_s * 1000u;
}

static void *disk_main(void *arg) {
    struct disk *d = arg;
    struct session *s = d->s;
    uint64_t last_out = total_bytes(d);
    for (;;) {
        uint64_t now = util_mono_ms();
        if (should_split(d, now) && (close_file(d) < 0 || open_file(d) < 0))
            break;
        /* A file is split before a packet that could take it past the
         * split size; only a file's first packet may (a packet larger than
         * the split size has to go somewhere). */
        size_t budget = BATCH_BYTES;
        if (d->set.split_size_bytes) {
            uint64_t have = trawl_writer_bytes(d->w);
            uint64_t left = d->set.split_size_bytes > have
                                ? d->set.split_size_bytes - have
                                : 0;
            if (left < budget)
                budget = (size_t)left;
        }
        int n = captures_drain(d->srv, s, d->w, &d->ndeclared, budget,
                               d->file_packets > 0, d->err, sizeof d->err);
        if (n == TRAWL_ERANGE) {
            d->err[0] = '\0';
            if (close_file(d) < 0 || open_file(d) < 0)
                break;
            continue;
        }
        if (n < 0)
            break;
        d->file_packets += (uint64_t)n;
        uint64_t out = total_bytes(d);
        session_add_output(s, out - last_out);
        last_out = out;
        if (n > 0)
            continue;
        /* Nothing queued: what was written goes to the file now rather
         * than at the next packet. */
        uint64_t have = trawl_writer_bytes(d->w);
        if (have != d->flushed_at) {
            if (trawl_writer_flush(d->w, d->err, sizeof d->err) < 0)
                break;
            d->flushed_at = have;
        }
        if (session_drained(s, now))
            break;
        session_wait(s, 200);
    }
    bool failed = d->err[0] != '\0';
    if (close_file(d) < 0)
        failed = true;
    if (failed) {
        session_end(s, SESSION_END_ERROR, d->err);
        srv_log(d->srv, "capture %lld: %s", (long long)s->id, d->err);
    }
    struct srv *srv = d->srv;
    free(d);
    captures_finish(srv, s);
    return NULL;
}

int disk_start(struct srv *srv, struct session *s, char *err, size_t errlen) {
    struct disk *d = calloc(1, sizeof *d);
    if (!d) {
        session_end(s, SESSION_END_ERROR, "out of memory");
        captures_finish(srv, s);
        return util_err(err, errlen, TRAWL_ENOMEM,
                        "disk capture: out of memory");
    }
    d->srv = srv;
    d->s = s;
    settings_get(&srv->settings, &d->set);
    int rc = open_file(d);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (rc == 0 && (rc = pthread_create(&t, &attr, disk_main, d)) != 0) {
        util_err(d->err, sizeof d->err, TRAWL_EIO,
                 "disk capture: cannot start a thread: %s", strerror(rc));
        rc = TRAWL_EIO;
    }
    pthread_attr_destroy(&attr);
    if (rc < 0) {
        util_err(err, errlen, rc, "%s", d->err);
        close_file(d);
        session_end(s, SESSION_END_ERROR, d->err);
        free(d);
        captures_finish(srv, s);
        return rc;
    }
    return 0;
}
