/* trawl gen — send test traffic on an interface (include/trawl/gen.h),
 * with a live counter on a terminal and the final counters on stderr. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trawl/trawl.h"

static const char usage_text[] =
    "usage: trawl gen -i IF [OPTIONS]\n"
    "\n"
    "Sends test traffic on interface IF through a packet socket that\n"
    "bypasses the queueing discipline: Ethernet + IPv4 or IPv6 + UDP or\n"
    "TCP frames with valid checksums, paced by a token bucket, until\n"
    "--count frames or --duration seconds (whichever comes first) or\n"
    "Ctrl-C. A live counter is shown once a second on a terminal; the\n"
    "final counters go to stderr.\n"
    "\n"
    "options:\n"
    "  -i, --interface IF        send on IF (required)\n"
    "      --rate PPS            frames per second (k, M, G suffixes;\n"
    "                            default: as fast as possible)\n"
    "      --bitrate BPS         or bits per second of frame bytes\n"
    "  -c, --count N             stop after N frames\n"
    "      --duration SEC        stop after SEC seconds (fractions allowed)\n"
    "      --size N|MIN-MAX|imix frame bytes without the FCS (default: the\n"
    "                            smallest frame that holds the headers, 60\n"
    "                            for IPv4 + UDP; MIN-MAX: random; imix:\n"
    "                            60/566/1514 in the proportions 7:4:1)\n"
    "      --src ADDR            source MAC or IP; repeat to give both\n"
    "      --dst ADDR            destination MAC or IP; repeat to give both\n"
    "      --proto udp|tcp       (default udp)\n"
    "      --sport N, --dport N  ports (default 49152 and 9)\n"
    "      --flows N             round-robin over N flows (default 1)\n"
    "      --flows-by sport|src  what differs between flows: the source port\n"
    "                            (default) or the source address\n"
    "      --tpld                end every frame with trawl's test payload\n"
    "                            (docs/test-payload.md)\n"
    "      --stream ID           its stream id (default 0)\n"
    "      --corrupt-payload-every N\n"
    "                            corrupt the test payload of every Nth frame\n"
    "                            (a capture sees plderr there)\n"
    "      --tx ring|sendmmsg    how frames reach the kernel (default\n"
    "                            sendmmsg, the faster on veth; the TX ring\n"
    "                            avoids a copy on real NICs)\n"
    "  -q, --quiet               no start line and no live counter\n"
    "  -h, --help                show this help\n"
    "\n"
    "Without --src and --dst, frames go from IF's MAC to 00:00:5e:00:53:01\n"
    "and from 192.0.2.1 to 192.0.2.2 (2001:db8::1 to 2001:db8::2 when an\n"
    "address given is IPv6): addresses reserved for documentation, which no\n"
    "host owns and no router forwards. trawl gen never guesses a real\n"
    "destination: to reach a host, give its MAC and its IP.\n"
    "\n"
    "Exit status: 0 when the run ended, 1 when sending failed, 2 on a\n"
    "usage error.\n"
    "\n"
    "examples:\n"
    "  trawl gen -i veth0 --rate 1000 -c 10000\n"
    "  trawl gen -i veth0 --bitrate 1G --size imix --duration 10\n"
    "  trawl gen -i veth0 --tpld --stream 7 --rate 10k --corrupt-payload-every 100\n"
    "  trawl gen -i eth1 --dst 02:42:ac:11:00:02 --dst 172.17.0.2 --dport 5001 -c 1\n";

struct gen_opts {
    bool quiet;
    bool rate_set, bitrate_set;
};

/* The generator the signal handlers stop; the CLI runs one at a time. */
static trawl_gen *volatile gen_running;

static void on_signal(int sig) {
    (void)sig;
    if (gen_running)
        trawl_gen_stop(gen_running);
}

/* A non-negative number with an optional k/M/G/T suffix (powers of 1000,
 * as rates are spoken). */
static bool parse_number(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v >= 0) || !isfinite(v))
        return false;
    switch (*end) {
    case 'k': case 'K': v *= 1e3; end++; break;
    case 'M': v *= 1e6; end++; break;
    case 'G': v *= 1e9; end++; break;
    case 'T': v *= 1e12; end++; break;
    default: break;
    }
    if (*end)
        return false;
    *out = v;
    return true;
}

static int want_int(const char *opt, const char *arg, uint64_t max,
                    uint64_t *out) {
    double v;
    if (!parse_number(arg, &v) || v > (double)max || v != (double)(uint64_t)v)
        return cli_usage_error(&cli_cmd_gen,
                               "%s wants a whole number from 0 to %" PRIu64
                               ", not '%s'",
                               opt, max, arg);
    *out = (uint64_t)v;
    return CLI_OK;
}

/* Hands one library call's failure to the user as a usage error. */
static int lib(int rc, const char *err) {
    return rc < 0 ? cli_usage_error(&cli_cmd_gen, "%s", err) : CLI_OK;
}

static int parse_args(int argc, char **argv, trawl_gen *g,
                      struct gen_opts *o) {
    enum {
        OPT_RATE = 1000, OPT_BITRATE, OPT_DURATION, OPT_SIZE, OPT_SRC,
        OPT_DST, OPT_PROTO, OPT_SPORT, OPT_DPORT, OPT_FLOWS, OPT_FLOWS_BY,
        OPT_TPLD, OPT_STREAM, OPT_CORRUPT, OPT_TX,
    };
    static const struct option longopts[] = {
        {"interface", required_argument, NULL, 'i'},
        {"rate", required_argument, NULL, OPT_RATE},
        {"bitrate", required_argument, NULL, OPT_BITRATE},
        {"count", required_argument, NULL, 'c'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"size", required_argument, NULL, OPT_SIZE},
        {"src", required_argument, NULL, OPT_SRC},
        {"dst", required_argument, NULL, OPT_DST},
        {"proto", required_argument, NULL, OPT_PROTO},
        {"sport", required_argument, NULL, OPT_SPORT},
        {"dport", required_argument, NULL, OPT_DPORT},
        {"flows", required_argument, NULL, OPT_FLOWS},
        {"flows-by", required_argument, NULL, OPT_FLOWS_BY},
        {"tpld", no_argument, NULL, OPT_TPLD},
        {"stream", required_argument, NULL, OPT_STREAM},
        {"corrupt-payload-every", required_argument, NULL, OPT_CORRUPT},
        {"tx", required_argument, NULL, OPT_TX},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char err[TRAWL_ERRBUF_SIZE];
    bool have_iface = false, tpld = false, stream_set = false;
    uint64_t count = 0, duration_ms = 0, v, flows = 1, stream = 0;
    enum trawl_gen_vary vary = TRAWL_GEN_VARY_SPORT;
    double d;
    int c, rc = CLI_OK;
    optind = 1;
    opterr = 0;
    while (rc == CLI_OK &&
           (c = getopt_long(argc, argv, ":i:c:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            have_iface = true;
            rc = lib(trawl_gen_set_iface(g, optarg, err, sizeof err), err);
            break;
        case OPT_RATE:
        case OPT_BITRATE: {
            bool bits = c == OPT_BITRATE;
            const char *opt = bits ? "--bitrate" : "--rate";
            if (!parse_number(optarg, &d) || d <= 0) {
                rc = cli_usage_error(&cli_cmd_gen,
                                     "%s wants a positive number (k, M, G "
                                     "suffixes allowed), not '%s'",
                                     opt, optarg);
                break;
            }
            *(bits ? &o->bitrate_set : &o->rate_set) = true;
            rc = lib(trawl_gen_set_rate(g, bits ? TRAWL_GEN_BPS : TRAWL_GEN_PPS,
                                        d, err, sizeof err),
                     err);
            break;
        }
        case 'c': rc = want_int("--count", optarg, UINT64_MAX >> 12, &count); break;
        case OPT_DURATION:
            if (!parse_number(optarg, &d) || d <= 0 || d > 1e9) {
                rc = cli_usage_error(&cli_cmd_gen,
                                     "--duration wants positive seconds, "
                                     "not '%s'",
                                     optarg);
                break;
            }
            duration_ms = (uint64_t)(d * 1000 + 0.5);
            if (duration_ms == 0)
                duration_ms = 1;
            break;
        case OPT_SIZE:
            rc = lib(trawl_gen_set_size(g, optarg, err, sizeof err), err);
            break;
        case OPT_SRC:
        case OPT_DST:
            rc = lib(trawl_gen_set_addr(g,
                                        c == OPT_SRC ? TRAWL_GEN_SRC
                                                     : TRAWL_GEN_DST,
                                        optarg, err, sizeof err),
                     err);
            break;
        case OPT_PROTO:
            if (strcasecmp(optarg, "udp") == 0 || strcasecmp(optarg, "tcp") == 0)
                rc = lib(trawl_gen_set_proto(g,
                                             strcasecmp(optarg, "tcp") == 0
                                                 ? TRAWL_GEN_TCP
                                                 : TRAWL_GEN_UDP,
                                             err, sizeof err),
                         err);
            else
                rc = cli_usage_error(&cli_cmd_gen,
                                     "--proto wants udp or tcp, not '%s'",
                                     optarg);
            break;
        case OPT_SPORT:
        case OPT_DPORT:
            rc = want_int(c == OPT_SPORT ? "--sport" : "--dport", optarg,
                          65535, &v);
            if (rc == CLI_OK)
                rc = lib(trawl_gen_set_port(g,
                                            c == OPT_SPORT ? TRAWL_GEN_SRC
                                                           : TRAWL_GEN_DST,
                                            (uint16_t)v, err, sizeof err),
                         err);
            break;
        case OPT_FLOWS:
            rc = want_int("--flows", optarg, 65536, &flows);
            if (rc == CLI_OK && flows == 0)
                rc = cli_usage_error(&cli_cmd_gen,
                                     "--flows wants at least 1 flow");
            break;
        case OPT_FLOWS_BY:
            if (strcmp(optarg, "sport") == 0)
                vary = TRAWL_GEN_VARY_SPORT;
            else if (strcmp(optarg, "src") == 0)
                vary = TRAWL_GEN_VARY_SRC_ADDR;
            else
                rc = cli_usage_error(&cli_cmd_gen,
                                     "--flows-by wants sport or src, not "
                                     "'%s'",
                                     optarg);
            break;
        case OPT_TPLD: tpld = true; break;
        case OPT_STREAM:
            stream_set = true;
            rc = want_int("--stream", optarg, 65535, &stream);
            break;
        case OPT_CORRUPT:
            rc = want_int("--corrupt-payload-every", optarg, UINT64_MAX >> 12,
                          &v);
            if (rc == CLI_OK && v == 0)
                rc = cli_usage_error(&cli_cmd_gen,
                                     "--corrupt-payload-every wants 1 or "
                                     "more");
            if (rc == CLI_OK)
                rc = lib(trawl_gen_set_corrupt(g, v, err, sizeof err), err);
            break;
        case OPT_TX:
            if (strcmp(optarg, "ring") == 0)
                rc = lib(trawl_gen_set_tx(g, TRAWL_GEN_TX_RING, err, sizeof err), err);
            else if (strcmp(optarg, "sendmmsg") == 0)
                rc = lib(trawl_gen_set_tx(g, TRAWL_GEN_TX_SENDMMSG, err, sizeof err), err);
            else
                rc = cli_usage_error(&cli_cmd_gen,
                                     "--tx wants ring or sendmmsg, not '%s'",
                                     optarg);
            break;
        case 'q': o->quiet = true; break;
        case 'h':
            cli_print_usage(&cli_cmd_gen, stdout);
            rc = -1;
            break;
        case ':':
            rc = cli_usage_error(&cli_cmd_gen, "'%s' needs a value",
                                 argv[optind - 1]);
            break;
        default:
            rc = cli_usage_error(&cli_cmd_gen, "unknown option '%s'",
                                 argv[optind - 1]);
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        return cli_usage_error(&cli_cmd_gen, "unexpected argument '%s'",
                               argv[optind]);
    if (!have_iface)
        return cli_usage_error(&cli_cmd_gen,
                               "no interface given (-i IF; see 'trawl "
                               "interfaces' or 'ip link')");
    if (o->rate_set && o->bitrate_set)
        return cli_usage_error(&cli_cmd_gen,
                               "--rate and --bitrate cannot both be given: "
                               "pace in frames or in bits per second");
    if (stream_set && !tpld)
        return cli_usage_error(&cli_cmd_gen,
                               "--stream needs --tpld: the stream id is "
                               "part of the test payload");
    if ((rc = lib(trawl_gen_set_limits(g, count, duration_ms, err, sizeof err),
                  err)) ||
        (rc = lib(trawl_gen_set_flows(g, (uint32_t)flows, vary, err,
                                      sizeof err),
                  err)) ||
        (rc = lib(trawl_gen_set_tpld(g, tpld, (uint16_t)stream, err,
                                     sizeof err),
                  err)))
        return rc;
    return CLI_OK;
}

/* "512.0 kbit/s", "1.23 Gbit/s". */
static void human_bits(char *buf, size_t len, double bps) {
    static const char *const unit[] = {"bit/s", "kbit/s", "Mbit/s",
                                       "Gbit/s", "Tbit/s"};
    unsigned u = 0;
    while (bps >= 1000 && u < 4) {
        bps /= 1000;
        u++;
    }
    snprintf(buf, len, "%.*f %s", u ? 2 : 0, bps, unit[u]);
}

static void show_live(const trawl_gen *g) {
    struct trawl_gen_counters c;
    char bits[32];
    trawl_gen_counters(g, &c);
    human_bits(bits, sizeof bits, c.bps);
    fprintf(stderr,
            "\rtrawl gen: %" PRIu64 " frames sent  %.0f frames/s  %s  %" PRIu64
            " errors\033[K",
            c.sent, c.pps, bits, c.errors);
    fflush(stderr);
}

static void show_final(const trawl_gen *g) {
    struct trawl_gen_counters c;
    char bits[32];
    trawl_gen_counters(g, &c);
    human_bits(bits, sizeof bits, c.bps);
    fprintf(stderr,
            "%" PRIu64 " frames sent, %" PRIu64 " bytes, %" PRIu64
            " errors, %" PRIu64 " dropped by the interface\n"
            "%.3f s, %.0f frames/s, %s\n",
            c.sent, c.bytes, c.errors, c.interface_dropped,
            (double)c.elapsed_ns / 1e9, c.pps, bits);
}

static int run_gen(int argc, char **argv) {
    char err[TRAWL_ERRBUF_SIZE];
    trawl_gen *g = NULL;
    if (trawl_gen_new(&g, err, sizeof err) < 0) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    struct gen_opts o = {0};
    int rc = parse_args(argc, argv, g, &o);
    if (rc) {
        trawl_gen_close(g);
        return rc < 0 ? CLI_OK : rc;
    }
    if (trawl_gen_start(g, err, sizeof err) < 0) {
        trawl_gen_close(g);
        cli_error("%s", err);
        return CLI_FAIL;
    }
    bool live = !o.quiet && isatty(STDERR_FILENO);
    if (!o.quiet) {
        char what[512];
        trawl_gen_describe(g, what, sizeof what);
        fprintf(stderr, "trawl gen: sending on %s\n", what);
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    gen_running = g;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int status = CLI_OK;
    for (;;) {
        rc = trawl_gen_pump(g, live ? 1000 : -1, err, sizeof err);
        if (rc == 0) {
            show_live(g);
            continue;
        }
        if (live)
            fputs("\r\033[K", stderr);
        if (rc != TRAWL_ESTOPPED) {
            cli_error("%s", err);
            status = CLI_FAIL;
        }
        break;
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    gen_running = NULL;
    show_final(g);
    trawl_gen_close(g);
    return status;
}

const struct cli_command cli_cmd_gen = {
    .name = "gen",
    .summary = "send test traffic on an interface",
    .run = run_gen,
    .usage = usage_text,
};
