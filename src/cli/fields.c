/* trawl fields — the field registry, as `tshark -G fields` lists
 * Wireshark's: what `-T fields -e`, JSON and expressions accept. */
#include <getopt.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "trawl/trawl.h"

static const char usage_text[] =
    "usage: trawl fields [--markdown] [PROTO...]\n"
    "\n"
    "Lists every field trawl decodes, one a line: name, type, label and\n"
    "other accepted spellings (NFStest pktt's), tab-separated. With PROTO\n"
    "words, only the fields of those protocols (ip, tcp, vlan, ...).\n"
    "\n"
    "options:\n"
    "  --markdown       print a Markdown table (docs/expressions.md has one)\n"
    "\n"
    "examples:\n"
    "  trawl fields\n"
    "  trawl fields tcp udp\n";

static bool wanted(const trawl_field *f, char **protos, int n) {
    if (n == 0)
        return true;
    for (int i = 0; i < n; i++)
        if (strcasecmp(trawl_field_proto(f), protos[i]) == 0)
            return true;
    return false;
}

static void print_field(const trawl_field *f, bool markdown) {
    const char *type = trawl_ftype_name(trawl_field_type(f));
    if (markdown)
        printf("| `%s` | %s | %s", trawl_field_name(f), type,
               trawl_field_label(f));
    else
        printf("%s\t%s\t%s\t", trawl_field_name(f), type,
               trawl_field_label(f));
    const char *a;
    for (size_t i = 0; (a = trawl_field_alias(f, i)); i++) {
        if (markdown)
            printf(" `%s`", a);
        else
            printf("%s%s", i ? " " : "", a);
    }
    fputs(markdown ? " |\n" : "\n", stdout);
}

static int run_fields(int argc, char **argv) {
    static const struct option longopts[] = {
        {"markdown", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool markdown = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': markdown = true; break;
        case 'h': cli_print_usage(&cli_cmd_fields, stdout); return CLI_OK;
        default:
            return cli_usage_error(&cli_cmd_fields, "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    char **protos = argv + optind;
    int nprotos = argc - optind;
    size_t shown = 0;
    for (size_t i = 0; i < trawl_field_count(); i++) {
        const trawl_field *f = trawl_field_at(i);
        if (wanted(f, protos, nprotos)) {
            print_field(f, markdown);
            shown++;
        }
    }
    if (shown == 0)
        return cli_usage_error(&cli_cmd_fields, "no fields for '%s'",
                               protos[0]);
    return fflush(stdout) == 0 ? CLI_OK : CLI_FAIL;
}

const struct cli_command cli_cmd_fields = {
    .name = "fields",
    .summary = "list the fields trawl decodes (tshark -G fields)",
    .run = run_fields,
    .usage = usage_text,
};
