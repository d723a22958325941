"""The offline pre-filter is exact: over the generated traces and frames
made to sit on the edges of its proof (src/expr/kernel.c), `trawl match`
and `trawl read` select the same packets with it as without it
(TRAWL_NO_PREFILTER=1) and as with libpcap running the kernel part in its
place (TRAWL_PREFILTER_BPF=1), for expressions it filters on (ports, hosts,
IPv6, VLAN) and for ones mixed with what BPF cannot say (`tcp.len`,
`frame.len`, regexes). Independently of trawl's use of libpcap, tcpdump
running the kernel part selects every whole frame the expression matches,
and for pcap-filter text trawl selects what tcpdump selects."""
import os
import pathlib
import struct
import subprocess

import pytest

from conftest import BUILD, need
import gen_traces
import rpc_traces
from gen_traces import (A, A6, B, B6, MAC_A, MAC_B, Frame, LINKTYPE_ETHERNET,
                        write_pcap)
from scapy.all import (ARP, GRE, ICMP, IP, SCTP, TCP, UDP, Dot1AD, Dot1Q,
                       Dot3, Ether, ICMPv6DestUnreach, IPOption_LSRR,
                       IPOption_NOP, IPOption_SSRR, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, LLC, SNAP)
from scapy.contrib.mpls import MPLS
from scapy.layers.vxlan import VXLAN
from test_expr import kernel_text

TRAWL = str(BUILD / "src" / "cli" / "trawl")

# Expressions with a kernel part, alone and mixed with tests BPF cannot
# run; and a few with none (the pre-filter must then stay out of the way).
EXPRS = [
    "tcp.port == 80",
    "tcp.dstport in {80, 443}",
    "udp.port == 53",
    "tcp.port == 4",  # the TCP header after an IPv6 fragment header
    "port == 80",
    "portrange == 100-120,-10",
    "ip.src == 10.1.2.3",
    "ip.dst == 10.9.9.9",
    "ip.addr == 10.9.9.9 and tcp.port == 80",
    "ip.addr == 192.168.0.0/16",
    "ip == 10.0/8",
    "ipv6.addr == 2001:db8::/32",
    "ipv6.dst == 2001:db8:ffff::abcd and tcp",
    "eth.src == 02:00:00:00:00:01",
    "eth.src == 02:00:00:00:00:01 and ip",
    "tcp.port == 80 or eth.dst == 02:00:00:00:00:02",
    # A port load past a short frame must not reject what the address
    # test matched.
    "tcp.port == 80 or ip.src == 10.1.2.3",
    "ip.proto == 17",
    "tcp", "udp", "sctp", "arp", "ipv6", "icmp or icmpv6", "igmp",
    "vlan and tcp",
    "vlan == 100 and udp",
    "vlan and tcp.port == 80",
    "tcp.port == 80 and not vlan",
    "ipv6.src == 2001:db8::1 and tcp.dstport == 80",
    "ip.dst == 10.9.9.9 or sctp.port == 80",
    "tcp and tcp.len > 10",
    "tcp.port == 80 and frame.len > 60",
    "udp and frame.len < 80",
    "tcp.port == 80 and tcp.flags.syn == 1",
    "tcpFlags == syn+ack and ip == 10.0/16",
    "src 10.0.0.0/8 and dport 80",
    "udp and regexp == 'x'",
    "ip.addr == 10.1.2.3 and eth.src matches \"^02:00\"",
    "tcp.port == 80 and data.data matches \"y{4}\"",
    # No kernel part.
    "not tcp",
    "tcp.port == 80 or frame.len < 40",
    "vlan",
]

# pcap-filter text, read by libpcap in trawl and in tcpdump.
PCAP_FILTERS = [
    "tcp port 80", "udp port 53", "host 10.1.2.3", "ip6 and tcp",
    "vlan 100", "ether src 02:00:00:00:00:01", "net 192.168.0.0/16 and tcp",
    "ip6 net 2001:db8::/32", "len < 60",
]


def edge_frames():
    """Whole Ethernet frames on the edges of the kernel part's proof, and
    a few cut by a snapshot length."""
    e = Ether(src=MAC_A, dst=MAC_B)
    t80 = TCP(sport=1234, dport=80, flags="S")
    frames = []

    def add(p, wirelen=None):
        frames.append(Frame(bytes(p), wirelen))

    # Plain frames, to have matches.
    add(e / IP(src=A, dst=B) / t80 / (b"y" * 16))
    add(e / IP(src=B, dst=A) / UDP(sport=53, dport=5353) / (b"x" * 20))
    add(e / IPv6(src=A6, dst=B6) / t80)
    add(e / IP(src=A, dst=B) / SCTP(sport=80, dport=9))
    # The first fragment of IPv6 TCP: libpcap's `ip6 proto 6` accepts it,
    # its port tests do not look past the fragment header, trawl decodes
    # the TCP header.
    add(e / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=7, m=1) / t80 /
        (b"y" * 16))
    add(e / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=8) /
        UDP(sport=53, dport=53) / b"x")
    add(e / IPv6(src=A6, dst=B6) / IPv6ExtHdrDestOpt() / t80)
    # An IPv4 ethertype in front of an IPv6 header (trawl decodes IPv6),
    # and the other way round.
    add(Ether(src=MAC_A, dst=MAC_B, type=0x0800) / IPv6(src=A6, dst=B6) / t80)
    # ... whose bytes also read as an unfragmented IPv4 TCP header: the
    # source address's second byte is at IPv4's protocol, the next header
    # and hop limit at its fragment offset.
    add(Ether(src=MAC_A, dst=MAC_B, type=0x0800) /
        IPv6(src="2006:db8::1", dst=B6, hlim=0) / IPv6ExtHdrHopByHop() / t80)
    add(Ether(src=MAC_A, dst=MAC_B, type=0x86dd) / IP(src=A, dst=B) / t80)
    # An IPv6 type before an IPv6 header of another version (4, 0, 7):
    # decoded as data, though its next header says UDP or TCP.
    for tag in (False, True):
        for version in (4, 0, 7):
            for l4 in (UDP(sport=53, dport=80), t80):
                wrap = e / Dot1Q(vlan=7) if tag else e
                b = bytearray(bytes(wrap / IPv6(src=A6, dst=B6) / l4 / b"x"))
                at = 18 if tag else 14
                b[at] = version << 4 | (b[at] & 0x0f)
                add(b)
    # Frames shorter on the wire than the headers their ethertype
    # announces: every BPF load past their end would reject them.
    four = bytes(e / IP(src=A, dst=B) / t80)
    for n in (10, 13, 14, 15, 20, 24, 30, 34, 36, 37, 38, 40, 50):
        add(four[:n])
    six = bytes(e / IPv6(src=A6, dst=B6) / t80)
    for n in (15, 40, 54, 55, 57, 58, 60):
        add(six[:n])
    # A 60-byte IPv4 header (options) cut before and inside the ports.
    opts = bytes(e / IP(src=A, dst=B, options=[IPOption_NOP()] * 40) / t80)
    for n in (14 + 60, 14 + 60 + 2, 14 + 60 + 3, 14 + 60 + 4):
        add(opts[:n])
    # Source routes on their way: trawl's ip.dst is the route's last
    # address, not the header's destination field.
    add(e / IP(src=A, dst=B, options=[IPOption_LSRR(
        routers=["10.9.9.9"], pointer=4)]) / UDP(sport=7, dport=53) / b"x")
    add(e / IP(src=A, dst=B, options=[IPOption_SSRR(
        routers=["10.8.8.8", "10.9.9.9"], pointer=4)]) / t80)
    # Header lengths below five words.
    for ihl in (0, 1, 4):
        bad = bytearray(four)
        bad[14] = 0x40 | ihl
        add(bad)
    # A total length shorter than the frame (padding), and zero.
    add(bytes(e / IP(src=A, dst=B) / UDP(sport=1, dport=80)) + b"\0" * 20)
    zero = bytearray(four)
    zero[16:18] = b"\0\0"
    add(zero)
    # A later IPv4 fragment whose bytes look like a TCP header to port 80.
    add(e / IP(src=A, dst=B, frag=1, proto=6) / bytes(t80))
    # Tunnels and wrappers around TCP port 80.
    inner = IP(src=A, dst=B) / t80
    add(e / IP(src=B, dst=A) / UDP(sport=4789, dport=4789) / VXLAN(vni=1) /
        Ether(src=MAC_B, dst=MAC_A) / inner)
    add(e / IP(src=B, dst=A) / UDP(sport=1111, dport=4789) / VXLAN(vni=1) /
        Ether(src=MAC_B, dst=MAC_A) / inner)
    add(e / IPv6(src=B6, dst=A6) / UDP(sport=4789, dport=1) / VXLAN(vni=2) /
        Ether(src=MAC_B, dst=MAC_A) / inner)
    add(e / IP(src=B, dst=A) / UDP(sport=1111, dport=6635) /
        MPLS(label=16, s=1) / inner)
    add(e / IP(src=B, dst=A) / GRE() / inner)
    add(e / IP(src=B, dst=A) / IP(src=A, dst=B) / t80)
    add(e / IP(src=B, dst=A) / IPv6(src=A6, dst=B6) / t80)
    add(e / IPv6(src=B6, dst=A6) / inner)
    add(e / Dot1Q(vlan=100) / inner)
    add(e / Dot1Q(vlan=100) / IP(src=A, dst=B) / UDP(sport=53, dport=7))
    add(Ether(src=MAC_A, dst=MAC_B, type=0x88a8) / Dot1AD(vlan=10) /
        Dot1Q(vlan=20) / inner)
    add(Ether(src=MAC_A, dst=MAC_B, type=0x8847) / MPLS(label=16, s=1) / inner)
    # The pre-filter's own reading (not the kernel part's text) decides
    # frames under up to two VLAN tags: the edges above, tagged.
    q = e / Dot1Q(vlan=7)
    add(q / IPv6(src=A6, dst=B6) / t80)
    add(q / IPv6(src=B6, dst=A6) / UDP(sport=53, dport=80))
    add(q / IP(src=B, dst=A) / SCTP(sport=80, dport=9))
    add(q / IP(src=A, dst="10.9.9.9") / TCP(sport=80, dport=7))
    add(Ether(src=MAC_B, dst=MAC_A, type=0x9100) / Dot1Q(vlan=5) /
        IP(src=A, dst=B) / t80 / (b"y" * 8))
    add(Ether(src=MAC_A, dst=MAC_B, type=0x88a8) / Dot1AD(vlan=10) /
        Dot1Q(vlan=20) / IPv6(src=A6, dst=B6) / t80)
    add(q / Dot1Q(vlan=8) / Dot1Q(vlan=9) / inner)  # three tags
    add(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") / Dot1Q(vlan=7) /
        ARP(psrc=A, pdst=B))
    add(Ether(src=MAC_A, dst=MAC_B, type=0x8100) / Dot1Q(vlan=7, type=0x0800) /
        IPv6(src=A6, dst=B6) / t80)
    add(q / IP(src=A, dst=B, options=[IPOption_NOP()] * 4) / t80)
    add(q / IP(src=A, dst=B, options=[IPOption_LSRR(
        routers=["10.9.9.9"], pointer=4)]) / UDP(sport=7, dport=53) / b"x")
    add(q / IP(src=A, dst=B, frag=1, proto=6) / bytes(t80))
    add(q / IP(src=B, dst=A) / UDP(sport=1111, dport=4789) / VXLAN(vni=1) /
        Ether(src=MAC_B, dst=MAC_A) / inner)
    add(q / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=9, m=1) / t80)
    add(bytes(q / IP(src=A, dst=B) / UDP(sport=1, dport=80)) + b"\0" * 20)
    # A tag announcing a length: LLC/SNAP follows, then IPv4.
    snap = bytes(LLC(dsap=0xaa, ssap=0xaa, ctrl=3) / SNAP(code=0x0800) /
                 inner)
    add(e / Dot1Q(vlan=7, type=len(snap)) / snap)
    tagged4 = bytes(q / IP(src=A, dst=B) / t80)
    for n in (15, 17, 18, 20, 34, 40, 41, 42, 44, 54):
        add(tagged4[:n])
    tagged6 = bytes(Ether(src=MAC_A, dst=MAC_B, type=0x88a8) /
                    Dot1AD(vlan=10) / Dot1Q(vlan=20) / IPv6(src=A6, dst=B6) /
                    t80)
    for n in (21, 22, 40, 61, 62, 65, 66, 80):
        add(tagged6[:n])
    # IPv4 and TCP length fields that disagree with the tagged frame.
    short = bytearray(tagged4)
    short[20:22] = b"\0\x20"  # total length 32: the TCP header is cut
    add(short)
    long_ = bytearray(tagged4)
    long_[20:22] = b"\x05\xdc"  # total length 1500: past the frame
    add(long_)
    doff = bytearray(tagged4)
    doff[18 + 20 + 12] = 0x40  # data offset 4 words
    add(doff)
    add(Dot3(src=MAC_A, dst=MAC_B) / LLC(dsap=0xaa, ssap=0xaa, ctrl=3) /
        SNAP(code=0x0800) / inner)
    add(e / IP(src=B, dst=A) / ICMP(type=3, code=3) / inner)
    add(e / IPv6(src=B6, dst=A6) / ICMPv6DestUnreach() /
        IPv6(src=A6, dst=B6) / t80)
    # ARP and RARP (ARP's layout under another ethertype).
    add(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") / ARP(psrc=A, pdst=B))
    add(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff", type=0x8035) /
        ARP(op=3, psrc=A, pdst=B))
    # Cut by a snapshot length: the pre-filter leaves these alone.
    cut = bytes(e / IP(src=A, dst=B) / t80 / (b"y" * 100))
    for n in (30, 38, 40, 60):
        frames.append(Frame(cut[:n], wirelen=len(cut)))
    return frames


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    d = tmp_path_factory.mktemp("prefilter")
    out = gen_traces.write_all(d)
    out["edge.pcap"] = write_pcap(d / "edge.pcap", LINKTYPE_ETHERNET,
                                  edge_frames())
    return out


def run(argv, prefilter):
    """prefilter: True (trawl's evaluation of the kernel part), "bpf"
    (libpcap running its text) or False (none)."""
    env = dict(os.environ)
    env.pop("TRAWL_NO_PREFILTER", None)
    env.pop("TRAWL_PREFILTER_BPF", None)
    if not prefilter:
        env["TRAWL_NO_PREFILTER"] = "1"
    elif prefilter == "bpf":
        env["TRAWL_PREFILTER_BPF"] = "1"
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                       env=env)
    return r


def match_all(path, expr, prefilter=True, *opts):
    r = run([TRAWL, "match", "--all", *opts, str(path), "--", expr],
            prefilter)
    assert r.returncode in (0, 1), (expr, r.stderr)
    return [int(x) for x in r.stdout.split()]


def read_numbers(path, expr, prefilter):
    r = run([TRAWL, "read", str(path), "-T", "fields", "-e", "frame.number",
             "--", expr], prefilter)
    assert r.returncode == 0, (expr, r.stderr)
    return [int(x) for x in r.stdout.split()]


def pcap_records(path):
    """(seconds, microseconds, caplen, wire length) of each record of a
    little-endian microsecond pcap file."""
    data = pathlib.Path(path).read_bytes()
    magic, = struct.unpack_from("<I", data)
    assert magic == 0xa1b2c3d4, path
    recs, off = [], 24
    while off < len(data):
        sec, usec, caplen, wirelen = struct.unpack_from("<IIII", data, off)
        recs.append((sec, usec, caplen, wirelen))
        off += 16 + caplen
    return recs


def tcpdump_matches(path, text, tmp_path):
    """Indexes of the records `tcpdump -r PATH TEXT` keeps, told apart by
    their time stamps (distinct in the generated traces)."""
    out = tmp_path / "tcpdump.pcap"
    r = subprocess.run(["tcpdump", "-r", str(path), "-w", str(out), text],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (text, r.stderr)
    index = {(s, u): i for i, (s, u, _, _) in enumerate(pcap_records(path))}
    assert len(index) == len(pcap_records(path)), "time stamps must differ"
    return [index[(s, u)] for s, u, _, _ in pcap_records(out)]


ALL_TRACES = ["ether.pcap", "ether.pcapng", "multi.pcapng", "edge.pcap",
              "sll.pcap"]


@pytest.mark.parametrize("expr", EXPRS)
def test_same_matches_with_and_without(traces, expr):
    for name in ALL_TRACES:
        if name not in traces:
            continue  # ether.pcapng needs editcap
        path = traces[name]
        ours = match_all(path, expr, True)
        assert ours == match_all(path, expr, False), (name, expr)
        assert ours == match_all(path, expr, "bpf"), (name, expr)
        if name in ("ether.pcap", "edge.pcap"):
            numbers = read_numbers(path, expr, True)
            assert numbers == read_numbers(path, expr, False), (name, expr)
            assert numbers == [i + 1 for i in ours], (name, expr)


def test_traces_exercise_it(traces):
    """The expressions select something and the kernel parts reject a good
    share: the comparisons above are not between empty lists."""
    path = traces["edge.pcap"]
    total = len(pcap_records(path))
    assert len(match_all(path, "tcp.port == 80")) >= 20
    assert len(match_all(path, "eth.src == 02:00:00:00:00:01")) > total // 2
    # The IPv6 first fragment (frame 4) and the IPv6 headers behind an
    # IPv4 ethertype (frames 7 and 8) are matched, as tshark would.
    assert {4, 7, 8} <= set(match_all(path, "tcp.port == 80 and ipv6"))
    assert 4 in match_all(path, "tcp.port == 80 and ipv6.addr == "
                          "2001:db8::/32")
    # Tagged frames are among the matches and the rejections.
    tagged = match_all(path, "vlan and tcp.port == 80")
    assert len(tagged) >= 6, tagged
    assert len(match_all(path, "vlan")) - len(tagged) >= 6


@pytest.mark.parametrize("expr", [x for x in EXPRS if x not in
                                  ("not tcp", "tcp.port == 80 or frame.len < 40",
                                   "vlan")])
def test_kernel_part_passes_every_match(traces, expr, tmp_path):
    """tcpdump, running the kernel part with its own reader, keeps every
    whole frame trawl's expression matches (frames cut by a snapshot length
    are not for it: a load past the captured bytes rejects them, which is
    why the pre-filter skips them)."""
    need("tcpdump")
    text = kernel_text(TRAWL, expr)
    assert text and text.startswith("not ((ip and len >= 38"), (expr, text)
    filtered = 0
    for name in ("ether.pcap", "edge.pcap"):
        path = traces[name]
        recs = pcap_records(path)
        whole = {i for i, r in enumerate(recs) if r[2] == r[3]}
        ours = set(match_all(path, expr)) & whole
        kernel = set(tcpdump_matches(path, text, tmp_path))
        assert ours <= kernel, (name, expr, sorted(ours - kernel))
        filtered += len(recs) - len(kernel)
    assert filtered > 0, expr


@pytest.mark.parametrize("text", PCAP_FILTERS)
def test_pcap_filter_matches_tcpdump(traces, text, tmp_path):
    need("tcpdump")
    for name in ("ether.pcap", "edge.pcap"):
        path = traces[name]
        theirs = tcpdump_matches(path, text, tmp_path)
        assert theirs, (name, text)
        assert match_all(path, text, True, "--bpf") == theirs, (name, text)


# RPC over TCP and UDP, where the trace's flows reassemble records across
# segments and --reply pairs calls with replies: state that every packet
# feeds, matching or not, and that the pre-filter must leave as it is.
RPC_EXPRS = [
    "rpc.msgtyp == 0 and ip.src == 10.9.0.2",
    "rpc and tcp.dstport == 2049",
    "ip.dst == 10.9.0.1 and rpc.procedure == 1",
    "udp.port == 111 or tcp.port == 111",
]


@pytest.fixture(scope="module")
def rpc_paths(tmp_path_factory):
    return rpc_traces.write_all(tmp_path_factory.mktemp("prefilter-rpc"))


@pytest.mark.parametrize("expr", RPC_EXPRS)
def test_rpc_state_is_the_same(rpc_paths, expr):
    some = 0
    for name, path in sorted(rpc_paths.items()):
        for opts in ((), ("--reply",), ("--reply", "--from", "3")):
            ours = match_all(path, expr, True, *opts)
            assert ours == match_all(path, expr, False, *opts), \
                (name, expr, opts)
            some += len(ours)
    assert some, expr


# Real traffic: a sample of the shared corpus (the whole of it, with ten
# expressions, showed no difference either).
CORPUS_EXPRS = ["tcp.port == 80", "ip.addr == 10.0.0.0/8 and udp",
                "ipv6 or arp", "tcpFlags == syn+ack and ip == 192.168/16"]


def test_corpus_sample_same_matches(corpus_dir):
    files = sorted(p for p in corpus_dir.iterdir()
                   if p.suffix in (".pcap", ".pcapng"))[::20]
    assert files
    some = 0
    for path in files:
        for expr in CORPUS_EXPRS:
            on = run([TRAWL, "match", "--all", str(path), "--", expr], True)
            off = run([TRAWL, "match", "--all", str(path), "--", expr], False)
            assert (on.returncode, on.stdout) == \
                (off.returncode, off.stdout), (path.name, expr)
            some += len(on.stdout.split())
    assert some, "the sample should match something"


def rewrap(frame, linktype):
    """The edge frame `frame` (Ethernet II) under another link layer, or
    None when that link layer cannot carry it."""
    d = frame.data
    if len(d) < 14:
        return None
    etype, mac, body = d[12:14], d[6:12], d[14:]
    if int.from_bytes(etype, "big") < 0x600:
        return None  # 802.3 lengths have no place there
    if linktype == gen_traces.LINKTYPE_LINUX_SLL:
        head = struct.pack(">HHH", 0, 1, 6) + mac + b"\0\0" + etype
    elif linktype == gen_traces.LINKTYPE_LINUX_SLL2:
        head = etype + b"\0\0" + struct.pack(">IHBB", 2, 1, 0, 6) + mac + b"\0\0"
    elif etype not in (b"\x08\x00", b"\x86\xdd"):
        return None  # raw IP and BSD loopback carry IP only
    elif linktype == gen_traces.LINKTYPE_RAW:
        head = b""
    else:  # NULL and LOOP: the address family, host order / network order
        af = 2 if etype == b"\x08\x00" else 24
        head = struct.pack("<I" if linktype == gen_traces.LINKTYPE_NULL
                           else ">I", af)
    return Frame(head + body, frame.wirelen - len(d) + len(head) + len(body))


LINKTYPES = {"sll": gen_traces.LINKTYPE_LINUX_SLL,
             "sll2": gen_traces.LINKTYPE_LINUX_SLL2,
             "raw": gen_traces.LINKTYPE_RAW,
             "null": gen_traces.LINKTYPE_NULL,
             "loop": gen_traces.LINKTYPE_LOOP}


@pytest.mark.parametrize("kind", sorted(LINKTYPES))
def test_kernel_part_of_other_link_types(kind, tmp_path):
    """The kernel part for Linux's cooked headers (what `-i any` captures),
    raw IP and BSD loopback: tcpdump running it on the edge frames under
    that link layer keeps every whole frame trawl's expression matches,
    and it does filter."""
    need("tcpdump")
    lt = LINKTYPES[kind]
    frames = [f for f in (rewrap(f, lt) for f in edge_frames()) if f]
    path = write_pcap(tmp_path / f"edge-{kind}.pcap", lt, frames)
    recs = pcap_records(path)
    whole = {i for i, r in enumerate(recs) if r[2] == r[3]}
    filtered = 0
    for expr in EXPRS:
        r = subprocess.run([TRAWL, "explain", "--linktype", str(lt), expr],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        at = [i for i, l in enumerate(lines)
              if l.startswith("kernel (pcap-filter")]
        if not at:
            continue  # no kernel part for this one
        text = lines[at[0] + 1].strip()
        assert "ether " not in text, (kind, expr, text)
        ours = set(match_all(path, expr)) & whole
        kernel = set(tcpdump_matches(path, text, tmp_path))
        assert ours <= kernel, (kind, expr, sorted(ours - kernel))
        filtered += len(recs) - len(kernel)
    assert filtered > 0, kind
