/* The output-splitting options of `trawl read` and `trawl capture`; see
 * cli/split.h. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/split.h"

/* A positive whole number of at most `max`. */
static int positive(const struct cli_command *cmd, const char *opt,
                    const char *what, const char *arg, uint64_t max,
                    uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    if (errno || *end || !isdigit((unsigned char)arg[0]) || n == 0 ||
        n > max)
        return cli_usage_error(cmd, "%s wants %s, not '%s'", opt, what, arg);
    *out = n;
    return 0;
}

int split_opts_take(const struct cli_command *cmd, struct split_opts *so,
                    int c, const char *arg) {
    uint64_t n = 0;
    int rc;
    switch (c) {
    case 'C':
        rc = positive(cmd, "-C", "a positive number of megabytes", arg,
                      UINT64_MAX / 1000000u, &n);
        so->bytes = n * 1000000u;
        return rc;
    case 'G':
        return positive(cmd, "-G", "a positive number of seconds", arg,
                        INT32_MAX, &so->seconds);
    case SPLIT_OPT_PACKETS:
        return positive(cmd, "--split-packets", "a positive packet count",
                        arg, UINT64_MAX, &so->packets);
    case 'W':
        rc = positive(cmd, "-W", "a positive number of files", arg,
                      UINT32_MAX, &n);
        so->max_files = (unsigned)n;
        return rc;
    case SPLIT_OPT_ALIGN: so->align = true; return 0;
    case SPLIT_OPT_SINGLE: so->single_interface = true; return 0;
    default: return 1;
    }
}

int split_opts_check(const struct cli_command *cmd,
                     const struct split_opts *so, const char *write_to) {
    bool split = split_opts_split(so);
    if ((split || so->max_files || so->align || so->single_interface) &&
        !write_to)
        return cli_usage_error(cmd, "-C, -G, --split-packets, -W, --align "
                                    "and --single-interface go with -w");
    if ((split || so->max_files) && strcmp(write_to, "-") == 0)
        return cli_usage_error(cmd,
                               "standard output cannot be split into files: "
                               "-C, -G, --split-packets and -W want -w FILE");
    if (so->max_files && !split)
        return cli_usage_error(cmd, "-W goes with -C, -G or --split-packets");
    if (so->align && !so->seconds)
        return cli_usage_error(cmd, "--align goes with -G");
    if (so->align && so->seconds > 86400)
        return cli_usage_error(cmd,
                               "--align wants -G of at most a day (86400), "
                               "not %" PRIu64,
                               so->seconds);
    return 0;
}

void split_opts_apply(const struct split_opts *so,
                      struct trawl_output_options *oo) {
    oo->split_bytes = so->bytes;
    oo->split_seconds = so->seconds;
    oo->split_packets = so->packets;
    oo->align = so->align;
    oo->max_files = so->max_files;
    oo->single_interface = so->single_interface;
    oo->overwrite = !split_opts_split(so);
}
