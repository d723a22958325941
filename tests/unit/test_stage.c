/* Triggers, keep rules, limits and FCS checks on synthetic packets: each
 * case is a configuration and a sequence of packet kinds with what the
 * stage must answer for each. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture_int.h"

/* ---- FCS ---------------------------------------------------------------------- */

static void fcs_values(void **state) {
    (void)state;
    /* The CRC-32 check value of the standard. */
    assert_int_equal(cap_fcs((const uint8_t *)"123456789", 9), 0xCBF43926u);
    uint8_t f[64];
    for (size_t i = 0; i < 60; i++)
        f[i] = (uint8_t)i;
    core_put_le32(f + 60, cap_fcs(f, 60));
    assert_true(cap_fcs_ok(f, 64));
    for (size_t i = 0; i < 64; i++) {
        f[i] ^= 0x01;
        assert_false(cap_fcs_ok(f, 64));
        f[i] ^= 0x01;
    }
    assert_false(cap_fcs_ok(f, 3));
    assert_false(cap_fcs_ok(f, 0));
}

/* ---- packets ---------------------------------------------------------------------- */

enum kind {
    PLAIN,   /* UDP to port 1000, no test payload */
    PORT7,   /* UDP to port 7 */
    TPLD1,   /* test payload, stream 1 */
    TPLD2,   /* test payload, stream 2 */
    PLDERR,  /* test payload of stream 1 with a byte changed */
    FCSERR,  /* a bad FCS */
};

#define FRAME 100u

static uint8_t frame[FRAME + CAP_FCS_LEN];

static void build(enum kind k) {
    memset(frame, 0, sizeof frame);
    memset(frame, 0xff, 6);
    frame[12] = 0x08; /* IPv4 */
    uint8_t *ip = frame + 14;
    ip[0] = 0x45;
    core_put_be16(ip + 2, FRAME - 14);
    ip[8] = 64;
    ip[9] = 17;
    ip[12] = 10, ip[15] = 1, ip[16] = 10, ip[19] = 2;
    uint8_t *udp = ip + 20;
    core_put_be16(udp, 5000);
    core_put_be16(udp + 2, k == PORT7 ? 7 : 1000);
    core_put_be16(udp + 4, FRAME - 34);
    for (size_t i = 42; i < FRAME; i++)
        frame[i] = (uint8_t)(i * 3);
    if (k == TPLD1 || k == TPLD2 || k == PLDERR) {
        struct trawl_tpld t = {.stream = k == TPLD2 ? 2 : 1, .seq = 5,
                               .tx_ns = 1, .fill_off = 42};
        assert_int_equal(trawl_tpld_stamp(frame, FRAME, &t), 0);
        if (k == PLDERR)
            frame[50] ^= 0x40;
    }
    core_put_le32(frame + FRAME, cap_fcs(frame, FRAME) ^ (k == FCSERR));
}

/* The packet as the run loop hands it to the stage (FCS checked). */
static void packet(struct cap_pkt *cp, trawl_view *v, enum kind k) {
    build(k);
    cap_pkt_init(cp, v);
    memset(&cp->pkt, 0, sizeof cp->pkt);
    cp->pkt.caplen = cp->pkt.len = FRAME + CAP_FCS_LEN;
    cp->pkt.linktype = 1;
    cp->pkt.fcs_len = CAP_FCS_LEN;
    cp->pkt.data = frame;
    cp->fcs_bad = !cap_fcs_ok(frame, FRAME + CAP_FCS_LEN);
}

static void payload_kinds(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    struct cap_pkt cp;
    static const struct {
        enum kind k;
        enum trawl_tpld_status st;
        bool fcs_bad;
    } table[] = {
        {PLAIN, TRAWL_TPLD_NONE, false}, {TPLD1, TRAWL_TPLD_OK, false},
        {TPLD2, TRAWL_TPLD_OK, false},   {PLDERR, TRAWL_TPLD_BAD, false},
        {FCSERR, TRAWL_TPLD_NONE, true},
    };
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(table); i++) {
        packet(&cp, v, table[i].k);
        assert_int_equal(cap_pkt_tpld(&cp), table[i].st);
        assert_int_equal(cp.fcs_bad, table[i].fcs_bad);
    }
    /* Cut short by the snap length: the payload at the end is gone. */
    packet(&cp, v, TPLD1);
    cp.pkt.caplen = 60;
    assert_int_equal(cap_pkt_tpld(&cp), TRAWL_TPLD_NONE);
    /* Without an FCS the payload is the frame's last 18 bytes. */
    packet(&cp, v, TPLD1);
    cp.pkt.caplen = cp.pkt.len = FRAME;
    cp.pkt.fcs_len = 0;
    assert_int_equal(cap_pkt_tpld(&cp), TRAWL_TPLD_OK);
    assert_int_equal(cp.tp.stream, 1);
    trawl_view_free(v);
}

/* ---- the table ------------------------------------------------------------------------- */

/* What the stage answers for one packet: W wait (ignored before the
 * start), S skip (not kept), K keep; a capital letter after it names the
 * stop reason it gives (F filter, C fcserr, P plderr). */
struct stage_case {
    const char *name;
    struct trawl_trigger t;
    struct trawl_keep k;
    enum kind seq[8];
    size_t n;
    const char *want; /* one answer per packet, space-separated */
};

#define SEQ(...) {__VA_ARGS__}, sizeof((enum kind[]){__VA_ARGS__}) / sizeof(enum kind)

static const struct stage_case cases[] = {
    {"all at once", {0}, {.stream = -1},
     SEQ(PLAIN, TPLD1, FCSERR, PLDERR), "K K K K"},
    {"start on filter", {.start = TRAWL_START_FILTER, .start_filter = "udp.dstport == 7"},
     {.stream = -1}, SEQ(PLAIN, PLAIN, PORT7, PLAIN), "W W K K"},
    {"start on fcserr", {.start = TRAWL_START_FCSERR}, {.stream = -1},
     SEQ(PLAIN, TPLD1, FCSERR, PLAIN), "W W K K"},
    {"start on plderr", {.start = TRAWL_START_PLDERR}, {.stream = -1},
     SEQ(FCSERR, TPLD1, PLDERR, PLAIN), "W W K K"},
    {"stop on filter", {.stop = TRAWL_STOP_FILTER, .stop_filter = "udp.dstport == 7"},
     {.stream = -1}, SEQ(PLAIN, PORT7), "K KF"},
    {"stop on fcserr", {.stop = TRAWL_STOP_FCSERR}, {.stream = -1},
     SEQ(PLAIN, PLDERR, FCSERR), "K K KC"},
    {"stop on plderr", {.stop = TRAWL_STOP_PLDERR}, {.stream = -1},
     SEQ(PLAIN, FCSERR, PLDERR), "K K KP"},
    /* The packet that starts is not the one that stops. */
    {"from one fcserr to the next",
     {.start = TRAWL_START_FCSERR, .stop = TRAWL_STOP_FCSERR}, {.stream = -1},
     SEQ(PLAIN, FCSERR, PLAIN, FCSERR, PLAIN), "W K K KC K"},
    {"stop even when not kept",
     {.stop = TRAWL_STOP_FILTER, .stop_filter = "udp.dstport == 7"},
     {.kind = TRAWL_KEEP_TPLD, .stream = -1}, SEQ(TPLD1, PORT7), "K SF"},
    {"keep filter", {0}, {.kind = TRAWL_KEEP_FILTER, .filter = "udp.dstport == 7", .stream = -1},
     SEQ(PLAIN, PORT7, TPLD1), "S K S"},
    {"keep notpld", {0}, {.kind = TRAWL_KEEP_NOTPLD, .stream = -1},
     SEQ(PLAIN, TPLD1, PLDERR, FCSERR), "K S S K"},
    {"keep tpld", {0}, {.kind = TRAWL_KEEP_TPLD, .stream = -1},
     SEQ(PLAIN, TPLD1, TPLD2, PLDERR), "S K K S"},
    {"keep tpld of stream 2", {0}, {.kind = TRAWL_KEEP_TPLD, .stream = 2},
     SEQ(TPLD1, TPLD2, PLAIN), "S K S"},
    {"keep plderr", {0}, {.kind = TRAWL_KEEP_PLDERR, .stream = -1},
     SEQ(PLAIN, TPLD1, PLDERR), "S S K"},
    {"keep fcserr", {0}, {.kind = TRAWL_KEEP_FCSERR, .stream = -1},
     SEQ(PLAIN, FCSERR, TPLD1), "S K S"},
    {"keep rule waits for the start", {.start = TRAWL_START_PLDERR},
     {.kind = TRAWL_KEEP_TPLD, .stream = -1},
     SEQ(TPLD1, PLDERR, TPLD1, PLAIN), "W S K S"},
};

static void stage_table(void **state) {
    (void)state;
    trawl_view *v = trawl_view_new();
    char err[TRAWL_ERRBUF_SIZE];
    for (size_t c = 0; c < TRAWL_ARRAY_LEN(cases); c++) {
        const struct stage_case *sc = &cases[c];
        struct cap_stage s;
        cap_stage_init(&s);
        assert_int_equal(cap_stage_set_trigger(&s, &sc->t, err, sizeof err), 0);
        assert_int_equal(cap_stage_set_keep(&s, &sc->k, err, sizeof err), 0);
        cap_stage_reset(&s);
        char got[64] = "";
        size_t len = 0;
        for (size_t i = 0; i < sc->n; i++) {
            struct cap_pkt cp;
            packet(&cp, v, sc->seq[i]);
            bool started;
            enum trawl_stop_reason stop;
            enum cap_verdict verdict = cap_stage_judge(&s, &cp, &started, &stop);
            got[len++] = verdict == CAP_WAIT ? 'W' : verdict == CAP_SKIP ? 'S' : 'K';
            if (stop != TRAWL_STOPPED_NONE)
                got[len++] = stop == TRAWL_STOPPED_FILTER   ? 'F'
                             : stop == TRAWL_STOPPED_FCSERR ? 'C'
                             : stop == TRAWL_STOPPED_PLDERR ? 'P'
                                                            : '?';
            got[len++] = ' ';
        }
        got[len - 1] = '\0';
        if (strcmp(got, sc->want) != 0)
            fail_msg("%s: got '%s', want '%s'", sc->name, got, sc->want);
        cap_stage_free(&s);
    }
    trawl_view_free(v);
}

static void limits_and_caplen(void **state) {
    (void)state;
    struct cap_stage s;
    cap_stage_init(&s);
    struct trawl_trigger t = {.max_packets = 3, .max_bytes = 1000};
    assert_int_equal(cap_stage_set_trigger(&s, &t, NULL, 0), 0);
    assert_int_equal(cap_stage_limits(&s, 2, 999), TRAWL_STOPPED_NONE);
    assert_int_equal(cap_stage_limits(&s, 3, 10), TRAWL_STOPPED_PACKETS);
    assert_int_equal(cap_stage_limits(&s, 1, 1000), TRAWL_STOPPED_BYTES);
    struct trawl_keep k = {.stream = -1, .byte_count = 64};
    assert_int_equal(cap_stage_set_keep(&s, &k, NULL, 0), 0);
    assert_int_equal(cap_stage_caplen(&s, 1514), 64);
    assert_int_equal(cap_stage_caplen(&s, 60), 60);
    /* Overflow semantics follow the stop criterion. */
    assert_false(cap_stage_ring(&s));
    t.stop = TRAWL_STOP_USERSTOP;
    assert_int_equal(cap_stage_set_trigger(&s, &t, NULL, 0), 0);
    assert_true(cap_stage_ring(&s));
    cap_stage_free(&s);
}

static void refusals(void **state) {
    (void)state;
    struct cap_stage s;
    cap_stage_init(&s);
    char err[TRAWL_ERRBUF_SIZE];
    struct trawl_trigger t = {.start = TRAWL_START_FILTER, .start_filter = "prot 80"};
    assert_int_equal(cap_stage_set_trigger(&s, &t, err, sizeof err), TRAWL_EEXPR);
    assert_non_null(strstr(err, "start filter: "));
    assert_non_null(strstr(err, "column 1"));
    t = (struct trawl_trigger){.stop = TRAWL_STOP_FILTER};
    assert_int_equal(cap_stage_set_trigger(&s, &t, err, sizeof err), TRAWL_EINVAL);
    assert_string_equal(err, "stop filter: an expression is required");
    t = (struct trawl_trigger){.start = (enum trawl_start_criterion)9};
    assert_int_equal(cap_stage_set_trigger(&s, &t, err, sizeof err), TRAWL_EINVAL);
    struct trawl_keep k = {.kind = TRAWL_KEEP_TPLD, .stream = 70000};
    assert_int_equal(cap_stage_set_keep(&s, &k, err, sizeof err), TRAWL_EINVAL);
    assert_non_null(strstr(err, "stream 70000"));
    k = (struct trawl_keep){.kind = TRAWL_KEEP_FILTER, .filter = "tcp.prot == 1"};
    assert_int_equal(cap_stage_set_keep(&s, &k, err, sizeof err), TRAWL_EEXPR);
    assert_non_null(strstr(err, "keep filter: "));
    /* A refused setting left the stage as it was. */
    assert_int_equal(s.start, TRAWL_START_ON);
    assert_int_equal(s.keep, TRAWL_KEEP_ALL);
    cap_stage_free(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fcs_values),
        cmocka_unit_test(payload_kinds),
        cmocka_unit_test(stage_table),
        cmocka_unit_test(limits_and_caplen),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
