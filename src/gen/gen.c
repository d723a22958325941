/* The traffic generator object (include/trawl/gen.h): its parameters, the
 * checks that turn them into a frame plan on a real interface, and the
 * send loop that paces frames into the TX backend.
 *
 * The send loop builds each frame straight into a slot of the backend
 * (src/gen/tx.c) as soon as the token bucket (src/gen/pace.c) lets it
 * leave, hands whole batches to the kernel, and sleeps in ppoll(2) when
 * the next frame is not due yet, so a low rate costs almost no CPU. A
 * stop from another thread or a signal handler sets a flag and writes to
 * an eventfd the loop sleeps on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "gen/frame.h"
#include "gen/pace.h"
#include "gen/tx.h"
#include "trawl/gen.h"

/* Frames built before they are handed to the kernel in one call. */
#define GEN_BATCH 256u
/* How long the end of a run waits for frames still in the kernel. */
#define GEN_DRAIN_NS 1000000000ull
/* A short sleep while every slot waits for the kernel. */
#define GEN_FULL_WAIT_NS 100000ull
/* The interface's drop counter is read at most this often. */
#define GEN_IFSTATS_EVERY_NS 500000000ull

/* The backend AUTO picks: sendmmsg(2), measured faster on veth pairs
 * (bench/RESULTS.md), where the TX ring's zero-copy pages are copied
 * again (skb_copy_ubufs) as every frame crosses to the peer. A real NIC
 * takes the ring's pages as they are; --tx ring is there for it. */
#define GEN_TX_DEFAULT GEN_TX_SENDMMSG

/* RFC 7042's documentation MAC, RFC 5737's and RFC 3849's documentation
 * prefixes: nobody owns them, so default traffic reaches nobody. */
static const uint8_t doc_mac[6] = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x01};
static const uint8_t doc_v4_src[4] = {192, 0, 2, 1};
static const uint8_t doc_v4_dst[4] = {192, 0, 2, 2};
static const uint8_t doc_v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t doc_v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

#define DEFAULT_SPORT 49152u
#define DEFAULT_DPORT 9u /* discard */

enum gen_state { GEN_OFF = 0, GEN_RUNNING, GEN_STOPPED };

/* One end's addresses as the user gave them. */
struct gen_end {
    bool has_mac, has_ip;
    bool ipv6;
    uint8_t mac[6];
    uint8_t ip[16];
};

struct trawl_gen {
    /* parameters */
    char iface[IF_NAMESIZE];
    enum trawl_gen_rate_unit unit;
    double rate;
    uint64_t count, duration_ms;
    struct gen_end ends[2];
    struct gen_frame_plan plan; /* sizes, ports, flows, test payload */
    bool size_given;
    enum trawl_gen_tx tx_choice;

    /* the run, known from trawl_gen_start() on */
    struct gen_frame_plan run;
    bool doc_mac, doc_ip; /* defaults were used */
    enum gen_tx_method method;
    unsigned mtu;
    int ifindex;
    struct gen_tx *tx;
    struct gen_pace pace;
    struct gen_frame_state fs;
    bool is_static;
    uint64_t deadline_ns, drain_until_ns, ifstats_ns;
    uint32_t if_drop0;
    bool clock_on; /* the run's clock started (at the first pump) */
    bool ended;
    int wake_fd;

    /* read by any thread */
    atomic_int state;
    atomic_bool stop_asked;
    _Atomic uint64_t sent, bytes, errors, if_dropped, first_ns, last_ns,
        start_ns, end_ns;
};

static int refuse_running(const trawl_gen *g, const char *what,
                          char *errbuf, size_t errlen) {
    if (atomic_load(&g->state) != GEN_RUNNING)
        return 0;
    return core_err(errbuf, errlen, TRAWL_EBUSY,
                    "%s: while the generator runs its parameters cannot be "
                    "changed",
                    what);
}

int trawl_gen_new(trawl_gen **out, char *errbuf, size_t errlen) {
    trawl_gen *g = core_calloc(1, sizeof *g);
    if (!g)
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "generator: out of memory");
    g->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (g->wake_fd < 0) {
        int e = errno;
        free(g);
        return core_err(errbuf, errlen, TRAWL_EIO,
                        "generator: cannot create an eventfd: %s",
                        strerror(e));
    }
    g->plan.size = (struct gen_size){GEN_SIZE_FIXED, GEN_FRAME_MIN,
                                     GEN_FRAME_MIN};
    g->plan.sport = DEFAULT_SPORT;
    g->plan.dport = DEFAULT_DPORT;
    g->plan.flows = 1;
    atomic_init(&g->state, GEN_OFF);
    atomic_init(&g->stop_asked, false);
    *out = g;
    return 0;
}

int trawl_gen_set_iface(trawl_gen *g, const char *name, char *errbuf,
                        size_t errlen) {
    int rc = refuse_running(g, "interface", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (!name || !*name || strlen(name) >= IF_NAMESIZE ||
        if_nametoindex(name) == 0)
        return core_err(errbuf, errlen, TRAWL_ENOENT,
                        "%s: no such interface", name ? name : "(null)");
    snprintf(g->iface, sizeof g->iface, "%s", name);
    return 0;
}

int trawl_gen_set_rate(trawl_gen *g, enum trawl_gen_rate_unit unit,
                       double rate, char *errbuf, size_t errlen) {
    int rc = refuse_running(g, "rate", errbuf, errlen);
    if (rc < 0)
        return rc;
    const char *what = unit == TRAWL_GEN_BPS ? "bit rate" : "rate";
    if (unit != TRAWL_GEN_PPS && unit != TRAWL_GEN_BPS)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "rate: unknown unit %d", (int)unit);
    /* The comparisons are written so that NaN fails them too. */
    if (!(rate >= 0 && rate <= 1e12))
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s %g: want 0 (as fast as possible) up to 1e12",
                        what, rate);
    g->unit = unit;
    g->rate = rate;
    return 0;
}

int trawl_gen_set_limits(trawl_gen *g, uint64_t count, uint64_t duration_ms,
                         char *errbuf, size_t errlen) {
    int rc = refuse_running(g, "limits", errbuf, errlen);
    if (rc < 0)
        return rc;
    g->count = count;
    g->duration_ms = duration_ms;
    return 0;
}

int trawl_gen_set_size(trawl_gen *g, const char *spec, char *errbuf,
                       size_t errlen) {
    int rc = refuse_running(g, "size", errbuf, errlen);
    if (rc < 0)
        return rc;
    struct gen_size s;
    rc = gen_size_parse(spec ? spec : "", &s, errbuf, errlen);
    if (rc < 0)
        return rc;
    g->plan.size = s;
    g->size_given = true;
    return 0;
}

/* Six groups of one or two hex digits separated by ':' or '-'. */
static bool parse_mac(const char *s, uint8_t mac[6]) {
    for (int i = 0; i < 6; i++) {
        int hi = core_hexval(*s), lo;
        if (hi < 0)
            return false;
        s++;
        if ((lo = core_hexval(*s)) >= 0) {
            hi = hi * 16 + lo;
            s++;
        }
        mac[i] = (uint8_t)hi;
        if (i < 5 && *s != ':' && *s != '-')
            return false;
        if (i < 5)
            s++;
    }
    return *s == '\0';
}

int trawl_gen_set_addr(trawl_gen *g, enum trawl_gen_end end,
                       const char *addr, char *errbuf, size_t errlen) {
    const char *name = end == TRAWL_GEN_DST ? "dst" : "src";
    int rc = refuse_running(g, name, errbuf, errlen);
    if (rc < 0)
        return rc;
    if (end != TRAWL_GEN_SRC && end != TRAWL_GEN_DST)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "address: unknown end %d", (int)end);
    struct gen_end *e = &g->ends[end];
    uint8_t buf[16];
    if (!addr)
        addr = "";
    if (parse_mac(addr, buf)) {
        if (end == TRAWL_GEN_SRC && (buf[0] & 1))
            return core_err(errbuf, errlen, TRAWL_EINVAL,
                            "src %s: a group (multicast) MAC cannot be a "
                            "source",
                            addr);
        memcpy(e->mac, buf, 6);
        e->has_mac = true;
        return 0;
    }
    if (inet_pton(AF_INET, addr, buf) == 1) {
        memset(e->ip, 0, sizeof e->ip);
        memcpy(e->ip, buf, 4);
        e->ipv6 = false;
    } else if (inet_pton(AF_INET6, addr, buf) == 1) {
        memcpy(e->ip, buf, 16);
        e->ipv6 = true;
    } else {
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s '%s': not a MAC, IPv4 or IPv6 address", name,
                        addr);
    }
    e->has_ip = true;
    return 0;
}

int trawl_gen_set_port(trawl_gen *g, enum trawl_gen_end end, uint16_t port,
                       char *errbuf, size_t errlen) {
    int rc = refuse_running(g, "port", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (end == TRAWL_GEN_DST)
        g->plan.dport = port;
    else
        g->plan.sport = port;
    return 0;
}

int trawl_gen_set_proto(trawl_gen *g, enum trawl_gen_proto proto,
                        char *errbuf, size_t errlen) {
    int rc = refuse_running(g, "protocol", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (proto != TRAWL_GEN_UDP && proto != TRAWL_GEN_TCP)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "protocol: unknown protocol %d", (int)proto);
    g->plan.tcp = proto == TRAWL_GEN_TCP;
    return 0;
}

int trawl_gen_set_flows(trawl_gen *g, uint32_t n, enum trawl_gen_vary vary,
                        char *errbuf, size_t errlen) {
    int rc = refuse_running(g, "flows", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (n == 0 || n > 65536)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "flows %" PRIu32 ": want 1 to 65536", n);
    if (vary != TRAWL_GEN_VARY_SPORT && vary != TRAWL_GEN_VARY_SRC_ADDR)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "flows: unknown variation %d", (int)vary);
    g->plan.flows = n;
    g->plan.vary_src_addr = vary == TRAWL_GEN_VARY_SRC_ADDR;
    return 0;
}

int trawl_gen_set_tpld(trawl_gen *g, bool on, uint16_t stream, char *errbuf,
                       size_t errlen) {
    int rc = refuse_running(g, "test payload", errbuf, errlen);
    if (rc < 0)
        return rc;
    g->plan.tpld = on;
    g->plan.stream = stream;
    return 0;
}

int trawl_gen_set_corrupt(trawl_gen *g, uint64_t every, char *errbuf,
                          size_t errlen) {
    int rc = refuse_running(g, "corruption", errbuf, errlen);
    if (rc < 0)
        return rc;
    g->plan.corrupt_every = every;
    return 0;
}

int trawl_gen_set_tx(trawl_gen *g, enum trawl_gen_tx tx, char *errbuf,
                     size_t errlen) {
    int rc = refuse_running(g, "transmit method", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (tx != TRAWL_GEN_TX_AUTO && tx != TRAWL_GEN_TX_RING &&
        tx != TRAWL_GEN_TX_SENDMMSG)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "transmit method: unknown method %d", (int)tx);
    g->tx_choice = tx;
    return 0;
}

/* ---- starting ----------------------------------------------------------- */

/* The interface's index, MTU and MAC, and whether it sends Ethernet
 * frames and is up. */
static int probe_iface(trawl_gen *g, uint8_t mac[6], char *errbuf,
                       size_t errlen) {
    g->ifindex = (int)if_nametoindex(g->iface);
    if (g->ifindex == 0)
        return core_err(errbuf, errlen, TRAWL_ENOENT,
                        "%s: no such interface", g->iface);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return core_err(errbuf, errlen, TRAWL_EIO,
                        "%s: cannot open a socket to ask about it: %s",
                        g->iface, strerror(errno));
    struct ifreq ifr;
    int rc = 0;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", g->iface);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: cannot read flags: %s",
                      g->iface, strerror(errno));
        goto done;
    }
    if (!(ifr.ifr_flags & IFF_UP)) {
        rc = core_err(errbuf, errlen, TRAWL_EINVAL, "%s: interface is down",
                      g->iface);
        goto done;
    }
    if (ioctl(fd, SIOCGIFMTU, &ifr) < 0) {
        rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: cannot read the MTU: %s",
                      g->iface, strerror(errno));
        goto done;
    }
    g->mtu = (unsigned)ifr.ifr_mtu;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
        rc = core_err(errbuf, errlen, TRAWL_EIO,
                      "%s: cannot read the hardware address: %s", g->iface,
                      strerror(errno));
        goto done;
    }
    int type = ifr.ifr_hwaddr.sa_family;
    if (type != ARPHRD_ETHER && type != ARPHRD_LOOPBACK) {
        rc = core_err(errbuf, errlen, TRAWL_EUNSUPPORTED,
                      "%s: link type %d is not Ethernet, and trawl gen sends "
                      "Ethernet frames",
                      g->iface, type);
        goto done;
    }
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
done:
    close(fd);
    return rc;
}

/* The interface's tx_dropped counter (32 bits, as rtnetlink's summary
 * gives it through getifaddrs(3)), or 0 when it cannot be read. */
static uint32_t read_tx_dropped(const char *ifname) {
    struct ifaddrs *all, *a;
    uint32_t v = 0;
    if (getifaddrs(&all) < 0)
        return 0;
    for (a = all; a; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_PACKET &&
            a->ifa_data && strcmp(a->ifa_name, ifname) == 0) {
            v = ((const struct rtnl_link_stats *)a->ifa_data)->tx_dropped;
            break;
        }
    freeifaddrs(all);
    return v;
}

/* Fills in the run's addresses: the user's, else the interface's MAC and
 * the documentation defaults. */
static int resolve_addrs(trawl_gen *g, const uint8_t if_mac[6], char *errbuf,
                         size_t errlen) {
    const struct gen_end *s = &g->ends[TRAWL_GEN_SRC],
                         *d = &g->ends[TRAWL_GEN_DST];
    struct gen_frame_plan *p = &g->run;
    memcpy(p->src_mac, s->has_mac ? s->mac : if_mac, 6);
    memcpy(p->dst_mac, d->has_mac ? d->mac : doc_mac, 6);
    g->doc_mac = !d->has_mac;
    if (s->has_ip && d->has_ip && s->ipv6 != d->ipv6) {
        char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
        inet_ntop(s->ipv6 ? AF_INET6 : AF_INET, s->ip, a, sizeof a);
        inet_ntop(d->ipv6 ? AF_INET6 : AF_INET, d->ip, b, sizeof b);
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "src %s and dst %s are of different address families",
                        a, b);
    }
    p->ipv6 = (s->has_ip && s->ipv6) || (d->has_ip && d->ipv6);
    size_t alen = p->ipv6 ? 16 : 4;
    memset(p->src_ip, 0, sizeof p->src_ip);
    memset(p->dst_ip, 0, sizeof p->dst_ip);
    memcpy(p->src_ip, s->has_ip ? s->ip : p->ipv6 ? doc_v6_src : doc_v4_src,
           alen);
    memcpy(p->dst_ip, d->has_ip ? d->ip : p->ipv6 ? doc_v6_dst : doc_v4_dst,
           alen);
    g->doc_ip = !s->has_ip || !d->has_ip;
    return 0;
}

/* Checks that the flows stay inside the port space or the source
 * address's last byte (IPv4) or 16 bits (IPv6). */
static int check_flows(const struct gen_frame_plan *p, char *errbuf,
                       size_t errlen) {
    uint32_t last = p->flows - 1;
    if (!p->vary_src_addr) {
        if (p->sport + last > 65535)
            return core_err(errbuf, errlen, TRAWL_EINVAL,
                            "flows %" PRIu32 ": source ports %u-%" PRIu32
                            " run past 65535",
                            p->flows, p->sport, p->sport + last);
        return 0;
    }
    uint32_t base = p->ipv6 ? core_be16(p->src_ip + 14) : p->src_ip[3];
    uint32_t top = p->ipv6 ? 65535 : 255;
    if (base + last > top) {
        char a[INET6_ADDRSTRLEN];
        inet_ntop(p->ipv6 ? AF_INET6 : AF_INET, p->src_ip, a, sizeof a);
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "flows %" PRIu32 ": source addresses from %s would "
                        "run out of its last %s",
                        p->flows, a, p->ipv6 ? "16 bits" : "byte");
    }
    return 0;
}

static double frame_cost(const trawl_gen *g, uint32_t len) {
    return g->unit == TRAWL_GEN_BPS ? 8.0 * len : 1.0;
}

int trawl_gen_start(trawl_gen *g, char *errbuf, size_t errlen) {
    int rc = refuse_running(g, "start", errbuf, errlen);
    if (rc < 0)
        return rc;
    if (!g->iface[0])
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "generator: no interface given");
    uint8_t if_mac[6];
    if ((rc = probe_iface(g, if_mac, errbuf, errlen)) < 0)
        return rc;
    g->run = g->plan;
    if ((rc = resolve_addrs(g, if_mac, errbuf, errlen)) < 0)
        return rc;
    /* Without a size, frames are the smallest that hold the headers (and
     * the test payload): 60 bytes for IPv4 and UDP. */
    if (!g->size_given) {
        uint32_t min = gen_frame_min_len(&g->run);
        g->run.size = (struct gen_size){GEN_SIZE_FIXED, min, min};
    }
    if ((rc = gen_frame_plan_check(&g->run, g->mtu + 14, g->mtu, g->iface,
                                   errbuf, errlen)) < 0 ||
        (rc = check_flows(&g->run, errbuf, errlen)) < 0)
        return rc;
    g->method = g->tx_choice == TRAWL_GEN_TX_RING       ? GEN_TX_RING
                : g->tx_choice == TRAWL_GEN_TX_SENDMMSG ? GEN_TX_SENDMMSG
                                                        : GEN_TX_DEFAULT;
    gen_tx_close(g->tx);
    g->tx = NULL;
    if ((rc = gen_tx_open(&g->tx, g->ifindex, g->iface, g->method,
                          gen_frame_max_len(&g->run), errbuf, errlen)) < 0)
        return rc;
    if (gen_frame_state_init(&g->fs, &g->run) < 0) {
        gen_tx_close(g->tx);
        g->tx = NULL;
        return core_err(errbuf, errlen, TRAWL_ENOMEM,
                        "%s: out of memory for %" PRIu32 " flows", g->iface,
                        g->run.flows);
    }
    g->is_static = gen_frame_is_static(&g->run);
    g->if_drop0 = read_tx_dropped(g->iface);
    g->clock_on = false;
    g->ended = false;
    atomic_store(&g->start_ns, 0);
    atomic_store(&g->sent, 0);
    atomic_store(&g->bytes, 0);
    atomic_store(&g->errors, 0);
    atomic_store(&g->if_dropped, 0);
    atomic_store(&g->first_ns, 0);
    atomic_store(&g->last_ns, 0);
    atomic_store(&g->end_ns, 0);
    uint64_t junk;
    while (read(g->wake_fd, &junk, sizeof junk) > 0)
        ;
    atomic_store(&g->stop_asked, false);
    atomic_store(&g->state, GEN_RUNNING);
    return 0;
}

/* "1000 frames/s", "0.5 frames/s", "1.5 Mbit/s". */
static void format_rate(char *buf, size_t len, double rate,
                        enum trawl_gen_rate_unit unit) {
    static const char *const prefix[] = {"", "k", "M", "G", "T"};
    unsigned u = 0;
    if (rate <= 0) {
        snprintf(buf, len, "as fast as possible");
        return;
    }
    if (unit != TRAWL_GEN_BPS) {
        snprintf(buf, len, "%.*f frames/s", rate == (double)(uint64_t)rate ? 0 : 3,
                 rate);
        return;
    }
    while (rate >= 1000 && u < 4) {
        rate /= 1000;
        u++;
    }
    snprintf(buf, len, "%g %sbit/s", rate, prefix[u]);
}

int trawl_gen_describe(const trawl_gen *g, char *buf, size_t len) {
    const struct gen_frame_plan *p = &g->run;
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], size[64], rate[64],
        lim[80] = "", flows[96] = "", pl[80] = "";
    int af = p->ipv6 ? AF_INET6 : AF_INET;
    inet_ntop(af, p->src_ip, src, sizeof src);
    inet_ntop(af, p->dst_ip, dst, sizeof dst);
    gen_size_format(&p->size, size, sizeof size);
    format_rate(rate, sizeof rate, g->rate, g->unit);
    const char *frames = g->count == 1 ? "frame" : "frames";
    if (g->count && g->duration_ms)
        snprintf(lim, sizeof lim, ", %" PRIu64 " %s or %g s", g->count,
                 frames, (double)g->duration_ms / 1000);
    else if (g->count)
        snprintf(lim, sizeof lim, ", %" PRIu64 " %s", g->count, frames);
    else if (g->duration_ms)
        snprintf(lim, sizeof lim, ", for %g s",
                 (double)g->duration_ms / 1000);
    if (p->flows > 1)
        snprintf(flows, sizeof flows, ", %" PRIu32 " flows by source %s",
                 p->flows, p->vary_src_addr ? "address" : "port");
    if (p->tpld && p->corrupt_every)
        snprintf(pl, sizeof pl,
                 ", test payload stream %u, corrupt in one frame of every "
                 "%" PRIu64,
                 p->stream, p->corrupt_every);
    else if (p->tpld)
        snprintf(pl, sizeof pl, ", test payload stream %u", p->stream);
    const uint8_t *m = p->src_mac, *d = p->dst_mac;
    return snprintf(
        buf, len,
        "%s: %02x:%02x:%02x:%02x:%02x:%02x > %02x:%02x:%02x:%02x:%02x:%02x, "
        "%s%s%s port %u > %s%s%s port %u %s%s, %s, %s%s%s%s, %s",
        g->iface, m[0], m[1], m[2], m[3], m[4], m[5], d[0], d[1], d[2], d[3],
        d[4], d[5], p->ipv6 ? "[" : "", src, p->ipv6 ? "]" : "", p->sport,
        p->ipv6 ? "[" : "", dst, p->ipv6 ? "]" : "", p->dport,
        p->tcp ? "TCP" : "UDP",
        g->doc_mac || g->doc_ip ? " (documentation addresses)" : "", size,
        rate, lim, flows, pl, gen_tx_method_name(g->method));
}

/* ---- running ------------------------------------------------------------ */

static uint32_t realtime_ns32(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000000u +
                      (uint64_t)ts.tv_nsec);
}

/* Sleeps until ns have passed, the stop eventfd fires, or (with
 * want_out) the socket becomes writable. */
static void wait_for(trawl_gen *g, uint64_t ns, bool want_out) {
    struct pollfd pfd[2] = {{.fd = g->wake_fd, .events = POLLIN},
                            {.fd = gen_tx_fd(g->tx), .events = POLLOUT}};
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u)};
    (void)ppoll(pfd, want_out ? 2 : 1, &ts, NULL);
}

static void publish(trawl_gen *g, uint64_t now, bool final) {
    const struct gen_tx_stats *st = gen_tx_stats(g->tx);
    atomic_store_explicit(&g->sent, st->sent, memory_order_relaxed);
    atomic_store_explicit(&g->bytes, st->bytes, memory_order_relaxed);
    atomic_store_explicit(&g->errors, st->errors, memory_order_relaxed);
    if (final || now - g->ifstats_ns >= GEN_IFSTATS_EVERY_NS) {
        g->ifstats_ns = now;
        /* Unsigned subtraction takes the counter's wrap in its stride. */
        uint32_t d = read_tx_dropped(g->iface) - g->if_drop0;
        atomic_store_explicit(&g->if_dropped, d, memory_order_relaxed);
    }
}

/* Builds and queues the frames that are due, up to one batch. Returns how
 * many; *full says a slot was missing, *wait_ns (when nothing was due)
 * how long until the next frame is. */
static unsigned send_due(trawl_gen *g, uint64_t now, bool *full,
                         uint64_t *wait_ns) {
    unsigned built = 0;
    *full = false;
    *wait_ns = 0;
    while (built < GEN_BATCH) {
        if (g->count && g->fs.n >= g->count)
            break;
        bool holds;
        uint8_t *slot = gen_tx_slot(g->tx, &holds);
        if (!slot) {
            *full = true;
            break;
        }
        double cost = frame_cost(g, g->fs.next_len);
        if (!gen_pace_take(&g->pace, cost, now)) {
            *wait_ns = gen_pace_wait_ns(&g->pace, cost);
            break;
        }
        uint32_t len;
        if (g->is_static && holds) {
            len = g->fs.next_len;
            gen_frame_skip(&g->run, &g->fs);
        } else {
            len = gen_frame_build(&g->run, &g->fs, slot,
                                  g->run.tpld ? realtime_ns32() : 0);
        }
        gen_tx_commit(g->tx, len, g->is_static);
        built++;
    }
    if (built) {
        if (atomic_load_explicit(&g->first_ns, memory_order_relaxed) == 0)
            atomic_store(&g->first_ns, now);
        atomic_store(&g->last_ns, now);
    }
    return built;
}

/* The run's time starts with the first pump, not at trawl_gen_start(),
 * so that whatever the caller does in between neither fills the token
 * bucket (and sends a burst) nor eats into the duration. */
static void start_clock(trawl_gen *g, uint64_t now) {
    gen_pace_init(&g->pace, g->rate,
                  frame_cost(g, gen_frame_max_len(&g->run)),
                  frame_cost(g, g->fs.next_len), now);
    atomic_store(&g->start_ns, now);
    g->deadline_ns = g->duration_ms ? now + g->duration_ms * 1000000u : 0;
    g->ifstats_ns = now;
    g->clock_on = true;
}

static bool run_over(trawl_gen *g, uint64_t now) {
    return atomic_load(&g->stop_asked) ||
           (g->deadline_ns && now >= g->deadline_ns) ||
           (g->count && g->fs.n >= g->count);
}

static void finish(trawl_gen *g, uint64_t now) {
    publish(g, now, true);
    atomic_store(&g->end_ns, now);
    atomic_store(&g->state, GEN_STOPPED);
}

int trawl_gen_pump(trawl_gen *g, int timeout_ms, char *errbuf,
                   size_t errlen) {
    int state = atomic_load(&g->state);
    if (state == GEN_STOPPED)
        return TRAWL_ESTOPPED;
    if (state != GEN_RUNNING)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "pump: the generator has not been started");
    uint64_t now = core_now_ns();
    uint64_t until = timeout_ms < 0 ? UINT64_MAX
                                    : now + (uint64_t)timeout_ms * 1000000u;
    if (!g->clock_on)
        start_clock(g, now);
    for (;;) {
        if (!g->ended && run_over(g, now)) {
            g->ended = true;
            g->drain_until_ns = now + GEN_DRAIN_NS;
        }
        bool full = false;
        uint64_t wait_ns = 0;
        if (!g->ended)
            send_due(g, now, &full, &wait_ns);
        int fr = gen_tx_flush(g->tx, errbuf, errlen);
        gen_tx_reap(g->tx);
        if (fr < 0) {
            finish(g, now);
            return fr;
        }
        if (g->ended && (gen_tx_idle(g->tx) || now >= g->drain_until_ns)) {
            finish(g, now);
            return TRAWL_ESTOPPED;
        }
        publish(g, now, false);
        now = core_now_ns();
        if (now >= until)
            return 0;
        uint64_t left = until - now;
        if (fr == 1) {
            /* The kernel pushed back: wait for room in the send buffer. */
            wait_for(g, left < 1000000u ? left : 1000000u, true);
        } else if (g->ended || (full && !gen_tx_has_room(g->tx))) {
            /* Frames are in the kernel's hands; they come back soon. */
            wait_for(g, left < GEN_FULL_WAIT_NS ? left : GEN_FULL_WAIT_NS,
                     false);
        } else if (wait_ns) {
            if (g->deadline_ns && g->deadline_ns < now + wait_ns)
                wait_ns = g->deadline_ns > now ? g->deadline_ns - now : 1;
            wait_for(g, wait_ns < left ? wait_ns : left, false);
        }
        now = core_now_ns();
    }
}

void trawl_gen_stop(trawl_gen *g) {
    atomic_store(&g->stop_asked, true);
    uint64_t one = 1;
    /* The loop may be asleep in ppoll(2); the write wakes it. Nothing to
     * do when it fails: the counter is then already non-zero. */
    ssize_t n = write(g->wake_fd, &one, sizeof one);
    (void)n;
}

void trawl_gen_counters(const trawl_gen *g, struct trawl_gen_counters *out) {
    memset(out, 0, sizeof *out);
    int state = atomic_load(&g->state);
    if (state == GEN_OFF)
        return;
    out->running = state == GEN_RUNNING;
    out->sent = atomic_load_explicit(&g->sent, memory_order_relaxed);
    out->bytes = atomic_load_explicit(&g->bytes, memory_order_relaxed);
    out->errors = atomic_load_explicit(&g->errors, memory_order_relaxed);
    out->interface_dropped =
        atomic_load_explicit(&g->if_dropped, memory_order_relaxed);
    uint64_t end = out->running ? core_now_ns() : atomic_load(&g->end_ns);
    uint64_t start = atomic_load(&g->start_ns);
    out->elapsed_ns = start && end > start ? end - start : 0;
    uint64_t first = atomic_load(&g->first_ns), last = atomic_load(&g->last_ns);
    double span = (double)(last - first) / 1e9;
    if (out->sent >= 2 && last > first) {
        /* N frames paced at R per second take (N - 1) / R seconds from
         * the first to the last. */
        out->pps = (double)(out->sent - 1) / span;
        out->bps = out->pps * 8.0 * (double)out->bytes / (double)out->sent;
    } else if (out->elapsed_ns) {
        double secs = (double)out->elapsed_ns / 1e9;
        out->pps = (double)out->sent / secs;
        out->bps = 8.0 * (double)out->bytes / secs;
    }
}

void trawl_gen_close(trawl_gen *g) {
    if (!g)
        return;
    if (atomic_load(&g->state) == GEN_RUNNING) {
        trawl_gen_stop(g);
        (void)trawl_gen_pump(g, -1, NULL, 0);
    }
    gen_tx_close(g->tx);
    gen_frame_state_free(&g->fs);
    close(g->wake_fd);
    free(g);
}
