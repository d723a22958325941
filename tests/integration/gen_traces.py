"""Deterministic multi-protocol traces made with scapy, for the tests that
compare trawl with tshark.

Nothing binary is committed: each test writes what it needs into its
temporary directory. Every trace is a pure function of SEED: packets come
from scapy (or from bytes built here where scapy cannot say it), random
choices come from one random.Random(SEED), and time stamps are fixed, so
two runs write identical files and a mismatch report names the same frame
every time.

The files and the link types they exercise:

    ether.pcap        Ethernet (1): several hundred frames, every protocol
    ether.pcapng      the same frames, converted by editcap -F pcapng
    stress.pcap       Ethernet: headers cut at every byte, odd lengths and
                      message types, on the edges of the decoders' rules
    sll.pcap          Linux cooked v1 (113)
    sll2.pcap         Linux cooked v2 (276)
    raw.pcap          raw IP, version from the first nibble (101)
    ipv4.pcap         raw IPv4 (228)
    ipv6.pcap         raw IPv6 (229)
    null.pcap         BSD loopback, host byte order (0), both orders
    loop.pcap         OpenBSD loopback, network byte order (108)
    multi.pcapng      one section with an interface of each link type
                      above, nanosecond time stamps and packet comments
"""
import random
import shutil
import struct
import subprocess

from scapy.all import (ARP, ICMP, IP, SCTP, TCP, UDP, Dot1AD, Dot1Q, Dot3,
                       Ether, GRE, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrSegmentRouting, LLC, Raw, SNAP,
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                       ICMPv6DestUnreach, ICMPv6PacketTooBig,
                       ICMPv6TimeExceeded, ICMPv6NDOptSrcLLAddr,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptPrefixInfo,
                       ICMPv6MLQuery, RouterAlert, HBHOptUnknown, PadN, Jumbo,
                       SCTPChunkData, SCTPChunkInit, SCTPChunkInitAck,
                       SCTPChunkSACK, SCTPChunkHeartbeatReq, IPOption_RR,
                       IPOption_Router_Alert,
                       IPOption_NOP, IPOption_EOL, IPOption_LSRR)
from scapy.contrib.igmp import IGMP
from scapy.contrib.igmpv3 import IGMPv3, IGMPv3gr, IGMPv3mq, IGMPv3mr
from scapy.contrib.mpls import MPLS
from scapy.layers.vxlan import VXLAN

SEED = 20241124
T0 = 1700000000  # 2023-11-14 22:13:20 UTC

A, B = "10.1.2.3", "192.168.100.200"
A6, B6 = "2001:db8::1", "2001:db8:ffff::abcd"
MAC_A, MAC_B = "02:00:00:00:00:01", "02:00:00:00:00:02"

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276


class Frame:
    """One record: its bytes, the length on the wire (>= len(data) when the
    capture was cut by a snap length) and an optional pcapng comment."""

    def __init__(self, data, wirelen=None, comment=None):
        self.data = bytes(data)
        self.wirelen = len(self.data) if wirelen is None else wirelen
        self.comment = comment


def eth(**kw):
    return Ether(src=MAC_A, dst=MAC_B, **kw)


# ---- transport layers ------------------------------------------------------

# TCP option lists, from the ordinary to the malformed. Raw bytes are
# spliced in by tcp_raw() because scapy would repair them.
TCP_OPTIONS = [
    [],
    [("MSS", 1460)],
    [("MSS", 1380), ("NOP", None), ("WScale", 7), ("SAckOK", b""),
     ("Timestamp", (123456789, 0))],
    [("NOP", None), ("NOP", None), ("Timestamp", (4000000000, 3999999999))],
    [("NOP", None), ("NOP", None), ("SAck", (1000, 2000))],
    [("NOP", None), ("NOP", None), ("SAck", (1, 2, 30000, 40000, 5, 6))],
    [("WScale", 14), ("EOL", None)],
    [("MSS", 536), ("SAckOK", b""), ("Timestamp", (1, 2)), ("NOP", None),
     ("WScale", 0)],
]
TCP_RAW_OPTIONS = [
    b"\x1e\x0c\x00\x81\x00\x01\x02\x03\x04\x05\x06\x07",  # MPTCP
    b"\x22\x0a\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00",  # TCP Fast Open
    b"\x02\x04\x05\xb4\x01\x00\x00\x00",                    # MSS, NOP, EOL pad
    b"\x02\x00\x00\x00",                                    # length 0
    b"\x08\x0a\x00\x00\x00\x01\x00\x00",                    # runs past the end
    b"\xfd\x04\xbe\xef",                                    # experimental
]


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_raw(sport, dport, seq, ack, flags, window, options, payload=b"",
            urg=0):
    """A TCP header built byte by byte, for options scapy would not write
    as given. The checksum is left zero: no field trawl or tshark prints
    depends on it being right."""
    options = options + b"\0" * (-len(options) % 4)
    off = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIHHHH", sport, dport, seq, ack,
                      off << 12 | (flags & 0x1ff), window, 0, urg)
    return hdr + options + payload


def tcp_flag_packets(rnd):
    """Every combination of the nine TCP flag bits (NS/AE, CWR, ECE, URG,
    ACK, PSH, RST, SYN, FIN), alternately over IPv4 and IPv6, with random
    ports, numbers, options, payloads and DSCP/ECN bits."""
    out = []
    for flags in range(512):
        sport = rnd.randrange(1024, 65536)
        dport = rnd.choice([80, 443, 22, 8080, rnd.randrange(1024, 65536)])
        seq, ack = rnd.randrange(2**32), rnd.randrange(2**32)
        win = rnd.randrange(65536)
        payload = bytes(rnd.randrange(256) for _ in range(rnd.choice([0, 0, 1, 7, 100, 600])))
        tos = rnd.randrange(256)
        if flags % 16 == 5:
            l4 = Raw(tcp_raw(sport, dport, seq, ack, flags, win,
                             rnd.choice(TCP_RAW_OPTIONS), payload,
                             urg=rnd.randrange(65536)))
            if flags % 2:
                l3 = IPv6(src=A6, dst=B6, tc=tos, nh=6)
            else:
                l3 = IP(src=A, dst=B, tos=tos, proto=6)
        else:
            l4 = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack,
                     window=win, urgptr=rnd.randrange(65536) if flags & 0x20 else 0,
                     options=rnd.choice(TCP_OPTIONS)) / Raw(payload)
            if flags % 2:
                l3 = IPv6(src=A6, dst=B6, tc=tos, fl=rnd.randrange(1 << 20))
            else:
                l3 = IP(src=A, dst=B, tos=tos, id=rnd.randrange(65536),
                        ttl=rnd.randrange(1, 256))
        out.append(eth() / l3 / l4)
    return out


def ipv4_packets(rnd):
    """IPv4 header features: options, flags, fragments, DSCP/ECN, checksum,
    lengths, and the protocols trawl decodes above IPv4."""
    p = []
    udp = UDP(sport=40000, dport=40001) / (b"u" * 12)
    # Options, well formed and not.
    for opts in ([IPOption_NOP(), IPOption_EOL()],
                 [IPOption_RR(routers=["1.2.3.4", "5.6.7.8"])],
                 b"\x44\x0c\x0d\x00\x00\x00\x00\x01\x00\x00\x00\x02",  # timestamps, full
                 [IPOption_Router_Alert()],
                 [IPOption_LSRR(routers=["9.9.9.9"])],
                 b"\x94\x04\x00\x00",            # router alert as bytes
                 b"\x07\x02\x00\x00",            # RR with length 2 (< 3)
                 b"\x01\x01\x01\x44\x28\x00\x00\x00"):  # timestamp past end
        p.append(eth() / IP(src=A, dst=B, options=opts) / udp)
    # Flags and fragments: first, middle and last pieces of UDP, TCP, ICMP.
    p.append(eth() / IP(src=A, dst=B, flags="DF") / udp)
    p.append(eth() / IP(src=A, dst=B, flags="evil") / udp)
    p.append(eth() / IP(src=A, dst=B, flags="evil+DF+MF") / udp)
    p.append(eth() / IP(src=A, dst=B, flags="MF", frag=0, id=9) /
             UDP(sport=3, dport=4, len=72) / (b"a" * 32))
    p.append(eth() / IP(src=A, dst=B, flags="MF", frag=5, id=9, proto=17) / (b"b" * 16))
    p.append(eth() / IP(src=A, dst=B, frag=7, id=9, proto=17) / (b"c" * 16))
    p.append(eth() / IP(src=A, dst=B, flags="MF", id=10) /
             TCP(sport=5, dport=6, flags="PA") / (b"t" * 24))
    p.append(eth() / IP(src=A, dst=B, frag=6, id=10, proto=6) / (b"d" * 24))
    p.append(eth() / IP(src=A, dst=B, flags="MF", id=11) / ICMP() / (b"i" * 24))
    p.append(eth() / IP(src=A, dst=B, frag=8191, id=11, proto=1) / (b"e" * 8))
    # Every ECN value with a few code points.
    for dscp in (0, 8, 10, 46, 48, 63):
        for ecn in range(4):
            p.append(eth() / IP(src=A, dst=B, tos=dscp << 2 | ecn, ttl=dscp + 1) / udp)
    # A wrong header checksum, a zero one, a header length above 5 with no
    # options recognised, and a total length shorter than the frame
    # (Ethernet padding).
    p.append(eth() / IP(src=A, dst=B, chksum=0x1234) / udp)
    p.append(eth() / IP(src=A, dst=B, chksum=0) / udp)
    p.append(eth() / IP(src=A, dst=B) / UDP(sport=1, dport=2))
    p.append(Ether(bytes(eth() / IP(src=A, dst=B) / UDP(sport=1, dport=2)) + b"\0" * 18))
    # Protocols above IPv4 trawl does not decode.
    p.append(eth() / IP(src=A, dst=B, proto=50) / (b"\x00\x00\x01\x00" + b"esp" * 10))
    p.append(eth() / IP(src=A, dst=B, proto=253) / b"experiment")
    # TTL extremes and special addresses.
    p.append(eth() / IP(src="0.0.0.0", dst="255.255.255.255", ttl=0) / UDP(sport=68, dport=67))
    p.append(eth() / IP(src="127.0.0.1", dst="127.0.0.1", ttl=255) / udp)
    return p


def udp_packets(rnd):
    p = []
    for _ in range(16):
        sport, dport = rnd.randrange(1024, 65536), rnd.randrange(1024, 65536)
        if 4789 in (sport, dport):
            dport += 1
        data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 200)))
        if rnd.random() < 0.5:
            p.append(eth() / IP(src=A, dst=B) / UDP(sport=sport, dport=dport) / data)
        else:
            p.append(eth() / IPv6(src=A6, dst=B6) / UDP(sport=sport, dport=dport) / data)
    # Zero checksum, wrong length (shorter and longer than the datagram).
    p.append(eth() / IP(src=A, dst=B) / UDP(sport=1111, dport=2222, chksum=0) / b"nocsum")
    p.append(eth() / IP(src=A, dst=B) / UDP(sport=1111, dport=2222, len=4) / b"short")
    p.append(eth() / IP(src=A, dst=B) / UDP(sport=1111, dport=2222, len=200) / b"long")
    return p


def icmp_packets(rnd):
    p = []
    for t, c in ((8, 0), (0, 0), (13, 0), (14, 0), (15, 0), (16, 0), (17, 0),
                 (18, 0), (9, 0), (10, 0), (42, 0), (99, 7)):
        p.append(eth() / IP(src=A, dst=B) /
                 ICMP(type=t, code=c, id=rnd.randrange(65536), seq=rnd.randrange(65536),
                      ts_ori=1000, ts_rx=2000, ts_tx=3000) /
                 (b"ping" * 4))
    # Errors quote the offending IPv4 header and 8 bytes of its payload.
    inner_udp = IP(src=A, dst=B, ttl=1, id=77) / UDP(sport=1000, dport=2000)
    inner_tcp = IP(src=A, dst=B, ttl=1) / TCP(sport=1001, dport=443, seq=42)
    quoted_tcp = bytes(inner_tcp)[:28]
    for t, c, inner in ((3, 0, inner_udp), (3, 1, inner_udp), (3, 3, inner_udp),
                        (3, 4, inner_tcp), (3, 13, Raw(quoted_tcp)),
                        (11, 0, inner_tcp), (11, 1, inner_udp),
                        (12, 0, inner_udp), (4, 0, inner_udp)):
        p.append(eth() / IP(src=B, dst=A) / ICMP(type=t, code=c) / inner)
    p.append(eth() / IP(src=B, dst=A) / ICMP(type=5, code=1, gw="10.9.9.9") / inner_udp)
    # A quoted header with options, and one cut short.
    p.append(eth() / IP(src=B, dst=A) / ICMP(type=3, code=2) /
             IP(src=A, dst=B, options=[IPOption_Router_Alert()]) / UDP(sport=7, dport=8))
    p.append(eth() / IP(src=B, dst=A) / ICMP(type=3, code=3) / Raw(bytes(inner_udp)[:12]))
    return p


def ipv6_packets(rnd):
    p = []
    u = UDP(sport=9, dport=10) / b"six"
    p.append(eth() / IPv6(src=A6, dst=B6, tc=0x2d, fl=0xabcde, hlim=9) / TCP(sport=22, dport=2222, flags="S"))
    p.append(eth() / IPv6(src="::", dst="ff02::16", hlim=1) /
             IPv6ExtHdrHopByHop(options=[RouterAlert(), PadN(optdata=b"")]) /
             ICMPv6MLQuery())
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop() / u)
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x3e, optdata=b"abcdef")]) / u)
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrRouting(addresses=[B6, A6], segleft=1) / u)
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrRouting(type=2, addresses=[B6], segleft=1) / u)
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrDestOpt() / u)
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0\0\0\0")]) / TCP(sport=1, dport=2))
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop() /
             IPv6ExtHdrRouting(addresses=[B6]) / IPv6ExtHdrDestOpt() / u)
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
             IPv6ExtHdrRouting(addresses=[B6]) / IPv6ExtHdrFragment(id=0xfeed, m=1) /
             IPv6ExtHdrDestOpt() / u)
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x1234, m=1) / UDP(sport=11, dport=12) / (b"f" * 24))
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x1234, offset=4, m=1, nh=17) / (b"g" * 24))
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x1234, offset=8, nh=17) / (b"h" * 24))
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x99, nh=6) / TCP(sport=3, dport=4))
    p.append(eth() / IPv6(src=A6, dst=B6, nh=59) / b"")
    p.append(eth() / IPv6(src="fe80::1", dst="ff02::1", tc=0xff, fl=0xfffff, hlim=255, nh=59))
    # Extension header cut short by the end of the packet.
    p.append(Ether(bytes(eth() / IPv6(src=A6, dst=B6) / IPv6ExtHdrRouting(addresses=[B6, A6]) / u)[:14 + 40 + 12]))
    # ICMPv6.
    p.append(eth() / IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=5, seq=6, data=b"hi"))
    p.append(eth() / IPv6(src=B6, dst=A6) / ICMPv6EchoReply(id=5, seq=6, data=b"hi"))
    p.append(eth() / IPv6(src=A6, dst="ff02::1:ff00:abcd", hlim=255) /
             ICMPv6ND_NS(tgt=B6) / ICMPv6NDOptSrcLLAddr(lladdr=MAC_A))
    p.append(eth() / IPv6(src=B6, dst=A6, hlim=255) / ICMPv6ND_NA(tgt=B6, R=0, S=1, O=1) /
             ICMPv6NDOptDstLLAddr(lladdr=MAC_B))
    p.append(eth() / IPv6(src="fe80::2", dst="ff02::2", hlim=255) / ICMPv6ND_RS())
    p.append(eth() / IPv6(src="fe80::1", dst="ff02::1", hlim=255) /
             ICMPv6ND_RA(chlim=64, routerlifetime=1800) /
             ICMPv6NDOptPrefixInfo(prefix="2001:db8::", prefixlen=64))
    inner6 = IPv6(src=A6, dst=B6) / UDP(sport=99, dport=100)
    p.append(eth() / IPv6(src=B6, dst=A6) / ICMPv6DestUnreach(code=4) / inner6)
    p.append(eth() / IPv6(src=B6, dst=A6) / ICMPv6PacketTooBig(mtu=1280) / inner6)
    p.append(eth() / IPv6(src=B6, dst=A6) / ICMPv6TimeExceeded(code=0) / inner6)
    return p


def other_packets(rnd):
    """SCTP, IGMP, GRE, VXLAN, tunnels, VLAN, MPLS, ARP and 802.3/LLC."""
    p = []
    ip = IP(src=A, dst=B)
    # SCTP.
    p.append(eth() / ip / SCTP(sport=2905, dport=2906, tag=0) /
             SCTPChunkInit(init_tag=0x11223344, a_rwnd=65535, n_out_streams=10,
                           n_in_streams=10, init_tsn=1))
    p.append(eth() / IP(src=B, dst=A) / SCTP(sport=2906, dport=2905, tag=0x11223344) /
             SCTPChunkInitAck(init_tag=0x55667788, a_rwnd=65535, n_out_streams=5,
                              n_in_streams=5, init_tsn=100))
    p.append(eth() / ip / SCTP(sport=2905, dport=2906, tag=0x55667788) /
             SCTPChunkData(tsn=1, stream_id=0, stream_seq=0, proto_id=46, data=b"hello") /
             SCTPChunkData(tsn=2, stream_id=1, stream_seq=0, proto_id=0, data=b"again!"))
    p.append(eth() / IP(src=B, dst=A) / SCTP(sport=2906, dport=2905, tag=0x11223344) /
             SCTPChunkSACK(cumul_tsn_ack=2, a_rwnd=60000))
    p.append(eth() / IPv6(src=A6, dst=B6) / SCTP(sport=5000, dport=5001, tag=7) /
             SCTPChunkHeartbeatReq())
    # IGMP v1, v2 and v3.
    p.append(eth() / IP(src=A, dst="224.0.0.1", ttl=1) / IGMP(type=0x11, mrcode=0, gaddr="0.0.0.0"))
    p.append(eth() / IP(src=A, dst="224.0.0.1", ttl=1) / IGMP(type=0x11, mrcode=100, gaddr="0.0.0.0"))
    p.append(eth() / IP(src=A, dst="224.1.2.3", ttl=1) / IGMP(type=0x16, gaddr="224.1.2.3"))
    p.append(eth() / IP(src=A, dst="224.0.0.2", ttl=1) / IGMP(type=0x17, gaddr="224.1.2.3"))
    p.append(eth() / IP(src=A, dst="224.1.2.3", ttl=1) / IGMP(type=0x12, gaddr="224.1.2.3"))
    p.append(eth() / IP(src=A, dst="224.0.0.1", ttl=1, options=[IPOption_Router_Alert()]) /
             IGMPv3(type=0x11, mrcode=20) / IGMPv3mq(gaddr="0.0.0.0", srcaddrs=["10.0.0.1"]))
    p.append(eth() / IP(src=A, dst="224.0.0.22", ttl=1, options=[IPOption_Router_Alert()]) /
             IGMPv3(type=0x22) /
             IGMPv3mr(records=[IGMPv3gr(rtype=4, maddr="239.1.1.1"),
                               IGMPv3gr(rtype=1, maddr="239.2.2.2", srcaddrs=["10.0.0.9"])]))
    # GRE: plain, checksum, key, sequence, all three; IPv4, IPv6 and
    # Ethernet inside.
    inner = IP(src="172.16.0.1", dst="172.16.0.2") / UDP(sport=13, dport=14) / b"gre"
    p.append(eth() / ip / GRE() / inner)
    p.append(eth() / ip / GRE(chksum_present=1) / inner)
    p.append(eth() / ip / GRE(key_present=1, key=77) / inner)
    p.append(eth() / ip / GRE(seqnum_present=1, sequence_number=5) / inner)
    p.append(eth() / ip / GRE(chksum_present=1, key_present=1, key=0xffffffff,
                              seqnum_present=1, sequence_number=0xfffffffe) / inner)
    p.append(eth() / ip / GRE(proto=0x86dd) / IPv6(src=A6, dst=B6) / UDP(sport=1, dport=2))
    p.append(eth() / ip / GRE(proto=0x6558, key_present=1, key=0x123456 << 8) /
             Ether(src="02:00:00:00:01:01", dst="02:00:00:00:01:02") / inner)
    p.append(eth() / IPv6(src=A6, dst=B6) / GRE() / inner)
    # VXLAN with Ethernet, IPv4, TCP inside; and with a tagged IPv6 frame.
    p.append(eth() / ip / UDP(sport=50000, dport=4789) / VXLAN(vni=4242) /
             Ether(src="02:00:00:00:00:aa", dst="02:00:00:00:00:bb") /
             IP(src="172.16.1.1", dst="172.16.1.2") / TCP(sport=15, dport=16, flags="S"))
    p.append(eth() / ip / UDP(sport=50001, dport=4789) / VXLAN(vni=0xffffff) /
             Ether(src="02:00:00:00:00:aa", dst="02:00:00:00:00:bb") / Dot1Q(vlan=7) /
             IPv6(src=A6, dst=B6) / UDP(sport=1, dport=2))
    # VXLAN recognised by its source port, and with a well-known source
    # port (tshark tries the lower port first).
    p.append(eth() / ip / UDP(sport=4789, dport=33000) / VXLAN(vni=1) /
             Ether(src=MAC_A, dst=MAC_B) / ARP(op=1, psrc=A, pdst=B))
    p.append(eth() / ip / UDP(sport=53, dport=4789) / VXLAN(vni=2) /
             Ether(src=MAC_A, dst=MAC_B) / IP(src=A, dst=B) / ICMP())
    # IP in IP: 4in4, 6in4, 4in6, 6in6.
    p.append(eth() / ip / IP(src="172.16.2.1", dst="172.16.2.2") / UDP(sport=17, dport=18))
    p.append(eth() / ip / IPv6(src=A6, dst=B6) / UDP(sport=19, dport=20))
    p.append(eth() / IPv6(src=A6, dst=B6) / IP(src="172.16.3.1", dst="172.16.3.2") / ICMP())
    p.append(eth() / IPv6(src=A6, dst=B6) / IPv6(src="2001:db8:1::1", dst="2001:db8:1::2") / TCP())
    # 802.1Q, double 802.1Q, 802.1ad outside 802.1Q, priority tag.
    p.append(eth() / Dot1Q(vlan=100, prio=5, id=1) / IP(src=A, dst=B) / UDP(sport=7, dport=8))
    p.append(eth() / Dot1Q(vlan=4095, prio=7) / IPv6(src=A6, dst=B6) / TCP(sport=1, dport=2))
    p.append(eth() / Dot1Q(vlan=0, prio=3) / ARP(op=1, psrc=A, pdst=B, hwsrc=MAC_A))
    p.append(eth() / Dot1Q(vlan=10) / Dot1Q(vlan=20) / IP(src=A, dst=B) / TCP())
    p.append(eth(type=0x88a8) / Dot1AD(vlan=30, prio=1, id=1) / Dot1Q(vlan=40, prio=2) /
             IP(src=A, dst=B) / UDP())
    p.append(eth(type=0x88a8) / Dot1AD(vlan=31) / Dot1Q(vlan=41) / Dot1Q(vlan=51) /
             IPv6(src=A6, dst=B6) / UDP())
    p.append(eth(type=0x88a8) / Dot1AD(vlan=50, type=0x88a8) / Dot1AD(vlan=60) /
             IP(src=A, dst=B) / UDP(sport=9, dport=9))
    p.append(eth() / Dot1Q(vlan=200, type=0x8847) / MPLS(label=1000, s=1, ttl=64) /
             IP(src=A, dst=B) / ICMP())
    # MPLS: 1 to 3 labels, IPv4 and IPv6 inside, explicit-null labels.
    p.append(eth(type=0x8847) / MPLS(label=16, cos=5, ttl=7, s=1) / IP(src=A, dst=B) / ICMP())
    p.append(eth(type=0x8847) / MPLS(label=0, s=1, ttl=1) / IP(src=A, dst=B) / UDP())
    p.append(eth(type=0x8847) / MPLS(label=17, s=0) / MPLS(label=1048575, s=1, cos=7) /
             IP(src=A, dst=B) / TCP())
    p.append(eth(type=0x8847) / MPLS(label=17, s=0) / MPLS(label=18, s=0) /
             MPLS(label=19, s=1, ttl=2) / IPv6(src=A6, dst=B6) / UDP())
    p.append(eth(type=0x8847) / MPLS(label=2, s=1) / IPv6(src=A6, dst=B6) / ICMPv6EchoRequest())
    p.append(eth(type=0x8848) / MPLS(label=300, s=1) / IP(src=A, dst="239.0.0.1") / UDP())
    # ARP request, reply, gratuitous, RARP, and a non-Ethernet one.
    p.append(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") /
             ARP(op=1, hwsrc=MAC_A, psrc=A, pdst=B))
    p.append(eth() / ARP(op=2, hwsrc=MAC_B, psrc=B, hwdst=MAC_A, pdst=A))
    p.append(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") /
             ARP(op=1, hwsrc=MAC_A, psrc=A, hwdst="00:00:00:00:00:00", pdst=A))
    p.append(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff", type=0x8035) /
             ARP(op=3, hwsrc=MAC_A, psrc="0.0.0.0", hwdst=MAC_A, pdst="0.0.0.0"))
    p.append(Ether(src=MAC_A, dst="ff:ff:ff:ff:ff:ff") /
             ARP(op=1, hwsrc=MAC_A, psrc="0.0.0.0", hwdst="00:00:00:00:00:00", pdst=B))
    p.append(eth() / ARP(op=1, ptype=0x86dd, plen=16, hwsrc=MAC_A, psrc=A6, pdst=B6))
    p.append(eth() / ARP(hwtype=6, op=1, hwsrc=MAC_A, psrc=A, pdst=B))
    p.append(eth() / ARP(hwlen=8, op=1, hwsrc=b"\x01" * 8, hwdst=b"\x02" * 8, psrc=A, pdst=B))
    # 802.3 with LLC (spanning tree's SAP; NetBIOS's UI), with SNAP carrying
    # IPv4 and ARP, and an LLC with a two-byte (I-format) control field.
    p.append(Dot3(src=MAC_A, dst="01:80:c2:00:00:00") /
             LLC(dsap=0x42, ssap=0x42, ctrl=3) / (b"\x00" * 35))
    p.append(Dot3(src=MAC_A, dst=MAC_B) / LLC(dsap=0xf0, ssap=0xf0, ctrl=3) / b"netbios")
    p.append(Dot3(src=MAC_A, dst=MAC_B) /
             LLC() / SNAP(OUI=0, code=0x0800) / IP(src=A, dst=B) / UDP(sport=21, dport=22))
    p.append(Dot3(src=MAC_A, dst=MAC_B) /
             LLC() / SNAP(OUI=0, code=0x0806) / ARP(op=1, hwsrc=MAC_A, psrc=A, pdst=B))
    p.append(Dot3(src=MAC_A, dst="01:00:0c:cc:cc:cc") / LLC() /
             SNAP(OUI=0x00000c, code=0x2000) / (b"\x02\xb4" + b"\x00" * 30))
    p.append(Dot3(src=MAC_A, dst=MAC_B) / LLC() /
             SNAP(OUI=0x123456, code=0x0001) / (b"\x00" * 30))
    p.append(eth() / Dot1Q(vlan=9, type=38) / LLC(dsap=0x42, ssap=0x42, ctrl=3) / (b"\x00" * 35))
    p.append(Dot3(src=MAC_A, dst=MAC_B) / LLC(dsap=0xe0, ssap=0xe0, ctrl=3) / b"ipx?")
    p.append(Dot3(src=MAC_A, dst=MAC_B) / Raw(b"\x06\x06\x00\x02" + b"\x00" * 40))
    # Bytes after the IP datagram that are not zero padding: trailers of
    # an untagged and a tagged frame; and a length/type field that is
    # neither (1501 to 1535).
    p.append(Ether(bytes(eth() / IP(src=A, dst=B) / UDP(sport=5, dport=6) / b"x") + b"trailer!" * 3))
    p.append(Ether(bytes(eth() / Dot1Q(vlan=3) / IP(src=A, dst=B) / UDP(sport=5, dport=6)) +
                   b"\xde\xad\xbe\xef" * 6))
    p.append(Ether(src=MAC_A, dst=MAC_B, type=1510) / (b"\x01" * 46))
    # Ethernet with an ethertype trawl does not decode, and a multicast
    # destination.
    p.append(Ether(src=MAC_A, dst="01:00:5e:00:00:fb", type=0x88b5) / b"local experimental")
    p.append(Ether(src="03:00:00:00:00:01", dst="33:33:00:00:00:01", type=0x86dd) /
             IPv6(src="fe80::1", dst="ff02::1") / ICMPv6EchoRequest())
    return p


def allegro_packets(rnd):
    """The protocols behind Allegro's operands: Slow Protocols, PTP,
    PROFINET, PNIO CM (DCE/RPC), SIP and RTP."""
    del rnd  # fixed frames: the random sequence of the others stays as it was
    slow = "01:80:c2:00:00:02"
    p = [Ether(src=MAC_A, dst=slow, type=0x8809) / (b"\x01\x01" + bytes(108)),
         Ether(src=MAC_A, dst=slow, type=0x8809) / (b"\x03" + bytes(50)),
         Ether(src=MAC_A, dst=slow, type=0x8809) / b"\x0a",
         Ether(src=MAC_A, dst=slow) / Dot1Q(vlan=7, type=0x8809) /
         (b"\x02\x01" + bytes(40))]
    # PTP: v2 messages of several types, one padded, one with a trailer,
    # one longer than its header, a minor version, a cut header, v1; over
    # Ethernet and UDP 319/320.
    def ptp(mtype, ver=2, seq=0x1234, n=44):
        hdr = (bytes([mtype, ver]) + n.to_bytes(2, "big") + b"\x03\x00\x02\x08" +
               bytes(12) + bytes.fromhex("0011223344556677") + b"\x00\x05" +
               seq.to_bytes(2, "big") + b"\x00\xfd")
        return hdr + bytes(n - len(hdr))
    pdst = "01:1b:19:00:00:00"
    p += [Ether(src=MAC_A, dst=pdst, type=0x88f7) / (ptp(0) + bytes(2)),
          Ether(src=MAC_A, dst=pdst, type=0x88f7) / (ptp(0x1b) + b"\x01\x02"),
          Ether(src=MAC_A, dst=pdst, type=0x88f7) / (ptp(0xb, n=64) + b"junk"),
          Ether(src=MAC_A, dst=pdst, type=0x88f7) / ptp(0x9, ver=0x12, seq=1),
          Ether(src=MAC_A, dst=pdst, type=0x88f7) / ptp(0)[:20],
          Ether(src=MAC_A, dst=pdst) / Dot1Q(vlan=3, type=0x88f7) / ptp(2, seq=9),
          eth() / IP(src=A, dst="224.0.1.129") / UDP(sport=319, dport=319) / ptp(1),
          eth() / IP(src=A, dst="224.0.1.129") / UDP(sport=320, dport=320) /
          (b"\x00\x01" + bytes(34)),
          eth() / IPv6(src=A6, dst="ff0e::181") / UDP(sport=5000, dport=320) /
          ptp(8, seq=65535)]
    # PROFINET RT: cyclic frames of each class (with their APDU status),
    # acyclic and DCP ones, frames too short for a frame id, one tagged.
    def pn(fid, body):
        return Ether(src=MAC_A, dst="01:0e:cf:00:00:00", type=0x8892) / \
            (fid.to_bytes(2, "big") + body)
    cyc = bytes(range(1, 41)) + b"\x12\x34\x35\x00"
    p += [pn(0x8000, cyc), pn(0xc000, cyc), pn(0x0100, cyc), pn(0xfbff, cyc),
          pn(0x00ff, cyc), pn(0xfc01, bytes(30)), pn(0xfefe, bytes(20)),
          pn(0xfe01, bytes(20)), pn(0x8000, b"\x01\x02\x03\x04"),
          pn(0x8000, b"\x01\x02\x03"), pn(0x8000, b""),
          Ether(src=MAC_A, dst="01:0e:cf:00:00:00") /
          Dot1Q(vlan=0, prio=6, type=0x8892) / (b"\x80\x01" + cyc)]
    # PNIO CM: connectionless DCE/RPC, little- and big-endian, requests and
    # responses of each operation, other interfaces and ports, headers
    # that are not DCE/RPC's (cut, version 5, packet type 11), a stub
    # shorter than the datagram.
    def cl(le, ptype, opnum, body=bytes(4), ver=4, if_n=1, seq=7, flen=None):
        order = "<" if le else ">"

        def u(a, b, c, tail):
            return struct.pack(order + "IHH", a, b, c) + bytes.fromhex(tail)
        return (bytes([ver, ptype, 0x20, 0x01, 0x10 if le else 0, 0, 0, 0x11]) +
                u(0xdea00000, 0x6c97, 0x11d1, "8271000102030405") +
                u(0xdea00000 + if_n, 0x6c97, 0x11d1, "827100a02442df7d") +
                u(0x12345678, 0x1111, 0x2222, "a00000a0dea20000") +
                struct.pack(order + "IIIHHHHH", 1, 1, seq, opnum, 0xffff, 3,
                            len(body) if flen is None else flen, 0) +
                b"\x00\x22" + body)

    def udp_cl(sport, dport, payload):
        return eth() / IP(src=A, dst=B) / UDP(sport=sport, dport=dport) / payload
    for opnum in range(6):
        p.append(udp_cl(49152, 34964, cl(opnum % 2 == 0, 0, opnum, seq=opnum)))
        p.append(udp_cl(34964, 49152, cl(opnum % 2 == 1, 2, opnum, bytes(20))))
    p += [udp_cl(49153, 5000, cl(True, 0, 1, if_n=2)),
          udp_cl(49152, 34964, cl(True, 0, 9, if_n=7)),
          udp_cl(49152, 34964, cl(True, 9, 0, b"")),
          udp_cl(49152, 34964, cl(False, 0, 2, bytes(30), flen=10)),
          udp_cl(49152, 34964, cl(True, 10, 0, b"")),
          udp_cl(49152, 34964, cl(True, 11, 0, b"")),
          udp_cl(49152, 34964, cl(True, 0, 1, ver=5)),
          udp_cl(49152, 34964, cl(True, 0, 1)[:79])]
    p += sip_packets()
    return p


SDP = (b"v=0\r\no=- 1 1 IN IP4 10.1.2.3\r\ns=-\r\nc=IN IP4 10.1.2.3\r\n"
       b"t=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 "
       b"telephone-event/8000\r\n")


def sip_packets():
    """SIP over UDP and TCP (whole messages in one segment), long and
    compact header names, a request on another port, one that is not SIP,
    two responses in one datagram."""
    invite = (b"INVITE sip:bob@192.168.100.200 SIP/2.0\r\n"
              b"Via: SIP/2.0/UDP 10.1.2.3:5060;branch=z9hG4bK1\r\n"
              b"From: <sip:alice@10.1.2.3>;tag=1\r\nTo: <sip:bob@192.168.100.200>\r\n"
              b"Call-ID: 3c26c4b7@10.1.2.3\r\nCSeq: 101 INVITE\r\n"
              b"Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n"
              % len(SDP)) + SDP
    ok = (b"SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 10.1.2.3:5060\r\ni: 3c26c4b7@10.1.2.3\r\n"
          b"CSeq: 101 INVITE\r\nl: 0\r\n\r\n")
    ringing = b"SIP/2.0 180 Ringing\r\nCall-ID:   spaced  \r\ncseq:7 OPTIONS\r\n\r\n"
    bye = (b"BYE sip:bob@192.168.100.200 SIP/2.0\r\ncall-id:other@x\r\n"
           b"P-Palladion-ID: pal-1\r\nCSeq: 102 BYE\r\nContent-Length: 0\r\n\r\n")
    options = b"OPTIONS sip:x SIP/2.0\r\nCall-ID: o1\r\nContent-Length: 5\r\n\r\nhello"

    def u(sport, dport, payload, v6=False):
        ip = IPv6(src=A6, dst=B6) if v6 else IP(src=A, dst=B)
        return eth() / ip / UDP(sport=sport, dport=dport) / payload
    return [u(5060, 5060, invite),
            eth() / IP(src=B, dst=A) / TCP(sport=5060, dport=40001, flags="PA") / ok,
            u(5060, 5060, ringing), u(5060, 5060, bye), u(7000, 7002, options),
            u(5060, 5060, ok + ok), u(5060, 5060, b"HELLO world\r\n\r\n"),
            u(5060, 5060, invite, v6=True)]


def rtp_packets():
    """RTP between even ports that trawl's heuristic takes: CSRCs, the
    marker, padding, an extension header, no payload, each static type
    with a name, over IPv4 and IPv6. Not part of ether.pcap: tshark decodes
    RTP only when told (decode-as udp.port==30000), which the test that
    reads these does."""
    def rtp(first, pt, seq, ts, ssrc, csrcs=(), payload=bytes(20), ext=b""):
        return (bytes([first | len(csrcs), pt]) +
                struct.pack(">HII", seq, ts, ssrc) +
                b"".join(struct.pack(">I", c) for c in csrcs) + ext + payload)

    def u(payload, v6=False):
        ip = IPv6(src=A6, dst=B6) if v6 else IP(src=A, dst=B)
        return eth() / ip / UDP(sport=30000, dport=30002) / payload
    p = [u(rtp(0x80, 0, 7, 160, 0xdeadbeef)),
         u(rtp(0x80, 0x88, 8, 320, 0x01020304, csrcs=(5, 6))),
         u(rtp(0xa0, 33, 9, 480, 0x01020304, payload=bytes(7) + b"\x03")),
         u(rtp(0xa0, 34, 9, 480, 0x01020304, payload=b"\x01")),
         u(rtp(0x90, 31, 10, 480, 0x01020304,
               ext=b"\xbe\xde\x00\x01\x10\xff\x00\x00")),
         u(rtp(0x80, 0, 11, 160, 1, payload=b"")),
         u(rtp(0x80, 18, 12, 4294967295, 0xffffffff), v6=True)]
    for pt in (3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 25, 26, 28,
               32):
        p.append(u(rtp(0x80, pt, 100 + pt, pt * 160, 0x0a0b0c0d)))
    return p


def sdp_rtp_packets():
    """A SIP INVITE whose SDP announces audio at 10.1.2.3:40000 and video at
    [2001:db8::1]:40010, then RTP of dynamic payload types between odd
    ports (which trawl's heuristic refuses) to and from them, RTCP, and a
    datagram to a port nobody announced. tshark decodes RTP from the SDP
    it saw, as trawl does with flows."""
    sdp = (b"v=0\r\no=- 1 1 IN IP4 10.1.2.3\r\ns=-\r\nc=IN IP4 10.1.2.3\r\nt=0 0\r\n"
           b"m=audio 40000 RTP/AVP 96\r\na=rtpmap:96 X-trawl/8000\r\n"
           b"m=video 40010 RTP/AVP 97\r\nc=IN IP6 2001:db8::1\r\n"
           b"a=rtpmap:97 X-trawl/90000\r\n")
    invite = (b"INVITE sip:bob@192.168.100.200 SIP/2.0\r\nCall-ID: sdp@x\r\n"
              b"CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
              b"Content-Length: %d\r\n\r\n" % len(sdp)) + sdp

    def rtp(pt, seq, marker=0):
        return bytes([0x80, marker | pt]) + struct.pack(">HII", seq, seq * 160, 0x5eed) + bytes(16)
    return [eth() / IP(src=A, dst=B) / UDP(sport=5060, dport=5060) / invite,
            eth() / IP(src=B, dst=A) / UDP(sport=50001, dport=40000) / rtp(96, 1),
            eth() / IP(src=A, dst=B) / UDP(sport=40000, dport=50001) / rtp(96, 2, 0x80),
            eth() / IPv6(src=B6, dst=A6) / UDP(sport=50003, dport=40010) / rtp(97, 3),
            eth() / IP(src=B, dst=A) / UDP(sport=50001, dport=40002) / rtp(96, 4)]


def ether_frames(seed=SEED):
    """The Ethernet trace: every builder above in a fixed order, then
    frames cut by a snap length at every depth of a TCP/IPv4 packet."""
    rnd = random.Random(seed)
    pkts = []
    for build in (tcp_flag_packets, ipv4_packets, udp_packets, icmp_packets,
                  ipv6_packets, other_packets, allegro_packets):
        pkts += build(rnd)
    frames = [Frame(bytes(p)) for p in pkts]
    full = bytes(eth() / IP(src=A, dst=B, options=[IPOption_NOP()] * 4) /
                 TCP(sport=23, dport=24, options=[("MSS", 1), ("NOP", None)]) / b"cut")
    for cut in (6, 14, 20, 33, 34, 38, 40, 57, 58, 66, 68):
        frames.append(Frame(full[:cut], wirelen=len(full)))
    # Headers cut by the end of the frame itself (not the snap length).
    six = bytes(eth() / IPv6(src=A6, dst=B6) / TCP(sport=1, dport=2))
    for cut in (20, 54, 60, 70):
        frames.append(Frame(six[:cut]))
    return frames


def ether_packets(seed=SEED):
    """The Ethernet trace's frames as scapy packets, for callers that want
    scapy objects."""
    return [Ether(f.data) for f in ether_frames(seed)]


# ---- stress frames ---------------------------------------------------------

def ah_header(nh, length, icv=b"", spi=0x100, seq=7):
    """An authentication header as bytes: `length` is the header's own
    field (32-bit words minus 2), whatever the ICV given."""
    return struct.pack("!BBHII", nh, length, 0, spi, seq) + icv


def ipv6_ext_stress():
    """Each IPv6 extension header (and AH) with a UDP datagram, cut at every
    byte from the end of the fixed header to two bytes into UDP: once by
    the payload length (the frame ends there) and once by the snap length;
    and authentication headers whose length leaves no room for an ICV, or
    for the sequence number tshark reads anyway."""
    frames = []
    u = UDP(sport=9, dport=10) / b"six"
    exts = [IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)]),
            IPv6ExtHdrRouting(addresses=[B6], segleft=1),
            IPv6ExtHdrFragment(id=0x1234, m=1),
            IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 12)]),
            Raw(ah_header(17, 4, b"\xaa" * 12))]
    for ext in exts:
        ip6 = IPv6(src=A6, dst=B6, nh=51) if isinstance(ext, Raw) else IPv6(src=A6, dst=B6)
        full = bytes(eth() / ip6 / ext / u)
        hlen = len(full) - 14 - 40 - len(u)
        for cut in range(hlen + 3):
            data = full[:14 + 40 + cut]
            frames.append(Frame(data[:18] + struct.pack("!H", cut) + data[20:]))
            frames.append(Frame(data, wirelen=len(full)))
    udp = bytes(UDP(sport=9, dport=10, chksum=0) / b"six")
    for length, icv, tail in ((0, b"", udp), (1, b"", udp), (2, b"\xaa" * 4, udp),
                              (0, b"", udp[:3]), (0, b"", b"")):
        ah = ah_header(17, length, icv)
        frames.append(Frame(eth() / IPv6(src=A6, dst=B6, nh=51) / Raw(ah + tail)))
        frames.append(Frame(eth() / IP(src=A, dst=B, proto=51) / Raw(ah + tail)))
    # AH over IPv4, cut at every byte by the snap length and the IP length.
    for length, icv in ((4, b"\xaa" * 12), (1, b""), (0, b"")):
        whole = eth() / IP(src=A, dst=B, proto=51) / Raw(ah_header(17, length, icv) + udp)
        data = bytes(whole)
        for cut in range(len(data) - 34 + 1):
            frames.append(Frame(data[:34 + cut], wirelen=len(data)))
            frames.append(Frame(eth() / IP(src=A, dst=B, proto=51) / Raw(data[34:34 + cut])))
    # Odd chains: an atomic fragment, fragments carrying no next header
    # and a later one, hop-by-hop options out of place (after destination
    # options, twice), segment routing, routing headers whose segments
    # left exceed their addresses, AH after a fragment header and after
    # destination options, a length past the frame, three destination
    # options, and next headers trawl does not decode (mobility, 139, 140).
    chains = [IPv6ExtHdrFragment(id=1) / u,
              IPv6ExtHdrFragment(id=1, m=1, nh=59) / b"xx",
              IPv6ExtHdrFragment(id=1, offset=3, nh=17) / b"yyyyyyyy",
              IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop() / u,
              IPv6ExtHdrHopByHop() / IPv6ExtHdrHopByHop() / u,
              IPv6ExtHdrSegmentRouting(addresses=[A6, B6], segleft=1) / u,
              IPv6ExtHdrRouting(type=3, addresses=[], segleft=5) / u,
              IPv6ExtHdrRouting(addresses=[B6], segleft=9) / u,
              IPv6ExtHdrFragment(id=2, m=1, nh=51) / Raw(ah_header(17, 4, b"\xab" * 12)) / u,
              IPv6ExtHdrDestOpt(nh=51) / Raw(ah_header(6, 4, b"\xab" * 12)) / TCP(sport=1, dport=2)]
    for chain in chains:
        frames.append(Frame(eth() / IPv6(src=A6, dst=B6) / chain))
    for nh, body in ((0, b"\x11\xff" + bytes(6) + bytes(u)),
                     (60, b"\x3c\0" + bytes(6) + b"\x3c\0" + bytes(6) + b"\x11\0" + bytes(6) + bytes(u)),
                     (43, b"\x11\0\0\0" + bytes(4) + bytes(u)),
                     (135, b"\x3b\x01\x05\0" + bytes(12)), (139, b"\x3b\0" + bytes(6)),
                     (140, b"\x3b\0" + bytes(6))):
        frames.append(Frame(eth() / IPv6(src=A6, dst=B6, nh=nh) / Raw(body)))
    return frames


def ipv6_stress():
    """The IPv6 fixed header cut at every byte; payload lengths of 0 (no
    jumbo option, and a jumbogram's), short of the frame, inside the UDP
    header and past the frame; no next header with bytes after it, an
    experimental next header, and versions 4 and 0 over ethertype 0x86dd."""
    full = bytes(eth() / IPv6(src=A6, dst=B6, tc=0xb9, fl=0x12345, hlim=7) /
                 UDP(sport=9, dport=10) / b"payload")
    frames = [Frame(full[:cut], wirelen=len(full)) for cut in range(15, len(full))]
    for plen in (0, 1, 7, 8, 14, 15, 16, 100, 65535):
        frames.append(Frame(full[:18] + struct.pack("!H", plen) + full[20:]))
    frames.append(Frame(eth() / IPv6(src=A6, dst=B6, nh=59) / b"after no next header"))
    frames.append(Frame(eth() / IPv6(src=A6, dst=B6, nh=253) / b"experimental"))
    frames.append(Frame(eth() / IPv6(src=A6, dst=B6, plen=0) /
                        IPv6ExtHdrHopByHop(options=[Jumbo(jumboplen=31)]) /
                        UDP(sport=1, dport=2) / b"jumbo"))
    for first in (0x45, 0x05):
        frames.append(Frame(full[:14] + bytes([first]) + full[15:]))
    return frames


def udp_stress():
    """UDP cut before the end of its ports, right after IPv4 and IPv6."""
    frames = []
    u = UDP(sport=9, dport=10) / b"six"
    for ip in (IP(src=A, dst=B), IPv6(src=A6, dst=B6)):
        full = bytes(eth() / ip / u)
        for cut in range(4):
            frames.append(Frame(full[:len(full) - len(u) + cut], wirelen=len(full)))
    return frames


def igmp_checksummed(body, cover=None):
    """An IGMP message with its checksum over the first `cover` bytes (all
    when None)."""
    body = bytes(body[:2]) + b"\0\0" + bytes(body[4:])
    c = csum(body[:cover] if cover else body)
    return body[:2] + struct.pack("!H", c) + body[4:]


def igmp_v0(mtype, code=0):
    """An IGMP version 0 message (RFC 988): type, code, checksum,
    identifier, group address, access key."""
    return igmp_checksummed(struct.pack("!BBHI4s8s", mtype, code, 0, 0x01020304,
                                        bytes([224, 5, 6, 7]), bytes(range(0x11, 0x99, 0x11))))


def igmp_stress():
    """IGMP version 0 (every type, cut at every byte, padded), v1/v2 and
    traceroute messages followed by more bytes than their header (whose
    checksum tshark verifies over 8 bytes, or over all of them) or shorter
    than it, v3 reports and queries cut at every byte, and the other
    protocols IGMP carries."""
    ip = IP(src=A, dst="224.0.0.1", ttl=1, proto=2)
    frames = [Frame(eth() / ip / Raw(igmp_v0(t, code=t))) for t in range(16)]
    full = bytes(eth() / ip / Raw(igmp_v0(3, code=1)))
    for cut in range(1, 21):
        frames.append(Frame(full[:34 + cut], wirelen=len(full)))
        msg = full[34:34 + cut]
        frames.append(Frame(eth() / ip / Raw(igmp_checksummed(msg) if cut >= 4 else msg)))
    group = [bytes(IGMP(type=t, mrcode=c, gaddr="224.1.2.3"))
             for t, c in ((0x11, 0), (0x11, 100), (0x12, 0), (0x16, 0), (0x17, 0))]
    mtrace = (b"\x1f\x05\0\0\xe0\x01\x02\x03\x0a\0\0\x01\x0a\0\0\x02\x0a\0\0\x03"
              b"\xe0\0\0\x09\x40\0\0\x01")
    for msg in [igmp_v0(3, 1)] + group + [mtrace]:
        for cover in (None, 8, 20):
            frames.append(Frame(eth() / ip / Raw(igmp_checksummed(msg + b"\1\2\3\4", cover))))
    for cut in range(4, 8):
        frames.append(Frame(eth() / ip / Raw(igmp_checksummed(mtrace[:cut]))))
    # Carried in IPv4 fragments (first, middle, last), quoted whole and
    # cut in ICMP errors, over IPv6 and in GRE.
    v3q = bytes(IGMPv3(type=0x11, mrcode=20) / IGMPv3mq(gaddr="0.0.0.0", srcaddrs=["10.0.0.1"]))
    for msg in (group[3], v3q, igmp_v0(3, 1), mtrace):
        for flags, frag in (("MF", 0), ("", 1), ("MF", 2), ("DF", 0)):
            frames.append(Frame(eth() / IP(src=A, dst="224.0.0.1", ttl=1, flags=flags, frag=frag,
                                            proto=2) / Raw(msg)))
        inner = IP(src=A, dst="224.0.0.1", proto=2)
        for quoted in (msg, msg[:8]):
            frames.append(Frame(eth() / IP(src=B, dst=A) / ICMP(type=3, code=2) / inner / Raw(quoted)))
        frames.append(Frame(eth() / IPv6(src=A6, dst=B6, nh=2) / Raw(msg)))
        frames.append(Frame(eth() / IP(src=A, dst=B) / GRE() / inner / Raw(msg)))
    # v3 reports of 0 to 3 group records (sources, auxiliary data), with
    # more or fewer records than they say, and a v3 query with sources,
    # each cut at every byte both ways.
    def record(rtype, maddr, srcs=(), aux=b""):
        return (struct.pack("!BBH4s", rtype, len(aux) // 4, len(srcs), bytes(map(int, maddr.split("."))))
                + b"".join(bytes(map(int, a.split("."))) for a in srcs) + aux)
    r1, r2, r3 = (record(4, "239.1.1.1"), record(1, "239.2.2.2", ["10.0.0.9", "10.0.0.8"]),
                  record(2, "239.3.3.3", (), b"\xaa" * 8))
    v3 = [struct.pack("!BBHHH", 0x22, 0, 0, 0, len(recs) if n is None else n) + b"".join(recs)
          for recs, n in (([], None), ([r1, r2, r3], None), ([r1], 5), ([r1, r2], 1), ([], 3))]
    v3.append(struct.pack("!BBH4sBBH", 0x11, 0x90, 0, bytes(4), 0x0a, 0x7d, 3) + bytes(range(1, 13)))
    for msg in map(igmp_checksummed, v3):
        whole = bytes(eth() / ip / Raw(msg))
        for cut in range(1, len(msg) + 1):
            frames.append(Frame(whole[:34 + cut], wirelen=len(whole)))
            part = msg[:cut]
            frames.append(Frame(eth() / ip / Raw(igmp_checksummed(part) if cut >= 4 else part)))
    # Other protocols IGMP carries: DVMRP (a probe and a short report),
    # PIM version 1, IGAP (join, query, leave), each also cut short.
    others = [b"\x13\x01\0\0\0\0\x03\xff" + bytes(8), b"\x13\x02\0\0\0\0\x03\xff",
              b"\x14\x01\0\0\x10\0\0\0" + bytes(8)]
    igap = b"\x10\0\0\xe0\x01\x02\x03\x01\x02\0\0" + bytes(4) + b"user" + bytes(28)
    others += [bytes([t]) + igap for t in (0x40, 0x41, 0x42)]
    for msg in others:
        frames.append(Frame(eth() / IP(src=A, dst="224.0.0.4", ttl=1, proto=2) /
                            Raw(igmp_checksummed(msg))))
        frames.append(Frame(eth() / IP(src=A, dst="224.0.0.4", ttl=1, proto=2) / Raw(msg[:5])))
    return frames


def tcp_options_frame(opts, flags=0x12):
    return Frame(eth() / IP(src=A, dst=B, proto=6) /
                 Raw(tcp_raw(1, 2, 3, 4, flags, 5, opts)))


def mptcp_stress():
    """Multipath TCP options of every subtype (and, for DSS, the flags that
    add fields) at every length from 2 to what the fields need and one
    more, followed by a NOP, an MSS and EOL padding: tshark lists no
    option after one too short for its subtype."""
    frames = []
    for sub in range(16):
        for flags in (0x00, 0x01, 0x03, 0x04, 0x0c, 0x0f) if sub == 2 else (0x00,):
            for length in range(2, 28 if sub == 2 else 14):
                body = bytes([sub << 4 | 1, flags]) + bytes(range(0x21, 0x41))
                opts = bytes([30, length]) + body[:length - 2] + b"\x01\x02\x04\x05\xb4"
                frames.append(tcp_options_frame(opts))
    # Short ones followed by EOL padding or NOPs.
    for opts in (b"\x1e\x02", b"\x1e\x02\x01\x01", b"\x1e\x03\x00", b"\x1e\x03\x10\x00"):
        frames.append(tcp_options_frame(opts))
    return frames


def sack_stress():
    """SACK options of every length from 2 to 34 under SYN, ACK and
    SYN+ACK, each followed by a NOP and an MSS: tshark lists nothing after
    one without a whole block."""
    tail = b"\x01\x02\x04\x05\xb4"
    return [tcp_options_frame(bytes([5, n]) + bytes(range(0x41, 0x41 + n - 2)) + tail, flags)
            for flags in (0x02, 0x10, 0x12) for n in range(2, 35)]


def tcp_option_stress():
    """Every option kind tshark has a dissector for (and a few it has not)
    at every length from 0 to 12, and Riverbed's probe option of every
    type of both versions at every length to 19, each followed by a NOP
    and an MSS."""
    tail = b"\x01\x02\x04\x05\xb4"
    frames = []
    for kind in list(range(2, 36)) + [69, 78, 253, 254, 255]:
        for n in range(13):
            frames.append(tcp_options_frame(bytes([kind, n]) + bytes(range(0x41, 0x41 + n - 2)) + tail))
    for ver in (0, 1):
        for mtype in range(16):
            for n in range(2, 20):
                body = bytes([mtype << 4 | ver]) + bytes(range(0x41, 0x41 + 17))
                frames.append(tcp_options_frame(bytes([76, n]) + body[:n - 2] + tail))
    return frames


def tcp_cut_stress():
    """TCP over IPv4 and IPv6, bare and with options, cut at every byte by
    the snap length and by the IP length; and every data offset with 40
    bytes of NOPs after the fixed header."""
    frames = []
    opts = [("MSS", 1460), ("NOP", None), ("WScale", 7), ("SAckOK", b""), ("Timestamp", (1, 2))]
    for ip in (IP(src=A, dst=B, proto=6), IPv6(src=A6, dst=B6, nh=6)):
        for options in ([], opts):
            full = bytes(eth() / ip / TCP(sport=1000, dport=80, seq=5, ack=6, flags="SA",
                                          options=options) / b"data")
            l3 = 14 + len(ip)
            for cut in range(len(full) - l3 + 1):
                frames.append(Frame(full[:l3 + cut], wirelen=len(full)))
                frames.append(Frame(eth() / ip.copy() / Raw(full[l3:l3 + cut])))
    for off in range(16):
        hdr = struct.pack("!HHIIHHHH", 1, 2, 3, 4, off << 12 | 0x12, 5, 0, 0) + b"\x01" * 40
        frames.append(Frame(eth() / IP(src=A, dst=B, proto=6) / Raw(hdr)))
    return frames


def stress_frames():
    """Frames on the edges of the decoders' rules, where trawl and tshark
    once disagreed: stress.pcap."""
    return (udp_stress() + ipv6_stress() + ipv6_ext_stress() + igmp_stress() + mptcp_stress() +
            sack_stress() + tcp_option_stress() + tcp_cut_stress())


# ---- frames for the other link types ---------------------------------------

def l3_packets(rnd):
    """Network-layer packets (IPv4 and IPv6) for link types without an
    Ethernet header."""
    p = []
    for i in range(24):
        sport, dport = rnd.randrange(1024, 65536), rnd.choice([80, 443, 5001])
        flags = rnd.choice(["S", "SA", "A", "PA", "FA", "R", "SEC"])
        if i % 3 == 2:
            p.append(IPv6(src=A6, dst=B6, hlim=rnd.randrange(256)) /
                     TCP(sport=sport, dport=dport, flags=flags, seq=rnd.randrange(2**32)))
        else:
            p.append(IP(src=A, dst=B, ttl=rnd.randrange(256), id=i) /
                     TCP(sport=sport, dport=dport, flags=flags, seq=rnd.randrange(2**32),
                         options=rnd.choice(TCP_OPTIONS)))
    p.append(IP(src=A, dst=B) / UDP(sport=33000, dport=33001) / b"udp4")
    p.append(IPv6(src=A6, dst=B6) / UDP(sport=33000, dport=33001) / b"udp6")
    p.append(IP(src=A, dst=B) / ICMP(type=8, id=1, seq=2))
    p.append(IP(src=B, dst=A) / ICMP(type=3, code=1) / IP(src=A, dst=B) / UDP(sport=5, dport=6))
    p.append(IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=3, seq=4))
    p.append(IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=5, m=1) / UDP(sport=1, dport=2) / (b"x" * 16))
    p.append(IP(src=A, dst=B, flags="MF", frag=3, proto=6) / (b"frag" * 4))
    p.append(IP(src=A, dst=B) / GRE(key_present=1, key=9) / IP(src="172.16.0.1", dst="172.16.0.2") / UDP())
    p.append(IP(src=A, dst=B) / IPv6(src=A6, dst=B6) / UDP(sport=1, dport=2))
    return [bytes(x) for x in p]


# (ARPHRD_* type, address length, 8 address bytes) of cooked headers.
SLL_ADDRESSES = [(1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00"),
                 (772, 6, b"\x00" * 8),
                 (65534, 0, b"\x00" * 8),
                 (1, 8, b"\x02\x00\x00\x00\x00\x01\xaa\xbb"),
                 (778, 4, b"\x0a\x00\x00\x01\x00\x00\x00\x00")]


def sll_frames(rnd, version):
    """Linux cooked frames: the network-layer packets plus ARP and LLC,
    with every packet type and a few address types and lengths."""
    frames = []
    payloads = [(0x0800 if b[0] >> 4 == 4 else 0x86dd, b) for b in l3_packets(rnd)]
    payloads.append((0x0806, bytes(ARP(op=1, hwsrc=MAC_A, psrc=A, pdst=B))))
    payloads.append((0x0004, bytes(LLC(dsap=0x42, ssap=0x42, ctrl=3) / (b"\0" * 35))))
    payloads.append((0x8100, bytes(Dot1Q(vlan=5) / IP(src=A, dst=B) / UDP())))
    payloads.append((0x88cc, b"\x02\x07\x04" + b"\x00" * 20))
    payloads.append((0x0001, b"\xff\xff" + b"\x00" * 28))  # Novell 802.3
    payloads.append((0x0800, bytes(IP(src=A, dst=B) / UDP(sport=7, dport=8)) + b"trailing"))
    for i, (proto, data) in enumerate(payloads):
        pkttype = i % 5
        # Odd address types only for IP: tshark reads some of them
        # (IP-over-GRE) as another header layout.
        hatype, halen, addr = SLL_ADDRESSES[i % 5 if proto in (0x0800, 0x86dd) else 0]
        if version == 1:
            hdr = struct.pack("!HHH8sH", pkttype, hatype, halen, addr, proto)
        else:
            hdr = struct.pack("!HHIHBB8s", proto, 0, 1 + i % 7, hatype,
                              pkttype, halen, addr)
        frames.append(Frame(hdr + data))
    # A header cut short.
    frames.append(Frame(frames[0].data[:10], wirelen=len(frames[0].data)))
    return frames


def raw_frames(rnd, only=None):
    frames = []
    for b in l3_packets(rnd):
        v = b[0] >> 4
        if only is None or only == v:
            frames.append(Frame(b))
    return frames


def null_frames(rnd, byteorder):
    """BSD loopback: the address family in the given byte order; IPv6 uses
    each BSD's value of AF_INET6 in turn."""
    frames = []
    fam6 = [24, 28, 30]
    for i, b in enumerate(l3_packets(rnd)):
        fam = 2 if b[0] >> 4 == 4 else fam6[i % 3]
        frames.append(Frame(struct.pack(byteorder + "I", fam) + b))
    frames.append(Frame(struct.pack(byteorder + "I", 7) + b"unknown family"))
    # Some systems put an ethertype in the header instead of a family.
    frames.append(Frame(struct.pack(byteorder + "I", 0x0800) + l3_packets(rnd)[0]))
    frames.append(Frame(b"\x02\x00"))
    return frames


# ---- file writers ----------------------------------------------------------

def timestamp(i):
    """Fixed time stamps: 1.234567891 ms apart, so the microsecond files
    and the nanosecond files differ in the last digits."""
    ns = i * 1234567891 // 1000
    return T0 + ns // 10**9, ns % 10**9


def write_pcap(path, linktype, frames, nsec=False, snaplen=262144, swap=False):
    """A classic pcap file; `swap` writes it in the other byte order."""
    bo = ">" if swap else "<"
    magic = 0xa1b23c4d if nsec else 0xa1b2c3d4
    with open(path, "wb") as f:
        f.write(struct.pack(bo + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        for i, fr in enumerate(frames):
            sec, ns = timestamp(i)
            frac = ns if nsec else ns // 1000
            f.write(struct.pack(bo + "IIII", sec, frac, len(fr.data), fr.wirelen))
            f.write(fr.data)
    return path


def _pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def _pcapng_opt(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def write_pcapng(path, ifaces):
    """A one-section pcapng file with one interface per (linktype, frames)
    pair of `ifaces`, nanosecond time stamps, and the packets of all
    interfaces interleaved in time order."""
    with open(path, "wb") as f:
        shb = struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1)
        shb += _pcapng_opt(3, b"trawl test generator") + _pcapng_opt(0, b"")
        f.write(_pcapng_block(0x0a0d0d0a, shb))
        for linktype, _ in ifaces:
            idb = struct.pack("<HHI", linktype, 0, 262144)
            idb += _pcapng_opt(2, b"if%d" % linktype)
            idb += _pcapng_opt(9, b"\x09") + _pcapng_opt(0, b"")
            f.write(_pcapng_block(1, idb))
        queue = [(j, iface, fr) for iface, (_, frames) in enumerate(ifaces)
                 for j, fr in enumerate(frames)]
        queue.sort(key=lambda x: (x[0], x[1]))
        for i, (_, iface, fr) in enumerate(queue):
            sec, ns = timestamp(i)
            t = sec * 10**9 + ns
            epb = struct.pack("<IIIII", iface, t >> 32, t & 0xffffffff,
                              len(fr.data), fr.wirelen)
            epb += fr.data + b"\0" * (-len(fr.data) % 4)
            opts = b""
            if fr.comment:
                opts += _pcapng_opt(1, fr.comment.encode())
            if i % 3 == 0:
                opts += _pcapng_opt(2, struct.pack("<I", 1 + i % 2))  # direction
            if opts:
                epb += opts + _pcapng_opt(0, b"")
            f.write(_pcapng_block(6, epb))
    return path


def write_ether(path, seed=SEED):
    """The Ethernet trace as classic pcap (microseconds)."""
    return write_pcap(path, LINKTYPE_ETHERNET, ether_frames(seed))


def write_all(outdir, seed=SEED):
    """Writes every trace of the module docstring into outdir and returns
    {file name: path}. ether.pcapng is left out when editcap is missing."""
    rnd = random.Random(seed + 1)
    out = {}

    def put(name, fn, *args, **kw):
        out[name] = fn(outdir / name, *args, **kw)

    put("ether.pcap", write_ether, seed)
    put("stress.pcap", write_pcap, LINKTYPE_ETHERNET, stress_frames())
    if shutil.which("editcap"):
        subprocess.run(["editcap", "-F", "pcapng", str(out["ether.pcap"]),
                        str(outdir / "ether.pcapng")], check=True)
        out["ether.pcapng"] = outdir / "ether.pcapng"
    sll = sll_frames(rnd, 1)
    sll2 = sll_frames(rnd, 2)
    raw = raw_frames(rnd)
    v4 = raw_frames(rnd, only=4)
    v6 = raw_frames(rnd, only=6)
    null_le = null_frames(rnd, "<")
    null_be = null_frames(rnd, ">")
    loop = null_frames(rnd, ">")
    put("sll.pcap", write_pcap, LINKTYPE_LINUX_SLL, sll)
    put("sll2.pcap", write_pcap, LINKTYPE_LINUX_SLL2, sll2, nsec=True)
    put("raw.pcap", write_pcap, LINKTYPE_RAW, raw)
    put("ipv4.pcap", write_pcap, LINKTYPE_IPV4, v4, swap=True)
    put("ipv6.pcap", write_pcap, LINKTYPE_IPV6, v6)
    put("null.pcap", write_pcap, LINKTYPE_NULL, null_le)
    put("null-be.pcap", write_pcap, LINKTYPE_NULL, null_be, swap=True)
    put("loop.pcap", write_pcap, LINKTYPE_LOOP, loop)
    eth_few = ether_frames(seed)[::9]
    for j, fr in enumerate(eth_few):
        if j % 4 == 0:
            fr.comment = "comment on frame %d" % j
    put("multi.pcapng", write_pcapng,
        [(LINKTYPE_ETHERNET, eth_few), (LINKTYPE_LINUX_SLL, sll),
         (LINKTYPE_RAW, raw), (LINKTYPE_NULL, null_le),
         (LINKTYPE_LINUX_SLL2, sll2), (LINKTYPE_IPV6, v6)])
    return out


if __name__ == "__main__":
    import pathlib
    import sys
    d = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    d.mkdir(parents=True, exist_ok=True)
    for name, path in write_all(d).items():
        print(path)
