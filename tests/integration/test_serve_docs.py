"""The examples of docs/api.md, run as written against a live daemon, so
that the documentation cannot drift from the code: every shell command
of its ```sh blocks (curl and trawl get) is run by bash with $T, $A (and
$P) set as the document says, in the document's order, and each must be
answered 2xx.

What the examples cannot know is substituted, each for a reason given in
SUBST: the real password and CSRF token, the id of a capture that runs,
durations shortened to a second, Allegro times around now instead of
2018 (an end in the past is refused). Files and captures the examples
refer to are made beforehand (`prepare`). The port capturer's examples
need live capture: they run against a second daemon capturing on a veth
pair (root only), and get UDP frames to port 5000 once started."""
import json
import os
import pathlib
import re
import shlex
import subprocess
import time

import pytest

from conftest import need
from netns import PYTHON, SENDER, udp_frame
from serve_util import TRAWL, Daemon, serving, trace, wait_for  # noqa: F401

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api.md"


def doc_commands():
    """(line, command, variables) for every command of the ```sh blocks,
    continuation lines joined; variables are the block's assignments."""
    out = []
    lines = DOC.read_text().splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```sh":
            i += 1
            continue
        i += 1
        vars_ = {}
        while i < len(lines) and lines[i].strip() != "```":
            start, cmd = i + 1, lines[i]
            # A command goes on while it ends in a backslash or a quote is
            # open.
            while True:
                try:
                    shlex.split(cmd.rstrip("\\"))
                    complete = not cmd.endswith("\\")
                except ValueError:
                    complete = False
                if complete or i + 1 >= len(lines):
                    break
                i += 1
                cmd = (cmd[:-1] if cmd.endswith("\\") else cmd + "\n") + \
                    lines[i]
            i += 1
            words = shlex.split(cmd, comments=True)
            if words and all(re.fullmatch(r"\w+=\S*", w) for w in words):
                vars_.update(w.split("=", 1) for w in words)
            elif words:
                out.append((start, cmd, dict(vars_)))
        i += 1
    return out


def test_doc_commands_found():
    cmds = doc_commands()
    assert len(cmds) > 60
    assert all(c.split()[0] in ("curl", "trawl") for _, c, _ in cmds), \
        [c for _, c, _ in cmds if c.split()[0] not in ("curl", "trawl")]


# (pattern, replacement, why)
SUBST = [
    (r"duration_s=\d+", "duration_s=1", "a second is enough to check it"),
    (r'"duration_s": \d+', '"duration_s": 1', "the same for disk captures"),
    (r"--duration \d+", "--duration 1", "and for trawl get"),
    (r"startTime=\d+", lambda env: f"startTime={int(time.time() * 1e6)}",
     "the example's times are of 2018; an end in the past is refused"),
    (r"endTime=\d+",
     lambda env: f"endTime={int(time.time() * 1e6) + 1_500_000}",
     "an end a second and a half from now"),
    (r"captures/7\b", lambda env: f"captures/{env.get('capture', 7)}",
     "a capture that runs, started for the example"),
    (r"PASSWORD", lambda env: env["password"], "the admin's real password"),
    (r"TOKEN", lambda env: env.get("csrf", "TOKEN"),
     "the token the login example returned"),
    (r"ports/eth0", lambda env: f"ports/{env.get('port', 'eth0')}",
     "the interface the live daemon captures on"),
]

STORE_FILE = "dns/trawl-20240501-120000.pcapng"


def substitute(cmd, env):
    for pat, rep, _why in SUBST:
        cmd = re.sub(pat, rep(env) if callable(rep) else rep, cmd)
    return cmd


def disk_capture(d, directory, name, seconds=1):
    r = d.post("/api/v1/captures", {"type": "disk", "directory": directory,
                                    "file_name": name, "duration_s": seconds})
    assert r.status == 201, r
    return r.json()["id"]


def prepare(d, cmd, env):
    """Makes what the example refers to exist."""
    if STORE_FILE in cmd and not (d.data_dir / "captures" / STORE_FILE).exists():
        cid = disk_capture(d, "dns", "trawl-20240501-120000")
        assert wait_for(lambda: d.get(f"/api/v1/captures/{cid}").json()
                        .get("state") == "finished", timeout=15)
        assert (d.data_dir / "captures" / STORE_FILE).exists()
    if re.search(r"captures/7\b", cmd) and "capture" not in env:
        env["capture"] = disk_capture(d, "running", "cap", seconds=600)
    # Earlier examples leave disk captures running; the limit of
    # concurrent captures is not what is being checked.
    running = d.get("/api/v1/captures").json()["captures"]
    for c in running:
        if c["id"] != env.get("capture") and c.get("type") == "disk":
            d.delete(f"/api/v1/captures/{c['id']}")


def run(d, cmd, env, cwd, netvars):
    """Runs one example; (curl's exit status, HTTP statuses, stdout)."""
    shell_env = dict(os.environ)
    shell_env.update(netvars)
    shell_env["PATH"] = f"{TRAWL.parent}:{shell_env['PATH']}"
    # Each curl reports the status on standard error, after its own
    # output, wherever that goes (-o, -O or a redirection).
    wrapper = ("curl() { command curl -sS --max-time 8 "
               "-w '%{stderr}HTTP-STATUS %{http_code}\\n' \"$@\"; }\n")
    p = subprocess.run(["bash", "-c", wrapper + cmd], cwd=cwd, env=shell_env,
                       capture_output=True, text=True, timeout=60)
    statuses = [int(s) for s in re.findall(r"HTTP-STATUS (\d+)", p.stderr)]
    return p.returncode, statuses, p.stdout, p.stderr


def after(d, cmd, out, env):
    """What an example changed that later ones depend on."""
    if "/api/v1/login" in cmd:
        env["csrf"] = json.loads(out)["csrf_token"]
    if "/api/v1/me/password" in cmd:
        # Later examples log in with the documented password again.
        m = re.search(r'"password": "([^"]+)"', cmd)
        r = d.put("/api/v1/me/password",
                  {"old_password": m.group(1), "password": d.password},
                  password=m.group(1))
        assert r.status == 200, r
    if re.search(r"capturer/state", cmd) and "START" in cmd:
        env["send"]()


def check_all(d, commands, tmp_path, env, netvars):
    failures = []
    for line, raw, block_vars in commands:
        prepare(d, raw, env)
        cmd = substitute(raw, env)
        bvars = dict(netvars)
        for k, v in block_vars.items():
            bvars[k] = substitute(v, env).replace("$T", netvars["T"])
        rc, statuses, out, err = run(d, cmd, env, tmp_path, bvars)
        streaming = re.search(r"-o |-O |> ", cmd) and rc == 28
        ok = (rc == 0 or streaming) and statuses and \
            all(200 <= s < 300 for s in statuses)
        if cmd.split()[0] == "trawl":
            ok = rc == 0
        if not ok:
            failures.append(f"docs/api.md:{line}: {cmd}\n  exit {rc}, "
                            f"HTTP {statuses}: {out[-300:]} {err[-300:]}")
            continue
        after(d, cmd, out, env)
    return failures


def is_ports(cmd):
    return "$P" in cmd or "/api/v1/ports" in cmd


def test_doc_examples(tmp_path, trace):
    need("curl")
    commands = [c for c in doc_commands() if not is_ports(c[1])]
    with serving(tmp_path, trace[0], ["--speed", "realtime", "--loop"]) as d:
        env = {"password": d.password}
        netvars = {"T": d.url, "A": f"admin:{d.password}"}
        work = tmp_path / "work"
        work.mkdir()
        failures = check_all(d, commands, work, env, netvars)
    assert not failures, "\n".join(failures)


@pytest.mark.skipif(os.geteuid() != 0, reason="live capture needs root")
def test_doc_port_examples(tmp_path):
    need("curl")
    commands = [c for c in doc_commands() if is_ports(c[1])]
    assert len(commands) >= 15
    uid = f"{os.getpid() % 100000}"
    ns, a, b = f"sq{uid}d", f"sq{uid}a", f"sq{uid}b"

    def sh(*args):
        return subprocess.run(args, capture_output=True, text=True)

    try:
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        sh("ip", "link", "set", b, "netns", ns)
        sh("sysctl", "-qw", f"net.ipv6.conf.{a}.disable_ipv6=1")
        sh("ip", "link", "set", a, "up")
        sh("ip", "netns", "exec", ns, "ip", "link", "set", b, "up")

        def send():
            frames = "".join(udp_frame(b"x" * 40, dport=5000).hex() + "\n"
                             for _ in range(5))
            r = subprocess.run(["ip", "netns", "exec", ns, PYTHON, "-c",
                                SENDER, b, "0.01"], input=frames,
                               capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            time.sleep(0.3)

        d = Daemon(tmp_path, args=["-i", a]).start()
        try:
            wait_for(lambda: open(f"/sys/class/net/{a}/operstate").read()
                     .strip() == "up", timeout=5)
            env = {"password": d.password, "port": a, "send": send}
            netvars = {"T": d.url, "A": f"admin:{d.password}"}
            failures = check_all(d, commands, tmp_path, env, netvars)
        finally:
            d.stop()
            log = d.log_text()
            assert "AddressSanitizer" not in log, log
        assert not failures, "\n".join(failures)
    finally:
        sh("ip", "link", "del", a)
        sh("ip", "netns", "del", ns)
