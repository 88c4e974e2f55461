"""Atomic publication of a whole release: the database and the marts switch together.

    warehouse/releases/<build_id>/governance.duckdb     one release: the database (0444) ...
    warehouse/releases/<build_id>/marts/                ... and its marts, with marts/_build_id
    warehouse/current -> releases/<build_id>            the one pointer, flipped with os.replace of a new symlink
    warehouse/governance.duckdb -> current/governance.duckdb   stable paths readers use
    warehouse/marts -> current/marts

A release is written whole in releases/.tmp-<build_id>/, renamed to releases/<build_id>/, and only then is
`current` flipped: one rename of a symlink, so a kill at any moment leaves the previous release or the new one
readable, never the new database beside the old marts. Leftovers of a killed publish (temporary folders and
links, releases beyond the last KEEP) are removed at the start of the next one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import stat
import uuid
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.publish.content_key import CONTENT_KEY_FILE, mart_counts, release_content_key
from pipelines.publish.files import publish, publish_marts
from pipelines.warehouse.db import run_sql

DB_NAME = "governance.duckdb"
MARTS_NAME = "marts"
REPORT_NAME = "report"  # made inside the release before the switch: a report always belongs to its release
BUILD_ID_FILE = "_build_id"  # in the marts folder: the build the marts come from
BUILD_INFO = "build_info"  # in the database: the build id and the one place for timestamps
KEEP = 2  # releases kept: the current one and the one before


def publish_checkpoint(step: str) -> None:
    """A named point of the publish sequence. Tests replace it to kill the process there."""


def new_build_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]  # sorts by time


def releases_dir(warehouse: Path) -> Path:
    return warehouse / "releases"


def current_release(warehouse: Path) -> Path | None:
    cur = warehouse / "current"
    if not cur.is_symlink():
        return None
    target = cur.resolve()
    return target if target.is_dir() else None


def current_build_id(warehouse: Path) -> str | None:
    cur = current_release(warehouse)
    return cur.name if cur else None


@contextmanager
def publish_lock(warehouse: Path, wait: bool = True):
    """Held for a whole publish (flock on warehouse/publish.lock, freed by the kernel if the holder dies), so a
    cleanup never removes the temporary release of a publish that is still running. Yields False when `wait` is
    off and another process holds it."""
    warehouse.mkdir(parents=True, exist_ok=True)
    fh = open(warehouse / "publish.lock", "a")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def clean_leftovers_if_idle(warehouse: Path) -> list[Path]:
    """clean_leftovers, unless a publish is running (then it is that publish's to clean)."""
    with publish_lock(warehouse, wait=False) as free:
        return clean_leftovers(warehouse) if free else []


def clean_leftovers(warehouse: Path, keep: int = KEEP) -> list[Path]:
    """Remove what a killed publish left: temporary releases and links, old-layout temporaries, and releases
    beyond the last `keep` (never the current one). Returns what was removed."""
    removed: list[Path] = []
    rel = releases_dir(warehouse)
    current = current_release(warehouse)
    if rel.is_dir():
        for p in rel.iterdir():
            if p.name.startswith(".tmp-"):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
        done = sorted((p for p in rel.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
        for p in done[:-keep] if keep else done:
            if current is None or p.resolve() != current:
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    if warehouse.is_dir():
        for p in warehouse.iterdir():
            # .current.tmp-* links, and temporaries of the old one-file publish (.governance.*.tmp, .marts.*)
            if p.name.startswith((".current.tmp-", ".governance.", ".marts.", ".stable.tmp-")):
                if p.is_symlink() or p.is_file():
                    p.unlink()
                else:
                    shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
    return removed


def _readable(path: Path) -> None:
    """Files 0644 (the database 0444: a release is never written again), folders 0755: every account reads."""
    for dirpath, _dirs, files in os.walk(path):
        os.chmod(dirpath, 0o755)
        for f in files:
            os.chmod(os.path.join(dirpath, f), 0o444 if f == DB_NAME else 0o644)


def _link(warehouse: Path, name: str, target: str) -> None:
    """warehouse/<name> -> target, replaced atomically (a temporary link renamed over it)."""
    dest = warehouse / name
    if dest.is_symlink() and os.readlink(dest) == target:
        return
    tmp = warehouse / f".stable.tmp-{name}-{uuid.uuid4().hex[:6]}"
    os.symlink(target, tmp)
    if dest.is_dir() and not dest.is_symlink():
        # the old layout's real marts folder: a symlink cannot be renamed over a folder, so move it aside first
        aside = warehouse / f".marts.old-layout-{uuid.uuid4().hex[:6]}"
        os.replace(dest, aside)
        os.replace(tmp, dest)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(tmp, dest)


def link_report(warehouse: Path) -> None:
    """warehouse/report -> the current release's report."""
    _link(warehouse, REPORT_NAME, os.path.join("current", REPORT_NAME))


def write_build_info(db: Path, build_id: str, extra: dict[str, str] | None = None) -> None:
    con = duckdb.connect(str(db))
    try:
        run_sql(
            con,
            f'CREATE OR REPLACE TABLE "{BUILD_INFO}" (build_id VARCHAR, built_at TIMESTAMP, key VARCHAR, '
            "value VARCHAR)",
        )
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows = [("build_id", build_id), *sorted((extra or {}).items())]
        for k, v in rows:
            run_sql(con, f'INSERT INTO "{BUILD_INFO}" VALUES (?, ?, ?, ?)', [build_id, now, k, v])
        run_sql(
            con,
            f'COMMENT ON TABLE "{BUILD_INFO}" IS \'The build this release comes from: its id (also in '
            "marts/_build_id), when it was built, and the inputs it read. The only table with a timestamp "
            "of the build, so two builds of the same input differ only here.'",
        )
        run_sql(con, "CHECKPOINT")
    finally:
        con.close()


def publish_release(
    build_db: Path,
    warehouse: Path,
    keep_tables: set[str] | None = None,
    build_id: str | None = None,
    info: dict[str, str] | None = None,
    extra_files: Sequence[Path] = (),
    report: Callable[[Path, Path, str], object] | None = None,
    reuse_unchanged: bool = True,
) -> tuple[str, dict[str, int]]:
    """Publish the checked build as a new release and switch to it. Returns (build id, rows per mart).
    `extra_files` are copied into the release folder (the raw-file state the build read). `report(db, out_dir,
    build_id)` writes the release's report from its database before the switch, so a killed report leaves the
    previous release with its own report, never a new release with an old one.
    With `reuse_unchanged` (and no `build_id` asked for), a build whose content key (pipelines/publish/
    content_key.py) is the current release's is not published again: the current release is kept and returned,
    since a new one would hold the same tables, marts and report."""
    with publish_lock(warehouse):
        key = release_content_key(build_db, keep_tables, info, extra_files, report is not None)
        if reuse_unchanged and build_id is None:
            kept = _unchanged_release(warehouse, key, report is not None)
            if kept is not None:
                return kept
        return _publish_release(build_db, warehouse, keep_tables, build_id, info, extra_files, report, key)


def _unchanged_release(warehouse: Path, key: str, with_report: bool) -> tuple[str, dict[str, int]] | None:
    """(build id, rows per mart) of the current release when it was made from content with this key and is whole."""
    cur = current_release(warehouse)
    if cur is None or not (cur / CONTENT_KEY_FILE).is_file():
        return None
    if (cur / CONTENT_KEY_FILE).read_text(encoding="utf-8").strip() != key:
        return None
    try:
        build_id = release_is_consistent(warehouse)
    except (AssertionError, OSError, duckdb.Error):
        return None
    if with_report and not (warehouse / REPORT_NAME / BUILD_ID_FILE).is_file():
        return None
    clean_leftovers(warehouse)
    return build_id, mart_counts(cur / MARTS_NAME)


def _publish_release(
    build_db: Path,
    warehouse: Path,
    keep_tables: set[str] | None,
    build_id: str | None,
    info: dict[str, str] | None,
    extra_files: Sequence[Path] = (),
    report: Callable[[Path, Path, str], object] | None = None,
    content_key: str | None = None,
) -> tuple[str, dict[str, int]]:
    clean_leftovers(warehouse)
    publish_checkpoint("cleaned")
    build_id = build_id or new_build_id()
    rel = releases_dir(warehouse)
    rel.mkdir(exist_ok=True)
    tmp = rel / f".tmp-{build_id}"
    tmp.mkdir()
    publish_checkpoint("tmp_created")
    publish(build_db, tmp / DB_NAME, keep=keep_tables)
    publish_checkpoint("db_copied")
    write_build_info(tmp / DB_NAME, build_id, info)
    publish_checkpoint("build_info_written")
    counts = publish_marts(build_db, tmp / MARTS_NAME, build_id=build_id)  # the id is also in every file
    publish_checkpoint("marts_written")
    (tmp / MARTS_NAME / BUILD_ID_FILE).write_text(build_id + "\n", encoding="utf-8")
    for f in extra_files:
        shutil.copyfile(f, tmp / f.name)
    if content_key is not None:
        (tmp / CONTENT_KEY_FILE).write_text(content_key + "\n", encoding="utf-8")
    if report is not None:
        report(tmp / DB_NAME, tmp / REPORT_NAME, build_id)
        (tmp / REPORT_NAME / BUILD_ID_FILE).write_text(build_id + "\n", encoding="utf-8")
        publish_checkpoint("report_written")
    _readable(tmp)
    publish_checkpoint("permissions_set")
    final = rel / build_id
    os.rename(tmp, final)
    publish_checkpoint("release_renamed")
    link = warehouse / f".current.tmp-{build_id}"
    os.symlink(os.path.join("releases", build_id), link)
    publish_checkpoint("link_made")
    os.replace(link, warehouse / "current")  # the switch: one rename
    publish_checkpoint("switched")
    _link(warehouse, DB_NAME, os.path.join("current", DB_NAME))
    _link(warehouse, MARTS_NAME, os.path.join("current", MARTS_NAME))
    if report is not None:
        link_report(warehouse)
    publish_checkpoint("stable_links")
    clean_leftovers(warehouse)
    publish_checkpoint("done")
    return build_id, counts


def release_is_consistent(warehouse: Path) -> str:
    """The build id of the readable release, after checking that its database and marts come from the same build
    (through the stable paths readers use). Raises AssertionError otherwise."""
    db, marts = warehouse / DB_NAME, warehouse / MARTS_NAME
    con = duckdb.connect(str(db), read_only=True)
    try:
        (db_id,) = con.execute(f'SELECT DISTINCT build_id FROM "{BUILD_INFO}"').fetchall()[0]
    finally:
        con.close()
    marts_id = (marts / BUILD_ID_FILE).read_text(encoding="utf-8").strip()
    assert db_id == marts_id == current_build_id(warehouse), (db_id, marts_id, current_build_id(warehouse))
    report = warehouse / REPORT_NAME
    if report.exists():  # a release published with its report
        report_id = (report / BUILD_ID_FILE).read_text(encoding="utf-8").strip()
        assert report_id == db_id, (report_id, db_id)
    assert stat.S_IMODE(os.stat(marts).st_mode) == 0o755
    return db_id


def _files_held(db: Path) -> dict[str, dict[tuple[str, str], str]]:
    """(raw root, path) of every plan file a warehouse holds, as a document or as a quarantined file."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        docs = con.execute("SELECT raw_root, source_path, doc_type FROM dim_document").fetchall()
        quarantined = con.execute(
            "SELECT raw_root, source_path, any_value(reason) FROM quarantine WHERE source_path LIKE 'plans/%' "
            "GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    return {
        "document": {(r, p): t or "" for r, p, t in docs},
        "quarantine": {(r, p): why or "" for r, p, why in quarantined},
    }


def documents_leaving(warehouse: Path, build_db: Path) -> list[str]:
    """Lines naming every plan file the published release holds as a document that the build about to be
    published no longer holds as one (deleted, moved, dropped root, or now quarantined), so no document leaves
    a release unnamed. Empty when there is no release yet."""
    old_db = warehouse / DB_NAME
    if not old_db.exists():
        return []
    try:
        old = _files_held(old_db)
    except duckdb.Error:  # a release from before these tables: nothing to compare with
        return []
    new = _files_held(build_db)
    out = []
    for key in sorted(set(old["document"]) - set(new["document"])):
        root, path = key
        why = new["quarantine"].get(key)
        out.append(
            f"{root}:{path} ({old['document'][key] or 'document'})" + (f", now quarantined: {why}" if why else "")
        )
    return out
