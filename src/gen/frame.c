/* The frames the generator sends: see frame.h.
 *
 * Layout of every frame (lengths without the FCS):
 *
 *   Ethernet (14) | IPv4 (20) or IPv6 (40) | UDP (8) or TCP (20) | payload
 *
 * The payload fills the frame to its size, so no frame needs Ethernet
 * padding and every length field covers the whole frame. The payload is
 * zeros, ending in the 18-byte test payload when the plan stamps one.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "gen/frame.h"
#include "trawl/tpld.h"

#define ETH_LEN 14u
#define IPV4_LEN 20u
#define IPV6_LEN 40u
#define UDP_LEN 8u
#define TCP_LEN 20u
#define PROTO_TCP 6u
#define PROTO_UDP 17u

/* One IMIX cycle: 7 small, 4 medium and 1 large frame, spread out so that
 * any 12 consecutive frames hold the exact proportions. */
static const char imix_cycle[GEN_IMIX_CYCLE] = {'s', 'm', 's', 's', 'm', 's',
                                                's', 'm', 's', 's', 'm', 'l'};

/* ---- sizes -------------------------------------------------------------- */

static int parse_len(const char *s, const char *end, uint32_t *out) {
    if (s == end || end - s > 9)
        return -1;
    uint32_t v = 0;
    for (const char *p = s; p < end; p++) {
        if (!isdigit((unsigned char)*p))
            return -1;
        v = v * 10 + (uint32_t)(*p - '0');
    }
    *out = v;
    return 0;
}

static int check_len(const char *spec, uint32_t v, char *errbuf,
                     size_t errlen) {
    if (v < GEN_FRAME_MIN)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "size %s: %" PRIu32 " is below the Ethernet minimum "
                        "of %u bytes (%u with the FCS)",
                        spec, v, GEN_FRAME_MIN, GEN_FRAME_MIN + 4);
    if (v > GEN_FRAME_MAX)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "size %s: %" PRIu32 " is larger than the %u bytes "
                        "trawl builds",
                        spec, v, GEN_FRAME_MAX);
    return 0;
}

int gen_size_parse(const char *spec, struct gen_size *out, char *errbuf,
                   size_t errlen) {
    if (strcasecmp(spec, "imix") == 0) {
        *out = (struct gen_size){GEN_SIZE_IMIX, GEN_IMIX_SMALL,
                                 GEN_IMIX_LARGE};
        return 0;
    }
    const char *end = spec + strlen(spec);
    const char *dash = strchr(spec, '-');
    uint32_t lo, hi;
    if (parse_len(spec, dash ? dash : end, &lo) < 0 ||
        (dash && parse_len(dash + 1, end, &hi) < 0))
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "size '%s': want N, MIN-MAX or imix (frame bytes "
                        "without the FCS)",
                        spec);
    if (!dash)
        hi = lo;
    int rc = check_len(spec, lo, errbuf, errlen);
    if (rc == 0)
        rc = check_len(spec, hi, errbuf, errlen);
    if (rc < 0)
        return rc;
    if (lo > hi)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "size %s: the minimum is larger than the maximum",
                        spec);
    *out = (struct gen_size){dash && lo != hi ? GEN_SIZE_RANGE
                                              : GEN_SIZE_FIXED,
                             lo, hi};
    return 0;
}

int gen_size_format(const struct gen_size *s, char *buf, size_t len) {
    switch (s->kind) {
    case GEN_SIZE_IMIX:
        return snprintf(buf, len, "imix (%" PRIu32 "/%u/%u bytes, 7:4:1)",
                        s->min, GEN_IMIX_MEDIUM, GEN_IMIX_LARGE);
    case GEN_SIZE_RANGE:
        return snprintf(buf, len, "%" PRIu32 "-%" PRIu32 " bytes", s->min,
                        s->max);
    case GEN_SIZE_FIXED: break;
    }
    return snprintf(buf, len, "%" PRIu32 " bytes", s->min);
}

/* ---- the plan ----------------------------------------------------------- */

size_t gen_frame_headers(const struct gen_frame_plan *p) {
    return ETH_LEN + (p->ipv6 ? IPV6_LEN : IPV4_LEN) +
           (p->tcp ? TCP_LEN : UDP_LEN);
}

uint32_t gen_frame_min_len(const struct gen_frame_plan *p) {
    size_t need = gen_frame_headers(p) + (p->tpld ? TRAWL_TPLD_LEN : 0);
    return need > GEN_FRAME_MIN ? (uint32_t)need : GEN_FRAME_MIN;
}

uint32_t gen_frame_max_len(const struct gen_frame_plan *p) {
    return p->size.kind == GEN_SIZE_IMIX ? GEN_IMIX_LARGE : p->size.max;
}

static const char *plan_layers(const struct gen_frame_plan *p) {
    static const char *const names[2][2][2] = {
        {{"Ethernet + IPv4 + UDP headers",
          "Ethernet + IPv4 + UDP headers and the test payload"},
         {"Ethernet + IPv4 + TCP headers",
          "Ethernet + IPv4 + TCP headers and the test payload"}},
        {{"Ethernet + IPv6 + UDP headers",
          "Ethernet + IPv6 + UDP headers and the test payload"},
         {"Ethernet + IPv6 + TCP headers",
          "Ethernet + IPv6 + TCP headers and the test payload"}},
    };
    return names[p->ipv6][p->tcp][p->tpld];
}

int gen_frame_plan_check(struct gen_frame_plan *p, uint32_t max_len,
                         unsigned mtu, const char *ifname, char *errbuf,
                         size_t errlen) {
    char spec[64];
    uint32_t need = gen_frame_min_len(p);
    if (p->corrupt_every && !p->tpld)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "corrupting every %" PRIu64 "th payload needs the "
                        "test payload (--tpld)",
                        p->corrupt_every);
    if (p->size.kind == GEN_SIZE_IMIX) {
        /* IMIX's small frames are "the smallest frame": with IPv6, TCP or
         * the test payload that is more than 60 bytes. */
        p->size.min = need;
        if (GEN_IMIX_LARGE > max_len)
            return core_err(errbuf, errlen, TRAWL_EINVAL,
                            "size imix: its %u-byte frames are larger than "
                            "%s's MTU of %u allows (%" PRIu32 " bytes)",
                            GEN_IMIX_LARGE, ifname, mtu, max_len);
        return 0;
    }
    /* The size as the user wrote it. */
    if (p->size.kind == GEN_SIZE_RANGE)
        snprintf(spec, sizeof spec, "%" PRIu32 "-%" PRIu32, p->size.min,
                 p->size.max);
    else
        snprintf(spec, sizeof spec, "%" PRIu32, p->size.min);
    if (p->size.min < need)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "size %s: frames of %" PRIu32 " bytes cannot hold "
                        "the %s (%" PRIu32 " bytes)",
                        spec, p->size.min, plan_layers(p), need);
    if (p->size.max > max_len)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "size %s: frames of %" PRIu32 " bytes are larger "
                        "than %s's MTU of %u allows (%" PRIu32 " bytes)",
                        spec, p->size.max, ifname, mtu, max_len);
    return 0;
}

bool gen_frame_is_static(const struct gen_frame_plan *p) {
    return p->size.kind == GEN_SIZE_FIXED && p->flows == 1 && !p->tcp &&
           !p->tpld;
}

/* ---- the state ---------------------------------------------------------- */

/* xorshift64*: a small, fast generator. Sizes only need to look random and
 * be the same from run to run, so it starts from a fixed seed. */
static uint64_t rng_next(uint64_t *s) {
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static uint32_t len_of(const struct gen_frame_plan *p,
                       struct gen_frame_state *s) {
    switch (p->size.kind) {
    case GEN_SIZE_IMIX:
        switch (imix_cycle[s->n % GEN_IMIX_CYCLE]) {
        case 's': return p->size.min;
        case 'm': return GEN_IMIX_MEDIUM;
        default: return GEN_IMIX_LARGE;
        }
    case GEN_SIZE_RANGE: {
        /* Lemire's multiply-shift maps 32 random bits onto the range with
         * a bias below 2^-16 for any range trawl builds. */
        uint64_t span = (uint64_t)p->size.max - p->size.min + 1;
        uint64_t r = rng_next(&s->rng) >> 32;
        return p->size.min + (uint32_t)((r * span) >> 32);
    }
    case GEN_SIZE_FIXED: break;
    }
    return p->size.min;
}

int gen_frame_state_init(struct gen_frame_state *s,
                         const struct gen_frame_plan *p) {
    gen_frame_state_free(s);
    s->n = 0;
    s->rng = 0x9e3779b97f4a7c15ull;
    if (p->tcp) {
        s->tcp_seq = core_calloc(p->flows, sizeof *s->tcp_seq);
        if (!s->tcp_seq)
            return TRAWL_ENOMEM;
        for (uint32_t i = 0; i < p->flows; i++)
            s->tcp_seq[i] = 1;
    }
    s->next_len = len_of(p, s);
    return 0;
}

void gen_frame_state_free(struct gen_frame_state *s) {
    free(s->tcp_seq);
    s->tcp_seq = NULL;
}

void gen_frame_skip(const struct gen_frame_plan *p,
                    struct gen_frame_state *s) {
    s->n++;
    s->next_len = len_of(p, s);
}

/* ---- checksums ---------------------------------------------------------- */

/* Adds the big-endian 16-bit words of p[0, n) to a one's-complement sum.
 * `odd` says the span starts an odd number of bytes into the data being
 * checksummed: its words then straddle the real ones, and the one's
 * complement sum of the span is the byte-swapped sum (RFC 1071, 2.B). */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n, bool odd) {
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        acc += core_be16(p + i);
    if (i < n)
        acc += (uint32_t)p[i] << 8;
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    if (odd)
        acc = ((acc & 0xff) << 8) | (acc >> 8);
    return sum + (uint32_t)acc;
}

static uint16_t csum_fold(uint32_t sum) {
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ---- building ----------------------------------------------------------- */

uint32_t gen_frame_build(const struct gen_frame_plan *p,
                         struct gen_frame_state *s, uint8_t *f,
                         uint32_t tx_ns) {
    uint32_t len = s->next_len;
    uint32_t flow = (uint32_t)(s->n % p->flows);
    size_t l3 = ETH_LEN;
    size_t l4 = l3 + (p->ipv6 ? IPV6_LEN : IPV4_LEN);
    size_t pay = l4 + (p->tcp ? TCP_LEN : UDP_LEN);
    size_t alen = p->ipv6 ? 16 : 4;
    uint8_t proto = p->tcp ? PROTO_TCP : PROTO_UDP;
    uint32_t l4len = len - (uint32_t)l4;

    memcpy(f, p->dst_mac, 6);
    memcpy(f + 6, p->src_mac, 6);
    core_put_be16(f + 12, p->ipv6 ? 0x86dd : 0x0800);

    uint8_t *src, *dst;
    if (p->ipv6) {
        core_put_be32(f + l3, 0x60000000u);
        core_put_be16(f + l3 + 4, (uint16_t)l4len);
        f[l3 + 6] = proto;
        f[l3 + 7] = 64;
        src = f + l3 + 8;
        dst = f + l3 + 24;
    } else {
        f[l3] = 0x45;
        f[l3 + 1] = 0;
        core_put_be16(f + l3 + 2, (uint16_t)(len - l3));
        /* Don't fragment, so the constant identification is allowed
         * (RFC 6864). */
        core_put_be32(f + l3 + 4, 0x00004000u);
        f[l3 + 8] = 64;
        f[l3 + 9] = proto;
        core_put_be16(f + l3 + 10, 0);
        src = f + l3 + 12;
        dst = f + l3 + 16;
    }
    memcpy(src, p->src_ip, alen);
    memcpy(dst, p->dst_ip, alen);
    uint16_t sport = p->sport;
    if (p->vary_src_addr) {
        /* gen_frame_plan_check() made sure this does not carry. */
        if (p->ipv6)
            core_put_be16(src + 14, (uint16_t)(core_be16(src + 14) + flow));
        else
            src[3] = (uint8_t)(src[3] + flow);
    } else {
        sport = (uint16_t)(sport + flow);
    }

    core_put_be16(f + l4, sport);
    core_put_be16(f + l4 + 2, p->dport);
    if (p->tcp) {
        uint32_t payload = len - (uint32_t)pay;
        core_put_be32(f + l4 + 4, s->tcp_seq[flow]);
        s->tcp_seq[flow] += payload;
        core_put_be32(f + l4 + 8, 1);
        f[l4 + 12] = 5 << 4;
        f[l4 + 13] = 0x18; /* PSH, ACK */
        core_put_be16(f + l4 + 14, 65535);
        core_put_be32(f + l4 + 16, 0); /* checksum, urgent pointer */
    } else {
        core_put_be16(f + l4 + 4, (uint16_t)l4len);
        core_put_be16(f + l4 + 6, 0);
    }
    memset(f + pay, 0, len - pay);

    size_t tail = len;
    if (p->tpld) {
        struct trawl_tpld t = {.stream = p->stream,
                               .seq = (uint32_t)s->n,
                               .tx_ns = tx_ns,
                               .fill_off = (uint8_t)pay};
        trawl_tpld_stamp(f, len, &t);
        tail = len - TRAWL_TPLD_LEN;
        if (gen_frame_corrupts(p, s->n)) {
            /* A filler byte when there is one; otherwise the last byte of
             * the transmit time, which the check covers too. */
            f[tail > pay ? pay : tail + 13] ^= 0xff;
        }
    }

    /* The L4 checksum covers the pseudo-header, the L4 header and the
     * payload. The filler is zeros, which add nothing, so only the
     * headers, the first filler byte (corrupted, maybe) and the test
     * payload are summed. */
    uint32_t sum = csum_add(0, src, alen, false);
    sum = csum_add(sum, dst, alen, false);
    sum += proto;
    sum += l4len & 0xffff;
    sum += l4len >> 16;
    sum = csum_add(sum, f + l4, pay - l4, false);
    if (tail > pay)
        sum = csum_add(sum, f + pay, 1, false);
    if (tail < len)
        sum = csum_add(sum, f + tail, len - tail, ((tail - l4) & 1) != 0);
    uint16_t c = csum_fold(sum);
    if (p->tcp)
        core_put_be16(f + l4 + 16, c);
    else
        core_put_be16(f + l4 + 6, c ? c : 0xffff); /* 0 means "none" */

    if (!p->ipv6)
        core_put_be16(f + l3 + 10, csum_fold(csum_add(0, f + l3, IPV4_LEN,
                                                      false)));
    gen_frame_skip(p, s);
    return len;
}
