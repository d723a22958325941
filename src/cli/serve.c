/* trawl serve — the capture daemon (src/server/). This file is its
 * command line. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "server/server.h"

static const char usage_text[] =
    "usage: trawl serve [--listen ADDR:PORT] [--data-dir DIR] [-i IF ...]\n"
    "                   [--replay FILE [--speed max|realtime|FACTOR] "
    "[--loop]]\n"
    "                   [--tls-cert FILE --tls-key FILE]\n"
    "                   [--admin-password-file FILE]\n"
    "\n"
    "Runs the capture server: captures streamed as pcap or pcapng downloads\n"
    "over HTTP (also through Allegro's capture URL), disk captures, planned\n"
    "captures, the history of captures, filters, favourites and truncation\n"
    "profiles, behind HTTP Basic or session logins. docs/api.md describes\n"
    "the API; the daemon serves it at /docs/api.md.\n"
    "\n"
    "options:\n"
    "      --listen ADDR:PORT   where to listen (default 127.0.0.1:8080;\n"
    "                           port 0 picks a free one; [::1]:8080 for IPv6)\n"
    "      --data-dir DIR       users, history and stored captures (default\n"
    "                           /var/lib/trawl for root, else\n"
    "                           $XDG_STATE_HOME/trawl or "
    "~/.local/state/trawl);\n"
    "                           one daemon per data dir\n"
    "  -i, --interface IF       capture live on IF; repeatable (default: "
    "every\n"
    "                           interface)\n"
    "      --replay FILE        feed a trace instead of live traffic, as if "
    "it\n"
    "                           were the interfaces; a pass through it starts\n"
    "                           when a capture runs and ends the captures of\n"
    "                           that pass at the end of the trace\n"
    "      --speed S            replay speed: max (default), realtime, or a\n"
    "                           factor (2 = twice as fast)\n"
    "      --loop               replay the trace over and over\n"
    "      --replay-clients N   start a pass only once N captures run\n"
    "                           (default 1)\n"
    "      --original-times     keep the trace's time stamps (default: stamp\n"
    "                           packets with the time they are fed)\n"
    "      --tls-cert FILE      serve HTTPS with this PEM certificate ...\n"
    "      --tls-key FILE       ... and this PEM key\n"
    "      --admin-password-file FILE\n"
    "                           on first start, the password of user admin\n"
    "                           (else a random one is printed once)\n"
    "  -h, --help               show this help\n"
    "\n"
    "examples:\n"
    "  trawl serve --replay trace.pcapng --speed realtime --loop\n"
    "  trawl serve -i eth0 -i eth1 --listen 0.0.0.0:8443 \\\n"
    "      --tls-cert cert.pem --tls-key key.pem\n";

static int parse_speed(const char *arg, double *out) {
    if (strcmp(arg, "max") == 0) {
        *out = 0;
        return CLI_OK;
    }
    if (strcmp(arg, "realtime") == 0) {
        *out = 1;
        return CLI_OK;
    }
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !isfinite(v) || v <= 0 || v > 1e6)
        return cli_usage_error(&cli_cmd_serve,
                               "--speed wants max, realtime or a factor above "
                               "0, not '%s'",
                               arg);
    *out = v;
    return CLI_OK;
}

static int run_serve(int argc, char **argv) {
    enum {
        OPT_LISTEN = 1000,
        OPT_DATA,
        OPT_REPLAY,
        OPT_SPEED,
        OPT_LOOP,
        OPT_CLIENTS,
        OPT_ORIGINAL,
        OPT_CERT,
        OPT_KEY,
        OPT_ADMIN,
    };
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"data-dir", required_argument, NULL, OPT_DATA},
        {"interface", required_argument, NULL, 'i'},
        {"replay", required_argument, NULL, OPT_REPLAY},
        {"speed", required_argument, NULL, OPT_SPEED},
        {"loop", no_argument, NULL, OPT_LOOP},
        {"replay-clients", required_argument, NULL, OPT_CLIENTS},
        {"original-times", no_argument, NULL, OPT_ORIGINAL},
        {"tls-cert", required_argument, NULL, OPT_CERT},
        {"tls-key", required_argument, NULL, OPT_KEY},
        {"admin-password-file", required_argument, NULL, OPT_ADMIN},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct srv_options o = {0};
    const char **ifaces = calloc((size_t)argc + 1, sizeof *ifaces);
    if (!ifaces)
        return CLI_FAIL;
    bool replay_opts = false;
    int c, rc = CLI_OK;
    opterr = 0;
    optind = 1;
    while (rc == CLI_OK &&
           (c = getopt_long(argc, argv, ":i:h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN: o.listen = optarg; break;
        case OPT_DATA: o.data_dir = optarg; break;
        case 'i': ifaces[o.nifaces++] = optarg; break;
        case OPT_REPLAY: o.replay = optarg; break;
        case OPT_SPEED:
            rc = parse_speed(optarg, &o.speed);
            replay_opts = true;
            break;
        case OPT_LOOP: o.loop = replay_opts = true; break;
        case OPT_ORIGINAL: o.original_times = replay_opts = true; break;
        case OPT_CLIENTS: {
            char *end;
            unsigned long n = strtoul(optarg, &end, 10);
            if (*end || !*optarg || n < 1 || n > 64)
                rc = cli_usage_error(&cli_cmd_serve,
                                     "--replay-clients wants 1 to 64, not '%s'",
                                     optarg);
            o.replay_clients = (unsigned)n;
            replay_opts = true;
            break;
        }
        case OPT_CERT: o.tls_cert = optarg; break;
        case OPT_KEY: o.tls_key = optarg; break;
        case OPT_ADMIN: o.admin_password_file = optarg; break;
        case 'h':
            cli_print_usage(&cli_cmd_serve, stdout);
            free(ifaces);
            return CLI_OK;
        case ':':
            rc = cli_usage_error(&cli_cmd_serve, "%s needs an argument",
                                 argv[optind - 1]);
            break;
        default:
            rc = cli_usage_error(&cli_cmd_serve, "unknown option '%s'",
                                 argv[optind - 1]);
            break;
        }
    }
    if (rc == CLI_OK && optind < argc)
        rc = cli_usage_error(&cli_cmd_serve, "unexpected argument '%s'",
                             argv[optind]);
    if (rc == CLI_OK && replay_opts && !o.replay)
        rc = cli_usage_error(&cli_cmd_serve,
                             "--speed, --loop, --replay-clients and "
                             "--original-times go with --replay FILE");
    if (rc == CLI_OK && o.replay && o.nifaces)
        rc = cli_usage_error(&cli_cmd_serve,
                             "-i chooses live interfaces; --replay serves a "
                             "trace instead: give one or the other");
    if (rc == CLI_OK && (!o.tls_cert) != (!o.tls_key))
        rc = cli_usage_error(&cli_cmd_serve,
                             "TLS needs both --tls-cert and --tls-key");
    if (rc == CLI_OK) {
        o.ifaces = ifaces;
        rc = srv_run(&o) == 0 ? CLI_OK : CLI_FAIL;
    }
    free(ifaces);
    return rc;
}

const struct cli_command cli_cmd_serve = {
    .name = "serve",
    .summary = "run the capture server (HTTP API, downloads, Allegro URL)",
    .run = run_serve,
    .usage = usage_text,
};
