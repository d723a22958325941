/* expr-match: prints the frame number (1-based) of every packet of a trace
 * that an expression matches, one a line, through the public API, for
 * comparison with `tshark -Y` and tcpdump; the reading taken ("reading:
 * trawl" or "reading: pcap-filter") goes to stderr. A bad expression exits
 * 2 with the message; a bad trace exits 1. */
#include <inttypes.h>
#include <stdio.h>

#include "trawl/trawl.h"

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: expr-match EXPR FILE...\n");
        return 2;
    }
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *e;
    if (trawl_expr_compile(&e, argv[1], NULL, err, sizeof err) < 0) {
        fprintf(stderr, "error: %s\n", err);
        return 2;
    }
    fprintf(stderr, "reading: %s\n",
            trawl_expr_reading(e) == TRAWL_EXPR_PCAP ? "pcap-filter" : "trawl");
    trawl_reader *r;
    struct trawl_reader_options opt = {0};
    if (trawl_reader_open(&r, (const char *const *)argv + 2, (size_t)(argc - 2),
                          &opt, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        trawl_expr_free(e);
        return 1;
    }
    trawl_view *v = trawl_view_new();
    struct trawl_pkt pkt;
    int rc;
    while ((rc = trawl_reader_next(r, &pkt, err, sizeof err)) > 0) {
        trawl_view_set(v, &pkt);
        if (trawl_expr_match(e, v))
            printf("%" PRIu64 "\n", pkt.index + 1);
    }
    if (rc < 0)
        fprintf(stderr, "%s\n", err);
    trawl_view_free(v);
    trawl_reader_close(r);
    trawl_expr_free(e);
    return rc < 0 ? 1 : 0;
}
