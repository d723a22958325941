/* libFuzzer target: arbitrary text as an expression. The first byte picks
 * options (pcap-filter forced, link type known); the rest is compiled, and
 * an expression that compiles is explained and matched against a few fixed
 * packets (Ethernet/IPv4/TCP with a payload, QinQ/IPv4/UDP, IPv6/UDP,
 * ARP), so the parser, the operand macros, the code generator, the
 * evaluator and explain all see it. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/trawl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t tcp4[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x12, 0x34, 0x56, 0x78, 0x90, 0xab,
    0x08, 0x00, 0x45, 0xb8, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06,
    0x00, 0x00, 10,   0,    0,    1,    10,   1,    0,    1,    0x04, 0xd2,
    0x26, 0x94, 0,    0,    0,    1,    0,    0,    0,    0,    0x50, 0x12,
    0xff, 0xff, 0,    0,    0,    0,    'H',  'T',  'T',  'P',
};
static const uint8_t qinq_udp[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0xaa, 0xbb, 0xcc, 0xdd,
    0xee, 0x88, 0xa8, 0xa0, 0x0a, 0x81, 0x00, 0x60, 0x14, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x1d, 0x00, 0x01, 0x20, 0x00, 0x01, 0x11, 0x00,
    0x00, 192,  168,  1,    7,    239,  1,    1,    1,    0x14, 0xe9,
    0x00, 0x35, 0x00, 0x09, 0x00, 0x00, 'd',
};
static const uint8_t udp6[] = {
    0x33, 0x33, 0,    1,    0,    3,    0x12, 0x34, 0x56, 0x78, 0x90,
    0xab, 0x86, 0xdd, 0x60, 0xa0, 0,    0,    0,    9,    17,   255,
    0x2a, 0x02, 0x81, 0x0a, 0x13, 0x40, 0x12, 0x92, 0x1c, 0x6b, 0xe5,
    0x8d, 0x6e, 0xbc, 0x6c, 0xd2, 0xff, 0x02, 0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    1,    0,    3,    0,
    123,  0x14, 0xeb, 0,    9,    0,    0,    'a',
};
static const uint8_t arp[] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x12, 0x34, 0x56, 0x78, 0x90,
    0xab, 0x08, 0x06, 0,    1,    0x08, 0,    6,    4,    0,    1,
    0x12, 0x34, 0x56, 0x78, 0x90, 0xab, 10,   0,    0,    1,    0,
    0,    0,    0,    0,    0,    10,   0,    0,    2,
};

static const struct {
    const uint8_t *p;
    size_t n;
} pkts[] = {
    {tcp4, sizeof tcp4},
    {qinq_udp, sizeof qinq_udp},
    {udp6, sizeof udp6},
    {arp, sizeof arp},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 4096)
        return 0;
    static trawl_view *v;
    if (!v)
        v = trawl_view_new();
    struct trawl_expr_options opt = {
        .pcap_filter = (data[0] & 1) != 0,
        .has_linktype = (data[0] & 2) != 0,
        .linktype = 1,
    };
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *e;
    if (trawl_expr_compile(&e, text, &opt, err, sizeof err) == 0) {
        char buf[512];
        trawl_expr_explain_buf(e, buf, sizeof buf);
        for (size_t i = 0; i < sizeof pkts / sizeof pkts[0]; i++) {
            struct trawl_pkt p = {0};
            p.data = pkts[i].p;
            p.caplen = p.len = (uint32_t)pkts[i].n;
            p.linktype = 1;
            p.block = TRAWL_BLOCK_EPB;
            p.has_flags = true;
            trawl_view_set(v, &p);
            trawl_expr_match(e, v);
        }
        /* The kernel part always compiles with libpcap. */
        char kernel[8192];
        bool exact;
        if (trawl_expr_kernel(e, 1, kernel, sizeof kernel, &exact) == 0 &&
            kernel[0]) {
            struct trawl_expr_options kopt = {.pcap_filter = true};
            trawl_expr *k;
            if (trawl_expr_compile(&k, kernel, &kopt, err, sizeof err) != 0)
                __builtin_trap();
            trawl_expr_free(k);
        }
        trawl_expr_free(e);
    } else if (strlen(err) == 0) {
        __builtin_trap(); /* every failure says why */
    }
    free(text);
    return 0;
}
