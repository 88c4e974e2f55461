"""Every raw file, whatever it is, ends as a document or a quarantine row with its reason, and a missing raw root
stops the run instead of dropping that root's documents (issue 18.4 and 18.6)."""

from __future__ import annotations

import os
import shutil
import signal

import pytest

from pipelines.settings import MAX_BYTES_ENV, PROJECT_DIR
from pipelines.sources.plans.ingest import (
    MissingRootError,
    RawFile,
    RawReadError,
    discover,
    labelled_roots,
    raw_roots,
    read_raw,
)
from tests.conftest import HCMC_PAPI, QUANG_NGAI, stage_files


@pytest.fixture()
def no_hang():
    """A FIFO opened for reading blocks until a writer comes: fail the test instead of hanging the suite."""

    def boom(*_):
        raise TimeoutError("a raw file read blocked")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _hostile_root(tmp_path):
    root = tmp_path / "root"
    plans = root / "plans"
    plans.mkdir(parents=True)
    shutil.copy(HCMC_PAPI, plans / "good.txt")
    os.symlink("loop_b.txt", plans / "loop_a.txt")
    os.symlink("loop_a.txt", plans / "loop_b.txt")
    os.symlink("nowhere.txt", plans / "dangling.txt")
    os.mkfifo(plans / "pipe.txt")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", plans / "linked_dir")
    with open(os.path.join(os.fsencode(plans), b"k\xe9_ho\xe1ch.txt"), "wb") as fh:  # Latin-1 name, not UTF-8
        fh.write(QUANG_NGAI.read_bytes())
    (plans / "huge.txt").write_bytes(b"x" * 1_000_001)
    (plans / "locked.txt").write_bytes(QUANG_NGAI.read_bytes())
    os.symlink("good.txt", plans / "link_to_good.txt")  # a link to a regular file is read (then a duplicate)
    return root


EXPECTED = {
    "plans/loop_a.txt": "symbolic link loop",
    "plans/loop_b.txt": "symbolic link loop",
    "plans/dangling.txt": "dangling symbolic link",
    "plans/pipe.txt": "a named pipe (FIFO), not a regular file",
    "plans/linked_dir": "link outside the raw root: not read",  # a folder elsewhere (issue 24.5)
    "plans/k\\xe9_ho\\xe1ch.txt": "file name is not valid UTF-8",
    "plans/huge.txt": "file of 1000001 bytes, above the size limit of 1000000 bytes",
    "plans/locked.txt": "unreadable: Permission denied",
    "plans/link_to_good.txt": "duplicate of plans/good.txt",
}


def test_every_hostile_file_is_quarantined_with_its_reason(tmp_path, monkeypatch, no_hang):
    root = _hostile_root(tmp_path)
    monkeypatch.setenv(MAX_BYTES_ENV, "1000000")
    real_open = os.open

    def deny(path, flags, *a, **k):  # tests run as root: chmod 000 would not stop the read, so the open refuses
        if os.fspath(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", deny)
    files = discover("plans", [root])
    assert len(files) == 10
    report, _, staged, _ = stage_files(files, tmp_path, db="hostile.duckdb")
    assert report.files_seen == 10
    assert staged.documents["source_path"].to_list() == ["plans/good.txt"]
    reasons = dict(zip(staged.quarantine["source_path"], staged.quarantine["reason"]))
    assert len(reasons) == 9 == staged.quarantine.height
    for path, reason in EXPECTED.items():
        assert reason in reasons[path], (path, reasons[path])
    # the limit is read at run time: under the default (50 MB) the same file is read
    monkeypatch.delenv(MAX_BYTES_ENV)
    assert len(read_raw(RawFile(root, root / "plans" / "huge.txt"))) == 1_000_001


def test_the_raw_plan_files_listing_and_the_sensor_scan_survive_hostile_files(tmp_path, monkeypatch, no_hang):
    from pipelines.automation import scan

    root = _hostile_root(tmp_path)
    monkeypatch.setenv("GOVDATA_RAW_EXTRA", str(root))
    state = scan("plans", {})
    assert len([k for k in state if "root/plans" in k]) == 10
    assert state[str(root / "plans" / "pipe.txt")].sha256 == ""
    # partition keys are storable text: the non-UTF-8 name is escaped, not a lone surrogate
    assert str(root / "plans" / "k\\xe9_ho\\xe1ch.txt") in state
    for k in state:
        k.encode("utf-8")


def test_a_missing_raw_root_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDATA_RAW_EXTRA", f"{tmp_path}{os.pathsep}/does/not/exist")
    with pytest.raises(MissingRootError, match="/does/not/exist"):
        raw_roots()
    with pytest.raises(MissingRootError):
        discover("plans")
    # removing the root's documents on purpose
    monkeypatch.setenv("GOVDATA_DROP_ROOTS", "/does/not/exist")
    assert raw_roots()[1:] == [tmp_path]
    # an existing root can be dropped too; labels follow the position in GOVDATA_RAW_EXTRA, so they do not move
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("GOVDATA_RAW_EXTRA", os.pathsep.join([str(tmp_path), str(other)]))
    monkeypatch.setenv("GOVDATA_DROP_ROOTS", str(tmp_path))
    assert labelled_roots() == [(PROJECT_DIR / "raw", "raw"), (other, "extra2")]


def test_a_missing_raw_root_stops_the_run_before_publishing(tmp_path, monkeypatch):
    """The first asset fails with the root's name; nothing downstream (publish included) runs."""
    import dagster as dg

    from assets import definitions
    from assets.resources import SettingsResource
    from pipelines.settings import Settings

    monkeypatch.setenv("GOVDATA_RAW_EXTRA", str(tmp_path / "mistyped"))
    result = dg.materialize(
        definitions.PYTHON_ASSETS[:1],
        raise_on_error=False,
        resources={
            "duckdb": definitions.defs.resources["duckdb"],
            "settings": SettingsResource.of(Settings.from_env()),
        },
    )
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "mistyped" in str(failures[0].event_specific_data.error)


def test_published_paths_name_the_root_by_position(tmp_path, monkeypatch):
    root = tmp_path / "root"
    (root / "plans").mkdir(parents=True)
    shutil.copy(HCMC_PAPI, root / "plans" / "a.txt")
    monkeypatch.setenv("GOVDATA_RAW_EXTRA", str(root))
    files = discover("plans")
    assert [(f.root_label, f.source_path) for f in files][-1] == ("extra1", "plans/a.txt")
    assert files[0].root_label == "raw"  # raw/ first, then the extra roots in their order
    _, _, staged, _ = stage_files(files, tmp_path)
    assert set(staged.documents["raw_root"]) == {"raw"}  # a.txt duplicates a raw/ plan: raw/'s copy is kept
    assert staged.quarantine.filter(staged.quarantine["raw_root"] == "extra1")["reason"].to_list() == [
        "duplicate of plans/000_fc9f8ecdecbcee10.txt (same normalised text)"
    ]


def test_a_folder_that_cannot_be_listed_is_quarantined(tmp_path, monkeypatch):
    """Tests run as root, so chmod 000 would not stop the listing: os.scandir refuses that one folder instead."""
    root = tmp_path / "root"
    (root / "plans" / "locked").mkdir(parents=True)
    shutil.copy(HCMC_PAPI, root / "plans" / "good.txt")
    shutil.copy(QUANG_NGAI, root / "plans" / "locked" / "hidden.txt")
    real = os.scandir

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files = discover("plans", [root])
    _, _, staged, _ = stage_files(files, tmp_path)
    assert staged.documents["source_path"].to_list() == ["plans/good.txt"]
    assert dict(zip(staged.quarantine["source_path"], staged.quarantine["reason"])) == {
        "plans/locked": "folder that cannot be listed: Permission denied"
    }


def test_a_link_out_of_the_raw_root_is_quarantined_not_read(tmp_path, no_hang):
    """Issue 24.5: whoever can drop a link in a raw folder must not make the build read /etc/passwd, or publish a
    file from elsewhere as a plan; a link inside the root is still read."""
    root = tmp_path / "root"
    plans = root / "plans"
    plans.mkdir(parents=True)
    shutil.copy(HCMC_PAPI, plans / "good.txt")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(QUANG_NGAI, outside / "qn.txt")
    os.symlink("/etc/passwd", plans / "passwd.txt")
    os.symlink(outside / "qn.txt", plans / "elsewhere.txt")
    os.symlink("../plans/good.txt", plans / "inside.txt")
    files = discover("plans", [root])
    by_name = {f.path.name: f for f in files}
    for name in ("passwd.txt", "elsewhere.txt"):
        with pytest.raises(RawReadError, match="link outside the raw root"):
            read_raw(by_name[name])
    assert read_raw(by_name["inside.txt"]) == HCMC_PAPI.read_bytes()
    _, _, staged, _ = stage_files(files, tmp_path, db="links.duckdb")
    assert staged.documents["source_path"].to_list() == ["plans/good.txt"]
    reasons = dict(zip(staged.quarantine["source_path"], staged.quarantine["reason"]))
    # the reason is published: it never names the target, a path of the build machine
    assert reasons["plans/passwd.txt"] == reasons["plans/elsewhere.txt"] == "link outside the raw root: not read"
    assert reasons["plans/inside.txt"] == "duplicate of plans/good.txt (same normalised text)"
