/* The default output: one line per packet, as tshark prints it — number,
 * time, source, destination, protocol, length and an info column made
 * from the innermost protocol trawl decoded. */
#include <inttypes.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/print.h"

/* The fields the summary reads, looked up by name once. A name the
 * registry lacks leaves a NULL that simply never matches. */
enum summary_field {
    SF_ETH_SRC,
    SF_ETH_DST,
    SF_ETH_TYPE,
    SF_SLL_SRC,
    SF_IP_SRC,
    SF_IP_DST,
    SF_IP_TTL,
    SF_IP_PROTO,
    SF_IP_ID,
    SF_IP_FRAG,
    SF_IP_MF,
    SF_IP6_SRC,
    SF_IP6_DST,
    SF_IP6_HLIM,
    SF_IP6_NXT,
    SF_FRAG6_OFF,
    SF_FRAG6_MORE,
    SF_FRAG6_ID,
    SF_FRAG6_NXT,
    SF_TCP_SPORT,
    SF_TCP_DPORT,
    SF_TCP_FLAGS,
    SF_TCP_SEQ,
    SF_TCP_ACK,
    SF_TCP_WIN,
    SF_TCP_URG,
    SF_TCP_LEN,
    SF_TCP_MSS,
    SF_TCP_WS,
    SF_TCP_TSVAL,
    SF_TCP_TSECR,
    SF_TCP_OPTKIND,
    SF_UDP_SPORT,
    SF_UDP_DPORT,
    SF_UDP_LEN,
    SF_ICMP_TYPE,
    SF_ICMP_CODE,
    SF_ICMP_ID,
    SF_ICMP_SEQ,
    SF_ICMP6_TYPE,
    SF_ICMP6_CODE,
    SF_ICMP6_NS,
    SF_ICMP6_NA,
    SF_ICMP6_ID,
    SF_ICMP6_SEQ,
    SF_ARP_OP,
    SF_ARP_SHA,
    SF_ARP_SPA,
    SF_ARP_TPA,
    SF_SCTP_CHUNK,
    SF_IGMP_VER,
    SF_IGMP_TYPE,
    SF_IGMP_MADDR,
    SF_GRE_PROTO,
    SF_VXLAN_VNI,
    SF_VLAN_PRI,
    SF_VLAN_DEI,
    SF_VLAN_ID,
    SF_MPLS_LABEL,
    SF_LLC_DSAP,
    SF_LLC_SSAP,
    SF_LLC_CTRL,
    SF_COUNT
};

static const char *const sf_names[SF_COUNT] = {
    [SF_ETH_SRC] = "eth.src",
    [SF_ETH_DST] = "eth.dst",
    [SF_ETH_TYPE] = "eth.type",
    [SF_SLL_SRC] = "sll.src.eth",
    [SF_IP_SRC] = "ip.src",
    [SF_IP_DST] = "ip.dst",
    [SF_IP_TTL] = "ip.ttl",
    [SF_IP_PROTO] = "ip.proto",
    [SF_IP_ID] = "ip.id",
    [SF_IP_FRAG] = "ip.frag_offset",
    [SF_IP_MF] = "ip.flags.mf",
    [SF_IP6_SRC] = "ipv6.src",
    [SF_IP6_DST] = "ipv6.dst",
    [SF_IP6_HLIM] = "ipv6.hlim",
    [SF_IP6_NXT] = "ipv6.nxt",
    [SF_FRAG6_OFF] = "ipv6.fraghdr.offset",
    [SF_FRAG6_MORE] = "ipv6.fraghdr.more",
    [SF_FRAG6_ID] = "ipv6.fraghdr.ident",
    [SF_FRAG6_NXT] = "ipv6.fraghdr.nxt",
    [SF_TCP_SPORT] = "tcp.srcport",
    [SF_TCP_DPORT] = "tcp.dstport",
    [SF_TCP_FLAGS] = "tcp.flags",
    [SF_TCP_SEQ] = "tcp.seq_raw",
    [SF_TCP_ACK] = "tcp.ack_raw",
    [SF_TCP_WIN] = "tcp.window_size_value",
    [SF_TCP_URG] = "tcp.urgent_pointer",
    [SF_TCP_LEN] = "tcp.len",
    [SF_TCP_MSS] = "tcp.options.mss_val",
    [SF_TCP_WS] = "tcp.options.wscale.shift",
    [SF_TCP_TSVAL] = "tcp.options.timestamp.tsval",
    [SF_TCP_TSECR] = "tcp.options.timestamp.tsecr",
    [SF_TCP_OPTKIND] = "tcp.option_kind",
    [SF_UDP_SPORT] = "udp.srcport",
    [SF_UDP_DPORT] = "udp.dstport",
    [SF_UDP_LEN] = "udp.length",
    [SF_ICMP_TYPE] = "icmp.type",
    [SF_ICMP_CODE] = "icmp.code",
    [SF_ICMP_ID] = "icmp.ident",
    [SF_ICMP_SEQ] = "icmp.seq",
    [SF_ICMP6_TYPE] = "icmpv6.type",
    [SF_ICMP6_CODE] = "icmpv6.code",
    [SF_ICMP6_NS] = "icmpv6.nd.ns.target_address",
    [SF_ICMP6_NA] = "icmpv6.nd.na.target_address",
    [SF_ICMP6_ID] = "icmpv6.echo.identifier",
    [SF_ICMP6_SEQ] = "icmpv6.echo.sequence_number",
    [SF_ARP_OP] = "arp.opcode",
    [SF_ARP_SHA] = "arp.src.hw_mac",
    [SF_ARP_SPA] = "arp.src.proto_ipv4",
    [SF_ARP_TPA] = "arp.dst.proto_ipv4",
    [SF_SCTP_CHUNK] = "sctp.chunk_type",
    [SF_IGMP_VER] = "igmp.version",
    [SF_IGMP_TYPE] = "igmp.type",
    [SF_IGMP_MADDR] = "igmp.maddr",
    [SF_GRE_PROTO] = "gre.proto",
    [SF_VXLAN_VNI] = "vxlan.vni",
    [SF_VLAN_PRI] = "vlan.priority",
    [SF_VLAN_DEI] = "vlan.dei",
    [SF_VLAN_ID] = "vlan.id",
    [SF_MPLS_LABEL] = "mpls.label",
    [SF_LLC_DSAP] = "llc.dsap",
    [SF_LLC_SSAP] = "llc.ssap",
    [SF_LLC_CTRL] = "llc.control",
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

/* Picks the fields `ids` of one layer into p[0..n): p[k].found says
 * whether the k-th occurs there and p[k].val is its first value. */
static void pick(trawl_view *v, size_t layer, const enum summary_field *ids,
                 size_t n, struct print_pick *p) {
    for (size_t i = 0; i < n; i++)
        p[i] = (struct print_pick){.f = sf[ids[i]]};
    print_pick_layer(v, layer, p, n);
}

static uint64_t uval(const struct print_pick *p) {
    return p->found ? p->val.u : 0;
}

/* Formats a value into buf as -T fields prints it, or "?" when absent;
 * returns buf. */
static const char *text(const struct print_pick *p, char *buf, size_t len) {
    if (p->found)
        trawl_value_format(p->f, &p->val, buf, len);
    else
        snprintf(buf, len, "?");
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

/* ---- info column, one function per protocol ------------------------------ */

struct summary {
    struct print_ctx *pc;
    trawl_view *v;
    size_t layer;      /* the layer the info describes */
    size_t addr_layer; /* the IP layer before it, 0 if none */
    bool payload;      /* bytes follow the layer */
    struct pbuf *info; /* the info text */
    char proto[24];    /* protocol column, when the info function sets it */
};

static void info_tcp(struct summary *s) {
    enum {
        SPORT,
        DPORT,
        FLAGS,
        SEQ,
        ACK,
        WIN,
        URG,
        LEN,
        MSS,
        WS,
        TSVAL,
        TSECR,
        KINDS,
        N
    };
    static const enum summary_field ids[N] = {
        SF_TCP_SPORT, SF_TCP_DPORT, SF_TCP_FLAGS,  SF_TCP_SEQ, SF_TCP_ACK,
        SF_TCP_WIN,   SF_TCP_URG,   SF_TCP_LEN,    SF_TCP_MSS, SF_TCP_WS,
        SF_TCP_TSVAL, SF_TCP_TSECR, SF_TCP_OPTKIND};
    static const struct name_entry flags[] = {
        {0x001, "FIN"}, {0x002, "SYN"}, {0x004, "RST"},
        {0x008, "PSH"}, {0x010, "ACK"}, {0x020, "URG"},
        {0x040, "ECE"}, {0x080, "CWR"}, {0x100, "AE"}};
    struct print_pick p[N];
    for (size_t i = 0; i < N; i++)
        p[i] = (struct print_pick){.f = sf[ids[i]], .all = i == KINDS};
    print_pick_layer(s->v, s->layer, p, N);
    uint64_t fl = uval(&p[FLAGS]);
    pbuf_printf(s->info, "%" PRIu64 " → %" PRIu64 " [", uval(&p[SPORT]),
                uval(&p[DPORT]));
    bool any = false;
    for (size_t i = 0; i < CLI_ARRAY_LEN(flags); i++) {
        if (!(fl & flags[i].value))
            continue;
        pbuf_puts(s->info, any ? ", " : "");
        pbuf_puts(s->info, flags[i].name);
        any = true;
    }
    pbuf_printf(s->info, "%s] Seq=%" PRIu64, any ? "" : "<None>",
                uval(&p[SEQ]));
    if (fl & 0x010)
        pbuf_printf(s->info, " Ack=%" PRIu64, uval(&p[ACK]));
    pbuf_printf(s->info, " Win=%" PRIu64, uval(&p[WIN]));
    if (fl & 0x020)
        pbuf_printf(s->info, " Urg=%" PRIu64, uval(&p[URG]));
    pbuf_printf(s->info, " Len=%" PRIu64, uval(&p[LEN]));
    /* The options tshark names, in the order the packet has them. */
    for (size_t i = 0; i < p[KINDS].nseq; i++) {
        switch (p[KINDS].seq[i]) {
        case 2:
            if (p[MSS].found)
                pbuf_printf(s->info, " MSS=%" PRIu64, p[MSS].val.u);
            break;
        case 3:
            if (p[WS].found)
                pbuf_printf(s->info, " WS=%" PRIu64,
                            (uint64_t)1
                                << (p[WS].val.u > 14 ? 14 : p[WS].val.u));
            break;
        case 4: pbuf_puts(s->info, " SACK_PERM"); break;
        case 8:
            if (p[TSVAL].found)
                pbuf_printf(s->info, " TSval=%" PRIu64 " TSecr=%" PRIu64,
                            p[TSVAL].val.u, uval(&p[TSECR]));
            break;
        }
    }
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
    static const struct name_entry codes[] = {
        {0x100, "No route to destination"},
        {0x101, "Communication with destination administratively "
                "prohibited"},
        {0x102, "Beyond scope of source address"},
        {0x103, "Address unreachable"},
        {0x104, "Port unreachable"},
        {0x105, "Source address failed ingress/egress policy"},
        {0x106, "Reject route to destination"},
        {0x300, "hop limit exceeded in transit"},
        {0x301, "fragment reassembly time exceeded"}};
    enum { TYPE, CODE, NS, NA, ID, SEQ, N };
    static const enum summary_field ids[N] = {SF_ICMP6_TYPE, SF_ICMP6_CODE,
                                              SF_ICMP6_NS,   SF_ICMP6_NA,
                                              SF_ICMP6_ID,   SF_ICMP6_SEQ};
    struct print_pick p[N];
    char a[64];
    pick(s->v, s->layer, ids, N, p);
    uint64_t type = uval(&p[TYPE]), code = uval(&p[CODE]);
    const char *name = LOOKUP(types, type);
    if (name)
        pbuf_puts(s->info, name);
    else
        pbuf_printf(s->info, "Type %" PRIu64 ", Code %" PRIu64, type, code);
    const char *cname = LOOKUP(codes, type << 8 | code);
    if (cname)
        pbuf_printf(s->info, " (%s)", cname);
    if (p[NS].found)
        pbuf_printf(s->info, " for %s", text(&p[NS], a, sizeof a));
    else if (p[NA].found)
        pbuf_printf(s->info, " %s", text(&p[NA], a, sizeof a));
    if (type == 128 || type == 129) {
        uint64_t hlim;
        if (p[ID].found && p[SEQ].found)
            pbuf_printf(s->info, " id=0x%04" PRIx64 ", seq=%" PRIu64 ",",
                        p[ID].val.u, p[SEQ].val.u);
        if (carrier_ttl(s, &hlim))
            pbuf_printf(s->info, " hop limit=%" PRIu64, hlim);
    }
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
    bool addrs = p[2].found && p[3].found;
    if (op == 1 && addrs && strcmp(spa, tpa) == 0)
        pbuf_printf(s->info, "Gratuitous ARP for %s (Request)", spa);
    else if (op == 1 && addrs)
        pbuf_printf(s->info, "Who has %s? Tell %s", tpa, spa);
    else if (op == 2 && p[1].found && p[2].found)
        pbuf_printf(s->info, "%s is at %s", spa, sha);
    else
        pbuf_printf(s->info, "ARP opcode %" PRIu64, op);
    if (op == 3 || op == 4)
        snprintf(s->proto, sizeof s->proto, "RARP");
}

/* tshark lists the chunks, not the ports. */
static void info_sctp(struct summary *s) {
    static const char *const chunks[] = {
        "DATA",  "INIT",        "INIT_ACK",
        "SACK",  "HEARTBEAT",   "HEARTBEAT_ACK",
        "ABORT", "SHUTDOWN",    "SHUTDOWN_ACK",
        "ERROR", "COOKIE_ECHO", "COOKIE_ACK",
        "ECNE",  "CWR",         "SHUTDOWN_COMPLETE"};
    struct print_pick p = {.f = sf[SF_SCTP_CHUNK], .all = true};
    print_pick_layer(s->v, s->layer, &p, 1);
    for (size_t i = 0; i < p.nseq; i++) {
        if (i)
            pbuf_putc(s->info, ' ');
        if (p.seq[i] < CLI_ARRAY_LEN(chunks))
            pbuf_puts(s->info, chunks[p.seq[i]]);
        else
            pbuf_printf(s->info, "CHUNK(%u)", p.seq[i]);
    }
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
 * a protocol trawl does not know. Offsets are shown in bytes, as tshark
 * shows them. */
static void info_ip(struct summary *s) {
    static const enum summary_field ids[] = {SF_IP_PROTO, SF_IP_FRAG, SF_IP_MF,
                                             SF_IP_ID};
    struct print_pick p[4];
    char name[48] = "";
    pick(s->v, s->layer, ids, 4, p);
    if (p[0].found && print_value_name(p[0].f, &p[0].val, name, sizeof name))
        strcat(name, " ");
    if (uval(&p[1]) || uval(&p[2]))
        pbuf_printf(s->info,
                    "Fragmented IP protocol (proto=%s%" PRIu64 ", off=%" PRIu64
                    ", ID=%04" PRIx64 ")",
                    name, uval(&p[0]), uval(&p[1]) * 8, uval(&p[3]));
    else if (p[0].found && s->payload)
        pbuf_printf(s->info, "IP protocol %s%" PRIu64, name, uval(&p[0]));
}

static void info_ipv6(struct summary *s) {
    info_one_value(s, SF_IP6_NXT, "IPv6 next header ");
}

static void info_ipv6ext(struct summary *s) {
    static const enum summary_field ids[] = {SF_FRAG6_OFF, SF_FRAG6_MORE,
                                             SF_FRAG6_ID, SF_FRAG6_NXT};
    struct print_pick p[4];
    pick(s->v, s->layer, ids, 4, p);
    if (p[0].found)
        pbuf_printf(s->info,
                    "IPv6 fragment (off=%" PRIu64 " more=%c ident=0x%08" PRIx64
                    " nxt=%" PRIu64 ")",
                    uval(&p[0]) * 8, uval(&p[1]) ? 'y' : 'n', uval(&p[2]),
                    uval(&p[3]));
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
    {"ipv6", "IPv6", info_ipv6},    {"ipv6ext", "IPv6", info_ipv6ext},
    {"sll", "SLL", NULL},           {"sll2", "SLL2", NULL},
    {"null", "NULL", NULL},         {"data", "DATA", NULL},
};

/* ---- the line ------------------------------------------------------------ */

enum { MAX_LAYERS = 64 };

static bool is(const char *a, const char *b) {
    return strcmp(a, b) == 0;
}

/* Formats the source and destination of the packet: the IP header that
 * carries the described layer, else (or where that header is cut short)
 * the link-layer addresses. */
static void addresses(struct summary *s, const char *const *names, char *src,
                      char *dst, size_t len) {
    size_t link = 0;
    src[0] = dst[0] = '\0';
    s->addr_layer = 0;
    for (size_t i = 1; i <= s->layer; i++) {
        if (is(names[i], "ip") || is(names[i], "ipv6"))
            s->addr_layer = i;
        else if (is(names[i], "eth") || is(names[i], "sll"))
            link = i;
    }
    for (int pass = 0; pass < 2; pass++) {
        size_t l = pass == 0 ? s->addr_layer : link;
        if (!l)
            continue;
        enum summary_field ids[2] = {SF_SLL_SRC, SF_SLL_SRC};
        if (is(names[l], "ip"))
            ids[0] = SF_IP_SRC, ids[1] = SF_IP_DST;
        else if (is(names[l], "ipv6"))
            ids[0] = SF_IP6_SRC, ids[1] = SF_IP6_DST;
        else if (is(names[l], "eth"))
            ids[0] = SF_ETH_SRC, ids[1] = SF_ETH_DST;
        struct print_pick p[2];
        pick(s->v, l, ids, 2, p);
        if (p[0].found && !src[0])
            trawl_value_format(p[0].f, &p[0].val, src, len);
        if (p[1].found && ids[1] != ids[0] && !dst[0])
            trawl_value_format(p[1].f, &p[1].val, dst, len);
    }
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
    struct summary s = {.pc = pc,
                        .v = v,
                        .layer = top,
                        .info = &pc->scratch,
                        .payload = top + 1 < n};
    pc->scratch.len = 0;
    char src[64], dst[64];
    addresses(&s, names, src, dst, sizeof src);

    const char *column = top ? names[top] : "data";
    size_t first_rpc = 0;
    for (size_t i = 1; i <= top && !first_rpc; i++)
        if (is(names[i], "rpc"))
            first_rpc = i;
    if (first_rpc) {
        print_summary_rpc(v, first_rpc, n, s.info, s.proto, sizeof s.proto);
        column = s.proto;
    }
    for (size_t i = 0; i < CLI_ARRAY_LEN(protocols) && !first_rpc; i++) {
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
    k = snprintf(num, sizeof num, "%" PRIu32, pkt->len);
    int wl = widen(&pc->w_len, (size_t)k);
    pbuf_printf(out, " %*s → %-*s %-*s %*s", ws, src, wd, dst, wp, column, wl,
                num);
    if (pc->scratch.len) {
        pbuf_putc(out, ' ');
        pbuf_put(out, pc->scratch.p, pc->scratch.len);
    }
    pbuf_putc(out, '\n');
}
