/* mksample: writes the sample trace that `make run` decodes — a short,
 * realistic multi-protocol pcapng made with libtrawl's own writer: a TCP
 * handshake and HTTP exchange, DNS, ping, ARP, IPv6, VLAN and QinQ tags,
 * MPLS, GRE and VXLAN tunnels, SCTP, IGMP and an 802.3/LLC frame, on two
 * interfaces, with comments and direction flags. usage: mksample OUT */
#include <stdio.h>
#include <string.h>

#include "trawl/trawl.h"

static uint8_t frame[2048];
static size_t flen;

static void put(const void *p, size_t n) {
    memcpy(frame + flen, p, n);
    flen += n;
}
static void put8(unsigned v) {
    frame[flen++] = (uint8_t)v;
}
static void put16(unsigned v) {
    put8(v >> 8);
    put8(v & 0xff);
}
static void put32(uint32_t v) {
    put16(v >> 16);
    put16(v & 0xffff);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum) {
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static const uint8_t mac_a[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
static const uint8_t mac_b[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void eth(const uint8_t *dst, const uint8_t *src, unsigned type) {
    flen = 0;
    put(dst, 6);
    put(src, 6);
    put16(type);
}

/* IPv4 header at the current end; returns its offset for ip_finish. */
static size_t ip4(uint32_t src, uint32_t dst, unsigned proto) {
    size_t at = flen;
    put8(0x45);
    put8(0);
    put16(0); /* total length, filled in by ip_finish */
    put16(0x1c46);
    put16(0x4000);
    put8(64);
    put8(proto);
    put16(0);
    put32(src);
    put32(dst);
    return at;
}

/* Fills in lengths and checksums of the IPv4 header at `ip` and of the
 * transport header that follows it. */
static void ip_finish(size_t ip) {
    uint8_t *h = frame + ip;
    size_t total = flen - ip;
    h[2] = (uint8_t)(total >> 8);
    h[3] = (uint8_t)total;
    uint16_t c = csum(h, 20, 0);
    h[10] = (uint8_t)(c >> 8);
    h[11] = (uint8_t)c;
    uint8_t proto = h[9];
    uint8_t *l4 = h + 20;
    size_t l4len = total - 20;
    uint32_t pseudo = (uint32_t)(h[12] << 8 | h[13]) + (h[14] << 8 | h[15]) +
                      (h[16] << 8 | h[17]) + (h[18] << 8 | h[19]) + proto +
                      (uint32_t)l4len;
    int at = proto == 6 ? 16 : proto == 17 ? 6 : proto == 1 || proto == 2 ? 2 : -1;
    if (proto == 17) {
        l4[4] = (uint8_t)(l4len >> 8);
        l4[5] = (uint8_t)l4len;
    }
    if (at < 0)
        return;
    c = csum(l4, l4len, proto == 1 || proto == 2 ? 0 : pseudo);
    l4[at] = (uint8_t)(c >> 8);
    l4[at + 1] = (uint8_t)c;
}

static void tcp(unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
                unsigned flags) {
    put16(sport);
    put16(dport);
    put32(seq);
    put32(ack);
    put8(flags & 0x02 ? 0x60 : 0x50);
    put8(flags);
    put16(64240);
    put16(0);
    put16(0);
    if (flags & 0x02)
        put32(0x020405b4); /* MSS 1460 */
}

static void udp(unsigned sport, unsigned dport) {
    put16(sport);
    put16(dport);
    put16(0);
    put16(0);
}

#define A 0x0a000001u /* 10.0.0.1 */
#define B 0x0a000002u /* 10.0.0.2 */

struct out {
    trawl_writer *w;
    struct trawl_pkt pkt;
    uint32_t eth0, lo;
    char err[TRAWL_ERRBUF_SIZE];
    int failed;
};

static void emit(struct out *o, const char *comment, uint32_t dir) {
    o->pkt.data = frame;
    o->pkt.caplen = o->pkt.len = (uint32_t)flen;
    o->pkt.comment = comment;
    o->pkt.has_flags = true;
    o->pkt.flags = dir;
    if (trawl_writer_write(o->w, &o->pkt, o->err, sizeof o->err) < 0)
        o->failed = 1;
    o->pkt.index++;
    /* Advance the clock by a realistic gap. */
    o->pkt.ts_nsec += 173000 + (uint32_t)(o->pkt.index % 7) * 41000;
    if (o->pkt.ts_nsec >= 1000000000u) {
        o->pkt.ts_nsec -= 1000000000u;
        o->pkt.ts_sec++;
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: mksample OUT.pcapng\n");
        return 2;
    }
    struct out o = {0};
    struct trawl_writer_options wo = {
        .format = TRAWL_FORMAT_PCAPNG,
        .section_comment = "trawl sample trace: one of each protocol trawl "
                           "decodes",
    };
    if (trawl_writer_open(&o.w, argv[1], &wo, o.err, sizeof o.err) < 0) {
        fprintf(stderr, "mksample: %s\n", o.err);
        return 1;
    }
    struct trawl_iface i0 = {.linktype = 1, .snaplen = 262144,
                             .name = "eth0",
                             .description = "sample uplink", .fcslen = -1};
    struct trawl_iface i1 = {.linktype = 1, .snaplen = 262144, .name = "lo",
                             .description = "loopback", .fcslen = -1};
    trawl_writer_add_iface(o.w, &i0, &o.eth0, o.err, sizeof o.err);
    trawl_writer_add_iface(o.w, &i1, &o.lo, o.err, sizeof o.err);
    o.pkt.ts_sec = 1700000000;
    o.pkt.ts_nsec = 123456789;
    o.pkt.iface = o.eth0;
    const uint32_t OUT = TRAWL_PKT_DIR_OUT, IN = TRAWL_PKT_DIR_IN;

    /* ARP, then a TCP handshake, an HTTP exchange and a close. */
    eth(bcast, mac_a, 0x0806);
    put16(1); put16(0x0800); put8(6); put8(4); put16(1);
    put(mac_a, 6); put32(A); put(bcast, 6); put32(B);
    emit(&o, "who has 10.0.0.2?", OUT);
    eth(mac_a, mac_b, 0x0806);
    put16(1); put16(0x0800); put8(6); put8(4); put16(2);
    put(mac_b, 6); put32(B); put(mac_a, 6); put32(A);
    emit(&o, NULL, IN);
    size_t ip;
    static const char get[] = "GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    eth(mac_b, mac_a, 0x0800); ip = ip4(A, B, 6);
    tcp(40000, 80, 1000, 0, 0x02); ip_finish(ip);
    emit(&o, "TCP handshake starts", OUT);
    eth(mac_a, mac_b, 0x0800); ip = ip4(B, A, 6);
    tcp(80, 40000, 5000, 1001, 0x12); ip_finish(ip); emit(&o, NULL, IN);
    eth(mac_b, mac_a, 0x0800); ip = ip4(A, B, 6);
    tcp(40000, 80, 1001, 5001, 0x10); ip_finish(ip); emit(&o, NULL, OUT);
    eth(mac_b, mac_a, 0x0800); ip = ip4(A, B, 6);
    tcp(40000, 80, 1001, 5001, 0x18); put(get, sizeof get - 1); ip_finish(ip);
    emit(&o, "HTTP request", OUT);
    eth(mac_a, mac_b, 0x0800); ip = ip4(B, A, 6);
    tcp(80, 40000, 5001, 1001 + sizeof get - 1, 0x18);
    put(resp, sizeof resp - 1); ip_finish(ip); emit(&o, NULL, IN);
    eth(mac_b, mac_a, 0x0800); ip = ip4(A, B, 6);
    tcp(40000, 80, 1001 + sizeof get - 1, 5001 + sizeof resp - 1, 0x11);
    ip_finish(ip); emit(&o, NULL, OUT);

    /* DNS query over UDP and ICMP echo. */
    static const uint8_t dnsq[] = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                   7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,
                                   'o', 'r', 'g', 0, 0, 1, 0, 1};
    eth(mac_b, mac_a, 0x0800); ip = ip4(A, B, 17);
    udp(53001, 53); put(dnsq, sizeof dnsq); ip_finish(ip); emit(&o, NULL, OUT);
    eth(mac_b, mac_a, 0x0800); ip = ip4(A, B, 1);
    put8(8); put8(0); put16(0); put16(0x4242); put16(1);
    put("pingpingpingping", 16); ip_finish(ip); emit(&o, NULL, OUT);
    eth(mac_a, mac_b, 0x0800); ip = ip4(B, A, 1);
    put8(0); put8(0); put16(0); put16(0x4242); put16(1);
    put("pingpingpingping", 16); ip_finish(ip); emit(&o, NULL, IN);

    /* 802.1Q and QinQ tagged UDP. */
    eth(mac_b, mac_a, 0x8100); put16(0xa064); put16(0x0800);
    ip = ip4(A, B, 17); udp(50000, 50001); put("tagged", 6); ip_finish(ip);
    emit(&o, "VLAN 100, priority 5", OUT);
    eth(mac_b, mac_a, 0x88a8); put16(0x000a); put16(0x8100); put16(0x0014);
    put16(0x0800); ip = ip4(A, B, 17); udp(50000, 50001); put("qinq", 4);
    ip_finish(ip); emit(&o, "QinQ: service VLAN 10, customer VLAN 20", OUT);

    /* MPLS with two labels. */
    eth(mac_b, mac_a, 0x8847); put32(100u << 12 | 3u << 9 | 64);
    put32(200u << 12 | 1u << 8 | 64);
    ip = ip4(A, B, 1); put8(8); put8(0); put16(0); put16(7); put16(7);
    ip_finish(ip); emit(&o, NULL, OUT);

    /* GRE carrying IPv4/UDP, and VXLAN carrying Ethernet/IPv4/TCP. */
    eth(mac_b, mac_a, 0x0800); ip = ip4(0xc0a80001, 0xc0a80002, 47);
    put16(0x2000); put16(0x0800); put32(42);
    size_t inner = ip4(A, B, 17); udp(40002, 40003); put("gre", 3);
    ip_finish(inner); ip_finish(ip); emit(&o, "GRE tunnel, key 42", OUT);
    eth(mac_b, mac_a, 0x0800); ip = ip4(0xc0a80001, 0xc0a80002, 17);
    udp(49152, 4789); put32(0x08000000); put32(5000u << 8);
    put(mac_b, 6); put(mac_a, 6); put16(0x0800);
    inner = ip4(A, B, 6); tcp(33000, 443, 1, 0, 0x02); ip_finish(inner);
    ip_finish(ip); emit(&o, "VXLAN VNI 5000", OUT);

    /* SCTP INIT and an IGMPv2 report. */
    eth(mac_b, mac_a, 0x0800); ip = ip4(A, B, 132);
    put16(2905); put16(2905); put32(0); put32(0);
    put8(1); put8(0); put16(20); put32(0x11223344); put32(65536);
    put16(10); put16(10); put32(1); ip_finish(ip); emit(&o, NULL, OUT);
    static const uint8_t grp[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
    eth(grp, mac_a, 0x0800); ip = ip4(A, 0xe0010203, 2);
    put8(0x16); put8(0); put16(0); put32(0xe0010203); ip_finish(ip);
    emit(&o, NULL, OUT);

    /* IPv6: TCP SYN and a neighbour solicitation. */
    static const uint8_t v6a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t v6b[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    eth(mac_b, mac_a, 0x86dd); put32(0x60000000); put16(24); put8(6);
    put8(64); put(v6a, 16); put(v6b, 16);
    size_t l4 = flen; tcp(40001, 22, 77, 0, 0x02);
    {
        uint32_t s = 24 + 6;
        for (int i = 0; i < 16; i += 2)
            s += (uint32_t)(v6a[i] << 8 | v6a[i + 1]) + (v6b[i] << 8 | v6b[i + 1]);
        uint16_t c = csum(frame + l4, 24, s);
        frame[l4 + 16] = (uint8_t)(c >> 8);
        frame[l4 + 17] = (uint8_t)c;
    }
    emit(&o, NULL, OUT);

    /* 802.3 / LLC spanning-tree BPDU, seen on the second interface. */
    o.pkt.iface = o.lo;
    static const uint8_t stp[6] = {0x01, 0x80, 0xc2, 0, 0, 0};
    eth(stp, mac_a, 38); put8(0x42); put8(0x42); put8(0x03);
    for (int i = 0; i < 35; i++)
        put8(0);
    emit(&o, "spanning tree BPDU", IN);

    if (trawl_writer_close(o.w, o.err, sizeof o.err) < 0 || o.failed) {
        fprintf(stderr, "mksample: %s\n", o.err);
        return 1;
    }
    return 0;
}
