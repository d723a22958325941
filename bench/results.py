"""What the benchmark scripts share: a description of the machine, and
bench/RESULTS.md as a set of sections, each owned by one script, so that
running one benchmark rewrites its own figures and keeps the others'.

A section is the text between `<!-- section NAME -->` and
`<!-- end NAME -->`; sections keep their order, a new one goes at the
end."""
import os
import pathlib
import platform
import re
import subprocess

RESULTS = pathlib.Path(__file__).resolve().parent / "RESULTS.md"
TITLE = "# Benchmark results\n"


def machine():
    """nproc, the CPU model (from lscpu), the kernel."""
    model = "unknown CPU"
    r = subprocess.run(["lscpu"], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    return f"{os.cpu_count()} CPUs ({model}), Linux {platform.release()}"


def write_section(name, text, path=RESULTS):
    """Replaces section NAME of the results file with text (or appends
    it), leaving every other section as it is."""
    old = path.read_text() if path.exists() else TITLE
    if not old.startswith(TITLE):
        old = TITLE + "\n" + old
    block = f"<!-- section {name} -->\n{text.strip()}\n<!-- end {name} -->\n"
    pattern = re.compile(rf"<!-- section {re.escape(name)} -->\n.*?<!-- end "
                         rf"{re.escape(name)} -->\n", re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _: block, old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + block
    path.write_text(new)
