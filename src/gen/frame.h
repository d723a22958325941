/* gen/frame — the frames the generator sends: Ethernet, IPv4 or IPv6, UDP
 * or TCP with valid checksums, sized as asked, round-robin over N flows,
 * optionally ending in the test payload (some of them corrupt). A frame is
 * a function of the plan and of the per-run state, so unit tests check the
 * bytes without a network. Internal to libtrawl.
 */
#ifndef TRAWL_GEN_FRAME_H
#define TRAWL_GEN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Frame lengths without the FCS: the Ethernet minimum, and the largest
 * frame trawl builds. */
#define GEN_FRAME_MIN 60u
#define GEN_FRAME_MAX 65535u

/* The classic IMIX: 64, 570 and 1518 bytes with the FCS, 7:4:1. */
#define GEN_IMIX_SMALL 60u
#define GEN_IMIX_MEDIUM 566u
#define GEN_IMIX_LARGE 1514u
#define GEN_IMIX_CYCLE 12u

enum gen_size_kind {
    GEN_SIZE_FIXED = 0, /* every frame min bytes */
    GEN_SIZE_RANGE,     /* uniformly random in [min, max] */
    GEN_SIZE_IMIX,      /* min = the small size (60, or more when the
                           headers need it), then 566 and 1514 */
};

struct gen_size {
    enum gen_size_kind kind;
    uint32_t min, max;
};

/* Parses "N", "MIN-MAX" or "imix". Sizes below GEN_FRAME_MIN or above
 * GEN_FRAME_MAX are refused here; what the headers and the interface
 * allow is checked by gen_frame_plan_check(). */
int gen_size_parse(const char *spec, struct gen_size *out, char *errbuf,
                   size_t errlen);

/* Prints a size as gen_size_parse() reads it. */
int gen_size_format(const struct gen_size *s, char *buf, size_t len);

struct gen_frame_plan {
    uint8_t dst_mac[6], src_mac[6];
    bool ipv6;
    uint8_t src_ip[16], dst_ip[16]; /* 4 bytes used for IPv4 */
    bool tcp;
    uint16_t sport, dport;
    uint32_t flows; /* >= 1 */
    bool vary_src_addr;
    struct gen_size size;
    bool tpld;
    uint16_t stream;
    uint64_t corrupt_every; /* 0 = none */
};

/* Ethernet, IP and L4 headers. */
size_t gen_frame_headers(const struct gen_frame_plan *p);
/* The smallest frame the plan can send: the Ethernet minimum, or the
 * headers plus the test payload when they need more. */
uint32_t gen_frame_min_len(const struct gen_frame_plan *p);

/* Checks sizes against the headers and max_len (the interface's MTU plus
 * the Ethernet header), and flows against the port and address space;
 * lifts IMIX's small size to gen_frame_min_len(). `ifname` names the
 * interface in messages. */
int gen_frame_plan_check(struct gen_frame_plan *p, uint32_t max_len,
                         unsigned mtu, const char *ifname, char *errbuf,
                         size_t errlen);

/* The largest frame the (checked) plan sends. */
uint32_t gen_frame_max_len(const struct gen_frame_plan *p);

/* True when every frame is the same bytes (fixed size, one flow, UDP, no
 * test payload): a slot that holds one need not be written again. */
bool gen_frame_is_static(const struct gen_frame_plan *p);

/* What changes from frame to frame within a run. */
struct gen_frame_state {
    uint64_t n;        /* number of the next frame, from 0 */
    uint32_t next_len; /* its length */
    uint64_t rng;      /* for random sizes */
    uint32_t *tcp_seq; /* per flow, owned by the state */
};

/* Resets the state for a new run of a checked plan; allocates the TCP
 * sequence numbers. Returns 0 or TRAWL_ENOMEM. */
int gen_frame_state_init(struct gen_frame_state *s,
                         const struct gen_frame_plan *p);
void gen_frame_state_free(struct gen_frame_state *s);

/* Writes frame s->n (s->next_len bytes) into f, stamping tx_ns into its
 * test payload, and moves the state on to the next frame. f must hold
 * gen_frame_max_len() bytes. Returns the frame's length. */
uint32_t gen_frame_build(const struct gen_frame_plan *p,
                         struct gen_frame_state *s, uint8_t *f,
                         uint32_t tx_ns);

/* Moves the state on without writing: for a static plan whose slot
 * already holds the frame. */
void gen_frame_skip(const struct gen_frame_plan *p, struct gen_frame_state *s);

/* Whether frame number n (from 0) is one the plan corrupts. */
static inline bool gen_frame_corrupts(const struct gen_frame_plan *p,
                                      uint64_t n) {
    return p->corrupt_every && (n + 1) % p->corrupt_every == 0;
}

#endif
