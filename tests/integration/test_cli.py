"""The `trawl` command itself: dispatch, `trawl help`, `--version`."""
import re
import subprocess

from conftest import ROOT


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def project_version():
    text = (ROOT / "meson.build").read_text()
    return re.search(r"version\s*:\s*'([^']+)'", text).group(1)


def test_version(trawl_bin):
    for flag in ("--version", "-v", "version"):
        r = run(trawl_bin, flag)
        assert r.returncode == 0
        assert r.stdout == f"trawl {project_version()}\n"


def test_help_lists_commands(trawl_bin):
    r = run(trawl_bin, "help")
    assert r.returncode == 0
    assert r.stdout.startswith(f"trawl {project_version()} — ")
    assert re.search(r"^  read +read, decode, print and convert trace files$",
                     r.stdout, re.M)
    assert "'trawl COMMAND --help' describes every flag" in r.stdout
    assert run(trawl_bin, "--help").stdout == r.stdout
    assert run(trawl_bin, "-h").stdout == r.stdout


def test_no_arguments_is_a_usage_error(trawl_bin):
    r = run(trawl_bin)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "usage: trawl COMMAND" in r.stderr


def test_help_for_a_command(trawl_bin):
    r = run(trawl_bin, "help", "read")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: trawl read ")
    assert run(trawl_bin, "read", "--help").stdout == r.stdout
    # -h anywhere among the options asks for help, as in most tools.
    assert run(trawl_bin, "read", "x.pcap", "-c", "3", "-h").stdout == r.stdout


def test_help_after_dashdash_is_an_expression_word(trawl_bin, tmp_path):
    r = run(trawl_bin, "read", str(tmp_path / "x.pcap"), "--", "--help")
    assert r.returncode == 2
    assert r.stderr.startswith("trawl read: unexpected value '--help' at "
                               "column 1")


def test_unknown_command(trawl_bin):
    r = run(trawl_bin, "frobnicate")
    assert r.returncode == 2
    assert r.stderr == "trawl: no command 'frobnicate' (see 'trawl help')\n"
    r = run(trawl_bin, "help", "frobnicate")
    assert r.returncode == 2
    assert "no command 'frobnicate'" in r.stderr
