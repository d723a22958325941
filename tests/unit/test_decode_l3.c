/* Unit tests of the network- and transport-layer decoders: IPv4, IPv6 and
 * its extension headers, TCP, UDP, ICMP, ICMPv6, SCTP, IGMP, GRE, VXLAN.
 * Expected values are what tshark 4.0 prints for the same bytes
 * (`tshark -T fields -o ip.defragment:FALSE -o ipv6.defragment:FALSE`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "l3_packets.h"

enum { LINKTYPE_ETHERNET = 1, LINKTYPE_RAW = 101 };

/* ---- helpers ----------------------------------------------------------- */

struct fixture {
    trawl_view *v;
    struct trawl_pkt pkt;
    uint8_t buf[4096]; /* a packet the test changes */
};

static int setup(void **state) {
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    fx->v = trawl_view_new();
    *state = fx;
    return fx->v ? 0 : -1;
}

static int teardown(void **state) {
    struct fixture *fx = *state;
    trawl_view_free(fx->v);
    free(fx);
    return 0;
}

/* Points the view at `len` bytes of `data`, of which `caplen` were
 * captured. */
static trawl_view *view_cut(struct fixture *fx, const uint8_t *data,
                            size_t caplen, size_t len, int linktype) {
    memset(&fx->pkt, 0, sizeof fx->pkt);
    fx->pkt.data = data;
    fx->pkt.caplen = (uint32_t)caplen;
    fx->pkt.len = (uint32_t)len;
    fx->pkt.linktype = linktype;
    trawl_view_set(fx->v, &fx->pkt);
    return fx->v;
}

static trawl_view *view(struct fixture *fx, const uint8_t *data, size_t len) {
    return view_cut(fx, data, len, len, LINKTYPE_ETHERNET);
}

/* A copy of a packet in the fixture's buffer, to change. */
static uint8_t *copy(struct fixture *fx, const uint8_t *data, size_t len) {
    assert_true(len <= sizeof fx->buf);
    memset(fx->buf, 0, sizeof fx->buf);
    memcpy(fx->buf, data, len);
    return fx->buf;
}

struct join {
    char buf[1024];
};

static bool join_value(void *ctx, const trawl_field *f,
                       const struct trawl_value *val) {
    struct join *j = ctx;
    char one[256];
    trawl_value_format(f, val, one, sizeof one);
    size_t n = strlen(j->buf);
    snprintf(j->buf + n, sizeof j->buf - n, "%s%s", n ? "," : "", one);
    return true;
}

/* The field's values as `tshark -T fields` prints them ("a,b"), or ""
 * when the packet has none. */
static const char *field(trawl_view *v, const char *name) {
    static struct join j;
    const trawl_field *f = trawl_field_lookup(name);
    if (!f)
        fail_msg("no field %s", name);
    j.buf[0] = '\0';
    trawl_view_field_each(v, f, join_value, &j);
    return j.buf;
}

#define assert_field(v, name, want) assert_string_equal(field(v, name), want)

/* The anomalies of the packet, comma-separated, in list order. */
static const char *anomalies(trawl_view *v) {
    static char buf[512];
    const char *names[64];
    size_t n = trawl_view_anomalies(v, names, 64);
    buf[0] = '\0';
    for (size_t i = 0; i < n && i < 64; i++) {
        size_t k = strlen(buf);
        snprintf(buf + k, sizeof buf - k, "%s%s", i ? "," : "", names[i]);
    }
    return buf;
}

/* The layers' names, "eth,ip,udp". */
static const char *layers(trawl_view *v) {
    static char buf[512];
    size_t n = trawl_view_layer_count(v);
    buf[0] = '\0';
    for (size_t i = 1; i < n; i++) { /* layer 0 is the frame */
        struct trawl_layer_info li;
        assert_true(trawl_view_layer(v, i, &li));
        size_t k = strlen(buf);
        snprintf(buf + k, sizeof buf - k, "%s%s", i > 1 ? "," : "", li.name);
    }
    return buf;
}

static void assert_layer(trawl_view *v, size_t i, const char *name,
                         uint32_t offset, uint32_t length) {
    struct trawl_layer_info li;
    assert_true(trawl_view_layer(v, i, &li));
    assert_string_equal(li.name, name);
    assert_int_equal(li.offset, offset);
    assert_int_equal(li.length, length);
}

/* Recomputes the IPv4 header checksum of the header at `off`. */
static void fix_ip_csum(uint8_t *p, size_t off) {
    uint8_t *h = p + off;
    size_t hlen = (size_t)(h[0] & 0x0f) * 4;
    h[10] = h[11] = 0;
    uint16_t sum = decode_csum_fold(decode_csum_add(0, h, hlen));
    h[10] = (uint8_t)(sum >> 8);
    h[11] = (uint8_t)sum;
}

/* ---- whole packets, field by field ------------------------------------- */

static void test_tcp_syn_fields(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_tcp_syn, sizeof pkt_tcp_syn);
    assert_string_equal(layers(v), "eth,ip,tcp");
    assert_layer(v, 2, "ip", 14, 20);
    assert_layer(v, 3, "tcp", 34, 40);
    assert_int_equal(trawl_view_payload_offset(v), 74);
    static const char *const want[][2] = {
        {"ip.version", "4"},
        {"ip.hdr_len", "20"},
        {"ip.dsfield", "0xb9"},
        {"ip.dsfield.dscp", "46"},
        {"ip.dsfield.ecn", "1"},
        {"ip.len", "60"},
        {"ip.id", "0x1234"},
        {"ip.flags", "0x02"},
        {"ip.flags.rb", "0"},
        {"ip.flags.df", "1"},
        {"ip.flags.mf", "0"},
        {"ip.frag_offset", "0"},
        {"ip.ttl", "64"},
        {"ip.proto", "6"},
        {"ip.checksum", "0x5d25"},
        {"ip.checksum.status", "2"},
        {"ip.src", "10.0.0.1"},
        {"ip.dst", "192.168.0.1"},
        {"ip.addr", "10.0.0.1,192.168.0.1"},
        {"tcp.srcport", "40000"},
        {"tcp.dstport", "80"},
        {"tcp.port", "40000,80"},
        {"tcp.seq_raw", "16909060"},
        {"tcp.ack_raw", "0"},
        {"tcp.hdr_len", "40"},
        {"tcp.flags", "0x0002"},
        {"tcp.flags.res", "0"},
        {"tcp.flags.ae", "0"},
        {"tcp.flags.cwr", "0"},
        {"tcp.flags.ece", "0"},
        {"tcp.flags.urg", "0"},
        {"tcp.flags.ack", "0"},
        {"tcp.flags.push", "0"},
        {"tcp.flags.reset", "0"},
        {"tcp.flags.syn", "1"},
        {"tcp.flags.fin", "0"},
        {"tcp.window_size_value", "65535"},
        {"tcp.checksum", "0xdc5b"},
        {"tcp.checksum.status", "2"},
        {"tcp.urgent_pointer", "0"},
        {"tcp.len", "0"},
        {"tcp.option_kind", "2,4,8,1,3"},
        {"tcp.option_len", "4,2,10,3"},
        {"tcp.options.mss_val", "1460"},
        {"tcp.options.wscale.shift", "7"},
        {"tcp.options.sack_perm", "0402"},
        {"tcp.options.timestamp.tsval", "100"},
        {"tcp.options.timestamp.tsecr", "0"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *got = field(v, want[i][0]);
        if (strcmp(got, want[i][1]) != 0)
            fail_msg("%s: got '%s', want '%s'", want[i][0], got, want[i][1]);
    }
    assert_string_equal(anomalies(v), "");
}

/* Ethernet pads a short frame to 60 bytes: the padding belongs to no
 * layer, and UDP's length bounds its payload. */
static void test_udp_and_padding(void **state) {
    struct fixture *fx = *state;
    uint8_t *p = copy(fx, pkt_udp_pad, sizeof pkt_udp_pad);
    trawl_view *v = view(fx, p, 60);
    assert_string_equal(layers(v), "eth,ip,udp,data");
    assert_layer(v, 3, "udp", 34, 8);
    assert_layer(v, 4, "data", 42, 2);
    assert_field(v, "udp.srcport", "53");
    assert_field(v, "udp.dstport", "1053");
    assert_field(v, "udp.port", "53,1053");
    assert_field(v, "udp.length", "10");
    assert_field(v, "udp.checksum", "0xc874");
    assert_field(v, "udp.checksum.status", "2");
    assert_field(v, "ip.len", "30");
    assert_field(v, "data.len", "2");
    assert_string_equal(anomalies(v), "");
    /* Without a checksum: "not present" over IPv4. */
    p[40] = p[41] = 0;
    v = view(fx, p, 60);
    assert_field(v, "udp.checksum.status", "3");
}

static void test_ipv6_extension_chain(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_v6ext, sizeof pkt_v6ext);
    assert_string_equal(layers(v),
                        "eth,ipv6,ipv6ext,ipv6ext,ipv6ext,ipv6ext,udp,data");
    assert_layer(v, 2, "ipv6", 14, 40);
    assert_layer(v, 3, "ipv6ext", 54, 8);  /* hop-by-hop */
    assert_layer(v, 4, "ipv6ext", 62, 24); /* routing, one address */
    assert_layer(v, 5, "ipv6ext", 86, 8);  /* destination options */
    assert_layer(v, 6, "ipv6ext", 94, 8);  /* fragment */
    assert_layer(v, 7, "udp", 102, 8);
    /* frame.protocols names each kind of extension header, as tshark. */
    assert_field(v, "frame.protocols",
                 "eth:ethertype:ipv6:ipv6.hopopts:ipv6.routing:ipv6.dstopts:"
                 "ipv6.fraghdr:udp:data");
    assert_field(v, "ipv6.version", "6");
    assert_field(v, "ip.version", "6");
    assert_field(v, "ipv6.tclass", "0x000000b9");
    assert_field(v, "ipv6.tclass.dscp", "46");
    assert_field(v, "ipv6.tclass.ecn", "1");
    assert_field(v, "ipv6.flow", "0x012345");
    assert_field(v, "ipv6.plen", "60");
    assert_field(v, "ipv6.nxt", "0");
    assert_field(v, "ipv6.hlim", "7");
    assert_field(v, "ipv6.src", "2001:db8::1");
    assert_field(v, "ipv6.dst", "2001:db8::2");
    assert_field(v, "ipv6.addr", "2001:db8::1,2001:db8::2");
    assert_field(v, "ipv6.hopopts.nxt", "43");
    assert_field(v, "ipv6.hopopts.len", "0");
    assert_field(v, "ipv6.hopopts.len_oct", "8");
    assert_field(v, "ipv6.routing.nxt", "60");
    assert_field(v, "ipv6.routing.len", "2");
    assert_field(v, "ipv6.routing.type", "0");
    assert_field(v, "ipv6.routing.segleft", "0");
    assert_field(v, "ipv6.dstopts.nxt", "44");
    assert_field(v, "ipv6.fraghdr.nxt", "17");
    assert_field(v, "ipv6.fraghdr.offset", "0");
    assert_field(v, "ipv6.fraghdr.more", "1");
    assert_field(v, "ipv6.fraghdr.ident", "0xabcdef01");
    /* A first fragment shows its transport header, but no checksum
     * verdict: the rest of the datagram is elsewhere. */
    assert_field(v, "udp.srcport", "1");
    assert_field(v, "udp.checksum.status", "2");
    assert_string_equal(anomalies(v), "");
}

static void test_fragments(void **state) {
    struct fixture *fx = *state;
    /* A later IPv6 fragment is data. */
    trawl_view *v = view(fx, pkt_v6frag2, sizeof pkt_v6frag2);
    assert_string_equal(layers(v), "eth,ipv6,ipv6ext,data");
    assert_field(v, "ipv6.fraghdr.offset", "100");
    assert_field(v, "ipv6.fraghdr.more", "0");
    assert_field(v, "data.len", "14");
    assert_field(v, "udp.srcport", "");

    /* An atomic fragment (offset 0, M clear: RFC 6946) is the whole
     * datagram: the segment has a length. Raw IPv6, a fragment header,
     * TCP and 4 bytes of payload. */
    static const uint8_t atomic[] = {
        0x60, 0, 0, 0, 0, 32, 44, 64, /* payload length 32, fragment */
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
        6, 0, 0x00, 0x00, 0, 0, 0, 0x99, /* TCP, offset 0, M clear */
        0, 3, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0x00,
        0, 0, 0, 0, 'a', 'b', 'c', 'd'};
    uint8_t *p = copy(fx, atomic, sizeof atomic);
    v = view_cut(fx, p, sizeof atomic, sizeof atomic, LINKTYPE_RAW);
    assert_string_equal(layers(v), "ipv6,ipv6ext,tcp,data");
    assert_field(v, "ipv6.fraghdr.more", "0");
    assert_field(v, "tcp.len", "4");
    p[43] = 1; /* M: a first fragment, whose length is not known */
    v = view_cut(fx, p, sizeof atomic, sizeof atomic, LINKTYPE_RAW);
    assert_field(v, "tcp.len", "");

    /* IPv4: a first fragment (MF) decodes TCP but has no segment length
     * and no checksum verdict; a later one (offset 8) is data. */
    p = copy(fx, pkt_tcp_syn, sizeof pkt_tcp_syn);
    p[20] = 0x20; /* MF */
    fix_ip_csum(p, 14);
    p[50] ^= 0xff; /* a TCP checksum that would be wrong */
    v = view(fx, p, sizeof pkt_tcp_syn);
    assert_string_equal(layers(v), "eth,ip,tcp");
    assert_field(v, "ip.flags.mf", "1");
    assert_field(v, "ip.flags", "0x01");
    assert_field(v, "tcp.srcport", "40000");
    assert_field(v, "tcp.len", "");
    assert_string_equal(anomalies(v), "");
    p[21] = 1; /* offset 1 (8 bytes) */
    fix_ip_csum(p, 14);
    v = view(fx, p, sizeof pkt_tcp_syn);
    assert_string_equal(layers(v), "eth,ip,data");
    assert_field(v, "ip.frag_offset", "1");
    assert_field(v, "tcp.srcport", "");
}

static void test_gre(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_gre, sizeof pkt_gre);
    assert_string_equal(layers(v), "eth,ip,gre,ip,udp");
    assert_layer(v, 3, "gre", 34, 12);
    assert_field(v, "gre.flags_and_version", "0x3000");
    assert_field(v, "gre.flags.checksum", "0");
    assert_field(v, "gre.flags.key", "1");
    assert_field(v, "gre.flags.sequence_number", "1");
    assert_field(v, "gre.flags.version", "0");
    assert_field(v, "gre.proto", "0x0800");
    assert_field(v, "gre.key", "0x00001234");
    assert_field(v, "gre.sequence_number", "9");
    assert_field(v, "gre.checksum", "");
    assert_field(v, "ip.src", "10.0.0.1,172.16.0.1");
    assert_field(v, "ip.dst", "192.168.0.1,172.16.0.2");
    assert_field(v, "udp.port", "7,8");

    /* Transparent Ethernet bridging carries a whole frame. */
    v = view(fx, pkt_gre_eth, sizeof pkt_gre_eth);
    assert_string_equal(layers(v), "eth,ip,gre,eth,ip,icmp");
    assert_field(v, "gre.proto", "0x6558");
    assert_field(v, "eth.src", "02:00:00:00:00:01,02:00:00:00:00:aa");
    assert_field(v, "ip.src", "10.0.0.1,172.16.0.1");
    assert_field(v, "icmp.checksum.status", "1");

    /* Version 1 (PPTP): the key is not a key, the payload is PPP. */
    uint8_t *p = copy(fx, pkt_gre, sizeof pkt_gre);
    p[35] |= 1;
    v = view(fx, p, sizeof pkt_gre);
    assert_string_equal(layers(v), "eth,ip,gre,data");
    assert_field(v, "gre.key", "");
    assert_field(v, "gre.sequence_number", "9");
}

static void test_gre_checksum(void **state) {
    struct fixture *fx = *state;
    /* Checksum present: a 4-byte field (checksum, reserved) first. */
    uint8_t *p = copy(fx, pkt_gre_eth, sizeof pkt_gre_eth);
    size_t n = sizeof pkt_gre_eth;
    memmove(p + 38 + 4, p + 38, n - 38);
    memset(p + 38, 0, 4);
    n += 4;
    p[16] = (uint8_t)((n - 14) >> 8);
    p[17] = (uint8_t)(n - 14);
    fix_ip_csum(p, 14);
    p[34] = 0x80;
    uint16_t sum = decode_csum_fold(decode_csum_add(0, p + 34, n - 34));
    p[38] = (uint8_t)(sum >> 8);
    p[39] = (uint8_t)sum;
    trawl_view *v = view(fx, p, n);
    assert_string_equal(layers(v), "eth,ip,gre,eth,ip,icmp");
    assert_layer(v, 3, "gre", 34, 8);
    assert_field(v, "gre.flags.checksum", "1");
    char want[16];
    snprintf(want, sizeof want, "0x%04x", sum);
    assert_field(v, "gre.checksum", want);
    assert_field(v, "gre.checksum.status", "1");
    p[39] ^= 1;
    v = view(fx, p, n);
    assert_field(v, "gre.checksum.status", "0");
}

static void test_vxlan(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_vxlan, sizeof pkt_vxlan);
    assert_string_equal(layers(v), "eth,ip,udp,vxlan,eth,ipv6,tcp,data");
    assert_layer(v, 4, "vxlan", 42, 8);
    assert_layer(v, 5, "eth", 50, 14);
    assert_field(v, "vxlan.flags", "0x0c00");
    assert_field(v, "vxlan.flag_i", "1");
    assert_field(v, "vxlan.vni", "4242");
    assert_field(v, "udp.dstport", "4789");
    assert_field(v, "eth.dst", "02:00:00:00:00:02,02:00:00:00:00:bb");
    assert_field(v, "ip.version", "4,6");
    assert_field(v, "ipv6.src", "2001:db8::1");
    assert_field(v, "tcp.flags", "0x0018");
    assert_field(v, "tcp.len", "1");
}

static void test_ip_in_ip(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_ipip, sizeof pkt_ipip);
    assert_string_equal(layers(v), "eth,ip,ip,udp");
    assert_field(v, "ip.src", "10.0.0.1,172.16.2.1");
    assert_field(v, "ip.dst", "192.168.0.1,172.16.2.2");
    assert_field(v, "ip.addr", "10.0.0.1,192.168.0.1,172.16.2.1,172.16.2.2");
    assert_field(v, "ip.proto", "4,17");
    assert_field(v, "udp.port", "17,18");
}

/* A tunnel nest deeper than the layer stack stops decoding at the cap. */
static void test_depth_cap(void **state) {
    struct fixture *fx = *state;
    enum { NEST = 40 };
    uint8_t *p = copy(fx, pkt_ipip, 14);
    size_t n = 14;
    for (int i = 0; i < NEST; i++, n += 20) {
        uint8_t *h = p + n;
        h[0] = 0x45;
        h[2] = (uint8_t)((20 * (NEST - i) + 8) >> 8);
        h[3] = (uint8_t)(20 * (NEST - i) + 8);
        h[8] = 64;
        h[9] = i == NEST - 1 ? 17 : 4;
        h[12] = 10;
        h[15] = (uint8_t)i;
        h[16] = 10;
        h[19] = 255;
        fix_ip_csum(p, n);
    }
    n += 8; /* a zeroed UDP header */
    p[n - 4] = 0;
    p[n - 3] = 8;
    trawl_view *v = view(fx, p, n);
    assert_int_equal(trawl_view_layer_count(v), DECODE_MAX_LAYERS);
    assert_string_equal(anomalies(v), "frame.depth_exceeded");
    const trawl_field *src = trawl_field_lookup("ip.src");
    assert_int_equal(trawl_view_field_each(v, src, NULL, NULL),
                     DECODE_MAX_LAYERS - 2);
    struct trawl_value val;
    assert_true(trawl_view_field(v, src, &val));
    assert_int_equal(val.addr[3], 0); /* outermost first */
}

static void test_icmp(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_icmp_echo, sizeof pkt_icmp_echo);
    assert_string_equal(layers(v), "eth,ip,icmp,data");
    assert_field(v, "icmp.type", "8");
    assert_field(v, "icmp.code", "0");
    assert_field(v, "icmp.checksum", "0x1529");
    assert_field(v, "icmp.checksum.status", "1");
    assert_field(v, "icmp.ident", "258");
    assert_field(v, "icmp.seq", "772");
    assert_field(v, "icmp.ident_le", "513");
    assert_field(v, "icmp.seq_le", "1027");
    uint8_t *p = copy(fx, pkt_icmp_echo, sizeof pkt_icmp_echo);
    p[36] ^= 0x10;
    v = view(fx, p, sizeof pkt_icmp_echo);
    assert_field(v, "icmp.checksum.status", "0");
    /* Extended echo (RFC 8335) has the identifier; its 8-bit sequence
     * number is not icmp.seq. */
    for (uint8_t type = 42; type <= 43; type++) {
        p[34] = type;
        v = view(fx, p, sizeof pkt_icmp_echo);
        assert_field(v, "icmp.ident", "258");
        assert_field(v, "icmp.ident_le", "513");
        assert_field(v, "icmp.seq", "");
    }

    /* An error quotes the offending header: decoded, no id/seq, and the
     * quoted header gets no checksum verdict. */
    v = view(fx, pkt_icmp_err, sizeof pkt_icmp_err);
    assert_string_equal(layers(v), "eth,ip,icmp,ip,udp");
    assert_field(v, "icmp.type", "3");
    assert_field(v, "icmp.code", "3");
    assert_field(v, "icmp.checksum.status", "1");
    assert_field(v, "icmp.ident", "");
    assert_field(v, "ip.src", "192.168.0.1,10.0.0.1");
    assert_field(v, "udp.srcport", "5");
    assert_field(v, "udp.length", "8");
}

static void test_icmpv6(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_icmpv6_echo, sizeof pkt_icmpv6_echo);
    assert_string_equal(layers(v), "eth,ipv6,icmpv6,data");
    assert_field(v, "icmpv6.type", "128");
    assert_field(v, "icmpv6.code", "0");
    assert_field(v, "icmpv6.checksum", "0xa9a3");
    assert_field(v, "icmpv6.checksum.status", "1");
    assert_field(v, "icmpv6.echo.identifier", "0x1234");
    assert_field(v, "icmpv6.echo.sequence_number", "5");
    uint8_t *p = copy(fx, pkt_icmpv6_echo, sizeof pkt_icmpv6_echo);
    p[23] ^= 1; /* the source address, so the pseudo-header */
    v = view(fx, p, sizeof pkt_icmpv6_echo);
    assert_field(v, "icmpv6.checksum.status", "0");
}

static void test_sctp(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_sctp, sizeof pkt_sctp);
    assert_string_equal(layers(v), "eth,ip,sctp");
    assert_layer(v, 3, "sctp", 34, 12);
    assert_field(v, "sctp.srcport", "2905");
    assert_field(v, "sctp.dstport", "2906");
    assert_field(v, "sctp.port", "2905,2906");
    assert_field(v, "sctp.verification_tag", "0xdeadbeef");
    assert_field(v, "sctp.checksum", "0x466378c7");
    assert_field(v, "sctp.checksum.status", "2");
    assert_field(v, "sctp.chunk_type", "1,0");
    assert_field(v, "sctp.chunk_flags", "0x00,0x00");
    assert_field(v, "sctp.chunk_length", "20,17");
    /* A chunk length below 4 ends the walk after that chunk. */
    uint8_t *p = copy(fx, pkt_sctp, sizeof pkt_sctp);
    p[48] = 0;
    p[49] = 2;
    v = view(fx, p, sizeof pkt_sctp);
    assert_field(v, "sctp.chunk_type", "1");
}

static void test_igmp(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_igmp3, sizeof pkt_igmp3);
    assert_field(v, "igmp.version", "3");
    assert_field(v, "igmp.type", "0x22");
    assert_field(v, "igmp.checksum", "0xf8f2");
    assert_field(v, "igmp.checksum.status", "1");
    assert_field(v, "igmp.maddr", "239.1.1.1,239.2.2.2");
    assert_field(v, "igmp.max_resp", "");
    /* A v3 query's maximum response code of 128 and up is a float. */
    v = view(fx, pkt_igmp3q, sizeof pkt_igmp3q);
    assert_field(v, "igmp.version", "3");
    assert_field(v, "igmp.type", "0x11");
    assert_field(v, "igmp.max_resp", "3072");
    assert_field(v, "igmp.maddr", "239.1.1.1");
    /* Version 0 (RFC 988): types below 16, 20 bytes, the group address
     * after an identifier; tshark verifies the checksum over the 20 bytes
     * only. */
    v = view(fx, pkt_igmp0, sizeof pkt_igmp0);
    assert_string_equal(layers(v), "eth,ip,igmp");
    assert_field(v, "igmp.version", "0");
    assert_field(v, "igmp.type", "0x03");
    assert_field(v, "igmp.max_resp", "");
    assert_field(v, "igmp.checksum", "0x0197");
    assert_field(v, "igmp.checksum.status", "1");
    assert_field(v, "igmp.maddr", "224.5.6.7");
    size_t v0 = sizeof pkt_igmp0 - 20;
    v = view_cut(fx, pkt_igmp0, v0 + 11, sizeof pkt_igmp0, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "igmp.truncated");
    assert_field(v, "igmp.version", "0");
    assert_field(v, "igmp.checksum.status", "2");
    assert_field(v, "igmp.maddr", "");
    /* A v2 report's checksum covers its 8 bytes, not what follows: one
     * right over all 20 is wrong, one right over 8 is right. */
    uint8_t *p = copy(fx, pkt_igmp0, sizeof pkt_igmp0);
    p[v0] = 0x16;
    p[v0 + 2] = 0xee, p[v0 + 3] = 0x96;
    v = view(fx, p, sizeof pkt_igmp0);
    assert_field(v, "igmp.version", "2");
    assert_field(v, "igmp.checksum.status", "0");
    p[v0 + 2] = 0xe5, p[v0 + 3] = 0xf8;
    v = view(fx, p, sizeof pkt_igmp0);
    assert_field(v, "igmp.checksum.status", "1");

    /* DVMRP, PIM version 1 and IGAP are other protocols, which trawl does
     * not decode: as tshark without them, the type shows and nothing
     * after it, not even data. */
    static const uint8_t others[] = {0x13, 0x14, 0x40, 0x41, 0x42};
    size_t ip = 14 + (size_t)(pkt_igmp3[14] & 0x0f) * 4;
    for (size_t i = 0; i < sizeof others; i++) {
        p = copy(fx, pkt_igmp3, sizeof pkt_igmp3);
        p[ip] = others[i];
        v = view(fx, p, sizeof pkt_igmp3);
        assert_string_equal(layers(v), "eth,ip,igmp");
        assert_int_equal(strtol(field(v, "igmp.type"), NULL, 16), others[i]);
        assert_field(v, "igmp.checksum", "");
        assert_field(v, "igmp.maddr", "");
        assert_field(v, "data.len", "");
    }
}

static void test_ah(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view(fx, pkt_ah, sizeof pkt_ah);
    assert_string_equal(layers(v), "eth,ip,ipv6ext,tcp");
    assert_layer(v, 3, "ipv6ext", 34, 24);
    assert_field(v, "frame.protocols", "eth:ethertype:ip:ah:tcp");
    assert_field(v, "ah.next_header", "6");
    assert_field(v, "ah.length", "4");
    assert_field(v, "ah.reserved", "0000");
    assert_field(v, "ah.spi", "0x00001234");
    assert_field(v, "ah.sequence", "7");
    assert_field(v, "ah.icv", "abababababababababababab");
    assert_field(v, "tcp.srcport", "1");
    assert_field(v, "tcp.len", "0");
}

/* Raw-IP link types start at the IP decoder, which hands IPv6 over. */
static void test_raw_ip(void **state) {
    struct fixture *fx = *state;
    trawl_view *v =
        view_cut(fx, pkt_icmpv6_echo + 14, sizeof pkt_icmpv6_echo - 14,
                 sizeof pkt_icmpv6_echo - 14, LINKTYPE_RAW);
    assert_string_equal(layers(v), "ipv6,icmpv6,data");
    assert_field(v, "icmpv6.checksum.status", "1");
    v = view_cut(fx, pkt_udp_pad + 14, sizeof pkt_udp_pad - 14,
                 sizeof pkt_udp_pad - 14, LINKTYPE_RAW);
    assert_string_equal(layers(v), "ip,udp,data");
    assert_field(v, "ip.src", "10.0.0.1");
}

/* ---- TCP options ------------------------------------------------------- */

/* The SYN with its 20 option bytes replaced by `opts`. */
static trawl_view *syn_with_options(struct fixture *fx, const uint8_t *opts) {
    uint8_t *p = copy(fx, pkt_tcp_syn, sizeof pkt_tcp_syn);
    memcpy(p + 54, opts, 20);
    return view(fx, p, sizeof pkt_tcp_syn);
}

static void test_tcp_option_walk(void **state) {
    struct fixture *fx = *state;
    /* Zero padding after EOL shows as more EOLs (as tshark lists them). */
    static const uint8_t eol_pad[20] = {2, 4, 5, 0xb4, 1, 0};
    trawl_view *v = syn_with_options(fx, eol_pad);
    assert_field(v, "tcp.option_kind", "2,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0");
    /* ... but not a non-zero byte after it. */
    static const uint8_t eol_junk[20] = {1, 0, 0, 3};
    v = syn_with_options(fx, eol_junk);
    assert_field(v, "tcp.option_kind", "1,0,0");
    /* Two MSS options: two values. */
    static const uint8_t two_mss[20] = {2, 4, 5, 0xb4, 2, 4, 5, 0xb5};
    v = syn_with_options(fx, two_mss);
    assert_field(v, "tcp.options.mss_val", "1460,1461");
    /* A length past the header ends the walk, unshown, and is malformed;
     * a wrong length for a known option shows no value. */
    static const uint8_t past[20] = {1, 1, 2, 3, 5, 8, 30};
    v = syn_with_options(fx, past);
    assert_field(v, "tcp.option_kind", "1,1,2");
    assert_field(v, "tcp.option_len", "3");
    assert_field(v, "tcp.options.mss_val", "");
    assert_field(v, "tcp.opt_malformed", "1");
    /* A SACK without a whole block stops the list after it; bytes left
     * over after a whole block do not. */
    static const uint8_t sack[20] = {5, 6, 0, 0, 0, 1, 1, 1, 0};
    v = syn_with_options(fx, sack);
    assert_field(v, "tcp.option_kind", "5");
    static const uint8_t sack2[20] = {5, 2, 1, 1};
    v = syn_with_options(fx, sack2);
    assert_field(v, "tcp.option_kind", "5");
    static const uint8_t sack14[20] = {5, 14, 0, 0, 0, 1, 0, 0, 0, 2,
                                       0, 0, 0, 3, 1, 2, 4, 5, 0xb4, 0};
    v = syn_with_options(fx, sack14);
    assert_field(v, "tcp.option_kind", "5,1,2,0");
    assert_field(v, "tcp.options.mss_val", "1460");
    assert_field(v, "tcp.opt_malformed", "1");
    /* tshark lists Multipath TCP once per option of it. */
    static const uint8_t mptcp[20] = {30, 12, 0, 0x81, 0, 1, 2, 3, 4, 5, 6, 7,
                                      30, 4, 0x10, 0, 1, 1, 1, 1};
    v = syn_with_options(fx, mptcp);
    assert_field(v, "frame.protocols", "eth:ethertype:ip:tcp:mptcp:mptcp");
    static const uint8_t mptcp_bad[20] = {2, 4, 5, 0xb4, 30, 1};
    v = syn_with_options(fx, mptcp_bad);
    assert_field(v, "frame.protocols", "eth:ethertype:ip:tcp");
    /* A Multipath TCP option too short for its subtype's fields (no
     * subtype at all; a DSS whose flags announce a data ACK) is listed,
     * and nothing after it, not even EOL padding; long enough, the walk
     * goes on. */
    static const uint8_t mptcp_short[][20] = {
        {30, 2, 0, 0, 1, 0},
        {30, 7, 0x20, 0x01, 0, 0, 0, 1, 0},
        {30, 8, 0x20, 0x01, 0, 0, 0, 0, 1, 0},
    };
    /* So with Riverbed's probe: a version 1 query needs 10 bytes. */
    static const uint8_t rvbd[20] = {76, 9, 0x01, 0, 0, 0, 0, 0, 0, 1, 0};
    v = syn_with_options(fx, rvbd);
    assert_field(v, "tcp.option_kind", "76");
    static const char *const kinds[] = {"30", "30",
                                        "30,1,0,0,0,0,0,0,0,0,0,0,0"};
    for (size_t i = 0; i < 3; i++) {
        v = syn_with_options(fx, mptcp_short[i]);
        assert_field(v, "tcp.option_kind", kinds[i]);
        assert_field(v, "frame.protocols", "eth:ethertype:ip:tcp:mptcp");
        assert_field(v, "tcp.opt_malformed", i < 2 ? "1" : "");
    }
}

/* ---- anomalies ---------------------------------------------------------- */

static void test_ipv4_anomalies(void **state) {
    struct fixture *fx = *state;
    size_t n = sizeof pkt_udp_pad;
    uint8_t *p = copy(fx, pkt_udp_pad, n);
    p[14] = 0x44; /* header length 16 */
    trawl_view *v = view(fx, p, n);
    assert_string_equal(anomalies(v), "ipv4.hlen_too_small");
    assert_string_equal(layers(v), "eth,ip");
    assert_layer(v, 2, "ip", 14, 1);
    assert_field(v, "ip.version", "4");
    assert_field(v, "ip.hdr_len", "16");
    assert_field(v, "ip.src", "");

    p = copy(fx, pkt_udp_pad, n);
    p[14] = 0x55;
    v = view(fx, p, n);
    assert_string_equal(anomalies(v), "ipv4.bad_version");
    /* tshark shows the version alone, and nothing after it... */
    assert_string_equal(layers(v), "eth,ip");
    assert_field(v, "ip.version", "5");
    assert_field(v, "ip.hdr_len", "");
    assert_field(v, "data.len", "");
    /* ...but for a raw-IP link type, whose bytes are then data. */
    v = view_cut(fx, p + 14, n - 14, n - 14, LINKTYPE_RAW);
    assert_string_equal(layers(v), "data");
    assert_field(v, "ip.version", "");

    p = copy(fx, pkt_udp_pad, n);
    p[17] = 16; /* total length 16 < 20 */
    fix_ip_csum(p, 14);
    v = view(fx, p, n);
    assert_string_equal(anomalies(v), "ipv4.totlen_too_small");
    assert_field(v, "ip.len", "16");
    assert_field(v, "ip.id", ""); /* tshark stops at the length */
    assert_field(v, "udp.srcport", "");

    p = copy(fx, pkt_udp_pad, n);
    p[25] ^= 0x01;
    v = view(fx, p, n);
    /* Found only when asked for, not while decoding. */
    trawl_view_layer_count(v);
    assert_false(v->anomalies & ANOM_BIT(ANOM_IPV4_BAD_CHECKSUM));
    assert_field(v, "ipv4.bad_checksum", "1");
    assert_string_equal(anomalies(v), "ipv4.bad_checksum");
    assert_field(v, "ip.checksum.status", "2"); /* as tshark */

    v = view_cut(fx, pkt_udp_pad, 14 + 10, n, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "ipv4.truncated");
    assert_layer(v, 2, "ip", 14, 10);
    assert_field(v, "ip.len", "30");
    assert_field(v, "ip.src", "");
}

/* IPv4 with options: a router alert, then one that runs past the header. */
static void test_ipv4_options(void **state) {
    struct fixture *fx = *state;
    uint8_t *p = copy(fx, pkt_udp_pad, 14);
    p[14] = 0x46;
    p[17] = 24 + 8;
    p[22] = 64;
    p[23] = 17;
    memcpy(p + 26, pkt_udp_pad + 26, 8);
    static const uint8_t ra[4] = {0x94, 4, 0, 0};
    memcpy(p + 34, ra, 4);
    static const uint8_t udp[8] = {0, 1, 0, 2, 0, 8, 0, 0};
    memcpy(p + 38, udp, 8);
    fix_ip_csum(p, 14);
    trawl_view *v = view(fx, p, 46);
    assert_string_equal(layers(v), "eth,ip,udp");
    assert_field(v, "ip.hdr_len", "24");
    assert_string_equal(anomalies(v), "");
    p[35] = 5; /* past the end of the header */
    fix_ip_csum(p, 14);
    v = view(fx, p, 46);
    assert_string_equal(anomalies(v), "ipv4.opt_malformed");
    p[34] = 0; /* EOL: the rest is padding */
    fix_ip_csum(p, 14);
    v = view(fx, p, 46);
    assert_string_equal(anomalies(v), "");
    /* Cut inside the options, the destination does not show (tshark
     * looks for a source route there first). */
    v = view_cut(fx, p, 36, 46, LINKTYPE_ETHERNET);
    assert_field(v, "ip.src", "10.0.0.1");
    assert_field(v, "ip.dst", "");
    assert_field(v, "ip.addr", "10.0.0.1");
}

/* Ethernet, IPv4 with the `n` bytes of options `opts` (a multiple of 4),
 * UDP with 4 bytes of data, in the fixture's buffer. Returns the frame's
 * length. */
static size_t ipv4_with_options(struct fixture *fx, const uint8_t *opts,
                                size_t n) {
    uint8_t *p = copy(fx, pkt_udp_pad, 34);
    p[14] = (uint8_t)(0x40 | (20 + n) / 4);
    p[17] = (uint8_t)(20 + n + 12);
    memcpy(p + 34, opts, n);
    static const uint8_t udp[12] = {0, 1, 0, 2, 0, 12, 0, 0, 'a', 'b', 'c', 'd'};
    memcpy(p + 34 + n, udp, sizeof udp);
    fix_ip_csum(p, 14);
    return 34 + n + sizeof udp;
}

/* A loose or strict source route on its way: tshark shows its last
 * address (the final destination) as ip.dst, not the header's. */
static void test_ipv4_source_route(void **state) {
    struct fixture *fx = *state;
    static const struct {
        uint8_t opts[16];
        size_t n;
        const char *dst;
    } cases[] = {
        /* LSRR, one address, pointer at it. */
        {{131, 7, 4, 9, 9, 9, 1, 0}, 8, "9.9.9.1"},
        /* SSRR, two addresses, pointer at the second. */
        {{137, 11, 8, 9, 9, 9, 1, 8, 8, 8, 2, 0}, 12, "8.8.8.2"},
        /* After a NOP and a record route. */
        {{1, 7, 7, 4, 1, 1, 1, 1, 131, 7, 4, 9, 9, 9, 1, 0}, 16, "9.9.9.1"},
        /* The route is done (pointer past it): the header's. */
        {{131, 7, 8, 9, 9, 9, 1, 0}, 8, "192.168.0.1"},
        /* A pointer inside an address: the header's. */
        {{131, 7, 5, 9, 9, 9, 1, 0}, 8, "192.168.0.1"},
        /* On its way but its addresses do not fill it: none. */
        {{131, 8, 4, 9, 9, 9, 1, 0}, 8, ""},
        /* A length byte below 2 ends the walk before the route. */
        {{7, 1, 131, 7, 4, 9, 9, 9, 1, 0, 0, 0}, 12, "192.168.0.1"},
        /* A done route, then one on its way: both. */
        {{131, 7, 8, 8, 8, 8, 8, 131, 7, 4, 9, 9, 9, 1, 0, 0}, 16,
         "192.168.0.1,9.9.9.1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = ipv4_with_options(fx, cases[i].opts, cases[i].n);
        trawl_view *v = view(fx, fx->buf, len);
        const char *got = field(v, "ip.dst");
        if (strcmp(got, cases[i].dst) != 0)
            fail_msg("case %zu: ip.dst '%s', want '%s'", i, got, cases[i].dst);
        assert_field(v, "udp.srcport", "1");
    }
    size_t len = ipv4_with_options(fx, cases[1].opts, cases[1].n);
    trawl_view *v = view(fx, fx->buf, len);
    assert_field(v, "ip.addr", "10.0.0.1,8.8.8.2");
    /* The sender summed the final destination. */
    fx->buf[34 + 12 + 6] = 0;
    fx->buf[34 + 12 + 7] = 0;
    uint32_t sum = decode_csum_add(0, fx->buf + 26, 4) +
                   decode_csum_add(0, fx->buf + 34 + 7, 4) + 17 + 12;
    uint16_t csum = decode_csum_fold(
        decode_csum_add(sum, fx->buf + 34 + 12, 12));
    fx->buf[34 + 12 + 6] = (uint8_t)(csum >> 8);
    fx->buf[34 + 12 + 7] = (uint8_t)csum;
    trawl_view_verify_checksums(fx->v, true);
    v = view(fx, fx->buf, len);
    assert_field(v, "udp.checksum.status", "1");
    trawl_view_verify_checksums(fx->v, false);
}

/* An option too short for its kind: tshark gives up on the datagram
 * after the header; a bad length only ends the walk over the options. */
static void test_ipv4_unreadable_option(void **state) {
    struct fixture *fx = *state;
    static const struct {
        uint8_t opts[4];
        const char *layers, *anomalies;
    } cases[] = {
        {{7, 2, 0, 0}, "eth,ip", "ipv4.opt_malformed"},     /* RR */
        {{148, 3, 0, 0}, "eth,ip", "ipv4.opt_malformed"},   /* RA */
        {{68, 3, 5, 0}, "eth,ip", "ipv4.opt_malformed"},    /* timestamp */
        {{7, 3, 4, 0}, "eth,ip,udp,data", ""},              /* RR, empty */
        {{68, 4, 5, 0}, "eth,ip,udp,data", ""},             /* TS, empty */
        {{30, 2, 0, 0}, "eth,ip,udp,data", ""},             /* unknown */
        {{30, 1, 0, 0}, "eth,ip,udp,data", "ipv4.opt_malformed"},
        {{7, 9, 0, 0}, "eth,ip,udp,data", "ipv4.opt_malformed"}, /* past */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = ipv4_with_options(fx, cases[i].opts, 4);
        trawl_view *v = view(fx, fx->buf, len);
        if (strcmp(layers(v), cases[i].layers) != 0 ||
            strcmp(anomalies(v), cases[i].anomalies) != 0)
            fail_msg("case %zu: layers %s, anomalies %s", i, layers(v),
                     anomalies(v));
        assert_field(v, "ip.dst", "192.168.0.1");
    }
}

static void test_ipv6_anomalies(void **state) {
    struct fixture *fx = *state;
    size_t n = sizeof pkt_v6ext;
    uint8_t *p = copy(fx, pkt_v6ext, n);
    p[14] = 0x50;
    trawl_view *v = view(fx, p, n);
    assert_string_equal(anomalies(v), "ipv6.bad_version");
    assert_string_equal(layers(v), "eth,data");

    /* Hop-by-hop options after the destination options (in place of the
     * fragment header): flagged, decoded, and what follows too. */
    p = copy(fx, pkt_v6ext, n);
    p[86] = 0;
    v = view(fx, p, n);
    assert_string_equal(anomalies(v), "ipv6.hopopts_misplaced");
    assert_field(v, "ipv6.hopopts.nxt", "43,17");
    assert_field(v, "udp.dstport", "2");

    v = view_cut(fx, pkt_v6ext, 14 + 30, n, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "ipv6.truncated");
    assert_layer(v, 2, "ipv6", 14, 30);

    /* Cut inside the routing header: its first bytes show. */
    v = view_cut(fx, pkt_v6ext, 62 + 10, n, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "ipv6.ext_truncated");
    assert_string_equal(layers(v), "eth,ipv6,ipv6ext,ipv6ext");
    assert_layer(v, 4, "ipv6ext", 62, 10);
    assert_field(v, "ipv6.routing.segleft", "0");
    /* ... and a fragment header shows only whole; cut, down to its first
     * byte, it is no layer but is named in frame.protocols (as tshark),
     * and its bytes are not data. */
    for (uint32_t cut = 1; cut < 8; cut += 5) {
        v = view_cut(fx, pkt_v6ext, 94 + cut, n, LINKTYPE_ETHERNET);
        assert_string_equal(anomalies(v), "ipv6.ext_truncated");
        assert_string_equal(layers(v), "eth,ipv6,ipv6ext,ipv6ext,ipv6ext");
        assert_field(v, "frame.protocols",
                     "eth:ethertype:ipv6:ipv6.hopopts:ipv6.routing:"
                     "ipv6.dstopts:ipv6.fraghdr");
        assert_field(v, "ipv6.fraghdr.ident", "");
        assert_field(v, "data.len", "");
    }
}

static void test_tcp_anomalies(void **state) {
    struct fixture *fx = *state;
    size_t n = sizeof pkt_tcp_syn;
    uint8_t *p = copy(fx, pkt_tcp_syn, n);
    p[46] = 0x40; /* data offset 16 */
    trawl_view *v = view(fx, p, n);
    assert_string_equal(anomalies(v), "tcp.hlen_too_small");
    assert_layer(v, 3, "tcp", 34, 13);
    assert_field(v, "tcp.hdr_len", "16");
    assert_field(v, "tcp.seq_raw", "16909060");
    assert_field(v, "tcp.ack_raw", "");
    assert_field(v, "tcp.flags", "");
    assert_field(v, "tcp.len", "24");

    /* Checksums are verified only when asked for (offload leaves them
     * unfilled in locally sent packets), as tshark. */
    p = copy(fx, pkt_tcp_syn, n);
    p[51] ^= 0x01;
    v = view(fx, p, n);
    assert_string_equal(anomalies(v), "");
    assert_field(v, "tcp.bad_checksum", "");
    assert_field(v, "tcp.checksum.status", "2");
    trawl_view_verify_checksums(v, true);
    v = view(fx, p, n);
    trawl_view_layer_count(v);
    assert_false(v->anomalies & ANOM_BIT(ANOM_TCP_BAD_CHECKSUM));
    assert_string_equal(anomalies(v), "tcp.bad_checksum");
    assert_field(v, "tcp.bad_checksum", "1");
    assert_field(v, "tcp.checksum.status", "0");
    v = view(fx, pkt_tcp_syn, n);
    assert_string_equal(anomalies(v), "");
    assert_field(v, "tcp.checksum.status", "1");

    /* A bad option length (the checksum no longer matches either). */
    p = copy(fx, pkt_tcp_syn, n);
    p[55] = 5;
    v = view(fx, p, n);
    assert_string_equal(anomalies(v), "tcp.opt_malformed,tcp.bad_checksum");
    trawl_view_verify_checksums(v, false);

    /* Cut by the capture: ports alone below 16 bytes; below 4 no layer
     * (tshark's 'tcp' does not match), but TCP listed and the bytes not
     * data; with none of them captured, the frame still had TCP on the
     * wire. */
    v = view_cut(fx, pkt_tcp_syn, 34 + 3, n, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "tcp.truncated");
    assert_string_equal(layers(v), "eth,ip");
    assert_field(v, "tcp.srcport", "");
    assert_field(v, "data.len", "");
    assert_field(v, "frame.protocols", "eth:ethertype:ip:tcp");
    v = view_cut(fx, pkt_tcp_syn, 34, n, LINKTYPE_ETHERNET);
    assert_string_equal(layers(v), "eth,ip");
    assert_field(v, "frame.protocols", "eth:ethertype:ip:tcp");
    /* The frame itself ends after the IPv4 header: no TCP at all. */
    v = view_cut(fx, pkt_tcp_syn, 34, 34, LINKTYPE_ETHERNET);
    assert_field(v, "frame.protocols", "eth:ethertype:ip");
    v = view_cut(fx, pkt_tcp_syn, 34 + 10, n, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "tcp.truncated");
    assert_layer(v, 3, "tcp", 34, 4);
    assert_field(v, "tcp.port", "40000,80");
    assert_field(v, "tcp.seq_raw", "");
    v = view_cut(fx, pkt_tcp_syn, 34 + 23, n, LINKTYPE_ETHERNET);
    assert_layer(v, 3, "tcp", 34, 23);
    assert_field(v, "tcp.flags", "0x0002");
    assert_field(v, "tcp.len", "0");
    /* The MSS option's kind and length are there, its value is not. */
    assert_field(v, "tcp.option_kind", "2");
    assert_field(v, "tcp.options.mss_val", "");
    /* A header cut short is not checked. */
    assert_string_equal(anomalies(v), "tcp.truncated");
}

static void test_udp_anomalies(void **state) {
    struct fixture *fx = *state;
    size_t n = sizeof pkt_udp_pad;
    uint8_t *p = copy(fx, pkt_udp_pad, n);
    p[39] = 4;
    trawl_view *v = view(fx, p, n);
    assert_string_equal(anomalies(v), "udp.bad_length");
    assert_layer(v, 3, "udp", 34, 6);
    assert_field(v, "udp.length", "4");
    assert_field(v, "udp.checksum", "");

    p = copy(fx, pkt_udp_pad, n);
    p[39] = 200; /* past the IP payload */
    v = view(fx, p, n);
    assert_string_equal(anomalies(v), "udp.bad_length");
    assert_field(v, "udp.checksum", "0xc874");

    p = copy(fx, pkt_udp_pad, n);
    p[41] ^= 0x01;
    v = view(fx, p, n);
    assert_string_equal(anomalies(v), "");
    assert_field(v, "udp.checksum.status", "2");
    trawl_view_verify_checksums(v, true);
    v = view(fx, p, n);
    assert_string_equal(anomalies(v), "udp.bad_checksum");
    assert_field(v, "udp.checksum.status", "0");
    v = view(fx, pkt_udp_pad, n);
    assert_field(v, "udp.checksum.status", "1");
    trawl_view_verify_checksums(v, false);

    v = view_cut(fx, pkt_udp_pad, 34 + 5, n, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "udp.truncated");
    assert_layer(v, 3, "udp", 34, 5);
    assert_field(v, "udp.port", "53,1053");
    assert_field(v, "udp.length", "");
    /* Cut inside the ports: no layer, but named in frame.protocols (as
     * tshark), and not data. */
    for (uint32_t cut = 1; cut < 4; cut++) {
        v = view_cut(fx, pkt_udp_pad, 34 + cut, n, LINKTYPE_ETHERNET);
        assert_string_equal(anomalies(v), "udp.truncated");
        assert_string_equal(layers(v), "eth,ip");
        assert_field(v, "frame.protocols", "eth:ethertype:ip:udp");
        assert_field(v, "data.len", "");
    }

    /* Over IPv6 a zero checksum is illegal, and a zero length is a
     * jumbogram's: the datagram is the rest of the payload. */
    p = copy(fx, pkt_v6ext, sizeof pkt_v6ext);
    p[108] = p[109] = 0;
    p[106] = p[107] = 0;
    v = view(fx, p, sizeof pkt_v6ext);
    assert_field(v, "udp.checksum.status", "4");
    assert_string_equal(anomalies(v), "");
}

static void test_transport_truncation_anomalies(void **state) {
    struct fixture *fx = *state;
    trawl_view *v = view_cut(fx, pkt_icmp_echo, 34 + 3, sizeof pkt_icmp_echo,
                             LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "icmp.truncated");
    assert_string_equal(layers(v), "eth,ip,data");
    v = view_cut(fx, pkt_icmp_echo, 34 + 6, sizeof pkt_icmp_echo,
                 LINKTYPE_ETHERNET);
    assert_field(v, "icmp.ident", "258");
    assert_field(v, "icmp.seq", "");

    v = view_cut(fx, pkt_icmpv6_echo, 54 + 3, sizeof pkt_icmpv6_echo,
                 LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "icmpv6.truncated");
    assert_field(v, "icmpv6.type", "128");

    v = view_cut(fx, pkt_sctp, 34 + 8, sizeof pkt_sctp, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "sctp.truncated");
    assert_string_equal(layers(v), "eth,ip,data");
    /* The chunks show only as far as they were captured whole. */
    v = view_cut(fx, pkt_sctp, 34 + 12 + 20 + 4, sizeof pkt_sctp,
                 LINKTYPE_ETHERNET);
    assert_field(v, "sctp.chunk_type", "1");

    size_t igmp = 14 + (size_t)(pkt_igmp3[14] & 0x0f) * 4;
    v = view_cut(fx, pkt_igmp3, igmp + 5, sizeof pkt_igmp3, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "igmp.truncated");
    assert_field(v, "igmp.type", "0x22");
    assert_field(v, "igmp.version", "3");
    assert_field(v, "igmp.maddr", "");

    v = view_cut(fx, pkt_gre, 34 + 3, sizeof pkt_gre, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "gre.truncated");
    assert_string_equal(layers(v), "eth,ip,data");
    v = view_cut(fx, pkt_gre, 34 + 6, sizeof pkt_gre, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "gre.truncated");
    assert_field(v, "gre.proto", "0x0800");
    assert_field(v, "gre.key", "");

    v = view_cut(fx, pkt_vxlan, 42 + 5, sizeof pkt_vxlan, LINKTYPE_ETHERNET);
    assert_string_equal(anomalies(v), "vxlan.truncated");
    assert_field(v, "vxlan.flags", "0x0c00");
    assert_field(v, "vxlan.vni", "");
}

/* Checksums are not judged when the IP length is left to offload (0),
 * where the NIC has not summed yet. */
static void test_offload_lengths(void **state) {
    struct fixture *fx = *state;
    size_t n = sizeof pkt_tcp_syn;
    uint8_t *p = copy(fx, pkt_tcp_syn, n);
    p[16] = p[17] = 0;
    fix_ip_csum(p, 14);
    p[51] ^= 0x01;
    trawl_view *v = view(fx, p, n);
    assert_string_equal(layers(v), "eth,ip,tcp");
    assert_field(v, "ip.len", "60"); /* the rest of the frame, as tshark */
    assert_field(v, "tcp.len", "0");
    assert_string_equal(anomalies(v), "");
}

/* ---- robustness --------------------------------------------------------- */

struct sample {
    const uint8_t *p;
    size_t len;
};

#define SAMPLE(a)                                                              \
    { a, sizeof a }
static const struct sample samples[] = {
    SAMPLE(pkt_tcp_syn),   SAMPLE(pkt_udp_pad),     SAMPLE(pkt_v6ext),
    SAMPLE(pkt_v6frag2),   SAMPLE(pkt_gre),         SAMPLE(pkt_gre_eth),
    SAMPLE(pkt_vxlan),     SAMPLE(pkt_ipip),        SAMPLE(pkt_icmp_err),
    SAMPLE(pkt_icmp_echo), SAMPLE(pkt_icmpv6_echo), SAMPLE(pkt_sctp),
    SAMPLE(pkt_igmp3),     SAMPLE(pkt_igmp3q),      SAMPLE(pkt_ah),
    SAMPLE(pkt_igmp0),
};

static bool ignore_value(void *ctx, const trawl_field *f,
                         const struct trawl_value *val) {
    (void)ctx;
    char buf[256];
    trawl_value_format(f, val, buf, sizeof buf);
    return true;
}

/* Decodes the packet cut at every length, both as a capture cut short
 * (snap length) and as a frame that was that short on the wire: nothing
 * reads outside the captured bytes (ASan watches, each cut in a buffer of
 * its own size), no layer reaches past them, and every field and anomaly
 * can be asked for. */
static void test_every_truncation(void **state) {
    struct fixture *fx = *state;
    for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
        for (size_t cut = 0; cut <= samples[s].len; cut++) {
            for (int wire = 0; wire < 2; wire++) {
                uint8_t *bytes = malloc(cut ? cut : 1);
                assert_non_null(bytes);
                memcpy(bytes, samples[s].p, cut);
                trawl_view *v =
                    view_cut(fx, bytes, cut, wire ? samples[s].len : cut,
                             LINKTYPE_ETHERNET);
                size_t n = trawl_view_layer_count(v);
                for (size_t i = 0; i < n; i++) {
                    struct trawl_layer_info li;
                    assert_true(trawl_view_layer(v, i, &li));
                    assert_true(li.offset + li.length <= cut);
                    assert_true(v->layers[i].end <= cut);
                }
                assert_true(trawl_view_payload_offset(v) <= cut);
                for (size_t i = 0; i < trawl_field_count(); i++)
                    trawl_view_field_each(v, trawl_field_at(i), ignore_value,
                                          NULL);
                anomalies(v);
                free(bytes);
            }
        }
    }
}

/* ---- the registry -------------------------------------------------------- */

static void test_pktt_aliases(void **state) {
    (void)state;
    static const char *const alias[][2] = {
        {"IP.src", "ip.src"},
        {"IP.dst", "ip.dst"},
        {"IP.version", "ip.version"},
        {"IP.total_size", "ip.len"},
        {"IP.protocol", "ip.proto"},
        {"IP.header_size", "ip.hdr_len"},
        {"IP.fragment_offset", "ip.frag_offset"},
        {"IP.TTL", "ip.ttl"},
        {"TCP.src_port", "tcp.srcport"},
        {"TCP.dst_port", "tcp.dstport"},
        {"TCP.seq_number", "tcp.seq_raw"},
        {"TCP.ack_number", "tcp.ack_raw"},
        {"TCP.header_size", "tcp.hdr_len"},
        {"TCP.flags_raw", "tcp.flags"},
        {"TCP.flags.ACK", "tcp.flags.ack"},
        {"TCP.flags.SYN", "tcp.flags.syn"},
        {"TCP.flags.FIN", "tcp.flags.fin"},
        {"TCP.flags.RST", "tcp.flags.reset"},
        {"TCP.flags.PSH", "tcp.flags.push"},
        {"TCP.flags.URG", "tcp.flags.urg"},
        {"TCP.flags.NS", "tcp.flags.ae"},
        {"TCP.window_size", "tcp.window_size_value"},
        {"TCP.urgent_ptr", "tcp.urgent_pointer"},
        {"UDP.src_port", "udp.srcport"},
        {"UDP.dst_port", "udp.dstport"},
        {"UDP.length", "udp.length"},
    };
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++) {
        const trawl_field *a = trawl_field_lookup(alias[i][0]);
        if (!a)
            fail_msg("%s does not resolve", alias[i][0]);
        assert_string_equal(trawl_field_name(a), alias[i][1]);
    }
    /* Relative sequence numbers and conversation analysis need state that
     * a view of one packet does not have: not offered. */
    assert_null(trawl_field_lookup("tcp.seq"));
    assert_null(trawl_field_lookup("tcp.ack"));
    assert_null(trawl_field_lookup("tcp.stream"));
    assert_null(trawl_field_lookup("tcp.analysis.flags"));
    assert_null(trawl_field_lookup("tcp.options.sack_le"));
}

/* Every field of these protocols has a name of its own, a label, and a
 * width when shown in hex. */
static void test_field_table(void **state) {
    (void)state;
    size_t n = trawl_field_count();
    for (size_t i = 0; i < n; i++) {
        const trawl_field *f = trawl_field_at(i);
        if (f->proto < PROTO_IP || f->proto > PROTO_VXLAN)
            continue;
        assert_non_null(f->name);
        assert_non_null(f->label);
        assert_true(f->proto < PROTO_COUNT);
        if (f->type == TRAWL_FT_UINT && f->display == DISP_HEX)
            assert_true(f->width > 0);
        assert_ptr_equal(trawl_field_lookup(f->name), f);
    }
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_tcp_syn_fields),
        T(test_udp_and_padding),
        T(test_ipv6_extension_chain),
        T(test_fragments),
        T(test_gre),
        T(test_gre_checksum),
        T(test_vxlan),
        T(test_ip_in_ip),
        T(test_depth_cap),
        T(test_icmp),
        T(test_icmpv6),
        T(test_sctp),
        T(test_igmp),
        T(test_ah),
        T(test_raw_ip),
        T(test_tcp_option_walk),
        T(test_ipv4_anomalies),
        T(test_ipv4_options),
        T(test_ipv4_source_route),
        T(test_ipv4_unreadable_option),
        T(test_ipv6_anomalies),
        T(test_tcp_anomalies),
        T(test_udp_anomalies),
        T(test_transport_truncation_anomalies),
        T(test_offload_lengths),
        T(test_every_truncation),
        T(test_pktt_aliases),
        T(test_field_table),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
