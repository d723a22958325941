"""Values outside a field's range: trawl refuses them where tshark does,
with the same largest value, and refuses the bit fields' values past
their bits, which tshark takes up to the word they sit in (no packet can
match them); every unsigned field's range agrees with tshark's field
list; every message the expression compiler writes has a row in the unit
tests' error tables."""
import concurrent.futures
import re
import subprocess

import pytest

from conftest import ROOT, need

# tshark: '"70000" too big for this field, maximum 65535.'
AGREE = [
    "tcp.port == 70000",
    "tcp.port < 70000",
    "udp.dstport >= 0x10000",
    "ip.ttl != 256",
    "ip.ttl & 0xff == 256",
    "tcp.port in {80..70000}",
    "frame.len == 4294967296",
    "tcp.window_size_value == 65536",
    "rpc.xid == 0x100000000",
    "ip.hdr_len == 256",
    "tcp.len == 4294967296",
    "icmp.seq == 65536",
    "gre.key == 4294967296",
]

# Bit fields: tshark takes any value of the word; trawl the field's bits.
NARROWER = {
    "vlan.id == 5000": 4095,
    "mpls.label == 1048576": 1048575,
    "tcp.flags == 0x1000": 4095,
    "ip.frag_offset == 8192": 8191,
    "ipv6.flow == 0x100000": 1048575,
}

PCAP_HEADER = bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000")


@pytest.fixture(scope="module")
def empty_trace(tmp_path_factory):
    path = tmp_path_factory.mktemp("ranges") / "empty.pcap"
    path.write_bytes(PCAP_HEADER)
    return path


def tshark_error(expr, trace):
    r = subprocess.run(["tshark", "-r", str(trace), "-Y", expr],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r'"([^"]+)" too big for this field, maximum (\d+)',
                  r.stderr)
    return r.returncode, m


def trawl_error(trawl_bin, expr):
    r = subprocess.run([trawl_bin, "explain", expr], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 2, (expr, r.stdout)
    m = re.match(r"trawl: error: value '([^']+)' at column (\d+) is out of "
                 r"range for '([^']+)' \(0 to (\d+)\)", r.stderr)
    assert m, (expr, r.stderr)
    return m


@pytest.mark.parametrize("expr", AGREE)
def test_refused_as_tshark_refuses(trawl_bin, empty_trace, expr):
    need("tshark")
    rc, theirs = tshark_error(expr, empty_trace)
    assert rc != 0 and theirs, f"tshark takes {expr}"
    ours = trawl_error(trawl_bin, expr)
    assert ours.group(1) == theirs.group(1)
    assert ours.group(4) == theirs.group(2)
    # The column is where the value is written.
    col = int(ours.group(2))
    assert expr[col - 1:].startswith(ours.group(1))
    assert expr.startswith(ours.group(3))


@pytest.mark.parametrize("expr", sorted(NARROWER))
def test_bit_fields_narrower_than_tshark(trawl_bin, empty_trace, expr):
    need("tshark")
    rc, theirs = tshark_error(expr, empty_trace)
    assert rc == 0 and not theirs, f"tshark refuses {expr} now"
    ours = trawl_error(trawl_bin, expr)
    assert int(ours.group(4)) == NARROWER[expr]
    # The largest value the bits hold is in range.
    at_max = f"{expr.partition(' == ')[0]} == {NARROWER[expr]}"
    r = subprocess.run([trawl_bin, "explain", at_max], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr


# ---- every unsigned field against tshark's field list -----------------------

TSHARK_BITS = {"FT_UINT8": 8, "FT_UINT16": 16, "FT_UINT24": 24,
               "FT_UINT32": 32, "FT_UINT40": 40, "FT_UINT48": 48,
               "FT_UINT56": 56, "FT_UINT64": 64, "FT_FRAMENUM": 32}

# Where trawl's range differs from the one tshark's field list gives, and
# why. Narrower: trawl would refuse values tshark takes; looser: trawl
# takes values tshark refuses.
NARROWER_THAN_TSHARK = {
    "ip.version": "the version is a 4-bit nibble; tshark lists the field "
                  "without its mask",
    "ipv6.version": "the same nibble",
}
LOOSER_THAN_TSHARK = {
    "llc.control.u_modifier_cmd": "one 16-bit width for every control part",
    "llc.control.u_modifier_resp": "one 16-bit width for every control part",
    "nfs.access_check": "an XDR uint32: NFSv4.2's extended attribute bits "
                        "(0x40, 0x80, 0x100) go past tshark's 8 bits",
    "nfs.access_supported": "the same",
    "nfs.access_rights": "the same",
}


def tshark_ranges():
    """Field -> (least, largest) of the largest values tshark's field list
    gives it: the bits of its mask, else of its type."""
    out = subprocess.run(["tshark", "-G", "fields"], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    ranges = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if cols[0] != "F" or len(cols) < 7 or cols[3] not in TSHARK_BITS:
            continue
        top = (1 << TSHARK_BITS[cols[3]]) - 1
        mask = int(cols[6], 16) if cols[6] else 0
        by_mask = mask >> ((mask & -mask).bit_length() - 1) if mask else top
        lo, hi = ranges.get(cols[2], (by_mask, top))
        ranges[cols[2]] = (min(lo, by_mask), max(hi, top))
    return ranges


def trawl_max(trawl_bin, name):
    r = subprocess.run([trawl_bin, "explain", f"{name} == {2**64 - 1}"],
                       capture_output=True, text=True, timeout=30)
    if r.returncode == 0:
        return 2**64 - 1
    m = re.search(r"is out of range for '[^']+' \(0 to (\d+)\)", r.stderr)
    assert m, (name, r.stderr)
    return int(m.group(1))


def test_unsigned_fields_against_tshark_field_list(trawl_bin):
    """Every unsigned field both know: trawl takes the largest value
    tshark's field can carry (the bits of its mask) and refuses what
    tshark's type cannot hold, but for the differences listed."""
    need("tshark")
    listing = subprocess.run([trawl_bin, "fields"], capture_output=True,
                             text=True, check=True).stdout
    ours = [line.split("\t")[0] for line in listing.splitlines()
            if line.split("\t")[1] == "unsigned"]
    theirs = tshark_ranges()
    both = [name for name in ours if name in theirs]
    assert len(both) > 300
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        maxima = dict(zip(both, pool.map(lambda n: trawl_max(trawl_bin, n),
                                         both)))
    narrower = {n for n in both if maxima[n] < theirs[n][0]}
    looser = {n for n in both if maxima[n] > theirs[n][1]}
    assert narrower == set(NARROWER_THAN_TSHARK), \
        {n: (maxima[n], theirs[n]) for n in narrower ^ set(NARROWER_THAN_TSHARK)
         if n in maxima}
    assert looser == set(LOOSER_THAN_TSHARK), \
        {n: (maxima[n], theirs[n]) for n in looser ^ set(LOOSER_THAN_TSHARK)
         if n in maxima}


# ---- every message has a test row -------------------------------------------

# Messages no expression text reaches, with the reason.
UNREACHABLE = {
    "expression too large to compile":
        "the arena's 4 MiB: a text of at most 16 KiB reaches the 4096-test "
        "limit first",
    "out of memory": "allocation failures",
    "cannot open a pcap handle for link type %d": "libpcap's allocation",
    "operand '%s' needs the field '%s', which this build's decoders do not "
    "provide": "a build without the decoders",
}

LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
CALL = re.compile(r"\b(expr_fail|core_err|unexpected|snprintf)\s*\((msg, )?")


def joined_literals(text):
    """The C string literals of `text`, adjacent ones joined."""
    out = []
    for m in re.finditer(r'"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*',
                         text):
        s = "".join(LITERAL.findall(m.group(0)))
        out.append(s.encode().decode("unicode_escape"))
    return out


def format_regex(fmt):
    out, i = "", 0
    while i < len(fmt):
        m = re.match(r"%[-0-9.*]*(?:ll|l|z|h)?[sudcxX%]", fmt[i:])
        if m:
            out += "%" if m.group(0) == "%%" else ".*?"
            i += len(m.group(0))
        else:
            out += re.escape(fmt[i])
            i += 1
    return out


def emitted_messages():
    """(file:line, text, regex) of every message src/expr writes: the format of
    each expr_fail(), core_err() and snprintf(msg, ...), and the
    "expected ..." text of each unexpected()."""
    for path in sorted((ROOT / "src" / "expr").glob("*.c")):
        text = path.read_text()
        for m in CALL.finditer(text):
            # A definition or declaration starts its line; a call does not.
            if not text[text.rfind("\n", 0, m.start()) + 1].isspace():
                continue
            if m.group(1) == "snprintf" and not m.group(2):
                continue
            lits = joined_literals(text[m.end():m.end() + 600])
            if not lits or lits[0].startswith("%s"):
                continue
            if lits[0].split(" (more")[0] in UNREACHABLE:
                continue
            line = text.count("\n", 0, m.start()) + 1
            yield (f"{path.name}:{line}", lits[0],
                   re.escape(lits[0]) if m.group(1) == "unexpected" else
                   format_regex(lits[0]))


def test_every_message_has_a_row():
    tests = ""
    for path in (ROOT / "tests" / "unit").glob("test_expr*.c"):
        tests += "\n".join(joined_literals(path.read_text())) + "\n"
    seen, missing = 0, []
    for where, text, regex in emitted_messages():
        seen += 1
        if not re.search(regex, tests):
            missing.append(f"{where}: {text}")
    assert seen > 60
    assert not missing, "messages no test row shows:\n" + "\n".join(missing)
