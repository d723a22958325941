/* Per-stream test-payload statistics (docs/test-payload.md) on sequences
 * of synthetic arrivals: loss, duplicates, reordering, a late frame taking
 * loss back, the window, the wrap at 2^32, payload errors, latency, many
 * streams. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture_int.h"

static void arrive(struct cap_streams *ss, uint16_t stream, uint32_t seq,
                   uint32_t tx, uint64_t rx) {
    struct trawl_tpld t = {.stream = stream, .seq = seq, .tx_ns = tx};
    cap_streams_add(ss, TRAWL_TPLD_OK, &t, rx, 100);
}

static struct trawl_stream_stats stats_of(const struct cap_streams *ss,
                                          uint16_t stream) {
    struct trawl_stream_stats all[8];
    size_t n = cap_streams_get(ss, all, 8);
    for (size_t i = 0; i < n && i < 8; i++)
        if (all[i].stream == stream)
            return all[i];
    fail_msg("stream %u not found", stream);
    return all[0];
}

/* Sequences of arrivals and what they must count. */
static const struct {
    const char *name;
    uint32_t seq[16];
    size_t n;
    uint64_t lost, dups, reordered;
} table[] = {
    {"in order", {0, 1, 2, 3}, 4, 0, 0, 0},
    {"a gap", {0, 1, 4, 5}, 4, 2, 0, 0},
    {"late frame fills its gap", {0, 2, 1, 3}, 4, 0, 0, 1},
    {"duplicates", {0, 1, 1, 2, 0}, 5, 0, 2, 0},
    {"swap", {1, 0}, 2, 0, 0, 1},
    {"starting late", {10, 11, 12}, 3, 0, 0, 0},
    {"lower than the first", {10, 5, 11}, 3, 4, 0, 1},
    {"wrap", {0xfffffffeu, 0xffffffffu, 0, 1}, 4, 0, 0, 0},
    {"gap across the wrap", {0xfffffffeu, 1}, 2, 2, 0, 0},
    {"late across the wrap", {0xffffffffu, 1, 0}, 3, 0, 0, 1},
};

static void sequences(void **state) {
    (void)state;
    for (size_t c = 0; c < TRAWL_ARRAY_LEN(table); c++) {
        struct cap_streams ss;
        cap_streams_init(&ss);
        for (size_t i = 0; i < table[c].n; i++)
            arrive(&ss, 3, table[c].seq[i], 0, 0);
        struct trawl_stream_stats s = stats_of(&ss, 3);
        if (s.lost != table[c].lost || s.duplicates != table[c].dups ||
            s.reordered != table[c].reordered || s.packets != table[c].n)
            fail_msg("%s: lost %llu dups %llu reordered %llu packets %llu",
                     table[c].name, (unsigned long long)s.lost,
                     (unsigned long long)s.duplicates,
                     (unsigned long long)s.reordered,
                     (unsigned long long)s.packets);
        cap_streams_free(&ss);
    }
}

static void window(void **state) {
    (void)state;
    struct cap_streams ss;
    cap_streams_init(&ss);
    arrive(&ss, 1, 0, 0, 0);
    arrive(&ss, 1, 1, 0, 0);
    arrive(&ss, 1, CAP_STREAM_WINDOW + 10, 0, 0);
    /* 1 is now further back than the window: not a duplicate but late. */
    arrive(&ss, 1, 1, 0, 0);
    /* 20 is inside the window: late, and the second time a duplicate. */
    arrive(&ss, 1, CAP_STREAM_WINDOW, 0, 0);
    arrive(&ss, 1, CAP_STREAM_WINDOW, 0, 0);
    struct trawl_stream_stats s = stats_of(&ss, 1);
    assert_int_equal(s.duplicates, 1);
    assert_int_equal(s.reordered, 2);
    /* Numbers 2 .. window+9 but one never came; 1 was counted twice as
     * distinct, which the lost count absorbs. */
    assert_int_equal(s.lost, CAP_STREAM_WINDOW + 10 + 1 - 4 - 1);
    /* A long jump forward clears the window. */
    arrive(&ss, 1, 10 * CAP_STREAM_WINDOW, 0, 0);
    arrive(&ss, 1, 10 * CAP_STREAM_WINDOW - 1, 0, 0);
    s = stats_of(&ss, 1);
    assert_int_equal(s.duplicates, 1);
    assert_int_equal(s.reordered, 3);
    cap_streams_free(&ss);
}

static void errors_and_latency(void **state) {
    (void)state;
    struct cap_streams ss;
    cap_streams_init(&ss);
    /* rx is 64-bit nanoseconds; tx is taken modulo 2^32. */
    uint64_t base = 1700000000ull * 1000000000ull;
    arrive(&ss, 4, 0, (uint32_t)(base - 1000), base);
    arrive(&ss, 4, 1, (uint32_t)(base - 3000), base);
    arrive(&ss, 4, 2, (uint32_t)(base + 100 - 2000), base + 100);
    struct trawl_tpld bad = {.stream = 4, .seq = 99};
    cap_streams_add(&ss, TRAWL_TPLD_BAD, &bad, base, 100);
    struct trawl_stream_stats s = stats_of(&ss, 4);
    assert_int_equal(s.packets, 3);
    assert_int_equal(s.bytes, 300);
    assert_int_equal(s.payload_errors, 1);
    assert_int_equal(s.lost, 0); /* the bad frame's number is not trusted */
    assert_int_equal(s.latency_min_ns, 1000);
    assert_int_equal(s.latency_max_ns, 3000);
    assert_int_equal(s.latency_avg_ns, 2000);
    /* A stream seen only through errors has no latency. */
    bad.stream = 5;
    cap_streams_add(&ss, TRAWL_TPLD_BAD, &bad, base, 100);
    s = stats_of(&ss, 5);
    assert_int_equal(s.packets, 0);
    assert_int_equal(s.latency_min_ns, -1);
    assert_int_equal(s.latency_avg_ns, -1);
    cap_streams_free(&ss);
}

static void many_streams(void **state) {
    (void)state;
    struct cap_streams ss;
    cap_streams_init(&ss);
    /* Out of order ids come back in stream order. */
    for (uint32_t i = 0; i < CAP_MAX_STREAMS + 5; i++)
        arrive(&ss, (uint16_t)((i * 7919u) % 65536u), 0, 0, 0);
    struct trawl_stream_stats *all = calloc(CAP_MAX_STREAMS + 8, sizeof *all);
    assert_non_null(all);
    size_t n = cap_streams_get(&ss, all, CAP_MAX_STREAMS + 8);
    assert_int_equal(n, CAP_MAX_STREAMS);
    assert_int_equal(ss.untracked, 5);
    for (size_t i = 1; i < n; i++)
        assert_true(all[i - 1].stream < all[i].stream);
    /* A frame of a known stream still counts there. */
    arrive(&ss, all[7].stream, 1, 0, 0);
    assert_int_equal(stats_of(&ss, all[7].stream).packets, 2);
    /* Only as many as asked are filled; the count is the whole. */
    assert_int_equal(cap_streams_get(&ss, all, 2), CAP_MAX_STREAMS);
    cap_streams_reset(&ss);
    assert_int_equal(cap_streams_get(&ss, all, 2), 0);
    arrive(&ss, 1, 0, 0, 0);
    assert_int_equal(cap_streams_get(&ss, all, 2), 1);
    free(all);
    cap_streams_free(&ss);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sequences),
        cmocka_unit_test(window),
        cmocka_unit_test(errors_and_latency),
        cmocka_unit_test(many_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
