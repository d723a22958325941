/* Disk captures: the session's queue into a rotating output
 * (include/trawl/output.h) confined to the storage directory, which starts
 * a new file before one would pass the split size or when one has spanned
 * the split duration, names files by the template (an index before the
 * extension when a name is taken), and leaves files whole after kill -9. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/captures.h"
#include "server/disk.h"
#include "server/storage.h"
#include "server/util.h"

/* Written packets reach the file at least this often. */
#define FLUSH_MS 1000
/* Packets written between two looks at the clock and the session. */
#define BATCH 4096
/* A disk capture does not start with less free space than this. */
#define DISK_MIN_FREE (256u << 10)

struct disk {
    struct srv *srv;
    struct session *s;
    trawl_output *o;
    uint32_t ndeclared;
    char err[TRAWL_ERRBUF_SIZE];
};

/* The output made a new file: the capture's record and the catalog learn
 * its name, relative to the storage directory. */
static void on_open(void *ctx, const struct trawl_output_file *f) {
    struct disk *d = ctx;
    struct session *s = d->s;
    pthread_mutex_lock(&s->lock);
    if (!s->files)
        s->files = json_array();
    json_array_append_new(s->files, json_string(f->name));
    pthread_mutex_unlock(&s->lock);
    catalog_file_add(d->srv->cat, f->name, s->id, s->spec.user, NULL, 0);
    srv_log(d->srv, "capture %lld: writing %s", (long long)s->id, f->name);
}

static uint64_t output_bytes(const struct disk *d) {
    struct trawl_output_stats st;
    trawl_output_get_stats(d->o, &st);
    return st.bytes;
}

static void *disk_main(void *arg) {
    struct disk *d = arg;
    struct session *s = d->s;
    uint64_t last_out = 0;
    for (;;) {
        struct trawl_pkt pkt;
        size_t size;
        int n = 0, rc = 0;
        while (n < BATCH && (size = queue_peek(&s->q, &pkt)) != 0) {
            rc = captures_map(d->srv, s, captures_to_output, d->o,
                              &d->ndeclared, &pkt, d->err, sizeof d->err);
            if (rc == 0)
                rc = trawl_output_write(d->o, &pkt, d->err, sizeof d->err);
            queue_pop(&s->q, size);
            if (captures_refused(rc)) {
                session_add_refused(s);
                rc = 0;
            }
            if (rc < 0)
                break;
            n++;
        }
        if (rc < 0)
            break;
        uint64_t out = output_bytes(d);
        session_add_output(s, out - last_out);
        last_out = out;
        if (n > 0)
            continue;
        /* Nothing queued: what was written goes to the file now (and a
         * file whose period ended by the clock is closed). */
        if (trawl_output_tick(d->o, d->err, sizeof d->err) < 0)
            break;
        if (session_drained(s, util_mono_ms()))
            break;
        session_wait(s, 200);
    }
    bool failed = d->err[0] != '\0';
    char cerr[TRAWL_ERRBUF_SIZE];
    if (trawl_output_close(d->o, cerr, sizeof cerr) < 0 && !failed) {
        snprintf(d->err, sizeof d->err, "%s", cerr);
        failed = true;
    }
    if (failed) {
        session_end(s, SESSION_END_ERROR, d->err);
        srv_log(d->srv, "capture %lld: %s", (long long)s->id, d->err);
    }
    struct srv *srv = d->srv;
    free(d);
    captures_finish(srv, s);
    return NULL;
}

/* Opens the output: the session's directory (created) and template under
 * the storage directory, the settings' split size and duration. */
static int open_output(struct disk *d) {
    struct session *s = d->s;
    struct settings_values set;
    settings_get(&d->srv->settings, &set);
    const char *dir = s->spec.directory ? s->spec.directory : "";
    const char *tmpl = s->spec.name_template && s->spec.name_template[0]
                           ? s->spec.name_template
                           : set.file_name_template;
    int rc = storage_mkdirs(d->srv, dir, d->err, sizeof d->err);
    /* Files are created at their first packet (their names hold its
     * time), so a directory they cannot be made in, or a full disk, is
     * looked for now: the request that starts the capture is answered
     * with it, rather than the capture ending at its first packet. */
    if (rc == 0)
        rc = storage_check_writable(d->srv, dir, DISK_MIN_FREE, d->err,
                                    sizeof d->err);
    if (rc < 0)
        return rc;
    char path[STORAGE_PATH_MAX + 300];
    snprintf(path, sizeof path, "%s%s%s%s", dir, dir[0] ? "/" : "", tmpl,
             s->spec.format == TRAWL_FORMAT_PCAPNG ? ".pcapng" : ".pcap");
    struct trawl_output_options opt = {
        .path = path,
        .directory = d->srv->store_dir,
        .format = s->spec.format,
        .split_bytes = set.split_size_bytes,
        .split_seconds = set.split_duration_s,
        .single_interface = s->spec.single_iface,
        .flush_interval_ms = FLUSH_MS,
        .on_open = on_open,
        .ctx = d,
    };
    rc = trawl_output_open(&d->o, &opt, d->err, sizeof d->err);
    if (rc == 0)
        rc = captures_declare(d->srv, s, captures_to_output, d->o,
                              &d->ndeclared, d->err, sizeof d->err);
    return rc;
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
    int rc = open_output(d);
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
        if (d->o)
            trawl_output_close(d->o, NULL, 0);
        session_end(s, SESSION_END_ERROR, d->err);
        free(d);
        captures_finish(srv, s);
        return rc;
    }
    return 0;
}
