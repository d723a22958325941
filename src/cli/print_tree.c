/* -V: the decoded layer tree. Per layer a title line ("Internet Protocol
 * Version 4, Src: 10.0.0.1, Dst: 10.0.0.2"), then one indented
 * "Label: value" line per field present in that layer, in registry order;
 * the frame pseudo-layer first, the decoder anomalies last. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/print.h"

/* Fields repeated in a layer's title, as Wireshark does. */
static const struct {
    const char *layer, *field, *label;
} title_fields[] = {
    {"eth", "eth.src", "Src"},
    {"eth", "eth.dst", "Dst"},
    {"ip", "ip.src", "Src"},
    {"ip", "ip.dst", "Dst"},
    {"ipv6", "ipv6.src", "Src"},
    {"ipv6", "ipv6.dst", "Dst"},
    {"tcp", "tcp.srcport", "Src Port"},
    {"tcp", "tcp.dstport", "Dst Port"},
    {"tcp", "tcp.seq_raw", "Seq"},
    {"tcp", "tcp.len", "Len"},
    {"udp", "udp.srcport", "Src Port"},
    {"udp", "udp.dstport", "Dst Port"},
    {"sctp", "sctp.srcport", "Src Port"},
    {"sctp", "sctp.dstport", "Dst Port"},
    {"vlan", "vlan.priority", "PRI"},
    {"vlan", "vlan.dei", "DEI"},
    {"vlan", "vlan.id", "ID"},
    {"mpls", "mpls.label", "Label"},
    {"mpls", "mpls.ttl", "TTL"},
    {"vxlan", "vxlan.vni", "VNI"},
    {"arp", "arp.opcode", NULL}, /* "(request)": the value's name */
    {"rpc", "rpc.msgtyp", NULL},
    {"rpc", "rpc.xid", "XID"},
    {"nfs", "nfs.ops.count", "Ops"},
};

enum { NTITLE = CLI_ARRAY_LEN(title_fields), DETAIL_LEN = 48 };

/* Looked up once: the registry does not change while trawl runs. */
static const trawl_field *title_f[NTITLE];
static const trawl_field *iface_f;

static void tree_fields_init(void) {
    static bool done;
    if (done)
        return;
    for (size_t i = 0; i < NTITLE; i++)
        title_f[i] = trawl_field_lookup(title_fields[i].field);
    iface_f = trawl_field_lookup("frame.interface_id");
    done = true;
}

struct tree_ctx {
    struct print_ctx *pc;
    struct pbuf *lines;
    const char *layer;
    const char *const *anomalies; /* frame layer: fields not to list */
    size_t nanomalies;
    unsigned depth; /* of the value being printed, in its layer */
    char detail[NTITLE][DETAIL_LEN];
};

static bool is_anomaly(const struct tree_ctx *t, const trawl_field *f) {
    for (size_t i = 0; i < t->nanomalies; i++)
        if (strcmp(t->anomalies[i], trawl_field_name(f)) == 0)
            return true;
    return false;
}

/* Long byte strings are shown by their start; -x shows them whole. */
static void put_bytes(struct pbuf *b, const struct trawl_value *val) {
    static const char hex[] = "0123456789abcdef";
    enum { SHOWN = 24 };
    size_t n = val->bytes.len < SHOWN ? val->bytes.len : SHOWN;
    for (size_t i = 0; i < n; i++) {
        pbuf_putc(b, hex[val->bytes.p[i] >> 4]);
        pbuf_putc(b, hex[val->bytes.p[i] & 15]);
    }
    if (val->bytes.len > SHOWN)
        pbuf_puts(b, "…");
    pbuf_printf(b, " (%zu bytes)", val->bytes.len);
}

static bool tree_field(void *ctx, const trawl_field *f,
                       const struct trawl_value *val) {
    struct tree_ctx *t = ctx;
    if (print_field_is_aggregate(f) || is_anomaly(t, f))
        return true;
    for (size_t i = 0; i < NTITLE; i++) {
        if (title_f[i] != f || t->detail[i][0])
            continue;
        if (title_fields[i].label)
            trawl_value_format(f, val, t->detail[i], DETAIL_LEN);
        else
            print_value_name(f, val, t->detail[i], DETAIL_LEN);
    }
    struct pbuf *b = t->lines;
    pbuf_pad(b, ' ', 4 * (1 + (t->depth < 16 ? t->depth : 16)));
    pbuf_puts(b, trawl_field_label(f));
    pbuf_puts(b, ": ");
    switch (val->type) {
    case TRAWL_FT_BOOL: pbuf_puts(b, val->u ? "Set" : "Not set"); break;
    case TRAWL_FT_BYTES: put_bytes(b, val); break;
    case TRAWL_FT_STRING:
        pbuf_escaped(b, (const char *)val->bytes.p, val->bytes.len,
                     ESCAPE_TEXT);
        break;
    case TRAWL_FT_TIME:
    case TRAWL_FT_RELTIME:
        pbuf_value(b, f, val);
        pbuf_puts(b, " seconds");
        break;
    default: pbuf_describe(b, f, val); break;
    }
    if (f == iface_f) {
        const struct trawl_iface *ifc = print_iface(t->pc, (uint32_t)val->u);
        if (ifc && ifc->name)
            pbuf_printf(b, " (%s)", ifc->name);
    }
    pbuf_putc(b, '\n');
    return true;
}

/* Values in the order of the packet, indented by their nesting: the
 * layers of RPC and its programs hold nested structures. */
static bool tree_value(void *ctx, const trawl_field *f,
                       const struct trawl_value *val, unsigned depth) {
    struct tree_ctx *t = ctx;
    t->depth = depth;
    return tree_field(ctx, f, val);
}

static void put_span(struct pbuf *b, const char *label, struct print_span s) {
    /* print_time() formats spans with six decimals; -V shows all nine. */
    const char *sign = "";
    if (s.sec < 0) {
        sign = "-";
        if (s.nsec) {
            s.sec = -(s.sec + 1);
            s.nsec = 1000000000u - s.nsec;
        } else {
            s.sec = -s.sec;
        }
    }
    pbuf_printf(b, "    [%s: %s%" PRId64 ".%09" PRIu32 " seconds]\n", label,
                sign, s.sec, s.nsec);
}

static void frame_title(struct print_ctx *pc, const struct trawl_pkt *pkt) {
    struct pbuf *out = pc->out;
    pbuf_printf(out,
                "Frame %" PRIu64 ": %" PRIu32 " bytes on wire (%" PRIu64
                " bits), %" PRIu32 " bytes captured (%" PRIu64
                " bits) on interface ",
                pkt->index + 1, pkt->len, (uint64_t)pkt->len * 8, pkt->caplen,
                (uint64_t)pkt->caplen * 8);
    const struct trawl_iface *ifc = print_iface(pc, pkt->iface);
    if (ifc && ifc->name) {
        pbuf_escaped(out, ifc->name, strlen(ifc->name), ESCAPE_TEXT);
        pbuf_puts(out, ", ");
    }
    pbuf_printf(out, "id %" PRIu32 "\n", pkt->iface);
    time_t t = (time_t)pkt->ts_sec;
    struct tm tm;
    char when[64];
    if (localtime_r(&t, &tm) &&
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm)) {
        char zone[16] = "";
        strftime(zone, sizeof zone, "%Z", &tm);
        pbuf_printf(out, "    Arrival Time: %s.%09" PRIu32 " %s\n", when,
                    pkt->ts_nsec, zone);
    }
}

void print_tree(struct print_ctx *pc, trawl_view *v) {
    tree_fields_init();
    const struct trawl_pkt *pkt = trawl_view_pkt(v);
    struct pbuf *out = pc->out;
    const char *anom[32];
    size_t na = trawl_view_anomalies(v, anom, CLI_ARRAY_LEN(anom));
    size_t shown = na < CLI_ARRAY_LEN(anom) ? na : CLI_ARRAY_LEN(anom);
    size_t n = trawl_view_layer_count(v);
    for (size_t i = 0; i < n; i++) {
        struct trawl_layer_info li;
        if (!trawl_view_layer(v, i, &li))
            break;
        struct tree_ctx t = {.pc = pc, .lines = &pc->scratch, .layer = li.name};
        pc->scratch.len = 0;
        if (i == 0) {
            t.anomalies = anom;
            t.nanomalies = shown;
        }
        trawl_view_layer_tree(v, i, tree_value, &t);
        if (i == 0) {
            frame_title(pc, pkt);
            put_span(out, "Time delta from previous captured frame",
                     pc->since_prev);
            put_span(out, "Time since reference or first frame",
                     pc->since_first);
        } else {
            pbuf_puts(out, li.title);
            for (size_t k = 0; k < NTITLE; k++) {
                if (!t.detail[k][0] || strcmp(title_fields[k].layer, li.name))
                    continue;
                if (title_fields[k].label)
                    pbuf_printf(out, ", %s: %s", title_fields[k].label,
                                t.detail[k]);
                else
                    pbuf_printf(out, " (%s)", t.detail[k]);
            }
            pbuf_putc(out, '\n');
        }
        pbuf_put(out, pc->scratch.p ? pc->scratch.p : "", pc->scratch.len);
    }
    if (shown) {
        pbuf_puts(out, "Anomalies:");
        for (size_t i = 0; i < shown; i++)
            pbuf_printf(out, "%s %s", i ? "," : "", anom[i]);
        pbuf_putc(out, '\n');
    }
    pbuf_putc(out, '\n');
}
