"""The capture server's commands and transports: trawl users (offline, on
the catalog the daemon uses), trawl get (progress, counters, Ctrl-C), and
HTTPS."""
import os
import signal
import subprocess
import time

import pytest

from conftest import need
from serve_util import (trace,  # noqa: F401 (a fixture)
                        TRAWL, Daemon, Stream, known_trace, serving,
                        tshark_count, wait_finished)




def users(data, *args, stdin=None):
    return subprocess.run([str(TRAWL), "users", *args, "--data-dir",
                           str(data)], input=stdin, capture_output=True,
                          text=True, timeout=60)


def test_users_offline(tmp_path, trace):
    data = tmp_path / "data"
    pw = tmp_path / "pw"
    pw.write_text("alice-secret-1\n")
    r = users(data, "add", "alice", "--role", "admin", "--password-file",
              str(pw))
    assert r.returncode == 0, r.stderr
    r = users(data, "add", "bob", stdin="bob-secret-1\n")
    assert r.returncode == 0, r.stderr
    r = users(data, "list")
    assert r.stdout.split() == ["NAME", "ROLE", "alice", "admin", "bob", "user"]
    assert users(data, "add", "bob", stdin="x" * 9 + "\n").returncode == 1
    assert users(data, "add", "eve", stdin="short\n").returncode == 1
    assert users(data, "add", "-eve", stdin="long enough\n").returncode == 2
    assert users(data, "passwd", "nobody", stdin="long enough\n").returncode == 1
    r = users(data, "del", "alice")
    assert r.returncode == 1 and "last admin" in r.stderr
    # The hashes are yescrypt, salted: the same password twice differs.
    users(data, "add", "carol", stdin="bob-secret-1\n")
    import sqlite3
    db = sqlite3.connect(str(data / "catalog.db"))
    hashes = dict(db.execute("SELECT name, hash FROM users"))
    db.close()
    assert all(h.startswith("$y$") for h in hashes.values())
    assert hashes["bob"] != hashes["carol"]
    assert "bob-secret-1" not in (data / "catalog.db").read_bytes().decode(
        "latin-1")
    # The daemon uses the same catalog, and sees changes made while it runs.
    d = Daemon(tmp_path, replay=trace[0], data_dir=data).start()
    try:
        assert "created user admin" not in "".join(d.banner)
        assert d.get("/api/v1/me", user="bob",
                     password="bob-secret-1").status == 200
        assert users(data, "passwd", "bob",
                     stdin="bob-secret-2\n").returncode == 0
        assert d.get("/api/v1/me", user="bob",
                     password="bob-secret-1").status == 401
        assert d.get("/api/v1/me", user="bob",
                     password="bob-secret-2").status == 200
        assert users(data, "role", "bob", "admin").returncode == 0
        assert d.get("/api/v1/users", user="bob",
                     password="bob-secret-2").status == 200
        assert users(data, "del", "bob").returncode == 0
        assert d.get("/api/v1/me", user="bob",
                     password="bob-secret-2").status == 401
    finally:
        d.stop()


def test_first_start_prints_a_random_password(tmp_path, trace):
    data = tmp_path / "d"
    p = subprocess.Popen([str(TRAWL), "serve", "--listen", "127.0.0.1:0",
                          "--data-dir", str(data), "--replay", str(trace[0])],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    lines = [p.stdout.readline() for _ in range(3)]
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=20)
    created = [l for l in lines if "created user admin with password" in l]
    assert created, lines
    password = created[0].split()[-1]
    assert len(password) == 20
    r = users(data, "list")
    assert "admin" in r.stdout


def test_one_daemon_per_data_dir(tmp_path, trace):
    """A second daemon on a data dir in use is refused, naming the dir and
    the first one's pid, and leaves the first one's running capture alone
    (it would otherwise record it as left over by a dead daemon)."""
    with serving(tmp_path, trace[0], args=["--speed", "realtime", "--loop"]) as d:
        stream = Stream(d, "/api/v1/captures/download?duration_s=30")
        assert stream.id is not None, stream.head

        def running():
            return [c["id"] for c in d.get("/api/v1/captures").json()["captures"]]
        assert running() == [stream.id]
        pwfile = tmp_path / "second.pw"
        pwfile.write_text("another-password\n")
        second = subprocess.run(
            [str(TRAWL), "serve", "--listen", "127.0.0.1:0", "--data-dir",
             str(d.data_dir), "--replay", str(trace[0]),
             "--admin-password-file", str(pwfile)],
            capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert (f"data dir {d.data_dir} is in use by another trawl serve "
                f"(pid {d.proc.pid})") in second.stderr, second.stderr
        assert running() == [stream.id]
        stream.close()
    # Once the first has stopped, the dir is free again.
    again = Daemon(tmp_path, trace[0], data_dir=tmp_path / "data").start()
    assert again.get("/api/v1/status").status == 200
    again.stop()


def trawl_get(*args, timeout=60, **kw):
    return subprocess.run([str(TRAWL), "get", *args], capture_output=True,
                          text=True, timeout=timeout, **kw)


def test_get(tmp_path, trace):
    need("tshark")
    with serving(tmp_path, trace[0]) as d:
        out = tmp_path / "g.pcapng"
        r = trawl_get(d.url, "-u", f"admin:{d.password}", "-e", "udp", "-w",
                      str(out))
        assert r.returncode == 0, r.stderr
        assert tshark_count(out) == trace[1]["udp"]
        assert f"{trace[1]['udp']} captured, 0 dropped, " \
               f"{trace[1]['total'] - trace[1]['udp']} ignored" in r.stderr
        assert "end of the replayed trace" in r.stderr
        # An Allegro capture URL, with a count added.
        r = trawl_get(d.url + "/API/data/modules/capture?expression=tcp",
                      "-u", f"admin:{d.password}", "-c", "5", "-w", str(out))
        assert r.returncode == 0, r.stderr
        assert tshark_count(out) == 5
        assert "packet limit reached" in r.stderr
        # Spaces in the expression travel as %20.
        r = trawl_get(d.url, "-u", f"admin:{d.password}", "-e",
                      "ip == 10.0.0.3 and icmp", "--compression", "zstd",
                      "-w", str(tmp_path / "g.pcapng.zst"))
        assert r.returncode == 0, r.stderr
        assert tshark_count(tmp_path / "g.pcapng.zst") == trace[1]["icmp"]
        r = trawl_get(d.url, "-u", f"admin:{d.password}", "-e", "prot == 1",
                      "-w", str(out))
        assert r.returncode == 1
        assert "HTTP 400" in r.stderr and "did you mean 'port'" in r.stderr
        r = trawl_get(d.url, "-u", "admin:wrong", "-w", str(out))
        assert r.returncode == 1 and "HTTP 401" in r.stderr
        assert trawl_get(d.url).returncode == 2


def test_get_ctrl_c_stops_the_capture_cleanly(tmp_path, trace):
    need("tshark")
    with serving(tmp_path, trace[0], ["--speed", "realtime", "--loop"]) as d:
        out = tmp_path / "int.pcapng"
        p = subprocess.Popen([str(TRAWL), "get", d.url, "-u",
                              f"admin:{d.password}", "-w", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=20)
        assert p.returncode == 0, err
        assert "stopped by user" in err
        n = tshark_count(out)
        assert n > 500
        fin = d.get("/api/v1/captures/finished").json()["captures"][0]
        assert fin["counters"]["captured"] == n


def test_tls(tmp_path, trace):
    need("openssl")
    need("curl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    d = Daemon(tmp_path, replay=trace[0],
               args=["--tls-cert", str(cert), "--tls-key", str(key)]).start()
    try:
        assert d.url.startswith("https://127.0.0.1:")
        r = subprocess.run(["curl", "-s", "-k", "-u", f"admin:{d.password}",
                            d.url + "/api/v1/status"], capture_output=True,
                           text=True, timeout=30)
        assert '"mode": "replay"' in r.stdout
        r = subprocess.run(["curl", "-s", "-k", "-i", "-X", "POST", "-d",
                            '{"user":"admin","password":"%s"}' % d.password,
                            d.url + "/api/v1/login"], capture_output=True,
                           text=True, timeout=30)
        assert "; Secure" in r.stdout
        out = tmp_path / "tls.pcapng"
        r = trawl_get(d.url, "-k", "-u", f"admin:{d.password}", "-e", "udp",
                      "-w", str(out))
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 0
        r = trawl_get(d.url, "-u", f"admin:{d.password}", "-w", str(out))
        assert r.returncode == 1  # an unknown certificate is refused
        # Plain HTTP to the TLS port gets nothing useful.
        r = subprocess.run(["curl", "-s", "-m", "5", "-u",
                            f"admin:{d.password}", "http://" +
                            d.url.split("://")[1] + "/api/v1/status"],
                           capture_output=True, text=True)
        assert '"mode"' not in r.stdout
    finally:
        d.stop()


def test_serve_usage_errors(tmp_path):
    def serve(*a):
        return subprocess.run([str(TRAWL), "serve", *a], capture_output=True,
                              text=True, timeout=30)
    assert serve("--speed", "2").returncode == 2
    assert serve("--replay", "x", "-i", "eth0").returncode == 2
    assert serve("--tls-cert", "x").returncode == 2
    assert serve("--replay", "x", "--speed", "fast").returncode == 2
    r = serve("--replay", str(tmp_path / "missing.pcap"), "--data-dir",
              str(tmp_path / "d"), "--listen", "127.0.0.1:0")
    assert r.returncode == 1 and "missing.pcap" in r.stderr
    r = serve("--listen", "nonsense", "--data-dir", str(tmp_path / "d"))
    assert r.returncode == 1
