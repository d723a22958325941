/* trawl match — NFStest pktt's match() as a command: the index of the
 * first (or every) packet an expression matches. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/print.h"
#include "trawl/trawl.h"

static const char usage_text[] =
    "usage: trawl match [-r] FILE... [OPTIONS] [--] EXPR...\n"
    "\n"
    "Finds the packets an expression matches, as NFStest pktt's match()\n"
    "does: prints the index of the first matching packet (0-based, as pktt\n"
    "counts; frame.number is index + 1), or of every one with --all, and\n"
    "exits 1 when none matches. Traces are given with -r or as the leading\n"
    "arguments that name existing files; the remaining words form the\n"
    "expression (docs/expressions.md), joined with spaces.\n"
    "\n"
    "options:\n"
    "  -r, --read FILE       read this trace; repeatable\n"
    "  -a, --all             every matching packet, not only the first\n"
    "      --from N          start at packet index N (the packets before\n"
    "                        it still count for RPC reassembly and pairing)\n"
    "      --max-index N     stop before packet index N (pktt's maxindex)\n"
    "      --reply           also match the RPC replies of the calls matched\n"
    "                        (pktt's reply=True)\n"
    "      --then EXPR       then the next packet EXPR matches after that\n"
    "                        match, as a pktt script's next match() call;\n"
    "                        repeatable: one line per expression, '-' for\n"
    "                        one that matched nothing\n"
    "      --rewind          after an expression that matched nothing, the\n"
    "                        next one searches from where it started (the\n"
    "                        default, as pktt's rewind=True)\n"
    "      --no-rewind       ... or from the end of that search (pktt's\n"
    "                        rewind=False), so that every later one fails\n"
    "  -e, --field FIELD     print these fields of each match (tab-separated,\n"
    "                        as tshark -T fields) instead of its index;\n"
    "                        repeatable\n"
    "  -T fields             accepted with -e, as in tshark\n"
    "      --bpf             read the expression as pcap-filter only\n"
    "      --follow          wait for more packets at the end of the trace\n"
    "                        and across a rotation, until a match (or\n"
    "                        Ctrl-C)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 when something matched (with --then: when every\n"
    "expression did), 1 when nothing did (or a trace could not be read), 2\n"
    "on a usage error or a bad expression.\n"
    "\n"
    "examples:\n"
    "  trawl match trace.pcap 'tcp.flags.syn == 1'\n"
    "  trawl match --all trace.pcap 'ip.src == re(\"192.168.1.*\")'\n"
    "  trawl match --from 100 --max-index 500 trace.pcap tcp port 2049\n"
    "  trawl match -a -e frame.number -e ip.src trace.pcap udp\n"
    "  trawl match trace.pcap 'nfs.argop == 42' --then 'nfs.argop == 43' \\\n"
    "      --then 'nfs.argop == 18'   # EXCHANGE_ID, CREATE_SESSION, OPEN\n";

struct match_opts {
    const char **files;
    size_t nfiles;
    char *expr;
    /* --then: the expressions matched one after the other after expr */
    const char **then;
    size_t nthen;
    bool all, bpf, follow, reply, no_rewind;
    uint64_t from, max_index; /* max_index 0: no limit */
    struct print_fields pf;
};

static int parse_index(const char *opt, const char *arg, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || *end || !*arg || arg[0] == '-')
        return cli_usage_error(&cli_cmd_match,
                               "%s wants a packet index, not '%s'", opt, arg);
    *out = v;
    return CLI_OK;
}

static bool is_file(const char *arg) {
    struct stat st;
    return stat(arg, &st) == 0 && !S_ISDIR(st.st_mode);
}

static int parse_args(int argc, char **argv, struct match_opts *o) {
    enum {
        OPT_FROM = 1000,
        OPT_MAX,
        OPT_BPF,
        OPT_FOLLOW,
        OPT_REPLY,
        OPT_THEN,
        OPT_REWIND,
        OPT_NO_REWIND,
    };
    static const struct option longopts[] = {
        {"read", required_argument, NULL, 'r'},
        {"all", no_argument, NULL, 'a'},
        {"field", required_argument, NULL, 'e'},
        {"from", required_argument, NULL, OPT_FROM},
        {"max-index", required_argument, NULL, OPT_MAX},
        {"bpf", no_argument, NULL, OPT_BPF},
        {"follow", no_argument, NULL, OPT_FOLLOW},
        {"reply", no_argument, NULL, OPT_REPLY},
        {"then", required_argument, NULL, OPT_THEN},
        {"rewind", no_argument, NULL, OPT_REWIND},
        {"no-rewind", no_argument, NULL, OPT_NO_REWIND},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    o->files = calloc((size_t)argc, sizeof *o->files);
    o->then = calloc((size_t)argc, sizeof *o->then);
    o->pf.fields = calloc((size_t)argc, sizeof *o->pf.fields);
    o->pf.names = calloc((size_t)argc, sizeof *o->pf.names);
    if (!o->files || !o->then || !o->pf.fields || !o->pf.names) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    o->pf.separator = '\t';
    o->pf.aggregator = ',';
    o->pf.occurrence = 'a';
    /* Options may sit anywhere before "--"; the words after it are all
     * the expression's. */
    int end = argc;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            end = i;
            break;
        }
    char **words = calloc((size_t)argc, sizeof *words);
    if (!words) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    int nwords = 0, c, rc = CLI_OK;
    optind = 1;
    opterr = 0;
    while (rc == CLI_OK) {
        c = getopt_long(end, argv, "-:r:ae:T:h", longopts, NULL);
        if (c == -1)
            break;
        switch (c) {
        case 1:
            if (nwords == 0 && is_file(optarg))
                o->files[o->nfiles++] = optarg;
            else
                words[nwords++] = optarg;
            break;
        case 'r': o->files[o->nfiles++] = optarg; break;
        case 'a': o->all = true; break;
        case 'e': {
            const trawl_field *f = trawl_field_lookup(optarg);
            if (!f) {
                rc = cli_usage_error(&cli_cmd_match,
                                     "unknown field '%s' (see 'trawl "
                                     "fields')",
                                     optarg);
                break;
            }
            o->pf.names[o->pf.nfields] = optarg;
            o->pf.fields[o->pf.nfields++] = f;
            break;
        }
        case 'T':
            if (strcmp(optarg, "fields") != 0)
                rc = cli_usage_error(&cli_cmd_match,
                                     "-T wants fields, not '%s'", optarg);
            break;
        case OPT_FROM: rc = parse_index("--from", optarg, &o->from); break;
        case OPT_MAX:
            rc = parse_index("--max-index", optarg, &o->max_index);
            break;
        case OPT_BPF: o->bpf = true; break;
        case OPT_FOLLOW: o->follow = true; break;
        case OPT_REPLY: o->reply = true; break;
        case OPT_THEN: o->then[o->nthen++] = optarg; break;
        case OPT_REWIND: o->no_rewind = false; break;
        case OPT_NO_REWIND: o->no_rewind = true; break;
        case 'h':
            cli_print_usage(&cli_cmd_match, stdout);
            rc = -1;
            break;
        case ':':
            rc = cli_usage_error(&cli_cmd_match, "'%s' needs a value",
                                 argv[optind - 1]);
            break;
        default:
            rc = cli_usage_error(&cli_cmd_match, "unknown option '%s'",
                                 argv[optind - 1]);
        }
    }
    for (int i = end + 1; rc == CLI_OK && i < argc; i++)
        words[nwords++] = argv[i];
    if (rc == CLI_OK && o->nfiles == 0)
        rc = cli_usage_error(&cli_cmd_match, "no trace file given");
    else if (rc == CLI_OK && nwords == 0)
        rc = cli_usage_error(&cli_cmd_match, "no expression given");
    else if (rc == CLI_OK && o->nthen && (o->all || o->follow))
        rc = cli_usage_error(&cli_cmd_match,
                             "--then finds one packet per expression: it "
                             "does not go with %s",
                             o->all ? "--all" : "--follow");
    if (rc == CLI_OK && !(o->expr = cli_join_words(words, nwords))) {
        cli_error("out of memory");
        rc = CLI_FAIL;
    }
    free(words);
    return rc;
}

static void free_opts(struct match_opts *o) {
    free(o->files);
    free(o->then);
    free(o->pf.fields);
    free(o->pf.names);
    free(o->expr);
}

/* Moves to o->from through the packets before it, so the flows know
 * their calls and records; -1 after printing why it cannot. */
static int seek_from(const struct match_opts *o, trawl_trace *t) {
    if (!o->from)
        return 0;
    char err[TRAWL_ERRBUF_SIZE];
    const struct trawl_trace_pkt *p;
    int rc = trawl_trace_get(t, o->from - 1, &p, err, sizeof err);
    if (rc < 0) {
        cli_error("%s", err);
        return -1;
    }
    if (rc == 0) {
        cli_error("cannot seek to packet %" PRIu64 ": the trace ends "
                  "before it",
                  o->from);
        return -1;
    }
    return 0;
}

static void print_match(const struct match_opts *o, struct pbuf *out,
                        const struct trawl_trace_pkt *p) {
    if (o->pf.nfields) {
        print_fields(out, p->view, &o->pf);
    } else {
        pbuf_u64(out, p->index);
        pbuf_puts(out, "\n");
    }
}

/* Matches from o->from on, printing matches; returns how many matched,
 * or -1 after printing a read error. */
static int64_t scan(const struct match_opts *o, trawl_trace *t, trawl_expr *e,
                    struct pbuf *out) {
    char err[TRAWL_ERRBUF_SIZE];
    int64_t found = 0;
    struct trawl_trace_match_options mo = {
        .max_index = o->max_index ? o->max_index : UINT64_MAX,
        .reply = o->reply,
    };
    const struct trawl_trace_pkt *p;
    if (seek_from(o, t) < 0)
        return -1;
    for (;;) {
        int rc = trawl_trace_match(t, e, &mo, &p, err, sizeof err);
        if (rc == 0 && o->follow && trawl_trace_index(t) < mo.max_index) {
            pbuf_flush_fd(out, STDOUT_FILENO);
            continue;
        }
        if (rc == 0)
            break;
        if (rc < 0) {
            pbuf_flush_fd(out, STDOUT_FILENO);
            cli_error("%s", err);
            return -1;
        }
        found++;
        print_match(o, out, p);
        if (!o->all)
            break;
        if (out->len > (64u << 10))
            pbuf_flush_fd(out, STDOUT_FILENO);
    }
    return found;
}

/* --then: each expression once, from where the one before left the
 * position (after its match; where its search started when it matched
 * nothing and rewinding is on). Returns how many of the n matched, or -1
 * after printing a read error. */
static int64_t scan_then(const struct match_opts *o, trawl_trace *t,
                         trawl_expr *const *es, size_t n, struct pbuf *out) {
    char err[TRAWL_ERRBUF_SIZE];
    struct trawl_trace_match_options mo = {
        .max_index = o->max_index ? o->max_index : UINT64_MAX,
        .rewind_on_fail = !o->no_rewind,
        .reply = o->reply,
    };
    if (seek_from(o, t) < 0)
        return -1;
    int64_t found = 0;
    for (size_t i = 0; i < n; i++) {
        const struct trawl_trace_pkt *p;
        int rc = trawl_trace_match(t, es[i], &mo, &p, err, sizeof err);
        if (rc < 0) {
            pbuf_flush_fd(out, STDOUT_FILENO);
            cli_error("%s", err);
            return -1;
        }
        if (rc == 0) {
            pbuf_puts(out, "-\n");
            continue;
        }
        found++;
        print_match(o, out, p);
    }
    return found;
}

static int run_match(int argc, char **argv) {
    struct match_opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc) {
        free_opts(&o);
        return rc < 0 ? CLI_OK : rc;
    }
    char err[TRAWL_ERRBUF_SIZE];
    struct trawl_expr_options eo = {.pcap_filter = o.bpf};
    /* The expression, then those of --then. */
    size_t n = 1 + o.nthen;
    trawl_expr **es = calloc(n, sizeof *es);
    if (!es) {
        free_opts(&o);
        cli_error("out of memory");
        return CLI_FAIL;
    }
    bool flows = o.reply;
    for (size_t i = 0; i < n; i++) {
        const char *text = i ? o.then[i - 1] : o.expr;
        if (trawl_expr_compile(&es[i], text, &eo, err, sizeof err) < 0) {
            rc = cli_usage_error(&cli_cmd_match, "%s%s", i ? "--then: " : "",
                                 err);
            while (i--)
                trawl_expr_free(es[i]);
            free(es);
            free_opts(&o);
            return rc;
        }
        flows |= cli_needs_flows(es[i], o.pf.fields, o.pf.nfields, false);
    }
    trawl_expr *e = es[0];
    struct trawl_trace_options topt = {
        .live = o.follow,
        .live_timeout_ms = 200,
        .no_flows = !flows,
        /* Only --then goes back (to where a failed search started). */
        .forward_only = !o.nthen,
    };
    trawl_trace *t = NULL;
    struct pbuf out = {0};
    int status = CLI_FAIL;
    while ((rc = trawl_trace_open(&t, o.files, o.nfiles, &topt, err,
                                  sizeof err)) == TRAWL_EAGAIN &&
           o.follow)
        ;
    if (rc < 0) {
        cli_error("%s", err);
        goto done;
    }
    int64_t found =
        o.nthen ? scan_then(&o, t, es, n, &out) : scan(&o, t, e, &out);
    if (pbuf_flush_fd(&out, STDOUT_FILENO) < 0) {
        cli_error("writing standard output: %s", strerror(errno));
        goto done;
    }
    if (found >= 0)
        status = (o.nthen ? (size_t)found == n : found > 0) ? CLI_OK : CLI_FAIL;
done:
    pbuf_free(&out);
    trawl_trace_close(t);
    for (size_t i = 0; i < n; i++)
        trawl_expr_free(es[i]);
    free(es);
    free_opts(&o);
    return status;
}

const struct cli_command cli_cmd_match = {
    .name = "match",
    .summary = "find the packets an expression matches (pktt's match)",
    .run = run_match,
    .usage = usage_text,
};
