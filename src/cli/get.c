/* trawl get — download a capture from a trawl capture server (or any URL
 * that streams one, such as Allegro's capture URL) into a file, showing
 * progress and, at the end, the capture's counters.
 *
 * HTTP is libcurl's: it brings TLS, redirects, authentication and chunked
 * transfers that a capture download needs, with no code of trawl's to keep
 * right. It is loaded (dlopen) when trawl get runs, not linked: with the
 * TLS, Kerberos and LDAP libraries it needs, linking it cost every other
 * command two thirds of its start (14 of 20 million instructions before
 * main, a few milliseconds of each trawl match). */
#define CURL_DISABLE_TYPECHECK /* the calls go through lc's pointers */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static const char usage_text[] =
    "usage: trawl get URL [-u USER:PASS] [-e EXPR] [--duration S] -w FILE\n"
    "\n"
    "Downloads a capture from a trawl capture server into FILE ('-' for\n"
    "standard output), with a progress line on the terminal and the\n"
    "capture's counters at the end. URL is the server's base URL\n"
    "(http://host:8080), which starts a download of everything the options\n"
    "ask for, or a capture URL of its own (an Allegro capture URL, a\n"
    "favourite's download URL), to which the options are added.\n"
    "Ctrl-C stops the capture on the server, which ends the file cleanly.\n"
    "\n"
    "options:\n"
    "  -w, --write FILE        where the capture goes (required)\n"
    "  -u, --user USER:PASS    HTTP Basic credentials\n"
    "  -e, --expression EXPR   capture filter (docs/expressions.md)\n"
    "      --duration S        stop after S seconds\n"
    "  -c, --count N           stop after N packets\n"
    "      --bytes N           stop after N bytes of packets\n"
    "  -s, --snaplen N         keep the first N bytes (64..65535) of packets\n"
    "      --profile NAME      truncate by a capture profile\n"
    "      --format F          pcapng (default) or pcap\n"
    "      --compression C     zstd or gzip: the file is compressed\n"
    "  -i, --interface IF      only this interface\n"
    "  -k, --insecure          accept any TLS certificate\n"
    "      --cacert FILE       trust this CA certificate\n"
    "  -q, --quiet             no progress line, no counters\n"
    "  -h, --help              show this help\n"
    "\n"
    "examples:\n"
    "  trawl get http://127.0.0.1:8080 -u admin:secret -e 'port 53' \\\n"
    "      --duration 60 -w dns.pcapng\n"
    "  trawl get -u admin:secret -w http.pcapng \\\n"
    "      'http://mm:8080/API/data/modules/capture?expression=port==80'\n";

/* The functions of libcurl trawl get calls, once loaded. */
static struct {
    CURLcode (*global_init)(long);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    char *(*easy_escape)(CURL *, const char *, int);
    void (*free)(void *);
    const char *(*easy_strerror)(CURLcode);
} lc;

/* Loads libcurl into lc; false after printing why it cannot. */
static bool load_curl(void) {
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        cli_error("cannot load libcurl: %s", dlerror());
        return false;
    }
    struct {
        const char *name;
        void *slot; /* a member of lc */
    } fns[] = {
        {"curl_global_init", &lc.global_init},
        {"curl_global_cleanup", &lc.global_cleanup},
        {"curl_easy_init", &lc.easy_init},
        {"curl_easy_setopt", &lc.easy_setopt},
        {"curl_easy_perform", &lc.easy_perform},
        {"curl_easy_getinfo", &lc.easy_getinfo},
        {"curl_easy_cleanup", &lc.easy_cleanup},
        {"curl_easy_escape", &lc.easy_escape},
        {"curl_free", &lc.free},
        {"curl_easy_strerror", &lc.easy_strerror},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        void *fn = dlsym(h, fns[i].name);
        if (!fn) {
            cli_error("libcurl has no %s", fns[i].name);
            return false;
        }
        memcpy(fns[i].slot, &fn, sizeof fn); /* a function pointer's bytes */
    }
    return true;
}

struct get {
    CURL *curl;
    FILE *out;
    const char *user;
    char base[1024]; /* scheme://host:port of the URL */
    long capture_id;
    bool quiet, tty, insecure;
    const char *cacert;
    uint64_t bytes;
    struct timespec start;
    double last_shown;
    bool stop_sent;
    char counters[256]; /* the last live counters */
    char errbody[2048]; /* the start of an error answer */
    size_t errlen;
    long status;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig) {
    (void)sig;
    interrupted = 1;
}

static double elapsed(const struct get *g) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - g->start.tv_sec) +
           (double)(now.tv_nsec - g->start.tv_nsec) / 1e9;
}

static void human(double v, char *buf, size_t n) {
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (v >= 1000 && u < 4) {
        v /= 1000;
        u++;
    }
    snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

/* Collects a small answer (JSON) into a buffer. */
struct memsink {
    char buf[65536];
    size_t len;
};

static size_t mem_write(char *p, size_t size, size_t n, void *ctx) {
    struct memsink *m = ctx;
    size_t k = size * n;
    size_t room = sizeof m->buf - 1 - m->len;
    memcpy(m->buf + m->len, p, k < room ? k : room);
    m->len += k < room ? k : room;
    m->buf[m->len] = '\0';
    return k;
}

static void common_options(struct get *g, CURL *c) {
    if (g->user) {
        lc.easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        lc.easy_setopt(c, CURLOPT_USERPWD, g->user);
    }
    if (g->insecure) {
        lc.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        lc.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (g->cacert)
        lc.easy_setopt(c, CURLOPT_CAINFO, g->cacert);
    lc.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
}

/* A small API call on the same server: GET (or DELETE) base + path. */
static json_t *api_call(struct get *g, const char *method, const char *path) {
    CURL *c = lc.easy_init();
    if (!c)
        return NULL;
    char url[1200];
    snprintf(url, sizeof url, "%s%s", g->base, path);
    struct memsink m = {.len = 0};
    lc.easy_setopt(c, CURLOPT_URL, url);
    lc.easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    lc.easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write);
    lc.easy_setopt(c, CURLOPT_WRITEDATA, &m);
    lc.easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    common_options(g, c);
    CURLcode rc = lc.easy_perform(c);
    long status = 0;
    lc.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    lc.easy_cleanup(c);
    if (rc != CURLE_OK || status >= 300)
        return NULL;
    return json_loads(m.buf, 0, NULL);
}

static void counters_text(const json_t *cap, char *buf, size_t n) {
    const json_t *c = json_object_get(cap, "counters");
    snprintf(buf, n, "%lld captured, %lld dropped, %lld ignored",
             (long long)json_integer_value(json_object_get(c, "captured")),
             (long long)json_integer_value(json_object_get(c, "dropped")),
             (long long)json_integer_value(json_object_get(c, "ignored")));
}

static void show_progress(struct get *g, bool final) {
    if (g->quiet || !g->tty)
        return;
    double t = elapsed(g);
    char amount[32], rate[32];
    human((double)g->bytes, amount, sizeof amount);
    human(t > 0 ? (double)g->bytes / t : 0, rate, sizeof rate);
    fprintf(stderr, "\r\033[K%s  %s/s  %.0f s%s%s%s", amount, rate, t,
            g->counters[0] ? "  (" : "", g->counters,
            g->counters[0] ? ")" : "");
    if (final)
        fputc('\n', stderr);
}

/* Called by libcurl often: redraws once a second, refreshes the live
 * counters, and turns Ctrl-C into a stop request. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow) {
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    struct get *g = ctx;
    if (interrupted && !g->stop_sent) {
        g->stop_sent = true;
        if (g->capture_id > 0) {
            char path[64];
            snprintf(path, sizeof path, "/api/v1/captures/%ld", g->capture_id);
            json_decref(api_call(g, "DELETE", path));
        } else {
            return 1; /* nothing to stop politely: abort */
        }
    }
    double t = elapsed(g);
    if (t - g->last_shown < 1.0)
        return 0;
    g->last_shown = t;
    if (g->capture_id > 0 && !g->quiet && g->tty) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/captures/%ld", g->capture_id);
        json_t *cap = api_call(g, "GET", path);
        if (cap)
            counters_text(cap, g->counters, sizeof g->counters);
        json_decref(cap);
    }
    show_progress(g, false);
    return 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx) {
    struct get *g = ctx;
    size_t k = size * n;
    static const char name[] = "x-trawl-capture-id:";
    if (k > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0)
        g->capture_id = strtol(p + sizeof name - 1, NULL, 10);
    return k;
}

static size_t on_body(char *p, size_t size, size_t n, void *ctx) {
    struct get *g = ctx;
    size_t k = size * n;
    if (g->status == 0)
        lc.easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &g->status);
    if (g->status >= 300) {
        size_t room = sizeof g->errbody - 1 - g->errlen;
        memcpy(g->errbody + g->errlen, p, k < room ? k : room);
        g->errlen += k < room ? k : room;
        g->errbody[g->errlen] = '\0';
        return k;
    }
    if (fwrite(p, 1, k, g->out) != k)
        return 0;
    g->bytes += k;
    return k;
}

/* The URL to fetch: the base URL gets the download endpoint; any URL gets
 * the options as query arguments, escaped (%20 for spaces, as the capture
 * URL wants). */
static char *build_url(CURL *c, const char *url, char *const *names,
                       char *const *values, size_t n) {
    size_t len = strlen(url) + 64;
    for (size_t i = 0; i < n; i++)
        len += strlen(names[i]) + 3 * strlen(values[i]) + 2;
    char *out = malloc(len);
    if (!out)
        return NULL;
    const char *scheme = strstr(url, "://");
    const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
    bool bare = !path || strcmp(path, "/") == 0;
    snprintf(
        out, len, "%s%s", url,
        bare ? (path ? "api/v1/captures/download" : "/api/v1/captures/download")
             : "");
    bool has_query = strchr(out, '?') != NULL;
    for (size_t i = 0; i < n; i++) {
        char *esc = lc.easy_escape(c, values[i], 0);
        if (!esc) {
            free(out);
            return NULL;
        }
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%c%s=%s", has_query ? '&' : '?',
                 names[i], esc);
        has_query = true;
        lc.free(esc);
    }
    return out;
}

static void set_base(struct get *g, const char *url) {
    const char *scheme = strstr(url, "://");
    const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
    size_t n = path ? (size_t)(path - url) : strlen(url);
    if (n >= sizeof g->base)
        n = sizeof g->base - 1;
    memcpy(g->base, url, n);
    g->base[n] = '\0';
}

/* The capture's record once the server has finished it. */
static void final_counters(struct get *g) {
    if (g->quiet || g->capture_id <= 0)
        return;
    char path[64];
    snprintf(path, sizeof path, "/api/v1/captures/%ld", g->capture_id);
    json_t *cap = NULL;
    for (int i = 0; i < 20; i++) {
        json_decref(cap);
        cap = api_call(g, "GET", path);
        const char *state = json_string_value(json_object_get(cap, "state"));
        if (!cap || (state && strcmp(state, "finished") == 0))
            break;
        struct timespec ts = {.tv_nsec = 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!cap)
        return;
    char text[256], amount[32];
    counters_text(cap, text, sizeof text);
    human((double)g->bytes, amount, sizeof amount);
    const char *why = json_string_value(json_object_get(cap, "end_reason"));
    fprintf(stderr, "capture %ld: %s; %s in %.1f s%s%s%s\n", g->capture_id,
            text, amount, elapsed(g), why ? " (" : "", why ? why : "",
            why ? ")" : "");
    json_decref(cap);
}

static int run_get(int argc, char **argv) {
    enum {
        OPT_DURATION = 1000,
        OPT_BYTES,
        OPT_PROFILE,
        OPT_FORMAT,
        OPT_COMPRESS,
        OPT_CACERT,
    };
    static const struct option longopts[] = {
        {"write", required_argument, NULL, 'w'},
        {"user", required_argument, NULL, 'u'},
        {"expression", required_argument, NULL, 'e'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"count", required_argument, NULL, 'c'},
        {"bytes", required_argument, NULL, OPT_BYTES},
        {"snaplen", required_argument, NULL, 's'},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"compression", required_argument, NULL, OPT_COMPRESS},
        {"interface", required_argument, NULL, 'i'},
        {"insecure", no_argument, NULL, 'k'},
        {"cacert", required_argument, NULL, OPT_CACERT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct get g = {.capture_id = -1};
    const char *write_to = NULL;
    char *names[16], *values[16];
    size_t nq = 0;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":w:u:e:c:s:i:kqh", longopts, NULL)) !=
           -1) {
        const char *name = NULL;
        switch (c) {
        case 'w': write_to = optarg; continue;
        case 'u': g.user = optarg; continue;
        case 'k': g.insecure = true; continue;
        case OPT_CACERT: g.cacert = optarg; continue;
        case 'q': g.quiet = true; continue;
        case 'h': cli_print_usage(&cli_cmd_get, stdout); return CLI_OK;
        case 'e': name = "filter"; break;
        case OPT_DURATION: name = "duration_s"; break;
        case 'c': name = "max_packets"; break;
        case OPT_BYTES: name = "max_bytes"; break;
        case 's': name = "snaplen"; break;
        case OPT_PROFILE: name = "profile"; break;
        case OPT_FORMAT: name = "format"; break;
        case OPT_COMPRESS: name = "compression"; break;
        case 'i': name = "interface"; break;
        case ':':
            return cli_usage_error(&cli_cmd_get, "%s needs an argument",
                                   argv[optind - 1]);
        default:
            return cli_usage_error(&cli_cmd_get, "unknown option '%s'",
                                   argv[optind - 1]);
        }
        if (nq == CLI_ARRAY_LEN(names))
            return cli_usage_error(&cli_cmd_get, "too many options");
        names[nq] = (char *)name;
        values[nq++] = optarg;
    }
    if (optind != argc - 1)
        return cli_usage_error(&cli_cmd_get, "give one URL");
    if (!write_to)
        return cli_usage_error(&cli_cmd_get, "say where the capture goes: -w "
                                             "FILE ('-' for standard output)");
    const char *url = argv[optind];
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return cli_usage_error(&cli_cmd_get,
                               "'%s' is not an http:// or "
                               "https:// URL",
                               url);
    if (!load_curl())
        return CLI_FAIL;
    if (lc.global_init(CURL_GLOBAL_DEFAULT) != 0) {
        cli_error("libcurl failed to start");
        return CLI_FAIL;
    }
    g.curl = lc.easy_init();
    char *full = g.curl ? build_url(g.curl, url, names, values, nq) : NULL;
    if (!full) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    set_base(&g, url);
    bool to_stdout = strcmp(write_to, "-") == 0;
    g.out = to_stdout ? stdout : fopen(write_to, "wbe");
    if (!g.out) {
        cli_error("%s: cannot create: %s", write_to, strerror(errno));
        free(full);
        return CLI_FAIL;
    }
    g.tty = isatty(STDERR_FILENO);
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    clock_gettime(CLOCK_MONOTONIC, &g.start);
    lc.easy_setopt(g.curl, CURLOPT_URL, full);
    lc.easy_setopt(g.curl, CURLOPT_WRITEFUNCTION, on_body);
    lc.easy_setopt(g.curl, CURLOPT_WRITEDATA, &g);
    lc.easy_setopt(g.curl, CURLOPT_HEADERFUNCTION, on_header);
    lc.easy_setopt(g.curl, CURLOPT_HEADERDATA, &g);
    lc.easy_setopt(g.curl, CURLOPT_NOPROGRESS, 0L);
    lc.easy_setopt(g.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    lc.easy_setopt(g.curl, CURLOPT_XFERINFODATA, &g);
    lc.easy_setopt(g.curl, CURLOPT_FOLLOWLOCATION, 1L);
    common_options(&g, g.curl);
    CURLcode rc = lc.easy_perform(g.curl);
    lc.easy_getinfo(g.curl, CURLINFO_RESPONSE_CODE, &g.status);
    int ret = CLI_OK;
    if (rc != CURLE_OK && !(rc == CURLE_ABORTED_BY_CALLBACK && interrupted)) {
        show_progress(&g, true);
        cli_error("%s: %s", url, lc.easy_strerror(rc));
        ret = CLI_FAIL;
    } else if (g.status >= 300) {
        json_t *e = json_loads(g.errbody, 0, NULL);
        const char *msg = json_string_value(json_object_get(e, "error"));
        cli_error("%s: HTTP %ld: %s", url, g.status, msg ? msg : g.errbody);
        json_decref(e);
        ret = CLI_FAIL;
    } else {
        show_progress(&g, true);
    }
    if (!to_stdout && fclose(g.out) != 0) {
        cli_error("%s: %s", write_to, strerror(errno));
        ret = CLI_FAIL;
    } else if (to_stdout) {
        fflush(stdout);
    }
    if (ret == CLI_OK)
        final_counters(&g);
    lc.easy_cleanup(g.curl);
    lc.global_cleanup();
    free(full);
    return ret;
}

const struct cli_command cli_cmd_get = {
    .name = "get",
    .summary = "download a capture from a capture server",
    .run = run_get,
    .usage = usage_text,
};
