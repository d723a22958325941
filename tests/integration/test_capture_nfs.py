"""`trawl capture` judges RPC and NFS expressions as `trawl read` does.

An expression over RPC or its programs needs state across packets: a
READ reply or a WRITE call of 64 KiB spans tens of TCP segments and is
decoded only from the one that completes it, and a reply is NFS at all
only when its call was seen. The capture feeds its flows every packet it
is handed, in order, so that the filter, --keep and --stop-on see what
`trawl read` sees.

Real traffic (nfs_traffic.py: nfs-ganesha in one namespace, libnfs
clients in another, large READs and WRITEs) is captured by tcpdump whole
and, at the same time, by `trawl capture` with NFS expressions on the
same interface; what each capture kept must be, byte for byte, what
`trawl read` selects with the same expression from tcpdump's file.
Namespaces are named with TRAWL_NETNS_PREFIX (default tr).
"""
import pathlib
import subprocess

import pytest

import nfs_traffic
from netns import Capture, read_pcap
from test_nfs_vs_tshark import real_traffic_possible

# Replies that are NFS only when paired with their call, and calls and
# replies whose records span many segments.
V3_WRITE = "nfs.procedure_v3 == 7"
V3_READ_REPLY = "nfs.procedure_v3 == 6 and rpc.msgtyp == 1"
V4_READ = "nfs.opcode == 25"
STOP = "nfs.procedure_v3 == 6 and rpc.msgtyp == 1 and nfs.count3 > 0"
# Printed of every packet: what the flows change (a segment inside a
# record is TCP alone, a reply is NFS only when paired).
PRINTED = [a for f in ("rpc.xid", "rpc.msgtyp", "nfs.procedure_v3",
                       "nfs.count3", "frame.protocols") for a in ("-e", f)]


@pytest.fixture(scope="module")
def captured(tmp_path_factory, trawl_bin):
    why = real_traffic_possible()
    if why:
        pytest.skip(why)
    out = tmp_path_factory.mktemp("capnfs")
    runs = {
        "v3_filter": (["v3"], [V3_WRITE]),
        "v3_keep": (["v3"], ["--keep", "filter:" + V3_READ_REPLY]),
        "v3_stop": (["v3"], ["--stop-on", "filter:" + STOP]),
        "v40_filter": (["v40"], [V4_READ]),
        "v3_print": (["v3"], ["-T", "fields", *PRINTED]),
    }
    result = {}
    for scenario in ("v3", "v40"):
        with nfs_traffic.Lab(out / f"lab-{scenario}") as lab:
            caps = {}
            try:
                for name, (scen, args) in runs.items():
                    if scenario not in scen:
                        continue
                    path = out / f"{name}.pcap"
                    write = [] if name.endswith("_print") else ["-w", str(path)]
                    caps[name] = (path, Capture(
                        None, trawl_bin, ["-i", lab.srv_if, *write, *args],
                        ns=lab.srv_ns).start())
                full = out / f"full-{scenario}.pcap"
                with lab.capture(full):
                    done = {}
                    if scenario == "v3":
                        nfs_traffic.scenario_v3(lab, done)
                    else:
                        nfs_traffic.scenario_v40(lab, done)
            finally:
                for path, cap in caps.values():
                    cap.stop()
            for name, (path, cap) in caps.items():
                result[name] = (full, path, cap)
    return result


def selected(trawl_bin, full, expr, tmp_path):
    out = tmp_path / "sel.pcap"
    p = subprocess.run([trawl_bin, "read", "-r", str(full), "-F", "pcap-ns",
                        "-w", str(out), expr], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return [f for _, f in read_pcap(out)]


def frames(path):
    return [f for _, f in read_pcap(path)]


@pytest.mark.parametrize("name,expr", [("v3_filter", V3_WRITE),
                                       ("v3_keep", V3_READ_REPLY),
                                       ("v40_filter", V4_READ)])
def test_kept_packets_are_trawl_reads(captured, trawl_bin, tmp_path, name,
                                      expr):
    full, path, cap = captured[name]
    want = selected(trawl_bin, full, expr, tmp_path)
    got = frames(path)
    # Records of many segments: the selection holds replies or calls whose
    # reassembly and pairing the flows did.
    assert len(want) >= 2, f"{name}: the traffic has no '{expr}'"
    assert got == want, (f"{name}: kept {len(got)} packets, trawl read "
                         f"selects {len(want)}")


def test_stop_on_an_nfs_reply(captured, trawl_bin, tmp_path):
    full, path, cap = captured["v3_stop"]
    assert cap.stop_reason() == "filter", cap.err
    everything = frames(full)
    first = selected(trawl_bin, full, STOP, tmp_path)[0]
    got = frames(path)
    # The capture keeps what came before the first reply that meets the
    # expression, and that reply, as the full capture has them; it started
    # before tcpdump, so it may have a stray packet (IPv6 MLD) first.
    k = everything.index(first)
    assert got and got[-1] == first
    j = next(i for i, f in enumerate(got) if f in everything)
    assert j <= 2 and not any(f in everything for f in got[:j])
    start = k + 1 - (len(got) - j)
    assert start >= 0 and got[j:] == everything[start:k + 1]
    assert len(got) - j > 20


def test_printed_as_trawl_read_prints(captured, trawl_bin):
    """What the capture prints of each packet it delivers is decoded with
    the flows too: the packets of the NFS traffic print as trawl read
    prints them from tcpdump's file (stray packets outside the traffic,
    which the two captures may not share, print no RPC)."""
    full, _, cap = captured["v3_print"]
    p = subprocess.run([trawl_bin, "read", "-r", str(full), "-T", "fields",
                        *PRINTED], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr

    def rpc_rows(text):
        return [line for line in text.splitlines()
                if ":tcp" in line or ":udp" in line]
    want = rpc_rows(p.stdout)
    got = rpc_rows(cap.out.decode())
    assert sum(":rpc" in r for r in want) > 20
    # A READ reply of many segments: TCP alone until the last, then NFS.
    assert any(r.startswith("\t\t\t\t") and r.endswith(":tcp")
               for r in want)
    assert got == want
