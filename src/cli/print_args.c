/* The printing options `trawl read` and `trawl capture` share — -V, -x,
 * -X, -T, -e, -E, -t — and the per-packet dispatch to the formats, so that
 * a live capture prints exactly what reading its file back prints. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/print.h"

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

static int unknown_field(const struct cli_command *cmd, const char *name) {
    const char *s = suggest_field(name);
    if (s)
        return cli_usage_error(
            cmd, "unknown field '%s' (did you mean '%s'?)", name, s);
    return cli_usage_error(cmd, "unknown field '%s'", name);
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

static int yes_no(const struct cli_command *cmd, const char *opt, const char *v, bool *out) {
    if (strcmp(v, "y") == 0 || strcmp(v, "Y") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(v, "n") == 0 || strcmp(v, "N") == 0) {
        *out = false;
        return 0;
    }
    return cli_usage_error(cmd, "-E %s wants y or n, not '%s'", opt,
                           v);
}

static int field_option(const struct cli_command *cmd, struct print_fields *pf,
                        const char *arg) {
    const char *eq = strchr(arg, '=');
    if (!eq || !eq[1])
        return cli_usage_error(cmd,
                               "-E wants OPTION=VALUE (header, separator, "
                               "aggregator, quote, occurrence, bom), not "
                               "'%s'",
                               arg);
    size_t kl = (size_t)(eq - arg);
    const char *v = eq + 1;
#define KEY(k) (kl == sizeof(k) - 1 && strncmp(arg, k, kl) == 0)
    if (KEY("header"))
        return yes_no(cmd, "header", v, &pf->header);
    if (KEY("bom"))
        return yes_no(cmd, "bom", v, &pf->bom);
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
            return cli_usage_error(cmd,
                                   "-E quote wants d, s or n, not '%s'", v);
        pf->quote = v[0] == 'd' ? '"' : v[0] == 's' ? '\'' : 0;
        return 0;
    }
    if (KEY("occurrence")) {
        if (strcmp(v, "f") && strcmp(v, "l") && strcmp(v, "a"))
            return cli_usage_error(
                cmd, "-E occurrence wants f, l or a, not '%s'", v);
        pf->occurrence = v[0];
        return 0;
    }
#undef KEY
    return cli_usage_error(cmd,
                           "unknown -E option '%.*s' (header, separator, "
                           "aggregator, quote, occurrence, bom)",
                           (int)kl, arg);
}


static int parse_time(const struct cli_command *cmd, const char *arg,
                      enum print_time *out) {
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
    return cli_usage_error(cmd, "-t wants r, d, a, ad or e, not '%s'",
                           arg);
}


int print_opts_init(struct print_opts *po, int argc) {
    memset(po, 0, sizeof *po);
    po->pf.separator = '\t';
    po->pf.aggregator = ',';
    po->pf.occurrence = 'a';
    /* Every argument could be a field: arrays of argc entries cannot
     * overflow. */
    po->pf.fields = calloc((size_t)argc + 1, sizeof *po->pf.fields);
    po->pf.names = calloc((size_t)argc + 1, sizeof *po->pf.names);
    if (!po->pf.fields || !po->pf.names) {
        cli_error("out of memory");
        return CLI_USAGE;
    }
    return 0;
}

void print_opts_free(struct print_opts *po) {
    free(po->pf.fields);
    free(po->pf.names);
    memset(po, 0, sizeof *po);
}

int print_opts_take(const struct cli_command *cmd, struct print_opts *po,
                    int c, const char *arg) {
    switch (c) {
    case 'V': po->tree = true; return 0;
    case 'x': po->hex = true; return 0;
    case 'X': po->hex = po->hex_ascii = true; return 0;
    case 'T': po->format = arg; return 0;
    case 'e': {
        const trawl_field *f = trawl_field_lookup(arg);
        if (!f)
            return unknown_field(cmd, arg);
        po->pf.names[po->pf.nfields] = arg;
        po->pf.fields[po->pf.nfields++] = f;
        return 0;
    }
    case 'E': po->field_opts = true; return field_option(cmd, &po->pf, arg);
    case 't': return parse_time(cmd, arg, &po->time_format);
    case PRINT_OPT_VERIFY: po->verify_checksums = true; return 0;
    default: return 1;
    }
}

int print_opts_check(const struct cli_command *cmd, struct print_opts *po,
                     bool writing, bool quiet) {
    const char *format = po->format;
    if (format && strcmp(format, "text") == 0)
        po->output = po->tree ? OUT_TREE : OUT_SUMMARY;
    else if (format && strcmp(format, "fields") == 0)
        po->output = OUT_FIELDS;
    else if (format && strcmp(format, "json") == 0)
        po->output = OUT_JSON;
    else if (format)
        return cli_usage_error(cmd, "-T wants text, fields or json, not '%s'",
                               format);
    else if (po->pf.nfields)
        po->output = OUT_FIELDS;
    else
        po->output = po->tree ? OUT_TREE : OUT_SUMMARY;

    if (po->output == OUT_FIELDS && po->pf.nfields == 0)
        return cli_usage_error(cmd, "-T fields needs at least one -e FIELD");
    if (po->output != OUT_FIELDS && po->pf.nfields)
        return cli_usage_error(cmd, "-e goes with -T fields");
    if (po->output != OUT_FIELDS && po->field_opts)
        return cli_usage_error(cmd, "-E goes with -T fields");
    if ((po->output == OUT_FIELDS || po->output == OUT_JSON) && po->hex)
        return cli_usage_error(cmd,
                               "-x and -X go with text output, not -T %s",
                               format ? format : "fields");
    if (writing) {
        if (format || po->tree || po->hex || po->pf.nfields)
            return cli_usage_error(cmd,
                                   "-w writes the packets instead of "
                                   "printing them: -V, -x, -X, -T and -e "
                                   "do not go with it");
        po->output = OUT_NONE;
    }
    if (quiet)
        po->output = OUT_NONE;
    return 0;
}

void print_packet(struct print_ctx *pc, trawl_view *v,
                  const struct print_opts *po) {
    switch (po->output) {
    case OUT_SUMMARY: print_summary(pc, v); break;
    case OUT_TREE: print_tree(pc, v); break;
    case OUT_FIELDS: print_fields(pc->out, v, &po->pf); break;
    case OUT_JSON: print_json(pc->out, v); break;
    case OUT_NONE: break;
    }
    if (po->hex)
        print_hex(pc->out, trawl_view_pkt(v), po->hex_ascii);
}
