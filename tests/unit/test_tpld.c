/* The test payload: what trawl gen stamps, a capture must read back, and
 * every kind of damage must show as the right status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "trawl/error.h"
#include "trawl/tpld.h"

/* A minimum-size frame: Ethernet, IPv4 and UDP headers (42 bytes) and
 * exactly the test payload, 60 bytes without the FCS. */
#define HDRS 42u
#define SMALL (HDRS + TRAWL_TPLD_LEN)

static void fill(uint8_t *f, size_t len) {
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(i * 7 + 3);
}

static const struct trawl_tpld sample = {
    .stream = 513, .seq = 0xdeadbeefu, .tx_ns = 123456789u, .fill_off = HDRS};

static void stamp_parse_round_trip(void **state) {
    (void)state;
    size_t sizes[] = {SMALL, 64, 1514, 9000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        uint8_t f[9000];
        fill(f, sizes[k]);
        assert_int_equal(trawl_tpld_stamp(f, sizes[k], &sample), 0);
        struct trawl_tpld got;
        assert_int_equal(trawl_tpld_parse(f, sizes[k], &got), TRAWL_TPLD_OK);
        assert_int_equal(got.stream, sample.stream);
        assert_int_equal(got.seq, sample.seq);
        assert_int_equal(got.tx_ns, sample.tx_ns);
        assert_int_equal(got.fill_off, sample.fill_off);
    }
}

static void headers_may_change(void **state) {
    (void)state;
    uint8_t f[SMALL + 100];
    fill(f, sizeof f);
    assert_int_equal(trawl_tpld_stamp(f, sizeof f, &sample), 0);
    /* A router rewrites MACs, TTL and checksums: the payload still holds. */
    for (size_t i = 0; i < HDRS; i++)
        f[i] ^= 0xff;
    struct trawl_tpld got;
    assert_int_equal(trawl_tpld_parse(f, sizeof f, &got), TRAWL_TPLD_OK);
}

static void damage_is_plderr(void **state) {
    (void)state;
    uint8_t f[200];
    /* Every byte the check covers, from the first fill byte to the last
     * byte of the sequence and time fields, turns the payload bad. The
     * first three bytes of the payload are its magic: damage there means
     * no payload at all. */
    for (size_t i = HDRS; i < sizeof f; i++) {
        fill(f, sizeof f);
        assert_int_equal(trawl_tpld_stamp(f, sizeof f, &sample), 0);
        f[i] ^= 0x10;
        struct trawl_tpld got;
        enum trawl_tpld_status st = trawl_tpld_parse(f, sizeof f, &got);
        size_t at = sizeof f - TRAWL_TPLD_LEN;
        assert_int_equal(st, i >= at && i < at + 3 ? TRAWL_TPLD_NONE
                                                   : TRAWL_TPLD_BAD);
    }
}

static void not_a_payload(void **state) {
    (void)state;
    uint8_t f[100];
    struct trawl_tpld got;
    fill(f, sizeof f);
    assert_int_equal(trawl_tpld_parse(f, sizeof f, &got), TRAWL_TPLD_NONE);
    memset(f, 0, sizeof f);
    assert_int_equal(trawl_tpld_parse(f, sizeof f, &got), TRAWL_TPLD_NONE);
    /* Too short to hold one. */
    assert_int_equal(trawl_tpld_parse(f, TRAWL_TPLD_LEN - 1, &got),
                     TRAWL_TPLD_NONE);
    /* The magic, but a fill offset past the payload's start. */
    fill(f, sizeof f);
    assert_int_equal(trawl_tpld_stamp(f, sizeof f, &sample), 0);
    f[sizeof f - TRAWL_TPLD_LEN + 3] = (uint8_t)(sizeof f - TRAWL_TPLD_LEN + 1);
    assert_int_equal(trawl_tpld_parse(f, sizeof f, &got), TRAWL_TPLD_NONE);
    /* A truncated capture (snap length) loses the payload at the end. */
    fill(f, sizeof f);
    assert_int_equal(trawl_tpld_stamp(f, sizeof f, &sample), 0);
    assert_int_not_equal(trawl_tpld_parse(f, 64, &got), TRAWL_TPLD_OK);
}

static void stamp_refuses_small_frames(void **state) {
    (void)state;
    uint8_t f[SMALL];
    assert_int_equal(trawl_tpld_stamp(f, TRAWL_TPLD_LEN - 1, &sample),
                     TRAWL_EINVAL);
    assert_int_equal(trawl_tpld_stamp(f, SMALL - 1, &sample), TRAWL_EINVAL);
    assert_int_equal(trawl_tpld_stamp(f, SMALL, &sample), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stamp_parse_round_trip),
        cmocka_unit_test(headers_may_change),
        cmocka_unit_test(damage_is_plderr),
        cmocka_unit_test(not_a_payload),
        cmocka_unit_test(stamp_refuses_small_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
