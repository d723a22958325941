"""`trawl capture`'s refusals: each bad value or combination is refused
with one line that names the option (or the interface, the file, the
expression's column) and the value, before anything starts, with exit
status 2 for a usage error and 1 for what fails at run time (an
interface that does not exist, a file that cannot be created), as the
rest of the CLI does."""
import subprocess

import pytest

from netns import needs_root, network

pytestmark = needs_root

PCAP_TOO = (" (not valid pcap-filter either: can't parse filter expression: "
            "syntax error)")
SPLIT_WITH_W = ("-C, -G, --split-packets, -W, --align and --single-interface "
                "go with -w")

# (arguments after -i IF, exit status, the first line of standard error
# after "trawl capture: " (status 2) or "trawl: " (status 1)). "{if}" is
# the capture interface, "{tmp}" a directory of the test's own.
CASES = [
    (["-s", "-1"], 2,
     "-s wants a snapshot length in bytes from 0 to 262144, not '-1'"),
    (["-s", "262145"], 2,
     "-s wants a snapshot length in bytes from 0 to 262144, not '262145'"),
    (["-s", "64k"], 2,
     "-s wants a snapshot length in bytes from 0 to 262144, not '64k'"),
    (["-B", "0"], 2,
     "-B wants a kernel buffer size in KiB from 1 to 2097151, not '0'"),
    (["-B", "-4"], 2,
     "-B wants a kernel buffer size in KiB from 1 to 2097151, not '-4'"),
    (["-c", "0"], 2, "-c wants a packet count of at least 1, not '0'"),
    (["-c", "ten"], 2, "-c wants a packet count of at least 1, not 'ten'"),
    (["-Q", "sideways"], 2, "-Q wants in, out or inout, not 'sideways'"),
    (["--duration", "0"], 2,
     "--duration wants a number of seconds above 0, not '0'"),
    (["prot", "80"], 2, "unknown operand 'prot' at column 1 (did you mean 'port'?)" + PCAP_TOO),
    (["tcp.port", "==", "80", "and", "prot", "22"], 2, "unknown operand 'prot' at column 20 (did you mean 'port'?)" + PCAP_TOO),
    # libpcap says only "syntax error": trawl finds where.
    (["--bpf", "tcp", "prot", "80"], 2,
     "not valid pcap-filter: can't parse filter expression: syntax error: "
     "'tcp' (columns 1-3) is valid, what follows from column 5 is not"),
    (["--bpf=tcp port 80 and and udp"], 2,
     "not valid pcap-filter: can't parse filter expression: syntax error: "
     "'tcp port 80' (columns 1-11) is valid, what follows from column 13 is "
     "not"),
    (["-e", "no.such.field"], 2, "unknown field 'no.such.field'"),
    (["-T", "xml"], 2, "-T wants text, fields or json, not 'xml'"),
    (["--stop-on", "never"], 2,
     "--stop-on wants full, userstop, filter:EXPR, fcserr or plderr, not "
     "'never'"),
    (["--stop-on", "filter:"], 2,
     "--stop-on filter wants an expression: filter:EXPR"),
    (["--stop-on", "full:3"], 2, "--stop-on full takes no ':' argument"),
    (["--stop-on", "filter:ip.src =="], 2, "stop filter: missing value after '==' at column 10: expected an IPv4 "
     "address" + PCAP_TOO),
    (["--start-on", "later"], 2,
     "--start-on wants on, filter:EXPR, fcserr or plderr, not 'later'"),
    (["--start-on", "filter:prot"], 2, "start filter: unknown operand 'prot' at column 1 (did you mean "
     "'port'?)" + PCAP_TOO),
    (["--keep", "some"], 2,
     "--keep wants all, filter:EXPR, notpld, tpld[:STREAM], plderr or "
     "fcserr, not 'some'"),
    (["--keep", "tpld:x"], 2,
     "--keep tpld:STREAM wants a stream number from 0 to 65535, not 'x'"),
    (["--keep", "tpld:70000"], 2,
     "--keep tpld:STREAM wants a stream number from 0 to 65535, not '70000'"),
    (["--keep", "notpld:1"], 2, "--keep notpld takes no ':' argument"),
    (["--keep", "filter:udp.port =="], 2, "keep filter: missing value after '==' at column 12: expected an "
     "unsigned integer" + PCAP_TOO),
    (["-C", "0", "-w", "{tmp}/x.pcap"], 2,
     "-C wants a positive number of megabytes, not '0'"),
    (["-C", "1.5", "-w", "{tmp}/x.pcap"], 2,
     "-C wants a positive number of megabytes, not '1.5'"),
    (["-G", "-1", "-w", "{tmp}/x.pcap"], 2,
     "-G wants a positive number of seconds, not '-1'"),
    (["-W", "0", "-C", "1", "-w", "{tmp}/x.pcap"], 2,
     "-W wants a positive number of files, not '0'"),
    (["-W", "3", "-w", "{tmp}/x.pcap"], 2,
     "-W goes with -C, -G or --split-packets"),
    (["-C", "1"], 2, SPLIT_WITH_W),
    (["-G", "60"], 2, SPLIT_WITH_W),
    (["-C", "1", "-w", "-"], 2,
     "standard output cannot be split into files: -C, -G, --split-packets "
     "and -W want -w FILE"),
    # At run time: nothing is listening when they are refused.
    (["-i", "cqnosuch0"], 1, "cqnosuch0: No such device exists"),
    (["-w", "/nonexistent/dir/x.pcap"], 1,
     "/nonexistent/dir/x.pcap: cannot create: No such file or directory"),
    (["-C", "1", "-w", "/nonexistent/dir/x.pcap"], 1,
     "/nonexistent/dir/x.pcap: cannot create: No such file or directory"),
    (["-w", "{tmp}/nodir/x-%H.pcap"], 1,
     "{tmp}/nodir/x-%H.pcap: cannot create: No such file or directory"),
]


@pytest.fixture(scope="module")
def net():
    """One pair of namespaces for every case: none of them captures."""
    with network() as n:
        yield n


@pytest.mark.parametrize("args,status,line", CASES,
                         ids=[" ".join(c[0]) for c in CASES])
def test_refused_with_one_line(net, trawl_bin, tmp_path, args, status, line):
    def fill(s):
        return s.replace("{if}", net.a_if[0]).replace("{tmp}", str(tmp_path))
    args = [fill(a) for a in args]
    iface = [] if "-i" in args else ["-i", net.a_if[0]]
    r = net.run(net.a, trawl_bin, "capture", *iface, *args, check=False,
                timeout=20)
    lines = r.stderr.splitlines()
    assert r.returncode == status, r.stderr
    prefix = "trawl capture: " if status == 2 else "trawl: "
    assert lines[0] == prefix + fill(line), r.stderr
    # A usage error points at the help; nothing else is said.
    assert lines[1:] == (["(see 'trawl capture --help')"] if status == 2
                         else []), r.stderr
    assert r.stdout == ""
    assert not list(tmp_path.iterdir())


def test_read_says_a_split_error_once(trawl_bin, tmp_path):
    """trawl read shares the split options: one message there too."""
    r = subprocess.run([trawl_bin, "read", "-C", "0", "-w",
                        str(tmp_path / "x.pcap"), "-r", "/dev/null"],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "trawl read: -C wants a positive number of megabytes, not '0'",
        "(see 'trawl read --help')"]


def test_snaplen_zero_is_the_largest(net, trawl_bin):
    """-s 0 is no error: as in tcpdump, it keeps the largest, 262144."""
    r = net.run(net.a, trawl_bin, "capture", "-i", net.a_if[0], "-s", "0",
                "-q", "--duration", "0.2", timeout=20)
    assert "snapshot length 262144 bytes" in r.stderr
