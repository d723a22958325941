/* cli/read — `trawl read`: its options (read_args.c) and its packet loop
 * (read.c). */
#ifndef TRAWL_CLI_READ_H
#define TRAWL_CLI_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/print.h"
#include "cli/split.h"

/* Output formats for -F; READ_FORMAT_AUTO lets the names decide. */
enum { READ_FORMAT_AUTO = -1 };

struct read_opts {
    const char **files; /* strings borrowed from argv; array owned */
    size_t nfiles;
    char *expr;     /* the expression words joined, or NULL; owned */
    uint64_t count; /* -c, 0 = no limit */
    bool follow, quiet;
    bool bpf; /* --bpf: read the expression as pcap-filter only */
    bool two_pass; /* -2: the flows see every packet once before */
    const char *write_to; /* -w, borrowed from argv */
    int write_format;     /* enum trawl_format or READ_FORMAT_AUTO */
    struct split_opts split; /* -C -G --split-packets -W --align ... */
    struct print_opts print;
};

/* Returned by read_parse_args() when -h was seen (the help is printed). */
enum { READ_HELP = -1 };

/* Parses `trawl read`'s arguments (argv[0] is "read"). Returns 0, READ_HELP,
 * or CLI_USAGE after printing what is wrong. Call read_opts_free() in every
 * case. */
int read_parse_args(int argc, char **argv, struct read_opts *o);
void read_opts_free(struct read_opts *o);

extern const char read_usage[];

#endif
