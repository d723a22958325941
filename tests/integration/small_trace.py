"""A small trace of every protocol trawl decodes, made with scapy: about 50
mostly well-formed Ethernet frames whose output trawl read's tests know line
by line (gen_traces.py is the large, adversarial one). Nothing binary is
committed: each test writes it into its temporary directory."""
import random

from scapy.all import (ARP, ICMP, IP, SCTP, TCP, UDP, Dot1AD, Dot1Q, Dot3,
                       Ether, GRE, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, LLC, Raw, SNAP,
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6DestUnreach,
                       SCTPChunkData, SCTPChunkInit, wrpcap)
from scapy.contrib.igmp import IGMP
from scapy.contrib.igmpv3 import IGMPv3, IGMPv3gr, IGMPv3mr
from scapy.contrib.mpls import MPLS
from scapy.layers.vxlan import VXLAN

A, B = "10.1.2.3", "192.168.100.200"
A6, B6 = "2001:db8::1", "2001:db8:ffff::abcd"


def ether_packets(seed=7):
    rnd = random.Random(seed)
    e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    pkts = []
    # TCP with every flag combination that matters and common options.
    for flags in ["S", "SA", "A", "PA", "FA", "R", "RA", "U", "SEC", "AE",
                  0x100 | 0x10, "FSRPAUEC"]:
        pkts.append(e / IP(src=A, dst=B, tos=rnd.randrange(256)) /
                    TCP(sport=rnd.randrange(1024, 65535), dport=80,
                        flags=flags, seq=rnd.randrange(2**32),
                        ack=rnd.randrange(2**32), window=rnd.randrange(65536),
                        options=[("MSS", 1460), ("NOP", None),
                                 ("WScale", 7), ("SAckOK", b""),
                                 ("Timestamp", (rnd.randrange(2**32), 0))]) /
                    Raw(b"x" * rnd.randrange(0, 40)))
    pkts.append(e / IP(src=A, dst=B, flags="DF", ttl=3, id=0xbeef) /
                TCP(sport=1, dport=2, urgptr=7, flags="U"))
    # IPv4 options, fragments, DSCP/ECN, a bad header checksum.
    pkts.append(e / IP(src=A, dst=B, options=b"\x94\x04\x00\x00") / UDP(sport=1, dport=2) / b"opt")
    pkts.append(e / IP(src=A, dst=B, flags="MF", frag=0, id=9) / UDP(sport=3, dport=4) / (b"a" * 32))
    pkts.append(e / IP(src=A, dst=B, frag=4, id=9, proto=17) / (b"b" * 16))
    pkts.append(e / IP(src=A, dst=B, tos=0xb9) / ICMP())
    pkts.append(e / IP(src=A, dst=B, chksum=0x1234) / UDP(sport=5, dport=6))
    # UDP, ICMP echo and errors with quoted headers.
    pkts.append(e / IP(src=A, dst=B) / UDP(sport=53, dport=33333) / b"answer")
    pkts.append(e / IP(src=A, dst=B) / ICMP(type=8, id=0x1234, seq=0x56) / b"ping")
    pkts.append(e / IP(src=B, dst=A) / ICMP(type=0, id=0x1234, seq=0x56) / b"ping")
    pkts.append(e / IP(src=B, dst=A) / ICMP(type=3, code=3) /
                IP(src=A, dst=B) / UDP(sport=1000, dport=2000))
    pkts.append(e / IP(src=B, dst=A) / ICMP(type=11, code=0) /
                IP(src=A, dst=B, ttl=1) / TCP(sport=1001, dport=443))
    # ARP request and reply.
    pkts.append(Ether(src="02:00:00:00:00:01", dst="ff:ff:ff:ff:ff:ff") /
                ARP(op=1, hwsrc="02:00:00:00:00:01", psrc=A, pdst=B))
    pkts.append(e / ARP(op=2, hwsrc="02:00:00:00:00:02", psrc=B,
                        hwdst="02:00:00:00:00:01", pdst=A))
    # 802.1Q, double 802.1Q, 802.1ad + 802.1Q.
    pkts.append(e / Dot1Q(vlan=100, prio=5, id=1) / IP(src=A, dst=B) / UDP(sport=7, dport=8))
    pkts.append(e / Dot1Q(vlan=10) / Dot1Q(vlan=20) / IP(src=A, dst=B) / TCP())
    pkts.append(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=0x88a8) /
                Dot1AD(vlan=30) / Dot1Q(vlan=40) / IP(src=A, dst=B) / UDP())
    # MPLS stacks over IPv4 and IPv6.
    pkts.append(Ether(type=0x8847) / MPLS(label=16, cos=5, ttl=7, s=1) / IP(src=A, dst=B) / ICMP())
    pkts.append(Ether(type=0x8847) / MPLS(label=17, s=0) / MPLS(label=18, s=0) /
                MPLS(label=19, s=1, ttl=2) / IPv6(src=A6, dst=B6) / UDP())
    # IPv6 with extension headers, ICMPv6.
    pkts.append(e / IPv6(src=A6, dst=B6, tc=0x2d, fl=0xabcde, hlim=9) / TCP(sport=22, dport=2222, flags="S"))
    pkts.append(e / IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop() /
                IPv6ExtHdrRouting(addresses=[B6]) / IPv6ExtHdrDestOpt() / UDP(sport=9, dport=10))
    pkts.append(e / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x1234, m=1) / UDP(sport=11, dport=12) / (b"f" * 24))
    pkts.append(e / IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(id=0x1234, offset=4, nh=17) / (b"g" * 24))
    pkts.append(e / IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=5, seq=6))
    pkts.append(e / IPv6(src=B6, dst=A6) / ICMPv6EchoReply(id=5, seq=6))
    pkts.append(e / IPv6(src=A6, dst="ff02::1:ff00:1") / ICMPv6ND_NS(tgt=B6))
    pkts.append(e / IPv6(src=B6, dst=A6) / ICMPv6ND_NA(tgt=B6))
    pkts.append(e / IPv6(src="fe80::1", dst="ff02::1") / ICMPv6ND_RA())
    pkts.append(e / IPv6(src=B6, dst=A6) / ICMPv6DestUnreach(code=4) / IPv6(src=A6, dst=B6) / UDP(sport=99, dport=100))
    # SCTP, IGMP v2 and v3, GRE, VXLAN, tunnels.
    pkts.append(e / IP(src=A, dst=B) / SCTP(sport=2905, dport=2906, tag=0x1234) / SCTPChunkInit())
    pkts.append(e / IP(src=A, dst=B) / SCTP(sport=2905, dport=2906, tag=0x5678) /
                SCTPChunkData(data=b"hello") / SCTPChunkData(data=b"again"))
    pkts.append(e / IP(src=A, dst="224.0.0.1") / IGMP(type=0x16, gaddr="224.1.2.3"))
    pkts.append(e / IP(src=A, dst="224.0.0.22") / IGMPv3(type=0x22) /
                IGMPv3mr(records=[IGMPv3gr(maddr="239.1.1.1"), IGMPv3gr(maddr="239.2.2.2")]))
    pkts.append(e / IP(src=A, dst=B) / GRE(key_present=1, key=77, seqnum_present=1, seqence_number=5) /
                IP(src="172.16.0.1", dst="172.16.0.2") / UDP(sport=13, dport=14))
    pkts.append(e / IP(src=A, dst=B) / UDP(sport=50000, dport=4789) / VXLAN(vni=4242) /
                Ether(src="02:00:00:00:00:aa", dst="02:00:00:00:00:bb") / IP(src="172.16.1.1", dst="172.16.1.2") /
                TCP(sport=15, dport=16, flags="S"))
    pkts.append(e / IP(src=A, dst=B) / IP(src="172.16.2.1", dst="172.16.2.2") / UDP(sport=17, dport=18))
    pkts.append(e / IP(src=A, dst=B) / IPv6(src=A6, dst=B6) / UDP(sport=19, dport=20))
    # 802.3 with LLC, and with SNAP carrying IPv4.
    pkts.append(Dot3(src="02:00:00:00:00:01", dst="01:80:c2:00:00:00") /
                LLC(dsap=0x42, ssap=0x42, ctrl=3) / (b"\x00" * 35))
    pkts.append(Dot3(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
                LLC() / SNAP(OUI=0, code=0x0800) / IP(src=A, dst=B) / UDP(sport=21, dport=22))
    # Truncated headers: decoders must stop cleanly.
    full = bytes(e / IP(src=A, dst=B) / TCP(sport=23, dport=24, options=[("MSS", 1)]))
    for cut in (14, 20, 33, 34, 40, 54, 57):
        pkts.append(Ether(full[:cut]))
    t = 1700000000.0
    for i, p in enumerate(pkts):
        p.time = t + i * 0.001
    return pkts


def write_ether(path):
    wrpcap(str(path), ether_packets())
    return path
