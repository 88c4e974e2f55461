"""The Dagster UI in a real browser (headless Debian Chromium): every asset listed, the latest run succeeded,
screenshot saved. Skips where Chromium is not installed (`make ui-check` installs it from Debian's registry)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.settings import Settings

CHROMIUM = Settings.from_env().chromium


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} not installed (apt-get install chromium; CI installs it)"
)
def test_ui_lists_every_asset_and_the_latest_run_succeeded(tmp_path):
    from tools.ui_check import run_check

    shot = tmp_path / "ui.png"
    assert run_check(CHROMIUM, shot) == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
