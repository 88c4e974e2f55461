"""The decisions behind the raw-files sensor and the yearly reload schedule, as plain functions (tested on their
own); the Dagster jobs, sensors and schedule that carry them out are in assets/automation.py."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pipelines.domain.ingest import RawFile, discover, file_fingerprint, shown_path
from pipelines.settings import Settings

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


def load_cursor(cursor: str | None) -> dict[str, dict[str, FileState]]:
    raw = json.loads(cursor) if cursor else {}
    return {kind: {k: FileState(*v) for k, v in raw.get(kind, {}).items()} for kind in ("plans", "scores")}


def dump_cursor(state: dict[str, dict[str, FileState]]) -> str:
    return json.dumps({kind: {k: [v.size, v.mtime_ns, v.sha256] for k, v in s.items()} for kind, s in state.items()})
