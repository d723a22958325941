"""trawl serve on live interfaces: downloads of traffic sent through a veth
pair, the daemon's own HTTP traffic left out, and Xena's port capturer
over HTTP (triggers, keep rules, numbered filters, state, statistics,
packets by index, 409 for changes while it runs).

The daemon runs in the test's own network namespace, so that the test
reaches it on 127.0.0.1; it captures on one end of a veth pair,
tv<pid><n>a0, whose other end, tv<pid><n>b0, sits in a namespace the test
creates and sends raw frames from (to a MAC address nobody has, so the
kernel drops them after the capture saw them). The root-namespace end has
no address and IPv6 off, so the frames the test sends are all it sees."""
import itertools
import os
import subprocess
import threading
import time

import pytest

from conftest import need
from netns import PYTHON, SENDER, seq_frame
from serve_util import (TRAWL, Daemon, Stream, q, tshark_count,
                        wait_finished, wait_for)

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="live capture tests need root")

_serial = itertools.count()


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


class Veth:
    """tv<uid>a0 here, tv<uid>b0 in namespace tv<uid>b."""

    def __init__(self):
        uid = f"{os.getpid() % 100000}{next(_serial)}"
        self.ns = f"tv{uid}b"
        self.a, self.b = f"tv{uid}a0", f"tv{uid}b0"

    def up(self):
        sh("ip", "netns", "add", self.ns)
        sh("ip", "link", "add", self.a, "type", "veth", "peer", "name", self.b)
        sh("ip", "link", "set", self.b, "netns", self.ns)
        sh("sysctl", "-qw", f"net.ipv6.conf.{self.a}.disable_ipv6=1")
        sh("ethtool", "-K", self.a, "tx", "off", check=False)
        sh("ip", "link", "set", self.a, "up")
        for cmd in (["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
                    ["ip", "link", "set", "lo", "up"],
                    ["ethtool", "-K", self.b, "tx", "off"],
                    ["ip", "link", "set", self.b, "up"]):
            sh("ip", "netns", "exec", self.ns, *cmd, check=False)
        deadline = time.time() + 5
        while time.time() < deadline:
            st = open(f"/sys/class/net/{self.a}/operstate").read().strip()
            if st == "up":
                break
            time.sleep(0.05)

    def down(self):
        sh("ip", "link", "del", self.a, check=False)
        sh("ip", "netns", "del", self.ns, check=False)

    def send(self, frames, gap=0.0):
        data = "".join(f.hex() + "\n" for f in frames)
        r = subprocess.run(["ip", "netns", "exec", self.ns, PYTHON, "-c",
                            SENDER, self.b, str(gap)], input=data,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr


@pytest.fixture
def veth():
    v = Veth()
    try:
        v.up()
        yield v
    finally:
        v.down()


@pytest.fixture
def live(tmp_path, veth):
    d = Daemon(tmp_path, args=["-i", veth.a]).start()
    try:
        yield d, veth
    finally:
        if d.proc.poll() is None:
            d.stop()
        log = d.log_text()
        assert "AddressSanitizer" not in log and "runtime error" not in log, log


def test_live_download_counts(live, tmp_path):
    need("tshark")
    d, v = live
    assert d.get("/api/v1/status").json()["mode"] == "live"
    ifs = d.get("/api/v1/interfaces").json()["interfaces"]
    assert [i["name"] for i in ifs] == [v.a]
    mac = open(f"/sys/class/net/{v.a}/address").read().strip()
    assert ifs[0]["mac"] == mac and ifs[0]["up"] is True
    assert ifs[0]["mtu"] == 1500 and ifs[0]["linktype"] == 1
    st_path = "/api/v1/captures/download" + q(filter="udp.dstport == 2000")
    st = Stream(d, st_path)
    time.sleep(0.3)
    frames = [seq_frame(i, dport=2000 if i % 3 else 3000) for i in range(90)]
    v.send(frames, gap=0.001)
    time.sleep(0.5)
    assert d.delete(f"/api/v1/captures/{st.id}").status == 202
    body = b""
    while True:
        chunk = st.read(65536)
        if not chunk:
            break
        body += chunk
        if body.endswith(b"0\r\n\r\n"):
            break
    st.close()
    rec = wait_finished(d, st.id)
    k = rec["counters"]
    assert k["captured"] == 60 and k["ignored"] == 30 and k["dropped"] == 0
    assert rec["mode"] == "live"


def test_live_download_file(live, tmp_path):
    need("tshark")
    d, v = live
    out = tmp_path / "live.pcapng"
    result = {}

    def fetch():
        result["r"] = d.get("/api/v1/captures/download" +
                            q(filter="udp", max_packets=40))
    t = threading.Thread(target=fetch)
    t.start()
    time.sleep(0.5)
    v.send([seq_frame(i) for i in range(50)], gap=0.001)
    t.join(timeout=20)
    out.write_bytes(result["r"].body)
    assert tshark_count(out) == 40
    assert tshark_count(out, "udp.dstport == 2000") == 40
    p = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "frame.interface_name"], capture_output=True,
                       text=True)
    assert set(p.stdout.split()) == {v.a}


def test_own_http_traffic_left_out(tmp_path):
    """With -i lo, a download of the daemon's own port captures nothing of
    its own HTTP exchanges."""
    d = Daemon(tmp_path, args=["-i", "lo"]).start()
    try:
        r = d.get("/api/v1/captures/download" +
                  q(filter=f"tcp.port == {d.port}", duration_s=1.5))
        for _ in range(5):
            d.get("/api/v1/status")
        assert r.status == 200
        rec = wait_finished(d, int(r.headers["X-Trawl-Capture-Id"]))
        assert rec["counters"]["captured"] == 0
    finally:
        d.stop()


# ---- Xena's port capturer ---------------------------------------------------

def cap(d, v, part, body=None):
    path = f"/api/v1/ports/{v.a}/capturer/{part}"
    return d.put(path, body) if body is not None else d.get(path)


def test_port_capturer_start_and_stop_on_filter(live):
    d, v = live
    ports = d.get("/api/v1/ports").json()["ports"]
    assert [p["port"] for p in ports] == [v.a]
    assert ports[0]["state"] == "off"
    assert d.put(f"/api/v1/ports/{v.a}/filters/0",
                 {"expression": "udp.dstport == 5000"}).status == 200
    assert d.put(f"/api/v1/ports/{v.a}/filters/1",
                 {"expression": "udp.dstport == 6000"}).status == 200
    r = d.put(f"/api/v1/ports/{v.a}/filters/2", {"expression": "udp.prot == 1"})
    assert r.status == 400 and "column" in r.json()
    r = cap(d, v, "trigger", {"start_criteria": "FILTER",
                              "start_criteria_filter": 0,
                              "stop_criteria": "FILTER",
                              "stop_criteria_filter": 1})
    assert r.status == 200 and r.json()["start_criteria"] == "FILTER"
    assert cap(d, v, "keep", {"kind": "ALL", "index": 0,
                              "byte_count": 40}).status == 200
    assert cap(d, v, "state", {"on_off": "START"}).json()["on_off"] == "START"
    assert cap(d, v, "state").json()["state"] == "waiting"
    # While it runs, its parameters cannot change.
    for part, body in (("trigger", {"stop_criteria": "FULL"}),
                       ("keep", {"kind": "FCSERR"})):
        r = cap(d, v, part, body)
        assert r.status == 409
        assert "while capture is on the capture parameters cannot be " \
               "changed" in r.json()["error"]
    r = d.put(f"/api/v1/ports/{v.a}/filters/0", {"expression": "udp"})
    assert r.status == 409 and "uses it" in r.json()["error"]
    assert d.put(f"/api/v1/ports/{v.a}/filters/5",
                 {"expression": "udp"}).status == 200  # unused: fine
    assert cap(d, v, "state", {"on_off": "START"}).status == 409
    frames = ([seq_frame(i) for i in range(3)] +
              [seq_frame(3, dport=5000)] +
              [seq_frame(i) for i in range(4, 7)] +
              [seq_frame(7, dport=6000)] +
              [seq_frame(i) for i in range(8, 11)])
    v.send(frames, gap=0.002)
    st = wait_for(lambda: (lambda s: s if s["state"] == "stopped" else None)(
        cap(d, v, "state").json()))
    assert st["reason"] == "filter" and st["on_off"] == "STOP"
    stats = cap(d, v, "stats").json()
    assert stats["status"] == stats["packets"] == 5
    assert stats["counters"]["captured"] == 5
    assert stats["counters"]["ignored"] == 3
    lst = d.get(f"/api/v1/ports/{v.a}/capturer/packets").json()
    assert lst["count"] == 5 and [p["index"] for p in lst["packets"]] == \
        list(range(5))
    assert all(p["caplen"] == 40 and p["length"] == 80 for p in lst["packets"])
    for i in range(5):
        p = d.get(f"/api/v1/ports/{v.a}/capturer/packets/{i}").json()
        data = bytes.fromhex(p["hex_data"])
        # The first 40 bytes of the frame as sent: its Ethernet header
        # and the start of IPv4.
        assert len(data) == 40 and data[12:14] == b"\x08\x00"
        assert data[14] == 0x45
    r = d.get(f"/api/v1/ports/{v.a}/capturer/packets/5")
    assert r.status == 404 and "holds 5" in r.json()["error"]
    # Stopped: parameters change again.
    assert cap(d, v, "trigger", {"start_criteria": "ON",
                                 "stop_criteria": "USERSTOP"}).status == 200
    assert d.delete(f"/api/v1/ports/{v.a}/filters/1").status == 200
    assert d.get(f"/api/v1/ports/{v.a}/filters/1").status == 404


def test_port_capturer_ring_keeps_the_latest(live):
    d, v = live
    assert cap(d, v, "trigger", {"start_criteria": "ON",
                                 "stop_criteria": "USERSTOP"}).status == 200
    r = cap(d, v, "state", {"on_off": "START", "buffer_bytes": 65536})
    assert r.status == 200, r
    v.send([seq_frame(i, size=1000) for i in range(200)], gap=0.0005)
    time.sleep(0.3)
    # Readable while it runs.
    running = d.get(f"/api/v1/ports/{v.a}/capturer/packets?count=1000").json()
    assert 0 < running["count"] < 200
    assert cap(d, v, "state", {"on_off": "STOP"}).status == 200
    st = wait_for(lambda: (lambda s: s if s["state"] == "stopped" else None)(
        cap(d, v, "state").json()))
    assert st["reason"] == "user"
    stats = cap(d, v, "stats").json()
    assert stats["discarded"] > 0 and stats["packets"] < 200
    last = d.get(f"/api/v1/ports/{v.a}/capturer/packets/"
                 f"{stats['packets'] - 1}").json()
    data = bytes.fromhex(last["hex_data"])
    assert int.from_bytes(data[42:46], "big") == 199


def test_ports_unknown_and_replay(live, tmp_path):
    d, v = live
    assert d.get("/api/v1/ports/nope/capturer/state").status == 404
    assert d.get(f"/api/v1/ports/{v.a}/filters/99").status == 404
    assert cap(d, v, "keep", {"kind": "SOMETIMES"}).status == 400
    assert cap(d, v, "state", {"on_off": "MAYBE"}).status == 400


def test_every_interface_by_default(veth, tmp_path):
    """Without -i the daemon captures on every interface it can: run in the
    test's namespace tv<uid>b, they are lo and the veth end there."""
    need("curl")
    pw = tmp_path / "pw"
    pw.write_text("ns-admin-pw-1\n")
    p = subprocess.Popen(["ip", "netns", "exec", veth.ns, str(TRAWL), "serve",
                          "--listen", "127.0.0.1:0", "--data-dir",
                          str(tmp_path / "d"), "--admin-password-file",
                          str(pw)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        assert "live capture on " in line, line + p.stderr.read()
        url = line.split("listening on ")[1].split("/ ")[0]
        r = subprocess.run(["ip", "netns", "exec", veth.ns, "curl", "-s", "-u",
                            "admin:ns-admin-pw-1", url + "/api/v1/interfaces"],
                           capture_output=True, text=True, timeout=30)
        names = sorted(i["name"] for i in
                       __import__("json").loads(r.stdout)["interfaces"])
        assert names == sorted(["lo", veth.b])
    finally:
        p.terminate()
        p.communicate(timeout=20)
