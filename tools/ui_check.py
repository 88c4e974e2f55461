"""Real-browser check of the Dagster UI (make ui-check): run the rebuild job into a fresh Dagster instance, serve
the UI on 127.0.0.1, drive Debian's headless Chromium through Playwright, assert that every asset is listed and the
latest run succeeded, and save a screenshot to warehouse/docs/ui.png. Exit status 0 only when all of that holds."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from pipelines.settings import PROJECT_DIR, Settings

# without the background-networking flags Chromium keeps dialling Google's hosts on this closed network
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT = PROJECT_DIR / "warehouse" / "docs" / "ui.png"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout: float = 300) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"the UI did not answer at {url} within {timeout:.0f}s")


def _dismiss_dialog(page) -> None:
    """The first visit opens a newsletter dialog over the page; skip it (it shows up at any moment)."""
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()


def run_check(chromium: str, screenshot: Path = SCREENSHOT) -> list[str]:
    from playwright.sync_api import sync_playwright

    from assets.definitions import defs

    expected = sorted(k.path[-1] for k in defs.resolve_asset_graph().get_all_asset_keys())
    home = Path(tempfile.mkdtemp(prefix="govdata-ui-check-"))
    shutil.copy(PROJECT_DIR / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    # its own Dagster instance and warehouse folder: never the developer's, never a test session's open build file
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(PROJECT_DIR),
        "GOVDATA_WAREHOUSE_DIR": str(home / "warehouse"),
    }
    bin_dir = Path(sys.executable).parent
    print("running full_rebuild into a fresh Dagster instance ...", flush=True)
    job = subprocess.run(
        [str(bin_dir / "dagster"), "job", "execute", "-m", "assets.definitions", "-j", "full_rebuild"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if job.returncode:
        raise RuntimeError(f"full_rebuild failed before the UI check:\n{(job.stdout + job.stderr)[-4000:]}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = subprocess.Popen(
        [str(bin_dir / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    problems: list[str] = []
    try:
        _wait(f"{base}/server_info")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            # the asset catalog lists every asset by name (a tall viewport so the virtual list renders them all)
            page.set_viewport_size({"width": 1600, "height": 4000})
            page.goto(f"{base}/assets?view=flat", wait_until="networkidle")
            page.wait_for_selector("text=warehouse_published", timeout=180_000)
            text = page.inner_text("body")
            missing = [k for k in expected if k not in text]
            if missing:
                problems.append(f"assets not listed in the catalog: {missing}")
            # the latest run: succeeded, with materialisations
            page.set_viewport_size({"width": 1600, "height": 1000})
            page.goto(f"{base}/runs", wait_until="networkidle")
            page.wait_for_selector("text=full_rebuild", timeout=180_000)
            _dismiss_dialog(page)
            if "Success" not in page.inner_text("body"):
                problems.append("the latest full_rebuild run is not shown as Success")
            page.goto(
                base + (page.locator("a[href^='/runs/']").first.get_attribute("href") or ""), wait_until="networkidle"
            )
            page.wait_for_selector("text=ASSET_MATERIALIZATION", timeout=180_000)
            page.wait_for_selector("text=RUN_SUCCESS", timeout=180_000)
            # the asset graph, for the screenshot
            page.goto(f"{base}/asset-groups", wait_until="networkidle")
            page.wait_for_timeout(2000)
            _dismiss_dialog(page)
            page.wait_for_timeout(2000)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
            browser.close()
    finally:
        web.terminate()
        try:
            web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            web.kill()
        shutil.rmtree(home, ignore_errors=True)
    return problems


def main() -> int:
    chromium = Settings.from_env().chromium
    if not Path(chromium).exists():
        print(f"{chromium} not found: install Debian's chromium package (apt-get install chromium)", file=sys.stderr)
        return 2
    problems = run_check(chromium)
    for p in problems:
        print("UI CHECK FAILED:", p)
    if not problems:
        print(f"UI check passed: every asset listed, latest run succeeded; screenshot {SCREENSHOT}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
