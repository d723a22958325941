"""Running `trawl serve` in tests: a daemon on 127.0.0.1 with a port the
kernel picks, its own data dir, a replayed trace the test wrote, and a
small HTTP client (urllib) that speaks to it with Basic auth or a session
cookie."""
import base64
import contextlib
import http.client
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import time
import urllib.parse

import pytest
from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, wrpcap

from conftest import BUILD

TRAWL = BUILD / "src" / "cli" / "trawl"
ADMIN_PASSWORD = "admin-secret-1"


def known_trace(path, tcp=120, udp=50, icmp=30):
    """A trace with known numbers of packets: TCP to port 80 from 10.0.0.1,
    UDP to port 53 from 10.0.0.2, ICMP echo from 10.0.0.3, interleaved,
    1 ms apart. Returns the counts."""
    e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    pkts = []
    left = {"tcp": tcp, "udp": udp, "icmp": icmp}
    order = []
    while any(left.values()):
        for k in ("tcp", "udp", "icmp"):
            if left[k]:
                left[k] -= 1
                order.append(k)
    for i, k in enumerate(order):
        if k == "tcp":
            p = e / IP(src="10.0.0.1", dst="10.9.0.1") / \
                TCP(sport=40000 + i, dport=80, flags="PA") / Raw(b"G" * 200)
        elif k == "udp":
            p = e / IP(src="10.0.0.2", dst="10.9.0.2") / \
                UDP(sport=50000 + i, dport=53) / Raw(b"q" * 40)
        else:
            p = e / IP(src="10.0.0.3", dst="10.9.0.3") / ICMP(id=1, seq=i)
        p.time = 1700000000 + i * 0.001
        pkts.append(p)
    wrpcap(str(path), pkts)
    return {"tcp": tcp, "udp": udp, "icmp": icmp, "total": tcp + udp + icmp}


@pytest.fixture(scope="module")
def trace(tmp_path_factory):
    """known_trace() in a temporary directory: (path, counts). Test modules
    import this fixture."""
    d = tmp_path_factory.mktemp("trace")
    path = d / "known.pcap"
    return path, known_trace(path)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.body[:300]!r}>"


class Stream:
    """A download read on a raw socket, so the test decides when to read
    and when to hang up."""

    def __init__(self, d, path, rcvbuf=None):
        self.s = socket.socket()
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.connect((d.host, d.port))
        auth = d.auth()["Authorization"]
        self.s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n"
                       f"Authorization: {auth}\r\n\r\n".encode())
        self.head = b""
        while b"\r\n\r\n" not in self.head:
            chunk = self.s.recv(1)
            if not chunk:
                break
            self.head += chunk
        self.id = None
        for line in self.head.decode().split("\r\n"):
            if line.lower().startswith("x-trawl-capture-id:"):
                self.id = int(line.split(":")[1])

    def read(self, n):
        return self.s.recv(n)

    def close(self):
        self.s.close()


class Daemon:
    """trawl serve in a subprocess. Stop it with stop() (SIGTERM) or kill()
    (SIGKILL); start() again on the same data dir to test persistence."""

    def __init__(self, tmp, replay=None, args=(), data_dir=None,
                 password=ADMIN_PASSWORD):
        self.tmp = pathlib.Path(tmp)
        self.data_dir = pathlib.Path(data_dir or self.tmp / "data")
        self.replay = replay
        self.args = list(args)
        self.password = password
        self.proc = None
        self.url = None
        self.log_path = self.tmp / "serve.log"

    def start(self, extra=()):
        pwfile = self.tmp / "admin.pw"
        pwfile.write_text(self.password + "\n")
        cmd = [str(TRAWL), "serve", "--listen", "127.0.0.1:0",
               "--data-dir", str(self.data_dir),
               "--admin-password-file", str(pwfile)]
        if self.replay:
            cmd += ["--replay", str(self.replay)]
        cmd += self.args + list(extra)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=self.log)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"listening on (https?://[^/ ]+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError(f"trawl serve did not start: {line!r}\n"
                               f"{self.log_path.read_text()}")
        self.url = m.group(1)
        u = urllib.parse.urlparse(self.url)
        self.host, self.port = u.hostname, u.port
        # The rest of the banner, so the pipe never fills.
        self.banner = [line]
        while not self.banner[-1].lstrip().startswith("API:"):
            more = self.proc.stdout.readline().decode()
            if not more:
                break
            self.banner.append(more)
        return self

    def stop(self, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        self.log.close()
        return self.proc.returncode

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()

    def log_text(self):
        return self.log_path.read_text(errors="replace")

    def rss_kib(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def hwm_kib(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        return 0

    # ---- HTTP ---------------------------------------------------------------

    def auth(self, user="admin", password=None):
        pw = self.password if password is None else password
        tok = base64.b64encode(f"{user}:{pw}".encode()).decode()
        return {"Authorization": "Basic " + tok}

    def request(self, method, path, body=None, headers=None, user="admin",
                password=None, auth=True, timeout=60):
        h = {}
        if auth:
            h.update(self.auth(user, password))
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return Response(r.status, dict(r.getheaders()), data)
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body if body is not None else {},
                            **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def wait_idle(self, timeout=10):
        """Until no capture is registered."""
        end = time.time() + timeout
        while time.time() < end:
            r = self.get("/api/v1/captures")
            if r.status == 200 and not r.json()["captures"]:
                return
            time.sleep(0.05)
        raise AssertionError("captures still running: " + r.body.decode())


@contextlib.contextmanager
def serving(tmp, replay, args=()):
    """A started daemon for a test, stopped after it, whose log must show
    no sanitizer report."""
    d = Daemon(tmp, replay=replay, args=args).start()
    try:
        yield d
    finally:
        if d.proc.poll() is None:
            d.stop()
        log = d.log_text()
        assert "AddressSanitizer" not in log, log
        assert "runtime error" not in log, log


def q(**params):
    """A query string as capture URLs want it: %20 for spaces, '+' kept."""
    return "?" + "&".join(f"{k}={urllib.parse.quote(str(v), safe='=+,:[]')}"
                          for k, v in params.items())


def tshark_count(path, display_filter=None):
    args = ["tshark", "-r", str(path), "-T", "fields", "-e", "frame.number"]
    if display_filter:
        args += ["-Y", display_filter]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return len(r.stdout.split())


def capinfos(path):
    r = subprocess.run(["capinfos", "-M", "-c", "-t", "-E", str(path)],
                       capture_output=True, text=True, timeout=120)
    out = {}
    for line in r.stdout.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return r.returncode, out, r.stderr


def wait_for(pred, timeout=10, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def wait_finished(d, cid, timeout=10):
    """The record of capture cid once the daemon has finished it."""
    def get():
        j = d.get(f"/api/v1/captures/{cid}").json()
        return j if j.get("state") == "finished" else None
    rec = wait_for(get, timeout=timeout)
    assert rec, d.get(f"/api/v1/captures/{cid}").body
    return rec


def bulk_trace(path, packets, size=1000, spacing_us=100):
    """A large trace written directly (scapy would take long): UDP packets
    of `size` bytes from 10.1.0.1 to 10.1.0.2 port 9, `spacing_us` apart."""
    import struct
    eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    payload_len = size - 14 - 20 - 8
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, size - 14, 0, 0, 64, 17, 0,
                     bytes([10, 1, 0, 1]), bytes([10, 1, 0, 2]))
    udp = struct.pack("!HHHH", 5000, 9, 8 + payload_len, 0)
    frame = eth + ip + udp + b"\xab" * payload_len
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        t = 1_700_000_000 * 1_000_000
        for i in range(packets):
            us = t + i * spacing_us
            f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000,
                                len(frame), len(frame)))
            f.write(frame)
