/* ONC RPC v2 (RFC 5531): calls and replies over UDP, and over TCP with
 * record marking, and the dispatch to the programs trawl decodes above it
 * (PORTMAP, MOUNT, NFS, NLM).
 *
 * Where the messages come from:
 *   - with flows (trawl/flows.h), v->ext lists the messages that
 *     completed in this packet — records reassembled from several
 *     segments included — and, for replies, what their calls were;
 *   - without, a UDP datagram is one message, and a TCP segment is read
 *     as the records that start in it: one that runs past the segment is
 *     decoded as far as it goes.
 * A reply says nothing of what it answers: its results are decoded only
 * when its call is known, which takes flows. */
#include "decode/xdr.h"

enum {
    MSG_CALL = 0,
    MSG_REPLY = 1,
    REPLY_ACCEPTED = 0,
    REPLY_DENIED = 1,
    ACCEPT_SUCCESS = 0,
    ACCEPT_PROG_MISMATCH = 2,
    REJECT_RPC_MISMATCH = 0,
    REJECT_AUTH_ERROR = 1,
    AUTH_NULL = 0,
    AUTH_UNIX = 1,
    RPCSEC_GSS = 6,
    /* RFC 5531: an opaque_auth body holds at most 400 bytes. */
    AUTH_MAX = 400,
    /* The smallest message: a denied reply (xid, type, stat, reject_stat,
     * auth_stat). */
    MSG_MIN = 20,
    PORT_PORTMAP = 111,
    PORT_NFS = 2049,
    PROG_PORTMAP = 100000,
    PROG_RQUOTA = 100011,
    PROG_NFS = 100003,
    PROG_MOUNT = 100005,
    PROG_NLM = 100021,
    PROG_STATUS = 100024,
    PROG_NFS_ACL = 100227,
    AUX_GIDS_MAX = 16,
};

enum rpc_field {
    RF_LASTFRAG,
    RF_FRAGLEN,
    RF_XID,
    RF_MSGTYP,
    RF_VERSION,
    RF_PROGRAM,
    RF_PROGVERS,
    RF_PROCEDURE,
    RF_REPLYSTAT,
    RF_REQFRAME,
    RF_REPLYFRAME,
    RF_TIME,
    RF_FLAVOR,
    RF_AUTH_LEN,
    RF_STAMP,
    RF_MACHINE,
    RF_UID,
    RF_GID,
    RF_ACCEPT,
    RF_REJECT,
    RF_AUTH_STATE,
    RF_VERS_MIN,
    RF_VERS_MAX,
    RF_PROGVERS_MIN,
    RF_PROGVERS_MAX,
    RF_COUNT
};

static const char *program_name(uint64_t p) {
    switch (p) {
    case PROG_PORTMAP: return "Portmap";
    case PROG_NFS: return "NFS";
    case PROG_MOUNT: return "MOUNT";
    case PROG_RQUOTA: return "RQUOTA";
    case PROG_NLM: return "NLM";
    case PROG_STATUS: return "STAT";
    case PROG_NFS_ACL: return "NFSACL";
    default: return NULL;
    }
}

static const char *msgtyp_name(uint64_t t) {
    return t == MSG_CALL ? "Call" : t == MSG_REPLY ? "Reply" : NULL;
}

static const char *flavor_name(uint64_t f) {
    switch (f) {
    case 0: return "AUTH_NULL";
    case 1: return "AUTH_UNIX";
    case 2: return "AUTH_SHORT";
    case 3: return "AUTH_DES";
    case 6: return "RPCSEC_GSS";
    case 390003: return "RPCSEC_GSS_KRB5";
    case 390004: return "RPCSEC_GSS_KRB5I";
    case 390005: return "RPCSEC_GSS_KRB5P";
    default: return NULL;
    }
}

static const char *replystat_name(uint64_t s) {
    return s == REPLY_ACCEPTED ? "accepted" : s == REPLY_DENIED ? "denied" : NULL;
}

static const char *accept_name(uint64_t s) {
    static const char *const names[] = {
        "RPC executed successfully", "remote hasn't exported program",
        "remote can't support version #", "program can't support procedure",
        "procedure can't decode params", "remote system error"};
    return s < TRAWL_ARRAY_LEN(names) ? names[s] : NULL;
}

static const char *reject_name(uint64_t s) {
    return s == 0 ? "RPC_MISMATCH" : s == 1 ? "AUTH_ERROR" : NULL;
}

static const char *const alias_xid[] = {"RPC.xid", NULL};
static const char *const alias_type[] = {"RPC.type", NULL};
static const char *const alias_rpcvers[] = {"RPC.rpc_version", NULL};
static const char *const alias_prog[] = {"RPC.program", NULL};
/* pktt's RPC.version is the program's version: written exactly so, it
 * finds rpc.programversion (trawl_field_lookup prefers an exact spelling
 * to rpc.version, the RPC protocol's own version). */
static const char *const alias_vers[] = {"RPC.version", NULL};
static const char *const alias_proc[] = {"RPC.procedure", NULL};
static const char *const alias_replystat[] = {"RPC.reply_status", NULL};
static const char *const alias_accept[] = {"RPC.accepted_status", NULL};
static const char *const alias_reject[] = {"RPC.rejected_status", NULL};
static const char *const alias_authstat[] = {"RPC.auth_status", NULL};
static const char *const alias_lastfrag[] = {"RPC.fragment_hdr.last_fragment",
                                             NULL};
static const char *const alias_fraglen[] = {"RPC.fragment_hdr.size", NULL};
static const char *const alias_flavor[] = {"RPC.credential.flavor", NULL};

#define RPC_FIELD(id, nm, lbl, ty, ...)                                        \
    [id] = {.name = nm, .label = lbl, .type = ty, .proto = PROTO_RPC,          \
            .get = decode_get_item, .bits = 32, __VA_ARGS__}

static const struct trawl_field rpc_fields[RF_COUNT] = {
    RPC_FIELD(RF_LASTFRAG, "rpc.lastfrag", "Last Fragment", TRAWL_FT_BOOL,
              .aliases = alias_lastfrag),
    RPC_FIELD(RF_FRAGLEN, "rpc.fraglen", "Fragment Length", TRAWL_FT_UINT,
              .aliases = alias_fraglen),
    RPC_FIELD(RF_XID, "rpc.xid", "XID", TRAWL_FT_UINT, .display = DISP_HEX,
              .width = 8, .aliases = alias_xid),
    RPC_FIELD(RF_MSGTYP, "rpc.msgtyp", "Message Type", TRAWL_FT_UINT,
              .aliases = alias_type, .value_name = msgtyp_name),
    RPC_FIELD(RF_VERSION, "rpc.version", "RPC Version", TRAWL_FT_UINT,
              .aliases = alias_rpcvers),
    RPC_FIELD(RF_PROGRAM, "rpc.program", "Program", TRAWL_FT_UINT,
              .aliases = alias_prog, .value_name = program_name),
    RPC_FIELD(RF_PROGVERS, "rpc.programversion", "Program Version",
              TRAWL_FT_UINT, .aliases = alias_vers),
    RPC_FIELD(RF_PROCEDURE, "rpc.procedure", "Procedure", TRAWL_FT_UINT,
              .aliases = alias_proc),
    RPC_FIELD(RF_REPLYSTAT, "rpc.replystat", "Reply State", TRAWL_FT_UINT,
              .aliases = alias_replystat, .value_name = replystat_name),
    /* tshark names the call's frame, shown in its reply, rpc.repframe, and
     * the reply's frame, shown in the call, rpc.reqframe: that one needs
     * the packets after, which only a second pass has (flows.h). */
    RPC_FIELD(RF_REQFRAME, "rpc.repframe", "Request in frame", TRAWL_FT_UINT),
    RPC_FIELD(RF_REPLYFRAME, "rpc.reqframe", "Reply in frame", TRAWL_FT_UINT),
    RPC_FIELD(RF_TIME, "rpc.time", "Time from request", TRAWL_FT_RELTIME),
    RPC_FIELD(RF_FLAVOR, "rpc.auth.flavor", "Flavor", TRAWL_FT_UINT,
              .aliases = alias_flavor, .value_name = flavor_name),
    RPC_FIELD(RF_AUTH_LEN, "rpc.auth.length", "Length", TRAWL_FT_UINT),
    RPC_FIELD(RF_STAMP, "rpc.auth.stamp", "Stamp", TRAWL_FT_UINT,
              .display = DISP_HEX, .width = 8),
    RPC_FIELD(RF_MACHINE, "rpc.auth.machinename", "Machine Name",
              TRAWL_FT_STRING),
    RPC_FIELD(RF_UID, "rpc.auth.uid", "UID", TRAWL_FT_UINT),
    RPC_FIELD(RF_GID, "rpc.auth.gid", "GID", TRAWL_FT_UINT),
    RPC_FIELD(RF_ACCEPT, "rpc.state_accept", "Accept State", TRAWL_FT_UINT,
              .aliases = alias_accept, .value_name = accept_name),
    RPC_FIELD(RF_REJECT, "rpc.state_reject", "Reject State", TRAWL_FT_UINT,
              .aliases = alias_reject, .value_name = reject_name),
    RPC_FIELD(RF_AUTH_STATE, "rpc.state_auth", "Auth State", TRAWL_FT_UINT,
              .aliases = alias_authstat),
    RPC_FIELD(RF_VERS_MIN, "rpc.version.min", "RPC Version (Minimum)",
              TRAWL_FT_UINT),
    RPC_FIELD(RF_VERS_MAX, "rpc.version.max", "RPC Version (Maximum)",
              TRAWL_FT_UINT),
    RPC_FIELD(RF_PROGVERS_MIN, "rpc.programversion.min",
              "Program Version (Minimum)", TRAWL_FT_UINT),
    RPC_FIELD(RF_PROGVERS_MAX, "rpc.programversion.max",
              "Program Version (Maximum)", TRAWL_FT_UINT),
};

#define F(id) (&rpc_fields[id])

/* ---- recognising RPC ----------------------------------------------------- */

static bool rpc_port(uint16_t port) {
    return port == PORT_PORTMAP || port == PORT_NFS;
}

/* Programs whose calls are taken for RPC on any port. */
static bool known_program(uint32_t prog) {
    return program_name(prog) != NULL;
}

/* Whether `len` bytes at p begin an RPC call: version 2, to a known
 * program or, on an RPC port, to any program. A reply is taken for RPC
 * only when the flows know its call, as tshark takes it: nothing else
 * tells a reply apart from other bytes. */
static bool looks_like_call(const uint8_t *p, size_t len, bool on_port) {
    if (len < 24 || core_be32(p + 4) != MSG_CALL || core_be32(p + 8) != 2)
        return false;
    return on_port || known_program(core_be32(p + 12));
}

uint16_t decode_rpc_probe(const struct trawl_view *v, uint32_t off,
                          uint32_t end, uint16_t sport, uint16_t dport,
                          bool tcp) {
    bool on_port = rpc_port(sport) || rpc_port(dport);
    if (end <= off)
        return PROTO_DATA;
    const uint8_t *p = v->data + off;
    size_t len = end - off;
    if (tcp) {
        if (len < 4 + 8)
            return PROTO_DATA;
        uint32_t fraglen = core_be32(p) & 0x7fffffff;
        if (fraglen < MSG_MIN)
            return PROTO_DATA;
        p += 4;
        len -= 4;
    }
    return looks_like_call(p, len, on_port) ? PROTO_RPC : PROTO_DATA;
}

/* ---- the header ------------------------------------------------------------ */

/* opaque_auth: flavor, length, body (AUTH_UNIX bodies decoded). tshark
 * calls the length of an RPCSEC_GSS verifier a token length, not
 * rpc.auth.length. */
static void auth(struct xdr *x, bool verifier) {
    uint32_t flavor = xdr_item_u32(x, F(RF_FLAVOR));
    uint32_t len = verifier && flavor == RPCSEC_GSS
                       ? xdr_u32(x)
                       : xdr_item_u32(x, F(RF_AUTH_LEN));
    if (xdr_bad(x))
        return;
    if (len > AUTH_MAX) {
        decode_anomaly(x->v, ANOM_RPC_AUTH_TOO_LONG);
        x->c.bad = true;
        return;
    }
    const uint8_t *body = xdr_fixed(x, len);
    if (!body || flavor != AUTH_UNIX)
        return;
    struct xdr b;
    xdr_init(&b, x->v, body, len);
    decode_item_enter(x->v);
    xdr_item_u32(&b, F(RF_STAMP));
    uint32_t n;
    xdr_item_opaque(&b, F(RF_MACHINE), 255, &n);
    xdr_item_u32(&b, F(RF_UID));
    xdr_item_u32(&b, F(RF_GID));
    uint32_t ngids = xdr_count(&b, AUX_GIDS_MAX);
    for (uint32_t i = 0; i < ngids && !xdr_bad(&b); i++)
        xdr_item_u32(&b, F(RF_GID));
    decode_item_leave(x->v);
}

/* The decoder of a program's version, PROTO_DATA for a version trawl
 * (and tshark) does not know, PROTO_NONE for a program it does not. */
static uint16_t program_proto(uint32_t prog, uint32_t vers) {
    switch (prog) {
    case PROG_PORTMAP: return vers >= 1 && vers <= 4 ? PROTO_PORTMAP : PROTO_DATA;
    case PROG_MOUNT: return vers >= 1 && vers <= 3 ? PROTO_MOUNT : PROTO_DATA;
    case PROG_NFS: return vers >= 2 && vers <= 4 ? PROTO_NFS : PROTO_DATA;
    case PROG_NLM: return vers >= 1 && vers <= 4 ? PROTO_NLM : PROTO_DATA;
    default: return PROTO_NONE;
    }
}

/* Where the next message of this packet is, if there is one. */
void decode_rpc_next(struct trawl_view *v) {
    struct decode_rpc_state *r = &v->rpc;
    if (v->ext) {
        decode_continue(v, r->next_msg < v->ext->nmsgs ? PROTO_RPC
                                                       : PROTO_NONE);
        return;
    }
    if (!r->tcp || r->next_mark >= r->payload_end) {
        v->done = true;
        return;
    }
    /* What follows the last record in the segment: another record, or
     * bytes trawl does not know. */
    uint32_t left = r->payload_end - r->next_mark;
    const uint8_t *p = v->data + r->next_mark;
    bool more = left >= 4 + 8 && (core_be32(p) & 0x7fffffff) >= MSG_MIN &&
                looks_like_call(p + 4, left - 4, true);
    decode_next(v, more ? PROTO_RPC : PROTO_DATA, r->next_mark,
                r->payload_end);
}

/* Chooses the message to decode: the next one of v->ext, the datagram,
 * or the record at v->next_off. False when there is none. */
static bool take_message(struct trawl_view *v) {
    struct decode_rpc_state *r = &v->rpc;
    if (!r->started) {
        r->started = true;
        const struct decode_layer *below = &v->layers[v->nlayers - 1];
        r->tcp = below->proto == PROTO_TCP;
        r->payload_end = v->next_end;
    }
    r->partial = false;
    if (v->ext) {
        if (r->next_msg >= v->ext->nmsgs)
            return false;
        const struct decode_rpc_msg *m = &v->ext->msgs[r->next_msg++];
        r->msg = m->p;
        r->len = m->len;
        r->ref = m->in_packet ? 0 : (uint8_t)r->next_msg;
        r->base = m->in_packet ? m->pkt_off : 0;
        if (r->tcp)
            r->next_mark = r->payload_end;
        return true;
    }
    uint32_t off = v->next_off, end = v->next_end;
    r->ref = 0;
    if (!r->tcp) {
        r->msg = v->data + off;
        r->len = end - off;
        r->base = off;
        r->partial = v->pkt.caplen < v->pkt.len;
        return true;
    }
    if (end - off < 4)
        return false;
    uint32_t mark = core_be32(v->data + off);
    uint32_t fraglen = mark & 0x7fffffff;
    uint32_t have = end - off - 4;
    r->msg = v->data + off + 4;
    r->base = off + 4;
    r->len = fraglen < have ? fraglen : have;
    /* A record that goes on in later segments, or in more fragments
     * (which follow it here only when the whole record fits): decoded as
     * far as this fragment goes, and nothing after it. */
    r->partial = fraglen > have || !(mark >> 31);
    r->next_mark = r->partial ? end : off + 4 + fraglen;
    return true;
}

static const struct decode_rpc_msg *current_ext(const struct trawl_view *v) {
    return v->ext ? &v->ext->msgs[v->rpc.next_msg - 1] : NULL;
}

static void decode_rpc(struct trawl_view *v) {
    struct decode_rpc_state *r = &v->rpc;
    if (!take_message(v)) {
        v->done = true;
        return;
    }
    const struct decode_rpc_msg *m = current_ext(v);
    if (m && m->unpaired) {
        /* A reply to a call not seen: its bytes, and those after it in the
         * segment, are data, as tshark shows them. */
        decode_next(v, PROTO_DATA, m->pkt_off - (r->tcp ? 4 : 0),
                    r->payload_end);
        return;
    }
    /* Over TCP the layer starts at the record mark. */
    bool mark_here = r->tcp && r->ref == 0;
    struct decode_layer *l =
        decode_push_msg(v, PROTO_RPC, 0, r->len < 8 ? r->len : 8, r->len);
    if (!l)
        return;
    if (mark_here) {
        l->off -= 4;
        l->len += 4;
    }
    if (r->tcp && m && m->nmarks > 1) {
        /* A record of several fragments: each one's mark. */
        for (unsigned i = 0; i < m->nmarks; i++) {
            decode_item_u(v, F(RF_LASTFRAG), m->marks[i] >> 31);
            decode_item_u(v, F(RF_FRAGLEN), m->marks[i] & 0x7fffffff);
        }
    } else if (r->tcp) {
        uint32_t mark = m ? m->mark : core_be32(r->msg - 4);
        decode_item_u(v, F(RF_LASTFRAG), mark >> 31);
        decode_item_u(v, F(RF_FRAGLEN), m ? m->len : mark & 0x7fffffff);
    }
    struct xdr x;
    xdr_init(&x, v, r->msg, r->len);
    r->xid = xdr_item_u32(&x, F(RF_XID));
    uint32_t type = xdr_item_u32(&x, F(RF_MSGTYP));
    r->call = type == MSG_CALL;
    r->known = false;
    uint16_t next = PROTO_NONE;
    if (r->call) {
        uint32_t rpcvers = xdr_item_u32(&x, F(RF_VERSION));
        r->prog = xdr_item_u32(&x, F(RF_PROGRAM));
        r->vers = xdr_item_u32(&x, F(RF_PROGVERS));
        r->proc = xdr_item_u32(&x, F(RF_PROCEDURE));
        if (m && m->reply_frame && !xdr_bad(&x))
            decode_item_u(v, F(RF_REPLYFRAME), m->reply_frame);
        if (!xdr_bad(&x) && rpcvers != 2) {
            decode_anomaly(v, ANOM_RPC_BAD_VERSION);
            x.c.bad = true;
        }
        if (!xdr_bad(&x))
            auth(&x, false);
        if (!xdr_bad(&x))
            auth(&x, true);
        r->known = !xdr_bad(&x);
        if (r->known)
            next = program_proto(r->prog, r->vers);
    } else if (type == MSG_REPLY) {
        if (m && m->has_call) {
            r->prog = m->prog;
            r->vers = m->vers;
            r->proc = m->proc;
            decode_item_u(v, F(RF_PROGRAM), r->prog);
            decode_item_u(v, F(RF_PROGVERS), r->vers);
            decode_item_u(v, F(RF_PROCEDURE), r->proc);
        }
        uint32_t stat = xdr_item_u32(&x, F(RF_REPLYSTAT));
        if (m && m->has_call && !xdr_bad(&x)) {
            decode_item_u(v, F(RF_REQFRAME), m->call_frame);
            decode_item_u(v, F(RF_TIME), (uint64_t)m->call_delta_ns);
        }
        if (stat == REPLY_ACCEPTED) {
            auth(&x, true);
            uint32_t accept = xdr_item_u32(&x, F(RF_ACCEPT));
            if (accept == ACCEPT_PROG_MISMATCH) {
                xdr_item_u32(&x, F(RF_PROGVERS_MIN));
                xdr_item_u32(&x, F(RF_PROGVERS_MAX));
            }
            r->known = m && m->has_call && !xdr_bad(&x) &&
                       accept == ACCEPT_SUCCESS;
            if (r->known)
                next = program_proto(r->prog, r->vers);
        } else if (stat == REPLY_DENIED) {
            uint32_t reject = xdr_item_u32(&x, F(RF_REJECT));
            if (reject == REJECT_RPC_MISMATCH) {
                xdr_item_u32(&x, F(RF_VERS_MIN));
                xdr_item_u32(&x, F(RF_VERS_MAX));
            } else if (reject == REJECT_AUTH_ERROR) {
                xdr_item_u32(&x, F(RF_AUTH_STATE));
            }
        }
    }
    /* A message shorter than its header, not because it continues in a
     * later segment or was cut by the capture, is malformed. */
    if (xdr_bad(&x) && !r->partial)
        decode_anomaly(v, ANOM_RPC_TRUNCATED);
    r->body = (uint32_t)x.c.pos;
    l->len = (mark_here ? 4 : 0) + r->body;
    if (r->ref == 0 && v->pkt.caplen < v->pkt.len)
        r->partial = true;
    if (next == PROTO_DATA && r->body < r->len) {
        /* A version of a known program tshark does not decode either: it
         * shows the procedure again, then the bytes. */
        decode_item_hidden(v, F(RF_PROGVERS), r->vers);
        decode_item_hidden(v, F(RF_PROCEDURE), r->proc);
        decode_next(v, PROTO_DATA, r->base + r->body, r->base + r->len);
        if (r->ref == 0)
            return;
        next = PROTO_NONE; /* bytes of a reassembled record: not shown */
    }
    if (next != PROTO_NONE && next != PROTO_DATA && r->known) {
        decode_continue(v, next);
        return;
    }
    decode_rpc_next(v);
}

struct decode_layer *decode_rpc_program(struct trawl_view *v, uint16_t proto,
                                        struct xdr *x) {
    const struct decode_rpc_state *r = &v->rpc;
    struct decode_layer *l = decode_push_msg(v, proto, r->body, 0, r->len);
    if (!l)
        return NULL;
    l->aux = r->proc;
    /* The program's layer repeats the version, as tshark's does. */
    decode_item_hidden(v, F(RF_PROGVERS), r->vers);
    xdr_init(x, v, r->msg + r->body, r->len - r->body);
    return l;
}

void decode_rpc_program_end(struct trawl_view *v, struct decode_layer *l,
                            const struct xdr *x,
                            enum decode_anomaly_id malformed) {
    /* An operation trawl cannot walk is no malformed message. */
    if (xdr_bad(x) && !v->rpc.partial &&
        !(v->anomalies & ANOM_BIT(ANOM_NFS_UNKNOWN_OP)))
        decode_anomaly(v, malformed);
    l->len = (uint32_t)x->c.pos;
    decode_rpc_next(v);
}

const char *decode_rpc_program_protocols(const struct trawl_view *v,
                                         const struct decode_layer *l,
                                         const struct decode_layer *below) {
    (void)v;
    (void)below;
    return l->end == l->off ? NULL : decode_protos[l->proto]->name;
}

/* tshark lists rpc once for the records that lie in a segment, and once
 * for each one it reassembled. */
static const char *rpc_protocols(const struct trawl_view *v,
                                 const struct decode_layer *l,
                                 const struct decode_layer *below) {
    (void)below;
    const struct decode_layer *prev = decode_below(v, l, PROTO_RPC);
    return prev && !prev->msg && !l->msg ? NULL : "rpc";
}

const struct decode_proto decode_proto_rpc = {
    .id = PROTO_RPC,
    .name = "rpc",
    .title = "Remote Procedure Call",
    .decode = decode_rpc,
    .fields = rpc_fields,
    .nfields = TRAWL_ARRAY_LEN(rpc_fields),
    .protocols = rpc_protocols,
};
