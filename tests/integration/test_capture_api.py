"""The capture library as a server drives it (tests/tools/capture-api.c):
refusals while running with Xena's words, the filter replaced from another
thread while packets flow, two captures in one process, the capture buffer
read by index and written out, a byte limit, waiting on the descriptor."""
import subprocess
import threading

import pytest

from conftest import BUILD, need
from netns import needs_root, net, seq_frame, tpld_frame  # noqa: F401 (fixture)

pytestmark = needs_root

TOOL = BUILD / "tests" / "capture-api"
BUSY = "while capture is on the capture parameters cannot be changed"


class Tool:
    """capture-api (or another tool) running in the capture namespace;
    returns once it printed 'ready'."""

    def __init__(self, net, *args, tool=TOOL):
        self.p = subprocess.Popen(["ip", "netns", "exec", net.a, str(tool), *args],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        line = self.p.stdout.readline()
        assert line == "ready\n", line + self.p.stderr.read()

    def finish(self, timeout=30):
        out, err = self.p.communicate(timeout=timeout)
        assert self.p.returncode == 0, err
        return out.splitlines()


def test_refusals_while_running(net):
    r = net.run(net.a, str(TOOL), "refusals", net.a_if[0])
    lines = r.stdout.splitlines()
    assert lines[0] == "state 2"  # capturing
    running = lines[1:16]
    names = ["interface", "direction", "promisc", "snaplen", "buffer_kib",
             "timeout", "nanosecond", "fcs", "checksums", "mode", "trigger",
             "keep", "buffer"]
    label = {"buffer_kib": "kernel buffer", "buffer": "capture buffer"}
    for name, line in zip(names, running):
        want = f"{name} -11 {label.get(name, name)}: {BUSY}"
        assert line == want
    # The filter may be replaced while running; starting twice may not.
    assert running[13] == "filter 0 ok"
    assert running[14] == "start -11 capture: already running"
    assert lines[16].startswith("after stop -13 capture stopped (user)")
    assert lines[16].endswith("state 3 reason user")
    # Stopped, every parameter may change again.
    assert all(line.endswith(" 0 ok") for line in lines[17:31]), lines[17:]
    # Started again (on the interface added meanwhile too), afresh.
    assert lines[31] == "restart 0 state 2 ifaces 2 received 0 reason none"
    assert len(lines) == 32


@pytest.mark.parametrize("f1,f2,bpf", [
    ("udp.dstport == 1111", "udp.dstport == 2222", False),
    ("udp dst port 1111", "udp dst port 2222", True),
])
def test_filter_replaced_while_running(net, f1, f2, bpf):
    """Each packet is judged wholly by the old filter or wholly by the new
    one: the capture is a run of 1111s then a run of 2222s, each without a
    gap, and nothing else."""
    frames = [seq_frame(i, dport=1111 if i % 2 == 0 else 2222) for i in range(600)]
    tool = Tool(net, "refilter", net.a_if[0], f1, f2, "60", "200",
                *(["--bpf"] if bpf else []))
    sender = threading.Thread(target=net.send_in, args=(frames,),
                              kwargs={"gap": 0.0005})
    sender.start()
    sender.join()
    lines = tool.finish()
    rows = [tuple(map(int, line.split())) for line in lines
            if line[0].isdigit()]
    assert len(rows) == 200
    ports = [p for _, p in rows]
    switch = ports.index(2222)
    assert switch >= 60 and set(ports[:switch]) == {1111}
    assert set(ports[switch:]) == {2222}
    seqs = [s for s, _ in rows]
    assert seqs == sorted(seqs)
    # No gap inside either run: consecutive frames of a port are 2 apart.
    for run in (seqs[:switch], seqs[switch:]):
        assert all(b - a == 2 for a, b in zip(run, run[1:])), run
    bad = [line for line in lines if line.startswith("bad ")][0]
    assert bad.startswith("bad -10 ")
    assert ("syntax error" if bpf else "column") in bad
    assert "good 0 ok" in lines
    # Counters read from another thread all along were consistent.
    mon = [line for line in lines if line.startswith("monitor")][0].split()
    assert int(mon[2]) > 100 and mon[4] == "0"
    counters = [line for line in lines if line.startswith("counters")][0].split()
    k = dict(zip(counters[1::2], map(int, counters[2::2])))
    assert k["received"] == k["captured"] + k["ignored"] + k["dropped"]
    assert k["captured"] == 200
    # What the old kernel part let through and was still queued is judged
    # by the new kernel part (libpcap runs it over the queued blocks), so
    # no packet reaches the new user-space part that the old kernel part
    # chose: nothing is ignored.
    assert k["ignored"] == 0


def test_two_captures_in_one_process(net):
    tool = Tool(net, "two", net.a_if[0], "udp.dstport == 1111",
                "udp dst port 2222", "30")
    net.send_in([seq_frame(i, dport=1111 if i % 3 else 2222) for i in range(90)],
                gap=0.0005)
    lines = tool.finish()
    a = [line for line in lines if line.startswith("A got")][0].split()
    b = [line for line in lines if line.startswith("B got")][0].split()
    assert a[2] == "30" and set(a[4:]) == {"1111"}
    assert b[2] == "30" and set(b[4:]) == {"2222"}


def test_buffer_by_index_and_byte_limit(net, tmp_path):
    need("tshark")
    out = tmp_path / "buf.pcapng"
    tool = Tool(net, "buffer", net.a_if[0], "100000", "800", str(out))
    net.send_in([seq_frame(i, size=80, dport=3000 + i) for i in range(20)])
    lines = tool.finish()
    stats = lines[0].split()
    assert stats[:3] == ["stats", "packets", "10"]
    assert "reason bytes" in lines[0] and "started 1" in lines[0]
    pkts = [line.split() for line in lines if line.startswith("pkt ")]
    assert [(int(p[3]), int(p[5]), int(p[7])) for p in pkts] == [
        (n, 80, 3000 + n) for n in range(10)]
    assert lines[len(pkts) + 1].startswith("past capture buffer: packet 10 is past")
    r = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "udp.dstport"], capture_output=True, text=True, check=True)
    assert r.stdout.split() == [str(3000 + n) for n in range(10)]


def test_no_allocation_per_packet(net):
    """Judging and delivering packets — a filter and a keep rule evaluated
    in user space, test-payload streams, a ring buffer that wraps — makes
    no allocation once the first packets are through, pumped or pulled."""
    tool = Tool(net, net.a_if[0], "400", tool=BUILD / "tests" / "capture-alloc")
    frames = []
    for i in range(420):
        frames.append(tpld_frame(i % 2, i // 2, size=120, dport=2000) if i % 3
                      else seq_frame(i, size=120, dport=2000))
    net.send_in(frames, gap=0.0002)
    out = tool.finish()[-1].split()
    assert out[0:2] == ["packets", "400"]
    assert out[2:4] == ["allocations", "0"], out
    assert int(out[5]) >= 400
    assert int(out[7]) > 0  # the counter does count trawl's allocations
