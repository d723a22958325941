/* MOUNT versions 1 to 3 (RFC 1094 appendix A, RFC 1813 section 5): how an
 * NFS v2/v3 client gets the file handle of an export's root. */
#include "decode/nfs.h"

enum mnt_field {
    MF_PROC_V1,
    MF_PROC_V2,
    MF_PROC_V3,
    MF_PATH,
    MF_STATUS,
    MF_FLAVORS,
    MF_FLAVOR,
    MF_DUMP_HOST,
    MF_DUMP_DIR,
    MF_EXPORT_DIR,
    MF_EXPORT_GROUP,
    MF_COUNT
};

enum {
    MNT_NULL = 0,
    MNT_MNT = 1,
    MNT_DUMP = 2,
    MNT_UMNT = 3,
    MNT_UMNTALL = 4,
    MNT_EXPORT = 5,
    PATH_MAX_ = 1024,
    NAME_MAX_ = 255,
    FH2_SIZE = 32,
    FH3_MAX = 64,
    LIST_MAX = 4096,
};

static const char *proc_name(uint64_t p) {
    static const char *const n[] = {"NULL", "MNT", "DUMP",
                                    "UMNT", "UMNTALL", "EXPORT"};
    return p < TRAWL_ARRAY_LEN(n) ? n[p] : NULL;
}

static const char *status_name(uint64_t s) {
    switch (s) {
    case 0: return "OK";
    case 1: return "ERR_PERM";
    case 2: return "ERR_NOENT";
    case 5: return "ERR_IO";
    case 13: return "ERR_ACCESS";
    case 20: return "ERR_NOTDIR";
    case 22: return "ERR_INVAL";
    case 63: return "ERR_NAMETOOLONG";
    case 10004: return "ERR_NOTSUPP";
    case 10006: return "ERR_SERVERFAULT";
    default: return NULL;
    }
}

static const char *const alias_path[] = {"MOUNT.dirpath", NULL};
static const char *const alias_status[] = {"MOUNT.status", NULL};

#define MF(id, nm, lbl, ty, ...)                                               \
    [id] = {.name = nm, .label = lbl, .type = ty, .proto = PROTO_MOUNT,        \
            .get = decode_get_item, __VA_ARGS__}

static const struct trawl_field mnt_fields[MF_COUNT] = {
    MF(MF_PROC_V1, "mount.procedure_v1", "V1 Procedure", TRAWL_FT_UINT,
       .value_name = proc_name, .bits = 32),
    MF(MF_PROC_V2, "mount.procedure_v2", "V2 Procedure", TRAWL_FT_UINT,
       .value_name = proc_name, .bits = 32),
    MF(MF_PROC_V3, "mount.procedure_v3", "V3 Procedure", TRAWL_FT_UINT,
       .value_name = proc_name, .bits = 32),
    MF(MF_PATH, "mount.path", "Path", TRAWL_FT_STRING, .aliases = alias_path),
    MF(MF_STATUS, "mount.status", "Status", TRAWL_FT_UINT,
       .aliases = alias_status, .value_name = status_name, .bits = 32),
    MF(MF_FLAVORS, "mount.flavors", "Flavors", TRAWL_FT_UINT, .bits = 32),
    MF(MF_FLAVOR, "mount.flavor", "Flavor", TRAWL_FT_UINT, .bits = 32),
    MF(MF_DUMP_HOST, "mount.dump.hostname", "Hostname", TRAWL_FT_STRING),
    MF(MF_DUMP_DIR, "mount.dump.directory", "Directory", TRAWL_FT_STRING),
    MF(MF_EXPORT_DIR, "mount.export.directory", "Directory", TRAWL_FT_STRING),
    MF(MF_EXPORT_GROUP, "mount.export.group", "Group", TRAWL_FT_STRING),
};

#define F(id) (&mnt_fields[id])

static void mnt_reply(struct xdr *x, uint32_t vers) {
    uint32_t status = xdr_item_u32(x, F(MF_STATUS));
    if (status != 0 || xdr_bad(x))
        return;
    if (vers < 3) {
        const uint8_t *p = xdr_fixed(x, FH2_SIZE);
        if (p)
            decode_nfs_fh_bytes(x, p, FH2_SIZE, false);
        return;
    }
    decode_nfs_fh(x, FH3_MAX);
    uint32_t n = xdr_item_u32(x, F(MF_FLAVORS));
    if (!xdr_bad(x) && n > xdr_left(x) / 4)
        x->c.bad = true;
    for (uint32_t i = 0; i < n && !xdr_bad(x); i++)
        xdr_item_u32(x, F(MF_FLAVOR));
}

static void dump_reply(struct xdr *x) {
    uint32_t n;
    for (unsigned i = 0; i < LIST_MAX && xdr_u32(x) && !xdr_bad(x); i++) {
        decode_item_enter(x->v);
        xdr_item_opaque(x, F(MF_DUMP_HOST), NAME_MAX_, &n);
        xdr_item_opaque(x, F(MF_DUMP_DIR), PATH_MAX_, &n);
        decode_item_leave(x->v);
    }
}

static void export_reply(struct xdr *x) {
    uint32_t n;
    for (unsigned i = 0; i < LIST_MAX && xdr_u32(x) && !xdr_bad(x); i++) {
        decode_item_enter(x->v);
        xdr_item_opaque(x, F(MF_EXPORT_DIR), PATH_MAX_, &n);
        for (unsigned g = 0; g < LIST_MAX && xdr_u32(x) && !xdr_bad(x); g++)
            xdr_item_opaque(x, F(MF_EXPORT_GROUP), NAME_MAX_, &n);
        decode_item_leave(x->v);
    }
}

static void decode_mount(struct trawl_view *v) {
    const struct decode_rpc_state *r = &v->rpc;
    struct xdr x;
    struct decode_layer *l = decode_rpc_program(v, PROTO_MOUNT, &x);
    if (!l)
        return;
    static const enum mnt_field proc_field[] = {MF_PROC_V1, MF_PROC_V2,
                                                MF_PROC_V3};
    if (r->vers >= 1 && r->vers <= 3)
        decode_item_u(v, F(proc_field[r->vers - 1]), r->proc);
    uint32_t n;
    if (r->vers >= 1 && r->vers <= 3) {
        switch (r->proc) {
        case MNT_MNT:
            if (r->call)
                xdr_item_opaque(&x, F(MF_PATH), PATH_MAX_, &n);
            else
                mnt_reply(&x, r->vers);
            break;
        case MNT_UMNT:
            if (r->call)
                xdr_item_opaque(&x, F(MF_PATH), PATH_MAX_, &n);
            break;
        case MNT_DUMP:
            if (!r->call)
                dump_reply(&x);
            break;
        case MNT_EXPORT:
            if (!r->call)
                export_reply(&x);
            break;
        }
    }
    decode_rpc_program_end(v, l, &x, ANOM_MOUNT_MALFORMED);
}

const struct decode_proto decode_proto_mount = {
    .id = PROTO_MOUNT,
    .name = "mount",
    .title = "Mount Service",
    .decode = decode_mount,
    .fields = mnt_fields,
    .nfields = TRAWL_ARRAY_LEN(mnt_fields),
    .protocols = decode_rpc_program_protocols,
};
