"""The settings of a build as a Dagster resource: the Definitions build it from Settings.from_env() (the one place
that reads the environment) and every asset that needs a path or a raw root asks for it as `settings`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.settings import Settings


class SettingsResource(dg.ConfigurableResource):
    """pipelines.settings.Settings, field by field (paths as text: Dagster config holds plain values)."""

    warehouse_dir: str
    raw_extra: list[str]
    drop_roots: list[str]
    max_file_bytes: int
    checkpoint_threshold: str
    memory_limit: str
    chromium: str
    # the input budgets (issue 24) and where parsing runs (issue 27): a run on a cluster needs the scheduler here
    max_pdf_pages: int = Settings.max_pdf_pages
    ocr_seconds_per_file: float = Settings.ocr_seconds_per_file
    worker_memory_mb: int = Settings.worker_memory_mb
    workers: int = Settings.workers
    parse_engine: str = Settings.parse_engine
    scheduler: str = Settings.scheduler
    spool_dir: str = ""

    @classmethod
    def of(cls, s: Settings) -> SettingsResource:
        return cls(
            warehouse_dir=str(s.warehouse_dir),
            raw_extra=[str(p) for p in s.raw_extra],
            drop_roots=[str(p) for p in s.drop_roots],
            max_file_bytes=s.max_file_bytes,
            checkpoint_threshold=s.checkpoint_threshold,
            memory_limit=s.memory_limit,
            chromium=s.chromium,
            max_pdf_pages=s.max_pdf_pages,
            ocr_seconds_per_file=s.ocr_seconds_per_file,
            worker_memory_mb=s.worker_memory_mb,
            workers=s.workers,
            parse_engine=s.parse_engine,
            scheduler=s.scheduler,
            spool_dir=str(s.spool_dir or ""),
        )

    def get(self) -> Settings:
        return Settings(
            warehouse_dir=Path(self.warehouse_dir),
            raw_extra=tuple(Path(p) for p in self.raw_extra),
            drop_roots=tuple(Path(p) for p in self.drop_roots),
            max_file_bytes=self.max_file_bytes,
            checkpoint_threshold=self.checkpoint_threshold,
            memory_limit=self.memory_limit,
            chromium=self.chromium,
            max_pdf_pages=self.max_pdf_pages,
            ocr_seconds_per_file=self.ocr_seconds_per_file,
            worker_memory_mb=self.worker_memory_mb,
            workers=self.workers,
            parse_engine=self.parse_engine,
            scheduler=self.scheduler,
            spool_dir=Path(self.spool_dir) if self.spool_dir else None,
        )
