"""The trace writer, checked from outside: files written through the public
API (tests/tools/write-test) are read back with tshark and capinfos, and a
writer killed with SIGKILL leaves only whole records."""
import concurrent.futures
import fcntl
import os
import pathlib
import random
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time

import pytest

from conftest import BUILD, need

WRITE_TEST = BUILD / "tests" / "write-test"
TRACE_DUMP = BUILD / "tests" / "trace-dump"

# tshark's file-structure dissector: shows the pcapng blocks themselves.
FILE_FORMAT = ["-X", "read_format:MIME Files Format"]


@pytest.fixture(scope="module", autouse=True)
def tools():
    need("tshark")
    need("capinfos")
    for t in (WRITE_TEST, TRACE_DUMP):
        if not t.exists():
            pytest.fail(f"{t} is missing: build with -Dtests=true first")


def write(path, lines, *opts, ok=True):
    """Runs a write-test script (a list of tab-separated commands)."""
    script = "".join("\t".join(cmd) + "\n" for cmd in lines)
    r = subprocess.run([str(WRITE_TEST), *opts, str(path)], input=script,
                       capture_output=True, text=True, timeout=60)
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def tshark_fields(path, *fields, extra=()):
    args = ["tshark", "-r", str(path), *extra, "-T", "fields"]
    for f in fields:
        args += ["-e", f]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [line.split("\t") for line in r.stdout.splitlines()]


def capinfos(*args):
    r = subprocess.run(["capinfos", *map(str, args)], capture_output=True,
                       text=True, timeout=120)
    return r


# ---- pcapng --------------------------------------------------------------

THREE_IFACES = [
    ["iface", "linktype=1", "name=eth0", "description=uplink one"],
    ["iface", "linktype=1", "name=eth1", "description=uplink two"],
    ["pkt", "iface=0", "ts=1700000000.123456789", "size=60",
     "comment=first packet", "flags=1"],
    ["pkt", "iface=1", "ts=1700000000.200000001", "size=61", "len=1514",
     "flags=2"],
    # An interface declared after packets were written.
    ["iface", "linktype=113", "name=any", "description=late arrival"],
    ["pkt", "iface=2", "ts=1700000001.999999999", "size=44",
     "comment=on the late interface"],
    ["pkt", "iface=0", "ts=1700000002.000000000", "size=0", "len=0"],
]


def test_pcapng_packets_read_back(tmp_path):
    f = tmp_path / "three.pcapng"
    r = write(f, THREE_IFACES)
    assert r.stdout.split() == ["0", "1", "2"]
    rows = tshark_fields(f, "frame.interface_name",
                         "frame.interface_description", "frame.time_epoch",
                         "frame.comment", "frame.packet_flags_direction",
                         "frame.cap_len", "frame.len")
    assert rows == [
        ["eth0", "uplink one", "1700000000.123456789", "first packet",
         "0x00000001", "60", "60"],
        ["eth1", "uplink two", "1700000000.200000001", "", "0x00000002",
         "61", "1514"],
        ["any", "late arrival", "1700000001.999999999",
         "on the late interface", "", "44", "44"],
        ["eth0", "uplink one", "1700000002.000000000", "", "", "0", "0"],
    ]


def test_pcapng_block_structure(tmp_path):
    """tshark's own pcapng dissector finds every block well formed."""
    f = tmp_path / "three.pcapng"
    write(f, THREE_IFACES + [["stats", "iface=1", "recv=3"]])
    r = subprocess.run(["tshark", "-r", str(f), *FILE_FORMAT, "-V"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    blocks = re.findall(r"^    Block: (.*)$", r.stdout, re.M)
    assert blocks == ["Section Header Block 1", "Interface Description Block 0",
                      "Interface Description Block 1",
                      "Enhanced Packet Block 1", "Enhanced Packet Block 2",
                      "Interface Description Block 2",
                      "Enhanced Packet Block 3", "Enhanced Packet Block 4",
                      "Interface Statistics Block"]
    assert "Expert Info" not in r.stdout
    assert "Malformed" not in r.stdout


def test_section_header(tmp_path):
    f = tmp_path / "shb.pcapng"
    write(f, THREE_IFACES, "-c", "capture of the test bench", "-a", "bench 1.0")
    out = capinfos(f).stdout
    assert "Capture comment:     capture of the test bench" in out
    assert "Capture application: bench 1.0" in out
    assert re.search(r"Capture oper-sys:    \S+ \S+", out)
    assert "Number of interfaces in file: 3" in out

    # Without -a, the application names trawl and its version.
    write(f, THREE_IFACES)
    out = capinfos(f).stdout
    assert re.search(r"Capture application: trawl \d+\.\d+\.\d+", out)
    assert "Capture comment" not in out


def test_interface_options(tmp_path):
    f = tmp_path / "idb.pcapng"
    write(f, [["iface", "linktype=1", "snaplen=1600", "name=eth0",
               "description=with everything", "filter=tcp port 80",
               "os=Linux 6.1", "fcslen=4"],
              ["pkt", "size=64"]])
    out = capinfos(f).stdout
    block = out[out.index("Interface #0 info:"):]
    for want in ["Name = eth0", "Description = with everything",
                 "Encapsulation = Ethernet (1 - ether)",
                 "Capture length = 1600", "FCS length = 4",
                 "Time precision = nanoseconds (9)",
                 "Filter string = tcp port 80", "Operating system = Linux 6.1"]:
        assert want in block, (want, block)


def isb_start_times(path):
    """isb_starttime/isb_endtime of every ISB, from the file's bytes (tshark
    4.0 shows these two options without their values)."""
    data = path.read_bytes()
    off, found = 0, []
    while off < len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if btype == 5:
            times = {}
            o = off + 20
            while o < off + blen - 4:
                code, olen = struct.unpack_from("<HH", data, o)
                if code == 0:
                    break
                if code in (2, 3):
                    hi, lo = struct.unpack_from("<II", data, o + 4)
                    times[code] = hi << 32 | lo
                o += 4 + (olen + 3) // 4 * 4
            found.append(times)
        off += blen
    return found


def test_interface_statistics(tmp_path):
    f = tmp_path / "isb.pcapng"
    write(f, [["iface", "name=a"], ["iface", "name=b"], ["iface", "name=c"],
              ["pkt", "iface=1", "size=10"],
              ["stats", "iface=0", "recv=1000", "drop=12", "accept=900",
               "osdrop=7", "deliv=888", "start=1700000000.5",
               "end=1700000060.25"],
              ["stats", "iface=2", "recv=5"]])
    out = capinfos(f).stdout
    assert re.findall(r"Number of stat entries = (\d+)", out) == ["1", "0",
                                                                  "1"]
    # tshark's pcapng dissector shows the whole file as one frame, so the
    # ISBs are picked out of its detailed text.
    r = subprocess.run(["tshark", "-r", str(f), *FILE_FORMAT, "-V"],
                       capture_output=True, text=True, timeout=60)
    isbs = [b for b in r.stdout.split("\n    Block: ")
            if b.startswith("Interface Statistics Block")]
    labels = ["Interface", "Timestamp (High)", "Timestamp (Low)",
              "Number of Received Packets", "Number of Dropped Packets",
              "Number of Accepted by Filter Packets",
              "Number of Dropped Packets by OS",
              "Number of Delivered to the User Packets"]
    rows = [[re.search(rf"^\s+{re.escape(l)}: (\d+)$", b, re.M).group(1)
             for l in labels] for b in isbs]
    end = 1700000060 * 10**9 + 250000000
    assert rows[0] == ["0", str(end >> 32), str(end & 0xffffffff), "1000",
                       "12", "900", "7", "888"]
    assert rows[1][0] == "2" and rows[1][3:] == ["5", "0", "0", "0", "0"]
    assert len(rows) == 2
    assert isb_start_times(f) == [{2: 1700000000 * 10**9 + 500000000,
                                   3: end}, {}]


def test_many_packets(tmp_path):
    """Several buffers' worth of packets, every tenth with a comment and
    flags, all read back in order."""
    f = tmp_path / "many.pcapng"
    subprocess.run([str(WRITE_TEST), "gen", "-n", "30000", "-s", "100", "-m",
                    str(f)], check=True, timeout=60)
    rows = tshark_fields(f, "frame.time_epoch", "frame.comment",
                         "frame.packet_flags_direction")
    assert len(rows) == 30000
    for i in (0, 1, 9, 10, 12345, 29999):
        sec, usec = divmod(i, 1000000)
        assert rows[i][0] == f"{1700000000 + sec}.{usec:06d}000"
        want = ["every tenth packet", "0x00000001"] if i % 10 == 0 else ["", ""]
        assert rows[i][1:] == want
    assert sum(1 for r in rows if r[1]) == 3000
    out = capinfos("-M", "-c", "-o", f).stdout
    assert "Number of packets:   30000" in out
    assert "Strict time order:   True" in out


# ---- pcap -----------------------------------------------------------------

PCAP_SCRIPT = [
    ["iface", "linktype=1", "snaplen=65535"],
    ["pkt", "ts=1700000000.123456789", "size=60", "comment=dropped"],
    ["pkt", "ts=1700000000.999999999", "size=70", "len=1500"],
    ["pkt", "ts=4294967295.000001000", "size=1"],
]


@pytest.mark.parametrize("fmt,precision,times", [
    ("pcap", "microseconds (6)",
     ["1700000000.123456000", "1700000000.999999000", "4294967295.000001000"]),
    ("pcap-ns", "nanoseconds (9)",
     ["1700000000.123456789", "1700000000.999999999", "4294967295.000001000"]),
])
def test_pcap_timestamps(tmp_path, fmt, precision, times):
    f = tmp_path / f"t.{fmt}"
    write(f, PCAP_SCRIPT, "-f", fmt)
    out = capinfos("-t", "-l", f).stdout
    kind = "pcap" if fmt == "pcap" else "nanosecond pcap"
    assert f"File type:           Wireshark/tcpdump/... - {kind}\n" in out
    assert f"File timestamp precision:  {precision}" in capinfos(f).stdout
    assert "Packet size limit:   file hdr: 65535 bytes" in out
    rows = tshark_fields(f, "frame.time_epoch", "frame.cap_len", "frame.len",
                         "frame.comment")
    assert rows == [[times[0], "60", "60", ""], [times[1], "70", "1500", ""],
                    [times[2], "1", "1", ""]]


def test_pcap_refuses_second_link_type(tmp_path):
    f = tmp_path / "out.pcap"
    r = write(f, [["iface", "linktype=1"], ["iface", "linktype=113"]],
              "-f", "pcap", ok=False)
    assert r.returncode == 1
    assert r.stderr == (f"error: {f}: pcap holds one link type; interface 1 "
                        "is LINKTYPE 113 but the file is 1: write pcapng "
                        "instead\n")


def test_trawl_read_refuses_mixed_link_types_to_pcap(trawl_bin, tmp_path):
    """Two files of different link types convert to pcapng, not to pcap."""
    a, b = tmp_path / "a.pcap", tmp_path / "b.pcap"
    for f, linktype in ((a, "1"), (b, "101")):
        write(f, [["iface", f"linktype={linktype}"], ["pkt", "size=40"]],
              "-f", "pcap")
    r = subprocess.run([trawl_bin, "read", str(a), str(b), "-w",
                        str(tmp_path / "out.pcap")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 1
    assert (f"{tmp_path / 'out.pcap'}: pcap holds one link type; interface 1 "
            "is LINKTYPE 101 but the file is 1: write pcapng instead") \
        in r.stderr
    out = tmp_path / "out.pcapng"
    r = subprocess.run([trawl_bin, "read", str(a), str(b), "-w", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert tshark_fields(out, "frame.interface_id", "frame.encap_type") == \
        [["0", "1"], ["1", "7"]]


def test_pcap_time_out_of_range(tmp_path):
    f = tmp_path / "late.pcap"
    r = write(f, [["iface"], ["pkt", "ts=4294967296.0", "size=1"]],
              "-f", "pcap", ok=False)
    assert r.returncode == 1
    assert f"{f}: packet 1: time stamp 4294967296 s is outside what pcap " \
        "can hold" in r.stderr


# ---- where the bytes go -----------------------------------------------------

def test_write_to_stdout(tmp_path):
    gen = subprocess.Popen([str(WRITE_TEST), "gen", "-n", "5000", "-s", "80",
                            "-"], stdout=subprocess.PIPE)
    r = subprocess.run(["tshark", "-r", "-", "-T", "fields", "-e",
                        "frame.len"], stdin=gen.stdout, capture_output=True,
                       text=True, timeout=60)
    gen.stdout.close()
    assert gen.wait(timeout=60) == 0
    assert r.stdout.split() == ["80"] * 5000


def test_full_disk_is_reported():
    r = subprocess.run([str(WRITE_TEST), "gen", "-f", "pcap", "/dev/full"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr == ("error: /dev/full: write failed at byte offset 0: "
                        "No space left on device\n")


def test_largest_packet(tmp_path):
    f = tmp_path / "big.pcapng"
    write(f, [["iface"], ["pkt", "size=262144", "comment=" + "x" * 60000],
              ["pkt", "size=262145"]], ok=False)
    # The second packet is refused; the first is whole.
    r = capinfos("-M", "-c", "-z", f)
    assert r.returncode == 0, r.stderr
    assert "Number of packets:   1" in r.stdout
    assert "Average packet size: 262144.00 bytes" in r.stdout


# ---- crash safety -----------------------------------------------------------

def records_in(path):
    """(packets, last time, warnings) as trawl's reader sees the file."""
    r = subprocess.run([str(TRACE_DUMP), str(path)], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    warnings = [w for w in r.stderr.splitlines() if w]
    return len(lines), (lines[-1].split("\t")[0] if lines else None), warnings


def on_tmpfs(path):
    r = subprocess.run(["stat", "-f", "-c", "%T", str(path)],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip() == "tmpfs"


def wait_until_final(path):
    """Waits for the writer's lock on the file to go: a killed writer's
    guard holds it until it has cut the file back to whole records."""
    with open(path, "rb") as f:
        fcntl.flock(f, fcntl.LOCK_SH)


def check_killed_file(f, run, with_tshark):
    """A file left by a killed write-test: whole records only, for trawl,
    capinfos and (with_tshark, which takes a second to start) tshark
    alike, and none missing. Returns the packets."""
    n, last, warnings = records_in(f)
    assert not warnings, (run, warnings)
    cap = capinfos("-M", "-c", "-e", "-S", f)
    assert cap.returncode == 0 and "cut short" not in cap.stderr, \
        (run, cap.stderr)
    m = re.search(r"Number of packets:\s+(\d+)", cap.stdout)
    assert m and int(m.group(1)) == n, (run, cap.stdout, cap.stderr)
    if not with_tshark:
        return n
    ts = subprocess.run(["tshark", "-r", str(f), "-T", "fields", "-e",
                         "frame.time_epoch"], capture_output=True, text=True,
                        timeout=120)
    assert ts.returncode == 0 and "cut short" not in ts.stderr, \
        (run, ts.stderr)
    times = ts.stdout.split()
    assert len(times) == n, (run, len(times), n)
    if n:
        # The last record is packet n - 1: none is missing before it.
        sec, usec = divmod(n - 1, 1000000)
        assert last == f"{1700000000 + sec}.{usec:06d}000"
        assert times[-1] == last
    return n


@pytest.mark.parametrize("where", ["disk", "disk-async", "tmpfs"])
def test_killed_writer_leaves_whole_records(tmp_path, where):
    """SIGKILL at random moments while write-test writes as fast as it can,
    flushing every millisecond: every record in the file is whole and none
    is missing, for trawl, capinfos and tshark.

    pcapng to a regular file (not on tmpfs) goes out with O_DIRECT in whole
    pages ending in a padding block, whole at every instant. pcap goes out
    in O_DIRECT pages too, each write followed by a truncation to the end
    of its records; a kill between the two leaves the page's filler, which
    the file's guard (a process that outlives the writer) cuts off. On
    tmpfs both formats are written plainly, and the guard cuts a torn
    record off. The test waits for the file's lock, which the guard holds
    until it is done. disk-async writes through the writer's thread (-A),
    which the kill stops as it stops the rest of the process."""
    mode = ["-A", "4"] if where == "disk-async" else []
    if where == "tmpfs":
        if not os.path.isdir("/dev/shm"):
            pytest.skip("no /dev/shm")
        d = pathlib.Path(tempfile.mkdtemp(prefix="trawl-kill-",
                                          dir="/dev/shm"))
    else:
        d = tmp_path
        if on_tmpfs(d):
            pytest.skip("the test directory is on tmpfs")
    rnd = random.Random(20231114)
    fixed = {"pcap": 0, "pcapng": 0}
    runs = 24
    try:
        for run in range(runs):
            fmt = "pcapng" if run % 2 == 0 else "pcap"
            f = d / f"killed.{fmt}"
            # Paced so that tshark reads the file back quickly: still about
            # a thousand writes a second, each one a moment to be killed in.
            gen = subprocess.Popen([str(WRITE_TEST), "gen", "-f", fmt, "-n",
                                    "0", "-B", str(256 << 20), "-i", "1",
                                    "-r", "400000", "-s", "203", "-m",
                                    *mode, str(f)])
            time.sleep(rnd.uniform(0.02, 0.12))
            gen.send_signal(signal.SIGKILL)
            assert gen.wait(timeout=30) == -signal.SIGKILL
            # Killed before the file or its first header was written:
            # nothing to read (a pcap header waits for the first
            # interface).
            if not f.exists():
                continue
            size = f.stat().st_size
            wait_until_final(f)
            cut = f.stat().st_size != size
            fixed[fmt] += cut
            if f.stat().st_size:
                check_killed_file(f, run, with_tshark=cut or run % 4 < 2)
            f.unlink()
    finally:
        if where == "tmpfs":
            shutil.rmtree(d, ignore_errors=True)
    print(f"\nkill -9 ({where}): the guard cut {fixed['pcapng']} of "
          f"{runs // 2} pcapng and {fixed['pcap']} of {runs // 2} pcap files "
          "back to whole records; none was torn")


@pytest.mark.parametrize("fmt", ["pcapng", "pcap"])
def test_follow_a_live_writer(trawl_bin, tmp_path, fmt):
    """trawl read --follow on a file a writer is still writing sees every
    packet once, in order: pcapng in O_DIRECT pages ending in a padding
    block, pcap in pages whose filler is cut off after each write (the
    reader reads a partial record again rather than trust its bytes)."""
    f = tmp_path / f"live.{fmt}"
    gen = subprocess.Popen([str(WRITE_TEST), "gen", "-f", fmt, "-n", "0", "-B",
                            str(64 << 20), "-r", "100000", "-i", "1", "-s",
                            "120", "-m", str(f)])
    try:
        # The reader needs the file to exist; its header it waits for.
        deadline = time.time() + 20
        while not f.exists() and time.time() < deadline:
            time.sleep(0.01)
        r = subprocess.run([trawl_bin, "read", "--follow", "-c", "3000", "-T",
                            "fields", "-e", "frame.comment", "-e",
                            "frame.time_epoch", str(f)], capture_output=True,
                           text=True, timeout=60)
    finally:
        gen.kill()
        gen.wait(timeout=10)
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert len(rows) == 3000
    for i, (comment, t) in enumerate(rows):
        # pcap has no comments.
        want = "every tenth packet" if i % 10 == 0 and fmt == "pcapng" else ""
        assert comment == want
        assert t == f"1700000000.{i:06d}000"


# ---- converting real captures ---------------------------------------------

def convert_and_compare(args):
    """trawl read ORIG -w OUT -F FMT; what tshark reads from OUT must be what
    trawl's reader read from ORIG (times at the format's precision)."""
    trawl_bin, orig, out, fmt = args
    w = subprocess.run([trawl_bin, "read", str(orig), "-w", str(out), "-F",
                        fmt], capture_output=True, text=True, timeout=120)
    if w.returncode != 0:
        # pcap holds one link type; a pcapng file of several is refused.
        if fmt != "pcapng" and "write pcapng instead" in w.stderr:
            return None
        return f"{orig.name} -> {fmt}: trawl read -w failed: {w.stderr[-300:]}"
    d = subprocess.run([str(TRACE_DUMP), str(orig)], capture_output=True,
                       text=True, timeout=120)
    want = []
    for line in d.stdout.splitlines():
        ts, cap, wire = line.split("\t")
        if fmt == "pcap":
            ts = ts[:-3] + "000"
        want.append([ts, cap, wire])
    t = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "frame.time_epoch", "-e", "frame.cap_len", "-e",
                        "frame.len"], capture_output=True, text=True,
                       timeout=120)
    if "unknown or unsupported" in t.stderr:
        return None  # a link type tshark does not know
    if t.returncode != 0:
        return f"{orig.name} -> {fmt}: tshark: {t.stderr[-300:]}"
    got = [line.split("\t") for line in t.stdout.splitlines()]
    if got != want:
        i = next((k for k in range(min(len(got), len(want)))
                  if got[k] != want[k]), min(len(got), len(want)))
        return (f"{orig.name} -> {fmt}: {len(got)} packets vs {len(want)}; "
                f"first difference at packet {i + 1}: "
                f"{got[i] if i < len(got) else '-'} vs "
                f"{want[i] if i < len(want) else '-'}")
    return None


def test_convert_corpus_sample(trawl_bin, corpus_dir, tmp_path):
    """Every 16th capture of the shared corpus converted to pcapng, and
    every 32nd to pcap and nanosecond pcap, reads back in tshark packet for
    packet."""
    from test_corpus import DIVERGES
    paths = [p for p in sorted(corpus_dir.iterdir()) if p.name not in DIVERGES]
    jobs = []
    for i, p in enumerate(paths):
        fmts = ["pcapng"] if i % 16 == 0 else []
        fmts += ["pcap", "pcap-ns"] if i % 32 == 8 else []
        jobs += [(trawl_bin, p, tmp_path / f"{i}.{fmt}", fmt) for fmt in fmts]
    assert len(jobs) > 80
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        problems = [p for p in ex.map(convert_and_compare, jobs) if p]
    assert not problems, "\n".join(problems)
