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
        )
