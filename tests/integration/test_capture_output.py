"""`trawl capture -w` through the output: files split by packets and by
time (also while idle), SIGHUP for a new file, a ring of files, and the
asynchronous writer under a sink slower than the traffic, which counts
drops instead of growing. Namespaces and veths are named ts<pid><n>...
Oracles: capinfos and trawl read."""
import os
import re
import signal
import subprocess
import threading
import time

import pytest

from conftest import need
from netns import Capture, Net, needs_root, seq_frame

pytestmark = needs_root


class TsNet(Net):
    """Net with this test module's own names (ts...), so that it never
    meets the namespaces of other tests running on the machine."""

    def __init__(self, pairs=1):
        super().__init__(pairs)
        if os.environ.get("TRAWL_NETNS_PREFIX"):
            return  # the run keeps to names of its own already
        for attr in ("a", "b"):
            setattr(self, attr, "ts" + getattr(self, attr)[2:])
        self.a_if = ["ts" + n[2:] for n in self.a_if]
        self.b_if = ["ts" + n[2:] for n in self.b_if]


@pytest.fixture
def net():
    n = TsNet()
    try:
        n.up()
        yield n
    finally:
        n.down()


def seqs(trawl_bin, path):
    r = subprocess.run([trawl_bin, "read", "-T", "fields", "-e", "data.data",
                        str(path)], capture_output=True, text=True, check=True)
    return [int(line[:8], 16) for line in r.stdout.split()]


def count(path):
    need("capinfos")
    r = subprocess.run(["capinfos", "-M", "-c", str(path)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "cut short" not in r.stderr, r.stderr
    return int(re.search(r"Number of packets:\s+(\d+)", r.stdout).group(1))


def natural(name):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def names(d):
    return sorted((p.name for p in d.iterdir()), key=natural)


def test_split_by_packets(net, trawl_bin, tmp_path):
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "--split-packets",
                                   "100", "-w", str(tmp_path / "p.pcap")])
    cap.start()
    try:
        net.send_in([seq_frame(i) for i in range(250)], gap=0.0005)
        time.sleep(0.3)
        cap.stop()
    finally:
        cap.kill()
    assert cap.p.returncode == 0, cap.err
    assert names(tmp_path) == ["p.pcap", "p_1.pcap", "p_2.pcap"]
    got = []
    for n, want in zip(names(tmp_path), [100, 100, 50]):
        assert count(tmp_path / n) == want
        got += seqs(trawl_bin, tmp_path / n)
    assert got == list(range(250))
    k = cap.counters()
    assert k["captured"] == 250 and k["dropped"] == 0


def test_sighup_starts_a_new_file(net, trawl_bin, tmp_path):
    out = tmp_path / "h.pcapng"
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "--capture-comment",
                                   "rack 7, port 3", "-w", str(out)])
    cap.start()
    try:
        net.send_in([seq_frame(i) for i in range(20)])
        time.sleep(0.3)
        cap.p.send_signal(signal.SIGHUP)
        time.sleep(0.3)  # the loop sees it within a pump
        net.send_in([seq_frame(i) for i in range(20, 30)])
        time.sleep(0.3)
        cap.stop()
    finally:
        cap.kill()
    assert cap.p.returncode == 0, cap.err
    assert names(tmp_path) == ["h.pcapng", "h_1.pcapng"]
    assert seqs(trawl_bin, out) == list(range(20))
    assert seqs(trawl_bin, tmp_path / "h_1.pcapng") == list(range(20, 30))
    for name in names(tmp_path):
        r = subprocess.run(["capinfos", str(tmp_path / name)],
                           capture_output=True, text=True)
        assert "Capture comment:     rack 7, port 3" in r.stdout


def test_split_by_time_while_idle_and_ring(net, trawl_bin, tmp_path):
    """-G 1: the file of a burst is closed a second later though nothing
    else arrives; -W 2 keeps the last two files."""
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-G", "1", "-W", "2",
                                   "-w", str(tmp_path / "t-%H%M%S.pcap")])
    cap.start()
    try:
        for burst in range(3):
            net.send_in([seq_frame(burst * 10 + i) for i in range(10)])
            time.sleep(1.3)
            # The burst's file is complete before the next burst comes.
            files = names(tmp_path)
            assert len(files) == min(burst + 1, 2), files
            assert seqs(trawl_bin, tmp_path / files[-1]) == \
                list(range(burst * 10, burst * 10 + 10))
        cap.stop()
    finally:
        cap.kill()
    assert cap.p.returncode == 0, cap.err
    assert [count(tmp_path / n) for n in names(tmp_path)] == [10, 10]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def test_slow_sink_counts_drops_instead_of_growing(net, trawl_bin,
                                                    tmp_path):
    """Written to a pipe read at 200 kB/s, with --write-buffer 4 MiB: 60 MB
    of frames cannot all be written; the capture never waits for the pipe
    (the kernel drops none), what does not fit is counted as dropped, and
    trawl's memory grows by about its buffers, not by what was offered."""
    fifo = tmp_path / "slow.pcap"
    os.mkfifo(fifo)
    got = bytearray()
    done = threading.Event()

    def slow_reader():
        with open(fifo, "rb") as f:
            while not done.is_set():
                chunk = f.read(20000)
                if not chunk:
                    return
                got.extend(chunk)
                time.sleep(0.1)
            got.extend(f.read())  # then the rest, so that trawl can end

    t = threading.Thread(target=slow_reader)
    t.start()
    # `ip netns exec` executes trawl in its place: the pid is trawl's.
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "--write-buffer",
                                   "4MiB", "-B", "8192", "-w", str(fifo)])
    n = 60000
    try:
        cap.start()
        time.sleep(0.3)
        rss_before = rss_kib(cap.p.pid)
        net.send_in([seq_frame(i, size=1000) for i in range(n)])
        time.sleep(0.5)
        rss_after = rss_kib(cap.p.pid)
        done.set()
        cap.stop()
    finally:
        done.set()
        cap.kill()
        t.join(timeout=60)
    assert cap.p.returncode == 0, cap.err
    k = cap.counters()
    assert k["received"] == n, cap.err
    assert k["kernel-dropped"] == 0
    assert k["dropped"] > n // 2, cap.err
    assert k["captured"] + k["dropped"] == n
    # The write buffer and the 8 MiB kernel ring, touched once, and slack
    # for the sanitizers' own bookkeeping: far below the 60 MB offered.
    assert rss_after - rss_before < 24 * 1024, (rss_before, rss_after)
    # What reached the pipe is a valid trace of the captured packets, in
    # order.
    path = tmp_path / "got.pcap"
    path.write_bytes(bytes(got))
    assert count(path) == k["captured"]
    s = seqs(trawl_bin, path)
    assert s == sorted(s) and len(s) == k["captured"]
