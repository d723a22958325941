/* Operands: the Allegro expert-filter operands and Polycube's filters, as
 * macros over registry fields. One table lists them all with the values
 * they take; each has either an expander for the whole `OPERAND == VALUE,
 * VALUE...` or one for a single value (the values are then OR'ed).
 *
 * Expanders see only `==` (and the ordering operators for operands marked
 * EXPR_OPF_ORDERED): the parser turns `!=` into `not (... == ...)`, so that
 * for these operands `!=` is plain negation (`vlan != 10` matches untagged
 * packets; `ip != 10.0.0.2` keeps packets that are not to or from it).
 */
#include <strings.h>

#include "decode/decode.h"
#include "expr/expr.h"

/* ---- helpers ---- */

static bool item_is(const struct expr_item *it, const char *word) {
    return strlen(word) == it->len && strncasecmp(word, it->text, it->len) == 0;
}

static struct expr_node *or_node(struct expr_parser *p, struct expr_node *a,
                                 struct expr_node *b, uint32_t col) {
    if (!a || !b)
        return a ? a : b;
    return expr_node_new(p, EXPR_N_OR, a, b, col);
}

static struct expr_node *not_node(struct expr_parser *p, struct expr_node *a,
                                  uint32_t col) {
    return a ? expr_node_new(p, EXPR_N_NOT, a, NULL, col) : NULL;
}

static struct expr_val *vals_new(struct expr_parser *p, size_t n) {
    struct expr_val *v = expr_alloc(p->arena, (n ? n : 1) * sizeof *v);
    if (!v)
        expr_fail(p, "expression too large to compile");
    return v;
}

/* A test over prebuilt values (in the arena): some occurrence of the
 * fields named `names` compares by `op` with one of `vals`, under `mask`
 * when it is not 0. */
static struct expr_node *values_test(struct expr_parser *p, const char *opname,
                                     const char *const *names, enum expr_op op,
                                     struct expr_val *vals, size_t nvals,
                                     uint64_t mask, uint32_t col) {
    const struct trawl_field *fs[EXPR_MAX_FIELDS];
    size_t n;
    uint32_t idx = 0;
    if (!vals || !expr_fields(p, opname, names, fs, &n))
        return NULL;
    struct expr_test *t = expr_field_test_new(p, fs, n, &idx);
    if (!t)
        return NULL;
    t->op = op;
    t->vals = vals;
    t->nvals = (uint32_t)nvals;
    t->has_mask = mask != 0;
    t->mask = mask;
    return expr_node_test(p, idx, col);
}

static struct expr_node *uint_test(struct expr_parser *p, const char *opname,
                                   const char *const *names, enum expr_op op,
                                   uint64_t lo, uint64_t hi, uint32_t col) {
    struct expr_val *v = vals_new(p, 1);
    if (v)
        v->u.lo = lo, v->u.hi = hi;
    return values_test(p, opname, names, op, v, 1, 0, col);
}

/* `name == a/prefix` for an address field. */
static struct expr_node *addr_test(struct expr_parser *p, const char *opname,
                                   const char *name, const uint8_t *a,
                                   size_t len, unsigned prefix, uint32_t col) {
    const char *const names[] = {name, NULL};
    struct expr_val *v = vals_new(p, 1);
    if (!v)
        return NULL;
    expr_prefix_mask(v->addr.m, len, prefix);
    for (size_t k = 0; k < len; k++)
        v->addr.a[k] = a[k] & v->addr.m[k];
    v->addr.prefix = (uint8_t)prefix;
    return values_test(p, opname, names, EXPR_OP_EQ, v, 1, 0, col);
}

static struct expr_node *exists_test(struct expr_parser *p, const char *opname,
                                     const char *const *names, uint16_t occ_lo,
                                     uint16_t occ_hi, uint32_t col) {
    const struct trawl_field *fs[EXPR_MAX_FIELDS];
    size_t n;
    if (!expr_fields(p, opname, names, fs, &n))
        return NULL;
    struct expr_rel ex = {.op = EXPR_R_NONE, .name = opname, .col = col};
    return expr_field_test(p, fs, n, &ex, 0, 0, occ_lo, occ_hi);
}

static struct expr_node *proto_test(struct expr_parser *p, const char *name,
                                    uint32_t col) {
    return expr_node_proto(p, decode_proto_by_name(name, strlen(name)), col);
}

/* A name from a small table, with a suggestion when it is misspelt. */
struct named {
    const char *name;
    uint64_t value;
};

static bool lookup_name(struct expr_parser *p, const struct expr_item *it,
                        const struct named *tab, size_t n, const char *what,
                        const char *opname, uint64_t *out) {
    for (size_t k = 0; k < n; k++)
        if (item_is(it, tab[k].name)) {
            *out = tab[k].value;
            return true;
        }
    const char *best = NULL;
    unsigned cap = expr_suggest_cap(it->len), bestd = cap + 1;
    for (size_t k = 0; k < n && cap; k++) {
        unsigned d = expr_distance(it->text, it->len, tab[k].name,
                                   strlen(tab[k].name), cap);
        if (d < bestd)
            bestd = d, best = tab[k].name;
    }
    if (best)
        expr_fail(p,
                  "unknown %s '%.*s' for '%s' at column %u (did you mean "
                  "'%s'?)",
                  what, (int)it->srclen, it->src, opname, (unsigned)it->col,
                  best);
    else
        expr_fail(p, "unknown %s '%.*s' for '%s' at column %u", what,
                  (int)it->srclen, it->src, opname, (unsigned)it->col);
    return false;
}

/* A number up to `max`, or a name of `tab`. */
static bool number_or_name(struct expr_parser *p, const struct expr_item *it,
                           const struct named *tab, size_t n, const char *what,
                           const char *opname, uint64_t max, uint64_t *out) {
    if (!expr_parse_uint(it->text, it->len, out))
        return lookup_name(p, it, tab, n, what, opname, out);
    return *out <= max || expr_out_of_range(p, it, opname, max);
}

/* ---- generic: a list of registry fields ---- */

/* Numbers, ranges (100-120) and addresses in the type of op->fields, plus
 * `none` / `any` where the operand allows them. */
static struct expr_node *expand_fields(struct expr_parser *p,
                                       const struct expr_operand *op,
                                       const struct expr_rel *rel) {
    const struct trawl_field *fs[EXPR_MAX_FIELDS];
    size_t n;
    if (!expr_fields(p, op->name, op->fields, fs, &n))
        return NULL;
    uint16_t lo = op->occ == EXPR_OCC_INNER ? 1 : 0;
    uint16_t hi = op->occ == EXPR_OCC_OUTER ? 0 : EXPR_OCC_ALL;
    struct expr_item *plain = expr_alloc(p->arena, rel->nitems * sizeof *plain);
    if (!plain)
        return expr_fail(p, "expression too large to compile");
    size_t nplain = 0;
    struct expr_node *res = NULL;
    for (size_t k = 0; k < rel->nitems && !p->failed; k++) {
        const struct expr_item *it = &rel->items[k];
        bool none = item_is(it, "none"), any = item_is(it, "any");
        if (!op->none_any || (!none && !any)) {
            plain[nplain++] = *it;
            continue;
        }
        if (rel->op != EXPR_R_EQ)
            return expr_fail(p, "'%.*s' at column %u takes only == and !=",
                             (int)it->len, it->text, (unsigned)it->col);
        struct expr_node *e =
            exists_test(p, op->name, op->fields, lo, hi, it->col);
        res = or_node(p, res, none ? not_node(p, e, it->col) : e, rel->col);
    }
    if (nplain && !p->failed) {
        struct expr_rel sub = *rel;
        sub.items = plain;
        sub.nitems = nplain;
        res = or_node(
            p, res,
            expr_field_test(p, fs, n, &sub, op->max, EXPR_V_DASH_RANGE, lo, hi),
            rel->col);
    }
    return p->failed ? NULL : res;
}

static struct expr_node *expand_interface(struct expr_parser *p,
                                          const struct expr_operand *op,
                                          const struct expr_rel *rel) {
    for (size_t k = 0; k < rel->nitems; k++) {
        const struct expr_item *it = &rel->items[k];
        unsigned char c = it->len ? (unsigned char)it->text[0] : 0;
        if (it->len && !(c >= '0' && c <= '9') && c != '-')
            return expr_fail(p,
                             "interface name '%.*s' at column %u: names "
                             "need the trace's interface list, which "
                             "expressions do not see yet; use the interface "
                             "number (frame.interface_id), as in: %s",
                             (int)it->srclen, it->src, (unsigned)it->col,
                             op->example);
    }
    return expand_fields(p, op, rel);
}

/* badCRC, ipDoNotFragment: 1 (or true) tests the flag, 0 its absence. */
static struct expr_node *item_flag(struct expr_parser *p,
                                   const struct expr_operand *op,
                                   const struct expr_item *it) {
    uint64_t v = 2;
    if (item_is(it, "true"))
        v = 1;
    else if (item_is(it, "false"))
        v = 0;
    else if (!expr_parse_uint(it->text, it->len, &v))
        v = 2;
    if (v > 1)
        return expr_fail(p,
                         "bad value '%.*s' for '%s' at column %u: expected 0 "
                         "or 1",
                         (int)it->srclen, it->src, op->name, (unsigned)it->col);
    struct expr_node *t =
        uint_test(p, op->name, op->fields, EXPR_OP_EQ, 1, 1, it->col);
    return v ? t : not_node(p, t, it->col);
}

/* ---- ip, src, dst ---- */

static const char *const f_sport[] = {"tcp.srcport", "udp.srcport",
                                      "sctp.srcport", NULL};
static const char *const f_dport[] = {"tcp.dstport", "udp.dstport",
                                      "sctp.dstport", NULL};

/* An address (and port) on one side: ip.src == A [and sport == P]. */
static struct expr_node *side_test(struct expr_parser *p, const char *opname,
                                   const struct expr_addr *a, bool src,
                                   uint32_t col) {
    bool v4 = a->family == 4;
    const char *name =
        v4 ? (src ? "ip.src" : "ip.dst") : (src ? "ipv6.src" : "ipv6.dst");
    struct expr_node *t =
        addr_test(p, opname, name, a->a, v4 ? 4 : 16, a->prefix, col);
    if (!t || !a->has_port)
        return t;
    struct expr_node *port = uint_test(p, opname, src ? f_sport : f_dport,
                                       EXPR_OP_EQ, a->port, a->port, col);
    return port ? expr_node_new(p, EXPR_N_AND, t, port, col) : NULL;
}

/* ip (either side, op->arg 0), src (1), dst (2). An address without a
 * port is a test of ip.addr / ipv6.addr; with a port, the address and the
 * port must be on the same side. */
static struct expr_node *item_ip(struct expr_parser *p,
                                 const struct expr_operand *op,
                                 const struct expr_item *it) {
    struct expr_addr a;
    const char *why;
    if (it->regex)
        return expr_fail(p,
                         "'%s' at column %u takes addresses, not regular "
                         "expressions (compare ip.addr with re())",
                         op->name, (unsigned)it->col);
    if (!expr_parse_ip_item(it->text, it->len, true, &a, &why))
        return expr_fail(p,
                         "bad address '%.*s' for '%s' at column %u: %s "
                         "(expected %s)",
                         (int)it->srclen, it->src, op->name, (unsigned)it->col,
                         why, op->syntax);
    if (op->arg != 0)
        return side_test(p, op->name, &a, op->arg == 1, it->col);
    if (!a.has_port)
        return addr_test(p, op->name, a.family == 4 ? "ip.addr" : "ipv6.addr",
                         a.a, a.family == 4 ? 4 : 16, a.prefix, it->col);
    struct expr_node *src = side_test(p, op->name, &a, true, it->col);
    struct expr_node *dst = side_test(p, op->name, &a, false, it->col);
    return or_node(p, src, dst, it->col);
}

/* ---- protocols ---- */

static const struct named ip_protocols[] = {
    {"ICMP", 1},    {"IGMP", 2},   {"IPIP", 4},   {"IPv4", 4},
    {"TCP", 6},     {"EGP", 8},    {"UDP", 17},   {"IPv6", 41},
    {"RSVP", 46},   {"GRE", 47},   {"ESP", 50},   {"AH", 51},
    {"ICMPv6", 58}, {"EIGRP", 88}, {"OSPF", 89},  {"PIM", 103},
    {"VRRP", 112},  {"L2TP", 115}, {"SCTP", 132}, {"UDPLite", 136},
};

/* The L4 protocol is the IP protocol number: ip.proto, or the next-header
 * value of the IPv6 header or of any of its extension headers. */
static const char *const f_nexthdr[] = {"ip.proto",
                                        "ipv6.nxt",
                                        "ipv6.hopopts.nxt",
                                        "ipv6.routing.nxt",
                                        "ipv6.fraghdr.nxt",
                                        "ipv6.dstopts.nxt",
                                        NULL};

/* All the protocols in one test: l4Protocol == ICMP,ICMPv6. */
static struct expr_node *expand_l4(struct expr_parser *p,
                                   const struct expr_operand *op,
                                   const struct expr_rel *rel) {
    struct expr_val *v = vals_new(p, rel->nitems);
    for (size_t k = 0; v && k < rel->nitems; k++) {
        uint64_t num = 0;
        if (!number_or_name(p, &rel->items[k], ip_protocols,
                            TRAWL_ARRAY_LEN(ip_protocols), "IP protocol",
                            op->name, 255, &num))
            return NULL;
        v[k].u.lo = v[k].u.hi = num;
    }
    return values_test(p, op->name, f_nexthdr, EXPR_OP_EQ, v, rel->nitems, 0,
                       rel->col);
}

static const struct named ethertypes[] = {
    {"IPv4", 0x0800},
    {"IP", 0x0800},
    {"ARP", 0x0806},
    {"Wake-on-LAN", 0x0842},
    {"RARP", 0x8035},
    {"VLAN", 0x8100},
    {"IPv6", 0x86dd},
    {"SLOW", 0x8809},
    {"LACP", 0x8809},
    {"MPLS", 0x8847},
    {"MPLS-multicast", 0x8848},
    {"PPPoE-Discovery", 0x8863},
    {"PPPoE", 0x8864},
    {"PPPoE-Session", 0x8864},
    {"EAPOL", 0x888e},
    {"PROFINET", 0x8892},
    {"QinQ", 0x88a8},
    {"802.1ad", 0x88a8},
    {"LLDP", 0x88cc},
    {"MACsec", 0x88e5},
    {"PTP", 0x88f7},
    {"FCoE", 0x8906},
};

/* The ethertypes of the link layers, in packet order: a VLAN-tagged IPv4
 * frame has macProtocol VLAN and IPv4. */
static const char *const f_ethertype[] = {"eth.type", "vlan.etype", "sll.etype",
                                          "llc.type", NULL};

static struct expr_node *item_macproto(struct expr_parser *p,
                                       const struct expr_operand *op,
                                       const struct expr_item *it) {
    if (item_is(it, "Non IP") || item_is(it, "NonIP") ||
        item_is(it, "Non-IP")) {
        struct expr_node *ip = proto_test(p, "ip", it->col);
        ip = or_node(p, ip, proto_test(p, "ipv6", it->col), it->col);
        return not_node(p, ip, it->col);
    }
    uint64_t num = 0;
    if (!number_or_name(p, it, ethertypes, TRAWL_ARRAY_LEN(ethertypes),
                        "MAC protocol", op->name, 0xffff, &num))
        return NULL;
    return uint_test(p, op->name, f_ethertype, EXPR_OP_EQ, num, num, it->col);
}

/* ---- tcpFlags, ipFragment, mactype, multicastGroup, regexp ---- */

static const struct named tcp_flags[] = {
    {"fin", 0x01}, {"syn", 0x02},  {"rst", 0x04}, {"reset", 0x04},
    {"psh", 0x08}, {"push", 0x08}, {"ack", 0x10}, {"urg", 0x20},
    {"ece", 0x40}, {"cwr", 0x80},  {"ae", 0x100}, {"ns", 0x100},
};

/* syn+ack: every listed flag is set (tcp.flags & 0x12 == 0x12). */
static struct expr_node *item_tcpflags(struct expr_parser *p,
                                       const struct expr_operand *op,
                                       const struct expr_item *it) {
    static const char *const flags[] = {"tcp.flags", NULL};
    uint64_t mask = 0;
    for (size_t i = 0; i <= it->len;) {
        size_t j = i;
        while (j < it->len && it->text[j] != '+')
            j++;
        struct expr_item part = *it;
        part.text = part.src = it->text + i;
        part.len = part.srclen = (uint32_t)(j - i);
        part.col = it->col + (uint32_t)i;
        uint64_t bit = 0;
        if (part.len == 0)
            return expr_fail(p,
                             "missing TCP flag in '%.*s' at column %u: "
                             "expected %s",
                             (int)it->srclen, it->src, (unsigned)it->col,
                             op->syntax);
        if (!lookup_name(p, &part, tcp_flags, TRAWL_ARRAY_LEN(tcp_flags),
                         "TCP flag", op->name, &bit))
            return NULL;
        mask |= bit;
        i = j + 1;
    }
    struct expr_val *v = vals_new(p, 1);
    if (v)
        v->u.lo = v->u.hi = mask;
    return values_test(p, op->name, flags, EXPR_OP_EQ, v, 1, mask, it->col);
}

/* An IPv4 fragment has MF set or a non-zero offset; an IPv6 fragment has
 * a fragment header. */
static struct expr_node *item_fragment(struct expr_parser *p,
                                       const struct expr_operand *op,
                                       const struct expr_item *it) {
    static const char *const mf[] = {"ip.flags.mf", NULL};
    static const char *const off[] = {"ip.frag_offset", NULL};
    static const char *const v6[] = {"ipv6.fraghdr.offset", NULL};
    uint64_t v;
    if (!expr_parse_uint(it->text, it->len, &v) || v > 1)
        return expr_fail(p,
                         "bad value '%.*s' for '%s' at column %u: expected 0 "
                         "or 1",
                         (int)it->srclen, it->src, op->name, (unsigned)it->col);
    uint32_t c = it->col;
    /* One statement per test keeps their numbering in reading order. */
    struct expr_node *frag = uint_test(p, op->name, mf, EXPR_OP_EQ, 1, 1, c);
    frag =
        or_node(p, frag, uint_test(p, op->name, off, EXPR_OP_GT, 0, 0, c), c);
    frag =
        or_node(p, frag, exists_test(p, op->name, v6, 0, EXPR_OCC_ALL, c), c);
    return v ? frag : not_node(p, frag, c);
}

/* The destination MAC: broadcast is ff:ff:ff:ff:ff:ff, multicast has the
 * group bit and is not broadcast, unicast has no group bit. */
static struct expr_node *item_mactype(struct expr_parser *p,
                                      const struct expr_operand *op,
                                      const struct expr_item *it) {
    static const char *const ig[] = {"eth.dst.ig", NULL};
    static const uint8_t all_ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const struct named kinds[] = {
        {"unicast", 0}, {"multicast", 1}, {"broadcast", 2}};
    uint64_t kind = 0;
    if (!lookup_name(p, it, kinds, TRAWL_ARRAY_LEN(kinds), "MAC type", op->name,
                     &kind))
        return NULL;
    if (kind == 2)
        return addr_test(p, op->name, "eth.dst", all_ones, 6, 48, it->col);
    struct expr_node *t =
        uint_test(p, op->name, ig, EXPR_OP_EQ, kind, kind, it->col);
    if (kind == 0 || !t)
        return t;
    struct expr_node *b =
        addr_test(p, op->name, "eth.dst", all_ones, 6, 48, it->col);
    b = not_node(p, b, it->col);
    return b ? expr_node_new(p, EXPR_N_AND, t, b, it->col) : NULL;
}

/* IGMP (and, once ICMPv6 MLD fields exist, MLD) packets about a group. */
static struct expr_node *item_mcast(struct expr_parser *p,
                                    const struct expr_operand *op,
                                    const struct expr_item *it) {
    static const char *const icmp6[] = {"icmpv6.type", NULL};
    if (item_is(it, "any")) {
        /* MLD: query 130, report 131, done 132, v2 report 143. */
        struct expr_val *v = vals_new(p, 2);
        if (!v)
            return NULL;
        v[0].u.lo = 130, v[0].u.hi = 132;
        v[1].u.lo = v[1].u.hi = 143;
        struct expr_node *t = proto_test(p, "igmp", it->col);
        return or_node(
            p, t, values_test(p, op->name, icmp6, EXPR_OP_EQ, v, 2, 0, it->col),
            it->col);
    }
    struct expr_addr a;
    const char *why;
    if (!expr_parse_ip_item(it->text, it->len, false, &a, &why))
        return expr_fail(p,
                         "bad address '%.*s' for '%s' at column %u: %s "
                         "(expected %s)",
                         (int)it->srclen, it->src, op->name, (unsigned)it->col,
                         why, op->syntax);
    if (a.family == 6)
        return expr_fail(p,
                         "'%s' with an IPv6 group at column %u needs the MLD "
                         "fields of ICMPv6 (icmpv6.mld.multicast_address), "
                         "which trawl does not decode yet",
                         op->name, (unsigned)it->col);
    return addr_test(p, op->name, "igmp.maddr", a.a, 4, a.prefix, it->col);
}

/* `FIELD == N` for a number up to `max` or a name of `tab`, or the
 * protocol `proto` for `any`. */
static struct expr_node *number_name_any(struct expr_parser *p,
                                         const struct expr_operand *op,
                                         const struct expr_item *it,
                                         const char *field, const char *proto,
                                         const struct named *tab, size_t n,
                                         const char *what, uint64_t max) {
    const char *const names[] = {field, NULL};
    if (item_is(it, "any"))
        return proto_test(p, proto, it->col);
    uint64_t v = 0;
    if (!number_or_name(p, it, tab, n, what, op->name, max, &v))
        return NULL;
    return uint_test(p, op->name, names, EXPR_OP_EQ, v, v, it->col);
}

/* ptpMsgType: the message type of a PTPv2 header; any is every PTP
 * message (version 1 too). */
static struct expr_node *item_ptp(struct expr_parser *p,
                                  const struct expr_operand *op,
                                  const struct expr_item *it) {
    static const struct named types[] = {
        {"Sync", 0},
        {"Delay_Req", 1},
        {"Pdelay_Req", 2},
        {"Pdelay_Resp", 3},
        {"Follow_Up", 8},
        {"Delay_Resp", 9},
        {"Pdelay_Resp_Follow_Up", 10},
        {"Announce", 11},
        {"Signaling", 12},
        {"Management", 13},
    };
    return number_name_any(p, op, it, "ptp.v2.messagetype", "ptp", types,
                           TRAWL_ARRAY_LEN(types), "PTP message type", 15);
}

/* profinetCmOpnum: a DCE/RPC request or response of a PROFINET IO
 * interface with that operation number; any is every one. */
static struct expr_node *item_pncm(struct expr_parser *p,
                                   const struct expr_operand *op,
                                   const struct expr_item *it) {
    static const char *const pnio[] = {"dcerpc.pnio_cm", NULL};
    static const char *const opnum[] = {"dcerpc.opnum", NULL};
    static const struct named ops[] = {
        {"connect", 0},       {"release", 1},      {"read", 2},
        {"write", 3},         {"control", 4},      {"read implicit", 5},
        {"read_implicit", 5}, {"readimplicit", 5},
    };
    struct expr_node *cm =
        exists_test(p, op->name, pnio, 0, EXPR_OCC_ALL, it->col);
    if (item_is(it, "any") || !cm)
        return cm;
    uint64_t n = 0;
    if (!number_or_name(p, it, ops, TRAWL_ARRAY_LEN(ops),
                        "PROFINET CM operation", op->name, 65535, &n))
        return NULL;
    struct expr_node *t =
        uint_test(p, op->name, opnum, EXPR_OP_EQ, n, n, it->col);
    return t ? expr_node_new(p, EXPR_N_AND, cm, t, it->col) : NULL;
}

/* rtpPayloadType: rtp.p_type of the packets trawl decodes as RTP (see
 * decode/rtp.c); any is every one. */
static struct expr_node *item_rtp(struct expr_parser *p,
                                  const struct expr_operand *op,
                                  const struct expr_item *it) {
    static const struct named types[] = {
        {"PCMU", 0},  {"GSM", 3},    {"G723", 4},  {"LPC", 7},  {"PCMA", 8},
        {"G722", 9},  {"QCELP", 12}, {"CN", 13},   {"MPA", 14}, {"G728", 15},
        {"G729", 18}, {"CelB", 25},  {"JPEG", 26}, {"nv", 28},  {"H261", 31},
        {"MPV", 32},  {"MP2T", 33},  {"H263", 34},
    };
    return number_name_any(p, op, it, "rtp.p_type", "rtp", types,
                           TRAWL_ARRAY_LEN(types), "RTP payload type", 127);
}

/* regexp: the payload after L4 (IP) or after the link header (other). */
static struct expr_node *item_regexp(struct expr_parser *p,
                                     const struct expr_operand *op,
                                     const struct expr_item *it) {
    uint32_t idx = 0;
    struct expr_test *t = expr_test_new(p, &idx);
    (void)op;
    if (!t || !expr_regex(p, t, it, false))
        return NULL;
    t->kind = EXPR_T_PAYLOAD;
    t->op = EXPR_OP_MATCHES;
    return expr_node_test(p, idx, it->col);
}

struct expr_node *expr_operand_expand(struct expr_parser *p,
                                      const struct expr_operand *op,
                                      const struct expr_rel *rel) {
    if (op->expand)
        return op->expand(p, op, rel);
    struct expr_node *res = NULL;
    for (size_t k = 0; k < rel->nitems; k++) {
        struct expr_node *n = op->item(p, op, &rel->items[k]);
        if (!n)
            return NULL;
        res = or_node(p, res, n, rel->col);
    }
    return p->failed ? NULL : res;
}

/* ---- the table ---- */

#define F(...) .fields = {__VA_ARGS__, NULL}
#define PORTS "a port (0 to 65535) or a range (100-120, -10, 65000-)"
#define VLAN_V "a VLAN id (0 to 4095), none or any"
#define MPLS_V "an MPLS label (0 to 1048575), none or any"
#define ADDR_V                                                                 \
    "an IPv4 or IPv6 address, optionally with /prefix (10.0/16) and :port "    \
    "(10.0.0.1:1234, [2001:db8::1]:123)"

const struct expr_operand expr_operands[] = {
    {.name = "ip",
     .syntax = ADDR_V,
     .example = "ip == 10.0.0.1",
     .bare_proto = "ip",
     .item = item_ip,
     .arg = 0},
    {.name = "src",
     .syntax = ADDR_V,
     .example = "src 10.10.10.10/24",
     .flags = EXPR_OPF_BARE_VALUE,
     .item = item_ip,
     .arg = 1},
    {.name = "dst",
     .syntax = ADDR_V,
     .example = "dst 10.10.10.10/24",
     .flags = EXPR_OPF_BARE_VALUE,
     .item = item_ip,
     .arg = 2},
    {.name = "mac",
     .syntax = "a MAC address",
     .example = "mac == 12:34:56:78:90:ab",
     .expand = expand_fields,
     F("eth.addr")},
    {.name = "port",
     .syntax = PORTS,
     .example = "port == 80",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 65535,
     F("tcp.port", "udp.port", "sctp.port")},
    {.name = "portrange",
     .syntax = "ports and ranges: 80,100-120,-10,65000-",
     .example = "portrange == 80,100-120,-10,65000-",
     .expand = expand_fields,
     .max = 65535,
     F("tcp.port", "udp.port", "sctp.port")},
    {.name = "sport",
     .syntax = PORTS,
     .example = "sport 80",
     .flags = EXPR_OPF_BARE_VALUE | EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 65535,
     F("tcp.srcport", "udp.srcport", "sctp.srcport")},
    {.name = "dport",
     .syntax = PORTS,
     .example = "dport 80",
     .flags = EXPR_OPF_BARE_VALUE | EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 65535,
     F("tcp.dstport", "udp.dstport", "sctp.dstport")},
    {.name = "serverport",
     .syntax = PORTS,
     .example = "serverport == 80",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 65535,
     F("tcp.serverport", "udp.serverport")},
    {.name = "macProtocol",
     .syntax = "an ethertype name (IPv4, IPv6, ARP, VLAN, MPLS, LLDP, SLOW, "
               "PTP, PROFINET, ...), a number, or \"Non IP\"",
     .example = "macProtocol == IPv4",
     .item = item_macproto},
    {.name = "l4Protocol",
     .syntax = "IP protocol names (TCP, UDP, ICMP, ICMPv6, SCTP, GRE, ESP, "
               "...) or numbers",
     .example = "l4Protocol == ICMP,ICMPv6",
     .expand = expand_l4},
    {.name = "l4proto",
     .syntax = "an IP protocol name or number",
     .example = "l4proto tcp",
     .flags = EXPR_OPF_BARE_VALUE,
     .expand = expand_l4},
    {.name = "l7Protocol",
     .syntax = "layer-7 protocol names",
     .example = "l7Protocol == dns",
     .needs = "layer-7 protocol detection (DPI over the packets of each "
              "flow), which trawl does not have yet"},
    {.name = "dpiProtocol",
     .syntax = "layer-7 protocol names",
     .example = "dpiProtocol == dns",
     .needs = "layer-7 protocol detection (DPI over the packets of each "
              "flow), which trawl does not have yet"},
    {.name = "countryCode",
     .syntax = "a country code",
     .example = "countryCode == US",
     .needs = "a geolocation database mapping addresses to countries, which "
              "trawl does not have yet"},
    {.name = "arpip",
     .syntax = "an IPv4 address (with optional /prefix)",
     .example = "arpip == 10.0.0.1",
     .expand = expand_fields,
     F("arp.src.proto_ipv4", "arp.dst.proto_ipv4")},
    {.name = "vlan",
     .syntax = VLAN_V,
     .example = "vlan == 10",
     .bare_proto = "vlan",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 4095,
     .none_any = true,
     F("vlan.id", "ieee8021ad.id")},
    {.name = "outervlan",
     .syntax = VLAN_V,
     .example = "outervlan == 10",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 4095,
     .none_any = true,
     .occ = EXPR_OCC_OUTER,
     F("vlan.id", "ieee8021ad.id")},
    {.name = "innervlan",
     .syntax = VLAN_V,
     .example = "innervlan == 20",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 4095,
     .none_any = true,
     .occ = EXPR_OCC_INNER,
     F("vlan.id", "ieee8021ad.id")},
    {.name = "multicastGroup",
     .syntax = "a multicast IPv4 address or any",
     .example = "multicastGroup == 239.1.1.1",
     .item = item_mcast},
    {.name = "rtpPayloadType",
     .syntax = "an RTP payload type: a number (0 to 127), a static type's "
               "name (PCMU, GSM, G723, LPC, PCMA, G722, QCELP, CN, MPA, "
               "G728, G729, CelB, JPEG, nv, H261, MPV, MP2T, H263) or any",
     .example = "rtpPayloadType == PCMU",
     .item = item_rtp},
    {.name = "interface",
     .syntax = "interface numbers or ranges (1,3-5)",
     .example = "interface == 1,3-5",
     .expand = expand_interface,
     .flags = EXPR_OPF_ORDERED,
     .max = UINT32_MAX,
     F("frame.interface_id")},
    {.name = "link",
     .syntax = "a link number",
     .example = "link == 1",
     .needs = "the link pairs of the capture ports (a live capture on two "
              "ports of a link), which trawl does not have yet"},
    {.name = "ptpMsgType",
     .syntax = "a PTP message type (0 to 15, or Sync, Delay_Req, Pdelay_Req, "
               "Pdelay_Resp, Follow_Up, Delay_Resp, Pdelay_Resp_Follow_Up, "
               "Announce, Signaling, Management) or any",
     .example = "ptpMsgType == 0",
     .item = item_ptp},
    {.name = "profinetFrameId",
     .syntax = "a PROFINET frame id (0 to 0xffff) or a range "
               "(0x8000-0xbfff)",
     .example = "profinetFrameId == 0x8000",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 65535,
     F("pn_rt.frame_id")},
    {.name = "profinetCmOpnum",
     .syntax = "a PROFINET CM operation (connect, release, read, write, "
               "control, \"read implicit\", or a number) or any",
     .example = "profinetCmOpnum == connect",
     .item = item_pncm},
    {.name = "mpls",
     .syntax = MPLS_V,
     .example = "mpls == 100",
     .bare_proto = "mpls",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 1048575,
     .none_any = true,
     F("mpls.label")},
    {.name = "outerMpls",
     .syntax = MPLS_V,
     .example = "outerMpls == 100",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 1048575,
     .none_any = true,
     .occ = EXPR_OCC_OUTER,
     F("mpls.label")},
    {.name = "innerMpls",
     .syntax = MPLS_V,
     .example = "innerMpls == 200",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 1048575,
     .none_any = true,
     .occ = EXPR_OCC_INNER,
     F("mpls.label")},
    {.name = "qosIpDscp",
     .syntax = "a DSCP value (0 to 63)",
     .example = "qosIpDscp == 46",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 63,
     F("ip.dsfield.dscp", "ipv6.tclass.dscp")},
    {.name = "qosMplsTc",
     .syntax = "a traffic class (0 to 7)",
     .example = "qosMplsTc == 5",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 7,
     .occ = EXPR_OCC_OUTER,
     F("mpls.exp")},
    {.name = "qosVlanPcp",
     .syntax = "a priority code point (0 to 7)",
     .example = "qosVlanPcp == 5",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 7,
     .occ = EXPR_OCC_OUTER,
     F("vlan.priority", "ieee8021ad.priority")},
    {.name = "group",
     .syntax = "a group name",
     .example = "group == default",
     .needs = "configured host groups (named address lists), which trawl "
              "does not have yet"},
    {.name = "badCRC",
     .syntax = "0 or 1",
     .example = "badCRC == 1",
     .flags = EXPR_OPF_TRUTH,
     .item = item_flag,
     F("frame.packet_flags_crc_error")},
    {.name = "icmpType",
     .syntax = "an ICMP type (0 to 255)",
     .example = "icmpType == 8",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 255,
     F("icmp.type")},
    {.name = "tcpFlags",
     .syntax = "TCP flags joined by '+' (fin, syn, rst, psh, ack, urg, ece, "
               "cwr)",
     .example = "tcpFlags == syn+ack",
     .item = item_tcpflags},
    {.name = "callId",
     .syntax = "a SIP call id (or P-Palladion-ID), quoted",
     .example = "callId == \"abc@host\"",
     .expand = expand_fields,
     F("sip.Call-ID", "sip.P-Palladion-ID")},
    {.name = "ipFragment",
     .syntax = "0 or 1",
     .example = "ipFragment == 1",
     .flags = EXPR_OPF_TRUTH,
     .item = item_fragment},
    {.name = "regexp",
     .syntax = "a quoted regular expression (PCRE2)",
     .example = "regexp == \"(?i)allegro|http\"",
     .item = item_regexp},
    {.name = "ipDoNotFragment",
     .syntax = "0 or 1",
     .example = "ipDoNotFragment == 1",
     .flags = EXPR_OPF_TRUTH,
     .item = item_flag,
     F("ip.flags.df")},
    {.name = "mactype",
     .syntax = "unicast, broadcast or multicast",
     .example = "mactype == broadcast",
     .item = item_mactype},
    {.name = "slowSubtype",
     .syntax = "a Slow Protocols subtype (1 for LACP)",
     .example = "slowSubtype == 1",
     .flags = EXPR_OPF_ORDERED,
     .expand = expand_fields,
     .max = 255,
     F("slow.subtype")},
};
const size_t expr_noperands = TRAWL_ARRAY_LEN(expr_operands);

const struct expr_operand *expr_operand_lookup(const char *name, size_t n) {
    for (size_t k = 0; k < expr_noperands; k++)
        if (strlen(expr_operands[k].name) == n &&
            strncasecmp(expr_operands[k].name, name, n) == 0)
            return &expr_operands[k];
    return NULL;
}
