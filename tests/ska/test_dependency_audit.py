"""The dependency audit (`make audit`, `.ci/audit`) fails on a known vulnerability in a pinned
package, also when it has to fall back to the advisories kept in the repository."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUDIT = ROOT / ".ci" / "audit"
KEPT = ROOT / ".ci" / "advisories" / "osv.json"


def _run(*args):
    return subprocess.run([sys.executable, str(AUDIT), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _locked_entry(name: str) -> tuple[str, str]:
    """A package's pin (with its hashes) as it stands in the real lock file."""
    text = (ROOT / "requirements.lock").read_text()
    match = re.search(rf"^({re.escape(name)}==(\S+) \\\n(?:    --hash=\S+(?: \\)?\n)+)", text, re.MULTILINE)
    assert match, name
    return match.group(1), match.group(2)


def _test_advisory(package: str, introduced: str, fixed: str) -> dict:
    """TEST DATA, made up for this test: not a real advisory about the package."""
    return {
        "schema_version": "1.6.0",
        "id": "TEST-SKA-0001",
        "modified": "2025-01-01T00:00:00Z",
        "published": "2025-01-01T00:00:00Z",
        "summary": "Test data for the audit's own test; not a real vulnerability",
        "affected": [{
            "package": {"ecosystem": "PyPI", "name": package},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": introduced}, {"fixed": fixed}]}],
        }],
    }


@pytest.mark.parametrize("offline", [True, False], ids=["offline", "as-in-ci"])
def test_a_pinned_version_with_an_advisory_fails_the_audit(tmp_path, offline):
    entry, version = _locked_entry("amqp")
    lock = tmp_path / "requirements.lock"
    lock.write_text(entry)
    advisories = tmp_path / "osv.json"
    major = version.split(".")[0]
    advisories.write_text(json.dumps([_test_advisory("amqp", f"{major}.0", f"{int(major) + 1}.0")]))

    result = _run("--lock", str(lock), "--advisories", str(advisories), *(["--offline"] if offline else []))
    output = result.stdout + result.stderr
    if not offline:
        if "cannot be reached" not in result.stderr:
            pytest.skip("the vulnerability service answered: the kept advisories were not used")
        assert "falling back" in result.stderr  # said plainly, on stderr
    assert result.returncode != 0, output
    assert "amqp" in output and version in output and "TEST-SKA-0001" in output


def test_a_version_outside_the_advisory_passes(tmp_path):
    entry, version = _locked_entry("amqp")
    lock = tmp_path / "requirements.lock"
    lock.write_text(entry)
    advisories = tmp_path / "osv.json"
    advisories.write_text(json.dumps([_test_advisory("amqp", "0", version)]))  # fixed in the pinned version
    result = _run("--lock", str(lock), "--advisories", str(advisories), "--offline")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_real_lock_passes_against_the_kept_advisories():
    records = json.loads(KEPT.read_text())
    assert isinstance(records, list)
    result = _run("--lock", str(ROOT / "requirements.lock"), "--advisories", str(KEPT), "--offline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stdout + result.stderr
