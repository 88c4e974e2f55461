"""Reuse a document's parse result while its bytes and the parser are unchanged.

Key: sha256 of the file's bytes + a version hash of the parsing code and the reference files it reads. Renaming
or copying a file reuses the result (its path is rewritten on load); editing it, or changing the parser, parses it
again. Entries are written atomically, so parallel workers and an interrupted run never leave a torn file.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from pipelines.model import quarantine_row
from pipelines.settings import PROJECT_DIR, Settings
from pipelines.sources.plans.formats import LIMIT
from pipelines.sources.plans.ingest import (
    STOPPED,
    DocumentResult,
    RawFile,
    RawReadError,
    process_document,
    read_raw,
    root_path_for,
)

# the code a parse or a normalisation depends on: reading, normalising and the row model (a change re-reads)
_CODE = [
    PROJECT_DIR / "pipelines" / "sources",
    PROJECT_DIR / "pipelines" / "normalise",
    PROJECT_DIR / "pipelines" / "model.py",
]
_REFERENCE = [PROJECT_DIR / "raw" / "reference" / "provinces_63.csv"]


@lru_cache(maxsize=1)
def parser_version() -> str:
    h = hashlib.sha256()
    for root in _CODE:
        for p in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            h.update(p.relative_to(PROJECT_DIR).as_posix().encode())
            h.update(p.read_bytes())
    for p in _REFERENCE:
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def normaliser_version() -> str:
    """The parser version plus every mapping file normalisation reads."""
    h = hashlib.sha256(parser_version().encode())
    for p in sorted((PROJECT_DIR / "raw" / "reference").glob("*.csv")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def load_entry(path: Path):
    """The cached object, or None when absent or damaged (then it is recomputed and rewritten)."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except Exception:
        return None


def store_entry(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def entry_path(cache_dir: Path, sha256: str) -> Path:
    return cache_dir / sha256[:2] / f"{sha256}-{parser_version()}.pkl"


def _relocate(r: DocumentResult, f: RawFile) -> DocumentResult:
    """A cached result of the same bytes at another path: rewrite the provenance to this file."""
    sp, root = f.source_path, f.root_label
    doc = dict(r.document, source_path=sp, raw_root=root) if r.document else None
    tasks = [dict(t, source_path=sp) for t in r.tasks]
    findings = [dict(x, source_path=sp) for x in r.findings]
    q = dict(r.quarantine, source_path=sp, raw_root=root) if r.quarantine else None
    return replace(r, document=doc, tasks=tasks, findings=findings, quarantine=q)


def process_cached(f: RawFile, cache_dir: Path, settings: Settings | None = None) -> tuple[DocumentResult, bool]:
    """(result, reused). Unreadable files are never cached: they are retried on every run."""
    try:
        data = read_raw(f)
    except RawReadError as e:
        return DocumentResult(None, [], [], quarantine_row(f.source_path, f.root_label, None, "read", str(e))), False
    sha = hashlib.sha256(data).hexdigest()
    path = entry_path(cache_dir, sha)
    cached = load_entry(path)
    if cached is not None:
        return _relocate(cached, f), True
    result = process_document(f, data, settings)
    if not (result.quarantine and result.quarantine["reason"].startswith((LIMIT, STOPPED))):
        store_entry(path, result)  # a file refused for its cost is read again once the limits change
    return result, False


def process_cached_alone(files: list[RawFile], cache_dir: Path, settings: Settings) -> tuple[DocumentResult, bool]:
    """process_cached of one file, as pipelines.staging.frames.run_alone calls it (in a process of its own)."""
    return process_cached(files[0], cache_dir, settings)


def stopped_alone(f: RawFile, reason: str) -> tuple[DocumentResult, bool]:
    """What a file whose worker died becomes, without reading it again."""
    return DocumentResult(None, [], [], quarantine_row(f.source_path, f.root_label, None, "decode", reason)), False


def normalise_entry(doc: dict, cache_dir: Path) -> Path:
    where = hashlib.sha256(f"{doc['raw_root']}|{doc['source_path']}".encode()).hexdigest()[:12]
    return cache_dir / doc["sha256"][:2] / f"{doc['sha256']}-{where}-{normaliser_version()}.pkl"


def normalise_cached(job: tuple[dict, list[dict], Path]):
    """One document's normalisation, reused while its bytes, path, parser and mapping files are unchanged.
    (Here, not in pipelines.staging.incremental, so pool workers import only the domain code.)"""
    from pipelines.normalise.plan_rows import Normalised, normalise_document
    from pipelines.sources.plans.formats import read_document

    doc, tasks, cache_dir = job
    path = normalise_entry(doc, cache_dir)
    cached = load_entry(path)
    if cached is not None:
        return cached, True
    root = root_path_for(doc["raw_root"])
    try:
        if root is None:
            raise FileNotFoundError(doc["raw_root"])
        read = read_document(read_raw(RawFile(root, root / doc["source_path"])), doc["source_path"])
        text: str | None = read.text
        locations: list[str | None] | None = read.locations
    except Exception:  # the file changed or vanished since staging: targets and quotes are skipped for it
        text = locations = None
    out = Normalised()
    normalise_document(doc, sorted(tasks, key=lambda t: t["task_seq"]), text, out, locations)
    out.alias_use = dict(out.alias_use)
    if text is not None:
        store_entry(path, out)
    return out, False
