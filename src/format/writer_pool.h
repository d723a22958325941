/* format/writer_pool — the asynchronous writers' buffers and the thread
 * that writes them.
 *
 * A pool owns a fixed number of large page-aligned buffers and one thread.
 * A writer (on the caller's thread, the producer) fills a buffer with
 * records and submits it; the thread writes submitted buffers to their
 * files in the order they were submitted and gives them back. The
 * producer never waits for the disk: when no buffer is free it is told so
 * at once and drops the packet, so memory stays what the pool was given.
 * Jobs other than buffers (closing a file, removing one) go through the
 * same queue, so they happen after everything submitted before them.
 *
 * The mutex is taken once per buffer (a few hundred times a second at
 * full rate), never per packet. */
#ifndef TRAWL_WRITER_POOL_H
#define TRAWL_WRITER_POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/writer_int.h"

struct pool_buf {
    struct pool_job job; /* first: the queue holds jobs */
    struct writer_pool *pool;
    uint8_t *data; /* pool->bufsize bytes + WRITER_PAD_ROOM, page aligned */
    size_t len;    /* records to write */
    uint64_t off;  /* file offset of data[0] */
    struct writer_sink *sink;
};

struct writer_pool {
    size_t bufsize;
    unsigned nbufs;
    uint8_t *mem;
    struct pool_buf *bufs;
    struct pool_buf **free_bufs; /* stack of free buffers */
    unsigned nfree;
    atomic_uint free_hint; /* nfree, readable without the mutex */
    unsigned busy_max;     /* most buffers submitted and not yet written */
    pthread_mutex_t mu;
    pthread_cond_t work; /* a job was queued, or stop */
    pthread_cond_t done; /* a job finished */
    struct pool_job *head, **tail;
    unsigned pending; /* jobs queued or running */
    atomic_uint pending_hint; /* pending, readable without the mutex */
    bool stop;
    bool started;
    pthread_t thread;
};

/* A pool of `nbufs` buffers of `bufsize` bytes (a multiple of
 * WRITER_PAGE, at least WRITER_BUF_SIZE) and its thread. */
int pool_new(struct writer_pool **out, unsigned nbufs, size_t bufsize,
             char *err, size_t errlen);

/* A free buffer, or NULL when every buffer is waiting for the disk. With
 * `wait`, waits for one instead (for headers, which are never dropped). */
struct pool_buf *pool_acquire(struct writer_pool *p, bool wait);

/* Whether a buffer is free now, without taking the mutex. */
static inline bool pool_has_free(struct writer_pool *p) {
    return atomic_load_explicit(&p->free_hint, memory_order_relaxed) > 0;
}

/* Whether the thread has nothing to do now, without taking the mutex. */
static inline bool pool_idle(struct writer_pool *p) {
    return atomic_load_explicit(&p->pending_hint, memory_order_relaxed) == 0;
}

/* Gives back a buffer that was acquired but not submitted. */
void pool_put_back(struct writer_pool *p, struct pool_buf *b);

/* Queues a job; b->job is how a filled buffer is queued (pool_submit_buf). */
void pool_submit(struct writer_pool *p, struct pool_job *job);
void pool_submit_buf(struct pool_buf *b, struct writer_sink *sink, size_t len,
                     uint64_t off);

/* Waits until every job queued so far has run. */
void pool_drain(struct writer_pool *p);

/* Buffers submitted and not yet written, now. */
unsigned pool_busy(struct writer_pool *p);

/* Drains, stops the thread, frees everything. */
void pool_free(struct writer_pool *p);

#endif
