/* Unit tests of the expression language, as data tables:
 *   expression → which of eight hand-built packets match;
 *   bad expression → the exact error message;
 *   every example of the Allegro manual → compiles (or, for operands that
 *   need state trawl does not have, fails saying what they need).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "expr/expr.h"
#include "trawl/expr.h"
#include "trawl/flows.h"

/* ---- allocation counter ---- */

/* The test links with --wrap=malloc,calloc,realloc (tests/unit/meson.build). */
#include "tests/alloc_count.h"

/* ---- packets ------------------------------------------------------------- */

enum { NPKT = 8, PKTMAX = 512 };

struct pkt {
    uint8_t b[PKTMAX];
    size_t n;
    struct trawl_pkt rec;
};

static struct pkt pkts[NPKT];

/* The packets of the decoders behind Allegro's protocol operands
 * (build_more_packets). */
enum { NMORE = 17 };
static struct pkt more[NMORE];

static void build_more_packets(void);

static void put(struct pkt *p, const void *d, size_t n) {
    assert_true(p->n + n <= PKTMAX);
    memcpy(p->b + p->n, d, n);
    p->n += n;
}
static void put8(struct pkt *p, unsigned v) {
    uint8_t b = (uint8_t)v;
    put(p, &b, 1);
}
static void put16(struct pkt *p, unsigned v) {
    put8(p, v >> 8);
    put8(p, v);
}
static void put32(struct pkt *p, uint32_t v) {
    put16(p, v >> 16);
    put16(p, v & 0xffff);
}
static void put_str(struct pkt *p, const char *s) {
    put(p, s, strlen(s));
}

static void mac(struct pkt *p, const char *m) {
    unsigned a[6];
    assert_int_equal(sscanf(m, "%x:%x:%x:%x:%x:%x", &a[0], &a[1], &a[2], &a[3],
                            &a[4], &a[5]),
                     6);
    for (int i = 0; i < 6; i++)
        put8(p, a[i]);
}

static void eth(struct pkt *p, const char *dst, const char *src,
                unsigned type) {
    mac(p, dst);
    mac(p, src);
    put16(p, type);
}

static void v4addr(struct pkt *p, const char *a) {
    unsigned x[4];
    assert_int_equal(sscanf(a, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]), 4);
    for (int i = 0; i < 4; i++)
        put8(p, x[i]);
}

/* An IPv4 header; `l4len` bytes of L4 header and payload follow. */
static void ipv4(struct pkt *p, unsigned dscp, unsigned frag, unsigned ttl,
                 unsigned proto, const char *src, const char *dst,
                 size_t l4len) {
    put8(p, 0x45);
    put8(p, dscp << 2);
    put16(p, (unsigned)(20 + l4len));
    put16(p, 1);
    put16(p, frag);
    put8(p, ttl);
    put8(p, proto);
    put16(p, 0);
    v4addr(p, src);
    v4addr(p, dst);
}

static void tcp(struct pkt *p, unsigned sport, unsigned dport, unsigned flags) {
    put16(p, sport);
    put16(p, dport);
    put32(p, 1);
    put32(p, 0);
    put8(p, 5 << 4);
    put8(p, flags);
    put16(p, 65535);
    put16(p, 0);
    put16(p, 0);
}

static void udp(struct pkt *p, unsigned sport, unsigned dport, size_t paylen) {
    put16(p, sport);
    put16(p, dport);
    put16(p, (unsigned)(8 + paylen));
    put16(p, 0);
}

static void record(struct pkt *p, uint32_t iface) {
    memset(&p->rec, 0, sizeof p->rec);
    p->rec.data = p->b;
    p->rec.caplen = p->rec.len = (uint32_t)p->n;
    p->rec.linktype = 1;
    p->rec.block = TRAWL_BLOCK_EPB; /* pcap records have no interface id */
    p->rec.iface = iface;
}

#define A_MAC "12:34:56:78:90:ab"
#define B_MAC "00:aa:bb:cc:dd:ee"
#define C_MAC "00:11:22:33:44:55"

static int build_packets(void **state) {
    (void)state;
    memset(pkts, 0, sizeof pkts);
    struct pkt *p;
    const char *http = "GET / HTTP/1.1\r\nHost: allegro\r\n";

    /* P0: IPv4 TCP 10.0.0.1:1234 -> 10.1.0.1:9876 SYN+ACK, DF, DSCP 46. */
    p = &pkts[0];
    eth(p, C_MAC, A_MAC, 0x0800);
    ipv4(p, 46, 0x4000, 64, 6, "10.0.0.1", "10.1.0.1", 20 + strlen(http));
    tcp(p, 1234, 9876, 0x12);
    put_str(p, http);
    record(p, 0);

    /* P1: QinQ (802.1ad 10 PCP 5, 802.1Q 20 PCP 3), IPv4 UDP 5353 -> 53. */
    p = &pkts[1];
    eth(p, C_MAC, B_MAC, 0x88a8);
    put16(p, 5u << 13 | 10);
    put16(p, 0x8100);
    put16(p, 3u << 13 | 20);
    put16(p, 0x0800);
    ipv4(p, 0, 0, 64, 17, "192.168.1.7", "10.0.0.2", 8 + 9);
    udp(p, 5353, 53, 9);
    put_str(p, "dns query");
    record(p, 0);

    /* P2: IPv6 UDP [2a02:...:6cd2]:123 -> [ff02::1:3]:5355, DSCP 10. */
    p = &pkts[2];
    eth(p, "33:33:00:01:00:03", A_MAC, 0x86dd);
    static const uint8_t v6src[16] = {0x2a, 0x02, 0x81, 0x0a, 0x13, 0x40,
                                      0x12, 0x92, 0x1c, 0x6b, 0xe5, 0x8d,
                                      0x6e, 0xbc, 0x6c, 0xd2};
    static const uint8_t v6dst[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0,
                                      0,    0,    0, 0, 0, 1, 0, 3};
    const char *v6pay = "ALLEGRO rocks";
    put32(p, 0x60000000u | (10u << 2) << 20);
    put16(p, (unsigned)(8 + strlen(v6pay)));
    put8(p, 17);
    put8(p, 255);
    put(p, v6src, 16);
    put(p, v6dst, 16);
    udp(p, 123, 5355, strlen(v6pay));
    put_str(p, v6pay);
    record(p, 0);

    /* P3: ARP who-has 10.0.0.2 tell 10.0.0.1, broadcast. */
    p = &pkts[3];
    eth(p, "ff:ff:ff:ff:ff:ff", A_MAC, 0x0806);
    put16(p, 1);
    put16(p, 0x0800);
    put8(p, 6);
    put8(p, 4);
    put16(p, 1);
    mac(p, A_MAC);
    v4addr(p, "10.0.0.1");
    mac(p, "00:00:00:00:00:00");
    v4addr(p, "10.0.0.2");
    record(p, 0);

    /* P4: MPLS 100 (TC 5) / MPLS 200 (TC 1, bottom) / IPv4 ICMP echo. */
    p = &pkts[4];
    eth(p, C_MAC, B_MAC, 0x8847);
    put32(p, 100u << 12 | 5u << 9 | 64);
    put32(p, 200u << 12 | 1u << 9 | 1u << 8 | 64);
    ipv4(p, 0, 0, 64, 1, "10.0.0.1", "8.8.8.8", 8 + 4);
    put8(p, 8);
    put8(p, 0);
    put16(p, 0);
    put16(p, 7);
    put16(p, 1);
    put_str(p, "ping");
    record(p, 0);

    /* P5: IGMPv2 report for 239.1.1.1, TTL 1. */
    p = &pkts[5];
    eth(p, "01:00:5e:01:01:01", B_MAC, 0x0800);
    ipv4(p, 0, 0, 1, 2, "10.0.0.5", "239.1.1.1", 8);
    put8(p, 0x16);
    put8(p, 0);
    put16(p, 0);
    v4addr(p, "239.1.1.1");
    record(p, 0);

    /* P6: first IPv4 fragment (MF) UDP 7 -> 7, interface 3, CRC error,
     * a comment. */
    p = &pkts[6];
    eth(p, C_MAC, B_MAC, 0x0800);
    ipv4(p, 0, 0x2000, 64, 17, "10.0.0.9", "10.0.0.1", 8 + 4);
    udp(p, 7, 7, 4);
    put_str(p, "frag");
    record(p, 3);
    p->rec.has_flags = true;
    p->rec.flags = TRAWL_PKT_FLAG_CRC_ERROR;
    p->rec.comment = "hello";

    /* P7: LLDP (not IP) with text after the Ethernet header. */
    p = &pkts[7];
    eth(p, "01:80:c2:00:00:0e", A_MAC, 0x88cc);
    put_str(p, "xyzHTTP");
    record(p, 0);
    build_more_packets();
    return 0;
}

/* "10010000": which of the `n` packets of `set` match. */
static void match_set(trawl_expr *e, const struct pkt *set, int n, char *got) {
    trawl_view *v = trawl_view_new();
    assert_non_null(v);
    for (int i = 0; i < n; i++) {
        trawl_view_set(v, &set[i].rec);
        got[i] = trawl_expr_match(e, v) ? '1' : '0';
    }
    got[n] = '\0';
    trawl_view_free(v);
}

static void match_all(trawl_expr *e, char *got) {
    match_set(e, pkts, NPKT, got);
}

/* ---- expression -> matches ------------------------------------------------
 */

enum { TRAWL = 0, PCAP = 1 };

struct match_row {
    const char *expr;
    const char *want; /* P0..P7 */
    int reading;
};

static const struct match_row match_rows[] = {
    {"", "11111111", TRAWL},
    /* protocols and Wireshark fields */
    {"tcp", "10000000", TRAWL},
    {"udp", "01100010", TRAWL},
    {"ip", "11001110", TRAWL},
    {"IPv6", "00100000", TRAWL},
    {"arp", "00010000", TRAWL},
    {"not ip", "00110001", TRAWL},
    {"!ip && !ipv6", "00010001", TRAWL},
    {"icmp or igmp", "00001100", TRAWL},
    {"tcp || udp && ip.src == 192.168.1.7", "11000000", TRAWL},
    {"(tcp or udp) and ip.src == 10.0.0.1", "10000000", TRAWL},
    {"ip.src == 10.0.0.1", "10001000", TRAWL},
    {"ip.src eq 10.0.0.1", "10001000", TRAWL},
    {"ip.addr == 10.0.0.0/24", "11001110", TRAWL},
    /* Wireshark 4.0: != is "all not equal" and needs the field. */
    {"ip.addr != 10.0.0.1", "01000100", TRAWL},
    {"!(ip.addr == 10.0.0.1)", "01110101", TRAWL},
    {"ip.addr !== 10.0.0.1", "11001110", TRAWL},
    {"ip.addr ~= 10.0.0.1", "11001110", TRAWL},
    {"ip.addr === 10.0.0.1", "00000000", TRAWL},
    {"tcp.port == 1234 and tcp.port != 1234", "00000000", TRAWL},
    {"tcp.port == 1234", "10000000", TRAWL},
    {"tcp.port in {80, 1234}", "10000000", TRAWL},
    {"tcp.port in {80 443 1000..2000}", "10000000", TRAWL},
    {"udp.port in [53, 123]", "01100000", TRAWL},
    /* Wireshark 4.0: `not in` is the negation of `in`. */
    {"udp.port not in {53}", "10111111", TRAWL},
    {"eth.src contains 56:78", "10110001", TRAWL},
    {"eth.src contains \"\x56\x78\"", "10110001", TRAWL},
    {"udp.port == 53,123", "01100000", TRAWL},
    {"ipv6.addr == ff02::/16", "00100000", TRAWL},
    {"ipv6.src == 2a02:810a::/32", "00100000", TRAWL},
    {"eth.type == 0x0806", "00010000", TRAWL},
    {"eth.addr == ff:ff:ff:ff:ff:ff", "00010000", TRAWL},
    {"eth.src == 12-34-56-78-90-ab", "10110001", TRAWL},
    {"eth.src == 1234.5678.90ab", "10110001", TRAWL},
    {"ip.ttl < 10", "00000100", TRAWL},
    {"ip.ttl >= 64", "11001010", TRAWL},
    {"all ip.ttl >= 64", "11001010", TRAWL},
    {"64 in ip.ttl", "11001010", TRAWL},
    {"ip.dsfield.dscp == 46", "10000000", TRAWL},
    {"mpls.label == 100", "00001000", TRAWL},
    {"frame.interface_id == 3", "00000010", TRAWL},
    {"frame.packet_flags_crc_error == 1", "00000010", TRAWL},
    {"frame.comment == \"hello\"", "00000010", TRAWL},
    {"frame.comment contains \"ell\"", "00000010", TRAWL},
    {"frame.comment matches \"^HEL\"", "00000010", TRAWL},
    {"frame.comment ~ 'LO$'", "00000010", TRAWL},
    {"frame.comment == re('^HEL')", "00000000", TRAWL},
    /* A bare field is a presence test, as in Wireshark. */
    {"tcp.flags.fin", "10000000", TRAWL},
    {"tcp.flags.fin == 1", "00000000", TRAWL},
    {"tcp.flags & 0x12 == 0x12", "10000000", TRAWL},
    {"tcp.flags & 0x02", "10000000", TRAWL},
    {"tcp.flags & 0x01", "00000000", TRAWL},
    {"tcp.flags.syn == true", "10000000", TRAWL},
    /* pktt */
    {"TCP.flags.ACK == 1 and TCP.flags.SYN == 1", "10000000", TRAWL},
    {"IP.src == re('192.168.1.*')", "01000000", TRAWL},
    {"IP.dst == '10.0.0.2' and UDP.dst_port == 53", "01000000", TRAWL},
    {"TCP.src_port == 1234", "10000000", TRAWL},
    {"ETHERNET.src == 12:34:56:78:90:ab", "10110001", TRAWL},
    {"ip.ttl in [1,2]", "00000100", TRAWL},
    {"tcp.flags & 0x0000000000000012L != 0", "10000000", TRAWL},
    /* Allegro */
    {"ip == 10.0.0.1", "10001010", TRAWL},
    {"IP == 10.0.0.1", "10001010", TRAWL},
    {"ip == 10.0/16", "11001110", TRAWL},
    {"ip == 10.0.0.1:1234", "10000000", TRAWL},
    {"ip == 10.0.0.1:9876", "00000000", TRAWL},
    {"ip == 10.0.0.1:1234 and ip == 10.1.0.1:9876", "10000000", TRAWL},
    {"ip == 10.0.0.1 and ip != 10.0.0.2", "10001010", TRAWL},
    {"ip != 10.0.0.1", "01110101", TRAWL},
    {"ip == ff02::1:3", "00100000", TRAWL},
    {"ip == [2a02:810a:1340:1292:1c6b:e58d:6ebc:6cd2]:123", "00100000", TRAWL},
    {"ip == [2a02:810a:1340:1292:1c6b:e58d:6ebc:6cd2]:124", "00000000", TRAWL},
    {"mac == 12:34:56:78:90:ab", "10110001", TRAWL},
    {"mac == 12:34: :56:78:90:ab", "10110001", TRAWL},
    {"port == 53", "01000000", TRAWL},
    {"port == 123", "00100000", TRAWL},
    {"port == 80", "00000000", TRAWL},
    {"port > 9000", "10000000", TRAWL},
    {"portrange == 80,100-120,-10,65000-", "00000010", TRAWL},
    {"portrange == 50-60", "01000000", TRAWL},
    {"portrange == 80,443", "00000000", TRAWL},
    {"macProtocol == IPv4", "11000110", TRAWL},
    {"macProtocol == ipv6", "00100000", TRAWL},
    {"macProtocol == \"Non IP\"", "00010001", TRAWL},
    {"macProtocol == ARP", "00010000", TRAWL},
    {"macProtocol == QinQ", "01000000", TRAWL},
    {"macProtocol == MPLS", "00001000", TRAWL},
    {"macProtocol == 0x88cc", "00000001", TRAWL},
    {"l4Protocol == ICMP,ICMPv6", "00001000", TRAWL},
    {"l4Protocol == TCP", "10000000", TRAWL},
    {"l4Protocol == UDP", "01100010", TRAWL},
    {"l4Protocol == 17", "01100010", TRAWL},
    {"l4Protocol == IGMP", "00000100", TRAWL},
    {"arpip == 10.0.0.2", "00010000", TRAWL},
    {"arpip == 10.0.0.0/24", "00010000", TRAWL},
    {"vlan == 10", "01000000", TRAWL},
    {"vlan == 20", "01000000", TRAWL},
    {"vlan == 30", "00000000", TRAWL},
    {"vlan == none", "10111111", TRAWL},
    {"vlan == any", "01000000", TRAWL},
    {"vlan != none", "01000000", TRAWL},
    {"vlan != 10", "10111111", TRAWL},
    {"vlan", "01000000", TRAWL},
    {"outervlan == 10", "01000000", TRAWL},
    {"outervlan == 20", "00000000", TRAWL},
    {"innervlan == 20", "01000000", TRAWL},
    {"innervlan == 10", "00000000", TRAWL},
    {"innervlan == none", "10111111", TRAWL},
    {"mpls == 200", "00001000", TRAWL},
    {"outerMpls == 100", "00001000", TRAWL},
    {"outerMpls == 200", "00000000", TRAWL},
    {"innerMpls == 200", "00001000", TRAWL},
    {"mpls == none", "11110111", TRAWL},
    {"mpls == any", "00001000", TRAWL},
    {"qosIpDscp == 46", "10000000", TRAWL},
    {"qosIpDscp == 10", "00100000", TRAWL},
    {"qosMplsTc == 5", "00001000", TRAWL},
    {"qosMplsTc == 1", "00000000", TRAWL},
    {"qosVlanPcp == 5", "01000000", TRAWL},
    {"qosVlanPcp == 3", "00000000", TRAWL},
    {"multicastGroup == 239.1.1.1", "00000100", TRAWL},
    {"multicastGroup == any", "00000100", TRAWL},
    {"icmpType == 8", "00001000", TRAWL},
    {"tcpFlags == syn+ack", "10000000", TRAWL},
    {"tcpFlags == syn", "10000000", TRAWL},
    {"tcpFlags == SYN+FIN", "00000000", TRAWL},
    {"tcpFlags != syn", "01111111", TRAWL},
    {"ipFragment == 1", "00000010", TRAWL},
    {"ipFragment == 0", "11111101", TRAWL},
    {"ipFragment", "00000010", TRAWL},
    {"ipDoNotFragment == 1", "10000000", TRAWL},
    {"badCRC == 1", "00000010", TRAWL},
    {"badCRC", "00000010", TRAWL},
    {"badCRC == 0", "11111101", TRAWL},
    {"interface == 3", "00000010", TRAWL},
    {"interface == 1,3-5", "00000010", TRAWL},
    {"interface == 0", "11111101", TRAWL},
    {"regexp == \"allegr[o,a]|HTTP\"", "10000001", TRAWL},
    {"regexp == \"(?i)allegro|http\"", "10100001", TRAWL},
    {"regexp == \xe2\x80\x9c"
     "allegro|analyzer"
     "\xe2\x80\x9d",
     "10000000", TRAWL},
    {"regexp != \"HTTP\"", "01111110", TRAWL},
    {"regexp == \"^frag$\"", "00000010", TRAWL},
    {"regexp == \"^ping$\"", "00001000", TRAWL},
    {"regexp == '^dns query$'", "01000000", TRAWL},
    {"regexp == \"^xyz\"", "00000001", TRAWL},
    {"mactype == broadcast", "00010000", TRAWL},
    {"mactype == multicast", "00100101", TRAWL},
    {"mactype == unicast", "11001010", TRAWL},
    {"serverport == 1234", "10000000", TRAWL},
    {"serverport == 53", "01000000", TRAWL},
    {"serverport == 123", "00100000", TRAWL},
    {"serverport == 5353 or serverport == 9876", "00000000", TRAWL},
    {"serverport == 7", "00000000", TRAWL},
    /* Polycube */
    {"src 10.0.0.1", "10001000", TRAWL},
    {"dst 10.0.0.1", "00000010", TRAWL},
    {"src 10.0.0.0/24", "10001110", TRAWL},
    {"src=10.10.10.10/24", "00000000", TRAWL},
    {"sport 5353", "01000000", TRAWL},
    {"dport 53", "01000000", TRAWL},
    {"l4proto tcp", "10000000", TRAWL},
    {"src 10.0.0.1:1234 and dst 10.1.0.1:9876", "10000000", TRAWL},
    /* pcap-filter */
    {"tcp port 1234", "10000000", PCAP},
    /* libpcap does not look inside MPLS unless told: P4 is not "src". */
    {"src host 10.0.0.1 and not arp", "10000000", PCAP},
    {"vlan 10", "01000000", PCAP},
    {"ether broadcast", "00010000", PCAP},
    {"ip proto 2", "00000100", PCAP},
    {"ip[8] == 1", "00000100", PCAP},
};

/* The tables use IP, TCP, UDP, VLAN, MPLS... fields: on a build whose
 * decoders have not landed yet they are skipped rather than failed. */
static void need_decoders(void) {
    if (!trawl_field_lookup("ip.src") || !trawl_field_lookup("tcp.port"))
        skip();
}

/* Compiles `expr` and checks which packets of `set` it matches and, when
 * `reading` is not negative, how it was read. Returns the failures. */
static int check_row(const char *expr, const char *want, int reading,
                     const struct pkt *set, int n) {
    char err[TRAWL_ERRBUF_SIZE], got[NMORE + NPKT + 1];
    trawl_expr *e;
    if (trawl_expr_compile(&e, expr, NULL, err, sizeof err) < 0) {
        print_error("'%s': does not compile: %s\n", expr, err);
        return 1;
    }
    int failures = 0;
    match_set(e, set, n, got);
    if (strcmp(got, want) != 0) {
        print_error("'%s': matches %s, want %s\n", expr, got, want);
        failures++;
    }
    if (reading >= 0 && (int)trawl_expr_reading(e) != reading) {
        print_error("'%s': read as %s\n", expr,
                    reading == PCAP ? "trawl" : "pcap-filter");
        failures++;
    }
    trawl_expr_free(e);
    return failures;
}

static void test_matches(void **state) {
    (void)state;
    need_decoders();
    int failures = 0;
    for (size_t i = 0; i < sizeof match_rows / sizeof match_rows[0]; i++)
        failures += check_row(match_rows[i].expr, match_rows[i].want,
                              match_rows[i].reading, pkts, NPKT);
    assert_int_equal(failures, 0);
}

/* ---- the decoders behind Allegro's protocol operands ----------------------
 */

static void zeros(struct pkt *p, size_t n) {
    while (n--)
        put8(p, 0);
}

/* A PTPv2 header (34 bytes) and a 10-byte origin timestamp. */
static void ptp2(struct pkt *p, unsigned type, unsigned seq) {
    put8(p, type);
    put8(p, 2);
    put16(p, 44);
    zeros(p, 26);
    put16(p, seq);
    put8(p, 0);
    put8(p, 0);
    zeros(p, 10);
}

/* A UUID in the byte order of a DCE/RPC data representation. */
static void uuid(struct pkt *p, bool le, uint32_t a, unsigned b, unsigned c,
                 const uint8_t d[8]) {
    if (le) {
        for (int i = 0; i < 4; i++)
            put8(p, a >> (8 * i));
        put8(p, b), put8(p, b >> 8);
        put8(p, c), put8(p, c >> 8);
    } else {
        put32(p, a), put16(p, b), put16(p, c);
    }
    put(p, d, 8);
}

/* A connectionless DCE/RPC header for the PNIO device interface, then
 * `body` bytes of zeros. */
static void dcerpc_cl(struct pkt *p, bool le, unsigned ptype, unsigned opnum,
                      size_t body) {
    static const uint8_t pnio_tail[8] = {0x82, 0x71, 0x00, 0xa0,
                                         0x24, 0x42, 0xdf, 0x7d};
    static const uint8_t obj_tail[8] = {0xa0, 0x00, 0x00, 0xa0,
                                        0xde, 0xa2, 0x00, 0x00};
    put8(p, 4);
    put8(p, ptype);
    put8(p, 0x20);
    put8(p, 0);
    put8(p, le ? 0x10 : 0x00);
    put8(p, 0);
    put8(p, 0);
    put8(p, 0);
    uuid(p, le, 0xdea00000, 0x6c97, 0x11d1, obj_tail);
    uuid(p, le, 0xdea00001, 0x6c97, 0x11d1, pnio_tail);
    uuid(p, le, 0x12345678, 0x1111, 0x2222, obj_tail);
    unsigned vals[] = {1, 1, 7}; /* boot time, interface version, seqnum */
    for (int i = 0; i < 3; i++)
        if (le)
            put8(p, vals[i]), zeros(p, 3);
        else
            put32(p, vals[i]);
    unsigned shorts[] = {opnum, 0xffff, 0xffff, (unsigned)body, 0};
    for (int i = 0; i < 5; i++)
        if (le)
            put8(p, shorts[i]), put8(p, shorts[i] >> 8);
        else
            put16(p, shorts[i]);
    put8(p, 0);
    put8(p, 0);
    zeros(p, body);
}

static void rtp(struct pkt *p, unsigned first, unsigned pt, unsigned seq,
                uint32_t ts, uint32_t ssrc) {
    put8(p, first);
    put8(p, pt);
    put16(p, seq);
    put32(p, ts);
    put32(p, ssrc);
    zeros(p, 20);
}

static void udp_ipv4(struct pkt *p, const char *src, const char *dst,
                     unsigned sport, unsigned dport, size_t paylen) {
    eth(p, C_MAC, A_MAC, 0x0800);
    ipv4(p, 0, 0, 64, 17, src, dst, 8 + paylen);
    udp(p, sport, dport, paylen);
}

static void tcp_ipv4(struct pkt *p, const char *src, const char *dst,
                     unsigned sport, unsigned dport, unsigned flags,
                     size_t paylen) {
    eth(p, C_MAC, A_MAC, 0x0800);
    ipv4(p, 0, 0, 64, 6, src, dst, 20 + paylen);
    tcp(p, sport, dport, flags);
}

static const char sip_invite[] = "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
                                 "Via: SIP/2.0/UDP 10.0.0.1:5060\r\n"
                                 "Call-ID: abc@host\r\n"
                                 "CSeq: 1 INVITE\r\n"
                                 "Content-Type: application/sdp\r\n"
                                 "Content-Length: 68\r\n"
                                 "\r\n"
                                 "v=0\r\n"
                                 "c=IN IP4 10.0.0.1\r\n"
                                 "t=0 0\r\n"
                                 "m=audio 40000 RTP/AVP 0 8\r\n"
                                 "a=sendrecv\r\n";
static const char sip_ok[] = "SIP/2.0 200 OK\r\n"
                             "i: abc@host\r\n"
                             "CSeq: 1 INVITE\r\n"
                             "l: 0\r\n"
                             "\r\n";
static const char sip_bye[] = "BYE sip:bob@10.0.0.2 SIP/2.0\r\n"
                              "call-id:other@x\r\n"
                              "P-Palladion-ID: pal-1\r\n"
                              "Content-Length: 0\r\n"
                              "\r\n";

static void build_more_packets(void) {
    memset(more, 0, sizeof more);
    struct pkt *p;
    /* Q0: LACP (Slow Protocols subtype 1); Q1: OAM (subtype 3). */
    p = &more[0];
    eth(p, "01:80:c2:00:00:02", A_MAC, 0x8809);
    put8(p, 1);
    put8(p, 1);
    zeros(p, 50);
    record(p, 0);
    p = &more[1];
    eth(p, "01:80:c2:00:00:02", A_MAC, 0x8809);
    put8(p, 3);
    zeros(p, 50);
    record(p, 0);
    /* Q2: PTPv2 Sync over Ethernet, sequence 0x1234; Q3: PTPv2 Follow_Up
     * over UDP 320. */
    p = &more[2];
    eth(p, "01:1b:19:00:00:00", A_MAC, 0x88f7);
    ptp2(p, 0x00, 0x1234);
    record(p, 0);
    p = &more[3];
    udp_ipv4(p, "10.0.0.1", "224.0.1.129", 320, 320, 44);
    ptp2(p, 0x08, 7);
    record(p, 0);
    /* Q4: PROFINET RT frame 0x8000; Q5: frame 0xfe01 in VLAN 5. */
    p = &more[4];
    eth(p, "01:0e:cf:00:00:00", A_MAC, 0x8892);
    put16(p, 0x8000);
    zeros(p, 40);
    record(p, 0);
    p = &more[5];
    eth(p, "01:0e:cf:00:00:00", A_MAC, 0x8100);
    put16(p, 5);
    put16(p, 0x8892);
    put16(p, 0xfe01);
    zeros(p, 40);
    record(p, 0);
    /* Q6: PNIO CM connect request (little-endian); Q7: write response
     * (big-endian). */
    p = &more[6];
    udp_ipv4(p, "10.0.0.1", "10.0.0.2", 49152, 34964, 80 + 4);
    dcerpc_cl(p, true, 0, 0, 4);
    record(p, 0);
    p = &more[7];
    udp_ipv4(p, "10.0.0.2", "10.0.0.1", 34964, 49152, 80 + 4);
    dcerpc_cl(p, false, 2, 3, 4);
    record(p, 0);
    /* Q8: SIP INVITE with SDP (audio at 10.0.0.1:40000, PCMU and PCMA);
     * Q9: its 200 OK over TCP, compact Call-ID; Q10: a BYE of another
     * call with a P-Palladion-ID. */
    p = &more[8];
    udp_ipv4(p, "10.0.0.1", "10.0.0.2", 5060, 5060, strlen(sip_invite));
    put_str(p, sip_invite);
    record(p, 0);
    p = &more[9];
    tcp_ipv4(p, "10.0.0.2", "10.0.0.1", 5060, 40001, 0x18, strlen(sip_ok));
    put_str(p, sip_ok);
    record(p, 0);
    p = &more[10];
    udp_ipv4(p, "10.0.0.1", "10.0.0.2", 5060, 5060, strlen(sip_bye));
    put_str(p, sip_bye);
    record(p, 0);
    /* Q11: RTP PCMU to the port the INVITE announced; Q12: RTP PCMA with
     * the marker between even ports; Q13: not RTP (version 0). */
    p = &more[11];
    udp_ipv4(p, "10.0.0.2", "10.0.0.1", 50000, 40000, 32);
    rtp(p, 0x80, 0, 7, 160, 0xdeadbeef);
    record(p, 0);
    p = &more[12];
    udp_ipv4(p, "10.0.0.3", "10.0.0.4", 30000, 30002, 32);
    rtp(p, 0x80, 0x80 | 8, 8, 320, 0x01020304);
    record(p, 0);
    p = &more[13];
    udp_ipv4(p, "10.0.0.3", "10.0.0.4", 30000, 30002, 32);
    rtp(p, 0x00, 8, 8, 320, 0x01020304);
    record(p, 0);
    /* Q14, Q15: a handshake from 10.0.0.1:40000 to 10.0.0.2:8080; Q16:
     * data from 10.0.0.3:2000 to 10.0.0.4:80, no handshake seen. */
    p = &more[14];
    tcp_ipv4(p, "10.0.0.1", "10.0.0.2", 40000, 8080, 0x02, 0);
    record(p, 0);
    p = &more[15];
    tcp_ipv4(p, "10.0.0.2", "10.0.0.1", 8080, 40000, 0x12, 0);
    record(p, 0);
    p = &more[16];
    tcp_ipv4(p, "10.0.0.3", "10.0.0.4", 2000, 80, 0x18, 4);
    put_str(p, "data");
    record(p, 0);
}

/* Expression -> which of Q0.. match, each packet decoded on its own. */
static const struct match_row2 {
    const char *expr;
    const char *want; /* Q0..Q16 */
} more_rows[] = {
    {"slow", "11000000000000000"},
    {"slowSubtype == 1", "10000000000000000"},
    {"slowSubtype == 3", "01000000000000000"},
    {"slowSubtype != 1", "01111111111111111"},
    {"slowSubtype == 1,3", "11000000000000000"},
    {"slow.subtype == 0x01", "10000000000000000"},
    {"macProtocol == SLOW and slowSubtype == 1", "10000000000000000"},
    {"ptp", "00110000000000000"},
    {"ptpMsgType == any", "00110000000000000"},
    {"ptpMsgType == 0", "00100000000000000"},
    {"ptpMsgType == Sync", "00100000000000000"},
    {"ptpMsgType == follow_up", "00010000000000000"},
    {"ptpMsgType == 8,0", "00110000000000000"},
    {"ptpMsgType != 0", "11011111111111111"},
    {"ptp.v2.sequenceid == 0x1234", "00100000000000000"},
    {"ptp.v2.versionptp == 2 and udp.port == 320", "00010000000000000"},
    {"pn_rt", "00001100000000000"},
    {"profinetFrameId == 0x8000", "00001000000000000"},
    {"profinetFrameId == 32768", "00001000000000000"},
    {"profinetFrameId == 0xfe01", "00000100000000000"},
    {"profinetFrameId == 0x8000-0xbfff,0xfe01", "00001100000000000"},
    {"profinetFrameId >= 0xc000", "00000100000000000"},
    {"profinetFrameId == 0xfe01 and vlan == 5", "00000100000000000"},
    {"profinetFrameId != 0x8000", "11110111111111111"},
    {"dcerpc", "00000011000000000"},
    {"profinetCmOpnum == any", "00000011000000000"},
    {"profinetCmOpnum == connect", "00000010000000000"},
    {"profinetCmOpnum == 0", "00000010000000000"},
    {"profinetCmOpnum == write", "00000001000000000"},
    {"profinetCmOpnum == Connect,WRITE", "00000011000000000"},
    {"profinetCmOpnum == \"read implicit\"", "00000000000000000"},
    {"profinetCmOpnum != connect", "11111101111111111"},
    {"dcerpc.opnum == 3 and dcerpc.pkt_type == 2", "00000001000000000"},
    {"sip", "00000000111000000"},
    {"callId == \"abc@host\"", "00000000110000000"},
    {"callId == 'abc@host'", "00000000110000000"},
    {"callId == \"pal-1\"", "00000000001000000"},
    {"callId == \"other@x\"", "00000000001000000"},
    {"callId == \"abc@host\",\"pal-1\"", "00000000111000000"},
    {"callId != \"abc@host\"", "11111111001111111"},
    {"callId == \"abc\"", "00000000000000000"},
    {"sip.Method == \"INVITE\"", "00000000100000000"},
    {"sip.Status-Code == 200", "00000000010000000"},
    {"sip.CSeq.method == \"INVITE\" and tcp", "00000000010000000"},
    {"sip.Content-Length == 0", "00000000011000000"},
    {"rtp", "00000000000110000"},
    {"rtpPayloadType == PCMU", "00000000000100000"},
    {"rtpPayloadType == pcma", "00000000000010000"},
    {"rtpPayloadType == 8", "00000000000010000"},
    {"rtpPayloadType == PCMU,PCMA", "00000000000110000"},
    {"rtpPayloadType == any", "00000000000110000"},
    {"rtpPayloadType == MP2T", "00000000000000000"},
    {"rtpPayloadType != PCMU", "11111111111011111"},
    {"rtp.marker == 1 and rtp.seq == 8 and rtp.ssrc == 0x01020304",
     "00000000000010000"},
    {"rtp.timestamp == 160", "00000000000100000"},
    /* Without flows: a SYN's destination, a SYN+ACK's source, else the
     * port below 1024 of a pair with one above. */
    {"serverport == 8080", "00000000000000110"},
    {"serverport == 80", "00000000000000001"},
    {"serverport == 40000", "00000000000000000"},
    {"serverport == 5060", "00000000000000000"},
    {"serverport < 1024", "00000000000000001"},
    {"serverport != 80", "11111111111111110"},
    {"tcp.serverport", "00000000000000111"},
};

static void test_more_matches(void **state) {
    (void)state;
    need_decoders();
    int failures = 0;
    for (size_t i = 0; i < sizeof more_rows / sizeof more_rows[0]; i++)
        failures +=
            check_row(more_rows[i].expr, more_rows[i].want, TRAWL, more, NMORE);
    assert_int_equal(failures, 0);
}

/* serverport over a connection whose handshake the flows saw: its data
 * packets, in both directions, have the server's port although both ports
 * are above 1024; without the flows they have none. */
static void test_serverport_flows(void **state) {
    (void)state;
    need_decoders();
    struct pkt data[2];
    memset(data, 0, sizeof data);
    tcp_ipv4(&data[0], "10.0.0.1", "10.0.0.2", 40000, 8080, 0x18, 4);
    put_str(&data[0], "ping");
    record(&data[0], 0);
    tcp_ipv4(&data[1], "10.0.0.2", "10.0.0.1", 8080, 40000, 0x10, 0);
    record(&data[1], 0);
    const struct pkt *seq[] = {&more[14], &more[15], &data[0], &data[1],
                               &more[16]};
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *e8080, *e40000;
    assert_int_equal(
        trawl_expr_compile(&e8080, "serverport == 8080", NULL, err, sizeof err),
        0);
    assert_int_equal(trawl_expr_compile(&e40000, "serverport == 40000", NULL,
                                        err, sizeof err),
                     0);
    trawl_flows *fl;
    assert_int_equal(trawl_flows_new(&fl, NULL, err, sizeof err), 0);
    trawl_view *v = trawl_view_new();
    char with[6] = "", without[6] = "", other[6] = "";
    for (int i = 0; i < 5; i++) {
        trawl_view_set(v, &seq[i]->rec);
        without[i] = trawl_expr_match(e8080, v) ? '1' : '0';
        trawl_view_set(v, &seq[i]->rec);
        trawl_flows_feed(fl, v);
        with[i] = trawl_expr_match(e8080, v) ? '1' : '0';
        other[i] = trawl_expr_match(e40000, v) ? '1' : '0';
    }
    assert_string_equal(without, "11000");
    assert_string_equal(with, "11110");
    assert_string_equal(other, "00000");
    /* A reset forgets the handshake. */
    trawl_flows_reset(fl);
    trawl_view_set(v, &data[0].rec);
    trawl_flows_feed(fl, v);
    assert_false(trawl_expr_match(e8080, v));
    trawl_view_free(v);
    trawl_flows_free(fl);
    trawl_expr_free(e8080);
    trawl_expr_free(e40000);
}

/* RTP of a session SIP announced: the INVITE's SDP names 10.0.0.1:40000;
 * datagrams to it with an RTP header are RTP whatever their ports and
 * payload type once the flows saw the INVITE, RTCP is not. */
static void test_rtp_sessions_flows(void **state) {
    (void)state;
    need_decoders();
    struct pkt d[3];
    memset(d, 0, sizeof d);
    udp_ipv4(&d[0], "10.0.0.2", "10.0.0.1", 50001, 40000, 32);
    rtp(&d[0], 0x80, 96, 1, 160, 0x11111111);
    record(&d[0], 0);
    udp_ipv4(&d[1], "10.0.0.2", "10.0.0.1", 50001, 40000, 32);
    rtp(&d[1], 0x80, 200, 1, 160, 0x11111111); /* RTCP SR */
    record(&d[1], 0);
    udp_ipv4(&d[2], "10.0.0.2", "10.0.0.1", 50001, 40002, 32);
    rtp(&d[2], 0x80, 96, 1, 160, 0x11111111); /* not announced */
    record(&d[2], 0);
    const struct pkt *seq[] = {&d[0], &more[8], &d[0], &d[1], &d[2]};
    char err[TRAWL_ERRBUF_SIZE], got[6] = "";
    trawl_expr *e;
    assert_int_equal(
        trawl_expr_compile(&e, "rtpPayloadType == 96", NULL, err, sizeof err),
        0);
    trawl_flows *fl;
    assert_int_equal(trawl_flows_new(&fl, NULL, err, sizeof err), 0);
    trawl_view *v = trawl_view_new();
    for (int i = 0; i < 5; i++) {
        trawl_view_set(v, &seq[i]->rec);
        trawl_flows_feed(fl, v);
        got[i] = trawl_expr_match(e, v) ? '1' : '0';
    }
    /* Before the INVITE and without flows, the heuristic refuses it. */
    assert_string_equal(got, "00100");
    trawl_view_set(v, &d[0].rec);
    assert_false(trawl_expr_match(e, v));
    trawl_view_free(v);
    trawl_flows_free(fl);
    trawl_expr_free(e);
}

/* ---- bad expression -> message ------------------------------------------- */

struct error_row {
    const char *expr;
    const char *want; /* trawl's message; libpcap's follows it */
};

static const struct error_row error_rows[] = {
    {"prot == 80", "unknown operand 'prot' at column 1 (did you mean 'port'?)"},
    {"tcp.prot == 80",
     "unknown field 'tcp.prot' at column 1 (did you mean 'tcp.port'?)"},
    {"frobnicate", "unknown operand 'frobnicate' at column 1: not a field, a "
                   "protocol or an operand"},
    {"10.0.0.1", "unexpected value '10.0.0.1' at column 1: expected a field, "
                 "an operand or a protocol before it"},
    {"tcp and", "unexpected end of the expression at column 8: expected a "
                "field, an operand, a protocol or '('"},
    {"tcp adn udp", "unexpected 'adn' at column 5: expected 'and', 'or' or "
                    "the end of the expression (did you mean 'and'?)"},
    {"tcp.port == , 1", "unexpected ',' at column 13: expected an unsigned "
                        "integer"},
    {"tcp.port < 1,2", "unexpected ',' at column 13: expected 'and', 'or' or "
                       "the end of the expression"},
    {"tcp.port ==", "missing value after '==' at column 12: expected an "
                    "unsigned integer"},
    {"ip == ", "missing value after '==' at column 7: expected an IPv4 or "
               "IPv6 address, optionally with /prefix (10.0/16) and :port "
               "(10.0.0.1:1234, [2001:db8::1]:123)"},
    {"(tcp or udp", "unbalanced '(' at column 1: no matching ')'"},
    {"tcp or udp)", "unbalanced ')' at column 11: no matching '('"},
    {"(tcp or udp))", "unbalanced ')' at column 13: no matching '('"},
    {"tcp.port in {80, 443", "unbalanced '{' at column 13: no matching '}'"},
    {"ip.src == 10.0.0.300", "bad IPv4 address '10.0.0.300' at column 11: "
                             "an octet is larger than 255"},
    {"ip.src == 10.0.0", "bad IPv4 address '10.0.0' at column 11: an IPv4 "
                         "address has four octets (a shorter one needs a "
                         "/prefix, as in 10.0/16)"},
    {"ip.src == 10.0.0.0/33", "bad prefix '/33' in '10.0.0.0/33' at column "
                              "11: an IPv4 prefix is 0 to 32 bits"},
    {"ipv6.src == 2001:db8::/129", "bad prefix '/129' in '2001:db8::/129' at "
                                   "column 13: an IPv6 prefix is 0 to 128 "
                                   "bits"},
    {"ipv6.src == 2001:db8:::1", "bad IPv6 address '2001:db8:::1' at column "
                                 "13: not a valid IPv6 address"},
    {"ip == 10.0.0.1:99999", "bad address '10.0.0.1:99999' for 'ip' at "
                             "column 7: a port is 0 to 65535 (expected an "
                             "IPv4 or IPv6 address, optionally with /prefix "
                             "(10.0/16) and :port (10.0.0.1:1234, "
                             "[2001:db8::1]:123))"},
    {"eth.src == 12:34:56", "bad value '12:34:56' at column 12: 'eth.src' is "
                            "a MAC address"},
    {"eth.src == 10.0.0.1", "type mismatch at column 12: 'eth.src' is a MAC "
                            "address, '10.0.0.1' is an IPv4 address"},
    {"regexp == \"(abc\"", "bad regular expression '\"(abc\"' at column 11: "
                           "missing closing parenthesis (at offset 4 of the "
                           "pattern)"},
    {"ip.src == re('[')", "bad regular expression 're('[')' at column 14: "
                          "missing terminating ] for character class (at "
                          "offset 1 of the pattern)"},
    {"tcp.port == 10.0.0.1", "type mismatch at column 13: 'tcp.port' is an "
                             "unsigned integer, '10.0.0.1' is an IPv4 "
                             "address"},
    {"ip.src == 80", "type mismatch at column 11: 'ip.src' is an IPv4 "
                     "address, '80' is an integer"},
    {"port == 10.0.0.1", "type mismatch at column 9: 'port' is an unsigned "
                         "integer, '10.0.0.1' is an IPv4 address"},
    {"ipv6.addr == 10.0.0.1", "type mismatch at column 14: 'ipv6.addr' is an "
                              "IPv6 address, '10.0.0.1' is an IPv4 address"},
    {"tcp.port == http", "bad value 'http' at column 13: 'tcp.port' is an "
                         "unsigned integer"},
    {"frame.comment == \"abc", "unterminated string starting at column 18: "
                               "expected a closing \""},
    {"regexp == \xe2\x80\x9c"
     "abc",
     "unterminated string starting at column "
     "11: expected a closing \xe2\x80\x9d"},
    {"tcp.port == 80 #", "unexpected character '#' at column 16 (layer "
                         "selectors are not supported)"},
    {"tcp.port == 80 | udp", "unexpected character '|' at column 16 (did you "
                             "mean '||'?)"},
    {"l7Protocol == dns", "operand 'l7Protocol' at column 1 needs layer-7 "
                          "protocol detection (DPI over the packets of each "
                          "flow), which trawl does not have yet"},
    {"regexp == \xe2\x80\x9c"
     "allegro|analyzer"
     "\xe2\x80\x9d"
     " and l7protocol == \"dns\"",
     "operand 'l7protocol' at column 34 needs layer-7 protocol detection "
     "(DPI over the packets of each flow), which trawl does not have yet"},
    {"port != 80 and group == default", "operand 'group' at column 16 needs "
                                        "configured host groups (named "
                                        "address lists), which trawl does "
                                        "not have yet"},
    {"slowSubtype == 256", "value '256' at column 16 is out of range for "
                           "'slowSubtype' (0 to 255)"},
    {"ptpMsgType == 16", "value '16' at column 15 is out of range for "
                         "'ptpMsgType' (0 to 15)"},
    {"ptpMsgType == sinc", "unknown PTP message type 'sinc' for 'ptpMsgType' "
                           "at column 15 (did you mean 'Sync'?)"},
    {"profinetFrameId == 0x10000", "value '0x10000' at column 20 is out of "
                                   "range for 'profinetFrameId' (0 to 65535)"},
    {"profinetCmOpnum == reed", "unknown PROFINET CM operation 'reed' for "
                                "'profinetCmOpnum' at column 20 (did you "
                                "mean 'read'?)"},
    {"rtpPayloadType == PCMX", "unknown RTP payload type 'PCMX' for "
                               "'rtpPayloadType' at column 19 (did you mean "
                               "'PCMU'?)"},
    {"rtpPayloadType == 128", "value '128' at column 19 is out of range for "
                              "'rtpPayloadType' (0 to 127)"},
    {"countryCode == US", "operand 'countryCode' at column 1 needs a "
                          "geolocation database mapping addresses to "
                          "countries, which trawl does not have yet"},
    /* A syntax error after an operand that needs state is the one told. */
    {"l7Protocol == dns and (", "unexpected end of the expression at column "
                                "24: expected a field, an operand, a "
                                "protocol or '('"},
    {"port", "operand 'port' at column 1 needs a value (a port (0 to 65535) "
             "or a range (100-120, -10, 65000-)), as in: port == 80"},
    {"tcp == 1", "'tcp' at column 1 is a protocol: it can only be tested for "
                 "presence"},
    {"port == 70000", "value '70000' at column 9 is out of range for 'port' "
                      "(0 to 65535)"},
    {"portrange == 120-100", "empty range '120-100' at column 14: 120 is "
                             "larger than 100"},
    {"l4Protocol == ICMPX", "unknown IP protocol 'ICMPX' for 'l4Protocol' at "
                            "column 15 (did you mean 'ICMP'?)"},
    {"tcpFlags == ack+synn", "unknown TCP flag 'synn' for 'tcpFlags' at "
                             "column 17 (did you mean 'syn'?)"},
    {"mactype == anycast", "unknown MAC type 'anycast' for 'mactype' at "
                           "column 12 (did you mean 'unicast'?)"},
    {"ipFragment == 2", "bad value '2' for 'ipFragment' at column 15: "
                        "expected 0 or 1"},
    {"ip.src & 0xff == 1", "bitwise '&' at column 8 needs an integer field; "
                           "'ip.src' is an IPv4 address"},
    {"tcp.flags & syn", "unexpected 'syn' at column 13: expected an integer "
                        "mask after '&'"},
    {"port & 1", "bitwise '&' at column 6 applies to fields, not to the "
                 "operand 'port'"},
    {"ip.src contains 1", "'contains' at column 8 needs a string, byte or "
                          "MAC field; 'ip.src' is an IPv4 address"},
    {"vlan < any", "'any' at column 8 takes only == and !="},
    {"mac < 12:34:56:78:90:ab", "operator at column 5 does not apply to the "
                                "operand 'mac': it takes == and !="},
    {"interface == eth0", "interface name 'eth0' at column 14: names need the "
                          "trace's interface list, which expressions do not "
                          "see yet; use the interface number "
                          "(frame.interface_id), as in: interface == 1,3-5"},
    {"multicastGroup == ff02::1", "'multicastGroup' with an IPv6 group at "
                                  "column 19 needs the MLD fields of ICMPv6 "
                                  "(icmpv6.mld.multicast_address), which "
                                  "trawl does not decode yet"},
    {"ip == re('10.*')", "'ip' at column 10 takes addresses, not regular "
                         "expressions (compare ip.addr with re())"},
    {"tcp.port == 1, re('x')", "a regular expression at column 19 must be "
                               "the only value"},
    {"all tcp", "'all' at column 1 applies to fields, not to the protocol "
                "'tcp'"},
    {"62 in", "unexpected end of the expression at column 6: expected a field "
              "after 'in'"},
};

static void test_errors(void **state) {
    (void)state;
    int failures = 0;
    const char *tail = " (not valid pcap-filter either: ";
    for (size_t i = 0; i < sizeof error_rows / sizeof error_rows[0]; i++) {
        const struct error_row *r = &error_rows[i];
        char err[TRAWL_ERRBUF_SIZE] = "";
        trawl_expr *e = (trawl_expr *)1;
        int rc = trawl_expr_compile(&e, r->expr, NULL, err, sizeof err);
        size_t n = strlen(r->want);
        if (rc != TRAWL_EEXPR || e != NULL) {
            print_error("'%s': compiled (rc %d), want an error\n", r->expr, rc);
            failures++;
            trawl_expr_free(e);
        } else if (strncmp(err, r->want, n) != 0 ||
                   strncmp(err + n, tail, strlen(tail)) != 0) {
            print_error("'%s':\n   got: %s\n  want: %s%s...)\n", r->expr, err,
                        r->want, tail);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

static void test_limits(void **state) {
    (void)state;
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *e;
    /* Nesting deeper than the parser allows is refused, not a crash. */
    char deep[EXPR_MAX_DEPTH * 2 + 64];
    size_t k = 0;
    for (int i = 0; i < EXPR_MAX_DEPTH + 5; i++)
        deep[k++] = '(';
    strcpy(deep + k, "tcp");
    assert_int_equal(trawl_expr_compile(&e, deep, NULL, err, sizeof err),
                     TRAWL_EEXPR);
    assert_non_null(strstr(err, "expression nested too deeply at column 201 "
                                "(more than 200 levels)"));
    /* (libpcap takes any number of '!' before "tcp"; not a trawl field.) */
    memset(deep, '!', EXPR_MAX_DEPTH + 5);
    strcpy(deep + EXPR_MAX_DEPTH + 5, "tcp.port == 1");
    assert_int_equal(trawl_expr_compile(&e, deep, NULL, err, sizeof err),
                     TRAWL_EEXPR);
    assert_non_null(strstr(err, "nested too deeply"));
    /* Too long a text. */
    char *big = malloc(EXPR_MAX_TEXT + 2);
    assert_non_null(big);
    memset(big, 'a', EXPR_MAX_TEXT + 1);
    big[EXPR_MAX_TEXT + 1] = '\0';
    assert_int_equal(trawl_expr_compile(&e, big, NULL, err, sizeof err),
                     TRAWL_EEXPR);
    assert_string_equal(err, "expression too long: 16385 bytes (at most "
                             "16384)");
    /* A long but legal chain compiles and evaluates without deep
     * recursion (and/or chains are not nesting). */
    k = 0;
    for (int i = 0; i < 600; i++)
        k += (size_t)snprintf(big + k, EXPR_MAX_TEXT + 2 - k,
                              "%stcp.port == %d", i ? " or " : "", i + 2000);
    assert_true(k < EXPR_MAX_TEXT);
    assert_int_equal(trawl_expr_compile(&e, big, NULL, err, sizeof err), 0);
    char got[NPKT + 1];
    match_all(e, got);
    assert_string_equal(got, "00000000");
    trawl_expr_free(e);
    free(big);
    assert_int_equal(trawl_expr_compile(&e, NULL, NULL, err, sizeof err),
                     TRAWL_EINVAL);
}

/* ---- the Allegro manual's examples ----------------------------------------
 */

static void test_allegro_examples(void **state) {
    (void)state;
    need_decoders();
    static const char *const compile[] = {
        "ip == 10.0.0.1",
        "ip == ff02::1:3",
        "ip == 10.0/16",
        "ip == 10.0.0.1:1234",
        "ip == [2a02:810a:1340:1292:1c6b:e58d:6ebc:6cd2]:123",
        "mac == 12:34: :56:78:90:ab",
        "port == 80",
        "portrange == 80,100-120,-10,65000-",
        "macProtocol == IPv4",
        "macProtocol == \"Non IP\"",
        "l4Protocol == ICMP,ICMPv6",
        "interface == 1,3-5",
        "ip == 10.0.0.1:1234 and ip == 10.1.0.1:9876",
        "ip == 10.0.0.1 and ip != 10.0.0.2",
        "portrange == 80,443",
        "regexp == \"allegr[o,a]|HTTP\"",
        "regexp == \"(?i)allegro|http\"",
        /* Operands the manual lists without an example. */
        "arpip == 10.0.0.1",
        "vlan == 10",
        "vlan == none",
        "vlan == any",
        "outervlan == 1",
        "innervlan == none",
        "multicastGroup == 239.1.1.1",
        "multicastGroup == any",
        "mpls == 16",
        "outerMpls == any",
        "innerMpls == none",
        "qosIpDscp == 46",
        "qosMplsTc == 3",
        "qosVlanPcp == 7",
        "badCRC == 1",
        "icmpType == 8",
        "icmpType == 0",
        "tcpFlags == syn",
        "tcpFlags == syn+ack",
        "tcpFlags == fin+psh+urg",
        "tcpFlags == rst",
        "ipFragment == 1",
        "ipFragment == 0",
        "ipDoNotFragment == 1",
        "mactype == unicast",
        "mactype == broadcast",
        "mactype == multicast",
        "slowSubtype == 1",
        "ptpMsgType == any",
        "ptpMsgType == 0",
        "profinetFrameId == 0x8000",
        "profinetCmOpnum == connect",
        "profinetCmOpnum == \"read implicit\"",
        "profinetCmOpnum == any",
        "callId == \"abc@host\"",
        "rtpPayloadType == PCMU",
        "rtpPayloadType == MP2T",
        "serverport == 80",
        "(ip == 10.0.0.1 or ip == 10.0.0.2) and not port == 22",
    };
    /* Operands that parse but need what trawl does not have yet. */
    static const char *const needs[] = {
        "l7Protocol == dns",
        "dpiProtocol == dns,http",
        "countryCode == US",
        "link == 1",
        "group == default",
        "group == \"my servers\"",
        "regexp == \xe2\x80\x9c"
        "allegro|analyzer"
        "\xe2\x80\x9d"
        " and l7protocol == \"dns\"",
        "regexp == \xe2\x80\x9c"
        "allegro|analyzer"
        "\xe2\x80\x9d"
        " and l7protocol != \"dns\"",
    };
    int failures = 0;
    char err[TRAWL_ERRBUF_SIZE];
    for (size_t i = 0; i < sizeof compile / sizeof compile[0]; i++) {
        trawl_expr *e;
        if (trawl_expr_compile(&e, compile[i], NULL, err, sizeof err) < 0) {
            print_error("'%s': %s\n", compile[i], err);
            failures++;
            continue;
        }
        if (trawl_expr_reading(e) != TRAWL_EXPR_TRAWL) {
            print_error("'%s': not read as trawl\n", compile[i]);
            failures++;
        }
        trawl_expr_free(e);
    }
    for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++) {
        trawl_expr *e;
        if (trawl_expr_compile(&e, needs[i], NULL, err, sizeof err) == 0) {
            print_error("'%s': compiled\n", needs[i]);
            trawl_expr_free(e);
            failures++;
        } else if (!strstr(err, " needs ") ||
                   !strstr(err, "which trawl does not have yet")) {
            print_error("'%s': %s\n", needs[i], err);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* ---- behaviour beyond the tables ---------------------------------------- */

/* Evaluation decodes only what the expression touches, and `and` stops
 * at the first false test. */
static void test_lazy_decoding(void **state) {
    (void)state;
    need_decoders();
    static const struct {
        const char *expr;
        unsigned layers; /* decoded after matching P0 */
    } rows[] = {
        /* Frame fields need no decoding; `and` stops at a false one. */
        {"frame.interface_id == 7 and tcp.port == 1234", 1},
        {"badCRC == 1 and ip", 1},
        /* A true test stops at the first occurrence; `or` at a true one. */
        {"eth.type == 0x0800", 2},
        {"eth.type == 0x0800 or tcp.port == 1234", 2},
        {"ip.src == 10.0.0.1", 3}, /* eth, ip; ip.src is read from ip */
        {"tcp", 4},
    };
    trawl_view *v = trawl_view_new();
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char err[TRAWL_ERRBUF_SIZE];
        trawl_expr *e;
        assert_int_equal(
            trawl_expr_compile(&e, rows[i].expr, NULL, err, sizeof err), 0);
        trawl_view_set(v, &pkts[0].rec);
        trawl_expr_match(e, v);
        if (v->nlayers > rows[i].layers)
            fail_msg("'%s' decoded %u layers, want at most %u", rows[i].expr,
                     (unsigned)v->nlayers, rows[i].layers);
        trawl_expr_free(e);
    }
    trawl_view_free(v);
}

/* Matching allocates nothing: once an expression has met each link type
 * (a pcap-filter program is compiled then), every further match runs
 * without a single allocation, regexes (PCRE2 with match data made at
 * compile time) included. */
static void test_no_allocation_per_packet(void **state) {
    (void)state;
    need_decoders();
    static const char *const exprs[] = {
        "tcp.port in {80, 1234} or udp.port == 53",
        "ip == 10.0/16 and tcpFlags == syn+ack",
        "IP.src == re('192.168.1.*') or eth.src matches \"^12:34\"",
        "regexp == \"(?i)allegro|http\"",
        "vlan == none and not mpls and badCRC == 0",
        "frame.comment contains \"ell\" or mactype == multicast",
        "tcp port 1234 or arp",
    };
    trawl_view *v = trawl_view_new();
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        char err[TRAWL_ERRBUF_SIZE];
        trawl_expr *e;
        size_t at_compile = allocations;
        assert_int_equal(
            trawl_expr_compile(&e, exprs[i], NULL, err, sizeof err), 0);
        /* The counter sees libtrawl's allocations (compiling makes some). */
        assert_true(allocations > at_compile);
        for (int round = 0; round < 3; round++) {
            size_t before = allocations;
            for (int k = 0; k < NPKT; k++) {
                trawl_view_set(v, &pkts[k].rec);
                trawl_expr_match(e, v);
            }
            if (round > 0 && allocations != before)
                fail_msg("'%s': %zu allocations in a round of %d packets",
                         exprs[i], allocations - before, NPKT);
        }
        trawl_expr_free(e);
    }
    trawl_view_free(v);
}

/* The kernel part: expression -> pcap-filter text after the "plain
 * frames" clause ("" = none), and whether it is exact. */
static const struct {
    const char *expr, *kernel;
    bool exact;
} kernel_cases[] = {
    {"tcp", "tcp", false},
    {"ip.src == 10.1.2.3", "(ip src net 10.1.2.3/32)", false},
    {"tcp.port in {80, 8000..8080}",
     "(tcp port 80 or tcp portrange "
     "8000-8080)",
     false},
    {"ipv6.dst == 2001:db8::/32", "(ip6 dst net 2001:db8::/32)", false},
    {"eth.src == 02:00:00:00:00:01", "(ether src 02:00:00:00:00:01)", false},
    {"udp and regexp == 'x'", "(udp)", false},
    {"regexp == 'x' and udp", "(udp)", false},
    {"tcp or regexp == 'x'", "", false},
    {"not tcp", "", false},
    {"ip.src != 10.0.0.1", "", false},
    {"tcp.flags.syn == 1", "", false},
    {"tcp port 80", "tcp port 80", true},
    {"", "", true},
};

static void test_kernel_part(void **state) {
    (void)state;
    char err[TRAWL_ERRBUF_SIZE], buf[4096];
    for (size_t i = 0; i < sizeof kernel_cases / sizeof kernel_cases[0]; i++) {
        trawl_expr *e;
        bool exact;
        assert_int_equal(
            trawl_expr_compile(&e, kernel_cases[i].expr, NULL, err, sizeof err),
            0);
        assert_int_equal(trawl_expr_kernel(e, 1, buf, sizeof buf, &exact), 0);
        const char *want = kernel_cases[i].kernel;
        size_t n = strlen(want);
        size_t got = strlen(buf);
        if (!kernel_cases[i].exact && n) {
            if (strncmp(buf, "not (", 5) != 0 || got < n + 5 ||
                strncmp(buf + got - n - 5, ") or ", 5) != 0 ||
                strcmp(buf + got - n, want) != 0)
                fail_msg("%s: got '%s'", kernel_cases[i].expr, buf);
        } else {
            assert_string_equal(buf, want);
        }
        assert_int_equal(exact, kernel_cases[i].exact);
        /* Link types with no notion of a plain frame (802.11 here) get
         * no kernel part from trawl's reading; raw IP gets one without
         * ARP or eth.* (tests/integration/test_prefilter.py holds each
         * such link type's text to tcpdump). */
        assert_int_equal(trawl_expr_kernel(e, 105, buf, sizeof buf, &exact), 0);
        if (!kernel_cases[i].exact)
            assert_string_equal(buf, "");
        assert_int_equal(trawl_expr_kernel(e, 101, buf, sizeof buf, &exact), 0);
        assert_null(strstr(buf, "arp"));
        assert_null(strstr(buf, "ether "));
        if (buf[0] && !kernel_cases[i].exact)
            assert_non_null(strstr(buf, "(ip and len >= 24 and ip[0] == 0x45"));
        /* A buffer too small is an error, never a cut text. */
        if (strlen(kernel_cases[i].kernel) > 4)
            assert_int_equal(trawl_expr_kernel(e, 1, buf, 5, &exact),
                             TRAWL_ENOMEM);
        trawl_expr_free(e);
    }
}

/* The offline pre-filter: matching with it gives what matching without it
 * (TRAWL_NO_PREFILTER=1) gives, for every row of the match table; it
 * rejects a plain frame the kernel part rejects before decoding a layer,
 * and when every test is translated also accepts one undecoded; it leaves
 * alone frames that are not plain or not captured whole, and rests after
 * a window of packets (4096, src/expr/prefilter.c) in which it decided
 * almost nothing. */
static uint8_t layers_after(trawl_expr *e, trawl_view *v,
                            const struct trawl_pkt *rec, bool want) {
    trawl_view_set(v, rec);
    assert_int_equal(trawl_expr_match(e, v), want);
    return v->nlayers;
}

static void test_prefilter(void **state) {
    (void)state;
    need_decoders();
    char err[TRAWL_ERRBUF_SIZE], with[NPKT + 1], without[NPKT + 1];
    trawl_expr *e;
    for (size_t i = 0; i < sizeof match_rows / sizeof match_rows[0]; i++) {
        const char *x = match_rows[i].expr;
        unsetenv("TRAWL_NO_PREFILTER");
        assert_int_equal(trawl_expr_compile(&e, x, NULL, err, sizeof err), 0);
        match_all(e, with);
        trawl_expr_free(e);
        setenv("TRAWL_NO_PREFILTER", "1", 1);
        assert_int_equal(trawl_expr_compile(&e, x, NULL, err, sizeof err), 0);
        match_all(e, without);
        trawl_expr_free(e);
        if (strcmp(with, without) != 0)
            fail_msg("'%s': %s with the pre-filter, %s without", x, with,
                     without);
    }

    trawl_view *v = trawl_view_new();
    struct trawl_pkt cut = pkts[0].rec;
    cut.len += 100; /* cut by a snapshot length */
    /* Off: P0 (IPv4 TCP 1234 -> 9876) is decoded to find its ports. */
    assert_int_equal(
        trawl_expr_compile(&e, "tcp.port == 80", NULL, err, sizeof err), 0);
    assert_true(layers_after(e, v, &pkts[0].rec, false) >= 3);
    trawl_expr_free(e);
    /* On: rejected undecoded (the one layer is the frame pseudo-layer
     * trawl_view_set() makes); QinQ frames are not plain and a cut frame
     * is not whole, so both are decoded. */
    unsetenv("TRAWL_NO_PREFILTER");
    assert_int_equal(
        trawl_expr_compile(&e, "tcp.port == 80", NULL, err, sizeof err), 0);
    assert_int_equal(layers_after(e, v, &pkts[0].rec, false), 1);
    assert_true(layers_after(e, v, &pkts[1].rec, false) >= 3);
    assert_true(layers_after(e, v, &cut, false) >= 3);
    trawl_expr_free(e);
    /* "0" does not turn it off. Every test translated: P0 is accepted
     * undecoded too; a test with no translation (frame.len) makes it
     * decode what the kernel part passes. */
    setenv("TRAWL_NO_PREFILTER", "0", 1);
    assert_int_equal(
        trawl_expr_compile(&e, "tcp.port == 1234", NULL, err, sizeof err), 0);
    assert_int_equal(layers_after(e, v, &pkts[2].rec, false), 1);
    assert_int_equal(layers_after(e, v, &pkts[0].rec, true), 1);
    trawl_expr_free(e);
    assert_int_equal(trawl_expr_compile(&e,
                                        "tcp.port == 1234 and frame.len > 1",
                                        NULL, err, sizeof err),
                     0);
    assert_int_equal(layers_after(e, v, &pkts[2].rec, false), 1);
    assert_true(layers_after(e, v, &pkts[0].rec, true) >= 3);
    /* A window of packets that all pass undecided: it then stands aside,
     * and P2 (IPv6 UDP) is decoded, still without matching. */
    for (int k = 0; k < 4096; k++)
        layers_after(e, v, &pkts[0].rec, true);
    assert_true(layers_after(e, v, &pkts[2].rec, false) >= 3);
    trawl_expr_free(e);
    unsetenv("TRAWL_NO_PREFILTER");
    /* The pre-filter evaluates the kernel part itself; libpcap running
     * the text (TRAWL_PREFILTER_BPF=1) decides the same on every packet
     * here, and on variants made to sit on PLAIN's edges. */
    static const char *const oracle_exprs[] = {
        "tcp.port == 1234",
        "udp.dstport in {53, 100..200}",
        "ip",
        "ipv6 or arp",
        "ip.src == 10.0.0.0/16 and tcp",
        "sctp or icmp",
        "eth.dst == 00:11:22:33:44:55",
        "ip.proto == 17 and udp.port == 7",
        "ipv6.src == 2a02:810a::/32",
        "tcp and not udp",
        "igmp",
        "(tcp.port == 9876 or udp.port == 53) and regexp == 'x'",
        "eth.addr == 12:34:56:78:90:ab or tcp.flags.syn == 1",
    };
    enum { NVAR = 6 };
    struct pkt var[NVAR];
    for (int k = 0; k < NVAR; k++) {
        var[k] = pkts[k < 3 ? 0 : 6];
        record(&var[k], 0);
    }
    var[0].b[14] = 0x60; /* an IPv6 version behind IPv4's type */
    var[1].b[20] = 0x00, var[1].b[21] = 0x01; /* a later fragment */
    var[2].rec.caplen = var[2].rec.len = 37;  /* short of PLAIN's 38 */
    var[3].b[14 + 20 + 2] = 0x12, var[3].b[14 + 20 + 3] = 0xb5; /* VXLAN */
    var[4].b[14] = 0x46; /* a header of six words... */
    var[4].rec.caplen = var[4].rec.len = 14 + 24 + 3; /* ...no ports */
    var[5].b[23] = 47;                                /* GRE */
    for (size_t i = 0; i < sizeof oracle_exprs / sizeof oracle_exprs[0]; i++) {
        trawl_expr *native, *bpf, *full;
        /* The environment is read when the first packet comes. */
        unsetenv("TRAWL_PREFILTER_BPF");
        assert_int_equal(
            trawl_expr_compile(&native, oracle_exprs[i], NULL, err, sizeof err),
            0);
        expr_prefilter(native, &pkts[0].rec);
        setenv("TRAWL_PREFILTER_BPF", "1", 1);
        assert_int_equal(
            trawl_expr_compile(&bpf, oracle_exprs[i], NULL, err, sizeof err),
            0);
        expr_prefilter(bpf, &pkts[0].rec);
        unsetenv("TRAWL_PREFILTER_BPF");
        setenv("TRAWL_NO_PREFILTER", "1", 1);
        assert_int_equal(
            trawl_expr_compile(&full, oracle_exprs[i], NULL, err, sizeof err),
            0);
        trawl_view_set(v, &pkts[0].rec);
        trawl_expr_match(full, v);
        unsetenv("TRAWL_NO_PREFILTER");
        for (int k = 0; k < NPKT + NVAR; k++) {
            const struct trawl_pkt *rec =
                k < NPKT ? &pkts[k].rec : &var[k - NPKT].rec;
            enum expr_pre_verdict a = expr_prefilter(native, rec);
            bool b = expr_prefilter(bpf, rec) == EXPR_PRE_REJECT;
            trawl_view_set(v, rec);
            bool match = trawl_expr_match(full, v);
            /* What libpcap's run of the text rejects, the native one
             * rejects too; and what the native one decides, the whole
             * evaluation confirms. */
            if (b && a != EXPR_PRE_REJECT)
                fail_msg("'%s' on packet %d: rejected by libpcap, not "
                         "natively",
                         oracle_exprs[i], k);
            if ((a == EXPR_PRE_REJECT && match) ||
                (a == EXPR_PRE_ACCEPT && !match))
                fail_msg("'%s' on packet %d: %s by the pre-filter, %s by "
                         "the evaluation",
                         oracle_exprs[i], k,
                         a == EXPR_PRE_REJECT ? "rejected" : "accepted",
                         match ? "matched" : "not matched");
        }
        trawl_expr_free(native);
        trawl_expr_free(bpf);
        trawl_expr_free(full);
    }
    unsetenv("TRAWL_PREFILTER_BPF");
    /* No kernel part, no pre-filter. */
    assert_int_equal(trawl_expr_compile(&e, "not tcp", NULL, err, sizeof err),
                     0);
    assert_true(layers_after(e, v, &pkts[0].rec, false) >= 3);
    assert_null(e->pre);
    trawl_expr_free(e);
    trawl_view_free(v);
}

static void test_explain(void **state) {
    (void)state;
    char err[TRAWL_ERRBUF_SIZE], buf[8192];
    trawl_expr *e;

    assert_int_equal(trawl_expr_compile(&e, "tcp", NULL, err, sizeof err), 0);
    trawl_expr_explain_buf(e, buf, sizeof buf);
    assert_non_null(strstr(buf, "reading: trawl (also valid pcap-filter; "
                                "trawl's reading wins)\n"));
    assert_non_null(strstr(buf, "kernel (pcap-filter, a superset; user space "
                                "then evaluates the whole expression):\n"
                                "  not ("));
    assert_non_null(strstr(buf, " or arp) or tcp\n"));
    trawl_expr_free(e);

    assert_int_equal(trawl_expr_compile(&e,
                                        "tcpFlags == syn+ack and ip == "
                                        "10.0/16",
                                        NULL, err, sizeof err),
                     0);
    size_t want = trawl_expr_explain_buf(e, buf, sizeof buf);
    assert_int_equal(want, strlen(buf));
    assert_non_null(strstr(buf, "    tcpFlags == syn+ack    (column 1)\n"
                                "      #0 tcp.flags & 0x12 == 0x12\n"));
    assert_non_null(strstr(buf, "    ip == 10.0/16    (column 25)\n"
                                "      #1 ip.addr == 10.0.0.0/16\n"));
    assert_non_null(strstr(buf, "    0  test   #0 tcp.flags & 0x12 == 0x12\n"
                                "    1  jf     3\n"
                                "    2  test   #1 ip.addr == 10.0.0.0/16\n"
                                "    3  ret\n"));
    /* A short buffer is cut, NUL-terminated, and told what it missed. */
    char small[16];
    assert_int_equal(trawl_expr_explain_buf(e, small, sizeof small), want);
    assert_int_equal(strlen(small), sizeof small - 1);
    trawl_expr_free(e);

    assert_int_equal(
        trawl_expr_compile(&e, "tcp port 80", NULL, err, sizeof err), 0);
    assert_int_equal(trawl_expr_reading(e), TRAWL_EXPR_PCAP);
    trawl_expr_explain_buf(e, buf, sizeof buf);
    assert_non_null(strstr(buf, "reading: pcap-filter, compiled by libpcap "
                                "(not trawl syntax: unexpected 'port' at "
                                "column 5: expected 'and', 'or' or the end of "
                                "the expression)\n"));
    assert_non_null(strstr(buf, "BPF program for link type 1 (EN10MB):\n"));
    assert_non_null(strstr(buf, "ret      #0"));
    trawl_expr_free(e);
}

static void test_pcap_options(void **state) {
    (void)state;
    char err[TRAWL_ERRBUF_SIZE], got[NPKT + 1];
    trawl_expr *e;
    /* --bpf: pcap-filter even where trawl would read the text too. */
    struct trawl_expr_options opt = {.pcap_filter = true};
    assert_int_equal(trawl_expr_compile(&e, "udp", &opt, err, sizeof err), 0);
    assert_int_equal(trawl_expr_reading(e), TRAWL_EXPR_PCAP);
    match_all(e, got);
    assert_string_equal(got, "00100010"); /* libpcap's udp skips VLANs */
    trawl_expr_free(e);
    /* --bpf refuses trawl syntax with libpcap's message. */
    assert_int_equal(
        trawl_expr_compile(&e, "ip.src == 10.0.0.1", &opt, err, sizeof err),
        TRAWL_EEXPR);
    assert_int_equal(strncmp(err, "not valid pcap-filter: ", 23), 0);
    /* A known link type is compiled at once. */
    opt = (struct trawl_expr_options){.has_linktype = true, .linktype = 1};
    assert_int_equal(trawl_expr_compile(&e, "ether src 12:34:56:78:90:ab", &opt,
                                        err, sizeof err),
                     0);
    match_all(e, got);
    assert_string_equal(got, "10110001");
    assert_null(trawl_expr_runtime_error(e));
    /* A link type the program cannot apply to: no match, and a message. */
    struct trawl_pkt raw = pkts[0].rec;
    raw.data += 14;
    raw.caplen -= 14;
    raw.len -= 14;
    raw.linktype = 101;
    trawl_view *v = trawl_view_new();
    trawl_view_set(v, &raw);
    assert_false(trawl_expr_match(e, v));
    assert_non_null(trawl_expr_runtime_error(e));
    trawl_expr_free(e);
    /* Raw IP packets get their own program. */
    assert_int_equal(
        trawl_expr_compile(&e, "tcp port 1234", NULL, err, sizeof err), 0);
    trawl_view_set(v, &raw);
    assert_true(trawl_expr_match(e, v));
    assert_null(trawl_expr_runtime_error(e));
    trawl_view_free(v);
    trawl_expr_free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_more_matches),
        cmocka_unit_test(test_serverport_flows),
        cmocka_unit_test(test_rtp_sessions_flows),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_allegro_examples),
        cmocka_unit_test(test_lazy_decoding),
        cmocka_unit_test(test_no_allocation_per_packet),
        cmocka_unit_test(test_kernel_part),
        cmocka_unit_test(test_prefilter),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_pcap_options),
    };
    return cmocka_run_group_tests(tests, build_packets, NULL);
}
