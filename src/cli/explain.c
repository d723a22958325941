/* trawl explain — how an expression is read and evaluated. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "trawl/trawl.h"

static const char usage_text[] =
    "usage: trawl explain [--bpf] [--linktype TYPE] EXPR...\n"
    "\n"
    "Compiles a filter expression as every trawl command would and prints\n"
    "how it was read: trawl's language or pcap-filter (and whether the other\n"
    "reading was valid too), the parse tree with each Allegro, pktt or\n"
    "Polycube operand expanded into field tests, the kernel/user split and\n"
    "the evaluation plan, or the BPF program of a pcap-filter expression.\n"
    "The words of EXPR are joined with spaces, as tcpdump joins its filter\n"
    "words. An invalid expression is reported with its column and exits 2.\n"
    "See docs/expressions.md for the language.\n"
    "\n"
    "options:\n"
    "  --bpf            read EXPR as pcap-filter only (tcpdump syntax)\n"
    "  --linktype TYPE  compile pcap-filter for this link type: a LINKTYPE_\n"
    "                   number or ethernet, raw, null, sll, sll2, ipv4, ipv6\n"
    "                   (default: ethernet)\n"
    "\n"
    "examples:\n"
    "  trawl explain 'ip == 10.0/16 and tcpFlags == syn+ack'\n"
    "  trawl explain tcp port 80\n"
    "  trawl explain --bpf 'ether host 12:34:56:78:90:ab'\n";

static const struct {
    const char *name;
    int linktype;
} linktypes[] = {
    {"null", 0},  {"ethernet", 1}, {"en10mb", 1}, {"raw", 101},
    {"sll", 113}, {"ipv4", 228},   {"ipv6", 229}, {"sll2", 276},
};

static bool parse_linktype(const char *s, int *out) {
    for (size_t i = 0; i < sizeof linktypes / sizeof linktypes[0]; i++)
        if (strcasecmp(s, linktypes[i].name) == 0) {
            *out = linktypes[i].linktype;
            return true;
        }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || !*s || v < 0 || v > 0xffff)
        return false;
    *out = (int)v;
    return true;
}

static int run_explain(int argc, char **argv) {
    static const struct option longopts[] = {
        {"bpf", no_argument, NULL, 'b'},
        {"linktype", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct trawl_expr_options opt = {0};
    int c;
    optind = 1;
    opterr = 0;
    /* '+': the expression starts at the first word that is not an option,
     * so `not tcp` and `-- -x` reach the parser untouched. */
    while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'b': opt.pcap_filter = true; break;
        case 'l':
            if (!parse_linktype(optarg, &opt.linktype))
                return cli_usage_error(&cli_cmd_explain,
                                       "--linktype wants a link type number "
                                       "or name, not '%s'",
                                       optarg);
            opt.has_linktype = true;
            break;
        case 'h': cli_print_usage(&cli_cmd_explain, stdout); return CLI_OK;
        case ':':
            return cli_usage_error(&cli_cmd_explain, "%s wants a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error(&cli_cmd_explain, "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error(&cli_cmd_explain, "no expression to explain");
    char *text = cli_join_words(argv + optind, argc - optind);
    if (!text) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *e;
    int status = CLI_OK;
    if (trawl_expr_compile(&e, text, &opt, err, sizeof err) < 0) {
        cli_error("error: %s", err);
        status = CLI_USAGE;
    } else {
        if (trawl_expr_explain(e, stdout) < 0) {
            cli_error("cannot write the explanation: %s",
                      trawl_strerror(TRAWL_EIO));
            status = CLI_FAIL;
        }
        trawl_expr_free(e);
    }
    free(text);
    return status;
}

const struct cli_command cli_cmd_explain = {
    .name = "explain",
    .summary = "show how a filter expression is read and evaluated",
    .run = run_explain,
    .usage = usage_text,
};
