/* gen-trace: writes a large synthetic pcap for the benchmarks, fast: a
 * realistic mix of frame sizes (IMIX-like 64/576/1500), mostly TCP and UDP
 * over IPv4, some IPv6 and some VLAN-tagged frames, with varying
 * addresses and ports. usage: gen-trace OUT.pcap MEGABYTES */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/trawl.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: gen-trace OUT.pcap MEGABYTES\n");
        return 2;
    }
    uint64_t target = strtoull(argv[2], NULL, 10) * 1000000ull;
    char err[TRAWL_ERRBUF_SIZE];
    trawl_writer *w;
    struct trawl_writer_options o = {.format = TRAWL_FORMAT_PCAP};
    if (trawl_writer_open(&w, argv[1], &o, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct trawl_iface ifc = {.linktype = 1, .snaplen = 65535, .fcslen = -1};
    uint32_t id;
    trawl_writer_add_iface(w, &ifc, &id, err, sizeof err);
    static uint8_t f[1600];
    uint64_t seed = 88172645463325252ull;
    struct trawl_pkt p = {.ts_sec = 1700000000, .data = f, .iface = id};
    for (uint64_t i = 0; trawl_writer_bytes(w) < target; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        unsigned r = (unsigned)(seed % 12);
        uint32_t len = r < 7 ? 64 : r < 11 ? 576 : 1500;
        memset(f, 0, 64);
        memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
        size_t l3 = 12;
        if (i % 10 == 3) { /* VLAN-tagged */
            f[l3] = 0x81;
            f[l3 + 2] = 0x00;
            f[l3 + 3] = (uint8_t)(i % 4000);
            l3 += 4;
        }
        bool v6 = i % 8 == 5;
        f[l3] = v6 ? 0x86 : 0x08;
        f[l3 + 1] = v6 ? 0xdd : 0x00;
        uint8_t *ip = f + l3 + 2;
        bool tcp = (seed >> 20) % 4 != 0;
        uint8_t *l4;
        uint32_t l4len;
        if (v6) {
            ip[0] = 0x60;
            l4len = len - (uint32_t)(l3 + 2) - 40;
            ip[4] = (uint8_t)(l4len >> 8);
            ip[5] = (uint8_t)l4len;
            ip[6] = tcp ? 6 : 17;
            ip[7] = 64;
            ip[8] = 0x20;
            ip[9] = 0x01;
            memcpy(ip + 20, &seed, 4);
            ip[24] = 0x20;
            ip[25] = 0x01;
            memcpy(ip + 36, (uint8_t *)&seed + 4, 4);
            l4 = ip + 40;
        } else {
            uint32_t tot = len - (uint32_t)(l3 + 2);
            ip[0] = 0x45;
            ip[2] = (uint8_t)(tot >> 8);
            ip[3] = (uint8_t)tot;
            ip[8] = 64;
            ip[9] = tcp ? 6 : 17;
            ip[12] = 10;
            ip[13] = (uint8_t)(seed >> 8);
            ip[14] = (uint8_t)(seed >> 16);
            ip[15] = (uint8_t)(seed >> 24);
            ip[16] = (uint8_t)(seed >> 32) % 2 ? 10 : 192;
            ip[17] = (uint8_t)(seed >> 40);
            ip[18] = (uint8_t)(seed >> 48);
            ip[19] = (uint8_t)(seed >> 56);
            l4 = ip + 20;
            l4len = tot - 20;
        }
        uint16_t dport = (uint16_t)(r < 6 ? 80 : r < 9 ? 443 : 1024 + seed % 60000);
        l4[0] = (uint8_t)(seed >> 16);
        l4[1] = (uint8_t)(seed >> 24);
        l4[2] = (uint8_t)(dport >> 8);
        l4[3] = (uint8_t)dport;
        if (tcp) {
            l4[12] = 0x50;
            l4[13] = (uint8_t)((seed >> 30) % 8 == 0 ? 0x12 : 0x18);
            l4[14] = 0xff;
        } else {
            l4[4] = (uint8_t)(l4len >> 8);
            l4[5] = (uint8_t)l4len;
        }
        p.caplen = p.len = len;
        p.ts_nsec += 1000;
        if (p.ts_nsec >= 1000000000) {
            p.ts_nsec = 0;
            p.ts_sec++;
        }
        if (trawl_writer_write(w, &p, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
    }
    return trawl_writer_close(w, err, sizeof err) < 0;
}
