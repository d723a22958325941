/* Unit tests of the capture server's session queue: records come out as
 * they went in, whole, across the ring's end; a full queue refuses rather
 * than overwrites; and one producer and one consumer on two threads never
 * lose or tear a record. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/queue.h"

static struct trawl_pkt pkt_of(uint8_t *buf, uint32_t caplen, uint32_t seq) {
    for (uint32_t i = 0; i < caplen; i++)
        buf[i] = (uint8_t)(seq + i);
    return (struct trawl_pkt){.ts_sec = 1700000000 + seq,
                              .ts_nsec = seq,
                              .caplen = caplen,
                              .len = caplen + 4,
                              .iface = seq % 3,
                              .linktype = 1,
                              .flags = seq,
                              .has_flags = true,
                              .data = buf};
}

static void check(const struct trawl_pkt *got, uint32_t caplen, uint32_t seq) {
    assert_int_equal(got->caplen, caplen);
    assert_int_equal(got->len, caplen + 4);
    assert_int_equal(got->ts_sec, 1700000000 + seq);
    assert_int_equal(got->ts_nsec, seq);
    assert_int_equal(got->iface, seq % 3);
    assert_int_equal(got->flags, seq);
    assert_true(got->has_flags);
    for (uint32_t i = 0; i < caplen; i++)
        assert_int_equal(got->data[i], (uint8_t)(seq + i));
}

static uint8_t data[TRAWL_MAX_CAPLEN];

static void fifo_across_the_end(void **state) {
    (void)state;
    struct queue q;
    assert_int_equal(queue_init(&q, QUEUE_MIN_BYTES), 0);
    /* Sizes chosen so that records meet the end of the ring at every
     * offset: some leave room for a skip marker, some not even that. */
    uint32_t seq = 0, out = 0;
    for (int round = 0; round < 2000; round++) {
        uint32_t caplen = (uint32_t)(round * 7919) % 70000;
        struct trawl_pkt p = pkt_of(data, caplen, seq);
        while (!queue_push(&q, &p, caplen)) {
            struct trawl_pkt got;
            size_t n = queue_peek(&q, &got);
            assert_true(n > 0);
            uint32_t want = (uint32_t)(out * 7919) % 70000;
            check(&got, want, out);
            queue_pop(&q, n);
            out++;
        }
        seq++;
    }
    struct trawl_pkt got;
    size_t n;
    while ((n = queue_peek(&q, &got)) != 0) {
        check(&got, (uint32_t)(out * 7919) % 70000, out);
        queue_pop(&q, n);
        out++;
    }
    assert_int_equal(out, seq);
    assert_int_equal(queue_used(&q), 0);
    queue_free(&q);
}

static void full_queue_refuses(void **state) {
    (void)state;
    struct queue q;
    assert_int_equal(queue_init(&q, 1), 0); /* rounded up to the minimum */
    assert_true(q.cap >= QUEUE_MIN_BYTES);
    /* The largest packet always fits in an empty queue. */
    struct trawl_pkt big = pkt_of(data, TRAWL_MAX_CAPLEN, 1);
    assert_true(queue_push(&q, &big, TRAWL_MAX_CAPLEN));
    size_t used = queue_used(&q);
    struct trawl_pkt small = pkt_of(data, 1000, 2);
    int pushed = 0;
    while (queue_push(&q, &small, 1000))
        pushed++;
    assert_true(pushed > 0);
    assert_true(queue_used(&q) <= q.cap);
    /* Refused: nothing changed. */
    size_t before = queue_used(&q);
    assert_false(queue_push(&q, &small, 1000));
    assert_int_equal(queue_used(&q), before);
    struct trawl_pkt got;
    size_t n = queue_peek(&q, &got);
    check(&got, TRAWL_MAX_CAPLEN, 1);
    queue_pop(&q, n);
    assert_int_equal(queue_used(&q), before - used);
    /* Truncation: only caplen bytes are queued. */
    queue_free(&q);
    assert_int_equal(queue_init(&q, QUEUE_MIN_BYTES), 0);
    struct trawl_pkt p = pkt_of(data, 1500, 3);
    assert_true(queue_push(&q, &p, 64));
    n = queue_peek(&q, &got);
    assert_int_equal(got.caplen, 64);
    assert_int_equal(got.len, 1504);
    queue_free(&q);
}

#define THREAD_RECORDS 200000

struct pc {
    struct queue q;
    uint64_t refused;
};

static void *producer(void *arg) {
    struct pc *pc = arg;
    static uint8_t buf[2048];
    for (uint32_t seq = 0; seq < THREAD_RECORDS; seq++) {
        uint32_t caplen = 40 + seq % 1400;
        struct trawl_pkt p = pkt_of(buf, caplen, seq);
        while (!queue_push(&pc->q, &p, caplen))
            pc->refused++;
    }
    return NULL;
}

static void two_threads(void **state) {
    (void)state;
    struct pc pc = {0};
    assert_int_equal(queue_init(&pc.q, QUEUE_MIN_BYTES), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, producer, &pc), 0);
    uint32_t out = 0;
    while (out < THREAD_RECORDS) {
        struct trawl_pkt got;
        size_t n = queue_peek(&pc.q, &got);
        if (!n)
            continue;
        check(&got, 40 + out % 1400, out);
        queue_pop(&pc.q, n);
        out++;
    }
    pthread_join(t, NULL);
    assert_int_equal(queue_used(&pc.q), 0);
    queue_free(&pc.q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifo_across_the_end),
        cmocka_unit_test(full_queue_refuses),
        cmocka_unit_test(two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
