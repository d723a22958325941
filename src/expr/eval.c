/* The evaluator: runs the flat program over a packet view. Nothing here
 * allocates; fields are read through the view, which decodes only as deep
 * as the test being evaluated needs. */
#include "decode/decode.h"
#include "expr/expr.h"

bool expr_in_range_u(const struct expr_test *t, uint64_t x) {
    for (uint32_t i = 0; i < t->nvals; i++)
        if (x >= t->vals[i].u.lo && x <= t->vals[i].u.hi)
            return true;
    return false;
}

static bool in_range_i(const struct expr_test *t, int64_t x) {
    for (uint32_t i = 0; i < t->nvals; i++)
        if (x >= t->vals[i].i.lo && x <= t->vals[i].i.hi)
            return true;
    return false;
}

/* Orders after comparing: <0, 0, >0 against the test's first value. */
static bool ordered(enum expr_op op, int c) {
    switch (op) {
    case EXPR_OP_LT: return c < 0;
    case EXPR_OP_LE: return c <= 0;
    case EXPR_OP_GT: return c > 0;
    case EXPR_OP_GE: return c >= 0;
    default: return c == 0;
    }
}

static int cmp3_u(uint64_t a, uint64_t b) {
    return a < b ? -1 : a > b;
}
static int cmp3_i(int64_t a, int64_t b) {
    return a < b ? -1 : a > b;
}

bool expr_pred_addr(const struct expr_test *t, const uint8_t *x) {
    size_t n = t->addr_len;
    if (t->op == EXPR_OP_EQ) {
        for (uint32_t i = 0; i < t->nvals; i++) {
            const struct expr_val *v = &t->vals[i];
            size_t k = 0;
            while (k < n && (x[k] & v->addr.m[k]) == v->addr.a[k])
                k++;
            if (k == n)
                return true;
        }
        return false;
    }
    const struct expr_val *v = &t->vals[0];
    int c = 0;
    for (size_t k = 0; k < n && c == 0; k++)
        c = cmp3_u(x[k] & v->addr.m[k], v->addr.a[k]);
    return ordered(t->op, c);
}

static int cmp_bytes(const uint8_t *a, size_t alen, const uint8_t *b,
                     size_t blen) {
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : cmp3_u(alen, blen);
}

static bool pred_bytes(const struct expr_test *t, const uint8_t *p,
                       size_t len) {
    if (t->op == EXPR_OP_CONTAINS) {
        const struct expr_val *v = &t->vals[0];
        return v->b.len == 0 ||
               (len >= v->b.len && memmem(p, len, v->b.p, v->b.len));
    }
    if (t->op == EXPR_OP_EQ) {
        for (uint32_t i = 0; i < t->nvals; i++)
            if (t->vals[i].b.len == len &&
                (len == 0 || memcmp(t->vals[i].b.p, p, len) == 0))
                return true;
        return false;
    }
    return ordered(t->op, cmp_bytes(p, len, t->vals[0].b.p, t->vals[0].b.len));
}

static bool regex_on(const struct expr_test *t, const uint8_t *p, size_t len) {
    /* A match limit or a bad subject counts as no match; pcre2_match
     * reuses the match data (and its backtracking frames) of the test. */
    static const uint8_t empty[1];
    return pcre2_match(t->re, len ? p : empty, len, 0, 0, t->md, NULL) >= 0;
}

static bool pred_regex(const struct expr_test *t, const struct trawl_field *f,
                       const struct trawl_value *val) {
    if (val->type == TRAWL_FT_BYTES || val->type == TRAWL_FT_STRING)
        return regex_on(t, val->bytes.p, val->bytes.len);
    /* Addresses and numbers match as tshark prints them (pktt's
     * IP.src == re('192.168.1.*')). */
    char buf[128];
    size_t n = trawl_value_format(f, val, buf, sizeof buf);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    return regex_on(t, (const uint8_t *)buf, n);
}

static bool pred(const struct expr_test *t, const struct trawl_field *f,
                 const struct trawl_value *val) {
    if (t->op == EXPR_OP_EXISTS)
        return true;
    if (t->op == EXPR_OP_MATCHES)
        return pred_regex(t, f, val);
    switch (t->ctype) {
    case EXPR_C_UINT: {
        uint64_t x = t->has_mask ? val->u & t->mask : val->u;
        if (t->op == EXPR_OP_NONZERO)
            return x != 0;
        if (t->op == EXPR_OP_EQ)
            return expr_in_range_u(t, x);
        return ordered(t->op, cmp3_u(x, t->vals[0].u.lo));
    }
    case EXPR_C_INT: {
        int64_t x =
            t->has_mask ? (int64_t)((uint64_t)val->i & t->mask) : val->i;
        if (t->op == EXPR_OP_NONZERO)
            return x != 0;
        if (t->op == EXPR_OP_EQ)
            return in_range_i(t, x);
        return ordered(t->op, cmp3_i(x, t->vals[0].i.lo));
    }
    case EXPR_C_DOUBLE: {
        double x = val->d;
        if (t->op == EXPR_OP_EQ) {
            for (uint32_t i = 0; i < t->nvals; i++)
                if (x == t->vals[i].d)
                    return true;
            return false;
        }
        return ordered(t->op, x < t->vals[0].d ? -1 : x > t->vals[0].d);
    }
    case EXPR_C_ADDR:
        if (t->op == EXPR_OP_CONTAINS)
            return pred_bytes(t, val->addr, t->addr_len);
        return expr_pred_addr(t, val->addr);
    case EXPR_C_BYTES: return pred_bytes(t, val->bytes.p, val->bytes.len);
    case EXPR_C_TIME: {
        for (uint32_t i = 0; i < t->nvals; i++) {
            int c = cmp3_i(val->time.sec, t->vals[i].t.sec);
            if (c == 0)
                c = cmp3_u(val->time.nsec, t->vals[i].t.nsec);
            if (t->op != EXPR_OP_EQ)
                return ordered(t->op, c);
            if (c == 0)
                return true;
        }
        return false;
    }
    case EXPR_C_NONE: break;
    }
    return false;
}

/* The state of one test while the view hands it the field's values. */
struct occ {
    const struct expr_test *t;
    uint32_t k; /* occurrences seen, counted or not */
    bool seen;  /* an occurrence inside [occ_lo, occ_hi] */
    bool result;
};

static bool on_value(void *ctx, const trawl_field *f,
                     const struct trawl_value *val) {
    struct occ *c = ctx;
    const struct expr_test *t = c->t;
    uint32_t k = c->k++;
    if (k < t->occ_lo)
        return true;
    if (k > t->occ_hi)
        return false;
    c->seen = true;
    bool ok = pred(t, f, val) != t->negate;
    if (t->all && !ok) {
        c->result = false;
        return false;
    }
    if (!t->all && ok) {
        c->result = true;
        return false;
    }
    return true;
}

/* Allegro's regexp subject: for IP packets the payload after the L4
 * header (after the IP header when trawl does not decode the L4
 * protocol), for other packets everything after the link-layer header.
 * It ends where the innermost IP datagram ends, so Ethernet padding is
 * not payload. */
static bool is_l4(uint16_t proto) {
    return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP ||
           proto == PROTO_ICMP || proto == PROTO_ICMPV6 || proto == PROTO_IGMP;
}

static bool payload_match(const struct expr_test *t, struct trawl_view *v) {
    while (decode_more(v))
        ;
    int ip = -1;
    for (int i = 0; i < v->nlayers; i++) {
        uint16_t pr = v->layers[i].proto;
        if (pr == PROTO_IP || pr == PROTO_IPV6 || pr == PROTO_IPV6_EXT)
            ip = i;
    }
    uint32_t off = 0, end = v->caplen;
    const struct decode_layer *l = NULL;
    if (ip >= 0) {
        l = &v->layers[ip];
        if (ip + 1 < v->nlayers && is_l4(v->layers[ip + 1].proto))
            l = &v->layers[ip + 1];
    } else if (v->nlayers > 1) {
        l = &v->layers[1];
    }
    if (l) {
        off = l->off + l->len;
        end = l->end;
    }
    if (off > end)
        off = end;
    return regex_on(t, v->data + off, end - off);
}

bool expr_eval_test(const struct expr_test *t, trawl_view *v) {
    switch (t->kind) {
    case EXPR_T_PROTO: return decode_has_proto(v, t->proto);
    case EXPR_T_PAYLOAD: return payload_match(t, v);
    case EXPR_T_FIELD: break;
    }
    /* Items come with the last layers: decode until one of the test's may
     * be there (as decode_fields_each would, walking the layers), and
     * with none at the end, no occurrence: false whether the test wants
     * some or all. */
    if (t->item_bits) {
        while (!(v->item_fields & t->item_bits) && decode_more(v))
            ;
        if (!(v->item_fields & t->item_bits))
            return false;
    }
    struct occ c = {.t = t, .result = t->all};
    decode_fields_each(v, t->fields, t->nfields, on_value, &c);
    return t->all ? c.seen && c.result : c.result;
}

TRAWL_API int trawl_expr_match_bytes(trawl_expr *e,
                                     const struct trawl_pkt *pkt) {
    if (e->reading == TRAWL_EXPR_PCAP)
        return expr_pcap_match(e->pcap, pkt);
    switch (expr_prefilter(e, pkt)) {
    case EXPR_PRE_REJECT: return 0;
    case EXPR_PRE_ACCEPT: return 1;
    case EXPR_PRE_UNDECIDED: break;
    }
    return -1;
}

TRAWL_API bool trawl_expr_match(trawl_expr *e, trawl_view *v) {
    int m = trawl_expr_match_bytes(e, trawl_view_pkt(v));
    return m < 0 ? trawl_expr_match_view(e, v) : m > 0;
}

TRAWL_API bool trawl_expr_match_view(trawl_expr *e, trawl_view *v) {
    if (e->reading == TRAWL_EXPR_PCAP)
        return expr_pcap_match(e->pcap, trawl_view_pkt(v));
    const struct expr_insn *prog = e->prog;
    bool acc = false;
    for (uint32_t pc = 0;;) {
        const struct expr_insn *in = &prog[pc];
        switch ((enum expr_opcode)in->op) {
        case EXPR_I_TEST:
            acc = expr_eval_test(e->tests[in->arg], v);
            pc++;
            break;
        case EXPR_I_CONST:
            acc = in->arg != 0;
            pc++;
            break;
        case EXPR_I_NOT:
            acc = !acc;
            pc++;
            break;
        case EXPR_I_JF: pc = acc ? pc + 1 : in->arg; break;
        case EXPR_I_JT: pc = acc ? in->arg : pc + 1; break;
        case EXPR_I_RET: return acc;
        }
    }
}
