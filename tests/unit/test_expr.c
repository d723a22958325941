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

#include "expr_pkt.h"

enum { NPKT = 8 };

static struct pkt pkts[NPKT];

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
    vlan_tag(p, 5, 10, 0x8100);
    vlan_tag(p, 3, 20, 0x0800);
    ipv4(p, 0, 0, 64, 17, "192.168.1.7", "10.0.0.2", 8 + 9);
    udp(p, 5353, 53, 9);
    put_str(p, "dns query");
    record(p, 0);

    /* P2: IPv6 UDP [2a02:...:6cd2]:123 -> [ff02::1:3]:5355, DSCP 10. */
    p = &pkts[2];
    eth(p, "33:33:00:01:00:03", A_MAC, 0x86dd);
    const char *v6pay = "ALLEGRO rocks";
    ipv6(p, 10, 17, 255, "2a02 810a 1340 1292 1c6b e58d 6ebc 6cd2",
         "ff02 0000 0000 0000 0000 0000 0001 0003", 8 + strlen(v6pay));
    udp(p, 123, 5355, strlen(v6pay));
    put_str(p, v6pay);
    record(p, 0);

    /* P3: ARP who-has 10.0.0.2 tell 10.0.0.1, broadcast. */
    p = &pkts[3];
    eth(p, BCAST_MAC, A_MAC, 0x0806);
    arp(p, 1, A_MAC, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2");
    record(p, 0);

    /* P4: MPLS 100 (TC 5) / MPLS 200 (TC 1, bottom) / IPv4 ICMP echo. */
    p = &pkts[4];
    eth(p, C_MAC, B_MAC, 0x8847);
    mpls_lse(p, 100, 5, false);
    mpls_lse(p, 200, 1, true);
    icmp_echo(p, 8, "10.0.0.1", "8.8.8.8", "ping");
    record(p, 0);

    /* P5: IGMPv2 report for 239.1.1.1, TTL 1. */
    p = &pkts[5];
    eth(p, "01:00:5e:01:01:01", B_MAC, 0x0800);
    igmp_report(p, "10.0.0.5", "239.1.1.1");
    record(p, 0);

    /* P6: first IPv4 fragment (MF) UDP 7 -> 7, interface 3, CRC error,
     * a comment. */
    p = &pkts[6];
    eth(p, C_MAC, B_MAC, 0x0800);
    ipv4(p, 0, 0x2000, 64, 17, "10.0.0.9", "10.0.0.1", 8 + 4);
    udp(p, 7, 7, 4);
    put_str(p, "frag");
    record(p, 3);
    record_crc_error(p);
    p->rec.comment = "hello";

    /* P7: LLDP (not IP) with text after the Ethernet header. */
    p = &pkts[7];
    eth(p, "01:80:c2:00:00:0e", A_MAC, 0x88cc);
    put_str(p, "xyzHTTP");
    record(p, 0);
    return 0;
}

static void match_all(trawl_expr *e, char *got) {
    match_set(e, pkts, NPKT, got);
}

/* ---- expression -> matches ------------------------------------------------
 */

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

static void test_matches(void **state) {
    (void)state;
    need_decoders();
    int failures = 0;
    for (size_t i = 0; i < sizeof match_rows / sizeof match_rows[0]; i++)
        failures += check_row(match_rows[i].expr, match_rows[i].want,
                              match_rows[i].reading, pkts, NPKT);
    assert_int_equal(failures, 0);
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
     * trawl_view_set() makes); the QinQ frame P1 is read after its two
     * tags and rejected undecoded too (its UDP 5353 -> 53 accepted so by
     * a test on its port); a cut frame is not whole, so it is decoded. */
    unsetenv("TRAWL_NO_PREFILTER");
    assert_int_equal(
        trawl_expr_compile(&e, "tcp.port == 80", NULL, err, sizeof err), 0);
    assert_int_equal(layers_after(e, v, &pkts[0].rec, false), 1);
    assert_int_equal(layers_after(e, v, &pkts[1].rec, false), 1);
    assert_true(layers_after(e, v, &cut, false) >= 3);
    trawl_expr_free(e);
    assert_int_equal(trawl_expr_compile(&e, "udp.dstport == 53 and "
                                            "ip.src == 192.168.1.7",
                                        NULL, err, sizeof err),
                     0);
    assert_int_equal(layers_after(e, v, &pkts[1].rec, true), 1);
    assert_int_equal(layers_after(e, v, &pkts[0].rec, false), 1);
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
    const char *why = trawl_expr_runtime_error(e);
    assert_non_null(why);
    static const char lead[] = "the pcap-filter expression does not apply to "
                               "link type 101, so its packets do not match: ";
    assert_int_equal(strncmp(why, lead, strlen(lead)), 0);
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
