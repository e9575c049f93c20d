"""CLI contract of report: PDF or HTML from PATIENT_DATA.json, exit 2 on bad data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import cli_fails, cli_ok

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "patient_data" / "demo_patient.json"


@pytest.mark.parametrize("suffix", [".pdf", ".html"])
def test_report_writes_pdf_or_html(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """report writes a PDF (starting %PDF) or an HTML page with embedded plots."""
    out = tmp_path / f"report{suffix}"
    cli_ok(["report", str(EXAMPLE), "--out", str(out)], capsys)
    data = out.read_bytes()
    if suffix == ".pdf":
        assert data.startswith(b"%PDF")
    else:
        assert b"<html" in data.lower()
        assert b"data:image/png;base64," in data


def test_report_bad_data_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file or a document with a bad field exits 2 naming the problem."""
    assert "cannot read" in cli_fails(["report", str(tmp_path / "none.json")], capsys)
    bad = json.loads(EXAMPLE.read_text())
    bad["sessions"][0]["pain_after"] = 14
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert "pain_after" in cli_fails(
        ["report", str(path), "--out", str(tmp_path / "r.pdf")], capsys
    )
