"""Expressions end to end: the packets an expression selects agree with
`tshark -Y` (Wireshark fields) and `tcpdump` (pcap-filter text) on a
generated trace; `trawl explain` reports readings and errors; the field
list of docs/expressions.md is the registry's."""
import re
import subprocess

import pytest

from conftest import BUILD, ROOT, need
import small_trace

# Wireshark display filters over fields both tools decode in the generated
# trace: protocols, several occurrences (ip.addr, tcp.port, vlan.id, the
# IP header quoted in ICMP errors), every operator family.
WIRESHARK = [
    "tcp", "udp", "ip", "ipv6", "arp", "icmp", "vlan", "mpls", "sctp",
    "igmp", "gre", "vxlan", "icmpv6", "llc", "ieee8021ad.id",
    "tcp.port == 80",
    "ip.addr == 10.0.0.0/8",
    "ip.addr != 10.1.2.3",
    "!(ip.addr == 10.1.2.3)",
    "ip.addr !== 10.1.2.3",
    "tcp.port === 80",
    "tcp.flags.syn == 1 and tcp.flags.ack == 1",
    "tcp.flags & 0x12 == 0x12",
    "tcp.flags & 0x12",
    "tcp.flags.syn",
    "udp.port in {53, 1..10}",
    "tcp.port not in {80}",
    "not tcp.port in {80}",
    "ip.ttl < 64",
    "all ip.ttl > 10",
    "any ip.ttl > 10",
    "eth.type == 0x0806",
    "vlan.id == 100 || vlan.id == 20",
    "ipv6.addr == 2001:db8::/32",
    "ip.proto == 17 or ipv6.nxt == 58",
    "eth.dst == ff:ff:ff:ff:ff:ff",
    "eth.addr contains 00:02",
    "ip.dsfield.dscp == 46",
    "tcp.port in {80, 443} && ip.src == 10.1.2.3",
    "ip.flags.mf == 1 || ip.frag_offset > 0",
    "ipv6.fraghdr.offset",
    "mpls.label == 16",
    "tcp.window_size_value >= 32768",
    "tcp.len > 10",
    "icmp.type == 3 and ip.ttl == 1",
    "arp.opcode == 2",
    "igmp.maddr == 224.0.0.0/4",
    "ip.src >= 10.0.0.0 and ip.src <= 10.255.255.255",
    "tcp.seq_raw > 2147483648",
    "frame.len < 60",
    "ipv6.hlim lt 100 or tcp.options.mss_val eq 1460",
]

# pcap-filter text (not trawl syntax) against tcpdump on the same trace.
PCAP_FILTER = [
    "tcp port 80",
    "src host 10.1.2.3 and not arp",
    "vlan 100 and udp",
    "ip6 and icmp6",
    "ether broadcast",
    "tcp[tcpflags] & tcp-syn != 0",
]


@pytest.fixture(scope="module")
def trace(tmp_path_factory):
    path = tmp_path_factory.mktemp("expr") / "ether.pcap"
    small_trace.write_ether(str(path))
    return path


def trawl_matches(expr, path, reading="trawl"):
    r = subprocess.run([str(BUILD / "tests" / "expr-match"), expr, str(path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"{expr}: {r.stderr}"
    assert r.stderr == f"reading: {reading}\n"
    return [int(x) for x in r.stdout.split()]


@pytest.mark.parametrize("expr", WIRESHARK)
def test_same_packets_as_tshark(trace, expr):
    need("tshark")
    r = subprocess.run(
        ["tshark", "-r", str(trace), "-o", "ip.defragment:FALSE",
         "-o", "ipv6.defragment:FALSE", "-Y", expr, "-T", "fields",
         "-e", "frame.number"],
        capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    theirs = [int(x) for x in r.stdout.split()]
    assert trawl_matches(expr, trace) == theirs


def frame_times(path):
    """Frame number -> time stamp in microseconds (tcpdump's resolution)."""
    r = subprocess.run([str(BUILD / "tests" / "trace-dump"), str(path)],
                       capture_output=True, text=True, check=True)
    times = {}
    for n, line in enumerate(r.stdout.splitlines(), 1):
        sec, frac = line.split("\t")[0].split(".")
        times[n] = int(sec) * 1000000 + int(frac[:6])
    assert len(set(times.values())) == len(times), "time stamps must differ"
    return times


@pytest.mark.parametrize("expr", PCAP_FILTER)
def test_pcap_filter_same_packets_as_tcpdump(trace, expr):
    need("tcpdump")
    # tcpdump numbers only what it prints, so packets are told apart by
    # their (distinct) time stamps.
    r = subprocess.run(["tcpdump", "-r", str(trace), "-n", "-tt", expr],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    theirs = []
    for line in r.stdout.splitlines():
        if line[:1].isdigit():
            sec, frac = line.split()[0].split(".")
            theirs.append(int(sec) * 1000000 + int(frac))
    assert theirs, "the filter should select something"
    times = frame_times(trace)
    ours = trawl_matches(expr, trace, "pcap-filter")
    assert [times[n] for n in ours] == theirs


def explain(trawl_bin, *args):
    return subprocess.run([trawl_bin, "explain", *args], capture_output=True,
                          text=True, timeout=30)


def test_explain_trawl_reading(trawl_bin):
    r = explain(trawl_bin, "tcpFlags == syn+ack and ip == 10.0/16")
    assert r.returncode == 0, r.stderr
    assert "reading: trawl (not valid pcap-filter" in r.stdout
    assert "    tcpFlags == syn+ack    (column 1)\n" \
           "      #0 tcp.flags & 0x12 == 0x12\n" in r.stdout
    assert "kernel (pcap-filter, a superset;" in r.stdout
    assert "  not ((ip and len >= 38 and " in r.stdout
    assert " or arp) or ((ip net 10.0.0.0/16))\n" in r.stdout
    assert "evaluation plan (4 instructions, 2 tests;" in r.stdout


def test_explain_words_are_joined_and_pcap_reading_named(trawl_bin):
    r = explain(trawl_bin, "tcp", "port", "80")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("expression: tcp port 80\n"
                               "reading: pcap-filter, compiled by libpcap "
                               "(not trawl syntax: unexpected 'port' at "
                               "column 5")
    assert "BPF program for link type 1 (EN10MB):" in r.stdout


def test_explain_both_readings(trawl_bin):
    r = explain(trawl_bin, "not arp")
    assert "reading: trawl (also valid pcap-filter; trawl's reading wins)" \
        in r.stdout
    r = explain(trawl_bin, "--bpf", "--linktype", "raw", "not", "arp")
    assert r.returncode == 0, r.stderr
    assert "reading: pcap-filter (forced)" in r.stdout
    assert "BPF program for link type 101 (RAW):" in r.stdout


def test_explain_error(trawl_bin):
    r = explain(trawl_bin, "prot == 80")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith(
        "trawl: error: unknown operand 'prot' at column 1 (did you mean "
        "'port'?) (not valid pcap-filter either: ")


def test_explain_usage(trawl_bin):
    assert explain(trawl_bin).returncode == 2
    assert explain(trawl_bin, "--linktype", "nope", "tcp").returncode == 2
    r = explain(trawl_bin, "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: trawl explain")
    r = subprocess.run([trawl_bin, "help"], capture_output=True, text=True)
    assert re.search(r"^  explain +show how a filter expression", r.stdout,
                     re.M)


def test_docs_list_every_field(trawl_bin):
    """docs/expressions.md lists every registry field, as `trawl fields
    --markdown` prints it (name, type, label, aliases)."""
    table = subprocess.run([str(trawl_bin), "fields", "--markdown"],
                           capture_output=True, text=True, check=True).stdout
    assert table.count("\n") > 200
    doc = (ROOT / "docs" / "expressions.md").read_text().split("\n## Fields")[1]
    assert table in doc


# ---- the kernel part: a superset of the matches -----------------------------

KERNEL_EXPRS = [
    "tcp", "udp.port == 53", "ip.src == 10.1.2.3", "ip == 10.0/8",
    "ipv6.dst == 2001:db8:ffff::abcd", "tcp.dstport in {80, 443}",
    "port 80", "portrange == 100-120,-10", "eth.src == 02:00:00:00:00:01",
    "tcp and ip.dst == 192.168.100.200", "arp or icmp", "not tcp",
    "udp and regexp == 'ping'", "tcpFlags == syn+ack and ip == 10.0/16",
    "src 10.0.0.0/8 and dport 80", "vlan == 20", "ip.proto == 17",
    "icmp.type == 8 or tcp.port == 2", "sctp", "mac == 02:00:00:00:00:02",
]


def kernel_text(trawl_bin, expr):
    r = subprocess.run([str(trawl_bin), "explain", expr], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    for i, l in enumerate(lines):
        if l.startswith("kernel (pcap-filter"):
            return lines[i + 1].strip()
        if l.startswith("kernel: nothing"):
            return None
        if l.startswith("kernel: the whole expression (exact)"):
            return expr
    raise AssertionError(r.stdout)


def all_matches(trawl_bin, path, *words):
    r = subprocess.run([str(trawl_bin), "match", "--all", str(path), *words],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode in (0, 1), r.stderr
    return {int(x) for x in r.stdout.split()}


def test_kernel_part_is_a_superset(trawl_bin, trace):
    sample = BUILD / "tools" / "sample.pcapng"
    filtered = 0
    for expr in KERNEL_EXPRS:
        text = kernel_text(trawl_bin, expr)
        for path in (trace, sample):
            ours = all_matches(trawl_bin, path, "--", expr)
            if text is None:
                continue
            kernel = all_matches(trawl_bin, path, "--bpf", "--", text)
            assert ours <= kernel, (expr, path.name, sorted(ours - kernel))
            total = len(all_matches(trawl_bin, path, "--", "frame"))
            filtered += total - len(kernel)
    # The kernel part does filter: many packets never reach user space.
    assert filtered > 100


def test_kernel_part_of_pcap_filter_is_exact(trawl_bin):
    r = subprocess.run([str(trawl_bin), "explain", "tcp", "port", "80"],
                       capture_output=True, text=True, timeout=60)
    assert "kernel: the whole expression (exact)" in r.stdout
    assert "(000) ldh      [12]" in r.stdout
