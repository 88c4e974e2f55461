"""Raw roots, file discovery, and one document -> (document row, task rows, findings) or quarantine.

Every file under a `plans/` folder of a raw root ends up either in `documents` or in `quarantine`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pipelines.model import Finding, ParsedPlan, finding_row, quarantine_row
from pipelines.normalise.provinces import provinces_2004, units_2025
from pipelines.settings import DROP_ROOTS_ENV, MAX_BYTES_ENV, RAW_EXTRA_ENV, WORKER_MEMORY_ENV, Settings
from pipelines.sources.plans.conform import conform_metadata, conform_tasks
from pipelines.sources.plans.consistency import stated_count_findings
from pipelines.sources.plans.contradictions import (
    duplicate_task_findings,
    foreign_issuer_findings,
    issue_date_findings,
    table_label_findings,
    table_number_findings,
)
from pipelines.sources.plans.damage import line_hashes, truncation_findings, undouble_lines
from pipelines.sources.plans.decode import DecodeError, document_id_for, sha256_bytes
from pipelines.sources.plans.formats import location_of, read_document
from pipelines.sources.plans.lines import find_repeated_blocks, mask_lines
from pipelines.sources.plans.metadata import extract_metadata, not_a_plan
from pipelines.sources.plans.plan import LineText, PlanParseError, parse_plan, task_text_in_lines


class MissingRootError(RuntimeError):
    """An extra raw root that does not exist: reading on would silently drop every document it held."""


def labelled_roots(settings: Settings | None = None, check: bool = True) -> list[tuple[Path, str]]:
    """(root, label): `raw/` is "raw", the n-th extra root (GOVDATA_RAW_EXTRA) is "extra<n>" (its position, so the
    warehouse never holds a path of the build machine). A root listed in GOVDATA_DROP_ROOTS is left out on purpose;
    any other extra root that does not exist raises MissingRootError naming it (with check). Without `settings`,
    the environment's (Settings.from_env())."""
    settings = Settings.from_env() if settings is None else settings
    roots = [(settings.raw_dir, "raw")]
    seen = {roots[0][0].resolve()}
    drop = {p.resolve() for p in settings.drop_roots}
    missing = []
    for i, p in enumerate(settings.raw_extra, start=1):
        if p.resolve() in seen:
            continue
        seen.add(p.resolve())
        if p.resolve() in drop:
            continue
        if not p.is_dir():
            missing.append(p)
            continue
        roots.append((p, f"extra{i}"))
    if missing and check:
        raise MissingRootError(
            f"raw root not found: {', '.join(str(m) for m in missing)} (listed in {RAW_EXTRA_ENV}). Nothing is "
            f"published, so its documents are not dropped by mistake. Fix the path, or to remove that root's "
            f"documents on purpose set {DROP_ROOTS_ENV}={os.pathsep.join(str(m) for m in missing)}"
        )
    return [(r, lab) for r, lab in roots if r.is_dir()]


def raw_roots(settings: Settings | None = None) -> list[Path]:
    """`raw/` plus every extra root (GOVDATA_RAW_EXTRA, os.pathsep-separated); a missing one is an error."""
    return [r for r, _ in labelled_roots(settings)]


def root_label_for(root: Path, settings: Settings | None = None) -> str:
    """The label of a root: by its position among the extra roots, whether the folder exists yet or not."""
    settings = Settings.from_env() if settings is None else settings
    if root == settings.raw_dir:
        return "raw"
    for i, r in enumerate(settings.raw_extra, start=1):
        if r == root:
            return f"extra{i}"
    return root.name  # a root given explicitly (tests): its folder name, never the machine path


def root_path_for(label: str, settings: Settings | None = None) -> Path | None:
    """The folder behind a label stored in the warehouse (None when no current root has it)."""
    for r, lab in labelled_roots(settings, check=False):
        if lab == label:
            return r
    return None


@dataclass(frozen=True)
class RawFile:
    root: Path
    path: Path
    problem: str | None = field(default=None, compare=False)  # known before reading (a folder that cannot be listed)
    label: str | None = field(default=None, compare=False)  # the root's label, when the caller knows it

    @cached_property  # pathlib work, asked for again and again for the same file
    def source_path(self) -> str:
        """Path relative to its raw root, as stored in the warehouse. A name that is not valid UTF-8 is shown with
        its bytes escaped (\\xff), so it can be stored and printed."""
        rel = self.path.relative_to(self.root).as_posix()
        return os.fsencode(rel).decode("utf-8", "backslashreplace")

    @cached_property
    def name_is_utf8(self) -> bool:
        try:
            os.fsencode(self.path.relative_to(self.root).as_posix()).decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False

    @cached_property
    def root_label(self) -> str:
        return self.label if self.label is not None else root_label_for(self.root)


def discover(kind: str, roots: list[Path] | None = None, settings: Settings | None = None) -> list[RawFile]:
    """Every file under `<root>/<kind>/` at any depth, hidden files included (they must be accounted for), and
    every link to a folder (not followed: it is reported, not read). Ordered by root (raw/ first, then the extra
    roots in their order) and path: the first copy of duplicated text in this order is the one kept. The roots
    are `settings`' (the environment's without), unless given."""
    out: list[RawFile] = []
    settings = Settings.from_env() if settings is None else settings
    for root in roots if roots is not None else raw_roots(settings):
        label = root_label_for(root, settings)
        base = root / kind
        if not base.is_dir():
            continue
        found = []

        def unlisted(e: OSError) -> None:  # a folder os.walk cannot list: its files would vanish without a trace
            # os.walk calls this during the iteration, so the loop names are the current ones
            found.append(RawFile(root, Path(e.filename), f"folder that cannot be listed: {e.strerror}", label))  # noqa: B023

        for dirpath, dirs, files in os.walk(base, onerror=unlisted):
            # os.walk lists a link to a folder among the folders and does not follow it: report it as a file
            links = [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]
            for name in sorted(files + links):
                found.append(RawFile(root, Path(dirpath) / name, label=label))
        out += sorted(found, key=lambda f: f.source_path)
    return out


def shown_path(path: Path) -> str:
    """A path as text that can be stored and printed: bytes that are not UTF-8 escaped (\\xe9)."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


class RawReadError(Exception):
    """Why a raw file was not read: the message is the quarantine reason."""


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _inside(path: Path, root: Path) -> bool:
    """Whether `path`, its links followed, lies under `root` (itself resolved: the root may be a link)."""
    real, base = os.path.realpath(path), os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def read_raw(f: RawFile, limit: int | None = None) -> bytes:
    """The bytes of a regular file, or RawReadError with the reason. Never opens a FIFO or device (the read would
    block or never end), never follows a link loop, never reads more than the size limit."""
    limit = Settings.from_env().max_file_bytes if limit is None else limit
    if f.problem:
        raise RawReadError(f.problem)
    if not f.name_is_utf8:
        raise RawReadError("file name is not valid UTF-8 (shown with its bytes escaped): rename the file")
    if os.path.islink(f.path) and not _inside(f.path, f.root):
        # anyone who can drop a link in a raw folder must not make the build read (and publish) /etc/passwd
        raise RawReadError("link outside the raw root: not read")  # its target is a path of this machine: not named
    try:
        st = os.stat(f.path)  # follows links: the target is what would be read
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise RawReadError("symbolic link loop (too many levels of symbolic links)") from None
        if os.path.islink(f.path):
            raise RawReadError(f"dangling symbolic link (target {os.readlink(f.path)!r} does not exist)") from None
        raise RawReadError(f"unreadable: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        link = "symbolic link to " if os.path.islink(f.path) else ""
        raise RawReadError(f"{link}{_kind(st.st_mode)}, not a regular file: not read")
    if st.st_size > limit:
        raise RawReadError(f"file of {st.st_size} bytes, above the size limit of {limit} bytes ({MAX_BYTES_ENV})")
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since stat, open must not wait for a writer
        fd = os.open(f.path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise RawReadError(f"unreadable: {e.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RawReadError("not a regular file: not read")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as e:
        raise RawReadError(f"unreadable: {e.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise RawReadError(f"file above the size limit of {limit} bytes ({MAX_BYTES_ENV})")
    return data


def file_fingerprint(f: RawFile) -> str:
    """Cheap change key for sensors and partitions: sha256 of the bytes ("" when the file cannot be read)."""
    try:
        return hashlib.sha256(read_raw(f)).hexdigest()
    except RawReadError:
        return ""


STOPPED = "reading stopped"  # opens the reason of a file whose reading was stopped (never cached)
MEMORY_STOP = f"{STOPPED}: the parse worker's memory ceiling was reached ({WORKER_MEMORY_ENV})"


@dataclass
class DocumentResult:
    document: dict | None
    tasks: list[dict]
    findings: list[dict]
    quarantine: dict | None
    line_hashes: list[int] = field(default_factory=list)  # distinct lines, for near-duplicate detection


def _contradictions(meta, parsed: ParsedPlan, lines: list[str]) -> list[Finding]:
    date_line = next(
        (
            i
            for i, ln in enumerate(lines[:40], start=1)
            if meta.issue_date and "ngày" in ln and str(meta.issue_date.year) in ln
        ),
        None,
    )
    units = units_2025() if meta.province_vintage == 2025 else provinces_2004()
    is_city = next((p.is_city for p in units if p.code == meta.province_code), None)
    return (
        issue_date_findings(meta.issue_date, meta.plan_year_start, date_line, lines)
        + foreign_issuer_findings(lines, meta.doc_numbers, meta.issuer_level, is_city)
        + table_label_findings(parsed.tasks)
        + table_number_findings(parsed.tasks)
        + duplicate_task_findings(parsed.tasks)
    )


def kept_locations(before: list[str], after: list[str], locations: list[str | None]) -> list[str | None]:
    """The provenance of each line left by undouble_lines (`after` is `before` without some lines, in order)."""
    out, j = [], 0
    for ln in after:
        while j < len(before) and before[j] != ln:
            j += 1
        out.append(locations[j] if j < len(locations) else None)
        j += 1
    return out


def _task_rows(
    parsed: ParsedPlan,
    doc_id: str,
    source_path: str,
    lines: list[str],
    locations: list[str | None],
    findings: list[dict],
) -> list[dict]:
    """The stg_plan_tasks rows of a parsed plan, numbered in order; a task whose text is not in its lines is an
    error finding (appended to `findings`)."""
    tasks = []
    text = LineText(lines) if len(parsed.tasks) > 1 else None
    for i, t in enumerate(parsed.tasks, start=1):
        row = t.as_dict()
        row["document_id"] = doc_id
        row["task_seq"] = i
        row["task_id"] = f"{doc_id}-{i:04d}"
        row["source_path"] = source_path
        row["source_location"] = location_of(locations, t.line_start)
        if not task_text_in_lines(t.task_text, lines, t.line_start, t.line_end, text):
            findings.append(
                finding_row(
                    "provenance_mismatch",
                    "error",
                    f"Task {row['task_id']} text not found in lines {t.line_start}-{t.line_end}.",
                    t.line_start,
                    t.line_end,
                    "fct_plan_task",
                    row["task_id"],
                )
            )
        tasks.append(row)
    return tasks


def _quarantined(f: RawFile, sha: str | None, stage: str, reason: str) -> DocumentResult:
    return DocumentResult(None, [], [], quarantine_row(f.source_path, f.root_label, sha, stage, reason))


def process_document(f: RawFile, data: bytes | None = None, settings: Settings | None = None) -> DocumentResult:
    """Decode, extract metadata and tasks. Never raises for bad input: bad input is quarantined. The limits on
    what a file may cost are `settings`' (the environment's without)."""
    source_path, root_label = f.source_path, f.root_label  # pathlib work: once per document, not per row
    if data is None:
        try:
            data = read_raw(f)
        except RawReadError as e:
            return _quarantined(f, None, "read", str(e))
    sha = sha256_bytes(data)
    try:
        decoded = read_document(data, f.path.name, settings)
    except DecodeError as e:
        # an adapter reports a library's MemoryError as a corrupt file: it is the ceiling, not the file's fault
        reason = MEMORY_STOP if isinstance(e.__context__, MemoryError) else str(e)
        return _quarantined(f, sha, "decode", reason)
    except MemoryError:  # the worker's memory ceiling (pipelines/staging/frames.py): this file alone is given up
        return _quarantined(f, sha, "decode", MEMORY_STOP)
    except Exception as e:  # a library's or decoder's error on a damaged file must not stop the other documents
        return _quarantined(f, sha, "decode", f"unreadable {f.path.suffix or 'file'}: {type(e).__name__}: {e}")
    try:
        # damage first (pipelines/sources/plans/damage.py): a text exported with every line doubled is read once
        lines, damage = undouble_lines(decoded.text.split("\n"))
        text = "\n".join(lines) if damage else decoded.text
        locations = kept_locations(decoded.text.split("\n"), lines, decoded.locations) if damage else decoded.locations
        damage += truncation_findings(lines, decoded.cut_in_character)
        meta, meta_findings = extract_metadata(text)
        why_not = not_a_plan(meta, lines)  # a report or a decision that issues no plan: no tasks are read
        blocks = find_repeated_blocks(lines)
        no_tasks = None  # a text in which nothing assigns work is a document with 0 tasks and the reason
        try:
            # the file's own tables (Word, HTML, PDF), unless the text was changed under them (doubled lines)
            file_tables = None if damage or not decoded.tables else (decoded.format, decoded.tables)
            parsed = ParsedPlan() if why_not else parse_plan(text, lines, blocks, bool(meta.indices), file_tables)
        except PlanParseError as e:
            parsed, no_tasks = ParsedPlan(), str(e)
        parsed.tasks, rejected = conform_tasks(parsed.tasks)  # a header cell or a split word is no task
        parsed.findings.extend(rejected)
        counted = stated_count_findings(mask_lines(lines, blocks)) + _contradictions(meta, parsed, lines)
    except MemoryError:
        return _quarantined(f, sha, "parse", MEMORY_STOP)
    except Exception as e:  # a reader or metadata bug must not stop the other documents
        return _quarantined(f, sha, "parse", f"reader error {type(e).__name__}: {e}")
    if why_not:
        meta_findings.append(Finding("not_a_plan", "info", f"Not read for tasks: {why_not}.", 1, len(lines)))
    elif no_tasks:
        meta_findings.append(Finding("no_tasks_found", "info", f"A document without tasks: {no_tasks}.", 1, len(lines)))
    elif not parsed.tasks:
        no_tasks = "every row the readers found was rejected as a task (see its task_row_rejected findings)"
    doc_id = document_id_for(decoded.text)
    meta_row = meta.as_dict()
    meta_findings += conform_metadata(meta_row)  # a value outside the contract: NULL and a finding, never a stop
    findings = [x.as_dict() for x in damage + meta_findings + parsed.findings + counted]
    tasks = _task_rows(parsed, doc_id, source_path, lines, locations, findings)
    for x in findings:
        x.update(
            document_id=doc_id, source_path=source_path, source_location=location_of(locations, x.get("line_start"))
        )
    doc = {
        "document_id": doc_id,
        "source_path": source_path,
        "raw_root": root_label,
        "sha256": sha,
        "size_bytes": len(data),
        "encoding": decoded.encoding,
        "format": decoded.format,
        "page_count": decoded.page_count,
        "text_source": decoded.text_source,
        "n_lines": len(lines),
        "readers": ",".join(parsed.readers_used),
        **{k: v for k, v in meta_row.items() if k not in ("province_name",)},
        "province_name": meta_row["province_name"],
        "n_tasks": len(tasks),
        "no_task_reason": (why_not or no_tasks) if not tasks else None,  # why_not says "not a plan" itself
    }
    return DocumentResult(doc, tasks, findings, None, line_hashes(lines))
