"""A veth pair between two network namespaces that a test (or a benchmark)
creates for itself and always removes, so live traffic reaches only
interfaces nobody else uses.

    with VethPair("tg") as v:
        v.run_a(["trawl", "gen", "-i", v.a, "-c", "10"])   # sender side
        v.popen_b(["tcpdump", "-i", v.b, ...])             # receiver side

Names carry the caller's prefix, the process id and a counter, so helpers
running the same tests on one machine at the same time never collide; an
interface name stays within Linux's 15 characters. IPv6 is disabled in
both namespaces before the interfaces come up, so the kernel sends
nothing of its own (no neighbour or router solicitations, no MLD) and a
capture sees only the traffic under test. Also: small readers for what
tcpdump writes (classic pcap) and the test payload
(docs/test-payload.md, re-implemented here so that the document is
checked too)."""
import itertools
import os
import struct
import subprocess
import time
import zlib

_counter = itertools.count()


def sh(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)


class VethPair:
    """Namespaces NS_A and NS_B joined by veth interfaces a (in NS_A) and b
    (in NS_B), both up, without addresses."""

    def __init__(self, prefix, mtu=None):
        tag = f"{prefix}{os.getpid() % 100000}x{next(_counter)}"
        self.ns_a, self.ns_b = tag + "a", tag + "b"
        self.a, self.b = tag + "a0", tag + "b0"
        assert len(self.a) <= 15, self.a
        self.mtu = mtu

    def __enter__(self):
        try:
            for ns in (self.ns_a, self.ns_b):
                sh(["ip", "netns", "add", ns])
                for k in ("all", "default"):
                    sh(["ip", "netns", "exec", ns, "sysctl", "-qw",
                        f"net.ipv6.conf.{k}.disable_ipv6=1"])
            sh(["ip", "link", "add", self.a, "netns", self.ns_a, "type", "veth",
                "peer", "name", self.b, "netns", self.ns_b])
            for ns, dev in ((self.ns_a, self.a), (self.ns_b, self.b)):
                if self.mtu:
                    sh(["ip", "-n", ns, "link", "set", dev, "mtu", str(self.mtu)])
                sh(["ip", "-n", ns, "link", "set", dev, "up"])
            self._wait_carrier()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _wait_carrier(self, timeout=3.0):
        """A veth end reports NO-CARRIER for a moment after both ends come
        up; frames sent before then are dropped."""
        deadline = time.monotonic() + timeout
        for ns, dev in ((self.ns_a, self.a), (self.ns_b, self.b)):
            while True:
                state = sh(["ip", "netns", "exec", ns, "cat",
                            f"/sys/class/net/{dev}/operstate"]).stdout.strip()
                if state == "up":
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{dev}: no carrier after {timeout} s")
                time.sleep(0.02)

    def close(self):
        for ns in (self.ns_a, self.ns_b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def cmd_a(self, argv):
        return ["ip", "netns", "exec", self.ns_a] + list(argv)

    def cmd_b(self, argv):
        return ["ip", "netns", "exec", self.ns_b] + list(argv)

    def mac(self, side):
        ns, dev = (self.ns_a, self.a) if side == "a" else (self.ns_b, self.b)
        out = sh(["ip", "-n", ns, "-o", "link", "show", dev]).stdout
        return out.split("link/ether", 1)[1].split()[0]

    def link_stats(self, side):
        """The interface's counters (`ip -s -j link`): rx/tx packets,
        bytes, dropped."""
        import json
        ns, dev = (self.ns_a, self.a) if side == "a" else (self.ns_b, self.b)
        out = sh(["ip", "-n", ns, "-s", "-j", "link", "show", dev]).stdout
        return json.loads(out)[0]["stats64"]


class Tcpdump:
    """tcpdump writing every frame on the b side to a pcap file with
    nanosecond time stamps; started, it waits until tcpdump listens.
    stop() ends it (SIGINT) and returns its stderr."""

    def __init__(self, pair, path, bpf=None, timeout=20.0, extra=()):
        # Immediate mode: without it the kernel hands a block of packets
        # up only when it is full or a second has passed. Its blocks then
        # leave the kernel nearly empty, so the ring is made large enough
        # (64 MiB) to ride out tcpdump being scheduled late.
        argv = ["tcpdump", "-i", pair.b, "-w", str(path), "-n", "-U",
                "--immediate-mode", "-B", "65536", "--time-stamp-precision",
                "nano", *extra]
        if bpf:
            argv.append(bpf)
        self.p = subprocess.Popen(pair.cmd_b(argv), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        self.deadline = time.monotonic() + timeout
        line = self.p.stderr.readline()
        if "listening on" not in line:
            self.p.kill()
            raise RuntimeError(f"tcpdump did not start: {line}{self.p.stderr.read()}")

    def stop(self, settle=0.3):
        time.sleep(settle)
        self.p.send_signal(2)
        try:
            _, err = self.p.communicate(timeout=max(1.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.p.kill()
            _, err = self.p.communicate()
        return err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def read_pcap(path):
    """[(ts_ns, frame bytes)] of a classic pcap file (either resolution)."""
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


TPLD_MAGIC = b"\x7a\x5d\xc3"
TPLD_LEN = 18


def tpld_parse(frame):
    """docs/test-payload.md: None when the frame carries no test payload,
    else (ok, stream, seq, tx_ns, fill_off)."""
    if len(frame) < TPLD_LEN:
        return None
    p = frame[-TPLD_LEN:]
    fill = p[3]
    if p[:3] != TPLD_MAGIC or fill > len(frame) - TPLD_LEN:
        return None
    stream, seq, tx_ns, check = struct.unpack(">HIII", p[4:18])
    # The check covers the frame from the fill offset up to and including
    # the transmit time.
    ok = zlib.crc32(frame[fill:len(frame) - 4]) == check
    return ok, stream, seq, tx_ns, fill
