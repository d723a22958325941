/* NFS version 4 (RFC 7530, RFC 8881, RFC 7862): the COMPOUND procedure.
 *
 * A COMPOUND is a list of operations whose arguments (or results) follow
 * each other with nothing saying where one ends: the only way to the
 * next operation is through every byte of this one. So every operation
 * of 4.0, 4.1 and 4.2 is walked here, its fields added as items in the
 * order tshark shows them; an operation trawl cannot walk (an unknown
 * opcode, a layout or attribute it does not know the shape of) ends the
 * walk with nfs.unknown_op, and the operations before it keep their
 * fields. Counts and lengths are bounded by what is left and by caps. */
#include "decode/nfs.h"

enum {
    FH4_MAX = 128,
    OWNER_MAX = 1024,
    STR_MAX = 65536,
    OPAQUE_MAX = UINT32_MAX,
    BITMAP_MAX = 8,     /* words of a bitmap4: attributes to 255 */
    OPS_MAX = 128,      /* operations of one COMPOUND */
    LIST_MAX = 4096,    /* entries of any array or linked list */
    VERIFIER_SIZE = 8,
    SESSIONID_SIZE = 16,
    OTHER_SIZE = 12,
    DEVICEID_SIZE = 16,
    RPCSEC_GSS = 6,
    AUTH_SYS = 1,
    LAYOUT4_NFSV4_1_FILES = 1,
};

#define F(id) NFS_F(id)

/* An XDR walk that found something it cannot step over. */
static void unknown(struct xdr *x) {
    if (!xdr_bad(x))
        decode_anomaly(x->v, ANOM_NFS_UNKNOWN_OP);
    x->c.bad = true;
}

/* ---- small structures ----------------------------------------------------- */

static void stateid4(struct xdr *x) {
    const uint8_t *p = xdr_fixed(x, 16);
    if (!p)
        return;
    struct trawl_view *v = x->v;
    decode_item_bytes(v, F(NF_STATEID), p, 16);
    decode_item_enter(v);
    /* Hashes as tshark shows them: CRC-16/X.25 of the whole stateid,
     * CRC-32 of its "other" part. */
    uint32_t crc = 0xffff;
    for (int i = 0; i < 16; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = crc & 1 ? (crc >> 1) ^ 0x8408 : crc >> 1;
    }
    decode_item_u(v, F(NF_STATEID_HASH), crc ^ 0xffff);
    decode_item_u(v, F(NF_STATEID_SEQID), core_be32(p));
    decode_item_bytes(v, F(NF_STATEID_OTHER), p + 4, OTHER_SIZE);
    uint32_t c32 = 0xffffffffu;
    for (int i = 4; i < 16; i++) {
        c32 ^= p[i];
        for (int b = 0; b < 8; b++)
            c32 = c32 & 1 ? (c32 >> 1) ^ 0xedb88320u : c32 >> 1;
    }
    decode_item_u(v, F(NF_STATEID_OTHER_HASH), ~c32);
    decode_item_leave(v);
}

/* A stateid tshark shows only as bytes: the one a CLOSE returns, which
 * RFC 7530 section 16.2.5 deprecates. */
static void stateid4_bytes(struct xdr *x) {
    xdr_item_fixed(x, F(NF_STATEID), 16);
}

/* An nfsstat4, which tshark shows under both names. */
static uint32_t status4(struct xdr *x) {
    uint32_t status = xdr_item_u32(x, F(NF_NFSSTAT4));
    if (!xdr_bad(x))
        decode_item_hidden(x->v, F(NF_STATUS), status);
    return status;
}

static void component(struct xdr *x, enum nfs_field f) {
    uint32_t n;
    xdr_item_opaque(x, F(f), STR_MAX, &n);
}

static void verifier4(struct xdr *x) {
    xdr_item_u64(x, F(NF_VERIFIER4));
}

static void nfstime4(struct xdr *x) {
    decode_item_enter(x->v);
    xdr_item_u64(x, F(NF_TIME4_SEC));
    xdr_item_u32(x, F(NF_TIME4_NSEC));
    decode_item_leave(x->v);
}

static void change_info4(struct xdr *x) {
    xdr_item_bool(x, F(NF_CHANGE_ATOMIC));
    xdr_item_u64(x, F(NF_CHANGEID_BEFORE));
    xdr_item_u64(x, F(NF_CHANGEID_AFTER));
}

static void netaddr4(struct xdr *x) {
    component(x, NF_R_NETID);
    component(x, NF_R_ADDR);
}

static void skip_netaddr4(struct xdr *x) {
    xdr_skip_opaque(x, STR_MAX);
    xdr_skip_opaque(x, STR_MAX);
}

static void skip_nfsace4_list(struct xdr *x) {
    uint32_t n = xdr_count(x, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(x); i++) {
        xdr_skip(x, 3);
        xdr_skip_opaque(x, STR_MAX);
    }
}

static void skip_pathname4(struct xdr *x) {
    uint32_t n = xdr_count(x, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(x); i++)
        xdr_skip_opaque(x, STR_MAX);
}

static void lock_owner4(struct xdr *x) {
    uint32_t n;
    xdr_item_u64(x, F(NF_CLIENTID));
    xdr_item_opaque(x, F(NF_LOCK_OWNER), OWNER_MAX, &n);
}

/* ---- bitmaps and attributes ----------------------------------------------- */

struct bitmap {
    uint32_t n;
    uint32_t w[BITMAP_MAX];
};

static bool read_bitmap(struct xdr *x, struct bitmap *b) {
    b->n = xdr_count(x, BITMAP_MAX);
    for (uint32_t i = 0; i < b->n; i++)
        b->w[i] = xdr_u32(x);
    return !xdr_bad(x);
}

static unsigned popcount(uint32_t w) {
    unsigned n = 0;
    for (; w; w &= w - 1)
        n++;
    return n;
}

/* A bitmap of attributes asked for (or set, or supported): per word its
 * mask and count, then its attributes. `request` also adds pktt's
 * NFS.attr_request, the first 64 bits as one number. */
static void bitmap4(struct xdr *x, bool request) {
    struct bitmap b;
    if (!read_bitmap(x, &b))
        return;
    struct trawl_view *v = x->v;
    for (uint32_t i = 0; i < b.n; i++) {
        /* tshark shows no word that has no attribute. */
        if (!b.w[i])
            continue;
        decode_item_u(v, F(NF_ATTR_MASK), b.w[i]);
        decode_item_enter(v);
        decode_item_u(v, F(NF_ATTR_COUNT), popcount(b.w[i]));
        for (unsigned bit = 0; bit < 32; bit++)
            if (b.w[i] >> bit & 1)
                decode_item_u(v, F(NF_ATTR), i * 32 + bit);
        decode_item_leave(v);
    }
    if (request)
        decode_item_hidden(v, F(NF_ATTR_REQUEST),
                           (b.n > 0 ? b.w[0] : 0) |
                               (b.n > 1 ? (uint64_t)b.w[1] << 32 : 0));
}

static void fsid4(struct xdr *x) {
    decode_item_enter(x->v);
    xdr_item_u64(x, F(NF_FSID4_MAJOR));
    xdr_item_u64(x, F(NF_FSID4_MINOR));
    decode_item_leave(x->v);
}

/* The value of attribute `a`; false when trawl does not know its shape. */
static bool attr_value(struct xdr *x, unsigned a) {
    uint32_t n;
    switch (a) {
    case 0:  /* supported_attrs */
    case 75: /* suppattr_exclcreat */
        decode_item_enter(x->v);
        bitmap4(x, false);
        decode_item_leave(x->v);
        return true;
    case 1: xdr_item_u32(x, F(NF_FTYPE4)); return true;
    case 3: xdr_item_u64(x, F(NF_CHANGEID4)); return true;
    case 4: xdr_item_u64(x, F(NF_F4_SIZE)); return true;
    case 8: fsid4(x); return true;
    case 19: decode_nfs_fh(x, FH4_MAX); return true;
    case 20: xdr_item_u64(x, F(NF_F4_FILEID)); return true;
    case 33: xdr_item_u32(x, F(NF_MODE)); return true;
    case 35: xdr_item_u32(x, F(NF_F4_NUMLINKS)); return true;
    case 36: xdr_item_opaque(x, F(NF_F4_OWNER), STR_MAX, &n); return true;
    case 37: xdr_item_opaque(x, F(NF_F4_OWNER_GROUP), STR_MAX, &n); return true;
    case 45: xdr_item_u64(x, F(NF_F4_SPACE_USED)); return true;
    case 2: case 10: case 11: case 13: case 28: case 29: case 65: case 66:
    case 76: case 77: case 79:
        xdr_skip(x, 1); /* 32-bit values */
        return true;
    case 5: case 6: case 7: case 9: case 14: case 15: case 16: case 17:
    case 18: case 25: case 26: case 34: case 46: case 82:
        xdr_skip(x, 1); /* booleans */
        return true;
    case 21: case 22: case 23: case 27: case 30: case 31: case 38: case 39:
    case 40: case 42: case 43: case 44: case 55: case 73: case 78:
        xdr_skip(x, 2); /* 64-bit values */
        return true;
    case 41: /* rawdev */
        decode_item_enter(x->v);
        xdr_item_u32(x, F(NF_SPECDATA1));
        xdr_item_u32(x, F(NF_SPECDATA2));
        decode_item_leave(x->v);
        return true;
    case 47: case 49: case 50: case 51: case 52: case 53: case 56: case 57:
        nfstime4(x);
        return true;
    case 48: case 54: /* settime4 */
        if (xdr_u32(x) == 1)
            nfstime4(x);
        return true;
    case 12: skip_nfsace4_list(x); return true;
    case 58: case 59: /* nfsacl41 */
        xdr_skip(x, 1);
        skip_nfsace4_list(x);
        return true;
    case 24: { /* fs_locations */
        skip_pathname4(x);
        uint32_t locs = xdr_count(x, LIST_MAX);
        for (uint32_t i = 0; i < locs && !xdr_bad(x); i++) {
            skip_pathname4(x); /* servers, as strings */
            skip_pathname4(x); /* rootpath */
        }
        return true;
    }
    case 32: xdr_skip_opaque(x, STR_MAX); return true;
    case 60: case 74: case 81: xdr_skip(x, a == 60 ? 4 : 2); return true;
    case 61: /* fs_status */
        xdr_skip(x, 2);
        xdr_skip_opaque(x, STR_MAX);
        xdr_skip_opaque(x, STR_MAX);
        xdr_skip(x, 1);
        nfstime4(x);
        return true;
    case 62: case 64: { /* layout types */
        uint32_t k = xdr_count(x, LIST_MAX);
        for (uint32_t i = 0; i < k && !xdr_bad(x); i++)
            xdr_item_u32(x, F(NF_LAYOUTTYPE));
        return true;
    }
    case 63: /* layout_hint */
        xdr_item_u32(x, F(NF_LAYOUTTYPE));
        xdr_skip_opaque(x, OPAQUE_MAX);
        return true;
    case 80: /* sec_label */
        xdr_skip(x, 2);
        xdr_skip_opaque(x, OPAQUE_MAX);
        return true;
    default: return false;
    }
}

/* fattr4: the bitmap, then the values of its attributes in an opaque
 * attrlist4; per bitmap word, tshark shows each attribute with its value.
 * An attribute of unknown shape ends the values (the attrlist's length
 * still says where the next field starts). */
static void fattr4(struct xdr *x) {
    struct bitmap b;
    if (!read_bitmap(x, &b))
        return;
    uint32_t len;
    const uint8_t *list = xdr_opaque(x, OPAQUE_MAX, &len);
    if (!list)
        return;
    struct xdr vals;
    xdr_init(&vals, x->v, list, len);
    struct trawl_view *v = x->v;
    bool known = true;
    for (uint32_t i = 0; i < b.n; i++) {
        if (!b.w[i])
            continue;
        decode_item_u(v, F(NF_ATTR_MASK), b.w[i]);
        decode_item_enter(v);
        decode_item_u(v, F(NF_ATTR_COUNT), popcount(b.w[i]));
        for (unsigned bit = 0; bit < 32; bit++) {
            if (!(b.w[i] >> bit & 1))
                continue;
            unsigned a = i * 32 + bit;
            decode_item_u(v, F(NF_ATTR), a);
            decode_item_hidden(v, F(NF_ATTRIBUTES), a);
            if (!known || xdr_bad(&vals))
                continue;
            decode_item_enter(v);
            known = attr_value(&vals, a);
            decode_item_leave(v);
        }
        decode_item_leave(v);
    }
    if (xdr_bad(&vals))
        decode_anomaly(v, ANOM_NFS_MALFORMED);
}

/* ---- delegations, layouts, security --------------------------------------- */

static void open_delegation4(struct xdr *x) {
    uint32_t type = xdr_item_u32(x, F(NF_DELEG_TYPE));
    switch (type) {
    case 0: break;
    case 1: /* read */
    case 2: /* write */
        stateid4(x);
        xdr_skip(x, 1); /* recall */
        if (type == 2) {
            uint32_t limitby = xdr_u32(x);
            if (limitby == 1)
                xdr_skip(x, 2);
            else if (limitby == 2)
                xdr_skip(x, 2);
            else
                unknown(x);
        }
        xdr_skip(x, 3); /* the permissions ace */
        xdr_skip_opaque(x, STR_MAX);
        break;
    case 3: { /* none, with a reason (4.1) */
        uint32_t why = xdr_item_u32(x, F(NF_WHY_NO_DELEG));
        if (why == 1 || why == 2)
            xdr_skip(x, 1);
        break;
    }
    default: unknown(x);
    }
}

static void callback_sec_parms(struct xdr *x) {
    uint32_t n = xdr_count(x, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(x); i++) {
        uint32_t flavor = xdr_item_u32(x, F(NF_FLAVOR4));
        if (flavor == AUTH_SYS) {
            xdr_skip(x, 1); /* stamp */
            xdr_skip_opaque(x, 255);
            xdr_skip(x, 2);
            uint32_t g = xdr_count(x, 16);
            xdr_skip(x, g);
        } else if (flavor == RPCSEC_GSS) {
            xdr_skip(x, 1);
            xdr_skip_opaque(x, OPAQUE_MAX);
            xdr_skip_opaque(x, OPAQUE_MAX);
        } else if (flavor != 0) {
            unknown(x);
        }
    }
}

static void channel_attrs4(struct xdr *x) {
    decode_item_enter(x->v);
    for (enum nfs_field f = NF_PADSIZE; f <= NF_MAXREQS; f++)
        xdr_item_u32(x, F(f));
    uint32_t ird = xdr_count(x, 1);
    xdr_skip(x, ird);
    decode_item_leave(x->v);
}

static void state_protect_ops(struct xdr *x) {
    struct bitmap b;
    read_bitmap(x, &b);
    read_bitmap(x, &b);
}

static void state_protect(struct xdr *x, bool args) {
    uint32_t how = xdr_item_u32(x, F(NF_STATE_PROTECT));
    if (how == 1) {
        state_protect_ops(x);
    } else if (how == 2) {
        if (args) {
            state_protect_ops(x);
            for (int i = 0; i < 2; i++) { /* hash and encryption OIDs */
                uint32_t n = xdr_count(x, LIST_MAX);
                for (uint32_t k = 0; k < n && !xdr_bad(x); k++)
                    xdr_skip_opaque(x, STR_MAX);
            }
            xdr_skip(x, 2);
        } else {
            xdr_skip(x, 2);
            xdr_skip(x, 2);
            uint32_t n = xdr_count(x, LIST_MAX);
            for (uint32_t k = 0; k < n && !xdr_bad(x); k++)
                xdr_skip_opaque(x, OPAQUE_MAX);
        }
    } else if (how != 0) {
        unknown(x);
    }
}

static void impl_id(struct xdr *x) {
    uint32_t n = xdr_count(x, 1);
    if (n) {
        uint32_t len;
        xdr_item_opaque(x, F(NF_NII_DOMAIN), STR_MAX, &len);
        xdr_item_opaque(x, F(NF_NII_NAME), STR_MAX, &len);
        nfstime4(x);
    }
}

/* A layout of the files layout type (RFC 8881 section 13.3). */
static void file_layout(struct xdr *x, const uint8_t *body, uint32_t len) {
    struct xdr b;
    xdr_init(&b, x->v, body, len);
    xdr_item_fixed(&b, F(NF_DEVICEID), DEVICEID_SIZE);
    xdr_item_u32(&b, F(NF_NFL_UTIL));
    xdr_item_u32(&b, F(NF_FIRST_STRIPE_INDEX));
    xdr_item_u64(&b, F(NF_OFFSET4));
    uint32_t n = xdr_count(&b, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(&b); i++)
        decode_nfs_fh(&b, FH4_MAX);
    if (xdr_bad(&b))
        decode_anomaly(x->v, ANOM_NFS_MALFORMED);
}

/* The address of a files-layout data server (RFC 8881 section 13.2.1). */
static void file_device_addr(struct xdr *x, const uint8_t *body,
                             uint32_t len) {
    struct xdr b;
    xdr_init(&b, x->v, body, len);
    uint32_t n = xdr_count(&b, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(&b); i++)
        xdr_item_u32(&b, F(NF_DEVICE_INDEX));
    n = xdr_count(&b, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(&b); i++) {
        uint32_t m = xdr_count(&b, LIST_MAX);
        for (uint32_t k = 0; k < m && !xdr_bad(&b); k++)
            netaddr4(&b);
    }
    if (xdr_bad(&b))
        decode_anomaly(x->v, ANOM_NFS_MALFORMED);
}

static void layout_content(struct xdr *x, bool device) {
    uint32_t type = xdr_item_u32(x, F(NF_LAYOUTTYPE));
    uint32_t len;
    const uint8_t *body = xdr_opaque(x, OPAQUE_MAX, &len);
    if (!body || type != LAYOUT4_NFSV4_1_FILES)
        return;
    decode_item_enter(x->v);
    if (device)
        file_device_addr(x, body, len);
    else
        file_layout(x, body, len);
    decode_item_leave(x->v);
}

static void secinfo_res(struct xdr *x) {
    uint32_t n = xdr_count(x, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(x); i++) {
        if (xdr_item_u32(x, F(NF_SECINFO_FLAVOR)) == RPCSEC_GSS) {
            xdr_skip_opaque(x, STR_MAX);
            xdr_skip(x, 2);
        }
    }
}

static void netloc4(struct xdr *x) {
    uint32_t type = xdr_u32(x);
    if (type == 1 || type == 2)
        xdr_skip_opaque(x, STR_MAX);
    else if (type == 3)
        skip_netaddr4(x);
    else
        unknown(x);
}

/* ---- operations ------------------------------------------------------------- */

static void args_open(struct xdr *x) {
    uint32_t n;
    xdr_item_u32(x, F(NF_SEQID));
    xdr_item_u32(x, F(NF_SHARE_ACCESS));
    xdr_item_u32(x, F(NF_SHARE_DENY));
    xdr_item_u64(x, F(NF_CLIENTID));
    xdr_item_opaque(x, F(NF_OPEN_OWNER), OWNER_MAX, &n);
    if (xdr_item_u32(x, F(NF_OPENTYPE)) == 1) {
        uint32_t mode = xdr_item_u32(x, F(NF_CREATEMODE4));
        if (mode == 0 || mode == 1) {
            fattr4(x);
        } else if (mode == 2) {
            verifier4(x);
        } else if (mode == 3) {
            verifier4(x);
            fattr4(x);
        } else {
            unknown(x);
        }
    }
    uint32_t claim = xdr_item_u32(x, F(NF_CLAIM_TYPE));
    switch (claim) {
    case 0: case 3: component(x, NF_PATH_COMPONENT); break;
    case 1: xdr_item_u32(x, F(NF_DELEG_TYPE)); break;
    case 2:
        stateid4(x);
        component(x, NF_PATH_COMPONENT);
        break;
    case 4: case 6: break;
    case 5: stateid4(x); break;
    default: unknown(x);
    }
}

static void args_lock(struct xdr *x) {
    xdr_item_u32(x, F(NF_LOCKTYPE4));
    xdr_item_bool(x, F(NF_LOCK_RECLAIM));
    xdr_item_u64(x, F(NF_OFFSET4));
    xdr_item_u64(x, F(NF_LENGTH4));
    if (xdr_item_bool(x, F(NF_NEW_LOCK_OWNER))) {
        xdr_item_u32(x, F(NF_SEQID));
        stateid4(x);
        xdr_item_u32(x, F(NF_LOCK_SEQID));
        lock_owner4(x);
    } else {
        stateid4(x);
        xdr_item_u32(x, F(NF_LOCK_SEQID));
    }
}

static void lock_denied(struct xdr *x) {
    xdr_item_u64(x, F(NF_OFFSET4));
    xdr_item_u64(x, F(NF_LENGTH4));
    xdr_item_u32(x, F(NF_LOCKTYPE4));
    lock_owner4(x);
}

static void args_exchange_id(struct xdr *x) {
    verifier4(x);
    xdr_skip_opaque(x, OWNER_MAX); /* the owner id, which tshark names
                                      nothing */
    xdr_item_u32(x, F(NF_EID_CALL_FLAGS));
    state_protect(x, true);
    impl_id(x);
}

static void res_exchange_id(struct xdr *x) {
    uint32_t n;
    xdr_item_u64(x, F(NF_CLIENTID));
    xdr_item_u32(x, F(NF_SEQID));
    xdr_item_u32(x, F(NF_EID_REPLY_FLAGS));
    state_protect(x, false);
    xdr_item_u64(x, F(NF_MINORID));
    xdr_item_opaque(x, F(NF_MAJORID), OWNER_MAX, &n);
    xdr_item_opaque(x, F(NF_SCOPE), OWNER_MAX, &n);
    impl_id(x);
}

static void sequence(struct xdr *x, bool args) {
    xdr_item_fixed(x, F(NF_SESSIONID), SESSIONID_SIZE);
    uint32_t seq = xdr_item_u32(x, F(NF_SEQID));
    if (!xdr_bad(x))
        decode_item_hidden(x->v, F(NF_SEQUENCEID), seq);
    xdr_item_u32(x, F(NF_SLOTID));
    xdr_item_u32(x, F(NF_HIGH_SLOTID));
    if (args) {
        xdr_item_bool(x, F(NF_CACHETHIS));
    } else {
        xdr_item_u32(x, F(NF_TARGET_HIGH_SLOTID));
        xdr_item_u32(x, F(NF_SEQ_FLAGS));
    }
}

static void args_readdir(struct xdr *x) {
    xdr_item_u64(x, F(NF_COOKIE4));
    xdr_item_u64(x, F(NF_COOKIE_VERF4));
    xdr_item_u32(x, F(NF_DIRCOUNT));
    xdr_item_u32(x, F(NF_MAXCOUNT));
    bitmap4(x, true);
}

/* tshark labels each entry with its name before it shows the entry's
 * fields: the name is read ahead. */
static void res_readdir(struct xdr *x) {
    verifier4(x);
    struct trawl_view *v = x->v;
    for (unsigned i = 0;; i++) {
        uint32_t follows = xdr_u32(x);
        if (xdr_bad(x))
            return;
        if (!follows) {
            decode_item_u(v, F(NF_VALUE_FOLLOWS), 0);
            break;
        }
        if (i == LIST_MAX) {
            decode_anomaly(v, ANOM_NFS_TOO_MANY);
            x->c.bad = true;
            return;
        }
        uint64_t cookie = xdr_u64(x);
        uint32_t n;
        const uint8_t *name = xdr_opaque(x, STR_MAX, &n);
        if (!name)
            return;
        decode_item_enter(v);
        decode_item_bytes(v, F(NF_NAME), name, n);
        decode_item_enter(v);
        decode_item_u(v, F(NF_VALUE_FOLLOWS), 1);
        decode_item_u(v, F(NF_COOKIE4), cookie);
        decode_item_bytes(v, F(NF_ENTRY_NAME), name, n);
        fattr4(x);
        decode_item_leave(v);
        decode_item_leave(v);
    }
    xdr_item_bool(x, F(NF_DIRLIST_EOF));
}

static void args_setclientid(struct xdr *x) {
    uint32_t n;
    verifier4(x);
    xdr_item_opaque(x, F(NF_CLIENT_ID), OWNER_MAX, &n);
    xdr_item_u32(x, F(NF_CB_PROGRAM));
    netaddr4(x);
    xdr_item_u32(x, F(NF_CALLBACK_IDENT));
}

static void args_create_session(struct xdr *x) {
    xdr_item_u64(x, F(NF_CLIENTID));
    xdr_item_u32(x, F(NF_SEQID));
    xdr_item_u32(x, F(NF_CS_FLAGS));
    channel_attrs4(x);
    channel_attrs4(x);
    xdr_item_u32(x, F(NF_CB_PROGRAM));
    callback_sec_parms(x);
}

static void res_create_session(struct xdr *x) {
    xdr_item_fixed(x, F(NF_SESSIONID), SESSIONID_SIZE);
    xdr_item_u32(x, F(NF_SEQID));
    xdr_item_u32(x, F(NF_CS_FLAGS));
    channel_attrs4(x);
    channel_attrs4(x);
}

static void args_layoutget(struct xdr *x) {
    xdr_item_bool(x, F(NF_LAYOUT_AVAIL));
    xdr_item_u32(x, F(NF_LAYOUTTYPE));
    xdr_item_u32(x, F(NF_IOMODE));
    xdr_item_u64(x, F(NF_OFFSET4));
    xdr_item_u64(x, F(NF_LENGTH4));
    xdr_item_u64(x, F(NF_MINLENGTH4));
    stateid4(x);
    xdr_item_u32(x, F(NF_MAXCOUNT));
}

static void res_layoutget(struct xdr *x) {
    xdr_item_bool(x, F(NF_RETURN_ON_CLOSE));
    stateid4(x);
    uint32_t n = xdr_count(x, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(x); i++) {
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        xdr_item_u32(x, F(NF_IOMODE));
        layout_content(x, false);
    }
}

static void args_layoutreturn(struct xdr *x) {
    xdr_item_bool(x, F(NF_RECLAIM4));
    xdr_item_u32(x, F(NF_LAYOUTTYPE));
    xdr_item_u32(x, F(NF_IOMODE));
    uint32_t type = xdr_item_u32(x, F(NF_RETURNTYPE));
    if (type == 1) {
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        stateid4(x);
        xdr_skip_opaque(x, OPAQUE_MAX);
    } else if (type != 2 && type != 3) {
        unknown(x);
    }
}

static void args_layoutcommit(struct xdr *x) {
    xdr_item_u64(x, F(NF_OFFSET4));
    xdr_item_u64(x, F(NF_LENGTH4));
    xdr_item_bool(x, F(NF_RECLAIM4));
    stateid4(x);
    if (xdr_u32(x))
        xdr_item_u64(x, F(NF_OFFSET4));
    if (xdr_u32(x))
        nfstime4(x);
    xdr_item_u32(x, F(NF_LAYOUTTYPE));
    xdr_skip_opaque(x, OPAQUE_MAX);
}

static void args_getdeviceinfo(struct xdr *x) {
    xdr_item_fixed(x, F(NF_DEVICEID), DEVICEID_SIZE);
    xdr_item_u32(x, F(NF_LAYOUTTYPE));
    xdr_item_u32(x, F(NF_MAXCOUNT));
    struct bitmap b;
    if (read_bitmap(x, &b) && b.n)
        decode_item_u(x->v, F(NF_NOTIFY_MASK), b.w[0]);
}

static void res_read_plus(struct xdr *x) {
    xdr_item_u32(x, F(NF_EOF));
    uint32_t n = xdr_count(x, LIST_MAX);
    for (uint32_t i = 0; i < n && !xdr_bad(x); i++) {
        uint32_t what = xdr_item_u32(x, F(NF_CONTENT_TYPE));
        xdr_item_u64(x, F(NF_OFFSET4));
        if (what == 0) {
            uint32_t len;
            if (xdr_opaque(x, OPAQUE_MAX, &len))
                decode_item_u(x->v, F(NF_READ_DATA_LEN), len);
        } else if (what == 1) {
            xdr_item_u64(x, F(NF_LENGTH4));
        } else {
            unknown(x);
        }
    }
}

/* The arguments of operation `op`; false for an opcode trawl does not
 * know (the walk cannot go on). */
static bool op_args(struct xdr *x, uint32_t op) {
    uint32_t n;
    switch (op) {
    case 3: xdr_item_u32(x, F(NF_ACCESS_CHECK)); break;
    case 4:
        xdr_item_u32(x, F(NF_SEQID));
        stateid4(x);
        break;
    case 5:
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u32(x, F(NF_COUNT4));
        break;
    case 6: { /* CREATE */
        uint32_t type = xdr_item_u32(x, F(NF_FTYPE4));
        if (type == 5)
            component(x, NF_LINKTEXT);
        else if (type == 3 || type == 4)
            xdr_skip(x, 2);
        component(x, NF_PATH_COMPONENT);
        fattr4(x);
        break;
    }
    case 7: case 30: case 57: xdr_item_u64(x, F(NF_CLIENTID)); break;
    case 8: case 45: case 66: case 67: stateid4(x); break;
    case 9: bitmap4(x, true); break;
    case 10: case 16: case 23: case 24: case 31: case 32: case 10044: break;
    case 11: case 15: case 28: case 33: component(x, NF_PATH_COMPONENT); break;
    case 12: args_lock(x); break;
    case 13:
        xdr_item_u32(x, F(NF_LOCKTYPE4));
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        lock_owner4(x);
        break;
    case 14:
        xdr_item_u32(x, F(NF_LOCKTYPE4));
        xdr_item_u32(x, F(NF_SEQID));
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        break;
    case 17: case 37: fattr4(x); break;
    case 18: args_open(x); break;
    case 19: xdr_skip(x, 1); break;
    case 20:
        stateid4(x);
        xdr_item_u32(x, F(NF_SEQID));
        break;
    case 21:
        stateid4(x);
        xdr_item_u32(x, F(NF_SEQID));
        xdr_item_u32(x, F(NF_SHARE_ACCESS));
        xdr_item_u32(x, F(NF_SHARE_DENY));
        break;
    case 22: decode_nfs_fh(x, FH4_MAX); break;
    case 25:
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u32(x, F(NF_COUNT4));
        break;
    case 26: args_readdir(x); break;
    case 29:
        component(x, NF_PATH_COMPONENT);
        component(x, NF_PATH_COMPONENT);
        break;
    case 34:
        stateid4(x);
        fattr4(x);
        break;
    case 35: args_setclientid(x); break;
    case 36:
        xdr_item_u64(x, F(NF_CLIENTID));
        verifier4(x);
        break;
    case 38:
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u32(x, F(NF_STABLE4));
        if (xdr_opaque(x, OPAQUE_MAX, &n))
            decode_item_u(x->v, F(NF_WRITE_DATA_LEN), n);
        break;
    case 39: lock_owner4(x); break;
    case 40:
        xdr_item_u32(x, F(NF_CB_PROGRAM));
        callback_sec_parms(x);
        break;
    case 41:
        xdr_item_fixed(x, F(NF_SESSIONID), SESSIONID_SIZE);
        xdr_skip(x, 2);
        break;
    case 42: args_exchange_id(x); break;
    case 43: args_create_session(x); break;
    case 44: xdr_item_fixed(x, F(NF_SESSIONID), SESSIONID_SIZE); break;
    case 46: { /* GET_DIR_DELEGATION */
        struct bitmap b;
        xdr_skip(x, 1);
        read_bitmap(x, &b);
        nfstime4(x);
        nfstime4(x);
        read_bitmap(x, &b);
        read_bitmap(x, &b);
        break;
    }
    case 47: args_getdeviceinfo(x); break;
    case 48:
        xdr_item_u32(x, F(NF_LAYOUTTYPE));
        xdr_item_u32(x, F(NF_COUNT4));
        xdr_item_u64(x, F(NF_COOKIE4));
        xdr_item_u64(x, F(NF_COOKIE_VERF4));
        break;
    case 49: args_layoutcommit(x); break;
    case 50: args_layoutget(x); break;
    case 51: args_layoutreturn(x); break;
    case 52: xdr_skip(x, 1); break;
    case 53: sequence(x, true); break;
    case 54:
        xdr_skip_opaque(x, OPAQUE_MAX);
        xdr_skip_opaque(x, OPAQUE_MAX);
        break;
    case 55: {
        uint32_t k = xdr_count(x, LIST_MAX);
        for (uint32_t i = 0; i < k && !xdr_bad(x); i++)
            stateid4(x);
        break;
    }
    case 56: { /* WANT_DELEGATION */
        xdr_skip(x, 1);
        uint32_t claim = xdr_item_u32(x, F(NF_CLAIM_TYPE));
        if (claim == 1)
            xdr_item_u32(x, F(NF_DELEG_TYPE));
        else if (claim != 4 && claim != 6)
            unknown(x);
        break;
    }
    case 58: xdr_item_bool(x, F(NF_RECLAIM_ONE_FS)); break;
    case 59: case 62:
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        break;
    case 60: { /* COPY */
        stateid4(x);
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        xdr_skip(x, 2);
        uint32_t k = xdr_count(x, LIST_MAX);
        for (uint32_t i = 0; i < k && !xdr_bad(x); i++)
            netloc4(x);
        break;
    }
    case 61:
        stateid4(x);
        netloc4(x);
        break;
    case 63: {
        struct bitmap b;
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        read_bitmap(x, &b);
        break;
    }
    case 64: {
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        stateid4(x);
        uint32_t k = xdr_count(x, LIST_MAX);
        for (uint32_t i = 0; i < k && !xdr_bad(x); i++) {
            xdr_item_fixed(x, F(NF_DEVICEID), DEVICEID_SIZE);
            xdr_skip(x, 2);
        }
        break;
    }
    case 65:
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        stateid4(x);
        xdr_skip(x, 8); /* read and write io_info */
        xdr_item_fixed(x, F(NF_DEVICEID), DEVICEID_SIZE);
        xdr_item_u32(x, F(NF_LAYOUTTYPE));
        xdr_skip_opaque(x, OPAQUE_MAX);
        break;
    case 68:
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u32(x, F(NF_COUNT4));
        break;
    case 69:
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u32(x, F(NF_DATA_CONTENT));
        break;
    case 71:
        stateid4(x);
        stateid4(x);
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_OFFSET4));
        xdr_item_u64(x, F(NF_LENGTH4));
        break;
    default: return false;
    }
    return true;
}

/* The results of operation `op` with status `status`; false when trawl
 * does not know the opcode. Most operations have results only when they
 * succeed; those that say why they failed are listed. */
static bool op_res(struct xdr *x, uint32_t op, uint32_t status) {
    uint32_t n;
    bool ok = status == 0;
    switch (op) {
    case 3:
        if (ok) {
            xdr_item_u32(x, F(NF_ACCESS_SUPPORTED));
            xdr_item_u32(x, F(NF_ACCESS_RIGHTS));
        }
        break;
    case 4:
        if (ok)
            stateid4_bytes(x);
        break;
    case 14: case 20: case 21:
        if (ok)
            stateid4(x);
        break;
    case 5:
        if (ok)
            verifier4(x);
        break;
    case 6:
        if (ok) {
            change_info4(x);
            bitmap4(x, false);
        }
        break;
    case 9:
        if (ok)
            fattr4(x);
        break;
    case 10:
        if (ok)
            decode_nfs_fh(x, FH4_MAX);
        break;
    case 11: case 28:
        if (ok)
            change_info4(x);
        break;
    case 12: case 13:
        if (ok && op == 12)
            stateid4(x);
        else if (status == 10010) /* NFS4ERR_DENIED */
            lock_denied(x);
        break;
    case 18:
        if (ok) {
            stateid4(x);
            change_info4(x);
            xdr_item_u32(x, F(NF_OPEN_RFLAGS));
            bitmap4(x, false);
            open_delegation4(x);
        }
        break;
    case 25:
        if (ok) {
            xdr_item_u32(x, F(NF_EOF));
            if (xdr_opaque(x, OPAQUE_MAX, &n))
                decode_item_u(x->v, F(NF_READ_DATA_LEN), n);
        }
        break;
    case 26:
        if (ok)
            res_readdir(x);
        break;
    case 27:
        if (ok)
            component(x, NF_LINKTEXT);
        break;
    case 29:
        if (ok) {
            change_info4(x);
            change_info4(x);
        }
        break;
    case 33: case 52:
        if (ok)
            secinfo_res(x);
        break;
    case 34: bitmap4(x, false); break; /* attributes set, even on failure */
    case 35:
        if (ok) {
            xdr_item_u64(x, F(NF_CLIENTID));
            verifier4(x);
        } else if (status == 10017) { /* NFS4ERR_CLID_INUSE */
            netaddr4(x);
        }
        break;
    case 38:
        if (ok) {
            xdr_item_u32(x, F(NF_COUNT4));
            xdr_item_u32(x, F(NF_STABLE4));
            verifier4(x);
        }
        break;
    case 41:
        if (ok) {
            xdr_item_fixed(x, F(NF_SESSIONID), SESSIONID_SIZE);
            xdr_skip(x, 2);
        }
        break;
    case 42:
        if (ok)
            res_exchange_id(x);
        break;
    case 43:
        if (ok)
            res_create_session(x);
        break;
    case 46:
        if (ok) {
            struct bitmap b;
            if (xdr_u32(x) == 0) { /* GDD4_OK */
                xdr_skip(x, 2);
                stateid4(x);
                read_bitmap(x, &b);
                read_bitmap(x, &b);
                read_bitmap(x, &b);
            } else {
                xdr_skip(x, 1);
            }
        }
        break;
    case 47:
        if (ok) {
            layout_content(x, true);
            struct bitmap b;
            if (read_bitmap(x, &b) && b.n)
                decode_item_u(x->v, F(NF_NOTIFY_MASK), b.w[0]);
        } else if (status == 10005) { /* NFS4ERR_TOOSMALL */
            xdr_item_u32(x, F(NF_COUNT4));
        }
        break;
    case 48:
        if (ok) {
            xdr_item_u64(x, F(NF_COOKIE4));
            xdr_item_u64(x, F(NF_COOKIE_VERF4));
            uint32_t k = xdr_count(x, LIST_MAX);
            for (uint32_t i = 0; i < k && !xdr_bad(x); i++)
                xdr_item_fixed(x, F(NF_DEVICEID), DEVICEID_SIZE);
            xdr_item_u32(x, F(NF_EOF));
        }
        break;
    case 49:
        if (ok && xdr_u32(x))
            xdr_item_u64(x, F(NF_LENGTH4));
        break;
    case 50:
        if (ok)
            res_layoutget(x);
        else if (status == 10058) /* NFS4ERR_LAYOUTTRYLATER */
            xdr_item_bool(x, F(NF_LAYOUT_AVAIL));
        break;
    case 51:
        if (ok && xdr_u32(x))
            stateid4(x);
        break;
    case 53:
        if (ok)
            sequence(x, false);
        break;
    case 54:
        if (ok)
            xdr_skip_opaque(x, OPAQUE_MAX);
        break;
    case 55:
        if (ok) {
            uint32_t k = xdr_count(x, LIST_MAX);
            for (uint32_t i = 0; i < k && !xdr_bad(x); i++)
                status4(x);
        }
        break;
    case 56:
        if (ok)
            open_delegation4(x);
        break;
    case 60: /* COPY */
        if (ok) {
            uint32_t k = xdr_count(x, 1);
            for (uint32_t i = 0; i < k && !xdr_bad(x); i++)
                stateid4(x);
            xdr_item_u64(x, F(NF_LENGTH4));
            xdr_item_u32(x, F(NF_STABLE4));
            verifier4(x);
            xdr_skip(x, 2);
        }
        break;
    case 61:
        if (ok) {
            nfstime4(x);
            stateid4(x);
            uint32_t k = xdr_count(x, LIST_MAX);
            for (uint32_t i = 0; i < k && !xdr_bad(x); i++)
                netloc4(x);
        }
        break;
    case 63:
        if (ok) {
            struct bitmap b;
            read_bitmap(x, &b);
        }
        break;
    case 67:
        if (ok) {
            xdr_item_u64(x, F(NF_LENGTH4));
            uint32_t k = xdr_count(x, 1);
            for (uint32_t i = 0; i < k && !xdr_bad(x); i++)
                status4(x);
        }
        break;
    case 68:
        if (ok)
            res_read_plus(x);
        break;
    case 69:
        if (ok) {
            xdr_item_u32(x, F(NF_EOF));
            xdr_item_u64(x, F(NF_OFFSET4));
        }
        break;
    case 7: case 8: case 15: case 16: case 17: case 19: case 22: case 23:
    case 24: case 30: case 31: case 32: case 36: case 37: case 39: case 40:
    case 44: case 45: case 57: case 58: case 59: case 62: case 64: case 65:
    case 66: case 71: case 10044:
        break;
    default: return false;
    }
    return true;
}

/* tshark's "main" operations of a COMPOUND: those of the lowest tier, the
 * others (file handle juggling, attributes, SEQUENCE) being there to serve
 * them. */
static unsigned op_tier(uint32_t op) {
    switch (op) {
    case 3: case 9: case 17: return 2;
    case 23: case 24: return 3;
    case 10: case 22: case 31: case 32: return 4;
    case 53: return 5;
    default: return 1;
    }
}

void decode_nfs4(struct xdr *x, const struct decode_rpc_state *r) {
    struct trawl_view *v = x->v;
    uint32_t n;
    if (!r->call) {
        status4(x);
        if (xdr_bad(x))
            return;
    }
    decode_item_enter(v);
    xdr_item_opaque(x, F(NF_TAG), STR_MAX, &n);
    decode_item_leave(v);
    if (r->call)
        xdr_item_u32(x, F(NF_MINORVERSION));
    uint32_t nops = xdr_item_u32(x, F(NF_OPS_COUNT));
    if (xdr_bad(x))
        return;
    if (nops > OPS_MAX) {
        decode_anomaly(v, ANOM_NFS_TOO_MANY);
        nops = OPS_MAX;
    }
    uint32_t ops[OPS_MAX];
    uint32_t seen = 0;
    unsigned best = ~0u;
    for (uint32_t i = 0; i < nops; i++) {
        uint32_t op = xdr_u32(x);
        if (xdr_bad(x))
            break;
        decode_item_enter(v);
        decode_item_u(v, F(NF_OPCODE), op);
        decode_item_hidden(v, F(r->call ? NF_ARGOP : NF_RESOP), op);
        decode_item_enter(v);
        bool known;
        uint32_t status = 0;
        if (r->call) {
            known = op_args(x, op);
        } else {
            status = status4(x);
            known = !xdr_bad(x) && op_res(x, op, status);
        }
        decode_item_leave(v);
        decode_item_leave(v);
        if (!known) {
            unknown(x);
            break;
        }
        ops[seen++] = op;
        if (op_tier(op) < best)
            best = op_tier(op);
        if (xdr_bad(x))
            break;
        /* A reply ends at the first operation that failed. */
        if (!r->call && status != 0)
            break;
    }
    for (uint32_t i = 0; i < seen; i++)
        if (op_tier(ops[i]) == best)
            decode_item_u(v, F(NF_MAIN_OPCODE), ops[i]);
}
