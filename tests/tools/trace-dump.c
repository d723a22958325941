/* trace-dump: prints one line per packet of a trace — time stamp (9
 * decimals), captured length, wire length — through the public reader API,
 * for comparison with tshark. Errors go to stderr with exit status 1;
 * warnings are printed as "warning: ...". With -s N it seeks back to packet
 * N after reading everything and prints from there again. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/reader.h"

static void warn(void *ctx, const char *msg) {
    (void)ctx;
    fprintf(stderr, "warning: %s\n", msg);
}

static int dump(trawl_reader *r, char *err, size_t errlen) {
    struct trawl_pkt pkt;
    int rc;
    while ((rc = trawl_reader_next(r, &pkt, err, errlen)) > 0)
        printf("%" PRId64 ".%09" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\n",
               pkt.ts_sec, pkt.ts_nsec, pkt.caplen, pkt.len);
    return rc;
}

int main(int argc, char **argv) {
    long seek = -1;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-s") == 0) {
        seek = strtol(argv[2], NULL, 10);
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: trace-dump [-s N] FILE...\n");
        return 2;
    }
    char err[TRAWL_ERRBUF_SIZE];
    trawl_reader *r;
    struct trawl_reader_options opt = {.warn = warn};
    if (trawl_reader_open(&r, (const char *const *)argv + first,
                          (size_t)(argc - first), &opt, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int rc = dump(r, err, sizeof err);
    if (rc == 0 && seek >= 0) {
        printf("--\n");
        rc = trawl_reader_seek(r, (uint64_t)seek, err, sizeof err);
        if (rc == 0)
            rc = dump(r, err, sizeof err);
    }
    if (rc < 0)
        fprintf(stderr, "%s\n", err);
    trawl_reader_close(r);
    return rc < 0 ? 1 : 0;
}
