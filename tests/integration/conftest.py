"""Shared fixtures: where the trawl binary and the shared corpus are."""
import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("TRAWL_BUILD", ROOT / "build-test"))
# TRAWL_CORPUS points elsewhere (a worktree of the repository sits one
# level deeper than the shared corpus expects).
CORPUS = pathlib.Path(os.environ.get(
    "TRAWL_CORPUS", ROOT.parent / "shared" / "corpus" / "tcpdump-tests"))


@pytest.fixture(scope="session")
def trawl_bin():
    path = BUILD / "src" / "cli" / "trawl"
    if not path.exists():
        pytest.fail(f"{path} is missing: build first (make test does)")
    return str(path)


@pytest.fixture(scope="session")
def corpus_dir():
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent: the shared corpus is not beside the repo")
    return CORPUS


def need(tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
