/* Unit tests of the decoders and the field registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

/* Ethernet / IPv4 / UDP 4789 / VXLAN / Ethernet / IPv4 / TCP with MSS. */
static const uint8_t vxlan_pkt[] = {
    0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,
    0x45, 0, 0, 0x5e, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0xc3, 0x50, 0x12, 0xb5, 0, 0x4a, 0, 0,
    0x08, 0, 0, 0, 0, 0x13, 0x88, 0,
    0x02, 0, 0, 0, 0, 0xbb, 0x02, 0, 0, 0, 0, 0xaa, 0x08, 0x00,
    0x45, 0, 0, 0x2c, 0, 2, 0, 0, 64, 6, 0, 0, 172, 16, 0, 1, 172, 16, 0, 2,
    0x00, 0x0f, 0x00, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 0x02, 0xff, 0xff,
    0, 0, 0, 0, 0x02, 0x04, 0x05, 0xb4,
};

static void view_of(trawl_view *v, struct trawl_pkt *p, const uint8_t *data,
                    size_t len, int linktype) {
    memset(p, 0, sizeof *p);
    p->data = data;
    p->caplen = p->len = (uint32_t)len;
    p->linktype = linktype;
    trawl_view_set(v, p);
}

struct join {
    char buf[512];
};

static bool join_value(void *ctx, const trawl_field *f,
                       const struct trawl_value *val) {
    struct join *j = ctx;
    char one[128];
    trawl_value_format(f, val, one, sizeof one);
    if (j->buf[0])
        strcat(j->buf, ",");
    strcat(j->buf, one);
    return true;
}

/* The field's values, tshark style ("a,b"), or "" when absent. */
static const char *field(trawl_view *v, const char *name) {
    static struct join j;
    const trawl_field *f = trawl_field_lookup(name);
    assert_non_null(f);
    j.buf[0] = '\0';
    trawl_view_field_each(v, f, join_value, &j);
    return j.buf;
}

static void test_vxlan_layers_and_fields(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    struct trawl_pkt p;
    view_of(v, &p, vxlan_pkt, sizeof vxlan_pkt, 1);
    static const char *const want[] = {"frame", "eth", "ip",  "udp",
                                       "vxlan", "eth", "ip",  "tcp"};
    assert_int_equal(trawl_view_layer_count(v), 8);
    for (size_t i = 0; i < 8; i++) {
        struct trawl_layer_info li;
        assert_true(trawl_view_layer(v, i, &li));
        assert_string_equal(li.name, want[i]);
    }
    assert_string_equal(field(v, "ip.src"), "10.0.0.1,172.16.0.1");
    assert_string_equal(field(v, "IP.dst"), "10.0.0.2,172.16.0.2");
    assert_string_equal(field(v, "vxlan.vni"), "5000");
    assert_string_equal(field(v, "tcp.port"), "15,16");
    assert_string_equal(field(v, "TCP.src_port"), "15");
    assert_string_equal(field(v, "tcp.flags"), "0x0002");
    assert_string_equal(field(v, "tcp.flags.syn"), "1");
    assert_string_equal(field(v, "tcp.options.mss_val"), "1460");
    assert_string_equal(field(v, "eth.type"), "0x0800,0x0800");
    assert_string_equal(field(v, "frame.number"), "1");
    /* Header checksums here are zero, so the IPv4 anomaly is set. */
    assert_string_equal(field(v, "ipv4.bad_checksum"), "1");
    trawl_view_free(v);
}

/* Decoding every prefix of the packet never reads past the captured
 * bytes (ASan watches) and never makes a layer that does. */
static void test_every_truncation(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    for (size_t cut = 0; cut <= sizeof vxlan_pkt; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, vxlan_pkt, cut);
        struct trawl_pkt p;
        view_of(v, &p, copy, cut, 1);
        size_t n = trawl_view_layer_count(v);
        for (size_t i = 0; i < n; i++) {
            struct trawl_layer_info li;
            assert_true(trawl_view_layer(v, i, &li));
            assert_true(li.offset + li.length <= cut);
        }
        for (size_t i = 0; i < trawl_field_count(); i++)
            trawl_view_field_each(v, trawl_field_at(i), join_value,
                                  &(struct join){{0}});
        free(copy);
    }
    trawl_view_free(v);
}

static void test_depth_is_capped(void **state) {
    (void)state;
    uint8_t pkt[14 + 40 * 4 + 20];
    memset(pkt, 0, sizeof pkt);
    pkt[12] = 0x81;
    for (int i = 0; i < 40; i++) {
        pkt[14 + 4 * i + 1] = (uint8_t)i;
        pkt[14 + 4 * i + 2] = 0x81;
    }
    trawl_view *v = trawl_view_new();
    struct trawl_pkt p;
    view_of(v, &p, pkt, sizeof pkt, 1);
    assert_int_equal(trawl_view_layer_count(v), DECODE_MAX_LAYERS);
    assert_string_equal(field(v, "frame.depth_exceeded"), "1");
    trawl_view_free(v);
}

static void test_anomalies(void **state) {
    (void)state;
    /* IPv4 header length 16 (IHL 4). */
    uint8_t bad[34] = {[12] = 0x08, [14] = 0x44};
    trawl_view *v = trawl_view_new();
    struct trawl_pkt p;
    view_of(v, &p, bad, sizeof bad, 1);
    const char *names[4];
    assert_int_equal(trawl_view_anomalies(v, names, 4), 1);
    assert_string_equal(names[0], "ipv4.hlen_too_small");
    assert_string_equal(field(v, "ipv4.hlen_too_small"), "1");
    trawl_view_free(v);
}

static void test_link_types(void **state) {
    (void)state;
    /* BSD loopback in both byte orders, then raw IPv6. */
    uint8_t null_le[4 + 40] = {30, 0, 0, 0, 0x60};
    uint8_t null_be[4 + 20] = {0, 0, 0, 2, 0x45};
    uint8_t raw6[40] = {0x60, [6] = 59, [8] = 0x20, [9] = 0x01};
    trawl_view *v = trawl_view_new();
    struct trawl_pkt p;
    view_of(v, &p, null_le, sizeof null_le, 0);
    assert_string_equal(field(v, "null.family"), "30");
    assert_string_equal(field(v, "ipv6.nxt"), "0");
    view_of(v, &p, null_be, sizeof null_be, 0);
    assert_string_equal(field(v, "ip.version"), "4");
    view_of(v, &p, raw6, sizeof raw6, 101);
    assert_string_equal(field(v, "ipv6.src"), "2001::");
    trawl_view_free(v);
}

static void test_lookup(void **state) {
    (void)state;
    assert_ptr_equal(trawl_field_lookup("IP.SRC"), trawl_field_lookup("ip.src"));
    assert_ptr_equal(trawl_field_lookup("TCP.flags.ACK"),
                     trawl_field_lookup("tcp.flags.ack"));
    assert_ptr_equal(trawl_field_lookup("TCP.dst_port"),
                     trawl_field_lookup("tcp.dstport"));
    assert_null(trawl_field_lookup("ip.sorce"));
    assert_true(trawl_field_count() > 150);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vxlan_layers_and_fields),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_depth_is_capped),
        cmocka_unit_test(test_anomalies),
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
