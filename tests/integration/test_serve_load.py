"""trawl serve under load: 64 concurrent downloads of a replayed trace,
each complete; a deliberately slow client whose capture drops packets
while the daemon's memory stays bounded."""
import concurrent.futures
import time

import pytest

from conftest import need
from serve_util import (Stream, bulk_trace, known_trace, q, serving,
                        tshark_count, wait_finished)


def test_64_concurrent_downloads(tmp_path):
    need("tshark")
    path = tmp_path / "known.pcap"
    counts = known_trace(path)
    with serving(tmp_path, path, ["--replay-clients", "64"]) as d:
        assert d.put("/api/v1/settings",
                     {"max_concurrent_captures": 64}).status == 200
        filters = ["", "udp", "tcp", "icmp"]

        def one(i):
            f = filters[i % 4]
            r = d.get("/api/v1/captures/download" + q(filter=f), timeout=120)
            out = tmp_path / f"c{i}.pcapng"
            out.write_bytes(r.body)
            return i, f, r.status, int(r.headers["X-Trawl-Capture-Id"]), out

        with concurrent.futures.ThreadPoolExecutor(64) as ex:
            results = list(ex.map(one, range(64)))
        want = {"": counts["total"], "udp": counts["udp"],
                "tcp": counts["tcp"], "icmp": counts["icmp"]}
        for i, f, status, cid, out in results:
            assert status == 200
            rec = wait_finished(d, cid)
            assert rec["counters"]["captured"] == want[f], (i, f, rec)
            assert rec["counters"]["dropped"] == 0
            assert rec["counters"]["ignored"] == counts["total"] - want[f]
        # tshark on a sample of them (each run costs a second).
        for i, f, status, cid, out in results[:4]:
            assert tshark_count(out) == want[f]
        fin = d.get("/api/v1/captures/finished").json()["captures"]
        assert len(fin) == 64
        assert d.get("/api/v1/status").json()["replay_passes"] == 1


def test_slow_client_drops_with_bounded_memory(tmp_path):
    path = tmp_path / "bulk.pcap"
    # 20000 packets of 1000 bytes, 50 µs apart: 20 MB/s at real time.
    bulk_trace(path, 20000, 1000, 50)
    with serving(tmp_path, path, ["--speed", "realtime", "--loop"]) as d:
        assert d.put("/api/v1/settings",
                     {"queue_size_bytes": 1 << 20}).status == 200
        st = Stream(d, "/api/v1/captures/download", rcvbuf=8192)
        got = 0
        rss = []
        t0 = time.time()
        while time.time() - t0 < 6:
            got += len(st.read(4096))
            time.sleep(0.1)  # about 40 kB/s
            if int((time.time() - t0) * 10) % 10 == 0:
                rss.append(d.rss_kib())
        c = d.get(f"/api/v1/captures/{st.id}").json()
        k = c["counters"]
        assert k["dropped"] > 10 * k["captured"], k
        assert c["queued_bytes"] <= c["queue_bytes"] == 1 << 20
        # Memory stays where it was after the first second, give or take
        # a few MiB (the queue is 1 MiB; unbounded, 20 MB/s would add
        # about 100 MB).
        assert max(rss[2:]) - rss[1] < 16 * 1024, rss
        st.close()
        rec = wait_finished(d, st.id)
        assert rec["end_reason"] == "client disconnected"
        assert rec["counters"]["dropped"] > 0


def test_max_speed_replay_waits_for_a_slow_client(tmp_path):
    """At max speed a replay drops nothing for a client slower than the
    trace; a client that stops reading for over a second costs drops."""
    need("capinfos")
    path = tmp_path / "bulk.pcap"
    bulk_trace(path, 5000, 1000, 50)
    with serving(tmp_path, path) as d:
        assert d.put("/api/v1/settings",
                     {"queue_size_bytes": 1 << 20}).status == 200
        st = Stream(d, "/api/v1/captures/download", rcvbuf=65536)
        body = b""
        while not body.endswith(b"\r\n0\r\n\r\n"):
            chunk = st.read(65536)
            if not chunk:
                break
            body += chunk
            time.sleep(0.005)  # some MB/s, slower than the replay
        st.close()
        rec = wait_finished(d, st.id)
        assert rec["counters"]["captured"] == 5000
        assert rec["counters"]["dropped"] == 0
        # A client that reads nothing for three seconds.
        st = Stream(d, "/api/v1/captures/download", rcvbuf=4096)
        time.sleep(3)
        c = d.get(f"/api/v1/captures/{st.id}").json()["counters"]
        st.close()
        assert c["dropped"] > 0
        rec = wait_finished(d, st.id)
        assert rec["counters"]["dropped"] > 0
