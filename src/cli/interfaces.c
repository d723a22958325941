/* trawl interfaces — every network interface with what a capture on it
 * needs to know: name, description, MAC, IANA ifType, MTU, speed, flags,
 * addresses, and whether trawl can capture on it now (and why not). */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/print.h"
#include "trawl/trawl.h"

static const char interfaces_usage[] =
    "usage: trawl interfaces [--json]\n"
    "\n"
    "Lists the network interfaces trawl can see, in index order, then the\n"
    "'any' pseudo-device: name, description (driver), MAC address, IANA\n"
    "interface type, MTU, speed when the driver reports it, flags (up,\n"
    "running, loopback, wireless, promisc), addresses, and whether a\n"
    "capture could be opened on it now, and if not, why.\n"
    "\n"
    "  --json       one JSON array of objects, for programs\n"
    "  -h, --help   show this help\n";

/* IANA ifType names for the types trawl reports. */
static const char *iftype_name(unsigned t) {
    switch (t) {
    case 6: return "ethernetCsmacd";
    case 15: return "fddi";
    case 23: return "ppp";
    case 24: return "softwareLoopback";
    case 28: return "slip";
    case 37: return "atm";
    case 53: return "propVirtual";
    case 71: return "ieee80211";
    case 131: return "tunnel";
    case 135: return "l2vlan";
    case 144: return "ieee1394";
    case 161: return "ieee8023adLag";
    case 199: return "infiniband";
    case 209: return "bridge";
    case 259: return "ieee802154";
    default: return "other";
    }
}

static const struct {
    unsigned bit;
    const char *name;
} flag_names[] = {
    {TRAWL_IF_UP, "up"},           {TRAWL_IF_RUNNING, "running"},
    {TRAWL_IF_LOOPBACK, "loopback"}, {TRAWL_IF_WIRELESS, "wireless"},
    {TRAWL_IF_PROMISC, "promisc"},
};

static void put_mac(struct pbuf *b, const uint8_t *m) {
    pbuf_printf(b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
                m[4], m[5]);
}

static void put_addr(struct pbuf *b, const struct trawl_ifaddr *a) {
    char text[INET6_ADDRSTRLEN];
    if (!inet_ntop(a->family, a->addr, text, sizeof text))
        snprintf(text, sizeof text, "?");
    pbuf_puts(b, text);
}

static void put_json_string(struct pbuf *b, const char *s) {
    pbuf_putc(b, '"');
    pbuf_escaped(b, s, strlen(s), ESCAPE_JSON);
    pbuf_putc(b, '"');
}

static void print_json_list(struct pbuf *b, const struct trawl_ifinfo *l,
                            size_t n) {
    pbuf_puts(b, "[");
    for (size_t i = 0; i < n; i++) {
        const struct trawl_ifinfo *f = &l[i];
        pbuf_puts(b, i ? ",\n {" : "\n {");
        pbuf_puts(b, "\"name\": ");
        put_json_string(b, f->name);
        pbuf_puts(b, ", \"description\": ");
        put_json_string(b, f->description ? f->description : "");
        pbuf_printf(b, ", \"index\": %u, \"mac\": ", f->index);
        if (f->has_mac) {
            pbuf_putc(b, '"');
            put_mac(b, f->mac);
            pbuf_putc(b, '"');
        } else {
            pbuf_puts(b, "null");
        }
        pbuf_printf(b,
                    ", \"iftype\": %u, \"iftype_name\": \"%s\", "
                    "\"linktype\": %d, \"mtu\": %u, \"speed_mbps\": ",
                    f->iftype, iftype_name(f->iftype), f->linktype, f->mtu);
        if (f->speed_mbps >= 0)
            pbuf_printf(b, "%" PRId64, f->speed_mbps);
        else
            pbuf_puts(b, "null");
        pbuf_puts(b, ", \"flags\": [");
        bool first = true;
        for (size_t k = 0; k < CLI_ARRAY_LEN(flag_names); k++) {
            if (!(f->flags & flag_names[k].bit))
                continue;
            pbuf_printf(b, "%s\"%s\"", first ? "" : ", ", flag_names[k].name);
            first = false;
        }
        pbuf_puts(b, "], \"addresses\": [");
        for (size_t k = 0; k < f->naddrs; k++) {
            const struct trawl_ifaddr *a = &f->addrs[k];
            pbuf_printf(b, "%s{\"family\": \"%s\", \"address\": \"",
                        k ? ", " : "", a->family == AF_INET ? "inet" : "inet6");
            put_addr(b, a);
            pbuf_printf(b, "\", \"prefix\": %u}", a->prefix);
        }
        pbuf_printf(b, "], \"can_capture\": %s, \"why_not\": ",
                    f->can_capture ? "true" : "false");
        if (f->why_not)
            put_json_string(b, f->why_not);
        else
            pbuf_puts(b, "null");
        pbuf_putc(b, '}');
    }
    pbuf_puts(b, "\n]\n");
}

static void print_text_list(struct pbuf *b, const struct trawl_ifinfo *l,
                            size_t n) {
    for (size_t i = 0; i < n; i++) {
        const struct trawl_ifinfo *f = &l[i];
        if (f->index)
            pbuf_printf(b, "%u. ", f->index);
        else
            pbuf_puts(b, "-. ");
        pbuf_puts(b, f->name);
        if (f->description && *f->description)
            pbuf_printf(b, " (%s)", f->description);
        pbuf_putc(b, '\n');
        pbuf_puts(b, "     ");
        bool first = true;
        for (size_t k = 0; k < CLI_ARRAY_LEN(flag_names); k++) {
            if (!(f->flags & flag_names[k].bit))
                continue;
            pbuf_printf(b, "%s%s", first ? "" : ",", flag_names[k].name);
            first = false;
        }
        if (first)
            pbuf_puts(b, "down");
        pbuf_printf(b, "  %s(%u)", iftype_name(f->iftype), f->iftype);
        if (f->mtu)
            pbuf_printf(b, "  mtu %u", f->mtu);
        if (f->speed_mbps >= 0)
            pbuf_printf(b, "  %" PRId64 " Mb/s", f->speed_mbps);
        if (f->has_mac) {
            pbuf_puts(b, "  ");
            put_mac(b, f->mac);
        }
        pbuf_putc(b, '\n');
        for (size_t k = 0; k < f->naddrs; k++) {
            pbuf_printf(b, "     %s ",
                        f->addrs[k].family == AF_INET ? "inet" : "inet6");
            put_addr(b, &f->addrs[k]);
            pbuf_printf(b, "/%u\n", f->addrs[k].prefix);
        }
        if (!f->can_capture)
            pbuf_printf(b, "     cannot capture: %s\n", f->why_not);
    }
}

static int run_interfaces(int argc, char **argv) {
    static const struct option longs[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (c == 'j')
            json = true;
        else if (c == 'h') {
            fputs(interfaces_usage, stdout);
            return CLI_OK;
        } else {
            return cli_usage_error(&cli_cmd_interfaces, "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(&cli_cmd_interfaces,
                               "'%s' is not an option (there are no "
                               "arguments)",
                               argv[optind]);
    struct trawl_ifinfo *list;
    size_t n;
    char err[TRAWL_ERRBUF_SIZE];
    if (trawl_iflist(&list, &n, err, sizeof err) < 0) {
        cli_error("%s", err);
        return CLI_FAIL;
    }
    struct pbuf b = {0};
    if (json)
        print_json_list(&b, list, n);
    else
        print_text_list(&b, list, n);
    trawl_iflist_free(list, n);
    int status = CLI_OK;
    if (b.oom || pbuf_flush_fd(&b, STDOUT_FILENO) < 0) {
        cli_error("writing standard output failed");
        status = CLI_FAIL;
    }
    pbuf_free(&b);
    return status;
}

const struct cli_command cli_cmd_interfaces = {
    .name = "interfaces",
    .summary = "list the network interfaces a capture can use",
    .run = run_interfaces,
    .usage = interfaces_usage,
};
