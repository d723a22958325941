/* The output object (include/trawl/output.h): one trawl_writer per file,
 * the decisions of split.c, the names of name.c created through dir.c,
 * the ring of ring.c, and, in asynchronous mode, one writer pool shared by
 * every file, whose thread also closes and removes files.
 *
 * A file's record (struct out_file) lives from its creation until its
 * close has been reported and it has left the ring (removed, or the
 * output closed). Reports of what the pool's thread finished (a file
 * closed, a file removed) are queued as events and delivered to the
 * callbacks in the caller's thread, at its next call. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "format/writer_int.h"
#include "format/writer_pool.h"
#include "sink/dir.h"
#include "sink/name.h"
#include "sink/ring.h"
#include "sink/split.h"
#include "trawl/output.h"

#define DEFAULT_FLUSH_MS 500
/* Names tried for one template expansion before giving up. */
#define MAX_INDEX 100000

struct out_iface {
    struct trawl_iface ifc; /* strings point at the copies below */
    char *name, *description, *filter, *os;
    bool has_stats;
    struct trawl_iface_stats stats;
};

enum out_event_kind { EV_CLOSED, EV_REMOVED };

struct out_event {
    struct out_event *next;
    enum out_event_kind kind;
    struct out_file *file;
};

struct out_file {
    struct trawl_output *o;
    char *name; /* relative to the directory; owned */
    char *path; /* the directory joined with it; owned */
    uint64_t seq, packets, bytes;
    int64_t first_sec, last_sec;
    uint32_t first_nsec, last_nsec;
    enum trawl_output_reason reason;
    int error;
    char message[TRAWL_ERRBUF_SIZE];
    bool reported;       /* on_close has run */
    bool in_ring;        /* kept, to be removed later */
    bool removing;       /* a removal is queued or done, not yet reported */
    struct out_event closed_ev, removed_ev;
    struct pool_job remove_job;
};

struct trawl_output {
    struct trawl_output_options opt; /* strings point at copies: */
    char *tmpl, *comment, *appl;
    struct sink_dir dir;
    struct sink_split split;
    bool limited; /* sink_split_limited(&split): packets are checked */
    struct writer_pool *pool;
    struct out_iface *ifaces;
    size_t nifaces, cap_ifaces;
    trawl_writer *w;      /* the current file's writer, or NULL */
    struct out_file *cur; /* its record */
    bool lazy;            /* files are created at their first packet */
    uint64_t seq;         /* files created */
    char last_base[SINK_NAME_MAX];
    uint64_t last_index;
    struct sink_ring ring;
    atomic_bool rotate;
    int64_t opened_sec; /* wall clock at open, for an empty output's name */
    uint64_t last_tick_flush_ms;
    /* Events from the pool's thread. */
    pthread_mutex_t ev_mu;
    struct out_event *ev_head, **ev_tail;
    atomic_uint ev_count;
    /* Totals of files closed, and counters. */
    uint64_t done_packets, done_bytes, dropped, dropped_bytes, removed;
    /* The first error that stops the output (a file that cannot be
     * created or written); sticky. */
    int error;
    char errmsg[TRAWL_ERRBUF_SIZE];
};

static int fail(trawl_output *o, char *err, size_t errlen, int code,
                const char *msg) {
    if (!o->error) {
        o->error = code;
        snprintf(o->errmsg, sizeof o->errmsg, "%s", msg);
    }
    return core_err(err, errlen, o->error, "%s", o->errmsg);
}

static int64_t wall_now(uint32_t *nsec) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (nsec)
        *nsec = (uint32_t)ts.tv_nsec;
    return (int64_t)ts.tv_sec;
}

/* ---- file records and events -------------------------------------------- */

static void file_free(struct out_file *f) {
    free(f->name);
    free(f->path);
    free(f);
}

/* Frees the record once nothing refers to it any more. */
static void file_release(struct out_file *f) {
    if (f->reported && !f->in_ring && !f->removing)
        file_free(f);
}

static void view_of(const struct out_file *f, struct trawl_output_file *v) {
    *v = (struct trawl_output_file){
        .path = f->path,
        .name = f->name,
        .seq = f->seq,
        .packets = f->packets,
        .bytes = f->bytes,
        .first_sec = f->first_sec,
        .first_nsec = f->first_nsec,
        .last_sec = f->last_sec,
        .last_nsec = f->last_nsec,
        .reason = f->reason,
        .error = f->error,
        .message = f->error ? f->message : NULL,
    };
}

static void report_closed(trawl_output *o, struct out_file *f) {
    if (f->error && !o->error) {
        o->error = f->error;
        snprintf(o->errmsg, sizeof o->errmsg, "%s", f->message);
    }
    f->reported = true;
    if (o->opt.on_close) {
        struct trawl_output_file v;
        view_of(f, &v);
        o->opt.on_close(o->opt.ctx, &v);
    }
    file_release(f);
}

static void report_removed(trawl_output *o, struct out_file *f) {
    f->removing = false;
    if (!f->error)
        o->removed++;
    else if (!o->error) {
        o->error = f->error;
        snprintf(o->errmsg, sizeof o->errmsg, "%s", f->message);
    }
    if (o->opt.on_remove && !f->error) {
        struct trawl_output_file v;
        view_of(f, &v);
        o->opt.on_remove(o->opt.ctx, &v);
    }
    file_release(f);
}

/* On the pool's thread. */
static void post(trawl_output *o, struct out_event *ev) {
    ev->next = NULL;
    pthread_mutex_lock(&o->ev_mu);
    *o->ev_tail = ev;
    o->ev_tail = &ev->next;
    atomic_fetch_add_explicit(&o->ev_count, 1, memory_order_release);
    pthread_mutex_unlock(&o->ev_mu);
}

static void deliver_events(trawl_output *o) {
    pthread_mutex_lock(&o->ev_mu);
    struct out_event *ev = o->ev_head;
    o->ev_head = NULL;
    o->ev_tail = &o->ev_head;
    atomic_store_explicit(&o->ev_count, 0, memory_order_relaxed);
    pthread_mutex_unlock(&o->ev_mu);
    while (ev) {
        struct out_event *next = ev->next;
        if (ev->kind == EV_CLOSED)
            report_closed(o, ev->file);
        else
            report_removed(o, ev->file);
        ev = next;
    }
}

static inline void run_events(trawl_output *o) {
    if (atomic_load_explicit(&o->ev_count, memory_order_acquire))
        deliver_events(o);
}

/* The writer's close callback, on the pool's thread. */
static void file_closed(void *ctx, int rc, const char *msg) {
    struct out_file *f = ctx;
    f->error = rc;
    if (msg)
        snprintf(f->message, sizeof f->message, "%s", msg);
    post(f->o, &f->closed_ev);
}

static void remove_now(struct out_file *f) {
    char err[TRAWL_ERRBUF_SIZE];
    int rc = sink_dir_remove(&f->o->dir, f->name, err, sizeof err);
    if (rc < 0) {
        f->error = rc;
        snprintf(f->message, sizeof f->message, "%s", err);
    }
}

static void remove_job_run(struct pool_job *job) {
    struct out_file *f =
        (struct out_file *)((char *)job - offsetof(struct out_file, remove_job));
    remove_now(f);
    post(f->o, &f->removed_ev);
}

/* A file leaves the ring: remove it (after its close, which the pool's
 * queue has before the removal). */
static void evict(trawl_output *o, struct out_file *f) {
    f->in_ring = false;
    f->removing = true;
    if (o->pool) {
        f->remove_job.run = remove_job_run;
        pool_submit(o->pool, &f->remove_job);
        return;
    }
    remove_now(f);
    report_removed(o, f);
}

/* ---- files --------------------------------------------------------------- */

/* Declares every interface in the new file: all of them in pcapng (ids
 * stay the output's), one in single-interface mode; pcap gets each, as it
 * writes one header for them. */
static int declare_ifaces(trawl_output *o, char *err, size_t errlen) {
    size_t n = o->opt.single_interface && o->nifaces ? 1 : o->nifaces;
    for (size_t i = 0; i < n; i++) {
        uint32_t id;
        int rc = writer_add_iface(o->w, &o->ifaces[i].ifc, &id, err, errlen);
        if (rc < 0)
            return rc;
    }
    return writer_flush(o->w, err, errlen);
}

/* Creates the file for the template expanded at `name_sec`: the first of
 * the name, name_1, name_2 ... that does not exist yet. A name expanded
 * as the previous file's was continues after the index that one got, so
 * the files of a set sort in the order they were written, even when the
 * ring has removed the first. */
static int create_file(trawl_output *o, int64_t name_sec, char *name,
                       size_t len, char *err, size_t errlen) {
    char base[SINK_NAME_MAX];
    int rc = sink_name_expand(o->tmpl, name_sec, base, sizeof base, err,
                              errlen);
    if (rc < 0)
        return rc;
    if (o->dir.confined && (rc = sink_name_check_confined(base, err,
                                                          errlen)) < 0)
        return rc;
    bool same = o->seq > 0 && strcmp(base, o->last_base) == 0;
    uint64_t idx = same ? o->last_index + 1 : 0;
    /* Only an output's one file may replace what is there. */
    bool exclusive = !(o->opt.overwrite && o->seq == 0);
    for (uint64_t tries = 0; tries < MAX_INDEX; tries++, idx++) {
        if (idx == 0)
            snprintf(name, len, "%s", base);
        else if (sink_name_with_index(base, idx, name, len) < 0)
            break;
        int fd = sink_dir_create(&o->dir, name, exclusive,
                                 sink_name_has_time(o->tmpl), err, errlen);
        if (fd == TRAWL_EBUSY)
            continue;
        if (fd >= 0) {
            snprintf(o->last_base, sizeof o->last_base, "%s", base);
            o->last_index = idx;
        }
        return fd;
    }
    return core_err(err, errlen, TRAWL_EBUSY,
                    "output name '%s': no free name (tried %d indexes)", base,
                    MAX_INDEX);
}

/* Starts the next file, for a first packet at (sec, nsec). */
static int open_file(trawl_output *o, int64_t sec, uint32_t nsec, char *err,
                     size_t errlen) {
    struct out_file *f = core_calloc(1, sizeof *f);
    if (!f)
        return core_err(err, errlen, TRAWL_ENOMEM, "output: out of memory");
    f->o = o;
    f->closed_ev = (struct out_event){.kind = EV_CLOSED, .file = f};
    f->removed_ev = (struct out_event){.kind = EV_REMOVED, .file = f};
    sink_split_begin(&o->split, sec, nsec, 0);
    char name[SINK_NAME_MAX];
    char path[SINK_NAME_MAX + 256];
    int fd;
    bool is_stdout = strcmp(o->tmpl, "-") == 0;
    if (is_stdout) {
        /* A copy, so that closing the output leaves descriptor 1 alone. */
        snprintf(name, sizeof name, "-");
        snprintf(path, sizeof path, "standard output");
        fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            int e = errno;
            free(f);
            return core_err(err, errlen, TRAWL_EIO,
                            "standard output: cannot write: %s", strerror(e));
        }
    } else {
        fd = create_file(o, o->opt.align ? o->split.start_sec : sec, name,
                         sizeof name, err, errlen);
        if (fd < 0) {
            free(f);
            return fd;
        }
        sink_dir_path(&o->dir, name, path, sizeof path);
    }
    f->name = core_strdup(name);
    f->path = core_strdup(is_stdout ? "-" : path);
    if (!f->name || !f->path) {
        close(fd);
        file_free(f);
        return core_err(err, errlen, TRAWL_ENOMEM, "output: out of memory");
    }
    struct trawl_writer_options wo = {
        .format = o->opt.format,
        .section_comment = o->comment,
        .application = o->appl,
        .flush_interval_ms =
            o->opt.flush_interval_ms == TRAWL_OUTPUT_NO_TIMED_FLUSH
                ? 0
                : o->opt.flush_interval_ms,
    };
    /* The writer takes the descriptor, on failure too. */
    int rc = o->pool ? writer_open_pooled(&o->w, fd, path, &wo, o->pool, err,
                                          errlen)
                     : trawl_writer_open_fd(&o->w, fd, path, &wo, err, errlen);
    if (rc == 0)
        rc = declare_ifaces(o, err, errlen);
    if (rc < 0) {
        if (o->w)
            trawl_writer_close(o->w, NULL, 0);
        o->w = NULL;
        file_free(f);
        return rc;
    }
    o->split.bytes = trawl_writer_bytes(o->w);
    f->seq = o->seq++;
    f->first_sec = f->last_sec = sec;
    f->first_nsec = f->last_nsec = nsec;
    o->cur = f;
    if (o->opt.on_open) {
        struct trawl_output_file v;
        view_of(f, &v);
        v.bytes = o->split.bytes;
        o->opt.on_open(o->opt.ctx, &v);
    }
    if (o->opt.max_files && !is_stdout) {
        f->in_ring = true;
        struct out_file *old = sink_ring_push(&o->ring, f);
        if (old)
            evict(o, old);
    }
    return 0;
}

/* Closes the current file, for `reason`. Synchronously, its close is
 * reported at once; asynchronously once the pool's thread has done it. */
static int close_file(trawl_output *o, enum trawl_output_reason reason,
                      char *err, size_t errlen) {
    struct out_file *f = o->cur;
    trawl_writer *w = o->w;
    o->cur = NULL;
    o->w = NULL;
    o->split.open = false;
    if (reason == TRAWL_OUTPUT_END) {
        for (size_t i = 0; i < o->nifaces; i++) {
            uint32_t id = o->opt.single_interface ? 0 : (uint32_t)i;
            if (o->ifaces[i].has_stats &&
                (!o->opt.single_interface || i == 0))
                trawl_writer_set_stats(w, id, &o->ifaces[i].stats);
        }
    }
    struct trawl_writer_stats st;
    trawl_writer_get_stats(w, &st);
    f->reason = reason;
    f->bytes = st.bytes;
    o->done_packets += f->packets;
    o->done_bytes += f->bytes;
    if (o->pool) {
        /* The bytes close still adds (statistics blocks) are not known
         * here; the length reported is the one before them. */
        writer_close_async(w, file_closed, f);
        return 0;
    }
    int rc = trawl_writer_close(w, f->message, sizeof f->message);
    f->error = rc < 0 ? rc : 0;
    report_closed(o, f);
    if (rc < 0)
        return core_err(err, errlen, rc, "%s", f->message);
    return 0;
}

/* ---- public API ---------------------------------------------------------- */

static int check_options(const struct trawl_output_options *opt, char *err,
                         size_t errlen) {
    if (!opt->path || !opt->path[0])
        return core_err(err, errlen, TRAWL_EINVAL, "output: no file name");
    bool split = opt->split_bytes || opt->split_packets || opt->split_seconds;
    if (strcmp(opt->path, "-") == 0 && (split || opt->max_files))
        return core_err(err, errlen, TRAWL_EINVAL,
                        "output: standard output cannot be split into "
                        "files");
    if (strcmp(opt->path, "-") == 0 && opt->directory)
        return core_err(err, errlen, TRAWL_EINVAL,
                        "output: standard output is not in a directory");
    if (opt->align && !opt->split_seconds)
        return core_err(err, errlen, TRAWL_EINVAL,
                        "output: aligning needs a duration to split by");
    if (opt->align && opt->split_seconds > 86400)
        return core_err(err, errlen, TRAWL_EINVAL,
                        "output: aligned durations are at most a day (86400 "
                        "s), not %" PRIu64,
                        opt->split_seconds);
    if (opt->split_seconds > INT32_MAX)
        return core_err(err, errlen, TRAWL_ERANGE,
                        "output: duration %" PRIu64 " s is too long",
                        opt->split_seconds);
    if ((unsigned)opt->format > TRAWL_FORMAT_PCAPNG)
        return core_err(err, errlen, TRAWL_EINVAL,
                        "output: unknown format %d", (int)opt->format);
    return 0;
}

static char *dup_opt(const char *s, bool *oom) {
    if (!s)
        return NULL;
    char *d = core_strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static void output_free(trawl_output *o) {
    for (size_t i = 0; i < o->nifaces; i++) {
        free(o->ifaces[i].name);
        free(o->ifaces[i].description);
        free(o->ifaces[i].filter);
        free(o->ifaces[i].os);
    }
    free(o->ifaces);
    if (o->ring.items) {
        struct out_file *f;
        while ((f = sink_ring_pop(&o->ring)))
            file_free(f);
        sink_ring_free(&o->ring);
    }
    if (o->dir.path)
        sink_dir_close(&o->dir);
    pthread_mutex_destroy(&o->ev_mu);
    free(o->tmpl);
    free(o->comment);
    free(o->appl);
    free(o);
}

TRAWL_API int trawl_output_open(trawl_output **out,
                                const struct trawl_output_options *opt,
                                char *errbuf, size_t errlen) {
    *out = NULL;
    int rc = check_options(opt, errbuf, errlen);
    if (rc < 0)
        return rc;
    trawl_output *o = core_calloc(1, sizeof *o);
    if (!o)
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "output: out of memory");
    pthread_mutex_init(&o->ev_mu, NULL);
    o->ev_tail = &o->ev_head;
    o->opt = *opt;
    bool oom = false;
    o->tmpl = dup_opt(opt->path, &oom);
    o->comment = dup_opt(opt->section_comment, &oom);
    o->appl = dup_opt(opt->application, &oom);
    o->opt.path = o->tmpl;
    o->opt.section_comment = o->comment;
    o->opt.application = o->appl;
    o->opt.directory = NULL; /* o->dir.path has it */
    if (!o->opt.flush_interval_ms)
        o->opt.flush_interval_ms = DEFAULT_FLUSH_MS;
    if (oom || (opt->max_files && sink_ring_init(&o->ring, opt->max_files))) {
        output_free(o);
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "output: out of memory");
    }
    o->split = (struct sink_split){.max_bytes = opt->split_bytes,
                                   .max_packets = opt->split_packets,
                                   .period = (int64_t)opt->split_seconds,
                                   .align = opt->align};
    o->limited = sink_split_limited(&o->split);
    o->lazy = o->limited || sink_name_has_time(opt->path);
    if (o->opt.overwrite && o->lazy)
        o->opt.overwrite = false; /* several files never replace each other */
    o->opened_sec = wall_now(NULL);
    if ((rc = sink_dir_open(&o->dir, opt->directory, errbuf, errlen)) < 0) {
        output_free(o);
        return rc;
    }
    /* A template that cannot make a valid name is refused now, not at
     * the first packet. */
    char probe[SINK_NAME_MAX];
    if (strcmp(o->tmpl, "-") != 0 &&
        ((rc = sink_name_expand(o->tmpl, o->opened_sec, probe, sizeof probe,
                                errbuf, errlen)) < 0 ||
         (o->dir.confined &&
          (rc = sink_name_check_confined(probe, errbuf, errlen)) < 0))) {
        output_free(o);
        return rc;
    }
    if (opt->async_buffers) {
        if ((rc = pool_new(&o->pool, opt->async_buffers,
                           writer_async_buffer_size(opt->async_buffer_size),
                           errbuf, errlen)) < 0) {
            output_free(o);
            return rc;
        }
    }
    if (!o->lazy) {
        uint32_t nsec;
        int64_t now = wall_now(&nsec);
        if ((rc = open_file(o, now, nsec, errbuf, errlen)) < 0) {
            pool_free(o->pool);
            output_free(o);
            return rc;
        }
    }
    *out = o;
    return 0;
}

TRAWL_API int trawl_output_add_iface(trawl_output *o,
                                     const struct trawl_iface *iface,
                                     uint32_t *id, char *errbuf,
                                     size_t errlen) {
    if (o->error)
        return core_err(errbuf, errlen, o->error, "%s", o->errmsg);
    if (o->nifaces && iface->linktype != o->ifaces[0].ifc.linktype) {
        if (o->opt.single_interface)
            return core_err(errbuf, errlen, TRAWL_EUNSUPPORTED,
                            "%s: a single-interface output holds one link "
                            "type; interface %zu (%s) is LINKTYPE %d but the "
                            "first is %d: write several interfaces instead",
                            o->tmpl, o->nifaces,
                            iface->name ? iface->name : "unnamed",
                            iface->linktype, o->ifaces[0].ifc.linktype);
        /* Worded as the writer words it, for the same mistake. */
        if (o->opt.format != TRAWL_FORMAT_PCAPNG)
            return core_err(errbuf, errlen, TRAWL_EUNSUPPORTED,
                            "%s: pcap holds one link type; interface %zu is "
                            "LINKTYPE %d but the file is %d: write pcapng "
                            "instead",
                            o->tmpl, o->nifaces, iface->linktype,
                            o->ifaces[0].ifc.linktype);
    }
    if (o->nifaces == UINT32_MAX)
        return core_err(errbuf, errlen, TRAWL_ERANGE,
                        "%s: too many interfaces", o->tmpl);
    if (o->nifaces == o->cap_ifaces) {
        size_t ncap = o->cap_ifaces ? o->cap_ifaces * 2 : 4;
        struct out_iface *n = core_reallocarray(o->ifaces, ncap, sizeof *n);
        if (!n)
            return core_err(errbuf, errlen, TRAWL_ENOMEM,
                            "output: out of memory");
        o->ifaces = n;
        o->cap_ifaces = ncap;
    }
    struct out_iface *c = &o->ifaces[o->nifaces];
    bool oom = false;
    *c = (struct out_iface){.ifc = *iface};
    c->name = dup_opt(iface->name, &oom);
    c->description = dup_opt(iface->description, &oom);
    c->filter = dup_opt(iface->filter, &oom);
    c->os = dup_opt(iface->os, &oom);
    c->ifc.name = c->name;
    c->ifc.description = c->description;
    c->ifc.filter = c->filter;
    c->ifc.os = c->os;
    if (oom) {
        free(c->name);
        free(c->description);
        free(c->filter);
        free(c->os);
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "output: out of memory");
    }
    o->nifaces++;
    *id = (uint32_t)(o->nifaces - 1);
    /* A file already open learns of it now (pcapng allows an interface
     * block anywhere); a single-interface file has its one already. */
    if (o->w && !(o->opt.single_interface && o->nifaces > 1)) {
        uint32_t wid;
        int rc = trawl_writer_add_iface(o->w, &c->ifc, &wid, errbuf, errlen);
        if (rc < 0)
            return fail(o, NULL, 0, rc, errbuf);
        o->split.bytes = trawl_writer_bytes(o->w);
    }
    return 0;
}

/* Starts a new file before pkt, for `why`: closes the current one. A new
 * file's headers need a buffer: in asynchronous mode, when none is free,
 * the packet is dropped and the new file waits for the next one. */
static int next_file(trawl_output *o, const struct trawl_pkt *pkt,
                     enum trawl_output_reason why, char *err, size_t errlen) {
    if (o->pool && !pool_has_free(o->pool))
        return TRAWL_WRITER_DROPPED;
    int rc = 0;
    if (o->w)
        rc = close_file(o, why, err, errlen);
    if (rc == 0)
        rc = open_file(o, pkt->ts_sec, pkt->ts_nsec, err, errlen);
    return rc < 0 ? fail(o, err, errlen, rc, err) : 0;
}

static enum trawl_output_reason reason_of(enum sink_split_why why) {
    switch (why) {
    case SPLIT_SIZE: return TRAWL_OUTPUT_SIZE;
    case SPLIT_PACKETS: return TRAWL_OUTPUT_PACKETS;
    case SPLIT_DURATION: return TRAWL_OUTPUT_DURATION;
    case SPLIT_NO: break;
    }
    return TRAWL_OUTPUT_OPEN;
}

/* Whether pkt must go to a new file, and why (TRAWL_OUTPUT_OPEN: no). */
static enum trawl_output_reason split_reason(trawl_output *o,
                                             const struct trawl_pkt *pkt) {
    if (!o->w)
        return TRAWL_OUTPUT_END; /* any: there is no file to close */
    uint64_t rec = o->split.max_bytes ? writer_record_size(o->w, pkt) : 0;
    enum trawl_output_reason why = reason_of(
        sink_split_check(&o->split, pkt->ts_sec, pkt->ts_nsec, rec));
    if (atomic_load_explicit(&o->rotate, memory_order_relaxed) &&
        why == TRAWL_OUTPUT_OPEN)
        why = TRAWL_OUTPUT_REQUESTED;
    return why;
}

/* A packet went into the current file. */
static inline void written(trawl_output *o, const struct trawl_pkt *pkt) {
    o->split.packets++;
    /* Only a size limit looks at it; trawl_output_get_stats() asks the
     * writer. */
    if (o->split.max_bytes)
        o->split.bytes = trawl_writer_bytes(o->w);
    struct out_file *f = o->cur;
    f->packets++;
    f->last_sec = pkt->ts_sec;
    f->last_nsec = pkt->ts_nsec;
    if (f->packets == 1) {
        f->first_sec = pkt->ts_sec;
        f->first_nsec = pkt->ts_nsec;
    }
}

static int not_written(trawl_output *o, const struct trawl_pkt *pkt, int rc) {
    if (rc == TRAWL_WRITER_DROPPED) {
        o->dropped++;
        o->dropped_bytes += pkt->caplen;
    }
    return rc;
}

/* Every case: errors, events, a file to open or to end first, one
 * interface. */
static TRAWL_NOINLINE int write_checked(trawl_output *o,
                                        const struct trawl_pkt *pkt,
                                        char *errbuf, size_t errlen) {
    if (o->error)
        return core_err(errbuf, errlen, o->error, "%s", o->errmsg);
    if (pkt->iface >= o->nifaces)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: packet on interface %" PRIu32
                        ", which was not added (the output has %zu)",
                        o->tmpl, pkt->iface, o->nifaces);
    run_events(o);
    int rc;
    enum trawl_output_reason why = split_reason(o, pkt);
    if (why != TRAWL_OUTPUT_OPEN) {
        rc = next_file(o, pkt, why, errbuf, errlen);
        if (rc != 0)
            return not_written(o, pkt, rc);
        atomic_store_explicit(&o->rotate, false, memory_order_relaxed);
    }
    if (o->opt.single_interface && pkt->iface) {
        struct trawl_pkt one = *pkt;
        one.iface = 0;
        rc = trawl_writer_write(o->w, &one, errbuf, errlen);
    } else {
        rc = trawl_writer_write(o->w, pkt, errbuf, errlen);
    }
    if (rc != 0)
        return not_written(o, pkt, rc);
    written(o, pkt);
    return 0;
}

TRAWL_API int trawl_output_write(trawl_output *o, const struct trawl_pkt *pkt,
                                 char *errbuf, size_t errlen) {
    /* The usual case, a file open that nothing can end but a request and
     * nothing to report, goes straight to the writer: on a copy without
     * limits that is every packet. (Only the pool's thread posts events:
     * without one, while the output is open, there are none.) */
    if (TRAWL_LIKELY(o->w && !o->limited && !o->opt.single_interface &&
                     !o->error && pkt->iface < o->nifaces &&
                     !atomic_load_explicit(&o->rotate,
                                           memory_order_relaxed) &&
                     !(o->pool && atomic_load_explicit(
                                      &o->ev_count, memory_order_acquire)))) {
        int rc = trawl_writer_write(o->w, pkt, errbuf, errlen);
        if (TRAWL_UNLIKELY(rc != 0))
            return not_written(o, pkt, rc);
        written(o, pkt);
        return 0;
    }
    return write_checked(o, pkt, errbuf, errlen);
}

TRAWL_API void trawl_output_rotate(trawl_output *o) {
    atomic_store_explicit(&o->rotate, true, memory_order_relaxed);
}

TRAWL_API int trawl_output_flush(trawl_output *o, char *errbuf,
                                 size_t errlen) {
    run_events(o);
    if (o->error)
        return core_err(errbuf, errlen, o->error, "%s", o->errmsg);
    return o->w ? trawl_writer_flush(o->w, errbuf, errlen) : 0;
}

TRAWL_API int trawl_output_tick(trawl_output *o, char *errbuf,
                                size_t errlen) {
    run_events(o);
    if (o->error)
        return core_err(errbuf, errlen, o->error, "%s", o->errmsg);
    if (!o->w)
        return 0;
    uint32_t nsec;
    int64_t now = wall_now(&nsec);
    if (sink_split_expired(&o->split, now, nsec)) {
        int rc = close_file(o, TRAWL_OUTPUT_DURATION, errbuf, errlen);
        return rc < 0 ? fail(o, errbuf, errlen, rc, errbuf) : 0;
    }
    uint64_t ms = core_now_ms();
    if (o->opt.flush_interval_ms == TRAWL_OUTPUT_NO_TIMED_FLUSH ||
        ms - o->last_tick_flush_ms < o->opt.flush_interval_ms)
        return 0;
    o->last_tick_flush_ms = ms;
    return trawl_writer_flush(o->w, errbuf, errlen);
}

TRAWL_API int trawl_output_set_stats(trawl_output *o, uint32_t id,
                                     const struct trawl_iface_stats *st) {
    if (id >= o->nifaces)
        return TRAWL_EINVAL;
    o->ifaces[id].stats = *st;
    o->ifaces[id].has_stats = true;
    return 0;
}

TRAWL_API void trawl_output_get_stats(const trawl_output *o,
                                      struct trawl_output_stats *st) {
    *st = (struct trawl_output_stats){
        .files = o->seq,
        .packets = o->done_packets + (o->cur ? o->cur->packets : 0),
        .bytes = o->done_bytes + (o->w ? trawl_writer_bytes(o->w) : 0),
        .dropped = o->dropped,
        .dropped_bytes = o->dropped_bytes,
        .removed = o->removed,
    };
}

TRAWL_API int trawl_output_close(trawl_output *o, char *errbuf,
                                 size_t errlen) {
    if (!o)
        return 0;
    char err[TRAWL_ERRBUF_SIZE] = "";
    int rc = 0;
    /* An output that never got a packet still leaves one (empty) file,
     * as a capture that saw nothing does. */
    if (!o->w && o->seq == 0 && !o->error)
        rc = open_file(o, o->opened_sec, 0, err, sizeof err);
    if (o->w) {
        int crc = close_file(o, TRAWL_OUTPUT_END, err, sizeof err);
        if (crc < 0 && rc == 0)
            rc = crc;
    }
    if (o->pool) {
        pool_free(o->pool); /* drains: every close and removal is done */
        o->pool = NULL;
    }
    run_events(o);
    if (rc == 0 && o->error) {
        rc = o->error;
        snprintf(err, sizeof err, "%s", o->errmsg);
    }
    /* The files still in the ring stay on disk; their records go. */
    struct out_file *f;
    while (o->ring.items && (f = sink_ring_pop(&o->ring))) {
        f->in_ring = false;
        file_release(f);
    }
    output_free(o);
    return rc < 0 ? core_err(errbuf, errlen, rc, "%s", err) : 0;
}
