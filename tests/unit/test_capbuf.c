/* The capture buffer: Xena's two overflow semantics (keep the earliest
 * and refuse, or a ring keeping the latest), records intact across the
 * wrap, index access, alignment, and sizes it refuses. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture_int.h"

static uint8_t bytes[2048];

/* Packet `index` of caplen bytes; its bytes are a pattern of the index,
 * so that a record can be checked against what it was. */
static struct trawl_pkt pkt_of(uint64_t index, uint32_t caplen) {
    for (uint32_t i = 0; i < caplen; i++)
        bytes[i] = (uint8_t)(index * 31 + i);
    struct trawl_pkt p = {
        .index = index, .ts_sec = 1700000000 + (int64_t)index,
        .ts_nsec = (uint32_t)index * 1000u, .caplen = caplen,
        .len = caplen + 10, .linktype = 1, .iface = (uint32_t)(index % 3),
        .flags = (uint32_t)index & 3u, .has_flags = index & 1,
        .fcs_len = 0, .data = bytes};
    return p;
}

static void check_rec(const struct cap_buf *b, uint64_t i, uint64_t index,
                      uint32_t caplen) {
    struct trawl_pkt p;
    assert_true(cap_buf_get(b, i, &p));
    assert_int_equal(p.index, index);
    assert_int_equal(p.caplen, caplen);
    assert_int_equal(p.len, caplen + 10);
    assert_int_equal(p.ts_sec, 1700000000 + (int64_t)index);
    assert_int_equal(p.ts_nsec, (uint32_t)index * 1000u);
    assert_int_equal(p.iface, index % 3);
    assert_int_equal(p.flags, index & 3u);
    assert_int_equal(p.has_flags, index & 1);
    assert_int_equal(p.linktype, 1);
    assert_int_equal((uintptr_t)p.data % 8, 0);
    for (uint32_t k = 0; k < caplen; k++)
        assert_int_equal(p.data[k], (uint8_t)(index * 31 + k));
}

/* Record footprint: header and bytes padded to 8. */
static uint64_t footprint(uint32_t caplen) {
    return CAP_REC_HDR + ((caplen + 7u) & ~7u);
}

static void full_keeps_the_earliest(void **state) {
    (void)state;
    struct cap_buf b = {0};
    assert_int_equal(cap_buf_alloc(&b, 10 * footprint(100), NULL, 0), 0);
    cap_buf_reset(&b, false);
    uint64_t i = 0;
    while (true) {
        struct trawl_pkt p = pkt_of(i, 100);
        if (!cap_buf_add(&b, &p))
            break;
        i++;
    }
    assert_int_equal(i, 10);
    assert_int_equal(b.count, 10);
    assert_int_equal(b.held, 1000);
    assert_int_equal(b.discarded, 0);
    for (uint64_t k = 0; k < 10; k++)
        check_rec(&b, k, k, 100);
    /* Still refused, and a small one that would fit nowhere too. */
    struct trawl_pkt p = pkt_of(99, 1);
    assert_false(cap_buf_add(&b, &p));
    struct trawl_pkt out;
    assert_false(cap_buf_get(&b, 10, &out));
    cap_buf_free(&b);
}

/* A deterministic mix of sizes, to wrap at every possible place. */
static uint32_t size_at(uint64_t i) {
    static const uint32_t sizes[] = {60, 1, 1514, 64, 0, 200, 7, 9000 / 8, 333};
    return sizes[i % TRAWL_ARRAY_LEN(sizes)];
}

static void ring_keeps_the_latest(void **state) {
    (void)state;
    const uint64_t sizes[] = {2048, 4000, 10000, 1600};
    for (size_t t = 0; t < TRAWL_ARRAY_LEN(sizes); t++) {
        struct cap_buf b = {0};
        assert_int_equal(cap_buf_alloc(&b, sizes[t], NULL, 0), 0);
        cap_buf_reset(&b, true);
        uint64_t held_bytes = 0;
        for (uint64_t i = 0; i < 500; i++) {
            uint32_t len = size_at(i);
            struct trawl_pkt p = pkt_of(i, len);
            assert_true(cap_buf_add(&b, &p));
            /* What is held is the latest run of packets, ending at i. */
            assert_true(b.count >= 1);
            assert_int_equal(b.count + b.discarded, i + 1);
            uint64_t first = i + 1 - b.count, used = 0;
            held_bytes = 0;
            for (uint64_t k = 0; k < b.count; k++) {
                check_rec(&b, k, first + k, size_at(first + k));
                held_bytes += size_at(first + k);
                used += footprint(size_at(first + k));
            }
            assert_int_equal(b.held, held_bytes);
            assert_true(used <= b.size);
        }
        cap_buf_free(&b);
    }
}

static void too_large_for_the_whole_buffer(void **state) {
    (void)state;
    for (int ring = 0; ring < 2; ring++) {
        struct cap_buf b = {0};
        assert_int_equal(cap_buf_alloc(&b, 512, NULL, 0), 0);
        cap_buf_reset(&b, ring);
        struct trawl_pkt small = pkt_of(0, 10);
        assert_true(cap_buf_add(&b, &small));
        struct trawl_pkt big = pkt_of(1, 1000);
        assert_false(cap_buf_add(&b, &big));
        /* Refusing it discarded nothing. */
        assert_int_equal(b.count, 1);
        check_rec(&b, 0, 0, 10);
        cap_buf_free(&b);
    }
}

static void reset_and_sizes(void **state) {
    (void)state;
    struct cap_buf b = {0};
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(cap_buf_alloc(&b, 10, err, sizeof err), TRAWL_EINVAL);
    assert_non_null(strstr(err, "capture buffer: 10 bytes"));
    assert_int_equal(cap_buf_alloc(&b, 0, err, sizeof err), 0);
    struct trawl_pkt p = pkt_of(0, 10);
    assert_false(cap_buf_add(&b, &p)); /* no buffer */
    assert_int_equal(cap_buf_alloc(&b, 1001, err, sizeof err), 0);
    assert_int_equal(b.size, 1000); /* whole 8-byte units */
    cap_buf_reset(&b, false);
    assert_true(cap_buf_add(&b, &p));
    cap_buf_reset(&b, true);
    assert_int_equal(b.count, 0);
    assert_int_equal(b.held, 0);
    assert_true(b.ring);
    assert_false(cap_buf_get(&b, 0, &p));
    cap_buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_keeps_the_earliest),
        cmocka_unit_test(ring_keeps_the_latest),
        cmocka_unit_test(too_large_for_the_whole_buffer),
        cmocka_unit_test(reset_and_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
