"""RPC traces built with scapy, for what real traffic does not show.

    /usr/bin/python3 tests/integration/rpc_traces.py OUTDIR

writes the traces below; tests import the builders. Every trace is a pure
function of the code (fixed addresses, sequence numbers, time stamps).

    rpc-edge.pcap       messages no test client sends: RPC denials and
                        mismatches, RPCSEC_GSS and AUTH_UNIX with many
                        groups, multi-fragment records, NFS v2, MOUNT v1,
                        PORTMAP SET/UNSET/CALLIT and RPCBIND v3/v4, NLM
                        v1/v3 and v4 denials, shares and _MSG/_RES calls,
                        NFS v4 operations beyond the clients' (pNFS file
                        layouts, locks, delegations, 4.2 copies...)
    rpc-malformed.pcap  truncated messages, counts and lengths past the
                        end, bogus record marks, random bytes after valid
                        headers: decoded without a crash, with anomalies
    rpc-split.pcap      one TCP stream of records cut across segments,
                        several to a segment
    rpc-split-marks.pcap  the same with record marks split between
                        segments (which tshark does not follow)

The reassembly variants (reordered, retransmitted, overlapping and missing
segments) come from tcp_session() and the transforms below.
"""
import random
import struct
import sys

from scapy.all import IP, TCP, UDP, Ether, wrpcap

import xdr
from xdr import Packer

T0 = 1700000000
CLIENT, SERVER = "10.9.0.2", "10.9.0.1"
MAC_C, MAC_S = "02:00:00:00:09:02", "02:00:00:00:09:01"


def stamp(pkts, t0=T0, step=0.001):
    for i, p in enumerate(pkts):
        p.time = t0 + i * step
    return pkts


def udp(payload, to_server=True, cport=700, sport=2049):
    src, dst = (CLIENT, SERVER) if to_server else (SERVER, CLIENT)
    ms, md = (MAC_C, MAC_S) if to_server else (MAC_S, MAC_C)
    s, d = (cport, sport) if to_server else (sport, cport)
    return Ether(src=ms, dst=md) / IP(src=src, dst=dst) / UDP(sport=s, dport=d) / payload


class TcpSession:
    """A TCP connection's segments as a list of (direction, flags, seq,
    ack, payload); direction 0 is client to server. Bytes written by one
    side are cut at `mss` or at explicit cut points, and acknowledged by
    the other after each write."""

    def __init__(self, cport=801, sport=2049, isn=(1000, 50000)):
        self.cport, self.sport = cport, sport
        self.next = [isn[0], isn[1]]
        self.segs = [(0, "S", isn[0], 0, b""), (1, "SA", isn[1], isn[0] + 1, b""),
                     (0, "A", isn[0] + 1, isn[1] + 1, b"")]
        self.next = [isn[0] + 1, isn[1] + 1]

    def write(self, d, data, cuts=None, mss=1448, ack=True):
        """Sends `data` from side d, cut at the offsets in `cuts` (or every
        `mss` bytes); the peer acknowledges it all."""
        points = sorted(set(cuts)) if cuts else list(range(mss, len(data), mss))
        points = [0] + [c for c in points if 0 < c < len(data)] + [len(data)]
        for a, b in zip(points, points[1:]):
            self.segs.append((d, "PA", self.next[d], self.next[1 - d], data[a:b]))
            self.next[d] += b - a
        if ack:
            self.segs.append((1 - d, "A", self.next[1 - d], self.next[d], b""))

    def close(self):
        self.segs.append((0, "FA", self.next[0], self.next[1], b""))
        self.segs.append((1, "FA", self.next[1], self.next[0] + 1, b""))
        self.segs.append((0, "A", self.next[0] + 1, self.next[1] + 1, b""))

    def packets(self, segs=None):
        out = []
        for d, flags, seq, ack, payload in (segs if segs is not None else self.segs):
            src, dst = (CLIENT, SERVER) if d == 0 else (SERVER, CLIENT)
            ms, md = (MAC_C, MAC_S) if d == 0 else (MAC_S, MAC_C)
            sp, dp = (self.cport, self.sport) if d == 0 else (self.sport, self.cport)
            out.append(Ether(src=ms, dst=md) / IP(src=src, dst=dst) /
                       TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack,
                           window=65535) / payload)
        return out


# ---- segment transforms ----------------------------------------------------


def data_indices(segs):
    return [i for i, s in enumerate(segs) if s[4]]


def reorder(segs, rng):
    """Swaps some pairs of adjacent data segments of one direction."""
    segs = list(segs)
    idx = data_indices(segs)
    for a, b in zip(idx, idx[1:]):
        if segs[a][0] == segs[b][0] and rng.random() < 0.4:
            segs[a], segs[b] = segs[b], segs[a]
    return segs


def duplicate(segs, rng):
    """Sends some data segments twice, some again later, and some again
    in part (overlapping the next)."""
    out = []
    for s in segs:
        out.append(s)
        if s[4] and rng.random() < 0.3:
            out.append(s)
        elif s[4] and len(s[4]) > 8 and rng.random() < 0.2:
            cut = rng.randrange(1, len(s[4]))
            out.append((s[0], s[1], s[2] + cut, s[3], s[4][cut:]))
    return out


def drop(segs, which):
    """Drops data segment number `which` (in data order)."""
    idx = data_indices(segs)
    return [s for i, s in enumerate(segs) if i != idx[which]]


# ---- messages ----------------------------------------------------------------

_xid = [0x7e000000]


def next_xid():
    _xid[0] += 1
    return _xid[0]


def call(prog, vers, proc, args=b"", **kw):
    x = next_xid()
    return x, xdr.call(x, prog, vers, proc, args, **kw)


def exchange(prog, vers, proc, args=b"", results=b"", **kw):
    """A call and its accepted reply."""
    x, c = call(prog, vers, proc, args, **kw)
    return [c, xdr.reply(x, results)]


FH = bytes(range(0x40, 0x40 + 28))
FH2 = bytes(range(32))
SID = xdr.stateid(1, b"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c")
SESSION = bytes(range(0x80, 0x90))


def nfs4(ops, minor=1):
    return xdr.compound(ops, minor)


def res4(status, ops):
    """COMPOUND4res: status, tag, then (opcode, status, results)."""
    body = Packer().u32(status).string("").u32(len(ops)).bytes()
    for opnum, st, results in ops:
        body += Packer().u32(xdr.OP[opnum]).u32(st).bytes() + results
    return body


def fattr(bits, values):
    return Packer().bitmap(bits).opaque(values).bytes()


def edge_messages():
    """(transport, messages): UDP datagrams and TCP records (a list each)."""
    P = Packer
    udp_msgs, tcp_msgs = [], []
    # RPC replies that are not accepted, or accepted with an error.
    x, c = call(xdr.PROG_NFS, 3, 1, xdr.nfs3_fh(FH))
    udp_msgs += [c, xdr.reply_denied(x, 1, 5)]                      # AUTH_ERROR
    x, c = call(xdr.PROG_NFS, 3, 1, xdr.nfs3_fh(FH))
    udp_msgs += [c, xdr.reply_denied(x, 0)]                         # RPC_MISMATCH
    x, c = call(xdr.PROG_NFS, 5, 1, xdr.nfs3_fh(FH))
    udp_msgs += [c, xdr.reply(x, P().u32(2).u32(4).bytes(), accept_stat=2)]
    x, c = call(xdr.PROG_MOUNT, 3, 9)
    udp_msgs += [c, xdr.reply(x, accept_stat=3)]                    # PROC_UNAVAIL
    # Credentials: many groups, RPCSEC_GSS (as bytes trawl does not read).
    udp_msgs += exchange(xdr.PROG_NFS, 3, 0, cred=xdr.auth_sys(
        "a-long-machine-name.example.com", 1000, 100, list(range(100, 116))))
    gss = P().u32(6).opaque(P().u32(1).u32(0).u32(7).u32(1).opaque(b"ctx4")
                            .bytes()).bytes()
    gverf = P().u32(6).opaque(b"\x11" * 28).bytes()
    udp_msgs += exchange(xdr.PROG_NFS, 3, 1, xdr.nfs3_fh(FH), cred=gss,
                         verf=gverf)
    # NFS v2.
    udp_msgs += exchange(xdr.PROG_NFS, 2, 1, FH2, P().u32(0).raw(b"\0" * 68).bytes())
    udp_msgs += exchange(xdr.PROG_NFS, 2, 4, FH2 + P().string("f").bytes(),
                         P().u32(2).bytes())
    # MOUNT v1 and v3 lists.
    udp_msgs += exchange(xdr.PROG_MOUNT, 1, 1, xdr.mnt_path("/export"),
                         P().u32(0).raw(FH2).bytes())
    udp_msgs += exchange(xdr.PROG_MOUNT, 3, 2, b"",
                         P().u32(1).string("client1").string("/export")
                         .u32(1).string("client2").string("/export/sub")
                         .u32(0).bytes())
    udp_msgs += exchange(xdr.PROG_MOUNT, 3, 5, b"",
                         P().u32(1).string("/export").u32(1).string("grp1")
                         .u32(1).string("grp2").u32(0).u32(0).bytes())
    udp_msgs += exchange(xdr.PROG_MOUNT, 3, 4)                     # UMNTALL
    udp_msgs += exchange(xdr.PROG_MOUNT, 2, 1, xdr.mnt_path("/v2"),
                         P().u32(0).raw(FH2).bytes())
    # NFS v3 procedures the clients do not use.
    sattr = P().u32(0).u32(1).u32(1000).u32(1).u32(100).u32(0).u32(2) \
        .u32(1700000000).u32(5).u32(1).bytes()                      # uid, gid, times
    udp_msgs += exchange(xdr.PROG_NFS, 3, 2, xdr.nfs3_fh(FH) + sattr + P().u32(0).bytes(),
                         P().u32(0).u32(0).u32(0).bytes())
    udp_msgs += exchange(xdr.PROG_NFS, 3, 10, xdr.nfs3_diropargs(FH, "ln") + sattr +
                         P().string("../target").bytes(),
                         P().u32(0).u32(1).opaque(FH2).u32(0).u32(0).u32(0).bytes())
    udp_msgs += exchange(xdr.PROG_NFS, 3, 16, xdr.nfs3_fh(FH) + P().u64(0).fixed(b"\0" * 8)
                         .u32(4096).bytes(),
                         P().u32(0).u32(0).fixed(b"cv" * 4).u32(1).u64(11).string("a")
                         .u64(1).u32(1).u64(12).string("b").u64(2).u32(0).u32(1).bytes())
    # PORTMAP v2 and RPCBIND v3/v4.
    m = xdr.pmap_mapping(300000, 1, 17, 4444)
    udp_msgs += exchange(xdr.PROG_PORTMAP, 2, 1, m, P().u32(1).bytes())
    udp_msgs += exchange(xdr.PROG_PORTMAP, 2, 2, m, P().u32(0).bytes())
    udp_msgs += exchange(xdr.PROG_PORTMAP, 2, 5,
                         P().u32(100003).u32(3).u32(0).opaque(b"").bytes(),
                         P().u32(2049).opaque(b"").bytes())
    rpcb = P().u32(100003).u32(4).string("tcp").string("10.9.0.1.8.1").string("superuser").bytes()
    udp_msgs += exchange(xdr.PROG_PORTMAP, 3, 3, rpcb, P().string("10.9.0.1.8.1").bytes())
    udp_msgs += exchange(xdr.PROG_PORTMAP, 4, 9, rpcb, P().string("").bytes())
    udp_msgs += exchange(xdr.PROG_PORTMAP, 3, 4, b"",
                         P().u32(1).raw(rpcb).u32(1).raw(rpcb).u32(0).bytes())
    udp_msgs += exchange(xdr.PROG_PORTMAP, 4, 6, b"", P().u32(1700000000).bytes())
    # NLM: 32-bit versions, a denied test with its holder, shares, _MSG/_RES.
    lock32 = (P().string("host").opaque(FH).opaque(b"own").i32(7).u32(0).u32(10).bytes())
    lock64 = xdr.nlm4_lock("host", FH, b"own", 7, 1 << 40, 1 << 33)
    holder = P().bool(True).i32(9).opaque(b"other").u64(0).u64(100).bytes()
    udp_msgs += exchange(xdr.PROG_NLM, 1, 1, xdr.nlm4_testargs(b"k1", False, lock32),
                         P().opaque(b"k1").u32(1).bool(True).i32(9).opaque(b"o")
                         .u32(0).u32(5).bytes())
    udp_msgs += exchange(xdr.PROG_NLM, 2, 4, xdr.nlm4_unlockargs(b"k0", lock32),
                         P().opaque(b"k0").u32(0).bytes())
    udp_msgs += exchange(xdr.PROG_NLM, 3, 2,
                         xdr.nlm4_lockargs(b"k2", True, False, lock32),
                         P().opaque(b"k2").u32(3).bytes())
    udp_msgs += exchange(xdr.PROG_NLM, 4, 1, xdr.nlm4_testargs(b"k3", True, lock64),
                         P().opaque(b"k3").u32(1).bytes() + holder)
    share = P().string("host").opaque(FH).opaque(b"own").u32(1).u32(3).bytes()
    udp_msgs += exchange(xdr.PROG_NLM, 4, 20, P().opaque(b"k4").bytes() + share +
                         P().bool(False).bytes(),
                         P().opaque(b"k4").u32(0).i32(-3).bytes())
    udp_msgs += exchange(xdr.PROG_NLM, 4, 23, P().string("host").i32(5).bytes())
    x, c = call(xdr.PROG_NLM, 4, 7, xdr.nlm4_lockargs(b"k5", False, True, lock64))
    udp_msgs += [c, xdr.reply(x)]
    x, c = call(xdr.PROG_NLM, 4, 12, P().opaque(b"k5").u32(0).bytes())
    udp_msgs += [c, xdr.reply(x)]
    # Over TCP: a multi-fragment record, then NFS v4 operations.
    tcp_msgs.append(("frag3",) + tuple(exchange(xdr.PROG_NFS, 3, 1, xdr.nfs3_fh(FH),
                                                P().u32(0).raw(b"\0" * 84).bytes())))
    O = xdr.op
    seq = xdr.op_sequence(SESSION, 5, 0, 0)
    seqres = (lambda: ("SEQUENCE", 0, P().fixed(SESSION).u32(5).u32(0).u32(0).u32(0)
                       .u32(0).bytes()))
    putfh = xdr.op_putfh(FH)
    file_layout = (P().fixed(b"D" * 16).u32(0x10000).u32(0).u64(0).u32(2)
                   .opaque(FH).opaque(FH[::-1]).bytes())
    layout = P().u32(1).u64(0).u64(0xffffffffffffffff).u32(1) \
        .u32(1).opaque(file_layout).bytes()
    device_addr = (P().u32(2).u32(0).u32(1).u32(2)
                   .u32(1).string("tcp").string("10.9.0.5.8.1")
                   .u32(1).string("tcp").string("10.9.0.6.8.1").bytes())
    v4 = [
        ([seq, putfh, xdr.op_layoutget(SID)],
         [seqres(), ("PUTFH", 0, b""), ("LAYOUTGET", 0, P().bool(False).raw(SID).bytes() + layout)]),
        ([seq, O("GETDEVICEINFO", P().fixed(b"D" * 16).u32(1).u32(4096).u32(1).u32(6)
                 .bytes())],
         [seqres(), ("GETDEVICEINFO", 0, P().u32(1).opaque(device_addr).u32(1).u32(2)
                     .bytes())]),
        ([seq, putfh, xdr.op_open(0, 7, b"owner", "none.txt", create=False)],
         [seqres(), ("PUTFH", 0, b""), ("OPEN", 0, SID + P().bool(False).u64(1).u64(2)
                                         .u32(0).u32(0).u32(3).u32(4).bytes())]),
        ([seq, putfh, O("LAYOUTRETURN", P().bool(False).u32(1).u32(3).u32(1).u64(0)
                        .u64(0xffffffffffffffff).raw(SID).opaque(b"").bytes())],
         [seqres(), ("PUTFH", 0, b""), ("LAYOUTRETURN", 0, P().u32(1).raw(SID).bytes())]),
        ([seq, putfh, O("LAYOUTCOMMIT", P().u64(0).u64(4096).bool(False).raw(SID)
                        .u32(1).u64(4095).u32(0).u32(1).opaque(b"").bytes())],
         [seqres(), ("PUTFH", 0, b""), ("LAYOUTCOMMIT", 0, P().u32(1).u64(4096).bytes())]),
        ([seq, putfh, O("LOCK", P().u32(2).bool(False).u64(0).u64(100).bool(True)
                        .u32(0).raw(SID).u32(0).u64(7).opaque(b"lockowner").bytes())],
         [seqres(), ("PUTFH", 0, b""), ("LOCK", 10010, P().u64(0).u64(50).u32(2)
                                         .u64(8).opaque(b"holder").bytes())]),
        ([seq, putfh, O("LOCKT", P().u32(1).u64(0).u64(10).u64(7).opaque(b"lo").bytes())],
         [seqres(), ("PUTFH", 0, b""), ("LOCKT", 0, b"")]),
        ([seq, putfh, O("LOCKU", P().u32(2).u32(1).raw(SID).u64(0).u64(100).bytes())],
         [seqres(), ("PUTFH", 0, b""), ("LOCKU", 0, SID)]),
        ([seq, putfh, xdr.op_open(0, 7, b"owner", "deleg.txt", create=False)],
         [seqres(), ("PUTFH", 0, b""), ("OPEN", 0, SID + P().bool(True).u64(1).u64(2)
                                         .u32(4).u32(0).u32(1).raw(SID).bool(False)
                                         .u32(0).u32(0).u32(0).string("OWNER@").bytes())]),
        ([seq, putfh, O("SETATTR", SID + fattr([4, 33], P().u64(0).u32(0o600).bytes()))],
         [seqres(), ("PUTFH", 0, b""), ("SETATTR", 10013, P().u32(0).bytes())]),
        ([seq, putfh, O("CREATE", P().u32(5).string("target").string("link")
                        .bytes() + fattr([33], P().u32(0o777).bytes()))],
         [seqres(), ("PUTFH", 0, b""), ("CREATE", 0, P().bool(True).u64(3).u64(4)
                                         .u32(1).u32(0x200).bytes())]),
        ([seq, putfh, O("SAVEFH"), putfh,
          O("RENAME", P().string("a").string("b").bytes())],
         [seqres(), ("PUTFH", 0, b""), ("SAVEFH", 0, b""), ("PUTFH", 0, b""),
          ("RENAME", 0, P().bool(True).u64(1).u64(2).bool(False).u64(3).u64(4).bytes())]),
        ([seq, putfh, O("SECINFO", P().string("x").bytes())],
         [seqres(), ("PUTFH", 0, b""), ("SECINFO", 0, P().u32(2).u32(1).u32(6)
                                         .opaque(b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02")
                                         .u32(0).u32(1).bytes())]),
        ([seq, O("TEST_STATEID", P().u32(2).raw(SID).raw(SID).bytes())],
         [seqres(), ("TEST_STATEID", 0, P().u32(2).u32(0).u32(10025).bytes())]),
        ([seq, putfh, O("COPY", SID + SID + P().u64(0).u64(0).u64(4096).bool(False)
                        .bool(True).u32(0).bytes())],
         [seqres(), ("PUTFH", 0, b""), ("COPY", 0, P().u32(0).u64(4096).u32(2)
                                         .fixed(b"v" * 8).bool(False).bool(True).bytes())]),
        ([seq, putfh, xdr.op_getattr([0, 1, 3, 4, 8, 10, 19, 20, 33, 35, 36, 37, 41, 45,
                                      47, 52, 53, 55, 62, 65, 75])],
         [seqres(), ("PUTFH", 0, b""), ("GETATTR", 0, fattr(
             [1, 3, 4, 8, 10, 19, 20, 33, 35, 36, 37, 41, 45, 47, 52, 53, 55, 62, 65],
             P().u32(1).u64(77).u64(5000).u64(1).u64(2).u32(90).opaque(FH)
             .u64(12345).u32(0o644).u32(1).string("root").string("wheel")
             .u32(8).u32(1).u64(8192).u64(1700000000).u32(5).u64(1700000001)
             .u32(6).u64(1700000002).u32(7).u64(12345).u32(1).u32(1)
             .u32(4096).bytes()))]),
        ([O("PUTROOTFH"), O("ILLEGAL")],
         [("PUTROOTFH", 0, b""), ("ILLEGAL", 10044, b"")]),
    ]
    for ops, results in v4:
        x, c = call(xdr.PROG_NFS, 4, 1, nfs4(ops, 2))
        tcp_msgs.append((None, c, xdr.reply(x, res4(
            next((st for _, st, _ in results if st), 0), results))))
    return udp_msgs, tcp_msgs


def edge_trace():
    udp_msgs, tcp_msgs = edge_messages()
    pkts = []
    for i, m in enumerate(udp_msgs):
        pkts.append(udp(m, to_server=i % 2 == 0))
    s = TcpSession(cport=802)
    for kind, c, r in tcp_msgs:
        s.write(0, xdr.record(c, 3 if kind == "frag3" else 1))
        s.write(1, xdr.record(r))
    s.close()
    return stamp(pkts + s.packets())


def malformed_trace(seed=6):
    """Messages broken every way: each over UDP to port 2049 (or 111), and
    as TCP records; none may crash a decoder."""
    rng = random.Random(seed)
    P = Packer
    good = []
    good.append(exchange(xdr.PROG_NFS, 3, 1, xdr.nfs3_fh(FH),
                         P().u32(0).raw(b"\0" * 84).bytes()))
    good.append(exchange(xdr.PROG_NFS, 4, 1, nfs4([xdr.op_sequence(SESSION, 1),
                                                   xdr.op_putfh(FH),
                                                   xdr.op_getattr([0, 1, 4])]),
                         res4(0, [("SEQUENCE", 0, P().fixed(SESSION).u32(1).u32(0)
                                   .u32(0).u32(0).u32(0).bytes()),
                                  ("PUTFH", 0, b""),
                                  ("GETATTR", 0, fattr([1, 4], P().u32(1).u64(9).bytes()))])))
    good.append(exchange(xdr.PROG_MOUNT, 3, 1, xdr.mnt_path("/x"),
                         P().u32(0).opaque(FH).u32(1).u32(1).bytes()))
    good.append(exchange(xdr.PROG_NLM, 4, 1,
                         xdr.nlm4_testargs(b"c", True, xdr.nlm4_lock("h", FH, b"o", 1, 0, 1)),
                         P().opaque(b"c").u32(0).bytes()))
    good.append(exchange(xdr.PROG_PORTMAP, 2, 4, b"",
                         P().u32(1).raw(xdr.pmap_mapping(1, 2, 6, 3)).u32(0).bytes()))
    bad = []
    for pair in good:
        for m in pair:
            for cut in sorted({1, 4, 8, 12, 24, 40, len(m) // 2, len(m) - 1}):
                if 0 < cut < len(m):
                    bad.append(m[:cut])
            # Lengths and counts set to huge values, one word at a time.
            for w in range(2, len(m) // 4):
                b = bytearray(m)
                b[w * 4:w * 4 + 4] = struct.pack(">I", rng.choice(
                    [0xffffffff, 0x7fffffff, 0x10000, 401, len(m)]))
                bad.append(bytes(b))
            for _ in range(4):
                b = bytearray(m)
                for _ in range(rng.randrange(1, 6)):
                    b[rng.randrange(8, len(b))] = rng.randrange(256)
                bad.append(bytes(b))
    # A call whose rpcvers is 3, an auth body over 400 bytes, and a
    # COMPOUND of 2^32 - 1 operations.
    bad.append(P().u32(1).u32(0).u32(3).u32(100003).u32(3).u32(0).bytes() + xdr.auth_none() * 2)
    bad.append(xdr.call(9, 100003, 3, 0, cred=P().u32(1).opaque(b"\0" * 404).bytes()))
    bad.append(xdr.call(10, 100003, 4, 1, P().string("").u32(1).u32(0xffffffff).bytes()))
    pkts = []
    for i, m in enumerate(bad):
        pkts.append(udp(m, to_server=i % 2 == 0, sport=2049 if i % 3 else 111))
    s = TcpSession(cport=803)
    for i, m in enumerate(bad):
        s.write(i % 2, xdr.record(m))
    # For each program, a good call and its reply cut inside the results.
    for prog, vers, proc, args, results in (
            (xdr.PROG_PORTMAP, 2, 3, xdr.pmap_mapping(100003, 3, 6), P().u32(2049).bytes()),
            (xdr.PROG_MOUNT, 3, 1, xdr.mnt_path("/x"), P().u32(0).opaque(FH).bytes()),
            (xdr.PROG_NLM, 4, 2, xdr.nlm4_lockargs(b"c", False, True,
                                                    xdr.nlm4_lock("h", FH, b"o", 1, 0, 1)),
             P().opaque(b"cookie").u32(0).bytes()),
            (xdr.PROG_NFS, 3, 6, xdr.nfs3_read(FH, 0, 9), P().u32(0).u32(0).u32(9).bytes())):
        x, c = call(prog, vers, proc, args)
        r = xdr.reply(x, results)
        s.write(0, xdr.record(c))
        s.write(1, xdr.record(r[:len(r) - 2]))
    # Record marks that lie: zero length, far too long, and a last
    # fragment that never ends.
    s.write(0, struct.pack(">I", 0x80000000) + good[0][0])
    s.write(0, struct.pack(">I", 0x7fffffff) + good[0][0])
    s.write(1, struct.pack(">I", 0x80000000 | 1000) + b"\0" * 20)
    s.close()
    return stamp(pkts + s.packets())


# tshark follows a record into the next segment only when the segment it
# starts in holds its first bytes up to the credentials (it tests them to
# take the bytes for RPC); earlier cuts are kept for split_marks.
HEADER_CUT = 48


def split_records(n=30, seed=7, split_marks=False):
    """NFS v3 READ calls and replies of many sizes (some larger than a
    segment) written in bursts of five, cut at random points: records end
    mid-segment and several share a segment. With `split_marks`, cuts
    also fall inside record marks (tshark loses such a stream; trawl must
    not). Returns the session and the xids in the order sent."""
    rng = random.Random(seed)
    P = Packer
    s = TcpSession(cport=804 + split_marks)
    xids = []

    def cut_points(records, count, low):
        data = b"".join(records)
        marks, at = [], 0
        for r in records:
            marks.append(at)
            at += len(r)
        allowed = [c for c in range(low, len(data))
                   if split_marks or not any(m < c < m + HEADER_CUT for m in marks)]
        points = sorted(rng.sample(allowed, min(count, len(allowed))))
        if split_marks:
            points += [m + 2 for m in marks[1::2]]
        return data, sorted(set(points))

    for burst in range(n // 5):
        calls, replies = [], []
        for k in range(5):
            size = rng.choice([0, 13, 500, 3000, 9000])
            x, c = call(xdr.PROG_NFS, 3, 6, xdr.nfs3_read(FH, 0, size))
            xids.append(x)
            calls.append(xdr.record(c))
            data = bytes(rng.randrange(256) for _ in range(size))
            replies.append(xdr.record(xdr.reply(x, P().u32(0).u32(0).u32(size)
                                                .bool(True).opaque(data).bytes())))
        # tshark takes a stream for RPC only when its first segment holds
        # a whole RPC header: the first cut of each direction comes late.
        low = 120 if burst == 0 else 1
        data, cuts = cut_points(calls, 6, low)
        s.write(0, data, cuts=cuts)
        data, cuts = cut_points(replies, 12, low)
        s.write(1, data, cuts=cuts)
    s.close()
    return s, xids


def write_all(outdir):
    import pathlib
    out = pathlib.Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    s, _ = split_records()
    hard, _ = split_records(split_marks=True)
    for name, pkts in (("rpc-edge.pcap", edge_trace()),
                       ("rpc-malformed.pcap", malformed_trace()),
                       ("rpc-split.pcap", stamp(s.packets())),
                       ("rpc-split-marks.pcap", stamp(hard.packets()))):
        wrpcap(str(out / name), pkts)
        paths[name] = out / name
    return paths


if __name__ == "__main__":
    for name, path in write_all(sys.argv[1]).items():
        print(name, path)
