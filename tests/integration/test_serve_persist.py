"""What trawl serve keeps: a restart keeps users, history, filters,
favourites, profiles, plans and settings; captures running at shutdown are
recorded as finished with the reason; after kill -9 the files of disk
captures read back to their last whole record and the next start records
the captures it cut short; planned captures repeat, and a run missed while
the daemon was down is reported."""
import subprocess
import time

import pytest

from conftest import need
from serve_util import (trace,  # noqa: F401 (a fixture)
                        Daemon, capinfos, known_trace, q, tshark_count,
                        wait_finished, wait_for)




def clean_log(d):
    log = d.log_text()
    assert "AddressSanitizer" not in log, log
    assert "runtime error" not in log, log


def test_restart_keeps_state(tmp_path, trace):
    need("tshark")
    d = Daemon(tmp_path, replay=trace[0],
               args=["--speed", "realtime", "--loop"]).start()
    try:
        assert d.post("/api/v1/users", {"name": "bob", "password":
                                        "bob-secret-1"}).status == 201
        r = d.get("/api/v1/captures/download" + q(filter="udp",
                                                  duration_s=0.5))
        assert r.status == 200
        wait_finished(d, int(r.headers["X-Trawl-Capture-Id"]))
        assert d.post("/api/v1/favourites", {"filter": "icmp", "description":
                                             "pings"}).status == 201
        assert d.post("/api/v1/profiles", {"name": "short", "rules": [
            {"expression": "tcp", "snaplen": 64}]}).status == 201
        start = int((time.time() + 3600) * 1e6)
        assert d.post("/api/v1/plans", {"name": "later", "start_time_us": start,
                                        "duration_s": 60, "repeat_s": 3600,
                                        "filter": "udp"}).status == 201
        assert d.put("/api/v1/settings", {"max_concurrent_captures": 9,
                                          "split_duration_s": 30}).status == 200
        # A disk capture still running at shutdown.
        r = d.post("/api/v1/captures", {"type": "disk", "filter": "tcp"})
        running = r.json()["id"]
        time.sleep(0.5)
    finally:
        assert d.stop() == 0
    clean_log(d)
    assert "capture %d finished (daemon shut down)" % running in d.log_text()

    d2 = Daemon(tmp_path, replay=trace[0], password="ignored-now").start()
    try:
        d2.password = d.password  # the admin made at first start
        assert d2.get("/api/v1/me", user="bob",
                      password="bob-secret-1").status == 200
        fin = d2.get("/api/v1/captures/finished").json()["captures"]
        assert [c["filter"] for c in fin] == ["tcp", "udp"]
        assert fin[0]["end_reason"] == "daemon shut down"
        assert fin[0]["counters"]["captured"] > 0
        assert fin[0]["files"]
        assert fin[1]["end_reason"] == "duration limit reached"
        recent = d2.get("/api/v1/filters/recent").json()["filters"]
        assert [x["filter"] for x in recent] == ["tcp", "udp"]
        fav = d2.get("/api/v1/favourites").json()["favourites"]
        assert [(f["filter"], f["description"]) for f in fav] == [("icmp",
                                                                   "pings")]
        prof = d2.get("/api/v1/profiles").json()["profiles"]
        assert prof[0]["name"] == "short"
        assert prof[0]["rules"] == [{"expression": "tcp", "snaplen": 64}]
        plans = d2.get("/api/v1/plans").json()["plans"]
        assert plans[0]["name"] == "later" and plans[0]["start_time_us"] == start
        s = d2.get("/api/v1/settings").json()
        assert s["max_concurrent_captures"] == 9 and s["split_duration_s"] == 30
        # The file of the capture cut by the shutdown is whole.
        path = fin[0]["files"][0]
        body = d2.get("/api/v1/storage/files/" + path).body
        out = tmp_path / "shut.pcapng"
        out.write_bytes(body)
        assert tshark_count(out) == fin[0]["counters"]["captured"]
    finally:
        d2.stop()
    clean_log(d2)


def test_kill_9_leaves_readable_files(tmp_path, trace):
    need("tshark")
    need("capinfos")
    d = Daemon(tmp_path, replay=trace[0],
               args=["--speed", "realtime", "--loop"]).start()
    r = d.post("/api/v1/captures", {"type": "disk", "filter": ""})
    assert r.status == 201
    cid = r.json()["id"]
    # Files are made when their first packet comes.
    files = wait_for(lambda: d.get(f"/api/v1/captures/{cid}").json()
                     .get("files"))
    assert files, d.get(f"/api/v1/captures/{cid}").body
    path = files[0]
    # Past a checkpoint (every 5 s), so its counters were saved.
    time.sleep(6.5)
    d.kill()
    f = d.data_dir / "captures" / path
    assert f.stat().st_size > 0
    rc, info, err = capinfos(f)
    assert rc == 0, err
    n = int(info["Number of packets"])
    assert n > 1000
    p = subprocess.run(["tshark", "-r", str(f), "-T", "fields", "-e",
                        "frame.number"], capture_output=True, text=True)
    assert p.returncode == 0 and "cut short" not in p.stderr, p.stderr
    d2 = Daemon(tmp_path, replay=trace[0]).start()
    try:
        rec = d2.get(f"/api/v1/captures/{cid}").json()
        assert rec["state"] == "finished"
        assert rec["end_reason"].startswith("daemon stopped unexpectedly")
        assert 0 < rec["counters"]["captured"] <= n
        assert "were still running" in d2.log_text()
    finally:
        d2.stop()
    clean_log(d2)


def test_planned_capture_repeats(tmp_path, trace):
    need("tshark")
    d = Daemon(tmp_path, replay=trace[0],
               args=["--speed", "realtime", "--loop"]).start()
    try:
        start = int((time.time() + 1) * 1e6)
        r = d.post("/api/v1/plans", {"name": "every 2 s", "start_time_us":
                                     start, "duration_s": 1, "repeat_s": 2,
                                     "filter": "udp", "directory": "planned"})
        assert r.status == 201, r
        pid = r.json()["id"]
        runs = wait_for(lambda: (lambda rs: rs if len(rs) >= 3 else None)(
            d.get(f"/api/v1/plans/{pid}/runs").json()["runs"]), timeout=12)
        assert runs, d.get(f"/api/v1/plans/{pid}").body
        runs = list(reversed(runs))
        assert [r["status"] for r in runs[:3]] == ["started"] * 3
        times = [r["scheduled_us"] for r in runs[:3]]
        assert times == [start, start + 2_000_000, start + 4_000_000]
        for run in runs[:2]:
            rec = wait_finished(d, run["capture_id"])
            assert rec["type"] == "disk" and rec["plan_id"] == pid
            assert rec["end_reason"] == "duration limit reached"
            assert 0.8 < rec["duration_s"] < 2
            assert rec["files"][0].startswith("planned/")
            out = tmp_path / "plan.pcapng"
            out.write_bytes(d.get("/api/v1/storage/files/" +
                                  rec["files"][0]).body)
            n = tshark_count(out)
            assert n == rec["counters"]["captured"] > 0
            assert tshark_count(out, "udp") == n
        plan = d.get(f"/api/v1/plans/{pid}").json()
        assert plan["next_us"] > times[2] and plan["missed"] == 0
        assert d.delete(f"/api/v1/plans/{pid}").status == 200
    finally:
        d.stop()
    clean_log(d)


def test_missed_plan_is_reported(tmp_path, trace):
    d = Daemon(tmp_path, replay=trace[0]).start()
    start = int((time.time() + 2) * 1e6)
    r = d.post("/api/v1/plans", {"name": "while down", "start_time_us": start,
                                 "duration_s": 1, "repeat_s": 0})
    pid = r.json()["id"]
    r = d.post("/api/v1/plans", {"name": "repeating", "start_time_us": start,
                                 "duration_s": 1, "repeat_s": 1})
    pid2 = r.json()["id"]
    d.stop()
    time.sleep(5)
    d2 = Daemon(tmp_path, replay=trace[0]).start()
    try:
        plan = wait_for(lambda: (lambda p: p if p["missed"] else None)(
            d2.get(f"/api/v1/plans/{pid}").json()))
        assert plan["missed"] == 1
        run = plan["runs"][0]
        assert run["status"] == "missed" and run["scheduled_us"] == start
        assert "not running" in run["detail"]
        assert plan["enabled"] is False and plan["next_us"] == 0
        rep = d2.get(f"/api/v1/plans/{pid2}").json()
        missed = [x for x in rep["runs"] if x["status"] == "missed"]
        assert missed and "runs due from" in missed[-1]["detail"]
        assert rep["next_us"] > start
        assert "was missed" in d2.log_text() or "were missed" in d2.log_text()
        m = d2.get("/metrics").body.decode()
        assert 'trawl_plan_runs_total{status="missed"}' in m
    finally:
        d2.stop()
    clean_log(d2)
