"""The writer, checked with tshark and capinfos: pcap µs/ns time stamps,
pcapng interfaces, comments, flags, statistics, and whole records after
kill -9."""
import os
import signal
import subprocess
import time

from conftest import BUILD, need

WRITE = str(BUILD / "tests" / "write-test")
DUMP = str(BUILD / "tests" / "trace-dump")


def tshark_fields(path, *fields):
    args = []
    for f in fields:
        args += ["-e", f]
    r = subprocess.run(["tshark", "-r", str(path), "-T", "fields"] + args,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.splitlines()]


def expected_time(i, ns):
    sec = 1700000000 + i // 1000
    nsec = (i % 1000) * 1000000 + i % 1000
    if not ns:
        nsec = nsec // 1000 * 1000
    return f"{sec}.{nsec:09d}"


def test_pcap_microseconds_and_nanoseconds(tmp_path):
    need("tshark")
    for fmt, ns in (("pcap", False), ("pcap-ns", True)):
        out = tmp_path / f"t.{fmt}"
        subprocess.run([WRITE, str(out), fmt, "50"], check=True)
        rows = tshark_fields(out, "frame.time_epoch", "frame.len")
        assert len(rows) == 50
        for i, (t, n) in enumerate(rows):
            assert t == expected_time(i, ns)
            assert int(n) == 60 + i % 1400


def test_pcapng_interfaces_comments_flags_stats(tmp_path):
    need("tshark")
    out = tmp_path / "t.pcapng"
    subprocess.run([WRITE, str(out), "pcapng", "30", "3"], check=True)
    rows = tshark_fields(out, "frame.interface_name", "frame.interface_description",
                         "frame.comment", "frame.packet_flags_direction",
                         "frame.time_epoch")
    assert len(rows) == 30
    for i, (name, desc, comment, direction, t) in enumerate(rows):
        assert name == f"if{i % 3}"
        assert desc == f"test interface {i % 3}"
        assert comment == (f"packet {i}" if i % 10 == 0 else "")
        assert int(direction, 16) == (2 if i % 2 else 1)
        assert t == expected_time(i, True)
    info = subprocess.run(["capinfos", "-k", "-I", str(out)], capture_output=True,
                          text=True).stdout
    assert "written by write-test" in info
    assert info.count("Number of stat entries = 1") == 3


def test_pcap_refuses_second_link_type(tmp_path):
    """Converting a mixed-link pcapng to pcap is refused with a reason."""
    import gen_traces  # noqa: F401  (scapy import check)
    from scapy.all import Ether, IP, UDP, wrpcap
    a, b = tmp_path / "a.pcap", tmp_path / "b.pcap"
    wrpcap(str(a), [Ether() / IP() / UDP()])
    wrpcap(str(b), [IP() / UDP()])  # raw IP link type
    r = subprocess.run([str(BUILD / "src" / "cli" / "trawl"), "read", str(a), str(b),
                        "-w", str(tmp_path / "out.pcap")],
                       capture_output=True, text=True)
    assert r.returncode == 1
    assert "pcap holds one link type" in r.stderr
    assert "write pcapng instead" in r.stderr
    r = subprocess.run([str(BUILD / "src" / "cli" / "trawl"), "read", str(a), str(b),
                        "-w", str(tmp_path / "out.pcapng")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_follow_a_live_pcapng_writer(tmp_path):
    """trawl read --follow on a pcapng file that a writer is still writing
    (O_DIRECT pages with a padding block at the end) sees every packet once,
    in order."""
    out = tmp_path / "live.pcapng"
    w = subprocess.Popen([WRITE, str(out), "pcapng", "0"])
    try:
        r = subprocess.run([str(BUILD / "src" / "cli" / "trawl"), "read", "--follow",
                            "-c", "3000", "-T", "fields", "-e", "frame.comment",
                            "-e", "frame.len", str(out)],
                           capture_output=True, text=True, timeout=60)
    finally:
        w.kill()
        w.wait(timeout=10)
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert len(rows) == 3000
    for i, (comment, length) in enumerate(rows):
        assert comment == (f"packet {i}" if i % 10 == 0 else "")
        assert int(length) == 60 + i % 1400


def test_write_error_names_the_file():
    r = subprocess.run([WRITE, "/dev/full", "pcap", "100000"], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert "/dev/full: write failed at offset" in r.stderr


def test_kill_9_leaves_whole_records(tmp_path):
    """A writer killed at any instant leaves a file every reader reads to
    its last record without error."""
    need("capinfos")
    for fmt in ("pcap", "pcapng"):
        for attempt in range(8):
            out = tmp_path / f"k{attempt}.{fmt}"
            p = subprocess.Popen([WRITE, str(out), fmt, "0"])
            time.sleep(0.05 + 0.037 * attempt)
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=10)
            d = subprocess.run([DUMP, str(out)], capture_output=True, text=True,
                               timeout=60)
            # trawl reads every whole record; a record the kernel cut short
            # when the process died is stepped over with a warning.
            assert d.returncode == 0, d.stderr
            n = len(d.stdout.splitlines())
            assert n > 0
            t = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                                "frame.number"], capture_output=True, text=True,
                               timeout=120)
            assert len(t.stdout.split()) == n
            if fmt == "pcapng":
                # Written with O_DIRECT whole pages: no reader sees a torn
                # record, tshark and capinfos included.
                assert "truncated record" not in d.stderr, d.stderr
                assert "cut short" not in t.stderr, t.stderr
                c = subprocess.run(["capinfos", "-c", str(out)], capture_output=True,
                                   text=True, timeout=60)
                assert c.returncode == 0 and "cut short" not in c.stderr, c.stderr
