"""RPC records reassembled from TCP segments, whatever the segments do.

One scapy-built stream of NFS READ calls and replies (rpc_traces.py:
records cut at random points, several to a segment, some larger than a
segment) is sent in order, with segments reordered, retransmitted whole
or in part, with record marks split between segments, and with one
segment missing. Each record must show exactly once, in the packet that
completes it; a missing segment must cost exactly the records it touched
(and, when it took a record mark with it, those up to the point where the
stream can be found again, and the replies to calls lost), reported as
rpc.gap, never guessed. The
in-order and retransmitted streams must also agree with tshark.
"""
import random
import subprocess
import struct

import pytest
from scapy.all import wrpcap

import rpc_traces
import test_fields_vs_tshark as fvt


def run(trawl_bin, path):
    """(xids of calls, xids of replies, frames with rpc.gap), from trawl."""
    out = fvt.run_trawl(trawl_bin, path, ["rpc.xid", "rpc.msgtyp", "rpc.gap",
                                          "rpc.fraglen"])
    calls, replies, gaps = [], [], []
    for n, row in enumerate(out, 1):
        xids = [int(x, 16) for x in row["rpc.xid"].split(",") if x]
        types = [int(t) for t in row["rpc.msgtyp"].split(",") if t]
        assert len(xids) == len(types), row
        for x, t in zip(xids, types):
            (calls if t == 0 else replies).append(x)
        if row["rpc.gap"] == "1":
            gaps.append(n)
    return calls, replies, gaps


def write(tmp_path, name, session, segs):
    path = tmp_path / name
    wrpcap(str(path), rpc_traces.stamp(session.packets(segs)))
    return path


def records(session, direction):
    """(start, end, xid) of the records of one direction, in stream
    offsets (sequence numbers)."""
    data = {}
    for d, _, seq, _, payload in session.segs:
        if d == direction and payload:
            data[seq] = payload
    start = min(data)
    stream = b"".join(data[s] for s in sorted(data))
    out, at = [], 0
    while at + 4 <= len(stream):
        length = struct.unpack(">I", stream[at:at + 4])[0] & 0x7fffffff
        xid = struct.unpack(">I", stream[at + 4:at + 8])[0]
        out.append((start + at, start + at + 4 + length, xid))
        at += 4 + length
    return out


@pytest.fixture(scope="module")
def stream():
    return rpc_traces.split_records(n=40, seed=11)


def test_in_order(trawl_bin, stream, tmp_path):
    s, xids = stream
    calls, replies, gaps = run(trawl_bin, write(tmp_path, "in-order.pcap", s, s.segs))
    assert calls == xids
    assert replies == xids
    assert not gaps


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_reordered(trawl_bin, stream, tmp_path, seed):
    s, xids = stream
    segs = rpc_traces.reorder(s.segs, random.Random(seed))
    assert segs != s.segs
    calls, replies, gaps = run(trawl_bin, write(tmp_path, "reordered.pcap", s, segs))
    assert sorted(calls) == sorted(xids) and len(calls) == len(xids)
    assert sorted(replies) == sorted(xids) and len(replies) == len(xids)
    assert not gaps


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_retransmitted(trawl_bin, stream, tmp_path, seed):
    s, xids = stream
    segs = rpc_traces.duplicate(s.segs, random.Random(seed))
    assert len(segs) > len(s.segs)
    calls, replies, gaps = run(trawl_bin, write(tmp_path, "dup.pcap", s, segs))
    assert calls == xids
    assert replies == xids
    assert not gaps


def test_split_marks(trawl_bin, tmp_path):
    s, xids = rpc_traces.split_records(n=40, seed=12, split_marks=True)
    calls, replies, gaps = run(trawl_bin, write(tmp_path, "marks.pcap", s, s.segs))
    assert calls == xids
    assert replies == xids
    assert not gaps


def test_reordered_split_marks_and_retransmitted(trawl_bin, tmp_path):
    s, xids = rpc_traces.split_records(n=40, seed=13, split_marks=True)
    rng = random.Random(5)
    segs = rpc_traces.duplicate(rpc_traces.reorder(s.segs, rng), rng)
    calls, replies, gaps = run(trawl_bin, write(tmp_path, "all.pcap", s, segs))
    assert sorted(calls) == sorted(xids) and len(calls) == len(xids)
    assert sorted(replies) == sorted(xids) and len(replies) == len(xids)
    assert not gaps


@pytest.mark.parametrize("which", [3, 9, 17, 26, 40, 51])
def test_missing_segment(trawl_bin, stream, tmp_path, which):
    s, xids = stream
    data = [seg for seg in s.segs if seg[4]]
    lost = data[which]
    direction, start, end = lost[0], lost[2], lost[2] + len(lost[4])
    recs = records(s, direction)
    touched = {x for a, b, x in recs if a < end and start < b}
    before = [x for a, b, x in recs if b <= start]
    calls, replies, gaps = run(trawl_bin, write(tmp_path, f"drop{which}.pcap", s,
                                                rpc_traces.drop(s.segs, which)))
    seen = calls if direction == 0 else replies
    # The other direction is whole; but a reply whose call was lost is
    # not taken for RPC (tshark's reading too: nothing else says it is).
    if direction == 0:
        assert replies == [x for x in xids if x in set(calls)]
    else:
        assert calls == xids
    assert len(gaps) == 1
    assert not touched & set(seen)
    assert seen[:len(before)] == before
    assert len(seen) == len(set(seen))
    assert set(seen) <= set(xids)
    # Inside one record's body, the next record's start is known: nothing
    # else is lost.
    inside = [r for r in recs if r[0] + 4 <= start and end <= r[1]]
    if inside:
        assert seen == [x for x in xids if x not in touched]


def test_in_order_matches_tshark(trawl_bin, stream, tmp_path):
    """(tshark, without its sequence analysis, decodes the records of a
    retransmitted segment again, so only the stream in order is compared;
    trawl shows every record once whatever the stream does.)"""
    fvt.need("tshark")
    s, _ = stream
    flds = fvt.Fields()
    path = write(tmp_path, "in-order.pcap", s, s.segs)
    rpc = [f for f in flds.shared if f.split(".")[0] in fvt.RPC_PROTOCOLS]
    mismatches = fvt.compare(trawl_bin, path, rpc + ["frame.protocols"],
                             flds.trawl_only, only_trawl_protos=True)
    assert not mismatches, fvt.table(mismatches)


# Expressions false on every TCP segment that only carries bytes into the
# middle of a record or acknowledges: trawl match feeds such segments to
# the flows from their bytes, undecoded (trawl_flows_feed_bytes). `OR
# frame.number == 0` (never true) makes each one true on frame layers,
# so the same search then decodes every packet: both must find the same
# packets, and so must trawl read, which always decodes.
UNDECODED_EXPRS = ["rpc", "nfs", "rpc.msgtyp == 1", "rpc.xid != 0",
                   "nfs.procedure_v3 == 6", "rpc.gap or nfs", "not not nfs",
                   "nfs and not rpc.msgtyp == 0", "rpc.repframe"]


def matches(trawl_bin, path, expr, *opts):
    r = subprocess.run([trawl_bin, "match", "--all", *opts, str(path), expr],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1), r.stderr
    assert "Sanitizer" not in r.stderr, r.stderr[-4000:]
    return [int(x) for x in r.stdout.split()]


def read_matches(trawl_bin, path, expr):
    r = subprocess.run([trawl_bin, "read", str(path), "-T", "fields", "-e",
                        "frame.number", expr],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [int(x) - 1 for x in r.stdout.split()]


def scenarios(stream):
    s, _ = stream
    marks, _ = rpc_traces.split_records(n=40, seed=13, split_marks=True)
    rng = random.Random(5)
    yield "in-order", s, s.segs
    yield "reordered", s, rpc_traces.reorder(s.segs, random.Random(1))
    yield "retransmitted", s, rpc_traces.duplicate(s.segs, random.Random(2))
    yield "marks", marks, rpc_traces.duplicate(
        rpc_traces.reorder(marks.segs, rng), rng)
    for which in (3, 26, 51):
        yield f"drop{which}", s, rpc_traces.drop(s.segs, which)


def test_undecoded_segments_change_no_match(trawl_bin, stream, tmp_path):
    checked = 0
    for name, s, segs in scenarios(stream):
        path = write(tmp_path, f"{name}.pcap", s, segs)
        for expr in UNDECODED_EXPRS:
            fast = matches(trawl_bin, path, expr)
            slow = matches(trawl_bin, path, f"({expr}) or frame.number == 0")
            assert fast == slow, (name, expr)
            assert fast == read_matches(trawl_bin, path, expr), (name, expr)
            assert matches(trawl_bin, path, expr, "--reply") == matches(
                trawl_bin, path, f"({expr}) or frame.number == 0", "--reply")
            checked += len(fast)
    assert checked > 1000  # the expressions do select packets
