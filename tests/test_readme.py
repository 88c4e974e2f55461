"""The README is short and every command it shows works as pasted (issue 25.6): the quick start is exactly
`make run` and `make test`; each `make` command is expanded by make itself (`make -n`, nothing run) and the
analyst commands (`make sql`, piped dot commands, `make export`, the DuckDB CLI, `frictionless validate`) are run as
written against the test build, with `warehouse/` standing for the test's warehouse folder."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
README = PROJECT / "README.md"


def blocks() -> list[list[str]]:
    return [b.strip().splitlines() for b in re.findall(r"```\n(.*?)```", README.read_text(encoding="utf-8"), re.S)]


def table_commands() -> list[str]:
    return re.findall(r"^\| `(make [a-z-]+)` \|", README.read_text(encoding="utf-8"), re.M)


def pins() -> dict[str, str]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out = {}
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, version = spec.split("==")
        out[re.sub(r"\[.*\]", "", name)] = version
    return out


def test_the_readme_is_short_and_starts_with_the_quick_start():
    assert README.stat().st_size < 10_000
    assert blocks()[0] == ["make run", "make test"]
    text = README.read_text(encoding="utf-8")
    for link in re.findall(r"\]\(([^)#]+)\)", text):
        assert link.startswith("http") or (PROJECT / link).exists(), link


def _make_n(args: str) -> str:
    r = subprocess.run(f"make -n {args}", shell=True, cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (args, r.stderr)
    return r.stdout


def test_every_make_command_expands(tmp_path):
    commands = [line for b in blocks() for line in b if line.startswith("make ")] + table_commands()
    assert "make run" in commands and "make test" in commands and len(commands) >= 8
    for c in commands:
        out = _make_n(c.removeprefix("make "))
        assert out.strip(), c


def _env(warehouse: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT), "GOVDATA_WAREHOUSE_DIR": str(warehouse)}


def _as_run(line: str, warehouse: Path) -> str:
    """The README's line as the shell would run it: `make sql …` replaced by the command make expands it to."""
    if "make " in line:
        head, make_args = line.split("make ", 1)
        expanded = [ln for ln in _make_n(make_args).splitlines() if "pipelines.cli.sql" in ln]
        assert len(expanded) == 1, line
        line = head + expanded[0]
    return line.replace(" warehouse/", f" {warehouse}/")


def test_the_analyst_commands_run_as_pasted(built):
    from pipelines.settings import Settings

    warehouse = Settings.from_env().warehouse_dir
    lines = [line for b in blocks() for line in b]
    sql_lines = [ln for ln in lines if re.search(r"make (sql|export)", ln)]
    assert len(sql_lines) == 3
    outputs = []
    for line in sql_lines:
        r = subprocess.run(
            _as_run(line, warehouse), shell=True, cwd=PROJECT, capture_output=True, text=True, env=_env(warehouse)
        )
        assert r.returncode == 0, (line, r.stderr)
        outputs.append(r.stdout)
    ranks, piped, exported = outputs
    assert "2024" in ranks and "rank" in ranks
    assert "dim_province\n" in piped and "98" in piped  # .tables, then the query
    assert (warehouse / "exports" / "units_2024.parquet").is_file() and "exported to" in exported


def test_the_duckdb_cli_command_opens_the_release(built):
    from pipelines.settings import Settings

    warehouse = Settings.from_env().warehouse_dir
    lines = [line for b in blocks() for line in b]
    assert f"pip install duckdb-cli=={pins()['duckdb-cli']}" in lines
    if metadata.version("duckdb-cli") != pins()["duckdb-cli"]:
        pytest.skip("duckdb-cli (test extra) is not installed at the pinned version")
    (cli_line,) = [ln for ln in lines if ln.startswith("duckdb ")]
    argv = shlex.split(cli_line.replace(" warehouse/", f" {warehouse}/"))
    argv[0] = str(Path(sys.executable).parent / "duckdb")
    r = subprocess.run(
        argv, input="SELECT count(*) AS n FROM mart_scores_2025_units;\n", capture_output=True, text=True
    )
    assert r.returncode == 0 and re.search(r"\b\d{3,}\b", r.stdout), r.stdout + r.stderr


def test_the_frictionless_commands_name_the_pinned_extras_and_validate(built):
    from pipelines.settings import Settings

    warehouse = Settings.from_env().warehouse_dir
    lines = [line for b in blocks() for line in b]
    (install,) = [ln for ln in lines if "pip install" in ln and "frictionless" in ln]
    p = pins()
    assert f'"frictionless[parquet]=={p["frictionless"]}"' in install and f'"pandas=={p["pandas"]}"' in install
    (validate,) = [ln for ln in lines if "frictionless validate" in ln]
    # the fresh venv of the line above holds the same pins as this one: run its frictionless from here
    cmd = validate.replace("/tmp/fl/bin/frictionless", str(Path(sys.executable).parent / "frictionless"))
    r = subprocess.run(_as_run(cmd, warehouse), shell=True, cwd=PROJECT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "INVALID" not in r.stdout and r.stdout.count("VALID") >= 12


def test_the_code_map_matches_the_tree():
    """Every folder the README's map names exists, and every package of the product is on the map: a newcomer
    reaches any stage in one hop."""
    text = (PROJECT / "README.md").read_text()
    section = text.split("## Map of the code", 1)[1].split("\n## ", 1)[0]
    named = set()
    for cell in re.findall(r"`([^`]+/)`", section):
        if m := re.fullmatch(r"(.*)\{([^}]*)\}(.*)", cell):  # "dbt_like_sql/{core,intermediate,marts}/"
            named |= {m.group(1) + part + m.group(3) for part in m.group(2).split(",")}
        else:
            named.add(cell)
    assert len(named) >= 14, named
    for folder in named:
        assert (PROJECT / folder).is_dir(), folder
    product = PROJECT / "pipelines"
    packages = {f"pipelines/{p.name}/" for p in product.iterdir() if (p / "__init__.py").exists()}
    packages |= {
        f"pipelines/sources/{p.name}/" for p in (product / "sources").iterdir() if (p / "__init__.py").exists()
    }
    packages.discard("pipelines/sources/")
    assert packages <= named, packages - named
