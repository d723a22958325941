#!/usr/bin/python3
"""Real NFS traffic, captured: an NFS server and its clients in network
namespaces of their own, tcpdump on the link between them.

    /usr/bin/python3 tests/integration/nfs_traffic.py OUTDIR

writes one trace per scenario into OUTDIR (and `manifest.json`, what each
scenario did); importing the module gives generate(OUTDIR) for tests. Needs
root, nfs-ganesha (with its VFS backend), rpcbind, tcpdump and
libnfs-utils.

The server is nfs-ganesha (NFS v3 and v4.0-4.2, MOUNT v3 and NLM v4,
registered with rpcbind) in namespace tr<pid>s (TRAWL_NETNS_PREFIX
replaces tr), exporting a temporary directory; the clients run in
tr<pid>c, across a veth pair whose offloads
are off so that segments are the size of the MTU and large RPC records
span many of them. Both rpcbind and ganesha get a private /run, so
nothing on the host (or of another test run) is touched.

Clients:

  * libnfs-utils (nfs-ls, nfs-cp, nfs-cat), a third-party client: PORTMAP,
    MOUNT and NFS v3 over TCP, and NFS v4.0 (SETCLIENTID, OPEN, READ,
    WRITE, CLOSE, READDIR, ...);
  * this file's own client (run in the client namespace as
    `nfs_traffic.py --client SCENARIO SERVER`), for what libnfs does not
    speak: NFS v4.1 and v4.2 sessions (EXCHANGE_ID, CREATE_SESSION,
    SEQUENCE, OPEN/WRITE/READ/CLOSE, READDIR, SEEK, ALLOCATE,
    READ_PLUS, DESTROY_SESSION), RPC over UDP (PORTMAP, MOUNT, NFS v3),
    pipelined calls (several records in one segment) and NLM v4 (TEST,
    LOCK, UNLOCK, CANCEL).

Every loop is bounded; every process started is stopped and the
namespaces are deleted, also when something fails.
"""
import json
import os
import pathlib
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import xdr  # noqa: E402  (needs the path above)

SERVER_IP, CLIENT_IP = "10.77.0.1", "10.77.0.2"
NFS_PORT, MNT_PORT, NLM_PORT = 2049, 20048, 32803
TIMEOUT = 10          # seconds for any one client step
EXPORT = "/export"    # the NFS v4 pseudo path of the export

SCENARIOS = ["v3", "v40", "v41", "v42", "udp", "nlm"]

GANESHA_CONF = """
NFS_CORE_PARAM {{
    Protocols = 3, 4;
    NFS_Port = {nfs};
    MNT_Port = {mnt};
    NLM_Port = {nlm};
    Enable_RQUOTA = false;
    Enable_NLM = true;
}}
NFSv4 {{
    Graceless = true;
    Minor_Versions = 0, 1, 2;
    RecoveryBackend = fs;
    RecoveryRoot = {root}/recovery;
}}
EXPORT {{
    Export_Id = 1;
    Path = {root}/export;
    Pseudo = {pseudo};
    Access_Type = RW;
    Squash = No_Root_Squash;
    SecType = sys;
    Protocols = 3, 4;
    Transports = TCP, UDP;
    FSAL {{ Name = VFS; }}
}}
LOG {{ Default_Log_Level = EVENT; }}
"""

# Started in the server namespace: a private /run for rpcbind and ganesha,
# rpcbind first (ganesha registers MOUNT, NLM and NFS with it), then
# ganesha in the foreground so that killing this shell's children ends it.
SERVER_SH = """
set -e
mount -t tmpfs tmpfs /run
mkdir -p /run/ganesha
rpcbind -f -w &
echo $! > {root}/rpcbind.pid
for i in $(seq 50); do [ -S /run/rpcbind.sock ] && break; sleep 0.1; done
exec ganesha.nfsd -F -f {root}/ganesha.conf -L {root}/ganesha.log \
    -p {root}/ganesha.pid -N NIV_EVENT
"""


def run(*cmd, check=True, **kw):
    return subprocess.run(cmd, check=check, capture_output=True, text=True,
                          timeout=60, **kw)


class Lab:
    """The namespaces, the link, the server; a context manager that cleans
    everything up."""

    def __init__(self, workdir):
        tag = os.environ.get("TRAWL_NETNS_PREFIX", "tr") + f"{os.getpid() % 10000000}"
        self.srv_ns, self.cli_ns = tag + "s", tag + "c"
        self.srv_if, self.cli_if = tag + "a", tag + "b"
        self.root = pathlib.Path(workdir)
        self.server = None

    def __enter__(self):
        try:
            self._setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def ns(self, ns, *cmd, **kw):
        return run("ip", "netns", "exec", ns, *cmd, **kw)

    def _setup(self):
        run("ip", "netns", "add", self.srv_ns)
        run("ip", "netns", "add", self.cli_ns)
        run("ip", "link", "add", self.srv_if, "type", "veth", "peer", "name",
            self.cli_if)
        run("ip", "link", "set", self.srv_if, "netns", self.srv_ns)
        run("ip", "link", "set", self.cli_if, "netns", self.cli_ns)
        for ns, dev, ip in ((self.srv_ns, self.srv_if, SERVER_IP),
                            (self.cli_ns, self.cli_if, CLIENT_IP)):
            self.ns(ns, "ip", "link", "set", "lo", "up")
            self.ns(ns, "ip", "addr", "add", ip + "/24", "dev", dev)
            self.ns(ns, "ip", "link", "set", dev, "up")
            # Segments of MTU size: without offloads the records of large
            # READs and WRITEs span tens of segments, as on a real wire;
            # and checksums computed before the capture sees them.
            if shutil.which("ethtool"):
                self.ns(ns, "ethtool", "-K", dev, "tso", "off", "gso", "off",
                        "gro", "off", "tx", "off", check=False)
        for d in ("export", "recovery"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        (self.root / "export" / "hello.txt").write_text("hello, trawl\n")
        (self.root / "export" / "sub").mkdir(exist_ok=True)
        (self.root / "export" / "sub" / "inner.txt").write_text("inner\n")
        big = bytes((i * 7 + 3) & 0xff for i in range(200000))
        (self.root / "export" / "big.bin").write_bytes(big)
        (self.root / "ganesha.conf").write_text(GANESHA_CONF.format(
            nfs=NFS_PORT, mnt=MNT_PORT, nlm=NLM_PORT, root=self.root,
            pseudo=EXPORT))
        self.server = subprocess.Popen(
            ["ip", "netns", "exec", self.srv_ns, "sh", "-c",
             SERVER_SH.format(root=self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_for_server()

    def _wait_for_server(self):
        deadline = time.monotonic() + 30
        want = {str(p) for p in (111, NFS_PORT, MNT_PORT, NLM_PORT)}
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError("ganesha exited: " + self.log_tail())
            out = self.ns(self.srv_ns, "ss", "-Hltn", check=False).stdout
            ports = {line.split()[3].rsplit(":", 1)[-1]
                     for line in out.splitlines() if len(line.split()) > 3}
            if want <= ports:
                return
            time.sleep(0.2)
        raise RuntimeError("ganesha did not listen in 30 s: " + self.log_tail())

    def log_tail(self):
        log = self.root / "ganesha.log"
        return log.read_text()[-2000:] if log.exists() else "(no log)"

    def close(self):
        # Every process in our namespaces is ours: stop them by pid.
        for ns in (self.srv_ns, self.cli_ns):
            out = run("ip", "netns", "pids", ns, check=False).stdout
            for pid in out.split():
                try:
                    os.kill(int(pid), signal.SIGTERM)
                except (ProcessLookupError, ValueError):
                    pass
        if self.server:
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        for ns in (self.srv_ns, self.cli_ns):
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                out = run("ip", "netns", "pids", ns, check=False).stdout
                if not out.split():
                    break
                for pid in out.split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except (ProcessLookupError, ValueError):
                        pass
                time.sleep(0.1)
            run("ip", "netns", "del", ns, check=False)

    # ---- capture ----

    def capture(self, path):
        return Capture(self, path)

    # ---- clients ----

    def client(self, *cmd, check=True):
        r = subprocess.run(["ip", "netns", "exec", self.cli_ns, *cmd],
                           capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            raise RuntimeError(f"{cmd}: exit {r.returncode}: {r.stderr[-2000:]}"
                               f"\nserver log: {self.log_tail()}")
        return r


class Capture:
    """tcpdump on the server's end of the link, from the moment it says it
    listens until stopped (SIGINT, so that it writes everything)."""

    def __init__(self, lab, path):
        self.lab, self.path = lab, path

    def __enter__(self):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.lab.srv_ns, "tcpdump", "-i",
             self.lab.srv_if, "-s", "0", "-U", "--immediate-mode", "-w",
             str(self.path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        if "listening" not in line:
            self.proc.kill()
            raise RuntimeError("tcpdump: " + line + self.proc.stderr.read())
        return self

    def __exit__(self, *exc):
        time.sleep(0.3)     # the last replies reach the capture
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---- the scenarios, as run from the host ---------------------------------------


def scenario_v3(lab, done):
    url = f"nfs://{SERVER_IP}{lab.root}/export"
    src = lab.root / "upload.bin"
    src.write_bytes(bytes((i * 13) & 0xff for i in range(300000)))
    lab.client("nfs-ls", url)
    lab.client("nfs-ls", url + "/sub")
    lab.client("nfs-cat", url + "/hello.txt")
    lab.client("nfs-cp", str(src), url + "/upload3.bin")
    lab.client("nfs-cp", url + "/big.bin", str(lab.root / "down3.bin"))
    done["v3"] = ["nfs-ls", "nfs-ls sub", "nfs-cat", "nfs-cp up", "nfs-cp down"]


def scenario_v40(lab, done):
    url = f"nfs://{SERVER_IP}{EXPORT}"
    src = lab.root / "upload4.bin"
    # libnfs 4.0 fails to copy files of more than a few KiB to an NFS v4
    # server ("Failed to write to dest file", and no WRITE is sent): this
    # one stays small. The v4.1 scenario writes large records.
    src.write_bytes(bytes((i * 17) & 0xff for i in range(2000)))
    lab.client("nfs-ls", url + "?version=4")
    lab.client("nfs-cat", url + "/hello.txt?version=4")
    lab.client("nfs-cp", str(src), url + "/upload40.bin?version=4")
    lab.client("nfs-cp", url + "/big.bin?version=4", str(lab.root / "down40.bin"))
    done["v40"] = ["nfs-ls", "nfs-cat", "nfs-cp up", "nfs-cp down"]


def scenario_own(lab, done, name):
    r = lab.client("/usr/bin/python3", str(pathlib.Path(__file__).resolve()),
                   "--client", name, SERVER_IP, str(lab.root))
    done[name] = json.loads(r.stdout)


def generate(outdir, scenarios=SCENARIOS):
    """Writes OUTDIR/<scenario>.pcap for each scenario and
    OUTDIR/manifest.json; returns {scenario: path}."""
    outdir = pathlib.Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    done, paths = {}, {}
    with tempfile.TemporaryDirectory(prefix="trawl-nfs-") as tmp:
        os.chmod(tmp, 0o755)
        with Lab(tmp) as lab:
            for name in scenarios:
                path = outdir / f"nfs-{name}.pcap"
                with lab.capture(path):
                    if name == "v3":
                        scenario_v3(lab, done)
                    elif name == "v40":
                        scenario_v40(lab, done)
                    else:
                        scenario_own(lab, done, name)
                os.chmod(path, 0o644)
                paths[name] = path
    (outdir / "manifest.json").write_text(json.dumps(done, indent=1, default=str))
    return paths


# ---- the client side (runs inside the client namespace) -----------------------


class Rpc:
    """A minimal ONC RPC client over TCP (record marking) or UDP."""

    def __init__(self, host, port, proto="tcp", xid=0x54520000):
        self.proto = proto
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect((host, port))
        self.xid = xid

    def close(self):
        self.sock.close()

    def next_xid(self):
        self.xid = (self.xid + 1) & 0xffffffff
        return self.xid

    def send(self, msgs, fragments=1):
        """Sends the call messages in one write (several records in one
        segment when they fit)."""
        if self.proto == "tcp":
            self.sock.sendall(b"".join(xdr.record(m, fragments) for m in msgs))
        else:
            for m in msgs:
                self.sock.send(m)

    def _recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("server closed the connection")
            buf += chunk
        return buf

    def receive(self):
        if self.proto == "udp":
            return self.sock.recv(65536)
        msg = b""
        for _ in range(1024):
            mark, = struct.unpack(">I", self._recv_exact(4))
            msg += self._recv_exact(mark & 0x7fffffff)
            if mark & 0x80000000:
                return msg
        raise ValueError("record of more than 1024 fragments")

    def call(self, prog, vers, proc, args=b"", fragments=1):
        xid = self.next_xid()
        self.send([xdr.call(xid, prog, vers, proc, args)], fragments)
        for _ in range(16):
            rxid, rstat, astat, results = xdr.parse_reply(self.receive())
            if rxid == xid:
                if rstat != 0 or astat != 0:
                    raise RuntimeError(f"RPC {prog}/{vers}/{proc}: reply_stat "
                                       f"{rstat} accept_stat {astat}")
                return results
        raise RuntimeError("no reply with xid %#x" % xid)

    def pipeline(self, prog, vers, calls):
        """Sends several calls at once, returns their results in order."""
        xids = [self.next_xid() for _ in calls]
        self.send([xdr.call(x, prog, vers, proc, args)
                   for x, (proc, args) in zip(xids, calls)])
        got = {}
        for _ in range(4 * len(calls)):
            if len(got) == len(calls):
                break
            rxid, rstat, astat, results = xdr.parse_reply(self.receive())
            got[rxid] = results
        return [got[x] for x in xids]


class Nfs4Session:
    """An NFS v4.1/4.2 client session: EXCHANGE_ID, CREATE_SESSION, then
    compounds behind SEQUENCE."""

    def __init__(self, server, minor, owner):
        self.rpc = Rpc(server, NFS_PORT, xid=0x41000000 + minor * 0x100000)
        self.minor = minor
        self.seq = 1
        r = self.compound([xdr.op_exchange_id(owner, flags=0x1)], seq=False)
        eid = r.find("EXCHANGE_ID")
        self.clientid = eid["clientid"]
        r = self.compound([xdr.op_create_session(self.clientid, eid["seq"])],
                          seq=False)
        self.sessionid = r.find("CREATE_SESSION")["sessionid"]
        self.compound([xdr.op_reclaim_complete()])

    def compound(self, ops, seq=True, check=True, tag=b""):
        if seq:
            ops = [xdr.op_sequence(self.sessionid, self.seq)] + ops
            self.seq += 1
        res = self.rpc.call(xdr.PROG_NFS, 4, 1,
                            xdr.compound(ops, self.minor, tag))
        r = xdr.CompoundResult(res)
        if check and r.status != 0:
            raise RuntimeError(f"compound status {r.status}: {r.ops}")
        return r

    def close(self):
        self.compound([xdr.op_destroy_session(self.sessionid)], seq=False)
        self.compound([xdr.op_destroy_clientid(self.clientid)], seq=False)
        self.rpc.close()


def client_v4x(server, root, minor):
    done = []
    s = Nfs4Session(server, minor, b"trawl-client-%d" % minor)
    done += ["EXCHANGE_ID", "CREATE_SESSION", "RECLAIM_COMPLETE"]
    attrs = [xdr.FATTR[a] for a in ("supported_attrs", "type", "change",
                                    "size", "fsid", "fileid", "mode",
                                    "fs_layout_types")]
    r = s.compound([xdr.op("PUTROOTFH"),
                    xdr.op_lookup(EXPORT.strip("/")), xdr.op("GETFH"),
                    xdr.op_getattr(attrs)])
    root_fh = r.find("GETFH")["fh"]
    done.append("LOOKUP export, GETATTR with fs_layout_types")
    # A lookup that fails: the compound stops with NFS4ERR_NOENT.
    r = s.compound([xdr.op_putfh(root_fh), xdr.op_lookup("no-such-file"),
                    xdr.op("GETFH")], check=False)
    assert r.status == 2, r.status
    done.append("LOOKUP no-such-file -> NFS4ERR_NOENT")
    name = "file4%d.txt" % minor
    owner = b"open-owner-%d" % minor
    r = s.compound([xdr.op_putfh(root_fh),
                    xdr.op_open(0, s.clientid, owner, name),
                    xdr.op("GETFH"), xdr.op_getattr([xdr.FATTR["size"]])])
    sid = r.find("OPEN")["stateid"]
    fh = r.find("GETFH")["fh"]
    done.append("OPEN create " + name)
    data = bytes((i * 31 + minor) & 0xff for i in range(100000))
    r = s.compound([xdr.op_putfh(fh), xdr.op_write(sid, 0, data),
                    xdr.op_getattr([xdr.FATTR["size"], xdr.FATTR["change"]])])
    done.append("WRITE 100000 bytes (one record over many segments)")
    r = s.compound([xdr.op_putfh(fh), xdr.op_read(sid, 0, 100000)])
    assert r.find("READ")["data"] == data
    done.append("READ 100000 bytes")
    if minor >= 2:
        r = s.compound([xdr.op_putfh(fh), xdr.op_seek(sid, 0, 1)], check=False)
        done.append("SEEK status %d" % r.status)
        r = s.compound([xdr.op_putfh(fh), xdr.op_allocate(sid, 0, 200000)],
                       check=False)
        done.append("ALLOCATE status %d" % r.status)
        r = s.compound([xdr.op_putfh(fh), xdr.op_read_plus(sid, 0, 4096)],
                       check=False)
        done.append("READ_PLUS status %d" % r.status)
    r = s.compound([xdr.op_putfh(fh), xdr.op_close(0, sid)])
    done.append("CLOSE")
    # Pipelined: two compounds in one write, whose replies may share a
    # segment.
    # Each on a slot of its own (first use: sequence id 1), since the
    # server sees the second before it has answered the first.
    calls = []
    for slot in (1, 2):
        ops = [xdr.op_sequence(s.sessionid, 1, slot, 2), xdr.op_putfh(root_fh),
               xdr.op_getattr([xdr.FATTR["type"], xdr.FATTR["fileid"]])]
        calls.append((1, xdr.compound(ops, minor)))
    s.rpc.pipeline(xdr.PROG_NFS, 4, calls)
    done.append("two pipelined GETATTR compounds")
    r = s.compound([xdr.op_putfh(root_fh), xdr.op_readdir()])
    done.append("READDIR: %s" % sorted(n.decode() for n in r.find("READDIR")["names"]))
    r = s.compound([xdr.op_putfh(root_fh), xdr.op_remove(name)])
    done.append("REMOVE " + name)
    s.close()
    done += ["DESTROY_SESSION", "DESTROY_CLIENTID"]
    return done


def client_udp(server, root):
    """PORTMAP, MOUNT and NFS v3 over UDP, one call per datagram."""
    done = []
    pm = Rpc(server, 111, "udp", xid=0x55000000)
    pm.call(xdr.PROG_PORTMAP, 2, 0)
    port = struct.unpack(">I", pm.call(xdr.PROG_PORTMAP, 2, 3, xdr.pmap_mapping(
        xdr.PROG_MOUNT, 3, xdr.IPPROTO_UDP))[:4])[0]
    pm.call(xdr.PROG_PORTMAP, 2, 4)                  # DUMP
    # A program nobody registered: GETPORT answers 0.
    pm.call(xdr.PROG_PORTMAP, 2, 3, xdr.pmap_mapping(399999, 1, xdr.IPPROTO_UDP))
    done += ["PMAP NULL", "PMAP GETPORT MOUNT -> %d" % port, "PMAP DUMP",
             "PMAP GETPORT unknown"]
    mnt = Rpc(server, port, "udp", xid=0x55100000)
    mnt.call(xdr.PROG_MOUNT, 3, 0)
    status, fh = xdr.parse_mnt(mnt.call(xdr.PROG_MOUNT, 3, 1,
                                        xdr.mnt_path(f"{root}/export")))
    assert status == 0, status
    mnt.call(xdr.PROG_MOUNT, 3, 5)                   # EXPORT
    mnt.call(xdr.PROG_MOUNT, 3, 2)                   # DUMP
    status, _ = xdr.parse_mnt(mnt.call(xdr.PROG_MOUNT, 3, 1,
                                       xdr.mnt_path("/no/such/export")))
    done += ["MNT NULL", "MNT", "MNT EXPORT", "MNT DUMP",
             "MNT unknown path -> %d" % status]
    nfs = Rpc(server, NFS_PORT, "udp", xid=0x55200000)
    nfs.call(xdr.PROG_NFS, 3, 1, xdr.nfs3_fh(fh))            # GETATTR
    nfs.call(xdr.PROG_NFS, 3, 4, xdr.nfs3_access(fh))         # ACCESS
    res = nfs.call(xdr.PROG_NFS, 3, 3, xdr.nfs3_diropargs(fh, "hello.txt"))
    u = xdr.Unpacker(res)
    assert u.u32() == 0
    file_fh = u.opaque()
    nfs.call(xdr.PROG_NFS, 3, 6, xdr.nfs3_read(file_fh, 0, 4096))   # READ
    nfs.call(xdr.PROG_NFS, 3, 3, xdr.nfs3_diropargs(fh, "missing"))  # NOENT
    nfs.call(xdr.PROG_NFS, 3, 18, xdr.nfs3_fh(fh))           # FSSTAT
    done += ["NFS3 GETATTR", "ACCESS", "LOOKUP", "READ", "LOOKUP NOENT",
             "FSSTAT"]
    mnt.call(xdr.PROG_MOUNT, 3, 3, xdr.mnt_path(f"{root}/export"))  # UMNT
    done.append("UMNT")
    for r in (pm, mnt, nfs):
        r.close()
    return done


def client_nlm(server, root):
    """NLM v4 against the lock manager rpcbind names, over TCP and UDP."""
    done = []
    pm = Rpc(server, 111, "tcp", xid=0x4e000000)
    ports = {}
    for proto in (xdr.IPPROTO_TCP, xdr.IPPROTO_UDP):
        res = pm.call(xdr.PROG_PORTMAP, 2, 3,
                      xdr.pmap_mapping(xdr.PROG_NLM, 4, proto))
        ports[proto] = struct.unpack(">I", res[:4])[0]
    pm.close()
    done.append("PMAP GETPORT NLM -> %s" % ports)
    mnt = Rpc(server, MNT_PORT, "tcp", xid=0x4e100000)
    status, fh = xdr.parse_mnt(mnt.call(xdr.PROG_MOUNT, 3, 1,
                                        xdr.mnt_path(f"{root}/export")))
    nfs = Rpc(server, NFS_PORT, "tcp", xid=0x4e200000)
    u = xdr.Unpacker(nfs.call(xdr.PROG_NFS, 3, 3,
                              xdr.nfs3_diropargs(fh, "hello.txt")))
    assert u.u32() == 0
    file_fh = u.opaque()
    nfs.close()
    for proto, name in ((xdr.IPPROTO_TCP, "tcp"), (xdr.IPPROTO_UDP, "udp")):
        nlm = Rpc(server, ports[proto], name, xid=0x4e300000 + proto * 0x1000)
        lock = xdr.nlm4_lock("trawl-client", file_fh, b"owner-%s" % name.encode(),
                             4242, 0, 100)
        nlm.call(xdr.PROG_NLM, 4, 0)
        res = []
        res.append(nlm.call(xdr.PROG_NLM, 4, 1, xdr.nlm4_testargs(b"c1", True, lock)))
        res.append(nlm.call(xdr.PROG_NLM, 4, 2,
                            xdr.nlm4_lockargs(b"c2", False, True, lock)))
        res.append(nlm.call(xdr.PROG_NLM, 4, 1, xdr.nlm4_testargs(b"c3", True, lock)))
        res.append(nlm.call(xdr.PROG_NLM, 4, 4, xdr.nlm4_unlockargs(b"c4", lock)))
        res.append(nlm.call(xdr.PROG_NLM, 4, 3,
                            xdr.nlm4_cancargs(b"c5", False, True, lock)))
        stats = []
        for r in res:
            u = xdr.Unpacker(r)
            u.opaque()
            stats.append(u.u32())
        done.append(f"NLM over {name}: TEST LOCK TEST UNLOCK CANCEL -> {stats}")
        nlm.close()
    mnt.call(xdr.PROG_MOUNT, 3, 3, xdr.mnt_path(f"{root}/export"))
    mnt.close()
    return done


def client_main(scenario, server, root):
    if scenario == "v41":
        done = client_v4x(server, root, 1)
    elif scenario == "v42":
        done = client_v4x(server, root, 2)
    elif scenario == "udp":
        done = client_udp(server, root)
    elif scenario == "nlm":
        done = client_nlm(server, root)
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    print(json.dumps(done))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--client":
        client_main(*sys.argv[2:])
    elif len(sys.argv) == 2:
        for name, path in generate(sys.argv[1]).items():
            print(f"{name}: {path}")
    else:
        raise SystemExit(__doc__)
