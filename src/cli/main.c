/* trawl — command dispatch, `trawl help`, `trawl --version`. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "trawl/writer.h"
#include "trawl_config.h"

static const struct cli_command *const commands[] = {
    &cli_cmd_read,
    &cli_cmd_capture,
    &cli_cmd_interfaces,
    &cli_cmd_gen,
    &cli_cmd_match,
    &cli_cmd_explain,
    &cli_cmd_fields,
    &cli_cmd_serve,
    &cli_cmd_users,
    &cli_cmd_get,
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_overview(FILE *out) {
    fprintf(out,
            "trawl %s — packet capture, trace reading and decoding\n"
            "\n"
            "usage: trawl COMMAND [OPTIONS] [ARGS]\n"
            "       trawl help [COMMAND]\n"
            "       trawl --version\n"
            "\n"
            "commands:\n",
            TRAWL_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out,
            "\n'trawl COMMAND --help' describes every flag of a command.\n");
}

static const struct cli_command *find_command(const char *name) {
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

bool cli_needs_flows(const trawl_expr *e, const trawl_field *const *fields,
                     size_t n, bool all_layers) {
    if (all_layers)
        return true;
    for (size_t i = 0; i < n; i++)
        if (trawl_flows_field_matters(fields[i]))
            return true;
    return trawl_flows_expr_matters(e);
}

char *cli_join_words(char **w, int n) {
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    char *p = s;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(w[i]);
        if (i)
            *p++ = ' ';
        memcpy(p, w[i], k);
        p += k;
    }
    *p = '\0';
    return s;
}

int cli_dashdash(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0)
            return i;
    return -1;
}

int cli_option_error(const struct cli_command *cmd, int c, char **argv) {
    if (c == ':') {
        if (optopt)
            return cli_usage_error(cmd, "option -%c needs a value", optopt);
        return cli_usage_error(cmd, "option '%s' needs a value",
                               argv[optind - 1]);
    }
    if (optopt)
        return cli_usage_error(cmd, "unknown option -%c", optopt);
    return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int cli_parse_write_format(const struct cli_command *cmd, const char *arg,
                           int *out) {
    if (strcmp(arg, "pcap") == 0)
        *out = TRAWL_FORMAT_PCAP;
    else if (strcmp(arg, "pcap-ns") == 0 || strcmp(arg, "nsecpcap") == 0)
        *out = TRAWL_FORMAT_PCAP_NS;
    else if (strcmp(arg, "pcapng") == 0)
        *out = TRAWL_FORMAT_PCAPNG;
    else
        return cli_usage_error(cmd, "-F wants pcap, pcap-ns or pcapng, not '%s'",
                               arg);
    return 0;
}

volatile sig_atomic_t cli_stop_signal;

static void on_stop_signal(int sig) {
    cli_stop_signal = sig;
}

void cli_catch_stop_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void cli_print_usage(const struct cli_command *cmd, FILE *out) {
    fputs(cmd->usage, out);
}

bool cli_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "trawl %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'trawl %s --help')\n", cmd->name);
    return CLI_USAGE;
}

void cli_error(const char *fmt, ...) {
    va_list ap;
    fputs("trawl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_warn(const char *fmt, ...) {
    va_list ap;
    fputs("trawl: warning: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_overview(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "-v") == 0 ||
        strcmp(name, "version") == 0) {
        printf("trawl %s\n", TRAWL_VERSION);
        return CLI_OK;
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 ||
        strcmp(name, "-h") == 0) {
        if (argc > 2) {
            const struct cli_command *cmd = find_command(argv[2]);
            if (!cmd) {
                cli_error("no command '%s' (see 'trawl help')", argv[2]);
                return CLI_USAGE;
            }
            cli_print_usage(cmd, stdout);
            return CLI_OK;
        }
        print_overview(stdout);
        return CLI_OK;
    }
    const struct cli_command *cmd = find_command(name);
    if (!cmd) {
        cli_error("no command '%s' (see 'trawl help')", name);
        return CLI_USAGE;
    }
    if (cli_wants_help(argc - 1, argv + 1)) {
        cli_print_usage(cmd, stdout);
        return CLI_OK;
    }
    return cmd->run(argc - 1, argv + 1);
}
