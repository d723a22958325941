/* trawl read — read, decode, print and convert trace files. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/print.h"
#include "trawl/trawl.h"

enum output { OUT_SUMMARY, OUT_TREE, OUT_FIELDS, OUT_JSON, OUT_NONE };

struct read_opts {
    const char **files;
    size_t nfiles;
    char *expr; /* joined expression words, or NULL */
    uint64_t count;
    bool hex, hex_ascii, follow, quiet;
    enum output output;
    enum print_time time_format;
    const char *write_to;
    int write_format; /* -1 = like the input */
    struct print_fields pf;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void warn_cb(void *ctx, const char *msg) {
    (void)ctx;
    cli_warn("%s", msg);
}

/* ---- option parsing ------------------------------------------------------ */

static const char usage_text[] =
    "usage: trawl read [-r] FILE... [OPTIONS] [EXPR]\n"
    "\n"
    "Reads pcap and pcapng traces (gzip- and zstd-compressed too), several\n"
    "files as one trace, and prints each packet, or writes them to a new\n"
    "file. Options may stand before or after the files. Traces are given\n"
    "with -r (repeatable) or as the leading arguments that name files; the\n"
    "remaining words form the filter expression, as tcpdump joins its\n"
    "filter words; '--' ends the files.\n"
    "\n"
    "options:\n"
    "  -r FILE          read this trace (repeatable; '-' is standard input)\n"
    "  -c N             stop after N packets\n"
    "  -n               do not resolve addresses (trawl never does; accepted\n"
    "                   for tcpdump compatibility)\n"
    "  -V               print the decoded layer tree of each packet\n"
    "  -x               add a hex dump of each packet\n"
    "  -X               add a hex and ASCII dump of each packet\n"
    "  -T FORMAT        output format: text (default), fields, json\n"
    "  -e FIELD         with -T fields: a field to print (repeatable), by its\n"
    "                   Wireshark name (ip.src, tcp.dstport, ...)\n"
    "  -E OPTION        with -T fields, as tshark: header=y|n,\n"
    "                   separator=/t|/s|C, aggregator=,|/s|C, quote=d|s|n,\n"
    "                   occurrence=f|l|a\n"
    "  -t FORMAT        time column: r relative to the first packet (default),\n"
    "                   d delta from the previous, a absolute time of day,\n"
    "                   ad absolute date and time, e epoch seconds\n"
    "  -w OUT           write the packets read to OUT instead of printing\n"
    "                   them ('-' is standard output)\n"
    "  -F FORMAT        with -w: pcap, pcap-ns or pcapng (default: by the\n"
    "                   name's extension, .pcapng or .pcap; otherwise like\n"
    "                   the first input)\n"
    "  -q               print nothing per packet (statistics only)\n"
    "  --follow         keep reading files that are still being written, and\n"
    "                   move on to the next file of a rotation set, like\n"
    "                   tail -F; stop with Ctrl-C\n"
    "  -h, --help       show this help\n"
    "\n"
    "examples:\n"
    "  trawl read trace.pcapng\n"
    "  trawl read -V -c 5 trace.pcap\n"
    "  trawl read -T fields -e ip.src -e tcp.dstport trace.pcap\n"
    "  trawl read -T json trace.pcap.gz\n"
    "  trawl read a.pcap b.pcap -w merged.pcapng\n"
    "  trawl read --follow /var/tmp/capture.pcap\n";

/* Whether a positional argument names a trace rather than starting the
 * expression: it exists as a file, or looks like a trace file's name. */
static bool looks_like_trace(const char *arg) {
    struct stat st;
    if (strcmp(arg, "-") == 0)
        return true;
    if (stat(arg, &st) == 0 && !S_ISDIR(st.st_mode))
        return true;
    static const char *const ext[] = {".pcap", ".pcapng", ".cap", ".gz",
                                      ".zst", ".pcap0", ".dmp"};
    size_t n = strlen(arg);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcmp(arg + n - e, ext[i]) == 0)
            return true;
    }
    return false;
}

static char parse_sep(const char *v) {
    if (strcmp(v, "/t") == 0)
        return '\t';
    if (strcmp(v, "/s") == 0)
        return ' ';
    return v[0];
}

/* Levenshtein distance, for "did you mean". */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t c = tolower((unsigned char)a[i - 1]) ==
                               tolower((unsigned char)b[j - 1])
                           ? 0
                           : 1;
            size_t m = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < m)
                m = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + c < m)
                m = d[i - 1][j - 1] + c;
            d[i][j] = m;
        }
    return d[la][lb];
}

static const char *suggest_field(const char *name) {
    const char *best = NULL;
    size_t bd = 4;
    for (size_t i = 0; i < trawl_field_count(); i++) {
        const char *cand = trawl_field_name(trawl_field_at(i));
        size_t d = edit_distance(name, cand);
        if (d < bd) {
            bd = d;
            best = cand;
        }
    }
    return best;
}

static int parse_args(int argc, char **argv, struct read_opts *o) {
    enum { OPT_FOLLOW = 1000 };
    static const struct option longopts[] = {
        {"follow", no_argument, NULL, OPT_FOLLOW},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* Words after "--" are the expression; before it, positional
     * arguments are all files. */
    int dashdash = -1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            dashdash = i;
            break;
        }
    int gargc = dashdash >= 0 ? dashdash : argc;
    o->files = calloc((size_t)argc, sizeof *o->files);
    o->pf.fields = calloc((size_t)argc, sizeof *o->pf.fields);
    if (!o->files || !o->pf.fields)
        return cli_usage_error(&cli_cmd_read, "out of memory");
    o->pf.separator = '\t';
    o->pf.aggregator = ',';
    o->pf.occurrence = 'a';
    o->write_format = -1;
    const char *format = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(gargc, argv, ":r:c:nVxXT:e:E:t:w:F:qh", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'r':
            o->files[o->nfiles++] = optarg;
            break;
        case 'c': {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(optarg, &end, 10);
            if (errno || *end || !*optarg || optarg[0] == '-' || n == 0)
                return cli_usage_error(&cli_cmd_read,
                                       "-c wants a positive packet count, "
                                       "not '%s'",
                                       optarg);
            o->count = n;
            break;
        }
        case 'n':
            break;
        case 'V':
            o->output = OUT_TREE;
            break;
        case 'x':
            o->hex = true;
            break;
        case 'X':
            o->hex = o->hex_ascii = true;
            break;
        case 'T':
            format = optarg;
            break;
        case 'e': {
            const trawl_field *f = trawl_field_lookup(optarg);
            if (!f) {
                const char *s = suggest_field(optarg);
                if (s)
                    return cli_usage_error(&cli_cmd_read,
                                           "unknown field '%s' (did you "
                                           "mean '%s'?)",
                                           optarg, s);
                return cli_usage_error(&cli_cmd_read, "unknown field '%s'",
                                       optarg);
            }
            o->pf.fields[o->pf.nfields++] = f;
            break;
        }
        case 'E': {
            const char *eq = strchr(optarg, '=');
            if (!eq || !eq[1])
                return cli_usage_error(&cli_cmd_read,
                                       "-E wants NAME=VALUE, not '%s'",
                                       optarg);
            size_t kl = (size_t)(eq - optarg);
            const char *val = eq + 1;
            if (strncmp(optarg, "header", kl) == 0 && kl == 6)
                o->pf.header = val[0] == 'y' || val[0] == 'Y';
            else if (strncmp(optarg, "separator", kl) == 0 && kl == 9)
                o->pf.separator = parse_sep(val);
            else if (strncmp(optarg, "aggregator", kl) == 0 && kl == 10)
                o->pf.aggregator = parse_sep(val);
            else if (strncmp(optarg, "quote", kl) == 0 && kl == 5)
                o->pf.quote = val[0] == 'd' ? '"' : val[0] == 's' ? '\'' : 0;
            else if (strncmp(optarg, "occurrence", kl) == 0 && kl == 10 &&
                     strchr("fla", val[0]))
                o->pf.occurrence = val[0];
            else
                return cli_usage_error(&cli_cmd_read,
                                       "unknown -E option '%s'", optarg);
            break;
        }
        case 't':
            if (strcmp(optarg, "r") == 0)
                o->time_format = TIME_RELATIVE;
            else if (strcmp(optarg, "d") == 0)
                o->time_format = TIME_DELTA;
            else if (strcmp(optarg, "a") == 0)
                o->time_format = TIME_ABS;
            else if (strcmp(optarg, "ad") == 0)
                o->time_format = TIME_ABS_DATE;
            else if (strcmp(optarg, "e") == 0)
                o->time_format = TIME_EPOCH;
            else
                return cli_usage_error(&cli_cmd_read,
                                       "-t wants r, d, a, ad or e, not '%s'",
                                       optarg);
            break;
        case 'w':
            o->write_to = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "pcap") == 0)
                o->write_format = TRAWL_FORMAT_PCAP;
            else if (strcmp(optarg, "pcap-ns") == 0 ||
                     strcmp(optarg, "nsecpcap") == 0)
                o->write_format = TRAWL_FORMAT_PCAP_NS;
            else if (strcmp(optarg, "pcapng") == 0)
                o->write_format = TRAWL_FORMAT_PCAPNG;
            else
                return cli_usage_error(&cli_cmd_read,
                                       "-F wants pcap, pcap-ns or pcapng, "
                                       "not '%s'",
                                       optarg);
            break;
        case 'q':
            o->quiet = true;
            break;
        case OPT_FOLLOW:
            o->follow = true;
            break;
        case 'h':
            cli_print_usage(&cli_cmd_read, stdout);
            exit(CLI_OK);
        case ':':
            return cli_usage_error(&cli_cmd_read, "option -%c needs a value",
                                   optopt);
        default:
            if (optopt)
                return cli_usage_error(&cli_cmd_read, "unknown option -%c",
                                       optopt);
            return cli_usage_error(&cli_cmd_read, "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (format) {
        if (strcmp(format, "text") == 0)
            ;
        else if (strcmp(format, "fields") == 0)
            o->output = OUT_FIELDS;
        else if (strcmp(format, "json") == 0)
            o->output = OUT_JSON;
        else
            return cli_usage_error(&cli_cmd_read,
                                   "-T wants text, fields or json, not '%s'",
                                   format);
    }
    if (o->output == OUT_FIELDS && o->pf.nfields == 0)
        return cli_usage_error(&cli_cmd_read,
                               "-T fields needs at least one -e FIELD");
    if (o->pf.nfields && o->output != OUT_FIELDS)
        return cli_usage_error(&cli_cmd_read, "-e goes with -T fields");
    /* Positional words: files first, then the expression. */
    int i = optind;
    for (; i < gargc; i++) {
        if (dashdash < 0 && (o->nfiles > 0 && !looks_like_trace(argv[i])))
            break;
        if (dashdash < 0 && !looks_like_trace(argv[i]))
            break;
        o->files[o->nfiles++] = argv[i];
    }
    int ewords = gargc - i;
    char **ew = argv + i;
    if (dashdash >= 0) {
        ew = argv + dashdash + 1;
        ewords = argc - dashdash - 1;
        if (i < gargc)
            return cli_usage_error(&cli_cmd_read, "'%s' is not a trace file",
                                   argv[i]);
    }
    if (ewords > 0)
        o->expr = cli_join_words(ew, ewords);
    if (o->nfiles == 0) {
        if (ewords > 0)
            return cli_usage_error(&cli_cmd_read,
                                   "no trace file given ('%s' is not a file)",
                                   ew[0]);
        return cli_usage_error(&cli_cmd_read, "no trace file given");
    }
    return 0;
}

/* ---- progress ---------------------------------------------------------------- */

struct progress {
    bool on;
    uint64_t start_ms, last_ms;
    bool shown;
};

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void progress_show(struct progress *p, trawl_reader *r, uint64_t pkts,
                          bool final) {
    uint64_t t = now_ms();
    if (!final && t - p->last_ms < 250)
        return;
    p->last_ms = t;
    if (final) {
        if (p->shown)
            fprintf(stderr, "\r\033[K");
        return;
    }
    uint64_t done, total;
    trawl_reader_progress(r, &done, &total);
    double secs = (double)(t - p->start_ms) / 1000.0;
    if (secs <= 0)
        secs = 0.001;
    double rate = (double)done / secs;
    char eta[32] = "";
    if (total && done && rate > 0 && total > done)
        snprintf(eta, sizeof eta, ", ETA %.0f s",
                 (double)(total - done) / rate);
    fprintf(stderr,
            "\rtrawl: %5.1f%%  %.1f of %.1f MB  %" PRIu64
            " packets  %.2f Mpkt/s  %.0f MB/s%s\033[K",
            total ? 100.0 * (double)done / (double)total : 0.0,
            (double)done / 1e6, (double)total / 1e6, pkts,
            (double)pkts / secs / 1e6, rate / 1e6, eta);
    p->shown = true;
}

/* ---- the loop -------------------------------------------------------------- */

static int run_read(int argc, char **argv) {
    struct read_opts o = {0};
    int rc = parse_args(argc, argv, &o);
    int status = rc ? rc : CLI_OK;
    trawl_reader *r = NULL;
    trawl_writer *w = NULL;
    trawl_view *v = NULL;
    uint32_t *ifmap = NULL;
    size_t nifmap = 0;
    char err[TRAWL_ERRBUF_SIZE];
    if (rc)
        goto out;
    if (o.expr) {
        status = cli_usage_error(&cli_cmd_read,
                                 "filter expressions are not available in "
                                 "this build yet (got '%s')",
                                 o.expr);
        goto out;
    }
    /* Following waits in short slices so that Ctrl-C is noticed. */
    struct trawl_reader_options ropt = {.follow = o.follow,
                                        .follow_timeout_ms = 200,
                                        .warn = warn_cb};
    while ((rc = trawl_reader_open(&r, o.files, o.nfiles, &ropt, err,
                                   sizeof err)) == TRAWL_EAGAIN &&
           o.follow && !stop_requested)
        ; /* following a file that has no header yet */
    if (rc < 0) {
        cli_error("%s", err);
        status = CLI_FAIL;
        goto out;
    }
    FILE *out = stdout;
    static char outbuf[1 << 20];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    if (o.write_to) {
        struct trawl_writer_options wopt = {0};
        const char *fmt = trawl_reader_format(r);
        size_t wl = strlen(o.write_to);
        if (o.write_format >= 0)
            wopt.format = (enum trawl_format)o.write_format;
        else if (wl > 7 && strcmp(o.write_to + wl - 7, ".pcapng") == 0)
            wopt.format = TRAWL_FORMAT_PCAPNG;
        else if (wl > 5 && strcmp(o.write_to + wl - 5, ".pcap") == 0 &&
                 strcmp(fmt, "pcapng") == 0)
            wopt.format = TRAWL_FORMAT_PCAP;
        else
            wopt.format = strcmp(fmt, "pcapng") == 0 ? TRAWL_FORMAT_PCAPNG
                          : strcmp(fmt, "pcap-ns") == 0
                              ? TRAWL_FORMAT_PCAP_NS
                              : TRAWL_FORMAT_PCAP;
        wopt.section_comment = trawl_reader_section_comment(r);
        if (o.follow)
            wopt.flush_interval_ms = 500;
        if (trawl_writer_open(&w, o.write_to, &wopt, err, sizeof err) < 0) {
            cli_error("%s", err);
            status = CLI_FAIL;
            goto out;
        }
        o.output = OUT_NONE;
    }
    if (o.quiet)
        o.output = OUT_NONE;
    v = trawl_view_new();
    if (!v) {
        cli_error("out of memory");
        status = CLI_FAIL;
        goto out;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct progress prog = {0};
    bool writing_file = o.write_to && strcmp(o.write_to, "-") != 0;
    prog.on = isatty(STDERR_FILENO) && (writing_file || !isatty(STDOUT_FILENO));
    if (prog.on) {
        uint64_t done, total;
        trawl_reader_progress(r, &done, &total);
        prog.on = total > 64u * 1024 * 1024;
    }
    /* The first update shows at once; later ones at most 4 times a second. */
    prog.start_ms = now_ms();
    prog.last_ms = 0;

    if (o.output == OUT_FIELDS && o.pf.header)
        print_fields_header(out, &o.pf);
    struct print_state ps = {.time_format = o.time_format};
    struct trawl_pkt pkt;
    uint64_t n = 0;
    while (!stop_requested && (!o.count || n < o.count)) {
        rc = trawl_reader_next(r, &pkt, err, sizeof err);
        if (rc == 0)
            break;
        if (rc == TRAWL_EAGAIN && o.follow) {
            if (w)
                trawl_writer_flush(w, NULL, 0);
            continue; /* nothing new yet */
        }
        if (rc < 0) {
            /* What was read stays printed and written; then the error. */
            if (!(rc == TRAWL_EAGAIN && stop_requested)) {
                fflush(out);
                cli_error("%s", err);
                status = CLI_FAIL;
            }
            break;
        }
        n++;
        if (w) {
            if (pkt.iface >= nifmap) {
                size_t nn = pkt.iface + 1;
                uint32_t *m = realloc(ifmap, nn * sizeof *m);
                if (!m) {
                    cli_error("out of memory");
                    status = CLI_FAIL;
                    break;
                }
                for (size_t k = nifmap; k < nn; k++)
                    m[k] = UINT32_MAX;
                ifmap = m;
                nifmap = nn;
            }
            if (ifmap[pkt.iface] == UINT32_MAX) {
                const struct trawl_iface *ifc =
                    trawl_reader_iface(r, pkt.iface);
                if (trawl_writer_add_iface(w, ifc, &ifmap[pkt.iface], err,
                                           sizeof err) < 0) {
                    cli_error("%s", err);
                    status = CLI_FAIL;
                    break;
                }
            }
            struct trawl_pkt wp = pkt;
            wp.iface = ifmap[pkt.iface];
            if (trawl_writer_write(w, &wp, err, sizeof err) < 0) {
                cli_error("%s", err);
                status = CLI_FAIL;
                break;
            }
        } else if (o.output != OUT_NONE || o.hex) {
            trawl_view_set(v, &pkt);
            switch (o.output) {
            case OUT_SUMMARY: print_summary(out, v, &ps); break;
            case OUT_TREE: print_tree(out, v); break;
            case OUT_FIELDS: print_fields(out, v, &o.pf); break;
            case OUT_JSON: print_json(out, v); break;
            case OUT_NONE: break;
            }
            if (o.hex)
                print_hex(out, &pkt, o.hex_ascii);
        }
        if (o.follow && !w)
            fflush(out);
        if (prog.on && (n & 4095) == 0)
            progress_show(&prog, r, n, false);
    }
    if (prog.on)
        progress_show(&prog, r, n, true);
    if (w) {
        int wrc = trawl_writer_close(w, err, sizeof err);
        w = NULL;
        if (wrc < 0) {
            cli_error("%s", err);
            status = CLI_FAIL;
        } else if (isatty(STDERR_FILENO) && writing_file) {
            fprintf(stderr, "trawl: %" PRIu64 " packets written to %s\n", n,
                    o.write_to);
        }
    }
    if (o.quiet)
        fprintf(stderr, "trawl: %" PRIu64 " packets\n", n);
out:
    if (fflush(stdout) != 0 && status == CLI_OK) {
        cli_error("writing the output failed: %s", strerror(errno));
        status = CLI_FAIL;
    }
    if (w)
        trawl_writer_close(w, NULL, 0);
    trawl_view_free(v);
    trawl_reader_close(r);
    free(ifmap);
    free(o.files);
    free(o.pf.fields);
    free(o.expr);
    return status;
}

const struct cli_command cli_cmd_read = {
    .name = "read",
    .summary = "read, decode, print and convert trace files",
    .run = run_read,
    .usage = usage_text,
};
