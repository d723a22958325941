/* nfs — internal contracts between the NFS decoders (nfs.c: the
 * protocol, its fields, versions 2 and 3; nfs4.c: the version 4 COMPOUND
 * and its attributes) and the programs that carry NFS structures inside
 * theirs (mount.c, nlm.c: file handles). */
#ifndef TRAWL_DECODE_NFS_H
#define TRAWL_DECODE_NFS_H

#include "decode/xdr.h"

/* The NFS fields, in registry order. Names are Wireshark's where
 * Wireshark has the field; nfs.argop, nfs.resop, nfs.sequenceid,
 * nfs.attr_request, nfs.attributes and the nfs.op<name>.status family are
 * trawl's, for NFStest pktt's flattened names. */
enum nfs_field {
    NF_PROC_V2,
    NF_PROC_V3,
    NF_PROC_V4,
    NF_STATUS2,
    NF_STATUS3,
    NF_NFSSTAT4,
    NF_STATUS,
    NF_TAG,
    NF_MINORVERSION,
    NF_OPS_COUNT,
    NF_OPCODE,
    NF_ARGOP,
    NF_RESOP,
    NF_MAIN_OPCODE,
    NF_FH_LEN,
    NF_FH_HASH,
    NF_FHANDLE,
    NF_NAME,
    NF_PATH_COMPONENT,
    NF_ATTR_FOLLOW,
    NF_HANDLE_FOLLOW,
    NF_F3_TYPE,
    NF_MODE3,
    NF_F3_NLINK,
    NF_F3_UID,
    NF_F3_GID,
    NF_F3_SIZE,
    NF_F3_USED,
    NF_SPECDATA1,
    NF_SPECDATA2,
    NF_F3_FSID,
    NF_F3_FILEID,
    NF_ATIME_SEC,
    NF_ATIME_NSEC,
    NF_MTIME_SEC,
    NF_MTIME_NSEC,
    NF_CTIME_SEC,
    NF_CTIME_NSEC,
    NF_WCC_SIZE,
    NF_SET_IT,
    NF_SET_SIZE,
    NF_UID3,
    NF_GID3,
    NF_SATTRGUARD3,
    NF_CREATEMODE,
    NF_VERIFIER,
    NF_OFFSET3,
    NF_COUNT3,
    NF_READ_EOF,
    NF_WRITE_STABLE,
    NF_WRITE_COMMITTED,
    NF_COOKIE3,
    NF_DIRCOUNT3,
    NF_MAXCOUNT3,
    NF_RD3_FILEID,
    NF_RD3_NAME,
    NF_RD3_COOKIE,
    NF_RDP_FILEID,
    NF_RDP_NAME,
    NF_RDP_COOKIE,
    NF_READDIR_EOF,
    NF_ACCESS_CHECK,
    NF_ACCESS_SUPPORTED,
    NF_ACCESS_RIGHTS,
    NF_FSINFO_RTMAX,
    NF_FSINFO_RTPREF,
    NF_FSINFO_RTMULT,
    NF_FSINFO_WTMAX,
    NF_FSINFO_WTPREF,
    NF_FSINFO_WTMULT,
    NF_FSINFO_DTPREF,
    NF_FSINFO_MAXFILESIZE,
    NF_DTIME_SEC,
    NF_DTIME_NSEC,
    NF_FSINFO_PROPERTIES,
    NF_FSSTAT_TBYTES,
    NF_FSSTAT_FBYTES,
    NF_FSSTAT_ABYTES,
    NF_FSSTAT_TFILES,
    NF_FSSTAT_FFILES,
    NF_FSSTAT_AFILES,
    NF_FSSTAT_INVARSEC,
    NF_SYMLINK_TO,
    /* version 4 */
    NF_SESSIONID,
    NF_SEQID,
    NF_SEQUENCEID,
    NF_SLOTID,
    NF_HIGH_SLOTID,
    NF_TARGET_HIGH_SLOTID,
    NF_CACHETHIS,
    NF_SEQ_FLAGS,
    NF_STATEID,
    NF_STATEID_HASH,
    NF_STATEID_SEQID,
    NF_STATEID_OTHER,
    NF_STATEID_OTHER_HASH,
    NF_OFFSET4,
    NF_COUNT4,
    NF_LENGTH4,
    NF_EOF,
    NF_READ_DATA_LEN,
    NF_WRITE_DATA_LEN,
    NF_STABLE4,
    NF_VERIFIER4,
    NF_ATTR_MASK,
    NF_ATTR_COUNT,
    NF_ATTR,
    NF_ATTR_REQUEST,
    NF_ATTRIBUTES,
    NF_FTYPE4,
    NF_CHANGEID4,
    NF_F4_SIZE,
    NF_FSID4_MAJOR,
    NF_FSID4_MINOR,
    NF_F4_FILEID,
    NF_MODE,
    NF_F4_NUMLINKS,
    NF_F4_OWNER,
    NF_F4_OWNER_GROUP,
    NF_F4_SPACE_USED,
    NF_TIME4_SEC,
    NF_TIME4_NSEC,
    NF_SHARE_ACCESS,
    NF_SHARE_DENY,
    NF_CLIENTID,
    NF_OPEN_OWNER,
    NF_OPENTYPE,
    NF_CREATEMODE4,
    NF_CLAIM_TYPE,
    NF_CHANGE_ATOMIC,
    NF_CHANGEID_BEFORE,
    NF_CHANGEID_AFTER,
    NF_OPEN_RFLAGS,
    NF_DELEG_TYPE,
    NF_WHY_NO_DELEG,
    NF_COOKIE4,
    NF_COOKIE_VERF4,
    NF_DIRCOUNT,
    NF_MAXCOUNT,
    NF_VALUE_FOLLOWS,
    NF_ENTRY_NAME,
    NF_DIRLIST_EOF,
    NF_CLIENT_ID,
    NF_CB_PROGRAM,
    NF_R_NETID,
    NF_R_ADDR,
    NF_CALLBACK_IDENT,
    NF_EID_CALL_FLAGS,
    NF_EID_REPLY_FLAGS,
    NF_STATE_PROTECT,
    NF_NII_DOMAIN,
    NF_NII_NAME,
    NF_MINORID,
    NF_MAJORID,
    NF_SCOPE,
    NF_CS_FLAGS,
    NF_PADSIZE,
    NF_MAXREQSIZE,
    NF_MAXRESPSIZE,
    NF_MAXRESPSIZE_CACHED,
    NF_MAXOPS,
    NF_MAXREQS,
    NF_FLAVOR4,
    NF_RECLAIM_ONE_FS,
    NF_LOCKTYPE4,
    NF_RECLAIM4,
    NF_LOCK_SEQID,
    NF_NEW_LOCK_OWNER,
    NF_LOCK_OWNER,
    NF_LAYOUTTYPE,
    NF_IOMODE,
    NF_MINLENGTH4,
    NF_LAYOUT_AVAIL,
    NF_RETURN_ON_CLOSE,
    NF_DEVICEID,
    NF_NFL_UTIL,
    NF_FIRST_STRIPE_INDEX,
    NF_DEVICE_INDEX,
    NF_RETURNTYPE,
    NF_NOTIFY_MASK,
    NF_DATA_CONTENT,
    NF_SECINFO_FLAVOR,
    NF_LOCK_RECLAIM,
    NF_CONTENT_TYPE,
    NF_LINKTEXT,
    /* NFStest pktt's qualified names: the status of one operation. */
    NF_OPSTATUS_FIRST,
};

/* The NFS v4 operations: X(number, NAME, name): its name as the protocol
 * spells it ("EXCHANGE_ID") and in lower case; pktt's qualified field for
 * an operation is nfs.op<name>.status (nfs.opputfh.status). */
#define NFS4_OP_LIST(X)                                                        \
    X(3, ACCESS, access)                                                    \
    X(4, CLOSE, close)                                                      \
    X(5, COMMIT, commit)                                                    \
    X(6, CREATE, create)                                                    \
    X(7, DELEGPURGE, delegpurge)                                            \
    X(8, DELEGRETURN, delegreturn)                                          \
    X(9, GETATTR, getattr)                                                  \
    X(10, GETFH, getfh)                                                     \
    X(11, LINK, link)                                                       \
    X(12, LOCK, lock)                                                       \
    X(13, LOCKT, lockt)                                                     \
    X(14, LOCKU, locku)                                                     \
    X(15, LOOKUP, lookup)                                                   \
    X(16, LOOKUPP, lookupp)                                                 \
    X(17, NVERIFY, nverify)                                                 \
    X(18, OPEN, open)                                                       \
    X(19, OPENATTR, openattr)                                               \
    X(20, OPEN_CONFIRM, open_confirm)                                       \
    X(21, OPEN_DOWNGRADE, open_downgrade)                                   \
    X(22, PUTFH, putfh)                                                     \
    X(23, PUTPUBFH, putpubfh)                                               \
    X(24, PUTROOTFH, putrootfh)                                             \
    X(25, READ, read)                                                       \
    X(26, READDIR, readdir)                                                 \
    X(27, READLINK, readlink)                                               \
    X(28, REMOVE, remove)                                                   \
    X(29, RENAME, rename)                                                   \
    X(30, RENEW, renew)                                                     \
    X(31, RESTOREFH, restorefh)                                             \
    X(32, SAVEFH, savefh)                                                   \
    X(33, SECINFO, secinfo)                                                 \
    X(34, SETATTR, setattr)                                                 \
    X(35, SETCLIENTID, setclientid)                                         \
    X(36, SETCLIENTID_CONFIRM, setclientid_confirm)                         \
    X(37, VERIFY, verify)                                                   \
    X(38, WRITE, write)                                                     \
    X(39, RELEASE_LOCKOWNER, release_lockowner)                             \
    X(40, BACKCHANNEL_CTL, backchannel_ctl)                                 \
    X(41, BIND_CONN_TO_SESSION, bind_conn_to_session)                       \
    X(42, EXCHANGE_ID, exchange_id)                                         \
    X(43, CREATE_SESSION, create_session)                                   \
    X(44, DESTROY_SESSION, destroy_session)                                 \
    X(45, FREE_STATEID, free_stateid)                                       \
    X(46, GET_DIR_DELEGATION, get_dir_delegation)                           \
    X(47, GETDEVICEINFO, getdeviceinfo)                                     \
    X(48, GETDEVICELIST, getdevicelist)                                     \
    X(49, LAYOUTCOMMIT, layoutcommit)                                       \
    X(50, LAYOUTGET, layoutget)                                             \
    X(51, LAYOUTRETURN, layoutreturn)                                       \
    X(52, SECINFO_NO_NAME, secinfo_no_name)                                 \
    X(53, SEQUENCE, sequence)                                               \
    X(54, SET_SSV, set_ssv)                                                 \
    X(55, TEST_STATEID, test_stateid)                                       \
    X(56, WANT_DELEGATION, want_delegation)                                 \
    X(57, DESTROY_CLIENTID, destroy_clientid)                               \
    X(58, RECLAIM_COMPLETE, reclaim_complete)                               \
    X(59, ALLOCATE, allocate)                                               \
    X(60, COPY, copy)                                                       \
    X(61, COPY_NOTIFY, copy_notify)                                         \
    X(62, DEALLOCATE, deallocate)                                           \
    X(63, IO_ADVISE, io_advise)                                             \
    X(64, LAYOUTERROR, layouterror)                                         \
    X(65, LAYOUTSTATS, layoutstats)                                         \
    X(66, OFFLOAD_CANCEL, offload_cancel)                                   \
    X(67, OFFLOAD_STATUS, offload_status)                                   \
    X(68, READ_PLUS, read_plus)                                             \
    X(69, SEEK, seek)                                                       \
    X(70, WRITE_SAME, write_same)                                           \
    X(71, CLONE, clone)                                                     \
    X(10044, ILLEGAL, illegal)

#define NFS4_X_COUNT(num, upper, lower) +1
enum { NFS4_NOPS = 0 NFS4_OP_LIST(NFS4_X_COUNT) };
#undef NFS4_X_COUNT

enum { NF_COUNT = NF_OPSTATUS_FIRST + NFS4_NOPS };

extern const struct trawl_field decode_nfs_fields[NF_COUNT];
#define NFS_F(id) (&decode_nfs_fields[id])

/* The name of NFS v4 operation `op` ("PUTFH"), or NULL. */
const char *decode_nfs4_op_name(uint64_t op);

/* An nfs_fh3 (opaque<64>), or an nfs_fh4 (opaque<128>): its length, its
 * CRC-32 and its bytes, as tshark shows every file handle. */
void decode_nfs_fh(struct xdr *x, uint32_t max);

/* File handle bytes read elsewhere (an NLM netobj, a fixed v2 handle):
 * the CRC-32 and the bytes, with the length when `with_len`. */
void decode_nfs_fh_bytes(struct xdr *x, const uint8_t *p, uint32_t len,
                         bool with_len);

/* The arguments (call) or results (reply) of an NFS v4 procedure. */
void decode_nfs4(struct xdr *x, const struct decode_rpc_state *r);

#endif
