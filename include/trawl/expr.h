/* trawl — filter expressions: compile once, match every packet.
 *
 * One language accepts Wireshark display-filter fields, Allegro expert
 * filter operands, NFStest pktt match expressions, Polycube filters and,
 * when the text is not valid in that language, pcap-filter (tcpdump) syntax
 * compiled by libpcap. docs/expressions.md is the reference.
 *
 *     char err[TRAWL_ERRBUF_SIZE];
 *     trawl_expr *e;
 *     if (trawl_expr_compile(&e, "tcp.port == 80 and ip == 10.0/16", NULL,
 *                            err, sizeof err) < 0)
 *         fprintf(stderr, "error: %s\n", err);
 *     ...
 *     trawl_view_set(view, &pkt);
 *     if (trawl_expr_match(e, view))
 *         keep(&pkt);
 *     ...
 *     trawl_expr_free(e);
 *
 * A compiled expression is used by one thread at a time (it keeps the
 * regular-expression match data and the per-link-type pcap-filter programs
 * it matches with); compile it once per thread to filter in parallel.
 */
#ifndef TRAWL_EXPR_H
#define TRAWL_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "trawl/decode.h"
#include "trawl/error.h"
#include "trawl/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trawl_expr trawl_expr;

/* Which language the text was read in. */
enum trawl_expr_reading {
    TRAWL_EXPR_TRAWL = 0, /* trawl's own language */
    TRAWL_EXPR_PCAP,      /* pcap-filter, compiled by libpcap */
};

struct trawl_expr_options {
    /* Read the text as pcap-filter only (`--bpf`). */
    bool pcap_filter;
    /* The link type (LINKTYPE_*) of the packets, when the caller knows it:
     * a pcap-filter program is then compiled at once. Otherwise it is
     * compiled when the first packet of each link type is matched. */
    bool has_linktype;
    int linktype;
};

/* Compiles `text`. On success stores a new expression in *out (free it
 * with trawl_expr_free) and returns 0. On failure returns TRAWL_EEXPR (or
 * TRAWL_ENOMEM) and writes a message naming the column, the offending token,
 * what was expected and, for a misspelt name, a suggestion:
 *   unknown operand 'prot' at column 1 (did you mean 'port'?)
 * `opt` may be NULL (defaults). An empty text matches every packet. The
 * expression does not keep `text` or `opt`. */
TRAWL_API int trawl_expr_compile(trawl_expr **out, const char *text,
                                 const struct trawl_expr_options *opt,
                                 char *errbuf, size_t errlen);

/* True when the packet `v` was last set with matches. Allocates nothing
 * (except, once per new link type, a pcap-filter program, and at the
 * first whole Ethernet packet the pre-filter: the kernel part run on the
 * bytes, which rejects what cannot match before anything is decoded) and
 * decodes only the layers the expression needs; `and`/`or` stop as soon
 * as the result is known. */
TRAWL_API bool trawl_expr_match(trawl_expr *e, trawl_view *v);

/* trawl_expr_match() in two steps, for a caller that holds the packet
 * before setting a view on it, so that what the bytes decide costs no
 * decoding setup at all. trawl_expr_match_bytes() returns 1 (matches) or
 * 0 (does not) when the packet's bytes alone decide (the pre-filter; a
 * pcap-filter reading always decides), -1 when the packet must be
 * decoded: then set a view on that same packet and call
 * trawl_expr_match_view(), which evaluates without reading the bytes
 * again. Either step alone is not trawl_expr_match(): the first may not
 * decide, the second skips what the first did. */
TRAWL_API int trawl_expr_match_bytes(trawl_expr *e,
                                     const struct trawl_pkt *pkt);
TRAWL_API bool trawl_expr_match_view(trawl_expr *e, trawl_view *v);

/* The part of the expression the kernel can run, for a capture on link
 * type `linktype` (LINKTYPE_*): a pcap-filter text (compile it with
 * pcap_compile on the capture's handle) that selects a superset of what
 * the expression matches, written into buf; "" when the kernel cannot
 * help (every packet goes up). *exact says whether the text selects
 * exactly the matches (a pcap-filter reading), so user space may skip
 * evaluating. Returns 0, or TRAWL_ENOMEM when buf is too small. */
TRAWL_API int trawl_expr_kernel(trawl_expr *e, int linktype, char *buf,
                                size_t len, bool *exact);

TRAWL_API void trawl_expr_free(trawl_expr *e);

TRAWL_API enum trawl_expr_reading trawl_expr_reading(const trawl_expr *e);

/* Whether the expression looks at protocol `proto` ("nfs"): at one of its
 * fields, or at whether a packet has it. False for pcap-filter. A reader
 * can then skip work only that protocol needs (trawl/flows.h). */
TRAWL_API bool trawl_expr_uses_proto(const trawl_expr *e, const char *proto);

/* The fields the expression reads: writes up to `max` into out (each
 * once) and returns how many there are. 0 for pcap-filter. */
TRAWL_API size_t trawl_expr_fields(const trawl_expr *e,
                                   const trawl_field **out, size_t max);

/* The text the expression was compiled from; owned by the expression. */
TRAWL_API const char *trawl_expr_text(const trawl_expr *e);

/* When a pcap-filter expression could not be compiled for the link type
 * of some packet (`ether host ...` on raw IP packets), those packets do
 * not match and this returns libpcap's message (owned by the expression,
 * valid until the next match); NULL otherwise. */
TRAWL_API const char *trawl_expr_runtime_error(const trawl_expr *e);

/* Describes the expression for people: the reading taken (and whether the
 * other reading was valid too), the parse tree, the kernel/user split and
 * the evaluation plan, or the BPF program of a pcap-filter expression.
 * trawl_expr_explain writes to `out` and returns 0 or TRAWL_EIO;
 * trawl_expr_explain_buf writes into buf (always NUL-terminated) and
 * returns the length it wanted, as snprintf. */
TRAWL_API int trawl_expr_explain(trawl_expr *e, FILE *out);
TRAWL_API size_t trawl_expr_explain_buf(trawl_expr *e, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
