/* Unit tests of split decisions (sink/split.c): synthetic packets through
 * size, packet and duration limits, the first reached winning; the aligned
 * periods' arithmetic in fixed time zones (including a day with a
 * daylight-saving change); and expiry by a fake wall clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/core.h"
#include "sink/split.h"

#define T0 1700000000 /* 2023-11-14 22:13:20 UTC */

static void set_tz(const char *tz) {
    setenv("TZ", tz, 1);
    tzset();
}

/* Feeds records (time in ms from T0, bytes) and returns, for each, the
 * reason it started a new file ('-' none, 'S'ize, 'P'ackets, 'D'uration),
 * as a string. The first record opens the first file. */
struct rec {
    int64_t ms;
    uint64_t bytes;
};

static void feed(struct sink_split *s, const struct rec *r, size_t n,
                 char *out) {
    for (size_t i = 0; i < n; i++) {
        int64_t sec = T0 + r[i].ms / 1000;
        uint32_t nsec = (uint32_t)(r[i].ms % 1000) * 1000000u;
        enum sink_split_why why = sink_split_check(s, sec, nsec, r[i].bytes);
        static const char code[] = {'-', 'S', 'P', 'D'};
        out[i] = code[why];
        if (i == 0 || why != SPLIT_NO)
            sink_split_begin(s, sec, nsec, 24);
        sink_split_add(s, r[i].bytes);
    }
    out[n] = '\0';
}

static void decisions(void **state) {
    (void)state;
    static const struct rec recs[] = {
        {0, 100},    {100, 100},  {200, 100},  {300, 1000}, {400, 100},
        {1999, 100}, {2000, 100}, {2001, 5000}, {2002, 100}, {9000, 100},
    };
    static const struct {
        uint64_t bytes, packets;
        int64_t period;
        const char *want;
    } t[] = {
        {0, 0, 0, "----------"},
        /* Files of at most 324 bytes: 24 of header and three records of
         * 100, or one larger record alone. */
        {324, 0, 0, "---SS--SS-"},
        {0, 3, 0, "---P--P--P"},
        {0, 0, 2, "------D--D"},
        /* The first reached wins. */
        {324, 4, 2, "---SS--SSD"},
        {2000, 4, 2, "----P--SSD"},
        {0, 2, 2, "--P-P-P-PD"},
    };
    char got[16];
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(t); i++) {
        struct sink_split s = {.max_bytes = t[i].bytes,
                               .max_packets = t[i].packets,
                               .period = t[i].period};
        feed(&s, recs, TRAWL_ARRAY_LEN(recs), got);
        assert_string_equal(got, t[i].want);
    }
}

/* A file with no packet takes any record, however large. */
static void first_record_always_fits(void **state) {
    (void)state;
    struct sink_split s = {.max_bytes = 100, .max_packets = 1};
    sink_split_begin(&s, T0, 0, 24);
    assert_int_equal(sink_split_check(&s, T0, 0, 5000), SPLIT_NO);
    sink_split_add(&s, 5000);
    assert_int_equal(sink_split_check(&s, T0, 0, 1), SPLIT_PACKETS);
}

static void aligned_periods(void **state) {
    (void)state;
    static const struct {
        const char *tz;
        const char *when; /* local time */
        int64_t period;
        const char *start, *end;
    } t[] = {
        {"UTC0", "2023-11-14 22:13:20", 300, "2023-11-14 22:10:00",
         "2023-11-14 22:15:00"},
        {"UTC0", "2023-11-14 22:15:00", 300, "2023-11-14 22:15:00",
         "2023-11-14 22:20:00"},
        {"UTC0", "2023-11-14 22:13:20", 3600, "2023-11-14 22:00:00",
         "2023-11-14 23:00:00"},
        /* Local midnight, not the epoch's: an hour in India starts at :00
         * local, which is :30 UTC. */
        {"IST-5:30", "2023-11-14 22:13:20", 3600, "2023-11-14 22:00:00",
         "2023-11-14 23:00:00"},
        /* 7 hours do not divide a day: the day's last period is 3 hours
         * and ends at midnight. */
        {"UTC0", "2023-11-14 22:13:20", 7 * 3600, "2023-11-14 21:00:00",
         "2023-11-15 00:00:00"},
        {"UTC0", "2023-11-14 00:00:00", 86400, "2023-11-14 00:00:00",
         "2023-11-15 00:00:00"},
        /* Summer time begins in Berlin on 2024-03-31 at 02:00 (clocks go
         * to 03:00): that day has 23 hours, and its periods still start at
         * midnight + k * 6 hours of elapsed time. */
        {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-03-31 07:30:00", 6 * 3600,
         "2024-03-31 07:00:00", "2024-03-31 13:00:00"},
        {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-03-31 19:30:00", 6 * 3600,
         "2024-03-31 19:00:00", "2024-04-01 00:00:00"},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(t); i++) {
        set_tz(t[i].tz);
        struct tm tm = {0};
        assert_non_null(strptime(t[i].when, "%Y-%m-%d %H:%M:%S", &tm));
        tm.tm_isdst = -1;
        int64_t when = (int64_t)mktime(&tm);
        int64_t start, end;
        sink_split_aligned(when, t[i].period, &start, &end);
        char s[32], e[32];
        time_t ts = (time_t)start, te = (time_t)end;
        strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", localtime(&ts));
        strftime(e, sizeof e, "%Y-%m-%d %H:%M:%S", localtime(&te));
        assert_string_equal(s, t[i].start);
        assert_string_equal(e, t[i].end);
    }
    set_tz("UTC0");
}

/* Aligned: a file begun at 22:13:20 ends at 22:15:00 on packets and on the
 * wall clock alike; a packet after an idle period opens the period it
 * falls in, not the next one after the last. */
static void aligned_split_and_expiry(void **state) {
    (void)state;
    set_tz("UTC0");
    struct sink_split s = {.period = 300, .align = true};
    sink_split_begin(&s, T0, 5, 24);
    assert_int_equal(s.start_sec, T0 - 200);
    assert_int_equal(s.start_nsec, 0);
    assert_int_equal(s.end_sec, T0 + 100);
    sink_split_add(&s, 100);
    assert_int_equal(sink_split_check(&s, T0 + 99, 999999999, 100), SPLIT_NO);
    assert_int_equal(sink_split_check(&s, T0 + 100, 0, 100), SPLIT_DURATION);
    assert_false(sink_split_expired(&s, T0 + 99, 999999999));
    assert_true(sink_split_expired(&s, T0 + 100, 0));
    sink_split_begin(&s, T0 + 1100, 0, 24);
    assert_int_equal(s.start_sec, T0 + 1000);
    assert_int_equal(s.end_sec, T0 + 1300);
    /* Not aligned: a period from the first packet, nanoseconds and all. */
    struct sink_split u = {.period = 60};
    sink_split_begin(&u, T0, 500, 24);
    sink_split_add(&u, 10);
    assert_int_equal(sink_split_check(&u, T0 + 60, 499, 10), SPLIT_NO);
    assert_int_equal(sink_split_check(&u, T0 + 60, 500, 10), SPLIT_DURATION);
    /* Without a period nothing expires; a closed file neither. */
    struct sink_split none = {.max_packets = 3};
    sink_split_begin(&none, T0, 0, 24);
    assert_false(sink_split_expired(&none, T0 + 1000000, 0));
    u.open = false;
    assert_false(sink_split_expired(&u, T0 + 1000000, 0));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decisions),
        cmocka_unit_test(first_record_always_fits),
        cmocka_unit_test(aligned_periods),
        cmocka_unit_test(aligned_split_and_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
