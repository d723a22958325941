"""Malformed RPC and NFS never crash trawl, and say what is wrong.

The scapy-built rpc-malformed.pcap (rpc_traces.py: messages cut short,
lengths and counts set to huge values word by word, random bytes after
valid headers, lying record marks) and every capture of the shared corpus
are read with RPC flows on, as -V, JSON and -T fields of every RPC-family
field, by the sanitizer build: no crash, no sanitizer report, and the
anomalies the breakage calls for. The corpus files that carry NFS (those
tcpdump's own tests keep for its NFS printer: most are crash reproducers)
must also agree with tshark on every shared field.
"""
import concurrent.futures
import os
import subprocess

import pytest

from conftest import need
import rpc_traces
import test_fields_vs_tshark as fvt


def rpc_fields():
    return [f for f in fvt.registry_fields() if f.split(".")[0] in fvt.RPC_PROTOCOLS]


def read(trawl_bin, path, *args):
    # Strings of broken messages hold any bytes.
    r = subprocess.run([trawl_bin, "read", str(path), *args], capture_output=True,
                       text=True, errors="replace", timeout=600)
    assert "Sanitizer" not in r.stderr and "runtime error" not in r.stderr, \
        f"{path}: {r.stderr[-3000:]}"
    assert r.returncode in (0, 1), f"{path}: exit {r.returncode}: {r.stderr[-2000:]}"
    return r


@pytest.fixture(scope="module")
def malformed(tmp_path_factory):
    return rpc_traces.write_all(tmp_path_factory.mktemp("rpc"))["rpc-malformed.pcap"]


def test_malformed_reads_every_way(trawl_bin, malformed):
    for args in ([], ["-V"], ["-T", "json"]):
        r = read(trawl_bin, malformed, *args)
        assert r.returncode == 0
    fields = rpc_fields()
    args = []
    for f in fields:
        args += ["-e", f]
    r = read(trawl_bin, malformed, "-T", "fields", *args)
    assert r.returncode == 0
    assert len(r.stdout.splitlines()) > 500


def test_malformed_says_what_is_wrong(trawl_bin, malformed):
    anomalies = ["rpc.truncated", "rpc.bad_version", "rpc.auth_too_long",
                 "rpc.record_too_long", "nfs.malformed", "nfs.too_many",
                 "mount.malformed", "nlm.malformed", "portmap.malformed"]
    args = []
    for a in anomalies:
        args += ["-e", a]
    rows = read(trawl_bin, malformed, "-T", "fields", *args).stdout.splitlines()
    seen = {a for row in rows for a, v in zip(anomalies, row.split("\t")) if v == "1"}
    assert seen == set(anomalies), f"never raised: {set(anomalies) - seen}"


def test_malformed_summary_names_anomalies(trawl_bin, malformed):
    out = read(trawl_bin, malformed).stdout
    assert "[rpc.truncated]" in out
    assert "[nfs.malformed]" in out


def corpus_files(corpus_dir):
    return sorted(p for p in corpus_dir.iterdir() if p.is_file())


def test_corpus_reads_with_flows(trawl_bin, corpus_dir):
    """Every file, with flows on and every RPC-family field asked for."""
    args = []
    for f in rpc_fields():
        args += ["-e", f]
    paths = corpus_files(corpus_dir)
    assert len(paths) > 800

    def one(path):
        return read(trawl_bin, path, "-T", "fields", *args)

    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        list(ex.map(one, paths))


# The corpus captures of NFS, by name (tcpdump's NFS printer tests).
NFS_NAMES = ("nfs", "rpc", "portmap", "mount", "nlm")


def nfs_files(corpus_dir):
    return [p for p in corpus_files(corpus_dir)
            if any(n in p.name.lower() for n in NFS_NAMES)]


def test_corpus_nfs_files_every_way(trawl_bin, corpus_dir):
    files = nfs_files(corpus_dir)
    assert len(files) >= 8
    for path in files:
        for args in ([], ["-V"], ["-T", "json"]):
            read(trawl_bin, path, *args)


def test_corpus_nfs_files_match_tshark(trawl_bin, corpus_dir):
    need("tshark")
    flds = fvt.Fields()
    found = []
    for path in nfs_files(corpus_dir):
        found += fvt.compare(trawl_bin, path, flds.shared, flds.trawl_only,
                             only_trawl_protos=True)
    assert not found, fvt.table(found)
