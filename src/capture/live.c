/* The live source: one libpcap handle per interface (on Linux a PF_PACKET
 * socket with a memory-mapped TPACKET_V3 ring, or TPACKET_V2 in immediate
 * mode), opened non-blocking so that the run loop polls every handle
 * together; the kernel part of the filter; the kernel's and the
 * interface's drop counts.
 *
 * Replacing the kernel filter while the ring holds packets the old one let
 * through is safe: libpcap runs the new program in user space over the
 * blocks queued before the change, so every packet it hands up has passed
 * the new program. The run loop switches the user-space part at the same
 * moment, between two packets. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/ethtool.h>
#include <linux/filter.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/capture_int.h"

/* Room for the kernel part of an expression; a longer one is not pushed
 * down (user space then judges every packet). */
#define KERNEL_TEXT_MAX 16384

/* libpcap reports DLT_ values; files carry LINKTYPE_ values. They are the
 * same number except for a few old link types. */
static int linktype_of(int dlt) {
    switch (dlt) {
    case DLT_RAW: return 101;
#ifdef DLT_ATM_RFC1483
    case DLT_ATM_RFC1483: return 100;
#endif
#if defined(DLT_SLIP_BSDOS) && DLT_SLIP_BSDOS != 102
    case DLT_SLIP_BSDOS: return 102;
#endif
#if defined(DLT_PPP_BSDOS) && DLT_PPP_BSDOS != 103
    case DLT_PPP_BSDOS: return 103;
#endif
    default: return dlt;
    }
}

/* Why pcap_activate() failed, in words a user acts on. */
static int activate_error(pcap_t *p, int rc, const char *name, char *errbuf,
                          size_t errlen) {
    const char *detail = pcap_geterr(p);
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE: /* in tcpdump's words */
        return core_err(errbuf, errlen, TRAWL_ENOENT,
                        "%s: No such device exists", name);
    case PCAP_ERROR_PERM_DENIED:
        return core_err(errbuf, errlen, TRAWL_EIO,
                        "%s: you don't have permission to capture on that "
                        "device (%s)",
                        name, detail);
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        return core_err(errbuf, errlen, TRAWL_EIO,
                        "%s: you don't have permission to put it in "
                        "promiscuous mode",
                        name);
    case PCAP_ERROR_IFACE_NOT_UP:
        return core_err(errbuf, errlen, TRAWL_EIO, "%s: interface is down",
                        name);
    default:
        return core_err(errbuf, errlen, TRAWL_EIO, "%s: %s", name,
                        detail && *detail ? detail : pcap_statustostr(rc));
    }
}

/* The sum of the interface's receive drop counters, or 0 when the
 * interface has none (the "any" pseudo-device). */
static uint64_t sys_drops(const struct cap_iface *ifc) {
    uint64_t sum = 0;
    for (int i = 0; i < 2; i++) {
        char buf[32];
        if (ifc->sys_fd[i] < 0)
            continue;
        ssize_t n = pread(ifc->sys_fd[i], buf, sizeof buf - 1, 0);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        sum += strtoull(buf, NULL, 10);
    }
    return sum;
}

static void open_sys(struct cap_iface *ifc) {
    static const char *const names[2] = {"rx_dropped", "rx_missed_errors"};
    for (int i = 0; i < 2; i++) {
        char path[128];
        ifc->sys_fd[i] = -1;
        if (strchr(ifc->name, '/'))
            continue;
        snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s",
                 ifc->name, names[i]);
        ifc->sys_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
    }
    ifc->sys_base = sys_drops(ifc);
}

static void close_sys(struct cap_iface *ifc) {
    for (int i = 0; i < 2; i++) {
        if (ifc->sys_fd[i] >= 0)
            close(ifc->sys_fd[i]);
        ifc->sys_fd[i] = -1;
    }
}

static int ethtool(int sock, const char *name, void *cmd) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    ifr.ifr_data = cmd;
    return ioctl(sock, SIOCETHTOOL, &ifr);
}

/* Whether the NIC hands frames up with their FCS (ethtool -K IF rx-fcs
 * on), found by the feature's name since its bit number is not fixed. */
static bool rx_fcs_on(const char *name) {
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return false;
    bool on = false;
    struct ethtool_sset_info *ss = NULL;
    struct ethtool_gstrings *gs = NULL;
    struct ethtool_gfeatures *gf = NULL;
    uint32_t n;
    ss = calloc(1, sizeof *ss + sizeof ss->data[0]);
    if (!ss)
        goto out;
    ss->cmd = ETHTOOL_GSSET_INFO;
    ss->sset_mask = 1ull << ETH_SS_FEATURES;
    if (ethtool(sock, name, ss) < 0 || !ss->sset_mask || ss->data[0] == 0 ||
        ss->data[0] > 4096)
        goto out;
    n = ss->data[0];
    gs = calloc(1, sizeof *gs + (size_t)n * ETH_GSTRING_LEN);
    gf = calloc(1, sizeof *gf + ((n + 31) / 32) * sizeof gf->features[0]);
    if (!gs || !gf)
        goto out;
    gs->cmd = ETHTOOL_GSTRINGS;
    gs->string_set = ETH_SS_FEATURES;
    gs->len = n;
    gf->cmd = ETHTOOL_GFEATURES;
    gf->size = (n + 31) / 32;
    if (ethtool(sock, name, gs) < 0 || ethtool(sock, name, gf) < 0)
        goto out;
    for (uint32_t i = 0; i < n; i++) {
        const char *f = (const char *)gs->data + (size_t)i * ETH_GSTRING_LEN;
        if (strncmp(f, "rx-fcs", ETH_GSTRING_LEN) == 0) {
            on = gf->features[i / 32].active >> (i % 32) & 1u;
            break;
        }
    }
out:
    free(ss);
    free(gs);
    free(gf);
    close(sock);
    return on;
}

int cap_live_open(struct cap_iface *ifc, const struct cap_params *prm,
                  char *errbuf, size_t errlen) {
    char perr[PCAP_ERRBUF_SIZE] = "";
    const char *name = ifc->name;
    pcap_t *p = pcap_create(name, perr);
    if (!p)
        return core_err(errbuf, errlen, TRAWL_EIO, "%s: %s", name, perr);
    uint32_t snap = prm->snaplen ? prm->snaplen : TRAWL_MAX_CAPLEN;
    uint64_t kib = prm->buffer_kib ? prm->buffer_kib : CAP_DEFAULT_BUFFER_KIB;
    if (kib > INT32_MAX / 1024)
        kib = INT32_MAX / 1024;
    int rc = 0;
    if (pcap_set_snaplen(p, (int)snap) != 0 ||
        pcap_set_promisc(p, prm->promisc) != 0 ||
        pcap_set_buffer_size(p, (int)(kib * 1024)) != 0 ||
        (prm->immediate ? pcap_set_immediate_mode(p, 1)
                        : pcap_set_timeout(p, prm->timeout_ms
                                                  ? prm->timeout_ms
                                                  : CAP_DEFAULT_TIMEOUT_MS)) !=
            0 ||
        pcap_set_tstamp_precision(p, prm->nano ? PCAP_TSTAMP_PRECISION_NANO
                                               : PCAP_TSTAMP_PRECISION_MICRO) !=
            0) {
        rc = core_err(errbuf, errlen, TRAWL_EIO,
                      "%s: cannot set the capture parameters: %s", name,
                      pcap_geterr(p));
        goto fail;
    }
    /* Warnings (promiscuous mode unsupported, time stamp type not
     * available) leave a working capture. */
    rc = pcap_activate(p);
    if (rc < 0) {
        rc = activate_error(p, rc, name, errbuf, errlen);
        goto fail;
    }
    if (pcap_setnonblock(p, 1, perr) < 0) {
        rc = core_err(errbuf, errlen, TRAWL_EIO, "%s: cannot poll: %s", name,
                      perr);
        goto fail;
    }
    if (prm->direction != TRAWL_DIRECTION_BOTH &&
        pcap_setdirection(p, prm->direction == TRAWL_DIRECTION_IN
                                 ? PCAP_D_IN
                                 : PCAP_D_OUT) < 0) {
        rc = core_err(errbuf, errlen, TRAWL_EUNSUPPORTED,
                      "%s: cannot capture one direction only: %s", name,
                      pcap_geterr(p));
        goto fail;
    }
    ifc->fd = pcap_get_selectable_fd(p);
    if (ifc->fd < 0) {
        rc = core_err(errbuf, errlen, TRAWL_EUNSUPPORTED,
                      "%s: the capture has no descriptor to poll", name);
        goto fail;
    }
    int dlt = pcap_datalink(p);
    ifc->fcs = prm->fcs || (dlt == DLT_EN10MB && rx_fcs_on(name));
    ifc->p = p;
    ifc->dlt = dlt;
    ifc->desc.linktype = linktype_of(dlt);
    ifc->desc.snaplen = (uint32_t)pcap_snapshot(p);
    ifc->desc.tsresol = prm->nano ? 9 : 6;
    ifc->desc.fcslen = ifc->fcs ? (int)CAP_FCS_LEN : -1;
    ifc->desc.name = ifc->name;
    ifc->sll = dlt == DLT_LINUX_SLL;
    ifc->dir_flags = prm->direction == TRAWL_DIRECTION_IN    ? TRAWL_PKT_DIR_IN
                     : prm->direction == TRAWL_DIRECTION_OUT ? TRAWL_PKT_DIR_OUT
                                                              : 0;
    ifc->delivered = 0;
    ifc->ps_recv = ifc->ps_drop = 0;
    ifc->recv = ifc->drop = 0;
    ifc->exact = false;
    open_sys(ifc);
    return 0;
fail:
    pcap_close(p);
    return rc;
}

/* The pcap-filter text for the kernel: the expression's kernel part, or
 * "" (everything) when there is none or it is too long. */
static void kernel_text(struct cap_iface *ifc, trawl_expr *e, bool user_only,
                        char *text, size_t len, bool *exact) {
    text[0] = '\0';
    *exact = e == NULL;
    if (e && !user_only &&
        trawl_expr_kernel(e, ifc->desc.linktype, text, len, exact) < 0) {
        text[0] = '\0';
        *exact = false;
    }
}

int cap_live_set_filter(struct cap_iface *ifc, trawl_expr *e, bool user_only,
                        char *errbuf, size_t errlen) {
    char *text = malloc(KERNEL_TEXT_MAX);
    if (!text)
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "%s: out of memory",
                        ifc->name);
    bool exact;
    kernel_text(ifc, e, user_only, text, KERNEL_TEXT_MAX, &exact);
    struct bpf_program prog;
    int rc = 0;
    if (pcap_compile(ifc->p, &prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        if (exact && e) {
            rc = core_err(errbuf, errlen, TRAWL_EEXPR,
                          "%s: filter '%s': %s", ifc->name, text,
                          pcap_geterr(ifc->p));
            goto out;
        }
        /* A superset that libpcap cannot take for this link type: the
         * kernel passes everything and user space judges. */
        exact = false;
        if (pcap_compile(ifc->p, &prog, "", 1, PCAP_NETMASK_UNKNOWN) < 0) {
            rc = core_err(errbuf, errlen, TRAWL_EIO,
                          "%s: cannot compile an empty filter: %s", ifc->name,
                          pcap_geterr(ifc->p));
            goto out;
        }
    }
    if (pcap_setfilter(ifc->p, &prog) < 0)
        rc = core_err(errbuf, errlen, TRAWL_EIO,
                      "%s: cannot install the filter: %s", ifc->name,
                      pcap_geterr(ifc->p));
    else
        ifc->exact = exact;
    pcap_freecode(&prog);
out:
    free(text);
    return rc;
}

int cap_live_check_filter(int linktype, int dlt, uint32_t snaplen,
                          trawl_expr *e, char *errbuf, size_t errlen) {
    if (!e || trawl_expr_reading(e) != TRAWL_EXPR_PCAP)
        return 0;
    char *text = malloc(KERNEL_TEXT_MAX);
    if (!text)
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "out of memory");
    bool exact;
    int rc = 0;
    if (trawl_expr_kernel(e, linktype, text, KERNEL_TEXT_MAX, &exact) < 0)
        goto out;
    pcap_t *dead = pcap_open_dead(dlt, (int)snaplen);
    if (!dead) {
        rc = core_err(errbuf, errlen, TRAWL_ENOMEM, "out of memory");
        goto out;
    }
    struct bpf_program prog;
    if (pcap_compile(dead, &prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0)
        rc = core_err(errbuf, errlen, TRAWL_EEXPR,
                      "filter '%s' on LINKTYPE %d: %s", text, linktype,
                      pcap_geterr(dead));
    else
        pcap_freecode(&prog);
    pcap_close(dead);
out:
    free(text);
    return rc;
}

/* libpcap's counters are 32-bit and the kernel's reset at every read:
 * they are taken as deltas modulo 2^32 into 64-bit totals. */
void cap_live_stats(struct cap_iface *ifc) {
    struct pcap_stat ps;
    if (ifc->p && pcap_stats(ifc->p, &ps) == 0) {
        ifc->recv += (uint32_t)(ps.ps_recv - ifc->ps_recv);
        ifc->drop += (uint32_t)(ps.ps_drop - ifc->ps_drop);
        ifc->ps_recv = ps.ps_recv;
        ifc->ps_drop = ps.ps_drop;
        cap_set(&ifc->cnt.kernel_dropped, ifc->drop);
    }
    uint64_t now = sys_drops(ifc);
    cap_set(&ifc->cnt.interface_dropped,
            now > ifc->sys_base ? now - ifc->sys_base : 0);
}

uint64_t cap_live_pending(struct cap_iface *ifc) {
    cap_live_stats(ifc);
    uint64_t queued = ifc->recv - (ifc->drop < ifc->recv ? ifc->drop : ifc->recv);
    return queued > ifc->delivered ? queued - ifc->delivered : 0;
}

/* A program that passes nothing, attached to the socket directly: going
 * through pcap_setfilter() would make libpcap run it over the blocks
 * already queued, throwing away exactly what a clean stop wants to read. */
uint64_t cap_live_shut(struct cap_iface *ifc) {
    struct sock_filter none = BPF_STMT(BPF_RET | BPF_K, 0);
    struct sock_fprog prog = {.len = 1, .filter = &none};
    if (ifc->p)
        setsockopt(pcap_fileno(ifc->p), SOL_SOCKET, SO_ATTACH_FILTER, &prog,
                   sizeof prog);
    return cap_live_pending(ifc);
}

void cap_live_close(struct cap_iface *ifc) {
    if (ifc->p) {
        cap_live_stats(ifc);
        pcap_close(ifc->p);
    }
    ifc->p = NULL;
    ifc->fd = -1;
    close_sys(ifc);
}
