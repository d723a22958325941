/* The parser: tokens to the typed tree.
 *
 *   expr     := or EOF
 *   or       := and (('or' | '||') and)*
 *   and      := unary (('and' | '&&') unary)*
 *   unary    := ('not' | '!') unary | primary
 *   primary  := '(' or ')'
 *             | ['any' | 'all'] NAME ['&' MASK] [relation]
 *             | VALUE 'in' NAME              (pktt's 62 in NFS.attributes)
 *   relation := CMP VALUE (',' VALUE)*       (a list is "any of")
 *             | ['not'] 'in' SET
 *             | 'contains' VALUE
 *             | ('matches' | '~') VALUE
 *             | VALUE (',' VALUE)*           (Polycube's src 10.0.0.0/24)
 *   SET      := ('[' | '{') VALUE ([','] VALUE)* (']' | '}')
 *   VALUE    := WORD | STRING | 're' '(' STRING ')'
 *             | '[' IPV6 ']' [':' PORT]
 *
 * NAME is an operand of the operand table, a registry field or a
 * protocol, in that order. Values are read in the type of their field as
 * soon as the field is known, so type errors carry the value's column.
 */
#include <stdlib.h>
#include <strings.h>

#include "decode/decode.h"
#include "expr/expr.h"

void *expr_fail(struct expr_parser *p, const char *fmt, ...) {
    if (p->failed)
        return NULL;
    p->failed = true;
    va_list ap;
    va_start(ap, fmt);
    core_verr(p->err, p->errlen, TRAWL_EEXPR, fmt, ap);
    va_end(ap);
    return NULL;
}

static void *oom(struct expr_parser *p) {
    return expr_fail(p,
                     "expression too large to compile (more than %u "
                     "bytes of compiled tests)",
                     (unsigned)EXPR_MAX_ARENA);
}

/* ---- tree construction ---- */

struct expr_node *expr_node_new(struct expr_parser *p, enum expr_node_kind kind,
                                struct expr_node *a, struct expr_node *b,
                                uint32_t col) {
    if (p->failed)
        return NULL;
    struct expr_node *n = expr_alloc(p->arena, sizeof *n);
    if (!n)
        return oom(p);
    n->kind = kind;
    n->a = a;
    n->b = b;
    n->col = col;
    return n;
}

struct expr_test *expr_test_new(struct expr_parser *p, uint32_t *index) {
    struct trawl_expr *e = p->e;
    if (p->failed)
        return NULL;
    if (e->ntests == EXPR_MAX_TESTS)
        return expr_fail(p, "expression too large: more than %u tests",
                         (unsigned)EXPR_MAX_TESTS);
    struct expr_test **tests =
        expr_grow(p->arena, e->tests, e->ntests, &e->captests, sizeof *tests);
    if (!tests)
        return oom(p);
    e->tests = tests;
    struct expr_test *t = expr_alloc(p->arena, sizeof *t);
    if (!t)
        return oom(p);
    t->occ_hi = EXPR_OCC_ALL;
    *index = e->ntests;
    e->tests[e->ntests++] = t;
    return t;
}

struct expr_test *expr_field_test_new(struct expr_parser *p,
                                      const struct trawl_field *const *fs,
                                      size_t n, uint32_t *index) {
    struct expr_test *t = expr_test_new(p, index);
    if (!t)
        return NULL;
    t->kind = EXPR_T_FIELD;
    for (size_t k = 0; k < n && k < EXPR_MAX_FIELDS; k++)
        t->fields[k] = fs[k];
    t->nfields = (uint8_t)n;
    for (size_t k = 0; k < t->nfields; k++) {
        if (fs[k]->get != decode_get_item || fs[k]->needs_full) {
            t->item_bits = 0;
            break;
        }
        t->item_bits |= decode_item_bit(fs[k]);
    }
    enum trawl_ftype ft = fs[0]->type;
    t->ctype = expr_ctype_of(ft);
    t->addr_len = ft == TRAWL_FT_IPV4 ? 4 : ft == TRAWL_FT_MAC ? 6 : 16;
    return t;
}

struct expr_node *expr_node_test(struct expr_parser *p, uint32_t index,
                                 uint32_t col) {
    struct expr_node *n = expr_node_new(p, EXPR_N_TEST, NULL, NULL, col);
    if (n)
        n->test = index;
    return n;
}

struct expr_node *expr_node_proto(struct expr_parser *p, uint16_t proto,
                                  uint32_t col) {
    uint32_t idx = 0;
    struct expr_test *t = expr_test_new(p, &idx);
    if (!t)
        return NULL;
    t->kind = EXPR_T_PROTO;
    t->proto = proto;
    return expr_node_test(p, idx, col);
}

bool expr_fields(struct expr_parser *p, const char *operand,
                 const char *const *names, const struct trawl_field **out,
                 size_t *n) {
    size_t k = 0;
    for (; names[k] && k < EXPR_MAX_FIELDS; k++) {
        out[k] = trawl_field_lookup(names[k]);
        if (!out[k]) {
            expr_fail(p,
                      "operand '%s' needs the field '%s', which this "
                      "build's decoders do not provide",
                      operand, names[k]);
            return false;
        }
    }
    *n = k;
    return true;
}

bool expr_regex(struct expr_parser *p, struct expr_test *t,
                const struct expr_item *it, bool caseless) {
    int code;
    PCRE2_SIZE off;
    t->caseless = caseless;
    t->re_text = expr_strndup(p->arena, it->text, it->len);
    if (!t->re_text)
        return oom(p), false;
    t->re = pcre2_compile((PCRE2_SPTR)it->text, it->len,
                          caseless ? PCRE2_CASELESS : 0, &code, &off, NULL);
    if (!t->re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        expr_fail(p,
                  "bad regular expression '%.*s' at column %u: %s (at "
                  "offset %zu of the pattern)",
                  (int)it->srclen, it->src, (unsigned)it->col,
                  (const char *)msg, (size_t)off);
        return false;
    }
    /* JIT when the platform has it; the interpreter otherwise. */
    (void)pcre2_jit_compile(t->re, PCRE2_JIT_COMPLETE);
    t->md = pcre2_match_data_create_from_pattern(t->re, NULL);
    if (!t->md)
        return oom(p), false;
    return true;
}

/* ---- field tests ---- */

/* The operator as a per-occurrence predicate and a quantifier: `!=` is
 * "every occurrence differs" (Wireshark 4.0's all_ne), `!==` "some
 * occurrence differs". */
static void set_quantifier(struct expr_test *t, const struct expr_rel *rel) {
    switch (rel->op) {
    case EXPR_R_NONE:
        t->op = rel->has_mask ? EXPR_OP_NONZERO : EXPR_OP_EXISTS;
        break;
    case EXPR_R_EQ: t->op = EXPR_OP_EQ; break;
    case EXPR_R_NE: t->op = EXPR_OP_EQ, t->all = t->negate = true; break;
    case EXPR_R_ALL_EQ: t->op = EXPR_OP_EQ, t->all = true; break;
    case EXPR_R_ANY_NE: t->op = EXPR_OP_EQ, t->negate = true; break;
    case EXPR_R_LT: t->op = EXPR_OP_LT; break;
    case EXPR_R_LE: t->op = EXPR_OP_LE; break;
    case EXPR_R_GT: t->op = EXPR_OP_GT; break;
    case EXPR_R_GE: t->op = EXPR_OP_GE; break;
    case EXPR_R_CONTAINS: t->op = EXPR_OP_CONTAINS; break;
    case EXPR_R_MATCHES: t->op = EXPR_OP_MATCHES; break;
    }
    if (rel->quant == TOK_ALL)
        t->all = true;
    else if (rel->quant == TOK_ANY)
        t->all = false;
}

struct expr_node *expr_field_test(struct expr_parser *p,
                                  const struct trawl_field *const *fields,
                                  size_t n, const struct expr_rel *rel,
                                  uint64_t max, unsigned vflags,
                                  uint16_t occ_lo, uint16_t occ_hi) {
    enum trawl_ftype ft = fields[0]->type;
    const char *what = rel->name;
    uint32_t idx = 0;
    struct expr_test *t = expr_field_test_new(p, fields, n, &idx);
    if (!t)
        return NULL;
    t->occ_lo = occ_lo;
    t->occ_hi = occ_hi;
    set_quantifier(t, rel);
    if (rel->has_mask) {
        if (t->ctype != EXPR_C_UINT && t->ctype != EXPR_C_INT)
            return expr_fail(p,
                             "bitwise '&' at column %u needs an integer "
                             "field; '%s' is %s",
                             (unsigned)rel->mask_col, what,
                             expr_ftype_desc(ft));
        /* A mask with bits the field does not have is a mistake, as
         * tshark says ("ip.ttl & 0x100"). */
        if (max && t->ctype == EXPR_C_UINT && rel->mask > max) {
            const struct expr_token *m = rel->mask_tok;
            return expr_fail(p,
                             "mask '%.*s' at column %u is out of range for "
                             "'%s' (0 to %llu)",
                             (int)m->len, p->text + m->off, (unsigned)m->col,
                             what, (unsigned long long)max);
        }
        t->has_mask = true;
        t->mask = rel->mask;
    }
    if (rel->op == EXPR_R_NONE)
        return expr_node_test(p, idx, rel->col);
    if (ft == TRAWL_FT_NONE)
        return expr_fail(p,
                         "'%s' at column %u is a protocol: it can only be "
                         "tested for presence",
                         what, (unsigned)rel->col);
    /* contains: strings, bytes and MACs (bytes to Wireshark), not
     * numbers or IP addresses. */
    if (rel->op == EXPR_R_CONTAINS && t->ctype != EXPR_C_BYTES &&
        ft != TRAWL_FT_MAC)
        return expr_fail(p,
                         "'contains' at column %u needs a string, byte or "
                         "MAC field; '%s' is %s",
                         (unsigned)rel->op_col, what, expr_ftype_desc(ft));
    if (rel->op == EXPR_R_CONTAINS && ft == TRAWL_FT_MAC)
        ft = TRAWL_FT_BYTES; /* the value is a byte string */
    const struct expr_item *it = &rel->items[0];
    if (rel->op == EXPR_R_MATCHES || it->regex) {
        if (rel->nitems != 1 ||
            (it->regex && rel->op != EXPR_R_EQ && rel->op != EXPR_R_NE &&
             rel->op != EXPR_R_MATCHES))
            return expr_fail(p,
                             "a regular expression at column %u must be "
                             "the only value, after ==, != or matches",
                             (unsigned)it->col);
        bool caseless = rel->op == EXPR_R_MATCHES;
        t->op = EXPR_OP_MATCHES;
        return expr_regex(p, t, it, caseless) ? expr_node_test(p, idx, rel->col)
                                              : NULL;
    }
    t->vals = expr_alloc(p->arena, rel->nitems * sizeof *t->vals);
    if (!t->vals)
        return oom(p);
    for (size_t k = 0; k < rel->nitems; k++) {
        if (rel->items[k].regex)
            return expr_fail(p,
                             "a regular expression at column %u must be "
                             "the only value",
                             (unsigned)rel->items[k].col);
        if (!expr_read_value(p, &rel->items[k], ft, what, max, vflags,
                             &t->vals[k]))
            return NULL;
    }
    t->nvals = (uint32_t)rel->nitems;
    return expr_node_test(p, idx, rel->col);
}

/* ---- names ---- */

enum ref_kind { REF_OPERAND = 1, REF_FIELD, REF_PROTO };

struct ref {
    enum ref_kind kind;
    const struct expr_operand *op;
    const struct trawl_field *f;
    uint16_t proto;
};

struct best {
    const char *name;
    unsigned d;
    const char *word;
    size_t len;
};

static void consider(struct best *b, const char *cand) {
    unsigned d = expr_distance(b->word, b->len, cand, strlen(cand), b->d - 1);
    if (d < b->d) {
        b->d = d;
        b->name = cand;
    }
}

/* The nearest operand, field, protocol or keyword to a misspelt name, or
 * NULL when nothing is near enough to be a plausible typo. */
static const char *suggest(const char *word, size_t len, bool keywords_only) {
    struct best b = {.d = expr_suggest_cap(len) + 1, .word = word, .len = len};
    if (b.d == 1)
        return NULL;
    /* Names first: on a tie the earlier candidate stays. */
    for (size_t k = 0; k < expr_noperands && !keywords_only; k++)
        consider(&b, expr_operands[k].name);
    for (size_t k = 0; k < PROTO_COUNT && !keywords_only; k++)
        consider(&b, decode_protos[k]->name);
    size_t nf = keywords_only ? 0 : trawl_field_count();
    for (size_t k = 0; k < nf; k++) {
        const struct trawl_field *f = trawl_field_at(k);
        consider(&b, f->name);
        for (const char *const *a = f->aliases; a && *a; a++)
            consider(&b, *a);
    }
    for (size_t k = 0; k < expr_nkeywords; k++)
        if (expr_keywords[k].word)
            consider(&b, expr_keywords[k].text);
    return b.name;
}

static bool looks_like_value(const struct expr_token *t) {
    unsigned char c = (unsigned char)t->text[0];
    return t->kind == TOK_STRING || (c >= '0' && c <= '9') || c == ':' ||
           c == '-';
}

static bool resolve(struct expr_parser *p, const struct expr_token *t,
                    struct ref *r) {
    memset(r, 0, sizeof *r);
    r->op = expr_operand_lookup(t->text, t->tlen);
    if (r->op) {
        r->kind = REF_OPERAND;
        return true;
    }
    char name[128];
    if (t->tlen < sizeof name) {
        memcpy(name, t->text, t->tlen);
        name[t->tlen] = '\0';
        r->f = trawl_field_lookup(name);
        if (r->f) {
            r->kind = REF_FIELD;
            return true;
        }
        r->proto = decode_proto_by_name(t->text, t->tlen);
        if (r->proto == PROTO_NONE && t->tlen == 8 &&
            strncasecmp(t->text, "ethernet", 8) == 0)
            r->proto = PROTO_ETH; /* pktt's name for the layer */
        if (r->proto != PROTO_NONE) {
            r->kind = REF_PROTO;
            return true;
        }
    }
    if (looks_like_value(t))
        return expr_fail(p,
                         "unexpected value '%.*s' at column %u: expected a "
                         "field, an operand or a protocol before it",
                         (int)t->len, p->text + t->off, (unsigned)t->col),
               false;
    const char *s = suggest(t->text, t->tlen, false);
    const char *what = memchr(t->text, '.', t->tlen) ? "field" : "operand";
    if (s)
        expr_fail(p, "unknown %s '%.*s' at column %u (did you mean '%s'?)",
                  what, (int)t->tlen, t->text, (unsigned)t->col, s);
    else
        expr_fail(p,
                  "unknown %s '%.*s' at column %u: not a field, a "
                  "protocol or an operand",
                  what, (int)t->tlen, t->text, (unsigned)t->col);
    return false;
}

/* ---- tokens ---- */

static const struct expr_token *peek(const struct expr_parser *p) {
    return &p->toks[p->pos];
}
static const struct expr_token *peek2(const struct expr_parser *p) {
    return p->pos + 1 < p->ntoks ? &p->toks[p->pos + 1] : &p->toks[p->pos];
}
static const struct expr_token *take(struct expr_parser *p) {
    const struct expr_token *t = &p->toks[p->pos];
    if (t->kind != TOK_END)
        p->pos++;
    return t;
}

/* "unexpected 'x' at column N: expected Y", naming the end of the text
 * as such and suggesting a keyword for a misspelt one. */
static void *unexpected(struct expr_parser *p, const struct expr_token *t,
                        const char *expected) {
    if (t->kind == TOK_END)
        return expr_fail(p,
                         "unexpected end of the expression at column %u: "
                         "expected %s",
                         (unsigned)t->col, expected);
    const char *s =
        t->kind == TOK_WORD ? suggest(t->text, t->tlen, true) : NULL;
    if (s)
        return expr_fail(p,
                         "unexpected '%.*s' at column %u: expected %s "
                         "(did you mean '%s'?)",
                         (int)t->len, p->text + t->off, (unsigned)t->col,
                         expected, s);
    return expr_fail(p, "unexpected '%.*s' at column %u: expected %s",
                     (int)t->len, p->text + t->off, (unsigned)t->col, expected);
}

/* ---- values ---- */

static bool is_value_start(const struct expr_token *t) {
    return t->kind == TOK_WORD || t->kind == TOK_STRING || t->kind == TOK_RE ||
           t->kind == TOK_LBRACK || t->kind == TOK_ANY || t->kind == TOK_ALL;
}

static void item_span(struct expr_parser *p, struct expr_item *it,
                      const struct expr_token *first,
                      const struct expr_token *last) {
    it->src = p->text + first->off;
    it->srclen = last->off + last->len - first->off;
    it->col = first->col;
}

/* One value; `after` names the operator for "missing value" messages. */
static bool parse_item(struct expr_parser *p, struct expr_item *it,
                       const char *after, const char *expected) {
    const struct expr_token *t = peek(p);
    memset(it, 0, sizeof *it);
    switch (t->kind) {
    case TOK_WORD:
    case TOK_ANY:
    case TOK_ALL:
    case TOK_STRING:
        take(p);
        it->text = t->text;
        it->len = t->tlen;
        it->quoted = t->kind == TOK_STRING;
        item_span(p, it, t, t);
        return true;
    case TOK_RE: {
        take(p);
        if (peek(p)->kind != TOK_LPAREN)
            return unexpected(p, peek(p), "'(' after re"), false;
        take(p);
        const struct expr_token *s = peek(p);
        if (s->kind != TOK_STRING)
            return unexpected(p, s, "a quoted regular expression"), false;
        take(p);
        if (peek(p)->kind != TOK_RPAREN)
            return unexpected(p, peek(p), "')' closing re("), false;
        const struct expr_token *close = take(p);
        it->text = s->text;
        it->len = s->tlen;
        it->quoted = it->regex = true;
        item_span(p, it, t, close);
        it->col = s->col;
        return true;
    }
    case TOK_LBRACK: {
        /* [2001:db8::1] or [2001:db8::1]:80, written without blanks. */
        take(p);
        const struct expr_token *a = peek(p);
        if (a->kind != TOK_WORD)
            return unexpected(p, a, "an IPv6 address after '['"), false;
        take(p);
        const struct expr_token *close = peek(p);
        if (close->kind != TOK_RBRACK)
            return unexpected(p, close, "']' closing the IPv6 address"), false;
        take(p);
        const struct expr_token *last = close;
        const struct expr_token *port = peek(p);
        if (port->kind == TOK_WORD && port->off == close->off + 1 &&
            port->text[0] == ':')
            last = take(p);
        item_span(p, it, t, last);
        it->text = it->src;
        it->len = it->srclen;
        return true;
    }
    default:
        if (t->kind == TOK_END)
            return expr_fail(p,
                             "missing value after '%s' at column %u: "
                             "expected %s",
                             after, (unsigned)t->col, expected),
                   false;
        return unexpected(p, t, expected), false;
    }
}

struct items {
    struct expr_item *v;
    size_t n, cap;
};

static bool items_push(struct expr_parser *p, struct items *l,
                       const struct expr_item *it) {
    struct expr_item *v = expr_grow(p->arena, l->v, l->n, &l->cap, sizeof *v);
    if (!v)
        return oom(p), false;
    l->v = v;
    v[l->n++] = *it;
    return true;
}

/* VALUE (',' VALUE)*: Allegro writes `l4Protocol == ICMP,ICMPv6`. */
static bool parse_list(struct expr_parser *p, struct items *l,
                       const char *after, const char *expected) {
    struct expr_item it;
    do {
        if (!parse_item(p, &it, after, expected) || !items_push(p, l, &it))
            return false;
    } while (peek(p)->kind == TOK_COMMA && take(p));
    return true;
}

/* '[' or '{' VALUE ([','] VALUE)* ']' or '}'. */
static bool parse_set(struct expr_parser *p, struct items *l,
                      const char *expected) {
    const struct expr_token *open = peek(p);
    if (open->kind != TOK_LBRACK && open->kind != TOK_LBRACE)
        return unexpected(p, open, "'{' or '[' opening a set of values"), false;
    take(p);
    enum expr_tok close = open->kind == TOK_LBRACK ? TOK_RBRACK : TOK_RBRACE;
    for (;;) {
        struct expr_item it;
        if (!parse_item(p, &it, "in", expected) || !items_push(p, l, &it))
            return false;
        if (peek(p)->kind == TOK_COMMA)
            take(p);
        if (peek(p)->kind == close) {
            take(p);
            return true;
        }
        if (peek(p)->kind == TOK_END)
            return expr_fail(p,
                             "unbalanced '%c' at column %u: no matching "
                             "'%c'",
                             close == TOK_RBRACK ? '[' : '{',
                             (unsigned)open->col,
                             close == TOK_RBRACK ? ']' : '}'),
                   false;
    }
}

/* ---- relations ---- */

static const char *value_syntax(const struct ref *r) {
    if (r->kind == REF_OPERAND)
        return r->op->syntax;
    if (r->kind == REF_FIELD)
        return expr_ftype_desc(r->f->type);
    return "a value";
}

static enum expr_relop relop_of(enum expr_tok t) {
    switch (t) {
    case TOK_EQ: return EXPR_R_EQ;
    case TOK_NE: return EXPR_R_NE;
    case TOK_ALL_EQ: return EXPR_R_ALL_EQ;
    case TOK_ANY_NE: return EXPR_R_ANY_NE;
    case TOK_LT: return EXPR_R_LT;
    case TOK_LE: return EXPR_R_LE;
    case TOK_GT: return EXPR_R_GT;
    case TOK_GE: return EXPR_R_GE;
    case TOK_CONTAINS: return EXPR_R_CONTAINS;
    case TOK_MATCHES: return EXPR_R_MATCHES;
    default: return EXPR_R_NONE;
    }
}

static struct expr_node *operand_node(struct expr_parser *p,
                                      const struct expr_operand *op,
                                      struct expr_rel *rel) {
    if (op->needs) {
        /* Reported once the whole text has parsed (see p->deferred). */
        if (!p->deferred) {
            char msg[TRAWL_ERRBUF_SIZE];
            snprintf(msg, sizeof msg, "operand '%s' at column %u needs %s",
                     rel->name, (unsigned)rel->col, op->needs);
            p->deferred = expr_strndup(p->arena, msg, strlen(msg));
            if (!p->deferred)
                return oom(p);
        }
        return expr_node_new(p, EXPR_N_CONST, NULL, NULL, rel->col);
    }
    if (rel->has_mask)
        return expr_fail(p,
                         "bitwise '&' at column %u applies to fields, not "
                         "to the operand '%s'",
                         (unsigned)rel->mask_col, rel->name);
    if (rel->op == EXPR_R_NONE) {
        if (op->bare_proto) {
            uint16_t proto =
                decode_proto_by_name(op->bare_proto, strlen(op->bare_proto));
            return expr_node_proto(p, proto, rel->col);
        }
        if (!(op->flags & EXPR_OPF_TRUTH))
            return expr_fail(p,
                             "operand '%s' at column %u needs a value (%s), "
                             "as in: %s",
                             rel->name, (unsigned)rel->col, op->syntax,
                             op->example);
        static const struct expr_item one = {
            .text = "1", .len = 1, .src = "1", .srclen = 1};
        struct expr_item it = one;
        it.col = rel->col;
        rel->op = EXPR_R_EQ;
        rel->items = &it;
        rel->nitems = 1;
        return expr_operand_expand(p, op, rel);
    }
    switch (rel->op) {
    case EXPR_R_EQ: return expr_operand_expand(p, op, rel);
    case EXPR_R_NE: {
        /* Allegro operands name a property of the packet that may be
         * absent (vlan == none), so != is plain negation. */
        rel->op = EXPR_R_EQ;
        struct expr_node *eq = expr_operand_expand(p, op, rel);
        return eq ? expr_node_new(p, EXPR_N_NOT, eq, NULL, rel->col) : NULL;
    }
    case EXPR_R_LT:
    case EXPR_R_LE:
    case EXPR_R_GT:
    case EXPR_R_GE:
        if (op->flags & EXPR_OPF_ORDERED)
            return expr_operand_expand(p, op, rel);
        break;
    default: break;
    }
    return expr_fail(p,
                     "operator at column %u does not apply to the operand "
                     "'%s': it takes %s",
                     (unsigned)rel->op_col, rel->name,
                     (op->flags & EXPR_OPF_ORDERED) ? "==, !=, <, <=, > and >="
                                                    : "== and !=");
}

static struct expr_node *relation_node(struct expr_parser *p,
                                       const struct ref *r,
                                       struct expr_rel *rel) {
    switch (r->kind) {
    case REF_OPERAND: return operand_node(p, r->op, rel);
    case REF_FIELD:
        /* The field's own range bounds its values (tcp.port == 70000 is
         * refused, as tshark refuses it); a boolean takes any number. */
        rel->name = r->f->name;
        return expr_field_test(p, &r->f, 1, rel,
                               r->f->type == TRAWL_FT_BOOL
                                   ? 0
                                   : decode_field_max(r->f),
                               0, 0, EXPR_OCC_ALL);
    case REF_PROTO:
        if (rel->op != EXPR_R_NONE || rel->has_mask)
            return expr_fail(p,
                             "'%s' at column %u is a protocol: it can only "
                             "be tested for presence",
                             rel->name, (unsigned)rel->col);
        return expr_node_proto(p, r->proto, rel->col);
    }
    return NULL;
}

/* NAME ['&' MASK] [relation], the name token already peeked. */
static struct expr_node *parse_relation(struct expr_parser *p, int quant,
                                        uint32_t quant_col) {
    const struct expr_token *nt = take(p);
    struct ref r;
    if (!resolve(p, nt, &r))
        return NULL;
    struct expr_rel rel = {.quant = quant, .col = nt->col};
    rel.name = expr_strndup(p->arena, nt->text, nt->tlen);
    if (!rel.name)
        return oom(p);
    /* The column is the quantifier's, not the name's. */
    if (quant && r.kind != REF_FIELD)
        return expr_fail(p,
                         "'%s' at column %u applies to fields, not to "
                         "the %s '%s'",
                         quant == TOK_ANY ? "any" : "all", (unsigned)quant_col,
                         r.kind == REF_PROTO ? "protocol" : "operand",
                         rel.name);
    const struct expr_token *t = peek(p);
    if (t->kind == TOK_BITAND) {
        rel.mask_col = t->col;
        take(p);
        const struct expr_token *m = peek(p);
        if (m->kind != TOK_WORD ||
            !expr_parse_uint(m->text, m->tlen, &rel.mask))
            return unexpected(p, m, "an integer mask after '&'");
        rel.mask_tok = take(p);
        rel.has_mask = true;
        t = peek(p);
    }
    struct items items = {0};
    const char *expected = value_syntax(&r);
    bool negate = false;
    if (t->kind == TOK_NOT && peek2(p)->kind == TOK_IN) {
        /* Wireshark 4.0: `a not in s` is `not (a in s)`, true for packets
         * without the field too (unlike !=). */
        negate = true;
        rel.op = EXPR_R_EQ;
        rel.op_col = t->col;
        take(p);
        take(p);
        if (!parse_set(p, &items, expected))
            return NULL;
    } else if (t->kind == TOK_IN) {
        rel.op = EXPR_R_EQ;
        rel.op_col = t->col;
        take(p);
        if (!parse_set(p, &items, expected))
            return NULL;
    } else if (relop_of(t->kind) != EXPR_R_NONE) {
        rel.op = relop_of(t->kind);
        rel.op_col = t->col;
        char after[16];
        snprintf(after, sizeof after, "%.*s", (int)t->len, p->text + t->off);
        take(p);
        bool single = rel.op != EXPR_R_EQ && rel.op != EXPR_R_NE;
        if (single) {
            struct expr_item it;
            if (!parse_item(p, &it, after, expected) ||
                !items_push(p, &items, &it))
                return NULL;
        } else if (!parse_list(p, &items, after, expected)) {
            return NULL;
        }
    } else if (r.kind == REF_OPERAND && (r.op->flags & EXPR_OPF_BARE_VALUE) &&
               is_value_start(t) && !t->keyword) {
        /* Polycube: `src 10.0.0.0/24`, `sport 80`, `l4proto tcp`. */
        rel.op = EXPR_R_EQ;
        rel.op_col = t->col;
        if (!parse_list(p, &items, rel.name, expected))
            return NULL;
    }
    rel.items = items.v;
    rel.nitems = items.n;
    struct expr_node *n = relation_node(p, &r, &rel);
    if (n && r.kind == REF_OPERAND && !n->origin) {
        const struct expr_token *last = &p->toks[p->pos - 1];
        n->origin = expr_strndup(p->arena, p->text + nt->off,
                                 last->off + last->len - nt->off);
        n->col = nt->col;
    }
    if (n && negate)
        n = expr_node_new(p, EXPR_N_NOT, n, NULL, rel.op_col);
    return n;
}

/* VALUE 'in' NAME: the value is read once the name's type is known. */
static struct expr_node *parse_value_in(struct expr_parser *p) {
    struct expr_item it;
    if (!parse_item(p, &it, "", "a value"))
        return NULL;
    const struct expr_token *in = peek(p);
    if (in->kind != TOK_IN)
        return unexpected(p, in, "'in' and a field after a value");
    take(p);
    const struct expr_token *nt = peek(p);
    if (nt->kind != TOK_WORD)
        return unexpected(p, nt, "a field after 'in'");
    take(p);
    struct ref r;
    if (!resolve(p, nt, &r))
        return NULL;
    /* The relation starts at the value, but a protocol is named at its
     * own column. */
    struct expr_rel rel = {.op = EXPR_R_EQ,
                           .items = &it,
                           .nitems = 1,
                           .col = r.kind == REF_PROTO ? nt->col : it.col,
                           .op_col = in->col};
    rel.name = expr_strndup(p->arena, nt->text, nt->tlen);
    if (!rel.name)
        return oom(p);
    return relation_node(p, &r, &rel);
}

/* ---- logic ---- */

static struct expr_node *parse_or(struct expr_parser *p);

/* One more level of parentheses or `not`, refused past EXPR_MAX_DEPTH so
 * that no text can exhaust the stack. */
static bool descend(struct expr_parser *p, const struct expr_token *t) {
    if (++p->depth <= EXPR_MAX_DEPTH)
        return true;
    expr_fail(p,
              "expression nested too deeply at column %u (more than %u "
              "levels)",
              (unsigned)t->col, (unsigned)EXPR_MAX_DEPTH);
    return false;
}

static struct expr_node *parse_primary(struct expr_parser *p) {
    const struct expr_token *t = peek(p);
    const char *expected = "a field, an operand, a protocol or '('";
    switch (t->kind) {
    case TOK_LPAREN: {
        take(p);
        if (!descend(p, t))
            return NULL;
        struct expr_node *n = parse_or(p);
        p->depth--;
        if (!n)
            return NULL;
        const struct expr_token *c = peek(p);
        if (c->kind == TOK_RPAREN) {
            take(p);
            return n;
        }
        if (c->kind == TOK_END)
            return expr_fail(p, "unbalanced '(' at column %u: no matching ')'",
                             (unsigned)t->col);
        return unexpected(p, c, "')', 'and' or 'or'");
    }
    case TOK_ANY:
    case TOK_ALL:
        if (peek2(p)->kind == TOK_WORD) {
            take(p);
            return parse_relation(p, t->kind, t->col);
        }
        return unexpected(p, t, expected);
    case TOK_WORD: {
        /* `62 in NFS.attributes` (a value in a field) against
         * `tcp.port in {80, 443}` (a field in a set); `tcp.port in 80`
         * and `tcp.port in (80)` are a field whose set lacks its braces. */
        const struct expr_token *after =
            p->pos + 2 < p->ntoks ? &p->toks[p->pos + 2] : NULL;
        enum expr_tok ak = after ? after->kind : TOK_END;
        if (peek2(p)->kind == TOK_IN && ak != TOK_LBRACE &&
            ak != TOK_LBRACK && ak != TOK_LPAREN &&
            !(ak == TOK_WORD && looks_like_value(after)))
            return parse_value_in(p);
        return parse_relation(p, 0, 0);
    }
    case TOK_STRING:
    case TOK_RE:
    case TOK_LBRACK: return parse_value_in(p);
    case TOK_RPAREN:
        return expr_fail(p, "unbalanced ')' at column %u: no matching '('",
                         (unsigned)t->col);
    default: return unexpected(p, t, expected);
    }
}

static struct expr_node *parse_unary(struct expr_parser *p) {
    const struct expr_token *t = peek(p);
    if (t->kind != TOK_NOT)
        return parse_primary(p);
    take(p);
    if (!descend(p, t))
        return NULL;
    struct expr_node *a = parse_unary(p);
    p->depth--;
    return a ? expr_node_new(p, EXPR_N_NOT, a, NULL, t->col) : NULL;
}

/* The binary levels, loosest first: `or`, then `and`; both associate to
 * the left, so a chain is a left-deep tree built in a loop. */
static struct expr_node *parse_level(struct expr_parser *p, int level) {
    static const struct {
        enum expr_tok tok;
        enum expr_node_kind kind;
    } levels[] = {{TOK_OR, EXPR_N_OR}, {TOK_AND, EXPR_N_AND}};
    if (level == (int)TRAWL_ARRAY_LEN(levels))
        return parse_unary(p);
    struct expr_node *a = parse_level(p, level + 1);
    while (a && peek(p)->kind == levels[level].tok) {
        const struct expr_token *t = take(p);
        struct expr_node *b = parse_level(p, level + 1);
        a = b ? expr_node_new(p, levels[level].kind, a, b, t->col) : NULL;
    }
    return a;
}

static struct expr_node *parse_or(struct expr_parser *p) {
    return parse_level(p, 0);
}

int expr_parse(struct trawl_expr *e, const char *text, char *err,
               size_t errlen) {
    struct expr_parser p = {
        .text = text, .arena = &e->arena, .e = e, .err = err, .errlen = errlen};
    p.ntoks = expr_lex(&e->arena, text, strlen(text), &p.toks, err, errlen);
    if (p.ntoks == 0)
        return e->arena.total >= EXPR_MAX_ARENA ? TRAWL_ENOMEM : TRAWL_EEXPR;
    if (p.toks[0].kind == TOK_END) {
        /* Nothing to filter on: every packet matches, as with tcpdump. */
        e->root = expr_node_new(&p, EXPR_N_CONST, NULL, NULL, 1);
        if (e->root)
            e->root->value = true;
        return e->root ? 0 : TRAWL_ENOMEM;
    }
    struct expr_node *root = parse_or(&p);
    if (root && !p.failed) {
        const struct expr_token *t = peek(&p);
        if (t->kind == TOK_RPAREN)
            expr_fail(&p, "unbalanced ')' at column %u: no matching '('",
                      (unsigned)t->col);
        else if (t->kind != TOK_END)
            unexpected(&p, t, "'and', 'or' or the end of the expression");
    }
    if (p.failed)
        return TRAWL_EEXPR;
    if (p.deferred)
        return core_err(err, errlen, TRAWL_EEXPR, "%s", p.deferred);
    e->root = root;
    return 0;
}
