from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Build into a throwaway folder: tests never touch the developer's warehouse/.
os.environ.setdefault("GOVDATA_WAREHOUSE_DIR", tempfile.mkdtemp(prefix="govdata-test-wh-"))

PROJECT = Path(__file__).resolve().parents[1]
PLANS = PROJECT / "raw" / "plans"
HCMC_PAPI = PLANS / "000_fc9f8ecdecbcee10.txt"
QUANG_NGAI = PLANS / "001_5d5a89fb325a0d90.txt"
HCMC_PAR = PLANS / "002_a4935c26879af6ae.txt"
HANOI_PAPI = PLANS / "004_0f436dfa0397b1ae.txt"


@pytest.fixture(scope="session")
def parsed():
    from pipelines.domain.decode import decode_document
    from pipelines.domain.plan import parse_plan

    out = {}
    for p in (HCMC_PAPI, QUANG_NGAI, HCMC_PAR, HANOI_PAPI):
        text = decode_document(p.read_bytes()).text
        out[p.name[:3]] = (parse_plan(text), text)
    return out


def task_at(plan, line_start):
    hits = [t for t in plan.tasks if t.line_start == line_start]
    assert len(hits) == 1, f"expected one task starting at line {line_start}, got {len(hits)}"
    return hits[0]


def task_ref(plan, ref):
    hits = [t for t in plan.tasks if t.task_ref == ref]
    assert len(hits) == 1, f"expected one task {ref}, got {len(hits)}"
    return hits[0]


@pytest.fixture(scope="session")
def built():
    """The whole Dagster graph with every check, on raw/ (+ ../shared/data under make), into the test warehouse."""
    import dagster as dg

    from pipelines import definitions, warehouse

    result = dg.materialize(
        [*definitions.PYTHON_ASSETS, *definitions.sql_assets, definitions.publish_asset, *definitions.all_checks],
        resources={"duckdb": definitions.defs.resources["duckdb"]},
    )
    return result, warehouse.PUBLISHED_DB
