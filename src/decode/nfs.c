/* NFS (program 100003): versions 2 and 3 (RFC 1094, RFC 1813) here,
 * version 4's COMPOUND in nfs4.c; the protocol's field table and the file
 * handle shared with MOUNT and NLM.
 *
 * Fields are added in the order tshark shows them (its -T fields lists a
 * field's occurrences in that order). A reply's results are decoded only
 * when the procedure of its call is known (decode_rpc_state.known). */
#include <zlib.h>

#include "decode/nfs.h"

enum {
    NFS_FH3_MAX = 64,
    NFS_FH2_SIZE = 32,
    NAME_MAX3 = 4096,
    PATH_MAX3 = 4096,
    VERF_SIZE = 8,
    /* Directory entries of one READDIR reply: more than a 1 MiB reply of
     * the shortest entries holds would not fit the items anyway. */
    ENTRIES_MAX = 4096,
};

enum nfs3_proc {
    P3_NULL, P3_GETATTR, P3_SETATTR, P3_LOOKUP, P3_ACCESS, P3_READLINK,
    P3_READ, P3_WRITE, P3_CREATE, P3_MKDIR, P3_SYMLINK, P3_MKNOD, P3_REMOVE,
    P3_RMDIR, P3_RENAME, P3_LINK, P3_READDIR, P3_READDIRPLUS, P3_FSSTAT,
    P3_FSINFO, P3_PATHCONF, P3_COMMIT,
};

static const char *proc3_name(uint64_t p) {
    static const char *const n[] = {
        "NULL",    "GETATTR", "SETATTR", "LOOKUP",  "ACCESS",      "READLINK",
        "READ",    "WRITE",   "CREATE",  "MKDIR",   "SYMLINK",     "MKNOD",
        "REMOVE",  "RMDIR",   "RENAME",  "LINK",    "READDIR",     "READDIRPLUS",
        "FSSTAT",  "FSINFO",  "PATHCONF", "COMMIT"};
    return p < TRAWL_ARRAY_LEN(n) ? n[p] : NULL;
}

static const char *proc2_name(uint64_t p) {
    static const char *const n[] = {
        "NULL",   "GETATTR", "SETATTR", "ROOT",   "LOOKUP",  "READLINK",
        "READ",   "WRITECACHE", "WRITE", "CREATE", "REMOVE", "RENAME",
        "LINK",   "SYMLINK", "MKDIR",   "RMDIR",  "READDIR", "STATFS"};
    return p < TRAWL_ARRAY_LEN(n) ? n[p] : NULL;
}

static const char *proc4_name(uint64_t p) {
    return p == 0 ? "NULL" : p == 1 ? "COMPOUND" : NULL;
}

static const char *stat3_name(uint64_t s) {
    switch (s) {
    case 0: return "NFS3_OK";
    case 1: return "NFS3ERR_PERM";
    case 2: return "NFS3ERR_NOENT";
    case 5: return "NFS3ERR_IO";
    case 6: return "NFS3ERR_NXIO";
    case 13: return "NFS3ERR_ACCES";
    case 17: return "NFS3ERR_EXIST";
    case 18: return "NFS3ERR_XDEV";
    case 19: return "NFS3ERR_NODEV";
    case 20: return "NFS3ERR_NOTDIR";
    case 21: return "NFS3ERR_ISDIR";
    case 22: return "NFS3ERR_INVAL";
    case 27: return "NFS3ERR_FBIG";
    case 28: return "NFS3ERR_NOSPC";
    case 30: return "NFS3ERR_ROFS";
    case 31: return "NFS3ERR_MLINK";
    case 63: return "NFS3ERR_NAMETOOLONG";
    case 66: return "NFS3ERR_NOTEMPTY";
    case 69: return "NFS3ERR_DQUOT";
    case 70: return "NFS3ERR_STALE";
    case 71: return "NFS3ERR_REMOTE";
    case 10001: return "NFS3ERR_BADHANDLE";
    case 10002: return "NFS3ERR_NOT_SYNC";
    case 10003: return "NFS3ERR_BAD_COOKIE";
    case 10004: return "NFS3ERR_NOTSUPP";
    case 10005: return "NFS3ERR_TOOSMALL";
    case 10006: return "NFS3ERR_SERVERFAULT";
    case 10007: return "NFS3ERR_BADTYPE";
    case 10008: return "NFS3ERR_JUKEBOX";
    default: return NULL;
    }
}

static const char *ftype3_name(uint64_t t) {
    static const char *const n[] = {NULL,           "Regular File",
                                    "Directory",    "Block Special Device",
                                    "Character Special Device",
                                    "Symbolic Link", "Socket", "Named Pipe"};
    return t < TRAWL_ARRAY_LEN(n) ? n[t] : NULL;
}

/* nfsstat4 names, for -V. */
static const char *stat4_name(uint64_t s) {
    switch (s) {
    case 0: return "NFS4_OK";
    case 1: return "NFS4ERR_PERM";
    case 2: return "NFS4ERR_NOENT";
    case 5: return "NFS4ERR_IO";
    case 6: return "NFS4ERR_NXIO";
    case 13: return "NFS4ERR_ACCESS";
    case 17: return "NFS4ERR_EXIST";
    case 18: return "NFS4ERR_XDEV";
    case 20: return "NFS4ERR_NOTDIR";
    case 21: return "NFS4ERR_ISDIR";
    case 22: return "NFS4ERR_INVAL";
    case 27: return "NFS4ERR_FBIG";
    case 28: return "NFS4ERR_NOSPC";
    case 30: return "NFS4ERR_ROFS";
    case 31: return "NFS4ERR_MLINK";
    case 63: return "NFS4ERR_NAMETOOLONG";
    case 66: return "NFS4ERR_NOTEMPTY";
    case 69: return "NFS4ERR_DQUOT";
    case 70: return "NFS4ERR_STALE";
    case 10001: return "NFS4ERR_BADHANDLE";
    case 10003: return "NFS4ERR_BAD_COOKIE";
    case 10004: return "NFS4ERR_NOTSUPP";
    case 10005: return "NFS4ERR_TOOSMALL";
    case 10006: return "NFS4ERR_SERVERFAULT";
    case 10007: return "NFS4ERR_BADTYPE";
    case 10008: return "NFS4ERR_DELAY";
    case 10009: return "NFS4ERR_SAME";
    case 10010: return "NFS4ERR_DENIED";
    case 10011: return "NFS4ERR_EXPIRED";
    case 10012: return "NFS4ERR_LOCKED";
    case 10013: return "NFS4ERR_GRACE";
    case 10014: return "NFS4ERR_FHEXPIRED";
    case 10015: return "NFS4ERR_SHARE_DENIED";
    case 10016: return "NFS4ERR_WRONGSEC";
    case 10017: return "NFS4ERR_CLID_INUSE";
    case 10018: return "NFS4ERR_RESOURCE";
    case 10019: return "NFS4ERR_MOVED";
    case 10020: return "NFS4ERR_NOFILEHANDLE";
    case 10021: return "NFS4ERR_MINOR_VERS_MISMATCH";
    case 10022: return "NFS4ERR_STALE_CLIENTID";
    case 10023: return "NFS4ERR_STALE_STATEID";
    case 10024: return "NFS4ERR_OLD_STATEID";
    case 10025: return "NFS4ERR_BAD_STATEID";
    case 10026: return "NFS4ERR_BAD_SEQID";
    case 10027: return "NFS4ERR_NOT_SAME";
    case 10028: return "NFS4ERR_LOCK_RANGE";
    case 10029: return "NFS4ERR_SYMLINK";
    case 10030: return "NFS4ERR_RESTOREFH";
    case 10031: return "NFS4ERR_LEASE_MOVED";
    case 10032: return "NFS4ERR_ATTRNOTSUPP";
    case 10033: return "NFS4ERR_NO_GRACE";
    case 10034: return "NFS4ERR_RECLAIM_BAD";
    case 10035: return "NFS4ERR_RECLAIM_CONFLICT";
    case 10036: return "NFS4ERR_BADXDR";
    case 10037: return "NFS4ERR_LOCKS_HELD";
    case 10038: return "NFS4ERR_OPENMODE";
    case 10039: return "NFS4ERR_BADOWNER";
    case 10040: return "NFS4ERR_BADCHAR";
    case 10041: return "NFS4ERR_BADNAME";
    case 10042: return "NFS4ERR_BAD_RANGE";
    case 10043: return "NFS4ERR_LOCK_NOTSUPP";
    case 10044: return "NFS4ERR_OP_ILLEGAL";
    case 10045: return "NFS4ERR_DEADLOCK";
    case 10046: return "NFS4ERR_FILE_OPEN";
    case 10047: return "NFS4ERR_ADMIN_REVOKED";
    case 10048: return "NFS4ERR_CB_PATH_DOWN";
    case 10049: return "NFS4ERR_BADIOMODE";
    case 10050: return "NFS4ERR_BADLAYOUT";
    case 10051: return "NFS4ERR_BAD_SESSION_DIGEST";
    case 10052: return "NFS4ERR_BADSESSION";
    case 10053: return "NFS4ERR_BADSLOT";
    case 10054: return "NFS4ERR_COMPLETE_ALREADY";
    case 10055: return "NFS4ERR_CONN_NOT_BOUND_TO_SESSION";
    case 10056: return "NFS4ERR_DELEG_ALREADY_WANTED";
    case 10057: return "NFS4ERR_BACK_CHAN_BUSY";
    case 10058: return "NFS4ERR_LAYOUTTRYLATER";
    case 10059: return "NFS4ERR_LAYOUTUNAVAILABLE";
    case 10060: return "NFS4ERR_NOMATCHING_LAYOUT";
    case 10061: return "NFS4ERR_RECALLCONFLICT";
    case 10062: return "NFS4ERR_UNKNOWN_LAYOUTTYPE";
    case 10063: return "NFS4ERR_SEQ_MISORDERED";
    case 10064: return "NFS4ERR_SEQUENCE_POS";
    case 10065: return "NFS4ERR_REQ_TOO_BIG";
    case 10066: return "NFS4ERR_REP_TOO_BIG";
    case 10067: return "NFS4ERR_REP_TOO_BIG_TO_CACHE";
    case 10068: return "NFS4ERR_RETRY_UNCACHED_REP";
    case 10069: return "NFS4ERR_UNSAFE_COMPOUND";
    case 10070: return "NFS4ERR_TOO_MANY_OPS";
    case 10071: return "NFS4ERR_OP_NOT_IN_SESSION";
    case 10072: return "NFS4ERR_HASH_ALG_UNSUPP";
    case 10074: return "NFS4ERR_CLIENTID_BUSY";
    case 10075: return "NFS4ERR_PNFS_IO_HOLE";
    case 10076: return "NFS4ERR_SEQ_FALSE_RETRY";
    case 10077: return "NFS4ERR_BAD_HIGH_SLOT";
    case 10078: return "NFS4ERR_DEADSESSION";
    case 10079: return "NFS4ERR_ENCR_ALG_UNSUPP";
    case 10080: return "NFS4ERR_PNFS_NO_LAYOUT";
    case 10081: return "NFS4ERR_NOT_ONLY_OP";
    case 10082: return "NFS4ERR_WRONG_CRED";
    case 10083: return "NFS4ERR_WRONG_TYPE";
    case 10084: return "NFS4ERR_DIRDELEG_UNAVAIL";
    case 10085: return "NFS4ERR_REJECT_DELEG";
    case 10086: return "NFS4ERR_RETURNCONFLICT";
    case 10087: return "NFS4ERR_DELEG_REVOKED";
    case 10088: return "NFS4ERR_PARTNER_NOTSUPP";
    case 10089: return "NFS4ERR_PARTNER_NO_AUTH";
    case 10090: return "NFS4ERR_UNION_NOTSUPP";
    case 10091: return "NFS4ERR_OFFLOAD_DENIED";
    case 10092: return "NFS4ERR_WRONG_LFS";
    case 10093: return "NFS4ERR_BADLABEL";
    case 10094: return "NFS4ERR_OFFLOAD_NO_REQS";
    default: return NULL;
    }
}

static const char *status_name(uint64_t s) {
    /* nfs.status holds v3 and v4 statuses: the first 10000 agree, and
     * the names of v4 are the longer list. */
    return stat4_name(s);
}

const char *decode_nfs4_op_name(uint64_t op) {
    switch (op) {
#define NFS4_X_NAME(num, upper, lower)                                         \
    case num: return #upper;
        NFS4_OP_LIST(NFS4_X_NAME)
#undef NFS4_X_NAME
    default: return NULL;
    }
}

static const char *ftype4_name(uint64_t t) {
    static const char *const n[] = {NULL,    "NF4REG",  "NF4DIR",
                                    "NF4BLK", "NF4CHR", "NF4LNK",
                                    "NF4SOCK", "NF4FIFO", "NF4ATTRDIR",
                                    "NF4NAMEDATTR"};
    return t < TRAWL_ARRAY_LEN(n) ? n[t] : NULL;
}

static const char *stable_name(uint64_t s) {
    return s == 0 ? "UNSTABLE" : s == 1 ? "DATA_SYNC" : s == 2 ? "FILE_SYNC"
                                                               : NULL;
}

static const char *layouttype_name(uint64_t t) {
    switch (t) {
    case 1: return "LAYOUT4_NFSV4_1_FILES";
    case 2: return "LAYOUT4_OSD2_OBJECTS";
    case 3: return "LAYOUT4_BLOCK_VOLUME";
    case 4: return "LAYOUT4_FLEX_FILES";
    case 5: return "LAYOUT4_SCSI";
    default: return NULL;
    }
}

static const char *iomode_name(uint64_t m) {
    return m == 1 ? "IOMODE_READ" : m == 2 ? "IOMODE_RW" : m == 3 ? "IOMODE_ANY"
                                                                  : NULL;
}

/* An extractor for pktt's qualified names (nfs.opputfh.status): the
 * status of every result of operation f->at, which is the first status
 * after its opcode in a reply. */
static bool get_op_status(const struct trawl_view *v,
                          const struct trawl_field *f,
                          const struct decode_layer *l, unsigned k,
                          struct trawl_value *out) {
    const struct trawl_field *resop = NFS_F(NF_RESOP);
    const struct trawl_field *stat = NFS_F(NF_NFSSTAT4);
    bool in_op = false;
    unsigned seen = 0;
    for (uint32_t i = l->item_lo; i < (uint32_t)l->item_lo + l->item_n; i++) {
        const struct decode_item *it = &v->items[i];
        if (it->f == resop) {
            in_op = it->u == f->at;
        } else if (it->f == stat && in_op) {
            in_op = false;
            if (seen++ == k) {
                out->u = it->u;
                return true;
            }
        }
    }
    return false;
}

static const char *const alias_op[] = {"NFS.op", NULL};
static const char *const alias_sessionid[] = {"NFS.sessionid", NULL};
static const char *const alias_fh[] = {"NFS.fh", NULL};
static const char *const alias_offset[] = {"NFS.offset", NULL};
static const char *const alias_count[] = {"NFS.count", NULL};
static const char *const alias_stable[] = {"NFS.stable", NULL};
static const char *const alias_objname[] = {"NFS.objname", NULL};
static const char *const alias_cookie[] = {"NFS.cookie", NULL};
static const char *const alias_layouttype[] = {"NFS.layout_type", NULL};
static const char *const alias_verifier[] = {"NFS.verifier", NULL};
static const char *const alias_committed[] = {"NFS.committed", NULL};
/* pktt compares a stateid with its "other" part (stateid4._eqattr): its
 * NFS.stateid, spelt exactly so, is nfs.stateid.other (nfs.stateid, in
 * lower case, is Wireshark's whole stateid). */
static const char *const alias_stateid_other[] = {"NFS.stateid", NULL};

#define NFSF(id, nm, lbl, ty, ...)                                             \
    [id] = {.name = nm, .label = lbl, .type = ty, .proto = PROTO_NFS,          \
            .get = decode_get_item, __VA_ARGS__}
#define U(id, nm, lbl, ...) NFSF(id, nm, lbl, TRAWL_FT_UINT, __VA_ARGS__)
#define H(id, nm, lbl, w, ...)                                                 \
    NFSF(id, nm, lbl, TRAWL_FT_UINT, .display = DISP_HEX, .width = w,         \
         __VA_ARGS__)
/* U32, H32: an XDR unsigned int, whose range expressions check (a hyper,
 * or a value of trawl's own, is a plain U or H). */
#define U32(id, nm, lbl, ...) U(id, nm, lbl, .bits = 32, __VA_ARGS__)
#define H32(id, nm, lbl, w, ...) H(id, nm, lbl, w, .bits = 32, __VA_ARGS__)
#define B(id, nm, lbl, ...) NFSF(id, nm, lbl, TRAWL_FT_BOOL, __VA_ARGS__)
#define S(id, nm, lbl, ...) NFSF(id, nm, lbl, TRAWL_FT_STRING, __VA_ARGS__)
#define Y(id, nm, lbl, ...) NFSF(id, nm, lbl, TRAWL_FT_BYTES, __VA_ARGS__)

#define NFS4_X_STATUS(num, upper, lower)                                       \
    {.name = "nfs.op" #lower ".status",                                        \
     .label = #upper " Status",                                                \
     .type = TRAWL_FT_UINT,                                                    \
     .proto = PROTO_NFS,                                                       \
     .get = get_op_status,                                                     \
     .at = num,                                                                \
     .value_name = stat4_name,                                                 \
     .bits = 32},

const struct trawl_field decode_nfs_fields[NF_COUNT] = {
    U32(NF_PROC_V2, "nfs.procedure_v2", "V2 Procedure",
        .value_name = proc2_name),
    U32(NF_PROC_V3, "nfs.procedure_v3", "V3 Procedure",
        .value_name = proc3_name),
    U32(NF_PROC_V4, "nfs.procedure_v4", "V4 Procedure",
        .value_name = proc4_name),
    U32(NF_STATUS2, "nfs.status2", "Status", .value_name = stat3_name),
    U32(NF_STATUS3, "nfs.status3", "Status", .value_name = stat3_name),
    U32(NF_NFSSTAT4, "nfs.nfsstat4", "Status", .value_name = stat4_name),
    U32(NF_STATUS, "nfs.status", "Status", .value_name = status_name),
    S(NF_TAG, "nfs.tag", "Tag"),
    U32(NF_MINORVERSION, "nfs.minorversion", "minorversion"),
    U32(NF_OPS_COUNT, "nfs.ops.count", "Operations"),
    U32(NF_OPCODE, "nfs.opcode", "Opcode", .aliases = alias_op,
        .value_name = decode_nfs4_op_name),
    U(NF_ARGOP, "nfs.argop", "Operation of a call",
      .value_name = decode_nfs4_op_name),
    U(NF_RESOP, "nfs.resop", "Operation of a reply",
      .value_name = decode_nfs4_op_name),
    U32(NF_MAIN_OPCODE, "nfs.main_opcode", "Main Opcode",
        .value_name = decode_nfs4_op_name),
    U32(NF_FH_LEN, "nfs.fh.length", "length"),
    H32(NF_FH_HASH, "nfs.fh.hash", "hash (CRC-32)", 8),
    Y(NF_FHANDLE, "nfs.fhandle", "FileHandle", .aliases = alias_fh),
    S(NF_NAME, "nfs.name", "Name"),
    S(NF_PATH_COMPONENT, "nfs.pathname.component", "Name",
      .aliases = alias_objname),
    U32(NF_ATTR_FOLLOW, "nfs.attributes_follow", "attributes_follow"),
    U32(NF_HANDLE_FOLLOW, "nfs.handle_follow", "handle_follow"),
    U32(NF_F3_TYPE, "nfs.fattr3.type", "Type", .value_name = ftype3_name),
    U32(NF_MODE3, "nfs.mode3", "Mode"),
    U32(NF_F3_NLINK, "nfs.fattr3.nlink", "nlink"),
    U32(NF_F3_UID, "nfs.fattr3.uid", "uid"),
    U32(NF_F3_GID, "nfs.fattr3.gid", "gid"),
    U(NF_F3_SIZE, "nfs.fattr3.size", "size"),
    U(NF_F3_USED, "nfs.fattr3.used", "used"),
    U32(NF_SPECDATA1, "nfs.specdata1", "specdata1"),
    U32(NF_SPECDATA2, "nfs.specdata2", "specdata2"),
    H(NF_F3_FSID, "nfs.fattr3.fsid", "fsid", 16),
    U(NF_F3_FILEID, "nfs.fattr3.fileid", "fileid"),
    U32(NF_ATIME_SEC, "nfs.atime.sec", "atime seconds"),
    U32(NF_ATIME_NSEC, "nfs.atime.nsec", "atime nano seconds"),
    U32(NF_MTIME_SEC, "nfs.mtime.sec", "mtime seconds"),
    U32(NF_MTIME_NSEC, "nfs.mtime.nsec", "mtime nano seconds"),
    U32(NF_CTIME_SEC, "nfs.ctime.sec", "ctime seconds"),
    U32(NF_CTIME_NSEC, "nfs.ctime.nsec", "ctime nano seconds"),
    U(NF_WCC_SIZE, "nfs.wcc_attr.size", "size"),
    U32(NF_SET_IT, "nfs.set_it", "set_it"),
    U(NF_SET_SIZE, "nfs.set_size", "size"),
    U32(NF_UID3, "nfs.uid3", "uid"),
    U32(NF_GID3, "nfs.gid3", "gid"),
    U32(NF_SATTRGUARD3, "nfs.sattrguard3", "check"),
    U32(NF_CREATEMODE, "nfs.createmode", "Create Mode"),
    Y(NF_VERIFIER, "nfs.verifier", "Verifier"),
    U(NF_OFFSET3, "nfs.offset3", "offset"),
    U32(NF_COUNT3, "nfs.count3", "count"),
    B(NF_READ_EOF, "nfs.read.eof", "EOF"),
    U32(NF_WRITE_STABLE, "nfs.write.stable", "Stable",
        .value_name = stable_name),
    U32(NF_WRITE_COMMITTED, "nfs.write.committed", "Committed",
        .aliases = alias_committed, .value_name = stable_name),
    U(NF_COOKIE3, "nfs.cookie3", "cookie"),
    U32(NF_DIRCOUNT3, "nfs.count3_dircount", "dircount"),
    U32(NF_MAXCOUNT3, "nfs.count3_maxcount", "maxcount"),
    U(NF_RD3_FILEID, "nfs.readdir.entry3.fileid", "File ID"),
    S(NF_RD3_NAME, "nfs.readdir.entry3.name", "Name"),
    U(NF_RD3_COOKIE, "nfs.readdir.entry3.cookie", "Cookie"),
    U(NF_RDP_FILEID, "nfs.readdirplus.entry.fileid", "File ID"),
    S(NF_RDP_NAME, "nfs.readdirplus.entry.name", "Name"),
    U(NF_RDP_COOKIE, "nfs.readdirplus.entry.cookie", "Cookie"),
    U32(NF_READDIR_EOF, "nfs.readdir.eof", "EOF"),
    H32(NF_ACCESS_CHECK, "nfs.access_check", "Check access", 2),
    H32(NF_ACCESS_SUPPORTED, "nfs.access_supported",
        "Supported types (of requested)", 2),
    H32(NF_ACCESS_RIGHTS, "nfs.access_rights", "Access rights (of requested)",
        2),
    U32(NF_FSINFO_RTMAX, "nfs.fsinfo.rtmax", "rtmax"),
    U32(NF_FSINFO_RTPREF, "nfs.fsinfo.rtpref", "rtpref"),
    U32(NF_FSINFO_RTMULT, "nfs.fsinfo.rtmult", "rtmult"),
    U32(NF_FSINFO_WTMAX, "nfs.fsinfo.wtmax", "wtmax"),
    U32(NF_FSINFO_WTPREF, "nfs.fsinfo.wtpref", "wtpref"),
    U32(NF_FSINFO_WTMULT, "nfs.fsinfo.wtmult", "wtmult"),
    U32(NF_FSINFO_DTPREF, "nfs.fsinfo.dtpref", "dtpref"),
    U(NF_FSINFO_MAXFILESIZE, "nfs.fsinfo.maxfilesize", "maxfilesize"),
    U32(NF_DTIME_SEC, "nfs.dtime.sec", "time delta seconds"),
    U32(NF_DTIME_NSEC, "nfs.dtime.nsec", "time delta nano seconds"),
    H32(NF_FSINFO_PROPERTIES, "nfs.fsinfo.properties", "Properties", 8),
    U(NF_FSSTAT_TBYTES, "nfs.fsstat3_resok.tbytes", "Total bytes"),
    U(NF_FSSTAT_FBYTES, "nfs.fsstat3_resok.fbytes", "Free bytes"),
    U(NF_FSSTAT_ABYTES, "nfs.fsstat3_resok.abytes", "Available free bytes"),
    U(NF_FSSTAT_TFILES, "nfs.fsstat3_resok.tfiles", "Total file slots"),
    U(NF_FSSTAT_FFILES, "nfs.fsstat3_resok.ffiles", "Free file slots"),
    U(NF_FSSTAT_AFILES, "nfs.fsstat3_resok.afiles",
      "Available free file slots"),
    U32(NF_FSSTAT_INVARSEC, "nfs.fsstat.invarsec", "invarsec"),
    S(NF_SYMLINK_TO, "nfs.symlink.to", "To"),
    Y(NF_SESSIONID, "nfs.session_id4", "sessionid", .aliases = alias_sessionid),
    H32(NF_SEQID, "nfs.seqid", "seqid", 8),
    U(NF_SEQUENCEID, "nfs.sequenceid", "SEQUENCE sequence id"),
    U32(NF_SLOTID, "nfs.slotid", "slot id"),
    U32(NF_HIGH_SLOTID, "nfs.high_slotid", "high slot id"),
    U32(NF_TARGET_HIGH_SLOTID, "nfs.target_high_slotid", "target high slot id"),
    B(NF_CACHETHIS, "nfs.cachethis4", "cache this?"),
    H32(NF_SEQ_FLAGS, "nfs.sequence.flags", "status flags", 8),
    Y(NF_STATEID, "nfs.stateid", "StateID"),
    H(NF_STATEID_HASH, "nfs.stateid.hash", "StateID Hash", 4, .bits = 16),
    U32(NF_STATEID_SEQID, "nfs.stateid.seqid", "StateID seqid"),
    Y(NF_STATEID_OTHER, "nfs.stateid.other", "StateID Other",
      .aliases = alias_stateid_other),
    H32(NF_STATEID_OTHER_HASH, "nfs.stateid.other_hash", "StateID Other hash",
        8),
    U(NF_OFFSET4, "nfs.offset4", "offset", .aliases = alias_offset),
    U32(NF_COUNT4, "nfs.count4", "count", .aliases = alias_count),
    U(NF_LENGTH4, "nfs.length4", "length"),
    U32(NF_EOF, "nfs.eof", "eof"),
    U32(NF_READ_DATA_LEN, "nfs.read.data_length", "Read length"),
    U32(NF_WRITE_DATA_LEN, "nfs.write.data_length", "Write length"),
    U32(NF_STABLE4, "nfs.stable_how4", "stable_how4", .aliases = alias_stable,
        .value_name = stable_name),
    H(NF_VERIFIER4, "nfs.verifier4", "verifier", 16, .aliases = alias_verifier),
    H32(NF_ATTR_MASK, "nfs.attr_mask", "Attr mask", 8),
    U32(NF_ATTR_COUNT, "nfs.attr_count", "Attr count"),
    U32(NF_ATTR, "nfs.attr", "reqd_attr"),
    H(NF_ATTR_REQUEST, "nfs.attr_request", "Attributes asked for (bits 0-63)",
      16),
    U(NF_ATTRIBUTES, "nfs.attributes", "Attribute present"),
    U32(NF_FTYPE4, "nfs.nfs_ftype4", "ftype4", .value_name = ftype4_name),
    U(NF_CHANGEID4, "nfs.changeid4", "changeid"),
    U(NF_F4_SIZE, "nfs.fattr4.size", "size"),
    U(NF_FSID4_MAJOR, "nfs.fsid4.major", "fsid4.major"),
    U(NF_FSID4_MINOR, "nfs.fsid4.minor", "fsid4.minor"),
    U(NF_F4_FILEID, "nfs.fattr4.fileid", "fileid"),
    U32(NF_MODE, "nfs.mode", "mode"),
    U32(NF_F4_NUMLINKS, "nfs.fattr4.numlinks", "numlinks"),
    S(NF_F4_OWNER, "nfs.fattr4_owner", "fattr4_owner"),
    S(NF_F4_OWNER_GROUP, "nfs.fattr4_owner_group", "fattr4_owner_group"),
    U(NF_F4_SPACE_USED, "nfs.fattr4.space_used", "space_used"),
    U(NF_TIME4_SEC, "nfs.nfstime4.seconds", "seconds"),
    U32(NF_TIME4_NSEC, "nfs.nfstime4.nseconds", "nseconds"),
    U32(NF_SHARE_ACCESS, "nfs.open4.share_access", "share_access"),
    U32(NF_SHARE_DENY, "nfs.open4.share_deny", "share_deny"),
    H(NF_CLIENTID, "nfs.clientid", "clientid", 16),
    Y(NF_OPEN_OWNER, "nfs.open_owner4", "owner"),
    U32(NF_OPENTYPE, "nfs.open.opentype", "Open Type"),
    U32(NF_CREATEMODE4, "nfs.createmode4", "Create Mode"),
    U32(NF_CLAIM_TYPE, "nfs.open.claim_type", "Claim Type"),
    B(NF_CHANGE_ATOMIC, "nfs.change_info.atomic", "Atomic"),
    U(NF_CHANGEID_BEFORE, "nfs.changeid4.before", "changeid (before)"),
    U(NF_CHANGEID_AFTER, "nfs.changeid4.after", "changeid (after)"),
    H32(NF_OPEN_RFLAGS, "nfs.open_rflags", "result flags", 8),
    U32(NF_DELEG_TYPE, "nfs.open.delegation_type", "Delegation Type"),
    U32(NF_WHY_NO_DELEG, "nfs.open.why_no_delegation", "why no delegation"),
    U(NF_COOKIE4, "nfs.cookie4", "cookie", .aliases = alias_cookie),
    U(NF_COOKIE_VERF4, "nfs.cookie_verf4", "cookie_verf"),
    U32(NF_DIRCOUNT, "nfs.dircount", "dircount"),
    U32(NF_MAXCOUNT, "nfs.maxcount", "maxcount"),
    B(NF_VALUE_FOLLOWS, "nfs.value_follows", "Value Follows"),
    S(NF_ENTRY_NAME, "nfs.entry_name", "Name"),
    B(NF_DIRLIST_EOF, "nfs.dirlist4.eof", "EOF"),
    Y(NF_CLIENT_ID, "nfs.nfs_client_id4.id", "id"),
    H32(NF_CB_PROGRAM, "nfs.cb_program", "cb_program", 8),
    S(NF_R_NETID, "nfs.r_netid", "r_netid"),
    S(NF_R_ADDR, "nfs.r_addr", "r_addr"),
    H32(NF_CALLBACK_IDENT, "nfs.callback.ident", "callback_ident", 8),
    H32(NF_EID_CALL_FLAGS, "nfs.exchange_id.call_flags", "flags", 8),
    H32(NF_EID_REPLY_FLAGS, "nfs.exchange_id.reply_flags", "flags", 8),
    U32(NF_STATE_PROTECT, "nfs.exchange_id.state_protect", "eia_state_protect"),
    S(NF_NII_DOMAIN, "nfs.nii_domain4", "Implementor DNS domain name"),
    S(NF_NII_NAME, "nfs.nii_name4", "Implementation product name"),
    U(NF_MINORID, "nfs.minorid4", "minor ID"),
    Y(NF_MAJORID, "nfs.majorid4", "major ID"),
    Y(NF_SCOPE, "nfs.scope", "server scope"),
    H32(NF_CS_FLAGS, "nfs.create_session_flags", "csa_flags", 8),
    U32(NF_PADSIZE, "nfs.padsize4", "hdr pad size"),
    U32(NF_MAXREQSIZE, "nfs.maxreqsize4", "max req size"),
    U32(NF_MAXRESPSIZE, "nfs.maxrespsize4", "max resp size"),
    U32(NF_MAXRESPSIZE_CACHED, "nfs.maxrespsizecached4",
        "max resp size cached"),
    U32(NF_MAXOPS, "nfs.maxops4", "max ops"),
    U32(NF_MAXREQS, "nfs.maxreqs4", "max reqs"),
    U32(NF_FLAVOR4, "nfs.flavor4", "flavor"),
    B(NF_RECLAIM_ONE_FS, "nfs.reclaim_one_fs4", "reclaim one fs?"),
    U32(NF_LOCKTYPE4, "nfs.locktype4", "locktype"),
    B(NF_RECLAIM4, "nfs.reclaim4", "reclaim"),
    H32(NF_LOCK_SEQID, "nfs.lock_seqid", "lock_seqid", 8),
    B(NF_NEW_LOCK_OWNER, "nfs.lock.locker.new_lock_owner", "new lock owner?"),
    Y(NF_LOCK_OWNER, "nfs.lock_owner4", "owner"),
    U32(NF_LAYOUTTYPE, "nfs.layouttype", "layout type",
        .aliases = alias_layouttype, .value_name = layouttype_name),
    U32(NF_IOMODE, "nfs.iomode", "IO mode", .value_name = iomode_name),
    U(NF_MINLENGTH4, "nfs.minlength4", "min length"),
    B(NF_LAYOUT_AVAIL, "nfs.layoutavail", "layout available?"),
    B(NF_RETURN_ON_CLOSE, "nfs.retclose4", "return on close?"),
    Y(NF_DEVICEID, "nfs.deviceid", "device ID"),
    H32(NF_NFL_UTIL, "nfs.nfl_util", "nfl_util", 8),
    U32(NF_FIRST_STRIPE_INDEX, "nfs.nfl_first_stripe_index",
        "first stripe to use index"),
    U32(NF_DEVICE_INDEX, "nfs.deviceidx", "device index"),
    U32(NF_RETURNTYPE, "nfs.returntype", "return type"),
    H32(NF_NOTIFY_MASK, "nfs.notify_mask", "notify_mask", 8),
    U32(NF_DATA_CONTENT, "nfs.data_content", "data content"),
    U32(NF_CONTENT_TYPE, "nfs.content.type", "Content Type"),
    U32(NF_SECINFO_FLAVOR, "nfs.secinfo.flavor", "flavor"),
    B(NF_LOCK_RECLAIM, "nfs.lock.reclaim", "reclaim?"),
    S(NF_LINKTEXT, "nfs.symlink.linktext", "Link Contents"),
    NFS4_OP_LIST(NFS4_X_STATUS)};

_Static_assert(TRAWL_ARRAY_LEN(decode_nfs_fields) == NF_COUNT,
               "one entry per enum nfs_field");

#define F(id) NFS_F(id)

/* ---- file handles ---------------------------------------------------------
 */

void decode_nfs_fh_bytes(struct xdr *x, const uint8_t *p, uint32_t len,
                         bool with_len) {
    decode_item_enter(x->v);
    if (with_len)
        decode_item_u(x->v, F(NF_FH_LEN), len);
    decode_item_u(x->v, F(NF_FH_HASH), crc32(0, p, len));
    decode_item_bytes(x->v, F(NF_FHANDLE), p, len);
    decode_item_leave(x->v);
}

void decode_nfs_fh(struct xdr *x, uint32_t max) {
    uint32_t len;
    const uint8_t *p = xdr_opaque(x, max, &len);
    if (p)
        decode_nfs_fh_bytes(x, p, len, true);
}

/* ---- version 3 ------------------------------------------------------------
 */

static void time3(struct xdr *x, enum nfs_field sec) {
    xdr_item_u32(x, F(sec));
    xdr_item_u32(x, F(sec + 1));
}

static void fattr3(struct xdr *x) {
    decode_item_enter(x->v);
    xdr_item_u32(x, F(NF_F3_TYPE));
    xdr_item_u32(x, F(NF_MODE3));
    xdr_item_u32(x, F(NF_F3_NLINK));
    xdr_item_u32(x, F(NF_F3_UID));
    xdr_item_u32(x, F(NF_F3_GID));
    xdr_item_u64(x, F(NF_F3_SIZE));
    xdr_item_u64(x, F(NF_F3_USED));
    xdr_item_u32(x, F(NF_SPECDATA1));
    xdr_item_u32(x, F(NF_SPECDATA2));
    xdr_item_u64(x, F(NF_F3_FSID));
    xdr_item_u64(x, F(NF_F3_FILEID));
    time3(x, NF_ATIME_SEC);
    time3(x, NF_MTIME_SEC);
    time3(x, NF_CTIME_SEC);
    decode_item_leave(x->v);
}

static void post_op_attr(struct xdr *x) {
    if (xdr_item_u32(x, F(NF_ATTR_FOLLOW)) && !xdr_bad(x))
        fattr3(x);
}

static void pre_op_attr(struct xdr *x) {
    if (xdr_item_u32(x, F(NF_ATTR_FOLLOW)) && !xdr_bad(x)) {
        decode_item_enter(x->v);
        xdr_item_u64(x, F(NF_WCC_SIZE));
        time3(x, NF_MTIME_SEC);
        time3(x, NF_CTIME_SEC);
        decode_item_leave(x->v);
    }
}

static void wcc_data(struct xdr *x) {
    pre_op_attr(x);
    post_op_attr(x);
}

static void post_op_fh3(struct xdr *x) {
    if (xdr_item_u32(x, F(NF_HANDLE_FOLLOW)) && !xdr_bad(x))
        decode_nfs_fh(x, NFS_FH3_MAX);
}

static void diropargs3(struct xdr *x) {
    uint32_t n;
    decode_nfs_fh(x, NFS_FH3_MAX);
    xdr_item_opaque(x, F(NF_NAME), NAME_MAX3, &n);
}

/* sattr3: each attribute behind its set_it discriminant; times are set
 * to the client's time (2) with a value. */
static void sattr3(struct xdr *x) {
    static const enum nfs_field values[] = {NF_MODE3, NF_UID3, NF_GID3};
    decode_item_enter(x->v);
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(values); i++)
        if (xdr_item_u32(x, F(NF_SET_IT)))
            xdr_item_u32(x, F(values[i]));
    if (xdr_item_u32(x, F(NF_SET_IT)))
        xdr_item_u64(x, F(NF_SET_SIZE));
    if (xdr_item_u32(x, F(NF_SET_IT)) == 2)
        time3(x, NF_ATIME_SEC);
    if (xdr_item_u32(x, F(NF_SET_IT)) == 2)
        time3(x, NF_MTIME_SEC);
    decode_item_leave(x->v);
}

static void call3(struct xdr *x, uint32_t proc) {
    uint32_t n;
    switch (proc) {
    case P3_GETATTR:
    case P3_READLINK:
    case P3_FSSTAT:
    case P3_FSINFO:
    case P3_PATHCONF: decode_nfs_fh(x, NFS_FH3_MAX); break;
    case P3_SETATTR:
        decode_nfs_fh(x, NFS_FH3_MAX);
        sattr3(x);
        if (xdr_item_u32(x, F(NF_SATTRGUARD3)))
            time3(x, NF_CTIME_SEC);
        break;
    case P3_LOOKUP:
    case P3_REMOVE:
    case P3_RMDIR: diropargs3(x); break;
    case P3_ACCESS:
        decode_nfs_fh(x, NFS_FH3_MAX);
        xdr_item_u32(x, F(NF_ACCESS_CHECK));
        break;
    case P3_READ:
    case P3_COMMIT:
        decode_nfs_fh(x, NFS_FH3_MAX);
        xdr_item_u64(x, F(NF_OFFSET3));
        xdr_item_u32(x, F(NF_COUNT3));
        break;
    case P3_WRITE:
        decode_nfs_fh(x, NFS_FH3_MAX);
        xdr_item_u64(x, F(NF_OFFSET3));
        xdr_item_u32(x, F(NF_COUNT3));
        xdr_item_u32(x, F(NF_WRITE_STABLE));
        xdr_skip_opaque(x, UINT32_MAX);
        break;
    case P3_CREATE: {
        diropargs3(x);
        uint32_t how = xdr_item_u32(x, F(NF_CREATEMODE));
        if (how == 2)
            xdr_item_fixed(x, F(NF_VERIFIER), VERF_SIZE);
        else
            sattr3(x);
        break;
    }
    case P3_MKDIR:
        diropargs3(x);
        sattr3(x);
        break;
    case P3_SYMLINK:
        diropargs3(x);
        sattr3(x);
        xdr_item_opaque(x, F(NF_SYMLINK_TO), PATH_MAX3, &n);
        break;
    case P3_MKNOD: {
        diropargs3(x);
        uint32_t type = xdr_u32(x);
        if (type == 3 || type == 4 || type == 6 || type == 7)
            sattr3(x);
        if (type == 3 || type == 4) {
            xdr_item_u32(x, F(NF_SPECDATA1));
            xdr_item_u32(x, F(NF_SPECDATA2));
        }
        break;
    }
    case P3_RENAME:
        diropargs3(x);
        diropargs3(x);
        break;
    case P3_LINK:
        decode_nfs_fh(x, NFS_FH3_MAX);
        diropargs3(x);
        break;
    case P3_READDIR:
        decode_nfs_fh(x, NFS_FH3_MAX);
        xdr_item_u64(x, F(NF_COOKIE3));
        xdr_item_fixed(x, F(NF_VERIFIER), VERF_SIZE);
        xdr_item_u32(x, F(NF_COUNT3));
        break;
    case P3_READDIRPLUS:
        decode_nfs_fh(x, NFS_FH3_MAX);
        xdr_item_u64(x, F(NF_COOKIE3));
        xdr_item_fixed(x, F(NF_VERIFIER), VERF_SIZE);
        xdr_item_u32(x, F(NF_DIRCOUNT3));
        xdr_item_u32(x, F(NF_MAXCOUNT3));
        break;
    }
}

static void dirlist3(struct xdr *x, bool plus) {
    uint32_t n;
    unsigned i = 0;
    while (xdr_u32(x) && !xdr_bad(x)) {
        if (++i > ENTRIES_MAX) {
            decode_anomaly(x->v, ANOM_NFS_TOO_MANY);
            x->c.bad = true;
            return;
        }
        decode_item_enter(x->v);
        xdr_item_u64(x, F(plus ? NF_RDP_FILEID : NF_RD3_FILEID));
        xdr_item_opaque(x, F(plus ? NF_RDP_NAME : NF_RD3_NAME), NAME_MAX3, &n);
        xdr_item_u64(x, F(plus ? NF_RDP_COOKIE : NF_RD3_COOKIE));
        if (plus) {
            post_op_attr(x);
            post_op_fh3(x);
        }
        decode_item_leave(x->v);
    }
    xdr_item_u32(x, F(NF_READDIR_EOF));
}

static void reply3(struct xdr *x, uint32_t proc) {
    uint32_t n;
    uint32_t status = xdr_item_u32(x, F(NF_STATUS3));
    if (xdr_bad(x))
        return;
    decode_item_hidden(x->v, F(NF_STATUS), status);
    bool ok = status == 0;
    switch (proc) {
    case P3_GETATTR:
        if (ok)
            fattr3(x);
        break;
    case P3_SETATTR:
    case P3_REMOVE:
    case P3_RMDIR: wcc_data(x); break;
    case P3_LOOKUP:
        if (ok) {
            decode_nfs_fh(x, NFS_FH3_MAX);
            post_op_attr(x);
        }
        post_op_attr(x);
        break;
    case P3_ACCESS:
        post_op_attr(x);
        if (ok)
            xdr_item_u32(x, F(NF_ACCESS_RIGHTS));
        break;
    case P3_READLINK:
        post_op_attr(x);
        if (ok)
            xdr_skip_opaque(x, PATH_MAX3);
        break;
    case P3_READ:
        post_op_attr(x);
        if (ok) {
            xdr_item_u32(x, F(NF_COUNT3));
            xdr_item_bool(x, F(NF_READ_EOF));
            xdr_skip_opaque(x, UINT32_MAX);
        }
        break;
    case P3_WRITE:
        wcc_data(x);
        if (ok) {
            xdr_item_u32(x, F(NF_COUNT3));
            xdr_item_u32(x, F(NF_WRITE_COMMITTED));
            xdr_item_fixed(x, F(NF_VERIFIER), VERF_SIZE);
        }
        break;
    case P3_CREATE:
    case P3_MKDIR:
    case P3_SYMLINK:
    case P3_MKNOD:
        if (ok) {
            post_op_fh3(x);
            post_op_attr(x);
        }
        wcc_data(x);
        break;
    case P3_RENAME:
        wcc_data(x);
        wcc_data(x);
        break;
    case P3_LINK:
        post_op_attr(x);
        wcc_data(x);
        break;
    case P3_READDIR:
    case P3_READDIRPLUS:
        post_op_attr(x);
        if (ok) {
            xdr_item_fixed(x, F(NF_VERIFIER), VERF_SIZE);
            dirlist3(x, proc == P3_READDIRPLUS);
        }
        break;
    case P3_FSSTAT:
        post_op_attr(x);
        if (ok) {
            for (enum nfs_field f = NF_FSSTAT_TBYTES; f <= NF_FSSTAT_AFILES;
                 f++)
                xdr_item_u64(x, F(f));
            xdr_item_u32(x, F(NF_FSSTAT_INVARSEC));
        }
        break;
    case P3_FSINFO:
        post_op_attr(x);
        if (ok) {
            for (enum nfs_field f = NF_FSINFO_RTMAX; f <= NF_FSINFO_DTPREF; f++)
                xdr_item_u32(x, F(f));
            xdr_item_u64(x, F(NF_FSINFO_MAXFILESIZE));
            time3(x, NF_DTIME_SEC);
            xdr_item_u32(x, F(NF_FSINFO_PROPERTIES));
        }
        break;
    case P3_PATHCONF:
        post_op_attr(x);
        if (ok)
            xdr_skip(x, 6);
        break;
    case P3_COMMIT:
        wcc_data(x);
        if (ok)
            xdr_item_fixed(x, F(NF_VERIFIER), VERF_SIZE);
        break;
    }
    (void)n;
}

/* ---- version 2 ----------------------------------------------------------- */

enum nfs2_proc {
    P2_NULL,
    P2_GETATTR,
    P2_SETATTR,
    P2_ROOT,
    P2_LOOKUP,
    P2_READLINK,
    P2_READ,
    P2_WRITECACHE,
    P2_WRITE,
    P2_CREATE,
    P2_REMOVE,
    P2_RENAME,
    P2_LINK,
    P2_SYMLINK,
    P2_MKDIR,
    P2_RMDIR,
    P2_READDIR,
    P2_STATFS,
};

static void fh2(struct xdr *x) {
    const uint8_t *p = xdr_fixed(x, NFS_FH2_SIZE);
    if (p)
        decode_nfs_fh_bytes(x, p, NFS_FH2_SIZE, false);
}

/* fattr (RFC 1094 section 2.3.5), with the fields trawl has names for. */
static void fattr2(struct xdr *x) {
    decode_item_enter(x->v);
    xdr_skip(x, 1); /* type */
    xdr_item_u32(x, F(NF_MODE));
    xdr_skip(x, 8); /* nlink uid gid size blocksize rdev blocks fsid */
    xdr_skip(x, 1); /* fileid */
    static const enum nfs_field times[] = {NF_ATIME_SEC, NF_MTIME_SEC,
                                           NF_CTIME_SEC};
    for (size_t i = 0; i < TRAWL_ARRAY_LEN(times); i++) {
        xdr_item_u32(x, F(times[i]));
        xdr_skip(x, 1); /* microseconds */
    }
    decode_item_leave(x->v);
}

static void diropargs2(struct xdr *x) {
    uint32_t n;
    fh2(x);
    xdr_item_opaque(x, F(NF_NAME), NAME_MAX3, &n);
}

static void v2(struct xdr *x, bool call, uint32_t proc) {
    if (call) {
        switch (proc) {
        case P2_NULL: case P2_ROOT: case P2_WRITECACHE: break;
        case P2_LOOKUP: case P2_CREATE: case P2_REMOVE: case P2_MKDIR:
        case P2_RMDIR: case P2_SYMLINK: diropargs2(x); break;
        case P2_RENAME:
            diropargs2(x);
            diropargs2(x);
            break;
        case P2_LINK:
            fh2(x);
            diropargs2(x);
            break;
        default: fh2(x); break;
        }
        return;
    }
    if (proc == P2_NULL || proc == P2_ROOT || proc == P2_WRITECACHE)
        return;
    uint32_t status = xdr_item_u32(x, F(NF_STATUS2));
    if (xdr_bad(x))
        return;
    decode_item_hidden(x->v, F(NF_STATUS), status);
    if (status != 0)
        return;
    switch (proc) {
    case P2_GETATTR: case P2_SETATTR: case P2_WRITE: fattr2(x); break;
    case P2_LOOKUP: case P2_CREATE: case P2_MKDIR:
        fh2(x);
        fattr2(x);
        break;
    case P2_READ: fattr2(x); break;
    }
}

static void decode_nfs(struct trawl_view *v) {
    const struct decode_rpc_state *r = &v->rpc;
    struct xdr x;
    struct decode_layer *l = decode_rpc_program(v, PROTO_NFS, &x);
    if (!l)
        return;
    switch (r->vers) {
    case 2:
        decode_item_u(v, F(NF_PROC_V2), r->proc);
        v2(&x, r->call, r->proc);
        break;
    case 3:
        decode_item_u(v, F(NF_PROC_V3), r->proc);
        if (r->proc == P3_NULL)
            break;
        if (r->call)
            call3(&x, r->proc);
        else
            reply3(&x, r->proc);
        break;
    case 4:
        decode_item_u(v, F(NF_PROC_V4), r->proc);
        if (r->proc == 1)
            decode_nfs4(&x, r);
        break;
    }
    decode_rpc_program_end(v, l, &x, ANOM_NFS_MALFORMED);
}

const struct decode_proto decode_proto_nfs = {
    .id = PROTO_NFS,
    .name = "nfs",
    .title = "Network File System",
    .decode = decode_nfs,
    .fields = decode_nfs_fields,
    .nfields = NF_COUNT,
    .protocols = decode_rpc_program_protocols,
};
