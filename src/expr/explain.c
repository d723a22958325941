/* explain: what an expression was read as, its tree and its plan, in the
 * words a user would write them. */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

#include "decode/decode.h"
#include "expr/expr.h"

void expr_printf(struct expr_out *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (o->f) {
        vfprintf(o->f, fmt, ap);
    } else {
        size_t room = o->pos < o->len ? o->len - o->pos : 0;
        int n = vsnprintf(room ? o->buf + o->pos : NULL, room, fmt, ap);
        if (n > 0)
            o->pos += (size_t)n;
    }
    va_end(ap);
}

static void print_bytes(struct expr_out *o, const struct expr_val *v,
                        bool text) {
    bool printable = true;
    for (size_t k = 0; k < v->b.len; k++)
        if (!isprint(v->b.p[k]))
            printable = false;
    if (text || (printable && v->b.len)) {
        expr_printf(o, "\"");
        for (size_t k = 0; k < v->b.len; k++) {
            unsigned char c = v->b.p[k];
            if (c == '"' || c == '\\')
                expr_printf(o, "\\%c", c);
            else if (isprint(c))
                expr_printf(o, "%c", c);
            else
                expr_printf(o, "\\x%02x", c);
        }
        expr_printf(o, "\"");
        return;
    }
    for (size_t k = 0; k < v->b.len; k++)
        expr_printf(o, "%s%02x", k ? ":" : "", v->b.p[k]);
}

static void print_val(struct expr_out *o, const struct expr_test *t,
                      const struct expr_val *v) {
    switch (t->ctype) {
    case EXPR_C_UINT: {
        /* Masks and fields tshark shows in hex (eth.type) read best so. */
        bool hex = t->has_mask || t->fields[0]->display == DISP_HEX;
        expr_printf(o, hex ? "0x%" PRIx64 : "%" PRIu64, v->u.lo);
        if (v->u.hi != v->u.lo)
            expr_printf(o, hex ? "..0x%" PRIx64 : "..%" PRIu64, v->u.hi);
        return;
    }
    case EXPR_C_INT:
        expr_printf(o, "%" PRId64, v->i.lo);
        if (v->i.hi != v->i.lo)
            expr_printf(o, "..%" PRId64, v->i.hi);
        return;
    case EXPR_C_DOUBLE: expr_printf(o, "%.17g", v->d); return;
    case EXPR_C_ADDR: {
        char buf[INET6_ADDRSTRLEN];
        unsigned full = t->addr_len * 8u;
        if (t->addr_len == 4)
            inet_ntop(AF_INET, v->addr.a, buf, sizeof buf);
        else if (t->addr_len == 16)
            inet_ntop(AF_INET6, v->addr.a, buf, sizeof buf);
        else
            snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x",
                     v->addr.a[0], v->addr.a[1], v->addr.a[2], v->addr.a[3],
                     v->addr.a[4], v->addr.a[5]);
        expr_printf(o, "%s", buf);
        if (v->addr.prefix < full)
            expr_printf(o, "/%u", v->addr.prefix);
        return;
    }
    case EXPR_C_BYTES:
        print_bytes(o, v, t->fields[0]->type == TRAWL_FT_STRING);
        return;
    case EXPR_C_TIME:
        expr_printf(o, "%" PRId64 ".%09" PRIu32, v->t.sec, v->t.nsec);
        return;
    case EXPR_C_NONE: return;
    }
}

static void print_set(struct expr_out *o, const struct expr_test *t) {
    expr_printf(o, "{");
    for (uint32_t i = 0; i < t->nvals; i++) {
        expr_printf(o, "%s", i ? ", " : "");
        print_val(o, t, &t->vals[i]);
    }
    expr_printf(o, "}");
}

static const char *op_symbol(enum expr_op op) {
    switch (op) {
    case EXPR_OP_LT: return "<";
    case EXPR_OP_LE: return "<=";
    case EXPR_OP_GT: return ">";
    case EXPR_OP_GE: return ">=";
    default: return "==";
    }
}

void expr_describe_test(struct expr_out *o, const struct expr_test *t) {
    if (t->kind == EXPR_T_PROTO) {
        expr_printf(o, "%s", decode_protos[t->proto]->name);
        return;
    }
    if (t->kind == EXPR_T_PAYLOAD) {
        expr_printf(o, "payload matches re('%s')", t->re_text);
        return;
    }
    /* Equality says its quantifier in its operator (== != === !==);
     * the others take Wireshark's `all` prefix. */
    bool eq = t->op == EXPR_OP_EQ || t->op == EXPR_OP_MATCHES;
    if (t->all && !eq && t->op != EXPR_OP_EXISTS)
        expr_printf(o, "all ");
    const char *eq_sym =
        t->negate ? (t->all ? "!=" : "!==") : (t->all ? "===" : "==");
    for (unsigned k = 0; k < t->nfields; k++)
        expr_printf(o, "%s%s", k ? "|" : "", t->fields[k]->name);
    if (t->occ_lo == 0 && t->occ_hi == 0)
        expr_printf(o, "[outermost]");
    else if (t->occ_lo > 0)
        expr_printf(o, "[after the outermost]");
    if (t->has_mask)
        expr_printf(o, " & 0x%" PRIx64, t->mask);
    switch (t->op) {
    case EXPR_OP_EXISTS:
    case EXPR_OP_NONZERO: return;
    case EXPR_OP_MATCHES:
        if (t->caseless)
            expr_printf(o, " %smatches \"%s\"", t->negate ? "not " : "",
                        t->re_text);
        else
            expr_printf(o, " %s re('%s')", eq_sym, t->re_text);
        return;
    case EXPR_OP_CONTAINS:
        expr_printf(o, " contains ");
        print_bytes(o, &t->vals[0], false);
        return;
    case EXPR_OP_EQ:
        if (t->nvals > 1 && !t->negate && !t->all) {
            expr_printf(o, " in ");
            print_set(o, t);
            return;
        }
        expr_printf(o, " %s ", eq_sym);
        for (uint32_t i = 0; i < t->nvals; i++) {
            expr_printf(o, "%s", i ? "," : "");
            print_val(o, t, &t->vals[i]);
        }
        return;
    default:
        expr_printf(o, " %s%s ", t->negate ? "!" : "", op_symbol(t->op));
        print_val(o, t, &t->vals[0]);
        return;
    }
}

/* ---- tree and plan ---- */

static void print_tree(struct expr_out *o, const trawl_expr *e,
                       const struct expr_node *n, unsigned depth,
                       bool show_origin) {
    if (show_origin && n->origin) {
        expr_printf(o, "%*s%s    (column %u)\n", (int)depth * 2, "", n->origin,
                    (unsigned)n->col);
        print_tree(o, e, n, depth + 1, false);
        return;
    }
    expr_printf(o, "%*s", (int)depth * 2, "");
    switch (n->kind) {
    case EXPR_N_CONST:
        expr_printf(o, "%s\n", n->value ? "true" : "false");
        return;
    case EXPR_N_TEST:
        expr_printf(o, "#%u ", (unsigned)n->test);
        expr_describe_test(o, e->tests[n->test]);
        expr_printf(o, "\n");
        return;
    case EXPR_N_NOT:
        expr_printf(o, "not\n");
        print_tree(o, e, n->a, depth + 1, true);
        return;
    case EXPR_N_AND:
    case EXPR_N_OR: {
        expr_printf(o, "%s\n", n->kind == EXPR_N_AND ? "and" : "or");
        /* a and b and c is one level, not a ladder. */
        const struct expr_node *chain[EXPR_MAX_DEPTH];
        size_t k = 0;
        const struct expr_node *m = n;
        while (m->kind == n->kind && !(m != n && m->origin) &&
               k < EXPR_MAX_DEPTH - 1) {
            chain[k++] = m->b;
            m = m->a;
        }
        chain[k++] = m;
        while (k--)
            print_tree(o, e, chain[k], depth + 1, true);
        return;
    }
    }
}

static void print_plan(struct expr_out *o, const trawl_expr *e) {
    expr_printf(o,
                "evaluation plan (%u instructions, %u test%s; and/or "
                "stop as soon as the result is known):\n",
                (unsigned)e->nprog, (unsigned)e->ntests,
                e->ntests == 1 ? "" : "s");
    for (uint32_t i = 0; i < e->nprog; i++) {
        const struct expr_insn *in = &e->prog[i];
        expr_printf(o, "  %3u  ", (unsigned)i);
        switch ((enum expr_opcode)in->op) {
        case EXPR_I_TEST:
            expr_printf(o, "test   #%u ", (unsigned)in->arg);
            expr_describe_test(o, e->tests[in->arg]);
            expr_printf(o, "\n");
            break;
        case EXPR_I_CONST:
            expr_printf(o, "const  %s\n", in->arg ? "true" : "false");
            break;
        case EXPR_I_NOT: expr_printf(o, "not\n"); break;
        case EXPR_I_JF: expr_printf(o, "jf     %u\n", (unsigned)in->arg); break;
        case EXPR_I_JT: expr_printf(o, "jt     %u\n", (unsigned)in->arg); break;
        case EXPR_I_RET: expr_printf(o, "ret\n"); break;
        }
    }
}

/* The kernel part for Ethernet captures, and its BPF program. */
static void print_kernel(struct expr_out *o, trawl_expr *e) {
    char text[8192];
    bool exact;
    int lt = e->opt.has_linktype ? e->opt.linktype : 1;
    if (trawl_expr_kernel(e, lt, text, sizeof text, &exact) < 0 || !text[0]) {
        expr_printf(o, "kernel: nothing (no part of the expression has a "
                       "pcap-filter equivalent); every packet goes to user "
                       "space\n");
        return;
    }
    expr_printf(o, "kernel (pcap-filter, a superset; user space then "
                   "evaluates the whole expression):\n  %s\n", text);
    struct trawl_expr_options opt = {.pcap_filter = true,
                                     .has_linktype = true, .linktype = lt};
    struct expr_pcap *pc;
    char err[TRAWL_ERRBUF_SIZE];
    if (expr_pcap_new(&pc, text, &opt, err, sizeof err) < 0) {
        expr_printf(o, "  (libpcap refused it: %s)\n", err);
        return;
    }
    expr_pcap_explain(pc, o);
    expr_pcap_free(pc);
}

static void explain(trawl_expr *e, struct expr_out *o) {
    expr_printf(o, "expression: %s\n", e->text);
    if (e->reading == TRAWL_EXPR_PCAP) {
        if (e->opt.pcap_filter)
            expr_printf(o, "reading: pcap-filter (forced), compiled by "
                           "libpcap\n");
        else
            expr_printf(o,
                        "reading: pcap-filter, compiled by libpcap (not "
                        "trawl syntax: %s)\n",
                        e->trawl_err ? e->trawl_err : "?");
        expr_printf(o, "kernel: the whole expression (exact); user space "
                       "evaluates nothing more\n");
        expr_pcap_explain(e->pcap, o);
        return;
    }
    char perr[TRAWL_ERRBUF_SIZE];
    if (e->root->kind == EXPR_N_CONST)
        expr_printf(o, "reading: trawl (empty: every packet matches)\n");
    else if (expr_pcap_valid(e->text, &e->opt, perr, sizeof perr))
        expr_printf(o, "reading: trawl (also valid pcap-filter; trawl's "
                       "reading wins)\n");
    else
        expr_printf(o, "reading: trawl (not valid pcap-filter: %s)\n", perr);
    expr_printf(o, "parse tree:\n");
    print_tree(o, e, e->root, 1, true);
    print_kernel(o, e);
    print_plan(o, e);
}

TRAWL_API int trawl_expr_explain(trawl_expr *e, FILE *out) {
    struct expr_out o = {.f = out};
    explain(e, &o);
    return ferror(out) ? TRAWL_EIO : 0;
}

TRAWL_API size_t trawl_expr_explain_buf(trawl_expr *e, char *buf, size_t len) {
    struct expr_out o = {.buf = buf, .len = len};
    if (len)
        buf[0] = '\0';
    explain(e, &o);
    return o.pos;
}
