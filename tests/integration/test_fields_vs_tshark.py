"""`trawl read -T fields` agrees with `tshark -T fields`, value for value,
on every field name both know."""
import pathlib
import subprocess

import pytest

from conftest import BUILD, need
import gen_traces

# Fields where a difference from tshark is expected, and why.
DIVERGES = {
    # tshark hands payloads to application dissectors (DNS, HTTP, ...) that
    # trawl does not have yet, and then shows no data.* fields.
    "data.data": "application dissectors",
    "data.len": "application dissectors",
    # tshark also lists the protocols trawl does not decode; the list is
    # compared as a prefix in test_protocols_vs_tshark.py.
    "frame.protocols": "protocols trawl does not decode",
    # tshark prints the frame type of LLC I and S frames with 4 hex digits
    # and that of U frames with 2; trawl has one width per field (2).
    "llc.control.ftype": "hex width depends on the frame type",
}


# Corpus files (by name prefix) where trawl and tshark part ways on
# purpose, and why.
CORPUS_KNOWN = {
    # IPv4 "BIG TCP" packets carry a total length of 0; tshark stops
    # there, trawl decodes the rest of the frame (as the kernel does).
    "bigtcp-": "IPv4 total length 0 (BIG TCP)",
    # A TCP header whose data offset runs past the captured bytes: tshark
    # omits tcp.len, trawl reports what the IP lengths imply.
    "bgp-bgp_capabilities_print-oobr": "tcp.len of a truncated header",
    # tshark shows tcp.flags.ace instead of ae/cwr/ece once it has seen an
    # AccECN handshake (conversation state trawl does not keep).
    "accecn_handshake": "AccECN conversation state",
    # A fuzzed TCP header: tshark stops after the ports, trawl shows every
    # field inside the captured bytes.
    "tcp_header_heapoverflow": "malformed TCP header",
    # Trailers of many kilobytes: trawl read -T fields prints at most 1023
    # characters of a value.
    "isis-areaaddr-oobr": "value longer than 1023 characters",
    "isis-extd-ipreach-oobr": "value longer than 1023 characters",
    "rtp-seg-fault-": "value longer than 1023 characters",
    # Microsecond fields past one second: see test_corpus.py.
    "timestamp_invalid_micro": "fraction >= 1 s carried",
}


def registry_fields():
    out = subprocess.run([str(BUILD / "tests" / "list-fields")],
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


def tshark_fields():
    out = subprocess.run(["tshark", "-G", "fields"], capture_output=True,
                         text=True, check=True)
    return {line.split("\t")[2] for line in out.stdout.splitlines()
            if line.startswith("F\t")}


def compare(trawl_bin, path, fields, prefix_ok=False):
    args = []
    for f in fields:
        args += ["-e", f]
    theirs = subprocess.run(
        ["tshark", "-r", str(path), "-o", "ip.defragment:FALSE",
         "-o", "ipv6.defragment:FALSE", "-T", "fields"] + args,
        capture_output=True, text=True, timeout=300).stdout.splitlines()
    r = subprocess.run([trawl_bin, "read", str(path), "-T", "fields"] + args,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ours = r.stdout.splitlines()
    assert len(ours) == len(theirs), f"{path}: {len(ours)} vs {len(theirs)} packets"
    problems = []
    for n, (a, b) in enumerate(zip(ours, theirs), 1):
        ra, rb = a.split("\t"), b.split("\t")
        for f, x, y in zip(fields, ra, rb):
            if x == y or f in DIVERGES:
                continue
            # Where tshark decodes deeper than trawl (a tunnel or protocol
            # trawl does not know), trawl's occurrences must be the first
            # of tshark's.
            if prefix_ok and (x == "" or y.startswith(x + ",")):
                continue
            problems.append(f"{path.name} frame {n} {f}: trawl {x!r} tshark {y!r}")
    return problems


def test_generated_trace_matches_tshark(trawl_bin, tmp_path):
    need("tshark")
    trace = gen_traces.write_ether(tmp_path / "many.pcap")
    theirs = tshark_fields()
    fields = [f for f in registry_fields() if f in theirs]
    assert len(fields) > 120
    problems = compare(trawl_bin, trace, fields)
    assert not problems, "\n".join(problems[:60])


def test_pcapng_and_sample_match_tshark(trawl_bin, tmp_path):
    need("tshark")
    theirs = tshark_fields()
    fields = [f for f in registry_fields() if f in theirs]
    sample = BUILD / "tools" / "sample.pcapng"
    problems = compare(trawl_bin, sample, fields)
    assert not problems, "\n".join(problems[:60])


def corpus_sample(corpus_dir):
    """Every sixth file of the link types trawl decodes, chosen by name."""
    out = subprocess.run(["capinfos", "-T", "-E"] + sorted(str(p) for p in corpus_dir.iterdir()),
                         capture_output=True, text=True)
    picked = []
    for line in out.stdout.splitlines()[1:]:
        name, _, enc = line.partition("\t")
        if enc.strip() in ("ether", "linux-sll", "null", "rawip", "rawip4", "rawip6"):
            picked.append(pathlib.Path(name))
    return picked[::6]


def test_corpus_sample_matches_tshark(trawl_bin, corpus_dir):
    need("tshark")
    theirs = tshark_fields()
    fields = [f for f in registry_fields() if f in theirs]
    files = corpus_sample(corpus_dir)
    assert len(files) > 50
    problems = []
    for path in files:
        problems += compare(trawl_bin, path, fields, prefix_ok=True)
    problems = [p for p in problems if not p.startswith(tuple(CORPUS_KNOWN))]
    assert not problems, "\n".join(problems[:60])
