/* The generator's frames and pacing (src/gen/frame.c, src/gen/pace.c):
 * sizes as asked, valid checksums checked by an independent computation,
 * test payloads that parse, corruption exactly where asked, flows, and a
 * token bucket that keeps its rate on a made-up clock. */
#include <math.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"
#include "gen/frame.h"
#include "gen/pace.h"
#include "trawl/error.h"
#include "trawl/gen.h"
#include "trawl/tpld.h"

/* ---- sizes -------------------------------------------------------------- */

static const struct {
    const char *spec;
    int rc;
    enum gen_size_kind kind;
    uint32_t min, max;
    const char *msg; /* a part of the error message */
} size_cases[] = {
    {"60", 0, GEN_SIZE_FIXED, 60, 60, NULL},
    {"1514", 0, GEN_SIZE_FIXED, 1514, 1514, NULL},
    {"64-1518", 0, GEN_SIZE_RANGE, 64, 1518, NULL},
    {"100-100", 0, GEN_SIZE_FIXED, 100, 100, NULL},
    {"imix", 0, GEN_SIZE_IMIX, 60, 1514, NULL},
    {"IMIX", 0, GEN_SIZE_IMIX, 60, 1514, NULL},
    {"59", TRAWL_EINVAL, 0, 0, 0, "below the Ethernet minimum of 60"},
    {"0", TRAWL_EINVAL, 0, 0, 0, "below the Ethernet minimum"},
    {"40-100", TRAWL_EINVAL, 0, 0, 0, "below the Ethernet minimum"},
    {"65536", TRAWL_EINVAL, 0, 0, 0, "larger than the 65535 bytes"},
    {"200-100", TRAWL_EINVAL, 0, 0, 0, "minimum is larger than the maximum"},
    {"", TRAWL_EINVAL, 0, 0, 0, "want N, MIN-MAX or imix"},
    {"abc", TRAWL_EINVAL, 0, 0, 0, "want N, MIN-MAX or imix"},
    {"60-", TRAWL_EINVAL, 0, 0, 0, "want N, MIN-MAX or imix"},
    {"-60", TRAWL_EINVAL, 0, 0, 0, "want N, MIN-MAX or imix"},
    {"60-70-80", TRAWL_EINVAL, 0, 0, 0, "want N, MIN-MAX or imix"},
    {"1e3", TRAWL_EINVAL, 0, 0, 0, "want N, MIN-MAX or imix"},
    {"99999999999", TRAWL_EINVAL, 0, 0, 0, "want N, MIN-MAX or imix"},
};

static void size_parse_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
        struct gen_size s = {0};
        char err[256] = "";
        int rc = gen_size_parse(size_cases[i].spec, &s, err, sizeof err);
        if (rc != size_cases[i].rc)
            fail_msg("'%s': rc %d, want %d (%s)", size_cases[i].spec, rc,
                     size_cases[i].rc, err);
        if (rc == 0) {
            assert_int_equal(s.kind, size_cases[i].kind);
            assert_int_equal(s.min, size_cases[i].min);
            assert_int_equal(s.max, size_cases[i].max);
        } else if (!strstr(err, size_cases[i].msg)) {
            fail_msg("'%s': message '%s' lacks '%s'", size_cases[i].spec, err,
                     size_cases[i].msg);
        }
    }
}

/* ---- an independent reading of the frames ------------------------------- */

/* The RFC 1071 sum of a byte string, the plain way: the frame builder's
 * shortcut (skipping the zero filler) must agree with it. */
static uint32_t sum_words(const uint8_t *p, size_t n) {
    uint32_t s = 0;
    for (size_t i = 0; i < n; i += 2)
        s += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
    return s;
}

static uint16_t fold(uint32_t s) {
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

struct parsed {
    size_t l4, pay;
    bool ipv6, tcp;
    uint16_t sport, dport;
    uint32_t tcp_seq;
    uint8_t src_last;
};

/* Checks every length field and checksum of a built frame; returns its
 * layout. */
static struct parsed check_frame(const uint8_t *f, uint32_t len) {
    struct parsed r = {0};
    uint16_t type = core_be16(f + 12);
    assert_true(type == 0x0800 || type == 0x86dd);
    r.ipv6 = type == 0x86dd;
    size_t l3 = 14;
    uint8_t proto;
    uint32_t pseudo;
    if (r.ipv6) {
        assert_int_equal(f[l3] >> 4, 6);
        assert_int_equal(core_be16(f + l3 + 4), len - 54);
        proto = f[l3 + 6];
        r.l4 = l3 + 40;
        pseudo = sum_words(f + l3 + 8, 32) + proto + (len - 54);
        r.src_last = f[l3 + 8 + 15];
    } else {
        assert_int_equal(f[l3], 0x45);
        assert_int_equal(core_be16(f + l3 + 2), len - 14);
        assert_int_equal(fold(sum_words(f + l3, 20)), 0xffff);
        proto = f[l3 + 9];
        r.l4 = l3 + 20;
        pseudo = sum_words(f + l3 + 12, 8) + proto + (len - 34);
        r.src_last = f[l3 + 12 + 3];
    }
    r.tcp = proto == 6;
    assert_true(proto == 6 || proto == 17);
    r.sport = core_be16(f + r.l4);
    r.dport = core_be16(f + r.l4 + 2);
    size_t l4len = len - r.l4;
    if (r.tcp) {
        r.pay = r.l4 + 20;
        r.tcp_seq = core_be32(f + r.l4 + 4);
        assert_int_equal(f[r.l4 + 12], 5 << 4);
    } else {
        r.pay = r.l4 + 8;
        assert_int_equal(core_be16(f + r.l4 + 4), l4len);
        assert_int_not_equal(core_be16(f + r.l4 + 6), 0);
    }
    assert_int_equal(fold(pseudo + sum_words(f + r.l4, l4len)), 0xffff);
    return r;
}

static struct gen_frame_plan base_plan(void) {
    struct gen_frame_plan p = {
        .dst_mac = {0x00, 0x00, 0x5e, 0x00, 0x53, 0x01},
        .src_mac = {0x02, 0, 0, 0, 0, 1},
        .src_ip = {192, 0, 2, 1},
        .dst_ip = {192, 0, 2, 2},
        .sport = 49152,
        .dport = 9,
        .flows = 1,
        .size = {GEN_SIZE_FIXED, 60, 60},
    };
    return p;
}

static void make_v6(struct gen_frame_plan *p) {
    static const uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t d[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    p->ipv6 = true;
    memcpy(p->src_ip, s, 16);
    memcpy(p->dst_ip, d, 16);
}

static void checked(struct gen_frame_plan *p) {
    char err[256];
    if (gen_frame_plan_check(p, 1514, 1500, "test0", err, sizeof err) < 0)
        fail_msg("plan refused: %s", err);
}

/* Every combination of family, protocol and test payload, at sizes from
 * the smallest the headers allow to the largest, odd and even: lengths,
 * checksums, test payloads and corruption all as promised. */
static void frames_are_valid(void **state) {
    (void)state;
    static uint8_t f[GEN_FRAME_MAX];
    for (int v6 = 0; v6 < 2; v6++)
        for (int tcp = 0; tcp < 2; tcp++)
            for (int tpld = 0; tpld < 2; tpld++) {
                struct gen_frame_plan p = base_plan();
                if (v6)
                    make_v6(&p);
                p.tcp = tcp;
                p.tpld = tpld;
                p.stream = 517;
                p.corrupt_every = tpld ? 3 : 0;
                uint32_t lo = gen_frame_min_len(&p);
                p.size = (struct gen_size){GEN_SIZE_RANGE, lo, 1514};
                checked(&p);
                struct gen_frame_state s = {0};
                assert_int_equal(gen_frame_state_init(&s, &p), 0);
                for (uint64_t n = 0; n < 600; n++) {
                    uint32_t want = s.next_len;
                    memset(f, 0xa5, sizeof f); /* old bytes must not leak */
                    uint32_t len = gen_frame_build(&p, &s, f, (uint32_t)n * 7);
                    assert_int_equal(len, want);
                    assert_in_range(len, lo, 1514);
                    struct parsed r = check_frame(f, len);
                    assert_int_equal(r.ipv6, v6);
                    assert_int_equal(r.tcp, tcp);
                    struct trawl_tpld t;
                    enum trawl_tpld_status st = trawl_tpld_parse(f, len, &t);
                    if (!tpld) {
                        assert_int_equal(st, TRAWL_TPLD_NONE);
                        continue;
                    }
                    assert_int_equal(st, (n + 1) % 3 == 0 ? TRAWL_TPLD_BAD
                                                          : TRAWL_TPLD_OK);
                    assert_int_equal(t.seq, n);
                    assert_int_equal(t.stream, 517);
                    assert_int_equal(t.fill_off, r.pay);
                    if (st == TRAWL_TPLD_OK)
                        assert_int_equal(t.tx_ns, (uint32_t)n * 7);
                }
                gen_frame_state_free(&s);
            }
}

static void imix_proportions(void **state) {
    (void)state;
    static uint8_t f[2048];
    struct gen_frame_plan p = base_plan();
    p.size = (struct gen_size){GEN_SIZE_IMIX, GEN_IMIX_SMALL, GEN_IMIX_LARGE};
    checked(&p);
    struct gen_frame_state s = {0};
    assert_int_equal(gen_frame_state_init(&s, &p), 0);
    unsigned small = 0, medium = 0, large = 0;
    for (unsigned n = 0; n < 1200; n++) {
        uint32_t len = gen_frame_build(&p, &s, f, 0);
        check_frame(f, len);
        small += len == 60;
        medium += len == 566;
        large += len == 1514;
        /* Every run of 12 frames holds the exact proportions. */
        if (n % 12 == 11) {
            assert_int_equal(small, (n + 1) / 12 * 7);
            assert_int_equal(medium, (n + 1) / 12 * 4);
            assert_int_equal(large, (n + 1) / 12);
        }
    }
    assert_int_equal(small + medium + large, 1200);
    gen_frame_state_free(&s);

    /* With IPv6, TCP and the test payload the small frames grow to the
     * smallest that holds them. */
    p = base_plan();
    make_v6(&p);
    p.tcp = p.tpld = true;
    p.size = (struct gen_size){GEN_SIZE_IMIX, GEN_IMIX_SMALL, GEN_IMIX_LARGE};
    checked(&p);
    assert_int_equal(p.size.min, 14 + 40 + 20 + TRAWL_TPLD_LEN);
    assert_int_equal(gen_frame_state_init(&s, &p), 0);
    assert_int_equal(gen_frame_build(&p, &s, f, 0), 92);
    struct trawl_tpld t;
    assert_int_equal(trawl_tpld_parse(f, 92, &t), TRAWL_TPLD_OK);
    gen_frame_state_free(&s);
}

static void ranges_repeat(void **state) {
    (void)state;
    static uint8_t f[2048];
    struct gen_frame_plan p = base_plan();
    p.size = (struct gen_size){GEN_SIZE_RANGE, 60, 63};
    checked(&p);
    struct gen_frame_state a = {0}, b = {0};
    assert_int_equal(gen_frame_state_init(&a, &p), 0);
    assert_int_equal(gen_frame_state_init(&b, &p), 0);
    unsigned seen[4] = {0};
    for (int n = 0; n < 4000; n++) {
        uint32_t la = gen_frame_build(&p, &a, f, 0);
        uint32_t lb = gen_frame_build(&p, &b, f, 0);
        assert_int_equal(la, lb); /* the same from run to run */
        assert_in_range(la, 60, 63);
        seen[la - 60]++;
    }
    /* Roughly uniform: 1000 expected each, 800 is far outside chance. */
    for (int i = 0; i < 4; i++)
        assert_true(seen[i] > 800);
    gen_frame_state_free(&a);
    gen_frame_state_free(&b);
}

static void flows_round_robin(void **state) {
    (void)state;
    static uint8_t f[2048];
    struct gen_frame_plan p = base_plan();
    p.flows = 5;
    p.tcp = true;
    p.size = (struct gen_size){GEN_SIZE_FIXED, 100, 100};
    checked(&p);
    struct gen_frame_state s = {0};
    assert_int_equal(gen_frame_state_init(&s, &p), 0);
    for (uint32_t n = 0; n < 20; n++) {
        uint32_t len = gen_frame_build(&p, &s, f, 0);
        struct parsed r = check_frame(f, len);
        assert_int_equal(r.sport, 49152 + n % 5);
        assert_int_equal(r.dport, 9);
        assert_int_equal(r.src_last, 1);
        /* Each flow's sequence numbers advance by its payload. */
        assert_int_equal(r.tcp_seq, 1 + (n / 5) * (100 - 54));
    }
    gen_frame_state_free(&s);

    p = base_plan();
    p.flows = 3;
    p.vary_src_addr = true;
    checked(&p);
    assert_int_equal(gen_frame_state_init(&s, &p), 0);
    for (uint32_t n = 0; n < 9; n++) {
        uint32_t len = gen_frame_build(&p, &s, f, 0);
        struct parsed r = check_frame(f, len);
        assert_int_equal(r.sport, 49152);
        assert_int_equal(r.src_last, 1 + n % 3);
    }
    gen_frame_state_free(&s);
}

static void plan_refusals(void **state) {
    (void)state;
    char err[256];
    struct gen_frame_plan p = base_plan();
    p.tcp = p.tpld = true;
    p.size = (struct gen_size){GEN_SIZE_FIXED, 60, 60};
    assert_int_equal(gen_frame_plan_check(&p, 1514, 1500, "t0", err,
                                          sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "cannot hold the Ethernet + IPv4 + TCP "
                                "headers and the test payload (72 bytes)"));
    p = base_plan();
    p.size = (struct gen_size){GEN_SIZE_RANGE, 60, 1515};
    assert_int_equal(gen_frame_plan_check(&p, 1514, 1500, "t0", err,
                                          sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "larger than t0's MTU of 1500 allows "
                                "(1514 bytes)"));
    p = base_plan();
    p.size = (struct gen_size){GEN_SIZE_IMIX, 60, 1514};
    assert_int_equal(gen_frame_plan_check(&p, 1414, 1400, "t0", err,
                                          sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "imix"));
    p = base_plan();
    p.corrupt_every = 5;
    assert_int_equal(gen_frame_plan_check(&p, 1514, 1500, "t0", err,
                                          sizeof err),
                     TRAWL_EINVAL);
    assert_non_null(strstr(err, "needs the test payload"));
}

static void static_plans(void **state) {
    (void)state;
    struct gen_frame_plan p = base_plan();
    assert_true(gen_frame_is_static(&p));
    p.tpld = true;
    assert_false(gen_frame_is_static(&p));
    p = base_plan();
    p.flows = 2;
    assert_false(gen_frame_is_static(&p));
    p = base_plan();
    p.tcp = true;
    assert_false(gen_frame_is_static(&p));
    p = base_plan();
    p.size = (struct gen_size){GEN_SIZE_RANGE, 60, 70};
    assert_false(gen_frame_is_static(&p));
}

/* ---- pacing ------------------------------------------------------------- */

#define MS 1000000ull

/* Drives a bucket on a made-up clock that wakes every `step` ns (plus
 * `late` ns every 100th wake) for `span` ns; returns the frames sent. */
static uint64_t pace_run(double rate, double cost, uint64_t step,
                         uint64_t late, uint64_t span) {
    struct gen_pace p;
    uint64_t now = 1000 * MS, end = now + span, sent = 0;
    gen_pace_init(&p, rate, cost, cost, now);
    for (unsigned wake = 0; now < end; wake++) {
        while (gen_pace_take(&p, cost, now))
            sent++;
        now += step + (wake % 100 == 99 ? late : 0);
    }
    return sent;
}

static void pace_keeps_rate(void **state) {
    (void)state;
    /* Frames per second, waking far more often than frames are due. */
    uint64_t n = pace_run(1000, 1, 100000, 0, 1000 * MS);
    assert_in_range(n, 1000, 1001);
    /* Waking late now and then (timer slack, scheduling) loses nothing:
     * the bucket makes up for up to 10 ms. */
    n = pace_run(1000, 1, 100000, 5 * MS, 1000 * MS);
    assert_in_range(n, 1000, 1001);
    /* Bits per second: 8 Mbit/s of 1000-byte frames is 1000 frames/s. */
    n = pace_run(8e6, 8000, 50000, 0, 2000 * MS);
    assert_in_range(n, 2000, 2001);
    /* A rate above the wake rate sends batches, still at the rate. */
    n = pace_run(1e6, 1, 1 * MS, 0, 500 * MS);
    assert_in_range(n, 499000, 500001);
}

static void pace_bounds_bursts(void **state) {
    (void)state;
    struct gen_pace p;
    uint64_t now = 1000 * MS;
    gen_pace_init(&p, 1e5, 1, 1, now);
    assert_true(gen_pace_take(&p, 1, now));
    assert_false(gen_pace_take(&p, 1, now));
    assert_in_range(gen_pace_wait_ns(&p, 1), 1, 10001);
    /* After a stall of a second, at most 10 ms of frames go at once. */
    now += 1000 * MS;
    uint64_t burst = 0;
    while (gen_pace_take(&p, 1, now))
        burst++;
    assert_in_range(burst, 1000, 1001);
    /* No limit: always yes, never a wait. */
    gen_pace_init(&p, 0, 1, 1, now);
    for (int i = 0; i < 1000; i++)
        assert_true(gen_pace_take(&p, 1, now));
    assert_int_equal(gen_pace_wait_ns(&p, 1), 0);
}

/* ---- the object, on the loopback of a network namespace of its own ----- */

/* Moves the test into a new network namespace, where nothing but its own
 * loopback exists, so frames sent there reach nobody. Needs root. */
static bool private_netns(void) {
    return geteuid() == 0 && unshare(CLONE_NEWNET) == 0;
}

static void set_lo_up(bool up) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
    if (up)
        ifr.ifr_flags |= IFF_UP;
    else
        ifr.ifr_flags &= ~IFF_UP;
    assert_int_equal(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
    close(fd);
}

#define expect_err(call, code, text)                                        \
    do {                                                                    \
        char err_[TRAWL_ERRBUF_SIZE] = "";                                  \
        int rc_ = (call);                                                   \
        if (rc_ != (code) || !strstr(err_, (text)))                         \
            fail_msg("%s: rc %d, message '%s'; want %d and '%s'", #call,    \
                     rc_, err_, (code), (text));                            \
    } while (0)
#define ERR err_, sizeof err_

static void object_refusals(void **state) {
    (void)state;
    trawl_gen *g;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(trawl_gen_new(&g, err, sizeof err), 0);
    expect_err(trawl_gen_set_iface(g, "tgnosuch0", ERR), TRAWL_ENOENT,
               "tgnosuch0: no such interface");
    expect_err(trawl_gen_set_rate(g, TRAWL_GEN_PPS, NAN, ERR), TRAWL_EINVAL,
               "rate nan");
    expect_err(trawl_gen_set_rate(g, TRAWL_GEN_BPS, -1, ERR), TRAWL_EINVAL,
               "bit rate -1");
    expect_err(trawl_gen_set_flows(g, 0, TRAWL_GEN_VARY_SPORT, ERR),
               TRAWL_EINVAL, "flows 0");
    expect_err(trawl_gen_set_addr(g, TRAWL_GEN_DST, "1.2.3", ERR),
               TRAWL_EINVAL, "dst '1.2.3': not a MAC, IPv4 or IPv6 address");
    expect_err(trawl_gen_set_addr(g, TRAWL_GEN_SRC, "ff:ff:ff:ff:ff:ff", ERR),
               TRAWL_EINVAL, "group (multicast) MAC");
    expect_err(trawl_gen_set_size(g, "59", ERR), TRAWL_EINVAL, "size 59");
    expect_err(trawl_gen_start(g, ERR), TRAWL_EINVAL, "no interface given");
    expect_err(trawl_gen_pump(g, 0, ERR), TRAWL_EINVAL, "not been started");
    struct trawl_gen_counters c;
    trawl_gen_counters(g, &c);
    assert_int_equal(c.sent, 0);
    assert_false(c.running);
    trawl_gen_close(g);
}

static void object_runs(void **state) {
    (void)state;
    if (!private_netns())
        skip();
    trawl_gen *g;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(trawl_gen_new(&g, err, sizeof err), 0);
    assert_int_equal(trawl_gen_set_iface(g, "lo", err, sizeof err), 0);
    expect_err(trawl_gen_start(g, ERR), TRAWL_EINVAL, "lo: interface is down");
    set_lo_up(true);
    assert_int_equal(trawl_gen_set_rate(g, TRAWL_GEN_PPS, 1000, err,
                                        sizeof err), 0);
    assert_int_equal(trawl_gen_set_limits(g, 50, 0, err, sizeof err), 0);
    assert_int_equal(trawl_gen_set_tpld(g, true, 3, err, sizeof err), 0);
    if (trawl_gen_start(g, err, sizeof err) < 0)
        fail_msg("start: %s", err);
    char what[512];
    trawl_gen_describe(g, what, sizeof what);
    assert_non_null(strstr(what, "lo: "));
    assert_non_null(strstr(what, "192.0.2.1 port 49152 > 192.0.2.2 port 9"));
    assert_non_null(strstr(what, "(documentation addresses)"));
    assert_non_null(strstr(what, "test payload stream 3"));
    /* Parameters are frozen while it runs. */
    expect_err(trawl_gen_set_size(g, "100", ERR), TRAWL_EBUSY,
               "size: while the generator runs its parameters cannot be "
               "changed");
    expect_err(trawl_gen_start(g, ERR), TRAWL_EBUSY, "start: while");
    uint64_t t0 = core_now_ns();
    assert_int_equal(trawl_gen_pump(g, -1, err, sizeof err), TRAWL_ESTOPPED);
    double secs = (double)(core_now_ns() - t0) / 1e9;
    assert_true(secs > 0.04 && secs < 0.5);
    struct trawl_gen_counters c;
    trawl_gen_counters(g, &c);
    assert_false(c.running);
    assert_int_equal(c.sent, 50);
    assert_int_equal(c.errors, 0);
    /* IPv4 + UDP + the test payload: 60 bytes. */
    assert_int_equal(c.bytes, 50 * 60);
    /* Paced, not flat out (which would be hundreds of thousands a
     * second); the bound is loose because unit tests run in parallel on a
     * shared machine, and 50 frames feel every late wake-up. */
    assert_true(fabs(c.pps - 1000) < 200);
    assert_true(fabs(c.bps - 1000 * 480) < 480 * 200);
    assert_int_equal(trawl_gen_pump(g, 0, err, sizeof err), TRAWL_ESTOPPED);

    /* A new run starts from zero. */
    assert_int_equal(trawl_gen_set_limits(g, 7, 0, err, sizeof err), 0);
    assert_int_equal(trawl_gen_set_tx(g, TRAWL_GEN_TX_RING, err, sizeof err),
                     0);
    if (trawl_gen_start(g, err, sizeof err) < 0)
        fail_msg("start again: %s", err);
    assert_int_equal(trawl_gen_pump(g, 5000, err, sizeof err), TRAWL_ESTOPPED);
    trawl_gen_counters(g, &c);
    assert_int_equal(c.sent, 7);
    trawl_gen_close(g);
}

static void *stop_later(void *arg) {
    usleep(200000);
    trawl_gen_stop(arg);
    return NULL;
}

static void object_stops_from_another_thread(void **state) {
    (void)state;
    if (!private_netns())
        skip();
    set_lo_up(true);
    trawl_gen *g;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(trawl_gen_new(&g, err, sizeof err), 0);
    assert_int_equal(trawl_gen_set_iface(g, "lo", err, sizeof err), 0);
    /* One frame every ten seconds: the pump is asleep when the stop
     * comes, and must wake for it. */
    assert_int_equal(trawl_gen_set_rate(g, TRAWL_GEN_PPS, 0.1, err,
                                        sizeof err), 0);
    if (trawl_gen_start(g, err, sizeof err) < 0)
        fail_msg("start: %s", err);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, stop_later, g), 0);
    uint64_t t0 = core_now_ns();
    assert_int_equal(trawl_gen_pump(g, 5000, err, sizeof err), TRAWL_ESTOPPED);
    double secs = (double)(core_now_ns() - t0) / 1e9;
    pthread_join(th, NULL);
    assert_true(secs > 0.15 && secs < 1.0);
    struct trawl_gen_counters c;
    trawl_gen_counters(g, &c);
    assert_int_equal(c.sent, 1); /* the first frame leaves at once */
    trawl_gen_close(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(size_parse_table),
        cmocka_unit_test(frames_are_valid),
        cmocka_unit_test(imix_proportions),
        cmocka_unit_test(ranges_repeat),
        cmocka_unit_test(flows_round_robin),
        cmocka_unit_test(plan_refusals),
        cmocka_unit_test(static_plans),
        cmocka_unit_test(pace_keeps_rate),
        cmocka_unit_test(pace_bounds_bursts),
        cmocka_unit_test(object_refusals),
        cmocka_unit_test(object_runs),
        cmocka_unit_test(object_stops_from_another_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
