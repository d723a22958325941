/* The kernel part of an expression: a pcap-filter text that selects a
 * superset of what the expression matches, for a capture to compile with
 * libpcap and attach to its socket, so that the kernel drops most of what
 * user space would reject.
 *
 * Why text, not instructions: libpcap's compiler already knows every link
 * type's offsets, IPv4 header lengths and fragment rules, optimises, and
 * its output passes the kernel's verifier; generating its input language
 * keeps trawl's part small and easy to check (explain shows it).
 *
 * Why a superset and not exact: trawl's fields are found at any depth
 * (the IP header quoted in an ICMP error, VXLAN and GRE payloads, IPv6
 * after extension headers, IPv4 after LLC/SNAP), while pcap-filter reads
 * fixed places of the outermost headers. So the tests are translated for
 * "plain" frames only — Ethernet II carrying IPv4 or IPv6 with TCP, UDP or
 * SCTP directly inside (not a later fragment, not VXLAN or MPLS in UDP),
 * or ARP — where both readings see the same headers, and every other
 * frame goes up:
 *
 *     not (PLAIN) or (TESTS)
 *
 * A test that has no pcap-filter equivalent becomes "true", which keeps
 * `and` a superset; under `or` or `not` it makes the whole part "true".
 * User space always evaluates the whole expression after the kernel.
 *
 * Why PLAIN comes first and checks lengths: a classic BPF program that
 * loads past the end of the packet stops and rejects it, whatever the
 * rest of the program would have said. PLAIN loads only what its length
 * checks cover, and holds only for frames long enough for every load of
 * TESTS (the Ethernet header, an IPv4 header and four port bytes: 38; or
 * an IPv6 header and four port bytes: 58), so a frame too short for the
 * headers its ethertype announces is never dropped by a failed load: it
 * is not plain, and goes up. (`len` is the length on the wire: a frame
 * cut by a snapshot length can still fail a load; the kernel sees whole
 * frames, and the offline pre-filter leaves cut ones alone.)
 *
 * An IPv4 header with options is not plain either: with a loose or
 * strict source route on its way, trawl's ip.dst is the route's last
 * address (as tshark shows it), not the header's destination field that
 * pcap-filter reads. Five words exactly, version 4: ip[0] == 0x45.
 *
 * Two tests are there for trawl's decoders: an IPv4 ethertype in front
 * of a version 6 header is decoded as IPv6 (as tshark does), so PLAIN
 * asks for version 4 (in that same compare); and libpcap's `ip6 proto N` also
 * accepts N after a fragment header, where its port tests do not look while
 * trawl decodes the first fragment's TCP header, so PLAIN reads the next-header
 * byte itself.
 *
 * Because PLAIN rules out every frame where the readings differ and TESTS
 * is made of and/or over translated tests (each true in pcap-filter on a
 * plain frame whenever trawl's test is true), a packet the whole
 * expression matches always passes: the text is a necessary condition,
 * which lets the offline pre-filter (prefilter.c) reject on it too. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "expr/expr.h"

#define LINKTYPE_ETHERNET 1

/* PLAIN for a link layer of `%u` bytes: the IPv4 part needs that plus
 * 24, the IPv6 part plus 44; "%s" is " or arp" where ARP rides on it. */
static const char plain_format[] =
    "(ip and len >= %u and ip[0] == 0x45 and "
    "(ip proto 6 or ip proto 17 or ip proto 132) and "
    "ip[6:2] & 0x1fff == 0 and not udp port 4789 and not udp port 6635) or "
    "(ip6 and len >= %u and (ip6[6] == 6 or ip6[6] == 17 or ip6[6] == 132) "
    "and not udp port 4789 and not udp port 6635)%s";

/* The link types with a kernel part: their header length, whether ARP
 * is carried (libpcap's `arp` compiles there) and whether they are
 * Ethernet (eth.* translates). Linux's cooked headers are what `-i any`
 * captures; raw IP comes as LINKTYPE_RAW (101) or as DLT_RAW (12, 14). */
struct link_kind {
    int linktype;
    uint8_t hlen;
    bool arp, ether;
};

static const struct link_kind link_kinds[] = {
    {LINKTYPE_ETHERNET, 14, true, true},
    {113, 16, true, false}, /* LINUX_SLL */
    {276, 20, true, false}, /* LINUX_SLL2 */
    {101, 0, false, false}, /* RAW */
    {12, 0, false, false},  /* DLT_RAW */
    {14, 0, false, false},  /* DLT_RAW elsewhere */
    {0, 4, false, false},   /* NULL (BSD loopback) */
    {108, 4, false, false}, /* LOOP */
};

static const struct link_kind *link_kind(int linktype) {
    for (size_t i = 0; i < sizeof link_kinds / sizeof link_kinds[0]; i++)
        if (link_kinds[i].linktype == linktype)
            return &link_kinds[i];
    return NULL;
}

/* A growing text; `ok` turns false when it does not fit. */
struct ktext {
    char *p;
    size_t len, cap;
    bool ok;
    bool no_ether; /* not Ethernet: eth.* has no translation */
};

static void kput(struct ktext *k, const char *fmt, ...) TRAWL_PRINTF(2, 3);
static void kput(struct ktext *k, const char *fmt, ...) {
    if (!k->ok)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(k->p + k->len, k->cap - k->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= k->cap - k->len)
        k->ok = false;
    else
        k->len += (size_t)n;
}

/* The fields with a pcap-filter translation: the words that come before
 * the value, and where a plain frame holds the field, for the offline
 * pre-filter (prefilter.c) to read it without libpcap: `n` places of
 * `size` bytes at `off`, from the frame's start or, for ports (l4 set),
 * from the transport header's. */
static const struct expr_kfield kfields[] = {
    {"ip.src", "ip src net", 4, 0, 4, 1, {26}},
    {"ip.dst", "ip dst net", 4, 0, 4, 1, {30}},
    {"ip.addr", "ip net", 4, 0, 4, 2, {26, 30}},
    {"ipv6.src", "ip6 src net", 6, 0, 16, 1, {22}},
    {"ipv6.dst", "ip6 dst net", 6, 0, 16, 1, {38}},
    {"ipv6.addr", "ip6 net", 6, 0, 16, 2, {22, 38}},
    {"tcp.srcport", "tcp src port", 0, 6, 2, 1, {0}},
    {"tcp.dstport", "tcp dst port", 0, 6, 2, 1, {2}},
    {"tcp.port", "tcp port", 0, 6, 2, 2, {0, 2}},
    {"udp.srcport", "udp src port", 0, 17, 2, 1, {0}},
    {"udp.dstport", "udp dst port", 0, 17, 2, 1, {2}},
    {"udp.port", "udp port", 0, 17, 2, 2, {0, 2}},
    {"sctp.srcport", "sctp src port", 0, 132, 2, 1, {0}},
    {"sctp.dstport", "sctp dst port", 0, 132, 2, 1, {2}},
    {"sctp.port", "sctp port", 0, 132, 2, 2, {0, 2}},
    {"eth.src", "ether src", 0, 0, 6, 1, {6}},
    {"eth.dst", "ether dst", 0, 0, 6, 1, {0}},
    {"eth.addr", "ether host", 0, 0, 6, 2, {6, 0}},
    {"ip.proto", "ip proto", 4, 0, 1, 1, {23}},
};

const struct expr_kfield *expr_kernel_field(const char *name) {
    for (size_t i = 0; i < sizeof kfields / sizeof kfields[0]; i++)
        if (strcmp(kfields[i].field, name) == 0)
            return &kfields[i];
    return NULL;
}

static const char *field_words(const char *name) {
    const struct expr_kfield *kf = expr_kernel_field(name);
    return kf ? kf->words : NULL;
}

static bool put_value(struct ktext *k, const char *words,
                      const struct expr_test *t, const struct expr_val *v) {
    char a[INET6_ADDRSTRLEN];
    switch (t->ctype) {
    case EXPR_C_UINT:
        if (strcmp(words, "ip proto") == 0) {
            if (v->u.lo != v->u.hi || v->u.lo > 255)
                return false;
            kput(k, "%s %u", words, (unsigned)v->u.lo);
        } else if (v->u.hi > 65535) {
            return false;
        } else if (v->u.lo == v->u.hi) {
            /* One compare in BPF where a range takes two. */
            kput(k, "%s %u", words, (unsigned)v->u.lo);
        } else {
            kput(k, "%srange %u-%u", words, (unsigned)v->u.lo,
                 (unsigned)v->u.hi);
        }
        return true;
    case EXPR_C_ADDR:
        if (t->addr_len == 6) {
            for (int i = 0; i < 6; i++)
                if (v->addr.m[i] != 0xff)
                    return false;
            const uint8_t *m = v->addr.a;
            kput(k, "%s %02x:%02x:%02x:%02x:%02x:%02x", words, m[0], m[1], m[2],
                 m[3], m[4], m[5]);
            return true;
        }
        unsigned bits = 0;
        for (unsigned i = 0; i < t->addr_len; i++)
            bits += (unsigned)__builtin_popcount(v->addr.m[i]);
        if (!inet_ntop(t->addr_len == 4 ? AF_INET : AF_INET6, v->addr.a, a,
                       sizeof a))
            return false;
        kput(k, "%s %s/%u", words, a, bits);
        return true;
    default: return false;
    }
}

/* One test: "some counted occurrence equals one of the values", or a
 * protocol's presence. False when it has no translation. */
static bool put_test(struct ktext *k, const struct expr_test *t) {
    if (t->kind == EXPR_T_PROTO) {
        static const char *const protos[][2] = {
            {"ip", "ip"},     {"ipv6", "ip6"},     {"tcp", "tcp"},
            {"udp", "udp"},   {"sctp", "sctp"},    {"arp", "arp"},
            {"icmp", "icmp"}, {"icmpv6", "icmp6"}, {"igmp", "igmp"},
        };
        const char *name = decode_protos[t->proto]->name;
        for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
            if (strcmp(protos[i][0], name) == 0) {
                kput(k, "%s", protos[i][1]);
                return true;
            }
        return false;
    }
    if (t->kind != EXPR_T_FIELD || t->op != EXPR_OP_EQ || t->negate || t->all ||
        t->has_mask || t->occ_lo != 0 || t->nvals == 0 || t->nvals > 32)
        return false;
    const char *words[EXPR_MAX_FIELDS];
    for (unsigned f = 0; f < t->nfields; f++)
        if (!(words[f] = field_words(t->fields[f]->name)) ||
            (k->no_ether && strncmp(words[f], "ether", 5) == 0))
            return false;
    kput(k, "(");
    for (unsigned f = 0; f < t->nfields; f++)
        for (uint32_t i = 0; i < t->nvals; i++) {
            if (f || i)
                kput(k, " or ");
            if (!put_value(k, words[f], t, &t->vals[i]))
                return false;
        }
    kput(k, ")");
    return true;
}

bool expr_kernel_translates(const struct expr_test *t) {
    /* Room for the longest translation: 32 values of 6 fields. */
    static const size_t room = EXPR_MAX_FIELDS * 32 * 64;
    char *buf = malloc(room);
    if (!buf)
        return false;
    struct ktext k = {.p = buf, .cap = room, .ok = true};
    bool ok = put_test(&k, t) && k.ok;
    free(buf);
    return ok;
}

/* Writes the translation of `n` into k; false when it is "true" (no
 * filtering). */
static bool put_node(struct ktext *k, const struct trawl_expr *e,
                     const struct expr_node *n) {
    size_t mark = k->len;
    switch (n->kind) {
    case EXPR_N_TEST:
        if (put_test(k, e->tests[n->test]))
            return true;
        break;
    case EXPR_N_AND: {
        kput(k, "(");
        bool a = put_node(k, e, n->a);
        if (a)
            kput(k, " and ");
        size_t before_b = k->len;
        bool b = put_node(k, e, n->b);
        if (!b)
            k->len = before_b - (a ? strlen(" and ") : 0);
        kput(k, ")");
        if (a || b)
            return true;
        break;
    }
    case EXPR_N_OR:
        kput(k, "(");
        if (put_node(k, e, n->a)) {
            kput(k, " or ");
            if (put_node(k, e, n->b)) {
                kput(k, ")");
                return true;
            }
        }
        break;
    case EXPR_N_NOT: /* the negation of a superset is no superset */
    case EXPR_N_CONST: break;
    }
    k->len = mark;
    if (k->cap)
        k->p[mark] = '\0';
    return false;
}

TRAWL_API int trawl_expr_kernel(trawl_expr *e, int linktype, char *buf,
                                size_t len, bool *exact) {
    if (!buf || len == 0)
        return TRAWL_EINVAL;
    buf[0] = '\0';
    *exact = false;
    if (e->reading == TRAWL_EXPR_PCAP) {
        if ((size_t)snprintf(buf, len, "%s", e->text) >= len)
            return TRAWL_ENOMEM;
        *exact = true;
        return 0;
    }
    if (e->root->kind == EXPR_N_CONST) {
        *exact = e->root->value; /* empty: every packet */
        return 0;
    }
    const struct link_kind *lk = link_kind(linktype);
    if (!lk)
        return 0; /* no kernel part: no notion of a plain frame there */
    struct ktext k = {.p = buf, .cap = len, .ok = true, .no_ether = !lk->ether};
    if (!put_node(&k, e, e->root) || !k.ok) {
        buf[0] = '\0';
        return k.ok ? 0 : TRAWL_ENOMEM;
    }
    /* The tests are written first, so that an expression with none says
     * so whatever the size of buf; PLAIN then goes in front of them. */
    char plain[sizeof plain_format + 16];
    snprintf(plain, sizeof plain, plain_format, lk->hlen + 24u, lk->hlen + 44u,
             lk->arp ? " or arp" : "");
    char head[sizeof plain + 16];
    int hn = snprintf(head, sizeof head, "not (%s) or ", plain);
    if (hn < 0 || (size_t)hn >= sizeof head || k.len + (size_t)hn >= len) {
        buf[0] = '\0';
        return TRAWL_ENOMEM;
    }
    memmove(buf + hn, buf, k.len + 1);
    memcpy(buf, head, (size_t)hn);
    return 0;
}
