"""Network namespaces, veth pairs, test frames and a running `trawl capture`
for the live-capture tests.

Every test gets its own pair of namespaces, named tc<pid><n>a (where trawl
captures) and tc<pid><n>b (where frames come from), joined by one or more
veth pairs tc<pid><n>a<i> / tc<pid><n>b<i> (TRAWL_NETNS_PREFIX, two
characters, replaces tc, for runs that must keep to names of their own); deleting the namespaces deletes
the veths, and the fixture does that even when the test fails. IPv6 is off
and checksum offload disabled, so that the only frames on the wire are the
ones a test sends. Frames go out through an AF_PACKET socket in a child
`ip netns exec` Python, read as hex lines from its standard input.
"""
import contextlib
import itertools
import os
import select
import signal
import struct
import subprocess
import time
import zlib

import pytest

PYTHON = "/usr/bin/python3"
_serial = itertools.count()

SENDER = r"""
import socket, sys, time
iface, gap = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
for n, line in enumerate(sys.stdin):
    if n and gap:
        time.sleep(gap)
    s.send(bytes.fromhex(line.strip()))
"""


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


class Net:
    """Two namespaces joined by `pairs` veth pairs. `prefix` starts every
    name (the capture tests' is tc, trawl gen's tests and bench/capture
    use tg), so helpers running tests at the same time never collide."""

    def __init__(self, pairs=1, prefix=None):
        prefix = prefix or os.environ.get("TRAWL_NETNS_PREFIX", "tc")
        uid = f"{os.getpid() % 100000}{next(_serial)}"
        self.a, self.b = f"{prefix}{uid}a", f"{prefix}{uid}b"
        self.pairs = pairs
        self.a_if = [f"{prefix}{uid}a{i}" for i in range(pairs)]
        self.b_if = [f"{prefix}{uid}b{i}" for i in range(pairs)]
        assert all(len(n) <= 15 for n in self.a_if + self.b_if), self.a_if
        self.mac = {}

    def up(self):
        sh("ip", "netns", "add", self.a)
        sh("ip", "netns", "add", self.b)
        for ns in (self.a, self.b):
            self.run(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
            self.run(ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
            self.run(ns, "ip", "link", "set", "lo", "up")
        for i, (x, y) in enumerate(zip(self.a_if, self.b_if)):
            sh("ip", "link", "add", x, "type", "veth", "peer", "name", y)
            sh("ip", "link", "set", x, "netns", self.a)
            sh("ip", "link", "set", y, "netns", self.b)
            for ns, dev, host in ((self.a, x, 1), (self.b, y, 2)):
                self.run(ns, "ip", "addr", "add", f"10.77.{i}.{host}/24", "dev", dev)
                self.run(ns, "ethtool", "-K", dev, "tx", "off", check=False)
                self.run(ns, "ip", "link", "set", dev, "up")
        for ns, devs in ((self.a, self.a_if), (self.b, self.b_if)):
            for dev in devs:
                out = self.run(ns, "cat", f"/sys/class/net/{dev}/address").stdout
                self.mac[dev] = bytes.fromhex(out.strip().replace(":", ""))
        self.wait_carrier()

    def wait_carrier(self):
        deadline = time.time() + 5
        for ns, devs in ((self.a, self.a_if), (self.b, self.b_if)):
            for dev in devs:
                while time.time() < deadline:
                    st = self.run(ns, "cat", f"/sys/class/net/{dev}/operstate").stdout
                    if st.strip() == "up":
                        break
                    time.sleep(0.05)

    def mac_text(self, dev):
        return ":".join(f"{b:02x}" for b in self.mac[dev])

    def down(self):
        for ns in (self.a, self.b):
            sh("ip", "netns", "del", ns, check=False)

    def run(self, ns, *args, check=True, **kw):
        return subprocess.run(["ip", "netns", "exec", ns, *args], check=check,
                              capture_output=True, text=True, **kw)

    def send(self, ns, dev, frames, gap=0.0):
        """Sends frames (bytes) out of dev in namespace ns, `gap` seconds
        apart; returns once all are sent."""
        data = "".join(f.hex() + "\n" for f in frames)
        r = subprocess.run(["ip", "netns", "exec", ns, PYTHON, "-c", SENDER, dev,
                            str(gap)], input=data, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stderr

    def send_in(self, frames, i=0, gap=0.0):
        """Frames arriving on the capture side's interface i."""
        self.send(self.b, self.b_if[i], frames, gap)

    def send_out(self, frames, i=0, gap=0.0):
        """Frames leaving through the capture side's interface i."""
        self.send(self.a, self.a_if[i], frames, gap)


# ---- fixtures (import them into a test module to use them) ----------------

needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason="live capture tests need root")


@contextlib.contextmanager
def network(pairs=1):
    """A Net up for the time of a with block, removed afterwards whatever
    happened in it."""
    n = Net(pairs=pairs)
    try:
        n.up()
        yield n
    finally:
        n.down()


@pytest.fixture
def net():
    """One veth pair between two fresh namespaces, removed afterwards."""
    with network() as n:
        yield n


@pytest.fixture
def net2():
    """The same with two veth pairs."""
    with network(pairs=2) as n:
        yield n


# ---- frames ---------------------------------------------------------------

DST_MAC = bytes.fromhex("020000000099")  # nobody's: the kernel drops them
SRC_MAC = bytes.fromhex("020000000001")


def ipv4_checksum(h):
    s = sum(struct.unpack("!10H", h))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_frame(payload, sport=1000, dport=2000, src="10.77.0.2", dst="10.77.0.99",
              dst_mac=DST_MAC, src_mac=SRC_MAC):
    """Ethernet + IPv4 + UDP (no checksum) around payload."""
    def ip4(a):
        return bytes(int(x) for x in a.split("."))
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     ip4(src), ip4(dst))
    ip = ip[:10] + struct.pack("!H", ipv4_checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


TPLD_MAGIC = bytes.fromhex("7a5dc3")
L4_PAYLOAD = 42  # Ethernet 14 + IPv4 20 + UDP 8


def tpld_stamp(frame, stream, seq, tx_ns=None, fill_off=L4_PAYLOAD):
    """The frame with its last 18 bytes made a test payload, as
    trawl_tpld_stamp() writes it (docs/test-payload.md)."""
    if tx_ns is None:
        tx_ns = time.time_ns()
    f = bytearray(frame)
    p = len(f) - 18
    f[p:p + 14] = TPLD_MAGIC + bytes([fill_off]) + struct.pack(
        "!HII", stream, seq, tx_ns & 0xFFFFFFFF)
    f[p + 14:p + 18] = struct.pack("!I", zlib.crc32(bytes(f[fill_off:p + 14])))
    return bytes(f)


def tpld_parse(frame):
    """The reverse of tpld_stamp(), from docs/test-payload.md: None when
    the frame carries no test payload, else (ok, stream, seq, tx_ns,
    fill_off)."""
    if len(frame) < 18:
        return None
    p = frame[-18:]
    fill = p[3]
    if p[:3] != TPLD_MAGIC or fill > len(frame) - 18:
        return None
    stream, seq, tx_ns, check = struct.unpack("!HIII", p[4:18])
    # The check covers the frame from the fill offset up to and including
    # the transmit time.
    ok = zlib.crc32(frame[fill:len(frame) - 4]) == check
    return ok, stream, seq, tx_ns, fill


def read_pcap(path):
    """[(ts_ns, frame bytes)] of a classic pcap file of either byte order
    and time stamp resolution."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    order, nano = {0xa1b2c3d4: ("<", False), 0xa1b23c4d: ("<", True),
                   0xd4c3b2a1: (">", False), 0x4d3cb2a1: (">", True)}[magic]
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(order + "IIII", data[off:off + 16])
        off += 16
        out.append((sec * 10**9 + (frac if nano else frac * 1000),
                    data[off:off + caplen]))
        off += caplen
    return out


def tpld_frame(stream, seq, size=64, tx_ns=None, **kw):
    """A UDP frame of `size` bytes (no FCS) ending in a test payload."""
    body = bytes((i * 7 + 3) & 0xFF for i in range(size - L4_PAYLOAD))
    return tpld_stamp(udp_frame(body, **kw), stream, seq, tx_ns)


def with_fcs(frame, good=True):
    """The frame followed by its Ethernet FCS (or a wrong one)."""
    fcs = zlib.crc32(frame)
    if not good:
        fcs ^= 0xDEADBEEF
    return frame + struct.pack("<I", fcs)


def seq_frame(n, size=80, **kw):
    """A UDP frame whose payload starts with sequence number n."""
    return udp_frame(struct.pack("!I", n) + bytes(size - L4_PAYLOAD - 4), **kw)


# ---- a running capture -----------------------------------------------------

class Capture:
    """`trawl capture` running in a namespace; start() returns once it has
    said it is listening."""

    def __init__(self, net, trawl_bin, args, ns=None):
        self.cmd = ["ip", "netns", "exec", ns or net.a, trawl_bin, "capture", *args]
        self.p = None
        self.err = ""

    def start(self, timeout=10):
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        deadline = time.time() + timeout
        os.set_blocking(self.p.stderr.fileno(), False)
        want = self.cmd.count("-i") or 1
        while self.err.count("listening on") < want:
            if self.p.poll() is not None or time.time() > deadline:
                rest = self.p.stderr.read() or b""
                raise AssertionError(f"capture did not start: {self.err}{rest.decode()}")
            select.select([self.p.stderr], [], [], 0.1)
            chunk = self.p.stderr.read()
            if chunk:
                self.err += chunk.decode()
        return self

    def stop(self, sig=signal.SIGINT):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        return self.wait()

    def wait(self, timeout=30):
        try:
            out, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
            raise AssertionError("capture did not stop: " + self.err + err.decode())
        self.err += err.decode()
        self.out = out
        return self

    def kill(self):
        if self.p and self.p.poll() is None:
            self.p.kill()
            self.p.communicate()

    def counters(self, iface=None):
        """The final counters: {'received': n, 'captured': n, ...}."""
        import re
        prefix = f"trawl:   {iface}: " if iface else "trawl: "
        for line in self.err.splitlines():
            if line.startswith(prefix) and "received," in line:
                return {k: int(v) for v, k in
                        re.findall(r"(\d+) ([a-z-]+)", line[len(prefix):])}
        raise AssertionError("no counters in: " + self.err)

    def streams(self):
        import re
        res = {}
        for line in self.err.splitlines():
            m = re.match(r"trawl: stream (\d+): (.*)", line)
            if m:
                d = {k: int(v) for v, k in re.findall(r"(\d+) ([a-z-]+)", m.group(2))}
                lat = re.search(r"latency (\S+)/(\S+)/(\S+) us", m.group(2))
                d["latency"] = tuple(None if x == "-" else float(x) for x in lat.groups())
                res[int(m.group(1))] = d
        return res

    def stop_reason(self):
        import re
        m = re.search(r"capture stopped \((\w+)\)", self.err)
        return m.group(1) if m else None
