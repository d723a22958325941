/* The offline pre-filter: the kernel part of an expression (kernel.c),
 * evaluated over a packet's bytes before the evaluator decodes anything,
 * so that a trace read with a filter skips decoding most of what the
 * filter rejects, as a capture's kernel does.
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
 * A plain frame here may also carry VLAN tags (802.1Q, 802.1ad and the
 * old QinQ TPID, up to PRE_MAX_TAGS) between its Ethernet header and its
 * IP or ARP header, which the kernel part's text leaves to user space
 * (its offsets are fixed): the decoders read such a frame as Ethernet,
 * the tags, then the same IP and transport headers as untagged, so each
 * translated test still reads the only occurrence of its field (eth.*
 * in the Ethernet header, the rest after the tags), and every word below
 * holds of it as of an untagged frame. No test on the tags translates.
 *
 * Why not libpcap's interpreter: it spends nearly as much per packet (some
 * sixty BPF instructions, over three hundred machine instructions) as
 * decoding the few layers a port test needs, so running the program saved
 * little. The same formula is evaluated here instead, over the bytes:
 * PLAIN as kernel.c writes it, then the expression's tree with every
 * translated test read at its fixed place in a plain frame and everything
 * else (untranslated tests, `not`, constants) taken as true, which is
 * what the text says. TRAWL_PREFILTER_BPF=1 runs libpcap's program
 * instead, so that tests can hold one to the other.
 *
 * Where it decides: when every test of the expression has a translation,
 * TESTS on a plain IPv4 or IPv6 frame is not only necessary but exact:
 * there is one Ethernet, one IP and one transport header, and no tunnel
 * inside (PLAIN rules them out), so each translated test reads the only
 * occurrence of its fields. Such a frame is then matched or rejected
 * here without decoding at all, provided its headers are whole by their
 * own length fields as well (IPv4's total length, IPv6's payload length,
 * TCP's data offset), so that the decoders would find every field where
 * the test reads it. ARP frames and everything else are evaluated.
 *
 * Why it can step aside: where it rejects few packets (a filter that
 * matches most of a trace, or packets a capture's kernel already ran the
 * same program on) it only adds its cost, so after each window of packets
 * in which it rejected too few it rests for a while, then looks again.
 * Resting changes what is decoded, never what matches. */
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "expr/expr.h"

enum {
    LINKTYPE_ETHERNET = 1,
    /* Longer kernel parts (hundreds of tests) are not worth a program. */
    PRE_TEXT_MAX = 65536,
    PRE_WINDOW = 4096,      /* packets between looks at what it rejected */
    PRE_MIN_DECIDED = 1024, /* packets decided in a window that pay */
    PRE_REST = 65536,       /* packets it then leaves alone */
    PRE_MAX_TAGS = 2,       /* VLAN tags a plain frame may carry */
    PRE_RANGES = 4,         /* value ranges a test holds itself */
    VXLAN_PORT = 4789,
    MPLS_UDP_PORT = 6635,
};

/* What one test is in the kernel part. */
enum pre_kind {
    PRE_TRUE = 0,  /* no translation: true */
    PRE_ETHERTYPE, /* a protocol: the frame's ethertype is `what` */
    PRE_L4,        /* a protocol: the transport protocol is `what` */
    PRE_NEVER,     /* a protocol a plain frame never carries (icmp) */
    PRE_FIELDS,    /* a comparison over kernel fields */
};

/* Where a translated field's places count from. */
enum pre_at {
    PRE_AT_FRAME, /* the frame's start (eth.*) */
    PRE_AT_L3,    /* the IP header's, after any VLAN tags */
    PRE_AT_L4,    /* the transport header's */
};

/* One place of a kernel field (kernel.c's table) as read here: only in
 * frames whose kind (struct plain) has `want` under `mask`, so that an
 * IPv4 field is not read in an IPv6 frame nor a TCP port over UDP. */
struct pre_load {
    uint8_t at;   /* enum pre_at */
    uint8_t size; /* 1 or 2 bytes; an address: the test's length */
    uint8_t off;  /* from where `at` says */
    uint16_t mask, want;
};

struct pre_test {
    uint8_t kind;
    uint8_t nld; /* PRE_FIELDS: places, in the fields' order */
    uint8_t nr;  /* EXPR_C_UINT: ranges copied below; 0: ask the test */
    bool addr;   /* EXPR_C_ADDR */
    uint16_t what;
    struct pre_load ld[EXPR_MAX_FIELDS * 2];
    uint64_t lo[PRE_RANGES], span[PRE_RANGES]; /* lo..lo + span */
};

struct expr_pre {
    struct expr_pcap *bpf;  /* TRAWL_PREFILTER_BPF: libpcap runs the text */
    struct pre_test *tests; /* one per test of the expression */
    bool decides;           /* every test translated: see above */
    uint32_t seen, decided, rest;
};

/* A plain frame (kernel.c, and tags: see above) as the evaluation reads
 * it. */
struct plain {
    const uint8_t *p;
    uint16_t type; /* ethertype after the tags: 0x0800, 0x86dd or 0x0806 */
    uint8_t l4;    /* 6, 17, 132; 0 for ARP */
    uint16_t kind; /* the IP version (4, 6; 0 for ARP) | l4 << 8 */
    uint32_t at[3]; /* offsets of enum pre_at: 0, the IP and L4 headers */
};

static bool env_set(const char *name) {
    const char *s = getenv(name);
    return s && *s && strcmp(s, "0") != 0;
}

void expr_prefilter_free(struct expr_pre *pre) {
    if (!pre)
        return;
    expr_pcap_free(pre->bpf);
    free(pre->tests);
    free(pre);
}

/* How the pre-filter reads test `t`: the same decision as kernel.c's
 * (expr_kernel_translates), in a form for the bytes. */
static void classify(const struct expr_test *t, struct pre_test *pt) {
    memset(pt, 0, sizeof *pt);
    if (!expr_kernel_translates(t))
        return;
    if (t->kind == EXPR_T_PROTO) {
        switch (t->proto) {
        case PROTO_IP: pt->kind = PRE_ETHERTYPE, pt->what = 0x0800; break;
        case PROTO_IPV6: pt->kind = PRE_ETHERTYPE, pt->what = 0x86dd; break;
        case PROTO_ARP: pt->kind = PRE_ETHERTYPE, pt->what = 0x0806; break;
        case PROTO_TCP: pt->kind = PRE_L4, pt->what = 6; break;
        case PROTO_UDP: pt->kind = PRE_L4, pt->what = 17; break;
        case PROTO_SCTP: pt->kind = PRE_L4, pt->what = 132; break;
        default: pt->kind = PRE_NEVER; break; /* icmp, icmpv6, igmp */
        }
        return;
    }
    unsigned n = 0;
    for (unsigned f = 0; f < t->nfields; f++) {
        const struct expr_kfield *kf = expr_kernel_field(t->fields[f]->name);
        if (!kf)
            return;
        uint8_t at = kf->l4 ? PRE_AT_L4 : kf->l3 ? PRE_AT_L3 : PRE_AT_FRAME;
        for (unsigned k = 0; k < kf->n; k++) {
            struct pre_load *ld = &pt->ld[n++];
            ld->at = at;
            ld->size = kf->size;
            /* The table counts IP fields' places from the frame's start. */
            ld->off = at == PRE_AT_L3 ? kf->off[k] - 14 : kf->off[k];
            ld->mask = (kf->l3 ? 0x00ff : 0) | (kf->l4 ? 0xff00 : 0);
            ld->want = (uint16_t)(kf->l3 | kf->l4 << 8);
        }
    }
    pt->addr = t->ctype != EXPR_C_UINT;
    if (!pt->addr && t->nvals <= PRE_RANGES) {
        pt->nr = (uint8_t)t->nvals;
        for (uint32_t i = 0; i < t->nvals; i++) {
            pt->lo[i] = t->vals[i].u.lo;
            pt->span[i] = t->vals[i].u.hi - t->vals[i].u.lo;
            if (t->vals[i].u.hi < t->vals[i].u.lo)
                pt->nr = 0; /* an empty range: the test's own loop */
        }
    }
    pt->nld = (uint8_t)n;
    pt->kind = PRE_FIELDS;
}

/* Makes e->pre, or leaves it NULL: when there is no kernel part (no test
 * has a translation where it would filter), when it is too long, or when
 * it cannot be built (matching stays exact without it). */
static void prefilter_open(trawl_expr *e) {
    e->pre_tried = true;
    if (env_set("TRAWL_NO_PREFILTER"))
        return;
    char *text = malloc(PRE_TEXT_MAX);
    bool exact;
    if (!text ||
        trawl_expr_kernel(e, LINKTYPE_ETHERNET, text, PRE_TEXT_MAX, &exact) <
            0 ||
        !text[0]) {
        free(text);
        return;
    }
    struct expr_pre *pre = core_calloc(1, sizeof *pre);
    if (!pre)
        goto fail;
    if (env_set("TRAWL_PREFILTER_BPF")) {
        struct trawl_expr_options opt = {.has_linktype = true,
                                         .linktype = LINKTYPE_ETHERNET};
        char err[TRAWL_ERRBUF_SIZE];
        if (expr_pcap_new(&pre->bpf, text, &opt, err, sizeof err) < 0)
            goto fail;
    } else {
        if (!(pre->tests = core_calloc(e->ntests, sizeof *pre->tests)))
            goto fail;
        pre->decides = true;
        for (uint32_t i = 0; i < e->ntests; i++) {
            classify(e->tests[i], &pre->tests[i]);
            pre->decides &= pre->tests[i].kind != PRE_TRUE;
        }
    }
    free(text);
    e->pre = pre;
    return;
fail:
    free(text);
    expr_prefilter_free(pre);
}

static bool is_tpid(uint16_t type) {
    return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

/* PLAIN of kernel.c, after up to PRE_MAX_TAGS VLAN tags, over a whole
 * frame of `len` bytes. Every length below counts from the IP header
 * (at `l3`) as kernel.c's do from byte 14. */
static bool plain_frame(const uint8_t *p, uint32_t len, struct plain *pl) {
    if (len < 14)
        return false;
    uint32_t l3 = 14;
    uint16_t type = core_be16(p + 12);
    for (int tags = 0; is_tpid(type); tags++) {
        /* A tag followed by a length (LLC) is no plain frame either. */
        if (tags == PRE_MAX_TAGS || len < l3 + 4)
            return false;
        type = core_be16(p + l3 + 2);
        l3 += 4;
    }
    pl->p = p;
    pl->type = type;
    pl->at[PRE_AT_FRAME] = 0;
    pl->at[PRE_AT_L3] = l3;
    const uint8_t *ip = p + l3;
    switch (type) {
    case 0x0800:
        /* Version 4, five words: no options (kernel.c says why). */
        if (len < l3 + 24 || ip[0] != 0x45 || (core_be16(ip + 6) & 0x1fff))
            return false;
        pl->l4 = ip[9];
        pl->kind = 4;
        pl->at[PRE_AT_L4] = l3 + 20;
        break;
    case 0x86dd:
        if (len < l3 + 44)
            return false;
        pl->l4 = ip[6];
        pl->kind = 6;
        pl->at[PRE_AT_L4] = l3 + 40;
        break;
    case 0x0806:
        pl->l4 = 0;
        pl->kind = 0;
        pl->at[PRE_AT_L4] = 0;
        return true;
    default: return false;
    }
    pl->kind |= (uint16_t)(pl->l4 << 8);
    if (pl->l4 == 6 || pl->l4 == 132)
        return true;
    if (pl->l4 != 17)
        return false;
    /* UDP carrying VXLAN or MPLS holds headers pcap-filter does not see. */
    const uint8_t *udp = p + pl->at[PRE_AT_L4];
    for (int k = 0; k < 4; k += 2) {
        uint16_t port = core_be16(udp + k);
        if (port == VXLAN_PORT || port == MPLS_UDP_PORT)
            return false;
    }
    return true;
}

/* Whether a plain IPv4 or IPv6 frame's headers are whole by their own
 * length fields too, so that decoding it would find every field a
 * translated test reads, and nothing else. PLAIN's IPv6 part does not ask
 * for version 6 (a superset may pass more), but the decoders see no IPv6
 * behind any other version, so an exact verdict needs it. */
static bool whole_headers(const struct plain *pl, uint32_t len) {
    const uint8_t *p = pl->p;
    uint32_t l3 = pl->at[PRE_AT_L3], ip_end;
    if (pl->type == 0x0800)
        ip_end = l3 + (uint32_t)core_be16(p + l3 + 2);
    else if (pl->type == 0x86dd && p[l3] >> 4 == 6)
        ip_end = l3 + 40 + (uint32_t)core_be16(p + l3 + 4);
    else
        return false; /* ARP; an IPv6 type before another version: data */
    if (ip_end > len)
        return false;
    uint32_t l4 = pl->at[PRE_AT_L4], need;
    switch (pl->l4) {
    case 6:
        if (l4 + 20 > ip_end)
            return false;
        need = (uint32_t)(p[l4 + 12] >> 4) * 4;
        if (need < 20)
            return false;
        break;
    case 17: need = 8; break;
    default: need = 12; break; /* SCTP's common header */
    }
    return l4 + need <= ip_end;
}

static bool in_ranges(const struct expr_test *t, const struct pre_test *pt,
                      uint64_t x) {
    if (!pt->nr)
        return expr_in_range_u(t, x);
    for (unsigned i = 0; i < pt->nr; i++)
        if (x - pt->lo[i] <= pt->span[i])
            return true;
    return false;
}

/* A comparison over kernel fields, each read at its place: the length
 * checks of plain_frame() cover every place. */
static bool fields_true(const struct expr_test *t, const struct pre_test *pt,
                        const struct plain *pl) {
    for (unsigned k = 0; k < pt->nld; k++) {
        const struct pre_load *ld = &pt->ld[k];
        if ((pl->kind & ld->mask) != ld->want)
            continue;
        const uint8_t *q = pl->p + pl->at[ld->at] + ld->off;
        if (pt->addr ? expr_pred_addr(t, q)
                     : in_ranges(t, pt, ld->size == 2 ? core_be16(q) : q[0]))
            return true;
    }
    return false;
}

static bool test_true(const trawl_expr *e, uint32_t i, const struct plain *pl) {
    const struct pre_test *pt = &e->pre->tests[i];
    switch ((enum pre_kind)pt->kind) {
    case PRE_TRUE: return true;
    case PRE_ETHERTYPE: return pl->type == pt->what;
    case PRE_L4: return pl->l4 == pt->what;
    case PRE_NEVER: return false;
    case PRE_FIELDS: return fields_true(e->tests[i], pt, pl);
    }
    return true;
}

/* The kernel part's TESTS on a plain frame. Recursion follows the tree,
 * as code generation does (compile.c). */
static bool node_true(const trawl_expr *e, const struct expr_node *n,
                      const struct plain *pl) {
    switch (n->kind) {
    case EXPR_N_TEST: return test_true(e, n->test, pl);
    case EXPR_N_AND: return node_true(e, n->a, pl) && node_true(e, n->b, pl);
    case EXPR_N_OR: return node_true(e, n->a, pl) || node_true(e, n->b, pl);
    case EXPR_N_NOT: /* the negation of a superset is no superset */
    case EXPR_N_CONST: break;
    }
    return true;
}

/* The whole expression on a plain frame with whole headers, when every
 * test is translated: exact, so `not` and constants count as written. */
static bool node_exact(const trawl_expr *e, const struct expr_node *n,
                       const struct plain *pl) {
    switch (n->kind) {
    case EXPR_N_TEST: return test_true(e, n->test, pl);
    case EXPR_N_AND: return node_exact(e, n->a, pl) && node_exact(e, n->b, pl);
    case EXPR_N_OR: return node_exact(e, n->a, pl) || node_exact(e, n->b, pl);
    case EXPR_N_NOT: return !node_exact(e, n->a, pl);
    case EXPR_N_CONST: return n->value;
    }
    return true;
}

static enum expr_pre_verdict decide(trawl_expr *e,
                                    const struct trawl_pkt *pkt) {
    struct expr_pre *pre = e->pre;
    if (pre->bpf)
        return expr_pcap_match(pre->bpf, pkt) ? EXPR_PRE_UNDECIDED
                                              : EXPR_PRE_REJECT;
    struct plain pl;
    if (!plain_frame(pkt->data, pkt->caplen, &pl))
        return EXPR_PRE_UNDECIDED;
    if (pre->decides && whole_headers(&pl, pkt->caplen)) {
        /* One test alone (most filters) needs no walk of the tree. */
        bool m = e->root->kind == EXPR_N_TEST ? test_true(e, e->root->test, &pl)
                                              : node_exact(e, e->root, &pl);
        return m ? EXPR_PRE_ACCEPT : EXPR_PRE_REJECT;
    }
    return node_true(e, e->root, &pl) ? EXPR_PRE_UNDECIDED : EXPR_PRE_REJECT;
}

enum expr_pre_verdict expr_prefilter(trawl_expr *e,
                                     const struct trawl_pkt *pkt) {
    if (pkt->linktype != LINKTYPE_ETHERNET || pkt->caplen != pkt->len)
        return EXPR_PRE_UNDECIDED;
    if (!e->pre_tried)
        prefilter_open(e);
    struct expr_pre *pre = e->pre;
    if (!pre)
        return EXPR_PRE_UNDECIDED;
    if (pre->rest) {
        pre->rest--;
        return EXPR_PRE_UNDECIDED;
    }
    enum expr_pre_verdict v = decide(e, pkt);
    pre->decided += v != EXPR_PRE_UNDECIDED;
    if (++pre->seen == PRE_WINDOW) {
        if (pre->decided < PRE_MIN_DECIDED)
            pre->rest = PRE_REST;
        pre->seen = pre->decided = 0;
    }
    return v;
}
