/* `trawl read`'s command line: options anywhere (GNU getopt permutation),
 * traces first, then the expression words; the help text lives here, next
 * to the parser it documents. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
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
    "      --follow          keep reading a file that is still being\n"
    "                        written and move on to the next file of a\n"
    "                        rotation set, like tail -F; stop with Ctrl-C\n"
    "\n"
    "printing (one line per packet unless told otherwise):\n"
    "  -V, --verbose         the decoded layer tree of each packet\n"
    "  -x, --hex             add a hex dump of each packet\n"
    "  -X, --hex-ascii       add a hex and ASCII dump of each packet\n"
    "  -T, --format FORMAT   text (default), fields (with -e), or json: one\n"
    "                        JSON object per packet and line\n"
    "  -e, --field FIELD     a field to print, by its Wireshark name\n"
    "                        (ip.src, tcp.dstport, ...); repeatable;\n"
    "                        implies -T fields\n"
    "  -E, --field-option OPTION\n"
    "                        with -T fields, as in tshark:\n"
    "                          header=y|n         field names first\n"
    "                          separator=/t|/s|C  between fields (tab)\n"
    "                          aggregator=,|/s|C  between repeated values\n"
    "                          quote=d|s|n        quotes around values\n"
    "                          occurrence=f|l|a   first, last or all values\n"
    "                          bom=y|n            UTF-8 byte order mark\n"
    "  -t, --time FORMAT     time column: r seconds since the first packet\n"
    "                        (default), d since the previous one, a local\n"
    "                        time of day, ad local date and time, e seconds\n"
    "                        since 1970\n"
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
    "  -C, --split-size MB   start a new file before one would pass MB\n"
    "                        megabytes (1,000,000 bytes, as tcpdump -C)\n"
    "  -G, --split-seconds SEC\n"
    "                        start a new file when a packet is SEC seconds\n"
    "                        (of packet time) after the file's first\n"
    "  --split-packets N     start a new file after N packets\n"
    "                        (with several limits, the first reached wins)\n"
    "  --align               with -G: periods start at local midnight and\n"
    "                        every SEC after it (files at :00, :05, ...)\n"
    "  -W, --max-files N     with a split, keep only the last N files,\n"
    "                        removing the oldest\n"
    "  --single-interface    write every packet as if on one interface\n"
    "                        (one pcapng interface block; one link type)\n"
    "\n"
    "  OUT may be a strftime(3) template (cap-%Y%m%d-%H%M%S.pcap), expanded\n"
    "  at each file's first packet time (with --align, at its period's\n"
    "  start). A split never overwrites a file: a name that exists gets an\n"
    "  index before its extension (cut.pcap, cut_1.pcap, cut_2.pcap).\n"
    "  Without a split, OUT is replaced as tcpdump -w replaces it.\n"
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

/* Levenshtein distance ignoring case, for "did you mean". Names longer
 * than the buffer are never suggested. */
static size_t edit_distance(const char *a, const char *b) {
    enum { MAXLEN = 128 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= MAXLEN || lb >= MAXLEN)
        return SIZE_MAX;
    size_t prev[MAXLEN], cur[MAXLEN];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
                                        tolower((unsigned char)b[j - 1]));
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] =
                sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

/* The registry name nearest to `name`, if it is near enough to be what
 * the user meant. */
static const char *suggest_field(const char *name) {
    const char *best = NULL;
    size_t best_d = 4; /* at most three edits */
    for (size_t i = 0; i < trawl_field_count(); i++) {
        const char *cand = trawl_field_name(trawl_field_at(i));
        size_t d = edit_distance(name, cand);
        if (d < best_d && d < strlen(name)) {
            best_d = d;
            best = cand;
        }
    }
    return best;
}

static int unknown_field(const char *name) {
    const char *s = suggest_field(name);
    if (s)
        return cli_usage_error(
            &cli_cmd_read, "unknown field '%s' (did you mean '%s'?)", name, s);
    return cli_usage_error(&cli_cmd_read, "unknown field '%s'", name);
}

/* -E separator and aggregator values: /t tab, /s space, else the first
 * character, as tshark reads them. */
static char sep_char(const char *v) {
    if (strcmp(v, "/t") == 0)
        return '\t';
    if (strcmp(v, "/s") == 0)
        return ' ';
    return v[0];
}

static int yes_no(const char *opt, const char *v, bool *out) {
    if (strcmp(v, "y") == 0 || strcmp(v, "Y") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(v, "n") == 0 || strcmp(v, "N") == 0) {
        *out = false;
        return 0;
    }
    return cli_usage_error(&cli_cmd_read, "-E %s wants y or n, not '%s'", opt,
                           v);
}

static int field_option(struct print_fields *pf, const char *arg) {
    const char *eq = strchr(arg, '=');
    if (!eq || !eq[1])
        return cli_usage_error(&cli_cmd_read,
                               "-E wants OPTION=VALUE (header, separator, "
                               "aggregator, quote, occurrence, bom), not "
                               "'%s'",
                               arg);
    size_t kl = (size_t)(eq - arg);
    const char *v = eq + 1;
#define KEY(k) (kl == sizeof(k) - 1 && strncmp(arg, k, kl) == 0)
    if (KEY("header"))
        return yes_no("header", v, &pf->header);
    if (KEY("bom"))
        return yes_no("bom", v, &pf->bom);
    if (KEY("separator")) {
        pf->separator = sep_char(v);
        return 0;
    }
    if (KEY("aggregator")) {
        pf->aggregator = sep_char(v);
        return 0;
    }
    if (KEY("quote")) {
        if (strcmp(v, "d") && strcmp(v, "s") && strcmp(v, "n"))
            return cli_usage_error(&cli_cmd_read,
                                   "-E quote wants d, s or n, not '%s'", v);
        pf->quote = v[0] == 'd' ? '"' : v[0] == 's' ? '\'' : 0;
        return 0;
    }
    if (KEY("occurrence")) {
        if (strcmp(v, "f") && strcmp(v, "l") && strcmp(v, "a"))
            return cli_usage_error(
                &cli_cmd_read, "-E occurrence wants f, l or a, not '%s'", v);
        pf->occurrence = v[0];
        return 0;
    }
#undef KEY
    return cli_usage_error(&cli_cmd_read,
                           "unknown -E option '%.*s' (header, separator, "
                           "aggregator, quote, occurrence, bom)",
                           (int)kl, arg);
}

/* A positive whole number of at most `max`, for option `opt`, which
 * wants `what`. */
static int parse_positive(const char *opt, const char *what, const char *arg,
                          uint64_t max, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    if (errno || *end || !isdigit((unsigned char)arg[0]) || n == 0 ||
        n > max)
        return cli_usage_error(&cli_cmd_read, "%s wants %s, not '%s'", opt,
                               what, arg);
    *out = n;
    return 0;
}

static int parse_count(const char *arg, uint64_t *out) {
    return parse_positive("-c", "a positive packet count", arg, UINT64_MAX,
                          out);
}

static int parse_time(const char *arg, enum print_time *out) {
    static const struct {
        const char *name;
        enum print_time t;
    } names[] = {{"r", TIME_RELATIVE},
                 {"d", TIME_DELTA},
                 {"a", TIME_ABS},
                 {"ad", TIME_ABS_DATE},
                 {"e", TIME_EPOCH}};
    for (size_t i = 0; i < CLI_ARRAY_LEN(names); i++) {
        if (strcmp(arg, names[i].name) == 0) {
            *out = names[i].t;
            return 0;
        }
    }
    return cli_usage_error(&cli_cmd_read, "-t wants r, d, a, ad or e, not '%s'",
                           arg);
}

static int parse_write_format(const char *arg, int *out) {
    if (strcmp(arg, "pcap") == 0)
        *out = TRAWL_FORMAT_PCAP;
    else if (strcmp(arg, "pcap-ns") == 0 || strcmp(arg, "nsecpcap") == 0)
        *out = TRAWL_FORMAT_PCAP_NS;
    else if (strcmp(arg, "pcapng") == 0)
        *out = TRAWL_FORMAT_PCAPNG;
    else
        return cli_usage_error(
            &cli_cmd_read, "-F wants pcap, pcap-ns or pcapng, not '%s'", arg);
    return 0;
}

/* ---- the parser ---------------------------------------------------------- */

enum {
    OPT_FOLLOW = 1000,
    OPT_BPF,
    OPT_SPLIT_PACKETS,
    OPT_ALIGN,
    OPT_SINGLE_IFACE,
};

static const char short_options[] = ":r:c:nVxXT:e:E:t:w:F:C:G:W:qh";

static const struct option long_options[] = {
    {"read", required_argument, NULL, 'r'},
    {"count", required_argument, NULL, 'c'},
    {"follow", no_argument, NULL, OPT_FOLLOW},
    {"bpf", no_argument, NULL, OPT_BPF},
    {"verbose", no_argument, NULL, 'V'},
    {"hex", no_argument, NULL, 'x'},
    {"hex-ascii", no_argument, NULL, 'X'},
    {"format", required_argument, NULL, 'T'},
    {"field", required_argument, NULL, 'e'},
    {"field-option", required_argument, NULL, 'E'},
    {"time", required_argument, NULL, 't'},
    {"quiet", no_argument, NULL, 'q'},
    {"write", required_argument, NULL, 'w'},
    {"write-format", required_argument, NULL, 'F'},
    {"split-size", required_argument, NULL, 'C'},
    {"split-seconds", required_argument, NULL, 'G'},
    {"split-packets", required_argument, NULL, OPT_SPLIT_PACKETS},
    {"max-files", required_argument, NULL, 'W'},
    {"align", no_argument, NULL, OPT_ALIGN},
    {"single-interface", no_argument, NULL, OPT_SINGLE_IFACE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* What the options asked for, checked for conflicts once all are seen. */
struct seen {
    const char *format; /* -T */
    bool tree, field_opts;
};

static int one_option(int c, const char *arg, struct read_opts *o,
                      struct seen *seen, char **argv) {
    switch (c) {
    case 'r': o->files[o->nfiles++] = arg; return 0;
    case 'c': return parse_count(arg, &o->count);
    case 'n': return 0;
    case 'V': seen->tree = true; return 0;
    case 'x': o->hex = true; return 0;
    case 'X': o->hex = o->hex_ascii = true; return 0;
    case 'T': seen->format = arg; return 0;
    case 'e': {
        const trawl_field *f = trawl_field_lookup(arg);
        if (!f)
            return unknown_field(arg);
        o->pf.names[o->pf.nfields] = arg;
        o->pf.fields[o->pf.nfields++] = f;
        return 0;
    }
    case 'E': seen->field_opts = true; return field_option(&o->pf, arg);
    case 't': return parse_time(arg, &o->time_format);
    case 'q': o->quiet = true; return 0;
    case 'w': o->write_to = arg; return 0;
    case 'F': return parse_write_format(arg, &o->write_format);
    case 'C': {
        uint64_t mb;
        int rc = parse_positive("-C", "a positive number of megabytes", arg,
                                UINT64_MAX / 1000000u, &mb);
        o->split_bytes = mb * 1000000u;
        return rc;
    }
    case 'G':
        return parse_positive("-G", "a positive number of seconds", arg,
                              INT32_MAX, &o->split_seconds);
    case OPT_SPLIT_PACKETS:
        return parse_positive("--split-packets", "a positive packet count",
                              arg, UINT64_MAX, &o->split_packets);
    case 'W': {
        uint64_t n;
        int rc = parse_positive("-W", "a positive number of files", arg,
                                UINT32_MAX, &n);
        o->max_files = (unsigned)n;
        return rc;
    }
    case OPT_ALIGN: o->align = true; return 0;
    case OPT_SINGLE_IFACE: o->single_interface = true; return 0;
    case OPT_FOLLOW: o->follow = true; return 0;
    case OPT_BPF: o->bpf = true; return 0;
    case 'h': cli_print_usage(&cli_cmd_read, stdout); return READ_HELP;
    case ':':
        if (optopt)
            return cli_usage_error(&cli_cmd_read, "option -%c needs a value",
                                   optopt);
        return cli_usage_error(&cli_cmd_read, "option '%s' needs a value",
                               argv[optind - 1]);
    default:
        if (optopt)
            return cli_usage_error(&cli_cmd_read, "unknown option -%c", optopt);
        return cli_usage_error(&cli_cmd_read, "unknown option '%s'",
                               argv[optind - 1]);
    }
}

/* Settles the output format and refuses combinations that mean nothing. */
static int check_output(struct read_opts *o, const struct seen *seen) {
    if (seen->format && strcmp(seen->format, "text") == 0)
        o->output = seen->tree ? OUT_TREE : OUT_SUMMARY;
    else if (seen->format && strcmp(seen->format, "fields") == 0)
        o->output = OUT_FIELDS;
    else if (seen->format && strcmp(seen->format, "json") == 0)
        o->output = OUT_JSON;
    else if (seen->format)
        return cli_usage_error(&cli_cmd_read,
                               "-T wants text, fields or json, not '%s'",
                               seen->format);
    else if (o->pf.nfields)
        o->output = OUT_FIELDS;
    else
        o->output = seen->tree ? OUT_TREE : OUT_SUMMARY;

    if (o->output == OUT_FIELDS && o->pf.nfields == 0)
        return cli_usage_error(&cli_cmd_read,
                               "-T fields needs at least one -e FIELD");
    if (o->output != OUT_FIELDS && o->pf.nfields)
        return cli_usage_error(&cli_cmd_read, "-e goes with -T fields");
    if (o->output != OUT_FIELDS && seen->field_opts)
        return cli_usage_error(&cli_cmd_read, "-E goes with -T fields");
    if ((o->output == OUT_FIELDS || o->output == OUT_JSON) && o->hex)
        return cli_usage_error(&cli_cmd_read,
                               "-x and -X go with text output, not -T %s",
                               seen->format ? seen->format : "fields");
    if (o->write_to) {
        if (seen->format || seen->tree || o->hex || o->pf.nfields)
            return cli_usage_error(&cli_cmd_read,
                                   "-w writes the packets instead of "
                                   "printing them: -V, -x, -X, -T and -e "
                                   "do not go with it");
        o->output = OUT_NONE;
    } else if (o->write_format != READ_FORMAT_AUTO) {
        return cli_usage_error(&cli_cmd_read, "-F goes with -w");
    }
    bool split = o->split_bytes || o->split_seconds || o->split_packets;
    if ((split || o->max_files || o->align || o->single_interface) &&
        !o->write_to)
        return cli_usage_error(&cli_cmd_read,
                               "-C, -G, --split-packets, -W, --align and "
                               "--single-interface go with -w");
    if ((split || o->max_files) && strcmp(o->write_to, "-") == 0)
        return cli_usage_error(&cli_cmd_read,
                               "standard output cannot be split into files: "
                               "-C, -G, --split-packets and -W want -w FILE");
    if (o->max_files && !split)
        return cli_usage_error(&cli_cmd_read,
                               "-W goes with -C, -G or --split-packets");
    if (o->align && !o->split_seconds)
        return cli_usage_error(&cli_cmd_read, "--align goes with -G");
    if (o->align && o->split_seconds > 86400)
        return cli_usage_error(&cli_cmd_read,
                               "--align wants -G of at most a day (86400), "
                               "not %" PRIu64,
                               o->split_seconds);
    if (o->quiet)
        o->output = OUT_NONE;
    return 0;
}

int read_parse_args(int argc, char **argv, struct read_opts *o) {
    memset(o, 0, sizeof *o);
    o->write_format = READ_FORMAT_AUTO;
    o->pf.separator = '\t';
    o->pf.aggregator = ',';
    o->pf.occurrence = 'a';
    /* Every argument could be a file or a field: arrays of argc entries
     * cannot overflow. */
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    o->pf.fields = calloc((size_t)argc + 1, sizeof *o->pf.fields);
    o->pf.names = calloc((size_t)argc + 1, sizeof *o->pf.names);
    if (!o->files || !o->pf.fields || !o->pf.names) {
        cli_error("out of memory");
        return CLI_USAGE;
    }

    /* The expression starts after "--"; before it, options and files may
     * come in any order (getopt permutes the files to the end). */
    int dashdash = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            dashdash = i;
            break;
        }
    }
    int gargc = dashdash >= 0 ? dashdash : argc;
    struct seen seen = {0};
    optind = 0; /* glibc: start afresh, permuting again */
    opterr = 0;
    int c;
    while ((c = getopt_long(gargc, argv, short_options, long_options, NULL)) !=
           -1) {
        int rc = one_option(c, optarg, o, &seen, argv);
        if (rc)
            return rc;
    }
    int rc = check_output(o, &seen);
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
    return 0;
}

void read_opts_free(struct read_opts *o) {
    free(o->files);
    free(o->pf.fields);
    free(o->pf.names);
    free(o->expr);
    memset(o, 0, sizeof *o);
}
