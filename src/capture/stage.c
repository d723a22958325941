/* Triggers and keep rules: which received packets a capture keeps, and
 * when it starts and stops keeping them (Xena's port capturer model).
 *
 * A packet reaches the stage only after the capture filter passed it.
 * Before the start criterion is met every packet is ignored; the packet
 * that meets it is the first the keep rule looks at. The stop criterion is
 * looked at from the packet after that one, and the packet that meets it
 * is still kept (when the keep rule keeps it): a user who stops on a bad
 * frame wants to see it. */
#include <inttypes.h>
#include <stdlib.h>

#include "capture/capture_int.h"

/* ---- what a packet is ------------------------------------------------------ */

trawl_view *cap_pkt_view(struct cap_pkt *cp) {
    if (!cp->view_set) {
        trawl_view_set(cp->view, &cp->pkt);
        cp->view_set = true;
    }
    return cp->view;
}

enum trawl_tpld_status cap_pkt_tpld(struct cap_pkt *cp) {
    if (cp->tpld >= 0)
        return (enum trawl_tpld_status)cp->tpld;
    const struct trawl_pkt *p = &cp->pkt;
    enum trawl_tpld_status st = TRAWL_TPLD_NONE;
    /* A frame cut short has lost its payload, which sits at the end. */
    if (p->caplen == p->len && p->caplen >= (uint32_t)p->fcs_len)
        st = trawl_tpld_parse(p->data, p->caplen - p->fcs_len, &cp->tp);
    cp->tpld = (int)st;
    return st;
}

bool cap_pkt_match(struct cap_pkt *cp, trawl_expr *e) {
    return !e || trawl_expr_match(e, cap_pkt_view(cp));
}

/* ---- configuration --------------------------------------------------------- */

void cap_stage_init(struct cap_stage *s) {
    memset(s, 0, sizeof *s);
    s->keep_stream = -1;
}

void cap_stage_free(struct cap_stage *s) {
    trawl_expr_free(s->start_e);
    trawl_expr_free(s->stop_e);
    trawl_expr_free(s->keep_e);
    cap_stage_init(s);
}

/* Compiles the expression a criterion needs; `what` names it in the
 * message ("start filter: unknown operand ..."). */
static int compile_for(trawl_expr **out, bool needed, const char *text,
                       const char *what, char *errbuf, size_t errlen) {
    *out = NULL;
    if (!needed)
        return 0;
    if (!text || !*text)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "%s: an expression is required", what);
    int rc = trawl_expr_compile(out, text, NULL, errbuf, errlen);
    if (rc < 0)
        core_err_prefix(errbuf, errlen, "%s", what);
    return rc;
}

int cap_stage_set_trigger(struct cap_stage *s, const struct trawl_trigger *t,
                          char *errbuf, size_t errlen) {
    if ((unsigned)t->start > TRAWL_START_PLDERR)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "trigger: unknown start criterion %d", (int)t->start);
    if ((unsigned)t->stop > TRAWL_STOP_PLDERR)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "trigger: unknown stop criterion %d", (int)t->stop);
    trawl_expr *start_e, *stop_e;
    int rc = compile_for(&start_e, t->start == TRAWL_START_FILTER,
                         t->start_filter, "start filter", errbuf, errlen);
    if (rc < 0)
        return rc;
    rc = compile_for(&stop_e, t->stop == TRAWL_STOP_FILTER, t->stop_filter,
                     "stop filter", errbuf, errlen);
    if (rc < 0) {
        trawl_expr_free(start_e);
        return rc;
    }
    trawl_expr_free(s->start_e);
    trawl_expr_free(s->stop_e);
    s->start = t->start;
    s->stop = t->stop;
    s->start_e = start_e;
    s->stop_e = stop_e;
    s->max_packets = t->max_packets;
    s->max_bytes = t->max_bytes;
    s->max_duration_ms = t->max_duration_ms;
    return 0;
}

int cap_stage_set_keep(struct cap_stage *s, const struct trawl_keep *k,
                       char *errbuf, size_t errlen) {
    if ((unsigned)k->kind > TRAWL_KEEP_FCSERR)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "keep: unknown kind %d", (int)k->kind);
    if (k->kind == TRAWL_KEEP_TPLD && (k->stream < -1 || k->stream > 65535))
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "keep: stream %" PRId32
                        " is not a test-payload stream id (0-65535, or -1 "
                        "for any)",
                        k->stream);
    trawl_expr *e;
    int rc = compile_for(&e, k->kind == TRAWL_KEEP_FILTER, k->filter,
                         "keep filter", errbuf, errlen);
    if (rc < 0)
        return rc;
    trawl_expr_free(s->keep_e);
    s->keep = k->kind;
    s->keep_e = e;
    s->keep_stream = k->kind == TRAWL_KEEP_TPLD ? k->stream : -1;
    s->byte_count = k->byte_count;
    return 0;
}

void cap_stage_reset(struct cap_stage *s) {
    s->started = s->start == TRAWL_START_ON;
}

/* ---- judging ----------------------------------------------------------------- */

static bool start_met(struct cap_stage *s, struct cap_pkt *cp) {
    switch (s->start) {
    case TRAWL_START_ON: return true;
    case TRAWL_START_FILTER: return cap_pkt_match(cp, s->start_e);
    case TRAWL_START_FCSERR: return cp->fcs_bad;
    case TRAWL_START_PLDERR: return cap_pkt_tpld(cp) == TRAWL_TPLD_BAD;
    }
    return false;
}

static enum trawl_stop_reason stop_met(struct cap_stage *s,
                                       struct cap_pkt *cp) {
    switch (s->stop) {
    case TRAWL_STOP_FULL:
    case TRAWL_STOP_USERSTOP: return TRAWL_STOPPED_NONE;
    case TRAWL_STOP_FILTER:
        return cap_pkt_match(cp, s->stop_e) ? TRAWL_STOPPED_FILTER
                                            : TRAWL_STOPPED_NONE;
    case TRAWL_STOP_FCSERR:
        return cp->fcs_bad ? TRAWL_STOPPED_FCSERR : TRAWL_STOPPED_NONE;
    case TRAWL_STOP_PLDERR:
        return cap_pkt_tpld(cp) == TRAWL_TPLD_BAD ? TRAWL_STOPPED_PLDERR
                                                  : TRAWL_STOPPED_NONE;
    }
    return TRAWL_STOPPED_NONE;
}

static bool keeps(struct cap_stage *s, struct cap_pkt *cp) {
    switch (s->keep) {
    case TRAWL_KEEP_ALL: return true;
    case TRAWL_KEEP_FILTER: return cap_pkt_match(cp, s->keep_e);
    case TRAWL_KEEP_NOTPLD: return cap_pkt_tpld(cp) == TRAWL_TPLD_NONE;
    case TRAWL_KEEP_TPLD:
        return cap_pkt_tpld(cp) == TRAWL_TPLD_OK &&
               (s->keep_stream < 0 || cp->tp.stream == (uint16_t)s->keep_stream);
    case TRAWL_KEEP_PLDERR: return cap_pkt_tpld(cp) == TRAWL_TPLD_BAD;
    case TRAWL_KEEP_FCSERR: return cp->fcs_bad;
    }
    return false;
}

enum cap_verdict cap_stage_judge(struct cap_stage *s, struct cap_pkt *cp,
                                 bool *started, enum trawl_stop_reason *stop) {
    *started = false;
    *stop = TRAWL_STOPPED_NONE;
    if (!s->started) {
        if (!start_met(s, cp))
            return CAP_WAIT;
        s->started = *started = true;
    } else {
        *stop = stop_met(s, cp);
    }
    return keeps(s, cp) ? CAP_KEEP : CAP_SKIP;
}

enum trawl_stop_reason cap_stage_limits(const struct cap_stage *s,
                                        uint64_t packets, uint64_t bytes) {
    if (s->max_packets && packets >= s->max_packets)
        return TRAWL_STOPPED_PACKETS;
    if (s->max_bytes && bytes >= s->max_bytes)
        return TRAWL_STOPPED_BYTES;
    return TRAWL_STOPPED_NONE;
}
