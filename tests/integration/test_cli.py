import subprocess


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def test_version(trawl_bin):
    r = run(trawl_bin, "--version")
    assert r.returncode == 0
    assert r.stdout.startswith("trawl ")


def test_help_lists_commands(trawl_bin):
    r = run(trawl_bin, "help")
    assert r.returncode == 0
    assert "read" in r.stdout


def test_unknown_command(trawl_bin):
    r = run(trawl_bin, "frobnicate")
    assert r.returncode == 2
    assert "no command 'frobnicate'" in r.stderr
