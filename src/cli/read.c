/* STUB: trawl read — to be written. */
#include "cli/cli.h"

static int run_read(int argc, char **argv) {
    (void)argc;
    (void)argv;
    cli_error("read: not yet");
    return CLI_FAIL;
}

const struct cli_command cli_cmd_read = {
    .name = "read",
    .summary = "read, decode, filter and convert trace files",
    .run = run_read,
    .usage = "usage: trawl read [-r] FILE... [OPTIONS] [EXPR]\n",
};
