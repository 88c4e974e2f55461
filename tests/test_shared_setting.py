"""The shared data (../shared/data) is a setting, and CI's switch works (issue 26.5): a test that needs it skips
where it is absent, and fails with GOVDATA_REQUIRE_SHARED=1 (.ci/run exports it), also when the folder is there but
not among the build's raw roots."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from pipelines.settings import PROJECT_DIR, Settings
from tests.conftest import PROJECT

PROBE = """
import pytest

from tests.conftest import require_shared


@pytest.mark.needs_shared("scores/papi")
def test_marked():
    pass


@pytest.mark.needs_shared("scores/papi", in_build=True)
def test_in_build():
    pass


def test_called():
    require_shared("real_documents")
"""


def test_the_shared_folder_and_the_switch_come_from_the_environment(tmp_path):
    assert Settings.from_env({}).shared_data == PROJECT_DIR.parent / "shared" / "data"
    assert Settings.from_env({}).require_shared is False
    s = Settings.from_env({"GOVDATA_SHARED_DATA": str(tmp_path), "GOVDATA_REQUIRE_SHARED": "1"})
    assert (s.shared_data, s.require_shared) == (tmp_path, True)
    assert Settings.from_env({"GOVDATA_SHARED_DATA": "x/y"}).shared_data == PROJECT_DIR / "x" / "y"
    assert Settings.from_env({"GOVDATA_REQUIRE_SHARED": "0"}).require_shared is False


def _outcomes(tmp_path: Path, shared: Path, require: bool, raw_extra: str = "") -> dict[str, str]:
    """Run the probe in a child pytest with these settings: {test name: passed / skipped / failed / error}."""
    probe, report = tmp_path / "test_probe.py", tmp_path / "report.xml"
    probe.write_text(PROBE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("GOVDATA_REQUIRE_SHARED", "GOVDATA_RAW_EXTRA")}
    env.update(PYTHONPATH=str(PROJECT), GOVDATA_SHARED_DATA=str(shared), GOVDATA_RAW_EXTRA=raw_extra)
    if require:
        env["GOVDATA_REQUIRE_SHARED"] = "1"
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-c",
         str(PROJECT / "pyproject.toml"), "--rootdir", str(tmp_path), "-q", f"--junitxml={report}", str(probe)],
        cwd=PROJECT, capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    out: dict[str, str] = {}
    for case in ET.parse(report).iter("testcase"):
        kinds = [c.tag for c in case if c.tag in ("skipped", "failure", "error")]
        out[case.get("name", "")] = {"failure": "failed"}.get(kinds[0], kinds[0]) if kinds else "passed"
    bad = {"failed", "error"} & set(out.values())
    assert r.returncode == (1 if bad else 0), r.stdout[-3000:]
    if bad:  # the message says why, and which setting makes it fatal
        assert "needs the shared data, and GOVDATA_REQUIRE_SHARED=1" in r.stdout, r.stdout[-3000:]
    return out


def test_a_missing_shared_folder_skips_here_and_fails_in_ci(tmp_path):
    missing = tmp_path / "no_shared"
    skipped = _outcomes(tmp_path, missing, require=False)
    assert skipped == {"test_marked": "skipped", "test_in_build": "skipped", "test_called": "skipped"}, skipped
    failed = _outcomes(tmp_path, missing, require=True)
    # a marked test fails at its setup (before any fixture is built), a call inside a test fails the test
    assert failed == {"test_marked": "error", "test_in_build": "error", "test_called": "failed"}, failed


def test_a_shared_folder_left_out_of_the_raw_roots_fails_in_ci_and_one_in_them_passes(tmp_path):
    shared = tmp_path / "shared"
    (shared / "scores" / "papi").mkdir(parents=True)
    (shared / "real_documents").mkdir()
    assert _outcomes(tmp_path, shared, require=True) == {
        "test_marked": "passed",
        "test_in_build": "error",  # the folder is there, but GOVDATA_RAW_EXTRA does not name it
        "test_called": "passed",
    }
    assert _outcomes(tmp_path, shared, require=True, raw_extra=str(shared)) == {
        "test_marked": "passed",
        "test_in_build": "passed",
        "test_called": "passed",
    }
