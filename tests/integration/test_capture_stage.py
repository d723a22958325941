"""Xena's capture model through `trawl capture`: start and stop triggers,
keep rules with a byte count, the capture buffer's two overflow semantics,
FCS checking, and test-payload streams (loss, duplicates, reordering,
payload errors, latency). Frames are crafted, sent on a veth pair the test
creates, and the results read back with tshark and trawl read."""
import subprocess
import time

import pytest

from conftest import need
from netns import (  # noqa: F401 (net fixtures)
    needs_root, net, Capture, seq_frame, tpld_frame, with_fcs)

pytestmark = needs_root


def seqs_in(trawl_bin, path):
    r = subprocess.run([trawl_bin, "read", "-T", "fields", "-e", "data.data",
                        str(path)], capture_output=True, text=True, check=True)
    return [int(line[:8], 16) for line in r.stdout.split()]


def run_captures(net, trawl_bin, arglists, frames, gap=0.0, settle=0.3):
    """Starts one capture per argument list, sends the frames in, stops
    the captures that are still running, and returns them."""
    caps = [Capture(net, trawl_bin, ["-i", net.a_if[0], *a]) for a in arglists]
    try:
        for c in caps:
            c.start()
        net.send_in(frames, gap=gap)
        time.sleep(settle)
        for c in caps:
            c.stop()
    finally:
        for c in caps:
            c.kill()
    return caps


# ---- triggers ---------------------------------------------------------------

def test_start_and_stop_on_filter(net, trawl_bin, tmp_path):
    out = tmp_path / "t.pcap"
    frames = ([seq_frame(i) for i in range(3)] +
              [seq_frame(3, dport=5000)] +                  # starts
              [seq_frame(i) for i in range(4, 7)] +
              [seq_frame(7, dport=6000)] +                  # stops, kept
              [seq_frame(i) for i in range(8, 11)])
    (cap,) = run_captures(net, trawl_bin, [[
        "--start-on", "filter:udp.dstport == 5000",
        "--stop-on", "filter:udp.dstport == 6000", "-w", str(out)]], frames)
    assert cap.stop_reason() == "filter"
    k = cap.counters()
    assert k["captured"] == 5 and k["ignored"] == 3
    # Frames after the stop were either never read or counted as dropped.
    assert k["received"] == 8 + k["dropped"]
    assert seqs_in(trawl_bin, out) == [3, 4, 5, 6, 7]


def test_start_and_stop_on_fcs_errors(net, trawl_bin, tmp_path):
    need("tshark")
    out = tmp_path / "fcs.pcapng"
    good = [with_fcs(seq_frame(i)) for i in range(10)]
    frames = good[0:2] + [with_fcs(seq_frame(2), good=False)] + good[3:5] + \
        [with_fcs(seq_frame(5), good=False)] + good[6:8]
    (cap,) = run_captures(net, trawl_bin, [[
        "--fcs", "--start-on", "fcserr", "--stop-on", "fcserr",
        "-w", str(out)]], frames)
    assert cap.stop_reason() == "fcserr"
    assert seqs_in(trawl_bin, out) == [2, 3, 4, 5]
    r = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "frame.packet_flags_crc_error"], capture_output=True,
                       text=True, check=True)
    # Good frames carry no flags option at all.
    assert r.stdout.split("\n")[:-1] == ["1", "", "", "1"]
    info = subprocess.run(["tshark", "-r", str(out), "-V", "-c", "1"],
                          capture_output=True, text=True, check=True).stdout
    assert "FCS" in info or "Frame check sequence" in info


def test_start_and_stop_on_payload_errors(net, trawl_bin, tmp_path):
    out = tmp_path / "pld.pcap"
    frames = [tpld_frame(1, i) for i in range(12)]
    for bad in (3, 8):
        f = bytearray(frames[bad])
        f[50] ^= 0xFF  # a filler byte the check covers
        frames[bad] = bytes(f)
    (cap,) = run_captures(net, trawl_bin, [[
        "--start-on", "plderr", "--stop-on", "plderr", "-w", str(out)]], frames)
    assert cap.stop_reason() == "plderr"
    r = subprocess.run([trawl_bin, "read", "-T", "fields", "-e", "frame.len",
                        str(out)], capture_output=True, text=True, check=True)
    assert len(r.stdout.split()) == 6  # frames 3 to 8
    k = cap.counters()
    assert k["captured"] == 6 and k["ignored"] == 3


def test_count_limit(net, trawl_bin, tmp_path):
    out = tmp_path / "c.pcap"
    (cap,) = run_captures(net, trawl_bin, [["-c", "7", "-w", str(out)]],
                          [seq_frame(i) for i in range(20)])
    assert cap.stop_reason() == "packets"
    assert seqs_in(trawl_bin, out) == list(range(7))
    assert cap.counters()["captured"] == 7


# ---- keep rules ----------------------------------------------------------------

def keep_frames():
    """Frames of every kind, each ending in an FCS: 3 without a test
    payload, 4 of stream 1, 2 of stream 2, 1 payload error, 2 bad FCS."""
    plain = [seq_frame(i, size=100) for i in range(3)]
    s1 = [tpld_frame(1, i, size=100) for i in range(4)]
    s2 = [tpld_frame(2, i, size=100) for i in range(2)]
    bad = bytearray(tpld_frame(1, 9, size=100))
    bad[60] ^= 1
    badfcs = [seq_frame(50 + i, size=100) for i in range(2)]
    return ([with_fcs(f) for f in plain + s1 + s2 + [bytes(bad)]] +
            [with_fcs(f, good=False) for f in badfcs])


@pytest.mark.parametrize("keep,count", [
    ("all", 12), ("notpld", 5), ("tpld", 6), ("tpld:2", 2), ("tpld:7", 0),
    ("plderr", 1), ("fcserr", 2), ("filter:frame.len == 104 and udp", 12),
    ("filter:tcp", 0),
])
def test_keep_rules(net, trawl_bin, tmp_path, keep, count):
    out = tmp_path / "k.pcapng"
    (cap,) = run_captures(net, trawl_bin, [[
        "--fcs", "--keep", keep, "--keep-bytes", "30", "-w", str(out)]],
        keep_frames())
    k = cap.counters()
    assert k["received"] == 12
    assert k["captured"] == count and k["ignored"] == 12 - count
    assert k["bytes"] == 104 * count and k["captured-bytes"] == 30 * count
    r = subprocess.run([trawl_bin, "read", "-T", "fields", "-e", "frame.len",
                        "-e", "frame.cap_len", str(out)], capture_output=True,
                       text=True, check=True)
    assert r.stdout.split("\n")[:-1] == ["104\t30"] * count


# ---- the capture buffer -------------------------------------------------------------

# A 100-byte frame is a 40-byte record header and 104 bytes (padded to 8)
# in the buffer: 1440 bytes hold exactly ten.
BUFFER_OF_TEN = "1.44k"


def test_buffer_stop_when_full_keeps_the_earliest(net, trawl_bin, tmp_path):
    out = tmp_path / "early.pcap"
    (cap,) = run_captures(net, trawl_bin, [[
        "--buffer", BUFFER_OF_TEN, "-w", str(out)]],
        [seq_frame(i, size=100) for i in range(40)])
    assert cap.stop_reason() == "full"
    assert seqs_in(trawl_bin, out) == list(range(10))
    k = cap.counters()
    assert k["captured"] == 10 and k["dropped"] >= 1
    assert "10 packets held" in cap.err and "0 discarded" in cap.err


def test_buffer_ring_keeps_the_latest(net, trawl_bin, tmp_path):
    out = tmp_path / "late.pcap"
    (cap,) = run_captures(net, trawl_bin, [[
        "--buffer", BUFFER_OF_TEN, "--stop-on", "userstop", "-w", str(out)]],
        [seq_frame(i, size=100) for i in range(40)])
    assert cap.stop_reason() == "user"
    assert seqs_in(trawl_bin, out) == list(range(30, 40))
    k = cap.counters()
    assert k["captured"] == 40 and k["dropped"] == 0
    assert "10 packets held" in cap.err and "30 discarded" in cap.err


def test_buffer_printed_at_the_end(net, trawl_bin):
    (cap,) = run_captures(net, trawl_bin, [[
        "--buffer", "1M", "-T", "fields", "-e", "frame.number", "-e",
        "udp.dstport"]], [seq_frame(i, dport=4000 + i) for i in range(5)])
    assert cap.out.decode().split("\n")[:-1] == [
        f"{n + 1}\t{4000 + n}" for n in range(5)]


# ---- test payload streams --------------------------------------------------------------

def test_stream_statistics(net, trawl_bin):
    order = list(range(100))
    for lost in (10, 20, 30, 40, 50):
        order.remove(lost)
    order += [60, 61]                    # duplicates
    i = order.index(70)
    order[i], order[i + 1] = order[i + 1], order[i]     # 71 before 70
    i = order.index(80)
    order[i:i + 3] = [order[i + 2], order[i], order[i + 1]]  # 82, 80, 81
    frames = [tpld_frame(1, s) for s in order]
    for k in (5, 15):                    # payload errors
        f = bytearray(frames[k])
        f[45] ^= 0x10
        frames[k] = bytes(f)
    frames += [tpld_frame(2, s, size=200) for s in range(30)]
    frames += [seq_frame(0)]             # no test payload
    (cap,) = run_captures(net, trawl_bin, [["-q"]], frames)
    st = cap.streams()
    assert set(st) == {1, 2}
    s1 = st[1]
    assert s1["payload-errors"] == 2
    assert s1["packets"] == len(order) - 2
    # The two corrupt frames are missing from the good sequence too.
    assert s1["lost"] == 5 + 2
    assert s1["duplicates"] == 2
    assert s1["reordered"] == 3          # 70, then 80 and 81
    lo, avg, hi = s1["latency"]
    assert 0 <= lo <= avg <= hi < 5e6    # under 5 s, in microseconds
    assert st[2] == {**st[2], "packets": 30, "bytes": 6000, "lost": 0,
                     "duplicates": 0, "reordered": 0, "payload-errors": 0}


def test_sequence_wraps(net, trawl_bin):
    seqs = [0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF, 0, 2, 3]
    (cap,) = run_captures(net, trawl_bin, [["-q"]],
                          [tpld_frame(9, s) for s in seqs])
    s = cap.streams()[9]
    assert s["packets"] == 6 and s["lost"] == 1 and s["reordered"] == 0
