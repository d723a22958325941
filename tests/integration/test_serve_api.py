"""trawl serve's REST API, endpoint by endpoint: current captures with live
counters, stopping, disk captures and storage, favourites, profiles (with
truncation checked by tshark), settings, users, sessions and CSRF,
previews, metrics, and that every endpoint but the health check wants
credentials."""
import socket
import subprocess
import time

import pytest

from conftest import need
from serve_util import (trace,  # noqa: F401 (a fixture)
                        Stream, capinfos, known_trace, q, serving, tshark_count,
                        wait_finished, wait_for)




@pytest.fixture
def daemon(tmp_path, trace):
    need("tshark")
    with serving(tmp_path, trace[0]) as d:
        yield d


@pytest.fixture
def looping(tmp_path, trace):
    """The trace over and over at real time: 200 packets in 0.2 s."""
    need("tshark")
    with serving(tmp_path, trace[0], ["--speed", "realtime", "--loop"]) as d:
        yield d


# ---- running captures ---------------------------------------------------------

def test_current_captures_live_counters_and_stop(looping):
    st = Stream(looping, "/api/v1/captures/download" + q(filter="udp"))
    assert st.id
    time.sleep(1.5)
    lst = looping.get("/api/v1/captures").json()["captures"]
    assert [c["id"] for c in lst] == [st.id]
    c = lst[0]
    assert c["mine"] and c["user"] == "admin" and c["filter"] == "udp"
    assert c["client"].startswith("127.0.0.1:")
    assert c["state"] == "capturing"
    k = c["counters"]
    assert k["captured"] > 0 and k["ignored"] > 0
    # 50 of the 200 packets of each pass are UDP.
    assert abs(k["ignored"] - 3 * k["captured"]) <= 160
    assert c["throughput_bps"] > 0
    one = looping.get(f"/api/v1/captures/{st.id}").json()
    assert one["id"] == st.id
    r = looping.delete(f"/api/v1/captures/{st.id}")
    assert r.status == 202
    rec = wait_finished(looping, st.id)
    assert rec["end_reason"] == "stopped by user: by admin"
    st.close()
    assert looping.delete(f"/api/v1/captures/{st.id}").status == 409
    assert looping.delete("/api/v1/captures/99999").status == 404


def test_client_disconnect_ends_capture(looping):
    # A filter that matches nothing: the download sends only its header,
    # yet hanging up ends the capture.
    st = Stream(looping, "/api/v1/captures/download" + q(filter="port==1"))
    time.sleep(0.5)
    st.close()
    rec = wait_finished(looping, st.id, timeout=5)
    assert rec["end_reason"] == "client disconnected"


def test_duration_limit(looping, tmp_path):
    t0 = time.time()
    r = looping.get("/api/v1/captures/download" + q(duration_s=1.5))
    took = time.time() - t0
    assert r.status == 200 and 1.3 < took < 4
    rec = wait_finished(looping, int(r.headers["X-Trawl-Capture-Id"]))
    assert rec["end_reason"] == "duration limit reached"
    out = tmp_path / "d.pcapng"
    out.write_bytes(r.body)
    assert tshark_count(out) == rec["counters"]["captured"] > 100


def test_future_start_and_end_time(looping, tmp_path):
    """A future startTime waits for the first packet at or after it; the
    end stops at the first packet at or after endTime."""
    start = int((time.time() + 1.0) * 1e6)
    end = start + 1_000_000
    r = looping.get("/API/data/modules/capture" + q(startTime=start,
                                                     endTime=end))
    assert r.status == 200
    out = tmp_path / "w.pcapng"
    out.write_bytes(r.body)
    p = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "frame.time_epoch"], capture_output=True, text=True,
                       check=True)
    times = [float(t) for t in p.stdout.split()]
    assert len(times) > 500
    assert min(times) >= start / 1e6
    assert max(times) < end / 1e6
    rec = wait_finished(looping, int(r.headers["X-Trawl-Capture-Id"]))
    assert rec["end_reason"] == "end time reached"
    assert rec["counters"]["ignored"] > 0  # the packets before the start


def test_end_time_in_the_past_refused(daemon):
    r = daemon.get("/API/data/modules/capture" + q(endTime=1_000_000))
    assert r.status == 400 and "past" in r.json()["error"]


def test_max_concurrent_captures(looping):
    assert looping.get("/api/v1/settings").json()["max_concurrent_captures"] == 4
    streams = [Stream(looping, "/api/v1/captures/download" + q(filter="icmp"))
               for _ in range(4)]
    r = looping.get("/api/v1/captures/download")
    assert r.status == 503 and "max_concurrent_captures" in r.json()["error"]
    for s in streams:
        s.close()
    looping.wait_idle()


# ---- disk captures and storage ------------------------------------------------

def test_disk_capture_and_storage(daemon, trace, tmp_path):
    r = daemon.post("/api/v1/captures", {"type": "disk", "filter": "tcp",
                                         "directory": "runs/a"})
    assert r.status == 201, r
    cid = r.json()["id"]
    rec = wait_finished(daemon, cid)
    assert rec["type"] == "disk"
    assert len(rec["files"]) == 1 and rec["files"][0].startswith("runs/a/trawl-")
    path = rec["files"][0]
    st = daemon.get("/api/v1/storage").json()
    f = [x for x in st["files"] if x["path"] == path][0]
    assert f["capture_id"] == cid and f["user"] == "admin" and f["size"] > 0
    assert st["free_bytes"] > 0
    r = daemon.get("/api/v1/storage/files/" + path)
    assert r.status == 200 and r.headers["Content-Type"] == "application/x-pcapng"
    out = tmp_path / "disk.pcapng"
    out.write_bytes(r.body)
    assert tshark_count(out) == trace[1]["tcp"]
    assert len(r.body) == f["size"]
    p = daemon.get("/api/v1/storage/preview/" + path + "?count=3").json()
    assert p["count"] == 3 and p["truncated"] is True
    pk = p["packets"][0]
    assert pk["tcp"]["dstport"] == 80 and pk["ip"]["src"] == "10.0.0.1"
    assert "10.0.0.1" in pk["summary"] and "TCP" in pk["summary"]
    assert daemon.delete("/api/v1/storage/files/" + path).status == 200
    assert daemon.get("/api/v1/storage/files/" + path).status == 404
    # The directories remain and can be deleted once empty.
    assert daemon.delete("/api/v1/storage/files/runs").status == 409
    assert daemon.delete("/api/v1/storage/files/runs/a").status == 200
    assert daemon.delete("/api/v1/storage/files/runs").status == 200


def test_allegro_capture_to_media(daemon, trace):
    r = daemon.get("/API/data/modules/capture" +
                   q(expression="udp", captureToMedia="true"))
    assert r.status == 201
    rec = wait_finished(daemon, r.json()["id"])
    assert rec["type"] == "disk" and rec["counters"]["captured"] == trace[1]["udp"]


def test_disk_file_name_template(daemon, trace):
    r = daemon.post("/api/v1/captures", {"type": "disk", "filter": "udp",
                                         "file_name": "dns-%Y"})
    assert r.status == 201, r
    rec = wait_finished(daemon, r.json()["id"])
    assert rec["files"] == [time.strftime("dns-%Y") + ".pcapng"]
    for bad in ("a b", "x/%Y", "%c", ".hidden", "%"):
        r = daemon.post("/api/v1/captures", {"type": "disk", "file_name": bad})
        assert r.status == 400, bad
        r = daemon.put("/api/v1/settings", {"file_name_template": bad})
        assert r.status == 400, bad


def test_disk_split_by_size(daemon, trace, tmp_path):
    assert daemon.put("/api/v1/settings", {"split_size_bytes": 10000,
                                           "file_name_template": "part"}).status == 200
    r = daemon.post("/api/v1/captures", {"type": "disk", "filter": "tcp"})
    rec = wait_finished(daemon, r.json()["id"])
    files = rec["files"]
    assert len(files) >= 3
    assert files[0] == "part.pcapng" and files[1] == "part_1.pcapng"
    total = 0
    for i, f in enumerate(files):
        body = daemon.get("/api/v1/storage/files/" + f).body
        assert len(body) <= 10000
        out = tmp_path / f"p{i}.pcapng"
        out.write_bytes(body)
        rc, info, err = capinfos(out)
        assert rc == 0, err
        total += tshark_count(out)
    assert total == trace[1]["tcp"]


@pytest.mark.parametrize("path", [
    "../catalog.db", "..%2fcatalog.db", "a/../../catalog.db", ".hidden",
    "%2e%2e/catalog.db", "/etc/passwd", "a//b", "x%00y",
])
def test_no_path_traversal(daemon, path):
    for method in ("GET", "DELETE"):
        r = daemon.request(method, "/api/v1/storage/files/" + path)
        assert r.status in (400, 404), (path, r)
    r = daemon.post("/api/v1/captures", {"type": "disk", "directory": "../x"})
    assert r.status == 400


def test_symlink_out_of_storage_refused(daemon):
    link = daemon.data_dir / "captures" / "escape"
    link.symlink_to("/etc")
    r = daemon.get("/api/v1/storage/files/escape/hostname")
    assert r.status in (400, 404)
    assert b"localhost" not in r.body
    r = daemon.post("/api/v1/captures", {"type": "disk", "directory": "escape"})
    assert r.status >= 400


# ---- favourites, recent filters ------------------------------------------------

def test_favourites(daemon, trace, tmp_path):
    r = daemon.post("/api/v1/favourites", {"filter": "udp", "description":
                                           "DNS", "options": {"snaplen": 64}})
    assert r.status == 201, r
    fid = r.json()["id"]
    assert daemon.post("/api/v1/favourites", {"filter": "prot==1"}).status == 400
    assert daemon.post("/api/v1/favourites",
                       {"filter": "udp", "options": {"snaplen": 5}}).status == 400
    favs = daemon.get("/api/v1/favourites").json()["favourites"]
    assert [(f["filter"], f["description"]) for f in favs] == [("udp", "DNS")]
    assert daemon.put(f"/api/v1/favourites/{fid}",
                      {"description": "name service"}).status == 200
    r = daemon.get(f"/api/v1/favourites/{fid}/download")
    assert r.status == 200
    out = tmp_path / "fav.pcapng"
    out.write_bytes(r.body)
    assert tshark_count(out) == trace[1]["udp"]
    p = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "frame.cap_len"], capture_output=True, text=True)
    assert set(p.stdout.split()) <= {"64", "82"} and "64" in p.stdout
    r = daemon.post(f"/api/v1/favourites/{fid}/start")
    assert r.status == 201
    wait_finished(daemon, r.json()["id"])
    # Favourites are per user: another user sees none.
    daemon.post("/api/v1/users", {"name": "bob", "password": "bob-secret-1"})
    assert daemon.get("/api/v1/favourites", user="bob",
                      password="bob-secret-1").json()["favourites"] == []
    assert daemon.delete(f"/api/v1/favourites/{fid}", user="bob",
                         password="bob-secret-1").status == 404
    assert daemon.delete(f"/api/v1/favourites/{fid}").status == 200
    assert daemon.get("/api/v1/favourites").json()["favourites"] == []


def test_recent_filters_most_recent_first_no_duplicates(daemon):
    for f in ["udp", "icmp", "udp", "tcp"]:
        assert daemon.get("/api/v1/captures/download" + q(filter=f)).status == 200
    rec = daemon.get("/api/v1/filters/recent").json()["filters"]
    assert [x["filter"] for x in rec] == ["tcp", "udp", "icmp"]
    assert daemon.delete("/api/v1/filters/recent").json()["deleted"] == 3
    assert daemon.get("/api/v1/filters/recent").json()["filters"] == []


# ---- profiles -------------------------------------------------------------------

def test_profile_truncation(daemon, trace, tmp_path):
    rules = [{"expression": "udp", "snaplen": 0},
             {"expression": "tcp", "snaplen": 64},
             {"expression": "ip", "snaplen": 100}]
    r = daemon.post("/api/v1/profiles", {"name": "l7", "rules": rules})
    assert r.status == 201, r
    pid = r.json()["id"]
    r = daemon.get("/api/v1/captures/download" + q(profile="l7"))
    assert r.status == 200, r
    out = tmp_path / "prof.pcapng"
    out.write_bytes(r.body)
    p = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "frame.protocols", "-e", "frame.cap_len", "-e",
                        "frame.len"], capture_output=True, text=True, check=True)
    seen = {"udp": 0, "tcp": 0, "icmp": 0}
    for line in p.stdout.splitlines():
        protos, cap, wire = line.split("\t")
        cap, wire = int(cap), int(wire)
        if ":udp" in protos:
            assert cap == wire
            seen["udp"] += 1
        elif ":tcp" in protos:
            assert cap == 64
            seen["tcp"] += 1
        else:
            assert cap == min(wire, 100)
            seen["icmp"] += 1
    assert seen == {k: trace[1][k] for k in seen}
    assert daemon.get(f"/api/v1/profiles/{pid}").json()["name"] == "l7"
    r = daemon.put(f"/api/v1/profiles/{pid}",
                   {"rules": [{"expression": "tcp and prot==1", "snaplen": 64}]})
    assert r.status == 400 and r.json()["column"] == 9
    assert "rule 1" in r.json()["error"]
    assert daemon.get("/api/v1/captures/download" +
                      q(profile="l7", snaplen=64)).status == 400
    assert daemon.get("/api/v1/captures/download" + q(profile="nope")).status == 400


def test_profiles_limits(daemon):
    for i in range(10):
        assert daemon.post("/api/v1/profiles", {"name": f"p{i}", "rules": [
            {"expression": "ip", "snaplen": 64}]}).status == 201
    r = daemon.post("/api/v1/profiles", {"name": "p10", "rules": [
        {"expression": "ip", "snaplen": 64}]})
    assert r.status == 400 and "10" in r.json()["error"]
    assert daemon.post("/api/v1/profiles", {"name": "p0", "rules": []}).status == 400
    many = [{"expression": "ip", "snaplen": 64}] * 11
    first = daemon.get("/api/v1/profiles").json()["profiles"][0]["id"]
    assert daemon.put(f"/api/v1/profiles/{first}", {"rules": many}).status == 400
    assert daemon.put(f"/api/v1/profiles/{first}", {"name": "p1"}).status == 409
    assert daemon.delete(f"/api/v1/profiles/{first}").status == 200
    assert len(daemon.get("/api/v1/profiles").json()["profiles"]) == 9


# ---- settings and users -----------------------------------------------------

def test_settings(daemon):
    s = daemon.get("/api/v1/settings").json()
    assert s["max_concurrent_captures"] == 4
    assert s["split_size_bytes"] == 0 and s["split_duration_s"] == 0
    for bad in [{"max_concurrent_captures": 0}, {"max_concurrent_captures": 65},
                {"nonsense": 1}, {"file_name_template": "a/b"},
                {"queue_size_bytes": 10}]:
        r = daemon.put("/api/v1/settings", bad)
        assert r.status == 400, bad
    assert daemon.get("/api/v1/settings").json() == s
    r = daemon.put("/api/v1/settings", {"max_concurrent_captures": 64,
                                        "split_duration_s": 60})
    assert r.status == 200 and r.json()["max_concurrent_captures"] == 64


def test_users_and_roles(daemon):
    r = daemon.post("/api/v1/users", {"name": "carol", "password": "carol-pw-1"})
    assert r.status == 201 and r.json()["role"] == "user"
    assert daemon.post("/api/v1/users", {"name": "carol",
                                         "password": "carol-pw-1"}).status == 409
    assert daemon.post("/api/v1/users", {"name": "d", "password": "short"}).status == 400
    names = [u["name"] for u in daemon.get("/api/v1/users").json()["users"]]
    assert names == ["admin", "carol"]
    carol = dict(user="carol", password="carol-pw-1")
    assert daemon.get("/api/v1/me", **carol).json()["role"] == "user"
    # Admin-only endpoints.
    assert daemon.get("/api/v1/users", **carol).status == 403
    assert daemon.put("/api/v1/settings", {"split_duration_s": 1},
                      **carol).status == 403
    assert daemon.post("/api/v1/profiles", {"name": "x", "rules": [
        {"expression": "ip", "snaplen": 64}]}, **carol).status == 403
    # A user sees only their own captures.
    assert daemon.get("/api/v1/captures/download", **carol).status == 200
    assert daemon.get("/api/v1/captures/download").status == 200
    time.sleep(0.3)
    mine = daemon.get("/api/v1/captures/finished", **carol).json()["captures"]
    assert [c["user"] for c in mine] == ["carol"]
    everyone = daemon.get("/api/v1/captures/finished").json()["captures"]
    assert sorted(c["user"] for c in everyone) == ["admin", "carol"]
    other = [c for c in everyone if c["user"] == "admin"][0]["id"]
    assert daemon.get(f"/api/v1/captures/{other}", **carol).status == 404
    # Changing one's own password needs the old one.
    assert daemon.put("/api/v1/me/password", {"old_password": "nope",
                                              "password": "carol-pw-2"},
                      **carol).status == 403
    assert daemon.put("/api/v1/me/password", {"old_password": "carol-pw-1",
                                              "password": "carol-pw-2"},
                      **carol).status == 200
    assert daemon.get("/api/v1/me", **carol).status == 401
    assert daemon.get("/api/v1/me", user="carol",
                      password="carol-pw-2").status == 200
    assert daemon.put("/api/v1/users/carol", {"role": "admin"}).status == 200
    assert daemon.put("/api/v1/users/admin", {"role": "user"}).status == 200
    assert daemon.put("/api/v1/users/carol", {"role": "user"},
                      user="carol", password="carol-pw-2").status == 409
    assert daemon.delete("/api/v1/users/carol", user="carol",
                         password="carol-pw-2").status == 409


def test_login_cookie_and_csrf(daemon):
    r = daemon.post("/api/v1/login", {"user": "admin", "password": "wrong"},
                    auth=False)
    assert r.status == 401
    r = daemon.post("/api/v1/login", {"user": "admin",
                                      "password": daemon.password}, auth=False)
    assert r.status == 200
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    token = cookie.split(";")[0]
    csrf = r.json()["csrf_token"]
    ck = {"Cookie": token}
    assert daemon.get("/api/v1/me", auth=False, headers=ck).json()["user"] == "admin"
    # A state-changing request from a browser session needs the token ...
    body = {"filter": "udp"}
    assert daemon.post("/api/v1/favourites", body, auth=False,
                       headers=ck).status == 403
    assert daemon.post("/api/v1/favourites", body, auth=False,
                       headers={**ck, "X-CSRF-Token": "x" * 64}).status == 403
    assert daemon.post("/api/v1/favourites", body, auth=False,
                       headers={**ck, "X-CSRF-Token": csrf}).status == 201
    # ... and none may come from another site, with or without a cookie.
    assert daemon.post("/api/v1/favourites", body,
                       headers={"Origin": "http://evil.example"}).status == 403
    assert daemon.get("/api/v1/captures/download",
                      headers={"Sec-Fetch-Site": "cross-site"}).status == 403
    assert daemon.post("/api/v1/logout", auth=False,
                       headers={**ck, "X-CSRF-Token": csrf}).status == 200
    assert daemon.get("/api/v1/me", auth=False, headers=ck).status == 401


def test_request_size_bounded(daemon):
    r = daemon.post("/api/v1/favourites", "x" * (300 * 1024))
    assert r.status == 413
    s = socket.create_connection((daemon.host, daemon.port))
    s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " +
              b"a" * (100 * 1024) + b"\r\n\r\n")
    reply = s.recv(200)
    s.close()
    assert reply.startswith(b"HTTP/1.1 431") or reply.startswith(b"HTTP/1.1 413")


# ---- auth everywhere ----------------------------------------------------------

# The daemon's routes, read from its route table (src/server/api.c), so
# that a route added there is checked here without anyone listing it.
def route_table():
    import pathlib
    import re
    src = (pathlib.Path(__file__).resolve().parents[2] / "src" / "server" /
           "api.c").read_text()
    body = src[src.index("api_routes[] = {"):]
    body = body[:body.index("\n};")]
    table = re.findall(r'\{"(\w+)",\s*"([^"]+)",\s*api_\w+,\s*([\w |]+)\}',
                       body)
    # Every entry was understood: an entry written otherwise would escape
    # the checks below.
    assert len(table) == body.count('{"'), "an api_routes entry not parsed"
    return [(m, p, f.split()) for m, p, f in table]


# Public by design (docs/api.md, "Authentication"): the health check, the
# login, the placeholder page and the API's documentation.
PUBLIC = {("GET", "/"), ("GET", "/docs/api.md"), ("GET", "/api/v1/health"),
          ("POST", "/api/v1/login")}
# A value for each placeholder.
VALUES = {"{id}": "1", "{name}": "admin", "{if}": "eth0", "{n}": "1",
          "{*}": "dir/x.pcapng"}


def concrete(pattern):
    import re
    return re.sub(r"\{[^}]*\}", lambda m: VALUES[m.group(0)], pattern)


ROUTES = [(m, concrete(p)) for m, p, flags in route_table()
          if "HTTP_PUBLIC" not in flags] + [("GET", "/no/such/path")]


def test_route_table_public_routes():
    public = {(m, p) for m, p, flags in route_table() if "HTTP_PUBLIC" in flags}
    assert public == PUBLIC
    assert len(ROUTES) > 60


def test_every_route_documented():
    """docs/api.md names the path of every route (placeholders written
    its own way: {id}, {path}, eth0 ...)."""
    import pathlib
    import re
    doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" /
           "api.md").read_text()
    missing = []
    for m, p, flags in route_table():
        parts = []
        for seg in p.split("/")[1:]:
            if seg == "{*}":
                parts.append(r"[^ `\"?]+")
            elif seg.startswith("{"):
                parts.append(r"[^/ `\"?]+")
            else:
                parts.append(re.escape(seg))
        rx = "/" + "/".join(parts) + r"(?=[ `\"?)]|$)"
        if p != "/" and not re.search(rx, doc, re.M):
            missing.append((m, p))
    assert not missing, missing


@pytest.mark.parametrize("method,path", ROUTES)
def test_auth_required(daemon, method, path):
    for kw in ({"auth": False}, {"password": "wrong"}, {"user": "ghost"}):
        r = daemon.request(method, path, body="{}" if method != "GET" else None,
                           **kw)
        assert r.status == 401, (method, path, kw, r)
        assert r.headers.get("WWW-Authenticate", "").startswith("Basic"), r
        assert "error" in r.json()
    r = daemon.request(method, path, auth=False,
                       headers={"Cookie": "trawl_session=" + "0" * 64})
    assert r.status == 401
    # A web page's own request gets no Basic challenge.
    r = daemon.request(method, path, auth=False,
                       headers={"X-Requested-With": "XMLHttpRequest"})
    assert r.status == 401 and "WWW-Authenticate" not in r.headers
    if method == "GET":
        assert daemon.request("HEAD", path, auth=False).status == 401


@pytest.mark.parametrize("method,path", sorted(PUBLIC))
def test_public_routes_need_no_auth(daemon, method, path):
    body = {"user": "admin", "password": daemon.password} \
        if method == "POST" else None
    r = daemon.request(method, path, body=body, auth=False)
    assert r.status == 200, (method, path, r)


def test_public_pages(daemon):
    r = daemon.get("/", auth=False)
    assert r.status == 200 and b"web interface is coming" in r.body
    assert b"/docs/api.md" in r.body
    r = daemon.get("/docs/api.md", auth=False)
    assert r.status == 200 and r.body.startswith(b"# ")
    assert b"/API/data/modules/capture" in r.body


# ---- interfaces, status, metrics, preview -------------------------------------

def test_ports_need_live_capture(daemon):
    assert daemon.get("/api/v1/ports").json() == {"ports": []}
    r = daemon.get("/api/v1/ports/eth0/capturer/state")
    assert r.status == 501 and "live capture" in r.json()["error"]


def test_interfaces_and_status(daemon):
    i = daemon.get("/api/v1/interfaces").json()
    assert i["mode"] == "replay" and len(i["interfaces"]) == 1
    assert i["interfaces"][0]["linktype"] == 1
    s = daemon.get("/api/v1/status").json()
    assert s["mode"] == "replay" and s["url"] == daemon.url


def test_metrics(daemon, trace):
    daemon.get("/api/v1/captures/download" + q(filter="udp"))
    time.sleep(0.3)
    r = daemon.get("/metrics")
    assert r.status == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = r.body.decode()
    vals = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            vals[k] = float(v)
    assert vals['trawl_captures_finished_total{type="download"}'] == 1
    assert vals['trawl_finished_packets_total{counter="captured"}'] == trace[1]["udp"]
    assert vals['trawl_finished_packets_total{counter="ignored"}'] == \
        trace[1]["total"] - trace[1]["udp"]
    assert vals["trawl_source_packets_total"] == trace[1]["total"]
    assert vals["trawl_http_clients"] >= 1
    assert vals['trawl_http_requests_total{code="2xx"}'] >= 1
    # Every sample line belongs to a declared family.
    fams = {line.split()[2] for line in text.splitlines()
            if line.startswith("# TYPE")}
    for k in vals:
        assert k.split("{")[0] in fams, k


def test_preview(daemon, trace):
    r = daemon.get("/api/v1/preview" + q(filter="udp", count=5))
    assert r.status == 200
    p = r.json()
    assert p["count"] == 5 and len(p["packets"]) == 5
    assert p["capture"]["type"] == "preview"
    pk = p["packets"][0]
    assert pk["udp"]["dstport"] == 53
    assert pk["frame"]["number"] == 1 and p["packets"][4]["frame"]["number"] == 5
    assert " UDP " in pk["summary"] or "DNS" in pk["summary"]
    r = daemon.get("/api/v1/preview" + q(filter="prot==1"))
    assert r.status == 400 and r.json()["column"] == 1
