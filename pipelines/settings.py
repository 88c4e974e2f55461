"""Every path and setting of a build as one typed object, and the one place that reads them from the environment.

`Settings.from_env()` is called by the entry points (the Dagster Definitions, `make run`/`make sql`, the summary,
the benchmark, tests) and the object is passed down as an argument; the Dagster assets get it through the
`settings` resource (assets/resources.py). No other module reads these variables, at import time or later, so a
test or a second build in one process can use another configuration by building another Settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]

WAREHOUSE_ENV = "GOVDATA_WAREHOUSE_DIR"  # tests and benchmarks build elsewhere without touching the real warehouse
RAW_EXTRA_ENV = "GOVDATA_RAW_EXTRA"  # extra raw roots after raw/, os.pathsep-separated
DROP_ROOTS_ENV = "GOVDATA_DROP_ROOTS"  # extra roots whose documents are removed on purpose
DROP_FOLDERS_ENV = "GOVDATA_DROP_FOLDERS"  # <root>/plans or <root>/scores folders removed on purpose
MAX_BYTES_ENV = "GOVDATA_MAX_FILE_BYTES"
CHROMIUM_ENV = "GOVDATA_CHROMIUM"
SQL_MEMORY_ENV = "GOVDATA_SQL_MEMORY_LIMIT"
# Bounds on what one input may cost (issue 24): past one the file is quarantined with the limit named
UNZIPPED_ENV = "GOVDATA_MAX_UNZIPPED_BYTES"
ZIP_ENTRIES_ENV = "GOVDATA_MAX_ZIP_ENTRIES"
PDF_PAGES_ENV = "GOVDATA_MAX_PDF_PAGES"
OCR_SECONDS_ENV = "GOVDATA_OCR_SECONDS_PER_FILE"
SHEET_ROWS_ENV = "GOVDATA_MAX_SHEET_ROWS"
WORKER_MEMORY_ENV = "GOVDATA_WORKER_MEMORY_MB"
# Where parsing runs (issue 27, docs/scaling.md): this machine's process pool, or a Dask cluster's workers
WORKERS_ENV = "GOVDATA_WORKERS"
PARSE_ENGINE_ENV = "GOVDATA_PARSE_ENGINE"
SCHEDULER_ENV = "GOVDATA_SCHEDULER"
SPOOL_DIR_ENV = "GOVDATA_SPOOL_DIR"
PARSE_ENGINES = ("local", "dask")
# The shared data beside the checkout (real PAPI/PCI scores, real documents, GSO's population table): read in place,
# never committed. Tests that need it skip where it is absent, and fail instead with GOVDATA_REQUIRE_SHARED=1 (CI).
SHARED_DATA_ENV = "GOVDATA_SHARED_DATA"
REQUIRE_SHARED_ENV = "GOVDATA_REQUIRE_SHARED"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # a plan text is a few hundred kB; 50 MB is not a plan export


def _paths(value: str) -> tuple[Path, ...]:
    """os.pathsep-separated folders; a relative one is relative to the project."""
    out = []
    for part in value.split(os.pathsep):
        if part.strip():
            p = Path(part.strip())
            out.append(p if p.is_absolute() else (PROJECT_DIR / p))
    return tuple(out)


def _engine(name: str, scheduler: str) -> str:
    """A misspelt engine, or Dask without a scheduler address, stops the build before anything is read."""
    name = name.strip().lower()
    if name not in PARSE_ENGINES:
        raise ValueError(f"{PARSE_ENGINE_ENV}={name!r}: one of {', '.join(PARSE_ENGINES)}")
    if name == "dask" and not scheduler.strip():
        raise ValueError(f"{PARSE_ENGINE_ENV}=dask needs {SCHEDULER_ENV} (the scheduler's address, tcp://host:8786)")
    return name


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path = PROJECT_DIR / "warehouse"
    raw_extra: tuple[Path, ...] = ()  # extra raw roots, in order: the n-th is labelled "extra<n>"
    drop_roots: tuple[Path, ...] = ()  # extra roots left out on purpose (their documents leave the warehouse)
    drop_folders: tuple[Path, ...] = ()  # a root's plans/ or scores/ folder removed on purpose since the release
    max_file_bytes: int = DEFAULT_MAX_BYTES  # a bigger raw file is quarantined unread
    # The writer checkpoints every 256 MB of WAL instead of every 16 MB: staging a national archive in 20,000-row
    # chunks spent more time in checkpoints than in inserts (1.26 M task rows: 15.6 s -> 7.2 s, and less memory).
    # DuckDB may use 512 MB before it spills: by default it takes 80% of RAM, and building the 20,000-document core
    # tables peaked at 1.9 GB; with 1 GB the process peaked at 1.05 GB, with 512 MB at 0.76 GB (standalone; issue
    # 27: a whole build within 1 GB), the models' time within this machine's noise (docs/scaling.md).
    checkpoint_threshold: str = "256MB"
    memory_limit: str = "512MB"
    chromium: str = "/usr/bin/chromium"  # `make ui-check`: Debian's Chromium
    # `make sql` / `make export`: DuckDB takes 80 % of RAM by default; an analyst's query gets a few GB, then spills
    # or fails with "Out of Memory" instead of taking the machine
    sql_memory_limit: str = "4GB"
    # A .docx or .xlsx is a zip: its directory is checked before any parser inflates it (the real PCI 2014 workbook
    # inflates to 4.6 MB, a plan's .docx to a few MB; a 4 MB bomb to 1 GiB)
    max_unzipped_bytes: int = 256 * 1024 * 1024
    max_zip_entries: int = 10_000
    max_pdf_pages: int = 300  # a plan is tens of pages; a 500-page scan took 515 s of OCR
    ocr_seconds_per_file: float = 600.0  # Tesseract takes 2-10 s a page on one core
    max_sheet_rows: int = 100_000  # a score sheet has one row per province (63): a million rows is not one
    # Each parse worker's data segment (RLIMIT_DATA): a reader that needs more stops with MemoryError or dies, and
    # only that file is quarantined. Not RLIMIT_AS: a worker reserves 1.4 GB of address space it never touches
    # (thread arenas), against 0.3 GB of data.
    worker_memory_mb: int = 1536
    # Processes of the local parse and normalise pools; 0: min(2, cores), what the pools always used (a third
    # process on two cores only competes with the writer)
    workers: int = 0
    # "local": the pool above; "dask": each chunk of documents (and each scanned page) a task on the Dask scheduler
    # at `scheduler` (tcp://host:8786), whose workers may be on other machines (docs/scaling.md)
    parse_engine: str = "local"
    scheduler: str = ""
    # Where workers leave their Parquet for the single writer; None: beside the build database. On a cluster, a
    # folder every worker and the writer see at the same path (as the raw roots and the parse cache)
    spool_dir: Path | None = None
    shared_data: Path = PROJECT_DIR.parent / "shared" / "data"  # `make accuracy` and the tests read it in place
    require_shared: bool = False  # a test that needs shared_data fails where it is absent, instead of skipping

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        default = cls()
        return cls(
            warehouse_dir=Path(env.get(WAREHOUSE_ENV) or default.warehouse_dir),
            raw_extra=_paths(env.get(RAW_EXTRA_ENV, "")),
            drop_roots=_paths(env.get(DROP_ROOTS_ENV, "")),
            drop_folders=_paths(env.get(DROP_FOLDERS_ENV, "")),
            max_file_bytes=int(env.get(MAX_BYTES_ENV) or DEFAULT_MAX_BYTES),
            chromium=env.get(CHROMIUM_ENV) or default.chromium,
            sql_memory_limit=env.get(SQL_MEMORY_ENV) or default.sql_memory_limit,
            max_unzipped_bytes=int(env.get(UNZIPPED_ENV) or default.max_unzipped_bytes),
            max_zip_entries=int(env.get(ZIP_ENTRIES_ENV) or default.max_zip_entries),
            max_pdf_pages=int(env.get(PDF_PAGES_ENV) or default.max_pdf_pages),
            ocr_seconds_per_file=float(env.get(OCR_SECONDS_ENV) or default.ocr_seconds_per_file),
            max_sheet_rows=int(env.get(SHEET_ROWS_ENV) or default.max_sheet_rows),
            worker_memory_mb=int(env.get(WORKER_MEMORY_ENV) or default.worker_memory_mb),
            workers=int(env.get(WORKERS_ENV) or default.workers),
            parse_engine=_engine(env.get(PARSE_ENGINE_ENV) or default.parse_engine, env.get(SCHEDULER_ENV, "")),
            scheduler=env.get(SCHEDULER_ENV, "").strip(),
            spool_dir=(_paths(env.get(SPOOL_DIR_ENV, "")) or (None,))[0],
            shared_data=(_paths(env.get(SHARED_DATA_ENV, "")) or (default.shared_data,))[0],
            require_shared=env.get(REQUIRE_SHARED_ENV, "").strip().lower() in ("1", "true", "yes"),
        )

    @property
    def pool_workers(self) -> int:
        """Processes of a local pool: the setting, or min(2, cores)."""
        return self.workers if self.workers > 0 else min(2, os.cpu_count() or 1)

    @property
    def raw_dir(self) -> Path:
        return PROJECT_DIR / "raw"

    @property
    def build_db(self) -> Path:
        """The single writer works here."""
        return self.warehouse_dir / "build" / "governance.build.duckdb"

    @property
    def published_db(self) -> Path:
        """Analysts open this: a link to current/governance.duckdb (pipelines/publish/release.py)."""
        return self.warehouse_dir / "governance.duckdb"

    @property
    def marts_dir(self) -> Path:
        """A link to current/marts."""
        return self.warehouse_dir / "marts"

    @property
    def parse_cache_dir(self) -> Path:
        """One entry per content hash and parser version."""
        return self.warehouse_dir / "cache" / "parsed"

    @property
    def normalise_cache_dir(self) -> Path:
        """One entry per content hash, path and mapping-file version."""
        return self.warehouse_dir / "cache" / "normalised"

    @property
    def scores_cache_dir(self) -> Path:
        """The staged score files of the last build, by the files' bytes, the settings and the code (stage_scores)."""
        return self.warehouse_dir / "cache" / "scores"

    @property
    def report_cache_dir(self) -> Path:
        """The report's Vega bundle and the PNGs of its last build, by content (a chart whose data did not change is
        not rendered again)."""
        return self.warehouse_dir / "cache" / "report"

    @property
    def gx_docs_dir(self) -> Path:
        """Great Expectations Data Docs, one site per mart."""
        return self.warehouse_dir / "docs" / "gx"

    @property
    def report_dir(self) -> Path:
        return self.warehouse_dir / "report"

    @property
    def export_dir(self) -> Path:
        """Where `make export` writes unless told another folder."""
        return self.warehouse_dir / "exports"

    @property
    def build_config(self) -> dict[str, str]:
        """DuckDB configuration of the build writer."""
        return {"checkpoint_threshold": self.checkpoint_threshold, "memory_limit": self.memory_limit}
