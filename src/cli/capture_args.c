/* `trawl capture`'s command line: tcpdump's flags where tcpdump has one,
 * Xena's triggers and keep rules, then the expression words. The help
 * text lives here, next to the parser it documents. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/capture.h"
#include "cli/cli.h"

const char capture_usage[] =
    "usage: trawl capture -i IF [-i IF ...] [OPTIONS] [EXPR]\n"
    "\n"
    "Captures packets on one or more interfaces and prints them as 'trawl\n"
    "read' does, or writes them to a file. The expression words are joined\n"
    "with spaces, as tcpdump joins its filter words; the expression is\n"
    "trawl's language (Wireshark fields, Allegro, pktt and Polycube\n"
    "operands; see docs/expressions.md) or, where it is not, pcap-filter.\n"
    "Its BPF-expressible part runs in the kernel, so packets it rejects\n"
    "are counted nowhere, as in tcpdump. A bad expression is refused\n"
    "before anything starts. TCP and UDP checksums are verified only with\n"
    "--verify-checksums, for every expression (the filter, --start-on,\n"
    "--stop-on, --keep) as for what is printed, as in 'trawl read'.\n"
    "Ctrl-C (or SIGTERM) stops cleanly: packets already received are\n"
    "still printed or written, then the statistics.\n"
    "\n"
    "capturing:\n"
    "  -i, --interface IF    capture on IF ('any' is every interface);\n"
    "                        repeatable ('trawl interfaces' lists them)\n"
    "  -Q, --direction DIR   in, out or inout (default)\n"
    "  -p, --no-promiscuous-mode\n"
    "                        do not put the interfaces in promiscuous mode\n"
    "  -s, --snapshot-length N\n"
    "                        keep at most N bytes of each packet (0, the\n"
    "                        default, keeps 262144)\n"
    "  -B, --buffer-size KIB kernel buffer per interface, in KiB\n"
    "                        (default 32768)\n"
    "      --immediate       hand every packet up at once (also\n"
    "                        --immediate-mode), instead of every 100 ms\n"
    "      --nano            nanosecond time stamps (also\n"
    "                        --time-stamp-precision nano)\n"
    "      --fcs             frames end in their FCS (a NIC with rx-fcs\n"
    "                        on): check it and flag bad frames\n"
    "      --bpf             read the expression as pcap-filter only\n"
    "      --bpf=BPF         the filter is BPF, in pcap-filter (instead of\n"
    "                        expression words)\n"
    "\n"
    "stopping:\n"
    "  -c, --count N         stop after N captured packets\n"
    "      --duration SEC    stop after SEC seconds\n"
    "      --stop-on WHAT    full (when the --buffer is full; default),\n"
    "                        userstop (only Ctrl-C or a limit), filter:EXPR,\n"
    "                        fcserr (a bad FCS), plderr (a test payload\n"
    "                        error); the packet that stops is kept\n"
    "      --start-on WHAT   on (at once; default), filter:EXPR, fcserr or\n"
    "                        plderr: keep nothing until a packet meets it\n"
    "\n"
    "keeping:\n"
    "      --keep WHAT       which packets to keep once started: all\n"
    "                        (default), filter:EXPR, notpld (no test\n"
    "                        payload), tpld[:STREAM] (with a test payload,\n"
    "                        of one stream), plderr, fcserr\n"
    "      --keep-bytes N    keep only the first N bytes of each packet\n"
    "      --buffer SIZE     hold the packets in a capture buffer of SIZE\n"
    "                        (MB; or with k, M, G, KiB, MiB, GiB) and write\n"
    "                        or print them when the capture stops. With\n"
    "                        --stop-on other than full, the buffer is a ring\n"
    "                        keeping the latest packets; otherwise the\n"
    "                        capture stops when it is full, keeping the\n"
    "                        earliest\n"
    "      --stats SEC       count packets and bytes per SEC-second interval\n"
    "                        and print one line per interface and interval\n"
    "                        instead of the packets\n"
    "\n"
    "printing (one line per packet unless told otherwise):\n"
    PRINT_OPTIONS_HELP
    "  -q, --quiet           print no packets, only the statistics\n"
    "  -n, -l, -U            accepted for tcpdump habits (trawl resolves no\n"
    "                        names and hands output over promptly anyway)\n"
    "\n"
    "writing:\n"
    "  -w, --write FILE      write the packets to FILE instead of printing\n"
    "                        them ('-' is standard output)\n"
    "  -F, --write-format FORMAT\n"
    "                        pcap, pcap-ns (nanosecond pcap) or pcapng;\n"
    "                        default: by FILE's name (.pcapng, .pcap), else\n"
    "                        pcapng for several interfaces (one interface\n"
    "                        block each) and pcap for one\n"
    "      --capture-comment TEXT\n"
    "                        the comment of every file's section (pcapng)\n"
    "      --write-buffer SIZE\n"
    "                        memory for packets on their way to disk\n"
    "                        (default 128 MiB; sizes as --buffer takes them):\n"
    "                        a writer thread writes it out with O_DIRECT;\n"
    "                        when the disk falls behind by all of it, the\n"
    "                        packets that do not fit are counted as dropped\n"
    "                        instead of holding up the capture\n"
    SPLIT_OPTIONS_HELP
    "  SIGHUP starts a new file at once.\n"
    "\n"
    "  -h, --help            show this help\n"
    "\n"
    "While it runs and standard error is a terminal, a line of counters is\n"
    "refreshed there every second. At the end come tcpdump's lines (N\n"
    "packets captured, received by filter, dropped by kernel, and dropped\n"
    "by interface when there are any), then trawl's counters: received\n"
    "(let through by the kernel filter), captured, ignored (did\n"
    "not match the rest of the filter, the keep rule or the start\n"
    "criterion), dropped (trawl could not keep them), kernel-dropped,\n"
    "interface-dropped and bytes, per interface when there are several,\n"
    "and per test-payload stream its packets, loss, duplicates,\n"
    "reordering, payload errors and latency.\n"
    "\n"
    "Exit status: 0 when the capture stopped as asked or because the reader\n"
    "of standard output went away ('| head'; SIGPIPE does not kill it), 1\n"
    "when it could not start or failed (an interface went away, the file\n"
    "could not be written), 2 on a usage error.\n"
    "\n"
    "examples:\n"
    "  trawl capture -i eth0\n"
    "  trawl capture -i eth0 -c 100 -w first100.pcap tcp port 80\n"
    "  trawl capture -i eth0 -i eth1 -w both.pcapng\n"
    "  trawl capture -i eth0 -Q in -s 128 'ip.addr == 10.0/16'\n"
    "  trawl capture -i eth0 --duration 60 -q -w minute.pcapng\n"
    "  trawl capture -i eth0 --buffer 64 --stop-on fcserr --fcs -w bad.pcapng\n"
    "  trawl capture -i eth0 --keep tpld:7 --keep-bytes 64 -c 1000 -q\n"
    "  trawl capture -i eth0 --stats 1 udp\n"
    "  trawl capture -i eth0 -G 300 --align -W 288 -w 'eth0-%H%M.pcapng'\n"
    "  trawl capture -i eth0 -C 1000 -W 10 -w ring.pcap\n";

/* ---- values ---------------------------------------------------------------- */

/* A whole number from min to max; `what` names it in the message, which
 * gives the range ("-s wants a snapshot length from 0 to 262144, not
 * '-1'"). */
static int parse_u64(const char *opt, const char *what, const char *arg,
                     uint64_t min, uint64_t max, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    if (!errno && !*end && isdigit((unsigned char)arg[0]) && n >= min &&
        n <= max) {
        *out = n;
        return 0;
    }
    if (max == UINT64_MAX)
        return cli_usage_error(&cli_cmd_capture,
                               "%s wants %s of at least %" PRIu64
                               ", not '%s'",
                               opt, what, min, arg);
    return cli_usage_error(&cli_cmd_capture,
                           "%s wants %s from %" PRIu64 " to %" PRIu64
                           ", not '%s'",
                           opt, what, min, max, arg);
}

/* Seconds, with decimals, into milliseconds (at least 1). */
static int parse_seconds(const char *opt, const char *arg, uint64_t *ms) {
    char *end;
    errno = 0;
    double s = strtod(arg, &end);
    if (errno || *end || end == arg || !isfinite(s) || s <= 0 || s > 1e9)
        return cli_usage_error(&cli_cmd_capture,
                               "%s wants a number of seconds above 0, not "
                               "'%s'",
                               opt, arg);
    double v = s * 1000.0;
    *ms = v < 1 ? 1 : (uint64_t)(v + 0.5);
    return 0;
}

/* A size: a number of MB (10^6 bytes), or with a unit. */
static int parse_size(const char *opt, const char *arg, uint64_t *bytes) {
    static const struct {
        const char *unit;
        double mult;
    } units[] = {{"", 1e6},        {"k", 1e3},       {"K", 1e3},
                 {"M", 1e6},       {"G", 1e9},       {"KiB", 1024.0},
                 {"MiB", 1048576.0}, {"GiB", 1073741824.0}};
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (!errno && end != arg && isfinite(v) && v > 0) {
        for (size_t i = 0; i < CLI_ARRAY_LEN(units); i++) {
            double b = v * units[i].mult;
            if (strcmp(end, units[i].unit) == 0 && b >= 1 && b < 1e18) {
                *bytes = (uint64_t)b;
                return 0;
            }
        }
    }
    return cli_usage_error(&cli_cmd_capture,
                           "%s wants a size (MB, or with k, M, G, KiB, MiB, "
                           "GiB), not '%s'",
                           opt, arg);
}

static int parse_direction(const char *arg, enum trawl_direction *out) {
    if (strcmp(arg, "in") == 0)
        *out = TRAWL_DIRECTION_IN;
    else if (strcmp(arg, "out") == 0)
        *out = TRAWL_DIRECTION_OUT;
    else if (strcmp(arg, "inout") == 0 || strcmp(arg, "both") == 0)
        *out = TRAWL_DIRECTION_BOTH;
    else
        return cli_usage_error(&cli_cmd_capture,
                               "-Q wants in, out or inout, not '%s'", arg);
    return 0;
}

/* WHAT or WHAT:ARG: which name of `names` it is, and the argument. */
static int pick(const char *opt, const char *arg, const char *const *names,
                size_t n, const char *list, const char **rest) {
    const char *colon = strchr(arg, ':');
    size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
    *rest = colon ? colon + 1 : NULL;
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && strncmp(arg, names[i], len) == 0)
            return (int)i;
    cli_usage_error(&cli_cmd_capture, "%s wants %s, not '%s'", opt, list, arg);
    return -1;
}

static int no_arg(const char *opt, const char *arg, const char *rest) {
    if (!rest)
        return 0;
    return cli_usage_error(&cli_cmd_capture, "%s %.*s takes no ':' argument",
                           opt, (int)(strlen(arg) - strlen(rest) - 1), arg);
}

static int filter_arg(const char *opt, const char *rest, const char **out) {
    if (!rest || !*rest)
        return cli_usage_error(&cli_cmd_capture,
                               "%s filter wants an expression: filter:EXPR",
                               opt);
    *out = rest;
    return 0;
}

static int parse_start(const char *arg, struct trawl_trigger *t) {
    static const char *const names[] = {"on", "filter", "fcserr", "plderr"};
    const char *rest;
    int k = pick("--start-on", arg, names, CLI_ARRAY_LEN(names),
                 "on, filter:EXPR, fcserr or plderr", &rest);
    if (k < 0)
        return CLI_USAGE;
    t->start = (enum trawl_start_criterion)k;
    if (t->start == TRAWL_START_FILTER)
        return filter_arg("--start-on", rest, &t->start_filter);
    return no_arg("--start-on", arg, rest);
}

static int parse_stop(const char *arg, struct trawl_trigger *t) {
    static const char *const names[] = {"full", "userstop", "filter",
                                        "fcserr", "plderr"};
    const char *rest;
    int k = pick("--stop-on", arg, names, CLI_ARRAY_LEN(names),
                 "full, userstop, filter:EXPR, fcserr or plderr", &rest);
    if (k < 0)
        return CLI_USAGE;
    t->stop = (enum trawl_stop_criterion)k;
    if (t->stop == TRAWL_STOP_FILTER)
        return filter_arg("--stop-on", rest, &t->stop_filter);
    return no_arg("--stop-on", arg, rest);
}

static int parse_keep(const char *arg, struct trawl_keep *k) {
    static const char *const names[] = {"all",  "filter", "notpld",
                                        "tpld", "plderr", "fcserr"};
    const char *rest;
    int i = pick("--keep", arg, names, CLI_ARRAY_LEN(names),
                 "all, filter:EXPR, notpld, tpld[:STREAM], plderr or fcserr",
                 &rest);
    if (i < 0)
        return CLI_USAGE;
    k->kind = (enum trawl_keep_kind)i;
    k->stream = -1;
    if (k->kind == TRAWL_KEEP_FILTER)
        return filter_arg("--keep", rest, &k->filter);
    if (k->kind == TRAWL_KEEP_TPLD && rest) {
        uint64_t s;
        if (parse_u64("--keep tpld:STREAM", "a stream number", rest, 0, 65535,
                      &s))
            return CLI_USAGE;
        k->stream = (int32_t)s;
        return 0;
    }
    return no_arg("--keep", arg, rest);
}

/* ---- the parser ---------------------------------------------------------------- */

enum {
    OPT_DURATION = 1000,
    OPT_START_ON,
    OPT_STOP_ON,
    OPT_KEEP,
    OPT_KEEP_BYTES,
    OPT_BUFFER,
    OPT_STATS,
    OPT_FCS,
    OPT_BPF,
    OPT_IMMEDIATE,
    OPT_NANO,
    OPT_PRECISION,
    OPT_WRITE_BUFFER,
    OPT_COMMENT,
};

static const char short_options[] =
    ":i:Q:ps:B:w:F:c:qnlUh" PRINT_SHORT_OPTIONS SPLIT_SHORT_OPTIONS;

static const struct option long_options[] = {
    {"interface", required_argument, NULL, 'i'},
    {"direction", required_argument, NULL, 'Q'},
    {"no-promiscuous-mode", no_argument, NULL, 'p'},
    {"snapshot-length", required_argument, NULL, 's'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"write", required_argument, NULL, 'w'},
    {"write-format", required_argument, NULL, 'F'},
    SPLIT_LONG_OPTIONS,
    {"write-buffer", required_argument, NULL, OPT_WRITE_BUFFER},
    {"capture-comment", required_argument, NULL, OPT_COMMENT},
    {"count", required_argument, NULL, 'c'},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"start-on", required_argument, NULL, OPT_START_ON},
    {"stop-on", required_argument, NULL, OPT_STOP_ON},
    {"keep", required_argument, NULL, OPT_KEEP},
    {"keep-bytes", required_argument, NULL, OPT_KEEP_BYTES},
    {"buffer", required_argument, NULL, OPT_BUFFER},
    {"stats", required_argument, NULL, OPT_STATS},
    {"fcs", no_argument, NULL, OPT_FCS},
    {"bpf", optional_argument, NULL, OPT_BPF},
    {"immediate", no_argument, NULL, OPT_IMMEDIATE},
    {"immediate-mode", no_argument, NULL, OPT_IMMEDIATE},
    {"nano", no_argument, NULL, OPT_NANO},
    {"time-stamp-precision", required_argument, NULL, OPT_PRECISION},
    {"quiet", no_argument, NULL, 'q'},
    PRINT_LONG_OPTIONS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int one_option(int c, const char *arg, struct capture_opts *o,
                      char **argv) {
    /* Each returns 1 for an option not its own, else 0 or CLI_USAGE (the
     * message printed already). */
    int rc = print_opts_take(&cli_cmd_capture, &o->print, c, arg);
    if (rc != 1)
        return rc;
    if ((rc = split_opts_take(&cli_cmd_capture, &o->split, c, arg)) != 1)
        return rc;
    uint64_t v;
    switch (c) {
    case 'i': o->ifaces[o->nifaces++] = arg; return 0;
    case 'Q': return parse_direction(arg, &o->direction);
    case 'p': o->promisc = false; return 0;
    case 's':
        if (parse_u64("-s", "a snapshot length in bytes", arg, 0,
                      TRAWL_MAX_CAPLEN, &v))
            return CLI_USAGE;
        o->snaplen = (uint32_t)v;
        return 0;
    case 'B':
        if (parse_u64("-B", "a kernel buffer size in KiB", arg, 1,
                      INT32_MAX / 1024, &v))
            return CLI_USAGE;
        o->buffer_kib = (uint32_t)v;
        return 0;
    case 'w': o->write_to = arg; return 0;
    case 'F':
        return cli_parse_write_format(&cli_cmd_capture, arg, &o->write_format);
    case 'c':
        return parse_u64("-c", "a packet count", arg, 1, UINT64_MAX,
                         &o->trigger.max_packets);
    case OPT_DURATION:
        return parse_seconds("--duration", arg, &o->trigger.max_duration_ms);
    case OPT_START_ON: return parse_start(arg, &o->trigger);
    case OPT_STOP_ON: return parse_stop(arg, &o->trigger);
    case OPT_KEEP: return parse_keep(arg, &o->keep);
    case OPT_KEEP_BYTES:
        if (parse_u64("--keep-bytes", "a byte count", arg, 1,
                      TRAWL_MAX_CAPLEN, &v))
            return CLI_USAGE;
        o->keep.byte_count = (uint32_t)v;
        return 0;
    case OPT_BUFFER: return parse_size("--buffer", arg, &o->buffer_bytes);
    case OPT_WRITE_BUFFER:
        return parse_size("--write-buffer", arg, &o->write_buffer);
    case OPT_COMMENT: o->comment = arg; return 0;
    case OPT_STATS:
        if (parse_seconds("--stats", arg, &v))
            return CLI_USAGE;
        o->stats_ms = v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
        return 0;
    case OPT_FCS: o->fcs = true; return 0;
    case OPT_BPF:
        o->bpf = true;
        o->bpf_text = arg;
        return 0;
    case OPT_IMMEDIATE: o->immediate = true; return 0;
    case OPT_NANO: o->nano = true; return 0;
    case OPT_PRECISION:
        if (strcmp(arg, "nano") == 0 || strcmp(arg, "micro") == 0) {
            o->nano = arg[0] == 'n';
            return 0;
        }
        return cli_usage_error(&cli_cmd_capture,
                               "--time-stamp-precision wants micro or nano, "
                               "not '%s'",
                               arg);
    case 'q': o->quiet = true; return 0;
    case 'n':
    case 'l':
    case 'U': return 0;
    case 'h': cli_print_usage(&cli_cmd_capture, stdout); return CAPTURE_HELP;
    default: return cli_option_error(&cli_cmd_capture, c, argv);
    }
}

/* Refuses combinations that mean nothing. */
static int check(struct capture_opts *o) {
    if (o->nifaces == 0)
        return cli_usage_error(&cli_cmd_capture,
                               "no interface given (-i IF; 'trawl "
                               "interfaces' lists them)");
    if (!o->write_to && o->write_format != CAPTURE_FORMAT_AUTO)
        return cli_usage_error(&cli_cmd_capture, "-F goes with -w");
    if (o->stats_ms && o->write_to && !o->buffer_bytes)
        return cli_usage_error(&cli_cmd_capture,
                               "--stats counts packets instead of keeping "
                               "them: -w goes with it only with --buffer");
    if (o->buffer_bytes && o->buffer_bytes < 64)
        return cli_usage_error(&cli_cmd_capture,
                               "--buffer must hold at least 64 bytes");
    if (o->write_buffer && o->write_buffer < (2u << 20))
        return cli_usage_error(&cli_cmd_capture,
                               "--write-buffer wants at least 2 MiB");
    if (o->write_buffer && !o->write_to)
        return cli_usage_error(&cli_cmd_capture, "--write-buffer goes with -w");
    if (o->comment && !o->write_to)
        return cli_usage_error(&cli_cmd_capture,
                               "--capture-comment goes with -w");
    int src = split_opts_check(&cli_cmd_capture, &o->split, o->write_to);
    if (src)
        return src;
    return print_opts_check(&cli_cmd_capture, &o->print, o->write_to != NULL,
                            o->quiet || o->stats_ms);
}

int capture_parse_args(int argc, char **argv, struct capture_opts *o) {
    memset(o, 0, sizeof *o);
    o->write_format = CAPTURE_FORMAT_AUTO;
    o->promisc = true;
    o->keep.stream = -1;
    if (print_opts_init(&o->print, argc) != 0)
        return CLI_USAGE;
    o->ifaces = calloc((size_t)argc + 1, sizeof *o->ifaces);
    if (!o->ifaces) {
        cli_error("out of memory");
        return CLI_USAGE;
    }
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
    int rc = check(o);
    if (rc)
        return rc;
    char **words = argv + optind;
    int nwords = gargc - optind;
    if (dashdash >= 0) {
        if (nwords > 0)
            return cli_usage_error(&cli_cmd_capture,
                                   "'%s' before '--' is neither an option "
                                   "nor the expression",
                                   words[0]);
        words = argv + dashdash + 1;
        nwords = argc - dashdash - 1;
    }
    if (nwords > 0 && o->bpf_text)
        return cli_usage_error(&cli_cmd_capture,
                               "the filter is given twice: --bpf=BPF and "
                               "the expression '%s'",
                               words[0]);
    if (o->bpf_text && !(o->expr = strdup(o->bpf_text))) {
        cli_error("out of memory");
        return CLI_USAGE;
    }
    if (nwords > 0 && !(o->expr = cli_join_words(words, nwords))) {
        cli_error("out of memory");
        return CLI_USAGE;
    }
    return 0;
}

void capture_opts_free(struct capture_opts *o) {
    free(o->ifaces);
    free(o->expr);
    print_opts_free(&o->print);
    memset(o, 0, sizeof *o);
}
