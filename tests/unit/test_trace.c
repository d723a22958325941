/* Unit tests of the trace API (pktt's Pktt): next, get, the index,
 * rewind and its refusal, count, match with max_index and rewind_on_fail,
 * reply matching, contains, packet lists, cancelling through the progress
 * callback, and the flows restored from a checkpoint after a rewind.
 *
 * The trace is written here: N packets over UDP, where packet i with
 * i % 10 == 3 is an NFS v3 GETATTR call (xid XID0 + i) and packet i + 7
 * its reply; the others are datagrams to port 9 of 4 to 16 bytes, but for
 * packet SPECIAL, which carries 100. N passes the first checkpoint of the
 * flows (every 65536 packets), and the call before it is answered after
 * it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "trawl/trawl.h"

enum {
    N = 70000,
    XID0 = 0x1000,
    SPECIAL = 77,
    SPECIAL_LEN = 14 + 20 + 8 + 100,
    REPLY_AFTER = 7,
    NREPLIES = (N - 1 - 3 - REPLY_AFTER) / 10 + 1, /* replies in the trace */
};

static char dir[] = "/tmp/trawl-test-trace-XXXXXX";
static char path[256];

static bool is_call(uint64_t i) { return i % 10 == 3; }
static bool is_reply(uint64_t i) { return i >= 10 && i % 10 == 0; }

/* The UDP payload of packet i into p; its length. */
static size_t payload(uint64_t i, uint8_t *p) {
    uint32_t w[32];
    size_t n = 0;
    if (is_call(i)) {
        /* xid, CALL, RPC v2, NFS v3 GETATTR, AUTH_NULL credentials and
         * verifier, then an 8-byte file handle. */
        const uint32_t call[] = {XID0 + (uint32_t)i, 0, 2, 100003, 3, 1, 0, 0,
                                 0, 0, 8, 0x01020304, 0x05060708};
        memcpy(w, call, sizeof call);
        n = sizeof call / 4;
    } else if (is_reply(i)) {
        /* xid, REPLY, accepted, AUTH_NULL verifier, SUCCESS, NFS3_OK,
         * then a fattr3 of a regular file. */
        const uint32_t reply[] = {XID0 + (uint32_t)(i - REPLY_AFTER), 1, 0, 0,
                                  0, 0, 0, 1};
        memcpy(w, reply, sizeof reply);
        n = sizeof reply / 4;
        while (n < 8 + 20)
            w[n++] = 0;
    } else {
        size_t len = i == SPECIAL ? 100 : (i % 4) * 4 + 4;
        memset(p, (int)(i & 0xff), len);
        return len;
    }
    for (size_t k = 0; k < n; k++)
        core_put_be32(p + 4 * k, w[k]);
    return 4 * n;
}

/* Ethernet, IPv4 and UDP around packet i's payload; the frame's length. */
static size_t frame(uint64_t i, uint8_t *out) {
    static const uint8_t eth[14] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0};
    size_t n = payload(i, out + 42);
    bool server = is_reply(i);
    uint16_t cport = is_call(i) || server ? 800 : 700;
    uint16_t sport = is_call(i) || server ? 2049 : 9;
    memcpy(out, eth, sizeof eth);
    uint8_t *ip = out + 14, *udp = out + 34;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    core_put_be16(ip + 2, (uint16_t)(28 + n));
    ip[8] = 64;
    ip[9] = 17;
    const uint8_t client[4] = {10, 0, 0, 2}, srv[4] = {10, 0, 0, 1};
    memcpy(ip + 12, server ? srv : client, 4);
    memcpy(ip + 16, server ? client : srv, 4);
    core_put_be16(udp, server ? sport : cport);
    core_put_be16(udp + 2, server ? cport : sport);
    core_put_be16(udp + 4, (uint16_t)(8 + n));
    core_put_be16(udp + 6, 0);
    return 42 + n;
}

static size_t frame_len(uint64_t i) {
    uint8_t buf[256];
    return frame(i, buf);
}

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/t.pcap", dir);
    char err[TRAWL_ERRBUF_SIZE];
    trawl_writer *w;
    if (trawl_writer_open(&w, path, NULL, err, sizeof err) < 0)
        return -1;
    struct trawl_iface ifc = {.linktype = 1, .fcslen = -1, .name = "t"};
    uint32_t id;
    if (trawl_writer_add_iface(w, &ifc, &id, err, sizeof err) < 0)
        return -1;
    for (uint64_t i = 0; i < N; i++) {
        uint8_t buf[256];
        size_t n = frame(i, buf);
        struct trawl_pkt p = {.ts_sec = 1700000000 + (int64_t)(i / 1000),
                              .ts_nsec = (uint32_t)(i % 1000) * 1000,
                              .caplen = (uint32_t)n, .len = (uint32_t)n,
                              .data = buf, .iface = id};
        if (trawl_writer_write(w, &p, err, sizeof err) < 0)
            return -1;
    }
    return trawl_writer_close(w, err, sizeof err) < 0 ? -1 : 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static trawl_trace *open_trace(const struct trawl_trace_options *opt) {
    const char *p = path;
    trawl_trace *t;
    char err[TRAWL_ERRBUF_SIZE];
    int rc = trawl_trace_open(&t, &p, 1, opt, err, sizeof err);
    if (rc < 0)
        fail_msg("opening %s: %s", path, err);
    return t;
}

static trawl_expr *compile(const char *text) {
    trawl_expr *e;
    char err[TRAWL_ERRBUF_SIZE];
    if (trawl_expr_compile(&e, text, NULL, err, sizeof err) < 0)
        fail_msg("compiling '%s': %s", text, err);
    return e;
}

/* The index of the next match (with options o), or -1 when none. */
static int64_t next_match(trawl_trace *t, trawl_expr *e,
                          const struct trawl_trace_match_options *o) {
    const struct trawl_trace_pkt *p;
    char err[TRAWL_ERRBUF_SIZE];
    int rc = trawl_trace_match(t, e, o, &p, err, sizeof err);
    if (rc < 0)
        fail_msg("matching '%s': %s", trawl_expr_text(e), err);
    if (rc == 0) {
        assert_null(p);
        return -1;
    }
    assert_int_equal(trawl_view_pkt(p->view)->index, p->index);
    return (int64_t)p->index;
}

static void test_open_missing(void **state) {
    (void)state;
    const char *p = "/nonexistent/trace.pcap";
    trawl_trace *t = (trawl_trace *)1;
    char err[TRAWL_ERRBUF_SIZE];
    assert_int_equal(trawl_trace_open(&t, &p, 1, NULL, err, sizeof err),
                     TRAWL_ENOENT);
    assert_null(t);
    assert_non_null(strstr(err, "/nonexistent/trace.pcap: cannot open"));
}

static void test_next_get_rewind(void **state) {
    (void)state;
    trawl_trace *t = open_trace(NULL);
    char err[TRAWL_ERRBUF_SIZE];
    const struct trawl_trace_pkt *p;
    assert_int_equal(trawl_trace_index(t), 0);
    /* Nothing read yet: only 0 is a place to rewind to. */
    assert_int_equal(trawl_trace_rewind(t, 1, err, sizeof err), TRAWL_ERANGE);
    assert_string_equal(err, "cannot rewind to packet 1: no packet has been "
                             "read yet");
    assert_int_equal(trawl_trace_rewind(t, 0, err, sizeof err), 0);
    for (uint64_t i = 0; i < 3; i++) {
        assert_int_equal(trawl_trace_next(t, &p, err, sizeof err), 1);
        assert_int_equal(p->index, i);
        assert_int_equal(p->pkt.caplen, frame_len(i));
        assert_int_equal(trawl_trace_index(t), i + 1);
    }
    assert_int_equal(trawl_trace_get(t, SPECIAL, &p, err, sizeof err), 1);
    assert_int_equal(p->index, SPECIAL);
    assert_int_equal(p->pkt.caplen, SPECIAL_LEN);
    assert_int_equal(p->pkt.ts_sec, 1700000000);
    assert_int_equal(p->pkt.ts_nsec, SPECIAL * 1000u);
    assert_int_equal(trawl_trace_index(t), SPECIAL + 1);
    /* The packet after the last one read is a place to rewind to; the one
     * after it is not. */
    assert_int_equal(trawl_trace_rewind(t, SPECIAL + 2, err, sizeof err),
                     TRAWL_ERANGE);
    assert_string_equal(err, "cannot rewind to packet 79: the last packet "
                             "read is 77");
    assert_int_equal(trawl_trace_index(t), SPECIAL + 1);
    assert_int_equal(trawl_trace_rewind(t, SPECIAL + 1, err, sizeof err), 0);
    assert_int_equal(trawl_trace_next(t, &p, err, sizeof err), 1);
    assert_int_equal(p->index, SPECIAL + 1);
    /* Back, and the same bytes again. */
    assert_int_equal(trawl_trace_rewind(t, 2, err, sizeof err), 0);
    assert_int_equal(trawl_trace_index(t), 2);
    assert_int_equal(trawl_trace_next(t, &p, err, sizeof err), 1);
    assert_int_equal(p->index, 2);
    uint8_t want[256];
    assert_int_equal(p->pkt.caplen, frame(2, want));
    assert_memory_equal(p->pkt.data, want, p->pkt.caplen);
    /* The last packet, then nothing past it. */
    assert_int_equal(trawl_trace_get(t, N - 1, &p, err, sizeof err), 1);
    assert_int_equal(p->index, N - 1);
    assert_int_equal(trawl_trace_next(t, &p, err, sizeof err), 0);
    assert_null(p);
    assert_int_equal(trawl_trace_get(t, N + 5, &p, err, sizeof err), 0);
    assert_null(p);
    trawl_trace_close(t);
}

static void test_count(void **state) {
    (void)state;
    trawl_trace *t = open_trace(NULL);
    char err[TRAWL_ERRBUF_SIZE];
    const struct trawl_trace_pkt *p;
    assert_int_equal(trawl_trace_get(t, 4, &p, err, sizeof err), 1);
    uint64_t n = 0;
    assert_int_equal(trawl_trace_count(t, &n, err, sizeof err), 0);
    assert_int_equal(n, N);
    /* The position stays; every packet now counts as read. */
    assert_int_equal(trawl_trace_index(t), 5);
    assert_int_equal(trawl_trace_next(t, &p, err, sizeof err), 1);
    assert_int_equal(p->index, 5);
    assert_int_equal(p->pkt.caplen, frame_len(5));
    assert_int_equal(trawl_trace_rewind(t, N, err, sizeof err), 0);
    assert_int_equal(trawl_trace_rewind(t, N + 1, err, sizeof err),
                     TRAWL_ERANGE);
    assert_string_equal(err, "cannot rewind to packet 70001: the last packet "
                             "read is 69999");
    /* Counting again reads nothing new. */
    assert_int_equal(trawl_trace_count(t, &n, err, sizeof err), 0);
    assert_int_equal(n, N);
    trawl_trace_close(t);
}

static void test_match_limits(void **state) {
    (void)state;
    trawl_trace *t = open_trace(NULL);
    trawl_expr *calls = compile("rpc.msgtyp == 0");
    assert_int_equal(next_match(t, calls, NULL), 3);
    assert_int_equal(trawl_trace_index(t), 4);
    assert_int_equal(next_match(t, calls, NULL), 13);
    /* Nothing before index 20: back to where the search started... */
    struct trawl_trace_match_options o = {.max_index = 20,
                                          .rewind_on_fail = true};
    assert_int_equal(next_match(t, calls, &o), -1);
    assert_int_equal(trawl_trace_index(t), 14);
    /* ... or left where it stopped. */
    o.rewind_on_fail = false;
    assert_int_equal(next_match(t, calls, &o), -1);
    assert_int_equal(trawl_trace_index(t), 20);
    /* max_index is the first index not searched. */
    o.max_index = 23;
    assert_int_equal(next_match(t, calls, &o), -1);
    assert_int_equal(trawl_trace_index(t), 23);
    o.max_index = 24;
    assert_int_equal(next_match(t, calls, &o), 23);
    assert_int_equal(trawl_trace_index(t), 24);
    /* At the end of the trace, with and without rewinding. */
    trawl_expr *none = compile("frame.len == 1");
    o = (struct trawl_trace_match_options){.max_index = UINT64_MAX,
                                           .rewind_on_fail = true};
    assert_int_equal(next_match(t, none, &o), -1);
    assert_int_equal(trawl_trace_index(t), 24);
    o.rewind_on_fail = false;
    assert_int_equal(next_match(t, none, &o), -1);
    assert_int_equal(trawl_trace_index(t), N);
    trawl_expr_free(none);
    trawl_expr_free(calls);
    trawl_trace_close(t);
}

static void test_match_reply(void **state) {
    (void)state;
    trawl_trace *t = open_trace(NULL);
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *one = compile("rpc.msgtyp == 0 && rpc.xid == 0x100d");
    struct trawl_trace_match_options o = {.max_index = 100,
                                          .rewind_on_fail = true};
    assert_int_equal(next_match(t, one, &o), 13);
    assert_int_equal(next_match(t, one, &o), -1);
    /* With reply, the call's reply comes too (it does not match). */
    assert_int_equal(trawl_trace_rewind(t, 0, err, sizeof err), 0);
    o.reply = true;
    assert_int_equal(next_match(t, one, &o), 13);
    assert_int_equal(next_match(t, one, &o), 13 + REPLY_AFTER);
    assert_int_equal(next_match(t, one, &o), -1);
    /* The flows pair a reply with its call: it knows the procedure. */
    trawl_expr *paired = compile("rpc.msgtyp == 1 && nfs.procedure_v3 == 1 "
                                 "&& rpc.repframe == 4");
    assert_int_equal(trawl_trace_rewind(t, 0, err, sizeof err), 0);
    assert_int_equal(next_match(t, paired, NULL), 10);
    assert_int_equal(next_match(t, paired, NULL), -1);
    trawl_expr_free(paired);
    trawl_expr_free(one);
    trawl_trace_close(t);
}

/* Replies are paired after any rewind, also from the checkpoint the flows
 * took at 65536, between the call at 65533 and its reply; without flows
 * none is. */
static void test_flows_after_rewind(void **state) {
    (void)state;
    trawl_trace *t = open_trace(NULL);
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *paired = compile("rpc.msgtyp == 1 && nfs.procedure_v3 == 1");
    struct trawl_trace_match_options o = {.max_index = UINT64_MAX};
    int64_t i, last = -1, n = 0;
    while ((i = next_match(t, paired, &o)) >= 0) {
        assert_true(is_reply((uint64_t)i));
        assert_true(i > last);
        last = i;
        n++;
    }
    assert_int_equal(n, NREPLIES);
    const uint64_t targets[] = {65540, 10, 65540, 69990, 65530, 20};
    for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
        const struct trawl_trace_pkt *p;
        assert_int_equal(trawl_trace_get(t, targets[k], &p, err, sizeof err),
                         1);
        assert_int_equal(p->index, targets[k]);
        assert_int_equal(trawl_expr_match(paired, p->view),
                         is_reply(targets[k]));
    }
    assert_int_equal(trawl_trace_rewind(t, 65531, err, sizeof err), 0);
    assert_int_equal(next_match(t, paired, NULL), 65540);
    trawl_trace_close(t);

    t = open_trace(&(struct trawl_trace_options){.no_flows = true});
    assert_int_equal(next_match(t, paired, NULL), -1);
    trawl_trace_close(t);
    trawl_expr_free(paired);
}

static void test_contains(void **state) {
    (void)state;
    trawl_trace *t = open_trace(NULL);
    char err[TRAWL_ERRBUF_SIZE];
    const struct trawl_trace_pkt *p;
    trawl_expr *special = compile("frame.len == 142");
    assert_int_equal(trawl_trace_contains(t, special, err, sizeof err), 1);
    assert_int_equal(trawl_trace_index(t), 0);
    assert_int_equal(trawl_trace_get(t, SPECIAL, &p, err, sizeof err), 1);
    assert_int_equal(trawl_trace_contains(t, special, err, sizeof err), 0);
    assert_int_equal(trawl_trace_index(t), SPECIAL + 1);
    assert_int_equal(trawl_trace_rewind(t, SPECIAL, err, sizeof err), 0);
    assert_int_equal(trawl_trace_contains(t, special, err, sizeof err), 1);
    assert_int_equal(trawl_trace_index(t), SPECIAL);
    assert_int_equal(next_match(t, special, NULL), SPECIAL);
    trawl_expr_free(special);
    trawl_trace_close(t);
}

static void test_pktlist(void **state) {
    (void)state;
    trawl_trace *t = open_trace(NULL);
    char err[TRAWL_ERRBUF_SIZE];
    trawl_expr *calls = compile("rpc.msgtyp == 0");
    trawl_expr *all = compile("");
    /* In list order, only the listed packets. */
    const uint64_t list[] = {40, 4, 33, 3, 13, 5};
    assert_int_equal(trawl_trace_set_pktlist(t, list, 6, err, sizeof err), 0);
    assert_int_equal(next_match(t, calls, NULL), 33);
    assert_int_equal(trawl_trace_index(t), 34);
    assert_int_equal(next_match(t, calls, NULL), 3);
    assert_int_equal(next_match(t, calls, NULL), 13);
    assert_int_equal(next_match(t, calls, NULL), -1);
    /* The list is copied: a new one starts at its first packet. */
    uint64_t two[] = {SPECIAL, 6};
    assert_int_equal(trawl_trace_set_pktlist(t, two, 2, err, sizeof err), 0);
    two[0] = 1;
    assert_int_equal(next_match(t, all, NULL), SPECIAL);
    assert_int_equal(next_match(t, all, NULL), 6);
    assert_int_equal(next_match(t, all, NULL), -1);
    assert_int_equal(trawl_trace_contains(t, all, err, sizeof err), 0);
    /* Cleared: the whole trace from the position. */
    assert_int_equal(trawl_trace_set_pktlist(t, NULL, 0, err, sizeof err), 0);
    assert_int_equal(trawl_trace_index(t), 7);
    assert_int_equal(next_match(t, calls, NULL), 13);
    assert_int_equal(trawl_trace_contains(t, all, err, sizeof err), 1);
    trawl_expr_free(all);
    trawl_expr_free(calls);
    trawl_trace_close(t);
}

struct progress {
    unsigned calls, stop_after;
    uint64_t last_done, total;
};

static bool on_progress(void *ctx, uint64_t done, uint64_t total) {
    struct progress *pr = ctx;
    assert_true(done >= pr->last_done);
    assert_true(done <= total);
    pr->last_done = done;
    pr->total = total;
    return ++pr->calls < pr->stop_after;
}

static void test_canceled(void **state) {
    (void)state;
    struct progress pr = {.stop_after = 1};
    struct trawl_trace_options opt = {.progress = on_progress,
                                      .progress_ctx = &pr};
    trawl_trace *t = open_trace(&opt);
    char err[TRAWL_ERRBUF_SIZE];
    const struct trawl_trace_pkt *p;
    trawl_expr *none = compile("frame.len == 1");
    /* The first report (every 8192 packets) cancels the search, which
     * goes back to where it started. */
    assert_int_equal(trawl_trace_match(t, none, NULL, &p, err, sizeof err),
                     TRAWL_ECANCELED);
    assert_null(p);
    assert_string_equal(err, "matching 'frame.len == 1': canceled at packet "
                             "8191");
    assert_int_equal(pr.calls, 1);
    assert_true(pr.last_done > 0);
    assert_int_equal(trawl_trace_index(t), 0);
    uint64_t n = 1;
    pr = (struct progress){.stop_after = 1};
    assert_int_equal(trawl_trace_count(t, &n, err, sizeof err),
                     TRAWL_ECANCELED);
    assert_string_equal(err, "counting the packets: canceled");
    assert_int_equal(n, 0);
    /* Let through, both go to the end; the reports reach the file's
     * size. */
    pr = (struct progress){.stop_after = 1000};
    assert_int_equal(trawl_trace_match(t, none, NULL, &p, err, sizeof err), 0);
    assert_true(pr.calls >= N / 8192 - 1);
    assert_true(pr.total > (uint64_t)N * 42);
    assert_int_equal(trawl_trace_count(t, &n, err, sizeof err), 0);
    assert_int_equal(n, N);
    trawl_expr_free(none);
    trawl_trace_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_missing),
        cmocka_unit_test(test_next_get_rewind),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_match_limits),
        cmocka_unit_test(test_match_reply),
        cmocka_unit_test(test_flows_after_rewind),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_pktlist),
        cmocka_unit_test(test_canceled),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
