/* `trawl read`'s command line: options anywhere (GNU getopt permutation),
 * traces first, then the expression words; the help text lives here, next
 * to the parser it documents. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/read.h"

const char read_usage[] =
    "usage: trawl read [-r] FILE... [OPTIONS] [EXPR]\n"
    "\n"
    "Reads pcap and pcapng traces (gzip- or zstd-compressed too; several\n"
    "files are read as one trace) and prints each packet, or writes the\n"
    "packets to a new file. Options may stand before or after the files.\n"
    "Traces are given with -r (repeatable) or as the leading arguments that\n"
    "name existing files or end in .pcap, .pcapng, .cap, .gz or .zst; the\n"
    "remaining words form the filter expression, joined with spaces as\n"
    "tcpdump joins its filter words. '--' ends the files: the words after\n"
    "it are the expression. Only packets the expression matches are\n"
    "printed or written; frame.number stays the packet's number in the\n"
    "trace. The expression is trawl's language (Wireshark fields, Allegro,\n"
    "pktt and Polycube operands; see docs/expressions.md) or, where it is\n"
    "not, pcap-filter as tcpdump takes it ('trawl explain EXPR' says which).\n"
    "\n"
    "input:\n"
    "  -r, --read FILE       read this trace ('-' is standard input);\n"
    "                        repeatable\n"
    "  -c, --count N         stop after N (matching) packets\n"
    "      --bpf             read the expression as pcap-filter only\n"
    "  -2, --two-pass        read the traces twice, as tshark -2: the\n"
    "                        second time RPC calls show the frame of their\n"
    "                        reply (rpc.reqframe); not with --follow or '-'\n"
    "      --follow          keep reading a file that is still being\n"
    "                        written and move on to the next file of a\n"
    "                        rotation set, like tail -F; stop with Ctrl-C\n"
    "\n"
    "printing (one line per packet unless told otherwise):\n"
    PRINT_OPTIONS_HELP
    "  -n                    numeric addresses (trawl never resolves names;\n"
    "                        accepted for tcpdump and tshark habits)\n"
    "  -q, --quiet           print nothing per packet, only the count\n"
    "\n"
    "writing:\n"
    "  -w, --write OUT       write the packets to OUT instead of printing\n"
    "                        them ('-' is standard output); pcapng keeps the\n"
    "                        interfaces, packet comments and flags, and the\n"
    "                        section comment\n"
    "  -F, --write-format FORMAT\n"
    "                        pcap, pcap-ns (nanosecond pcap) or pcapng;\n"
    "                        default: by OUT's name (.pcapng, .pcap), else\n"
    "                        pcapng for pcapng input and pcap with the\n"
    "                        input's time stamp resolution otherwise\n"
    SPLIT_OPTIONS_HELP
    "\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 when the trace was read to its end (or to -c, or to\n"
    "Ctrl-C), 1 when a trace could not be read or written (what was read\n"
    "before is printed), 2 on a usage error.\n"
    "\n"
    "examples:\n"
    "  trawl read trace.pcapng\n"
    "  trawl read -V -c 5 trace.pcap\n"
    "  trawl read -X -c 1 trace.pcap\n"
    "  trawl read trace.pcap -T fields -e frame.number -e ip.src \\\n"
    "      -e tcp.dstport -E header=y -E separator=,\n"
    "  trawl read -T json trace.pcap.gz | jq .ip.src\n"
    "  trawl read -t ad -r a.pcap -r b.pcap\n"
    "  trawl read a.pcap b.pcap.zst -w merged.pcapng\n"
    "  trawl read big.pcapng -c 1000 -F pcap -w head.pcap\n"
    "  trawl read big.pcap -C 100 -w cut.pcap          # 100 MB pieces\n"
    "  trawl read day.pcapng -G 300 --align -w 'cap-%H%M.pcapng'\n"
    "  trawl read --follow /var/tmp/capture.pcap\n"
    "  trawl read trace.pcap 'tcp.flags.syn == 1 and ip.addr == 10.0/16'\n"
    "  trawl read in.pcap -w out.pcap tcp port 80\n";

/* ---- helpers ------------------------------------------------------------- */

/* Whether a positional argument names a trace rather than starting the
 * expression: it exists as a file, or is named like a trace (so that a
 * mistyped name is reported as a missing file, not as a bad filter). */
static bool looks_like_trace(const char *arg) {
    static const char *const ext[] = {".pcap", ".pcapng", ".cap", ".gz",
                                      ".zst"};
    struct stat st;
    if (strcmp(arg, "-") == 0)
        return true;
    if (stat(arg, &st) == 0 && !S_ISDIR(st.st_mode))
        return true;
    for (size_t i = 0; i < CLI_ARRAY_LEN(ext); i++)
        if (cli_has_suffix(arg, ext[i]))
            return true;
    return false;
}

static int parse_count(const char *arg, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    if (errno || *end || !isdigit((unsigned char)arg[0]) || n == 0)
        return cli_usage_error(
            &cli_cmd_read, "-c wants a positive packet count, not '%s'", arg);
    *out = n;
    return 0;
}

/* ---- the parser ---------------------------------------------------------- */

enum { OPT_FOLLOW = 1000, OPT_BPF };

static const char short_options[] =
    ":r:c:n2" PRINT_SHORT_OPTIONS "w:F:" SPLIT_SHORT_OPTIONS "qh";

static const struct option long_options[] = {
    {"read", required_argument, NULL, 'r'},
    {"count", required_argument, NULL, 'c'},
    {"follow", no_argument, NULL, OPT_FOLLOW},
    {"two-pass", no_argument, NULL, '2'},
    {"bpf", no_argument, NULL, OPT_BPF},
    PRINT_LONG_OPTIONS,
    {"quiet", no_argument, NULL, 'q'},
    {"write", required_argument, NULL, 'w'},
    {"write-format", required_argument, NULL, 'F'},
    SPLIT_LONG_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int one_option(int c, const char *arg, struct read_opts *o,
                      char **argv) {
    /* Each returns 1 for an option not its own, else 0 or CLI_USAGE (the
     * message printed already). */
    int rc = print_opts_take(&cli_cmd_read, &o->print, c, arg);
    if (rc != 1)
        return rc;
    if ((rc = split_opts_take(&cli_cmd_read, &o->split, c, arg)) != 1)
        return rc;
    switch (c) {
    case 'r': o->files[o->nfiles++] = arg; return 0;
    case 'c': return parse_count(arg, &o->count);
    case 'n': return 0;
    case '2': o->two_pass = true; return 0;
    case 'q': o->quiet = true; return 0;
    case 'w': o->write_to = arg; return 0;
    case 'F': return cli_parse_write_format(&cli_cmd_read, arg, &o->write_format);
    case OPT_FOLLOW: o->follow = true; return 0;
    case OPT_BPF: o->bpf = true; return 0;
    case 'h': cli_print_usage(&cli_cmd_read, stdout); return READ_HELP;
    default: return cli_option_error(&cli_cmd_read, c, argv);
    }
}

/* Settles the output format and refuses combinations that mean nothing. */
static int check_output(struct read_opts *o) {
    if (!o->write_to && o->write_format != READ_FORMAT_AUTO)
        return cli_usage_error(&cli_cmd_read, "-F goes with -w");
    if (o->two_pass && o->follow)
        return cli_usage_error(&cli_cmd_read,
                               "-2 reads the traces twice: not with --follow");
    int rc = split_opts_check(&cli_cmd_read, &o->split, o->write_to);
    if (rc)
        return rc;
    return print_opts_check(&cli_cmd_read, &o->print, o->write_to != NULL,
                            o->quiet);
}

int read_parse_args(int argc, char **argv, struct read_opts *o) {
    memset(o, 0, sizeof *o);
    o->write_format = READ_FORMAT_AUTO;
    if (print_opts_init(&o->print, argc) != 0)
        return CLI_USAGE;
    /* Every argument could be a file: an array of argc entries cannot
     * overflow. */
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    if (!o->files) {
        cli_error("out of memory");
        return CLI_USAGE;
    }

    /* The expression starts after "--"; before it, options and files may
     * come in any order (getopt permutes the files to the end). */
    int dashdash = cli_dashdash(argc, argv);
    int gargc = dashdash >= 0 ? dashdash : argc;
    optind = 0; /* glibc: start afresh, permuting again */
    opterr = 0;
    int c;
    while ((c = getopt_long(gargc, argv, short_options, long_options, NULL)) !=
           -1) {
        int rc = one_option(c, optarg, o, argv);
        if (rc)
            return rc;
    }
    int rc = check_output(o);
    if (rc)
        return rc;

    /* Positional words: leading traces, then the expression. Before "--"
     * every word is a trace, so odd file names can always be given. */
    int i = optind;
    while (i < gargc && (dashdash >= 0 || looks_like_trace(argv[i])))
        o->files[o->nfiles++] = argv[i++];
    char **words = argv + i;
    int nwords = gargc - i;
    if (dashdash >= 0) {
        words = argv + dashdash + 1;
        nwords = argc - dashdash - 1;
    }
    if (nwords > 0) {
        o->expr = cli_join_words(words, nwords);
        if (!o->expr) {
            cli_error("out of memory");
            return CLI_USAGE;
        }
    }
    if (o->nfiles == 0) {
        if (nwords > 0)
            return cli_usage_error(&cli_cmd_read,
                                   "no trace file given ('%s' is not a "
                                   "file)",
                                   words[0]);
        return cli_usage_error(&cli_cmd_read, "no trace file given");
    }
    for (size_t f = 0; o->two_pass && f < o->nfiles; f++)
        if (strcmp(o->files[f], "-") == 0)
            return cli_usage_error(&cli_cmd_read,
                                   "-2 reads the traces twice: not from "
                                   "standard input");
    return 0;
}

void read_opts_free(struct read_opts *o) {
    free(o->files);
    print_opts_free(&o->print);
    free(o->expr);
    memset(o, 0, sizeof *o);
}
