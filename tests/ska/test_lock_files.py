"""The lock files every install reads (Makefile, Dockerfile, `.ci/fresh-install`).

Each pins every package with hashes and names no package index or host, and the pip that installs
the others (`requirements-pip.lock`) is the one the test and bench locks pin too, so installing
them never swaps the installer for another version.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ["requirements-pip.lock", "requirements.lock", "requirements-test.lock", "requirements-bench.lock"]
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\S*)(?: *;[^\\\n]*)? ?\\?\n((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)*)", re.MULTILINE)


def _entries(lock: str) -> dict[str, tuple[str, int]]:
    """name -> (version specifier, number of hashes) for every requirement in a lock file."""
    text = (ROOT / lock).read_text()
    entries = {name.lower(): (spec, hashes.count("--hash=")) for name, spec, hashes in ENTRY.findall(text)}
    # Every line that is neither a comment nor a continuation is a requirement read above.
    assert len(entries) == len(re.findall(r"^[^#\s]", text, re.MULTILINE)), lock
    return entries


@pytest.mark.parametrize("lock", LOCKS)
def test_every_requirement_is_pinned_with_hashes(lock):
    entries = _entries(lock)
    assert entries, lock
    for name, (spec, hashes) in entries.items():
        assert re.fullmatch(r"==[^\s;=<>!~]+", spec), f"{lock}: {name}{spec} is not pinned with =="
        assert hashes >= 1, f"{lock}: {name} has no hash"


@pytest.mark.parametrize("lock", LOCKS)
def test_no_index_or_host_is_named(lock):
    text = (ROOT / lock).read_text()
    for option in ("--index-url", "--extra-index-url", "-i ", "--find-links", "-f ", "--trusted-host"):
        assert not any(line.lstrip().startswith(option) for line in text.splitlines()), (lock, option)
    assert "://" not in text, lock


def test_the_installer_lock_holds_pip_alone_at_the_version_of_the_other_locks():
    installer = _entries("requirements-pip.lock")
    assert list(installer) == ["pip"]
    version, hashes = installer["pip"]
    assert hashes >= 1
    for lock in ("requirements-test.lock", "requirements-bench.lock"):
        assert _entries(lock)["pip"][0] == version, lock
