/* Unit tests of the RPC decoders and the flows: messages built here byte
 * by byte, fed alone or as TCP streams cut into segments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "expr/expr.h"
#include "field_join.h"
#include "trawl/expr.h"
#include "trawl/flows.h"

/* ---- building messages and packets --------------------------------------- */

struct buf {
    uint8_t p[70000];
    size_t n;
};

static void u32(struct buf *b, uint32_t v) {
    core_put_be32(b->p + b->n, v);
    b->n += 4;
}

static void opaque(struct buf *b, const void *p, uint32_t n) {
    u32(b, n);
    memcpy(b->p + b->n, p, n);
    b->n += n;
    while (b->n % 4)
        b->p[b->n++] = 0;
}

static const uint8_t FH[8] = {1, 2, 3, 4, 5, 6, 7, 8};

/* A call header with AUTH_UNIX (machine "t", uid 0, gid 0, no groups). */
static void call_hdr(struct buf *b, uint32_t xid, uint32_t prog,
                     uint32_t vers, uint32_t proc) {
    u32(b, xid);
    u32(b, 0);
    u32(b, 2);
    u32(b, prog);
    u32(b, vers);
    u32(b, proc);
    u32(b, 1);
    u32(b, 24);
    u32(b, 0x12345678);
    opaque(b, "t", 1);
    u32(b, 0);
    u32(b, 0);
    u32(b, 0);
    u32(b, 0);
    u32(b, 0);
}

static void reply_hdr(struct buf *b, uint32_t xid) {
    u32(b, xid);
    u32(b, 1);
    u32(b, 0);
    u32(b, 0);
    u32(b, 0);
    u32(b, 0);
}

/* NFS v3 GETATTR of FH. */
static void getattr3_call(struct buf *b, uint32_t xid) {
    call_hdr(b, xid, 100003, 3, 1);
    opaque(b, FH, sizeof FH);
}

static void getattr3_reply(struct buf *b, uint32_t xid, uint32_t status) {
    reply_hdr(b, xid);
    u32(b, status);
    if (status == 0)
        for (int i = 0; i < 21; i++) /* fattr3 */
            u32(b, i == 0 ? 1 : 0);
}

enum { CLIENT = 0, SERVER = 1 };

struct conn {
    uint32_t next[2];
    uint16_t cport;
    uint64_t index;
};

/* One Ethernet / IPv4 / TCP (or UDP) packet from `dir`, in `out`. */
static size_t packet(uint8_t *out, struct conn *c, int dir, bool udp,
                     uint32_t seq, uint8_t flags, const uint8_t *payload,
                     size_t n) {
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0};
    memcpy(out, eth, 14);
    uint8_t *ip = out + 14;
    size_t l4 = (udp ? 8 : 20) + n;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    core_put_be16(ip + 2, (uint16_t)(20 + l4));
    ip[8] = 64;
    ip[9] = udp ? 17 : 6;
    uint8_t a[4] = {10, 0, 0, 2}, s[4] = {10, 0, 0, 1};
    memcpy(ip + 12, dir == CLIENT ? a : s, 4);
    memcpy(ip + 16, dir == CLIENT ? s : a, 4);
    uint8_t *t = ip + 20;
    core_put_be16(t, dir == CLIENT ? c->cport : 2049);
    core_put_be16(t + 2, dir == CLIENT ? 2049 : c->cport);
    if (udp) {
        core_put_be16(t + 4, (uint16_t)l4);
        core_put_be16(t + 6, 0);
        if (n)
            memcpy(t + 8, payload, n);
    } else {
        memset(t + 4, 0, 16);
        core_put_be32(t + 4, seq);
        core_put_be32(t + 8, c->next[!dir]);
        t[12] = 0x50;
        t[13] = flags | 0x10;
        core_put_be16(t + 14, 65535);
        if (n)
            memcpy(t + 20, payload, n);
    }
    return 14 + 20 + l4;
}

struct fixture {
    trawl_flows *flows;
    trawl_view *v;
    uint8_t frame[70100];
    struct trawl_pkt pkt;
    struct field_join j;
};

static const char *field(struct fixture *x, const char *name) {
    const trawl_field *f = trawl_field_lookup(name);
    assert_non_null(f);
    return field_join(&x->j, x->v, f);
}

static size_t feed(struct fixture *x, struct conn *c, int dir, bool udp,
                   uint32_t seq, uint8_t flags, const uint8_t *payload,
                   size_t n) {
    size_t len = packet(x->frame, c, dir, udp, seq, flags, payload, n);
    memset(&x->pkt, 0, sizeof x->pkt);
    x->pkt.index = c->index++;
    x->pkt.ts_sec = 1700000000;
    x->pkt.ts_nsec = (uint32_t)x->pkt.index * 1000;
    x->pkt.data = x->frame;
    x->pkt.caplen = x->pkt.len = (uint32_t)len;
    x->pkt.linktype = 1;
    trawl_view_set(x->v, &x->pkt);
    return x->flows ? trawl_flows_feed(x->flows, x->v) : 0;
}

/* Sends bytes of one direction of a TCP connection in order. */
/* The handshake (to port 2049), so that both directions start known. */
static void handshake(struct fixture *x, struct conn *c) {
    c->next[0] = 1000;
    c->next[1] = 9000;
    feed(x, c, CLIENT, false, c->next[0] - 1, 0x02, NULL, 0);
    feed(x, c, SERVER, false, c->next[1] - 1, 0x02, NULL, 0);
}

static size_t send_tcp(struct fixture *x, struct conn *c, int dir,
                       const uint8_t *p, size_t n) {
    size_t got = feed(x, c, dir, false, c->next[dir], 0x08, p, n);
    c->next[dir] += (uint32_t)n;
    return got;
}

/* A record: its mark, then the message. */
static void record(struct buf *out, const struct buf *msg) {
    u32(out, 0x80000000u | (uint32_t)msg->n);
    memcpy(out->p + out->n, msg->p, msg->n);
    out->n += msg->n;
}

static int setup(void **state) {
    struct fixture *x = calloc(1, sizeof *x);
    assert_non_null(x);
    assert_int_equal(trawl_flows_new(&x->flows, NULL, NULL, 0), 0);
    x->v = trawl_view_new();
    assert_non_null(x->v);
    *state = x;
    return 0;
}

static int teardown(void **state) {
    struct fixture *x = *state;
    trawl_flows_free(x->flows);
    trawl_view_free(x->v);
    free(x);
    return 0;
}

/* ---- tests ---------------------------------------------------------- */

static void test_udp_call_alone(void **state) {
    struct fixture *x = *state;
    trawl_flows *keep = x->flows;
    x->flows = NULL; /* a view nobody feeds */
    struct conn c = {.cport = 800};
    struct buf m = {0};
    getattr3_call(&m, 0x11);
    feed(x, &c, CLIENT, true, 0, 0, m.p, m.n);
    assert_string_equal(field(x, "rpc.xid"), "0x00000011");
    assert_string_equal(field(x, "rpc.msgtyp"), "0");
    assert_string_equal(field(x, "rpc.program"), "100003");
    assert_string_equal(field(x, "RPC.version"), "3,3"); /* pktt: the program's */
    assert_string_equal(field(x, "rpc.version"), "2");   /* Wireshark: RPC's */
    assert_string_equal(field(x, "rpc.auth.machinename"), "t");
    assert_string_equal(field(x, "nfs.procedure_v3"), "1");
    assert_string_equal(field(x, "nfs.fh.length"), "8");
    /* CRC-32 of 01..08, as tshark hashes file handles. */
    assert_string_equal(field(x, "nfs.fh.hash"), "0x3fca88c5");
    assert_string_equal(field(x, "frame.protocols"),
                        "eth:ethertype:ip:udp:rpc:nfs");
    /* A reply alone says nothing of its call: it is data. */
    struct buf r = {0};
    getattr3_reply(&r, 0x11, 0);
    feed(x, &c, SERVER, true, 0, 0, r.p, r.n);
    assert_string_equal(field(x, "rpc.xid"), "");
    assert_string_equal(field(x, "frame.protocols"),
                        "eth:ethertype:ip:udp:data");
    x->flows = keep;
}

static void test_udp_reply_paired(void **state) {
    struct fixture *x = *state;
    struct conn c = {.cport = 801};
    struct buf m = {0}, r = {0};
    getattr3_call(&m, 0x22);
    assert_int_equal(feed(x, &c, CLIENT, true, 0, 0, m.p, m.n), 1);
    getattr3_reply(&r, 0x22, 2);
    assert_int_equal(feed(x, &c, SERVER, true, 0, 0, r.p, r.n), 1);
    assert_string_equal(field(x, "rpc.msgtyp"), "1");
    assert_string_equal(field(x, "rpc.procedure"), "1");
    assert_string_equal(field(x, "rpc.repframe"), "1");
    assert_string_equal(field(x, "rpc.time"), "0.000001000");
    assert_string_equal(field(x, "nfs.status3"), "2");
    assert_string_equal(field(x, "NFS.status"), "2");
    struct trawl_flows_stats st;
    trawl_flows_stats(x->flows, &st);
    assert_int_equal(st.paired, 1);
    assert_int_equal(st.calls, 1);
}

/* A second pass: flows that remember replies show, on a call fed again
 * after a reset, the frame of the reply seen the first time (rpc.reqframe);
 * a copy leaves that memory alone, and flows without max_replies show
 * nothing. */
static void test_second_pass_reqframe(void **state) {
    struct fixture *x = *state;
    trawl_flows *plain = x->flows;
    struct trawl_flows_options o = {.max_replies = 4};
    assert_int_equal(trawl_flows_new(&x->flows, &o, NULL, 0), 0);
    struct buf m = {0}, r = {0}, m2 = {0};
    getattr3_call(&m, 0x31);
    getattr3_reply(&r, 0x31, 0);
    getattr3_call(&m2, 0x32); /* never answered */
    for (int pass = 0; pass < 2; pass++) {
        struct conn c = {.cport = 805};
        feed(x, &c, CLIENT, true, 0, 0, m.p, m.n);
        assert_string_equal(field(x, "rpc.reqframe"), pass ? "3" : "");
        feed(x, &c, CLIENT, true, 0, 0, m2.p, m2.n);
        assert_string_equal(field(x, "rpc.reqframe"), "");
        feed(x, &c, SERVER, true, 0, 0, r.p, r.n);
        assert_string_equal(field(x, "rpc.repframe"), "1");
        assert_string_equal(field(x, "rpc.reqframe"), "");
        assert_string_equal(field(x, "rpc.procedure"), "1");
        trawl_flows_reset(x->flows);
    }
    trawl_flows *ck;
    assert_int_equal(trawl_flows_new(&ck, NULL, NULL, 0), 0);
    assert_int_equal(trawl_flows_copy(x->flows, ck, NULL, 0), 0);
    struct conn c = {.cport = 805};
    feed(x, &c, CLIENT, true, 0, 0, m.p, m.n);
    assert_string_equal(field(x, "rpc.reqframe"), "3");
    trawl_flows_free(ck);
    trawl_flows_free(x->flows);
    /* The fixture's flows remember nothing: the same packets twice. */
    x->flows = plain;
    for (int pass = 0; pass < 2; pass++) {
        struct conn c2 = {.cport = 806};
        feed(x, &c2, CLIENT, true, 0, 0, m.p, m.n);
        feed(x, &c2, SERVER, true, 0, 0, r.p, r.n);
        trawl_flows_reset(x->flows);
    }
    struct conn c3 = {.cport = 806};
    feed(x, &c3, CLIENT, true, 0, 0, m.p, m.n);
    assert_string_equal(field(x, "rpc.reqframe"), "");
    struct trawl_flows_options bad = {.max_replies = (size_t)1 << 30};
    trawl_flows *none = NULL;
    assert_int_equal(trawl_flows_new(&none, &bad, NULL, 0), TRAWL_EINVAL);
    assert_null(none);
}

/* SEQUENCE, PUTFH, GETATTR(type, fs_layout_types). */
static void compound_call(struct buf *b, uint32_t xid) {
    static const uint8_t sid[16] = {9};
    call_hdr(b, xid, 100003, 4, 1);
    opaque(b, "", 0);
    u32(b, 1);
    u32(b, 3);
    u32(b, 53);
    memcpy(b->p + b->n, sid, 16);
    b->n += 16;
    u32(b, 7);
    u32(b, 0);
    u32(b, 0);
    u32(b, 0);
    u32(b, 22);
    opaque(b, FH, sizeof FH);
    u32(b, 9);
    u32(b, 2);
    u32(b, 1u << 1);
    u32(b, 1u << 30); /* attribute 62 */
}

static void test_compound_flattened(void **state) {
    struct fixture *x = *state;
    struct conn c = {.cport = 802};
    handshake(x, &c);
    struct buf m = {0}, rec = {0};
    compound_call(&m, 0x33);
    record(&rec, &m);
    assert_int_equal(send_tcp(x, &c, CLIENT, rec.p, rec.n), 1);
    assert_string_equal(field(x, "nfs.opcode"), "53,22,9");
    assert_string_equal(field(x, "NFS.argop"), "53,22,9");
    assert_string_equal(field(x, "nfs.resop"), "");
    assert_string_equal(field(x, "nfs.main_opcode"), "9");
    assert_string_equal(field(x, "NFS.sequenceid"), "7");
    assert_string_equal(field(x, "nfs.seqid"), "0x00000007");
    assert_string_equal(field(x, "nfs.attr"), "1,62");
    assert_string_equal(field(x, "NFS.attr_request"), "0x4000000000000002");
    assert_string_equal(field(x, "nfs.minorversion"), "1");
    /* The reply: SEQUENCE ok, PUTFH fails (NFS4ERR_STALE, 70). */
    struct buf r = {0}, rr = {0};
    reply_hdr(&r, 0x33);
    u32(&r, 70);
    opaque(&r, "", 0);
    u32(&r, 2);
    u32(&r, 53);
    u32(&r, 0);
    static const uint8_t sid[16] = {9};
    memcpy(r.p + r.n, sid, 16);
    r.n += 16;
    for (int i = 0; i < 5; i++)
        u32(&r, 7);
    u32(&r, 22);
    u32(&r, 70);
    record(&rr, &r);
    assert_int_equal(send_tcp(x, &c, SERVER, rr.p, rr.n), 1);
    assert_string_equal(field(x, "nfs.nfsstat4"), "70,0,70");
    assert_string_equal(field(x, "NFS.resop"), "53,22");
    assert_string_equal(field(x, "NFS.opputfh.status"), "70");
    assert_string_equal(field(x, "nfs.opsequence.status"), "0");
    assert_string_equal(field(x, "nfs.opgetattr.status"), "");
    assert_string_equal(field(x, "rpc.program"), "100003");
}

static void test_record_over_segments(void **state) {
    struct fixture *x = *state;
    struct conn c = {.cport = 803};
    handshake(x, &c);
    struct buf m = {0}, rec = {0};
    getattr3_call(&m, 0x44);
    record(&rec, &m);
    size_t a = 10, b = 30;
    assert_int_equal(send_tcp(x, &c, CLIENT, rec.p, a), 0);
    assert_string_equal(field(x, "frame.protocols"), "eth:ethertype:ip:tcp");
    assert_string_equal(field(x, "data.len"), "");
    assert_int_equal(send_tcp(x, &c, CLIENT, rec.p + a, b - a), 0);
    assert_int_equal(send_tcp(x, &c, CLIENT, rec.p + b, rec.n - b), 1);
    assert_string_equal(field(x, "rpc.xid"), "0x00000044");
    assert_string_equal(field(x, "rpc.fraglen"), "76");
    assert_string_equal(field(x, "nfs.fh.hash"), "0x3fca88c5");
    struct trawl_layer_info li;
    size_t n = trawl_view_layer_count(x->v);
    assert_true(trawl_view_layer(x->v, n - 1, &li));
    assert_string_equal(li.name, "nfs");
    assert_true(li.reassembled);
    struct trawl_flows_stats st;
    trawl_flows_stats(x->flows, &st);
    assert_int_equal(st.reassembled, 1);
}

static void test_out_of_order_and_retransmission(void **state) {
    struct fixture *x = *state;
    struct conn c = {.cport = 804};
    handshake(x, &c);
    struct buf m = {0}, rec = {0};
    getattr3_call(&m, 0x55);
    record(&rec, &m);
    uint32_t base = c.next[CLIENT];
    /* Second half first, then a retransmission of it, then the first. */
    assert_int_equal(feed(x, &c, CLIENT, false, base + 20, 0, rec.p + 20,
                          rec.n - 20), 0);
    assert_int_equal(feed(x, &c, CLIENT, false, base + 20, 0, rec.p + 20,
                          rec.n - 20), 0);
    assert_int_equal(feed(x, &c, CLIENT, false, base, 0, rec.p, 20), 1);
    assert_string_equal(field(x, "rpc.xid"), "0x00000055");
    /* All of it again: taken for a retransmission, shown nowhere. */
    assert_int_equal(feed(x, &c, CLIENT, false, base, 0, rec.p, rec.n), 0);
    assert_string_equal(field(x, "rpc.xid"), "");
    struct trawl_flows_stats st;
    trawl_flows_stats(x->flows, &st);
    assert_true(st.out_of_order >= 1);
    assert_true(st.retransmitted >= rec.n);
    assert_int_equal(st.gaps, 0);
}

static void test_gap_inside_record(void **state) {
    struct fixture *x = *state;
    struct conn c = {.cport = 805};
    handshake(x, &c);
    struct buf m1 = {0}, m2 = {0}, rec = {0};
    getattr3_call(&m1, 0x61);
    getattr3_call(&m2, 0x62);
    record(&rec, &m1);
    size_t first = rec.n;
    record(&rec, &m2);
    uint32_t base = c.next[CLIENT];
    /* Bytes 10..30 of the first record never reach the capture; the
     * server acknowledges everything. */
    feed(x, &c, CLIENT, false, base, 0, rec.p, 10);
    feed(x, &c, CLIENT, false, base + 30, 0, rec.p + 30, first - 30);
    c.next[CLIENT] = base + (uint32_t)first;
    feed(x, &c, SERVER, false, c.next[SERVER], 0, NULL, 0);
    assert_string_equal(field(x, "rpc.gap"), "1");
    /* The second record starts where the first said it ends. */
    assert_int_equal(send_tcp(x, &c, CLIENT, rec.p + first, rec.n - first), 1);
    assert_string_equal(field(x, "rpc.xid"), "0x00000062");
    assert_string_equal(field(x, "rpc.gap"), "");
}

static void test_record_too_long(void **state) {
    struct fixture *x = *state;
    trawl_flows *small;
    struct trawl_flows_options o = {.max_record = 128};
    assert_int_equal(trawl_flows_new(&small, &o, NULL, 0), 0);
    trawl_flows *keep = x->flows;
    x->flows = small;
    struct conn c = {.cport = 806};
    handshake(x, &c);
    struct buf big = {0}, m = {0}, rec = {0};
    call_hdr(&big, 0x71, 100003, 3, 7);
    for (int i = 0; i < 64; i++)
        u32(&big, 0);
    getattr3_call(&m, 0x72);
    record(&rec, &big);
    size_t first = rec.n;
    record(&rec, &m);
    assert_int_equal(send_tcp(x, &c, CLIENT, rec.p, 40), 0);
    assert_string_equal(field(x, "rpc.record_too_long"), "1");
    send_tcp(x, &c, CLIENT, rec.p + 40, first - 40);
    assert_int_equal(send_tcp(x, &c, CLIENT, rec.p + first, rec.n - first), 1);
    assert_string_equal(field(x, "rpc.xid"), "0x00000072");
    struct trawl_flows_stats st;
    trawl_flows_stats(small, &st);
    assert_int_equal(st.too_long, 1);
    x->flows = keep;
    trawl_flows_free(small);
}

static void test_limits_evict(void **state) {
    struct fixture *x = *state;
    trawl_flows *small;
    struct trawl_flows_options o = {.max_connections = 2, .max_calls = 4};
    assert_int_equal(trawl_flows_new(&small, &o, NULL, 0), 0);
    trawl_flows *keep = x->flows;
    x->flows = small;
    struct conn c[3] = {{.cport = 810}, {.cport = 811}, {.cport = 812}};
    for (uint32_t i = 0; i < 6; i++) {
        struct buf m = {0};
        getattr3_call(&m, 0x100 + i);
        feed(x, &c[i % 3], CLIENT, true, 0, 0, m.p, m.n);
    }
    struct trawl_flows_stats st;
    trawl_flows_stats(small, &st);
    assert_int_equal(st.connections, 2);
    assert_true(st.calls <= 4);
    /* The newest call is paired; the oldest, forgotten with its
     * connection, is not, and its reply is not taken for RPC. */
    struct buf r = {0}, old = {0};
    getattr3_reply(&r, 0x105, 0);
    feed(x, &c[2], SERVER, true, 0, 0, r.p, r.n);
    assert_string_equal(field(x, "rpc.procedure"), "1");
    getattr3_reply(&old, 0x100, 0);
    feed(x, &c[0], SERVER, true, 0, 0, old.p, old.n);
    assert_string_equal(field(x, "rpc.xid"), "");
    x->flows = keep;
    trawl_flows_free(small);
}

static void test_copy_and_reset(void **state) {
    struct fixture *x = *state;
    struct conn c = {.cport = 820};
    handshake(x, &c);
    struct buf m = {0}, rec = {0};
    getattr3_call(&m, 0x81);
    record(&rec, &m);
    send_tcp(x, &c, CLIENT, rec.p, 25);
    trawl_flows *copy;
    assert_int_equal(trawl_flows_new(&copy, NULL, NULL, 0), 0);
    assert_int_equal(trawl_flows_copy(copy, x->flows, NULL, 0), 0);
    struct conn c2 = c;
    trawl_flows *keep = x->flows;
    x->flows = copy;
    assert_int_equal(send_tcp(x, &c2, CLIENT, rec.p + 25, rec.n - 25), 1);
    assert_string_equal(field(x, "rpc.xid"), "0x00000081");
    x->flows = keep;
    assert_int_equal(send_tcp(x, &c, CLIENT, rec.p + 25, rec.n - 25), 1);
    assert_string_equal(field(x, "rpc.xid"), "0x00000081");
    trawl_flows_reset(x->flows);
    struct trawl_flows_stats st;
    trawl_flows_stats(x->flows, &st);
    assert_int_equal(st.connections, 0);
    assert_int_equal(st.calls, 0);
    assert_int_equal(st.bytes_held, 0);
    trawl_flows_free(copy);
}

static void test_malformed_is_data(void **state) {
    struct fixture *x = *state;
    struct conn c = {.cport = 830};
    /* A COMPOUND of 2^32 - 1 operations. */
    struct buf m = {0};
    call_hdr(&m, 0x91, 100003, 4, 1);
    opaque(&m, "", 0);
    u32(&m, 0);
    u32(&m, 0xffffffffu);
    u32(&m, 24);
    feed(x, &c, CLIENT, true, 0, 0, m.p, m.n);
    assert_string_equal(field(x, "nfs.too_many"), "1");
    assert_string_equal(field(x, "nfs.opcode"), "24");
    /* A file handle longer than the message. */
    struct buf f = {0};
    call_hdr(&f, 0x92, 100003, 3, 1);
    u32(&f, 60);
    u32(&f, 1);
    feed(x, &c, CLIENT, true, 0, 0, f.p, f.n);
    assert_string_equal(field(x, "nfs.malformed"), "1");
    assert_string_equal(field(x, "nfs.fh.length"), "");
    /* Credentials of 500 bytes (RFC 5531 allows 400). */
    struct buf a = {0};
    u32(&a, 0x93);
    u32(&a, 0);
    u32(&a, 2);
    u32(&a, 100003);
    u32(&a, 3);
    u32(&a, 0);
    u32(&a, 1);
    u32(&a, 500);
    for (int i = 0; i < 125; i++)
        u32(&a, 0);
    feed(x, &c, CLIENT, true, 0, 0, a.p, a.n);
    assert_string_equal(field(x, "rpc.auth_too_long"), "1");
    assert_string_equal(field(x, "rpc.truncated"), "1");
}

/* Which expressions are false on every packet of Ethernet, IPv4 and TCP
 * layers only (what the trace leaves undecoded). */
static void test_expr_false_on_layers(void **state) {
    (void)state;
    const uint64_t tcp = (uint64_t)1 << PROTO_FRAME | (uint64_t)1 << PROTO_ETH |
                         (uint64_t)1 << PROTO_IP | (uint64_t)1 << PROTO_TCP;
    static const struct {
        const char *text;
        bool never;
    } cases[] = {
        {"nfs", true},
        {"rpc.xid == 5", true},
        {"rpc.xid != 5", true}, /* wants an occurrence too */
        {"nfs.opcode == 18 or nfs.procedure_v3 == 6", true},
        {"NFS.argop == 25", true},
        {"nfs.fh.hash", true}, /* an item field of MOUNT and NLM layers too */
        {"nfs and tcp.port == 2049", true},
        {"tcp.port == 2049 and nfs", true},
        {"not not nfs", true},
        {"nfs or tcp", false},
        {"nfs or tcp.port == 2049", false},
        {"not nfs", false},
        {"not (nfs and tcp)", false},
        {"tcp", false},
        {"ip.src == 10.0.0.1", false},
        {"frame.len > 100 and frame.len < 50", false}, /* frame: unknown */
        {"rpc.gap", false},                            /* a frame field */
        {"rpc or frame.number == 0", false},
        {"udp or nfs", true},
        {"regexp == 'x' and rpc", true},
        {"regexp == 'x'", false},
        {"tcp port 2049", false}, /* pcap-filter: not looked into */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        trawl_expr *e;
        char err[256];
        assert_int_equal(trawl_expr_compile(&e, cases[i].text, NULL, err,
                                            sizeof err), 0);
        if (expr_false_on_layers(e, tcp) != cases[i].never)
            fail_msg("'%s': expected %s", cases[i].text,
                     cases[i].never ? "false on TCP-only packets" : "unknown");
        trawl_expr_free(e);
    }
}

static void test_expr_introspection(void **state) {
    (void)state;
    trawl_expr *e;
    assert_int_equal(trawl_expr_compile(&e, "NFS.argop == 25 and tcp.port == 2049",
                                        NULL, NULL, 0), 0);
    assert_true(trawl_expr_uses_proto(e, "nfs"));
    assert_false(trawl_expr_uses_proto(e, "rpc"));
    const trawl_field *fs[4];
    assert_int_equal(trawl_expr_fields(e, fs, 4), 2);
    assert_true(trawl_flows_field_matters(fs[0]) || trawl_flows_field_matters(fs[1]));
    trawl_expr_free(e);
    assert_int_equal(trawl_expr_compile(&e, "ip.src == 10.0.0.1", NULL, NULL, 0), 0);
    assert_false(trawl_expr_uses_proto(e, "nfs"));
    assert_int_equal(trawl_expr_fields(e, fs, 4), 1);
    assert_false(trawl_flows_field_matters(fs[0]));
    trawl_expr_free(e);
    assert_true(trawl_flows_field_matters(trawl_field_lookup("rpc.gap")));
    assert_true(trawl_flows_field_matters(trawl_field_lookup("data.len")));
    /* pktt's spelling wins when written exactly; otherwise Wireshark's. */
    assert_string_equal(trawl_field_name(trawl_field_lookup("RPC.version")),
                        "rpc.programversion");
    assert_string_equal(trawl_field_name(trawl_field_lookup("Rpc.Version")),
                        "rpc.version");
    assert_string_equal(trawl_field_name(trawl_field_lookup("NFS.stateid")),
                        "nfs.stateid.other");
    assert_string_equal(trawl_field_name(trawl_field_lookup("nfs.stateid")),
                        "nfs.stateid");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_udp_call_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_reply_paired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_pass_reqframe, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_compound_flattened, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_record_over_segments, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_and_retransmission,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_inside_record, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_record_too_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_evict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_is_data, setup,
                                        teardown),
        cmocka_unit_test(test_expr_false_on_layers),
        cmocka_unit_test(test_expr_introspection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
