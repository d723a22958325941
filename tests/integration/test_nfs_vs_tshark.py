"""RPC, PORTMAP, MOUNT, NFS and NLM decoding agrees with tshark.

Over real NFS traffic the tests make themselves (nfs_traffic.py: an
nfs-ganesha server and libnfs and own clients in network namespaces, NFS
v3, v4.0, v4.1 and v4.2, MOUNT, PORTMAP, NLM, over TCP and UDP) and over
the scapy-built traces of rpc_traces.py (what those clients never send),
`trawl read -T fields` and `tshark -T fields` must print the same value
for every field both know, frame by frame, with TCP reassembly on in both
(trawl's flows, tshark's desegmentation) and the KNOWN/OPEN rules of
test_fields_vs_tshark.py. Every RPC-family field that both know must
have a value somewhere, so that none passes by being empty on both
sides.

    /usr/bin/python3 tests/integration/test_nfs_vs_tshark.py [OUTDIR]

writes the traces (into OUTDIR, or a temporary directory), compares them
and prints the number of values that agree per protocol and field.
"""
import collections
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import warnings

import pytest

from conftest import BUILD, need
import nfs_traffic
import rpc_traces
import test_fields_vs_tshark as fvt


def real_traffic_possible():
    tools = ["ganesha.nfsd", "rpcbind", "tcpdump", "nfs-ls", "nfs-cp", "ip"]
    missing = [t for t in tools if not shutil.which(t)]
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if missing:
        return "needs " + ", ".join(missing)
    return None


@pytest.fixture(scope="module")
def nfs_traces(tmp_path_factory):
    why = real_traffic_possible()
    if why:
        pytest.skip(why)
    return nfs_traffic.generate(tmp_path_factory.mktemp("nfs"))


@pytest.fixture(scope="module")
def built_traces(tmp_path_factory):
    return rpc_traces.write_all(tmp_path_factory.mktemp("rpc"))


@pytest.fixture(scope="module")
def fields():
    need("tshark")
    return fvt.Fields()


@pytest.fixture(scope="module")
def hits():
    """Frames the KNOWN and OPEN rules excused; the OPEN ones are trawl
    bugs still there, reported (those of other decoders, which excuse
    nothing here, are not)."""
    counter = collections.Counter()
    yield counter
    seen = [f"{counter[r.reason]:4} values: {r.reason}" for r in fvt.OPEN
            if counter[r.reason]]
    if seen:
        warnings.warn("open trawl bugs excused in this run:\n" + "\n".join(seen))


# Values that agreed, per field, over the module's traces.
AGREED = collections.Counter()


def rpc_field(name):
    return name.split(".")[0] in fvt.RPC_PROTOCOLS


@pytest.mark.parametrize("scenario", nfs_traffic.SCENARIOS)
def test_real_traffic_matches_tshark(trawl_bin, nfs_traces, fields, hits,
                                     scenario):
    path = nfs_traces[scenario]
    mismatches = fvt.compare(trawl_bin, path, fields.shared, fields.trawl_only,
                             hits, only_trawl_protos=True, agreed=AGREED)
    assert not mismatches, f"{path.name}:\n" + fvt.table(mismatches)


# The traces of rpc_traces.py tshark follows (rpc-split-marks.pcap has
# record marks split between segments, which it does not; the reassembly
# tests check that one).
BUILT = ["rpc-edge.pcap", "rpc-split.pcap"]


@pytest.mark.parametrize("name", BUILT)
def test_built_traces_match_tshark(trawl_bin, built_traces, fields, hits,
                                   name):
    mismatches = fvt.compare(trawl_bin, built_traces[name], fields.shared,
                             fields.trawl_only, hits, only_trawl_protos=True,
                             agreed=AGREED)
    assert not mismatches, f"{name}:\n" + fvt.table(mismatches)


# Call/reply pairing, as both tools show it reading the trace twice
# (tshark -2, trawl read -2): on a call the frame of its reply
# (rpc.reqframe), on a reply the frame of its call, the time since it and
# the call's program, version and procedure.
PAIRING = ["frame.number", "rpc.xid", "rpc.msgtyp", "rpc.reqframe",
           "rpc.repframe", "rpc.time", "rpc.program", "rpc.programversion",
           "rpc.procedure"]


def pairing_rows(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return [line.split("\t") for line in p.stdout.splitlines()]


@pytest.mark.parametrize("two_pass", [False, True], ids=["one", "two"])
@pytest.mark.parametrize("scenario", nfs_traffic.SCENARIOS)
def test_pairing_matches_tshark(trawl_bin, nfs_traces, scenario, two_pass):
    need("tshark")
    path = nfs_traces[scenario]
    fargs = [a for f in PAIRING for a in ("-e", f)]
    opt = ["-2"] if two_pass else []
    # Only the protocols trawl decodes: tshark otherwise tries another
    # dissector on some client ports first (TPKT, RTMP, ...) and loses the
    # RPC messages of those segments.
    theirs = pairing_rows(["tshark", *opt, *fvt.tshark_limit_args(), "-r",
                           str(path), "-Y", "rpc",
                           "-T", "fields", *fargs])
    ours = pairing_rows([trawl_bin, "read", *opt, "-r", str(path), "-T",
                         "fields", *fargs, "rpc"])
    assert ours == theirs
    col = {f: i for i, f in enumerate(PAIRING)}
    calls = [r for r in ours if r[col["rpc.msgtyp"]] == "0"]
    replies = [r for r in ours if r[col["rpc.msgtyp"]] == "1"]
    assert calls and replies
    # Every reply of this traffic has its call; its call's frame is before.
    for r in replies:
        assert int(r[col["rpc.repframe"]]) < int(r[col["frame.number"]])
        assert r[col["rpc.time"]] and r[col["rpc.procedure"]]
    answered = [r for r in calls if r[col["rpc.reqframe"]]]
    if two_pass:
        assert len(answered) >= len(calls) - 1, "calls without reply frame"
        AGREED["rpc.reqframe"] += len(answered)
    else:
        assert not answered  # one pass: not known yet, in either tool


# RPC-family fields both tools know that no trace here can give a value:
# what needs a second pass over the trace (tshark fills it only so), or
# traffic neither server nor these traces have.
NOT_SEEN = {
}


def test_rpc_fields_all_compared(trawl_bin, nfs_traces, built_traces, fields):
    """Runs after the comparisons: every shared RPC-family field agreed
    on some value, so the comparison tested it."""
    shared = [f for f in fields.shared if rpc_field(f)]
    assert len(shared) > 150
    missing = [f for f in shared if AGREED[f] == 0 and f not in NOT_SEEN]
    assert not missing, f"no trace gave these fields a value both agree on: {missing}"


def summary(counts, shared):
    by_proto = collections.Counter()
    for f, n in counts.items():
        if rpc_field(f):
            by_proto[f.split(".")[0]] += n
    lines = [f"{sum(by_proto.values())} values of {len([f for f in shared if rpc_field(f)])} "
             f"shared RPC-family fields agree with tshark:"]
    for proto, n in by_proto.most_common():
        nf = len([f for f in shared if f.startswith(proto + ".") and counts[f]])
        lines.append(f"  {proto:8} {n:7} values over {nf} fields")
    return "\n".join(lines)


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(
        tempfile.mkdtemp(prefix="trawl-nfs-cmp-"))
    trawl = str(BUILD / "src" / "cli" / "trawl")
    flds = fvt.Fields()
    paths = list(rpc_traces.write_all(out / "built").values())
    if real_traffic_possible() is None:
        paths += list(nfs_traffic.generate(out / "real").values())
    counts, excused, found = collections.Counter(), collections.Counter(), []
    for p in paths:
        if p.name == "rpc-malformed.pcap" or p.name == "rpc-split-marks.pcap":
            continue
        found += fvt.compare(trawl, p, flds.shared, flds.trawl_only, excused,
                             only_trawl_protos=True, agreed=counts)
    print(fvt.table(found, per_field=20) if found else "no mismatches")
    print(summary(counts, flds.shared))
    for why, count in excused.most_common():
        print(f"excused {count:5}: {why}")
