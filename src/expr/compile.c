/* Compiling an expression: choosing the reading (trawl, else pcap-filter),
 * and flattening the typed tree into the program the evaluator runs. */
#include <stdlib.h>

#include "decode/decode.h"
#include "expr/expr.h"

/* ---- code generation ---- */

struct gen {
    struct trawl_expr *e;
    uint32_t n;
    size_t cap;
    bool oom;
};

static uint32_t emit(struct gen *g, enum expr_opcode op, uint32_t arg) {
    struct expr_insn *p =
        expr_grow(&g->e->arena, g->e->prog, g->n, &g->cap, sizeof *p);
    if (!p) {
        g->oom = true;
        return 0;
    }
    g->e->prog = p;
    p[g->n].op = (uint8_t)op;
    p[g->n].arg = arg;
    return g->n++;
}

/* Recursion follows the tree: parentheses and `not` nest at most
 * EXPR_MAX_DEPTH deep, and an and/or chain of n terms is left-deep, n
 * levels, which the text limit (EXPR_MAX_TEXT) keeps to a few thousand
 * small frames. */
static void gen_node(struct gen *g, const struct expr_node *n) {
    if (g->oom)
        return;
    switch (n->kind) {
    case EXPR_N_TEST: emit(g, EXPR_I_TEST, n->test); return;
    case EXPR_N_CONST: emit(g, EXPR_I_CONST, n->value); return;
    case EXPR_N_NOT:
        gen_node(g, n->a);
        emit(g, EXPR_I_NOT, 0);
        return;
    case EXPR_N_AND:
    case EXPR_N_OR: {
        gen_node(g, n->a);
        uint32_t j = emit(g, n->kind == EXPR_N_AND ? EXPR_I_JF : EXPR_I_JT, 0);
        gen_node(g, n->b);
        if (!g->oom)
            g->e->prog[j].arg = g->n;
        return;
    }
    }
}

/* A jump to a jump of the same sense goes straight to its target (in
 * `a and b and c` a false `a` skips to the end at once); a jump to one of
 * the opposite sense goes just past it. */
static void thread_jumps(struct trawl_expr *e) {
    for (uint32_t i = 0; i < e->nprog; i++) {
        struct expr_insn *in = &e->prog[i];
        if (in->op != EXPR_I_JF && in->op != EXPR_I_JT)
            continue;
        for (;;) {
            const struct expr_insn *to = &e->prog[in->arg];
            if (to->op == in->op)
                in->arg = to->arg;
            else if (to->op == EXPR_I_JF || to->op == EXPR_I_JT)
                in->arg = in->arg + 1;
            else
                break;
        }
    }
}

int expr_codegen(struct trawl_expr *e, char *err, size_t errlen) {
    struct gen g = {.e = e};
    gen_node(&g, e->root);
    emit(&g, EXPR_I_RET, 0);
    if (g.oom)
        return core_err(err, errlen, TRAWL_ENOMEM,
                        "expression too large to compile");
    e->nprog = g.n;
    thread_jumps(e);
    return 0;
}

/* ---- the public API ---- */

/* Drops everything the trawl reading built (regexes, tree, program). */
static void drop_trawl(trawl_expr *e) {
    for (uint32_t i = 0; i < e->ntests; i++) {
        pcre2_match_data_free(e->tests[i]->md);
        pcre2_code_free(e->tests[i]->re);
    }
    expr_arena_free(&e->arena);
    e->tests = NULL;
    e->ntests = e->captests = 0;
    e->root = NULL;
    e->prog = NULL;
    e->nprog = 0;
}

TRAWL_API void trawl_expr_free(trawl_expr *e) {
    if (!e)
        return;
    drop_trawl(e);
    expr_pcap_free(e->pcap);
    expr_prefilter_free(e->pre);
    free(e->text);
    free(e->trawl_err);
    free(e);
}

TRAWL_API int trawl_expr_compile(trawl_expr **out, const char *text,
                                 const struct trawl_expr_options *opt,
                                 char *errbuf, size_t errlen) {
    *out = NULL;
    if (!text)
        return core_err(errbuf, errlen, TRAWL_EINVAL, "no expression");
    size_t len = strlen(text);
    if (len > EXPR_MAX_TEXT)
        return core_err(errbuf, errlen, TRAWL_EEXPR,
                        "expression too long: %zu bytes (at most %u)", len,
                        (unsigned)EXPR_MAX_TEXT);
    trawl_expr *e = core_calloc(1, sizeof *e);
    if (!e)
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "out of memory");
    if (opt)
        e->opt = *opt;
    e->text = core_strdup(text);
    if (!e->text) {
        trawl_expr_free(e);
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "out of memory");
    }
    char terr[TRAWL_ERRBUF_SIZE] = "";
    int rc = TRAWL_EEXPR;
    if (!e->opt.pcap_filter) {
        rc = expr_parse(e, text, terr, sizeof terr);
        if (rc == 0)
            rc = expr_codegen(e, terr, sizeof terr);
        if (rc == 0) {
            e->reading = TRAWL_EXPR_TRAWL;
            *out = e;
            return 0;
        }
        if (rc == TRAWL_ENOMEM) {
            core_err(errbuf, errlen, rc, "%s", terr);
            trawl_expr_free(e);
            return rc;
        }
        drop_trawl(e);
    }
    /* Not trawl syntax: perhaps pcap-filter (`tcp port 80`). */
    char perr[TRAWL_ERRBUF_SIZE] = "";
    if (expr_pcap_new(&e->pcap, text, &e->opt, perr, sizeof perr) == 0) {
        e->reading = TRAWL_EXPR_PCAP;
        if (!e->opt.pcap_filter)
            e->trawl_err = core_strdup(terr);
        *out = e;
        return 0;
    }
    if (e->opt.pcap_filter) {
        expr_pcap_error_place(text, &e->opt, perr, sizeof perr);
        core_err(errbuf, errlen, TRAWL_EEXPR, "not valid pcap-filter: %s",
                 perr);
    } else {
        /* trawl's message is the useful one: it has a column and a
         * suggestion; libpcap's only says it failed too. */
        core_err(errbuf, errlen, TRAWL_EEXPR,
                 "%s (not valid pcap-filter either: %s)", terr, perr);
    }
    trawl_expr_free(e);
    return TRAWL_EEXPR;
}

TRAWL_API enum trawl_expr_reading trawl_expr_reading(const trawl_expr *e) {
    return e->reading;
}

TRAWL_API const char *trawl_expr_text(const trawl_expr *e) {
    return e->text;
}

TRAWL_API size_t trawl_expr_fields(const trawl_expr *e,
                                   const trawl_field **out, size_t max) {
    size_t n = 0;
    if (e->reading != TRAWL_EXPR_TRAWL)
        return 0;
    for (uint32_t i = 0; i < e->ntests; i++) {
        const struct expr_test *t = e->tests[i];
        for (uint8_t k = 0; k < t->nfields; k++) {
            const struct trawl_field *f = t->fields[k];
            bool seen = false;
            for (size_t j = 0; j < n && j < max && !seen; j++)
                seen = out[j] == f;
            if (seen)
                continue;
            if (n < max)
                out[n] = f;
            n++;
        }
    }
    return n;
}

/* The layers a value of field f can come from. */
static uint64_t field_layers(const struct trawl_field *f) {
    uint64_t m = (uint64_t)1 << f->proto;
    if (f->proto_alt)
        m |= (uint64_t)1 << f->proto_alt;
    if (f->get == decode_get_item)
        m |= DECODE_ITEM_PROTOS;
    return m;
}

/* What node n is on every packet with layers of the protocols `present`
 * only: 0 false, 1 true, -1 either. A test of a field no such layer has
 * is false (every comparison, != included, wants an occurrence). */
static int on_layers(const struct trawl_expr *e, const struct expr_node *n,
                     uint64_t present) {
    switch (n->kind) {
    case EXPR_N_CONST: return n->value;
    case EXPR_N_NOT: {
        int a = on_layers(e, n->a, present);
        return a < 0 ? a : !a;
    }
    case EXPR_N_AND:
    case EXPR_N_OR: {
        int stop = n->kind == EXPR_N_OR; /* the value that decides */
        int a = on_layers(e, n->a, present);
        if (a == stop)
            return a;
        int b = on_layers(e, n->b, present);
        return b == stop ? b : a < 0 || b < 0 ? -1 : a;
    }
    case EXPR_N_TEST: break;
    }
    const struct expr_test *t = e->tests[n->test];
    uint64_t m = 0;
    switch (t->kind) {
    case EXPR_T_PROTO: m = (uint64_t)1 << t->proto; break;
    case EXPR_T_FIELD:
        for (uint8_t k = 0; k < t->nfields; k++)
            m |= field_layers(t->fields[k]);
        break;
    case EXPR_T_PAYLOAD: return -1;
    }
    return m & present ? -1 : 0;
}

bool expr_false_on_layers(const trawl_expr *e, uint64_t present) {
    return e->reading == TRAWL_EXPR_TRAWL && e->root &&
           on_layers(e, e->root, present) == 0;
}

TRAWL_API bool trawl_expr_uses_proto(const trawl_expr *e, const char *proto) {
    if (e->reading != TRAWL_EXPR_TRAWL)
        return false;
    uint16_t id = decode_proto_by_name(proto, strlen(proto));
    if (id == PROTO_NONE)
        return false;
    for (uint32_t i = 0; i < e->ntests; i++) {
        const struct expr_test *t = e->tests[i];
        if (t->kind == EXPR_T_PROTO && t->proto == id)
            return true;
        for (uint8_t k = 0; k < t->nfields; k++)
            if (t->fields[k]->proto == id)
                return true;
    }
    return false;
}

TRAWL_API const char *trawl_expr_runtime_error(const trawl_expr *e) {
    return e->pcap ? expr_pcap_error(e->pcap) : NULL;
}
