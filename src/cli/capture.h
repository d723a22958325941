/* cli/capture — `trawl capture`: its options (capture_args.c), the one
 * place its packets leave for a file (capture_out.c), and its loop and
 * statistics (capture.c). */
#ifndef TRAWL_CLI_CAPTURE_H
#define TRAWL_CLI_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/print.h"
#include "trawl/trawl.h"

/* -F not given: the file's name and the interfaces decide. */
enum { CAPTURE_FORMAT_AUTO = -1 };

struct capture_opts {
    const char **ifaces; /* -i, borrowed from argv; array owned */
    size_t nifaces;
    enum trawl_direction direction;
    bool promisc;
    uint32_t snaplen;    /* 0 = the largest */
    uint32_t buffer_kib; /* -B, 0 = trawl's default */
    const char *write_to; /* -w, borrowed */
    int write_format;     /* enum trawl_format or CAPTURE_FORMAT_AUTO */
    /* Start and stop criteria and limits; strings borrowed from argv. */
    struct trawl_trigger trigger;
    struct trawl_keep keep;
    uint64_t buffer_bytes; /* --buffer, 0 = none */
    unsigned stats_ms;     /* --stats, 0 = packet mode */
    bool fcs, bpf, immediate, nano, quiet;
    char *expr; /* the expression words joined (or --bpf=), or NULL; owned */
    const char *bpf_text; /* --bpf=BPF, borrowed */
    struct print_opts print;
};

/* Returned by capture_parse_args() when -h was seen (the help is printed). */
enum { CAPTURE_HELP = -1 };

/* Parses `trawl capture`'s arguments (argv[0] is "capture"). Returns 0,
 * CAPTURE_HELP, or CLI_USAGE after printing what is wrong. Call
 * capture_opts_free() in every case. */
int capture_parse_args(int argc, char **argv, struct capture_opts *o);
void capture_opts_free(struct capture_opts *o);

extern const char capture_usage[];

/* ---- the output seam (capture_out.c) --------------------------------------
 * Everything `trawl capture` writes to a file goes through these calls, so
 * that another output (rotating files, an asynchronous writer) replaces
 * this one file without the loop changing. */
struct capture_out;

/* Opens the output -w names for the capture's interfaces (the capture has
 * started, so their link types are known). */
int capture_out_open(struct capture_out **out, const struct capture_opts *o,
                     const trawl_capture *c, char *errbuf, size_t errlen);
/* Appends one packet; pkt->iface is the capture's interface id. */
int capture_out_write(struct capture_out *out, const struct trawl_pkt *pkt,
                      char *errbuf, size_t errlen);
/* Hands what is buffered to the kernel, so that a reader following the
 * file sees it (the loop calls it when packets stop coming). */
int capture_out_flush(struct capture_out *out, char *errbuf, size_t errlen);
/* Records the capture's counters (pcapng statistics), flushes and closes;
 * always frees out. */
int capture_out_close(struct capture_out *out, const trawl_capture *c,
                      char *errbuf, size_t errlen);
/* Packets written so far. */
uint64_t capture_out_packets(const struct capture_out *out);

#endif
