"""The examples of NFStest pktt's manual, run through `trawl match`.

Each example of the pktt match() documentation (EXCHANGE_ID and
CREATE_SESSION, an OPEN and its reply by xid, the CLOSE of that OPEN by
its stateid and the CLOSE's reply, a GETATTR asking for
FATTR4_FS_LAYOUT_TYPES and its reply by xid with `62 in NFS.attributes`,
READ and WRITE, a subnet by regular expression, SYN+ACK) is written as a
pktt script would chain its match() calls: --then for the next match
after the previous one, --reply for replies of matched calls, --from
after a packet whose values (an xid, a stateid) the next expression
needs, --max-index for maxindex, --rewind/--no-rewind for rewind. Over
the real NFS v3, v4.1 and v4.2 traffic of nfs_traffic.py (root), every
answer is checked against tshark reading the same trace twice (-2, so
that a call shows the frame of its reply): pktt's names are trawl's, the
oracle is not. test_python.py runs the same examples through the Python
module.
"""
import subprocess

import pytest

from conftest import need
# The real traffic, made once per module (needs root).
from test_nfs_vs_tshark import nfs_traces  # noqa: F401

V4 = ["v41", "v42"]


def match(trawl_bin, path, *args):
    """(exit status, output lines) of trawl match over path."""
    p = subprocess.run([trawl_bin, "match", "-r", str(path), *args],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, p.stdout.splitlines()


def indexes(trawl_bin, path, *args):
    rc, lines = match(trawl_bin, path, *args)
    return [int(x) for x in lines]


def tshark(path, flt, *fields):
    """Rows of the frames tshark -2 shows for display filter flt: frame
    index (0-based, as pktt and trawl match count) then the fields."""
    need("tshark")
    p = subprocess.run(["tshark", "-2", "-r", str(path), "-Y", flt, "-T",
                        "fields", "-e", "frame.number",
                        *[a for f in fields for a in ("-e", f)]],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rows = []
    for line in p.stdout.splitlines():
        n, *rest = line.split("\t")
        rows.append([int(n) - 1, *rest])
    return rows


def first(path, flt, *fields):
    rows = tshark(path, flt, *fields)
    assert rows, f"{path.name}: tshark finds no '{flt}'"
    return rows[0]


def pktt_escape(data):
    """A byte string as pktt's escape() writes it into an expression:
    printable characters as they are, the others as \\xNN."""
    return "".join(chr(b) if 0x20 <= b < 0x7f and chr(b) not in "'\\"
                   else f"\\x{b:02x}" for b in data)


@pytest.mark.parametrize("name", ["v3"] + V4)
def test_syn_ack(trawl_bin, nfs_traces, name):  # noqa: F811
    path = nfs_traces[name]
    expr = "TCP.flags.ACK == 1 and TCP.flags.SYN == 1"
    want = [r[0] for r in tshark(path, "tcp.flags.ack == 1 && "
                                        "tcp.flags.syn == 1")]
    assert want
    assert indexes(trawl_bin, path, expr) == want[:1]
    assert indexes(trawl_bin, path, "--all", expr) == want


@pytest.mark.parametrize("name", ["v3"] + V4)
def test_subnet_by_regular_expression(trawl_bin, nfs_traces, name):  # noqa: F811
    path = nfs_traces[name]
    want = [r[0] for r in tshark(path, "ip.src == 10.77.0.0/24")]
    assert indexes(trawl_bin, path, "--all",
                   r"IP.src == re('10\.77\.0\..*')") == want
    # pktt's own example: a subnet this traffic never comes from.
    assert match(trawl_bin, path, "--all",
                 "IP.src == re('192.168.1.*')") == (1, [])


@pytest.mark.parametrize("name", V4)
def test_exchange_id_then_create_session(trawl_bin, nfs_traces, name):  # noqa: F811
    path = nfs_traces[name]
    exid = first(path, "nfs.opcode == 42 && rpc.msgtyp == 0")[0]
    sess = first(path, "nfs.opcode == 43 && rpc.msgtyp == 0")[0]
    opened = first(path, "nfs.opcode == 18 && rpc.msgtyp == 0")[0]
    assert exid < sess < opened
    assert indexes(trawl_bin, path, "NFS.argop == 42") == [exid]
    # EXCHANGE_ID or CREATE_SESSION: the first is EXCHANGE_ID.
    assert indexes(trawl_bin, path, "NFS.argop in [42,43]") == [exid]
    both = [r[0] for r in tshark(path, "(nfs.opcode == 42 || nfs.opcode == 43)"
                                       " && rpc.msgtyp == 0")]
    assert indexes(trawl_bin, path, "--all", "NFS.argop in [42,43]") == both
    # A script's three match() calls in turn.
    assert indexes(trawl_bin, path, "NFS.argop == 42", "--then",
                   "NFS.argop == 43", "--then",
                   "NFS.argop == 18") == [exid, sess, opened]
    # reply=True: the calls and their replies (tshark -2: rpc.reqframe).
    calls = tshark(path, "nfs.opcode == 42 && rpc.msgtyp == 0",
                   "rpc.reqframe")
    want = sorted([c[0] for c in calls] + [int(c[1]) - 1 for c in calls])
    assert indexes(trawl_bin, path, "--all", "--reply",
                   "NFS.argop == 42") == want


@pytest.mark.parametrize("name", V4)
def test_open_request_or_reply(trawl_bin, nfs_traces, name):  # noqa: F811
    path = nfs_traces[name]
    want = [r[0] for r in tshark(path, "nfs.opcode == 18")]
    assert len(want) >= 2
    assert indexes(trawl_bin, path, "--all", "NFS.op == 18") == want


@pytest.mark.parametrize("name", V4)
def test_open_close_by_xid_and_stateid(trawl_bin, nfs_traces, name):  # noqa: F811
    """The buffered-matching example without the buffer: OPEN call, its
    reply by xid, the CLOSE of its stateid, the CLOSE's reply by xid."""
    path = nfs_traces[name]
    o_call, o_xid, o_reply = first(path, "nfs.opcode == 18 && rpc.msgtyp == 0",
                                   "rpc.xid", "rpc.reqframe")
    o_stateid = tshark(path, f"frame.number == {o_reply}",
                       "nfs.stateid.other")[0][1].split(",")[0]
    c_call, c_xid, c_reply = first(
        path, f"nfs.opcode == 4 && rpc.msgtyp == 0 && "
              f"nfs.stateid.other == {o_stateid}", "rpc.xid", "rpc.reqframe")
    o_reply, c_reply = int(o_reply) - 1, int(c_reply) - 1

    rc, lines = match(trawl_bin, path, "NFS.argop == 18", "-e", "rpc.xid")
    assert rc == 0 and lines == [o_xid]
    rc, lines = match(trawl_bin, path, "--from", str(o_call + 1),
                      f"RPC.xid == {int(o_xid, 16)} and NFS.resop == 18",
                      "-e", "frame.number", "-e", "NFS.stateid")
    n, stateid = lines[0].split("\t")
    assert rc == 0 and int(n) - 1 == o_reply
    assert stateid.split(",")[0] == o_stateid
    sid = pktt_escape(bytes.fromhex(o_stateid))
    rc, lines = match(trawl_bin, path, "--from", str(o_reply + 1),
                      f"NFS.argop == 4 and NFS.stateid == '{sid}'",
                      "-e", "frame.number", "-e", "rpc.xid")
    assert rc == 0 and lines == [f"{c_call + 1}\t{c_xid}"]
    # The whole script at once, now that the values are known.
    assert indexes(trawl_bin, path, "NFS.argop == 18", "--then",
                   f"RPC.xid == {int(o_xid, 16)} and NFS.resop == 18",
                   "--then", f"NFS.argop == 4 and NFS.stateid == '{sid}'",
                   "--then", f"RPC.xid == {int(c_xid, 16)} and NFS.resop == 4"
                   ) == [o_call, o_reply, c_call, c_reply]


@pytest.mark.parametrize("name", V4)
def test_getattr_fs_layout_types_and_its_reply(trawl_bin, nfs_traces, name):  # noqa: F811
    path = nfs_traces[name]
    call, xid, reply = first(path, "nfs.attr == 62 && rpc.msgtyp == 0",
                             "rpc.xid", "rpc.reqframe")
    reply = int(reply) - 1
    rc, lines = match(trawl_bin, path,
                      "NFS.attr_request & 0x4000000000000000 != 0",
                      "-e", "frame.number", "-e", "rpc.xid")
    assert rc == 0 and lines == [f"{call + 1}\t{xid}"]
    found = f"RPC.xid == {int(xid, 16)} and 62 in NFS.attributes"
    assert indexes(trawl_bin, path, "--from", str(call + 1), found) == [reply]
    assert indexes(trawl_bin, path,
                   "NFS.attr_request & 0x4000000000000000 != 0",
                   "--then", found) == [call, reply]
    assert indexes(trawl_bin, path, "--reply", "--all",
                   "NFS.attr_request & 0x4000000000000000 != 0") == [call, reply]
    # The reply alone has the attribute; the call only asks for it.
    assert indexes(trawl_bin, path, "--all", "62 in NFS.attributes") == [
        r[0] for r in tshark(path, "nfs.attr == 62 && rpc.msgtyp == 1")]


@pytest.mark.parametrize("name", V4)
def test_write_and_read(trawl_bin, nfs_traces, name):  # noqa: F811
    path = nfs_traces[name]
    for op in (38, 25):
        calls = [r[0] for r in tshark(path, f"nfs.opcode == {op} && "
                                            "rpc.msgtyp == 0")]
        assert calls, op
        assert indexes(trawl_bin, path, f"NFS.argop == {op}") == calls[:1]
        assert indexes(trawl_bin, path, "--all",
                       f"NFS.argop == {op}") == calls
    # The WRITE's reply, its record paired with the call.
    write = tshark(path, "nfs.opcode == 38 && rpc.msgtyp == 0",
                   "rpc.reqframe")
    assert indexes(trawl_bin, path, "--all", "NFS.resop == 38") == [
        int(r[1]) - 1 for r in write]


def test_v3_read_write_getattr(trawl_bin, nfs_traces):  # noqa: F811
    """NFS v3 has no operations: pktt's RPC names and the procedure."""
    path = nfs_traces["v3"]
    for proc in (6, 7):  # READ, WRITE: records of many segments
        rows = tshark(path, f"nfs.procedure_v3 == {proc}", "rpc.msgtyp")
        assert [r[1] for r in rows].count("1") >= 1, proc
        expr = f"RPC.program == 100003 and RPC.procedure == {proc}"
        assert indexes(trawl_bin, path, "--all", expr) == [r[0] for r in rows]
    call, xid, reply = first(path, "nfs.procedure_v3 == 1 && rpc.msgtyp == 0",
                             "rpc.xid", "rpc.reqframe")
    expr = "RPC.program == 100003 and RPC.procedure == 1 and RPC.type == 0"
    rc, lines = match(trawl_bin, path, expr, "-e", "rpc.xid")
    assert rc == 0 and lines == [xid]
    assert indexes(trawl_bin, path, expr, "--then",
                   f"RPC.xid == {int(xid, 16)} and RPC.type == 1") == [
        call, int(reply) - 1]


@pytest.mark.parametrize("name", V4)
def test_max_index_and_rewind(trawl_bin, nfs_traces, name):  # noqa: F811
    path = nfs_traces[name]
    exid = first(path, "nfs.opcode == 42 && rpc.msgtyp == 0")[0]
    sess = first(path, "nfs.opcode == 43 && rpc.msgtyp == 0")[0]
    # maxindex: the match fails when the packet index reaches it.
    assert match(trawl_bin, path, "--max-index", str(exid),
                 "NFS.argop == 42") == (1, [])
    assert indexes(trawl_bin, path, "--max-index", str(exid + 1),
                   "NFS.argop == 42") == [exid]
    # rewind=True: after a match that fails, the next search starts where
    # the failed one did; rewind=False: at the end, where nothing is left.
    chain = ["NFS.argop == 42", "--then", "NFS.argop == 12345", "--then",
             "NFS.argop == 43"]
    assert match(trawl_bin, path, "--rewind", *chain) == (
        1, [str(exid), "-", str(sess)])
    assert match(trawl_bin, path, "--no-rewind", *chain) == (
        1, [str(exid), "-", "-"])
