"""The Python module `trawl` (python/): pktt's Pktt API over trawl's trace.

Each case runs a short script with /usr/bin/python3 in its own process,
the built module first on PYTHONPATH (the sanitizers' runtimes preloaded
when the build has them), over scapy-built RPC/NFS traces
(rpc_traces.py) and the real NFS traffic of nfs_traffic.py (root), and
checks what it prints; match indexes must agree with `trawl match --all`.
"""
import json
import os
import pathlib
import shutil
import subprocess
import textwrap

import pytest

from conftest import BUILD
# The trace fixtures of the NFS comparison, shared rather than redone.
import test_fields_vs_tshark as fvt
from test_nfs_vs_tshark import built_traces, nfs_traces  # noqa: F401

MODULE_DIR = BUILD / "python"


def module_env():
    mods = list(MODULE_DIR.glob("trawl*.so"))
    if not mods:
        pytest.fail(f"{MODULE_DIR}: the trawl module is not built")
    lib = BUILD / "src" / "libtrawl.so"
    syms = subprocess.run(["nm", "-D", "--defined-only", str(lib)],
                          capture_output=True, text=True).stdout
    if "trawl_trace_open" not in syms:
        pytest.skip("libtrawl has no trace API yet (branch trace not merged)")
    env = dict(os.environ, PYTHONPATH=str(MODULE_DIR))
    ldd = subprocess.run(["ldd", str(mods[0])], capture_output=True,
                         text=True).stdout
    pre = []
    for rt in ("libasan.so", "libubsan.so"):
        if rt in ldd:
            pre.append(subprocess.run(["gcc", f"-print-file-name={rt}"],
                                      capture_output=True,
                                      text=True).stdout.strip())
    if pre:
        env["LD_PRELOAD"] = " ".join(pre)
        # CPython's own allocations are not ours to judge.
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    return env


def run(script, *args, check=True):
    """Runs the script (with `import trawl, json, sys` done) and returns
    what it printed as JSON on its last line."""
    code = "import json, sys\nimport trawl\n" + textwrap.dedent(script)
    p = subprocess.run(["/usr/bin/python3", "-c", code, *map(str, args)],
                       env=module_env(), capture_output=True, text=True,
                       cwd="/", timeout=120)
    if check:
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout.strip().splitlines()[-1])
    return p


def cli_all(trawl_bin, path, expr):
    p = subprocess.run([trawl_bin, "match", "--all", str(path), expr],
                       capture_output=True, text=True)
    assert p.returncode in (0, 1), p.stderr
    return [int(x) for x in p.stdout.split()]


@pytest.fixture(scope="module")
def edge(built_traces):  # noqa: F811
    return built_traces["rpc-edge.pcap"]


def test_iteration_len_getitem_index(edge):
    out = run("""
        t = trawl.Trace(sys.argv[1])
        n = len(t)
        idx = [p.index for p in t]
        p = t[3]
        last = t[-1]
        try:
            t[n]
            err = None
        except IndexError as e:
            err = str(e)
        print(json.dumps([n, idx[:5], len(idx), p.index, t.index,
                          last.index, err, type(p.raw).__name__,
                          len(p.raw) > 0, p.time > 0, str(p)]))
    """, edge)
    n, first, count, i3, pos, last, err, rawtype, has_raw, has_time, s = out
    assert n == count and n > 10
    assert first == [0, 1, 2, 3, 4]
    assert i3 == 3 and pos == n  # t[-1] moved the position past the end
    assert last == n - 1 and "no packet" in err
    assert rawtype == "bytes" and has_raw and has_time
    assert s.startswith("3 ") and " -> " in s and "frame:eth:ip:" in s


def test_fields_as_attributes(edge):
    out = run("""
        t = trawl.Trace([sys.argv[1]])
        p = t.match("rpc.msgtyp == 0 and udp")
        print(json.dumps([p.ip.src, p.ip.dst, p.IP.src, p.udp.dstport,
                          p.rpc.xid, p.RPC.xid, hasattr(p, 'tcp'),
                          getattr(p, 'tcp', None), 'rpc' in p,
                          p.eth.src, p.layers]))
    """, edge)
    src, dst, alias_src, dport, xid, alias_xid, has_tcp, tcp, has_rpc, mac, layers = out
    assert src.count(".") == 3 and dst.count(".") == 3 and alias_src == src
    assert isinstance(dport, int) and xid == alias_xid and isinstance(xid, int)
    assert not has_tcp and tcp is None and has_rpc
    assert mac.count(":") == 5 and layers[:3] == ["frame", "eth", "ip"]


def test_tcp_flags_node(built_traces):  # noqa: F811
    out = run("""
        t = trawl.Trace(sys.argv[1])
        p = t.match("tcp")
        f = p.tcp.flags
        print(json.dumps([int(f), f == int(f), bool(p.tcp.flags.syn) ==
                          bool(int(f) & 2), p.tcp.flags.SYN == p.tcp.flags.syn]))
    """, built_traces["rpc-split.pcap"])
    assert out[1] and out[2] and out[3]


def test_match_and_cli_agree(edge, trawl_bin):
    for expr in ["rpc.xid", "rpc.msgtyp == 1", "nfs", "udp.dstport == 2049"]:
        out = run("""
            t = trawl.Trace(sys.argv[1])
            found = []
            while True:
                p = t.match(sys.argv[2], rewind=False)
                if p is None:
                    break
                found.append(p.index)
            print(json.dumps(found))
        """, edge, expr)
        assert out == cli_all(trawl_bin, edge, expr), expr


def test_match_rewind_maxindex_and_in(edge, trawl_bin):
    hits = cli_all(trawl_bin, edge, "rpc.msgtyp == 1")
    assert len(hits) >= 2
    out = run("""
        t = trawl.Trace(sys.argv[1])
        t.rewind(0)
        a = t.match("rpc.msgtyp == 1")
        after = t.index
        none = t.match("rpc.xid == 1 and rpc.xid == 2")
        kept = t.index
        t.rewind(0)
        capped = t.match("rpc.msgtyp == 1", maxindex=a.index)
        capped_pos = t.index
        t.rewind(0)
        found = "rpc.msgtyp == 1" in t
        pkt_idx = t.pkt.index
        past = t.rewind(10**9)
        print(json.dumps([a.index, after, none, kept, capped, capped_pos,
                          found, pkt_idx, past]))
    """, edge)
    first, after, none, kept, capped, capped_pos, found, pkt_idx, past = out
    assert first == hits[0] and after == first + 1
    assert none is None and kept == after  # rewind=True keeps the position
    assert capped is None and capped_pos == 0
    assert found is True and pkt_idx == hits[0]
    assert past is False


def test_packets_stay_valid_after_the_trace_moves(edge):
    out = run("""
        t = trawl.Trace(sys.argv[1])
        kept = [p for p in t]
        t.rewind(0)
        a = t.match("rpc")
        t.match("rpc")
        t.close()
        print(json.dumps([len(kept), kept[0].index, kept[0].ip.src,
                          sorted(kept[2].rpc.fields)[:1], a.rpc.xid > 0]))
    """, edge)
    assert out[0] > 10 and out[1] == 0 and out[2].count(".") == 3
    assert out[3] and out[4]


def test_set_pktlist(edge, trawl_bin):
    calls = cli_all(trawl_bin, edge, "rpc.msgtyp == 0")
    out = run("""
        t = trawl.Trace(sys.argv[1])
        plist = []
        while True:
            p = t.match("rpc.msgtyp == 0", rewind=False)
            if p is None:
                break
            plist.append(p)
        t.set_pktlist(plist[::-1])
        seen = []
        while True:
            p = t.match("rpc")
            if p is None:
                break
            seen.append(p.index)
        t.set_pktlist()
        t.rewind(0)
        back = t.match("rpc").index
        print(json.dumps([seen, back]))
    """, edge)
    assert out[0] == calls[::-1]
    assert out[1] == cli_all(trawl_bin, edge, "rpc")[0]


def test_errors_are_exceptions(edge, tmp_path):
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"not a pcap file at all, nothing like one")
    out = run("""
        res = []
        def err(f):
            try:
                f()
                res.append(None)
            except trawl.Error as e:
                res.append("Error: " + str(e))
            except Exception as e:
                res.append(type(e).__name__ + ": " + str(e))
        t = trawl.Trace(sys.argv[1])
        err(lambda: trawl.Trace("/nonexistent/x.pcap"))
        err(lambda: trawl.Trace(sys.argv[2]))
        err(lambda: t.match("prot == 1"))
        err(lambda: t.match(42))
        err(lambda: t["x"])
        err(lambda: t.set_pktlist(["a"]))
        err(lambda: trawl.Trace([]))
        p = t[0]
        err(lambda: p.nosuchlayer)
        err(lambda: p.ip.nosuchfield)
        t.close()
        err(lambda: t.match("ip"))
        err(lambda: len(t))
        err(lambda: next(t))
        err(lambda: p.ip.src)
        print(json.dumps([issubclass(trawl.Error, Exception)] + res))
    """, edge, bad)
    assert out[0] is True
    (nofile, badfile, badexpr, notstr, badkey, badlist, empty, nolayer,
     nofield, closed1, closed2, closed3, stale) = out[1:]
    assert nofile.startswith("Error:") and "x.pcap" in nofile
    assert badfile.startswith("Error:") and "bad.pcap" in badfile
    assert badexpr.startswith("Error:") and "prot" in badexpr
    assert notstr.startswith("TypeError")
    assert badkey.startswith("TypeError")
    assert badlist.startswith("TypeError")
    assert empty.startswith("ValueError")
    assert nolayer.startswith("AttributeError")
    assert nofield.startswith("AttributeError")
    assert all(c.startswith("Error: trace is closed") for c in
               (closed1, closed2, closed3))
    assert stale is None or stale.startswith("Error")


def test_misuse_never_crashes(edge):
    out = run("""
        import threading
        res = []
        t = trawl.Trace(sys.argv[1])
        for bad in (lambda: t.rewind(-1), lambda: t.rewind("x"),
                    lambda: t.match("ip", maxindex=-5), lambda: t[2**70],
                    lambda: t.__init__(sys.argv[1]),
                    lambda: len(trawl.Trace.__new__(trawl.Trace))):
            try:
                bad()
                res.append(None)
            except Exception as e:
                res.append(type(e).__name__)
        errors = []
        def worker():
            try:
                for _ in range(30):
                    t.match("tcp or udp", rewind=False)
                    t.rewind(0)
            except trawl.Error as e:
                errors.append(str(e))
        threads = [threading.Thread(target=worker) for _ in range(4)]
        [th.start() for th in threads]
        [th.join() for th in threads]
        p = t[1]
        del t
        res.append(all(e == "trace is in use by another thread" for e in errors))
        res.append([p.index, len(p.raw) > 0, p.ip.src.count(".")])
        print(json.dumps(res))
    """, edge)
    assert out[:6] == ["OverflowError", "TypeError", "OverflowError",
                       "IndexError", "Error", "Error"]
    assert out[6] is True and out[7] == [1, True, 3]


def test_live_len_is_a_type_error(edge):
    out = run("""
        t = trawl.Trace(sys.argv[1], live=True, live_timeout=0.2)
        try:
            len(t)
            r = None
        except TypeError as e:
            r = str(e)
        print(json.dumps([r, t.live, t[0].index, bool(t)]))
    """, edge)
    assert out[0] and "live" in out[0] and out[1] is True and out[2] == 0
    assert out[3] is True  # truth never asks for the length


def test_import_from_anywhere_without_the_build_dir_in_cwd(edge):
    p = run("print(json.dumps(trawl.__version__))", check=False)
    assert p.returncode == 0, p.stderr


# The examples of pktt's manual (the seed), in Python, on real NFS traffic.
PKTT_EXAMPLES = """
    t = trawl.Trace(sys.argv[1])
    out = {}
    p = t.match("TCP.flags.ACK == 1 and TCP.flags.SYN == 1")
    out["synack"] = p and p.index
    t.rewind(0)
    p = t.match("NFS.argop == 42")
    out["exchange_id"] = p and p.index
    t.rewind(0)
    p = t.match("NFS.argop in [42,43]")
    out["exchange_or_session"] = p and p.index
    t.rewind(0)
    p = t.match("NFS.op == 18")
    out["open"] = p and p.index
    t.rewind(0)
    n = 0
    while t.match(r"IP.src == re('192.168.*')"):
        n += 1
    out["subnet"] = n
    t.rewind(0)
    call = t.match("NFS.attr_request & 0x4000000000000000 != 0")
    if call:
        xid = call.rpc.xid
        reply = t.match("RPC.xid == %d and 62 in NFS.attributes" % xid)
        out["getattr_reply"] = reply and reply.index
    t.rewind(0)
    p = t.match("NFS.argop == 38")
    out["write"] = p and p.index
    t.rewind(0)
    out["write_in"] = ("NFS.argop == 38" in t) and t.pkt.index
    t.rewind(0)
    pktlist = []
    while t.match("NFS.op in [4,18]"):
        pktlist.append(t.pkt)
    t.set_pktlist(pktlist)
    pairs = []
    while t.match("NFS.argop == 18"):
        open_call = t.pkt
        index = t.get_index()
        r = t.match("RPC.xid == %d and NFS.resop == 18" % open_call.rpc.xid)
        pairs.append([open_call.index, r and r.index])
        t.rewind(index)
    t.set_pktlist()
    out["open_pairs"] = pairs
    print(json.dumps(out))
"""


def test_pktt_examples_on_real_nfs(nfs_traces, trawl_bin):  # noqa: F811
    for name in ("v41", "v42"):
        path = nfs_traces[name]
        out = run(PKTT_EXAMPLES, path)
        assert out["synack"] == cli_all(
            trawl_bin, path, "TCP.flags.ACK == 1 and TCP.flags.SYN == 1")[0]
        assert out["exchange_id"] == cli_all(trawl_bin, path,
                                             "NFS.argop == 42")[0]
        assert out["exchange_or_session"] == out["exchange_id"]
        assert out["open"] == cli_all(trawl_bin, path, "NFS.op == 18")[0]
        assert out["subnet"] == len(cli_all(trawl_bin, path,
                                             "IP.src == re('192.168.*')"))
        assert out["open_pairs"], name
        for call, reply in out["open_pairs"]:
            assert reply is not None and reply > call


# Call/reply pairing as attributes: on a reply pkt.rpc.repframe (its call's
# frame number), pkt.rpc.time and the call's procedure; on a call
# pkt.rpc.reqframe (its reply's frame) once the trace has read the reply,
# here on a second iteration, as tshark -2 shows them.
PAIRING = """
    t = trawl.Trace(sys.argv[1])
    def rows():
        out = []
        for p in t:
            if 'rpc' not in p:
                continue
            r = p.rpc
            out.append([p.index + 1, r.msgtyp, getattr(r, 'reqframe', None),
                        getattr(r, 'repframe', None), getattr(r, 'time', None),
                        getattr(r, 'procedure', None)])
        return out
    first = rows()
    t.rewind(0)
    print(json.dumps([first, rows()]))
"""


def tshark_pairing(path, two_pass):
    # Only the protocols trawl decodes, as in test_nfs_vs_tshark.
    p = subprocess.run(["tshark", *(["-2"] if two_pass else []),
                        *fvt.tshark_limit_args(), "-r",
                        str(path), "-Y", "rpc", "-T", "fields", "-e",
                        "frame.number", "-e", "rpc.msgtyp", "-e",
                        "rpc.reqframe", "-e", "rpc.repframe", "-e", "rpc.time",
                        "-e", "rpc.procedure"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    rows = []
    for line in p.stdout.splitlines():
        # A frame of several messages: the first one's, as pkt.rpc gives.
        n, typ, req, rep, tm, proc = (v.split(",")[0]
                                      for v in line.split("\t"))
        rows.append([int(n), int(typ), int(req) if req else None,
                     int(rep) if rep else None, float(tm) if tm else None,
                     int(proc) if proc else None])
    return rows


@pytest.mark.parametrize("name", ["v3", "v41"])
def test_pairing_attributes_match_tshark(nfs_traces, name):  # noqa: F811
    if not shutil.which("tshark"):
        pytest.skip("tshark is not installed")
    path = nfs_traces[name]
    first, second = run(PAIRING, path)
    for ours, theirs in ((first, tshark_pairing(path, False)),
                         (second, tshark_pairing(path, True))):
        assert len(ours) == len(theirs) > 10
        for a, b in zip(ours, theirs):
            assert a[:4] == b[:4] and a[5] == b[5], (a, b)
            assert (a[4] is None) == (b[4] is None), (a, b)
            if a[4] is not None:
                assert abs(a[4] - b[4]) < 1e-6, (a, b)
    assert any(r[2] for r in second) and not any(r[2] for r in first)
