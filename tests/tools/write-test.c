/* write-test: writes synthetic packets through the public writer API, for
 * the writer's integration tests.
 *
 *   write-test OUT FORMAT COUNT [IFACES]
 *
 * FORMAT is pcap, pcap-ns or pcapng; COUNT 0 writes until killed, at about
 * 100,000 packets a second, flushing every millisecond (for the kill -9 and
 * follow tests). Packet i goes to interface
 * i % IFACES (default 1), has a length of 60 + i % 1400 bytes, time
 * 1700000000 + i ms + i ns, a comment "packet i" on every 10th packet,
 * direction flags alternating in/out, and interface statistics at close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trawl/trawl.h"

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: write-test OUT pcap|pcap-ns|pcapng COUNT [IFACES]\n");
        return 2;
    }
    struct trawl_writer_options wo = {0};
    if (strcmp(argv[2], "pcap-ns") == 0)
        wo.format = TRAWL_FORMAT_PCAP_NS;
    else if (strcmp(argv[2], "pcapng") == 0)
        wo.format = TRAWL_FORMAT_PCAPNG;
    unsigned long count = strtoul(argv[3], NULL, 10);
    unsigned nif = argc > 4 ? (unsigned)atoi(argv[4]) : 1;
    if (nif < 1 || nif > 16)
        nif = 1;
    wo.section_comment = "written by write-test";
    if (count == 0)
        wo.flush_interval_ms = 1;
    char err[TRAWL_ERRBUF_SIZE];
    trawl_writer *w;
    if (trawl_writer_open(&w, argv[1], &wo, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    uint32_t ids[16];
    for (unsigned i = 0; i < nif; i++) {
        char name[16], desc[32];
        snprintf(name, sizeof name, "if%u", i);
        snprintf(desc, sizeof desc, "test interface %u", i);
        struct trawl_iface ifc = {.linktype = 1, .snaplen = 65535,
                                  .name = name, .description = desc,
                                  .fcslen = -1};
        if (trawl_writer_add_iface(w, &ifc, &ids[i], err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
    }
    static uint8_t data[1500];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    char comment[32];
    for (unsigned long i = 0; count == 0 || i < count; i++) {
        struct trawl_pkt p = {0};
        p.index = i;
        p.ts_sec = 1700000000 + (int64_t)(i / 1000);
        p.ts_nsec = (uint32_t)((i % 1000) * 1000000 + i % 1000);
        p.caplen = p.len = (uint32_t)(60 + i % 1400);
        p.data = data;
        p.iface = ids[i % nif];
        p.has_flags = true;
        p.flags = i % 2 ? TRAWL_PKT_DIR_OUT : TRAWL_PKT_DIR_IN;
        if (i % 10 == 0) {
            snprintf(comment, sizeof comment, "packet %lu", i);
            p.comment = comment;
        }
        if (trawl_writer_write(w, &p, err, sizeof err) < 0) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        if (count == 0 && i % 100 == 99) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    for (unsigned i = 0; i < nif; i++) {
        struct trawl_iface_stats st = {.received = count + 5, .dropped = 5,
                                       .delivered = count, .start_sec = 1700000000,
                                       .end_sec = 1700000100};
        trawl_writer_set_stats(w, ids[i], &st);
    }
    if (trawl_writer_close(w, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return 0;
}
