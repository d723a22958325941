/* The default output: one line per packet, as tshark prints it — number,
 * time, source, destination, protocol, length and an info column made
 * from the innermost protocol trawl decoded. */
#include <inttypes.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/print.h"

/* The fields the summary reads, looked up by name once. A name the
 * registry lacks leaves a NULL that simply never matches. */
#define SUMMARY_FIELDS(X)                                                      \
    X(ETH_SRC, "eth.src")                                                      \
    X(ETH_DST, "eth.dst") X(ETH_TYPE, "eth.type") X(SLL_SRC, "sll.src.eth") X( \
        IP_SRC, "ip.src") X(IP_DST,                                            \
                            "ip.dst") X(IP_TTL,                                \
                                        "ip.ttl") X(IP_PROTO,                  \
                                                    "ip.proto") X(IP_ID,       \
                                                                  "ip.id")     \
        X(IP_FRAG, "ip.frag_offset") X(IP_MF, "ip.flags.mf") X(                \
            IP6_SRC, "ipv6.src") X(IP6_DST,                                    \
                                   "ipv6.dst") X(IP6_HLIM,                     \
                                                 "ipv6.hlim") X(IP6_NXT,       \
                                                                "ipv6.nxt")    \
            X(TCP_SPORT, "tcp.srcport") X(TCP_DPORT, "tcp.dstport") X(         \
                TCP_FLAGS,                                                     \
                "tcp.flags") X(TCP_SEQ,                                        \
                               "tcp.seq_raw") X(TCP_ACK,                       \
                                                "tcp.ack_raw") X(TCP_WIN,      \
                                                                 "tcp.window_" \
                                                                 "size_value") \
                X(TCP_LEN, "tcp.len") X(TCP_MSS, "tcp.options.mss_val") X(     \
                    TCP_WS, "tcp.options.wscale.shift") X(TCP_TSVAL,           \
                                                          "tcp.options."       \
                                                          "timestamp.tsval")   \
                    X(TCP_TSECR, "tcp.options.timestamp.tsecr") X(             \
                        TCP_OPTKIND,                                           \
                        "tcp.option_kind") X(UDP_SPORT,                        \
                                             "udp.srcport") X(UDP_DPORT,       \
                                                              "udp.dstport")   \
                        X(UDP_LEN, "udp.length") X(ICMP_TYPE, "icmp.type") X(  \
                            ICMP_CODE,                                         \
                            "icmp.code") X(ICMP_ID,                            \
                                           "icmp.ident") X(ICMP_SEQ,           \
                                                           "icmp.seq")         \
                            X(ICMP6_TYPE, "icmpv6.type") X(                    \
                                ICMP6_CODE,                                    \
                                "icmpv6.code") X(ICMP6_NS,                     \
                                                 "icmpv6.nd.ns.target_"        \
                                                 "address") X(ICMP6_NA,        \
                                                              "icmpv6.nd.na."  \
                                                              "target_"        \
                                                              "address")       \
                                X(ARP_OP, "arp.opcode") X(                     \
                                    ARP_SHA,                                   \
                                    "arp.src.hw_mac") X(ARP_SPA,               \
                                                        "arp.src.proto_ipv4")  \
                                    X(ARP_TPA, "arp.dst.proto_ipv4") X(        \
                                        SCTP_SPORT,                            \
                                        "sctp.srcport") X(SCTP_DPORT,          \
                                                          "sctp.dstport")      \
                                        X(SCTP_CHUNK, "sctp.chunk_type") X(    \
                                            IGMP_VER,                          \
                                            "igmp.version") X(IGMP_TYPE,       \
                                                              "igmp.type")     \
                                            X(IGMP_MADDR, "igmp.maddr") X(     \
                                                GRE_PROTO,                     \
                                                "gre.proto") X(VXLAN_VNI,      \
                                                               "vxlan.vni")    \
                                                X(VLAN_PRI,                    \
                                                  "vlan.priority") X(VLAN_DEI, \
                                                                     "vlan."   \
                                                                     "dei")    \
                                                    X(VLAN_ID, "vlan.id") X(   \
                                                        MPLS_LABEL,            \
                                                        "mpls.label")          \
                                                        X(LLC_DSAP, "llc."     \
                                                                    "dsap") X( \
                                                            LLC_SSAP,          \
                                                            "llc.ssap")        \
                                                            X(LLC_CTRL,        \
                                                              "llc.control")

enum summary_field {
#define SF_ENUM(id, name) SF_##id,
    SUMMARY_FIELDS(SF_ENUM)
#undef SF_ENUM
        SF_COUNT
};

static const char *const sf_names[SF_COUNT] = {
#define SF_NAME(id, name) [SF_##id] = name,
    SUMMARY_FIELDS(SF_NAME)
#undef SF_NAME
};

/* The registry never changes while trawl runs, so one lookup serves the
 * whole process. */
static const trawl_field *sf[SF_COUNT];

static void summary_fields_init(void) {
    static bool done;
    if (done)
        return;
    for (size_t i = 0; i < SF_COUNT; i++)
        sf[i] = trawl_field_lookup(sf_names[i]);
    done = true;
}

/* Picks a few fields of one layer: `ids` name them; after the call
 * got(p, k) says whether the k-th was there and val(p, k) is its value. */
enum { MAX_PICKS = 16 };

static void pick(trawl_view *v, size_t layer, const enum summary_field *ids,
                 size_t n, struct print_pick *p) {
    for (size_t i = 0; i < n; i++)
        p[i] = (struct print_pick){.f = sf[ids[i]]};
    print_pick_layer(v, layer, p, n);
}

static uint64_t uval(const struct print_pick *p) {
    return p->found ? p->val.u : 0;
}

/* A value as -T fields prints it, or "?" when absent. */
static const char *text(const struct print_pick *p, char *buf, size_t len) {
    if (!p->found)
        return "?";
    trawl_value_format(p->f, &p->val, buf, len);
    return buf;
}

struct name_entry {
    uint64_t value;
    const char *name;
};

static const char *lookup_name(const struct name_entry *t, size_t n,
                               uint64_t value) {
    for (size_t i = 0; i < n; i++)
        if (t[i].value == value)
            return t[i].name;
    return NULL;
}
#define LOOKUP(table, v) lookup_name(table, CLI_ARRAY_LEN(table), v)

/* ---- info column, one function per protocol ----------------------------- */

struct summary {
    struct print_ctx *pc;
    trawl_view *v;
    size_t layer;      /* the layer the info describes */
    size_t addr_layer; /* the IP layer before it, 0 if none */
    struct pbuf *info; /* the info text */
    char proto[24];    /* protocol column, when the info function sets it */
};

static void info_tcp(struct summary *s) {
    static const enum summary_field ids[] = {
        SF_TCP_SPORT, SF_TCP_DPORT, SF_TCP_FLAGS, SF_TCP_SEQ,
        SF_TCP_ACK,   SF_TCP_WIN,   SF_TCP_LEN,   SF_TCP_MSS,
        SF_TCP_WS,    SF_TCP_TSVAL, SF_TCP_TSECR, SF_TCP_OPTKIND};
    struct print_pick p[CLI_ARRAY_LEN(ids)];
    for (size_t i = 0; i < CLI_ARRAY_LEN(ids); i++)
        p[i] = (struct print_pick){.f = sf[ids[i]], .all = i == 11};
    print_pick_layer(s->v, s->layer, p, CLI_ARRAY_LEN(ids));
    static const struct name_entry flags[] = {
        {0x001, "FIN"}, {0x002, "SYN"}, {0x004, "RST"},
        {0x008, "PSH"}, {0x010, "ACK"}, {0x020, "URG"},
        {0x040, "ECE"}, {0x080, "CWR"}, {0x100, "AE"}};
    uint64_t fl = uval(&p[2]);
    pbuf_printf(s->info, "%" PRIu64 " → %" PRIu64 " [", uval(&p[0]),
                uval(&p[1]));
    bool any = false;
    for (size_t i = 0; i < CLI_ARRAY_LEN(flags); i++) {
        if (!(fl & flags[i].value))
            continue;
        pbuf_puts(s->info, any ? ", " : "");
        pbuf_puts(s->info, flags[i].name);
        any = true;
    }
    pbuf_printf(s->info, "%s] Seq=%" PRIu64, any ? "" : "<None>", uval(&p[3]));
    if (fl & 0x010)
        pbuf_printf(s->info, " Ack=%" PRIu64, uval(&p[4]));
    pbuf_printf(s->info, " Win=%" PRIu64 " Len=%" PRIu64, uval(&p[5]),
                uval(&p[6]));
    if (p[7].found)
        pbuf_printf(s->info, " MSS=%" PRIu64, p[7].val.u);
    if (p[11].bits & (1u << 4)) /* option kind 4: SACK permitted */
        pbuf_puts(s->info, " SACK_PERM");
    if (p[9].found)
        pbuf_printf(s->info, " TSval=%" PRIu64 " TSecr=%" PRIu64, p[9].val.u,
                    uval(&p[10]));
    if (p[8].found)
        pbuf_printf(s->info, " WS=%" PRIu64,
                    (uint64_t)1 << (p[8].val.u > 14 ? 14 : p[8].val.u));
}

static void info_udp(struct summary *s) {
    static const enum summary_field ids[] = {SF_UDP_SPORT, SF_UDP_DPORT,
                                             SF_UDP_LEN};
    struct print_pick p[3];
    pick(s->v, s->layer, ids, 3, p);
    uint64_t len = uval(&p[2]);
    pbuf_printf(s->info, "%" PRIu64 " → %" PRIu64 " Len=%" PRIu64, uval(&p[0]),
                uval(&p[1]), len >= 8 ? len - 8 : 0);
}

/* The TTL or hop limit of the IP header that carried an ICMP message. */
static bool carrier_ttl(struct summary *s, uint64_t *ttl) {
    static const enum summary_field ids[] = {SF_IP_TTL, SF_IP6_HLIM};
    struct print_pick p[2];
    if (!s->addr_layer)
        return false;
    pick(s->v, s->addr_layer, ids, 2, p);
    *ttl = p[0].found ? p[0].val.u : uval(&p[1]);
    return p[0].found || p[1].found;
}

static void info_icmp(struct summary *s) {
    static const struct name_entry types[] = {
        {0, "Echo (ping) reply"},
        {3, "Destination unreachable"},
        {4, "Source quench (flow control)"},
        {5, "Redirect"},
        {8, "Echo (ping) request"},
        {9, "Router advertisement"},
        {10, "Router solicitation"},
        {11, "Time-to-live exceeded"},
        {12, "Parameter problem"},
        {13, "Timestamp request"},
        {14, "Timestamp reply"},
        {17, "Address mask request"},
        {18, "Address mask reply"}};
    /* Codes, keyed type << 8 | code. */
    static const struct name_entry codes[] = {
        {0x300, "Network unreachable"},
        {0x301, "Host unreachable"},
        {0x302, "Protocol unreachable"},
        {0x303, "Port unreachable"},
        {0x304, "Fragmentation needed"},
        {0x305, "Source route failed"},
        {0x306, "Destination network unknown"},
        {0x307, "Destination host unknown"},
        {0x309, "Network administratively prohibited"},
        {0x30a, "Host administratively prohibited"},
        {0x30d, "Communication administratively filtered"},
        {0x500, "Redirect for network"},
        {0x501, "Redirect for host"},
        {0xb00, "Time to live exceeded in transit"},
        {0xb01, "Fragment reassembly time exceeded"}};
    static const enum summary_field ids[] = {SF_ICMP_TYPE, SF_ICMP_CODE,
                                             SF_ICMP_ID, SF_ICMP_SEQ};
    struct print_pick p[4];
    pick(s->v, s->layer, ids, 4, p);
    uint64_t type = uval(&p[0]), code = uval(&p[1]);
    const char *name = LOOKUP(types, type);
    if (name)
        pbuf_puts(s->info, name);
    else
        pbuf_printf(s->info, "Type %" PRIu64, type);
    if (p[2].found && p[3].found) {
        /* tshark pads "reply" so that the ids of requests and replies
         * line up, and shows the sequence number in both byte orders. */
        uint64_t seq = p[3].val.u;
        pbuf_printf(s->info, "%sid=0x%04" PRIx64 ", seq=%" PRIu64 "/%" PRIu64,
                    type == 0 ? "    " : "  ", p[2].val.u, seq,
                    (seq >> 8 | seq << 8) & 0xffff);
        uint64_t ttl;
        if (carrier_ttl(s, &ttl))
            pbuf_printf(s->info, ", ttl=%" PRIu64, ttl);
        return;
    }
    const char *cname = LOOKUP(codes, type << 8 | code);
    if (cname)
        pbuf_printf(s->info, " (%s)", cname);
    else if (code)
        pbuf_printf(s->info, " (code %" PRIu64 ")", code);
}

static void info_icmpv6(struct summary *s) {
    static const struct name_entry types[] = {
        {1, "Destination Unreachable"},
        {2, "Packet Too Big"},
        {3, "Time Exceeded"},
        {4, "Parameter Problem"},
        {128, "Echo (ping) request"},
        {129, "Echo (ping) reply"},
        {130, "Multicast Listener Query"},
        {131, "Multicast Listener Report"},
        {132, "Multicast Listener Done"},
        {133, "Router Solicitation"},
        {134, "Router Advertisement"},
        {135, "Neighbor Solicitation"},
        {136, "Neighbor Advertisement"},
        {137, "Redirect"},
        {143, "Multicast Listener Report Message v2"}};
    static const enum summary_field ids[] = {SF_ICMP6_TYPE, SF_ICMP6_CODE,
                                             SF_ICMP6_NS, SF_ICMP6_NA};
    struct print_pick p[4];
    char a[64];
    pick(s->v, s->layer, ids, 4, p);
    uint64_t type = uval(&p[0]);
    const char *name = LOOKUP(types, type);
    if (name)
        pbuf_puts(s->info, name);
    else
        pbuf_printf(s->info, "Type %" PRIu64 ", Code %" PRIu64, type,
                    uval(&p[1]));
    if (p[2].found)
        pbuf_printf(s->info, " for %s", text(&p[2], a, sizeof a));
    else if (p[3].found)
        pbuf_printf(s->info, " %s", text(&p[3], a, sizeof a));
}

static void info_arp(struct summary *s) {
    static const enum summary_field ids[] = {SF_ARP_OP, SF_ARP_SHA, SF_ARP_SPA,
                                             SF_ARP_TPA};
    struct print_pick p[4];
    char sha[32], spa[32], tpa[32];
    pick(s->v, s->layer, ids, 4, p);
    uint64_t op = uval(&p[0]);
    text(&p[1], sha, sizeof sha);
    text(&p[2], spa, sizeof spa);
    text(&p[3], tpa, sizeof tpa);
    if (op == 1 && p[2].found && strcmp(spa, tpa) == 0)
        pbuf_printf(s->info, "Gratuitous ARP for %s (Request)", spa);
    else if (op == 1)
        pbuf_printf(s->info, "Who has %s? Tell %s", tpa, spa);
    else if (op == 2)
        pbuf_printf(s->info, "%s is at %s", spa, sha);
    else
        pbuf_printf(s->info, "ARP opcode %" PRIu64, op);
    if (op == 3 || op == 4)
        snprintf(s->proto, sizeof s->proto, "RARP");
}

static void info_sctp(struct summary *s) {
    static const char *const chunks[] = {
        "DATA",  "INIT",        "INIT_ACK",
        "SACK",  "HEARTBEAT",   "HEARTBEAT_ACK",
        "ABORT", "SHUTDOWN",    "SHUTDOWN_ACK",
        "ERROR", "COOKIE_ECHO", "COOKIE_ACK",
        "ECNE",  "CWR",         "SHUTDOWN_COMPLETE"};
    struct print_pick p[3] = {{.f = sf[SF_SCTP_SPORT]},
                              {.f = sf[SF_SCTP_DPORT]},
                              {.f = sf[SF_SCTP_CHUNK], .all = true}};
    print_pick_layer(s->v, s->layer, p, 3);
    pbuf_printf(s->info, "%" PRIu64 " → %" PRIu64, uval(&p[0]), uval(&p[1]));
    for (unsigned c = 0; c < CLI_ARRAY_LEN(chunks); c++)
        if (p[2].bits & ((uint64_t)1 << c))
            pbuf_printf(s->info, " %s", chunks[c]);
}

static void info_igmp(struct summary *s) {
    static const enum summary_field ids[] = {SF_IGMP_VER, SF_IGMP_TYPE,
                                             SF_IGMP_MADDR};
    struct print_pick p[3];
    char g[32];
    pick(s->v, s->layer, ids, 3, p);
    if (p[0].found)
        snprintf(s->proto, sizeof s->proto, "IGMPv%" PRIu64, p[0].val.u);
    uint64_t type = uval(&p[1]);
    text(&p[2], g, sizeof g);
    switch (type) {
    case 0x11:
        if (!p[2].found || strcmp(g, "0.0.0.0") == 0)
            pbuf_puts(s->info, "Membership Query, general");
        else
            pbuf_printf(s->info, "Membership Query, specific for group %s", g);
        break;
    case 0x12:
    case 0x16: pbuf_printf(s->info, "Membership Report group %s", g); break;
    case 0x17: pbuf_printf(s->info, "Leave Group %s", g); break;
    case 0x22: pbuf_puts(s->info, "Membership Report"); break;
    default: pbuf_printf(s->info, "Type 0x%02" PRIx64, type);
    }
}

static void info_one_value(struct summary *s, enum summary_field id,
                           const char *label) {
    struct print_pick p[1];
    pick(s->v, s->layer, &id, 1, p);
    if (!p[0].found)
        return;
    pbuf_puts(s->info, label);
    pbuf_value(s->info, p[0].f, &p[0].val);
}

static void info_gre(struct summary *s) {
    info_one_value(s, SF_GRE_PROTO, "Encapsulated protocol ");
}

static void info_vxlan(struct summary *s) {
    info_one_value(s, SF_VXLAN_VNI, "VNI ");
}

static void info_mpls(struct summary *s) {
    info_one_value(s, SF_MPLS_LABEL, "MPLS Label: ");
}

static void info_eth(struct summary *s) {
    info_one_value(s, SF_ETH_TYPE, "Ethernet II, Type ");
}

static void info_vlan(struct summary *s) {
    static const enum summary_field ids[] = {SF_VLAN_PRI, SF_VLAN_DEI,
                                             SF_VLAN_ID};
    struct print_pick p[3];
    pick(s->v, s->layer, ids, 3, p);
    pbuf_printf(s->info, "PRI: %" PRIu64 "  DEI: %" PRIu64 "  ID: %" PRIu64,
                uval(&p[0]), uval(&p[1]), uval(&p[2]));
}

static void info_llc(struct summary *s) {
    static const enum summary_field ids[] = {SF_LLC_DSAP, SF_LLC_SSAP,
                                             SF_LLC_CTRL};
    struct print_pick p[3];
    pick(s->v, s->layer, ids, 3, p);
    pbuf_printf(s->info,
                "DSAP 0x%02" PRIx64 ", SSAP 0x%02" PRIx64
                ", Control 0x%02" PRIx64,
                uval(&p[0]), uval(&p[1]), uval(&p[2]));
}

/* An IP header with nothing trawl decodes after it: a later fragment, or
 * a protocol trawl does not know. */
static void info_ip(struct summary *s) {
    static const enum summary_field ids[] = {SF_IP_PROTO, SF_IP_FRAG, SF_IP_MF,
                                             SF_IP_ID};
    struct print_pick p[4];
    pick(s->v, s->layer, ids, 4, p);
    if (uval(&p[1]) || uval(&p[2]))
        pbuf_printf(s->info,
                    "Fragmented IP protocol (proto=%" PRIu64 ", off=%" PRIu64
                    ", ID=%04" PRIx64 ")",
                    uval(&p[0]), uval(&p[1]), uval(&p[3]));
    else
        pbuf_printf(s->info, "IP protocol %" PRIu64, uval(&p[0]));
}

static void info_ipv6(struct summary *s) {
    info_one_value(s, SF_IP6_NXT, "IPv6 next header ");
}

static const struct {
    const char *layer;  /* trawl's short protocol name */
    const char *column; /* protocol column, as tshark names it */
    void (*info)(struct summary *s);
} protocols[] = {
    {"tcp", "TCP", info_tcp},       {"udp", "UDP", info_udp},
    {"icmp", "ICMP", info_icmp},    {"icmpv6", "ICMPv6", info_icmpv6},
    {"arp", "ARP", info_arp},       {"sctp", "SCTP", info_sctp},
    {"igmp", "IGMP", info_igmp},    {"gre", "GRE", info_gre},
    {"vxlan", "VXLAN", info_vxlan}, {"mpls", "MPLS", info_mpls},
    {"vlan", "802.1Q", info_vlan},  {"llc", "LLC", info_llc},
    {"eth", "Ethernet", info_eth},  {"ip", "IPv4", info_ip},
    {"ipv6", "IPv6", info_ipv6},    {"ipv6ext", "IPv6", NULL},
    {"sll", "SLL", NULL},           {"sll2", "SLL2", NULL},
    {"null", "NULL", NULL},         {"data", "DATA", NULL},
};

/* ---- the line --------------------------------------------------------------
 */

enum { MAX_LAYERS = 64 };

static bool is(const char *a, const char *b) {
    return strcmp(a, b) == 0;
}

/* Formats the source and destination of the packet: the IP header that
 * carries the described layer, else the link-layer addresses. */
static void addresses(struct summary *s, const char *const *names, char *src,
                      char *dst, size_t len) {
    struct print_pick p[2];
    enum summary_field ids[2];
    src[0] = dst[0] = '\0';
    size_t link = 0;
    s->addr_layer = 0;
    for (size_t i = 1; i <= s->layer; i++) {
        if (is(names[i], "ip") || is(names[i], "ipv6"))
            s->addr_layer = i;
        else if (is(names[i], "eth") || is(names[i], "sll"))
            link = i;
    }
    size_t l = s->addr_layer ? s->addr_layer : link;
    if (!l)
        return;
    if (is(names[l], "ip")) {
        ids[0] = SF_IP_SRC, ids[1] = SF_IP_DST;
    } else if (is(names[l], "ipv6")) {
        ids[0] = SF_IP6_SRC, ids[1] = SF_IP6_DST;
    } else if (is(names[l], "eth")) {
        ids[0] = SF_ETH_SRC, ids[1] = SF_ETH_DST;
    } else {
        ids[0] = SF_SLL_SRC, ids[1] = SF_SLL_SRC;
    }
    pick(s->v, l, ids, 2, p);
    if (p[0].found)
        trawl_value_format(p[0].f, &p[0].val, src, len);
    if (p[1].found && ids[1] != ids[0])
        trawl_value_format(p[1].f, &p[1].val, dst, len);
}

static int widen(int *w, size_t n) {
    if ((int)n > *w)
        *w = (int)n > 64 ? 64 : (int)n;
    return *w;
}

void print_summary(struct print_ctx *pc, trawl_view *v) {
    summary_fields_init();
    const struct trawl_pkt *pkt = trawl_view_pkt(v);
    const char *names[MAX_LAYERS];
    size_t n = trawl_view_layer_count(v);
    if (n > MAX_LAYERS)
        n = MAX_LAYERS;
    /* The layer the line describes: the innermost one trawl decoded,
     * except that an ICMP error's quoted headers belong to the ICMP
     * message, as in tshark. */
    size_t top = 0;
    for (size_t i = 0; i < n; i++) {
        struct trawl_layer_info li;
        names[i] = trawl_view_layer(v, i, &li) ? li.name : "data";
        if (i == 0 || is(names[i], "data"))
            continue;
        if (!top || (!is(names[top], "icmp") && !is(names[top], "icmpv6")))
            top = i;
    }
    struct summary s = {.pc = pc, .v = v, .layer = top, .info = &pc->scratch};
    pc->scratch.len = 0;
    char src[64], dst[64];
    addresses(&s, names, src, dst, sizeof src);

    const char *column = top ? names[top] : "data";
    for (size_t i = 0; i < CLI_ARRAY_LEN(protocols); i++) {
        if (!is(protocols[i].layer, column))
            continue;
        column = protocols[i].column;
        if (protocols[i].info && top)
            protocols[i].info(&s);
        break;
    }
    if (s.proto[0])
        column = s.proto;
    const char *anom[16];
    size_t na = trawl_view_anomalies(v, anom, CLI_ARRAY_LEN(anom));
    for (size_t i = 0; i < na && i < CLI_ARRAY_LEN(anom); i++)
        pbuf_printf(s.info, "%s[%s]", s.info->len ? " " : "", anom[i]);

    struct pbuf *out = pc->out;
    char num[24];
    int k = snprintf(num, sizeof num, "%" PRIu64, pkt->index + 1);
    pbuf_printf(out, "%*s ", widen(&pc->w_num, (size_t)k), num);
    print_time(pc, pkt, -1);
    int ws = widen(&pc->w_src, strlen(src));
    int wd = widen(&pc->w_dst, strlen(dst));
    int wp = widen(&pc->w_proto, strlen(column));
    pbuf_printf(out, " %*s → %-*s %-*s %" PRIu32, ws, src, wd, dst, wp, column,
                pkt->len);
    if (pc->scratch.len) {
        pbuf_putc(out, ' ');
        pbuf_put(out, pc->scratch.p, pc->scratch.len);
    }
    pbuf_putc(out, '\n');
}
