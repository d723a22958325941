/* cli — the `trawl` command: one file per subcommand, each using only the
 * public libtrawl API. */
#ifndef TRAWL_CLI_H
#define TRAWL_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "trawl/trawl.h"

struct cli_command {
    const char *name;
    const char *summary; /* one line for `trawl help` */
    int (*run)(int argc, char **argv);
    const char *usage; /* full text for `trawl CMD --help` */
};

/* Exit codes, as tcpdump/tshark users expect: 0 ok, 1 nothing matched or
 * a runtime failure, 2 bad usage. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

#define CLI_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Whether s ends with suffix (and has something before it). */
static inline bool cli_has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

extern const struct cli_command cli_cmd_read;
extern const struct cli_command cli_cmd_explain;
extern const struct cli_command cli_cmd_fields;
extern const struct cli_command cli_cmd_match;
extern const struct cli_command cli_cmd_capture;
extern const struct cli_command cli_cmd_interfaces;
extern const struct cli_command cli_cmd_gen;
extern const struct cli_command cli_cmd_serve;
extern const struct cli_command cli_cmd_users;
extern const struct cli_command cli_cmd_get;

/* Prints "trawl CMD: message" to stderr; returns CLI_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "trawl: message" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The words joined by single spaces, as tcpdump joins its filter words;
 * malloc'ed (the caller frees it), NULL when out of memory. */
char *cli_join_words(char **w, int n);

/* Whether a reader that filters with `e` (may be NULL) and prints the
 * fields `fields[0..n)` (or, with `all_layers`, every layer: summary, -V,
 * JSON) needs RPC flows (trawl/flows.h): they cost as much again as
 * decoding to the transport header, so only those who use them pay. */
bool cli_needs_flows(const trawl_expr *e, const trawl_field *const *fields,
                     size_t n, bool all_layers);
/* Index of the first "--" in argv, or -1. */
int cli_dashdash(int argc, char **argv);

/* The usage error for getopt's ':' (a value missing) or '?' (an unknown
 * option), naming the option as the user typed it. */
int cli_option_error(const struct cli_command *cmd, int c, char **argv);

/* -F's values: pcap, pcap-ns (nsecpcap) or pcapng, into an enum
 * trawl_format. Returns 0 or CLI_USAGE after printing what is wrong. */
int cli_parse_write_format(const struct cli_command *cmd, const char *arg,
                           int *out);

/* Set by the first SIGINT or SIGTERM after cli_catch_stop_signals(); the
 * handler then resets itself, so a second one kills trawl even when it is
 * blocked on a pipe that never ends. */
extern volatile sig_atomic_t cli_stop_signal;
void cli_catch_stop_signals(void);

/* True when argv holds -h/--help before any "--". */
bool cli_wants_help(int argc, char **argv);
void cli_print_usage(const struct cli_command *cmd, FILE *out);

#endif
