/* Listing interfaces for `trawl interfaces`: what the kernel knows of each
 * (getifaddrs: name, index, hardware type and address, flags, IP
 * addresses; ioctl: MTU and driver; /sys/class/net: speed and device
 * type), what libpcap says (descriptions, the "any" pseudo-device), and
 * whether a capture could be opened on it now. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/capture_int.h"

/* Not in every libc header yet. */
#ifndef ARPHRD_IP6GRE
#define ARPHRD_IP6GRE 823
#endif

#define ANY_DESCRIPTION "Pseudo-device that captures on all interfaces"
#define LINKTYPE_LINUX_SLL 113

/* An interface while the list is being built; the public entry points
 * into these strings and arrays. */
struct ifbuild {
    struct trawl_ifinfo info;
    char *name, *description, *why;
    struct trawl_ifaddr *addrs;
    size_t naddrs, cap_addrs;
    unsigned hatype;
};

/* IANA ifType (RFC 2863 ifType-MIB) from the ARP hardware type and, for
 * Ethernet-like devices, the kernel's device type. */
static unsigned iana_type(unsigned hatype, const char *devtype) {
    if (hatype == ARPHRD_ETHER) {
        if (strcmp(devtype, "wlan") == 0)
            return 71; /* ieee80211 */
        if (strcmp(devtype, "vlan") == 0)
            return 135; /* l2vlan */
        if (strcmp(devtype, "bridge") == 0)
            return 209; /* bridge */
        if (strcmp(devtype, "bond") == 0)
            return 161; /* ieee8023adLag */
        return 6; /* ethernetCsmacd */
    }
    static const struct {
        unsigned hatype, iana;
    } map[] = {
        {ARPHRD_LOOPBACK, 24},  {ARPHRD_PPP, 23},       {ARPHRD_SLIP, 28},
        {ARPHRD_TUNNEL, 131},   {ARPHRD_TUNNEL6, 131},  {ARPHRD_SIT, 131},
        {ARPHRD_IPGRE, 131},    {ARPHRD_IP6GRE, 131},   {ARPHRD_NONE, 53},
        {ARPHRD_IEEE80211, 71}, {ARPHRD_IEEE80211_PRISM, 71},
        {ARPHRD_IEEE80211_RADIOTAP, 71},                {ARPHRD_INFINIBAND, 199},
        {ARPHRD_IEEE802154, 259}, {ARPHRD_FDDI, 15},    {ARPHRD_ATM, 37},
        {ARPHRD_IEEE1394, 144},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(map); i++)
        if (map[i].hatype == hatype)
            return map[i].iana;
    return 1; /* other */
}

/* The LINKTYPE_ a capture on this hardware type delivers; libpcap falls
 * back to Linux cooked capture for types it has no header for. */
static int linktype_for(unsigned hatype) {
    static const struct {
        unsigned hatype;
        int linktype;
    } map[] = {
        {ARPHRD_ETHER, 1},      {ARPHRD_LOOPBACK, 1},  {ARPHRD_NONE, 101},
        {ARPHRD_TUNNEL, 101},   {ARPHRD_SIT, 101},     {ARPHRD_SLIP, 101},
        {ARPHRD_IEEE80211, 105}, {ARPHRD_IEEE80211_PRISM, 119},
        {ARPHRD_IEEE80211_RADIOTAP, 127},               {ARPHRD_CAN, 227},
        {ARPHRD_IEEE802154, 230}, {ARPHRD_FDDI, 10},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(map); i++)
        if (map[i].hatype == hatype)
            return map[i].linktype;
    return LINKTYPE_LINUX_SLL;
}

/* Reads /sys/class/net/NAME/FILE into buf (first line, no newline);
 * false when it cannot be read (speed of a link that is down, ...). */
static bool sys_read(const char *name, const char *file, char *buf,
                     size_t len) {
    char path[320];
    snprintf(path, sizeof path, "/sys/class/net/%s/%s", name, file);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

/* DEVTYPE= from the device's uevent ("wlan", "vlan", "bridge", ...), or
 * "" when it has none. */
static void sys_devtype(const char *name, char *buf, size_t len) {
    char path[320], line[128];
    buf[0] = '\0';
    snprintf(path, sizeof path, "/sys/class/net/%s/uevent", name);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "DEVTYPE=", 8) == 0) {
            size_t n = strcspn(line + 8, "\n");
            if (n >= len)
                n = len - 1; /* longer than any device type */
            memcpy(buf, line + 8, n);
            buf[n] = '\0';
            break;
        }
    }
    fclose(f);
}

static void probe_kernel(struct ifbuild *b, int sock, char *driver,
                         size_t dlen) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", b->name);
    if (sock >= 0 && ioctl(sock, SIOCGIFMTU, &ifr) == 0)
        b->info.mtu = (unsigned)ifr.ifr_mtu;
    driver[0] = '\0';
    struct ethtool_drvinfo di = {.cmd = ETHTOOL_GDRVINFO};
    ifr.ifr_data = (void *)&di;
    if (sock >= 0 && ioctl(sock, SIOCETHTOOL, &ifr) == 0)
        snprintf(driver, dlen, "%.*s", (int)sizeof di.driver, di.driver);
    char buf[64];
    b->info.speed_mbps = -1;
    if (sys_read(b->name, "speed", buf, sizeof buf)) {
        long long s = strtoll(buf, NULL, 10);
        if (s > 0)
            b->info.speed_mbps = s;
    }
    char devtype[32];
    sys_devtype(b->name, devtype, sizeof devtype);
    char phy[8];
    if (strcmp(devtype, "wlan") == 0 ||
        sys_read(b->name, "phy80211/index", phy, sizeof phy))
        b->info.flags |= TRAWL_IF_WIRELESS;
    b->info.iftype = iana_type(b->hatype, devtype);
    if ((b->info.flags & TRAWL_IF_WIRELESS) && b->info.iftype == 6)
        b->info.iftype = 71;
    b->info.linktype = linktype_for(b->hatype);
}

static struct ifbuild *find(struct ifbuild *a, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].name, name) == 0)
            return &a[i];
    return NULL;
}

static unsigned prefix_len(const uint8_t *mask, size_t n) {
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++)
        bits += (unsigned)__builtin_popcount(mask[i]);
    return bits;
}

static bool add_addr(struct ifbuild *b, const struct sockaddr *sa,
                     const struct sockaddr *mask) {
    if (b->naddrs == b->cap_addrs) {
        size_t n = b->cap_addrs ? b->cap_addrs * 2 : 4;
        struct trawl_ifaddr *a = core_reallocarray(b->addrs, n, sizeof *a);
        if (!a)
            return false;
        b->addrs = a;
        b->cap_addrs = n;
    }
    struct trawl_ifaddr *a = &b->addrs[b->naddrs++];
    memset(a, 0, sizeof *a);
    a->family = sa->sa_family;
    if (sa->sa_family == AF_INET) {
        memcpy(a->addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        if (mask)
            a->prefix = (uint8_t)prefix_len(
                (const uint8_t *)&((const struct sockaddr_in *)(const void *)mask)->sin_addr, 4);
    } else {
        memcpy(a->addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        if (mask)
            a->prefix = (uint8_t)prefix_len(
                (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)mask)->sin6_addr, 16);
    }
    return true;
}

static void build_free(struct ifbuild *b) {
    free(b->name);
    free(b->description);
    free(b->why);
    free(b->addrs);
}

/* Whether this process may open packet sockets at all. */
static bool may_capture(void) {
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s < 0)
        return errno != EPERM && errno != EACCES;
    close(s);
    return true;
}

static int cmp_index(const void *a, const void *b) {
    const struct ifbuild *x = a, *y = b;
    /* The pseudo-device (index 0) comes last. */
    unsigned ix = x->info.index ? x->info.index : UINT32_MAX;
    unsigned iy = y->info.index ? y->info.index : UINT32_MAX;
    return ix < iy ? -1 : ix > iy;
}

/* Fills descriptions from libpcap and adds its "any" device. */
static int add_pcap_devices(struct ifbuild **pa, size_t *pn, size_t *pcap) {
    char perr[PCAP_ERRBUF_SIZE];
    pcap_if_t *devs = NULL;
    if (pcap_findalldevs(&devs, perr) < 0)
        return 0; /* descriptions are a bonus */
    int rc = 0;
    for (pcap_if_t *d = devs; d; d = d->next) {
        struct ifbuild *b = find(*pa, *pn, d->name);
        if (b) {
            if (d->description && !b->description &&
                !(b->description = core_strdup(d->description)))
                rc = TRAWL_ENOMEM;
            if (d->flags & PCAP_IF_WIRELESS)
                b->info.flags |= TRAWL_IF_WIRELESS;
            continue;
        }
        if (strcmp(d->name, "any") != 0)
            continue;
        if (*pn == *pcap) {
            size_t n = *pcap * 2 + 1;
            struct ifbuild *a = core_reallocarray(*pa, n, sizeof *a);
            if (!a) {
                rc = TRAWL_ENOMEM;
                break;
            }
            *pa = a;
            *pcap = n;
        }
        b = &(*pa)[(*pn)++];
        memset(b, 0, sizeof *b);
        b->name = core_strdup("any");
        b->description = core_strdup(ANY_DESCRIPTION);
        b->info.flags = TRAWL_IF_UP | TRAWL_IF_RUNNING;
        b->info.iftype = 1;
        b->info.linktype = LINKTYPE_LINUX_SLL;
        b->info.speed_mbps = -1;
        if (!b->name || !b->description)
            rc = TRAWL_ENOMEM;
    }
    pcap_freealldevs(devs);
    return rc;
}

TRAWL_API int trawl_iflist(struct trawl_ifinfo **out, size_t *n, char *errbuf,
                           size_t errlen) {
    *out = NULL;
    *n = 0;
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa) < 0)
        return core_err(errbuf, errlen, TRAWL_EIO,
                        "interfaces: cannot list them: %s", strerror(errno));
    struct ifbuild *a = NULL;
    size_t na = 0, cap = 0;
    int rc = 0;
    /* getifaddrs() has one AF_PACKET entry per interface, whatever its
     * addresses. */
    for (struct ifaddrs *i = ifa; i && rc == 0; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_PACKET ||
            find(a, na, i->ifa_name))
            continue;
        if (na == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct ifbuild *g = core_reallocarray(a, nc, sizeof *g);
            if (!g) {
                rc = TRAWL_ENOMEM;
                break;
            }
            a = g;
            cap = nc;
        }
        struct ifbuild *b = &a[na++];
        memset(b, 0, sizeof *b);
        const struct sockaddr_ll *ll =
            (const struct sockaddr_ll *)(const void *)i->ifa_addr;
        if (!(b->name = core_strdup(i->ifa_name)))
            rc = TRAWL_ENOMEM;
        b->info.index = (unsigned)ll->sll_ifindex;
        b->hatype = ll->sll_hatype;
        if (ll->sll_halen == 6) {
            b->info.has_mac = true;
            memcpy(b->info.mac, ll->sll_addr, 6);
        }
        unsigned f = i->ifa_flags;
        b->info.flags = (f & IFF_UP ? TRAWL_IF_UP : 0) |
                        (f & IFF_RUNNING ? TRAWL_IF_RUNNING : 0) |
                        (f & IFF_LOOPBACK ? TRAWL_IF_LOOPBACK : 0) |
                        (f & IFF_PROMISC ? TRAWL_IF_PROMISC : 0);
    }
    for (struct ifaddrs *i = ifa; i && rc == 0; i = i->ifa_next) {
        if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
                             i->ifa_addr->sa_family != AF_INET6))
            continue;
        struct ifbuild *b = find(a, na, i->ifa_name);
        if (b && !add_addr(b, i->ifa_addr, i->ifa_netmask))
            rc = TRAWL_ENOMEM;
    }
    freeifaddrs(ifa);
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    for (size_t i = 0; i < na && rc == 0; i++) {
        char driver[64];
        probe_kernel(&a[i], sock, driver, sizeof driver);
        if (driver[0] && !(a[i].description = core_strdup(driver)))
            rc = TRAWL_ENOMEM;
    }
    if (sock >= 0)
        close(sock);
    if (rc == 0)
        rc = add_pcap_devices(&a, &na, &cap);
    bool allowed = may_capture();
    for (size_t i = 0; i < na && rc == 0; i++) {
        if (!a[i].description && !(a[i].description = core_strdup("")))
            rc = TRAWL_ENOMEM;
        const char *why = NULL;
        if (!allowed)
            why = "needs CAP_NET_RAW (run as root)";
        else if (!(a[i].info.flags & TRAWL_IF_UP))
            why = "interface is down";
        if (why && !(a[i].why = core_strdup(why)))
            rc = TRAWL_ENOMEM;
    }
    if (rc < 0) {
        for (size_t i = 0; i < na; i++)
            build_free(&a[i]);
        free(a);
        return core_err(errbuf, errlen, rc, "interfaces: out of memory");
    }
    qsort(a, na, sizeof *a, cmp_index);
    struct trawl_ifinfo *list = core_calloc(na, sizeof *list);
    if (!list) {
        for (size_t i = 0; i < na; i++)
            build_free(&a[i]);
        free(a);
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "interfaces: out of memory");
    }
    /* The entries take over the strings and arrays. */
    for (size_t i = 0; i < na; i++) {
        struct ifbuild *b = &a[i];
        list[i] = b->info;
        list[i].name = b->name;
        list[i].description = b->description;
        list[i].addrs = b->addrs;
        list[i].naddrs = b->naddrs;
        list[i].can_capture = b->why == NULL;
        list[i].why_not = b->why;
    }
    free(a);
    *out = list;
    *n = na;
    return 0;
}

TRAWL_API void trawl_iflist_free(struct trawl_ifinfo *list, size_t n) {
    if (!list)
        return;
    for (size_t i = 0; i < n; i++) {
        free((char *)list[i].name);
        free((char *)list[i].description);
        free((char *)list[i].why_not);
        free((struct trawl_ifaddr *)list[i].addrs);
    }
    free(list);
}
