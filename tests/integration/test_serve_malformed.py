"""trawl serve against malformed HTTP, written byte by byte on a raw
socket: each request is refused with a 4xx status (or the connection is
closed without an answer), and the daemon goes on answering well-formed
requests afterwards, without a sanitizer report."""
import base64
import re
import socket
import time

import pytest

from serve_util import ADMIN_PASSWORD, serving, trace  # noqa: F401 (a fixture)

AUTH = "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory, trace):
    with serving(tmp_path_factory.mktemp("serve"), trace[0]) as d:
        yield d


def exchange(d, data, timeout=10, shut=True, answers=None):
    """Sends data and reads until the daemon closes or goes quiet (or has
    sent `answers` status lines); the statuses of the answers, in order,
    and the whole reply."""
    s = socket.create_connection((d.host, d.port), timeout=timeout)
    reply = b""
    try:
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the daemon answered and hung up before reading it all
        end = time.time() + timeout
        while time.time() < end:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                break
            if not chunk:
                break
            reply += chunk
            if answers and reply.count(b"HTTP/1.1 ") >= answers and \
                    reply.endswith(b"}\n"):
                break
    finally:
        s.close()
    statuses = [int(m) for m in
                re.findall(rb"(?:^|\n)HTTP/1\.[01] (\d{3}) ", reply)]
    return statuses, reply


def still_up(d):
    r = d.get("/api/v1/health", auth=False)
    assert r.status == 200 and r.json() == {"status": "ok"}
    r = d.get("/api/v1/me")
    assert r.status == 200 and r.json()["user"] == "admin"
    assert d.proc.poll() is None


def req(line, *headers, body=b""):
    head = line + b"\r\n" + b"".join(h + b"\r\n" for h in headers)
    return head + b"\r\n" + body


HOST = b"Host: x"
AUTHH = b"Authorization: " + AUTH.encode()

# (name, bytes sent, statuses that are right: 4xx ones, or None for a
# close without an answer)
CASES = [
    ("garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
    ("one word", b"GARBAGE\r\n\r\n"),
    ("no path", req(b"GET  HTTP/1.1", HOST)),
    ("control bytes in the method", req(b"G\x01T /api/v1/health HTTP/1.1", HOST)),
    ("huge header", req(b"GET /api/v1/health HTTP/1.1", HOST,
                        b"X-Big: " + b"a" * (70 * 1024))),
    ("many headers past 64 KiB", req(b"GET /api/v1/health HTTP/1.1", HOST,
                                     *[b"X-H%d: " % i + b"b" * 1000
                                       for i in range(80)])),
    ("huge URL", req(b"GET /api/v1/health?x=" + b"u" * (70 * 1024) +
                     b" HTTP/1.1", HOST)),
    ("header without a colon", req(b"GET /api/v1/health HTTP/1.1", HOST,
                                   b"NoColonHere")),
    ("space before the colon", req(b"GET /api/v1/health HTTP/1.1", HOST,
                                   b"X-A : b")),
    # libmicrohttpd 0.9.75 cuts the request line and header values at a
    # NUL and offers no way to see what followed it (its sizes are of what
    # precedes the NUL): the request is served as the text before it.
    pytest.param("NUL in the path",
                 req(b"GET /api/v1/me\x00/x HTTP/1.1", HOST, AUTHH),
                 marks=pytest.mark.xfail(strict=True, reason="MHD cuts at NUL")),
    pytest.param("NUL in a header",
                 req(b"GET /api/v1/me HTTP/1.1", HOST, AUTHH, b"X-A: a\x00b"),
                 marks=pytest.mark.xfail(strict=True, reason="MHD cuts at NUL")),
    pytest.param("NUL in the query",
                 req(b"GET /api/v1/captures?all=tr\x00ue HTTP/1.1", HOST,
                     AUTHH),
                 marks=pytest.mark.xfail(strict=True, reason="MHD cuts at NUL")),
    ("escaped NUL in the query", req(b"GET /api/v1/captures?all=%00 HTTP/1.1",
                                     HOST, AUTHH)),
    ("%zz in the path", req(b"GET /api/v1/storage/files/%zz HTTP/1.1", HOST,
                            AUTHH)),
    ("% at the end of the path", req(b"GET /api/v1/plans/% HTTP/1.1", HOST,
                                     AUTHH)),
    ("%0 in the path", req(b"GET /api/v1/captures/%0 HTTP/1.1", HOST, AUTHH)),
    ("not UTF-8 in the path", req(b"GET /api/v1/%ff%fe HTTP/1.1", HOST, AUTHH)),
    ("%zz in the query", req(b"GET /api/v1/captures/download?filter=%zz "
                             b"HTTP/1.1", HOST, AUTHH)),
    ("% in the query", req(b"GET /api/v1/captures?all=% HTTP/1.1", HOST, AUTHH)),
    ("%0 in the query", req(b"GET /api/v1/captures?all=%0 HTTP/1.1", HOST,
                            AUTHH)),
    ("%zz in a query name", req(b"GET /api/v1/captures?a%zz=1 HTTP/1.1", HOST,
                                AUTHH)),
    ("not UTF-8 in the query", req(b"GET /api/v1/captures?all=%ff HTTP/1.1",
                                   HOST, AUTHH)),
    ("absurd Content-Length", req(b"POST /api/v1/favourites HTTP/1.1", HOST,
                                  AUTHH, b"Content-Length: 1000000000000")),
    ("Content-Length past 64 bits", req(b"POST /api/v1/favourites HTTP/1.1",
                                        HOST, AUTHH,
                                        b"Content-Length: 99999999999999999999999")),
    ("negative Content-Length", req(b"POST /api/v1/favourites HTTP/1.1", HOST,
                                    AUTHH, b"Content-Length: -1")),
    ("Content-Length not a number", req(b"POST /api/v1/login HTTP/1.1", HOST,
                                        b"Content-Length: lots")),
    ("bad chunk size", req(b"POST /api/v1/favourites HTTP/1.1", HOST, AUTHH,
                           b"Transfer-Encoding: chunked",
                           body=b"zz\r\nabc\r\n0\r\n\r\n")),
    ("chunked body past the bound",
     req(b"POST /api/v1/favourites HTTP/1.1", HOST, AUTHH,
         b"Transfer-Encoding: chunked",
         body=(b"10000\r\n" + b"x" * 0x10000 + b"\r\n") * 5 + b"0\r\n\r\n")),
    ("HTTP/1.1 without Host", req(b"GET /api/v1/health HTTP/1.1")),
]


def case_id(c):
    return c.values[0] if hasattr(c, "values") else c[0]


@pytest.mark.parametrize("name,data", CASES, ids=[case_id(c) for c in CASES])
def test_malformed_refused(daemon, name, data):
    statuses, reply = exchange(daemon, data)
    # An answer is a refusal, or none comes and the connection is closed.
    assert all(400 <= s < 500 for s in statuses), (name, reply[:400])
    # One answer (libmicrohttpd 0.9.75 writes the head of its own 400 and
    # 413 for a bad Content-Length twice, a defect of its own).
    assert len(set(statuses)) <= 1, (name, reply[:400])
    still_up(daemon)


@pytest.mark.parametrize("data", [
    b"GET /api/v1/health\r\n",                    # HTTP/0.9
    b"GET /api/v1/health\r\n\r\n",
    req(b"GET /api/v1/health HTTP/7.3", HOST),
    req(b"GET /api/v1/health HTTP/2.0", HOST),
    req(b"GET /api/v1/health HTTPS/1.1", HOST),
], ids=["0.9", "0.9-blank-line", "7.3", "2.0", "not-http"])
def test_other_versions_not_served(daemon, data):
    """A request line without a version (HTTP/0.9, which had no status
    line) or with one the daemon does not speak gets no answer as if it
    were HTTP/1.x: a 4xx, 505 (version not supported), or a close."""
    statuses, reply = exchange(daemon, data)
    assert all(400 <= s < 500 or s == 505 for s in statuses), reply
    assert b'"status": "ok"' not in reply, reply
    still_up(daemon)


def test_bad_percent_encoding_names_the_parameter(daemon):
    for raw in ("%zz", "%", "%0", "ip%20==%2010.0.0.1%2"):
        r = daemon.get("/API/data/modules/capture?expression=" + raw +
                       "&snapPacketLength=65535")
        assert r.status == 400, (raw, r)
        msg = r.json()["error"]
        assert "'expression'" in msg and "percent-encoding" in msg, msg
    r = daemon.get("/api/v1/captures/download?duration_s=1&filter=%zz")
    assert r.status == 400 and "'filter'" in r.json()["error"]
    # Nothing started.
    assert daemon.get("/api/v1/captures").json()["captures"] == []
    # A percent sign written %25 is one.
    r = daemon.get("/api/v1/captures/download?filter=%25")
    assert r.status == 400 and "column" in r.json(), r


def test_bad_query_without_credentials_is_401(daemon):
    r = daemon.get("/API/data/modules/capture?expression=%zz", auth=False)
    assert r.status == 401


def test_slowloris(daemon):
    """Requests that stop half way hold a connection each, not the daemon:
    others are answered meanwhile, and closing them early harms nothing."""
    partial = [b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-A: ",
               b"POST /api/v1/favourites HTTP/1.1\r\nHost: x\r\n" + AUTHH +
               b"\r\nContent-Length: 100\r\n\r\n{\"name\":",
               b"GE", b"GET /api/v1/health HTTP/1.1\r\n"]
    socks = []
    for i in range(40):
        s = socket.create_connection((daemon.host, daemon.port))
        s.sendall(partial[i % len(partial)])
        socks.append(s)
    time.sleep(0.3)
    still_up(daemon)
    for s in socks[::2]:
        s.close()
    still_up(daemon)
    for s in socks[1::2]:
        s.shutdown(socket.SHUT_WR)
        s.settimeout(10)
        try:
            tail = s.recv(4096)
        except ConnectionResetError:
            tail = b""
        s.close()
        # A request cut short is not answered as if it were whole.
        assert not tail.startswith(b"HTTP/1.1 2"), tail
    still_up(daemon)


def test_pipelined(daemon):
    """Requests sent back to back on one connection are answered in order."""
    one = req(b"GET /api/v1/health HTTP/1.1", HOST)
    two = req(b"GET /api/v1/me HTTP/1.1", HOST, AUTHH)
    bad = req(b"GET /api/v1/captures?all=%zz HTTP/1.1", HOST, AUTHH)
    # Not half-closed: MHD stops at the first answer once it reads the end
    # of the client's stream.
    statuses, reply = exchange(daemon, one + two + bad + one, shut=False,
                               answers=4, timeout=5)
    assert statuses == [200, 200, 400, 200], reply
    assert reply.count(b'"status": "ok"') == 2
    assert b'"user": "admin"' in reply
    still_up(daemon)
