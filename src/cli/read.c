/* trawl read — read traces, then print each packet or write them all to a
 * new file. Options are parsed in read_args.c, packets printed by the
 * print_*.c formats; this file is the loop between a reader and a sink. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/print.h"
#include "cli/read.h"

/* Text output is handed to the kernel in writes of about this size; a
 * terminal gets it sooner, so lines appear as they are printed. */
#define OUT_FLUSH_AT (256u << 10)
#define OUT_FLUSH_AT_TTY (4u << 10)
/* In --follow mode the reader gives control back this often when nothing
 * arrives, so that output is flushed and Ctrl-C is seen. */
#define FOLLOW_POLL_MS 200
/* Replies -2 remembers for their calls (at most 32 bytes each). */
#define TWO_PASS_REPLIES (4u << 20)

struct read_run {
    struct read_opts *o;
    trawl_reader *r;
    trawl_output *w; /* -w */
    trawl_view *v;
    trawl_flows *flows; /* RPC reassembly and call pairing, with v */
    trawl_expr *e;      /* the filter, or NULL */
    struct pbuf out;
    size_t flush_at;
    int out_errno; /* first error writing standard output */
    struct print_ctx pc;
    struct progress prog;
    /* -w: writer interface id of each reader interface, UINT32_MAX until
     * declared. */
    uint32_t *ifmap;
    size_t nifmap;
    uint64_t packets;
    char err[TRAWL_ERRBUF_SIZE];
};

static void flush_out(struct read_run *rr) {
    if (!rr->out.len)
        return;
    int rc = pbuf_flush_fd(&rr->out, STDOUT_FILENO);
    if (rc < 0 && !rr->out_errno)
        rr->out_errno = -rc;
}

/* Reader warnings go to stderr between whole packets of output. */
static void on_warning(void *ctx, const char *msg) {
    struct read_run *rr = ctx;
    flush_out(rr);
    progress_clear(&rr->prog);
    cli_warn("%s", msg);
}

/* Every trace must exist before any packet is printed: a typo in the
 * third name should not surface after two files' worth of output. */
static int check_files(const struct read_opts *o) {
    for (size_t i = 0; i < o->nfiles; i++) {
        struct stat st;
        if (strcmp(o->files[i], "-") == 0)
            continue;
        if (stat(o->files[i], &st) < 0) {
            cli_error("%s: cannot open: %s", o->files[i], strerror(errno));
            return CLI_FAIL;
        }
        if (S_ISDIR(st.st_mode)) {
            cli_error("%s: cannot read: it is a directory", o->files[i]);
            return CLI_FAIL;
        }
    }
    return CLI_OK;
}

/* Compiles the filter before anything is read: a bad expression stops
 * trawl with the compiler's message (column, token, suggestion). */
static int compile_expression(const struct read_opts *o, trawl_expr **out) {
    struct trawl_expr_options eo = {.pcap_filter = o->bpf};
    char err[TRAWL_ERRBUF_SIZE];
    if (trawl_expr_compile(out, o->expr, &eo, err, sizeof err) < 0)
        return cli_usage_error(&cli_cmd_read, "%s", err);
    return CLI_OK;
}

/* ---- writing ------------------------------------------------------------- */

/* -F, else what OUT's name says, else the first input's own format. */
static enum trawl_format output_format(const struct read_opts *o,
                                       const trawl_reader *r) {
    const char *in = trawl_reader_format(r);
    if (o->write_format != READ_FORMAT_AUTO)
        return (enum trawl_format)o->write_format;
    if (cli_has_suffix(o->write_to, ".pcapng"))
        return TRAWL_FORMAT_PCAPNG;
    if (!cli_has_suffix(o->write_to, ".pcap") && strcmp(in, "pcapng") == 0)
        return TRAWL_FORMAT_PCAPNG;
    return strcmp(in, "pcap-ns") == 0 ? TRAWL_FORMAT_PCAP_NS
                                      : TRAWL_FORMAT_PCAP;
}

static int open_writer(struct read_run *rr) {
    const struct read_opts *o = rr->o;
    struct trawl_output_options wopt = {
        .path = o->write_to,
        .format = output_format(o, rr->r),
        .section_comment = trawl_reader_section_comment(rr->r),
        /* Only a followed trace is still growing, and its copy with it;
         * files read to their end are copied as fast as they can be. */
        .flush_interval_ms = o->follow ? 0 : TRAWL_OUTPUT_NO_TIMED_FLUSH,
    };
    split_opts_apply(&o->split, &wopt);
    return trawl_output_open(&rr->w, &wopt, rr->err, sizeof rr->err);
}

static int declare_iface(struct read_run *rr, uint32_t id) {
    if (id >= rr->nifmap) {
        size_t n = (size_t)id + 1;
        uint32_t *m = realloc(rr->ifmap, n * sizeof *m);
        if (!m) {
            snprintf(rr->err, sizeof rr->err, "out of memory");
            return TRAWL_ENOMEM;
        }
        for (size_t k = rr->nifmap; k < n; k++)
            m[k] = UINT32_MAX;
        rr->ifmap = m;
        rr->nifmap = n;
    }
    if (rr->ifmap[id] != UINT32_MAX)
        return 0;
    const struct trawl_iface *ifc = trawl_reader_iface(rr->r, id);
    if (!ifc) {
        snprintf(rr->err, sizeof rr->err,
                 "interface %" PRIu32 " is not known to the reader", id);
        return TRAWL_EINTERNAL;
    }
    return trawl_output_add_iface(rr->w, ifc, &rr->ifmap[id], rr->err,
                                  sizeof rr->err);
}

/* Interfaces are declared to the writer as packets need them. pcapng
 * gets every interface up to the packet's, in the reader's order, so
 * interface ids survive the copy; pcap gets only those that carry
 * packets, since it holds one link type. The packet's interface id is
 * rewritten in place to the writer's: the loop does not look at it again,
 * and copying the record descriptor for every packet costs measurably on
 * the copy path. */
static int write_packet(struct read_run *rr, struct trawl_pkt *pkt) {
    if (pkt->iface >= rr->nifmap || rr->ifmap[pkt->iface] == UINT32_MAX) {
        bool all = output_format(rr->o, rr->r) == TRAWL_FORMAT_PCAPNG;
        for (uint32_t id = all ? 0 : pkt->iface; id <= pkt->iface; id++) {
            int rc = declare_iface(rr, id);
            if (rc < 0)
                return rc;
        }
    }
    pkt->iface = rr->ifmap[pkt->iface];
    return trawl_output_write(rr->w, pkt, rr->err, sizeof rr->err);
}

/* ---- printing ------------------------------------------------------------ */

/* The view is already set on the packet. */
static void print_one(struct read_run *rr) {
    print_packet(&rr->pc, rr->v, &rr->o->print);
    if (rr->out.len >= rr->flush_at)
        flush_out(rr);
}

/* ---- the loop ------------------------------------------------------------ */

/* -2: feeds every packet to the flows, which remember where the replies
 * are, then starts again from the first packet with the flows reset (the
 * replies they remember stay). Returns 0 or a negative error (the message
 * in rr->err). */
static int first_pass(struct read_run *rr) {
    struct trawl_pkt pkt;
    int rc = 0;
    while (!cli_stop_signal &&
           (rc = trawl_reader_next(rr->r, &pkt, rr->err, sizeof rr->err)) > 0) {
        trawl_view_set(rr->v, &pkt);
        trawl_flows_feed(rr->flows, rr->v);
    }
    if (rc < 0)
        return rc;
    trawl_flows_reset(rr->flows);
    return trawl_reader_seek(rr->r, 0, rr->err, sizeof rr->err);
}

/* With a view (printing, or a filter): sets it on the packet where it is
 * needed, and tells whether the filter rejects it. What the packet's bytes
 * decide (most packets of simple filters) is decided before the view is
 * set, so a packet that is only written, or not kept, is never decoded.
 * The flows must see every packet decoded, so with them every view is set
 * first. */
static bool filter_out(struct read_run *rr, const struct trawl_pkt *pkt) {
    bool printing = rr->o->print.output != OUT_NONE;
    /* Times are relative to the first and previous packets read,
     * matching or not, as in tshark -Y. */
    if (printing)
        print_begin_packet(&rr->pc, pkt);
    int m = rr->e && !rr->flows ? trawl_expr_match_bytes(rr->e, pkt) : -1;
    if (m < 0 || (m > 0 && printing)) {
        trawl_view_set(rr->v, pkt);
        if (rr->flows)
            trawl_flows_feed(rr->flows, rr->v);
        if (m < 0 && rr->e)
            m = rr->flows ? trawl_expr_match(rr->e, rr->v)
                          : trawl_expr_match_view(rr->e, rr->v);
    }
    return m == 0;
}

/* Reads until the end, -c, a signal or an error. Returns CLI_OK or
 * CLI_FAIL (the message is in rr->err). */
static int read_loop(struct read_run *rr) {
    const struct read_opts *o = rr->o;
    struct trawl_pkt pkt;
    while (!cli_stop_signal && (!o->count || rr->packets < o->count)) {
        int rc = trawl_reader_next(rr->r, &pkt, rr->err, sizeof rr->err);
        if (rc == 0)
            return CLI_OK;
        if (rc == TRAWL_EAGAIN && o->follow) {
            /* Nothing new for a while: show what we have. */
            flush_out(rr);
            if (rr->w && trawl_output_flush(rr->w, rr->err, sizeof rr->err) < 0)
                return CLI_FAIL;
            continue;
        }
        if (rc < 0)
            return CLI_FAIL;
        if (rr->v && filter_out(rr, &pkt)) {
            progress_update(&rr->prog, rr->r, rr->packets);
            continue;
        }
        rr->packets++;
        if (rr->w) {
            if (write_packet(rr, &pkt) < 0)
                return CLI_FAIL;
        } else if (o->print.output != OUT_NONE) {
            print_one(rr);
        }
        progress_update(&rr->prog, rr->r, rr->packets);
    }
    return CLI_OK;
}

static int run_read(int argc, char **argv) {
    struct read_opts o;
    int rc = read_parse_args(argc, argv, &o);
    if (rc) {
        read_opts_free(&o);
        return rc == READ_HELP ? CLI_OK : rc;
    }
    trawl_expr *e = NULL;
    if (o.expr && (rc = compile_expression(&o, &e)) != CLI_OK) {
        read_opts_free(&o);
        return rc;
    }
    if ((rc = check_files(&o)) != CLI_OK) {
        trawl_expr_free(e);
        read_opts_free(&o);
        return rc;
    }

    struct read_run rr = {.o = &o, .e = e};
    int status = CLI_FAIL;
    struct trawl_reader_options ropt = {
        .follow = o.follow,
        .follow_timeout_ms = o.follow ? FOLLOW_POLL_MS : 0,
        .warn = on_warning,
        .warn_ctx = &rr,
    };
    rr.flush_at =
        o.follow || isatty(STDOUT_FILENO) ? OUT_FLUSH_AT_TTY : OUT_FLUSH_AT;
    cli_catch_stop_signals();
    /* A followed file may not have its header yet (a writer that has
     * only just created it): wait for it, as for later data. */
    while ((rc = trawl_reader_open(&rr.r, o.files, o.nfiles, &ropt, rr.err,
                                   sizeof rr.err)) == TRAWL_EAGAIN &&
           o.follow && !cli_stop_signal)
        ;
    if (rc == TRAWL_EAGAIN && cli_stop_signal) {
        status = CLI_OK; /* stopped before the file had a header */
        goto out;
    }
    if (rc < 0) {
        cli_error("%s", rr.err);
        goto out;
    }
    print_ctx_init(&rr.pc, &rr.out, rr.r, o.print.time_format);
    if (o.write_to && open_writer(&rr) < 0) {
        cli_error("%s", rr.err);
        goto out;
    }
    if ((o.print.output != OUT_NONE || rr.e) && !(rr.v = trawl_view_new())) {
        cli_error("out of memory");
        goto out;
    }
    if (rr.v)
        trawl_view_verify_checksums(rr.v, o.print.verify_checksums);
    bool flows = rr.v && cli_needs_flows(rr.e, o.print.pf.fields,
                                         o.print.pf.nfields,
                                         o.print.output != OUT_FIELDS &&
                                             o.print.output != OUT_NONE);
    /* A second pass shows rpc.reqframe, which only the flows give. */
    struct trawl_flows_options fopt = {
        .max_replies = o.two_pass ? TWO_PASS_REPLIES : 0};
    flows = flows || (rr.v && o.two_pass);
    if (flows && trawl_flows_new(&rr.flows, &fopt, rr.err, sizeof rr.err) < 0) {
        cli_error("%s", rr.err);
        goto out;
    }
    if (flows && o.two_pass && first_pass(&rr) < 0) {
        cli_error("%s", rr.err);
        goto out;
    }
    bool to_file = o.write_to && strcmp(o.write_to, "-") != 0;
    progress_init(&rr.prog, rr.r, to_file);
    if (o.print.output == OUT_FIELDS && (o.print.pf.header || o.print.pf.bom))
        print_fields_header(&rr.out, &o.print.pf);

    status = read_loop(&rr);
    /* What was read is printed (and written) before any error message,
     * so nothing already decoded is lost. */
    progress_clear(&rr.prog);
    flush_out(&rr);
    char werr[TRAWL_ERRBUF_SIZE];
    int wrc = 0;
    struct trawl_output_stats wst = {0};
    if (rr.w) {
        trawl_output_get_stats(rr.w, &wst);
        wrc = trawl_output_close(rr.w, werr, sizeof werr);
        rr.w = NULL;
    }
    if (status == CLI_FAIL)
        cli_error("%s", rr.err);
    if (wrc < 0) {
        cli_error("%s", werr);
        status = CLI_FAIL;
    } else if (o.write_to && isatty(STDERR_FILENO)) {
        if (wst.files > 1)
            fprintf(stderr,
                    "trawl: %" PRIu64 " packet%s written to %" PRIu64
                    " files (%s)%s\n",
                    rr.packets, rr.packets == 1 ? "" : "s", wst.files,
                    o.write_to,
                    wst.removed ? ", the oldest removed" : "");
        else
            fprintf(stderr, "trawl: %" PRIu64 " packet%s written to %s\n",
                    rr.packets, rr.packets == 1 ? "" : "s",
                    to_file ? o.write_to : "standard output");
    }
    if (rr.out.oom) {
        cli_error("out of memory: some output was dropped");
        status = CLI_FAIL;
    }
    if (rr.out_errno) {
        cli_error("writing standard output: %s", strerror(rr.out_errno));
        status = CLI_FAIL;
    }
    if (o.quiet)
        fprintf(stderr, "trawl: %" PRIu64 " packet%s\n", rr.packets,
                rr.packets == 1 ? "" : "s");
out:
    if (rr.w)
        trawl_output_close(rr.w, NULL, 0);
    trawl_view_free(rr.v);
    trawl_flows_free(rr.flows);
    trawl_expr_free(rr.e);
    trawl_reader_close(rr.r);
    print_ctx_free(&rr.pc);
    pbuf_free(&rr.out);
    free(rr.ifmap);
    read_opts_free(&o);
    return status;
}

const struct cli_command cli_cmd_read = {
    .name = "read",
    .summary = "read, decode, print and convert trace files",
    .run = run_read,
    .usage = read_usage,
};
