"""trawl serve: the Allegro capture URL and downloads, checked against a
replayed trace whose packets the test knows, with tshark and capinfos as
oracles; authentication; the catalog's lists."""
import subprocess
import time

import pytest

from conftest import need
from serve_util import (trace,  # noqa: F401 (a fixture)
                        capinfos, known_trace, q, serving, tshark_count,
                        wait_finished, wait_for)




@pytest.fixture
def daemon(tmp_path, trace):
    need("tshark")
    with serving(tmp_path, trace[0]) as d:
        yield d


def download(d, path, out, **kw):
    r = d.get(path, **kw)
    out.write_bytes(r.body)
    return r


def test_banner_says_how_to_log_in(daemon):
    text = "".join(daemon.banner)
    assert daemon.url in text
    assert "curl -u admin:PASSWORD" in text
    assert str(daemon.data_dir) in text


def test_health_needs_no_auth(daemon):
    r = daemon.get("/api/v1/health", auth=False)
    assert r.status == 200 and r.json() == {"status": "ok"}


# ---- the Allegro capture URL -----------------------------------------------

@pytest.mark.parametrize("expression,key,tshark_filter", [
    ("", "total", None),
    ("port==80", "tcp", "tcp.port == 80"),
    ("l4Protocol==UDP", "udp", "udp"),
    ("ip==10.0.0.3", "icmp", "icmp"),
    ("ip == 10.0.0.1 or ip == 10.0.0.2", None, "tcp or udp"),
])
def test_allegro_url_counts(daemon, trace, tmp_path, expression, key,
                            tshark_filter):
    path, counts = trace
    out = tmp_path / "cap.pcapng"
    url = "/API/data/modules/capture" + q(
        expression=expression, snapPacketLength=65535,
        fromCaptureBuffer="false", captureToMedia="false")
    r = download(daemon, url, out)
    assert r.status == 200, r
    assert r.headers["Content-Type"] == "application/x-pcapng"
    want = counts[key] if key else counts["tcp"] + counts["udp"]
    assert tshark_count(out) == want
    if tshark_filter:
        assert tshark_count(out, tshark_filter) == want
    rec = wait_finished(daemon, int(r.headers["X-Trawl-Capture-Id"]))
    c = rec["counters"]
    assert c["captured"] == want
    assert c["ignored"] == counts["total"] - want
    assert c["dropped"] == 0
    assert c["received"] == counts["total"]
    assert c["output_bytes"] == out.stat().st_size
    assert rec["end_reason"] == "end of the replayed trace"


def test_allegro_url_with_curl(daemon, trace, tmp_path):
    """The seed's own command line, unchanged but for host and times."""
    need("curl")
    path, counts = trace
    out = tmp_path / "curl.pcap"
    now = int(time.time() * 1e6)
    url = (f"{daemon.url}/API/data/modules/capture?startTime={now - 10**6}"
           f"&endTime={now + 60 * 10**6}&expression=l4Protocol==UDP"
           f"&snapPacketLength=65535&fromCaptureBuffer=false")
    r = subprocess.run(["curl", "-s", "-f", "-u", f"admin:{daemon.password}",
                        url, "-o", str(out)], timeout=60)
    assert r.returncode == 0
    assert tshark_count(out, "udp.dstport == 53") == counts["udp"]
    assert tshark_count(out) == counts["udp"]


def test_spaces_as_percent20_and_plus_kept(daemon, trace, tmp_path):
    out = tmp_path / "sp.pcapng"
    r = download(daemon, "/API/data/modules/capture?expression="
                 "ip%20==%2010.0.0.2%20and%20port%20==%2053", out)
    assert r.status == 200, r
    assert tshark_count(out) == trace[1]["udp"]
    # '+' is a plus sign: tcpFlags == psh+ack matches the TCP packets.
    r = download(daemon, "/API/data/modules/capture?expression="
                 "tcpFlags==psh+ack", out)
    assert r.status == 200, r
    assert tshark_count(out) == trace[1]["tcp"]


def test_snap_length_truncates(daemon, trace, tmp_path):
    out = tmp_path / "snap.pcapng"
    r = download(daemon, "/API/data/modules/capture" +
                 q(expression="port==80", snapPacketLength=64), out)
    assert r.status == 200
    r = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                        "frame.cap_len", "-e", "frame.len"],
                       capture_output=True, text=True, check=True)
    rows = [line.split() for line in r.stdout.splitlines()]
    assert len(rows) == trace[1]["tcp"]
    assert all(cap == "64" and int(wire) > 64 for cap, wire in rows)


@pytest.mark.parametrize("value", ["63", "65536", "x", "-5"])
def test_bad_snap_length_refused(daemon, value):
    r = daemon.get(f"/API/data/modules/capture?snapPacketLength={value}")
    assert r.status == 400
    assert "snapPacketLength" in r.json()["error"]


def test_from_capture_buffer_is_a_clear_error(daemon):
    r = daemon.get("/API/data/modules/capture?fromCaptureBuffer=true")
    assert r.status == 501
    assert "ring buffer" in r.json()["error"]


def test_invalid_expression_is_400_with_column(daemon):
    r = daemon.get("/API/data/modules/capture?expression=port==80%20and%20prot==1")
    assert r.status == 400
    body = r.json()
    assert body["column"] == 14
    assert "prot" in body["error"] and "did you mean 'port'" in body["error"]
    # Nothing started: no capture is running or recorded.
    assert daemon.get("/api/v1/captures").json()["captures"] == []
    assert daemon.get("/api/v1/captures/finished").json()["captures"] == []


def test_unknown_parameter_refused(daemon):
    r = daemon.get("/API/data/modules/capture?expresion=port==80")
    assert r.status == 400
    assert "expresion" in r.json()["error"]


def test_pcap_format_and_single_interface(daemon, trace, tmp_path):
    out = tmp_path / "one.pcap"
    r = download(daemon, "/api/v1/captures/download" +
                 q(filter="udp", format="pcap"), out)
    assert r.status == 200
    assert r.headers["Content-Type"] == "application/vnd.tcpdump.pcap"
    rc, info, err = capinfos(out)
    assert rc == 0, err
    assert info["File type"] == "pcap"
    assert tshark_count(out) == trace[1]["udp"]
    out2 = tmp_path / "single.pcapng"
    r = download(daemon, "/API/data/modules/capture" +
                 q(expression="udp", useSingleInterface="true"), out2)
    assert r.status == 200
    assert tshark_count(out2) == trace[1]["udp"]


@pytest.mark.parametrize("compression,magic,ext", [
    ("zstd", b"\x28\xb5\x2f\xfd", ".pcapng.zst"),
    ("gzip", b"\x1f\x8b", ".pcapng.gz"),
])
def test_compressed_download(daemon, trace, tmp_path, compression, magic, ext):
    out = tmp_path / ("c" + ext)
    r = download(daemon, "/api/v1/captures/download" +
                 q(filter="tcp", compression=compression), out)
    assert r.status == 200
    assert r.body.startswith(magic)
    assert ext in r.headers["Content-Disposition"]
    # tshark reads both compressions.
    assert tshark_count(out) == trace[1]["tcp"]


def test_limits(daemon, trace, tmp_path):
    out = tmp_path / "lim.pcapng"
    r = download(daemon, "/api/v1/captures/download" + q(max_packets=7), out)
    assert tshark_count(out) == 7
    rec = wait_finished(daemon, int(r.headers["X-Trawl-Capture-Id"]))
    assert rec["end_reason"] == "packet limit reached"
    r = download(daemon, "/api/v1/captures/download" + q(max_bytes=1000), out)
    r2 = subprocess.run(["tshark", "-r", str(out), "-T", "fields", "-e",
                         "frame.cap_len"], capture_output=True, text=True)
    assert 0 < sum(map(int, r2.stdout.split())) <= 1000


# ---- authentication ----------------------------------------------------------

def test_wrong_password_refused(daemon):
    r = daemon.get("/api/v1/captures", password="wrong")
    assert r.status == 401
    assert r.headers.get("WWW-Authenticate", "").startswith("Basic")
    r = daemon.get("/api/v1/captures", user="nobody")
    assert r.status == 401


def test_finished_list_and_clear(daemon, tmp_path):
    out = tmp_path / "x.pcapng"
    download(daemon, "/api/v1/captures/download" + q(filter="icmp"), out)
    download(daemon, "/api/v1/captures/download" + q(filter="udp"), out)
    fin = wait_for(lambda: (lambda c: c if len(c) == 2 else None)(
        daemon.get("/api/v1/captures/finished").json()["captures"]))
    assert [c["filter"] for c in fin] == ["udp", "icmp"]
    for c in fin:
        for k in ("mode", "type", "start_time", "end_time", "counters",
                  "average_throughput_bps", "end_reason", "filter"):
            assert k in c
        assert c["type"] == "download" and c["mode"] == "replay"
    recent = daemon.get("/api/v1/filters/recent").json()["filters"]
    assert [f["filter"] for f in recent] == ["udp", "icmp"]
    assert daemon.delete("/api/v1/captures/finished").json()["deleted"] == 2
    assert daemon.get("/api/v1/captures/finished").json()["captures"] == []
