"""`trawl read -T fields` agrees with `tshark -T fields`, value for value.

Two comparisons:

* the traces of gen_traces.py (every link type trawl decodes, several
  hundred frames, pcap and pcapng), on EVERY field name that both trawl's
  registry and tshark know;
* a deterministic sample of the shared corpus of real captures (link types
  ether, linux-sll, null and raw IP) on a core set of fields.

tshark runs once per file with all fields, with IP reassembly off (trawl
decodes each packet on its own). A failure prints a table of field, frame,
trawl's value and tshark's, grouped by field, so a decoder's owner can act
on it; `python3 test_fields_vs_tshark.py FILE...` prints the same table for
any trace.
"""
import collections
import concurrent.futures
import fnmatch
import functools
import os
import pathlib
import subprocess
import sys
import warnings

import pytest

from conftest import BUILD, need
import gen_traces

# trawl decodes each packet on its own: no reassembly, no conversation
# state (tshark's sequence analysis hides the payload of what it takes
# for a retransmission).
TSHARK = ["tshark", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
          "-o", "tcp.analyze_sequence_numbers:FALSE",
          "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]

# tshark's pseudo-protocols in frame.protocols that name no header of
# their own, or a part of a header trawl decodes as part of its layer.
# With the protocols of trawl's registry they make the protocols trawl
# decodes; the first protocol of a frame outside both is where trawl stops
# and tshark goes on.
TRANSPARENT = {"ethertype", "raw", "ipv6.hopopts", "ipv6.routing",
               "ipv6.fraghdr", "ipv6.dstopts", "_ws.malformed", "_ws.short",
               "_ws.expert", "mptcp"}


@functools.lru_cache(maxsize=None)
def tshark_protocols():
    out = subprocess.run(["tshark", "-G", "protocols"], capture_output=True,
                         text=True, check=True)
    return [line.split("\t")[2] for line in out.stdout.splitlines()]


@functools.lru_cache(maxsize=None)
def trawl_protocols():
    """The protocols trawl decodes, by tshark's names: the protocol part of
    the registry's field names that tshark knows as protocols (its field
    names are Wireshark's), and the pseudo-protocols above."""
    known = set(tshark_protocols())
    return frozenset({f.split(".")[0] for f in registry_fields()} & known) | TRANSPARENT


class Row:
    """One frame as both tools print it: every compared field, plus
    frame.protocols from tshark and trawl's own fields (anomaly flags) that
    tshark does not know, for the rules below to look at."""

    def __init__(self, n, ours, theirs):
        self.n = n
        self._ours, self._theirs = ours, theirs

    def ours(self, field):
        return self._ours.get(field, "")

    def theirs(self, field):
        return self._theirs.get(field, "")

    def chain(self):
        return self.theirs("frame.protocols").split(":")

    def flag(self, *anomalies):
        """Whether trawl raised any of these anomalies on the frame."""
        return any(self.ours(a) == "1" for a in anomalies)

    def number(self, field):
        """trawl's first value of an integer field (decimal or 0x-hex), or
        -1 when it has none."""
        v = self.ours(field).split(",")[0]
        return int(v, 0) if v else -1


Rule = collections.namedtuple("Rule", "fields when reason")

# Known, justified divergences: tshark and trawl disagree on purpose. Each
# rule names the fields (shell patterns), says when it applies, and why.
KNOWN = [
    Rule(("data.*",), lambda r, f: r.theirs(f) == "" and r.number("tcp.flags") > 0
         and r.number("tcp.flags") & 0x4 != 0,
         "tshark shows the payload of a TCP reset as tcp.reset_cause (RFC "
         "1122 diagnostic text), not as data"),
    Rule(("data.*",),
         lambda r, f: r.theirs(f) == "" and r.chain()[-1] in ("icmp", "icmpv6"),
         "tshark dissects the bodies of ICMP and ICMPv6 messages past the "
         "fields trawl has (timestamps, address masks, ND options, MLD) and "
         "shows none of an unknown type's; trawl shows those bytes as data"),
    Rule(("data.*",), lambda r, f: r.number("icmp.type") in (0, 8) and (
        r.number("data.len") - 8 == int(r.theirs("data.len") or "-1")),
         "tshark reads the first 8 bytes of ICMP echo data as the sending "
         "time (icmp.data_time) when they look like one, as ping writes it"),
    Rule(("frame.protocols",),
         lambda r, f: r.ours(f) == r.theirs(f) + ":data"
         and matching_rule(KNOWN, r, "data.len") is not None,
         "the data that ends trawl's list of protocols is one the rules "
         "above explain"),
    Rule(("frame.protocols",),
         lambda r, f: r.theirs(f) == r.ours(f) + ":igmp" and r.ours(f).endswith(":igmp"),
         "tshark's IGMP dissector hands every message of a type it knows "
         "(v0 to v3 queries and reports, leaves, mtrace) to a second "
         "dissector of the same protocol, registered per type, and "
         "frame.protocols lists igmp once per hand-off: 'igmp:igmp'; the "
         "message has one IGMP header, which trawl lists once"),
    Rule(("ah.icv",), lambda r, f: r.theirs(f) == "<MISSING>" and r.ours(f) == ""
         and 0 <= r.number("ah.length") <= 1,
         "an authentication header whose length (0 or 1) leaves no room for "
         "an integrity check value: tshark prints its placeholder "
         "'<MISSING>' for the empty (or negative) ICV; trawl shows none"),
    Rule(("tcp.option_kind", "tcp.option_len", "tcp.options.*"),
         lambda r, f: r.theirs("tcp.option_kind").split(",")[-1] == "21"
         and r.theirs("tcp.option_len").split(",")[-1] == "6"
         and r.ours("tcp.option_kind").startswith(r.theirs("tcp.option_kind"))
         and r.ours(f).startswith(r.theirs(f)),
         "tshark fails after a well-formed SCPS selective negative "
         "acknowledgment option (kind 21, length 6) and lists no TCP option "
         "after it; trawl lists the options that follow"),
    Rule(("ipv6.version", "ip.version"),
         lambda r, f: r.ours(f) == "" and r.flag("ipv6.bad_version"),
         "tshark's IPv6 dissector shows the version of a header whose "
         "version is not 6, then gives the bytes up as data "
         "(eth:ethertype:data); trawl shows them as data only"),
    Rule(("*",), lambda r, f: r.ours("ipv6.plen").split(",")[:1] == ["0"],
         "an IPv6 payload length of 0 (segmentation offload, BIG TCP, a "
         "jumbogram): tshark takes the payload as empty and the rest of the "
         "frame as a trailer; trawl decodes the rest of the frame as the "
         "payload, as the kernel handed it over"),
    Rule(("data.*", "frame.protocols"),
         lambda r, f: "6" in r.ours("rpc.auth.flavor").split(",")
         and ":rpc:data" in r.theirs("frame.protocols"),
         "tshark shows the token of an RPCSEC_GSS verifier as data inside "
         "the RPC header; trawl reads it as part of the header"),
]

# Disagreements that are trawl's to fix, reported to the owners of the
# decoders and the CLI. They do not fail the test, so that the tree stays
# green while they are open, but every run lists them as warnings, and
# lists those that excused nothing (fixed: delete them).
OPEN = [
]


# Fields the corpus comparison checks: the link, network and transport
# fields every capture has.
CORE_FIELDS = [
    "eth.dst", "eth.src", "eth.type", "vlan.id",
    "ip.src", "ip.dst", "ip.proto", "ip.ttl", "ip.len", "ip.flags",
    "ip.frag_offset",
    "ipv6.src", "ipv6.dst", "ipv6.nxt", "ipv6.hlim",
    "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw",
    "tcp.len", "tcp.window_size_value",
    "udp.srcport", "udp.dstport", "udp.length",
    "icmp.type", "icmp.code", "arp.opcode",
]

# Link types of the corpus sample, as capinfos -E names them, and how many
# files of each (evenly spaced in name order).
CORPUS_LINKTYPES = {"ether": 36, "linux-sll": 10, "null": 7,
                    "rawip": 3, "rawip4": 2, "rawip6": 2}

# Corpus files (by name prefix) where trawl and tshark part ways on purpose:
# (prefix, fields or None for all, reason).
CORPUS_KNOWN = [
    ("bigtcp-", None,
     "IPv4 and UDP lengths of 0 (BIG TCP, segmentation offload): tshark "
     "presumes ip.len from the frame and stops at the zero UDP length; trawl "
     "shows the raw 0 and decodes on, as the kernel does"),
]


# ---- running both tools ----------------------------------------------------

# Columns asked of one tool only, for the rules to look at.
TSHARK_EXTRA = ["frame.protocols", "ip.opt.type", "null.type"]


def registry_fields():
    """trawl's field names, in registry order."""
    out = subprocess.run([str(BUILD / "tests" / "list-fields")],
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


def tshark_fields():
    out = subprocess.run(["tshark", "-G", "fields"], capture_output=True,
                         text=True, check=True)
    return {line.split("\t")[2] for line in out.stdout.splitlines()
            if line.startswith("F\t")}


class Fields:
    """The registry split into the fields tshark also knows (compared) and
    trawl's own (anomaly flags: context for the rules)."""

    def __init__(self):
        theirs = tshark_fields()
        mine = registry_fields()
        self.shared = [f for f in mine if f in theirs]
        self.trawl_only = [f for f in mine if f not in theirs]


def field_args(fields):
    args = []
    for f in fields:
        args += ["-e", f]
    return args


@functools.lru_cache(maxsize=None)
def tshark_limit_args():
    """tshark options that disable every protocol trawl does not decode,
    so that data.* means the same to both tools (the bytes after the last
    header decoded) and tshark's application dissectors, desegmentation
    and heuristics stay out of the way."""
    keep = trawl_protocols() | {"frame", "data"}
    args = []
    for name in tshark_protocols():
        if name not in keep:
            args += ["--disable-protocol", name]
    return args


def run_tshark(path, fields, only_trawl_protos=False):
    limit = tshark_limit_args() if only_trawl_protos else []
    r = subprocess.run(TSHARK + limit + ["-r", str(path)] + field_args(fields),
                       capture_output=True, text=True, timeout=600)
    return [dict(zip(fields, line.split("\t"))) for line in r.stdout.splitlines()]


def run_trawl(trawl_bin, path, fields):
    r = subprocess.run([trawl_bin, "read", str(path), "-T", "fields"] +
                       field_args(fields),
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"trawl read {path}: exit {r.returncode}: {r.stderr[-2000:]}"
    assert "Sanitizer" not in r.stderr, r.stderr[-4000:]
    rows = []
    for n, line in enumerate(r.stdout.splitlines(), 1):
        cols = line.split("\t")
        assert len(cols) == len(fields), f"{path.name} frame {n}: {len(cols)} columns from trawl"
        rows.append(dict(zip(fields, cols)))
    return rows


# ---- comparing -------------------------------------------------------------

Mismatch = collections.namedtuple("Mismatch", "file field frame ours theirs")


def matching_rule(rules, row, field):
    for rule in rules:
        if any(fnmatch.fnmatchcase(field, pat) for pat in rule.fields) \
                and rule.when(row, field):
            return rule
    return None


def deeper_prefix(row, field):
    """Where tshark decodes a protocol trawl does not (Teredo, L2TP, sFlow,
    ERSPAN, NHRP... carrying another IP header), trawl's values are those
    tshark found before it: the first k of tshark's occurrences, k being
    the share of the field's protocol that sits before the first protocol
    trawl does not decode. None when that does not apply."""
    chain = row.chain()
    cut = next((i for i, p in enumerate(chain)
                if p not in trawl_protocols()), None)
    proto = field.split(".")[0]
    total = chain.count(proto)
    theirs = row.theirs(field)
    if cut is None or total == 0 or theirs == "":
        return None
    values = theirs.split(",")
    if len(values) % total:
        return None
    keep = chain[:cut].count(proto) * len(values) // total
    return ",".join(values[:keep])


def compare(trawl_bin, path, fields, trawl_only=(), hits=None,
            only_trawl_protos=False, agreed=None):
    """Mismatches between trawl and tshark on `fields` of the trace at
    `path`, after the KNOWN and OPEN rules; packet counts must agree.
    `hits` (a Counter) counts the frames each rule excused; `agreed` (a
    Counter) the frames in which each field had the same non-empty value
    in both."""
    theirs = run_tshark(path, fields + TSHARK_EXTRA, only_trawl_protos)
    ours = run_trawl(trawl_bin, path, fields + list(trawl_only))
    assert len(ours) == len(theirs), \
        f"{path.name}: trawl printed {len(ours)} packets, tshark {len(theirs)}"
    out = []
    for n, (a, b) in enumerate(zip(ours, theirs), 1):
        row = Row(n, a, b)
        for f in fields:
            x, y = row.ours(f), row.theirs(f)
            if x == y and x != "" and agreed is not None:
                agreed[f] += 1
            if x == y or x == deeper_prefix(row, f):
                continue
            rule = matching_rule(KNOWN, row, f) or matching_rule(OPEN, row, f)
            if rule:
                if hits is not None:
                    hits[rule.reason] += 1
                continue
            out.append(Mismatch(path.name, f, n, x, y))
    return out


def table(mismatches, per_field=6):
    """A readable report: a line per field with its count, then up to
    `per_field` example rows of file, frame, trawl value, tshark value."""
    by_field = collections.OrderedDict()
    for m in mismatches:
        by_field.setdefault(m.field, []).append(m)
    lines = [f"{len(mismatches)} mismatches on {len(by_field)} fields",
             f"{'field':28} {'file':24} {'frame':>5}  {'trawl':32} tshark"]
    for field, ms in by_field.items():
        lines.append(f"-- {field}: {len(ms)} frames")
        for m in ms[:per_field]:
            lines.append(f"{field:28} {m.file[:24]:24} {m.frame:>5}  "
                         f"{m.ours[:32]:32} {m.theirs[:60]}")
    return "\n".join(lines)


def report_open(hits):
    """Warns of the OPEN rules that excused values in this run (trawl bugs
    still there) and of those that excused none (fixed, or not exercised
    by the tests that ran)."""
    seen = [f"{hits[r.reason]:4} values: {r.reason}" for r in OPEN if hits[r.reason]]
    unseen = [r.reason for r in OPEN if not hits[r.reason]]
    if seen:
        warnings.warn("open trawl bugs excused in this run:\n" + "\n".join(seen))
    if unseen:
        warnings.warn("OPEN rules that excused nothing in this run (fixed? "
                      "then delete them):\n" + "\n".join(unseen))


# ---- the generated traces --------------------------------------------------

@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return gen_traces.write_all(tmp_path_factory.mktemp("gen"))


@pytest.fixture(scope="module")
def fields():
    need("tshark")
    return Fields()


@pytest.fixture(scope="module")
def hits():
    """Frames each KNOWN/OPEN rule excused over the module's tests."""
    counter = collections.Counter()
    yield counter
    report_open(counter)


def test_registry_overlaps_tshark(fields):
    # Nearly every registry field has a Wireshark name; most of those that
    # do not are trawl's anomaly flags.
    assert len(fields.shared) > 140
    for f in ("eth.src", "vlan.id", "ip.src", "ipv6.nxt", "tcp.flags",
              "udp.length", "icmp.type", "icmpv6.type", "sctp.verification_tag",
              "igmp.maddr", "gre.key", "vxlan.vni", "arp.opcode", "mpls.label",
              "sll.pkttype", "null.family", "llc.dsap", "ieee8021ad.id"):
        assert f in fields.shared, f


GENERATED = ["ether.pcap", "ether.pcapng", "stress.pcap", "sll.pcap", "sll2.pcap",
             "raw.pcap", "ipv4.pcap", "ipv6.pcap", "null.pcap",
             "null-be.pcap", "loop.pcap", "multi.pcapng"]


@pytest.mark.parametrize("name", GENERATED)
def test_generated_trace_matches_tshark(trawl_bin, traces, fields, hits, name):
    if name not in traces:
        pytest.skip(f"{name} needs editcap")
    mismatches = compare(trawl_bin, traces[name], fields.shared,
                         fields.trawl_only, hits, only_trawl_protos=True)
    assert not mismatches, f"{name}:\n" + table(mismatches)


def test_generated_traces_cover_the_registry(trawl_bin, traces, fields):
    """Every shared field has a value in some generated frame, so that no
    field passes the comparison merely by being empty on both sides."""
    seen = set()
    for name in ("ether.pcap", "stress.pcap", "multi.pcapng", "loop.pcap"):
        for row in run_trawl(trawl_bin, traces[name], fields.shared):
            seen.update(f for f, x in row.items() if x != "")
    # RPC and its programs have traces of their own (test_nfs_vs_tshark.py
    # holds them to the same rule).
    missing = [f for f in fields.shared if f not in seen
               and f.split(".")[0] not in RPC_PROTOCOLS]
    # Every field of the protocols the generator was written for...
    core = [f for f in missing if f.split(".")[0] in GENERATED_PROTOCOLS
            and f not in NOT_GENERATED]
    assert not core, f"no generated frame has a value for: {core}"
    # ...and nearly every field of those decoders added since: a field
    # listed here wants a frame in gen_traces.py.
    if missing:
        warnings.warn(f"no generated frame has a value for: {missing}")
    assert len(missing) <= len(fields.shared) // 5, missing


# The protocols of real NFS traffic and RPC traces (test_nfs_vs_tshark.py).
RPC_PROTOCOLS = {"rpc", "portmap", "mount", "nfs", "nlm"}
# The protocols gen_traces.py was written to exercise in full.
GENERATED_PROTOCOLS = {"frame", "eth", "vlan", "ieee8021ad", "mpls", "arp",
                       "ip", "ipv6", "tcp", "udp", "icmp", "icmpv6", "sctp",
                       "igmp", "gre", "vxlan", "sll", "null", "data"}
# Fields of those that no frame written here can have: a pcapng EPB's
# link-layer error bits, and what only an Ethernet FCS carries.
NOT_GENERATED = {"frame.packet_flags_crc_error", "eth.fcs", "eth.fcs.status"}


def test_rtp_matches_tshark_decode_as(trawl_bin, tmp_path, fields):
    """RTP, which tshark decodes only when told: every rtp.* field of the
    packets trawl's heuristic takes, against tshark with decode-as."""
    from scapy.all import wrpcap
    path = tmp_path / "rtp.pcap"
    wrpcap(str(path), gen_traces.rtp_packets())
    names = ["frame.protocols"] + [f for f in fields.shared
                                   if f.startswith("rtp.")]
    assert "rtp.p_type" in names and "rtp.ssrc" in names
    # The payload's codecs (H.261, JPEG, ...) are off, as in the other
    # comparisons: trawl does not decode them.
    r = subprocess.run(TSHARK + tshark_limit_args() +
                       ["-d", "udp.port==30000,rtp", "-r", str(path)] +
                       field_args(names), capture_output=True, text=True,
                       check=True)
    theirs = [line.split("\t") for line in r.stdout.splitlines()]
    ours = [[row[f] for f in names] for row in run_trawl(trawl_bin, path, names)]
    assert len(ours) == len(theirs) == len(gen_traces.rtp_packets())
    bad = [(n, f, a, b) for n, (x, y) in enumerate(zip(ours, theirs), 1)
           for f, a, b in zip(names, x, y) if a != b]
    assert not bad, bad


def test_sdp_rtp_matches_tshark(trawl_bin, tmp_path, fields):
    """RTP of sessions SIP/SDP announced: trawl (whose flows learn them
    when an expression or a field needs RTP) and tshark (SDP on) agree on
    which datagrams are RTP and on their fields."""
    from scapy.all import wrpcap
    path = tmp_path / "sdp-rtp.pcap"
    wrpcap(str(path), gen_traces.sdp_rtp_packets())
    names = [f for f in fields.shared if f.startswith("rtp.")]
    # trawl's protocols and SDP, which tells tshark where RTP is.
    args = tshark_limit_args()
    limit = []
    for i in range(0, len(args), 2):
        if args[i + 1] != "sdp":
            limit += args[i:i + 2]
    r = subprocess.run(TSHARK + limit + ["-r", str(path)] + field_args(names),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    theirs = [line.split("\t") for line in r.stdout.splitlines()]
    ours = [[row[f] for f in names] for row in run_trawl(trawl_bin, path, names)]
    assert len(ours) == len(theirs) == 5
    assert [x[names.index("rtp.p_type")] for x in ours] == ["", "96", "96", "97", ""]
    bad = [(n, f, a, b) for n, (x, y) in enumerate(zip(ours, theirs), 1)
           for f, a, b in zip(names, x, y) if a != b]
    assert not bad, bad
    sel = subprocess.run([trawl_bin, "read", str(path), "rtpPayloadType == 96",
                          "-T", "fields", "-e", "frame.number"],
                         capture_output=True, text=True, check=True)
    assert sel.stdout.split() == ["2", "3"]


def test_sample_matches_tshark(trawl_bin, fields, hits):
    sample = BUILD / "tools" / "sample.pcapng"
    mismatches = compare(trawl_bin, sample, fields.shared, fields.trawl_only,
                         hits, only_trawl_protos=True)
    assert not mismatches, table(mismatches)


# ---- the corpus sample -----------------------------------------------------

def corpus_sample(corpus_dir):
    """CORPUS_LINKTYPES[t] files of each link type t, evenly spaced in name
    order: the same files on every machine."""
    names = sorted(str(p) for p in corpus_dir.iterdir())
    out = subprocess.run(["capinfos", "-T", "-E"] + names,
                         capture_output=True, text=True)
    groups = collections.defaultdict(list)
    for line in out.stdout.splitlines()[1:]:
        name, _, enc = line.partition("\t")
        groups[enc.strip()].append(pathlib.Path(name))
    picked = []
    for enc, want in CORPUS_LINKTYPES.items():
        files = sorted(groups.get(enc, []))
        if len(files) <= want:
            picked += files
        else:
            picked += [files[i * len(files) // want] for i in range(want)]
    return picked


def corpus_known(name, field):
    for prefix, flds, _ in CORPUS_KNOWN:
        if name.startswith(prefix) and (flds is None or field in flds):
            return True
    return False


def test_corpus_sample_matches_tshark(trawl_bin, corpus_dir, fields, hits):
    need("capinfos")
    assert all(f in fields.shared for f in CORE_FIELDS)
    files = corpus_sample(corpus_dir)
    assert len(files) >= 55, f"corpus sample has only {len(files)} files"
    def one(path):
        return compare(trawl_bin, path, CORE_FIELDS, fields.trawl_only, hits)

    mismatches = []
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        for found in ex.map(one, files):
            mismatches += [m for m in found if not corpus_known(m.file, m.field)]
    assert not mismatches, table(mismatches)


if __name__ == "__main__":
    # Ad-hoc use: print the table for any traces, on every shared field.
    trawl = str(BUILD / "src" / "cli" / "trawl")
    flds = Fields()
    counts = collections.Counter()
    found = []
    for arg in sys.argv[1:]:
        found += compare(trawl, pathlib.Path(arg), flds.shared,
                         flds.trawl_only, counts, only_trawl_protos=True)
    print(table(found, per_field=20) if found else "no mismatches")
    for why, count in counts.most_common():
        print(f"excused {count:5}: {why}")
