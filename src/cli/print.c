/* Per-packet output formats. Everything is read through the public field
 * registry, so new decoders show up here without changes. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/print.h"

/* Fields the summary line needs, looked up once. */
struct summary_fields {
    bool ready;
    const trawl_field *ip_src, *ip_dst, *ip6_src, *ip6_dst, *eth_src, *eth_dst;
    const trawl_field *tcp_sport, *tcp_dport, *tcp_flags, *tcp_seq, *tcp_ack,
        *tcp_win, *tcp_len, *udp_sport, *udp_dport, *udp_len, *icmp_type,
        *icmp_code, *icmp_id, *icmp_seq, *icmp6_type, *arp_op, *arp_sha,
        *arp_spa, *arp_tpa, *vxlan_vni, *sctp_sport, *sctp_dport, *igmp_type,
        *igmp_maddr, *gre_proto;
};

static struct summary_fields sf;

static void summary_init(void) {
    if (sf.ready)
        return;
#define L(name) trawl_field_lookup(name)
    sf.ip_src = L("ip.src");
    sf.ip_dst = L("ip.dst");
    sf.ip6_src = L("ipv6.src");
    sf.ip6_dst = L("ipv6.dst");
    sf.eth_src = L("eth.src");
    sf.eth_dst = L("eth.dst");
    sf.tcp_sport = L("tcp.srcport");
    sf.tcp_dport = L("tcp.dstport");
    sf.tcp_flags = L("tcp.flags");
    sf.tcp_seq = L("tcp.seq_raw");
    sf.tcp_ack = L("tcp.ack_raw");
    sf.tcp_win = L("tcp.window_size_value");
    sf.tcp_len = L("tcp.len");
    sf.udp_sport = L("udp.srcport");
    sf.udp_dport = L("udp.dstport");
    sf.udp_len = L("udp.length");
    sf.icmp_type = L("icmp.type");
    sf.icmp_code = L("icmp.code");
    sf.icmp_id = L("icmp.ident");
    sf.icmp_seq = L("icmp.seq");
    sf.icmp6_type = L("icmpv6.type");
    sf.arp_op = L("arp.opcode");
    sf.arp_sha = L("arp.src.hw_mac");
    sf.arp_spa = L("arp.src.proto_ipv4");
    sf.arp_tpa = L("arp.dst.proto_ipv4");
    sf.vxlan_vni = L("vxlan.vni");
    sf.sctp_sport = L("sctp.srcport");
    sf.sctp_dport = L("sctp.dstport");
    sf.igmp_type = L("igmp.type");
    sf.igmp_maddr = L("igmp.maddr");
    sf.gre_proto = L("gre.proto");
#undef L
    sf.ready = true;
}

/* The last occurrence of a field (the innermost header), formatted. */
struct last_ctx {
    char *buf;
    size_t len;
    bool found;
    uint64_t u;
};

static bool keep_last(void *ctx, const trawl_field *f,
                      const struct trawl_value *val) {
    struct last_ctx *c = ctx;
    trawl_value_format(f, val, c->buf, c->len);
    c->u = val->u;
    c->found = true;
    return true;
}

static bool last_value(trawl_view *v, const trawl_field *f, char *buf,
                       size_t len, uint64_t *u) {
    struct last_ctx c = {buf, len, false, 0};
    if (!f)
        return false;
    trawl_view_field_each(v, f, keep_last, &c);
    if (u)
        *u = c.u;
    return c.found;
}

static void format_time(char *buf, size_t len, const struct trawl_pkt *pkt,
                        struct print_state *st) {
    if (!st->have_first) {
        st->have_first = true;
        st->first_sec = st->prev_sec = pkt->ts_sec;
        st->first_nsec = st->prev_nsec = pkt->ts_nsec;
    }
    int64_t bs = st->first_sec;
    uint32_t bn = st->first_nsec;
    switch (st->time_format) {
    case TIME_EPOCH:
        snprintf(buf, len, "%" PRId64 ".%06" PRIu32, pkt->ts_sec,
                 pkt->ts_nsec / 1000);
        break;
    case TIME_ABS:
    case TIME_ABS_DATE: {
        time_t t = (time_t)pkt->ts_sec;
        struct tm tm;
        localtime_r(&t, &tm);
        char tb[48];
        strftime(tb, sizeof tb,
                 st->time_format == TIME_ABS ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S",
                 &tm);
        snprintf(buf, len, "%s.%06" PRIu32, tb, pkt->ts_nsec / 1000);
        break;
    }
    case TIME_DELTA:
        bs = st->prev_sec;
        bn = st->prev_nsec;
        /* fall through */
    case TIME_RELATIVE: {
        int64_t ns = (pkt->ts_sec - bs) * 1000000000 +
                     ((int64_t)pkt->ts_nsec - (int64_t)bn);
        const char *sign = ns < 0 ? "-" : "";
        if (ns < 0)
            ns = -ns;
        snprintf(buf, len, "%s%" PRId64 ".%06" PRId64, sign,
                 ns / 1000000000, (ns % 1000000000) / 1000);
        break;
    }
    }
    st->prev_sec = pkt->ts_sec;
    st->prev_nsec = pkt->ts_nsec;
}

static const char *display_proto(const char *name) {
    static const struct {
        const char *name, *shown;
    } map[] = {
        {"eth", "Ethernet"}, {"ip", "IPv4"},     {"ipv6", "IPv6"},
        {"ipv6ext", "IPv6"}, {"tcp", "TCP"},      {"udp", "UDP"},
        {"icmp", "ICMP"},    {"icmpv6", "ICMPv6"}, {"arp", "ARP"},
        {"sctp", "SCTP"},    {"igmp", "IGMP"},    {"gre", "GRE"},
        {"vxlan", "VXLAN"},  {"vlan", "802.1Q"},  {"mpls", "MPLS"},
        {"llc", "LLC"},      {"sll", "SLL"},      {"null", "NULL"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, name) == 0)
            return map[i].shown;
    return name;
}

static void tcp_flag_names(uint64_t flags, char *buf, size_t len) {
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{0x001, "FIN"}, {0x002, "SYN"}, {0x004, "RST"},
                 {0x008, "PSH"}, {0x010, "ACK"}, {0x020, "URG"},
                 {0x040, "ECE"}, {0x080, "CWR"}, {0x100, "AE"}};
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(flags & names[i].bit))
            continue;
        n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
                              n ? ", " : "", names[i].name);
    }
    if (!n)
        snprintf(buf, len, "<None>");
}

void print_summary(FILE *out, trawl_view *v, struct print_state *st) {
    summary_init();
    const struct trawl_pkt *pkt = trawl_view_pkt(v);
    char tbuf[96], src[64] = "", dst[64] = "", info[512] = "";
    format_time(tbuf, sizeof tbuf, pkt, st);

    size_t n = trawl_view_layer_count(v);
    const char *proto = "";
    const char *top = "";
    for (size_t i = n; i-- > 1;) {
        struct trawl_layer_info li;
        trawl_view_layer(v, i, &li);
        if (strcmp(li.name, "data") != 0 && !*top)
            top = li.name;
    }
    proto = display_proto(*top ? top : "data");

    /* Addresses: the innermost IP header, else the Ethernet addresses. */
    uint64_t ipsel = 0;
    bool have_ip4 = last_value(v, sf.ip_src, src, sizeof src, NULL);
    bool have_ip6 = false;
    /* When both exist (tunnels), the later layer wins: compare the
     * positions of the innermost ip and ipv6 layers. */
    size_t pos4 = 0, pos6 = 0;
    for (size_t i = 1; i < n; i++) {
        struct trawl_layer_info li;
        trawl_view_layer(v, i, &li);
        if (strcmp(li.name, "ip") == 0)
            pos4 = i;
        else if (strcmp(li.name, "ipv6") == 0)
            pos6 = i;
    }
    (void)ipsel;
    if (pos6 > pos4) {
        have_ip6 = last_value(v, sf.ip6_src, src, sizeof src, NULL);
        last_value(v, sf.ip6_dst, dst, sizeof dst, NULL);
    } else if (have_ip4) {
        last_value(v, sf.ip_dst, dst, sizeof dst, NULL);
    }
    if (!have_ip4 && !have_ip6) {
        last_value(v, sf.eth_src, src, sizeof src, NULL);
        last_value(v, sf.eth_dst, dst, sizeof dst, NULL);
    }

    char a[64], b[64];
    uint64_t x = 0, y = 0;
    if (strcmp(top, "tcp") == 0) {
        uint64_t flags = 0, seq = 0, ack = 0, win = 0, len = 0, sp = 0,
                 dp = 0;
        char fl[128];
        last_value(v, sf.tcp_sport, a, sizeof a, &sp);
        last_value(v, sf.tcp_dport, a, sizeof a, &dp);
        last_value(v, sf.tcp_flags, a, sizeof a, &flags);
        last_value(v, sf.tcp_seq, a, sizeof a, &seq);
        last_value(v, sf.tcp_ack, a, sizeof a, &ack);
        last_value(v, sf.tcp_win, a, sizeof a, &win);
        last_value(v, sf.tcp_len, a, sizeof a, &len);
        tcp_flag_names(flags, fl, sizeof fl);
        int k = snprintf(info, sizeof info,
                         "%" PRIu64 " → %" PRIu64 " [%s] Seq=%" PRIu64, sp, dp,
                         fl, seq);
        if (flags & 0x10)
            k += snprintf(info + k, sizeof info - (size_t)k, " Ack=%" PRIu64,
                          ack);
        snprintf(info + k, sizeof info - (size_t)k,
                 " Win=%" PRIu64 " Len=%" PRIu64, win, len);
    } else if (strcmp(top, "udp") == 0 || strcmp(top, "vxlan") == 0) {
        last_value(v, sf.udp_sport, a, sizeof a, &x);
        last_value(v, sf.udp_dport, a, sizeof a, &y);
        uint64_t ul = 0;
        last_value(v, sf.udp_len, a, sizeof a, &ul);
        if (strcmp(top, "vxlan") == 0) {
            uint64_t vni = 0;
            last_value(v, sf.vxlan_vni, a, sizeof a, &vni);
            snprintf(info, sizeof info, "VNI %" PRIu64 " (inner frame)", vni);
        } else {
            snprintf(info, sizeof info, "%" PRIu64 " → %" PRIu64 " Len=%" PRIu64,
                     x, y, ul >= 8 ? ul - 8 : 0);
        }
    } else if (strcmp(top, "icmp") == 0) {
        uint64_t type = 0, code = 0, id = 0, seq = 0;
        last_value(v, sf.icmp_type, a, sizeof a, &type);
        last_value(v, sf.icmp_code, a, sizeof a, &code);
        bool has_id = last_value(v, sf.icmp_id, a, sizeof a, &id);
        last_value(v, sf.icmp_seq, a, sizeof a, &seq);
        const char *what = type == 8   ? "Echo (ping) request"
                           : type == 0 ? "Echo (ping) reply"
                           : type == 3 ? "Destination unreachable"
                           : type == 11 ? "Time-to-live exceeded"
                           : type == 5  ? "Redirect"
                                        : "ICMP";
        if (has_id)
            snprintf(info, sizeof info,
                     "%s  id=0x%04" PRIx64 ", seq=%" PRIu64, what, id, seq);
        else
            snprintf(info, sizeof info, "%s (type %" PRIu64 ", code %" PRIu64
                     ")", what, type, code);
    } else if (strcmp(top, "icmpv6") == 0) {
        uint64_t type = 0;
        last_value(v, sf.icmp6_type, a, sizeof a, &type);
        const char *what = type == 128   ? "Echo (ping) request"
                           : type == 129 ? "Echo (ping) reply"
                           : type == 133 ? "Router Solicitation"
                           : type == 134 ? "Router Advertisement"
                           : type == 135 ? "Neighbor Solicitation"
                           : type == 136 ? "Neighbor Advertisement"
                           : type == 1   ? "Destination Unreachable"
                                         : "ICMPv6";
        snprintf(info, sizeof info, "%s (type %" PRIu64 ")", what, type);
    } else if (strcmp(top, "arp") == 0) {
        uint64_t op = 0;
        last_value(v, sf.arp_op, a, sizeof a, &op);
        char spa[32] = "?", tpa[32] = "?", sha[32] = "?";
        last_value(v, sf.arp_spa, spa, sizeof spa, NULL);
        last_value(v, sf.arp_tpa, tpa, sizeof tpa, NULL);
        last_value(v, sf.arp_sha, sha, sizeof sha, NULL);
        if (op == 1)
            snprintf(info, sizeof info, "Who has %s? Tell %s", tpa, spa);
        else if (op == 2)
            snprintf(info, sizeof info, "%s is at %s", spa, sha);
        else
            snprintf(info, sizeof info, "opcode %" PRIu64, op);
    } else if (strcmp(top, "sctp") == 0) {
        last_value(v, sf.sctp_sport, a, sizeof a, &x);
        last_value(v, sf.sctp_dport, b, sizeof b, &y);
        snprintf(info, sizeof info, "%" PRIu64 " → %" PRIu64, x, y);
    } else if (strcmp(top, "igmp") == 0) {
        char g[32] = "";
        last_value(v, sf.igmp_type, a, sizeof a, &x);
        last_value(v, sf.igmp_maddr, g, sizeof g, NULL);
        snprintf(info, sizeof info, "%s %s",
                 x == 0x11 ? "Membership Query"
                 : x == 0x16 || x == 0x12 || x == 0x22 ? "Membership Report"
                 : x == 0x17 ? "Leave Group" : "IGMP",
                 g);
    } else if (strcmp(top, "gre") == 0) {
        last_value(v, sf.gre_proto, a, sizeof a, NULL);
        snprintf(info, sizeof info, "Encapsulated %s", a);
    }
    const char *anom[8];
    size_t na = trawl_view_anomalies(v, anom, 8);
    size_t il = strlen(info);
    for (size_t i = 0; i < na && i < 8; i++)
        il += (size_t)snprintf(info + il, il < sizeof info ? sizeof info - il : 0,
                               "%s[%s]", il ? " " : "", anom[i]);
    fprintf(out, "%5" PRIu64 " %s %15s → %-15s %-6s %u %s\n", pkt->index + 1,
            tbuf, src, dst, proto, pkt->len, info);
}

/* ---- -V --------------------------------------------------------------- */

struct tree_ctx {
    FILE *out;
};

static bool tree_field(void *ctx, const trawl_field *f,
                       const struct trawl_value *val) {
    struct tree_ctx *t = ctx;
    char buf[256];
    if (trawl_field_type(f) == TRAWL_FT_BYTES) {
        /* Payload bytes are shown by -x, not here. */
        fprintf(t->out, "    %s: %zu bytes\n", trawl_field_label(f),
                val->bytes.len);
        return true;
    }
    trawl_value_describe(f, val, buf, sizeof buf);
    fprintf(t->out, "    %s: %s\n", trawl_field_label(f), buf);
    return true;
}

void print_tree(FILE *out, trawl_view *v) {
    const struct trawl_pkt *pkt = trawl_view_pkt(v);
    size_t n = trawl_view_layer_count(v);
    struct tree_ctx t = {out};
    for (size_t i = 0; i < n; i++) {
        struct trawl_layer_info li;
        trawl_view_layer(v, i, &li);
        if (i == 0)
            fprintf(out,
                    "Frame %" PRIu64 ": %u bytes on wire (%u bits), %u bytes "
                    "captured (%u bits) on interface %u\n",
                    pkt->index + 1, pkt->len, pkt->len * 8, pkt->caplen,
                    pkt->caplen * 8, pkt->iface);
        else
            fprintf(out, "%s (%u bytes at offset %u)\n", li.title, li.length,
                    li.offset);
        trawl_view_layer_fields(v, i, tree_field, &t);
    }
    fputc('\n', out);
}

/* ---- -x / -X ------------------------------------------------------------ */

void print_hex(FILE *out, const struct trawl_pkt *pkt, bool ascii) {
    static const char hex[] = "0123456789abcdef";
    for (uint32_t off = 0; off < pkt->caplen; off += 16) {
        char line[100];
        size_t k = (size_t)snprintf(line, sizeof line, "%04x  ", off);
        uint32_t n = pkt->caplen - off < 16 ? pkt->caplen - off : 16;
        for (uint32_t i = 0; i < 16; i++) {
            if (i < n) {
                line[k++] = hex[pkt->data[off + i] >> 4];
                line[k++] = hex[pkt->data[off + i] & 15];
            } else if (ascii) {
                line[k++] = ' ';
                line[k++] = ' ';
            }
            if (i < n || ascii)
                line[k++] = ' ';
            if (i == 7 && (i < n || ascii))
                line[k++] = ' ';
        }
        if (ascii) {
            line[k++] = ' ';
            for (uint32_t i = 0; i < n; i++) {
                uint8_t c = pkt->data[off + i];
                line[k++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
            }
        }
        while (k && line[k - 1] == ' ')
            k--;
        line[k++] = '\n';
        fwrite(line, 1, k, out);
    }
    fputc('\n', out);
}

/* ---- -T fields ------------------------------------------------------------ */

void print_fields_header(FILE *out, const struct print_fields *pf) {
    for (size_t i = 0; i < pf->nfields; i++) {
        if (i)
            fputc(pf->separator, out);
        fputs(trawl_field_name(pf->fields[i]), out);
    }
    fputc('\n', out);
}

struct fields_ctx {
    char *buf;
    size_t len, cap;
    const struct print_fields *pf;
    unsigned count;
};

static bool add_value(void *ctx, const trawl_field *f,
                      const struct trawl_value *val) {
    struct fields_ctx *c = ctx;
    char tmp[1024];
    size_t n = trawl_value_format(f, val, tmp, sizeof tmp);
    if (n >= sizeof tmp)
        n = sizeof tmp - 1;
    if (c->count && c->pf->occurrence == 'a' && c->len + 1 < c->cap)
        c->buf[c->len++] = c->pf->aggregator;
    if (c->pf->occurrence != 'a')
        c->len = 0; /* first or last: keep only one value */
    if (c->len + n < c->cap) {
        memcpy(c->buf + c->len, tmp, n);
        c->len += n;
    }
    c->count++;
    return c->pf->occurrence != 'f';
}

void print_fields(FILE *out, trawl_view *v, const struct print_fields *pf) {
    char line[65536];
    size_t used = 0;
    for (size_t i = 0; i < pf->nfields; i++) {
        if (i && used + 1 < sizeof line)
            line[used++] = pf->separator;
        if (pf->quote && used + 1 < sizeof line)
            line[used++] = pf->quote;
        struct fields_ctx c = {line + used, 0, sizeof line - used - 2, pf, 0};
        trawl_view_field_each(v, pf->fields[i], add_value, &c);
        used += c.len;
        if (pf->quote && used + 1 < sizeof line)
            line[used++] = pf->quote;
    }
    line[used++] = '\n';
    fwrite(line, 1, used, out);
}
