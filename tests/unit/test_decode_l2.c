/* Unit tests of the link-layer decoders (null, sll, eth, llc, vlan, mpls,
 * pseudowires, arp) and of frame.protocols. Frames are written as hex
 * strings; the expected values are what tshark 4.0 prints for the same
 * bytes with -T fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "field_join.h"

enum {
    LT_NULL = 0,
    LT_ETHER = 1,
    LT_RAW = 101,
    LT_LOOP = 108,
    LT_SLL = 113,
    LT_SLL2 = 276,
};

/* ---- helpers ------------------------------------------------------------ */

struct frame {
    uint8_t b[600];
    size_t n;
};

/* Appends the bytes of a hex string (spaces ignored) to the frame. */
static void put(struct frame *fr, const char *hex) {
    for (const char *s = hex; *s;) {
        if (*s == ' ') {
            s++;
            continue;
        }
        unsigned byte;
        assert_int_equal(sscanf(s, "%2x", &byte), 1);
        assert_true(fr->n < sizeof fr->b);
        fr->b[fr->n++] = (uint8_t)byte;
        s += 2;
    }
}

static void put_zeros(struct frame *fr, size_t n) {
    assert_true(fr->n + n <= sizeof fr->b);
    memset(fr->b + fr->n, 0, n);
    fr->n += n;
}

/* The hex spelling of n zero bytes. */
static const char *zeros_hex(size_t n) {
    static char buf[1024];
    assert_true(2 * n < sizeof buf);
    memset(buf, '0', 2 * n);
    buf[2 * n] = '\0';
    return buf;
}

static struct frame hexframe(const char *hex) {
    struct frame fr = {.n = 0};
    put(&fr, hex);
    return fr;
}

/* Ethernet addresses of most frames: broadcast from 02:00:00:00:00:aa. */
#define MACS "ffffffffffff 0200000000aa "
/* An IPv4/UDP datagram of 32 bytes (total length 32, 4 bytes of data). */
#define IP4                                                                    \
    "45000020000100004011 0000 c0a80001 c0a80002 3039 0035 000c 0000 61626364"
/* An ARP request 192.168.0.1 -> 192.168.0.2, 28 bytes. */
#define ARP "0001 0800 06 04 0001 0200000000aa c0a80001 000000000000 c0a80002"

static trawl_view *view;
static struct trawl_pkt pkt;

static void set_packet(const uint8_t *data, size_t len, int linktype) {
    memset(&pkt, 0, sizeof pkt);
    pkt.data = data;
    pkt.caplen = pkt.len = (uint32_t)len;
    pkt.linktype = linktype;
    trawl_view_set(view, &pkt);
}

static void set_frame(const struct frame *fr, int linktype) {
    set_packet(fr->b, fr->n, linktype);
}

/* The field's values, tshark style ("a,b"), or "" when absent. */
static const char *field(const char *name) {
    static struct field_join j;
    const trawl_field *f = trawl_field_lookup(name);
    if (!f)
        fail_msg("no field %s", name);
    return field_join(&j, view, f);
}

/* The layers as "name@offset+length,...", frame layer left out. */
static const char *layers(void) {
    static char buf[1024];
    buf[0] = '\0';
    size_t n = trawl_view_layer_count(view);
    for (size_t i = 1; i < n; i++) {
        struct trawl_layer_info li;
        assert_true(trawl_view_layer(view, i, &li));
        char one[64];
        snprintf(one, sizeof one, "%s%s@%u+%u", i > 1 ? "," : "", li.name,
                 li.offset, li.length);
        strcat(buf, one);
    }
    return buf;
}

static bool has_anomaly(const char *name) {
    const char *names[64];
    size_t n = trawl_view_anomalies(view, names, 64);
    for (size_t i = 0; i < n && i < 64; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

static int setup(void **state) {
    (void)state;
    view = trawl_view_new();
    return view ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    trawl_view_free(view);
    return 0;
}

/* ---- Ethernet ------------------------------------------------------------ */

static void test_eth_ii(void **state) {
    (void)state;
    struct frame fr = hexframe("0123456789ab 0200000000aa 0800 " IP4);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14,ip@14+20,udp@34+8,data@42+4");
    assert_string_equal(field("eth.dst"), "01:23:45:67:89:ab");
    assert_string_equal(field("eth.src"), "02:00:00:00:00:aa");
    assert_string_equal(field("eth.addr"),
                        "01:23:45:67:89:ab,02:00:00:00:00:aa");
    assert_string_equal(field("eth.type"), "0x0800");
    assert_string_equal(field("eth.len"), "");
    assert_string_equal(field("eth.dst.ig"), "1");
    assert_string_equal(field("eth.dst.lg"), "0");
    assert_string_equal(field("eth.src.lg"), "1");
    assert_string_equal(field("eth.ig"), "1,0");
    assert_string_equal(field("eth.lg"), "0,1");
    assert_string_equal(field("eth.dst.oui"), "74565");
    assert_string_equal(field("eth.addr.oui"), "74565,131072");
    assert_string_equal(field("eth.padding"), "");
    assert_string_equal(field("eth.trailer"), "");
    assert_string_equal(field("frame.protocols"), "eth:ethertype:ip:udp:data");
    /* pktt's spellings. */
    assert_string_equal(field("ETHERNET.src"), "02:00:00:00:00:aa");
    assert_string_equal(field("ethernet.DST"), "01:23:45:67:89:ab");
    assert_string_equal(field("Ethernet.Type"), "0x0800");
}

static void test_eth_8023(void **state) {
    (void)state;
    /* An STP BPDU in 802.3/LLC: the length bounds the LLC's data. */
    struct frame fr = hexframe(MACS "0006 424203 616263 7878");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14,llc@14+3,data@17+3");
    assert_string_equal(field("eth.len"), "6");
    assert_string_equal(field("eth.type"), "");
    assert_string_equal(field("eth.trailer"), "7878");
    assert_string_equal(field("frame.protocols"), "eth:llc:data");

    /* Novell raw 802.3: IPX with no LLC. */
    fr = hexframe(MACS "0006 ffff 61626364");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14,data@14+6");
    assert_string_equal(field("llc.dsap"), "");

    /* Neither a length nor a type (1501..1535). */
    fr = hexframe(MACS "05ff 616263");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.invalid_lentype"), "0x05ff");
    assert_string_equal(field("eth.type"), "");
    assert_string_equal(field("eth.len"), "");
    assert_string_equal(field("frame.protocols"), "eth:data");
    assert_true(has_anomaly("eth.bad_lentype"));
    assert_string_equal(field("eth.bad_lentype"), "1");

    /* Type 0 is an ethertype (Cisco MDS), not a length. */
    fr = hexframe(MACS "0000 616263");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.type"), "0x0000");
    assert_string_equal(field("frame.protocols"), "eth:ethertype:data");
}

static void test_eth_cut(void **state) {
    (void)state;
    /* tshark lists "eth" for a cut header but shows none of its fields. */
    struct frame fr = hexframe(MACS "08");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+13");
    assert_string_equal(field("eth.dst"), "");
    assert_string_equal(field("eth.addr"), "");
    assert_string_equal(field("frame.protocols"), "eth");
    assert_true(has_anomaly("eth.truncated"));
    /* A frame of no bytes at all still names its link protocol. */
    set_packet(fr.b, 0, LT_ETHER);
    assert_string_equal(layers(), "");
    assert_string_equal(field("frame.protocols"), "eth");
    /* A frame cut right after the header names what the type announced. */
    fr = hexframe(MACS "0800");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14");
    assert_string_equal(field("frame.protocols"), "eth:ethertype:ip");
    fr = hexframe(MACS "88b5");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("frame.protocols"), "eth:ethertype");
}

/* ---- padding, trailer, FCS ---------------------------------------------- */

static void test_padding_trailer_fcs(void **state) {
    (void)state;
    /* ARP padded with zeros to 60 bytes. */
    struct frame fr = hexframe(MACS "0806 " ARP);
    put_zeros(&fr, 18);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.padding"),
                        "000000000000000000000000000000000000");
    assert_string_equal(field("eth.trailer"), "");
    assert_string_equal(field("eth.fcs"), "");
    /* ... and with an FCS after the padding. */
    put(&fr, "11223344");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.padding"),
                        "000000000000000000000000000000000000");
    assert_string_equal(field("eth.fcs"), "0x11223344");
    assert_string_equal(field("eth.fcs.status"), "2");
    /* A frame cut by the snapshot length has no FCS to show. */
    pkt.len = pkt.caplen + 100;
    trawl_view_set(view, &pkt);
    assert_string_equal(field("eth.fcs"), "");
    assert_string_equal(field("eth.trailer"), "11223344");

    /* Non-zero bytes where padding would be: all of it is a trailer. */
    fr = hexframe(MACS "0806 " ARP "01");
    put_zeros(&fr, 17);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.padding"), "");
    assert_string_equal(field("eth.trailer"),
                        "010000000000000000000000000000000000");

    /* A short frame has no padding: its extra bytes are a trailer. */
    fr = hexframe(MACS "0806 " ARP "0000");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.padding"), "");
    assert_string_equal(field("eth.trailer"), "0000");

    /* An IPv4 payload ends at its total length. */
    fr = hexframe(MACS "0800 " IP4);
    put_zeros(&fr, 30);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.padding"), "0000000000000000000000000000");
    assert_string_equal(field("eth.trailer"), "000000000000000000000000");
    assert_string_equal(field("eth.fcs"), "0x00000000");

    /* Behind a VLAN tag the trailer is the tag's (no FCS guess). */
    fr = hexframe(MACS "8100 0064 0806 " ARP);
    put_zeros(&fr, 14);
    put(&fr, "0101");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.padding"), "0000000000000000000000000000");
    assert_string_equal(field("vlan.trailer"), "0101");
    assert_string_equal(field("eth.trailer"), "");
    /* ... and an 802.1ad tag's is ieee8021ah.trailer. */
    fr = hexframe(MACS "88a8 00c8 0806 " ARP);
    put_zeros(&fr, 14);
    put(&fr, "02020202");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("ieee8021ah.trailer"), "02020202");
    assert_string_equal(field("vlan.trailer"), "");

    /* After an 802.3 length, the length ends the payload. */
    fr = hexframe(MACS "0006 424203 616263");
    put_zeros(&fr, 40);
    put(&fr, "11223344");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("eth.padding"), zeros_hex(40));
    assert_string_equal(field("eth.fcs"), "0x11223344");

    /* Linux cooked captures: sll.trailer, padding counted from byte 0. */
    fr = hexframe("0000 0001 0006 0200000000aa0000 0806 " ARP);
    put_zeros(&fr, 30);
    set_frame(&fr, LT_SLL);
    assert_string_equal(field("eth.padding"),
                        "00000000000000000000000000000000");
    assert_string_equal(field("sll.trailer"), "0000000000000000000000000000");
}

/* ---- LLC and SNAP ---------------------------------------------------------
 */

static void test_llc(void **state) {
    (void)state;
    /* I frame, N(S) 5, N(R) 2, poll. */
    struct frame fr = hexframe(MACS "0008 f0f0 0a05 61626364");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14,llc@14+4,data@18+4");
    assert_string_equal(field("llc.dsap"), "0xf0");
    assert_string_equal(field("llc.dsap.sap"), "120");
    assert_string_equal(field("llc.dsap.ig"), "0");
    assert_string_equal(field("llc.ssap.cr"), "0");
    assert_string_equal(field("llc.control"), "0x050a");
    assert_string_equal(field("llc.control.n_s"), "5");
    assert_string_equal(field("llc.control.n_r"), "2");
    assert_string_equal(field("llc.control.p"), "1");
    assert_string_equal(field("llc.control.f"), "");
    assert_string_equal(field("llc.control.s_ftype"), "");
    /* The frame type of a 2-byte control field has 4 digits. */
    assert_string_equal(field("llc.control.ftype"), "0x0000");
    /* S frame (a response: SSAP C/R set), final bit. */
    fr = hexframe(MACS "0008 f0f1 0105 61626364");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("llc.ssap.cr"), "1");
    assert_string_equal(field("llc.control"), "0x0501");
    assert_string_equal(field("llc.control.n_r"), "2");
    assert_string_equal(field("llc.control.n_s"), "");
    assert_string_equal(field("llc.control.f"), "1");
    assert_string_equal(field("llc.control.s_ftype"), "0x0000");
    assert_string_equal(field("llc.control.ftype"), "0x0001");
    /* U frames: a UA response and a SABME command. */
    fr = hexframe(MACS "0007 4243 73 61626364");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14,llc@14+3,data@17+4");
    assert_string_equal(field("llc.control"), "0x0073");
    assert_string_equal(field("llc.control.u_modifier_resp"), "0x18");
    assert_string_equal(field("llc.control.u_modifier_cmd"), "");
    assert_string_equal(field("llc.control.f"), "1");
    assert_string_equal(field("llc.control.ftype"), "0x03");
    fr = hexframe(MACS "0007 4242 7f 61626364");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("llc.control.u_modifier_cmd"), "0x1b");
    assert_string_equal(field("llc.control.p"), "1");
    /* A lone DSAP: the field inside the captured bytes shows. */
    fr = hexframe(MACS "0002 42");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("llc.dsap"), "0x42");
    assert_string_equal(field("llc.ssap"), "");
    assert_true(has_anomaly("llc.truncated"));
    assert_string_equal(field("frame.protocols"), "eth:llc");
}

/* DSAP 0x06 (DoD IP): tshark decodes IPv4 in I and UI frames whatever
 * the SSAP, and nothing in other frames. */
static void test_llc_ip(void **state) {
    (void)state;
    static const struct {
        const char *llc, *protocols;
    } cases[] = {
        /* 802.3 length (the LLC header and 32 bytes of IP), LLC. */
        {"0023 0606 03", "eth:llc:ip:udp:data"},   /* UI */
        {"0023 0642 03", "eth:llc:ip:udp:data"},   /* another SSAP */
        {"0024 0606 0200", "eth:llc:ip:udp:data"}, /* I frame */
        {"0024 0606 0100", "eth:llc:data"},        /* S frame */
        {"0023 0606 13", "eth:llc:data"},          /* UI with the poll bit */
        {"0023 0606 73", "eth:llc:data"},          /* UA */
        {"0023 0706 03", "eth:llc:data"},          /* the group DSAP */
    };
    char hex[512];
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(cases); i++) {
        snprintf(hex, sizeof hex, MACS "%s " IP4, cases[i].llc);
        struct frame fr = hexframe(hex);
        set_frame(&fr, LT_ETHER);
        assert_string_equal(field("frame.protocols"), cases[i].protocols);
    }
    /* With no byte after the header, IPv4 is named only when the
     * capture, not the frame, ended there. */
    struct frame fr = hexframe(MACS "0003 060603");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("frame.protocols"), "eth:llc");
    fr = hexframe(MACS "0023 060603 " IP4);
    memset(&pkt, 0, sizeof pkt);
    pkt.data = fr.b;
    pkt.caplen = 17;
    pkt.len = (uint32_t)fr.n;
    pkt.linktype = LT_ETHER;
    trawl_view_set(view, &pkt);
    assert_string_equal(field("frame.protocols"), "eth:llc:ip");
    /* A bogus IP version shows alone. */
    fr = hexframe(MACS "0016 06060200 0000000000000000000000000000");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("frame.protocols"), "eth:llc:ip");
    assert_string_equal(field("ip.version"), "0");
    assert_string_equal(field("data.len"), "");
}

static void test_snap(void **state) {
    (void)state;
    /* RFC 1042: the ethertype OUI carries IPv4. */
    struct frame fr = hexframe(MACS "0028 aaaa03 000000 0800 " IP4);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(),
                        "eth@0+14,llc@14+8,ip@22+20,udp@42+8,data@50+4");
    assert_string_equal(field("llc.oui"), "0");
    assert_string_equal(field("llc.type"), "0x0800");
    assert_string_equal(field("llc.pid"), "");
    assert_string_equal(field("frame.protocols"), "eth:llc:ip:udp:data");
    /* Cisco's ethertype OUI too. */
    fr = hexframe(MACS "000a aaaa03 0000f8 0806 0001");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("llc.oui"), "248");
    assert_string_equal(field("llc.type"), "0x0806");
    /* Cisco's own protocols (CDP) have a field of their own. */
    fr = hexframe(MACS "0010 aaaa03 00000c 2000 6162636465666768");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("llc.oui"), "12");
    assert_string_equal(field("llc.cisco_pid"), "0x2000");
    assert_string_equal(field("llc.pid"), "");
    assert_string_equal(field("llc.type"), "");
    /* Any other OUI: llc.pid. */
    fr = hexframe(MACS "0010 aaaa03 123456 abcd 6162636465666768");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("llc.oui"), "1193046");
    assert_string_equal(field("llc.pid"), "0xabcd");
    assert_string_equal(layers(), "eth@0+14,llc@14+8,data@22+8");
    /* Bridged Ethernet (RFC 2684) decodes the inner frame. */
    fr = hexframe(MACS "0020 aaaa03 0080c2 0007 " MACS "0806 0001 0800");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("llc.pid"), "0x0007");
    assert_string_equal(field("frame.protocols"), "eth:llc:eth:ethertype:arp");
    /* SNAP cut in its OUI: the LLC fields still show, the SNAP ones not. */
    fr = hexframe(MACS "0005 aaaa03 0000");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("llc.control"), "0x0003");
    assert_string_equal(field("llc.oui"), "");
    assert_true(has_anomaly("llc.truncated"));
}

/* ---- VLAN -----------------------------------------------------------------
 */

static void test_vlan(void **state) {
    (void)state;
    /* Priority 5, DEI 0, VID 100. */
    struct frame fr = hexframe(MACS "8100 a064 0800 " IP4);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(),
                        "eth@0+14,vlan@14+4,ip@18+20,udp@38+8,data@46+4");
    assert_string_equal(field("vlan.priority"), "5");
    assert_string_equal(field("vlan.dei"), "0");
    assert_string_equal(field("vlan.id"), "100");
    assert_string_equal(field("vlan.etype"), "0x0800");
    assert_string_equal(field("vlan.len"), "");
    assert_string_equal(field("frame.protocols"),
                        "eth:ethertype:vlan:ethertype:ip:udp:data");
    /* Two 802.1Q tags: outer first. */
    fr = hexframe(MACS "8100 00c8 8100 3064 0806 " ARP);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("vlan.id"), "200,100");
    assert_string_equal(field("vlan.dei"), "0,1");
    assert_string_equal(field("vlan.priority"), "0,1");
    assert_string_equal(field("vlan.etype"), "0x8100,0x0806");
    /* 0x9100 tags are vlan.* too. */
    fr = hexframe(MACS "9100 00c8 8100 0064 0806 " ARP);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("vlan.id"), "200,100");
    /* A length after the tag leads to LLC. */
    fr = hexframe(MACS "8100 1064 0006 424203 616263");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("vlan.len"), "6");
    assert_string_equal(field("vlan.etype"), "");
    assert_string_equal(field("vlan.dei"), "1");
    assert_string_equal(field("frame.protocols"),
                        "eth:ethertype:vlan:llc:data");
    /* A cut tag shows the tag control fields it has. */
    fr = hexframe(MACS "8100 0064 08");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("vlan.id"), "100");
    assert_string_equal(field("vlan.etype"), "");
    assert_true(has_anomaly("vlan.truncated"));
    assert_string_equal(field("frame.protocols"), "eth:ethertype:vlan");
    fr = hexframe(MACS "8100 00");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("vlan.id"), "");
}

static void test_qinq(void **state) {
    (void)state;
    /* 802.1ad S-tag 200 (DEI set) over an 802.1Q C-tag 100. */
    struct frame fr = hexframe(MACS "88a8 30c8 8100 0064 0800 " IP4);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(
        layers(), "eth@0+14,vlan@14+4,vlan@18+4,ip@22+20,udp@42+8,data@50+4");
    assert_string_equal(field("ieee8021ad.id"), "200");
    assert_string_equal(field("ieee8021ad.priority"), "1");
    assert_string_equal(field("ieee8021ad.dei"), "1");
    assert_string_equal(field("ieee8021ah.etype"), "0x8100");
    assert_string_equal(field("vlan.id"), "100");
    assert_string_equal(field("vlan.etype"), "0x0800");
    assert_string_equal(
        field("frame.protocols"),
        "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:udp:data");
    /* Two 0x88a8 tags are one S-VID/C-VID pair. */
    fr = hexframe(MACS "88a8 00c8 88a8 0064 0800 " IP4);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("ieee8021ad.svid"), "200");
    assert_string_equal(field("ieee8021ad.cvid"), "100");
    assert_string_equal(field("ieee8021ad.id"), "");
    assert_string_equal(field("ieee8021ad.priority"), "0,0");
    assert_string_equal(field("ieee8021ah.etype"), "0x0800");
    assert_string_equal(field("vlan.id"), "");
    assert_string_equal(field("frame.protocols"),
                        "eth:ethertype:ieee8021ad:ethertype:ip:udp:data");
    /* A cut 802.1ad tag shows no field. */
    fr = hexframe(MACS "88a8 00c8");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("ieee8021ad.id"), "");
    assert_string_equal(field("frame.protocols"), "eth:ethertype:ieee8021ad");
}

/* ---- MPLS and pseudowires -------------------------------------------------
 */

static void test_mpls(void **state) {
    (void)state;
    /* Label 100 exp 5, label 200 exp 3 bottom, then IPv4. */
    struct frame fr = hexframe(MACS "8847 00064a40 000c873f " IP4);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(
        layers(), "eth@0+14,mpls@14+4,mpls@18+4,ip@22+20,udp@42+8,data@50+4");
    assert_string_equal(field("mpls.label"), "100,200");
    assert_string_equal(field("mpls.exp"), "5,3");
    assert_string_equal(field("mpls.bottom"), "0,1");
    assert_string_equal(field("mpls.ttl"), "64,63");
    assert_string_equal(field("frame.protocols"),
                        "eth:ethertype:mpls:ip:udp:data");
    /* IPv6 after the stack. */
    fr = hexframe(MACS "8847 00064140 60000000 0000 3b 40");
    put_zeros(&fr, 32);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14,mpls@14+4,ipv6@18+40");
    /* First nibble 0: an Ethernet pseudowire with a control word. */
    fr = hexframe(MACS "8847 00064140 00001234 " MACS "0806 " ARP);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(),
                        "eth@0+14,mpls@14+4,pwethcw@18+4,eth@22+14,arp@36+28");
    assert_string_equal(field("pweth.cw"), "1");
    assert_string_equal(field("pweth.cw.sequence_number"), "4660");
    assert_string_equal(field("eth.type"), "0x8847,0x0806");
    assert_string_equal(
        field("frame.protocols"),
        "eth:ethertype:mpls:pwethheuristic:pwethcw:eth:ethertype:arp");
    /* Too short for a control word: data. */
    fr = hexframe(MACS "8847 00064140 0000");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("pweth.cw"), "");
    assert_string_equal(field("frame.protocols"),
                        "eth:ethertype:mpls:pwethheuristic:data");
    assert_true(has_anomaly("pw.truncated"));
    /* First nibble 1: an associated channel header, here carrying IPv4. */
    fr = hexframe(MACS "8847 0000d140 12ab0021 " IP4);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("mpls.label"), "13");
    assert_string_equal(field("pwach.ver"), "2");
    assert_string_equal(field("pwach.res"), "0xab");
    assert_string_equal(field("pwach.channel_type"), "0x0021");
    assert_string_equal(field("frame.protocols"),
                        "eth:ethertype:mpls:pwach:ip:udp:data");
    /* Any other nibble: data. */
    fr = hexframe(MACS "8847 00064140 70000000");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14,mpls@14+4,data@18+4");
    /* A stack that ends without its bottom label. */
    fr = hexframe(MACS "8847 00064040");
    set_frame(&fr, LT_ETHER);
    assert_true(has_anomaly("mpls.no_bottom"));
    assert_string_equal(field("frame.protocols"), "eth:ethertype:mpls");
    /* A cut label entry shows no field. */
    fr = hexframe(MACS "8847 000640");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("mpls.label"), "");
    assert_true(has_anomaly("mpls.truncated"));
    assert_string_equal(field("frame.protocols"), "eth:ethertype:mpls");
}

/* ---- ARP ------------------------------------------------------------------
 */

static void test_arp(void **state) {
    (void)state;
    struct frame fr = hexframe(MACS "0806 " ARP);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(layers(), "eth@0+14,arp@14+28");
    assert_string_equal(field("arp.hw.type"), "1");
    assert_string_equal(field("arp.proto.type"), "0x0800");
    assert_string_equal(field("arp.hw.size"), "6");
    assert_string_equal(field("arp.proto.size"), "4");
    assert_string_equal(field("arp.opcode"), "1");
    assert_string_equal(field("arp.src.hw_mac"), "02:00:00:00:00:aa");
    assert_string_equal(field("arp.src.proto_ipv4"), "192.168.0.1");
    assert_string_equal(field("arp.dst.hw_mac"), "00:00:00:00:00:00");
    assert_string_equal(field("arp.dst.proto_ipv4"), "192.168.0.2");
    assert_string_equal(field("arp.src.hw"), "");
    assert_string_equal(field("arp.isgratuitous"), "");
    assert_string_equal(field("frame.protocols"), "eth:ethertype:arp");

    /* Announcement: a request about its own address, no target MAC. */
    fr = hexframe(MACS "0806 0001 0800 06 04 0001 0200000000aa c0a80001 "
                       "000000000000 c0a80001");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.isgratuitous"), "1");
    assert_string_equal(field("arp.isannouncement"), "1");
    assert_string_equal(field("arp.isprobe"), "");
    /* A gratuitous reply is no announcement. */
    fr.b[21] = 2;
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.isgratuitous"), "1");
    assert_string_equal(field("arp.isannouncement"), "");
    /* Probe: a request from 0.0.0.0. */
    fr = hexframe(MACS "0806 0001 0800 06 04 0001 0200000000aa 00000000 "
                       "000000000000 c0a80009");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.isprobe"), "1");
    assert_string_equal(field("arp.isgratuitous"), "");

    /* Other sizes: the addresses are bytes. */
    fr = hexframe(MACS "0806 0001 0800 08 04 0001 0200000000aa0000 c0a80001 "
                       "0000000000000000 c0a80002");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.src.hw_mac"), "");
    assert_string_equal(field("arp.src.hw"), "0200000000aa0000");
    assert_string_equal(field("arp.src.proto_ipv4"), "192.168.0.1");
    /* Frame Relay hardware is not a MAC even with 6 bytes. */
    fr = hexframe(MACS "0806 000f 0800 06 04 0001 0200000000aa c0a80001 "
                       "0200000000bb c0a80002");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.src.hw"), "0200000000aa");
    assert_string_equal(field("arp.dst.hw"), "0200000000bb");
    /* RARP has ARP's layout. */
    fr = hexframe(MACS "8035 0001 0800 06 04 0003 0200000000aa 00000000 "
                       "0200000000aa 00000000");
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.opcode"), "3");
    /* ATM ARP: only the fields ARP shares with it. */
    fr = hexframe(MACS "0806 0013 0800 0000 0001");
    put_zeros(&fr, 12);
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.hw.type"), "19");
    assert_string_equal(field("arp.opcode"), "1");
    assert_string_equal(field("arp.hw.size"), "");
    assert_string_equal(field("frame.protocols"), "eth:ethertype:arp:atmarp");

    /* Cut in the addresses: the fixed fields only. */
    fr = hexframe(MACS "0806 " ARP);
    fr.n -= 1;
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.opcode"), "1");
    assert_string_equal(field("arp.src.hw_mac"), "");
    assert_string_equal(field("arp.dst.proto_ipv4"), "");
    assert_true(has_anomaly("arp.truncated"));
    /* Cut in the fixed part. */
    fr.n = 14 + 7;
    set_frame(&fr, LT_ETHER);
    assert_string_equal(field("arp.proto.size"), "4");
    assert_string_equal(field("arp.opcode"), "");
}

/* ---- Linux cooked captures
 * --------------------------------------------------- */

static void test_sll(void **state) {
    (void)state;
    /* Version 1, outgoing, Ethernet address. */
    struct frame fr = hexframe("0004 0001 0006 0200000000aa0000 0800 " IP4);
    set_frame(&fr, LT_SLL);
    assert_string_equal(layers(), "sll@0+16,ip@16+20,udp@36+8,data@44+4");
    assert_string_equal(field("sll.pkttype"), "4");
    assert_string_equal(field("sll.hatype"), "1");
    assert_string_equal(field("sll.halen"), "6");
    assert_string_equal(field("sll.src.eth"), "02:00:00:00:00:aa");
    assert_string_equal(field("sll.unused"), "0000");
    assert_string_equal(field("sll.etype"), "0x0800");
    assert_string_equal(field("sll.ltype"), "");
    assert_string_equal(field("sll.ifindex"), "");
    assert_string_equal(field("frame.protocols"), "sll:ethertype:ip:udp:data");
    /* A GRE device: a 4-byte IPv4 address and GRE's protocol type. */
    fr = hexframe("0000 030a 0004 c0a8000100000000 86dd 60000000 0000 3b 40");
    put_zeros(&fr, 32);
    set_frame(&fr, LT_SLL);
    assert_string_equal(field("sll.src.ipv4"), "192.168.0.1");
    assert_string_equal(field("sll.unused"), "00000000");
    assert_string_equal(field("sll.gretype"), "0x86dd");
    assert_string_equal(field("sll.etype"), "");
    assert_string_equal(field("frame.protocols"), "sll:ipv6");
    /* Loopback: no address at all. */
    fr = hexframe("0000 0304 0000 0000000000000000 0800 " IP4);
    set_frame(&fr, LT_SLL);
    assert_string_equal(field("sll.src.eth"), "");
    assert_string_equal(field("sll.src.other"), "");
    assert_string_equal(field("sll.unused"), "0000000000000000");
    /* An address of another length. */
    fr = hexframe("0000 0001 0003 0102030000000000 88b5 7879");
    set_frame(&fr, LT_SLL);
    assert_string_equal(field("sll.src.other"), "010203");
    assert_string_equal(field("sll.unused"), "0000000000");
    /* Linux protocol values: 802.2 LLC. */
    fr = hexframe("0000 0001 0006 0200000000aa0000 0004 424203 616263");
    set_frame(&fr, LT_SLL);
    assert_string_equal(field("sll.ltype"), "0x0004");
    assert_string_equal(field("frame.protocols"), "sll:llc:data");
    /* A cut header shows the fields it has. */
    fr = hexframe("0000 0001 0006 0200000000");
    set_frame(&fr, LT_SLL);
    assert_string_equal(field("sll.halen"), "6");
    assert_string_equal(field("sll.src.eth"), "");
    assert_true(has_anomaly("sll.truncated"));
    assert_string_equal(field("frame.protocols"), "sll");
    /* ...but none before the packet and address types. */
    fr = hexframe("0000 00");
    set_frame(&fr, LT_SLL);
    assert_string_equal(field("sll.pkttype"), "");
    assert_string_equal(field("frame.protocols"), "sll");
    /* Netlink: tshark shows a netlink message and no sll field. */
    fr = hexframe("0000 0338 0000 0000000000000000 0000 61626364");
    set_frame(&fr, LT_SLL);
    assert_string_equal(field("sll.hatype"), "");
}

static void test_sll2(void **state) {
    (void)state;
    struct frame fr =
        hexframe("0800 0000 00000002 0001 00 06 0200000000aa0000 " IP4);
    set_frame(&fr, LT_SLL2);
    assert_string_equal(layers(), "sll@0+20,ip@20+20,udp@40+8,data@48+4");
    assert_string_equal(field("sll.etype"), "0x0800");
    assert_string_equal(field("sll.ifindex"), "2");
    assert_string_equal(field("sll.hatype"), "1");
    assert_string_equal(field("sll.pkttype"), "0");
    assert_string_equal(field("sll.halen"), "6");
    assert_string_equal(field("sll.src.eth"), "02:00:00:00:00:aa");
    assert_string_equal(field("frame.protocols"), "sll:ethertype:ip:udp:data");
    fr = hexframe(
        "8100 0000 00000002 0001 04 06 0200000000aa0000 0064 0806 " ARP);
    set_frame(&fr, LT_SLL2);
    assert_string_equal(field("sll.pkttype"), "4");
    assert_string_equal(field("vlan.id"), "100");
    /* Cut: tshark shows nothing before the address length (12 bytes),
     * then the fields there are, the address once its 6 bytes are there
     * and the unused rest of it only when whole. */
    static const struct {
        size_t n;
        const char *etype, *ifindex, *src;
    } cuts[] = {
        {11, "", "", ""},
        {17, "0x8100", "2", ""},
        {18, "0x8100", "2", "02:00:00:00:00:aa"},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(cuts); i++) {
        fr.n = cuts[i].n;
        set_frame(&fr, LT_SLL2);
        assert_string_equal(field("sll.etype"), cuts[i].etype);
        assert_string_equal(field("sll.ifindex"), cuts[i].ifindex);
        assert_string_equal(field("sll.src.eth"), cuts[i].src);
        assert_string_equal(field("sll.unused"), "");
        assert_true(has_anomaly("sll.truncated"));
        assert_string_equal(field("frame.protocols"), "sll");
    }
}

/* ---- BSD loopback ----------------------------------------------------------
 */

static void test_null(void **state) {
    (void)state;
    static const struct {
        const char *hdr;
        int linktype;
        const char *family, *type, *protocols;
    } cases[] = {
        /* AF_INET in either byte order. */
        {"02000000", LT_NULL, "2", "", "null:ip:udp:data"},
        {"00000002", LT_NULL, "2", "", "null:ip:udp:data"},
        /* The BSDs' AF_INET6 values. */
        {"18000000", LT_NULL, "24", "", "null:ipv6"},
        {"1c000000", LT_NULL, "28", "", "null:ipv6"},
        {"1e000000", LT_NULL, "30", "", "null:ipv6"},
        {"0000001e", LT_NULL, "30", "", "null:ipv6"},
        /* A 16-bit family in the upper half (IRIX). */
        {"00000100", LT_NULL, "1", "", "null:data"},
        /* Linux's AF_INET6 and unknown families: data. */
        {"0a000000", LT_NULL, "10", "", "null:data"},
        /* An ethertype instead of a family, in either order. */
        {"00000800", LT_NULL, "", "0x0800", "null:ip:udp:data"},
        {"dd860000", LT_NULL, "", "0x86dd", "null:ipv6"},
        /* LINKTYPE_LOOP is always network order. */
        {"00000002", LT_LOOP, "2", "", "null:ip:udp:data"},
        {"02000000", LT_LOOP, "33554432", "", "null:data"},
        {"00000800", LT_LOOP, "2048", "", "null:data"},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(cases); i++) {
        struct frame fr = hexframe(cases[i].hdr);
        if (strstr(cases[i].protocols, "ipv6")) {
            put(&fr, "60000000 0000 3b 40");
            put_zeros(&fr, 32);
        } else {
            put(&fr, IP4);
        }
        set_frame(&fr, cases[i].linktype);
        assert_string_equal(field("null.family"), cases[i].family);
        assert_string_equal(field("null.type"), cases[i].type);
        assert_string_equal(field("frame.protocols"), cases[i].protocols);
        struct trawl_layer_info li;
        assert_true(trawl_view_layer(view, 1, &li));
        assert_string_equal(li.name, "null");
        assert_int_equal(li.length, 4);
    }
    /* PPP in HDLC-like framing has no loopback header. */
    struct frame fr = hexframe("ff030021 " IP4);
    set_frame(&fr, LT_NULL);
    assert_string_equal(field("null.family"), "");
    assert_string_equal(layers(), "null@0+0,data@0+36");
    /* Cut header. */
    fr = hexframe("020000");
    set_frame(&fr, LT_NULL);
    assert_string_equal(field("null.family"), "");
    assert_true(has_anomaly("null.truncated"));
    assert_string_equal(field("frame.protocols"), "null");
    /* A header and nothing after it still names the family's protocol. */
    fr = hexframe("02000000");
    set_frame(&fr, LT_NULL);
    assert_string_equal(field("frame.protocols"), "null:ip");
}

/* ---- frame ----------------------------------------------------------------
 */

static void test_frame_fields(void **state) {
    (void)state;
    struct frame fr = hexframe(IP4);
    set_frame(&fr, LT_RAW);
    assert_string_equal(field("frame.protocols"), "raw:ip:udp:data");
    assert_string_equal(field("frame.marked"), "0");
    assert_string_equal(field("frame.ignored"), "0");
    assert_string_equal(field("frame.offset_shift"), "0.000000000");
    /* Unknown link types: the bytes are data. */
    set_frame(&fr, 147);
    assert_string_equal(layers(), "data@0+32");
    assert_string_equal(field("frame.protocols"), "data");
}

/* ---- every cut of every header --------------------------------------------
 */

struct cut_case {
    const char *name;
    const char *hex;
    int linktype;
    unsigned hdr_off, hdr_len; /* the header whose cuts set `anomaly` */
    const char *anomaly;
};

static const struct cut_case cut_cases[] = {
    {"eth", MACS "0806 " ARP, LT_ETHER, 0, 14, "eth.truncated"},
    {"vlan", MACS "8100 0064 0806 " ARP, LT_ETHER, 14, 4, "vlan.truncated"},
    {"qinq", MACS "88a8 00c8 8100 0064 0806 " ARP, LT_ETHER, 18, 4,
     "vlan.truncated"},
    {"llc", MACS "0008 f0f0 0a05 61626364", LT_ETHER, 14, 4, "llc.truncated"},
    {"snap", MACS "0028 aaaa03 000000 0800 " IP4, LT_ETHER, 14, 8,
     "llc.truncated"},
    {"mpls", MACS "8847 00064a40 000c873f " IP4, LT_ETHER, 18, 4,
     "mpls.truncated"},
    {"pwach", MACS "8847 0000d140 10000021 " IP4, LT_ETHER, 18, 4,
     "pw.truncated"},
    {"pweth", MACS "8847 00064140 00001234 " MACS "0806 " ARP, LT_ETHER, 18, 4,
     "pw.truncated"},
    {"arp", MACS "0806 " ARP, LT_ETHER, 14, 28, "arp.truncated"},
    {"sll", "0000 0001 0006 0200000000aa0000 0806 " ARP, LT_SLL, 0, 16,
     "sll.truncated"},
    {"sll2", "0806 0000 00000002 0001 00 06 0200000000aa0000 " ARP, LT_SLL2, 0,
     20, "sll.truncated"},
    {"null", "02000000 " IP4, LT_NULL, 0, 4, "null.truncated"},
    {"loop", "00000002 " IP4, LT_LOOP, 0, 4, "null.truncated"},
};

static bool visit_any(void *ctx, const trawl_field *f,
                      const struct trawl_value *val) {
    char buf[64];
    (void)ctx;
    trawl_value_format(f, val, buf, sizeof buf);
    return true;
}

static void test_every_cut(void **state) {
    (void)state;
    for (size_t c = 0; c < TRAWL_ARRAY_LEN(cut_cases); c++) {
        const struct cut_case *cc = &cut_cases[c];
        struct frame whole = hexframe(cc->hex);
        for (size_t cut = 0; cut <= whole.n; cut++) {
            /* A copy of exactly `cut` bytes, so ASan sees any read past
             * the captured bytes. */
            uint8_t *copy = malloc(cut ? cut : 1);
            assert_non_null(copy);
            memcpy(copy, whole.b, cut);
            set_packet(copy, cut, cc->linktype);
            size_t n = trawl_view_layer_count(view);
            for (size_t i = 0; i < n; i++) {
                struct trawl_layer_info li;
                assert_true(trawl_view_layer(view, i, &li));
                if (li.offset + li.length > cut)
                    fail_msg("%s cut at %zu: layer %s at %u+%u", cc->name, cut,
                             li.name, li.offset, li.length);
            }
            for (size_t i = 0; i < trawl_field_count(); i++)
                trawl_view_field_each(view, trawl_field_at(i), visit_any, NULL);
            bool inside = cut > cc->hdr_off && cut < cc->hdr_off + cc->hdr_len;
            if (inside && !has_anomaly(cc->anomaly))
                fail_msg("%s cut at %zu: no %s", cc->name, cut, cc->anomaly);
            if (cut == whole.n && has_anomaly(cc->anomaly))
                fail_msg("%s whole: %s set", cc->name, cc->anomaly);
            const char *protocols = field("frame.protocols");
            assert_true(strlen(protocols) < DECODE_PROTOCOLS_MAX);
            free(copy);
        }
    }
}

/* Every field reads the same whether asked first, on a view that decodes
 * only as deep as the field needs, or after the whole packet is decoded:
 * no extractor may depend on a layer above its own that is not decoded
 * yet. */
static void all_values(char *out, size_t len) {
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < trawl_field_count(); i++) {
        const trawl_field *f = trawl_field_at(i);
        static struct field_join j;
        int n = snprintf(out + used, len - used, "%s=%s;", trawl_field_name(f),
                         field_join(&j, view, f));
        assert_true(n > 0 && (size_t)n < len - used);
        used += (size_t)n;
    }
}

static void test_lazy_equals_full(void **state) {
    (void)state;
    static const char *const extra[] = {
        MACS "88a8 00c8 88a8 0064 0800 " IP4,
        MACS "8100 0064 0806 " ARP "0000000000000000000000000000 0101",
        MACS "0006 424203 616263 7878",
    };
    static char lazy[1 << 16], full[1 << 16];
    for (size_t c = 0; c < TRAWL_ARRAY_LEN(cut_cases) + 3; c++) {
        bool is_cut = c < TRAWL_ARRAY_LEN(cut_cases);
        struct frame fr = hexframe(
            is_cut ? cut_cases[c].hex : extra[c - TRAWL_ARRAY_LEN(cut_cases)]);
        int lt = is_cut ? cut_cases[c].linktype : LT_ETHER;
        /* One fresh view per field: each decodes only what it needs. */
        size_t used = 0;
        lazy[0] = '\0';
        for (size_t i = 0; i < trawl_field_count(); i++) {
            const trawl_field *f = trawl_field_at(i);
            set_frame(&fr, lt);
            static struct field_join j;
            int n = snprintf(lazy + used, sizeof lazy - used, "%s=%s;",
                             trawl_field_name(f), field_join(&j, view, f));
            assert_true(n > 0 && (size_t)n < sizeof lazy - used);
            used += (size_t)n;
        }
        set_frame(&fr, lt);
        trawl_view_layer_count(view);
        all_values(full, sizeof full);
        assert_string_equal(lazy, full);
    }
}

/* ---- depth ------------------------------------------------------------------
 */

static void test_depth_cap(void **state) {
    (void)state;
    /* 40 stacked 802.1Q tags: the view stops at DECODE_MAX_LAYERS. */
    struct frame fr = hexframe(MACS "8100");
    for (int i = 0; i < 40; i++) {
        char tag[16];
        snprintf(tag, sizeof tag, "%04x 8100", i + 1);
        put(&fr, tag);
    }
    put(&fr, IP4);
    set_frame(&fr, LT_ETHER);
    assert_int_equal(trawl_view_layer_count(view), DECODE_MAX_LAYERS);
    assert_true(has_anomaly("frame.depth_exceeded"));
    assert_string_equal(field("frame.depth_exceeded"), "1");
    /* Frame and eth take two layers: 30 tags decoded, outermost first. */
    const trawl_field *id = trawl_field_lookup("vlan.id");
    assert_int_equal(trawl_view_field_each(view, id, NULL, NULL),
                     DECODE_MAX_LAYERS - 2);
    struct trawl_value val;
    assert_true(trawl_view_field(view, id, &val));
    assert_int_equal(val.u, 1);
    /* 40 MPLS labels likewise. */
    fr = hexframe(MACS "8847");
    for (int i = 0; i < 40; i++)
        put(&fr, i == 39 ? "00001140" : "00001040");
    put(&fr, IP4);
    set_frame(&fr, LT_ETHER);
    assert_int_equal(trawl_view_layer_count(view), DECODE_MAX_LAYERS);
    assert_true(has_anomaly("frame.depth_exceeded"));
    assert_string_equal(field("frame.protocols"), "eth:ethertype:mpls");
}

/* ---- registry ---------------------------------------------------------------
 */

static void test_lookup(void **state) {
    (void)state;
    static const char *const names[] = {
        "eth.src",       "eth.padding", "vlan.id",         "vlan.etype",
        "ieee8021ad.id", "mpls.label",  "pweth.cw",        "pwach.ver",
        "arp.opcode",    "arp.src.hw",  "llc.cisco_pid",   "sll.ifindex",
        "sll.gretype",   "null.type",   "frame.protocols", "eth.fcs",
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(names); i++) {
        const trawl_field *f = trawl_field_lookup(names[i]);
        assert_non_null(f);
        assert_string_equal(trawl_field_name(f), names[i]);
    }
    assert_ptr_equal(trawl_field_lookup("VLAN.ID"),
                     trawl_field_lookup("vlan.id"));
    assert_ptr_equal(trawl_field_lookup("Mpls.Label"),
                     trawl_field_lookup("mpls.label"));
    assert_ptr_equal(trawl_field_lookup("ETHERNET.src"),
                     trawl_field_lookup("eth.src"));
    assert_ptr_equal(trawl_field_lookup("ETHERNET.type"),
                     trawl_field_lookup("eth.type"));
    /* NFStest pktt's names for VLAN, ARP and SLL attributes. */
    static const char *const aliases[][2] = {
        {"VLAN.pcp", "vlan.priority"},     {"vlan.VID", "vlan.id"},
        {"ARP.oper", "arp.opcode"},        {"ARP.sha", "arp.src.hw_mac"},
        {"ARP.tpa", "arp.dst.proto_ipv4"}, {"ARP.htype", "arp.hw.type"},
        {"SLL.index", "sll.ifindex"},      {"SLL.saddr", "sll.src.eth"},
        {"SLL.dtype", "sll.hatype"},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(aliases); i++) {
        const trawl_field *f = trawl_field_lookup(aliases[i][0]);
        assert_non_null(f);
        assert_string_equal(trawl_field_name(f), aliases[i][1]);
    }
    assert_null(trawl_field_lookup("vlan.idx"));
    assert_null(trawl_field_lookup("eth"));
    assert_string_equal(trawl_field_proto(trawl_field_lookup("vlan.id")),
                        "vlan");
    assert_string_equal(trawl_field_proto(trawl_field_lookup("pweth.cw")),
                        "pwethcw");
    assert_int_equal(trawl_field_type(trawl_field_lookup("eth.padding")),
                     TRAWL_FT_BYTES);
}

static void test_format(void **state) {
    (void)state;
    static const uint8_t bytes[] = {0x00, 0x1f, 0xa0};
    const trawl_field *f = trawl_field_lookup("eth.trailer");
    struct trawl_value val = {.type = TRAWL_FT_BYTES};
    val.bytes.p = bytes;
    val.bytes.len = sizeof bytes;
    char buf[16];
    /* Bare hex, as tshark -T fields prints byte fields. */
    assert_int_equal(trawl_value_format(f, &val, buf, sizeof buf), 6);
    assert_string_equal(buf, "001fa0");
    /* Cut as snprintf cuts: every character that fits. */
    assert_int_equal(trawl_value_format(f, &val, buf, 4), 6);
    assert_string_equal(buf, "001");
    f = trawl_field_lookup("eth.type");
    val.type = TRAWL_FT_UINT;
    val.u = 0x800;
    assert_int_equal(trawl_value_format(f, &val, buf, sizeof buf), 6);
    assert_string_equal(buf, "0x0800");
    assert_true(trawl_value_describe(f, &val, buf, sizeof buf) > 6);
    assert_string_equal(buf, "0x0800 (IPv4)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eth_ii),
        cmocka_unit_test(test_eth_8023),
        cmocka_unit_test(test_eth_cut),
        cmocka_unit_test(test_padding_trailer_fcs),
        cmocka_unit_test(test_llc),
        cmocka_unit_test(test_llc_ip),
        cmocka_unit_test(test_snap),
        cmocka_unit_test(test_vlan),
        cmocka_unit_test(test_qinq),
        cmocka_unit_test(test_mpls),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_sll),
        cmocka_unit_test(test_sll2),
        cmocka_unit_test(test_null),
        cmocka_unit_test(test_frame_fields),
        cmocka_unit_test(test_every_cut),
        cmocka_unit_test(test_lazy_equals_full),
        cmocka_unit_test(test_depth_cap),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
