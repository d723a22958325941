"""trawl match: pktt's match() as a command — indices of matching packets
checked against tshark -Y, --from/--max-index windows, exit statuses."""
import subprocess

import pytest

from conftest import BUILD, need
import test_fields_vs_tshark as fvt
from test_nfs_vs_tshark import nfs_traces  # noqa: F401

SAMPLE = BUILD / "tools" / "sample.pcapng"


def match(trawl_bin, *args):
    return subprocess.run([str(trawl_bin), "match", *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def tshark_indices(path, expr):
    need("tshark")
    r = subprocess.run(["tshark", "-r", str(path), "-Y", expr, "-T", "fields",
                        "-e", "frame.number"], capture_output=True, text=True,
                       timeout=60, check=True)
    return [int(x) - 1 for x in r.stdout.split()]


@pytest.mark.parametrize("expr", ["tcp.flags.syn == 1", "udp", "arp",
                                  "ip.dst == 192.168.1.10", "icmp.type == 8",
                                  "frame.len > 100 and tcp"])
def test_all_matches_are_tsharks(trawl_bin, expr):
    theirs = tshark_indices(SAMPLE, expr)
    assert theirs, expr
    r = match(trawl_bin, "--all", SAMPLE, "--", expr)
    assert r.returncode == 0, r.stderr
    assert [int(x) for x in r.stdout.split()] == theirs
    first = match(trawl_bin, SAMPLE, "--", expr)
    assert first.returncode == 0 and first.stdout == f"{theirs[0]}\n"


def test_window_and_fields(trawl_bin):
    every = tshark_indices(SAMPLE, "tcp")
    r = match(trawl_bin, "-a", "--from", every[2], "--max-index", every[-1],
              SAMPLE, "tcp")
    assert [int(x) for x in r.stdout.split()] == every[2:-1]
    r = match(trawl_bin, "-a", "-T", "fields", "-e", "frame.number",
              "-e", "tcp.dstport", SAMPLE, "tcp")
    rows = [l.split("\t") for l in r.stdout.splitlines()]
    assert [int(n) - 1 for n, _ in rows] == every
    assert all(p.isdigit() for _, p in rows)


def test_statuses(trawl_bin, tmp_path):
    r = match(trawl_bin, SAMPLE, "sctp.port == 1")
    assert r.returncode == 1 and r.stdout == "" and r.stderr == ""
    r = match(trawl_bin, SAMPLE, "prot", "80")
    assert r.returncode == 2
    assert r.stderr.startswith("trawl match: unknown operand 'prot' at "
                               "column 1 (did you mean 'port'?)")
    r = match(trawl_bin, SAMPLE)
    assert r.returncode == 2 and "no expression given" in r.stderr
    r = match(trawl_bin, "--from", "9999", SAMPLE, "tcp")
    assert r.returncode == 1 and "cannot seek to packet" in r.stderr
    r = match(trawl_bin, "-r", tmp_path / "none.pcap", "tcp")
    assert r.returncode == 1 and "none.pcap: cannot open" in r.stderr


def test_pcap_filter_reading(trawl_bin):
    r = match(trawl_bin, "-a", "--bpf", SAMPLE, "tcp dst port 80")
    assert r.returncode == 0
    assert [int(x) for x in r.stdout.split()] == \
        tshark_indices(SAMPLE, "tcp.dstport == 80 && !icmp && !vxlan")


def test_reply_matches_the_replies_of_matched_calls(trawl_bin, nfs_traces):
    """--reply (pktt's reply=True): the matched GETATTR calls and exactly
    the replies with their xids (tshark's view of the same trace)."""
    need("tshark")
    path = nfs_traces["v3"]

    # The client's privileged source port is random; when it is 564
    # tshark tries 9P (the lower port) first and never reaches RPC, so
    # only the protocols trawl decodes stay enabled.
    def xids(expr):
        r = subprocess.run(["tshark", *fvt.tshark_limit_args(), "-r",
                            str(path), "-Y", expr, "-T", "fields",
                            "-e", "frame.number", "-e", "rpc.xid"],
                           capture_output=True, text=True, timeout=60,
                           check=True)
        return [(int(f) - 1, x) for f, x in
                (line.split("\t") for line in r.stdout.splitlines())]
    call_xids = xids("nfs.procedure_v3 == 1 && rpc.msgtyp == 0")
    calls = [i for i, _ in call_xids]
    assert calls, "the v3 scenario sends GETATTR calls"
    wanted = {x for _, x in call_xids}
    replies = [i for i, x in xids("rpc.msgtyp == 1") if x in wanted]
    assert len(replies) == len(calls)
    expr = "nfs.procedure_v3 == 1 and rpc.msgtyp == 0"
    got = match(trawl_bin, "--all", "--reply", path, "--", expr)
    assert got.returncode == 0, got.stderr
    assert [int(x) for x in got.stdout.split()] == sorted(calls + replies)
    # Without --reply only the calls; and pktt's windowing still holds.
    plain = match(trawl_bin, "--all", path, "--", expr)
    assert [int(x) for x in plain.stdout.split()] == calls
    late = match(trawl_bin, "--all", "--reply", "--from", calls[-1], path,
                 "--", expr)
    assert [int(x) for x in late.stdout.split()] == [calls[-1], replies[-1]]
