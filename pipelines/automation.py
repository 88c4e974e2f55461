"""The decisions behind the raw-files sensor and the yearly reload schedule, as plain functions (tested on their
own); the Dagster jobs, sensors and schedule that carry them out are in assets/automation.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.settings import Settings
from pipelines.sources.plans.ingest import RawFile, discover, file_fingerprint, shown_path

TZ = "Asia/Ho_Chi_Minh"
# PAPI for year N is launched in April-May of N+1; the PAR Index around the same time
YEARLY_CRON = "0 6 1 6 *"  # 06:00 on 1 June, Vietnam time
WRITER_TAG = {"govdata/duckdb_writer": "true"}  # dagster.yaml lets one run with this tag run at a time


# ---------------------------------------------------------------- plain decisions


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str


def scan(kind: str, previous: dict[str, FileState], settings: Settings | None = None) -> dict[str, FileState]:
    """Current state of every file under <root>/<kind>/ of `settings`' raw roots; bytes are hashed only when size
    or mtime moved."""
    out: dict[str, FileState] = {}
    for f in discover(kind, settings=settings):
        key = _key(kind, f)
        try:
            st = f.path.stat()
        except OSError:  # a link loop or a dangling link: the run quarantines it; here it is a file without bytes
            out[key] = FileState(-1, -1, "")
            continue
        old = previous.get(key)
        if old and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns:
            out[key] = old
        else:
            out[key] = FileState(st.st_size, st.st_mtime_ns, file_fingerprint(f))
    return out


def partition_key_for(f: RawFile) -> str:
    """A plan file's partition: its path relative to raw/ for the embedded input, else its absolute path."""
    return f.source_path if f.root_label == "raw" else shown_path(f.path)  # a non-UTF-8 name, escaped


def _key(kind: str, f: RawFile) -> str:
    return partition_key_for(f) if kind == "plans" else (f.source_path if f.root_label == "raw" else shown_path(f.path))


@dataclass
class Changes:
    added: list[str]
    changed: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def diff(previous: dict[str, FileState], current: dict[str, FileState]) -> Changes:
    return Changes(
        added=sorted(k for k in current if k not in previous),
        changed=sorted(k for k in current if k in previous and current[k].sha256 != previous[k].sha256),
        removed=sorted(k for k in previous if k not in current),
    )


def state_digest(state: dict[str, FileState]) -> str:
    return hashlib.sha256("\n".join(f"{k}\t{v.sha256}" for k, v in sorted(state.items())).encode()).hexdigest()[:16]


def previous_index_year(at: dt.datetime) -> int:
    """The index year a reload at `at` asks for: the year before, in Vietnam time."""
    return at.astimezone(ZoneInfo(TZ)).year - 1


# The raw-file state a build read, kind by kind: written by the asset that reads the kind, before it reads
# (build/raw_state.<kind>.json), and carried into the release by the publish (releases/<id>/raw_state.json), so
# `warehouse/current/raw_state.json` is what the published warehouse was built from. The sensor compares the files
# with it, not with its own cursor: a first `make ui` after `make run` finds nothing to do.
RAW_STATE = "raw_state.json"
KINDS = ("plans", "scores")


def _state_to_json(state: dict[str, FileState]) -> dict[str, list]:
    return {k: [v.size, v.mtime_ns, v.sha256] for k, v in sorted(state.items())}


def _state_from_json(raw: dict[str, list]) -> dict[str, FileState]:
    return {k: FileState(*v) for k, v in raw.items()}


def pending_state_path(build_dir: Path, kind: str) -> Path:
    return build_dir / f"raw_state.{kind}.json"


def record_read_state(kind: str, settings: Settings) -> dict[str, FileState]:
    """Scan `kind` under `settings`' raw roots as a build is about to read it and keep the state beside the build
    (a file whose size and mtime did not move since the last record is not hashed again)."""
    build_dir = settings.build_db.parent
    path = pending_state_path(build_dir, kind)
    try:
        previous = _state_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        previous = {}
    state = scan(kind, previous, settings)
    build_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(_state_to_json(state)), encoding="utf-8")
    tmp.replace(path)
    return state


def _extra_prefixes(roots: Sequence[tuple[Path, str]]) -> list[tuple[str, str]]:
    """(absolute prefix, label prefix) of every extra root: a released file names an extra root by its label
    (extra1/...), never by a path of the build machine."""
    return [(shown_path(r) + "/", f"{label}/") for r, label in roots if label != "raw"]


def _swap_prefix(state: dict, pairs: Sequence[tuple[str, str]]) -> dict:
    out = {}
    for k, v in state.items():
        for old, new in pairs:
            if k.startswith(old):
                k = new + k[len(old) :]
                break
        out[k] = v
    return out


def built_state_file(build_dir: Path, roots: Sequence[tuple[Path, str]] = ()) -> Path | None:
    """The state the build read, both kinds in one file to publish with the release; None unless both kinds
    were recorded (a build that never read one of them cannot say it is up to date). Files of the extra
    `roots` ((path, label), as labelled_roots gives them) are keyed by label, so the release holds no absolute
    path."""
    parts = {}
    pairs = _extra_prefixes(roots)
    for kind in KINDS:
        try:
            raw = json.loads(pending_state_path(build_dir, kind).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        parts[kind] = _swap_prefix(raw, pairs)
    out = build_dir / RAW_STATE
    out.write_text(json.dumps(parts), encoding="utf-8")
    return out


def published_state(warehouse: Path, roots: Sequence[tuple[Path, str]] = ()) -> dict[str, dict[str, FileState]] | None:
    """The raw-file state the published release was built from, or None (no release yet, or one published
    before releases carried it). Files of extra roots come back under the paths of `roots` (labelled_roots)."""
    pairs = [(new, old) for old, new in _extra_prefixes(roots)]
    try:
        raw = json.loads((warehouse / "current" / RAW_STATE).read_text(encoding="utf-8"))
        return {kind: _state_from_json(_swap_prefix(raw[kind], pairs)) for kind in KINDS}
    except (OSError, ValueError, KeyError, TypeError):
        return None


class VanishedFolderError(RuntimeError):
    """A root's plans/ or scores/ folder the published release read files from is gone: reading on would drop
    every document or score it held from the next release."""


def check_kind_folders(settings: Settings) -> None:
    """Raise VanishedFolderError naming every `<root>/plans` or `<root>/scores` folder that is gone since the
    published release read files from it, unless listed in GOVDATA_DROP_FOLDERS (removed on purpose)."""
    from pipelines.settings import DROP_FOLDERS_ENV
    from pipelines.sources.plans.ingest import labelled_roots, shown_path

    state = published_state(settings.warehouse_dir, labelled_roots(settings, check=False))
    if state is None:
        return
    drop = {p.resolve() for p in settings.drop_folders}
    gone = []
    for root, label in labelled_roots(settings, check=False):
        for kind in KINDS:
            folder = root / kind
            if folder.is_dir() or folder.resolve() in drop:
                continue
            prefix = f"{kind}/" if label == "raw" else shown_path(folder) + "/"  # the state's keys (_key)
            if any(k.startswith(prefix) for k in state[kind]):
                gone.append(folder)
    if gone:
        names = ", ".join(str(g) for g in gone)
        raise VanishedFolderError(
            f"folder gone since the last release: {names}. Nothing is published, so its files are not dropped by "
            f"mistake. Restore it, or to remove its files on purpose set {DROP_FOLDERS_ENV}="
            + os.pathsep.join(str(g) for g in gone)
        )


def load_cursor(cursor: str | None) -> dict[str, dict[str, FileState]]:
    raw = json.loads(cursor) if cursor else {}
    return {kind: _state_from_json(raw.get(kind, {})) for kind in KINDS}


def dump_cursor(state: dict[str, dict[str, FileState]]) -> str:
    return json.dumps({kind: _state_to_json(s) for kind, s in state.items()})


@dataclass
class RawFilesDecision:
    """What the raw-files sensor does on one tick (assets/automation.py turns it into Dagster requests)."""

    current: dict[str, dict[str, FileState]]  # the files now, kind by kind: the next cursor
    plans: Changes
    scores: Changes
    to_parse: list[str]  # plan partitions to parse
    new_partitions: list[str]  # plan partitions to register
    gone_partitions: list[str]  # plan partitions whose file is gone

    @property
    def rebuild(self) -> bool:
        """Any change, deletions included, asks for one warehouse rebuild (a deleted file's rows leave)."""
        return bool(self.plans or self.scores)

    @property
    def digest(self) -> str:
        return state_digest({**self.current["plans"], **self.current["scores"]})


def decide_raw_files(
    cursor: str | None,
    known_partitions: Sequence[str],
    settings: Settings | None = None,
    built: dict[str, dict[str, FileState]] | None = None,
) -> RawFilesDecision:
    """`built`: the state the published warehouse was built from (published_state). Changes are counted against
    it when there is one, else against the last tick (the cursor): after `make run` nothing has changed, so nothing
    runs, and a plan the build already read gets its partition without a parse run."""
    previous = load_cursor(cursor)
    # hashing is skipped for files whose size and mtime match the last tick, or else the build's record
    current = {kind: scan(kind, previous[kind] or (built or {}).get(kind, {}), settings) for kind in KINDS}
    baseline = built if built is not None else previous
    plans, scores = diff(baseline["plans"], current["plans"]), diff(baseline["scores"], current["scores"])
    known = set(known_partitions)
    new_parts = sorted(set(current["plans"]) - known)
    to_parse = set(plans.added + plans.changed)
    if built is None:
        to_parse |= set(new_parts)  # no build to vouch for them: a partition never seen is parsed
    return RawFilesDecision(
        current=current,
        plans=plans,
        scores=scores,
        to_parse=sorted(to_parse),
        new_partitions=new_parts,
        gone_partitions=sorted(known - set(current["plans"])),
    )
