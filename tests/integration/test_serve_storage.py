"""trawl serve when storage fails: a capture directory that cannot be
written, a disk that fills up (a small tmpfs the test mounts), a catalog
that is not a database or is damaged. Each failure is told plainly (an
HTTP error naming what and where, a finished capture whose end reason
says why, a start-up message naming the file), and nothing captured
before is lost: finished files stay listed, downloadable and readable.
Mounting needs root."""
import os
import shutil
import subprocess
import time

import pytest

from conftest import need
from serve_util import (TRAWL, Daemon, bulk_trace, capinfos, serving,
                        wait_finished)

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="mounting a tmpfs needs root")


def mount_tmpfs(path, *opts):
    path.mkdir(parents=True, exist_ok=True)
    o = ",".join(("size=2m",) + opts)
    subprocess.run(["mount", "-t", "tmpfs", "-o", o, "tmpfs", str(path)],
                   check=True)


def umount(path):
    subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def bulk(tmp_path):
    path = tmp_path / "bulk.pcap"
    bulk_trace(path, 2000, size=1000)
    return path


def finished_file(d, directory):
    """A disk capture of a second into directory; its record."""
    r = d.post("/api/v1/captures", {"type": "disk", "directory": directory,
                                    "duration_s": 0.5})
    assert r.status == 201, r
    rec = wait_finished(d, r.json()["id"], timeout=20)
    assert rec["files"], rec
    return rec


def assert_kept(d, rec, tmp_path):
    """rec's files are listed and download whole, readable by capinfos."""
    listed = {f["path"]: f for f in d.get("/api/v1/storage").json()["files"]}
    for name in rec["files"]:
        assert name in listed, (name, sorted(listed))
        r = d.get("/api/v1/storage/files/" + name)
        assert r.status == 200, r
        assert len(r.body) == listed[name]["size"] > 0
        out = tmp_path / os.path.basename(name)
        out.write_bytes(r.body)
        rc, info, err = capinfos(out)
        assert rc == 0, err


def test_directory_not_writable(tmp_path, bulk):
    need("capinfos")
    data = tmp_path / "data"
    ro = data / "captures" / "ro"
    ro.mkdir(parents=True)
    mount_tmpfs(ro, "ro")
    try:
        with serving(tmp_path, bulk, ["--speed", "max", "--loop"]) as d:
            before = finished_file(d, "ok")
            for body in ({"type": "disk", "directory": "ro"},
                         {"type": "disk", "directory": "ro/sub"}):
                r = d.post("/api/v1/captures", body)
                assert 400 <= r.status < 600 and r.status != 201, r
                msg = r.json()["error"]
                assert "'ro" in msg and "Read-only file system" in msg, msg
            # The failed starts left records that say why.
            fin = d.get("/api/v1/captures/finished").json()["captures"]
            failed = [c for c in fin if c["end_reason"].startswith("error")]
            assert failed and all("Read-only" in c["end_reason"]
                                  for c in failed), fin
            assert_kept(d, before, tmp_path)
            assert d.get("/api/v1/health").status == 200
    finally:
        umount(ro)


def test_disk_full(tmp_path, bulk):
    need("capinfos")
    data = tmp_path / "data"
    full = data / "captures" / "full"
    full.mkdir(parents=True)
    mount_tmpfs(full)
    try:
        with serving(tmp_path, bulk, ["--speed", "max", "--loop"]) as d:
            before = finished_file(d, "ok")
            r = d.put("/api/v1/settings", {"split_size_bytes": 512 * 1024})
            assert r.status == 200, r
            r = d.post("/api/v1/captures", {"type": "disk",
                                            "directory": "full"})
            assert r.status == 201, r
            rec = wait_finished(d, r.json()["id"], timeout=60)
            why = rec["end_reason"]
            assert why.startswith("error: ") and "No space left" in why, why
            assert "full/" in why, why  # names the file
            # The files of the capture, all but the one that did not fit,
            # are whole and kept.
            assert len(rec["files"]) >= 3, rec
            assert_kept(d, {"files": rec["files"][:-1]}, tmp_path)
            assert_kept(d, before, tmp_path)
            log = d.log_text()
            assert "No space left" in log
            # While it is full, a disk capture there is refused at once.
            r = d.post("/api/v1/captures", {"type": "disk",
                                            "directory": "full"})
            assert r.status == 500, r
            msg = r.json()["error"]
            assert "'full'" in msg and "no space left" in msg, msg
            # Elsewhere, and for downloads, the daemon goes on.
            assert_kept(d, finished_file(d, "ok"), tmp_path)
            # Room made, the same directory takes a capture again.
            for name in rec["files"]:
                assert d.delete("/api/v1/storage/files/" + name).status == 200
            assert_kept(d, finished_file(d, "full"), tmp_path)
    finally:
        umount(full)


def start_fails(tmp_path, data):
    pw = tmp_path / "pw"
    pw.write_text("admin-secret-1\n")
    p = subprocess.run([str(TRAWL), "serve", "--listen", "127.0.0.1:0",
                        "--data-dir", str(data), "--admin-password-file",
                        str(pw), "--replay", str(tmp_path / "bulk.pcap")],
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stderr


def corrupt_garbage(db):
    db.write_bytes(b"this is not a database, it is garbage\n" * 200)


def corrupt_pages(db):
    """A database whose header is intact and whose pages past the first
    are overwritten."""
    raw = bytearray(db.read_bytes())
    assert len(raw) >= 8192, len(raw)
    for i in range(4096, len(raw)):
        raw[i] = (i * 7 + 13) & 0xff
    db.write_bytes(bytes(raw))


@pytest.mark.parametrize("corrupt", [corrupt_garbage, corrupt_pages],
                         ids=["garbage", "damaged-pages"])
def test_corrupt_catalog(tmp_path, bulk, corrupt):
    need("capinfos")
    d = Daemon(tmp_path, replay=bulk, args=["--speed", "max", "--loop"])
    d.start()
    try:
        rec = finished_file(d, "kept")
    finally:
        assert d.stop() == 0
    files = {n: (d.data_dir / "captures" / n).read_bytes()
             for n in rec["files"]}
    db = d.data_dir / "catalog.db"
    for extra in ("-wal", "-shm"):
        side = db.with_name(db.name + extra)
        if side.exists():
            side.unlink()
    corrupt(db)
    damaged = db.read_bytes()
    t0 = time.time()
    rc, err = start_fails(tmp_path, d.data_dir)
    assert rc != 0, err
    assert time.time() - t0 < 20
    assert str(db) in err, err
    assert "damaged, or not an SQLite database" in err, err
    assert "move it aside" in err, err
    assert "AddressSanitizer" not in err and "runtime error" not in err, err
    # Nothing was touched: neither the catalog nor the captures.
    assert db.read_bytes() == damaged
    for n, content in files.items():
        assert (d.data_dir / "captures" / n).read_bytes() == content
    # With the catalog moved aside the daemon starts afresh, and the
    # files captured before are there to list and download.
    shutil.move(str(db), str(db) + ".damaged")
    with serving(tmp_path, bulk) as d2:
        assert_kept(d2, rec, tmp_path)
