/* Handing frames to the kernel: see tx.h.
 *
 * Both backends bind a SOCK_RAW packet socket of protocol 0 (it sends but
 * never receives, so the kernel does not copy every frame on the link to
 * it) and set PACKET_QDISC_BYPASS, so frames go straight to the driver.
 *
 * TX ring: the generator writes frames into slots of a ring shared with the
 * kernel, marks them TP_STATUS_SEND_REQUEST, and one send() hands over all
 * of them; the kernel marks each slot TP_STATUS_AVAILABLE once the frame
 * has left (or TP_STATUS_WRONG_FORMAT when it refused it: PACKET_LOSS
 * makes it skip such a frame instead of stopping there).
 *
 * sendmmsg: slots are a batch of buffers in user memory, sent by one
 * sendmmsg(2); they are free again as soon as it returns.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core.h"
#include "gen/tx.h"

/* The ring's memory and its length in frames. */
#define RING_BYTES (16u << 20)
#define RING_FRAMES 4096u
#define RING_BLOCK (64u << 10)
/* Frames per sendmmsg(2). */
#define MMSG_BATCH 64u
/* A send buffer large enough that the kernel rarely pushes back. */
#define SNDBUF_BYTES (4 << 20)

/* Where a TPACKET_V2 TX frame's data starts in its slot (the kernel's rule
 * when PACKET_TX_HAS_OFF is not set). */
#define RING_DATA_OFF (TPACKET2_HDRLEN - sizeof(struct sockaddr_ll))

struct gen_tx {
    enum gen_tx_method method;
    int fd;
    const char *ifname;
    struct gen_tx_stats stats;
    unsigned nslots;
    uint8_t *holds_static; /* per slot */

    /* TX ring */
    uint8_t *map;
    size_t map_len;
    size_t frame_size;
    unsigned head;     /* next slot to write */
    unsigned tail;     /* oldest slot in the kernel's hands */
    unsigned inflight; /* slots from tail to head */
    bool queued;       /* committed since the last complete flush */

    /* sendmmsg */
    uint8_t *buf;
    size_t slot_len;
    struct mmsghdr *msgs;
    struct iovec *iov;
    unsigned count; /* committed in this batch */
    unsigned first; /* first not yet sent */
};

const char *gen_tx_method_name(enum gen_tx_method m) {
    return m == GEN_TX_RING ? "TX ring" : "sendmmsg";
}

static int sock_err(const struct gen_tx *t, char *errbuf, size_t errlen,
                    const char *what) {
    int e = errno;
    if (e == EPERM || e == EACCES)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: sending needs CAP_NET_RAW (run as root)",
                        t->ifname);
    return core_err(errbuf, errlen, TRAWL_EIO, "%s: %s: %s", t->ifname, what,
                    strerror(e));
}

/* A struct tpacket2_hdr at the start of a slot: the kernel's ABI, in
 * memory it aligned for us. */
static struct tpacket2_hdr *ring_hdr(const struct gen_tx *t, unsigned i) {
    return (struct tpacket2_hdr *)(void *)(t->map + (size_t)i * t->frame_size);
}

static int ring_open(struct gen_tx *t, uint32_t max_len, char *errbuf,
                     size_t errlen) {
    int v = TPACKET_V2, one = 1;
    if (setsockopt(t->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) < 0)
        return sock_err(t, errbuf, errlen, "PACKET_VERSION TPACKET_V2");
    if (setsockopt(t->fd, SOL_PACKET, PACKET_LOSS, &one, sizeof one) < 0)
        return sock_err(t, errbuf, errlen, "PACKET_LOSS");
    size_t fs = 64;
    while (fs < RING_DATA_OFF + max_len)
        fs <<= 1;
    size_t block = fs > RING_BLOCK ? fs : RING_BLOCK;
    size_t frames = RING_BYTES / fs < RING_FRAMES ? RING_BYTES / fs
                                                  : RING_FRAMES;
    size_t per_block = block / fs;
    size_t blocks = (frames + per_block - 1) / per_block;
    if (blocks == 0)
        blocks = 1;
    struct tpacket_req req = {
        .tp_block_size = (unsigned)block,
        .tp_block_nr = (unsigned)blocks,
        .tp_frame_size = (unsigned)fs,
        .tp_frame_nr = (unsigned)(blocks * per_block),
    };
    if (setsockopt(t->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) < 0)
        return sock_err(t, errbuf, errlen, "PACKET_TX_RING");
    t->map_len = block * blocks;
    t->map = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
                  t->fd, 0);
    if (t->map == MAP_FAILED) {
        t->map = NULL;
        return sock_err(t, errbuf, errlen, "mmap of the TX ring");
    }
    t->frame_size = fs;
    t->nslots = req.tp_frame_nr;
    return 0;
}

static int mmsg_open(struct gen_tx *t, uint32_t max_len) {
    t->slot_len = ((size_t)max_len + 63) & ~(size_t)63;
    t->nslots = MMSG_BATCH;
    t->buf = core_calloc(MMSG_BATCH, t->slot_len);
    t->msgs = core_calloc(MMSG_BATCH, sizeof *t->msgs);
    t->iov = core_calloc(MMSG_BATCH, sizeof *t->iov);
    if (!t->buf || !t->msgs || !t->iov)
        return TRAWL_ENOMEM;
    for (unsigned i = 0; i < MMSG_BATCH; i++) {
        t->iov[i].iov_base = t->buf + (size_t)i * t->slot_len;
        t->msgs[i].msg_hdr.msg_iov = &t->iov[i];
        t->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    return 0;
}

int gen_tx_open(struct gen_tx **out, int ifindex, const char *ifname,
                enum gen_tx_method method, uint32_t max_len, char *errbuf,
                size_t errlen) {
    struct gen_tx *t = core_calloc(1, sizeof *t);
    if (!t)
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "%s: out of memory",
                        ifname);
    t->method = method;
    t->ifname = ifname;
    int rc, one = 1, sndbuf = SNDBUF_BYTES;
    t->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (t->fd < 0) {
        rc = sock_err(t, errbuf, errlen, "cannot open a packet socket");
        goto fail;
    }
    if (setsockopt(t->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
                   sizeof one) < 0) {
        rc = sock_err(t, errbuf, errlen, "PACKET_QDISC_BYPASS");
        goto fail;
    }
    /* Beyond the system's limit only with CAP_NET_ADMIN; the default then
     * has to do. */
    if (setsockopt(t->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
                   sizeof sndbuf) < 0)
        (void)setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
                         sizeof sndbuf);
    rc = method == GEN_TX_RING ? ring_open(t, max_len, errbuf, errlen)
                               : mmsg_open(t, max_len);
    if (rc == TRAWL_ENOMEM)
        core_err(errbuf, errlen, rc, "%s: out of memory", ifname);
    if (rc < 0)
        goto fail;
    t->holds_static = core_calloc(t->nslots, 1);
    if (!t->holds_static) {
        rc = core_err(errbuf, errlen, TRAWL_ENOMEM, "%s: out of memory",
                      ifname);
        goto fail;
    }
    struct sockaddr_ll sll = {.sll_family = AF_PACKET,
                              .sll_protocol = 0,
                              .sll_ifindex = ifindex};
    if (bind(t->fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
        rc = sock_err(t, errbuf, errlen, "cannot bind a packet socket");
        goto fail;
    }
    *out = t;
    return 0;
fail:
    gen_tx_close(t);
    return rc;
}

uint8_t *gen_tx_slot(struct gen_tx *t, bool *holds_static) {
    unsigned i;
    if (t->method == GEN_TX_RING) {
        if (t->inflight == t->nslots)
            gen_tx_reap(t);
        if (t->inflight == t->nslots)
            return NULL;
        i = t->head;
        *holds_static = t->holds_static[i];
        return t->map + (size_t)i * t->frame_size + RING_DATA_OFF;
    }
    if (t->count == MMSG_BATCH)
        return NULL;
    i = t->count;
    *holds_static = t->holds_static[i];
    return t->iov[i].iov_base;
}

void gen_tx_commit(struct gen_tx *t, uint32_t len, bool is_static) {
    if (t->method == GEN_TX_RING) {
        struct tpacket2_hdr *h = ring_hdr(t, t->head);
        h->tp_len = len;
        h->tp_snaplen = len;
        t->holds_static[t->head] = is_static;
        /* The frame's bytes must be visible before the kernel sees the
         * slot's new status. */
        __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
                         __ATOMIC_RELEASE);
        t->head = (t->head + 1) % t->nslots;
        t->inflight++;
        t->queued = true;
        return;
    }
    t->iov[t->count].iov_len = len;
    t->holds_static[t->count] = is_static;
    t->count++;
}

/* Errors that end the run: the interface went down or away, or the
 * kernel refuses the socket itself. */
static bool fatal_errno(int e) {
    return e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS && e != EINTR;
}

static int ring_flush(struct gen_tx *t, char *errbuf, size_t errlen) {
    if (!t->queued)
        return 0;
    if (send(t->fd, NULL, 0, MSG_DONTWAIT) < 0 && fatal_errno(errno))
        return sock_err(t, errbuf, errlen, "cannot send");
    /* The kernel takes queued frames in ring order and marks each one
     * SENDING as it does; if the last one queued is still a request, it
     * stopped short (its send buffer was full). */
    unsigned last = (t->head + t->nslots - 1) % t->nslots;
    if (__atomic_load_n(&ring_hdr(t, last)->tp_status, __ATOMIC_ACQUIRE) &
        TP_STATUS_SEND_REQUEST)
        return 1;
    t->queued = false;
    return 0;
}

static int mmsg_flush(struct gen_tx *t, char *errbuf, size_t errlen) {
    while (t->first < t->count) {
        int n = sendmmsg(t->fd, t->msgs + t->first, t->count - t->first,
                         MSG_DONTWAIT);
        if (n < 0) {
            int e = errno;
            if (!fatal_errno(e))
                return 1;
            if (e != EMSGSIZE && e != EINVAL)
                return sock_err(t, errbuf, errlen, "cannot send");
            /* The kernel refused this one frame: count it and go on. */
            t->stats.errors++;
            t->first++;
            continue;
        }
        for (int k = 0; k < n; k++)
            t->stats.bytes += t->iov[t->first + (unsigned)k].iov_len;
        t->stats.sent += (unsigned)n;
        t->first += (unsigned)n;
    }
    t->first = t->count = 0;
    return 0;
}

int gen_tx_flush(struct gen_tx *t, char *errbuf, size_t errlen) {
    return t->method == GEN_TX_RING ? ring_flush(t, errbuf, errlen)
                                    : mmsg_flush(t, errbuf, errlen);
}

void gen_tx_reap(struct gen_tx *t) {
    if (t->method != GEN_TX_RING)
        return;
    while (t->inflight) {
        struct tpacket2_hdr *h = ring_hdr(t, t->tail);
        uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
        if (st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING))
            break;
        if (st & TP_STATUS_WRONG_FORMAT) {
            t->stats.errors++;
            __atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE,
                             __ATOMIC_RELEASE);
        } else {
            t->stats.sent++;
            t->stats.bytes += h->tp_len;
        }
        t->tail = (t->tail + 1) % t->nslots;
        t->inflight--;
    }
}

bool gen_tx_has_room(const struct gen_tx *t) {
    return t->method == GEN_TX_RING ? t->inflight < t->nslots
                                    : t->count < MMSG_BATCH;
}

bool gen_tx_idle(const struct gen_tx *t) {
    return t->method == GEN_TX_RING ? t->inflight == 0 : t->count == 0;
}

int gen_tx_fd(const struct gen_tx *t) {
    return t->fd;
}

const struct gen_tx_stats *gen_tx_stats(const struct gen_tx *t) {
    return &t->stats;
}

void gen_tx_close(struct gen_tx *t) {
    if (!t)
        return;
    if (t->map)
        munmap(t->map, t->map_len);
    if (t->fd >= 0)
        close(t->fd);
    free(t->buf);
    free(t->msgs);
    free(t->iov);
    free(t->holds_static);
    free(t);
}
