"""frame.protocols agrees with tshark's as far as trawl decodes.

tshark goes on into protocols trawl does not decode (dns, stp, ...) and
lists "data" only where no dissector took the bytes, so trawl's list, less
a final "data", must be tshark's list or the start of it, cut at a ':'."""
import subprocess

from conftest import BUILD, need
import small_trace
from test_fields_vs_tshark import corpus_sample

# Corpus files (by name prefix) where the lists differ on purpose.
KNOWN = {
    # IPv4 total length 0 (BIG TCP): tshark stops at the UDP header.
    "bigtcp-": "IPv4 total length 0",
    # Cisco ISL frames: tshark decodes the ISL header and the frame inside.
    "DTP.pcap": "ISL is not decoded",
    # An IPv4 header whose version is 6: tshark lists "ip:ipv6", trawl's
    # IPv4 decoder hands the bytes to IPv6 without a layer of its own.
    "bad-ipv4-version": "IPv4 header carrying IPv6",
    "kday1.pcap": "IPv4 header carrying IPv6",
    "kday3.pcap": "IPv4 header carrying IPv6",
    "LINKTYPE_IPV4_invalid": "IPv4 header carrying IPv6",
    # A bad IPv6 version: tshark lists nothing at all.
    "LINKTYPE_IPV6_invalid": "bad IPv6 version",
    "beep-oobr": "bad IPv6 version",
    "hoobr_rt6_print": "bad IPv6 version",
    # An IPv6 payload length of 0 without a jumbo option: tshark takes the
    # payload as empty and lists one hop-by-hop header; trawl decodes the
    # rest of the frame (offload), here a chain of hop-by-hop headers.
    "ipv6_missing_jumbo_payload_option": "IPv6 payload length 0",
    # An IPv4 total length past the frame: tshark stops at IPv4.
    "ipv4_invalid_total_length": "IPv4 length past the frame",
}


def protocols(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def compare(trawl_bin, path):
    theirs = protocols(["tshark", "-r", str(path), "-o",
                        "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
                        "-T", "fields", "-e", "frame.protocols"])
    ours = protocols([trawl_bin, "read", str(path), "-T", "fields", "-e",
                      "frame.protocols"])
    assert len(ours) == len(theirs), f"{path}: {len(ours)} vs {len(theirs)}"
    problems = []
    for n, (a, b) in enumerate(zip(ours, theirs), 1):
        a = a[:-len(":data")] if a.endswith(":data") else a
        if a == "data":
            a = ""
        if a == b or b.startswith(a + ":") or (a == "" and b in ("", "data")):
            continue
        problems.append(f"{path.name} frame {n}: trawl {a!r} tshark {b!r}")
    return problems


def test_generated_trace(trawl_bin, tmp_path):
    need("tshark")
    trace = small_trace.write_ether(tmp_path / "many.pcap")
    problems = compare(trawl_bin, trace)
    assert not problems, "\n".join(problems[:40])


def test_sample(trawl_bin):
    need("tshark")
    problems = compare(trawl_bin, BUILD / "tools" / "sample.pcapng")
    assert not problems, "\n".join(problems[:40])


def test_corpus_sample(trawl_bin, corpus_dir):
    need("tshark")
    files = [p for p in corpus_sample(corpus_dir)
             if not p.name.startswith(tuple(KNOWN))]
    assert len(files) > 50
    problems = []
    for path in files:
        problems += compare(trawl_bin, path)
    assert not problems, "\n".join(problems[:40])
