/* Unit tests of capture sessions as the hub drives them: what a packet
 * counts as (captured, ignored, dropped), start and end times, limits,
 * truncation by snap length and by a profile's first matching rule, and
 * waiting for room instead of dropping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/session.h"

static char err[512];
static uint8_t frames[2][128];

/* Ethernet + IPv4 + UDP to port `dport`, 100 bytes. */
static struct trawl_pkt udp(int which, uint16_t dport, int64_t sec) {
    uint8_t *f = frames[which];
    memset(f, 0, 128);
    memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
    uint8_t ip[20] = {0x45, 0, 0,  86, 0, 0, 0,  0, 64, 17,
                      0,    0, 10, 0,  0, 1, 10, 0, 0,  2};
    memcpy(f + 14, ip, 20);
    f[34] = 0x13;
    f[35] = 0x88;
    f[36] = (uint8_t)(dport >> 8);
    f[37] = (uint8_t)dport;
    f[38] = 0;
    f[39] = 66;
    return (struct trawl_pkt){
        .ts_sec = sec, .caplen = 100, .len = 100, .linktype = 1, .data = f};
}

static struct session *make(const char *filter,
                            void (*tweak)(struct session_spec *)) {
    struct session_spec spec = {.filter = strdup(filter),
                                .format = TRAWL_FORMAT_PCAPNG};
    if (tweak)
        tweak(&spec);
    struct session *s;
    int rc = session_new(&s, &spec, 0, err, sizeof err);
    assert_int_equal(rc, 0);
    return s;
}

static void offer(struct session *s, trawl_view *v, struct trawl_pkt *p) {
    trawl_view_set(v, p);
    uint32_t caplen;
    assert_true(session_offer(s, v, p, p->ts_sec * 1000000 + p->ts_nsec / 1000,
                              false, &caplen));
}

static void counts(struct session *s, uint64_t received, uint64_t captured,
                   uint64_t ignored, uint64_t dropped) {
    struct session_counters k;
    session_counters(s, &k);
    assert_int_equal(k.received, received);
    assert_int_equal(k.captured, captured);
    assert_int_equal(k.ignored, ignored);
    assert_int_equal(k.dropped, dropped);
}

static void filter_counts(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    struct session *s = make("udp.dstport == 53", NULL);
    for (int i = 0; i < 10; i++) {
        struct trawl_pkt p = udp(0, i % 2 ? 53 : 80, 1700000000);
        offer(s, v, &p);
    }
    counts(s, 10, 5, 5, 0);
    struct session_counters k;
    session_counters(s, &k);
    assert_int_equal(k.bytes, 500);
    assert_int_equal(k.captured_bytes, 500);
    assert_int_equal(session_ended(s), SESSION_RUNNING);
    session_unref(s);
    trawl_view_free(v);
}

static void bad_filter_refused(void **state) {
    (void)state;
    struct session_spec spec = {.filter = strdup("udp and prot == 1")};
    struct session *s;
    assert_int_equal(session_new(&s, &spec, 0, err, sizeof err), TRAWL_EEXPR);
    assert_non_null(strstr(err, "column 9"));
    struct session_spec p = {.filter = strdup(""), .profile = strdup("x")};
    p.profile_rules =
        json_pack("[{sssi}]", "expression", "ip ==", "snaplen", 64);
    assert_int_equal(session_new(&s, &p, 0, err, sizeof err), TRAWL_EEXPR);
    assert_non_null(strstr(err, "profile 'x' rule 1: "));
}

static void set_times(struct session_spec *sp) {
    sp->start_us = 1700000010LL * 1000000;
    sp->end_us = 1700000020LL * 1000000;
}

static void start_and_end_times(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    struct session *s = make("", set_times);
    for (int64_t t = 1700000005; t < 1700000030; t++) {
        struct trawl_pkt p = udp(0, 53, t);
        if (session_ended(s) == SESSION_RUNNING)
            offer(s, v, &p);
    }
    /* Before the start: ignored; the first at or after the end stops it
     * (and is not captured). */
    counts(s, 16, 10, 5, 0);
    assert_int_equal(session_ended(s), SESSION_END_TIME);
    session_unref(s);
    trawl_view_free(v);
}

static void limit_packets(struct session_spec *sp) {
    sp->max_packets = 3;
}

static void limit_bytes(struct session_spec *sp) {
    sp->max_bytes = 250;
    sp->snaplen = 0;
}

static void limits(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    struct session *s = make("", limit_packets);
    for (int i = 0; i < 5 && session_ended(s) == SESSION_RUNNING; i++) {
        struct trawl_pkt p = udp(0, 53, 1700000000);
        offer(s, v, &p);
    }
    counts(s, 3, 3, 0, 0);
    assert_int_equal(session_ended(s), SESSION_END_PACKETS);
    session_unref(s);
    s = make("", limit_bytes);
    for (int i = 0; i < 5 && session_ended(s) == SESSION_RUNNING; i++) {
        struct trawl_pkt p = udp(0, 53, 1700000000);
        offer(s, v, &p);
    }
    /* Two packets of 100 fit in 250 bytes; the third would not. */
    counts(s, 3, 2, 0, 0);
    assert_int_equal(session_ended(s), SESSION_END_BYTES);
    session_unref(s);
    trawl_view_free(v);
}

static void profile(struct session_spec *sp) {
    sp->profile = strdup("p");
    sp->profile_rules =
        json_pack("[{sssi},{sssi}]", "expression", "udp.dstport == 53",
                  "snaplen", 0, "expression", "udp", "snaplen", 64);
}

static void snap64(struct session_spec *sp) {
    sp->snaplen = 64;
}

/* The caplen of the packet the session queued last. */
static uint32_t queued_caplen(struct session *s) {
    struct trawl_pkt got;
    uint32_t last = 0;
    size_t n;
    while ((n = queue_peek(&s->q, &got)) != 0) {
        last = got.caplen;
        queue_pop(&s->q, n);
    }
    return last;
}

static void truncation(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    struct session *s = make("", snap64);
    struct trawl_pkt p = udp(0, 53, 1700000000);
    offer(s, v, &p);
    assert_int_equal(queued_caplen(s), 64);
    assert_int_equal(s->max_snaplen, 64);
    session_unref(s);
    s = make("", profile);
    p = udp(0, 53, 1700000000);
    offer(s, v, &p);
    assert_int_equal(queued_caplen(s), 100); /* first rule: whole */
    p = udp(0, 80, 1700000000);
    offer(s, v, &p);
    assert_int_equal(queued_caplen(s), 64); /* second rule */
    assert_int_equal(s->max_snaplen, 0);
    session_unref(s);
    trawl_view_free(v);
}

static void full_queue_drops_or_waits(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    struct session *s = make("", NULL);
    struct trawl_pkt p = udp(0, 53, 1700000000);
    trawl_view_set(v, &p);
    uint32_t caplen = 0;
    uint64_t fit = 0;
    while (queue_push(&s->q, &p, 100))
        fit++; /* fill the queue behind the session's back */
    assert_true(session_offer(s, v, &p, 0, false, &caplen));
    counts(s, 1, 0, 0, 1);
    assert_false(session_offer(s, v, &p, 0, true, &caplen));
    assert_int_equal(caplen, 100);
    counts(s, 2, 0, 0, 1); /* waiting: not counted yet */
    assert_false(session_retry(s, &p, caplen, 0, false));
    struct trawl_pkt got;
    queue_pop(&s->q, queue_peek(&s->q, &got));
    assert_true(session_retry(s, &p, caplen, 0, false));
    counts(s, 2, 1, 0, 1);
    /* Still full, and giving up: dropped. */
    assert_false(session_offer(s, v, &p, 0, true, &caplen));
    assert_true(session_retry(s, &p, caplen, 0, true));
    counts(s, 3, 1, 0, 2);
    /* Ended meanwhile: neither captured nor dropped. */
    assert_false(session_offer(s, v, &p, 0, true, &caplen));
    assert_true(session_end(s, SESSION_END_USER, "by test"));
    assert_false(session_end(s, SESSION_END_CLIENT, NULL));
    assert_true(session_retry(s, &p, caplen, 0, false));
    counts(s, 4, 1, 0, 2);
    assert_int_equal(session_ended(s), SESSION_END_USER);
    assert_string_equal(s->end_detail, "by test");
    (void)fit;
    session_unref(s);
    trawl_view_free(v);
}

static void json_view(void **state) {
    (void)state;
    struct session *s = make("udp", snap64);
    json_t *j = session_json(s, 0);
    assert_string_equal(json_string_value(json_object_get(j, "filter")), "udp");
    assert_string_equal(json_string_value(json_object_get(j, "state")),
                        "capturing");
    assert_int_equal(json_integer_value(json_object_get(j, "snaplen")), 64);
    assert_string_equal(json_string_value(json_object_get(j, "format")),
                        "pcapng");
    assert_non_null(json_object_get(json_object_get(j, "counters"), "dropped"));
    json_decref(j);
    session_end(s, SESSION_END_DURATION, NULL);
    j = session_json(s, 0);
    assert_string_equal(json_string_value(json_object_get(j, "end_reason")),
                        "duration limit reached");
    json_decref(j);
    session_unref(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filter_counts),
        cmocka_unit_test(bad_filter_refused),
        cmocka_unit_test(start_and_end_times),
        cmocka_unit_test(limits),
        cmocka_unit_test(truncation),
        cmocka_unit_test(full_queue_drops_or_waits),
        cmocka_unit_test(json_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
