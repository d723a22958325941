/* Hand-built packets for the expression tests (test_expr.c,
 * test_expr_protocols.c, test_expr_allegro.c): byte builders for Ethernet,
 * VLAN tags, MPLS, IPv4, IPv6, TCP, UDP, ARP, ICMP and IGMP, and the check
 * of one expression against a set of packets. Include after cmocka.h. */
#ifndef TRAWL_TESTS_EXPR_PKT_H
#define TRAWL_TESTS_EXPR_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "trawl/expr.h"

enum { PKTMAX = 512 };

struct pkt {
    uint8_t b[PKTMAX];
    size_t n;
    struct trawl_pkt rec;
};

static inline void put(struct pkt *p, const void *d, size_t n) {
    assert_true(p->n + n <= PKTMAX);
    memcpy(p->b + p->n, d, n);
    p->n += n;
}
static inline void put8(struct pkt *p, unsigned v) {
    uint8_t b = (uint8_t)v;
    put(p, &b, 1);
}
static inline void put16(struct pkt *p, unsigned v) {
    put8(p, v >> 8);
    put8(p, v);
}
static inline void put32(struct pkt *p, uint32_t v) {
    put16(p, v >> 16);
    put16(p, v & 0xffff);
}
static inline void put_str(struct pkt *p, const char *s) {
    put(p, s, strlen(s));
}
/* Hex digits two by two, blanks, ':' and '.' skipped: "2a02 810a". */
static inline void put_hex(struct pkt *p, const char *h) {
    while (*h) {
        if (*h == ' ' || *h == ':' || *h == '.') {
            h++;
            continue;
        }
        unsigned v;
        assert_int_equal(sscanf(h, "%2x", &v), 1);
        put8(p, v);
        h += 2;
    }
}

static inline void mac(struct pkt *p, const char *m) {
    unsigned a[6];
    assert_int_equal(sscanf(m, "%x:%x:%x:%x:%x:%x", &a[0], &a[1], &a[2], &a[3],
                            &a[4], &a[5]),
                     6);
    for (int i = 0; i < 6; i++)
        put8(p, a[i]);
}

static inline void eth(struct pkt *p, const char *dst, const char *src,
                       unsigned type) {
    mac(p, dst);
    mac(p, src);
    put16(p, type);
}

/* An 802.1Q / 802.1ad tag: the TCI, then the next ethertype. */
static inline void vlan_tag(struct pkt *p, unsigned pcp, unsigned vid,
                            unsigned next) {
    put16(p, pcp << 13 | vid);
    put16(p, next);
}

/* An MPLS label stack entry, TTL 64. */
static inline void mpls_lse(struct pkt *p, unsigned label, unsigned tc,
                            bool bottom) {
    put32(p, (uint32_t)label << 12 | tc << 9 | (bottom ? 1u : 0u) << 8 | 64);
}

static inline void v4addr(struct pkt *p, const char *a) {
    unsigned x[4];
    assert_int_equal(sscanf(a, "%u.%u.%u.%u", &x[0], &x[1], &x[2], &x[3]), 4);
    for (int i = 0; i < 4; i++)
        put8(p, x[i]);
}

/* An IPv4 header; `l4len` bytes of L4 header and payload follow. */
static inline void ipv4(struct pkt *p, unsigned dscp, unsigned frag,
                        unsigned ttl, unsigned proto, const char *src,
                        const char *dst, size_t l4len) {
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

/* An IPv6 header, addresses in hex ("2001 0db8 ..."); `l4len` bytes
 * follow. */
static inline void ipv6(struct pkt *p, unsigned dscp, unsigned next,
                        unsigned hlim, const char *src, const char *dst,
                        size_t l4len) {
    put32(p, 0x60000000u | (dscp << 2) << 20);
    put16(p, (unsigned)l4len);
    put8(p, next);
    put8(p, hlim);
    put_hex(p, src);
    put_hex(p, dst);
}

static inline void tcp(struct pkt *p, unsigned sport, unsigned dport,
                       unsigned flags) {
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

static inline void udp(struct pkt *p, unsigned sport, unsigned dport,
                       size_t paylen) {
    put16(p, sport);
    put16(p, dport);
    put16(p, (unsigned)(8 + paylen));
    put16(p, 0);
}

/* IPv4 (TTL 64) and TCP with its lengths right, then the payload. */
static inline void ipv4_tcp(struct pkt *p, unsigned dscp, unsigned frag,
                            const char *src, unsigned sport, const char *dst,
                            unsigned dport, unsigned flags,
                            const char *payload) {
    ipv4(p, dscp, frag, 64, 6, src, dst, 20 + strlen(payload));
    tcp(p, sport, dport, flags);
    put_str(p, payload);
}

static inline void ipv4_udp(struct pkt *p, const char *src, unsigned sport,
                            const char *dst, unsigned dport,
                            const char *payload) {
    ipv4(p, 0, 0, 64, 17, src, dst, 8 + strlen(payload));
    udp(p, sport, dport, strlen(payload));
    put_str(p, payload);
}

/* An ARP message for IPv4 over Ethernet. */
static inline void arp(struct pkt *p, unsigned op, const char *smac,
                       const char *sip, const char *tmac, const char *tip) {
    put16(p, 1);
    put16(p, 0x0800);
    put8(p, 6);
    put8(p, 4);
    put16(p, op);
    mac(p, smac);
    v4addr(p, sip);
    mac(p, tmac);
    v4addr(p, tip);
}

/* IPv4 and an ICMP echo (type 8) or echo reply (0), id 7, sequence 1. */
static inline void icmp_echo(struct pkt *p, unsigned type, const char *src,
                             const char *dst, const char *payload) {
    ipv4(p, 0, 0, 64, 1, src, dst, 8 + strlen(payload));
    put8(p, type);
    put8(p, 0);
    put16(p, 0);
    put16(p, 7);
    put16(p, 1);
    put_str(p, payload);
}

/* IPv4 (TTL 1) and an IGMPv2 membership report for `group`. */
static inline void igmp_report(struct pkt *p, const char *src,
                               const char *group) {
    ipv4(p, 0, 0, 1, 2, src, group, 8);
    put8(p, 0x16);
    put8(p, 0);
    put16(p, 0);
    v4addr(p, group);
}

static inline void record(struct pkt *p, uint32_t iface) {
    memset(&p->rec, 0, sizeof p->rec);
    p->rec.data = p->b;
    p->rec.caplen = p->rec.len = (uint32_t)p->n;
    p->rec.linktype = 1;
    p->rec.block = TRAWL_BLOCK_EPB; /* pcap records have no interface id */
    p->rec.iface = iface;
}

/* The pcapng CRC-error flag on the record (after record()). */
static inline void record_crc_error(struct pkt *p) {
    p->rec.has_flags = true;
    p->rec.flags = TRAWL_PKT_FLAG_CRC_ERROR;
}

#define A_MAC "12:34:56:78:90:ab"
#define B_MAC "00:aa:bb:cc:dd:ee"
#define C_MAC "00:11:22:33:44:55"
#define BCAST_MAC "ff:ff:ff:ff:ff:ff"

/* "10010000": which of the `n` packets of `set` match. */
static inline void match_set(trawl_expr *e, const struct pkt *set, int n,
                             char *got) {
    trawl_view *v = trawl_view_new();
    assert_non_null(v);
    for (int i = 0; i < n; i++) {
        trawl_view_set(v, &set[i].rec);
        got[i] = trawl_expr_match(e, v) ? '1' : '0';
    }
    got[n] = '\0';
    trawl_view_free(v);
}

enum { TRAWL = 0, PCAP = 1 };

/* The most packets one check_row() looks at. */
enum { EXPR_PKT_SET_MAX = 32 };

/* The tables use IP, TCP, UDP, VLAN, MPLS... fields: on a build whose
 * decoders have not landed yet they are skipped rather than failed. */
static inline void need_decoders(void) {
    if (!trawl_field_lookup("ip.src") || !trawl_field_lookup("tcp.port"))
        skip();
}

/* Compiles `expr` and checks which packets of `set` it matches and, when
 * `reading` is not negative, how it was read. Returns the failures. */
static inline int check_row(const char *expr, const char *want, int reading,
                            const struct pkt *set, int n) {
    char err[TRAWL_ERRBUF_SIZE], got[EXPR_PKT_SET_MAX + 1];
    assert_true(n <= EXPR_PKT_SET_MAX);
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

#endif
