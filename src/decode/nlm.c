/* NLM, the Network Lock Manager, versions 1 to 4 (XNFS, RFC 1813
 * appendix): byte-range locks for NFS v2 and v3. Version 4 has 64-bit
 * offsets and lengths, the others 32-bit ones. */
#include "decode/nfs.h"

enum nlm_field {
    LF_PROC_V1,
    LF_PROC_V2,
    LF_PROC_V3,
    LF_PROC_V4,
    LF_COOKIE,
    LF_BLOCK,
    LF_EXCLUSIVE,
    LF_CALLER,
    LF_OWNER,
    LF_SVID,
    LF_OFFSET64,
    LF_OFFSET,
    LF_LEN64,
    LF_LEN,
    LF_RECLAIM,
    LF_STATE,
    LF_STAT,
    LF_TEST_STAT,
    LF_SHARE_MODE,
    LF_SHARE_ACCESS,
    LF_SHARE_NAME,
    LF_SEQUENCE,
    LF_COUNT
};

enum {
    NLM_NULL = 0,
    NLM_TEST = 1,
    NLM_LOCK = 2,
    NLM_CANCEL = 3,
    NLM_UNLOCK = 4,
    NLM_GRANTED = 5,
    NLM_TEST_MSG = 6,
    NLM_GRANTED_MSG = 10,
    NLM_TEST_RES = 11,
    NLM_GRANTED_RES = 15,
    NLM_SHARE = 20,
    NLM_UNSHARE = 21,
    NLM_NM_LOCK = 22,
    NLM_FREE_ALL = 23,
    NLM_DENIED = 1,
    NETOBJ_MAX = 1024,
    CALLER_MAX = 1024,
};

static const char *proc_name(uint64_t p) {
    static const char *const n[] = {
        "NULL",        "TEST",       "LOCK",        "CANCEL",
        "UNLOCK",      "GRANTED",    "TEST_MSG",    "LOCK_MSG",
        "CANCEL_MSG",  "UNLOCK_MSG", "GRANTED_MSG", "TEST_RES",
        "LOCK_RES",    "CANCEL_RES", "UNLOCK_RES",  "GRANTED_RES",
        NULL,          NULL,         NULL,          NULL,
        "SHARE",       "UNSHARE",    "NM_LOCK",     "FREE_ALL"};
    return p < TRAWL_ARRAY_LEN(n) ? n[p] : NULL;
}

static const char *stat_name(uint64_t s) {
    static const char *const n[] = {
        "NLM_GRANTED",      "NLM_DENIED",      "NLM_DENIED_NOLOCKS",
        "NLM_BLOCKED",      "NLM_DENIED_GRACE_PERIOD", "NLM_DEADLCK",
        "NLM_ROFS",         "NLM_STALE_FH",    "NLM_FBIG",
        "NLM_FAILED"};
    return s < TRAWL_ARRAY_LEN(n) ? n[s] : NULL;
}

static const char *const alias_stat[] = {"NLM.status", NULL};

#define LF(id, nm, lbl, ty, ...)                                               \
    [id] = {.name = nm, .label = lbl, .type = ty, .proto = PROTO_NLM,          \
            .get = decode_get_item, __VA_ARGS__}

static const struct trawl_field nlm_fields[LF_COUNT] = {
    LF(LF_PROC_V1, "nlm.procedure_v1", "V1 Procedure", TRAWL_FT_UINT,
       .value_name = proc_name, .bits = 32),
    LF(LF_PROC_V2, "nlm.procedure_v2", "V2 Procedure", TRAWL_FT_UINT,
       .value_name = proc_name, .bits = 32),
    LF(LF_PROC_V3, "nlm.procedure_v3", "V3 Procedure", TRAWL_FT_UINT,
       .value_name = proc_name, .bits = 32),
    LF(LF_PROC_V4, "nlm.procedure_v4", "V4 Procedure", TRAWL_FT_UINT,
       .value_name = proc_name, .bits = 32),
    LF(LF_COOKIE, "nlm.cookie", "cookie", TRAWL_FT_BYTES),
    LF(LF_BLOCK, "nlm.block", "block", TRAWL_FT_BOOL),
    LF(LF_EXCLUSIVE, "nlm.exclusive", "exclusive", TRAWL_FT_BOOL),
    LF(LF_CALLER, "nlm.lock.caller_name", "caller_name", TRAWL_FT_STRING),
    LF(LF_OWNER, "nlm.lock.owner", "owner", TRAWL_FT_BYTES),
    LF(LF_SVID, "nlm.lock.svid", "svid", TRAWL_FT_UINT, .bits = 32),
    LF(LF_OFFSET64, "nlm.lock.l_offset64", "l_offset", TRAWL_FT_UINT),
    LF(LF_OFFSET, "nlm.lock.l_offset", "l_offset", TRAWL_FT_UINT, .bits = 32),
    LF(LF_LEN64, "nlm.lock.l_len64", "l_len", TRAWL_FT_UINT),
    LF(LF_LEN, "nlm.lock.l_len", "l_len", TRAWL_FT_UINT, .bits = 32),
    LF(LF_RECLAIM, "nlm.reclaim", "reclaim", TRAWL_FT_BOOL),
    LF(LF_STATE, "nlm.state", "state", TRAWL_FT_UINT, .bits = 32),
    LF(LF_STAT, "nlm.stat", "stat", TRAWL_FT_UINT, .aliases = alias_stat,
       .value_name = stat_name, .bits = 32),
    LF(LF_TEST_STAT, "nlm.test_stat.stat", "stat", TRAWL_FT_UINT,
       .value_name = stat_name, .bits = 32),
    LF(LF_SHARE_MODE, "nlm.share.mode", "mode", TRAWL_FT_UINT, .bits = 32),
    LF(LF_SHARE_ACCESS, "nlm.share.access", "access", TRAWL_FT_UINT,
       .bits = 32),
    LF(LF_SHARE_NAME, "nlm.share.name", "name", TRAWL_FT_STRING),
    LF(LF_SEQUENCE, "nlm.sequence", "sequence", TRAWL_FT_INT, .bits = 32),
};

#define F(id) (&nlm_fields[id])

static void cookie(struct xdr *x) {
    uint32_t n;
    xdr_item_opaque(x, F(LF_COOKIE), NETOBJ_MAX, &n);
}

static void fh(struct xdr *x) {
    uint32_t len;
    const uint8_t *p = xdr_opaque(x, NETOBJ_MAX, &len);
    if (p)
        decode_nfs_fh_bytes(x, p, len, true);
}

static void range(struct xdr *x, bool v4) {
    if (v4) {
        xdr_item_u64(x, F(LF_OFFSET64));
        xdr_item_u64(x, F(LF_LEN64));
    } else {
        xdr_item_u32(x, F(LF_OFFSET));
        xdr_item_u32(x, F(LF_LEN));
    }
}

static void lock(struct xdr *x, bool v4) {
    uint32_t n;
    decode_item_enter(x->v);
    xdr_item_opaque(x, F(LF_CALLER), CALLER_MAX, &n);
    fh(x);
    xdr_item_opaque(x, F(LF_OWNER), NETOBJ_MAX, &n);
    xdr_item_u32(x, F(LF_SVID));
    range(x, v4);
    decode_item_leave(x->v);
}

static void holder(struct xdr *x, bool v4) {
    uint32_t n;
    decode_item_enter(x->v);
    xdr_item_bool(x, F(LF_EXCLUSIVE));
    xdr_item_u32(x, F(LF_SVID));
    xdr_item_opaque(x, F(LF_OWNER), NETOBJ_MAX, &n);
    range(x, v4);
    decode_item_leave(x->v);
}

static void share(struct xdr *x) {
    uint32_t n;
    decode_item_enter(x->v);
    xdr_item_opaque(x, F(LF_CALLER), CALLER_MAX, &n);
    fh(x);
    xdr_item_opaque(x, F(LF_OWNER), NETOBJ_MAX, &n);
    xdr_item_u32(x, F(LF_SHARE_MODE));
    xdr_item_u32(x, F(LF_SHARE_ACCESS));
    decode_item_leave(x->v);
}

static void testres(struct xdr *x, bool v4) {
    cookie(x);
    if (xdr_item_u32(x, F(LF_TEST_STAT)) == NLM_DENIED && !xdr_bad(x))
        holder(x, v4);
}

static void res(struct xdr *x) {
    cookie(x);
    xdr_item_u32(x, F(LF_STAT));
}

/* Calls: procedures 0-5 and 22 are answered in their reply; 6-10 (the
 * _MSG ones) send their answer later as a call of 11-15 (_RES). */
static void nlm_call(struct xdr *x, uint32_t proc, bool v4) {
    uint32_t n;
    uint32_t base = proc >= NLM_TEST_MSG && proc <= NLM_GRANTED_MSG
                        ? proc - (NLM_TEST_MSG - NLM_TEST)
                        : proc;
    switch (base) {
    case NLM_TEST:
    case NLM_GRANTED:
        cookie(x);
        xdr_item_bool(x, F(LF_EXCLUSIVE));
        lock(x, v4);
        return;
    case NLM_LOCK:
    case NLM_NM_LOCK:
        cookie(x);
        xdr_item_bool(x, F(LF_BLOCK));
        xdr_item_bool(x, F(LF_EXCLUSIVE));
        lock(x, v4);
        xdr_item_bool(x, F(LF_RECLAIM));
        xdr_item_u32(x, F(LF_STATE));
        return;
    case NLM_CANCEL:
        cookie(x);
        xdr_item_bool(x, F(LF_BLOCK));
        xdr_item_bool(x, F(LF_EXCLUSIVE));
        lock(x, v4);
        return;
    case NLM_UNLOCK:
        cookie(x);
        lock(x, v4);
        return;
    }
    if (proc == NLM_TEST_RES) {
        testres(x, v4);
    } else if (proc > NLM_TEST_RES && proc <= NLM_GRANTED_RES) {
        res(x);
    } else if (proc == NLM_SHARE || proc == NLM_UNSHARE) {
        cookie(x);
        share(x);
        xdr_item_bool(x, F(LF_RECLAIM));
    } else if (proc == NLM_FREE_ALL) {
        xdr_item_opaque(x, F(LF_SHARE_NAME), CALLER_MAX, &n);
        xdr_item_u32(x, F(LF_STATE));
    }
}

static void nlm_reply(struct xdr *x, uint32_t proc, bool v4) {
    switch (proc) {
    case NLM_TEST: testres(x, v4); break;
    case NLM_LOCK:
    case NLM_CANCEL:
    case NLM_UNLOCK:
    case NLM_GRANTED:
    case NLM_NM_LOCK: res(x); break;
    case NLM_SHARE:
    case NLM_UNSHARE:
        res(x);
        {
            uint32_t seq = xdr_u32(x);
            if (!xdr_bad(x))
                decode_item_u(x->v, F(LF_SEQUENCE),
                              (uint64_t)(int64_t)(int32_t)seq);
        }
        break;
    }
}

static void decode_nlm(struct trawl_view *v) {
    const struct decode_rpc_state *r = &v->rpc;
    struct xdr x;
    struct decode_layer *l = decode_rpc_program(v, PROTO_NLM, &x);
    if (!l)
        return;
    static const enum nlm_field proc_field[] = {LF_PROC_V1, LF_PROC_V2,
                                                LF_PROC_V3, LF_PROC_V4};
    if (r->vers >= 1 && r->vers <= 4) {
        decode_item_u(v, F(proc_field[r->vers - 1]), r->proc);
        if (r->call)
            nlm_call(&x, r->proc, r->vers == 4);
        else
            nlm_reply(&x, r->proc, r->vers == 4);
    }
    decode_rpc_program_end(v, l, &x, ANOM_NLM_MALFORMED);
}

const struct decode_proto decode_proto_nlm = {
    .id = PROTO_NLM,
    .name = "nlm",
    .title = "Network Lock Manager Protocol",
    .decode = decode_nlm,
    .fields = nlm_fields,
    .nfields = TRAWL_ARRAY_LEN(nlm_fields),
    .protocols = decode_rpc_program_protocols,
};
