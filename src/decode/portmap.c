/* PORTMAP v2 (RFC 1833 section 3) and RPCBIND v3/v4 (RFC 1833 section 2):
 * the RPC program that maps programs to ports (111). Its calls and
 * replies carry mappings; a reply is decoded only when its call is known
 * (rpc.c). */
#include "decode/xdr.h"

enum pm_field {
    PF_PROC_V2,
    PF_PROC_V3,
    PF_PROC_V4,
    PF_PROG,
    PF_VERSION,
    PF_PROTO,
    PF_PORT,
    PF_PROC,
    PF_ANSWER,
    PF_RPCB_PROG,
    PF_RPCB_VERSION,
    PF_RPCB_NETID,
    PF_RPCB_ADDR,
    PF_RPCB_OWNER,
    PF_UADDR,
    PF_COUNT
};

enum {
    PMAP_NULL = 0,
    PMAP_SET = 1,
    PMAP_UNSET = 2,
    PMAP_GETPORT = 3,
    PMAP_DUMP = 4,
    PMAP_CALLIT = 5,
    RPCB_GETADDR = 3,
    RPCB_DUMP = 4,
    RPCB_GETTIME = 6,
    /* Entries of a DUMP reply: more than any rpcbind holds. */
    DUMP_MAX = 1024,
    STR_MAX = 1024,
};

static const char *v2_proc_name(uint64_t p) {
    static const char *const n[] = {"NULL", "SET", "UNSET",
                                    "GETPORT", "DUMP", "CALLIT"};
    return p < TRAWL_ARRAY_LEN(n) ? n[p] : NULL;
}

static const char *rpcb_proc_name(uint64_t p) {
    static const char *const n[] = {
        "NULL",    "SET",           "UNSET",         "GETADDR",
        "DUMP",    "CALLIT",        "GETTIME",       "UADDR2TADDR",
        "TADDR2UADDR", "GETVERSADDR", "INDIRECT",    "GETADDRLIST",
        "GETSTAT"};
    return p < TRAWL_ARRAY_LEN(n) ? n[p] : NULL;
}

static const char *proto_name(uint64_t p) {
    return p == 6 ? "TCP" : p == 17 ? "UDP" : NULL;
}

static const char *const alias_prog[] = {"PORTMAP.prog", NULL};
static const char *const alias_vers[] = {"PORTMAP.vers", NULL};
static const char *const alias_prot[] = {"PORTMAP.prot", NULL};
static const char *const alias_port[] = {"PORTMAP.port", NULL};

#define PM_FIELD(id, nm, lbl, ty, ...)                                         \
    [id] = {.name = nm, .label = lbl, .type = ty, .proto = PROTO_PORTMAP,      \
            .get = decode_get_item, __VA_ARGS__}

static const struct trawl_field pm_fields[PF_COUNT] = {
    PM_FIELD(PF_PROC_V2, "portmap.procedure_v2", "V2 Procedure", TRAWL_FT_UINT,
             .value_name = v2_proc_name, .bits = 32),
    PM_FIELD(PF_PROC_V3, "portmap.procedure_v3", "V3 Procedure", TRAWL_FT_UINT,
             .value_name = rpcb_proc_name, .bits = 32),
    PM_FIELD(PF_PROC_V4, "portmap.procedure_v4", "V4 Procedure", TRAWL_FT_UINT,
             .value_name = rpcb_proc_name, .bits = 32),
    PM_FIELD(PF_PROG, "portmap.prog", "Program", TRAWL_FT_UINT,
             .aliases = alias_prog, .bits = 32),
    PM_FIELD(PF_VERSION, "portmap.version", "Version", TRAWL_FT_UINT,
             .aliases = alias_vers, .bits = 32),
    PM_FIELD(PF_PROTO, "portmap.proto", "Protocol", TRAWL_FT_UINT,
             .aliases = alias_prot, .value_name = proto_name, .bits = 32),
    PM_FIELD(PF_PORT, "portmap.port", "Port", TRAWL_FT_UINT,
             .aliases = alias_port, .bits = 32),
    PM_FIELD(PF_PROC, "portmap.proc", "Procedure", TRAWL_FT_UINT, .bits = 32),
    PM_FIELD(PF_ANSWER, "portmap.answer", "Answer", TRAWL_FT_BOOL),
    PM_FIELD(PF_RPCB_PROG, "portmap.rpcb.prog", "Program", TRAWL_FT_UINT,
             .bits = 32),
    PM_FIELD(PF_RPCB_VERSION, "portmap.rpcb.version", "Version", TRAWL_FT_UINT,
             .bits = 32),
    PM_FIELD(PF_RPCB_NETID, "portmap.rpcb.netid", "Network Id",
             TRAWL_FT_STRING),
    PM_FIELD(PF_RPCB_ADDR, "portmap.rpcb.addr", "Universal Address",
             TRAWL_FT_STRING),
    PM_FIELD(PF_RPCB_OWNER, "portmap.rpcb.owner", "Owner of this Service",
             TRAWL_FT_STRING),
    PM_FIELD(PF_UADDR, "portmap.uaddr", "Universal Address", TRAWL_FT_STRING),
};

#define F(id) (&pm_fields[id])

static void mapping(struct xdr *x) {
    xdr_item_u32(x, F(PF_PROG));
    xdr_item_u32(x, F(PF_VERSION));
    xdr_item_u32(x, F(PF_PROTO));
    xdr_item_u32(x, F(PF_PORT));
}

static void rpcb(struct xdr *x) {
    uint32_t n;
    xdr_item_u32(x, F(PF_RPCB_PROG));
    xdr_item_u32(x, F(PF_RPCB_VERSION));
    xdr_item_opaque(x, F(PF_RPCB_NETID), STR_MAX, &n);
    xdr_item_opaque(x, F(PF_RPCB_ADDR), STR_MAX, &n);
    xdr_item_opaque(x, F(PF_RPCB_OWNER), STR_MAX, &n);
}

/* A list linked by "value follows" booleans, bounded. */
static void dump_list(struct xdr *x, void (*entry)(struct xdr *)) {
    for (unsigned i = 0; i < DUMP_MAX && xdr_u32(x) && !xdr_bad(x); i++) {
        decode_item_enter(x->v);
        entry(x);
        decode_item_leave(x->v);
    }
}

static void v2(struct xdr *x, bool call, uint32_t proc) {
    switch (proc) {
    case PMAP_SET:
    case PMAP_UNSET:
        if (call)
            mapping(x);
        else
            xdr_item_bool(x, F(PF_ANSWER));
        break;
    case PMAP_GETPORT:
        if (call)
            mapping(x);
        else
            xdr_item_u32(x, F(PF_PORT));
        break;
    case PMAP_DUMP:
        if (!call)
            dump_list(x, mapping);
        break;
    case PMAP_CALLIT:
        if (call) {
            xdr_item_u32(x, F(PF_PROG));
            xdr_item_u32(x, F(PF_VERSION));
            xdr_item_u32(x, F(PF_PROC));
        } else {
            xdr_item_u32(x, F(PF_PORT));
        }
        xdr_skip_opaque(x, UINT32_MAX);
        break;
    }
}

static void v3v4(struct xdr *x, bool call, uint32_t proc) {
    uint32_t n;
    switch (proc) {
    case PMAP_SET:
    case PMAP_UNSET:
        if (call)
            rpcb(x);
        else
            xdr_item_bool(x, F(PF_ANSWER));
        break;
    case RPCB_GETADDR:
        if (call)
            rpcb(x);
        else
            xdr_item_opaque(x, F(PF_UADDR), STR_MAX, &n);
        break;
    case RPCB_DUMP:
        if (!call)
            dump_list(x, rpcb);
        break;
    case RPCB_GETTIME:
        break;
    }
}

static void decode_portmap(struct trawl_view *v) {
    const struct decode_rpc_state *r = &v->rpc;
    struct xdr x;
    struct decode_layer *l = decode_rpc_program(v, PROTO_PORTMAP, &x);
    if (!l)
        return;
    static const enum pm_field proc_field[] = {PF_PROC_V2, PF_PROC_V2,
                                               PF_PROC_V3, PF_PROC_V4};
    if (r->vers >= 1 && r->vers <= 4)
        decode_item_u(v, F(proc_field[r->vers - 1]), r->proc);
    if (r->vers <= 2)
        v2(&x, r->call, r->proc);
    else if (r->vers <= 4)
        v3v4(&x, r->call, r->proc);
    decode_rpc_program_end(v, l, &x, ANOM_PORTMAP_MALFORMED);
}

const struct decode_proto decode_proto_portmap = {
    .id = PROTO_PORTMAP,
    .name = "portmap",
    .title = "Portmap",
    .decode = decode_portmap,
    .fields = pm_fields,
    .nfields = TRAWL_ARRAY_LEN(pm_fields),
    .protocols = decode_rpc_program_protocols,
};
