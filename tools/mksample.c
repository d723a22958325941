/* mksample: writes the sample trace that `make run` decodes, through
 * libtrawl's public writer API only.
 *
 * A host 192.168.1.10 on eth0 looks up www.example.com (its stub resolver
 * on lo forwarding to the router), fetches a page over HTTP, pings the
 * server, and meanwhile sees the rest of a busy network: IPv6 neighbour
 * discovery and a TCP SYN, tagged (802.1Q, QinQ), MPLS, GRE and VXLAN
 * traffic, SCTP, IGMP and a spanning-tree BPDU. Every checksum is right,
 * so tshark shows no errors; time stamps start at 1700000000.123456789 and
 * move on by realistic gaps. usage: mksample OUT.pcapng */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/trawl.h"

/* ---- building a frame ---------------------------------------------------- */

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
    put8(v);
}
static void put32(uint32_t v) {
    put16(v >> 16);
    put16(v);
}
static void set16(size_t at, unsigned v) {
    frame[at] = (uint8_t)(v >> 8);
    frame[at + 1] = (uint8_t)v;
}
static void putstr(const char *s) {
    put(s, strlen(s));
}
/* Zero bytes up to the 60-byte Ethernet minimum, as a NIC pads frames it
 * receives (frames a host sends are captured before padding). */
static void pad60(void) {
    while (flen < 60)
        put8(0);
}

/* Internet checksum over p[0, n), starting from a partial sum. */
static uint16_t inet_csum(const uint8_t *p, size_t n, uint32_t sum) {
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t sum_words(const uint8_t *p, size_t n) {
    uint32_t s = 0;
    for (size_t i = 0; i < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    return s;
}

/* CRC-32C (Castagnoli), as SCTP uses, bit by bit: the sample is small. */
static uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c >> 1 ^ (0x82f63b78u & (0u - (c & 1)));
    }
    return ~c;
}

typedef uint8_t mac[6];
static const mac host = {0x3c, 0x22, 0xfb, 0x12, 0x34, 0x56};
static const mac router = {0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e};
static const mac peer = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
static const mac bcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const mac zero = {0};

static void eth(const uint8_t *dst, const uint8_t *src, unsigned type) {
    flen = 0;
    put(dst, 6);
    put(src, 6);
    put16(type);
}

/* ---- IPv4 and IPv6 with their transport checksums ------------------------ */

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
static const uint32_t host4 = IP4(192, 168, 1, 10);
static const uint32_t router4 = IP4(192, 168, 1, 1);
static const uint32_t server4 = IP4(203, 0, 113, 80);

static uint16_t ip_id = 0x3a1c;

/* An IPv4 header at the end of the frame; returns its offset for
 * ip4_done(). `ra` adds the Router Alert option IGMP uses. */
static size_t ip4(uint32_t src, uint32_t dst, unsigned proto, unsigned ttl,
                  int ra) {
    size_t at = flen;
    put8(ra ? 0x46 : 0x45);
    put8(ra ? 0xc0 : 0); /* network control precedence for IGMP */
    put16(0);            /* total length, set by ip4_done */
    put16(ip_id++);
    put16(0x4000); /* don't fragment */
    put8(ttl);
    put8(proto);
    put16(0);
    put32(src);
    put32(dst);
    if (ra)
        put32(0x94040000);
    return at;
}

/* Offset of each transport's checksum field, or 0 for none. */
static size_t csum_field(unsigned proto) {
    switch (proto) {
    case 6: return 16;
    case 17: return 6;
    case 1:
    case 2:
    case 58: return 2;
    default: return 0;
    }
}

/* Sets the lengths and checksums of an IPv4 packet ending at the end of
 * the frame (tunnels: finish the inner packet first). */
static void ip4_done(size_t ip) {
    uint8_t *h = frame + ip;
    size_t hl = (h[0] & 0xfu) * 4, total = flen - ip, l4len = total - hl;
    set16(ip + 2, (unsigned)total);
    set16(ip + 10, inet_csum(h, hl, 0));
    unsigned proto = h[9];
    uint8_t *l4 = h + hl;
    if (proto == 17)
        set16(ip + hl + 4, (unsigned)l4len);
    size_t at = csum_field(proto);
    if (!at)
        return;
    uint32_t pseudo = 0;
    if (proto == 6 || proto == 17)
        pseudo = sum_words(h + 12, 8) + proto + (uint32_t)l4len;
    set16(ip + hl + at, inet_csum(l4, l4len, pseudo));
}

static const uint8_t host6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                  0,    0,    0,    0,    0, 0, 0, 0x10};
static const uint8_t server6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                    0,    0,    0,    0,    0, 0, 0, 0x80};
static const uint8_t host6ll[16] = {0xfe, 0x80, 0,    0,    0,    0,
                                    0,    0,    0x3e, 0x22, 0xfb, 0xff,
                                    0xfe, 0x12, 0x34, 0x56};

static size_t ip6(const uint8_t *src, const uint8_t *dst, unsigned nh,
                  unsigned hlim) {
    size_t at = flen;
    put32(0x60000000);
    put16(0); /* payload length, set by ip6_done */
    put8(nh);
    put8(hlim);
    put(src, 16);
    put(dst, 16);
    return at;
}

static void ip6_done(size_t ip) {
    uint8_t *h = frame + ip;
    size_t plen = flen - ip - 40;
    set16(ip + 4, (unsigned)plen);
    unsigned nh = h[6];
    size_t at = csum_field(nh);
    if (nh == 17)
        set16(ip + 40 + 4, (unsigned)plen);
    uint32_t pseudo = sum_words(h + 8, 32) + (uint32_t)plen + nh;
    set16(ip + 40 + at, inet_csum(h + 40, plen, pseudo));
}

/* ---- transports ---------------------------------------------------------- */

enum { FIN = 0x01, SYN = 0x02, PSH = 0x08, ACK = 0x10 };

/* A TCP header; a SYN carries the options Linux sends (MSS, SACK
 * permitted, time stamps, window scale). */
static void tcp(unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
                unsigned flags) {
    put16(sport);
    put16(dport);
    put32(seq);
    put32(ack);
    put8(flags & SYN ? 0xa0 : 0x50);
    put8(flags);
    put16(flags & SYN ? 64240 : 502);
    put16(0); /* checksum */
    put16(0); /* urgent pointer */
    if (flags & SYN) {
        put32(0x020405b4); /* MSS 1460 */
        put32(0x0402080a); /* SACK permitted, time stamps */
        put32(0x9a3c1f00);
        put32(flags & ACK ? 0x9a3c1f00 : 0);
        put32(0x01030307); /* NOP, window scale 7 */
    }
}

static void udp(unsigned sport, unsigned dport) {
    put16(sport);
    put16(dport);
    put32(0); /* length and checksum, set by ip4_done/ip6_done */
}

/* A DNS message for www.example.com A; a response answers 203.0.113.80. */
static void dns(unsigned id, int response) {
    put16(id);
    put16(response ? 0x8180 : 0x0100);
    put16(1);
    put16(response ? 1 : 0);
    put32(0);
    static const char qname[] = "\3www\7example\3com";
    put(qname, sizeof qname); /* the terminating NUL is the root label */
    put16(1);                 /* A */
    put16(1);                 /* IN */
    if (response) {
        put16(0xc00c); /* name: pointer to the question */
        put16(1);
        put16(1);
        put32(300);
        put16(4);
        put32(server4);
    }
}

/* ICMP (v4) echo with the 56 bytes of data Linux ping sends. */
static void icmp_echo(unsigned type, unsigned id, unsigned seq) {
    put8(type);
    put8(0);
    put16(0);
    put16(id);
    put16(seq);
    put32(0x6553f100); /* ping's own time stamp */
    put32(0x0001e240);
    put32(0);
    put32(0);
    for (unsigned i = 0x10; i < 0x38; i++)
        put8(i);
}

/* ---- output -------------------------------------------------------------- */

struct out {
    trawl_writer *w;
    struct trawl_pkt pkt;
    uint64_t sent[2]; /* packets per interface, for the statistics */
    char err[TRAWL_ERRBUF_SIZE];
    int failed;
};

/* Writes the frame `gap_us` microseconds after the previous one (plus a
 * few hundred nanoseconds of jitter) on interface `iface`. */
static void emit(struct out *o, uint32_t iface, unsigned gap_us, uint32_t dir,
                 const char *comment) {
    if (o->pkt.index > 0) {
        uint64_t ns = (uint64_t)gap_us * 1000u + (o->pkt.index * 7919u) % 997u;
        ns += o->pkt.ts_nsec;
        o->pkt.ts_sec += (int64_t)(ns / 1000000000u);
        o->pkt.ts_nsec = (uint32_t)(ns % 1000000000u);
    }
    o->pkt.iface = iface;
    o->pkt.data = frame;
    o->pkt.caplen = o->pkt.len = (uint32_t)flen;
    o->pkt.comment = comment;
    o->pkt.has_flags = true;
    o->pkt.flags = dir;
    if (!o->failed &&
        trawl_writer_write(o->w, &o->pkt, o->err, sizeof o->err) < 0)
        o->failed = 1;
    o->pkt.index++;
    o->sent[iface]++;
}

enum { OUT = TRAWL_PKT_DIR_OUT, IN = TRAWL_PKT_DIR_IN };

/* ---- the story ----------------------------------------------------------- */

/* An ARP message for IPv4 over Ethernet. */
static void arp_msg(unsigned op, const uint8_t *sha, uint32_t spa,
                    const uint8_t *tha, uint32_t tpa) {
    put16(1);      /* Ethernet */
    put16(0x0800); /* IPv4 */
    put8(6);
    put8(4);
    put16(op);
    put(sha, 6);
    put32(spa);
    put(tha, 6);
    put32(tpa);
}

static void arp(struct out *o, uint32_t eth0) {
    eth(bcast, host, 0x0806);
    arp_msg(1, host, host4, zero, router4);
    emit(o, eth0, 0, OUT, "who has the router?");
    eth(host, router, 0x0806);
    arp_msg(2, router, router4, host, host4);
    pad60();
    emit(o, eth0, 310, IN, NULL);
}

/* One DNS message over UDP/IPv4; a response comes in, a query goes out. */
static void dns_udp(struct out *o, uint32_t iface, unsigned gap_us,
                    const uint8_t *dmac, const uint8_t *smac, uint32_t src,
                    unsigned sport, uint32_t dst, unsigned dport, unsigned id,
                    int response, const char *comment) {
    eth(dmac, smac, 0x0800);
    size_t ip = ip4(src, dst, 17, 64, 0);
    udp(sport, dport);
    dns(id, response);
    ip4_done(ip);
    emit(o, iface, gap_us, response ? IN : OUT, comment);
}

/* The application asks the stub resolver on lo, which asks the router. */
static void dns_lookup(struct out *o, uint32_t eth0, uint32_t lo) {
    static const uint32_t stub = IP4(127, 0, 0, 53), local = IP4(127, 0, 0, 1);
    dns_udp(o, lo, 850, zero, zero, local, 41872, stub, 53, 0x7f3e, 0,
            "lookup via the local stub resolver");
    dns_udp(o, eth0, 120, router, host, host4, 38211, router4, 53, 0xb25c, 0,
            NULL);
    dns_udp(o, eth0, 14230, host, router, router4, 53, host4, 38211, 0xb25c, 1,
            NULL);
    dns_udp(o, lo, 95, zero, zero, stub, 53, local, 41872, 0x7f3e, 1, NULL);
}

/* One TCP segment host:50122 <-> server:80 with an optional payload. */
static void http_seg(struct out *o, uint32_t eth0, unsigned gap_us,
                     int to_server, uint32_t seq, uint32_t ack, unsigned flags,
                     const char *payload, const char *cmt) {
    if (to_server)
        eth(router, host, 0x0800);
    else
        eth(host, router, 0x0800);
    size_t ip = ip4(to_server ? host4 : server4, to_server ? server4 : host4, 6,
                    to_server ? 64 : 53, 0);
    if (to_server)
        tcp(50122, 80, seq, ack, flags);
    else
        tcp(80, 50122, seq, ack, flags);
    if (payload)
        putstr(payload);
    ip4_done(ip);
    emit(o, eth0, gap_us, to_server ? OUT : IN, cmt);
}

static void http(struct out *o, uint32_t eth0) {
    static const char get[] = "GET /index.html HTTP/1.1\r\n"
                              "Host: www.example.com\r\n"
                              "User-Agent: curl/7.88.1\r\n"
                              "Accept: */*\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/html; charset=UTF-8\r\n"
                               "Content-Length: 50\r\n\r\n"
                               "<html><body><h1>Example Domain</h1></body>"
                               "</html>\n";
    const uint32_t c = 0x5e1f2a01, s = 0x8a4c0b77; /* initial sequences */
    const uint32_t lg = sizeof get - 1, lr = sizeof resp - 1;
    http_seg(o, eth0, 400, 1, c, 0, SYN, NULL, "TCP handshake starts");
    http_seg(o, eth0, 12180, 0, s, c + 1, SYN | ACK, NULL, NULL);
    http_seg(o, eth0, 60, 1, c + 1, s + 1, ACK, NULL, NULL);
    http_seg(o, eth0, 110, 1, c + 1, s + 1, PSH | ACK, get, "HTTP request");
    http_seg(o, eth0, 12400, 0, s + 1, c + 1 + lg, ACK, NULL, NULL);
    http_seg(o, eth0, 730, 0, s + 1, c + 1 + lg, PSH | ACK, resp, NULL);
    http_seg(o, eth0, 45, 1, c + 1 + lg, s + 1 + lr, ACK, NULL, NULL);
    http_seg(o, eth0, 260, 1, c + 1 + lg, s + 1 + lr, FIN | ACK, NULL,
             "client closes");
    http_seg(o, eth0, 12310, 0, s + 1 + lr, c + 2 + lg, FIN | ACK, NULL, NULL);
    http_seg(o, eth0, 40, 1, c + 2 + lg, s + 2 + lr, ACK, NULL, NULL);
}

static void ping(struct out *o, uint32_t eth0) {
    eth(router, host, 0x0800);
    size_t ip = ip4(host4, server4, 1, 64, 0);
    icmp_echo(8, 0x1c2d, 1);
    ip4_done(ip);
    emit(o, eth0, 180000, OUT, NULL);
    eth(host, router, 0x0800);
    ip = ip4(server4, host4, 1, 53, 0);
    icmp_echo(0, 0x1c2d, 1);
    ip4_done(ip);
    emit(o, eth0, 12290, IN, NULL);
}

/* A neighbour solicitation (135) or advertisement (136) for `target`
 * with one link-layer address option (1 source, 2 target). */
static void nd_msg(unsigned type, uint32_t flags, const uint8_t *target,
                   unsigned opt, const uint8_t *lladdr) {
    put8(type);
    put8(0);  /* code */
    put16(0); /* checksum, set by ip6_done */
    put32(flags);
    put(target, 16);
    put8(opt);
    put8(1); /* option length in units of 8 bytes */
    put(lladdr, 6);
}

static void ipv6(struct out *o, uint32_t eth0) {
    /* Neighbour solicitation for the server, to its solicited-node
     * multicast group, with the host's link-layer address; then the
     * advertisement and the SYN it lets through. */
    static const uint8_t snm[16] = {0xff, 0x02, [11] = 1, 0xff, 0, 0, 0x80};
    static const mac snm_mac = {0x33, 0x33, 0xff, 0, 0, 0x80};
    eth(snm_mac, host, 0x86dd);
    size_t ip = ip6(host6ll, snm, 58, 255);
    nd_msg(135, 0, server6, 1, host);
    ip6_done(ip);
    emit(o, eth0, 95000, OUT, NULL);
    eth(host, peer, 0x86dd);
    ip = ip6(server6, host6ll, 58, 255);
    nd_msg(136, 0x60000000, server6, 2, peer); /* solicited, override */
    ip6_done(ip);
    emit(o, eth0, 210, IN, NULL);
    eth(peer, host, 0x86dd);
    ip = ip6(host6, server6, 6, 64);
    tcp(49822, 443, 0x71c3e805, 0, SYN);
    ip6_done(ip);
    emit(o, eth0, 30, OUT, "IPv6 TCP SYN");
}

static void tagged(struct out *o, uint32_t eth0) {
    /* 802.1Q, VLAN 100 priority 5: an NTP client request. */
    eth(router, host, 0x8100);
    put16(5u << 13 | 100);
    put16(0x0800);
    size_t ip = ip4(host4, IP4(192, 168, 100, 123), 17, 64, 0);
    udp(123, 123);
    put32(0x23000000); /* v4, client mode */
    for (int i = 0; i < 9; i++)
        put32(0);
    put32(0xe8ff7f81); /* transmit time stamp, NTP era seconds */
    put32(0x1f9add2f);
    ip4_done(ip);
    emit(o, eth0, 41000, OUT, "VLAN 100, priority 5");
    /* 802.1ad service VLAN 10 over 802.1Q customer VLAN 20: syslog. */
    eth(router, peer, 0x88a8);
    put16(10);
    put16(0x8100);
    put16(20);
    put16(0x0800);
    ip = ip4(IP4(10, 20, 0, 5), IP4(10, 20, 0, 1), 17, 64, 0);
    udp(514, 514);
    putstr("<14>Nov 14 22:13:21 sw-core-2 link eth7 up");
    ip4_done(ip);
    emit(o, eth0, 2700, IN, "QinQ: service VLAN 10, customer VLAN 20");
}

static void tunnels(struct out *o, uint32_t eth0) {
    static const uint32_t pe1 = IP4(198, 51, 100, 1),
                          pe2 = IP4(198, 51, 100, 2);
    /* MPLS: transport label 100 over service label 200 (bottom), IPv4. */
    eth(peer, router, 0x8847);
    put32(100u << 12 | 0u << 9 | 0 << 8 | 62);
    put32(200u << 12 | 0u << 9 | 1 << 8 | 62);
    size_t ip = ip4(IP4(10, 1, 1, 1), IP4(10, 2, 2, 2), 1, 62, 0);
    icmp_echo(8, 0x0101, 7);
    ip4_done(ip);
    emit(o, eth0, 5300, IN, NULL);
    /* GRE with key 42 carrying IPv4/ICMP between two sites. */
    eth(router, host, 0x0800);
    size_t outer = ip4(pe1, pe2, 47, 64, 0);
    put16(0x2000); /* key present */
    put16(0x0800);
    put32(42);
    ip = ip4(IP4(10, 1, 1, 1), IP4(10, 2, 2, 2), 1, 64, 0);
    icmp_echo(8, 0x0202, 3);
    ip4_done(ip);
    ip4_done(outer);
    emit(o, eth0, 1900, OUT, "GRE tunnel, key 42");
    /* VXLAN VNI 5000 carrying Ethernet/IPv4/TCP SYN to port 22. */
    static const mac vm1 = {0x02, 0x42, 0xac, 0x11, 0, 2};
    static const mac vm2 = {0x02, 0x42, 0xac, 0x11, 0, 3};
    eth(router, host, 0x0800);
    outer = ip4(pe1, pe2, 17, 64, 0);
    udp(51234, 4789);
    put32(0x08000000); /* VNI present */
    put32(5000u << 8);
    put(vm2, 6);
    put(vm1, 6);
    put16(0x0800);
    ip = ip4(IP4(172, 17, 0, 2), IP4(172, 17, 0, 3), 6, 64, 0);
    tcp(45512, 22, 0x0badcafe, 0, SYN);
    ip4_done(ip);
    ip4_done(outer);
    emit(o, eth0, 860, OUT, "VXLAN VNI 5000");
}

static void sctp_init(struct out *o, uint32_t eth0) {
    eth(router, host, 0x0800);
    size_t ip = ip4(host4, IP4(203, 0, 113, 90), 132, 64, 0);
    size_t sc = flen;
    put16(36412);
    put16(36412);
    put32(0); /* verification tag: 0 in an INIT */
    put32(0); /* checksum */
    put8(1);  /* INIT */
    put8(0);
    put16(20 + 8);
    put32(0x3e4a5b6c); /* initiate tag */
    put32(106496);     /* a_rwnd */
    put16(10);         /* outbound streams */
    put16(65535);      /* inbound streams */
    put32(0x3e4a5b6c); /* initial TSN */
    put16(5);          /* IPv4 address parameter */
    put16(8);
    put32(host4);
    ip4_done(ip);
    uint32_t crc = crc32c(frame + sc, flen - sc);
    /* SCTP stores its CRC least significant byte first. */
    for (int i = 0; i < 4; i++)
        frame[sc + 8 + i] = (uint8_t)(crc >> (8 * i));
    emit(o, eth0, 23000, OUT, NULL);
}

static void igmp(struct out *o, uint32_t eth0) {
    static const mac group_mac = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
    const uint32_t group = IP4(239, 1, 2, 3);
    eth(group_mac, host, 0x0800);
    size_t ip = ip4(host4, group, 2, 1, 1);
    put8(0x16); /* IGMPv2 membership report */
    put8(0);
    put16(0);
    put32(group);
    ip4_done(ip);
    emit(o, eth0, 7400, OUT, NULL);
}

static void stp(struct out *o, uint32_t eth0) {
    static const mac stp_mac = {0x01, 0x80, 0xc2, 0, 0, 0};
    eth(stp_mac, peer, 38); /* 802.3: a length, not a type */
    put8(0x42);             /* LLC: DSAP, SSAP spanning tree, UI */
    put8(0x42);
    put8(0x03);
    put16(0);      /* protocol id */
    put8(0);       /* version */
    put8(0);       /* configuration BPDU */
    put8(0);       /* flags */
    put16(0x8000); /* root: priority 32768 + MAC */
    put(peer, 6);
    put32(0); /* root path cost */
    put16(0x8000);
    put(peer, 6);
    put16(0x8001);   /* port id */
    put16(0);        /* message age */
    put16(20 * 256); /* max age, hello time, forward delay (1/256 s) */
    put16(2 * 256);
    put16(15 * 256);
    pad60();
    emit(o, eth0, 96000, IN, "spanning tree BPDU");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: mksample OUT.pcapng\n");
        return 2;
    }
    static struct out o;
    struct trawl_writer_options wo = {
        .format = TRAWL_FORMAT_PCAPNG,
        .section_comment = "trawl sample trace: a web fetch and a busy LAN, "
                           "one of each protocol trawl decodes",
    };
    if (trawl_writer_open(&o.w, argv[1], &wo, o.err, sizeof o.err) < 0) {
        fprintf(stderr, "mksample: %s\n", o.err);
        return 1;
    }
    struct trawl_iface i0 = {.linktype = 1,
                             .snaplen = 262144,
                             .name = "eth0",
                             .description = "Intel I219-V uplink",
                             .fcslen = 0};
    struct trawl_iface i1 = {.linktype = 1,
                             .snaplen = 262144,
                             .name = "lo",
                             .description = "loopback",
                             .fcslen = 0};
    uint32_t eth0, lo;
    if (trawl_writer_add_iface(o.w, &i0, &eth0, o.err, sizeof o.err) < 0 ||
        trawl_writer_add_iface(o.w, &i1, &lo, o.err, sizeof o.err) < 0) {
        fprintf(stderr, "mksample: %s\n", o.err);
        trawl_writer_close(o.w, NULL, 0);
        return 1;
    }
    o.pkt.ts_sec = 1700000000;
    o.pkt.ts_nsec = 123456789;

    arp(&o, eth0);
    dns_lookup(&o, eth0, lo);
    http(&o, eth0);
    ping(&o, eth0);
    ipv6(&o, eth0);
    tagged(&o, eth0);
    tunnels(&o, eth0);
    sctp_init(&o, eth0);
    igmp(&o, eth0);
    stp(&o, eth0);

    /* What the capture would have said about itself. */
    struct trawl_iface_stats st = {
        .received = o.sent[eth0],
        .filter_accepted = o.sent[eth0],
        .delivered = o.sent[eth0],
        .start_sec = 1700000000,
        .start_nsec = 123456789,
        .end_sec = o.pkt.ts_sec,
        .end_nsec = o.pkt.ts_nsec,
    };
    trawl_writer_set_stats(o.w, eth0, &st);
    if (trawl_writer_close(o.w, o.err, sizeof o.err) < 0 || o.failed) {
        fprintf(stderr, "mksample: %s\n", o.err);
        return 1;
    }
    return 0;
}
