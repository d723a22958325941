/* The field registry's value formatting (the hand-written fast paths must
 * print exactly what snprintf would) and the per-layer field walk that
 * -V and JSON use. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

static const trawl_field *field(const char *name) {
    const trawl_field *f = trawl_field_lookup(name);
    assert_non_null(f);
    return f;
}

static void check(const trawl_field *f, const struct trawl_value *v,
                  const char *want) {
    char buf[64];
    size_t n = trawl_value_format(f, v, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    /* Truncation as snprintf: NUL-terminated, the full length returned. */
    for (size_t len = 0; len <= strlen(want); len++) {
        char small[64];
        memset(small, 'Z', sizeof small);
        assert_int_equal(trawl_value_format(f, v, small, len), strlen(want));
        if (len) {
            assert_memory_equal(small, want, len - 1);
            assert_int_equal(small[len - 1], '\0');
        }
        assert_int_equal(small[len], 'Z');
    }
}

static void test_decimal(void **state) {
    (void)state;
    static const uint64_t values[] = {
        0, 1, 9, 10, 99, 100, 65535, 4294967295u, 1000000000000ull, UINT64_MAX};
    const trawl_field *f = field("tcp.srcport");
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        struct trawl_value v = {.type = TRAWL_FT_UINT, .u = values[i]};
        char want[32];
        snprintf(want, sizeof want, "%" PRIu64, values[i]);
        check(f, &v, want);
    }
}

static void test_hex_width(void **state) {
    (void)state;
    /* eth.type is shown with four hex digits, as tshark does. */
    const trawl_field *f = field("eth.type");
    struct trawl_value v = {.type = TRAWL_FT_UINT, .u = 0x800};
    check(f, &v, "0x0800");
    v.u = 0x88cc;
    check(f, &v, "0x88cc");
    v.u = 0x123456;
    check(f, &v, "0x123456");
    v.u = 0;
    check(f, &v, "0x0000");
}

static void test_ipv4_and_bool(void **state) {
    (void)state;
    struct trawl_value v = {.type = TRAWL_FT_IPV4,
                            .addr = {192, 168, 100, 200}};
    check(field("ip.src"), &v, "192.168.100.200");
    memset(v.addr, 0, 4);
    check(field("ip.src"), &v, "0.0.0.0");
    struct trawl_value b = {.type = TRAWL_FT_BOOL, .u = 1};
    check(field("ip.flags.df"), &b, "1");
    b.u = 0;
    check(field("ip.flags.df"), &b, "0");
}

struct seen {
    char names[64][48];
    size_t n;
    uint64_t vlan_id;
};

static bool collect(void *ctx, const trawl_field *f,
                    const struct trawl_value *val) {
    struct seen *s = ctx;
    if (strcmp(trawl_field_name(f), "vlan.id") == 0)
        s->vlan_id = val->u;
    if (s->n < 64)
        snprintf(s->names[s->n++], sizeof s->names[0], "%s",
                 trawl_field_name(f));
    return true;
}

static bool seen(const struct seen *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->names[i], name) == 0)
            return true;
    return false;
}

/* Two VLAN tags: each layer yields its own fields only. */
static void test_layer_fields(void **state) {
    (void)state;
    static const uint8_t frame[] = {
        0x02, 0,    0,    0,    0, 2, 0x02, 0, 0, 0, 0, 1, 0x81, 0x00, /* eth */
        0x00, 0x0a, 0x81, 0x00, /* vlan 10 */
        0x00, 0x14, 0x08, 0x06, /* vlan 20 */
        0,    1,    8,    0,    6, 4, 0,    1, 2, 0, 0, 0, 0,    1,
        10,   0,    0,    1, /* arp */
        0,    0,    0,    0,    0, 0, 10,   0, 0, 2};
    struct trawl_pkt pkt = {.caplen = sizeof frame,
                            .len = sizeof frame,
                            .linktype = 1,
                            .data = frame};
    trawl_view *v = trawl_view_new();
    assert_non_null(v);
    trawl_view_set(v, &pkt);
    assert_int_equal(trawl_view_layer_count(v), 5);
    struct trawl_layer_info li;
    assert_true(trawl_view_layer(v, 2, &li));
    assert_string_equal(li.name, "vlan");
    static const uint64_t want[] = {10, 20};
    for (size_t layer = 2; layer <= 3; layer++) {
        struct seen s = {0};
        trawl_view_layer_fields(v, layer, collect, &s);
        assert_true(seen(&s, "vlan.id"));
        assert_false(seen(&s, "eth.src"));
        assert_false(seen(&s, "arp.opcode"));
        assert_int_equal(s.vlan_id, want[layer - 2]);
    }
    struct seen frame_fields = {0};
    trawl_view_layer_fields(v, 0, collect, &frame_fields);
    assert_true(seen(&frame_fields, "frame.len"));
    struct seen none = {0};
    assert_int_equal(trawl_view_layer_fields(v, 99, collect, &none), 0);
    assert_int_equal(none.n, 0);
    trawl_view_free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_hex_width),
        cmocka_unit_test(test_ipv4_and_bool),
        cmocka_unit_test(test_layer_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
