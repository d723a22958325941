/* Unit tests of the decoders behind Allegro's protocol operands
 * (slowSubtype, ptpMsgType, profinetFrameId, profinetCmOpnum, callId,
 * rtpPayloadType, serverport), as a data table of expressions over
 * hand-built packets, and of the operands that need the flows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trawl/expr.h"
#include "trawl/flows.h"

#include "expr_pkt.h"

enum { NMORE = 17 };
static struct pkt more[NMORE];

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

static int setup(void **state) {
    (void)state;
    build_more_packets();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_more_matches),
        cmocka_unit_test(test_serverport_flows),
        cmocka_unit_test(test_rtp_sessions_flows),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
