/* The expression language against the operands of Allegro's expert
 * filter (every example and every operand its manual lists), Polycube's
 * filters and pktt's match forms, as two data tables:
 *   expression -> which of twenty hand-built packets match (a bitmap;
 *                 every row matches some packets and misses others);
 *   bad expression -> the exact error text (every message the lexer,
 *                 parser, value reader and operand expanders can produce;
 *                 test_expr.c holds more rows, test_error_limits and
 *                 test_expr.c's pcap-filter tests the rest).
 * Messages no expression text can reach, so not here: "expression too
 * large to compile" (the 4 MiB arena of compiled tests: a text of at most
 * 16 KiB hits the 4096-test limit first), "out of memory", "cannot open
 * a pcap handle" (libpcap's allocation), "operand '...' needs the field
 * '...', which this build ..." (a build without the decoders), the value
 * reader's "'...' is a protocol" (the parser refuses a protocol with a
 * value before reading the value) and "a floating-point number" (no field
 * has that type yet).
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

/* ---- the packets ----------------------------------------------------------
 */

#include "expr_pkt.h"

enum { NPKT = 20 };

static struct pkt frames[NPKT];

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

#define V6_A "2a02 810a 1340 1292 1c6b e58d 6ebc 6cd2"
#define V6_MLD_GROUP "ff02 0000 0000 0000 0000 0000 0001 0003"
#define V6_LINK "fe80 0000 0000 0000 0000 0000 0000 0001"

/* The packets, numbered as in the bitmaps (groups of five):
 *  0 TCP 10.0.0.1:1234 -> 10.1.0.1:9876 SYN+ACK, DF, DSCP 46, "HTTP allegro"
 *  1 TCP 10.1.0.1:9876 -> 10.0.0.1:1234 ACK, "allegra" (the reply)
 *  2 TCP 10.0.0.1:9876 -> 10.1.0.1:1234 RST (the same ports crossed)
 *  3 TCP 10.0.0.1:80 -> 10.0.0.2:5555 SYN, DF (a peer that is 10.0.0.2)
 *  4 802.1Q 10 PCP 5 / UDP 10.0.5.5:53 -> 192.168.1.7:33000 "dns analyzer"
 *  5 802.1ad 100 PCP 2 / 802.1Q 200 PCP 6 / UDP 192.168.1.7:100 ->
 *    172.16.0.1:65001 "Allegro QinQ"
 *  6 IPv6 UDP [2a02:..:6cd2]:123 -> [ff02::1:3]:5355, DSCP 10, "HTTP upper"
 *  7 IPv6 hop-by-hop / MLDv1 report for ff02::1:3
 *  8 ARP request: who has 10.0.0.2, tell 10.0.0.1 (broadcast)
 *  9 ARP reply 192.168.1.1 is at C_MAC, to 192.168.1.7 at A_MAC
 * 10 MPLS 100 TC 5 / MPLS 200 TC 1 / ICMP echo 10.0.0.1 -> 8.8.8.8 "ping"
 * 11 MPLS 300 TC 3 / ICMP echo reply 8.8.8.8 -> 10.0.0.1 "pong"
 * 12 IGMPv2 report 239.1.1.1 from 10.0.0.5
 * 13 IGMPv2 report 239.2.2.2 from 10.0.0.6
 * 14 IPv4 first fragment (MF) UDP 10.0.0.9:7 -> 10.0.0.1:7 "frag",
 *    interface 3, CRC error
 * 15 IPv4 last fragment (offset 1480) 10.0.0.9 -> 10.0.0.1, interface 5
 * 16 LLDP "xyzHTTP", interface 1
 * 17 ethertype 0x88b5 "allegro raw", interface 2, CRC error
 * 18 TCP 10.2.0.1:65535 -> 10.2.0.2:10 FIN+PSH+URG+ACK "Analyzer", if. 6
 * 19 TCP 10.2.0.2:110 -> 10.2.0.1:22 RST+ACK, interface 4
 */
static int build_frames(void **state) {
    (void)state;
    memset(frames, 0, sizeof frames);
    struct pkt *f = frames;

    eth(f, C_MAC, A_MAC, 0x0800);
    ipv4_tcp(f, 46, 0x4000, "10.0.0.1", 1234, "10.1.0.1", 9876,
             TCP_SYN | TCP_ACK, "GET / HTTP/1.1\r\nHost: allegro\r\n");
    record(f++, 0);

    eth(f, A_MAC, C_MAC, 0x0800);
    ipv4_tcp(f, 0, 0, "10.1.0.1", 9876, "10.0.0.1", 1234, TCP_ACK,
             "allegra says hi");
    record(f++, 0);

    eth(f, C_MAC, A_MAC, 0x0800);
    ipv4_tcp(f, 0, 0, "10.0.0.1", 9876, "10.1.0.1", 1234, TCP_RST, "");
    record(f++, 0);

    eth(f, C_MAC, B_MAC, 0x0800);
    ipv4_tcp(f, 0, 0x4000, "10.0.0.1", 80, "10.0.0.2", 5555, TCP_SYN, "");
    record(f++, 0);

    eth(f, C_MAC, B_MAC, 0x8100);
    vlan_tag(f, 5, 10, 0x0800);
    ipv4_udp(f, "10.0.5.5", 53, "192.168.1.7", 33000, "dns analyzer");
    record(f++, 0);

    eth(f, C_MAC, B_MAC, 0x88a8);
    vlan_tag(f, 2, 100, 0x8100);
    vlan_tag(f, 6, 200, 0x0800);
    ipv4_udp(f, "192.168.1.7", 100, "172.16.0.1", 65001, "Allegro QinQ");
    record(f++, 0);

    eth(f, "33:33:00:01:00:03", A_MAC, 0x86dd);
    ipv6(f, 10, 17, 255, V6_A, V6_MLD_GROUP, 8 + strlen("HTTP upper"));
    udp(f, 123, 5355, strlen("HTTP upper"));
    put_str(f, "HTTP upper");
    record(f++, 0);

    /* Hop-by-hop (router alert) then ICMPv6 131 with the group. */
    eth(f, "33:33:00:01:00:03", B_MAC, 0x86dd);
    ipv6(f, 0, 0, 1, V6_LINK, V6_MLD_GROUP, 8 + 24);
    put_hex(f, "3a 00 05 02 00 00 01 00");
    put_hex(f, "83 00 0000 0000 0000");
    put_hex(f, V6_MLD_GROUP);
    record(f++, 0);

    eth(f, BCAST_MAC, A_MAC, 0x0806);
    arp(f, 1, A_MAC, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2");
    record(f++, 0);

    eth(f, A_MAC, C_MAC, 0x0806);
    arp(f, 2, C_MAC, "192.168.1.1", A_MAC, "192.168.1.7");
    record(f++, 0);

    eth(f, C_MAC, B_MAC, 0x8847);
    mpls_lse(f, 100, 5, false);
    mpls_lse(f, 200, 1, true);
    icmp_echo(f, 8, "10.0.0.1", "8.8.8.8", "ping");
    record(f++, 0);

    eth(f, B_MAC, C_MAC, 0x8847);
    mpls_lse(f, 300, 3, true);
    icmp_echo(f, 0, "8.8.8.8", "10.0.0.1", "pong");
    record(f++, 0);

    eth(f, "01:00:5e:01:01:01", B_MAC, 0x0800);
    igmp_report(f, "10.0.0.5", "239.1.1.1");
    record(f++, 0);

    eth(f, "01:00:5e:02:02:02", B_MAC, 0x0800);
    igmp_report(f, "10.0.0.6", "239.2.2.2");
    record(f++, 0);

    eth(f, C_MAC, B_MAC, 0x0800);
    ipv4(f, 0, 0x2000, 64, 17, "10.0.0.9", "10.0.0.1", 8 + 4);
    udp(f, 7, 7, 4);
    put_str(f, "frag");
    record(f, 3);
    record_crc_error(f++);

    eth(f, C_MAC, B_MAC, 0x0800);
    ipv4(f, 0, 185, 64, 17, "10.0.0.9", "10.0.0.1", 8);
    put_str(f, "tail-end");
    record(f++, 5);

    eth(f, "01:80:c2:00:00:0e", A_MAC, 0x88cc);
    put_str(f, "xyzHTTP");
    record(f++, 1);

    eth(f, B_MAC, C_MAC, 0x88b5);
    put_str(f, "allegro raw");
    record(f, 2);
    record_crc_error(f++);

    eth(f, C_MAC, B_MAC, 0x0800);
    ipv4_tcp(f, 0, 0, "10.2.0.1", 65535, "10.2.0.2", 10,
             TCP_FIN | TCP_PSH | TCP_URG | TCP_ACK, "Analyzer");
    record(f++, 6);

    eth(f, B_MAC, C_MAC, 0x0800);
    ipv4_tcp(f, 0, 0, "10.2.0.2", 110, "10.2.0.1", 22, TCP_RST | TCP_ACK, "");
    record(f++, 4);

    assert_int_equal(f - frames, NPKT);
    return 0;
}

/* "10000 00000 ...": which frames match, in groups of five. */
static void matches(trawl_expr *e, char *got) {
    char flat[NPKT + 1];
    match_set(e, frames, NPKT, flat);
    size_t k = 0;
    for (int i = 0; i < NPKT; i++) {
        if (i && i % 5 == 0)
            got[k++] = ' ';
        got[k++] = flat[i];
    }
    got[k] = '\0';
}

/* ---- expression -> matches ------------------------------------------------
 */

struct err_row {
    const char *expr, *want;
};

struct row {
    const char *expr;
    const char *want;
    /* A known bug: the row must still fail (so that fixing the bug
     * updates the table); says what is wrong. */
    const char *bug;
};

/* Every Allegro example, every operand the manual lists (both sides of
 * each: its values match some packets and not others), the manual's
 * combined examples, Polycube's filters and pktt's forms. */
static const struct row match_rows[] = {
    {"ip == 10.0.0.1", "11110 00000 11001 10000", NULL},
    {"IP == 10.0.0.1", "11110 00000 11001 10000", NULL},
    {"ip == 10.0/16", "11111 00000 11111 10000", NULL},
    {"ip == 10.0.0.1:1234", "11000 00000 00000 00000", NULL},
    {"ip == 10.0.0.1:9876", "00100 00000 00000 00000", NULL},
    {"ip == 10.0.0.1:1234 and ip == 10.1.0.1:9876", "11000 00000 00000 00000",
     NULL},
    {"ip == 10.0.0.1:9876 and ip == 10.1.0.1:1234", "00100 00000 00000 00000",
     NULL},
    {"ip == 10.0.0.1 and ip != 10.0.0.2", "11100 00000 11001 10000", NULL},
    {"ip != 10.0.0.1", "00001 11111 00110 01111", NULL},
    {"ip == 10.0.0.1, 10.2.0.2", "11110 00000 11001 10011", NULL},
    {"ip == ff02::1:3", "00000 01100 00000 00000", NULL},
    {"ip == [2a02:810a:1340:1292:1c6b:e58d:6ebc:6cd2]:123",
     "00000 01000 00000 00000", NULL},
    {"ip == [ff02::1:3]:5355", "00000 01000 00000 00000", NULL},
    {"ip == [2a02:810a:1340:1292:1c6b:e58d:6ebc:6cd2]:5355 or ip == "
     "[ff02::1:3]:123 or port == 80",
     "00010 00000 00000 00000", NULL},
    {"ip == 2a02:810a::/32", "00000 01000 00000 00000", NULL},
    {"ip", "11111 10000 11111 10011", NULL},
    {"ip == 192.168.1.7 and ip == 172.16.0.0/12", "00000 10000 00000 00000",
     NULL},
    {"mac == 12:34:56:78:90:ab", "11100 01011 00000 01000", NULL},
    {"mac == 12:34: :56:78:90:ab", "11100 01011 00000 01000", NULL},
    {"mac != 12:34:56:78:90:ab", "00011 10100 11111 10111", NULL},
    {"mac == 00:aa:bb:cc:dd:ee, 00:11:22:33:44:55", "11111 10101 11111 10111",
     NULL},
    {"mac == ff:ff:ff:ff:ff:ff", "00000 00010 00000 00000", NULL},
    {"port == 80", "00010 00000 00000 00000", NULL},
    {"port == 53", "00001 00000 00000 00000", NULL},
    {"port == 1234", "11100 00000 00000 00000", NULL},
    {"port != 80", "11101 11111 11111 11111", NULL},
    {"port > 60000", "00000 10000 00000 00010", NULL},
    {"port <= 10", "00000 00000 00001 00010", NULL},
    {"port == 100-120", "00000 10000 00000 00001", NULL},
    {"portrange == 80,100-120,-10,65000-", "00010 10000 00001 00011", NULL},
    {"portrange == 80,443", "00010 00000 00000 00000", NULL},
    {"portrange == -10", "00000 00000 00001 00010", NULL},
    {"portrange == 65000-", "00000 10000 00000 00010", NULL},
    {"portrange == 120-200, 5000-6000", "00010 01000 00000 00000", NULL},
    {"macProtocol == IPv4", "11111 10000 00111 10011", NULL},
    {"macProtocol == IPv6", "00000 01100 00000 00000", NULL},
    {"macProtocol == \"Non IP\"", "00000 00011 00000 01100", NULL},
    {"macProtocol == ARP", "00000 00011 00000 00000", NULL},
    /* Frame 5's 802.1Q ethertype is the 802.1ad tag's type
     * (ieee8021ah.etype). */
    {"macProtocol == VLAN", "00001 10000 00000 00000", NULL},
    {"macProtocol == QinQ", "00000 10000 00000 00000", NULL},
    {"macProtocol == MPLS", "00000 00000 11000 00000", NULL},
    {"macProtocol == LLDP", "00000 00000 00000 01000", NULL},
    {"macProtocol == 0x88b5", "00000 00000 00000 00100", NULL},
    {"macProtocol == ARP,LLDP", "00000 00011 00000 01000", NULL},
    {"macProtocol != IPv4", "00000 01111 11000 01100", NULL},
    {"l4Protocol == ICMP,ICMPv6", "00000 00100 11000 00000", NULL},
    {"l4Protocol == TCP", "11110 00000 00000 00011", NULL},
    {"l4Protocol == UDP", "00001 11000 00001 10000", NULL},
    {"l4Protocol == 17", "00001 11000 00001 10000", NULL},
    {"l4Protocol == IGMP", "00000 00000 00110 00000", NULL},
    {"l4Protocol == tcp,udp", "11111 11000 00001 10011", NULL},
    {"l4Protocol == 58", "00000 00100 00000 00000", NULL},
    {"l4Protocol != TCP", "00001 11111 11111 11100", NULL},
    {"arpip == 10.0.0.2", "00000 00010 00000 00000", NULL},
    {"arpip == 192.168.1.0/24", "00000 00001 00000 00000", NULL},
    {"arpip == 10.0.0.1,192.168.1.7", "00000 00011 00000 00000", NULL},
    {"arpip != 10.0.0.2", "11111 11101 11111 11111", NULL},
    {"vlan == 10", "00001 00000 00000 00000", NULL},
    {"vlan == 100", "00000 10000 00000 00000", NULL},
    {"vlan == 200", "00000 10000 00000 00000", NULL},
    {"vlan == 10,200", "00001 10000 00000 00000", NULL},
    {"vlan > 50", "00000 10000 00000 00000", NULL},
    {"vlan == none", "11110 01111 11111 11111", NULL},
    {"vlan == any", "00001 10000 00000 00000", NULL},
    {"vlan != none", "00001 10000 00000 00000", NULL},
    {"vlan != 10", "11110 11111 11111 11111", NULL},
    {"vlan", "00001 10000 00000 00000", NULL},
    {"outervlan == 10", "00001 00000 00000 00000", NULL},
    {"outervlan == 100", "00000 10000 00000 00000", NULL},
    {"outervlan == 200,10", "00001 00000 00000 00000", NULL},
    {"outervlan == none", "11110 01111 11111 11111", NULL},
    {"outervlan == any", "00001 10000 00000 00000", NULL},
    {"innervlan == 200", "00000 10000 00000 00000", NULL},
    {"innervlan == 10,200", "00000 10000 00000 00000", NULL},
    {"innervlan == none", "11111 01111 11111 11111", NULL},
    {"innervlan == any", "00000 10000 00000 00000", NULL},
    {"mpls == 200", "00000 00000 10000 00000", NULL},
    {"mpls == 300", "00000 00000 01000 00000", NULL},
    {"mpls == 100,300", "00000 00000 11000 00000", NULL},
    {"mpls == none", "11111 11111 00111 11111", NULL},
    {"mpls == any", "00000 00000 11000 00000", NULL},
    {"mpls", "00000 00000 11000 00000", NULL},
    {"mpls != 100", "11111 11111 01111 11111", NULL},
    {"outerMpls == 100", "00000 00000 10000 00000", NULL},
    {"outerMpls == 200,300", "00000 00000 01000 00000", NULL},
    {"outerMpls == any", "00000 00000 11000 00000", NULL},
    {"innerMpls == 200", "00000 00000 10000 00000", NULL},
    {"innerMpls == 100,300,200", "00000 00000 10000 00000", NULL},
    {"innerMpls == any", "00000 00000 10000 00000", NULL},
    {"innerMpls == none", "11111 11111 01111 11111", NULL},
    {"qosIpDscp == 46", "10000 00000 00000 00000", NULL},
    {"qosIpDscp == 10", "00000 01000 00000 00000", NULL},
    {"qosIpDscp == 0", "01111 10100 11111 10011", NULL},
    {"qosIpDscp > 0", "10000 01000 00000 00000", NULL},
    {"qosMplsTc == 5", "00000 00000 10000 00000", NULL},
    {"qosMplsTc == 1,3", "00000 00000 01000 00000", NULL},
    {"qosVlanPcp == 5", "00001 00000 00000 00000", NULL},
    {"qosVlanPcp == 2", "00000 10000 00000 00000", NULL},
    {"qosVlanPcp == 6,2", "00000 10000 00000 00000", NULL},
    {"multicastGroup == 239.1.1.1", "00000 00000 00100 00000", NULL},
    {"multicastGroup == 239.2.2.2", "00000 00000 00010 00000", NULL},
    {"multicastGroup == 239.0.0.0/8", "00000 00000 00110 00000", NULL},
    {"multicastGroup == any", "00000 00100 00110 00000", NULL},
    {"multicastGroup != 239.1.1.1", "11111 11111 11011 11111", NULL},
    {"icmpType == 8", "00000 00000 10000 00000", NULL},
    {"icmpType == 0", "00000 00000 01000 00000", NULL},
    {"icmpType == 0,8", "00000 00000 11000 00000", NULL},
    {"icmpType != 8", "11111 11111 01111 11111", NULL},
    {"tcpFlags == syn", "10010 00000 00000 00000", NULL},
    {"tcpFlags == syn+ack", "10000 00000 00000 00000", NULL},
    {"tcpFlags == ACK+SYN", "10000 00000 00000 00000", NULL},
    {"tcpFlags == ack", "11000 00000 00000 00011", NULL},
    {"tcpFlags == rst", "00100 00000 00000 00001", NULL},
    {"tcpFlags == rst+ack", "00000 00000 00000 00001", NULL},
    {"tcpFlags == fin", "00000 00000 00000 00010", NULL},
    {"tcpFlags == fin+psh+urg", "00000 00000 00000 00010", NULL},
    {"tcpFlags == push+ack", "00000 00000 00000 00010", NULL},
    {"tcpFlags == urg", "00000 00000 00000 00010", NULL},
    {"tcpFlags == syn,rst", "10110 00000 00000 00001", NULL},
    {"tcpFlags != syn", "01101 11111 11111 11111", NULL},
    {"ipFragment == 1", "00000 00000 00001 10000", NULL},
    {"ipFragment == 0", "11111 11111 11110 01111", NULL},
    {"ipFragment", "00000 00000 00001 10000", NULL},
    {"ipDoNotFragment == 1", "10010 00000 00000 00000", NULL},
    {"ipDoNotFragment == 0", "01101 11111 11111 11111", NULL},
    {"ipDoNotFragment", "10010 00000 00000 00000", NULL},
    {"mactype == broadcast", "00000 00010 00000 00000", NULL},
    {"mactype == multicast", "00000 01100 00110 01000", NULL},
    {"mactype == unicast", "11111 10001 11001 10111", NULL},
    {"mactype != unicast", "00000 01110 00110 01000", NULL},
    {"mactype == broadcast,multicast", "00000 01110 00110 01000", NULL},
    {"badCRC == 1", "00000 00000 00001 00100", NULL},
    {"badCRC == 0", "11111 11111 11110 11011", NULL},
    {"badCRC", "00000 00000 00001 00100", NULL},
    {"badCRC == true", "00000 00000 00001 00100", NULL},
    {"interface == 1,3-5", "00000 00000 00001 11001", NULL},
    {"interface == 3", "00000 00000 00001 00000", NULL},
    {"interface == 0", "11111 11111 11110 00000", NULL},
    {"interface > 4", "00000 00000 00000 10010", NULL},
    {"interface == -2", "11111 11111 11110 01100", NULL},
    {"interface == 6-", "00000 00000 00000 00010", NULL},
    {"regexp == \"allegr[o,a]|HTTP\"", "11000 01000 00000 01100", NULL},
    {"regexp == \"(?i)allegro|http\"", "10000 11000 00000 01100", NULL},
    {"regexp == \xe2\x80\x9c"
     "allegro|analyzer\xe2\x80\x9d",
     "10001 00000 00000 00100", NULL},
    {"regexp != \"HTTP\"", "01111 10111 11111 10111", NULL},
    {"regexp == \"^ping$\"", "00000 00000 10000 00000", NULL},
    {"regexp == \"^pong$\"", "00000 00000 01000 00000", NULL},
    /* A later fragment has no L4 header: its payload follows IPv4. */
    {"regexp == \"^tail-end$\"", "00000 00000 00000 10000", NULL},
    {"regexp == \"^frag$\"", "00000 00000 00001 00000", NULL},
    {"regexp == \"^xyz\"", "00000 00000 00000 01000", NULL},
    {"regexp == \"^dns analyzer$\"", "00001 00000 00000 00000", NULL},
    {"regexp == \"^Allegro QinQ$\"", "00000 10000 00000 00000", NULL},
    {"regexp == '^allegro raw$'", "00000 00000 00000 00100", NULL},
    {"regexp == \"(?i)^analyzer$\"", "00000 00000 00000 00010", NULL},
    {"regexp == \"^GET / HTTP/1\\.1\\r\\nHost\"", "10000 00000 00000 00000",
     NULL},
    {"regexp == \"\\x12\\x34\\x56\\x78\\x90\\xab\"", "00000 00011 00000 00000",
     NULL},
    {"regexp == \"allegro\" and port == 1234", "10000 00000 00000 00000", NULL},
    {"regexp == \"(?i)allegro\" and not macProtocol == \"Non IP\"",
     "10000 10000 00000 00000", NULL},
    {"(ip == 10.0.0.1 or ip == 10.0.0.2) and not port == 80",
     "11100 00000 11001 10000", NULL},
    {"ip == 10.0.0.0/8 && tcpFlags == syn+ack || vlan == 10",
     "10001 00000 00000 00000", NULL},
    {"not (tcpFlags == ack or l4Protocol == UDP)", "00110 00111 11110 01100",
     NULL},
    {"tcpFlags == syn+ack and ip == 10.0/16", "10000 00000 00000 00000", NULL},
    {"src 10.0.0.1", "10110 00000 10000 00000", NULL},
    {"dst 10.0.0.1", "01000 00000 01001 10000", NULL},
    {"src 10.0.0.0/24", "10110 00000 10111 10000", NULL},
    {"dst 192.168.1.7", "00001 00000 00000 00000", NULL},
    {"src 10.0.0.1:1234 and dst 10.1.0.1:9876", "10000 00000 00000 00000",
     NULL},
    {"sport 1234", "10000 00000 00000 00000", NULL},
    {"dport 1234", "01100 00000 00000 00000", NULL},
    {"sport 9876 and dport 1234", "01100 00000 00000 00000", NULL},
    {"dport 5355", "00000 01000 00000 00000", NULL},
    {"l4proto tcp", "11110 00000 00000 00011", NULL},
    {"l4proto udp and src 192.168.1.0/24", "00000 10000 00000 00000", NULL},
    {"l4proto 1", "00000 00000 11000 00000", NULL},
    {"1234 in tcp.port", "11100 00000 00000 00000", NULL},
    {"10 in vlan.id", "00001 00000 00000 00000", NULL},
    {"100 in ieee8021ad.id", "00000 10000 00000 00000", NULL},
    {"tcp.flags & 0x12 == 0x12", "10000 00000 00000 00000", NULL},
    {"tcp.flags & 0x04 != 0", "00100 00000 00000 00001", NULL},
    {"tcp.flags & 0x39 == 0x39", "00000 00000 00000 00010", NULL},
    {"ip.flags & 0x2 == 0x2", "10010 00000 00000 00000", NULL},
    {"IP.src == re('10\\.0\\.0\\..*')", "10110 00000 10111 10000", NULL},
    {"IP.dst == re('^192\\.168')", "00001 00000 00000 00000", NULL},
    {"ip.src == \xe2\x80\x9c"
     "192.168.1.7\xe2\x80\x9d",
     "00000 10000 00000 00000", NULL},
    {"ip.src == \xe2\x80\x98"
     "10.1.0.1\xe2\x80\x99",
     "01000 00000 00000 00000", NULL},
    {"TCP.flags.SYN == 1 and TCP.flags.ACK == 0", "00010 00000 00000 00000",
     NULL},
    {"tcp.port in [80, 110]", "00010 00000 00000 00001", NULL},
};

/* One row per distinct message of the lexer, the parser, the value
 * readers and the operand expanders (and per reason inside "bad address"
 * and "bad IPv4 address"). */
static const struct err_row error_rows[] = {
    {"regexp == \"abc",
     "unterminated string starting at column 11: expected a closing \""},
    {"regexp == \xe2\x80\x9c"
     "abc",
     "unterminated string starting at column 11: expected a closing "
     "\xe2\x80\x9d"},
    {"ip.src == \xe2\x80\x98"
     "10.0.0.1",
     "unterminated string starting at column 11: expected a closing "
     "\xe2\x80\x99"},
    {"tcp | udp", "unexpected character '|' at column 5 (did you mean '||'?)"},
    {"ip#2", "unexpected character '#' at column 3 (layer selectors are not "
             "supported)"},
    {"tcp $ udp", "unexpected character '$' at column 5"},
    {"tcp \xe2\x86\x92 udp", "unexpected character '\xe2\x86\x92' at column 5"},
    {"tcp \xff", "unexpected byte 0xff at column 5"},
    {"tcp \x01", "unexpected byte 0x01 at column 5"},
    {"prot == 80", "unknown operand 'prot' at column 1 (did you mean 'port'?)"},
    {"porrt == 80",
     "unknown operand 'porrt' at column 1 (did you mean 'port'?)"},
    {"ip.scr == 1.2.3.4",
     "unknown field 'ip.scr' at column 1 (did you mean 'ip.src'?)"},
    {"frobnicate", "unknown operand 'frobnicate' at column 1: not a field, a "
                   "protocol or an operand"},
    {"ip.frobnicate == 1", "unknown field 'ip.frobnicate' at column 1: not a "
                           "field, a protocol or an operand"},
    {"10.0.0.1", "unexpected value '10.0.0.1' at column 1: expected a field, "
                 "an operand or a protocol before it"},
    {"ip.src in 10.0.0.1",
     "unexpected '10.0.0.1' at column 11: expected '{' or '[' opening a set "
     "of values"},
    {"tcp adn udp", "unexpected 'adn' at column 5: expected 'and', 'or' or the "
                    "end of the expression (did you mean 'and'?)"},
    {"ip.src == 10.0.0.1 xor tcp",
     "unexpected 'xor' at column 20: expected 'and', 'or' or the end of the "
     "expression (did you mean 'or'?)"},
    {"tcp.port == 1 2", "unexpected '2' at column 15: expected 'and', 'or' or "
                        "the end of the expression"},
    {"(tcp udp)", "unexpected 'udp' at column 6: expected ')', 'and' or 'or'"},
    {"tcp or or udp", "unexpected 'or' at column 8: expected a field, an "
                      "operand, a protocol or '('"},
    {"(", "unexpected end of the expression at column 2: expected a field, an "
          "operand, a protocol or '('"},
    {"not", "unexpected end of the expression at column 4: expected a field, "
            "an operand, a protocol or '('"},
    {"tcp and", "unexpected end of the expression at column 8: expected a "
                "field, an operand, a protocol or '('"},
    {"tcp.port == , 1",
     "unexpected ',' at column 13: expected an unsigned integer"},
    {"tcp.port == == 1",
     "unexpected '==' at column 13: expected an unsigned integer"},
    {"tcp.port in {}",
     "unexpected '}' at column 14: expected an unsigned integer"},
    {"tcp.port in {80 443]",
     "unexpected ']' at column 20: expected an unsigned integer"},
    {"tcp.port ==",
     "missing value after '==' at column 12: expected an unsigned integer"},
    {"tcp.port == 1,",
     "missing value after '==' at column 15: expected an unsigned integer"},
    {"ip.flags & 0x1 ==",
     "missing value after '==' at column 18: expected an unsigned integer"},
    {"ip ==", "missing value after '==' at column 6: expected an IPv4 or IPv6 "
              "address, optionally with /prefix (10.0/16) and :port "
              "(10.0.0.1:1234, [2001:db8::1]:123)"},
    {"(tcp", "unbalanced '(' at column 1: no matching ')'"},
    {"((tcp)", "unbalanced '(' at column 1: no matching ')'"},
    {"tcp or udp)", "unbalanced ')' at column 11: no matching '('"},
    {")", "unbalanced ')' at column 1: no matching '('"},
    {"tcp.port in {80, 443", "unbalanced '{' at column 13: no matching '}'"},
    {"tcp.port in [80", "unbalanced '[' at column 13: no matching ']'"},
    {"ip.src == re 'x'",
     "unexpected ''x'' at column 14: expected '(' after re"},
    {"ip.src == re(x)",
     "unexpected 'x' at column 14: expected a quoted regular expression"},
    {"ip.src == re('x'",
     "unexpected end of the expression at column 17: expected ')' closing re("},
    {"ip == []",
     "unexpected ']' at column 8: expected an IPv6 address after '['"},
    {"ip == [2001:db8::1", "unexpected end of the expression at column 19: "
                           "expected ']' closing the IPv6 address"},
    {"'x' tcp",
     "unexpected 'tcp' at column 5: expected 'in' and a field after a value"},
    {"\"x\" == tcp",
     "unexpected '==' at column 5: expected 'in' and a field after a value"},
    {"tcp.port in 80",
     "unexpected '80' at column 13: expected '{' or '[' opening a set of "
     "values"},
    {"62 in tcp",
     "'tcp' at column 7 is a protocol: it can only be tested for presence"},
    {"62 in", "unexpected end of the expression at column 6: expected a field "
              "after 'in'"},
    {"tcp.port in (80)",
     "unexpected '(' at column 13: expected '{' or '[' opening a set of "
     "values"},
    {"tcp.flags & syn",
     "unexpected 'syn' at column 13: expected an integer mask after '&'"},
    {"tcp.flags & 0xffffffffffffffffff == 1",
     "unexpected '0xffffffffffffffffff' at column 13: expected an integer mask "
     "after '&'"},
    {"ip.src & 0xff == 1", "bitwise '&' at column 8 needs an integer field; "
                           "'ip.src' is an IPv4 address"},
    {"tcp == 1",
     "'tcp' at column 1 is a protocol: it can only be tested for presence"},
    {"tcp & 1",
     "'tcp' at column 1 is a protocol: it can only be tested for presence"},
    {"ip.dsfield.dscp contains 1",
     "'contains' at column 17 needs a string, byte or MAC field; "
     "'ip.dsfield.dscp' is an unsigned integer"},
    {"ip.src contains 1", "'contains' at column 8 needs a string, byte or MAC "
                          "field; 'ip.src' is an IPv4 address"},
    {"ip.src < re('x')", "a regular expression at column 13 must be the only "
                         "value, after ==, != or matches"},
    {"tcp.port == 1, re('x')",
     "a regular expression at column 19 must be the only value"},
    {"regexp == \"(abc\"",
     "bad regular expression '\"(abc\"' at column 11: missing closing "
     "parenthesis (at offset 4 of the pattern)"},
    {"regexp == 'a(?<n'",
     "bad regular expression ''a(?<n'' at column 11: syntax error in "
     "subpattern name (missing terminator?) (at offset 5 of the pattern)"},
    {"ip.src == re('(')",
     "bad regular expression 're('(')' at column 14: missing closing "
     "parenthesis (at offset 1 of the pattern)"},
    {"port", "operand 'port' at column 1 needs a value (a port (0 to 65535) or "
             "a range (100-120, -10, 65000-)), as in: port == 80"},
    {"regexp", "operand 'regexp' at column 1 needs a value (a quoted regular "
               "expression (PCRE2)), as in: regexp == \"(?i)allegro|http\""},
    {"tcpFlags",
     "operand 'tcpFlags' at column 1 needs a value (TCP flags joined by '+' "
     "(fin, syn, rst, psh, ack, urg, ece, cwr)), as in: tcpFlags == syn+ack"},
    {"src", "operand 'src' at column 1 needs a value (an IPv4 or IPv6 address, "
            "optionally with /prefix (10.0/16) and :port (10.0.0.1:1234, "
            "[2001:db8::1]:123)), as in: src 10.10.10.10/24"},
    {"sport", "operand 'sport' at column 1 needs a value (a port (0 to 65535) "
              "or a range (100-120, -10, 65000-)), as in: sport 80"},
    {"l4proto", "operand 'l4proto' at column 1 needs a value (an IP protocol "
                "name or number), as in: l4proto tcp"},
    {"port & 1 == 1",
     "bitwise '&' at column 6 applies to fields, not to the operand 'port'"},
    {"all port == 80",
     "'all' at column 1 applies to fields, not to the operand 'port'"},
    {"any port == 1",
     "'any' at column 1 applies to fields, not to the operand 'port'"},
    {"any tcp",
     "'any' at column 1 applies to fields, not to the protocol 'tcp'"},
    {"mac < 12:34:56:78:90:ab", "operator at column 5 does not apply to the "
                                "operand 'mac': it takes == and !="},
    {"tcpFlags < syn", "operator at column 10 does not apply to the operand "
                       "'tcpFlags': it takes == and !="},
    {"l7Protocol == dns",
     "operand 'l7Protocol' at column 1 needs layer-7 protocol detection (DPI "
     "over the packets of each flow), which trawl does not have yet"},
    {"dpiProtocol == dns",
     "operand 'dpiProtocol' at column 1 needs layer-7 protocol detection (DPI "
     "over the packets of each flow), which trawl does not have yet"},
    {"countryCode == US",
     "operand 'countryCode' at column 1 needs a geolocation database mapping "
     "addresses to countries, which trawl does not have yet"},
    {"link == 1",
     "operand 'link' at column 1 needs the link pairs of the capture ports (a "
     "live capture on two ports of a link), which trawl does not have yet"},
    {"group == default",
     "operand 'group' at column 1 needs configured host groups (named address "
     "lists), which trawl does not have yet"},
    {"l7Protocol == dns and (",
     "unexpected end of the expression at column 24: expected a field, an "
     "operand, a protocol or '('"},
    {"eth.src == 10.0.0.1", "type mismatch at column 12: 'eth.src' is a MAC "
                            "address, '10.0.0.1' is an IPv4 address"},
    {"tcp.port == 10.0.0.1", "type mismatch at column 13: 'tcp.port' is an "
                             "unsigned integer, '10.0.0.1' is an IPv4 address"},
    {"ip.src == 80", "type mismatch at column 11: 'ip.src' is an IPv4 address, "
                     "'80' is an integer"},
    {"ip.src == 2001:db8::1", "type mismatch at column 11: 'ip.src' is an IPv4 "
                              "address, '2001:db8::1' is an IPv6 address"},
    {"ipv6.src == 10.0.0.1", "type mismatch at column 13: 'ipv6.src' is an "
                             "IPv6 address, '10.0.0.1' is an IPv4 address"},
    {"tcp.port == \"abc\"", "type mismatch at column 13: 'tcp.port' is an "
                            "unsigned integer, '\"abc\"' is a string"},
    {"frame.time_epoch == \"garbage\"",
     "type mismatch at column 21: 'frame.time_epoch' is an absolute time, "
     "'\"garbage\"' is a string"},
    {"frame.offset_shift == \"x\"",
     "type mismatch at column 23: 'frame.offset_shift' is a time offset, "
     "'\"x\"' is a string"},
    {"arpip == 2001:db8::1", "type mismatch at column 10: 'arpip' is an IPv4 "
                             "address, '2001:db8::1' is an IPv6 address"},
    {"mac == 10.0.0.1", "type mismatch at column 8: 'mac' is a MAC address, "
                        "'10.0.0.1' is an IPv4 address"},
    {"eth.src == zz",
     "bad value 'zz' at column 12: 'eth.src' is a MAC address"},
    {"mac == 12:34:56",
     "bad value '12:34:56' at column 8: 'mac' is a MAC address"},
    {"tcp.port == 1..",
     "bad value '1..' at column 13: 'tcp.port' is an unsigned integer"},
    /* Each type the messages name (no field is a floating-point number
     * yet). */
    {"tcp.flags.syn == 10.0.0.1",
     "type mismatch at column 18: 'tcp.flags.syn' is a boolean, '10.0.0.1' "
     "is an IPv4 address"},
    {"nlm.sequence == 1.5",
     "bad value '1.5' at column 17: 'nlm.sequence' is a signed integer"},
    {"tcp.options.sack_perm == xyz", "bad value 'xyz' at column 26: "
                                     "'tcp.options.sack_perm' is a byte string"},
    {"sip.Method & 1", "bitwise '&' at column 12 needs an integer field; "
                       "'sip.Method' is a character string"},
    {"vlan == 5000",
     "value '5000' at column 9 is out of range for 'vlan' (0 to 4095)"},
    {"qosMplsTc == 8",
     "value '8' at column 14 is out of range for 'qosMplsTc' (0 to 7)"},
    {"port == 70000",
     "value '70000' at column 9 is out of range for 'port' (0 to 65535)"},
    {"l4Protocol == 256",
     "value '256' at column 15 is out of range for 'l4Protocol' (0 to 255)"},
    {"icmpType == 256",
     "value '256' at column 13 is out of range for 'icmpType' (0 to 255)"},
    {"portrange == 120-100",
     "empty range '120-100' at column 14: 120 is larger than 100"},
    {"interface == 5-3", "empty range '5-3' at column 14: 5 is larger than 3"},
    /* A field's range is what its bits hold: the width tshark gives it
     * ("70000" too big for this field, maximum 65535), narrower for a
     * bit field, which tshark takes up to its word (vlan.id == 5000)
     * and trawl refuses, since no packet can match. tshark refuses the
     * ordering operators and sets alike; a negative value it reads as a
     * huge one, trawl refuses it. */
    {"tcp.port == 70000",
     "value '70000' at column 13 is out of range for 'tcp.port' (0 to 65535)"},
    {"tcp.port < 70000",
     "value '70000' at column 12 is out of range for 'tcp.port' (0 to 65535)"},
    {"udp.srcport >= 0x10000", "value '0x10000' at column 16 is out of range "
                               "for 'udp.srcport' (0 to 65535)"},
    {"ip.ttl != 256",
     "value '256' at column 11 is out of range for 'ip.ttl' (0 to 255)"},
    {"ip.ttl == -1",
     "value '-1' at column 11 is out of range for 'ip.ttl' (0 to 255)"},
    {"vlan.id == 5000",
     "value '5000' at column 12 is out of range for 'vlan.id' (0 to 4095)"},
    {"ieee8021ad.id == 4096", "value '4096' at column 18 is out of range for "
                              "'ieee8021ad.id' (0 to 4095)"},
    {"mpls.label == 1048576", "value '1048576' at column 15 is out of range "
                              "for 'mpls.label' (0 to 1048575)"},
    {"tcp.flags == 0x1000",
     "value '0x1000' at column 14 is out of range for 'tcp.flags' (0 to 4095)"},
    {"TCP.flags == 0x1000",
     "value '0x1000' at column 14 is out of range for 'tcp.flags' (0 to 4095)"},
    {"ip.dsfield.dscp == 64", "value '64' at column 20 is out of range for "
                              "'ip.dsfield.dscp' (0 to 63)"},
    {"tcp.port in {80, 70000}",
     "value '70000' at column 18 is out of range for 'tcp.port' (0 to 65535)"},
    {"tcp.port in {80..70000}",
     "value '70000' at column 18 is out of range for 'tcp.port' (0 to 65535)"},
    {"tcp.port in [1 70000]",
     "value '70000' at column 16 is out of range for 'tcp.port' (0 to 65535)"},
    {"ip.ttl not in {1, 2..300}",
     "value '300' at column 22 is out of range for 'ip.ttl' (0 to 255)"},
    {"tcp.port in {-1..80}",
     "value '-1' at column 14 is out of range for 'tcp.port' (0 to 65535)"},
    {"tcp.port not in {\"70000\"}",
     "value '70000' at column 19 is out of range for 'tcp.port' (0 to 65535)"},
    {"70000 in tcp.port",
     "value '70000' at column 1 is out of range for 'tcp.port' (0 to 65535)"},
    {"ip.ttl & 0x100 == 0",
     "mask '0x100' at column 10 is out of range for 'ip.ttl' (0 to 255)"},
    {"ip.ttl & 0xff == 256",
     "value '256' at column 18 is out of range for 'ip.ttl' (0 to 255)"},
    {"frame.len > 4294967296", "value '4294967296' at column 13 is out of "
                               "range for 'frame.len' (0 to 4294967295)"},
    {"rpc.xid == 0x100000000", "value '0x100000000' at column 12 is out of "
                               "range for 'rpc.xid' (0 to 4294967295)"},
    {"nlm.sequence == 2147483648",
     "value '2147483648' at column 17 is out of range for 'nlm.sequence' "
     "(-2147483648 to 2147483647)"},
    {"nlm.sequence in {-2147483649..0}",
     "value '-2147483649' at column 18 is out of range for 'nlm.sequence' "
     "(-2147483648 to 2147483647)"},
    {"nlm.sequence in {0..2147483648}",
     "value '2147483648' at column 21 is out of range for 'nlm.sequence' "
     "(-2147483648 to 2147483647)"},
    {"nfs.fattr3.size == -1", "value '-1' at column 20 is out of range for "
                              "'nfs.fattr3.size' (0 to 18446744073709551615)"},
    /* The operands by the ranges their documentation gives. */
    {"portrange == 70000-",
     "value '70000' at column 14 is out of range for 'portrange' (0 to 65535)"},
    {"portrange == 80,100-70000",
     "value '70000' at column 21 is out of range for 'portrange' (0 to 65535)"},
    {"sport 70000",
     "value '70000' at column 7 is out of range for 'sport' (0 to 65535)"},
    {"dport 80,70000",
     "value '70000' at column 10 is out of range for 'dport' (0 to 65535)"},
    {"icmpType == 300",
     "value '300' at column 13 is out of range for 'icmpType' (0 to 255)"},
    {"innervlan == 4096",
     "value '4096' at column 14 is out of range for 'innervlan' (0 to 4095)"},
    {"mpls == 1048576",
     "value '1048576' at column 9 is out of range for 'mpls' (0 to 1048575)"},
    {"qosIpDscp == 64",
     "value '64' at column 14 is out of range for 'qosIpDscp' (0 to 63)"},
    {"qosVlanPcp == 8",
     "value '8' at column 15 is out of range for 'qosVlanPcp' (0 to 7)"},
    {"rtpPayloadType == 200", "value '200' at column 19 is out of range for "
                              "'rtpPayloadType' (0 to 127)"},
    {"profinetFrameId == 0x10000", "value '0x10000' at column 20 is out of "
                                   "range for 'profinetFrameId' (0 to 65535)"},
    {"profinetCmOpnum == 65536", "value '65536' at column 20 is out of range "
                                 "for 'profinetCmOpnum' (0 to 65535)"},
    {"macProtocol == 0x10000", "value '0x10000' at column 16 is out of range "
                               "for 'macProtocol' (0 to 65535)"},
    {"interface == 1,4294967296", "value '4294967296' at column 16 is out of "
                                  "range for 'interface' (0 to 4294967295)"},
    {"ip.src == 10.0.0.300",
     "bad IPv4 address '10.0.0.300' at column 11: an octet is larger than 255"},
    {"ip.src == 1.2.3.4.5",
     "bad IPv4 address '1.2.3.4.5' at column 11: too many octets"},
    {"ip.src == 10.0.0",
     "bad IPv4 address '10.0.0' at column 11: an IPv4 address has four octets "
     "(a shorter one needs a /prefix, as in 10.0/16)"},
    {"ip.src == 10.0.0.1/40", "bad prefix '/40' in '10.0.0.1/40' at column 11: "
                              "an IPv4 prefix is 0 to 32 bits"},
    {"ip.src == 10.0.0.1/x", "bad prefix '/x' in '10.0.0.1/x' at column 11: an "
                             "IPv4 prefix is 0 to 32 bits"},
    {"ipv6.src == 2001:db8::/129",
     "bad prefix '/129' in '2001:db8::/129' at column 13: an IPv6 prefix is 0 "
     "to 128 bits"},
    {"ipv6.src == 2001:db8:::1",
     "bad IPv6 address '2001:db8:::1' at column 13: not a valid IPv6 address"},
    {"ip == 10.0.0.1:99999",
     "bad address '10.0.0.1:99999' for 'ip' at column 7: a port is 0 to 65535 "
     "(expected an IPv4 or IPv6 address, optionally with /prefix (10.0/16) and "
     ":port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"src 10.0.0.1:99999",
     "bad address '10.0.0.1:99999' for 'src' at column 5: a port is 0 to 65535 "
     "(expected an IPv4 or IPv6 address, optionally with /prefix (10.0/16) and "
     ":port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == [::1]:70000",
     "bad address '[::1]:70000' for 'ip' at column 7: a port is 0 to 65535 "
     "(expected an IPv4 or IPv6 address, optionally with /prefix (10.0/16) and "
     ":port (10.0.0.1:1234, [2001:db8::1]:123))"},
    /* A quoted value reaches the address reader with its brackets. */
    {"ip == \"[::1]x\"",
     "bad address '\"[::1]x\"' for 'ip' at column 7: expected ':port' after "
     "']' (expected an IPv4 or IPv6 address, optionally with /prefix "
     "(10.0/16) and :port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == \"[::1\"",
     "bad address '\"[::1\"' for 'ip' at column 7: no closing ']' (expected "
     "an IPv4 or IPv6 address, optionally with /prefix (10.0/16) and :port "
     "(10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == [10.0.0.1]:80",
     "bad address '[10.0.0.1]:80' for 'ip' at column 7: brackets are for IPv6 "
     "addresses (expected an IPv4 or IPv6 address, optionally with /prefix "
     "(10.0/16) and :port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == foo",
     "bad address 'foo' for 'ip' at column 7: not an IPv4 or IPv6 address "
     "(expected an IPv4 or IPv6 address, optionally with /prefix (10.0/16) and "
     ":port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == 1.2.3.4.5",
     "bad address '1.2.3.4.5' for 'ip' at column 7: too many octets (expected "
     "an IPv4 or IPv6 address, optionally with /prefix (10.0/16) and :port "
     "(10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == 10..0.1",
     "bad address '10..0.1' for 'ip' at column 7: an octet is missing "
     "(expected an IPv4 or IPv6 address, optionally with /prefix (10.0/16) and "
     ":port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == 10.0.0.256",
     "bad address '10.0.0.256' for 'ip' at column 7: an octet is larger than "
     "255 (expected an IPv4 or IPv6 address, optionally with /prefix (10.0/16) "
     "and :port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == 10.0.0.1/33",
     "bad address '10.0.0.1/33' for 'ip' at column 7: an IPv4 prefix is 0 to "
     "32 bits (expected an IPv4 or IPv6 address, optionally with /prefix "
     "(10.0/16) and :port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == ::1/200",
     "bad address '::1/200' for 'ip' at column 7: an IPv6 prefix is 0 to 128 "
     "bits (expected an IPv4 or IPv6 address, optionally with /prefix "
     "(10.0/16) and :port (10.0.0.1:1234, [2001:db8::1]:123))"},
    {"ip == re('10.*')", "'ip' at column 10 takes addresses, not regular "
                         "expressions (compare ip.addr with re())"},
    {"multicastGroup == 239.1.1.1:80",
     "bad address '239.1.1.1:80' for 'multicastGroup' at column 19: a port is "
     "not allowed here (expected a multicast IPv4 address or any)"},
    {"multicastGroup == foo",
     "bad address 'foo' for 'multicastGroup' at column 19: not an IPv4 or IPv6 "
     "address (expected a multicast IPv4 address or any)"},
    {"multicastGroup == ff02::1",
     "'multicastGroup' with an IPv6 group at column 19 needs the MLD fields of "
     "ICMPv6 (icmpv6.mld.multicast_address), which trawl does not decode yet"},
    {"macProtocol == IPv5", "unknown MAC protocol 'IPv5' for 'macProtocol' at "
                            "column 16 (did you mean 'IPv4'?)"},
    {"macProtocol == zzzzzzzz",
     "unknown MAC protocol 'zzzzzzzz' for 'macProtocol' at column 16"},
    {"l4Protocol == ICMPX", "unknown IP protocol 'ICMPX' for 'l4Protocol' at "
                            "column 15 (did you mean 'ICMP'?)"},
    {"l4Protocol == zzzzzzzzz",
     "unknown IP protocol 'zzzzzzzzz' for 'l4Protocol' at column 15"},
    {"tcpFlags == ack+synn", "unknown TCP flag 'synn' for 'tcpFlags' at column "
                             "17 (did you mean 'syn'?)"},
    {"tcpFlags == syn+",
     "missing TCP flag in 'syn+' at column 13: expected TCP flags joined by "
     "'+' (fin, syn, rst, psh, ack, urg, ece, cwr)"},
    {"tcpFlags == +syn",
     "missing TCP flag in '+syn' at column 13: expected TCP flags joined by "
     "'+' (fin, syn, rst, psh, ack, urg, ece, cwr)"},
    {"mactype == anycast", "unknown MAC type 'anycast' for 'mactype' at column "
                           "12 (did you mean 'unicast'?)"},
    {"badCRC == 2", "bad value '2' for 'badCRC' at column 11: expected 0 or 1"},
    {"ipDoNotFragment == 5",
     "bad value '5' for 'ipDoNotFragment' at column 20: expected 0 or 1"},
    {"ipFragment == yes",
     "bad value 'yes' for 'ipFragment' at column 15: expected 0 or 1"},
    {"vlan < any", "'any' at column 8 takes only == and !="},
    {"vlan >= none", "'none' at column 9 takes only == and !="},
    {"interface == eth0",
     "interface name 'eth0' at column 14: names need the trace's interface "
     "list, which expressions do not see yet; use the interface number "
     "(frame.interface_id), as in: interface == 1,3-5"},
};

static void test_truth_table(void **state) {
    (void)state;
    need_decoders();
    int failures = 0;
    for (size_t i = 0; i < sizeof match_rows / sizeof match_rows[0]; i++) {
        const struct row *r = &match_rows[i];
        /* A row that matches all or nothing tells little: refuse it. */
        if (!strchr(r->want, '0') || !strchr(r->want, '1')) {
            print_error("'%s': want %s matches all or nothing\n", r->expr,
                        r->want);
            failures++;
        }
        char err[TRAWL_ERRBUF_SIZE];
        trawl_expr *e;
        if (trawl_expr_compile(&e, r->expr, NULL, err, sizeof err) < 0) {
            print_error("'%s': does not compile: %s\n", r->expr, err);
            failures++;
            continue;
        }
        if (trawl_expr_reading(e) != TRAWL_EXPR_TRAWL) {
            print_error("'%s': not read as trawl syntax\n", r->expr);
            failures++;
        }
        char got[NPKT + NPKT / 5 + 1];
        matches(e, got);
        bool ok = strcmp(got, r->want) == 0;
        if (!ok && !r->bug) {
            print_error("'%s':\n   got %s\n  want %s\n", r->expr, got, r->want);
            failures++;
        } else if (ok && r->bug) {
            print_error("'%s': matches as wanted: the known bug (%s) is "
                        "fixed, drop its mark\n",
                        r->expr, r->bug);
            failures++;
        }
        trawl_expr_free(e);
    }
    assert_int_equal(failures, 0);
}

/* ---- bad expression -> message ------------------------------------------- */

static void test_error_table(void **state) {
    (void)state;
    need_decoders();
    int failures = 0;
    for (size_t i = 0; i < sizeof error_rows / sizeof error_rows[0]; i++) {
        const struct err_row *r = &error_rows[i];
        char err[TRAWL_ERRBUF_SIZE] = "";
        trawl_expr *e = (trawl_expr *)1;
        int rc = trawl_expr_compile(&e, r->expr, NULL, err, sizeof err);
        if (rc != TRAWL_EEXPR || e != NULL) {
            print_error("'%s': rc %d, want an error\n", r->expr, rc);
            if (rc == 0)
                trawl_expr_free(e);
            failures++;
            continue;
        }
        /* trawl's message, then libpcap's reason for not taking the text
         * either (not checked: it is libpcap's wording). */
        size_t n = strlen(r->want);
        static const char tail[] = " (not valid pcap-filter either: ";
        if (strncmp(err, r->want, n) != 0 ||
            (err[n] != '\0' && strncmp(err + n, tail, strlen(tail)) != 0)) {
            print_error("'%s':\n   got: %s\n  want: %s\n", r->expr, err,
                        r->want);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* The ends of the ranges the error table goes past compile; and every
 * integer field of the registry takes its largest value and refuses one
 * more (and, signed, its least and one less). */
static bool compiles(const char *text, char *err, size_t errlen) {
    trawl_expr *e;
    if (trawl_expr_compile(&e, text, NULL, err, errlen) < 0)
        return false;
    bool trawl = trawl_expr_reading(e) == TRAWL_EXPR_TRAWL;
    trawl_expr_free(e);
    if (!trawl)
        snprintf(err, errlen, "read as pcap-filter");
    return trawl;
}

static void test_field_ranges(void **state) {
    (void)state;
    need_decoders();
    static const char *const ends[] = {
        "tcp.port == 65535",      "tcp.port <= 65535",
        "tcp.port in {0..65535}", "vlan.id == 4095",
        "ieee8021ad.id == 4095",  "mpls.label == 1048575",
        "tcp.flags == 0xfff",     "ip.ttl & 0xff == 255",
        "ip.dsfield.dscp == 63",  "frame.len == 4294967295",
        "tcp.flags.syn == 2",     "nlm.sequence == -2147483648",
        "portrange == 65535-",    "rtpPayloadType == 127",
        "vlan == 4095",           "llc.cisco_pid == 0xffff",
    };
    char err[TRAWL_ERRBUF_SIZE];
    int failures = 0;
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        if (!compiles(ends[i], err, sizeof err)) {
            print_error("'%s': %s\n", ends[i], err);
            failures++;
        }
    size_t nf = trawl_field_count(), checked = 0;
    for (size_t i = 0; i < nf; i++) {
        const struct trawl_field *f = trawl_field_at(i);
        if (f->type != TRAWL_FT_UINT && f->type != TRAWL_FT_INT)
            continue;
        uint64_t max = decode_field_max(f);
        char text[160];
        snprintf(text, sizeof text, "%s == %llu", f->name,
                 (unsigned long long)max);
        if (!compiles(text, err, sizeof err)) {
            print_error("'%s': %s\n", text, err);
            failures++;
        }
        bool is_signed = f->type == TRAWL_FT_INT;
        if (max == UINT64_MAX || (is_signed && max == INT64_MAX))
            continue;
        checked++;
        for (int below = 0; below <= is_signed; below++) {
            if (below)
                snprintf(text, sizeof text, "%s == -%llu", f->name,
                         (unsigned long long)max + 2);
            else
                snprintf(text, sizeof text, "%s == %llu", f->name,
                         (unsigned long long)max + 1);
            if (compiles(text, err, sizeof err) ||
                !strstr(err, "is out of range for")) {
                print_error("'%s': compiles or another error: %s\n", text,
                            err);
                failures++;
            }
        }
    }
    /* Most fields have a width narrower than 64 bits. */
    assert_true(checked > nf / 4);
    assert_int_equal(failures, 0);
}

/* The messages about the size of the text, which the table cannot hold. */
static void test_error_limits(void **state) {
    (void)state;
    need_decoders();
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *e;
    char *big = malloc(EXPR_MAX_TEXT + 2);
    assert_non_null(big);
    /* Each `ip == [::]:1` is four tests (address and port, either side). */
    size_t k = 0;
    for (int i = 0; i < 1360; i++)
        k += (size_t)snprintf(big + k, EXPR_MAX_TEXT + 2 - k, "%sip==[::]:1",
                              i ? "||" : "");
    assert_true(k <= EXPR_MAX_TEXT);
    assert_int_equal(trawl_expr_compile(&e, big, NULL, err, sizeof err),
                     TRAWL_EEXPR);
    assert_int_equal(
        strncmp(err, "expression too large: more than 4096 tests", 42), 0);
    /* One byte too long. */
    memset(big, ' ', EXPR_MAX_TEXT + 1);
    memcpy(big, "tcp", 3);
    big[EXPR_MAX_TEXT + 1] = '\0';
    assert_int_equal(trawl_expr_compile(&e, big, NULL, err, sizeof err),
                     TRAWL_EEXPR);
    assert_string_equal(err, "expression too long: 16385 bytes (at most "
                             "16384)");
    /* Nesting: the column of the first '(' too many. */
    k = 0;
    for (int i = 0; i < EXPR_MAX_DEPTH + 1; i++)
        big[k++] = '(';
    strcpy(big + k, "vlan == 10");
    assert_int_equal(trawl_expr_compile(&e, big, NULL, err, sizeof err),
                     TRAWL_EEXPR);
    assert_int_equal(strncmp(err,
                             "expression nested too deeply at column 201 "
                             "(more than 200 levels)",
                             65),
                     0);
    free(big);
    /* --bpf: libpcap's refusal, introduced. */
    struct trawl_expr_options bpf = {.pcap_filter = true};
    assert_int_equal(
        trawl_expr_compile(&e, "ip == 10.0/16", &bpf, err, sizeof err),
        TRAWL_EEXPR);
    assert_int_equal(strncmp(err, "not valid pcap-filter: ", 23), 0);
    /* No text at all is a caller's error, not an expression's. */
    assert_int_equal(trawl_expr_compile(&e, NULL, NULL, err, sizeof err),
                     TRAWL_EINVAL);
    assert_string_equal(err, "no expression");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_truth_table),
        cmocka_unit_test(test_error_table),
        cmocka_unit_test(test_error_limits),
        cmocka_unit_test(test_field_ranges),
    };
    return cmocka_run_group_tests(tests, build_frames, NULL);
}
