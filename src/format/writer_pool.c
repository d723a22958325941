/* The asynchronous writers' buffers and thread; see writer_pool.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "format/writer_pool.h"

/* Writes one submitted buffer and gives it back. A sink that has failed
 * skips the write (sink_write returns its error at once). */
static void write_buf(struct pool_job *job) {
    struct pool_buf *b = (struct pool_buf *)job;
    sink_write(b->sink, b->data, b->len, b->off);
    pool_put_back(b->pool, b);
}

static void *pool_thread(void *arg) {
    struct writer_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->work, &p->mu);
        struct pool_job *j = p->head;
        if (!j)
            break; /* stopping, and nothing left */
        p->head = j->next;
        if (!p->head)
            p->tail = &p->head;
        pthread_mutex_unlock(&p->mu);
        j->run(j);
        pthread_mutex_lock(&p->mu);
        p->pending--;
        atomic_store_explicit(&p->pending_hint, p->pending,
                              memory_order_relaxed);
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int pool_new(struct writer_pool **out, unsigned nbufs, size_t bufsize,
             char *err, size_t errlen) {
    *out = NULL;
    if (nbufs < 2 || bufsize < WRITER_BUF_SIZE || bufsize % WRITER_PAGE ||
        bufsize > (SIZE_MAX - WRITER_PAD_ROOM) / nbufs)
        return core_err(err, errlen, TRAWL_EINVAL,
                        "asynchronous writer: %u buffers of %zu bytes: "
                        "want at least 2 of at least %u bytes, in pages",
                        nbufs, bufsize, WRITER_BUF_SIZE);
    struct writer_pool *p = core_calloc(1, sizeof *p);
    if (!p)
        return core_err(err, errlen, TRAWL_ENOMEM,
                        "asynchronous writer: out of memory");
    p->bufsize = bufsize;
    p->nbufs = nbufs;
    size_t stride = bufsize + WRITER_PAD_ROOM;
    /* One mapping for every buffer: page aligned for O_DIRECT, and left
     * out of any child a fork makes (a guard, or a caller's), which
     * would otherwise make every later write to it a copy. */
    void *mem = mmap(NULL, stride * nbufs, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        free(p);
        return core_err(err, errlen, TRAWL_ENOMEM,
                        "asynchronous writer: cannot map %u buffers of %zu "
                        "bytes: %s",
                        nbufs, bufsize, strerror(errno));
    }
    madvise(mem, stride * nbufs, MADV_DONTFORK);
    p->mem = mem;
    p->bufs = core_calloc(nbufs, sizeof *p->bufs);
    p->free_bufs = core_calloc(nbufs, sizeof *p->free_bufs);
    if (!p->bufs || !p->free_bufs) {
        pool_free(p);
        return core_err(err, errlen, TRAWL_ENOMEM,
                        "asynchronous writer: out of memory");
    }
    for (unsigned i = 0; i < nbufs; i++) {
        p->bufs[i] = (struct pool_buf){.job = {.run = write_buf},
                                       .pool = p,
                                       .data = p->mem + (size_t)i * stride};
        p->free_bufs[i] = &p->bufs[nbufs - 1 - i];
    }
    p->nfree = nbufs;
    atomic_store(&p->free_hint, nbufs);
    p->tail = &p->head;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    int e = pthread_create(&p->thread, NULL, pool_thread, p);
    if (e) {
        pool_free(p);
        return core_err(err, errlen, TRAWL_EIO,
                        "asynchronous writer: cannot start its thread: %s",
                        strerror(e));
    }
    p->started = true;
    *out = p;
    return 0;
}

struct pool_buf *pool_acquire(struct writer_pool *p, bool wait) {
    if (!wait && !pool_has_free(p))
        return NULL;
    pthread_mutex_lock(&p->mu);
    while (wait && !p->nfree)
        pthread_cond_wait(&p->done, &p->mu);
    struct pool_buf *b = NULL;
    if (p->nfree) {
        b = p->free_bufs[--p->nfree];
        atomic_store_explicit(&p->free_hint, p->nfree, memory_order_relaxed);
    }
    pthread_mutex_unlock(&p->mu);
    return b;
}

void pool_put_back(struct writer_pool *p, struct pool_buf *b) {
    pthread_mutex_lock(&p->mu);
    p->free_bufs[p->nfree++] = b;
    atomic_store_explicit(&p->free_hint, p->nfree, memory_order_relaxed);
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->mu);
}

void pool_submit(struct writer_pool *p, struct pool_job *job) {
    job->next = NULL;
    pthread_mutex_lock(&p->mu);
    *p->tail = job;
    p->tail = &job->next;
    p->pending++;
    atomic_store_explicit(&p->pending_hint, p->pending, memory_order_relaxed);
    unsigned busy = p->nbufs - p->nfree;
    if (busy > p->busy_max)
        p->busy_max = busy;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

void pool_submit_buf(struct pool_buf *b, struct writer_sink *sink, size_t len,
                     uint64_t off) {
    b->sink = sink;
    b->len = len;
    b->off = off;
    pool_submit(b->pool, &b->job);
}

void pool_drain(struct writer_pool *p) {
    pthread_mutex_lock(&p->mu);
    while (p->pending)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

unsigned pool_busy(struct writer_pool *p) {
    pthread_mutex_lock(&p->mu);
    unsigned n = p->nbufs - p->nfree;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void pool_free(struct writer_pool *p) {
    if (!p)
        return;
    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_signal(&p->work);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->thread, NULL);
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->work);
        pthread_cond_destroy(&p->done);
    }
    if (p->mem)
        munmap(p->mem, (p->bufsize + WRITER_PAD_ROOM) * p->nbufs);
    free(p->bufs);
    free(p->free_bufs);
    free(p);
}
