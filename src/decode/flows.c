/* Flows: RPC records reassembled from TCP streams, replies paired with
 * their calls (include/trawl/flows.h says what and why).
 *
 * Connections are found by their two endpoints (sorted, so that both
 * directions find the same one) in an open-addressing table; each holds
 * the reassembly state of its two directions. Calls are kept in a ring —
 * the oldest is forgotten when it wraps — indexed by (connection, its
 * generation, xid) in a second table. Both tables are sized once, at
 * creation; only the entries below their high-water marks have ever been
 * written since the last reset, so that resetting and copying (the trace
 * copies the flows every few ten thousand packets) cost what is in use,
 * not the megabytes of the limits.
 *
 * Per direction the state is the next sequence number expected and where
 * the record being reassembled stands: inside a record mark, or inside a
 * fragment with `frag_left` bytes to come. A record that starts and ends
 * in one segment, in one fragment, is handed to the view where it lies in
 * the packet; any other is joined into a buffer of the direction, which
 * is handed over whole (and replaced) when the record completes. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "trawl/flows.h"

enum {
    DEFAULT_CONNECTIONS = 4096,
    DEFAULT_RECORD = 4 << 20,
    DEFAULT_BYTES = 64 << 20,
    DEFAULT_CALLS = 65536,
    MAX_CONNECTIONS = 1 << 22,
    MAX_CALLS = 1 << 24,
    MAX_REPLIES = 1 << 24,
    /* Segments of one direction waiting for earlier ones; more means the
     * missing bytes are not coming. */
    OOO_MAX = 32,
    /* Buffers kept for the next records instead of freed, the largest
     * kept and what they may hold in all: records that span segments are
     * tens to hundreds of KiB (NFS READ and WRITE). */
    POOL_MAX = 8,
    POOL_BUF_MAX = 1 << 20,
    POOL_BYTES_MAX = 2 << 20,
    BUF_MIN = 4096,
    MSG_MIN = 20, /* the smallest RPC message (rpc.c) */
    /* TCP connections whose server side is remembered from their
     * handshake, in a direct-mapped cache: a newer handshake that maps to
     * the same entry replaces the older. */
    SERVERS = 1024,
    /* RTP endpoints announced in SDP, in a direct-mapped cache too; and
     * how many one SIP message may announce. */
    MEDIA = 1024,
    MEDIA_PER_MSG = 16,
    PORT_PORTMAP = 111,
    PORT_NFS = 2049,
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_ACK = 0x10,
};

struct ooo {
    uint32_t seq, len;
    uint8_t *data;
};

/* One direction of a TCP connection. */
struct half {
    bool seen;     /* next_seq is known */
    bool synced;   /* next_seq is a record boundary or inside a known one */
    bool fin;
    uint32_t next_seq;
    /* The record in progress. */
    bool in_record;
    bool skip;          /* dropping the rest of it (lost or too long) */
    uint8_t mark[4];
    uint8_t markn;      /* bytes of a record mark read */
    uint32_t frag_left; /* bytes of the current fragment still to come */
    bool frag_last;
    uint32_t last_mark;
    uint16_t nfrags;
    uint32_t marks[DECODE_RPC_MARKS];
    uint32_t segments;
    uint64_t first_frame;
    uint8_t *buf;
    uint32_t len, cap;
    struct ooo ooo[OOO_MAX];
    uint8_t nooo;
    uint32_t ooo_bytes;
};

struct key {
    uint8_t af, proto;
    uint16_t port[2];
    uint8_t addr[2][16];
    uint32_t hash; /* of the fields above (key_seal), kept with them */
};

struct conn {
    struct key key;
    uint32_t gen;
    bool used;
    int32_t prev, next; /* LRU list, most recent first */
    struct half half[2];
};

struct call {
    uint32_t conn, gen, xid;
    uint32_t prog, vers, proc;
    uint64_t frame;
    int64_t ts_ns;
    bool used;
};

/* The server of a TCP connection, from its SYN or SYN+ACK. */
struct server {
    struct key key;
    uint16_t port;
    bool used;
};

/* An RTP endpoint SDP announced. */
struct media {
    struct decode_media m;
    bool used;
};

struct pooled {
    uint8_t *p;
    uint32_t cap;
};

struct trawl_flows {
    struct trawl_flows_options opt;
    struct conn *conns;
    uint32_t *conn_slots; /* conn index + 1, 0 when empty */
    uint32_t conn_mask;
    int32_t lru_head, lru_tail;
    int32_t free_conn;    /* head of the removed conns' list, or -1 */
    uint32_t conn_hw;     /* conns [conn_hw, max) were never used */
    uint32_t nconns;
    uint32_t next_gen;
    struct call *calls;
    uint32_t *call_slots; /* call index + 1 */
    uint32_t call_mask;
    uint32_t call_next;
    uint32_t call_hw;     /* calls [call_hw, max) were never used */
    uint32_t ncalls;
    size_t held;
    struct pooled pool[POOL_MAX];
    unsigned npool;
    size_t pooled; /* bytes of the pool's buffers */
    /* Buffers handed to the view of the last packet. */
    uint8_t *done[DECODE_MAX_RPC_MSGS];
    uint32_t done_cap[DECODE_MAX_RPC_MSGS];
    unsigned ndone;
    struct decode_ext ext;
    struct trawl_flows_stats st;
    /* Kept by reset and left alone by copy: what a second pass over the
     * same packets shows on calls (rpc.reqframe). */
    struct decode_replies replies;
    struct server servers[SERVERS];
    struct media media[MEDIA];
    /* The connection of the last packet trawl_flows_feed_bytes took, by
     * its addresses and ports as they lie in packets of direction 0
     * (source address, destination address, source port, destination
     * port) and of direction 1; conn < 0 when none. */
    struct {
        uint8_t ends[2][12];
        int32_t conn;
        uint32_t gen;
    } last;
    /* The packet being fed. */
    const struct trawl_view *v;
    bool cut; /* its TCP payload was cut by the capture */
};

/* ---- helpers ------------------------------------------------------------- */

static bool seq_lt(uint32_t a, uint32_t b) {
    return (int32_t)(a - b) < 0;
}

static uint32_t pow2_at_least(uint64_t n) {
    uint32_t p = 16;
    while (p < n)
        p <<= 1;
    return p;
}

static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* Computes k's hash, once per packet: the connection table and the
 * server cache index by it. (The cache is direct-mapped: another function
 * would forget other servers when two connections meet in an entry.) */
static void key_seal(struct key *k) {
    uint64_t h = (uint64_t)k->af << 56 | (uint64_t)k->proto << 48 |
                 (uint64_t)k->port[0] << 16 | k->port[1];
    for (int e = 0; e < 2; e++)
        for (int i = 0; i < 16; i += 8) {
            uint64_t w;
            memcpy(&w, k->addr[e] + i, 8);
            h = mix(h ^ w) + (uint64_t)e;
        }
    k->hash = (uint32_t)mix(h);
}

static uint64_t key_hash(const struct key *k) {
    return k->hash;
}

static bool key_eq(const struct key *a, const struct key *b) {
    return a->hash == b->hash &&
           memcmp(a, b, offsetof(struct key, hash)) == 0;
}

static int64_t pkt_ns(const struct trawl_pkt *p) {
    return p->ts_sec * 1000000000 + (int64_t)p->ts_nsec;
}

/* ---- memory ----------------------------------------------------------- */

static void give_back(struct trawl_flows *f, uint8_t *p, uint32_t cap) {
    if (!p)
        return;
    if (f->npool < POOL_MAX && cap <= POOL_BUF_MAX &&
        f->pooled + cap <= POOL_BYTES_MAX) {
        f->pool[f->npool].p = p;
        f->pool[f->npool].cap = cap;
        f->npool++;
        f->pooled += cap;
        return;
    }
    free(p);
    f->held -= cap;
}

static void half_free(struct trawl_flows *f, struct half *h) {
    give_back(f, h->buf, h->cap);
    for (unsigned i = 0; i < h->nooo; i++) {
        free(h->ooo[i].data);
        f->held -= h->ooo[i].len;
    }
    memset(h, 0, sizeof *h);
}

/* Room for `n` more bytes in h's buffer, within the limits. `exact`: n is
 * all the record still needs (the rest of its last fragment, from the
 * mark), so the buffer gets that size at once instead of doubling, with a
 * copy each time, as the segments come. */
static bool reserve(struct trawl_flows *f, struct half *h, uint32_t n,
                    bool exact) {
    if (n <= h->cap - h->len)
        return true;
    uint64_t want = (uint64_t)h->len + n;
    if (want > f->opt.max_record)
        return false;
    if (!h->buf && f->npool) {
        /* A pooled buffer large enough: the smallest one for an exact
         * size, else the largest. */
        unsigned best = 0;
        for (unsigned i = 1; i < f->npool; i++) {
            uint32_t c = f->pool[i].cap, b = f->pool[best].cap;
            if (exact ? c >= want && (b < want || c < b) : c > b)
                best = i;
        }
        if (f->pool[best].cap >= want) {
            h->buf = f->pool[best].p;
            h->cap = f->pool[best].cap;
            f->pooled -= h->cap;
            f->pool[best] = f->pool[--f->npool];
            return true;
        }
    }
    uint64_t cap = h->cap ? h->cap : BUF_MIN;
    if (exact && cap < want)
        cap = want;
    while (cap < want)
        cap *= 2;
    if (cap > f->opt.max_record)
        cap = want;
    if (f->held - h->cap + cap > f->opt.max_bytes)
        return false;
    uint8_t *p = realloc(h->buf, cap);
    if (!p)
        return false;
    f->held += cap - h->cap;
    h->buf = p;
    h->cap = (uint32_t)cap;
    return true;
}

/* ---- tables ------------------------------------------------------------- */

static uint32_t *conn_find_slot(struct trawl_flows *f, const struct key *k) {
    for (uint32_t i = (uint32_t)key_hash(k) & f->conn_mask;;
         i = (i + 1) & f->conn_mask) {
        uint32_t *s = &f->conn_slots[i];
        if (*s == 0 || key_eq(&f->conns[*s - 1].key, k))
            return s;
    }
}

static void lru_unlink(struct trawl_flows *f, int32_t c) {
    struct conn *cn = &f->conns[c];
    if (cn->prev >= 0)
        f->conns[cn->prev].next = cn->next;
    else
        f->lru_head = cn->next;
    if (cn->next >= 0)
        f->conns[cn->next].prev = cn->prev;
    else
        f->lru_tail = cn->prev;
}

static void lru_front(struct trawl_flows *f, int32_t c) {
    struct conn *cn = &f->conns[c];
    cn->prev = -1;
    cn->next = f->lru_head;
    if (f->lru_head >= 0)
        f->conns[f->lru_head].prev = c;
    f->lru_head = c;
    if (f->lru_tail < 0)
        f->lru_tail = c;
}

/* Removes slot `i` of an open-addressing table and moves up the entries
 * after it that would no longer be found (backward-shift deletion). */
static void slot_delete(uint32_t *slots, uint32_t mask, uint32_t i,
                        uint64_t (*hash)(const struct trawl_flows *, uint32_t),
                        const struct trawl_flows *f) {
    uint32_t j = i;
    for (;;) {
        slots[i] = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (slots[j] == 0)
                return;
            uint32_t home = (uint32_t)hash(f, slots[j] - 1) & mask;
            /* Stays unless its home lies cyclically in (i, j]. */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                continue;
            break;
        }
        slots[i] = slots[j];
        i = j;
    }
}

static uint64_t conn_hash_at(const struct trawl_flows *f, uint32_t c) {
    return key_hash(&f->conns[c].key);
}

static void conn_remove(struct trawl_flows *f, int32_t c) {
    struct conn *cn = &f->conns[c];
    uint32_t *s = conn_find_slot(f, &cn->key);
    slot_delete(f->conn_slots, f->conn_mask, (uint32_t)(s - f->conn_slots),
                conn_hash_at, f);
    lru_unlink(f, c);
    half_free(f, &cn->half[0]);
    half_free(f, &cn->half[1]);
    cn->used = false;
    /* Removed connections are chained through `next`, and used again
     * before any never used. */
    cn->next = f->free_conn;
    f->free_conn = c;
    f->nconns--;
}

static int32_t conn_new(struct trawl_flows *f, const struct key *k) {
    if (f->nconns >= f->opt.max_connections)
        conn_remove(f, f->lru_tail);
    int32_t c = f->free_conn;
    if (c >= 0)
        f->free_conn = f->conns[c].next;
    else
        c = (int32_t)f->conn_hw++;
    struct conn *cn = &f->conns[c];
    memset(cn, 0, sizeof *cn);
    cn->key = *k;
    cn->used = true;
    cn->gen = ++f->next_gen;
    *conn_find_slot(f, k) = (uint32_t)c + 1;
    lru_front(f, c);
    f->nconns++;
    return c;
}

/* Calls of a connection numbered in turn (as clients number them) have
 * their homes eight to a run of slots: a call mostly finds the cache line
 * of its slot brought by the one before (the table is megabytes, most of
 * it out of the cache: one miss per call before). */
static uint64_t call_key_hash(uint32_t conn, uint32_t gen, uint32_t xid) {
    uint32_t run = xid >> 3;
    uint64_t h = mix((uint64_t)conn << 32 ^ (uint64_t)gen << 8 ^ run ^
                     (uint64_t)run << 40);
    return (h & ~(uint64_t)7) | (xid & 7);
}

static uint64_t call_hash_at(const struct trawl_flows *f, uint32_t i) {
    const struct call *c = &f->calls[i];
    return call_key_hash(c->conn, c->gen, c->xid);
}

static uint32_t *call_find_slot(struct trawl_flows *f, uint32_t conn,
                                uint32_t gen, uint32_t xid) {
    for (uint32_t i = (uint32_t)call_key_hash(conn, gen, xid) & f->call_mask;;
         i = (i + 1) & f->call_mask) {
        uint32_t *s = &f->call_slots[i];
        if (*s == 0)
            return s;
        const struct call *c = &f->calls[*s - 1];
        if (c->conn == conn && c->gen == gen && c->xid == xid)
            return s;
    }
}

static void call_put(struct trawl_flows *f, uint32_t conn, const uint8_t *p,
                     const struct trawl_pkt *pkt) {
    uint32_t gen = f->conns[conn].gen, xid = core_be32(p);
    uint32_t *s = call_find_slot(f, conn, gen, xid);
    struct call *c;
    if (*s) {
        /* A retransmitted call: the latest one is what a reply answers. */
        c = &f->calls[*s - 1];
    } else {
        uint32_t i = f->call_next;
        f->call_next = (i + 1) % (uint32_t)f->opt.max_calls;
        if (f->call_hw <= i)
            f->call_hw = i + 1;
        c = &f->calls[i];
        if (c->used) {
            uint32_t *old = call_find_slot(f, c->conn, c->gen, c->xid);
            slot_delete(f->call_slots, f->call_mask,
                        (uint32_t)(old - f->call_slots), call_hash_at, f);
            f->ncalls--;
            s = call_find_slot(f, conn, gen, xid);
        }
        *s = i + 1;
        f->ncalls++;
    }
    c->used = true;
    c->conn = conn;
    c->gen = gen;
    c->xid = xid;
    c->prog = core_be32(p + 12);
    c->vers = core_be32(p + 16);
    c->proc = core_be32(p + 20);
    c->frame = pkt->index + 1;
    c->ts_ns = pkt_ns(pkt);
}

static const struct call *call_get(struct trawl_flows *f, uint32_t conn,
                                   uint32_t xid) {
    uint32_t *s = call_find_slot(f, conn, f->conns[conn].gen, xid);
    return *s ? &f->calls[*s - 1] : NULL;
}

/* ---- messages ----------------------------------------------------------- */

static bool rpc_port(uint16_t a, uint16_t b) {
    return a == PORT_PORTMAP || a == PORT_NFS || b == PORT_PORTMAP ||
           b == PORT_NFS;
}

static bool known_program(uint32_t p) {
    return p == 100000 || p == 100003 || p == 100005 || p == 100011 ||
           p == 100021 || p == 100024 || p == 100227;
}

/* Whether `n` bytes at p start an RPC message of connection `conn` (-1:
 * none yet): a version 2 call of a known program (any program on an RPC
 * port), or a reply to a call of the connection (any reply with a valid
 * status on an RPC port). */
static bool plausible(struct trawl_flows *f, int32_t conn, const uint8_t *p,
                      size_t n, bool on_port) {
    if (n < 12)
        return false;
    uint32_t type = core_be32(p + 4);
    if (type == 0)
        return n >= 24 && core_be32(p + 8) == 2 &&
               (on_port || known_program(core_be32(p + 12)));
    if (type != 1)
        return false;
    if (conn >= 0 && call_get(f, (uint32_t)conn, core_be32(p)))
        return true;
    return on_port && core_be32(p + 8) <= 1;
}

/* A message found: its call remembered, or its reply paired, and handed
 * to the view when there is room. */
static void message(struct trawl_flows *f, uint32_t conn, const uint8_t *p,
                    uint32_t len, const struct decode_rpc_msg *tmpl) {
    const struct trawl_pkt *pkt = &f->v->pkt;
    f->st.messages++;
    struct decode_rpc_msg m = *tmpl;
    m.p = p;
    m.len = len;
    if (len >= 24 && core_be32(p + 4) == 0) {
        call_put(f, conn, p, pkt);
        m.reply_frame =
            decode_replies_get(&f->replies, pkt->index + 1, core_be32(p));
    } else if (len >= 8 && core_be32(p + 4) == 1) {
        const struct call *c = call_get(f, conn, core_be32(p));
        if (c) {
            f->st.paired++;
            m.has_call = true;
            m.prog = c->prog;
            m.vers = c->vers;
            m.proc = c->proc;
            m.call_frame = c->frame;
            m.call_delta_ns = pkt_ns(pkt) - c->ts_ns;
            decode_replies_put(&f->replies, c->frame, c->xid, pkt->index + 1);
        } else {
            f->st.unpaired++;
            /* Not RPC to the view (tshark's reading): a record of this
             * segment shows as data, one reassembled not at all. */
            if (!m.in_packet)
                return;
            m.unpaired = true;
        }
    }
    if (f->ext.nmsgs >= DECODE_MAX_RPC_MSGS) {
        f->ext.anomalies |= ANOM_BIT(ANOM_RPC_TOO_MANY_RECORDS);
        return;
    }
    f->ext.msgs[f->ext.nmsgs++] = m;
}

/* ---- TCP reassembly ------------------------------------------------------ */

static void record_reset(struct half *h) {
    h->in_record = false;
    h->skip = false;
    h->markn = 0;
    h->frag_left = 0;
    h->frag_last = false;
    h->nfrags = 0;
    h->segments = 0;
    h->len = 0;
}

static void lose_sync(struct half *h) {
    record_reset(h);
    h->synced = false;
}

/* The record in h's buffer is complete: handed to the view with the
 * buffer, which the direction no longer owns. */
static void record_done(struct trawl_flows *f, uint32_t conn, struct half *h) {
    struct decode_rpc_msg m = {
        .mark = h->last_mark,
        .nfrags = h->nfrags,
        .segments = h->segments,
        .first_frame = h->first_frame,
    };
    m.nmarks = (uint8_t)(h->nfrags < DECODE_RPC_MARKS ? h->nfrags
                                                       : DECODE_RPC_MARKS);
    memcpy(m.marks, h->marks, m.nmarks * sizeof m.marks[0]);
    if (h->segments > 1)
        f->st.reassembled++;
    if (f->ext.nmsgs < DECODE_MAX_RPC_MSGS &&
        f->ndone < DECODE_MAX_RPC_MSGS) {
        f->done[f->ndone] = h->buf;
        f->done_cap[f->ndone] = h->cap;
        f->ndone++;
        message(f, conn, h->buf, h->len, &m);
        h->buf = NULL;
        h->cap = 0;
    } else {
        message(f, conn, h->buf, h->len, &m);
    }
    record_reset(h);
}

/* Bytes of one direction in order. `pkt_off` is where they lie in the
 * packet (UINT32_MAX when they come from a segment that waited). */
static void consume(struct trawl_flows *f, uint32_t conn, struct half *h,
                    const uint8_t *p, uint32_t n, uint32_t pkt_off,
                    bool on_port) {
    if (!h->synced) {
        /* Only a segment that starts with a record mark and an RPC header
         * brings the stream back. */
        if (n < 4 || (core_be32(p) & 0x7fffffff) < MSG_MIN ||
            !plausible(f, (int32_t)conn, p + 4, n - 4, on_port))
            return;
        h->synced = true;
        record_reset(h);
    }
    uint32_t pos = 0;
    if (h->in_record)
        h->segments++;
    while (pos < n) {
        if (h->frag_left == 0 && !(h->nfrags && h->frag_last)) {
            /* A record mark, maybe split over segments. */
            bool mark_here = h->markn == 0;
            while (h->markn < 4 && pos < n)
                h->mark[h->markn++] = p[pos++];
            if (h->markn < 4) {
                h->in_record = true;
                if (!h->segments) {
                    h->segments = 1;
                    h->first_frame = f->v->pkt.index + 1;
                }
                return;
            }
            uint32_t mark = core_be32(h->mark);
            h->markn = 0;
            h->last_mark = mark;
            if (!h->in_record) {
                h->in_record = true;
                h->segments = 1;
                h->first_frame = f->v->pkt.index + 1;
            }
            if (h->nfrags == UINT16_MAX) {
                /* No client cuts a record into so many fragments. */
                lose_sync(h);
                return;
            }
            if (h->nfrags < DECODE_RPC_MARKS)
                h->marks[h->nfrags] = mark;
            h->nfrags++;
            h->frag_left = mark & 0x7fffffff;
            h->frag_last = mark >> 31;
            if ((uint64_t)h->len + h->frag_left > f->opt.max_record) {
                if (!h->skip) {
                    f->ext.anomalies |= ANOM_BIT(ANOM_RPC_RECORD_TOO_LONG);
                    f->st.too_long++;
                }
                h->skip = true;
            }
            /* A whole one-fragment record in this segment is handed to
             * the view where it lies. */
            if (mark_here && h->nfrags == 1 && h->frag_last &&
                pkt_off != UINT32_MAX && !h->skip &&
                h->frag_left <= n - pos) {
                struct decode_rpc_msg m = {
                    .mark = mark,
                    .nfrags = 1,
                    .in_packet = true,
                    .pkt_off = pkt_off + pos,
                    .segments = 1,
                    .first_frame = f->v->pkt.index + 1,
                };
                message(f, conn, p + pos, h->frag_left, &m);
                pos += h->frag_left;
                record_reset(h);
                continue;
            }
            if (h->frag_left == 0 && h->frag_last) {
                if (h->skip)
                    record_reset(h);
                else
                    record_done(f, conn, h);
                continue;
            }
            /* Room for the fragment now, only a hint: without it the bytes
             * are given room as they come, as the limits allow. */
            if (!h->skip)
                reserve(f, h, h->frag_left, h->frag_last);
            continue;
        }
        uint32_t take = n - pos < h->frag_left ? n - pos : h->frag_left;
        if (!h->skip) {
            if (reserve(f, h, take, false)) {
                memcpy(h->buf + h->len, p + pos, take);
                h->len += take;
            } else {
                f->ext.anomalies |= ANOM_BIT(ANOM_RPC_RECORD_TOO_LONG);
                f->st.too_long++;
                h->skip = true;
                h->len = 0;
            }
        }
        pos += take;
        h->frag_left -= take;
        if (h->frag_left == 0 && h->frag_last) {
            if (h->skip)
                record_reset(h);
            else
                record_done(f, conn, h);
        }
    }
}

/* The bytes up to `upto` will not come: the record they belong to is
 * lost. Inside a fragment the next boundary is known; elsewhere the
 * stream must be found again. */
static void gap(struct trawl_flows *f, struct half *h, uint32_t upto) {
    uint32_t hole = upto - h->next_seq;
    if (!h->synced) {
        /* Nothing was being reassembled: nothing is lost. */
        h->next_seq = upto;
        return;
    }
    f->ext.anomalies |= ANOM_BIT(ANOM_RPC_GAP);
    f->st.gaps++;
    if (h->synced && h->in_record && h->markn == 0 && hole < h->frag_left) {
        h->frag_left -= hole;
        h->skip = true;
        h->len = 0;
    } else {
        lose_sync(h);
    }
    h->next_seq = upto;
}

static void drain(struct trawl_flows *f, uint32_t conn, struct half *h,
                  bool on_port) {
    for (bool moved = true; moved;) {
        moved = false;
        for (unsigned i = 0; i < h->nooo; i++) {
            struct ooo *o = &h->ooo[i];
            if (seq_lt(h->next_seq, o->seq))
                continue;
            uint32_t skip = h->next_seq - o->seq;
            if (skip < o->len) {
                consume(f, conn, h, o->data + skip, o->len - skip,
                        UINT32_MAX, on_port);
                h->next_seq = o->seq + o->len;
            }
            f->held -= o->len;
            h->ooo_bytes -= o->len;
            free(o->data);
            *o = h->ooo[--h->nooo];
            moved = true;
            break;
        }
    }
}

/* Keeps a segment that came before the bytes ahead of it; false when
 * there is no room. */
static bool hold(struct trawl_flows *f, struct half *h, uint32_t seq,
                 const uint8_t *p, uint32_t n) {
    if (h->nooo >= OOO_MAX || (uint64_t)h->ooo_bytes + n > f->opt.max_record ||
        f->held + n > f->opt.max_bytes)
        return false;
    uint8_t *copy = malloc(n);
    if (!copy)
        return false;
    memcpy(copy, p, n);
    h->ooo[h->nooo++] = (struct ooo){.seq = seq, .len = n, .data = copy};
    h->ooo_bytes += n;
    f->held += n;
    f->st.out_of_order++;
    return true;
}

/* The first byte held after the hole, or `limit` when earlier. */
static uint32_t hole_end(const struct half *h, uint32_t limit) {
    uint32_t end = limit;
    for (unsigned i = 0; i < h->nooo; i++)
        if (seq_lt(h->ooo[i].seq, end))
            end = h->ooo[i].seq;
    return end;
}

/* Trims the bytes before h->next_seq (a retransmission); false when
 * nothing new is left. */
static bool trim(struct trawl_flows *f, struct half *h, uint32_t *seq,
                 const uint8_t **p, uint32_t *n, uint32_t *pkt_off) {
    if (!seq_lt(*seq, h->next_seq))
        return true;
    uint32_t old = h->next_seq - *seq;
    if (old >= *n) {
        f->st.retransmitted += *n;
        return false;
    }
    f->st.retransmitted += old;
    *p += old;
    *n -= old;
    *pkt_off += old;
    *seq = h->next_seq;
    return true;
}

static void segment(struct trawl_flows *f, uint32_t conn, struct half *h,
                    uint32_t seq, const uint8_t *p, uint32_t n,
                    uint32_t pkt_off, bool on_port) {
    if (!h->seen) {
        h->seen = true;
        h->next_seq = seq;
    }
    if (!trim(f, h, &seq, &p, &n, &pkt_off))
        return;
    if (seq != h->next_seq) {
        if (hold(f, h, seq, p, n))
            return;
        /* No room to wait: what is missing before the segments held and
         * this one is not coming. Each round ends a hole. */
        for (unsigned round = 0; round <= OOO_MAX && seq_lt(h->next_seq, seq);
             round++) {
            gap(f, h, hole_end(h, seq));
            drain(f, conn, h, on_port);
        }
        if (!trim(f, h, &seq, &p, &n, &pkt_off))
            return;
    }
    consume(f, conn, h, p, n, pkt_off, on_port);
    h->next_seq = seq + n;
    drain(f, conn, h, on_port);
}

static void tcp_packet(struct trawl_flows *f, const struct decode_layer *tl,
                       const struct key *k, int dir) {
    const struct trawl_view *v = f->v;
    const uint8_t *t = v->data + tl->off;
    uint32_t seq = core_be32(t + 4), ack = core_be32(t + 8);
    uint8_t flags = t[13];
    uint32_t off = tl->off + tl->len, end = tl->end;
    uint32_t n = end > off ? end - off : 0;
    uint64_t wire_end = decode_ip_wire_end(v, tl);
    f->cut = wire_end > end && v->pkt.caplen < v->pkt.len;
    bool on_port = rpc_port(k->port[0], k->port[1]);
    uint32_t *slot = conn_find_slot((struct trawl_flows *)f, k);
    int32_t c = *slot ? (int32_t)*slot - 1 : -1;
    if (c < 0) {
        bool start = (flags & TCP_SYN) && on_port;
        if (!start && !(n >= 4 && (core_be32(v->data + off) & 0x7fffffff) >=
                                      MSG_MIN &&
                        plausible(f, -1, v->data + off + 4, n - 4, on_port)))
            return;
        c = conn_new(f, k);
    } else {
        lru_unlink(f, c);
        lru_front(f, c);
    }
    struct conn *cn = &f->conns[c];
    if (flags & TCP_RST) {
        conn_remove(f, c);
        return;
    }
    struct half *h = &cn->half[dir], *other = &cn->half[!dir];
    f->ext.rpc = true;
    if (flags & TCP_SYN) {
        half_free(f, h);
        h->seen = true;
        h->synced = true;
        h->next_seq = seq + 1;
        seq++;
    }
    /* The peer acknowledging bytes the capture never showed: they are not
     * coming. */
    if ((flags & TCP_ACK) && other->seen && !other->fin &&
        seq_lt(other->next_seq, ack)) {
        gap(f, other, hole_end(other, ack));
        drain(f, (uint32_t)c, other, on_port);
    }
    if (n && !h->fin)
        segment(f, (uint32_t)c, h, seq, v->data + off, n, off, on_port);
    if (f->cut && h->seen && !h->fin && h->next_seq == seq + n) {
        /* Bytes on the wire the capture did not keep. */
        gap(f, h, h->next_seq + (uint32_t)(wire_end - end));
    }
    if (flags & TCP_FIN) {
        h->fin = true;
        if (other->fin)
            conn_remove(f, c);
    }
}

static void udp_packet(struct trawl_flows *f, const struct decode_layer *tl,
                       const struct key *k) {
    const struct trawl_view *v = f->v;
    uint32_t off = tl->off + tl->len, end = tl->end;
    if (tl->len < 8 || end <= off)
        return;
    const uint8_t *p = v->data + off;
    uint32_t n = end - off;
    bool on_port = rpc_port(k->port[0], k->port[1]);
    uint32_t *slot = conn_find_slot(f, k);
    int32_t c = *slot ? (int32_t)*slot - 1 : -1;
    if (!plausible(f, c, p, n, on_port))
        return;
    if (c < 0) {
        /* A peer is remembered from its first call; a reply without one
         * pairs with nothing and is data, as without flows. */
        if (n < 8 || core_be32(p + 4) != 0)
            return;
        c = conn_new(f, k);
    } else {
        lru_unlink(f, c);
        lru_front(f, c);
    }
    struct decode_rpc_msg m = {.in_packet = true,
                               .pkt_off = off,
                               .segments = 1,
                               .first_frame = v->pkt.index + 1};
    message(f, (uint32_t)c, p, n, &m);
}

/* Learns the server of a connection from its handshake (a SYN goes to
 * it, a SYN+ACK comes from it) and tells the view the server of any other
 * packet of a connection whose handshake was seen. */
static void server_note(struct trawl_flows *f, struct trawl_view *v,
                        const struct decode_layer *tl, const struct key *k) {
    const uint8_t *t = v->data + tl->off;
    struct server *s = &f->servers[key_hash(k) & (SERVERS - 1)];
    uint8_t flags = t[13] & (TCP_SYN | TCP_ACK);
    if (flags == TCP_SYN || flags == (TCP_SYN | TCP_ACK)) {
        s->key = *k;
        s->used = true;
        s->port = core_be16(t + (flags == TCP_SYN ? 2 : 0));
    } else if (s->used && key_eq(&s->key, k)) {
        v->flow_server = s->port;
    }
}

static struct media *media_slot(struct trawl_flows *f, uint8_t af,
                                const uint8_t *addr, uint16_t port) {
    uint64_t h = mix((uint64_t)af << 16 | port);
    for (unsigned i = 0; i < (af == 4 ? 4u : 16u); i++)
        h = mix(h ^ addr[i]);
    return &f->media[h & (MEDIA - 1)];
}

/* Remembers the RTP endpoints the SDP of a SIP message announces. */
static void media_learn(struct trawl_flows *f, const struct trawl_view *v,
                        const struct decode_layer *sip) {
    struct decode_media m[MEDIA_PER_MSG];
    size_t n = decode_sdp_media(v, sip, m, MEDIA_PER_MSG);
    for (size_t i = 0; i < n; i++) {
        struct media *s = media_slot(f, m[i].af, m[i].addr, m[i].port);
        s->m = m[i];
        s->used = true;
    }
}

static bool media_known(struct trawl_flows *f, uint8_t af, const uint8_t *addr,
                        uint16_t port) {
    struct media *s = media_slot(f, af, addr, port);
    size_t alen = af == 4 ? 4 : 16;
    return s->used && s->m.af == af && s->m.port == port &&
           memcmp(s->m.addr, addr, alen) == 0;
}

/* A UDP datagram to or from an endpoint SDP announced, that nothing else
 * took and that has an RTP header, is RTP. */
static void media_packet(struct trawl_flows *f, struct trawl_view *v,
                         const struct decode_layer *tl) {
    const struct decode_layer *ip = decode_ip_below(v, tl);
    if (v->done || v->next_proto != PROTO_DATA || !ip ||
        !decode_rtp_check(v, tl->off + tl->len, tl->end))
        return;
    const uint8_t *iph = v->data + ip->off, *t = v->data + tl->off;
    uint8_t af = ip->proto == PROTO_IP ? 4 : 6;
    const uint8_t *src = iph + (af == 4 ? 12 : 8);
    const uint8_t *dst = iph + (af == 4 ? 16 : 24);
    if ((ip->len >= (af == 4 ? 20u : 40u)) &&
        (media_known(f, af, dst, core_be16(t + 2)) ||
         media_known(f, af, src, core_be16(t))))
        v->next_proto = PROTO_RTP;
}

/* ---- the API --------------------------------------------------------- */

TRAWL_API int trawl_flows_new(trawl_flows **out,
                              const struct trawl_flows_options *opt,
                              char *errbuf, size_t errlen) {
    *out = NULL;
    struct trawl_flows_options o = opt ? *opt : (struct trawl_flows_options){0};
    if (!o.max_connections)
        o.max_connections = DEFAULT_CONNECTIONS;
    if (!o.max_record)
        o.max_record = DEFAULT_RECORD;
    if (!o.max_bytes)
        o.max_bytes = DEFAULT_BYTES;
    if (!o.max_calls)
        o.max_calls = DEFAULT_CALLS;
    if (o.max_connections > MAX_CONNECTIONS || o.max_calls > MAX_CALLS ||
        o.max_replies > MAX_REPLIES || o.max_record > UINT32_MAX / 2 ||
        o.max_record < 64)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "flows: limits out of range (connections %zu of at "
                        "most %d, calls %zu of at most %d, replies %zu of at "
                        "most %d, record %zu bytes of 64 to 2 GiB)",
                        o.max_connections, MAX_CONNECTIONS, o.max_calls,
                        MAX_CALLS, o.max_replies, MAX_REPLIES, o.max_record);
    struct trawl_flows *f = core_calloc(1, sizeof *f);
    if (!f)
        goto fail;
    f->opt = o;
    f->replies.max = o.max_replies;
    uint32_t cslots = pow2_at_least(o.max_connections * 2);
    uint32_t kslots = pow2_at_least(o.max_calls * 2);
    f->conns = core_calloc(o.max_connections, sizeof *f->conns);
    f->conn_slots = core_calloc(cslots, sizeof *f->conn_slots);
    f->calls = core_calloc(o.max_calls, sizeof *f->calls);
    f->call_slots = core_calloc(kslots, sizeof *f->call_slots);
    if (!f->conns || !f->conn_slots || !f->calls || !f->call_slots)
        goto fail;
    f->conn_mask = cslots - 1;
    f->call_mask = kslots - 1;
    trawl_flows_reset(f);
    *out = f;
    return 0;
fail:
    trawl_flows_free(f);
    return core_err(errbuf, errlen, TRAWL_ENOMEM,
                    "flows: out of memory for %zu connections and %zu calls",
                    o.max_connections, o.max_calls);
}

static void release_done(struct trawl_flows *f) {
    for (unsigned i = 0; i < f->ndone; i++)
        give_back(f, f->done[i], f->done_cap[i]);
    f->ndone = 0;
}

/* Frees the buffers of the connections, the last packet and the pool. */
static void drop_buffers(struct trawl_flows *f) {
    for (int32_t c = f->lru_head; f->nconns && c >= 0;) {
        int32_t next = f->conns[c].next;
        half_free(f, &f->conns[c].half[0]);
        half_free(f, &f->conns[c].half[1]);
        c = next;
    }
    release_done(f);
    for (unsigned i = 0; i < f->npool; i++) {
        free(f->pool[i].p);
        f->held -= f->pool[i].cap;
    }
    f->npool = 0;
    f->pooled = 0;
}

TRAWL_API void trawl_flows_reset(trawl_flows *f) {
    drop_buffers(f);
    /* Past the high-water marks everything is still zero (as calloc
     * left it), and so are the slots of tables never used. */
    memset(f->conns, 0, f->conn_hw * sizeof *f->conns);
    if (f->conn_hw)
        memset(f->conn_slots, 0, (f->conn_mask + 1) * sizeof *f->conn_slots);
    memset(f->calls, 0, f->call_hw * sizeof *f->calls);
    if (f->call_hw)
        memset(f->call_slots, 0, (f->call_mask + 1) * sizeof *f->call_slots);
    f->conn_hw = 0;
    f->call_hw = 0;
    f->free_conn = -1;
    f->lru_head = f->lru_tail = -1;
    f->nconns = 0;
    f->last.conn = -1;
    f->ncalls = 0;
    f->call_next = 0;
    f->held = 0;
    memset(&f->ext, 0, sizeof f->ext);
    memset(&f->st, 0, sizeof f->st);
    memset(f->servers, 0, sizeof f->servers);
    memset(f->media, 0, sizeof f->media);
}

TRAWL_API void trawl_flows_free(trawl_flows *f) {
    if (!f)
        return;
    /* The tables go whole, with no reset to zero them first. */
    if (f->conns)
        drop_buffers(f);
    free(f->conns);
    free(f->conn_slots);
    free(f->calls);
    free(f->call_slots);
    decode_replies_free(&f->replies);
    free(f);
}

static int dup_half(struct trawl_flows *dst, struct half *h) {
    if (h->buf) {
        uint8_t *p = malloc(h->cap ? h->cap : 1);
        if (!p)
            return TRAWL_ENOMEM;
        memcpy(p, h->buf, h->len);
        h->buf = p;
        dst->held += h->cap;
    }
    for (unsigned i = 0; i < h->nooo; i++) {
        uint8_t *p = malloc(h->ooo[i].len ? h->ooo[i].len : 1);
        if (!p) {
            h->nooo = (uint8_t)i;
            return TRAWL_ENOMEM;
        }
        memcpy(p, h->ooo[i].data, h->ooo[i].len);
        h->ooo[i].data = p;
        dst->held += h->ooo[i].len;
    }
    return 0;
}

TRAWL_API int trawl_flows_copy(trawl_flows *dst, const trawl_flows *src,
                               char *errbuf, size_t errlen) {
    if (dst->opt.max_connections != src->opt.max_connections ||
        dst->opt.max_calls != src->opt.max_calls ||
        dst->opt.max_record != src->opt.max_record ||
        dst->opt.max_bytes != src->opt.max_bytes)
        return core_err(errbuf, errlen, TRAWL_EINVAL,
                        "flows: copy between flows of different limits");
    trawl_flows_reset(dst);
    /* dst is zero past its marks, now 0: only src's used parts move. */
    memcpy(dst->conns, src->conns, src->conn_hw * sizeof *src->conns);
    if (src->conn_hw)
        memcpy(dst->conn_slots, src->conn_slots,
               (src->conn_mask + 1) * sizeof *src->conn_slots);
    memcpy(dst->calls, src->calls, src->call_hw * sizeof *src->calls);
    if (src->call_hw)
        memcpy(dst->call_slots, src->call_slots,
               (src->call_mask + 1) * sizeof *src->call_slots);
    dst->conn_hw = src->conn_hw;
    dst->call_hw = src->call_hw;
    dst->lru_head = src->lru_head;
    dst->lru_tail = src->lru_tail;
    dst->free_conn = src->free_conn;
    dst->nconns = src->nconns;
    dst->next_gen = src->next_gen;
    dst->ncalls = src->ncalls;
    dst->call_next = src->call_next;
    dst->st = src->st;
    memcpy(dst->servers, src->servers, sizeof dst->servers);
    memcpy(dst->media, src->media, sizeof dst->media);
    dst->held = 0;
    int rc = 0;
    for (int32_t c = dst->lru_head; c >= 0; c = dst->conns[c].next) {
        for (int d = 0; d < 2; d++) {
            struct half *h = &dst->conns[c].half[d];
            if (rc == 0)
                rc = dup_half(dst, h);
            else
                memset(h, 0, sizeof *h); /* not ours: forget it */
        }
    }
    if (rc < 0) {
        trawl_flows_reset(dst);
        return core_err(errbuf, errlen, rc, "flows: out of memory copying "
                                            "%u connections",
                        src->nconns);
    }
    return 0;
}

/* The key of the connection between addresses a[0] (source) and a[1] of
 * `alen` bytes, `cmp` their order, and the ports at `ports`; returns the
 * direction (0 or 1). */
static int key_make(struct key *k, uint8_t proto, const uint8_t *const a[2],
                    size_t alen, int cmp, const uint8_t *ports) {
    memset(k, 0, sizeof *k);
    k->proto = proto;
    k->af = alen == 4 ? 4 : 6;
    uint16_t port[2] = {core_be16(ports), core_be16(ports + 2)};
    int dir = cmp > 0 || (cmp == 0 && port[0] > port[1]);
    memcpy(k->addr[0], a[dir], alen);
    memcpy(k->addr[1], a[!dir], alen);
    k->port[0] = port[dir];
    k->port[1] = port[!dir];
    key_seal(k);
    return dir;
}

/* The key of the connection of transport layer `tl` (endpoints sorted);
 * returns the direction of the packet in it (0 or 1), or -1 when no IP
 * header carries it. */
static int flow_key(const struct trawl_view *v, const struct decode_layer *tl,
                    struct key *k) {
    const struct decode_layer *ip = decode_ip_below(v, tl);
    if (!ip)
        return -1;
    const uint8_t *iph = v->data + ip->off, *a[2];
    size_t alen;
    int cmp;
    if (ip->proto == PROTO_IP && ip->len >= 20) {
        a[0] = iph + 12;
        a[1] = iph + 16;
        alen = 4;
        uint32_t s = core_be32(a[0]), d = core_be32(a[1]);
        cmp = s < d ? -1 : s > d;
    } else if (ip->proto == PROTO_IPV6 && ip->len >= 40) {
        a[0] = iph + 8;
        a[1] = iph + 24;
        alen = 16;
        cmp = memcmp(a[0], a[1], 16);
    } else {
        return -1;
    }
    return key_make(k, (uint8_t)tl->proto, a, alen, cmp,
                    v->data + tl->off);
}

/* memcmp(a, b, 12) == 0, in two loads a side rather than a call. */
static bool same12(const uint8_t *a, const uint8_t *b) {
    uint64_t a8, b8;
    uint32_t a4, b4;
    memcpy(&a8, a, 8);
    memcpy(&b8, b, 8);
    memcpy(&a4, a + 8, 4);
    memcpy(&b4, b + 8, 4);
    return ((a8 ^ b8) | (a4 ^ b4)) == 0;
}

/* The connection and direction of a TCP/IPv4 segment whose IP header is
 * at `ip` and TCP header at `t`, when the flows have it; -1 when not. */
static int32_t bytes_conn(struct trawl_flows *f, const uint8_t *ip,
                          const uint8_t *t, int *dir) {
    uint8_t ends[12];
    memcpy(ends, ip + 12, 8);
    memcpy(ends + 8, t, 4);
    int32_t c = f->last.conn;
    if (c >= 0 && f->conns[c].used && f->conns[c].gen == f->last.gen) {
        for (int d = 0; d < 2; d++)
            if (same12(ends, f->last.ends[d])) {
                *dir = d;
                return c;
            }
    }
    const uint8_t *a[2] = {ip + 12, ip + 16};
    uint32_t s = core_be32(a[0]), d = core_be32(a[1]);
    struct key k;
    *dir = key_make(&k, PROTO_TCP, a, 4, s < d ? -1 : s > d, t);
    uint32_t *slot = conn_find_slot(f, &k);
    if (!*slot)
        return -1;
    c = (int32_t)*slot - 1;
    f->last.conn = c;
    f->last.gen = f->conns[c].gen;
    memcpy(f->last.ends[*dir], ends, sizeof ends);
    /* The other direction: addresses and ports swapped. */
    uint8_t *o = f->last.ends[!*dir];
    memcpy(o, ends + 4, 4);
    memcpy(o + 4, ends, 4);
    memcpy(o + 8, ends + 10, 2);
    memcpy(o + 10, ends + 8, 2);
    return c;
}

/* What feeding any packet starts with. */
static void feed_begin(struct trawl_flows *f) {
    release_done(f);
    memset(&f->ext, 0, offsetof(struct decode_ext, msgs));
    f->st.packets++;
}

TRAWL_API bool trawl_flows_feed_bytes(trawl_flows *f,
                                      const struct trawl_pkt *pkt) {
    enum { ETH_LEN = 14, IP_LEN = 20, TCP_LEN = 20, ETHERTYPE_IP = 0x0800 };
    const uint8_t *e = pkt->data;
    if (pkt->linktype != 1 || pkt->fcs_len ||
        pkt->caplen < ETH_LEN + IP_LEN + TCP_LEN ||
        core_be16(e + 12) != ETHERTYPE_IP)
        return false;
    /* IPv4 without options or fragments, carrying TCP, whole in the
     * capture (nothing cut, so nothing the wire had is missing). */
    const uint8_t *ip = e + ETH_LEN;
    uint32_t tot = core_be16(ip + 2);
    if (ip[0] != 0x45 || ip[9] != 6 || (core_be16(ip + 6) & 0x3fff) ||
        tot < IP_LEN + TCP_LEN || tot > pkt->caplen - ETH_LEN)
        return false;
    const uint8_t *t = ip + IP_LEN;
    uint32_t hlen = (uint32_t)(t[12] >> 4) * 4;
    uint8_t flags = t[13];
    if (hlen < TCP_LEN || hlen > tot - IP_LEN ||
        (flags & (TCP_SYN | TCP_FIN | TCP_RST)))
        return false;
    const uint8_t *payload = t + hlen;
    uint32_t n = tot - IP_LEN - hlen;
    int dir;
    int32_t c = bytes_conn(f, ip, t, &dir);
    if (c < 0) {
        /* No bytes of no connection: nothing to see. */
        if (n == 0)
            feed_begin(f);
        return n == 0;
    }
    struct conn *cn = &f->conns[c];
    struct half *h = &cn->half[dir], *other = &cn->half[!dir];
    uint32_t seq = core_be32(t + 4), ack = core_be32(t + 8);
    if ((flags & TCP_ACK) && other->seen && !other->fin &&
        seq_lt(other->next_seq, ack))
        return false; /* bytes lost: a gap to report */
    if (n) {
        /* Only bytes in the middle of a fragment, in order, that the
         * view would not read as SIP. */
        if (h->fin || !h->seen || !h->synced || seq != h->next_seq ||
            h->nooo || !h->in_record || h->markn || h->frag_left <= n ||
            decode_sip_probe_bytes(payload, n, true) == PROTO_SIP ||
            (!h->skip && !reserve(f, h, n, false)))
            return false;
    }
    feed_begin(f);
    lru_unlink(f, c);
    lru_front(f, c);
    if (n) {
        h->segments++;
        if (!h->skip) {
            memcpy(h->buf + h->len, payload, n);
            h->len += n;
        }
        h->frag_left -= n;
        h->next_seq = seq + n;
    }
    return true;
}

TRAWL_API size_t trawl_flows_feed(trawl_flows *f, trawl_view *v) {
    feed_begin(f);
    f->v = v;
    f->cut = false;
    v->ext = NULL;
    /* A view just set (trawl_view_set) is as decode_restart leaves it:
     * only one decoded further since needs it again. */
    if (v->nlayers != 1 || v->done)
        decode_restart(v);
    /* Decode as far as the transport carrying RPC: the first TCP or UDP
     * header that is not quoted in an ICMP error and carries no tunnel. */
    const struct decode_layer *tl = NULL;
    int32_t other = -1; /* a TCP layer carrying something else (SIP) */
    const uint64_t icmp =
        (uint64_t)1 << PROTO_ICMP | (uint64_t)1 << PROTO_ICMPV6;
    while (decode_more(v)) {
        const struct decode_layer *l = &v->layers[v->nlayers - 1];
        if ((l->proto != PROTO_TCP && l->proto != PROTO_UDP) ||
            ((v->protos_seen & icmp) && (decode_below(v, l, PROTO_ICMP) ||
                                         decode_below(v, l, PROTO_ICMPV6))))
            continue;
        if (v->done || v->next_proto == PROTO_RPC ||
            v->next_proto == PROTO_DATA) {
            tl = l;
            break;
        }
        if (other < 0 && l->proto == PROTO_TCP)
            other = (int32_t)(l - v->layers);
    }
    /* SIP (over UDP or TCP) may announce RTP sessions. */
    if (!tl && v->nlayers && v->layers[v->nlayers - 1].proto == PROTO_SIP)
        media_learn(f, v, &v->layers[v->nlayers - 1]);
    if (!tl && other >= 0) {
        /* Not RPC, but its connection's server may be known. */
        struct key k;
        if (v->layers[other].len >= 20 &&
            flow_key(v, &v->layers[other], &k) >= 0)
            server_note(f, v, &v->layers[other], &k);
        return 0;
    }
    if (!tl || tl->len < (tl->proto == PROTO_TCP ? 20u : 8u))
        return 0;
    struct key k;
    int dir = flow_key(v, tl, &k);
    if (dir < 0)
        return 0;
    f->ext.transport = (uint8_t)(tl - v->layers);
    if (tl->proto == PROTO_TCP) {
        server_note(f, v, tl, &k);
        tcp_packet(f, tl, &k, dir);
    } else {
        udp_packet(f, tl, &k);
    }
    size_t found = f->ext.nmsgs;
    /* A segment cut by the capture that completed nothing is decoded from
     * what it holds, as without flows. */
    if (f->cut && !found)
        f->ext.rpc = false;
    if (tl->proto == PROTO_UDP && !found && !f->ext.rpc)
        media_packet(f, v, tl);
    if (found || f->ext.rpc) {
        v->ext = &f->ext;
        v->anomalies |= f->ext.anomalies;
        if (found) {
            v->next_proto = PROTO_RPC;
            v->next_off = tl->off + tl->len;
            v->next_end = tl->end;
            v->done = false;
        } else {
            v->done = true;
        }
    } else if (f->ext.anomalies) {
        v->anomalies |= f->ext.anomalies;
    }
    return found;
}

TRAWL_API void trawl_flows_stats(const trawl_flows *f,
                                 struct trawl_flows_stats *out) {
    *out = f->st;
    out->connections = f->nconns;
    out->calls = f->ncalls;
    out->bytes_held = f->held;
}

TRAWL_API const char *const *trawl_flows_protocols(void) {
    static const char *const names[] = {"rpc", "portmap", "mount", "nfs",
                                        "nlm", "rtp", "data", NULL};
    return names;
}

/* By name, so that the anomaly flags of these protocols (fields of the
 * frame: rpc.gap, nfs.malformed) count too. */
TRAWL_API bool trawl_flows_field_matters(const trawl_field *f) {
    if (strcmp(f->name, "frame.protocols") == 0 ||
        strcmp(f->name, "tcp.serverport") == 0)
        return true;
    for (const char *const *p = trawl_flows_protocols(); *p; p++) {
        size_t n = strlen(*p);
        if (strncmp(f->name, *p, n) == 0 && f->name[n] == '.')
            return true;
    }
    return false;
}
