"""`trawl capture` on veth pairs in namespaces the tests create: counts,
directions, kernel filter push-down, several interfaces, files and
standard output, printing as `trawl read` prints, prompt flushing and
clean stops. Oracles: tshark, capinfos, and trawl read."""
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import threading
import time

import pytest

from conftest import need
from netns import (  # noqa: F401 (net fixtures)
    needs_root, net, net2, Capture, seq_frame)

pytestmark = needs_root


def frame_seqs(trawl_bin, path):
    """The sequence numbers (first four payload bytes) of a trace's UDP
    frames, in order."""
    r = subprocess.run([trawl_bin, "read", "-T", "fields", "-e", "data.data",
                        str(path)], capture_output=True, text=True, check=True)
    return [int(line[:8], 16) for line in r.stdout.split()]


def capinfos_count(path):
    need("capinfos")
    r = subprocess.run(["capinfos", "-M", "-c", str(path)], capture_output=True,
                       text=True, check=True)
    for line in r.stdout.splitlines():
        if "Number of packets" in line:
            return int(line.split(":")[1])
    raise AssertionError(r.stdout)


def test_counts_match_sent_with_no_drops(net, trawl_bin, tmp_path):
    out = tmp_path / "c.pcap"
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-w", str(out)]).start()
    try:
        net.send_in([seq_frame(i) for i in range(300)], gap=0.001)
        time.sleep(0.3)
        cap.stop()
    finally:
        cap.kill()
    k = cap.counters()
    assert k["received"] == 300 and k["captured"] == 300, cap.err
    assert k["ignored"] == 0 and k["dropped"] == 0
    assert k["kernel-dropped"] == 0 and k["interface-dropped"] == 0
    assert k["bytes"] == 300 * 80
    assert cap.stop_reason() == "user"
    assert capinfos_count(out) == 300
    assert frame_seqs(trawl_bin, out) == list(range(300))
    assert cap.p.returncode == 0
    assert "\x1b[K" not in cap.err  # no counter line off a terminal


def test_live_counters_on_a_terminal(net, trawl_bin, tmp_path):
    """With stderr a terminal, a line of counters is redrawn in place about
    once a second; the final statistics follow it."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("ip", ["ip", "netns", "exec", net.a, trawl_bin, "capture",
                         "-i", net.a_if[0], "-w", str(tmp_path / "t.pcap")])
    out = b""
    try:
        time.sleep(0.5)
        net.send_in([seq_frame(i) for i in range(25)], gap=0.1)
        time.sleep(0.5)
        os.kill(pid, signal.SIGINT)
        while True:
            ready, _, _ = select.select([fd], [], [], 5)
            if not ready:
                break
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.waitpid(pid, 0)
        os.close(fd)
    text = out.decode()
    lines = re.findall(r"\r\x1b\[Ktrawl: (\d+) received, ", text)
    assert len(lines) >= 2, text
    counts = [int(n) for n in lines]
    assert counts == sorted(counts) and counts[-1] == 25
    assert "\r\x1b[Ktrawl: capture stopped (user)" in text
    assert "trawl: 25 received, 25 captured," in text


def run_captures(caps, send):
    """Starts every capture of the dict, calls send(), and stops them all
    once what was sent has arrived."""
    try:
        for c in caps.values():
            c.start()
        send()
        time.sleep(0.3)
        for c in caps.values():
            c.stop()
    finally:
        for c in caps.values():
            c.kill()


def test_direction(net, trawl_bin, tmp_path):
    caps = {d: Capture(net, trawl_bin, ["-i", net.a_if[0], "-Q", d, "-q"])
            for d in ("in", "out", "inout")}

    def send():
        net.send_in([seq_frame(i) for i in range(5)])
        net.send_out([seq_frame(100 + i, src="10.77.0.1") for i in range(3)])
    run_captures(caps, send)
    assert caps["in"].counters()["captured"] == 5
    assert caps["out"].counters()["captured"] == 3
    assert caps["inout"].counters()["captured"] == 8


@pytest.mark.parametrize("expr,bpf,ignored", [
    (["udp", "port", "1111"], False, 0),              # pcap-filter: exact
    (["udp.dstport", "==", "1111"], False, 0),        # trawl: superset
    (["udp", "dst", "port", "1111"], True, 0),        # --bpf
    (["udp.length", "==", "58"], False, 10),          # nothing in the kernel
])
def test_filter_push_down(net, trawl_bin, tmp_path, expr, bpf, ignored):
    """Packets the kernel part rejects are counted nowhere; the rest are
    captured or, when user space rejects them, ignored."""
    out = tmp_path / "f.pcap"
    args = ["-i", net.a_if[0], "-w", str(out)] + (["--bpf"] if bpf else []) + expr
    cap = Capture(net, trawl_bin, args).start()
    try:
        frames = []
        for i in range(10):
            frames.append(seq_frame(i, size=80, dport=1111))   # udp.length 46
            frames.append(seq_frame(100 + i, size=92, dport=2222))  # 58
        net.send_in(frames)
        time.sleep(0.3)
        cap.stop()
    finally:
        cap.kill()
    k = cap.counters()
    want = 10
    assert k["captured"] == want, cap.err
    assert k["ignored"] == ignored
    assert k["received"] == want + ignored
    seqs = frame_seqs(trawl_bin, out)
    assert seqs == (list(range(100, 110)) if "58" in expr else list(range(10)))


def test_bad_expression_is_refused_before_anything_starts(net, trawl_bin):
    r = net.run(net.a, trawl_bin, "capture", "-i", net.a_if[0], "prot", "80",
                check=False)
    assert r.returncode == 2
    assert "column 1" in r.stderr and "prot" in r.stderr
    assert "listening" not in r.stderr


def test_missing_interface(net, trawl_bin):
    r = net.run(net.a, trawl_bin, "capture", "-i", "tcnosuch0", check=False)
    assert r.returncode == 1
    assert "trawl: tcnosuch0: No such device exists\n" in r.stderr


def test_needs_permission(net, trawl_bin):
    r = net.run(net.a, "setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                trawl_bin, "capture", "-i", net.a_if[0], check=False)
    assert r.returncode == 1
    assert "you don't have permission to capture on that device" in r.stderr


def test_several_interfaces_into_one_pcapng(net2, trawl_bin, tmp_path):
    need("tshark")
    out = tmp_path / "two.pcapng"
    cap = Capture(net2, trawl_bin, ["-i", net2.a_if[0], "-i", net2.a_if[1],
                                    "-w", str(out)]).start()
    try:
        net2.send_in([seq_frame(i) for i in range(3)], i=0)
        net2.send_in([seq_frame(10 + i) for i in range(5)], i=1)
        time.sleep(0.3)
        cap.stop()
    finally:
        cap.kill()
    assert cap.counters()["captured"] == 8
    assert cap.counters(net2.a_if[0])["captured"] == 3
    assert cap.counters(net2.a_if[1])["captured"] == 5
    r = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "frame.interface_id", "-e", "frame.interface_name",
                        "-e", "data.data"], capture_output=True, text=True,
                       check=True)
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    got = sorted((int(i), name, int(d[:8], 16)) for i, name, d in rows)
    assert got == [(0, net2.a_if[0], n) for n in range(3)] + \
        [(1, net2.a_if[1], 10 + n) for n in range(5)]
    info = subprocess.run(["capinfos", "-M", str(out)], capture_output=True,
                          text=True, check=True).stdout
    assert "Number of interfaces in file: 2" in info


def test_write_standard_output(net, trawl_bin, tmp_path):
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-c", "4", "-w", "-"]).start()
    try:
        net.send_in([seq_frame(i) for i in range(4)])
        cap.wait()
    finally:
        cap.kill()
    assert cap.out[:4] == struct.pack("<I", 0xA1B2C3D4)
    path = tmp_path / "stdout.pcap"
    path.write_bytes(cap.out)
    assert frame_seqs(trawl_bin, path) == [0, 1, 2, 3]
    assert cap.stop_reason() == "packets"


def test_nanosecond_pcap_and_snaplen(net, trawl_bin, tmp_path):
    out = tmp_path / "ns.pcap"
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "--nano", "-s", "60",
                                   "-c", "3", "-w", str(out)]).start()
    try:
        net.send_in([seq_frame(i, size=200) for i in range(3)])
        cap.wait()
    finally:
        cap.kill()
    data = out.read_bytes()
    assert data[:4] == struct.pack("<I", 0xA1B23C4D)
    r = subprocess.run([trawl_bin, "read", "-T", "fields", "-e", "frame.len",
                        "-e", "frame.cap_len", str(out)], capture_output=True,
                       text=True, check=True)
    assert r.stdout.split("\n")[:3] == ["200\t60"] * 3
    k = cap.counters()
    assert k["bytes"] == 600 and k["captured-bytes"] == 180


def without_times(text):
    """The text with time stamps and time differences blanked: two
    sockets stamp the same frame a few microseconds apart."""
    text = re.sub(rb"\d\d:\d\d:\d\d\.\d+", b"T", text)
    return re.sub(rb"\d+\.\d{6,9}", b"T", text)


def test_prints_as_trawl_read_prints(net, trawl_bin, tmp_path):
    """Printing live and reading back a file written at the same time give
    the same text, in every format (but for the time stamps, which each
    socket takes for itself)."""
    out = tmp_path / "same.pcapng"
    writer = Capture(net, trawl_bin, ["-i", net.a_if[0], "-c", "6", "-w", str(out)])
    printers = {
        "summary": [], "-V": ["-V"], "-x": ["-x"],
        "fields": ["-T", "fields", "-e", "frame.number", "-e", "udp.dstport",
                   "-e", "frame.len"],
        "json": ["-T", "json"],
    }
    caps = {k: Capture(net, trawl_bin, ["-i", net.a_if[0], "-c", "6", *v])
            for k, v in printers.items()}
    try:
        writer.start()
        for c in caps.values():
            c.start()
        net.send_in([seq_frame(i, dport=3000 + i) for i in range(6)], gap=0.01)
        writer.wait()
        for c in caps.values():
            c.wait()
    finally:
        writer.kill()
        for c in caps.values():
            c.kill()
    for k, v in printers.items():
        r = subprocess.run([trawl_bin, "read", *v, str(out)], capture_output=True,
                           check=True)
        assert without_times(caps[k].out) == without_times(r.stdout), k
        assert caps[k].out.count(b"\n") >= 6


def test_file_is_readable_within_a_second(net, trawl_bin, tmp_path):
    """A reader following the file sees packets within a second of their
    arrival, while the capture keeps running."""
    for name in ("live.pcap", "live.pcapng"):
        out = tmp_path / name
        cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-w", str(out)]).start()
        try:
            net.send_in([seq_frame(i) for i in range(5)])
            time.sleep(1.0)
            seqs = frame_seqs(trawl_bin, out)
            assert seqs == [0, 1, 2, 3, 4], name
            assert cap.p.poll() is None
        finally:
            cap.stop()
            cap.kill()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_stop_cleanly_and_flush(net, trawl_bin, tmp_path, sig):
    need("capinfos")
    out = tmp_path / "sig.pcapng"
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-w", str(out)]).start()
    try:
        net.send_in([seq_frame(i) for i in range(50)])
        cap.stop(sig)
    finally:
        cap.kill()
    assert cap.p.returncode == 0
    k = cap.counters()
    # Sent before the signal: every one reached the file.
    assert k["captured"] == 50 == capinfos_count(out)
    assert frame_seqs(trawl_bin, out) == list(range(50))


def test_duration_limit(net, trawl_bin):
    t0 = time.time()
    r = net.run(net.a, trawl_bin, "capture", "-i", net.a_if[0], "-q",
                "--duration", "0.7", timeout=20)
    took = time.time() - t0
    assert r.returncode == 0, r.stderr
    assert "capture stopped (duration)" in r.stderr
    assert 0.6 < took < 5


def test_statistics_mode(net, trawl_bin):
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "--stats", "0.3"]).start()
    try:
        for i in range(4):
            net.send_in([seq_frame(i * 10 + k) for k in range(5)])
            time.sleep(0.2)
        time.sleep(0.4)
        cap.stop()
    finally:
        cap.kill()
    lines = [line.split() for line in cap.out.decode().splitlines()]
    per_if = [row for row in lines if row[2] == net.a_if[0]]
    totals = [row for row in lines if row[2] == "total"]
    assert len(per_if) == len(totals) >= 3
    assert sum(int(row[4]) for row in per_if) == 20
    assert sum(int(row[6]) for row in totals) == 20 * 80
    for row in lines:
        assert float(row[1]) > float(row[0])
    # Intervals follow one another.
    for a, b in zip(totals, totals[1:]):
        assert a[1] == b[0]
    assert cap.counters()["captured"] == 20


def test_interface_down_then_removed(net, trawl_bin):
    """A link going down and up again does not end the capture; the
    interface disappearing does, with the cause, after what was captured
    is counted."""
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-q"]).start()
    try:
        net.send_in([seq_frame(i) for i in range(5)])
        net.run(net.a, "ip", "link", "set", net.a_if[0], "down")
        time.sleep(0.5)
        assert cap.p.poll() is None
        net.run(net.a, "ip", "link", "set", net.a_if[0], "up")
        net.wait_carrier()
        net.send_in([seq_frame(i) for i in range(5, 8)])
        time.sleep(0.5)
        net.run(net.a, "ip", "link", "del", net.a_if[0])
        cap.wait(timeout=10)
    finally:
        cap.kill()
    assert cap.p.returncode == 1
    assert f"{net.a_if[0]}: capture failed: The interface disappeared" in cap.err
    assert cap.stop_reason() == "error"
    assert cap.counters()["captured"] == 8


@pytest.mark.parametrize("args,promiscuity", [([], 1), (["-p"], 0)])
def test_promiscuous_mode(net, trawl_bin, args, promiscuity):
    """The capture puts the interface in promiscuous mode (as the kernel
    counts it, not the flag `ip link set promisc` sets) unless -p."""
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-q", *args]).start()
    try:
        link = json.loads(net.run(net.a, "ip", "-d", "-j", "link", "show",
                                  net.a_if[0]).stdout)[0]
        assert link["promiscuity"] == promiscuity
        cap.stop()
    finally:
        cap.kill()
    link = json.loads(net.run(net.a, "ip", "-d", "-j", "link", "show",
                              net.a_if[0]).stdout)[0]
    assert link["promiscuity"] == 0


def test_immediate_mode(net, trawl_bin):
    """--immediate (TPACKET_V2 under libpcap, no block timeout) captures
    lone packets one by one."""
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "--immediate", "-c", "3",
                                   "-T", "fields", "-e", "udp.dstport"]).start()
    try:
        net.send_in([seq_frame(i, dport=5000 + i) for i in range(3)], gap=0.3)
        cap.wait()
    finally:
        cap.kill()
    assert cap.out.decode().split() == ["5000", "5001", "5002"]
    assert cap.stop_reason() == "packets"


def test_bpf_given_as_the_option_value(net, trawl_bin):
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-q",
                                   "--bpf=udp dst port 1111"]).start()
    try:
        net.send_in([seq_frame(i, dport=1111 + i % 2) for i in range(10)])
        time.sleep(0.3)
        cap.stop()
    finally:
        cap.kill()
    k = cap.counters()
    assert k["received"] == k["captured"] == 5
    r = net.run(net.a, trawl_bin, "capture", "-i", net.a_if[0], "--bpf=udp",
                "tcp", check=False)
    assert r.returncode == 2 and "the filter is given twice" in r.stderr


def test_printed_output_reaches_a_pipe_promptly(net, trawl_bin):
    """Packets printed to a pipe go out in large writes, but a steady
    trickle is not held back: lines appear within a fraction of a second."""
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], "-T", "fields", "-e",
                                   "udp.dstport"]).start()
    try:
        os.set_blocking(cap.p.stdout.fileno(), False)
        sender = threading.Thread(target=net.send_in, args=(
            [seq_frame(i, dport=6000 + i) for i in range(30)],), kwargs={"gap": 0.05})
        sender.start()
        time.sleep(0.8)
        early = cap.p.stdout.read() or b""
        sender.join()
        cap.stop()
    finally:
        cap.kill()
    assert len(early.split()) >= 5, early
    assert early.split()[0] == b"6000"


def test_listening_line_names_the_link_type(trawl_bin):
    """As tcpdump says it: 'link-type EN10MB (Ethernet)', not a number."""
    r = subprocess.run([str(trawl_bin), "capture", "-i", "lo", "--duration",
                        "0.2", "-w", "/dev/null"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert ("listening on lo, link-type EN10MB (Ethernet), snapshot length "
            "262144 bytes") in r.stderr


def udp_checksummed(n, good):
    """seq_frame(n) with its UDP checksum filled in: the right one when
    `good`, else the right one plus one."""
    f = bytearray(seq_frame(n, dport=7000 + n))
    ip, udp = f[14:34], f[34:]
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
    data = bytes(pseudo + udp) + b"\0" * (len(udp) % 2)
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    csum = (~s & 0xFFFF) or 0xFFFF
    f[40:42] = struct.pack("!H", csum if good else csum % 0xFFFF + 1)
    return bytes(f)


def test_verify_checksums_applies_to_the_filter(net, trawl_bin, tmp_path):
    """--verify-checksums reaches every expression of a capture (the
    filter, the keep rule) and what it prints, so that a checksum status
    selects live what it selects in the same packets read back with trawl
    read --verify-checksums; without it, nothing is Bad (Unverified, as
    in trawl read and tshark)."""
    good = [udp_checksummed(i, True) for i in range(4)]
    bad = [udp_checksummed(10 + i, False) for i in range(3)]
    out = tmp_path / "all.pcap"
    caps = {
        "verify": ["-q", "--verify-checksums", "udp.checksum.status", "==", "0"],
        "plain": ["-q", "udp.checksum.status", "==", "0"],
        "keep": ["--verify-checksums", "--keep", "filter:udp.checksum.status == 1",
                 "-T", "fields", "-e", "udp.dstport", "-e", "udp.checksum.status"],
        "bad": ["--verify-checksums", "-T", "fields", "-e", "udp.dstport",
                "udp.bad_checksum"],
        "file": ["-w", str(out)],
    }
    caps = {k: Capture(net, trawl_bin, ["-i", net.a_if[0], *v])
            for k, v in caps.items()}
    run_captures(caps, lambda: net.send_in(
        [good[0], bad[0], good[1], bad[1], good[2], good[3], bad[2]]))
    k = caps["verify"].counters()
    assert (k["captured"], k["ignored"]) == (3, 4), caps["verify"].err
    k = caps["plain"].counters()
    assert (k["captured"], k["ignored"]) == (0, 7), caps["plain"].err
    assert caps["keep"].out.decode().split("\n")[:-1] == [
        f"{7000 + i}\t1" for i in range(4)]
    assert caps["bad"].out.decode().split() == ["7010", "7011", "7012"]
    assert caps["file"].counters()["captured"] == 7
    offline = subprocess.run(
        [trawl_bin, "read", "--verify-checksums", "-T", "fields", "-e",
         "udp.dstport", str(out), "udp.checksum.status == 0"],
        capture_output=True, text=True, check=True)
    assert offline.stdout.split() == ["7010", "7011", "7012"]
    help_text = subprocess.run([trawl_bin, "capture", "--help"],
                               capture_output=True, text=True).stdout
    assert "--verify-checksums, for every expression" in help_text


def tcpdump_lines(err):
    """tcpdump's final statistics in a capture's standard error:
    {'captured': n, 'received by filter': n, 'dropped by kernel': n, ...}."""
    return {what: int(n) for n, what in re.findall(
        r"^(\d+) packets? (captured|received by filter|dropped by kernel|"
        r"dropped by interface)$", err, re.M)}


def test_final_statistics_in_tcpdump_words(net, trawl_bin):
    """The three lines tcpdump ends with, in its words and with its
    numbers for the same packets seen by tcpdump at the same time: the
    kernel filter passes 15 of 22 frames and user space keeps 10 of
    those. trawl's own counters follow them."""
    need("tcpdump")
    frames = ([seq_frame(i, size=80, dport=1111) for i in range(10)] +
              [seq_frame(20 + i, size=92, dport=1111) for i in range(5)] +
              [seq_frame(40 + i, size=80, dport=2222) for i in range(7)])
    trawl = Capture(net, trawl_bin, ["-i", net.a_if[0], "-q", "udp.dstport",
                                     "==", "1111", "and", "udp.length", "==",
                                     "46"])
    one = Capture(net, trawl_bin, ["-i", net.a_if[0], "-q", "-c", "1"])
    tcpdump = subprocess.Popen(
        # Immediate mode: stopped, tcpdump leaves what the kernel holds in
        # its ring unread (trawl reads it).
        ["ip", "netns", "exec", net.a, "tcpdump", "-i", net.a_if[0], "-n",
         "--immediate-mode", "-w", "/dev/null", "udp", "dst", "port", "1111"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        trawl.start()
        one.start()
        time.sleep(1.0)  # tcpdump says it listens before it does
        net.send_in(frames, gap=0.002)
        time.sleep(0.3)
        trawl.stop()
        one.wait()
        tcpdump.send_signal(signal.SIGINT)
        _, terr = tcpdump.communicate(timeout=20)
    finally:
        trawl.kill()
        one.kill()
        if tcpdump.poll() is None:
            tcpdump.kill()
            tcpdump.communicate()
    theirs = tcpdump_lines(terr)
    assert theirs == {"captured": 15, "received by filter": 15,
                      "dropped by kernel": 0}, terr
    ours = tcpdump_lines(trawl.err)
    assert ours == {"captured": 10, "received by filter": 15,
                    "dropped by kernel": 0}, trawl.err
    lines = trawl.err.splitlines()
    at = lines.index("10 packets captured")
    assert lines[at:at + 3] == ["10 packets captured",
                                "15 packets received by filter",
                                "0 packets dropped by kernel"]
    assert lines[at - 1] == "trawl: capture stopped (user)"
    k = trawl.counters()
    assert (k["received"], k["captured"], k["ignored"]) == (15, 10, 5)
    assert lines.index(next(x for x in lines if "received," in x)) > at + 2
    # One packet, in the singular, as tcpdump says it.
    assert "1 packet captured\n" in one.err, one.err
    assert one.stop_reason() == "packets"


@pytest.mark.parametrize("how,traffic_after", [
    ("print", True), ("print", False), ("write", True), ("write", False)])
def test_reader_of_stdout_going_away(net, trawl_bin, how, traffic_after):
    """`trawl capture ... | head -n 3`: once the reader of standard output
    has gone, the capture stops cleanly, prints its final statistics and
    exits 0, as tcpdump does, instead of dying of SIGPIPE (status 141) —
    whether more packets come to write (the write fails with EPIPE) or
    none do (the capture notices by itself). The same for -w -."""
    args = (["-T", "fields", "-e", "udp.dstport"] if how == "print"
            else ["-w", "-"])
    cap = Capture(net, trawl_bin, ["-i", net.a_if[0], *args]).start()
    try:
        net.send_in([seq_frame(i, dport=8000 + i) for i in range(10)])
        if how == "print":
            got = [cap.p.stdout.readline() for _ in range(3)]
            assert got == [b"8000\n", b"8001\n", b"8002\n"]
        else:
            assert cap.p.stdout.read(24)[:4] == struct.pack("<I", 0xA1B2C3D4)
        cap.p.stdout.close()  # as head does once it has its lines
        if traffic_after:
            net.send_in([seq_frame(100 + i) for i in range(10)], gap=0.01)
        rc = cap.p.wait(timeout=10)
        cap.err += (cap.p.stderr.read() or b"").decode()
    finally:
        cap.kill()
    assert rc == 0, cap.err
    assert "capture stopped (standard output closed)" in cap.err
    k = tcpdump_lines(cap.err)
    assert k["captured"] >= 10 and k["dropped by kernel"] == 0, cap.err
    assert "Broken pipe" not in cap.err and "standard output:" not in cap.err
