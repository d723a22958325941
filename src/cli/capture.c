/* trawl capture — live capture on one or more interfaces: print the
 * packets as trawl read does, or write them through the output seam
 * (capture_out.c); live counters on a terminal, final statistics at the
 * end. Options are parsed in capture_args.c. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/capture.h"
#include "cli/cli.h"
#include "cli/print.h"

/* The loop gives control back this often when nothing arrives, to see
 * signals, refresh the counter line and flush the output. */
#define PUMP_MS 200
/* Printed text goes to the kernel in writes of about this size, or at
 * the end of every pump when stdout is a terminal. */
#define OUT_FLUSH_AT (256u << 10)
/* Streams listed in the final statistics. */
#define MAX_STREAMS_SHOWN 256

struct cap_run {
    const struct capture_opts *o;
    trawl_capture *c;
    struct capture_out *out; /* -w without --buffer */
    trawl_view *v;           /* printing what the capture did not decode */
    bool from_buffer;        /* --buffer: printing what it held */
    struct pbuf text;
    struct print_ctx pc;
    bool tty_out, tty_err;
    bool line_shown; /* the counter line is on the terminal */
    uint64_t line_ms;
    uint64_t text_ms; /* when printed text last went out */
    int out_errno;
    int failed; /* a write failed: the message is in err */
    /* Packets go to standard output (printed, or -w -) and it is a pipe
     * or a socket, whose reader may go away (`| head`). */
    bool watch_stdout;
    uint64_t watch_ms;
    /* Its reader went away: the capture stops, and that is no failure
     * (tcpdump exits 0 there too). */
    bool stdout_gone;
    char err[TRAWL_ERRBUF_SIZE];
};

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the counter line -------------------------------------------------------- */

/* The capture's counters (of interface `iface`, or UINT32_MAX for all),
 * with what the output dropped counted as dropped, not captured. */
static void counters(const struct cap_run *r, uint32_t iface,
                     struct trawl_counters *k) {
    if (iface == UINT32_MAX)
        trawl_capture_counters(r->c, k);
    else
        trawl_capture_iface_counters(r->c, iface, k);
    if (r->out)
        capture_out_adjust(r->out, iface, k);
}

static void format_counters(char *buf, size_t len,
                            const struct trawl_counters *k) {
    snprintf(buf, len,
             "%" PRIu64 " received, %" PRIu64 " captured, %" PRIu64
             " ignored, %" PRIu64 " dropped, %" PRIu64 " kernel-dropped, %" PRIu64
             " interface-dropped, %" PRIu64 " bytes",
             k->received, k->captured, k->ignored, k->dropped,
             k->kernel_dropped, k->interface_dropped, k->bytes);
}

static void clear_line(struct cap_run *r) {
    if (r->line_shown) {
        fputs("\r\033[K", stderr);
        r->line_shown = false;
    }
}

static void show_line(struct cap_run *r) {
    if (!r->tty_err)
        return;
    uint64_t now = mono_ms();
    if (now - r->line_ms < 1000)
        return;
    r->line_ms = now;
    struct trawl_counters k;
    counters(r, UINT32_MAX, &k);
    char buf[320];
    format_counters(buf, sizeof buf, &k);
    fprintf(stderr, "\r\033[Ktrawl: %s", buf);
    fflush(stderr);
    r->line_shown = true;
}

/* ---- standard output ------------------------------------------------------------ */

/* Whether standard output is a pipe or socket that packets go to. */
static bool stdout_watchable(void) {
    struct stat st;
    return fstat(STDOUT_FILENO, &st) == 0 &&
           (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Whether the reader of standard output has gone: poll() reports POLLERR
 * on a pipe nobody reads any more, POLLHUP on a socket whose peer closed.
 * Asked between writes, so that a capture with nothing to write stops
 * too, and after a write to -w - failed (the output's message says why in
 * words only). */
static bool stdout_reader_gone(void) {
    struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static void stdout_closed(struct cap_run *r) {
    if (!r->stdout_gone) {
        r->stdout_gone = true;
        trawl_capture_stop(r->c);
    }
}

static void watch_stdout(struct cap_run *r) {
    if (!r->watch_stdout || r->stdout_gone)
        return;
    uint64_t now = mono_ms();
    if (now - r->watch_ms < PUMP_MS)
        return;
    r->watch_ms = now;
    if (stdout_reader_gone())
        stdout_closed(r);
}

/* ---- printed output ------------------------------------------------------------ */

static void flush_text(struct cap_run *r) {
    if (!r->text.len)
        return;
    if (r->stdout_gone || r->out_errno) {
        r->text.len = 0; /* nobody will read it */
        return;
    }
    /* Packets and the counter line share the terminal: the line goes
     * away while packets are printed, and comes back at its next
     * refresh. */
    if (r->tty_out)
        clear_line(r);
    r->text_ms = mono_ms();
    int rc = pbuf_flush_fd(&r->text, STDOUT_FILENO);
    if (rc == -EPIPE) {
        stdout_closed(r);
    } else if (rc < 0) {
        /* Printing cannot go on: stop, and say why at the end. */
        r->out_errno = -rc;
        trawl_capture_stop(r->c);
    }
}

static void print_one(struct cap_run *r, const struct trawl_pkt *pkt) {
    /* A packet just delivered is decoded by the capture, with its flows
     * when it has them (RPC reassembled and paired, as trawl read shows
     * it); one from the buffer, after the capture, packet by packet. */
    trawl_view *v = r->from_buffer ? NULL : trawl_capture_view(r->c);
    if (!v) {
        trawl_view_set(r->v, pkt);
        v = r->v;
    }
    print_begin_packet(&r->pc, pkt);
    print_packet(&r->pc, v, &r->o->print);
    if (r->text.len >= OUT_FLUSH_AT)
        flush_text(r);
}

static void on_packet(void *ctx, const struct trawl_pkt *pkt) {
    struct cap_run *r = ctx;
    if (r->failed)
        return;
    if (r->out) {
        if (capture_out_write(r->out, pkt, r->err, sizeof r->err) < 0) {
            r->failed = 1;
            trawl_capture_stop(r->c);
        }
    } else if (r->v && !r->stdout_gone && !r->out_errno) {
        print_one(r, pkt);
    }
}

static void put_time(struct pbuf *b, int64_t sec, uint32_t nsec) {
    pbuf_printf(b, "%" PRId64 ".%09" PRIu32, sec, nsec);
}

/* --stats: one line per interface and interval, then the total. */
static void on_statistics(void *ctx, const struct trawl_capture_interval *iv) {
    struct cap_run *r = ctx;
    const struct trawl_iface *ifc = trawl_capture_iface(r->c, iv->iface);
    put_time(&r->text, iv->start_sec, iv->start_nsec);
    pbuf_putc(&r->text, ' ');
    put_time(&r->text, iv->end_sec, iv->end_nsec);
    pbuf_printf(&r->text, " %s packets %" PRIu64 " bytes %" PRIu64 "\n",
                ifc ? ifc->name : "total", iv->packets, iv->bytes);
}

/* ---- setting up --------------------------------------------------------------------- */

/* Every parameter, then the filter: a bad expression is refused here,
 * before any interface is opened. Returns a CLI exit status. */
static int configure(trawl_capture *c, const struct capture_opts *o) {
    char err[TRAWL_ERRBUF_SIZE];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < o->nifaces; i++)
        rc = trawl_capture_add_iface(c, o->ifaces[i], err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_direction(c, o->direction, err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_promisc(c, o->promisc, err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_snaplen(c, o->snaplen, err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_buffer_kib(c, o->buffer_kib, err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_timeout(c, 0, o->immediate, err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_nanosecond(c, o->nano, err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_fcs(c, o->fcs, err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_verify_checksums(c, o->print.verify_checksums,
                                                err, sizeof err);
    /* What is printed of RPC needs the packets before it, as in trawl
     * read. */
    if (rc == 0 && o->print.output != OUT_NONE &&
        cli_needs_flows(NULL, o->print.pf.fields, o->print.pf.nfields,
                        o->print.output != OUT_FIELDS))
        rc = trawl_capture_set_flows(c, true, err, sizeof err);
    if (rc == 0 && o->stats_ms)
        rc = trawl_capture_set_mode(c, TRAWL_CAPTURE_STATISTICS, o->stats_ms,
                                    err, sizeof err);
    if (rc == 0)
        rc = trawl_capture_set_buffer(c, o->buffer_bytes, err, sizeof err);
    if (rc < 0) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    struct trawl_expr_options eo = {.pcap_filter = o->bpf};
    if (o->expr &&
        trawl_capture_set_filter(c, o->expr, &eo, err, sizeof err) < 0)
        return cli_usage_error(&cli_cmd_capture, "%s", err);
    if (trawl_capture_set_trigger(c, &o->trigger, err, sizeof err) < 0 ||
        trawl_capture_set_keep(c, &o->keep, err, sizeof err) < 0)
        return cli_usage_error(&cli_cmd_capture, "%s", err);
    return CLI_OK;
}

/* ---- the end --------------------------------------------------------------------- */

/* With --buffer the packets held go out once the capture has stopped. */
static int drain_buffer(struct cap_run *r) {
    struct trawl_pkt pkt;
    r->from_buffer = true;
    for (uint64_t i = 0;
         trawl_capture_buffer_get(r->c, i, &pkt, NULL, 0) == 0; i++) {
        on_packet(r, &pkt);
        if (r->failed)
            return CLI_FAIL;
    }
    return CLI_OK;
}

static void print_latency(int64_t ns) {
    if (ns < 0)
        fputs("-", stderr);
    else
        fprintf(stderr, "%.1f", (double)ns / 1000.0);
}

static const char *plural(uint64_t n) {
    return n == 1 ? "" : "s";
}

/* tcpdump's final lines, in its words, for the people and scripts that
 * read them: what was kept (written or printed), what the kernel filter
 * let through (tcpdump's "received by filter" counts what the kernel then
 * dropped too), what the kernel dropped, and what the interface dropped
 * when it dropped any. */
static void print_tcpdump_lines(const struct trawl_counters *k) {
    uint64_t by_filter = k->received + k->kernel_dropped;
    fprintf(stderr, "%" PRIu64 " packet%s captured\n", k->captured,
            plural(k->captured));
    fprintf(stderr, "%" PRIu64 " packet%s received by filter\n", by_filter,
            plural(by_filter));
    fprintf(stderr, "%" PRIu64 " packet%s dropped by kernel\n",
            k->kernel_dropped, plural(k->kernel_dropped));
    if (k->interface_dropped)
        fprintf(stderr, "%" PRIu64 " packet%s dropped by interface\n",
                k->interface_dropped, plural(k->interface_dropped));
}

static void print_statistics(const struct cap_run *r) {
    trawl_capture *c = r->c;
    struct trawl_buffer_stats bs;
    trawl_capture_buffer_stats(c, &bs);
    struct trawl_counters k;
    char buf[320];
    fprintf(stderr, "trawl: capture stopped (%s)\n",
            r->stdout_gone ? "standard output closed"
                           : trawl_stop_reason_name(bs.reason));
    counters(r, UINT32_MAX, &k);
    print_tcpdump_lines(&k);
    format_counters(buf, sizeof buf, &k);
    fprintf(stderr, "trawl: %s, %" PRIu64 " captured-bytes\n", buf,
            k.captured_bytes);
    size_t n = trawl_capture_iface_count(c);
    for (uint32_t i = 0; n > 1 && i < n; i++) {
        counters(r, i, &k);
        format_counters(buf, sizeof buf, &k);
        fprintf(stderr, "trawl:   %s: %s\n", trawl_capture_iface(c, i)->name,
                buf);
    }
    if (r->o->buffer_bytes)
        fprintf(stderr,
                "trawl: buffer: %" PRIu64 " packets held, %" PRIu64
                " bytes, %" PRIu64 " discarded\n",
                bs.packets, bs.bytes, bs.discarded);
    struct trawl_stream_stats *ss = calloc(MAX_STREAMS_SHOWN, sizeof *ss);
    size_t ns = ss ? trawl_capture_streams(c, ss, MAX_STREAMS_SHOWN) : 0;
    for (size_t i = 0; i < ns && i < MAX_STREAMS_SHOWN; i++) {
        fprintf(stderr,
                "trawl: stream %" PRIu32 ": %" PRIu64 " packets, %" PRIu64
                " bytes, %" PRIu64 " lost, %" PRIu64 " duplicates, %" PRIu64
                " reordered, %" PRIu64 " payload-errors, latency ",
                ss[i].stream, ss[i].packets, ss[i].bytes, ss[i].lost,
                ss[i].duplicates, ss[i].reordered, ss[i].payload_errors);
        print_latency(ss[i].latency_min_ns);
        fputc('/', stderr);
        print_latency(ss[i].latency_avg_ns);
        fputc('/', stderr);
        print_latency(ss[i].latency_max_ns);
        fputs(" us (min/avg/max)\n", stderr);
    }
    free(ss);
}

/* ---- the loop ---------------------------------------------------------------------- */

/* SIGHUP: the output starts a new file (with -w). */
static volatile sig_atomic_t rotate_signal;

static void on_hup(int sig) {
    (void)sig;
    rotate_signal = 1;
}

static void catch_hup(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_hup;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
}

static int capture_loop(struct cap_run *r) {
    const struct trawl_capture_events ev = {
        .on_packet = r->o->buffer_bytes ? NULL : on_packet,
        .on_statistics = on_statistics,
    };
    bool stop_sent = false;
    for (;;) {
        if (cli_stop_signal && !stop_sent) {
            trawl_capture_stop(r->c);
            stop_sent = true;
        }
        int n = trawl_capture_pump(r->c, &ev, r, PUMP_MS, r->err,
                                   sizeof r->err);
        if (n == TRAWL_ESTOPPED)
            return CLI_OK;
        if (n < 0)
            return CLI_FAIL;
        if (r->failed)
            continue; /* stopping: the message is kept */
        bool hup = rotate_signal;
        if (hup)
            rotate_signal = 0;
        if (r->out &&
            capture_out_tick(r->out, hup, r->err, sizeof r->err) < 0) {
            r->failed = 1;
            trawl_capture_stop(r->c);
        }
        /* A terminal sees every packet at once; a pipe gets large writes,
         * but never waits more than a pump's time for them. */
        if (r->tty_out || n == 0 || mono_ms() - r->text_ms >= PUMP_MS)
            flush_text(r);
        watch_stdout(r);
        show_line(r);
    }
}

/* As tcpdump says it, once the sockets are open and the output too: also
 * the sign, for scripts, that packets from now on are seen. */
static void say_listening(const trawl_capture *c) {
    for (uint32_t i = 0; i < trawl_capture_iface_count(c); i++) {
        const struct trawl_iface *ifc = trawl_capture_iface(c, i);
        const char *desc, *name = trawl_linktype_name(ifc->linktype, &desc);
        if (name)
            fprintf(stderr,
                    "trawl: listening on %s, link-type %s (%s), snapshot "
                    "length %" PRIu32 " bytes\n",
                    ifc->name, name, desc ? desc : name, ifc->snaplen);
        else
            fprintf(stderr,
                    "trawl: listening on %s, link-type %d, snapshot length "
                    "%" PRIu32 " bytes\n",
                    ifc->name, ifc->linktype, ifc->snaplen);
    }
}

/* A -w FILE whose directory is missing or not writable is refused before
 * any interface opens, in the words the writer uses, as tcpdump refuses
 * it; a split output would otherwise find out at its first packet. A
 * directory part with strftime conversions is left to the output. */
static int check_write_dir(const char *path) {
    if (!path || strcmp(path, "-") == 0)
        return CLI_OK;
    const char *slash = strrchr(path, '/');
    char dir[4096] = ".";
    if (slash) {
        size_t len = slash == path ? 1 : (size_t)(slash - path);
        if (len >= sizeof dir || memchr(path, '%', len))
            return CLI_OK;
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    if (access(dir, W_OK | X_OK) == 0)
        return CLI_OK;
    cli_error("%s: cannot create: %s", path, strerror(errno));
    return CLI_FAIL;
}

static int run_capture(int argc, char **argv) {
    struct capture_opts o;
    int rc = capture_parse_args(argc, argv, &o);
    if (rc) {
        capture_opts_free(&o);
        return rc == CAPTURE_HELP ? CLI_OK : rc;
    }
    struct cap_run r = {.o = &o};
    char err[TRAWL_ERRBUF_SIZE];
    if (trawl_capture_new(&r.c, err, sizeof err) < 0) {
        cli_error("%s", err);
        capture_opts_free(&o);
        return CLI_FAIL;
    }
    int status = configure(r.c, &o);
    if (status == CLI_OK)
        status = check_write_dir(o.write_to);
    if (status != CLI_OK)
        goto out;
    status = CLI_FAIL;
    bool printing = o.print.output != OUT_NONE;
    if (printing && !(r.v = trawl_view_new())) {
        cli_error("out of memory");
        goto out;
    }
    if (r.v)
        trawl_view_verify_checksums(r.v, o.print.verify_checksums);
    r.tty_out = isatty(STDOUT_FILENO);
    r.tty_err = isatty(STDERR_FILENO);
    print_ctx_init(&r.pc, &r.text, NULL, o.print.time_format);
    r.pc.capture = r.c;
    cli_catch_stop_signals();
    /* A reader of standard output that goes away ends the capture
     * cleanly (final statistics, status 0), as in tcpdump, instead of
     * killing it. */
    signal(SIGPIPE, SIG_IGN);
    r.watch_stdout = (printing || o.stats_ms ||
                      (o.write_to && strcmp(o.write_to, "-") == 0)) &&
                     stdout_watchable();
    if (o.write_to)
        catch_hup();
    if (trawl_capture_start(r.c, err, sizeof err) < 0) {
        cli_error("%s", err);
        goto out;
    }
    if (o.write_to && !o.buffer_bytes &&
        capture_out_open(&r.out, &o, r.c, err, sizeof err) < 0) {
        cli_error("%s", err);
        goto out;
    }
    say_listening(r.c);
    if (o.print.output == OUT_FIELDS && (o.print.pf.header || o.print.pf.bom))
        print_fields_header(&r.text, &o.print.pf);

    status = capture_loop(&r);
    if (status == CLI_OK && !r.failed && o.buffer_bytes &&
        (o.write_to || printing)) {
        if (o.write_to &&
            capture_out_open(&r.out, &o, r.c, r.err, sizeof r.err) < 0)
            r.failed = 1;
        else
            status = drain_buffer(&r);
    }
    flush_text(&r);
    clear_line(&r);
    if (status == CLI_FAIL && !r.failed)
        cli_error("%s", r.err);
    if (r.out) {
        /* Closed here, freed at the end: its drops still count in the
         * statistics. */
        char cerr[TRAWL_ERRBUF_SIZE];
        if (capture_out_close(r.out, r.c, cerr, sizeof cerr) < 0 &&
            !r.failed) {
            r.failed = 1;
            snprintf(r.err, sizeof r.err, "%s", cerr);
        }
    }
    /* -w - whose reader went away: the write failed for that alone. */
    if (r.failed && r.watch_stdout && o.write_to && stdout_reader_gone()) {
        r.failed = 0;
        r.stdout_gone = true;
    }
    if (r.failed) {
        cli_error("%s", r.err);
        status = CLI_FAIL;
    }
    if (trawl_capture_stop_reason(r.c) == TRAWL_STOPPED_ERROR)
        status = CLI_FAIL;
    if (r.text.oom) {
        cli_error("out of memory: some output was dropped");
        status = CLI_FAIL;
    }
    if (r.out_errno) {
        cli_error("writing standard output: %s", strerror(r.out_errno));
        status = CLI_FAIL;
    }
    print_statistics(&r);
out:
    if (r.out) {
        capture_out_close(r.out, r.c, NULL, 0);
        capture_out_free(r.out);
    }
    trawl_capture_close(r.c);
    trawl_view_free(r.v);
    print_ctx_free(&r.pc);
    pbuf_free(&r.text);
    capture_opts_free(&o);
    return status;
}

const struct cli_command cli_cmd_capture = {
    .name = "capture",
    .summary = "capture packets live on network interfaces",
    .run = run_capture,
    .usage = capture_usage,
};
