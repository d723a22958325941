/* The offline pre-filter: the kernel part of an expression (kernel.c),
 * compiled once with libpcap and run over a packet's bytes before the
 * evaluator decodes anything, so that a trace read with a filter skips
 * decoding most of what the filter rejects, as a capture's kernel does.
 *
 * Why rejecting on it is exact: the kernel part is a necessary condition
 * of the whole expression (kernel.c says why), so a packet it rejects
 * cannot match; one it passes is evaluated in full, as without it. It
 * reads only the packet's bytes and the view is left untouched, so the
 * flows, the RPC calls `--reply` remembers and everything else fed from
 * the view see what they saw before; frame numbers and times come from
 * the records, not from matching.
 *
 * Where it applies: Ethernet packets captured whole (caplen == len). The
 * kernel part is written for Ethernet, and a packet cut by the snapshot
 * length would stop a BPF load that its wire length promised to cover.
 *
 * Why it can step aside: where it rejects few packets (a filter that
 * matches most of a trace, or packets a capture's kernel already ran the
 * same program on) it only adds its cost, so after each window of packets
 * in which it rejected too few it rests for a while, then looks again.
 * Resting changes what is decoded, never what matches. */
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"

enum {
    LINKTYPE_ETHERNET = 1,
    /* Longer kernel parts (hundreds of tests) are not worth a program. */
    PRE_TEXT_MAX = 65536,
    PRE_WINDOW = 4096,     /* packets between looks at what it rejected */
    PRE_MIN_REJECT = 1024, /* rejections in a window that pay for it */
    PRE_REST = 65536,      /* packets it then leaves alone */
};

/* TRAWL_NO_PREFILTER=1 turns it off, for the tests that compare the
 * matches with and without it (docs/DEVELOPING.md). */
static bool disabled_by_env(void) {
    const char *s = getenv("TRAWL_NO_PREFILTER");
    return s && *s && strcmp(s, "0") != 0;
}

/* Compiles the kernel part for Ethernet into e->pre, or leaves it NULL:
 * when there is none (no test has a translation), when it is too long, or
 * when libpcap refuses it (which would be a bug of kernel.c; matching
 * stays exact without it). */
static void prefilter_open(trawl_expr *e) {
    e->pre_tried = true;
    if (disabled_by_env())
        return;
    char *text = malloc(PRE_TEXT_MAX);
    if (!text)
        return;
    bool exact;
    if (trawl_expr_kernel(e, LINKTYPE_ETHERNET, text, PRE_TEXT_MAX, &exact) ==
            0 &&
        text[0]) {
        struct trawl_expr_options opt = {.has_linktype = true,
                                         .linktype = LINKTYPE_ETHERNET};
        char err[TRAWL_ERRBUF_SIZE];
        if (expr_pcap_new(&e->pre, text, &opt, err, sizeof err) < 0)
            e->pre = NULL;
    }
    free(text);
}

bool expr_prefilter_rejects(trawl_expr *e, const struct trawl_pkt *pkt) {
    if (pkt->linktype != LINKTYPE_ETHERNET || pkt->caplen != pkt->len)
        return false;
    if (!e->pre_tried)
        prefilter_open(e);
    if (!e->pre)
        return false;
    if (e->pre_rest) {
        e->pre_rest--;
        return false;
    }
    bool reject = !expr_pcap_match(e->pre, pkt);
    e->pre_rejected += reject;
    if (++e->pre_seen == PRE_WINDOW) {
        if (e->pre_rejected < PRE_MIN_REJECT)
            e->pre_rest = PRE_REST;
        e->pre_seen = e->pre_rejected = 0;
    }
    return reject;
}
