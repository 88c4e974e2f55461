"""The published-format fixtures (tests/fixtures/dev/published) agree with their own documents: every expected row is
re-read from the .docx/.pdf/.html by an independent extraction and every target quote is in the text. This guards the
measure, not the readers."""

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent / "fixtures" / "dev" / "published"


def test_published_fixtures_match_their_documents(capsys):
    spec = importlib.util.spec_from_file_location("check_published", HERE / "check_published.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main() == 0, "\n".join(mod.PROBLEMS)
    assert "190 expected rows, 74 target quotes checked: OK" in capsys.readouterr().out
