"""XDR (RFC 4506) and ONC RPC (RFC 5531) messages as bytes, for the tests.

The same encoders feed the live NFS clients of nfs_traffic.py (which talk
to a real server over real sockets) and the scapy-built traces of the
reassembly and malformed-message tests, so a message the tests build by
hand has the layout a real client would send.

Only what the tests use is here: the RPC call and reply headers with
AUTH_NONE / AUTH_SYS, record marking, and encoders for the arguments of
PORTMAP v2, MOUNT v3, NFS v3, NFS v4 COMPOUND (the operations the tests
exercise, and their results where a client needs them) and NLM v4.
"""
import struct

# ---- XDR --------------------------------------------------------------------


def pad(b):
    return b + b"\0" * (-len(b) % 4)


class Packer:
    def __init__(self):
        self.parts = []

    def u32(self, v):
        self.parts.append(struct.pack(">I", v & 0xffffffff))
        return self

    def i32(self, v):
        self.parts.append(struct.pack(">i", v))
        return self

    def u64(self, v):
        self.parts.append(struct.pack(">Q", v & 0xffffffffffffffff))
        return self

    def bool(self, v):
        return self.u32(1 if v else 0)

    def fixed(self, b):
        """Fixed-length opaque: the bytes, padded to four."""
        self.parts.append(pad(bytes(b)))
        return self

    def opaque(self, b):
        """Variable-length opaque: length, bytes, padding."""
        b = bytes(b)
        self.u32(len(b))
        return self.fixed(b)

    def string(self, s):
        return self.opaque(s.encode() if isinstance(s, str) else s)

    def raw(self, b):
        self.parts.append(bytes(b))
        return self

    def bitmap(self, bits):
        """A bitmap4 with the given bit numbers set."""
        words = [0] * (max(bits) // 32 + 1 if bits else 0)
        for b in bits:
            words[b // 32] |= 1 << (b % 32)
        self.u32(len(words))
        for w in words:
            self.u32(w)
        return self

    def bytes(self):
        return b"".join(self.parts)


class Unpacker:
    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def u32(self):
        v, = struct.unpack_from(">I", self.data, self.pos)
        self.pos += 4
        return v

    def i32(self):
        v, = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return v

    def u64(self):
        v, = struct.unpack_from(">Q", self.data, self.pos)
        self.pos += 8
        return v

    def fixed(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("XDR: short data")
        b = self.data[self.pos:self.pos + n]
        self.pos += n + (-n % 4)
        return b

    def opaque(self):
        return self.fixed(self.u32())

    def bitmap(self):
        n = self.u32()
        bits = []
        for i in range(n):
            w = self.u32()
            bits += [i * 32 + b for b in range(32) if w >> b & 1]
        return bits

    def rest(self):
        return self.data[self.pos:]


# ---- RPC --------------------------------------------------------------------

AUTH_NONE, AUTH_SYS = 0, 1
CALL, REPLY = 0, 1

PROG_PORTMAP, PROG_NFS, PROG_MOUNT, PROG_NLM = 100000, 100003, 100005, 100021


def auth_sys(machine="trawl", uid=0, gid=0, gids=(0,), stamp=0x5452574c):
    body = Packer().u32(stamp).string(machine).u32(uid).u32(gid)
    body.u32(len(gids))
    for g in gids:
        body.u32(g)
    return Packer().u32(AUTH_SYS).opaque(body.bytes()).bytes()


def auth_none():
    return Packer().u32(AUTH_NONE).opaque(b"").bytes()


def call(xid, prog, vers, proc, args=b"", cred=None, verf=None):
    """An RPC call message (no record mark)."""
    return (Packer().u32(xid).u32(CALL).u32(2).u32(prog).u32(vers).u32(proc)
            .bytes() + (cred if cred is not None else auth_sys()) +
            (verf if verf is not None else auth_none()) + bytes(args))


def reply(xid, results=b"", accept_stat=0, verf=None):
    """An accepted RPC reply (reply_stat MSG_ACCEPTED)."""
    return (Packer().u32(xid).u32(REPLY).u32(0).bytes() +
            (verf if verf is not None else auth_none()) +
            Packer().u32(accept_stat).bytes() + bytes(results))


def reply_denied(xid, reject_stat=1, auth_stat=1):
    """A denied reply: AUTH_ERROR (1) with an auth_stat, or RPC_MISMATCH (0)
    with the versions 2..2."""
    p = Packer().u32(xid).u32(REPLY).u32(1).u32(reject_stat)
    if reject_stat == 0:
        p.u32(2).u32(2)
    else:
        p.u32(auth_stat)
    return p.bytes()


def record(msg, fragments=1):
    """Record marking (RFC 5531 section 11): the message cut into
    `fragments` fragments, each behind a 4-byte mark whose top bit says
    whether it is the last."""
    msg = bytes(msg)
    n = max(1, min(fragments, len(msg) or 1))
    step = -(-len(msg) // n) if msg else 0
    out = b""
    for i in range(n):
        part = msg[i * step:(i + 1) * step]
        last = i == n - 1
        out += struct.pack(">I", (0x80000000 if last else 0) | len(part)) + part
    return out


def parse_reply(data):
    """(xid, reply_stat, accept_stat, results) of a reply message."""
    u = Unpacker(data)
    xid, mtype = u.u32(), u.u32()
    if mtype != REPLY:
        raise ValueError("not a reply")
    stat = u.u32()
    if stat != 0:
        return xid, stat, None, u.rest()
    u.u32()       # verifier flavor
    u.opaque()    # verifier body
    return xid, 0, u.u32(), u.rest()


# ---- NFS v4 -----------------------------------------------------------------

OP = dict(ACCESS=3, CLOSE=4, COMMIT=5, CREATE=6, DELEGPURGE=7, DELEGRETURN=8,
          GETATTR=9, GETFH=10, LINK=11, LOCK=12, LOCKT=13, LOCKU=14,
          LOOKUP=15, LOOKUPP=16, NVERIFY=17, OPEN=18, OPENATTR=19,
          OPEN_CONFIRM=20, OPEN_DOWNGRADE=21, PUTFH=22, PUTPUBFH=23,
          PUTROOTFH=24, READ=25, READDIR=26, READLINK=27, REMOVE=28,
          RENAME=29, RENEW=30, RESTOREFH=31, SAVEFH=32, SECINFO=33,
          SETATTR=34, SETCLIENTID=35, SETCLIENTID_CONFIRM=36, VERIFY=37,
          WRITE=38, RELEASE_LOCKOWNER=39, BACKCHANNEL_CTL=40,
          BIND_CONN_TO_SESSION=41, EXCHANGE_ID=42, CREATE_SESSION=43,
          DESTROY_SESSION=44, FREE_STATEID=45, GET_DIR_DELEGATION=46,
          GETDEVICEINFO=47, GETDEVICELIST=48, LAYOUTCOMMIT=49, LAYOUTGET=50,
          LAYOUTRETURN=51, SECINFO_NO_NAME=52, SEQUENCE=53, SET_SSV=54,
          TEST_STATEID=55, WANT_DELEGATION=56, DESTROY_CLIENTID=57,
          RECLAIM_COMPLETE=58, ALLOCATE=59, COPY=60, COPY_NOTIFY=61,
          DEALLOCATE=62, IO_ADVISE=63, LAYOUTERROR=64, LAYOUTSTATS=65,
          OFFLOAD_CANCEL=66, OFFLOAD_STATUS=67, READ_PLUS=68, SEEK=69,
          WRITE_SAME=70, CLONE=71, ILLEGAL=10044)

# Attribute numbers (RFC 8881 section 5.8).
FATTR = dict(supported_attrs=0, type=1, fh_expire_type=2, change=3, size=4,
             link_support=5, symlink_support=6, named_attr=7, fsid=8,
             unique_handles=9, lease_time=10, rdattr_error=11, filehandle=19,
             fileid=20, mode=33, numlinks=35, owner=36, owner_group=37,
             space_used=45, time_access=47, time_metadata=52,
             time_modify=53, mounted_on_fileid=55, fs_layout_types=62)


def stateid(seqid=0, other=b"\0" * 12):
    return Packer().u32(seqid).fixed(other).bytes()


def op(name, args=b""):
    return Packer().u32(OP[name]).bytes() + bytes(args)


def compound(ops, minor=1, tag=b""):
    p = Packer().string(tag).u32(minor).u32(len(ops))
    return p.bytes() + b"".join(ops)


def op_sequence(sessionid, seq, slot=0, highest=0, cache=False):
    return op("SEQUENCE", Packer().fixed(sessionid).u32(seq).u32(slot)
              .u32(highest).bool(cache).bytes())


def op_putfh(fh):
    return op("PUTFH", Packer().opaque(fh).bytes())


def op_lookup(name):
    return op("LOOKUP", Packer().string(name).bytes())


def op_getattr(bits):
    return op("GETATTR", Packer().bitmap(bits).bytes())


def op_access(mask=0x3f):
    return op("ACCESS", Packer().u32(mask).bytes())


def op_exchange_id(owner, verifier=b"trawlver", flags=0, impl=True):
    p = Packer().fixed(verifier).opaque(owner).u32(flags).u32(0)   # SP4_NONE
    if impl:
        p.u32(1).string("trawl.test").string("trawl nfs_traffic").u64(0).u32(0)
    else:
        p.u32(0)
    return op("EXCHANGE_ID", p.bytes())


def channel_attrs(maxreq=1049620, maxresp=1049480, cached=4096, ops=16, reqs=8):
    return (Packer().u32(0).u32(maxreq).u32(maxresp).u32(cached).u32(ops)
            .u32(reqs).u32(0).bytes())


def op_create_session(clientid, seq, flags=0):
    p = Packer().u64(clientid).u32(seq).u32(flags)
    p.raw(channel_attrs()).raw(channel_attrs(4096, 4096, 0, 2, 1))
    p.u32(0x40000000)                 # cb_program
    p.u32(1).u32(AUTH_NONE)           # callback security: AUTH_NONE
    return op("CREATE_SESSION", p.bytes())


def op_open(seqid, clientid, owner, name, create=True, share_access=3,
            share_deny=0, attrs=None):
    p = Packer().u32(seqid).u32(share_access).u32(share_deny)
    p.u64(clientid).opaque(owner)
    if create:
        p.u32(1).u32(0)               # OPEN4_CREATE, UNCHECKED4
        bits, vals = attrs or ([FATTR["mode"]], Packer().u32(0o644).bytes())
        p.bitmap(bits).opaque(vals)
    else:
        p.u32(0)                      # OPEN4_NOCREATE
    p.u32(0).string(name)             # CLAIM_NULL
    return op("OPEN", p.bytes())


def op_close(seqid, sid):
    return op("CLOSE", Packer().u32(seqid).bytes() + sid)


def op_write(sid, offset, data, stable=2):
    return op("WRITE", sid + Packer().u64(offset).u32(stable).opaque(data).bytes())


def op_read(sid, offset, count):
    return op("READ", sid + Packer().u64(offset).u32(count).bytes())


def op_readdir(cookie=0, verf=b"\0" * 8, dircount=8192, maxcount=32768,
               bits=(FATTR["type"], FATTR["size"], FATTR["fileid"])):
    return op("READDIR", Packer().u64(cookie).fixed(verf).u32(dircount)
              .u32(maxcount).bitmap(list(bits)).bytes())


def op_remove(name):
    return op("REMOVE", Packer().string(name).bytes())


def op_reclaim_complete(one_fs=False):
    return op("RECLAIM_COMPLETE", Packer().bool(one_fs).bytes())


def op_destroy_session(sessionid):
    return op("DESTROY_SESSION", Packer().fixed(sessionid).bytes())


def op_destroy_clientid(clientid):
    return op("DESTROY_CLIENTID", Packer().u64(clientid).bytes())


def op_seek(sid, offset, what=0):
    return op("SEEK", sid + Packer().u64(offset).u32(what).bytes())


def op_allocate(sid, offset, length):
    return op("ALLOCATE", sid + Packer().u64(offset).u64(length).bytes())


def op_read_plus(sid, offset, count):
    return op("READ_PLUS", sid + Packer().u64(offset).u32(count).bytes())


def op_layoutget(sid, offset=0, length=0xffffffffffffffff, iomode=1,
                 layout_type=1, minlength=0, maxcount=4096):
    return op("LAYOUTGET", Packer().bool(False).u32(layout_type).u32(iomode)
              .u64(offset).u64(length).u64(minlength).bytes() + sid +
              Packer().u32(maxcount).bytes())


def op_getdeviceinfo(deviceid, layout_type=1, maxcount=4096):
    return op("GETDEVICEINFO", Packer().fixed(deviceid).u32(layout_type)
              .u32(maxcount).u32(0).bytes())


class CompoundResult:
    """The decoded reply of a COMPOUND: its status, tag, and per operation
    (opcode, status, the values the clients need)."""

    def __init__(self, results):
        u = Unpacker(results)
        self.status = u.u32()
        self.tag = u.opaque()
        self.ops = []
        for _ in range(u.u32()):
            opnum, status = u.u32(), u.u32()
            values = {}
            if status == 0:
                values = _RESULT.get(opnum, _no_result)(u)
            self.ops.append((opnum, status, values))
            if status != 0:
                break

    def find(self, name):
        for opnum, status, values in self.ops:
            if opnum == OP[name]:
                return values
        raise KeyError(f"{name} not in reply (status {self.status}: {self.ops})")


def _no_result(u):
    return {}


def _res_sequence(u):
    return dict(sessionid=u.fixed(16), seq=u.u32(), slot=u.u32(),
                highest=u.u32(), target=u.u32(), flags=u.u32())


def _res_getfh(u):
    return dict(fh=u.opaque())


def _res_getattr(u):
    return dict(bits=u.bitmap(), attrs=u.opaque())


def _res_access(u):
    return dict(supported=u.u32(), access=u.u32())


def _res_exchange_id(u):
    v = dict(clientid=u.u64(), seq=u.u32(), flags=u.u32())
    how = u.u32()
    if how != 0:
        raise ValueError("state protection not supported by the test client")
    v["minor_id"], v["major_id"], v["scope"] = u.u64(), u.opaque(), u.opaque()
    if u.u32():
        u.opaque(), u.opaque(), u.u64(), u.u32()
    return v


def _res_create_session(u):
    v = dict(sessionid=u.fixed(16), seq=u.u32(), flags=u.u32())
    for _ in range(2):
        for _ in range(6):
            u.u32()
        if u.u32():
            u.u32()
    return v


def _res_open(u):
    v = dict(stateid=u.fixed(16))
    u.u32(), u.u64(), u.u64()         # change_info
    v["rflags"] = u.u32()
    u.bitmap()
    dtype = u.u32()
    if dtype == 3:                    # OPEN_DELEGATE_NONE_EXT
        if u.u32() in (1, 2):         # WND4_CONTENTION, WND4_RESOURCE
            u.u32()
    elif dtype != 0:
        raise ValueError("delegations are not expected by the test client")
    return v


def _res_close(u):
    return dict(stateid=u.fixed(16))


def _res_write(u):
    return dict(count=u.u32(), committed=u.u32(), verf=u.fixed(8))


def _res_read(u):
    return dict(eof=u.u32(), data=u.opaque())


def _res_seek(u):
    return dict(eof=u.u32(), offset=u.u64())


def _res_remove(u):
    u.u32(), u.u64(), u.u64()
    return {}


def _res_readdir(u):
    v = dict(verf=u.fixed(8), names=[])
    while u.u32():
        u.u64()
        v["names"].append(u.opaque())
        u.bitmap(), u.opaque()
    v["eof"] = u.u32()
    return v


def _res_lookup_like(u):
    return {}


_RESULT = {OP["SEQUENCE"]: _res_sequence, OP["GETFH"]: _res_getfh,
           OP["GETATTR"]: _res_getattr, OP["ACCESS"]: _res_access,
           OP["EXCHANGE_ID"]: _res_exchange_id,
           OP["CREATE_SESSION"]: _res_create_session, OP["OPEN"]: _res_open,
           OP["CLOSE"]: _res_close, OP["WRITE"]: _res_write,
           OP["READ"]: _res_read, OP["SEEK"]: _res_seek,
           OP["REMOVE"]: _res_remove, OP["READDIR"]: _res_readdir}


# ---- PORTMAP v2, MOUNT v3, NFS v3, NLM v4 -----------------------------------

IPPROTO_TCP, IPPROTO_UDP = 6, 17


def pmap_mapping(prog, vers, prot, port=0):
    return Packer().u32(prog).u32(vers).u32(prot).u32(port).bytes()


def mnt_path(path):
    return Packer().string(path).bytes()


def parse_mnt(results):
    u = Unpacker(results)
    status = u.u32()
    if status != 0:
        return status, None
    return 0, u.opaque()


def nfs3_fh(fh):
    return Packer().opaque(fh).bytes()


def nfs3_diropargs(fh, name):
    return Packer().opaque(fh).string(name).bytes()


def nfs3_read(fh, offset, count):
    return Packer().opaque(fh).u64(offset).u32(count).bytes()


def nfs3_access(fh, mask=0x1f):
    return Packer().opaque(fh).u32(mask).bytes()


def nlm4_lock(caller, fh, owner, svid, offset, length):
    return (Packer().string(caller).opaque(fh).opaque(owner).i32(svid)
            .u64(offset).u64(length).bytes())


def nlm4_testargs(cookie, exclusive, lock):
    return Packer().opaque(cookie).bool(exclusive).bytes() + lock


def nlm4_lockargs(cookie, block, exclusive, lock, reclaim=False, state=1):
    return (Packer().opaque(cookie).bool(block).bool(exclusive).bytes() + lock +
            Packer().bool(reclaim).i32(state).bytes())


def nlm4_unlockargs(cookie, lock):
    return Packer().opaque(cookie).bytes() + lock


def nlm4_cancargs(cookie, block, exclusive, lock):
    return Packer().opaque(cookie).bool(block).bool(exclusive).bytes() + lock
