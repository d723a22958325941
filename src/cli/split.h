/* cli/split — the options `trawl read -w` and `trawl capture -w` share to
 * split their output into files (-C -G --split-packets -W --align
 * --single-interface): parsed with split_opts_take(), checked with
 * split_opts_check(), handed to trawl_output with split_opts_apply(). */
#ifndef TRAWL_CLI_SPLIT_H
#define TRAWL_CLI_SPLIT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "trawl/output.h"

struct cli_command;

struct split_opts {
    uint64_t bytes, seconds, packets; /* 0 = not asked */
    unsigned max_files;
    bool align, single_interface;
};

/* getopt codes of the long-only options (above every command's own). */
enum {
    SPLIT_OPT_PACKETS = 2000,
    SPLIT_OPT_ALIGN,
    SPLIT_OPT_SINGLE,
};

#define SPLIT_SHORT_OPTIONS "C:G:W:"
#define SPLIT_LONG_OPTIONS                                                 \
    {"split-size", required_argument, NULL, 'C'},                          \
        {"split-seconds", required_argument, NULL, 'G'},                   \
        {"split-packets", required_argument, NULL, SPLIT_OPT_PACKETS},     \
        {"max-files", required_argument, NULL, 'W'},                       \
        {"align", no_argument, NULL, SPLIT_OPT_ALIGN},                     \
        {"single-interface", no_argument, NULL, SPLIT_OPT_SINGLE}
/* Their lines of a command's --help. */
#define SPLIT_OPTIONS_HELP \
    "  -C, --split-size MB   start a new file before one would pass MB\n" \
    "                        megabytes (1,000,000 bytes, as tcpdump -C)\n" \
    "  -G, --split-seconds SEC\n" \
    "                        start a new file when a packet is SEC seconds\n" \
    "                        (of packet time) after the file's first\n" \
    "      --split-packets N start a new file after N packets (with several\n" \
    "                        limits, the first reached wins)\n" \
    "      --align           with -G: periods start at local midnight and\n" \
    "                        every SEC after it (files at :00, :05, ...)\n" \
    "  -W, --max-files N     with a split, keep only the last N files,\n" \
    "                        removing the oldest\n" \
    "      --single-interface\n" \
    "                        write every packet as if on one interface (one\n" \
    "                        pcapng interface block; needs one link type)\n" \
    "\n" \
    "  -w's name may be a strftime(3) template (cap-%Y%m%d-%H%M%S.pcap),\n" \
    "  expanded at each file's first packet time (with --align, at the\n" \
    "  start of its period). A split never overwrites a file: a name that\n" \
    "  exists gets an index before its extension (cut.pcap, cut_1.pcap,\n" \
    "  cut_2.pcap). Without a split, the file is replaced, as tcpdump -w\n" \
    "  replaces it.\n"

/* Takes getopt's option c when it is a split option: returns 0 when taken,
 * CLI_USAGE after printing what is wrong, 1 when c is not one. */
int split_opts_take(const struct cli_command *cmd, struct split_opts *so,
                    int c, const char *arg);

/* Refuses combinations that mean nothing, given -w's value (NULL when
 * absent). Returns 0 or CLI_USAGE after printing what is wrong. */
int split_opts_check(const struct cli_command *cmd,
                     const struct split_opts *so, const char *write_to);

/* Whether any limit splits the output into several files. */
static inline bool split_opts_split(const struct split_opts *so) {
    return so->bytes || so->seconds || so->packets;
}

/* Fills the splitting fields of an output's options; a single file
 * replaces OUT, as tcpdump -w does. */
void split_opts_apply(const struct split_opts *so,
                      struct trawl_output_options *oo);

#endif
