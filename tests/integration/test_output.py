"""Outputs, checked from outside: `trawl read -w` split by size, packets
and duration (aligned or not) with strftime names, a ring of files, one or
several interfaces, checked with capinfos and tshark; and a writer killed
with SIGKILL while it rotates leaves every file readable."""
import fcntl
import os
import random
import re
import signal
import subprocess
import time

import pytest

from conftest import BUILD, need

WRITE_TEST = BUILD / "tests" / "write-test"
T0 = 1700000000  # 2023-11-14 22:13:20 UTC


@pytest.fixture(scope="module", autouse=True)
def tools():
    need("capinfos")
    need("tshark")
    if not WRITE_TEST.exists():
        pytest.fail(f"{WRITE_TEST} is missing: build with -Dtests=true first")


def script(path, lines, *opts):
    text = "".join("\t".join(cmd) + "\n" for cmd in lines)
    r = subprocess.run([str(WRITE_TEST), *opts, str(path)], input=text,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def one_a_second(path, n, fmt="pcap"):
    """n packets of 100 bytes, one a second from T0."""
    script(path, [["iface", "linktype=1", "name=eth0"]] +
           [["pkt", f"ts={T0 + i}.000000000", "size=100"] for i in range(n)],
           "-f", fmt)


def trawl_read(trawl_bin, *args, ok=True):
    env = dict(os.environ, TZ="UTC0")
    r = subprocess.run([trawl_bin, "read", *map(str, args)],
                       capture_output=True, text=True, timeout=120, env=env)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def files_in(d):
    return sorted(p.name for p in d.iterdir())


def info(path):
    """(packets, first time, last time, size) as capinfos sees the file."""
    r = subprocess.run(["capinfos", "-M", "-c", "-a", "-e", "-s", "-T",
                        "-r", "-S", str(path)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and "cut short" not in r.stderr, r.stderr
    _, packets, size, first, last = r.stdout.strip().split("\t")
    if int(packets) == 0:
        return 0, None, None, int(size)  # capinfos says n/a
    return int(packets), float(first), float(last), int(size)


def natural(name):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def test_split_by_size(trawl_bin, tmp_path):
    src = tmp_path / "in.pcap"
    subprocess.run([str(WRITE_TEST), "gen", "-f", "pcap", "-n", "30000",
                    "-s", "500", str(src)], check=True, timeout=60)
    out = tmp_path / "out"
    out.mkdir()
    trawl_read(trawl_bin, src, "-C", "2", "-w", out / "cut.pcap")
    names = sorted(files_in(out), key=natural)
    assert names[:3] == ["cut.pcap", "cut_1.pcap", "cut_2.pcap"]
    # 30000 records of 516 bytes: 15.5 MB in files of at most 2 MB.
    assert len(names) == 8
    total, last_end = 0, 0.0
    for i, name in enumerate(names):
        packets, first, last, size = info(out / name)
        assert size <= 2000000
        if i < len(names) - 1:
            assert size > 2000000 - 516  # the next packet did not fit
        assert first > last_end  # in order, none repeated
        last_end = last
        total += packets
    assert total == 30000


@pytest.mark.parametrize("fmt", ["pcap", "pcapng"])
def test_split_by_packets(trawl_bin, tmp_path, fmt):
    src = tmp_path / f"in.{fmt}"
    one_a_second(src, 100, fmt)
    out = tmp_path / "out"
    out.mkdir()
    trawl_read(trawl_bin, src, "--split-packets", "30", "-w",
               out / f"p.{fmt}")
    names = sorted(files_in(out), key=natural)
    assert names == [f"p.{fmt}", f"p_1.{fmt}", f"p_2.{fmt}", f"p_3.{fmt}"]
    assert [info(out / n)[0] for n in names] == [30, 30, 30, 10]
    assert info(out / names[1])[1] == T0 + 30


def test_split_by_seconds_named_by_time(trawl_bin, tmp_path):
    """-G 60: a file spans less than a minute of packet time from its first
    packet, and is named at that packet's time."""
    src = tmp_path / "in.pcap"
    one_a_second(src, 200)
    out = tmp_path / "out"
    out.mkdir()
    trawl_read(trawl_bin, src, "-G", "60", "-w", out / "c-%H%M%S.pcap")
    assert files_in(out) == ["c-221320.pcap", "c-221420.pcap",
                             "c-221520.pcap", "c-221620.pcap"]
    for name, n in zip(files_in(out), [60, 60, 60, 20]):
        packets, first, last, _ = info(out / name)
        assert packets == n and last - first < 60


def test_split_aligned(trawl_bin, tmp_path):
    """--align: periods at whole minutes of the (UTC) clock, files named at
    their period's start; the first covers 22:13:20 to 22:14:00."""
    src = tmp_path / "in.pcap"
    one_a_second(src, 200)
    out = tmp_path / "out"
    out.mkdir()
    trawl_read(trawl_bin, src, "-G", "60", "--align", "-w",
               out / "c-%H%M%S.pcap")
    assert files_in(out) == ["c-221300.pcap", "c-221400.pcap",
                             "c-221500.pcap", "c-221600.pcap"]
    counts = [info(out / n)[0] for n in files_in(out)]
    assert counts == [40, 60, 60, 40]
    packets, first, last, _ = info(out / "c-221400.pcap")
    assert (first, last) == (T0 + 40, T0 + 99)


def test_ring_of_files(trawl_bin, tmp_path):
    src = tmp_path / "in.pcap"
    one_a_second(src, 100)
    out = tmp_path / "out"
    out.mkdir()
    r = trawl_read(trawl_bin, src, "--split-packets", "10", "-W", "3",
                   "-w", out / "r.pcap")
    assert files_in(out) == ["r_7.pcap", "r_8.pcap", "r_9.pcap"]
    assert info(out / "r_9.pcap")[1:3] == (T0 + 90, T0 + 99)
    assert r.stderr == ""  # no terminal: no summary


def two_interfaces(path):
    script(path, [["iface", "linktype=1", "name=eth0"],
                  ["iface", "linktype=1", "name=eth1"]] +
           [["pkt", f"iface={i % 2}", f"ts={T0 + i}.0", "size=60"]
            for i in range(10)])


def test_interfaces_kept_or_merged(trawl_bin, tmp_path):
    src = tmp_path / "two.pcapng"
    two_interfaces(src)
    multi, single = tmp_path / "multi.pcapng", tmp_path / "single.pcapng"
    trawl_read(trawl_bin, src, "-w", multi)
    trawl_read(trawl_bin, src, "--single-interface", "-w", single)
    def ids(path):
        r = subprocess.run(["tshark", "-r", str(path), "-T", "fields", "-e",
                            "frame.interface_id", "-e",
                            "frame.interface_name"], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return [line.split("\t") for line in r.stdout.splitlines()]
    assert ids(multi) == [[str(i % 2), f"eth{i % 2}"] for i in range(10)]
    assert ids(single) == [["0", "eth0"]] * 10
    out = subprocess.run(["capinfos", str(single)], capture_output=True,
                         text=True).stdout
    assert "Number of interfaces in file: 1" in out
    # Split files each declare every interface.
    d = tmp_path / "split"
    d.mkdir()
    trawl_read(trawl_bin, src, "--split-packets", "4", "-w", d / "s.pcapng")
    for name in files_in(d):
        out = subprocess.run(["capinfos", str(d / name)], capture_output=True,
                             text=True).stdout
        assert "Number of interfaces in file: 2" in out


@pytest.mark.parametrize("args,msg", [
    (["-C", "1", "-w", "-"], "standard output cannot be split"),
    (["-W", "3", "-w", "x.pcap"], "-W goes with -C, -G or --split-packets"),
    (["--align", "-w", "x.pcap"], "--align goes with -G"),
    (["-G", "100000", "--align", "-w", "x.pcap"], "at most a day"),
    (["-C", "0", "-w", "x.pcap"], "-C wants a positive number"),
    (["-C", "5"], "go with -w"),
])
def test_split_usage_errors(trawl_bin, tmp_path, args, msg):
    src = tmp_path / "in.pcap"
    one_a_second(src, 3)
    r = trawl_read(trawl_bin, src, *args, ok=False)
    assert r.returncode == 2
    assert msg in r.stderr


def wait_until_final(path):
    with open(path, "rb") as f:
        fcntl.flock(f, fcntl.LOCK_SH)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_kill_during_rotating_write(tmp_path, mode):
    """SIGKILL while an output writes and rotates every 5000 packets: every
    file is readable by capinfos (and the last two, where the kill lands,
    by tshark too) once its guard is done, and
    holds packets in order; synchronously, none is missing between one
    file and the next."""
    rnd = random.Random(4242)
    extra = ["-A", "4"] if mode == "async" else []
    for run in range(6):
        fmt = "pcapng" if run % 2 else "pcap"
        d = tmp_path / f"run{run}"
        d.mkdir()
        gen = subprocess.Popen([str(WRITE_TEST), "out", "-f", fmt, "-n", "0",
                                "-B", str(64 << 20), "-i", "1", "-r",
                                "300000", "-s", "150", "-P", "5000", *extra,
                                str(d / f"k.{fmt}")],
                               stdout=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0.2, 0.5))
        gen.send_signal(signal.SIGKILL)
        assert gen.wait(timeout=30) == -signal.SIGKILL
        names = sorted(files_in(d), key=natural)
        assert names, "nothing was written"
        expect = 0
        for k, name in enumerate(names):
            wait_until_final(d / name)
            packets, first, last, _ = info(d / name)
            if k >= len(names) - 2:
                ts = subprocess.run(["tshark", "-r", str(d / name), "-T",
                                     "fields", "-e", "frame.time_epoch"],
                                    capture_output=True, text=True,
                                    timeout=60)
                assert ts.returncode == 0 and "cut short" not in ts.stderr
                assert len(ts.stdout.split()) == packets
            if not packets:
                continue
            # Packet i is stamped T0 + i µs.
            i_first = round((first - T0) * 1e6)
            i_last = round((last - T0) * 1e6)
            assert i_last - i_first + 1 == packets, (name, packets)
            if mode == "sync":
                assert i_first == expect, (name, i_first, expect)
            else:
                assert i_first >= expect
            expect = i_last + 1
        assert len(names) >= 2, names


@pytest.mark.parametrize("fmt", ["pcap", "pcapng"])
def test_follow_across_rotation(trawl_bin, tmp_path, fmt):
    """trawl read --follow on the first file of a live output moves on to
    cut_1, cut_2 ... as the output rotates, and sees every packet once."""
    first = tmp_path / f"cut.{fmt}"
    gen = subprocess.Popen([str(WRITE_TEST), "out", "-f", fmt, "-n", "0",
                            "-B", str(32 << 20), "-i", "1", "-r", "50000",
                            "-s", "80", "-P", "1000", str(first)],
                           stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while not first.exists() and time.time() < deadline:
            time.sleep(0.01)
        r = subprocess.run([trawl_bin, "read", "--follow", "-c", "4500",
                            "-T", "fields", "-e", "frame.time_epoch",
                            str(first)], capture_output=True, text=True,
                           timeout=60)
    finally:
        gen.kill()
        gen.wait(timeout=10)
    assert r.returncode == 0, r.stderr
    times = r.stdout.split()
    assert times == [f"{T0}.{i:06d}000" for i in range(4500)]


def test_follow_waits_for_a_held_file(trawl_bin, tmp_path):
    """A newer file of the rotation does not make --follow leave one that a
    writer still holds: an asynchronous writer can finish the old file
    after it has opened the new one. The test holds the old file's lock as
    trawl's writers do, appends to it after the new file exists, and only
    then releases it: every packet of the old file comes first."""
    first, second = tmp_path / "cut.pcap", tmp_path / "cut_1.pcap"
    one_a_second(first, 3)
    script(second, [["iface", "linktype=1", "name=eth0"]] +
           [["pkt", f"ts={T0 + 100 + i}.000000000", "size=100"]
            for i in range(3)], "-f", "pcap")
    tail = tmp_path / "tail.pcap"
    script(tail, [["iface", "linktype=1", "name=eth0"]] +
           [["pkt", f"ts={T0 + 3 + i}.000000000", "size=100"]
            for i in range(3)], "-f", "pcap")
    held = open(first, "ab")
    fcntl.flock(held, fcntl.LOCK_EX)
    p = subprocess.Popen([trawl_bin, "read", "--follow", "-c", "9", "-T",
                          "fields", "-e", "frame.time_epoch", str(first)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        time.sleep(0.5)  # the reader is at the old file's end by now
        held.write(tail.read_bytes()[24:])  # records without the header
        held.flush()
        fcntl.flock(held, fcntl.LOCK_UN)
        held.close()
        out, err = p.communicate(timeout=20)
    finally:
        p.kill()
    assert p.returncode == 0, err
    secs = [int(float(t)) - T0 for t in out.split()]
    assert secs == [0, 1, 2, 3, 4, 5, 100, 101, 102]
