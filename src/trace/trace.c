/* trace — pktt's Pktt over the reader, the decoder and the flows.
 *
 * The trace owns one reader, one view and (unless no_flows) one flows
 * object. `pos` is the index next() returns; `fed` the number of packets
 * the flows have seen, always a prefix of the trace, so that packet i is
 * decoded with the flows exactly as after packets 0..i-1. Reading packet
 * i with i != fed brings the flows there first: forward by feeding the
 * packets between, backward by restoring the last checkpoint at or
 * before i (copies of the flows taken every `ck_every` packets, at most
 * MAX_CK of them: when full, every other one goes and the spacing
 * doubles) and feeding from there.
 *
 * Reply matching (pktt's reply=True) remembers the RPC calls a match
 * returned, as (xid, connection) keys, and also returns the replies that
 * carry one of them; a reply returned forgets its key. */
#include "trawl/trace.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "decode/decode.h"
#include "expr/expr.h"
#include "trawl/flows.h"

enum {
    MAX_CK = 16,
    FIRST_CK_EVERY = 65536,
    MAX_CALLS = 4096,   /* calls remembered for reply matching */
    MAX_MSGS = 32,      /* RPC messages looked at in one packet */
    MAX_REPLIES = 1 << 20, /* remembered for their calls (32 MiB at most) */
    PROGRESS_EVERY = 8192,
    /* read_here: read and fed to the flows from its bytes, not decoded
     * (trawl_flows_feed_bytes) */
    READ_UNDECODED = 2,
};

/* The layers of a packet trawl_flows_feed_bytes takes. */
static const uint64_t undecoded_layers =
    (uint64_t)1 << PROTO_FRAME | (uint64_t)1 << PROTO_ETH |
    (uint64_t)1 << PROTO_IP | (uint64_t)1 << PROTO_TCP;

struct checkpoint {
    uint64_t index; /* flows state before packet `index` */
    trawl_flows *fl;
};

struct trawl_trace {
    trawl_reader *r;
    trawl_view *v;
    trawl_flows *fl; /* NULL with no_flows */
    struct trawl_trace_options opt;
    uint64_t pos;  /* next() returns this packet */
    uint64_t fed;  /* flows have seen packets [0, fed) */
    uint64_t seen; /* packets [0, seen) have been read */
    struct trawl_trace_pkt cur;
    bool have_cur;

    struct checkpoint ck[MAX_CK];
    size_t nck;
    uint64_t ck_every;

    uint64_t *list; /* set_pktlist, or NULL */
    size_t nlist, listpos;

    uint64_t calls[MAX_CALLS]; /* ring of remembered call keys */
    size_t ncalls, calls_head;

    const trawl_field *f_xid, *f_msgtyp, *f_src[2], *f_dst[2], *f_sport[2],
        *f_dport[2];
};

int trawl_trace_open(trawl_trace **out, const char *const *paths,
                     size_t npaths, const struct trawl_trace_options *opt,
                     char *errbuf, size_t errlen) {
    *out = NULL;
    trawl_trace *t = core_calloc(1, sizeof *t);
    if (!t)
        return core_err(errbuf, errlen, TRAWL_ENOMEM, "out of memory");
    if (opt)
        t->opt = *opt;
    t->ck_every = FIRST_CK_EVERY;
    struct trawl_reader_options ro = {
        .follow = t->opt.live,
        .follow_timeout_ms = t->opt.live_timeout_ms,
        .warn = t->opt.warn,
        .warn_ctx = t->opt.warn_ctx,
    };
    int rc = trawl_reader_open(&t->r, paths, npaths, &ro, errbuf, errlen);
    if (rc < 0)
        goto fail;
    rc = TRAWL_ENOMEM;
    t->v = trawl_view_new();
    t->cur.view = t->v;
    if (!t->v) {
        core_err(errbuf, errlen, rc, "out of memory");
        goto fail;
    }
    /* The flows remember the replies they saw, so that a call read again
     * after a rewind shows its reply's frame (rpc.reqframe); a caller that
     * only moves forward reads no call again (the memory's lookups were
     * 4-5 % of trawl match's time). */
    struct trawl_flows_options fo = {
        .max_replies = t->opt.forward_only ? 0 : MAX_REPLIES};
    if (!t->opt.no_flows &&
        (rc = trawl_flows_new(&t->fl, &fo, errbuf, errlen)) < 0)
        goto fail;
    t->f_xid = trawl_field_lookup("rpc.xid");
    t->f_msgtyp = trawl_field_lookup("rpc.msgtyp");
    static const char *const names[4][2] = {
        {"ip.src", "ipv6.src"}, {"ip.dst", "ipv6.dst"},
        {"tcp.srcport", "udp.srcport"}, {"tcp.dstport", "udp.dstport"}};
    for (int k = 0; k < 2; k++) {
        t->f_src[k] = trawl_field_lookup(names[0][k]);
        t->f_dst[k] = trawl_field_lookup(names[1][k]);
        t->f_sport[k] = trawl_field_lookup(names[2][k]);
        t->f_dport[k] = trawl_field_lookup(names[3][k]);
    }
    *out = t;
    return 0;
fail:
    trawl_trace_close(t);
    return rc;
}

static void drop_checkpoints(trawl_trace *t) {
    for (size_t i = 0; i < t->nck; i++)
        trawl_flows_free(t->ck[i].fl);
    t->nck = 0;
}

void trawl_trace_close(trawl_trace *t) {
    if (!t)
        return;
    drop_checkpoints(t);
    trawl_flows_free(t->fl);
    trawl_view_free(t->v);
    trawl_reader_close(t->r);
    free(t->list);
    free(t);
}

trawl_reader *trawl_trace_reader(trawl_trace *t) { return t->r; }

uint64_t trawl_trace_index(const trawl_trace *t) { return t->pos; }

/* Keeps a copy of the flows as they are before packet t->fed. */
static void checkpoint(trawl_trace *t) {
    if (t->nck == MAX_CK) {
        /* Thin out: keep every other checkpoint, twice as far apart. */
        size_t j = 0;
        for (size_t i = 0; i < t->nck; i++) {
            if (i % 2)
                trawl_flows_free(t->ck[i].fl);
            else
                t->ck[j++] = t->ck[i];
        }
        t->nck = j;
        t->ck_every *= 2;
    }
    trawl_flows *copy = NULL;
    char err[TRAWL_ERRBUF_SIZE];
    if (trawl_flows_new(&copy, NULL, err, sizeof err) < 0)
        return; /* a checkpoint is only an optimisation */
    if (trawl_flows_copy(copy, t->fl, err, sizeof err) < 0) {
        trawl_flows_free(copy);
        return;
    }
    t->ck[t->nck++] = (struct checkpoint){.index = t->fed, .fl = copy};
}

/* Reads the packet the reader is at into t->cur, decoded. Returns 1, 0 at
 * the end (or a live timeout), or an error; with `undecoded`, also
 * READ_UNDECODED for a packet the flows took from its bytes, which is not
 * decoded (t->cur has its trawl_pkt only). */
static int read_here(trawl_trace *t, bool undecoded, char *errbuf,
                     size_t errlen) {
    t->have_cur = false;
    int rc = trawl_reader_next(t->r, &t->cur.pkt, errbuf, errlen);
    if (rc == TRAWL_EAGAIN)
        return 0; /* live: nothing new within live_timeout_ms */
    if (rc <= 0)
        return rc;
    t->cur.index = t->cur.pkt.index;
    if (t->cur.index + 1 > t->seen)
        t->seen = t->cur.index + 1;
    if (t->fl && t->fed == t->cur.index) {
        if (!t->opt.forward_only && t->fed && t->fed % t->ck_every == 0 &&
            (!t->nck || t->ck[t->nck - 1].index < t->fed))
            checkpoint(t);
        t->fed++;
        if (undecoded && trawl_flows_feed_bytes(t->fl, &t->cur.pkt))
            return READ_UNDECODED;
        trawl_view_set(t->v, &t->cur.pkt);
        trawl_flows_feed(t->fl, t->v);
    } else {
        trawl_view_set(t->v, &t->cur.pkt);
    }
    t->have_cur = true;
    return 1;
}

/* Brings the flows to `index` (fed == index) and the reader to it. */
static int go_to(trawl_trace *t, uint64_t index, char *errbuf, size_t errlen) {
    int rc;
    if (t->fl && t->fed != index) {
        if (index < t->fed) {
            size_t k = t->nck;
            while (k && t->ck[k - 1].index > index)
                k--;
            if (k) {
                rc = trawl_flows_copy(t->fl, t->ck[k - 1].fl, errbuf, errlen);
                if (rc < 0)
                    return rc;
                t->fed = t->ck[k - 1].index;
            } else {
                trawl_flows_reset(t->fl);
                t->fed = 0;
            }
        }
        if ((rc = trawl_reader_seek(t->r, t->fed, errbuf, errlen)) < 0)
            return rc;
        while (t->fed < index) {
            rc = read_here(t, true, errbuf, errlen);
            if (rc <= 0)
                return rc;
        }
    }
    if (trawl_reader_tell(t->r) != index &&
        (rc = trawl_reader_seek(t->r, index, errbuf, errlen)) < 0)
        return rc == TRAWL_ERANGE ? 0 : rc;
    return 1;
}

/* Packet `index`, decoded as in order (or READ_UNDECODED, as read_here
 * says). */
static int read_at(trawl_trace *t, uint64_t index, bool undecoded,
                   char *errbuf, size_t errlen) {
    if (t->have_cur && t->cur.index == index)
        return 1;
    int rc = go_to(t, index, errbuf, errlen);
    if (rc <= 0) {
        t->have_cur = false;
        return rc;
    }
    return read_here(t, undecoded, errbuf, errlen);
}

int trawl_trace_next(trawl_trace *t, const struct trawl_trace_pkt **out,
                     char *errbuf, size_t errlen) {
    *out = NULL;
    int rc = read_at(t, t->pos, false, errbuf, errlen);
    if (rc == 1) {
        t->pos++;
        *out = &t->cur;
    }
    return rc;
}

int trawl_trace_get(trawl_trace *t, uint64_t index,
                    const struct trawl_trace_pkt **out, char *errbuf,
                    size_t errlen) {
    *out = NULL;
    int rc = read_at(t, index, false, errbuf, errlen);
    if (rc == 1) {
        t->pos = index + 1;
        *out = &t->cur;
    }
    return rc;
}

int trawl_trace_rewind(trawl_trace *t, uint64_t index, char *errbuf,
                       size_t errlen) {
    if (index > t->seen) {
        if (!t->seen)
            return core_err(errbuf, errlen, TRAWL_ERANGE,
                            "cannot rewind to packet %llu: no packet has "
                            "been read yet",
                            (unsigned long long)index);
        return core_err(errbuf, errlen, TRAWL_ERANGE,
                        "cannot rewind to packet %llu: the last packet read "
                        "is %llu",
                        (unsigned long long)index,
                        (unsigned long long)(t->seen - 1));
    }
    t->pos = index;
    return 0;
}

int trawl_trace_count(trawl_trace *t, uint64_t *count, char *errbuf,
                      size_t errlen) {
    *count = 0;
    if (t->opt.live)
        return core_err(errbuf, errlen, TRAWL_EUNSUPPORTED,
                        "the length of a live trace is not known");
    uint64_t n = trawl_reader_indexed(t->r);
    int rc = trawl_reader_seek(t->r, n ? n - 1 : 0, errbuf, errlen);
    if (rc < 0 && rc != TRAWL_ERANGE)
        return rc;
    struct trawl_pkt pkt;
    uint64_t step = 0;
    while (rc != TRAWL_ERANGE &&
           (rc = trawl_reader_next(t->r, &pkt, errbuf, errlen)) == 1) {
        if (t->opt.progress && ++step % PROGRESS_EVERY == 0) {
            uint64_t done, total;
            trawl_reader_progress(t->r, &done, &total);
            if (!t->opt.progress(t->opt.progress_ctx, done, total)) {
                t->have_cur = false;
                return core_err(errbuf, errlen, TRAWL_ECANCELED,
                                "counting the packets: canceled");
            }
        }
    }
    t->have_cur = false; /* the reader moved: cur's bytes are gone */
    if (rc < 0 && rc != TRAWL_ERANGE)
        return rc;
    *count = trawl_reader_indexed(t->r);
    if (*count > t->seen)
        t->seen = *count;
    return 0;
}

int trawl_trace_set_pktlist(trawl_trace *t, const uint64_t *indexes, size_t n,
                            char *errbuf, size_t errlen) {
    uint64_t *copy = NULL;
    if (n) {
        copy = core_reallocarray(NULL, n, sizeof *copy);
        if (!copy)
            return core_err(errbuf, errlen, TRAWL_ENOMEM, "out of memory");
        memcpy(copy, indexes, n * sizeof *copy);
    }
    free(t->list);
    t->list = copy;
    t->nlist = n;
    t->listpos = 0;
    return 0;
}

/* ---- reply matching --------------------------------------------------- */

static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static bool hash_value(void *ctx, const trawl_field *f,
                       const struct trawl_value *val) {
    uint64_t *h = ctx;
    size_t n = val->type == TRAWL_FT_IPV6 ? 16
               : val->type == TRAWL_FT_IPV4 ? 4
                                            : 0;
    uint64_t x = val->type == TRAWL_FT_UINT ? val->u : 0;
    for (size_t i = 0; i < n; i++)
        x = x * 131 + val->addr[i];
    *h = mix(*h ^ mix(x + 1));
    return false; /* the first (outermost) occurrence only */
}

static uint64_t endpoint_hash(trawl_trace *t, const trawl_field *const addr[2],
                              const trawl_field *const port[2]) {
    uint64_t h = 0;
    for (int k = 0; k < 2; k++) {
        if (addr[k])
            trawl_view_field_each(t->v, addr[k], hash_value, &h);
        if (port[k])
            trawl_view_field_each(t->v, port[k], hash_value, &h);
    }
    return h;
}

/* The connection, the same whichever way a packet goes on it. */
static uint64_t connection_hash(trawl_trace *t) {
    uint64_t a = endpoint_hash(t, t->f_src, t->f_sport);
    uint64_t b = endpoint_hash(t, t->f_dst, t->f_dport);
    return a < b ? mix(a) ^ b : mix(b) ^ a;
}

struct msgs {
    uint64_t v[MAX_MSGS];
    size_t n;
};

static bool collect(void *ctx, const trawl_field *f,
                    const struct trawl_value *val) {
    struct msgs *m = ctx;
    if (m->n < MAX_MSGS)
        m->v[m->n++] = val->u;
    return m->n < MAX_MSGS;
}

/* The packet's RPC messages: xids and message types (0 call, 1 reply). */
static size_t rpc_messages(trawl_trace *t, struct msgs *xid,
                           struct msgs *type) {
    xid->n = type->n = 0;
    if (!t->f_xid || !t->f_msgtyp)
        return 0;
    trawl_view_field_each(t->v, t->f_xid, collect, xid);
    if (!xid->n)
        return 0;
    trawl_view_field_each(t->v, t->f_msgtyp, collect, type);
    return xid->n < type->n ? xid->n : type->n;
}

static void remember_calls(trawl_trace *t) {
    struct msgs xid, type;
    size_t n = rpc_messages(t, &xid, &type);
    if (!n)
        return;
    uint64_t conn = connection_hash(t);
    for (size_t i = 0; i < n; i++) {
        if (type.v[i] != 0)
            continue;
        t->calls[t->calls_head] = mix(conn ^ xid.v[i]);
        t->calls_head = (t->calls_head + 1) % MAX_CALLS;
        if (t->ncalls < MAX_CALLS)
            t->ncalls++;
    }
}

/* Whether the packet carries the reply of a remembered call (forgetting
 * the call when it does). */
static bool is_awaited_reply(trawl_trace *t) {
    if (!t->ncalls)
        return false;
    struct msgs xid, type;
    size_t n = rpc_messages(t, &xid, &type);
    if (!n)
        return false;
    uint64_t conn = connection_hash(t);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (type.v[i] != 1)
            continue;
        uint64_t key = mix(conn ^ xid.v[i]);
        for (size_t k = 0; k < MAX_CALLS && k < t->ncalls; k++) {
            size_t slot = (t->calls_head + MAX_CALLS - 1 - k) % MAX_CALLS;
            if (t->calls[slot] == key) {
                t->calls[slot] = 0;
                found = true;
                break;
            }
        }
    }
    return found;
}

/* ---- matching --------------------------------------------------------- */

static bool keep_going(trawl_trace *t, uint64_t *step) {
    if (!t->opt.progress || ++*step % PROGRESS_EVERY)
        return true;
    uint64_t done, total;
    trawl_reader_progress(t->r, &done, &total);
    return t->opt.progress(t->opt.progress_ctx, done, total);
}

int trawl_trace_match(trawl_trace *t, trawl_expr *e,
                      const struct trawl_trace_match_options *opt,
                      const struct trawl_trace_pkt **out, char *errbuf,
                      size_t errlen) {
    static const struct trawl_trace_match_options defaults = {
        .max_index = UINT64_MAX, .rewind_on_fail = true};
    if (!opt)
        opt = &defaults;
    *out = NULL;
    /* Packets whose views would show nothing e can be true on are only
     * fed to the flows. */
    const bool undecoded = t->fl && expr_false_on_layers(e, undecoded_layers);
    const uint64_t start = t->pos;
    const size_t list_start = t->listpos;
    uint64_t step = 0;
    int rc;
    for (;;) {
        uint64_t i;
        if (t->list) {
            if (t->listpos >= t->nlist) {
                rc = 0;
                break;
            }
            i = t->list[t->listpos];
        } else {
            i = t->pos;
        }
        if (i >= opt->max_index) {
            rc = 0;
            break;
        }
        if (!keep_going(t, &step)) {
            rc = core_err(errbuf, errlen, TRAWL_ECANCELED,
                          "matching '%s': canceled at packet %llu",
                          trawl_expr_text(e), (unsigned long long)i);
            break;
        }
        rc = read_at(t, i, undecoded, errbuf, errlen);
        if (rc <= 0)
            break;
        if (t->list)
            t->listpos++;
        t->pos = i + 1;
        if (rc == READ_UNDECODED)
            continue; /* no match, and no reply */
        if (trawl_expr_match(e, t->v)) {
            if (opt->reply)
                remember_calls(t);
            *out = &t->cur;
            return 1;
        }
        if (opt->reply && is_awaited_reply(t)) {
            *out = &t->cur;
            return 1;
        }
    }
    if (opt->rewind_on_fail || rc < 0) {
        t->pos = start;
        t->listpos = list_start;
    }
    return rc;
}

int trawl_trace_contains(trawl_trace *t, trawl_expr *e, char *errbuf,
                         size_t errlen) {
    const uint64_t pos = t->pos;
    const size_t listpos = t->listpos;
    const struct trawl_trace_pkt *p;
    int rc = trawl_trace_match(t, e, NULL, &p, errbuf, errlen);
    t->pos = pos;
    t->listpos = listpos;
    return rc;
}
